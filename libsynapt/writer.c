/* writer.c - the write path: chunking, prefilters, zstd, records, the
 * in-memory index, and the atomic temp-file-then-rename finish.
 *
 * The file is written front to back under PATH.tmp-XXXXXX; only close()
 * renames it into place, so a crash or failure never leaves a partial file
 * at PATH. Each clip's chunks are written as they fill; the clip's CLIP
 * record follows them, so a forward scan of a crashed temp file can recover
 * every completed clip. The index is kept in memory in its on-disk encoding
 * and written once at close. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>
#include "internal.h"

#define OUT_CAP (1u << 20)

typedef struct fmeta {
    uint32_t raw, flags;
    int64_t pts, dts;
} fmeta;

typedef struct wstream {
    char *name, *units, *codec_config;
    uint8_t *extradata;
    size_t extradata_size;
    int kind, dtype, codec;
    uint32_t ndim;
    uint64_t shape[4];
    uint32_t fps_num, fps_den;
    double scale;
    int skeleton, channels;
    int compression, filter, level;
    int depth_pick;           /* depth_rank: each chunk takes the smallest depth filter */
    int packets;              /* codec != RAW: frames are packets (write_packet) */
    int pose;
    uint64_t frame_bytes;     /* fixed frame size; 0 for pose and packets */
    uint64_t person_bytes;    /* pose: J*C*4 */
    size_t elem;              /* filter element size */
    uint32_t width;           /* depth_med row length */
    uint32_t cap_frames;
    /* the chunk being filled */
    sy_buf raw;
    fmeta *fm;
    size_t fm_cap;
    uint32_t nfm;
    int pend_nonkey;
    /* totals */
    uint64_t entries, discards, video_frames;
    int video_frames_set;
    uint64_t stored, rawb;
    int has_pts;
    uint32_t max_persons;
    sy_buf chunks;            /* ChunkEntry encodings of this clip */
    uint64_t nchunks;
} wstream;

/* Open-addressing table keyed by a 64-bit hash; values are u32 with
 * UINT32_MAX marking a free slot. Equality beyond the hash is checked by
 * the caller's callback, so the keys themselves live in the index buffers. */
typedef struct htab {
    uint64_t *h;
    uint32_t *v;
    size_t cap, n;
} htab;

struct synapt_writer {
    sy_mem mem;
    char *path, *tmp;
    int fd;
    int rc;                   /* poisoned with this code when nonzero */
    char msg[SY_MSG_MAX];
    int level, deterministic, do_fsync, overwrite, derive_uuid;
    uint64_t features;        /* required_features bits the records written so far need */
    uint64_t target;
    uint32_t max_frames;
    uint64_t off;             /* logical file offset (written + buffered) */
    sy_buf out;
    ZSTD_CCtx *cctx;
    XXH3_state_t uuid_state;
    uint8_t *header_rec;      /* kept to patch the uuid at close */
    size_t header_len;
    /* the index, encoded */
    sy_buf clips, streams, chunks, labels, clip_labels, groups, strings;
    uint64_t nclips, nstreams, nchunks, nlabels, nclip_labels, ngroups;
    htab ids, label_tab, interned;
    /* the open clip */
    int in_clip;
    char *c_id, *c_split, *c_source, *c_meta;
    char **c_labels;
    uint32_t *c_label_ids;
    size_t c_nlabels;
    char **c_gkeys, **c_gvals;
    size_t c_ngroups;
    int c_synthetic;
    wstream *ws;
    size_t nws, ws_cap;
    /* scratch */
    sy_buf rec, fbuf, tmpbuf;
};

/* ------------------------------------------------------------------ */

static int werr(synapt_writer *w, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int werr(synapt_writer *w, int code, const char *fmt, ...)
{
    char text[SY_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    sy_vfmt(text, sizeof text, fmt, ap);
    va_end(ap);
    sy_fmt(w->msg, sizeof w->msg, "%s: %s", w->path, text);
    return code;
}

/* A failure after which the file can no longer be finished consistently. */
static int wpoison(synapt_writer *w, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int wpoison(synapt_writer *w, int code, const char *fmt, ...)
{
    char text[SY_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    sy_vfmt(text, sizeof text, fmt, ap);
    va_end(ap);
    sy_fmt(w->msg, sizeof w->msg, "%s: %s", w->path, text);
    w->rc = code;
    return code;
}

#define CHECK_W(w) do { if (!(w)) return SYNAPT_E_INVALID_ARG; if ((w)->rc) return (w)->rc; } while (0)

/* ---- hash tables ---- */

typedef int (*ht_eq)(const synapt_writer *w, uint32_t v, const void *key, size_t len);

static int ht_grow(const sy_mem *m, htab *t)
{
    size_t nc = t->cap ? t->cap * 2 : 64;
    uint64_t *h = sy_malloc(m, nc * sizeof *h);
    uint32_t *v = sy_malloc(m, nc * sizeof *v);
    if (!h || !v) { sy_free(m, h); sy_free(m, v); return SYNAPT_E_NOMEM; }
    memset(v, 0xff, nc * sizeof *v);
    for (size_t i = 0; i < t->cap; i++) {
        if (t->v[i] == UINT32_MAX) continue;
        size_t j = (size_t)t->h[i] & (nc - 1);
        while (v[j] != UINT32_MAX) j = (j + 1) & (nc - 1);
        h[j] = t->h[i];
        v[j] = t->v[i];
    }
    sy_free(m, t->h);
    sy_free(m, t->v);
    t->h = h;
    t->v = v;
    t->cap = nc;
    return 0;
}

/* Find the value for key; UINT32_MAX when absent. */
static uint32_t ht_find(const synapt_writer *w, const htab *t, uint64_t h, ht_eq eq,
                        const void *key, size_t len)
{
    if (!t->cap) return UINT32_MAX;
    for (size_t j = (size_t)h & (t->cap - 1); t->v[j] != UINT32_MAX; j = (j + 1) & (t->cap - 1))
        if (t->h[j] == h && eq(w, t->v[j], key, len)) return t->v[j];
    return UINT32_MAX;
}

static int ht_insert(const sy_mem *m, htab *t, uint64_t h, uint32_t v)
{
    if ((t->n + 1) * 2 > t->cap) {
        int rc = ht_grow(m, t);
        if (rc) return rc;
    }
    size_t j = (size_t)h & (t->cap - 1);
    while (t->v[j] != UINT32_MAX) j = (j + 1) & (t->cap - 1);
    t->h[j] = h;
    t->v[j] = v;
    t->n++;
    return 0;
}

static void ht_free(const sy_mem *m, htab *t)
{
    sy_free(m, t->h);
    sy_free(m, t->v);
    memset(t, 0, sizeof *t);
}

/* ---- strings ---- */

static int str_eq(const synapt_writer *w, uint32_t off, const void *s, size_t len)
{
    return (uint64_t)off + len < w->strings.len && !memcmp(w->strings.data + off, s, len) &&
           w->strings.data[off + len] == 0;
}

/* Add bytes to STRINGS (NUL appended), reusing an identical earlier string.
 * Writes the StrRef at ref. */
static int add_string(synapt_writer *w, uint8_t *ref, const void *s, size_t len, int intern)
{
    if (!len) { sy_wr32(ref, 0); sy_wr32(ref + 4, 0); return 0; }
    uint64_t h = 0;
    if (intern) {
        h = XXH3_64bits(s, len);
        uint32_t off = ht_find(w, &w->interned, h, str_eq, s, len);
        if (off != UINT32_MAX) { sy_wr32(ref, off); sy_wr32(ref + 4, (uint32_t)len); return 0; }
    }
    if ((uint64_t)w->strings.len + len + 1 >= UINT32_MAX)
        return wpoison(w, SYNAPT_E_LIMIT, "the string table exceeds 4 GiB");
    uint32_t off = (uint32_t)w->strings.len;
    if (sy_buf_append(&w->mem, &w->strings, s, len) || !sy_buf_extend(&w->mem, &w->strings, 1))
        return wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    if (intern && ht_insert(&w->mem, &w->interned, h, off))
        return wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    sy_wr32(ref, off);
    sy_wr32(ref + 4, (uint32_t)len);
    return 0;
}

static int add_cstr(synapt_writer *w, uint8_t *ref, const char *s)
{
    return add_string(w, ref, s ? s : "", s ? strlen(s) : 0, 1);
}

/* ---- output ---- */

static int write_all(synapt_writer *w, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t k = write(w->fd, p, n);
        if (k < 0) {
            if (errno == EINTR) continue;
            return wpoison(w, SYNAPT_E_IO, "write %s: %s", w->tmp, strerror(errno));
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static int out_flush(synapt_writer *w)
{
    int rc = write_all(w, w->out.data, w->out.len);
    w->out.len = 0;
    return rc;
}

static int out_write(synapt_writer *w, const void *p, size_t n)
{
    int rc = 0;
    if (w->out.len + n > OUT_CAP && (rc = out_flush(w))) return rc;
    if (n >= OUT_CAP) rc = write_all(w, p, n);
    else rc = sy_buf_append(&w->mem, &w->out, p, n) ? wpoison(w, SYNAPT_E_NOMEM, "out of memory") : 0;
    if (!rc) w->off += n;
    return rc;
}

/* Write a complete record whose body sits at rec[16 .. 16+body_len); the
 * prefix and trailer are filled here. rec must have room for the trailer.
 * Returns the checksum through *sum. */
static int write_record(synapt_writer *w, uint32_t type, uint8_t *rec, uint64_t body_len, uint64_t *sum)
{
    sy_wr32(rec, type);
    sy_wr32(rec + 4, 0);
    sy_wr64(rec + 8, body_len);
    uint64_t h = XXH3_64bits(rec + SY_REC_PREFIX, (size_t)body_len);
    sy_wr64(rec + SY_REC_PREFIX + body_len, h);
    if (sum) *sum = h;
    /* a 1.0 reader would fail on depth_rank chunks: the header says so (patched at close) */
    if (type == SY_REC_CHUNK && body_len >= SY_CHUNK_HDR &&
        sy_rd16(rec + SY_REC_PREFIX + 22) == SYNAPT_FILTER_DEPTH_RANK)
        w->features |= SY_FEATURE_DEPTH_RANK;
    uint8_t hb[8];
    sy_wr64(hb, h);
    XXH3_128bits_update(&w->uuid_state, hb, 8);
    return out_write(w, rec, (size_t)(body_len + SY_REC_OVERHEAD));
}

/* ---- create ---- */

static void free_clip_state(synapt_writer *w);
static void writer_free(synapt_writer *w);

static void make_uuid(uint8_t *u)
{
    if (getrandom(u, 16, 0) != 16) {
        /* no entropy source: still distinct per process, time and handle */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t seed[3] = { (uint64_t)ts.tv_sec, (uint64_t)ts.tv_nsec, (uint64_t)getpid() };
        XXH128_hash_t h = XXH3_128bits(seed, sizeof seed);
        memcpy(u, &h, 16);
    }
    u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);   /* RFC 4122 version 4, variant 1 */
    u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
}

/* The permission bits a plain creat() would give (mkstemp makes 0600).
 * The umask is read from /proc rather than set and restored, which would
 * race with other threads creating files. */
static mode_t file_mode(void)
{
    mode_t mask = 022;
    char buf[2048];
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n > 0) {
            buf[n] = 0;
            const char *u = strstr(buf, "\nUmask:");
            unsigned m;
            if (u && sscanf(u + 7, "%o", &m) == 1) mask = (mode_t)m;
        }
    }
    return (mode_t)(0666 & ~mask);
}

int synapt_writer_create(synapt_writer **out, const char *path, const synapt_writer_options *opts,
                         char *errbuf, size_t errbuf_size)
{
    static const synapt_writer_options defaults = SYNAPT_WRITER_OPTIONS_INIT;
    if (out) *out = NULL;
    if (!out || !path || !*path) {
        sy_errbuf_set(errbuf, errbuf_size, "synapt_writer_create: out and path are required");
        return SYNAPT_E_INVALID_ARG;
    }
    if (!opts) opts = &defaults;
    if (opts->version != SYNAPT_WRITER_OPTIONS_VERSION) {
        sy_fmt(errbuf, errbuf_size, "%s: writer options version %u is not %u", path, opts->version,
               SYNAPT_WRITER_OPTIONS_VERSION);
        return SYNAPT_E_INVALID_ARG;
    }
    const char *wname = opts->writer_name ? opts->writer_name : "libsynapt";
    const char *wver = opts->writer_version ? opts->writer_version : SYNAPT_VERSION_STRING;
    size_t wlen = strlen(wname) + 1 + strlen(wver);
    if (wlen > SY_WRITER_MAX) {
        sy_fmt(errbuf, errbuf_size, "%s: writer name and version exceed %u bytes", path, SY_WRITER_MAX);
        return SYNAPT_E_INVALID_ARG;
    }
    if (opts->zstd_level < ZSTD_minCLevel() || opts->zstd_level > ZSTD_maxCLevel()) {
        sy_fmt(errbuf, errbuf_size, "%s: zstd level %d outside %d..%d", path, opts->zstd_level, ZSTD_minCLevel(),
               ZSTD_maxCLevel());
        return SYNAPT_E_INVALID_ARG;
    }
    const synapt_allocator *al = opts->allocator;
    if (al && (!al->malloc_fn || !al->realloc_fn || !al->free_fn)) {
        sy_fmt(errbuf, errbuf_size, "%s: an allocator needs malloc_fn, realloc_fn and free_fn", path);
        return SYNAPT_E_INVALID_ARG;
    }
    if (!opts->overwrite && access(path, F_OK) == 0) {
        sy_fmt(errbuf, errbuf_size, "%s: already exists", path);
        return SYNAPT_E_EXISTS;
    }
    /* close() renames the temporary file over PATH: over a device or FIFO
     * (say /dev/null, run as root) that would replace the node itself */
    struct stat pst;
    if (stat(path, &pst) == 0 && !S_ISREG(pst.st_mode)) {
        sy_fmt(errbuf, errbuf_size, "%s: exists and is not a regular file", path);
        return SYNAPT_E_IO;
    }
    sy_mem mem;
    sy_mem_init(&mem, opts->allocator);
    synapt_writer *w = sy_calloc(&mem, sizeof *w);
    if (!w) {
        sy_fmt(errbuf, errbuf_size, "%s: out of memory", path);
        return SYNAPT_E_NOMEM;
    }
    w->mem = mem;
    w->fd = -1;
    int rc = SYNAPT_E_NOMEM;
    size_t plen = strlen(path);
    w->path = sy_strdup(&mem, path);
    w->tmp = sy_malloc(&mem, plen + 12);
    if (!w->path || !w->tmp) { sy_fmt(w->msg, sizeof w->msg, "%s: out of memory", path); goto fail; }
    memcpy(w->tmp, path, plen);
    memcpy(w->tmp + plen, ".tmp-XXXXXX", 12);
    w->fd = mkostemp(w->tmp, O_CLOEXEC);
    if (w->fd < 0) {
        rc = werr(w, SYNAPT_E_IO, "cannot create %s: %s", w->tmp, strerror(errno));
        w->tmp[0] = 0;
        goto fail;
    }
    w->level = opts->zstd_level ? opts->zstd_level : 3;
    w->deterministic = opts->deterministic;
    w->do_fsync = opts->fsync;
    w->overwrite = opts->overwrite;
    w->target = opts->chunk_target_bytes ? opts->chunk_target_bytes : (1u << 20);
    w->max_frames = opts->chunk_max_frames ? opts->chunk_max_frames : 64;
    ZSTD_customMem cm = { mem.malloc_fn, mem.free_fn, mem.opaque };
    w->cctx = ZSTD_createCCtx_advanced(cm);
    if (!w->cctx) { rc = werr(w, SYNAPT_E_NOMEM, "out of memory (zstd context)"); goto fail; }
    XXH3_128bits_reset(&w->uuid_state);
    /* STRINGS starts with the NUL that the empty StrRef {0,0} points at */
    if (!sy_buf_extend(&mem, &w->strings, 1)) { rc = werr(w, SYNAPT_E_NOMEM, "out of memory"); goto fail; }

    uint8_t uuid[16];
    if (opts->uuid) memcpy(uuid, opts->uuid, 16);
    else if (opts->deterministic) { memset(uuid, 0, 16); w->derive_uuid = 1; }
    else make_uuid(uuid);

    w->header_len = SY_REC_OVERHEAD + SY_HEADER_FIXED + wlen;
    w->header_rec = sy_calloc(&mem, w->header_len);
    if (!w->header_rec || sy_buf_reserve(&mem, &w->out, OUT_CAP)) { rc = werr(w, SYNAPT_E_NOMEM, "out of memory"); goto fail; }
    uint8_t *b = w->header_rec + SY_REC_PREFIX;
    sy_wr16(b, SYNAPT_FORMAT_MAJOR);
    sy_wr16(b + 2, SYNAPT_FORMAT_MINOR);
    memcpy(b + 8, uuid, 16);
    sy_wr64(b + 40, opts->deterministic ? 0 : (uint64_t)time(NULL));
    sy_wr16(b + 48, (uint16_t)wlen);
    sprintf((char *)b + 50, "%s %s", wname, wver);   /* length checked above */
    /* the trailing NUL from sprintf lands in the checksum slot, rewritten below */
    if ((rc = out_write(w, sy_magic, SY_MAGIC_LEN))) goto fail;
    sy_wr32(w->header_rec, SY_REC_HEADER);
    sy_wr64(w->header_rec + 8, SY_HEADER_FIXED + wlen);
    uint64_t h = XXH3_64bits(b, SY_HEADER_FIXED + wlen);
    sy_wr64(b + SY_HEADER_FIXED + wlen, h);
    if ((rc = out_write(w, w->header_rec, w->header_len))) goto fail;
    *out = w;
    return 0;
fail:
    sy_errbuf_set(errbuf, errbuf_size, w->msg);
    writer_free(w);
    return rc;
}

const char *synapt_writer_errmsg(const synapt_writer *w)
{
    return w ? w->msg : "";
}

/* ---- labels ---- */

static int label_eq(const synapt_writer *w, uint32_t id, const void *s, size_t len)
{
    const uint8_t *ref = w->labels.data + (size_t)id * SY_STRREF;
    return sy_rd32(ref + 4) == len && str_eq(w, sy_rd32(ref), s, len);
}

static int label_id(synapt_writer *w, uint32_t *out, const char *name)
{
    size_t len = strlen(name);
    uint64_t h = XXH3_64bits(name, len);
    uint32_t id = ht_find(w, &w->label_tab, h, label_eq, name, len);
    if (id == UINT32_MAX) {
        if (w->nlabels >= UINT32_MAX - 1) return wpoison(w, SYNAPT_E_LIMIT, "too many labels");
        uint8_t *ref = sy_buf_extend(&w->mem, &w->labels, SY_STRREF);
        if (!ref) return wpoison(w, SYNAPT_E_NOMEM, "out of memory");
        int rc = add_string(w, ref, name, len, 1);
        if (rc) return rc;
        id = (uint32_t)w->nlabels++;
        if (ht_insert(&w->mem, &w->label_tab, h, id)) return wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    }
    if (out) *out = id;
    return 0;
}

int synapt_writer_add_label(uint32_t *out, synapt_writer *w, const char *name)
{
    CHECK_W(w);
    if (!name || !*name) return werr(w, SYNAPT_E_INVALID_ARG, "label names must be non-empty");
    return label_id(w, out, name);
}

/* ---- clips ---- */

static int id_eq(const synapt_writer *w, uint32_t clip, const void *s, size_t len)
{
    const uint8_t *e = w->clips.data + (size_t)clip * SY_CLIP_ENTRY;
    return sy_rd32(e + 4) == len && str_eq(w, sy_rd32(e), s, len);
}

static void free_stream(synapt_writer *w, wstream *s)
{
    sy_free(&w->mem, s->name);
    sy_free(&w->mem, s->units);
    sy_free(&w->mem, s->codec_config);
    sy_free(&w->mem, s->extradata);
    sy_buf_free(&w->mem, &s->raw);
    sy_free(&w->mem, s->fm);
    sy_buf_free(&w->mem, &s->chunks);
}

static void free_clip_state(synapt_writer *w)
{
    sy_free(&w->mem, w->c_id);
    sy_free(&w->mem, w->c_split);
    sy_free(&w->mem, w->c_source);
    sy_free(&w->mem, w->c_meta);
    for (size_t i = 0; w->c_labels && i < w->c_nlabels; i++) sy_free(&w->mem, w->c_labels[i]);
    for (size_t i = 0; w->c_gkeys && i < w->c_ngroups; i++) sy_free(&w->mem, w->c_gkeys[i]);
    for (size_t i = 0; w->c_gvals && i < w->c_ngroups; i++) sy_free(&w->mem, w->c_gvals[i]);
    sy_free(&w->mem, w->c_labels);
    sy_free(&w->mem, w->c_label_ids);
    sy_free(&w->mem, w->c_gkeys);
    sy_free(&w->mem, w->c_gvals);
    for (size_t i = 0; i < w->nws; i++) free_stream(w, &w->ws[i]);
    w->c_id = w->c_split = w->c_source = w->c_meta = NULL;
    w->c_labels = w->c_gkeys = w->c_gvals = NULL;
    w->c_label_ids = NULL;
    w->c_nlabels = w->c_ngroups = 0;
    w->nws = 0;
    w->in_clip = 0;
}

int synapt_writer_begin_clip(synapt_writer *w, const synapt_clip_desc *c)
{
    CHECK_W(w);
    if (!c || c->version != SYNAPT_CLIP_DESC_VERSION)
        return werr(w, SYNAPT_E_INVALID_ARG, "begin_clip: clip description missing or of another version");
    if (w->in_clip) return werr(w, SYNAPT_E_STATE, "begin_clip: clip %s is still open", w->c_id);
    if (!c->id || !*c->id) return werr(w, SYNAPT_E_INVALID_ARG, "begin_clip: a clip id is required");
    if ((c->label_count && !c->labels) || (c->group_count && (!c->group_keys || !c->group_values)))
        return werr(w, SYNAPT_E_INVALID_ARG, "clip %s: label or group arrays missing", c->id);
    if (c->label_count > UINT32_MAX || c->group_count > UINT32_MAX)
        return werr(w, SYNAPT_E_INVALID_ARG, "clip %s: too many labels or groups", c->id);
    for (size_t i = 0; i < c->label_count; i++)
        if (!c->labels[i] || !*c->labels[i])
            return werr(w, SYNAPT_E_INVALID_ARG, "clip %s: label %zu is empty", c->id, i);
    for (size_t i = 0; i < c->group_count; i++)
        if (!c->group_keys[i] || !*c->group_keys[i] || !c->group_values[i])
            return werr(w, SYNAPT_E_INVALID_ARG, "clip %s: group %zu has no key or value", c->id, i);
    if (c->meta_json && !sy_json_is_object(c->meta_json))
        return werr(w, SYNAPT_E_INVALID_ARG, "clip %s: meta_json is not a JSON object", c->id);
    size_t idlen = strlen(c->id);
    if (ht_find(w, &w->ids, XXH3_64bits(c->id, idlen), id_eq, c->id, idlen) != UINT32_MAX)
        return werr(w, SYNAPT_E_EXISTS, "clip id %s is already in the file", c->id);
    if (w->nclips >= UINT32_MAX - 1) return werr(w, SYNAPT_E_LIMIT, "too many clips");

    const sy_mem *m = &w->mem;
    w->c_id = sy_strdup(m, c->id);
    w->c_split = sy_strdup(m, c->split ? c->split : "");
    w->c_source = sy_strdup(m, c->source ? c->source : "");
    w->c_meta = sy_strdup(m, c->meta_json ? c->meta_json : "{}");
    w->c_labels = sy_calloc(m, c->label_count * sizeof(char *));
    w->c_label_ids = sy_calloc(m, c->label_count * sizeof(uint32_t));
    w->c_gkeys = sy_calloc(m, c->group_count * sizeof(char *));
    w->c_gvals = sy_calloc(m, c->group_count * sizeof(char *));
    w->c_nlabels = c->label_count;
    w->c_ngroups = c->group_count;
    w->in_clip = 1;
    if (!w->c_id || !w->c_split || !w->c_source || !w->c_meta || !w->c_labels || !w->c_label_ids ||
        !w->c_gkeys || !w->c_gvals)
        goto nomem;
    for (size_t i = 0; i < c->label_count; i++)
        if (!(w->c_labels[i] = sy_strdup(m, c->labels[i]))) goto nomem;
    for (size_t i = 0; i < c->group_count; i++)
        if (!(w->c_gkeys[i] = sy_strdup(m, c->group_keys[i])) ||
            !(w->c_gvals[i] = sy_strdup(m, c->group_values[i])))
            goto nomem;
    for (size_t i = 0; i < c->label_count; i++) {
        int rc = label_id(w, &w->c_label_ids[i], c->labels[i]);
        if (rc) return rc;
    }
    w->c_synthetic = c->synthetic != 0;
    return 0;
nomem:
    return wpoison(w, SYNAPT_E_NOMEM, "out of memory");
}

/* ---- streams ---- */

static wstream *get_stream(synapt_writer *w, uint32_t i, int *rc)
{
    if (w->rc) { *rc = w->rc; return NULL; }
    if (!w->in_clip) { *rc = werr(w, SYNAPT_E_STATE, "no clip is open"); return NULL; }
    if (i >= w->nws) {
        *rc = werr(w, SYNAPT_E_INVALID_ARG, "clip %s: no stream %u (the clip has %zu)", w->c_id, i, w->nws);
        return NULL;
    }
    *rc = 0;
    return &w->ws[i];
}

static int pick_codec_defaults(synapt_writer *w, wstream *s, const synapt_stream_desc *d)
{
    int comp = d->compression, filt = d->filter;
    if (comp < SYNAPT_COMPRESSION_AUTO || comp > SYNAPT_COMPRESSION_ZSTD_CHUNK ||
        filt < SYNAPT_FILTER_AUTO || filt > SYNAPT_FILTER_DEPTH_RANK)
        return werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: unknown compression %d or filter %d",
                    w->c_id, s->name, comp, filt);
    size_t es = synapt_dtype_size(s->dtype);
    int depth_ok = es == 2 && !s->pose && (s->ndim == 2 || (s->ndim == 3 && s->shape[2] == 1));
    if (s->packets) {
        if (comp == SYNAPT_COMPRESSION_AUTO) comp = SYNAPT_COMPRESSION_NONE;
        if (filt == SYNAPT_FILTER_AUTO) filt = SYNAPT_FILTER_NONE;
        if (filt != SYNAPT_FILTER_NONE)
            return werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: packet streams take no filter", w->c_id, s->name);
        es = 1;
    } else {
        int auto_comp = SYNAPT_COMPRESSION_ZSTD_FRAME, auto_filt = es > 1 ? SYNAPT_FILTER_SHUFFLE : SYNAPT_FILTER_NONE;
        if (s->pose) {
            auto_comp = SYNAPT_COMPRESSION_ZSTD_CHUNK;
            auto_filt = SYNAPT_FILTER_XOR_PREV;
        } else if (s->kind == SYNAPT_KIND_FRAME_LABELS) {
            auto_comp = SYNAPT_COMPRESSION_ZSTD_CHUNK;
        } else if (s->kind == SYNAPT_KIND_DEPTH && s->dtype == SYNAPT_DTYPE_U16 && depth_ok) {
            auto_filt = SYNAPT_FILTER_DEPTH_RANK;
        }
        if (comp == SYNAPT_COMPRESSION_AUTO) comp = auto_comp;
        if (filt == SYNAPT_FILTER_AUTO) filt = auto_filt;
        if ((filt == SYNAPT_FILTER_DEPTH_MED || filt == SYNAPT_FILTER_DEPTH_RANK) && !depth_ok)
            return werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: %s needs 16-bit (H, W) or (H, W, 1) frames",
                        w->c_id, s->name, filt == SYNAPT_FILTER_DEPTH_MED ? "depth_med" : "depth_rank");
    }
    s->compression = comp;
    s->filter = filt;
    s->elem = es ? es : 1;
    s->depth_pick = filt == SYNAPT_FILTER_DEPTH_RANK;
    s->width = filt == SYNAPT_FILTER_DEPTH_MED || filt == SYNAPT_FILTER_DEPTH_RANK ? (uint32_t)s->shape[1] : 0;
    return 0;
}

int synapt_writer_add_stream(uint32_t *out, synapt_writer *w, const synapt_stream_desc *d)
{
    CHECK_W(w);
    if (!w->in_clip) return werr(w, SYNAPT_E_STATE, "add_stream: no clip is open");
    if (!d || d->version != SYNAPT_STREAM_DESC_VERSION)
        return werr(w, SYNAPT_E_INVALID_ARG, "clip %s: stream description missing or of another version", w->c_id);
    if (!d->name || !*d->name) return werr(w, SYNAPT_E_INVALID_ARG, "clip %s: a stream name is required", w->c_id);
    for (size_t i = 0; i < w->nws; i++)
        if (!strcmp(w->ws[i].name, d->name))
            return werr(w, SYNAPT_E_EXISTS, "clip %s: stream %s already exists", w->c_id, d->name);
    if (w->nws >= 65535) return werr(w, SYNAPT_E_LIMIT, "clip %s: too many streams", w->c_id);
    const char *nm = d->name;
    if (d->kind < SYNAPT_KIND_VIDEO || d->kind > SYNAPT_KIND_CUSTOM)
        return werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: unknown kind %d", w->c_id, nm, d->kind);
    if (!sy_codec_valid(d->codec))
        return werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: unknown codec %d", w->c_id, nm, d->codec);
    if (d->ndim > 4) return werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: ndim %u > 4", w->c_id, nm, d->ndim);
    int packets = d->codec != SYNAPT_CODEC_RAW;
    int pose = d->kind == SYNAPT_KIND_POSE2D || d->kind == SYNAPT_KIND_POSE3D;
    if (d->kind == SYNAPT_KIND_VIDEO && !packets)
        return werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: video streams need an encoded codec", w->c_id, nm);
    if (!packets && (d->dtype <= 0 || !synapt_dtype_size(d->dtype)))
        return werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: array streams need a dtype", w->c_id, nm);
    if (d->dtype < 0 || (d->dtype && !synapt_dtype_size(d->dtype)))
        return werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: unknown dtype %d", w->c_id, nm, d->dtype);
    uint64_t fb = 0, pb = 0;
    if (!packets) {
        if (pose) {
            if (d->ndim != 3 || !d->shape[1] || !d->shape[2] || d->dtype != SYNAPT_DTYPE_F32)
                return werr(w, SYNAPT_E_INVALID_ARG,
                            "clip %s stream %s: pose streams are f32 with shape (persons, J, C)", w->c_id, nm);
            if (!sy_mul_ok(d->shape[1], d->shape[2], &pb) || !sy_mul_ok(pb, 4, &pb) || pb > UINT32_MAX)
                return werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: pose shape too large", w->c_id, nm);
        } else {
            if (!d->ndim) return werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: ndim must be 1..4", w->c_id, nm);
            fb = synapt_dtype_size(d->dtype);
            for (uint32_t k = 0; k < d->ndim; k++)
                if (!d->shape[k] || !sy_mul_ok(fb, d->shape[k], &fb))
                    return werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: bad shape", w->c_id, nm);
            if (fb > UINT32_MAX)
                return werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: frames over 4 GiB", w->c_id, nm);
        }
    }
    if (d->codec_config && *d->codec_config && !sy_json_is_object(d->codec_config))
        return werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: codec_config is not a JSON object", w->c_id, nm);
    if (d->extradata_size && !d->extradata)
        return werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: extradata missing", w->c_id, nm);
    if (d->zstd_level < ZSTD_minCLevel() || d->zstd_level > ZSTD_maxCLevel())
        return werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: bad zstd level %d", w->c_id, nm, d->zstd_level);
    if ((d->fps_num == 0) != (d->fps_den == 0))
        return werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: fps_num and fps_den must both be set", w->c_id, nm);

    wstream s;
    memset(&s, 0, sizeof s);
    s.kind = d->kind;
    s.dtype = packets && !d->dtype ? SYNAPT_DTYPE_NONE : d->dtype;
    s.codec = d->codec;
    s.ndim = d->ndim;
    memcpy(s.shape, d->shape, sizeof s.shape);
    s.fps_num = d->fps_num ? d->fps_num : 30;
    s.fps_den = d->fps_den ? d->fps_den : 1;
    s.scale = d->scale != 0.0 ? d->scale : 1.0;
    s.skeleton = d->skeleton;
    s.channels = d->channels;
    s.level = d->zstd_level ? d->zstd_level : w->level;
    s.packets = packets;
    s.pose = pose && !packets;
    s.frame_bytes = fb;
    s.person_bytes = pb;
    s.name = (char *)nm;   /* for messages until copied */
    int rc = pick_codec_defaults(w, &s, d);
    if (rc) return rc;
    /* tiny frames (poses, per-frame labels) compress far better in larger groups */
    s.cap_frames = (s.pose || d->kind == SYNAPT_KIND_FRAME_LABELS) && w->max_frames <= UINT32_MAX / 4
                       ? w->max_frames * 4 : w->max_frames;
    s.name = sy_strdup(&w->mem, nm);
    s.units = sy_strdup(&w->mem, d->units ? d->units : "");
    s.codec_config = sy_strdup(&w->mem, d->codec_config ? d->codec_config : "");
    s.extradata = d->extradata_size ? sy_memdup(&w->mem, d->extradata, d->extradata_size) : NULL;
    s.extradata_size = d->extradata_size;
    void *p = w->ws;
    if (!s.name || !s.units || !s.codec_config || (d->extradata_size && !s.extradata) ||
        sy_grow(&w->mem, &p, &w->ws_cap, w->nws + 1, sizeof(wstream))) {
        w->ws = p;
        free_stream(w, &s);
        return wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    }
    w->ws = p;
    w->ws[w->nws] = s;
    if (out) *out = (uint32_t)w->nws;
    w->nws++;
    return 0;
}

/* ---- chunks ---- */

static uint32_t stream_index(const synapt_writer *w, const wstream *s) { return (uint32_t)(s - w->ws); }

/* depth_rank streams: the filter of the chunk being flushed, or -1 (no memory) */
static int pick_depth_filter(synapt_writer *w, wstream *s)
{
    uint32_t *sizes = sy_malloc(&w->mem, (size_t)s->nfm * sizeof *sizes);
    int f = -1;
    if (!sizes) return -1;
    for (uint32_t i = 0; i < s->nfm; i++) sizes[i] = s->fm[i].raw;
    if (sy_depth_choose(&w->mem, w->cctx, s->compression, s->level, s->raw.data, sizes, s->nfm, s->width, &f)) f = -1;
    sy_free(&w->mem, sizes);
    return f;
}

static int flush_chunk(synapt_writer *w, wstream *s)
{
    uint32_t n = s->nfm;
    if (!n) return 0;
    const sy_mem *m = &w->mem;
    size_t esz = s->packets ? SY_ENTRY_PACKET : SY_ENTRY_ARRAY;
    size_t rawlen = s->raw.len;
    size_t bound = rawlen;
    if (s->compression == SYNAPT_COMPRESSION_ZSTD_FRAME) {
        bound = 0;
        for (uint32_t i = 0; i < n; i++) bound += ZSTD_compressBound(s->fm[i].raw);
    } else if (s->compression == SYNAPT_COMPRESSION_ZSTD_CHUNK) {
        bound = ZSTD_compressBound(rawlen);
    }
    size_t head = SY_REC_PREFIX + SY_CHUNK_HDR + (size_t)n * esz;
    w->rec.len = 0;
    if (sy_buf_reserve(m, &w->rec, head + bound + SY_REC_TRAILER))
        return wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    uint8_t *rec = w->rec.data;

    /* filter the frames into fbuf; src then points at the bytes to store */
    const uint8_t *src = s->raw.data;
    int filter = s->filter;
    if (s->depth_pick && (filter = pick_depth_filter(w, s)) < 0) return wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    if (filter != SYNAPT_FILTER_NONE) {
        w->fbuf.len = 0;
        if (sy_buf_reserve(m, &w->fbuf, rawlen)) return wpoison(w, SYNAPT_E_NOMEM, "out of memory");
        size_t off = 0, prev_off = 0;
        for (uint32_t i = 0; i < n; i++) {
            size_t fl = s->fm[i].raw;
            const uint8_t *f = s->raw.data + off;
            uint8_t *d = w->fbuf.data + off;
            switch (filter) {
            case SYNAPT_FILTER_SHUFFLE: sy_shuffle(d, f, fl, s->elem); break;
            case SYNAPT_FILTER_DEPTH_MED: sy_depth_med(d, f, fl, s->width); break;
            case SYNAPT_FILTER_DEPTH_RANK:
                w->tmpbuf.len = 0;
                if (sy_buf_reserve(m, &w->tmpbuf, (65536 + fl / 2) * sizeof(uint16_t)))
                    return wpoison(w, SYNAPT_E_NOMEM, "out of memory");
                /* the pick tried it: every frame fits */
                sy_depth_rank(d, f, fl, s->width, (uint16_t *)(void *)w->tmpbuf.data);
                break;
            default:
                w->tmpbuf.len = 0;
                if (sy_buf_reserve(m, &w->tmpbuf, fl)) return wpoison(w, SYNAPT_E_NOMEM, "out of memory");
                sy_xor_prev(d, f, fl, i ? s->raw.data + prev_off : NULL, i ? s->fm[i - 1].raw : 0, s->elem,
                            w->tmpbuf.data);
                break;
            }
            prev_off = off;
            off += fl;
        }
        src = w->fbuf.data;
    }

    uint8_t *payload = rec + head;
    size_t stored = 0;
    uint8_t *tab = rec + SY_REC_PREFIX + SY_CHUNK_HDR;
    memset(tab, 0, (size_t)n * esz);
    if (s->compression == SYNAPT_COMPRESSION_NONE) {
        memcpy(payload, src, rawlen);
        stored = rawlen;
        for (uint32_t i = 0; i < n; i++) sy_wr32(tab + i * esz, s->fm[i].raw);
    } else if (s->compression == SYNAPT_COMPRESSION_ZSTD_FRAME) {
        size_t off = 0;
        for (uint32_t i = 0; i < n; i++) {
            size_t cap = ZSTD_compressBound(s->fm[i].raw);
            size_t k = ZSTD_compressCCtx(w->cctx, payload + stored, cap, src + off, s->fm[i].raw, s->level);
            if (ZSTD_isError(k))
                return wpoison(w, SYNAPT_E_CODEC, "clip %s stream %s: zstd: %s", w->c_id, s->name, ZSTD_getErrorName(k));
            if (k > UINT32_MAX) return wpoison(w, SYNAPT_E_LIMIT, "clip %s stream %s: frame too large", w->c_id, s->name);
            sy_wr32(tab + i * esz, (uint32_t)k);
            stored += k;
            off += s->fm[i].raw;
        }
    } else {
        size_t k = ZSTD_compressCCtx(w->cctx, payload, bound, src, rawlen, s->level);
        if (ZSTD_isError(k))
            return wpoison(w, SYNAPT_E_CODEC, "clip %s stream %s: zstd: %s", w->c_id, s->name, ZSTD_getErrorName(k));
        stored = k;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *e = tab + i * esz;
        sy_wr32(e + 4, s->fm[i].raw);
        sy_wr32(e + 8, s->fm[i].flags);
        sy_wr64(e + 16, (uint64_t)s->fm[i].pts);
        if (esz >= SY_ENTRY_PACKET) sy_wr64(e + 24, (uint64_t)s->fm[i].dts);
    }
    uint8_t *ch = rec + SY_REC_PREFIX;
    sy_wr32(ch, (uint32_t)w->nclips);
    sy_wr32(ch + 4, stream_index(w, s));
    sy_wr64(ch + 8, s->entries);
    sy_wr32(ch + 16, n);
    sy_wr16(ch + 20, (uint16_t)s->compression);
    sy_wr16(ch + 22, (uint16_t)filter);
    sy_wr16(ch + 24, (uint16_t)esz);
    sy_wr16(ch + 26, (uint16_t)s->elem);
    sy_wr32(ch + 28, s->width);
    sy_wr64(ch + 32, stored);
    sy_wr64(ch + 40, rawlen);
    uint64_t body = SY_CHUNK_HDR + (uint64_t)n * esz + stored;
    uint64_t at = w->off, sum;
    int rc = write_record(w, SY_REC_CHUNK, rec, body, &sum);
    if (rc) return rc;
    uint8_t *ke = sy_buf_extend(m, &s->chunks, SY_CHUNK_ENTRY);
    if (!ke) return wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    sy_wr64(ke + SY_KE_OFFSET, at);
    sy_wr64(ke + SY_KE_RECORD, body + SY_REC_OVERHEAD);
    sy_wr64(ke + SY_KE_FIRST, s->entries);
    sy_wr32(ke + SY_KE_COUNT, n);
    sy_wr64(ke + SY_KE_RAW, rawlen);
    sy_wr64(ke + SY_KE_CHECKSUM, sum);
    s->nchunks++;
    s->entries += n;
    s->stored += body + SY_REC_OVERHEAD;
    s->rawb += rawlen;
    s->raw.len = 0;
    s->nfm = 0;
    s->pend_nonkey = 0;
    return 0;
}

static int push_frame(synapt_writer *w, wstream *s, const void *data, size_t size, int64_t pts,
                      int64_t dts, uint32_t flags)
{
    void *p = s->fm;
    if (sy_grow(&w->mem, &p, &s->fm_cap, (size_t)s->nfm + 1, sizeof(fmeta)) ||
        sy_buf_append(&w->mem, &s->raw, data, size)) {
        s->fm = p;
        return wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    }
    s->fm = p;
    if (pts != SYNAPT_PTS_NONE) { flags |= SYNAPT_FRAME_HAS_PTS; s->has_pts = 1; }
    else flags &= ~SYNAPT_FRAME_HAS_PTS;
    fmeta *f = &s->fm[s->nfm++];
    f->raw = (uint32_t)size;
    f->flags = flags;
    f->pts = pts;
    f->dts = dts;
    if (!(flags & SYNAPT_FRAME_KEY)) s->pend_nonkey = 1;
    return 0;
}

static int array_frame_done(synapt_writer *w, wstream *s)
{
    if (s->raw.len >= w->target || s->nfm >= s->cap_frames) return flush_chunk(w, s);
    return 0;
}

int synapt_writer_write_frames(synapt_writer *w, uint32_t stream, const void *data, size_t size,
                               uint64_t n, const int64_t *pts)
{
    CHECK_W(w);
    int rc;
    wstream *s = get_stream(w, stream, &rc);
    if (!s) return rc;
    if (s->packets || s->pose)
        return werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: use write_%s", w->c_id, s->name,
                    s->pose ? "pose" : "packet");
    uint64_t need;
    if (!sy_mul_ok(n, s->frame_bytes, &need) || need != size || (n && !data))
        return werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: %zu bytes is not %llu frames of %llu bytes",
                    w->c_id, s->name, size, (unsigned long long)n, (unsigned long long)s->frame_bytes);
    const uint8_t *p = data;
    for (uint64_t i = 0; i < n; i++) {
        if ((rc = push_frame(w, s, p + i * s->frame_bytes, s->frame_bytes, pts ? pts[i] : SYNAPT_PTS_NONE,
                             SYNAPT_PTS_NONE, 0)))
            return rc;
        if ((rc = array_frame_done(w, s))) return rc;
    }
    return 0;
}

int synapt_writer_write_pose(synapt_writer *w, uint32_t stream, const float *data, uint32_t persons, int64_t pts)
{
    CHECK_W(w);
    int rc;
    wstream *s = get_stream(w, stream, &rc);
    if (!s) return rc;
    if (!s->pose) return werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: not a pose stream", w->c_id, s->name);
    if (s->shape[0] && persons > s->shape[0])
        return werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: %u persons exceed the declared %llu", w->c_id,
                    s->name, persons, (unsigned long long)s->shape[0]);
    uint64_t size;
    if (!sy_mul_ok(persons, s->person_bytes, &size) || size > UINT32_MAX)
        return werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: pose frame too large", w->c_id, s->name);
    if (persons && !data) return werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: no pose data", w->c_id, s->name);
    if ((rc = push_frame(w, s, data, (size_t)size, pts, SYNAPT_PTS_NONE, 0))) return rc;
    if (persons > s->max_persons) s->max_persons = persons;
    return array_frame_done(w, s);
}

int synapt_writer_write_packet(synapt_writer *w, uint32_t stream, const void *data, size_t size,
                               int64_t pts, int64_t dts, uint32_t flags)
{
    CHECK_W(w);
    int rc;
    wstream *s = get_stream(w, stream, &rc);
    if (!s) return rc;
    if (!s->packets)
        return werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: write_packet needs an encoded codec", w->c_id, s->name);
    if (size > UINT32_MAX || (size && !data))
        return werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: bad packet", w->c_id, s->name);
    flags &= SYNAPT_FRAME_KEY | SYNAPT_FRAME_DISCARD;
    /* Chunks start at keyframes so a reader decodes any chunk alone. An
     * all-intra stream (every packet a key) still groups frames up to the
     * usual caps rather than paying a record per frame. */
    if ((flags & SYNAPT_FRAME_KEY) && s->nfm &&
        (s->pend_nonkey || s->nfm >= s->cap_frames || s->raw.len >= w->target))
        if ((rc = flush_chunk(w, s))) return rc;
    if ((rc = push_frame(w, s, data, size, pts, dts, flags))) return rc;
    if (flags & SYNAPT_FRAME_DISCARD) s->discards++;
    /* a huge GOP is split mid-GOP; readers then decode from the keyframe chunk */
    if (s->raw.len >= w->target * 8) return flush_chunk(w, s);
    return 0;
}

int synapt_writer_set_video_info(synapt_writer *w, uint32_t stream, uint64_t frame_count, const char *codec_config)
{
    CHECK_W(w);
    int rc;
    wstream *s = get_stream(w, stream, &rc);
    if (!s) return rc;
    if (!s->packets)
        return werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: not a packet stream", w->c_id, s->name);
    if (codec_config) {
        if (*codec_config && !sy_json_is_object(codec_config))
            return werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: codec_config is not a JSON object", w->c_id, s->name);
        char *c = sy_strdup(&w->mem, codec_config);
        if (!c) return wpoison(w, SYNAPT_E_NOMEM, "out of memory");
        sy_free(&w->mem, s->codec_config);
        s->codec_config = c;
    }
    s->video_frames = frame_count;
    s->video_frames_set = 1;
    return 0;
}

int synapt_writer_flush_chunk(synapt_writer *w, uint32_t stream)
{
    CHECK_W(w);
    int rc;
    wstream *s = get_stream(w, stream, &rc);
    if (!s) return rc;
    return flush_chunk(w, s);
}

static uint64_t stream_frames(const wstream *s)
{
    if (!s->packets) return s->entries;
    return s->video_frames_set ? s->video_frames : s->entries - s->discards;
}

int synapt_writer_end_clip(synapt_writer *w)
{
    CHECK_W(w);
    if (!w->in_clip) return werr(w, SYNAPT_E_STATE, "end_clip: no clip is open");
    const sy_mem *m = &w->mem;
    int rc;
    for (size_t i = 0; i < w->nws; i++)
        if ((rc = flush_chunk(w, &w->ws[i]))) return rc;

    /* the CLIP record */
    sy_json_stream *js = sy_calloc(m, (w->nws ? w->nws : 1) * sizeof *js);
    if (!js) return wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    uint64_t clip_frames = 0;
    for (size_t i = 0; i < w->nws; i++) {
        const wstream *s = &w->ws[i];
        sy_json_stream *j = &js[i];
        j->name = s->name; j->kind = s->kind; j->dtype = s->dtype; j->codec = s->codec;
        j->ndim = s->ndim; memcpy(j->shape, s->shape, sizeof j->shape);
        j->fps_num = s->fps_num; j->fps_den = s->fps_den; j->scale = s->scale; j->units = s->units;
        j->skeleton = s->skeleton; j->channels = s->channels;
        j->compression = s->compression; j->filter = s->filter;
        j->frames = stream_frames(s); j->packets = s->entries; j->has_pts = s->has_pts;
        j->max_persons = s->max_persons; j->extradata = s->extradata; j->extradata_size = s->extradata_size;
        j->codec_config = s->codec_config;
        if (j->frames > clip_frames) clip_frames = j->frames;
    }
    sy_json_clip jc = {
        w->nclips, w->c_id, (const char *const *)w->c_labels, w->c_nlabels, w->c_split, w->c_source,
        w->c_synthetic, (const char *const *)w->c_gkeys, (const char *const *)w->c_gvals, w->c_ngroups,
        w->c_meta, js, w->nws,
    };
    char jerr[SY_MSG_MAX] = "";
    w->rec.len = 0;
    rc = sy_buf_reserve(m, &w->rec, SY_REC_PREFIX) ? SYNAPT_E_NOMEM : 0;
    if (!rc) {
        w->rec.len = SY_REC_PREFIX;
        rc = sy_clip_json_build(m, &w->rec, &jc, jerr, sizeof jerr);
    }
    sy_free(m, js);
    if (rc) return wpoison(w, rc, "%s", jerr[0] ? jerr : "out of memory");
    uint64_t body = w->rec.len - SY_REC_PREFIX;
    if (sy_buf_reserve(m, &w->rec, SY_REC_TRAILER)) return wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    uint64_t rec_at = w->off;
    if ((rc = write_record(w, SY_REC_CLIP, w->rec.data, body, NULL))) return rc;

    /* index entries */
    uint64_t stream_first = w->nstreams, label_first = w->nclip_labels, group_first = w->ngroups;
    if (w->nstreams + w->nws > UINT32_MAX || w->nclip_labels + w->c_nlabels > UINT32_MAX ||
        w->ngroups + w->c_ngroups > UINT32_MAX)
        return wpoison(w, SYNAPT_E_LIMIT, "index tables exceed 2^32 entries");
    for (size_t i = 0; i < w->nws; i++) {
        wstream *s = &w->ws[i];
        uint8_t *e = sy_buf_extend(m, &w->streams, SY_STREAM_ENTRY);
        if (!e) return wpoison(w, SYNAPT_E_NOMEM, "out of memory");
        size_t eoff = w->streams.len - SY_STREAM_ENTRY;
        uint8_t refs[4][8];
        if ((rc = add_cstr(w, refs[0], s->name)) || (rc = add_cstr(w, refs[1], s->units)) ||
            (rc = add_string(w, refs[2], s->extradata, s->extradata_size, 0)) ||
            (rc = add_string(w, refs[3], s->codec_config, strlen(s->codec_config), 1)))
            return rc;
        e = w->streams.data + eoff;
        memcpy(e + SY_SE_NAME, refs[0], 8);
        sy_wr16(e + SY_SE_KIND, (uint16_t)s->kind);
        sy_wr16(e + SY_SE_DTYPE, (uint16_t)s->dtype);
        sy_wr16(e + SY_SE_CODEC, (uint16_t)s->codec);
        sy_wr16(e + SY_SE_NDIM, (uint16_t)s->ndim);
        for (int k = 0; k < 4; k++) sy_wr64(e + SY_SE_SHAPE + 8 * k, k < (int)s->ndim ? s->shape[k] : 0);
        sy_wr32(e + SY_SE_FPS_NUM, s->fps_num);
        sy_wr32(e + SY_SE_FPS_DEN, s->fps_den);
        sy_wrf64(e + SY_SE_SCALE, s->scale);
        memcpy(e + SY_SE_UNITS, refs[1], 8);
        sy_wr16(e + SY_SE_SKELETON, (uint16_t)s->skeleton);
        sy_wr16(e + SY_SE_CHANNELS, (uint16_t)s->channels);
        sy_wr16(e + SY_SE_COMPRESSION, (uint16_t)s->compression);
        sy_wr16(e + SY_SE_FILTER, (uint16_t)s->filter);
        sy_wr64(e + SY_SE_FRAMES, stream_frames(s));
        sy_wr64(e + SY_SE_CHUNK_FIRST, w->nchunks);
        sy_wr64(e + SY_SE_CHUNK_COUNT, s->nchunks);
        sy_wr64(e + SY_SE_STORED, s->stored);
        sy_wr64(e + SY_SE_RAW, s->rawb);
        memcpy(e + SY_SE_EXTRADATA, refs[2], 8);
        memcpy(e + SY_SE_CODEC_CONFIG, refs[3], 8);
        sy_wr32(e + SY_SE_FLAGS, s->has_pts ? SY_STREAM_HAS_PTS : 0);
        sy_wr32(e + SY_SE_MAX_PERSONS, s->max_persons);
        sy_wr64(e + SY_SE_PACKETS, s->entries);
        if (sy_buf_append(m, &w->chunks, s->chunks.data, s->chunks.len))
            return wpoison(w, SYNAPT_E_NOMEM, "out of memory");
        w->nchunks += s->nchunks;
        w->nstreams++;
    }
    for (size_t i = 0; i < w->c_nlabels; i++) {
        uint8_t *e = sy_buf_extend(m, &w->clip_labels, SY_CLIP_LABEL);
        if (!e) return wpoison(w, SYNAPT_E_NOMEM, "out of memory");
        sy_wr32(e, w->c_label_ids[i]);
        w->nclip_labels++;
    }
    for (size_t i = 0; i < w->c_ngroups; i++) {
        uint8_t *e = sy_buf_extend(m, &w->groups, SY_GROUP_ENTRY);
        if (!e) return wpoison(w, SYNAPT_E_NOMEM, "out of memory");
        size_t eoff = w->groups.len - SY_GROUP_ENTRY;
        uint8_t k[8], v[8];
        if ((rc = add_cstr(w, k, w->c_gkeys[i])) || (rc = add_cstr(w, v, w->c_gvals[i]))) return rc;
        memcpy(w->groups.data + eoff, k, 8);
        memcpy(w->groups.data + eoff + 8, v, 8);
        w->ngroups++;
    }
    uint8_t refs[4][8];
    size_t idlen = strlen(w->c_id);
    if ((rc = add_string(w, refs[0], w->c_id, idlen, 0)) || (rc = add_cstr(w, refs[1], w->c_split)) ||
        (rc = add_cstr(w, refs[2], w->c_source)) ||
        (rc = add_string(w, refs[3], w->c_meta, strlen(w->c_meta), 0)))
        return rc;
    uint8_t *e = sy_buf_extend(m, &w->clips, SY_CLIP_ENTRY);
    if (!e) return wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    for (int k = 0; k < 4; k++) memcpy(e + 8 * k, refs[k], 8);
    sy_wr32(e + SY_CE_LABEL_FIRST, (uint32_t)label_first);
    sy_wr32(e + SY_CE_LABEL_COUNT, (uint32_t)w->c_nlabels);
    sy_wr32(e + SY_CE_GROUP_FIRST, (uint32_t)group_first);
    sy_wr32(e + SY_CE_GROUP_COUNT, (uint32_t)w->c_ngroups);
    sy_wr32(e + SY_CE_STREAM_FIRST, (uint32_t)stream_first);
    sy_wr32(e + SY_CE_STREAM_COUNT, (uint32_t)w->nws);
    sy_wr64(e + SY_CE_FRAMES, clip_frames);
    sy_wr64(e + SY_CE_RECORD, rec_at);
    sy_wr32(e + SY_CE_FLAGS, w->c_synthetic ? SY_CLIP_SYNTHETIC : 0);
    if (ht_insert(m, &w->ids, XXH3_64bits(w->c_id, idlen), (uint32_t)w->nclips))
        return wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    w->nclips++;
    free_clip_state(w);
    return 0;
}

/* ---- copy ---- */

/* Append a stored chunk body (at rec + 16, with room for the trailer) to
 * stream s of the open clip: only the clip number changes. */
static int put_chunk(synapt_writer *w, wstream *s, uint8_t *rec, uint64_t body_len, uint64_t first,
                     uint32_t count, uint64_t raw)
{
    sy_wr32(rec + SY_REC_PREFIX, (uint32_t)w->nclips);
    sy_wr32(rec + SY_REC_PREFIX + 4, stream_index(w, s));
    uint64_t at = w->off, sum;
    int rc = write_record(w, SY_REC_CHUNK, rec, body_len, &sum);
    if (rc) return rc;
    uint8_t *ke = sy_buf_extend(&w->mem, &s->chunks, SY_CHUNK_ENTRY);
    if (!ke) return wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    sy_wr64(ke + SY_KE_OFFSET, at);
    sy_wr64(ke + SY_KE_RECORD, body_len + SY_REC_OVERHEAD);
    sy_wr64(ke + SY_KE_FIRST, first);
    sy_wr32(ke + SY_KE_COUNT, count);
    sy_wr64(ke + SY_KE_RAW, raw);
    sy_wr64(ke + SY_KE_CHECKSUM, sum);
    s->nchunks++;
    s->entries += count;
    s->stored += body_len + SY_REC_OVERHEAD;
    s->rawb += raw;
    return 0;
}

/* Stream facts a copied stream takes from its source. */
static void stream_totals(wstream *s, int has_pts, uint32_t max_persons, uint64_t frames)
{
    s->has_pts = has_pts;
    s->max_persons = max_persons;
    if (s->packets) { s->video_frames = frames; s->video_frames_set = 1; }
}

int sy_writer_put_chunk(synapt_writer *w, uint32_t stream, uint8_t *rec, uint64_t body_len, uint64_t first,
                        uint32_t count, uint64_t raw)
{
    CHECK_W(w);
    int rc;
    wstream *s = get_stream(w, stream, &rc);
    if (!s) return rc;
    if (s->nfm || first != s->entries || !count)
        return werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: chunk of frames %llu+%u does not follow frame %llu",
                    w->c_id, s->name, (unsigned long long)first, count, (unsigned long long)s->entries);
    return put_chunk(w, s, rec, body_len, first, count, raw);
}

int sy_writer_drop_clip(synapt_writer *w)
{
    CHECK_W(w);
    if (!w->in_clip) return 0;
    for (size_t i = 0; i < w->nws; i++)
        if (w->ws[i].nchunks)
            return werr(w, SYNAPT_E_STATE, "clip %s: chunks are already written; it cannot be dropped", w->c_id);
    free_clip_state(w);
    return 0;
}

int sy_writer_stream_totals(synapt_writer *w, uint32_t stream, int has_pts, uint32_t max_persons, uint64_t frames)
{
    CHECK_W(w);
    int rc;
    wstream *s = get_stream(w, stream, &rc);
    if (!s) return rc;
    stream_totals(s, has_pts, max_persons, frames);
    return 0;
}

static int copy_fail(synapt_writer *w, const synapt_reader *src, int rc)
{
    return wpoison(w, rc, "copying from %s", synapt_reader_errmsg(src));
}

int synapt_writer_copy_clip(synapt_writer *w, const synapt_reader *src, uint64_t clip, const char *new_id)
{
    CHECK_W(w);
    if (!src) return werr(w, SYNAPT_E_INVALID_ARG, "copy_clip: no source reader");
    if (w->in_clip) return werr(w, SYNAPT_E_STATE, "copy_clip: clip %s is still open", w->c_id);
    const sy_mem *m = &w->mem;
    synapt_clip_info ci;
    int rc = synapt_reader_clip(&ci, src, clip);
    if (rc) return rc == SYNAPT_E_RANGE ? werr(w, rc, "copy_clip: %s", synapt_reader_errmsg(src))
                                        : copy_fail(w, src, rc);
    const char **labels = sy_calloc(m, (ci.label_count + 1) * sizeof(char *));
    uint32_t *ids = sy_calloc(m, (ci.label_count + 1) * sizeof(uint32_t));
    const char **gk = sy_calloc(m, (ci.group_count + 1) * sizeof(char *));
    const char **gv = sy_calloc(m, (ci.group_count + 1) * sizeof(char *));
    uint8_t *body = NULL;
    size_t body_cap = 0;
    if (!labels || !ids || !gk || !gv) { rc = wpoison(w, SYNAPT_E_NOMEM, "out of memory"); goto done; }
    size_t nl = 0;
    if ((rc = synapt_reader_clip_labels(ids, ci.label_count, &nl, src, clip))) { rc = copy_fail(w, src, rc); goto done; }
    for (size_t i = 0; i < ci.label_count; i++)
        if (!(labels[i] = synapt_reader_label_name(src, ids[i]))) { rc = copy_fail(w, src, SYNAPT_E_CORRUPT); goto done; }
    for (uint32_t i = 0; i < ci.group_count; i++)
        if ((rc = synapt_reader_clip_group(&gk[i], &gv[i], src, clip, i))) { rc = copy_fail(w, src, rc); goto done; }
    synapt_clip_desc cd = SYNAPT_CLIP_DESC_INIT;
    cd.id = new_id ? new_id : ci.id;
    cd.labels = labels;
    cd.label_count = ci.label_count;
    cd.split = ci.split;
    cd.source = ci.source;
    cd.synthetic = ci.synthetic;
    cd.group_keys = gk;
    cd.group_values = gv;
    cd.group_count = ci.group_count;
    cd.meta_json = ci.meta_json;
    if ((rc = synapt_writer_begin_clip(w, &cd))) goto done;
    for (uint32_t si = 0; si < ci.stream_count; si++) {
        synapt_stream_info st;
        if ((rc = synapt_reader_stream(&st, src, clip, si))) { rc = copy_fail(w, src, rc); goto done; }
        synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
        d.name = st.name; d.kind = st.kind; d.dtype = st.dtype; d.codec = st.codec; d.ndim = st.ndim;
        memcpy(d.shape, st.shape, sizeof d.shape);
        d.fps_num = st.fps_num; d.fps_den = st.fps_den; d.scale = st.scale; d.units = st.units;
        d.skeleton = st.skeleton; d.channels = st.channels;
        d.compression = st.compression; d.filter = st.filter;
        d.extradata = st.extradata; d.extradata_size = st.extradata_size; d.codec_config = st.codec_config;
        uint32_t idx;
        if ((rc = synapt_writer_add_stream(&idx, w, &d))) {
            /* the source passed its own checks, so a refusal here means the
             * source holds a combination this writer cannot represent */
            if (!w->rc) rc = wpoison(w, rc, "copying clip %s stream %s: %s", ci.id, st.name, w->msg);
            goto done;
        }
        wstream *s = &w->ws[idx];
        for (uint64_t k = 0; k < st.chunk_count; k++) {
            synapt_chunk_info ki;
            if ((rc = synapt_reader_chunk(&ki, src, clip, si, k))) { rc = copy_fail(w, src, rc); goto done; }
            uint64_t blen = ki.record_bytes - SY_REC_OVERHEAD;
            if (ki.first_frame != s->entries) {
                rc = wpoison(w, SYNAPT_E_CORRUPT, "copying from %s: clip %s stream %s chunk %llu does not follow the previous one",
                             synapt_reader_path(src), ci.id, st.name, (unsigned long long)k);
                goto done;
            }
            if (!body || blen + SY_REC_OVERHEAD > body_cap) {
                uint8_t *nb = sy_realloc(m, body, (size_t)blen + SY_REC_OVERHEAD);
                if (!nb) { rc = wpoison(w, SYNAPT_E_NOMEM, "out of memory"); goto done; }
                body = nb;
                body_cap = (size_t)blen + SY_REC_OVERHEAD;
            }
            size_t got = 0;
            if ((rc = synapt_reader_read_chunk_body(body + SY_REC_PREFIX, (size_t)blen, &got, src, clip, si, k))) {
                rc = copy_fail(w, src, rc);
                goto done;
            }
            if ((rc = put_chunk(w, s, body, got, ki.first_frame, ki.frame_count, ki.raw_bytes))) goto done;
        }
        stream_totals(s, st.has_pts, st.max_persons, st.frame_count);
    }
    rc = synapt_writer_end_clip(w);
done:
    sy_free(m, labels);
    sy_free(m, ids);
    sy_free(m, gk);
    sy_free(m, gv);
    sy_free(m, body);
    return rc;
}

/* ---- close ---- */

typedef struct hent { uint64_t h; uint32_t v; } hent;

static int hent_less(const hent *x, const hent *y) { return x->h < y->h || (x->h == y->h && x->v < y->v); }

/* Heapsort: in place, so sorting never allocates outside the hooks (glibc's
 * qsort may call malloc). */
static void hent_sort(hent *a, size_t n)
{
    for (size_t k = n / 2; k-- > 0;) {
        for (size_t i = k;;) {
            size_t c = 2 * i + 1;
            if (c >= n) break;
            if (c + 1 < n && hent_less(&a[c], &a[c + 1])) c++;
            if (!hent_less(&a[i], &a[c])) break;
            hent t = a[i]; a[i] = a[c]; a[c] = t;
            i = c;
        }
    }
    for (size_t end = n; end > 1; end--) {
        hent t = a[0]; a[0] = a[end - 1]; a[end - 1] = t;
        for (size_t i = 0;;) {
            size_t c = 2 * i + 1;
            if (c >= end - 1) break;
            if (c + 1 < end - 1 && hent_less(&a[c], &a[c + 1])) c++;
            if (!hent_less(&a[i], &a[c])) break;
            hent u = a[i]; a[i] = a[c]; a[c] = u;
            i = c;
        }
    }
}

/* Sorted {hash, value} pairs of a table, encoded as 16-byte entries. */
static int hash_section(synapt_writer *w, sy_buf *out, const htab *t)
{
    hent *a = sy_malloc(&w->mem, (t->n ? t->n : 1) * sizeof *a);
    if (!a) return wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < t->cap; i++)
        if (t->v[i] != UINT32_MAX) { a[k].h = t->h[i]; a[k].v = t->v[i]; k++; }
    hent_sort(a, k);
    uint8_t *e = sy_buf_extend(&w->mem, out, k * SY_HASH_ENTRY);
    if (!e && k) { sy_free(&w->mem, a); return wpoison(w, SYNAPT_E_NOMEM, "out of memory"); }
    for (size_t i = 0; i < k; i++) {
        sy_wr64(e + i * SY_HASH_ENTRY, a[i].h);
        sy_wr32(e + i * SY_HASH_ENTRY + 8, a[i].v);
    }
    sy_free(&w->mem, a);
    return 0;
}

static int write_index(synapt_writer *w)
{
    sy_buf clip_ids = { 0 }, label_ids = { 0 };
    int rc = hash_section(w, &clip_ids, &w->ids);
    if (!rc) rc = hash_section(w, &label_ids, &w->label_tab);
    if (rc) goto done;
    struct { uint32_t id, esize; const sy_buf *b; uint64_t count; } sec[] = {
        { SY_SEC_CLIPS, SY_CLIP_ENTRY, &w->clips, w->nclips },
        { SY_SEC_CLIP_IDS, SY_HASH_ENTRY, &clip_ids, w->nclips },
        { SY_SEC_STREAMS, SY_STREAM_ENTRY, &w->streams, w->nstreams },
        { SY_SEC_CHUNKS, SY_CHUNK_ENTRY, &w->chunks, w->nchunks },
        { SY_SEC_LABELS, SY_STRREF, &w->labels, w->nlabels },
        { SY_SEC_LABEL_IDS, SY_HASH_ENTRY, &label_ids, w->nlabels },
        { SY_SEC_CLIP_LABELS, SY_CLIP_LABEL, &w->clip_labels, w->nclip_labels },
        { SY_SEC_GROUPS, SY_GROUP_ENTRY, &w->groups, w->ngroups },
        { SY_SEC_STRINGS, 1, &w->strings, w->strings.len },
    };
    enum { NS = sizeof sec / sizeof sec[0] };
    uint8_t dir[SY_INDEX_HDR + NS * SY_DIR_ENTRY];
    uint64_t off = sizeof dir;
    sy_wr32(dir, SY_INDEX_VERSION);
    sy_wr32(dir + 4, NS);
    for (int i = 0; i < NS; i++) {
        off = (off + 7) & ~(uint64_t)7;
        uint8_t *d = dir + SY_INDEX_HDR + i * SY_DIR_ENTRY;
        sy_wr32(d, sec[i].id);
        sy_wr32(d + 4, sec[i].esize);
        sy_wr64(d + 8, off);
        sy_wr64(d + 16, sec[i].count);
        off += sec[i].b->len;
    }
    uint64_t body_len = off;
    uint8_t prefix[SY_REC_PREFIX];
    sy_wr32(prefix, SY_REC_INDEX);
    sy_wr32(prefix + 4, 0);
    sy_wr64(prefix + 8, body_len);
    XXH3_state_t st;
    XXH3_64bits_reset(&st);
    static const uint8_t zeros[8];
    uint64_t pos = sizeof dir;
    if ((rc = out_write(w, prefix, sizeof prefix)) || (rc = out_write(w, dir, sizeof dir))) goto done;
    XXH3_64bits_update(&st, dir, sizeof dir);
    for (int i = 0; i < NS; i++) {
        size_t pad = (size_t)(((pos + 7) & ~(uint64_t)7) - pos);
        if (pad && (rc = out_write(w, zeros, pad))) goto done;
        XXH3_64bits_update(&st, zeros, pad);
        if (sec[i].b->len && (rc = out_write(w, sec[i].b->data, sec[i].b->len))) goto done;
        XXH3_64bits_update(&st, sec[i].b->data, sec[i].b->len);
        pos += pad + sec[i].b->len;
    }
    uint8_t trailer[8];
    uint64_t h = XXH3_64bits_digest(&st);
    sy_wr64(trailer, h);
    XXH3_128bits_update(&w->uuid_state, trailer, 8);
    rc = out_write(w, trailer, 8);
done:
    sy_buf_free(&w->mem, &clip_ids);
    sy_buf_free(&w->mem, &label_ids);
    return rc;
}

static void writer_free(synapt_writer *w)
{
    if (!w) return;
    const sy_mem m = w->mem;
    if (w->fd >= 0) close(w->fd);
    if (w->tmp && w->tmp[0]) unlink(w->tmp);
    free_clip_state(w);
    sy_free(&m, w->ws);
    ZSTD_freeCCtx(w->cctx);
    sy_buf *bufs[] = { &w->out, &w->clips, &w->streams, &w->chunks, &w->labels, &w->clip_labels,
                       &w->groups, &w->strings, &w->rec, &w->fbuf, &w->tmpbuf };
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) sy_buf_free(&m, bufs[i]);
    ht_free(&m, &w->ids);
    ht_free(&m, &w->label_tab);
    ht_free(&m, &w->interned);
    sy_free(&m, w->header_rec);
    sy_free(&m, w->path);
    sy_free(&m, w->tmp);
    sy_free(&m, w);
}

static int fsync_dir(synapt_writer *w)
{
    const char *slash = strrchr(w->path, '/');
    char *dir = slash ? sy_memdup(&w->mem, w->path, (size_t)(slash - w->path) + 1) : sy_strdup(&w->mem, ".");
    if (!dir) return wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    if (slash) dir[slash - w->path == 0 ? 1 : slash - w->path] = 0;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = 0;
    if (fd < 0 || fsync(fd) < 0) rc = wpoison(w, SYNAPT_E_IO, "fsync directory %s: %s", dir, strerror(errno));
    if (fd >= 0) close(fd);
    sy_free(&w->mem, dir);
    return rc;
}

static int finish(synapt_writer *w)
{
    int rc;
    if (w->in_clip && (rc = synapt_writer_end_clip(w))) return rc;
    uint64_t index_at = w->off;
    if ((rc = write_index(w))) return rc;
    uint8_t foot[SY_FOOTER];
    sy_wr64(foot, index_at);
    sy_wr64(foot + 8, w->off - index_at);
    sy_wr64(foot + 16, XXH3_64bits(foot, 16));
    memcpy(foot + 24, sy_magic, SY_MAGIC_LEN);
    if ((rc = out_write(w, foot, sizeof foot)) || (rc = out_flush(w))) return rc;
    if (w->features) {
        /* the header is written first, before anyone knows whether a chunk
         * will need a feature; same size, so patched in place like the uuid */
        uint8_t *b = w->header_rec + SY_REC_PREFIX;
        uint64_t body = w->header_len - SY_REC_OVERHEAD;
        sy_wr64(b + 24, w->features);
        sy_wr64(b + body, XXH3_64bits(b, (size_t)body));
        if (!w->derive_uuid && pwrite(w->fd, w->header_rec, w->header_len, SY_MAGIC_LEN) != (ssize_t)w->header_len)
            return wpoison(w, SYNAPT_E_IO, "write %s: %s", w->tmp, strerror(errno));
    }
    if (w->derive_uuid) {
        /* Deterministic files get a UUID from their content: XXH3-128 over
         * the checksums of every record after the header, in file order. The
         * header's size is unchanged, so patching it in place is safe before
         * the file becomes visible at PATH. */
        XXH128_hash_t h = XXH3_128bits_digest(&w->uuid_state);
        uint8_t *b = w->header_rec + SY_REC_PREFIX;
        uint64_t body = w->header_len - SY_REC_OVERHEAD;
        sy_wr64(b + 8, h.high64);
        sy_wr64(b + 16, h.low64);
        sy_wr64(b + body, XXH3_64bits(b, (size_t)body));
        if (pwrite(w->fd, w->header_rec, w->header_len, SY_MAGIC_LEN) != (ssize_t)w->header_len)
            return wpoison(w, SYNAPT_E_IO, "write %s: %s", w->tmp, strerror(errno));
    }
    if (fchmod(w->fd, file_mode()) < 0) return wpoison(w, SYNAPT_E_IO, "chmod %s: %s", w->tmp, strerror(errno));
    if (w->do_fsync && fsync(w->fd) < 0) return wpoison(w, SYNAPT_E_IO, "fsync %s: %s", w->tmp, strerror(errno));
    if (w->overwrite) {
        if (rename(w->tmp, w->path) < 0)
            return wpoison(w, SYNAPT_E_IO, "rename %s to %s: %s", w->tmp, w->path, strerror(errno));
    } else {
        /* link() fails with EEXIST instead of replacing: no window where a
         * file created meanwhile by someone else is clobbered */
        if (link(w->tmp, w->path) < 0)
            return wpoison(w, errno == EEXIST ? SYNAPT_E_EXISTS : SYNAPT_E_IO, "cannot create %s: %s", w->path,
                           strerror(errno));
        unlink(w->tmp);
    }
    w->tmp[0] = 0;   /* renamed: nothing left to remove */
    if (w->do_fsync && (rc = fsync_dir(w))) return rc;
    return 0;
}

int synapt_writer_close(synapt_writer *w, char *errbuf, size_t errbuf_size)
{
    if (!w) {
        sy_errbuf_set(errbuf, errbuf_size, "synapt_writer_close: no writer");
        return SYNAPT_E_INVALID_ARG;
    }
    int rc = w->rc ? w->rc : finish(w);
    if (rc) sy_errbuf_set(errbuf, errbuf_size, w->msg);
    writer_free(w);
    return rc;
}

void synapt_writer_abort(synapt_writer *w)
{
    writer_free(w);
}
