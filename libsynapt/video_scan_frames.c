/* video_scan_frames.c - the header scanner's readers of MPEG-4 Part 2,
 * VP9 and MJPEG packets (the rules are in video_scan.c's header comment
 * and spec/video-ffmpeg.md section 4). */
#include <stdio.h>
#include <string.h>

#include "video_scan_internal.h"

/* ---- MPEG-4 Part 2 --------------------------------------------------------- */

/* The next start code (00 00 01 xx) at or after i: index of the xx byte, or
 * n when there is none. */
static size_t next_start(const uint8_t *d, size_t n, size_t i)
{
    size_t k = vid_find_start_code(d, n, i);
    return k + 3 < n ? k + 3 : n;
}

/* A video_object_layer header (after its start code): the width of
 * vop_time_increment, or 0 when the VOL is not one this scan reads. */
static unsigned m4v_vol(const uint8_t *d, size_t n, int *delay)
{
    *delay = 0;
    bits b = { d, n, 0, 0 };
    bit1(&b); /* random_accessible_vol */
    bitn(&b, 8);
    unsigned verid = 1;
    if (bit1(&b)) { /* is_object_layer_identifier */
        verid = bitn(&b, 4);
        bitn(&b, 3);
    }
    if (bitn(&b, 4) == 15) /* aspect_ratio_info: extended PAR */
        bitn(&b, 16);
    if (bit1(&b)) { /* vol_control_parameters */
        bitn(&b, 2); /* chroma_format */
        /* low_delay 0: the decoder holds each I/P-VOP back until the next
         * one, so B-VOPs can be shown before it. Without these parameters
         * libavcodec guesses from the profile and changes its mind at the
         * first B-VOP, which the scan does not follow. */
        *delay = bit1(&b) == 0;
        if (bit1(&b)) { /* vbv_parameters: 79 bits */
            bitn(&b, 16); bitn(&b, 16); bitn(&b, 16); bitn(&b, 15); bitn(&b, 16);
        }
    }
    unsigned shape = bitn(&b, 2);
    if (shape == 3 && verid != 1)
        bitn(&b, 4);
    if (shape != 0) /* only rectangular VOPs */
        return 0;
    bit1(&b);
    unsigned res = bitn(&b, 16);
    if (b.bad || res == 0)
        return 0;
    unsigned nbits = 1;
    while (nbits < 16 && (1u << nbits) < res)
        nbits++;
    return nbits;
}

void scan_m4v_extradata(vid_scan *s, const uint8_t *x, size_t n)
{
    for (size_t i = next_start(x, n, 0); i < n; i = next_start(x, n, i))
        if (x[i] >= 0x20 && x[i] <= 0x2f) {
            s->vop_time_bits = m4v_vol(x + i + 1, n - i - 1, &s->delay_vol);
            size_t end = next_start(x, n, i + 1);
            end = end < n ? end - 3 : n;
            if (end - i <= sizeof s->vol) {
                memcpy(s->vol, x + i, end - i);
                s->vol_len = end - i;
            }
            break;
        }
    if (!s->vop_time_bits)
        no(s, "no VOL header it reads in the MPEG-4 extradata");
}

/* A VOP header after its start code: vop_coding_type and vop_coded; -1
 * when it ends early. */
static int m4v_vop(const vid_scan *s, const uint8_t *d, size_t n, unsigned *type, unsigned *coded)
{
    bits b = { d, n, 0, 0 };
    *type = bitn(&b, 2);
    for (int k = 0; bit1(&b) && !b.bad; k++) /* modulo_time_base */
        if (k > 60) {
            b.bad = 1;
            break;
        }
    bit1(&b);
    bitn(&b, s->vop_time_bits);
    bit1(&b);
    *coded = bit1(&b);
    return b.bad ? -1 : 0;
}

int vid_scan_m4v_frames(const vid_scan *s, const uint8_t *d, size_t n, int *vops)
{
    int frames = 0;
    *vops = 0;
    if (!s || s->codec != 4 || !s->vop_time_bits)
        return -1;
    for (size_t i = next_start(d, n, 0); i < n; i = next_start(d, n, i)) {
        unsigned type, coded;
        if (d[i] != 0xb6)
            continue;
        if (m4v_vop(s, d + i + 1, n - i - 1, &type, &coded) < 0)
            return -1;
        ++*vops;
        frames += coded != 0;
    }
    return frames;
}

int vid_scan_packed(const vid_scan *s) { return s && s->packed; }
uint64_t vid_scan_bvops(const vid_scan *s) { return s ? s->bvops : 0; }

/* One packet: 1 when it is one coded I-, P- or B-VOP (*type: 0, 1, 2). */
int scan_m4v_packet(vid_scan *s, const uint8_t *d, size_t n, int *type_out)
{
    int vops = 0;
    for (size_t i = next_start(d, n, 0); i < n; i = next_start(d, n, i)) {
        unsigned code = d[i];
        if (code >= 0x20 && code <= 0x2f) {
            /* a repeat of the extradata's VOL (encoders without global
             * headers put one before every I-VOP) changes nothing */
            size_t end = next_start(d, n, i + 1);
            end = end < n ? end - 3 : n;
            if (!s->vol_len || end - i != s->vol_len || memcmp(d + i, s->vol, s->vol_len)) {
                no(s, "a VOL header inside the stream that differs from the extradata's");
                return 0;
            }
            continue;
        }
        if (code != 0xb6)
            continue; /* VOS, VO, user data, GOV */
        if (++vops > 1) {
            no(s, "a packet with more than one VOP (packed B-frames)");
            s->packed = 1;
            return 0;
        }
        unsigned type, coded;
        if (m4v_vop(s, d + i + 1, n - i - 1, &type, &coded) < 0) {
            no(s, "a VOP header it cannot read");
            return 0;
        }
        if (type == 3) {
            no(s, "sprite (S-)VOPs");
            return 0;
        }
        if (type == 2 && !s->delay_vol) {
            no(s, "B-VOPs under a VOL without low_delay 0");
            return 0;
        }
        if (!coded) {
            no(s, "a not-coded VOP (it gives no frame)");
            return 0;
        }
        /* a B-VOP needs two reference VOPs decoded before it; the decoder
         * drops one that comes earlier */
        if (type == 2 && s->anchors < 2) {
            no(s, "a B-VOP before two reference VOPs");
            return 0;
        }
        *type_out = (int)type;
    }
    if (vops != 1) {
        no(s, "a packet with no VOP");
        return 0;
    }
    return 1;
}

/* ---- VP9 ------------------------------------------------------------------ */

/* One frame's uncompressed header, as far as it says whether the frame is
 * shown and whether it is a key frame. -1 when it is not a VP9 frame. */
static int vp9_frame(const uint8_t *d, size_t n, int *shown, int *key, unsigned *profile_out)
{
    bits b = { d, n, 0, 0 };
    if (bitn(&b, 2) != 2)
        return -1;
    unsigned profile = bit1(&b);
    profile |= bit1(&b) << 1;
    if (profile == 3 && bit1(&b))
        return -1;
    *profile_out = profile;
    if (bit1(&b)) { /* show_existing_frame */
        *shown = 1;
        *key = 0;
        return b.bad ? -1 : 0;
    }
    *key = bit1(&b) == 0;
    *shown = (int)bit1(&b);
    return b.bad ? -1 : 0;
}

/* Frames shown by one packet; *first_key: the first frame is a key frame. */
int scan_vp9_packet(vid_scan *s, const uint8_t *d, size_t n, int *first_key, int first)
{
    size_t sizes[8], nf = 1;
    sizes[0] = n;
    uint8_t last = d[n - 1];
    if ((last & 0xe0) == 0xc0) {
        /* a superframe: its index at the end, the marker byte at both ends */
        size_t frames = (size_t)(last & 7) + 1, mag = (size_t)((last >> 3) & 3) + 1;
        size_t idx = 2 + mag * frames;
        if (n >= idx && d[n - idx] == last) {
            size_t total = 0, at = n - idx + 1;
            for (size_t k = 0; k < frames; k++) {
                size_t v = 0;
                for (size_t j = 0; j < mag; j++)
                    v |= (size_t)d[at + j] << (8 * j);
                at += mag;
                if (v == 0 || v > n - idx - total) {
                    no(s, "a damaged VP9 superframe index");
                    return -1;
                }
                sizes[k] = v;
                total += v;
            }
            nf = frames;
        }
    }
    int shown_total = 0;
    size_t off = 0;
    for (size_t k = 0; k < nf; k++) {
        int shown = 0, key = 0;
        unsigned profile = 0;
        if (vp9_frame(d + off, sizes[k], &shown, &key, &profile) < 0) {
            no(s, "a packet that is not a VP9 frame");
            return -1;
        }
        if (first)
            vid_vp9_first_frame(&s->vp9, d + off, sizes[k], (unsigned)k);
        else if (profile != s->vp9.profile)
            s->unstable = 1;
        if (k == 0)
            *first_key = key;
        shown_total += shown;
        off += sizes[k];
    }
    return shown_total;
}

/* One whole JPEG: SOI first, EOI within the last bytes (padding allowed). */
int scan_mjpeg_packet(const uint8_t *d, size_t n)
{
    if (n < 4 || d[0] != 0xFF || d[1] != 0xD8)
        return 0;
    for (size_t j = n > 64 ? n - 64 : 0; j + 1 < n; j++)
        if (d[j] == 0xFF && d[j + 1] == 0xD9)
            return 1;
    return 0;
}
