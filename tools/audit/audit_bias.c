/* audit_bias.c: the linear-probe checks — static (representation) bias on
 * features that see no motion, and temporal dependence on features that
 * see only motion, in time order or shuffled. */
#include "audit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct probe_result { double m, ci[2], p, repair, chance; size_t n; unsigned k; int ok; } probe_result;

/* Out-of-fold probe over x; pred (n) receives the predictions. */
static int run_probe(probe_result *out, int *pred, double *recall, const float *x, size_t n,
                     size_t d, const int *y, unsigned k, const int *groups, const audit_options *opt)
{
    memset(out, 0, sizeof *out);
    out->m = out->ci[0] = out->ci[1] = out->p = out->repair = out->chance = NAN;
    out->n = n;
    out->k = k;
    float *prob = malloc((n * k > 0 ? n * k : 1) * sizeof *prob);
    double *cnt = calloc(k ? k : 1, sizeof *cnt);
    int ret = -1;
    if (!prob || !cnt) goto done;
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
    free(prob); free(cnt);
    return ret;
}

static double safe_log_ratio(double m, double chance)
{
    if (!(m > 0) || !(chance > 0)) return NAN;
    return log(m / chance);
}

/* ---- the feature families ------------------------------------------------ */

/* Metadata one-hot: the group keys that are factors (fewer values than half
 * the clips), one column per (key, value). Built once per report. */
typedef struct onehot { const audit_strset *keys; audit_strset *vals; size_t *off; size_t dim; } onehot;

typedef struct family {
    const char *id, *title, *what;
    size_t dim;
    int flags;                 /* a static bias check that flags */
    /* the features of clip i into x (dim floats); 0 when it has none */
    int (*get)(float *x, const audit_dataset *ds, size_t i, const void *ctx);
} family;

static int get_colour(float *x, const audit_dataset *ds, size_t i, const void *ctx)
{
    const audit_clip *c = &ds->clips[i];
    if (!c->has_pixels) return 0;
    memcpy(x, c->colour, sizeof c->colour);
    return 1;
}

static int get_background(float *x, const audit_dataset *ds, size_t i, const void *ctx)
{
    const audit_clip *c = &ds->clips[i];
    if (!c->has_pixels || !c->masked) return 0;
    memcpy(x, c->masked->background, sizeof c->masked->background);
    return 1;
}

static int get_person(float *x, const audit_dataset *ds, size_t i, const void *ctx)
{
    const audit_clip *c = &ds->clips[i];
    if (!c->has_pixels || !c->masked) return 0;
    memcpy(x, c->masked->person, sizeof c->masked->person);
    return 1;
}

static int get_motion(float *x, const audit_dataset *ds, size_t i, const void *ctx)
{
    const audit_clip *c = &ds->clips[i];
    if (!c->has_pixels) return 0;
    memcpy(x, c->motion, sizeof c->motion);
    return 1;
}

static int get_shuffled(float *x, const audit_dataset *ds, size_t i, const void *ctx)
{
    const audit_clip *c = &ds->clips[i];
    if (!c->has_pixels) return 0;
    memcpy(x, c->shuffled, sizeof c->shuffled);
    return 1;
}

static int get_pose(float *x, const audit_dataset *ds, size_t i, const void *ctx)
{
    const audit_clip *c = &ds->clips[i];
    if (!c->pose) return 0;
    memcpy(x, c->pose->mean, sizeof c->pose->mean);
    return 1;
}

static int get_pose_motion(float *x, const audit_dataset *ds, size_t i, const void *ctx)
{
    const audit_clip *c = &ds->clips[i];
    if (!c->pose) return 0;
    memcpy(x, c->pose->vel, sizeof c->pose->vel);
    return 1;
}

static int get_metadata(float *x, const audit_dataset *ds, size_t i, const void *ctx)
{
    const onehot *oh = ctx;
    const audit_clip *c = &ds->clips[i];
    memset(x, 0, oh->dim * sizeof *x);
    int any = 0;
    for (size_t k = 0; k < oh->keys->n; k++) {
        if (!oh->vals[k].n) continue;
        const char *v = audit_group_value(c, oh->keys->s[k]);
        int at = v ? audit_strset_find(&oh->vals[k], v) : -1;
        if (at >= 0) { x[oh->off[k] + (size_t)at] = 1; any = 1; }
    }
    return any;
}

static int get_embedding(float *x, const audit_dataset *ds, size_t i, const void *ctx)
{
    const audit_clip *c = &ds->clips[i];
    if (!c->emb || !ds->emb_dim) return 0;
    memcpy(x, c->emb, ds->emb_dim * sizeof *x);
    return 1;
}

enum { F_COLOUR, F_BACKGROUND, F_PERSON, F_POSE, F_METADATA, F_EMBEDDING, F_MOTION, F_SHUFFLED,
       F_POSE_MOTION, NFAM };

static const family families[NFAM] = {
    { "colour", "Static bias: colour grid (no motion)",
      "4x4 colour grid of the sampled frames: mean and std of R,G,B per cell over the frames",
      AUDIT_COLOUR_DIM, 1, get_colour },
    { "background", "Static bias: background only",
      "the colour grid of the background pixels alone (mask 0), for clips with a mask stream",
      AUDIT_COLOUR_DIM, 1, get_background },
    { "person", "Static bias: person only",
      "the colours of the person pixels alone (mask > 0), without their place or shape: mean "
      "and std of R,G,B and the share in each of 4x4x4 colour bins, for clips with a mask stream",
      AUDIT_PERSON_DIM, 1, get_person },
    { "pose", "Static pose: mean pose (no motion)",
      "the mean over the sampled frames of the joints relative to the mid-hip, in body sizes "
      "(RMS joint distance from the mid-hip), first person of the 3D pose stream (else 2D)",
      AUDIT_POSE_DIM, 0, get_pose },
    { "metadata", "Static bias: generator metadata",
      "one-hot of every group value of the keys that are factors (fewer distinct values than "
      "half the clips and at most 256: scene, view...) other than the fold key, the generator's own record",
      0, 1, get_metadata },
    { "embedding", "Static bias: external embedding",
      "the per-clip embedding the user brought (--embeddings), as given",
      0, 1, get_embedding },
    { "motion", "Temporal: motion grid (no appearance)",
      "mean |grey difference| between consecutive sampled frames on a 4x4 grid, in time order",
      AUDIT_MOTION_DIM, 0, get_motion },
    { "motion_shuffled", "Temporal: motion grid of shuffled frames",
      "the motion grid of the same sampled frames put in a seeded random order per clip (never "
      "the original order): the motion that is left once the order is gone",
      AUDIT_MOTION_DIM, 0, get_shuffled },
    { "pose_motion", "Temporal: joint speeds",
      "speed of each joint between consecutive sampled frames, in body sizes per step, in time "
      "order, first person of the 3D pose stream (else 2D)",
      AUDIT_POSEVEL_DIM, 0, get_pose_motion },
};

/* What one family's probe produced, kept for the order comparison. */
typedef struct fam_out { size_t n; size_t *rows; int *pred; double *recall; probe_result pr; } fam_out;

static int probe_family(fam_out *fo, audit_report *r, audit_plot *plot, size_t slot,
                        const audit_dataset *ds, const audit_options *opt, const char *group_key,
                        const family *fam, size_t dim, const void *ctx)
{
    size_t k = ds->nclasses, N = ds->n ? ds->n : 1;
    float *x = malloc(N * (dim ? dim : 1) * sizeof *x);
    int *y = malloc(N * sizeof *y), *g = malloc(N * sizeof *g);
    const char **gv = malloc(N * sizeof *gv);
    audit_strset gs = { 0 };
    int ret = -1;
    memset(fo, 0, sizeof *fo);
    fo->rows = malloc(N * sizeof *fo->rows);
    fo->pred = malloc(N * sizeof *fo->pred);
    fo->recall = calloc(k ? k : 1, sizeof *fo->recall);
    if (!x || !y || !g || !gv || !fo->rows || !fo->pred || !fo->recall) goto done;
    size_t n = 0;
    for (size_t i = 0; i < ds->n; i++)
        if (ds->clips[i].label >= 0 && fam->get(x + n * dim, ds, i, ctx)) fo->rows[n++] = i;
    fo->n = n;
    if (n < (opt->folds >= 2 ? opt->folds : 2) || k < 2 || !dim) { ret = 0; goto done; }
    for (size_t a = 0; a < n; a++) {
        const char *v = group_key ? audit_group_value(&ds->clips[fo->rows[a]], group_key) : NULL;
        gv[a] = v ? v : ds->clips[fo->rows[a]].id;
    }
    if (audit_strset_build(&gs, gv, n) != 0) goto done;
    for (size_t a = 0; a < n; a++) {
        y[a] = ds->clips[fo->rows[a]].label;
        g[a] = audit_strset_find(&gs, gv[a]);
    }
    if (run_probe(&fo->pr, fo->pred, fo->recall, x, n, dim, y, (unsigned)k, g, opt) != 0) goto done;
    if (!fo->pr.ok) { ret = 0; goto done; }

    char id[96];
    snprintf(id, sizeof id, "static_bias.%s", fam->id);
    audit_check *ch = audit_add_check(r, id, fam->title);
    if (!ch) goto done;
    snprintf(ch->method, sizeof ch->method, "RESOUND B = ln(M / M_rnd): M = out-of-fold balanced "
             "accuracy of a multinomial logistic regression (SGD, %u epochs or 600,000 sample "
             "visits per fold if fewer, batch 64, L2 %g, standardised on the training folds) over "
             "%s (%zu dims); %u-fold stratified group k-fold on '%s'; M_rnd = 1/K; 95%% percentile "
             "bootstrap (%u resamples of clips) through the same transform; p from %u label "
             "permutations against the fixed out-of-fold predictions; seed %llu.%s",
             opt->epochs, opt->l2, fam->what, dim, opt->folds, group_key ? group_key : "clip id",
             opt->bootstrap, opt->permutations, (unsigned long long)opt->seed,
             fam->flags ? " Flags when the interval's low end exceeds the threshold" : "");
    ch->n = n;
    ch->value = safe_log_ratio(fo->pr.m, fo->pr.chance);
    ch->ci_lo = safe_log_ratio(fo->pr.ci[0], fo->pr.chance);
    ch->ci_hi = safe_log_ratio(fo->pr.ci[1], fo->pr.chance);
    ch->p = fo->pr.p;
    if (fam->flags) {
        ch->threshold = opt->bias_threshold;
        ch->flag = ch->ci_lo > ch->threshold;
    }
    audit_buf d = { 0 };
    audit_buf_printf(&d, "{\"balanced_accuracy\":");
    audit_buf_num(&d, fo->pr.m);
    audit_buf_printf(&d, ",\"balanced_accuracy_ci\":[");
    audit_buf_num(&d, fo->pr.ci[0]);
    audit_buf_printf(&d, ",");
    audit_buf_num(&d, fo->pr.ci[1]);
    audit_buf_printf(&d, "],\"chance\":");
    audit_buf_num(&d, fo->pr.chance);
    audit_buf_printf(&d, ",\"classes\":%zu,\"folds\":%u,\"dims\":%zu}", k, opt->folds, dim);
    ch->details = audit_take(&d);

    snprintf(id, sizeof id, "static_bias.%s.repair", fam->id);
    char title[128];
    snprintf(title, sizeof title, "%s (REPAIR form)", fam->title);
    ch = audit_add_check(r, id, title);
    if (!ch) goto done;
    snprintf(ch->method, sizeof ch->method, "1 - CE/H(Y): CE = mean out-of-fold cross-entropy "
             "(nats) of the probe of static_bias.%s, H(Y) = entropy of the label distribution; "
             "0 = the features tell nothing about the class, 1 = everything", fam->id);
    ch->n = n;
    ch->value = fo->pr.repair;

    plot->names[slot] = strdup(fam->id);
    plot->value[slot] = fo->pr.m;
    plot->lo[slot] = fo->pr.ci[0];
    plot->hi[slot] = fo->pr.ci[1];
    plot->ref = fo->pr.chance;
    ret = 0;
done:
    free(x); free(y); free(g); free(gv); free(gs.s);
    return ret;
}

static void fam_out_free(fam_out *fo)
{
    free(fo->rows); free(fo->pred); free(fo->recall);
    memset(fo, 0, sizeof *fo);
}

/* Ordered against shuffled motion: the drop in balanced accuracy when the
 * frame order is gone, and the classes that lose most. Both probes ran on
 * the same clips (every clip with pixels has both grids). */
static int check_order(audit_report *r, const audit_dataset *ds, const audit_options *opt,
                       const fam_out *ord, const fam_out *shuf)
{
    if (!ord->pr.ok || !shuf->pr.ok || ord->n != shuf->n) return 0;
    size_t n = ord->n, k = ds->nclasses;
    int *y = malloc((n ? n : 1) * sizeof *y);
    if (!y) return -1;
    for (size_t a = 0; a < n; a++) y[a] = ds->clips[ord->rows[a]].label;
    audit_check *ch = audit_add_check(r, "temporal.order", "Temporal order: ordered minus shuffled motion");
    if (!ch) { free(y); return -1; }
    snprintf(ch->method, sizeof ch->method, "M(static_bias.motion) - M(static_bias.motion_shuffled): "
             "the balanced accuracy the motion probe loses when the sampled frames are shuffled; "
             "95%% paired bootstrap (%u resamples of clips, the same clips for both); near 0 means "
             "the motion grid's order carries nothing the probe uses. Never flags: details list "
             "the classes that need order (recall drops by 0.25 or more)", opt->bootstrap);
    ch->n = n;
    ch->value = ord->pr.m - shuf->pr.m;
    double ci[2];
    audit_bootstrap_bacc_diff(ci, ord->pred, shuf->pred, y, n, (unsigned)k, opt->bootstrap, opt->seed);
    ch->ci_lo = ci[0];
    ch->ci_hi = ci[1];
    audit_buf d = { 0 };
    audit_buf t = { 0 };
    audit_buf_printf(&d, "{\"needs_order\":[");
    audit_buf_printf(&t, "class,recall_ordered,recall_shuffled,needs_order\n");
    size_t flagged = 0;
    for (size_t c = 0; c < k; c++) {
        double ro = ord->recall[c], rs = shuf->recall[c];
        int need = isfinite(ro) && isfinite(rs) && ro - rs >= 0.25;
        if (need) {
            audit_buf_printf(&d, "%s", flagged ? "," : "");
            audit_buf_json(&d, ds->classes[c]);
            flagged++;
        }
        audit_buf_csv(&t, ds->classes[c]);
        audit_buf_printf(&t, ",");
        audit_buf_num(&t, ro);
        audit_buf_printf(&t, ",");
        audit_buf_num(&t, rs);
        audit_buf_printf(&t, ",%d\n", need);
    }
    audit_buf_printf(&d, "]}");
    ch->details = audit_take(&d);
    free(y);
    return audit_add_table(r, "temporal_order", &t);
}

int audit_check_probes(audit_report *r, const audit_dataset *ds, const audit_options *opt,
                       const char *group_key, const audit_strset *keys)
{
    size_t k = ds->nclasses;
    int ret = -1;
    fam_out fo[NFAM];
    memset(fo, 0, sizeof fo);
    onehot oh = { keys, calloc(keys->n ? keys->n : 1, sizeof *oh.vals),
                  calloc(keys->n ? keys->n : 1, sizeof *oh.off), 0 };
    const char **vals = malloc((ds->n ? ds->n : 1) * sizeof *vals);
    if (!oh.vals || !oh.off || !vals) goto done;
    for (size_t kk = 0; kk < keys->n; kk++) {
        size_t m = 0;
        for (size_t i = 0; i < ds->n; i++) {
            const char *v = audit_group_value(&ds->clips[i], keys->s[kk]);
            if (v) vals[m++] = v;
        }
        if (audit_strset_build(&oh.vals[kk], vals, m) != 0) goto done;
        /* an identity (source video, clip id) is not a factor, and the
         * fold key's values never reach a held-out fold: both would only
         * cost time */
        /* more than 256 values is a naming of clips or sources, not a
         * generator setting */
        if (oh.vals[kk].n < 2 || oh.vals[kk].n * 2 > m || oh.vals[kk].n > 256 ||
            (group_key && strcmp(group_key, keys->s[kk]) == 0))
            oh.vals[kk].n = 0;
        oh.off[kk] = oh.dim;
        oh.dim += oh.vals[kk].n;
    }
    audit_plot *p = audit_add_plot(r, "plot.probe", "Out-of-fold balanced accuracy of the linear "
                                   "probe per feature family", "features", "balanced accuracy", NFAM);
    if (!p) goto done;
    size_t used = 0;
    for (int f = 0; f < NFAM; f++) {
        size_t dim = f == F_METADATA ? oh.dim : f == F_EMBEDDING ? ds->emb_dim : families[f].dim;
        if (probe_family(&fo[f], r, p, used, ds, opt, group_key, &families[f], dim, &oh) != 0)
            goto done;
        used += fo[f].pr.ok;
    }
    p->n = used;
    if (check_order(r, ds, opt, &fo[F_MOTION], &fo[F_SHUFFLED]) != 0) goto done;

    audit_buf t = { 0 };
    audit_buf_printf(&t, "class");
    for (int f = 0; f < NFAM; f++) if (fo[f].pr.ok) audit_buf_printf(&t, ",recall_%s", families[f].id);
    audit_buf_printf(&t, "\n");
    for (size_t c = 0; c < k; c++) {
        audit_buf_csv(&t, ds->classes[c]);
        for (int f = 0; f < NFAM; f++) {
            if (!fo[f].pr.ok) continue;
            audit_buf_printf(&t, ",");
            audit_buf_num(&t, fo[f].recall[c]);
        }
        audit_buf_printf(&t, "\n");
    }
    if (audit_add_table(r, "probe_recall", &t) != 0) goto done;
    ret = 0;
done:
    for (int f = 0; f < NFAM; f++) fam_out_free(&fo[f]);
    if (oh.vals) for (size_t kk = 0; kk < keys->n; kk++) free(oh.vals[kk].s);
    free(oh.vals); free(oh.off); free(vals);
    return ret;
}
