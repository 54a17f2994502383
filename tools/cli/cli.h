/* cli.h - conventions shared by every synapt-* command.
 *
 * Every tool follows the same rules, so they live here once:
 *   - data goes to stdout; diagnostics go to stderr as
 *     "synapt-<tool>: <file>: <message>" (one line each);
 *   - --help prints usage to stdout and exits 0; a usage error prints a
 *     message and a "Try --help" hint to stderr and exits 2;
 *   - --version, -q/--quiet, -v/--verbose;
 *   - exit codes: 0 ok, 1 error, 2 usage, 3 finished with problems;
 *   - a progress bar on stderr only when stderr is a terminal and not -q.
 *
 * Not thread-safe: the tool state (name, verbosity) is process-global, which
 * is fine for a command but is why this lives in tools/ and not in the
 * library. */
#ifndef SYNAPT_CLI_H
#define SYNAPT_CLI_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <getopt.h>

#define CLI_EXIT_OK       0
#define CLI_EXIT_ERROR    1
#define CLI_EXIT_USAGE    2
#define CLI_EXIT_PROBLEMS 3

#if defined(__GNUC__)
#  define CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#  define CLI_NORETURN __attribute__((noreturn))
#else
#  define CLI_PRINTF(a, b)
#  define CLI_NORETURN
#endif

/* ---- sharding (--shard K/N) -------------------------------------------- */

/** Parse "K/N" (0 <= K < N <= 1,000,000) for --shard; a bad value is a
 *  usage error naming the option (exit 2). */
void cli_parse_shard(const char *arg, uint32_t *k, uint32_t *n);
/** --depth-codec values: how the writers store u16 (H, W) depth. */
enum {
    CLI_DEPTH_ASIS = 0,   /* not given: the writer's default, copies as stored */
    CLI_DEPTH_ZSTD,       /* "zstd": the default zstd path (filter per chunk) */
    CLI_DEPTH_ANS,        /* "ans": compression 3, depth_ans (format 1.2) */
    CLI_DEPTH_MED,        /* "med": zstd with depth_med only, no feature bits */
    CLI_DEPTH_STRIP       /* "strip": compression 4, depth_strip (format 1.4) */
};
/** Parse --depth-codec into a CLI_DEPTH_ value; anything else is a usage
 *  error (exit 2). */
int cli_parse_depth_codec(const char *arg);
/** Set the writer options (version 3) that store depth as `codec` says;
 *  CLI_DEPTH_ASIS leaves them alone. */
struct synapt_writer_options;
void cli_depth_codec_apply(struct synapt_writer_options *wo, int codec);
/** Whether clip `id` is in shard k of n: xxh3(id) % n == k, the rule every
 *  command shares (docs/cluster.md); always 1 when n <= 1. */
int cli_in_shard(const char *id, uint32_t k, uint32_t n);

/* ---- tool identity and verbosity ------------------------------------- */

/** Set the tool name used in every message ("synapt-inspect") and the usage
 *  text --help prints. Both are borrowed for the life of the process. */
void cli_init(const char *tool, const char *usage);
const char *cli_tool(void);
/** The name and usage part of cli_init alone (cli_init also installs the
 *  signal handlers of the safe outputs); tests call it directly. */
void cli_set_identity(const char *tool, const char *usage);

/** Verbosity: -1 quiet, 0 normal, 1+ verbose. */
int  cli_verbosity(void);
void cli_set_verbosity(int v);

/* The long options every tool accepts; put CLI_COMMON_OPTIONS in the
 * getopt_long table and pass each option to cli_common_option() first. */
#define CLI_OPT_HELP    'h'
#define CLI_OPT_VERSION 0x1001
#define CLI_COMMON_OPTIONS \
    { "help",    no_argument, NULL, CLI_OPT_HELP },    \
    { "version", no_argument, NULL, CLI_OPT_VERSION }, \
    { "quiet",   no_argument, NULL, 'q' },             \
    { "verbose", no_argument, NULL, 'v' }
#define CLI_COMMON_SHORT "hqv"

/** Handle a common option. Returns 1 when `c` was one (help and version
 *  print and exit here; '?' and ':' become usage errors with exit 2),
 *  0 when the caller must handle it. `argv` gives the option text for
 *  messages. */
int cli_common_option(int c, char **argv);

/** Route FFmpeg's log (decoder chatter such as "deprecated pixel format")
 *  through the tool's conventions: dropped by default, shown with -v as
 *  "synapt-x: ffmpeg: message" (warnings and errors only; -vv adds info).
 *  Call after options are parsed. Process-global, which is why it lives
 *  here and not in the library. */
void cli_route_ffmpeg_log(void);

/* ---- diagnostics (stderr) -------------------------------------------- */

/** "synapt-x: file: message". `file` may be NULL (then no file part). */
void cli_error(const char *file, const char *fmt, ...) CLI_PRINTF(2, 3);
/** As cli_error with "warning: " before the message; silent with -q. */
void cli_warn(const char *file, const char *fmt, ...) CLI_PRINTF(2, 3);
/** A note shown only with -v. */
void cli_info(const char *fmt, ...) CLI_PRINTF(1, 2);
/** Print a message that may already start with the file name (library
 *  messages do), adding "file: " only when it does not. */
void cli_error_msg(const char *file, const char *msg);
/** Print "synapt-x: message" and a hint to run --help, to stderr; exit 2. */
CLI_NORETURN void cli_usage_error(const char *fmt, ...) CLI_PRINTF(1, 2);

/* ---- argument parsing ------------------------------------------------ */

/** Parse a whole decimal unsigned integer (no sign, no trailing text, no
 *  overflow). Returns 0 on success, -1 otherwise. */
int cli_parse_u64(uint64_t *out, const char *s);

/** Parse a frame range "A:B" (half-open, frames A..B-1), "A:" (to the end)
 *  or ":B" or a single "A" (one frame). Missing ends are reported through
 *  *has_end = 0 (the caller substitutes the frame count). Returns 0 / -1. */
int cli_parse_range(uint64_t *first, uint64_t *end, int *has_end, const char *s);

/** Parse a byte count as the size options take it (--max-shard-bytes):
 *  digits with an optional K, M or G suffix (powers of 1024, either case),
 *  above zero, no overflow. Returns 0 / -1 (nothing printed). */
int cli_parse_size(uint64_t *out, const char *s);

/** A whole number for option `opt` ("--threads") in lo..hi; anything else
 *  is a usage error ("--threads needs a whole number in 1..256, not 'x'",
 *  exit 2), so the caller gets only valid values. */
uint32_t cli_parse_uint(const char *s, const char *opt, uint32_t lo, uint32_t hi);

/** A frame size "WxH" for option `opt` ("--size"), each side 1..16384;
 *  anything else is a usage error (exit 2). */
void cli_parse_wxh(uint32_t *w, uint32_t *h, const char *s, const char *opt);

/* ---- JSON output ----------------------------------------------------- */

/** Write `s` (len bytes) as a JSON string literal with quotes. Control
 *  characters are escaped; invalid UTF-8 bytes become U+FFFD so the output
 *  is always valid JSON whatever the file held. */
void cli_json_strn(FILE *f, const char *s, size_t len);
/** As cli_json_strn for a NUL-terminated string; NULL prints "". */
void cli_json_str(FILE *f, const char *s);
/** Shortest text that reads back as the same double; NaN/inf print null. */
void cli_json_double(FILE *f, double v);
/** Write JSON text `json` (len bytes) with insignificant whitespace removed,
 *  so a stored object can be embedded on one line. Returns 0 when `json`
 *  parses as JSON, -1 (nothing written) when it does not. */
int cli_json_embed(FILE *f, const char *json, size_t len);
/** Copy the string member `key` of the JSON object text `json` into out
 *  (cap bytes, truncated); "" when json is not an object, or the member is
 *  absent or not a string. Returns out. */
char *cli_json_member_str(char *out, size_t cap, const char *json, const char *key);

/* ---- human formatting ------------------------------------------------ */

/** Printable form of an untrusted string for human output: control
 *  characters (a newline in a clip id, an ESC that would drive the
 *  terminal) and invalid UTF-8 bytes become \n, \t, \xNN; text longer than
 *  about 200 bytes ends in "...". Returns one of 8 static buffers used in
 *  turn, so up to 8 results can appear in one printf. NULL gives "". */
const char *cli_disp(const char *s);

/** "512 B", "1.5 KiB", "23.4 MiB", ... into buf (at least 16 bytes). */
const char *cli_human_bytes(char *buf, size_t cap, uint64_t bytes);
/** "1:02:03.4" / "2:03.4" / "3.4 s" into buf. */
const char *cli_human_duration(char *buf, size_t cap, double seconds);
/** 1234567 -> "1,234,567" into buf (at least 32 bytes). */
const char *cli_human_count(char *buf, size_t cap, uint64_t n);

/** Peak resident set size of this process in bytes (0 when unknown). */
uint64_t cli_peak_rss(void);

/* ---- progress bar ---------------------------------------------------- */

/** A progress line on stderr, redrawn at most ~10 times a second. Shown
 *  only when stderr is a terminal and the tool is not -q; otherwise every
 *  call is a cheap no-op, so callers need not test anything. */
typedef struct cli_progress {
    int enabled;
    const char *label;           /* "verify" */
    const char *unit;            /* "clips" */
    uint64_t total, done, errors;
    double start, last_draw;
    int drawn;                   /* a line is on screen and needs clearing */
} cli_progress;

void cli_progress_start(cli_progress *p, const char *label, const char *unit,
                        uint64_t total);
void cli_progress_update(cli_progress *p, uint64_t done, uint64_t errors);
/** Erase the line (leaving the terminal clean for the final message). */
void cli_progress_end(cli_progress *p);
/** Adapter for synapt_progress_fn: `user` is a cli_progress*. Never stops. */
int cli_progress_cb(void *user, uint64_t done, uint64_t total);

/** Monotonic seconds. */
double cli_now(void);

/* ---- safe outputs ---------------------------------------------------- *
 * The convention of every synapt tool:
 *   - an output is written under an unpredictable temporary name, created
 *     with O_EXCL (mkstemp) in the target's folder, and renamed over the
 *     target only when the whole run succeeded; an existing regular file
 *     (or folder, for folder outputs) at the target is replaced then and
 *     only then, so a failed or interrupted run leaves it byte-identical;
 *   - a target that is an input (the same file, through a symlink or a
 *     hard link too) is refused, and so is anything at the target that is
 *     not a regular file (a directory, device, FIFO, socket, or a link to
 *     one): it gets an error and stays as it is;
 *   - a symlink at the target is replaced by the output, never followed;
 *   - temporaries are registered here, so an error path (cli_cleanup_all)
 *     or SIGINT/SIGTERM/SIGHUP/SIGPIPE/SIGXFSZ removes them; the process
 *     then dies by the signal, as the shell expects.
 * Functions that can fail print one line through cli_error and return -1
 * (or NULL). */

/** Install the signal handlers that remove registered temporaries. Call
 *  once, early in main(); signals the parent ignored stay ignored. */
void cli_cleanup_install(void);
/** Register a temporary file or folder (removed recursively) for removal
 *  on a signal or by cli_cleanup_all(). Thread-safe. Returns 0, or -1 when
 *  the registry (64 entries) is full or the path too long. */
int  cli_cleanup_add_file(const char *path);
int  cli_cleanup_add_dir(const char *path);
/** mkdtemp(tmpl) and cli_cleanup_add_dir in one step that no signal can
 *  split (call it before starting threads). NULL with errno on failure. */
char *cli_mkdtemp(char *tmpl);
/** Unregister without removing (it was renamed into place). */
void cli_cleanup_forget(const char *path);
/** Unregister and remove now. */
void cli_cleanup_remove(const char *path);
/** Remove every registered temporary (an error path before exit). */
void cli_cleanup_all(void);

/** May `out` be written as a file output of a run that reads `inputs`?
 *  0 when nothing is there or a regular file (or a link) that is not an
 *  input; -1 with one line printed otherwise. */
int cli_output_check(const char *out, const char *const *inputs, size_t ninputs);
/** The file a folder output of a synapt tool holds ("<tool> <version>"):
 *  an existing folder is replaced only when it is empty or has it. */
#define CLI_OUTDIR_STAMP ".synapt-output"
/** The same for a folder output: nothing there, an empty folder, or a
 *  folder a synapt tool wrote (it holds CLI_OUTDIR_STAMP) that holds none
 *  of the inputs. */
int cli_output_dir_check(const char *out, const char *const *inputs, size_t ninputs);
/** An input must be a regular file: a FIFO would hang the tool, a device
 *  or folder gives nonsense. 0, or -1 with one line printed. */
int cli_check_input(const char *path);
/** 1 when `path` is a dataset manifest (spec/dataset.md; recognised by its
 *  content, as synapt_dataset_open does), else 0. Prints nothing: for
 *  tools that take a .synapt where a manifest makes no sense (a torn file
 *  to recover) and say so in their own words. */
int cli_is_manifest(const char *path);

typedef struct cli_outfile {
    const char *path;        /* the target (borrowed) */
    char tmp[4200];          /* the temporary name while it exists, else "" */
    int fd;
    FILE *f;
} cli_outfile;

/** Check `path` (as cli_output_check) and open a temporary file beside it,
 *  registered for cleanup. Returns the stream to write, or NULL. */
FILE *cli_out_open(cli_outfile *o, const char *path, const char *const *inputs, size_t ninputs);
/** Flush, fsync and close; on any write error (a full disk) remove the
 *  temporary and return -1, else rename it over the target and return 0. */
int cli_out_commit(cli_outfile *o);
/** Close and remove the temporary; the target is untouched. NULL-safe. */
void cli_out_abort(cli_outfile *o);

typedef struct cli_outdir {
    char path[4200];         /* the target folder, without trailing '/' */
    char tmp[4200];          /* the temporary folder to fill, else "" */
} cli_outdir;

/** Check `path` (as cli_output_dir_check) and create a temporary folder
 *  beside it, registered for cleanup. Write into o->tmp. 0 or -1. */
int cli_outdir_open(cli_outdir *o, const char *path, const char *const *inputs, size_t ninputs);
/** Put the finished folder in place: an old one at the path is exchanged
 *  atomically (renameat2 RENAME_EXCHANGE) and then removed. 0 or -1. */
int cli_outdir_commit(cli_outdir *o);
/** Remove the temporary folder and all it holds. NULL-safe. */
void cli_outdir_abort(cli_outdir *o);

/* An output that a library writes by path (synapt_writer, synapt_recover):
 * the library gets a path inside a temporary folder beside the target,
 * the folder is registered for cleanup, and commit renames every finished
 * file in it (not dot-files) into the target's folder. Shards of one output
 * (OUT-00000.synapt, ...) share the folder: ask cli_staged_path() for each.
 * A run killed with SIGKILL leaves the folder `.NAME.tmp-XXXXXX` behind,
 * with the writer's unfinished file in it for synapt-recover. */
typedef struct cli_staged {
    char parent[4200];       /* the targets' folder, with trailing '/', or "" */
    char dir[4200];          /* the temporary folder, "" once gone */
    char file[8600];         /* the last path cli_staged_path() gave */
} cli_staged;

/** Check `target` (as cli_output_check), create the folder, and leave the
 *  path for `target` in s->file. 0 or -1. */
int cli_staged_open(cli_staged *s, const char *target, const char *const *inputs, size_t ninputs);
/** The path inside the folder for another target in the same folder (the
 *  caller checks it with cli_output_check first). Valid until the next
 *  call; NULL (message printed) when too long. */
const char *cli_staged_path(cli_staged *s, const char *target);
/** Rename every file the run produced over its target, remove the folder.
 *  0 or -1 (the folder and what is left in it are removed either way). */
int cli_staged_commit(cli_staged *s);
/** Remove the folder and all it holds. NULL-safe. */
void cli_staged_abort(cli_staged *s);

/** getopt_long takes any unique prefix of a long option ("--label" for
 *  "--labels"), which silently changes what a command does. Call this once
 *  before the getopt_long loop: an abbreviated long option is a usage error
 *  (exit 2) naming the full option. Values of options are skipped. */
void cli_refuse_abbrev(int argc, char **argv, const char *optstring, const struct option *longopts);

/* ---- ordered work ---------------------------------------------------- *
 * One pool for every command that works clip by clip (pack, synth, merge,
 * audit...): `work` runs on worker threads, `done` on the calling thread in
 * job order, so output bytes never depend on the thread count. A worker may
 * be at most `window` jobs ahead of `done`; job j uses slot j % window, so
 * per-slot state sized by the window bounds memory. */

/** Do job `job` (thread-safe with respect to other jobs); the return value
 *  is handed to `done`. */
typedef int (*cli_pool_work_fn)(void *user, uint64_t job, size_t slot);
/** Consume job `job`'s result, in order. Return 0 to go on; anything else
 *  stops the pool (no new job starts) and becomes cli_pool_run's result. */
typedef int (*cli_pool_done_fn)(void *user, uint64_t job, size_t slot, int work_rc);

#define CLI_POOL_NOMEM    (-1000)
#define CLI_POOL_NOTHREAD (-1001)

/** The default worker-thread count: the CPUs this process may run on (its
 *  affinity mask, which taskset, Slurm's --cpus-per-task and Kubernetes'
 *  static CPU manager narrow), else the online CPUs; at least 1, at most
 *  `max` (when max > 0). */
unsigned cli_cores(unsigned max);

/** Run jobs 0..njobs-1 on `threads` workers (0 or 1: inline on this thread,
 *  same results). Returns 0 when every `done` returned 0, the first nonzero
 *  `done` result, or CLI_POOL_NOMEM / CLI_POOL_NOTHREAD. */
int cli_pool_run(uint64_t njobs, unsigned threads, size_t window, cli_pool_work_fn work,
                 cli_pool_done_fn done, void *user);

/** Run fn(arg, err, errsz) in a forked child under memory (4 GiB) and CPU
 *  limits and return its result (its `err` line copied back); a child that
 *  crashes, runs out of memory or CPU gives SYNAPT_E_INPUT and one line
 *  naming `path` and `parser` ("PATH: the MATLAB reader crashed on this
 *  file ..."). Used as a dry run before parsing untrusted files with
 *  third-party libraries (libmatio, libhdf5) in-process: fn's side effects
 *  are lost. Fuzzing builds (FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION) call
 *  fn in-process so the fuzzer sees what the library does. */
typedef int (*cli_sandbox_fn)(void *arg, char *err, size_t errsz);
int cli_sandboxed(cli_sandbox_fn fn, void *arg, const char *path, const char *parser, char *err,
                  size_t errsz);

/** cli_sandboxed with the work itself done in the child: on success the
 *  child's `result_size` bytes at `result` (which fn fills, through `arg`)
 *  are copied back into the parent's `result`. The child gets
 *  `cpu_seconds` of CPU (0: the default 120 s, or SYNAPT_SANDBOX_SECONDS
 *  from the environment) and four times that of wall clock, so a parser
 *  blocked or spinning is killed and reported ("did not finish within N
 *  s"). Files fn writes stay written: the caller removes them on failure. */
int cli_sandboxed_run(cli_sandbox_fn fn, void *arg, void *result, size_t result_size,
                      unsigned cpu_seconds, const char *path, const char *parser, char *err,
                      size_t errsz);

/** A clip id or stream name as one path component or HDF5 object name
 *  (spec/hdf5.md, the folder exports): '%' -> "%25", '/' -> "%2F", a
 *  leading '.' -> "%2E", every other byte as it is. malloc'd; NULL when out
 *  of memory. */
char *cli_escape_name(const char *name);

#endif
