/* select_splits.c - split generation that keeps groups whole (see
 * select.h): no actor, scene or source video in two splits, per-class
 * proportions as close to the targets as the groups allow.
 *
 * Greedy, largest groups first: each group goes to the split where it
 * moves the per-class counts closest to their targets (squared distance,
 * each class weighted by 1/its size so small classes count as much as
 * large ones), plus the same for the split's total. Ties between groups of
 * one size are broken by the seed, so another seed gives another valid
 * split. Exact balancing is NP-hard; greedy on sorted groups is what the
 * usual group-stratified splitters do and is within a group's size of the
 * target per class. */
#include "select.h"
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

int sel_parse_splits(sel_splits *out, const char *arg)
{
    memset(out, 0, sizeof *out);
    double sum = 0;
    for (const char *p = arg; *p;) {
        size_t n = strcspn(p, ",");
        const char *eq = memchr(p, '=', n);
        if (!eq || eq == p || out->n == SEL_MAX_SPLITS) return -1;
        char num[64];
        size_t nl = (size_t)(p + n - eq - 1);
        if (!nl || nl >= sizeof num) return -1;
        memcpy(num, eq + 1, nl);
        num[nl] = 0;
        char *end;
        double f = strtod(num, &end);
        if (*end || !(f >= 0 && f <= 1)) return -1;
        size_t kl = (size_t)(eq - p);
        if (kl >= sizeof out->names[0]) return -1;
        memcpy(out->names[out->n], p, kl);
        out->names[out->n][kl] = 0;
        for (size_t i = 0; i < out->n; i++)
            if (!strcmp(out->names[i], out->names[out->n])) return -1;
        out->frac[out->n++] = f;
        sum += f;
        p += n;
        if (*p == ',') p++;
    }
    if (!out->n || !(sum > 0.999 && sum < 1.001)) return -1;
    for (size_t i = 0; i < out->n; i++) out->frac[i] /= sum;
    return 0;
}

static uint64_t mix(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

typedef struct gref { uint32_t g; uint32_t size; uint64_t tie; } gref;

static int cmp_gref(const void *a, const void *b)
{
    const gref *x = a, *y = b;
    if (x->size != y->size) return x->size > y->size ? -1 : 1;
    if (x->tie != y->tie) return x->tie < y->tie ? -1 : 1;
    return x->g < y->g ? -1 : x->g > y->g;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int sel_make_splits(uint32_t *out, const uint32_t *cls, const uint32_t *grp, size_t n,
                    uint32_t ncls, uint32_t ngrp, const sel_splits *sp, uint64_t seed)
{
    size_t ns = sp->n;
    /* clips sorted by (group, class): a group's class counts are a run */
    uint64_t *key = malloc((n ? n : 1) * sizeof *key);
    gref *gr = calloc(ngrp ? ngrp : 1, sizeof *gr);
    uint32_t *gstart = calloc((size_t)ngrp + 1, sizeof *gstart);
    double *cnt = calloc((size_t)ncls * ns + 1, sizeof *cnt), *tot = calloc(ns, sizeof *tot);
    uint64_t *csize = calloc((size_t)ncls + 1, sizeof *csize);
    uint32_t *gsplit = malloc((ngrp ? ngrp : 1) * sizeof *gsplit);
    if (!key || !gr || !gstart || !cnt || !tot || !csize || !gsplit) {
        free(key); free(gr); free(gstart); free(cnt); free(tot); free(csize); free(gsplit);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        key[i] = (uint64_t)grp[i] << 32 | cls[i];
        gr[grp[i]].size++;
        csize[cls[i]]++;
    }
    qsort(key, n, sizeof *key, cmp_u64);
    for (uint32_t g = 0; g < ngrp; g++) {
        gr[g].g = g;
        gr[g].tie = mix(seed ^ mix(g));
        gstart[g + 1] = gstart[g] + gr[g].size;
    }
    qsort(gr, ngrp, sizeof *gr, cmp_gref);
    for (uint32_t k = 0; k < ngrp; k++) {
        uint32_t g = gr[k].g;
        if (!gr[k].size) continue;
        size_t best = 0;
        double best_cost = 0;
        for (size_t s = 0; s < ns; s++) {
            if (sp->frac[s] <= 0) continue;
            double cost = 0;
            for (uint32_t i = gstart[g]; i < gstart[g + 1];) {
                uint32_t c = (uint32_t)key[i], m = 0;
                while (i < gstart[g + 1] && (uint32_t)key[i] == c) { m++; i++; }
                double d = cnt[(size_t)c * ns + s] - sp->frac[s] * (double)csize[c];
                cost += (double)m * (2 * d + m) / (double)csize[c];
            }
            double d = tot[s] - sp->frac[s] * (double)n;
            cost += (double)gr[k].size * (2 * d + gr[k].size) / (double)(n ? n : 1);
            if (s == 0 || sp->frac[best] <= 0 || cost < best_cost) {
                best = s;
                best_cost = cost;
            }
        }
        gsplit[g] = (uint32_t)best;
        for (uint32_t i = gstart[g]; i < gstart[g + 1]; i++) cnt[(size_t)(uint32_t)key[i] * ns + best] += 1;
        tot[best] += gr[k].size;
    }
    for (size_t i = 0; i < n; i++) out[i] = gsplit[grp[i]];
    free(key); free(gr); free(gstart); free(cnt); free(tot); free(csize); free(gsplit);
    return 0;
}

size_t sel_groups_across(const uint32_t *split, const uint32_t *grp, size_t n, uint32_t ngrp)
{
    uint32_t *first = malloc((ngrp ? ngrp : 1) * sizeof *first);
    uint8_t *bad = calloc(ngrp ? ngrp : 1, 1);
    size_t across = 0;
    if (!first || !bad) {
        free(first);
        free(bad);
        return (size_t)-1;
    }
    for (uint32_t g = 0; g < ngrp; g++) first[g] = UINT32_MAX;
    for (size_t i = 0; i < n; i++) {
        uint32_t g = grp[i];
        if (first[g] == UINT32_MAX) first[g] = split[i];
        else if (first[g] != split[i] && !bad[g]) { bad[g] = 1; across++; }
    }
    free(first);
    free(bad);
    return across;
}

/* ---- over datasets: names to numbers ---- */

/* string -> dense index, strings copied (group values borrowed from a
 * member reader do not outlive its eviction) */
typedef struct namemap { char **key; uint32_t *val; size_t cap, n; char **names; } namemap;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    while (*s) h = (h ^ (unsigned char)*s++) * 1099511628211ull;
    return h;
}

static int namemap_get(uint32_t *out, namemap *m, const char *k)
{
    if ((m->n + 1) * 2 > m->cap) {
        namemap t = { 0 };
        t.cap = m->cap ? m->cap * 2 : 256;
        t.key = calloc(t.cap, sizeof *t.key);
        t.val = calloc(t.cap, sizeof *t.val);
        if (!t.key || !t.val) { free(t.key); free(t.val); return -1; }
        for (size_t i = 0; i < m->cap; i++)
            if (m->key[i]) {
                size_t j = hash_str(m->key[i]) & (t.cap - 1);
                while (t.key[j]) j = (j + 1) & (t.cap - 1);
                t.key[j] = m->key[i];
                t.val[j] = m->val[i];
            }
        free(m->key);
        free(m->val);
        m->key = t.key;
        m->val = t.val;
        m->cap = t.cap;
    }
    size_t j = hash_str(k) & (m->cap - 1);
    while (m->key[j]) {
        if (!strcmp(m->key[j], k)) { *out = m->val[j]; return 0; }
        j = (j + 1) & (m->cap - 1);
    }
    char *d = strdup(k), **nn = realloc(m->names, (m->n + 1) * sizeof *nn);
    if (!d || !nn) { free(d); if (nn) m->names = nn; return -1; }
    m->names = nn;
    m->names[m->n] = d;
    m->key[j] = d;
    m->val[j] = (uint32_t)m->n;
    *out = (uint32_t)m->n++;
    return 0;
}

static void namemap_free(namemap *m)
{
    for (size_t i = 0; i < m->n; i++) free(m->names[i]);
    free(m->names);
    free(m->key);
    free(m->val);
}

int sel_split_datasets(uint8_t *const *split_of, synapt_dataset *const *ds, const uint8_t *const *keep,
                       size_t nds, const sel_splits *sp, const char *group_key, int stratify,
                       uint64_t seed, FILE *report, char *err, size_t errcap)
{
    namemap classes = { 0 }, groups = { 0 };
    size_t n = 0, cap = 0, ungrouped = 0;
    uint32_t *cls = NULL, *grp = NULL, *out = NULL;
    int rc = -1;
    for (size_t k = 0; k < nds; k++) {
        uint64_t nc = synapt_dataset_clip_count(ds[k]);
        for (uint64_t g = 0; g < nc; g++) {
            if (!keep[k][g]) continue;
            synapt_clip_info ci;
            if (synapt_dataset_clip(&ci, ds[k], g)) goto fail_ds;
            if (n == cap) {
                cap = cap ? cap * 2 : 1024;
                uint32_t *a = realloc(cls, cap * sizeof *a), *b = a ? realloc(grp, cap * sizeof *b) : NULL;
                if (a) cls = a;
                if (b) grp = b;
                if (!a || !b) goto nomem;
            }
            const char *label = stratify && ci.label_count ? synapt_dataset_label_name(ds[k], ci.first_label) : "";
            if (namemap_get(&cls[n], &classes, label ? label : "")) goto nomem;
            const char *gv = NULL;
            for (uint32_t i = 0; i < ci.group_count && !gv; i++) {
                const char *key, *val;
                if (synapt_dataset_clip_group(&key, &val, ds[k], g, i)) goto fail_ds;
                if (!strcmp(key, group_key)) gv = val;
            }
            /* a clip without the key is a group of its own, under a name
             * (input number and id after a \x01) no real value uses */
            char own[600];
            if (!gv) {
                snprintf(own, sizeof own, "\x01%zu:%s", k, ci.id);
                gv = own;
                ungrouped++;
            }
            if (namemap_get(&grp[n], &groups, gv)) goto nomem;
            n++;
        }
    }
    out = malloc((n ? n : 1) * sizeof *out);
    if (!out) goto nomem;
    if (sel_make_splits(out, cls, grp, n, (uint32_t)classes.n, (uint32_t)groups.n, sp, seed)) goto nomem;
    size_t i = 0;
    for (size_t k = 0; k < nds; k++) {
        uint64_t nc = synapt_dataset_clip_count(ds[k]);
        for (uint64_t g = 0; g < nc; g++) split_of[k][g] = keep[k][g] ? (uint8_t)out[i++] : 0;
    }
    /* the report: achieved shares, groups, classes a split did not get */
    size_t per[SEL_MAX_SPLITS] = { 0 };
    for (size_t j = 0; j < n; j++) per[out[j]]++;
    for (size_t s = 0; s < sp->n; s++)
        fprintf(report, "# made\t%s\t%zu\t%.4f\t%.4f\n", sp->names[s], per[s],
                n ? (double)per[s] / (double)n : 0.0, sp->frac[s]);
    fprintf(report, "# groups\t%s\t%zu\t%zu across splits\t%zu clips without the key\n", group_key,
            groups.n, sel_groups_across(out, grp, n, (uint32_t)groups.n), ungrouped);
    if (stratify) {
        uint8_t *seen = calloc(classes.n * sp->n + 1, 1);
        if (!seen) goto nomem;
        for (size_t j = 0; j < n; j++) seen[(size_t)cls[j] * sp->n + out[j]] = 1;
        for (size_t c = 0; c < classes.n; c++)
            for (size_t s = 0; s < sp->n; s++)
                if (sp->frac[s] > 0 && !seen[c * sp->n + s])
                    fprintf(report, "# missing\t%s\t%s\n", *classes.names[c] ? classes.names[c] : "-",
                            sp->names[s]);
        free(seen);
    }
    rc = 0;
    goto done;
fail_ds:
    for (size_t k = 0; k < nds; k++)
        if (*synapt_dataset_errmsg(ds[k])) { snprintf(err, errcap, "%s", synapt_dataset_errmsg(ds[k])); break; }
    goto done;
nomem:
    snprintf(err, errcap, "out of memory");
done:
    namemap_free(&classes);
    namemap_free(&groups);
    free(cls);
    free(grp);
    free(out);
    return rc;
}
