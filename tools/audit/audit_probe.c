/* audit_probe.c: the linear probe behind the static-bias and temporal
 * checks — multinomial logistic regression, out-of-fold over a stratified
 * group k-fold. */
#include "audit.h"
#include "cli/cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint64_t mix(uint64_t a, uint64_t b)
{
    uint64_t s = a ^ (b * 0x9e3779b97f4a7c15ull);
    return audit_rng_next(&s);
}

typedef struct gstat { int id; size_t size; uint64_t order; } gstat;

static int cmp_gstat(const void *pa, const void *pb)
{
    const gstat *a = pa, *b = pb;
    if (a->size != b->size) return a->size > b->size ? -1 : 1;
    if (a->order != b->order) return a->order < b->order ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* Greedy in the manner of scikit-learn's StratifiedGroupKFold: big groups
 * first, each to the fold where it raises the sum over folds and classes
 * of squared class shares (plus a fold-size term) least, which keeps the
 * class mix of the folds even. Only the classes a group holds enter its
 * cost, so many classes (Kinetics-400) cost no per-group class vector.
 * Groups of equal size are taken in a seeded order. */
void audit_folds(int *fold_out, const int *y, unsigned k, const int *groups,
                 size_t n, unsigned folds, uint64_t seed)
{
    int ng = 0;
    for (size_t i = 0; i < n; i++) {
        int g = groups ? groups[i] : (int)i;
        if (g + 1 > ng) ng = g + 1;
    }
    gstat *gs = calloc((size_t)ng + 1, sizeof *gs);
    size_t *start = calloc((size_t)ng + 1, sizeof *start);
    size_t *rows = malloc((n ? n : 1) * sizeof *rows);
    double *fcls = calloc((size_t)folds * k, sizeof *fcls);
    double *tot = calloc(k, sizeof *tot), *gc = calloc(k, sizeof *gc);
    double *fsize = calloc(folds, sizeof *fsize);
    unsigned *touched = malloc((n ? n : 1) * sizeof *touched);
    int *gfold = calloc((size_t)ng + 1, sizeof *gfold);
    if (!gs || !start || !rows || !fcls || !tot || !gc || !fsize || !touched || !gfold) {
        for (size_t i = 0; i < n; i++) fold_out[i] = (int)(i % folds);
        goto done;
    }
    for (int g = 0; g < ng; g++) {
        gs[g].id = g;
        gs[g].order = mix(seed, (uint64_t)g);
    }
    for (size_t i = 0; i < n; i++) {
        gs[groups ? groups[i] : (int)i].size++;
        tot[y[i]] += 1;
    }
    /* rows of each group together (counting sort by group id) */
    for (int g = 0; g < ng; g++) start[g + 1] = start[g] + gs[g].size;
    {
        size_t *fill = calloc((size_t)ng + 1, sizeof *fill);
        if (!fill) {
            for (size_t i = 0; i < n; i++) fold_out[i] = (int)(i % folds);
            goto done;
        }
        for (size_t i = 0; i < n; i++) {
            int g = groups ? groups[i] : (int)i;
            rows[start[g] + fill[g]++] = i;
        }
        free(fill);
    }
    qsort(gs, (size_t)ng, sizeof *gs, cmp_gstat);
    for (int gi = 0; gi < ng; gi++) {
        int g = gs[gi].id;
        if (!gs[gi].size) continue;
        size_t nt = 0;
        for (size_t r = start[g]; r < start[g + 1]; r++) {
            unsigned c = (unsigned)y[rows[r]];
            if (gc[c] == 0) touched[nt++] = c;
            gc[c] += 1;
        }
        int best = 0;
        double bestc = INFINITY, sz = (double)gs[gi].size;
        for (unsigned f = 0; f < folds; f++) {
            double cost = ((fsize[f] + sz) * (fsize[f] + sz) - fsize[f] * fsize[f]) / ((double)n * n);
            for (size_t t = 0; t < nt; t++) {
                unsigned c = touched[t];
                double a = fcls[(size_t)f * k + c];
                cost += ((a + gc[c]) * (a + gc[c]) - a * a) / (tot[c] * tot[c]);
            }
            if (cost < bestc) { bestc = cost; best = (int)f; }
        }
        gfold[g] = best;
        fsize[best] += sz;
        for (size_t t = 0; t < nt; t++) {
            fcls[(size_t)best * k + touched[t]] += gc[touched[t]];
            gc[touched[t]] = 0;
        }
    }
    for (size_t i = 0; i < n; i++) fold_out[i] = gfold[groups ? groups[i] : (int)i];
done:
    free(gs); free(start); free(rows); free(fcls); free(tot); free(gc); free(fsize);
    free(touched); free(gfold);
}

/* Eight partial sums in a fixed order: the compiler may vectorise it
 * without -ffast-math, and the result does not depend on the machine's
 * thread count (each fold is one thread's work). */
static float dot(const float *a, const float *b, size_t d)
{
    float acc[8] = { 0 };
    size_t c = 0;
    for (; c + 8 <= d; c += 8)
        for (int q = 0; q < 8; q++) acc[q] += a[c + q] * b[c + q];
    float s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (; c < d; c++) s += a[c] * b[c];
    return s;
}

/* Sample visits per fold: past this, more epochs on a big set change the
 * probe little and cost linearly */
#define VISIT_BUDGET 600000.0

typedef struct fold_job {
    const float *x; size_t n, d; const int *y; unsigned k;
    const int *fold; int f;
    const audit_options *opt;
    float *prob;
    int failed;
} fold_job;

static void train_fold(fold_job *j)
{
    size_t n = j->n, d = j->d;
    unsigned k = j->k;
    size_t ntr = 0;
    for (size_t i = 0; i < n; i++) ntr += j->fold[i] != j->f;
    size_t *order = malloc((ntr ? ntr : 1) * sizeof *order);
    double *mu = calloc(d, sizeof *mu), *sd = calloc(d, sizeof *sd);
    float *w = calloc((d + 1) * k, sizeof *w), *vel = calloc((d + 1) * k, sizeof *vel);
    float *g = calloc((d + 1) * k, sizeof *g), *xs = malloc(d * sizeof *xs);
    float *p = malloc(k * sizeof *p);
    if (!order || !mu || !sd || !w || !vel || !g || !xs || !p) { j->failed = 1; goto done; }
    size_t t = 0;
    for (size_t i = 0; i < n; i++) if (j->fold[i] != j->f) order[t++] = i;
    /* standardise with the training part only: the held-out fold must not
     * leak into the probe through its statistics */
    for (size_t a = 0; a < ntr; a++) {
        const float *row = j->x + order[a] * d;
        for (size_t c = 0; c < d; c++) { mu[c] += row[c]; sd[c] += (double)row[c] * row[c]; }
    }
    for (size_t c = 0; c < d; c++) {
        mu[c] /= ntr ? (double)ntr : 1;
        double v = sd[c] / (ntr ? (double)ntr : 1) - mu[c] * mu[c];
        sd[c] = v > 1e-12 ? 1.0 / sqrt(v) : 0;
    }
    uint64_t rng = mix(j->opt->seed, 0x70726f6265ull + (uint64_t)j->f);
    const size_t batch = 64;
    const float l2 = (float)j->opt->l2;
    unsigned epochs = j->opt->epochs ? j->opt->epochs : 1;
    if (ntr && (double)epochs * (double)ntr > VISIT_BUDGET) {
        double e = VISIT_BUDGET / (double)ntr;
        epochs = e < 3 ? 3 : (unsigned)e;
    }
    for (unsigned e = 0; e < epochs; e++) {
        for (size_t a = ntr; a > 1; a--) {
            size_t b = (size_t)(audit_rng_next(&rng) % a);
            size_t tmp = order[a - 1]; order[a - 1] = order[b]; order[b] = tmp;
        }
        /* step size decays linearly to a tenth: early epochs move, late ones settle */
        float lr = 0.1f * (1.0f - 0.9f * (float)e / (float)epochs);
        for (size_t b0 = 0; b0 < ntr; b0 += batch) {
            size_t b1 = b0 + batch < ntr ? b0 + batch : ntr;
            memset(g, 0, (d + 1) * k * sizeof *g);
            for (size_t a = b0; a < b1; a++) {
                const float *row = j->x + order[a] * d;
                for (size_t c = 0; c < d; c++) xs[c] = (float)((row[c] - mu[c]) * sd[c]);
                float mx = -INFINITY;
                for (unsigned cl = 0; cl < k; cl++) {
                    const float *wc = w + (size_t)cl * (d + 1);
                    float s = wc[d] + dot(wc, xs, d);
                    p[cl] = s;
                    if (s > mx) mx = s;
                }
                float z = 0;
                for (unsigned cl = 0; cl < k; cl++) { p[cl] = expf(p[cl] - mx); z += p[cl]; }
                int yi = j->y[order[a]];
                for (unsigned cl = 0; cl < k; cl++) {
                    float r = p[cl] / z - (cl == (unsigned)yi);
                    float *gc = g + (size_t)cl * (d + 1);
                    for (size_t c = 0; c < d; c++) gc[c] += r * xs[c];
                    gc[d] += r;
                }
            }
            float scale = 1.0f / (float)(b1 - b0);
            for (size_t q = 0; q < (d + 1) * k; q++) {
                vel[q] = 0.9f * vel[q] - lr * (g[q] * scale + l2 * w[q]);
                w[q] += vel[q];
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (j->fold[i] != j->f) continue;
        const float *row = j->x + i * d;
        for (size_t c = 0; c < d; c++) xs[c] = (float)((row[c] - mu[c]) * sd[c]);
        double mx = -INFINITY, z = 0;
        double s[256], *sp = k <= 256 ? s : NULL;
        double *heap = sp ? NULL : malloc(k * sizeof *heap);
        if (!sp) { if (!heap) { j->failed = 1; goto done; } sp = heap; }
        for (unsigned cl = 0; cl < k; cl++) {
            const float *wc = w + (size_t)cl * (d + 1);
            double v = (double)wc[d] + dot(wc, xs, d);
            sp[cl] = v;
            if (v > mx) mx = v;
        }
        for (unsigned cl = 0; cl < k; cl++) { sp[cl] = exp(sp[cl] - mx); z += sp[cl]; }
        for (unsigned cl = 0; cl < k; cl++) j->prob[i * k + cl] = (float)(sp[cl] / z);
        free(heap);
    }
done:
    free(order); free(mu); free(sd); free(w); free(vel); free(g); free(xs); free(p);
}

static int work_fold(void *user, uint64_t f, size_t slot)
{
    (void)slot;
    fold_job *j = (fold_job *)user + f;
    train_fold(j);
    return j->failed;
}

static int done_fold(void *user, uint64_t f, size_t slot, int rc)
{
    (void)user; (void)f; (void)slot; (void)rc;
    return 0;
}

int audit_probe_oof(float *prob_out, const float *x, size_t n, size_t d,
                    const int *y, unsigned k, const int *groups,
                    const audit_options *opt)
{
    unsigned folds = opt->folds >= 2 ? opt->folds : 2;
    if (k < 2 || n < folds) return -1;
    int *fold = malloc(n * sizeof *fold);
    fold_job *jobs = calloc(folds, sizeof *jobs);
    if (!fold || !jobs) { free(fold); free(jobs); return -1; }
    audit_folds(fold, y, k, groups, n, folds, opt->seed);
    for (size_t i = 0; i < n * k; i++) prob_out[i] = 1.0f / (float)k;
    for (unsigned f = 0; f < folds; f++)
        jobs[f] = (fold_job){ x, n, d, y, k, fold, (int)f, opt, prob_out, 0 };
    unsigned nt = audit_threads(opt);
    if (nt > folds) nt = folds;
    int rc = cli_pool_run(folds, nt, folds, work_fold, done_fold, jobs);
    if (rc == CLI_POOL_NOTHREAD) rc = cli_pool_run(folds, 1, 1, work_fold, done_fold, jobs);
    int failed = rc != 0;
    for (unsigned f = 0; f < folds; f++) failed |= jobs[f].failed;
    free(fold);
    free(jobs);
    return failed ? -1 : 0;
}
