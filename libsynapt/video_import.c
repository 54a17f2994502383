/* video_import.c - demux a video file with libavformat, decode it once to
 * learn which packet makes which frame, and store the first video stream
 * (copied: byte for byte, or DivX packed B-frames unpacked; or re-encoded)
 * as a VIDEO stream of the open clip. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/pixdesc.h>
#include <xxhash.h>

#include "internal.h"
#include "video_internal.h"

typedef struct imp {
    const sy_mem *mem;            /* the writer's: every array below */
    const char *path;
    const synapt_video_import_options *o;
    int mode;
    const vid_sink *sink;
    char *err;
    size_t errsz;
    synapt_video_import_result *res;

    AVFormatContext *fmt;
    AVStream *st;
    AVCodecContext *dec;
    AVFrame *frm;
    AVPacket *pkt;
    vid_params src;               /* source decoder parameters */

    /* source packets as demuxed (all modes) */
    int64_t *spts;
    uint64_t nspkt, cap_spkt;
    /* source decode: packet of each output frame */
    uint64_t *out_pkt;
    uint64_t nframes, cap_frames;
    /* packets stored (copy: the source packets; else the encoded ones) */
    int64_t *store_pts;
    uint8_t *store_key;
    uint64_t nstore, cap_store;

    int started;                  /* stream added to the sink */
    /* start-point check (copy mode): a second decoder restarted at every
     * keyframe; its first frames must equal the sequential decode's */
    uint64_t *ohash;              /* hash of each output frame (sequential) */
    uint8_t *fed;                 /* per source packet: seen by a checking decoder */
    uint64_t cap_fed;
    struct vslot { AVCodecContext *dec; int active; uint64_t sync, count, started; } vs[4];
    uint64_t vstarts;             /* verifiers started, to find the oldest */
    int intra_only;               /* every frame stands alone: nothing to check */
    struct vcheck { uint64_t q, sync, hash; } *vck;
    uint64_t nvck, cap_vck;
    uint8_t *hbuf;
    size_t hcap;
    int force_key;                /* test hook (vid_sink.force_key) */
    AVPacket **pend;              /* copy mode: packets demuxed before the first frame */
    size_t npend, cap_pend;
    vid_encoder *enc;
    vid_params stored;            /* parameters of what is stored */
    int map_broken;               /* the decoder lost the packet numbering */
    /* copy mode without decoding (video_scan.c): the map the scan proved
     * and, per scanned packet, its size and hash, checked again as the
     * packets are stored */
    int scanned;
    uint64_t *scan_map;
    uint64_t *scan_hash;
    uint64_t nscan;
    int unpack;                   /* MPEG-4 packed B-frames: store them unpacked */
    int stable;                   /* the packets keep the headers' parameters */
    vid_vp9_info vp9;             /* VP9: the first packet's key frame */
    int consumed;                 /* the scan read the main demuxer */
    AVPacket **rec;               /* the packets it kept: the main pass stores these */
    uint64_t nrec, irec;
    AVBSFContext *bsf;            /* the main pass's unpacker */
} imp;

static void say(imp *m, int level, const char *fmt, ...)
{
    if (!m->o->log)
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    m->o->log(m->o->log_user, level, buf);
}

static int fail(imp *m, int rc, const char *fmt, ...)
{
    char buf[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    snprintf(m->err, m->errsz, "%s: %s", m->path, buf);
    return rc;
}

#define GROW(mem, ptr, n, cap) \
    ((n) < (cap) ? 0 : grow_((mem), (void **)&(ptr), &(cap), sizeof *(ptr)))
static int grow_(const sy_mem *mem, void **p, uint64_t *cap, size_t elem)
{
    uint64_t nc = *cap ? *cap * 2 : 256;
    if (nc > VID_MAX_PACKETS)
        return SYNAPT_E_LIMIT;
    void *q = sy_realloc(mem, *p, nc * elem);
    if (!q)
        return SYNAPT_E_NOMEM;
    *p = q;
    *cap = nc;
    return 0;
}

static int synapt_codec_of(enum AVCodecID id)
{
    switch (id) {
    case AV_CODEC_ID_H264: return SYNAPT_CODEC_H264;
    case AV_CODEC_ID_HEVC: return SYNAPT_CODEC_HEVC;
    case AV_CODEC_ID_MPEG4: return SYNAPT_CODEC_MPEG4;
    case AV_CODEC_ID_VP8: return SYNAPT_CODEC_VP8;
    case AV_CODEC_ID_VP9: return SYNAPT_CODEC_VP9;
    case AV_CODEC_ID_AV1: return SYNAPT_CODEC_AV1;
    case AV_CODEC_ID_MJPEG: return SYNAPT_CODEC_MJPEG;
    case AV_CODEC_ID_FFV1: return SYNAPT_CODEC_FFV1;
    case AV_CODEC_ID_RAWVIDEO: return SYNAPT_CODEC_RAWVIDEO;
    default: return SYNAPT_CODEC_OTHER;
    }
}
int vid_synapt_codec(enum AVCodecID id) { return synapt_codec_of(id); }

/* Store one packet (copy mode: a source packet; else an encoded one). */
static int store(imp *m, const uint8_t *data, size_t size, int64_t pts, int64_t dts, uint32_t flags)
{
    int rc;
    if ((rc = GROW(m->mem, m->store_pts, m->nstore, m->cap_store)) < 0)
        return fail(m, rc, "too many packets");
    uint64_t cap = m->cap_store;
    /* store_key grows in step with store_pts */
    uint8_t *k = sy_realloc(m->mem, m->store_key, cap);
    if (!k)
        return fail(m, SYNAPT_E_NOMEM, "out of memory");
    m->store_key = k;
    if (pts != SYNAPT_PTS_NONE)
        flags |= SYNAPT_FRAME_HAS_PTS;
    m->store_pts[m->nstore] = pts;
    m->store_key[m->nstore] = (flags & SYNAPT_FRAME_KEY) != 0;
    m->nstore++;
    m->res->packets++;
    m->res->bytes += size;
    rc = m->sink->packet(m->sink->user, data, size, pts, dts, flags);
    if (rc < 0)
        return fail(m, rc, "%s", m->sink->errmsg(m->sink->user));
    return 0;
}

static int64_t ts(int64_t v) { return v == AV_NOPTS_VALUE ? SYNAPT_PTS_NONE : v; }

static uint32_t pkt_flags(const AVPacket *p)
{
    return ((p->flags & AV_PKT_FLAG_KEY) ? SYNAPT_FRAME_KEY : 0) |
           ((p->flags & AV_PKT_FLAG_DISCARD) ? SYNAPT_FRAME_DISCARD : 0);
}

static int on_encoded(void *user, const uint8_t *data, size_t size, int64_t pts, int64_t dts, int key)
{
    imp *m = user;
    /* Re-encodes use no B-frames, so packet k must be frame k; the stored
     * map is then the identity. Anything else would be an encoder surprise. */
    if (pts != (int64_t)m->nstore || (uint64_t)pts >= m->nframes)
        return fail(m, SYNAPT_E_CODEC, "encoder reordered frames (packet %llu has pts %lld)",
                    (unsigned long long)m->nstore, (long long)pts);
    (void)dts;
    int64_t real = SYNAPT_PTS_NONE;
    uint64_t q = m->out_pkt[pts];
    if (q < m->nspkt)
        real = m->spts[q];
    return store(m, data, size, real, real, key ? SYNAPT_FRAME_KEY : 0);
}

/* The first frame fixes the stored size and format; open the encoder and
 * add the stream to the sink, then release packets held back so far. */
static int start(imp *m, const AVFrame *f)
{
    int rc;
    m->src.width = f->width;
    m->src.height = f->height;
    m->src.pix_fmt = f->format;
    m->res->src_width = (uint32_t)f->width;
    m->res->src_height = (uint32_t)f->height;
    if ((uint64_t)f->width * (uint64_t)f->height > VID_MAX_PIXELS || f->width <= 0 || f->height <= 0)
        return fail(m, SYNAPT_E_LIMIT, "frame size %dx%d is over the limit", f->width, f->height);
    const vid_params *sp = &m->src;
    if (m->mode != SYNAPT_VSTORE_COPY) {
        int w, h;
        vid_target_size(&w, &h, f->width, f->height, m->o->width, m->o->height, m->o->short_side);
        if (w <= 0 || h <= 0 || (uint64_t)w * (uint64_t)h > VID_MAX_PIXELS)
            return fail(m, SYNAPT_E_INVALID_ARG, "bad target size %dx%d", w, h);
        uint32_t gop = m->o->gop;
        rc = vid_encoder_open(&m->enc, m->mem, m->mode, f->width, f->height, f->format, w, h, gop,
                              m->o->quality, m->o->threads, &m->src, m->err, m->errsz);
        if (rc < 0) {
            char tmp[300];
            snprintf(tmp, sizeof tmp, "%s", m->err);
            return fail(m, rc, "%s", tmp);
        }
        sp = vid_encoder_params(m->enc);
    }
    m->stored = *sp;
    m->stored.extradata = NULL;
    m->stored.extradata_size = 0;
    if (sp->extradata_size > 0) {
        m->stored.extradata = av_mallocz((size_t)sp->extradata_size + AV_INPUT_BUFFER_PADDING_SIZE);
        if (!m->stored.extradata)
            return fail(m, SYNAPT_E_NOMEM, "out of memory");
        memcpy(m->stored.extradata, sp->extradata, (size_t)sp->extradata_size);
        m->stored.extradata_size = sp->extradata_size;
    }
    m->res->width = (uint32_t)m->stored.width;
    m->res->height = (uint32_t)m->stored.height;
    vid_map empty = { 0 };
    char *cfg = vid_config_build(m->mem, &m->stored, &empty, m->mode, SYNAPT_PTS_NONE,
                                 m->mode == SYNAPT_VSTORE_RAW ? "zstd" : NULL);
    if (!cfg)
        return fail(m, SYNAPT_E_NOMEM, "out of memory");
    rc = m->sink->begin(m->sink->user, &m->res->stream, synapt_codec_of(m->stored.codec_id),
                        &m->stored, cfg);
    sy_free(m->mem, cfg);
    if (rc < 0)
        return fail(m, rc, "%s", m->sink->errmsg(m->sink->user));
    m->started = 1;
    say(m, 1, "%s: %s %dx%d %s -> stream %u, %s%s", m->path, avcodec_get_name(m->src.codec_id),
        f->width, f->height, av_get_pix_fmt_name(f->format), m->res->stream,
        vid_mode_name(m->mode), m->mode == SYNAPT_VSTORE_COPY ? "" : " re-encode");
    for (size_t i = 0; i < m->npend; i++) {
        AVPacket *p = m->pend[i];
        rc = store(m, p->data, (size_t)p->size, ts(p->pts), ts(p->dts), pkt_flags(p));
        av_packet_free(&m->pend[i]);
        if (rc < 0)
            return rc;
    }
    m->npend = 0;
    return 0;
}

/* Frames checked after each keyframe: enough to cover reordering and the
 * references a mislabelled keyframe would still lean on, small next to a GOP. */
#define VERIFY_FRAMES 16

static int frame_hash(imp *m, const AVFrame *f, uint64_t *out)
{
    size_t n = vid_native_size(f->width, f->height, f->format);
    if (n > m->hcap) {
        uint8_t *b = sy_realloc(m->mem, m->hbuf, n);
        if (!b)
            return fail(m, SYNAPT_E_NOMEM, "out of memory");
        m->hbuf = b;
        m->hcap = n;
    }
    if (n == 0 || vid_pack_native(m->hbuf, n, f) < 0)
        return fail(m, SYNAPT_E_CODEC, "cannot pack a %s frame", av_get_pix_fmt_name(f->format));
    *out = XXH3_64bits(m->hbuf, n) ^ ((uint64_t)f->width << 48) ^ ((uint64_t)f->height << 32);
    return 0;
}

static int on_frame(imp *m, AVFrame *f)
{
    int rc;
    if (!m->started && (rc = start(m, f)) < 0)
        return rc;
    if ((rc = GROW(m->mem, m->out_pkt, m->nframes, m->cap_frames)) < 0)
        return fail(m, rc, "too many frames");
    int64_t q = f->pts;
    if (q == AV_NOPTS_VALUE || q < 0 || (uint64_t)q >= m->nspkt) {
        m->map_broken = 1;
        q = (int64_t)m->nspkt; /* out of range: "unknown packet" */
    }
    if (m->mode == SYNAPT_VSTORE_COPY) {
        uint64_t cap = m->cap_frames;
        uint64_t *h = sy_realloc(m->mem, m->ohash, cap * sizeof *h);
        if (!h)
            return fail(m, SYNAPT_E_NOMEM, "out of memory");
        m->ohash = h;
        /* verify_finish compares only frames of packets a checking decoder
         * was given (its frames carry those packet numbers), so only those
         * are hashed: with long GOPs, a few percent of the frames */
        m->ohash[m->nframes] = 0;
        if ((uint64_t)q < m->nspkt && (uint64_t)q < m->cap_fed && m->fed[q] &&
            (rc = frame_hash(m, f, &m->ohash[m->nframes])) < 0)
            return rc;
    }
    m->out_pkt[m->nframes++] = (uint64_t)q;
    m->res->frames = m->nframes;
    if (m->enc) {
        rc = vid_encoder_send(m->enc, f, (int64_t)m->nframes - 1, on_encoded, m, m->err, m->errsz);
        if (rc < 0) {
            if (strncmp(m->err, m->path, strlen(m->path))) {
                char tmp[300];
                snprintf(tmp, sizeof tmp, "%s", m->err);
                return fail(m, rc, "%s", tmp);
            }
            return rc;
        }
    }
    return 0;
}

static int drain(imp *m)
{
    for (;;) {
        int r = avcodec_receive_frame(m->dec, m->frm);
        if (r == AVERROR(EAGAIN) || r == AVERROR_EOF)
            return 0;
        if (r < 0) {
            m->res->decode_errors++;
            continue;
        }
        int rc = on_frame(m, m->frm);
        av_frame_unref(m->frm);
        if (rc < 0)
            return rc;
    }
}

/* Send a source packet to the decoder under its packet number. Side data
 * is dropped so the decode here and the one at read time (which sees only
 * the stored bytes and flags) are the same decode. */
static int verify_drain(imp *m, struct vslot *v)
{
    AVFrame *f = m->frm;
    for (;;) {
        int r = avcodec_receive_frame(v->dec, f);
        if (r == AVERROR(EAGAIN) || r == AVERROR_EOF)
            return 0;
        if (r < 0)
            continue;
        if (v->active && f->pts != AV_NOPTS_VALUE && f->pts >= 0) {
            if (m->nvck >= m->cap_vck) {
                uint64_t nc = m->cap_vck ? m->cap_vck * 2 : 256;
                struct vcheck *c = sy_realloc(m->mem, m->vck, nc * sizeof *c);
                if (!c) {
                    av_frame_unref(f);
                    return fail(m, SYNAPT_E_NOMEM, "out of memory");
                }
                m->vck = c;
                m->cap_vck = nc;
            }
            struct vcheck *c = &m->vck[m->nvck];
            int rc = frame_hash(m, f, &c->hash);
            if (rc < 0) {
                av_frame_unref(f);
                return rc;
            }
            c->q = (uint64_t)f->pts;
            c->sync = v->sync;
            m->nvck++;
            if (++v->count >= VERIFY_FRAMES)
                v->active = 0;
        }
        av_frame_unref(f);
    }
}

/* Feed the checking decoders. Each keyframe after packet 0 gets a fresh
 * decoder (up to four at once, the oldest given up when a fifth comes)
 * that runs for its first VERIFY_FRAMES frames. */
static int verify_packet(imp *m, AVPacket *p, uint64_t index)
{
    char eb[128];
    if (m->mode != SYNAPT_VSTORE_COPY || m->intra_only)
        return 0;
    if (index > 0 && (p->flags & AV_PKT_FLAG_KEY)) {
        struct vslot *v = NULL;
        for (int k = 0; k < 4 && !v; k++)
            if (!m->vs[k].active)
                v = &m->vs[k];
        for (int k = 0; k < 4 && !v; k++)
            if (!v || m->vs[k].started < v->started)
                v = &m->vs[k];
        for (int k = 0; k < 4; k++)
            if (m->vs[k].active && m->vs[k].started < v->started)
                v = &m->vs[k];
        if (!v->dec) {
            int rc = vid_open_decoder(&v->dec, &m->src, 1, eb, sizeof eb);
            if (rc < 0)
                return fail(m, rc, "%s", eb);
        } else {
            avcodec_flush_buffers(v->dec);
        }
        v->active = 1;
        v->sync = index;
        v->count = 0;
        v->started = ++m->vstarts;
    }
    for (int k = 0; k < 4; k++) {
        struct vslot *v = &m->vs[k];
        if (!v->active)
            continue;
        if (index >= m->cap_fed) {
            uint64_t nc = m->cap_fed ? m->cap_fed * 2 : 1024;
            while (nc <= index)
                nc *= 2;
            uint8_t *fd = sy_realloc(m->mem, m->fed, nc);
            if (!fd)
                return fail(m, SYNAPT_E_NOMEM, "out of memory");
            memset(fd + m->cap_fed, 0, nc - m->cap_fed);
            m->fed = fd;
            m->cap_fed = nc;
        }
        m->fed[index] = 1;
        for (;;) {
            int r = avcodec_send_packet(v->dec, p);
            if (r == AVERROR(EAGAIN)) {
                int rc = verify_drain(m, v);
                if (rc < 0)
                    return rc;
                if (!v->active)
                    break;
                continue;
            }
            break;
        }
        int rc = verify_drain(m, v);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* A keyframe is a start point only when a decoder started there gave its
 * own frame, and every frame it gave from there on, as the sequential
 * decode did. Otherwise (a keyframe flag on a frame that is no clean
 * random access point) reads start from an earlier one. */
static void verify_finish(imp *m, const vid_map *map, uint8_t *key)
{
    if (m->mode != SYNAPT_VSTORE_COPY || m->intra_only)
        return;
    uint8_t *ok = sy_calloc(m->mem, map->npkt ? map->npkt : 1);
    if (!ok)
        return; /* keep the flags: reads still fall back when frames are missing */
    for (uint64_t k = 0; k < m->nvck; k++) {
        const struct vcheck *c = &m->vck[k];
        if (c->q == c->sync && c->q < map->npkt && map->pkt_out[c->q] >= 0 &&
            c->hash == m->ohash[map->pkt_out[c->q]])
            ok[c->sync] = 1;
    }
    for (uint64_t k = 0; k < m->nvck; k++) {
        const struct vcheck *c = &m->vck[k];
        if (c->q >= map->npkt || c->sync >= map->npkt || c->q < c->sync)
            continue;
        int64_t i = map->pkt_out[c->q], o = map->pkt_out[c->sync];
        if (i >= 0 && o >= 0 && i >= o && c->hash != m->ohash[i])
            ok[c->sync] = 0;
    }
    uint64_t dropped = 0;
    for (uint64_t q = 1; q < map->npkt; q++)
        if (key[q] && !ok[q]) {
            key[q] = 0;
            dropped++;
        }
    if (dropped)
        say(m, 1, "%s: %llu keyframes are not clean start points; reads start further back",
            m->path, (unsigned long long)dropped);
    sy_free(m->mem, ok);
}

static int decode_packet(imp *m, const AVPacket *src, uint64_t index)
{
    AVPacket *p = av_packet_alloc();
    if (!p || av_packet_ref(p, src) < 0) {
        av_packet_free(&p);
        return fail(m, SYNAPT_E_NOMEM, "out of memory");
    }
    av_packet_free_side_data(p);
    p->pts = (int64_t)index;
    p->dts = AV_NOPTS_VALUE;
    p->duration = 0;
    p->pos = -1;
    int vrc = verify_packet(m, p, index);
    if (vrc < 0) {
        av_packet_free(&p);
        return vrc;
    }
    for (;;) {
        int r = avcodec_send_packet(m->dec, p);
        if (r == AVERROR(EAGAIN)) {
            int rc = drain(m);
            if (rc < 0) {
                av_packet_free(&p);
                return rc;
            }
            continue;
        }
        if (r < 0)
            m->res->decode_errors++;
        break;
    }
    av_packet_free(&p);
    return drain(m);
}

static int finish(imp *m)
{
    char eb[128];
    int rc;
    if (m->dec) {
        int r = avcodec_send_packet(m->dec, NULL);
        if (r < 0 && r != AVERROR_EOF)
            return fail(m, SYNAPT_E_CODEC, "flushing the decoder: %s", vid_averr(r, eb, sizeof eb));
        if ((rc = drain(m)) < 0)
            return rc;
    }
    /* the checking decoders still hold the frames of a keyframe near the
     * end (reorder delay): flush them, or that keyframe would go unchecked
     * and lose its start point */
    for (int k = 0; k < 4; k++) {
        struct vslot *v = &m->vs[k];
        if (!v->dec || !v->active)
            continue;
        int r = avcodec_send_packet(v->dec, NULL);
        if (r < 0 && r != AVERROR_EOF)
            continue;
        if ((rc = verify_drain(m, v)) < 0)
            return rc;
    }
    if (!m->started)
        return fail(m, SYNAPT_E_INPUT, "no decodable video frame (%llu packets read)",
                    (unsigned long long)m->nspkt);
    if (m->enc && (rc = vid_encoder_send(m->enc, NULL, 0, on_encoded, m, m->err, m->errsz)) < 0)
        return rc;

    vid_map map = { 0 };
    map.mem = m->mem;
    map.npkt = m->nstore;
    map.nframes = m->nframes;
    int64_t *pts = m->store_pts;
    if (m->mode == SYNAPT_VSTORE_COPY) {
        if (m->map_broken)
            return fail(m, SYNAPT_E_UNSUPPORTED,
                        "the %s decoder does not carry packet numbers through to its frames",
                        avcodec_get_name(m->src.codec_id));
        map.out_pkt = m->out_pkt;
    } else {
        if (m->nstore != m->nframes)
            return fail(m, SYNAPT_E_CODEC, "encoder gave %llu packets for %llu frames",
                        (unsigned long long)m->nstore, (unsigned long long)m->nframes);
        map.out_pkt = sy_malloc(m->mem, (m->nframes ? m->nframes : 1) * sizeof *map.out_pkt);
        if (!map.out_pkt)
            return fail(m, SYNAPT_E_NOMEM, "out of memory");
        for (uint64_t i = 0; i < m->nframes; i++)
            map.out_pkt[i] = i;
    }
    if (m->mode == SYNAPT_VSTORE_COPY && !m->intra_only && !m->scanned) {
        /* the check needs pkt_out, which vid_map_finish builds: run it on a
         * first pass, then build the start points from the cleared flags */
        rc = vid_map_finish(&map, m->store_key);
        if (rc == 0) {
            verify_finish(m, &map, m->store_key);
            sy_free(m->mem, map.sync_pkt);
            sy_free(m->mem, map.sync_out);
            map.sync_pkt = map.sync_out = NULL;
            rc = vid_map_finish(&map, m->store_key);
        }
    } else {
        rc = vid_map_finish(&map, m->store_key);
    }
    if (rc < 0) {
        if (map.out_pkt == m->out_pkt)
            map.out_pkt = NULL;
        vid_map_free(&map);
        return fail(m, rc == SYNAPT_E_CORRUPT ? SYNAPT_E_UNSUPPORTED : rc,
                    rc == SYNAPT_E_CORRUPT ? "the decoder gave two frames for one packet" : "out of memory");
    }
    int64_t first = m->nframes ? pts[map.out_pkt[0]] : SYNAPT_PTS_NONE;
    char *cfg = vid_config_build(m->mem, &m->stored, &map, m->mode, first,
                                 m->mode == SYNAPT_VSTORE_RAW ? "zstd" : NULL);
    if (map.out_pkt == m->out_pkt)
        map.out_pkt = NULL;
    vid_map_free(&map);
    if (!cfg)
        return fail(m, SYNAPT_E_NOMEM, "out of memory");
    rc = m->sink->finish(m->sink->user, m->res->stream, m->nframes, cfg);
    sy_free(m->mem, cfg);
    if (rc < 0)
        return fail(m, rc, "%s", m->sink->errmsg(m->sink->user));
    return 0;
}

/* Copy mode: the map from a scan of the headers when it can be proven, and
 * the choice of unpacking MPEG-4 B-frames (video_prescan.c). 1 when the
 * map is proven, 0 when the stream must be decoded, <0 on error. */
static int prescan(imp *m, int read_main)
{
    if (m->mode != SYNAPT_VSTORE_COPY || m->force_key)
        return 0;
    char eb[200] = "";
    vid_prescan ps;
    int rc = vid_prescan_run(&ps, m->mem, m->path, m->fmt, m->st, &m->src,
                             m->o->version >= 2 && m->o->full_decode, read_main, eb, sizeof eb);
    if (rc < 0)
        return fail(m, rc, "%s", eb);
    if (*ps.line)
        say(m, 1, "%s: %s", m->path, ps.line);
    m->scanned = ps.scanned;
    m->unpack = ps.unpack;
    m->stable = ps.stable;
    m->vp9 = ps.vp9;
    m->consumed = ps.consumed;
    m->rec = ps.rec;
    m->nrec = ps.nrec;
    m->irec = 0;
    m->scan_map = ps.map;
    m->scan_hash = ps.hash;
    m->nscan = ps.n;
    return m->scanned;
}

/* The main pass of a scanned stream: the first packet opens the stream with
 * the parameters the first decoded frame would have (the demuxer's, which
 * avformat_find_stream_info took from a decode), and every packet must be
 * the one the scan saw. */
static int scanned_packet(imp *m, const AVPacket *p, uint64_t index)
{
    if (index >= m->nscan || vid_pkt_hash(p) != m->scan_hash[index])
        return fail(m, SYNAPT_E_INPUT, "the file changed while it was read (packet %llu)",
                    (unsigned long long)index);
    if (!m->started) {
        AVFrame *f = av_frame_alloc();
        if (!f)
            return fail(m, SYNAPT_E_NOMEM, "out of memory");
        f->width = m->src.coded_width;
        f->height = m->src.coded_height;
        f->format = m->src.par_format;
        int rc = start(m, f);
        av_frame_free(&f);
        if (rc < 0)
            return rc;
    }
    return store(m, p->data, (size_t)p->size, ts(p->pts), ts(p->dts), pkt_flags(p));
}

/* The source parameters' extradata: a padded copy of par's. */
static int set_extradata(imp *m, const AVCodecParameters *par)
{
    av_freep(&m->src.extradata);
    m->src.extradata_size = 0;
    if (par->extradata_size <= 0)
        return 0;
    m->src.extradata = av_mallocz((size_t)par->extradata_size + AV_INPUT_BUFFER_PADDING_SIZE);
    if (!m->src.extradata)
        return fail(m, SYNAPT_E_NOMEM, "out of memory");
    memcpy(m->src.extradata, par->extradata, (size_t)par->extradata_size);
    m->src.extradata_size = par->extradata_size;
    return 0;
}

static void rec_free(imp *m)
{
    vid_packets_free(m->mem, &m->rec, m->irec, m->nrec);
    m->nrec = m->irec = 0;
}

/* The next packet of the main pass: one the scan kept, or the demuxer's. */
static int next_packet(imp *m, int *eof)
{
    if (!m->rec)
        return vid_next_packet(m->fmt, m->st->index, m->bsf, m->pkt, eof, NULL, NULL);
    if (m->irec >= m->nrec)
        return AVERROR_EOF;
    av_packet_move_ref(m->pkt, m->rec[m->irec]);
    av_packet_free(&m->rec[m->irec]);
    m->irec++;
    return 0;
}

/* The scan read the main demuxer and kept nothing to store: open the file
 * again as it was (probed or not), for the main pass to read. */
static int reopen(imp *m, int probed)
{
    char eb[128];
    int index = m->st->index, r;
    const AVInputFormat *ifmt = m->fmt->iformat;
    rec_free(m);
    avformat_close_input(&m->fmt);
    m->st = NULL;
    m->consumed = 0;
    if ((r = avformat_open_input(&m->fmt, m->path, ifmt, NULL)) < 0)
        return fail(m, SYNAPT_E_INPUT, "%s", vid_averr(r, eb, sizeof eb));
    if (probed && (r = avformat_find_stream_info(m->fmt, NULL)) < 0)
        return fail(m, SYNAPT_E_INPUT, "reading stream info: %s", vid_averr(r, eb, sizeof eb));
    if ((unsigned)index >= m->fmt->nb_streams ||
        m->fmt->streams[index]->codecpar->codec_id != m->src.codec_id)
        return fail(m, SYNAPT_E_INPUT, "the file changed while it was read");
    m->st = m->fmt->streams[index];
    return 0;
}

/* avformat_find_stream_info on the main demuxer (before any packet is read) */
static int probe(imp *m)
{
    char eb[128];
    int r = avformat_find_stream_info(m->fmt, NULL);
    if (r < 0)
        return fail(m, SYNAPT_E_INPUT, "reading stream info: %s", vid_averr(r, eb, sizeof eb));
    return 0;
}

/* The first video stream that is not a cover picture. */
static AVStream *video_stream(const AVFormatContext *fmt)
{
    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        AVStream *s = fmt->streams[i];
        if (s->codecpar->codec_type == AVMEDIA_TYPE_VIDEO && !(s->disposition & AV_DISPOSITION_ATTACHED_PIC))
            return s;
    }
    return NULL;
}

/* Every stream but the imported one is skipped by the demuxer and named
 * in the log. Done after the probe, which reads them all. */
static void ignore_others(imp *m)
{
    for (unsigned i = 0; i < m->fmt->nb_streams; i++) {
        AVStream *s = m->fmt->streams[i];
        if (s == m->st)
            continue;
        s->discard = AVDISCARD_ALL;
        m->res->ignored_streams++;
        const char *type = av_get_media_type_string(s->codecpar->codec_type);
        say(m, 1, "%s: ignoring stream #%u (%s %s)", m->path, i, type ? type : "data",
            avcodec_get_name(s->codecpar->codec_id));
    }
}

/* The source parameters as the demuxer (and the probe, once run) has them. */
static int src_from_codecpar(imp *m)
{
    const AVCodecParameters *cp = m->st->codecpar;
    vid_params *p = &m->src;
    p->codec_id = cp->codec_id;
    p->codec_tag = cp->codec_tag;
    p->coded_width = cp->width;
    p->coded_height = cp->height;
    p->par_format = cp->format;
    p->profile = cp->profile;
    p->level = cp->level;
    p->bits_per_coded_sample = cp->bits_per_coded_sample;
    p->bits_per_raw_sample = cp->bits_per_raw_sample;
    p->field_order = cp->field_order;
    p->color_range = cp->color_range;
    p->color_space = cp->color_space;
    p->color_primaries = cp->color_primaries;
    p->color_trc = cp->color_trc;
    p->chroma_location = cp->chroma_location;
    p->sar = cp->sample_aspect_ratio;
    p->video_delay = cp->video_delay;
    p->time_base = m->st->time_base;
    p->frame_rate = m->st->avg_frame_rate.num > 0 && m->st->avg_frame_rate.den > 0
                  ? m->st->avg_frame_rate : m->st->r_frame_rate;
    if (cp->extradata_size > (1 << 24))
        return fail(m, SYNAPT_E_LIMIT, "codec extradata of %d bytes", cp->extradata_size);
    return set_extradata(m, cp);
}

/* The stream to import and the source parameters as the demuxer has
 * them: "no video stream" when there is none. */
static int pick_stream(imp *m)
{
    if (!(m->st = video_stream(m->fmt))) {
        ignore_others(m);
        return fail(m, SYNAPT_E_INPUT, "no video stream");
    }
    m->res->src_codec = avcodec_get_name(m->st->codecpar->codec_id);
    return src_from_codecpar(m);
}

/* The file's start time in AV_TIME_BASE units: the demuxer's, or without
 * the probe (which sets it) the earliest stream start. */
static int64_t file_start(const AVFormatContext *fmt)
{
    if (fmt->start_time != AV_NOPTS_VALUE)
        return fmt->start_time;
    int64_t t = AV_NOPTS_VALUE;
    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        const AVStream *s = fmt->streams[i];
        if (s->start_time == AV_NOPTS_VALUE || s->time_base.den <= 0)
            continue;
        int64_t v = av_rescale_q(s->start_time, s->time_base, AV_TIME_BASE_Q);
        if (t == AV_NOPTS_VALUE || v < t)
            t = v;
    }
    return t;
}

int vid_import_run(const sy_mem *mem, synapt_video_import_result *res, const char *path,
                   const synapt_video_import_options *o, const vid_sink *sink,
                   char *err, size_t errsz)
{
    char eb[128];
    imp m;
    memset(&m, 0, sizeof m);
    memset(res, 0, sizeof *res);
    VID_FF_NEED_FORMAT(err, errsz);
    m.mem = mem;
    m.path = path;
    m.o = o;
    m.mode = o->mode;
    m.sink = sink;
    m.err = err;
    m.errsz = errsz;
    m.res = res;
    m.force_key = sink->force_key;
    int rc = 0, r;
    if (m.mode < 0 || m.mode > SYNAPT_VSTORE_RAW)
        return fail(&m, SYNAPT_E_INVALID_ARG, "unknown video mode %d", m.mode);
    if ((o->width == 0) != (o->height == 0))
        return fail(&m, SYNAPT_E_INVALID_ARG, "give both width and height");
    if (m.mode == SYNAPT_VSTORE_COPY && (o->width || o->short_side))
        return fail(&m, SYNAPT_E_INVALID_ARG, "resizing needs a re-encode mode, not copy");

    /* Copy mode may do without avformat_find_stream_info and its decode
     * (video_probe.c): decided from the SPS, and again once the packets
     * are scanned. It also takes the container from the file's first bytes
     * when they leave no doubt; --full-decode probes everything. */
    int lazy = m.mode == SYNAPT_VSTORE_COPY && !m.force_key && !(o->version >= 2 && o->full_decode);
    if ((r = avformat_open_input(&m.fmt, path, lazy ? vid_probe_container(path) : NULL, NULL)) < 0) {
        rc = fail(&m, SYNAPT_E_INPUT, "%s", vid_averr(r, eb, sizeof eb));
        goto done;
    }
    if (!lazy && (rc = probe(&m)) < 0)
        goto done;
    int probed = !lazy, headers = 0;
    if (!video_stream(m.fmt) && !probed) {
        if ((rc = probe(&m)) < 0)
            goto done;
        probed = 1;
    }
    if ((rc = pick_stream(&m)) < 0)
        goto done;
    if (!probed) {
        if ((headers = vid_probe_headers(&m.src, m.mem, m.fmt, m.st)) < 0) {
            rc = fail(&m, headers, "out of memory");
            goto done;
        }
        if (!headers) {
            if ((rc = probe(&m)) < 0)
                goto done;
            probed = 1;
            /* the probe may tell a stream's type only now (MPEG-TS) */
            if ((rc = pick_stream(&m)) < 0)
                goto done;
        }
    }
    {
        const AVCodecDescriptor *cd = avcodec_descriptor_get(m.src.codec_id);
        m.intra_only = cd && (cd->props & AV_CODEC_PROP_INTRA_ONLY);
    }
    if ((rc = prescan(&m, 1)) < 0)
        goto done;
    /* VP9: the fields of the first key frame, now that the scan read it */
    if (headers == 2)
        headers = m.scanned && vid_probe_vp9(&m.src, &m.vp9) ? 1 : -1;
    /* the scan read the main demuxer: its packets are the ones to store
     * when it kept them all and nothing below reads the file again */
    if (m.consumed && !(m.rec && m.scanned && (!headers || (headers == 1 && m.stable))) &&
        (rc = reopen(&m, probed)) < 0)
        goto done;
    if (headers && !(headers == 1 && m.scanned && m.stable)) {
        /* a packet may change what the SPS said, or the map needs the
         * decode: probe after all, and scan again if that tells otherwise */
        vid_params h = m.src;
        m.src.extradata = NULL; /* h keeps it for the comparison */
        m.src.extradata_size = 0;
        rc = probe(&m);
        if (!rc)
            rc = src_from_codecpar(&m);
        int same = !rc && vid_params_same(&h, &m.src);
        vid_params_free(&h);
        if (rc < 0)
            goto done;
        headers = 0;
        if (!same) {
            say(&m, 1, "%s: the probe's stream parameters differ from the headers'; scanning again", path);
            sy_free(m.mem, m.scan_map);
            sy_free(m.mem, m.scan_hash);
            m.scan_map = m.scan_hash = NULL;
            m.nscan = 0;
            if ((rc = prescan(&m, 0)) < 0)
                goto done;
        }
    }
    ignore_others(&m);
    if (headers)
        say(&m, 1, "%s: stream parameters from the headers and the container (no probe decode)", path);
    if (m.unpack) {
        /* the stored extradata is the filter's (it drops the packed
         * marker from DivX user data) */
        if (!(m.bsf = vid_unpacker(m.st))) {
            rc = fail(&m, SYNAPT_E_NOMEM, "out of memory");
            goto done;
        }
        if ((rc = set_extradata(&m, m.bsf->par_out)) < 0)
            goto done;
        m.src.unpacked = 1;
    }
    if (!m.scanned && (rc = vid_open_decoder(&m.dec, &m.src, o->threads, eb, sizeof eb)) < 0) {
        rc = fail(&m, rc, "%s", eb);
        goto done;
    }
    m.frm = av_frame_alloc();
    m.pkt = av_packet_alloc();
    if (!m.frm || !m.pkt) {
        rc = fail(&m, SYNAPT_E_NOMEM, "out of memory");
        goto done;
    }

    int eof = 0;
    for (;;) {
        r = next_packet(&m, &eof);
        if (r == AVERROR_EOF)
            break;
        if (m.bsf)
            m.pkt->stream_index = m.st->index;
        if (r < 0) {
            if (!m.started && m.nframes == 0) {
                /* the decode of what we have may still give frames: try */
                res->damaged = 1;
                break;
            }
            res->damaged = 1;
            break;
        }
        if (m.pkt->stream_index != m.st->index || m.pkt->size <= 0) {
            av_packet_unref(m.pkt);
            continue;
        }
        if ((size_t)m.pkt->size > VID_MAX_PACKET) {
            res->damaged = 1;
            av_packet_unref(m.pkt);
            break;
        }
        if ((rc = GROW(m.mem, m.spts, m.nspkt, m.cap_spkt)) < 0) {
            rc = fail(&m, rc, "more than %u packets", VID_MAX_PACKETS);
            goto done;
        }
        uint64_t index = m.nspkt;
        if (m.force_key)
            m.pkt->flags |= AV_PKT_FLAG_KEY;
        m.spts[m.nspkt++] = ts(m.pkt->pts);
        if (m.scanned) {
            rc = scanned_packet(&m, m.pkt, index);
            av_packet_unref(m.pkt);
            if (rc < 0)
                goto done;
            continue;
        }
        if (m.mode == SYNAPT_VSTORE_COPY) {
            if (m.started) {
                rc = store(&m, m.pkt->data, (size_t)m.pkt->size, ts(m.pkt->pts), ts(m.pkt->dts),
                           pkt_flags(m.pkt));
            } else {
                if (m.npend >= m.cap_pend) {
                    size_t nc = m.cap_pend ? m.cap_pend * 2 : 64;
                    AVPacket **np = sy_realloc(m.mem, m.pend, nc * sizeof *np);
                    if (!np) {
                        rc = fail(&m, SYNAPT_E_NOMEM, "out of memory");
                        goto done;
                    }
                    m.pend = np;
                    m.cap_pend = nc;
                }
                m.pend[m.npend] = av_packet_clone(m.pkt);
                if (!m.pend[m.npend]) {
                    rc = fail(&m, SYNAPT_E_NOMEM, "out of memory");
                    goto done;
                }
                m.npend++;
            }
            if (rc < 0)
                goto done;
        }
        rc = decode_packet(&m, m.pkt, index);
        av_packet_unref(m.pkt);
        if (rc < 0)
            goto done;
        if (!m.started && m.nspkt > 4096) {
            rc = fail(&m, SYNAPT_E_INPUT, "no decodable frame in the first 4096 packets");
            goto done;
        }
    }
    /* A file cut short often just ends (the demuxer sees EOF, not an error):
     * the container's announced length tells. */
    if (!res->damaged && m.st->nb_frames > 0 && m.nspkt < (uint64_t)m.st->nb_frames * 9 / 10)
        res->damaged = 1;
    if (!res->damaged && m.fmt->duration > 0 && m.nspkt > 0) {
        int64_t last = AV_NOPTS_VALUE;
        for (uint64_t k = 0; k < m.nspkt; k++)
            if (m.spts[k] != SYNAPT_PTS_NONE && (last == AV_NOPTS_VALUE || m.spts[k] > last))
                last = m.spts[k];
        if (last != AV_NOPTS_VALUE) {
            int64_t t0 = file_start(m.fmt);
            double start = t0 != AV_NOPTS_VALUE ? (double)t0 / AV_TIME_BASE : 0;
            double end = (double)last * av_q2d(m.st->time_base);
            double want = (double)m.fmt->duration / AV_TIME_BASE;
            /* demuxers differ on whether duration counts from the start
             * time (matroska: from 0), so only a short end by both counts */
            if (want > 2.0 && end - start < want * 0.9 - 0.5 && end < want * 0.9 - 0.5)
                res->damaged = 1;
        }
    }
    if (m.scanned) {
        uint64_t got = m.nspkt;
        if (got != m.nscan) {
            rc = fail(&m, SYNAPT_E_INPUT, "the file changed while it was read (%llu packets, then %llu)",
                      (unsigned long long)m.nscan, (unsigned long long)got);
            goto done;
        }
        /* one frame per packet, in the order the scan proved */
        sy_free(m.mem, m.out_pkt);
        m.out_pkt = m.scan_map;
        m.scan_map = NULL;
        m.nframes = m.cap_frames = got;
        res->frames = m.nframes;
    }
    if ((rc = finish(&m)) < 0)
        goto done;
    if (res->damaged)
        snprintf(err, errsz, "%s: warning: unreadable data after %llu frames; kept the frames decoded so far",
                 path, (unsigned long long)m.nframes);
    else if (res->decode_errors)
        snprintf(err, errsz, "%s: warning: the decoder rejected %llu packets (kept, as ffmpeg does)",
                 path, (unsigned long long)res->decode_errors);
done:
    if (rc < 0 && res->damaged && !m.started)
        rc = fail(&m, SYNAPT_E_INPUT, "unreadable before the first frame");
    for (size_t i = 0; i < m.npend; i++)
        av_packet_free(&m.pend[i]);
    sy_free(m.mem, m.pend);
    vid_encoder_free(m.enc);
    av_bsf_free(&m.bsf);
    avcodec_free_context(&m.dec);
    for (int k = 0; k < 4; k++)
        avcodec_free_context(&m.vs[k].dec);
    sy_free(m.mem, m.scan_map);
    sy_free(m.mem, m.scan_hash);
    rec_free(&m);
    sy_free(m.mem, m.ohash);
    sy_free(m.mem, m.fed);
    sy_free(m.mem, m.vck);
    sy_free(m.mem, m.hbuf);
    av_frame_free(&m.frm);
    av_packet_free(&m.pkt);
    avformat_close_input(&m.fmt);
    vid_params_free(&m.src);
    vid_params_free(&m.stored);
    sy_free(m.mem, m.spts);
    sy_free(m.mem, m.out_pkt);
    sy_free(m.mem, m.store_pts);
    sy_free(m.mem, m.store_key);
    if (rc < 0 && m.started)
        res->damaged = res->damaged; /* the sink holds a partial stream: caller decides */
    return rc;
}

/* ---- the writer as a sink ------------------------------------------------ */

typedef struct wsink {
    synapt_writer *w;
    const char *name;
    uint32_t stream;
    int writer_failed;          /* the writer's message already says why */
} wsink;

static int ws_begin(void *user, uint32_t *stream, int codec, const vid_params *p, const char *cfg)
{
    wsink *s = user;
    synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
    d.name = s->name;
    d.kind = SYNAPT_KIND_VIDEO;
    d.dtype = SYNAPT_DTYPE_NONE;
    d.codec = codec;
    d.ndim = 3;
    d.shape[0] = (uint64_t)p->height;
    d.shape[1] = (uint64_t)p->width;
    d.shape[2] = 3;
    if (p->frame_rate.num > 0 && p->frame_rate.den > 0) {
        d.fps_num = (uint32_t)p->frame_rate.num;
        d.fps_den = (uint32_t)p->frame_rate.den;
    }
    d.compression = SYNAPT_COMPRESSION_NONE;
    d.filter = SYNAPT_FILTER_NONE;
    d.extradata = p->extradata;
    d.extradata_size = p->extradata_size > 0 ? (size_t)p->extradata_size : 0;
    d.codec_config = cfg;
    int rc = synapt_writer_add_stream(&s->stream, s->w, &d);
    *stream = s->stream;
    s->writer_failed = rc < 0;
    return rc;
}

static int ws_packet(void *user, const uint8_t *data, size_t size, int64_t pts, int64_t dts, uint32_t flags)
{
    wsink *s = user;
    int rc = synapt_writer_write_packet(s->w, s->stream, data, size, pts, dts, flags);
    s->writer_failed = rc < 0;
    return rc;
}

static int ws_finish(void *user, uint32_t stream, uint64_t frames, const char *cfg)
{
    wsink *s = user;
    int rc = synapt_writer_set_video_info(s->w, stream, frames, cfg);
    s->writer_failed = rc < 0;
    return rc;
}

static const char *ws_errmsg(void *user)
{
    wsink *s = user;
    return synapt_writer_errmsg(s->w);
}

SYNAPT_API int synapt_video_import(synapt_video_import_result *out, synapt_writer *w,
                                   const char *path,
                                   const synapt_video_import_options *opts,
                                   char *errbuf, size_t errbuf_size)
{
    char local[16];
    sy_errbuf_use(&errbuf, &errbuf_size, local, sizeof local);
    synapt_video_import_options def = SYNAPT_VIDEO_IMPORT_OPTIONS_INIT;
    if (!opts)
        opts = &def;
    if (!w || !path || opts->version < 1) {
        snprintf(errbuf, errbuf_size, "synapt_video_import: bad arguments");
        return SYNAPT_E_INVALID_ARG;
    }
    synapt_video_import_result tmp;
    wsink s = { w, opts->stream_name ? opts->stream_name : "rgb", 0, 0 };
    vid_sink sink = { ws_begin, ws_packet, ws_finish, ws_errmsg, &s, 0 };
    char msg[SY_MSG_MAX] = ""; /* stays empty on a success without warnings */
    int rc = vid_import_run(sy_writer_mem(w), out ? out : &tmp, path, opts, &sink, msg, sizeof msg);
    sy_errbuf_set(errbuf, errbuf_size, msg);
    /* the writer's message too, as for every other call on it; an input
     * problem does not poison the writer */
    if (rc < 0 && !s.writer_failed)
        sy_writer_note(w, rc, msg);
    return rc;
}
