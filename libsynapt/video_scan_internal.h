/* video_scan_internal.h - what the header scanner's files share
 * (video_scan.c: H.264 and the scanner; video_scan_frames.c: MPEG-4
 * Part 2, VP9 and MJPEG packets). Private to those two files. */
#ifndef SYNAPT_VIDEO_SCAN_INTERNAL_H
#define SYNAPT_VIDEO_SCAN_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include "internal.h"
#include "video_internal.h"

/* ---- bounded bit reader over an RBSP (emulation prevention removed) ------ */

typedef struct bits {
    const uint8_t *p;
    size_t n;        /* bytes */
    size_t pos;      /* bit position */
    int bad;         /* read past the end or an out-of-range code */
} bits;

static inline unsigned bit1(bits *b)
{
    if (b->pos >= b->n * 8) {
        b->bad = 1;
        return 0;
    }
    unsigned v = (b->p[b->pos >> 3] >> (7 - (b->pos & 7))) & 1u;
    b->pos++;
    return v;
}

static inline uint32_t bitn(bits *b, unsigned n)
{
    uint32_t v = 0;
    while (n--)
        v = (v << 1) | bit1(b);
    return v;
}

/* ue(v): at most 32 leading zeros; larger codes are refused */
static inline uint32_t ue(bits *b)
{
    unsigned z = 0;
    while (!b->bad && bit1(b) == 0)
        if (++z > 31) {
            b->bad = 1;
            return 0;
        }
    if (b->bad)
        return 0;
    return (uint32_t)(((uint64_t)1 << z) - 1 + bitn(b, z));
}

static inline int32_t se(bits *b)
{
    uint32_t k = ue(b);
    return (k & 1) ? (int32_t)((k + 1) / 2) : -(int32_t)(k / 2);
}

/* Copy at most cap bytes of NAL payload (after the header byte) into out
 * with emulation prevention bytes (00 00 03) removed. */
static inline size_t unescape(uint8_t *out, size_t cap, const uint8_t *in, size_t n)
{
    size_t o = 0, zeros = 0;
    for (size_t i = 0; i < n && o < cap; i++) {
        if (zeros >= 2 && in[i] == 3) {
            zeros = 0;
            continue;
        }
        zeros = in[i] == 0 ? zeros + 1 : 0;
        out[o++] = in[i];
    }
    return o;
}

/* ---- H.264 parameter sets --------------------------------------------- */

#define MAX_SPS 32
#define MAX_PPS 256

typedef struct h264_sps {
    int valid;
    unsigned log2_max_frame_num, poc_type, log2_max_poc_lsb;
    unsigned frame_mbs_only, separate_colour_plane;
    unsigned restriction, num_reorder_frames;
    vid_h264_info info;       /* what the decoder exports (vid_scan_h264_info) */
} h264_sps;

typedef struct h264_pps {
    int valid;
    unsigned sps_id, bottom_field_pic_order, redundant_pic_cnt_present;
} h264_pps;

/* ---- the scanner's state ----------------------------------------------- */

struct vid_scan {
    const sy_mem *mem;
    int codec;                /* 1 h264, 2 mjpeg, 3 vp9, 4 mpeg4 */
    unsigned vop_time_bits;   /* mpeg4: bits of vop_time_increment (0: no VOL seen) */
    int delay_vol;            /* mpeg4: the VOL announces low_delay 0 (B-VOPs allowed) */
    int packed;               /* mpeg4: refused for a packet of two VOPs */
    uint64_t anchors;         /* mpeg4: I- and P-VOPs so far */
    uint64_t bvops;           /* mpeg4: B-VOPs so far */
    uint8_t vol[64];          /* mpeg4: the extradata's VOL header, start code to next */
    size_t vol_len;           /* 0 when longer than vol */
    int avcc;                 /* h264: length-prefixed NAL units */
    unsigned nal_len;         /* bytes of each length prefix */
    int ok;                   /* still eligible */
    const char *why;          /* reason it is not */
    char whybuf[96];          /* a reason put together from parts */
    unsigned video_delay;     /* reorder depth the decoder starts with */
    h264_sps sps[MAX_SPS];
    h264_pps pps[MAX_PPS];
    /* POC state (type 0) */
    int32_t prev_msb, prev_lsb;
    /* per packet */
    uint64_t n, cap;
    int64_t *pts;
    int64_t *poc;             /* POC within its IDR period */
    uint64_t *period;         /* IDR periods seen before this packet */
    uint64_t periods;
    uint8_t *key;
    unsigned need_reorder;    /* the largest num_reorder_frames of the SPSs used */
    int in_extradata;         /* h264: the NAL units are the extradata's */
    unsigned extra_sps;       /* h264: SPSs in the extradata */
    int unstable;             /* see vid_scan_stable */
    vid_vp9_info vp9;         /* vp9: the first packet */
    uint8_t rb[512];
};

/* The stream is not eligible (the first reason is kept). */
static inline void no(vid_scan *s, const char *why)
{
    if (s->ok) {
        s->ok = 0;
        s->why = why;
    }
}

/* video_scan_frames.c */
void scan_m4v_extradata(vid_scan *s, const uint8_t *x, size_t n);
/* One MPEG-4 Part 2 packet: 1 when it stays eligible (*type_out: 0 I, 1 P,
 * 2 B), 0 when not. */
int  scan_m4v_packet(vid_scan *s, const uint8_t *d, size_t n, int *type_out);
/* Frames a VP9 packet shows, or -1; *first_key: its first frame is a key
 * frame; first: the stream's first packet (vid_vp9_first_frame). */
int  scan_vp9_packet(vid_scan *s, const uint8_t *d, size_t n, int *first_key, int first);
/* One whole JPEG: SOI first, EOI within the last bytes. */
int  scan_mjpeg_packet(const uint8_t *d, size_t n);

#endif
