/* video_encode.c - re-encoding decoded frames for the h264/hevc/mjpeg/ffv1/raw
 * storage modes, with optional resizing through libswscale. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include <zstd.h>

#include "internal.h"
#include "video_internal.h"

struct vid_encoder {
    const sy_mem *mem;          /* raw, zbuf and this struct */
    int mode;
    AVCodecContext *c;          /* NULL in raw mode */
    struct SwsContext *sws;
    int sws_w, sws_h, sws_fmt;  /* input the sws context was made for */
    AVFrame *tmp;               /* scaled/converted frame */
    AVPacket *pkt;
    int out_w, out_h, out_fmt;
    int enc_w, enc_h;           /* what the encoder codes: out_w x out_h padded to
                                   whole chroma samples (x264/x265 need it) */
    vid_params params;
    ZSTD_CCtx *zc;
    uint8_t *raw, *zbuf;
    size_t raw_size, zcap;
};

static void pad_size(vid_encoder *e, int out_w, int out_h);
static void pad_edges(vid_encoder *e);

void vid_target_size(int *w, int *h, int in_w, int in_h, uint32_t want_w,
                     uint32_t want_h, uint32_t short_side)
{
    *w = in_w;
    *h = in_h;
    if (want_w && want_h) {
        *w = (int)want_w;
        *h = (int)want_h;
    } else if (short_side) {
        /* scale so the short side matches, keep the aspect, round the long
         * side to even so 4:2:0 encoders accept it */
        if (in_w <= in_h) {
            *w = (int)short_side;
            *h = (int)(((uint64_t)in_h * short_side * 2 / (uint64_t)in_w + 1) / 2);
        } else {
            *h = (int)short_side;
            *w = (int)(((uint64_t)in_w * short_side * 2 / (uint64_t)in_h + 1) / 2);
        }
        if (*w & 1 && *w > 1) (*w)++;
        if (*h & 1 && *h > 1) (*h)++;
    }
}

static int supports(const AVCodec *codec, int fmt)
{
    if (!codec->pix_fmts)
        return 1;
    for (const enum AVPixelFormat *p = codec->pix_fmts; *p != AV_PIX_FMT_NONE; p++)
        if (*p == fmt)
            return 1;
    return 0;
}

/* The pixel format to encode in: the source's when the encoder takes it
 * (so lossless modes stay bit-exact), else the nearest common one. */
static int pick_format(const AVCodec *codec, int mode, int in_fmt)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(in_fmt);
    if (mode == SYNAPT_VSTORE_MJPEG) {
        if (d && d->log2_chroma_w == 0 && d->log2_chroma_h == 0)
            return AV_PIX_FMT_YUVJ444P;
        if (d && d->log2_chroma_h == 0)
            return AV_PIX_FMT_YUVJ422P;
        return AV_PIX_FMT_YUVJ420P;
    }
    if (supports(codec, in_fmt))
        return in_fmt;
    /* packed RGB (image streams) stays lossless in ffv1, whose 8-bit RGB
     * formats are bgr0 / bgra (or planar gbrp in newer FFmpeg) */
    if (mode == SYNAPT_VSTORE_FFV1 && d && (d->flags & AV_PIX_FMT_FLAG_RGB)) {
        int alpha = (d->flags & AV_PIX_FMT_FLAG_ALPHA) != 0;
        static const int with_alpha[] = { AV_PIX_FMT_BGRA, AV_PIX_FMT_GBRAP };
        static const int opaque[] = { AV_PIX_FMT_BGR0, AV_PIX_FMT_GBRP };
        for (int i = 0; i < 2; i++)
            if (supports(codec, alpha ? with_alpha[i] : opaque[i]))
                return alpha ? with_alpha[i] : opaque[i];
    }
    if (in_fmt == AV_PIX_FMT_GRAY8 && supports(codec, AV_PIX_FMT_GRAY8))
        return AV_PIX_FMT_GRAY8;
    return AV_PIX_FMT_YUV420P;
}

int vid_encoder_open(vid_encoder **out, const sy_mem *mem, int mode, int in_w, int in_h, int in_fmt,
                     int out_w, int out_h, uint32_t gop, int quality, int threads,
                     const vid_params *src, char *err, size_t errsz)
{
    char eb[128];
    *out = NULL;
    vid_encoder *e = sy_calloc(mem, sizeof *e);
    if (!e) {
        snprintf(err, errsz, "out of memory");
        return SYNAPT_E_NOMEM;
    }
    e->mem = mem;
    e->mode = mode;
    e->out_w = e->enc_w = out_w;
    e->out_h = e->enc_h = out_h;
    e->sws_fmt = -1;
    int rc = SYNAPT_E_NOMEM;
    e->tmp = av_frame_alloc();
    e->pkt = av_packet_alloc();
    if (!e->tmp || !e->pkt)
        goto fail;
    AVRational fr = src->frame_rate;
    if (fr.num <= 0 || fr.den <= 0)
        fr = (AVRational){ 25, 1 };

    if (mode == SYNAPT_VSTORE_RAW) {
        e->out_fmt = in_fmt;
        e->raw_size = vid_native_size(out_w, out_h, in_fmt);
        e->zcap = ZSTD_compressBound(e->raw_size);
        e->raw = sy_malloc(mem, e->raw_size);
        e->zbuf = sy_malloc(mem, e->zcap);
        e->zc = ZSTD_createCCtx();
        if (!e->raw || !e->zbuf || !e->zc)
            goto fail;
        e->params.codec_id = AV_CODEC_ID_RAWVIDEO;
    } else {
        const char *name = mode == SYNAPT_VSTORE_H264 ? "libx264" : mode == SYNAPT_VSTORE_HEVC ? "libx265"
                         : mode == SYNAPT_VSTORE_MJPEG ? "mjpeg" : "ffv1";
        const AVCodec *codec = avcodec_find_encoder_by_name(name);
        if (!codec) {
            snprintf(err, errsz, "this FFmpeg has no %s encoder", name);
            rc = SYNAPT_E_UNSUPPORTED;
            goto fail;
        }
        e->c = avcodec_alloc_context3(codec);
        if (!e->c)
            goto fail;
        AVCodecContext *c = e->c;
        e->out_fmt = pick_format(codec, mode, in_fmt);
        if (mode == SYNAPT_VSTORE_H264 || mode == SYNAPT_VSTORE_HEVC)
            pad_size(e, out_w, out_h);
        c->width = e->enc_w;
        c->height = e->enc_h;
        c->pix_fmt = e->out_fmt;
        c->time_base = av_inv_q(fr);
        c->framerate = fr;
        c->sample_aspect_ratio = src->sar;
        c->color_range = mode == SYNAPT_VSTORE_MJPEG ? AVCOL_RANGE_JPEG : src->color_range;
        c->color_primaries = src->color_primaries;
        c->color_trc = src->color_trc;
        c->colorspace = src->color_space;
        c->thread_count = threads > 0 ? threads : 0;
        c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
        c->max_b_frames = 0;
        char params[256];
        if (mode == SYNAPT_VSTORE_H264) {
            c->gop_size = (int)(gop ? gop : 32);
            c->keyint_min = c->gop_size;
            av_opt_set(c->priv_data, "preset", "faster", 0);
            /* this mode exists for random access: no CABAC and no deblocking
             * make every frame much cheaper to decode, for some size */
            av_opt_set(c->priv_data, "tune", "fastdecode", 0);
            av_opt_set_double(c->priv_data, "crf", quality > 0 ? quality : 20, 0);
            snprintf(params, sizeof params, "scenecut=0:open-gop=0:bframes=0:keyint=%d:min-keyint=%d",
                     c->gop_size, c->gop_size);
            av_opt_set(c->priv_data, "x264-params", params, 0);
        } else if (mode == SYNAPT_VSTORE_HEVC) {
            c->gop_size = (int)(gop ? gop : 32);
            av_opt_set(c->priv_data, "preset", "faster", 0);
            av_opt_set_double(c->priv_data, "crf", quality > 0 ? quality : 24, 0);
            snprintf(params, sizeof params,
                     "log-level=error:scenecut=0:open-gop=0:bframes=0:keyint=%d:min-keyint=%d",
                     c->gop_size, c->gop_size);
            av_opt_set(c->priv_data, "x265-params", params, 0);
        } else if (mode == SYNAPT_VSTORE_MJPEG) {
            int q = quality > 0 ? quality : 3;
            c->flags |= AV_CODEC_FLAG_QSCALE;
            c->global_quality = q * FF_QP2LAMBDA;
            c->qmin = c->qmax = q;
            c->gop_size = 1;
        } else {
            c->gop_size = 1; /* ffv1 carries context state across a GOP: keep every frame alone */
            av_opt_set_int(c->priv_data, "slicecrc", 0, 0);
            c->level = 3;
        }
        int r = avcodec_open2(c, codec, NULL);
        if (r < 0) {
            snprintf(err, errsz, "opening the %s encoder (%dx%d %s): %s", name, e->enc_w, e->enc_h,
                     av_get_pix_fmt_name(e->out_fmt), vid_averr(r, eb, sizeof eb));
            rc = SYNAPT_E_CODEC;
            goto fail;
        }
        e->params.codec_id = codec->id;
        e->params.profile = c->profile;
        e->params.level = c->level;
        e->params.bits_per_raw_sample = c->bits_per_raw_sample;
        if (c->extradata_size > 0) {
            e->params.extradata = av_mallocz((size_t)c->extradata_size + AV_INPUT_BUFFER_PADDING_SIZE);
            if (!e->params.extradata)
                goto fail;
            memcpy(e->params.extradata, c->extradata, (size_t)c->extradata_size);
            e->params.extradata_size = c->extradata_size;
        }
    }
    vid_params *p = &e->params;
    p->width = out_w;
    p->height = out_h;
    p->coded_width = e->enc_w;
    p->coded_height = e->enc_h;
    p->pad_right = e->enc_w - out_w;
    p->pad_bottom = e->enc_h - out_h;
    p->pix_fmt = p->par_format = e->out_fmt;
    p->field_order = AV_FIELD_PROGRESSIVE;
    p->color_range = mode == SYNAPT_VSTORE_MJPEG ? AVCOL_RANGE_JPEG : src->color_range;
    p->color_space = src->color_space;
    p->color_primaries = src->color_primaries;
    p->color_trc = src->color_trc;
    p->chroma_location = src->chroma_location;
    p->sar = src->sar;
    p->time_base = src->time_base;
    p->frame_rate = src->frame_rate;
    if (e->enc_w != in_w || e->enc_h != in_h || e->out_fmt != in_fmt) {
        e->tmp->width = e->enc_w;
        e->tmp->height = e->enc_h;
        e->tmp->format = e->out_fmt;
        if (av_frame_get_buffer(e->tmp, 0) < 0)
            goto fail;
    }
    *out = e;
    return 0;
fail:
    if (rc == SYNAPT_E_NOMEM)
        snprintf(err, errsz, "out of memory opening an encoder");
    vid_encoder_free(e);
    return rc;
}

const vid_params *vid_encoder_params(const vid_encoder *e) { return &e->params; }

void vid_encoder_free(vid_encoder *e)
{
    if (!e)
        return;
    avcodec_free_context(&e->c);
    sws_freeContext(e->sws);
    av_frame_free(&e->tmp);
    av_packet_free(&e->pkt);
    vid_params_free(&e->params);
    ZSTD_freeCCtx(e->zc);
    sy_free(e->mem, e->raw);
    sy_free(e->mem, e->zbuf);
    sy_free(e->mem, e);
}

/* Repeat the last column and row of the out_w x out_h picture in tmp over
 * the padding up to enc_w x enc_h, plane by plane: the edge a decoder's
 * crop leaves out costs the fewest bits when it continues the picture. */
static void pad_edges(vid_encoder *e)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(e->out_fmt);
    int bytes = d->comp[0].depth > 8 ? 2 : 1;
    for (int pl = 0; pl < 4 && e->tmp->data[pl]; pl++) {
        int sub_w = pl == 1 || pl == 2 ? d->log2_chroma_w : 0, sub_h = pl == 1 || pl == 2 ? d->log2_chroma_h : 0;
        int vw = AV_CEIL_RSHIFT(e->out_w, sub_w), vh = AV_CEIL_RSHIFT(e->out_h, sub_h);
        int pw = AV_CEIL_RSHIFT(e->enc_w, sub_w), ph = AV_CEIL_RSHIFT(e->enc_h, sub_h);
        uint8_t *base = e->tmp->data[pl];
        ptrdiff_t ls = e->tmp->linesize[pl];
        for (int y = 0; y < vh && pw > vw; y++) {
            uint8_t *row = base + y * ls;
            for (int x = vw; x < pw; x++)
                memcpy(row + x * bytes, row + (vw - 1) * bytes, (size_t)bytes);
        }
        for (int y = vh; y < ph; y++)
            memcpy(base + y * ls, base + (vh - 1) * ls, (size_t)pw * (size_t)bytes);
    }
}

/* Choose enc_w x enc_h for an encoder that codes whole chroma samples:
 * odd sizes in 4:2:0 (every Something-Something v2 video is 427x240) are
 * padded by one column/row, which readers crop (codec_config pad_right,
 * pad_bottom). Packed formats are not padded in place: they become 4:2:0. */
static void pad_size(vid_encoder *e, int out_w, int out_h)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(e->out_fmt);
    if (!d)
        return;
    int aw = 1 << d->log2_chroma_w, ah = 1 << d->log2_chroma_h;
    if (!(out_w % aw) && !(out_h % ah))
        return;
    if (!(d->flags & AV_PIX_FMT_FLAG_PLANAR) || d->nb_components < 3) {
        e->out_fmt = AV_PIX_FMT_YUV420P;
        aw = ah = 2;
    }
    e->enc_w = (out_w + aw - 1) / aw * aw;
    e->enc_h = (out_h + ah - 1) / ah * ah;
}

/* Bring `f` to the encoder's size and format; returns the frame to use. */
static const AVFrame *convert(vid_encoder *e, const AVFrame *f, char *err, size_t errsz)
{
    int padded = e->enc_w != e->out_w || e->enc_h != e->out_h;
    if (f->width == e->out_w && f->height == e->out_h && f->format == e->out_fmt && !padded)
        return f;
    if (!e->tmp->data[0]) {
        e->tmp->width = e->enc_w;
        e->tmp->height = e->enc_h;
        e->tmp->format = e->out_fmt;
        if (av_frame_get_buffer(e->tmp, 0) < 0) {
            snprintf(err, errsz, "out of memory");
            return NULL;
        }
    }
    int same = f->width == e->out_w && f->height == e->out_h && f->format == e->out_fmt;
    if (!same && (!e->sws || e->sws_w != f->width || e->sws_h != f->height || e->sws_fmt != f->format)) {
        sws_freeContext(e->sws);
        int down = e->out_w < f->width || e->out_h < f->height;
        e->sws = sws_getContext(f->width, f->height, f->format, e->out_w, e->out_h, e->out_fmt,
                                (down ? SWS_AREA : SWS_BICUBIC) | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT,
                                NULL, NULL, NULL);
        if (!e->sws) {
            snprintf(err, errsz, "libswscale cannot convert %s %dx%d to %s %dx%d",
                     av_get_pix_fmt_name(f->format), f->width, f->height,
                     av_get_pix_fmt_name(e->out_fmt), e->out_w, e->out_h);
            return NULL;
        }
        /* swscale assumes limited range for the plain YUV formats: a
         * full-range source (yuvj*, or tagged full) converted for an
         * encoder without yuvj support (ffv1) would be squeezed into
         * 16..235 while the stream stays tagged full range. Keep the range
         * the encoder is told about. */
        int src_full = f->color_range == AVCOL_RANGE_JPEG || f->format == AV_PIX_FMT_YUVJ420P ||
                       f->format == AV_PIX_FMT_YUVJ422P || f->format == AV_PIX_FMT_YUVJ444P;
        int dst_full = e->c ? e->c->color_range == AVCOL_RANGE_JPEG : src_full;
        const int *coef = sws_getCoefficients(SWS_CS_DEFAULT);
        sws_setColorspaceDetails(e->sws, coef, src_full, coef, dst_full, 0, 1 << 16, 1 << 16);
        e->sws_w = f->width;
        e->sws_h = f->height;
        e->sws_fmt = f->format;
    }
    if (av_frame_make_writable(e->tmp) < 0) {
        snprintf(err, errsz, "out of memory");
        return NULL;
    }
    if (same)
        av_image_copy(e->tmp->data, e->tmp->linesize, (const uint8_t **)f->data, f->linesize, f->format,
                      f->width, f->height);
    else
        sws_scale(e->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height,
                  e->tmp->data, e->tmp->linesize);
    if (padded)
        pad_edges(e);
    return e->tmp;
}

int vid_encoder_send(vid_encoder *e, const AVFrame *f, int64_t index,
                     vid_packet_fn fn, void *user, char *err, size_t errsz)
{
    char eb[128];
    const AVFrame *g = NULL;
    if (f && !(g = convert(e, f, err, errsz)))
        return SYNAPT_E_CODEC;
    if (e->mode == SYNAPT_VSTORE_RAW) {
        if (!f)
            return 0;
        if (vid_pack_native(e->raw, e->raw_size, g) < 0) {
            snprintf(err, errsz, "cannot pack a %s frame", av_get_pix_fmt_name(g->format));
            return SYNAPT_E_CODEC;
        }
        size_t z = ZSTD_compressCCtx(e->zc, e->zbuf, e->zcap, e->raw, e->raw_size, 3);
        if (ZSTD_isError(z)) {
            snprintf(err, errsz, "zstd: %s", ZSTD_getErrorName(z));
            return SYNAPT_E_CODEC;
        }
        return fn(user, e->zbuf, z, index, index, 1);
    }
    AVFrame *in = NULL;
    if (g) {
        in = av_frame_clone(g);
        if (!in) {
            snprintf(err, errsz, "out of memory");
            return SYNAPT_E_NOMEM;
        }
        in->pts = index;
        in->pict_type = AV_PICTURE_TYPE_NONE;
        in->sample_aspect_ratio = e->c->sample_aspect_ratio;
    }
    int r = avcodec_send_frame(e->c, in);
    av_frame_free(&in);
    if (r < 0 && r != AVERROR_EOF) {
        snprintf(err, errsz, "%s encoder: %s", e->c->codec->name, vid_averr(r, eb, sizeof eb));
        return SYNAPT_E_CODEC;
    }
    for (;;) {
        r = avcodec_receive_packet(e->c, e->pkt);
        if (r == AVERROR(EAGAIN) || r == AVERROR_EOF)
            return 0;
        if (r < 0) {
            snprintf(err, errsz, "%s encoder: %s", e->c->codec->name, vid_averr(r, eb, sizeof eb));
            return SYNAPT_E_CODEC;
        }
        int rc = fn(user, e->pkt->data, (size_t)e->pkt->size, e->pkt->pts, e->pkt->dts,
                    (e->pkt->flags & AV_PKT_FLAG_KEY) != 0);
        av_packet_unref(e->pkt);
        if (rc)
            return rc;
    }
}
