/*
 * synapt.h - the public interface of libsynapt.
 *
 * libsynapt reads and writes `.synapt` files: chunked, compressed, checksummed,
 * indexed containers for video action-recognition datasets. A file holds clips;
 * a clip holds frame-aligned streams (RGB video or images, depth, 2D/3D pose,
 * masks, per-frame labels) plus labels, split, source, group keys and JSON
 * metadata. The byte layout is specified normatively in spec/format.md.
 *
 * This header reads like a tutorial, in order:
 *   1. versions                          5. reading frames and chunks
 *   2. error codes                       6. the write path
 *   3. enumerations (kinds, dtypes...)   7. encoded video (FFmpeg)
 *   4. opening a file, clips, streams    8. skeleton registry
 *                                        9. recovery of damaged files
 *
 * Conventions that hold for every function below:
 *   - Functions return int: 0 (SYNAPT_OK) on success, a negative SYNAPT_E_*
 *     code on failure. Codes are only ever appended, never renumbered.
 *   - The output parameter comes first and is named `out`.
 *   - After a failure, synapt_reader_errmsg()/synapt_writer_errmsg() give a
 *     one-line message naming the file and, where known, clip, stream and chunk.
 *   - Every close, free and abort function accepts NULL.
 *   - Borrowed pointers (const char * in info structs) stay valid until the
 *     handle they came from is closed.
 *   - Bytes from a file are never trusted: every length is checked against the
 *     data present and against synapt_limits; a corrupt file yields
 *     SYNAPT_E_CORRUPT / _CHECKSUM / _TRUNCATED, never a crash.
 *   - No dependency types (zstd, FFmpeg, HDF5, cJSON) appear here; the header
 *     compiles as C99 and as C++.
 */
#ifndef SYNAPT_H
#define SYNAPT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#  define SYNAPT_API
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define SYNAPT_API __attribute__((visibility("default")))
#else
#  define SYNAPT_API
#endif

/* ======================================================================
 * 1. Versions
 *
 * The library version and the file format version are independent. A reader
 * of format major N reads every file of major N whatever its minor; it
 * refuses other majors with SYNAPT_E_VERSION.
 * ====================================================================== */
#define SYNAPT_VERSION_MAJOR 0
#define SYNAPT_VERSION_MINOR 6
#define SYNAPT_VERSION_PATCH 0
#define SYNAPT_VERSION_STRING "0.6.0"

/* Info structs the library fills (synapt_file_info, _clip_info,
 * _stream_info, _chunk_info, _video_info, _skeleton_info,
 * _recover_report) end in SYNAPT_INFO_RESERVED zeroed 64-bit words. A
 * later version puts new fields there, so a struct keeps its size and its
 * field offsets for the life of the soname (libsynapt.so.1): a program
 * built against an older header passes a struct as large as the library
 * fills, and reads the fields it knows. The caller never sets anything in
 * these structs, so they need no _INIT macro; the option and descriptor
 * structs the caller fills carry a `version` and have one. */
#define SYNAPT_INFO_RESERVED 8

#define SYNAPT_FORMAT_MAJOR 1
#define SYNAPT_FORMAT_MINOR 4

/** Library version string, e.g. "0.1.0". Static storage. Thread-safe. */
SYNAPT_API const char *synapt_version(void);

/* ======================================================================
 * 2. Error codes. Fixed values; new codes are appended, never renumbered.
 * ====================================================================== */
#define SYNAPT_OK              0
#define SYNAPT_E_INVALID_ARG  -1  /* a caller bug: NULL handle, bad enum, n too big */
#define SYNAPT_E_NOMEM        -2  /* an allocation failed */
#define SYNAPT_E_IO           -3  /* open/read/write/rename/fsync failed (errno in message) */
#define SYNAPT_E_NOT_SYNAPT   -4  /* the magic bytes are absent: not a .synapt file */
#define SYNAPT_E_VERSION      -5  /* format major version this library does not read */
#define SYNAPT_E_FEATURE      -6  /* the file needs a required feature bit we do not know */
#define SYNAPT_E_CORRUPT      -7  /* a structure is inconsistent (bad length, bad reference) */
#define SYNAPT_E_CHECKSUM     -8  /* an XXH3-64 checksum does not match */
#define SYNAPT_E_TRUNCATED    -9  /* the file ends before a structure it announces */
#define SYNAPT_E_LIMIT       -10  /* a size exceeds the configured synapt_limits */
#define SYNAPT_E_NOT_FOUND   -11  /* no clip/stream/label of that name */
#define SYNAPT_E_RANGE       -12  /* index or frame range outside what exists */
#define SYNAPT_E_STATE       -13  /* call out of order (write_frames with no open clip) */
#define SYNAPT_E_CODEC       -14  /* compression or decoding failed (zstd, FFmpeg) */
#define SYNAPT_E_UNSUPPORTED -15  /* valid request this build cannot do (e.g. codec) */
#define SYNAPT_E_EXISTS      -16  /* duplicate clip id or stream name */
#define SYNAPT_E_INPUT       -17  /* an input file being imported is malformed */
#define SYNAPT_E_BUFFER      -18  /* caller's buffer too small; size needed is reported */

/** Static text for an error code ("checksum mismatch"). Never NULL. Thread-safe. */
SYNAPT_API const char *synapt_strerror(int code);

/* ======================================================================
 * 3. Enumerations. Numeric values are part of the file format
 *    (spec/registry.md) and never change.
 * ====================================================================== */

/** What a stream's frames are. */
typedef enum synapt_kind {
    SYNAPT_KIND_VIDEO        = 1, /* encoded video packets (h264, vp9, ...) */
    SYNAPT_KIND_IMAGE        = 2, /* decoded images, (H, W, C) u8 */
    SYNAPT_KIND_DEPTH        = 3, /* (H, W) u16 with scale metres/unit, or f32 metres */
    SYNAPT_KIND_POSE2D       = 4, /* (P, J, C) f32, C = x,y[,conf] */
    SYNAPT_KIND_POSE3D       = 5, /* (P, J, C) f32, C = x,y,z[,conf] */
    SYNAPT_KIND_MASK         = 6, /* (H, W) u8 or u16 segmentation */
    SYNAPT_KIND_FRAME_LABELS = 7, /* (K,) i32 per-frame label ids */
    SYNAPT_KIND_CUSTOM       = 8  /* any dtype and shape */
} synapt_kind;

/** Element type of array frames. Stored little-endian. */
typedef enum synapt_dtype {
    SYNAPT_DTYPE_NONE = 0, /* encoded video: no element type */
    SYNAPT_DTYPE_U8   = 1,
    SYNAPT_DTYPE_I8   = 2,
    SYNAPT_DTYPE_U16  = 3,
    SYNAPT_DTYPE_I16  = 4,
    SYNAPT_DTYPE_U32  = 5,
    SYNAPT_DTYPE_I32  = 6,
    SYNAPT_DTYPE_F32  = 7,
    SYNAPT_DTYPE_F64  = 8,
    SYNAPT_DTYPE_U64  = 9,
    SYNAPT_DTYPE_I64  = 10,
    SYNAPT_DTYPE_F16  = 11
} synapt_dtype;

/** Size in bytes of one element of `dtype`, 0 for SYNAPT_DTYPE_NONE/unknown. */
SYNAPT_API size_t synapt_dtype_size(int dtype);
/** Short name ("u16", "f32"), "?" when unknown. Static storage. */
SYNAPT_API const char *synapt_dtype_name(int dtype);
/** Kind name ("video", "depth", ...), "?" when unknown. Static storage. */
SYNAPT_API const char *synapt_kind_name(int kind);
/** Parse a kind or dtype name; returns the value or 0 when unknown. */
SYNAPT_API int synapt_kind_from_name(const char *name);
SYNAPT_API int synapt_dtype_from_name(const char *name);

/** What a stream's frames are encoded as. RAW = array frames (optionally
 *  filtered and zstd-compressed); the others are video codecs whose frames
 *  are packets stored byte for byte. */
typedef enum synapt_codec {
    SYNAPT_CODEC_RAW   = 0,
    SYNAPT_CODEC_H264  = 1,
    SYNAPT_CODEC_HEVC  = 2,
    SYNAPT_CODEC_MPEG4 = 3,
    SYNAPT_CODEC_VP8   = 4,
    SYNAPT_CODEC_VP9   = 5,
    SYNAPT_CODEC_AV1   = 6,
    SYNAPT_CODEC_MJPEG = 7,
    SYNAPT_CODEC_FFV1  = 8,
    SYNAPT_CODEC_RAWVIDEO = 9, /* decoded video frames in a native pixel format */
    SYNAPT_CODEC_PNG   = 10,
    SYNAPT_CODEC_OTHER = 255  /* an FFmpeg codec named in codec_config */
} synapt_codec;
SYNAPT_API const char *synapt_codec_name(int codec);
SYNAPT_API int synapt_codec_from_name(const char *name); /* -1 when unknown */

/** How a chunk's bytes are compressed. */
typedef enum synapt_compression {
    SYNAPT_COMPRESSION_AUTO       = -1, /* writer picks per kind (stream desc only) */
    SYNAPT_COMPRESSION_NONE       = 0,
    SYNAPT_COMPRESSION_ZSTD_FRAME = 1, /* each frame its own zstd frame: one frame cut out alone */
    SYNAPT_COMPRESSION_ZSTD_CHUNK = 2, /* the whole chunk one zstd frame: best for tiny frames */
    SYNAPT_COMPRESSION_DEPTH_ANS  = 3, /* u16 2D depth, each frame alone: ranks, prediction, context
                                          model and rANS (format 1.2). 1.5-1.8x smaller than the
                                          default on real sensor depth, 1.1-1.3x on rendered depth;
                                          decodes 6-7x slower (10x faster than libjxl). Per
                                          chunk the smaller of it and the zstd default; never
                                          chosen by AUTO */
    SYNAPT_COMPRESSION_DEPTH_STRIP = 4 /* the same model in 16 strips decoded side by side (format
                                          1.4): as small, 55-65x libjxl with AVX-512 (spec 6.5,
                                          7.4). Per chunk it, or zstd unless it saves 1/16; never
                                          chosen by AUTO */
} synapt_compression;

/** Reversible prefilter applied before compression. */
typedef enum synapt_filter {
    SYNAPT_FILTER_AUTO       = -1, /* writer picks per kind and dtype (stream desc only) */
    SYNAPT_FILTER_NONE       = 0,
    SYNAPT_FILTER_SHUFFLE    = 1, /* byte planes by element size */
    SYNAPT_FILTER_DEPTH_MED  = 2, /* u16 2D: MED (LOCO-I) prediction, zigzag, byte planes */
    SYNAPT_FILTER_XOR_PREV   = 3, /* XOR with the previous frame, then byte planes */
    SYNAPT_FILTER_DEPTH_RANK = 4, /* u16 2D: values to ranks, vertical prediction, varints (format 1.1);
                                     asked of a writer: per chunk the smallest of
                                     depth_rank, depth_med, depth_up and none */
    SYNAPT_FILTER_DEPTH_UP   = 5  /* u16 2D: prediction from above, zigzag, byte planes (format 1.3) */
} synapt_filter;

/** Channel layout of pose frames (last axis). */
typedef enum synapt_channels {
    SYNAPT_CHANNELS_NONE = 0,
    SYNAPT_CHANNELS_XY   = 1,
    SYNAPT_CHANNELS_XYC  = 2, /* c = confidence */
    SYNAPT_CHANNELS_XYZ  = 3,
    SYNAPT_CHANNELS_XYZC = 4
} synapt_channels;
/** Number of values per joint for a layout (2, 3, 3, 4), 0 when unknown. */
SYNAPT_API unsigned synapt_channels_count(int channels);

/** Skeleton layouts (spec/registry.md lists joints and parents). */
typedef enum synapt_skeleton {
    SYNAPT_SKELETON_NONE    = 0,
    SYNAPT_SKELETON_COCO17  = 1,
    SYNAPT_SKELETON_BODY25  = 2, /* OpenPose BODY-25 */
    SYNAPT_SKELETON_NTU25   = 3, /* Kinect v2, NTU RGB+D */
    SYNAPT_SKELETON_SMPL24  = 4, /* SMPL, SURREAL/SURREACT */
    SYNAPT_SKELETON_H36M17  = 5, /* Human3.6M 17-joint */
    SYNAPT_SKELETON_OPENPOSE18 = 6 /* OpenPose COCO-18, Kinetics-skeleton */
} synapt_skeleton;

/** Per-frame flags (frame table entries). */
#define SYNAPT_FRAME_KEY      0x1u  /* video: packet is a keyframe */
#define SYNAPT_FRAME_HAS_PTS  0x2u  /* pts carries a timestamp */
#define SYNAPT_FRAME_DISCARD  0x4u  /* video: packet decoded but its output is not a frame */

#define SYNAPT_PTS_NONE INT64_MIN

/* ======================================================================
 * 4. Opening a file; clips and streams
 * ====================================================================== */

typedef struct synapt_reader synapt_reader;
typedef struct synapt_writer synapt_writer;

/** Allocator hooks, per handle. All three set or the struct not given.
 *  realloc_fn(ptr=NULL) must behave like malloc_fn. */
typedef struct synapt_allocator {
    void *(*malloc_fn)(void *opaque, size_t size);
    void *(*realloc_fn)(void *opaque, void *ptr, size_t size);
    void  (*free_fn)(void *opaque, void *ptr);
    void *opaque;
} synapt_allocator;

/** Caps applied to every size read from a file. Exceeding one gives
 *  SYNAPT_E_LIMIT, never an attempt to allocate. */
typedef struct synapt_limits {
    uint64_t max_index_bytes;   /* default 2 GiB */
    uint64_t max_chunk_bytes;   /* stored or raw bytes of one chunk; default 1 GiB */
    uint64_t max_frame_bytes;   /* raw bytes of one frame; default 512 MiB */
    uint64_t max_string_bytes;  /* one string or JSON blob; default 64 MiB */
    uint32_t max_streams_per_clip; /* default 256 */
    uint32_t max_labels_per_clip;  /* default 4096 */
} synapt_limits;
#define SYNAPT_LIMITS_DEFAULT_INIT \
    { 2ull << 30, 1ull << 30, 512ull << 20, 64ull << 20, 256, 4096 }

/* Version 2 (library 0.4.0) added video_threads, version 3 (0.5.0)
 * map_file; the library still takes the shorter structs of programs built
 * against older headers. */
#define SYNAPT_READER_OPTIONS_VERSION 3
typedef struct synapt_reader_options {
    unsigned version;                 /* SYNAPT_READER_OPTIONS_VERSION */
    const synapt_allocator *allocator;/* NULL = malloc/realloc/free; copied at open */
    synapt_limits limits;
    int verify_checksums;             /* check each chunk's XXH3-64 when read (default 1) */
    int verify_index;                 /* check the index checksum at open (default 1) */
    int use_mmap;                     /* map an index of 256 KiB or more instead of reading
                                         it (default 1); smaller ones are read */
    int video_threads;                /* threads of each video decoder synapt_video_read()
                                         uses (FFmpeg frame and slice threading), 1..64;
                                         0 = 1 (default 1). More threads raise windows/s
                                         of one caller; callers reading in parallel
                                         already use the cores with 1 */
    int map_file;                     /* map the whole file and read chunks in place,
                                         no pread each (default 0): pose ~20% faster;
                                         pages read count in RSS, no rewriting in place,
                                         truncation or a disk error is SIGBUS, not an
                                         error code; refused mmap falls back to pread */
} synapt_reader_options;
#define SYNAPT_READER_OPTIONS_INIT \
    { SYNAPT_READER_OPTIONS_VERSION, NULL, SYNAPT_LIMITS_DEFAULT_INIT, 1, 1, 1, 1, 0 }

/** Open a .synapt file for reading.
 *  Reads the footer, the header and the index (three reads); no per-clip work.
 *  @param out   receives the handle; set to NULL on failure.
 *  @param path  file to open (borrowed for the call).
 *  @param opts  NULL for SYNAPT_READER_OPTIONS_INIT.
 *  @return 0, or SYNAPT_E_IO, _NOT_SYNAPT, _VERSION, _FEATURE, _CORRUPT,
 *          _CHECKSUM, _TRUNCATED, _LIMIT, _NOMEM, _INVALID_ARG.
 *  On failure, if `errbuf` matters to you, use synapt_reader_open2().
 *  Thread-safety: the returned handle may be used by many threads at once for
 *  every read function in sections 4, 5 and 7 (pread, no global lock).
 *  With use_mmap the index stays mapped: the file must not be truncated or
 *  rewritten in place while open (replacing it by rename is fine). */
SYNAPT_API int synapt_reader_open(synapt_reader **out, const char *path,
                                  const synapt_reader_options *opts);

/** As synapt_reader_open(), writing a one-line message into errbuf (may be
 *  NULL) when it fails, since no handle exists to carry it. */
SYNAPT_API int synapt_reader_open2(synapt_reader **out, const char *path,
                                   const synapt_reader_options *opts,
                                   char *errbuf, size_t errbuf_size);

/** Open a file image held in memory. `data` is borrowed: it must stay valid
 *  and unchanged until synapt_reader_close(). `name` is used in messages
 *  (NULL = "<memory>"). Same errors as synapt_reader_open2() but never _IO. */
SYNAPT_API int synapt_reader_open_memory(synapt_reader **out, const void *data,
                                         size_t size, const char *name,
                                         const synapt_reader_options *opts,
                                         char *errbuf, size_t errbuf_size);

/** Close and free. Accepts NULL. Not thread-safe with concurrent reads. */
SYNAPT_API void synapt_reader_close(synapt_reader *r);

/** One-line description of the last failure on this handle ("" if none).
 *  Valid until the next failing call on the handle. When several threads fail
 *  at once the text may describe another thread's failure; codes are exact. */
SYNAPT_API const char *synapt_reader_errmsg(const synapt_reader *r);

/** The path given at open (or the memory name). Borrowed. */
SYNAPT_API const char *synapt_reader_path(const synapt_reader *r);

typedef struct synapt_file_info {
    uint16_t format_major, format_minor;
    uint8_t  uuid[16];
    const char *writer;          /* writer name and version, e.g. "libsynapt 0.1.0" */
    uint64_t required_features;
    uint64_t optional_features;
    uint64_t created_unix;       /* seconds; 0 when the writer made it deterministic */
    uint64_t clip_count;
    uint64_t label_count;
    uint64_t stream_count;       /* over all clips */
    uint64_t chunk_count;
    uint64_t file_bytes;
    uint64_t index_bytes;
    uint64_t reserved[SYNAPT_INFO_RESERVED]; /* zero; room for later fields */
} synapt_file_info;
/** Describe the file. O(1), no I/O: everything comes from what open read.
 *  `writer` is borrowed from the reader and valid until it is closed.
 *  @return 0 or _INVALID_ARG (NULL out or r). Thread-safe. */
SYNAPT_API int synapt_reader_file_info(synapt_file_info *out, const synapt_reader *r);

/** Number of clips (O(1)). */
SYNAPT_API uint64_t synapt_reader_clip_count(const synapt_reader *r);

/** Label vocabulary: `count` names, ids 0..count-1. */
SYNAPT_API uint64_t synapt_reader_label_count(const synapt_reader *r);
/** Name of label `id`, borrowed; NULL when out of range or corrupt
 *  (then errmsg says why). */
SYNAPT_API const char *synapt_reader_label_name(const synapt_reader *r, uint32_t id);
/** Label id of a name: 0 and *out set, or SYNAPT_E_NOT_FOUND. O(log n). */
SYNAPT_API int synapt_reader_find_label(uint32_t *out, const synapt_reader *r,
                                        const char *name);

typedef struct synapt_clip_info {
    uint64_t index;              /* position in the file, 0-based */
    const char *id;              /* unique in the file */
    const char *split;           /* "" when none */
    const char *source;          /* source dataset name, "" when none */
    int synthetic;               /* 1 for generated data */
    uint32_t label_count;        /* read ids with synapt_reader_clip_labels() */
    uint32_t first_label;        /* the first label id, UINT32_MAX when none */
    uint32_t group_count;        /* read pairs with synapt_reader_clip_group() */
    const char *group;           /* value of the first group key, "" when none */
    uint32_t stream_count;
    uint64_t frame_count;        /* frames of the clip (max over its streams) */
    const char *meta_json;       /* JSON object text, "{}" when none */
    size_t meta_len;
    uint32_t fps_num, fps_den;   /* of the first stream; 0/0 when none */
    uint32_t width, height;      /* of the first video/image stream; 0 when none */
    uint64_t reserved[SYNAPT_INFO_RESERVED]; /* zero; room for later fields */
} synapt_clip_info;

/** Describe clip `index`. O(1). Errors: _RANGE, _CORRUPT. */
SYNAPT_API int synapt_reader_clip(synapt_clip_info *out, const synapt_reader *r,
                                  uint64_t index);
/** Find a clip by id. O(log n). Errors: _NOT_FOUND, _CORRUPT. */
SYNAPT_API int synapt_reader_find_clip(uint64_t *out, const synapt_reader *r,
                                       const char *id);
/** Copy up to `cap` label ids of a clip into out; *count gets the total
 *  (may be NULL), so a first call with cap 0 sizes the array.
 *  @return 0, _INVALID_ARG (NULL r, or NULL out with cap > 0), _RANGE (no
 *          such clip), _CORRUPT (label reference out of bounds). Thread-safe. */
SYNAPT_API int synapt_reader_clip_labels(uint32_t *out, size_t cap, size_t *count,
                                         const synapt_reader *r, uint64_t clip);
/** Group key/value pair `i` of a clip (e.g. "actor" / "P001"). Both
 *  strings are borrowed from the reader, valid until it is closed.
 *  @return 0, _INVALID_ARG (NULL key, value or r), _RANGE (no such clip,
 *          or i >= group_count), _CORRUPT. Thread-safe. */
SYNAPT_API int synapt_reader_clip_group(const char **key, const char **value,
                                        const synapt_reader *r, uint64_t clip,
                                        uint32_t i);

typedef struct synapt_stream_info {
    uint32_t index;              /* within the clip */
    const char *name;            /* "rgb", "depth", "pose2d", ... */
    int kind;                    /* synapt_kind */
    int dtype;                   /* synapt_dtype */
    int codec;                   /* synapt_codec */
    uint32_t ndim;               /* 0..4 */
    uint64_t shape[4];           /* per-frame shape; pose: (max persons, J, C),
                                    max persons 0 = not bounded */
    uint32_t fps_num, fps_den;   /* timebase: frame i at i*fps_den/fps_num s */
    double scale;                /* depth: metres per stored unit; else 1 */
    const char *units;           /* "m", "mm", "px", "" */
    int skeleton;                /* synapt_skeleton */
    int channels;                /* synapt_channels */
    int compression;             /* synapt_compression in use */
    int filter;                  /* synapt_filter in use */
    int has_pts;                 /* frames carry timestamps */
    uint64_t frame_count;
    uint64_t chunk_count;
    uint64_t stored_bytes;       /* chunk record bytes on disk */
    uint64_t raw_bytes;          /* bytes of the frames as written */
    const void *extradata;       /* video codec extradata, NULL when none */
    size_t extradata_size;
    const char *codec_config;    /* JSON object (video codec parameters), "" when none */
    uint64_t frame_bytes;        /* fixed raw frame size; 0 when frames vary (pose, video) */
    uint64_t packet_count;       /* frame table entries: = frame_count for array streams;
                                    for packet streams (codec != RAW) the packets, while
                                    frame_count is the decoded frame count */
    uint32_t max_persons;        /* pose: most persons in any frame; else 0 */
    uint64_t reserved[SYNAPT_INFO_RESERVED]; /* zero; room for later fields */
} synapt_stream_info;

/** Describe stream `stream` of clip `clip`. O(1), no I/O. name, units,
 *  extradata and codec_config are borrowed from the reader, valid until it
 *  is closed.
 *  @return 0, _INVALID_ARG (NULL out or r), _RANGE (no such clip or
 *          stream), _CORRUPT (entry inconsistent: bad enum, shape, string
 *          reference, zero frame rate...), _LIMIT (frame larger than the
 *          reader's max_frame_bytes). Thread-safe. */
SYNAPT_API int synapt_reader_stream(synapt_stream_info *out, const synapt_reader *r,
                                    uint64_t clip, uint32_t stream);
/** Find a stream of a clip by name. Errors: _NOT_FOUND, _RANGE. */
SYNAPT_API int synapt_reader_find_stream(uint32_t *out, const synapt_reader *r,
                                         uint64_t clip, const char *name);

/* ======================================================================
 * 5. Reading frames and chunks
 *
 * Frame positions in this section index the stream's frame table entries:
 * for array streams these are the frames; for packet streams (codec != RAW,
 * e.g. encoded video) they are the packets, 0 .. packet_count-1.
 * ====================================================================== */

/** Raw size in bytes of each frame in [first, first+n) into out[0..n).
 *  For fixed-size streams this is frame_bytes for all (no reads); otherwise
 *  the chunks' frame tables are read. Errors: _RANGE, and for variable-size
 *  streams the chunk errors of synapt_reader_read_frames(). Thread-safe. */
SYNAPT_API int synapt_reader_frame_sizes(uint64_t *out, const synapt_reader *r,
                                         uint64_t clip, uint32_t stream,
                                         uint64_t first, uint64_t n);

/** Read frames [first, first+n) of an array stream (codec RAW) into `out`,
 *  frames packed one after another exactly as written.
 *  @param written  receives the bytes written (may be NULL).
 *  Reads and decompresses only the chunks that hold the range; with
 *  ZSTD_FRAME compression only the frames asked for are decompressed
 *  (with the xor_prev filter, also the frames before them in their chunk).
 *  Each chunk is read with one pread, its checksum checked (when enabled)
 *  and its header and frame table checked against the index.
 *  @return 0, or _RANGE, _BUFFER (out_size too small; *written = size needed),
 *          _UNSUPPORTED (encoded video: use section 7), _IO, _CORRUPT,
 *          _CHECKSUM, _TRUNCATED, _CODEC, _LIMIT, _NOMEM.
 *  Thread-safe. */
SYNAPT_API int synapt_reader_read_frames(void *out, size_t out_size, size_t *written,
                                         const synapt_reader *r, uint64_t clip,
                                         uint32_t stream, uint64_t first, uint64_t n);

/** Read pose frames [first, first+n) as a dense (n, persons, J, C) f32 array,
 *  NaN where a person is absent in a frame; persons beyond `persons` are
 *  dropped. `out` holds n*persons*J*C floats (_BUFFER when out_count is
 *  smaller). Errors: _INVALID_ARG (not a pose stream, NULL out with a
 *  nonzero count), _BUFFER, _RANGE and the chunk errors of
 *  synapt_reader_read_frames(). Thread-safe. */
SYNAPT_API int synapt_reader_read_pose(float *out, size_t out_count,
                                       const synapt_reader *r, uint64_t clip,
                                       uint32_t stream, uint64_t first, uint64_t n,
                                       uint32_t persons);

/** Largest number of persons in any frame of a pose stream (from the
 *  index, no chunk is read; 0 for other streams).
 *  @return 0, _INVALID_ARG (NULL out or r), _RANGE, _CORRUPT, _LIMIT.
 *  Thread-safe. */
SYNAPT_API int synapt_reader_pose_max_persons(uint32_t *out, const synapt_reader *r,
                                              uint64_t clip, uint32_t stream);

/** Per-frame timestamps (stream timebase units) for [first, first+n) into
 *  out[0..n); SYNAPT_PTS_NONE where a frame has none. Reads the chunks'
 *  frame tables, decompresses nothing. For packet streams these are the
 *  packets' pts; synapt_video_frame_pts() gives them per decoded frame.
 *  @return 0, _INVALID_ARG (NULL r, or NULL out with n > 0), _RANGE, _IO,
 *          _CORRUPT, _CHECKSUM, _TRUNCATED, _LIMIT, _NOMEM. Thread-safe. */
SYNAPT_API int synapt_reader_frame_pts(int64_t *out, const synapt_reader *r,
                                       uint64_t clip, uint32_t stream,
                                       uint64_t first, uint64_t n);

/** One frame table entry. */
typedef struct synapt_frame_entry {
    uint64_t size;               /* raw bytes of the frame or packet */
    uint32_t flags;              /* SYNAPT_FRAME_* */
    int64_t pts;                 /* SYNAPT_PTS_NONE when none */
    int64_t dts;                 /* packets only; SYNAPT_PTS_NONE for array frames */
} synapt_frame_entry;

/** Frame table entries [first, first+n) of any stream into out[0..n)
 *  (reads the chunks' tables, decompresses nothing). Errors: _RANGE, _IO,
 *  _CORRUPT, _CHECKSUM, _TRUNCATED, _LIMIT, _NOMEM. Thread-safe. */
SYNAPT_API int synapt_reader_frame_entries(synapt_frame_entry *out, const synapt_reader *r,
                                           uint64_t clip, uint32_t stream,
                                           uint64_t first, uint64_t n);

/** As synapt_reader_read_frames() for any stream: entries [first, first+n)
 *  packed as stored (for packet streams, the packets byte for byte; sizes
 *  from synapt_reader_frame_entries()). Unlike the other read functions
 *  the buffer comes after the range here (kept for ABI 0.x; see NEWS.md).
 *  @param written  bytes written (may be NULL); with _BUFFER the size needed.
 *  @return 0, _INVALID_ARG (NULL r, or NULL buf with buf_size > 0),
 *          _RANGE, _BUFFER, _IO, _CORRUPT, _CHECKSUM, _TRUNCATED, _CODEC,
 *          _LIMIT, _NOMEM. Thread-safe. */
SYNAPT_API int synapt_reader_read_packets(const synapt_reader *r, uint64_t clip,
                                          uint32_t stream, uint64_t first, uint64_t n,
                                          void *buf, size_t buf_size, size_t *written);

typedef struct synapt_chunk_info {
    uint64_t index;              /* within the stream */
    uint64_t file_offset;        /* of the chunk record */
    uint64_t record_bytes;       /* whole record: prefix, body, checksum */
    uint64_t first_frame;
    uint32_t frame_count;
    int compression, filter;
    uint64_t stored_bytes;       /* compressed payload bytes */
    uint64_t raw_bytes;
    uint64_t checksum;           /* XXH3-64 of the record body */
    uint64_t reserved[SYNAPT_INFO_RESERVED]; /* zero; room for later fields */
} synapt_chunk_info;

/** Describe chunk `chunk` (0-based within the stream): its index entry,
 *  checked against the chunk header read from the file (one small read,
 *  no checksum: the body is not read).
 *  @return 0, _INVALID_ARG (NULL out or r), _RANGE (no such clip, stream
 *          or chunk), _IO, _TRUNCATED, _CORRUPT (header differs from the
 *          index). Thread-safe. */
SYNAPT_API int synapt_reader_chunk(synapt_chunk_info *out, const synapt_reader *r,
                                   uint64_t clip, uint32_t stream, uint64_t chunk);
/** The chunk holding `frame` (a frame table position). O(log chunks), no
 *  I/O. @return 0, _INVALID_ARG (NULL out or r), _RANGE (no such clip or
 *  stream, frame >= packet_count), _CORRUPT. Thread-safe. */
SYNAPT_API int synapt_reader_find_chunk(uint64_t *out, const synapt_reader *r,
                                        uint64_t clip, uint32_t stream, uint64_t frame);

/** Read a chunk record's body exactly as stored (chunk header, frame table
 *  and payload; see spec), after checking its checksum when enabled. For
 *  copying without recompression. `*size` gets the body size (may be NULL); _BUFFER when
 *  `cap` is too small.
 *  @return 0, _INVALID_ARG (NULL r, or NULL buf with cap > 0), _RANGE,
 *          _BUFFER, _IO, _TRUNCATED, _CORRUPT (header or frame table
 *          differs from the index), _CHECKSUM, _LIMIT, _NOMEM. Thread-safe. */
SYNAPT_API int synapt_reader_read_chunk_body(void *buf, size_t cap, size_t *size,
                                             const synapt_reader *r, uint64_t clip,
                                             uint32_t stream, uint64_t chunk);

/** Progress of a verification: after each clip; nonzero stops. */
typedef int (*synapt_progress_fn)(void *user, uint64_t done, uint64_t total);

/** Full verification (spec 12.2): synapt_reader_verify2() with default
 *  options. When `progress` asks to stop, returns 0 for the clips so far. */
SYNAPT_API int synapt_reader_verify(synapt_reader *r, synapt_progress_fn progress,
                                    void *user);

/** Gets each failure's SYNAPT_E_* code and one line naming the file, clip,
 *  stream and chunk (valid during the call). Return nonzero to stop. */
typedef int (*synapt_verify_error_fn)(void *user, int code, const char *message);
#define SYNAPT_VERIFY_QUICK 0x1u /* flags: structural subset only (spec 12.2) */
#define SYNAPT_VERIFY_OPTIONS_VERSION 1
typedef struct synapt_verify_options {
    unsigned version;                 /* SYNAPT_VERIFY_OPTIONS_VERSION */
    unsigned flags;                   /* 0 (full) or SYNAPT_VERIFY_QUICK */
    synapt_progress_fn progress;      /* after each clip; may be NULL */
    void *progress_user;
    synapt_verify_error_fn on_error;  /* NULL: stop at the first failure */
    void *error_user;
} synapt_verify_options;
#define SYNAPT_VERIFY_OPTIONS_INIT { SYNAPT_VERIFY_OPTIONS_VERSION, 0, NULL, NULL, NULL, NULL }

/** Verify the whole file: every checksum and index reference, every payload
 *  decompressed and unfiltered, the records between HEADER and INDEX, CLIP
 *  records against the index, frame flags, video codec_configs (QUICK: no
 *  decompression, CLIP comparison, record walk, flags or codec_configs).
 *  With on_error every failure is reported and checking goes on with the
 *  next chunk, stream or clip the failure leaves checkable. opts NULL:
 *  defaults. @return 0 when sound, else the first failure's code (errmsg
 *  tells it): _CORRUPT, _CHECKSUM, _IO, _TRUNCATED, _LIMIT, _NOMEM;
 *  _INVALID_ARG (NULL r, options of another version). Reads the whole
 *  file. Thread-safe with other reads on `r`. */
SYNAPT_API int synapt_reader_verify2(synapt_reader *r, const synapt_verify_options *opts);

/* ======================================================================
 * 6. The write path
 *
 *   synapt_writer_create()          file is written under PATH.tmp-XXXXXX
 *   for each clip:
 *     synapt_writer_begin_clip()
 *     synapt_writer_add_stream()    any number, before or between frames
 *     synapt_writer_write_frames()  / write_pose / write_packet
 *     synapt_writer_end_clip()      writes the clip record (recoverable)
 *   synapt_writer_close()           index + footer, fsync, rename to PATH
 *
 * A writer handle is used by one thread at a time. A call refused by its
 * argument checks (_INVALID_ARG, _STATE, _EXISTS: a bad description, a call
 * out of order, a duplicate id or name) changes nothing and leaves the
 * handle usable, so a converter can rename a duplicate clip and go on. Any
 * other failure (_IO, _NOMEM, _CODEC, _LIMIT, a failed copy_clip read)
 * poisons the handle: later calls return that code, and close() removes the
 * temporary file, leaving nothing at PATH. synapt_writer_abort() discards.
 * synapt_writer_errmsg() names the path (and clip/stream) of the last failure.
 *
 * Streams with compression/filter AUTO get, by kind:
 *   image, mask u8, custom 1-byte     zstd per frame, no filter
 *   depth u16 (H, W) or (H, W, 1)     zstd per frame, depth_rank: each chunk
 *                                     takes the smallest of none, depth_up,
 *                                     depth_rank and depth_med, a costlier
 *                                     one only when it saves 1/16 (format
 *                                     1.3: required feature bits 0 and 2).
 *                                     Ask for DEPTH_MED for 1.0 readers.
 *                                     The writer option depth_compression
 *                                     (DEPTH_ANS, DEPTH_STRIP) replaces this
 *                                     default.
 *   depth f32, mask u16, other custom zstd per frame, shuffle
 *   pose2d / pose3d (f32)             zstd whole chunk; the first chunk
 *                                     picks none, shuffle or xor_prev for
 *                                     the stream, as for depth (1/16)
 *   frame_labels                      zstd whole chunk, shuffle
 *   encoded packets (codec != RAW)    no compression, no filter
 * Pose and frame_labels chunks hold up to 4 x chunk_max_frames frames
 * (tiny frames compress better together).
 * ====================================================================== */

#define SYNAPT_WRITER_OPTIONS_VERSION 3
typedef struct synapt_writer_options {
    unsigned version;                 /* SYNAPT_WRITER_OPTIONS_VERSION */
    const synapt_allocator *allocator;/* NULL = malloc/realloc/free */
    const char *writer_name;          /* recorded in the header; NULL = "libsynapt" */
    const char *writer_version;       /* NULL = SYNAPT_VERSION_STRING */
    const uint8_t *uuid;              /* 16 bytes; NULL = random */
    int deterministic;                /* 1: created time 0 and, with uuid NULL, a UUID
                                         derived from the content: XXH3-128 of the
                                         checksums of every record after the header,
                                         patched into the header (same size) at close,
                                         before the rename. Same input (same calls,
                                         options and library version) gives identical
                                         bytes, whatever the path */
    int zstd_level;                   /* default 3 */
    uint64_t chunk_target_bytes;      /* close a chunk at this many raw bytes; default 1 MiB */
    uint32_t chunk_max_frames;        /* and at this many frames; default 64 */
    int fsync;                        /* fsync file and directory at close (default 1) */
    int overwrite;                    /* replace an existing PATH (default 1) */
    int write_through;                /* 1 (default): synapt_writer_end_clip() returns
                                         only after the clip's chunks and CLIP record
                                         are written to the temporary file (write(2),
                                         not fsync), so a process killed later leaves
                                         every finished clip for synapt_recover().
                                         0: records wait in a 1 MiB buffer (fewer
                                         writes when clips are small; a kill loses up
                                         to 1 MiB of finished clips) */
    /* Version 2 and 3: how u16 (H, W) depth is stored, for streams added with AUTO and for depth
     * the copy calls copy (a stream stored otherwise is decoded and written again; --depth-codec) */
    int depth_compression;            /* v2: SYNAPT_COMPRESSION_AUTO (default: the description's
                                         choice, copies as stored), _ZSTD_FRAME, _DEPTH_ANS
                                         or _DEPTH_STRIP */
    int depth_filter;                 /* v3, zstd path: SYNAPT_FILTER_AUTO (the per-chunk choice)
                                         or _DEPTH_MED (no feature bits: any 1.x reader) */
} synapt_writer_options;
#define SYNAPT_WRITER_OPTIONS_INIT \
    { SYNAPT_WRITER_OPTIONS_VERSION, NULL, NULL, NULL, NULL, 0, 3, 1u << 20, 64, 1, 1, 1, SYNAPT_COMPRESSION_AUTO, \
      SYNAPT_FILTER_AUTO }

/** Create a writer for `path`. Errors: _IO (also when path exists and is
 *  not a regular file: the finished file is renamed over PATH, which must
 *  not replace a device, FIFO or directory), _NOMEM, _INVALID_ARG, _EXISTS
 *  (path exists and overwrite is 0). errbuf as in synapt_reader_open2(). */
SYNAPT_API int synapt_writer_create(synapt_writer **out, const char *path,
                                    const synapt_writer_options *opts,
                                    char *errbuf, size_t errbuf_size);
/** A writer whose file is built in memory: no file, temporary, rename or
 *  fsync (opts' fsync, overwrite and write_through do nothing). `name` is
 *  used in messages (NULL = "<memory>"). Past `limit` bytes (0 = none) a
 *  write fails with _LIMIT and poisons the writer. Finish with
 *  synapt_writer_close_memory(); close() and abort() discard the image. */
SYNAPT_API int synapt_writer_create_memory(synapt_writer **out, const char *name, uint64_t limit,
                                           const synapt_writer_options *opts,
                                           char *errbuf, size_t errbuf_size);
/** Finish a memory writer and free it: *data (release with the options'
 *  free_fn, free() by default) and *size get the file, the bytes a file
 *  writer writes for the same calls (deterministic). On error *data is
 *  NULL; _STATE for a file writer. */
SYNAPT_API int synapt_writer_close_memory(synapt_writer *w, void **data, size_t *size,
                                          char *errbuf, size_t errbuf_size);

SYNAPT_API const char *synapt_writer_errmsg(const synapt_writer *w);

/** Add a name to the label vocabulary (or find it); *out gets its id.
 *  Ids are given in order of first use. `out` may be NULL. */
SYNAPT_API int synapt_writer_add_label(uint32_t *out, synapt_writer *w, const char *name);

#define SYNAPT_CLIP_DESC_VERSION 1
typedef struct synapt_clip_desc {
    unsigned version;                 /* SYNAPT_CLIP_DESC_VERSION */
    const char *id;                   /* required, unique in the file */
    const char *const *labels;        /* label names, added to the vocabulary */
    size_t label_count;
    const char *split;                /* NULL = "" */
    const char *source;               /* NULL = "" */
    int synthetic;
    const char *const *group_keys;    /* e.g. {"actor","scene"} */
    const char *const *group_values;  /* e.g. {"P001","kitchen"} */
    size_t group_count;
    const char *meta_json;            /* a JSON object, NULL = "{}"; must parse */
} synapt_clip_desc;
#define SYNAPT_CLIP_DESC_INIT { SYNAPT_CLIP_DESC_VERSION, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0, NULL }

/** Start a clip. Errors: _STATE (a clip is open), _EXISTS (id used),
 *  _INVALID_ARG (id empty/NULL, meta_json not a JSON object). */
SYNAPT_API int synapt_writer_begin_clip(synapt_writer *w, const synapt_clip_desc *clip);

#define SYNAPT_STREAM_DESC_VERSION 1
typedef struct synapt_stream_desc {
    unsigned version;                 /* SYNAPT_STREAM_DESC_VERSION */
    const char *name;                 /* unique within the clip */
    int kind;                         /* synapt_kind */
    int dtype;                        /* synapt_dtype (NONE for encoded video) */
    int codec;                        /* synapt_codec (RAW for arrays) */
    uint32_t ndim;
    uint64_t shape[4];                /* per-frame; pose: (max persons or 0, J, C) */
    uint32_t fps_num, fps_den;        /* default 30/1 when 0 */
    double scale;                     /* 0 = 1.0 */
    const char *units;                /* NULL = "" */
    int skeleton, channels;
    int compression;                  /* SYNAPT_COMPRESSION_AUTO by default */
    int filter;                       /* SYNAPT_FILTER_AUTO by default */
    int zstd_level;                   /* 0 = the writer's level */
    const void *extradata;            /* video codec extradata, copied */
    size_t extradata_size;
    const char *codec_config;         /* JSON object text, copied; NULL = none */
} synapt_stream_desc;
#define SYNAPT_STREAM_DESC_INIT { SYNAPT_STREAM_DESC_VERSION, NULL, 0, 0, 0, 0, {0,0,0,0}, \
    0, 0, 0.0, NULL, 0, 0, SYNAPT_COMPRESSION_AUTO, SYNAPT_FILTER_AUTO, 0, NULL, 0, NULL }

/** Add a stream to the open clip; *out gets its index (may be NULL).
 *  Errors: _STATE, _EXISTS, _INVALID_ARG (bad kind/dtype/shape combination). */
SYNAPT_API int synapt_writer_add_stream(uint32_t *out, synapt_writer *w,
                                        const synapt_stream_desc *stream);

/** Append `n` fixed-size frames (size = n * frame bytes) to an array stream.
 *  `pts` may be NULL or hold n timestamps. Errors: _INVALID_ARG (size not
 *  n * frame bytes, or a pose stream: use write_pose), _STATE, _IO, _CODEC,
 *  _NOMEM, _LIMIT. Frames are buffered; a chunk is compressed and written
 *  when it reaches chunk_target_bytes or its frame cap. */
SYNAPT_API int synapt_writer_write_frames(synapt_writer *w, uint32_t stream,
                                          const void *data, size_t size, uint64_t n,
                                          const int64_t *pts);

/** Append one pose frame holding `persons` people: persons*J*C f32 values
 *  (persons may be 0, data then may be NULL), copied before returning.
 *  pts may be SYNAPT_PTS_NONE.
 *  @return 0, _INVALID_ARG (no such stream, not a pose stream, more
 *          persons than the stream's shape allows, frame too large, NULL
 *          data with persons), _STATE (no open clip), _IO, _CODEC, _NOMEM,
 *          _LIMIT (these four poison the writer: every later call returns
 *          the same code). Not thread-safe with respect to `w`. */
SYNAPT_API int synapt_writer_write_pose(synapt_writer *w, uint32_t stream,
                                        const float *data, uint32_t persons,
                                        int64_t pts);

/** Append one encoded packet (stored byte for byte) to a stream whose codec
 *  is not RAW. flags: SYNAPT_FRAME_KEY / _DISCARD (HAS_PTS is set from pts).
 *  Chunks begin at key packets: a key packet starts a new chunk when the
 *  current one holds a non-key packet (so chunks = GOPs) or is full (frame
 *  cap or target bytes; this groups all-intra streams). A GOP longer than
 *  8 x chunk_target_bytes is split mid-GOP; readers then decode from the
 *  chunk holding the preceding key packet. Errors: _INVALID_ARG (not a
 *  packet stream, size > 4 GiB), _STATE, _IO, _NOMEM. */
SYNAPT_API int synapt_writer_write_packet(synapt_writer *w, uint32_t stream,
                                          const void *data, size_t size,
                                          int64_t pts, int64_t dts, uint32_t flags);

/** Set a video stream's decoded frame count and replace its codec_config
 *  (known only after the last packet; NULL keeps it). Call before end_clip.
 *  Without it the frame count is the packets not flagged DISCARD. */
SYNAPT_API int synapt_writer_set_video_info(synapt_writer *w, uint32_t stream,
                                            uint64_t frame_count,
                                            const char *codec_config);

/** Close the current chunk of a stream now (nothing happens when it holds
 *  no frames), e.g. to make a later chunk start at a chosen frame.
 *  @return 0, _INVALID_ARG (no such stream), _STATE (no open clip), _IO,
 *          _CODEC, _NOMEM, _LIMIT (these four poison the writer). Not
 *          thread-safe with respect to `w`. */
SYNAPT_API int synapt_writer_flush_chunk(synapt_writer *w, uint32_t stream);

/** Finish the clip: flush its chunks and write its clip record. Every stream's
 *  frames are kept as written; frame counts may differ between streams.
 *  After it returns 0 the clip survives a crash (synapt_recover finds it).
 *  @return 0, _STATE (no clip is open), _IO, _CODEC, _NOMEM, _LIMIT (these
 *          four poison the writer; a poisoned writer returns its first
 *          error from every call). Not thread-safe with respect to `w`. */
SYNAPT_API int synapt_writer_end_clip(synapt_writer *w);

/** Copy clip `clip` of `src` into this writer without recompressing: chunk
 *  bodies are copied (checked against their checksums when `src` verifies
 *  them), only their clip numbers change and checksums are recomputed.
 *  Metadata, split, source, groups and streams are copied; labels, and
 *  the ids of frame_labels streams, are mapped by name into this writer's
 *  vocabulary (see synapt_writer_set_label_rename()). `new_id` NULL keeps the
 *  id. No clip may be open. Errors: _STATE, _EXISTS (id already written;
 *  handle still usable), _RANGE (no such clip), and any read error of
 *  `src` (then the message quotes the source's). */
SYNAPT_API int synapt_writer_copy_clip(synapt_writer *w, const synapt_reader *src,
                                       uint64_t clip, const char *new_id);

/** How the copy calls (synapt_writer_copy_clip() and the _as, _streams and
 *  _frames variants) translate frame_labels streams, whose values are ids
 *  into the file's label vocabulary: each id >= 0 of the source is looked
 *  up by name in the source's vocabulary, `fn(ctx, name)` gives the name
 *  to use here (added to this writer's vocabulary) or NULL for "no label"
 *  (-1); negative values stay. fn NULL (the default) keeps the name. A
 *  stream whose values do not change is copied chunk for chunk; one whose
 *  values change is written again with the source's compression and
 *  filter. The returned name must stay valid until the copy returns.
 *  Not thread-safe with respect to `w`. */
typedef const char *(*synapt_label_rename_fn)(void *ctx, const char *name);
SYNAPT_API void synapt_writer_set_label_rename(synapt_writer *w, synapt_label_rename_fn fn, void *ctx);

/** Finish the file: end an open clip, write the index and footer, fsync,
 *  rename to the final path, free the handle. On any failure the temporary
 *  file is removed and nothing appears at the path. Always frees `w`.
 *  errbuf receives the message on failure (may be NULL). */
SYNAPT_API int synapt_writer_close(synapt_writer *w, char *errbuf, size_t errbuf_size);

/** Discard: remove the temporary file and free. Accepts NULL. */
SYNAPT_API void synapt_writer_abort(synapt_writer *w);

/* ======================================================================
 * 7. Encoded video (FFmpeg). Implemented in libsynapt/video*.c.
 * ====================================================================== */
/*
 * A video stream (kind VIDEO) stores encoded packets in decode order; its
 * frames are the frames FFmpeg's decoder outputs when those packets are
 * decoded from the first one: frame i here is frame i of
 * `ffmpeg -i SRC -f framemd5 -`, and the frame count equals
 * `ffprobe -count_frames`. The stream's frame table (section 5) counts
 * packets; synapt_video_get_info() gives the decoded frame count.
 *
 *   synapt_video_import()    demux a file, store its first video stream in
 *                            the open clip (copy or re-encode)
 *   synapt_video_read()      decoded frames [first, first+n) as RGB24 or in
 *                            the decoder's native pixel format
 *   synapt_video_export()    remux the stored packets to .mp4/.mkv
 *   synapt_movie_open()      write RGB24 frames of your own as a movie
 *
 * libsynapt loads libavcodec and libswscale the first time a call needs
 * them, and libavformat on the first import or export; if they cannot be
 * loaded, those calls fail with _UNSUPPORTED and a message naming the library.
 */

/** How an imported video is stored (SYNAPT_VSTORE_*; the read formats are
 *  synapt_pixfmt, a separate type). */
typedef enum synapt_vstore {
    SYNAPT_VSTORE_COPY  = 0, /* source packets byte for byte (default) */
    SYNAPT_VSTORE_H264  = 1, /* re-encode with libx264, no B-frames, fixed GOP, tuned
                               for fast decoding (no CABAC, no deblocking) */
    SYNAPT_VSTORE_HEVC  = 2, /* re-encode with libx265, no B-frames, fixed GOP */
    SYNAPT_VSTORE_MJPEG = 3, /* re-encode, intra only */
    SYNAPT_VSTORE_FFV1  = 4, /* re-encode, lossless, intra only */
    SYNAPT_VSTORE_RAW   = 5  /* decoded frames, native pixel format, zstd: bit-exact */
} synapt_vstore;

/** "copy", "h264", "hevc", "mjpeg", "ffv1", "raw"; "?" when unknown. Static. */
SYNAPT_API const char *synapt_video_mode_name(int mode);
/** Parse a mode name; -1 when unknown. */
SYNAPT_API int synapt_video_mode_from_name(const char *name);

/** Message callback: level 0 = warning, 1 = information (verbose). */
typedef void (*synapt_log_fn)(void *user, int level, const char *msg);

#define SYNAPT_VIDEO_IMPORT_OPTIONS_VERSION 2
typedef struct synapt_video_import_options {
    unsigned version;          /* SYNAPT_VIDEO_IMPORT_OPTIONS_VERSION */
    const char *stream_name;   /* NULL = "rgb" */
    int mode;                  /* synapt_vstore */
    uint32_t gop;              /* re-encode keyframe interval; 0 = 32 (mjpeg/ffv1/raw: 1) */
    int quality;               /* h264/hevc CRF (0 = 20/24), mjpeg qscale 2..31 (0 = 3) */
    uint32_t width, height;    /* re-encode to exactly WxH; 0 = keep. h264/hevc pad odd
                                  4:2:0 sizes by a column/row that readers crop */
    uint32_t short_side;       /* or scale so the short side is this, aspect kept; 0 = keep */
    int threads;               /* FFmpeg threads for decode/encode; 0 = automatic */
    synapt_log_fn log;         /* NULL = silent */
    void *log_user;
    /* version 2: */
    int full_decode;           /* copy mode: 1 = decode every packet to build the frame
                                  map even when a bitstream scan proves it (see
                                  synapt_video_import); 0 = scan when the codec allows */
} synapt_video_import_options;
#define SYNAPT_VIDEO_IMPORT_OPTIONS_INIT \
    { SYNAPT_VIDEO_IMPORT_OPTIONS_VERSION, NULL, SYNAPT_VSTORE_COPY, 0, 0, 0, 0, 0, 0, NULL, NULL, 0 }

typedef struct synapt_video_import_result {
    uint32_t stream;           /* index of the stream added to the clip */
    uint64_t frames;           /* decoded frames stored */
    uint64_t packets;          /* packets stored */
    uint64_t bytes;            /* packet bytes stored */
    uint32_t width, height;    /* as stored (after a resize) */
    uint32_t src_width, src_height;
    const char *src_codec;     /* FFmpeg codec name of the source, static */
    uint32_t ignored_streams;  /* audio, subtitles, extra video streams */
    uint64_t decode_errors;    /* packets the decoder rejected (kept, as ffmpeg does) */
    int damaged;               /* reading stopped at unreadable data: frames so far kept */
} synapt_video_import_result;

/** Import the first video stream of `path` (anything libavformat demuxes)
 *  into the clip open in `w`, as a new stream of kind VIDEO.
 *  The input is opened and its first frame decoded before the writer is
 *  touched, so an unreadable input leaves `w` usable. The whole stream is
 *  decoded once (to count frames and map packets to frames), and in copy
 *  mode each keyframe is checked with a fresh decoder over its first 16
 *  frames: only keyframes that reproduce the sequential decode become
 *  start points for random access.
 *  In copy mode, H.264, MJPEG, VP9 and MPEG-4 Part 2 streams are first
 *  scanned without decoding (packet and frame headers, timestamps); when
 *  the scan proves the map (one frame per packet, IDR keyframes, timestamps
 *  in picture order: spec/video.md, "Building the frame map"), the decode
 *  is skipped (for H.264 in MP4 and VP9 in WebM also FFmpeg's probe decode,
 *  the parameters read from the headers) and the stream stored is the one
 *  the decode gives. The scan cannot see damage inside slice data:
 *  `full_decode` decodes anyway and
 *  counts packets the decoder rejects in `decode_errors`. If the file
 *  changes between the scan and the copy, the import fails with _INPUT.
 *  @param out     result (may be NULL).
 *  @param errbuf  receives a one-line message naming `path` on failure,
 *                 and on success a warning when `damaged` (may be NULL).
 *  @return 0; _INPUT (not a video, no video stream, nothing decodable:
 *          writer untouched); _UNSUPPORTED (no decoder/encoder in this
 *          FFmpeg); _INVALID_ARG (bad options); _STATE (no open clip);
 *          writer errors (_IO, _NOMEM, _LIMIT...: the writer is poisoned).
 *  Not thread-safe with respect to `w`. */
SYNAPT_API int synapt_video_import(synapt_video_import_result *out, synapt_writer *w,
                                   const char *path,
                                   const synapt_video_import_options *opts,
                                   char *errbuf, size_t errbuf_size);

typedef struct synapt_video_info {
    uint32_t width, height;       /* of every frame read */
    int codec;                    /* synapt_codec */
    const char *codec_name;       /* FFmpeg codec name, static */
    int mode;                     /* synapt_vstore it was stored with */
    const char *pix_fmt;          /* native pixel format name ("yuv420p10le"), static */
    uint32_t bits_per_sample;     /* 8, 10, 12 ... */
    uint64_t frame_count;         /* decoded frames */
    uint64_t packet_count;        /* stored packets (the stream's frame table) */
    uint64_t sync_points;         /* packets decoding may start from */
    uint32_t fps_num, fps_den;    /* nominal frame rate */
    uint32_t time_base_num, time_base_den; /* unit of pts */
    int64_t first_pts;            /* pts of frame 0, SYNAPT_PTS_NONE when unknown */
    size_t rgb_frame_bytes;       /* width*height*3 */
    size_t native_frame_bytes;    /* planes packed without padding */
    uint64_t reserved[SYNAPT_INFO_RESERVED]; /* zero; room for later fields */
} synapt_video_info;

/** Describe a video stream. Errors: _RANGE, _INVALID_ARG (not a video
 *  stream), _CORRUPT (bad codec_config). Thread-safe. */
SYNAPT_API int synapt_video_get_info(synapt_video_info *out, const synapt_reader *r,
                                     uint64_t clip, uint32_t stream);

/** Output pixel formats of synapt_video_read(). A type of its own, apart
 *  from synapt_vstore, so that a storage mode passed as a read format is
 *  caught by the reader of the code (and by C++ compilers). */
typedef enum synapt_pixfmt {
    SYNAPT_PIXFMT_RGB24  = 0, /* height*width*3 bytes per frame, libswscale bicubic with
                                 the stream's matrix and range (BT.601 when untagged):
                                 byte for byte what `ffmpeg -pix_fmt rgb24` gives */
    SYNAPT_PIXFMT_NATIVE = 1  /* decoder's pixel format, planes packed without padding */
} synapt_pixfmt;

/** Decode frames [first, first+n) of a video stream into `out`, frames one
 *  after another (rgb_frame_bytes or native_frame_bytes each).
 *  Decoding starts at the nearest stored start point at or before `first`
 *  (never a container seek); a read that continues where the previous read
 *  of this stream stopped carries on decoding instead. Decoder contexts
 *  are cached in the reader and reused; concurrent calls each get their own,
 *  each with the reader's video_threads threads (synapt_reader_options).
 *  @param written  bytes written (may be NULL); with _BUFFER the size needed.
 *  @return 0, _RANGE, _BUFFER, _INVALID_ARG (not video, bad format),
 *          _UNSUPPORTED (no decoder in this FFmpeg), _CODEC (decoding
 *          failed), _IO, _CORRUPT, _CHECKSUM, _TRUNCATED, _NOMEM.
 *  Thread-safe. */
SYNAPT_API int synapt_video_read(void *out, size_t out_size, size_t *written,
                                 const synapt_reader *r, uint64_t clip, uint32_t stream,
                                 uint64_t first, uint64_t n, synapt_pixfmt format);

/** MD5 of each frame of [first, first+n) in the native format, planes
 *  packed (what `ffmpeg -f framemd5` prints): out receives n strings of
 *  32 hex digits and a NUL, 33 bytes each. Errors as synapt_video_read(). */
SYNAPT_API int synapt_video_frame_md5(char *out, const synapt_reader *r, uint64_t clip,
                                      uint32_t stream, uint64_t first, uint64_t n);

/** Presentation timestamp of each decoded frame of [first, first+n), in
 *  time_base units, into out[0..n); SYNAPT_PTS_NONE where the source had
 *  none. Reads frame tables only, decodes nothing.
 *  @return 0, _INVALID_ARG (NULL r, NULL out with n > 0, not an encoded
 *          video stream), _RANGE, _CORRUPT (bad codec_config), _UNSUPPORTED,
 *          _IO, _CHECKSUM, _TRUNCATED, _LIMIT, _NOMEM. Thread-safe. */
SYNAPT_API int synapt_video_frame_pts(int64_t *out, const synapt_reader *r, uint64_t clip,
                                      uint32_t stream, uint64_t first, uint64_t n);

/** Write a video stream to `path` (.mp4, .mkv, anything libavformat muxes
 *  by extension): the stored packets remuxed without re-encoding; a raw
 *  stream is encoded (ffv1 in .mkv, libx264 CRF 16 otherwise).
 *  @return 0, _IO, _UNSUPPORTED (container refuses the codec), _CODEC,
 *          reader errors. errbuf gets the message (may be NULL). */
SYNAPT_API int synapt_video_export(const synapt_reader *r, uint64_t clip, uint32_t stream,
                                   const char *path, char *errbuf, size_t errbuf_size);

/** A movie from RGB24 frames (previews, visualisations): H.264 with
 *  libx264 (CRF 20, preset veryfast, a keyframe every 60 frames), or
 *  MPEG-4 Part 2 at 2 Mb/s where the container cannot hold H.264 or this
 *  FFmpeg has no libx264; 4:2:0, one encoder thread and FFmpeg's bit-exact
 *  flags (no version strings, times or thread timing in the bytes). Opaque. */
typedef struct synapt_movie synapt_movie;

/** Start writing `path` itself (write to a temporary name and rename it
 *  after synapt_movie_close() to replace a file safely). `container` names
 *  the libavformat muxer ("mp4", "matroska"), or NULL to go by the path's
 *  extension. Frames are width x height (even, up to 16384), fps_num /
 *  fps_den per second (0: 30). errbuf (may be NULL) gets one line naming
 *  `path` on failure, for every synapt_movie_* call.
 *  @return 0, _INVALID_ARG (size, no such container), _UNSUPPORTED (no
 *          encoder, FFmpeg's libraries not loadable), _IO, _NOMEM. */
SYNAPT_API int synapt_movie_open(synapt_movie **out, const char *path, const char *container,
                                 uint32_t width, uint32_t height, uint32_t fps_num, uint32_t fps_den,
                                 char *errbuf, size_t errbuf_size);
/** Append one frame: height rows of width*3 bytes. @return 0, _IO, _NOMEM. */
SYNAPT_API int synapt_movie_write(synapt_movie *m, const void *rgb, char *errbuf, size_t errbuf_size);
/** Flush the encoder, finish and close the file, free m (also on error;
 *  the file is then incomplete). @return 0, _IO. */
SYNAPT_API int synapt_movie_close(synapt_movie *m, char *errbuf, size_t errbuf_size);
/** Free m without finishing the file (NULL: nothing); the caller removes it. */
SYNAPT_API void synapt_movie_abort(synapt_movie *m);

/* ======================================================================
 * 8. Skeleton registry
 * ====================================================================== */
typedef struct synapt_skeleton_info {
    int id;                      /* synapt_skeleton */
    const char *name;            /* "coco17", "body25", "ntu25", "smpl24", "h36m17",
                                    "openpose18" */
    uint32_t joint_count;
    const char *const *joints;   /* joint_count names, static */
    const int *parents;          /* joint_count parent indices, -1 for the root */
    uint64_t reserved[SYNAPT_INFO_RESERVED]; /* zero; room for later fields */
} synapt_skeleton_info;

/** Describe skeleton `id` (a synapt_skeleton value); *out points at static
 *  data valid for the life of the process. (Named _get because the enum type
 *  synapt_skeleton takes the plain name.)
 *  Errors: _INVALID_ARG (out NULL), _NOT_FOUND (unknown id; *out zeroed).
 *  Thread-safe. */
SYNAPT_API int synapt_skeleton_get(synapt_skeleton_info *out, int id);
/** Parse a skeleton name ("coco17", "ntu25", ...); 0 when unknown. */
SYNAPT_API int synapt_skeleton_from_name(const char *name);

/* ======================================================================
 * 9. Recovery
 * ====================================================================== */

/** What synapt_recover() found. */
typedef struct synapt_recover_report {
    uint64_t clips_kept;        /* complete clips written to the new file */
    uint64_t clips_dropped;     /* CLIP records whose chunks were missing or
                                   damaged, or that the writer refused */
    uint64_t orphan_chunks;     /* chunks of clips whose CLIP record never came
                                   (the clip being written when the writer died) */
    uint64_t records_scanned;   /* sound records read, HEADER included */
    uint64_t bytes_scanned;     /* offset where the scan stopped */
    uint64_t file_bytes;
    int stopped_early;          /* a damaged or torn record ended the scan
                                   before the end of the file */
    int had_index;              /* an INDEX record was found (the file was
                                   finished; only its end was lost) */
    uint64_t reserved[SYNAPT_INFO_RESERVED]; /* zero; room for later fields */
} synapt_recover_report;

/** Salvage the complete clips of an unfinished or damaged .synapt file
 *  (e.g. the PATH.tmp-XXXXXX a crashed writer left) into a new file at
 *  `dst_path`, by the forward scan of spec/format.md section 13: records
 *  are read from the HEADER on until one is torn or fails its checksum;
 *  each CLIP record whose chunks tile every stream is kept, its chunk
 *  bodies copied without recompression. The new file is written like any
 *  other (temporary name, rename; `opts` as for synapt_writer_create, NULL
 *  for defaults). `log` (may be NULL) receives one line per dropped clip
 *  (level 0) and per kept clip (level 1).
 *  @param report  receives the counts (may be NULL); filled on failure too.
 *  @return 0 when the new file was written (check report->clips_dropped,
 *          orphan_chunks and stopped_early to know whether anything was
 *          lost), or _IO, _NOT_SYNAPT, _VERSION, _FEATURE, _CORRUPT or
 *          _TRUNCATED (no usable HEADER: nothing recoverable), _NOMEM,
 *          _EXISTS (dst exists and opts->overwrite is 0), _INVALID_ARG;
 *          on failure nothing is left at dst_path and errbuf says why. */
SYNAPT_API int synapt_recover(synapt_recover_report *report, const char *src_path,
                              const char *dst_path, const synapt_writer_options *opts,
                              synapt_log_fn log, void *log_user,
                              char *errbuf, size_t errbuf_size);

/* ======================================================================
 * 10. Datasets: several files read as one (spec/dataset.md)
 *
 * A synapt_dataset opens either a .synapt file or a dataset manifest
 * (`NAME.synapt.json`, recognised by its content, never its name) and
 * presents one clip numbering 0..N-1 across the manifest's members, with
 * one label vocabulary. Members are opened lazily, on the first use of one
 * of their clips, checked (size, uuid, clip count, label map) and closed
 * again, least recently used first, when more than max_open_members are
 * open. Opening a manifest opens no member when it lists `labels`.
 *
 *   synapt_dataset_open()           manifest or single file
 *   synapt_dataset_clip_count()     N
 *   synapt_dataset_clip()           as synapt_reader_clip(), dataset label ids
 *   synapt_dataset_read_frames()    ... the reader's read calls, by dataset clip
 *                                   (frame_labels values in dataset label ids)
 *   synapt_dataset_acquire()        the member reader for any other call
 *   synapt_dataset_close()
 *
 * Error codes of manifests and members (appended; never renumbered).
 * ====================================================================== */

#define SYNAPT_E_MANIFEST       -19 /* the manifest breaks spec/dataset.md (D5-D8) */
#define SYNAPT_E_MEMBER_MISSING -20 /* a member file does not exist (D10) */
#define SYNAPT_E_MEMBER_SIZE    -21 /* a member's size differs from the manifest's (D11) */
#define SYNAPT_E_MEMBER_UUID    -22 /* a member's uuid differs (D13) */
#define SYNAPT_E_MEMBER_CLIPS   -23 /* a member's clip count differs (D14) */
#define SYNAPT_E_MEMBER_LABEL   -24 /* a label_map key or a clip label the dataset
                                       cannot name (D15, D16) */

typedef struct synapt_dataset synapt_dataset;

/* Version 2 (library 0.4.0): `reader` is a version-2 synapt_reader_options;
 * version 1 structs (the 0.3 layout) are still taken. */
#define SYNAPT_DATASET_OPTIONS_VERSION 2
typedef struct synapt_dataset_options {
    unsigned version;                 /* SYNAPT_DATASET_OPTIONS_VERSION */
    synapt_reader_options reader;     /* used to open every member */
    uint64_t max_manifest_bytes;      /* default 64 MiB (the format's limit) */
    uint32_t max_members;             /* default 65,536 */
    uint32_t max_labels;              /* default 1,048,576 */
    uint32_t max_open_members;        /* member files open at once; default 16, >= 1 */
} synapt_dataset_options;
#define SYNAPT_DATASET_OPTIONS_INIT { SYNAPT_DATASET_OPTIONS_VERSION, \
    SYNAPT_READER_OPTIONS_INIT, 64ull << 20, 65536, 1u << 20, 16 }

/** Open a manifest or a .synapt file (decided by its first bytes).
 *  A manifest is read whole and checked (D1-D9 of the spec); no member is
 *  opened unless the manifest has no `labels` (the vocabulary is then built
 *  from every member, in order). A .synapt file is opened at once and is the
 *  dataset's only member, with its own labels.
 *  @param out     receives the handle; NULL on failure.
 *  @param path    manifest or file (borrowed for the call). Member paths are
 *                 resolved against the manifest's directory.
 *  @param opts    NULL for SYNAPT_DATASET_OPTIONS_INIT.
 *  @param errbuf  receives a one-line message naming the file on failure
 *                 (may be NULL).
 *  @return 0, or _IO, _NOT_SYNAPT, _VERSION, _FEATURE (`requires`),
 *          _MANIFEST, _LIMIT, _NOMEM, _INVALID_ARG, and for a .synapt file
 *          (or, without `labels`, any member) the errors of
 *          synapt_reader_open() and _MEMBER_*. */
SYNAPT_API int synapt_dataset_open(synapt_dataset **out, const char *path,
                                   const synapt_dataset_options *opts,
                                   char *errbuf, size_t errbuf_size);

/** Close every member and free. Accepts NULL. Not thread-safe with
 *  concurrent calls on the handle. */
SYNAPT_API void synapt_dataset_close(synapt_dataset *ds);

/** One-line description of the last failure on the handle ("" if none);
 *  names the manifest and the member's path. Same validity as
 *  synapt_reader_errmsg(). */
SYNAPT_API const char *synapt_dataset_errmsg(const synapt_dataset *ds);

/** 1 when the handle was opened from a manifest, 0 for a single file. */
SYNAPT_API int synapt_dataset_is_manifest(const synapt_dataset *ds);

/** Number of dataset clips N (O(1), opens nothing). */
SYNAPT_API uint64_t synapt_dataset_clip_count(const synapt_dataset *ds);

/** Number of members (1 for a single file). */
SYNAPT_API uint32_t synapt_dataset_member_count(const synapt_dataset *ds);

typedef struct synapt_dataset_member {
    const char *path;            /* as written in the manifest (the file's path
                                    for a single file); borrowed until close */
    const char *resolved_path;   /* opened path, relative to the process cwd */
    uint8_t uuid[16];
    uint64_t clips;              /* the member's clip count */
    uint64_t size;               /* its size in bytes */
    uint64_t selected;           /* clips it contributes (= clips without select) */
    uint64_t base;               /* dataset index of its first contributed clip */
    int has_select;
    const uint64_t *select;      /* the `select` indices (`selected` of them), NULL
                                    without; borrowed until close */
    size_t label_map_count;      /* entries of the member's label_map */
    const char *const *label_map_keys;   /* sorted; borrowed until close */
    const char *const *label_map_values; /* NULL entry = the label is dropped */
} synapt_dataset_member;

/** Describe member `m` from the manifest (opens nothing). Errors: _RANGE. */
SYNAPT_API int synapt_dataset_member_info(synapt_dataset_member *out,
                                          const synapt_dataset *ds, uint32_t m);

/** Member and member clip index of dataset clip `g` (a binary search over
 *  the members; opens nothing). Either output may be NULL. Errors: _RANGE. */
SYNAPT_API int synapt_dataset_locate(uint32_t *member, uint64_t *member_clip,
                                     const synapt_dataset *ds, uint64_t g);

/** The dataset's label vocabulary. Without a manifest `labels` these are
 *  known after open, so these calls never open a member. */
SYNAPT_API uint64_t synapt_dataset_label_count(const synapt_dataset *ds);
/** Name of dataset label `id`, borrowed until close; NULL when out of range. */
SYNAPT_API const char *synapt_dataset_label_name(const synapt_dataset *ds, uint32_t id);
/** Dataset label id of a name. Errors: _NOT_FOUND. O(1). */
SYNAPT_API int synapt_dataset_find_label(uint32_t *out, const synapt_dataset *ds,
                                         const char *name);

/** Open (if needed) and pin the member holding dataset clip `g`: *out gets
 *  its reader, usable with every synapt_reader_* and synapt_video_* call on
 *  clip *member_clip, until synapt_dataset_release(). A pinned member is
 *  never closed by the open-file bound (more pins than the bound are
 *  allowed). Errors: _RANGE, and the member errors (_MEMBER_*, the errors
 *  of synapt_reader_open()), reported on every access. Thread-safe. */
SYNAPT_API int synapt_dataset_acquire(synapt_reader **out, uint64_t *member_clip,
                                      synapt_dataset *ds, uint64_t g);
/** Unpin a reader from synapt_dataset_acquire(). Accepts NULL. */
SYNAPT_API void synapt_dataset_release(synapt_dataset *ds, synapt_reader *r);

/** As synapt_reader_clip(), for dataset clip `g`: `index` is g, label_count
 *  and first_label are in dataset ids (section 7 of the spec: mapped,
 *  dropped ones removed, repeats kept once). The strings are the member's,
 *  borrowed: valid while the member stays open, i.e. until
 *  max_open_members other members have been opened since, or while
 *  acquired. Errors: _RANGE, _MEMBER_LABEL, member errors, _CORRUPT. */
SYNAPT_API int synapt_dataset_clip(synapt_clip_info *out, synapt_dataset *ds,
                                   uint64_t g);
/** Smallest dataset clip with this id (opens members in order until found).
 *  Errors: _NOT_FOUND, member errors. */
SYNAPT_API int synapt_dataset_find_clip(uint64_t *out, synapt_dataset *ds,
                                        const char *id);
/** Dataset label ids of clip `g`: up to `cap` into out, *count gets the total. */
SYNAPT_API int synapt_dataset_clip_labels(uint32_t *out, size_t cap, size_t *count,
                                          synapt_dataset *ds, uint64_t g);
/** The reader calls of sections 4 and 5, by dataset clip. Same parameters,
 *  errors and borrowing rules as the synapt_reader_* call of the same name,
 *  plus the member errors; read_frames of a frame_labels stream gives
 *  dataset label ids (see synapt_dataset_map_frame_labels()), and its
 *  _MEMBER_LABEL and _CORRUPT. Thread-safe. */
SYNAPT_API int synapt_dataset_clip_group(const char **key, const char **value,
                                         synapt_dataset *ds, uint64_t g, uint32_t i);
SYNAPT_API int synapt_dataset_stream(synapt_stream_info *out, synapt_dataset *ds,
                                     uint64_t g, uint32_t stream);
SYNAPT_API int synapt_dataset_find_stream(uint32_t *out, synapt_dataset *ds,
                                          uint64_t g, const char *name);
SYNAPT_API int synapt_dataset_read_frames(void *out, size_t out_size, size_t *written,
                                          synapt_dataset *ds, uint64_t g,
                                          uint32_t stream, uint64_t first, uint64_t n);
/** Frame-label values of dataset clip `g` (a frame_labels stream holds label
 *  ids of its member file) turned in place into dataset label ids, as
 *  synapt_dataset_clip() turns its labels: mapped through the member's
 *  label_map, -1 for a label the map drops; negative values stay.
 *  synapt_dataset_read_frames() does this itself for frame_labels streams;
 *  this is for frames read through synapt_dataset_acquire(). `values` need
 *  not be aligned. Errors: _INVALID_ARG, _RANGE, _CORRUPT (a value past the
 *  member's labels), _MEMBER_LABEL (a name the dataset's labels lack),
 *  member errors. Thread-safe. Since 0.5.0. */
SYNAPT_API int synapt_dataset_map_frame_labels(synapt_dataset *ds, uint64_t g, int32_t *values,
                                               size_t n);
SYNAPT_API int synapt_dataset_read_pose(float *out, size_t out_count,
                                        synapt_dataset *ds, uint64_t g, uint32_t stream,
                                        uint64_t first, uint64_t n, uint32_t persons);
SYNAPT_API int synapt_dataset_read_packets(synapt_dataset *ds, uint64_t g,
                                           uint32_t stream, uint64_t first, uint64_t n,
                                           void *buf, size_t buf_size, size_t *written);
SYNAPT_API int synapt_dataset_frame_entries(synapt_frame_entry *out, synapt_dataset *ds,
                                            uint64_t g, uint32_t stream,
                                            uint64_t first, uint64_t n);

/** Full verification (spec/dataset.md section 8): opens every member,
 *  verifies it (synapt_reader_verify()), checks every dataset clip's labels
 *  and reports a clip id used twice (_EXISTS). Returns the first error. */
SYNAPT_API int synapt_dataset_verify(synapt_dataset *ds, synapt_progress_fn progress,
                                     void *user);
/** With synapt_reader_verify2()'s options (progress counts members): with
 *  on_error every failure (a member that does not open or match its pin, a
 *  damaged member, a clip id used twice) is reported. */
SYNAPT_API int synapt_dataset_verify2(synapt_dataset *ds, const synapt_verify_options *opts);

/** As synapt_writer_copy_clip(), with the clip described by `desc` instead
 *  of the source's description (id, labels, split, source, groups, meta):
 *  for tools that rename, relabel or annotate what they copy (synapt-merge
 *  keeps the original label and id in meta). Streams and chunks are copied
 *  as by synapt_writer_copy_clip(). `desc` NULL: same as that call. Errors:
 *  those of synapt_writer_copy_clip() and synapt_writer_begin_clip(). */
SYNAPT_API int synapt_writer_copy_clip_as(synapt_writer *w, const synapt_reader *src,
                                          uint64_t clip, const synapt_clip_desc *desc);

/** As synapt_writer_copy_clip_as(), copying only the source streams whose
 *  indices are in streams[0..count) (in the source's order; chunks as
 *  stored): synapt-subset --streams. count 0 copies a clip without streams.
 *  Errors: those of synapt_writer_copy_clip_as(); _INVALID_ARG (nothing
 *  written) when an index is out of range or given twice, or streams is
 *  NULL with count > 0. */
SYNAPT_API int synapt_writer_copy_clip_streams(synapt_writer *w, const synapt_reader *src,
                                               uint64_t clip, const synapt_clip_desc *desc,
                                               const uint32_t *streams, size_t count);

/** As synapt_writer_copy_clip_streams(), keeping only frames [first,
 *  first+n) of the clip (synapt-subset --frames/--max-frames, synapt-pack's
 *  start_frame/end_frame). `first` and `n` count frames of the clip's first
 *  stream; a stream at another frame rate keeps the same time span at its
 *  own rate, widened to whole frames, and a stream shorter than the window
 *  keeps what it has of it (possibly nothing). streams NULL copies every
 *  stream.
 *  Array streams are read and written again with the source stream's
 *  compression and filter. Encoded video is not re-encoded: the packets
 *  from the last start point at or before the window (spec/video-ffmpeg.md
 *  section 4) to the last packet a frame of the window needs are copied,
 *  those whose frame lies outside the window flagged SYNAPT_FRAME_DISCARD,
 *  and the map and start points renumbered, so the stream decodes to
 *  exactly frames [first, first+n) of the source, bit for bit.
 *  Errors: those of synapt_writer_copy_clip_streams(); _RANGE (nothing
 *  written, handle usable) when n is 0 or first+n passes the clip's
 *  frame_count. Not thread-safe with respect to `w`. */
SYNAPT_API int synapt_writer_copy_clip_frames(synapt_writer *w, const synapt_reader *src,
                                              uint64_t clip, const synapt_clip_desc *desc,
                                              const uint32_t *streams, size_t count,
                                              uint64_t first, uint64_t n);

/* Thread-safety: one handle may serve many threads for every call above
 * but open and close; member opening and eviction take a lock held only
 * while a member is opened or closed, never during a read. */

#ifdef __cplusplus
}
#endif
#endif /* SYNAPT_H */
