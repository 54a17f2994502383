/* h5.h - the synapt HDF5 layout (spec/hdf5.md): writer and reader.
 *
 * Writer: h5layout_export() copies clips of an open dataset (a .synapt
 * file or a manifest of shards, synapt_dataset) into a new HDF5 file, clip
 * by clip and frame batch by frame batch, so memory stays bounded (about
 * 32 MiB of frames, HDF5's chunk cache and the dataset's few open members)
 * whatever the dataset size. The file is built under a temporary name in the
 * target's directory and renamed into place on success; on failure or
 * SIGINT/SIGTERM/SIGHUP the temporary is removed and an existing target is
 * left untouched.
 *
 * Reader: h5layout_import() turns such a file back into a .synapt file
 * (through synapt_writer, which has the same all-or-nothing rename). Every
 * dataset and attribute is checked against the layout before use; errors
 * name the HDF5 file and the object path.
 *
 * Both switch HDF5's automatic error printing off for the calling thread's
 * default error stack (a tool-level setting; libsynapt never touches HDF5)
 * and wrap HDF5's innermost message into the one-line `err`.
 *
 * Errors: negative SYNAPT_E_* codes (synapt.h): _IO (create/write/rename),
 * _INPUT (the HDF5 file is not this layout or is damaged), _UNSUPPORTED
 * (--hdf5-zstd without the zstd filter), _LIMIT (a frame or a list larger
 * than the caps below), _NOMEM, and any synapt reader/writer error. */
#ifndef SYNAPT_H5LAYOUT_H
#define SYNAPT_H5LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "synapt.h"

/** Layout version written and the only one read. */
#define H5LAYOUT_VERSION 1
/** HDF5 registered filter id of zstd (plugin, not built into libhdf5). */
#define H5LAYOUT_ZSTD_FILTER 32015

#define H5LAYOUT_EXPORT_OPTIONS_VERSION 1
typedef struct h5layout_export_options {
    unsigned version;            /* H5LAYOUT_EXPORT_OPTIONS_VERSION */
    int video_packets;           /* 1: encoded video as packets (round-trippable);
                                    0: decoded (T, H, W, 3) u8 RGB */
    int zstd;                    /* 1: filter 32015 instead of deflate */
    int deflate_level;           /* 0..9, default 4 */
    uint32_t width, height;      /* decoded video: resize every frame to this (both or neither) */
    uint32_t short_side;         /* decoded video: or scale so the shorter side is this,
                                    keeping the aspect ratio (even sizes); 0 = as stored */
    const char *writer;          /* root attribute `writer`, e.g. "synapt-convert 0.1.0" */
    /* Dataset clips to export, in this order; NULL = every clip in dataset
     * order. A selection (tools/select) or a --shard lands here. */
    const uint64_t *clips;
    size_t clip_count;
    synapt_progress_fn progress; /* called after each clip with (done, total); may be NULL */
    void *progress_user;
} h5layout_export_options;
#define H5LAYOUT_EXPORT_OPTIONS_INIT \
    { H5LAYOUT_EXPORT_OPTIONS_VERSION, 0, 0, 4, 0, 0, 0, NULL, NULL, 0, NULL, NULL }

typedef struct h5layout_stats {
    uint64_t clips, streams, frames;
    uint64_t bytes_written;      /* size of the finished file */
} h5layout_stats;

/** 1 when HDF5 can encode with the zstd filter (the plugin is found), else 0. */
int h5layout_zstd_available(void);

/** Export clips of `ds` to `path` (see the header comment): labels are
 *  the dataset's (a manifest's label_map applied), each clip's streams come
 *  from its member file. `stats` may be NULL. `err` receives one line naming the file (and clip/stream) on
 *  failure. Not thread-safe (HDF5 is built without thread safety). */
int h5layout_export(h5layout_stats *stats, synapt_dataset *ds, const char *path,
                    const h5layout_export_options *opts, char *err, size_t errsz);

/** Rebuild a .synapt file at `out_path` from the HDF5 file `h5_path`.
 *  `wopts` may be NULL (writer defaults). On failure nothing is left at
 *  out_path (an existing file there is kept). */
int h5layout_import(h5layout_stats *stats, const char *h5_path, const char *out_path,
                    const synapt_writer_options *wopts, synapt_progress_fn progress,
                    void *progress_user, char *err, size_t errsz);

/* ---- shared by the writer and the reader (h5_common.c) ---- */


/* ---- rows of floats from any HDF5 file (h5_rows.c) ---- */

/** Values a row may have. */
#define H5_ROWS_MAX_DIMS 65536

typedef struct h5_rows {
    float *data;                 /* rows x dims, C order; owned */
    uint64_t rows;
    uint32_t dims;
    char **keys;                 /* group form: each row's key, rows of them; NULL
                                    for a 2-D dataset */
} h5_rows;

/** Read per-row vectors another program wrote: `object` is either a 2-D
 *  numeric dataset (rows x values) or a group of 1-D numeric datasets of
 *  one length, one per key, the member name being the key as
 *  cli_escape_name() spells it (rows in name order). Values are
 *  converted to float by HDF5. At most `max_bytes` of floats are
 *  allocated. Errors: _IO (cannot open), _INPUT (no such object, wrong
 *  rank or type, unequal rows, empty group), _LIMIT, _NOMEM, with one line
 *  in err naming the file and object. Not thread-safe. */
int h5_rows_read(h5_rows *out, const char *path, const char *object, uint64_t max_bytes,
                 char *err, size_t errsz);
/** Free and zero. Accepts NULL. */
void h5_rows_free(h5_rows *r);

/* Helpers of h5_export.c and h5_import.c only (they define
 * H5LAYOUT_INTERNAL); kept here so the folder has one header and commands
 * never see HDF5 types. */
#ifdef H5LAYOUT_INTERNAL
#include <hdf5.h>

/** Switch automatic error printing off (once per process). */
void h5c_quiet(void);
/** HDF5's innermost error description of the current stack ("" if none),
 *  copied into buf. Clears the stack. */
const char *h5c_reason(char *buf, size_t cap);
/** A copy of the little-endian HDF5 type of a synapt dtype (caller closes);
 *  H5I_INVALID_HID for NONE or unknown. */
hid_t h5c_type(int dtype);
/** The variable-length UTF-8 string type (caller closes). */
hid_t h5c_str_type(void);

int h5c_attr_str(hid_t obj, const char *name, const char *v);
int h5c_attr_strs(hid_t obj, const char *name, const char *const *v, size_t n);
/** A numeric attribute: scalar when `list` is 0 (n must be 1), else a 1-D
 *  list of n elements (n may be 0); `type` is both memory and file type. */
int h5c_attr_num(hid_t obj, const char *name, hid_t type, const void *v, size_t n, int list);
#endif

/* ---- untrusted HDF5 inputs (h5_guard.c) ----
 * Declared only for a file that includes <hdf5.h> before this header (the
 * HDF5 sidecar readers of tools/import, the reader above), so commands never
 * see HDF5 types. */
#ifdef H5_VERS_MAJOR
/** Dataset / group access property lists (owned by this module, never
 *  close them) whose external-link callback refuses traversal: pass them to
 *  every H5Dopen2 / H5Gopen2 of an untrusted file. H5I_INVALID_HID if HDF5
 *  cannot make one (the open then fails). */
hid_t h5guard_dapl(void);
hid_t h5guard_gapl(void);
/** 0 when dataset `dset` keeps its data inside its own file; else
 *  SYNAPT_E_INPUT with one line in `err` ("FILE: dataset 'NAME' is a virtual
 *  dataset ...; refused ..."): virtual datasets and external raw storage
 *  would make HDF5 read other local files. */
int h5guard_dataset(hid_t dset, const char *file, const char *name, char *err, size_t errsz);
#endif

#endif
