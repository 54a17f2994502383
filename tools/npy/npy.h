/* npy.h - NumPy .npy writer and a bounded, safe .npy/.npz reader.
 *
 * Writer: format version 1.0 (2.0 when the header would not fit 64 KiB),
 * C order, native byte order descriptor, written under a temporary name
 * beside the target and renamed into place on success, so a failed or
 * interrupted export never leaves a partial OUT.npy.
 *
 * Reader: .npy versions 1.0, 2.0 and 3.0 with numeric dtypes (b1, i1..i8,
 * u1..u8, f2, f4, f8) in either byte order and C or Fortran order, plus
 * fixed-width byte strings (S) and unicode strings (U). Results are always
 * native byte order, C order. Object arrays (pickles) and structured dtypes
 * are refused: reading them would mean executing or interpreting arbitrary
 * Python, and no sidecar we import needs them.
 * .npz archives: zip files of .npy members, "stored" entries always and
 * "deflate" entries when built with zlib (SYNAPT_HAVE_ZLIB, from pkg-config
 * zlib); ZIP64 records are understood, encrypted entries refused. Every
 * member's CRC-32 is checked.
 *
 * All input is untrusted: header length, shape, element count and declared
 * zip sizes are checked for overflow and against `max_bytes` before any
 * allocation, and data shorter than the header announces is an error.
 *
 * Errors are negative SYNAPT_E_* codes (synapt.h): _IO, _INPUT (malformed),
 * _TRUNCATED, _LIMIT, _UNSUPPORTED, _NOT_FOUND, _NOMEM, _INVALID_ARG, with
 * a one-line message in `err` that starts with the file name. */
#ifndef SYNAPT_NPY_H
#define SYNAPT_NPY_H

#include <stddef.h>
#include <stdint.h>

#define NPY_MAX_DIMS 16

/* ---- writing ---- */

typedef struct npy_writer npy_writer;

/** Start writing `path` as an array of `dtype` (a synapt_dtype other than
 *  NONE) with the given shape (ndim 0..NPY_MAX_DIMS; a 0 in the shape is
 *  fine). Data follows through npy_writer_write in C order. */
int npy_writer_open(npy_writer **out, const char *path, int dtype,
                    const uint64_t *shape, unsigned ndim, char *err, size_t errsz);
/** Append raw element bytes (native byte order). Writing more than the
 *  shape holds is _INVALID_ARG. */
int npy_writer_write(npy_writer *w, const void *data, size_t bytes);
/** Check that exactly the announced bytes were written, flush, rename into
 *  place. Frees `w` whatever happens; on failure nothing is left at path. */
int npy_writer_close(npy_writer *w, char *err, size_t errsz);
/** Discard the temporary file and free. Accepts NULL. */
void npy_writer_abort(npy_writer *w);
/** Message of the last failure of npy_writer_write ("" when none). */
const char *npy_writer_errmsg(const npy_writer *w);

/** One-call save of a whole array. */
int npy_save(const char *path, int dtype, const uint64_t *shape, unsigned ndim,
             const void *data, char *err, size_t errsz);

/** The descr string numpy uses for a synapt dtype in native order, e.g.
 *  "<f4", "|u1"; NULL for NONE/unknown. Static storage. */
const char *npy_descr(int dtype);

/* ---- reading ---- */

typedef struct npy_array {
    char kind;               /* 'b' bool, 'i', 'u', 'f', 'S' bytes, 'U' unicode */
    int dtype;               /* synapt_dtype for numeric kinds (bool as U8), 0 for S/U */
    size_t elem_size;        /* bytes per element (U: 4 per character) */
    unsigned ndim;
    uint64_t shape[NPY_MAX_DIMS];
    uint64_t count;          /* product of shape (1 for ndim 0) */
    void *data;              /* count*elem_size bytes, native order, C order;
                                owned, release with npy_array_free */
    size_t data_bytes;
} npy_array;

/** Largest array a reader allocates unless told otherwise: 1 GiB. */
#define NPY_DEFAULT_MAX_BYTES (1ull << 30)

/** Read a .npy file. `max_bytes` caps the data size (0 = default). On
 *  failure *out is zeroed. */
int npy_read_file(npy_array *out, const char *path, uint64_t max_bytes,
                  char *err, size_t errsz);
/** Parse a .npy image held in memory; `name` is used in messages. The
 *  data is copied: `buf` may go away afterwards. */
int npy_read_memory(npy_array *out, const void *buf, size_t size, const char *name,
                    uint64_t max_bytes, char *err, size_t errsz);
/** Free the data and zero the struct. Accepts NULL and zeroed structs. */
void npy_array_free(npy_array *a);

/** Element i of a numeric array as double / int64 (bool as 0/1). Returns
 *  0, or _RANGE (i out of range), _INVALID_ARG (string array), or for
 *  get_i64 _INPUT when the value is not an integer that fits. */
int npy_array_get_f64(double *out, const npy_array *a, uint64_t i);
int npy_array_get_i64(int64_t *out, const npy_array *a, uint64_t i);
/** Element i of an S or U array as UTF-8 without trailing NULs, into buf
 *  (always NUL-terminated). _BUFFER when cap is too small (truncated);
 *  _INPUT when a U code point is not valid Unicode. */
int npy_array_get_str(char *buf, size_t cap, const npy_array *a, uint64_t i);

/* ---- .npz ---- */

typedef struct npz_archive npz_archive;

/** Open a .npz (zip) file and read its central directory. `max_bytes`
 *  caps each member's uncompressed size (0 = default). */
int npz_open(npz_archive **out, const char *path, uint64_t max_bytes,
             char *err, size_t errsz);
/** Number of members. */
size_t npz_count(const npz_archive *z);
/** Key of member i: its file name without the ".npy" suffix, as numpy's
 *  np.load(...)[key] names it. Borrowed until npz_close. NULL if out of range. */
const char *npz_key(const npz_archive *z, size_t i);
/** Read member `key`. _NOT_FOUND when absent. Safe to call repeatedly;
 *  not thread-safe on one archive. */
int npz_read(npy_array *out, npz_archive *z, const char *key, char *err, size_t errsz);
void npz_close(npz_archive *z);
/** 1 when deflate members can be read (built with zlib), else 0. */
int npz_has_deflate(void);

#endif
