/* recover.c - salvage the complete clips of an unfinished or damaged file
 * by a forward scan over its records (spec/format.md section 13).
 *
 * The scan trusts nothing after the first record that fails its checksum
 * or runs past the end of the file. CHUNK records are remembered by
 * position (their bodies are re-read when written out, so memory stays
 * proportional to the chunk count, not the data); each CLIP record that
 * follows its chunks is parsed, and the clip is kept only when its chunks
 * tile every stream's frame table exactly. Kept clips are written through
 * an ordinary writer, so the output gets a fresh index, atomic rename and
 * every check a normal file gets. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <xxhash.h>
#include "internal.h"
#include "chunk.h"

typedef struct rchunk {
    uint64_t pos, body_len;
    uint32_t clip, stream;
    uint64_t first, raw;
    uint32_t count;
    int used, pick;
} rchunk;

typedef struct rstate {
    sy_mem mem;
    int fd;
    uint64_t size;
    const char *src;
    rchunk *chunks;
    size_t nchunks, cap;
    sy_buf body;
    char msg[SY_MSG_MAX];
} rstate;

static int pread_all(int fd, void *buf, size_t n, uint64_t off)
{
    uint8_t *p = buf;
    while (n) {
        ssize_t k = pread(fd, p, n, (off_t)off);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        p += k;
        n -= (size_t)k;
        off += (uint64_t)k;
    }
    return 0;
}

/* Read and checksum the record at pos into st->body (body bytes at
 * body.data + 16). 0 ok, 1 torn (runs past the end), 2 damaged, <0 error. */
static int read_record(rstate *st, uint64_t pos, uint32_t *type, uint64_t *blen, uint64_t max_body)
{
    uint8_t pre[SY_REC_PREFIX];
    if (pos + SY_REC_OVERHEAD > st->size) return 1;
    if (pread_all(st->fd, pre, sizeof pre, pos)) return SYNAPT_E_IO;
    sy_rec_prefix_get(type, blen, pre);
    if (*blen > st->size - pos - SY_REC_OVERHEAD) return 1;
    if (*blen > max_body) return 2;
    st->body.len = 0;
    if (sy_buf_reserve(&st->mem, &st->body, (size_t)*blen + SY_REC_OVERHEAD)) return SYNAPT_E_NOMEM;
    if (pread_all(st->fd, st->body.data, (size_t)*blen + SY_REC_OVERHEAD, pos)) return SYNAPT_E_IO;
    const uint8_t *b = st->body.data + SY_REC_PREFIX;
    if (sy_xxh3(b, (size_t)*blen) != sy_rd64(b + *blen)) return 2;
    return 0;
}

/* A chunk body's header parses and adds up (the rest is checked when the
 * recovered file is read). */
static int chunk_ok(sy_chunk *c, const uint8_t *b, uint64_t blen)
{
    return !sy_chunk_parse(c, b, blen) && c->h.count >= 1;
}

/* Order remembered chunks by (stream, first frame). Heapsort: in place,
 * no allocation, O(n log n) whatever a hostile file holds. */
static int rc_less(const rchunk *a, const rchunk *b)
{
    return a->stream < b->stream || (a->stream == b->stream && a->first < b->first);
}

static void rc_sift(rchunk **a, size_t i, size_t n)
{
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) return;
        if (c + 1 < n && rc_less(a[c], a[c + 1])) c++;
        if (!rc_less(a[i], a[c])) return;
        rchunk *t = a[i]; a[i] = a[c]; a[c] = t;
        i = c;
    }
}

static void rc_sort(rchunk **a, size_t n)
{
    for (size_t k = n / 2; k-- > 0;) rc_sift(a, k, n);
    for (size_t end = n; end > 1; end--) {
        rchunk *t = a[0]; a[0] = a[end - 1]; a[end - 1] = t;
        rc_sift(a, 0, end - 1);
    }
}

/* Write one parsed clip and its chunks: 0 kept, 1 dropped (incomplete or
 * refused by the writer; nothing of it was written), <0 a writer failure
 * (the writer is poisoned). */
static int keep_clip(rstate *st, synapt_writer *w, const sy_clip_parsed *cp, uint32_t clip_index, char *why,
                     size_t whycap)
{
    const sy_json_clip *c = &cp->clip;
    rchunk **mine = NULL;
    uint32_t *sidx = NULL;
    size_t nmine = 0;
    int rc = 0;
    for (size_t i = 0; i < st->nchunks; i++)
        if (!st->chunks[i].used && st->chunks[i].clip == clip_index) nmine++;
    mine = sy_malloc(&st->mem, (nmine ? nmine : 1) * sizeof *mine);
    sidx = sy_malloc(&st->mem, (c->stream_count ? c->stream_count : 1) * sizeof *sidx);
    if (!mine || !sidx) { rc = SYNAPT_E_NOMEM; goto done; }
    nmine = 0;
    for (size_t i = 0; i < st->nchunks; i++)
        if (!st->chunks[i].used && st->chunks[i].clip == clip_index) mine[nmine++] = &st->chunks[i];
    rc_sort(mine, nmine);
    /* each stream's chunks must tile 0 .. packets exactly */
    size_t k = 0;
    for (size_t s = 0; s < c->stream_count; s++) {
        uint64_t f = 0;
        while (k < nmine && mine[k]->stream < s) k++;   /* streams the record does not have */
        for (; k < nmine && mine[k]->stream == s && mine[k]->first == f; k++) {
            f += mine[k]->count;
            mine[k]->pick = 1;
        }
        while (k < nmine && mine[k]->stream == s) k++;  /* duplicates or strays past a gap */
        if (f != c->streams[s].packets) {
            sy_fmt(why, whycap, "%s: clip %s stream %s: chunks hold %llu of %llu frames; clip dropped", st->src, c->id,
                   c->streams[s].name, (unsigned long long)f, (unsigned long long)c->streams[s].packets);
            rc = 1;
            goto done;
        }
    }

    synapt_clip_desc d = SYNAPT_CLIP_DESC_INIT;
    d.id = c->id;
    d.labels = c->labels;
    d.label_count = c->label_count;
    d.split = c->split;
    d.source = c->source;
    d.synthetic = c->synthetic;
    d.group_keys = c->group_keys;
    d.group_values = c->group_values;
    d.group_count = c->group_count;
    d.meta_json = c->meta_json;
    if ((rc = synapt_writer_begin_clip(w, &d))) goto refused;
    /* every stream first: a refusal here drops the clip before any byte of
     * it is written */
    for (size_t s = 0; s < c->stream_count; s++) {
        const sy_json_stream *js = &c->streams[s];
        synapt_stream_desc sd = SYNAPT_STREAM_DESC_INIT;
        sd.name = js->name; sd.kind = js->kind; sd.dtype = js->dtype; sd.codec = js->codec; sd.ndim = js->ndim;
        memcpy(sd.shape, js->shape, sizeof sd.shape);
        sd.fps_num = js->fps_num; sd.fps_den = js->fps_den; sd.scale = js->scale; sd.units = js->units;
        sd.skeleton = js->skeleton; sd.channels = js->channels;
        sd.compression = js->compression; sd.filter = js->filter;
        sd.extradata = js->extradata; sd.extradata_size = js->extradata_size; sd.codec_config = js->codec_config;
        if ((rc = synapt_writer_add_stream(&sidx[s], w, &sd))) {
            if (rc == SYNAPT_E_INVALID_ARG || rc == SYNAPT_E_EXISTS || rc == SYNAPT_E_LIMIT) sy_writer_drop_clip(w);
            goto refused;
        }
    }
    /* In the order of the source file, so a clean source is reproduced
     * record for record; stream by stream when the file's order is not
     * each stream's frame order (a file from another writer). */
    uint64_t *next = sy_calloc(&st->mem, (c->stream_count ? c->stream_count : 1) * sizeof *next);
    if (!next) { rc = SYNAPT_E_NOMEM; goto done; }
    int file_order = 1;
    for (size_t i = 0; i < st->nchunks && file_order; i++) {
        const rchunk *ch = &st->chunks[i];
        if (ch->used || !ch->pick || ch->clip != clip_index) continue;
        if (ch->first != next[ch->stream]) file_order = 0;
        next[ch->stream] += ch->count;
    }
    sy_free(&st->mem, next);
    size_t total = file_order ? st->nchunks : nmine;
    for (size_t i = 0; i < total && !rc; i++) {
        rchunk *ch = file_order ? &st->chunks[i] : mine[i];
        if (ch->used || !ch->pick || ch->clip != clip_index) continue;
        uint32_t type;
        uint64_t blen;
        int r2 = read_record(st, ch->pos, &type, &blen, UINT64_MAX);
        if (r2 || type != SY_REC_CHUNK || blen != ch->body_len) {
            /* it parsed during the scan: the source changed or failed */
            sy_fmt(why, whycap, "%s: cannot read back the chunk record at offset %llu", st->src,
                   (unsigned long long)ch->pos);
            rc = r2 < 0 ? r2 : SYNAPT_E_IO;
            break;
        }
        rc = sy_writer_put_chunk(w, sidx[ch->stream], st->body.data, blen, ch->first, ch->count, ch->raw);
    }
    for (size_t s = 0; s < c->stream_count && !rc; s++)
        rc = sy_writer_stream_totals(w, sidx[s], c->streams[s].has_pts, c->streams[s].max_persons, c->streams[s].frames);
    if (!rc) rc = synapt_writer_end_clip(w);
    if (rc && !why[0]) sy_fmt(why, whycap, "%s", synapt_writer_errmsg(w));
    goto done;
refused:
    if (rc == SYNAPT_E_INVALID_ARG || rc == SYNAPT_E_EXISTS || rc == SYNAPT_E_LIMIT) {
        sy_fmt(why, whycap, "%s; clip dropped", synapt_writer_errmsg(w));
        rc = 1;
    } else if (!why[0]) {
        sy_fmt(why, whycap, "%s", synapt_writer_errmsg(w));
    }
done:
    for (size_t i = 0; i < nmine; i++) mine[i]->used = 1;   /* consumed either way */
    sy_free(&st->mem, mine);
    sy_free(&st->mem, sidx);
    return rc;
}

int synapt_recover(synapt_recover_report *report, const char *src_path, const char *dst_path,
                   const synapt_writer_options *opts, synapt_log_fn log, void *log_user,
                   char *errbuf, size_t errbuf_size)
{
    synapt_recover_report rep;
    memset(&rep, 0, sizeof rep);
    if (report) *report = rep;
    if (!src_path || !dst_path) {
        sy_errbuf_set(errbuf, errbuf_size, "synapt_recover: source and destination paths are required");
        return SYNAPT_E_INVALID_ARG;
    }
    rstate st;
    memset(&st, 0, sizeof st);
    sy_mem_init(&st.mem, opts ? opts->allocator : NULL);
    st.src = src_path;
    st.fd = -1;
    synapt_writer *w = NULL;
    sy_clip_parsed cp;
    memset(&cp, 0, sizeof cp);
    int rc = 0;
    char why[SY_MSG_MAX];
    struct stat sb;
    st.fd = open(src_path, O_RDONLY | O_CLOEXEC);
    if (st.fd < 0 || fstat(st.fd, &sb) < 0) {
        sy_fmt(st.msg, sizeof st.msg, "%s: cannot open: %s", src_path, strerror(errno));
        rc = SYNAPT_E_IO;
        goto out;
    }
    st.size = (uint64_t)sb.st_size;
    rep.file_bytes = st.size;
    uint8_t magic[SY_MAGIC_LEN];
    if (st.size < SY_MAGIC_LEN || pread_all(st.fd, magic, SY_MAGIC_LEN, 0) || memcmp(magic, sy_magic, SY_MAGIC_LEN - 1)) {
        sy_fmt(st.msg, sizeof st.msg, "%s: not a .synapt file (magic bytes absent)", src_path);
        rc = SYNAPT_E_NOT_SYNAPT;
        goto out;
    }
    if (magic[7] != SYNAPT_FORMAT_MAJOR) {
        sy_fmt(st.msg, sizeof st.msg, "%s: format major version %u; this library reads %u", src_path, magic[7],
               SYNAPT_FORMAT_MAJOR);
        rc = SYNAPT_E_VERSION;
        goto out;
    }
    uint32_t type;
    uint64_t blen, pos = SY_MAGIC_LEN;
    int r = read_record(&st, pos, &type, &blen, 65536);
    if (r < 0) { rc = r; sy_fmt(st.msg, sizeof st.msg, "%s: cannot read the header", src_path); goto out; }
    if (r || type != SY_REC_HEADER || blen < SY_HEADER_FIXED) {
        sy_fmt(st.msg, sizeof st.msg, "%s: the HEADER record is missing or damaged; nothing can be recovered", src_path);
        rc = r == 1 ? SYNAPT_E_TRUNCATED : SYNAPT_E_CORRUPT;
        goto out;
    }
    /* a crashed writer's HEADER may lack a bit its chunks need (set at close);
     * the chunks are checked one by one anyway, and the output gets its own */
    if (sy_rd64(st.body.data + SY_REC_PREFIX + 24) & ~(uint64_t)SY_FEATURES_KNOWN) {
        sy_fmt(st.msg, sizeof st.msg, "%s: the file requires features this library does not know", src_path);
        rc = SYNAPT_E_FEATURE;
        goto out;
    }
    pos += SY_REC_OVERHEAD + blen;
    rep.records_scanned = 1;
    if ((rc = synapt_writer_create(&w, dst_path, opts, st.msg, sizeof st.msg))) goto out;

    while (pos < st.size) {
        r = read_record(&st, pos, &type, &blen, UINT64_MAX);
        if (r < 0) { rc = r; sy_fmt(st.msg, sizeof st.msg, "%s: cannot read at offset %llu", src_path, (unsigned long long)pos); goto out; }
        if (r) {
            /* a footer after the index is the normal end of a complete file */
            if (!(rep.had_index && st.size - pos == SY_FOOTER)) {
                rep.stopped_early = 1;
                if (log) {
                    sy_fmt(why, sizeof why, "%s: %s record at offset %llu; nothing after it is trusted", src_path,
                           r == 1 ? "torn" : "damaged", (unsigned long long)pos);
                    log(log_user, 0, why);
                }
            }
            break;
        }
        rep.records_scanned++;
        const uint8_t *b = st.body.data + SY_REC_PREFIX;
        if (type == SY_REC_CHUNK) {
            sy_chunk c;
            if (chunk_ok(&c, b, blen)) {
                void *p = st.chunks;
                if (sy_grow(&st.mem, &p, &st.cap, st.nchunks + 1, sizeof(rchunk))) { rc = SYNAPT_E_NOMEM; goto nomem; }
                st.chunks = p;
                rchunk *k = &st.chunks[st.nchunks++];
                k->pos = pos;
                k->body_len = blen;
                k->clip = c.h.clip;
                k->stream = c.h.stream;
                k->first = c.h.first;
                k->count = c.h.count;
                k->raw = c.h.raw;
                k->used = 0;
                k->pick = 0;
            }
        } else if (type == SY_REC_CLIP) {
            char perr[SY_MSG_MAX] = "";
            int prc = sy_clip_json_parse(&st.mem, &cp, b, (size_t)blen, 65535, perr, sizeof perr);
            if (prc == SYNAPT_E_NOMEM) { rc = prc; goto nomem; }
            if (prc) {
                rep.clips_dropped++;
                if (log) { sy_fmt(why, sizeof why, "%s: offset %llu: %s", src_path, (unsigned long long)pos, perr); log(log_user, 0, why); }
            } else {
                why[0] = 0;
                int k = keep_clip(&st, w, &cp, (uint32_t)cp.clip.clip_index, why, sizeof why);
                if (k < 0) {
                    rc = k;
                    sy_fmt(st.msg, sizeof st.msg, "%s", why[0] ? why : synapt_writer_errmsg(w));
                    goto out;
                }
                if (k == 0) {
                    rep.clips_kept++;
                    if (log) { sy_fmt(why, sizeof why, "kept clip %s", cp.clip.id); log(log_user, 1, why); }
                } else {
                    rep.clips_dropped++;
                    if (log) log(log_user, 0, why);
                }
            }
            sy_clip_json_free(&st.mem, &cp);
        } else if (type == SY_REC_INDEX) {
            rep.had_index = 1;
        }
        pos += SY_REC_OVERHEAD + blen;
    }
    rep.bytes_scanned = pos;
    /* chunks of clips whose CLIP record never came */
    for (size_t i = 0; i < st.nchunks; i++)
        if (!st.chunks[i].used) { rep.orphan_chunks++; }
    rc = synapt_writer_close(w, st.msg, sizeof st.msg);
    w = NULL;
    goto out;
nomem:
    sy_fmt(st.msg, sizeof st.msg, "%s: out of memory", src_path);
out:
    sy_clip_json_free(&st.mem, &cp);
    synapt_writer_abort(w);
    if (st.fd >= 0) close(st.fd);
    sy_free(&st.mem, st.chunks);
    sy_buf_free(&st.mem, &st.body);
    if (rc) sy_errbuf_set(errbuf, errbuf_size, st.msg);
    if (report) *report = rep;
    return rc;
}
