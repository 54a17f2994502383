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

/* ---- libhdf5, loaded on first use (h5_dl.c) ----
 * Loading libhdf5 costs a process about 13 ms of CPU (2-5 ms in one that
 * loads FFmpeg too, which shares some of its libraries): half of what
 * `synapt-convert --to npy` cost, and more than a command that never opens
 * an HDF5 file should pay. So no command links it: the functions and
 * predefined-type globals tools/h5 and tools/import use are reached
 * through the table below, which h5dl_load() fills with dlopen()/dlsym().
 *
 * A file that includes <hdf5.h> and then this header calls HDF5 by the
 * usual names; the macros at the end turn each name into its table entry.
 * HDF5's own macros (H5T_NATIVE_FLOAT, H5F_ACC_RDONLY, H5P_DATASET_ACCESS)
 * expand to H5open(), H5check_version() and the *_g globals, which are in
 * the table too. A name missing from it fails at link time. The rule that
 * keeps the table filled before a call: every entry point of tools/h5
 * (h5layout_export, h5layout_import, h5_rows_read, h5layout_zstd_available)
 * and of the HDF5 readers of tools/import and tools/audit calls h5dl_load()
 * first. Code that calls HDF5 itself and
 * links it (tests, benchmarks) defines H5DL_DIRECT first. */
#ifdef H5_VERS_MAJOR
#define H5DL_FUNCTIONS(X) \
    X(H5open) X(H5check_version) X(H5get_libversion) X(H5Aclose) \
    X(H5Acreate2) X(H5Aexists) X(H5Aget_space) X(H5Aget_type) \
    X(H5Aopen) X(H5Aread) X(H5Awrite) X(H5Dclose) \
    X(H5Dcreate2) X(H5Dget_chunk_info) X(H5Dget_create_plist) X(H5Dget_num_chunks) \
    X(H5Dget_space) X(H5Dget_storage_size) X(H5Dget_type) X(H5Dopen2) \
    X(H5Dread) X(H5Dvlen_reclaim) X(H5Dwrite) X(H5Eclear2) \
    X(H5Eset_auto2) X(H5Ewalk2) X(H5Fclose) X(H5Fcreate) \
    X(H5Fis_hdf5) X(H5Fopen) X(H5Gclose) X(H5Gcreate2) \
    X(H5Gopen2) X(H5Lexists) X(H5Literate) X(H5Oclose) \
    X(H5Oget_info2) X(H5Oopen) X(H5Pclose) X(H5Pcreate) \
    X(H5Pget_chunk) X(H5Pget_external_count) X(H5Pget_layout) X(H5Pget_nfilters) \
    X(H5Pset_chunk) X(H5Pset_deflate) X(H5Pset_elink_cb) X(H5Pset_filter) \
    X(H5Pset_shuffle) X(H5Sclose) X(H5Screate) X(H5Screate_simple) \
    X(H5Sget_simple_extent_dims) X(H5Sget_simple_extent_ndims) X(H5Sget_simple_extent_npoints) X(H5Sget_simple_extent_type) \
    X(H5Sselect_hyperslab) X(H5Tclose) X(H5Tcopy) X(H5Tget_class) \
    X(H5Tget_offset) X(H5Tget_precision) X(H5Tget_sign) X(H5Tget_size) \
    X(H5Tis_variable_str) X(H5Tset_cset) X(H5Tset_ebias) X(H5Tset_fields) \
    X(H5Tset_size) X(H5Zfilter_avail) X(H5Zget_filter_info)
#define H5DL_VARIABLES(X) \
    X(H5P_CLS_DATASET_ACCESS_ID_g) X(H5P_CLS_DATASET_CREATE_ID_g) X(H5P_CLS_GROUP_ACCESS_ID_g) X(H5T_C_S1_g) \
    X(H5T_IEEE_F32LE_g) X(H5T_IEEE_F64LE_g) X(H5T_NATIVE_DOUBLE_g) X(H5T_NATIVE_FLOAT_g) \
    X(H5T_NATIVE_INT32_g) X(H5T_NATIVE_INT64_g) X(H5T_NATIVE_UINT16_g) X(H5T_NATIVE_UINT32_g) \
    X(H5T_NATIVE_UINT64_g) X(H5T_NATIVE_UINT8_g) X(H5T_STD_I16LE_g) X(H5T_STD_I32LE_g) \
    X(H5T_STD_I64LE_g) X(H5T_STD_I8LE_g) X(H5T_STD_U16LE_g) X(H5T_STD_U32LE_g) \
    X(H5T_STD_U64LE_g) X(H5T_STD_U8LE_g)

#define H5DL_FIELD(name) __typeof__(name) *name;
typedef struct h5dl_table {
    H5DL_FUNCTIONS(H5DL_FIELD)
    H5DL_VARIABLES(H5DL_FIELD)
} h5dl_table;
#undef H5DL_FIELD

extern h5dl_table h5dl;

#ifndef H5DL_DIRECT
#define H5open (*h5dl.H5open)
#define H5check_version (*h5dl.H5check_version)
#define H5get_libversion (*h5dl.H5get_libversion)
#define H5Aclose (*h5dl.H5Aclose)
#define H5Acreate2 (*h5dl.H5Acreate2)
#define H5Aexists (*h5dl.H5Aexists)
#define H5Aget_space (*h5dl.H5Aget_space)
#define H5Aget_type (*h5dl.H5Aget_type)
#define H5Aopen (*h5dl.H5Aopen)
#define H5Aread (*h5dl.H5Aread)
#define H5Awrite (*h5dl.H5Awrite)
#define H5Dclose (*h5dl.H5Dclose)
#define H5Dcreate2 (*h5dl.H5Dcreate2)
#define H5Dget_chunk_info (*h5dl.H5Dget_chunk_info)
#define H5Dget_create_plist (*h5dl.H5Dget_create_plist)
#define H5Dget_num_chunks (*h5dl.H5Dget_num_chunks)
#define H5Dget_space (*h5dl.H5Dget_space)
#define H5Dget_storage_size (*h5dl.H5Dget_storage_size)
#define H5Dget_type (*h5dl.H5Dget_type)
#define H5Dopen2 (*h5dl.H5Dopen2)
#define H5Dread (*h5dl.H5Dread)
#define H5Dvlen_reclaim (*h5dl.H5Dvlen_reclaim)
#define H5Dwrite (*h5dl.H5Dwrite)
#define H5Eclear2 (*h5dl.H5Eclear2)
#define H5Eset_auto2 (*h5dl.H5Eset_auto2)
#define H5Ewalk2 (*h5dl.H5Ewalk2)
#define H5Fclose (*h5dl.H5Fclose)
#define H5Fcreate (*h5dl.H5Fcreate)
#define H5Fis_hdf5 (*h5dl.H5Fis_hdf5)
#define H5Fopen (*h5dl.H5Fopen)
#define H5Gclose (*h5dl.H5Gclose)
#define H5Gcreate2 (*h5dl.H5Gcreate2)
#define H5Gopen2 (*h5dl.H5Gopen2)
#define H5Lexists (*h5dl.H5Lexists)
#define H5Literate (*h5dl.H5Literate)
#define H5Oclose (*h5dl.H5Oclose)
#define H5Oget_info2 (*h5dl.H5Oget_info2)
#define H5Oopen (*h5dl.H5Oopen)
#define H5Pclose (*h5dl.H5Pclose)
#define H5Pcreate (*h5dl.H5Pcreate)
#define H5Pget_chunk (*h5dl.H5Pget_chunk)
#define H5Pget_external_count (*h5dl.H5Pget_external_count)
#define H5Pget_layout (*h5dl.H5Pget_layout)
#define H5Pget_nfilters (*h5dl.H5Pget_nfilters)
#define H5Pset_chunk (*h5dl.H5Pset_chunk)
#define H5Pset_deflate (*h5dl.H5Pset_deflate)
#define H5Pset_elink_cb (*h5dl.H5Pset_elink_cb)
#define H5Pset_filter (*h5dl.H5Pset_filter)
#define H5Pset_shuffle (*h5dl.H5Pset_shuffle)
#define H5Sclose (*h5dl.H5Sclose)
#define H5Screate (*h5dl.H5Screate)
#define H5Screate_simple (*h5dl.H5Screate_simple)
#define H5Sget_simple_extent_dims (*h5dl.H5Sget_simple_extent_dims)
#define H5Sget_simple_extent_ndims (*h5dl.H5Sget_simple_extent_ndims)
#define H5Sget_simple_extent_npoints (*h5dl.H5Sget_simple_extent_npoints)
#define H5Sget_simple_extent_type (*h5dl.H5Sget_simple_extent_type)
#define H5Sselect_hyperslab (*h5dl.H5Sselect_hyperslab)
#define H5Tclose (*h5dl.H5Tclose)
#define H5Tcopy (*h5dl.H5Tcopy)
#define H5Tget_class (*h5dl.H5Tget_class)
#define H5Tget_offset (*h5dl.H5Tget_offset)
#define H5Tget_precision (*h5dl.H5Tget_precision)
#define H5Tget_sign (*h5dl.H5Tget_sign)
#define H5Tget_size (*h5dl.H5Tget_size)
#define H5Tis_variable_str (*h5dl.H5Tis_variable_str)
#define H5Tset_cset (*h5dl.H5Tset_cset)
#define H5Tset_ebias (*h5dl.H5Tset_ebias)
#define H5Tset_fields (*h5dl.H5Tset_fields)
#define H5Tset_size (*h5dl.H5Tset_size)
#define H5Zfilter_avail (*h5dl.H5Zfilter_avail)
#define H5Zget_filter_info (*h5dl.H5Zget_filter_info)
#define H5P_CLS_DATASET_ACCESS_ID_g (*h5dl.H5P_CLS_DATASET_ACCESS_ID_g)
#define H5P_CLS_DATASET_CREATE_ID_g (*h5dl.H5P_CLS_DATASET_CREATE_ID_g)
#define H5P_CLS_GROUP_ACCESS_ID_g (*h5dl.H5P_CLS_GROUP_ACCESS_ID_g)
#define H5T_C_S1_g (*h5dl.H5T_C_S1_g)
#define H5T_IEEE_F32LE_g (*h5dl.H5T_IEEE_F32LE_g)
#define H5T_IEEE_F64LE_g (*h5dl.H5T_IEEE_F64LE_g)
#define H5T_NATIVE_DOUBLE_g (*h5dl.H5T_NATIVE_DOUBLE_g)
#define H5T_NATIVE_FLOAT_g (*h5dl.H5T_NATIVE_FLOAT_g)
#define H5T_NATIVE_INT32_g (*h5dl.H5T_NATIVE_INT32_g)
#define H5T_NATIVE_INT64_g (*h5dl.H5T_NATIVE_INT64_g)
#define H5T_NATIVE_UINT16_g (*h5dl.H5T_NATIVE_UINT16_g)
#define H5T_NATIVE_UINT32_g (*h5dl.H5T_NATIVE_UINT32_g)
#define H5T_NATIVE_UINT64_g (*h5dl.H5T_NATIVE_UINT64_g)
#define H5T_NATIVE_UINT8_g (*h5dl.H5T_NATIVE_UINT8_g)
#define H5T_STD_I16LE_g (*h5dl.H5T_STD_I16LE_g)
#define H5T_STD_I32LE_g (*h5dl.H5T_STD_I32LE_g)
#define H5T_STD_I64LE_g (*h5dl.H5T_STD_I64LE_g)
#define H5T_STD_I8LE_g (*h5dl.H5T_STD_I8LE_g)
#define H5T_STD_U16LE_g (*h5dl.H5T_STD_U16LE_g)
#define H5T_STD_U32LE_g (*h5dl.H5T_STD_U32LE_g)
#define H5T_STD_U64LE_g (*h5dl.H5T_STD_U64LE_g)
#define H5T_STD_U8LE_g (*h5dl.H5T_STD_U8LE_g)
#endif
#endif

/** Load libhdf5 and fill the table above, once per process (thread-safe).
 *  0, or SYNAPT_E_UNSUPPORTED with one line in `err` (may be NULL) naming
 *  the library or function that could not be loaded; a failure is final.
 *  A caller about to run HDF5 in a sandboxed child calls it first, so the
 *  child inherits the loaded library instead of loading it again. */
int h5dl_load(char *err, size_t errsz);

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
