/*
 * internal.h - private helpers shared by the libsynapt sources.
 *
 * Nothing here is installed or visible outside the library. It holds:
 *   - the on-disk constants of spec/format.md (sizes, offsets, section ids);
 *   - little-endian read/write helpers and a bounded cursor for parsing
 *     untrusted bytes;
 *   - allocator wrappers (every library allocation goes through the
 *     per-handle synapt_allocator) and a growable byte buffer;
 *   - error-message formatting;
 *   - the prefilters (filter.c) and the CLIP record JSON (json_clip.c);
 *   - the reader's internal state, so other library modules (video) can
 *     reach packets without a second parser.
 */
#ifndef SYNAPT_INTERNAL_H
#define SYNAPT_INTERNAL_H

#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <pthread.h>

#include "synapt.h"

/* ---------------------------------------------------------------------
 * Format constants (spec/format.md)
 * --------------------------------------------------------------------- */
#define SY_MAGIC_LEN       8
extern const uint8_t sy_magic[SY_MAGIC_LEN];   /* 89 'S' 'Y' 'N' 'A' 'P' 'T' 01 */

#define SY_REC_HEADER 1u
#define SY_REC_CHUNK  2u
#define SY_REC_CLIP   3u
#define SY_REC_INDEX  4u

#define SY_REC_PREFIX      16u  /* u32 type, u32 flags, u64 body_len */
#define SY_REC_TRAILER      8u  /* XXH3-64 of the body */
#define SY_REC_OVERHEAD    (SY_REC_PREFIX + SY_REC_TRAILER)
#define SY_HEADER_FIXED    50u  /* header body before the writer string */
#define SY_WRITER_MAX     255u
#define SY_CHUNK_HDR       48u
#define SY_ENTRY_ARRAY     24u  /* frame table entry for array streams */
#define SY_ENTRY_PACKET    32u  /* ... and for packet streams (adds dts) */
#define SY_FOOTER          32u
#define SY_INDEX_VERSION    1u
#define SY_INDEX_HDR        8u  /* u32 index_version, u32 section_count */
#define SY_DIR_ENTRY       24u
#define SY_MAX_SECTIONS  4096u  /* directory sanity cap, far above the 9 defined */

enum {
    SY_SEC_CLIPS = 1, SY_SEC_CLIP_IDS = 2, SY_SEC_STREAMS = 3, SY_SEC_CHUNKS = 4,
    SY_SEC_LABELS = 5, SY_SEC_LABEL_IDS = 6, SY_SEC_CLIP_LABELS = 7,
    SY_SEC_GROUPS = 8, SY_SEC_STRINGS = 9, SY_SEC_COUNT_ = 10
};

#define SY_CLIP_ENTRY     80u
#define SY_HASH_ENTRY     16u  /* CLIP_IDS / LABEL_IDS */
#define SY_STREAM_ENTRY  160u
#define SY_CHUNK_ENTRY    48u
#define SY_STRREF          8u
#define SY_CLIP_LABEL      4u
#define SY_GROUP_ENTRY    16u

/* ClipEntry field offsets */
#define SY_CE_ID          0
#define SY_CE_SPLIT       8
#define SY_CE_SOURCE     16
#define SY_CE_META       24
#define SY_CE_LABEL_FIRST 32
#define SY_CE_LABEL_COUNT 36
#define SY_CE_GROUP_FIRST 40
#define SY_CE_GROUP_COUNT 44
#define SY_CE_STREAM_FIRST 48
#define SY_CE_STREAM_COUNT 52
#define SY_CE_FRAMES     56
#define SY_CE_RECORD     64
#define SY_CE_FLAGS      72

/* StreamEntry field offsets */
#define SY_SE_NAME        0
#define SY_SE_KIND        8
#define SY_SE_DTYPE      10
#define SY_SE_CODEC      12
#define SY_SE_NDIM       14
#define SY_SE_SHAPE      16
#define SY_SE_FPS_NUM    48
#define SY_SE_FPS_DEN    52
#define SY_SE_SCALE      56
#define SY_SE_UNITS      64
#define SY_SE_SKELETON   72
#define SY_SE_CHANNELS   74
#define SY_SE_COMPRESSION 76
#define SY_SE_FILTER     78
#define SY_SE_FRAMES     80
#define SY_SE_CHUNK_FIRST 88
#define SY_SE_CHUNK_COUNT 96
#define SY_SE_STORED    104
#define SY_SE_RAW       112
#define SY_SE_EXTRADATA 120
#define SY_SE_CODEC_CONFIG 128
#define SY_SE_FLAGS     136
#define SY_SE_MAX_PERSONS 140
#define SY_SE_PACKETS   144   /* frame table entries over all chunks */

/* ChunkEntry field offsets */
#define SY_KE_OFFSET      0
#define SY_KE_RECORD      8
#define SY_KE_FIRST      16
#define SY_KE_COUNT      24
#define SY_KE_RAW        32
#define SY_KE_CHECKSUM   40

#define SY_CLIP_SYNTHETIC 0x1u
#define SY_STREAM_HAS_PTS 0x1u

/* ---------------------------------------------------------------------
 * Little-endian access
 * --------------------------------------------------------------------- */
static inline uint16_t sy_rd16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t sy_rd32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t sy_rd64(const uint8_t *p) { return (uint64_t)sy_rd32(p) | ((uint64_t)sy_rd32(p + 4) << 32); }
static inline double sy_rdf64(const uint8_t *p) { uint64_t u = sy_rd64(p); double d; memcpy(&d, &u, 8); return d; }
static inline void sy_wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void sy_wr32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static inline void sy_wr64(uint8_t *p, uint64_t v) { sy_wr32(p, (uint32_t)v); sy_wr32(p + 4, (uint32_t)(v >> 32)); }
static inline void sy_wrf64(uint8_t *p, double d) { uint64_t u; memcpy(&u, &d, 8); sy_wr64(p, u); }

/* Overflow-checked arithmetic: return 1 when the result fits. */
static inline int sy_mul_ok(uint64_t a, uint64_t b, uint64_t *out) { return !__builtin_mul_overflow(a, b, out); }
static inline int sy_add_ok(uint64_t a, uint64_t b, uint64_t *out) { return !__builtin_add_overflow(a, b, out); }

/* Bounded cursor over untrusted bytes: a read past the end sets `bad` and
 * yields zeros, so parsers check once at the end instead of per field. */
typedef struct sy_cursor {
    const uint8_t *p;
    size_t len, pos;
    int bad;
} sy_cursor;
static inline void sy_cur_init(sy_cursor *c, const void *p, size_t len) { c->p = p; c->len = len; c->pos = 0; c->bad = 0; }
static inline const uint8_t *sy_cur_take(sy_cursor *c, size_t n) {
    if (c->bad || n > c->len - c->pos) { c->bad = 1; return NULL; }
    const uint8_t *q = c->p + c->pos; c->pos += n; return q;
}
static inline uint16_t sy_cur_u16(sy_cursor *c) { const uint8_t *q = sy_cur_take(c, 2); return q ? sy_rd16(q) : 0; }
static inline uint32_t sy_cur_u32(sy_cursor *c) { const uint8_t *q = sy_cur_take(c, 4); return q ? sy_rd32(q) : 0; }
static inline uint64_t sy_cur_u64(sy_cursor *c) { const uint8_t *q = sy_cur_take(c, 8); return q ? sy_rd64(q) : 0; }

/* ---------------------------------------------------------------------
 * Memory
 * --------------------------------------------------------------------- */
/* A complete allocator (defaults filled in), copied into each handle. */
typedef synapt_allocator sy_mem;
void  sy_mem_init(sy_mem *m, const synapt_allocator *user);
void *sy_malloc(const sy_mem *m, size_t n);
void *sy_calloc(const sy_mem *m, size_t n);
void *sy_realloc(const sy_mem *m, void *p, size_t n);
void  sy_free(const sy_mem *m, void *p);
char *sy_strdup(const sy_mem *m, const char *s);  /* NULL stays NULL */
void *sy_memdup(const sy_mem *m, const void *p, size_t n);
/* Grow *p (holding elements of `size` bytes, capacity *cap) to hold `need`. */
int   sy_grow(const sy_mem *m, void **p, size_t *cap, size_t need, size_t size);

/* Growable byte buffer. */
typedef struct sy_buf {
    uint8_t *data;
    size_t len, cap;
} sy_buf;
int   sy_buf_reserve(const sy_mem *m, sy_buf *b, size_t extra);
int   sy_buf_append(const sy_mem *m, sy_buf *b, const void *p, size_t n);
/* Append n zero bytes and return a pointer to them (NULL on NOMEM). */
uint8_t *sy_buf_extend(const sy_mem *m, sy_buf *b, size_t n);
void  sy_buf_free(const sy_mem *m, sy_buf *b);

/* ---------------------------------------------------------------------
 * Error messages (error.c)
 * --------------------------------------------------------------------- */
#define SY_MSG_MAX 512
/* vsnprintf into buf, truncating safely; empty buf when cap is 0. */
void sy_vfmt(char *buf, size_t cap, const char *fmt, va_list ap);
void sy_fmt(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Copy a message into a caller's errbuf (NULL or 0 size ignored). */
void sy_errbuf_set(char *errbuf, size_t cap, const char *msg);
/* A public call's errbuf made usable: `local` (n bytes) when the caller
 * passed NULL, then cleared, so the call can always write its message. */
void sy_errbuf_use(char **errbuf, size_t *cap, char *local, size_t n);

/* ---------------------------------------------------------------------
 * Enumerations (enums.c)
 * --------------------------------------------------------------------- */
int sy_codec_valid(int codec);

/* ---------------------------------------------------------------------
 * Prefilters (filter.c). All work on one frame of `n` bytes; `elem` is the
 * element size (1 = no reordering). Inverse functions undo exactly.
 * --------------------------------------------------------------------- */
void sy_shuffle(uint8_t *dst, const uint8_t *src, size_t n, size_t elem);
void sy_unshuffle(uint8_t *dst, const uint8_t *src, size_t n, size_t elem);
/* depth_med on a u16 LE frame of `n` bytes, rows of `width` elements.
 * n must be a multiple of 2*width (callers check); trailing odd bytes are
 * copied as-is. */
void sy_depth_med(uint8_t *dst, const uint8_t *src, size_t n, size_t width);
void sy_undepth_med(uint8_t *dst, const uint8_t *src, size_t n, size_t width);
/* The same with a chosen instruction set (0 C, 1 SSE2, 2 AVX2; a level
 * the build or the CPU lacks falls back to the one below): the tests
 * compare the paths. sy_simd_isa() is the best level this CPU runs (3:
 * AVX-512BW, VBMI and VBMI2, which depth_rank's decoder uses). */
void sy_undepth_med_isa(uint8_t *dst, const uint8_t *src, size_t n, size_t width, int isa);
/* depth_up, the same layout with the pixel above as the prediction: its
 * inverse has no dependency inside a row (spec 7.6). */
void sy_depth_up(uint8_t *dst, const uint8_t *src, size_t n, size_t width);
void sy_undepth_up(uint8_t *dst, const uint8_t *src, size_t n, size_t width);
int sy_simd_isa(void);
/* XXH3-64 of bulk data, with xxHash's AVX2 code where the CPU has it (the
 * same hash as XXH3_64bits; hash.c) */
uint64_t sy_xxh3(const void *p, size_t n);
uint64_t sy_xxh3_avx2(const void *p, size_t n);
/* Caps sy_simd_isa() (default 3). A white-box hook: bench_core sets it to
 * time the read path before the AVX2 unfilters (depth_med, the 4-byte
 * gathers of unshuffle and xor_prev) in the same run; the
 * library never writes it and it is not exported from the shared object. */
extern int sy_simd_limit;
/* xor_prev: dst = shuffle(src XOR prev) over min(n, prev_n) bytes; prev
 * NULL for the first frame of a chunk. `tmp` holds n bytes of scratch. */
void sy_xor_prev(uint8_t *dst, const uint8_t *src, size_t n, const uint8_t *prev,
                 size_t prev_n, size_t elem, uint8_t *tmp);
/* inverse: dst (raw) from src (filtered); prev = previous raw frame or NULL. */
void sy_unxor_prev(uint8_t *dst, const uint8_t *src, size_t n, const uint8_t *prev,
                   size_t prev_n, size_t elem);

/* ---------------------------------------------------------------------
 * depth_rank (depth_codec.c): palette of distinct values, ranks predicted from above,
 * varint residuals, zero padding; spec 7.5.
 * --------------------------------------------------------------------- */
/* Filter one u16 frame of n bytes, rows of `width`. `scratch` holds
 * 65536 + n/2 u16. Returns 0, or -1 when the frame does not fit in n
 * bytes (then dst is garbage and the writer uses another filter). */
int sy_depth_rank(uint8_t *dst, const uint8_t *src, size_t n, size_t width, uint16_t *scratch);
/* Inverse; dst and src of n bytes, not overlapping. Returns 0, or -1 when
 * src is not a valid depth_rank frame (corrupt). */
int sy_undepth_rank(uint8_t *dst, const uint8_t *src, size_t n, size_t width);
/* The writer's filter choice for a chunk: with pose, none, shuffle or
 * xor_prev (elements of elem bytes; libsynapt makes it on a pose stream's
 * first chunk); else none, depth_up, depth_rank or depth_med (u16 frames of width
 * elements per row). Each is tried with the chunk's compression and level,
 * in order of decoding cost, a costlier filter kept only when it saves
 * 1/16 of the bytes of the best cheaper one. Returns 0, or -1 when out of
 * memory. */
struct ZSTD_CCtx_s;
int sy_filter_choose(const sy_mem *m, struct ZSTD_CCtx_s *cctx, int compression, int level, const uint8_t *raw,
                     const uint32_t *sizes, uint32_t nf, size_t elem, size_t width, int pose, int *out);
/* ---------------------------------------------------------------------
 * depth_ans (depth_ans.c): compression 3, a context model and rANS over
 * depth ranks; spec 6.4. Frames are u16 LE, n bytes, rows of `width`
 * (n a multiple of 2 * width).
 * --------------------------------------------------------------------- */
/* Largest payload of an n-byte frame, and the encoder's scratch bytes. */
size_t sy_dans_bound(size_t n);
size_t sy_dans_scratch(size_t n);
/* Encode into dst (sy_dans_bound(n) bytes); the length goes to *len.
 * Returns 0, or -1 when n and width do not make a frame. */
int sy_dans_encode(uint8_t *dst, size_t *len, const uint8_t *src, size_t n, size_t width, void *scratch);
/* Decoder tables, the same for every frame size. */
size_t sy_dans_dec_scratch(void);
/* Decode one frame's payload of len bytes into n bytes of dst. Returns
 * 0, or -1 when the payload is not a valid depth_ans frame (corrupt). */
int sy_dans_decode(uint8_t *dst, size_t n, size_t width, const uint8_t *src, size_t len, void *scratch);

/* Unsigned LEB128 of at most 3 bytes (depth_ans and depth_strip, spec
 * 6.4 and 6.5): put returns the byte after the value; get returns the
 * value, or -1 when the bytes end or the value needs a fourth byte. */
static inline uint8_t *sy_put_leb(uint8_t *o, uint32_t v)
{
    while (v >= 0x80) { *o++ = (uint8_t)(v | 0x80); v >>= 7; }
    *o++ = (uint8_t)v;
    return o;
}

static inline int64_t sy_get_leb(const uint8_t **p, const uint8_t *end)
{
    uint32_t v = 0;
    for (int k = 0; k < 3; k++) {
        if (*p >= end) return -1;
        uint8_t b = *(*p)++;
        v |= (uint32_t)(b & 0x7f) << (7 * k);
        if (!(b & 0x80)) return v;
    }
    return -1;
}

/* ---------------------------------------------------------------------
 * depth_strip (depth_strip.c): compression 4, depth_ans's model cut into
 * 16 vertical strips so that a decoder runs 16 pixels a vector; spec 6.5.
 * Frames are u16 LE, n bytes, rows of `width` (n a multiple of 2 * width).
 * --------------------------------------------------------------------- */
size_t sy_dstrip_bound(size_t n);
size_t sy_dstrip_scratch(size_t n);
int sy_dstrip_encode(uint8_t *dst, size_t *len, const uint8_t *src, size_t n, size_t width, void *scratch);
/* Decoder scratch for frames of this width (tables and row buffers). */
size_t sy_dstrip_dec_scratch(size_t width);
/* Decode one frame's payload (len bytes) into n bytes of dst with the
 * best decoder this CPU runs, or with at most level isa (the tests and
 * fuzz_dstrip compare them): 3 AVX-512 (F, CD, BW, VL; rows out through
 * byte permutes where the CPU has VBMI), 2 AVX2, below that the portable
 * C decoder. Returns 0, or -1 when the payload is not a valid depth_strip
 * frame (corrupt). */
int sy_dstrip_decode(uint8_t *dst, size_t n, size_t width, const uint8_t *src, size_t len, void *scratch);
int sy_dstrip_decode_isa(uint8_t *dst, size_t n, size_t width, const uint8_t *src, size_t len, void *scratch,
                         int isa);
/* White-box hook for the tests: 1 makes the AVX-512 decoder write rows
 * out through gathers as on CPUs without VBMI. The library never sets it. */
extern int sy_dstrip_no_vbmi;

/* required_features bit 0: some chunk uses depth_rank; bit 1: some chunk
 * uses depth_ans; bit 2: some chunk uses depth_up; bit 3: some chunk uses
 * depth_strip (registry) */
#define SY_FEATURE_DEPTH_RANK  1u
#define SY_FEATURE_DEPTH_ANS   2u
#define SY_FEATURE_DEPTH_UP    4u
#define SY_FEATURE_DEPTH_STRIP 8u
#define SY_FEATURES_KNOWN      (SY_FEATURE_DEPTH_RANK | SY_FEATURE_DEPTH_ANS | SY_FEATURE_DEPTH_UP | SY_FEATURE_DEPTH_STRIP)

/* ---------------------------------------------------------------------
 * CLIP record JSON (json_clip.c)
 * --------------------------------------------------------------------- */
typedef struct sy_json_stream {
    const char *name;
    int kind, dtype, codec;
    uint32_t ndim;
    uint64_t shape[4];
    uint32_t fps_num, fps_den;
    double scale;
    const char *units;
    int skeleton, channels, compression, filter;
    uint64_t frames;           /* frame count (decoded frames for video) */
    uint64_t packets;          /* frame table entries */
    int has_pts;
    uint32_t max_persons;
    const void *extradata;
    size_t extradata_size;
    const char *codec_config;  /* JSON object text or NULL/"" */
} sy_json_stream;

typedef struct sy_json_clip {
    uint64_t clip_index;
    const char *id;
    const char *const *labels;
    size_t label_count;
    const char *split, *source;
    int synthetic;
    const char *const *group_keys;
    const char *const *group_values;
    size_t group_count;
    const char *meta_json;     /* JSON object text */
    const sy_json_stream *streams;
    size_t stream_count;
} sy_json_clip;

/* Build the CLIP record body (UTF-8 JSON, no NUL) into `out` (appended).
 * meta_json and each codec_config must already be checked JSON objects
 * (they go in verbatim). Returns 0 or SYNAPT_E_NOMEM (message in err). */
int sy_clip_json_build(const sy_mem *m, sy_buf *out, const sy_json_clip *c,
                       char *err, size_t errcap);

/* Parse a CLIP record body back. On success *out owns its strings (free with
 * sy_clip_json_free). Returns 0, SYNAPT_E_CORRUPT (message in err),
 * SYNAPT_E_LIMIT (more than max_streams streams) or SYNAPT_E_NOMEM. */
typedef struct sy_clip_parsed {
    sy_json_clip clip;          /* pointers into storage below */
    sy_json_stream *streams;
    char **labels, **gkeys, **gvals;
    char *id, *split, *source, *meta;
    char **strs;                /* per-stream owned strings, 3 per stream */
    uint8_t **extra;
} sy_clip_parsed;
int  sy_clip_json_parse(const sy_mem *m, sy_clip_parsed *out, const void *body, size_t len,
                        uint32_t max_streams, char *err, size_t errcap);
void sy_clip_json_free(const sy_mem *m, sy_clip_parsed *p);
/* 0 when two clip descriptions agree in value (JSON texts compared as
 * values); 1 and the first difference in `why` otherwise. */
int  sy_clip_json_diff(const sy_json_clip *a, const sy_json_clip *b, char *why, size_t n);

/* Check that text parses as a JSON object (cJSON). 1 when it does. */
int sy_json_is_object(const char *text);
/* An integer as a cJSON item printing the digits cJSON would print for it:
 * cJSON 1.7.15 prints every number with "%1.15g" and reads it back with
 * sscanf (about 0.15 us a number, some 5% of packing a tiny clip), so an
 * integer of at most 15 digits is given as raw "%lld" text, the same
 * bytes; larger ones stay numbers. For trees that are printed, not read.
 * NULL when out of memory. */
struct cJSON;
struct cJSON *sy_json_i64(int64_t v);
struct cJSON *sy_json_u64(uint64_t v);
/* Add one to object o under name: the item, or NULL (nothing added). */
struct cJSON *sy_json_add_i64(struct cJSON *o, const char *name, int64_t v);
struct cJSON *sy_json_add_u64(struct cJSON *o, const char *name, uint64_t v);

/* ---------------------------------------------------------------------
 * Reader internals (reader*.c; reader_internal.h has what only they share)
 * --------------------------------------------------------------------- */
typedef struct sy_section {
    const uint8_t *p;     /* first entry, NULL when absent */
    uint64_t count;
    uint32_t esize;       /* entry size as stored (>= known size) */
} sy_section;

#define SY_DCTX_POOL 16

/* Most decoder threads a reader option may ask for. */
#define SY_VIDEO_THREADS_MAX 64

struct synapt_reader {
    sy_mem mem;
    synapt_limits limits;
    int verify_checksums;
    int video_threads;             /* per video decoder, >= 1 */
    char *name;
    int fd;                        /* -1 for memory images */
    const uint8_t *image;          /* memory image, NULL for files */
    uint64_t file_size;
    /* header */
    uint16_t major, minor;
    uint8_t uuid[16];
    uint64_t required_features, optional_features, created_unix;
    char writer[SY_WRITER_MAX + 1];
    /* index */
    uint64_t index_offset, index_record_size;
    const uint8_t *index;          /* index body */
    uint64_t index_len;
    void *map_base; size_t map_len;/* when mmapped */
    uint8_t *index_owned;          /* when read into memory */
    sy_section sec[SY_SEC_COUNT_];
    /* per-call working state (zstd context, scratch buffers), reused
     * across calls and threads so reads do not allocate in steady state */
    pthread_mutex_t pool_lock;
    struct sy_rctx *ctx[SY_DCTX_POOL];
    int nctx;
    /* last error message */
    pthread_mutex_t msg_lock;
    char msg[SY_MSG_MAX];
    /* video decoder cache (video_decode.c), created on first use under
     * pool_lock, freed by video_cache_free when the reader closes */
    void *video_cache;
    void (*video_cache_free)(void *cache);
};

/* Validated view of one StreamEntry. */
typedef struct sy_stream {
    uint64_t clip;
    uint32_t index;
    const char *name;
    int kind, dtype, codec;
    uint32_t ndim;
    uint64_t shape[4];
    uint64_t frames, packets;
    uint64_t chunk_first, chunk_count;
    int compression, filter;
    uint64_t frame_bytes;       /* 0 when frames vary */
    uint32_t flags, max_persons;
    const uint8_t *e;           /* raw entry */
} sy_stream;

/* Set the reader's message "name: clip N (id) stream S chunk K: text".
 * clip/stream/chunk UINT64_MAX/UINT32_MAX/UINT64_MAX = omit. Returns code. */
int sy_rerr(const synapt_reader *r, int code, uint64_t clip, uint32_t stream,
            uint64_t chunk, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Load and validate a stream entry. */
int sy_reader_stream(sy_stream *out, const synapt_reader *r, uint64_t clip, uint32_t stream);
/* video_read.c: check a video stream's synapt-video/1 codec_config against
 * its entry; *pkt_out (freed with sy_free(&r->mem, ..)) maps each packet to
 * the frame it produces, -1 for none. */
int sy_video_check(const synapt_reader *r, uint64_t clip, uint32_t stream, int64_t **pkt_out);

/* One chunk of a stream's packets, decompressed and unfiltered, for the
 * video read path: packet first + i is data[off[i] .. off[i] + size[i]).
 * The arrays grow with the reader's allocator and are reused from call to
 * call; free with sy_packets_free. Start from all zeros. */
typedef struct sy_packets {
    uint8_t *data;
    size_t data_cap;
    uint64_t *off;
    uint32_t *size, *flags;
    size_t tab_cap;
    uint64_t first;
    uint32_t count;             /* 0 when nothing valid is loaded */
} sy_packets;
/* Load the chunk holding `packet`, reading its record once. Returns 0 or
 * a reader error (message set on r): _RANGE, _CORRUPT, _CHECKSUM, _LIMIT,
 * _IO, _NOMEM. On error pk->count is 0. */
int  sy_reader_load_packets(sy_packets *pk, const synapt_reader *r, uint64_t clip, uint32_t stream, uint64_t packet);
void sy_packets_free(const synapt_reader *r, sy_packets *pk);

/* ---------------------------------------------------------------------
 * Writer internals (writer*.c), for recovery
 * --------------------------------------------------------------------- */
/* Append a chunk body stored elsewhere to stream `stream` of the open clip.
 * rec holds a 16-byte prefix slot, the body (body_len bytes, chunk header
 * first) and an 8-byte trailer slot; the clip and stream numbers in the
 * chunk header are rewritten, prefix and checksum filled in. The stream's
 * frames must follow on: first == frames so far, no buffered frames. */
int sy_writer_put_chunk(synapt_writer *w, uint32_t stream, uint8_t *rec, uint64_t body_len,
                        uint64_t first, uint32_t count, uint64_t raw);
/* The writer's allocator, for modules that allocate on its behalf. */
const sy_mem *sy_writer_mem(const synapt_writer *w);
/* Set the writer's message ("path: text") without poisoning it; returns code. */
int sy_writer_note(synapt_writer *w, int code, const char *text);
/* Abandon the open clip before any of its chunks was written (its labels
 * stay in the vocabulary). _STATE when chunks were written. */
int sy_writer_drop_clip(synapt_writer *w);
/* Set what a copied stream's chunks cannot tell: has_pts, max persons and
 * (packet streams) the decoded frame count. */
int sy_writer_stream_totals(synapt_writer *w, uint32_t stream, int has_pts, uint32_t max_persons,
                            uint64_t frames);

#define SY_NO_CLIP   UINT64_MAX
#define SY_NO_STREAM UINT32_MAX
#define SY_NO_CHUNK  UINT64_MAX

#endif /* SYNAPT_INTERNAL_H */
