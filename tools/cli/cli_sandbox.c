/* cli_sandbox.c - run a third-party parser over an untrusted file in a
 * child process first. libmatio (and libhdf5) allocate what a file's headers
 * claim and can crash or spin on damaged input; the fuzzer found matio asking
 * for 4 GiB while listing the variables of a 500-byte .mat. The child does
 * the same reading the importer is about to do, under a memory and a CPU
 * limit, and reports back over a pipe: if it dies, the file is refused with
 * one line (for synapt-pack: exit 1 for that clip, or a --keep-going entry,
 * and the pack goes on; for synapt-audit: exit 1 naming the embeddings); if it succeeds, the parent reads the file itself, knowing the library
 * survives these bytes with bounded memory and time.
 *
 * fork() in a multi-threaded process is fine here: the child only runs the
 * parser and malloc (glibc's malloc is fork-safe), never touches locks the
 * other threads hold (HDF5 callers fork while holding the HDF5 lock), and
 * leaves with _exit() so no parent stdio buffer or atexit handler runs twice.
 * The rlimits are skipped under AddressSanitizer, whose shadow memory counts
 * against RLIMIT_DATA; the fuzz targets (FUZZING_BUILD_MODE_...) call the
 * parser in-process so the fuzzer sees its crashes. */
#include "cli.h"

#include "synapt.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_ASAN 1
#endif
#endif

#define SANDBOX_MEM_BYTES (4ull << 30)
#define SANDBOX_CPU_SECONDS 120
/* a parser blocked on I/O burns no CPU; the wall clock catches that */
#define SANDBOX_WALL_FACTOR 4

typedef struct sandbox_msg {
    int rc;
    char err[512];
} sandbox_msg;

/* "PATH: message", the one-line form every importer error takes */
__attribute__((format(printf, 4, 5)))
static void sandbox_err(char *err, size_t errsz, const char *path, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(err, errsz, "%s: %s", path, msg);
}

static int read_full(int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t k = read(fd, (char *)buf + got, n - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    return got == n;
}

static int write_full(int fd, const void *buf, size_t n)
{
    size_t put = 0;
    while (put < n) {
        ssize_t k = write(fd, (const char *)buf + put, n - put);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        put += (size_t)k;
    }
    return put == n;
}

int cli_sandboxed(cli_sandbox_fn fn, void *arg, const char *path, const char *parser,
                     char *err, size_t errsz)
{
    return cli_sandboxed_run(fn, arg, NULL, 0, 0, path, parser, err, errsz);
}

int cli_sandboxed_run(cli_sandbox_fn fn, void *arg, void *result, size_t result_size,
                         unsigned cpu_seconds, const char *path, const char *parser, char *err,
                         size_t errsz)
{
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    (void)path; (void)parser; (void)result; (void)result_size; (void)cpu_seconds;
    return fn(arg, err, errsz);
#else
    if (!cpu_seconds)
        cpu_seconds = SANDBOX_CPU_SECONDS;
    /* SYNAPT_SANDBOX_SECONDS (man synapt-pack): a tighter or looser bound
     * for every child, e.g. for a batch of known-good huge files */
    const char *env = getenv("SYNAPT_SANDBOX_SECONDS");
    if (env && *env) {
        char *end;
        unsigned long v = strtoul(env, &end, 10);
        if (!*end && v >= 1 && v <= 86400)
            cpu_seconds = (unsigned)v;
    }
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        sandbox_err(err, errsz, path, "cannot start the %s reader: %s", parser, strerror(errno));
        return SYNAPT_E_IO;
    }
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        sandbox_err(err, errsz, path, "cannot start the %s reader: %s", parser, strerror(errno));
        return SYNAPT_E_IO;
    }
    if (pid == 0) {
        /* the parent owns cleanup on a signal; the child just dies */
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        signal(SIGALRM, SIG_DFL);
        close(fds[0]);
        /* what the parser (or a sanitizer) prints about a hostile file is
         * not the user's line: that comes back through the pipe */
        int dn = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (dn >= 0) {
            dup2(dn, STDERR_FILENO);
            close(dn);
        }
#ifndef SANDBOX_ASAN
        struct rlimit mem = { SANDBOX_MEM_BYTES, SANDBOX_MEM_BYTES };
        setrlimit(RLIMIT_DATA, &mem);
#endif
        struct rlimit cpu = { cpu_seconds, cpu_seconds + 5 };
        setrlimit(RLIMIT_CPU, &cpu);
        alarm(cpu_seconds * SANDBOX_WALL_FACTOR);
        sandbox_msg m;
        memset(&m, 0, sizeof m);
        m.rc = fn(arg, m.err, sizeof m.err);
        int ok = write_full(fds[1], &m, sizeof m) &&
                 (m.rc || !result_size || write_full(fds[1], result, result_size));
        _exit(ok ? 0 : 2);
    }
    close(fds[1]);
    sandbox_msg m;
    int got = read_full(fds[0], &m, sizeof m);
    if (got && !m.rc && result_size)
        got = read_full(fds[0], result, result_size);
    close(fds[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (WIFSIGNALED(st)) {
        int sig = WTERMSIG(st);
        if (sig == SIGXCPU || sig == SIGKILL)
            sandbox_err(err, errsz, path, "the %s reader used over %u s of CPU on this file; refused",
                        parser, cpu_seconds);
        else if (sig == SIGALRM)
            sandbox_err(err, errsz, path, "the %s reader did not finish within %u s on this file; "
                        "refused", parser, cpu_seconds * SANDBOX_WALL_FACTOR);
        else
            sandbox_err(err, errsz, path, "the %s reader crashed on this file (%s); refused", parser,
                        strsignal(sig));
        return SYNAPT_E_INPUT;
    }
    if (!got || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        sandbox_err(err, errsz, path, "the %s reader failed on this file (out of memory under "
                    "the %llu MiB limit?); refused", parser,
                    (unsigned long long)(SANDBOX_MEM_BYTES >> 20));
        return SYNAPT_E_INPUT;
    }
    if (m.rc) {
        m.err[sizeof m.err - 1] = 0;
        snprintf(err, errsz, "%s", m.err);
    }
    return m.rc;
#endif
}
