/* error.c - one-line error message formatting shared by reader and writer. */
#include <stdio.h>
#include "internal.h"

void sy_vfmt(char *buf, size_t cap, const char *fmt, va_list ap)
{
    if (!buf || !cap) return;
    int n = vsnprintf(buf, cap, fmt, ap);
    if (n < 0) buf[0] = 0;
    /* messages are one line: a newline from a file name or a library
     * message would break "tool: file: message" parsing downstream */
    for (char *p = buf; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
}

void sy_fmt(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sy_vfmt(buf, cap, fmt, ap);
    va_end(ap);
}

void sy_errbuf_set(char *errbuf, size_t cap, const char *msg)
{
    if (!errbuf || !cap) return;
    sy_fmt(errbuf, cap, "%s", msg ? msg : "");
}

void sy_errbuf_use(char **errbuf, size_t *cap, char *local, size_t n)
{
    if (!*errbuf) {
        *errbuf = local;
        *cap = n;
    }
    if (*cap)
        (*errbuf)[0] = 0;
}
