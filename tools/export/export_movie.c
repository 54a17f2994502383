/* export_movie.c - RGB canvases to a video file (the preview movie):
 * H.264 (MPEG-4 part 2 when this FFmpeg has no H.264 encoder) in the
 * container -o's extension names, 4:2:0. Bit-exact flags and one encoder
 * thread make the same canvases give the same bytes. */
#include "export.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>

struct export_movie {
    const char *target;
    char *tmp;
    AVFormatContext *fmt;
    AVCodecContext *enc;
    AVStream *st;
    struct SwsContext *sws;
    AVFrame *frame;
    AVPacket *pkt;
    int w, h;
    int64_t next_pts;
};

static int av_fail(const export_movie *m, char *err, size_t errsz, const char *doing, int averr)
{
    char why[128] = "";
    if (averr) av_strerror(averr, why, sizeof why);
    snprintf(err, errsz, "%s: %s failed%s%s", m->target, doing, why[0] ? ": " : "", why);
    return SYNAPT_E_IO;
}

void export_movie_abort(export_movie *m)
{
    if (!m) return;
    if (m->fmt) {
        if (m->fmt->pb) avio_closep(&m->fmt->pb);
        avformat_free_context(m->fmt);
    }
    avcodec_free_context(&m->enc);
    sws_freeContext(m->sws);
    av_frame_free(&m->frame);
    av_packet_free(&m->pkt);
    if (m->tmp) {
        unlink(m->tmp);
        free(m->tmp);
    }
    free(m);
}

int export_movie_open(export_movie **out, const char *path, int w, int h, uint32_t fps_num,
                      uint64_t fps_den, char *err, size_t errsz)
{
    *out = NULL;
    export_movie *m = calloc(1, sizeof *m);
    if (!m) return SYNAPT_E_NOMEM;
    m->target = path;
    m->w = w;
    m->h = h;
    /* the container from the target's name: the temporary has none */
    const AVOutputFormat *of = av_guess_format(NULL, path, NULL);
    if (!of) {
        snprintf(err, errsz, "%s: no container for this extension (use .mp4 or .mkv)", path);
        free(m);
        return SYNAPT_E_INVALID_ARG;
    }
    const AVCodec *codec = avcodec_find_encoder_by_name("libx264");
    if (!codec || avformat_query_codec(of, AV_CODEC_ID_H264, FF_COMPLIANCE_NORMAL) != 1)
        codec = avcodec_find_encoder(AV_CODEC_ID_MPEG4);
    if (!codec) {
        snprintf(err, errsz, "%s: this FFmpeg has neither an H.264 nor an MPEG-4 encoder", path);
        free(m);
        return SYNAPT_E_UNSUPPORTED;
    }
    size_t pl = strlen(path);
    if (!(m->tmp = malloc(pl + 16))) {
        free(m);
        return SYNAPT_E_NOMEM;
    }
    snprintf(m->tmp, pl + 16, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(m->tmp);
    if (fd < 0) {
        snprintf(err, errsz, "%s: cannot create a temporary file beside it: %s", path, strerror(errno));
        free(m->tmp);
        free(m);
        return SYNAPT_E_IO;
    }
    mode_t um = umask(0);
    umask(um);
    fchmod(fd, 0666 & ~um);
    close(fd);
    int rc;
    if ((rc = avformat_alloc_output_context2(&m->fmt, of, NULL, m->tmp)) < 0) {
        rc = av_fail(m, err, errsz, "creating the container", rc);
        goto fail;
    }
    m->fmt->flags |= AVFMT_FLAG_BITEXACT;
    if (!(m->enc = avcodec_alloc_context3(codec)) || !(m->st = avformat_new_stream(m->fmt, NULL)) ||
        !(m->frame = av_frame_alloc()) || !(m->pkt = av_packet_alloc())) {
        rc = SYNAPT_E_NOMEM;
        snprintf(err, errsz, "%s: out of memory", path);
        goto fail;
    }
    if (fps_den > INT32_MAX || !fps_num || !fps_den || fps_num > INT32_MAX) {
        fps_num = 30;
        fps_den = 1;
    }
    m->enc->width = w;
    m->enc->height = h;
    m->enc->pix_fmt = AV_PIX_FMT_YUV420P;
    m->enc->time_base = (AVRational){ (int)fps_den, (int)fps_num };
    m->enc->framerate = (AVRational){ (int)fps_num, (int)fps_den };
    m->enc->gop_size = 60;
    m->enc->thread_count = 1;
    m->enc->flags |= AV_CODEC_FLAG_BITEXACT;
    if (of->flags & AVFMT_GLOBALHEADER) m->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    AVDictionary *opt = NULL;
    if (codec->id == AV_CODEC_ID_H264) {
        av_dict_set(&opt, "preset", "veryfast", 0);
        av_dict_set(&opt, "crf", "20", 0);
    } else {
        m->enc->bit_rate = 2000000;
    }
    rc = avcodec_open2(m->enc, codec, &opt);
    av_dict_free(&opt);
    if (rc < 0) {
        rc = av_fail(m, err, errsz, "opening the encoder", rc);
        goto fail;
    }
    if ((rc = avcodec_parameters_from_context(m->st->codecpar, m->enc)) < 0) {
        rc = av_fail(m, err, errsz, "setting the stream parameters", rc);
        goto fail;
    }
    m->st->time_base = m->enc->time_base;
    m->frame->format = AV_PIX_FMT_YUV420P;
    m->frame->width = w;
    m->frame->height = h;
    if ((rc = av_frame_get_buffer(m->frame, 0)) < 0) {
        rc = av_fail(m, err, errsz, "allocating a frame", rc);
        goto fail;
    }
    m->sws = sws_getContext(w, h, AV_PIX_FMT_RGB24, w, h, AV_PIX_FMT_YUV420P, SWS_BICUBIC | SWS_BITEXACT | SWS_ACCURATE_RND,
                            NULL, NULL, NULL);
    if (!m->sws) {
        rc = av_fail(m, err, errsz, "setting up the colour conversion", 0);
        goto fail;
    }
    if ((rc = avio_open(&m->fmt->pb, m->tmp, AVIO_FLAG_WRITE)) < 0) {
        rc = av_fail(m, err, errsz, "opening the temporary file", rc);
        goto fail;
    }
    if ((rc = avformat_write_header(m->fmt, NULL)) < 0) {
        rc = av_fail(m, err, errsz, "writing the header", rc);
        goto fail;
    }
    *out = m;
    return 0;
fail:
    export_movie_abort(m);
    return rc;
}

/* Send a frame (NULL: flush) and write every packet the encoder gives. */
static int encode(export_movie *m, AVFrame *f, char *err, size_t errsz)
{
    int rc = avcodec_send_frame(m->enc, f);
    if (rc < 0) return av_fail(m, err, errsz, "encoding", rc);
    for (;;) {
        rc = avcodec_receive_packet(m->enc, m->pkt);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return 0;
        if (rc < 0) return av_fail(m, err, errsz, "encoding", rc);
        /* every frame lasts one tick: without a duration the muxer's edit
         * list can end before the last frame is shown */
        if (m->pkt->duration <= 0) m->pkt->duration = 1;
        av_packet_rescale_ts(m->pkt, m->enc->time_base, m->st->time_base);
        m->pkt->stream_index = m->st->index;
        rc = av_interleaved_write_frame(m->fmt, m->pkt);
        av_packet_unref(m->pkt);
        if (rc < 0) return av_fail(m, err, errsz, "writing a packet", rc);
    }
}

int export_movie_frame(export_movie *m, const uint8_t *rgb, char *err, size_t errsz)
{
    int rc = av_frame_make_writable(m->frame);
    if (rc < 0) return av_fail(m, err, errsz, "preparing a frame", rc);
    const uint8_t *src[1] = { rgb };
    int stride[1] = { m->w * 3 };
    sws_scale(m->sws, src, stride, 0, m->h, m->frame->data, m->frame->linesize);
    m->frame->pts = m->next_pts++;
    return encode(m, m->frame, err, errsz);
}

int export_movie_close(export_movie *m, char *err, size_t errsz)
{
    int rc = encode(m, NULL, err, errsz);
    if (!rc && (rc = av_write_trailer(m->fmt)) < 0) rc = av_fail(m, err, errsz, "finishing the file", rc);
    if (!rc && (rc = avio_closep(&m->fmt->pb)) < 0) rc = av_fail(m, err, errsz, "closing the file", rc);
    if (!rc && rename(m->tmp, m->target) != 0) {
        snprintf(err, errsz, "%s: cannot write: %s", m->target, strerror(errno));
        rc = SYNAPT_E_IO;
    }
    if (!rc) {
        free(m->tmp);
        m->tmp = NULL;
    }
    export_movie_abort(m);
    return rc;
}
