/* merge.h - the substance of synapt-merge: plan which clips of several
 * datasets (files or manifests) go into one output, under which labels and
 * ids, then copy their chunks without re-encoding, or join the inputs with
 * a manifest that copies nothing. */
#ifndef SYNAPT_MERGE_H
#define SYNAPT_MERGE_H
#include <stddef.h>
#include <stdint.h>

enum { MERGE_UNMAPPED_ERROR, MERGE_UNMAPPED_DROP, MERGE_UNMAPPED_KEEP };
enum { MERGE_DUP_ERROR, MERGE_DUP_RENAME, MERGE_DUP_SKIP };

typedef struct merge_options {
    const char *out;
    const char *const *inputs;
    size_t ninputs;
    const char *map_path;        /* CSV source,label,target or JSON; NULL: none */
    int unmapped;                /* MERGE_UNMAPPED_* */
    int on_duplicate;            /* MERGE_DUP_* */
    int dedupe;                  /* drop exact duplicate clips (same chunk checksums) */
    uint64_t per_class;          /* 0: no cap */
    int balance_sources;
    uint64_t seed;
    int manifest_only;
} merge_options;

/** Run a merge. Messages go to stderr through cli.h; the per-class table
 *  (with per_class) to stdout. Returns a CLI_EXIT_* code. */
int merge_run(const merge_options *o);
#endif
