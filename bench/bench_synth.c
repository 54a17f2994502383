/* bench_synth.c - synapt-synth's speed, printed as markdown (bench/run.sh
 * writes it to bench/results/).
 *
 *   1. rendering per core at several resolutions (one clip of each class),
 *      against a baseline measured in the same run: copying the frame's
 *      buffers (RGB + depth + mask), the least any renderer must do
 *   2. end to end on one render thread at 112x112: .synapt with raw RGB,
 *      with H.264, and the SURREACT-like folder (PNG + mp4 + JSON + npy)
 *   3. thread scaling of the whole generator (wall clock)
 *
 * Render times are CPU time of the rendering thread, so other jobs on a busy
 * machine do not distort them. Target: >= 300 rendered frames/s per core at
 * 112x112. Usage: bench_synth [--quick] */
#include <libavutil/log.h>
#include <stdint.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "synapt.h"
#include "synth/synth.h"
#include "bench_util.h"

static int g_quick;


typedef struct render_result {
    double frames_per_s;      /* rendering only (scene set up outside) */
    double setup_ms;          /* per clip: rays + background */
    double copy_frames_per_s; /* baseline: buffer copies only */
} render_result;

static render_result bench_render(uint32_t w, uint32_t h, uint32_t frames)
{
    render_result res = { 0, 0, 0 };
    synth_config cfg = SYNTH_CONFIG_INIT;
    cfg.classes = SYNTH_CLASS_COUNT;
    cfg.clips_per_class = 1;
    cfg.frames = frames;
    cfg.width = w;
    cfg.height = h;
    size_t np = (size_t)w * h;
    uint8_t *rgb = malloc(np * 3), *mask = malloc(np);
    uint16_t *depth = malloc(np * 2);
    uint8_t *src = calloc(np * 6, 1), *dst = malloc(np * 6);
    if (!rgb || !mask || !depth || !src || !dst) {
        fprintf(stderr, "bench_synth: out of memory\n");
        exit(1);
    }
    double render = 0, setup = 0;
    uint64_t nframes = 0;
    for (uint32_t k = 0; k < SYNTH_CLASS_COUNT; k++) {
        synth_clip c;
        synth_clip_make(&c, &cfg, k);
        double t0 = bench_thread_cpu_s();
        synth_scene *s = synth_scene_new(&c);
        double t1 = bench_thread_cpu_s();
        if (!s) { fprintf(stderr, "bench_synth: out of memory\n"); exit(1); }
        for (uint32_t t = 0; t < frames; t++) {
            synth_frame f;
            memset(&f, 0, sizeof f);
            f.rgb = rgb; f.depth = depth; f.mask = mask;
            synth_render_frame(&f, s, t);
        }
        double t2 = bench_thread_cpu_s();
        synth_scene_free(s);
        setup += t1 - t0;
        render += t2 - t1;
        nframes += frames;
    }
    /* baseline: the copies a frame needs at the least (background in, and
     * the buffers zeroed), repeated as often as frames were rendered */
    double t0 = bench_thread_cpu_s();
    volatile uint8_t sink = 0;
    for (uint64_t i = 0; i < nframes; i++) {
        src[i % (np * 6)] = (uint8_t)i;
        memcpy(dst, src, np * 5);
        memset(dst + np * 5, 0, np);
        sink ^= dst[(i * 7) % (np * 6)];
    }
    double copy = bench_thread_cpu_s() - t0;
    (void)sink;
    res.frames_per_s = render > 0 ? nframes / render : 0;
    res.setup_ms = setup * 1000.0 / SYNTH_CLASS_COUNT;
    res.copy_frames_per_s = copy > 0 ? nframes / copy : 0;
    free(rgb); free(mask); free(depth); free(src); free(dst);
    return res;
}

typedef struct gen_result { double wall_s, cpu_s; uint64_t frames; long long bytes; } gen_result;

static long long du_bytes(const char *path)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "du -sb '%s' 2>/dev/null", path);
    FILE *p = popen(cmd, "r");
    long long n = -1;
    if (p) {
        if (fscanf(p, "%lld", &n) != 1) n = -1;
        pclose(p);
    }
    return n;
}

static gen_result bench_generate_cfg(const char *dir, const char *name, int layout_dir, int h264,
                                     uint32_t threads, synth_config cfg);

static gen_result bench_generate(const char *dir, const char *name, int layout_dir, int h264,
                                 uint32_t threads, uint32_t clips_per_class)
{
    synth_config cfg = SYNTH_CONFIG_INIT;
    cfg.clips_per_class = clips_per_class;
    return bench_generate_cfg(dir, name, layout_dir, h264, threads, cfg);
}

static gen_result bench_generate_cfg(const char *dir, const char *name, int layout_dir, int h264,
                                     uint32_t threads, synth_config cfg)
{
    gen_result r = { 0, 0, 0, 0 };
    synth_output_options o = SYNTH_OUTPUT_OPTIONS_INIT;
    char path[1024], err[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    o.path = path;
    o.layout_dir = layout_dir;
    o.rgb_h264 = h264;
    o.threads = threads;
    double w0 = bench_wall_s(), c0 = bench_cpu_s();
    if (synth_generate(&cfg, &o, err, sizeof err) != 0) {
        fprintf(stderr, "bench_synth: %s\n", err);
        exit(1);
    }
    r.wall_s = bench_wall_s() - w0;
    r.cpu_s = bench_cpu_s() - c0;
    r.frames = synth_config_clip_count(&cfg) * cfg.frames;
    r.bytes = du_bytes(path);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0) fprintf(stderr, "bench_synth: could not remove %s\n", path);
    return r;
}

/* --small default|tuned DIR: one small-clip run in this fresh process,
 * printing "clips/s wall, clips/s CPU" */
static int small_run(const char *mode, const char *dir)
{
    if (!strcmp(mode, "tuned")) {
        mallopt(M_MMAP_THRESHOLD, 64 << 20);
        mallopt(M_TRIM_THRESHOLD, 128 << 20);
    }
    synth_config sc = SYNTH_CONFIG_INIT;
    sc.classes = 150;
    sc.clips_per_class = g_quick ? 1 : 2;
    sc.frames = 16;
    sc.width = sc.height = 64;
    char name[64];
    snprintf(name, sizeof name, "small-%s.synapt", mode);
    gen_result r = bench_generate_cfg(dir, name, 0, 1, 1, sc);
    double clips = (double)synth_config_clip_count(&sc);
    printf("%f %f\n", clips / r.wall_s, clips / r.cpu_s);
    return 0;
}

static int small_child(const char *self, const char *mode, const char *dir, double out[2])
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' %s--small %s '%s'", self, g_quick ? "--quick " : "", mode, dir);
    FILE *p = popen(cmd, "r");
    if (!p) return -1;
    int ok = fscanf(p, "%lf %lf", &out[0], &out[1]) == 2;
    return pclose(p) == 0 && ok ? 0 : -1;
}

int main(int argc, char **argv)
{
    av_log_set_level(AV_LOG_ERROR);
    if (argc >= 4 && !strcmp(argv[argc - 3], "--small")) {
        g_quick = argc == 5 && !strcmp(argv[1], "--quick");
        return small_run(argv[argc - 2], argv[argc - 1]);
    }
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) g_quick = 1;
        else { fprintf(stderr, "usage: bench_synth [--quick]\n"); return 2; }
    }
    const char *tmp = getenv("TMPDIR");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/bench_synth.%d", tmp && *tmp ? tmp : "/tmp", (int)getpid());
    char cmd[600];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
    if (system(cmd) != 0) { fprintf(stderr, "bench_synth: cannot create %s\n", dir); return 1; }

    printf("## bench_synth\n\nsynapt-synth: procedural clips rendered, encoded and written.\n\n");
    printf("### Rendering per core, by resolution\n\n");
    printf("One clip of each of the 14 classes, %d frames each; CPU time of the rendering thread.\n",
           g_quick ? 16 : 64);
    printf("Baseline: copying one frame's buffers (RGB + depth + mask), the floor for any renderer.\n\n");
    printf("| size | frames/s | us/frame | vs 112x112 | pixels vs 112x112 | Mpixel/s | "
           "vs buffer copy | scene setup ms/clip |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    static const uint32_t sizes[][2] = { { 64, 64 }, { 112, 112 }, { 224, 224 }, { 320, 240 }, { 640, 480 } };
    size_t nsizes = g_quick ? 3 : sizeof sizes / sizeof sizes[0];
    render_result base = bench_render(112, 112, g_quick ? 16 : 64);
    for (size_t i = 0; i < nsizes; i++) {
        uint32_t w = sizes[i][0], h = sizes[i][1];
        render_result r = (w == 112 && h == 112) ? base : bench_render(w, h, g_quick ? 16 : 64);
        double px = (double)w * h;
        printf("| %ux%u | %.0f | %.1f | %.2fx | %.2fx | %.1f | %.1fx slower | %.2f |\n", w, h,
               r.frames_per_s, 1e6 / r.frames_per_s, r.frames_per_s / base.frames_per_s,
               px / (112.0 * 112.0), r.frames_per_s * px / 1e6,
               r.copy_frames_per_s / r.frames_per_s, r.setup_ms);
    }
    printf("\nTarget: >= 300 frames/s per core at 112x112: %s (%.0f).\n\n",
           base.frames_per_s >= 300 ? "met" : "NOT met", base.frames_per_s);

    uint32_t cpc = g_quick ? 2 : 10;
    printf("### End to end at 112x112, one render thread\n\n");
    printf("12 classes x %u clips x 32 frames. CPU time covers the render thread and the writer.\n\n",
           cpc);
    printf("| output | frames/s (CPU) | vs render only | bytes/frame |\n|---|---:|---:|---:|\n");
    struct { const char *label, *name; int dir, h264; } outs[] = {
        { ".synapt, RGB raw (zstd)", "raw.synapt", 0, 0 },
        { ".synapt, RGB H.264", "h264.synapt", 0, 1 },
        { "folder: mp4 + PNG depth/mask + JSON + npy", "folder", 1, 1 },
    };
    for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++) {
        gen_result r = bench_generate(dir, outs[i].name, outs[i].dir, outs[i].h264, 1, cpc);
        double fps = r.frames / r.cpu_s;
        printf("| %s | %.0f | %.2fx | %.0f |\n", outs[i].label, fps, fps / base.frames_per_s,
               r.bytes > 0 ? (double)r.bytes / r.frames : 0.0);
    }

    /* SynAPT's shape: many small clips, where per-clip set-up costs show.
     * Baseline: glibc's allocator defaults, which the library and a program
     * of its own get; then the settings every synapt command makes in
     * cli_init (large blocks kept in the heap instead of fresh mappings).
     * Each in a fresh process: the allocator adapts its thresholds to what
     * a process has freed before, so a warm process hides the difference. */
    {
        printf("\n### Small clips (SynAPT shape), one render thread\n\n");
        printf("150 classes x %u clips x 16 frames of 64x64, .synapt with H.264 RGB, each in a fresh "
               "process. Baseline: glibc malloc defaults; then the mallopt settings of every synapt "
               "command (cli_init), same run.\n\n", g_quick ? 1 : 2);
        printf("| allocator | clips/s (wall) | clips/s (CPU) | vs defaults (CPU) |\n|---|---:|---:|---:|\n");
        double d[2] = { 0, 0 }, t[2] = { 0, 0 };
        if (small_child(argv[0], "default", dir, d) || small_child(argv[0], "tuned", dir, t)) {
            fprintf(stderr, "bench_synth: the small-clip runs failed\n");
            return 1;
        }
        printf("| glibc defaults | %.0f | %.0f | 1.00x |\n", d[0], d[1]);
        printf("| cli_init's mallopt | %.0f | %.0f | %.2fx |\n", t[0], t[1], t[1] / d[1]);
    }

    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    printf("\n### Thread scaling (wall clock, .synapt with H.264, %ld cores)\n\n", cores);
    printf("| threads | frames/s | vs 1 thread |\n|---|---:|---:|\n");
    double one = 0;
    for (uint32_t th = 1; th <= 4 && th <= (uint32_t)(cores > 0 ? cores : 1) * 2; th *= 2) {
        gen_result r = bench_generate(dir, "scale.synapt", 0, 1, th, cpc);
        double fps = r.frames / r.wall_s;
        if (th == 1) one = fps;
        printf("| %u | %.0f | %.2fx |\n", th, fps, fps / one);
    }
    /* wall-clock scaling only means something on an otherwise idle machine */
    double load = -1;
    FILE *la = fopen("/proc/loadavg", "r");
    if (la) {
        if (fscanf(la, "%lf", &load) != 1) load = -1;
        fclose(la);
    }
    if (load >= 0)
        printf("\nLoad average during the run: %.1f on %ld cores%s\n", load, cores,
               load > 0.5 * (double)cores ? " (busy machine: the scaling above understates it)" : "");
    printf("\n");
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "bench_synth: could not remove %s\n", dir);
    return 0;
}
