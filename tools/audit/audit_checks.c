/* audit_checks.c: every check of the report, from features to numbers.
 * Each check records its method and parameters in words so the report
 * can be read without this file. */
#include "audit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the splits a report talks about; "train" is the reference for leaks */
static int is_train(const char *s) { return strcmp(s, "train") == 0; }

/* ---- composition ----------------------------------------------------- */

static int check_composition(audit_report *r, const audit_dataset *ds, const audit_strset *splits,
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
    audit_check *ch = audit_add_check(r, "composition.imbalance", "Class imbalance ratio");
    if (!ch) goto done;
    snprintf(ch->method, sizeof ch->method, "largest class count / smallest nonzero class count "
             "over %zu labelled clips and %zu classes (first label of each clip)", labelled, k);
    ch->value = k && mn < INFINITY ? mx / mn : NAN;
    ch->n = labelled;
    ch->threshold = 10;
    ch->flag = ch->value > ch->threshold;

    ch = audit_add_check(r, "composition.entropy", "Normalised class entropy");
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
    ch = audit_add_check(r, "composition.gini", "Gini coefficient of class counts");
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
    ch = audit_add_check(r, "composition.missing_classes", "Classes missing from a split");
    if (!ch) { free(det.s); goto done; }
    snprintf(ch->method, sizeof ch->method, "number of (split, class) pairs with no clip, over %zu "
             "splits and %zu classes (0 when there is one split)", ns, k);
    ch->value = (double)missing;
    ch->n = ns * k;
    ch->threshold = 0;
    ch->flag = missing > 0;
    ch->details = audit_take(&det);

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
    ch = audit_add_check(r, "composition.frames", "Frames per clip (mean)");
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
    ch->details = audit_take(&fd);

    audit_plot *p = audit_add_plot(r, "plot.class_counts", "Clips per class", "class", "clips", k);
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
    if (audit_add_table(r, "composition", &t) != 0) goto done;
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

static int check_groups(audit_report *r, const audit_dataset *ds, const audit_strset *keys,
                        const audit_strset *splits, const int *split_of)
{
    gsplit *v = malloc((ds->n ? ds->n : 1) * sizeof *v);
    if (!v) return -1;
    for (size_t kk = 0; kk < keys->n; kk++) {
        const char *key = keys->s[kk];
        size_t nv = 0;
        for (size_t i = 0; i < ds->n; i++) {
            const char *g = audit_group_value(&ds->clips[i], key);
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
        audit_check *ch = audit_add_check(r, id, title);
        if (!ch) { free(t.s); free(v); return -1; }
        snprintf(ch->method, sizeof ch->method, "count of distinct '%s' values whose clips lie in "
                 "two or more splits (of %zu splits); n is the number of distinct values; the "
                 "table groups_%s.csv lists them", key, splits->n, key);
        ch->value = (double)leaking;
        ch->n = groups;
        ch->threshold = 0;
        ch->flag = splits->n > 1 && leaking > 0;
        snprintf(tname, sizeof tname, "groups_%s", key);
        if (audit_add_table(r, tname, &t) != 0) { free(v); return -1; }
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
    audit_check *ch = audit_add_check(r, "dup.exact", "Exact duplicate clip pairs");
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
    ch = audit_add_check(r, "dup.near", "Near-duplicate clip pairs");
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
    ch->details = audit_take(&d);

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
    ch = audit_add_check(r, "dup.cross_split", "Held-out clips with a near-duplicate in train");
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
    return audit_add_table(r, "duplicates", &t);
}

/* ---- label-factor association and viewpoint --------------------------- */

static int check_factors(audit_report *r, const audit_dataset *ds, const audit_strset *keys,
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
            const char *v = audit_group_value(&ds->clips[i], key);
            if (v && ds->clips[i].label >= 0) { vals[m] = v; rows[m] = i; m++; }
        }
        audit_strset set;
        if (audit_strset_build(&set, vals, m) != 0) goto done;
        /* a key with about one clip per value (source video, clip id) is an
         * identity, not a factor: its association with anything is 1 */
        if (m < 2 || set.n < 2 || set.n * 2 > m) { free(set.s); continue; }
        for (size_t q = 0; q < m; q++) {
            a[q] = ds->clips[rows[q]].label;
            b[q] = audit_strset_find(&set, vals[q]);
        }
        double nmi = audit_nmi(a, b, m, (unsigned)ds->nclasses, (unsigned)set.n);
        double v = audit_cramers_v(a, b, m, (unsigned)ds->nclasses, (unsigned)set.n);
        char id[96], title[128];
        snprintf(id, sizeof id, "factor.nmi.%s", key);
        snprintf(title, sizeof title, "Label / '%s' normalised mutual information", key);
        audit_check *ch = audit_add_check(r, id, title);
        if (!ch) { free(set.s); goto done; }
        snprintf(ch->method, sizeof ch->method, "NMI = 2 I(class; %s) / (H(class) + H(%s)) over "
                 "%zu clips, %zu values", key, key, m, set.n);
        ch->value = nmi;
        ch->n = m;
        snprintf(id, sizeof id, "factor.cramers_v.%s", key);
        snprintf(title, sizeof title, "Label / '%s' Cramer's V", key);
        ch = audit_add_check(r, id, title);
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
            audit_plot *p = audit_add_plot(r, "plot.view_share", "Share of each class's clips in its most "
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
            ch = audit_add_check(r, "view.class_bias", "Classes concentrated on one viewpoint");
            if (!ch) { free(d.s); free(set.s); goto done; }
            snprintf(ch->method, sizeof ch->method, "per class, the most common 'view' value: the "
                     "class is flagged when that view holds at least half its clips and its count "
                     "exceeds the whole-set share by z > 3.5 (binomial normal approximation, about "
                     "p < 0.0003 one-sided); value = flagged classes, details list them");
            ch->value = (double)flagged;
            ch->n = k;
            ch->threshold = 0;
            ch->flag = flagged > 0;
            ch->details = audit_take(&d);
        }
        free(set.s);
    }
    ret = 0;
done:
    free(a); free(b); free(vals); free(rows);
    return ret;
}

/* ---- entry ----------------------------------------------------------- */

int audit_run(audit_report *out, const audit_dataset *ds, const audit_options *opt)
{
    memset(out, 0, sizeof *out);
    out->clips = ds->n;
    out->classes = ds->nclasses;
    const char **tmp = malloc((ds->n + 1) * sizeof *tmp);
    int *split_of = malloc((ds->n + 1) * sizeof *split_of);
    audit_strset splits = { 0 }, keys = { 0 };
    int ret = -1;
    if (!tmp || !split_of) goto done;
    for (size_t i = 0; i < ds->n; i++) tmp[i] = ds->clips[i].split;
    if (audit_strset_build(&splits, tmp, ds->n) != 0) goto done;
    for (size_t i = 0; i < ds->n; i++) split_of[i] = audit_strset_find(&splits, ds->clips[i].split);
    size_t nk = 0;
    const char **kt = NULL;
    for (size_t i = 0; i < ds->n; i++) nk += ds->clips[i].group_count;
    kt = malloc((nk + 1) * sizeof *kt);
    if (!kt) goto done;
    nk = 0;
    for (size_t i = 0; i < ds->n; i++)
        for (uint32_t g = 0; g < ds->clips[i].group_count; g++) kt[nk++] = ds->clips[i].groups[g].key;
    int krc = audit_strset_build(&keys, kt, nk);
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
    if (audit_check_probes(out, ds, opt, gkey, &keys) != 0) goto done;
    if (check_factors(out, ds, &keys, opt) != 0) goto done;
    if (audit_check_domain(out, ds, opt) != 0) goto done;
    if (audit_check_view(out, ds, opt) != 0) goto done;
    ret = 0;
done:
    free(tmp);
    free(split_of);
    free(splits.s);
    free(keys.s);
    if (ret != 0) audit_report_free(out);
    return ret;
}
