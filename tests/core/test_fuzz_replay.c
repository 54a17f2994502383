/* test_fuzz_replay.c - replay the committed fuzz corpus (fuzz/corpus/<target>)
 * through the same harness code the fuzzers run, under the ordinary build and
 * under `make asan`, so every input that once found a bug keeps being tried.
 *
 * The six targets are compiled into this program by #include, each entry
 * point renamed. The test also checks that inputs built from fresh valid
 * files open cleanly through each harness: if the library's layout drifted
 * from what the harnesses splice, the fuzzers would be exercising nothing. */
#include <dirent.h>

#define LLVMFuzzerTestOneInput fuzz_open_entry
#include "../../fuzz/fuzz_open.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_index_entry
#include "../../fuzz/fuzz_index.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_chunk_entry
#include "../../fuzz/fuzz_chunk.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_recover_entry
#include "../../fuzz/fuzz_recover.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_vscan_entry
#include "../../fuzz/fuzz_vscan.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_dans_entry
#include "../../fuzz/fuzz_dans.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_dstrip_entry
#include "../../fuzz/fuzz_dstrip.c"
#undef LLVMFuzzerTestOneInput

#include "testutil.h"

typedef int (*entry_fn)(const uint8_t *, size_t);

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replay every file of fuzz/corpus/<target> in name order; returns the
 * number of files, -1 when the directory is missing. */
static long replay_dir(const char *target, entry_fn fn)
{
    char dir[256];
    snprintf(dir, sizeof dir, "fuzz/corpus/%s", target);
    DIR *d = opendir(dir);
    if (!d) return -1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **q = realloc(names, cap * sizeof *names);
            if (!q) abort();
            names = q;
        }
        names[n] = strdup(e->d_name);
        if (!names[n]) abort();
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    long done = 0;
    for (size_t i = 0; i < n; i++) {
        char path[512];
        size_t size = 0;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        uint8_t *data = fz_slurp(path, &size);
        if (!data) {
            printf("  cannot read %s\n", path);
            CHECK(data != NULL);
        } else {
            fn(data, size);
            done++;
        }
        free(data);
        free(names[i]);
    }
    free(names);
    return done;
}

static void replay(const char *target, entry_fn fn)
{
    char name[64];
    snprintf(name, sizeof name, "replay_%s", target);
    tu_begin(name);
    long n = replay_dir(target, fn);
    if (n < 0) {
        tu_skip(name, "fuzz/corpus not found (run from the source tree)");
        return;
    }
    printf("  %s: %ld corpus inputs replayed\n", target, n);
    CHECK(n > 0);
    tu_end();
}

/* Inputs derived from valid files must open with rc 0 in every harness. */
static void seeds_open_cleanly(void)
{
    static const int multi[] = { 0, 1, 3 };
    for (size_t i = 0; i < sizeof multi / sizeof multi[0]; i++) {
        size_t n = 0;
        uint8_t *f = fz_sample_file(multi[i], &n);
        CHECK(f != NULL);
        if (!f) continue;
        unsigned long reads = fz_stat_reads, verified = fz_stat_verified;
        CHECK_EQ_INT(fz_open_walk(f, n, 1, 1), 0);
        CHECK(fz_stat_verified == verified + 1);
        if (multi[i] > 0) CHECK(fz_stat_reads > reads);
        /* recomputing the checksums of a sound file changes nothing */
        uint8_t *copy = malloc(n);
        CHECK(copy != NULL);
        if (copy) {
            memcpy(copy, f, n);
            fz_fix_checksums(copy, n);
            CHECK(memcmp(copy, f, n) == 0);
            free(copy);
        }
        CHECK_EQ_INT(fz_open_walk_file(f, n, 0), 0);
        CHECK_EQ_INT(fz_open_walk_file(f, n, 1), 0);
        size_t ioff, ilen;
        CHECK_EQ_INT(fr_run(f, n), 0);
        if (multi[i] > 0 && fz_index_record(f, n, &ioff, &ilen)) {
            CHECK_EQ_INT(fr_run(f, ioff), 0);          /* the writer died before the index */
            CHECK_EQ_INT(fr_run(f, ioff * 2 / 3), 0);  /* ... or inside a record */
        }
        fz_buf b = { 0 };
        CHECK(fz_index_input(&b, f, n));
        if (b.n) {
            verified = fz_stat_verified;
            CHECK_EQ_INT(fi_run(b.p, b.n), 0);
            CHECK(fz_stat_verified == verified + 1);
        }
        free(b.p);
        free(f);
    }
    for (size_t i = 0; i < FZ_NCFG; i++) {
        size_t n = 0;
        uint8_t *f = fz_sample_file(-(int)i - 1, &n);
        if (!f) printf("  stream config %s: the library did not write it\n", fz_cfgs[i].name);
        CHECK(f != NULL);
        if (!f) continue;
        fz_buf b = { 0 };
        CHECK(fz_chunk_input(&b, i, f, n));
        if (b.n) {
            unsigned long reads = fz_stat_reads, verified = fz_stat_verified;
            int rc = fc_run(b.p, b.n);
            CHECK(fz_stat_reads > reads);
            CHECK(fz_stat_verified == verified + 1);
            if (rc != 0) printf("  fuzz_chunk template %s: %s\n", fz_cfgs[i].name, synapt_strerror(rc));
            CHECK_EQ_INT(rc, 0);
        }
        free(b.p);
        free(f);
    }
}

/* A few hostile shapes every harness must survive even with no corpus. */
static void edge_inputs(void)
{
    static const uint8_t empty[1] = { 0 };
    uint8_t big[4096];
    memset(big, 0xff, sizeof big);
    fuzz_open_entry(empty, 0);
    fuzz_open_entry(big, sizeof big);
    fuzz_index_entry(empty, 0);
    fuzz_index_entry(big, sizeof big);
    fuzz_chunk_entry(empty, 0);
    fuzz_recover_entry(empty, 0);
    fuzz_recover_entry(big, sizeof big);
    for (unsigned t = 0; t < FZ_NCFG; t++) {
        big[0] = (uint8_t)t;
        fuzz_chunk_entry(big, sizeof big);
        fuzz_chunk_entry(big, 1);
    }
    CHECK(1);
}

int main(void)
{
    RUN(seeds_open_cleanly);
    RUN(edge_inputs);
    replay("fuzz_open", fuzz_open_entry);
    replay("fuzz_index", fuzz_index_entry);
    replay("fuzz_chunk", fuzz_chunk_entry);
    replay("fuzz_recover", fuzz_recover_entry);
    replay("fuzz_vscan", fuzz_vscan_entry);
    replay("fuzz_dans", fuzz_dans_entry);
    replay("fuzz_dstrip", fuzz_dstrip_entry);
    TEST_MAIN_END();
}
