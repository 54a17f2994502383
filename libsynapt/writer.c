/* writer.c - the write path: creating the file, records and output, the
 * in-memory index, and the atomic temp-file-then-rename finish. Clips and
 * streams are in writer_clip.c, chunking, prefilters and zstd in
 * writer_chunk.c; writer_internal.h is what they share.
 *
 * The file is written front to back under PATH.tmp-XXXXXX; only close()
 * renames it into place, so a crash or failure never leaves a partial file
 * at PATH (a memory writer builds the same bytes in its output buffer and
 * hands them over at close_memory). Each clip's chunks are written as they fill; the clip's CLIP
 * record follows them, so a forward scan of a crashed temp file can recover
 * every completed clip. The index is kept in memory in its on-disk encoding
 * and written once at close. */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
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
#include "chunk.h"
#include "writer_internal.h"


/* ------------------------------------------------------------------ */

int sy_werr(synapt_writer *w, int code, const char *fmt, ...)
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
int sy_wpoison(synapt_writer *w, int code, const char *fmt, ...)
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


/* ---- hash tables ---- */


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
uint32_t sy_ht_find(const synapt_writer *w, const htab *t, uint64_t h, ht_eq eq,
                        const void *key, size_t len)
{
    if (!t->cap) return UINT32_MAX;
    for (size_t j = (size_t)h & (t->cap - 1); t->v[j] != UINT32_MAX; j = (j + 1) & (t->cap - 1))
        if (t->h[j] == h && eq(w, t->v[j], key, len)) return t->v[j];
    return UINT32_MAX;
}

int sy_ht_insert(const sy_mem *m, htab *t, uint64_t h, uint32_t v)
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

int sy_str_eq(const synapt_writer *w, uint32_t off, const void *s, size_t len)
{
    return (uint64_t)off + len < w->strings.len && !memcmp(w->strings.data + off, s, len) &&
           w->strings.data[off + len] == 0;
}

/* Add bytes to STRINGS (NUL appended), reusing an identical earlier string.
 * Writes the StrRef at ref. */
int sy_add_string(synapt_writer *w, uint8_t *ref, const void *s, size_t len, int intern)
{
    if (!len) { sy_wr32(ref, 0); sy_wr32(ref + 4, 0); return 0; }
    uint64_t h = 0;
    if (intern) {
        h = XXH3_64bits(s, len);
        uint32_t off = sy_ht_find(w, &w->interned, h, sy_str_eq, s, len);
        if (off != UINT32_MAX) { sy_wr32(ref, off); sy_wr32(ref + 4, (uint32_t)len); return 0; }
    }
    if ((uint64_t)w->strings.len + len + 1 >= UINT32_MAX)
        return sy_wpoison(w, SYNAPT_E_LIMIT, "the string table exceeds 4 GiB");
    uint32_t off = (uint32_t)w->strings.len;
    if (sy_buf_append(&w->mem, &w->strings, s, len) || !sy_buf_extend(&w->mem, &w->strings, 1))
        return sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    if (intern && sy_ht_insert(&w->mem, &w->interned, h, off))
        return sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    sy_wr32(ref, off);
    sy_wr32(ref + 4, (uint32_t)len);
    return 0;
}

int sy_add_cstr(synapt_writer *w, uint8_t *ref, const char *s)
{
    return sy_add_string(w, ref, s ? s : "", s ? strlen(s) : 0, 1);
}

/* ---- output ---- */

static int write_all(synapt_writer *w, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t k = write(w->fd, p, n);
        if (k < 0) {
            if (errno == EINTR) continue;
            return sy_wpoison(w, SYNAPT_E_IO, "write %s: %s", w->tmp, strerror(errno));
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

int sy_out_flush(synapt_writer *w)
{
    if (w->memory) return 0;
    int rc = write_all(w, w->out.data, w->out.len);
    w->out.len = 0;
    return rc;
}

static int out_write(synapt_writer *w, const void *p, size_t n)
{
    int rc = 0;
    if (w->memory) {
        if (w->mem_limit && w->off + n > w->mem_limit)
            return sy_wpoison(w, SYNAPT_E_LIMIT, "the in-memory file would pass its limit of %llu bytes",
                              (unsigned long long)w->mem_limit);
        if (sy_buf_append(&w->mem, &w->out, p, n)) return sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory");
        w->off += n;
        return 0;
    }
    if (w->out.len + n > OUT_CAP && (rc = sy_out_flush(w))) return rc;
    if (n >= OUT_CAP) rc = write_all(w, p, n);
    else rc = sy_buf_append(&w->mem, &w->out, p, n) ? sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory") : 0;
    if (!rc) w->off += n;
    return rc;
}

/* Write a complete record whose body sits at rec[16 .. 16+body_len); the
 * prefix and trailer are filled here. rec must have room for the trailer.
 * Returns the checksum through *sum. */
int sy_write_record(synapt_writer *w, uint32_t type, uint8_t *rec, uint64_t body_len, uint64_t *sum)
{
    sy_rec_prefix_put(rec, type, body_len);
    uint64_t h = sy_xxh3(rec + SY_REC_PREFIX, (size_t)body_len);
    sy_wr64(rec + SY_REC_PREFIX + body_len, h);
    if (sum) *sum = h;
    /* older readers would fail on depth_rank (1.0), depth_ans (1.1),
     * depth_up (1.2) or depth_strip (1.3) chunks: the header says so
     * (patched at close) */
    if (type == SY_REC_CHUNK && body_len >= SY_CHUNK_HDR) {
        uint16_t cf = sy_rd16(rec + SY_REC_PREFIX + SY_CH_FILTER);
        if (cf == SYNAPT_FILTER_DEPTH_RANK) w->features |= SY_FEATURE_DEPTH_RANK;
        if (cf == SYNAPT_FILTER_DEPTH_UP) w->features |= SY_FEATURE_DEPTH_UP;
        uint16_t cc = sy_rd16(rec + SY_REC_PREFIX + SY_CH_COMPRESSION);
        if (cc == SYNAPT_COMPRESSION_DEPTH_ANS) w->features |= SY_FEATURE_DEPTH_ANS;
        if (cc == SYNAPT_COMPRESSION_DEPTH_STRIP) w->features |= SY_FEATURE_DEPTH_STRIP;
    }
    uint8_t hb[8];
    sy_wr64(hb, h);
    XXH3_128bits_update(&w->uuid_state, hb, 8);
    return out_write(w, rec, (size_t)(body_len + SY_REC_OVERHEAD));
}

/* ---- create ---- */

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

/* Create "PATH.tmp-XXXXXX" (the X's replaced) as creat() would, so the
 * kernel applies the umask, then make it private while it is written; *mode
 * gets the bits it had, which finish() gives back before the rename. This
 * learns the umask without setting it (which races with other threads) and
 * without reading /proc/self/status (6% of the CPU of packing a tiny clip,
 * where the scratch file of each clip paid it). The window between
 * the two calls exposes an empty file with the final file's own bits. */
static int create_tmp(char *tmpl, mode_t *mode)
{
    static const char az[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    static _Atomic uint64_t counter;
    size_t len = strlen(tmpl);
    for (int attempt = 0; attempt < 256; attempt++) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        uint64_t seed[4] = { (uint64_t)ts.tv_sec, (uint64_t)ts.tv_nsec, (uint64_t)getpid(),
                             atomic_fetch_add(&counter, 1) };
        uint64_t h = XXH3_64bits(seed, sizeof seed);
        for (size_t i = len - 6; i < len; i++, h /= 62)
            tmpl[i] = az[h % 62];
        int fd = open(tmpl, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno == EEXIST)
            continue;
        if (fd < 0)
            return -1;
        struct stat st;
        if (fstat(fd, &st) < 0 || fchmod(fd, 0600) < 0) {
            int e = errno;
            close(fd);
            unlink(tmpl);
            errno = e;
            return -1;
        }
        *mode = st.st_mode & 0777;
        return fd;
    }
    errno = EEXIST;
    return -1;
}

/* Both creates: `path` names the file and its messages; a memory writer
 * (memory = 1) has only the name and writes nothing to disk. */
static int writer_new(synapt_writer **out, const char *path, int memory, uint64_t limit,
                      const synapt_writer_options *opts, char *errbuf, size_t errbuf_size)
{
    static const synapt_writer_options defaults = SYNAPT_WRITER_OPTIONS_INIT;
    if (!opts) opts = &defaults;
    if (opts->version < 1 || opts->version > SYNAPT_WRITER_OPTIONS_VERSION) {
        sy_fmt(errbuf, errbuf_size, "%s: writer options version %u is not 1..%u", path, opts->version,
               SYNAPT_WRITER_OPTIONS_VERSION);
        return SYNAPT_E_INVALID_ARG;
    }
    /* version 1 callers pass a struct without the version 2 fields */
    int depth_comp = opts->version >= 2 ? opts->depth_compression : SYNAPT_COMPRESSION_AUTO;
    if (depth_comp != SYNAPT_COMPRESSION_AUTO && depth_comp != SYNAPT_COMPRESSION_ZSTD_FRAME &&
        depth_comp != SYNAPT_COMPRESSION_DEPTH_ANS && depth_comp != SYNAPT_COMPRESSION_DEPTH_STRIP) {
        sy_fmt(errbuf, errbuf_size, "%s: depth_compression %d is not AUTO, ZSTD_FRAME, DEPTH_ANS or DEPTH_STRIP", path,
               depth_comp);
        return SYNAPT_E_INVALID_ARG;
    }
    int depth_filt = opts->version >= 3 ? opts->depth_filter : SYNAPT_FILTER_AUTO;
    if ((depth_filt != SYNAPT_FILTER_AUTO && depth_filt != SYNAPT_FILTER_DEPTH_MED) ||
        (depth_filt == SYNAPT_FILTER_DEPTH_MED &&
         (depth_comp == SYNAPT_COMPRESSION_DEPTH_ANS || depth_comp == SYNAPT_COMPRESSION_DEPTH_STRIP))) {
        sy_fmt(errbuf, errbuf_size, "%s: depth_filter %d is not AUTO or DEPTH_MED (and DEPTH_MED is for the zstd path)",
               path, depth_filt);
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
    if (!memory && !opts->overwrite && access(path, F_OK) == 0) {
        sy_fmt(errbuf, errbuf_size, "%s: already exists", path);
        return SYNAPT_E_EXISTS;
    }
    /* close() renames the temporary file over PATH: over a device or FIFO
     * (say /dev/null, run as root) that would replace the node itself */
    struct stat pst;
    if (!memory && stat(path, &pst) == 0 && !S_ISREG(pst.st_mode)) {
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
    if (memory) {
        w->tmp[0] = 0;   /* no file to remove */
        w->memory = 1;
        w->mem_limit = limit;
    } else {
        memcpy(w->tmp, path, plen);
        memcpy(w->tmp + plen, ".tmp-XXXXXX", 12);
        w->fd = create_tmp(w->tmp, &w->mode);
        if (w->fd < 0) {
            rc = sy_werr(w, SYNAPT_E_IO, "cannot create %s: %s", w->tmp, strerror(errno));
            w->tmp[0] = 0;
            goto fail;
        }
    }
    w->level = opts->zstd_level ? opts->zstd_level : 3;
    w->depth_comp = depth_comp;
    w->depth_filt = depth_filt;
    w->deterministic = opts->deterministic;
    w->do_fsync = opts->fsync;
    w->overwrite = opts->overwrite;
    w->write_through = opts->write_through;
    w->target = opts->chunk_target_bytes ? opts->chunk_target_bytes : (1u << 20);
    w->max_frames = opts->chunk_max_frames ? opts->chunk_max_frames : 64;
    ZSTD_customMem cm = { mem.malloc_fn, mem.free_fn, mem.opaque };
    w->cctx = ZSTD_createCCtx_advanced(cm);
    if (!w->cctx) { rc = sy_werr(w, SYNAPT_E_NOMEM, "out of memory (zstd context)"); goto fail; }
    XXH3_128bits_reset(&w->uuid_state);
    /* STRINGS starts with the NUL that the empty StrRef {0,0} points at */
    if (!sy_buf_extend(&mem, &w->strings, 1)) { rc = sy_werr(w, SYNAPT_E_NOMEM, "out of memory"); goto fail; }

    uint8_t uuid[16];
    if (opts->uuid) memcpy(uuid, opts->uuid, 16);
    else if (opts->deterministic) { memset(uuid, 0, 16); w->derive_uuid = 1; }
    else make_uuid(uuid);

    w->header_len = SY_REC_OVERHEAD + SY_HEADER_FIXED + wlen;
    w->header_rec = sy_calloc(&mem, w->header_len);
    /* a memory image grows as needed (small clips are the point of it) */
    if (!w->header_rec || sy_buf_reserve(&mem, &w->out, memory ? 64u << 10 : OUT_CAP)) {
        rc = sy_werr(w, SYNAPT_E_NOMEM, "out of memory");
        goto fail;
    }
    uint8_t *b = w->header_rec + SY_REC_PREFIX;
    sy_wr16(b, SYNAPT_FORMAT_MAJOR);
    sy_wr16(b + 2, SYNAPT_FORMAT_MINOR);
    memcpy(b + 8, uuid, 16);
    sy_wr64(b + 40, opts->deterministic ? 0 : (uint64_t)time(NULL));
    sy_wr16(b + 48, (uint16_t)wlen);
    sprintf((char *)b + 50, "%s %s", wname, wver);   /* length checked above */
    /* the trailing NUL from sprintf lands in the checksum slot, rewritten below */
    if ((rc = out_write(w, sy_magic, SY_MAGIC_LEN))) goto fail;
    sy_rec_prefix_put(w->header_rec, SY_REC_HEADER, SY_HEADER_FIXED + wlen);
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

int synapt_writer_create(synapt_writer **out, const char *path, const synapt_writer_options *opts,
                         char *errbuf, size_t errbuf_size)
{
    if (out) *out = NULL;
    if (!out || !path || !*path) {
        sy_errbuf_set(errbuf, errbuf_size, "synapt_writer_create: out and path are required");
        return SYNAPT_E_INVALID_ARG;
    }
    return writer_new(out, path, 0, 0, opts, errbuf, errbuf_size);
}

int synapt_writer_create_memory(synapt_writer **out, const char *name, uint64_t limit,
                                const synapt_writer_options *opts, char *errbuf, size_t errbuf_size)
{
    if (out) *out = NULL;
    if (!out) {
        sy_errbuf_set(errbuf, errbuf_size, "synapt_writer_create_memory: out is required");
        return SYNAPT_E_INVALID_ARG;
    }
    return writer_new(out, name && *name ? name : "<memory>", 1, limit, opts, errbuf, errbuf_size);
}

const char *synapt_writer_errmsg(const synapt_writer *w)
{
    return w ? w->msg : "";
}

const sy_mem *sy_writer_mem(const synapt_writer *w) { return &w->mem; }

int sy_writer_note(synapt_writer *w, int code, const char *text)
{
    return sy_werr(w, code, "%s", text);
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
    if (!a) return sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < t->cap; i++)
        if (t->v[i] != UINT32_MAX) { a[k].h = t->h[i]; a[k].v = t->v[i]; k++; }
    hent_sort(a, k);
    uint8_t *e = sy_buf_extend(&w->mem, out, k * SY_HASH_ENTRY);
    if (!e && k) { sy_free(&w->mem, a); return sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory"); }
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
    sy_free_clip_state(w);
    sy_free(&m, w->ws);
    ZSTD_freeCCtx(w->cctx);
    sy_buf *bufs[] = { &w->out, &w->clips, &w->streams, &w->chunks, &w->labels, &w->clip_labels,
                       &w->groups, &w->strings, &w->rec, &w->fbuf, &w->tmpbuf, &w->altbuf };
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
    if (!dir) return sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    if (slash) dir[slash - w->path == 0 ? 1 : slash - w->path] = 0;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = 0;
    if (fd < 0 || fsync(fd) < 0) rc = sy_wpoison(w, SYNAPT_E_IO, "fsync directory %s: %s", dir, strerror(errno));
    if (fd >= 0) close(fd);
    sy_free(&w->mem, dir);
    return rc;
}

/* Write the HEADER record again (same size) over the one written first. */
static int patch_header(synapt_writer *w)
{
    if (w->memory) {
        memcpy(w->out.data + SY_MAGIC_LEN, w->header_rec, w->header_len);
        return 0;
    }
    if (pwrite(w->fd, w->header_rec, w->header_len, SY_MAGIC_LEN) != (ssize_t)w->header_len)
        return sy_wpoison(w, SYNAPT_E_IO, "write %s: %s", w->tmp, strerror(errno));
    return 0;
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
    if ((rc = out_write(w, foot, sizeof foot)) || (rc = sy_out_flush(w))) return rc;
    if (w->features) {
        /* the header is written first, before anyone knows whether a chunk
         * will need a feature; same size, so patched in place like the uuid */
        uint8_t *b = w->header_rec + SY_REC_PREFIX;
        uint64_t body = w->header_len - SY_REC_OVERHEAD;
        sy_wr64(b + 24, w->features);
        sy_wr64(b + body, XXH3_64bits(b, (size_t)body));
        if (!w->derive_uuid && (rc = patch_header(w))) return rc;
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
        if ((rc = patch_header(w))) return rc;
    }
    if (w->memory) return 0;   /* the image is complete in w->out */
    if (fchmod(w->fd, w->mode) < 0) return sy_wpoison(w, SYNAPT_E_IO, "chmod %s: %s", w->tmp, strerror(errno));
    if (w->do_fsync && fsync(w->fd) < 0) return sy_wpoison(w, SYNAPT_E_IO, "fsync %s: %s", w->tmp, strerror(errno));
    if (w->overwrite) {
        if (rename(w->tmp, w->path) < 0)
            return sy_wpoison(w, SYNAPT_E_IO, "rename %s to %s: %s", w->tmp, w->path, strerror(errno));
    } else {
        /* link() fails with EEXIST instead of replacing: no window where a
         * file created meanwhile by someone else is clobbered */
        if (link(w->tmp, w->path) < 0)
            return sy_wpoison(w, errno == EEXIST ? SYNAPT_E_EXISTS : SYNAPT_E_IO, "cannot create %s: %s", w->path,
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

int synapt_writer_close_memory(synapt_writer *w, void **data, size_t *size, char *errbuf, size_t errbuf_size)
{
    if (data) *data = NULL;
    if (size) *size = 0;
    if (!w || !data || !size) {
        sy_errbuf_set(errbuf, errbuf_size, "synapt_writer_close_memory: writer, data and size are required");
        writer_free(w);
        return SYNAPT_E_INVALID_ARG;
    }
    int rc = w->rc;
    if (!rc && !w->memory) rc = sy_werr(w, SYNAPT_E_STATE, "not a memory writer (synapt_writer_close finishes it)");
    if (!rc) rc = finish(w);
    if (rc) {
        sy_errbuf_set(errbuf, errbuf_size, w->msg);
    } else {
        *data = w->out.data;   /* allocated with the writer's allocator */
        *size = w->out.len;
        w->out.data = NULL;
        w->out.len = w->out.cap = 0;
    }
    writer_free(w);
    return rc;
}

void synapt_writer_abort(synapt_writer *w)
{
    writer_free(w);
}

