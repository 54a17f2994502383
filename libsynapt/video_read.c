/* video_read.c - the public read side of video streams: info, frames as
 * RGB24 or native planes, per-frame md5 and pts. Decoders live in a cache
 * hung off the reader: each call takes a decoder for its stream out of the
 * cache (preferring one that can carry on from where it stopped) and puts
 * it back after, so concurrent calls never share one and sequential calls
 * keep theirs. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/imgutils.h>
#include <libavutil/md5.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "internal.h"
#include "video_internal.h"

#define VC_IDLE_MAX 8

typedef struct vslot {
    struct vslot *next;
    const synapt_reader *r;
    uint64_t clip;
    uint32_t stream;
    vid_dec *d;
    int mode;
    uint64_t npkt;
    sy_packets pk;              /* the chunk packets are served from */
    /* conversion */
    struct SwsContext *sws;
    int sws_w, sws_h, sws_fmt, sws_out;
    AVFrame *conv;
    uint8_t *pack;
    size_t pack_cap;
    int reader_msg;             /* the last error's message is already the reader's */
} vslot;

typedef struct vcache {
    const sy_mem *mem;  /* the reader's, which outlives the cache */
    pthread_mutex_t lock;
    vslot *idle;        /* most recently used first */
} vcache;

static void slot_free(vslot *s)
{
    if (!s)
        return;
    vid_dec_free(s->d);
    sy_packets_free(s->r, &s->pk);
    sws_freeContext(s->sws);
    av_frame_free(&s->conv);
    sy_free(&s->r->mem, s->pack);
    sy_free(&s->r->mem, s);
}

static void cache_free(void *p)
{
    vcache *c = p;
    if (!c)
        return;
    while (c->idle) {
        vslot *s = c->idle;
        c->idle = s->next;
        slot_free(s);
    }
    pthread_mutex_destroy(&c->lock);
    sy_free(c->mem, c);
}

static vcache *cache_get(const synapt_reader *rc)
{
    synapt_reader *r = (synapt_reader *)rc; /* the cache is the reader's private mutable state */
    pthread_mutex_lock(&r->pool_lock);
    if (!r->video_cache) {
        vcache *c = sy_calloc(&r->mem, sizeof *c);
        if (c) {
            c->mem = &r->mem;
            pthread_mutex_init(&c->lock, NULL);
            r->video_cache = c;
            r->video_cache_free = cache_free;
        }
    }
    vcache *c = r->video_cache;
    pthread_mutex_unlock(&r->pool_lock);
    return c;
}

/* ---- stream setup ---------------------------------------------------------- */

typedef struct vstream {
    sy_stream st;
    synapt_stream_info info;
    vid_params p;
    vid_map m;
    int mode;
} vstream;

static int load_stream(vstream *v, const synapt_reader *r, uint64_t clip, uint32_t stream)
{
    char err[256];
    memset(v, 0, sizeof *v);
    int rc = sy_reader_stream(&v->st, r, clip, stream);
    if (rc)
        return rc;
    if ((rc = synapt_reader_stream(&v->info, r, clip, stream)))
        return rc;
    if (v->info.kind != SYNAPT_KIND_VIDEO || v->info.codec == SYNAPT_CODEC_RAW)
        return sy_rerr(r, SYNAPT_E_INVALID_ARG, clip, stream, SY_NO_CHUNK, "not an encoded video stream");
    char rp[16];
    rc = vid_config_parse(&r->mem, &v->p, &v->m, &v->mode, rp, sizeof rp, v->info.codec_config,
                          v->info.extradata, v->info.extradata_size, v->st.packets, err, sizeof err);
    if (rc)
        return sy_rerr(r, rc, clip, stream, SY_NO_CHUNK, "%s", err);
    if (v->m.nframes != v->st.frames) {
        vid_params_free(&v->p);
        vid_map_free(&v->m);
        return sy_rerr(r, SYNAPT_E_CORRUPT, clip, stream, SY_NO_CHUNK,
                       "codec_config says %llu frames, the index %llu",
                       (unsigned long long)v->m.nframes, (unsigned long long)v->st.frames);
    }
    if (v->p.codec_id == AV_CODEC_ID_RAWVIDEO && strcmp(rp, "zstd")) {
        vid_params_free(&v->p);
        vid_map_free(&v->m);
        return sy_rerr(r, SYNAPT_E_UNSUPPORTED, clip, stream, SY_NO_CHUNK,
                       "raw video packing \"%s\" unknown", rp);
    }
    return 0;
}

static int slot_new(vslot **out, const synapt_reader *r, uint64_t clip, uint32_t stream)
{
    char err[256];
    vstream v;
    int rc = load_stream(&v, r, clip, stream);
    if (rc)
        return rc;
    vslot *s = sy_calloc(&r->mem, sizeof *s);
    if (!s) {
        vid_params_free(&v.p);
        vid_map_free(&v.m);
        return sy_rerr(r, SYNAPT_E_NOMEM, clip, stream, SY_NO_CHUNK, "out of memory");
    }
    s->r = r;
    s->clip = clip;
    s->stream = stream;
    s->mode = v.mode;
    s->npkt = v.st.packets;
    s->sws_fmt = -1;
    /* an idle slot whose decoder was opened the same way gives it up: the
     * least recently used such one, so recent clips keep theirs */
    vslot *donor = NULL;
    vcache *c = r->video_cache;
    if (c) {
        pthread_mutex_lock(&c->lock);
        vslot **pp = &c->idle, **pick = NULL;
        for (; *pp; pp = &(*pp)->next)
            if ((*pp)->mode == v.mode && vid_dec_reusable((*pp)->d, &v.p, r->video_threads))
                pick = pp;
        if (pick) {
            donor = *pick;
            *pick = donor->next;
            donor->next = NULL;
        }
        pthread_mutex_unlock(&c->lock);
    }
    rc = vid_dec_create_from(&s->d, &r->mem, &v.p, &v.m, r->video_threads, donor ? donor->d : NULL, err,
                             sizeof err); /* takes p and m */
    slot_free(donor);
    if (rc) {
        sy_free(&r->mem, s);
        return sy_rerr(r, rc, clip, stream, SY_NO_CHUNK, "%s", err);
    }
    if (v.mode == SYNAPT_VSTORE_H264)
        vid_dec_idr_restart(s->d);
    *out = s;
    return 0;
}

static int acquire(vslot **out, const synapt_reader *r, uint64_t clip, uint32_t stream)
{
    vcache *c = cache_get(r);
    if (!c)
        return sy_rerr(r, SYNAPT_E_NOMEM, clip, stream, SY_NO_CHUNK, "out of memory");
    pthread_mutex_lock(&c->lock);
    vslot **pp = &c->idle;
    while (*pp && !((*pp)->clip == clip && (*pp)->stream == stream))
        pp = &(*pp)->next;
    vslot *s = *pp;
    if (s)
        *pp = s->next;
    pthread_mutex_unlock(&c->lock);
    if (s) {
        s->next = NULL;
        *out = s;
        return 0;
    }
    return slot_new(out, r, clip, stream);
}

static void release(const synapt_reader *r, vslot *s)
{
    vcache *c = r->video_cache;
    pthread_mutex_lock(&c->lock);
    s->next = c->idle;
    c->idle = s;
    /* keep the most recent few: a decoder holds reference frames */
    int n = 0;
    vslot *prev = NULL;
    for (vslot *x = c->idle; x; prev = x, x = x->next)
        if (++n > VC_IDLE_MAX) {
            prev->next = NULL;
            while (x) {
                vslot *nx = x->next;
                slot_free(x);
                x = nx;
            }
            break;
        }
    pthread_mutex_unlock(&c->lock);
}

/* ---- packets out of chunks ------------------------------------------------ */

/* Packets come a whole chunk at a time: the reader reads its record once,
 * checks it, undoes compression and filter, and the decoder then takes its
 * packets in order from memory. */
static int get_packet(void *user, uint64_t p, vid_packet *out, char *err, size_t errsz)
{
    vslot *s = user;
    sy_packets *pk = &s->pk;
    if (!pk->count || p < pk->first || p - pk->first >= pk->count) {
        int rc = sy_reader_load_packets(pk, s->r, s->clip, s->stream, p);
        if (rc) {
            /* the reader's message already names file, clip, stream and chunk */
            snprintf(err, errsz, "%s", synapt_reader_errmsg(s->r));
            s->reader_msg = 1;
            return rc;
        }
    }
    uint64_t i = p - pk->first;
    if (pk->size[i] > VID_MAX_PACKET) {
        snprintf(err, errsz, "packet %llu of %u bytes is larger than a video packet may be", (unsigned long long)p,
                 pk->size[i]);
        return SYNAPT_E_LIMIT;
    }
    out->data = pk->data + pk->off[i];
    out->size = pk->size[i];
    out->flags = pk->flags[i];
    return 0;
}

/* Turn an error from the decode path into the reader's message. */
static int fail(const synapt_reader *r, vslot *s, int rc, const char *err)
{
    if (s->reader_msg) {
        s->reader_msg = 0;
        return rc;
    }
    return sy_rerr(r, rc, s->clip, s->stream, SY_NO_CHUNK, "%s", err);
}

/* ---- output ----------------------------------------------------------------- */

typedef struct outctx {
    vslot *s;
    int format;
    int w, h, fmt;                 /* declared frame */
    uint64_t first;
    uint8_t *buf;
    size_t frame_bytes;
    char *md5;                     /* md5 mode: 33 bytes per frame */
    int colorspace, range;
    int pad_right, pad_bottom;     /* decoded frames carry this padding (cropped) */
} outctx;

/* The size of f to use: a padded encode's frames are cropped to their
 * top-left w x h, every other frame is taken whole. */
static void frame_size(const outctx *o, const AVFrame *f, int *w, int *h)
{
    *w = f->width;
    *h = f->height;
    if ((o->pad_right || o->pad_bottom) && f->width == o->w + o->pad_right && f->height == o->h + o->pad_bottom) {
        *w = o->w;
        *h = o->h;
    }
}

/* Frames whose size or format differ from the declared ones (mid-stream
 * changes) are scaled to the declared frame so every frame has one size. */
static int to_native(outctx *o, const AVFrame *f, uint8_t *dst)
{
    int fw, fh;
    frame_size(o, f, &fw, &fh);
    if (fw == o->w && fh == o->h && f->format == o->fmt)
        return vid_pack_native_crop(dst, o->frame_bytes, f, fw, fh);
    vslot *s = o->s;
    if (!s->sws || s->sws_w != fw || s->sws_h != fh || s->sws_fmt != f->format || s->sws_out != o->fmt) {
        sws_freeContext(s->sws);
        s->sws = sws_getContext(fw, fh, f->format, o->w, o->h, o->fmt,
                                SWS_BICUBIC | SWS_ACCURATE_RND | SWS_BITEXACT, NULL, NULL, NULL);
        if (!s->sws)
            return SYNAPT_E_CODEC;
        s->sws_w = fw; s->sws_h = fh; s->sws_fmt = f->format; s->sws_out = o->fmt;
    }
    /* into a padded frame first: swscale may write past a row's end */
    AVFrame *t = av_frame_alloc();
    if (!t)
        return SYNAPT_E_NOMEM;
    t->width = o->w;
    t->height = o->h;
    t->format = o->fmt;
    int rc = SYNAPT_E_NOMEM;
    if (av_frame_get_buffer(t, 64) >= 0) {
        sws_scale(s->sws, (const uint8_t *const *)f->data, f->linesize, 0, fh, t->data, t->linesize);
        rc = vid_pack_native(dst, o->frame_bytes, t);
    }
    av_frame_free(&t);
    return rc;
}

static int to_rgb(outctx *o, const AVFrame *f, uint8_t *dst)
{
    vslot *s = o->s;
    int out = AV_PIX_FMT_RGB24;
    int fw, fh;
    frame_size(o, f, &fw, &fh);
    if (!s->sws || s->sws_w != fw || s->sws_h != fh || s->sws_fmt != f->format || s->sws_out != out) {
        sws_freeContext(s->sws);
        s->sws = sws_getContext(fw, fh, f->format, o->w, o->h, out,
                                SWS_BICUBIC,
                                NULL, NULL, NULL);
        if (!s->sws)
            return SYNAPT_E_CODEC;
        /* the stream's matrix and range, FFmpeg's defaults (BT.601) when
         * untagged: with bicubic this gives exactly what
         * `ffmpeg -i SRC -pix_fmt rgb24` gives, so RGB here matches the
         * FFmpeg-based loaders a model was trained with */
        int cs = f->colorspace != AVCOL_SPC_UNSPECIFIED ? (int)f->colorspace : o->colorspace;
        if (cs == AVCOL_SPC_UNSPECIFIED)
            cs = SWS_CS_DEFAULT;
        int full = f->color_range == AVCOL_RANGE_JPEG || o->range == AVCOL_RANGE_JPEG;
        int *inv, *tab, sr, dr, br, con, sat;
        if (sws_getColorspaceDetails(s->sws, &inv, &sr, &tab, &dr, &br, &con, &sat) >= 0) {
            const int *coef = sws_getCoefficients(cs);
            sws_setColorspaceDetails(s->sws, coef, full, sws_getCoefficients(SWS_CS_DEFAULT), 1, br, con, sat);
        }
        s->sws_w = fw; s->sws_h = fh; s->sws_fmt = f->format; s->sws_out = out;
    }
    /* swscale's fast paths write whole SIMD blocks of up to 16 pixels: a
     * row a multiple of 16 long ends on a block, so swscale may write
     * straight into the caller's buffer (at 720p that saves a copy of
     * every frame, a fifth of a window's time) */
    if (o->w % 16 == 0) {
        uint8_t *d[4] = { dst, NULL, NULL, NULL };
        int ls[4] = { o->w * 3, 0, 0, 0 };
        sws_scale(s->sws, (const uint8_t *const *)f->data, f->linesize, 0, fh, d, ls);
        return 0;
    }
    /* other rows would overrun their end: convert into a padded frame,
     * then copy the rows out */
    if (!s->conv || s->conv->width != o->w || s->conv->height != o->h) {
        av_frame_free(&s->conv);
        s->conv = av_frame_alloc();
        if (!s->conv)
            return SYNAPT_E_NOMEM;
        s->conv->width = o->w;
        s->conv->height = o->h;
        s->conv->format = AV_PIX_FMT_RGB24;
        if (av_frame_get_buffer(s->conv, 64) < 0) {
            av_frame_free(&s->conv);
            return SYNAPT_E_NOMEM;
        }
    }
    sws_scale(s->sws, (const uint8_t *const *)f->data, f->linesize, 0, fh,
              s->conv->data, s->conv->linesize);
    av_image_copy_plane(dst, o->w * 3, s->conv->data[0], s->conv->linesize[0], o->w * 3, o->h);
    return 0;
}

static int on_frame(void *user, uint64_t index, const AVFrame *f)
{
    outctx *o = user;
    uint64_t k = index - o->first;
    if (o->md5) {
        vslot *s = o->s;
        if (s->pack_cap < o->frame_bytes) {
            uint8_t *p = sy_realloc(&s->r->mem, s->pack, o->frame_bytes);
            if (!p)
                return SYNAPT_E_NOMEM;
            s->pack = p;
            s->pack_cap = o->frame_bytes;
        }
        int rc = to_native(o, f, s->pack);
        if (rc)
            return rc;
        uint8_t h[16];
        av_md5_sum(h, s->pack, (int)o->frame_bytes);
        for (int i = 0; i < 16; i++)
            snprintf(o->md5 + k * 33 + 2 * i, 3, "%02x", h[i]);
        return 0;
    }
    uint8_t *dst = o->buf + k * o->frame_bytes;
    return o->format == SYNAPT_PIXFMT_NATIVE ? to_native(o, f, dst) : to_rgb(o, f, dst);
}

static int run(const synapt_reader *r, uint64_t clip, uint32_t stream, uint64_t first, uint64_t n,
               int format, void *buf, size_t buf_size, size_t *written, char *md5)
{
    if (written)
        *written = 0;
    if (!r || (format != SYNAPT_PIXFMT_RGB24 && format != SYNAPT_PIXFMT_NATIVE))
        return SYNAPT_E_INVALID_ARG;
    vslot *s = NULL;
    int rc = acquire(&s, r, clip, stream);
    if (rc)
        return rc;
    const vid_params *p = vid_dec_params(s->d);
    uint64_t nframes = vid_dec_frames(s->d);
    outctx o = { 0 };
    o.s = s;
    o.format = md5 ? SYNAPT_PIXFMT_NATIVE : format;
    o.first = first;
    o.md5 = md5;
    o.w = p->width;
    o.h = p->height;
    o.fmt = p->pix_fmt;
    o.frame_bytes = o.format == SYNAPT_PIXFMT_NATIVE ? vid_native_size(p->width, p->height, p->pix_fmt)
                                                    : (size_t)p->width * (size_t)p->height * 3;
    o.colorspace = p->color_space;
    o.range = p->color_range;
    o.pad_right = p->pad_right;
    o.pad_bottom = p->pad_bottom;
    if (first > nframes || n > nframes - first) {
        rc = sy_rerr(r, SYNAPT_E_RANGE, clip, stream, SY_NO_CHUNK, "frames [%llu, +%llu) outside the %llu frames",
                     (unsigned long long)first, (unsigned long long)n, (unsigned long long)nframes);
        goto out;
    }
    if (!md5) {
        if (n && o.frame_bytes > SIZE_MAX / n) {
            rc = sy_rerr(r, SYNAPT_E_LIMIT, clip, stream, SY_NO_CHUNK, "window too large");
            goto out;
        }
        size_t need = (size_t)n * o.frame_bytes;
        if (written)
            *written = need;
        if (!buf || buf_size < need) {
            rc = sy_rerr(r, SYNAPT_E_BUFFER, clip, stream, SY_NO_CHUNK, "buffer of %zu bytes, %zu needed",
                         buf_size, need);
            goto out;
        }
        o.buf = buf;
    }
    char err[320];
    err[0] = 0;
    vid_source src = { get_packet, s };
    rc = vid_dec_read(s->d, &src, first, n, on_frame, &o, err, sizeof err);
    if (rc) {
        if (!err[0])
            snprintf(err, sizeof err, "converting a decoded frame failed");
        rc = fail(r, s, rc, err);
    }
out:
    release(r, s);
    return rc;
}

SYNAPT_API int synapt_video_read(void *buf, size_t buf_size, size_t *written,
                                 const synapt_reader *r, uint64_t clip, uint32_t stream,
                                 uint64_t first, uint64_t n, synapt_pixfmt format)
{
    return run(r, clip, stream, first, n, format, buf, buf_size, written, NULL);
}

SYNAPT_API int synapt_video_frame_md5(char *out, const synapt_reader *r, uint64_t clip,
                                      uint32_t stream, uint64_t first, uint64_t n)
{
    if (!out && n)
        return SYNAPT_E_INVALID_ARG;
    return run(r, clip, stream, first, n, SYNAPT_PIXFMT_NATIVE, NULL, 0, NULL, out);
}

SYNAPT_API int synapt_video_get_info(synapt_video_info *out, const synapt_reader *r,
                                     uint64_t clip, uint32_t stream)
{
    if (!out || !r)
        return SYNAPT_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    vstream v;
    int rc = load_stream(&v, r, clip, stream);
    if (rc)
        return rc;
    const vid_params *p = &v.p;
    out->width = (uint32_t)p->width;
    out->height = (uint32_t)p->height;
    out->codec = v.info.codec;
    out->codec_name = avcodec_get_name(p->codec_id);
    out->mode = v.mode;
    out->pix_fmt = av_get_pix_fmt_name(p->pix_fmt);
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(p->pix_fmt);
    out->bits_per_sample = d ? (uint32_t)d->comp[0].depth : 8;
    out->frame_count = v.m.nframes;
    out->packet_count = v.m.npkt;
    out->sync_points = v.m.nsync;
    out->fps_num = (uint32_t)(p->frame_rate.num > 0 ? p->frame_rate.num : (int)v.info.fps_num);
    out->fps_den = (uint32_t)(p->frame_rate.den > 0 ? p->frame_rate.den : (int)v.info.fps_den);
    out->time_base_num = (uint32_t)p->time_base.num;
    out->time_base_den = (uint32_t)p->time_base.den;
    out->first_pts = SYNAPT_PTS_NONE;
    out->rgb_frame_bytes = (size_t)p->width * (size_t)p->height * 3;
    out->native_frame_bytes = vid_native_size(p->width, p->height, p->pix_fmt);
    vid_params_free(&v.p);
    vid_map_free(&v.m);
    if (out->frame_count > 0) {
        int64_t pts;
        if (synapt_video_frame_pts(&pts, r, clip, stream, 0, 1) == 0)
            out->first_pts = pts;
    }
    return 0;
}

SYNAPT_API int synapt_video_frame_pts(int64_t *out, const synapt_reader *r, uint64_t clip,
                                      uint32_t stream, uint64_t first, uint64_t n)
{
    if (!r || (!out && n))
        return SYNAPT_E_INVALID_ARG;
    vstream v;
    int rc = load_stream(&v, r, clip, stream);
    if (rc)
        return rc;
    if (first > v.m.nframes || n > v.m.nframes - first) {
        rc = sy_rerr(r, SYNAPT_E_RANGE, clip, stream, SY_NO_CHUNK, "frames [%llu, +%llu) outside the %llu frames",
                     (unsigned long long)first, (unsigned long long)n, (unsigned long long)v.m.nframes);
        goto out;
    }
    /* frames are in presentation order: their packets span [lo, hi] */
    uint64_t lo = UINT64_MAX, hi = 0;
    for (uint64_t i = first; i < first + n; i++) {
        uint64_t q = v.m.out_pkt[i];
        if (q < lo) lo = q;
        if (q > hi) hi = q;
    }
    if (n == 0)
        goto out;
    int64_t *pp = sy_malloc(&r->mem, (size_t)(hi - lo + 1) * sizeof *pp);
    if (!pp) {
        rc = sy_rerr(r, SYNAPT_E_NOMEM, clip, stream, SY_NO_CHUNK, "out of memory");
        goto out;
    }
    rc = synapt_reader_frame_pts(pp, r, clip, stream, lo, hi - lo + 1);
    for (uint64_t i = first; !rc && i < first + n; i++)
        out[i - first] = pp[v.m.out_pkt[i] - lo];
    sy_free(&r->mem, pp);
out:
    vid_params_free(&v.p);
    vid_map_free(&v.m);
    return rc;
}

/* Full verification of a synapt-video/1 stream (spec/video-ffmpeg.md
 * sections 3 to 5, which load_stream checks through vid_config_parse) plus
 * the agreement of its size with the stream's shape. *pkt_out gets the
 * frame each packet produces (-1: none), for the caller's frame-table
 * pass; free it with sy_free(&r->mem, ...). */
int sy_video_check(const synapt_reader *r, uint64_t clip, uint32_t stream, int64_t **pkt_out)
{
    *pkt_out = NULL;
    vstream v;
    int rc = load_stream(&v, r, clip, stream);
    if (rc)
        return rc;
    if (v.st.ndim != 3 || v.st.shape[2] != 3 || v.st.shape[0] != (uint64_t)v.p.height ||
        v.st.shape[1] != (uint64_t)v.p.width) {
        rc = sy_rerr(r, SYNAPT_E_CORRUPT, clip, stream, SY_NO_CHUNK,
                     "codec_config gives %dx%d frames, the stream's shape is not (%d, %d, 3)", v.p.width,
                     v.p.height, v.p.height, v.p.width);
    } else {
        *pkt_out = v.m.pkt_out;
        v.m.pkt_out = NULL;
    }
    vid_params_free(&v.p);
    vid_map_free(&v.m);
    return rc;
}
