/* dsmanifest.h - writing dataset manifests (spec/dataset.md section 12)
 * for synapt-merge, synapt-subset and synapt-pack: relative member paths,
 * one member per line, written to a temporary file beside the target and
 * renamed on success. */
#ifndef SYNAPT_DSMANIFEST_H
#define SYNAPT_DSMANIFEST_H
#include <stddef.h>
#include <stdint.h>

typedef struct dsm_member {
    const char *file;            /* the member file, as the process can open it */
    uint8_t uuid[16];
    uint64_t clips, size;
    const uint64_t *select;      /* NULL: every clip */
    uint64_t nselect;
    const char *const *map_keys; /* label_map, keys sorted; NULL value = null */
    const char *const *map_vals;
    size_t nmap;
} dsm_member;

/** Fill uuid, clips and size of `m` from the file m->file (opened now).
 *  0, or -1 with a message in err. */
int dsm_member_from_file(dsm_member *m, char *err, size_t errcap);

/** Write the manifest `out`: members' paths are made relative to the
 *  directory of `out` (a member outside it is refused). `labels` may be
 *  NULL (no `labels` member). Nothing is left at `out` or beside it on
 *  failure. 0, or -1 with a one-line message in err. */
int dsm_write(const char *out, const char *name, const char *writer,
              const char *const *labels, size_t nlabels,
              const dsm_member *members, size_t nmembers, char *err, size_t errcap);
#endif
