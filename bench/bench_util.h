/* bench_util.h - the small helpers every benchmark in bench/ needs: clocks,
 * the median of repeats, an allocation that cannot fail quietly, file
 * sizes, resident memory and a reproducible random stream.
 *
 * Header-only (static inline) because each bench_*.c is built alone into
 * its own program (Makefile: $(B)/bench/%); a helper a benchmark does not
 * use costs it nothing and draws no unused-function warning. */
#ifndef SYNAPT_BENCH_UTIL_H
#define SYNAPT_BENCH_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>

/* Seconds on one clock. Single-threaded sections are timed in process CPU
 * time so that other jobs on a busy machine do not distort the ratios;
 * wall time is used where it is the point (threads, fsync, child
 * processes). */
static inline double bench_clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
static inline double bench_cpu_s(void) { return bench_clock_s(CLOCK_PROCESS_CPUTIME_ID); }
static inline double bench_thread_cpu_s(void) { return bench_clock_s(CLOCK_THREAD_CPUTIME_ID); }
static inline double bench_wall_s(void) { return bench_clock_s(CLOCK_MONOTONIC); }

/* Wait for child `pid` (pid < 0: the fork failed) and return its CPU
 * seconds, user + system; -1 when it did not exit with status 0. The
 * benchmarks that time whole commands fork, exec and call this. */
static inline double bench_wait_cpu(pid_t pid)
{
    int status = 0;
    struct rusage ru;
    if (pid < 0 || wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
        return -1;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec * 1e-6;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
/* Median of n > 0 repeats (sorts v in place); the mean of the middle two
 * when n is even. */
static inline double bench_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* malloc or exit: a benchmark that runs short of memory has nothing to
 * report, and every caller would otherwise repeat the check. */
static inline void *bench_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "%s: out of memory (%zu bytes)\n", program_invocation_short_name, n);
        exit(1);
    }
    return p;
}

/* Size of a file in bytes; 0 when it cannot be read. */
static inline uint64_t bench_file_bytes(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* Resident set size in KiB, from /proc/self/status; -1 when unknown. */
static inline long bench_rss_kib(void)
{
    FILE *fp = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    if (!fp)
        return -1;
    while (fgets(line, sizeof line, fp))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    fclose(fp);
    return kib;
}

/* Xorshift generators: the same inputs in every run, so two runs of a
 * benchmark time the same work. */
static inline uint32_t bench_rng32(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}
static inline uint64_t bench_rng64(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

#endif /* SYNAPT_BENCH_UTIL_H */
