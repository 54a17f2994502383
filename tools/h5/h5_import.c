/* h5_import.c - rebuild a .synapt file from the HDF5 layout of
 * spec/hdf5.md. The HDF5 file is untrusted: every attribute and dataset is
 * checked (presence, type class, rank, shape against the stream's
 * attributes) before use, lists and frames are capped, and the first
 * problem stops the import with one line naming the file and object. */
#define H5LAYOUT_INTERNAL
#include "h5.h"
#include "cli/cli.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define BATCH_BYTES (32u << 20)
#define MAX_ITEM_BYTES (1ull << 30)
/* Longest list attribute or string table read (labels, clip ids). */
#define MAX_LIST (1u << 24)
#define MAX_STRING (64u << 20)
#define ROWS 4096

typedef struct im {
    hid_t f;
    const char *path;
    char *err;
    size_t errsz;
    int failed;
    synapt_writer *w;
    char **labels;
    uint64_t label_count;
    void *buf;
    size_t cap;
    uint64_t frames, streams;
} im;

/* ---- messages ------------------------------------------------------- */

static int fail(im *m, int code, const char *obj, const char *fmt, ...)
{
    if (m->failed) return code;
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(m->err, m->errsz, "%s: %s%s%s", m->path, obj ? obj : "", obj ? ": " : "", what);
    m->failed = 1;
    return code;
}

static int fail_h5(im *m, const char *obj, const char *doing)
{
    char why[256];
    h5c_reason(why, sizeof why);
    return fail(m, SYNAPT_E_INPUT, obj, "%s failed%s%s", doing, why[0] ? ": " : "", why);
}

static int fail_writer(im *m, int rc, const char *obj)
{
    const char *msg = m->w ? synapt_writer_errmsg(m->w) : NULL;
    return fail(m, rc, obj, "%s", msg && *msg ? msg : synapt_strerror(rc));
}

static int need_buf(im *m, uint64_t bytes)
{
    if (bytes > MAX_ITEM_BYTES + BATCH_BYTES)
        return fail(m, SYNAPT_E_LIMIT, NULL, "%" PRIu64 " bytes at once exceed the limit", bytes);
    if (bytes <= m->cap) return 0;
    void *b = realloc(m->buf, (size_t)bytes);
    if (!b) return fail(m, SYNAPT_E_NOMEM, NULL, "out of memory for %" PRIu64 " bytes", bytes);
    m->buf = b;
    m->cap = (size_t)bytes;
    return 0;
}

/* ---- attributes ---------------------------------------------------- */

static hid_t open_attr(im *m, hid_t obj, const char *obj_name, const char *name)
{
    htri_t e = H5Aexists(obj, name);
    if (e <= 0) {
        fail(m, SYNAPT_E_INPUT, obj_name, "missing attribute '%s'", name);
        return H5I_INVALID_HID;
    }
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0) fail_h5(m, obj_name, "opening an attribute");
    return a;
}

/* Elements of an attribute: 1 for scalar; -1 on a bad dataspace. */
static int64_t attr_points(hid_t a, int *is_list)
{
    hid_t s = H5Aget_space(a);
    if (s < 0) return -1;
    H5S_class_t c = H5Sget_simple_extent_type(s);
    int nd = H5Sget_simple_extent_ndims(s);
    hssize_t n = H5Sget_simple_extent_npoints(s);
    H5Sclose(s);
    if (c == H5S_SCALAR) {
        *is_list = 0;
        return 1;
    }
    if (c != H5S_SIMPLE || nd != 1 || n < 0) return -1;
    *is_list = 1;
    return (int64_t)n;
}

/* Strings of a string attribute (scalar: 1 of them), malloc'd. */
static int attr_strings(im *m, char ***out, size_t *count, hid_t obj, const char *obj_name,
                        const char *name, int want_list)
{
    *out = NULL;
    *count = 0;
    hid_t a = open_attr(m, obj, obj_name, name);
    if (a < 0) return SYNAPT_E_INPUT;
    int rc = 0, list = 0;
    hid_t ft = H5Aget_type(a), mt = H5I_INVALID_HID;
    int64_t n = attr_points(a, &list);
    char **v = NULL, **res = NULL;
    if (ft < 0 || H5Tget_class(ft) != H5T_STRING || n < 0 || list != want_list || n > MAX_LIST) {
        rc = fail(m, SYNAPT_E_INPUT, obj_name, "attribute '%s' is not a %s", name,
                  want_list ? "1-D list of strings" : "string");
        goto done;
    }
    res = calloc((size_t)n + 1, sizeof *res);
    if (!res) {
        rc = fail(m, SYNAPT_E_NOMEM, obj_name, "out of memory");
        goto done;
    }
    if (H5Tis_variable_str(ft) > 0) {
        mt = h5c_str_type();
        v = calloc((size_t)n + 1, sizeof *v);
        if (!v || mt < 0 || (n && H5Aread(a, mt, v) < 0)) {
            rc = v ? fail_h5(m, obj_name, "reading a string attribute") : fail(m, SYNAPT_E_NOMEM, obj_name, "out of memory");
            goto done;
        }
        for (int64_t i = 0; i < n && !rc; i++)
            if (!(res[i] = strdup(v[i] ? v[i] : ""))) rc = fail(m, SYNAPT_E_NOMEM, obj_name, "out of memory");
        hid_t s = H5Aget_space(a);
        if (n) H5Dvlen_reclaim(mt, s, H5P_DEFAULT, v);
        H5Sclose(s);
    } else {
        /* fixed-length strings, as MATLAB and some h5py code write them */
        size_t w = H5Tget_size(ft);
        if (w == 0 || w > MAX_STRING || (n && w > MAX_STRING / (size_t)n)) {
            rc = fail(m, SYNAPT_E_LIMIT, obj_name, "attribute '%s' is too large", name);
            goto done;
        }
        char *raw = calloc((size_t)n * w + 1, 1);
        if (!raw || (n && H5Aread(a, ft, raw) < 0)) {
            free(raw);
            rc = fail_h5(m, obj_name, "reading a string attribute");
            goto done;
        }
        for (int64_t i = 0; i < n && !rc; i++) {
            res[i] = calloc(w + 1, 1);
            if (!res[i]) rc = fail(m, SYNAPT_E_NOMEM, obj_name, "out of memory");
            else memcpy(res[i], raw + (size_t)i * w, w);
        }
        free(raw);
    }
done:
    free(v);
    if (mt >= 0) H5Tclose(mt);
    if (ft >= 0) H5Tclose(ft);
    H5Aclose(a);
    if (rc) {
        for (int64_t i = 0; res && i < n; i++) free(res[i]);
        free(res);
        return rc;
    }
    *out = res;
    *count = (size_t)n;
    return 0;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) free(v[i]);
    free(v);
}

static int attr_str(im *m, char **out, hid_t obj, const char *obj_name, const char *name)
{
    char **v;
    size_t n;
    int rc = attr_strings(m, &v, &n, obj, obj_name, name, 0);
    if (rc) return rc;
    *out = v[0];
    free(v);
    return 0;
}

/* A numeric attribute read as `mem` (HDF5 converts integer widths and byte
 * order); scalar when want < 0, else a list of exactly `want` elements, or
 * any length up to `cap` when want == 0 (count in *got). */
static int attr_num(im *m, void *out, size_t *got, hid_t mem, hid_t obj, const char *obj_name,
                    const char *name, int64_t want, size_t cap)
{
    hid_t a = open_attr(m, obj, obj_name, name);
    if (a < 0) return SYNAPT_E_INPUT;
    int list = 0, rc = 0;
    int64_t n = attr_points(a, &list);
    hid_t ft = H5Aget_type(a);
    H5T_class_t fc = ft >= 0 ? H5Tget_class(ft) : H5T_NO_CLASS, mc = H5Tget_class(mem);
    int ok = n >= 0 && (fc == H5T_INTEGER || fc == H5T_FLOAT) && (fc == mc || mc == H5T_FLOAT);
    if (ok) ok = want < 0 ? !list : list && (want ? n == want : (uint64_t)n <= cap);
    if (!ok)
        rc = fail(m, SYNAPT_E_INPUT, obj_name, "attribute '%s' is not a numeric %s", name,
                  want < 0 ? "scalar" : want ? "list of the expected length" : "list");
    else if (n && H5Aread(a, mem, out) < 0)
        rc = fail_h5(m, obj_name, "reading a numeric attribute");
    if (got) *got = (size_t)(n > 0 ? n : 0);
    if (ft >= 0) H5Tclose(ft);
    H5Aclose(a);
    return rc;
}

/* ---- datasets ------------------------------------------------------ */

/* Open dataset `name` under g, check its rank (and its element class and
 * size when `want` is given), return its dims. */
static hid_t open_ds(im *m, hid_t g, const char *gpath, const char *name, int rank, hsize_t *dims,
                     hid_t want, char *where, size_t wsz)
{
    snprintf(where, wsz, "%s/%s", gpath, name);
    htri_t e = H5Lexists(g, name, H5P_DEFAULT);
    if (e <= 0) {
        fail(m, SYNAPT_E_INPUT, where, "missing dataset");
        return H5I_INVALID_HID;
    }
    hid_t ds = H5Dopen2(g, name, h5guard_dapl());
    if (ds < 0) {
        fail_h5(m, where, "opening the dataset");
        return H5I_INVALID_HID;
    }
    if (!m->failed && h5guard_dataset(ds, m->path, where, m->err, m->errsz)) {
        m->failed = 1;
        H5Dclose(ds);
        return H5I_INVALID_HID;
    }
    hid_t s = H5Dget_space(ds), t = H5Dget_type(ds);
    int nd = s >= 0 ? H5Sget_simple_extent_ndims(s) : -1;
    int ok = nd == rank && H5Sget_simple_extent_dims(s, dims, NULL) == rank;
    if (!ok) fail(m, SYNAPT_E_INPUT, where, "has rank %d, the layout wants %d", nd, rank);
    if (ok && want >= 0) {
        H5T_class_t c = H5Tget_class(t);
        ok = c == H5Tget_class(want) && H5Tget_size(t) == H5Tget_size(want) &&
             (c != H5T_INTEGER || H5Tget_sign(t) == H5Tget_sign(want));
        if (!ok) fail(m, SYNAPT_E_INPUT, where, "has the wrong element type (%s %zu bytes wanted)",
                      H5Tget_class(want) == H5T_FLOAT ? "float" : "integer", H5Tget_size(want));
    }
    if (t >= 0) H5Tclose(t);
    if (s >= 0) H5Sclose(s);
    if (!ok) {
        H5Dclose(ds);
        return H5I_INVALID_HID;
    }
    return ds;
}

static int read_rows(hid_t ds, hid_t mem, int rank, const hsize_t *dims, uint64_t row, uint64_t k,
                     void *out)
{
    if (k == 0) return 0;
    hsize_t start[8] = { 0 }, count[8];
    start[0] = row;
    count[0] = k;
    for (int d = 1; d < rank; d++) count[d] = dims[d];
    hid_t fs = H5Dget_space(ds), ms = H5Screate_simple(rank, count, NULL);
    int rc = -1;
    if (fs >= 0 && ms >= 0 && H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
        H5Dread(ds, mem, ms, fs, H5P_DEFAULT, out) >= 0)
        rc = 0;
    if (ms >= 0) H5Sclose(ms);
    if (fs >= 0) H5Sclose(fs);
    return rc;
}

/* A string table dataset (N,) of variable-length strings. */
static int read_string_table(im *m, char ***out, uint64_t *count, const char *name)
{
    char where[64];
    hsize_t dims[1];
    *out = NULL;
    *count = 0;
    hid_t mt = h5c_str_type();
    hid_t ds = open_ds(m, m->f, "", name, 1, dims, H5I_INVALID_HID, where, sizeof where);
    if (ds < 0) {
        H5Tclose(mt);
        return SYNAPT_E_INPUT;
    }
    int rc = 0;
    hid_t ft = H5Dget_type(ds);
    if (H5Tget_class(ft) != H5T_STRING || H5Tis_variable_str(ft) <= 0)
        rc = fail(m, SYNAPT_E_INPUT, where, "is not a dataset of variable-length strings");
    else if (dims[0] > MAX_LIST)
        rc = fail(m, SYNAPT_E_LIMIT, where, "has %" PRIu64 " entries, more than %u", (uint64_t)dims[0], MAX_LIST);
    char **res = rc ? NULL : calloc((size_t)dims[0] + 1, sizeof *res);
    char *v[256];
    if (!rc && !res) rc = fail(m, SYNAPT_E_NOMEM, where, "out of memory");
    for (uint64_t i = 0; i < (rc ? 0 : dims[0]); i += 256) {
        uint64_t k = dims[0] - i < 256 ? dims[0] - i : 256;
        hsize_t kd[1] = { k };
        memset(v, 0, sizeof v);
        if (read_rows(ds, mt, 1, dims, i, k, v)) {
            rc = fail_h5(m, where, "reading");
            break;
        }
        for (uint64_t j = 0; j < k; j++)
            if (!(res[i + j] = strdup(v[j] ? v[j] : ""))) rc = fail(m, SYNAPT_E_NOMEM, where, "out of memory");
        hid_t ms = H5Screate_simple(1, kd, NULL);
        H5Dvlen_reclaim(mt, ms, H5P_DEFAULT, v);
        H5Sclose(ms);
        if (rc) break;
    }
    H5Tclose(ft);
    H5Tclose(mt);
    H5Dclose(ds);
    if (rc) {
        free_strings(res, res ? dims[0] : 0);
        return rc;
    }
    *out = res;
    *count = dims[0];
    return 0;
}

/* ---- streams ------------------------------------------------------- */

typedef struct sattrs {
    char *kind, *encoding, *dtype, *units, *skeleton, *channels;
    uint64_t shape[4];
    size_t ndim;
    uint32_t fps[2];
    double scale;
    uint64_t frame_count;
} sattrs;

static void sattrs_free(sattrs *a)
{
    free(a->kind);
    free(a->encoding);
    free(a->dtype);
    free(a->units);
    free(a->skeleton);
    free(a->channels);
}

static int channels_from_name(const char *s)
{
    if (!strcmp(s, "xy")) return SYNAPT_CHANNELS_XY;
    if (!strcmp(s, "xyc")) return SYNAPT_CHANNELS_XYC;
    if (!strcmp(s, "xyz")) return SYNAPT_CHANNELS_XYZ;
    if (!strcmp(s, "xyzc")) return SYNAPT_CHANNELS_XYZC;
    return *s ? -1 : SYNAPT_CHANNELS_NONE;
}

static int read_sattrs(im *m, sattrs *a, hid_t g, const char *gp)
{
    memset(a, 0, sizeof *a);
    int rc;
    if ((rc = attr_str(m, &a->kind, g, gp, "kind")) || (rc = attr_str(m, &a->encoding, g, gp, "encoding")) ||
        (rc = attr_str(m, &a->dtype, g, gp, "dtype")) || (rc = attr_str(m, &a->units, g, gp, "units")) ||
        (rc = attr_str(m, &a->skeleton, g, gp, "skeleton")) ||
        (rc = attr_str(m, &a->channels, g, gp, "channels")) ||
        (rc = attr_num(m, a->shape, &a->ndim, H5T_NATIVE_UINT64, g, gp, "frame_shape", 0, 4)) ||
        (rc = attr_num(m, a->fps, NULL, H5T_NATIVE_UINT32, g, gp, "fps", 2, 0)) ||
        (rc = attr_num(m, &a->scale, NULL, H5T_NATIVE_DOUBLE, g, gp, "scale", -1, 0)) ||
        (rc = attr_num(m, &a->frame_count, NULL, H5T_NATIVE_UINT64, g, gp, "frame_count", -1, 0)))
        return rc;
    return 0;
}

static int import_array(im *m, hid_t g, const char *gp, const sattrs *a, synapt_stream_desc *d)
{
    char where[1200], pwhere[1200];
    int pose = d->kind == SYNAPT_KIND_POSE2D || d->kind == SYNAPT_KIND_POSE3D;
    int decoded = d->kind == SYNAPT_KIND_VIDEO;
    if (decoded) {
        /* decoded RGB frames come back as an image stream */
        d->kind = SYNAPT_KIND_IMAGE;
        d->dtype = SYNAPT_DTYPE_U8;
    }
    if (d->dtype == SYNAPT_DTYPE_NONE)
        return fail(m, SYNAPT_E_INPUT, gp, "attribute 'dtype' is '%s', not an array dtype", a->dtype);
    hid_t want = h5c_type(d->dtype);
    int rank = decoded ? 4 : 1 + (int)a->ndim;
    hsize_t dims[8];
    hid_t ds = open_ds(m, g, gp, "data", rank, dims, want, where, sizeof where);
    if (ds < 0) {
        H5Tclose(want);
        return SYNAPT_E_INPUT;
    }
    int rc = 0;
    hid_t pds = H5I_INVALID_HID, tds = H5I_INVALID_HID;
    hsize_t pdims[1], tdims[1];
    if (dims[0] != a->frame_count)
        rc = fail(m, SYNAPT_E_INPUT, where, "has %" PRIu64 " frames, attribute 'frame_count' says %" PRIu64,
                  (uint64_t)dims[0], a->frame_count);
    for (int dd = 1; dd < rank && !rc; dd++) {
        int free_dim = (pose && dd == 1) || decoded;
        if (!free_dim && dims[dd] != a->shape[dd - 1])
            rc = fail(m, SYNAPT_E_INPUT, where, "dimension %d is %" PRIu64 ", attribute 'frame_shape' says %" PRIu64,
                      dd, (uint64_t)dims[dd], a->shape[dd - 1]);
    }
    if (!rc && decoded) {
        if (dims[3] != 3) rc = fail(m, SYNAPT_E_INPUT, where, "decoded video must be (T, H, W, 3)");
        d->ndim = 3;
        for (int dd = 0; dd < 3; dd++) d->shape[dd] = dims[dd + 1];
    }
    uint64_t frame_bytes = synapt_dtype_size(d->dtype);
    for (int dd = 1; dd < rank && !rc; dd++) {
        if (dims[dd] && frame_bytes > MAX_ITEM_BYTES / dims[dd])
            rc = fail(m, SYNAPT_E_LIMIT, where, "frames exceed the %u MiB limit", (unsigned)(MAX_ITEM_BYTES >> 20));
        frame_bytes *= dims[dd];
    }
    if (!rc && pose && (rc = (pds = open_ds(m, g, gp, "persons", 1, pdims, H5T_STD_U32LE, pwhere, sizeof pwhere)) < 0))
        rc = SYNAPT_E_INPUT;
    if (!rc && pose && pdims[0] != dims[0])
        rc = fail(m, SYNAPT_E_INPUT, pwhere, "has %" PRIu64 " entries for %" PRIu64 " frames",
                  (uint64_t)pdims[0], (uint64_t)dims[0]);
    if (!rc && H5Lexists(g, "pts", H5P_DEFAULT) > 0) {
        if ((tds = open_ds(m, g, gp, "pts", 1, tdims, H5T_STD_I64LE, pwhere, sizeof pwhere)) < 0) rc = SYNAPT_E_INPUT;
        else if (tdims[0] != dims[0])
            rc = fail(m, SYNAPT_E_INPUT, pwhere, "has %" PRIu64 " entries for %" PRIu64 " frames",
                      (uint64_t)tdims[0], (uint64_t)dims[0]);
    }
    uint32_t sid = 0;
    if (!rc && (rc = synapt_writer_add_stream(&sid, m->w, d)) != 0) rc = fail_writer(m, rc, gp);
    uint64_t total = dims[0], batch = frame_bytes ? BATCH_BYTES / frame_bytes : total;
    if (batch == 0) batch = 1;
    if (batch > ROWS) batch = ROWS;
    int64_t *pts = NULL;
    uint32_t *persons = NULL;
    if (!rc && total && frame_bytes) rc = need_buf(m, (batch < total ? batch : total) * frame_bytes);
    if (!rc && (!(pts = malloc(ROWS * sizeof *pts)) || !(persons = malloc(ROWS * sizeof *persons))))
        rc = fail(m, SYNAPT_E_NOMEM, gp, "out of memory");
    for (uint64_t f = 0; f < total && !rc; f += batch) {
        uint64_t k = total - f < batch ? total - f : batch;
        if (frame_bytes && read_rows(ds, want, rank, dims, f, k, m->buf)) {
            rc = fail_h5(m, where, "reading frames");
            break;
        }
        if (tds >= 0 && read_rows(tds, H5T_NATIVE_INT64, 1, tdims, f, k, pts)) {
            rc = fail_h5(m, pwhere, "reading");
            break;
        }
        if (pose) {
            if (read_rows(pds, H5T_NATIVE_UINT32, 1, pdims, f, k, persons)) {
                rc = fail_h5(m, pwhere, "reading");
                break;
            }
            uint64_t per = dims[1] ? frame_bytes / dims[1] : 0;
            for (uint64_t i = 0; i < k && !rc; i++) {
                if (persons[i] > dims[1]) {
                    rc = fail(m, SYNAPT_E_INPUT, pwhere, "frame %" PRIu64 " has %" PRIu32 " persons, data holds %" PRIu64,
                              f + i, persons[i], (uint64_t)dims[1]);
                    break;
                }
                const float *fr = (const float *)((const char *)m->buf + i * frame_bytes);
                (void)per;
                if ((rc = synapt_writer_write_pose(m->w, sid, fr, persons[i], tds >= 0 ? pts[i] : SYNAPT_PTS_NONE)) != 0)
                    rc = fail_writer(m, rc, gp);
            }
        } else {
            /* frame labels index /labels, which is the output's vocabulary
             * in the same order (import_all adds it first) */
            if (d->kind == SYNAPT_KIND_FRAME_LABELS && d->dtype == SYNAPT_DTYPE_I32) {
                const int32_t *v = m->buf;
                for (uint64_t i = 0; i < k * frame_bytes / sizeof(int32_t) && !rc; i++)
                    if (v[i] < -1 || (v[i] >= 0 && (uint64_t)v[i] >= m->label_count))
                        rc = fail(m, SYNAPT_E_INPUT, where, "frame label %" PRId32 " at frame %" PRIu64
                                  " is not in /labels (%" PRIu64 " names; -1 = none)", v[i],
                                  f + i / (frame_bytes / sizeof(int32_t)), m->label_count);
                if (rc) break;
            }
            if ((rc = synapt_writer_write_frames(m->w, sid, m->buf, (size_t)(k * frame_bytes), k,
                                                 tds >= 0 ? pts : NULL)) != 0)
                rc = fail_writer(m, rc, gp);
        }
    }
    if (!rc) m->frames += total;
    free(pts);
    free(persons);
    if (tds >= 0) H5Dclose(tds);
    if (pds >= 0) H5Dclose(pds);
    H5Dclose(ds);
    H5Tclose(want);
    return rc;
}

static int import_packets(im *m, hid_t g, const char *gp, const sattrs *a, synapt_stream_desc *d)
{
    static const char *const tn[4] = { "sizes", "pts", "dts", "flags" };
    hid_t tt[4] = { H5T_STD_U64LE, H5T_STD_I64LE, H5T_STD_I64LE, H5T_STD_U32LE };
    hid_t tds[4] = { H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID };
    hid_t pds = H5I_INVALID_HID, eds = H5I_INVALID_HID;
    hsize_t td[4][1], pd[1], ed[1];
    char where[1200], pwhere[1200];
    char *codec = NULL, *cfg = NULL;
    uint8_t *extra = NULL;
    uint64_t *sizes = NULL, *col = NULL;
    int rc = 0;
    for (int t = 0; t < 4 && !rc; t++)
        if ((tds[t] = open_ds(m, g, gp, tn[t], 1, td[t], tt[t], where, sizeof where)) < 0) rc = SYNAPT_E_INPUT;
        else if (td[t][0] != td[0][0])
            rc = fail(m, SYNAPT_E_INPUT, where, "has %" PRIu64 " entries, sizes has %" PRIu64,
                      (uint64_t)td[t][0], (uint64_t)td[0][0]);
    if (!rc && (pds = open_ds(m, g, gp, "packets", 1, pd, H5T_STD_U8LE, pwhere, sizeof pwhere)) < 0) rc = SYNAPT_E_INPUT;
    if (!rc && (eds = open_ds(m, g, gp, "extradata", 1, ed, H5T_STD_U8LE, where, sizeof where)) < 0) rc = SYNAPT_E_INPUT;
    if (!rc && ed[0] > (64u << 20)) rc = fail(m, SYNAPT_E_LIMIT, where, "is larger than 64 MiB");
    if (!rc && (rc = attr_str(m, &codec, g, gp, "codec")) == 0) rc = attr_str(m, &cfg, g, gp, "codec_config");
    if (!rc && (d->codec = synapt_codec_from_name(codec)) < 0)
        rc = fail(m, SYNAPT_E_INPUT, gp, "unknown codec '%s'", codec);
    if (!rc && d->codec == SYNAPT_CODEC_RAW)
        rc = fail(m, SYNAPT_E_INPUT, gp, "encoding 'packets' with codec 'raw'");
    if (!rc && !(extra = malloc(ed[0] + 1))) rc = fail(m, SYNAPT_E_NOMEM, gp, "out of memory");
    if (!rc && read_rows(eds, H5T_NATIVE_UINT8, 1, ed, 0, ed[0], extra)) rc = fail_h5(m, where, "reading");
    if (!rc && (!(sizes = malloc(ROWS * sizeof *sizes)) || !(col = malloc(3 * ROWS * sizeof *col))))
        rc = fail(m, SYNAPT_E_NOMEM, gp, "out of memory");
    uint64_t n = td[0][0], total = 0;
    /* the sizes must tile the byte dataset exactly before any packet is used */
    for (uint64_t f = 0; f < n && !rc; f += ROWS) {
        uint64_t k = n - f < ROWS ? n - f : ROWS;
        if (read_rows(tds[0], H5T_NATIVE_UINT64, 1, td[0], f, k, sizes)) {
            rc = fail_h5(m, gp, "reading sizes");
            break;
        }
        for (uint64_t i = 0; i < k && !rc; i++) {
            if (sizes[i] > MAX_ITEM_BYTES || total + sizes[i] < total)
                rc = fail(m, SYNAPT_E_LIMIT, gp, "packet %" PRIu64 " has %" PRIu64 " bytes", f + i, sizes[i]);
            total += sizes[i];
        }
    }
    if (!rc && total != pd[0])
        rc = fail(m, SYNAPT_E_INPUT, pwhere, "holds %" PRIu64 " bytes, the sizes add up to %" PRIu64,
                  (uint64_t)pd[0], total);
    d->dtype = SYNAPT_DTYPE_NONE;
    d->compression = SYNAPT_COMPRESSION_NONE;
    d->filter = SYNAPT_FILTER_NONE;
    d->extradata = ed[0] ? extra : NULL;
    d->extradata_size = (size_t)ed[0];
    d->codec_config = cfg && *cfg ? cfg : NULL;
    uint32_t sid = 0;
    if (!rc && (rc = synapt_writer_add_stream(&sid, m->w, d)) != 0) rc = fail_writer(m, rc, gp);
    uint64_t at = 0;
    for (uint64_t f = 0; f < n && !rc;) {
        uint64_t k = n - f < ROWS ? n - f : ROWS;
        int64_t *pts = (int64_t *)col, *dts = (int64_t *)(col + ROWS);
        uint32_t *flags = (uint32_t *)(col + 2 * ROWS);
        if (read_rows(tds[0], H5T_NATIVE_UINT64, 1, td[0], f, k, sizes) ||
            read_rows(tds[1], H5T_NATIVE_INT64, 1, td[1], f, k, pts) ||
            read_rows(tds[2], H5T_NATIVE_INT64, 1, td[2], f, k, dts) ||
            read_rows(tds[3], H5T_NATIVE_UINT32, 1, td[3], f, k, flags)) {
            rc = fail_h5(m, gp, "reading the packet table");
            break;
        }
        uint64_t mm = 0, bytes = 0;
        while (mm < k && (mm == 0 || bytes + sizes[mm] <= BATCH_BYTES)) bytes += sizes[mm++];
        if ((rc = need_buf(m, bytes ? bytes : 1)) != 0) break;
        if (read_rows(pds, H5T_NATIVE_UINT8, 1, pd, at, bytes, m->buf)) {
            rc = fail_h5(m, pwhere, "reading");
            break;
        }
        const uint8_t *p = m->buf;
        for (uint64_t i = 0; i < mm && !rc; i++) {
            if ((rc = synapt_writer_write_packet(m->w, sid, p, (size_t)sizes[i], pts[i], dts[i],
                                                 flags[i] & (SYNAPT_FRAME_KEY | SYNAPT_FRAME_DISCARD))) != 0)
                rc = fail_writer(m, rc, gp);
            p += sizes[i];
        }
        at += bytes;
        f += mm;
    }
    if (!rc && (rc = synapt_writer_set_video_info(m->w, sid, a->frame_count, d->codec_config)) != 0)
        rc = fail_writer(m, rc, gp);
    if (!rc) m->frames += n;
    for (int t = 0; t < 4; t++)
        if (tds[t] >= 0) H5Dclose(tds[t]);
    if (pds >= 0) H5Dclose(pds);
    if (eds >= 0) H5Dclose(eds);
    free(codec);
    free(cfg);
    free(extra);
    free(sizes);
    free(col);
    return rc;
}

static int import_stream(im *m, hid_t cg, const char *cpath, const char *name)
{
    char gp[1100];
    char *esc = cli_escape_name(name);
    if (!esc) return fail(m, SYNAPT_E_NOMEM, cpath, "out of memory");
    snprintf(gp, sizeof gp, "%.540s/%.540s", cpath, esc);
    hid_t g = H5Lexists(cg, esc, H5P_DEFAULT) > 0 ? H5Gopen2(cg, esc, h5guard_gapl()) : H5I_INVALID_HID;
    free(esc);
    if (g < 0) return fail(m, SYNAPT_E_INPUT, gp, "missing stream group (listed in 'streams')");
    sattrs a;
    int rc = read_sattrs(m, &a, g, gp);
    synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
    if (!rc) {
        d.name = name;
        d.kind = synapt_kind_from_name(a.kind);
        d.dtype = strcmp(a.dtype, "none") ? synapt_dtype_from_name(a.dtype) : SYNAPT_DTYPE_NONE;
        d.ndim = (uint32_t)a.ndim;
        memcpy(d.shape, a.shape, sizeof d.shape);
        d.fps_num = a.fps[0];
        d.fps_den = a.fps[1];
        d.scale = a.scale;
        d.units = a.units;
        d.skeleton = *a.skeleton ? synapt_skeleton_from_name(a.skeleton) : 0;
        d.channels = channels_from_name(a.channels);
        if (!d.kind) rc = fail(m, SYNAPT_E_INPUT, gp, "unknown kind '%s'", a.kind);
        else if (strcmp(a.dtype, "none") && !d.dtype) rc = fail(m, SYNAPT_E_INPUT, gp, "unknown dtype '%s'", a.dtype);
        else if (*a.skeleton && !d.skeleton) rc = fail(m, SYNAPT_E_INPUT, gp, "unknown skeleton '%s'", a.skeleton);
        else if (d.channels < 0) rc = fail(m, SYNAPT_E_INPUT, gp, "unknown channels '%s'", a.channels);
    }
    if (!rc) {
        if (!strcmp(a.encoding, "array")) rc = import_array(m, g, gp, &a, &d);
        else if (!strcmp(a.encoding, "packets")) rc = import_packets(m, g, gp, &a, &d);
        else rc = fail(m, SYNAPT_E_INPUT, gp, "unknown encoding '%s'", a.encoding);
    }
    if (!rc) m->streams++;
    sattrs_free(&a);
    H5Gclose(g);
    return rc;
}

/* ---- clips and file ------------------------------------------------ */

static int import_clip(im *m, hid_t clips, const char *id)
{
    char cp[1100];
    char *esc = cli_escape_name(id);
    if (!esc) return fail(m, SYNAPT_E_NOMEM, NULL, "out of memory");
    snprintf(cp, sizeof cp, "/clips/%.1000s", esc);
    hid_t g = H5Lexists(clips, esc, H5P_DEFAULT) > 0 ? H5Gopen2(clips, esc, h5guard_gapl()) : H5I_INVALID_HID;
    free(esc);
    if (g < 0) return fail(m, SYNAPT_E_INPUT, cp, "missing clip group (listed in /clip_ids)");
    char *cid = NULL, *split = NULL, *source = NULL, *meta = NULL;
    char **keys = NULL, **vals = NULL, **streams = NULL;
    size_t nk = 0, nv = 0, ns = 0, nl = 0;
    int32_t syn = 0, *lab = NULL;
    const char **lnames = NULL;
    int rc;
    if ((rc = attr_str(m, &cid, g, cp, "id")) || (rc = attr_str(m, &split, g, cp, "split")) ||
        (rc = attr_str(m, &source, g, cp, "source")) || (rc = attr_str(m, &meta, g, cp, "meta_json")) ||
        (rc = attr_num(m, &syn, NULL, H5T_NATIVE_INT32, g, cp, "synthetic", -1, 0)) ||
        (rc = attr_strings(m, &keys, &nk, g, cp, "group_keys", 1)) ||
        (rc = attr_strings(m, &vals, &nv, g, cp, "group_values", 1)) ||
        (rc = attr_strings(m, &streams, &ns, g, cp, "streams", 1)))
        goto done;
    if (strcmp(cid, id) != 0) {
        rc = fail(m, SYNAPT_E_INPUT, cp, "attribute 'id' is '%s', /clip_ids says '%s'", cid, id);
        goto done;
    }
    if (nk != nv) {
        rc = fail(m, SYNAPT_E_INPUT, cp, "%zu group_keys but %zu group_values", nk, nv);
        goto done;
    }
    if (!(lab = malloc(65536 * sizeof *lab)) || !(lnames = malloc(65536 * sizeof *lnames))) {
        rc = fail(m, SYNAPT_E_NOMEM, cp, "out of memory");
        goto done;
    }
    if ((rc = attr_num(m, lab, &nl, H5T_NATIVE_INT32, g, cp, "labels", 0, 65536))) goto done;
    for (size_t i = 0; i < nl; i++) {
        if (lab[i] < 0 || (uint64_t)lab[i] >= m->label_count) {
            rc = fail(m, SYNAPT_E_INPUT, cp, "label id %" PRId32 " is not in /labels (%" PRIu64 " names)",
                      lab[i], m->label_count);
            goto done;
        }
        lnames[i] = m->labels[lab[i]];
    }
    synapt_clip_desc cd = SYNAPT_CLIP_DESC_INIT;
    cd.id = id;
    cd.labels = lnames;
    cd.label_count = nl;
    cd.split = split;
    cd.source = source;
    cd.synthetic = syn != 0;
    cd.group_keys = (const char *const *)keys;
    cd.group_values = (const char *const *)vals;
    cd.group_count = nk;
    cd.meta_json = meta;
    if ((rc = synapt_writer_begin_clip(m->w, &cd)) != 0) {
        rc = fail_writer(m, rc, cp);
        goto done;
    }
    for (size_t s = 0; s < ns && !rc; s++) rc = import_stream(m, g, cp, streams[s]);
    if (!rc && (rc = synapt_writer_end_clip(m->w)) != 0) rc = fail_writer(m, rc, cp);
done:
    free(cid);
    free(split);
    free(source);
    free(meta);
    free_strings(keys, nk);
    free_strings(vals, nv);
    free_strings(streams, ns);
    free(lab);
    free(lnames);
    H5Gclose(g);
    return rc;
}

int h5layout_import(h5layout_stats *stats, const char *h5_path, const char *out_path,
                    const synapt_writer_options *wopts, synapt_progress_fn progress,
                    void *progress_user, char *err, size_t errsz)
{
    im m;
    memset(&m, 0, sizeof m);
    m.f = H5I_INVALID_HID;
    m.path = h5_path;
    m.err = err;
    m.errsz = errsz;
    err[0] = 0;
    if (stats) memset(stats, 0, sizeof *stats);
    char why[400];
    if (h5dl_load(why, sizeof why)) return fail(&m, SYNAPT_E_UNSUPPORTED, NULL, "%s", why);
    h5c_quiet();
    struct stat si, so;
    if (stat(h5_path, &si) == 0 && stat(out_path, &so) == 0 && si.st_dev == so.st_dev &&
        si.st_ino == so.st_ino)
        return fail(&m, SYNAPT_E_INVALID_ARG, NULL, "is also the output; refusing to replace it");
    char **ids = NULL;
    uint64_t nids = 0;
    hid_t clips = H5I_INVALID_HID;
    int rc = 0;
    if (H5Fis_hdf5(h5_path) <= 0) {
        FILE *probe = fopen(h5_path, "rb");
        if (!probe) {
            rc = fail(&m, SYNAPT_E_IO, NULL, "cannot open");
            goto done;
        }
        fclose(probe);
        rc = fail(&m, SYNAPT_E_INPUT, NULL, "not an HDF5 file (or its superblock is damaged)");
        goto done;
    }
    if ((m.f = H5Fopen(h5_path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0) {
        rc = fail_h5(&m, NULL, "opening the HDF5 file (truncated or damaged?)");
        goto done;
    }
    int32_t version = 0;
    if (H5Aexists(m.f, "synapt_hdf5") <= 0) {
        rc = fail(&m, SYNAPT_E_INPUT, "/", "missing attribute 'synapt_hdf5': not a synapt HDF5 export");
        goto done;
    }
    if ((rc = attr_num(&m, &version, NULL, H5T_NATIVE_INT32, m.f, "/", "synapt_hdf5", -1, 0))) goto done;
    if (version != H5LAYOUT_VERSION) {
        rc = fail(&m, SYNAPT_E_INPUT, "/", "layout version %" PRId32 ", this build reads %d", version,
                  H5LAYOUT_VERSION);
        goto done;
    }
    if ((rc = read_string_table(&m, &m.labels, &m.label_count, "labels")) ||
        (rc = read_string_table(&m, &ids, &nids, "clip_ids")))
        goto done;
    if (H5Lexists(m.f, "clips", H5P_DEFAULT) <= 0 || (clips = H5Gopen2(m.f, "clips", h5guard_gapl())) < 0) {
        rc = fail(&m, SYNAPT_E_INPUT, "/clips", "missing group");
        goto done;
    }
    char werr[512] = "";
    if ((rc = synapt_writer_create(&m.w, out_path, wopts, werr, sizeof werr)) != 0) {
        rc = fail(&m, rc, NULL, "%s", werr[0] ? werr : synapt_strerror(rc));
        goto done;
    }
    /* /labels in order: frame-label values index it (spec/hdf5.md) */
    for (uint64_t i = 0; i < m.label_count && !rc; i++) {
        uint32_t id = 0;
        if ((rc = synapt_writer_add_label(&id, m.w, m.labels[i])) != 0)
            rc = fail_writer(&m, rc, "/labels");
        else if (id != i)
            rc = fail(&m, SYNAPT_E_INPUT, "/labels", "the name '%s' is listed twice", m.labels[i]);
    }
    for (uint64_t i = 0; i < nids && !rc; i++) {
        rc = import_clip(&m, clips, ids[i]);
        if (!rc && stats) stats->clips++;
        if (!rc && progress && progress(progress_user, i + 1, nids))
            rc = fail(&m, SYNAPT_E_IO, NULL, "stopped");
    }
    if (!rc) {
        synapt_writer *w = m.w;
        m.w = NULL;
        if ((rc = synapt_writer_close(w, werr, sizeof werr)) != 0)
            rc = fail(&m, rc, NULL, "%s", werr[0] ? werr : synapt_strerror(rc));
    }
    if (!rc && stats) {
        struct stat st;
        stats->frames = m.frames;
        stats->streams = m.streams;
        if (stat(out_path, &st) == 0) stats->bytes_written = (uint64_t)st.st_size;
    }
done:
    synapt_writer_abort(m.w);
    if (clips >= 0) H5Gclose(clips);
    if (m.f >= 0) H5Fclose(m.f);
    free_strings(m.labels, m.label_count);
    free_strings(ids, nids);
    free(m.buf);
    return rc;
}
