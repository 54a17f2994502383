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

/* what every line of one trainlistNN.txt / testlistNN.txt shares */
typedef struct ucf_ctx {
    import_list *out;
    const import_options *o;
    const char *path, *root;
    size_t class_first, nclass;
    int train;
    char *err;
    size_t errsz;
} ucf_ctx;

/* "Class/v_Class_gNN_cNN.avi <index>", the index only in train lists */
static int ucf_line(void *ctx, char *s, uint64_t lineno)
{
    const ucf_ctx *x = ctx;
    import_list *out = x->out;
    const char *path = x->path;
    size_t class_first = x->class_first, nclass = x->nclass;
    char *sp = strpbrk(s, " \t");
    char *labtxt = NULL;
    if (sp) {
        *sp = 0;
        labtxt = layout_trim(sp + 1);
    }
    char *slash = strchr(s, '/');
    if (!slash || slash == s || !slash[1] || strchr(slash + 1, '/'))
        return import_bad_entry(out, x->o, x->err, x->errsz, path, lineno, NULL,
                                "expected Class/v_Class_gNN_cNN.avi, got '%s'", s);
    *slash = 0;
    const char *cls = s, *file = slash + 1;
    long ci = layout_find_class(out, class_first, cls);
    if (ci < 0 || (size_t)ci >= nclass)
        return import_bad_entry(out, x->o, x->err, x->errsz, path, lineno, NULL,
                                "unknown class '%s'", cls);
    if (labtxt && *labtxt) {
        int64_t lab;
        if (import_parse_int(&lab, labtxt, 1, (int64_t)nclass) != 0)
            return import_bad_entry(out, x->o, x->err, x->errsz, path, lineno, NULL,
                                    "label '%s' is not a class index 1..%zu", labtxt, nclass);
        if (lab - 1 != ci)
            return import_bad_entry(out, x->o, x->err, x->errsz, path, lineno, NULL,
                                    "label %lld is '%s' but the folder says '%s'",
                                    (long long)lab, out->classes[class_first + lab - 1], cls);
    } else if (x->train) {
        return import_bad_entry(out, x->o, x->err, x->errsz, path, lineno, NULL,
                                "train list line has no class index");
    }
    if (layout_video_leaves_root(x->o, cls, file))
        return import_bad_entry(out, x->o, x->err, x->errsz, path, lineno, NULL, LAYOUT_LEAVES_ROOT,
                                cls, "/", file);
    char *id = layout_stem_of(file);
    if (!id)
        return OOM(x->err, x->errsz, path);
    import_clip *c;
    char grp[16];
    int rc = import_list_append(&c, out, id, path, lineno);
    free(id);
    if (!rc)
        rc = import_clip_add_label(c, out->classes[class_first + ci]);
    if (!rc)
        rc = layout_set_str(&c->split, x->train ? "train" : "test");
    if (!rc)
        rc = layout_set_str(&c->source, "ucf101");
    if (!rc && ucf_group(grp, sizeof grp, file))
        rc = import_clip_add_group(c, "group", grp);
    if (!rc)
        rc = layout_set_video(c, x->root, cls, file);
    if (rc)
        import_errf(x->err, x->errsz, path, lineno, "%s", synapt_strerror(rc));
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
        ucf_ctx x = { out, o, lp, root, first, nclass, train, err, errsz };
        rc = layout_lines_each(out, o, lp, 0, ucf_line, &x, err, errsz);
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
