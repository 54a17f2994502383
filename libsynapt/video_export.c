/* video_export.c - write a stored video stream back to a media file: the
 * packets remuxed as they are, or (raw streams) encoded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/imgutils.h>

#include "internal.h"
#include "video_internal.h"

typedef struct exp_ctx {
    AVFormatContext *oc;
    AVStream *os;
    AVRational tb;          /* timestamps handed over are in this unit */
    AVPacket *pkt;
    int64_t last_dts;
} exp_ctx;

static int write_pkt(void *user, const uint8_t *data, size_t size, int64_t pts, int64_t dts, int key)
{
    exp_ctx *x = user;
    av_packet_unref(x->pkt);
    if (av_new_packet(x->pkt, (int)size) < 0)
        return SYNAPT_E_NOMEM;
    memcpy(x->pkt->data, data, size);
    x->pkt->pts = pts;
    x->pkt->dts = dts;
    x->pkt->flags = key ? AV_PKT_FLAG_KEY : 0;
    x->pkt->stream_index = 0;
    av_packet_rescale_ts(x->pkt, x->tb, x->os->time_base);
    return av_interleaved_write_frame(x->oc, x->pkt) < 0 ? SYNAPT_E_IO : 0;
}

typedef struct enc_ctx {
    vid_encoder *enc;
    exp_ctx *x;
    const int64_t *pts;     /* per frame, NULL = frame index */
    char *err;
    size_t errsz;
    uint64_t n;
} enc_ctx;

static int enc_pkt(void *user, const uint8_t *data, size_t size, int64_t pts, int64_t dts, int key)
{
    enc_ctx *e = user;
    return write_pkt(e->x, data, size, pts, dts, key);
}

static int enc_frame(void *user, uint64_t index, const AVFrame *f)
{
    enc_ctx *e = user;
    return vid_encoder_send(e->enc, f, (int64_t)index, enc_pkt, e, e->err, e->errsz);
}

/* Packets of a stream, a chunk at a time (each chunk read once). */
typedef struct pktsrc {
    const synapt_reader *r;
    uint64_t clip;
    uint32_t stream;
    sy_packets pk;
    int reader_msg;             /* the error's message is the reader's */
} pktsrc;

static int packet_at(pktsrc *g, uint64_t p, const uint8_t **data, uint32_t *size, char *err, size_t errsz)
{
    sy_packets *pk = &g->pk;
    if (!pk->count || p < pk->first || p - pk->first >= pk->count) {
        int rc = sy_reader_load_packets(pk, g->r, g->clip, g->stream, p);
        if (rc) {
            snprintf(err, errsz, "%s", synapt_reader_errmsg(g->r));
            g->reader_msg = 1;
            return rc;
        }
    }
    uint64_t i = p - pk->first;
    if (pk->size[i] > VID_MAX_PACKET) {
        snprintf(err, errsz, "packet %llu too large", (unsigned long long)p);
        return SYNAPT_E_LIMIT;
    }
    *data = pk->data + pk->off[i];
    *size = pk->size[i];
    return 0;
}

static int raw_get(void *user, uint64_t p, vid_packet *out, char *err, size_t errsz)
{
    pktsrc *g = user;
    uint32_t size;
    int rc = packet_at(g, p, &out->data, &size, err, errsz);
    if (rc)
        return rc;
    out->size = size;
    out->flags = g->pk.flags[p - g->pk.first];
    return 0;
}

SYNAPT_API int synapt_video_export(const synapt_reader *r, uint64_t clip, uint32_t stream,
                                   const char *path, char *errbuf, size_t errbuf_size)
{
    char local[8], err[320] = "", eb[128];
    sy_errbuf_use(&errbuf, &errbuf_size, local, sizeof local);
    if (!r || !path)
        return SYNAPT_E_INVALID_ARG;
    synapt_stream_info info;
    int rc = synapt_reader_stream(&info, r, clip, stream);
    if (rc) {
        snprintf(errbuf, errbuf_size, "%s", synapt_reader_errmsg(r));
        return rc;
    }
    VID_FF_NEED_FORMAT(errbuf, errbuf_size);
    vid_params p;
    vid_map m;
    int mode;
    char rp[16];
    sy_stream st;
    if ((rc = sy_reader_stream(&st, r, clip, stream))) {
        snprintf(errbuf, errbuf_size, "%s", synapt_reader_errmsg(r));
        return rc;
    }
    /* image streams (synapt-synth --rgb raw, image folders) hold decoded
     * RGB frames: they are encoded like a raw video stream */
    int images = info.kind == SYNAPT_KIND_IMAGE && info.codec == SYNAPT_CODEC_RAW &&
                 info.dtype == SYNAPT_DTYPE_U8 && info.ndim == 3 &&
                 (info.shape[2] == 1 || info.shape[2] == 3 || info.shape[2] == 4) &&
                 info.shape[0] > 0 && info.shape[1] > 0 && info.shape[0] <= 16384 && info.shape[1] <= 16384;
    if (info.kind != SYNAPT_KIND_VIDEO && !images) {
        snprintf(errbuf, errbuf_size, "%s: stream %s is a%s %s stream, not encoded video "
                 "(export its frames with --to npy)",
                 synapt_reader_path(r), info.name,
                 info.kind == SYNAPT_KIND_IMAGE ? "n" : "", synapt_kind_name(info.kind));
        return sy_rerr(r, SYNAPT_E_INVALID_ARG, clip, stream, SY_NO_CHUNK, "a%s %s stream, not encoded video",
                       info.kind == SYNAPT_KIND_IMAGE ? "n" : "", synapt_kind_name(info.kind));
    }
    memset(&p, 0, sizeof p);
    memset(&m, 0, sizeof m);
    if (images) {
        p.codec_id = AV_CODEC_ID_RAWVIDEO;
        p.width = (int)info.shape[1];
        p.height = (int)info.shape[0];
        p.pix_fmt = info.shape[2] == 3 ? AV_PIX_FMT_RGB24 : info.shape[2] == 1 ? AV_PIX_FMT_GRAY8 : AV_PIX_FMT_RGBA;
        p.frame_rate = (AVRational){ (int)info.fps_num, (int)info.fps_den };
        p.time_base = av_inv_q(p.frame_rate);
        p.sar = (AVRational){ 0, 1 };
        p.color_range = AVCOL_RANGE_UNSPECIFIED;
        p.color_space = AVCOL_SPC_UNSPECIFIED;
        p.color_primaries = AVCOL_PRI_UNSPECIFIED;
        p.color_trc = AVCOL_TRC_UNSPECIFIED;
        m.nframes = info.frame_count;
        rc = 0;
    } else
        rc = vid_config_parse(&r->mem, &p, &m, &mode, rp, sizeof rp, info.codec_config, info.extradata,
                              info.extradata_size, st.packets, err, sizeof err);
    if (rc) {
        snprintf(errbuf, errbuf_size, "%s: stream %s: %s", synapt_reader_path(r), info.name, err);
        return sy_rerr(r, rc, clip, stream, SY_NO_CHUNK, "%s", err);
    }
    exp_ctx x = { 0 };
    vid_encoder *enc = NULL;
    vid_dec *dec = NULL;
    synapt_frame_entry *ents = NULL;
    pktsrc g = { r, clip, stream, { 0 }, 0 };
    int e = avformat_alloc_output_context2(&x.oc, NULL, NULL, path);
    if (e < 0 || !x.oc) {
        snprintf(err, sizeof err, "no container for this file name: %s", vid_averr(e, eb, sizeof eb));
        rc = SYNAPT_E_UNSUPPORTED;
        goto done;
    }
    x.pkt = av_packet_alloc();
    x.os = avformat_new_stream(x.oc, NULL);
    if (!x.pkt || !x.os) {
        rc = SYNAPT_E_NOMEM;
        goto done;
    }
    int raw = p.codec_id == AV_CODEC_ID_RAWVIDEO;
    /* A cut stream (spec video-ffmpeg 4.1) keeps lead-in packets flagged
     * DISCARD. Remuxed, every player would show their frames, so such a
     * stream is decoded and encoded again like a raw one: the file then
     * holds exactly the clip's frames (not its packets). */
    int cut = 0;
    if (!raw && !images && st.packets) {
        ents = sy_malloc(&r->mem, st.packets * sizeof *ents);
        if (!ents) {
            rc = SYNAPT_E_NOMEM;
            goto done;
        }
        if ((rc = synapt_reader_frame_entries(ents, r, clip, stream, 0, st.packets))) {
            snprintf(err, sizeof err, "%s", synapt_reader_errmsg(r));
            g.reader_msg = 1;
            goto done;
        }
        for (uint64_t q = 0; q < st.packets && !cut; q++)
            cut = (ents[q].flags & SYNAPT_FRAME_DISCARD) != 0;
    }
    if (raw || cut) {
        int mode_out = strcmp(x.oc->oformat->name, "matroska") ? SYNAPT_VSTORE_H264 : SYNAPT_VSTORE_FFV1;
        rc = vid_encoder_open(&enc, &r->mem, mode_out, p.width, p.height, p.pix_fmt, p.width, p.height,
                              32, 16, 0, &p, err, sizeof err);
        if (rc)
            goto done;
        if ((rc = vid_params_to_codecpar(x.os->codecpar, vid_encoder_params(enc))) < 0)
            goto done;
        AVRational fr = p.frame_rate.num > 0 && p.frame_rate.den > 0 ? p.frame_rate : (AVRational){ 25, 1 };
        x.tb = av_inv_q(fr);
    } else {
        if ((rc = vid_params_to_codecpar(x.os->codecpar, &p)) < 0)
            goto done;
        x.os->codecpar->width = p.coded_width ? p.coded_width : p.width;
        x.os->codecpar->height = p.coded_height ? p.coded_height : p.height;
        x.tb = p.time_base;
    }
    x.os->codecpar->codec_tag = 0; /* let the muxer pick its own tag */
    x.os->time_base = x.tb;
    if (p.frame_rate.num > 0)
        x.os->avg_frame_rate = p.frame_rate;
    if (!(x.oc->oformat->flags & AVFMT_NOFILE) && (e = avio_open(&x.oc->pb, path, AVIO_FLAG_WRITE)) < 0) {
        snprintf(err, sizeof err, "cannot create: %s", vid_averr(e, eb, sizeof eb));
        rc = SYNAPT_E_IO;
        goto done;
    }
    if ((e = avformat_write_header(x.oc, NULL)) < 0) {
        snprintf(err, sizeof err, "the %s muxer refuses %s: %s", x.oc->oformat->name,
                 avcodec_get_name(p.codec_id), vid_averr(e, eb, sizeof eb));
        rc = SYNAPT_E_UNSUPPORTED;
        goto done;
    }
    if (images) {
        enc_ctx ec = { enc, &x, NULL, err, sizeof err, m.nframes };
        AVFrame *fr = av_frame_alloc();
        size_t fb = (size_t)info.frame_bytes;
        uint8_t *img = sy_malloc(&r->mem, fb ? fb : 1);
        if (!fr || !img) {
            av_frame_free(&fr);
            sy_free(&r->mem, img);
            rc = SYNAPT_E_NOMEM;
            goto done;
        }
        fr->width = p.width;
        fr->height = p.height;
        fr->format = p.pix_fmt;
        for (uint64_t i = 0; !rc && i < info.frame_count; i++) {
            size_t got = 0;
            if ((rc = synapt_reader_read_frames(img, fb, &got, r, clip, stream, i, 1))) {
                snprintf(err, sizeof err, "%s", synapt_reader_errmsg(r));
                break;
            }
            av_image_fill_arrays(fr->data, fr->linesize, img, p.pix_fmt, p.width, p.height, 1);
            rc = enc_frame(&ec, i, fr);
        }
        av_frame_free(&fr);
        sy_free(&r->mem, img);
        if (!rc)
            rc = vid_encoder_send(enc, NULL, 0, enc_pkt, &ec, err, sizeof err);
    } else if (raw || cut) {
        enc_ctx ec = { enc, &x, NULL, err, sizeof err, m.nframes };
        vid_params pc = p;
        /* the decoder takes ownership of pc's extradata: p keeps none */
        p.extradata = NULL;
        p.extradata_size = 0;
        if (raw) {
            av_freep(&pc.extradata);
            pc.extradata_size = 0;
        }
        vid_map mc = m;
        memset(&m, 0, sizeof m); /* the decoder takes the map */
        rc = vid_dec_create(&dec, &r->mem, &pc, &mc, 1, err, sizeof err);
        if (rc)
            goto done;
        vid_source src = { raw_get, &g };
        uint64_t nf = vid_dec_frames(dec);
        for (uint64_t i = 0; !rc && i < nf; i += 64)
            rc = vid_dec_read(dec, &src, i, nf - i < 64 ? nf - i : 64, enc_frame, &ec, err, sizeof err);
        if (!rc)
            rc = vid_encoder_send(enc, NULL, 0, enc_pkt, &ec, err, sizeof err);
    } else {
        /* packets with no timestamps (some AVI) get their frame's slot;
         * the entries were read above (none when the stream is empty) */
        AVRational fr = p.frame_rate.num > 0 && p.frame_rate.den > 0 ? p.frame_rate : (AVRational){ 25, 1 };
        int64_t step = av_rescale_q(1, av_inv_q(fr), x.tb);
        if (step <= 0)
            step = 1;
        /* Use the stored timestamps when a muxer can take them; AVI-style
         * ones (missing pts, pts before dts, packed B-frames) are rebuilt
         * from the packet -> frame map instead: pts = frame slot, dts =
         * packet slot shifted so that it never passes its pts. */
        int rebuild = 0;
        int64_t shift = 0;
        for (uint64_t q = 0; q < st.packets; q++) {
            if (ents[q].pts == SYNAPT_PTS_NONE || ents[q].dts == SYNAPT_PTS_NONE || ents[q].dts > ents[q].pts ||
                (q > 0 && ents[q].dts <= ents[q - 1].dts))
                rebuild = 1;
            if (m.pkt_out[q] >= 0 && (int64_t)q - m.pkt_out[q] > shift)
                shift = (int64_t)q - m.pkt_out[q];
        }
        int64_t prev_pts = 0;
        for (uint64_t q = 0; q < st.packets && !rc; q++) {
            const uint8_t *buf;
            uint32_t size;
            if ((rc = packet_at(&g, q, &buf, &size, err, sizeof err)))
                break;
            int64_t pts = ents[q].pts, dts = ents[q].dts;
            if (rebuild) {
                /* a packet that outputs no frame shares its neighbour's slot */
                pts = m.pkt_out[q] >= 0 ? m.pkt_out[q] * step : prev_pts;
                dts = ((int64_t)q - shift) * step;
                if (dts > pts)
                    pts = dts;
                prev_pts = pts;
            }
            rc = write_pkt(&x, buf, size, pts, dts, (ents[q].flags & SYNAPT_FRAME_KEY) != 0);
            if (rc && !err[0])
                snprintf(err, sizeof err, "muxing packet %llu failed", (unsigned long long)q);
        }
    }
    if (!rc && (e = av_write_trailer(x.oc)) < 0) {
        snprintf(err, sizeof err, "finishing the file: %s", vid_averr(e, eb, sizeof eb));
        rc = SYNAPT_E_IO;
    }
done:
    if (rc == SYNAPT_E_NOMEM && !err[0])
        snprintf(err, sizeof err, "out of memory");
    if (rc && !err[0])
        snprintf(err, sizeof err, "export failed (%s)", synapt_strerror(rc));
    if (rc) {
        snprintf(errbuf, errbuf_size, "%s: %s", path, err);
        /* the reader's message too, as for every other call on it */
        if (!g.reader_msg)
            sy_rerr(r, rc, clip, stream, SY_NO_CHUNK, "export to %s: %s", path, err);
    }
    if (x.oc) {
        if (x.oc->pb && !(x.oc->oformat->flags & AVFMT_NOFILE))
            avio_closep(&x.oc->pb);
        avformat_free_context(x.oc);
    }
    if (rc)
        remove(path);
    av_packet_free(&x.pkt);
    vid_encoder_free(enc);
    vid_dec_free(dec);
    vid_params_free(&p);
    vid_map_free(&m);
    sy_free(&r->mem, ents);
    sy_packets_free(r, &g.pk);
    return rc;
}
