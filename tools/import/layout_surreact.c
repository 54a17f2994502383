/* layout_surreact.c - annotation layout: a SURREACT/SURREAL tree of clips
 * with their _info.mat files. */
#include "layout_common.h"
#include <cJSON.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct strvec { char **v; size_t n, cap; } strvec;

static int sv_push(strvec *s, char *p)
{
    if (!p)
        return SYNAPT_E_NOMEM;
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 256;
        char **nv = nc <= IMPORT_MAX_CLIPS ? realloc(s->v, nc * sizeof *nv) : NULL;
        if (!nv) {
            free(p);
            return SYNAPT_E_NOMEM;
        }
        s->v = nv;
        s->cap = nc;
    }
    s->v[s->n++] = p;
    return 0;
}

static int find_info(strvec *out, const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int rc = 0;
    struct dirent *e;
    while (!rc && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *p = import_path_join(dir, e->d_name);
        if (!p) {
            rc = SYNAPT_E_NOMEM;
            break;
        }
        size_t l = strlen(e->d_name);
        struct stat st;
        if (l > 9 && strcmp(e->d_name + l - 9, "_info.mat") == 0) {
            rc = sv_push(out, p);
            continue;
        }
        if (depth > 0 && stat(p, &st) == 0 && S_ISDIR(st.st_mode))
            rc = find_info(out, p, depth - 1);
        free(p);
    }
    closedir(d);
    return rc;
}

static int file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int import_parse_surreact(import_list *out, const import_options *o, const char *path,
                          char *err, size_t errsz)
{
    import_options def = IMPORT_OPTIONS_INIT;
    if (!o)
        o = &def;
    strvec files = { 0 };
    int rc = 0;
    struct stat st;
    if (stat(path, &st) != 0) {
        import_errf(err, errsz, path, 0, "cannot open");
        return SYNAPT_E_IO;
    }
    if (S_ISDIR(st.st_mode))
        rc = find_info(&files, path, 4);
    else
        rc = sv_push(&files, strdup(path));
    if (rc)
        goto done;
    if (files.n == 0) {
        import_errf(err, errsz, path, 0, "no *_info.mat files (searched 4 levels deep)");
        rc = SYNAPT_E_INPUT;
        goto done;
    }
    qsort(files.v, files.n, sizeof *files.v, cmp_str);
    for (size_t i = 0; i < files.n && !rc; i++) {
        const char *info = files.v[i];
        size_t l = strlen(info);
        if (l < 9 || strcmp(info + l - 9, "_info.mat") != 0) {
            import_errf(err, errsz, info, 0, "expected a <clip>_info.mat file");
            rc = SYNAPT_E_INPUT;
            break;
        }
        char *base = strndup(info, l - 9);
        char *segm = NULL, *depth = NULL, *video = NULL;
        if (base) {
            size_t bl = strlen(base);
            segm = malloc(bl + 16);
            depth = malloc(bl + 16);
            video = malloc(bl + 16);
            if (segm && depth && video) {
                sprintf(segm, "%s_segm.mat", base);
                sprintf(depth, "%s_depth.mat", base);
                sprintf(video, "%s.mp4", base);
            }
        }
        const char *slash = base ? strrchr(base, '/') : NULL;
        const char *id = slash ? slash + 1 : base;
        import_clip *c = NULL;
        rc = base && segm && depth && video ? import_list_append(&c, out, id, info, 0) : SYNAPT_E_NOMEM;
        if (!rc && o->root && *o->root) {
            /* videos elsewhere: same file name under the root */
            char vn[512];
            snprintf(vn, sizeof vn, "%s.mp4", id);
            free(video);
            video = import_path_join(o->root, vn);
            if (!video)
                rc = SYNAPT_E_NOMEM;
        }
        if (!rc) {
            c->video = video;
            video = NULL;
            c->synthetic = 1;
            c->source = strdup("surreact");
            c->pose2d.path = strdup(info);
            c->pose3d.path = strdup(info);
            c->pose2d.kind = c->pose3d.kind = IMPORT_SC_MAT;
            c->pose2d.skeleton = c->pose3d.skeleton = SYNAPT_SKELETON_SMPL24;
            if (!c->source || !c->pose2d.path || !c->pose3d.path)
                rc = SYNAPT_E_NOMEM;
        }
        if (!rc && file_exists(depth)) {
            c->depth.path = depth;
            depth = NULL;
            c->depth.kind = IMPORT_SC_MAT;
            c->depth.inner = strdup("depth");
            if (!c->depth.inner)
                rc = SYNAPT_E_NOMEM;
        }
        if (!rc && file_exists(segm)) {
            c->mask.path = segm;
            segm = NULL;
            c->mask.kind = IMPORT_SC_MAT;
            c->mask.inner = strdup("segm");
            if (!c->mask.inner)
                rc = SYNAPT_E_NOMEM;
        }
        /* SURREACT names carry the NTU sample ("S011C003P025R001A057_v315_r00"):
         * label and performer come from it when present */
        import_ntu_name nm;
        if (!rc && id && import_ntu_parse_name(&nm, id) == 0 && import_ntu_action_name(nm.action)) {
            char g[16];
            rc = import_clip_add_label(c, import_ntu_action_name(nm.action));
            snprintf(g, sizeof g, "P%03d", nm.performer);
            if (!rc)
                rc = import_clip_add_group(c, "performer", g);
        }
        if (!rc) {
            char *m = NULL;
            int r2 = import_surreal_info_read(NULL, NULL, &m, info, err, errsz);
            if (r2) {
                char why[512];
                snprintf(why, sizeof why, "%s", err && *err ? err : "unreadable _info.mat");
                char *idc = strdup(id);
                import_list_pop(out);
                /* the message already names the file: keep it whole */
                rc = import_bad_entry(out, o, err, errsz, NULL, 0, idc, "%s", why);
                free(idc);
            } else {
                c->meta_json = m;
            }
        }
        if (rc == SYNAPT_E_NOMEM)
            import_errf(err, errsz, info, 0, "out of memory");
        free(base);
        free(segm);
        free(depth);
        free(video);
    }
done:
    for (size_t i = 0; i < files.n; i++)
        free(files.v[i]);
    free(files.v);
    return rc;
}
