/* bench_cores.c - what this machine gives N processes at once, measured
 * with work that shares nothing: a register-only integer loop, no memory
 * traffic, no I/O, no synapt code.
 *
 * It runs the loop once alone, then N copies at the same time (one process
 * each, started together), and prints the per-core ratio that
 * scripts/scale.sh reports for synapt's steps: (time alone) / (time of the
 * N copies), by the slowest copy (what a job waiting for all its workers
 * sees) and by their mean. On dedicated cores both are 1.00; virtual CPUs
 * that share a physical core (SMT siblings, or a host running other
 * guests) give less, and no program can do better on them. scale.sh
 * prints it beside its own ratios as the machine's ceiling.
 *
 * Usage: bench_cores [N] (default: 2). Output: one line,
 *   cores N alone S s, together MEAN s mean / MAX s slowest: per-core ratio R_MAX (slowest), R_MEAN (mean)
 * medians of 3 rounds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* about 0.3 s on a 2020s x86 core; the result is printed so the loop stays */
static uint64_t spin(void)
{
    uint64_t x = 1, y = 2;
    for (uint64_t i = 0; i < 250000000ull; i++) {
        x = x * 6364136223846793005ull + y;
        y ^= x >> 7;
    }
    return x ^ y;
}

/* N processes spin at once; each writes its own wall time to the pipe */
static void together(int n, double *mean, double *max)
{
    int fd[2];
    if (pipe(fd) != 0) {
        perror("bench_cores: pipe");
        exit(1);
    }
    for (int k = 0; k < n; k++) {
        pid_t p = fork();
        if (p < 0) {
            perror("bench_cores: fork");
            exit(1);
        }
        if (p == 0) {
            double t0 = now();
            volatile uint64_t v = spin();
            (void)v;
            double t = now() - t0;
            if (write(fd[1], &t, sizeof t) != (ssize_t)sizeof t)
                _exit(1);
            _exit(0);
        }
    }
    close(fd[1]);
    double sum = 0, mx = 0, t;
    int got = 0;
    while (read(fd[0], &t, sizeof t) == (ssize_t)sizeof t) {
        sum += t;
        mx = t > mx ? t : mx;
        got++;
    }
    close(fd[0]);
    while (wait(NULL) > 0)
        ;
    if (got != n) {
        fprintf(stderr, "bench_cores: %d of %d workers reported\n", got, n);
        exit(1);
    }
    *mean = sum / n;
    *max = mx;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 2;
    if (n < 1 || n > 256) {
        fprintf(stderr, "usage: bench_cores [N], 1 <= N <= 256\n");
        return 2;
    }
    double alone[3], mean[3], max[3];
    for (int r = 0; r < 3; r++) {
        together(1, &alone[r], &max[r]);
        together(n, &mean[r], &max[r]);
    }
    qsort(alone, 3, sizeof *alone, cmp);
    qsort(mean, 3, sizeof *mean, cmp);
    qsort(max, 3, sizeof *max, cmp);
    printf("cores %d alone %.3f s, together %.3f s mean / %.3f s slowest: per-core ratio %.2f (slowest), %.2f (mean)\n",
           n, alone[1], mean[1], max[1], alone[1] / max[1], alone[1] / mean[1]);
    return 0;
}
