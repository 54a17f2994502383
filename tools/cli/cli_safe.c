/* cli_safe.c - outputs that never lose data, and the cleanup of temporaries
 * on error and on SIGINT/SIGTERM/SIGHUP (see cli.h, "Safe outputs").
 *
 * Why a registry: a command holds temporary files in several places (the
 * library's writer, the .npy writer, its own report files, a whole
 * temporary folder for a layout). A signal can arrive while any of them
 * exists, on any thread. Each owner registers the name as soon as it exists
 * and unregisters it once renamed into place or removed; the handler
 * removes whatever is registered, using only async-signal-safe calls
 * (unlinkat, openat, getdents64 through syscall, rmdir), then dies by the
 * same signal so the parent sees the usual status. */
#include "cli.h"
#include "synapt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Enough for pack's per-worker shards, a report, a folder and its files. */
#define SLOTS 64
#define SLOT_PATH 4096

enum { SLOT_FREE = 0, SLOT_BUSY = 1, SLOT_FILE = 2, SLOT_DIR = 3 };

static struct {
    atomic_int state;
    char path[SLOT_PATH];
} g_slots[SLOTS];
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int g_installed;

/* ---- removal, async-signal-safe ------------------------------------- */

struct linux_dirent64 {
    unsigned long long d_ino;
    long long d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

/* Remove the contents of the directory open as `fd`, then close it. Depth
 * is bounded: the folders a tool builds are two levels deep at most. */
static void rm_contents(int fd, int depth)
{
    char buf[4096];
    for (;;) {
        long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
        if (n <= 0) break;
        int removed = 0;
        for (long off = 0; off < n;) {
            struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
            off += d->d_reclen;
            const char *nm = d->d_name;
            if (nm[0] == '.' && (!nm[1] || (nm[1] == '.' && !nm[2]))) continue;
            if (unlinkat(fd, nm, 0) == 0) { removed = 1; continue; }
            if (errno == EISDIR && depth < 8) {
                int sub = openat(fd, nm, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub >= 0) rm_contents(sub, depth + 1);
                if (unlinkat(fd, nm, AT_REMOVEDIR) == 0) removed = 1;
            }
        }
        /* entries removed while reading: start the listing again so none
         * is skipped; stop when a pass removes nothing */
        if (removed) { if (lseek(fd, 0, SEEK_SET) < 0) break; }
        else break;
    }
    close(fd);
}

static void remove_path(const char *p, int state)
{
    if (state != SLOT_DIR) {
        unlink(p);
        return;
    }
    /* In a signal handler the other threads keep running and may put a
     * file into the folder between the emptying and the rmdir: empty it
     * again until the rmdir wins (then their next create fails), for at
     * most about half a second. */
    for (int pass = 0; pass < 500; pass++) {
        int fd = open(p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) return;
        rm_contents(fd, 0);
        if (rmdir(p) == 0 || (errno != ENOTEMPTY && errno != EEXIST)) return;
        struct timespec ms = { 0, 1000000 };
        nanosleep(&ms, NULL);
    }
}

static void on_signal(int sig)
{
    int saved = errno;
    for (int i = 0; i < SLOTS; i++) {
        int st = atomic_exchange(&g_slots[i].state, SLOT_BUSY);
        if (st == SLOT_FILE || st == SLOT_DIR) remove_path(g_slots[i].path, st);
        /* leave the slot busy: nothing may reuse it while the process dies */
    }
    errno = saved;
    signal(sig, SIG_DFL);
    raise(sig);
}

void cli_cleanup_install(void)
{
    if (atomic_exchange(&g_installed, 1)) return;
    /* an exit() on an error path (a usage error found late) removes what
     * the run made; after success everything was already renamed away */
    atexit(cli_cleanup_all);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigfillset(&sa.sa_mask);
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGXFSZ };
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
        struct sigaction old;
        /* a signal ignored by the parent (nohup, a shell's background job)
         * stays ignored */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue;
        sigaction(sigs[i], &sa, NULL);
    }
}

/* Block the handled signals while a slot changes, so the handler on this
 * thread never sees a half-copied path. */
static void block(sigset_t *old)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGINT);
    sigaddset(&s, SIGTERM);
    sigaddset(&s, SIGHUP);
    sigaddset(&s, SIGPIPE);
    sigaddset(&s, SIGXFSZ);
    pthread_sigmask(SIG_BLOCK, &s, old);
}

static int reg(const char *path, int kind)
{
    if (!path || !*path) return 0;
    size_t n = strlen(path);
    if (n >= SLOT_PATH) return -1;
    sigset_t old;
    block(&old);
    pthread_mutex_lock(&g_lock);
    int rc = -1;
    for (int i = 0; i < SLOTS; i++) {
        if (atomic_load(&g_slots[i].state) != SLOT_FREE) continue;
        atomic_store(&g_slots[i].state, SLOT_BUSY);
        memcpy(g_slots[i].path, path, n + 1);
        atomic_store(&g_slots[i].state, kind);
        rc = 0;
        break;
    }
    pthread_mutex_unlock(&g_lock);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

int cli_cleanup_add_file(const char *path) { return reg(path, SLOT_FILE); }

/* Create a temporary folder or file and register it with the handled
 * signals blocked on this thread, so a signal cannot land between the two
 * and leave an unregistered temporary behind. (The tools create their
 * outputs before they start worker threads, so no other thread can take
 * the signal meanwhile.) */
static char *mkdtemp_registered(char *tmpl)
{
    sigset_t old;
    block(&old);
    char *d = mkdtemp(tmpl);
    int e = errno;
    if (d && reg(d, SLOT_DIR) != 0) {
        rmdir(d);
        d = NULL;
        e = ENAMETOOLONG;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = e;
    return d;
}

char *cli_mkdtemp(char *tmpl) { return mkdtemp_registered(tmpl); }

static int mkostemp_registered(char *tmpl)
{
    sigset_t old;
    block(&old);
    int fd = mkostemp(tmpl, O_CLOEXEC);
    int e = errno;
    if (fd >= 0 && reg(tmpl, SLOT_FILE) != 0) {
        close(fd);
        unlink(tmpl);
        fd = -1;
        e = ENAMETOOLONG;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = e;
    return fd;
}
int cli_cleanup_add_dir(const char *path) { return reg(path, SLOT_DIR); }

void cli_cleanup_forget(const char *path)
{
    if (!path || !*path) return;
    sigset_t old;
    block(&old);
    pthread_mutex_lock(&g_lock);
    for (int i = 0; i < SLOTS; i++) {
        int st = atomic_load(&g_slots[i].state);
        if ((st == SLOT_FILE || st == SLOT_DIR) && strcmp(g_slots[i].path, path) == 0) {
            atomic_store(&g_slots[i].state, SLOT_FREE);
            break;
        }
    }
    pthread_mutex_unlock(&g_lock);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void cli_cleanup_remove(const char *path)
{
    if (!path || !*path) return;
    sigset_t old;
    block(&old);
    pthread_mutex_lock(&g_lock);
    int kind = SLOT_FILE;
    for (int i = 0; i < SLOTS; i++) {
        int st = atomic_load(&g_slots[i].state);
        if ((st == SLOT_FILE || st == SLOT_DIR) && strcmp(g_slots[i].path, path) == 0) {
            kind = st;
            atomic_store(&g_slots[i].state, SLOT_FREE);
            break;
        }
    }
    remove_path(path, kind);
    pthread_mutex_unlock(&g_lock);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void cli_cleanup_all(void)
{
    sigset_t old;
    block(&old);
    pthread_mutex_lock(&g_lock);
    for (int i = 0; i < SLOTS; i++) {
        int st = atomic_load(&g_slots[i].state);
        if (st == SLOT_FILE || st == SLOT_DIR) {
            remove_path(g_slots[i].path, st);
            atomic_store(&g_slots[i].state, SLOT_FREE);
        }
    }
    pthread_mutex_unlock(&g_lock);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* ---- checks on an output path --------------------------------------- */

/* Same file: same device and inode. stat() follows symlinks, so an output
 * that is a link to an input, or a hard link of it, is caught too. */
static int same_file(const struct stat *a, const char *path)
{
    struct stat b;
    if (stat(path, &b) != 0) return 0;
    return a->st_dev == b.st_dev && a->st_ino == b.st_ino;
}

int cli_output_check(const char *out, const char *const *inputs, size_t ninputs)
{
    if (!out || !*out) {
        cli_error(NULL, "the output path is empty");
        return -1;
    }
    struct stat ls, st;
    if (lstat(out, &ls) != 0) {
        if (errno == ENOENT) {
            /* a dangling symlink also lands here through lstat's success,
             * so ENOENT means nothing at all is at the path */
            return 0;
        }
        cli_error(out, "cannot check the output path: %s", strerror(errno));
        return -1;
    }
    if (S_ISLNK(ls.st_mode)) {
        /* the rename replaces the link itself, never its target; a link
         * to an input is still refused below so the user is not surprised */
        if (stat(out, &st) != 0) return 0;
    } else {
        st = ls;
    }
    /* a link to a device or FIFO is refused too: replacing /dev/stdout, a
     * link, as root would break the system */
    if (!S_ISREG(st.st_mode)) {
        cli_error(out, "exists and is not a regular file (%s); refusing to replace it",
                  S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO"
                  : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" : "a special file");
        return -1;
    }
    for (size_t i = 0; i < ninputs; i++) {
        if (inputs[i] && same_file(&st, inputs[i])) {
            cli_error(out, "is also an input file (%s); refusing to write over it", inputs[i]);
            return -1;
        }
    }
    return 0;
}

static int dir_is_empty(const char *path)
{
    DIR *d = opendir(path);
    if (!d) return 0;
    struct dirent *e;
    int empty = 1;
    while (empty && (e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) empty = 0;
    closedir(d);
    return empty;
}

static int dir_has_stamp(const char *path)
{
    char p[PATH_MAX];
    struct stat st;
    if (snprintf(p, sizeof p, "%s/%s", path, CLI_OUTDIR_STAMP) >= (int)sizeof p) return 0;
    return lstat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int cli_output_dir_check(const char *out, const char *const *inputs, size_t ninputs)
{
    if (!out || !*out) {
        cli_error(NULL, "the output path is empty");
        return -1;
    }
    struct stat ls;
    if (lstat(out, &ls) != 0) {
        if (errno == ENOENT) return 0;
        cli_error(out, "cannot check the output path: %s", strerror(errno));
        return -1;
    }
    if (!S_ISDIR(ls.st_mode)) {
        cli_error(out, "exists and is not a directory; refusing to replace it");
        return -1;
    }
    /* a folder is replaced whole: only an empty one or one a synapt tool
     * wrote (it holds the stamp), never a folder of the user's own files
     * given by mistake (-o ~/data) */
    if (!dir_is_empty(out) && !dir_has_stamp(out)) {
        cli_error(out, "is a folder that a synapt tool did not write (no " CLI_OUTDIR_STAMP
                  " in it); refusing to replace it: remove it or choose another path");
        return -1;
    }
    /* an input inside the folder would be removed with the old folder */
    char real_out[PATH_MAX];
    if (!realpath(out, real_out)) {
        cli_error(out, "cannot resolve the output folder: %s", strerror(errno));
        return -1;
    }
    size_t ol = strlen(real_out);
    for (size_t i = 0; i < ninputs; i++) {
        char r[PATH_MAX];
        if (!inputs[i] || !realpath(inputs[i], r)) continue;
        if (strncmp(r, real_out, ol) == 0 && (r[ol] == '/' || r[ol] == 0)) {
            cli_error(out, "holds an input (%s); refusing to replace it", inputs[i]);
            return -1;
        }
    }
    return 0;
}

/* ---- a file written under a temporary name -------------------------- */

/* The permission bits a plain creat() would give (mkstemp makes 0600). */
static mode_t creat_mode(int is_dir)
{
    mode_t um = umask(0);
    umask(um);
    return (is_dir ? 0777 : 0666) & ~um;
}

FILE *cli_out_open(cli_outfile *o, const char *path, const char *const *inputs, size_t ninputs)
{
    memset(o, 0, sizeof *o);
    o->fd = -1;
    if (cli_output_check(path, inputs, ninputs)) return NULL;
    size_t n = strlen(path);
    if (n + 16 > sizeof o->tmp) {
        cli_error(path, "output path too long");
        return NULL;
    }
    o->path = path;
    /* hidden, unpredictable, in the target's folder so rename() is atomic */
    const char *base = strrchr(path, '/');
    size_t dl = base ? (size_t)(base - path) + 1 : 0;
    snprintf(o->tmp, sizeof o->tmp, "%.*s.%s.tmp-XXXXXX", (int)dl, path, base ? base + 1 : path);
    o->fd = mkostemp_registered(o->tmp);
    if (o->fd < 0) {
        cli_error(path, "cannot create a temporary file beside it: %s", strerror(errno));
        o->tmp[0] = 0;
        return NULL;
    }
    if (fchmod(o->fd, creat_mode(0)) != 0 || !(o->f = fdopen(o->fd, "w"))) {
        cli_error(path, "cannot open a temporary file beside it: %s", strerror(errno));
        cli_out_abort(o);
        return NULL;
    }
    return o->f;
}

int cli_out_commit(cli_outfile *o)
{
    if (!o->f) return -1;
    int bad = ferror(o->f) || fflush(o->f) != 0;
    int e = errno;
    if (!bad && fsync(fileno(o->f)) != 0 && errno != EINVAL) { bad = 1; e = errno; }
    if (fclose(o->f) != 0 && !bad) { bad = 1; e = errno; }
    o->f = NULL;
    o->fd = -1;
    if (bad) {
        cli_error(o->path, "write failed: %s", strerror(e ? e : EIO));
        cli_out_abort(o);
        return -1;
    }
    if (rename(o->tmp, o->path) != 0) {
        cli_error(o->path, "cannot rename the temporary file into place: %s", strerror(errno));
        cli_out_abort(o);
        return -1;
    }
    cli_cleanup_forget(o->tmp);
    o->tmp[0] = 0;
    return 0;
}

void cli_out_abort(cli_outfile *o)
{
    if (!o) return;
    if (o->f) fclose(o->f);
    else if (o->fd >= 0) close(o->fd);
    o->f = NULL;
    o->fd = -1;
    if (o->tmp[0]) cli_cleanup_remove(o->tmp);
    o->tmp[0] = 0;
}

/* ---- a folder built under a temporary name -------------------------- */

int cli_outdir_open(cli_outdir *o, const char *path, const char *const *inputs, size_t ninputs)
{
    memset(o, 0, sizeof *o);
    if (cli_output_dir_check(path, inputs, ninputs)) return -1;
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/') n--;
    if (n + 16 > sizeof o->tmp) {
        cli_error(path, "output path too long");
        return -1;
    }
    snprintf(o->path, sizeof o->path, "%.*s", (int)n, path);
    const char *base = strrchr(o->path, '/');
    size_t dl = base ? (size_t)(base - o->path) + 1 : 0;
    const char *bn = base ? base + 1 : o->path;
    memcpy(o->tmp, o->path, dl);
    o->tmp[dl] = '.';
    memcpy(o->tmp + dl + 1, bn, strlen(bn));
    memcpy(o->tmp + dl + 1 + strlen(bn), ".tmp-XXXXXX", 12);
    if (!mkdtemp_registered(o->tmp)) {
        cli_error(path, "cannot create a temporary folder beside it: %s", strerror(errno));
        o->tmp[0] = 0;
        return -1;
    }
    if (chmod(o->tmp, creat_mode(1)) != 0) {
        cli_error(path, "cannot set the permissions of a temporary folder: %s", strerror(errno));
        cli_outdir_abort(o);
        return -1;
    }
    return 0;
}

int cli_outdir_commit(cli_outdir *o)
{
    if (!o->tmp[0]) return -1;
    /* the stamp that lets a later run replace this folder */
    char sp[4300];
    snprintf(sp, sizeof sp, "%s/%s", o->tmp, CLI_OUTDIR_STAMP);
    int fd = open(sp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, creat_mode(0));
    if (fd < 0) {
        cli_error(o->path, "cannot write %s in the new folder: %s", CLI_OUTDIR_STAMP, strerror(errno));
        cli_outdir_abort(o);
        return -1;
    }
    char line[128];
    int ln = snprintf(line, sizeof line, "%s %s\n", cli_tool(), synapt_version());
    ssize_t wr = write(fd, line, (size_t)ln);
    if (close(fd) != 0 || wr != ln) {
        cli_error(o->path, "cannot write %s in the new folder", CLI_OUTDIR_STAMP);
        cli_outdir_abort(o);
        return -1;
    }
    struct stat st;
    if (lstat(o->path, &st) == 0) {
        /* swap the new folder with the old one in one step, then remove the
         * old one: at no moment is there no complete output at the path */
        if (syscall(SYS_renameat2, AT_FDCWD, o->tmp, AT_FDCWD, o->path, 2 /* RENAME_EXCHANGE */) != 0) {
            cli_error(o->path, "cannot replace the previous output folder: %s", strerror(errno));
            cli_outdir_abort(o);
            return -1;
        }
        /* o->tmp now names the previous output: still registered, so a
         * signal during its removal only finishes the job */
        cli_cleanup_remove(o->tmp);
    } else {
        if (rename(o->tmp, o->path) != 0) {
            cli_error(o->path, "cannot rename the temporary folder into place: %s", strerror(errno));
            cli_outdir_abort(o);
            return -1;
        }
        cli_cleanup_forget(o->tmp);
    }
    o->tmp[0] = 0;
    return 0;
}

void cli_outdir_abort(cli_outdir *o)
{
    if (!o || !o->tmp[0]) return;
    cli_cleanup_remove(o->tmp);
    o->tmp[0] = 0;
}

int cli_check_input(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        cli_error(path, "cannot open: %s", strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        cli_error(path, "is a directory, not a file");
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        cli_error(path, "is not a regular file (%s); refusing to read it",
                  S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISSOCK(st.st_mode) ? "a socket" : "a device");
        return -1;
    }
    return 0;
}

int cli_is_manifest(const char *path)
{
    /* only a regular file of JSON can be one; O_NONBLOCK: opening a FIFO
     * must not wait for a writer. Asked of every video given to synapt-pack,
     * so a few bytes by read(), not a buffered FILE. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return 0;
    struct stat st;
    int ch = EOF;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        char buf[256];
        ssize_t n;
        for (off_t at = 0; ch == EOF && (n = pread(fd, buf, sizeof buf, at)) > 0; at += n)
            for (ssize_t i = 0; i < n && ch == EOF; i++)
                if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n' && buf[i] != '\r') ch = (unsigned char)buf[i];
    }
    close(fd);
    if (ch != '{') return 0;
    synapt_dataset *ds = NULL;
    char err[256];
    int is = synapt_dataset_open(&ds, path, NULL, err, sizeof err) == 0 && synapt_dataset_is_manifest(ds);
    synapt_dataset_close(ds);
    return is;
}

/* ---- outputs written by someone else (the library's writer) ---------- */

int cli_staged_open(cli_staged *s, const char *target, const char *const *inputs, size_t ninputs)
{
    memset(s, 0, sizeof *s);
    if (cli_output_check(target, inputs, ninputs)) return -1;
    const char *base = strrchr(target, '/');
    size_t dl = base ? (size_t)(base - target) + 1 : 0;
    const char *bn = base ? base + 1 : target;
    if (dl + strlen(bn) + 16 > sizeof s->dir) {
        cli_error(target, "output path too long");
        return -1;
    }
    memcpy(s->parent, target, dl);
    s->parent[dl] = 0;
    memcpy(s->dir, target, dl);
    snprintf(s->dir + dl, sizeof s->dir - dl, ".%s.tmp-XXXXXX", bn);
    if (!mkdtemp_registered(s->dir)) {
        cli_error(target, "cannot create a temporary folder beside it: %s", strerror(errno));
        s->dir[0] = 0;
        return -1;
    }
    if (!cli_staged_path(s, target)) {
        cli_staged_abort(s);
        return -1;
    }
    return 0;
}

const char *cli_staged_path(cli_staged *s, const char *target)
{
    const char *b = strrchr(target, '/');
    b = b ? b + 1 : target;
    size_t need = strlen(s->dir) + strlen(b) + 2;
    if (need > sizeof s->file) {
        cli_error(target, "output path too long");
        return NULL;
    }
    memcpy(s->file, s->dir, strlen(s->dir));
    s->file[strlen(s->dir)] = '/';
    memcpy(s->file + strlen(s->dir) + 1, b, strlen(b) + 1);
    return s->file;
}

int cli_staged_commit(cli_staged *s)
{
    if (!s->dir[0]) return -1;
    DIR *d = opendir(s->dir);
    if (!d) {
        cli_error(s->dir, "cannot list the finished outputs: %s", strerror(errno));
        cli_staged_abort(s);
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char from[8600], to[8600];
        snprintf(from, sizeof from, "%s/%s", s->dir, e->d_name);
        snprintf(to, sizeof to, "%s%s", s->parent, e->d_name);
        if (rename(from, to) != 0) {
            cli_error(to, "cannot rename the finished output into place: %s", strerror(errno));
            rc = -1;
            break;
        }
    }
    closedir(d);
    cli_cleanup_remove(s->dir);
    s->dir[0] = 0;
    return rc;
}

void cli_staged_abort(cli_staged *s)
{
    if (!s || !s->dir[0]) return;
    cli_cleanup_remove(s->dir);
    s->dir[0] = 0;
}

/* ---- options are never abbreviated ---------------------------------- */

/* Does short option `c` take a value in optstring? */
static int short_takes_value(const char *optstring, int c)
{
    for (const char *p = optstring; *p; p++) {
        if (*p == ':') continue;
        if (*p == c) return p[1] == ':';
    }
    return 0;
}

void cli_refuse_abbrev(int argc, char **argv, const char *optstring, const struct option *longopts)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) return;
        if (a[0] != '-' || a[1] == 0) continue;
        if (a[1] != '-') {
            /* a cluster of short options; the first that takes a value
             * ends it, and takes the next word when nothing follows */
            for (const char *p = a + 1; *p; p++) {
                if (short_takes_value(optstring, (unsigned char)*p)) {
                    if (!p[1]) i++;
                    break;
                }
            }
            continue;
        }
        const char *name = a + 2;
        size_t n = strcspn(name, "=");
        const struct option *hit = NULL;
        for (const struct option *o = longopts; o && o->name; o++) {
            if (strlen(o->name) == n && strncmp(o->name, name, n) == 0) { hit = o; break; }
        }
        if (!hit) {
            const struct option *pre = NULL;
            for (const struct option *o = longopts; o && o->name; o++)
                if (strncmp(o->name, name, n) == 0) { pre = o; break; }
            if (pre)
                cli_usage_error("unknown option '--%.*s' (options are never abbreviated: "
                                "did you mean '--%s'?)", (int)n, name, pre->name);
            /* getopt_long reports other unknown options itself */
            continue;
        }
        if (hit->has_arg == required_argument && !name[n]) i++;
    }
}

/* cli_init lives here, not in cli.c, so that the calls between the two files
 * go one way only (this file reports through cli.c's error printers). */
void cli_init(const char *tool, const char *usage)
{
    cli_set_identity(tool, usage);
    /* The commands make and free the same large buffers clip after clip
     * (writers, codec contexts, frame buffers). With glibc's defaults each
     * one above the mmap threshold is a fresh mapping, zeroed page by page
     * on first touch: for small clips that was half of synapt-synth's time
     * (bench/results/bench_synth.md). Keep such blocks in the heap instead; the cost is
     * up to 128 MiB not returned to the system between clips. */
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 128 << 20);
    /* stdout is data: a partial line on a pipe is worse than a slower write */
    setvbuf(stderr, NULL, _IONBF, 0);
    /* every tool removes its temporaries when interrupted */
    cli_cleanup_install();
}
