/* video_prescan.c - copy mode without decoding: read the source's packets
 * once more, without a decoder, and let the header scan (video_scan.c)
 * prove the frame map; for MPEG-4 Part 2 with B-VOPs, decide whether the
 * packets are stored through FFmpeg's mpeg4_unpack_bframes filter
 * (spec/video-ffmpeg.md, sections 4 and 6.1). video_import.c runs this
 * before its main pass and checks every packet it stores against the
 * hashes taken here. */
#include <stdio.h>
#include <string.h>

#include <libavcodec/bsf.h>
#include <xxhash.h>

#include "internal.h"
#include "video_internal.h"

typedef struct pctx {
    const sy_mem *mem;
    const char *path;
    const AVFormatContext *fmt;   /* the main pass's demuxer */
    const AVStream *st;           /* its video stream */
    const vid_params *src;
    char *err;
    size_t errsz;
    /* what the pass found */
    uint64_t *scan_map, *scan_hash, nscan;
    int stable;
    vid_vp9_info vp9;
    /* reading the main pass's demuxer instead of one of its own: its
     * packets kept for the main pass while they fit */
    AVFormatContext *main;
    AVPacket **rec;
    uint64_t nrec;
    AVPacket **raw;               /* the first pass's packets, for the unpacking pass */
    uint64_t nraw;
    size_t rec_bytes;
    int consumed;                 /* main has been read */
} pctx;

/* What a scan of the main pass's demuxer keeps for that pass to store:
 * short clips, the common case, are read once. */
#define KEEP_BYTES   (2u << 20)
#define KEEP_PACKETS 8192u

void vid_packets_free(const sy_mem *mem, AVPacket ***v, uint64_t from, uint64_t n)
{
    for (uint64_t i = from; *v && i < n; i++)
        av_packet_free(&(*v)[i]);
    sy_free(mem, *v);
    *v = NULL;
}

static void rec_drop(pctx *m)
{
    vid_packets_free(m->mem, &m->rec, 0, m->nrec);
    m->nrec = 0;
}

static void raw_drop(pctx *m)
{
    vid_packets_free(m->mem, &m->raw, 0, m->nraw);
    m->nraw = 0;
}

/* As vid_next_packet through bsf, the packets taken from m->raw. */
static int raw_next(pctx *m, uint64_t *i, AVBSFContext *bsf, AVPacket *p, int *eof, const vid_scan *sc,
                    int *in_frames)
{
    for (;;) {
        int r = av_bsf_receive_packet(bsf, p);
        if (r != AVERROR(EAGAIN))
            return r;
        if (*eof)
            return AVERROR_EOF;
        if (*i >= m->nraw) {
            *eof = 1;
            av_bsf_send_packet(bsf, NULL);
            continue;
        }
        if ((r = av_packet_ref(p, m->raw[(*i)++])) < 0)
            return r;
        int vops;
        *in_frames = vid_scan_m4v_frames(sc, p->data, (size_t)p->size, &vops);
        p->stream_index = 0;
        if ((r = av_bsf_send_packet(bsf, p)) < 0) {
            av_packet_unref(p);
            return r;
        }
    }
}

/* Keep p (its reference moves) while the budget allows; past it, drop
 * what was kept: the main pass then reads the file again. */
static void rec_keep(pctx *m, AVPacket *p, int *keeping)
{
    if (!*keeping)
        return;
    if (m->nrec >= KEEP_PACKETS || m->rec_bytes + (size_t)p->size > KEEP_BYTES) {
        rec_drop(m);
        *keeping = 0;
        return;
    }
    if (!m->rec && !(m->rec = sy_calloc(m->mem, KEEP_PACKETS * sizeof *m->rec))) {
        *keeping = 0;
        return;
    }
    AVPacket *q = av_packet_alloc();
    if (!q) {
        rec_drop(m);
        *keeping = 0;
        return;
    }
    av_packet_move_ref(q, p);
    m->rec[m->nrec++] = q;
    m->rec_bytes += (size_t)q->size;
}

static int pfail(pctx *m, int rc, const char *what)
{
    snprintf(m->err, m->errsz, "%s", what);
    return rc;
}

static int64_t ts(int64_t v) { return v == AV_NOPTS_VALUE ? SYNAPT_PTS_NONE : v; }

static int grow_hash(pctx *m, uint64_t n, uint64_t *cap)
{
    if (n < *cap)
        return 0;
    uint64_t nc = *cap ? *cap * 2 : 256;
    if (nc > VID_MAX_PACKETS)
        return SYNAPT_E_LIMIT;
    uint64_t *q = sy_realloc(m->mem, m->scan_hash, nc * sizeof *q);
    if (!q)
        return SYNAPT_E_NOMEM;
    m->scan_hash = q;
    *cap = nc;
    return 0;
}

uint64_t vid_pkt_hash(const AVPacket *p)
{
    return XXH3_64bits(p->data, (size_t)p->size) ^ ((uint64_t)(uint32_t)p->size << 32) ^
           (uint64_t)(p->flags & (AV_PKT_FLAG_KEY | AV_PKT_FLAG_DISCARD)) ^
           ((uint64_t)p->pts * 0x9E3779B97F4A7C15ull);
}

/* Containers whose demuxers store whole frames as packets, without a
 * parser in between. */
static int plain_container(const AVFormatContext *fmt)
{
    const char *n = fmt->iformat ? fmt->iformat->name : "";
    return !strcmp(n, "mov,mp4,m4a,3gp,3g2,mj2") || !strcmp(n, "matroska,webm") || !strcmp(n, "avi");
}

/* DivX-style packed B-frames (MPEG-4 Part 2 in AVI: a P-VOP and the B-VOP
 * shown before it in one packet, a not-coded placeholder VOP in the next)
 * defeat both the scan and skipping at read time. FFmpeg's lossless
 * mpeg4_unpack_bframes filter moves each B-VOP into its placeholder's
 * packet: one VOP per packet, the same frames. NULL when FFmpeg lacks it. */
AVBSFContext *vid_unpacker(const AVStream *st)
{
    const AVBitStreamFilter *f = av_bsf_get_by_name("mpeg4_unpack_bframes");
    AVBSFContext *b = NULL;
    if (!f || av_bsf_alloc(f, &b) < 0)
        return NULL;
    b->time_base_in = st->time_base;
    if (avcodec_parameters_copy(b->par_in, st->codecpar) < 0 || av_bsf_init(b) < 0)
        av_bsf_free(&b);
    return b;
}

int vid_next_packet(AVFormatContext *fmt, int si, AVBSFContext *bsf, AVPacket *p, int *eof,
                    const vid_scan *sc, int *in_frames)
{
    for (;;) {
        if (bsf) {
            int r = av_bsf_receive_packet(bsf, p);
            if (r != AVERROR(EAGAIN))
                return r;
            if (*eof)
                return AVERROR_EOF;
        }
        int r = av_read_frame(fmt, p);
        if (r == AVERROR_EOF && bsf) {
            *eof = 1;
            av_bsf_send_packet(bsf, NULL);
            continue;
        }
        if (r < 0)
            return r;
        if (p->stream_index != si || p->size <= 0) {
            av_packet_unref(p);
            continue;
        }
        if (!bsf)
            return 0;
        if (in_frames) {
            int vops;
            *in_frames = vid_scan_m4v_frames(sc, p->data, (size_t)p->size, &vops);
        }
        p->stream_index = 0;
        if ((r = av_bsf_send_packet(bsf, p)) < 0) {
            av_packet_unref(p);
            return r;
        }
    }
}

/* Copy mode: read the file once without decoding and let the scanner prove
 * the frame map (video_scan.c). A second demuxer of its own does the read,
 * opened exactly as the main one, so the main pass is untouched when the
 * scan gives up. With unpack, the packets go through the unpacker first;
 * *unpack_ok then says whether every packet it gave holds one coded VOP
 * and they are as many as the frames the source decodes to. *packed
 * (without unpack): 2 when the scan stopped at a packet of two VOPs, 1
 * when it saw B-VOPs, each in a packet of its own. 1 when proven, 0 when
 * the stream must be decoded, <0 on error. */
static int prescan_pass(pctx *m, int unpack, int *packed, int *unpack_ok, char *why, size_t whysz)
{
    *packed = *unpack_ok = 0;
    snprintf(why, whysz, "the scan did not run");
    vid_scan *sc = NULL;
    int rc = vid_scan_create(&sc, m->mem, m->src);
    if (rc < 0)
        return pfail(m, rc, "out of memory");
    if (!sc) {
        snprintf(why, whysz, "no header scan for %s", avcodec_get_name(m->src->codec_id));
        return 0;
    }
    AVFormatContext *fmt = NULL;
    AVBSFContext *bsf = NULL;
    AVPacket *p = av_packet_alloc();
    uint64_t n = 0, cap = 0, src_frames = 0;
    int proven = 0, eof = 0, in_frames = 0, last_in = 0, clean = unpack, complete = 0;
    /* the unpacking pass filters the first pass's packets when it kept them */
    int from_raw = unpack && m->raw;
    int own = !from_raw && (unpack || !m->main), keeping = !own;
    uint64_t iraw = 0;
    if (!p) {
        rc = pfail(m, SYNAPT_E_NOMEM, "out of memory");
        goto out;
    }
    if (!own) {
        fmt = m->main;
        m->consumed = 1;
    }
    /* avformat_find_stream_info decodes a few frames; the containers below
     * give the same packets without it (no parser reassembles them), so the
     * scan skips it there. Either way every packet is checked again in the
     * main pass. The demuxer is the one the main pass probed: probing again
     * would only find it again. */
    if (from_raw) {
        /* the main pass's stream: its unpacker is the one the copy would run */
        if (!(bsf = vid_unpacker(m->st)))
            goto out;
    } else {
        if ((own && avformat_open_input(&fmt, m->path, m->fmt->iformat, NULL) < 0) ||
            (own && !plain_container(m->fmt) && avformat_find_stream_info(fmt, NULL) < 0) ||
            (unsigned)m->st->index >= fmt->nb_streams ||
            fmt->streams[m->st->index]->codecpar->codec_id != m->src->codec_id)
            goto out;
        if (unpack && !(bsf = vid_unpacker(fmt->streams[m->st->index])))
            goto out;
        for (unsigned i = 0; i < fmt->nb_streams; i++)
            if ((int)i != m->st->index)
                fmt->streams[i]->discard = AVDISCARD_ALL;
    }
    for (;;) {
        in_frames = -1;
        int r = from_raw ? raw_next(m, &iraw, bsf, p, &eof, sc, &in_frames)
                         : vid_next_packet(fmt, m->st->index, bsf, p, &eof, sc, &in_frames);
        if (r == AVERROR_EOF) {
            complete = 1;
            break;
        }
        if (r < 0) {
            clean = 0;
            goto out; /* damaged: the decode path says what it kept */
        }
        if (bsf) {
            /* the unpacker gives one packet for each it takes */
            int vops = 0;
            if (in_frames < 0 || vid_scan_m4v_frames(sc, p->data, (size_t)p->size, &vops) != 1 || vops != 1)
                clean = 0;
            src_frames += in_frames > 0 ? (uint64_t)in_frames : 0;
            last_in = in_frames;
        }
        if ((size_t)p->size > VID_MAX_PACKET || n >= VID_MAX_PACKETS) {
            av_packet_unref(p);
            clean = 0;
            goto out;
        }
        if ((rc = grow_hash(m, n, &cap)) < 0) {
            av_packet_unref(p);
            rc = pfail(m, rc, "too many packets");
            goto out;
        }
        m->scan_hash[n++] = vid_pkt_hash(p);
        rc = vid_scan_packet(sc, p->data, (size_t)p->size, ts(p->pts), (p->flags & AV_PKT_FLAG_KEY) != 0,
                             (p->flags & AV_PKT_FLAG_DISCARD) != 0);
        rec_keep(m, p, &keeping);
        av_packet_unref(p);
        if (rc < 0) {
            rc = pfail(m, rc, "out of memory");
            goto out;
        }
        /* unpacking reads on: whether it is clean does not hang on the map;
         * so does a first pass that keeps packed B-frames for it */
        if (!vid_scan_ok(sc) && !bsf && !(keeping && vid_scan_packed(sc)))
            goto out;
    }
    /* libavcodec decodes a packed B-VOP when the next packet comes, so the
     * last packet's gives no frame, unpacked or not */
    if (last_in > 1)
        src_frames -= (uint64_t)last_in - 1;
    *unpack_ok = clean && n > 0 && src_frames == n;
    rc = vid_scan_finish(sc, &m->scan_map, n);
    if (rc < 0) {
        rc = pfail(m, rc, "out of memory");
        goto out;
    }
    proven = rc == 1;
    rc = 0;
    m->nscan = n;
out:
    /* a second pass through the unpacker: for packed B-frames, and for
     * B-VOPs already one to a packet (the filter then passes the packets
     * through, and the stream is marked so that readers may skip them) */
    *packed = unpack ? 0 : vid_scan_packed(sc) ? 2 : vid_scan_bvops(sc) ? 1 : 0;
    snprintf(why, whysz, "the scan found %s", vid_scan_why(sc));
    m->stable = vid_scan_stable(sc);
    if (!vid_scan_vp9_info(sc, &m->vp9))
        memset(&m->vp9, 0, sizeof m->vp9);
    vid_scan_free(sc);
    av_bsf_free(&bsf);
    av_packet_free(&p);
    if (own)
        avformat_close_input(&fmt);
    else if (!keeping || !(proven || (complete && *packed)))
        rec_drop(m); /* the main pass reads the file again */
    if (rc < 0)
        return rc;
    return proven;
}

int vid_prescan_run(vid_prescan *ps, const sy_mem *mem, const char *path, AVFormatContext *fmt,
                    const AVStream *st, const vid_params *src, int full, int read_main, char *err, size_t errsz)
{
    memset(ps, 0, sizeof *ps);
    if (src->coded_width <= 0 || src->coded_height <= 0 ||
        (src->par_format < 0 && src->par_format != VID_FORMAT_LATER) ||
        (full && src->codec_id != AV_CODEC_ID_MPEG4))
        return 0;
    pctx c;
    memset(&c, 0, sizeof c);
    c.mem = mem;
    c.path = path;
    c.fmt = fmt;
    c.st = st;
    c.src = src;
    c.err = err;
    c.errsz = errsz;
    c.main = read_main && !full && plain_container(fmt) ? fmt : NULL;
    pctx *m = &c;
    char why[128], why2[128];
    int packed = 0, ok = 0, rc = prescan_pass(m, 0, &packed, &ok, why, sizeof why);
    const char *unp = packed == 2 ? ", B-frames unpacked" : ", B-frames one per packet (skippable)";
    if (rc >= 0 && packed) {
        /* a second pass through the unpacker: for packed B-frames, and for
         * B-VOPs already one to a packet (the filter passes those through,
         * and the stream is marked so that readers may skip them); the
         * first pass's proof stays when the unpacked packets do not hold */
        uint64_t *map1 = m->scan_map, *hash1 = m->scan_hash, n1 = m->nscan;
        int rc1 = rc;
        m->scan_map = m->scan_hash = NULL;
        m->nscan = 0;
        /* the first pass's packets, kept whole, go through the unpacker
         * instead of a second read; what it gives is kept in turn */
        m->raw = m->rec;
        m->nraw = m->nrec;
        m->rec = NULL;
        m->nrec = 0;
        rc = prescan_pass(m, 1, &packed, &ok, why2, sizeof why2);
        ps->unpack = rc >= 0 && ok;
        if (rc >= 0 && !ok) {
            sy_free(mem, m->scan_map);
            sy_free(mem, m->scan_hash);
            m->scan_map = map1;
            m->scan_hash = hash1;
            m->nscan = n1;
            rc = rc1;
            /* the packets stored are then the first pass's */
            rec_drop(m);
            if (rc1 == 1) {
                m->rec = m->raw;
                m->nrec = m->nraw;
                m->raw = NULL;
                m->nraw = 0;
            }
        } else {
            sy_free(mem, map1);
            sy_free(mem, hash1);
            memcpy(why, why2, sizeof why);
        }
    }
    if (rc >= 0) {
        if (!ps->unpack)
            unp = "";
        if (full)
            snprintf(ps->line, sizeof ps->line, "frame map by decoding (full decode)%s", unp);
        else if (rc == 1)
            snprintf(ps->line, sizeof ps->line, "frame map from a scan of the packet headers%s (no decode)", unp);
        else
            snprintf(ps->line, sizeof ps->line, "frame map by decoding%s (%s)", unp, why);
    }
    ps->scanned = rc == 1 && !full; /* with full, the scan decided the unpacking only */
    ps->stable = m->stable;
    ps->vp9 = m->vp9;
    ps->consumed = m->consumed;
    raw_drop(m);
    if (ps->scanned) {
        ps->rec = m->rec;
        ps->nrec = m->nrec;
        m->rec = NULL;
        m->nrec = 0;
    }
    rec_drop(m);
    ps->hash = m->scan_hash;
    ps->n = m->nscan;
    if (ps->scanned)
        ps->map = m->scan_map;
    else
        sy_free(mem, m->scan_map);
    if (rc < 0) {
        vid_prescan_free(ps, mem);
        return rc;
    }
    return 0;
}

void vid_prescan_free(vid_prescan *ps, const sy_mem *mem)
{
    vid_packets_free(mem, &ps->rec, 0, ps->nrec);
    ps->nrec = 0;
    sy_free(mem, ps->map);
    sy_free(mem, ps->hash);
    ps->map = ps->hash = NULL;
    ps->n = 0;
}
