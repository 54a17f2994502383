/* test_cli.c - the shared CLI helper (tools/cli.c): number and range
 * parsing, JSON string escaping of hostile bytes, JSON embedding, human
 * formatting, the display escaping of untrusted names, the progress bar,
 * FFmpeg's log routed through the verbosity, the sandboxed child
 * (cli_sandbox.c) and the name escaping of exports. */
#include "cli/cli.h"
#include "synapt.h"
#include "testutil.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <math.h>
#include <unistd.h>
#include <libavutil/log.h>

/* Run fn(f) against a memory stream and return what it printed. */
static char out_buf[4096];
static const char *capture_str(const char *s, size_t len)
{
    FILE *f = fmemopen(out_buf, sizeof out_buf, "w");
    cli_json_strn(f, s, len);
    fclose(f);
    return out_buf;
}

static void parse_numbers(void)
{
    uint64_t v = 7;
    CHECK(cli_parse_u64(&v, "0") == 0 && v == 0);
    CHECK(cli_parse_u64(&v, "18446744073709551615") == 0 && v == UINT64_MAX);
    CHECK(cli_parse_u64(&v, "18446744073709551616") != 0);
    CHECK(cli_parse_u64(&v, "") != 0);
    CHECK(cli_parse_u64(&v, "-1") != 0);
    CHECK(cli_parse_u64(&v, "+1") != 0);
    CHECK(cli_parse_u64(&v, "12x") != 0);
    CHECK(cli_parse_u64(&v, " 1") != 0);
    CHECK(cli_parse_u64(&v, NULL) != 0);
}

static void parse_ranges(void)
{
    uint64_t a, b;
    int e;
    CHECK(cli_parse_range(&a, &b, &e, "3:9") == 0 && a == 3 && b == 9 && e == 1);
    CHECK(cli_parse_range(&a, &b, &e, "3:") == 0 && a == 3 && e == 0);
    CHECK(cli_parse_range(&a, &b, &e, ":4") == 0 && a == 0 && b == 4 && e == 1);
    CHECK(cli_parse_range(&a, &b, &e, "5") == 0 && a == 5 && b == 6 && e == 1);
    CHECK(cli_parse_range(&a, &b, &e, ":") == 0 && a == 0 && e == 0);
    CHECK(cli_parse_range(&a, &b, &e, "") != 0);
    CHECK(cli_parse_range(&a, &b, &e, "a:b") != 0);
    CHECK(cli_parse_range(&a, &b, &e, "1:2:3") != 0);
    CHECK(cli_parse_range(&a, &b, &e, "18446744073709551615") != 0); /* end would overflow */
    CHECK(cli_parse_range(&a, &b, &e, "123456789012345678901234567890:1") != 0);
}

static void json_escaping(void)
{
    CHECK(strcmp(capture_str("plain", 5), "\"plain\"") == 0);
    CHECK(strcmp(capture_str("q\"b\\", 4), "\"q\\\"b\\\\\"") == 0);
    CHECK(strcmp(capture_str("a\nb\tc\r\x01\x7f", 8), "\"a\\nb\\tc\\r\\u0001\\u007f\"") == 0);
    /* valid UTF-8 passes through; invalid bytes, overlongs, surrogates and
     * truncated sequences become U+FFFD */
    CHECK(strcmp(capture_str("caf\xc3\xa9 \xf0\x9f\x98\x80", 10), "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"") == 0);
    CHECK(strcmp(capture_str("\xff", 1), "\"\\ufffd\"") == 0);
    CHECK(strcmp(capture_str("\xc0\xaf", 2), "\"\\ufffd\\ufffd\"") == 0);
    CHECK(strcmp(capture_str("\xed\xa0\x80", 3), "\"\\ufffd\\ufffd\\ufffd\"") == 0);
    CHECK(strcmp(capture_str("\xe2\x9c", 2), "\"\\ufffd\\ufffd\"") == 0);
    CHECK(strcmp(capture_str("\xf4\x90\x80\x80", 4), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"") == 0);
    /* an embedded NUL is data, not the end */
    CHECK(strcmp(capture_str("a\0b", 3), "\"a\\u0000b\"") == 0);
}

static const char *capture_double(double v)
{
    FILE *f = fmemopen(out_buf, sizeof out_buf, "w");
    cli_json_double(f, v);
    fclose(f);
    return out_buf;
}

static void json_doubles(void)
{
    CHECK(strcmp(capture_double(0.001), "0.001") == 0);
    CHECK(strcmp(capture_double(1.0), "1") == 0);
    CHECK(strcmp(capture_double(0.1), "0.1") == 0);
    CHECK(strcmp(capture_double(NAN), "null") == 0);
    CHECK(strcmp(capture_double(INFINITY), "null") == 0);
    double third = 1.0 / 3.0;
    CHECK(strtod(capture_double(third), NULL) == third); /* round-trips exactly */
}

static int embed(const char *json, size_t len)
{
    FILE *f = fmemopen(out_buf, sizeof out_buf, "w");
    int rc = cli_json_embed(f, json, len);
    fclose(f);
    return rc;
}

static void json_embed(void)
{
    const char *j = "{ \"a\" : [1, 2.50, 12345678901234567890],\n \"s\": \"x  y\\\" }\" }";
    CHECK(embed(j, strlen(j)) == 0);
    /* whitespace outside strings goes, digits and string contents stay */
    CHECK(strcmp(out_buf, "{\"a\":[1,2.50,12345678901234567890],\"s\":\"x  y\\\" }\"}") == 0);
    CHECK(embed("{\"a\":1} x", 9) != 0);   /* trailing garbage */
    CHECK(embed("{\"a\":", 5) != 0);       /* cut short */
    CHECK(embed("{} \n", 4) == 0 && strcmp(out_buf, "{}") == 0);
}

static void human_formats(void)
{
    char b[32];
    CHECK(strcmp(cli_human_bytes(b, sizeof b, 0), "0 B") == 0);
    CHECK(strcmp(cli_human_bytes(b, sizeof b, 1023), "1023 B") == 0);
    CHECK(strcmp(cli_human_bytes(b, sizeof b, 1536), "1.50 KiB") == 0);
    CHECK(strcmp(cli_human_bytes(b, sizeof b, 135784394), "129 MiB") == 0);
    CHECK(strcmp(cli_human_bytes(b, sizeof b, UINT64_MAX), "16.0 EiB") == 0);
    CHECK(strcmp(cli_human_count(b, sizeof b, 1234567), "1,234,567") == 0);
    CHECK(strcmp(cli_human_count(b, sizeof b, 999), "999") == 0);
    CHECK(strcmp(cli_human_count(b, sizeof b, UINT64_MAX), "18,446,744,073,709,551,615") == 0);
    CHECK(strcmp(cli_human_duration(b, sizeof b, 0.04), "0.04 s") == 0);
    CHECK(strcmp(cli_human_duration(b, sizeof b, 75.5), "1:15.5") == 0);
    CHECK(strcmp(cli_human_duration(b, sizeof b, 3725), "1:02:05.0") == 0);
    CHECK(strcmp(cli_human_duration(b, sizeof b, NAN), "?") == 0);
    CHECK(cli_peak_rss() > 0);
}

static void display_escaping(void)
{
    CHECK(strcmp(cli_disp("walk_000"), "walk_000") == 0);
    CHECK(strcmp(cli_disp("a\nb\t\x1b[31m\xff"), "a\\nb\\t\\x1b[31m\\xff") == 0);
    CHECK(strcmp(cli_disp("caf\xc3\xa9"), "caf\xc3\xa9") == 0);
    CHECK(strcmp(cli_disp(NULL), "") == 0);
    char longs[1000];
    memset(longs, 'x', sizeof longs - 1);
    longs[sizeof longs - 1] = 0;
    const char *d = cli_disp(longs);
    CHECK(strlen(d) < 224 && strcmp(d + strlen(d) - 3, "...") == 0);
    /* eight results stay valid at once */
    const char *p[8];
    char want[8][16];
    for (int i = 0; i < 8; i++) {
        snprintf(want[i], sizeof want[i], "s%d", i);
        p[i] = cli_disp(want[i]);
    }
    int ok = 1;
    for (int i = 0; i < 8; i++) ok &= strcmp(p[i], want[i]) == 0;
    CHECK(ok);
}

static void progress_silent_off_terminal(void)
{
    /* the bar is on only for a terminal, and never with -q */
    cli_progress p;
    cli_progress_start(&p, "test", "items", 10);
    CHECK(p.enabled == isatty(STDERR_FILENO));
    cli_set_verbosity(-1);
    cli_progress_start(&p, "test", "items", 10);
    cli_set_verbosity(0);
    CHECK(p.enabled == 0);
    cli_progress_update(&p, 5, 1);
    CHECK(cli_progress_cb(&p, 10, 10) == 0);
    cli_progress_end(&p);
    CHECK(p.drawn == 0);
}

/* Run one av_log at `level` with verbosity `v`; return the bytes it wrote
 * to stderr (captured through a scratch file). */
static long logged_bytes(int v, int level)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/test_cli.stderr", tu_tmp_dir());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return -1;
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    cli_set_verbosity(v);
    cli_route_ffmpeg_log();
    av_log(NULL, level, "qa test message %d\n", level);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    long n = (long)lseek(fd, 0, SEEK_END);
    close(fd);
    unlink(path);
    return n;
}

/* FFmpeg calls a custom log callback for every message whatever
 * av_log_set_level() says, so the callback must check the level itself: it
 * once did not, and a damaged H.264 stream made synapt-convert print dozens
 * of decoder lines before its one-line error, without -v. */
static void ffmpeg_log_follows_verbosity(void)
{
    CHECK_EQ_INT(logged_bytes(0, AV_LOG_ERROR), 0);
    CHECK_EQ_INT(logged_bytes(0, AV_LOG_WARNING), 0);
    CHECK_EQ_INT(logged_bytes(-1, AV_LOG_FATAL), 0);
    CHECK(logged_bytes(1, AV_LOG_ERROR) > 0);
    CHECK(logged_bytes(1, AV_LOG_WARNING) > 0);
    CHECK_EQ_INT(logged_bytes(1, AV_LOG_INFO), 0);
    CHECK(logged_bytes(2, AV_LOG_INFO) > 0);
    CHECK_EQ_INT(logged_bytes(2, AV_LOG_DEBUG), 0);
    cli_set_verbosity(0);
    cli_route_ffmpeg_log();
}

/* ---- the sandboxed child: what a third-party parser may do to us ---- */

static int sb_spin(void *arg, char *err, size_t errsz)
{
    (void)arg; (void)err; (void)errsz;
    volatile unsigned long x = 0;
    for (;;) x++;
    return 0;
}

static int sb_crash(void *arg, char *err, size_t errsz)
{
    (void)arg; (void)err; (void)errsz;
    raise(SIGABRT); /* not SIGSEGV: a sanitizer build catches that itself */
    return 0;
}

static int sb_refuse(void *arg, char *err, size_t errsz)
{
    (void)arg;
    snprintf(err, errsz, "f.h5: not a pose dataset");
    return SYNAPT_E_INPUT;
}

static int sb_fill(void *arg, char *err, size_t errsz)
{
    (void)err; (void)errsz;
    memcpy(arg, "child", 6);
    return 0;
}

static void sandbox_child(void)
{
    char err[512] = "", res[8] = "";
    /* a spinning parser is stopped by the CPU limit and named */
    CHECK_EQ_INT(cli_sandboxed_run(sb_spin, NULL, NULL, 0, 1, "f.h5", "HDF5", err, sizeof err), SYNAPT_E_INPUT);
    CHECK(strstr(err, "f.h5: the HDF5 reader used over 1 s of CPU on this file; refused") != NULL);
    /* a crash is one line, the process goes on */
    err[0] = 0;
    CHECK_EQ_INT(cli_sandboxed(sb_crash, NULL, "g.mat", "MATLAB", err, sizeof err), SYNAPT_E_INPUT);
    CHECK(strstr(err, "g.mat: the MATLAB reader crashed on this file") != NULL);
    /* the child's own error line comes back as it is */
    err[0] = 0;
    CHECK_EQ_INT(cli_sandboxed(sb_refuse, NULL, "f.h5", "HDF5", err, sizeof err), SYNAPT_E_INPUT);
    CHECK(!strcmp(err, "f.h5: not a pose dataset"));
    /* a result computed in the child is copied back */
    CHECK_EQ_INT(cli_sandboxed_run(sb_fill, res, res, sizeof res, 0, "f.h5", "HDF5", err, sizeof err), 0);
    CHECK(!strcmp(res, "child"));
}

static void escape_names(void)
{
    char *a = cli_escape_name(".hidden/50%"), *b = cli_escape_name("a.b");
    CHECK(a && !strcmp(a, "%2Ehidden%2F50%25"));
    CHECK(b && !strcmp(b, "a.b"));
    free(a);
    free(b);
}

int main(void)
{
    cli_init("test_cli", "usage\n");
    RUN(parse_numbers);
    RUN(parse_ranges);
    RUN(json_escaping);
    RUN(json_doubles);
    RUN(json_embed);
    RUN(human_formats);
    RUN(display_escaping);
    RUN(progress_silent_off_terminal);
    RUN(ffmpeg_log_follows_verbosity);
    RUN(sandbox_child);
    RUN(escape_names);
    TEST_MAIN_END();
}
