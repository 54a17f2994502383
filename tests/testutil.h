/* testutil.h - a tiny test harness shared by tests/SUBJECT/test_*.c.
 *
 * Each check that passes or fails prints one line, "PASS name" or
 * "FAIL name: why" (with file:line); tests/run.sh counts those lines and
 * prints the final "N passed, N failed". SKIP lines are counted separately. */
#ifndef SYNAPT_TESTUTIL_H
#define SYNAPT_TESTUTIL_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>

static int tu_failed_ = 0, tu_passed_ = 0, tu_case_failed_ = 0;
static const char *tu_case_ = "?";

/* CHECK records a failure of the current case but keeps going. */
#define CHECK(cond) do { if (!(cond)) { tu_case_failed_ = 1; \
    printf("  check failed %s:%d: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_EQ_INT(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
    if (a_ != b_) { tu_case_failed_ = 1; printf("  check failed %s:%d: %s == %s (%lld vs %lld)\n", \
    __FILE__, __LINE__, #a, #b, a_, b_); } } while (0)
#define CHECK_OK(expr) do { int rc_ = (expr); if (rc_ != 0) { tu_case_failed_ = 1; \
    printf("  check failed %s:%d: %s returned %d\n", __FILE__, __LINE__, #expr, rc_); } } while (0)

static inline void tu_begin(const char *name) { tu_case_ = name; tu_case_failed_ = 0; }
static inline void tu_end(void) {
    if (tu_case_failed_) { printf("FAIL %s\n", tu_case_); tu_failed_++; }
    else { printf("PASS %s\n", tu_case_); tu_passed_++; }
    fflush(stdout);
}
static inline void tu_skip(const char *name, const char *why) {
    printf("SKIP %s: %s\n", name, why); fflush(stdout);
}
/* Run one case: a function `static void name(void)`. */
#define RUN(fn) do { tu_begin(#fn); fn(); tu_end(); } while (0)
/* Exit status: 0 when every case passed. */
#define TEST_MAIN_END() return tu_failed_ ? 1 : 0

/* The build directory the tests run from (build/ or build-asan/). */
static inline const char *tu_build_dir(void) {
    const char *b = getenv("SYNAPT_BUILD");
    return b && *b ? b : "build";
}
/* A scratch directory unique to this test run (created by run.sh). */
static inline const char *tu_tmp_dir(void) {
    const char *t = getenv("SYNAPT_TEST_TMP");
    return t && *t ? t : "/tmp";
}
/* Write `size` bytes to a new file at `path`: 0, or -1. */
static inline int tu_write_file(const char *path, const void *data, size_t size) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    int ok = fwrite(data, 1, size, f) == size;
    return fclose(f) == 0 && ok ? 0 : -1;
}
/* Read a whole file into *out (malloc'd, the caller frees it) and *size:
 * 0, or -1. */
static inline int tu_read_file(const char *path, unsigned char **out, size_t *size) {
    FILE *f = fopen(path, "rb");
    *out = NULL;
    *size = 0;
    if (!f) return -1;
    long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (n < 0 || fseek(f, 0, SEEK_SET) != 0 || !(*out = malloc(n ? (size_t)n : 1))) {
        fclose(f);
        return -1;
    }
    *size = fread(*out, 1, (size_t)n, f);
    fclose(f);
    return *size == (size_t)n ? 0 : -1;
}
/* ../shared/realdata, or NULL when absent (tests then SKIP with a message). */
static inline const char *tu_realdata(void) {
    const char *r = getenv("SYNAPT_REALDATA");
    return r && *r ? r : NULL;
}
#endif
