/* import_datasets.c - annotation layouts of the public action datasets:
 * UCF101, HMDB51, Kinetics CSV, Something-Something v2, Diving48 and the
 * plain list styles used by SynAPT and its training code. Each maps its
 * entries onto import_clip (see import.h for the contract). */
#include "import.h"

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

static int set_str(char **dst, const char *s)
{
    char *d = s ? strdup(s) : NULL;
    if (s && !d)
        return SYNAPT_E_NOMEM;
    free(*dst);
    *dst = d;
    return 0;
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = 0;
    return s;
}

/* The root videos live under: --root, else the annotation's folder. */
static char *root_for(const import_options *o, const char *ann_dir)
{
    return strdup(o && o->root && *o->root ? o->root : ann_dir);
}

static long find_class(const import_list *l, size_t first, const char *name)
{
    for (size_t i = first; i < l->class_count; i++)
        if (strcmp(l->classes[i], name) == 0)
            return (long)(i - first);
    return -1;
}

/* The file part of a path without a known video extension, malloc'd. */
static char *stem_of(const char *path)
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
static char *strip_video_ext(const char *path)
{
    char *s = stem_of(path);
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

/* Video at root/sub/name with root/name as the flat alternative. */
static int set_video(import_clip *c, const char *root, const char *sub, const char *name)
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

/* ================================================================ UCF101 */

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
        char *s = trim(line);
        if (!*s)
            continue;
        char *sp = strpbrk(s, " \t");
        char *labtxt = NULL;
        if (sp) {
            *sp = 0;
            labtxt = trim(sp + 1);
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
        long ci = find_class(out, class_first, cls);
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
        char *id = stem_of(file);
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
            rc = set_str(&c->split, train ? "train" : "test");
        if (!rc)
            rc = set_str(&c->source, "ucf101");
        if (!rc && ucf_group(grp, sizeof grp, file))
            rc = import_clip_add_group(c, "group", grp);
        if (!rc)
            rc = set_video(c, root, cls, file);
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

int import_parse_ucf101(import_list *out, const import_options *o, const char *path,
                        char *err, size_t errsz)
{
    import_options def = IMPORT_OPTIONS_INIT;
    if (!o)
        o = &def;
    char *dir = is_dir(path) ? strdup(path) : import_path_dir(path);
    char *cpath = dir ? import_path_join(dir, "classInd.txt") : NULL;
    char *root = dir ? root_for(o, dir) : NULL;
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
        char *s = trim(line);
        if (!*s)
            continue;
        char *sp = strpbrk(s, " \t");
        int64_t idx;
        if (!sp || (*sp = 0, import_parse_int(&idx, s, 1, 100000)) != 0) {
            import_errf(err, errsz, cpath, it.lineno, "expected '<index> <ClassName>'");
            rc = SYNAPT_E_INPUT;
            goto done;
        }
        char *name = trim(sp + 1);
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
        if (find_class(out, first, name) >= 0) {
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
        if (!is_file(lp)) {
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

/* ================================================================ HMDB51 */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int import_parse_hmdb51(import_list *out, const import_options *o, const char *path,
                        char *err, size_t errsz)
{
    import_options def = IMPORT_OPTIONS_INIT;
    if (!o)
        o = &def;
    int split = o->split_id ? o->split_id : 1;
    char suffix[32];
    snprintf(suffix, sizeof suffix, "_test_split%d.txt", split);
    size_t slen = strlen(suffix);
    char *dir = is_dir(path) ? strdup(path) : import_path_dir(path);
    char *root = dir ? root_for(o, dir) : NULL;
    char **files = NULL, *line = malloc(IMPORT_MAX_LINE + 1);
    size_t nfiles = 0, cap = 0;
    int rc = 0;
    if (!dir || !root || !line) {
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
    qsort(files, nfiles, sizeof *files, cmp_str);
    for (size_t i = 0; i < nfiles; i++) {
        char *cls = strndup(files[i], strlen(files[i]) - slen);
        if (!cls || (rc = import_list_add_class(out, cls))) {
            free(cls);
            rc = OOM(err, errsz, dir);
            goto done;
        }
        char *fp = import_path_join(dir, files[i]);
        char *buf = NULL;
        size_t len;
        if (!fp) {
            free(cls);
            rc = OOM(err, errsz, dir);
            goto done;
        }
        rc = import_read_file(&buf, &len, fp, 64 << 20, err, errsz);
        import_lines it = { buf, len, 0, 0 };
        int r;
        while (!rc && (r = import_lines_next(&it, line)) != 0) {
            if (r < 0) {
                rc = import_bad_entry(out, o, err, errsz, fp, it.lineno, NULL,
                                      "line too long or holds a NUL byte");
                continue;
            }
            char *s = trim(line);
            if (!*s)
                continue;
            char *sp = strpbrk(s, " \t");
            int64_t tag;
            if (!sp || (*sp = 0, import_parse_int(&tag, sp + 1, 0, 2)) != 0) {
                rc = import_bad_entry(out, o, err, errsz, fp, it.lineno, NULL,
                                      "expected '<video>.avi <0|1|2>'");
                continue;
            }
            if (tag == 0)
                continue; /* not used in this split */
            if (strchr(s, '/')) {
                rc = import_bad_entry(out, o, err, errsz, fp, it.lineno, NULL,
                                      "video name '%s' holds a '/'", s);
                continue;
            }
            char *id = stem_of(s);
            import_clip *c;
            rc = id ? import_list_append(&c, out, id, fp, it.lineno) : SYNAPT_E_NOMEM;
            free(id);
            if (!rc)
                rc = import_clip_add_label(c, cls);
            if (!rc)
                rc = set_str(&c->split, tag == 1 ? "train" : "test");
            if (!rc)
                rc = set_str(&c->source, "hmdb51");
            if (!rc)
                rc = set_video(c, root, cls, s);
            if (rc)
                import_errf(err, errsz, fp, it.lineno, "%s", synapt_strerror(rc));
        }
        free(buf);
        free(fp);
        free(cls);
        if (rc)
            goto done;
    }
done:
    for (size_t i = 0; i < nfiles; i++)
        free(files[i]);
    free(files);
    free(line);
    free(root);
    free(dir);
    return rc;
}

/* ================================================================ Kinetics */

int import_parse_kinetics(import_list *out, const import_options *o, const char *path,
                          char *err, size_t errsz)
{
    import_options def = IMPORT_OPTIONS_INIT;
    if (!o)
        o = &def;
    char *dir = import_path_dir(path);
    char *root = dir ? root_for(o, dir) : NULL;
    char *buf = NULL, *line = malloc(IMPORT_MAX_LINE + 1);
    char **labels = NULL;
    size_t nlabels = 0, labcap = 0;
    int rc = 0;
    if (!dir || !root || !line) {
        rc = OOM(err, errsz, path);
        goto done;
    }
    size_t len;
    if ((rc = import_read_file(&buf, &len, path, 0, err, errsz)))
        goto done;
    import_lines it = { buf, len, 0, 0 };
    int r = import_lines_next(&it, line);
    if (r <= 0) {
        import_errf(err, errsz, path, 1, "missing header row");
        rc = SYNAPT_E_INPUT;
        goto done;
    }
    char *f[16];
    int nf = import_csv_split(line, ',', f, 16);
    int c_label = -1, c_yt = -1, c_ts = -1, c_te = -1, c_split = -1, c_cc = -1;
    for (int i = 0; i < nf; i++) {
        if (strcmp(f[i], "label") == 0) c_label = i;
        else if (strcmp(f[i], "youtube_id") == 0) c_yt = i;
        else if (strcmp(f[i], "time_start") == 0) c_ts = i;
        else if (strcmp(f[i], "time_end") == 0) c_te = i;
        else if (strcmp(f[i], "split") == 0) c_split = i;
        else if (strcmp(f[i], "is_cc") == 0) c_cc = i;
    }
    if (nf < 0 || c_yt < 0 || c_ts < 0 || c_te < 0) {
        import_errf(err, errsz, path, 1,
                    "header must name youtube_id, time_start and time_end columns");
        rc = SYNAPT_E_INPUT;
        goto done;
    }
    while ((r = import_lines_next(&it, line)) != 0) {
        if (r < 0) {
            if ((rc = import_bad_entry(out, o, err, errsz, path, it.lineno, NULL,
                                       "line too long or holds a NUL byte")))
                goto done;
            continue;
        }
        if (!*trim(line))
            continue;
        int n = import_csv_split(line, ',', f, 16);
        if (n != nf) {
            if ((rc = import_bad_entry(out, o, err, errsz, path, it.lineno, NULL,
                                       n < 0 ? "unterminated quote" :
                                       "expected %d fields, got %d", nf, n)))
                goto done;
            continue;
        }
        int64_t ts, te, cc = 0;
        const char *yt = f[c_yt];
        int okid = *yt && strlen(yt) <= 64;
        for (const char *p = yt; *p && okid; p++)
            okid = isalnum((unsigned char)*p) || *p == '-' || *p == '_';
        if (!okid) {
            if ((rc = import_bad_entry(out, o, err, errsz, path, it.lineno, NULL,
                                       "bad youtube_id '%s'", yt)))
                goto done;
            continue;
        }
        if (import_parse_int(&ts, f[c_ts], 0, 999999) || import_parse_int(&te, f[c_te], 0, 999999) ||
            te < ts || (c_cc >= 0 && import_parse_int(&cc, f[c_cc], 0, 1))) {
            if ((rc = import_bad_entry(out, o, err, errsz, path, it.lineno, yt,
                                       "time_start/time_end must be integers 0..999999 with start <= end%s",
                                       c_cc >= 0 ? ", is_cc 0 or 1" : "")))
                goto done;
            continue;
        }
        const char *label = c_label >= 0 ? f[c_label] : "";
        if (c_label >= 0 && (!*label || strchr(label, '/'))) {
            if ((rc = import_bad_entry(out, o, err, errsz, path, it.lineno, yt,
                                       "bad label '%s'", label)))
                goto done;
            continue;
        }
        char id[96], meta[256];
        snprintf(id, sizeof id, "%s_%06lld_%06lld", yt, (long long)ts, (long long)te);
        snprintf(meta, sizeof meta,
                 "{\"youtube_id\":\"%s\",\"time_start\":%lld,\"time_end\":%lld%s%s}", yt,
                 (long long)ts, (long long)te, c_cc >= 0 ? ",\"is_cc\":" : "",
                 c_cc >= 0 ? (cc ? "true" : "false") : "");
        import_clip *c;
        rc = import_list_append(&c, out, id, path, it.lineno);
        if (!rc && *label)
            rc = import_clip_add_label(c, label);
        if (!rc && c_split >= 0 && *f[c_split])
            rc = set_str(&c->split, f[c_split]);
        if (!rc)
            rc = set_str(&c->source, "kinetics");
        if (!rc)
            rc = set_str(&c->meta_json, meta);
        if (!rc)
            rc = set_video(c, root, label, id);
        if (!rc && *label && (nlabels == 0 || strcmp(labels[nlabels - 1], label) != 0)) {
            /* collect distinct labels; CSVs are grouped by label so this stays short */
            int seen = 0;
            for (size_t k = 0; k < nlabels && !seen; k++)
                seen = strcmp(labels[k], label) == 0;
            if (!seen) {
                if (nlabels == labcap) {
                    labcap = labcap ? labcap * 2 : 64;
                    char **nl = realloc(labels, labcap * sizeof *nl);
                    if (!nl)
                        rc = SYNAPT_E_NOMEM;
                    else
                        labels = nl;
                }
                if (!rc && !(labels[nlabels++] = strdup(label)))
                    rc = SYNAPT_E_NOMEM;
            }
        }
        if (rc) {
            import_errf(err, errsz, path, it.lineno, "%s", synapt_strerror(rc));
            goto done;
        }
    }
    /* Kinetics class ids are the alphabetical order of the names */
    if (nlabels)
        qsort(labels, nlabels, sizeof *labels, cmp_str);
    for (size_t k = 0; k < nlabels && !rc; k++)
        rc = import_list_add_class(out, labels[k]);
done:
    for (size_t k = 0; k < nlabels; k++)
        free(labels[k]);
    free(labels);
    free(line);
    free(buf);
    free(root);
    free(dir);
    return rc;
}

/* ================================================================ SSv2 */

/* Line of each element of a top-level JSON array, so messages can say
 * "validation.json:37:" like the line-based layouts. A byte scan that
 * follows strings and nesting; called only on text cJSON has accepted. */
static int json_element_lines(uint64_t **out, size_t *n, const char *buf, size_t len)
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

static cJSON *read_json(const char *path, char *err, size_t errsz, int *rc, uint64_t **lines,
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
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
    if (!j) {
        /* cJSON reports where it stopped: turn that into a line number */
        uint64_t lineno = 1;
        const char *stop = end ? end : cJSON_GetErrorPtr();
        if (stop && stop >= buf && stop <= buf + len)
            for (const char *p = buf; p < stop; p++)
                lineno += *p == '\n';
        import_errf(err, errsz, path, lineno, "invalid JSON");
        *rc = SYNAPT_E_INPUT;
    } else if (lines && json_element_lines(lines, nlines, buf, len)) {
        cJSON_Delete(j);
        j = NULL;
        import_errf(err, errsz, path, 0, "out of memory");
        *rc = SYNAPT_E_NOMEM;
    }
    free(buf);
    return j;
}

#define ELINE(k) ((k) < nlines ? lines[k] : 0)

static char *ssv2_class_of(const char *tmpl)
{
    size_t n = strlen(tmpl);
    char *s = malloc(n + 1), *w = s;
    if (!s)
        return NULL;
    for (const char *p = tmpl; *p; p++)
        if (*p != '[' && *p != ']')
            *w++ = *p;
    *w = 0;
    return s;
}

static char *find_in_dir(const char *dir, const char *const *names)
{
    for (int i = 0; names[i]; i++) {
        char *p = import_path_join(dir, names[i]);
        if (p && is_file(p))
            return p;
        free(p);
    }
    return NULL;
}

static int ssv2_labels(import_list *out, const char *lpath, char *err, size_t errsz)
{
    int rc;
    cJSON *j = read_json(lpath, err, errsz, &rc, NULL, NULL);
    if (!j)
        return rc;
    size_t n = (size_t)cJSON_GetArraySize(j);
    char **names = NULL;
    if (!cJSON_IsObject(j) || n == 0 || n > 100000) {
        import_errf(err, errsz, lpath, 0, "expected an object {\"<template>\": \"<index>\"}");
        rc = SYNAPT_E_INPUT;
        goto done;
    }
    names = calloc(n, sizeof *names);
    if (!names) {
        rc = OOM(err, errsz, lpath);
        goto done;
    }
    for (cJSON *e = j->child; e; e = e->next) {
        int64_t idx;
        if (!cJSON_IsString(e) || import_parse_int(&idx, e->valuestring, 0, (int64_t)n - 1) ||
            names[idx]) {
            import_errf(err, errsz, lpath, 0,
                        "'%s': index must be a distinct string \"0\"..\"%zu\"", e->string, n - 1);
            rc = SYNAPT_E_INPUT;
            goto done;
        }
        names[idx] = e->string;
    }
    for (size_t i = 0; i < n && !rc; i++)
        rc = import_list_add_class(out, names[i]);
done:
    free(names);
    cJSON_Delete(j);
    return rc;
}

/* test-answers.csv "id;template" -> parallel arrays */
typedef struct ssv2_answers { char **ids, **labels; size_t n; } ssv2_answers;

static void answers_free(ssv2_answers *a)
{
    for (size_t i = 0; i < a->n; i++) {
        free(a->ids[i]);
        free(a->labels[i]);
    }
    free(a->ids);
    free(a->labels);
}

static int ssv2_read_answers(ssv2_answers *a, const char *path, char *err, size_t errsz)
{
    char *buf = NULL, *line = malloc(IMPORT_MAX_LINE + 1);
    size_t len, cap = 0;
    int rc = line ? import_read_file(&buf, &len, path, 0, err, errsz) : SYNAPT_E_NOMEM;
    import_lines it = { buf, buf ? len : 0, 0, 0 };
    int r;
    while (!rc && (r = import_lines_next(&it, line)) != 0) {
        char *semi = r > 0 ? strchr(line, ';') : NULL;
        int64_t v;
        if (!semi || (*semi = 0, import_parse_int(&v, line, 0, INT64_MAX / 2)) != 0) {
            import_errf(err, errsz, path, it.lineno, "expected '<id>;<template>'");
            rc = SYNAPT_E_INPUT;
            break;
        }
        if (a->n == cap) {
            cap = cap ? cap * 2 : 1024;
            char **ni = realloc(a->ids, cap * sizeof *ni);
            if (ni)
                a->ids = ni;
            char **nl = ni ? realloc(a->labels, cap * sizeof *nl) : NULL;
            if (!nl) {
                rc = OOM(err, errsz, path);
                break;
            }
            a->labels = nl;
        }
        a->ids[a->n] = strdup(trim(line));
        a->labels[a->n] = strdup(trim(semi + 1));
        if (!a->ids[a->n] || !a->labels[a->n]) {
            free(a->ids[a->n]);
            free(a->labels[a->n]);
            rc = OOM(err, errsz, path);
            break;
        }
        a->n++;
    }
    free(line);
    free(buf);
    return rc;
}

static int ssv2_file(import_list *out, const import_options *o, const char *path,
                     const char *root, const char *split, size_t class_first,
                     const ssv2_answers *ans, char *err, size_t errsz)
{
    int rc;
    uint64_t *lines = NULL;
    size_t nlines = 0;
    cJSON *j = read_json(path, err, errsz, &rc, &lines, &nlines);
    if (!j)
        return rc;
    if (!cJSON_IsArray(j)) {
        import_errf(err, errsz, path, 0, "expected a JSON array of clips");
        cJSON_Delete(j);
        free(lines);
        return SYNAPT_E_INPUT;
    }
    size_t ai = 0, k = 0;
    for (cJSON *e = j->child; e; e = e->next, k++) {
        cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
        cJSON *tmpl = cJSON_GetObjectItemCaseSensitive(e, "template");
        cJSON *ph = cJSON_GetObjectItemCaseSensitive(e, "placeholders");
        cJSON *lab = cJSON_GetObjectItemCaseSensitive(e, "label");
        int64_t idv;
        if (!cJSON_IsString(id) || import_parse_int(&idv, id->valuestring, 0, INT64_MAX / 2)) {
            if ((rc = import_bad_entry(out, o, err, errsz, path, ELINE(k), NULL,
                                       "element %zu: \"id\" must be a numeric string", k)))
                break;
            continue;
        }
        char *cls = NULL;
        if (tmpl) {
            if (!cJSON_IsString(tmpl) || !(cls = ssv2_class_of(tmpl->valuestring))) {
                if ((rc = import_bad_entry(out, o, err, errsz, path, ELINE(k), id->valuestring,
                                           "element %zu: \"template\" must be a string", k)))
                    break;
                continue;
            }
        } else if (ans) {
            /* test answers come in the order of test.json; fall back to a scan */
            if (ai < ans->n && strcmp(ans->ids[ai], id->valuestring) == 0) {
                cls = strdup(ans->labels[ai++]);
            } else {
                for (size_t q = 0; q < ans->n; q++)
                    if (strcmp(ans->ids[q], id->valuestring) == 0) {
                        cls = strdup(ans->labels[q]);
                        break;
                    }
            }
        }
        if (cls && out->class_count > class_first && find_class(out, class_first, cls) < 0) {
            rc = import_bad_entry(out, o, err, errsz, path, ELINE(k), id->valuestring,
                                  "element %zu: template '%s' is not in labels.json", k, cls);
            free(cls);
            if (rc)
                break;
            continue;
        }
        cJSON *meta = cJSON_CreateObject();
        if (meta && cJSON_IsString(lab))
            cJSON_AddStringToObject(meta, "label", lab->valuestring);
        if (meta && cJSON_IsString(tmpl))
            cJSON_AddStringToObject(meta, "template", tmpl->valuestring);
        if (meta && cJSON_IsArray(ph))
            cJSON_AddItemToObject(meta, "placeholders", cJSON_Duplicate(ph, 1));
        char *mtxt = meta ? cJSON_PrintUnformatted(meta) : NULL;
        cJSON_Delete(meta);
        import_clip *c;
        rc = mtxt ? import_list_append(&c, out, id->valuestring, path, ELINE(k)) : SYNAPT_E_NOMEM;
        if (!rc && cls)
            rc = import_clip_add_label(c, cls);
        if (!rc)
            rc = set_str(&c->split, split);
        if (!rc)
            rc = set_str(&c->source, "ssv2");
        if (!rc) {
            c->meta_json = mtxt;
            mtxt = NULL;
            rc = set_video(c, root, NULL, id->valuestring);
        }
        free(mtxt);
        free(cls);
        if (rc) {
            import_errf(err, errsz, path, ELINE(k), "%s", synapt_strerror(rc));
            break;
        }
    }
    cJSON_Delete(j);
    free(lines);
    return rc;
}

int import_parse_ssv2(import_list *out, const import_options *o, const char *path,
                      char *err, size_t errsz)
{
    import_options def = IMPORT_OPTIONS_INIT;
    if (!o)
        o = &def;
    int single = !is_dir(path);
    char *dir = single ? import_path_dir(path) : strdup(path);
    char *root = dir ? root_for(o, dir) : NULL;
    static const char *const lnames[] = { "labels.json", "something-something-v2-labels.json", NULL };
    static const char *const anames[] = { "test-answers.csv", "something-something-v2-test-answers.csv", NULL };
    char *lpath = NULL, *apath = NULL;
    ssv2_answers ans = { 0 };
    int rc = 0;
    if (!dir || !root) {
        rc = OOM(err, errsz, path);
        goto done;
    }
    lpath = find_in_dir(dir, lnames);
    apath = find_in_dir(dir, anames);
    size_t first = out->class_count;
    if (lpath && (rc = ssv2_labels(out, lpath, err, errsz)))
        goto done;
    if (apath && (rc = ssv2_read_answers(&ans, apath, err, errsz)))
        goto done;
    if (single) {
        const char *b = strrchr(path, '/');
        b = b ? b + 1 : path;
        const char *split = strstr(b, "train") ? "train" : strstr(b, "validation") ? "val" :
                            strstr(b, "test") ? "test" : "";
        rc = ssv2_file(out, o, path, root, *split ? split : NULL, first, apath ? &ans : NULL,
                       err, errsz);
        goto done;
    }
    static const char *const splits[][3] = {
        { "train.json", "something-something-v2-train.json", "train" },
        { "validation.json", "something-something-v2-validation.json", "val" },
        { "test.json", "something-something-v2-test.json", "test" },
    };
    int any = 0;
    for (int s = 0; s < 3 && !rc; s++) {
        const char *names[] = { splits[s][0], splits[s][1], NULL };
        char *fp = find_in_dir(dir, names);
        if (!fp)
            continue;
        any = 1;
        rc = ssv2_file(out, o, fp, root, splits[s][2], first, apath ? &ans : NULL, err, errsz);
        free(fp);
    }
    if (!rc && !any) {
        import_errf(err, errsz, dir, 0, "no SSv2 train/validation/test .json here");
        rc = SYNAPT_E_INPUT;
    }
done:
    answers_free(&ans);
    free(lpath);
    free(apath);
    free(root);
    free(dir);
    return rc;
}

/* ================================================================ Diving48 */

static const char *const d48_fields[4] = { "takeoff", "somersault", "twist", "flight" };

static int d48_vocab(import_list *out, const char *vpath, char *err, size_t errsz)
{
    int rc;
    cJSON *j = read_json(vpath, err, errsz, &rc, NULL, NULL);
    if (!j)
        return rc;
    if (!cJSON_IsArray(j) || cJSON_GetArraySize(j) == 0) {
        import_errf(err, errsz, vpath, 0, "expected an array of [takeoff, somersault, twist, flight]");
        rc = SYNAPT_E_INPUT;
    }
    size_t k = 0;
    for (cJSON *e = j->child; e && !rc; e = e->next, k++) {
        char name[512];
        size_t n = 0;
        int ok = cJSON_IsArray(e) && cJSON_GetArraySize(e) == 4;
        for (cJSON *t = ok ? e->child : NULL; t && ok; t = t->next) {
            ok = cJSON_IsString(t) && *t->valuestring && strlen(t->valuestring) < 100 &&
                 !strchr(t->valuestring, '+');
            if (ok)
                n += (size_t)snprintf(name + n, sizeof name - n, "%s%s", n ? "+" : "", t->valuestring);
        }
        if (!ok) {
            import_errf(err, errsz, vpath, 0, "entry %zu: expected 4 non-empty strings", k);
            rc = SYNAPT_E_INPUT;
            break;
        }
        rc = import_list_add_class(out, name);
    }
    cJSON_Delete(j);
    return rc;
}

static int d48_file(import_list *out, const import_options *o, const char *path, const char *root,
                    const char *split, size_t first, size_t nclass, char *err, size_t errsz)
{
    int rc;
    uint64_t *lines = NULL;
    size_t nlines = 0;
    cJSON *j = read_json(path, err, errsz, &rc, &lines, &nlines);
    if (!j)
        return rc;
    if (!cJSON_IsArray(j)) {
        import_errf(err, errsz, path, 0, "expected a JSON array of clips");
        cJSON_Delete(j);
        free(lines);
        return SYNAPT_E_INPUT;
    }
    size_t k = 0;
    for (cJSON *e = j->child; e; e = e->next, k++) {
        cJSON *vn = cJSON_GetObjectItemCaseSensitive(e, "vid_name");
        cJSON *lab = cJSON_GetObjectItemCaseSensitive(e, "label");
        cJSON *sf = cJSON_GetObjectItemCaseSensitive(e, "start_frame");
        cJSON *ef = cJSON_GetObjectItemCaseSensitive(e, "end_frame");
        const char *name = cJSON_IsString(vn) ? vn->valuestring : NULL;
        int okname = name && *name && strlen(name) < 256 && !strchr(name, '/');
        double lv = cJSON_IsNumber(lab) ? lab->valuedouble : -1;
        double sv = cJSON_IsNumber(sf) ? sf->valuedouble : -1;
        double ev = cJSON_IsNumber(ef) ? ef->valuedouble : -1;
        if (!okname) {
            if ((rc = import_bad_entry(out, o, err, errsz, path, ELINE(k), NULL,
                                       "element %zu: \"vid_name\" must be a file name", k)))
                break;
            continue;
        }
        if (lv < 0 || lv != (double)(long)lv || (nclass && lv >= (double)nclass) || lv > 1e6) {
            if ((rc = import_bad_entry(out, o, err, errsz, path, ELINE(k), name,
                                       "element %zu: label must be an integer 0..%zu", k,
                                       nclass ? nclass - 1 : 999999)))
                break;
            continue;
        }
        if (sv < 0 || ev < 0 || sv != (double)(long)sv || ev != (double)(long)ev || ev <= sv ||
            ev > IMPORT_MAX_FRAMES) {
            if ((rc = import_bad_entry(out, o, err, errsz, path, ELINE(k), name,
                                       "element %zu: start_frame/end_frame must be integers "
                                       "with 0 <= start < end", k)))
                break;
            continue;
        }
        char lbuf[32];
        const char *label = nclass ? out->classes[first + (size_t)lv] : lbuf;
        snprintf(lbuf, sizeof lbuf, "%ld", (long)lv);
        char meta[600], grp[256];
        size_t mn = (size_t)snprintf(meta, sizeof meta, "{\"label_index\":%ld", (long)lv);
        if (nclass) {
            /* the class name is takeoff+somersault+twist+flight */
            char tok[4][128] = { "", "", "", "" };
            const char *p = label;
            for (int t = 0; t < 4; t++) {
                const char *q = strchr(p, '+');
                size_t l = q ? (size_t)(q - p) : strlen(p);
                snprintf(tok[t], sizeof tok[t], "%.*s", (int)l, p);
                p = q ? q + 1 : p + l;
            }
            for (int t = 0; t < 4; t++)
                mn += (size_t)snprintf(meta + mn, sizeof meta - mn, ",\"%s\":\"%s\"", d48_fields[t], tok[t]);
        }
        snprintf(meta + mn, sizeof meta - mn, "}");
        /* "<youtube id>_<segment>": segments of one source video share a group */
        const char *us = strrchr(name, '_');
        snprintf(grp, sizeof grp, "%.*s", us && us > name ? (int)(us - name) : (int)strlen(name), name);
        import_clip *c;
        rc = import_list_append(&c, out, name, path, ELINE(k));
        if (!rc)
            rc = import_clip_add_label(c, label);
        if (!rc)
            rc = set_str(&c->split, split);
        if (!rc)
            rc = set_str(&c->source, "diving48");
        if (!rc)
            rc = import_clip_add_group(c, "video", grp);
        if (!rc)
            rc = set_str(&c->meta_json, meta);
        if (!rc)
            rc = set_video(c, root, NULL, name);
        if (rc) {
            import_errf(err, errsz, path, ELINE(k), "%s", synapt_strerror(rc));
            break;
        }
        c->start_frame = (int64_t)sv;
        c->end_frame = (int64_t)ev;
    }
    cJSON_Delete(j);
    free(lines);
    return rc;
}

int import_parse_diving48(import_list *out, const import_options *o, const char *path,
                          char *err, size_t errsz)
{
    import_options def = IMPORT_OPTIONS_INIT;
    if (!o)
        o = &def;
    int single = !is_dir(path);
    char *dir = single ? import_path_dir(path) : strdup(path);
    char *root = dir ? root_for(o, dir) : NULL;
    static const char *const vnames[] = { "Diving48_vocab.json", "vocab.json", NULL };
    char *vpath = NULL;
    int rc = 0;
    if (!dir || !root) {
        rc = OOM(err, errsz, path);
        goto done;
    }
    vpath = find_in_dir(dir, vnames);
    size_t first = out->class_count;
    if (vpath && (rc = d48_vocab(out, vpath, err, errsz)))
        goto done;
    size_t nclass = out->class_count - first;
    if (single) {
        const char *b = strrchr(path, '/');
        b = b ? b + 1 : path;
        rc = d48_file(out, o, path, root, strstr(b, "train") ? "train" : strstr(b, "test") ? "test" : NULL,
                      first, nclass, err, errsz);
        goto done;
    }
    static const char *const tr[] = { "Diving48_V2_train.json", "Diving48_train.json", NULL };
    static const char *const te[] = { "Diving48_V2_test.json", "Diving48_test.json", NULL };
    char *tp = find_in_dir(dir, tr), *sp = find_in_dir(dir, te);
    if (!tp && !sp) {
        import_errf(err, errsz, dir, 0, "no Diving48_V2_train.json or Diving48_V2_test.json here");
        rc = SYNAPT_E_INPUT;
    }
    if (!rc && tp)
        rc = d48_file(out, o, tp, root, "train", first, nclass, err, errsz);
    if (!rc && sp)
        rc = d48_file(out, o, sp, root, "test", first, nclass, err, errsz);
    free(tp);
    free(sp);
done:
    free(vpath);
    free(root);
    free(dir);
    return rc;
}

/* ================================================================ list */

/* Class names, one per line; blank lines skipped, surrounding spaces trimmed
 * (SynAPT's syn_labels.txt has trailing spaces and no final newline). */
static int read_labels_file(import_list *out, const char *path, char *err, size_t errsz)
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
        char *s = trim(line);
        if (!*s)
            continue;
        if (find_class(out, first, s) >= 0) {
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
    char *root = dir ? root_for(o, dir) : NULL;
    char *buf = NULL, *line = malloc(IMPORT_MAX_LINE + 1);
    int rc = 0;
    if (!dir || !root || !line) {
        rc = OOM(err, errsz, path);
        goto done;
    }
    size_t first = out->class_count;
    if (o->labels_file && (rc = read_labels_file(out, o->labels_file, err, errsz)))
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
        char *s = trim(line);
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
                vpath = trim(s);
            }
        }
        vpath = trim(vpath);
        if (label)
            label = trim(label);
        if (!*vpath || (label && !*label)) {
            if ((rc = import_bad_entry(out, o, err, errsz, path, it.lineno, NULL,
                                       "empty path or label")))
                goto done;
            continue;
        }
        if (strstr(vpath, "..")) {
            if ((rc = import_bad_entry(out, o, err, errsz, path, it.lineno, NULL,
                                       "path '%s' climbs out of the root with '..'", vpath)))
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
        if (nclass && find_class(out, first, name) < 0) {
            rc = import_bad_entry(out, o, err, errsz, path, it.lineno, NULL,
                                  "unknown class '%s' (not in %s)", name, o->labels_file);
            free(cls);
            if (rc)
                goto done;
            continue;
        }
        char *id = strip_video_ext(vpath);
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

/* ================================================================ folder */

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
        int sub = full && depth > 0 && is_dir(full);
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
        qsort(rp.v, rp.n, sizeof *rp.v, cmp_str);
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
        char *id = strip_video_ext(rp.v[i]);
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
