/* select.h - choosing clips of a dataset by their description, shared by
 * synapt-subset and synapt-convert (and meant for synapt-audit): the
 * options, their parsing, and the selection itself over a synapt_dataset.
 *
 *   sel_criteria c; sel_init(&c);
 *   getopt_long(..., SEL_LONGOPTS ...) -> sel_option(&c, opt, optarg)
 *   sel_run(keep, ds, &c, err, cap)    keep[g] = 1 for chosen clips
 *
 * Filters combine with AND; values of one filter given several times (or
 * comma-separated) combine with OR. Then --per-class N (seeded, stratified
 * by the first label) and --fraction F (seeded, per class) thin the result;
 * the chosen clips keep dataset order. */
#ifndef SYNAPT_SELECT_H
#define SYNAPT_SELECT_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "synapt.h"

enum {
    SEL_OPT_LABEL = 0x3000, SEL_OPT_SOURCE, SEL_OPT_SPLIT, SEL_OPT_SYNTHETIC, SEL_OPT_IDS,
    SEL_OPT_GROUP, SEL_OPT_FRAME_COUNT, SEL_OPT_PER_CLASS, SEL_OPT_FRACTION, SEL_OPT_SEED
};

/* getopt_long entries for a tool's table (each takes an argument). */
#define SEL_LONGOPTS \
    { "label", required_argument, NULL, SEL_OPT_LABEL }, \
    { "source", required_argument, NULL, SEL_OPT_SOURCE }, \
    { "split", required_argument, NULL, SEL_OPT_SPLIT }, \
    { "synthetic", required_argument, NULL, SEL_OPT_SYNTHETIC }, \
    { "ids", required_argument, NULL, SEL_OPT_IDS }, \
    { "group", required_argument, NULL, SEL_OPT_GROUP }, \
    { "frame-count", required_argument, NULL, SEL_OPT_FRAME_COUNT }, \
    { "per-class", required_argument, NULL, SEL_OPT_PER_CLASS }, \
    { "fraction", required_argument, NULL, SEL_OPT_FRACTION }, \
    { "seed", required_argument, NULL, SEL_OPT_SEED }

/* The lines of --help that describe them. */
#define SEL_HELP \
    "Selection (filters AND together; a filter's values, repeated or comma-\n" \
    "separated, OR together):\n" \
    "      --label NAMES         clips with one of these labels\n" \
    "      --source NAMES        clips from these sources\n" \
    "      --split NAMES         clips of these splits ('' for none)\n" \
    "      --synthetic yes|no    only generated / only real clips\n" \
    "      --ids FILE            clips whose id is a line of FILE\n" \
    "      --group KEY=VALUE     clips whose group KEY is VALUE (e.g. actor=P001;\n" \
    "                            repeated: all must hold)\n" \
    "      --frame-count A:B     clips with A <= frames < B (A: or :B open)\n" \
    "      --per-class N         at most N clips per class (first label), seeded\n" \
    "      --fraction F          keep a fraction 0 < F <= 1 of each class, seeded\n" \
    "      --seed S              random seed of --per-class / --fraction (default 0)\n"

typedef struct sel_list { char **v; size_t n; } sel_list;

typedef struct sel_criteria {
    sel_list labels, sources, splits, group_keys, group_vals;
    int synthetic;               /* -1 any, 0 real, 1 synthetic */
    char **ids;                  /* sorted, from --ids */
    size_t nids;
    const char *ids_path;        /* the --ids file (borrowed), NULL when none */
    uint64_t min_frames, max_frames; /* max 0: none */
    uint64_t per_class;          /* 0: none */
    double fraction;             /* 0: none */
    uint64_t seed;
    int any;                     /* some option was given */
} sel_criteria;

void sel_init(sel_criteria *c);
void sel_free(sel_criteria *c);

/** Handle option `opt` (SEL_OPT_*) with its argument. Returns 1 when it
 *  was a selection option, 0 when not; a bad value is a usage error
 *  (exits 2 through cli_usage_error), an unreadable --ids file exit 1. */
int sel_option(sel_criteria *c, int opt, const char *arg);

/** Choose clips: keep[g] (N bytes, caller's) gets 1 for each chosen clip.
 *  *kept gets their count. Returns 0, or -1 with a message naming the
 *  dataset in err (a member that cannot be read). */
int sel_run(uint8_t *keep, uint64_t *kept, synapt_dataset *ds, const sel_criteria *c,
            char *err, size_t errcap);
/** The chosen clips of `ds` as a list of dataset clip indices in dataset
 *  order: sel_run()'s choice (every clip when no option was given), then
 *  only the clips of shard k of n (cli_in_shard(); n 0 or 1: all), so the
 *  n shards of one selection partition it. *out (malloc'd, the caller
 *  frees) gets *count entries. 0, or -1 with a line printed naming
 *  `path`. */
int sel_pick(uint64_t **out, size_t *count, synapt_dataset *ds, const sel_criteria *c,
             uint32_t shard_k, uint32_t shard_n, const char *path);

/* ---- split generation ---------------------------------------------------- */

#define SEL_MAX_SPLITS 8
typedef struct sel_splits {
    char names[SEL_MAX_SPLITS][64];
    double frac[SEL_MAX_SPLITS];  /* normalised to sum 1 */
    size_t n;
} sel_splits;

/** Parse "train=0.7,val=0.1,test=0.2": names unique, fractions in [0, 1]
 *  summing to 1 (within 0.001). 0, or -1 (nothing printed). */
int sel_parse_splits(sel_splits *out, const char *arg);

/** Assign each of n clips to a split: out[i] indexes sp->names. Clip i has
 *  class cls[i] < ncls (all 0 to ignore classes) and group grp[i] < ngrp;
 *  a group never spans two splits, and the per-class proportions come as
 *  close to sp->frac as whole groups allow. Deterministic for a seed.
 *  0, or -1 when out of memory. */
int sel_make_splits(uint32_t *out, const uint32_t *cls, const uint32_t *grp, size_t n,
                    uint32_t ncls, uint32_t ngrp, const sel_splits *sp, uint64_t seed);

/** Number of groups whose clips are in more than one split (the check of
 *  a group-aware split, official or generated). (size_t)-1 when out of
 *  memory. */
size_t sel_groups_across(const uint32_t *split, const uint32_t *grp, size_t n, uint32_t ngrp);

/** sel_make_splits over the chosen clips (keep[k][g]) of nds datasets
 *  together: class = first dataset label when `stratify` (else one class),
 *  group = the value of group key `group_key` (a clip without it is a group
 *  of its own). split_of[k][g] (caller's, one byte per clip) gets the split
 *  index of each chosen clip. Writes the report to `report`: per split
 *  "# made NAME CLIPS SHARE TARGET", one "# groups KEY N ACROSS UNGROUPED"
 *  line, and "# missing CLASS SPLIT" for each class a split did not get.
 *  0, or -1 with a message in err. */
int sel_split_datasets(uint8_t *const *split_of, synapt_dataset *const *ds, const uint8_t *const *keep,
                       size_t nds, const sel_splits *sp, const char *group_key, int stratify,
                       uint64_t seed, FILE *report, char *err, size_t errcap);
#endif
