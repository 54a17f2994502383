/* reader_frames.c - reading frames: a chunk record is fetched once,
 * checked against its index entry (spec section 12, rules 29 to 36a),
 * decompressed and unfiltered into whatever the caller asked for (frames,
 * packets, pose arrays, frame table entries). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <xxhash.h>
#include "internal.h"
#include "chunk.h"
#include "reader_internal.h"

/* ------------------------------------------------------------------ */
/* chunk records */

int sy_load_chunk(chunkdata *cd, const synapt_reader *r, const sy_stream *st, const chunkent *ck, sy_buf *scratch,
                      int verify)
{
    const uint8_t *rec;
    int rc = sy_fetch(r, &rec, scratch, ck->offset, (size_t)ck->record);
    if (rc == SYNAPT_E_NOMEM) return sy_rerr(r, rc, st->clip, st->index, ck->k, "out of memory");
    if (rc) return sy_rerr(r, rc, st->clip, st->index, ck->k, "cannot read the record: %s", sy_rd_why(rc));
#define BAD(...) return sy_rerr(r, SYNAPT_E_CORRUPT, st->clip, st->index, ck->k, __VA_ARGS__)
    uint64_t blen = ck->record - SY_REC_OVERHEAD, plen;
    uint32_t type;
    sy_rec_prefix_get(&type, &plen, rec);
    if (type != SY_REC_CHUNK || plen != blen) BAD("not a CHUNK record of the indexed size");
    const uint8_t *b = rec + SY_REC_PREFIX;
    uint64_t sum = sy_rd64(b + blen);
    if (sum != ck->checksum)
        return sy_rerr(r, SYNAPT_E_CHECKSUM, st->clip, st->index, ck->k, "record checksum differs from the index");
    if (verify && sy_xxh3(b, (size_t)blen) != sum)
        return sy_rerr(r, SYNAPT_E_CHECKSUM, st->clip, st->index, ck->k, "checksum mismatch");
    cd->body = b;
    cd->body_len = blen;
    int lay = sy_chunk_parse(&cd->c, b, blen);
    const sy_chunk_hdr *h = &cd->c.h;
    if (h->clip != st->clip || h->stream != st->index || h->first != ck->first || h->count != ck->count)
        BAD("chunk header (clip %u, stream %u, frames %llu+%u) differs from the index", h->clip, h->stream,
            (unsigned long long)h->first, h->count);
    if (h->compression > SYNAPT_COMPRESSION_DEPTH_STRIP || h->filter > SYNAPT_FILTER_DEPTH_UP)
        BAD("unknown compression %d or filter %d", h->compression, h->filter);
    if (h->entry_size < SY_ENTRY_ARRAY || !h->elem)
        BAD("frame table entry size %u or element size %u invalid", h->entry_size, h->elem);
    /* the filters work on elem_size: one that disagrees with the stream's
     * dtype would unfilter into other values than were written */
    if (st->codec == SYNAPT_CODEC_RAW && h->elem != synapt_dtype_size(st->dtype))
        BAD("element size %u, the stream's dtype has %zu", h->elem, synapt_dtype_size(st->dtype));
    if (st->codec != SYNAPT_CODEC_RAW && (h->elem != 1 || h->filter != SYNAPT_FILTER_NONE || h->entry_size < SY_ENTRY_PACKET))
        BAD("packet chunk with element size %u, filter %d, frame table entries of %u bytes (want 1, none, 32)", h->elem,
            h->filter, h->entry_size);
    if (h->filter == SYNAPT_FILTER_DEPTH_MED && h->elem != 2) BAD("depth_med on %u-byte elements", h->elem);
    if (h->filter == SYNAPT_FILTER_DEPTH_RANK && h->elem != 2) BAD("depth_rank on %u-byte elements", h->elem);
    if (h->filter == SYNAPT_FILTER_DEPTH_UP && h->elem != 2) BAD("depth_up on %u-byte elements", h->elem);
    if ((h->compression == SYNAPT_COMPRESSION_DEPTH_ANS || h->compression == SYNAPT_COMPRESSION_DEPTH_STRIP) &&
        (h->elem != 2 || h->filter != SYNAPT_FILTER_NONE || !h->width))
        BAD("%s with element size %u, filter %d, width %u (want 2, none, at least 1)",
            h->compression == SYNAPT_COMPRESSION_DEPTH_ANS ? "depth_ans" : "depth_strip", h->elem, h->filter, h->width);
    if (h->raw != ck->raw) BAD("raw size %llu differs from the index", (unsigned long long)h->raw);
    if (lay) BAD("frame table and payload sizes do not add up to the record");
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
        if (cd->c.h.compression == SYNAPT_COMPRESSION_NONE && fs != fr) BAD("uncompressed frame with stored != raw size");
        if (cd->c.h.compression == SYNAPT_COMPRESSION_ZSTD_CHUNK && fs != 0) BAD("per-frame stored size in a whole-chunk frame");
        if ((cd->c.h.compression == SYNAPT_COMPRESSION_DEPTH_ANS || cd->c.h.compression == SYNAPT_COMPRESSION_DEPTH_STRIP) &&
            (!fr || fr % (2 * (uint64_t)cd->c.h.width)))
            BAD("%s frame %llu of %u bytes is not whole rows of %u",
                cd->c.h.compression == SYNAPT_COMPRESSION_DEPTH_ANS ? "depth_ans" : "depth_strip",
                (unsigned long long)(ck->first + i), fr, cd->c.h.width);
    }
    if (sraw != cd->c.h.raw) BAD("frame raw sizes sum to %llu, not %llu", (unsigned long long)sraw, (unsigned long long)cd->c.h.raw);
    if (cd->c.h.compression != SYNAPT_COMPRESSION_ZSTD_CHUNK && sstored != cd->c.h.stored)
        BAD("frame stored sizes sum to %llu, not %llu", (unsigned long long)sstored, (unsigned long long)cd->c.h.stored);
#undef BAD
    return 0;
}


static int zerr(const synapt_reader *r, const sy_stream *st, const chunkent *ck, const char *what, size_t code)
{
    return sy_rerr(r, SYNAPT_E_CORRUPT, st->clip, st->index, ck->k, "zstd %s: %s", what,
                   ZSTD_isError(code) ? ZSTD_getErrorName(code) : "wrong decompressed size");
}

/* Spec 6.3: the bytes are exactly one zstd frame (not a skippable frame,
 * nothing after it), and a declared content size is the announced one.
 * zstd itself would decompress two concatenated frames as one. */
static const char *one_frame(const uint8_t *p, size_t n, uint64_t raw, int need_size)
{
    ZSTD_frameHeader fh;
    size_t k = ZSTD_getFrameHeader(&fh, p, n);
    if (ZSTD_isError(k) || k != 0) return "no complete zstd frame header";
    if (fh.frameType != ZSTD_frame) return "a skippable frame instead of data";
    if (fh.frameContentSize == ZSTD_CONTENTSIZE_UNKNOWN ? need_size : fh.frameContentSize != raw)
        return need_size ? "the frame does not declare the chunk's raw size" : "the frame declares another size";
    k = ZSTD_findFrameCompressedSize(p, n);
    if (ZSTD_isError(k)) return ZSTD_getErrorName(k);
    if (k != n) return "bytes after the zstd frame";
    return NULL;
}

static int unfilter(const chunkdata *cd, uint8_t *dst, const uint8_t *src, uint32_t n, const uint8_t *prev, uint32_t prev_n)
{
    switch (cd->c.h.filter) {
    case SYNAPT_FILTER_NONE: memcpy(dst, src, n); break;
    case SYNAPT_FILTER_SHUFFLE: sy_unshuffle(dst, src, n, cd->c.h.elem); break;
    case SYNAPT_FILTER_DEPTH_MED: sy_undepth_med(dst, src, n, cd->c.h.width); break;
    case SYNAPT_FILTER_DEPTH_UP: sy_undepth_up(dst, src, n, cd->c.h.width); break;
    case SYNAPT_FILTER_DEPTH_RANK: return sy_undepth_rank(dst, src, n, cd->c.h.width);
    default: sy_unxor_prev(dst, src, n, prev, prev_n, cd->c.h.elem); break;
    }
    return 0;
}

int sy_decode_chunk(const synapt_reader *r, const sy_stream *st, const chunkent *ck, const chunkdata *cd,
                        uint32_t lo, uint32_t hi, const sink *sk, rctx *sc)
{
    int rc = 0;
    ZSTD_DCtx *dctx = NULL;
    const uint8_t *whole = NULL;
    if (cd->c.h.compression == SYNAPT_COMPRESSION_DEPTH_ANS || cd->c.h.compression == SYNAPT_COMPRESSION_DEPTH_STRIP) {
        /* the decoders' tables (depth_strip's also its row buffers) */
        sc->dans.len = 0;
        if (sy_buf_reserve(&r->mem, &sc->dans,
                           cd->c.h.compression == SYNAPT_COMPRESSION_DEPTH_ANS ? sy_dans_dec_scratch()
                                                                               : sy_dstrip_dec_scratch(cd->c.h.width)))
            return sy_rerr(r, SYNAPT_E_NOMEM, st->clip, st->index, ck->k, "out of memory");
    } else if (cd->c.h.compression != SYNAPT_COMPRESSION_NONE && !(dctx = sy_ctx_dctx(r, sc)))
        return sy_rerr(r, SYNAPT_E_NOMEM, st->clip, st->index, ck->k, "out of memory (zstd context)");
    if (cd->c.h.compression == SYNAPT_COMPRESSION_ZSTD_CHUNK) {
        const char *why = one_frame(cd->c.payload, (size_t)cd->c.h.stored, cd->c.h.raw, 1);
        if (why) {
            rc = sy_rerr(r, SYNAPT_E_CORRUPT, st->clip, st->index, ck->k, "zstd chunk payload: %s", why);
            goto done;
        }
        /* a whole unfiltered chunk the sink takes in one piece: decompress
         * straight into it (pose chunks that the writer left unfiltered) */
        uint8_t *span = NULL;
        if (cd->c.h.filter == SYNAPT_FILTER_NONE && lo == 0 && hi == cd->c.h.count && sk->span && !sk->done)
            span = sk->span(sk->u, ck->first, cd->c.h.raw);
        if (span) {
            size_t k = ZSTD_decompressDCtx(dctx, span, (size_t)cd->c.h.raw, cd->c.payload, (size_t)cd->c.h.stored);
            if (ZSTD_isError(k) || k != cd->c.h.raw) rc = zerr(r, st, ck, "decompression", k);
            goto done;
        }
        sc->whole.len = 0;
        if (sy_buf_reserve(&r->mem, &sc->whole, (size_t)cd->c.h.raw)) {
            rc = sy_rerr(r, SYNAPT_E_NOMEM, st->clip, st->index, ck->k, "out of memory");
            goto done;
        }
        size_t k = ZSTD_decompressDCtx(dctx, sc->whole.data, (size_t)cd->c.h.raw, cd->c.payload, (size_t)cd->c.h.stored);
        if (ZSTD_isError(k) || k != cd->c.h.raw) { rc = zerr(r, st, ck, "decompression", k); goto done; }
        whole = sc->whole.data;
    }
    int xor = cd->c.h.filter == SYNAPT_FILTER_XOR_PREV;
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
            if (cd->c.h.compression == SYNAPT_COMPRESSION_NONE) {
                src = cd->c.payload + soff;
            } else if (cd->c.h.compression == SYNAPT_COMPRESSION_DEPTH_ANS) {
                /* filter none (checked), so not xor_prev: dst is the
                 * caller's frame, decoded into straight */
                if (sy_dans_decode(dst, fr, cd->c.h.width, cd->c.payload + soff, fs, sc->dans.data)) {
                    rc = sy_rerr(r, SYNAPT_E_CORRUPT, st->clip, st->index, ck->k, "frame %llu: not a valid depth_ans frame",
                                 (unsigned long long)(ck->first + i));
                    goto done;
                }
                src = dst;
                direct = 1;
            } else if (cd->c.h.compression == SYNAPT_COMPRESSION_DEPTH_STRIP) {
                if (sy_dstrip_decode(dst, fr, cd->c.h.width, cd->c.payload + soff, fs, sc->dans.data)) {
                    rc = sy_rerr(r, SYNAPT_E_CORRUPT, st->clip, st->index, ck->k,
                                 "frame %llu: not a valid depth_strip frame", (unsigned long long)(ck->first + i));
                    goto done;
                }
                src = dst;
                direct = 1;
            } else if (cd->c.h.compression == SYNAPT_COMPRESSION_ZSTD_FRAME) {
                uint8_t *into;
                if (cd->c.h.filter == SYNAPT_FILTER_NONE && dst) { into = dst; direct = 1; }
                else {
                    sc->ftmp.len = 0;
                    if (sy_buf_reserve(&r->mem, &sc->ftmp, fr)) {
                        rc = sy_rerr(r, SYNAPT_E_NOMEM, st->clip, st->index, ck->k, "out of memory");
                        goto done;
                    }
                    into = sc->ftmp.data;
                }
                const char *why = one_frame(cd->c.payload + soff, fs, fr, 0);
                if (why) {
                    rc = sy_rerr(r, SYNAPT_E_CORRUPT, st->clip, st->index, ck->k, "frame %llu: %s",
                                 (unsigned long long)(ck->first + i), why);
                    goto done;
                }
                size_t k = ZSTD_decompressDCtx(dctx, into, fr, cd->c.payload + soff, fs);
                if (ZSTD_isError(k) || k != fr) { rc = zerr(r, st, ck, "decompression", k); goto done; }
                src = into;
            } else {
                src = whole + roff;
            }
            if (xor) {
                /* frames the caller wants are decoded in place; the sink
                 * keeps each one intact until the next is decoded */
                uint8_t *raw = dst ? dst : sc->chunkraw.data + roff;
                sy_unxor_prev(raw, src, fr, prevp, prevn, cd->c.h.elem);
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

int sy_walk(const synapt_reader *r, const sy_stream *st, uint64_t first, uint64_t n, const sink *sk, meta_fn meta,
                void *mu)
{
    uint64_t end;
    if (!sy_add_ok(first, n, &end) || end > st->packets)
        return sy_rerr(r, SYNAPT_E_RANGE, st->clip, st->index, SY_NO_CHUNK, "frames [%llu, +%llu) outside the stream's %llu",
                       (unsigned long long)first, (unsigned long long)n, (unsigned long long)st->packets);
    if (!n) return 0;
    rctx *sc = sy_ctx_get(r);
    if (!sc) return sy_rerr(r, SYNAPT_E_NOMEM, st->clip, st->index, SY_NO_CHUNK, "out of memory");
    chunkent ck;
    int rc = sy_find_chunkent(&ck, r, st, first);
    uint64_t f = first;
    while (!rc) {
        chunkdata cd;
        if ((rc = sy_load_chunk(&cd, r, st, &ck, &sc->rec, r->verify_checksums))) break;
        uint32_t lo = (uint32_t)(f - ck.first);
        uint32_t hi = end - ck.first < ck.count ? (uint32_t)(end - ck.first) : ck.count;
        if (meta)
            for (uint32_t i = lo; i < hi && !rc; i++)
                rc = meta(mu, ck.first + i, sy_chunk_entry(&cd.c, i), cd.c.h.entry_size);
        if (!rc && sk) rc = sy_decode_chunk(r, st, &ck, &cd, lo, hi, sk, sc);
        f = ck.first + hi;
        if (rc || f >= end) break;
        uint64_t next = ck.k + 1;
        if ((rc = sy_load_chunkent(&ck, r, st, next))) break;
        if (ck.first != f)
            rc = sy_rerr(r, SYNAPT_E_CORRUPT, st->clip, st->index, next, "starts at frame %llu, expected %llu",
                         (unsigned long long)ck.first, (unsigned long long)f);
    }
    sy_ctx_put(r, sc);
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

static uint8_t *copy_span(void *u, uint64_t idx, uint64_t size)
{
    copyctx *c = u;
    (void)idx;
    if (c->need != c->pos || size > c->cap - c->pos) return NULL;
    uint8_t *d = c->buf + c->pos;
    c->pos += (size_t)size;
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
    sink sk = { copy_dst, NULL, &c, copy_span };
    int rc = sy_walk(r, st, first, n, &sk, NULL, NULL);
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
    sink sk = { pose_dst, pose_done, &p, NULL };
    rc = sy_walk(r, &st, first, n, &sk, NULL, NULL);
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
    sy_frame_ent f;
    sy_frame_ent_get(&f, e, esz);
    if (c->sizes) c->sizes[i] = f.raw;
    if (c->pts) c->pts[i] = f.pts;
    if (c->ents) {
        c->ents[i].size = f.raw;
        c->ents[i].flags = f.flags;
        c->ents[i].pts = f.pts;
        c->ents[i].dts = f.dts;
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
    return sy_walk(r, &st, first, n, NULL, ent_meta, &c);
}

int synapt_reader_frame_pts(int64_t *out, const synapt_reader *r, uint64_t clip, uint32_t stream, uint64_t first,
                            uint64_t n)
{
    if (!r || (!out && n)) return SYNAPT_E_INVALID_ARG;
    sy_stream st;
    int rc = sy_reader_stream(&st, r, clip, stream);
    if (rc) return rc;
    entctx c = { first, NULL, out, NULL };
    return sy_walk(r, &st, first, n, NULL, ent_meta, &c);
}

int synapt_reader_frame_entries(synapt_frame_entry *out, const synapt_reader *r, uint64_t clip, uint32_t stream,
                                uint64_t first, uint64_t n)
{
    if (!r || (!out && n)) return SYNAPT_E_INVALID_ARG;
    sy_stream st;
    int rc = sy_reader_stream(&st, r, clip, stream);
    if (rc) return rc;
    entctx c = { first, NULL, NULL, out };
    return sy_walk(r, &st, first, n, NULL, ent_meta, &c);
}

/* ---- whole chunks of packets, for the video read path ---- */

typedef struct pktctx {
    sy_packets *pk;
} pktctx;

static uint8_t *pkt_dst(void *u, uint64_t idx, uint32_t size)
{
    sy_packets *pk = ((pktctx *)u)->pk;
    (void)size;
    return pk->data + pk->off[idx - pk->first];
}

int sy_reader_load_packets(sy_packets *pk, const synapt_reader *r, uint64_t clip, uint32_t stream, uint64_t packet)
{
    sy_stream st;
    chunkent ck;
    int rc = sy_reader_stream(&st, r, clip, stream);
    if (rc) return rc;
    if (packet >= st.packets)
        return sy_rerr(r, SYNAPT_E_RANGE, clip, stream, SY_NO_CHUNK, "packet %llu outside the stream's %llu",
                       (unsigned long long)packet, (unsigned long long)st.packets);
    if ((rc = sy_find_chunkent(&ck, r, &st, packet))) return rc;
    pk->count = 0;
    rctx *sc = sy_ctx_get(r);
    if (!sc) return sy_rerr(r, SYNAPT_E_NOMEM, clip, stream, ck.k, "out of memory");
    chunkdata cd;
    if ((rc = sy_load_chunk(&cd, r, &st, &ck, &sc->rec, r->verify_checksums))) goto done;
    /* load_chunk checked every raw size against the frame limit and their
     * sum against the chunk's raw size, which the index bounds */
    if (cd.c.h.raw > r->limits.max_chunk_bytes) {
        rc = sy_rerr(r, SYNAPT_E_LIMIT, clip, stream, ck.k, "chunk of %llu raw bytes exceeds the limit",
                     (unsigned long long)cd.c.h.raw);
        goto done;
    }
    void *p;
    if (ck.count > pk->tab_cap) {
        if (!(p = sy_realloc(&r->mem, pk->off, ck.count * sizeof *pk->off))) goto nomem;
        pk->off = p;
        if (!(p = sy_realloc(&r->mem, pk->size, ck.count * sizeof *pk->size))) goto nomem;
        pk->size = p;
        if (!(p = sy_realloc(&r->mem, pk->flags, ck.count * sizeof *pk->flags))) goto nomem;
        pk->flags = p;
        pk->tab_cap = ck.count;
    }
    if (cd.c.h.raw > pk->data_cap || !pk->data) {
        size_t want = cd.c.h.raw ? (size_t)cd.c.h.raw : 1;
        if (!(p = sy_realloc(&r->mem, pk->data, want))) goto nomem;
        pk->data = p;
        pk->data_cap = want;
    }
    uint64_t at = 0;
    for (uint32_t i = 0; i < ck.count; i++) {
        sy_frame_ent f;
        sy_frame_ent_get(&f, sy_chunk_entry(&cd.c, i), cd.c.h.entry_size);
        pk->off[i] = at;
        pk->size[i] = f.raw;
        pk->flags[i] = f.flags;
        at += f.raw;
    }
    pk->first = ck.first;
    pktctx u = { pk };
    sink sk = { pkt_dst, NULL, &u, NULL };
    if ((rc = sy_decode_chunk(r, &st, &ck, &cd, 0, ck.count, &sk, sc))) goto done;
    pk->count = ck.count;
    goto done;
nomem:
    rc = sy_rerr(r, SYNAPT_E_NOMEM, clip, stream, ck.k, "out of memory");
done:
    sy_ctx_put(r, sc);
    return rc;
}

void sy_packets_free(const synapt_reader *r, sy_packets *pk)
{
    if (!r || !pk) return;
    sy_free(&r->mem, pk->data);
    sy_free(&r->mem, pk->off);
    sy_free(&r->mem, pk->size);
    sy_free(&r->mem, pk->flags);
    memset(pk, 0, sizeof *pk);
}
