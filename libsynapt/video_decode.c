/* video_decode.c - frame-exact random access over stored packets.
 *
 * A window [a, b) is decoded from the last start point whose first good
 * frame is at or before a and whose packet comes no later than any packet
 * of the window (see vid_map_finish). Frames are recognised by the packet
 * number the decoder carries in pts, so reordering, leading frames a fresh
 * decoder gets wrong or drops, and frames skipped before the window are
 * all told apart from the frames asked for. A decoder that has not yet
 * output anything at or past a simply carries on, so sequential windows
 * never go back to the keyframe. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <zstd.h>

#include "internal.h"
#include "video_internal.h"

struct vid_dec {
    const sy_mem *mem;          /* the reader's: rawbuf, got, this struct */
    vid_params p;
    vid_map m;
    int raw;                    /* zstd-packed native frames, no FFmpeg decoder */
    int noskip;                 /* never let the decoder skip frames (see vid_dec_read) */
    int threads;
    int idr_restart;            /* see vid_dec_idr_restart */
    int nal_len;                /* H.264 NAL length size (avcC), 0 for start codes */
    AVCodecContext *ctx;
    AVPacket *pkt;
    AVFrame *frm;
    /* position of the running decode */
    int active, eof;
    uint64_t next_pkt;          /* next packet to send */
    int64_t hi;                 /* highest frame index output so far, -1 none */
    uint64_t start_pkt, start_out;
    /* raw mode */
    ZSTD_DCtx *zd;
    uint8_t *rawbuf;
    size_t raw_size;
    /* window bookkeeping */
    uint8_t *got;
    uint64_t got_cap;
    uint64_t st_packets, st_frames, st_restarts;
};

static int dec_open(vid_dec *d, char *err, size_t errsz)
{
    if (d->raw)
        return 0;
    int rc = vid_open_decoder(&d->ctx, &d->p, d->threads > 0 ? d->threads : 1, err, errsz);
    if (rc < 0)
        return rc;
    d->pkt = av_packet_alloc();
    d->frm = av_frame_alloc();
    if (!d->pkt || !d->frm) {
        snprintf(err, errsz, "out of memory");
        return SYNAPT_E_NOMEM;
    }
    return 0;
}

int vid_dec_reusable(const vid_dec *d, const vid_params *p, int threads)
{
    return d && d->ctx && !d->raw && d->threads == threads && vid_params_same(&d->p, p);
}

int vid_dec_create(vid_dec **out, const sy_mem *mem, const vid_params *p, const vid_map *m, int threads,
                   char *err, size_t errsz)
{
    return vid_dec_create_from(out, mem, p, m, threads, NULL, err, errsz);
}

int vid_dec_create_from(vid_dec **out, const sy_mem *mem, const vid_params *p, const vid_map *m, int threads,
                        vid_dec *donor, char *err, size_t errsz)
{
    *out = NULL;
    vid_dec *d = sy_calloc(mem, sizeof *d);
    if (!d) {
        snprintf(err, errsz, "out of memory");
        return SYNAPT_E_NOMEM;
    }
    /* take ownership of the caller's params and map */
    d->mem = mem;
    d->p = *p;
    d->m = *m;
    d->threads = threads;
    d->hi = -1;
    d->raw = p->codec_id == AV_CODEC_ID_RAWVIDEO;
    /* Skipping non-reference frames is only safe where a packet holds one
     * frame: MPEG-4 part 2 "packed B-frames" put two in one packet, and
     * skipping there loses frames; an MPEG-4 stream unpacked at import
     * (codec_config "bsf") holds one VOP per packet. */
    d->noskip = !(p->codec_id == AV_CODEC_ID_H264 || p->codec_id == AV_CODEC_ID_HEVC ||
                  p->codec_id == AV_CODEC_ID_VP8 || p->codec_id == AV_CODEC_ID_VP9 ||
                  p->codec_id == AV_CODEC_ID_MPEG2VIDEO || p->codec_id == AV_CODEC_ID_MPEG1VIDEO ||
                  (p->codec_id == AV_CODEC_ID_MPEG4 && p->unpacked));
    int rc = 0;
    if (d->raw) {
        d->raw_size = vid_native_size(p->width, p->height, p->pix_fmt);
        d->rawbuf = sy_malloc(mem, d->raw_size);
        d->zd = ZSTD_createDCtx();
        d->frm = av_frame_alloc();
        if (!d->rawbuf || !d->zd || !d->frm) {
            snprintf(err, errsz, "out of memory");
            rc = SYNAPT_E_NOMEM;
        }
    } else if (vid_dec_reusable(donor, p, threads)) {
        /* a flushed decoder is a restarted one, which every read already
         * relies on within a stream (spec/video-ffmpeg.md section 4) */
        d->ctx = donor->ctx;
        d->pkt = donor->pkt;
        d->frm = donor->frm;
        donor->ctx = NULL;
        donor->pkt = NULL;
        donor->frm = NULL;
        avcodec_flush_buffers(d->ctx);
    } else {
        rc = dec_open(d, err, errsz);
    }
    if (rc < 0) {
        vid_dec_free(d);
        return rc;
    }
    *out = d;
    return 0;
}

void vid_dec_free(vid_dec *d)
{
    if (!d)
        return;
    avcodec_free_context(&d->ctx);
    av_packet_free(&d->pkt);
    av_frame_free(&d->frm);
    ZSTD_freeDCtx(d->zd);
    sy_free(d->mem, d->rawbuf);
    sy_free(d->mem, d->got);
    vid_params_free(&d->p);
    vid_map_free(&d->m);
    sy_free(d->mem, d);
}

void vid_dec_idr_restart(vid_dec *d)
{
    if (d->raw || d->p.codec_id != AV_CODEC_ID_H264)
        return;
    d->idr_restart = 1;
    const uint8_t *x = d->p.extradata;
    d->nal_len = d->p.extradata_size >= 7 && x[0] == 1 ? (x[4] & 3) + 1 : 0;
}

/* Whether an H.264 packet holds an IDR slice (nal_unit_type 5), NAL units
 * length-prefixed (len bytes) or, with len 0, after start codes. */
static int h264_has_idr(const uint8_t *p, size_t n, int len)
{
    if (len) {
        size_t i = 0;
        while (n - i > (size_t)len) {
            size_t l = 0;
            for (int k = 0; k < len; k++)
                l = l << 8 | p[i + (size_t)k];
            i += (size_t)len;
            if (l == 0 || l > n - i)
                return 0;
            if ((p[i] & 0x1f) == 5)
                return 1;
            i += l;
        }
        return 0;
    }
    for (size_t i = vid_find_start_code(p, n, 0); i + 3 < n; i = vid_find_start_code(p, n, i + 3))
        if ((p[i + 3] & 0x1f) == 5)
            return 1;
    return 0;
}

/* Whether a running decoder may go on to packet q without a flush: an IDR
 * slice drops every reference and restarts picture order, so from there it
 * decodes what a fresh decoder would. FFmpeg's H.264 flush frees and later
 * rebuilds all per-picture tables (a fifth of a 1080p window's time), which
 * this saves. Only with nothing left inside the decoder (one thread, no
 * reordering delay), and only for streams this library encoded (parameter
 * sets in the extradata alone, so no in-band set can have changed). */
static int restart_in_place(vid_dec *d, const vid_source *src, uint64_t q)
{
    if (!d->idr_restart || d->eof || d->threads > 1 || d->ctx->has_b_frames)
        return 0;
    vid_packet pk;
    char e[16];
    if (src->get(src->user, q, &pk, e, sizeof e) < 0)
        return 0; /* the read proper reports it */
    return h264_has_idr(pk.data, pk.size, d->nal_len);
}

const vid_params *vid_dec_params(const vid_dec *d) { return &d->p; }
uint64_t vid_dec_frames(const vid_dec *d) { return d->m.nframes; }

void vid_dec_stats(const vid_dec *d, uint64_t *packets_sent, uint64_t *frames_out,
                   uint64_t *restarts)
{
    if (packets_sent) *packets_sent = d->st_packets;
    if (frames_out) *frames_out = d->st_frames;
    if (restarts) *restarts = d->st_restarts;
}

static int read_raw(vid_dec *d, const vid_source *src, uint64_t a, uint64_t n,
                    vid_frame_fn fn, void *user, char *err, size_t errsz)
{
    for (uint64_t i = a; i < a + n; i++) {
        vid_packet pk;
        int rc = src->get(src->user, d->m.out_pkt[i], &pk, err, errsz);
        if (rc < 0)
            return rc;
        size_t z = ZSTD_decompressDCtx(d->zd, d->rawbuf, d->raw_size, pk.data, pk.size);
        if (ZSTD_isError(z) || z != d->raw_size) {
            snprintf(err, errsz, "frame %llu: raw frame does not decompress to %zu bytes",
                     (unsigned long long)i, d->raw_size);
            return SYNAPT_E_CORRUPT;
        }
        AVFrame *f = d->frm;
        f->width = d->p.width;
        f->height = d->p.height;
        f->format = d->p.pix_fmt;
        f->color_range = d->p.color_range;
        f->colorspace = d->p.color_space;
        if (av_image_fill_arrays(f->data, f->linesize, d->rawbuf, d->p.pix_fmt,
                                 d->p.width, d->p.height, 1) < 0) {
            snprintf(err, errsz, "bad raw frame layout");
            return SYNAPT_E_CORRUPT;
        }
        d->st_packets++;
        d->st_frames++;
        if ((rc = fn(user, i, f)) != 0)
            return rc;
    }
    return 0;
}

/* Index of the start point for window [a, b). */
static uint64_t pick_sync(const vid_map *m, uint64_t a, uint64_t minq)
{
    uint64_t lo = 0, hi = m->nsync; /* last k with sync_out[k] <= a */
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (m->sync_out[mid] <= a)
            lo = mid;
        else
            hi = mid;
    }
    while (lo > 0 && m->sync_pkt[lo] > minq)
        lo--;
    return lo;
}

int vid_dec_read(vid_dec *d, const vid_source *src, uint64_t a, uint64_t n,
                 vid_frame_fn fn, void *user, char *err, size_t errsz)
{
    const vid_map *m = &d->m;
    if (n == 0)
        return 0;
    if (a >= m->nframes || n > m->nframes - a) {
        snprintf(err, errsz, "frames [%llu, %llu) outside the %llu frames",
                 (unsigned long long)a, (unsigned long long)(a + n), (unsigned long long)m->nframes);
        return SYNAPT_E_RANGE;
    }
    if (d->raw)
        return read_raw(d, src, a, n, fn, user, err, errsz);
    uint64_t b = a + n, minq = UINT64_MAX;
    for (uint64_t i = a; i < b; i++)
        if (m->out_pkt[i] < minq)
            minq = m->out_pkt[i];
    uint64_t j = pick_sync(m, a, minq);
    if (d->got_cap < n) {
        uint8_t *g = sy_realloc(d->mem, d->got, n);
        if (!g) {
            snprintf(err, errsz, "out of memory");
            return SYNAPT_E_NOMEM;
        }
        d->got = g;
        d->got_cap = n;
    }
    memset(d->got, 0, n);
    uint64_t remaining = n;
    char eb[128];
    int rc;

    /* carry on when the running decode has output nothing at or past a,
     * started early enough for this window, and is not behind our start */
    int cont = d->active && !d->eof && d->hi < (int64_t)a && d->start_out <= a &&
               d->start_pkt <= minq && d->next_pkt >= m->sync_pkt[j];
    for (;;) {
        if (!cont) {
            if (d->active && !restart_in_place(d, src, m->sync_pkt[j]))
                avcodec_flush_buffers(d->ctx);
            d->active = 1;
            d->eof = 0;
            d->hi = -1;
            d->next_pkt = d->start_pkt = m->sync_pkt[j];
            d->start_out = m->sync_out[j];
            d->st_restarts++;
        }
        cont = 0;
        while (remaining) {
            int r = avcodec_receive_frame(d->ctx, d->frm);
            if (r == 0) {
                d->st_frames++;
                int64_t q = d->frm->pts, i = -1;
                if (q != AV_NOPTS_VALUE && q >= (int64_t)d->start_pkt && (uint64_t)q < m->npkt)
                    i = m->pkt_out[q];
                if (i >= (int64_t)a && i < (int64_t)b && i >= (int64_t)d->start_out && !d->got[i - (int64_t)a]) {
                    d->got[i - (int64_t)a] = 1;
                    remaining--;
                    rc = fn(user, (uint64_t)i, d->frm);
                    if (rc) {
                        av_frame_unref(d->frm);
                        d->active = 0;
                        return rc;
                    }
                }
                if (i > d->hi)
                    d->hi = i;
                av_frame_unref(d->frm);
                continue;
            }
            if (r == AVERROR_EOF)
                break;
            if (r != AVERROR(EAGAIN))
                continue; /* a damaged frame: ffmpeg goes on, and so do we */
            if (d->next_pkt < m->npkt) {
                vid_packet pk;
                uint64_t q = d->next_pkt;
                rc = src->get(src->user, q, &pk, err, errsz);
                if (rc < 0) {
                    d->active = 0;
                    return rc;
                }
                av_packet_unref(d->pkt);
                if (av_new_packet(d->pkt, (int)pk.size) < 0) {
                    d->active = 0;
                    snprintf(err, errsz, "out of memory");
                    return SYNAPT_E_NOMEM;
                }
                memcpy(d->pkt->data, pk.data, pk.size);
                d->pkt->pts = (int64_t)q;
                d->pkt->dts = AV_NOPTS_VALUE;
                if (pk.flags & SYNAPT_FRAME_KEY)
                    d->pkt->flags |= AV_PKT_FLAG_KEY;
                if (pk.flags & SYNAPT_FRAME_DISCARD)
                    d->pkt->flags |= AV_PKT_FLAG_DISCARD;
                /* Frames shown before the window need not be decoded unless
                 * others refer to them: let the decoder drop non-reference
                 * ones. Frames are recognised by packet number, so what it
                 * drops cannot shift the numbering. */
                d->ctx->skip_frame = !d->noskip && m->pkt_out[q] < (int64_t)a ? AVDISCARD_NONREF
                                                                             : AVDISCARD_DEFAULT;
                r = avcodec_send_packet(d->ctx, d->pkt);
                d->next_pkt++;
                d->st_packets++;
                if (r < 0 && r != AVERROR(EAGAIN) && r != AVERROR_INVALIDDATA && r != AVERROR(EINVAL)) {
                    if (r == AVERROR(ENOMEM)) {
                        d->active = 0;
                        snprintf(err, errsz, "decoder: %s", vid_averr(r, eb, sizeof eb));
                        return SYNAPT_E_NOMEM;
                    }
                }
            } else if (!d->eof) {
                avcodec_send_packet(d->ctx, NULL);
                d->eof = 1;
            } else {
                break;
            }
        }
        if (!remaining)
            return 0;
        /* The decoder did not give every frame: first stop skipping (for
         * good, on this stream), then start earlier. From packet 0 without
         * skipping it is the very decode that defined the numbering, so
         * only a stream that changed since import can fail there. */
        if (!d->noskip) {
            d->noskip = 1;
            continue;
        }
        if (j == 0 && d->start_pkt == 0) {
            d->active = 0;
            uint64_t k = 0;
            while (k < n && d->got[k])
                k++;
            snprintf(err, errsz, "the decoder did not produce frame %llu",
                     (unsigned long long)(a + k));
            return SYNAPT_E_CODEC;
        }
        if (j > 0)
            j--;
    }
}
