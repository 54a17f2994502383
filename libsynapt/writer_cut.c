/* writer_cut.c - one stream of a source clip, cut to a frame window, into
 * the open clip of a writer (synapt_writer_copy_clip_frames()).
 *
 * Array streams are read and written again: a chunk boundary rarely falls
 * on the window's edges and their frames are independent, so the cost is
 * recompression only. Encoded video is never re-encoded: a window that does
 * not begin at a start point keeps the packets from the last start point
 * before it, flagged DISCARD where their frame lies outside the window
 * (spec/video-ffmpeg.md sections 1-4 already give those packets a meaning:
 * decoded for their references, not output). The result decodes to exactly
 * the window's frames, bit for bit, and costs at most one GOP of extra
 * bytes per clip. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "writer_internal.h"
#include "video_internal.h"

/* Largest batch of array frames read and written in one go. */
#define CUT_BATCH_BYTES (16u << 20)

static int src_fail(synapt_writer *w, const synapt_reader *src, int rc)
{
    return sy_wpoison(w, rc, "cutting from %s", synapt_reader_errmsg(src));
}

void synapt_writer_set_label_rename(synapt_writer *w, synapt_label_rename_fn fn, void *ctx)
{
    if (!w) return;
    w->relabel = fn;
    w->relabel_ctx = ctx;
}

int sy_writer_relabel(synapt_writer *w, const synapt_reader *src, const char *clip_id, const char *stream,
                      int32_t *v, size_t n, int *changed)
{
    /* consecutive frames mostly repeat a label: remember the last lookup */
    int32_t last_in = -1, last_out = -1;
    for (size_t i = 0; i < n; i++) {
        int32_t x = v[i];
        if (x < 0) continue;
        if (x != last_in) {
            const char *name = synapt_reader_label_name(src, (uint32_t)x);
            if (!name)
                return sy_werr(w, SYNAPT_E_CORRUPT, "copying from %s: clip %s stream %s: frame label %ld is "
                               "outside the file's %llu labels", synapt_reader_path(src), clip_id, stream,
                               (long)x, (unsigned long long)synapt_reader_label_count(src));
            const char *to = w->relabel ? w->relabel(w->relabel_ctx, name) : name;
            uint32_t id = 0;
            int rc = to ? synapt_writer_add_label(&id, w, to) : 0;
            if (rc) return rc;
            last_in = x;
            last_out = to ? (int32_t)id : -1;
        }
        if (last_out != x) *changed = 1;
        v[i] = last_out;
    }
    return 0;
}

/* Array streams (codec RAW): frames [a, b), chunk by chunk of the source;
 * frame_labels values are translated into this writer's vocabulary. */
static int cut_array(synapt_writer *w, uint32_t out, const synapt_reader *src, uint64_t clip,
                     const synapt_stream_info *st, uint64_t a, uint64_t b)
{
    int relabel = st->kind == SYNAPT_KIND_FRAME_LABELS && st->dtype == SYNAPT_DTYPE_I32;
    synapt_clip_info ci;
    if (relabel && synapt_reader_clip(&ci, src, clip)) ci.id = "?";
    const sy_mem *m = &w->mem;
    int pose = st->kind == SYNAPT_KIND_POSE2D || st->kind == SYNAPT_KIND_POSE3D;
    uint64_t per_person = pose ? st->shape[1] * st->shape[2] * sizeof(float) : 0;
    uint8_t *buf = NULL;
    size_t cap = 0;
    synapt_frame_entry *ent = NULL;
    int64_t *pts = NULL;
    size_t ecap = 0;
    int rc = 0;
    for (uint64_t t = a; t < b && !rc;) {
        uint64_t k;
        synapt_chunk_info ki;
        if ((rc = synapt_reader_find_chunk(&k, src, clip, st->index, t)) ||
            (rc = synapt_reader_chunk(&ki, src, clip, st->index, k))) {
            rc = src_fail(w, src, rc);
            break;
        }
        uint64_t end = ki.first_frame + ki.frame_count < b ? ki.first_frame + ki.frame_count : b;
        uint64_t n = end - t;
        if (n > ecap) {
            synapt_frame_entry *ne = sy_realloc(m, ent, (size_t)n * sizeof *ent);
            int64_t *np = ne ? sy_realloc(m, pts, (size_t)n * sizeof *pts) : NULL;
            if (ne) ent = ne;
            if (np) pts = np;
            if (!ne || !np) { rc = sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory"); break; }
            ecap = (size_t)n;
        }
        if ((rc = synapt_reader_frame_entries(ent, src, clip, st->index, t, n))) { rc = src_fail(w, src, rc); break; }
        /* a batch holds whole frames and stays under CUT_BATCH_BYTES unless
         * one frame alone is larger */
        uint64_t bytes = 0, nb = 0;
        while (nb < n && (nb == 0 || bytes + ent[nb].size <= CUT_BATCH_BYTES)) bytes += ent[nb++].size;
        if (bytes > cap) {
            uint8_t *nbuf = sy_realloc(m, buf, (size_t)bytes);
            if (!nbuf) { rc = sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory"); break; }
            buf = nbuf;
            cap = (size_t)bytes;
        }
        size_t got = 0;
        if ((rc = synapt_reader_read_packets(src, clip, st->index, t, nb, buf, cap, &got))) {
            rc = src_fail(w, src, rc);
            break;
        }
        for (uint64_t i = 0; i < nb; i++) pts[i] = st->has_pts ? ent[i].pts : SYNAPT_PTS_NONE;
        if (pose) {
            size_t off = 0;
            for (uint64_t i = 0; i < nb && !rc; i++) {
                if (!per_person || ent[i].size % per_person) {
                    rc = sy_wpoison(w, SYNAPT_E_CORRUPT, "cutting from %s: clip %llu stream %s frame %llu: "
                                    "%llu bytes is not a whole number of persons", synapt_reader_path(src),
                                    (unsigned long long)clip, st->name, (unsigned long long)(t + i),
                                    (unsigned long long)ent[i].size);
                    break;
                }
                uint32_t persons = (uint32_t)(ent[i].size / per_person);
                rc = synapt_writer_write_pose(w, out, persons ? (const float *)(buf + off) : NULL, persons, pts[i]);
                off += (size_t)ent[i].size;
            }
        } else {
            int changed = 0;
            if (relabel && got % sizeof(int32_t) == 0 &&
                (rc = sy_writer_relabel(w, src, ci.id, st->name, (int32_t *)buf, got / sizeof(int32_t), &changed))) {
                w->rc = rc; /* the message is set; a half-written stream cannot be finished */
                break;
            }
            rc = synapt_writer_write_frames(w, out, buf, got, nb, st->has_pts ? pts : NULL);
        }
        if (rc && !w->rc) rc = sy_wpoison(w, rc, "cutting clip %llu stream %s: %s", (unsigned long long)clip,
                                          st->name, w->msg);
        t += nb;
    }
    sy_free(m, buf);
    sy_free(m, ent);
    sy_free(m, pts);
    return rc;
}

/* Copy packets [k, e] of a packet stream, adding DISCARD to those whose
 * frame (per pkt_out, NULL: packet q is frame q) falls outside [a, b). */
static int copy_packets(synapt_writer *w, uint32_t out, const synapt_reader *src, uint64_t clip,
                        const synapt_stream_info *st, uint64_t k, uint64_t e, const int64_t *pkt_out,
                        uint64_t a, uint64_t b)
{
    const sy_mem *m = &w->mem;
    sy_packets pk = { 0 };
    synapt_frame_entry *fes = sy_malloc(m, (size_t)(e + 1 - k) * sizeof *fes);
    if (!fes) return sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    int rc = synapt_reader_frame_entries(fes, src, clip, st->index, k, e + 1 - k);
    if (rc) rc = src_fail(w, src, rc);
    for (uint64_t q = k; q <= e && !rc; q++) {
        if (!pk.count || q < pk.first || q >= pk.first + pk.count) {
            if ((rc = sy_reader_load_packets(&pk, src, clip, st->index, q))) { rc = src_fail(w, src, rc); break; }
        }
        const synapt_frame_entry fe = fes[q - k];
        size_t i = (size_t)(q - pk.first);
        int64_t f = pkt_out ? pkt_out[q] : (int64_t)q;
        uint32_t flags = pk.flags[i] & (SYNAPT_FRAME_KEY | SYNAPT_FRAME_DISCARD);
        if (f >= 0 && ((uint64_t)f < a || (uint64_t)f >= b)) flags |= SYNAPT_FRAME_DISCARD;
        rc = synapt_writer_write_packet(w, out, pk.data + pk.off[i], pk.size[i],
                                        (fe.flags & SYNAPT_FRAME_HAS_PTS) ? fe.pts : SYNAPT_PTS_NONE, fe.dts, flags);
        if (rc && !w->rc) rc = sy_wpoison(w, rc, "cutting clip %llu stream %s: %s", (unsigned long long)clip,
                                          st->name, w->msg);
    }
    sy_packets_free(src, &pk);
    sy_free(m, fes);
    return rc;
}

/* The renumbered map of the window [a, b) decoded from start point j up to
 * packet e (spec/video-ffmpeg.md sections 3 and 4). */
static int cut_map(vid_map *nm, const vid_map *m, uint64_t j, uint64_t e, uint64_t a, uint64_t b)
{
    uint64_t k = m->sync_pkt[j];
    nm->npkt = e + 1 - k;
    nm->nframes = b - a;
    nm->out_pkt = sy_malloc(nm->mem, (size_t)(nm->nframes ? nm->nframes : 1) * sizeof *nm->out_pkt);
    nm->pkt_out = sy_malloc(nm->mem, (size_t)nm->npkt * sizeof *nm->pkt_out);
    nm->sync_pkt = sy_malloc(nm->mem, (size_t)(m->nsync - j) * sizeof *nm->sync_pkt);
    nm->sync_out = sy_malloc(nm->mem, (size_t)(m->nsync - j) * sizeof *nm->sync_out);
    if (!nm->out_pkt || !nm->pkt_out || !nm->sync_pkt || !nm->sync_out) return SYNAPT_E_NOMEM;
    for (uint64_t q = 0; q < nm->npkt; q++) nm->pkt_out[q] = -1;
    for (uint64_t i = 0; i < nm->nframes; i++) {
        nm->out_pkt[i] = m->out_pkt[a + i] - k;
        nm->pkt_out[nm->out_pkt[i]] = (int64_t)i;
    }
    /* A start point [k2, o2] promises the frames at or after o2 whose packet
     * is at or after k2; in the cut those are the frames from o2 - a on (all
     * of them when o2 <= a). Start points past e have no packet left. */
    nm->nsync = 0;
    for (uint64_t s = j; s < m->nsync && m->sync_pkt[s] <= e; s++) {
        uint64_t o = m->sync_out[s] > a ? m->sync_out[s] - a : 0;
        nm->sync_pkt[nm->nsync] = m->sync_pkt[s] - k;
        nm->sync_out[nm->nsync] = o < nm->nframes ? o : nm->nframes;
        nm->nsync++;
    }
    return 0;
}

/* Encoded video (synapt-video/1): the packets frames [a, b) need. */
static int cut_video(synapt_writer *w, synapt_stream_desc *d, const synapt_reader *src, uint64_t clip,
                     const synapt_stream_info *st, uint64_t a, uint64_t b)
{
    const sy_mem *m = &w->mem;
    vid_params p;
    vid_map map, nm;
    int mode = 0;
    char rp[32], err[256];
    char *cfg = NULL;
    memset(&nm, 0, sizeof nm);
    nm.mem = m;
    int rc = vid_config_parse(m, &p, &map, &mode, rp, sizeof rp, st->codec_config, st->extradata,
                              st->extradata_size, st->packet_count, err, sizeof err);
    if (rc) {
        rc = sy_wpoison(w, rc, "cutting from %s: clip %llu stream %s: %s", synapt_reader_path(src),
                        (unsigned long long)clip, st->name, err);
        goto done;
    }
    if (b > map.nframes) b = map.nframes;
    if (a > b) a = b;
    uint64_t j = 0, e = 0, first_pkt = 0;
    int64_t first_pts = SYNAPT_PTS_NONE;
    if (a < b) {
        uint64_t lo = UINT64_MAX;
        for (uint64_t i = a; i < b; i++) {
            if (map.out_pkt[i] < lo) lo = map.out_pkt[i];
            if (map.out_pkt[i] > e) e = map.out_pkt[i];
        }
        /* the reader's own choice (section 4): the last start point at or
         * before the window's first frame and its earliest packet */
        for (j = map.nsync - 1; j > 0 && (map.sync_out[j] > a || map.sync_pkt[j] > lo); j--) {}
        synapt_frame_entry fe;
        first_pkt = map.out_pkt[a];
        if ((rc = synapt_reader_frame_entries(&fe, src, clip, st->index, first_pkt, 1))) {
            rc = src_fail(w, src, rc);
            goto done;
        }
        if (fe.flags & SYNAPT_FRAME_HAS_PTS) first_pts = fe.pts;
        if ((rc = cut_map(&nm, &map, j, e, a, b))) { rc = sy_wpoison(w, rc, "out of memory"); goto done; }
    } else {
        /* nothing of this stream lies in the window: an empty stream */
        nm.sync_pkt = sy_malloc(m, sizeof *nm.sync_pkt);
        nm.sync_out = sy_malloc(m, sizeof *nm.sync_out);
        if (!nm.sync_pkt || !nm.sync_out) { rc = sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory"); goto done; }
        nm.sync_pkt[0] = nm.sync_out[0] = 0;
        nm.nsync = 1;
    }
    if (!(cfg = vid_config_build(m, &p, &nm, mode, first_pts, rp))) {
        rc = sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory");
        goto done;
    }
    d->codec_config = cfg;
    uint32_t out;
    if ((rc = synapt_writer_add_stream(&out, w, d))) {
        if (!w->rc) rc = sy_wpoison(w, rc, "cutting clip %llu stream %s: %s", (unsigned long long)clip, st->name, w->msg);
        goto done;
    }
    if (a < b && (rc = copy_packets(w, out, src, clip, st, map.sync_pkt[j], e, map.pkt_out, a, b))) goto done;
    rc = synapt_writer_set_video_info(w, out, b - a, NULL);
    if (rc && !w->rc) rc = sy_wpoison(w, rc, "cutting clip %llu stream %s: %s", (unsigned long long)clip, st->name, w->msg);
done:
    sy_free(m, cfg);
    vid_params_free(&p);
    vid_map_free(&map);
    vid_map_free(&nm);
    return rc;
}

int sy_writer_cut_stream(synapt_writer *w, synapt_stream_desc *d, const synapt_reader *src, uint64_t clip,
                         const synapt_stream_info *st, uint64_t a, uint64_t b)
{
    if (b > st->frame_count) b = st->frame_count;
    if (a > b) a = b;
    if (st->kind == SYNAPT_KIND_VIDEO && st->codec != SYNAPT_CODEC_RAW && st->codec_config && *st->codec_config)
        return cut_video(w, d, src, clip, st, a, b);
    uint32_t out;
    int rc = synapt_writer_add_stream(&out, w, d);
    if (rc) {
        if (!w->rc) rc = sy_wpoison(w, rc, "cutting clip %llu stream %s: %s", (unsigned long long)clip, st->name, w->msg);
        return rc;
    }
    if (st->codec == SYNAPT_CODEC_RAW) return a < b ? cut_array(w, out, src, clip, st, a, b) : 0;
    /* packets without a video profile: one packet per frame */
    return a < b ? copy_packets(w, out, src, clip, st, a, b - 1, NULL, a, b) : 0;
}
