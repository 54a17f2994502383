/* dataset_internal.h - the dataset handle shared by dataset_manifest.c
 * (parsing and checking a manifest) and dataset.c (members, reads). */
#ifndef SYNAPT_DATASET_INTERNAL_H
#define SYNAPT_DATASET_INTERNAL_H
#include <pthread.h>
#include "synapt.h"

/* lmap values beside real dataset label ids */
#define DS_LABEL_DROP    UINT32_MAX         /* label_map value null */
#define DS_LABEL_UNKNOWN (UINT32_MAX - 1)   /* neither mapped nor in V: D16 on use */

typedef struct ds_member {
    char *path;                  /* as in the manifest */
    char *full;                  /* resolved against the manifest's directory */
    uint8_t uuid[16];
    uint64_t clips, size;
    uint64_t *select;            /* NULL: every clip */
    uint64_t n, base;            /* contributed clips, first dataset index */
    char **map_keys, **map_vals; /* sorted by key; a NULL value drops the label */
    size_t nmap;
    /* below: guarded by ds->lock */
    synapt_reader *r;            /* NULL while closed */
    uint32_t *lmap;              /* member label id -> dataset id (kept when closed) */
    uint64_t nlabels;
    unsigned refs;               /* pins: never evicted while > 0 */
    uint64_t last_use;
    int fail_code;               /* sticky failure of the last open attempt */
    char *fail_msg;
} ds_member;

struct synapt_dataset {
    synapt_dataset_options opts;
    char *path;
    int is_manifest;
    int have_labels;             /* the manifest lists `labels` */
    ds_member *m;
    uint32_t nm;
    uint64_t nclips;
    char **labels;               /* V */
    uint64_t nlabels, labels_cap;
    uint32_t *lhash;             /* open addressing, index+1, 0 = empty */
    uint64_t lhash_cap;
    pthread_mutex_t lock;
    uint32_t open_count;
    uint64_t tick;
    char msg[1024];
};

/* dataset_manifest.c */
int sy_ds_parse_manifest(synapt_dataset *ds, const char *text, size_t len);
int sy_ds_label_add(synapt_dataset *ds, const char *name, uint32_t *id);
int sy_ds_label_find(const synapt_dataset *ds, const char *name, uint32_t *id);
void sy_ds_set_msg(synapt_dataset *ds, const char *fmt, ...);
#endif
