/* video_probe.c - a copy-mode import's stream parameters without
 * avformat_find_stream_info.
 *
 * avformat_find_stream_info fills what a container leaves out by decoding.
 * For H.264 in MP4 it decodes the first frame (about 10 ms for a 960x540
 * IDR, most of the CPU of packing a short clip) to learn the pixel format,
 * profile, level, bit depth, chroma siting, aspect ratio, colour range and
 * reorder depth. With avcC extradata all of them follow from the one SPS
 * and the container. This file derives them the way libavcodec 59 exports
 * them (its H.264 decoder's parameter-set, slice-header and output code and
 * its H.264 parser, which sets the field order), for the shapes where that
 * is a direct reading, and says no for every other shape.
 *
 * VP9 in Matroska/WebM: the probe's decode of the first packet sets only
 * the profile, pixel format and colour range and space, which the first
 * key frame's uncompressed header gives (vid_vp9_first_frame, read while
 * the scan reads that packet).
 *
 * The import (video_import.c) then reads the packets once without a
 * decoder (video_prescan.c). When a packet could change what the headers said
 * (vid_scan_stable), or when the frame map needs a decode anyway, it
 * calls avformat_find_stream_info after all and takes its answer.
 * tests/video/t_scan.sh packs every shape both ways (--full-decode always
 * probes) and requires the same bytes. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>

#include "internal.h"
#include "video_internal.h"

/* H.264 Table E-1: sample aspect ratios of aspect_ratio_idc 0 to 16 (0:
 * unspecified, exported as 0/1). */
static const AVRational h264_sar[17] = {
    { 0, 1 }, { 1, 1 }, { 12, 11 }, { 10, 11 }, { 16, 11 }, { 40, 33 }, { 24, 11 }, { 20, 11 },
    { 32, 11 }, { 80, 33 }, { 18, 11 }, { 15, 11 }, { 64, 33 }, { 160, 99 }, { 4, 3 }, { 3, 2 },
    { 2, 1 },
};

static int is_format(const AVFormatContext *fmt, const char *name)
{
    return fmt->iformat && !strcmp(fmt->iformat->name, name);
}

int vid_probe_headers(vid_params *src, const sy_mem *mem, const AVFormatContext *fmt, const AVStream *st)
{
    const AVCodecParameters *cp = st->codecpar;
    if (cp->width <= 0 || cp->height <= 0 || st->avg_frame_rate.num <= 0 || st->avg_frame_rate.den <= 0)
        return 0;
    if (cp->codec_id == AV_CODEC_ID_VP9 && is_format(fmt, "matroska,webm")) {
        /* everything else is the container's: the decoder sets no field
         * but these, and the parser only the profile */
        src->par_format = VID_FORMAT_LATER;
        src->frame_rate = st->avg_frame_rate;
        return 2;
    }
    if (!is_format(fmt, "mov,mp4,m4a,3gp,3g2,mj2") || cp->codec_id != AV_CODEC_ID_H264 || cp->extradata_size <= 0)
        return 0;
    vid_params x;
    memset(&x, 0, sizeof x);
    x.codec_id = AV_CODEC_ID_H264;
    x.extradata = cp->extradata;
    x.extradata_size = cp->extradata_size;
    vid_scan *sc = NULL;
    int rc = vid_scan_create(&sc, mem, &x);
    if (rc < 0)
        return rc;
    vid_h264_info in;
    int no_bottom_poc = 0;
    int ok = vid_scan_h264_info(sc, &in, &no_bottom_poc);
    vid_scan_free(sc);
    if (!ok)
        return 0;
    /* The shapes read directly: 8-bit 4:2:0 frames of the common profiles
     * (High 10 and up export intra flags and other formats), a VUI with the
     * reorder depth (without it the decoder guesses the depth from the
     * frames it decodes), no pic_struct (the parser's field order would
     * come from picture timing SEI) and no bottom-field POC offset (with
     * one the parser compares the two fields' POCs). The SPS size must be
     * the container's: the decoder otherwise applies its own crop rule. */
    if (in.odd || !in.vui || !in.restriction || in.pic_struct_present || !no_bottom_poc ||
        !in.frame_mbs_only || in.chroma_format_idc != 1 || in.bit_depth_luma != 8 ||
        in.bit_depth_chroma != 8 || in.chroma_loc > 5 ||
        (in.profile_idc != 66 && in.profile_idc != 77 && in.profile_idc != 88 && in.profile_idc != 100) ||
        in.width != (unsigned)cp->width || in.height != (unsigned)cp->height)
        return 0;

    /* colour: the container's, replaced by the VUI's where it has them;
     * codes FFmpeg has no name for read as unspecified */
    int range = cp->color_range, prim = cp->color_primaries, trc = cp->color_trc, space = cp->color_space;
    if (in.video_signal) {
        range = in.full_range ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
        if (in.colour_description) {
            prim = av_color_primaries_name((enum AVColorPrimaries)in.primaries) ? (int)in.primaries
                                                                                 : AVCOL_PRI_UNSPECIFIED;
            trc = av_color_transfer_name((enum AVColorTransferCharacteristic)in.transfer) ? (int)in.transfer
                                                                                           : AVCOL_TRC_UNSPECIFIED;
            space = av_color_space_name((enum AVColorSpace)in.matrix) ? (int)in.matrix : AVCOL_SPC_UNSPECIFIED;
        }
    }
    src->color_range = range;
    src->color_primaries = prim;
    src->color_trc = trc;
    src->color_space = space;
    /* 8-bit 4:2:0: the full-range ("J") format for full range */
    src->par_format = range == AVCOL_RANGE_JPEG ? AV_PIX_FMT_YUVJ420P : AV_PIX_FMT_YUV420P;
    src->profile = (int)in.profile_idc;
    if (in.profile_idc == 66 && (in.constraints & 2))
        src->profile |= FF_PROFILE_H264_CONSTRAINED;
    src->level = (int)in.level_idc;
    src->bits_per_raw_sample = 8;
    /* the parser's, for frames whose fields share one POC; a field order
     * the container states comes first */
    src->field_order = cp->field_order > AV_FIELD_UNKNOWN ? cp->field_order : AV_FIELD_PROGRESSIVE;
    src->chroma_location = in.chroma_loc_present ? (int)in.chroma_loc + 1 : AVCHROMA_LOC_LEFT;
    AVRational sar = in.aspect_idc == 255 ? (AVRational){ (int)in.sar_num, (int)in.sar_den }
                                          : h264_sar[in.aspect_idc];
    if (av_image_check_sar((unsigned)cp->width, (unsigned)cp->height, sar) < 0)
        sar = (AVRational){ 0, 1 };
    src->sar = sar;
    /* the decoder starts at the container's depth and raises it to the
     * SPS's; without a VUI depth it would guess from frames instead */
    src->video_delay = cp->video_delay > (int)in.num_reorder_frames ? cp->video_delay : (int)in.num_reorder_frames;
    src->frame_rate = st->avg_frame_rate;
    return 1;
}

/* ---- VP9 ------------------------------------------------------------------ */

typedef struct rd {
    const uint8_t *p;
    size_t n, pos;
    int bad;
} rd;

static unsigned rbits(rd *b, unsigned k)
{
    unsigned v = 0;
    while (k--) {
        if (b->pos >= b->n * 8) {
            b->bad = 1;
            return 0;
        }
        v = (v << 1) | ((b->p[b->pos >> 3] >> (7 - (b->pos & 7))) & 1u);
        b->pos++;
    }
    return v;
}

void vid_vp9_first_frame(vid_vp9_info *v, const uint8_t *d, size_t n, unsigned k)
{
    /* the colour spaces of color_space codes 0-7, and the pixel formats
     * of [bit depth][vertical][horizontal subsampling] */
    static const int spaces[8] = {
        AVCOL_SPC_UNSPECIFIED, AVCOL_SPC_BT470BG, AVCOL_SPC_BT709, AVCOL_SPC_SMPTE170M,
        AVCOL_SPC_SMPTE240M, AVCOL_SPC_BT2020_NCL, AVCOL_SPC_RESERVED, AVCOL_SPC_RGB,
    };
    static const int yuv[3][2][2] = {
        { { AV_PIX_FMT_YUV444P, AV_PIX_FMT_YUV422P }, { AV_PIX_FMT_YUV440P, AV_PIX_FMT_YUV420P } },
        { { AV_PIX_FMT_YUV444P10, AV_PIX_FMT_YUV422P10 }, { AV_PIX_FMT_YUV440P10, AV_PIX_FMT_YUV420P10 } },
        { { AV_PIX_FMT_YUV444P12, AV_PIX_FMT_YUV422P12 }, { AV_PIX_FMT_YUV440P12, AV_PIX_FMT_YUV420P12 } },
    };
    static const int rgb[3] = { AV_PIX_FMT_GBRP, AV_PIX_FMT_GBRP10, AV_PIX_FMT_GBRP12 };
    if (k == 0)
        memset(v, 0, sizeof *v);
    else if (!v->valid)
        return;
    rd b = { d, n, 0, 0 };
    rbits(&b, 2); /* frame marker, checked by the scan */
    unsigned profile = rbits(&b, 1);
    profile |= rbits(&b, 1) << 1;
    if (profile == 3)
        rbits(&b, 1);
    if (k > 0 && profile != v->profile)
        goto odd;
    if (rbits(&b, 1)) /* show_existing_frame: no header */
        return;
    unsigned key = !rbits(&b, 1), invisible = !rbits(&b, 1), error_res = rbits(&b, 1);
    if (key != (k == 0))
        goto odd; /* the first frame is the packet's one key frame */
    if (key) {
        if (rbits(&b, 24) != 0x498342)
            goto odd;
        unsigned depth = profile <= 1 ? 0 : 1 + rbits(&b, 1), cs = rbits(&b, 3);
        v->color_space = spaces[cs];
        if (cs == 7) {
            if (!(profile & 1) || rbits(&b, 1))
                goto odd; /* the decoder refuses these */
            v->color_range = AVCOL_RANGE_JPEG;
            v->pix_fmt = rgb[depth];
        } else {
            v->color_range = rbits(&b, 1) ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
            if (profile & 1) {
                unsigned ssh = rbits(&b, 1), ssv = rbits(&b, 1);
                v->pix_fmt = yuv[depth][ssv][ssh];
                if (v->pix_fmt == AV_PIX_FMT_YUV420P || rbits(&b, 1))
                    goto odd; /* refused too */
            } else {
                v->pix_fmt = yuv[depth][1][1];
            }
        }
        v->width = rbits(&b, 16) + 1;
        v->height = rbits(&b, 16) + 1;
        v->profile = profile;
        v->valid = !b.bad;
        return;
    }
    /* an inter frame after the key frame: it keeps the key frame's colour
     * and format; only an explicit size could change what is exported */
    if (invisible && rbits(&b, 1))
        goto odd; /* intra-only: its own colour */
    if (!error_res)
        rbits(&b, 2);
    rbits(&b, 8); /* refresh_frame_flags */
    for (int r = 0; r < 3; r++)
        rbits(&b, 4);
    int sized = 0;
    for (int r = 0; r < 3 && !sized; r++)
        sized = (int)rbits(&b, 1); /* size from a reference: the key frame's */
    if (!sized && (rbits(&b, 16) + 1 != v->width || rbits(&b, 16) + 1 != v->height))
        goto odd;
    if (!b.bad)
        return;
odd:
    v->valid = 0;
}

int vid_probe_vp9(vid_params *src, const vid_vp9_info *v)
{
    if (!v->valid || (int)v->width != src->coded_width || (int)v->height != src->coded_height)
        return 0;
    src->profile = (int)v->profile;
    src->par_format = v->pix_fmt;
    src->color_range = v->color_range;
    src->color_space = v->color_space;
    return 1;
}

/* ---- the container from its first bytes ------------------------------- */

/* avformat_open_input without a format runs every demuxer's probe over the
 * file's first 2,048 bytes: 15% of the CPU of packing a tiny MJPEG AVI. For
 * the three containers of the field the answer is certain from a few of
 * them, by the rules of libavformat 59's own probes:
 * - AVI: "RIFF" then "AVI " or "AVIX" at offset 8 (avi_probe: the maximum);
 * - ISO BMFF: a first box "ftyp" of at least 8 bytes whose brand is not a
 *   JPEG 2000 or JPEG XL one (mov_probe: the maximum), unless a "moov" in
 *   the probe's bytes holds an "mhlr"/"MPEG" handler, where mov_probe says 5
 *   so that MPEG-PS wins;
 * - Matroska/WebM: the EBML magic and a header of known length, held in the
 *   bytes read, that names the document type "matroska" or "webm"
 *   (matroska_probe: the maximum).
 * No other demuxer of that libavformat scores near the maximum on such
 * bytes. Anything else, or a file that is not a regular one, is probed as
 * before. */
static int has_mpeg_handler(const uint8_t *b, size_t n)
{
    for (size_t o = 0; o + 16 <= n; o++)
        if (!memcmp(b + o, "hdlr", 4) && !memcmp(b + o + 8, "mhlrMPEG", 8))
            return 1;
    return 0;
}

static const char *container_of(const uint8_t *b, size_t n)
{
    if (n >= 12 && !memcmp(b, "RIFF", 4) && (!memcmp(b + 8, "AVI ", 4) || !memcmp(b + 8, "AVIX", 4)))
        return "avi";
    if (n >= 12 && !memcmp(b + 4, "ftyp", 4)) {
        uint32_t size = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
        if (size < 8 || !memcmp(b + 8, "jp2 ", 4) || !memcmp(b + 8, "jxl ", 4) || has_mpeg_handler(b, n))
            return NULL;
        return "mov";
    }
    if (n >= 5 && b[0] == 0x1a && b[1] == 0x45 && b[2] == 0xdf && b[3] == 0xa3) {
        /* the header's size: an EBML variable-length integer */
        unsigned len = 1, mask = 0x80;
        while (len <= 8 && !(b[4] & mask)) {
            len++;
            mask >>= 1;
        }
        if (len > 8 || 4 + len > n)
            return NULL;
        uint64_t total = b[4] & (mask - 1);
        for (unsigned i = 1; i < len; i++)
            total = total << 8 | b[4 + i];
        if (total + 1 == (uint64_t)1 << (7 * len) || total > n - 4 - len)
            return NULL; /* unknown length, or more header than was read */
        static const char *const doctypes[] = { "matroska", "webm" };
        for (size_t d = 0; d < 2; d++) {
            size_t dl = strlen(doctypes[d]);
            for (size_t o = 4 + len; dl <= total && o + dl <= 4 + len + total; o++)
                if (!memcmp(b + o, doctypes[d], dl))
                    return "matroska";
        }
    }
    return NULL;
}

const AVInputFormat *vid_probe_container(const char *path)
{
    uint8_t b[2048];
    /* O_NONBLOCK: a FIFO must not hang here (it is not sniffed anyway) */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return NULL;
    struct stat st;
    ssize_t n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? pread(fd, b, sizeof b, 0) : -1;
    close(fd);
    const char *name = n > 0 ? container_of(b, (size_t)n) : NULL;
    return name ? av_find_input_format(name) : NULL;
}
