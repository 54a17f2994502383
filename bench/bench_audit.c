/* bench_audit.c - synapt-audit's speed, printed as markdown (bench/run.sh
 * writes it to bench/results/).
 *
 *   1. feature extraction (colour grid, motion grid, hashes of K = 8
 *      frames) per core at 112x112 from raw u8 frames, against a baseline
 *      measured in the same run: reading the same 8 frames per clip and
 *      touching every byte (the least any extractor must do)
 *   2. the linear probe (5-fold out-of-fold logistic regression, 30
 *      epochs) on 150,000 clips x 256 features, 10 classes, on 1 and 2
 *      threads, against one pass of computing the 10 class scores of every
 *      row (the least any linear probe must do per epoch and fold)
 *   3. the sharded path's overhead on the clips of 1: writing their
 *      feature file and merging it back, against extracting the features
 *   4. the whole audit of 150,000 clips given as 256-value embeddings
 *      (--embeddings): static_bias.embedding with its probe, 1000
 *      bootstrap resamples and 1000 permutations, plus the composition
 *      checks, on 2 threads, against the probe alone of 2
 *
 * Wall-clock times (the work runs on threads). Target: probe under 60 s on
 * 2 cores. Usage: bench_audit [--quick] */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "synapt.h"
#include "bench_util.h"



static int write_clips(const char *path, unsigned clips, unsigned frames)
{
    enum { W = 112, H = 112 };
    synapt_writer *w = NULL;
    synapt_writer_options wo = SYNAPT_WRITER_OPTIONS_INIT;
    wo.fsync = 0;
    wo.deterministic = 1;
    char err[256];
    if (synapt_writer_create(&w, path, &wo, err, sizeof err) != 0) {
        fprintf(stderr, "bench_audit: %s\n", err);
        return -1;
    }
    uint8_t *buf = malloc((size_t)W * H * 3 * frames);
    uint64_t rng = 3;
    for (unsigned c = 0; c < clips; c++) {
        for (size_t i = 0; i < (size_t)W * H * 3 * frames; i += 8) {
            uint64_t v = audit_rng_next(&rng);
            memcpy(buf + i, &v, 8);
        }
        char id[32], lab[16];
        snprintf(id, sizeof id, "clip%05u", c);
        snprintf(lab, sizeof lab, "c%u", c % 10);
        const char *labels[1] = { lab };
        synapt_clip_desc cd = SYNAPT_CLIP_DESC_INIT;
        cd.id = id;
        cd.labels = labels;
        cd.label_count = 1;
        cd.split = c % 5 ? "train" : "test";
        synapt_stream_desc sd = SYNAPT_STREAM_DESC_INIT;
        sd.name = "rgb";
        sd.kind = SYNAPT_KIND_IMAGE;
        sd.dtype = SYNAPT_DTYPE_U8;
        sd.codec = SYNAPT_CODEC_RAW;
        sd.compression = SYNAPT_COMPRESSION_NONE;
        sd.ndim = 3;
        sd.shape[0] = H; sd.shape[1] = W; sd.shape[2] = 3;
        uint32_t st;
        if (synapt_writer_begin_clip(w, &cd) != 0 || synapt_writer_add_stream(&st, w, &sd) != 0 ||
            synapt_writer_write_frames(w, st, buf, (size_t)W * H * 3 * frames, frames, NULL) != 0 ||
            synapt_writer_end_clip(w) != 0) {
            fprintf(stderr, "bench_audit: %s\n", synapt_writer_errmsg(w));
            synapt_writer_abort(w);
            free(buf);
            return -1;
        }
    }
    free(buf);
    return synapt_writer_close(w, err, sizeof err);
}

static double baseline_read(double *cpu, const char *path, unsigned frames)
{
    double c0 = bench_cpu_s();
    synapt_reader *r = NULL;
    if (synapt_reader_open(&r, path, NULL) != 0) return -1;
    size_t fb = 112 * 112 * 3;
    uint8_t *buf = malloc(fb);
    uint64_t sum = 0;
    double t0 = bench_wall_s();
    uint64_t n = synapt_reader_clip_count(r);
    for (uint64_t c = 0; c < n; c++)
        for (unsigned k = 0; k < AUDIT_K; k++) {
            uint64_t idx = (uint64_t)((k + 0.5) * frames / AUDIT_K);
            if (synapt_reader_read_frames(buf, fb, NULL, r, c, 0, idx, 1) != 0) break;
            for (size_t i = 0; i < fb; i++) sum += buf[i];
        }
    double t = bench_wall_s() - t0;
    *cpu = bench_cpu_s() - c0;
    if (sum == 42) puts("");
    free(buf);
    synapt_reader_close(r);
    return t;
}

typedef struct shard_cost { double write, write_cpu, merge, merge_cpu; long bytes; double features_cpu; } shard_cost;
static shard_cost shard_row = { -1, -1, -1, -1, -1, -1 };

static void bench_features(int quick)
{
    const unsigned clips = quick ? 100 : 300, frames = 16;
    char path[] = "/tmp/bench_audit_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return;
    close(fd);
    if (write_clips(path, clips, frames) != 0) { remove(path); return; }
    double bcpu = 0;
    double base = baseline_read(&bcpu, path, frames);
    printf("## Feature extraction, %u clips of %u frames at 112x112, K = %d\n\n", clips, frames, AUDIT_K);
    printf("| work | threads | wall s | CPU s | clips/s per core (CPU) | CPU ratio to baseline |\n"
           "|---|---|---|---|---|---|\n");
    printf("| baseline: read 8 frames/clip, touch each byte | 1 | %.3f | %.3f | %.0f | 1.00 |\n",
           base, bcpu, clips / bcpu);
    for (unsigned th = 1; th <= 2; th++) {
        audit_dataset ds;
        audit_dataset_init(&ds);
        char err[256];
        audit_options opt = AUDIT_OPTIONS_INIT;
        opt.threads = th;
        if (audit_dataset_add_path(&ds, path, 0, NULL, NULL, err, sizeof err) != 0) break;
        double t0 = bench_wall_s(), c0 = bench_cpu_s();
        audit_features_compute(&ds, &opt, NULL, NULL, NULL, err, sizeof err);
        double t = bench_wall_s() - t0, ct = bench_cpu_s() - c0;
        printf("| audit features | %u | %.3f | %.3f | %.0f | %.2f |\n", th, t, ct, clips / ct,
               ct / bcpu);
        if (th == 2) {
            /* 3: one shard holding every clip, written and merged back */
            char fpath[] = "/tmp/bench_audit_feat_XXXXXX";
            int ffd = mkstemp(fpath);
            FILE *ff = ffd >= 0 ? fdopen(ffd, "wb") : NULL;
            if (ff) {
                double w0 = bench_wall_s(), wc0 = bench_cpu_s();
                int wrc = audit_shard_write(ff, &ds, &opt, 0, 1);
                wrc |= fclose(ff);
                double wt = bench_wall_s() - w0, wct = bench_cpu_s() - wc0;
                audit_dataset m;
                audit_options mo = AUDIT_OPTIONS_INIT;
                char *gk = NULL;
                const char *one[1] = { fpath };
                double m0 = bench_wall_s(), mc0 = bench_cpu_s();
                int mrc = audit_shard_merge(&m, &mo, &gk, one, 1, err, sizeof err);
                double mt = bench_wall_s() - m0, mct = bench_cpu_s() - mc0;
                FILE *sz = fopen(fpath, "rb");
                long bytes = -1;
                if (sz && fseek(sz, 0, SEEK_END) == 0) bytes = ftell(sz);
                if (sz) fclose(sz);
                if (!wrc && !mrc)
                    shard_row = (shard_cost){ wt, wct, mt, mct, bytes, ct };
                if (!mrc) audit_dataset_free(&m);
                free(gk);
            }
            remove(fpath);
        }
        audit_dataset_free(&ds);
    }
    printf("\n");
    if (shard_row.write >= 0) {
        printf("### Sharded path: feature file of the %u clips written and merged back\n\n"
               "| work | wall s | CPU s | CPU ratio to feature extraction (2 threads) |\n"
               "|---|---|---|---|\n", clips);
        printf("| write the feature file (%ld bytes, %.0f a clip) | %.3f | %.3f | %.3f |\n",
               shard_row.bytes, (double)shard_row.bytes / clips, shard_row.write,
               shard_row.write_cpu, shard_row.write_cpu / shard_row.features_cpu);
        printf("| merge it (checksum pass, then parse) | %.3f | %.3f | %.3f |\n\n", shard_row.merge,
               shard_row.merge_cpu, shard_row.merge_cpu / shard_row.features_cpu);
    }
    remove(path);
}

/* 4: the audit of a set given only as embeddings, end to end in audit_run */
static void bench_embedding_audit(int quick)
{
    const size_t n = quick ? 20000 : 150000, d = 256;
    const unsigned k = 10;
    audit_dataset ds;
    audit_dataset_init(&ds);
    ds.clips = calloc(n, sizeof *ds.clips);
    ds.classes = calloc(k, sizeof *ds.classes);
    ds.files = calloc(1, sizeof *ds.files);
    if (!ds.clips || !ds.classes || !ds.files) { audit_dataset_free(&ds); return; }
    ds.n = ds.cap = n;
    ds.nfiles = 1;
    ds.files[0].path = strdup("embeddings-only");
    for (unsigned c = 0; c < k; c++) {
        char name[16];
        snprintf(name, sizeof name, "c%u", c);
        ds.classes[c] = strdup(name);
    }
    ds.nclasses = k;
    ds.emb_dim = (uint32_t)d;
    ds.emb_source = strdup("bench");
    uint64_t rng = 11;
    for (size_t i = 0; i < n; i++) {
        audit_clip *c = &ds.clips[i];
        char id[32];
        snprintf(id, sizeof id, "clip%06zu", i);
        c->id = strdup(id);
        c->split = strdup(i % 5 ? "train" : "test");
        c->label = (int)(i % k);
        c->domain = 1;
        c->frames = 16;
        c->emb = malloc(d * sizeof *c->emb);
        if (!c->emb) { audit_dataset_free(&ds); return; }
        for (size_t j = 0; j < d; j++)
            c->emb[j] = (float)(audit_rng_unit(&rng) - 0.5 + (j % k == (size_t)c->label ? 0.3 : 0));
    }
    audit_options opt = AUDIT_OPTIONS_INIT;
    opt.threads = 2;
    audit_report rep;
    double t0 = bench_wall_s(), c0 = bench_cpu_s();
    int rc = audit_run(&rep, &ds, &opt);
    double t = bench_wall_s() - t0, ct = bench_cpu_s() - c0;
    if (rc == 0) {
        int at = audit_find_check(&rep, "static_bias.embedding");
        printf("## Audit of %zu clips given as %zu-value embeddings (audit_run, 2 threads)\n\n"
               "static_bias.embedding (probe, 1000 bootstrap resamples, 1000 permutations) and\n"
               "the composition checks; compare with the probe alone above.\n\n"
               "| work | wall s | CPU s | B |\n|---|---|---|---|\n"
               "| whole audit | %.2f | %.2f | %.3f |\n\n", n, d, t, ct,
               at >= 0 ? rep.checks[at].value : NAN);
        audit_report_free(&rep);
    }
    audit_dataset_free(&ds);
}

static void bench_probe(int quick)
{
    const size_t n = quick ? 20000 : 150000, d = 256;
    const unsigned k = 10;
    float *x = malloc(n * d * sizeof *x), *prob = malloc(n * k * sizeof *prob);
    int *y = malloc(n * sizeof *y);
    float *w = malloc(k * d * sizeof *w);
    if (!x || !prob || !y || !w) return;
    uint64_t rng = 9;
    for (size_t i = 0; i < n; i++) {
        y[i] = (int)(i % k);
        for (size_t c = 0; c < d; c++)
            x[i * d + c] = (float)(audit_rng_unit(&rng) - 0.5 + (c % k == (size_t)y[i] ? 0.3 : 0));
    }
    for (size_t i = 0; i < k * d; i++) w[i] = (float)audit_rng_unit(&rng);
    double t0 = bench_wall_s(), bc0 = bench_cpu_s();
    double sink = 0;
    for (size_t i = 0; i < n; i++)
        for (unsigned c = 0; c < k; c++) {
            float s = 0;
            for (size_t j = 0; j < d; j++) s += w[c * d + j] * x[i * d + j];
            sink += s;
        }
    double base = bench_wall_s() - t0, bcpu = bench_cpu_s() - bc0;
    if (sink == 42) puts("");
    printf("## Linear probe, %zu clips x %zu features, %u classes, 5 folds\n\n"
           "30 epochs, capped at 600,000 sample visits per fold (%zu epochs here). CPU is the\n"
           "process's CPU time: on a machine shared with other jobs it shows the work better\n"
           "than the wall clock.\n\n", n, d, k,
           (size_t)(600000.0 / (n - n / 5)) < 3 ? (size_t)3 :
           (size_t)(600000.0 / (n - n / 5)) > 30 ? (size_t)30 : (size_t)(600000.0 / (n - n / 5)));
    printf("| work | threads | wall s | CPU s | CPU ratio to baseline | balanced accuracy |\n"
           "|---|---|---|---|---|---|\n");
    printf("| baseline: one pass of class scores | 1 | %.3f | %.3f | 1 | |\n", base, bcpu);
    for (unsigned th = 1; th <= 2; th++) {
        audit_options opt = AUDIT_OPTIONS_INIT;
        opt.threads = th;
        if (quick && th == 1) continue;
        t0 = bench_wall_s();
        double c0 = bench_cpu_s();
        if (audit_probe_oof(prob, x, n, d, y, k, NULL, &opt) != 0) break;
        double t = bench_wall_s() - t0, ct = bench_cpu_s() - c0;
        int *pred = malloc(n * sizeof *pred);
        for (size_t i = 0; i < n; i++) {
            pred[i] = 0;
            for (unsigned c = 1; c < k; c++) if (prob[i * k + c] > prob[i * k + pred[i]]) pred[i] = (int)c;
        }
        printf("| probe (out-of-fold) | %u | %.2f | %.2f | %.0f | %.3f |\n", th, t, ct, ct / bcpu,
               audit_balanced_accuracy(pred, y, n, k));
        free(pred);
    }
    printf("\n");
    free(x); free(prob); free(y); free(w);
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    bench_features(quick);
    bench_probe(quick);
    bench_embedding_audit(quick);
    return 0;
}
