/* audit_text.c: strings for the report writers (JSON, CSV, HTML). */
#include "audit.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reserve(audit_buf *b, size_t more)
{
    if (b->failed) return -1;
    if (b->len + more + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more + 1) cap *= 2;
    char *ns = realloc(b->s, cap);
    if (!ns) { b->failed = 1; return -1; }
    b->s = ns;
    b->cap = cap;
    return 0;
}

void audit_buf_printf(audit_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (need < 0 || reserve(b, (size_t)need) != 0) return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)need + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)need;
}

static void putc_buf(audit_buf *b, char c)
{
    if (reserve(b, 1) != 0) return;
    b->s[b->len++] = c;
    b->s[b->len] = 0;
}

void audit_buf_json(audit_buf *b, const char *s)
{
    putc_buf(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') { putc_buf(b, '\\'); putc_buf(b, (char)*p); }
        else if (*p < 0x20) audit_buf_printf(b, "\\u%04x", *p);
        else putc_buf(b, (char)*p);
    }
    putc_buf(b, '"');
}

void audit_buf_csv(audit_buf *b, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) { audit_buf_printf(b, "%s", s); return; }
    putc_buf(b, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"') putc_buf(b, '"');
        putc_buf(b, *p);
    }
    putc_buf(b, '"');
}

void audit_buf_html(audit_buf *b, const char *s)
{
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '<': audit_buf_printf(b, "&lt;"); break;
        case '>': audit_buf_printf(b, "&gt;"); break;
        case '&': audit_buf_printf(b, "&amp;"); break;
        case '"': audit_buf_printf(b, "&quot;"); break;
        default: putc_buf(b, *p);
        }
    }
}

void audit_buf_num(audit_buf *b, double v)
{
    if (!isfinite(v)) { audit_buf_printf(b, "null"); return; }
    if (v == floor(v) && fabs(v) < 1e15) { audit_buf_printf(b, "%.0f", v); return; }
    /* 6 significant digits: the report is for reading and its bytes must
     * not depend on the last bits of a float sum */
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.6g", v);
    audit_buf_printf(b, "%s", tmp);
}

int audit_buf_save(const audit_buf *b, const char *path)
{
    if (b->failed) return -1;
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t len = b->len;
    int ok = (len == 0 || fwrite(b->s, 1, len, f) == len);
    ok &= fclose(f) == 0;
    return ok ? 0 : -1;
}
