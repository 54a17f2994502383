/* bench_video.c - random access and decode speed of video streams, as
 * ratios against FFmpeg used directly, measured in one run.
 *
 *  1. random 16-frame windows and single frames, copy mode, against what
 *     decord/torchcodec do on the source file: libavformat open,
 *     av_seek_frame to the frame's timestamp, decode forward;
 *  2. a table over storage choices (source GOP, GOP 32/8/1, mjpeg, ffv1,
 *     raw): bytes per frame against random windows per second;
 *  3. sequential decode throughput against bare libavcodec decoding of the
 *     same packets (the limit).
 * Sources are made here with the ffmpeg CLI (a Kinetics-like 340x256 clip
 * with a long GOP and B-frames, and a 1280x720 one). Prints markdown. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>
#include <libswscale/swscale.h>

#include "synapt.h"
#include "bench_util.h"


static uint64_t rs = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void) { return bench_rng64(&rs); }

/* ---- the baseline: open, seek, decode forward (what loaders do) -------- */

typedef struct src_index {
    int64_t *pts;      /* presentation pts of each frame, in order */
    uint64_t n;
} src_index;

/* decode the whole file once to list frame pts (loaders build this at open) */
static int index_source(src_index *ix, const char *path)
{
    AVFormatContext *fc = NULL;
    if (avformat_open_input(&fc, path, NULL, NULL) < 0 || avformat_find_stream_info(fc, NULL) < 0)
        return -1;
    int si = av_find_best_stream(fc, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    const AVCodec *c = avcodec_find_decoder(fc->streams[si]->codecpar->codec_id);
    AVCodecContext *d = avcodec_alloc_context3(c);
    avcodec_parameters_to_context(d, fc->streams[si]->codecpar);
    d->thread_count = 1;
    avcodec_open2(d, c, NULL);
    AVPacket *p = av_packet_alloc();
    AVFrame *f = av_frame_alloc();
    uint64_t cap = 1024;
    ix->pts = malloc(cap * sizeof *ix->pts);
    ix->n = 0;
    int eof = 0;
    while (!eof) {
        if (av_read_frame(fc, p) < 0) {
            avcodec_send_packet(d, NULL);
            eof = 1;
        } else {
            if (p->stream_index == si)
                avcodec_send_packet(d, p);
            av_packet_unref(p);
        }
        while (avcodec_receive_frame(d, f) == 0) {
            if (ix->n == cap)
                ix->pts = realloc(ix->pts, (cap *= 2) * sizeof *ix->pts);
            ix->pts[ix->n++] = f->best_effort_timestamp;
            av_frame_unref(f);
        }
    }
    av_frame_free(&f);
    av_packet_free(&p);
    avcodec_free_context(&d);
    avformat_close_input(&fc);
    return 0;
}

/* one window the decord way; returns frames decoded */
static uint64_t baseline_window(const char *path, const src_index *ix, uint64_t a, uint64_t n)
{
    AVFormatContext *fc = NULL;
    if (avformat_open_input(&fc, path, NULL, NULL) < 0 || avformat_find_stream_info(fc, NULL) < 0)
        return 0;
    int si = av_find_best_stream(fc, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    const AVCodec *c = avcodec_find_decoder(fc->streams[si]->codecpar->codec_id);
    AVCodecContext *d = avcodec_alloc_context3(c);
    avcodec_parameters_to_context(d, fc->streams[si]->codecpar);
    d->thread_count = 1;
    avcodec_open2(d, c, NULL);
    av_seek_frame(fc, si, ix->pts[a], AVSEEK_FLAG_BACKWARD);
    AVPacket *p = av_packet_alloc();
    AVFrame *f = av_frame_alloc();
    uint64_t got = 0, decoded = 0;
    int64_t last = ix->pts[a + n - 1];
    struct SwsContext *sws = NULL;
    uint8_t *rgb = NULL;
    int eof = 0;
    while (got < n && !eof) {
        if (av_read_frame(fc, p) < 0) {
            avcodec_send_packet(d, NULL);
            eof = 1;
        } else {
            if (p->stream_index == si)
                avcodec_send_packet(d, p);
            av_packet_unref(p);
        }
        while (avcodec_receive_frame(d, f) == 0) {
            decoded++;
            int64_t t = f->best_effort_timestamp;
            if (t >= ix->pts[a] && t <= last) {
                /* loaders hand out RGB: convert the frames of the window */
                if (!sws) {
                    sws = sws_getContext(f->width, f->height, f->format, f->width, f->height,
                                         AV_PIX_FMT_RGB24, SWS_BILINEAR, NULL, NULL, NULL);
                    rgb = malloc((size_t)f->width * f->height * 3);
                }
                uint8_t *dst[4] = { rgb, NULL, NULL, NULL };
                int ls[4] = { f->width * 3, 0, 0, 0 };
                sws_scale(sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, dst, ls);
                got++;
            }
            av_frame_unref(f);
        }
    }
    sws_freeContext(sws);
    free(rgb);
    av_frame_free(&f);
    av_packet_free(&p);
    avcodec_free_context(&d);
    avformat_close_input(&fc);
    return decoded;
}

/* ---- ours ------------------------------------------------------------------ */

static int pack_one(const char *dst, const char *src, int mode, uint32_t gop, uint64_t *bytes)
{
    synapt_writer *w;
    synapt_writer_options wo = SYNAPT_WRITER_OPTIONS_INIT;
    wo.fsync = 0;
    char err[512];
    if (synapt_writer_create(&w, dst, &wo, err, sizeof err))
        return -1;
    synapt_clip_desc cd = SYNAPT_CLIP_DESC_INIT;
    cd.id = "clip";
    synapt_writer_begin_clip(w, &cd);
    synapt_video_import_options o = SYNAPT_VIDEO_IMPORT_OPTIONS_INIT;
    o.mode = mode;
    o.gop = gop;
    synapt_video_import_result res;
    int rc = synapt_video_import(&res, w, src, &o, err, sizeof err);
    if (rc) {
        fprintf(stderr, "bench_video: %s\n", err);
        synapt_writer_abort(w);
        return rc;
    }
    *bytes = res.bytes;
    return synapt_writer_close(w, err, sizeof err);
}

/* random windows of n frames per second over `secs` seconds at most */
static double ours_windows(synapt_reader *r, uint64_t frames, uint64_t n, int count, uint8_t *buf, size_t cap)
{
    double t0 = bench_wall_s();
    int done = 0;
    for (; done < count; done++) {
        uint64_t a = rnd() % (frames - n + 1);
        if (synapt_video_read(buf, cap, NULL, r, 0, 0, a, n, SYNAPT_PIXFMT_RGB24))
            return -1;
    }
    return done / (bench_wall_s() - t0);
}

static double base_windows(const char *path, const src_index *ix, uint64_t n, int count, double *dec_per)
{
    double t0 = bench_wall_s();
    uint64_t dec = 0;
    for (int i = 0; i < count; i++) {
        uint64_t a = rnd() % (ix->n - n + 1);
        dec += baseline_window(path, ix, a, n);
    }
    *dec_per = (double)dec / count;
    return count / (bench_wall_s() - t0);
}

/* bare libavcodec: demux everything first, then time only the decode */
static double bare_decode_fps(const char *path)
{
    AVFormatContext *fc = NULL;
    if (avformat_open_input(&fc, path, NULL, NULL) < 0 || avformat_find_stream_info(fc, NULL) < 0)
        return -1;
    int si = av_find_best_stream(fc, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    AVPacket **pk = NULL;
    size_t np = 0, cap = 0;
    AVPacket *p = av_packet_alloc();
    while (av_read_frame(fc, p) >= 0) {
        if (p->stream_index == si && p->size > 0) {
            if (np == cap)
                pk = realloc(pk, (cap = cap ? cap * 2 : 256) * sizeof *pk);
            pk[np++] = av_packet_clone(p);
        }
        av_packet_unref(p);
    }
    const AVCodec *c = avcodec_find_decoder(fc->streams[si]->codecpar->codec_id);
    AVCodecContext *d = avcodec_alloc_context3(c);
    avcodec_parameters_to_context(d, fc->streams[si]->codecpar);
    d->thread_count = 1;
    avcodec_open2(d, c, NULL);
    AVFrame *f = av_frame_alloc();
    uint64_t frames = 0;
    double t0 = bench_wall_s();
    for (size_t i = 0; i <= np; i++) {
        avcodec_send_packet(d, i < np ? pk[i] : NULL);
        while (avcodec_receive_frame(d, f) == 0) {
            frames++;
            av_frame_unref(f);
        }
    }
    double fps = frames / (bench_wall_s() - t0);
    for (size_t i = 0; i < np; i++)
        av_packet_free(&pk[i]);
    free(pk);
    av_frame_free(&f);
    av_packet_free(&p);
    avcodec_free_context(&d);
    avformat_close_input(&fc);
    return fps;
}

static double ours_decode_fps(synapt_reader *r, uint64_t frames, int format, uint8_t *buf, size_t cap, size_t fb)
{
    double t0 = bench_wall_s();
    for (uint64_t a = 0; a < frames; a += 32) {
        uint64_t n = frames - a < 32 ? frames - a : 32;
        if (synapt_video_read(buf, cap, NULL, r, 0, 0, a, n, format))
            return -1;
    }
    (void)fb;
    return frames / (bench_wall_s() - t0);
}

struct srcdef { const char *name, *args; int windows; };

int main(int argc, char **argv)
{
    av_log_set_level(AV_LOG_QUIET);
    char dir[] = "/tmp/synapt-bench-video.XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    int quick = argc > 1 && !strcmp(argv[1], "--quick");
    static const struct srcdef srcs[] = {
        { "kinetics_like_340x256", "-f lavfi -i testsrc2=size=340x256:rate=30 -t 10 -c:v libx264 -preset fast "
                                   "-bf 3 -g 250 -pix_fmt yuv420p", 40 },
        { "hd_1280x720", "-f lavfi -i testsrc2=size=1280x720:rate=30 -t 5 -c:v libx264 -preset fast "
                         "-bf 3 -g 150 -pix_fmt yuv420p", 12 },
    };
    printf("# bench_video\n\nsynapt %s, FFmpeg libavcodec %s; one decoder thread on both sides.\n\n",
           synapt_version(), AV_STRINGIFY(LIBAVCODEC_VERSION));
    for (size_t s = 0; s < sizeof srcs / sizeof srcs[0]; s++) {
        char src[256], dst[256], cmd[1024];
        snprintf(src, sizeof src, "%s/%s.mp4", dir, srcs[s].name);
        snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -y %s '%s'", srcs[s].args, src);
        if (system(cmd) != 0) {
            printf("(skipped %s: ffmpeg could not make it)\n", srcs[s].name);
            continue;
        }
        int count = quick ? srcs[s].windows / 4 : srcs[s].windows;
        src_index ix;
        if (index_source(&ix, src))
            continue;
        FILE *sf = fopen(src, "rb");
        long src_bytes = 0;
        if (sf) {
            fseek(sf, 0, SEEK_END);
            src_bytes = ftell(sf);
            fclose(sf);
        }
        printf("## %s (%llu frames, source GOP from the file)\n\n", srcs[s].name, (unsigned long long)ix.n);
        double dec_per;
        double bw = base_windows(src, &ix, 16, count, &dec_per);
        double b1 = base_windows(src, &ix, 1, count, &dec_per);
        double dec1 = dec_per;
        base_windows(src, &ix, 16, count, &dec_per);

        struct { const char *label; int mode; uint32_t gop; } modes[] = {
            { "copy (source GOP)", SYNAPT_VSTORE_COPY, 0 }, { "h264 GOP 32", SYNAPT_VSTORE_H264, 32 },
            { "h264 GOP 8", SYNAPT_VSTORE_H264, 8 }, { "h264 GOP 1", SYNAPT_VSTORE_H264, 1 },
            { "mjpeg", SYNAPT_VSTORE_MJPEG, 0 }, { "ffv1", SYNAPT_VSTORE_FFV1, 0 }, { "raw", SYNAPT_VSTORE_RAW, 0 },
        };
        printf("RGB24 out on both sides. Random windows are in random order.\n\n");
        printf("| storage | bytes/frame | 16-frame windows/s | x baseline | single frames/s | x baseline |\n");
        printf("|---|---:|---:|---:|---:|---:|\n");
        printf("| baseline: source file, open + av_seek_frame + decode (%.0f frames decoded per window, "
               "%.0f per single frame) | %.0f | %.1f | 1.00 | %.1f | 1.00 |\n", dec_per, dec1,
               (double)src_bytes / (double)ix.n, bw, b1);
        double copy_fps_native = 0, copy_fps_rgb = 0, bare = 0;
        for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
            uint64_t bytes = 0;
            snprintf(dst, sizeof dst, "%s/%s.%zu.synapt", dir, srcs[s].name, m);
            if (pack_one(dst, src, modes[m].mode, modes[m].gop, &bytes))
                continue;
            synapt_reader *r;
            if (synapt_reader_open(&r, dst, NULL))
                continue;
            synapt_video_info vi;
            synapt_video_get_info(&vi, r, 0, 0);
            size_t cap = vi.rgb_frame_bytes * 32;
            uint8_t *buf = malloc(cap);
            double w16 = ours_windows(r, vi.frame_count, 16, count, buf, cap);
            double w1 = ours_windows(r, vi.frame_count, 1, count, buf, cap);
            printf("| %s | %.0f | %.1f | %.2f | %.1f | %.2f |\n", modes[m].label,
                   (double)bytes / (double)vi.frame_count, w16, w16 / bw, w1, w1 / b1);
            if (m == 0) {
                /* best of three, alternating with the bare decode: this
                 * machine is shared, so single timings are noisy */
                for (int k = 0; k < 3; k++) {
                    double v = ours_decode_fps(r, vi.frame_count, SYNAPT_PIXFMT_NATIVE, buf, cap, 0);
                    if (v > copy_fps_native) copy_fps_native = v;
                    v = ours_decode_fps(r, vi.frame_count, SYNAPT_PIXFMT_RGB24, buf, cap, 0);
                    if (v > copy_fps_rgb) copy_fps_rgb = v;
                    v = bare_decode_fps(src);
                    if (v > bare) bare = v;
                }
            }
            free(buf);
            synapt_reader_close(r);
            unlink(dst);
        }
        printf("\nSequential decode, copy mode, windows of 32: native %.0f frames/s, RGB24 %.0f frames/s; "
               "bare libavcodec on the same packets (no copy out) %.0f frames/s: overhead %.1f%% "
               "(native, planes packed into the caller's buffer).\n\n",
               copy_fps_native, copy_fps_rgb, bare, 100.0 * (bare / copy_fps_native - 1.0));
        free(ix.pts);
        unlink(src);
    }
    rmdir(dir);
    return 0;
}
