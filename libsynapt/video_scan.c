/* video_scan.c - prove a copy-mode frame map from the bitstream alone.
 *
 * A copy-mode import must know which packet gives which displayed frame and
 * which keyframes are clean start points. Decoding every packet tells, but
 * costs as much as the decode of the whole video. For streams where the
 * answer follows from packet headers, this scanner finds it without decoding:
 *
 *   H.264: every packet one coded frame (no field pictures, no MVC/SVC, no
 *   data partitioning), the first packet an IDR, every flagged keyframe an
 *   IDR that keeps the pictures before it (no_output_of_prior_pics 0),
 *   picture order counts (POC types 0 and 2) that sort the frames exactly as
 *   the container's timestamps do, and a reorder depth the decoder is told
 *   before its first frame. The decoder then outputs one frame per packet in
 *   timestamp order and every IDR reproduces the sequential decode.
 *
 *   MJPEG: every packet one whole JPEG (SOI first, EOI in its tail); frames
 *   come out in packet order.
 *
 *   MPEG-4 Part 2 (Xvid, DivX) without B-frames: a VOL header in the
 *   extradata (so a decoder restarted at a keyframe has it), every packet
 *   one coded I- or P-VOP, the first an I-VOP and every flagged keyframe an
 *   I-VOP. Such a stream decodes with no delay, one frame per packet, in
 *   packet order. B-VOPs, packed B-frames, sprites (S-VOPs), not-coded
 *   VOPs (which give no frame) and VOL headers inside packets that differ
 *   from the extradata's make the import decode.
 *
 *   VP9: every packet (a frame, or a superframe of several) shows exactly
 *   one frame (show_frame or show_existing_frame), the first packet starts
 *   with a key frame, and every flagged keyframe starts with a key frame,
 *   which refreshes every reference. VP9 never reorders output, so frames
 *   come out in packet order.
 *
 * Anything the scanner does not understand makes the stream ineligible, and
 * the import decodes it as before. The scanner never decides a map that the
 * decode would give differently for a well-formed stream; it cannot see
 * damage inside slice data, which the decode path would report as decode
 * errors (synapt_video_import_options.full_decode keeps that check). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "video_scan_internal.h"

/* ---- H.264 parameter sets --------------------------------------------- */

static void skip_scaling_list(bits *b, int size)
{
    int last = 8, next = 8;
    for (int j = 0; j < size && !b->bad; j++) {
        if (next != 0) {
            int32_t d = se(b);
            if (d < -128 || d > 127) {
                b->bad = 1;
                return;
            }
            next = (last + d + 256) % 256;
        }
        last = next == 0 ? last : next;
    }
}

static void skip_hrd(bits *b)
{
    uint32_t cnt = ue(b) + 1;
    if (cnt > 32) {
        b->bad = 1;
        return;
    }
    bitn(b, 8); /* bit_rate_scale, cpb_size_scale */
    for (uint32_t i = 0; i < cnt && !b->bad; i++) {
        ue(b);
        ue(b);
        bit1(b);
    }
    bitn(b, 20); /* four 5-bit lengths */
}

/* Bits of an RBSP before its stop bit (what FFmpeg's readers count as
 * left to read). */
static size_t rbsp_bits(const uint8_t *rb, size_t n)
{
    while (n > 0 && rb[n - 1] == 0)
        n--;
    if (n == 0)
        return 0;
    unsigned v = rb[n - 1], tz = 0;
    while (!(v & 1)) {
        v >>= 1;
        tz++;
    }
    return 8 * n - tz - 1;
}

static int parse_sps(h264_sps *tab, const uint8_t *rb, size_t n, int *changed)
{
    bits b = { rb, n, 0, 0 };
    size_t payload = rbsp_bits(rb, n);
    h264_sps s;
    memset(&s, 0, sizeof s);
    vid_h264_info *in = &s.info;
    unsigned profile = bitn(&b, 8);
    in->profile_idc = profile;
    for (unsigned k = 0; k < 6; k++) /* constraint_set0..5, bit k = set k */
        in->constraints |= bit1(&b) << k;
    bitn(&b, 2);
    in->level_idc = bitn(&b, 8);
    uint32_t id = ue(&b);
    if (b.bad || id >= MAX_SPS)
        return -1;
    in->chroma_format_idc = 1;
    in->bit_depth_luma = in->bit_depth_chroma = 8;
    if (profile == 100 || profile == 110 || profile == 122 || profile == 244 || profile == 44 ||
        profile == 83 || profile == 86 || profile == 118 || profile == 128 || profile == 138 ||
        profile == 139 || profile == 134 || profile == 135) {
        uint32_t chroma = ue(&b);
        if (chroma > 3)
            return -1;
        in->chroma_format_idc = chroma;
        if (chroma == 3)
            s.separate_colour_plane = bit1(&b);
        in->bit_depth_luma = ue(&b) + 8;
        in->bit_depth_chroma = ue(&b) + 8;
        bit1(&b);
        if (bit1(&b)) /* seq_scaling_matrix_present */
            for (int i = 0; i < (chroma != 3 ? 8 : 12) && !b.bad; i++)
                if (bit1(&b))
                    skip_scaling_list(&b, i < 6 ? 16 : 64);
    }
    s.log2_max_frame_num = ue(&b) + 4;
    s.poc_type = ue(&b);
    if (s.log2_max_frame_num > 16 || s.poc_type > 2)
        return -1;
    if (s.poc_type == 0) {
        s.log2_max_poc_lsb = ue(&b) + 4;
        if (s.log2_max_poc_lsb > 16)
            return -1;
    } else if (s.poc_type == 1) {
        return -1; /* not scanned: the import decodes */
    }
    ue(&b); /* max_num_ref_frames */
    bit1(&b);
    uint32_t mbw = ue(&b) + 1, mbh = ue(&b) + 1; /* in macroblocks (pairs when not frame_mbs_only) */
    s.frame_mbs_only = bit1(&b);
    if (!s.frame_mbs_only)
        bit1(&b);
    bit1(&b); /* direct_8x8_inference */
    if (mbw < 1024 && mbh < 1024) {
        in->width = 16 * mbw;
        in->height = 16 * mbh * (2 - s.frame_mbs_only);
    }
    if (bit1(&b)) { /* frame_cropping, in chroma sample units */
        uint32_t cl = ue(&b), cr = ue(&b), ct = ue(&b), cb = ue(&b);
        unsigned sx = in->chroma_format_idc == 1 || in->chroma_format_idc == 2 ? 2 : 1;
        unsigned sy = (2 - s.frame_mbs_only) * (in->chroma_format_idc == 1 ? 2 : 1);
        if (cl > 4096 || cr > 4096 || ct > 4096 || cb > 4096 ||
            (cl + cr) * sx >= in->width || (ct + cb) * sy >= in->height) {
            in->width = in->height = 0;
        } else {
            in->width -= (cl + cr) * sx;
            in->height -= (ct + cb) * sy;
            in->crop_top_left = ct || cl;
        }
    }
    if (bit1(&b)) { /* vui_parameters_present */
        in->vui = 1;
        in->sar_den = 1;
        if (bit1(&b)) { /* aspect_ratio_info_present */
            in->aspect_idc = bitn(&b, 8);
            if (in->aspect_idc == 255) {
                in->sar_num = bitn(&b, 16);
                in->sar_den = bitn(&b, 16);
                if (!in->sar_den)
                    in->sar_den = 1;
            } else if (in->aspect_idc > 16) {
                in->odd = 1; /* FFmpeg refuses the SPS */
            }
        }
        if (bit1(&b)) /* overscan_info_present */
            bit1(&b);
        if ((in->video_signal = bit1(&b))) { /* video_signal_type_present */
            bitn(&b, 3);
            in->full_range = bit1(&b);
            if ((in->colour_description = bit1(&b))) {
                in->primaries = bitn(&b, 8);
                in->transfer = bitn(&b, 8);
                in->matrix = bitn(&b, 8);
            }
        }
        if ((in->chroma_loc_present = bit1(&b))) { /* chroma_loc_info_present */
            in->chroma_loc = ue(&b);
            ue(&b);
        }
        /* FFmpeg stops at a VUI this short: what follows stays unset */
        if (b.pos + 10 > payload && b.pos < 8 * n && (rb[b.pos >> 3] >> (7 - (b.pos & 7))) & 1)
            in->odd = 1;
        if (bit1(&b)) { /* timing_info_present */
            bitn(&b, 32);
            bitn(&b, 32);
            bit1(&b);
        }
        unsigned nal_hrd = bit1(&b);
        if (nal_hrd)
            skip_hrd(&b);
        unsigned vcl_hrd = bit1(&b);
        if (vcl_hrd)
            skip_hrd(&b);
        if (nal_hrd || vcl_hrd)
            bit1(&b); /* low_delay_hrd */
        in->pic_struct_present = bit1(&b);
        if (b.pos >= payload)
            in->odd = 1; /* no restriction flag: FFmpeg reads none */
        s.restriction = bit1(&b);
        if (s.restriction) {
            bit1(&b);
            ue(&b); ue(&b); ue(&b); ue(&b);
            s.num_reorder_frames = ue(&b);
            ue(&b); /* max_dec_frame_buffering */
            if (s.num_reorder_frames > 16)
                in->odd = 1;
        }
    }
    if (b.bad)
        return -1;
    if (b.pos > payload)
        in->odd = 1; /* read into the stop bit: FFmpeg calls it overread */
    in->restriction = s.restriction;
    in->num_reorder_frames = s.num_reorder_frames;
    in->frame_mbs_only = s.frame_mbs_only;
    in->poc_type = s.poc_type;
    s.valid = 1;
    *changed = !tab[id].valid || memcmp(&tab[id], &s, sizeof s) != 0;
    tab[id] = s;
    return 0;
}

static int parse_pps(h264_pps *tab, const h264_sps *sps, const uint8_t *rb, size_t n, int *changed)
{
    bits b = { rb, n, 0, 0 };
    uint32_t id = ue(&b), sid = ue(&b);
    if (b.bad || id >= MAX_PPS || sid >= MAX_SPS || !sps[sid].valid)
        return -1;
    h264_pps p;
    memset(&p, 0, sizeof p);
    p.sps_id = sid;
    bit1(&b); /* entropy_coding_mode */
    p.bottom_field_pic_order = bit1(&b);
    if (ue(&b) != 0) /* slice groups (FMO): not scanned */
        return -1;
    ue(&b); /* num_ref_idx defaults */
    ue(&b);
    bitn(&b, 3); /* weighted_pred, weighted_bipred_idc */
    se(&b); se(&b); se(&b);
    bitn(&b, 2); /* deblocking_filter_control, constrained_intra_pred */
    p.redundant_pic_cnt_present = bit1(&b);
    if (b.bad)
        return -1;
    p.valid = 1;
    *changed = !tab[id].valid || memcmp(&tab[id], &p, sizeof p) != 0;
    tab[id] = p;
    return 0;
}

/* ---- the scanner -------------------------------------------------------- */

static int nal_params(vid_scan *s, const uint8_t *nal, size_t n)
{
    unsigned type = nal[0] & 31;
    if (type != 7 && type != 8)
        return 0;
    /* parameter sets are small; a longer one is not scanned */
    if (n - 1 > sizeof s->rb - 8) {
        no(s, "an oversized parameter set");
        return -1;
    }
    size_t m = unescape(s->rb, sizeof s->rb, nal + 1, n - 1);
    int changed = 0;
    int rc = type == 7 ? parse_sps(s->sps, s->rb, m, &changed) : parse_pps(s->pps, s->sps, s->rb, m, &changed);
    if (s->in_extradata)
        s->extra_sps += type == 7;
    else if (changed)
        s->unstable = 1;
    if (rc < 0)
        no(s, type == 7 ? "an SPS it does not parse (POC type 1, or damaged)"
                        : "a PPS it does not parse (slice groups, or damaged)");
    return rc;
}

typedef struct pic {
    int count;        /* primary coded pictures started in the packet */
    int idr;
    int32_t poc;
    unsigned no_output_prior;
} pic;

static int nal_slice(vid_scan *s, const uint8_t *nal, size_t n, pic *pc)
{
    unsigned ref_idc = (nal[0] >> 5) & 3, type = nal[0] & 31;
    size_t m = unescape(s->rb, 64, nal + 1, n - 1);
    bits b = { s->rb, m, 0, 0 };
    uint32_t first_mb = ue(&b), slice_type = ue(&b), pps_id = ue(&b);
    if (b.bad || pps_id >= MAX_PPS || !s->pps[pps_id].valid || slice_type > 9) {
        no(s, "a slice header it cannot read");
        return -1;
    }
    const h264_pps *pp = &s->pps[pps_id];
    const h264_sps *sp = &s->sps[pp->sps_id];
    /* a B slice where the SPS says nothing is reordered: FFmpeg's demuxer
     * would raise its reorder depth while probing */
    if (slice_type % 5 == 1 && sp->restriction && sp->num_reorder_frames == 0)
        s->unstable = 1;
    if (first_mb != 0)
        return 0; /* a later slice of the same picture */
    if (sp->separate_colour_plane)
        bitn(&b, 2);
    uint32_t frame_num = bitn(&b, sp->log2_max_frame_num);
    (void)frame_num;
    if (!sp->frame_mbs_only && bit1(&b)) {
        no(s, "field pictures");
        return -1;
    }
    int idr = type == 5;
    if (idr)
        ue(&b);
    int32_t poc = 0;
    if (sp->poc_type == 0) {
        int32_t lsb = (int32_t)bitn(&b, sp->log2_max_poc_lsb), max = 1 << sp->log2_max_poc_lsb;
        int32_t bottom = 0;
        if (pp->bottom_field_pic_order)
            bottom = se(&b);
        if (idr)
            s->prev_msb = s->prev_lsb = 0;
        int64_t msb = s->prev_msb;
        if (lsb < s->prev_lsb && s->prev_lsb - lsb >= max / 2)
            msb += max;
        else if (lsb > s->prev_lsb && lsb - s->prev_lsb > max / 2)
            msb -= max;
        int64_t full = msb + lsb + (bottom < 0 ? bottom : 0);
        if (msb < INT32_MIN / 2 || msb > INT32_MAX / 2 || full < INT32_MIN / 2 || full > INT32_MAX / 2) {
            no(s, "a picture order count out of range");
            return -1;
        }
        poc = (int32_t)full;
        if (ref_idc) {
            s->prev_msb = (int32_t)msb;
            s->prev_lsb = lsb;
        }
    } else {
        /* type 2: output order is decode order; frame_num orders it */
        poc = 0;
    }
    if (idr) {
        if (pp->redundant_pic_cnt_present)
            ue(&b);
        unsigned st = slice_type % 5;
        if (st != 2 && st != 4) {
            no(s, "an IDR that is not intra-coded");
            return -1;
        }
        if (ref_idc)
            pc->no_output_prior = bit1(&b);
    }
    if (b.bad) {
        no(s, "a slice header it cannot read");
        return -1;
    }
    if (sp->restriction && sp->num_reorder_frames > s->need_reorder)
        s->need_reorder = sp->num_reorder_frames;
    pc->count++;
    pc->idr = idr;
    pc->poc = poc;
    return 0;
}

/* An escaped byte reader: RBSP bytes from a NAL payload without copying. */
typedef struct ebsp {
    const uint8_t *p;
    size_t n, i;
    unsigned zeros;
} ebsp;

static int ebsp_byte(ebsp *r)
{
    while (r->i < r->n) {
        uint8_t v = r->p[r->i++];
        if (r->zeros >= 2 && v == 3) {
            r->zeros = 0;
            continue;
        }
        r->zeros = v == 0 ? r->zeros + 1 : 0;
        return v;
    }
    return -1;
}

/* Whether an SEI NAL payload holds a message of type want (H.264 7.3.2.3:
 * type and size each a run of 0xFF bytes and a last byte). */
static int sei_has_payload(const uint8_t *d, size_t n, unsigned want)
{
    ebsp r = { d, n, 0, 0 };
    for (;;) {
        size_t type = 0, size = 0;
        int v;
        do {
            if ((v = ebsp_byte(&r)) < 0)
                return 0;
            type += (size_t)v;
        } while (v == 255);
        do {
            if ((v = ebsp_byte(&r)) < 0)
                return 0;
            size += (size_t)v;
        } while (v == 255);
        if (type == want)
            return 1;
        for (size_t k = 0; k < size; k++)
            if (ebsp_byte(&r) < 0)
                return 0;
    }
}

static int h264_nal(vid_scan *s, const uint8_t *nal, size_t n, pic *pc)
{
    if (n < 1 || (nal[0] & 0x80)) {
        no(s, "a damaged NAL unit");
        return -1;
    }
    unsigned type = nal[0] & 31;
    switch (type) {
    case 1:
    case 5:
        if (n < 2) {
            no(s, "an empty slice");
            return -1;
        }
        return nal_slice(s, nal, n, pc);
    case 6:
        if (!s->in_extradata && sei_has_payload(nal + 1, n - 1, 147))
            s->unstable = 1;
        return 0;
    case 7:
    case 8:
        return nal_params(s, nal, n);
    case 2: case 3: case 4:
        no(s, "data partitioning");
        return -1;
    case 14: case 15: case 20: case 21:
        no(s, "SVC/MVC layers");
        return -1;
    default:
        return 0; /* SEI, AUD, end of sequence, filler: no picture */
    }
}

/* Walk the NAL units of one packet (or of avcC/Annex B extradata). */
static int h264_walk(vid_scan *s, const uint8_t *d, size_t size, pic *pc, int avcc)
{
    if (avcc) {
        size_t i = 0;
        while (i < size) {
            if (size - i < s->nal_len) {
                no(s, "a NAL length past the packet");
                return -1;
            }
            size_t len = 0;
            for (unsigned k = 0; k < s->nal_len; k++)
                len = (len << 8) | d[i + k];
            i += s->nal_len;
            if (len == 0 || len > size - i) {
                no(s, "a NAL length past the packet");
                return -1;
            }
            if (h264_nal(s, d + i, len, pc) < 0)
                return -1;
            i += len;
        }
        return 0;
    }
    /* Annex B: units between 00 00 01 start codes */
    size_t i = 0, start = SIZE_MAX;
    while ((i = vid_find_start_code(d, size, i)) < size) {
        if (start != SIZE_MAX) {
            size_t end = i;
            while (end > start && d[end - 1] == 0)
                end--;
            if (end > start && h264_nal(s, d + start, end - start, pc) < 0)
                return -1;
        }
        i += 3;
        start = i;
    }
    if (start == SIZE_MAX) {
        no(s, "a packet without a start code");
        return -1;
    }
    if (size > start && h264_nal(s, d + start, size - start, pc) < 0)
        return -1;
    return 0;
}

static int h264_extradata(vid_scan *s, const uint8_t *x, size_t n)
{
    pic pc = { 0 };
    if (n >= 7 && x[0] == 1) {
        s->avcc = 1;
        s->nal_len = (x[4] & 3) + 1;
        if (s->nal_len == 3) {
            no(s, "a 3-byte NAL length");
            return -1;
        }
        size_t i = 5;
        for (int set = 0; set < 2; set++) {
            if (i >= n) {
                no(s, "short avcC extradata");
                return -1;
            }
            unsigned count = set == 0 ? (x[i] & 31) : x[i];
            i++;
            for (unsigned k = 0; k < count; k++) {
                if (n - i < 2) {
                    no(s, "short avcC extradata");
                    return -1;
                }
                size_t len = ((size_t)x[i] << 8) | x[i + 1];
                i += 2;
                if (len == 0 || len > n - i) {
                    no(s, "short avcC extradata");
                    return -1;
                }
                if (h264_nal(s, x + i, len, &pc) < 0)
                    return -1;
                i += len;
            }
        }
        return 0;
    }
    s->avcc = 0;
    if (n > 0 && h264_walk(s, x, n, &pc, 0) < 0)
        return -1;
    return 0;
}

int vid_scan_create(vid_scan **out, const sy_mem *mem, const vid_params *p)
{
    *out = NULL;
    int codec = p->codec_id == AV_CODEC_ID_H264 ? 1 : p->codec_id == AV_CODEC_ID_MJPEG ? 2
              : p->codec_id == AV_CODEC_ID_VP9 ? 3 : p->codec_id == AV_CODEC_ID_MPEG4 ? 4 : 0;
    if (!codec)
        return 0;
    vid_scan *s = sy_calloc(mem, sizeof *s);
    if (!s)
        return SYNAPT_E_NOMEM;
    s->mem = mem;
    s->codec = codec;
    s->ok = 1;
    s->video_delay = p->video_delay > 0 ? (unsigned)p->video_delay : 0;
    if (codec == 1 && p->extradata_size > 0) {
        s->in_extradata = 1;
        h264_extradata(s, p->extradata, (size_t)p->extradata_size);
        s->in_extradata = 0;
    }
    if (codec == 4)
        scan_m4v_extradata(s, p->extradata, p->extradata_size > 0 ? (size_t)p->extradata_size : 0);
    *out = s;
    return 0;
}

int vid_scan_h264_info(const vid_scan *s, vid_h264_info *out, int *no_bottom_poc)
{
    if (!s || s->codec != 1 || !s->ok || !s->avcc || s->extra_sps != 1)
        return 0;
    int id = -1;
    for (int i = 0; i < MAX_SPS; i++)
        if (s->sps[i].valid)
            id = i;
    if (id < 0)
        return 0;
    *no_bottom_poc = 1;
    int npps = 0;
    for (int i = 0; i < MAX_PPS; i++) {
        if (!s->pps[i].valid)
            continue;
        if ((int)s->pps[i].sps_id != id)
            return 0;
        if (s->pps[i].bottom_field_pic_order)
            *no_bottom_poc = 0;
        npps++;
    }
    if (!npps)
        return 0;
    *out = s->sps[id].info;
    return 1;
}

int vid_scan_stable(const vid_scan *s) { return s && (s->codec == 1 || s->codec == 3) && !s->unstable; }

int vid_scan_vp9_info(const vid_scan *s, vid_vp9_info *out)
{
    if (!s || s->codec != 3 || !s->vp9.valid)
        return 0;
    *out = s->vp9;
    return 1;
}

int vid_scan_ok(const vid_scan *s) { return s && s->ok; }
const char *vid_scan_why(const vid_scan *s) { return s && s->why ? s->why : "no scanner for the codec"; }

int vid_scan_packet(vid_scan *s, const uint8_t *data, size_t size, int64_t pts, int key, int discard)
{
    if (!s->ok)
        return 0;
    if (s->n >= s->cap) {
        uint64_t nc = s->cap ? s->cap * 2 : 256;
        int64_t *a = sy_realloc(s->mem, s->pts, nc * sizeof *a);
        if (a)
            s->pts = a;
        int64_t *b = a ? sy_realloc(s->mem, s->poc, nc * sizeof *b) : NULL;
        if (b)
            s->poc = b;
        uint64_t *c = b ? sy_realloc(s->mem, s->period, nc * sizeof *c) : NULL;
        if (c)
            s->period = c;
        uint8_t *k = c ? sy_realloc(s->mem, s->key, nc) : NULL;
        if (!k)
            return SYNAPT_E_NOMEM;
        s->key = k;
        s->cap = nc;
    }
    if (discard) {
        no(s, "packets marked to discard (an edit list)");
        return 0;
    }
    if (pts == SYNAPT_PTS_NONE && s->codec == 1) {
        no(s, "packets without a presentation time");
        return 0;
    }
    uint64_t i = s->n;
    s->pts[i] = pts;
    s->key[i] = (uint8_t)(key != 0);
    s->poc[i] = 0;
    s->period[i] = 0;
    /* clean: the packet's own frame starts a decode (IDR, key frame, I-VOP,
     * a JPEG); `noun` names what it must be for the messages below */
    int clean = 0;
    const char *noun = "";
    pic pc = { 0 };
    switch (s->codec) {
    case 1:
        if (h264_walk(s, data, size, &pc, s->avcc) < 0)
            return 0;
        if (pc.count != 1) {
            no(s, pc.count ? "a packet with more than one picture" : "a packet with no picture");
            return 0;
        }
        clean = pc.idr;
        noun = "IDR";
        break;
    case 2:
        if (!scan_mjpeg_packet(data, size)) {
            no(s, "a packet that is not one whole JPEG");
            return 0;
        }
        clean = 1;
        break;
    case 3: {
        int shown = size ? scan_vp9_packet(s, data, size, &clean, i == 0) : -1;
        if (shown < 0)
            return 0;
        if (shown != 1) {
            no(s, shown ? "a packet that shows more than one frame" : "a packet that shows no frame");
            return 0;
        }
        noun = "key frame";
        break;
    }
    default: {
        int type = 0;
        if (!scan_m4v_packet(s, data, size, &type))
            return 0;
        clean = type == 0;
        noun = "I-VOP";
        if (type == 2)
            s->bvops++;
        else
            s->anchors++;
        s->poc[i] = type;
        break;
    }
    }
    if ((i == 0 || key) && !clean) {
        snprintf(s->whybuf, sizeof s->whybuf, i == 0 ? "a first packet that is not a%s %s"
                                                     : "a keyframe flag on a frame that is not a%s %s",
                 noun[0] == 'I' ? "n" : "", noun);
        no(s, s->whybuf);
        return 0;
    }
    if (s->codec == 1 && pc.idr) {
        if (i > 0 && pc.no_output_prior) {
            no(s, "an IDR that drops the pictures before it");
            return 0;
        }
        s->periods++;
    }
    if (s->codec == 1) {
        s->period[i] = s->periods;
        s->poc[i] = pc.poc;
    }
    s->n++;
    return 0;
}

typedef struct ptsi { int64_t pts; uint64_t i; } ptsi;

static int by_pts(const void *a, const void *b)
{
    const ptsi *x = a, *y = b;
    if (x->pts != y->pts)
        return (x->pts > y->pts) - (x->pts < y->pts);
    return (x->i > y->i) - (x->i < y->i);
}

int vid_scan_finish(vid_scan *s, uint64_t **out_pkt, uint64_t npkt)
{
    *out_pkt = NULL;
    if (!s->ok)
        return 0;
    if (s->n != npkt || s->n == 0) {
        no(s, "a packet count that changed");
        return 0;
    }
    uint64_t n = s->n;
    uint64_t *idx = sy_malloc(s->mem, n * sizeof *idx);
    if (!idx)
        return SYNAPT_E_NOMEM;
    for (uint64_t i = 0; i < n; i++)
        idx[i] = i;
    if (s->codec == 1) {
        ptsi *t = sy_malloc(s->mem, n * sizeof *t);
        if (!t) {
            sy_free(s->mem, idx);
            return SYNAPT_E_NOMEM;
        }
        for (uint64_t i = 0; i < n; i++) {
            t[i].pts = s->pts[i];
            t[i].i = i;
        }
        qsort(t, (size_t)n, sizeof *t, by_pts);
        for (uint64_t i = 0; i < n; i++)
            idx[i] = t[i].i;
        sy_free(s->mem, t);
        for (uint64_t i = 1; i < n && s->ok; i++) {
            uint64_t a = idx[i - 1], b = idx[i];
            if (s->pts[a] == s->pts[b])
                no(s, "two packets with one presentation time");
            /* the bitstream's order: IDR period, then POC (type 2: decode order) */
            else if (s->period[a] > s->period[b] ||
                     (s->period[a] == s->period[b] && (s->poc[a] > s->poc[b] ||
                      (s->poc[a] == s->poc[b] && a > b))))
                no(s, "timestamps that do not follow the picture order");
        }
    }
    if (s->codec == 4 && s->bvops) {
        /* low_delay 0: each I/P-VOP is shown when the next one is decoded
         * (or at the end), a B-VOP at once */
        uint64_t k = 0, held = UINT64_MAX;
        for (uint64_t q = 0; q < n; q++) {
            if (s->poc[q] == 2) {
                idx[k++] = q;
                continue;
            }
            if (held != UINT64_MAX)
                idx[k++] = held;
            held = q;
        }
        idx[k++] = held;
    }
    if (s->codec == 1 || (s->codec == 4 && s->bvops)) {
        /* reorder depth: packets decoded before a frame but shown after it
         * (H.264; MPEG-4's is one reference VOP by construction) */
        unsigned have = s->codec == 4 ? 1u << 30
                      : s->video_delay > s->need_reorder ? s->video_delay : s->need_reorder;
        if (s->ok) {
            /* rank of each packet in output order; a frame needs as many
             * frames of delay as earlier-decoded packets rank after it */
            uint64_t *rank = sy_malloc(s->mem, n * sizeof *rank);
            if (!rank) {
                sy_free(s->mem, idx);
                return SYNAPT_E_NOMEM;
            }
            for (uint64_t i = 0; i < n; i++)
                rank[idx[i]] = i;
            /* Fenwick tree over ranks: how many earlier packets rank below */
            uint64_t *fw = sy_calloc(s->mem, (n + 1) * sizeof *fw);
            if (!fw) {
                sy_free(s->mem, rank);
                sy_free(s->mem, idx);
                return SYNAPT_E_NOMEM;
            }
            for (uint64_t q = 0; q < n && s->ok; q++) {
                uint64_t below = 0;
                for (uint64_t k = rank[q]; k > 0; k -= k & (~k + 1))
                    below += fw[k];
                if (q - below > have)
                    no(s, "a reorder deeper than the decoder is told");
                for (uint64_t k = rank[q] + 1; k <= n; k += k & (~k + 1))
                    fw[k]++;
            }
            sy_free(s->mem, fw);
            /* every flagged keyframe shows first among the packets from it on */
            uint64_t minrank = UINT64_MAX;
            for (uint64_t q = n; q-- > 1 && s->ok;) {
                if (rank[q] < minrank)
                    minrank = rank[q];
                if (s->key[q] && minrank != rank[q])
                    no(s, "a keyframe shown after later packets");
            }
            sy_free(s->mem, rank);
        }
    }
    if (!s->ok) {
        sy_free(s->mem, idx);
        return 0;
    }
    *out_pkt = idx;
    return 1;
}

void vid_scan_free(vid_scan *s)
{
    if (!s)
        return;
    sy_free(s->mem, s->pts);
    sy_free(s->mem, s->poc);
    sy_free(s->mem, s->period);
    sy_free(s->mem, s->key);
    sy_free(s->mem, s);
}
