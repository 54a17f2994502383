/* enums.c - version, error text, and the names and sizes of the numeric
 * enumerations whose values are fixed by the file format. */
#include <string.h>
#include "internal.h"

const uint8_t sy_magic[SY_MAGIC_LEN] = { 0x89, 'S', 'Y', 'N', 'A', 'P', 'T', SYNAPT_FORMAT_MAJOR };

const char *synapt_version(void) { return SYNAPT_VERSION_STRING; }

const char *synapt_strerror(int code)
{
    switch (code) {
    case SYNAPT_OK:            return "success";
    case SYNAPT_E_INVALID_ARG: return "invalid argument";
    case SYNAPT_E_NOMEM:       return "out of memory";
    case SYNAPT_E_IO:          return "input/output error";
    case SYNAPT_E_NOT_SYNAPT:  return "not a .synapt file";
    case SYNAPT_E_VERSION:     return "unsupported format version";
    case SYNAPT_E_FEATURE:     return "file requires an unknown feature";
    case SYNAPT_E_CORRUPT:     return "file is corrupt";
    case SYNAPT_E_CHECKSUM:    return "checksum mismatch";
    case SYNAPT_E_TRUNCATED:   return "file is truncated";
    case SYNAPT_E_LIMIT:       return "size exceeds configured limit";
    case SYNAPT_E_NOT_FOUND:   return "not found";
    case SYNAPT_E_RANGE:       return "index or range out of bounds";
    case SYNAPT_E_STATE:       return "call out of order";
    case SYNAPT_E_CODEC:       return "compression or codec error";
    case SYNAPT_E_UNSUPPORTED: return "not supported";
    case SYNAPT_E_EXISTS:      return "already exists";
    case SYNAPT_E_INPUT:       return "malformed input file";
    case SYNAPT_E_BUFFER:      return "buffer too small";
    case SYNAPT_E_MANIFEST:    return "dataset manifest is malformed";
    case SYNAPT_E_MEMBER_MISSING: return "dataset member file is missing";
    case SYNAPT_E_MEMBER_SIZE: return "dataset member has the wrong size";
    case SYNAPT_E_MEMBER_UUID: return "dataset member has the wrong uuid";
    case SYNAPT_E_MEMBER_CLIPS: return "dataset member has the wrong clip count";
    case SYNAPT_E_MEMBER_LABEL: return "dataset member label cannot be mapped";
    default:                   return "unknown error";
    }
}

static const struct { const char *name; size_t size; } dtypes[] = {
    { "none", 0 }, { "u8", 1 }, { "i8", 1 }, { "u16", 2 }, { "i16", 2 }, { "u32", 4 },
    { "i32", 4 }, { "f32", 4 }, { "f64", 8 }, { "u64", 8 }, { "i64", 8 }, { "f16", 2 },
};
#define NDTYPES (int)(sizeof dtypes / sizeof dtypes[0])

size_t synapt_dtype_size(int dtype)
{
    return dtype > 0 && dtype < NDTYPES ? dtypes[dtype].size : 0;
}

const char *synapt_dtype_name(int dtype)
{
    return dtype >= 0 && dtype < NDTYPES ? dtypes[dtype].name : "?";
}

int synapt_dtype_from_name(const char *name)
{
    if (!name) return 0;
    for (int i = 1; i < NDTYPES; i++)
        if (!strcmp(name, dtypes[i].name)) return i;
    return 0;
}

static const char *const kinds[] = {
    NULL, "video", "image", "depth", "pose2d", "pose3d", "mask", "frame_labels", "custom",
};
#define NKINDS (int)(sizeof kinds / sizeof kinds[0])

const char *synapt_kind_name(int kind)
{
    return kind > 0 && kind < NKINDS ? kinds[kind] : "?";
}

int synapt_kind_from_name(const char *name)
{
    if (!name) return 0;
    for (int i = 1; i < NKINDS; i++)
        if (!strcmp(name, kinds[i])) return i;
    return 0;
}

static const char *const codecs[] = {
    "raw", "h264", "hevc", "mpeg4", "vp8", "vp9", "av1", "mjpeg", "ffv1", "rawvideo", "png",
};
#define NCODECS (int)(sizeof codecs / sizeof codecs[0])

int sy_codec_valid(int codec)
{
    return (codec >= 0 && codec < NCODECS) || codec == SYNAPT_CODEC_OTHER;
}

const char *synapt_codec_name(int codec)
{
    if (codec >= 0 && codec < NCODECS) return codecs[codec];
    if (codec == SYNAPT_CODEC_OTHER) return "other";
    return "?";
}

int synapt_codec_from_name(const char *name)
{
    if (!name) return -1;
    for (int i = 0; i < NCODECS; i++)
        if (!strcmp(name, codecs[i])) return i;
    if (!strcmp(name, "other")) return SYNAPT_CODEC_OTHER;
    return -1;
}

unsigned synapt_channels_count(int channels)
{
    switch (channels) {
    case SYNAPT_CHANNELS_XY:   return 2;
    case SYNAPT_CHANNELS_XYC:  return 3;
    case SYNAPT_CHANNELS_XYZ:  return 3;
    case SYNAPT_CHANNELS_XYZC: return 4;
    default:                   return 0;
    }
}
