/* merge.h - datasets in, one dataset out: the substance of synapt-merge and
 * synapt-subset.
 *
 *   merge_inputs_open()     open files or manifests, list every file read
 *   merge_run()             synapt-merge: map labels, resolve ids, drop
 *                           duplicates, cap classes, copy (or join)
 *   merge_subset_copy() / _virtual() / _list()
 *                           synapt-subset, given the chosen clips
 *   merge_sink_*            one output .synapt, or shards and their
 *                           manifest, staged beside the target and renamed
 *                           into place only when all is written
 *   merge_manifest_*        write a synapt-dataset/1 manifest
 *
 * Every output goes through the cli safe outputs (cli/cli.h): an output
 * that is an input or a member of an input manifest is refused, a failed
 * or interrupted run leaves the previous output as it was and nothing
 * beside it. Messages go to stderr through cli.h; functions return 0 / -1
 * or a CLI_EXIT_* code where they say so. Not thread-safe. */
#ifndef SYNAPT_MERGE_H
#define SYNAPT_MERGE_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "synapt.h"

/* ---- inputs ------------------------------------------------------------ */

typedef struct merge_input {
    const char *path;            /* as given (borrowed) */
    synapt_dataset *ds;
    uint8_t *keep;               /* synapt-subset: 1 per chosen dataset clip */
    uint64_t kept;
    uint8_t *new_split;          /* NULL, or per dataset clip an index into */
    const char *const *split_names;  /* these names: the clip's new split */
} merge_input;

typedef struct merge_inputs {
    merge_input *v;
    size_t n;
    const char **files;          /* every file read: inputs and manifest members */
    size_t nfiles;
} merge_inputs;

/** Open each path (cli_check_input first, then synapt_dataset_open). On
 *  -1 a line was printed; merge_inputs_close() frees what was opened. */
int merge_inputs_open(merge_inputs *in, const char *const *paths, size_t n);
void merge_inputs_close(merge_inputs *in);   /* frees keep and new_split too */
/** Another file the run reads (a label map, an id list): no output may
 *  replace it either. `path` is borrowed until close. */
void merge_inputs_add_file(merge_inputs *in, const char *path);

/* ---- the output: one file, or shards and a manifest --------------------- */

typedef struct merge_sink {
    const char *out;             /* -o as given */
    const char *writer_name;     /* "synapt-merge" */
    uint64_t max_shard_bytes;    /* 0: one file */
    const merge_inputs *in;
    char *manifest;              /* sharded: OUT's manifest target */
    char *stem;                  /* sharded: OUT without .synapt / .synapt.json */
    char **shards;               /* sharded: the shard targets so far */
    uint32_t nshards;
    uint64_t cur_bytes;          /* payload in the shard being written */
    uint64_t clips;
    void *stage;                 /* the cli_staged folder */
    synapt_writer *w;
    char wpath[8600];            /* where w writes (inside the staging folder) */
    int last_rc;                 /* the library's code of a failed copy */
    int depth_codec;             /* CLI_DEPTH_ value for the writers; 0: copy as stored */
} merge_sink;

/** Check the target(s) against the inputs and create the staging folder.
 *  With max_shard_bytes, OUT names the manifest (OUT.json is added unless
 *  OUT ends in .json) and the shards are STEM-00000.synapt, ... 0 / -1. */
int merge_sink_open(merge_sink *s, const char *out, uint64_t max_shard_bytes,
                    const char *writer_name, const merge_inputs *in);
/** Copy clip `clip` of `r` (chunks as stored) described by `d`; `bytes` is
 *  its stored size, for the shard roll-over. `streams` (count n) names the
 *  source streams to keep, NULL every one. `win` NULL copies every frame,
 *  else only frames [win[0], win[0] + win[1]) (synapt_writer_copy_clip_frames).
 *  `relabel` (NULL: names kept) gives the output name of each frame label
 *  (synapt_writer_set_label_rename). 0 / -1. */
int merge_sink_copy(merge_sink *s, const synapt_reader *r, uint64_t clip,
                    const synapt_clip_desc *d, uint64_t bytes, const uint32_t *streams, size_t n,
                    const uint64_t *win, synapt_label_rename_fn relabel, void *relabel_ctx);
/** Finish: close the file(s), write the manifest when sharded, rename all
 *  into place (shards carry their uuid in the manifest, so a reader
 *  notices if a rename failed halfway). 0 / -1; the sink is freed either
 *  way. */
int merge_sink_close(merge_sink *s);
/** Discard everything written; the previous outputs stay. NULL-safe. */
void merge_sink_abort(merge_sink *s);

/** Stored bytes of a clip (its chunks), for merge_sink_copy. 0 / -1. */
int merge_clip_bytes(uint64_t *out, const synapt_reader *r, uint64_t clip);

/* ---- manifests (spec/dataset.md section 12) ---------------------------- */

typedef struct merge_member {
    const char *file;            /* where the member can be opened now */
    const char *rel;             /* path written in the manifest; NULL: made
                                    from `file` relative to the manifest */
    uint8_t uuid[16];
    uint64_t clips, size;
    const uint64_t *select;      /* NULL: every clip */
    uint64_t nselect;
    const char *const *map_keys; /* label_map, keys sorted; NULL value = null */
    const char *const *map_vals;
    size_t nmap;
} merge_member;

/** The dataset name of member label `name` under the member's label_map:
 *  the mapped name, NULL when the map drops it, `name` when it is not a key. */
const char *merge_member_label(const synapt_dataset_member *m, const char *name);

/** Fill uuid, clips and size of `m` from the file m->file. 0 / -1. */
int merge_member_from_file(merge_member *m);
/** A manifest names a file once (spec section 4): -1 with a line naming
 *  both paths when two members have the same uuid, else 0. */
int merge_members_unique(const merge_member *m, size_t n, const char *out);

/** Write the manifest text for target `out` to `f`. Members' paths (unless
 *  given in `rel`) are made relative to the folder of `out`; a member
 *  outside that folder is refused. `labels` NULL: no `labels` member.
 *  0 / -1 (line printed). */
int merge_manifest_write(FILE *f, const char *out, const char *name, const char *writer,
                         const char *const *labels, size_t nlabels,
                         const merge_member *members, size_t nmembers);
/** The same written safely to `out` (a file output checked against every
 *  file `in` reads). 0 / -1. */
int merge_manifest_save(const char *out, const merge_inputs *in, const char *writer,
                        const char *const *labels, size_t nlabels,
                        const merge_member *members, size_t nmembers);

/* ---- synapt-merge -------------------------------------------------------- */

enum { MERGE_UNMAPPED_ERROR, MERGE_UNMAPPED_DROP, MERGE_UNMAPPED_KEEP };
enum { MERGE_DUP_ERROR, MERGE_DUP_RENAME, MERGE_DUP_SKIP };

typedef struct merge_options {
    const char *out;
    const char *const *inputs;
    size_t ninputs;
    const char *map_path;        /* CSV source,label,target or JSON; NULL: none */
    int unmapped;                /* MERGE_UNMAPPED_* */
    int on_duplicate;            /* MERGE_DUP_* */
    int dedupe;                  /* drop exact duplicate clips (same chunk bodies) */
    uint64_t per_class;          /* 0: no cap */
    int balance_sources;
    uint64_t seed;
    int manifest_only;
    uint64_t max_shard_bytes;    /* 0: one output file */
    int depth_codec;             /* CLI_DEPTH_ value for u16 depth; 0: copy as stored */
} merge_options;

/** Run a merge. The per-class table (with per_class) goes to stdout.
 *  Returns a CLI_EXIT_* code. */
int merge_run(const merge_options *o);

/* ---- synapt-subset (the chosen clips are in in->v[k].keep) -------------- */

/* Temporal crops (merge_crop.c): --frames A:B, or --max-frames T with
 * --crop start|center|random. */
enum { MERGE_CROP_NONE, MERGE_CROP_FRAMES, MERGE_CROP_MAX };
enum { MERGE_CROP_START, MERGE_CROP_CENTER, MERGE_CROP_RANDOM };
typedef struct merge_crop {
    int mode;                    /* MERGE_CROP_* */
    uint64_t a, b;               /* --frames A:B, half-open; b 0: to the clip's end */
    uint64_t max;                /* --max-frames T */
    int where;                   /* MERGE_CROP_START / _CENTER / _RANDOM */
    uint64_t seed;               /* --crop random: with the clip id, picks the start */
} merge_crop;

/** Parse --frames' A:B (or A: for "to the end"). 0 / -1 (nothing printed). */
int merge_crop_parse_frames(merge_crop *c, const char *s);
/** Parse --crop's start|center|random. 0 / -1. */
int merge_crop_parse_where(merge_crop *c, const char *s);
/** The window of a clip `id` of `frames` frames: win[0] first frame, win[1]
 *  count. Returns 1 when the clip is kept whole (no crop, or shorter than
 *  --max-frames), 0 with win set, -1 when --frames passes the clip's end
 *  (a line naming `file` and the clip printed). --crop random draws from
 *  the seed and the clip id alone, so a clip gets the same window whatever
 *  else is chosen. */
int merge_crop_window(uint64_t win[2], const merge_crop *c, const char *file, const char *id,
                      uint64_t frames);

/** Copy the chosen clips into `out` (sharded with max_shard_bytes), with
 *  only the streams named in `streams` (count nstreams; NULL: all). A
 *  chosen clip without one of them is an error naming it. `crop` NULL or
 *  MERGE_CROP_NONE: whole clips. */
int merge_subset_copy(const merge_inputs *in, const char *out, uint64_t max_shard_bytes,
                      const char *const *streams, size_t nstreams, const merge_crop *crop,
                      int depth_codec);
/** Write `out` as a manifest selecting the chosen clips in their files. */
int merge_subset_virtual(const merge_inputs *in, const char *out);
/** Print the chosen clips and their counts per class, source and split. */
int merge_subset_list(const merge_inputs *in);

/* ---- shared by the files of this library -------------------------------- */

/* A set of borrowed strings (open addressing, grows at half full). */
typedef struct merge_strset { const char **v; size_t cap, n; } merge_strset;
int  merge_strset_has(const merge_strset *s, const char *k);
/** Add k (borrowed: it must outlive the set). Returns 1 when it was new. */
int  merge_strset_add(merge_strset *s, const char *k);
void merge_strset_free(merge_strset *s);

void *merge_xmalloc(size_t n);
void *merge_xrealloc(void *p, size_t n);
char *merge_xstrdup(const char *s);
#endif
