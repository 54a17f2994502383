/* merge_plan.c - synapt-merge's plan and copy (see merge.h).
 *
 * Everything that can refuse the merge (an unmapped label, a duplicate id,
 * an output that is an input) is decided on the plan, before the output is
 * created, so a refused merge writes nothing. The copy is single-threaded
 * and the writer deterministic: the same inputs and options give the same
 * bytes. */
#include "merge.h"
#include "cli/cli.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* ---- the label map ---- */

/* One row of the map; target NULL drops the label. A (source, label) may
 * have several rows: SynAPT put clips of one NTU action into two classes,
 * which a one-to-one map cannot say; such clips get every target, the
 * first row's as their class. */
typedef struct map_entry { char *source, *label, *target; size_t row; } map_entry;
typedef struct label_map { map_entry *e; size_t n, fan; } label_map;  /* fan: most rows of one key */

static int cmp_key_only(const map_entry *x, const map_entry *y)
{
    int c = strcmp(x->label, y->label);
    return c ? c : strcmp(x->source, y->source);
}
static int cmp_map(const void *a, const void *b)
{
    const map_entry *x = a, *y = b;
    int c = cmp_key_only(x, y);
    return c ? c : (x->row < y->row ? -1 : x->row > y->row);
}
static int cmp_map_key(const void *a, const void *b)
{
    return cmp_key_only(a, b);
}

static void map_add(label_map *m, const char *src, const char *label, const char *target)
{
    m->e = merge_xrealloc(m->e, (m->n + 1) * sizeof *m->e);
    m->e[m->n].source = merge_xstrdup(src);
    m->e[m->n].label = merge_xstrdup(label);
    m->e[m->n].target = target ? merge_xstrdup(target) : NULL;
    m->e[m->n].row = m->n;
    m->n++;
}

/* CSV with the header source,label,target (no quoting: names with commas
 * go in the JSON form), or a JSON array of {"source","label","target"}.
 * An empty or null target drops the label. */
static int map_load(label_map *m, const char *path)
{
    if (cli_check_input(path)) return -1;
    FILE *f = fopen(path, "rb");
    if (!f) { cli_error(path, "cannot open the map: %s", strerror(errno)); return -1; }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (len < 0 || len > (64l << 20)) { fclose(f); cli_error(path, "map larger than 64 MiB"); return -1; }
    char *text = merge_xmalloc((size_t)len + 1);
    size_t got = fread(text, 1, (size_t)len, f);
    fclose(f);
    text[got] = 0;
    int rc = 0;
    const char *t = text;
    while (*t == ' ' || *t == '\n' || *t == '\r' || *t == '\t') t++;
    if (*t == '[') {
        cJSON *root = cJSON_ParseWithLength(text, got);
        if (!cJSON_IsArray(root)) {
            cli_error(path, "the map is not a JSON array of {\"source\",\"label\",\"target\"}");
            rc = -1;
        }
        int i = 0;
        for (const cJSON *c = root ? root->child : NULL; c && !rc; c = c->next, i++) {
            const cJSON *s = cJSON_GetObjectItemCaseSensitive(c, "source"),
                        *l = cJSON_GetObjectItemCaseSensitive(c, "label"),
                        *g = cJSON_GetObjectItemCaseSensitive(c, "target");
            if (!cJSON_IsString(s) || !cJSON_IsString(l) || !(cJSON_IsString(g) || cJSON_IsNull(g))) {
                cli_error(path, "map entry %d: needs string \"source\", \"label\" and \"target\" (string or null)", i);
                rc = -1;
                break;
            }
            map_add(m, s->valuestring, l->valuestring,
                    cJSON_IsString(g) && *g->valuestring ? g->valuestring : NULL);
        }
        cJSON_Delete(root);
    } else {
        char *save = NULL;
        int line = 0;
        for (char *ln = strtok_r(text, "\n", &save); ln && !rc; ln = strtok_r(NULL, "\n", &save)) {
            line++;
            size_t l = strlen(ln);
            if (l && ln[l - 1] == '\r') ln[--l] = 0;
            if (line == 1) {
                if (strcmp(ln, "source,label,target")) {
                    cli_error(path, "line 1: the header must be 'source,label,target'");
                    rc = -1;
                }
                continue;
            }
            if (!l) continue;
            char *c1 = strchr(ln, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
            if (!c2 || strchr(c2 + 1, ',')) {
                cli_error(path, "line %d: expected 3 comma-separated fields", line);
                rc = -1;
                break;
            }
            *c1 = *c2 = 0;
            if (!*ln || !c1[1]) {
                cli_error(path, "line %d: empty source or label ('*' means any source)", line);
                rc = -1;
                break;
            }
            map_add(m, ln, c1 + 1, c2[1] ? c2 + 1 : NULL);
        }
    }
    free(text);
    if (!rc) {
        qsort(m->e, m->n, sizeof *m->e, cmp_map);
        m->fan = m->n ? 1 : 0;
        for (size_t i = 0, j; i < m->n && !rc; i = j) {
            for (j = i + 1; j < m->n && !cmp_key_only(&m->e[i], &m->e[j]); j++) {
                for (size_t k = i; k < j && !rc; k++) {
                    const char *a = m->e[k].target, *b = m->e[j].target;
                    if (!a || !b || !strcmp(a, b)) {
                        cli_error(path, "source '%s' label '%s' is mapped twice%s", cli_disp(m->e[j].source),
                                  cli_disp(m->e[j].label), !a || !b ? " (once to nothing)" : " to the same target");
                        rc = -1;
                    }
                }
            }
            if (j - i > m->fan) m->fan = j - i;
        }
    }
    return rc;
}

/* The rows for (source, label), the exact source first, then '*': the
 * first of them (in file order) and their count in *n; NULL when none. */
static const map_entry *map_find(size_t *n, const label_map *m, const char *source, const char *label)
{
    map_entry key = { (char *)source, (char *)label, NULL, 0 };
    const map_entry *e = bsearch(&key, m->e, m->n, sizeof *m->e, cmp_map_key);
    if (!e) {
        key.source = "*";
        e = bsearch(&key, m->e, m->n, sizeof *m->e, cmp_map_key);
    }
    if (!e) return NULL;
    while (e > m->e && !cmp_key_only(e - 1, e)) e--;
    const map_entry *end = e + 1;
    while (end < m->e + m->n && !cmp_key_only(e, end)) end++;
    *n = (size_t)(end - e);
    return e;
}

/* ---- the plan ---- */

typedef struct item {
    uint32_t in;                 /* input */
    uint64_t g;                  /* dataset clip of that input */
    char *id, *orig_id, *source;
    const char **labels;         /* output label names (borrowed: map or dataset) */
    const char **orig;           /* input label names */
    size_t nlabels, norig;
    uint64_t key;                /* content hash (chunk checksums) */
    int drop;
} item;

typedef struct plan {
    merge_inputs in;
    synapt_dataset **ds;         /* in.v[i].ds, by input */
    size_t nds;
    item *it;
    size_t n, cap;
} plan;

static int build_items(plan *p, const merge_options *o, const label_map *map)
{
    uint32_t *ids = NULL;
    size_t idcap = 0;
    merge_strset unmapped = { 0 };
    char **unm = NULL;
    size_t nunm = 0;
    int rc = 0;
    for (size_t in = 0; in < p->nds && !rc; in++) {
        synapt_dataset *ds = p->ds[in];
        uint64_t n = synapt_dataset_clip_count(ds);
        for (uint64_t g = 0; g < n; g++) {
            synapt_clip_info ci;
            size_t cnt = 0;
            int r = synapt_dataset_clip(&ci, ds, g);
            if (!r && ci.label_count > idcap) {
                idcap = ci.label_count;
                ids = merge_xrealloc(ids, idcap * sizeof *ids);
            }
            if (!r) r = synapt_dataset_clip_labels(ids, idcap, &cnt, ds, g);
            if (r) {
                cli_error_msg(o->inputs[in], synapt_dataset_errmsg(ds));
                rc = -1;
                break;
            }
            if (p->n == p->cap) {
                p->cap = p->cap ? p->cap * 2 : 1024;
                p->it = merge_xrealloc(p->it, p->cap * sizeof *p->it);
            }
            item *it = &p->it[p->n++];
            memset(it, 0, sizeof *it);
            it->in = (uint32_t)in;
            it->g = g;
            it->id = merge_xstrdup(ci.id);
            it->orig_id = merge_xstrdup(ci.id);
            it->source = merge_xstrdup(ci.source);
            it->orig = merge_xmalloc(cnt * sizeof *it->orig);
            it->labels = merge_xmalloc(cnt * (map && map->fan > 1 ? map->fan : 1) * sizeof *it->labels);
            it->norig = cnt;
            for (size_t k = 0; k < cnt; k++) {
                const char *name = synapt_dataset_label_name(ds, ids[k]);
                it->orig[k] = name;
                const char *target = name;
                const map_entry *e = NULL;
                size_t ne = 0;
                if (map) {
                    e = map_find(&ne, map, ci.source, name);
                    if (e) target = e->target;
                    else if (o->unmapped == MERGE_UNMAPPED_DROP) { it->drop = 1; target = NULL; }
                    else if (o->unmapped == MERGE_UNMAPPED_ERROR) {
                        char key[600];
                        snprintf(key, sizeof key, "%s,%s", ci.source, name);
                        if (!merge_strset_has(&unmapped, key)) {
                            unm = merge_xrealloc(unm, (nunm + 1) * sizeof *unm);
                            unm[nunm] = merge_xstrdup(key);
                            merge_strset_add(&unmapped, unm[nunm++]);
                        }
                        target = NULL;
                    }
                }
                for (size_t q = 0; q < (e ? ne : 1); q++) {
                    if (e) target = e[q].target;
                    if (!target) continue;
                    size_t j = 0;
                    while (j < it->nlabels && strcmp(it->labels[j], target)) j++;
                    if (j == it->nlabels) it->labels[it->nlabels++] = target;
                }
            }
        }
    }
    if (!rc && nunm) {
        for (size_t i = 0; i < nunm && i < 20; i++)
            cli_error(o->map_path, "no target for source,label '%s'", cli_disp(unm[i]));
        if (nunm > 20) cli_error(o->map_path, "... and %zu more unmapped source labels", nunm - 20);
        cli_error(o->map_path, "%zu source labels unmapped: add them to the map, or use --unmapped drop|keep", nunm);
        rc = -1;
    }
    for (size_t i = 0; i < nunm; i++) free(unm[i]);
    free(unm);
    merge_strset_free(&unmapped);
    free(ids);
    return rc;
}

/* A cheap key from the index alone (stream names, chunk sizes and frame
 * counts): clips with different keys are different, so the exact key
 * below reads chunks only where keys collide. */
static int content_keys(plan *p, const merge_options *o)
{
    for (size_t i = 0; i < p->n; i++) {
        item *it = &p->it[i];
        if (it->drop) continue;
        synapt_reader *r;
        uint64_t mc;
        synapt_dataset *ds = p->ds[it->in];
        if (synapt_dataset_acquire(&r, &mc, ds, it->g)) {
            cli_error_msg(o->inputs[it->in], synapt_dataset_errmsg(ds));
            return -1;
        }
        XXH3_state_t *st = XXH3_createState();
        XXH3_64bits_reset(st);
        synapt_clip_info ci;
        int rc = synapt_reader_clip(&ci, r, mc);
        for (uint32_t s = 0; !rc && s < ci.stream_count; s++) {
            synapt_stream_info si;
            if ((rc = synapt_reader_stream(&si, r, mc, s))) break;
            XXH3_64bits_update(st, si.name, strlen(si.name) + 1);
            for (uint64_t c = 0; c < si.chunk_count && !rc; c++) {
                synapt_chunk_info ch;
                if (!(rc = synapt_reader_chunk(&ch, r, mc, s, c))) {
                    uint64_t v[4] = { ch.frame_count, ch.stored_bytes, ch.raw_bytes,
                                      (uint64_t)ch.compression << 8 | (uint64_t)ch.filter };
                    XXH3_64bits_update(st, v, sizeof v);
                }
            }
        }
        it->key = XXH3_64bits_digest(st);
        XXH3_freeState(st);
        if (rc) cli_error_msg(o->inputs[it->in], synapt_reader_errmsg(r));
        synapt_dataset_release(ds, r);
        if (rc) return -1;
    }
    return 0;
}

static int cmp_key(const void *a, const void *b)
{
    const item *const *x = a, *const *y = b;
    if ((*x)->key != (*y)->key) return (*x)->key < (*y)->key ? -1 : 1;
    return *x < *y ? -1 : *x > *y;
}

/* A sampled key: of every chunk record, the chunk header after clip_index
 * and stream_index (which a copy changes; spec/format.md 6.1) and the last
 * 4 KiB of the payload, read straight from the member file at the offsets
 * the index gives (a record's body starts 16 bytes in; section 4). Clips
 * that share an index shape (fixed-size raw frames, say) almost always
 * differ there already, so the bulk of the data is read only for clips
 * that are still equal, by exact_key. A short read only weakens the key:
 * the copy verifies every chunk it reads. */
static int sample_key(plan *p, const merge_options *o, item *it)
{
    synapt_dataset *ds = p->ds[it->in];
    uint32_t m;
    uint64_t mc;
    synapt_dataset_member mi;
    synapt_reader *r;
    if (synapt_dataset_locate(&m, &mc, ds, it->g) || synapt_dataset_member_info(&mi, ds, m) ||
        synapt_dataset_acquire(&r, &mc, ds, it->g)) {
        cli_error_msg(o->inputs[it->in], synapt_dataset_errmsg(ds));
        return -1;
    }
    int fd = open(mi.resolved_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        cli_error(mi.resolved_path, "cannot open: %s", strerror(errno));
        synapt_dataset_release(ds, r);
        return -1;
    }
    XXH3_state_t *st = XXH3_createState();
    XXH3_64bits_reset(st);
    XXH3_64bits_update(st, &it->key, sizeof it->key);
    uint8_t buf[4096 + 40];
    synapt_clip_info ci;
    int rc = synapt_reader_clip(&ci, r, mc);
    for (uint32_t s = 0; !rc && s < ci.stream_count; s++) {
        synapt_stream_info si;
        if ((rc = synapt_reader_stream(&si, r, mc, s))) break;
        for (uint64_t c = 0; c < si.chunk_count && !rc; c++) {
            synapt_chunk_info ch;
            if ((rc = synapt_reader_chunk(&ch, r, mc, s, c))) break;
            uint64_t body = ch.file_offset + 16, len = ch.record_bytes > 24 ? ch.record_bytes - 24 : 0;
            uint64_t head = len < 48 ? len : 48, tail = len - head < 4096 ? len - head : 4096;
            ssize_t a = head > 8 ? pread(fd, buf, head - 8, (off_t)(body + 8)) : 0;
            ssize_t b = tail ? pread(fd, buf + 40, tail, (off_t)(body + len - tail)) : 0;
            if (a > 0) XXH3_64bits_update(st, buf, (size_t)a);
            if (b > 0) XXH3_64bits_update(st, buf + 40, (size_t)b);
        }
    }
    it->key = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    close(fd);
    if (rc) cli_error_msg(o->inputs[it->in], synapt_reader_errmsg(r));
    synapt_dataset_release(ds, r);
    return rc ? -1 : 0;
}

/* The exact key: every chunk body without its first 8 bytes (clip_index
 * and stream_index). Equal keys are the same chunks: exact duplicates,
 * whatever the ids and labels. The previous key is mixed in, so a refined
 * key never confuses clips the last one told apart. */
static int exact_key(plan *p, const merge_options *o, item *it)
{
    synapt_reader *r;
    uint64_t mc;
    synapt_dataset *ds = p->ds[it->in];
    if (synapt_dataset_acquire(&r, &mc, ds, it->g)) {
        cli_error_msg(o->inputs[it->in], synapt_dataset_errmsg(ds));
        return -1;
    }
    XXH3_state_t *st = XXH3_createState();
    XXH3_64bits_reset(st);
    XXH3_64bits_update(st, &it->key, sizeof it->key);
    synapt_clip_info ci;
    uint8_t *buf = NULL;
    size_t cap = 0;
    int rc = synapt_reader_clip(&ci, r, mc);
    for (uint32_t s = 0; !rc && s < ci.stream_count; s++) {
        synapt_stream_info si;
        if ((rc = synapt_reader_stream(&si, r, mc, s))) break;
        XXH3_64bits_update(st, si.name, strlen(si.name) + 1);
        for (uint64_t c = 0; c < si.chunk_count && !rc; c++) {
            size_t got = 0;
            rc = synapt_reader_read_chunk_body(buf, cap, &got, r, mc, s, c);
            if (rc == SYNAPT_E_BUFFER) {
                cap = got;
                buf = merge_xrealloc(buf, cap);
                rc = synapt_reader_read_chunk_body(buf, cap, &got, r, mc, s, c);
            }
            if (!rc && got > 8) XXH3_64bits_update(st, buf + 8, got - 8);
        }
    }
    it->key = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    free(buf);
    if (rc) cli_error_msg(o->inputs[it->in], synapt_reader_errmsg(r));
    synapt_dataset_release(ds, r);
    return rc ? -1 : 0;
}

static int dedupe(plan *p, const merge_options *o)
{
    item **v = merge_xmalloc(p->n * sizeof *v);
    size_t n = 0, dups = 0;
    for (size_t i = 0; i < p->n; i++) if (!p->it[i].drop) v[n++] = &p->it[i];
    qsort(v, n, sizeof *v, cmp_key);
    /* refine colliding keys, samples then everything, sorting again after
     * each round: only clips still equal are read further */
    for (int level = 0; level < 2; level++) {
        int again = 0;
        for (size_t i = 0; i < n;) {
            size_t j = i + 1;
            while (j < n && v[j]->key == v[i]->key) j++;
            if (j - i > 1) {
                again = 1;
                for (size_t k = i; k < j; k++)
                    if ((level == 0 ? sample_key(p, o, v[k]) : exact_key(p, o, v[k]))) {
                        free(v);
                        return -1;
                    }
            }
            i = j;
        }
        if (!again) break;
        qsort(v, n, sizeof *v, cmp_key);
    }
    for (size_t i = 1; i < n; i++)
        if (v[i]->key == v[i - 1]->key) {
            dups++;
            if (cli_verbosity() > 0 || !o->dedupe)
                cli_warn(o->inputs[v[i]->in], "clip '%s' has the same chunks as clip '%s' of %s%s",
                         cli_disp(v[i]->orig_id), cli_disp(v[i - 1]->orig_id), o->inputs[v[i - 1]->in],
                         o->dedupe ? " (dropped)" : "");
            if (o->dedupe) v[i]->drop = 1;
        }
    if (dups && cli_verbosity() >= 0)
        cli_info("%zu exact duplicate clip%s %s", dups, dups == 1 ? "" : "s",
                 o->dedupe ? "dropped" : "found (--dedupe drops them)");
    free(v);
    return 0;
}

static int resolve_ids(plan *p, const merge_options *o)
{
    merge_strset seen = { 0 };
    int rc = 0;
    size_t ndup = 0;
    for (size_t i = 0; i < p->n; i++) {
        item *it = &p->it[i];
        if (it->drop) continue;
        if (!merge_strset_has(&seen, it->id)) { merge_strset_add(&seen, it->id); continue; }
        if (o->on_duplicate == MERGE_DUP_SKIP) { it->drop = 1; ndup++; continue; }
        if (o->on_duplicate == MERGE_DUP_ERROR) {
            if (ndup++ < 20)
                cli_error(o->inputs[it->in], "clip id '%s' is already taken by an earlier input",
                          cli_disp(it->id));
            rc = -1;
            continue;
        }
        size_t l = strlen(it->id) + 24;
        char *nid = merge_xmalloc(l);
        for (unsigned k = 2;; k++) {
            snprintf(nid, l, "%s~%u", it->orig_id, k);
            if (!merge_strset_has(&seen, nid)) break;
        }
        free(it->id);
        it->id = nid;
        merge_strset_add(&seen, it->id);
        ndup++;
    }
    if (rc) cli_error(NULL, "%zu duplicate clip ids: use --on-duplicate rename|skip", ndup);
    else if (ndup && cli_verbosity() >= 0)
        cli_info("%zu duplicate clip id%s %s", ndup, ndup == 1 ? "" : "s",
                 o->on_duplicate == MERGE_DUP_SKIP ? "skipped" : "renamed (ID~N)");
    merge_strset_free(&seen);
    return rc;
}

/* ---- --per-class ---- */

typedef struct cls { const char *name; size_t *ix; size_t n; } cls;

static int cmp_cls(const void *a, const void *b)
{
    return strcmp(((const cls *)a)->name, ((const cls *)b)->name);
}
static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* Choose k of the n indices v[] (seeded); the chosen stay in v[0..k), sorted. */
static void sample(size_t *v, size_t n, size_t k, uint64_t *rng)
{
    for (size_t i = 0; i < k && i < n; i++) {
        size_t j = i + (size_t)(rng_next(rng) % (n - i));
        size_t t = v[i]; v[i] = v[j]; v[j] = t;
    }
    qsort(v, k < n ? k : n, sizeof *v, cmp_size);
}

static void per_class(plan *p, const merge_options *o)
{
    cls *c = NULL;
    size_t nc = 0;
    /* classes by first output label; a linear scan per item is fine at
     * SynAPT's 150 classes, and a sort afterwards fixes the order */
    for (size_t i = 0; i < p->n; i++) {
        item *it = &p->it[i];
        if (it->drop) continue;
        const char *name = it->nlabels ? it->labels[0] : "";
        size_t k = 0;
        while (k < nc && strcmp(c[k].name, name)) k++;
        if (k == nc) {
            c = merge_xrealloc(c, (nc + 1) * sizeof *c);
            c[nc].name = name;
            c[nc].ix = NULL;
            c[nc].n = 0;
            nc++;
        }
        c[k].ix = merge_xrealloc(c[k].ix, (c[k].n + 1) * sizeof *c[k].ix);
        c[k].ix[c[k].n++] = i;
    }
    qsort(c, nc, sizeof *c, cmp_cls);
    uint64_t rng = o->seed;
    printf("class\tsource\tavailable\tkept\n");
    for (size_t k = 0; k < nc; k++) {
        /* sources of this class, in order of first appearance */
        const char **src = NULL;
        size_t ns = 0, *cnt = NULL, *take = NULL;
        for (size_t j = 0; j < c[k].n; j++) {
            const char *s = p->it[c[k].ix[j]].source;
            size_t q = 0;
            while (q < ns && strcmp(src[q], s)) q++;
            if (q == ns) {
                src = merge_xrealloc(src, (ns + 1) * sizeof *src);
                cnt = merge_xrealloc(cnt, (ns + 1) * sizeof *cnt);
                src[ns] = s;
                cnt[ns++] = 0;
            }
            cnt[q]++;
        }
        take = merge_xmalloc(ns * sizeof *take);
        size_t want = c[k].n < o->per_class ? c[k].n : (size_t)o->per_class;
        if (o->balance_sources) {
            /* equal shares; what a small source cannot give goes to the others */
            size_t rem = want;
            for (size_t q = 0; q < ns; q++) take[q] = 0;
            while (rem) {
                size_t open = 0;
                for (size_t q = 0; q < ns; q++) if (take[q] < cnt[q]) open++;
                if (!open) break;
                size_t share = rem / open ? rem / open : 1;
                for (size_t q = 0; q < ns && rem; q++) {
                    size_t add = cnt[q] - take[q] < share ? cnt[q] - take[q] : share;
                    if (add > rem) add = rem;
                    take[q] += add;
                    rem -= add;
                }
            }
            for (size_t q = 0; q < ns; q++) {
                size_t *v = merge_xmalloc(cnt[q] * sizeof *v), m = 0;
                for (size_t j = 0; j < c[k].n; j++)
                    if (!strcmp(p->it[c[k].ix[j]].source, src[q])) v[m++] = c[k].ix[j];
                sample(v, m, take[q], &rng);
                for (size_t j = take[q]; j < m; j++) p->it[v[j]].drop = 1;
                free(v);
            }
        } else {
            size_t *v = merge_xmalloc(c[k].n * sizeof *v);
            memcpy(v, c[k].ix, c[k].n * sizeof *v);
            sample(v, c[k].n, want, &rng);
            for (size_t j = want; j < c[k].n; j++) p->it[v[j]].drop = 1;
            for (size_t q = 0; q < ns; q++) take[q] = 0;
            for (size_t j = 0; j < want; j++)
                for (size_t q = 0; q < ns; q++)
                    if (!strcmp(p->it[v[j]].source, src[q])) take[q]++;
            free(v);
        }
        for (size_t q = 0; q < ns; q++)
            printf("%s\t%s\t%zu\t%zu\n", *c[k].name ? c[k].name : "-", *src[q] ? src[q] : "-",
                   cnt[q], take[q]);
        free(src);
        free(cnt);
        free(take);
        free(c[k].ix);
    }
    free(c);
}

/* ---- output ---- */

/* The clip's meta with {"provenance": {...}} added, unless it has one
 * already (a merge of a merge keeps the first origin). */
static char *meta_with_provenance(const synapt_clip_info *ci, const item *it, const uint8_t uuid[16])
{
    cJSON *m = cJSON_ParseWithLength(ci->meta_json, ci->meta_len);
    if (!cJSON_IsObject(m)) { cJSON_Delete(m); m = cJSON_CreateObject(); }
    if (!cJSON_GetObjectItemCaseSensitive(m, "provenance")) {
        cJSON *pv = cJSON_AddObjectToObject(m, "provenance");
        cJSON_AddStringToObject(pv, "id", it->orig_id);
        char hex[33];
        for (int i = 0; i < 16; i++) snprintf(hex + 2 * i, 3, "%02x", uuid[i]);
        cJSON_AddStringToObject(pv, "source_uuid", hex);
        cJSON *l = cJSON_AddArrayToObject(pv, "labels");
        for (size_t i = 0; i < it->norig; i++) cJSON_AddItemToArray(l, cJSON_CreateString(it->orig[i]));
    }
    char *s = cJSON_PrintUnformatted(m);
    cJSON_Delete(m);
    if (!s) { cli_error(NULL, "out of memory"); exit(CLI_EXIT_ERROR); }
    return s;
}

/* Frame labels of one copied clip: the member's label_map, then --map for
 * the clip's source (the first row's target: a frame holds one label per
 * slot). A name --map does not know follows --unmapped: drop gives "no
 * label", keep the name; error is reported after the copy (the callback
 * cannot fail), naming the first such name. */
typedef struct relabel_ctx {
    synapt_dataset_member member;
    int has_member;
    const label_map *map;
    const char *source;
    int unmapped;
    char missing[512];
} relabel_ctx;

static const char *merge_relabel(void *vctx, const char *name)
{
    relabel_ctx *c = vctx;
    if (c->has_member && !(name = merge_member_label(&c->member, name))) return NULL;
    if (!c->map) return name;
    size_t n = 0;
    const map_entry *e = map_find(&n, c->map, c->source, name);
    if (e) return e->target;
    if (c->unmapped == MERGE_UNMAPPED_KEEP) return name;
    if (c->unmapped == MERGE_UNMAPPED_ERROR && !c->missing[0]) snprintf(c->missing, sizeof c->missing, "%s", name);
    return NULL;
}

static int write_output(plan *p, const merge_options *o, const label_map *map)
{
    merge_sink sink;
    if (merge_sink_open(&sink, o->out, o->max_shard_bytes, "synapt-merge", &p->in)) return -1;
    sink.depth_codec = o->depth_codec;
    size_t kept = 0;
    for (size_t i = 0; i < p->n; i++) if (!p->it[i].drop) kept++;
    cli_progress pr;
    cli_progress_start(&pr, "merge", "clips", kept);
    size_t done = 0;
    int rc = 0;
    for (size_t i = 0; i < p->n && !rc; i++) {
        item *it = &p->it[i];
        if (it->drop) continue;
        synapt_dataset *ds = p->ds[it->in];
        synapt_reader *r;
        uint64_t mc, bytes = 0;
        if (synapt_dataset_acquire(&r, &mc, ds, it->g)) {
            cli_error_msg(o->inputs[it->in], synapt_dataset_errmsg(ds));
            rc = -1;
            break;
        }
        synapt_clip_info ci;
        synapt_file_info fi;
        rc = synapt_reader_clip(&ci, r, mc);
        if (!rc) rc = synapt_reader_file_info(&fi, r);
        const char **gk = merge_xmalloc((ci.group_count + 1) * sizeof *gk);
        const char **gv = merge_xmalloc((ci.group_count + 1) * sizeof *gv);
        for (uint32_t k = 0; !rc && k < ci.group_count; k++)
            rc = synapt_reader_clip_group(&gk[k], &gv[k], r, mc, k);
        if (!rc && o->max_shard_bytes) rc = merge_clip_bytes(&bytes, r, mc);
        if (rc) {
            cli_error_msg(o->inputs[it->in], synapt_reader_errmsg(r));
        } else {
            char *meta = meta_with_provenance(&ci, it, fi.uuid);
            synapt_clip_desc d = SYNAPT_CLIP_DESC_INIT;
            d.id = it->id;
            d.labels = it->labels;
            d.label_count = it->nlabels;
            d.split = ci.split;
            d.source = ci.source;
            d.synthetic = ci.synthetic;
            d.group_keys = gk;
            d.group_values = gv;
            d.group_count = ci.group_count;
            d.meta_json = meta;
            relabel_ctx rl = { .map = map, .source = ci.source, .unmapped = o->unmapped };
            uint32_t mem = 0;
            rl.has_member = !synapt_dataset_locate(&mem, NULL, ds, it->g) &&
                            !synapt_dataset_member_info(&rl.member, ds, mem) && rl.member.label_map_count;
            rc = merge_sink_copy(&sink, r, mc, &d, bytes, NULL, 0, NULL, merge_relabel, &rl);
            if (!rc && rl.missing[0]) {
                cli_error(o->map_path, "no target for source,label '%s,%s' (a frame label of clip %s of %s): "
                          "add it to the map, or use --unmapped drop|keep", cli_disp(ci.source),
                          cli_disp(rl.missing), cli_disp(ci.id), o->inputs[it->in]);
                rc = -1;
            }
            free(meta);
        }
        free(gk);
        free(gv);
        synapt_dataset_release(ds, r);
        cli_progress_update(&pr, ++done, 0);
    }
    cli_progress_end(&pr);
    if (rc) {
        merge_sink_abort(&sink);
        return -1;
    }
    uint32_t shards = sink.nshards;
    if (merge_sink_close(&sink)) return -1;
    if (cli_verbosity() >= 0) {
        if (o->max_shard_bytes)
            cli_info("%s: %zu clips written in %u shards", o->out, kept, shards);
        else
            cli_info("%s: %zu clips written", o->out, kept);
    }
    return 0;
}

/* --manifest-only: every member of every input, with its select and
 * label_map, and the union of the inputs' vocabularies as `labels`. */
static int write_join(plan *p, const merge_options *o)
{
    size_t nm = 0;
    for (size_t i = 0; i < p->nds; i++) nm += synapt_dataset_member_count(p->ds[i]);
    merge_member *m = calloc(nm ? nm : 1, sizeof *m);
    const char **labels = NULL;
    size_t nl = 0;
    merge_strset seen = { 0 };
    if (!m) return -1;
    size_t k = 0;
    for (size_t i = 0; i < p->nds; i++) {
        synapt_dataset *ds = p->ds[i];
        for (uint32_t j = 0; j < synapt_dataset_member_count(ds); j++, k++) {
            synapt_dataset_member mi;
            synapt_dataset_member_info(&mi, ds, j);
            m[k].file = mi.resolved_path;
            memcpy(m[k].uuid, mi.uuid, 16);
            m[k].clips = mi.clips;
            m[k].size = mi.size;
            m[k].select = mi.select;
            m[k].nselect = mi.selected;
            m[k].map_keys = mi.label_map_keys;
            m[k].map_vals = mi.label_map_values;
            m[k].nmap = mi.label_map_count;
        }
        for (uint64_t l = 0; l < synapt_dataset_label_count(ds); l++) {
            const char *name = synapt_dataset_label_name(ds, (uint32_t)l);
            if (merge_strset_has(&seen, name)) continue;
            merge_strset_add(&seen, name);
            labels = merge_xrealloc(labels, (nl + 1) * sizeof *labels);
            labels[nl++] = name;
        }
    }
    /* a file is a member once (spec section 4): two inputs naming the same
     * file would need their selections combined, which a join does not do */
    if (merge_members_unique(m, nm, o->out)) {
        merge_strset_free(&seen);
        free(labels);
        free(m);
        return -1;
    }
    int rc = merge_manifest_save(o->out, &p->in, "synapt-merge " SYNAPT_VERSION_STRING, labels, nl, m, nm);
    if (!rc && cli_verbosity() >= 0) cli_info("%s: %zu members joined", o->out, nm);
    merge_strset_free(&seen);
    free(labels);
    free(m);
    return rc;
}

int merge_run(const merge_options *o)
{
    plan p = { 0 };
    label_map map = { 0 };
    int rc = -1;
    if (o->map_path && map_load(&map, o->map_path)) goto done;
    if (merge_inputs_open(&p.in, o->inputs, o->ninputs)) goto done;
    p.nds = p.in.n;
    p.ds = merge_xmalloc((p.nds ? p.nds : 1) * sizeof *p.ds);
    for (size_t i = 0; i < p.nds; i++) p.ds[i] = p.in.v[i].ds;
    if (o->map_path) merge_inputs_add_file(&p.in, o->map_path);
    if (o->manifest_only) {
        rc = write_join(&p, o);
        goto done;
    }
    if (build_items(&p, o, o->map_path ? &map : NULL)) goto done;
    if (content_keys(&p, o) || dedupe(&p, o)) goto done;
    if (resolve_ids(&p, o)) goto done;
    if (o->per_class) per_class(&p, o);
    if (fflush(stdout)) goto done;
    rc = write_output(&p, o, o->map_path ? &map : NULL);
done:
    for (size_t i = 0; i < p.n; i++) {
        free(p.it[i].id);
        free(p.it[i].orig_id);
        free(p.it[i].source);
        free(p.it[i].labels);
        free(p.it[i].orig);
    }
    free(p.it);
    free(p.ds);
    merge_inputs_close(&p.in);
    for (size_t i = 0; i < map.n; i++) {
        free(map.e[i].source);
        free(map.e[i].label);
        free(map.e[i].target);
    }
    free(map.e);
    return rc ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}
