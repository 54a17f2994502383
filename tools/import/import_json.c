/* import_json.c - one strict reading of JSON for every importer: manifests
 * (JSONL lines, CSV meta cells), annotation files and JSON sidecars.
 * cJSON alone is lenient where leniency loses data silently, so the text is
 * scanned first and these are refused, each with its own reason:
 *   - a NUL byte, raw or as the escape \u0000 (C strings would end there:
 *     an id "a\u0000b" became "a");
 *   - a number with a leading zero ("007": not JSON, RFC 8259 section 6);
 *   - an integer literal beyond +-2^53 (cJSON keeps numbers as doubles, so
 *     9007199254740993 would come back as ...992; quote it instead);
 *   - anything after the first value (two concatenated documents);
 *   - an object with the same key twice (cJSON would keep the first and a
 *     reader of the second would differ from us);
 *   - arrays and objects nested deeper than IMPORT_JSON_MAX_DEPTH (no
 *     annotation format needs more than a handful of levels; recursive
 *     walks stay shallow).
 * Decimal fractions and exponents ("1.5", "1e300") are read as doubles. */
#include "import.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIGITS_2_53 "9007199254740992"
#define IMPORT_JSON_MAX_DEPTH 64

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static uint64_t line_at(const char *s, size_t off)
{
    uint64_t line = 1;
    for (size_t i = 0; i < off; i++)
        line += s[i] == '\n';
    return line;
}

/* 0 when the text passes; else the byte offset of the problem + 1 */
static size_t scan(const char *s, size_t n, char *why, size_t whysz)
{
    size_t i = 0;
    int depth = 0;
    while (i < n) {
        char c = s[i];
        if (c == 0) {
            snprintf(why, whysz, "NUL byte in JSON text");
            return i + 1;
        }
        if (c == '[' || c == '{') {
            if (++depth > IMPORT_JSON_MAX_DEPTH) {
                snprintf(why, whysz, "JSON nested deeper than %d levels", IMPORT_JSON_MAX_DEPTH);
                return i + 1;
            }
        } else if (c == ']' || c == '}') {
            depth--;
        }
        if (c == '"') {
            for (i++; i < n && s[i] != '"'; i++) {
                if (s[i] == 0) {
                    snprintf(why, whysz, "NUL byte in a JSON string");
                    return i + 1;
                }
                if (s[i] == '\\') {
                    if (i + 5 < n && s[i + 1] == 'u' && memcmp(s + i + 2, "0000", 4) == 0) {
                        snprintf(why, whysz, "\\u0000 (a NUL character) in a JSON string; "
                                 "names and ids cannot hold one");
                        return i + 1;
                    }
                    i++; /* the escaped character, whatever it is */
                }
            }
            i++;
            continue;
        }
        if (c == '-' || is_digit(c)) {
            size_t at = i, d0 = i + (c == '-');
            for (i = d0; i < n && is_digit(s[i]); i++)
                ;
            size_t nd = i - d0;
            if (nd > 1 && s[d0] == '0') {
                snprintf(why, whysz, "number with a leading zero ('%.*s'); JSON numbers have none",
                         (int)(nd > 24 ? 24 : nd + (d0 - at)), s + at);
                return at + 1;
            }
            int integer = !(i < n && (s[i] == '.' || s[i] == 'e' || s[i] == 'E'));
            if (integer && (nd > 16 || (nd == 16 && memcmp(s + d0, DIGITS_2_53, 16) > 0))) {
                snprintf(why, whysz, "integer %.*s%s is beyond 2^53 and would not be kept exactly; "
                         "write it as a string", (int)(nd > 24 ? 24 : nd + (d0 - at)), s + at,
                         nd > 24 ? "..." : "");
                return at + 1;
            }
            while (i < n && (is_digit(s[i]) || s[i] == '.' || s[i] == 'e' || s[i] == 'E' ||
                             s[i] == '+' || s[i] == '-'))
                i++;
            continue;
        }
        i++;
    }
    return 0;
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* the first key used twice in one object, at any depth (bounded by scan);
 * "" when out of memory, NULL when every key is unique */
static const char *dup_key(const cJSON *o)
{
    if (cJSON_IsObject(o) && o->child && o->child->next) {
        size_t n = 0, i = 0;
        for (const cJSON *c = o->child; c; c = c->next)
            n++;
        const char **k = malloc(n * sizeof *k);
        if (!k)
            return "";
        for (const cJSON *c = o->child; c; c = c->next)
            k[i++] = c->string ? c->string : "";
        qsort(k, n, sizeof *k, cmp_key);
        const char *d = NULL;
        for (i = 1; i < n && !d; i++)
            if (strcmp(k[i - 1], k[i]) == 0)
                d = k[i];
        free(k);
        if (d)
            return d;
    }
    if (cJSON_IsObject(o) || cJSON_IsArray(o))
        for (const cJSON *c = o->child; c; c = c->next) {
            const char *d = dup_key(c);
            if (d)
                return d;
        }
    return NULL;
}

cJSON *import_json_parse(const char *text, size_t len, uint64_t *line, char *why, size_t whysz)
{
    *line = 0;
    size_t bad = scan(text, len, why, whysz);
    if (bad) {
        *line = line_at(text, bad - 1);
        return NULL;
    }
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!j) {
        const char *stop = end ? end : cJSON_GetErrorPtr();
        *line = stop && stop >= text && stop <= text + len ? line_at(text, (size_t)(stop - text)) : 0;
        snprintf(why, whysz, "not valid JSON");
        return NULL;
    }
    size_t off = end && end >= text && end <= text + len ? (size_t)(end - text) : len;
    while (off < len && (text[off] == ' ' || text[off] == '\t' || text[off] == '\n' || text[off] == '\r'))
        off++;
    if (off < len) {
        cJSON_Delete(j);
        *line = line_at(text, off);
        snprintf(why, whysz, "text after the JSON value (two concatenated documents?)");
        return NULL;
    }
    const char *d = dup_key(j);
    if (d) {
        /* cJSON keeps no positions: the line of the key's second spelling
         * in the text, which is the duplicate unless the key also appears
         * elsewhere, as a value or in another object */
        *line = 0;
        size_t kn = strlen(d), seen = 0;
        for (size_t i = 0; *d && i + kn + 2 <= len && !*line; i++)
            if (text[i] == '"' && memcmp(text + i + 1, d, kn) == 0 && text[i + kn + 1] == '"' &&
                ++seen == 2)
                *line = line_at(text, i);
        if (*d)
            snprintf(why, whysz, "key \"%.100s\" twice in one JSON object", d);
        else
            snprintf(why, whysz, "out of memory");
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

int import_json_exact_numbers(cJSON *j)
{
    /* cJSON prints a number with 15 significant digits whenever reading
     * those back lands within one ulp-ish tolerance, so 9007199254740992
     * came out as 9.00719925474099e+15. A raw node with 17 digits (or the
     * plain integer) keeps every double exact through a print. */
    for (cJSON *e = j ? j->child : NULL; e; e = e->next) {
        if (cJSON_IsNumber(e)) {
            char buf[40];
            double d = e->valuedouble;
            if (!isfinite(d))
                continue;
            snprintf(buf, sizeof buf, "%1.15g", d);
            if (strtod(buf, NULL) == d)
                continue;
            if (d == floor(d) && fabs(d) <= 9007199254740992.0)
                snprintf(buf, sizeof buf, "%.0f", d);
            else
                snprintf(buf, sizeof buf, "%.17g", d);
            cJSON *raw = cJSON_CreateRaw(buf);
            /* the replacement carries the key itself (ViaPointer keeps none) */
            if (raw && e->string) {
                size_t kn = strlen(e->string) + 1;
                if ((raw->string = cJSON_malloc(kn)))
                    memcpy(raw->string, e->string, kn);
            }
            if (!raw || (e->string && !raw->string) || !cJSON_ReplaceItemViaPointer(j, e, raw)) {
                cJSON_Delete(raw);
                return SYNAPT_E_NOMEM;
            }
            e = raw;
        } else if (import_json_exact_numbers(e)) {
            return SYNAPT_E_NOMEM;
        }
    }
    return 0;
}
