/* bench_dataset.c - the cost of reading through a dataset manifest.
 *
 * Opening a manifest of N clips in S shards and reading the last clip's
 * info (which opens one member) against opening one .synapt file holding
 * the same N clips and reading the same clip, measured in the same run.
 * The target (issue 9): under 100 ms for 150,000 clips in 64 shards.
 * Wall time, median of 7 fresh opens each; files in $TMPDIR, page cache
 * warm.
 *
 * Usage: bench_dataset [--quick] [--clips N] [--shards S] [--manifest PATH]
 *   --quick          1,000 clips in 8 shards only (what `make bench` runs)
 *   --clips/--shards the large case's size (default 150,000 clips, 64 shards)
 *   --manifest PATH  time an existing manifest instead (e.g. one joined from
 *                    synapt-synth --shard parts; with --quick or --clips the
 *                    generated sets too): open + info of its last clip, and
 *                    open + info of a clip in every member, which opens
 *                    every member once (what a lookup by clip id costs). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "synapt.h"
#include "bench_util.h"

static char g_dir[256];



/* clips [first, first+n) named clip-%07d, 20 labels, one 4-byte frame each */
static int write_file(const char *path, uint64_t first, uint64_t n)
{
    synapt_writer_options o = SYNAPT_WRITER_OPTIONS_INIT;
    o.fsync = 0;
    synapt_writer *w;
    char err[512];
    if (synapt_writer_create(&w, path, &o, err, sizeof err)) { fprintf(stderr, "%s\n", err); return 0; }
    for (uint64_t i = first; i < first + n; i++) {
        char id[32], lab[16];
        snprintf(id, sizeof id, "clip-%07llu", (unsigned long long)i);
        snprintf(lab, sizeof lab, "class%02d", (int)(i % 20));
        const char *labs[1] = { lab };
        synapt_clip_desc c = SYNAPT_CLIP_DESC_INIT;
        c.id = id;
        c.labels = labs;
        c.label_count = 1;
        synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
        d.name = "x";
        d.kind = SYNAPT_KIND_CUSTOM;
        d.dtype = SYNAPT_DTYPE_U8;
        d.ndim = 1;
        d.shape[0] = 4;
        uint32_t s;
        uint8_t b[4] = { (uint8_t)i, 1, 2, 3 };
        if (synapt_writer_begin_clip(w, &c) || synapt_writer_add_stream(&s, w, &d) ||
            synapt_writer_write_frames(w, s, b, 4, 1, NULL) || synapt_writer_end_clip(w)) {
            fprintf(stderr, "%s\n", synapt_writer_errmsg(w));
            synapt_writer_abort(w);
            return 0;
        }
    }
    if (synapt_writer_close(w, err, sizeof err)) { fprintf(stderr, "%s\n", err); return 0; }
    return 1;
}

/* shards NAME-XXX.synapt and NAME.synapt.json (with labels), and NAME.synapt */
static int make_set(const char *name, uint64_t n, unsigned shards)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.synapt", g_dir, name);
    if (!write_file(path, 0, n)) return 0;
    snprintf(path, sizeof path, "%s/%s.synapt.json", g_dir, name);
    FILE *f = fopen(path, "w");
    if (!f) return 0;
    fprintf(f, "{\"schema\":\"synapt-dataset/1\",\n \"labels\":[");
    for (int l = 0; l < 20; l++) fprintf(f, "%s\"class%02d\"", l ? "," : "", l);
    fprintf(f, "],\n \"members\":[");
    uint64_t first = 0;
    for (unsigned s = 0; s < shards; s++) {
        uint64_t k = n / shards + (s < n % shards);
        char sp[512], rel[64];
        snprintf(rel, sizeof rel, "%s-%03u.synapt", name, s);
        snprintf(sp, sizeof sp, "%s/%s", g_dir, rel);
        if (!write_file(sp, first, k)) { fclose(f); return 0; }
        first += k;
        synapt_reader *r;
        synapt_file_info fi;
        if (synapt_reader_open(&r, sp, NULL)) { fclose(f); return 0; }
        synapt_reader_file_info(&fi, r);
        fprintf(f, "%s\n  {\"path\":\"%s\",\"uuid\":\"", s ? "," : "", rel);
        for (int i = 0; i < 16; i++) fprintf(f, "%02x", fi.uuid[i]);
        fprintf(f, "\",\"clips\":%llu,\"size\":%llu}", (unsigned long long)fi.clip_count,
                (unsigned long long)fi.file_bytes);
        synapt_reader_close(r);
    }
    fprintf(f, "]}\n");
    return fclose(f) == 0;
}

/* median seconds to open `path` and read the info of clip `g` */
static double time_open(const char *path, uint64_t g, int as_dataset)
{
    double t[7];
    for (int rep = 0; rep < 7; rep++) {
        double t0 = bench_wall_s();
        synapt_clip_info ci;
        int rc;
        if (as_dataset) {
            synapt_dataset *ds;
            rc = synapt_dataset_open(&ds, path, NULL, NULL, 0);
            if (!rc) rc = synapt_dataset_clip(&ci, ds, g);
            synapt_dataset_close(ds);
        } else {
            synapt_reader *r;
            rc = synapt_reader_open(&r, path, NULL);
            if (!rc) rc = synapt_reader_clip(&ci, r, g);
            synapt_reader_close(r);
        }
        if (rc) { fprintf(stderr, "bench_dataset: %s: %s\n", path, synapt_strerror(rc)); return -1; }
        t[rep] = bench_wall_s() - t0;
    }
    return bench_median(t, 7);
}

static int run(const char *name, uint64_t n, unsigned shards)
{
    if (!make_set(name, n, shards)) return 0;
    char man[512], one[512];
    snprintf(man, sizeof man, "%s/%s.synapt.json", g_dir, name);
    snprintf(one, sizeof one, "%s/%s.synapt", g_dir, name);
    double tm = time_open(man, n - 1, 1), to = time_open(one, n - 1, 0),
           td = time_open(one, n - 1, 1);
    if (tm < 0 || to < 0 || td < 0) return 0;
    printf("| %llu clips, %u shards | %.2f ms | %.2f ms | %.2f ms | %.2fx |\n",
           (unsigned long long)n, shards, tm * 1e3, to * 1e3, td * 1e3, tm / to);
    return 1;
}

/* an existing manifest: its last clip, then one clip of every member */
static int run_manifest(const char *path)
{
    synapt_dataset *ds;
    char err[512];
    int rc = synapt_dataset_open(&ds, path, NULL, err, sizeof err);
    if (rc) { fprintf(stderr, "bench_dataset: %s\n", err); return 0; }
    uint64_t n = synapt_dataset_clip_count(ds);
    uint32_t members = synapt_dataset_member_count(ds);
    synapt_dataset_close(ds);
    if (!n) { fprintf(stderr, "bench_dataset: %s: no clips\n", path); return 0; }
    double tl = time_open(path, n - 1, 1), t[7];
    if (tl < 0) return 0;
    for (int rep = 0; rep < 7; rep++) {
        double t0 = bench_wall_s();
        if (synapt_dataset_open(&ds, path, NULL, NULL, 0)) return 0;
        uint64_t g = 0;
        for (uint32_t m = 0; m < members && !rc; m++) {
            synapt_dataset_member mi;
            synapt_clip_info ci;
            rc = synapt_dataset_member_info(&mi, ds, m);
            if (!rc && mi.clips) rc = synapt_dataset_clip(&ci, ds, g + mi.clips - 1);
            g += mi.clips;
        }
        synapt_dataset_close(ds);
        if (rc) { fprintf(stderr, "bench_dataset: %s: %s\n", path, synapt_strerror(rc)); return 0; }
        t[rep] = bench_wall_s() - t0;
    }
    printf("| %s: %llu clips, %u members | open + last clip %.2f ms | open + a clip of every member %.2f ms |\n",
           path, (unsigned long long)n, members, tl * 1e3, bench_median(t, 7) * 1e3);
    return 1;
}

int main(int argc, char **argv)
{
    int quick = 0, sized = 0;
    uint64_t clips = 150000;
    unsigned shards = 64;
    const char *manifest = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) quick = 1;
        else if (!strcmp(argv[i], "--clips") && i + 1 < argc) { clips = strtoull(argv[++i], NULL, 10); sized = 1; }
        else if (!strcmp(argv[i], "--shards") && i + 1 < argc) { shards = (unsigned)strtoul(argv[++i], NULL, 10); sized = 1; }
        else if (!strcmp(argv[i], "--manifest") && i + 1 < argc) manifest = argv[++i];
        else {
            fprintf(stderr, "usage: bench_dataset [--quick] [--clips N] [--shards S] [--manifest PATH]\n");
            return 2;
        }
    }
    if (clips < 1 || shards < 1 || shards > clips) {
        fprintf(stderr, "bench_dataset: need 1 <= --shards <= --clips\n");
        return 2;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/synapt-bench-ds.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(g_dir)) { perror("mkdtemp"); return 1; }
    printf("## bench_dataset\n\nOpen + info of the last clip, in process, wall time, median of 7.\n\n");
    int ok = 1;
    if (!manifest || quick || sized) {
        printf("| dataset | manifest (synapt_dataset) | one file (synapt_reader) | one file (synapt_dataset) | manifest / file |\n");
        printf("|---|---|---|---|---|\n");
        ok = run("k1", 1000, 8) && (quick || run("big", clips, shards));
    }
    if (ok && manifest) {
        printf("\n| existing manifest | open + info of the last clip (median of 7) | open + one clip per member (median of 7) |\n|---|---|---|\n");
        ok = run_manifest(manifest);
    }
    printf("\nTarget: manifest of 150,000 clips in 64 shards under 100 ms.\n\n");
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd)) {}
    return ok ? 0 : 1;
}
