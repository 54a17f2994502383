/* bench_pack.c - synapt-pack's engine (tools/import_pack.c) against
 * `ffmpeg -c copy` remuxing the same inputs, printed as markdown.
 *
 *   1. throughput in copy mode: clips/s and input MB/s, one thread, as a
 *      ratio of remuxing every clip with the ffmpeg CLI (target >= 0.8x);
 *      also an in-process libavformat remux, the floor without process
 *      start-up (pack decodes every frame to count frames exactly, so it
 *      is expected to be slower than that floor)
 *   2. scaling with --threads 2 and 4 (wall time; same output bytes)
 *   3. peak RSS of packing one long video (one hour at 160x120, 10 fps;
 *      --quick: five minutes), measured in a child process (target < 256 MB)
 *
 * Inputs are generated with ffmpeg's testsrc2 into $TMPDIR (not timed);
 * the page cache is warm, so the numbers are CPU costs, not disk speed.
 * Usage: bench_pack [--quick]. Needs the ffmpeg CLI on PATH. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libavformat/avformat.h>

#include "cli/cli.h"
#include "import/import.h"
#include "bench_util.h"

static int g_quick;
static char g_dir[256];


/* CPU seconds (user + system) of this process, or of its waited-for
 * children: on a busy machine CPU time says more than wall time */
static double cpu_s(int who)
{
    struct rusage ru;
    getrusage(who, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec * 1e-6;
}

static int run(const char *cmd)
{
    int rc = system(cmd);
    return rc == 0 ? 0 : -1;
}


static int make_inputs(int n, uint64_t *bytes)
{
    char cmd[1024], path[512];
    FILE *m;
    snprintf(path, sizeof path, "%s/m.jsonl", g_dir);
    if (!(m = fopen(path, "w")))
        return -1;
    *bytes = 0;
    for (int i = 0; i < n; i++) {
        snprintf(cmd, sizeof cmd,
                 "ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc2=size=320x240:rate=25:duration=4 "
                 "-vf hue=h=%d -c:v libx264 -preset veryfast -g 50 -pix_fmt yuv420p %s/v%03d.mp4",
                 i * 13, g_dir, i);
        if (run(cmd))
            return fclose(m), -1;
        snprintf(path, sizeof path, "%s/v%03d.mp4", g_dir, i);
        *bytes += bench_file_bytes(path);
        fprintf(m, "{\"video\":\"v%03d.mp4\",\"label\":\"c%d\"}\n", i, i % 5);
    }
    fclose(m);
    return 0;
}

static double remux_all(int n)
{
    char cmd[1024];
    double t0 = bench_wall_s();
    for (int i = 0; i < n; i++) {
        snprintf(cmd, sizeof cmd,
                 "ffmpeg -nostdin -loglevel error -y -i %s/v%03d.mp4 -map 0:v -c copy %s/r%03d.mp4",
                 g_dir, i, g_dir, i);
        if (run(cmd))
            return -1;
    }
    return bench_wall_s() - t0;
}

/* The same remux as `ffmpeg -c copy` without a process per clip: demux,
 * copy every video packet into an mp4 muxer. The honest floor for "copy". */
static int remux_inproc(const char *in, const char *out)
{
    AVFormatContext *ic = NULL, *oc = NULL;
    AVPacket *pkt = av_packet_alloc();
    int rc = -1, vi = -1;
    if (!pkt || avformat_open_input(&ic, in, NULL, NULL) < 0 || avformat_find_stream_info(ic, NULL) < 0)
        goto done;
    for (unsigned i = 0; i < ic->nb_streams; i++)
        if (ic->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) {
            vi = (int)i;
            break;
        }
    if (vi < 0 || avformat_alloc_output_context2(&oc, NULL, NULL, out) < 0)
        goto done;
    AVStream *os = avformat_new_stream(oc, NULL);
    if (!os || avcodec_parameters_copy(os->codecpar, ic->streams[vi]->codecpar) < 0)
        goto done;
    os->codecpar->codec_tag = 0;
    os->time_base = ic->streams[vi]->time_base;
    if (avio_open(&oc->pb, out, AVIO_FLAG_WRITE) < 0 || avformat_write_header(oc, NULL) < 0)
        goto done;
    while (av_read_frame(ic, pkt) >= 0) {
        if (pkt->stream_index == vi) {
            av_packet_rescale_ts(pkt, ic->streams[vi]->time_base, os->time_base);
            pkt->stream_index = 0;
            if (av_interleaved_write_frame(oc, pkt) < 0)
                goto done;
        }
        av_packet_unref(pkt);
    }
    rc = av_write_trailer(oc) < 0 ? -1 : 0;
done:
    av_packet_free(&pkt);
    avformat_close_input(&ic);
    if (oc) {
        if (oc->pb)
            avio_closep(&oc->pb);
        avformat_free_context(oc);
    }
    return rc;
}

static double remux_inproc_all(int n)
{
    char in[512], out[512];
    double t0 = bench_wall_s();
    for (int i = 0; i < n; i++) {
        snprintf(in, sizeof in, "%s/v%03d.mp4", g_dir, i);
        snprintf(out, sizeof out, "%s/q%03d.mp4", g_dir, i);
        if (remux_inproc(in, out))
            return -1;
    }
    return bench_wall_s() - t0;
}

/* Peak RSS in KiB of `cmd` run by sh -c, as GNU time reports it (deps.sh
 * installs it), or -1. wait4's ru_maxrss on a child forked from this
 * process cannot be used: Linux starts a forked child's high-water mark at
 * the parent's resident size and keeps it across exec, so every row would
 * read at least this bench's own RSS. time's own child starts from time's
 * small image. */
static long child_peak_kib(const char *cmd)
{
    char out[600];
    snprintf(out, sizeof out, "%s/rss.txt", g_dir);
    unlink(out);
    pid_t pid = fork();
    if (pid == 0) {
        execl("/usr/bin/time", "time", "-f", "%M", "-o", out, "/bin/sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
        return -1;
    long k = -1;
    FILE *f = fopen(out, "r");
    if (f) {
        if (fscanf(f, "%ld", &k) != 1)
            k = -1;
        fclose(f);
    }
    return k;
}

/* Peak RSS in MB for a table cell ("n/a" without GNU time). */
static const char *peak_mb(char *buf, size_t n, long kib)
{
    if (kib < 0)
        snprintf(buf, n, "n/a");
    else
        snprintf(buf, n, "%.1f", kib / 1024.0);
    return buf;
}

/* Run `cmd` in a child (sh -c) and return its CPU seconds (user + system),
 * or -1 when it failed. */
static double child_cpu(const char *cmd)
{
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    return bench_wait_cpu(pid);
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* A whole file into memory (NULL when it cannot be read). */
static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    uint8_t *b = NULL;
    struct stat st;
    if (f && fstat(fileno(f), &st) == 0 && st.st_size > 0 && (b = malloc((size_t)st.st_size)) &&
        fread(b, 1, (size_t)st.st_size, f) == (size_t)st.st_size)
        *n = (size_t)st.st_size;
    else {
        free(b);
        b = NULL;
    }
    if (f) fclose(f);
    return b;
}

static uint64_t le(const uint8_t *p, int k)
{
    uint64_t v = 0;
    while (k--) v = v << 8 | p[k];
    return v;
}

/* How the two outputs compare: "yes" (byte-identical), "yes, apart from
 * the version stamps" (the same length and bytes except, in the HEADER
 * record (spec/format.md 5) of both, format_minor, the writer string of
 * the same length, and the record's checksum: what any later release
 * writes differently), or "**NO**". */
static const char *compare_outputs(const char *a, const char *b)
{
    size_t na = 0, nb = 0;
    uint8_t *x = slurp(a, &na), *y = slurp(b, &nb);
    const char *why = "**NO**";
    if (x && y && na == nb) {
        if (!memcmp(x, y, na)) why = "yes";
        else if (na >= 8 + 24 + 50) {
            uint64_t blen = le(x + 16, 8), wl = le(x + 8 + 16 + 48, 2);
            if (blen == le(y + 16, 8) && wl == le(y + 8 + 16 + 48, 2) && 50 + wl <= blen && blen <= na - 32) {
                size_t body = 8 + 16, ok = 1;
                for (size_t i = 0; i < na && ok; i++) {
                    int stamp = (i >= body + 2 && i < body + 4) || (i >= body + 50 && i < body + 50 + wl) ||
                                (i >= body + blen && i < body + blen + 8);
                    if (x[i] != y[i] && !stamp) ok = 0;
                }
                if (ok) why = "yes, apart from the version stamps";
            }
        }
    }
    free(x);
    free(y);
    return why;
}

/* One row of the baseline table: the same inputs packed by the baseline
 * binary and by this tree's, one thread each, as processes (start-up
 * included, as a user runs them); medians of `reps` CPU times; `ffmpeg -c
 * copy` of every input in the same run for scale. */
static int vs_baseline_row(const char *label, const char *base, const char *cur, char *const *inputs, int n,
                           int reps, int with_ffmpeg, double *base_cpu)
{
    /* 2048 links: about 90 KB of arguments; sh -c takes one string of
     * up to 128 KiB (MAX_ARG_STRLEN) */
    static char args[120000], cmd[128000];
    char ob[600], oc[600];
    args[0] = 0;
    size_t len = 0;
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(args + len, sizeof args - len, " '%s'", inputs[i]);
    if (len >= sizeof args)
        return -1;
    snprintf(ob, sizeof ob, "%s/base.synapt", g_dir);
    snprintf(oc, sizeof oc, "%s/cur.synapt", g_dir);
    double tb[9], tc[9], tf[9], td[9], fb[9], fc[9];
    for (int k = 0; k < reps; k++) {
        /* the start-up floor: each binary loading its libraries and doing
         * nothing (--version), alternated with the packs */
        snprintf(cmd, sizeof cmd, "'%s' --version >/dev/null", base);
        fb[k] = child_cpu(cmd);
        snprintf(cmd, sizeof cmd, "'%s' --version >/dev/null", cur);
        fc[k] = child_cpu(cmd);
        snprintf(cmd, sizeof cmd, "rm -f %s && '%s' --quiet --threads 1 -o %s%s", ob, base, ob, args);
        tb[k] = child_cpu(cmd);
        snprintf(cmd, sizeof cmd, "rm -f %s && '%s' --quiet --threads 1 -o %s%s", oc, cur, oc, args);
        tc[k] = child_cpu(cmd);
        tf[k] = td[k] = 0;
        if (tb[k] < 0 || tc[k] < 0 || fb[k] < 0 || fc[k] < 0)
            return -1;
        if (!with_ffmpeg)
            continue;
        size_t l = (size_t)snprintf(cmd, sizeof cmd, "true");
        for (int i = 0; i < n; i++)
            l += (size_t)snprintf(cmd + l, sizeof cmd - l,
                                  " && ffmpeg -nostdin -loglevel error -y -fflags +genpts -i '%s' -map 0:v:0 -c copy -f matroska %s/copy.mkv",
                                  inputs[i], g_dir);
        tf[k] = child_cpu(cmd);
        l = (size_t)snprintf(cmd, sizeof cmd, "true");
        for (int i = 0; i < n; i++)
            l += (size_t)snprintf(cmd + l, sizeof cmd - l,
                                  " && ffmpeg -nostdin -loglevel error -threads 1 -i '%s' -map 0:v:0 -f null -",
                                  inputs[i]);
        td[k] = child_cpu(cmd);
        if (tb[k] < 0 || tc[k] < 0 || tf[k] < 0 || td[k] < 0)
            return -1;
    }
    qsort(tb, (size_t)reps, sizeof *tb, cmp_dbl);
    qsort(tc, (size_t)reps, sizeof *tc, cmp_dbl);
    qsort(tf, (size_t)reps, sizeof *tf, cmp_dbl);
    qsort(td, (size_t)reps, sizeof *td, cmp_dbl);
    qsort(fb, (size_t)reps, sizeof *fb, cmp_dbl);
    qsort(fc, (size_t)reps, sizeof *fc, cmp_dbl);
    double mb = tb[reps / 2], mc = tc[reps / 2], mf = tf[reps / 2], md = td[reps / 2];
    double lb = fb[reps / 2], lc = fc[reps / 2];
    /* what the packing itself cost over start-up, and the most a pack could
     * gain on these inputs in one process: baseline over this tree's floor */
    char work[32];
    if (mb > lb && mc > lc)
        snprintf(work, sizeof work, "%.2fx", (mb - lb) / (mc - lc));
    else
        snprintf(work, sizeof work, "n/a");
    if (base_cpu)
        *base_cpu = mb;
    const char *same = compare_outputs(ob, oc);
    char pb[32], pc[32];
    snprintf(cmd, sizeof cmd, "rm -f %s && '%s' --quiet --threads 1 -o %s%s", ob, base, ob, args);
    long rb = child_peak_kib(cmd);
    snprintf(cmd, sizeof cmd, "rm -f %s && '%s' --quiet --threads 1 -o %s%s", oc, cur, oc, args);
    long rc = child_peak_kib(cmd);
    if (with_ffmpeg)
        printf("| %s | %d | %.3f | %.3f | **%.2fx** | %.3f / %.3f | %s | %.2fx | %.3f | %.2fx | %.3f | %s | %s / %s |\n",
               label, n, mb, mc, mb / mc, lb, lc, work, mb / lc, mf, mc / mf, md, same, peak_mb(pb, sizeof pb, rb),
               peak_mb(pc, sizeof pc, rc));
    else
        printf("| %s | %d | %.3f | %.3f | **%.2fx** | %.3f / %.3f | %s | %.2fx | - | - | - | %s | %s / %s |\n", label,
               n, mb, mc, mb / mc, lb, lc, work, mb / lc, same, peak_mb(pb, sizeof pb, rb), peak_mb(pc, sizeof pc, rc));
    return 0;
}

/* SYNAPT_PACK_BASELINE names a synapt-pack binary built from an earlier
 * commit; this tree's is SYNAPT_PACK (default build/bin/synapt-pack). Real
 * videos come from SYNAPT_REALDATA/videos when it is set. */
static void vs_baseline(int n)
{
    const char *base = getenv("SYNAPT_PACK_BASELINE"), *cur = getenv("SYNAPT_PACK");
    if (!base || !*base)
        return;
    if (!cur || !*cur)
        cur = "build/bin/synapt-pack";
    int reps = g_quick ? 1 : 5;
    printf("## synapt-pack vs the baseline binary\n\n");
    printf("Baseline: `%s`; this tree: `%s`. Each row packs the same inputs with `--threads 1` as one "
           "process (start-up included); CPU seconds (user + system of the child) are medians of %d runs, "
           "and `ffmpeg -c copy` remuxes the same inputs (one process each) in the same runs; `ffmpeg -f null` "
           "decodes them once on one thread, the work a decode-based frame count cannot avoid. The \"links\" "
           "rows pack one real file 16, 256 or 2048 times under other names in one process, start-up shared as "
           "when a folder of such clips is packed; a larger count runs while the smaller cost the baseline "
           "under a second (start-up, about 0.08 s, still over a tenth of it). The start-up floor is each "
           "binary's `--version` (its libraries loaded, nothing done), run alternately with the packs; \"work "
           "speed-up\" compares the CPU each spent past its floor, and \"ceiling\" is the baseline over this "
           "tree's floor: the most any pack in one process could gain on those inputs.\n\n",
           base, cur, reps);
    printf("| inputs | files | baseline CPU s | this tree CPU s | speed-up | start-up floor CPU s (baseline / "
           "this) | work speed-up | ceiling | `ffmpeg -c copy` CPU s | this tree / ffmpeg copy | "
           "`ffmpeg -f null` decode CPU s | output identical | peak RSS MB (baseline / this) |\n"
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
    static char paths[64][512];
    char *in[64];
    for (int i = 0; i < n && i < 64; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/v%03d.mp4", g_dir, i);
        in[i] = paths[i];
    }
    if (vs_baseline_row("generated 320x240 H.264, 4 s each", base, cur, in, n < 64 ? n : 64, reps, 1, NULL))
        printf("| generated | failed | | | | | | | | | | | |\n");
    const char *rd = getenv("SYNAPT_REALDATA");
    static const char *const real[] = { "mmpose_h264_5frames.mp4", "openpose_mp4_named_avi_aac.avi",
                                        "paddle_example_xvid.avi", "ssv2_vp9_427x240.webm",
                                        "stub_mjpeg.avi", "ucf_style_xvid_mp3.avi" };
    for (size_t i = 0; rd && *rd && i < sizeof real / sizeof real[0]; i++) {
        static char one[512];
        snprintf(one, sizeof one, "%s/videos/%s", rd, real[i]);
        if (bench_file_bytes(one) == 0)
            continue;
        char *v[1] = { one };
        if (vs_baseline_row(real[i], base, cur, v, 1, reps, 1, NULL))
            printf("| %s | failed | | | | | | | | | | | |\n", real[i]);
        /* the same file 16, 256 and 2048 times in one run (links under
         * other names, so the clip ids differ): the per-clip cost once
         * start-up is shared, as when a dataset of such clips is packed.
         * Each larger count runs only while the previous one cost the
         * baseline under a second, i.e. while start-up (about 0.08 s) is
         * still more than a tenth of it; the ffmpeg columns only at 16
         * (one process per clip) */
        enum { COPIES = 2048 };
        static char links[COPIES][600];
        static char *lv[COPIES];
        const char *ext = strrchr(real[i], '.');
        int ok = 1;
        for (int k = 0; k < COPIES; k++) {
            snprintf(links[k], sizeof links[k], "%s/b%zu_%04d%s", g_dir, i, k, ext ? ext : "");
            unlink(links[k]);
            if (symlink(one, links[k]) != 0)
                ok = 0;
            lv[k] = links[k];
        }
        double prev = 0;
        static const int counts[] = { 16, 256, COPIES };
        for (size_t c = 0; c < sizeof counts / sizeof *counts; c++) {
            if (c > 0 && prev >= 1.0)
                break;
            char label[160];
            snprintf(label, sizeof label, "%s, %d links in one run", real[i], counts[c]);
            if (!ok || vs_baseline_row(label, base, cur, lv, counts[c], reps, c == 0, &prev))
                printf("| %s | failed | | | | | | | | | | | |\n", label);
        }
        for (int k = 0; k < COPIES; k++)
            unlink(links[k]);
    }
    printf("\n");
}

static int pack(const char *manifest, const char *out, int threads, import_pack_stats *st)
{
    import_list l;
    import_list_init(&l);
    char err[1024] = "";
    const char *in[1] = { manifest };
    import_options io = IMPORT_OPTIONS_INIT;
    int rc = import_parse(&l, &io, in, 1, err, sizeof err);
    if (!rc) {
        import_pack_options o;
        memset(&o, 0, sizeof o);
        synapt_video_import_options vi = SYNAPT_VIDEO_IMPORT_OPTIONS_INIT;
        o.video = vi;
        o.out = out;
        o.threads = threads;
        rc = import_pack_run(st, &l, &o, err, sizeof err);
    }
    if (rc)
        fprintf(stderr, "bench_pack: %s\n", err);
    import_list_free(&l);
    return rc;
}

int main(int argc, char **argv)
{
    g_quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    cli_init("bench_pack", "");
    cli_set_verbosity(-1);
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/synapt-bench-pack.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(g_dir)) {
        perror("bench_pack: mkdtemp");
        return 1;
    }
    if (run("ffmpeg -version >/dev/null 2>&1")) {
        printf("## synapt-pack\n\nskipped: no ffmpeg CLI on PATH\n\n");
        return 0;
    }
    int n = g_quick ? 8 : 32;
    uint64_t in_bytes;
    char manifest[512], out[512], cmd[2048];
    snprintf(manifest, sizeof manifest, "%s/m.jsonl", g_dir);
    if (make_inputs(n, &in_bytes)) {
        fprintf(stderr, "bench_pack: generating inputs failed\n");
        return 1;
    }
    double mb = (double)in_bytes / 1e6;
    /* remux: best of 3 (process start-up included: it is how people remux) */
    double remux = 1e30, remux_cpu = 1e30;
    for (int k = 0; k < 3; k++) {
        double c0 = cpu_s(RUSAGE_CHILDREN);
        double t = remux_all(n);
        if (t < 0)
            return 1;
        double c = cpu_s(RUSAGE_CHILDREN) - c0;
        remux = t < remux ? t : remux;
        remux_cpu = c < remux_cpu ? c : remux_cpu;
    }
    double inproc = 1e30, inproc_cpu = 1e30;
    for (int k = 0; k < 3; k++) {
        double c0 = cpu_s(RUSAGE_SELF);
        double t = remux_inproc_all(n);
        if (t < 0)
            return 1;
        double c = cpu_s(RUSAGE_SELF) - c0;
        inproc = t < inproc ? t : inproc;
        inproc_cpu = c < inproc_cpu ? c : inproc_cpu;
    }
    printf("## synapt-pack (copy mode)\n\n");
    printf("%d clips of 4 s, 320x240 H.264 25 fps, %.1f MB of input.\n\n", n, mb);
    printf("Wall-time ratios are against the ffmpeg CLI's wall time; CPU ratios against its CPU time.\n\n");
    printf("| run | wall s | clips/s | MB/s | vs remux (wall) | CPU s | vs remux (CPU) |\n"
           "|---|---|---|---|---|---|---|\n");
    printf("| `ffmpeg -c copy` (one process per clip) | %.3f | %.1f | %.1f | 1.00x | %.3f | 1.00x |\n",
           remux, n / remux, mb / remux, remux_cpu);
    printf("| libavformat remux in one process (no start-up cost) | %.3f | %.1f | %.1f | %.2fx | %.3f | %.2fx |\n",
           inproc, n / inproc, mb / inproc, remux / inproc, inproc_cpu, remux_cpu / inproc_cpu);
    static const int threads[] = { 1, 2, 4 };
    for (int i = 0; i < 3; i++) {
        double best = 1e30, best_cpu = 1e30;
        import_pack_stats st;
        for (int k = 0; k < (g_quick ? 1 : 3); k++) {
            snprintf(out, sizeof out, "%s/out-t%d.synapt", g_dir, threads[i]);
            double c0 = cpu_s(RUSAGE_SELF);
            double t0 = bench_wall_s();
            if (pack(manifest, out, threads[i], &st))
                return 1;
            double t = bench_wall_s() - t0, c = cpu_s(RUSAGE_SELF) - c0;
            best = t < best ? t : best;
            best_cpu = c < best_cpu ? c : best_cpu;
        }
        printf("| pack --threads %d | %.3f | %.1f | %.1f | %.2fx | %.3f | %.2fx |\n", threads[i], best,
               n / best, mb / best, remux / best, best_cpu, remux_cpu / best_cpu);
    }
    char o1[512], o4[512];
    snprintf(o1, sizeof o1, "%s/out-t1.synapt", g_dir);
    snprintf(o4, sizeof o4, "%s/out-t4.synapt", g_dir);
    snprintf(cmd, sizeof cmd, "cmp -s %s %s", o1, o4);
    printf("\nOutput of --threads 1 and --threads 4 %s.\n\n", run(cmd) == 0 ? "is byte-identical" : "DIFFERS");
    vs_baseline(n);

    /* peak memory on one long input, packed by the synapt-pack binary */
    int minutes = g_quick ? 5 : 60;
    char longv[512], longm[512];
    snprintf(longv, sizeof longv, "%s/long.mp4", g_dir);
    snprintf(longm, sizeof longm, "%s/long.jsonl", g_dir);
    snprintf(cmd, sizeof cmd,
             "ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc2=size=160x120:rate=10:duration=%d "
             "-c:v libx264 -preset ultrafast -g 100 -pix_fmt yuv420p %s", minutes * 60, longv);
    FILE *m = fopen(longm, "w");
    if (run(cmd) || !m) {
        fprintf(stderr, "bench_pack: generating the long input failed\n");
        return 1;
    }
    fprintf(m, "{\"video\":\"long.mp4\",\"label\":\"long\"}\n");
    fclose(m);
    snprintf(out, sizeof out, "%s/long.synapt", g_dir);
    /* the binary as a user runs it, its peak through GNU time */
    const char *bin = getenv("SYNAPT_PACK");
    if (!bin || !*bin)
        bin = "build/bin/synapt-pack";
    snprintf(cmd, sizeof cmd, "'%s' --quiet --threads 1 -o '%s' '%s'", bin, out, longm);
    double t0 = bench_wall_s();
    long peak = child_peak_kib(cmd);
    double tl = bench_wall_s() - t0;
    if (peak < 0) {
        fprintf(stderr, "bench_pack: packing the long input failed (or /usr/bin/time is missing)\n");
        return 1;
    }
    double rss_mb = (double)peak / 1024.0;
    printf("## synapt-pack peak memory\n\n");
    printf("The synapt-pack binary (%s) as a process, start-up included; peak RSS as GNU time reports it.\n\n", bin);
    printf("| input | frames | wall s | peak RSS | target |\n|---|---|---|---|---|\n");
    printf("| %d min 160x120 10 fps H.264 (%.1f MB) | %d | %.2f | %.1f MB | < 256 MB %s |\n\n", minutes,
           (double)bench_file_bytes(longv) / 1e6, minutes * 600, tl, rss_mb, rss_mb < 256 ? "(met)" : "(MISSED)");
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_dir);
    run(cmd);
    return 0;
}
