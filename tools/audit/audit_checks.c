/* audit_checks.c: every check of the report, from features to numbers.
 * Each check records its method and parameters in words so the report
 * can be read without this file. */
#include "audit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- report building ------------------------------------------------- */

static audit_check *add_check(audit_report *r, const char *id, const char *title)
{
    audit_check *nc = realloc(r->checks, (r->nchecks + 1) * sizeof *nc);
    if (!nc) return NULL;
    r->checks = nc;
    audit_check *c = &nc[r->nchecks++];
    memset(c, 0, sizeof *c);
    snprintf(c->id, sizeof c->id, "%s", id);
    snprintf(c->title, sizeof c->title, "%s", title);
    c->value = c->ci_lo = c->ci_hi = c->p = c->threshold = NAN;
    return c;
}

static audit_plot *add_plot(audit_report *r, const char *id, const char *title,
                            const char *xl, const char *yl, size_t n)
{
    audit_plot *np = realloc(r->plots, (r->nplots + 1) * sizeof *np);
    if (!np) return NULL;
    r->plots = np;
    audit_plot *p = &np[r->nplots];
    memset(p, 0, sizeof *p);
    snprintf(p->id, sizeof p->id, "%s", id);
    snprintf(p->title, sizeof p->title, "%s", title);
    snprintf(p->xlabel, sizeof p->xlabel, "%s", xl);
    snprintf(p->ylabel, sizeof p->ylabel, "%s", yl);
    p->ref = NAN;
    p->names = calloc(n ? n : 1, sizeof *p->names);
    p->value = malloc((n ? n : 1) * sizeof *p->value);
    p->lo = malloc((n ? n : 1) * sizeof *p->lo);
    p->hi = malloc((n ? n : 1) * sizeof *p->hi);
    if (!p->names || !p->value || !p->lo || !p->hi) {
        free(p->names); free(p->value); free(p->lo); free(p->hi);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) p->value[i] = p->lo[i] = p->hi[i] = NAN;
    p->n = n;
    r->nplots++;
    return p;
}

static int add_table(audit_report *r, const char *name, audit_buf *b)
{
    if (b->failed) { free(b->s); return -1; }
    audit_table *nt = realloc(r->tables, (r->ntables + 1) * sizeof *nt);
    if (!nt) { free(b->s); return -1; }
    r->tables = nt;
    snprintf(nt[r->ntables].name, sizeof nt[r->ntables].name, "%s", name);
    nt[r->ntables].csv = b->s ? b->s : calloc(1, 1);
    r->ntables++;
    return 0;
}

static char *take(audit_buf *b)
{
    if (b->failed) { free(b->s); return NULL; }
    return b->s;
}

void audit_report_free(audit_report *rep)
{
    if (!rep) return;
    for (size_t i = 0; i < rep->nchecks; i++) free(rep->checks[i].details);
    free(rep->checks);
    for (size_t i = 0; i < rep->nplots; i++) {
        for (size_t j = 0; j < rep->plots[i].n; j++) free(rep->plots[i].names[j]);
        free(rep->plots[i].names); free(rep->plots[i].value);
        free(rep->plots[i].lo); free(rep->plots[i].hi);
    }
    free(rep->plots);
    for (size_t i = 0; i < rep->ntables; i++) free(rep->tables[i].csv);
    free(rep->tables);
    free(rep->pairs);
    memset(rep, 0, sizeof *rep);
}

int audit_find_check(const audit_report *rep, const char *id)
{
    for (size_t i = 0; i < rep->nchecks; i++)
        if (strcmp(rep->checks[i].id, id) == 0) return (int)i;
    return -1;
}

int audit_fail_match(const char *patterns, const char *id)
{
    if (!patterns || strcmp(patterns, "all") == 0) return 1;
    if (strcmp(patterns, "none") == 0) return 0;
    const char *p = patterns;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len && p[len - 1] == '*') {
            if (strncmp(id, p, len - 1) == 0) return 1;
        } else if (strlen(id) == len && strncmp(id, p, len) == 0) return 1;
        p += len + (e != NULL);
    }
    return 0;
}

/* ---- small helpers --------------------------------------------------- */

/* Interning of strings into dense ids; sorted so ids follow byte order
 * and the report does not depend on the order clips arrived in. */
typedef struct strset { const char **s; size_t n; } strset;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int strset_build(strset *out, const char **vals, size_t n)
{
    out->s = malloc((n ? n : 1) * sizeof *out->s);
    out->n = 0;
    if (!out->s) return -1;
    memcpy(out->s, vals, n * sizeof *vals);
    qsort(out->s, n, sizeof *out->s, cmp_str);
    for (size_t i = 0; i < n; i++)
        if (!out->n || strcmp(out->s[out->n - 1], out->s[i]) != 0) out->s[out->n++] = out->s[i];
    return 0;
}

static int strset_find(const strset *set, const char *v)
{
    size_t lo = 0, hi = set->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(set->s[mid], v);
        if (c == 0) return (int)mid;
        if (c < 0) lo = mid + 1; else hi = mid;
    }
    return -1;
}

static const char *group_value(const audit_clip *c, const char *key)
{
    for (uint32_t g = 0; g < c->group_count; g++)
        if (strcmp(c->groups[g].key, key) == 0) return c->groups[g].value;
    return NULL;
}

/* the splits a report talks about; "train" is the reference for leaks */
static int is_train(const char *s) { return strcmp(s, "train") == 0; }

/* ---- composition ----------------------------------------------------- */

static int check_composition(audit_report *r, const audit_dataset *ds, const strset *splits,
                             const int *split_of)
{
    size_t k = ds->nclasses, ns = splits->n;
    double *cnt = calloc(k ? k : 1, sizeof *cnt);
    double *cs = calloc((k ? k : 1) * (ns ? ns : 1), sizeof *cs);
    int ret = -1;
    if (!cnt || !cs) goto done;
    size_t labelled = 0;
    for (size_t i = 0; i < ds->n; i++) {
        int l = ds->clips[i].label;
        if (l < 0) continue;
        labelled++;
        cnt[l] += 1;
        cs[(size_t)l * ns + (size_t)split_of[i]] += 1;
    }
    double mn = INFINITY, mx = 0;
    for (size_t c = 0; c < k; c++) {
        if (cnt[c] > 0 && cnt[c] < mn) mn = cnt[c];
        if (cnt[c] > mx) mx = cnt[c];
    }
    audit_check *ch = add_check(r, "composition.imbalance", "Class imbalance ratio");
    if (!ch) goto done;
    snprintf(ch->method, sizeof ch->method, "largest class count / smallest nonzero class count "
             "over %zu labelled clips and %zu classes (first label of each clip)", labelled, k);
    ch->value = k && mn < INFINITY ? mx / mn : NAN;
    ch->n = labelled;
    ch->threshold = 10;
    ch->flag = ch->value > ch->threshold;

    ch = add_check(r, "composition.entropy", "Normalised class entropy");
    if (!ch) goto done;
    snprintf(ch->method, sizeof ch->method, "H(class)/ln(K) with H in nats over class counts; "
             "1 = perfectly balanced, flags below the threshold");
    ch->value = k > 1 ? audit_entropy(cnt, k) / log((double)k) : NAN;
    ch->n = labelled;
    ch->threshold = 0.9;
    ch->flag = ch->value < ch->threshold;

    /* Gini over class counts sorted ascending: sum (2i - K - 1) x_i / (K sum x) */
    double *sorted = malloc((k ? k : 1) * sizeof *sorted);
    if (!sorted) goto done;
    memcpy(sorted, cnt, k * sizeof *sorted);
    for (size_t a = 1; a < k; a++)
        for (size_t b = a; b > 0 && sorted[b - 1] > sorted[b]; b--) {
            double t = sorted[b]; sorted[b] = sorted[b - 1]; sorted[b - 1] = t;
        }
    double num = 0, tot = 0;
    for (size_t i = 0; i < k; i++) { num += (2.0 * (i + 1) - k - 1) * sorted[i]; tot += sorted[i]; }
    free(sorted);
    ch = add_check(r, "composition.gini", "Gini coefficient of class counts");
    if (!ch) goto done;
    snprintf(ch->method, sizeof ch->method, "sum_i (2i - K - 1) x_(i) / (K sum x) over class counts "
             "sorted ascending; 0 = equal counts");
    ch->value = k && tot > 0 ? num / (k * tot) : NAN;
    ch->n = labelled;

    audit_buf det = { 0 };
    size_t missing = 0;
    audit_buf_printf(&det, "[");
    if (ns > 1)
        for (size_t s = 0; s < ns; s++)
            for (size_t c = 0; c < k; c++)
                if (cs[c * ns + s] == 0) {
                    audit_buf_printf(&det, "%s{\"split\":", missing ? "," : "");
                    audit_buf_json(&det, splits->s[s]);
                    audit_buf_printf(&det, ",\"class\":");
                    audit_buf_json(&det, ds->classes[c]);
                    audit_buf_printf(&det, "}");
                    missing++;
                }
    audit_buf_printf(&det, "]");
    ch = add_check(r, "composition.missing_classes", "Classes missing from a split");
    if (!ch) { free(det.s); goto done; }
    snprintf(ch->method, sizeof ch->method, "number of (split, class) pairs with no clip, over %zu "
             "splits and %zu classes (0 when there is one split)", ns, k);
    ch->value = (double)missing;
    ch->n = ns * k;
    ch->threshold = 0;
    ch->flag = missing > 0;
    ch->details = take(&det);

    /* clip length and rate summaries, for reading only */
    double fsum = 0, fmin = INFINITY, fmax = 0, fpsmin = INFINITY, fpsmax = 0;
    size_t nf = 0;
    for (size_t i = 0; i < ds->n; i++) {
        const audit_clip *c = &ds->clips[i];
        if (!c->frames) continue;
        nf++;
        fsum += (double)c->frames;
        if (c->frames < fmin) fmin = (double)c->frames;
        if (c->frames > fmax) fmax = (double)c->frames;
        if (c->fps > 0 && c->fps < fpsmin) fpsmin = c->fps;
        if (c->fps > fpsmax) fpsmax = c->fps;
    }
    ch = add_check(r, "composition.frames", "Frames per clip (mean)");
    if (!ch) goto done;
    snprintf(ch->method, sizeof ch->method, "mean frame count of the clips that have frames; "
             "details give min, max and the frame-rate range");
    ch->value = nf ? fsum / nf : NAN;
    ch->n = nf;
    audit_buf fd = { 0 };
    audit_buf_printf(&fd, "{\"min\":");
    audit_buf_num(&fd, nf ? fmin : NAN);
    audit_buf_printf(&fd, ",\"max\":");
    audit_buf_num(&fd, nf ? fmax : NAN);
    audit_buf_printf(&fd, ",\"fps_min\":");
    audit_buf_num(&fd, fpsmin < INFINITY ? fpsmin : NAN);
    audit_buf_printf(&fd, ",\"fps_max\":");
    audit_buf_num(&fd, fpsmax > 0 ? fpsmax : NAN);
    audit_buf_printf(&fd, "}");
    ch->details = take(&fd);

    audit_plot *p = add_plot(r, "plot.class_counts", "Clips per class", "class", "clips", k);
    if (!p) goto done;
    for (size_t c = 0; c < k; c++) {
        p->names[c] = strdup(ds->classes[c]);
        p->value[c] = cnt[c];
    }
    audit_buf t = { 0 };
    audit_buf_printf(&t, "class");
    for (size_t s = 0; s < ns; s++) { audit_buf_printf(&t, ","); audit_buf_csv(&t, splits->s[s][0] ? splits->s[s] : "(none)"); }
    audit_buf_printf(&t, ",total\n");
    for (size_t c = 0; c < k; c++) {
        audit_buf_csv(&t, ds->classes[c]);
        for (size_t s = 0; s < ns; s++) audit_buf_printf(&t, ",%.0f", cs[c * ns + s]);
        audit_buf_printf(&t, ",%.0f\n", cnt[c]);
    }
    if (add_table(r, "composition", &t) != 0) goto done;
    ret = 0;
done:
    free(cnt);
    free(cs);
    return ret;
}

/* ---- split integrity ------------------------------------------------- */

typedef struct gsplit { const char *value; int split; } gsplit;

static int cmp_gsplit(const void *pa, const void *pb)
{
    const gsplit *a = pa, *b = pb;
    int c = strcmp(a->value, b->value);
    return c ? c : (a->split > b->split) - (a->split < b->split);
}

static int check_groups(audit_report *r, const audit_dataset *ds, const strset *keys,
                        const strset *splits, const int *split_of)
{
    gsplit *v = malloc((ds->n ? ds->n : 1) * sizeof *v);
    if (!v) return -1;
    for (size_t kk = 0; kk < keys->n; kk++) {
        const char *key = keys->s[kk];
        size_t nv = 0;
        for (size_t i = 0; i < ds->n; i++) {
            const char *g = group_value(&ds->clips[i], key);
            if (g) v[nv++] = (gsplit){ g, split_of[i] };
        }
        qsort(v, nv, sizeof *v, cmp_gsplit);
        size_t groups = 0, leaking = 0;
        audit_buf t = { 0 };
        audit_buf_printf(&t, "group,splits\n");
        for (size_t s = 0; s < nv;) {
            size_t e = s + 1, nsplit = 1;
            while (e < nv && strcmp(v[e].value, v[s].value) == 0) {
                nsplit += v[e].split != v[e - 1].split;
                e++;
            }
            groups++;
            if (nsplit > 1) {
                leaking++;
                audit_buf_csv(&t, v[s].value);
                audit_buf_printf(&t, ",");
                audit_buf sp = { 0 };
                for (size_t q = s; q < e; q++)
                    if (q == s || v[q].split != v[q - 1].split)
                        audit_buf_printf(&sp, "%s%s", q == s ? "" : " ", splits->s[v[q].split]);
                audit_buf_csv(&t, sp.s ? sp.s : "");
                free(sp.s);
                audit_buf_printf(&t, "\n");
            }
            s = e;
        }
        char id[96], title[128], tname[64];
        snprintf(id, sizeof id, "split.group_leak.%s", key);
        snprintf(title, sizeof title, "Groups of '%s' in more than one split", key);
        audit_check *ch = add_check(r, id, title);
        if (!ch) { free(t.s); free(v); return -1; }
        snprintf(ch->method, sizeof ch->method, "count of distinct '%s' values whose clips lie in "
                 "two or more splits (of %zu splits); n is the number of distinct values; the "
                 "table groups_%s.csv lists them", key, splits->n, key);
        ch->value = (double)leaking;
        ch->n = groups;
        ch->threshold = 0;
        ch->flag = splits->n > 1 && leaking > 0;
        snprintf(tname, sizeof tname, "groups_%s", key);
        if (add_table(r, tname, &t) != 0) { free(v); return -1; }
    }
    free(v);
    return 0;
}

/* ---- duplicates ------------------------------------------------------- */

static int cmp_u64idx(const void *pa, const void *pb)
{
    const uint64_t *a = pa, *b = pb;
    if (a[0] != b[0]) return a[0] < b[0] ? -1 : 1;
    return (a[1] > b[1]) - (a[1] < b[1]);
}

static int check_dups(audit_report *r, const audit_dataset *ds, const audit_options *opt)
{
    size_t skipped = 0;
    if (audit_find_pairs(&r->pairs, &r->npairs, &skipped, ds, opt->hamming, opt->near_frames,
                         4096) != 0)
        return -1;
    r->skipped_buckets = skipped;
    size_t withpix = 0;
    uint64_t *ex = malloc((ds->n ? ds->n : 1) * 2 * sizeof *ex);
    if (!ex) return -1;
    for (size_t i = 0; i < ds->n; i++)
        if (ds->clips[i].has_pixels) { ex[2 * withpix] = ds->clips[i].exact; ex[2 * withpix + 1] = i; withpix++; }
    qsort(ex, withpix, 2 * sizeof *ex, cmp_u64idx);
    size_t exact_pairs = 0;
    for (size_t s = 0; s < withpix;) {
        size_t e = s + 1;
        while (e < withpix && ex[2 * e] == ex[2 * s]) e++;
        exact_pairs += (e - s) * (e - s - 1) / 2;
        s = e;
    }
    free(ex);
    audit_check *ch = add_check(r, "dup.exact", "Exact duplicate clip pairs");
    if (!ch) return -1;
    snprintf(ch->method, sizeof ch->method, "pairs of clips whose %d sampled frames decode to "
             "identical RGB bytes (64-bit FNV-1a of the pixels); n = clips with pictures", AUDIT_K);
    ch->value = (double)exact_pairs;
    ch->n = withpix;
    ch->threshold = 0;
    ch->flag = exact_pairs > 0;

    size_t within = 0, across = 0;
    for (size_t i = 0; i < r->npairs; i++) {
        const audit_pair *p = &r->pairs[i];
        if (strcmp(ds->clips[p->a].split, ds->clips[p->b].split) == 0) within++;
        else across++;
    }
    ch = add_check(r, "dup.near", "Near-duplicate clip pairs");
    if (!ch) return -1;
    snprintf(ch->method, sizeof ch->method, "clip pairs with at least %u of the %dx%d sampled-frame "
             "pairs within %u bits of Hamming distance between 64-bit difference hashes (grey 9x8 "
             "box means), found through a %u-band multi-index (no all-pairs scan); value = pairs "
             "within a split; details count pairs across splits and skipped flat buckets",
             opt->near_frames, AUDIT_K, AUDIT_K, opt->hamming, opt->hamming + 1);
    ch->value = (double)within;
    ch->n = withpix;
    audit_buf d = { 0 };
    audit_buf_printf(&d, "{\"across_splits\":%zu,\"skipped_buckets\":%zu}", across, skipped);
    ch->details = take(&d);

    /* share of non-train clips with a near or exact duplicate in train */
    char *hit = calloc(ds->n ? ds->n : 1, 1);
    if (!hit) return -1;
    for (size_t i = 0; i < r->npairs; i++) {
        const audit_pair *p = &r->pairs[i];
        const char *sa = ds->clips[p->a].split, *sb = ds->clips[p->b].split;
        if (is_train(sa) && !is_train(sb)) hit[p->b] = 1;
        if (is_train(sb) && !is_train(sa)) hit[p->a] = 1;
    }
    size_t ntest = 0, nhit = 0, ntrain = 0;
    for (size_t i = 0; i < ds->n; i++) {
        if (!ds->clips[i].has_pixels) continue;
        if (is_train(ds->clips[i].split)) { ntrain++; continue; }
        ntest++;
        nhit += hit[i];
    }
    free(hit);
    ch = add_check(r, "dup.cross_split", "Held-out clips with a near-duplicate in train");
    if (!ch) return -1;
    snprintf(ch->method, sizeof ch->method, "share of clips outside split 'train' (n of them) "
             "that pair (dup.near rule) with a clip in 'train'; 95%% Wilson interval; null when "
             "there is no train split or no held-out clip");
    ch->n = ntest;
    ch->threshold = opt->leak_threshold;
    if (ntest && ntrain) {
        double ci[2];
        ch->value = (double)nhit / (double)ntest;
        audit_wilson(ci, (double)nhit, (double)ntest);
        ch->ci_lo = ci[0];
        ch->ci_hi = ci[1];
        ch->flag = ch->value > ch->threshold;
    }
    audit_buf t = { 0 };
    audit_buf_printf(&t, "clip_a,split_a,clip_b,split_b,matching_frames,min_hamming,exact\n");
    for (size_t i = 0; i < r->npairs; i++) {
        const audit_pair *p = &r->pairs[i];
        audit_buf_csv(&t, ds->clips[p->a].id);
        audit_buf_printf(&t, ",");
        audit_buf_csv(&t, ds->clips[p->a].split);
        audit_buf_printf(&t, ",");
        audit_buf_csv(&t, ds->clips[p->b].id);
        audit_buf_printf(&t, ",");
        audit_buf_csv(&t, ds->clips[p->b].split);
        audit_buf_printf(&t, ",%u,%u,%d\n", p->matches, p->distance, p->exact);
    }
    return add_table(r, "duplicates", &t);
}

/* ---- static bias probes ----------------------------------------------- */

typedef struct probe_result { double m, ci[2], p, repair, chance; size_t n; unsigned k; int ok; } probe_result;

static int run_probe(probe_result *out, double *recall, const float *x, size_t n, size_t d,
                     const int *y, unsigned k, const int *groups, const audit_options *opt)
{
    memset(out, 0, sizeof *out);
    out->m = out->ci[0] = out->ci[1] = out->p = out->repair = NAN;
    out->n = n;
    out->k = k;
    float *prob = malloc((n * k > 0 ? n * k : 1) * sizeof *prob);
    int *pred = malloc((n ? n : 1) * sizeof *pred);
    double *cnt = calloc(k ? k : 1, sizeof *cnt);
    int ret = -1;
    if (!prob || !pred || !cnt) goto done;
    if (audit_probe_oof(prob, x, n, d, y, k, groups, opt) != 0) { ret = 0; goto done; }
    double ce = 0;
    for (size_t i = 0; i < n; i++) {
        int best = 0;
        for (unsigned c = 1; c < k; c++) if (prob[i * k + c] > prob[i * k + best]) best = (int)c;
        pred[i] = best;
        double pv = prob[i * k + (unsigned)y[i]];
        ce -= log(pv > 1e-12 ? pv : 1e-12);
        cnt[y[i]] += 1;
    }
    unsigned present = 0;
    for (unsigned c = 0; c < k; c++) present += cnt[c] > 0;
    out->chance = present ? 1.0 / present : NAN;
    out->m = audit_balanced_accuracy(pred, y, n, k);
    audit_bootstrap_bacc(out->ci, pred, y, n, k, opt->bootstrap, opt->seed);
    out->p = audit_permutation_p(pred, y, n, k, opt->permutations, opt->seed);
    double hy = audit_entropy(cnt, k);
    out->repair = hy > 0 ? 1 - (ce / (double)n) / hy : NAN;
    if (recall)
        for (unsigned c = 0; c < k; c++) {
            double h = 0;
            for (size_t i = 0; i < n; i++) h += y[i] == (int)c && pred[i] == (int)c;
            recall[c] = cnt[c] > 0 ? h / cnt[c] : NAN;
        }
    out->ok = 1;
    ret = 0;
done:
    free(prob); free(pred); free(cnt);
    return ret;
}

static double safe_log_ratio(double m, double chance)
{
    if (!(m > 0) || !(chance > 0)) return NAN;
    return log(m / chance);
}

static int check_probes(audit_report *r, const audit_dataset *ds, const audit_options *opt,
                        const char *group_key)
{
    size_t k = ds->nclasses;
    size_t *rows = malloc((ds->n ? ds->n : 1) * sizeof *rows);
    int *y = malloc((ds->n ? ds->n : 1) * sizeof *y), *g = malloc((ds->n ? ds->n : 1) * sizeof *g);
    float *x = NULL;
    double *recall = calloc(2 * (k ? k : 1), sizeof *recall);
    const char **gv = malloc((ds->n ? ds->n : 1) * sizeof *gv);
    strset gs = { 0 };
    int ret = -1;
    if (!rows || !y || !g || !recall || !gv) goto done;
    size_t n = 0;
    for (size_t i = 0; i < ds->n; i++)
        if (ds->clips[i].has_pixels && ds->clips[i].label >= 0) rows[n++] = i;
    if (n < (opt->folds >= 2 ? opt->folds : 2) || k < 2) { ret = 0; goto done; }
    size_t ngv = 0;
    for (size_t a = 0; a < n; a++) {
        const char *v = group_key ? group_value(&ds->clips[rows[a]], group_key) : NULL;
        gv[a] = v ? v : ds->clips[rows[a]].id;
        ngv++;
    }
    if (strset_build(&gs, gv, ngv) != 0) goto done;
    for (size_t a = 0; a < n; a++) {
        y[a] = ds->clips[rows[a]].label;
        g[a] = strset_find(&gs, gv[a]);
    }
    static const struct { const char *id, *title, *what; size_t dim; } fam[2] = {
        { "colour", "Static bias: colour grid (no motion)",
          "4x4 colour grid of the sampled frames: mean and std of R,G,B per cell over the frames",
          AUDIT_COLOUR_DIM },
        { "motion", "Temporal: motion grid (no appearance)",
          "mean |grey difference| between consecutive sampled frames on a 4x4 grid, in time order",
          AUDIT_MOTION_DIM },
    };
    audit_plot *p = add_plot(r, "plot.probe", "Out-of-fold balanced accuracy of the linear probe",
                             "features", "balanced accuracy", 2);
    if (!p) goto done;
    for (int f = 0; f < 2; f++) {
        x = malloc(n * fam[f].dim * sizeof *x);
        if (!x) goto done;
        for (size_t a = 0; a < n; a++)
            memcpy(x + a * fam[f].dim, f == 0 ? ds->clips[rows[a]].colour : ds->clips[rows[a]].motion,
                   fam[f].dim * sizeof *x);
        probe_result pr;
        if (run_probe(&pr, recall + (size_t)f * k, x, n, fam[f].dim, y, (unsigned)k, g, opt) != 0) goto done;
        free(x);
        x = NULL;
        char id[96];
        snprintf(id, sizeof id, "static_bias.%s", fam[f].id);
        audit_check *ch = add_check(r, id, fam[f].title);
        if (!ch) goto done;
        snprintf(ch->method, sizeof ch->method, "RESOUND B = ln(M / M_rnd): M = out-of-fold balanced "
                 "accuracy of a multinomial logistic regression (SGD, %u epochs or 600,000 sample "
                 "visits per fold if fewer, batch 64, L2 %g, "
                 "standardised on the training folds) over %s (%zu dims); %u-fold stratified group "
                 "k-fold on '%s'; M_rnd = 1/K; 95%% percentile bootstrap (%u resamples of clips) "
                 "through the same transform; p from %u label permutations against the fixed "
                 "out-of-fold predictions; seed %llu. Flags when the interval's low end exceeds "
                 "the threshold", opt->epochs, opt->l2, fam[f].what, fam[f].dim, opt->folds,
                 group_key ? group_key : "clip id", opt->bootstrap, opt->permutations,
                 (unsigned long long)opt->seed);
        ch->n = n;
        ch->value = safe_log_ratio(pr.m, pr.chance);
        ch->ci_lo = safe_log_ratio(pr.ci[0], pr.chance);
        ch->ci_hi = safe_log_ratio(pr.ci[1], pr.chance);
        ch->p = pr.p;
        ch->threshold = opt->bias_threshold;
        ch->flag = f == 0 && ch->ci_lo > ch->threshold;
        audit_buf d = { 0 };
        audit_buf_printf(&d, "{\"balanced_accuracy\":");
        audit_buf_num(&d, pr.m);
        audit_buf_printf(&d, ",\"balanced_accuracy_ci\":[");
        audit_buf_num(&d, pr.ci[0]);
        audit_buf_printf(&d, ",");
        audit_buf_num(&d, pr.ci[1]);
        audit_buf_printf(&d, "],\"chance\":");
        audit_buf_num(&d, pr.chance);
        audit_buf_printf(&d, ",\"classes\":%zu,\"folds\":%u}", k, opt->folds);
        ch->details = take(&d);

        snprintf(id, sizeof id, "static_bias.%s.repair", fam[f].id);
        ch = add_check(r, id, f == 0 ? "Static bias (REPAIR form): colour grid"
                                     : "Temporal (REPAIR form): motion grid");
        if (!ch) goto done;
        snprintf(ch->method, sizeof ch->method, "1 - CE/H(Y): CE = mean out-of-fold cross-entropy "
                 "(nats) of the probe of static_bias.%s, H(Y) = entropy of the label distribution; "
                 "0 = the features tell nothing about the class, 1 = everything", fam[f].id);
        ch->n = n;
        ch->value = pr.repair;

        p->names[f] = strdup(fam[f].id);
        p->value[f] = pr.m;
        p->lo[f] = pr.ci[0];
        p->hi[f] = pr.ci[1];
        p->ref = pr.chance;
    }
    audit_buf t = { 0 };
    audit_buf_printf(&t, "class,recall_colour,recall_motion\n");
    for (size_t c = 0; c < k; c++) {
        audit_buf_csv(&t, ds->classes[c]);
        audit_buf_printf(&t, ",");
        audit_buf_num(&t, recall[c]);
        audit_buf_printf(&t, ",");
        audit_buf_num(&t, recall[k + c]);
        audit_buf_printf(&t, "\n");
    }
    if (add_table(r, "probe_recall", &t) != 0) goto done;
    ret = 0;
done:
    free(rows); free(y); free(g); free(x); free(recall); free(gv); free(gs.s);
    return ret;
}

/* ---- label-factor association and viewpoint --------------------------- */

static int check_factors(audit_report *r, const audit_dataset *ds, const strset *keys,
                         const audit_options *opt)
{
    size_t n = ds->n;
    int *a = malloc((n ? n : 1) * sizeof *a), *b = malloc((n ? n : 1) * sizeof *b);
    const char **vals = malloc((n ? n : 1) * sizeof *vals);
    size_t *rows = malloc((n ? n : 1) * sizeof *rows);
    int ret = -1;
    if (!a || !b || !vals || !rows) goto done;
    for (size_t kk = 0; kk < keys->n; kk++) {
        const char *key = keys->s[kk];
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            const char *v = group_value(&ds->clips[i], key);
            if (v && ds->clips[i].label >= 0) { vals[m] = v; rows[m] = i; m++; }
        }
        strset set;
        if (strset_build(&set, vals, m) != 0) goto done;
        /* a key with about one clip per value (source video, clip id) is an
         * identity, not a factor: its association with anything is 1 */
        if (m < 2 || set.n < 2 || set.n * 2 > m) { free(set.s); continue; }
        for (size_t q = 0; q < m; q++) {
            a[q] = ds->clips[rows[q]].label;
            b[q] = strset_find(&set, vals[q]);
        }
        double nmi = audit_nmi(a, b, m, (unsigned)ds->nclasses, (unsigned)set.n);
        double v = audit_cramers_v(a, b, m, (unsigned)ds->nclasses, (unsigned)set.n);
        char id[96], title[128];
        snprintf(id, sizeof id, "factor.nmi.%s", key);
        snprintf(title, sizeof title, "Label / '%s' normalised mutual information", key);
        audit_check *ch = add_check(r, id, title);
        if (!ch) { free(set.s); goto done; }
        snprintf(ch->method, sizeof ch->method, "NMI = 2 I(class; %s) / (H(class) + H(%s)) over "
                 "%zu clips, %zu values", key, key, m, set.n);
        ch->value = nmi;
        ch->n = m;
        snprintf(id, sizeof id, "factor.cramers_v.%s", key);
        snprintf(title, sizeof title, "Label / '%s' Cramer's V", key);
        ch = add_check(r, id, title);
        if (!ch) { free(set.s); goto done; }
        snprintf(ch->method, sizeof ch->method, "bias-corrected Cramer's V (Bergsma 2013): sqrt(max(0, chi2/n - (K-1)(L-1)/(n-1)) / (min(K~, L~) - 1)) of the class x "
                 "%s contingency table over %zu clips, %zu values; flags above the threshold",
                 key, m, set.n);
        ch->value = v;
        ch->n = m;
        ch->threshold = opt->factor_threshold;
        ch->flag = v > opt->factor_threshold;

        if (strcmp(key, "view") == 0) {
            /* per class: is its most common view over-represented against
             * the view distribution of the whole set? */
            size_t k = ds->nclasses, L = set.n;
            double *t = calloc(k * L, sizeof *t), *rowc = calloc(k, sizeof *rowc), *colc = calloc(L, sizeof *colc);
            if (!t || !rowc || !colc) { free(t); free(rowc); free(colc); free(set.s); goto done; }
            for (size_t q = 0; q < m; q++) {
                t[(size_t)a[q] * L + (size_t)b[q]] += 1;
                rowc[a[q]] += 1;
                colc[b[q]] += 1;
            }
            audit_plot *p = add_plot(r, "plot.view_share", "Share of each class's clips in its most "
                                     "common view", "class", "share", k);
            audit_buf d = { 0 };
            size_t flagged = 0;
            audit_buf_printf(&d, "[");
            for (size_t c = 0; c < k; c++) {
                size_t best = 0;
                for (size_t l = 1; l < L; l++) if (t[c * L + l] > t[c * L + best]) best = l;
                double nc = rowc[c], pv = colc[best] / (double)m;
                double share = nc > 0 ? t[c * L + best] / nc : NAN;
                double z = nc > 0 && pv > 0 && pv < 1 ? (t[c * L + best] - nc * pv) / sqrt(nc * pv * (1 - pv)) : 0;
                int fl = share >= 0.5 && z > 3.5;
                if (p) { p->names[c] = strdup(ds->classes[c]); p->value[c] = share; }
                if (fl) {
                    audit_buf_printf(&d, "%s{\"class\":", flagged ? "," : "");
                    audit_buf_json(&d, ds->classes[c]);
                    audit_buf_printf(&d, ",\"view\":");
                    audit_buf_json(&d, set.s[best]);
                    audit_buf_printf(&d, ",\"share\":");
                    audit_buf_num(&d, share);
                    audit_buf_printf(&d, ",\"z\":");
                    audit_buf_num(&d, z);
                    audit_buf_printf(&d, "}");
                    flagged++;
                }
            }
            audit_buf_printf(&d, "]");
            if (p) p->ref = 1.0 / (double)L;
            free(t); free(rowc); free(colc);
            ch = add_check(r, "view.class_bias", "Classes concentrated on one viewpoint");
            if (!ch) { free(d.s); free(set.s); goto done; }
            snprintf(ch->method, sizeof ch->method, "per class, the most common 'view' value: the "
                     "class is flagged when that view holds at least half its clips and its count "
                     "exceeds the whole-set share by z > 3.5 (binomial normal approximation, about "
                     "p < 0.0003 one-sided); value = flagged classes, details list them");
            ch->value = (double)flagged;
            ch->n = k;
            ch->threshold = 0;
            ch->flag = flagged > 0;
            ch->details = take(&d);
        }
        free(set.s);
    }
    ret = 0;
done:
    free(a); free(b); free(vals); free(rows);
    return ret;
}

/* ---- domain gap -------------------------------------------------------- */

static int check_domain(audit_report *r, const audit_dataset *ds, const audit_options *opt)
{
    size_t nr = 0, nsy = 0;
    for (size_t i = 0; i < ds->n; i++) {
        if (!ds->clips[i].has_pixels) continue;
        nr += ds->clips[i].domain == 1;
        nsy += ds->clips[i].domain == 2;
    }
    if (nr < 2 || nsy < 2) return 0;
    static const struct { const char *id; size_t dim; } fam[2] = {
        { "colour", AUDIT_COLOUR_DIM }, { "motion", AUDIT_MOTION_DIM } };
    for (int f = 0; f < 2; f++) {
        size_t d = fam[f].dim;
        float *a = malloc(nr * d * sizeof *a), *b = malloc(nsy * d * sizeof *b);
        if (!a || !b) { free(a); free(b); return -1; }
        size_t ia = 0, ib = 0;
        for (size_t i = 0; i < ds->n; i++) {
            const audit_clip *c = &ds->clips[i];
            if (!c->has_pixels || !c->domain) continue;
            const float *src = f == 0 ? c->colour : c->motion;
            if (c->domain == 1) memcpy(a + ia++ * d, src, d * sizeof *a);
            else memcpy(b + ib++ * d, src, d * sizeof *b);
        }
        char id[96], title[128];
        snprintf(id, sizeof id, "domain.frechet.%s", fam[f].id);
        snprintf(title, sizeof title, "Frechet distance real vs synthetic: %s", fam[f].id);
        audit_check *ch = add_check(r, id, title);
        if (!ch) { free(a); free(b); return -1; }
        snprintf(ch->method, sizeof ch->method, "|mu_r - mu_s|^2 + tr(S_r + S_s - 2 (S_r S_s)^1/2) "
                 "of Gaussians fitted to the %s features (%zu dims) of %zu real and %zu synthetic "
                 "clips; matrix square root through Jacobi eigen-decompositions", fam[f].id, d, nr, nsy);
        ch->value = audit_frechet(a, nr, b, nsy, d);
        ch->n = nr + nsy;
        double sd;
        snprintf(id, sizeof id, "domain.kid.%s", fam[f].id);
        snprintf(title, sizeof title, "Kernel distance real vs synthetic: %s", fam[f].id);
        ch = add_check(r, id, title);
        if (!ch) { free(a); free(b); return -1; }
        snprintf(ch->method, sizeof ch->method, "KID: unbiased MMD^2 with kernel (x.y/d + 1)^3 on "
                 "the %s features, mean of 20 random subsets of up to 500 clips per side (seed "
                 "%llu); interval = mean -/+ 1.96 sd over subsets", fam[f].id,
                 (unsigned long long)opt->seed);
        ch->value = audit_kid(&sd, a, nr, b, nsy, d, 20, 500, opt->seed);
        ch->ci_lo = ch->value - 1.96 * sd;
        ch->ci_hi = ch->value + 1.96 * sd;
        ch->n = nr + nsy;
        free(a);
        free(b);
    }
    return 0;
}

/* ---- entry ----------------------------------------------------------- */

int audit_run(audit_report *out, const audit_dataset *ds, const audit_options *opt)
{
    memset(out, 0, sizeof *out);
    out->clips = ds->n;
    out->classes = ds->nclasses;
    const char **tmp = malloc((ds->n + 1) * sizeof *tmp);
    int *split_of = malloc((ds->n + 1) * sizeof *split_of);
    strset splits = { 0 }, keys = { 0 };
    int ret = -1;
    if (!tmp || !split_of) goto done;
    for (size_t i = 0; i < ds->n; i++) tmp[i] = ds->clips[i].split;
    if (strset_build(&splits, tmp, ds->n) != 0) goto done;
    for (size_t i = 0; i < ds->n; i++) split_of[i] = strset_find(&splits, ds->clips[i].split);
    size_t nk = 0;
    const char **kt = NULL;
    for (size_t i = 0; i < ds->n; i++) nk += ds->clips[i].group_count;
    kt = malloc((nk + 1) * sizeof *kt);
    if (!kt) goto done;
    nk = 0;
    for (size_t i = 0; i < ds->n; i++)
        for (uint32_t g = 0; g < ds->clips[i].group_count; g++) kt[nk++] = ds->clips[i].groups[g].key;
    int krc = strset_build(&keys, kt, nk);
    free(kt);
    if (krc != 0) goto done;
    size_t off = 0;
    for (size_t s = 0; s < splits.n && off + 2 < sizeof out->splits; s++)
        off += (size_t)snprintf(out->splits + off, sizeof out->splits - off, "%s%s", s ? "," : "",
                                splits.s[s][0] ? splits.s[s] : "(none)");
    if (off >= sizeof out->splits) out->splits[sizeof out->splits - 1] = 0;

    const char *gkey = opt->group_key;
    if (!gkey && ds->n && ds->clips[0].group_count) gkey = ds->clips[0].groups[0].key;
    if (check_composition(out, ds, &splits, split_of) != 0) goto done;
    if (check_groups(out, ds, &keys, &splits, split_of) != 0) goto done;
    if (check_dups(out, ds, opt) != 0) goto done;
    if (check_probes(out, ds, opt, gkey) != 0) goto done;
    if (check_factors(out, ds, &keys, opt) != 0) goto done;
    if (check_domain(out, ds, opt) != 0) goto done;
    ret = 0;
done:
    free(tmp);
    free(split_of);
    free(splits.s);
    free(keys.s);
    if (ret != 0) audit_report_free(out);
    return ret;
}
