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
 *  4. random windows on the real videos of ../shared/realdata/videos
 *     (SYNAPT_REALDATA overrides) and on made awkward cases (a 5-frame
 *     720p MPEG-4 clip, 1080p H.264 with a long GOP, an odd-sized VP9
 *     clip), copy and --gop 8, at 1 and 2 decoder threads.
 * Sources 1-3 are made here with the ffmpeg CLI (a Kinetics-like 340x256
 * clip with a long GOP and B-frames, and a 1280x720 one). Times are CPU
 * time of the process (one decoder thread), medians where rounds repeat;
 * the thread columns are wall-clock. Prints markdown.
 * Usage: bench_video [--quick] [--real] (--real: section 4 only). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>
#include <libswscale/swscale.h>

#include "synapt.h"
#include "bench_util.h"

/* CPU time of the process: other jobs on the shared machine do not count
 * (one decoder thread, so CPU time is the time a window costs); wall clock
 * only where threads are compared */
static double now(void) { return bench_cpu_s(); }
static double wall(void) { return bench_wall_s(); }

static uint64_t rs = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void) { return bench_rng64(&rs); }

/* ---- the baseline: open, seek, decode forward (what loaders do) -------- */

typedef struct src_index {
    int64_t *pts;      /* presentation pts of each frame, in order */
    uint64_t n;
    char desc[64];     /* "h264 1280x720" */
} src_index;

/* decode the whole file once to list frame pts (loaders build this at open) */
static int index_source(src_index *ix, const char *path)
{
    AVFormatContext *fc = NULL;
    if (avformat_open_input(&fc, path, NULL, NULL) < 0 || avformat_find_stream_info(fc, NULL) < 0)
        return -1;
    int si = av_find_best_stream(fc, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (si < 0) {
        avformat_close_input(&fc);
        return -1;
    }
    const AVCodecParameters *cp = fc->streams[si]->codecpar;
    snprintf(ix->desc, sizeof ix->desc, "%s %dx%d", avcodec_get_name(cp->codec_id), cp->width, cp->height);
    const AVCodec *c = avcodec_find_decoder(cp->codec_id);
    AVCodecContext *d = avcodec_alloc_context3(c);
    avcodec_parameters_to_context(d, cp);
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
                    /* swscale writes whole SIMD blocks past a row's end
                     * (odd widths): slack after the last row */
                    rgb = malloc((size_t)f->width * f->height * 3 + 256);
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

static int pack_one_msg(const char *dst, const char *src, int mode, uint32_t gop, uint64_t *bytes,
                        char *err, size_t errsz)
{
    synapt_writer *w;
    synapt_writer_options wo = SYNAPT_WRITER_OPTIONS_INIT;
    wo.fsync = 0;
    if (synapt_writer_create(&w, dst, &wo, err, sizeof err))
        return -1;
    synapt_clip_desc cd = SYNAPT_CLIP_DESC_INIT;
    cd.id = "clip";
    synapt_writer_begin_clip(w, &cd);
    synapt_video_import_options o = SYNAPT_VIDEO_IMPORT_OPTIONS_INIT;
    o.mode = mode;
    o.gop = gop;
    synapt_video_import_result res;
    int rc = synapt_video_import(&res, w, src, &o, err, errsz);
    if (rc) {
        synapt_writer_abort(w);
        return rc;
    }
    *bytes = res.bytes;
    return synapt_writer_close(w, err, errsz);
}

static int pack_one(const char *dst, const char *src, int mode, uint32_t gop, uint64_t *bytes)
{
    char err[512];
    int rc = pack_one_msg(dst, src, mode, gop, bytes, err, sizeof err);
    if (rc)
        fprintf(stderr, "bench_video: %s\n", err);
    return rc;
}

/* random windows of n frames per second over `secs` seconds at most */
static double ours_windows(synapt_reader *r, uint64_t frames, uint64_t n, int count, uint8_t *buf, size_t cap)
{
    double t0 = now();
    int done = 0;
    for (; done < count; done++) {
        uint64_t a = rnd() % (frames - n + 1);
        if (synapt_video_read(buf, cap, NULL, r, 0, 0, a, n, SYNAPT_PIXFMT_RGB24))
            return -1;
    }
    return done / (now() - t0);
}

static double base_windows(const char *path, const src_index *ix, uint64_t n, int count, double *dec_per)
{
    double t0 = now();
    uint64_t dec = 0;
    for (int i = 0; i < count; i++) {
        uint64_t a = rnd() % (ix->n - n + 1);
        dec += baseline_window(path, ix, a, n);
    }
    *dec_per = (double)dec / count;
    return count / (now() - t0);
}

static double ours_decode_fps(synapt_reader *r, uint64_t frames, int format, uint8_t *buf, size_t cap, size_t fb)
{
    double t0 = now();
    for (uint64_t a = 0; a < frames; a += 32) {
        uint64_t n = frames - a < 32 ? frames - a : 32;
        if (synapt_video_read(buf, cap, NULL, r, 0, 0, a, n, format))
            return -1;
    }
    (void)fb;
    return frames / (now() - t0);
}


/* ---- the decode floor of a window ---------------------------------------- */

/* The source's video packets demuxed once into memory, with a decoder and
 * a scaler kept open: what is left of a window when nothing but libavcodec
 * and libswscale run. */
typedef struct bare_src {
    AVPacket **pk;
    size_t np;
    AVCodecContext *d;
    AVFrame *f;
    struct SwsContext *sws;
    uint8_t *rgb;
    size_t next;       /* next packet to send; b->np + 1 after the drain */
    int64_t hi;        /* highest pts output since the last flush */
    int active;        /* something sent since the last flush */
} bare_src;

static void bare_close(bare_src *b)
{
    for (size_t i = 0; i < b->np; i++)
        av_packet_free(&b->pk[i]);
    free(b->pk);
    av_frame_free(&b->f);
    avcodec_free_context(&b->d);
    sws_freeContext(b->sws);
    free(b->rgb);
    memset(b, 0, sizeof *b);
}

static int bare_open(bare_src *b, const char *path)
{
    memset(b, 0, sizeof *b);
    AVFormatContext *fc = NULL;
    if (avformat_open_input(&fc, path, NULL, NULL) < 0 || avformat_find_stream_info(fc, NULL) < 0)
        return -1;
    int si = av_find_best_stream(fc, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    AVPacket *p = av_packet_alloc();
    size_t cap = 0;
    while (si >= 0 && av_read_frame(fc, p) >= 0) {
        if (p->stream_index == si && p->size > 0) {
            if (b->np == cap)
                b->pk = realloc(b->pk, (cap = cap ? cap * 2 : 256) * sizeof *b->pk);
            b->pk[b->np++] = av_packet_clone(p);
        }
        av_packet_unref(p);
    }
    av_packet_free(&p);
    const AVCodec *c = si >= 0 ? avcodec_find_decoder(fc->streams[si]->codecpar->codec_id) : NULL;
    if (c && (b->d = avcodec_alloc_context3(c))) {
        avcodec_parameters_to_context(b->d, fc->streams[si]->codecpar);
        b->d->thread_count = 1;
        b->d->pkt_timebase = fc->streams[si]->time_base;
    }
    avformat_close_input(&fc);
    b->f = av_frame_alloc();
    if (!c || !b->d || avcodec_open2(b->d, c, NULL) < 0 || !b->np || !b->f) {
        bare_close(b);
        return -1;
    }
    return 0;
}

/* Frames [a, a+n) from the last keyframe whose pts is at or before frame
 * a's, every packet decoded, the window's frames converted to RGB24; the
 * decoder flushed, not reopened, between windows. As the reader does, a
 * decoder that has output nothing at or past frame a and has not passed
 * that keyframe carries on instead. Frames decoded, 0 when the window did
 * not come out. */
static uint64_t bare_window(bare_src *b, const src_index *ix, uint64_t a, uint64_t n)
{
    int64_t first = ix->pts[a], last = ix->pts[a + n - 1];
    size_t k = 0;
    for (size_t i = 0; i < b->np; i++) {
        int64_t t = b->pk[i]->pts != AV_NOPTS_VALUE ? b->pk[i]->pts : b->pk[i]->dts;
        if ((b->pk[i]->flags & AV_PKT_FLAG_KEY) && t != AV_NOPTS_VALUE && t <= first)
            k = i;
    }
    if (!(b->active && b->hi < first && k <= b->next && b->next <= b->np)) {
        avcodec_flush_buffers(b->d);
        b->next = k;
        b->hi = INT64_MIN;
        b->active = 1;
    }
    uint64_t got = 0, decoded = 0;
    for (; b->next <= b->np && got < n; b->next++) {
        avcodec_send_packet(b->d, b->next < b->np ? b->pk[b->next] : NULL);
        while (avcodec_receive_frame(b->d, b->f) == 0) {
            decoded++;
            int64_t t = b->f->best_effort_timestamp;
            if (t > b->hi)
                b->hi = t;
            if (t >= first && t <= last) {
                if (!b->sws) {
                    b->sws = sws_getContext(b->f->width, b->f->height, b->f->format, b->f->width, b->f->height,
                                            AV_PIX_FMT_RGB24, SWS_BICUBIC, NULL, NULL, NULL);
                    b->rgb = malloc((size_t)b->f->width * b->f->height * 3 + 256);
                }
                uint8_t *dst[4] = { b->rgb, NULL, NULL, NULL };
                int ls[4] = { b->f->width * 3, 0, 0, 0 };
                sws_scale(b->sws, (const uint8_t *const *)b->f->data, b->f->linesize, 0, b->f->height, dst, ls);
                got++;
            }
            av_frame_unref(b->f);
        }
    }
    return got == n ? decoded : 0;
}

/* bare libavcodec: demux everything first (bare_open, below), then time
 * only the decode */
static double bare_decode_fps(const char *path)
{
    bare_src b;
    if (bare_open(&b, path))
        return -1;
    uint64_t frames = 0;
    double t0 = now();
    for (size_t i = 0; i <= b.np; i++) {
        avcodec_send_packet(b.d, i < b.np ? b.pk[i] : NULL);
        while (avcodec_receive_frame(b.d, b.f) == 0) {
            frames++;
            av_frame_unref(b.f);
        }
    }
    double fps = frames / (now() - t0);
    bare_close(&b);
    return fps;
}

/* ---- real videos and awkward shapes ------------------------------------ */

/* One source of the second section: windows of min(16, frames) frames at
 * the same random starts for every row; the median of `rounds` rounds
 * whose rows run one after the other, CPU time. */
typedef struct rrow { const char *label; int mode; uint32_t gop; int threads; } rrow;

static synapt_reader *open_threads(const char *path, int threads)
{
    synapt_reader_options ro = SYNAPT_READER_OPTIONS_INIT;
    ro.video_threads = threads;
    synapt_reader *r = NULL;
    return synapt_reader_open(&r, path, &ro) ? NULL : r;
}

/* windows of n frames at starts[0..count), timed with clock(): rate/s */
static double run_windows(synapt_reader *r, const uint64_t *starts, int count, uint64_t n, uint8_t *buf,
                          size_t cap, double (*clock_fn)(void))
{
    double t0 = clock_fn();
    for (int i = 0; i < count; i++)
        if (synapt_video_read(buf, cap, NULL, r, 0, 0, starts[i], n, SYNAPT_PIXFMT_RGB24))
            return -1;
    return count / (clock_fn() - t0);
}

static void real_source(const char *name, const char *src, const char *dir, int count, int rounds)
{
    src_index ix;
    if (index_source(&ix, src)) {
        printf("| %s | (libavformat cannot read it) | | | | | | | | | | |\n", name);
        return;
    }
    uint64_t n = ix.n < 16 ? ix.n : 16;
    if (n == 0) {
        free(ix.pts);
        return;
    }
    static const rrow rows[] = {
        { "copy", SYNAPT_VSTORE_COPY, 0, 1 },
        { "h264 --gop 8", SYNAPT_VSTORE_H264, 8, 1 },
    };
    enum { NR = sizeof rows / sizeof rows[0] };
    char dst[NR][512];
    synapt_reader *rd[NR] = { NULL }, *rd2[NR] = { NULL };
    const char *why[NR] = { NULL };
    char errs[NR][160];
    uint64_t starts[256];
    if (count > 256)
        count = 256;
    for (int i = 0; i < count; i++)
        starts[i] = rnd() % (ix.n - n + 1);
    size_t cap = 0;
    for (int k = 0; k < NR; k++) {
        uint64_t bytes;
        snprintf(dst[k], sizeof dst[k], "%s/%s.%d.synapt", dir, name, k);
        errs[k][0] = 0;
        if (pack_one_msg(dst[k], src, rows[k].mode, rows[k].gop, &bytes, errs[k], sizeof errs[k])) {
            why[k] = errs[k];
            continue;
        }
        rd[k] = open_threads(dst[k], 1);
        rd2[k] = open_threads(dst[k], 2);
        synapt_video_info vi;
        if (!rd[k] || !rd2[k] || synapt_video_get_info(&vi, rd[k], 0, 0) || vi.frame_count != ix.n) {
            why[k] = "frame count differs from libavcodec's";
            continue;
        }
        if (vi.rgb_frame_bytes * n > cap)
            cap = vi.rgb_frame_bytes * n;
    }
    uint8_t *buf = malloc(cap ? cap : 1);
    bare_src bs;
    int bare_ok = bare_open(&bs, src) == 0;
    double base[16], bare[16], ours[NR][16], two_wall[NR][16], one_wall[NR][16];
    if (rounds > 16)
        rounds = 16;
    double dec = 0;
    for (int q = 0; q < rounds; q++) {
        double t0 = now();
        uint64_t d = 0;
        for (int i = 0; i < count; i++)
            d += baseline_window(src, &ix, starts[i], n);
        base[q] = count / (now() - t0);
        dec = (double)d / count;
        t0 = now();
        for (int i = 0; i < count && bare_ok; i++)
            if (!bare_window(&bs, &ix, starts[i], n))
                bare_ok = 0;
        bare[q] = count / (now() - t0);
        for (int k = 0; k < NR; k++) {
            if (why[k])
                continue;
            ours[k][q] = run_windows(rd[k], starts, count, n, buf, cap, now);
            /* wall clock: once, in the last round (slow on a busy machine) */
            if (q == rounds - 1) {
                one_wall[k][0] = run_windows(rd[k], starts, count, n, buf, cap, wall);
                two_wall[k][0] = run_windows(rd2[k], starts, count, n, buf, cap, wall);
            }
        }
    }
    double b = bench_median(base, rounds);
    printf("| %s | %s, %llu frames | %llu | %.1f (%.0f decoded) |", name, ix.desc, (unsigned long long)ix.n,
           (unsigned long long)n, b, dec);
    if (bare_ok) {
        double f = bench_median(bare, rounds);
        printf(" %.1f | %.2f |", f, f / b);
    } else {
        printf(" n/a | n/a |");
    }
    bare_close(&bs);
    for (int k = 0; k < NR; k++) {
        if (why[k]) {
            printf(" %s | | |", why[k]);
            continue;
        }
        double o = bench_median(ours[k], rounds), w1 = one_wall[k][0], w2 = two_wall[k][0];
        printf(" %.1f | **%.2f** | %.1f / %.1f |", o, o / b, w1, w2);
    }
    printf("\n");
    fflush(stdout);
    for (int k = 0; k < NR; k++) {
        synapt_reader_close(rd[k]);
        synapt_reader_close(rd2[k]);
        unlink(dst[k]);
    }
    free(buf);
    free(ix.pts);
}

struct srcdef { const char *name, *args; int windows; };

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Made edge cases first (a 5-frame 720p MPEG-4 clip, 1080p H.264 with a
 * long GOP, an odd-sized VP9 clip), then every file in
 * ../shared/realdata/videos (SYNAPT_REALDATA overrides). */
static void real_section(const char *dir, int quick)
{
    static const struct srcdef made[] = {
        { "made_mpeg4_720p_5frames", "-f lavfi -i testsrc2=size=1280x720:rate=30 -frames:v 5 -c:v mpeg4 -q:v 4", 0 },
        { "made_h264_1080p_gop120", "-f lavfi -i testsrc2=size=1920x1080:rate=30 -t 4 -c:v libx264 -preset fast "
                                    "-bf 3 -g 120 -pix_fmt yuv420p", 0 },
        /* through swscale: testsrc2 itself rounds a 4:2:0 size down to even */
        { "made_vp9_427x240", "-f lavfi -i testsrc2=size=428x240:rate=12 -vf scale=427:240,format=yuv420p "
                              "-frames:v 48 -c:v libvpx-vp9 -deadline realtime", 0 },
    };
    static const char *ext[] = { "avi", "mp4", "webm" };
    int count = quick ? 6 : 16, rounds = quick ? 3 : 5;
    printf("## Real videos and awkward shapes\n\n"
           "Random windows of min(16, frames) frames, RGB24 out, the same starts in every column; "
           "median of %d rounds of %d windows, CPU time of the process with one decoder thread "
           "(the baseline opens the source, av_seek_frame, decodes forward and converts the window's "
           "frames with swscale). The last column of each storage is wall-clock windows/s with "
           "`video_threads` 1 / 2 (frame threads), one pass in the last round, which a busy machine "
           "understates. \"Decode floor\" is libavcodec and libswscale alone on the source's packets, "
           "demuxed into memory beforehand, decoder flushed rather than reopened: every packet from the "
           "last keyframe at or before the window decoded (or, as the reader does, decoding carried on "
           "when the decoder has not yet passed the window's start), the window converted. Its ratio to "
           "the baseline is the most a copy-mode reader can gain where it has to decode the same frames "
           "(no frame it may skip); it goes past it only by skipping frames, as it does with B-frames "
           "before a window.\n\n", rounds, count);
    printf("| source | codec, frames | window | baseline windows/s (frames decoded) | decode floor | "
           "floor x baseline | copy | x baseline | copy wall 1 / 2 threads | h264 --gop 8 | x baseline | "
           "gop 8 wall 1 / 2 threads |\n");
    printf("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (size_t s = 0; s < sizeof made / sizeof made[0]; s++) {
        char src[512], cmd[1024];
        snprintf(src, sizeof src, "%s/%s.%s", dir, made[s].name, ext[s]);
        snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -y %s '%s'", made[s].args, src);
        if (system(cmd) != 0) {
            printf("| %s | (ffmpeg could not make it) | | | | | | | | | | |\n", made[s].name);
            continue;
        }
        real_source(made[s].name, src, dir, count, rounds);
        unlink(src);
    }
    const char *rd = getenv("SYNAPT_REALDATA");
    char vdir[1024];
    snprintf(vdir, sizeof vdir, "%s/videos", rd && *rd ? rd : "../shared/realdata");
    DIR *d = opendir(vdir);
    if (!d) {
        printf("\n(real videos skipped: %s not found; set SYNAPT_REALDATA)\n\n", vdir);
        return;
    }
    char *names[256];
    int nn = 0;
    struct dirent *e;
    while ((e = readdir(d)) && nn < 256)
        if (e->d_name[0] != '.')
            names[nn++] = strdup(e->d_name);
    closedir(d);
    qsort(names, (size_t)nn, sizeof *names, name_cmp);
    for (int i = 0; i < nn; i++) {
        char src[1400], nm[256];
        snprintf(src, sizeof src, "%s/%s", vdir, names[i]);
        snprintf(nm, sizeof nm, "%s", names[i]);
        char *dot = strrchr(nm, '.');
        if (dot)
            *dot = 0;
        real_source(nm, src, dir, count, rounds);
        free(names[i]);
    }
    printf("\n");
}


int main(int argc, char **argv)
{
    av_log_set_level(AV_LOG_QUIET);
    char dir[] = "/tmp/synapt-bench-video.XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    int quick = 0, real_only = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick"))
            quick = 1;
        else if (!strcmp(argv[i], "--real"))
            real_only = 1;
        else {
            fprintf(stderr, "usage: bench_video [--quick] [--real]\n");
            return 2;
        }
    }
    static const struct srcdef srcs[] = {
        { "kinetics_like_340x256", "-f lavfi -i testsrc2=size=340x256:rate=30 -t 10 -c:v libx264 -preset fast "
                                   "-bf 3 -g 250 -pix_fmt yuv420p", 40 },
        { "hd_1280x720", "-f lavfi -i testsrc2=size=1280x720:rate=30 -t 5 -c:v libx264 -preset fast "
                         "-bf 3 -g 150 -pix_fmt yuv420p", 12 },
    };
    printf("# bench_video\n\nsynapt %s, FFmpeg libavcodec %s; one decoder thread on both sides.\n\n",
           synapt_version(), AV_STRINGIFY(LIBAVCODEC_VERSION));
    for (size_t s = 0; !real_only && s < sizeof srcs / sizeof srcs[0]; s++) {
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
    real_section(dir, quick);
    rmdir(dir);
    return 0;
}
