/* writer_chunk.c - the frame side of the write path: frames are buffered
 * per stream until a chunk is full, then filtered, compressed and written
 * as one CHUNK record (spec/format.md section 6). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>
#include "internal.h"
#include "chunk.h"
#include "writer_internal.h"

/* ---- chunks ---- */

uint32_t sy_stream_index(const synapt_writer *w, const wstream *s) { return (uint32_t)(s - w->ws); }

/* The filter the writer picks for the chunk being flushed (depth_rank
 * streams: each chunk; pose streams with the filter left to the writer:
 * the first chunk, for the whole stream; depth_ans and depth_strip
 * streams: the zstd alternative of each chunk), tried with compression `comp`, or -1 (no
 * memory). */
static int pick_filter(synapt_writer *w, wstream *s, int comp, int pose)
{
    uint32_t *sizes = sy_malloc(&w->mem, (size_t)s->nfm * sizeof *sizes);
    int f = -1;
    if (!sizes) return -1;
    for (uint32_t i = 0; i < s->nfm; i++) sizes[i] = s->fm[i].raw;
    if (sy_filter_choose(&w->mem, w->cctx, comp, s->level, s->raw.data, sizes, s->nfm, s->elem, s->width, pose, &f))
        f = -1;
    sy_free(&w->mem, sizes);
    return f;
}

/* Payload bytes the chunk's frames may take with compression comp. */
static size_t chunk_bound(const wstream *s, int comp)
{
    size_t bound = 0;
    switch (comp) {
    case SYNAPT_COMPRESSION_ZSTD_FRAME:
        for (uint32_t i = 0; i < s->nfm; i++) bound += ZSTD_compressBound(s->fm[i].raw);
        return bound;
    case SYNAPT_COMPRESSION_ZSTD_CHUNK: return ZSTD_compressBound(s->raw.len);
    case SYNAPT_COMPRESSION_DEPTH_ANS:
        for (uint32_t i = 0; i < s->nfm; i++) bound += sy_dans_bound(s->fm[i].raw);
        return bound;
    case SYNAPT_COMPRESSION_DEPTH_STRIP:
        for (uint32_t i = 0; i < s->nfm; i++) bound += sy_dstrip_bound(s->fm[i].raw);
        return bound;
    default: return s->raw.len;
    }
}

/* The chunk's frames through `filter`, in fbuf (the raw frames for none),
 * or NULL with the writer poisoned. */
static const uint8_t *filter_chunk(synapt_writer *w, wstream *s, int filter)
{
    const sy_mem *m = &w->mem;
    if (filter == SYNAPT_FILTER_NONE) return s->raw.data;
    w->fbuf.len = 0;
    if (sy_buf_reserve(m, &w->fbuf, s->raw.len)) goto nomem;
    size_t off = 0, prev_off = 0;
    for (uint32_t i = 0; i < s->nfm; i++) {
        size_t fl = s->fm[i].raw;
        const uint8_t *f = s->raw.data + off;
        uint8_t *d = w->fbuf.data + off;
        switch (filter) {
        case SYNAPT_FILTER_SHUFFLE: sy_shuffle(d, f, fl, s->elem); break;
        case SYNAPT_FILTER_DEPTH_MED: sy_depth_med(d, f, fl, s->width); break;
        case SYNAPT_FILTER_DEPTH_UP: sy_depth_up(d, f, fl, s->width); break;
        case SYNAPT_FILTER_DEPTH_RANK:
            w->tmpbuf.len = 0;
            if (sy_buf_reserve(m, &w->tmpbuf, (65536 + fl / 2) * sizeof(uint16_t))) goto nomem;
            /* the pick tried it: every frame fits */
            sy_depth_rank(d, f, fl, s->width, (uint16_t *)(void *)w->tmpbuf.data);
            break;
        default:
            w->tmpbuf.len = 0;
            if (sy_buf_reserve(m, &w->tmpbuf, fl)) goto nomem;
            sy_xor_prev(d, f, fl, i ? s->raw.data + prev_off : NULL, i ? s->fm[i - 1].raw : 0, s->elem,
                        w->tmpbuf.data);
            break;
        }
        prev_off = off;
        off += fl;
    }
    return w->fbuf.data;
nomem:
    sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    return NULL;
}

/* Compress the chunk's (filtered) frames src with comp into payload (cap
 * bytes, chunk_bound()), each frame's stored size into its entry of tab
 * (entries of esz bytes, zeroed here); the payload length to *stored.
 * Returns 0 or the poisoned writer's code. */
static int compress_chunk(synapt_writer *w, wstream *s, int comp, const uint8_t *src, uint8_t *payload, size_t cap,
                          uint8_t *tab, size_t esz, size_t *stored)
{
    uint32_t n = s->nfm;
    size_t out = 0, off = 0;
    memset(tab, 0, (size_t)n * esz);
    if (comp == SYNAPT_COMPRESSION_NONE) {
        memcpy(payload, src, s->raw.len);
        out = s->raw.len;
        for (uint32_t i = 0; i < n; i++) sy_wr32(tab + i * esz + SY_FE_STORED, s->fm[i].raw);
    } else if (comp == SYNAPT_COMPRESSION_ZSTD_FRAME) {
        for (uint32_t i = 0; i < n; i++) {
            size_t k = ZSTD_compressCCtx(w->cctx, payload + out, ZSTD_compressBound(s->fm[i].raw), src + off,
                                         s->fm[i].raw, s->level);
            if (ZSTD_isError(k))
                return sy_wpoison(w, SYNAPT_E_CODEC, "clip %s stream %s: zstd: %s", w->c_id, s->name, ZSTD_getErrorName(k));
            if (k > UINT32_MAX) return sy_wpoison(w, SYNAPT_E_LIMIT, "clip %s stream %s: frame too large", w->c_id, s->name);
            sy_wr32(tab + i * esz + SY_FE_STORED, (uint32_t)k);
            out += k;
            off += s->fm[i].raw;
        }
    } else if (comp == SYNAPT_COMPRESSION_DEPTH_ANS || comp == SYNAPT_COMPRESSION_DEPTH_STRIP) {
        int ans = comp == SYNAPT_COMPRESSION_DEPTH_ANS;
        size_t maxf = 0;
        for (uint32_t i = 0; i < n; i++)
            if (s->fm[i].raw > maxf) maxf = s->fm[i].raw;
        w->tmpbuf.len = 0;
        if (sy_buf_reserve(&w->mem, &w->tmpbuf, ans ? sy_dans_scratch(maxf) : sy_dstrip_scratch(maxf)))
            return sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory");
        for (uint32_t i = 0; i < n; i++) {
            size_t k;
            /* the stream's frames are (H, W) u16 (checked at add_stream) */
            if ((ans ? sy_dans_encode : sy_dstrip_encode)(payload + out, &k, src + off, s->fm[i].raw, s->width,
                                                          w->tmpbuf.data))
                return sy_wpoison(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: frame of %u bytes is not rows of %u",
                                  w->c_id, s->name, s->fm[i].raw, s->width);
            if (k > UINT32_MAX) return sy_wpoison(w, SYNAPT_E_LIMIT, "clip %s stream %s: frame too large", w->c_id, s->name);
            sy_wr32(tab + i * esz + SY_FE_STORED, (uint32_t)k);
            out += k;
            off += s->fm[i].raw;
        }
    } else {
        size_t k = ZSTD_compressCCtx(w->cctx, payload, cap, src, s->raw.len, s->level);
        if (ZSTD_isError(k))
            return sy_wpoison(w, SYNAPT_E_CODEC, "clip %s stream %s: zstd: %s", w->c_id, s->name, ZSTD_getErrorName(k));
        out = k;
    }
    *stored = out;
    return 0;
}

int sy_flush_chunk(synapt_writer *w, wstream *s)
{
    uint32_t n = s->nfm;
    if (!n) return 0;
    const sy_mem *m = &w->mem;
    size_t esz = s->packets ? SY_ENTRY_PACKET : SY_ENTRY_ARRAY;
    size_t rawlen = s->raw.len;
    int comp = s->compression, filter = s->filter;
    size_t bound = chunk_bound(s, comp);
    int model = comp == SYNAPT_COMPRESSION_DEPTH_ANS || comp == SYNAPT_COMPRESSION_DEPTH_STRIP;
    if (model && chunk_bound(s, SYNAPT_COMPRESSION_ZSTD_FRAME) > bound)
        bound = chunk_bound(s, SYNAPT_COMPRESSION_ZSTD_FRAME);
    size_t head = SY_REC_PREFIX + SY_CHUNK_HDR + (size_t)n * esz;
    w->rec.len = 0;
    if (sy_buf_reserve(m, &w->rec, head + bound + SY_REC_TRAILER))
        return sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    uint8_t *rec = w->rec.data;
    uint8_t *payload = rec + head, *tab = rec + SY_REC_PREFIX + SY_CHUNK_HDR;
    size_t stored = 0;

    if (s->depth_pick && (filter = pick_filter(w, s, comp, 0)) < 0) return sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    if (s->pose_pick) {
        /* one filter per stream (spec/format.md, rule V6): the first chunk decides */
        if ((filter = pick_filter(w, s, comp, 1)) < 0) return sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory");
        s->filter = filter;
        s->pose_pick = 0;
    }
    const uint8_t *src = filter_chunk(w, s, filter);
    int rc;
    if (!src) return w->rc;
    if ((rc = compress_chunk(w, s, comp, src, payload, bound, tab, esz, &stored))) return rc;
    if (model) {
        /* the default zstd path when it is smaller (spec/format.md 7.4):
         * asking for depth_ans or depth_strip never makes a chunk larger */
        size_t zb = chunk_bound(s, SYNAPT_COMPRESSION_ZSTD_FRAME), zstored = 0;
        int zf = pick_filter(w, s, SYNAPT_COMPRESSION_ZSTD_FRAME, 0);
        w->altbuf.len = 0;
        if (zf < 0 || sy_buf_reserve(m, &w->altbuf, zb + (size_t)n * esz))
            return sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory");
        uint8_t *ztab = w->altbuf.data + zb;
        if (!(src = filter_chunk(w, s, zf))) return w->rc;
        if ((rc = compress_chunk(w, s, SYNAPT_COMPRESSION_ZSTD_FRAME, src, w->altbuf.data, zb, ztab, esz, &zstored)))
            return rc;
        /* depth_ans: the smaller; depth_strip, which decodes close to the
         * zstd path's speed on sensor depth but up to 2x slower on frames
         * it barely compresses better (escapes, no palette): only when it
         * saves 1/16, the rule of the filter choice (spec 7.4) */
        size_t keep = comp == SYNAPT_COMPRESSION_DEPTH_STRIP ? zstored - zstored / 16 : zstored;
        if (stored > keep) {
            memcpy(payload, w->altbuf.data, zstored);
            memcpy(tab, ztab, (size_t)n * esz);
            stored = zstored;
            comp = SYNAPT_COMPRESSION_ZSTD_FRAME;
            filter = zf;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *e = tab + i * esz;
        /* the stored size is already in place; keep it */
        sy_frame_ent f = { sy_rd32(e + SY_FE_STORED), s->fm[i].raw, s->fm[i].flags, s->fm[i].pts, s->fm[i].dts };
        sy_frame_ent_put(e, (uint32_t)esz, &f);
    }
    sy_chunk_hdr ch = { (uint32_t)w->nclips, sy_stream_index(w, s), s->entries, n, (uint16_t)comp,
                        (uint16_t)filter, (uint16_t)esz, (uint16_t)s->elem, s->width, stored, rawlen };
    sy_chunk_hdr_put(rec + SY_REC_PREFIX, &ch);
    uint64_t body = SY_CHUNK_HDR + (uint64_t)n * esz + stored;
    uint64_t at = w->off, sum;
    rc = sy_write_record(w, SY_REC_CHUNK, rec, body, &sum);
    if (rc) return rc;
    uint8_t *ke = sy_buf_extend(m, &s->chunks, SY_CHUNK_ENTRY);
    if (!ke) return sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory");
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
        return sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory");
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
    if (s->raw.len >= w->target || s->nfm >= s->cap_frames) return sy_flush_chunk(w, s);
    return 0;
}

int synapt_writer_write_frames(synapt_writer *w, uint32_t stream, const void *data, size_t size,
                               uint64_t n, const int64_t *pts)
{
    CHECK_W(w);
    int rc;
    wstream *s = sy_get_stream(w, stream, &rc);
    if (!s) return rc;
    if (s->packets || s->pose)
        return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: use write_%s", w->c_id, s->name,
                    s->pose ? "pose" : "packet");
    uint64_t need;
    if (!sy_mul_ok(n, s->frame_bytes, &need) || need != size || (n && !data))
        return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: %zu bytes is not %llu frames of %llu bytes",
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
    wstream *s = sy_get_stream(w, stream, &rc);
    if (!s) return rc;
    if (!s->pose) return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: not a pose stream", w->c_id, s->name);
    if (s->shape[0] && persons > s->shape[0])
        return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: %u persons exceed the declared %llu", w->c_id,
                    s->name, persons, (unsigned long long)s->shape[0]);
    uint64_t size;
    if (!sy_mul_ok(persons, s->person_bytes, &size) || size > UINT32_MAX)
        return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: pose frame too large", w->c_id, s->name);
    if (persons && !data) return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: no pose data", w->c_id, s->name);
    if ((rc = push_frame(w, s, data, (size_t)size, pts, SYNAPT_PTS_NONE, 0))) return rc;
    if (persons > s->max_persons) s->max_persons = persons;
    return array_frame_done(w, s);
}

int synapt_writer_write_packet(synapt_writer *w, uint32_t stream, const void *data, size_t size,
                               int64_t pts, int64_t dts, uint32_t flags)
{
    CHECK_W(w);
    int rc;
    wstream *s = sy_get_stream(w, stream, &rc);
    if (!s) return rc;
    if (!s->packets)
        return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: write_packet needs an encoded codec", w->c_id, s->name);
    if (size > UINT32_MAX || (size && !data))
        return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: bad packet", w->c_id, s->name);
    flags &= SYNAPT_FRAME_KEY | SYNAPT_FRAME_DISCARD;
    /* Chunks start at keyframes so a reader decodes any chunk alone. An
     * all-intra stream (every packet a key) still groups frames up to the
     * usual caps rather than paying a record per frame. */
    if ((flags & SYNAPT_FRAME_KEY) && s->nfm &&
        (s->pend_nonkey || s->nfm >= s->cap_frames || s->raw.len >= w->target))
        if ((rc = sy_flush_chunk(w, s))) return rc;
    if ((rc = push_frame(w, s, data, size, pts, dts, flags))) return rc;
    if (flags & SYNAPT_FRAME_DISCARD) s->discards++;
    /* a huge GOP is split mid-GOP; readers then decode from the keyframe chunk */
    if (s->raw.len >= w->target * 8) return sy_flush_chunk(w, s);
    return 0;
}

int synapt_writer_set_video_info(synapt_writer *w, uint32_t stream, uint64_t frame_count, const char *codec_config)
{
    CHECK_W(w);
    int rc;
    wstream *s = sy_get_stream(w, stream, &rc);
    if (!s) return rc;
    if (!s->packets)
        return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: not a packet stream", w->c_id, s->name);
    if (codec_config) {
        if (*codec_config && !sy_json_is_object(codec_config))
            return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: codec_config is not a JSON object", w->c_id, s->name);
        char *c = sy_strdup(&w->mem, codec_config);
        if (!c) return sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory");
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
    wstream *s = sy_get_stream(w, stream, &rc);
    if (!s) return rc;
    return sy_flush_chunk(w, s);
}

