/* cli.c - the conventions every synapt-* command shares (see cli.h). */
#include "cli.h"
#include "synapt.h"

#include <cJSON.h>
#include <libavutil/log.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

static size_t utf8_len(const unsigned char *s, size_t n);
static void disp_into(char *out, size_t cap, const char *s);

static const char *g_tool = "synapt";
static const char *g_usage = "";
static int g_verbosity = 0;

void cli_set_identity(const char *tool, const char *usage)
{
    g_tool = tool ? tool : "synapt";
    g_usage = usage ? usage : "";
}

const char *cli_tool(void) { return g_tool; }
int cli_verbosity(void) { return g_verbosity; }
void cli_set_verbosity(int v) { g_verbosity = v; }

static void ffmpeg_log(void *avcl, int level, const char *fmt, va_list vl)
{
    /* av_log() leaves the level check to the callback: without this one,
     * decoder complaints about a damaged stream printed at default verbosity */
    if (level > av_log_get_level()) return;
    /* decoder threads log too: format locally, print with one call */
    char line[1024], safe[1100];
    int prefix = 1;
    av_log_format_line2(avcl, level, fmt, vl, line, sizeof line, &prefix);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
    if (!n) return;
    disp_into(safe, sizeof safe, line);
    fprintf(stderr, "%s: ffmpeg: %s\n", g_tool, safe);
}

void cli_route_ffmpeg_log(void)
{
    av_log_set_level(g_verbosity >= 1 ? (g_verbosity >= 2 ? AV_LOG_INFO : AV_LOG_WARNING)
                                      : AV_LOG_QUIET);
    av_log_set_callback(ffmpeg_log);
}

int cli_common_option(int c, char **argv)
{
    switch (c) {
    case CLI_OPT_HELP:
        fputs(g_usage, stdout);
        exit(fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_ERROR);
    case CLI_OPT_VERSION:
        printf("%s %s (libsynapt %s, format %d.%d)\n", g_tool, SYNAPT_VERSION_STRING,
               synapt_version(), SYNAPT_FORMAT_MAJOR, SYNAPT_FORMAT_MINOR);
        exit(fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_ERROR);
    case 'q':
        g_verbosity = -1;
        return 1;
    case 'v':
        if (g_verbosity < 0) g_verbosity = 0;
        g_verbosity++;
        return 1;
    case ':':
        cli_usage_error("option '%s' needs a value", argv[optind - 1]);
    case '?':
        if (optopt && optopt < 0x100)
            cli_usage_error("unknown option '-%c'", optopt);
        cli_usage_error("unknown option '%s'", argv[optind - 1]);
    default:
        return 0;
    }
}

static void vmsg(const char *file, const char *prefix, const char *fmt, va_list ap)
{
    /* one fprintf per line so lines from concurrent tools do not interleave */
    /* the message may quote names from a hostile file: one line, no escapes
     * that could drive the terminal */
    char buf[2048], safe[2048];
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    if (n < 0) buf[0] = 0;
    disp_into(safe, sizeof safe, buf);
    if (file)
        fprintf(stderr, "%s: %s: %s%s\n", g_tool, file, prefix, safe);
    else
        fprintf(stderr, "%s: %s%s\n", g_tool, prefix, safe);
}

void cli_error(const char *file, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(file, "", fmt, ap);
    va_end(ap);
}

void cli_warn(const char *file, const char *fmt, ...)
{
    if (g_verbosity < 0) return;
    va_list ap;
    va_start(ap, fmt);
    vmsg(file, "warning: ", fmt, ap);
    va_end(ap);
}

void cli_info(const char *fmt, ...)
{
    if (g_verbosity < 1) return;
    va_list ap;
    va_start(ap, fmt);
    vmsg(NULL, "", fmt, ap);
    va_end(ap);
}

void cli_error_msg(const char *file, const char *msg)
{
    if (!msg || !*msg) msg = "unknown error";
    char safe[2048];
    disp_into(safe, sizeof safe, msg);
    size_t fl = file ? strlen(file) : 0;
    if (!file || (strncmp(msg, file, fl) == 0 && msg[fl] == ':'))
        fprintf(stderr, "%s: %s\n", g_tool, safe);
    else
        fprintf(stderr, "%s: %s: %s\n", g_tool, file, safe);
}

void cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(NULL, "", fmt, ap);
    va_end(ap);
    fprintf(stderr, "Try '%s --help' for more information.\n", g_tool);
    exit(CLI_EXIT_USAGE);
}

int cli_parse_u64(uint64_t *out, const char *s)
{
    if (!s || *s < '0' || *s > '9') return -1;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return -1;
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10) return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int cli_parse_size(uint64_t *out, const char *s)
{
    char num[32];
    size_t n = s ? strlen(s) : 0;
    uint64_t mul = 1, v;
    if (n == 0 || n >= sizeof num) return -1;
    memcpy(num, s, n + 1);
    switch (num[n - 1]) {
    case 'K': case 'k': mul = 1ull << 10; break;
    case 'M': case 'm': mul = 1ull << 20; break;
    case 'G': case 'g': mul = 1ull << 30; break;
    }
    if (mul > 1) num[n - 1] = 0;
    if (cli_parse_u64(&v, num) || v == 0 || v > UINT64_MAX / mul) return -1;
    *out = v * mul;
    return 0;
}

uint32_t cli_parse_uint(const char *s, const char *opt, uint32_t lo, uint32_t hi)
{
    uint64_t v;
    if (cli_parse_u64(&v, s) != 0 || v < lo || v > hi)
        cli_usage_error("%s needs a whole number in %u..%u, not '%s'", opt, lo, hi, s);
    return (uint32_t)v;
}

void cli_parse_wxh(uint32_t *w, uint32_t *h, const char *s, const char *opt)
{
    unsigned x, y;
    char tail;
    if (sscanf(s, "%ux%u%c", &x, &y, &tail) != 2 || !x || !y || x > 16384 || y > 16384)
        cli_usage_error("%s wants WxH, e.g. 320x240 (got '%s')", opt, s);
    *w = x;
    *h = y;
}

int cli_parse_range(uint64_t *first, uint64_t *end, int *has_end, const char *s)
{
    if (!s || !*s) return -1;
    const char *colon = strchr(s, ':');
    char a[32];
    if (!colon) {
        uint64_t v;
        if (cli_parse_u64(&v, s) != 0 || v == UINT64_MAX) return -1;
        *first = v;
        *end = v + 1;
        *has_end = 1;
        return 0;
    }
    size_t alen = (size_t)(colon - s);
    if (alen >= sizeof a) return -1;
    memcpy(a, s, alen);
    a[alen] = 0;
    uint64_t f = 0, e = 0;
    if (alen && cli_parse_u64(&f, a) != 0) return -1;
    if (colon[1]) {
        if (cli_parse_u64(&e, colon + 1) != 0) return -1;
        *has_end = 1;
    } else {
        *has_end = 0;
    }
    *first = f;
    *end = e;
    return 0;
}

/* ---- JSON ---- */

/* Length of the valid UTF-8 sequence at s (1..4), 0 when invalid. Rejects
 * overlongs, surrogates and code points above U+10FFFF. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned cp;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
    else return 0;
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

void cli_json_strn(FILE *f, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    putc('"', f);
    for (size_t i = 0; i < len;) {
        unsigned c = p[i];
        if (c == '"' || c == '\\') { putc('\\', f); putc((int)c, f); i++; }
        else if (c == '\n') { fputs("\\n", f); i++; }
        else if (c == '\t') { fputs("\\t", f); i++; }
        else if (c == '\r') { fputs("\\r", f); i++; }
        else if (c < 0x20 || c == 0x7F) { fprintf(f, "\\u%04x", c); i++; }
        else {
            size_t l = utf8_len(p + i, len - i);
            if (l == 0) { fputs("\\ufffd", f); i++; }
            else { fwrite(p + i, 1, l, f); i += l; }
        }
    }
    putc('"', f);
}

void cli_json_str(FILE *f, const char *s)
{
    if (!s) s = "";
    cli_json_strn(f, s, strlen(s));
}

void cli_json_double(FILE *f, double v)
{
    if (!isfinite(v)) { fputs("null", f); return; }
    char buf[40];
    snprintf(buf, sizeof buf, "%.15g", v);
    if (strtod(buf, NULL) != v) snprintf(buf, sizeof buf, "%.17g", v);
    fputs(buf, f);
}

char *cli_json_member_str(char *out, size_t cap, const char *json, const char *key)
{
    if (!cap) return out;
    out[0] = 0;
    cJSON *doc = json ? cJSON_Parse(json) : NULL;
    const cJSON *v = cJSON_IsObject(doc) ? cJSON_GetObjectItemCaseSensitive(doc, key) : NULL;
    if (cJSON_IsString(v) && v->valuestring) snprintf(out, cap, "%s", v->valuestring);
    cJSON_Delete(doc);
    return out;
}

int cli_json_embed(FILE *f, const char *json, size_t len)
{
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    if (!doc) return -1;
    cJSON_Delete(doc);
    /* trailing garbage after the value means the stored text is not JSON */
    for (const char *q = end; q && q < json + len && *q; q++)
        if (*q != ' ' && *q != '\t' && *q != '\n' && *q != '\r') return -1;
    /* copy the text rather than re-print the parse tree: cJSON turns large
     * integers into doubles, and "as stored" means the stored digits */
    int in_str = 0, esc = 0;
    for (size_t i = 0; i < len && json[i]; i++) {
        char c = json[i];
        if (in_str) {
            if (esc) esc = 0;
            else if (c == '\\') esc = 1;
            else if (c == '"') in_str = 0;
            putc(c, f);
        } else if (c == '"') {
            in_str = 1;
            putc(c, f);
        } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            putc(c, f);
        }
    }
    return 0;
}

/* ---- human formatting ---- */

/* Escape control characters and invalid UTF-8 of s into out (cap bytes,
 * at least 8), ending in "..." when it does not fit. */
static void disp_into(char *out, size_t cap, const char *s)
{
    size_t o = 0;
    if (!s) s = "";
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        char tmp[8];
        size_t l;
        unsigned c = p[i];
        if (c == '\n') { memcpy(tmp, "\\n", 3); l = 2; i++; }
        else if (c == '\t') { memcpy(tmp, "\\t", 3); l = 2; i++; }
        else if (c < 0x20 || c == 0x7F) { snprintf(tmp, sizeof tmp, "\\x%02x", c); l = 4; i++; }
        else {
            l = utf8_len(p + i, n - i);
            if (l == 0) { snprintf(tmp, sizeof tmp, "\\x%02x", c); l = 4; i++; }
            else { memcpy(tmp, p + i, l); i += l; }
        }
        if (o + l + 4 >= cap) {
            memcpy(out + o, "...", 4);
            return;
        }
        memcpy(out + o, tmp, l);
        o += l;
    }
    out[o] = 0;
}

const char *cli_disp(const char *s)
{
    static char ring[8][224];
    static unsigned next;
    char *out = ring[next++ & 7];
    disp_into(out, sizeof ring[0], s);
    return out;
}

const char *cli_human_bytes(char *buf, size_t cap, uint64_t bytes)
{
    static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    if (bytes < 1024) {
        snprintf(buf, cap, "%llu B", (unsigned long long)bytes);
        return buf;
    }
    double v = (double)bytes;
    int u = 0;
    while (v >= 1024.0 && u < 6) { v /= 1024.0; u++; }
    snprintf(buf, cap, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, units[u]);
    return buf;
}

const char *cli_human_duration(char *buf, size_t cap, double s)
{
    if (!isfinite(s) || s < 0) { snprintf(buf, cap, "?"); return buf; }
    if (s < 60) { snprintf(buf, cap, s < 10 ? "%.2f s" : "%.1f s", s); return buf; }
    uint64_t whole = (uint64_t)s;
    double frac = s - (double)whole;
    unsigned h = (unsigned)(whole / 3600), m = (unsigned)(whole / 60 % 60);
    double sec = (double)(whole % 60) + frac;
    if (h) snprintf(buf, cap, "%u:%02u:%04.1f", h, m, sec);
    else snprintf(buf, cap, "%u:%04.1f", m, sec);
    return buf;
}

const char *cli_human_count(char *buf, size_t cap, uint64_t n)
{
    char digits[24];
    int len = snprintf(digits, sizeof digits, "%llu", (unsigned long long)n);
    size_t o = 0;
    for (int i = 0; i < len && o + 2 < cap; i++) {
        if (i && (len - i) % 3 == 0) buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o < cap ? o : cap - 1] = 0;
    return buf;
}

uint64_t cli_peak_rss(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
    return (uint64_t)ru.ru_maxrss * 1024u; /* Linux reports KiB */
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- progress ---- */

void cli_progress_start(cli_progress *p, const char *label, const char *unit,
                        uint64_t total)
{
    memset(p, 0, sizeof *p);
    p->enabled = g_verbosity >= 0 && isatty(STDERR_FILENO);
    p->label = label ? label : "";
    p->unit = unit ? unit : "";
    p->total = total;
    p->start = cli_now();
    p->last_draw = p->start;
}

static void progress_draw(cli_progress *p, double now)
{
    char line[256], eta[32] = "";
    double el = now - p->start;
    double rate = el > 0 ? (double)p->done / el : 0;
    int width = 24, fill = 0;
    if (p->total) {
        uint64_t d = p->done > p->total ? p->total : p->done;
        fill = (int)((double)d / (double)p->total * width);
        if (rate > 0 && d < p->total) {
            char t[24];
            snprintf(eta, sizeof eta, "  ETA %s",
                     cli_human_duration(t, sizeof t, (double)(p->total - d) / rate));
        }
    }
    char bar[32];
    for (int i = 0; i < width; i++) bar[i] = i < fill ? '#' : '.';
    bar[width] = 0;
    int n = snprintf(line, sizeof line, "\r%s [%s] %llu/%llu %s  %.1f/s%s", p->label, bar,
                     (unsigned long long)p->done, (unsigned long long)p->total, p->unit,
                     rate, eta);
    if (p->errors && n > 0 && (size_t)n < sizeof line)
        snprintf(line + n, sizeof line - (size_t)n, "  errors %llu",
                 (unsigned long long)p->errors);
    /* \033[K clears what a longer previous line left behind */
    fprintf(stderr, "%s\033[K", line);
    p->drawn = 1;
    p->last_draw = now;
}

void cli_progress_update(cli_progress *p, uint64_t done, uint64_t errors)
{
    if (!p || !p->enabled) return;
    p->done = done;
    p->errors = errors;
    double now = cli_now();
    /* work that ends within a moment never flashes a bar; after that,
     * redraw at most ten times a second, and always show the final count */
    if (!p->drawn ? now - p->start < 0.3 : now - p->last_draw < 0.1 && done != p->total) return;
    progress_draw(p, now);
}

void cli_progress_end(cli_progress *p)
{
    if (!p || !p->enabled || !p->drawn) return;
    fputs("\r\033[K", stderr);
    p->drawn = 0;
}

int cli_progress_cb(void *user, uint64_t done, uint64_t total)
{
    cli_progress *p = user;
    if (p && total) p->total = total;
    cli_progress_update(p, done, p ? p->errors : 0);
    return 0;
}

void cli_parse_shard(const char *arg, uint32_t *k, uint32_t *n)
{
    unsigned a, b;
    char tail;
    if (sscanf(arg, "%u/%u%c", &a, &b, &tail) != 2 || b == 0 || a >= b || b > 1000000 || arg[0] == '-')
        cli_usage_error("--shard wants K/N with 0 <= K < N, e.g. 0/4 (got '%s')", arg);
    *k = a;
    *n = b;
}

int cli_parse_depth_codec(const char *arg)
{
    if (!strcmp(arg, "zstd")) return CLI_DEPTH_ZSTD;
    if (!strcmp(arg, "ans")) return CLI_DEPTH_ANS;
    if (!strcmp(arg, "med")) return CLI_DEPTH_MED;
    if (!strcmp(arg, "strip")) return CLI_DEPTH_STRIP;
    cli_usage_error("--depth-codec wants zstd, ans, strip or med (got '%s')", arg);
    return -1;
}

void cli_depth_codec_apply(synapt_writer_options *wo, int codec)
{
    if (codec == CLI_DEPTH_ASIS) return;
    wo->depth_compression = codec == CLI_DEPTH_ANS     ? SYNAPT_COMPRESSION_DEPTH_ANS
                            : codec == CLI_DEPTH_STRIP ? SYNAPT_COMPRESSION_DEPTH_STRIP
                                                       : SYNAPT_COMPRESSION_ZSTD_FRAME;
    wo->depth_filter = codec == CLI_DEPTH_MED ? SYNAPT_FILTER_DEPTH_MED : SYNAPT_FILTER_AUTO;
}

int cli_in_shard(const char *id, uint32_t k, uint32_t n)
{
    return n <= 1 || XXH3_64bits(id, strlen(id)) % n == k;
}

char *cli_escape_name(const char *name)
{
    size_t n = strlen(name), o = 0;
    char *s = malloc(3 * n + 1);
    if (!s) return NULL;
    for (size_t i = 0; i < n; i++) {
        if (name[i] == '%') { memcpy(s + o, "%25", 3); o += 3; }
        else if (name[i] == '/') { memcpy(s + o, "%2F", 3); o += 3; }
        else if (i == 0 && name[i] == '.') { memcpy(s + o, "%2E", 3); o += 3; }
        else s[o++] = name[i];
    }
    s[o] = 0;
    return s;
}
