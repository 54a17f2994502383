/* select.c - the clip selection shared by the tools (see select.h). */
#include "select.h"
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) { cli_error(NULL, "out of memory"); exit(CLI_EXIT_ERROR); }
    return p;
}
static char *xstrndup(const char *s, size_t n)
{
    char *d = strndup(s, n);
    if (!d) { cli_error(NULL, "out of memory"); exit(CLI_EXIT_ERROR); }
    return d;
}

void sel_init(sel_criteria *c)
{
    memset(c, 0, sizeof *c);
    c->synthetic = -1;
}

static void list_free(sel_list *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
}

void sel_free(sel_criteria *c)
{
    list_free(&c->labels);
    list_free(&c->sources);
    list_free(&c->splits);
    list_free(&c->group_keys);
    list_free(&c->group_vals);
    for (size_t i = 0; i < c->nids; i++) free(c->ids[i]);
    free(c->ids);
}

static void list_add_csv(sel_list *l, const char *arg)
{
    for (const char *p = arg;;) {
        size_t n = strcspn(p, ",");
        l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
        l->v[l->n++] = xstrndup(p, n);
        if (!p[n]) break;
        p += n + 1;
    }
}

static int list_has(const sel_list *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++) if (!strcmp(l->v[i], s)) return 1;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_ids(sel_criteria *c, const char *path)
{
    if (cli_check_input(path)) exit(CLI_EXIT_ERROR);
    c->ids_path = path;
    FILE *f = fopen(path, "r");
    if (!f) { cli_error(path, "cannot open: %s", strerror(errno)); exit(CLI_EXIT_ERROR); }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) >= 0) {
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        if (!n) continue;
        c->ids = xrealloc(c->ids, (c->nids + 1) * sizeof *c->ids);
        c->ids[c->nids++] = xstrndup(line, (size_t)n);
    }
    free(line);
    fclose(f);
    qsort(c->ids, c->nids, sizeof *c->ids, cmp_str);
}

int sel_option(sel_criteria *c, int opt, const char *arg)
{
    switch (opt) {
    case SEL_OPT_LABEL: list_add_csv(&c->labels, arg); break;
    case SEL_OPT_SOURCE: list_add_csv(&c->sources, arg); break;
    case SEL_OPT_SPLIT: list_add_csv(&c->splits, arg); break;
    case SEL_OPT_SYNTHETIC:
        if (!strcmp(arg, "yes")) c->synthetic = 1;
        else if (!strcmp(arg, "no")) c->synthetic = 0;
        else cli_usage_error("--synthetic: '%s' is not yes or no", arg);
        break;
    case SEL_OPT_IDS: load_ids(c, arg); break;
    case SEL_OPT_GROUP: {
        const char *eq = strchr(arg, '=');
        if (!eq || eq == arg) cli_usage_error("--group: '%s' is not KEY=VALUE", arg);
        c->group_keys.v = xrealloc(c->group_keys.v, (c->group_keys.n + 1) * sizeof(char *));
        c->group_keys.v[c->group_keys.n++] = xstrndup(arg, (size_t)(eq - arg));
        c->group_vals.v = xrealloc(c->group_vals.v, (c->group_vals.n + 1) * sizeof(char *));
        c->group_vals.v[c->group_vals.n++] = xstrndup(eq + 1, strlen(eq + 1));
        break;
    }
    case SEL_OPT_FRAME_COUNT: {
        uint64_t a, b;
        int has_end;
        if (cli_parse_range(&a, &b, &has_end, arg) || (has_end && b <= a))
            cli_usage_error("--frame-count: '%s' is not a range A:B with A < B", arg);
        c->min_frames = a;
        c->max_frames = has_end ? b : 0;
        break;
    }
    case SEL_OPT_PER_CLASS:
        if (cli_parse_u64(&c->per_class, arg) || !c->per_class)
            cli_usage_error("--per-class: '%s' is not a positive integer", arg);
        break;
    case SEL_OPT_FRACTION: {
        char *end;
        errno = 0;
        double f = strtod(arg, &end);
        if (errno || *end || !(f > 0 && f <= 1))
            cli_usage_error("--fraction: '%s' is not a number in (0, 1]", arg);
        c->fraction = f;
        break;
    }
    case SEL_OPT_SEED:
        if (cli_parse_u64(&c->seed, arg)) cli_usage_error("--seed: '%s' is not an integer", arg);
        break;
    default:
        return 0;
    }
    c->any = 1;
    return 1;
}

/* A clip passes the filters when every given filter accepts it. */
static int passes(synapt_dataset *ds, uint64_t g, const synapt_clip_info *ci,
                  const sel_criteria *c, uint32_t *ids, size_t nl, int *err)
{
    if (c->sources.n && !list_has(&c->sources, ci->source)) return 0;
    if (c->splits.n && !list_has(&c->splits, ci->split)) return 0;
    if (c->synthetic >= 0 && !!ci->synthetic != c->synthetic) return 0;
    if (ci->frame_count < c->min_frames || (c->max_frames && ci->frame_count >= c->max_frames)) return 0;
    if (c->nids) {
        const char *id = ci->id;
        if (!bsearch(&id, c->ids, c->nids, sizeof *c->ids, cmp_str)) return 0;
    }
    if (c->labels.n) {
        int hit = 0;
        for (size_t i = 0; i < nl && !hit; i++)
            hit = list_has(&c->labels, synapt_dataset_label_name(ds, ids[i]));
        if (!hit) return 0;
    }
    for (size_t k = 0; k < c->group_keys.n; k++) {
        int hit = 0;
        for (uint32_t i = 0; i < ci->group_count && !hit; i++) {
            const char *key, *val;
            if (synapt_dataset_clip_group(&key, &val, ds, g, i)) { *err = 1; return 0; }
            hit = !strcmp(key, c->group_keys.v[k]) && !strcmp(val, c->group_vals.v[k]);
        }
        if (!hit) return 0;
    }
    return 1;
}

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

int sel_run(uint8_t *keep, uint64_t *kept, synapt_dataset *ds, const sel_criteria *c,
            char *err, size_t errcap)
{
    uint64_t n = synapt_dataset_clip_count(ds), nlab = synapt_dataset_label_count(ds);
    uint32_t *ids = NULL, *cls = NULL;
    size_t cap = 0;
    int rc = 0;
    uint64_t total = 0;
    int thin = c->per_class || c->fraction > 0;
    /* class of each kept clip: first label, nlab for "no label" */
    if (thin) cls = xrealloc(NULL, n * sizeof *cls);
    for (uint64_t g = 0; g < n; g++) {
        synapt_clip_info ci;
        size_t nl = 0;
        int r = synapt_dataset_clip(&ci, ds, g);
        if (!r && ci.label_count > cap) {
            cap = ci.label_count;
            ids = xrealloc(ids, cap * sizeof *ids);
        }
        if (!r) r = synapt_dataset_clip_labels(ids, cap, &nl, ds, g);
        int ferr = 0;
        keep[g] = !r && passes(ds, g, &ci, c, ids, nl, &ferr);
        if (r || ferr) {
            snprintf(err, errcap, "%s", synapt_dataset_errmsg(ds));
            rc = -1;
            break;
        }
        if (thin) cls[g] = nl ? ids[0] : (uint32_t)nlab;
        total += keep[g];
    }
    if (!rc && thin) {
        /* per class: the clips that passed, then a seeded sample of them */
        uint64_t rng = c->seed;
        uint64_t *cnt = calloc(nlab + 1, sizeof *cnt), *pos = calloc(nlab + 2, sizeof *pos);
        uint64_t *order = xrealloc(NULL, (total ? total : 1) * sizeof *order);
        if (!cnt || !pos) { cli_error(NULL, "out of memory"); exit(CLI_EXIT_ERROR); }
        for (uint64_t g = 0; g < n; g++) if (keep[g]) cnt[cls[g]]++;
        for (uint64_t k = 0; k <= nlab; k++) pos[k + 1] = pos[k] + cnt[k];
        uint64_t *fill = calloc(nlab + 1, sizeof *fill);
        if (!fill) { cli_error(NULL, "out of memory"); exit(CLI_EXIT_ERROR); }
        for (uint64_t g = 0; g < n; g++) if (keep[g]) order[pos[cls[g]] + fill[cls[g]]++] = g;
        total = 0;
        for (uint64_t k = 0; k <= nlab; k++) {
            uint64_t m = cnt[k], want = m, *v = order + pos[k];
            if (c->fraction > 0) want = (uint64_t)((double)m * c->fraction + 0.5);
            if (c->per_class && want > c->per_class) want = c->per_class;
            for (uint64_t i = 0; i < want; i++) {
                uint64_t j = i + rng_next(&rng) % (m - i), t = v[i];
                v[i] = v[j];
                v[j] = t;
            }
            for (uint64_t i = want; i < m; i++) keep[v[i]] = 0;
            total += want;
        }
        free(cnt);
        free(pos);
        free(fill);
        free(order);
    }
    free(ids);
    free(cls);
    if (kept) *kept = total;
    return rc;
}

int sel_pick(uint64_t **out, size_t *count, synapt_dataset *ds, const sel_criteria *c,
             uint32_t shard_k, uint32_t shard_n, const char *path)
{
    uint64_t n = synapt_dataset_clip_count(ds), kept = 0;
    *out = NULL;
    *count = 0;
    uint8_t *keep = xrealloc(NULL, (size_t)n);
    if (c->any) {
        char err[1024];
        if (sel_run(keep, &kept, ds, c, err, sizeof err)) {
            cli_error_msg(path, err);
            free(keep);
            return -1;
        }
    } else {
        memset(keep, 1, (size_t)n);
        kept = n;
    }
    uint64_t *v = xrealloc(NULL, (size_t)kept * sizeof *v);
    size_t m = 0;
    for (uint64_t g = 0; g < n; g++) {
        if (!keep[g]) continue;
        if (shard_n > 1) {
            synapt_clip_info ci;
            if (synapt_dataset_clip(&ci, ds, g)) {
                cli_error_msg(path, synapt_dataset_errmsg(ds));
                free(keep);
                free(v);
                return -1;
            }
            if (!cli_in_shard(ci.id, shard_k, shard_n)) continue;
        }
        v[m++] = g;
    }
    free(keep);
    *out = v;
    *count = m;
    return 0;
}
