/* audit_stats.c: the statistics the checks report — resampled intervals,
 * permutation p, association between factors, distribution distances. */
#include "audit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

uint64_t audit_rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

double audit_rng_unit(uint64_t *state)
{
    return (double)(audit_rng_next(state) >> 11) * (1.0 / 9007199254740992.0);
}

static double bacc_counts(const double *hit, const double *tot, unsigned k)
{
    double s = 0;
    unsigned present = 0;
    for (unsigned c = 0; c < k; c++)
        if (tot[c] > 0) { s += hit[c] / tot[c]; present++; }
    return present ? s / present : NAN;
}

double audit_balanced_accuracy(const int *pred, const int *y, size_t n, unsigned k)
{
    double *hit = calloc(k, sizeof *hit), *tot = calloc(k, sizeof *tot);
    double r = NAN;
    if (hit && tot) {
        for (size_t i = 0; i < n; i++) { tot[y[i]] += 1; hit[y[i]] += pred[i] == y[i]; }
        r = bacc_counts(hit, tot, k);
    }
    free(hit);
    free(tot);
    return r;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void audit_bootstrap_bacc(double ci[2], const int *pred, const int *y, size_t n,
                          unsigned k, unsigned reps, uint64_t seed)
{
    ci[0] = ci[1] = NAN;
    if (!n || !reps) return;
    double *hit = malloc(k * sizeof *hit), *tot = malloc(k * sizeof *tot);
    double *v = malloc(reps * sizeof *v);
    if (hit && tot && v) {
        uint64_t rng = seed ^ 0xb0075742ull;
        unsigned m = 0;
        for (unsigned r = 0; r < reps; r++) {
            memset(hit, 0, k * sizeof *hit);
            memset(tot, 0, k * sizeof *tot);
            for (size_t t = 0; t < n; t++) {
                size_t i = (size_t)(audit_rng_next(&rng) % n);
                tot[y[i]] += 1;
                hit[y[i]] += pred[i] == y[i];
            }
            double b = bacc_counts(hit, tot, k);
            if (!isnan(b)) v[m++] = b;
        }
        if (m) {
            qsort(v, m, sizeof *v, cmp_double);
            ci[0] = v[(size_t)floor(0.025 * (m - 1))];
            ci[1] = v[(size_t)ceil(0.975 * (m - 1))];
        }
    }
    free(hit); free(tot); free(v);
}

void audit_bootstrap_bacc_diff(double ci[2], const int *pred_a, const int *pred_b,
                               const int *y, size_t n, unsigned k, unsigned reps, uint64_t seed)
{
    ci[0] = ci[1] = NAN;
    if (!n || !reps) return;
    double *ha = malloc(k * sizeof *ha), *hb = malloc(k * sizeof *hb), *tot = malloc(k * sizeof *tot);
    double *v = malloc(reps * sizeof *v);
    if (ha && hb && tot && v) {
        /* the same resampled clips for both, so what the two share (the
         * clips that are easy or hard for any feature) cancels */
        uint64_t rng = seed ^ 0xd1ffb007ull;
        unsigned m = 0;
        for (unsigned r = 0; r < reps; r++) {
            memset(ha, 0, k * sizeof *ha);
            memset(hb, 0, k * sizeof *hb);
            memset(tot, 0, k * sizeof *tot);
            for (size_t t = 0; t < n; t++) {
                size_t i = (size_t)(audit_rng_next(&rng) % n);
                tot[y[i]] += 1;
                ha[y[i]] += pred_a[i] == y[i];
                hb[y[i]] += pred_b[i] == y[i];
            }
            double d = bacc_counts(ha, tot, k) - bacc_counts(hb, tot, k);
            if (!isnan(d)) v[m++] = d;
        }
        if (m) {
            qsort(v, m, sizeof *v, cmp_double);
            ci[0] = v[(size_t)floor(0.025 * (m - 1))];
            ci[1] = v[(size_t)ceil(0.975 * (m - 1))];
        }
    }
    free(ha); free(hb); free(tot); free(v);
}

typedef struct scored { double s; int pos; } scored;

static int cmp_scored(const void *pa, const void *pb)
{
    const scored *a = pa, *b = pb;
    return (a->s > b->s) - (a->s < b->s);
}

double audit_auc(const double *score, const int *positive, size_t n)
{
    scored *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) return NAN;
    size_t np = 0;
    for (size_t i = 0; i < n; i++) { v[i].s = score[i]; v[i].pos = positive[i] != 0; np += v[i].pos; }
    size_t nn = n - np;
    if (!np || !nn) { free(v); return NAN; }
    qsort(v, n, sizeof *v, cmp_scored);
    /* Mann-Whitney: the positives' rank sum, ties sharing their mean rank */
    double ranks = 0;
    for (size_t s = 0; s < n;) {
        size_t e = s + 1;
        while (e < n && v[e].s == v[s].s) e++;
        double mid = (double)(s + 1 + e) / 2.0;
        for (size_t i = s; i < e; i++) if (v[i].pos) ranks += mid;
        s = e;
    }
    free(v);
    return (ranks - (double)np * (np + 1) / 2.0) / ((double)np * (double)nn);
}

double audit_permutation_p(const int *pred, const int *y, size_t n, unsigned k,
                           unsigned reps, uint64_t seed)
{
    if (!n || !reps) return NAN;
    int *perm = malloc(n * sizeof *perm);
    if (!perm) return NAN;
    memcpy(perm, y, n * sizeof *perm);
    double obs = audit_balanced_accuracy(pred, y, n, k);
    uint64_t rng = seed ^ 0x9e2a7a11ull;
    unsigned ge = 0;
    for (unsigned r = 0; r < reps; r++) {
        for (size_t a = n; a > 1; a--) {
            size_t b = (size_t)(audit_rng_next(&rng) % a);
            int t = perm[a - 1]; perm[a - 1] = perm[b]; perm[b] = t;
        }
        ge += audit_balanced_accuracy(pred, perm, n, k) >= obs - 1e-12;
    }
    free(perm);
    return (1.0 + ge) / (1.0 + reps);
}

double audit_entropy(const double *counts, size_t k)
{
    double tot = 0, h = 0;
    for (size_t i = 0; i < k; i++) tot += counts[i];
    if (tot <= 0) return 0;
    for (size_t i = 0; i < k; i++)
        if (counts[i] > 0) h -= counts[i] / tot * log(counts[i] / tot);
    return h;
}

static double *contingency(const int *a, const int *b, size_t n, unsigned ka, unsigned kb)
{
    double *t = calloc((size_t)ka * kb, sizeof *t);
    if (t) for (size_t i = 0; i < n; i++) t[(size_t)a[i] * kb + (unsigned)b[i]] += 1;
    return t;
}

double audit_nmi(const int *a, const int *b, size_t n, unsigned ka, unsigned kb)
{
    double *t = contingency(a, b, n, ka, kb);
    double *ra = calloc(ka, sizeof *ra), *rb = calloc(kb, sizeof *rb);
    double r = NAN;
    if (t && ra && rb && n) {
        for (unsigned i = 0; i < ka; i++)
            for (unsigned j = 0; j < kb; j++) { ra[i] += t[i * kb + j]; rb[j] += t[i * kb + j]; }
        double ha = audit_entropy(ra, ka), hb = audit_entropy(rb, kb);
        double hab = audit_entropy(t, (size_t)ka * kb);
        double mi = ha + hb - hab;
        r = ha + hb > 0 ? 2 * mi / (ha + hb) : 0;
        if (r < 0) r = 0;
    }
    free(t); free(ra); free(rb);
    return r;
}

double audit_cramers_v(const int *a, const int *b, size_t n, unsigned ka, unsigned kb)
{
    double *t = contingency(a, b, n, ka, kb);
    double *ra = calloc(ka, sizeof *ra), *rb = calloc(kb, sizeof *rb);
    double r = NAN;
    if (t && ra && rb && n) {
        for (unsigned i = 0; i < ka; i++)
            for (unsigned j = 0; j < kb; j++) { ra[i] += t[i * kb + j]; rb[j] += t[i * kb + j]; }
        unsigned ua = 0, ub = 0;
        for (unsigned i = 0; i < ka; i++) ua += ra[i] > 0;
        for (unsigned j = 0; j < kb; j++) ub += rb[j] > 0;
        double chi = 0;
        for (unsigned i = 0; i < ka; i++)
            for (unsigned j = 0; j < kb; j++) {
                double e = ra[i] * rb[j] / (double)n;
                if (e > 0) chi += (t[i * kb + j] - e) * (t[i * kb + j] - e) / e;
            }
        /* Bergsma's bias correction: with many levels and few clips the
         * plain V of independent factors sits well above 0 */
        double nn = (double)n, phi2 = chi / nn;
        double phi2c = phi2 - ((double)ua - 1) * ((double)ub - 1) / (nn - 1);
        double kc = ua - ((double)ua - 1) * ((double)ua - 1) / (nn - 1);
        double rc = ub - ((double)ub - 1) * ((double)ub - 1) / (nn - 1);
        double m = (kc < rc ? kc : rc) - 1;
        r = n > 1 && m > 0 ? sqrt((phi2c > 0 ? phi2c : 0) / m) : 0;
    }
    free(t); free(ra); free(rb);
    return r;
}

void audit_wilson(double ci[2], double x, double n)
{
    if (n <= 0) { ci[0] = ci[1] = NAN; return; }
    const double z = 1.959963984540054;
    double p = x / n, den = 1 + z * z / n;
    double c = (p + z * z / (2 * n)) / den;
    double h = z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den;
    ci[0] = x <= 0 || c - h < 0 ? 0 : c - h;
    ci[1] = x >= n || c + h > 1 ? 1 : c + h;
}

/* Cyclic Jacobi: slow for big matrices but exact enough, dependency-free
 * and deterministic; the feature families here have at most a few hundred
 * dimensions. */
void audit_symeig(double *a, double *w, double *v, size_t d)
{
    if (v) {
        memset(v, 0, d * d * sizeof *v);
        for (size_t i = 0; i < d; i++) v[i * d + i] = 1;
    }
    for (int sweep = 0; sweep < 60; sweep++) {
        double off = 0, diag = 0;
        for (size_t p = 0; p < d; p++) {
            diag += a[p * d + p] * a[p * d + p];
            for (size_t q = p + 1; q < d; q++) off += a[p * d + q] * a[p * d + q];
        }
        if (off <= 1e-22 * (diag > 0 ? diag : 1)) break;
        for (size_t p = 0; p < d; p++)
            for (size_t q = p + 1; q < d; q++) {
                double apq = a[p * d + q];
                if (fabs(apq) < 1e-300) continue;
                double theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
                double t = (theta >= 0 ? 1 : -1) / (fabs(theta) + sqrt(theta * theta + 1));
                double c = 1 / sqrt(t * t + 1), s = t * c;
                for (size_t r = 0; r < d; r++) {
                    double arp = a[r * d + p], arq = a[r * d + q];
                    a[r * d + p] = c * arp - s * arq;
                    a[r * d + q] = s * arp + c * arq;
                }
                for (size_t r = 0; r < d; r++) {
                    double apr = a[p * d + r], aqr = a[q * d + r];
                    a[p * d + r] = c * apr - s * aqr;
                    a[q * d + r] = s * apr + c * aqr;
                }
                if (v)
                    for (size_t r = 0; r < d; r++) {
                        double vrp = v[r * d + p], vrq = v[r * d + q];
                        v[r * d + p] = c * vrp - s * vrq;
                        v[r * d + q] = s * vrp + c * vrq;
                    }
            }
    }
    for (size_t i = 0; i < d; i++) w[i] = a[i * d + i];
}

static void moments(double *mu, double *cov, const float *x, size_t n, size_t d)
{
    memset(mu, 0, d * sizeof *mu);
    memset(cov, 0, d * d * sizeof *cov);
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < d; c++) mu[c] += x[i * d + c];
    for (size_t c = 0; c < d; c++) mu[c] /= (double)n;
    for (size_t i = 0; i < n; i++)
        for (size_t p = 0; p < d; p++) {
            double dp = x[i * d + p] - mu[p];
            for (size_t q = p; q < d; q++) cov[p * d + q] += dp * (x[i * d + q] - mu[q]);
        }
    for (size_t p = 0; p < d; p++)
        for (size_t q = p; q < d; q++) cov[q * d + p] = cov[p * d + q] /= (double)(n - 1);
}

double audit_frechet(const float *a, size_t na, const float *b, size_t nb, size_t d)
{
    if (na < 2 || nb < 2 || !d) return NAN;
    double *m1 = malloc(d * sizeof *m1), *m2 = malloc(d * sizeof *m2);
    double *s1 = malloc(d * d * sizeof *s1), *s2 = malloc(d * d * sizeof *s2);
    double *vv = malloc(d * d * sizeof *vv), *w = malloc(d * sizeof *w);
    double *r = malloc(d * d * sizeof *r), *t = malloc(d * d * sizeof *t);
    double res = NAN;
    if (!m1 || !m2 || !s1 || !s2 || !vv || !w || !r || !t) goto done;
    moments(m1, s1, a, na, d);
    moments(m2, s2, b, nb, d);
    double tr = 0, dm = 0;
    for (size_t c = 0; c < d; c++) {
        dm += (m1[c] - m2[c]) * (m1[c] - m2[c]);
        tr += s1[c * d + c] + s2[c * d + c];
    }
    /* tr (S1 S2)^1/2 = tr (R S2 R)^1/2 with R = S1^1/2, a symmetric PSD form */
    memcpy(t, s1, d * d * sizeof *t);
    audit_symeig(t, w, vv, d);
    for (size_t p = 0; p < d; p++)
        for (size_t q = 0; q < d; q++) {
            double s = 0;
            for (size_t e = 0; e < d; e++)
                s += vv[p * d + e] * sqrt(w[e] > 0 ? w[e] : 0) * vv[q * d + e];
            r[p * d + q] = s;
        }
    for (size_t p = 0; p < d; p++)
        for (size_t q = 0; q < d; q++) {
            double s = 0;
            for (size_t e = 0; e < d; e++) s += r[p * d + e] * s2[e * d + q];
            t[p * d + q] = s;
        }
    for (size_t p = 0; p < d; p++)
        for (size_t q = 0; q < d; q++) {
            double s = 0;
            for (size_t e = 0; e < d; e++) s += t[p * d + e] * r[e * d + q];
            vv[p * d + q] = s;
        }
    for (size_t p = 0; p < d; p++)
        for (size_t q = p + 1; q < d; q++)
            vv[p * d + q] = vv[q * d + p] = 0.5 * (vv[p * d + q] + vv[q * d + p]);
    audit_symeig(vv, w, NULL, d);
    double ts = 0;
    for (size_t c = 0; c < d; c++) ts += sqrt(w[c] > 0 ? w[c] : 0);
    res = dm + tr - 2 * ts;
    if (res < 0) res = 0;
done:
    free(m1); free(m2); free(s1); free(s2); free(vv); free(w); free(r); free(t);
    return res;
}

static double kern(const float *x, const float *y, size_t d)
{
    double s = 0;
    for (size_t c = 0; c < d; c++) s += (double)x[c] * y[c];
    s = s / (double)d + 1;
    return s * s * s;
}

double audit_kid(double *sd, const float *a, size_t na, const float *b, size_t nb,
                 size_t d, unsigned subsets, size_t size, uint64_t seed)
{
    if (sd) *sd = NAN;
    size_t m = size;
    if (m > na) m = na;
    if (m > nb) m = nb;
    if (m < 2 || !subsets) return NAN;
    size_t *ia = malloc(na * sizeof *ia), *ib = malloc(nb * sizeof *ib);
    double *vals = malloc(subsets * sizeof *vals);
    double mean = NAN;
    if (!ia || !ib || !vals) goto done;
    uint64_t rng = seed ^ 0x6b6964ull;
    for (size_t i = 0; i < na; i++) ia[i] = i;
    for (size_t i = 0; i < nb; i++) ib[i] = i;
    double s = 0, s2 = 0;
    for (unsigned r = 0; r < subsets; r++) {
        /* partial Fisher-Yates: the first m entries become the subset */
        for (size_t i = 0; i < m; i++) {
            size_t j = i + (size_t)(audit_rng_next(&rng) % (na - i));
            size_t t = ia[i]; ia[i] = ia[j]; ia[j] = t;
            j = i + (size_t)(audit_rng_next(&rng) % (nb - i));
            t = ib[i]; ib[i] = ib[j]; ib[j] = t;
        }
        double kxx = 0, kyy = 0, kxy = 0;
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < m; j++) {
                if (i != j) {
                    kxx += kern(a + ia[i] * d, a + ia[j] * d, d);
                    kyy += kern(b + ib[i] * d, b + ib[j] * d, d);
                }
                kxy += kern(a + ia[i] * d, b + ib[j] * d, d);
            }
        double mmd = (kxx + kyy) / ((double)m * (m - 1)) - 2 * kxy / ((double)m * m);
        vals[r] = mmd;
        s += mmd;
        s2 += mmd * mmd;
    }
    mean = s / subsets;
    if (sd) *sd = subsets > 1 ? sqrt(fmax(0, (s2 - s * s / subsets) / (subsets - 1))) : 0;
done:
    free(ia); free(ib); free(vals);
    return mean;
}
