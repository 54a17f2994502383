/* layout_ssv2.c - annotation layout: Something-Something v2 JSON. */
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


static int ssv2_labels(import_list *out, const char *lpath, char *err, size_t errsz)
{
    int rc;
    cJSON *j = layout_read_json(lpath, err, errsz, &rc, NULL, NULL);
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
        a->ids[a->n] = strdup(layout_trim(line));
        a->labels[a->n] = strdup(layout_trim(semi + 1));
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

/* what every element of one SSv2 JSON file shares, and where the walk
 * through test answers stands */
typedef struct ssv2_ctx {
    import_list *out;
    const import_options *o;
    const char *path, *root, *split;
    size_t class_first;
    const ssv2_answers *ans;
    size_t ai;
    char *err;
    size_t errsz;
} ssv2_ctx;

static int ssv2_clip(void *ctx, const cJSON *e, size_t k, uint64_t line)
{
    ssv2_ctx *x = ctx;
    import_list *out = x->out;
    const char *path = x->path;
    const ssv2_answers *ans = x->ans;
    cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
    cJSON *tmpl = cJSON_GetObjectItemCaseSensitive(e, "template");
    cJSON *ph = cJSON_GetObjectItemCaseSensitive(e, "placeholders");
    cJSON *lab = cJSON_GetObjectItemCaseSensitive(e, "label");
    int64_t idv;
    if (!cJSON_IsString(id) || import_parse_int(&idv, id->valuestring, 0, INT64_MAX / 2))
        return import_bad_entry(out, x->o, x->err, x->errsz, path, line, NULL,
                                "element %zu: \"id\" must be a numeric string", k);
    if (layout_video_leaves_root(x->o, NULL, id->valuestring))
        return import_bad_entry(out, x->o, x->err, x->errsz, path, line, NULL, LAYOUT_LEAVES_ROOT,
                                "", "", id->valuestring);
    char *cls = NULL;
    if (tmpl) {
        if (!cJSON_IsString(tmpl) || !(cls = ssv2_class_of(tmpl->valuestring)))
            return import_bad_entry(out, x->o, x->err, x->errsz, path, line, id->valuestring,
                                    "element %zu: \"template\" must be a string", k);
    } else if (ans) {
        /* test answers come in the order of test.json; fall back to a scan */
        if (x->ai < ans->n && strcmp(ans->ids[x->ai], id->valuestring) == 0) {
            cls = strdup(ans->labels[x->ai++]);
        } else {
            for (size_t q = 0; q < ans->n; q++)
                if (strcmp(ans->ids[q], id->valuestring) == 0) {
                    cls = strdup(ans->labels[q]);
                    break;
                }
        }
    }
    int rc;
    if (cls && out->class_count > x->class_first && layout_find_class(out, x->class_first, cls) < 0) {
        rc = import_bad_entry(out, x->o, x->err, x->errsz, path, line, id->valuestring,
                              "element %zu: template '%s' is not in labels.json", k, cls);
        free(cls);
        return rc;
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
    rc = mtxt ? import_list_append(&c, out, id->valuestring, path, line) : SYNAPT_E_NOMEM;
    if (!rc && cls)
        rc = import_clip_add_label(c, cls);
    if (!rc)
        rc = layout_set_str(&c->split, x->split);
    if (!rc)
        rc = layout_set_str(&c->source, "ssv2");
    if (!rc) {
        c->meta_json = mtxt;
        mtxt = NULL;
        rc = layout_set_video(c, x->root, NULL, id->valuestring);
    }
    free(mtxt);
    free(cls);
    if (rc)
        import_errf(x->err, x->errsz, path, line, "%s", synapt_strerror(rc));
    return rc;
}

static int ssv2_file(import_list *out, const import_options *o, const char *path,
                     const char *root, const char *split, size_t class_first,
                     const ssv2_answers *ans, char *err, size_t errsz)
{
    ssv2_ctx x = { out, o, path, root, split, class_first, ans, 0, err, errsz };
    return layout_json_each(path, ssv2_clip, &x, err, errsz);
}

int import_parse_ssv2(import_list *out, const import_options *o, const char *path,
                      char *err, size_t errsz)
{
    import_options def = IMPORT_OPTIONS_INIT;
    if (!o)
        o = &def;
    int single = !layout_is_dir(path);
    char *dir = single ? import_path_dir(path) : strdup(path);
    char *root = dir ? layout_root_for(o, dir) : NULL;
    static const char *const lnames[] = { "labels.json", "something-something-v2-labels.json", NULL };
    static const char *const anames[] = { "test-answers.csv", "something-something-v2-test-answers.csv", NULL };
    char *lpath = NULL, *apath = NULL;
    ssv2_answers ans = { 0 };
    int rc = 0;
    if (!dir || !root) {
        rc = OOM(err, errsz, path);
        goto done;
    }
    lpath = layout_find_in_dir(dir, lnames);
    apath = layout_find_in_dir(dir, anames);
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
        char *fp = layout_find_in_dir(dir, names);
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
