/* audit_domain.c: how far synthetic clips (--synthetic) lie from real ones
 * (--real), per feature family: Frechet distance, KID, a domain
 * classifier's AUC, and which real poses no synthetic pose comes near. */
#include "audit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* pose comparisons need one skeleton on both sides */
typedef struct pose_key { int skeleton; unsigned joints, dims; } pose_key;

static const float *family_row(const audit_clip *c, int f, const pose_key *pk)
{
    switch (f) {
    case 0: return c->has_pixels ? c->colour : NULL;
    case 1: return c->has_pixels ? c->motion : NULL;
    case 3: return c->emb;
    default:
        if (!c->pose || c->pose->skeleton != pk->skeleton || c->pose->joints != pk->joints ||
            c->pose->dims != pk->dims)
            return NULL;
        return c->pose->mean;
    }
}

/* the embedding's dims come from the dataset (0 here) */
static const struct { const char *id, *what; size_t dim; } fam[4] = {
    { "colour", "colour grid", AUDIT_COLOUR_DIM },
    { "motion", "motion grid", AUDIT_MOTION_DIM },
    { "pose", "mean pose", AUDIT_POSE_DIM },
    { "embedding", "external per-clip embedding", 0 },
};

/* Jacobi eigen-decompositions cost d^3 a sweep: above this many dims the
 * Frechet distance is left out (KID and the AUC still run) */
#define FRECHET_MAX_DIM 512

/* Up to `cap` of the n rows, a seeded choice, in their original order. */
static size_t subsample(size_t *idx, size_t n, size_t cap, uint64_t seed)
{
    for (size_t i = 0; i < n; i++) idx[i] = i;
    if (n <= cap) return n;
    uint64_t st = seed ^ 0xc0fe4a6eull;
    for (size_t i = 0; i < cap; i++) {
        size_t j = i + (size_t)(audit_rng_next(&st) % (n - i));
        size_t t = idx[i]; idx[i] = idx[j]; idx[j] = t;
    }
    /* insertion order back to ascending, so the result reads the same */
    for (size_t a = 1; a < cap; a++)
        for (size_t b = a; b > 0 && idx[b - 1] > idx[b]; b--) { size_t t = idx[b]; idx[b] = idx[b - 1]; idx[b - 1] = t; }
    return cap;
}

static double dist2(const float *a, const float *b, size_t d)
{
    double s = 0;
    for (size_t i = 0; i < d; i++) { double t = (double)a[i] - b[i]; s += t * t; }
    return s;
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

#define COVER_CAP 2000

/* Real clips whose mean pose has no synthetic pose within the distance
 * that 95% of synthetic poses have to their own nearest neighbour. */
static int check_cover(audit_report *r, const audit_dataset *ds, const audit_options *opt,
                       const float *a, const size_t *arow, size_t na, const float *b, size_t nb,
                       size_t d)
{
    size_t *ia = malloc((na ? na : 1) * sizeof *ia), *ib = malloc((nb ? nb : 1) * sizeof *ib);
    double *nn = malloc((nb ? nb : 1) * sizeof *nn), *dr = malloc((na ? na : 1) * sizeof *dr);
    int ret = -1;
    if (!ia || !ib || !nn || !dr) goto done;
    size_t ma = subsample(ia, na, COVER_CAP, opt->seed), mb = subsample(ib, nb, COVER_CAP, opt->seed + 1);
    for (size_t s = 0; s < mb; s++) {
        double best = INFINITY;
        for (size_t t = 0; t < mb; t++)
            if (t != s) {
                double v = dist2(b + ib[s] * d, b + ib[t] * d, d);
                if (v < best) best = v;
            }
        nn[s] = sqrt(best);
    }
    qsort(nn, mb, sizeof *nn, cmp_double);
    double tau = nn[(size_t)ceil(0.95 * (double)(mb - 1))];
    size_t out = 0;
    audit_buf t = { 0 };
    audit_buf_printf(&t, "clip,split,class,distance_to_synthetic,covered\n");
    for (size_t s = 0; s < ma; s++) {
        double best = INFINITY;
        for (size_t q = 0; q < mb; q++) {
            double v = dist2(a + ia[s] * d, b + ib[q] * d, d);
            if (v < best) best = v;
        }
        dr[s] = sqrt(best);
        int covered = dr[s] <= tau;
        out += !covered;
        const audit_clip *c = &ds->clips[arow[ia[s]]];
        audit_buf_csv(&t, c->id);
        audit_buf_printf(&t, ",");
        audit_buf_csv(&t, c->split);
        audit_buf_printf(&t, ",");
        audit_buf_csv(&t, c->label >= 0 ? ds->classes[c->label] : "");
        audit_buf_printf(&t, ",");
        audit_buf_num(&t, dr[s]);
        audit_buf_printf(&t, ",%d\n", covered);
    }
    audit_check *ch = audit_add_check(r, "domain.pose_uncovered", "Real poses the synthetic set does not cover");
    if (!ch) { free(t.s); goto done; }
    snprintf(ch->method, sizeof ch->method, "share of real clips whose mean pose (body-size units) "
             "is farther from every synthetic mean pose than tau, the 95th percentile of the "
             "synthetic poses' distances to their own nearest synthetic neighbour (tau = %.4g); "
             "Euclidean, up to %d clips a side (seeded choice, seed %llu); 95%% Wilson interval; "
             "domain_pose_cover.csv lists each real clip", tau, COVER_CAP,
             (unsigned long long)opt->seed);
    ch->n = ma;
    ch->value = ma ? (double)out / (double)ma : NAN;
    double ci[2];
    audit_wilson(ci, (double)out, (double)ma);
    ch->ci_lo = ci[0];
    ch->ci_hi = ci[1];
    ch->threshold = 0.1;
    ch->flag = ch->value > ch->threshold;
    ret = audit_add_table(r, "domain_pose_cover", &t);
done:
    free(ia); free(ib); free(nn); free(dr);
    return ret;
}

/* A probe told to separate real (0) from synthetic (1): out-of-fold AUC of
 * its synthetic probability. Near 0.5: the family cannot tell them apart. */
static int check_auc(audit_report *r, const audit_dataset *ds, const audit_options *opt,
                     const char *fid, const float *a, size_t na, const float *b, size_t nb, size_t d,
                     const int *groups)
{
    size_t n = na + nb;
    float *x = malloc(n * d * sizeof *x), *prob = malloc(n * 2 * sizeof *prob);
    int *y = malloc(n * sizeof *y);
    double *score = malloc(n * sizeof *score);
    int ret = -1;
    if (!x || !prob || !y || !score) goto done;
    memcpy(x, a, na * d * sizeof *x);
    memcpy(x + na * d, b, nb * d * sizeof *x);
    for (size_t i = 0; i < n; i++) y[i] = i >= na;
    if (audit_probe_oof(prob, x, n, d, y, 2, groups, opt) != 0) { ret = 0; goto done; }
    for (size_t i = 0; i < n; i++) score[i] = prob[i * 2 + 1];
    char id[96], title[128];
    snprintf(id, sizeof id, "domain.auc.%s", fid);
    snprintf(title, sizeof title, "Domain classifier AUC real vs synthetic: %s", fid);
    audit_check *ch = audit_add_check(r, id, title);
    if (!ch) goto done;
    snprintf(ch->method, sizeof ch->method, "ROC AUC (Mann-Whitney) of the out-of-fold probability "
             "'synthetic' from a logistic regression (the probe of the static-bias checks, %u "
             "folds, stratified, a clip id in one fold) trained to tell %zu real from %zu synthetic clips on the %s "
             "features; 0.5 = indistinguishable, 1 = always told apart; seed %llu", opt->folds,
             na, nb, fid, (unsigned long long)opt->seed);
    ch->n = n;
    ch->value = audit_auc(score, y, n);
    ret = 0;
done:
    free(x); free(prob); free(y); free(score);
    return ret;
}

int audit_check_domain(audit_report *r, const audit_dataset *ds, const audit_options *opt)
{
    pose_key pk = { 0, 0, 0 };
    for (size_t i = 0; i < ds->n; i++)
        if (ds->clips[i].domain == 1 && ds->clips[i].pose) {
            pk.skeleton = ds->clips[i].pose->skeleton;
            pk.joints = ds->clips[i].pose->joints;
            pk.dims = ds->clips[i].pose->dims;
            break;
        }
    size_t *arow = malloc((ds->n ? ds->n : 1) * sizeof *arow);
    if (!arow) return -1;
    for (int f = 0; f < 4; f++) {
        size_t d = f == 3 ? ds->emb_dim : fam[f].dim, nr = 0, nsy = 0;
        if (!d) continue;
        for (size_t i = 0; i < ds->n; i++) {
            const audit_clip *c = &ds->clips[i];
            if (!family_row(c, f, &pk)) continue;
            nr += c->domain == 1;
            nsy += c->domain == 2;
        }
        if (nr < 2 || nsy < 2) continue;
        float *a = malloc(nr * d * sizeof *a), *b = malloc(nsy * d * sizeof *b);
        if (!a || !b) { free(a); free(b); free(arow); return -1; }
        size_t ia = 0, ib = 0;
        /* a clip id on both sides (a set against itself, a copy) stays in
         * one fold: its twin must not teach the probe the opposite label */
        const char **ids = malloc((nr + nsy) * sizeof *ids);
        int *grp = malloc((nr + nsy) * sizeof *grp);
        audit_strset idset = { 0 };
        if (!ids || !grp) { free(ids); free(grp); free(a); free(b); free(arow); return -1; }
        for (size_t i = 0; i < ds->n; i++) {
            const audit_clip *c = &ds->clips[i];
            const float *src = family_row(c, f, &pk);
            if (!src || !c->domain) continue;
            if (c->domain == 1) { ids[ia] = c->id; arow[ia] = i; memcpy(a + ia++ * d, src, d * sizeof *a); }
            else { ids[nr + ib] = c->id; memcpy(b + ib++ * d, src, d * sizeof *b); }
        }
        if (audit_strset_build(&idset, ids, nr + nsy) != 0) { free(ids); free(grp); free(a); free(b); free(arow); return -1; }
        for (size_t q = 0; q < nr + nsy; q++) grp[q] = audit_strset_find(&idset, ids[q]);
        free(idset.s);
        free(ids);
        char id[96], title[128];
        snprintf(id, sizeof id, "domain.frechet.%s", fam[f].id);
        snprintf(title, sizeof title, "Frechet distance real vs synthetic: %s", fam[f].id);
        audit_check *ch = d <= FRECHET_MAX_DIM ? audit_add_check(r, id, title) : NULL;
        int fail = d <= FRECHET_MAX_DIM && !ch;
        if (ch) {
            snprintf(ch->method, sizeof ch->method, "|mu_r - mu_s|^2 + tr(S_r + S_s - 2 (S_r S_s)^1/2) "
                     "of Gaussians fitted to the %s features (%zu dims) of %zu real and %zu synthetic "
                     "clips; matrix square root through Jacobi eigen-decompositions", fam[f].what, d,
                     nr, nsy);
            ch->value = audit_frechet(a, nr, b, nsy, d);
            ch->n = nr + nsy;
        }
        if (!fail) {
            snprintf(id, sizeof id, "domain.kid.%s", fam[f].id);
            snprintf(title, sizeof title, "Kernel distance real vs synthetic: %s", fam[f].id);
            ch = audit_add_check(r, id, title);
            fail = !ch;
        }
        if (ch) {
            double sd;
            snprintf(ch->method, sizeof ch->method, "KID: unbiased MMD^2 with kernel (x.y/d + 1)^3 "
                     "on the %s features, mean of 20 random subsets of up to 500 clips per side "
                     "(seed %llu); interval = mean -/+ 1.96 sd over subsets", fam[f].what,
                     (unsigned long long)opt->seed);
            ch->value = audit_kid(&sd, a, nr, b, nsy, d, 20, 500, opt->seed);
            ch->ci_lo = ch->value - 1.96 * sd;
            ch->ci_hi = ch->value + 1.96 * sd;
            ch->n = nr + nsy;
            fail = check_auc(r, ds, opt, fam[f].id, a, nr, b, nsy, d, grp) != 0;
        }
        if (!fail && f == 2) fail = check_cover(r, ds, opt, a, arow, nr, b, nsy, d) != 0;
        free(a);
        free(b);
        free(grp);
        if (fail) { free(arow); return -1; }
    }
    free(arow);
    return 0;
}
