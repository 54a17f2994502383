/* layout_ntu.c - annotation layout: NTU RGB+D, a folder of .skeleton files
 * named SsssCcccPpppRrrrAaaa (the list of samples with missing skeletons
 * named SsssCcccPpppRrrrAaaa, with the list of samples with missing
 * skeletons honoured. */
#include "layout_common.h"
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>


static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

/* The official missing-skeleton list: one sample name per line. */
static int read_missing(char ***names, size_t *n, const char *path, char *err, size_t errsz)
{
    char *buf = NULL, *line = malloc(IMPORT_MAX_LINE + 1);
    size_t len, cap = 0;
    *names = NULL;
    *n = 0;
    int rc = line ? import_read_file(&buf, &len, path, 16 << 20, err, errsz) : SYNAPT_E_NOMEM;
    import_lines it = { buf, buf ? len : 0, 0, 0 };
    int r;
    while (!rc && (r = import_lines_next(&it, line)) != 0) {
        import_ntu_name nm;
        char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        size_t k = strlen(s);
        while (k && (s[k - 1] == ' ' || s[k - 1] == '\t'))
            s[--k] = 0;
        if (!*s)
            continue;
        if (r < 0 || import_ntu_parse_name(&nm, s) || k != 20) {
            import_errf(err, errsz, path, it.lineno, "expected a sample name like S001C002P005R002A008");
            rc = SYNAPT_E_INPUT;
            break;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 512;
            char **nn = realloc(*names, cap * sizeof *nn);
            if (!nn) {
                rc = SYNAPT_E_NOMEM;
                break;
            }
            *names = nn;
        }
        if (!((*names)[*n] = strdup(s))) {
            rc = SYNAPT_E_NOMEM;
            break;
        }
        (*n)++;
    }
    if (!rc && *n)
        qsort(*names, *n, sizeof **names, cmp_str);
    free(line);
    free(buf);
    return rc;
}

static int add_sample(import_list *out, const char *file, const char *root, const char *name20,
                      const import_ntu_name *nm, char *err, size_t errsz)
{
    import_clip *c;
    char g[16], vid[64];
    int rc = import_list_append(&c, out, name20, file, 0);
    const char *act = import_ntu_action_name(nm->action);
    if (!rc)
        rc = import_clip_add_label(c, act);
    if (!rc)
        rc = (c->source = strdup("ntu")) ? 0 : SYNAPT_E_NOMEM;
    snprintf(g, sizeof g, "P%03d", nm->performer);
    if (!rc)
        rc = import_clip_add_group(c, "performer", g);
    snprintf(g, sizeof g, "S%03d", nm->setup);
    if (!rc)
        rc = import_clip_add_group(c, "setup", g);
    snprintf(g, sizeof g, "C%03d", nm->camera);
    if (!rc)
        rc = import_clip_add_group(c, "camera", g);
    snprintf(vid, sizeof vid, "%s_rgb.avi", name20);
    if (!rc && !(c->video = import_path_join(root, vid)))
        rc = SYNAPT_E_NOMEM;
    if (!rc && !(c->video_alt = import_path_join(root, name20)))
        rc = SYNAPT_E_NOMEM;
    if (!rc) {
        char meta[160];
        snprintf(meta, sizeof meta,
                 "{\"setup\":%d,\"camera\":%d,\"performer\":%d,\"replication\":%d,\"action\":%d}",
                 nm->setup, nm->camera, nm->performer, nm->replication, nm->action);
        rc = (c->meta_json = strdup(meta)) ? 0 : SYNAPT_E_NOMEM;
    }
    if (!rc) {
        c->pose3d.path = strdup(file);
        c->pose2d.path = strdup(file);
        c->pose3d.kind = c->pose2d.kind = IMPORT_SC_NTU_SKELETON;
        c->pose3d.skeleton = c->pose2d.skeleton = SYNAPT_SKELETON_NTU25;
        if (!c->pose3d.path || !c->pose2d.path)
            rc = SYNAPT_E_NOMEM;
    }
    if (rc)
        import_errf(err, errsz, file, 0, "%s", synapt_strerror(rc));
    return rc;
}

int import_parse_ntu(import_list *out, const import_options *o, const char *path,
                     char *err, size_t errsz)
{
    import_options def = IMPORT_OPTIONS_INIT;
    if (!o)
        o = &def;
    struct stat st;
    if (stat(path, &st) != 0) {
        import_errf(err, errsz, path, 0, "cannot open: %s", strerror(errno));
        return SYNAPT_E_IO;
    }
    int isdir = S_ISDIR(st.st_mode);
    char *dir = isdir ? strdup(path) : import_path_dir(path);
    char *root = dir ? strdup(o->root && *o->root ? o->root : dir) : NULL;
    char **files = NULL, **missing = NULL;
    size_t nfiles = 0, cap = 0, nmissing = 0;
    int rc = 0;
    if (!dir || !root) {
        rc = SYNAPT_E_NOMEM;
        goto done;
    }
    if (o->missing_list && (rc = read_missing(&missing, &nmissing, o->missing_list, err, errsz)))
        goto done;
    if (isdir) {
        DIR *d = opendir(path);
        if (!d) {
            import_errf(err, errsz, path, 0, "cannot open folder: %s", strerror(errno));
            rc = SYNAPT_E_IO;
            goto done;
        }
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!ends_with(e->d_name, ".skeleton"))
                continue;
            if (nfiles == cap) {
                cap = cap ? cap * 2 : 256;
                char **nf = cap <= IMPORT_MAX_CLIPS ? realloc(files, cap * sizeof *nf) : NULL;
                if (!nf) {
                    closedir(d);
                    rc = SYNAPT_E_NOMEM;
                    goto done;
                }
                files = nf;
            }
            if (!(files[nfiles] = strdup(e->d_name))) {
                closedir(d);
                rc = SYNAPT_E_NOMEM;
                goto done;
            }
            nfiles++;
        }
        closedir(d);
        if (nfiles)
            qsort(files, nfiles, sizeof *files, cmp_str);
    } else {
        const char *b = strrchr(path, '/');
        files = malloc(sizeof *files);
        if (!files || !(files[0] = strdup(b ? b + 1 : path))) {
            rc = SYNAPT_E_NOMEM;
            goto done;
        }
        nfiles = 1;
    }
    for (size_t i = 0; i < nfiles; i++) {
        char *fp = import_path_join(dir, files[i]);
        if (!fp) {
            rc = SYNAPT_E_NOMEM;
            goto done;
        }
        import_ntu_name nm;
        char name20[21];
        if (import_ntu_parse_name(&nm, files[i]) != 0 || !import_ntu_action_name(nm.action)) {
            rc = import_bad_entry(out, o, err, errsz, fp, 0, NULL,
                                  "name is not SsssCcccPpppRrrrAaaa with action A001..A120");
            free(fp);
            if (rc)
                goto done;
            continue;
        }
        snprintf(name20, sizeof name20, "%.20s", files[i]);
        if (nmissing && bsearch(&(const char *){ name20 }, missing, nmissing, sizeof *missing,
                                cmp_str)) {
            free(fp);
            continue; /* officially without usable skeletons */
        }
        rc = add_sample(out, fp, root, name20, &nm, err, errsz);
        free(fp);
        if (rc)
            goto done;
    }
    if (nfiles == 0) {
        import_errf(err, errsz, path, 0, "no .skeleton files");
        rc = SYNAPT_E_INPUT;
    }
    /* the vocabulary in official order, so label ids are action - 1 */
    for (int a = 1; a <= 120 && !rc; a++)
        rc = import_list_add_class(out, import_ntu_action_name(a));
done:
    if (rc == SYNAPT_E_NOMEM)
        import_errf(err, errsz, path, 0, "out of memory");
    for (size_t i = 0; i < nfiles; i++)
        free(files[i]);
    free(files);
    for (size_t i = 0; i < nmissing; i++)
        free(missing[i]);
    free(missing);
    free(root);
    free(dir);
    return rc;
}
