/* audit.h: measure a dataset's biases, leaks and composition (synapt-audit).
 *
 * The flow, in the order a command calls it:
 *
 *   audit_dataset ds; audit_dataset_init(&ds);
 *   audit_dataset_add_path(&ds, "train.synapt", 0, NULL, NULL, err, sizeof err);
 *   audit_embed_load(&ds, "emb.npy", NULL, NULL, &missing, err, sizeof err);  (optional)
 *   audit_features_compute(&ds, &opt, NULL, NULL, NULL, err, sizeof err);
 *   audit_report rep; audit_run(&rep, &ds, &opt);
 *   audit_write_json("dir/report.json", &rep, &ds, &opt);   (and _html, _sheet)
 *   audit_report_free(&rep); audit_dataset_free(&ds);
 *
 * Sharded, a worker marks the clips of other shards `skip` before the
 * features and calls audit_shard_write() instead of audit_run(); the merge
 * calls audit_shard_merge() on the N files and goes on with audit_run().
 *
 * Inputs are read only through synapt.h. Every result depends on the
 * input, the options and the seed, never on the thread count: features are
 * computed per clip into fixed slots, probe folds are trained each with a
 * generator seeded from (seed, fold), and resampling runs on one thread.
 *
 * Not thread-safe across calls on the same dataset; the functions use
 * worker threads inside (the cli's pool). Where the files go, and that a
 * failed run leaves nothing behind, is the caller's business: the command
 * writes into a cli_outdir.
 */
#ifndef SYNAPT_AUDIT_H
#define SYNAPT_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "synapt.h"

#define AUDIT_SCHEMA "synapt-audit/1"

/* Frames sampled per clip (evenly over the clip) for features and hashes. */
#define AUDIT_K 8
/* Colour grid: G x G cells, mean and std of R,G,B per cell over the K frames. */
#define AUDIT_GRID 4
#define AUDIT_COLOUR_DIM (AUDIT_GRID * AUDIT_GRID * 3 * 2)
/* Motion grid: mean |grey difference| per cell for each of K-1 frame steps. */
#define AUDIT_MOTION_DIM (AUDIT_GRID * AUDIT_GRID * (AUDIT_K - 1))
/* Pose: skeletons of up to this many joints (every registry layout fits). */
#define AUDIT_MAX_JOINTS 32
/* Mean pose: root-relative, size-normalised x,y,z per joint (z 0 for 2D). */
#define AUDIT_POSE_DIM (AUDIT_MAX_JOINTS * 3)
/* Joint speed per joint for each of K-1 steps, in body sizes per step. */
#define AUDIT_POSEVEL_DIM (AUDIT_MAX_JOINTS * (AUDIT_K - 1))

/* What the pose stream of a clip gives (audit_pose.c); present only for
 * clips with a pose stream of at most AUDIT_MAX_JOINTS joints. */
typedef struct audit_pose {
    int skeleton;              /* synapt_skeleton, 0 when none */
    unsigned joints, dims;     /* dims 2 or 3 */
    float mean[AUDIT_POSE_DIM];
    float vel[AUDIT_POSEVEL_DIM];
    double energy;             /* mean joint speed, body sizes per sampled step */
    double visible;            /* 2D with confidence: share of joints with conf > 0; else NaN */
    double framed;             /* 2D: share of present joints inside the picture; else NaN */
    double azimuth, elevation; /* 3D: camera around the body in degrees (0 = in front,
                                  positive = to the body's left / above); NaN when unknown */
} audit_pose;

/* Person appearance without its shape: mean and std of R,G,B over the
 * person's pixels, then the share of them in each of 4x4x4 colour bins. */
#define AUDIT_PERSON_DIM (6 + 64)

/* From a mask stream (0 = background) of the picture's size: the colour
 * grid of the background pixels alone, and the person's colours. */
typedef struct audit_masked {
    float background[AUDIT_COLOUR_DIM];
    float person[AUDIT_PERSON_DIM];
} audit_masked;

/* ---- options --------------------------------------------------------- */

typedef struct audit_options {
    uint64_t seed;             /* folds, bootstrap, permutations (default 1) */
    unsigned threads;          /* 0 = online cores */
    unsigned folds;            /* stratified group k-fold (default 5) */
    unsigned epochs;           /* probe SGD epochs (default 30; fewer when a fold has
                                  more than 20,000 training clips: at most 600,000
                                  sample visits per fold, at least 3 epochs) */
    double l2;                 /* probe weight decay (default 0.01) */
    unsigned bootstrap;        /* resamples for CIs (default 1000) */
    unsigned permutations;     /* label permutations for p (default 1000) */
    const char *group_key;     /* probe folds keep this group together; NULL = first key */
    unsigned hamming;          /* near-duplicate: frame dHash distance <= this (default 4, max 7) */
    unsigned near_frames;      /* ... in at least this many of the K frame pairs (default 4) */
    double bias_threshold;     /* flag static bias when B's CI low end exceeds it (default 0.5) */
    double leak_threshold;     /* flag dup.cross_split above this share (default 0.01) */
    double factor_threshold;   /* flag Cramer's V above this (default 0.3) */
    unsigned sheet_pairs;      /* flagged pairs drawn in contact sheets (default 12) */
} audit_options;

#define AUDIT_OPTIONS_INIT { 1, 0, 5, 30, 0.01, 1000, 1000, NULL, 4, 4, 0.5, 0.01, 0.3, 12 }

/* ---- the dataset (audit_data.c) ------------------------------------- */

typedef struct audit_group { char *key, *value; } audit_group;

typedef struct audit_clip {
    char *id;
    char *split;               /* "" when none */
    int label;                 /* index into ds->classes, -1 when unlabelled */
    int domain;                /* 0 unspecified, 1 real, 2 synthetic */
    uint32_t file;             /* index into ds->files */
    uint64_t index;            /* dataset clip index in that input (list files: line) */
    audit_group *groups;
    uint32_t group_count;
    uint64_t frames;
    double fps;                /* 0 when unknown */
    uint32_t width, height;
    /* another shard's clip: audit_features_compute() leaves it alone */
    int skip;
    /* filled by audit_features_compute(); has_pixels 0 when no picture stream */
    int has_pixels, feature_error;
    float colour[AUDIT_COLOUR_DIM];
    float motion[AUDIT_MOTION_DIM];
    /* the motion grid of the same frames in a seeded shuffled order: what
     * is left of motion once the order is gone */
    float shuffled[AUDIT_MOTION_DIM];
    audit_masked *masked;      /* NULL when the clip has no usable mask stream */
    audit_pose *pose;          /* NULL when the clip has no usable pose stream */
    uint64_t dhash[AUDIT_K];   /* 64-bit difference hash of each sampled frame */
    uint64_t exact;            /* hash of all decoded sampled pixels */
    float *emb;                /* ds->emb_dim values, NULL when no embedding */
} audit_clip;

enum { AUDIT_INPUT_SYNAPT, AUDIT_INPUT_MANIFEST, AUDIT_INPUT_LIST };

typedef struct audit_file {
    char *path;
    int kind;                  /* AUDIT_INPUT_*: .synapt, dataset manifest, split list */
    int domain;
    synapt_dataset *handle;    /* open for the feature pass; NULL for lists and
                                  in a dataset rebuilt from feature files */
    uint64_t fingerprint;      /* FNV-1a of the members' uuid, size and clip count
                                  (lists: of the lines): shards of one audit must
                                  have read the same data */
} audit_file;

typedef struct audit_dataset {
    audit_clip *clips; size_t n, cap;
    char **classes; size_t nclasses;
    audit_file *files; size_t nfiles;
    /* external per-clip embeddings (audit_embed.c): emb_dim 0 when none */
    uint32_t emb_dim;
    char *emb_source;          /* the file (and HDF5 object) they came from */
} audit_dataset;

/** Choose the clips of one .synapt file or manifest that enter the audit:
 *  the hook a clip selection (synapt-subset's options, tools/select) plugs
 *  into. Set keep[g] (N = synapt_dataset_clip_count bytes) to 1 for each
 *  chosen clip; return 0, or -1 with one line in err. `path` and `ds`
 *  borrowed for the call. */
typedef int (*audit_select_fn)(void *user, const char *path, synapt_dataset *ds,
                               uint8_t *keep, char *err, size_t errsz);

void audit_dataset_init(audit_dataset *ds);
void audit_dataset_free(audit_dataset *ds);
/** Index of class `name` in ds->classes, added at the end when new; -2 when
 *  out of memory. Used when reading inputs and when merging shard files. */
int audit_class_index(audit_dataset *ds, const char *name);
/** Add the clips of one input: a .synapt file, a dataset manifest
 *  (NAME.synapt.json, recognised by its content), or a text split list (UCF101
 *  style "Class/v_Class_gNN_cNN.avi [label]", split name from the file name:
 *  "train"/"test"/"val" when it contains one, else the base name; groups
 *  "group" = gNN and "source" = the path without its _cNN part).
 *  `domain` 0/1/2 as in audit_clip. `select` may be NULL (keep every clip);
 *  a split list refuses one (its lines carry no labels, groups or frames).
 *  Returns 0, or -1 with one line in err naming the file (and line). */
int audit_dataset_add_path(audit_dataset *ds, const char *path, int domain,
                           audit_select_fn select, void *user, char *err, size_t errsz);

/* ---- external embeddings (audit_embed.c) ----------------------------- */

/* values an embedding row may have, and bytes of rows read at most */
#define AUDIT_MAX_EMB_DIM 65536
#define AUDIT_MAX_EMB_BYTES (2ull << 30)

/** Attach per-clip embeddings from `path`: a .npy 2-D numeric array (clips
 *  x values), or else an HDF5 file whose `object` (NULL: "embeddings") is
 *  a 2-D numeric dataset or a group of 1-D datasets named by clip id.
 *  Rows match clips by the ids in `ids_path` (a text file, one id a line,
 *  or a .npy array of strings; as many as rows), by the group's member
 *  names, or else by order: row i is clip i of the audit (then the row
 *  count must equal the clip count). A clip without a row has none
 *  (*missing counts them); ids no clip has are ignored. Every value must
 *  be finite. Sets ds->emb_dim and emb_source. 0, or -1 with one line in
 *  err naming the file (and row or clip). */
int audit_embed_load(audit_dataset *ds, const char *path, const char *object,
                     const char *ids_path, uint64_t *missing, char *err, size_t errsz);

/* ---- sharded runs (audit_shard.c, spec/audit-features.md) ----------- */

/** Write the features of the clips without `skip` to f (a feature file),
 *  with their place in the whole audit, the options and the inputs.
 *  0, or -1 on a write error. */
int audit_shard_write(FILE *f, const audit_dataset *ds, const audit_options *opt,
                      uint32_t shard_k, uint32_t shard_n);
/** Rebuild the whole audit's dataset and options from the N feature files
 *  of one sharded run (any order), exactly as a single run would have
 *  built them. *group_key receives the fold key's storage (opt->group_key
 *  points into it; free it after). Each file's checksum is checked, and
 *  that the files are the N distinct shards of one audit (same inputs,
 *  selection and options). 0, or -1 with one line in err naming the file. */
int audit_shard_merge(audit_dataset *ds, audit_options *opt, char **group_key,
                      const char *const *paths, size_t npaths, char *err, size_t errsz);

/* ---- features (audit_features.c) ------------------------------------ */

/** Progress callback: clips done of total; called from one thread. */
typedef void (*audit_progress_fn)(void *user, uint64_t done, uint64_t total);

/** Decode AUDIT_K frames of each clip with pixels and fill its colour,
 *  motion, dhash and exact fields. Clips that fail to decode get
 *  feature_error = 1 and a warning through `warn` (may be NULL); the call
 *  still returns 0. Runs on the cli's ordered pool (audit_threads
 *  workers); `progress` is called on the calling thread, in clip order.
 *  Clips with `skip` set are left alone. Returns -1 with err when out of
 *  memory. */
int audit_features_compute(audit_dataset *ds, const audit_options *opt,
                           audit_progress_fn progress, void *user,
                           void (*warn)(const char *file, const char *msg),
                           char *err, size_t errsz);

/** The pose features of clip `clip`, from its first 3D pose stream (else
 *  2D) with a known joint count <= AUDIT_MAX_JOINTS, first person, the
 *  AUDIT_K sampled frames. *out NULL when the clip has none. picture_w/h
 *  (0 when unknown) give the framing of 2D joints. 0, or -1 (read error,
 *  no memory). Thread-safe (audit_pose.c). */
int audit_pose_features(audit_pose **out, const synapt_reader *r, uint64_t clip,
                        unsigned picture_w, unsigned picture_h);

/** Worker threads to use: opt->threads, or the online cores when 0. */
unsigned audit_threads(const audit_options *opt);

/** Decode the AUDIT_K sampled frames of a clip scaled to side x side RGB
 *  (nearest), AUDIT_K*side*side*3 bytes into out; used by contact sheets.
 *  Returns 0 or -1. */
int audit_clip_thumbs(uint8_t *out, const audit_dataset *ds, size_t clip, unsigned side);

/* ---- probe (audit_probe.c) ------------------------------------------ */

/** Out-of-fold predictions of a multinomial logistic regression trained
 *  by seeded mini-batch SGD on standardised features, with stratified
 *  group k-fold (no group in two folds; classes spread evenly).
 *  x: n rows of d floats; y: labels 0..k-1; groups: group id per row
 *  (each row its own group when NULL). prob_out: n*k out-of-fold
 *  probabilities. Parallel over folds with `threads`; deterministic.
 *  Returns 0, or -1 (k < 2, n < folds, no memory). */
int audit_probe_oof(float *prob_out, const float *x, size_t n, size_t d,
                    const int *y, unsigned k, const int *groups,
                    const audit_options *opt);

/** Assign folds: fold_out[i] in 0..folds-1, groups kept whole, each
 *  fold's class counts as even as a greedy pass over groups allows. */
void audit_folds(int *fold_out, const int *y, unsigned k, const int *groups,
                 size_t n, unsigned folds, uint64_t seed);

/* ---- statistics (audit_stats.c) ------------------------------------- */

uint64_t audit_rng_next(uint64_t *state);              /* splitmix64 */
double audit_rng_unit(uint64_t *state);                /* [0, 1) */

/** Balanced accuracy (mean per-class recall over classes present). */
double audit_balanced_accuracy(const int *pred, const int *y, size_t n, unsigned k);
/** Resampled balanced accuracy: 95% percentile bootstrap CI over rows. */
void audit_bootstrap_bacc(double ci[2], const int *pred, const int *y, size_t n,
                          unsigned k, unsigned reps, uint64_t seed);
/** Paired bootstrap 95% interval of bacc(pred_a) - bacc(pred_b): both
 *  scored on the same resampled clips. */
void audit_bootstrap_bacc_diff(double ci[2], const int *pred_a, const int *pred_b,
                               const int *y, size_t n, unsigned k, unsigned reps, uint64_t seed);
/** Area under the ROC curve of `score` for the rows with positive[i] != 0
 *  against the others (Mann-Whitney U / (n+ n-), ties counted half).
 *  NaN when a side is empty. */
double audit_auc(const double *score, const int *positive, size_t n);
/** Permutation p of the balanced accuracy (labels shuffled against the
 *  fixed out-of-fold predictions), (1 + #>=) / (1 + reps). */
double audit_permutation_p(const int *pred, const int *y, size_t n, unsigned k,
                           unsigned reps, uint64_t seed);
/** Normalised mutual information (arithmetic mean of entropies) and
 *  Cramer's V (Bergsma's bias-corrected form) of two categorical
 *  variables with ka and kb levels. */
double audit_nmi(const int *a, const int *b, size_t n, unsigned ka, unsigned kb);
double audit_cramers_v(const int *a, const int *b, size_t n, unsigned ka, unsigned kb);
/** Entropy in nats of a count vector. */
double audit_entropy(const double *counts, size_t k);
/** Wilson 95% interval of a proportion x/n. */
void audit_wilson(double ci[2], double x, double n);
/** Frechet distance between Gaussians fitted to two samples (rows of d),
 *  |mu1-mu2|^2 + tr(S1 + S2 - 2 (S1 S2)^1/2) through symmetric eigen-
 *  decompositions (Jacobi). Returns NaN when a side has fewer than 2 rows. */
double audit_frechet(const float *a, size_t na, const float *b, size_t nb, size_t d);
/** Kernel inception distance: unbiased MMD^2 with the cubic polynomial
 *  kernel (x.y/d + 1)^3, averaged over `subsets` random subsets of up to
 *  `size` rows each; *sd gets the standard deviation over subsets. */
double audit_kid(double *sd, const float *a, size_t na, const float *b, size_t nb,
                 size_t d, unsigned subsets, size_t size, uint64_t seed);
/** Eigen-decomposition of a symmetric d x d matrix (row-major, destroyed):
 *  eigenvalues into w; eigenvectors as columns of v (may be NULL). */
void audit_symeig(double *a, double *w, double *v, size_t d);

/* ---- duplicates (audit_dup.c) --------------------------------------- */

typedef struct audit_pair {
    uint32_t a, b;             /* clip indices, a < b */
    uint16_t matches;          /* frame pairs within the Hamming threshold */
    uint16_t distance;         /* smallest Hamming distance seen */
    int exact;                 /* same decoded pixels */
} audit_pair;

/** Near-duplicate clip pairs: two clips pair when at least near_frames of
 *  the K x K frame-hash pairs lie within `hamming` bits. A multi-index
 *  (the 64-bit hash cut into 8 bands of 8 bits; two hashes within 7 bits
 *  share a band by pigeonhole) gives candidates without comparing all
 *  pairs; buckets larger than `max_bucket` entries are skipped and counted
 *  in *skipped (they are blank or flat frames). Sorted by (a, b).
 *  Returns 0 or -1 (no memory). */
int audit_find_pairs(audit_pair **out, size_t *count, size_t *skipped,
                     const audit_dataset *ds, unsigned hamming, unsigned near_frames,
                     size_t max_bucket);
/** 64-bit difference hash of an RGB image (grey 9x8 box means). */
uint64_t audit_dhash(const uint8_t *rgb, unsigned w, unsigned h);

/* ---- checks and report (audit_checks.c, audit_report.c, audit_html.c) - */

typedef struct audit_plot {
    char id[64];               /* also the SVG element id in report.html */
    char title[128];
    char xlabel[64], ylabel[64];
    size_t n;                  /* bars */
    char **names;              /* bar labels */
    double *value, *lo, *hi;   /* lo/hi NaN when no interval */
    double ref;                /* dashed reference line, NaN for none */
} audit_plot;

typedef struct audit_check {
    char id[96];
    char title[128];
    char method[1024];          /* method, formula and parameters, one paragraph */
    double value, ci_lo, ci_hi;/* ci NaN when none */
    double p;                  /* NaN when none */
    double threshold;          /* NaN when the check never flags */
    uint64_t n;
    int flag;
    char *details;             /* JSON value text (array/object) or NULL */
} audit_check;

typedef struct audit_table {
    char name[64];             /* file name: name.csv */
    char *csv;                 /* whole text, header first */
} audit_table;

typedef struct audit_report {
    audit_check *checks; size_t nchecks;
    audit_plot *plots; size_t nplots;
    audit_table *tables; size_t ntables;
    audit_pair *pairs; size_t npairs; size_t skipped_buckets;
    size_t clips, classes;
    char splits[256];          /* comma-separated split names */
} audit_report;

/** Run every check on a dataset whose features are computed. Returns 0
 *  or -1 (no memory). */
int audit_run(audit_report *out, const audit_dataset *ds, const audit_options *opt);
void audit_report_free(audit_report *rep);
/** Index of a check by id, or -1. */
int audit_find_check(const audit_report *rep, const char *id);
/** Does check `id` match the --fail-on pattern list (comma-separated ids,
 *  a trailing '*' matches a prefix, "all", "none")? */
int audit_fail_match(const char *patterns, const char *id);

int audit_write_json(const char *path, const audit_report *rep, const audit_dataset *ds,
                     const audit_options *opt);
int audit_write_html(const char *path, const audit_report *rep, const audit_dataset *ds,
                     const audit_options *opt);
/** Contact sheet PNG of up to opt->sheet_pairs pairs: each row the K
 *  frames of clip a then of clip b. Returns 0 or -1. */
int audit_write_sheet(const char *path, const audit_report *rep, const audit_dataset *ds,
                      const audit_options *opt);

/* ---- building a report, for the check files (audit_build.c) -------- */

/** Append a check / a plot of n bars / a CSV table (the buffer is taken
 *  over, freed on failure). NULL / -1 when out of memory. A new check has
 *  NaN value, interval, p and threshold. */
audit_check *audit_add_check(audit_report *r, const char *id, const char *title);
audit_plot *audit_add_plot(audit_report *r, const char *id, const char *title,
                           const char *xlabel, const char *ylabel, size_t n);
struct audit_buf;
int audit_add_table(audit_report *r, const char *name, struct audit_buf *b);
/** The buffer's text, or NULL (and freed) when an append failed. */
char *audit_take(struct audit_buf *b);

/** Strings interned into dense ids in byte order, so that ids and the
 *  report do not depend on the order clips arrived in. The strings are
 *  borrowed; free(set.s) releases the set. */
typedef struct audit_strset { const char **s; size_t n; } audit_strset;
int audit_strset_build(audit_strset *out, const char **vals, size_t n);
/** Index of v, or -1. */
int audit_strset_find(const audit_strset *set, const char *v);
/** The value of group `key` of a clip, NULL when it has none. */
const char *audit_group_value(const audit_clip *c, const char *key);

/* The check families, each appending its checks, plots and tables:
 * static bias and temporal probes (audit_bias.c), domain gap
 * (audit_domain.c), pose and viewpoint (audit_view.c). `keys` are the
 * group keys present. 0, or -1 when out of memory. */
int audit_check_probes(audit_report *r, const audit_dataset *ds, const audit_options *opt,
                       const char *group_key, const audit_strset *keys);
int audit_check_domain(audit_report *r, const audit_dataset *ds, const audit_options *opt);
int audit_check_view(audit_report *r, const audit_dataset *ds, const audit_options *opt);

/* ---- text building (audit_text.c) ---------------------------------- */

/** A growing NUL-terminated string; a failed allocation sets `failed` and
 *  later appends do nothing, so callers check once at the end. */
typedef struct audit_buf { char *s; size_t len, cap; int failed; } audit_buf;
void audit_buf_printf(audit_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/** Append s as a JSON string literal / a CSV field / HTML-escaped text. */
void audit_buf_json(audit_buf *b, const char *s);
void audit_buf_csv(audit_buf *b, const char *s);
void audit_buf_html(audit_buf *b, const char *s);
/** Append a number as JSON: shortest round-trip form, null for NaN/inf. */
void audit_buf_num(audit_buf *b, double v);
/** Write the buffer to `path` (created 0644). 0 or -1. */
int audit_buf_save(const audit_buf *b, const char *path);

#endif
