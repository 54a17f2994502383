/* video_internal.h - the FFmpeg side of encoded video streams, shared by
 * video_import.c (demux, map, store), video_encode.c (re-encode, resize,
 * remux) and video_decode.c (frame-exact random access).
 *
 * The central idea: frame i of a stream is the i-th frame FFmpeg's decoder
 * outputs when the stored packets are decoded in order from the first one.
 * To find out which stored packet produced which output frame, every packet
 * is sent to the decoder with its *packet index* as pts; the decoder carries
 * that value through its reordering onto the frame it belongs to. So each
 * output frame names its packet, whatever the codec, B-frames, open GOPs,
 * hidden frames or edit-list discards. The packet -> frame map recorded at
 * import is what random access is checked against; nothing depends on a
 * stream's GOP structure being closed or its timestamps being sane. */
#ifndef SYNAPT_VIDEO_INTERNAL_H
#define SYNAPT_VIDEO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <libavutil/frame.h>

#include "synapt.h"
#include "video_ffmpeg.h" /* libavcodec, libavformat, libswscale: loaded on first use */

struct cJSON;

/* Memory: every allocation below goes through a handle's allocator (the
 * reader's or the writer's, complete with defaults: passed in, or kept in
 * the struct that owns the memory). Exceptions, allocated by the libraries themselves and
 * freed with their own functions: FFmpeg's objects and buffers (contexts,
 * AVFrame/AVPacket, av_malloc'd extradata, swscale), zstd contexts and
 * cJSON trees, whose text is copied out at once. */

/* The first start code (00 00 01) at or after d[i] whose three bytes lie
 * within d[0 .. n): its offset, or n when there is none. memchr finds the
 * 01 bytes (rare in coded data, and it reads many bytes a step), then the
 * two before are checked; a byte loop was 8% of packing an Xvid file. */
static inline size_t vid_find_start_code(const uint8_t *d, size_t n, size_t i)
{
    for (size_t j = i + 2; j < n; j++) {
        const uint8_t *q = memchr(d + j, 1, n - j);
        if (!q)
            break;
        j = (size_t)(q - d);
        if (d[j - 1] == 0 && d[j - 2] == 0)
            return j - 2;
    }
    return n;
}

/* Largest frame we accept from a file (width*height), and the largest
 * packet: bounds for hostile input. */
#define VID_MAX_PIXELS   (16384u * 16384u)
#define VID_MAX_PACKET   (256u << 20)
#define VID_MAX_PACKETS  (1u << 26)
/* Most padding columns/rows a stream may declare (pad_right, pad_bottom):
 * the writer adds one at most, to reach an even size. */
#define VID_MAX_PAD      16

/* Everything needed to rebuild the decoder exactly as it was at import:
 * the AVCodecParameters fields that decoders read, plus what the first
 * decoded frame said (decoded size and pixel format). */
typedef struct vid_params {
    enum AVCodecID codec_id;
    uint32_t codec_tag;
    int width, height;               /* frame size (first frame), as the stream's shape */
    int pad_right, pad_bottom;       /* a padded encode: decoded frames are this much
                                        wider/taller, the frame their top-left corner */
    int coded_width, coded_height;   /* codecpar width/height */
    int pix_fmt;                     /* decoded frame format (AVPixelFormat) */
    int par_format;                  /* codecpar format */
    int profile, level;
    int bits_per_coded_sample, bits_per_raw_sample;
    int field_order, color_range, color_space, color_primaries, color_trc;
    int chroma_location;
    AVRational sar, time_base, frame_rate;
    int video_delay;
    uint8_t *extradata;              /* owned, AV_INPUT_BUFFER_PADDING_SIZE padded */
    int extradata_size;
    int unpacked;                    /* copy mode, MPEG-4: packets passed through
                                        mpeg4_unpack_bframes, one VOP each ("bsf") */
} vid_params;

void vid_params_free(vid_params *p);
/* Whether a decoder opened for a would be opened exactly so for b (every
 * field vid_open_decoder passes on, and the extradata's bytes). */
int  vid_params_same(const vid_params *a, const vid_params *b);
/* Fill an AVCodecParameters from p (extradata copied). */
int  vid_params_to_codecpar(AVCodecParameters *par, const vid_params *p);

/* Packet -> output frame map (see the spec section "Encoded video streams"). */
typedef struct vid_map {
    const synapt_allocator *mem;   /* allocator of the arrays below; NULL while they are all NULL */
    uint64_t npkt, nframes;
    int64_t  *pkt_out;   /* npkt: output frame index, -1 when the packet outputs none */
    uint64_t *out_pkt;   /* nframes: packet that produced the frame */
    uint64_t nsync;      /* decode start points; sync 0 is always packet 0 */
    uint64_t *sync_pkt;  /* packet index of each start point, ascending */
    uint64_t *sync_out;  /* first frame a fresh decoder started there gives right */
} vid_map;

void vid_map_free(vid_map *m);
/* Build pkt_out/sync from out_pkt and per-packet key flags (m->mem set). */
int  vid_map_finish(vid_map *m, const uint8_t *key);

/* Storage modes (match synapt_vstore in synapt.h). */
const char *vid_mode_name(int mode);

/* codec_config JSON <-> params/map. `mode` is a synapt_vstore value.
 * Returns text allocated with mem (free with sy_free), NULL on NOMEM. */
char *vid_config_build(const synapt_allocator *mem, const vid_params *p, const vid_map *m, int mode,
                       int64_t first_pts, const char *raw_packing);
/* Parse codec_config text (untrusted). extradata is passed separately (it
 * lives in the stream entry). On error returns SYNAPT_E_CORRUPT with a
 * message in err. */
int vid_config_parse(const synapt_allocator *mem, vid_params *p, vid_map *m, int *mode, char *raw_packing, size_t rp_size,
                     const char *json, const void *extradata, size_t extradata_size,
                     uint64_t npkt, char *err, size_t errsz);

/* A fresh decoder for p. threads 0 = 1. */
int vid_open_decoder(AVCodecContext **out, const vid_params *p, int threads,
                     char *err, size_t errsz);

/* Bytes of a frame of (w, h, fmt) with planes packed without padding. */
size_t vid_native_size(int w, int h, int pix_fmt);
/* Pack frame planes without padding into dst (vid_native_size bytes). */
int vid_pack_native(uint8_t *dst, size_t cap, const AVFrame *f);
/* The same for the top-left w x h of f (w, h at most f's). */
int vid_pack_native_crop(uint8_t *dst, size_t cap, const AVFrame *f, int w, int h);

/* One-line text for an FFmpeg error code. */
const char *vid_averr(int e, char *buf, size_t n);

/* ---- bitstream scan (video_scan.c) ------------------------------------ */

/* What an H.264 SPS tells a decoder about the stream (H.264 7.3.2.1 and
 * Annex E), as the scan read it. */
typedef struct vid_h264_info {
    unsigned profile_idc, constraints, level_idc;  /* constraints: bit k = constraint_set k */
    unsigned chroma_format_idc, bit_depth_luma, bit_depth_chroma;
    unsigned width, height;          /* after the crop; 0 when the crop is invalid */
    unsigned crop_top_left;          /* the crop takes rows or columns at the top or left */
    unsigned frame_mbs_only, poc_type;
    unsigned vui;                    /* VUI present */
    unsigned aspect_idc, sar_num, sar_den;  /* sar_*: extended SAR (aspect_idc 255) */
    unsigned video_signal, full_range, colour_description, primaries, transfer, matrix;
    unsigned chroma_loc_present, chroma_loc;  /* chroma_sample_loc_type_top_field */
    unsigned pic_struct_present;
    unsigned restriction, num_reorder_frames;
    unsigned odd;                    /* a VUI FFmpeg reads its own way (cut short, out of range) */
} vid_h264_info;

/* Proves a copy-mode frame map without decoding, for the streams whose
 * packet headers fix it (H.264, MJPEG; see video_scan.c for the rules). */
typedef struct vid_scan vid_scan;
/* *out = NULL (and 0) when the codec has no scanner; _NOMEM. */
int  vid_scan_create(vid_scan **out, const synapt_allocator *mem, const vid_params *p);
/* Feed the packets in decode order. 0, or _NOMEM. Once the stream is
 * ineligible the rest is ignored. */
int  vid_scan_packet(vid_scan *s, const uint8_t *data, size_t size, int64_t pts, int key, int discard);
int  vid_scan_ok(const vid_scan *s);
const char *vid_scan_why(const vid_scan *s);
/* 1 and *out_pkt (npkt entries, allocated with mem: output frame i comes
 * from packet (*out_pkt)[i]) when the map is proven; 0 when not; _NOMEM. */
int  vid_scan_finish(vid_scan *s, uint64_t **out_pkt, uint64_t npkt);
void vid_scan_free(vid_scan *s);
/* MPEG-4 Part 2: 1 when the scan stopped at a packet of two VOPs (DivX
 * packed B-frames), which mpeg4_unpack_bframes would split. */
int  vid_scan_packed(const vid_scan *s);
/* MPEG-4 Part 2: B-VOPs seen before the scan stopped. */
uint64_t vid_scan_bvops(const vid_scan *s);
/* H.264: 1 and *out when the extradata held exactly one SPS and every PPS
 * refers to it; the PPSs code no bottom-field POC offset when
 * *no_bottom_poc. 0 otherwise. */
int  vid_scan_h264_info(const vid_scan *s, vid_h264_info *out, int *no_bottom_poc);
/* 1 while no packet so far could change the stream parameters read from
 * the headers: for H.264 a parameter set that differs from the
 * extradata's, an SEI that changes the transfer characteristics
 * (alternative transfer characteristics, payload 147) or a B slice the SPS
 * does not allow for; for VP9 a frame of another profile. */
int  vid_scan_stable(const vid_scan *s);

/* What libavcodec's VP9 decoder exports after the first packet: the key
 * frame's profile, colour, pixel format and size (VP9 bitstream 6.2). */
typedef struct vid_vp9_info {
    int valid;                       /* the first packet was read and holds no surprise */
    unsigned profile;
    int pix_fmt, color_range, color_space;
    unsigned width, height;
} vid_vp9_info;
/* Read frame k of the first packet into *v (k 0 first); a shape the
 * decoder would read otherwise (intra-only frames, a second key frame, a
 * size change, a profile change, a header it refuses) clears v->valid for
 * good. */
void vid_vp9_first_frame(vid_vp9_info *v, const uint8_t *d, size_t n, unsigned k);
/* VP9: 1 and *out when the first packet was read and is plain. */
int  vid_scan_vp9_info(const vid_scan *s, vid_vp9_info *out);

/* ---- stream parameters without a probe decode (video_probe.c) ---------- */

/* H.264 in MP4/MOV: fill src's format, profile, level, bit depth, field
 * order, colour, chroma siting, aspect ratio, reorder depth and frame rate
 * from the avcC's SPS and the container, as avformat_find_stream_info
 * would have them after its decode: 1. VP9 in Matroska/WebM: 2, the
 * fields that come from the first frame left for vid_probe_vp9. 0 when
 * the shape is not one read that way (src untouched), _NOMEM. The caller
 * must still check the packets with vid_scan_stable. */
int  vid_probe_headers(vid_params *src, const synapt_allocator *mem, const AVFormatContext *fmt,
                       const AVStream *st);
/* VP9: fill src's profile, pixel format and colour from the first packet's
 * key frame (vid_scan_vp9_info); 1, or 0 when its size is not the
 * container's (src untouched). */
int  vid_probe_vp9(vid_params *src, const vid_vp9_info *v);

/* The demuxer avformat_open_input's probe would pick for the file at
 * `path`, from its first bytes, when they are an AVI, ISO BMFF (MP4, MOV)
 * or Matroska/WebM header whose probe is certain (AVPROBE_SCORE_MAX, no
 * other demuxer close); NULL otherwise, and the caller probes. */
const AVInputFormat *vid_probe_container(const char *path);

/* ---- copy mode without decoding (video_prescan.c) ------------------------ */

typedef struct vid_prescan {
    int scanned;                  /* the map is proven: store without decoding */
    int unpack;                   /* store the packets through mpeg4_unpack_bframes */
    uint64_t *map;                /* scanned: frame i comes from packet map[i] */
    uint64_t *hash;               /* per packet (vid_pkt_hash), for the main pass to check */
    uint64_t n;                   /* packets read */
    int stable;                   /* vid_scan_stable after the last packet */
    vid_vp9_info vp9;             /* VP9: vid_scan_vp9_info */
    int consumed;                 /* the main pass's demuxer was read (read_main) */
    AVPacket **rec;               /* consumed and scanned: its packets, all of them, */
    uint64_t nrec;                /* for the main pass to store (NULL: read again) */
    char line[200];               /* how the map is built, for the log */
} vid_prescan;

/* Read the video stream st of fmt (the main pass's demuxer of path) once
 * more with a demuxer of its own and no decoder, scan it, and for MPEG-4
 * B-VOPs scan it again through the unpacker (spec/video-ffmpeg.md 6.1).
 * With read_main, MP4, Matroska and AVI are read from fmt itself instead
 * (ps->consumed), and a short clip's packets are kept in ps->rec when the
 * map is proven without unpacking; otherwise the caller must open the
 * file again. With full, only the unpacking is decided. 0 with *ps filled
 * (arrays from mem), or _NOMEM/_LIMIT with err set. */
int  vid_prescan_run(vid_prescan *ps, const synapt_allocator *mem, const char *path, AVFormatContext *fmt,
                     const AVStream *st, const vid_params *src, int full, int read_main,
                     char *err, size_t errsz);
/* The pixel format vid_prescan_run assumes when src has none yet (VP9 read
 * from headers: known after the scan). */
#define VID_FORMAT_LATER (-2)
void vid_prescan_free(vid_prescan *ps, const synapt_allocator *mem);
/* Free packets from..n-1 of *v and the array itself (from mem); *v NULL. */
void vid_packets_free(const synapt_allocator *mem, AVPacket ***v, uint64_t from, uint64_t n);
/* A packet's identity for the main pass's check: bytes, size, flags, pts. */
uint64_t vid_pkt_hash(const AVPacket *p);
/* FFmpeg's mpeg4_unpack_bframes set up for st; NULL when missing. */
AVBSFContext *vid_unpacker(const AVStream *st);
/* The next packet of stream si, through bsf when given: 0, AVERROR_EOF, or
 * a demuxer or filter error. *eof: the demuxer has ended (bsf flushed).
 * With sc and bsf, *in_frames is what vid_scan_m4v_frames said of the
 * packet that went in last (-1 when unreadable). */
int  vid_next_packet(AVFormatContext *fmt, int si, AVBSFContext *bsf, AVPacket *p, int *eof,
                     const vid_scan *sc, int *in_frames);
/* MPEG-4 Part 2: the coded VOPs in one packet (the frames the decoder
 * gives for it, packed or not) and in *vops all its VOPs, or -1 when a
 * VOP header ends early or the extradata had no VOL the scan reads. */
int  vid_scan_m4v_frames(const vid_scan *s, const uint8_t *data, size_t size, int *vops);

/* ---- import (video_import.c) ---------------------------------------- */

/* Where an import puts its stream: the writer, or memory in unit tests. */
typedef struct vid_sink {
    int (*begin)(void *user, uint32_t *stream, int synapt_codec, const vid_params *p,
                 const char *codec_config);
    int (*packet)(void *user, const uint8_t *data, size_t size, int64_t pts, int64_t dts,
                  uint32_t flags);
    int (*finish)(void *user, uint32_t stream, uint64_t frames, const char *codec_config);
    const char *(*errmsg)(void *user);
    void *user;
    int force_key;   /* tests: flag every packet a keyframe, as a badly muxed file does */
} vid_sink;

int vid_import_run(const synapt_allocator *mem, synapt_video_import_result *res, const char *path,
                   const synapt_video_import_options *o, const vid_sink *sink,
                   char *err, size_t errsz);
int vid_synapt_codec(enum AVCodecID id);

/* ---- re-encoding (video_encode.c) ------------------------------------ */

typedef struct vid_encoder vid_encoder;
/* Callback receiving an encoded packet; pts/dts are output frame indices. */
typedef int (*vid_packet_fn)(void *user, const uint8_t *data, size_t size,
                             int64_t pts, int64_t dts, int key);

/* Open an encoder for `mode` producing out_w x out_h from frames of
 * (in_w, in_h, in_fmt). For raw mode frames are packed and zstd-compressed. */
int vid_encoder_open(vid_encoder **out, const synapt_allocator *mem, int mode, int in_w, int in_h, int in_fmt,
                     int out_w, int out_h, uint32_t gop, int quality, int threads,
                     const vid_params *src, char *err, size_t errsz);
/* Encode the frame with output index `index`; NULL flushes. */
int vid_encoder_send(vid_encoder *e, const AVFrame *f, int64_t index,
                     vid_packet_fn fn, void *user, char *err, size_t errsz);
/* Parameters of the encoded stream (for codec_config and decoding). */
const vid_params *vid_encoder_params(const vid_encoder *e);
void vid_encoder_free(vid_encoder *e);

/* Compute the output size for a resize request. */
void vid_target_size(int *w, int *h, int in_w, int in_h, uint32_t want_w,
                     uint32_t want_h, uint32_t short_side);

/* ---- decoding engine (video_decode.c) -------------------------------- */

/* One stored packet as handed to the decoder. data stays valid until the
 * next call on the same source. */
typedef struct vid_packet {
    const uint8_t *data;
    size_t size;
    uint32_t flags;        /* SYNAPT_FRAME_* */
} vid_packet;

typedef struct vid_source {
    int (*get)(void *user, uint64_t index, vid_packet *out, char *err, size_t errsz);
    void *user;
} vid_source;

typedef struct vid_dec vid_dec;
/* Called once for each frame of a window, in any order; `index` is the
 * frame number. Return nonzero to stop with that code. */
typedef int (*vid_frame_fn)(void *user, uint64_t index, const AVFrame *f);

/* Takes over p and m; mem must outlive the decoder. */
int  vid_dec_create(vid_dec **out, const synapt_allocator *mem, const vid_params *p, const vid_map *m, int threads,
                    char *err, size_t errsz);
/* The same, taking over `donor`'s FFmpeg decoder (flushed) when it was
 * opened for the same parameters and thread count: reading clip after clip
 * of a dataset then does not allocate and clear a decoder context per clip
 * (over 10% of the CPU of a 16-frame 64x64 read). `donor` (may be NULL)
 * stays the caller's to free, without its decoder when it gave it up. */
int  vid_dec_create_from(vid_dec **out, const synapt_allocator *mem, const vid_params *p, const vid_map *m,
                         int threads, vid_dec *donor, char *err, size_t errsz);
/* Whether d's decoder could serve a stream of parameters p at `threads`. */
int  vid_dec_reusable(const vid_dec *d, const vid_params *p, int threads);
/* Deliver frames [a, a+n) through fn, decoding from the best start point
 * or continuing where the previous call stopped. */
int  vid_dec_read(vid_dec *d, const vid_source *src, uint64_t a, uint64_t n,
                  vid_frame_fn fn, void *user, char *err, size_t errsz);
void vid_dec_free(vid_dec *d);
/* Declare the stream one this library encoded in mode h264 (IDR keyframes,
 * parameter sets only in the extradata): restarts at an IDR packet then
 * skip the decoder flush. No effect on other codecs. */
void vid_dec_idr_restart(vid_dec *d);
const vid_params *vid_dec_params(const vid_dec *d);
uint64_t vid_dec_frames(const vid_dec *d);
/* Counters for benchmarks and tests: packets sent, frames output. */
void vid_dec_stats(const vid_dec *d, uint64_t *packets_sent, uint64_t *frames_out,
                   uint64_t *restarts);

#endif
