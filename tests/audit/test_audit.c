/* test_audit.c: the statistics and indexes of tools/audit against brute
 * force and known values, and the leak checks on datasets whose leaks
 * are known by construction. */
#include "audit/audit.h"
#include "synapt.h"
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void t_stats_known(void)
{
    int a[8] = { 0, 0, 1, 1, 2, 2, 3, 3 }, b[8] = { 1, 1, 0, 0, 3, 3, 2, 2 };
    CHECK(fabs(audit_nmi(a, b, 8, 4, 4) - 1) < 1e-9);
    CHECK(fabs(audit_cramers_v(a, b, 8, 4, 4) - 1) < 1e-9);
    int c[8] = { 0, 1, 0, 1, 0, 1, 0, 1 }, d[8] = { 0, 0, 1, 1, 0, 0, 1, 1 };
    CHECK(fabs(audit_nmi(c, d, 8, 2, 2)) < 1e-9);
    CHECK(fabs(audit_cramers_v(c, d, 8, 2, 2)) < 1e-9);
    double ci[2];
    audit_wilson(ci, 0, 50);
    CHECK(ci[0] == 0 && ci[1] > 0.05 && ci[1] < 0.09);
    int pred[6] = { 0, 0, 1, 1, 1, 1 }, y[6] = { 0, 0, 0, 0, 1, 1 };
    CHECK(fabs(audit_balanced_accuracy(pred, y, 6, 2) - 0.75) < 1e-12);
    double cnt[4] = { 1, 1, 1, 1 };
    CHECK(fabs(audit_entropy(cnt, 4) - log(4.0)) < 1e-12);
}

static void t_symeig_frechet(void)
{
    double m[9] = { 2, 1, 0, 1, 2, 0, 0, 0, 5 }, w[3];
    audit_symeig(m, w, NULL, 3);
    double s = w[0] + w[1] + w[2], p = w[0] * w[1] * w[2];
    CHECK(fabs(s - 9) < 1e-9 && fabs(p - 15) < 1e-8);
    /* two samples with the same covariance: distance = squared mean shift */
    enum { N = 400, D = 3 };
    float *x = malloc(N * D * sizeof *x), *z = malloc(N * D * sizeof *z);
    uint64_t rng = 7;
    for (int i = 0; i < N * D; i++) {
        x[i] = (float)audit_rng_unit(&rng);
        z[i] = x[i] + (i % D == 0 ? 2.0f : 0.0f);
    }
    CHECK(fabs(audit_frechet(x, N, z, N, D) - 4) < 1e-3);
    CHECK(audit_frechet(x, N, x, N, D) < 1e-6);
    double sd;
    double kid_same = audit_kid(&sd, x, N, x, N, D, 5, 200, 1);
    double kid_far = audit_kid(&sd, x, N, z, N, D, 5, 200, 1);
    CHECK(fabs(kid_same) < 0.05 && kid_far > 0.5);
    free(x);
    free(z);
}

/* Folds keep groups whole; the probe separates separable classes and
 * sits near chance on noise; results do not depend on threads. */
static void t_probe(void)
{
    enum { N = 600, D = 8, K = 3 };
    float *x = malloc(N * D * sizeof *x), *xn = malloc(N * D * sizeof *xn);
    float *p1 = malloc(N * K * sizeof *p1), *p2 = malloc(N * K * sizeof *p2);
    int y[N], g[N], fold[N], pred[N];
    uint64_t rng = 11;
    for (int i = 0; i < N; i++) {
        y[i] = i % K;
        g[i] = i / 4;
        for (int c = 0; c < D; c++) {
            double u = audit_rng_unit(&rng) - 0.5;
            x[i * D + c] = (float)(u + (c == y[i] ? 2.0 : 0.0));
            xn[i * D + c] = (float)audit_rng_unit(&rng);
        }
    }
    audit_folds(fold, y, K, g, N, 5, 1);
    int whole = 1;
    for (int i = 0; i < N; i++)
        if (fold[i] != fold[(i / 4) * 4]) whole = 0;
    CHECK(whole);
    audit_options opt = AUDIT_OPTIONS_INIT;
    opt.threads = 1;
    CHECK_OK(audit_probe_oof(p1, x, N, D, y, K, g, &opt));
    opt.threads = 3;
    CHECK_OK(audit_probe_oof(p2, x, N, D, y, K, g, &opt));
    CHECK(memcmp(p1, p2, N * K * sizeof *p1) == 0);
    for (int i = 0; i < N; i++) {
        pred[i] = 0;
        for (int c = 1; c < K; c++) if (p1[i * K + c] > p1[i * K + pred[i]]) pred[i] = c;
    }
    CHECK(audit_balanced_accuracy(pred, y, N, K) > 0.95);
    CHECK(audit_permutation_p(pred, y, N, K, 200, 1) < 0.01);
    CHECK_OK(audit_probe_oof(p1, xn, N, D, y, K, g, &opt));
    for (int i = 0; i < N; i++) {
        pred[i] = 0;
        for (int c = 1; c < K; c++) if (p1[i * K + c] > p1[i * K + pred[i]]) pred[i] = c;
    }
    double m = audit_balanced_accuracy(pred, y, N, K);
    CHECK(m > 0.2 && m < 0.47);
    free(x); free(xn); free(p1); free(p2);
}

/* The multi-index finds exactly the pairs all-pairs comparison finds. */
static void t_pairs_vs_brute(void)
{
    enum { N = 300 };
    audit_dataset ds;
    audit_dataset_init(&ds);
    ds.clips = calloc(N, sizeof *ds.clips);
    ds.n = ds.cap = N;
    uint64_t rng = 5;
    for (int i = 0; i < N; i++) {
        ds.clips[i].has_pixels = 1;
        ds.clips[i].id = strdup("x");
        ds.clips[i].split = strdup("");
        for (int k = 0; k < AUDIT_K; k++) {
            uint64_t h = audit_rng_next(&rng);
            /* every third clip is a noisy copy of the one before */
            if (i % 3 == 1) {
                h = ds.clips[i - 1].dhash[k];
                for (int f = 0; f < (int)(audit_rng_next(&rng) % 7); f++)
                    h ^= 1ull << (audit_rng_next(&rng) % 64);
            }
            ds.clips[i].dhash[k] = h;
        }
    }
    for (unsigned ham = 0; ham <= 7; ham += 3) {
        audit_pair *pairs;
        size_t np, skipped;
        CHECK_OK(audit_find_pairs(&pairs, &np, &skipped, &ds, ham, 2, 100000));
        size_t brute = 0, agree = 0;
        for (int a = 0; a < N; a++)
            for (int b = a + 1; b < N; b++) {
                int m = 0;
                for (int p = 0; p < AUDIT_K; p++)
                    for (int q = 0; q < AUDIT_K; q++)
                        m += __builtin_popcountll(ds.clips[a].dhash[p] ^ ds.clips[b].dhash[q]) <= (int)ham;
                if (m >= 2) {
                    brute++;
                    for (size_t t = 0; t < np; t++)
                        if (pairs[t].a == (uint32_t)a && pairs[t].b == (uint32_t)b) { agree += pairs[t].matches == m; break; }
                }
            }
        CHECK_EQ_INT(np, brute);
        CHECK_EQ_INT(agree, brute);
        CHECK(brute > 0);
        free(pairs);
    }
    audit_dataset_free(&ds);
}

/* Sources: a textured background of their own and a square that moves in
 * the direction of the class. Clips are halves of a source. */
static int write_cut_dataset(const char *path, int leaky)
{
    enum { SRC = 40, W = 64, H = 64, T = 16 };
    synapt_writer *w = NULL;
    synapt_writer_options wo = SYNAPT_WRITER_OPTIONS_INIT;
    wo.deterministic = 1;
    wo.fsync = 0;
    char err[256];
    if (synapt_writer_create(&w, path, &wo, err, sizeof err) != 0) return -1;
    uint8_t *frame = malloc(W * H * 3 * T);
    for (int s = 0; s < SRC; s++) {
        uint64_t rng = 1000 + (uint64_t)s;
        uint8_t bg[8][8][3];
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++)
                for (int c = 0; c < 3; c++) bg[y][x][c] = (uint8_t)(audit_rng_next(&rng) & 255);
        for (int half = 0; half < 2; half++) {
            for (int t = 0; t < T; t++) {
                int tt = half * T + t, cls = s % 4;
                int sx = 8 + (cls == 0 ? tt : cls == 1 ? 32 - tt : 16);
                int sy = 8 + (cls == 2 ? tt : cls == 3 ? 32 - tt : 16);
                for (int y = 0; y < H; y++)
                    for (int x = 0; x < W; x++) {
                        uint8_t *px = frame + ((size_t)t * W * H + (size_t)y * W + x) * 3;
                        int in = x >= sx && x < sx + 12 && y >= sy && y < sy + 12;
                        for (int c = 0; c < 3; c++) px[c] = in ? 240 : bg[y / 8][x / 8][c];
                    }
            }
            char id[32], src[32], lab[8];
            snprintf(id, sizeof id, "src%02d_part%d", s, half);
            snprintf(src, sizeof src, "src%02d", s);
            snprintf(lab, sizeof lab, "c%d", s % 4);
            const char *labels[1] = { lab }, *gk[1] = { "source" }, *gv[1] = { src };
            synapt_clip_desc cd = SYNAPT_CLIP_DESC_INIT;
            cd.id = id;
            cd.labels = labels;
            cd.label_count = 1;
            cd.split = leaky ? (half ? "test" : "train") : (s % 5 == 4 ? "test" : "train");
            cd.group_keys = gk;
            cd.group_values = gv;
            cd.group_count = 1;
            synapt_stream_desc sd = SYNAPT_STREAM_DESC_INIT;
            sd.name = "rgb";
            sd.kind = SYNAPT_KIND_IMAGE;
            sd.dtype = SYNAPT_DTYPE_U8;
            sd.codec = SYNAPT_CODEC_RAW;
            sd.ndim = 3;
            sd.shape[0] = H; sd.shape[1] = W; sd.shape[2] = 3;
            uint32_t st;
            if (synapt_writer_begin_clip(w, &cd) != 0 || synapt_writer_add_stream(&st, w, &sd) != 0 ||
                synapt_writer_write_frames(w, st, frame, (size_t)W * H * 3 * T, T, NULL) != 0 ||
                synapt_writer_end_clip(w) != 0) {
                free(frame);
                synapt_writer_abort(w);
                return -1;
            }
        }
    }
    free(frame);
    return synapt_writer_close(w, err, sizeof err);
}

static const audit_check *find(const audit_report *r, const char *id)
{
    int i = audit_find_check(r, id);
    return i >= 0 ? &r->checks[i] : NULL;
}

static void t_leaks(void)
{
    char path[2][512];
    for (int leaky = 0; leaky < 2; leaky++) {
        snprintf(path[leaky], sizeof path[leaky], "%s/audit_cut_%d.synapt", tu_tmp_dir(), leaky);
        CHECK_OK(write_cut_dataset(path[leaky], leaky));
        audit_dataset ds;
        audit_dataset_init(&ds);
        char err[256];
        CHECK_OK(audit_dataset_add_path(&ds, path[leaky], 0, NULL, NULL, err, sizeof err));
        audit_options opt = AUDIT_OPTIONS_INIT;
        opt.bootstrap = opt.permutations = 50;
        opt.epochs = 5;
        CHECK_OK(audit_features_compute(&ds, &opt, NULL, NULL, NULL, err, sizeof err));
        audit_report rep;
        CHECK_OK(audit_run(&rep, &ds, &opt));
        const audit_check *dup = find(&rep, "dup.cross_split"), *grp = find(&rep, "split.group_leak.source");
        CHECK(dup && grp);
        if (dup && grp) {
            printf("# %s: dup.cross_split %.3f [%.3f, %.3f], group_leak.source %.0f\n",
                   leaky ? "leaky" : "clean", dup->value, dup->ci_lo, dup->ci_hi, grp->value);
            CHECK_EQ_INT(dup->flag, leaky);
            CHECK_EQ_INT(grp->flag, leaky);
            if (leaky) CHECK(dup->value > 0.9 && grp->value == 40);
            else CHECK(dup->value == 0 && grp->value == 0);
        }
        if (leaky) {
            /* the contact sheet: a PNG of 12 rows of two clips' 8 thumbnails */
            char png[600];
            snprintf(png, sizeof png, "%s/audit_pairs.png", tu_tmp_dir());
            CHECK_OK(audit_write_sheet(png, &rep, &ds, &opt));
            unsigned char hdr[24] = { 0 };
            FILE *f = fopen(png, "rb");
            CHECK(f && fread(hdr, 1, sizeof hdr, f) == sizeof hdr);
            if (f) fclose(f);
            CHECK(memcmp(hdr, "\x89PNG\r\n\x1a\n", 8) == 0);
            unsigned w = (unsigned)hdr[16] << 24 | hdr[17] << 16 | hdr[18] << 8 | hdr[19];
            unsigned h = (unsigned)hdr[20] << 24 | hdr[21] << 16 | hdr[22] << 8 | hdr[23];
            CHECK_EQ_INT(w, 2 * AUDIT_K * 64 + 8);
            CHECK_EQ_INT(h, 12 * 66);
            remove(png);
        }
        audit_report_free(&rep);
        audit_dataset_free(&ds);
        remove(path[leaky]);
    }
}

/* A small dataset with every kind of record: pixels, masks, poses, groups,
 * embeddings, unlabelled clips. */
static void fill_dataset(audit_dataset *ds, size_t n)
{
    audit_dataset_init(ds);
    ds->clips = calloc(n, sizeof *ds->clips);
    ds->files = calloc(1, sizeof *ds->files);
    ds->classes = calloc(3, sizeof *ds->classes);
    ds->n = ds->cap = n;
    ds->nfiles = 1;
    ds->files[0].path = strdup("in.synapt");
    ds->files[0].fingerprint = 42;
    for (int c = 0; c < 3; c++) {
        char name[8];
        snprintf(name, sizeof name, "k%d", c);
        ds->classes[c] = strdup(name);
    }
    ds->nclasses = 3;
    ds->emb_dim = 4;
    ds->emb_source = strdup("e.npy");
    uint64_t rng = 5;
    for (size_t i = 0; i < n; i++) {
        audit_clip *c = &ds->clips[i];
        char id[16];
        snprintf(id, sizeof id, "c%02zu", i);
        c->id = strdup(id);
        c->split = strdup(i % 3 ? "train" : "test");
        c->label = i % 7 == 6 ? -1 : (int)(i % 3);
        c->domain = 1 + (int)(i % 2);
        c->index = i;
        c->frames = 16 + i;
        c->fps = 25;
        c->width = c->height = 32;
        c->group_count = 1;
        c->groups = calloc(1, sizeof *c->groups);
        c->groups[0].key = strdup("actor");
        c->groups[0].value = strdup(i % 2 ? "a" : "b");
        c->has_pixels = i % 5 != 4;
        for (unsigned k = 0; k < AUDIT_K; k++) c->dhash[k] = audit_rng_next(&rng);
        c->exact = audit_rng_next(&rng);
        for (size_t j = 0; j < AUDIT_COLOUR_DIM; j++) c->colour[j] = (float)audit_rng_unit(&rng);
        for (size_t j = 0; j < AUDIT_MOTION_DIM; j++) c->motion[j] = c->shuffled[j] = (float)audit_rng_unit(&rng);
        if (i % 4 == 0 && c->has_pixels) {
            c->masked = calloc(1, sizeof *c->masked);
            c->masked->person[3] = 0.5f;
        }
        if (i % 3 == 1) {
            c->pose = calloc(1, sizeof *c->pose);
            c->pose->joints = 17;
            c->pose->dims = 3;
            c->pose->mean[5] = 1.25f;
            c->pose->visible = c->pose->framed = NAN;
        }
        if (i % 6) {
            c->emb = malloc(4 * sizeof *c->emb);
            for (int j = 0; j < 4; j++) c->emb[j] = (float)(i * 4 + j);
        }
    }
}

static uint64_t fnv_bytes(const uint8_t *b, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

/* Feature files: written shards merge back to the same dataset, and
 * damaged records whose checksum was made to match again are refused or
 * read, never a crash (the bounds checks, not the checksum, must hold). */
static void t_feature_file(void)
{
    audit_dataset ds;
    fill_dataset(&ds, 20);
    audit_options opt = AUDIT_OPTIONS_INIT;
    char path[2][512], err[512];
    for (int k = 0; k < 2; k++) {
        snprintf(path[k], sizeof path[k], "%s/audit_shard_%d.feat", tu_tmp_dir(), k);
        for (size_t i = 0; i < ds.n; i++) ds.clips[i].skip = (int)(i % 2) != k;
        FILE *f = fopen(path[k], "wb");
        CHECK(f && audit_shard_write(f, &ds, &opt, (uint32_t)k, 2) == 0);
        if (f) fclose(f);
    }
    audit_dataset m;
    audit_options mo = AUDIT_OPTIONS_INIT;
    char *gk = NULL;
    const char *both[2] = { path[1], path[0] };
    CHECK_OK(audit_shard_merge(&m, &mo, &gk, both, 2, err, sizeof err));
    CHECK_EQ_INT(m.n, ds.n);
    CHECK_EQ_INT(m.emb_dim, 4);
    int same = m.n == ds.n && m.nclasses == 3;
    for (size_t i = 0; same && i < m.n; i++) {
        const audit_clip *a = &ds.clips[i], *b = &m.clips[i];
        same = !strcmp(a->id, b->id) && a->label == b->label && a->has_pixels == b->has_pixels &&
               (!a->has_pixels || !memcmp(a->colour, b->colour, sizeof a->colour)) && a->exact == b->exact &&
               !a->pose == !b->pose && !a->masked == !b->masked && !a->emb == !b->emb &&
               (!a->emb || !memcmp(a->emb, b->emb, 4 * sizeof *a->emb)) &&
               (!a->pose || (a->pose->mean[5] == b->pose->mean[5] && isnan(b->pose->visible))) &&
               b->group_count == 1 && !strcmp(b->groups[0].value, a->groups[0].value);
    }
    CHECK(same);
    audit_dataset_free(&m);
    free(gk);

    /* damage one shard: bytes changed, or cut short, then the checksum
     * and end magic rewritten to match */
    FILE *f = fopen(path[0], "rb");
    uint8_t *orig = malloc(1 << 20), *buf = malloc(1 << 20);
    size_t size = f && orig ? fread(orig, 1, 1 << 20, f) : 0;
    if (f) fclose(f);
    CHECK(size > 100 && buf);
    char bad[512];
    snprintf(bad, sizeof bad, "%s/audit_shard_bad.feat", tu_tmp_dir());
    uint64_t rng = 77;
    unsigned refused = 0, cut_read = 0, rounds = 400;
    for (unsigned round = 0; size > 100 && buf && round < rounds; round++) {
        size_t body = size - 16;
        memcpy(buf, orig, size);
        if (round % 4 == 3) body = 12 + audit_rng_next(&rng) % (body - 12);
        else
            for (unsigned e = 0; e <= round % 3; e++) {
                size_t at = 20 + audit_rng_next(&rng) % (body - 20);
                buf[at] = (uint8_t)(round % 2 ? audit_rng_next(&rng) : 0xff);
            }
        uint64_t sum = fnv_bytes(buf, body);
        for (int i = 0; i < 8; i++) buf[body + i] = (uint8_t)(sum >> (8 * i));
        memcpy(buf + body + 8, "SYNAPTAF", 8);
        FILE *o = fopen(bad, "wb");
        if (!o) break;
        fwrite(buf, 1, body + 16, o);
        fclose(o);
        const char *pair[2] = { bad, path[1] };
        gk = NULL;
        int rc = audit_shard_merge(&m, &mo, &gk, pair, 2, err, sizeof err);
        if (rc != 0) {
            refused++;
            CHECK(strchr(err, '\n') == NULL && err[0]);
        } else {
            cut_read += round % 4 == 3;
            audit_dataset_free(&m);
        }
        free(gk);
    }
    /* a changed float is still a float: only the cut files must all fail */
    printf("# feature file: %u of %u damaged shards refused, the rest (changed feature values) "
           "read without harm\n", refused, rounds);
    CHECK_EQ_INT(cut_read, 0);
    CHECK(refused >= rounds / 4);
    free(orig);
    free(buf);
    remove(bad);
    remove(path[0]);
    remove(path[1]);
    audit_dataset_free(&ds);
}

static void t_fail_on(void)
{
    CHECK(audit_fail_match("all", "dup.near"));
    CHECK(!audit_fail_match("none", "dup.near"));
    CHECK(audit_fail_match("static_bias.*,dup.cross_split", "static_bias.colour"));
    CHECK(audit_fail_match("static_bias.*,dup.cross_split", "dup.cross_split"));
    CHECK(!audit_fail_match("static_bias.*,dup.cross_split", "dup.cross"));
}

int main(void)
{
    RUN(t_stats_known);
    RUN(t_symeig_frechet);
    RUN(t_probe);
    RUN(t_pairs_vs_brute);
    RUN(t_leaks);
    RUN(t_fail_on);
    RUN(t_feature_file);
    TEST_MAIN_END();
}
