/* audit_outdir.c: the report directory appears whole or not at all.
 * Files are written into a hidden temporary directory next to the target
 * and renamed over it at the end; a signal removes the temporary. */
#include "audit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_FILES 64

volatile int audit_interrupted = 0;

static char tmpdir[PATH_MAX], target[PATH_MAX];
/* paths the handler unlinks; written before each file is created */
static char files[MAX_FILES][PATH_MAX];
static volatile sig_atomic_t nfiles = 0;
static volatile sig_atomic_t active = 0;

static void remove_tmp(void)
{
    for (sig_atomic_t i = 0; i < nfiles; i++) unlink(files[i]);
    rmdir(tmpdir);
}

static void on_signal(int sig)
{
    audit_interrupted = 1;
    if (active) remove_tmp();
    /* only async-signal-safe calls here: unlink, rmdir, _exit */
    _exit(128 + sig);
}

int audit_outdir_begin(const char *tgt, char *err, size_t errsz)
{
    size_t len = strlen(tgt);
    while (len > 1 && tgt[len - 1] == '/') len--;
    if (len == 0 || len >= sizeof target - 32) {
        snprintf(err, errsz, "%s: bad output path", tgt);
        return -1;
    }
    memcpy(target, tgt, len);
    target[len] = 0;
    struct stat st;
    if (lstat(target, &st) == 0) {
        char prev[PATH_MAX];
        if (snprintf(prev, sizeof prev, "%s/report.json", target) >= (int)sizeof prev ||
            !S_ISDIR(st.st_mode) || access(prev, F_OK) != 0) {
            snprintf(err, errsz, "%s: exists and is not a previous synapt-audit report; "
                     "not overwriting it", target);
            return -1;
        }
    }
    const char *slash = strrchr(target, '/');
    int tl = slash
        ? snprintf(tmpdir, sizeof tmpdir, "%.*s/.%s.tmp-XXXXXX", (int)(slash - target), target, slash + 1)
        : snprintf(tmpdir, sizeof tmpdir, ".%s.tmp-XXXXXX", target);
    if (tl < 0 || tl >= (int)sizeof tmpdir || !mkdtemp(tmpdir)) {
        snprintf(err, errsz, "%s: cannot create a temporary directory beside it: %s", target,
                 strerror(errno));
        return -1;
    }
    nfiles = 0;
    active = 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    return 0;
}

const char *audit_outdir_path(const char *file)
{
    if (nfiles >= MAX_FILES) return NULL;
    if (snprintf(files[nfiles], PATH_MAX, "%s/%s", tmpdir, file) >= PATH_MAX) return NULL;
    nfiles = nfiles + 1;
    return files[nfiles - 1];
}

static void remove_tree_flat(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char p[PATH_MAX];
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) < (int)sizeof p) unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

int audit_outdir_commit(char *err, size_t errsz)
{
    struct stat st;
    int exists = lstat(target, &st) == 0;
    if (!exists) {
        if (rename(tmpdir, target) != 0) {
            snprintf(err, errsz, "%s: %s", target, strerror(errno));
            audit_outdir_abort();
            return -1;
        }
    } else {
        /* swap in one step so a reader never sees the target missing; the
         * old report then sits at the temporary name and is removed */
#ifdef SYS_renameat2
        if (syscall(SYS_renameat2, AT_FDCWD, tmpdir, AT_FDCWD, target, 2 /* RENAME_EXCHANGE */) != 0)
#else
        errno = ENOSYS;
#endif
        {
            snprintf(err, errsz, "%s: cannot replace the previous report: %s", target, strerror(errno));
            audit_outdir_abort();
            return -1;
        }
        remove_tree_flat(tmpdir);
    }
    active = 0;
    nfiles = 0;
    return 0;
}

void audit_outdir_abort(void)
{
    if (!active) return;
    active = 0;
    remove_tree_flat(tmpdir);
    nfiles = 0;
}
