/* layout_folder.c - annotation layout: a folder of videos, one class per subfolder. */
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


static int is_video_file(const char *name)
{
    static const char *const exts[] = { ".mp4", ".avi", ".webm", ".mkv", ".mov", ".m4v", ".mpg",
                                        ".mpeg", ".flv", ".wmv", ".ts", ".3gp", ".ogv", NULL };
    const char *dot = strrchr(name, '.');
    for (int i = 0; dot && exts[i]; i++)
        if (strcasecmp(dot, exts[i]) == 0)
            return 1;
    return 0;
}

typedef struct relpaths { char **v; size_t n, cap; } relpaths;

static int rp_push(relpaths *r, char *p)
{
    if (!p)
        return SYNAPT_E_NOMEM;
    if (r->n == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 256;
        char **nv = nc <= IMPORT_MAX_CLIPS ? realloc(r->v, nc * sizeof *nv) : NULL;
        if (!nv) {
            free(p);
            return SYNAPT_E_LIMIT;
        }
        r->v = nv;
        r->cap = nc;
    }
    r->v[r->n++] = p;
    return 0;
}

/* Videos directly in `dir` (rel "") and one level down (rel "<class>/"). */
static int collect_videos(relpaths *out, const char *root, const char *rel, int depth)
{
    char *dir = *rel ? import_path_join(root, rel) : strdup(root);
    if (!dir)
        return SYNAPT_E_NOMEM;
    DIR *d = opendir(dir);
    int rc = 0;
    if (!d) {
        free(dir);
        return 0;
    }
    struct dirent *e;
    while (!rc && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        size_t need = strlen(rel) + strlen(e->d_name) + 2;
        char *r = malloc(need);
        if (!r) {
            rc = SYNAPT_E_NOMEM;
            break;
        }
        snprintf(r, need, "%s%s", rel, e->d_name);
        char *full = import_path_join(root, r);
        int sub = full && depth > 0 && layout_is_dir(full);
        free(full);
        if (is_video_file(e->d_name)) {
            rc = rp_push(out, r);
        } else if (sub) {
            snprintf(r, need, "%s%s/", rel, e->d_name);
            rc = collect_videos(out, root, r, depth - 1);
            free(r);
        } else {
            free(r);
        }
    }
    closedir(d);
    free(dir);
    return rc;
}

int import_parse_folder(import_list *out, const import_options *o, const char *path,
                        char *err, size_t errsz)
{
    (void)o;
    relpaths rp = { NULL, 0, 0 };
    int rc = collect_videos(&rp, path, "", 1);
    if (!rc && rp.n == 0) {
        import_errf(err, errsz, path, 0, "no video files here or one folder down");
        rc = SYNAPT_E_INPUT;
    }
    if (!rc)
        qsort(rp.v, rp.n, sizeof *rp.v, layout_cmp_str);
    /* class folders, alphabetical, as torchvision's ImageFolder numbers them */
    char *prev = NULL;
    for (size_t i = 0; !rc && i < rp.n; i++) {
        const char *sl = strchr(rp.v[i], '/');
        if (!sl)
            continue;
        char *cls = strndup(rp.v[i], (size_t)(sl - rp.v[i]));
        if (!cls) {
            rc = SYNAPT_E_NOMEM;
            break;
        }
        if (!prev || strcmp(prev, cls) != 0)
            rc = import_list_add_class(out, cls);
        free(prev);
        prev = cls;
    }
    free(prev);
    for (size_t i = 0; !rc && i < rp.n; i++) {
        const char *sl = strchr(rp.v[i], '/');
        char *id = layout_strip_video_ext(rp.v[i]);
        char *full = import_path_join(path, rp.v[i]);
        import_clip *c;
        rc = id && full ? import_list_append(&c, out, id, path, 0) : SYNAPT_E_NOMEM;
        if (!rc && sl) {
            char *cls = strndup(rp.v[i], (size_t)(sl - rp.v[i]));
            rc = cls ? import_clip_add_label(c, cls) : SYNAPT_E_NOMEM;
            free(cls);
        }
        if (!rc) {
            c->video = full;
            full = NULL;
        }
        free(full);
        free(id);
    }
    if (rc && rc != SYNAPT_E_INPUT)
        import_errf(err, errsz, path, 0, "%s", synapt_strerror(rc));
    for (size_t i = 0; i < rp.n; i++)
        free(rp.v[i]);
    free(rp.v);
    return rc;
}
