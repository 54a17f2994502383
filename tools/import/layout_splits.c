/* layout_splits.c - the split files SynAPT's downstream evaluation used
 * ("<path>;<label id>" per line, and the older "path;start;end;label" of
 * its training code, with ";;" as the separator where names hold ';'),
 * read for one set at a time: each set's layout file (layout_uav_human.c,
 * layout_ikea_fa.c, layout_mini_ssv2.c, and the UCF101/HMDB51/Diving48
 * layouts for their split files) supplies a layout_split_set that checks
 * a path against the set's naming and says which class, group and frame
 * range it implies. */
#include "layout_common.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define OOM(err, errsz, file) \
    (import_errf((err), (errsz), (file), 0, "out of memory"), SYNAPT_E_NOMEM)

static const char *base_of(const char *p)
{
    const char *b = strrchr(p, '/');
    return b ? b + 1 : p;
}

/* train.csv / val.csv / test.csv (any case) -> the split it holds */
static const char *split_of_name(const char *path)
{
    const char *b = base_of(path);
    if (strcasecmp(b, "train.csv") == 0)
        return "train";
    if (strcasecmp(b, "val.csv") == 0)
        return "val";
    if (strcasecmp(b, "test.csv") == 0)
        return "test";
    return NULL;
}

int layout_split_is_input(const char *path)
{
    if (layout_is_dir(path)) {
        static const char *const n[] = { "train.csv", "val.csv", "test.csv", NULL };
        char *f = layout_find_in_dir(path, n);
        free(f);
        return f != NULL;
    }
    return split_of_name(path) != NULL;
}

/* Class names for a set: one a line, blank lines skipped (Mini-SSV2's
 * mini_ssv2.txt starts with one), names trimmed, no duplicates. */
static int read_names(char ***out, size_t *n, const char *path, char *err, size_t errsz)
{
    char *buf = NULL, *line = malloc(IMPORT_MAX_LINE + 1);
    size_t len;
    int rc = line ? import_read_file(&buf, &len, path, 16 << 20, err, errsz) : OOM(err, errsz, path);
    char **names = NULL;
    size_t cnt = 0;
    import_lines it = { buf, buf ? len : 0, 0, 0 };
    int r;
    while (!rc && (r = import_lines_next(&it, line)) != 0) {
        if (r < 0) {
            import_errf(err, errsz, path, it.lineno, "line too long or holds a NUL byte");
            rc = SYNAPT_E_INPUT;
            break;
        }
        char *s = layout_trim(line);
        if (!*s)
            continue;
        for (size_t i = 0; i < cnt; i++)
            if (strcmp(names[i], s) == 0) {
                import_errf(err, errsz, path, it.lineno, "class '%s' listed twice", s);
                rc = SYNAPT_E_INPUT;
            }
        if (!rc && cnt >= IMPORT_MAX_LABELS) {
            import_errf(err, errsz, path, it.lineno, "more than %u class names", IMPORT_MAX_LABELS);
            rc = SYNAPT_E_LIMIT;
        }
        char **nn = rc ? NULL : realloc(names, (cnt + 1) * sizeof *nn);
        if (!rc && (!nn || !(nn[cnt] = strdup(s)))) {
            if (nn)
                names = nn;
            rc = OOM(err, errsz, path);
        }
        if (!rc) {
            names = nn;
            cnt++;
        }
    }
    free(line);
    free(buf);
    if (rc) {
        for (size_t i = 0; i < cnt; i++)
            free(names[i]);
        free(names);
        return rc;
    }
    *out = names;
    *n = cnt;
    return 0;
}

typedef struct split_state {
    const layout_split_set *set;
    const import_options *o;
    import_list *out;
    const char *root;
    uint32_t n_classes;
    char **names;          /* n_classes entries; NULL where not known yet */
    int names_fixed;       /* names came from the set or a names file */
    uint64_t *per_class;   /* clips seen per label id */
} split_state;

/* "path;label", "path;start;end;label", or the same with ";;": fields are
 * taken from the right because HMDB51 names hold ';' ("..._;-)_..."). */
static int int_between(const char *a, const char *b)
{
    char tmp[24];
    int64_t v;
    size_t n = (size_t)(b - a);
    if (n == 0 || n >= sizeof tmp)
        return 0;
    memcpy(tmp, a, n);
    tmp[n] = 0;
    return import_parse_int(&v, tmp, 0, INT64_MAX) == 0;
}

static int split_line(char *s, char **path, char **start, char **end, char **label)
{
    const char *sep = strstr(s, ";;") ? ";;" : ";";
    size_t sl = strlen(sep);
    char *pos[3];
    int nf = 0;
    char *limit = s + strlen(s);
    while (nf < 3) {
        char *p = NULL;
        for (char *q = s; (q = strstr(q, sep)) && q + sl <= limit; q += sl)
            p = q;
        if (!p)
            break;
        pos[nf++] = p;
        limit = p;
    }
    if (nf == 0)
        return -1;
    *path = s;
    *start = *end = NULL;
    *label = pos[0] + sl;
    if (nf == 3 && int_between(pos[2] + sl, pos[1]) && int_between(pos[1] + sl, pos[0])) {
        *start = pos[2] + sl;
        *end = pos[1] + sl;
        *pos[1] = *pos[2] = 0;
    }
    *pos[0] = 0;
    return 0;
}

static int add_entry(split_state *st, const char *file, uint64_t lineno, const char *split,
                     char *s, char *err, size_t errsz)
{
    const layout_split_set *set = st->set;
    import_list *out = st->out;
    const import_options *o = st->o;
    char *vpath, *ts, *te, *lt;
    if (split_line(s, &vpath, &ts, &te, &lt) != 0)
        return import_bad_entry(out, o, err, errsz, file, lineno, NULL,
                                "expected '<path>;<label id>' or '<path>;<start>;<end>;<label id>'");
    vpath = layout_trim(vpath);
    lt = layout_trim(lt);
    if (!*vpath)
        return import_bad_entry(out, o, err, errsz, file, lineno, NULL, "empty path");
    if (!*lt)
        return import_bad_entry(out, o, err, errsz, file, lineno, NULL, "missing label id");
    if (!o->allow_outside_paths && import_path_escapes(vpath))
        return import_bad_entry(out, o, err, errsz, file, lineno, NULL,
                                "path '%s' leaves the root (absolute or '..'); "
                                "--allow-outside-paths accepts it", vpath);
    int64_t label, start = -1, end = -1;
    if (import_parse_int(&label, lt, 0, (int64_t)st->n_classes - 1) != 0)
        return import_bad_entry(out, o, err, errsz, file, lineno, NULL,
                                "label '%s' is not a class id 0..%u of %s", lt,
                                st->n_classes - 1, set->source);
    if (ts && (import_parse_int(&start, ts, 0, IMPORT_MAX_FRAMES) != 0 ||
               import_parse_int(&end, te, 1, IMPORT_MAX_FRAMES) != 0 || end <= start))
        return import_bad_entry(out, o, err, errsz, file, lineno, NULL,
                                "frame range '%s;%s' is not 0 <= start < end <= %u", ts, te,
                                IMPORT_MAX_FRAMES);
    layout_split_entry e;
    memset(&e, 0, sizeof e);
    e.start = e.end = -1;
    char why[512] = "";
    if (set->entry(&e, vpath, label, st->root, why, sizeof why) != 0)
        return import_bad_entry(out, o, err, errsz, file, lineno, NULL, "%s", why);
    const char *name = NULL;
    char num[24];
    if (e.cls[0]) {
        if (st->names[label] && strcmp(st->names[label], e.cls) != 0)
            return import_bad_entry(out, o, err, errsz, file, lineno, NULL,
                                    "label %lld is '%s' but the path says '%s'", (long long)label,
                                    st->names[label], e.cls);
        if (!st->names_fixed)
            for (uint32_t k = 0; k < st->n_classes; k++)
                if (k != label && st->names[k] && strcmp(st->names[k], e.cls) == 0)
                    return import_bad_entry(out, o, err, errsz, file, lineno, NULL,
                                            "class '%s' has label %lld here but %u before",
                                            e.cls, (long long)label, k);
        if (!st->names[label] && !(st->names[label] = strdup(e.cls)))
            return OOM(err, errsz, file);
    }
    if (st->names[label]) {
        name = st->names[label];
    } else {
        snprintf(num, sizeof num, "%lld", (long long)label);
        name = num;
    }
    char *id = layout_stem_of(vpath);
    char *full = import_path_join(st->root, e.video[0] ? e.video : vpath);
    import_clip *c = NULL;
    int rc = id && full ? import_list_append(&c, out, id, file, lineno) : SYNAPT_E_NOMEM;
    if (!rc)
        rc = import_clip_add_label(c, name);
    if (!rc && split)
        rc = layout_set_str(&c->split, split);
    if (!rc)
        rc = layout_set_str(&c->source, set->source);
    if (!rc && e.group[0])
        rc = import_clip_add_group(c, e.group_key, e.group);
    if (!rc && e.meta[0])
        rc = layout_set_str(&c->meta_json, e.meta);
    if (!rc) {
        c->video = full;
        full = NULL;
        /* an explicit range in the list wins over one the name implies */
        c->start_frame = ts ? start : e.start;
        c->end_frame = ts ? end : e.end;
        st->per_class[label]++;
    }
    free(id);
    free(full);
    if (rc)
        import_errf(err, errsz, file, lineno, "%s", synapt_strerror(rc));
    return rc;
}

static int read_list(split_state *st, const char *file, char *err, size_t errsz)
{
    char *buf = NULL, *line = malloc(IMPORT_MAX_LINE + 1);
    size_t len;
    int rc = line ? import_read_file(&buf, &len, file, 0, err, errsz) : OOM(err, errsz, file);
    const char *split = split_of_name(file);
    import_lines it = { buf, buf ? len : 0, 0, 0 };
    int r;
    while (!rc && (r = import_lines_next(&it, line)) != 0) {
        if (r < 0) {
            rc = import_bad_entry(st->out, st->o, err, errsz, file, it.lineno, NULL,
                                  "line too long or holds a NUL byte");
            continue;
        }
        char *s = layout_trim(line);
        if (!*s || *s == '#')
            continue;
        rc = add_entry(st, file, it.lineno, split, s, err, errsz);
    }
    free(line);
    free(buf);
    return rc;
}

/* The class vocabulary goes into the list once, in label-id order, so the
 * packed label ids are the split files' ids; an id no clip uses keeps its
 * place (Diving48's 30), named when a names file says how. */
static int commit_classes(split_state *st, const char *path, char *err, size_t errsz)
{
    import_list *out = st->out;
    uint32_t n = st->n_classes;
    char absent[256] = "";
    size_t alen = 0, missing = 0, unnamed = 0;
    for (uint32_t k = 0; k < n; k++) {
        if (!st->per_class[k]) {
            if (missing++ < 12)
                alen += (size_t)snprintf(absent + alen, sizeof absent - alen, "%s%u",
                                         alen ? ", " : "", k);
        }
        if (!st->names[k])
            unnamed++;
    }
    if (missing && !(missing == n))
        import_list_warn(out, "%s: %zu of %u %s class id(s) have no clip in these lists (%s%s); "
                         "ids are kept as listed, not renumbered", path, missing, n,
                         st->set->source, absent, missing > 12 ? ", ..." : "");
    if (unnamed == n)
        import_list_warn(out, "%s: no class names for %s: labels are the numeric ids 0..%u; "
                         "give --labels FILE (one name a line, in id order) to name them",
                         path, st->set->source, n - 1);
    else if (unnamed)
        import_list_warn(out, "%s: %zu %s class id(s) have no name (no clip shows one); "
                         "they are named by their number", path, unnamed, st->set->source);
    /* several inputs of one set (train.csv and val.csv given apart) share
     * one vocabulary; a second, different one cannot be merged silently */
    if (out->class_count) {
        int same = out->class_count == n;
        for (uint32_t k = 0; same && k < n; k++) {
            char num[24];
            snprintf(num, sizeof num, "%u", k);
            same = strcmp(out->classes[k], st->names[k] ? st->names[k] : num) == 0;
        }
        if (same)
            return 0;
        if (!st->names_fixed) {
            import_errf(err, errsz, path, 0, "the classes these lists show differ from the "
                        "earlier input's; give both lists in one folder or as one input");
            return SYNAPT_E_INPUT;
        }
    }
    for (uint32_t k = 0; k < n; k++) {
        char num[24];
        snprintf(num, sizeof num, "%u", k);
        int rc = import_list_add_class(out, st->names[k] ? st->names[k] : num);
        if (rc)
            return OOM(err, errsz, path);
    }
    return 0;
}

static int load_names(split_state *st, const char *dir, const char *path, char *err, size_t errsz)
{
    const layout_split_set *set = st->set;
    char **names = NULL;
    size_t cnt = 0;
    int rc = 0;
    if (set->names) {
        for (uint32_t k = 0; k < set->n_classes; k++)
            if (!(st->names[k] = strdup(set->names[k])))
                return OOM(err, errsz, path);
        st->names_fixed = 1;
        return 0;
    }
    if (set->name_format && !st->o->labels_file) {
        for (uint32_t k = 0; k < set->n_classes; k++) {
            char name[64];
            snprintf(name, sizeof name, set->name_format, k);
            if (!(st->names[k] = strdup(name)))
                return OOM(err, errsz, path);
        }
        st->names_fixed = 1;
        return 0;
    }
    const char *nf = st->o->labels_file;
    char *found = NULL;
    if (!nf && set->names_file) {
        /* beside the list, or up to two folders up (the split lists sit
         * in splits/<set>/, the class files at the top of the repository) */
        const char *const cand[] = { set->names_file, NULL };
        found = layout_find_in_dir(dir, cand);
        char *up = found ? NULL : import_path_join(dir, "..");
        found = up && !found ? layout_find_in_dir(up, cand) : found;
        char *up2 = up && !found ? import_path_join(up, "..") : NULL;
        found = up2 && !found ? layout_find_in_dir(up2, cand) : found;
        free(up2);
        free(up);
        nf = found;
    }
    if (!nf)
        return 0;
    size_t nl = strlen(nf);
    if (set->names_json && nl > 5 && strcasecmp(nf + nl - 5, ".json") == 0) {
        import_list tmp;
        import_list_init(&tmp);
        rc = set->names_json(&tmp, nf, err, errsz);
        if (!rc) {
            names = tmp.classes;
            cnt = tmp.class_count;
            tmp.classes = NULL;
            tmp.class_count = 0;
        }
        import_list_free(&tmp);
    } else {
        rc = read_names(&names, &cnt, nf, err, errsz);
    }
    if (!rc && cnt != set->n_classes) {
        import_errf(err, errsz, nf, 0, "%zu class names, but %s has %u classes", cnt,
                    set->source, set->n_classes);
        rc = SYNAPT_E_INPUT;
    }
    for (size_t k = 0; k < cnt; k++) {
        if (!rc)
            st->names[k] = names[k];
        else
            free(names[k]);
    }
    free(names);
    if (!rc)
        st->names_fixed = 1;
    free(found);
    return rc;
}

int layout_split_parse(import_list *out, const import_options *o, const char *path,
                       const layout_split_set *set, char *err, size_t errsz)
{
    import_options def = IMPORT_OPTIONS_INIT;
    if (!o)
        o = &def;
    int folder = layout_is_dir(path);
    char *dir = folder ? strdup(path) : import_path_dir(path);
    char *root = dir ? layout_root_for(o, dir) : NULL;
    split_state st = { set, o, out, root, set->n_classes, NULL, 0, NULL };
    st.names = calloc(set->n_classes, sizeof *st.names);
    st.per_class = calloc(set->n_classes, sizeof *st.per_class);
    int rc = 0, any = 0;
    if (!dir || !root || !st.names || !st.per_class) {
        rc = OOM(err, errsz, path);
        goto done;
    }
    if ((rc = load_names(&st, dir, path, err, errsz)))
        goto done;
    if (!folder) {
        rc = read_list(&st, path, err, errsz);
        any = 1;
    } else {
        static const char *const lists[] = { "train.csv", "val.csv", "test.csv" };
        for (int i = 0; i < 3 && !rc; i++) {
            const char *const one[] = { lists[i], NULL };
            char *f = layout_find_in_dir(dir, one);
            if (f) {
                rc = read_list(&st, f, err, errsz);
                any = 1;
            }
            free(f);
        }
        if (!rc && !any) {
            import_errf(err, errsz, dir, 0, "no train.csv, val.csv or test.csv here");
            rc = SYNAPT_E_INPUT;
        }
    }
    if (!rc)
        rc = commit_classes(&st, path, err, errsz);
done:
    if (st.names)
        for (uint32_t k = 0; k < set->n_classes; k++)
            free(st.names[k]);
    free(st.names);
    free(st.per_class);
    free(root);
    free(dir);
    return rc;
}

/* Which set a split list belongs to, from its first entry's path (the
 * PPMA lists put each set's own folder first). */
const char *layout_split_detect(const char *first_line)
{
    static const struct { const char *prefix, *format; } known[] = {
        { "uav_human/", "uav-human" },
        { "ikea_furniture/", "ikea-fa" },
        { "something2something-v2/", "mini-ssv2" },
        { "something-something-v2/", "mini-ssv2" },
        { "diving48/", "diving48" },
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strncmp(first_line, known[i].prefix, strlen(known[i].prefix)) == 0)
            return known[i].format;
    const char *sl = strchr(first_line, '/');
    if (sl && strncmp(sl + 1, "v_", 2) == 0 && strstr(sl, "_g") && strstr(sl, "_c"))
        return "ucf101";
    /* HMDB51 names end in _<quality>_<clip no> (goo, med, bad) */
    if (sl && (strstr(sl, "_goo_") || strstr(sl, "_med_") || strstr(sl, "_bad_")))
        return "hmdb51";
    return NULL;
}
