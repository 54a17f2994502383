/* test_fuzz_import.c - replay the committed importer corpora
 * (fuzz/corpus/fuzz_imp_*) through the harness the fuzzers run
 * (fuzz/fuzz_import.c), in the ordinary build and under `make asan`, so an
 * input that once found a bug in an importer keeps being tried by
 * `make test`. Unlike the fuzz build, the matio and HDF5 readers here go
 * through the sandboxed child, as in synapt-pack. The harness aborts on a
 * failure without a message; a crash, leak or sanitizer report fails the
 * test. */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>

int fuzz_import_entry(const uint8_t *data, size_t size);
#define LLVMFuzzerTestOneInput fuzz_import_entry
#include "../../fuzz/fuzz_import.c"
#undef LLVMFuzzerTestOneInput

#include "testutil.h"

static const char *const targets[] = {
    "fuzz_imp_manifest", "fuzz_imp_layouts", "fuzz_imp_skeleton", "fuzz_imp_posejson",
    "fuzz_imp_npy", "fuzz_imp_png", "fuzz_imp_mat", "fuzz_imp_hdf5",
};

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *p = NULL;
    long len = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (len >= 0 && fseek(f, 0, SEEK_SET) == 0 && (p = malloc((size_t)len + 1)) &&
        fread(p, 1, (size_t)len, f) != (size_t)len) {
        free(p);
        p = NULL;
    }
    fclose(f);
    *n = len > 0 ? (size_t)len : 0;
    return p;
}

/* every file of fuzz/corpus/<target> in name order; -1: no such folder */
static long replay_dir(int importer, const char *target)
{
    char dir[256];
    snprintf(dir, sizeof dir, "fuzz/corpus/%s", target);
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **q = realloc(names, cap * sizeof *names);
            if (!q)
                abort();
            names = q;
        }
        if (!(names[n++] = strdup(e->d_name)))
            abort();
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    long done = 0;
    for (size_t i = 0; i < n; i++) {
        char path[512];
        size_t size = 0;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        uint8_t *data = slurp(path, &size);
        CHECK(data != NULL);
        if (data) {
            fz_import_run(importer, data, size);
            done++;
        }
        free(data);
        free(names[i]);
    }
    free(names);
    return done;
}

int main(void)
{
    for (int k = 0; k < (int)(sizeof targets / sizeof targets[0]); k++) {
        char name[64];
        snprintf(name, sizeof name, "replay_%s", targets[k]);
        tu_begin(name);
        long n = replay_dir(k + 1, targets[k]);
        if (n < 0) {
            tu_skip(name, "fuzz/corpus not found (run from the source tree)");
            continue;
        }
        printf("  %s: %ld corpus inputs replayed\n", targets[k], n);
        CHECK(n > 0);
        /* an empty input and a lone variant byte, for every importer */
        static const uint8_t one[1] = { 1 };
        fz_import_run(k + 1, one, 0);
        fz_import_run(k + 1, one, 1);
        tu_end();
    }
    TEST_MAIN_END();
}
