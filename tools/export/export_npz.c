/* export_npz.c - --to npz: all streams of a clip as one NumPy .npz (a zip
 * of .npy members), written in one pass with bounded memory: each member's
 * local header is written first and its size and CRC-32 patched in after
 * the data, so no member is ever held whole. */
#include "export.h"
#include "cli/cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BATCH_BYTES (32u << 20)
#define MAX_MEMBERS 1024

static uint32_t crc_table[256];

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

static uint32_t crc_update(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    while (n--) crc = crc_table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

static void le16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void le32(uint8_t *p, uint32_t v) { le16(p, v & 0xFFFF); le16(p + 2, v >> 16); }

static const char *descr(int dtype)
{
    switch (dtype) {
    case SYNAPT_DTYPE_U8: return "|u1";
    case SYNAPT_DTYPE_I8: return "|i1";
    case SYNAPT_DTYPE_U16: return "<u2";
    case SYNAPT_DTYPE_I16: return "<i2";
    case SYNAPT_DTYPE_U32: return "<u4";
    case SYNAPT_DTYPE_I32: return "<i4";
    case SYNAPT_DTYPE_U64: return "<u8";
    case SYNAPT_DTYPE_I64: return "<i8";
    case SYNAPT_DTYPE_F16: return "<f2";
    case SYNAPT_DTYPE_F32: return "<f4";
    case SYNAPT_DTYPE_F64: return "<f8";
    default: return NULL;
    }
}

/* The .npy 1.0 header of an array, padded so the data starts 64-aligned. */
static size_t npy_header(uint8_t *out, size_t cap, const export_array *a)
{
    char dict[512];
    int n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr(a->dtype));
    for (unsigned d = 0; d < a->ndim; d++)
        n += snprintf(dict + n, sizeof dict - (size_t)n, a->ndim == 1 ? "%" PRIu64 ",), }" : d + 1 < a->ndim ? "%" PRIu64 ", " : "%" PRIu64 "), }", a->dims[d]);
    size_t total = 10 + (size_t)n + 1;
    total = (total + 63) / 64 * 64;
    if (total > cap) return 0;
    memcpy(out, "\x93NUMPY\x01\x00", 8);
    le16(out + 8, (uint32_t)(total - 10));
    memcpy(out + 10, dict, (size_t)n);
    memset(out + 10 + n, ' ', total - 10 - (size_t)n - 1);
    out[total - 1] = '\n';
    return total;
}

typedef struct member {
    char name[300];
    uint32_t crc;
    uint32_t size;
    uint32_t offset;
} member;

/* One clip to one .npz at `path` (a temporary name: the caller renames):
 * clip `clip` of member reader r, dataset clip g of ds (frame labels are
 * written in the dataset's label ids). */
static int clip_npz(synapt_dataset *ds, uint64_t g, const synapt_reader *r, uint64_t clip, const char *path,
                    const char *stream, const char *target, char *err, size_t errsz, void **buf, size_t *cap)
{
    synapt_clip_info ci;
    int rc = synapt_reader_clip(&ci, r, clip);
    if (rc) {
        snprintf(err, errsz, "%s", synapt_reader_errmsg(r));
        return rc;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errsz, "%s: cannot create: %s", target, strerror(errno));
        return SYNAPT_E_IO;
    }
    member *m = calloc(MAX_MEMBERS, sizeof *m);
    size_t nm = 0;
    uint64_t off = 0;
    if (!m) rc = SYNAPT_E_NOMEM;
    for (uint32_t s = 0; s < ci.stream_count && !rc; s++) {
        synapt_stream_info si;
        export_array a;
        if ((rc = synapt_reader_stream(&si, r, clip, s)) != 0) break;
        if (stream && strcmp(stream, si.name)) continue;
        if ((rc = export_array_of(&a, r, clip, s)) != 0) {
            if (rc == SYNAPT_E_INVALID_ARG && !stream) {
                rc = 0; /* frames of varying size have no array form: left out */
                continue;
            }
            snprintf(err, errsz, "%s: clip '%s' stream '%s': %s", target, ci.id, si.name,
                     rc == SYNAPT_E_INVALID_ARG ? "frames do not form one array" : synapt_reader_errmsg(r));
            break;
        }
        if (nm == MAX_MEMBERS) {
            snprintf(err, errsz, "%s: clip '%s' has more than %d streams", target, ci.id, MAX_MEMBERS);
            rc = SYNAPT_E_LIMIT;
            break;
        }
        member *mm = &m[nm++];
        snprintf(mm->name, sizeof mm->name, "%.290s.npy", si.name);
        uint8_t hdr[600], lh[30];
        size_t hl = npy_header(hdr, sizeof hdr, &a);
        uint64_t data = a.dims[0] * a.frame_bytes, size = hl + data;
        if (!hl || size >= UINT32_MAX || off >= UINT32_MAX - 64 - size) {
            snprintf(err, errsz, "%s: clip '%s' stream '%s': members of 4 GiB and more are not supported",
                     target, ci.id, si.name);
            rc = SYNAPT_E_LIMIT;
            break;
        }
        size_t nl = strlen(mm->name);
        mm->offset = (uint32_t)off;
        mm->size = (uint32_t)size;
        memset(lh, 0, sizeof lh);
        le32(lh, 0x04034b50);
        le16(lh + 4, 20);
        le16(lh + 26, (uint32_t)nl);
        if (fwrite(lh, 1, 30, f) != 30 || fwrite(mm->name, 1, nl, f) != nl || fwrite(hdr, 1, hl, f) != hl) {
            rc = SYNAPT_E_IO;
            break;
        }
        uint32_t crc = crc_update(0, hdr, hl);
        uint64_t batch = a.frame_bytes ? BATCH_BYTES / a.frame_bytes : 1;
        if (batch == 0) batch = 1;
        size_t want = (size_t)((batch < a.dims[0] ? batch : a.dims[0]) * a.frame_bytes) + 1;
        if (want > *cap) {
            void *nb = realloc(*buf, want);
            if (!nb) {
                rc = SYNAPT_E_NOMEM;
                break;
            }
            *buf = nb;
            *cap = want;
        }
        for (uint64_t fr = 0; fr < a.dims[0] && a.frame_bytes && !rc; fr += batch) {
            uint64_t k = a.dims[0] - fr < batch ? a.dims[0] - fr : batch;
            if ((rc = export_array_read(*buf, *cap, &a, r, clip, s, fr, k)) != 0) {
                snprintf(err, errsz, "%s", synapt_reader_errmsg(r));
                break;
            }
            size_t bytes = (size_t)(k * a.frame_bytes);
            if (si.kind == SYNAPT_KIND_FRAME_LABELS && si.dtype == SYNAPT_DTYPE_I32 &&
                (rc = synapt_dataset_map_frame_labels(ds, g, *buf, bytes / sizeof(int32_t))) != 0) {
                snprintf(err, errsz, "%s", synapt_dataset_errmsg(ds));
                break;
            }
            crc = crc_update(crc, *buf, bytes);
            if (fwrite(*buf, 1, bytes, f) != bytes) rc = SYNAPT_E_IO;
        }
        if (rc) break;
        mm->crc = crc;
        /* patch CRC and sizes into the local header */
        uint8_t fix[12];
        le32(fix, crc);
        le32(fix + 4, mm->size);
        le32(fix + 8, mm->size);
        long end = ftell(f);
        if (end < 0 || fseek(f, (long)off + 14, SEEK_SET) || fwrite(fix, 1, 12, f) != 12 ||
            fseek(f, end, SEEK_SET)) {
            rc = SYNAPT_E_IO;
            break;
        }
        off = (uint64_t)end;
    }
    /* central directory */
    uint64_t cd = off;
    for (size_t i = 0; i < nm && !rc; i++) {
        uint8_t ch[46];
        size_t nl = strlen(m[i].name);
        memset(ch, 0, sizeof ch);
        le32(ch, 0x02014b50);
        le16(ch + 4, 20);
        le16(ch + 6, 20);
        le32(ch + 16, m[i].crc);
        le32(ch + 20, m[i].size);
        le32(ch + 24, m[i].size);
        le16(ch + 28, (uint32_t)nl);
        le32(ch + 42, m[i].offset);
        if (fwrite(ch, 1, 46, f) != 46 || fwrite(m[i].name, 1, nl, f) != nl) rc = SYNAPT_E_IO;
        off += 46 + nl;
    }
    if (!rc) {
        uint8_t e[22];
        memset(e, 0, sizeof e);
        le32(e, 0x06054b50);
        le16(e + 8, (uint32_t)nm);
        le16(e + 10, (uint32_t)nm);
        le32(e + 12, (uint32_t)(off - cd));
        le32(e + 16, (uint32_t)cd);
        if (fwrite(e, 1, 22, f) != 22) rc = SYNAPT_E_IO;
    }
    if (!rc && (fflush(f) != 0 || fsync(fileno(f)) != 0)) rc = SYNAPT_E_IO;
    if (fclose(f) != 0 && !rc) rc = SYNAPT_E_IO;
    if (rc && !err[0])
        snprintf(err, errsz, "%s: %s", target, rc == SYNAPT_E_NOMEM ? "out of memory" :
                 rc == SYNAPT_E_IO ? strerror(errno) : synapt_reader_errmsg(r));
    if (!rc && nm == 0) {
        snprintf(err, errsz, "%s: clip '%s' has no %s%sstream that forms an array", target, ci.id,
                 stream ? stream : "", stream ? " " : "");
        rc = SYNAPT_E_NOT_FOUND;
    }
    free(m);
    return rc;
}

int export_npz(uint64_t *files, synapt_dataset *ds, const char *path,
               const export_options *o, char *err, size_t errsz)
{
    err[0] = 0;
    crc_init();
    if (!o->folder && o->clip_count != 1) {
        snprintf(err, errsz, "%s: one clip per .npz; several clips need a folder", path);
        return SYNAPT_E_INVALID_ARG;
    }
    void *buf = NULL;
    size_t cap = 0;
    int rc = 0;
    uint64_t n = 0;
    if (!o->folder) {
        size_t pl = strlen(path);
        char *tmp = malloc(pl + 16);
        if (!tmp) return SYNAPT_E_NOMEM;
        snprintf(tmp, pl + 16, "%s.tmp-XXXXXX", path);
        int fd = mkstemp(tmp);
        if (fd < 0) {
            snprintf(err, errsz, "%s: cannot create a temporary file beside it: %s", path, strerror(errno));
            free(tmp);
            return SYNAPT_E_IO;
        }
        mode_t um = umask(0);
        umask(um);
        fchmod(fd, 0666 & ~um);
        close(fd);
        synapt_clip_info ci;
        synapt_reader *r;
        uint64_t clip;
        rc = export_acquire(&r, &clip, &ci, ds, o->clips[0], err, errsz);
        if (!rc) {
            rc = clip_npz(ds, o->clips[0], r, clip, tmp, o->stream, path, err, errsz, &buf, &cap);
            synapt_dataset_release(ds, r);
        }
        if (!rc && rename(tmp, path) != 0) {
            snprintf(err, errsz, "%s: cannot write: %s", path, strerror(errno));
            rc = SYNAPT_E_IO;
        }
        if (rc) unlink(tmp);
        free(tmp);
        n = rc ? 0 : 1;
    } else {
        export_stage st;
        if ((rc = export_stage_open(&st, path, err, errsz)) != 0) return rc;
        for (size_t i = 0; i < o->clip_count && !rc; i++) {
            synapt_clip_info ci;
            synapt_reader *r;
            uint64_t clip;
            if ((rc = export_acquire(&r, &clip, &ci, ds, o->clips[i], err, errsz)) != 0) break;
            char *name = cli_escape_name(ci.id);
            char file[4200];
            if (name) snprintf(file, sizeof file, "%.2000s/%.2000s.npz", st.path, name);
            rc = name ? clip_npz(ds, o->clips[i], r, clip, file, o->stream, path, err, errsz, &buf, &cap) : SYNAPT_E_NOMEM;
            free(name);
            synapt_dataset_release(ds, r);
            if (rc == SYNAPT_E_NOT_FOUND && o->stream) {
                /* a clip without the asked stream is skipped in a folder export */
                unlink(file);
                err[0] = 0;
                rc = 0;
                continue;
            }
            n += rc ? 0 : 1;
            if (!rc && o->progress) o->progress(o->progress_user, i + 1, o->clip_count);
        }
        if (!rc) rc = export_stage_commit(&st, err, errsz);
        else export_stage_abort(&st);
    }
    free(buf);
    if (files) *files = n;
    return rc;
}
