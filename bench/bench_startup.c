/* bench_startup.c - what a command costs when most of it is starting up.
 *
 * libsynapt loads libavcodec and libswscale (and the ~95 libraries they
 * pull in) only when a video path runs, and libavformat (~35 more) only to
 * import or export a file (libsynapt/video_ffmpeg.h). This runs commands
 * that read no video (recover, subset, merge, inspect) and some that do
 * (audit samples RGB frames, a frame-exact subset parses the codec_config,
 * Python reads depth, then RGB) as separate processes on a small file, and
 * reports the median CPU time (user + system, from wait4) of each.
 * With SYNAPT_BASELINE_BIN set to the build/bin folder of an earlier tree,
 * each run alternates with that tree's command on the same arguments and
 * the last column is the ratio; /bin/true is the floor of a process.
 *
 * Usage: SYNAPT_BASELINE_BIN=/tmp/base/build/bin build/bench/bench_startup [--quick] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"

#define MAX_ARGS 16

static char g_dir[256];

/* argv[0] is a command name looked up in bin ("" = as given); the CPU
 * seconds of the child, -1 when it failed */
static double child_cpu(const char *bin, char *const *argv, int py)
{
    char path[600], lib[700];
    if (bin && *bin)
        snprintf(path, sizeof path, "%s/%s", bin, argv[0]);
    else
        snprintf(path, sizeof path, "%s", argv[0]);
    snprintf(lib, sizeof lib, "%s/../lib/libsynapt.so", bin ? bin : ".");
    fflush(stdout); /* or the child's freopen writes our buffered lines again */
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
            _exit(127);
        if (py) {
            setenv("SYNAPT_LIBRARY", lib, 1);
            setenv("PYTHONPATH", "python", 1);
            execl("/usr/bin/python3", "python3", "-c", argv[0], (char *)NULL);
        } else {
            execv(path, argv);
        }
        _exit(127);
    }
    return bench_wait_cpu(pid);
}

typedef struct row {
    int py;                     /* args[0] is Python run by /usr/bin/python3 over
                                   <bin>/../lib/libsynapt.so (SYNAPT_LIBRARY) */
    const char *label;
    const char *args[MAX_ARGS]; /* %D is the scratch folder; NULL-terminated */
    const char *out;            /* removed before each run (in %D), or NULL */
} row;

static void expand(char *const *dst, const char *const *src, char bufs[][512])
{
    char **d = (char **)dst;
    int i = 0;
    for (; src[i]; i++) {
        const char *p = strstr(src[i], "%D");
        if (p)
            snprintf(bufs[i], 512, "%.*s%s%s", (int)(p - src[i]), src[i], g_dir, p + 2);
        else
            snprintf(bufs[i], 512, "%s", src[i]);
        d[i] = bufs[i];
    }
    d[i] = NULL;
}

static void remove_out(const row *r)
{
    if (!r->out)
        return;
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/%s'", g_dir, r->out);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_startup: could not remove %s\n", r->out);
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && !strcmp(argv[1], "--quick");
    int reps = quick ? 7 : 21;
    /* this tree's commands: $SYNAPT_BIN, else $SYNAPT_BUILD/bin, else build/bin */
    const char *cur = getenv("SYNAPT_BIN"), *bd = getenv("SYNAPT_BUILD");
    char curbuf[300];
    if (!cur || !*cur) {
        snprintf(curbuf, sizeof curbuf, "%s/bin", bd && *bd ? bd : "build");
        cur = curbuf;
    }
    const char *base = getenv("SYNAPT_BASELINE_BIN");
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/bench_startup.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }
    /* a small file with video (H.264), depth, mask and poses */
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "%s/synapt-synth -q -o %s/in.synapt --classes 2 --clips-per-class 2 --frames 16 --size 64x64 && "
             "%s/synapt-synth -q -o %s/in2.synapt --classes 2 --clips-per-class 1 --frames 16 --size 64x64 --seed 7 && "
             "%s/synapt-convert %s/in.synapt --to video --clip walk_0000 -o %s/v.mp4",
             cur, g_dir, cur, g_dir, cur, g_dir, g_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "bench_startup: synapt-synth failed (%s)\n", cur);
        return 1;
    }
    static const row rows[] = {
        { 0, "`/bin/true` (a process, nothing loaded)", { "/bin/true", NULL }, NULL },
        { 0, "`synapt-recover --version`", { "synapt-recover", "--version", NULL }, NULL },
        { 0, "`synapt-subset IN -o OUT --label walk`", { "synapt-subset", "-q", "%D/in.synapt", "-o", "%D/s.synapt",
                                                      "--label", "walk", NULL }, "s.synapt" },
        { 0, "`synapt-merge A B -o OUT`", { "synapt-merge", "-q", "%D/in.synapt", "%D/in2.synapt", "-o",
                                         "%D/m.synapt", "--on-duplicate", "rename", NULL }, "m.synapt" },
        { 0, "`synapt-recover IN -o OUT`", { "synapt-recover", "-q", "%D/in.synapt", "-o", "%D/r.synapt", NULL },
          "r.synapt" },
        { 0, "`synapt-audit IN -o DIR`", { "synapt-audit", "-q", "%D/in.synapt", "-o", "%D/audit", NULL }, "audit" },
        { 0, "`synapt-inspect IN`", { "synapt-inspect", "%D/in.synapt", NULL }, NULL },
        { 0, "`synapt-convert IN --to npy --stream depth` (no HDF5 loaded since 2026-12-06)",
          { "synapt-convert", "%D/in.synapt", "--to", "npy", "--clip", "walk_0000", "--stream", "depth", "-o", "%D/d.npy",
            NULL }, "d.npy" },
        { 0, "`synapt-convert IN --to hdf5` (loads libhdf5)",
          { "synapt-convert", "-q", "%D/in.synapt", "--to", "hdf5", "-o", "%D/x.h5", NULL }, "x.h5" },
        { 0, "`synapt-pack VIDEO -o OUT` (one 16-frame 64x64 H.264 file: loads FFmpeg)",
          { "synapt-pack", "-q", "--threads", "1", "%D/v.mp4", "-o", "%D/p.synapt", NULL }, "p.synapt" },
        { 0, "`synapt-subset --frames 2:6` (cuts video: loads libavcodec, libswscale)",
          { "synapt-subset", "-q", "%D/in.synapt", "-o", "%D/c.synapt", "--frames", "2:6", NULL }, "c.synapt" },
        { 1, "Python: `import synapt`, read a clip's depth",
          { "import synapt; synapt.open('%D/in.synapt').clip(0).read('depth')", NULL }, NULL },
        { 1, "Python: `import synapt`, read 4 RGB frames (decodes H.264)",
          { "import synapt; synapt.open('%D/in.synapt').clip(0).read('rgb', 0, 4)", NULL }, NULL },
    };
    enum { NR = sizeof rows / sizeof rows[0] };
    printf("## bench_startup\n\n"
           "CPU time (user + system) of one command as a separate process, median of %d runs%s; "
           "a small file (4 clips of 16 frames: H.264, depth, mask, poses).\n\n",
           reps, base ? ", alternating with the baseline's command on the same arguments" : "");
    if (base)
        printf("Baseline: the commands in `%s`.\n\n| command | baseline ms | this tree ms | x baseline |\n"
               "|---|---:|---:|---:|\n", base);
    else
        printf("(no SYNAPT_BASELINE_BIN: this tree only)\n\n| command | this tree ms |\n|---|---:|\n");
    for (int k = 0; k < NR; k++) {
        const row *r = &rows[k];
        char bufs[MAX_ARGS][512];
        char *av[MAX_ARGS + 1];
        expand(av, r->args, bufs);
        int plain = !r->py && r->args[0][0] == '/';
        double a[64], b[64];
        int ok = 1;
        for (int i = 0; i < reps && ok; i++) {
            remove_out(r);
            b[i] = child_cpu(plain ? "" : cur, av, r->py);
            if (base) {
                remove_out(r);
                a[i] = child_cpu(plain ? "" : base, av, r->py);
            }
            ok = b[i] >= 0 && (!base || a[i] >= 0);
        }
        remove_out(r);
        if (!ok) {
            printf("| %s | (failed) | | |\n", r->label);
            continue;
        }
        double mb = bench_median(b, reps) * 1e3;
        if (base) {
            double ma = bench_median(a, reps) * 1e3;
            printf("| %s | %.1f | %.1f | **%.2fx** |\n", r->label, ma, mb, mb > 0 ? ma / mb : 0);
        } else {
            printf("| %s | %.1f |\n", r->label, mb);
        }
        fflush(stdout);
    }
    printf("\n");
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    return system(cmd) == 0 ? 0 : 1;
}
