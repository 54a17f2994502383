/* fuzz_common.h - helpers shared by the libFuzzer targets in fuzz/ and by
 * tests/core/test_fuzz_replay.c, which #includes the targets so the ordinary test
 * run replays the committed corpus.
 *
 * Everything here is static so several targets can be included into one
 * translation unit; names carry an fz_ prefix. The helpers only read the
 * layout that spec/format.md fixes (record framing, footer, index directory),
 * so the harnesses can splice fuzzer bytes into otherwise valid files and keep
 * checksums right, letting mutations reach the parsers behind them. */
#ifndef SYNAPT_FUZZ_COMMON_H
#define SYNAPT_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "synapt.h"

#define FZ_MAGIC_LEN   8
#define FZ_PREFIX_LEN  16   /* record type, flags, body_len */
#define FZ_FOOTER_LEN  32
#define FZ_REC_HEADER  1u
#define FZ_REC_CHUNK   2u
#define FZ_REC_CLIP    3u
#define FZ_REC_INDEX   4u

/* Caps well below the library defaults: a fuzzed file may legally ask for a
 * 1 GiB chunk under the defaults, which would only make the fuzzer slow; the
 * smaller caps also exercise the SYNAPT_E_LIMIT paths. */
static inline void fz_reader_options(synapt_reader_options *o, int verify)
{
    synapt_reader_options d = SYNAPT_READER_OPTIONS_INIT;
    *o = d;
    o->limits.max_index_bytes = 32u << 20;
    o->limits.max_chunk_bytes = 16u << 20;
    o->limits.max_frame_bytes = 8u << 20;
    o->limits.max_string_bytes = 1u << 20;
    o->limits.max_streams_per_clip = 64;
    o->limits.max_labels_per_clip = 256;
    o->verify_checksums = verify;
    o->verify_index = verify;
}

static inline uint64_t fz_get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}
static inline uint32_t fz_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline void fz_put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) { p[i] = (uint8_t)v; v >>= 8; }
}
static inline void fz_put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) { p[i] = (uint8_t)v; v >>= 8; }
}

/* A growable byte buffer; on allocation failure the harness simply aborts,
 * since that is the fuzzer's problem, not the library's. */
typedef struct fz_buf { uint8_t *p; size_t n, cap; } fz_buf;
static inline void fz_append(fz_buf *b, const void *src, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n) cap *= 2;
        uint8_t *q = (uint8_t *)realloc(b->p, cap);
        if (!q) abort();
        b->p = q; b->cap = cap;
    }
    if (n) memcpy(b->p + b->n, src, n);
    b->n += n;
}
/* Append a whole record: prefix, body, XXH3-64 of the body. */
static inline void fz_append_record(fz_buf *b, uint32_t type, const void *body, size_t len)
{
    uint8_t pre[FZ_PREFIX_LEN], sum[8];
    fz_put32(pre, type);
    fz_put32(pre + 4, 0);
    fz_put64(pre + 8, len);
    fz_append(b, pre, sizeof pre);
    fz_append(b, body, len);
    fz_put64(sum, XXH3_64bits(body, len));
    fz_append(b, sum, sizeof sum);
}
/* Footer: index offset and size, XXH3 of those 16 bytes, the magic. */
static inline void fz_append_footer(fz_buf *b, uint64_t index_off, uint64_t index_size,
                             const uint8_t magic[FZ_MAGIC_LEN])
{
    uint8_t f[FZ_FOOTER_LEN];
    fz_put64(f, index_off);
    fz_put64(f + 8, index_size);
    fz_put64(f + 16, XXH3_64bits(f, 16));
    memcpy(f + 24, magic, FZ_MAGIC_LEN);
    fz_append(b, f, sizeof f);
}

/* Find the n-th record (0-based) of `type` by a forward scan from just after
 * the magic. Returns its offset, or SIZE_MAX. *rec_len gets prefix+body+sum. */
static inline size_t fz_find_record(const uint8_t *f, size_t size, uint32_t type, unsigned nth,
                             size_t *rec_len)
{
    size_t off = FZ_MAGIC_LEN;
    while (off + FZ_PREFIX_LEN + 8 <= size) {
        uint64_t body = fz_get64(f + off + 8);
        if (body > size - off - FZ_PREFIX_LEN - 8) return SIZE_MAX;
        size_t len = FZ_PREFIX_LEN + (size_t)body + 8;
        if (fz_get32(f + off) == type && nth-- == 0) {
            if (rec_len) *rec_len = len;
            return off;
        }
        off += len;
    }
    return SIZE_MAX;
}

/* The index record located through the footer; 0 when the file is not laid
 * out as the spec says (the caller then leaves the file as it is). */
static inline int fz_index_record(const uint8_t *f, size_t size, size_t *off, size_t *len)
{
    if (size < FZ_MAGIC_LEN + FZ_FOOTER_LEN) return 0;
    const uint8_t *ft = f + size - FZ_FOOTER_LEN;
    uint64_t o = fz_get64(ft), l = fz_get64(ft + 8);
    if (o >= size || l > size - o || l < FZ_PREFIX_LEN + 8) return 0;
    if (fz_get64(f + o + 8) != l - FZ_PREFIX_LEN - 8) return 0;
    *off = (size_t)o;
    *len = (size_t)l;
    return 1;
}

/* Set ChunkEntry.checksum (offset 40) of the chunk whose record starts at
 * `chunk_off` to `sum`, then refresh the index record's own checksum. */
static inline void fz_patch_chunk_checksum(uint8_t *f, size_t size, uint64_t chunk_off, uint64_t sum)
{
    size_t ioff, ilen;
    if (!fz_index_record(f, size, &ioff, &ilen)) return;
    uint8_t *body = f + ioff + FZ_PREFIX_LEN;
    size_t blen = ilen - FZ_PREFIX_LEN - 8;
    if (blen < 8) return;
    uint32_t nsec = fz_get32(body + 4);
    for (uint32_t s = 0; s < nsec && 8 + (size_t)(s + 1) * 24 <= blen; s++) {
        const uint8_t *d = body + 8 + (size_t)s * 24;
        uint32_t id = fz_get32(d), esz = fz_get32(d + 4);
        uint64_t so = fz_get64(d + 8), cnt = fz_get64(d + 16);
        if (id != 4 || esz < 48 || so > blen || cnt > (blen - so) / esz) continue;
        for (uint64_t i = 0; i < cnt; i++) {
            uint8_t *e = body + so + i * esz;
            if (fz_get64(e) == chunk_off) fz_put64(e + 40, sum);
        }
    }
    fz_put64(body + blen, XXH3_64bits(body, blen));
}

/* Recompute every checksum a reader checks, in place: each record found by a
 * forward scan, the index's copies of the chunk checksums, the index record
 * (last, since the patches change it) and the footer. A mutated file then
 * passes every checksum and its damage reaches the parsers behind them. */
static inline void fz_fix_checksums(uint8_t *f, size_t size)
{
    uint64_t chunk_off[64], chunk_sum[64];
    unsigned nchunks = 0;
    size_t off = FZ_MAGIC_LEN;
    while (off + FZ_PREFIX_LEN + 8 <= size) {
        uint64_t body = fz_get64(f + off + 8);
        if (body > size - off - FZ_PREFIX_LEN - 8) break;
        uint64_t sum = XXH3_64bits(f + off + FZ_PREFIX_LEN, (size_t)body);
        fz_put64(f + off + FZ_PREFIX_LEN + body, sum);
        if (fz_get32(f + off) == FZ_REC_CHUNK && nchunks < 64) {
            chunk_off[nchunks] = off;
            chunk_sum[nchunks++] = sum;
        }
        off += FZ_PREFIX_LEN + (size_t)body + 8;
    }
    for (unsigned i = 0; i < nchunks; i++) fz_patch_chunk_checksum(f, size, chunk_off[i], chunk_sum[i]);
    if (size >= FZ_MAGIC_LEN + FZ_FOOTER_LEN) {
        uint8_t *ft = f + size - FZ_FOOTER_LEN;
        fz_put64(ft + 16, XXH3_64bits(ft, 16));
    }
}

/* ---- sample files written by the library itself ---------------------- */

/* Slurp a file; NULL on failure. */
static inline uint8_t *fz_slurp(const char *path, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    uint8_t *p = NULL;
    size_t n = 0, cap = 0, got;
    do {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *q = (uint8_t *)realloc(p, cap);
            if (!q) { free(p); fclose(fp); return NULL; }
            p = q;
        }
        got = fread(p + n, 1, cap - n, fp);
        n += got;
    } while (got > 0);
    fclose(fp);
    *size = n;
    return p;
}

/* Small deterministic frame contents: smooth ramps plus a little noise, so
 * the filters and zstd have something real to do. */
static inline void fz_fill(void *dst, size_t bytes, int dtype, unsigned seed)
{
    uint32_t x = 2463534242u ^ seed * 2654435761u;
    size_t es = synapt_dtype_size(dtype);
    if (es == 0) es = 1;
    uint8_t *p = (uint8_t *)dst;
    for (size_t i = 0; i + es <= bytes; i += es) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        size_t k = i / es;
        if (dtype == SYNAPT_DTYPE_F32) {
            float v = (float)(k % 37) * 0.25f + (float)(x & 7) * 0.01f;
            memcpy(p + i, &v, 4);
        } else if (dtype == SYNAPT_DTYPE_U16 || dtype == SYNAPT_DTYPE_I16) {
            uint16_t v = (uint16_t)(1000 + (k % 16) * 3 + (k / 16) * 5 + (x & 3));
            memcpy(p + i, &v, 2);
        } else if (dtype == SYNAPT_DTYPE_I32 || dtype == SYNAPT_DTYPE_U32) {
            uint32_t v = (uint32_t)(k % 5);
            memcpy(p + i, &v, 4);
        } else {
            for (size_t b = 0; b < es; b++) p[i + b] = (uint8_t)((k * 3 + (x & 15)) >> (b * 8));
        }
    }
}

/* One stream configuration of the sample files. */
typedef struct fz_stream_cfg {
    const char *name;
    int kind, dtype;
    uint32_t ndim;
    uint64_t shape[3];
    int compression, filter;
    int skeleton, channels;
    unsigned frames;
    int with_pts;
} fz_stream_cfg;

#define FZ_AUTO SYNAPT_COMPRESSION_AUTO
static const fz_stream_cfg fz_cfgs[] = {
    { "rgb",    SYNAPT_KIND_IMAGE, SYNAPT_DTYPE_U8, 3, {6, 8, 3}, SYNAPT_COMPRESSION_ZSTD_FRAME, SYNAPT_FILTER_NONE, 0, 0, 3, 0 },
    { "depth",  SYNAPT_KIND_DEPTH, SYNAPT_DTYPE_U16, 2, {8, 10, 0}, SYNAPT_COMPRESSION_ZSTD_FRAME, SYNAPT_FILTER_DEPTH_MED, 0, 0, 3, 0 },
    { "depthf", SYNAPT_KIND_DEPTH, SYNAPT_DTYPE_F32, 2, {4, 6, 0}, SYNAPT_COMPRESSION_ZSTD_CHUNK, SYNAPT_FILTER_SHUFFLE, 0, 0, 2, 1 },
    { "pose2d", SYNAPT_KIND_POSE2D, SYNAPT_DTYPE_F32, 3, {0, 17, 3}, FZ_AUTO, SYNAPT_FILTER_AUTO, SYNAPT_SKELETON_COCO17, SYNAPT_CHANNELS_XYC, 4, 1 },
    { "mask",   SYNAPT_KIND_MASK, SYNAPT_DTYPE_U8, 2, {5, 7, 0}, SYNAPT_COMPRESSION_ZSTD_CHUNK, SYNAPT_FILTER_XOR_PREV, 0, 0, 3, 0 },
    { "feat",   SYNAPT_KIND_CUSTOM, SYNAPT_DTYPE_I16, 2, {3, 5, 0}, SYNAPT_COMPRESSION_NONE, SYNAPT_FILTER_NONE, 0, 0, 2, 0 },
    { "labels", SYNAPT_KIND_FRAME_LABELS, SYNAPT_DTYPE_I32, 1, {2, 0, 0}, FZ_AUTO, SYNAPT_FILTER_AUTO, 0, 0, 3, 0 },
    { "pose3d", SYNAPT_KIND_POSE3D, SYNAPT_DTYPE_F32, 3, {2, 25, 4}, SYNAPT_COMPRESSION_ZSTD_FRAME, SYNAPT_FILTER_SHUFFLE, SYNAPT_SKELETON_NTU25, SYNAPT_CHANNELS_XYZC, 2, 0 },
    /* encoded packets (bytes are not real H.264: only the container is under test) */
    { "video",  SYNAPT_KIND_VIDEO, SYNAPT_DTYPE_NONE, 3, {6, 8, 3}, SYNAPT_COMPRESSION_NONE, SYNAPT_FILTER_NONE, 0, 0, 4, 1 },
    /* format 1.1: u16 depth the writer stores with depth_rank (appended: the
     * first byte of a fuzz_chunk input indexes this table) */
    { "depthr", SYNAPT_KIND_DEPTH, SYNAPT_DTYPE_U16, 2, {16, 24, 0}, SYNAPT_COMPRESSION_ZSTD_FRAME, SYNAPT_FILTER_DEPTH_RANK, 0, 0, 3, 0 },
    /* format 1.2: u16 depth with compression 3 (depth_ans); 13 rows: three
     * groups of four and a remainder */
    { "deptha", SYNAPT_KIND_DEPTH, SYNAPT_DTYPE_U16, 2, {13, 24, 0}, SYNAPT_COMPRESSION_DEPTH_ANS, SYNAPT_FILTER_AUTO, 0, 0, 3, 0 },
    /* format 1.3: u16 depth with filter 5 (depth_up) */
    { "depthu", SYNAPT_KIND_DEPTH, SYNAPT_DTYPE_U16, 2, {7, 20, 0}, SYNAPT_COMPRESSION_ZSTD_FRAME, SYNAPT_FILTER_DEPTH_UP, 0, 0, 3, 0 },
    /* format 1.4: u16 depth with compression 4 (depth_strip); 37 columns:
     * strips of 3 and 2, and a row-group remainder */
    { "depths", SYNAPT_KIND_DEPTH, SYNAPT_DTYPE_U16, 2, {9, 37, 0}, SYNAPT_COMPRESSION_DEPTH_STRIP, SYNAPT_FILTER_AUTO, 0, 0, 3, 0 },
};
#define FZ_NCFG (sizeof fz_cfgs / sizeof fz_cfgs[0])

static inline int fz_add_stream(synapt_writer *w, const fz_stream_cfg *c, uint32_t *idx)
{
    synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
    d.name = c->name;
    d.kind = c->kind;
    d.dtype = c->dtype;
    d.codec = c->kind == SYNAPT_KIND_VIDEO ? SYNAPT_CODEC_H264 : SYNAPT_CODEC_RAW;
    if (c->kind == SYNAPT_KIND_VIDEO) {
        static const uint8_t extra[6] = { 1, 0x42, 0xc0, 0x1e, 0xff, 0xe1 };
        d.extradata = extra;
        d.extradata_size = sizeof extra;
        d.codec_config = "{\"time_base\":[1,30],\"pix_fmt\":\"yuv420p\"}";
    }
    d.ndim = c->ndim;
    for (int i = 0; i < 3; i++) d.shape[i] = c->shape[i];
    d.compression = c->compression;
    d.filter = c->filter;
    d.skeleton = c->skeleton;
    d.channels = c->channels;
    if (c->kind == SYNAPT_KIND_DEPTH && c->dtype == SYNAPT_DTYPE_U16) {
        d.scale = 0.001;
        d.units = "m";
    }
    return synapt_writer_add_stream(idx, w, &d);
}

static inline int fz_write_frames(synapt_writer *w, uint32_t idx, const fz_stream_cfg *c, unsigned seed)
{
    int rc = 0;
    if (c->kind == SYNAPT_KIND_VIDEO) {
        uint8_t pkt[64];
        for (unsigned t = 0; t < c->frames && rc == 0; t++) {
            fz_fill(pkt, 20 + t, SYNAPT_DTYPE_U8, seed + t);
            rc = synapt_writer_write_packet(w, idx, pkt, 20 + t, (int64_t)t, (int64_t)t,
                                            t == 0 ? SYNAPT_FRAME_KEY : 0);
        }
        if (rc == 0) rc = synapt_writer_set_video_info(w, idx, c->frames, NULL);
        return rc;
    }
    if (c->kind == SYNAPT_KIND_POSE2D || c->kind == SYNAPT_KIND_POSE3D) {
        float v[2 * 25 * 4];
        for (unsigned t = 0; t < c->frames && rc == 0; t++) {
            uint32_t persons = (t + seed) % 3; /* 0, 1 or 2 people: a varying count */
            size_t nv = (size_t)persons * c->shape[1] * c->shape[2];
            fz_fill(v, nv * 4, SYNAPT_DTYPE_F32, seed + t);
            rc = synapt_writer_write_pose(w, idx, v, persons,
                                          c->with_pts ? (int64_t)(t * 1001) : SYNAPT_PTS_NONE);
        }
        return rc;
    }
    size_t fb = synapt_dtype_size(c->dtype);
    for (uint32_t i = 0; i < c->ndim; i++) fb *= c->shape[i];
    uint8_t buf[4096];
    int64_t pts[8];
    if (fb * c->frames > sizeof buf || c->frames > 8) return SYNAPT_E_INVALID_ARG;
    fz_fill(buf, fb * c->frames, c->dtype, seed);
    if (c->filter == SYNAPT_FILTER_DEPTH_RANK) {
        /* sensor-like: a ramp in coarse steps with one step of noise and
         * invalid zeros, so that depth_rank is the writer's smallest choice */
        uint32_t x = 88675123u ^ seed;
        for (size_t k = 0; k < fb * c->frames / 2; k++) {
            x ^= x << 13; x ^= x >> 17; x ^= x << 5;
            size_t col = k % c->shape[1], row = k / c->shape[1];
            uint16_t v = x % 9 == 4 ? 0 : (uint16_t)(1000 + 37 * ((col + row) / 3 + (x >> 8) % 2));
            memcpy(buf + 2 * k, &v, 2);
        }
    }
    for (unsigned t = 0; t < c->frames; t++) pts[t] = 3 * (int64_t)t + 1;
    return synapt_writer_write_frames(w, idx, buf, fb * c->frames, c->frames,
                                      c->with_pts ? pts : NULL);
}

/* Write a small sample file with the library and return its bytes.
 * variant < 0: one clip holding only stream config (-variant-1), one chunk.
 * variant 0: an empty file (no clips).
 * variant >= 1: `variant` clips each holding a rotating subset of streams,
 * with labels, groups and metadata. deterministic=1 so the bytes are stable. */
static inline uint8_t *fz_sample_file(int variant, size_t *size)
{
    char dir[] = "/tmp/synapt-fuzz-XXXXXX";
    char path[64], err[256];
    uint8_t *out = NULL;
    if (!mkdtemp(dir)) return NULL;
    snprintf(path, sizeof path, "%s/s.synapt", dir);
    synapt_writer_options wo = SYNAPT_WRITER_OPTIONS_INIT;
    wo.deterministic = 1;
    wo.fsync = 0;
    wo.chunk_max_frames = variant < 0 ? 64 : 2;
    synapt_writer *w = NULL;
    int rc = synapt_writer_create(&w, path, &wo, err, sizeof err);
    int nclips = variant < 0 ? 1 : variant;
    static const char *const labels[] = { "walk", "run", "jump" };
    static const char *const gk[] = { "actor", "scene" };
    for (int c = 0; rc == 0 && c < nclips; c++) {
        char id[32], actor[16];
        const char *gv[2] = { actor, c % 2 ? "kitchen" : "garden" };
        snprintf(id, sizeof id, "clip_%03d", c);
        snprintf(actor, sizeof actor, "P%03d", c % 4);
        synapt_clip_desc cd = SYNAPT_CLIP_DESC_INIT;
        cd.id = id;
        cd.labels = labels + c % 3;
        cd.label_count = (size_t)(c % 2) + 1;
        cd.split = c % 3 == 2 ? "test" : "train";
        cd.source = c % 2 ? "surreact" : "ntu";
        cd.synthetic = c % 2;
        cd.group_keys = gk;
        cd.group_values = gv;
        cd.group_count = (size_t)(c % 3);
        cd.meta_json = c % 2 ? "{\"fx\":500.5,\"note\":\"\\u00e9\"}" : NULL;
        rc = synapt_writer_begin_clip(w, &cd);
        for (size_t s = 0; rc == 0 && s < FZ_NCFG; s++) {
            uint32_t idx;
            if (variant < 0 ? s != (size_t)(-variant - 1) : (s + (size_t)c) % 3 == 2) continue;
            rc = fz_add_stream(w, &fz_cfgs[s], &idx);
            if (rc == 0) rc = fz_write_frames(w, idx, &fz_cfgs[s], (unsigned)(c * 7 + (int)s));
        }
        if (rc == 0) rc = synapt_writer_end_clip(w);
    }
    if (w) {
        if (rc == 0) rc = synapt_writer_close(w, err, sizeof err);
        else {
            fprintf(stderr, "fuzz sample %d: %s\n", variant, synapt_writer_errmsg(w));
            synapt_writer_abort(w);
        }
    }
    if (rc == 0) out = fz_slurp(path, size);
    else fprintf(stderr, "fuzz sample %d: %s (%s)\n", variant, synapt_strerror(rc), err);
    unlink(path);
    rmdir(dir);
    return out;
}

/* Turn a whole file into a fuzz_index input (u32 region_len | region |
 * index body); 0 when the file is not laid out as the spec says. */
static inline int fz_index_input(fz_buf *out, const uint8_t *f, size_t n)
{
    size_t hl, ioff, ilen;
    size_t h = fz_find_record(f, n, FZ_REC_HEADER, 0, &hl);
    if (h != FZ_MAGIC_LEN || !fz_index_record(f, n, &ioff, &ilen) || ioff < h + hl)
        return 0;
    size_t region = ioff - (h + hl);
    uint8_t len[4];
    fz_put32(len, (uint32_t)region);
    fz_append(out, len, 4);
    fz_append(out, f + h + hl, region);
    fz_append(out, f + ioff + FZ_PREFIX_LEN, ilen - FZ_PREFIX_LEN - 8);
    return 1;
}

/* Turn a one-chunk sample file of configuration `cfg` into a fuzz_chunk
 * input (u8 cfg | chunk body); 0 when it has no chunk record. */
static inline int fz_chunk_input(fz_buf *out, size_t cfg, const uint8_t *f, size_t n)
{
    size_t rl, off = fz_find_record(f, n, FZ_REC_CHUNK, 0, &rl);
    if (off == SIZE_MAX) return 0;
    uint8_t sel = (uint8_t)cfg;
    fz_append(out, &sel, 1);
    fz_append(out, f + off + FZ_PREFIX_LEN, rl - FZ_PREFIX_LEN - 8);
    return 1;
}

#endif
