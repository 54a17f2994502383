/* fuzz_recover.c - libFuzzer target for synapt_recover(), the forward scan
 * that salvages the clips of an unfinished or damaged file (spec section 13).
 *
 * The input is a file image, typically a valid file cut off part-way (what a
 * crashed writer leaves). Every record checksum is recomputed first
 * (fz_fix_checksums), so mutated CLIP JSON and chunk headers reach the
 * parsers instead of ending the scan at the first checksum. The image goes
 * into a memory file; the salvaged file is written to a scratch directory
 * (under /dev/shm when it exists) and, when recovery succeeds, opened and
 * walked like any other file: what recover writes must itself be sound. */
#include <sys/stat.h>
#include "fuzz_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fr_dir[64];

/* libFuzzer ends with exit(), so the scratch directory goes then */
static void fr_cleanup(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/out.synapt", fr_dir);
    unlink(path);
    rmdir(fr_dir);
}

static void fr_init(void)
{
    struct stat st;
    const char *base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp";
    snprintf(fr_dir, sizeof fr_dir, "%s/synapt-fuzz-rec-XXXXXX", base);
    if (!mkdtemp(fr_dir)) abort();
    atexit(fr_cleanup);
}

/* Returns synapt_recover's code (the replay test checks that cut-off valid
 * files recover). */
static int fr_run(const uint8_t *data, size_t size)
{
    if (!fr_dir[0]) fr_init();
    uint8_t *f = (uint8_t *)malloc(size ? size : 1);
    if (!f) abort();
    if (size) memcpy(f, data, size);
    fz_fix_checksums(f, size);

    int fd = memfd_create("synapt-fuzz-recover", 0);
    if (fd < 0) abort();
    for (size_t done = 0; done < size;) {
        ssize_t n = write(fd, f + done, size - done);
        if (n <= 0) abort();
        done += (size_t)n;
    }
    free(f);
    char src[64], dst[128], err[512];
    snprintf(src, sizeof src, "/proc/self/fd/%d", fd);
    snprintf(dst, sizeof dst, "%s/out.synapt", fr_dir);

    synapt_writer_options wo = SYNAPT_WRITER_OPTIONS_INIT;
    wo.fsync = 0;
    wo.deterministic = 1;
    synapt_recover_report rep;
    err[0] = 0;
    int rc = synapt_recover(&rep, src, dst, &wo, NULL, NULL, err, sizeof err);
    close(fd);
    if (rc != 0) {
        struct stat st;
        if (stat(dst, &st) == 0) abort(); /* a failed recovery must leave nothing */
        fz_touch(err);
        return rc;
    }
    size_t n = 0;
    uint8_t *out = fz_slurp(dst, &n);
    unlink(dst);
    if (!out) abort();
    /* the salvaged file was written by the library: it must open cleanly */
    if (fz_open_walk(out, n, 1, 1) != 0) abort();
    free(out);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)fr_run(data, size);
    return 0;
}
