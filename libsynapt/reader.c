/* reader.c - the read path.
 *
 * Opening reads the footer, the header and the index, validates the section
 * directory and (optionally) the index checksum, and does nothing per clip,
 * so a file of any size opens in about the time it takes to hash its index.
 * Every entry is validated when it is used: a StrRef is checked for bounds
 * and its NUL, every id and range against the table it points into, every
 * chunk record against its index entry. Reads use pread on one descriptor
 * (or a memory image) and pooled per-call working state, so one handle serves
 * many threads; the only shared mutable state is the zstd context pool and
 * the last-error text, each behind its own mutex. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <xxhash.h>
#include "internal.h"

static const uint32_t known_esize[SY_SEC_COUNT_] = {
    0, SY_CLIP_ENTRY, SY_HASH_ENTRY, SY_STREAM_ENTRY, SY_CHUNK_ENTRY, SY_STRREF, SY_HASH_ENTRY,
    SY_CLIP_LABEL, SY_GROUP_ENTRY, 1,
};
static const char *const sec_names[SY_SEC_COUNT_] = {
    "", "CLIPS", "CLIP_IDS", "STREAMS", "CHUNKS", "LABELS", "LABEL_IDS", "CLIP_LABELS", "GROUPS", "STRINGS",
};

#define ENTRY(r, id, i) ((r)->sec[id].p + (size_t)(i) * (r)->sec[id].esize)

/* ------------------------------------------------------------------ */
/* strings and messages */

/* Resolve a StrRef: 0 and the NUL-terminated text, or nonzero when it is
 * out of bounds, unterminated, holds an inner NUL (text) or is too long. */
static int ref_bytes(const synapt_reader *r, const uint8_t *ref, const char **out, size_t *len, int text)
{
    uint64_t off = sy_rd32(ref), n = sy_rd32(ref + 4);
    const sy_section *s = &r->sec[SY_SEC_STRINGS];
    if (!s->p || off + n >= s->count || s->p[off + n] != 0) return SYNAPT_E_CORRUPT;
    if (n > r->limits.max_string_bytes) return SYNAPT_E_LIMIT;
    if (text && memchr(s->p + off, 0, (size_t)n)) return SYNAPT_E_CORRUPT;
    *out = (const char *)s->p + off;
    if (len) *len = (size_t)n;
    return 0;
}

static const char *safe_str(const synapt_reader *r, const uint8_t *ref)
{
    const char *s;
    return ref_bytes(r, ref, &s, NULL, 1) ? NULL : s;
}

static void set_msg(const synapt_reader *rc, const char *text)
{
    synapt_reader *r = (synapt_reader *)rc;   /* the message slot is mutable state */
    pthread_mutex_lock(&r->msg_lock);
    sy_fmt(r->msg, sizeof r->msg, "%s", text);
    pthread_mutex_unlock(&r->msg_lock);
}

int sy_rerr(const synapt_reader *r, int code, uint64_t clip, uint32_t stream, uint64_t chunk, const char *fmt, ...)
{
    char text[SY_MSG_MAX], where[SY_MSG_MAX] = "";
    size_t w = 0;
    va_list ap;
    va_start(ap, fmt);
    sy_vfmt(text, sizeof text, fmt, ap);
    va_end(ap);
    if (clip != SY_NO_CLIP) {
        const char *id = NULL, *sname = NULL;
        if (clip < r->sec[SY_SEC_CLIPS].count) {
            const uint8_t *ce = ENTRY(r, SY_SEC_CLIPS, clip);
            id = safe_str(r, ce + SY_CE_ID);
            uint64_t sf = sy_rd32(ce + SY_CE_STREAM_FIRST);
            if (stream != SY_NO_STREAM && stream < sy_rd32(ce + SY_CE_STREAM_COUNT) &&
                sf + stream < r->sec[SY_SEC_STREAMS].count)
                sname = safe_str(r, ENTRY(r, SY_SEC_STREAMS, sf + stream) + SY_SE_NAME);
        }
        sy_fmt(where, sizeof where, "clip %llu%s%.200s%s", (unsigned long long)clip, id ? " (" : "", id ? id : "",
               id ? ")" : "");
        w = strlen(where);
        if (stream != SY_NO_STREAM) {
            if (sname && *sname) sy_fmt(where + w, sizeof where - w, " stream %.100s", sname);
            else sy_fmt(where + w, sizeof where - w, " stream %u", stream);
            w = strlen(where);
        }
        if (chunk != SY_NO_CHUNK) sy_fmt(where + w, sizeof where - w, " chunk %llu", (unsigned long long)chunk);
    }
    char full[SY_MSG_MAX];
    if (where[0]) sy_fmt(full, sizeof full, "%s: %s: %s", r->name, where, text);
    else sy_fmt(full, sizeof full, "%s: %s", r->name, text);
    set_msg(r, full);
    return code;
}

#define ERR0(r, code, ...) sy_rerr(r, code, SY_NO_CLIP, SY_NO_STREAM, SY_NO_CHUNK, __VA_ARGS__)

const char *synapt_reader_errmsg(const synapt_reader *r) { return r ? r->msg : ""; }
const char *synapt_reader_path(const synapt_reader *r) { return r ? r->name : ""; }

/* ------------------------------------------------------------------ */
/* raw access */

/* Read n bytes at off: 0, _IO, or _TRUNCATED when the file is shorter. */
static int rd_at(const synapt_reader *r, void *buf, uint64_t off, size_t n)
{
    uint64_t end;
    if (!sy_add_ok(off, n, &end) || end > r->file_size) return SYNAPT_E_TRUNCATED;
    if (r->image) { memcpy(buf, r->image + off, n); return 0; }
    uint8_t *p = buf;
    while (n) {
        ssize_t k = pread(r->fd, p, n, (off_t)off);
        if (k < 0) {
            if (errno == EINTR) continue;
            return SYNAPT_E_IO;
        }
        if (k == 0) return SYNAPT_E_TRUNCATED;   /* shrank since open */
        p += k;
        off += (uint64_t)k;
        n -= (size_t)k;
    }
    return 0;
}

/* Bytes at [off, off+n): a pointer into the memory image, or read into
 * *scratch (grown as needed). */
static int fetch(const synapt_reader *r, const uint8_t **out, sy_buf *scratch, uint64_t off, size_t n)
{
    uint64_t end;
    if (!sy_add_ok(off, n, &end) || end > r->file_size) return SYNAPT_E_TRUNCATED;
    if (r->image) { *out = r->image + off; return 0; }
    scratch->len = 0;
    if (sy_buf_reserve(&r->mem, scratch, n)) return SYNAPT_E_NOMEM;
    int rc = rd_at(r, scratch->data, off, n);
    *out = scratch->data;
    return rc;
}

/* Working state of one call: taken from the reader's pool, returned after.
 * Only pop and push hold the lock. */
typedef struct sy_rctx {
    ZSTD_DCtx *dctx;
    sy_buf rec, whole, ftmp, chunkraw, frame;
} rctx;

/* Buffers bigger than this are not kept between calls. */
#define SY_KEEP_BYTES (64u << 20)

static void ctx_destroy(const synapt_reader *r, rctx *c)
{
    if (!c) return;
    ZSTD_freeDCtx(c->dctx);
    sy_buf_free(&r->mem, &c->rec);
    sy_buf_free(&r->mem, &c->whole);
    sy_buf_free(&r->mem, &c->ftmp);
    sy_buf_free(&r->mem, &c->chunkraw);
    sy_buf_free(&r->mem, &c->frame);
    sy_free(&r->mem, c);
}

static rctx *ctx_get(const synapt_reader *rc)
{
    synapt_reader *r = (synapt_reader *)rc;
    rctx *c = NULL;
    pthread_mutex_lock(&r->pool_lock);
    if (r->nctx) c = r->ctx[--r->nctx];
    pthread_mutex_unlock(&r->pool_lock);
    if (!c) c = sy_calloc(&r->mem, sizeof *c);
    return c;
}

static void ctx_put(const synapt_reader *rc, rctx *c)
{
    synapt_reader *r = (synapt_reader *)rc;
    if (!c) return;
    sy_buf *bufs[] = { &c->rec, &c->whole, &c->ftmp, &c->chunkraw, &c->frame };
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        if (bufs[i]->cap > SY_KEEP_BYTES) sy_buf_free(&r->mem, bufs[i]);
    pthread_mutex_lock(&r->pool_lock);
    if (r->nctx < SY_DCTX_POOL) { r->ctx[r->nctx++] = c; c = NULL; }
    pthread_mutex_unlock(&r->pool_lock);
    ctx_destroy(r, c);
}

static ZSTD_DCtx *ctx_dctx(const synapt_reader *r, rctx *c)
{
    if (!c->dctx) {
        ZSTD_customMem cm = { r->mem.malloc_fn, r->mem.free_fn, r->mem.opaque };
        c->dctx = ZSTD_createDCtx_advanced(cm);
    }
    return c->dctx;
}

/* ------------------------------------------------------------------ */
/* open */

static void reader_free(synapt_reader *r)
{
    if (!r) return;
    sy_mem m = r->mem;
    if (r->video_cache && r->video_cache_free) r->video_cache_free(r->video_cache);
    if (r->map_base) munmap(r->map_base, r->map_len);
    sy_free(&m, r->index_owned);
    if (r->fd >= 0) close(r->fd);
    for (int i = 0; i < r->nctx; i++) ctx_destroy(r, r->ctx[i]);
    pthread_mutex_destroy(&r->pool_lock);
    pthread_mutex_destroy(&r->msg_lock);
    sy_free(&m, r->name);
    sy_free(&m, r);
}

static int open_fail(synapt_reader *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int open_fail(synapt_reader *r, int code, const char *fmt, ...)
{
    char text[SY_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    sy_vfmt(text, sizeof text, fmt, ap);
    va_end(ap);
    sy_fmt(r->msg, sizeof r->msg, "%s: %s", r->name, text);
    return code;
}

static const char *rd_why(int rc)
{
    return rc == SYNAPT_E_IO ? strerror(errno) : "the file ends early";
}

static int parse_directory(synapt_reader *r)
{
    const uint8_t *b = r->index;
    uint64_t len = r->index_len;
    if (len < SY_INDEX_HDR) return open_fail(r, SYNAPT_E_CORRUPT, "index body of %llu bytes is too short", (unsigned long long)len);
    uint32_t ver = sy_rd32(b), nsec = sy_rd32(b + 4);
    if (ver != SY_INDEX_VERSION) return open_fail(r, SYNAPT_E_VERSION, "index version %u is not %u", ver, SY_INDEX_VERSION);
    if (nsec > SY_MAX_SECTIONS || SY_INDEX_HDR + (uint64_t)nsec * SY_DIR_ENTRY > len)
        return open_fail(r, SYNAPT_E_CORRUPT, "index directory of %u sections does not fit the index", nsec);
    for (uint32_t i = 0; i < nsec; i++) {
        const uint8_t *d = b + SY_INDEX_HDR + (size_t)i * SY_DIR_ENTRY;
        uint32_t id = sy_rd32(d), es = sy_rd32(d + 4);
        uint64_t off = sy_rd64(d + 8), count = sy_rd64(d + 16), bytes, end;
        if (id == 0 || id >= SY_SEC_COUNT_) continue;   /* unknown sections are skipped */
        if (r->sec[id].esize) return open_fail(r, SYNAPT_E_CORRUPT, "index section %s appears twice", sec_names[id]);
        if (es < known_esize[id] || (id == SY_SEC_STRINGS && es != 1))
            return open_fail(r, SYNAPT_E_CORRUPT, "index section %s: entry size %u is below %u", sec_names[id], es,
                             known_esize[id]);
        if (!sy_mul_ok(count, es, &bytes) || !sy_add_ok(off, bytes, &end) || end > len)
            return open_fail(r, SYNAPT_E_CORRUPT, "index section %s (%llu entries at %llu) lies outside the index",
                             sec_names[id], (unsigned long long)count, (unsigned long long)off);
        r->sec[id].p = b + off;
        r->sec[id].count = count;
        r->sec[id].esize = es;
    }
    /* references are 32-bit in clip entries and chunk headers */
    if (r->sec[SY_SEC_CLIPS].count > UINT32_MAX || r->sec[SY_SEC_LABELS].count > UINT32_MAX ||
        r->sec[SY_SEC_STRINGS].count > UINT32_MAX + 1ull)
        return open_fail(r, SYNAPT_E_CORRUPT, "index tables exceed their 32-bit references");
    if (r->sec[SY_SEC_CLIP_IDS].count != r->sec[SY_SEC_CLIPS].count)
        return open_fail(r, SYNAPT_E_CORRUPT, "index has %llu clip id hashes for %llu clips",
                         (unsigned long long)r->sec[SY_SEC_CLIP_IDS].count, (unsigned long long)r->sec[SY_SEC_CLIPS].count);
    if (r->sec[SY_SEC_LABEL_IDS].count != r->sec[SY_SEC_LABELS].count)
        return open_fail(r, SYNAPT_E_CORRUPT, "index has %llu label hashes for %llu labels",
                         (unsigned long long)r->sec[SY_SEC_LABEL_IDS].count, (unsigned long long)r->sec[SY_SEC_LABELS].count);
    return 0;
}

static int open_common(synapt_reader *r, int verify_index, int use_mmap)
{
    int rc;
    uint64_t size = r->file_size;
    uint8_t head[4096];
    size_t hn = size < sizeof head ? (size_t)size : sizeof head;
    if ((rc = rd_at(r, head, 0, hn))) return open_fail(r, rc, "cannot read: %s", rd_why(rc));
    if (hn < SY_MAGIC_LEN - 1 || memcmp(head, sy_magic, SY_MAGIC_LEN - 1))
        return open_fail(r, hn < SY_MAGIC_LEN - 1 && !memcmp(head, sy_magic, hn) && hn ? SYNAPT_E_TRUNCATED : SYNAPT_E_NOT_SYNAPT,
                         "not a .synapt file (magic bytes absent)");
    if (hn < SY_MAGIC_LEN) return open_fail(r, SYNAPT_E_TRUNCATED, "the file ends inside the magic bytes");
    if (head[7] != SYNAPT_FORMAT_MAJOR)
        return open_fail(r, SYNAPT_E_VERSION, "format major version %u; this library reads %u", head[7], SYNAPT_FORMAT_MAJOR);
    if (hn < SY_MAGIC_LEN + SY_REC_PREFIX) return open_fail(r, SYNAPT_E_TRUNCATED, "the file ends inside the header");
    const uint8_t *hp = head + SY_MAGIC_LEN;
    uint32_t type = sy_rd32(hp);
    uint64_t blen = sy_rd64(hp + 8);
    if (type != SY_REC_HEADER) return open_fail(r, SYNAPT_E_CORRUPT, "the first record has type %u, not HEADER", type);
    if (blen < SY_HEADER_FIXED || blen > 65536)
        return open_fail(r, SYNAPT_E_CORRUPT, "header body length %llu is invalid", (unsigned long long)blen);
    uint64_t hdr_end = SY_MAGIC_LEN + SY_REC_OVERHEAD + blen;
    if (hdr_end > size) return open_fail(r, SYNAPT_E_TRUNCATED, "the file ends inside the header");
    const uint8_t *hb = head + SY_MAGIC_LEN + SY_REC_PREFIX;
    uint8_t *hheap = NULL;   /* a header longer than the first read (future fields) */
    if (hdr_end > hn) {
        if (!(hheap = sy_malloc(&r->mem, (size_t)blen + SY_REC_TRAILER)))
            return open_fail(r, SYNAPT_E_NOMEM, "out of memory for the header");
        if ((rc = rd_at(r, hheap, SY_MAGIC_LEN + SY_REC_PREFIX, (size_t)blen + SY_REC_TRAILER))) {
            sy_free(&r->mem, hheap);
            return open_fail(r, rc, "cannot read the header: %s", rd_why(rc));
        }
        hb = hheap;
    }
    int sum_ok = XXH3_64bits(hb, (size_t)blen) == sy_rd64(hb + blen);
    r->major = sy_rd16(hb);
    r->minor = sy_rd16(hb + 2);
    memcpy(r->uuid, hb + 8, 16);
    r->required_features = sy_rd64(hb + 24);
    r->optional_features = sy_rd64(hb + 32);
    r->created_unix = sy_rd64(hb + 40);
    uint16_t wl = sy_rd16(hb + 48);
    int wl_ok = wl <= SY_WRITER_MAX && SY_HEADER_FIXED + (uint64_t)wl <= blen;
    if (wl_ok) {
        memcpy(r->writer, hb + SY_HEADER_FIXED, wl);
        r->writer[wl] = 0;
    }
    sy_free(&r->mem, hheap);
    if (!sum_ok) return open_fail(r, SYNAPT_E_CHECKSUM, "header checksum mismatch");
    if (r->major != head[7])
        return open_fail(r, SYNAPT_E_CORRUPT, "header says format %u but the magic says %u", r->major, head[7]);
    if (!wl_ok) return open_fail(r, SYNAPT_E_CORRUPT, "header writer string of %u bytes is invalid", wl);
    if (r->required_features & ~(uint64_t)SY_FEATURES_KNOWN)
        return open_fail(r, SYNAPT_E_FEATURE, "the file requires features 0x%llx this library does not know",
                         (unsigned long long)(r->required_features & ~(uint64_t)SY_FEATURES_KNOWN));

    /* footer */
    if (size < hdr_end + SY_FOOTER)
        return open_fail(r, SYNAPT_E_TRUNCATED, "no footer: the file was not finished (a recovery tool may salvage it)");
    uint8_t foot[SY_FOOTER];
    if ((rc = rd_at(r, foot, size - SY_FOOTER, SY_FOOTER))) return open_fail(r, rc, "cannot read the footer: %s", rd_why(rc));
    if (memcmp(foot + 24, sy_magic, SY_MAGIC_LEN))
        return open_fail(r, SYNAPT_E_TRUNCATED, "no footer: the file was not finished or was cut short (a recovery tool may salvage it)");
    if (XXH3_64bits(foot, 16) != sy_rd64(foot + 16)) return open_fail(r, SYNAPT_E_CHECKSUM, "footer checksum mismatch");
    uint64_t io = sy_rd64(foot), irs = sy_rd64(foot + 8), iend;
    if (io < hdr_end || irs < SY_REC_OVERHEAD || !sy_add_ok(io, irs, &iend) || iend != size - SY_FOOTER)
        return open_fail(r, SYNAPT_E_CORRUPT, "footer points at an index (%llu bytes at %llu) that does not end at the footer",
                         (unsigned long long)irs, (unsigned long long)io);
    uint64_t ilen = irs - SY_REC_OVERHEAD;
    if (ilen > r->limits.max_index_bytes || ilen > SIZE_MAX / 2)
        return open_fail(r, SYNAPT_E_LIMIT, "index of %llu bytes exceeds the limit of %llu", (unsigned long long)ilen,
                         (unsigned long long)r->limits.max_index_bytes);
    r->index_offset = io;
    r->index_record_size = irs;

    const uint8_t *rec;
    if (r->image) {
        rec = r->image + io;
    } else {
        rec = NULL;
        if (use_mmap) {
            long pg = sysconf(_SC_PAGESIZE);
            uint64_t start = io & ~(uint64_t)(pg > 0 ? pg - 1 : 4095);
            size_t len = (size_t)(iend - start);
            void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | (verify_index ? MAP_POPULATE : 0), r->fd, (off_t)start);
            /* some filesystems (FUSE, network) refuse mmap: read instead */
            if (p != MAP_FAILED) {
                r->map_base = p;
                r->map_len = len;
                rec = (const uint8_t *)p + (io - start);
            }
        }
    }
    if (!rec) {
        r->index_owned = sy_malloc(&r->mem, (size_t)irs);
        if (!r->index_owned) return open_fail(r, SYNAPT_E_NOMEM, "out of memory for the %llu-byte index", (unsigned long long)irs);
        if ((rc = rd_at(r, r->index_owned, io, (size_t)irs))) return open_fail(r, rc, "cannot read the index: %s", rd_why(rc));
        rec = r->index_owned;
    }
    if (sy_rd32(rec) != SY_REC_INDEX || sy_rd64(rec + 8) != ilen)
        return open_fail(r, SYNAPT_E_CORRUPT, "the footer does not point at an INDEX record");
    r->index = rec + SY_REC_PREFIX;
    r->index_len = ilen;
    if (verify_index && XXH3_64bits(r->index, (size_t)ilen) != sy_rd64(r->index + ilen))
        return open_fail(r, SYNAPT_E_CHECKSUM, "index checksum mismatch");
    return parse_directory(r);
}

static int reader_new(synapt_reader **out, const char *name, const synapt_reader_options *opts,
                      char *errbuf, size_t errbuf_size)
{
    sy_mem mem;
    sy_mem_init(&mem, opts->allocator);
    synapt_reader *r = sy_calloc(&mem, sizeof *r);
    if (!r) { sy_fmt(errbuf, errbuf_size, "%s: out of memory", name); return SYNAPT_E_NOMEM; }
    r->mem = mem;
    r->fd = -1;
    r->limits = opts->limits;
    r->verify_checksums = opts->verify_checksums;
    pthread_mutex_init(&r->pool_lock, NULL);
    pthread_mutex_init(&r->msg_lock, NULL);
    r->name = sy_strdup(&mem, name);
    if (!r->name) {
        reader_free(r);
        sy_fmt(errbuf, errbuf_size, "%s: out of memory", name);
        return SYNAPT_E_NOMEM;
    }
    *out = r;
    return 0;
}

static int check_opts(const synapt_reader_options *opts, const char *name, char *errbuf, size_t errbuf_size)
{
    if (opts->version != SYNAPT_READER_OPTIONS_VERSION) {
        sy_fmt(errbuf, errbuf_size, "%s: reader options version %u is not %u", name, opts->version,
               SYNAPT_READER_OPTIONS_VERSION);
        return SYNAPT_E_INVALID_ARG;
    }
    const synapt_allocator *a = opts->allocator;
    if (a && (!a->malloc_fn || !a->realloc_fn || !a->free_fn)) {
        sy_fmt(errbuf, errbuf_size, "%s: an allocator needs malloc_fn, realloc_fn and free_fn", name);
        return SYNAPT_E_INVALID_ARG;
    }
    return 0;
}

int synapt_reader_open2(synapt_reader **out, const char *path, const synapt_reader_options *opts,
                        char *errbuf, size_t errbuf_size)
{
    static const synapt_reader_options defaults = SYNAPT_READER_OPTIONS_INIT;
    if (out) *out = NULL;
    if (!out || !path) {
        sy_errbuf_set(errbuf, errbuf_size, "synapt_reader_open: out and path are required");
        return SYNAPT_E_INVALID_ARG;
    }
    if (!opts) opts = &defaults;
    int rc = check_opts(opts, path, errbuf, errbuf_size);
    if (rc) return rc;
    synapt_reader *r;
    if ((rc = reader_new(&r, path, opts, errbuf, errbuf_size))) return rc;
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (r->fd < 0) rc = open_fail(r, SYNAPT_E_IO, "cannot open: %s", strerror(errno));
    else if (fstat(r->fd, &st) < 0) rc = open_fail(r, SYNAPT_E_IO, "cannot stat: %s", strerror(errno));
    else if (!S_ISREG(st.st_mode)) rc = open_fail(r, SYNAPT_E_IO, "not a regular file");
    else {
        r->file_size = (uint64_t)st.st_size;
        rc = open_common(r, opts->verify_index, opts->use_mmap);
    }
    if (rc) {
        sy_errbuf_set(errbuf, errbuf_size, r->msg);
        reader_free(r);
        return rc;
    }
    r->msg[0] = 0;
    *out = r;
    return 0;
}

int synapt_reader_open(synapt_reader **out, const char *path, const synapt_reader_options *opts)
{
    return synapt_reader_open2(out, path, opts, NULL, 0);
}

int synapt_reader_open_memory(synapt_reader **out, const void *data, size_t size, const char *name,
                              const synapt_reader_options *opts, char *errbuf, size_t errbuf_size)
{
    static const synapt_reader_options defaults = SYNAPT_READER_OPTIONS_INIT;
    if (out) *out = NULL;
    if (!name) name = "<memory>";
    if (!out || (!data && size)) {
        sy_errbuf_set(errbuf, errbuf_size, "synapt_reader_open_memory: out and data are required");
        return SYNAPT_E_INVALID_ARG;
    }
    if (!opts) opts = &defaults;
    int rc = check_opts(opts, name, errbuf, errbuf_size);
    if (rc) return rc;
    synapt_reader *r;
    if ((rc = reader_new(&r, name, opts, errbuf, errbuf_size))) return rc;
    static const uint8_t empty[1];
    r->image = data ? data : empty;
    r->file_size = size;
    if ((rc = open_common(r, opts->verify_index, 0))) {
        sy_errbuf_set(errbuf, errbuf_size, r->msg);
        reader_free(r);
        return rc;
    }
    r->msg[0] = 0;
    *out = r;
    return 0;
}

void synapt_reader_close(synapt_reader *r) { reader_free(r); }

int synapt_reader_file_info(synapt_file_info *out, const synapt_reader *r)
{
    if (!out || !r) return SYNAPT_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    out->format_major = r->major;
    out->format_minor = r->minor;
    memcpy(out->uuid, r->uuid, 16);
    out->writer = r->writer;
    out->required_features = r->required_features;
    out->optional_features = r->optional_features;
    out->created_unix = r->created_unix;
    out->clip_count = r->sec[SY_SEC_CLIPS].count;
    out->label_count = r->sec[SY_SEC_LABELS].count;
    out->stream_count = r->sec[SY_SEC_STREAMS].count;
    out->chunk_count = r->sec[SY_SEC_CHUNKS].count;
    out->file_bytes = r->file_size;
    out->index_bytes = r->index_record_size;
    return 0;
}

uint64_t synapt_reader_clip_count(const synapt_reader *r) { return r ? r->sec[SY_SEC_CLIPS].count : 0; }
uint64_t synapt_reader_label_count(const synapt_reader *r) { return r ? r->sec[SY_SEC_LABELS].count : 0; }

/* ------------------------------------------------------------------ */
/* labels */

const char *synapt_reader_label_name(const synapt_reader *r, uint32_t id)
{
    if (!r) return NULL;
    if (id >= r->sec[SY_SEC_LABELS].count) {
        ERR0(r, SYNAPT_E_RANGE, "label %u does not exist (%llu labels)", id, (unsigned long long)r->sec[SY_SEC_LABELS].count);
        return NULL;
    }
    const char *s;
    if (ref_bytes(r, ENTRY(r, SY_SEC_LABELS, id), &s, NULL, 1)) {
        ERR0(r, SYNAPT_E_CORRUPT, "label %u: name string out of bounds", id);
        return NULL;
    }
    return s;
}

/* First position in a hash section whose hash is >= h. */
static uint64_t hash_lower(const sy_section *s, uint64_t h)
{
    uint64_t lo = 0, hi = s->count;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (sy_rd64(s->p + (size_t)mid * s->esize) < h) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Look `key` up in a sorted {hash, index} table (CLIP_IDS or LABEL_IDS):
 * the entries whose hash matches are compared by the string their target
 * entry's StrRef (at `ref_off`) names. `table`, `target` and `missing`
 * word the messages ("clip id" / "clip" / "no clip with id"). */
static int hash_find(uint32_t *out, const synapt_reader *r, int ids_sec, int target_sec,
                     size_t ref_off, const char *key, const char *table, const char *target,
                     const char *missing)
{
    size_t len = strlen(key);
    uint64_t h = XXH3_64bits(key, len);
    const sy_section *s = &r->sec[ids_sec];
    for (uint64_t i = hash_lower(s, h); i < s->count && sy_rd64(s->p + (size_t)i * s->esize) == h; i++) {
        uint32_t t = sy_rd32(s->p + (size_t)i * s->esize + 8);
        const char *str;
        size_t sl;
        if (t >= r->sec[target_sec].count || ref_bytes(r, ENTRY(r, target_sec, t) + ref_off, &str, &sl, 1))
            return ERR0(r, SYNAPT_E_CORRUPT, "%s hash table entry %llu points at a bad %s", table,
                        (unsigned long long)i, target);
        if (sl == len && !memcmp(str, key, len)) { *out = t; return 0; }
    }
    return ERR0(r, SYNAPT_E_NOT_FOUND, "%s %.200s", missing, key);
}

int synapt_reader_find_label(uint32_t *out, const synapt_reader *r, const char *name)
{
    if (!out || !r || !name) return SYNAPT_E_INVALID_ARG;
    return hash_find(out, r, SY_SEC_LABEL_IDS, SY_SEC_LABELS, 0, name, "label", "label",
                     "no label named");
}

/* ------------------------------------------------------------------ */
/* clips */

typedef struct clipview {
    const uint8_t *e;
    const char *id, *split, *source, *meta;
    size_t meta_len;
    uint32_t label_first, label_count, group_first, group_count, stream_first, stream_count;
} clipview;

/* A clip entry's ranges and limits: what every frame read needs. The
 * strings (id, split, source, meta) are checked by load_clip only, so a
 * read does not scan a large meta blob each time. */
static int load_clip_ranges(clipview *cv, const synapt_reader *r, uint64_t clip)
{
    const sy_section *cs = &r->sec[SY_SEC_CLIPS];
    if (clip >= cs->count)
        return ERR0(r, SYNAPT_E_RANGE, "clip %llu does not exist (%llu clips)", (unsigned long long)clip, (unsigned long long)cs->count);
    const uint8_t *e = ENTRY(r, SY_SEC_CLIPS, clip);
    cv->e = e;
    cv->label_first = sy_rd32(e + SY_CE_LABEL_FIRST);
    cv->label_count = sy_rd32(e + SY_CE_LABEL_COUNT);
    cv->group_first = sy_rd32(e + SY_CE_GROUP_FIRST);
    cv->group_count = sy_rd32(e + SY_CE_GROUP_COUNT);
    cv->stream_first = sy_rd32(e + SY_CE_STREAM_FIRST);
    cv->stream_count = sy_rd32(e + SY_CE_STREAM_COUNT);
    if ((uint64_t)cv->label_first + cv->label_count > r->sec[SY_SEC_CLIP_LABELS].count ||
        (uint64_t)cv->group_first + cv->group_count > r->sec[SY_SEC_GROUPS].count ||
        (uint64_t)cv->stream_first + cv->stream_count > r->sec[SY_SEC_STREAMS].count)
        return sy_rerr(r, SYNAPT_E_CORRUPT, clip, SY_NO_STREAM, SY_NO_CHUNK, "label, group or stream range outside the index");
    if (cv->stream_count > r->limits.max_streams_per_clip)
        return sy_rerr(r, SYNAPT_E_LIMIT, clip, SY_NO_STREAM, SY_NO_CHUNK, "%u streams exceed the limit of %u",
                       cv->stream_count, r->limits.max_streams_per_clip);
    if (cv->label_count > r->limits.max_labels_per_clip)
        return sy_rerr(r, SYNAPT_E_LIMIT, clip, SY_NO_STREAM, SY_NO_CHUNK, "%u labels exceed the limit of %u",
                       cv->label_count, r->limits.max_labels_per_clip);
    return 0;
}

static int load_clip(clipview *cv, const synapt_reader *r, uint64_t clip)
{
    int rc = load_clip_ranges(cv, r, clip);
    if (rc) return rc;
    const uint8_t *e = cv->e;
    if ((rc = ref_bytes(r, e + SY_CE_ID, &cv->id, NULL, 1)) || (rc = ref_bytes(r, e + SY_CE_SPLIT, &cv->split, NULL, 1)) ||
        (rc = ref_bytes(r, e + SY_CE_SOURCE, &cv->source, NULL, 1)) ||
        (rc = ref_bytes(r, e + SY_CE_META, &cv->meta, &cv->meta_len, 1)))
        return sy_rerr(r, rc, clip, SY_NO_STREAM, SY_NO_CHUNK, "a string of the clip entry is out of bounds or too long");
    return 0;
}

static int clip_label(uint32_t *out, const synapt_reader *r, uint64_t clip, const clipview *cv, uint32_t i)
{
    uint32_t id = sy_rd32(ENTRY(r, SY_SEC_CLIP_LABELS, (uint64_t)cv->label_first + i));
    if (id >= r->sec[SY_SEC_LABELS].count)
        return sy_rerr(r, SYNAPT_E_CORRUPT, clip, SY_NO_STREAM, SY_NO_CHUNK, "label id %u is outside the vocabulary", id);
    *out = id;
    return 0;
}

static int group_pair(const char **k, const char **v, const synapt_reader *r, uint64_t clip, const clipview *cv, uint32_t i)
{
    const uint8_t *g = ENTRY(r, SY_SEC_GROUPS, (uint64_t)cv->group_first + i);
    int rc;
    if ((rc = ref_bytes(r, g, k, NULL, 1)) || (rc = ref_bytes(r, g + 8, v, NULL, 1)))
        return sy_rerr(r, rc, clip, SY_NO_STREAM, SY_NO_CHUNK, "group %u: string out of bounds", i);
    return 0;
}

int synapt_reader_clip(synapt_clip_info *out, const synapt_reader *r, uint64_t index)
{
    if (!out || !r) return SYNAPT_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    clipview cv;
    int rc = load_clip(&cv, r, index);
    if (rc) return rc;
    out->index = index;
    out->id = cv.id;
    out->split = cv.split;
    out->source = cv.source;
    out->synthetic = (sy_rd32(cv.e + SY_CE_FLAGS) & SY_CLIP_SYNTHETIC) != 0;
    out->label_count = cv.label_count;
    out->first_label = UINT32_MAX;
    if (cv.label_count && (rc = clip_label(&out->first_label, r, index, &cv, 0))) return rc;
    out->group_count = cv.group_count;
    out->group = "";
    const char *k;
    if (cv.group_count && (rc = group_pair(&k, &out->group, r, index, &cv, 0))) return rc;
    out->stream_count = cv.stream_count;
    out->frame_count = sy_rd64(cv.e + SY_CE_FRAMES);
    out->meta_json = cv.meta_len ? cv.meta : "{}";
    out->meta_len = cv.meta_len ? cv.meta_len : 2;
    int have_size = 0;
    for (uint32_t i = 0; i < cv.stream_count; i++) {
        sy_stream st;
        if ((rc = sy_reader_stream(&st, r, index, i))) return rc;
        if (i == 0) {
            out->fps_num = sy_rd32(st.e + SY_SE_FPS_NUM);
            out->fps_den = sy_rd32(st.e + SY_SE_FPS_DEN);
        }
        if (!have_size && (st.kind == SYNAPT_KIND_VIDEO || st.kind == SYNAPT_KIND_IMAGE) && st.ndim >= 2) {
            out->height = st.shape[0] > UINT32_MAX ? UINT32_MAX : (uint32_t)st.shape[0];
            out->width = st.shape[1] > UINT32_MAX ? UINT32_MAX : (uint32_t)st.shape[1];
            have_size = 1;
        }
    }
    return 0;
}

int synapt_reader_find_clip(uint64_t *out, const synapt_reader *r, const char *id)
{
    if (!out || !r || !id) return SYNAPT_E_INVALID_ARG;
    uint32_t c;
    int rc = hash_find(&c, r, SY_SEC_CLIP_IDS, SY_SEC_CLIPS, SY_CE_ID, id, "clip id", "clip",
                       "no clip with id");
    if (rc == 0) *out = c;
    return rc;
}

int synapt_reader_clip_labels(uint32_t *out, size_t cap, size_t *count, const synapt_reader *r, uint64_t clip)
{
    if (!r || (cap && !out)) return SYNAPT_E_INVALID_ARG;
    clipview cv;
    int rc = load_clip_ranges(&cv, r, clip);
    if (rc) return rc;
    for (uint32_t i = 0; i < cv.label_count && i < cap; i++)
        if ((rc = clip_label(&out[i], r, clip, &cv, i))) return rc;
    if (count) *count = cv.label_count;
    return 0;
}

int synapt_reader_clip_group(const char **key, const char **value, const synapt_reader *r, uint64_t clip, uint32_t i)
{
    if (!key || !value || !r) return SYNAPT_E_INVALID_ARG;
    clipview cv;
    int rc = load_clip_ranges(&cv, r, clip);
    if (rc) return rc;
    if (i >= cv.group_count)
        return sy_rerr(r, SYNAPT_E_RANGE, clip, SY_NO_STREAM, SY_NO_CHUNK, "group %u does not exist (%u groups)", i, cv.group_count);
    return group_pair(key, value, r, clip, &cv, i);
}

/* ------------------------------------------------------------------ */
/* streams */

int sy_reader_stream(sy_stream *out, const synapt_reader *r, uint64_t clip, uint32_t stream)
{
    clipview cv;
    int rc = load_clip_ranges(&cv, r, clip);
    if (rc) return rc;
    if (stream >= cv.stream_count)
        return sy_rerr(r, SYNAPT_E_RANGE, clip, SY_NO_STREAM, SY_NO_CHUNK, "stream %u does not exist (%u streams)", stream,
                       cv.stream_count);
    const uint8_t *e = ENTRY(r, SY_SEC_STREAMS, (uint64_t)cv.stream_first + stream);
    memset(out, 0, sizeof *out);
    out->e = e;
    out->clip = clip;
    out->index = stream;
#define BAD(...) return sy_rerr(r, SYNAPT_E_CORRUPT, clip, stream, SY_NO_CHUNK, __VA_ARGS__)
    if ((rc = ref_bytes(r, e + SY_SE_NAME, &out->name, NULL, 1)))
        return sy_rerr(r, rc, clip, stream, SY_NO_CHUNK, "stream name out of bounds");
    out->kind = sy_rd16(e + SY_SE_KIND);
    out->dtype = sy_rd16(e + SY_SE_DTYPE);
    out->codec = sy_rd16(e + SY_SE_CODEC);
    out->ndim = sy_rd16(e + SY_SE_NDIM);
    out->compression = sy_rd16(e + SY_SE_COMPRESSION);
    out->filter = sy_rd16(e + SY_SE_FILTER);
    out->frames = sy_rd64(e + SY_SE_FRAMES);
    out->packets = sy_rd64(e + SY_SE_PACKETS);
    out->chunk_first = sy_rd64(e + SY_SE_CHUNK_FIRST);
    out->chunk_count = sy_rd64(e + SY_SE_CHUNK_COUNT);
    out->flags = sy_rd32(e + SY_SE_FLAGS);
    out->max_persons = sy_rd32(e + SY_SE_MAX_PERSONS);
    for (int k = 0; k < 4; k++) out->shape[k] = sy_rd64(e + SY_SE_SHAPE + 8 * k);
    if (out->kind < SYNAPT_KIND_VIDEO || out->kind > SYNAPT_KIND_CUSTOM) BAD("unknown kind %d", out->kind);
    if (out->dtype > SYNAPT_DTYPE_F16) BAD("unknown dtype %d", out->dtype);
    if (!sy_codec_valid(out->codec)) BAD("unknown codec %d", out->codec);
    if (out->ndim > 4) BAD("ndim %u exceeds 4", out->ndim);
    if (!sy_rd32(e + SY_SE_FPS_NUM) || !sy_rd32(e + SY_SE_FPS_DEN)) BAD("zero frame rate");
    if (out->compression > SYNAPT_COMPRESSION_ZSTD_CHUNK || out->filter > SYNAPT_FILTER_DEPTH_RANK)
        BAD("unknown compression %d or filter %d", out->compression, out->filter);
    uint64_t cend;
    if (!sy_add_ok(out->chunk_first, out->chunk_count, &cend) || cend > r->sec[SY_SEC_CHUNKS].count)
        BAD("chunk range [%llu, +%llu) outside the index", (unsigned long long)out->chunk_first,
            (unsigned long long)out->chunk_count);
    if ((out->chunk_count == 0) != (out->packets == 0))
        BAD("%llu chunks for %llu frames", (unsigned long long)out->chunk_count, (unsigned long long)out->packets);
    int pose = out->kind == SYNAPT_KIND_POSE2D || out->kind == SYNAPT_KIND_POSE3D;
    if (out->codec == SYNAPT_CODEC_RAW) {
        if (out->kind == SYNAPT_KIND_VIDEO || !synapt_dtype_size(out->dtype)) BAD("array stream without a dtype");
        if (out->packets != out->frames)
            BAD("%llu frames but %llu frame table entries", (unsigned long long)out->frames, (unsigned long long)out->packets);
        uint64_t fb = synapt_dtype_size(out->dtype);
        if (pose) {
            if (out->ndim != 3 || !out->shape[1] || !out->shape[2] || out->dtype != SYNAPT_DTYPE_F32)
                BAD("pose stream shape is not (persons, J, C) f32");
            if (!sy_mul_ok(out->shape[1], out->shape[2], &fb) || !sy_mul_ok(fb, 4, &fb) || fb > r->limits.max_frame_bytes)
                return sy_rerr(r, SYNAPT_E_LIMIT, clip, stream, SY_NO_CHUNK, "pose joints exceed the frame limit");
            out->frame_bytes = 0;
        } else {
            if (!out->ndim) BAD("array stream with ndim 0");
            for (uint32_t k = 0; k < out->ndim; k++)
                if (!out->shape[k] || !sy_mul_ok(fb, out->shape[k], &fb)) BAD("bad shape");
            if (fb > r->limits.max_frame_bytes || fb > UINT32_MAX)
                return sy_rerr(r, SYNAPT_E_LIMIT, clip, stream, SY_NO_CHUNK, "frames of %llu bytes exceed the limit of %llu",
                               (unsigned long long)fb, (unsigned long long)r->limits.max_frame_bytes);
            out->frame_bytes = fb;
        }
    }
#undef BAD
    return 0;
}

int synapt_reader_stream(synapt_stream_info *out, const synapt_reader *r, uint64_t clip, uint32_t stream)
{
    if (!out || !r) return SYNAPT_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    sy_stream st;
    int rc = sy_reader_stream(&st, r, clip, stream);
    if (rc) return rc;
    const uint8_t *e = st.e;
    const char *ex;
    size_t exn;
    if ((rc = ref_bytes(r, e + SY_SE_UNITS, &out->units, NULL, 1)) ||
        (rc = ref_bytes(r, e + SY_SE_CODEC_CONFIG, &out->codec_config, NULL, 1)) ||
        (rc = ref_bytes(r, e + SY_SE_EXTRADATA, &ex, &exn, 0)))
        return sy_rerr(r, rc, clip, stream, SY_NO_CHUNK, "units, codec_config or extradata out of bounds");
    out->index = stream;
    out->name = st.name;
    out->kind = st.kind;
    out->dtype = st.dtype;
    out->codec = st.codec;
    out->ndim = st.ndim;
    memcpy(out->shape, st.shape, sizeof out->shape);
    out->fps_num = sy_rd32(e + SY_SE_FPS_NUM);
    out->fps_den = sy_rd32(e + SY_SE_FPS_DEN);
    out->scale = sy_rdf64(e + SY_SE_SCALE);
    out->skeleton = sy_rd16(e + SY_SE_SKELETON);
    out->channels = sy_rd16(e + SY_SE_CHANNELS);
    out->compression = st.compression;
    out->filter = st.filter;
    out->has_pts = (st.flags & SY_STREAM_HAS_PTS) != 0;
    out->frame_count = st.frames;
    out->chunk_count = st.chunk_count;
    out->stored_bytes = sy_rd64(e + SY_SE_STORED);
    out->raw_bytes = sy_rd64(e + SY_SE_RAW);
    out->extradata = exn ? ex : NULL;
    out->extradata_size = exn;
    out->frame_bytes = st.frame_bytes;
    out->packet_count = st.packets;
    out->max_persons = st.max_persons;
    return 0;
}

int synapt_reader_find_stream(uint32_t *out, const synapt_reader *r, uint64_t clip, const char *name)
{
    if (!out || !r || !name) return SYNAPT_E_INVALID_ARG;
    clipview cv;
    int rc = load_clip_ranges(&cv, r, clip);
    if (rc) return rc;
    for (uint32_t i = 0; i < cv.stream_count; i++) {
        const char *nm;
        if (ref_bytes(r, ENTRY(r, SY_SEC_STREAMS, (uint64_t)cv.stream_first + i) + SY_SE_NAME, &nm, NULL, 1))
            return sy_rerr(r, SYNAPT_E_CORRUPT, clip, i, SY_NO_CHUNK, "stream name out of bounds");
        if (!strcmp(nm, name)) { *out = i; return 0; }
    }
    return sy_rerr(r, SYNAPT_E_NOT_FOUND, clip, SY_NO_STREAM, SY_NO_CHUNK, "no stream named %.200s", name);
}

/* ------------------------------------------------------------------ */
/* chunks */

typedef struct chunkent {
    uint64_t k;                 /* within the stream */
    uint64_t offset, record, first, raw, checksum;
    uint32_t count;
} chunkent;

static int load_chunkent(chunkent *ck, const synapt_reader *r, const sy_stream *st, uint64_t k)
{
    if (k >= st->chunk_count)
        return sy_rerr(r, SYNAPT_E_RANGE, st->clip, st->index, SY_NO_CHUNK, "chunk %llu does not exist (%llu chunks)",
                       (unsigned long long)k, (unsigned long long)st->chunk_count);
    const uint8_t *e = ENTRY(r, SY_SEC_CHUNKS, st->chunk_first + k);
    ck->k = k;
    ck->offset = sy_rd64(e + SY_KE_OFFSET);
    ck->record = sy_rd64(e + SY_KE_RECORD);
    ck->first = sy_rd64(e + SY_KE_FIRST);
    ck->count = sy_rd32(e + SY_KE_COUNT);
    ck->raw = sy_rd64(e + SY_KE_RAW);
    ck->checksum = sy_rd64(e + SY_KE_CHECKSUM);
    uint64_t end, fend;
    if (ck->offset < SY_MAGIC_LEN || ck->record < SY_REC_OVERHEAD + SY_CHUNK_HDR ||
        !sy_add_ok(ck->offset, ck->record, &end) || end > r->index_offset)
        return sy_rerr(r, SYNAPT_E_CORRUPT, st->clip, st->index, k, "record (%llu bytes at %llu) outside the file's data",
                       (unsigned long long)ck->record, (unsigned long long)ck->offset);
    if (ck->record - SY_REC_OVERHEAD > r->limits.max_chunk_bytes || ck->raw > r->limits.max_chunk_bytes)
        return sy_rerr(r, SYNAPT_E_LIMIT, st->clip, st->index, k, "chunk of %llu bytes exceeds the limit of %llu",
                       (unsigned long long)(ck->raw > ck->record ? ck->raw : ck->record),
                       (unsigned long long)r->limits.max_chunk_bytes);
    if (!ck->count || !sy_add_ok(ck->first, ck->count, &fend) || fend > st->packets ||
        (k == 0 && ck->first != 0) || (k + 1 == st->chunk_count && fend != st->packets))
        return sy_rerr(r, SYNAPT_E_CORRUPT, st->clip, st->index, k, "frames [%llu, +%u) inconsistent with the stream's %llu",
                       (unsigned long long)ck->first, ck->count, (unsigned long long)st->packets);
    return 0;
}

static int find_chunk(chunkent *ck, const synapt_reader *r, const sy_stream *st, uint64_t frame)
{
    uint64_t lo = 0, hi = st->chunk_count;   /* last chunk whose first_frame <= frame */
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (sy_rd64(ENTRY(r, SY_SEC_CHUNKS, st->chunk_first + mid) + SY_KE_FIRST) <= frame) lo = mid;
        else hi = mid;
    }
    int rc = load_chunkent(ck, r, st, lo);
    if (rc) return rc;
    if (frame < ck->first || frame - ck->first >= ck->count)
        return sy_rerr(r, SYNAPT_E_CORRUPT, st->clip, st->index, lo, "chunk table is not ordered by frame (looking for %llu)",
                       (unsigned long long)frame);
    return 0;
}

/* A chunk record read and checked against its index entry. */
typedef struct chunkdata {
    const uint8_t *body;
    uint64_t body_len;
    int compression, filter;
    uint32_t esz, elem, width;
    uint64_t stored, raw;
    const uint8_t *table, *payload;
} chunkdata;

#define FE_STORED(cd, i) sy_rd32((cd)->table + (size_t)(i) * (cd)->esz)
#define FE_RAW(cd, i) sy_rd32((cd)->table + (size_t)(i) * (cd)->esz + 4)

static int load_chunk(chunkdata *cd, const synapt_reader *r, const sy_stream *st, const chunkent *ck, sy_buf *scratch,
                      int verify)
{
    const uint8_t *rec;
    int rc = fetch(r, &rec, scratch, ck->offset, (size_t)ck->record);
    if (rc == SYNAPT_E_NOMEM) return sy_rerr(r, rc, st->clip, st->index, ck->k, "out of memory");
    if (rc) return sy_rerr(r, rc, st->clip, st->index, ck->k, "cannot read the record: %s", rd_why(rc));
#define BAD(...) return sy_rerr(r, SYNAPT_E_CORRUPT, st->clip, st->index, ck->k, __VA_ARGS__)
    uint64_t blen = ck->record - SY_REC_OVERHEAD;
    if (sy_rd32(rec) != SY_REC_CHUNK || sy_rd64(rec + 8) != blen) BAD("not a CHUNK record of the indexed size");
    const uint8_t *b = rec + SY_REC_PREFIX;
    uint64_t sum = sy_rd64(b + blen);
    if (sum != ck->checksum)
        return sy_rerr(r, SYNAPT_E_CHECKSUM, st->clip, st->index, ck->k, "record checksum differs from the index");
    if (verify && XXH3_64bits(b, (size_t)blen) != sum)
        return sy_rerr(r, SYNAPT_E_CHECKSUM, st->clip, st->index, ck->k, "checksum mismatch");
    cd->body = b;
    cd->body_len = blen;
    if (sy_rd32(b) != st->clip || sy_rd32(b + 4) != st->index || sy_rd64(b + 8) != ck->first || sy_rd32(b + 16) != ck->count)
        BAD("chunk header (clip %u, stream %u, frames %llu+%u) differs from the index", sy_rd32(b), sy_rd32(b + 4),
            (unsigned long long)sy_rd64(b + 8), sy_rd32(b + 16));
    cd->compression = sy_rd16(b + 20);
    cd->filter = sy_rd16(b + 22);
    cd->esz = sy_rd16(b + 24);
    cd->elem = sy_rd16(b + 26);
    cd->width = sy_rd32(b + 28);
    cd->stored = sy_rd64(b + 32);
    cd->raw = sy_rd64(b + 40);
    if (cd->compression > SYNAPT_COMPRESSION_ZSTD_CHUNK || cd->filter > SYNAPT_FILTER_DEPTH_RANK)
        BAD("unknown compression %d or filter %d", cd->compression, cd->filter);
    if (cd->esz < SY_ENTRY_ARRAY || !cd->elem) BAD("frame table entry size %u or element size %u invalid", cd->esz, cd->elem);
    if (cd->filter == SYNAPT_FILTER_DEPTH_MED && cd->elem != 2) BAD("depth_med on %u-byte elements", cd->elem);
    if (cd->filter == SYNAPT_FILTER_DEPTH_RANK && cd->elem != 2) BAD("depth_rank on %u-byte elements", cd->elem);
    if (cd->raw != ck->raw) BAD("raw size %llu differs from the index", (unsigned long long)cd->raw);
    uint64_t tab = (uint64_t)ck->count * cd->esz;
    if (SY_CHUNK_HDR + tab > blen || blen - SY_CHUNK_HDR - tab != cd->stored)
        BAD("frame table and payload sizes do not add up to the record");
    cd->table = b + SY_CHUNK_HDR;
    cd->payload = cd->table + tab;
    uint64_t sraw = 0, sstored = 0;
    for (uint32_t i = 0; i < ck->count; i++) {
        uint32_t fs = FE_STORED(cd, i), fr = FE_RAW(cd, i);
        sraw += fr;
        sstored += fs;
        if (fr > r->limits.max_frame_bytes)
            return sy_rerr(r, SYNAPT_E_LIMIT, st->clip, st->index, ck->k, "frame of %u bytes exceeds the limit", fr);
        if (st->frame_bytes && fr != st->frame_bytes)
            BAD("frame %llu has %u bytes, the stream's frames have %llu", (unsigned long long)(ck->first + i), fr,
                (unsigned long long)st->frame_bytes);
        if (cd->compression == SYNAPT_COMPRESSION_NONE && fs != fr) BAD("uncompressed frame with stored != raw size");
        if (cd->compression == SYNAPT_COMPRESSION_ZSTD_CHUNK && fs != 0) BAD("per-frame stored size in a whole-chunk frame");
    }
    if (sraw != cd->raw) BAD("frame raw sizes sum to %llu, not %llu", (unsigned long long)sraw, (unsigned long long)cd->raw);
    if (cd->compression != SYNAPT_COMPRESSION_ZSTD_CHUNK && sstored != cd->stored)
        BAD("frame stored sizes sum to %llu, not %llu", (unsigned long long)sstored, (unsigned long long)cd->stored);
#undef BAD
    return 0;
}

/* Where decoded frames go: dst() gives the place for frame `idx` (stream
 * position) of `size` bytes, or NULL to skip it; done() runs after. A
 * place must stay intact until the following frame has been decoded
 * (xor_prev reads the previous frame from it). */
typedef struct sink {
    uint8_t *(*dst)(void *u, uint64_t idx, uint32_t size);
    int (*done)(void *u, uint64_t idx, const uint8_t *data, uint32_t size);
    void *u;
} sink;

static int zerr(const synapt_reader *r, const sy_stream *st, const chunkent *ck, const char *what, size_t code)
{
    return sy_rerr(r, SYNAPT_E_CORRUPT, st->clip, st->index, ck->k, "zstd %s: %s", what,
                   ZSTD_isError(code) ? ZSTD_getErrorName(code) : "wrong decompressed size");
}

static int unfilter(const chunkdata *cd, uint8_t *dst, const uint8_t *src, uint32_t n, const uint8_t *prev, uint32_t prev_n)
{
    switch (cd->filter) {
    case SYNAPT_FILTER_NONE: memcpy(dst, src, n); break;
    case SYNAPT_FILTER_SHUFFLE: sy_unshuffle(dst, src, n, cd->elem); break;
    case SYNAPT_FILTER_DEPTH_MED: sy_undepth_med(dst, src, n, cd->width); break;
    case SYNAPT_FILTER_DEPTH_RANK: return sy_undepth_rank(dst, src, n, cd->width);
    default: sy_unxor_prev(dst, src, n, prev, prev_n, cd->elem); break;
    }
    return 0;
}

/* Decode frames [lo, hi) of a loaded chunk into the sink. */
static int decode_chunk(const synapt_reader *r, const sy_stream *st, const chunkent *ck, const chunkdata *cd,
                        uint32_t lo, uint32_t hi, const sink *sk, rctx *sc)
{
    int rc = 0;
    ZSTD_DCtx *dctx = NULL;
    const uint8_t *whole = NULL;
    if (cd->compression != SYNAPT_COMPRESSION_NONE && !(dctx = ctx_dctx(r, sc)))
        return sy_rerr(r, SYNAPT_E_NOMEM, st->clip, st->index, ck->k, "out of memory (zstd context)");
    if (cd->compression == SYNAPT_COMPRESSION_ZSTD_CHUNK) {
        unsigned long long cs = ZSTD_getFrameContentSize(cd->payload, (size_t)cd->stored);
        if (cs != cd->raw) { rc = zerr(r, st, ck, "frame content size", 0); goto done; }
        sc->whole.len = 0;
        if (sy_buf_reserve(&r->mem, &sc->whole, (size_t)cd->raw)) {
            rc = sy_rerr(r, SYNAPT_E_NOMEM, st->clip, st->index, ck->k, "out of memory");
            goto done;
        }
        size_t k = ZSTD_decompressDCtx(dctx, sc->whole.data, (size_t)cd->raw, cd->payload, (size_t)cd->stored);
        if (ZSTD_isError(k) || k != cd->raw) { rc = zerr(r, st, ck, "decompression", k); goto done; }
        whole = sc->whole.data;
    }
    int xor = cd->filter == SYNAPT_FILTER_XOR_PREV;
    uint32_t start = xor ? 0 : lo;
    uint64_t soff = 0, roff = 0;
    const uint8_t *prevp = NULL;   /* xor_prev: the previous raw frame, wherever it was decoded */
    uint32_t prevn = 0;
    for (uint32_t i = 0; i < start; i++) { soff += FE_STORED(cd, i); roff += FE_RAW(cd, i); }
    if (xor) {
        uint64_t need = 0;
        for (uint32_t i = 0; i < hi; i++) need += FE_RAW(cd, i);
        sc->chunkraw.len = 0;
        if (sy_buf_reserve(&r->mem, &sc->chunkraw, (size_t)need)) {
            rc = sy_rerr(r, SYNAPT_E_NOMEM, st->clip, st->index, ck->k, "out of memory");
            goto done;
        }
    }
    for (uint32_t i = start; i < hi; i++) {
        uint32_t fs = FE_STORED(cd, i), fr = FE_RAW(cd, i);
        uint8_t *dst = i >= lo ? sk->dst(sk->u, ck->first + i, fr) : NULL;
        if (dst || xor) {
            const uint8_t *src;
            int direct = 0;
            if (cd->compression == SYNAPT_COMPRESSION_NONE) {
                src = cd->payload + soff;
            } else if (cd->compression == SYNAPT_COMPRESSION_ZSTD_FRAME) {
                uint8_t *into;
                if (cd->filter == SYNAPT_FILTER_NONE && dst) { into = dst; direct = 1; }
                else {
                    sc->ftmp.len = 0;
                    if (sy_buf_reserve(&r->mem, &sc->ftmp, fr)) {
                        rc = sy_rerr(r, SYNAPT_E_NOMEM, st->clip, st->index, ck->k, "out of memory");
                        goto done;
                    }
                    into = sc->ftmp.data;
                }
                size_t k = ZSTD_decompressDCtx(dctx, into, fr, cd->payload + soff, fs);
                if (ZSTD_isError(k) || k != fr) { rc = zerr(r, st, ck, "decompression", k); goto done; }
                src = into;
            } else {
                src = whole + roff;
            }
            if (xor) {
                /* frames the caller wants are decoded in place; the sink
                 * keeps each one intact until the next is decoded */
                uint8_t *raw = dst ? dst : sc->chunkraw.data + roff;
                sy_unxor_prev(raw, src, fr, prevp, prevn, cd->elem);
                prevp = raw;
                prevn = fr;
            } else if (!direct && unfilter(cd, dst, src, fr, NULL, 0)) {
                rc = sy_rerr(r, SYNAPT_E_CORRUPT, st->clip, st->index, ck->k, "frame %llu: invalid depth_rank data",
                             (unsigned long long)(ck->first + i));
                goto done;
            }
            if (dst && sk->done && (rc = sk->done(sk->u, ck->first + i, dst, fr))) goto done;
        }
        soff += fs;
        roff += fr;
    }
done:
    return rc;
}

/* Walk frames [first, first+n) chunk by chunk. With a sink the frames are
 * decoded; meta() (if any) sees each frame table entry. */
typedef int (*meta_fn)(void *u, uint64_t idx, const uint8_t *entry, uint32_t esz);

static int walk(const synapt_reader *r, const sy_stream *st, uint64_t first, uint64_t n, const sink *sk, meta_fn meta,
                void *mu)
{
    uint64_t end;
    if (!sy_add_ok(first, n, &end) || end > st->packets)
        return sy_rerr(r, SYNAPT_E_RANGE, st->clip, st->index, SY_NO_CHUNK, "frames [%llu, +%llu) outside the stream's %llu",
                       (unsigned long long)first, (unsigned long long)n, (unsigned long long)st->packets);
    if (!n) return 0;
    rctx *sc = ctx_get(r);
    if (!sc) return sy_rerr(r, SYNAPT_E_NOMEM, st->clip, st->index, SY_NO_CHUNK, "out of memory");
    chunkent ck;
    int rc = find_chunk(&ck, r, st, first);
    uint64_t f = first;
    while (!rc) {
        chunkdata cd;
        if ((rc = load_chunk(&cd, r, st, &ck, &sc->rec, r->verify_checksums))) break;
        uint32_t lo = (uint32_t)(f - ck.first);
        uint32_t hi = end - ck.first < ck.count ? (uint32_t)(end - ck.first) : ck.count;
        if (meta)
            for (uint32_t i = lo; i < hi && !rc; i++)
                rc = meta(mu, ck.first + i, cd.table + (size_t)i * cd.esz, cd.esz);
        if (!rc && sk) rc = decode_chunk(r, st, &ck, &cd, lo, hi, sk, sc);
        f = ck.first + hi;
        if (rc || f >= end) break;
        uint64_t next = ck.k + 1;
        if ((rc = load_chunkent(&ck, r, st, next))) break;
        if (ck.first != f)
            rc = sy_rerr(r, SYNAPT_E_CORRUPT, st->clip, st->index, next, "starts at frame %llu, expected %llu",
                         (unsigned long long)ck.first, (unsigned long long)f);
    }
    ctx_put(r, sc);
    return rc;
}

/* ---- read_frames / read_packets ---- */

typedef struct copyctx {
    uint8_t *buf;
    size_t cap, pos;
    uint64_t need;
} copyctx;

static uint8_t *copy_dst(void *u, uint64_t idx, uint32_t size)
{
    copyctx *c = u;
    (void)idx;
    uint8_t *d = NULL;
    if (c->need == c->pos && size <= c->cap - c->pos) {
        d = c->buf + c->pos;
        c->pos += size;
    }
    c->need += size;
    return d;
}

static int read_range(const synapt_reader *r, const sy_stream *st, uint64_t first, uint64_t n, void *buf,
                      size_t buf_size, size_t *written)
{
    if (written) *written = 0;
    if (st->frame_bytes) {
        uint64_t need, end;
        if (!sy_add_ok(first, n, &end) || end > st->packets)
            return sy_rerr(r, SYNAPT_E_RANGE, st->clip, st->index, SY_NO_CHUNK, "frames [%llu, +%llu) outside the stream's %llu",
                           (unsigned long long)first, (unsigned long long)n, (unsigned long long)st->packets);
        if (!sy_mul_ok(n, st->frame_bytes, &need) || need > buf_size) {
            if (written) *written = need > SIZE_MAX ? SIZE_MAX : (size_t)need;
            return sy_rerr(r, SYNAPT_E_BUFFER, st->clip, st->index, SY_NO_CHUNK, "buffer of %zu bytes, %llu needed", buf_size,
                           (unsigned long long)need);
        }
    }
    if (!buf && buf_size) return SYNAPT_E_INVALID_ARG;
    copyctx c = { buf, buf ? buf_size : 0, 0, 0 };
    sink sk = { copy_dst, NULL, &c };
    int rc = walk(r, st, first, n, &sk, NULL, NULL);
    if (rc) return rc;
    if (c.need > c.pos) {
        if (written) *written = c.need > SIZE_MAX ? SIZE_MAX : (size_t)c.need;
        return sy_rerr(r, SYNAPT_E_BUFFER, st->clip, st->index, SY_NO_CHUNK, "buffer of %zu bytes, %llu needed", buf_size,
                       (unsigned long long)c.need);
    }
    if (written) *written = c.pos;
    return 0;
}

int synapt_reader_read_frames(void *buf, size_t buf_size, size_t *written, const synapt_reader *r, uint64_t clip,
                              uint32_t stream, uint64_t first, uint64_t n)
{
    if (written) *written = 0;
    if (!r) return SYNAPT_E_INVALID_ARG;
    sy_stream st;
    int rc = sy_reader_stream(&st, r, clip, stream);
    if (rc) return rc;
    if (st.codec != SYNAPT_CODEC_RAW)
        return sy_rerr(r, SYNAPT_E_UNSUPPORTED, clip, stream, SY_NO_CHUNK,
                       "frames are %s packets: decode them with the video functions or read_packets",
                       synapt_codec_name(st.codec));
    return read_range(r, &st, first, n, buf, buf_size, written);
}

int synapt_reader_read_packets(const synapt_reader *r, uint64_t clip, uint32_t stream, uint64_t first, uint64_t n,
                               void *buf, size_t buf_size, size_t *written)
{
    if (written) *written = 0;
    if (!r) return SYNAPT_E_INVALID_ARG;
    sy_stream st;
    int rc = sy_reader_stream(&st, r, clip, stream);
    if (rc) return rc;
    return read_range(r, &st, first, n, buf, buf_size, written);
}

/* ---- pose ---- */

typedef struct posectx {
    const synapt_reader *r;
    sy_buf *frame;          /* two buffers, used in turn (see sink) */
    int turn;
    float *out;
    uint64_t first;
    uint32_t persons;
    uint64_t person_vals;   /* J*C */
    int nomem;
} posectx;

static uint8_t *pose_dst(void *u, uint64_t idx, uint32_t size)
{
    posectx *p = u;
    (void)idx;
    sy_buf *b = &p->frame[p->turn];
    p->turn ^= 1;
    b->len = 0;
    if (sy_buf_reserve(&p->r->mem, b, size ? size : 1)) { p->nomem = 1; return NULL; }
    return b->data;
}

static int pose_done(void *u, uint64_t idx, const uint8_t *data, uint32_t size)
{
    posectx *p = u;
    uint64_t have = size / (p->person_vals * 4);
    uint64_t take = have < p->persons ? have : p->persons;
    memcpy(p->out + (idx - p->first) * p->persons * p->person_vals, data, (size_t)(take * p->person_vals * 4));
    return 0;
}

int synapt_reader_read_pose(float *buf, size_t buf_count, const synapt_reader *r, uint64_t clip, uint32_t stream,
                            uint64_t first, uint64_t n, uint32_t persons)
{
    if (!r || (!buf && buf_count)) return SYNAPT_E_INVALID_ARG;
    sy_stream st;
    int rc = sy_reader_stream(&st, r, clip, stream);
    if (rc) return rc;
    if (st.codec != SYNAPT_CODEC_RAW || (st.kind != SYNAPT_KIND_POSE2D && st.kind != SYNAPT_KIND_POSE3D))
        return sy_rerr(r, SYNAPT_E_INVALID_ARG, clip, stream, SY_NO_CHUNK, "not a pose stream");
    uint64_t pv = st.shape[1] * st.shape[2], need;   /* bounded by the frame limit in sy_reader_stream */
    if (!sy_mul_ok(n, persons, &need) || !sy_mul_ok(need, pv, &need) || need > buf_count)
        return sy_rerr(r, SYNAPT_E_BUFFER, clip, stream, SY_NO_CHUNK, "buffer of %zu floats is too small", buf_count);
    for (uint64_t i = 0; i < need; i++) buf[i] = NAN;
    sy_buf frame[2] = { { 0 }, { 0 } };
    posectx p = { r, frame, 0, buf, first, persons, pv, 0 };
    sink sk = { pose_dst, pose_done, &p };
    rc = walk(r, &st, first, n, &sk, NULL, NULL);
    sy_buf_free(&r->mem, &frame[0]);
    sy_buf_free(&r->mem, &frame[1]);
    if (!rc && p.nomem) rc = sy_rerr(r, SYNAPT_E_NOMEM, clip, stream, SY_NO_CHUNK, "out of memory");
    return rc;
}

int synapt_reader_pose_max_persons(uint32_t *out, const synapt_reader *r, uint64_t clip, uint32_t stream)
{
    if (!out || !r) return SYNAPT_E_INVALID_ARG;
    sy_stream st;
    int rc = sy_reader_stream(&st, r, clip, stream);
    if (rc) return rc;
    *out = st.max_persons;
    return 0;
}

/* ---- frame table queries ---- */

typedef struct entctx {
    uint64_t first;
    uint64_t *sizes;
    int64_t *pts;
    synapt_frame_entry *ents;
} entctx;

static int ent_meta(void *u, uint64_t idx, const uint8_t *e, uint32_t esz)
{
    entctx *c = u;
    uint64_t i = idx - c->first;
    uint32_t flags = sy_rd32(e + 8);
    int64_t pts = (flags & SYNAPT_FRAME_HAS_PTS) ? (int64_t)sy_rd64(e + 16) : SYNAPT_PTS_NONE;
    if (c->sizes) c->sizes[i] = sy_rd32(e + 4);
    if (c->pts) c->pts[i] = pts;
    if (c->ents) {
        c->ents[i].size = sy_rd32(e + 4);
        c->ents[i].flags = flags;
        c->ents[i].pts = pts;
        c->ents[i].dts = esz >= SY_ENTRY_PACKET ? (int64_t)sy_rd64(e + 24) : SYNAPT_PTS_NONE;
    }
    return 0;
}

int synapt_reader_frame_sizes(uint64_t *out, const synapt_reader *r, uint64_t clip, uint32_t stream, uint64_t first,
                              uint64_t n)
{
    if (!r || (!out && n)) return SYNAPT_E_INVALID_ARG;
    sy_stream st;
    int rc = sy_reader_stream(&st, r, clip, stream);
    if (rc) return rc;
    if (st.frame_bytes) {
        uint64_t end;
        if (!sy_add_ok(first, n, &end) || end > st.packets)
            return sy_rerr(r, SYNAPT_E_RANGE, clip, stream, SY_NO_CHUNK, "frames [%llu, +%llu) outside the stream's %llu",
                           (unsigned long long)first, (unsigned long long)n, (unsigned long long)st.packets);
        for (uint64_t i = 0; i < n; i++) out[i] = st.frame_bytes;
        return 0;
    }
    entctx c = { first, out, NULL, NULL };
    return walk(r, &st, first, n, NULL, ent_meta, &c);
}

int synapt_reader_frame_pts(int64_t *out, const synapt_reader *r, uint64_t clip, uint32_t stream, uint64_t first,
                            uint64_t n)
{
    if (!r || (!out && n)) return SYNAPT_E_INVALID_ARG;
    sy_stream st;
    int rc = sy_reader_stream(&st, r, clip, stream);
    if (rc) return rc;
    entctx c = { first, NULL, out, NULL };
    return walk(r, &st, first, n, NULL, ent_meta, &c);
}

int synapt_reader_frame_entries(synapt_frame_entry *out, const synapt_reader *r, uint64_t clip, uint32_t stream,
                                uint64_t first, uint64_t n)
{
    if (!r || (!out && n)) return SYNAPT_E_INVALID_ARG;
    sy_stream st;
    int rc = sy_reader_stream(&st, r, clip, stream);
    if (rc) return rc;
    entctx c = { first, NULL, NULL, out };
    return walk(r, &st, first, n, NULL, ent_meta, &c);
}

/* ---- chunks ---- */

int synapt_reader_chunk(synapt_chunk_info *out, const synapt_reader *r, uint64_t clip, uint32_t stream, uint64_t chunk)
{
    if (!out || !r) return SYNAPT_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    sy_stream st;
    chunkent ck;
    int rc = sy_reader_stream(&st, r, clip, stream);
    if (rc || (rc = load_chunkent(&ck, r, &st, chunk))) return rc;
    uint8_t h[SY_REC_PREFIX + SY_CHUNK_HDR];
    if ((rc = rd_at(r, h, ck.offset, sizeof h)))
        return sy_rerr(r, rc, clip, stream, chunk, "cannot read the chunk header: %s", rd_why(rc));
    const uint8_t *b = h + SY_REC_PREFIX;
    if (sy_rd32(h) != SY_REC_CHUNK || sy_rd64(h + 8) != ck.record - SY_REC_OVERHEAD || sy_rd32(b) != clip ||
        sy_rd32(b + 4) != stream || sy_rd64(b + 8) != ck.first || sy_rd32(b + 16) != ck.count || sy_rd64(b + 40) != ck.raw)
        return sy_rerr(r, SYNAPT_E_CORRUPT, clip, stream, chunk, "chunk header differs from the index");
    out->index = chunk;
    out->file_offset = ck.offset;
    out->record_bytes = ck.record;
    out->first_frame = ck.first;
    out->frame_count = ck.count;
    out->compression = sy_rd16(b + 20);
    out->filter = sy_rd16(b + 22);
    out->stored_bytes = sy_rd64(b + 32);
    out->raw_bytes = ck.raw;
    out->checksum = ck.checksum;
    return 0;
}

int synapt_reader_find_chunk(uint64_t *out, const synapt_reader *r, uint64_t clip, uint32_t stream, uint64_t frame)
{
    if (!out || !r) return SYNAPT_E_INVALID_ARG;
    sy_stream st;
    chunkent ck;
    int rc = sy_reader_stream(&st, r, clip, stream);
    if (rc) return rc;
    if (frame >= st.packets)
        return sy_rerr(r, SYNAPT_E_RANGE, clip, stream, SY_NO_CHUNK, "frame %llu outside the stream's %llu",
                       (unsigned long long)frame, (unsigned long long)st.packets);
    if ((rc = find_chunk(&ck, r, &st, frame))) return rc;
    *out = ck.k;
    return 0;
}

int synapt_reader_read_chunk_body(void *buf, size_t cap, size_t *size, const synapt_reader *r, uint64_t clip,
                                  uint32_t stream, uint64_t chunk)
{
    if (size) *size = 0;
    if (!r || (!buf && cap)) return SYNAPT_E_INVALID_ARG;
    sy_stream st;
    chunkent ck;
    int rc = sy_reader_stream(&st, r, clip, stream);
    if (rc || (rc = load_chunkent(&ck, r, &st, chunk))) return rc;
    uint64_t blen = ck.record - SY_REC_OVERHEAD;
    if (size) *size = (size_t)blen;
    if (blen > cap)
        return sy_rerr(r, SYNAPT_E_BUFFER, clip, stream, chunk, "buffer of %zu bytes, %llu needed", cap, (unsigned long long)blen);
    rctx *sc = ctx_get(r);
    if (!sc) return sy_rerr(r, SYNAPT_E_NOMEM, clip, stream, chunk, "out of memory");
    chunkdata cd;
    rc = load_chunk(&cd, r, &st, &ck, &sc->rec, r->verify_checksums);
    if (!rc) memcpy(buf, cd.body, (size_t)blen);
    ctx_put(r, sc);
    return rc;
}

/* ---- verify ---- */

static int verify_stream(const synapt_reader *r, uint64_t clip, uint32_t si, rctx *sc)
{
    synapt_stream_info info;
    sy_stream st;
    int rc = synapt_reader_stream(&info, r, clip, si);
    if (rc || (rc = sy_reader_stream(&st, r, clip, si))) return rc;
    uint64_t f = 0, stored = 0, raw = 0, persons = 0;
    for (uint64_t k = 0; k < st.chunk_count; k++) {
        chunkent ck;
        chunkdata cd;
        if ((rc = load_chunkent(&ck, r, &st, k))) return rc;
        if (ck.first != f)
            return sy_rerr(r, SYNAPT_E_CORRUPT, clip, si, k, "starts at frame %llu, expected %llu", (unsigned long long)ck.first,
                           (unsigned long long)f);
        if ((rc = load_chunk(&cd, r, &st, &ck, &sc->rec, 1))) return rc;
        if (st.codec == SYNAPT_CODEC_RAW && (st.kind == SYNAPT_KIND_POSE2D || st.kind == SYNAPT_KIND_POSE3D)) {
            uint64_t pb = st.shape[1] * st.shape[2] * 4;
            for (uint32_t i = 0; i < ck.count; i++) {
                if (FE_RAW(&cd, i) % pb)
                    return sy_rerr(r, SYNAPT_E_CORRUPT, clip, si, k, "pose frame %llu is not whole persons",
                                   (unsigned long long)(ck.first + i));
                if (FE_RAW(&cd, i) / pb > persons) persons = FE_RAW(&cd, i) / pb;
            }
        }
        f += ck.count;
        stored += ck.record;
        raw += ck.raw;
    }
    if (f != st.packets || stored != info.stored_bytes || raw != info.raw_bytes)
        return sy_rerr(r, SYNAPT_E_CORRUPT, clip, si, SY_NO_CHUNK, "chunk totals differ from the stream entry");
    /* readers size pose arrays by max_persons: a wrong one is not harmless */
    if (st.codec == SYNAPT_CODEC_RAW && (st.kind == SYNAPT_KIND_POSE2D || st.kind == SYNAPT_KIND_POSE3D) &&
        persons != st.max_persons)
        return sy_rerr(r, SYNAPT_E_CORRUPT, clip, si, SY_NO_CHUNK, "the stream entry says %u persons at most, the frames hold %llu",
                       (unsigned)st.max_persons, (unsigned long long)persons);
    return 0;
}

int synapt_reader_verify(synapt_reader *r, synapt_progress_fn progress, void *user)
{
    if (!r) return SYNAPT_E_INVALID_ARG;
    int rc = 0;
    uint64_t nclips = r->sec[SY_SEC_CLIPS].count;
    uint64_t nlabels = r->sec[SY_SEC_LABELS].count;
    /* hash tables: sorted, pointing at entries whose names hash to them */
    const sy_section *ids = &r->sec[SY_SEC_CLIP_IDS], *lids = &r->sec[SY_SEC_LABEL_IDS];
    for (uint64_t i = 0; i < ids->count; i++) {
        const uint8_t *e = ids->p + (size_t)i * ids->esize;
        uint32_t c = sy_rd32(e + 8);
        const char *s;
        size_t n;
        if (c >= nclips || ref_bytes(r, ENTRY(r, SY_SEC_CLIPS, c) + SY_CE_ID, &s, &n, 1) || XXH3_64bits(s, n) != sy_rd64(e) ||
            (i && sy_rd64(e) < sy_rd64(e - ids->esize)))
            return ERR0(r, SYNAPT_E_CORRUPT, "clip id hash table entry %llu is wrong", (unsigned long long)i);
    }
    for (uint64_t i = 0; i < lids->count; i++) {
        const uint8_t *e = lids->p + (size_t)i * lids->esize;
        uint32_t l = sy_rd32(e + 8);
        const char *s;
        size_t n;
        if (l >= nlabels || ref_bytes(r, ENTRY(r, SY_SEC_LABELS, l), &s, &n, 1) || XXH3_64bits(s, n) != sy_rd64(e) ||
            (i && sy_rd64(e) < sy_rd64(e - lids->esize)))
            return ERR0(r, SYNAPT_E_CORRUPT, "label hash table entry %llu is wrong", (unsigned long long)i);
    }
    rctx *sc = ctx_get(r);
    if (!sc) return ERR0(r, SYNAPT_E_NOMEM, "out of memory");
    for (uint64_t c = 0; c < nclips && !rc; c++) {
        clipview cv;
        if ((rc = load_clip(&cv, r, c))) break;
        uint32_t l;
        const char *k, *v;
        for (uint32_t i = 0; i < cv.label_count && !rc; i++) rc = clip_label(&l, r, c, &cv, i);
        for (uint32_t i = 0; i < cv.group_count && !rc; i++) rc = group_pair(&k, &v, r, c, &cv, i);
        if (rc) break;
        /* the CLIP record the entry points at */
        uint64_t at = sy_rd64(cv.e + SY_CE_RECORD);
        uint8_t pre[SY_REC_PREFIX];
        if ((rc = rd_at(r, pre, at, sizeof pre)) || at < SY_MAGIC_LEN || at >= r->index_offset) {
            rc = sy_rerr(r, SYNAPT_E_CORRUPT, c, SY_NO_STREAM, SY_NO_CHUNK, "clip record offset %llu is invalid",
                         (unsigned long long)at);
            break;
        }
        uint64_t blen = sy_rd64(pre + 8), end;
        if (sy_rd32(pre) != SY_REC_CLIP || !sy_add_ok(at, blen, &end) || end + SY_REC_OVERHEAD > r->index_offset ||
            blen > r->limits.max_string_bytes) {
            rc = sy_rerr(r, SYNAPT_E_CORRUPT, c, SY_NO_STREAM, SY_NO_CHUNK, "no CLIP record at offset %llu", (unsigned long long)at);
            break;
        }
        const uint8_t *rec;
        if ((rc = fetch(r, &rec, &sc->rec, at, (size_t)(blen + SY_REC_OVERHEAD)))) {
            rc = sy_rerr(r, rc, c, SY_NO_STREAM, SY_NO_CHUNK, "cannot read the clip record");
            break;
        }
        if (XXH3_64bits(rec + SY_REC_PREFIX, (size_t)blen) != sy_rd64(rec + SY_REC_PREFIX + blen)) {
            rc = sy_rerr(r, SYNAPT_E_CHECKSUM, c, SY_NO_STREAM, SY_NO_CHUNK, "clip record checksum mismatch");
            break;
        }
        uint64_t maxf = 0;
        for (uint32_t i = 0; i < cv.stream_count && !rc; i++) {
            rc = verify_stream(r, c, i, sc);
            uint64_t fr = sy_rd64(ENTRY(r, SY_SEC_STREAMS, (uint64_t)cv.stream_first + i) + SY_SE_FRAMES);
            if (fr > maxf) maxf = fr;
        }
        if (!rc && maxf != sy_rd64(cv.e + SY_CE_FRAMES))
            rc = sy_rerr(r, SYNAPT_E_CORRUPT, c, SY_NO_STREAM, SY_NO_CHUNK, "clip frame count differs from its streams");
        if (!rc && progress && progress(user, c + 1, nclips)) break;
    }
    ctx_put(r, sc);
    return rc;
}
