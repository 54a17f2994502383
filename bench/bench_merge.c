/* bench_merge.c - copy throughput of synapt-merge and synapt-subset against
 * `cat IN > OUT && sync OUT` of the same bytes (a process that copies and
 * fsyncs, as the tools do), measured in the same run; a read/write copy in
 * this process is shown too. Target (issue 9): at least 0.7x cat's
 * throughput. Wall time, median of 5 interleaved rounds; files in $TMPDIR.
 * Usage: bench_merge [--quick] (quick: 16 MiB instead of 128). */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "synapt.h"
#include "bench_util.h"

static char g_dir[256], g_bin[512];



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

/* Run each command once per round, rounds interleaved so that a busy
 * moment of the shared machine hits every row alike; median of the rounds.
 * cmds[i] NULL: the read/write copy. */
#define ROUNDS 5
static int timed(double *med, const char *const *cmds, int n, const char *src, const char *dst)
{
    double t[8][ROUNDS];
    for (int r = 0; r < ROUNDS; r++)
        for (int i = 0; i < n; i++) {
            char rm[1200];
            snprintf(rm, sizeof rm, "rm -f '%s' %s/out-*.synapt %s/out.synapt.json", dst, g_dir, g_dir);
            if (system(rm)) {}
            double t0 = bench_wall_s();
            int ok = cmds[i] ? system(cmds[i]) == 0 : copy_file(src, dst);
            t[i][r] = bench_wall_s() - t0;
            if (!ok) return -1;
        }
    for (int i = 0; i < n; i++)
        med[i] = bench_median(t[i], ROUNDS);
    return 0;
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
    char in[512], out[600], cmd[8192];
    snprintf(in, sizeof in, "%s/in.synapt", g_dir);
    snprintf(out, sizeof out, "%s/out.synapt", g_dir);
    int clips = quick ? 16 : 128;
    if (!make_input(in, clips)) return 1;
    struct stat st;
    stat(in, &st);
    double mib = (double)st.st_size / 1048576.0;
    /* the same bytes as two files joined by a manifest, as input */
    char half[2][512], man[600], c_m[2048], c_s[2048], c_sh[2048], c_j[2048];
    snprintf(half[0], sizeof half[0], "%s/h0.synapt", g_dir);
    snprintf(half[1], sizeof half[1], "%s/h1.synapt", g_dir);
    snprintf(man, sizeof man, "%s/halves.synapt.json", g_dir);
    snprintf(cmd, sizeof cmd,
             "'%s/synapt-subset' -q --label even -o '%s' '%s' && '%s/synapt-subset' -q --label odd -o '%s' '%s' && "
             "'%s/synapt-merge' -q --manifest-only -o '%s' '%s' '%s'",
             g_bin, half[0], in, g_bin, half[1], in, g_bin, man, half[0], half[1]);
    if (system(cmd)) { fprintf(stderr, "bench_merge: cannot make the halves\n"); return 1; }
    snprintf(c_m, sizeof c_m, "'%s/synapt-merge' -q -o '%s' '%s'", g_bin, out, in);
    snprintf(c_s, sizeof c_s, "'%s/synapt-subset' -q --label even,odd -o '%s' '%s'", g_bin, out, in);
    snprintf(c_sh, sizeof c_sh, "'%s/synapt-merge' -q --max-shard-bytes %dM -o '%s' '%s'", g_bin,
             quick ? 4 : 32, out, in);
    snprintf(c_j, sizeof c_j, "'%s/synapt-merge' -q -o '%s' '%s'", g_bin, out, man);
    /* the baseline is a process too: cat, then sync of that one file (coreutils
     * sync FILE is an fsync), as the tools start, copy and fsync */
    char c_cat[2048];
    snprintf(c_cat, sizeof c_cat, "cat '%s' > '%s' && sync '%s'", in, out, out);
    const char *cmds[] = { c_cat, NULL, c_m, c_s, c_sh, c_j };
    double t[6];
    int bad = timed(t, cmds, 6, in, out);
    printf("## bench_merge\n\nCopy-only merge and subset of %.0f MiB (%d clips of 1 MiB, stored\n"
           "uncompressed) against cat of the same bytes, each a process that ends with\n"
           "an fsync of its output; median of %d interleaved rounds.\n\n", mib, clips, ROUNDS);
    printf("| copy | time | MiB/s | vs cat |\n|---|---|---|---|\n");
    if (bad) { printf("(a run failed)\n"); return 1; }
    static const char *const names[] = { "cat IN > OUT && sync OUT (baseline)",
                                         "read/write in this process, fsync", "synapt-merge",
                                         "synapt-subset", "synapt-merge --max-shard-bytes (4 shards)",
                                         "synapt-merge of a 2-member manifest" };
    for (int i = 0; i < 6; i++)
        printf("| %s | %.3f s | %.0f | %.2fx |\n", names[i], t[i], mib / t[i], t[0] / t[i]);
    printf("\nTarget: at least 0.7x cat's throughput.\n\n");
    if (getenv("BENCH_KEEP")) return 0;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd)) {}
    return 0;
}
