/* reader.c - the read path: opening a file, messages, raw access and the
 * pool of per-call working state. The index lookups are in reader_index.c,
 * frame reads in reader_frames.c, full verification in reader_verify.c;
 * reader_internal.h is what they share.
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
#include "chunk.h"
#include "reader_internal.h"

static const uint32_t known_esize[SY_SEC_COUNT_] = {
    0, SY_CLIP_ENTRY, SY_HASH_ENTRY, SY_STREAM_ENTRY, SY_CHUNK_ENTRY, SY_STRREF, SY_HASH_ENTRY,
    SY_CLIP_LABEL, SY_GROUP_ENTRY, 1,
};
static const char *const sec_names[SY_SEC_COUNT_] = {
    "", "CLIPS", "CLIP_IDS", "STREAMS", "CHUNKS", "LABELS", "LABEL_IDS", "CLIP_LABELS", "GROUPS", "STRINGS",
};


/* ------------------------------------------------------------------ */
/* strings and messages */

/* Resolve a StrRef: 0 and the NUL-terminated text, or nonzero when it is
 * out of bounds, unterminated, holds an inner NUL (text) or is too long. */
int sy_ref_bytes(const synapt_reader *r, const uint8_t *ref, const char **out, size_t *len, int text)
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
    return sy_ref_bytes(r, ref, &s, NULL, 1) ? NULL : s;
}

void sy_reader_set_msg(const synapt_reader *rc, const char *text)
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
    sy_reader_set_msg(r, full);
    return code;
}


const char *synapt_reader_errmsg(const synapt_reader *r) { return r ? r->msg : ""; }
const char *synapt_reader_path(const synapt_reader *r) { return r ? r->name : ""; }

/* ------------------------------------------------------------------ */
/* raw access */

/* Read n bytes at off: 0, _IO, or _TRUNCATED when the file is shorter. */
int sy_rd_at(const synapt_reader *r, void *buf, uint64_t off, size_t n)
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
int sy_fetch(const synapt_reader *r, const uint8_t **out, sy_buf *scratch, uint64_t off, size_t n)
{
    uint64_t end;
    if (!sy_add_ok(off, n, &end) || end > r->file_size) return SYNAPT_E_TRUNCATED;
    if (r->image) { *out = r->image + off; return 0; }
    scratch->len = 0;
    if (sy_buf_reserve(&r->mem, scratch, n)) return SYNAPT_E_NOMEM;
    int rc = sy_rd_at(r, scratch->data, off, n);
    *out = scratch->data;
    return rc;
}


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
    sy_buf_free(&r->mem, &c->dans);
    sy_free(&r->mem, c);
}

rctx *sy_ctx_get(const synapt_reader *rc)
{
    synapt_reader *r = (synapt_reader *)rc;
    rctx *c = NULL;
    pthread_mutex_lock(&r->pool_lock);
    if (r->nctx) c = r->ctx[--r->nctx];
    pthread_mutex_unlock(&r->pool_lock);
    if (!c) c = sy_calloc(&r->mem, sizeof *c);
    return c;
}

void sy_ctx_put(const synapt_reader *rc, rctx *c)
{
    synapt_reader *r = (synapt_reader *)rc;
    if (!c) return;
    sy_buf *bufs[] = { &c->rec, &c->whole, &c->ftmp, &c->chunkraw, &c->frame, &c->dans };
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        if (bufs[i]->cap > SY_KEEP_BYTES) sy_buf_free(&r->mem, bufs[i]);
    pthread_mutex_lock(&r->pool_lock);
    if (r->nctx < SY_DCTX_POOL) { r->ctx[r->nctx++] = c; c = NULL; }
    pthread_mutex_unlock(&r->pool_lock);
    ctx_destroy(r, c);
}

ZSTD_DCtx *sy_ctx_dctx(const synapt_reader *r, rctx *c)
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

const char *sy_rd_why(int rc)
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

/* indexes from this size up are mapped when the options allow it */
#define SY_INDEX_MAP_MIN ((uint64_t)256 << 10)

static int open_common(synapt_reader *r, int verify_index, int use_mmap)
{
    int rc;
    uint64_t size = r->file_size;
    uint8_t head[4096];
    size_t hn = size < sizeof head ? (size_t)size : sizeof head;
    if ((rc = sy_rd_at(r, head, 0, hn))) return open_fail(r, rc, "cannot read: %s", sy_rd_why(rc));
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
        if ((rc = sy_rd_at(r, hheap, SY_MAGIC_LEN + SY_REC_PREFIX, (size_t)blen + SY_REC_TRAILER))) {
            sy_free(&r->mem, hheap);
            return open_fail(r, rc, "cannot read the header: %s", sy_rd_why(rc));
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
    if ((rc = sy_rd_at(r, foot, size - SY_FOOTER, SY_FOOTER))) return open_fail(r, rc, "cannot read the footer: %s", sy_rd_why(rc));
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
        /* a small index is read: mapping it costs more (mmap, a fault,
         * and an munmap that flushes every CPU's TLB in a threaded process,
         * 7% of synapt-pack's time on tiny clips) */
        if (use_mmap && irs >= SY_INDEX_MAP_MIN) {
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
        if ((rc = sy_rd_at(r, r->index_owned, io, (size_t)irs))) return open_fail(r, rc, "cannot read the index: %s", sy_rd_why(rc));
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
    /* a version-1 struct ends before video_threads */
    r->video_threads = opts->version >= 2 && opts->video_threads > 0 ? opts->video_threads : 1;
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
    if (opts->version < 1 || opts->version > SYNAPT_READER_OPTIONS_VERSION) {
        sy_fmt(errbuf, errbuf_size, "%s: reader options version %u is not 1 to %u", name, opts->version,
               SYNAPT_READER_OPTIONS_VERSION);
        return SYNAPT_E_INVALID_ARG;
    }
    if (opts->version >= 2 && (opts->video_threads < 0 || opts->video_threads > SY_VIDEO_THREADS_MAX)) {
        sy_fmt(errbuf, errbuf_size, "%s: video_threads %d is not 0 to %d", name, opts->video_threads,
               SY_VIDEO_THREADS_MAX);
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
        /* map_file: the whole file becomes the memory image; a refused
         * mapping (FUSE, network filesystems) leaves pread */
        if (opts->version >= 3 && opts->map_file && st.st_size > 0 && (uint64_t)st.st_size <= SIZE_MAX) {
            void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, r->fd, 0);
            if (p != MAP_FAILED) {
                r->map_base = p;
                r->map_len = (size_t)st.st_size;
                r->image = p;
            }
        }
        rc = open_common(r, opts->verify_index, r->image ? 0 : opts->use_mmap);
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
