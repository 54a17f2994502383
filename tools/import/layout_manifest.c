/* import_manifest.c - the general door: a JSONL or CSV manifest with one
 * clip per line. Columns (JSONL keys):
 *
 *   video | frames   video file, or folder/glob of image frames (one needed)
 *   id               clip id (default: the video path without extension)
 *   label            one name, or several (JSONL array; CSV "a|b")
 *   split source     strings
 *   synthetic        true/false/1/0
 *   group            "value" (key "group"), "k=v|k2=v2", or a JSONL object
 *   start_frame end_frame   half-open frame range (integers)
 *   pose2d pose3d    pose sidecar (kind from extension or content)
 *   skeleton         skeleton name for the pose sidecars (coco17, ntu25...)
 *   depth depth_scale   depth sidecar and metres per stored unit
 *   mask             mask sidecar
 *   frame_labels     .npy/.txt file, or a JSONL array of integers
 *   meta             JSON object kept as clip metadata (CSV: JSON text)
 *
 * Paths are relative to the manifest's folder (or --root when given).
 * Unknown columns are errors, so a misspelt "lable" never passes silently. */
#include "layout_common.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum col {
    C_VIDEO, C_FRAMES, C_ID, C_LABEL, C_SPLIT, C_SOURCE, C_SYNTH, C_GROUP, C_START, C_END,
    C_POSE2D, C_POSE3D, C_SKEL, C_DEPTH, C_DSCALE, C_MASK, C_FLABELS, C_META, C_COUNT
};
static const char *const col_names[C_COUNT] = {
    "video", "frames", "id", "label", "split", "source", "synthetic", "group", "start_frame",
    "end_frame", "pose2d", "pose3d", "skeleton", "depth", "depth_scale", "mask", "frame_labels", "meta"
};

static int col_of(const char *name)
{
    for (int i = 0; i < C_COUNT; i++)
        if (strcmp(name, col_names[i]) == 0)
            return i;
    if (strcmp(name, "labels") == 0)
        return C_LABEL;
    if (strcmp(name, "groups") == 0)
        return C_GROUP;
    return -1;
}

/* One manifest row as strings (JSON values already converted). */
typedef struct row {
    const char *v[C_COUNT];
    const cJSON *j[C_COUNT];  /* JSONL: the raw value (arrays, objects) */
} row;

static char *strip_ext(const char *p);

/* Default clip id: the media path as the manifest gives it, without a
 * video extension or trailing '/'; an absolute path gives only its last
 * component, so ids never depend on where the dataset sits. */
static char *default_id(const char *media)
{
    size_t n = strlen(media);
    while (n > 1 && media[n - 1] == '/')
        n--;
    char *m = strndup(media, n);
    if (!m)
        return NULL;
    const char *b = m;
    if (m[0] == '/') {
        const char *sl = strrchr(m, '/');
        b = sl[1] ? sl + 1 : m;
    }
    char *id = strip_ext(b);
    free(m);
    return id;
}

static char *strip_ext(const char *p)
{
    static const char *const exts[] = { ".mp4", ".avi", ".webm", ".mkv", ".mov", ".m4v", NULL };
    size_t n = strlen(p);
    for (int i = 0; exts[i]; i++) {
        size_t e = strlen(exts[i]);
        if (n > e && strcasecmp(p + n - e, exts[i]) == 0)
            return strndup(p, n - e);
    }
    return strdup(p);
}

static int parse_bool(int *out, const char *s)
{
    if (!strcmp(s, "1") || !strcasecmp(s, "true") || !strcasecmp(s, "yes"))
        return *out = 1, 0;
    if (!strcmp(s, "0") || !strcasecmp(s, "false") || !strcasecmp(s, "no") || !*s)
        return *out = 0, 0;
    return -1;
}

#define OUTSIDE_MSG "path '%s' leaves the manifest's folder (absolute or '..'); " \
                    "--allow-outside-paths accepts it"

static int set_sidecar(import_sidecar *sc, const char *root, const char *val, int allow,
                       char *msg, size_t msz)
{
    if (!allow && import_path_escapes(val)) {
        snprintf(msg, msz, OUTSIDE_MSG, val);
        return SYNAPT_E_INPUT;
    }
    char *full = import_path_join(root, val);
    if (!full)
        return SYNAPT_E_NOMEM;
    int rc = import_sidecar_detect(sc, full, msg, msz);
    free(full);
    return rc;
}

/* Build a clip from a row; on a bad value writes the reason to msg and
 * returns SYNAPT_E_INPUT. */
static int build_clip(import_list *out, const row *r, const char *root, int allow, const char *file,
                      uint64_t line, char *msg, size_t msz)
{
    const char *video = r->v[C_VIDEO], *frames = r->v[C_FRAMES];
    int has_media = (video && *video) || (frames && *frames);
    int has_side = (r->v[C_POSE2D] && *r->v[C_POSE2D]) || (r->v[C_POSE3D] && *r->v[C_POSE3D]) ||
                   (r->v[C_DEPTH] && *r->v[C_DEPTH]) || (r->v[C_MASK] && *r->v[C_MASK]);
    if (video && *video && frames && *frames) {
        snprintf(msg, msz, "give one of \"video\" or \"frames\", not both");
        return SYNAPT_E_INPUT;
    }
    /* sidecar-only rows (skeleton datasets, packed with --no-video) need an id */
    if (!has_media && (!has_side || !r->v[C_ID] || !*r->v[C_ID])) {
        snprintf(msg, msz, has_side ? "a row without \"video\" or \"frames\" needs an \"id\""
                                    : "give \"video\" or \"frames\"");
        return SYNAPT_E_INPUT;
    }
    const char *media = video && *video ? video : frames;
    if (media && !allow && import_path_escapes(media)) {
        snprintf(msg, msz, OUTSIDE_MSG, media);
        return SYNAPT_E_INPUT;
    }
    char *id = r->v[C_ID] && *r->v[C_ID] ? strdup(r->v[C_ID]) : default_id(media);
    if (!id)
        return SYNAPT_E_NOMEM;
    int64_t start = -1, end = -1;
    if (r->v[C_START] && *r->v[C_START] &&
        import_parse_int(&start, r->v[C_START], 0, IMPORT_MAX_FRAMES)) {
        snprintf(msg, msz, "start_frame must be an integer 0..%u", IMPORT_MAX_FRAMES);
        free(id);
        return SYNAPT_E_INPUT;
    }
    if (r->v[C_END] && *r->v[C_END] && import_parse_int(&end, r->v[C_END], 1, IMPORT_MAX_FRAMES)) {
        snprintf(msg, msz, "end_frame must be an integer 1..%u", IMPORT_MAX_FRAMES);
        free(id);
        return SYNAPT_E_INPUT;
    }
    if (start >= 0 && end >= 0 && end <= start) {
        snprintf(msg, msz, "end_frame %lld must be greater than start_frame %lld (half-open range)",
                 (long long)end, (long long)start);
        free(id);
        return SYNAPT_E_INPUT;
    }
    int synth = 0;
    if (r->v[C_SYNTH] && parse_bool(&synth, r->v[C_SYNTH])) {
        snprintf(msg, msz, "synthetic must be true/false/1/0, got '%s'", r->v[C_SYNTH]);
        free(id);
        return SYNAPT_E_INPUT;
    }
    int skel = 0;
    if (r->v[C_SKEL] && *r->v[C_SKEL] && !(skel = synapt_skeleton_from_name(r->v[C_SKEL]))) {
        snprintf(msg, msz, "unknown skeleton '%s' (coco17, body25, ntu25, smpl24, h36m17, openpose18)",
                 r->v[C_SKEL]);
        free(id);
        return SYNAPT_E_INPUT;
    }
    double dscale = 0;
    if (r->v[C_DSCALE] && *r->v[C_DSCALE]) {
        char *e;
        dscale = strtod(r->v[C_DSCALE], &e);
        if (*e || !(dscale > 0) || !isfinite(dscale) || dscale > 1e6) {
            snprintf(msg, msz, "depth_scale must be a positive number (metres per unit)");
            free(id);
            return SYNAPT_E_INPUT;
        }
    }
    if (r->v[C_META] && *r->v[C_META]) {
        uint64_t jl;
        char why[256];
        cJSON *m = import_json_parse(r->v[C_META], strlen(r->v[C_META]), &jl, why, sizeof why);
        int ok = cJSON_IsObject(m);
        cJSON_Delete(m);
        if (!ok) {
            snprintf(msg, msz, "meta must be a JSON object%s%s", m ? "" : ": ", m ? "" : why);
            free(id);
            return SYNAPT_E_INPUT;
        }
    }
    import_clip *c;
    int rc = import_list_append(&c, out, id, file, line);
    free(id);
    if (rc)
        return rc;
    c->start_frame = start;
    c->end_frame = end;
    c->cut = start >= 0 || end >= 0;
    c->synthetic = synth;
    if (media) {
        char *full = import_path_join(root, media);
        if (!full)
            return SYNAPT_E_NOMEM;
        if (video && *video)
            c->video = full;
        else
            c->frames = full;
    }
    if (r->v[C_SPLIT] && *r->v[C_SPLIT] && !(c->split = strdup(r->v[C_SPLIT])))
        return SYNAPT_E_NOMEM;
    if (r->v[C_SOURCE] && *r->v[C_SOURCE] && !(c->source = strdup(r->v[C_SOURCE])))
        return SYNAPT_E_NOMEM;
    if (r->v[C_META] && *r->v[C_META] && !(c->meta_json = strdup(r->v[C_META])))
        return SYNAPT_E_NOMEM;
    /* labels: JSON array or "a|b" */
    const cJSON *jl = r->j[C_LABEL];
    if (jl && cJSON_IsArray(jl)) {
        for (const cJSON *e = jl->child; e && !rc; e = e->next) {
            if (!cJSON_IsString(e) || !*e->valuestring) {
                snprintf(msg, msz, "label array must hold non-empty strings");
                return SYNAPT_E_INPUT;
            }
            rc = import_clip_add_label(c, e->valuestring);
        }
    } else if (r->v[C_LABEL] && *r->v[C_LABEL]) {
        const char *p = r->v[C_LABEL];
        while (!rc) {
            const char *bar = strchr(p, '|');
            size_t n = bar ? (size_t)(bar - p) : strlen(p);
            char *one = strndup(p, n);
            if (!one)
                return SYNAPT_E_NOMEM;
            if (*one)
                rc = import_clip_add_label(c, one);
            free(one);
            if (!bar)
                break;
            p = bar + 1;
        }
    }
    if (rc) {
        snprintf(msg, msz, "%s", rc == SYNAPT_E_LIMIT ? "too many labels" : synapt_strerror(rc));
        return rc;
    }
    /* groups: JSON object, or "k=v|k2=v2", or a bare value under "group" */
    const cJSON *jg = r->j[C_GROUP];
    if (jg && cJSON_IsObject(jg)) {
        for (const cJSON *e = jg->child; e && !rc; e = e->next) {
            char num[32];
            const char *val = cJSON_IsString(e) ? e->valuestring : NULL;
            if (!val && cJSON_IsNumber(e) && fabs(e->valuedouble) < 9e15 &&
                e->valuedouble == (double)(long long)e->valuedouble) {
                snprintf(num, sizeof num, "%lld", (long long)e->valuedouble);
                val = num;
            }
            if (!val) {
                snprintf(msg, msz, "group '%s' must be a string or an integer", e->string);
                return SYNAPT_E_INPUT;
            }
            rc = import_clip_add_group(c, e->string, val);
        }
    } else if (r->v[C_GROUP] && *r->v[C_GROUP]) {
        const char *p = r->v[C_GROUP];
        while (!rc) {
            const char *bar = strchr(p, '|');
            size_t n = bar ? (size_t)(bar - p) : strlen(p);
            char *one = strndup(p, n);
            if (!one)
                return SYNAPT_E_NOMEM;
            char *eq = strchr(one, '=');
            if (eq) {
                *eq = 0;
                rc = *one ? import_clip_add_group(c, one, eq + 1) : SYNAPT_E_INPUT;
            } else if (*one) {
                rc = import_clip_add_group(c, "group", one);
            }
            free(one);
            if (rc == SYNAPT_E_INPUT) {
                snprintf(msg, msz, "group entries are 'key=value' or a bare value");
                return rc;
            }
            if (!bar)
                break;
            p = bar + 1;
        }
    }
    if (rc) {
        snprintf(msg, msz, "%s", synapt_strerror(rc));
        return rc;
    }
    static const int sc_cols[4] = { C_POSE2D, C_POSE3D, C_DEPTH, C_MASK };
    import_sidecar *scs[4] = { &c->pose2d, &c->pose3d, &c->depth, &c->mask };
    for (int i = 0; i < 4; i++) {
        const char *v = r->v[sc_cols[i]];
        if (!v || !*v)
            continue;
        if ((rc = set_sidecar(scs[i], root, v, allow, msg, msz)))
            return rc;
    }
    c->pose2d.skeleton = c->pose3d.skeleton = skel;
    c->depth.scale = dscale;
    const cJSON *jf = r->j[C_FLABELS];
    if (jf && cJSON_IsArray(jf)) {
        char *txt = cJSON_PrintUnformatted(jf);
        if (!txt || !(c->frame_labels.path = strdup("frame_labels"))) {
            free(txt);
            return SYNAPT_E_NOMEM;
        }
        c->frame_labels.kind = IMPORT_SC_JSON_ARRAY;
        c->frame_labels.inner = txt;
    } else if (r->v[C_FLABELS] && *r->v[C_FLABELS]) {
        const char *v = r->v[C_FLABELS];
        size_t n = strlen(v);
        if (!allow && import_path_escapes(v)) {
            snprintf(msg, msz, OUTSIDE_MSG, v);
            return SYNAPT_E_INPUT;
        }
        if (!(c->frame_labels.path = import_path_join(root, v)))
            return SYNAPT_E_NOMEM;
        c->frame_labels.kind = n > 4 && strcasecmp(v + n - 4, ".npy") == 0 ? IMPORT_SC_NPY : IMPORT_SC_NONE;
    }
    return 0;
}

static int parse_jsonl_line(row *r, cJSON *o, char *scratch[C_COUNT], char *msg, size_t msz)
{
    memset(r, 0, sizeof *r);
    if (!cJSON_IsObject(o)) {
        snprintf(msg, msz, "each line must be a JSON object");
        return SYNAPT_E_INPUT;
    }
    for (cJSON *e = o->child; e; e = e->next) {
        int c = col_of(e->string);
        if (c < 0) {
            snprintf(msg, msz, "unknown key '%s'", e->string);
            return SYNAPT_E_INPUT;
        }
        r->j[c] = e;
        if (cJSON_IsString(e)) {
            r->v[c] = e->valuestring;
        } else if (cJSON_IsNumber(e)) {
            char num[64];
            if (fabs(e->valuedouble) < 9e15 && e->valuedouble == (double)(long long)e->valuedouble)
                snprintf(num, sizeof num, "%lld", (long long)e->valuedouble);
            else
                snprintf(num, sizeof num, "%.17g", e->valuedouble);
            if (!(scratch[c] = strdup(num)))
                return SYNAPT_E_NOMEM;
            r->v[c] = scratch[c];
        } else if (cJSON_IsBool(e)) {
            r->v[c] = cJSON_IsTrue(e) ? "1" : "0";
        } else if (cJSON_IsObject(e) && c == C_META) {
            if (!(scratch[c] = cJSON_PrintUnformatted(e)))
                return SYNAPT_E_NOMEM;
            r->v[c] = scratch[c];
        } else if (cJSON_IsNull(e)) {
            r->j[c] = NULL;
        } else if (!((cJSON_IsArray(e) && (c == C_LABEL || c == C_FLABELS)) ||
                     (cJSON_IsObject(e) && c == C_GROUP))) {
            snprintf(msg, msz, "key '%s' has a value of the wrong type", e->string);
            return SYNAPT_E_INPUT;
        }
    }
    return 0;
}

int import_parse_manifest(import_list *out, const import_options *o, const char *path,
                          char *err, size_t errsz)
{
    import_options def = IMPORT_OPTIONS_INIT;
    if (!o)
        o = &def;
    char *dir = import_path_dir(path);
    char *root = dir ? strdup(o->root && *o->root ? o->root : dir) : NULL;
    char *buf = NULL, *line = malloc(IMPORT_MAX_LINE + 1);
    int rc = 0;
    if (!dir || !root || !line) {
        rc = SYNAPT_E_NOMEM;
        goto done;
    }
    /* --labels: the vocabulary integer frame labels index, in its order
     * (read once for several manifests) */
    if (o->labels_file && !out->class_count && (rc = layout_read_labels_file(out, o->labels_file, err, errsz)))
        goto done;
    size_t len;
    if ((rc = import_read_file(&buf, &len, path, 0, err, errsz)))
        goto done;
    size_t pl = strlen(path);
    int csv = pl > 4 && strcasecmp(path + pl - 4, ".csv") == 0;
    import_lines it = { buf, len, 0, 0 };
    int cols[64], ncols = 0;
    char *f[64];
    int r;
    if (csv) {
        while ((r = import_lines_next(&it, line)) == 1 && !line[strspn(line, " \t")])
            ;
        if (r != 1) {
            import_errf(err, errsz, path, it.lineno, r < 0 ? "header line too long" : "no header row");
            rc = SYNAPT_E_INPUT;
            goto done;
        }
        ncols = import_csv_split(line, ',', f, 64);
        if (ncols < 0) {
            import_errf(err, errsz, path, it.lineno, "header: bad CSV quoting or more than 64 columns");
            rc = SYNAPT_E_INPUT;
            goto done;
        }
        int seen[C_COUNT] = { 0 };
        for (int i = 0; i < ncols; i++) {
            cols[i] = col_of(f[i]);
            if (cols[i] < 0 || seen[cols[i]]++) {
                import_errf(err, errsz, path, it.lineno, cols[i] < 0 ? "unknown column '%s' (known: "
                            "video frames id label split source synthetic group start_frame end_frame "
                            "pose2d pose3d skeleton depth depth_scale mask frame_labels meta)" :
                            "column '%s' given twice", f[i]);
                rc = SYNAPT_E_INPUT;
                goto done;
            }
        }
    }
    while ((r = import_lines_next(&it, line)) != 0) {
        char msg[768] = "";
        uint64_t ln = it.lineno;
        if (r < 0) {
            if ((rc = import_bad_entry(out, o, err, errsz, path, ln, NULL,
                                       "line longer than %u bytes or holds a NUL byte", IMPORT_MAX_LINE)))
                goto done;
            continue;
        }
        const char *s = line + strspn(line, " \t");
        if (!*s || (!csv && *s == '#'))
            continue;
        row rw;
        char *scratch[C_COUNT] = { 0 };
        cJSON *obj = NULL;
        int brc;
        if (csv) {
            memset(&rw, 0, sizeof rw);
            int n = import_csv_split(line, ',', f, 64);
            if (n != ncols) {
                snprintf(msg, sizeof msg, n < 0 ? "bad CSV quoting" : "expected %d fields, got %d", ncols, n);
                brc = SYNAPT_E_INPUT;
            } else {
                for (int i = 0; i < n; i++)
                    rw.v[cols[i]] = f[i];
                brc = 0;
            }
        } else {
            uint64_t jl;
            char why[256];
            obj = import_json_parse(s, strlen(s), &jl, why, sizeof why);
            if (!obj) {
                snprintf(msg, sizeof msg, "%s", why);
                brc = SYNAPT_E_INPUT;
            } else if (import_json_exact_numbers(cJSON_GetObjectItemCaseSensitive(obj, "meta"))) {
                brc = SYNAPT_E_NOMEM;
            } else {
                brc = parse_jsonl_line(&rw, obj, scratch, msg, sizeof msg);
            }
        }
        size_t before = out->count;
        if (!brc)
            brc = build_clip(out, &rw, root, o->allow_outside_paths, path, ln, msg, sizeof msg);
        if (brc && out->count > before)
            import_list_pop(out); /* drop the half-built clip */
        for (int i = 0; i < C_COUNT; i++)
            free(scratch[i]);
        cJSON_Delete(obj);
        if (brc == SYNAPT_E_INPUT) {
            /* sidecar detection writes "path: reason"; everything else a bare reason */
            if ((rc = import_bad_entry(out, o, err, errsz, path, ln, NULL, "%s", msg)))
                goto done;
        } else if (brc) {
            import_errf(err, errsz, path, ln, "%s", *msg ? msg : synapt_strerror(brc));
            rc = brc;
            goto done;
        }
    }
done:
    if (rc == SYNAPT_E_NOMEM)
        import_errf(err, errsz, path, 0, "out of memory");
    free(line);
    free(buf);
    free(root);
    free(dir);
    return rc;
}
