/* layout_common.c - helpers shared by the annotation-layout parsers
 * (layout_*.c): paths, names, class lookup, JSON arrays with line numbers. */
#include "layout_common.h"
#include <cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define OOM(err, errsz, file) \
    (import_errf((err), (errsz), (file), 0, "out of memory"), SYNAPT_E_NOMEM)

int layout_set_str(char **dst, const char *s)
{
    char *d = s ? strdup(s) : NULL;
    if (s && !d)
        return SYNAPT_E_NOMEM;
    free(*dst);
    *dst = d;
    return 0;
}

int layout_is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int layout_is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

char *layout_trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = 0;
    return s;
}

/* The root videos live under: --root, else the annotation's folder. */
char *layout_root_for(const import_options *o, const char *ann_dir)
{
    return strdup(o && o->root && *o->root ? o->root : ann_dir);
}

long layout_find_class(const import_list *l, size_t first, const char *name)
{
    for (size_t i = first; i < l->class_count; i++)
        if (strcmp(l->classes[i], name) == 0)
            return (long)(i - first);
    return -1;
}

/* The file part of a path without a known video extension, malloc'd. */
char *layout_stem_of(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strlen(b);
    static const char *const exts[] = { ".avi", ".mp4", ".webm", ".mkv", ".mov", ".m4v", NULL };
    for (int i = 0; exts[i]; i++) {
        size_t e = strlen(exts[i]);
        if (n > e && strcasecmp(b + n - e, exts[i]) == 0) {
            n -= e;
            break;
        }
    }
    return strndup(b, n);
}

/* path without a known video extension, malloc'd */
char *layout_strip_video_ext(const char *path)
{
    char *s = layout_stem_of(path);
    if (!s)
        return NULL;
    const char *b = strrchr(path, '/');
    size_t dirlen = b ? (size_t)(b - path) + 1 : 0;
    char *r = malloc(dirlen + strlen(s) + 1);
    if (r) {
        memcpy(r, path, dirlen);
        strcpy(r + dirlen, s);
    }
    free(s);
    return r;
}

/* 1 when a folder or dataset id read from an annotation file would put
 * root/sub/name (or the flat root/name) outside the root: the rule every
 * other path of a listing follows, unless --allow-outside-paths. Callers
 * refuse the entry with LAYOUT_LEAVES_ROOT before building the clip. */
int layout_video_leaves_root(const import_options *o, const char *sub, const char *name)
{
    if (o->allow_outside_paths)
        return 0;
    return (sub && import_path_escapes(sub)) || import_path_escapes(name);
}

/* Video at root/sub/name with root/name as the flat alternative. */
int layout_set_video(import_clip *c, const char *root, const char *sub, const char *name)
{
    char *a = sub && *sub ? import_path_join(root, sub) : strdup(root);
    if (!a)
        return SYNAPT_E_NOMEM;
    char *v = import_path_join(a, name);
    free(a);
    char *alt = sub && *sub ? import_path_join(root, name) : NULL;
    if (!v || (sub && *sub && !alt)) {
        free(v);
        free(alt);
        return SYNAPT_E_NOMEM;
    }
    free(c->video);
    free(c->video_alt);
    c->video = v;
    c->video_alt = alt;
    return 0;
}

int layout_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Line of each element of a top-level JSON array, so messages can say
 * "validation.json:37:" like the line-based layouts. A byte scan that
 * follows strings and nesting; called only on text cJSON has accepted. */
int layout_json_element_lines(uint64_t **out, size_t *n, const char *buf, size_t len)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    uint64_t line = 1;
    int depth = 0, in_str = 0, esc = 0, want = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = buf[i];
        if (ch == '\n')
            line++;
        if (in_str) {
            if (esc)
                esc = 0;
            else if (ch == '\\')
                esc = 1;
            else if (ch == '"')
                in_str = 0;
            continue;
        }
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')
            continue;
        if (want && depth == 1 && ch != ']') {
            if (*n == cap) {
                cap = cap ? cap * 2 : 1024;
                uint64_t *nl = realloc(*out, cap * sizeof *nl);
                if (!nl)
                    return SYNAPT_E_NOMEM;
                *out = nl;
            }
            (*out)[(*n)++] = line;
        }
        want = 0;
        if (ch == '"')
            in_str = 1;
        else if (ch == '[' || ch == '{')
            want = ++depth == 1 && ch == '[';
        else if (ch == ']' || ch == '}')
            depth--;
        else if (ch == ',' && depth == 1)
            want = 1;
    }
    return 0;
}

cJSON *layout_read_json(const char *path, char *err, size_t errsz, int *rc, uint64_t **lines,
                        size_t *nlines)
{
    char *buf = NULL;
    size_t len;
    if (lines) {
        *lines = NULL;
        *nlines = 0;
    }
    *rc = import_read_file(&buf, &len, path, 0, err, errsz);
    if (*rc)
        return NULL;
    uint64_t lineno;
    char why[256];
    cJSON *j = import_json_parse(buf, len, &lineno, why, sizeof why);
    if (!j) {
        import_errf(err, errsz, path, lineno, "%s", strcmp(why, "not valid JSON") ? why : "invalid JSON");
        *rc = SYNAPT_E_INPUT;
    } else if (lines && layout_json_element_lines(lines, nlines, buf, len)) {
        cJSON_Delete(j);
        j = NULL;
        import_errf(err, errsz, path, 0, "out of memory");
        *rc = SYNAPT_E_NOMEM;
    }
    free(buf);
    return j;
}

char *layout_find_in_dir(const char *dir, const char *const *names)
{
    for (int i = 0; names[i]; i++) {
        char *p = import_path_join(dir, names[i]);
        if (p && layout_is_file(p))
            return p;
        free(p);
    }
    return NULL;
}

int layout_json_each(const char *path, layout_json_fn fn, void *ctx, char *err, size_t errsz)
{
    int rc;
    uint64_t *lines = NULL;
    size_t nlines = 0;
    cJSON *j = layout_read_json(path, err, errsz, &rc, &lines, &nlines);
    if (!j)
        return rc;
    if (!cJSON_IsArray(j)) {
        import_errf(err, errsz, path, 0, "expected a JSON array of clips");
        rc = SYNAPT_E_INPUT;
    }
    size_t k = 0;
    for (const cJSON *e = rc ? NULL : j->child; e && !rc; e = e->next, k++)
        rc = fn(ctx, e, k, k < nlines ? lines[k] : 0);
    cJSON_Delete(j);
    free(lines);
    return rc;
}

int layout_lines_each(import_list *out, const import_options *o, const char *path, size_t cap,
                      layout_line_fn fn, void *ctx, char *err, size_t errsz)
{
    char *buf = NULL, *line = NULL;
    size_t len;
    int rc = import_read_file(&buf, &len, path, cap, err, errsz);
    if (rc)
        return rc;
    line = malloc(IMPORT_MAX_LINE + 1);
    if (!line) {
        free(buf);
        return OOM(err, errsz, path);
    }
    import_lines it = { buf, len, 0, 0 };
    int r;
    while (!rc && (r = import_lines_next(&it, line)) != 0) {
        if (r < 0) {
            rc = import_bad_entry(out, o, err, errsz, path, it.lineno, NULL,
                                  "line too long or holds a NUL byte");
            continue;
        }
        char *s = layout_trim(line);
        if (*s)
            rc = fn(ctx, s, it.lineno);
    }
    free(line);
    free(buf);
    return rc;
}
