/* layout_diving48.c - annotation layout: Diving48 V2 JSON. */
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


static const char *const d48_fields[4] = { "takeoff", "somersault", "twist", "flight" };

int layout_d48_vocab(import_list *out, const char *vpath, char *err, size_t errsz)
{
    int rc;
    cJSON *j = layout_read_json(vpath, err, errsz, &rc, NULL, NULL);
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

/* what every element of one Diving48 JSON file shares */
typedef struct d48_ctx {
    import_list *out;
    const import_options *o;
    const char *path, *root, *split;
    size_t first, nclass;
    char *err;
    size_t errsz;
} d48_ctx;

static int d48_clip(void *ctx, const cJSON *e, size_t k, uint64_t line)
{
    const d48_ctx *x = ctx;
    import_list *out = x->out;
    const char *path = x->path;
    size_t nclass = x->nclass;
    cJSON *vn = cJSON_GetObjectItemCaseSensitive(e, "vid_name");
    cJSON *lab = cJSON_GetObjectItemCaseSensitive(e, "label");
    cJSON *sf = cJSON_GetObjectItemCaseSensitive(e, "start_frame");
    cJSON *ef = cJSON_GetObjectItemCaseSensitive(e, "end_frame");
    const char *name = cJSON_IsString(vn) ? vn->valuestring : NULL;
    int okname = name && *name && strlen(name) < 256 && !strchr(name, '/');
    double lv = cJSON_IsNumber(lab) ? lab->valuedouble : -1;
    double sv = cJSON_IsNumber(sf) ? sf->valuedouble : -1;
    double ev = cJSON_IsNumber(ef) ? ef->valuedouble : -1;
    if (!okname)
        return import_bad_entry(out, x->o, x->err, x->errsz, path, line, NULL,
                                "element %zu: \"vid_name\" must be a file name", k);
    if (layout_video_leaves_root(x->o, NULL, name))
        return import_bad_entry(out, x->o, x->err, x->errsz, path, line, NULL, LAYOUT_LEAVES_ROOT,
                                "", "", name);
    /* range first: casting an out-of-range double (or NaN) is undefined */
    if (!(lv >= 0 && lv <= 1e6) || lv != (double)(long)lv || (nclass && lv >= (double)nclass))
        return import_bad_entry(out, x->o, x->err, x->errsz, path, line, name,
                                "element %zu: label must be an integer 0..%zu", k,
                                nclass ? nclass - 1 : 999999);
    if (!(sv >= 0 && ev >= 0 && ev <= (double)IMPORT_MAX_FRAMES) ||
        sv != (double)(long)sv || ev != (double)(long)ev || ev <= sv)
        return import_bad_entry(out, x->o, x->err, x->errsz, path, line, name,
                                "element %zu: start_frame/end_frame must be integers "
                                "with 0 <= start < end", k);
    char lbuf[32];
    const char *label = nclass ? out->classes[x->first + (size_t)lv] : lbuf;
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
    int rc = import_list_append(&c, out, name, path, line);
    if (!rc)
        rc = import_clip_add_label(c, label);
    if (!rc)
        rc = layout_set_str(&c->split, x->split);
    if (!rc)
        rc = layout_set_str(&c->source, "diving48");
    if (!rc)
        rc = import_clip_add_group(c, "video", grp);
    if (!rc)
        rc = layout_set_str(&c->meta_json, meta);
    if (!rc)
        rc = layout_set_video(c, x->root, NULL, name);
    if (rc) {
        import_errf(x->err, x->errsz, path, line, "%s", synapt_strerror(rc));
        return rc;
    }
    c->start_frame = (int64_t)sv;
    c->end_frame = (int64_t)ev;
    return 0;
}

static int d48_file(import_list *out, const import_options *o, const char *path, const char *root,
                    const char *split, size_t first, size_t nclass, char *err, size_t errsz)
{
    d48_ctx x = { out, o, path, root, split, first, nclass, err, errsz };
    return layout_json_each(path, d48_clip, &x, err, errsz);
}

/* SynAPT's split lists: "diving48/videos/-mmq0PT-u8k_00155.mp4;0" */
static int d48_split_entry(layout_split_entry *e, const char *path, int64_t label,
                           const char *root, char *why, size_t whysz)
{
    (void)label;
    (void)root;
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    const char *us = strrchr(b, '_');
    size_t d = us ? strspn(us + 1, "0123456789") : 0;
    if (!us || us == b || d == 0 || (us[1 + d] && us[1 + d] != '.') ||
        (size_t)(us - b) >= sizeof e->group) {
        snprintf(why, whysz, "'%s' does not match the Diving48 name <youtube id>_<segment>.mp4", b);
        return -1;
    }
    snprintf(e->group_key, sizeof e->group_key, "video");
    snprintf(e->group, sizeof e->group, "%.*s", (int)(us - b), b);
    return 0;
}

static const layout_split_set d48_split_set = { "diving48", 48, NULL, NULL, "Diving48_vocab.json",
                                                layout_d48_vocab, d48_split_entry };

int import_parse_diving48(import_list *out, const import_options *o, const char *path,
                          char *err, size_t errsz)
{
    if (layout_split_is_input(path))
        return layout_split_parse(out, o, path, &d48_split_set, err, errsz);
    import_options def = IMPORT_OPTIONS_INIT;
    if (!o)
        o = &def;
    int single = !layout_is_dir(path);
    char *dir = single ? import_path_dir(path) : strdup(path);
    char *root = dir ? layout_root_for(o, dir) : NULL;
    static const char *const vnames[] = { "Diving48_vocab.json", "vocab.json", NULL };
    char *vpath = NULL;
    int rc = 0;
    if (!dir || !root) {
        rc = OOM(err, errsz, path);
        goto done;
    }
    vpath = layout_find_in_dir(dir, vnames);
    size_t first = out->class_count;
    if (vpath && (rc = layout_d48_vocab(out, vpath, err, errsz)))
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
    char *tp = layout_find_in_dir(dir, tr), *sp = layout_find_in_dir(dir, te);
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
