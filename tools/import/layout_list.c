/* layout_list.c - annotation layout: plain "path label" lists (SynAPT and its training code). */
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


/* Class names, one per line; blank lines skipped, surrounding spaces trimmed
 * (SynAPT's syn_labels.txt has trailing spaces and no final newline). */
int layout_read_labels_file(import_list *out, const char *path, char *err, size_t errsz)
{
    char *buf = NULL, *line = malloc(IMPORT_MAX_LINE + 1);
    size_t len;
    int rc = line ? import_read_file(&buf, &len, path, 64 << 20, err, errsz) : SYNAPT_E_NOMEM;
    size_t first = out->class_count;
    import_lines it = { buf, buf ? len : 0, 0, 0 };
    int r;
    while (!rc && (r = import_lines_next(&it, line)) != 0) {
        if (r < 0) {
            import_errf(err, errsz, path, it.lineno, "line too long or holds a NUL byte");
            rc = SYNAPT_E_INPUT;
            break;
        }
        char *s = layout_trim(line);
        if (!*s)
            continue;
        if (layout_find_class(out, first, s) >= 0) {
            import_errf(err, errsz, path, it.lineno, "class '%s' listed twice", s);
            rc = SYNAPT_E_INPUT;
            break;
        }
        rc = import_list_add_class(out, s);
    }
    free(line);
    free(buf);
    return rc;
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

int import_parse_list(import_list *out, const import_options *o, const char *path,
                      char *err, size_t errsz)
{
    import_options def = IMPORT_OPTIONS_INIT;
    if (!o)
        o = &def;
    char *dir = import_path_dir(path);
    char *root = dir ? layout_root_for(o, dir) : NULL;
    char *buf = NULL, *line = malloc(IMPORT_MAX_LINE + 1);
    int rc = 0;
    if (!dir || !root || !line) {
        rc = OOM(err, errsz, path);
        goto done;
    }
    size_t first = out->class_count;
    if (o->labels_file && (rc = layout_read_labels_file(out, o->labels_file, err, errsz)))
        goto done;
    size_t nclass = out->class_count - first;
    size_t len;
    if ((rc = import_read_file(&buf, &len, path, 0, err, errsz)))
        goto done;
    import_lines it = { buf, len, 0, 0 };
    int r;
    while ((r = import_lines_next(&it, line)) != 0) {
        if (r < 0) {
            if ((rc = import_bad_entry(out, o, err, errsz, path, it.lineno, NULL,
                                       "line too long or holds a NUL byte")))
                goto done;
            continue;
        }
        char *s = layout_trim(line);
        if (!*s || *s == '#')
            continue;
        char *vpath = s, *label = NULL;
        int64_t start = -1, end = -1;
        if (strchr(s, ';')) {
            /* path;label  or  path;start;end;label */
            char *f[8];
            int n = import_csv_split(s, ';', f, 8);
            if (n == 2) {
                vpath = f[0];
                label = f[1];
            } else if (n == 4 && import_parse_int(&start, f[1], 0, IMPORT_MAX_FRAMES) == 0 &&
                       import_parse_int(&end, f[2], 0, IMPORT_MAX_FRAMES) == 0 && end > start) {
                vpath = f[0];
                label = f[3];
            } else {
                if ((rc = import_bad_entry(out, o, err, errsz, path, it.lineno, NULL,
                                           "expected 'path;label' or 'path;start;end;label' "
                                           "with integer frames start < end")))
                    goto done;
                continue;
            }
        } else {
            /* "path label" when the last token is a class index, else the
             * whole line is "class/clip" (class names may hold spaces) */
            char *sp = strrchr(s, ' ');
            char *tab = strrchr(s, '\t');
            if (tab > sp)
                sp = tab;
            if (sp && all_digits(sp + 1)) {
                label = sp + 1;
                *sp = 0;
                vpath = layout_trim(s);
            }
        }
        vpath = layout_trim(vpath);
        if (label)
            label = layout_trim(label);
        if (!*vpath || (label && !*label)) {
            if ((rc = import_bad_entry(out, o, err, errsz, path, it.lineno, NULL,
                                       "empty path or label")))
                goto done;
            continue;
        }
        if (!o->allow_outside_paths && import_path_escapes(vpath)) {
            if ((rc = import_bad_entry(out, o, err, errsz, path, it.lineno, NULL,
                                       "path '%s' leaves the root (absolute or '..'); "
                                       "--allow-outside-paths accepts it", vpath)))
                goto done;
            continue;
        }
        char numbuf[32];
        const char *name = NULL;
        if (label && all_digits(label)) {
            int64_t idx;
            if (nclass) {
                if (import_parse_int(&idx, label, 0, (int64_t)nclass - 1)) {
                    if ((rc = import_bad_entry(out, o, err, errsz, path, it.lineno, NULL,
                                               "class index %s outside the labels file (0..%zu)",
                                               label, nclass - 1)))
                        goto done;
                    continue;
                }
                name = out->classes[first + (size_t)idx];
            } else {
                snprintf(numbuf, sizeof numbuf, "%s", label);
                name = numbuf;
            }
        } else if (label) {
            name = label;
        } else {
            /* class/clip: the class is the folder holding the clip */
            char *sl = strrchr(vpath, '/');
            if (!sl || sl == vpath || !sl[1] || sl[-1] == '/') {
                if ((rc = import_bad_entry(out, o, err, errsz, path, it.lineno, NULL,
                                           "expected 'class/clip', 'path label', 'path;label' "
                                           "or 'path;start;end;label'")))
                    goto done;
                continue;
            }
        }
        char *cls = NULL;
        if (!label) {
            char *sl = strrchr(vpath, '/');
            const char *cl = vpath;
            for (const char *p = vpath; p < sl; p++)
                if (*p == '/')
                    cl = p + 1;
            cls = strndup(cl, (size_t)(sl - cl));
            name = cls;
        }
        if (!name) {
            rc = OOM(err, errsz, path);
            goto done;
        }
        if (nclass && layout_find_class(out, first, name) < 0) {
            rc = import_bad_entry(out, o, err, errsz, path, it.lineno, NULL,
                                  "unknown class '%s' (not in %s)", name, o->labels_file);
            free(cls);
            if (rc)
                goto done;
            continue;
        }
        char *id = layout_strip_video_ext(vpath);
        char *full = import_path_join(root, vpath);
        import_clip *c;
        rc = id && full ? import_list_append(&c, out, id, path, it.lineno) : SYNAPT_E_NOMEM;
        if (!rc)
            rc = import_clip_add_label(c, name);
        if (!rc) {
            c->video = full;
            full = NULL;
            c->start_frame = start;
            c->end_frame = end;
        }
        free(full);
        free(id);
        free(cls);
        if (rc) {
            import_errf(err, errsz, path, it.lineno, "%s", synapt_strerror(rc));
            goto done;
        }
    }
done:
    free(line);
    free(buf);
    free(root);
    free(dir);
    return rc;
}
