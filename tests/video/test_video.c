/* test_video.c - encoded video streams end to end: import through the
 * writer, read back through the reader, and compare with what ffmpeg and
 * ffprobe say about the source.
 *
 * For every source (videos made here with the ffmpeg CLI's encoders, plus
 * every file in $SYNAPT_REALDATA/videos) and storage mode:
 *   - the frame count equals `ffprobe -count_frames`;
 *   - copy, raw and ffv1: every frame's md5 equals `ffmpeg -f framemd5`;
 *   - h264, hevc, mjpeg: PSNR against the copy-mode frames is printed and
 *     must be above a floor;
 *   - random windows read through random access equal the sequential read.
 * Plus damaged inputs, resizing, export, and bad codec_config. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>
#include <sys/stat.h>

#include <libavutil/log.h>

#include "synapt.h"
#include "testutil.h"
#include "video_internal.h" /* white box: vid_import_run with a sink that forges keyframe flags */

/* libx265 keeps a few allocations of its own until exit; LeakSanitizer
 * (make asan) is told so here rather than in a global options file. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libx265.so\n"; }

static char tmpdir[512];
static int have_ffmpeg;

static int sh(const char *cmd)
{
    int rc = system(cmd);
    return rc;
}

static char *path_in(const char *name)
{
    static char buf[8][700];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

/* Lines of a command's stdout, malloc'd; *n gets the count. */
static char **lines_of(const char *cmd, size_t *n)
{
    FILE *p = popen(cmd, "r");
    *n = 0;
    if (!p)
        return NULL;
    char **v = NULL;
    size_t cap = 0;
    char line[1024];
    while (fgets(line, sizeof line, p)) {
        line[strcspn(line, "\r\n")] = 0;
        if (*n == cap) {
            cap = cap ? cap * 2 : 256;
            v = realloc(v, cap * sizeof *v);
        }
        v[(*n)++] = strdup(line);
    }
    pclose(p);
    return v;
}

static void free_lines(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static long long ffprobe_frames(const char *src)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "ffprobe -v error -count_frames -select_streams v:0 "
             "-show_entries stream=nb_read_frames -of csv=p=0 '%s'", src);
    size_t n;
    char **l = lines_of(cmd, &n);
    long long v = n ? atoll(l[0]) : -1;
    free_lines(l, n);
    return v;
}

/* ffmpeg's framemd5 hashes, one per frame. */
static char **ffmpeg_md5(const char *src, size_t *n)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -i '%s' -map 0:v:0 -f framemd5 - "
             "| grep -v '^#' | sed 's/.*, *//'", src);
    return lines_of(cmd, n);
}

/* Pack `src` with `mode` into `dst`; returns the import's return code. */
static int pack(const char *dst, const char *src, int mode, uint32_t short_side,
                synapt_video_import_result *res, char *err, size_t errsz)
{
    synapt_writer *w;
    synapt_writer_options wo = SYNAPT_WRITER_OPTIONS_INIT;
    wo.fsync = 0;
    int rc = synapt_writer_create(&w, dst, &wo, err, errsz);
    if (rc)
        return rc;
    synapt_clip_desc cd = SYNAPT_CLIP_DESC_INIT;
    cd.id = "clip";
    if ((rc = synapt_writer_begin_clip(w, &cd))) {
        synapt_writer_abort(w);
        return rc;
    }
    synapt_video_import_options o = SYNAPT_VIDEO_IMPORT_OPTIONS_INIT;
    o.mode = mode;
    o.short_side = short_side;
    o.threads = 2;
    rc = synapt_video_import(res, w, src, &o, err, errsz);
    if (rc) {
        synapt_writer_abort(w);
        return rc;
    }
    return synapt_writer_close(w, err, errsz);
}

static double psnr(const uint8_t *a, const uint8_t *b, size_t n)
{
    double se = 0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)a[i] - (double)b[i];
        se += d * d;
    }
    if (se == 0)
        return 99.0;
    return 10.0 * log10(255.0 * 255.0 * (double)n / se);
}

static uint64_t rng_state = 88172645463325252ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Everything about one source in one mode. ref_rgb: copy-mode RGB frames
 * (for PSNR of lossy modes), filled when mode is copy. */
static void check_one(const char *name, const char *src, int mode, uint8_t **ref_rgb, size_t *ref_size)
{
    char label[600], err[600], dst[700];
    snprintf(label, sizeof label, "video_%s_%s", name, synapt_video_mode_name(mode));
    tu_begin(label);
    snprintf(dst, sizeof dst, "%s/%s.%s.synapt", tmpdir, name, synapt_video_mode_name(mode));
    synapt_video_import_result res;
    int rc = pack(dst, src, mode, 0, &res, err, sizeof err);
    if (rc == SYNAPT_E_UNSUPPORTED && mode != SYNAPT_VSTORE_COPY) {
        tu_skip(label, err);
        return;
    }
    if (rc) {
        printf("  pack failed: %s\n", err);
        CHECK_OK(rc);
        tu_end();
        return;
    }
    if (res.damaged)
        printf("  %s\n", err);
    CHECK(!res.damaged); /* intact sources must not be called damaged */
    synapt_reader *r;
    CHECK_OK(rc = synapt_reader_open(&r, dst, NULL));
    if (rc) {
        tu_end();
        return;
    }
    synapt_video_info vi;
    CHECK_OK(synapt_video_get_info(&vi, r, 0, 0));
    long long want = ffprobe_frames(src);
    CHECK_EQ_INT(vi.frame_count, want);
    /* every mode keeps the source's size, odd ones included */
    CHECK_EQ_INT(vi.width, res.src_width);
    CHECK_EQ_INT(vi.height, res.src_height);
    CHECK_EQ_INT(res.frames, want);
    uint64_t n = vi.frame_count;
    char *md5 = calloc(n + 1, 33);
    CHECK_OK(synapt_video_frame_md5(md5, r, 0, 0, 0, n));
    int exact = mode == SYNAPT_VSTORE_COPY || mode == SYNAPT_VSTORE_RAW ||
                (mode == SYNAPT_VSTORE_FFV1 && vi.width == res.src_width);
    if (exact) {
        size_t fn;
        char **ff = ffmpeg_md5(src, &fn);
        CHECK_EQ_INT(fn, n);
        int bad = 0;
        for (uint64_t i = 0; i < n && i < fn; i++)
            if (strcmp(ff[i], md5 + i * 33)) {
                if (bad++ < 3)
                    printf("  frame %llu: md5 %s, ffmpeg %s\n", (unsigned long long)i, md5 + i * 33, ff[i]);
            }
        if (mode == SYNAPT_VSTORE_FFV1 && bad) {
            /* ffv1 may not take the source's pixel format; then it is lossless
             * only up to that conversion */
            printf("  note: ffv1 stored %s\n", vi.pix_fmt);
        } else {
            CHECK_EQ_INT(bad, 0);
        }
        free_lines(ff, fn);
    }
    /* RGB of everything, for PSNR and the size check */
    size_t fb = vi.rgb_frame_bytes;
    uint8_t *rgb = malloc(fb * (n ? n : 1));
    size_t wr = 0;
    CHECK_OK(synapt_video_read(rgb, fb * n, &wr, r, 0, 0, 0, n, SYNAPT_PIXFMT_RGB24));
    CHECK_EQ_INT(wr, fb * n);
    CHECK_EQ_INT(fb, (size_t)vi.width * vi.height * 3);
    if (mode == SYNAPT_VSTORE_COPY && fb * n <= (64u << 20)) {
        /* RGB24 is what `ffmpeg -pix_fmt rgb24` gives, byte for byte */
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -i '%s' -map 0:v:0 -fps_mode passthrough -pix_fmt rgb24 -f rawvideo -", src);
        FILE *p = popen(cmd, "r");
        uint8_t *ff = malloc(fb * n + 1);
        size_t got = p && ff ? fread(ff, 1, fb * n + 1, p) : 0;
        if (p)
            pclose(p);
        CHECK_EQ_INT(got, fb * n);
        if (got == fb * n && memcmp(ff, rgb, got)) {
            printf("  %s: RGB differs from ffmpeg's rgb24 (PSNR %.2f dB)\n", label, psnr(ff, rgb, got));
            CHECK(0);
        }
        free(ff);
    }
    if (mode == SYNAPT_VSTORE_COPY) {
        free(*ref_rgb);
        *ref_rgb = rgb;
        *ref_size = fb * n;
        rgb = NULL;
    } else if (!exact && *ref_rgb && *ref_size == fb * n) {
        double p = psnr(rgb, *ref_rgb, fb * n);
        double floor = mode == SYNAPT_VSTORE_MJPEG ? 28.0 : 30.0;
        printf("  %s: PSNR %.2f dB (floor %.0f), %.0f bytes/frame\n", label, p, floor,
               (double)res.bytes / (double)(n ? n : 1));
        CHECK(p > floor);
    }
    free(rgb);
    /* random windows against the sequential hashes; big frames get fewer
     * windows to keep the suite fast (60 windows of 1-16 frames over 100
     * frames start at every frame with probability ~0.45: over the 30-odd
     * sources and modes every start class is hit; the seeded sweep in
     * bench_video does thousands) */
    int windows = (uint64_t)vi.width * vi.height > 400000 ? 20 : 60;
    char *w5 = calloc(17, 33);
    int bad = 0;
    for (int t = 0; t < windows && n; t++) {
        uint64_t len = 1 + rnd() % 16;
        if (len > n)
            len = n;
        uint64_t a = rnd() % (n - len + 1);
        rc = synapt_video_frame_md5(w5, r, 0, 0, a, len);
        if (rc) {
            printf("  window %llu+%llu: %s\n", (unsigned long long)a, (unsigned long long)len,
                   synapt_reader_errmsg(r));
            bad++;
            break;
        }
        for (uint64_t i = 0; i < len; i++)
            if (strcmp(w5 + i * 33, md5 + (a + i) * 33) && bad++ < 3)
                printf("  window %llu+%llu: frame %llu differs\n", (unsigned long long)a,
                       (unsigned long long)len, (unsigned long long)(a + i));
    }
    /* sequential windows continue the decode; they must agree too */
    for (uint64_t a = 0; a < n; a += 16) {
        uint64_t len = n - a < 16 ? n - a : 16;
        if (synapt_video_frame_md5(w5, r, 0, 0, a, len)) {
            bad++;
            break;
        }
        for (uint64_t i = 0; i < len; i++)
            if (strcmp(w5 + i * 33, md5 + (a + i) * 33))
                bad++;
    }
    CHECK_EQ_INT(bad, 0);
    free(w5);
    free(md5);
    synapt_reader_close(r);
    unlink(dst);
    tu_end();
}

struct gen { const char *name, *args; };

static const struct gen gens[] = {
    { "h264_bf_longgop.mp4", "-f lavfi -i testsrc2=size=160x120:rate=25 -t 4 -c:v libx264 -bf 3 -g 100 -pix_fmt yuv420p" },
    { "h264_opengop.mkv", "-f lavfi -i testsrc2=size=160x120:rate=25 -t 4 -c:v libx264 -bf 3 "
                          "-x264-params open-gop=1:keyint=24:min-keyint=24:scenecut=0 -pix_fmt yuv420p" },
    { "mpeg4_bf.avi", "-f lavfi -i testsrc2=size=160x120:rate=25 -t 4 -c:v mpeg4 -bf 2 -g 30" },
    { "vp9_altref.webm", "-f lavfi -i testsrc2=size=160x120:rate=25 -t 4 -c:v libvpx-vp9 -g 40 "
                         "-auto-alt-ref 1 -lag-in-frames 16 -b:v 200k -deadline realtime -cpu-used 8" },
    { "mjpeg.avi", "-f lavfi -i testsrc2=size=160x120:rate=25 -t 2 -c:v mjpeg -q:v 4" },
    { "ffv1.mkv", "-f lavfi -i testsrc2=size=160x120:rate=25 -t 2 -c:v ffv1" },
    { "av1.mkv", "-f lavfi -i testsrc2=size=96x64:rate=25 -t 1 -c:v libsvtav1 -g 12 -preset 12" },
    { "vfr.mkv", "-f lavfi -i testsrc2=size=160x120:rate=30 -t 3 -vf select='not(mod(n\\,3))+lt(n\\,20)' "
                 "-fps_mode vfr -c:v libx264 -bf 2 -g 50" },
    { "odd_vp9.webm", "-f lavfi -i testsrc2=size=161x97:rate=25 -t 2 -c:v libvpx-vp9 -g 30 -deadline realtime -cpu-used 8" },
    { "odd_h264_444.mp4", "-f lavfi -i testsrc2=size=161x97:rate=25 -t 2 -c:v libx264 -pix_fmt yuv444p -bf 2 -g 40" },
    { "h264_10bit.mp4", "-f lavfi -i testsrc2=size=160x120:rate=25 -t 3 -c:v libx264 -pix_fmt yuv420p10le -bf 3 -g 60" },
    /* odd in both directions in 4:2:0 (SSv2 is 427x240): h264/hevc pad by
     * one column and row, readers crop them. Not smaller: libx265 3.5
     * corrupts its heap on frames as small as 34x22 (even ones too) */
    { "odd_yuv420.mkv", "-f lavfi -i testsrc2=size=66x38:rate=12 -vf scale=65:37,format=yuv420p "
                        "-frames:v 12 -c:v ffv1" },
    { "start10.mkv", NULL },   /* from h264_bf_longgop with a 10 s offset */
    { "editlist_neg.mov", NULL }, /* with a -1 s offset: an edit list discards a second */
};

static void test_sources(void)
{
    static const int modes_full[] = { SYNAPT_VSTORE_COPY, SYNAPT_VSTORE_RAW, SYNAPT_VSTORE_FFV1,
                                      SYNAPT_VSTORE_H264, SYNAPT_VSTORE_HEVC, SYNAPT_VSTORE_MJPEG };
    char cmd[1500];
    for (size_t g = 0; g < sizeof gens / sizeof gens[0]; g++) {
        const char *out = path_in(gens[g].name);
        if (gens[g].args)
            snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -y %s '%s' >/dev/null 2>&1", gens[g].args, out);
        else if (!strcmp(gens[g].name, "start10.mkv"))
            snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -y -i '%s' -c copy -output_ts_offset 10 '%s'",
                     path_in("h264_bf_longgop.mp4"), out);
        else
            snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -y -i '%s' -c copy -output_ts_offset -1 '%s'",
                     path_in("h264_bf_longgop.mp4"), out);
        if (sh(cmd) != 0) {
            char why[200];
            snprintf(why, sizeof why, "this ffmpeg cannot make %s", gens[g].name);
            tu_skip(gens[g].name, why);
            continue;
        }
        uint8_t *ref = NULL;
        size_t refn = 0;
        /* all modes on the main B-frame source, copy+raw on the rest */
        size_t nm = g == 0 || g == 10 || g == 11 ? 6 : 2;
        for (size_t k = 0; k < nm; k++)
            check_one(gens[g].name, out, modes_full[k], &ref, &refn);
        free(ref);
    }
}

static void test_realdata(void)
{
    const char *rd = tu_realdata();
    if (!rd) {
        tu_skip("video_realdata", "SYNAPT_REALDATA not set");
        return;
    }
    char dir[600];
    snprintf(dir, sizeof dir, "%s/videos", rd);
    DIR *d = opendir(dir);
    if (!d) {
        tu_skip("video_realdata", "no videos folder");
        return;
    }
    struct dirent *e;
    static char names[64][256];
    int nn = 0;
    while ((e = readdir(d)) && nn < 64)
        if (e->d_name[0] != '.')
            snprintf(names[nn++], sizeof names[0], "%s", e->d_name);
    closedir(d);
    for (int i = 0; i < nn; i++) {
        char src[1000];
        snprintf(src, sizeof src, "%.600s/%.255s", dir, names[i]);
        uint8_t *ref = NULL;
        size_t refn = 0;
        check_one(names[i], src, SYNAPT_VSTORE_COPY, &ref, &refn);
        /* raw mode stores every decoded pixel: keep it to the small files */
        if (refn <= 90u << 20)
            check_one(names[i], src, SYNAPT_VSTORE_RAW, &ref, &refn);
        free(ref);
    }
}

static void test_damaged(void)
{
    char cmd[1500], err[600];
    synapt_video_import_result res;
    const char *dst = path_in("damaged.synapt");
    /* not a video at all */
    const char *junk = path_in("junk.mp4");
    FILE *f = fopen(junk, "wb");
    for (int i = 0; i < 5000; i++)
        fputc((int)(rnd() & 255), f);
    fclose(f);
    int rc = pack(dst, junk, SYNAPT_VSTORE_COPY, 0, &res, err, sizeof err);
    CHECK_EQ_INT(rc, SYNAPT_E_INPUT);
    CHECK(strstr(err, junk) != NULL);
    printf("  junk: %s\n", err);
    /* missing file */
    rc = pack(dst, path_in("nonexistent.mp4"), SYNAPT_VSTORE_COPY, 0, &res, err, sizeof err);
    CHECK_EQ_INT(rc, SYNAPT_E_INPUT);
    CHECK(strstr(err, "nonexistent.mp4") != NULL);
    /* audio only */
    const char *wav = path_in("tone.wav");
    snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -y -f lavfi -i sine=d=0.5 '%s'", wav);
    if (sh(cmd) == 0) {
        rc = pack(dst, wav, SYNAPT_VSTORE_COPY, 0, &res, err, sizeof err);
        CHECK_EQ_INT(rc, SYNAPT_E_INPUT);
        CHECK(strstr(err, "no video stream") != NULL);
    }
    /* an mp4 cut in half: its index (moov, at the end) is gone */
    const char *src = path_in("h264_bf_longgop.mp4");
    struct stat sb;
    if (stat(src, &sb) == 0) {
        const char *cut = path_in("cut.mp4");
        snprintf(cmd, sizeof cmd, "head -c %lld '%s' > '%s'", (long long)sb.st_size / 2, src, cut);
        sh(cmd);
        rc = pack(dst, cut, SYNAPT_VSTORE_COPY, 0, &res, err, sizeof err);
        CHECK_EQ_INT(rc, SYNAPT_E_INPUT);
        CHECK(strstr(err, cut) != NULL);
        printf("  cut mp4: %s\n", err);
    }
    /* an mkv with its tail cut: the frames before the damage are kept */
    const char *mkv = path_in("h264_opengop.mkv");
    if (stat(mkv, &sb) == 0) {
        const char *cut = path_in("cut.mkv");
        snprintf(cmd, sizeof cmd, "head -c %lld '%s' > '%s'", (long long)sb.st_size * 2 / 3, mkv, cut);
        sh(cmd);
        rc = pack(dst, cut, SYNAPT_VSTORE_COPY, 0, &res, err, sizeof err);
        CHECK_OK(rc);
        long long want = ffprobe_frames(cut);
        printf("  cut mkv: %llu frames (ffprobe %lld): %s\n", (unsigned long long)res.frames, want, err);
        CHECK(res.frames > 0);
        CHECK_EQ_INT(res.frames, want);
        CHECK(res.damaged);
        CHECK(strstr(err, "warning") != NULL);
        synapt_reader *r;
        if (rc == 0 && synapt_reader_open(&r, dst, NULL) == 0) {
            char *md5 = calloc(res.frames, 33);
            CHECK_OK(synapt_video_frame_md5(md5, r, 0, 0, 0, res.frames));
            free(md5);
            synapt_reader_close(r);
        }
    }
    /* flipped bytes inside the packets of an mpeg4 avi: no crash, frames read */
    const char *avi = path_in("mpeg4_bf.avi");
    if (stat(avi, &sb) == 0) {
        const char *bad = path_in("flipped.avi");
        snprintf(cmd, sizeof cmd, "cp '%s' '%s'", avi, bad);
        sh(cmd);
        FILE *g = fopen(bad, "r+b");
        for (int i = 0; g && i < 200; i++) {
            fseek(g, 4096 + (long)(rnd() % (uint64_t)(sb.st_size - 8192)), SEEK_SET);
            fputc((int)(rnd() & 255), g);
        }
        if (g)
            fclose(g);
        rc = pack(dst, bad, SYNAPT_VSTORE_COPY, 0, &res, err, sizeof err);
        printf("  flipped avi: rc %d, %llu frames, %s\n", rc, (unsigned long long)res.frames, err);
        if (rc == 0) {
            synapt_reader *r;
            if (synapt_reader_open(&r, dst, NULL) == 0) {
                synapt_video_info vi;
                if (synapt_video_get_info(&vi, r, 0, 0) == 0 && vi.frame_count) {
                    char *md5 = calloc(vi.frame_count, 33);
                    rc = synapt_video_frame_md5(md5, r, 0, 0, 0, vi.frame_count);
                    CHECK_OK(rc);
                    for (int t = 0; t < 20; t++) {
                        uint64_t a = rnd() % vi.frame_count;
                        char one[33];
                        /* every frame reads; damaged ones need not agree */
                        CHECK_OK(synapt_video_frame_md5(one, r, 0, 0, a, 1));
                    }
                    free(md5);
                }
                synapt_reader_close(r);
            }
        }
    }
    unlink(dst);
}

/* A file whose every packet claims to be a keyframe (as some muxers write
 * them): the import's check must keep only real start points, and random
 * access must stay exact. Uses the library's internal import entry to set
 * the flags, through a sink that writes with the public writer calls. */
typedef struct tsink { synapt_writer *w; uint32_t stream; } tsink;
/* vid_import_run allocates through a complete allocator, as a handle's is */
static void *tm_malloc(void *o, size_t n) { (void)o; return malloc(n ? n : 1); }
static void *tm_realloc(void *o, void *p, size_t n) { (void)o; return realloc(p, n ? n : 1); }
static void tm_free(void *o, void *p) { (void)o; free(p); }
static const synapt_allocator test_mem = { tm_malloc, tm_realloc, tm_free, NULL };

static int ts_begin(void *u, uint32_t *stream, int codec, const vid_params *p, const char *cfg)
{
    tsink *t = u;
    synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
    d.name = "rgb";
    d.kind = SYNAPT_KIND_VIDEO;
    d.codec = codec;
    d.ndim = 3;
    d.shape[0] = (uint64_t)p->height;
    d.shape[1] = (uint64_t)p->width;
    d.shape[2] = 3;
    d.compression = SYNAPT_COMPRESSION_NONE;
    d.filter = SYNAPT_FILTER_NONE;
    d.extradata = p->extradata;
    d.extradata_size = (size_t)p->extradata_size;
    d.codec_config = cfg;
    int rc = synapt_writer_add_stream(&t->stream, t->w, &d);
    *stream = t->stream;
    return rc;
}
static int ts_packet(void *u, const uint8_t *data, size_t size, int64_t pts, int64_t dts, uint32_t flags)
{
    tsink *t = u;
    return synapt_writer_write_packet(t->w, t->stream, data, size, pts, dts, flags);
}
static int ts_finish(void *u, uint32_t stream, uint64_t frames, const char *cfg)
{
    tsink *t = u;
    return synapt_writer_set_video_info(t->w, stream, frames, cfg);
}
static const char *ts_err(void *u)
{
    tsink *t = u;
    return synapt_writer_errmsg(t->w);
}

/* vid_probe_container names a demuxer only when libavformat's own probe
 * would pick it: every made and real source is opened both ways (the
 * probe is the oracle), and crafted headers that the probe would not
 * call certain give NULL. */
static void probe_agrees(const char *path, int *sniffed)
{
    const AVInputFormat *s = vid_probe_container(path);
    AVFormatContext *fmt = NULL;
    if (avformat_open_input(&fmt, path, NULL, NULL) < 0) {
        CHECK(s == NULL);
        return;
    }
    if (s && s != fmt->iformat)
        printf("  %s: sniffed %s, probed %s\n", path, s->name, fmt->iformat->name);
    CHECK(!s || s == fmt->iformat);
    *sniffed += s != NULL;
    avformat_close_input(&fmt);
}

static void test_probe_container(void)
{
    char err[256];
    CHECK_OK(vid_ff_load_format(err, sizeof err));
    int sniffed = 0, n = 0;
    for (size_t g = 0; g < sizeof gens / sizeof gens[0]; g++, n++)
        probe_agrees(path_in(gens[g].name), &sniffed);
    CHECK(sniffed >= n - 1); /* every made source is AVI, MP4/MOV or Matroska */
    const char *rd = tu_realdata();
    static const char *const real[] = { "mmpose_h264_5frames.mp4", "openpose_mp4_named_avi_aac.avi",
                                        "paddle_example_xvid.avi", "ssv2_vp9_427x240.webm", "stub_mjpeg.avi" };
    for (size_t i = 0; rd && i < sizeof real / sizeof real[0]; i++) {
        char p[700];
        snprintf(p, sizeof p, "%.600s/videos/%s", rd, real[i]);
        struct stat st;
        if (stat(p, &st) == 0) {
            int before = sniffed;
            probe_agrees(p, &sniffed);
            CHECK(sniffed == before + 1);
        }
    }
    /* headers the probe would not call certain, and things not files */
    static const uint8_t jp2[] = { 0, 0, 0, 20, 'f', 't', 'y', 'p', 'j', 'p', '2', ' ', 0, 0, 0, 0, 'j', 'p', '2', ' ' };
    static const uint8_t wav[] = { 'R', 'I', 'F', 'F', 36, 0, 0, 0, 'W', 'A', 'V', 'E', 'f', 'm', 't', ' ' };
    static const uint8_t ebml_other[] = { 0x1a, 0x45, 0xdf, 0xa3, 0x88, 0x42, 0x82, 0x85, 'm', 'a', 't', 'r', 'x', 0 };
    static const uint8_t ebml_cut[] = { 0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x84, 'w', 'e', 'b', 'm' };
    static const uint8_t ebml_webm[] = { 0x1a, 0x45, 0xdf, 0xa3, 0x87, 0x42, 0x82, 0x84, 'w', 'e', 'b', 'm', 0 };
    static const uint8_t mpeg_in_mov[] = { 0, 0, 0, 16, 'f', 't', 'y', 'p', 'q', 't', ' ', ' ', 0, 0, 0, 0,
                                           0, 0, 0, 40, 'm', 'o', 'o', 'v', 0, 0, 0, 32, 'h', 'd', 'l', 'r',
                                           0, 0, 0, 0, 'm', 'h', 'l', 'r', 'M', 'P', 'E', 'G', 0, 0, 0, 0 };
    const struct { const char *name; const uint8_t *b; size_t n; const char *want; } cases[] = {
        { "jp2.mp4", jp2, sizeof jp2, NULL },
        { "wav.avi", wav, sizeof wav, NULL },
        { "other.mkv", ebml_other, sizeof ebml_other, NULL },
        { "cut.webm", ebml_cut, sizeof ebml_cut, NULL },
        { "tiny.webm", ebml_webm, sizeof ebml_webm, "matroska,webm" },
        { "mpegps.mov", mpeg_in_mov, sizeof mpeg_in_mov, NULL },
        { "empty.avi", (const uint8_t *)"", 0, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *p = path_in(cases[i].name);
        CHECK_OK(tu_write_file(p, cases[i].b, cases[i].n));
        const AVInputFormat *s = vid_probe_container(p);
        if (cases[i].want ? !s || strcmp(s->name, cases[i].want) : s != NULL)
            printf("  %s: sniffed %s\n", cases[i].name, s ? s->name : "nothing");
        CHECK(cases[i].want ? s && !strcmp(s->name, cases[i].want) : s == NULL);
        unlink(p);
    }
    const char *fifo = path_in("fifo.avi");
    CHECK_OK(mkfifo(fifo, 0600));
    CHECK(vid_probe_container(fifo) == NULL); /* no hang: not opened for reading's sake */
    unlink(fifo);
    CHECK(vid_probe_container(tmpdir) == NULL);
    CHECK(vid_probe_container(path_in("missing.avi")) == NULL);
}

static void test_mislabelled_keyframes(void)
{
    const char *names[] = { "h264_bf_longgop.mp4", "mpeg4_bf.avi", "h264_opengop.mkv" };
    for (size_t k = 0; k < 3; k++) {
        const char *src = path_in(names[k]);
        const char *dst = path_in("allkey.synapt");
        struct stat sb;
        if (stat(src, &sb))
            continue;
        synapt_writer *w;
        synapt_writer_options wo = SYNAPT_WRITER_OPTIONS_INIT;
        wo.fsync = 0;
        char err[600];
        if (synapt_writer_create(&w, dst, &wo, err, sizeof err))
            continue;
        synapt_clip_desc cd = SYNAPT_CLIP_DESC_INIT;
        cd.id = "clip";
        CHECK_OK(synapt_writer_begin_clip(w, &cd));
        tsink t = { w, 0 };
        vid_sink sink = { ts_begin, ts_packet, ts_finish, ts_err, &t, 1 };
        synapt_video_import_options o = SYNAPT_VIDEO_IMPORT_OPTIONS_INIT;
        synapt_video_import_result res;
        int rc = vid_import_run(&test_mem, &res, src, &o, &sink, err, sizeof err);
        CHECK_OK(rc);
        if (rc) {
            printf("  %s\n", err);
            synapt_writer_abort(w);
            continue;
        }
        CHECK_OK(synapt_writer_close(w, err, sizeof err));
        synapt_reader *r;
        if (synapt_reader_open(&r, dst, NULL))
            continue;
        synapt_video_info vi;
        CHECK_OK(synapt_video_get_info(&vi, r, 0, 0));
        printf("  %s with every packet flagged key: %llu of %llu packets kept as start points\n", names[k],
               (unsigned long long)vi.sync_points, (unsigned long long)vi.packet_count);
        CHECK(vi.sync_points < vi.packet_count / 4);
        uint64_t n = vi.frame_count;
        size_t fn;
        char **ff = ffmpeg_md5(src, &fn);
        CHECK_EQ_INT(fn, n);
        char *w5 = calloc(17, 33);
        int bad = 0;
        for (int i = 0; i < 100 && n && fn == n; i++) {
            uint64_t len = 1 + rnd() % 16;
            uint64_t a = rnd() % (n - len + 1);
            if (synapt_video_frame_md5(w5, r, 0, 0, a, len)) {
                bad++;
                break;
            }
            for (uint64_t j = 0; j < len; j++)
                if (strcmp(w5 + j * 33, ff[a + j]))
                    bad++;
        }
        CHECK_EQ_INT(bad, 0);
        free(w5);
        free_lines(ff, fn);
        synapt_reader_close(r);
        unlink(dst);
    }
}

/* One reader, four threads reading random windows at once: each call gets
 * its own decoder from the reader's cache, and every frame stays exact. */
typedef struct thr { synapt_reader *r; const char *md5; uint64_t n; int bad; uint64_t seed; } thr;
static void *thr_main(void *u)
{
    thr *t = u;
    char w5[17 * 33];
    for (int i = 0; i < 30; i++) {
        t->seed = t->seed * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t len = 1 + (t->seed >> 33) % 16;
        uint64_t a = (t->seed >> 13) % (t->n - len + 1);
        if (synapt_video_frame_md5(w5, t->r, 0, 0, a, len)) {
            t->bad++;
            continue;
        }
        for (uint64_t j = 0; j < len; j++)
            if (strcmp(w5 + j * 33, t->md5 + (a + j) * 33))
                t->bad++;
    }
    return NULL;
}

static void test_threads(void)
{
    const char *src = path_in("h264_bf_longgop.mp4");
    const char *dst = path_in("threads.synapt");
    char err[600];
    synapt_video_import_result res;
    int rc = pack(dst, src, SYNAPT_VSTORE_COPY, 0, &res, err, sizeof err);
    CHECK_OK(rc);
    synapt_reader *r;
    if (rc || synapt_reader_open(&r, dst, NULL))
        return;
    uint64_t n = res.frames;
    char *md5 = calloc(n, 33);
    CHECK_OK(synapt_video_frame_md5(md5, r, 0, 0, 0, n));
    thr t[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        t[i] = (thr){ r, md5, n, 0, (uint64_t)i + 1 };
        pthread_create(&th[i], NULL, thr_main, &t[i]);
    }
    int bad = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        bad += t[i].bad;
    }
    CHECK_EQ_INT(bad, 0);
    synapt_reader_close(r);
    /* decoders with FFmpeg frame threads (video_threads) give the same
     * frames, also while callers read concurrently */
    synapt_reader_options ro = SYNAPT_READER_OPTIONS_INIT;
    ro.video_threads = 3;
    if (synapt_reader_open(&r, dst, &ro) == 0) {
        bad = 0;
        for (int i = 0; i < 2; i++) {
            t[i] = (thr){ r, md5, n, 0, (uint64_t)i + 7 };
            pthread_create(&th[i], NULL, thr_main, &t[i]);
        }
        for (int i = 0; i < 2; i++) {
            pthread_join(th[i], NULL);
            bad += t[i].bad;
        }
        CHECK_EQ_INT(bad, 0);
        synapt_reader_close(r);
    } else {
        CHECK(0);
    }
    free(md5);
    unlink(dst);
}


/* One reader, clips of several sources read in an interleaved order: an
 * idle decoder opened for the same parameters is handed on to the next
 * clip (flushed) instead of a new one being opened (video_read.c). Every
 * window must still hash as with a fresh reader per clip. Sources: the
 * B-frame H.264 twice (the same parameters: reuse), the open-GOP H.264 and
 * the VP9 (other parameters: no reuse), in copy mode, one clip each. */
static void test_decoder_reuse(void)
{
    static const char *const srcs[] = { "h264_bf_longgop.mp4", "h264_bf_longgop.mp4", "h264_opengop.mkv",
                                        "vp9_altref.webm" };
    enum { NS = sizeof srcs / sizeof srcs[0] };
    const char *dst = path_in("reuse.synapt");
    char err[600];
    synapt_writer *w;
    synapt_writer_options wo = SYNAPT_WRITER_OPTIONS_INIT;
    wo.fsync = 0;
    CHECK_OK(synapt_writer_create(&w, dst, &wo, err, sizeof err));
    uint64_t frames[NS] = { 0 };
    for (int k = 0; k < NS; k++) {
        char id[16];
        snprintf(id, sizeof id, "c%d", k);
        synapt_clip_desc cd = SYNAPT_CLIP_DESC_INIT;
        cd.id = id;
        CHECK_OK(synapt_writer_begin_clip(w, &cd));
        synapt_video_import_options o = SYNAPT_VIDEO_IMPORT_OPTIONS_INIT;
        synapt_video_import_result res;
        int rc = synapt_video_import(&res, w, path_in(srcs[k]), &o, err, sizeof err);
        CHECK_OK(rc);
        if (rc) {
            synapt_writer_abort(w);
            return;
        }
        frames[k] = res.frames;
        CHECK_OK(synapt_writer_end_clip(w));
    }
    CHECK_OK(synapt_writer_close(w, err, sizeof err));
    /* reference: every frame of each clip, a fresh reader per clip */
    char *ref[NS];
    for (int k = 0; k < NS; k++) {
        synapt_reader *r;
        ref[k] = calloc(frames[k] ? frames[k] : 1, 33);
        CHECK_OK(synapt_reader_open(&r, dst, NULL));
        CHECK_OK(synapt_video_frame_md5(ref[k], r, (uint64_t)k, 0, 0, frames[k]));
        synapt_reader_close(r);
    }
    synapt_reader *r;
    CHECK_OK(synapt_reader_open(&r, dst, NULL));
    int bad = 0;
    char got[16 * 33];
    for (int it = 0; it < 200; it++) {
        int k = (int)(rnd() % NS);
        uint64_t n = 1 + rnd() % 16;
        if (n > frames[k])
            n = frames[k];
        uint64_t a = rnd() % (frames[k] - n + 1);
        if (synapt_video_frame_md5(got, r, (uint64_t)k, 0, a, n)) {
            bad++;
            continue;
        }
        if (memcmp(got, ref[k] + a * 33, n * 33))
            bad++;
    }
    CHECK_EQ_INT(bad, 0);
    synapt_reader_close(r);
    for (int k = 0; k < NS; k++)
        free(ref[k]);
    unlink(dst);
}

static void test_resize_export(void)
{
    char err[600], cmd[1500];
    synapt_video_import_result res;
    const char *src = path_in("h264_bf_longgop.mp4");
    const char *dst = path_in("resized.synapt");
    int rc = pack(dst, src, SYNAPT_VSTORE_H264, 64, &res, err, sizeof err);
    CHECK_OK(rc);
    if (rc)
        printf("  %s\n", err);
    CHECK_EQ_INT(res.height, 64);
    CHECK_EQ_INT(res.width, 86); /* 160x120 -> 85.3, rounded to even */
    synapt_reader *r;
    if (!rc && synapt_reader_open(&r, dst, NULL) == 0) {
        synapt_video_info vi;
        CHECK_OK(synapt_video_get_info(&vi, r, 0, 0));
        CHECK_EQ_INT(vi.width, 86);
        CHECK_EQ_INT(vi.frame_count, ffprobe_frames(src));
        synapt_reader_close(r);
    }
    /* copy mode refuses a resize */
    rc = pack(dst, src, SYNAPT_VSTORE_COPY, 64, &res, err, sizeof err);
    CHECK_EQ_INT(rc, SYNAPT_E_INVALID_ARG);

    /* export: copy -> mkv and mp4 keep every frame bit for bit; raw -> mkv (ffv1) too */
    const char *srcs[] = { "h264_bf_longgop.mp4", "vp9_altref.webm", "mpeg4_bf.avi" };
    const char *exts[] = { "mkv", "mp4" };
    for (int m = 0; m < 2; m++)
        for (size_t i = 0; i < 3; i++) {
            const char *s = path_in(srcs[i]);
            struct stat sb;
            if (stat(s, &sb))
                continue;
            int mode = m == 0 ? SYNAPT_VSTORE_COPY : SYNAPT_VSTORE_RAW;
            if ((rc = pack(dst, s, mode, 0, &res, err, sizeof err))) {
                printf("  %s\n", err);
                CHECK_OK(rc);
                continue;
            }
            if (synapt_reader_open(&r, dst, NULL))
                continue;
            for (int e = 0; e < (m == 0 ? 2 : 1); e++) {
                char out[700];
                snprintf(out, sizeof out, "%s/export_%zu.%s", tmpdir, i, exts[e]);
                rc = synapt_video_export(r, 0, 0, out, err, sizeof err);
                if (rc) {
                    printf("  export %s -> %s: %s\n", srcs[i], exts[e], err);
                    CHECK_OK(rc);
                    continue;
                }
                CHECK_EQ_INT(ffprobe_frames(out), ffprobe_frames(s));
                size_t na, nb;
                char **a = ffmpeg_md5(s, &na), **b = ffmpeg_md5(out, &nb);
                int same = na == nb;
                for (size_t k = 0; same && k < na; k++)
                    same = !strcmp(a[k], b[k]);
                if (!same)
                    printf("  export %s (%s) -> %s: frames differ\n", srcs[i],
                           synapt_video_mode_name(mode), exts[e]);
                CHECK(same);
                free_lines(a, na);
                free_lines(b, nb);
            }
            synapt_reader_close(r);
        }
    (void)cmd;
    unlink(dst);
}

/* synapt_movie_*: arguments checked, every frame written (ffprobe), and
 * the pictures are the frames given (read back through the import, within
 * lossy-coding distance). Not the bytes twice in one process: on flat
 * synthetic content like this, libx264 reads memory it never wrote (the
 * ffmpeg command gives different bytes under MALLOC_PERTURB_ too), so
 * t_export checks same-bytes on real previews across processes instead. */
static void test_movie(void)
{
    char err[600];
    synapt_movie *m = NULL;
    const char *out = path_in("movie.mp4");
    CHECK_EQ_INT(synapt_movie_open(&m, out, NULL, 63, 48, 25, 1, err, sizeof err), SYNAPT_E_INVALID_ARG);
    CHECK(strstr(err, "movie.mp4") != NULL);
    CHECK_EQ_INT(synapt_movie_open(&m, path_in("movie.nosuchext"), NULL, 64, 48, 25, 1, err, sizeof err),
                 SYNAPT_E_INVALID_ARG);
    CHECK(strstr(err, "movie.nosuchext") != NULL);
    CHECK_EQ_INT(synapt_movie_open(NULL, out, NULL, 64, 48, 25, 1, NULL, 0), SYNAPT_E_INVALID_ARG);
    enum { W = 64, H = 48, N = 12 };
    static uint8_t rgb[N][H][W][3];
    for (int t = 0; t < N; t++)
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                rgb[t][y][x][0] = (uint8_t)(x * 4);
                rgb[t][y][x][1] = (uint8_t)(y * 5);
                rgb[t][y][x][2] = (uint8_t)(t * 20);
            }
    {
        int rc = synapt_movie_open(&m, out, NULL, W, H, 25, 1, err, sizeof err);
        if (rc)
            printf("  %s\n", err);
        CHECK_OK(rc);
        if (rc)
            return;
        for (int t = 0; t < N && !rc; t++)
            rc = synapt_movie_write(m, rgb[t], err, sizeof err);
        CHECK_OK(rc);
        rc = synapt_movie_close(m, err, sizeof err);
        if (rc)
            printf("  %s\n", err);
        CHECK_OK(rc);
        CHECK_EQ_INT(ffprobe_frames(out), N);
    }
    /* back through the import: the mean error of each frame stays small */
    const char *dst = path_in("movie.synapt");
    synapt_video_import_result res;
    int rc = pack(dst, out, SYNAPT_VSTORE_COPY, 0, &res, err, sizeof err);
    CHECK_OK(rc);
    synapt_reader *r;
    if (!rc && synapt_reader_open(&r, dst, NULL) == 0) {
        static uint8_t back[N][H][W][3];
        CHECK_OK(synapt_video_read(back, sizeof back, NULL, r, 0, 0, 0, N, SYNAPT_PIXFMT_RGB24));
        double e = 0;
        for (int t = 0; t < N; t++)
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                    for (int c = 0; c < 3; c++)
                        e += abs((int)back[t][y][x][c] - (int)rgb[t][y][x][c]);
        e /= (double)N * H * W * 3;
        if (e > 4)
            printf("  mean error %.2f per sample\n", e);
        CHECK(e <= 4);
        synapt_reader_close(r);
    }
    unlink(dst);
    unlink(out);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s/video.XXXXXX", tu_tmp_dir());
    if (!mkdtemp(tmpdir)) {
        printf("FAIL video: cannot make a scratch directory\n");
        return 1;
    }
    av_log_set_level(AV_LOG_QUIET); /* damaged inputs make decoders chatty */
    have_ffmpeg = sh("ffmpeg -version >/dev/null 2>&1 && ffprobe -version >/dev/null 2>&1") == 0;
    if (!have_ffmpeg) {
        tu_skip("video", "ffmpeg/ffprobe not installed");
        return 0;
    }
    test_sources();
    test_realdata();
    RUN(test_probe_container);
    RUN(test_mislabelled_keyframes);
    RUN(test_threads);
    RUN(test_damaged);
    RUN(test_resize_export);
    RUN(test_decoder_reuse);
    RUN(test_movie);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    sh(cmd);
    TEST_MAIN_END();
}
