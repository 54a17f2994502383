/* bench_merge.c - copy throughput of synapt-merge and synapt-subset against
 * copying the same bytes with read/write (what `cat IN > OUT` does), fsync
 * included on both sides, measured in the same run. Target (issue 9): at
 * least 0.7x the copy's throughput. Wall time, median of 3; files in
 * $TMPDIR. Usage: bench_merge [--quick] (quick: 16 MiB instead of 128). */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "synapt.h"

static char g_dir[256], g_bin[512];

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* clips of 16 frames of 64 KiB each, incompressible bytes stored as is */
static int make_input(const char *path, int clips)
{
    synapt_writer_options o = SYNAPT_WRITER_OPTIONS_INIT;
    o.fsync = 0;
    synapt_writer *w;
    char err[512];
    if (synapt_writer_create(&w, path, &o, err, sizeof err)) { fprintf(stderr, "%s\n", err); return 0; }
    uint8_t *buf = malloc(16u << 16);
    uint64_t x = 88172645463325252ull;
    for (int c = 0; c < clips; c++) {
        char id[32];
        snprintf(id, sizeof id, "clip%05d", c);
        const char *lab[1] = { c % 2 ? "odd" : "even" };
        synapt_clip_desc cd = SYNAPT_CLIP_DESC_INIT;
        cd.id = id;
        cd.labels = lab;
        cd.label_count = 1;
        synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
        d.name = "x";
        d.kind = SYNAPT_KIND_CUSTOM;
        d.dtype = SYNAPT_DTYPE_U8;
        d.ndim = 1;
        d.shape[0] = 1u << 16;
        d.compression = SYNAPT_COMPRESSION_NONE;
        d.filter = SYNAPT_FILTER_NONE;
        for (size_t i = 0; i < (16u << 16) / 8; i++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            memcpy(buf + 8 * i, &x, 8);
        }
        uint32_t s;
        if (synapt_writer_begin_clip(w, &cd) || synapt_writer_add_stream(&s, w, &d) ||
            synapt_writer_write_frames(w, s, buf, 16u << 16, 16, NULL) || synapt_writer_end_clip(w)) {
            fprintf(stderr, "%s\n", synapt_writer_errmsg(w));
            free(buf);
            return 0;
        }
    }
    free(buf);
    return !synapt_writer_close(w, err, sizeof err);
}

static int copy_file(const char *src, const char *dst)
{
    int in = open(src, O_RDONLY), out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0) return 0;
    static char buf[1 << 17];   /* coreutils cat's buffer size */
    ssize_t n;
    int ok = 1;
    while ((n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n) { ok = 0; break; }
    if (n < 0 || fsync(out)) ok = 0;
    close(in);
    close(out);
    return ok;
}

static double median3(const char *cmd, const char *src, const char *dst)
{
    double t[3];
    for (int i = 0; i < 3; i++) {
        unlink(dst);
        double t0 = now();
        int ok = cmd ? system(cmd) == 0 : copy_file(src, dst);
        t[i] = now() - t0;
        if (!ok) return -1;
    }
    qsort(t, 3, sizeof t[0], cmp_d);
    return t[1];
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && !strcmp(argv[1], "--quick");
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/synapt-bench-merge.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(g_dir)) { perror("mkdtemp"); return 1; }
    /* the tools sit in ../bin beside this binary's directory */
    const char *slash = strrchr(argv[0], '/');
    snprintf(g_bin, sizeof g_bin, "%.*s/../bin", slash ? (int)(slash - argv[0]) : 1, slash ? argv[0] : ".");
    char in[512], out[600], cmd[2048];
    snprintf(in, sizeof in, "%s/in.synapt", g_dir);
    snprintf(out, sizeof out, "%s/out.synapt", g_dir);
    int clips = quick ? 16 : 128;
    if (!make_input(in, clips)) return 1;
    struct stat st;
    stat(in, &st);
    double mib = (double)st.st_size / 1048576.0;
    double tc = median3(NULL, in, out);
    snprintf(cmd, sizeof cmd, "'%s/synapt-merge' -q -o '%s' '%s'", g_bin, out, in);
    double tm = median3(cmd, in, out);
    snprintf(cmd, sizeof cmd, "'%s/synapt-subset' -q --label even,odd -o '%s' '%s'", g_bin, out, in);
    double ts = median3(cmd, in, out);
    printf("## bench_merge\n\nCopy-only merge and subset of %.0f MiB (%d clips of 1 MiB, stored\n"
           "uncompressed) against read/write of the same bytes (cat), fsync on both.\n\n", mib, clips);
    printf("| copy | time | MiB/s | vs cat |\n|---|---|---|---|\n");
    if (tc <= 0 || tm <= 0 || ts <= 0) { printf("(a run failed)\n"); return 1; }
    printf("| cat (read/write) | %.3f s | %.0f | 1.00x |\n", tc, mib / tc);
    printf("| synapt-merge | %.3f s | %.0f | %.2fx |\n", tm, mib / tm, tc / tm);
    printf("| synapt-subset | %.3f s | %.0f | %.2fx |\n", ts, mib / ts, tc / ts);
    printf("\nTarget: at least 0.7x cat's throughput.\n\n");
    if (getenv("BENCH_KEEP")) return 0;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd)) {}
    return 0;
}
