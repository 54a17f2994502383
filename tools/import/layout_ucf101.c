/* layout_ucf101.c - annotation layout: UCF101 (classInd.txt, trainlist/testlist). */
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


/* "v_ApplyEyeMakeup_g08_c01" -> group "g08"; 0 when absent */
static int ucf_group(char *out, size_t n, const char *stem)
{
    const char *g = strstr(stem, "_g");
    while (g) {
        const char *p = g + 2;
        size_t k = 0;
        while (isdigit((unsigned char)p[k]))
            k++;
        if (k > 0 && k < 8 && strncmp(p + k, "_c", 2) == 0) {
            snprintf(out, n, "g%.*s", (int)k, p);
            return 1;
        }
        g = strstr(g + 1, "_g");
    }
    return 0;
}

static int ucf_list(import_list *out, const import_options *o, const char *path,
                    const char *root, size_t class_first, size_t nclass, int train,
                    char *err, size_t errsz)
{
    char *buf = NULL, *line = NULL;
    size_t len;
    int rc = import_read_file(&buf, &len, path, 0, err, errsz);
    if (rc)
        return rc;
    line = malloc(IMPORT_MAX_LINE + 1);
    if (!line) {
        free(buf);
        return OOM(err, errsz, path);
    }
    import_lines it = { buf, len, 0, 0 };
    for (;;) {
        int r = import_lines_next(&it, line);
        if (r == 0)
            break;
        if (r < 0) {
            rc = import_bad_entry(out, o, err, errsz, path, it.lineno, NULL,
                                  "line too long or holds a NUL byte");
            if (rc)
                goto done;
            continue;
        }
        char *s = layout_trim(line);
        if (!*s)
            continue;
        char *sp = strpbrk(s, " \t");
        char *labtxt = NULL;
        if (sp) {
            *sp = 0;
            labtxt = layout_trim(sp + 1);
        }
        char *slash = strchr(s, '/');
        if (!slash || slash == s || !slash[1] || strchr(slash + 1, '/')) {
            rc = import_bad_entry(out, o, err, errsz, path, it.lineno, NULL,
                                  "expected Class/v_Class_gNN_cNN.avi, got '%s'", s);
            if (rc)
                goto done;
            continue;
        }
        *slash = 0;
        const char *cls = s, *file = slash + 1;
        long ci = layout_find_class(out, class_first, cls);
        if (ci < 0 || (size_t)ci >= nclass) {
            rc = import_bad_entry(out, o, err, errsz, path, it.lineno, NULL,
                                  "unknown class '%s'", cls);
            if (rc)
                goto done;
            continue;
        }
        if (labtxt && *labtxt) {
            int64_t lab;
            if (import_parse_int(&lab, labtxt, 1, (int64_t)nclass) != 0) {
                rc = import_bad_entry(out, o, err, errsz, path, it.lineno, NULL,
                                      "label '%s' is not a class index 1..%zu", labtxt, nclass);
                if (rc)
                    goto done;
                continue;
            }
            if (lab - 1 != ci) {
                rc = import_bad_entry(out, o, err, errsz, path, it.lineno, NULL,
                                      "label %lld is '%s' but the folder says '%s'",
                                      (long long)lab, out->classes[class_first + lab - 1], cls);
                if (rc)
                    goto done;
                continue;
            }
        } else if (train) {
            rc = import_bad_entry(out, o, err, errsz, path, it.lineno, NULL,
                                  "train list line has no class index");
            if (rc)
                goto done;
            continue;
        }
        char *id = layout_stem_of(file);
        if (!id) {
            rc = OOM(err, errsz, path);
            goto done;
        }
        import_clip *c;
        char grp[16];
        rc = import_list_append(&c, out, id, path, it.lineno);
        free(id);
        if (!rc)
            rc = import_clip_add_label(c, out->classes[class_first + ci]);
        if (!rc)
            rc = layout_set_str(&c->split, train ? "train" : "test");
        if (!rc)
            rc = layout_set_str(&c->source, "ucf101");
        if (!rc && ucf_group(grp, sizeof grp, file))
            rc = import_clip_add_group(c, "group", grp);
        if (!rc)
            rc = layout_set_video(c, root, cls, file);
        if (rc) {
            import_errf(err, errsz, path, it.lineno, "%s", synapt_strerror(rc));
            goto done;
        }
    }
done:
    free(line);
    free(buf);
    return rc;
}

/* SynAPT's split lists: "ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01;0" */
static int ucf_split_entry(layout_split_entry *e, const char *path, int64_t label,
                           const char *root, char *why, size_t whysz)
{
    (void)label;
    (void)root;
    const char *sl = strchr(path, '/');
    size_t cl = sl ? (size_t)(sl - path) : 0;
    char want[300];
    if (!sl || cl == 0 || cl >= sizeof e->cls || strchr(sl + 1, '/')) {
        snprintf(why, whysz, "expected Class/v_Class_gNN_cNN, got '%s'", path);
        return -1;
    }
    snprintf(want, sizeof want, "v_%.*s_g", (int)cl, path);
    /* case-blind: UCF101's own files name HandstandPushups/v_HandStandPushups_* */
    if (strncasecmp(sl + 1, want, strlen(want)) != 0 ||
        !ucf_group(e->group, sizeof e->group, sl + 1)) {
        snprintf(why, whysz, "'%s' does not match the UCF101 name v_%.*s_gNN_cNN", sl + 1,
                 (int)cl, path);
        return -1;
    }
    memcpy(e->cls, path, cl);
    e->cls[cl] = 0;
    snprintf(e->group_key, sizeof e->group_key, "group");
    return 0;
}

static const layout_split_set ucf_split_set = { "ucf101", 101, NULL, NULL, NULL, NULL, ucf_split_entry };

int import_parse_ucf101(import_list *out, const import_options *o, const char *path,
                        char *err, size_t errsz)
{
    if (layout_split_is_input(path))
        return layout_split_parse(out, o, path, &ucf_split_set, err, errsz);
    import_options def = IMPORT_OPTIONS_INIT;
    if (!o)
        o = &def;
    char *dir = layout_is_dir(path) ? strdup(path) : import_path_dir(path);
    char *cpath = dir ? import_path_join(dir, "classInd.txt") : NULL;
    char *root = dir ? layout_root_for(o, dir) : NULL;
    char *buf = NULL, *line = malloc(IMPORT_MAX_LINE + 1);
    int rc = 0;
    if (!dir || !cpath || !root || !line) {
        rc = OOM(err, errsz, path);
        goto done;
    }
    int split = o->split_id ? o->split_id : 1;
    if (split < 1 || split > 9) {
        import_errf(err, errsz, path, 0, "split id %d out of range 1..9", split);
        rc = SYNAPT_E_INVALID_ARG;
        goto done;
    }
    size_t len;
    if ((rc = import_read_file(&buf, &len, cpath, 1 << 20, err, errsz)))
        goto done;
    size_t first = out->class_count;
    import_lines it = { buf, len, 0, 0 };
    int r;
    while ((r = import_lines_next(&it, line)) != 0) {
        if (r < 0) {
            import_errf(err, errsz, cpath, it.lineno, "line too long or holds a NUL byte");
            rc = SYNAPT_E_INPUT;
            goto done;
        }
        char *s = layout_trim(line);
        if (!*s)
            continue;
        char *sp = strpbrk(s, " \t");
        int64_t idx;
        if (!sp || (*sp = 0, import_parse_int(&idx, s, 1, 100000)) != 0) {
            import_errf(err, errsz, cpath, it.lineno, "expected '<index> <ClassName>'");
            rc = SYNAPT_E_INPUT;
            goto done;
        }
        char *name = layout_trim(sp + 1);
        if (!*name || strpbrk(name, " \t/")) {
            import_errf(err, errsz, cpath, it.lineno, "bad class name '%s'", name);
            rc = SYNAPT_E_INPUT;
            goto done;
        }
        if ((size_t)idx != out->class_count - first + 1) {
            import_errf(err, errsz, cpath, it.lineno,
                        "class index %lld out of order (expected %zu)", (long long)idx,
                        out->class_count - first + 1);
            rc = SYNAPT_E_INPUT;
            goto done;
        }
        if (layout_find_class(out, first, name) >= 0) {
            import_errf(err, errsz, cpath, it.lineno, "class '%s' listed twice", name);
            rc = SYNAPT_E_INPUT;
            goto done;
        }
        if ((rc = import_list_add_class(out, name))) {
            import_errf(err, errsz, cpath, it.lineno, "%s", synapt_strerror(rc));
            goto done;
        }
    }
    size_t nclass = out->class_count - first;
    if (nclass == 0) {
        import_errf(err, errsz, cpath, 0, "no classes");
        rc = SYNAPT_E_INPUT;
        goto done;
    }
    for (int train = 1; train >= 0; train--) {
        char name[32];
        snprintf(name, sizeof name, "%s%02d.txt", train ? "trainlist" : "testlist", split);
        char *lp = import_path_join(dir, name);
        if (!lp) {
            rc = OOM(err, errsz, path);
            goto done;
        }
        if (!layout_is_file(lp)) {
            /* a folder with only the test list (or only train) is still usable */
            free(lp);
            continue;
        }
        rc = ucf_list(out, o, lp, root, first, nclass, train, err, errsz);
        free(lp);
        if (rc)
            goto done;
    }
done:
    free(line);
    free(buf);
    free(root);
    free(cpath);
    free(dir);
    return rc;
}
