/* layout_hmdb51.c - annotation layout: HMDB51 (<class>_test_splitN.txt). */
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


/* SynAPT's split lists: "talk/Faith_Rewarded_talk_h_nm_np1_fr_goo_46;0".
 * HMDB51 names are <source video>_<class>_<body>_<camera>_<people>_
 * <view>_<quality>_<clip>; clips cut from one source video share a group,
 * which is what a leak-free split must keep together. */
static int hmdb_split_entry(layout_split_entry *e, const char *path, int64_t label,
                            const char *root, char *why, size_t whysz)
{
    (void)label;
    (void)root;
    const char *sl = strchr(path, '/');
    size_t cl = sl ? (size_t)(sl - path) : 0;
    if (!sl || cl == 0 || cl + 3 >= sizeof e->cls || strchr(sl + 1, '/')) {
        snprintf(why, whysz, "expected class/video, got '%s'", path);
        return -1;
    }
    char tag[260];
    snprintf(tag, sizeof tag, "_%.*s_", (int)cl, path);
    const char *name = sl + 1, *hit = NULL;
    for (const char *q = name; (q = strstr(q, tag)); q++)
        hit = q;
    /* the six fields after the class: body, camera, people, view, quality, clip */
    int fields = 0;
    for (const char *q = hit ? hit + strlen(tag) - 1 : NULL; q && *q; q++)
        fields += *q == '_';
    size_t gl = hit ? (size_t)(hit - name) : 0;
    if (!hit || fields != 6 || gl == 0 || gl >= sizeof e->group) {
        snprintf(why, whysz, "'%s' does not match the HMDB51 name "
                 "<video>_%.*s_<body>_<camera>_<people>_<view>_<quality>_<clip>", name, (int)cl, path);
        return -1;
    }
    memcpy(e->cls, path, cl);
    e->cls[cl] = 0;
    memcpy(e->group, name, gl);
    e->group[gl] = 0;
    snprintf(e->group_key, sizeof e->group_key, "video");
    return 0;
}

static const layout_split_set hmdb_split_set = { "hmdb51", 51, NULL, NULL, NULL, NULL, hmdb_split_entry };

/* what every line of one <class>_test_splitN.txt shares */
typedef struct hmdb_ctx {
    import_list *out;
    const import_options *o;
    const char *path, *root, *cls;
    char *err;
    size_t errsz;
} hmdb_ctx;

/* "<video>.avi <tag>": tag 1 is train, 2 test, 0 not in this split */
static int hmdb_line(void *ctx, char *s, uint64_t lineno)
{
    const hmdb_ctx *x = ctx;
    char *sp = strpbrk(s, " \t");
    int64_t tag;
    if (!sp || (*sp = 0, import_parse_int(&tag, sp + 1, 0, 2)) != 0)
        return import_bad_entry(x->out, x->o, x->err, x->errsz, x->path, lineno, NULL,
                                "expected '<video>.avi <0|1|2>'");
    if (tag == 0)
        return 0;
    if (strchr(s, '/'))
        return import_bad_entry(x->out, x->o, x->err, x->errsz, x->path, lineno, NULL,
                                "video name '%s' holds a '/'", s);
    if (layout_video_leaves_root(x->o, x->cls, s))
        return import_bad_entry(x->out, x->o, x->err, x->errsz, x->path, lineno, NULL,
                                LAYOUT_LEAVES_ROOT, x->cls, "/", s);
    char *id = layout_stem_of(s);
    import_clip *c;
    int rc = id ? import_list_append(&c, x->out, id, x->path, lineno) : SYNAPT_E_NOMEM;
    free(id);
    if (!rc)
        rc = import_clip_add_label(c, x->cls);
    if (!rc)
        rc = layout_set_str(&c->split, tag == 1 ? "train" : "test");
    if (!rc)
        rc = layout_set_str(&c->source, "hmdb51");
    if (!rc)
        rc = layout_set_video(c, x->root, x->cls, s);
    if (rc)
        import_errf(x->err, x->errsz, x->path, lineno, "%s", synapt_strerror(rc));
    return rc;
}

int import_parse_hmdb51(import_list *out, const import_options *o, const char *path,
                        char *err, size_t errsz)
{
    if (layout_split_is_input(path))
        return layout_split_parse(out, o, path, &hmdb_split_set, err, errsz);
    import_options def = IMPORT_OPTIONS_INIT;
    if (!o)
        o = &def;
    int split = o->split_id ? o->split_id : 1;
    char suffix[32];
    snprintf(suffix, sizeof suffix, "_test_split%d.txt", split);
    size_t slen = strlen(suffix);
    char *dir = layout_is_dir(path) ? strdup(path) : import_path_dir(path);
    char *root = dir ? layout_root_for(o, dir) : NULL;
    char **files = NULL;
    size_t nfiles = 0, cap = 0;
    int rc = 0;
    if (!dir || !root) {
        rc = OOM(err, errsz, path);
        goto done;
    }
    if (split < 1 || split > 9) {
        import_errf(err, errsz, path, 0, "split id %d out of range 1..9", split);
        rc = SYNAPT_E_INVALID_ARG;
        goto done;
    }
    DIR *d = opendir(dir);
    if (!d) {
        import_errf(err, errsz, dir, 0, "cannot open folder");
        rc = SYNAPT_E_IO;
        goto done;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n <= slen || strcmp(e->d_name + n - slen, suffix) != 0)
            continue;
        if (nfiles == cap) {
            cap = cap ? cap * 2 : 64;
            char **nf = cap < 100000 ? realloc(files, cap * sizeof *nf) : NULL;
            if (!nf) {
                closedir(d);
                rc = OOM(err, errsz, dir);
                goto done;
            }
            files = nf;
        }
        if (!(files[nfiles] = strdup(e->d_name))) {
            closedir(d);
            rc = OOM(err, errsz, dir);
            goto done;
        }
        nfiles++;
    }
    closedir(d);
    if (nfiles == 0) {
        import_errf(err, errsz, dir, 0, "no *%s files", suffix);
        rc = SYNAPT_E_INPUT;
        goto done;
    }
    /* readdir order is arbitrary: sort so class ids are alphabetical, as
     * the HMDB51 distribution lists them, and output is reproducible */
    qsort(files, nfiles, sizeof *files, layout_cmp_str);
    for (size_t i = 0; i < nfiles; i++) {
        char *cls = strndup(files[i], strlen(files[i]) - slen);
        if (!cls || (rc = import_list_add_class(out, cls))) {
            free(cls);
            rc = OOM(err, errsz, dir);
            goto done;
        }
        char *fp = import_path_join(dir, files[i]);
        if (!fp) {
            free(cls);
            rc = OOM(err, errsz, dir);
            goto done;
        }
        hmdb_ctx x = { out, o, fp, root, cls, err, errsz };
        rc = layout_lines_each(out, o, fp, 64 << 20, hmdb_line, &x, err, errsz);
        free(fp);
        free(cls);
        if (rc)
            goto done;
    }
done:
    for (size_t i = 0; i < nfiles; i++)
        free(files[i]);
    free(files);
    free(root);
    free(dir);
    return rc;
}
