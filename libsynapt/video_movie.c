/* video_movie.c - RGB24 frames to a video file (synapt_movie_*): previews,
 * contact sheets, visualisations. H.264 (MPEG-4 Part 2 when this FFmpeg
 * has no H.264 encoder or the container cannot hold it), 4:2:0, in the
 * container the path's extension names. Bit-exact flags and one encoder
 * thread keep times, versions and thread timing out of the bytes (libx264
 * itself can still vary on flat synthetic frames: see test_movie). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "video_internal.h"

struct synapt_movie {
    sy_mem mem;
    char *path;
    AVFormatContext *fmt;
    AVCodecContext *enc;
    AVStream *st;
    struct SwsContext *sws;
    AVFrame *frame;
    AVPacket *pkt;
    int w, h;
    int64_t next_pts;
};

static int av_fail(const synapt_movie *m, char *err, size_t errsz, const char *doing, int averr)
{
    char why[128] = "";
    if (averr)
        av_strerror(averr, why, sizeof why);
    snprintf(err, errsz, "%s: %s failed%s%s", m->path, doing, why[0] ? ": " : "", why);
    return averr == AVERROR(ENOMEM) ? SYNAPT_E_NOMEM : SYNAPT_E_IO;
}

SYNAPT_API void synapt_movie_abort(synapt_movie *m)
{
    if (!m)
        return;
    if (m->fmt) {
        if (m->fmt->pb)
            avio_closep(&m->fmt->pb);
        avformat_free_context(m->fmt);
    }
    avcodec_free_context(&m->enc);
    sws_freeContext(m->sws);
    av_frame_free(&m->frame);
    av_packet_free(&m->pkt);
    sy_free(&m->mem, m->path);
    sy_free(&m->mem, m);
}

/* the encoder for container `of`: libx264 where it can hold H.264, else
 * FFmpeg's MPEG-4 Part 2 */
static const AVCodec *pick_encoder(const AVOutputFormat *of)
{
    const AVCodec *c = avcodec_find_encoder_by_name("libx264");
    if (c && avformat_query_codec(of, AV_CODEC_ID_H264, FF_COMPLIANCE_NORMAL) == 1)
        return c;
    return avcodec_find_encoder(AV_CODEC_ID_MPEG4);
}

static int open_encoder(synapt_movie *m, const AVCodec *codec, const AVOutputFormat *of, uint32_t fps_num,
                        uint32_t fps_den, char *err, size_t errsz)
{
    m->enc->width = m->w;
    m->enc->height = m->h;
    m->enc->pix_fmt = AV_PIX_FMT_YUV420P;
    m->enc->time_base = (AVRational){ (int)fps_den, (int)fps_num };
    m->enc->framerate = (AVRational){ (int)fps_num, (int)fps_den };
    m->enc->gop_size = 60;
    m->enc->thread_count = 1;
    m->enc->flags |= AV_CODEC_FLAG_BITEXACT;
    if (of->flags & AVFMT_GLOBALHEADER)
        m->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    AVDictionary *opt = NULL;
    if (codec->id == AV_CODEC_ID_H264) {
        av_dict_set(&opt, "preset", "veryfast", 0);
        av_dict_set(&opt, "crf", "20", 0);
    } else {
        m->enc->bit_rate = 2000000;
    }
    int rc = avcodec_open2(m->enc, codec, &opt);
    av_dict_free(&opt);
    if (rc < 0)
        return av_fail(m, err, errsz, "opening the encoder", rc);
    if ((rc = avcodec_parameters_from_context(m->st->codecpar, m->enc)) < 0)
        return av_fail(m, err, errsz, "setting the stream parameters", rc);
    m->st->time_base = m->enc->time_base;
    m->frame->format = AV_PIX_FMT_YUV420P;
    m->frame->width = m->w;
    m->frame->height = m->h;
    if ((rc = av_frame_get_buffer(m->frame, 0)) < 0)
        return av_fail(m, err, errsz, "allocating a frame", rc);
    m->sws = sws_getContext(m->w, m->h, AV_PIX_FMT_RGB24, m->w, m->h, AV_PIX_FMT_YUV420P,
                            SWS_BICUBIC | SWS_BITEXACT | SWS_ACCURATE_RND, NULL, NULL, NULL);
    if (!m->sws)
        return av_fail(m, err, errsz, "setting up the colour conversion", 0);
    return 0;
}

SYNAPT_API int synapt_movie_open(synapt_movie **out, const char *path, const char *container,
                                 uint32_t width, uint32_t height, uint32_t fps_num, uint32_t fps_den,
                                 char *errbuf, size_t errbuf_size)
{
    char local[8];
    sy_errbuf_use(&errbuf, &errbuf_size, local, sizeof local);
    if (!out || !path) {
        snprintf(errbuf, errbuf_size, "synapt_movie_open: bad arguments");
        return SYNAPT_E_INVALID_ARG;
    }
    *out = NULL;
    if (!width || !height || width % 2 || height % 2 || width > 16384 || height > 16384) {
        snprintf(errbuf, errbuf_size, "%s: a movie frame must have an even size up to 16384, not %ux%u", path,
                 width, height);
        return SYNAPT_E_INVALID_ARG;
    }
    char why[320];
    int rc = vid_ff_load_format(why, sizeof why);
    if (rc) {
        snprintf(errbuf, errbuf_size, "%s: %s", path, why);
        return rc;
    }
    const AVOutputFormat *of = av_guess_format(container, container ? NULL : path, NULL);
    if (!of) {
        snprintf(errbuf, errbuf_size, "%s: no container for this %s (use .mp4 or .mkv)", path,
                 container ? "format name" : "extension");
        return SYNAPT_E_INVALID_ARG;
    }
    const AVCodec *codec = pick_encoder(of);
    if (!codec) {
        snprintf(errbuf, errbuf_size, "%s: this FFmpeg has neither an H.264 nor an MPEG-4 encoder", path);
        return SYNAPT_E_UNSUPPORTED;
    }
    sy_mem mem;
    sy_mem_init(&mem, NULL);
    synapt_movie *m = sy_calloc(&mem, sizeof *m);
    if (!m || !(m->path = sy_strdup(&mem, path))) {
        sy_free(&mem, m);
        snprintf(errbuf, errbuf_size, "%s: out of memory", path);
        return SYNAPT_E_NOMEM;
    }
    m->mem = mem;
    m->w = (int)width;
    m->h = (int)height;
    if (fps_den > INT32_MAX || !fps_num || !fps_den || fps_num > INT32_MAX) {
        fps_num = 30;
        fps_den = 1;
    }
    if ((rc = avformat_alloc_output_context2(&m->fmt, of, NULL, path)) < 0) {
        rc = av_fail(m, errbuf, errbuf_size, "creating the container", rc);
        goto fail;
    }
    m->fmt->flags |= AVFMT_FLAG_BITEXACT;
    if (!(m->enc = avcodec_alloc_context3(codec)) || !(m->st = avformat_new_stream(m->fmt, NULL)) ||
        !(m->frame = av_frame_alloc()) || !(m->pkt = av_packet_alloc())) {
        rc = SYNAPT_E_NOMEM;
        snprintf(errbuf, errbuf_size, "%s: out of memory", path);
        goto fail;
    }
    if ((rc = open_encoder(m, codec, of, fps_num, fps_den, errbuf, errbuf_size)))
        goto fail;
    if ((rc = avio_open(&m->fmt->pb, path, AVIO_FLAG_WRITE)) < 0) {
        rc = av_fail(m, errbuf, errbuf_size, "opening the file", rc);
        goto fail;
    }
    if ((rc = avformat_write_header(m->fmt, NULL)) < 0) {
        rc = av_fail(m, errbuf, errbuf_size, "writing the header", rc);
        goto fail;
    }
    *out = m;
    return 0;
fail:
    synapt_movie_abort(m);
    return rc;
}

/* Send a frame (NULL: flush) and write every packet the encoder gives. */
static int encode(synapt_movie *m, AVFrame *f, char *err, size_t errsz)
{
    int rc = avcodec_send_frame(m->enc, f);
    if (rc < 0)
        return av_fail(m, err, errsz, "encoding", rc);
    for (;;) {
        rc = avcodec_receive_packet(m->enc, m->pkt);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF)
            return 0;
        if (rc < 0)
            return av_fail(m, err, errsz, "encoding", rc);
        /* every frame lasts one tick: without a duration the muxer's edit
         * list can end before the last frame is shown */
        if (m->pkt->duration <= 0)
            m->pkt->duration = 1;
        av_packet_rescale_ts(m->pkt, m->enc->time_base, m->st->time_base);
        m->pkt->stream_index = m->st->index;
        rc = av_interleaved_write_frame(m->fmt, m->pkt);
        av_packet_unref(m->pkt);
        if (rc < 0)
            return av_fail(m, err, errsz, "writing a packet", rc);
    }
}

SYNAPT_API int synapt_movie_write(synapt_movie *m, const void *rgb, char *errbuf, size_t errbuf_size)
{
    char local[8];
    sy_errbuf_use(&errbuf, &errbuf_size, local, sizeof local);
    if (!m || !rgb)
        return SYNAPT_E_INVALID_ARG;
    int rc = av_frame_make_writable(m->frame);
    if (rc < 0)
        return av_fail(m, errbuf, errbuf_size, "preparing a frame", rc);
    const uint8_t *src[1] = { rgb };
    int stride[1] = { m->w * 3 };
    sws_scale(m->sws, src, stride, 0, m->h, m->frame->data, m->frame->linesize);
    m->frame->pts = m->next_pts++;
    return encode(m, m->frame, errbuf, errbuf_size);
}

SYNAPT_API int synapt_movie_close(synapt_movie *m, char *errbuf, size_t errbuf_size)
{
    char local[8];
    sy_errbuf_use(&errbuf, &errbuf_size, local, sizeof local);
    if (!m)
        return SYNAPT_E_INVALID_ARG;
    int rc = encode(m, NULL, errbuf, errbuf_size);
    if (!rc && (rc = av_write_trailer(m->fmt)) < 0)
        rc = av_fail(m, errbuf, errbuf_size, "finishing the file", rc);
    if (!rc && (rc = avio_closep(&m->fmt->pb)) < 0)
        rc = av_fail(m, errbuf, errbuf_size, "closing the file", rc);
    synapt_movie_abort(m);
    return rc;
}
