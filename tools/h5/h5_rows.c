/* h5_rows.c: per-row float vectors from an HDF5 file that some other
 * program wrote (features, embeddings), read with every size checked
 * before it is allocated. */
#define H5LAYOUT_INTERNAL
#include "h5.h"
#include "cli/cli.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void h5_rows_free(h5_rows *r)
{
    if (!r) return;
    free(r->data);
    if (r->keys) for (uint64_t i = 0; i < r->rows; i++) free(r->keys[i]);
    free(r->keys);
    memset(r, 0, sizeof *r);
}

/* "%2F" and friends back to the bytes cli_escape_name() replaced */
static char *unescape(const char *s)
{
    size_t n = strlen(s);
    char *o = malloc(n + 1), *p = o;
    if (!o) return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
            isxdigit((unsigned char)s[i + 2])) {
            char hex[3] = { s[i + 1], s[i + 2], 0 };
            *p++ = (char)strtoul(hex, NULL, 16);
            i += 2;
        } else *p++ = s[i];
    }
    *p = 0;
    return o;
}

/* a numeric dataset of rank `rank` whose element count fits the cap */
static int numeric(hid_t d, int rank, hsize_t *dims, char *why, size_t cap)
{
    hid_t t = H5Dget_type(d), sp = H5Dget_space(d);
    int ok = 0;
    H5T_class_t cls = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    int r = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    if (cls != H5T_FLOAT && cls != H5T_INTEGER) snprintf(why, cap, "not a numeric dataset");
    else if (r != rank) snprintf(why, cap, "%d dimensions, expected %d", r, rank);
    else if (H5Sget_simple_extent_dims(sp, dims, NULL) != rank) snprintf(why, cap, "unreadable shape");
    else ok = 1;
    if (t >= 0) H5Tclose(t);
    if (sp >= 0) H5Sclose(sp);
    return ok;
}

typedef struct walk {
    hid_t group;
    h5_rows *out;
    uint64_t cap_rows, max_bytes;
    char *err; size_t errsz;
    const char *path, *object;
    int failed;
} walk;

static herr_t visit(hid_t g, const char *name, const H5L_info_t *info, void *user)
{
    walk *w = user;
    (void)info;
    char why[128];
    hsize_t dims[1];
    hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
    if (d < 0 || !numeric(d, 1, dims, why, sizeof why)) {
        if (d >= 0) H5Dclose(d);
        else snprintf(why, sizeof why, "not a dataset");
        snprintf(w->err, w->errsz, "%s: %s/%s: %s", w->path, w->object, name, why);
        w->failed = 1;
        return -1;
    }
    h5_rows *o = w->out;
    if (o->rows == 0) {
        if (dims[0] == 0 || dims[0] > H5_ROWS_MAX_DIMS) {
            snprintf(w->err, w->errsz, "%s: %s/%s: %llu values a row (1..%u allowed)", w->path,
                     w->object, name, (unsigned long long)dims[0], H5_ROWS_MAX_DIMS);
            goto fail;
        }
        o->dims = (uint32_t)dims[0];
    } else if (dims[0] != o->dims) {
        snprintf(w->err, w->errsz, "%s: %s/%s: %llu values, the first row has %u", w->path,
                 w->object, name, (unsigned long long)dims[0], o->dims);
        goto fail;
    }
    if ((o->rows + 1) * o->dims * sizeof(float) > w->max_bytes) {
        snprintf(w->err, w->errsz, "%s: %s: more than %llu bytes of rows", w->path, w->object,
                 (unsigned long long)w->max_bytes);
        goto fail;
    }
    if (o->rows == w->cap_rows) {
        uint64_t cap = w->cap_rows ? w->cap_rows * 2 : 1024;
        float *nd = realloc(o->data, cap * o->dims * sizeof *nd);
        char **nk = nd ? realloc(o->keys, cap * sizeof *nk) : NULL;
        if (nd) o->data = nd;
        if (!nk) { snprintf(w->err, w->errsz, "%s: out of memory", w->path); goto fail; }
        o->keys = nk;
        w->cap_rows = cap;
    }
    o->keys[o->rows] = unescape(name);
    if (!o->keys[o->rows]) { snprintf(w->err, w->errsz, "%s: out of memory", w->path); goto fail; }
    if (H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, o->data + o->rows * o->dims) < 0) {
        char r[256];
        snprintf(w->err, w->errsz, "%s: %s/%s: %s", w->path, w->object, name, h5c_reason(r, sizeof r));
        free(o->keys[o->rows]);
        goto fail;
    }
    o->rows++;
    H5Dclose(d);
    return 0;
fail:
    H5Dclose(d);
    w->failed = 1;
    return -1;
}

int h5_rows_read(h5_rows *out, const char *path, const char *object, uint64_t max_bytes,
                 char *err, size_t errsz)
{
    memset(out, 0, sizeof *out);
    char lw[400];
    if (h5dl_load(lw, sizeof lw)) {
        snprintf(err, errsz, "%s: %s", path, lw);
        return SYNAPT_E_UNSUPPORTED;
    }
    h5c_quiet();
    char why[256];
    int ret = SYNAPT_E_INPUT;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT), o = -1;
    if (f < 0) {
        snprintf(err, errsz, "%s: not an HDF5 file that can be opened: %s", path, h5c_reason(why, sizeof why));
        return SYNAPT_E_IO;
    }
    H5O_info_t oi;
    if (H5Lexists(f, object, H5P_DEFAULT) <= 0 || (o = H5Oopen(f, object, H5P_DEFAULT)) < 0 ||
        H5Oget_info2(o, &oi, H5O_INFO_BASIC) < 0) {
        snprintf(err, errsz, "%s: no object '%s'", path, object);
        goto done;
    }
    if (oi.type == H5O_TYPE_DATASET) {
        hsize_t dims[2];
        if (!numeric(o, 2, dims, why, sizeof why)) {
            snprintf(err, errsz, "%s: %s: %s (rows x values)", path, object, why);
            goto done;
        }
        if (dims[1] == 0 || dims[1] > H5_ROWS_MAX_DIMS) {
            snprintf(err, errsz, "%s: %s: %llu values a row (1..%u allowed)", path, object,
                     (unsigned long long)dims[1], H5_ROWS_MAX_DIMS);
            goto done;
        }
        if (dims[0] > max_bytes / sizeof(float) / dims[1]) {
            snprintf(err, errsz, "%s: %s: %llu x %llu values, more than %llu bytes", path, object,
                     (unsigned long long)dims[0], (unsigned long long)dims[1],
                     (unsigned long long)max_bytes);
            ret = SYNAPT_E_LIMIT;
            goto done;
        }
        out->rows = dims[0];
        out->dims = (uint32_t)dims[1];
        out->data = malloc(dims[0] * dims[1] * sizeof(float) + 1);
        if (!out->data) {
            snprintf(err, errsz, "%s: out of memory", path);
            ret = SYNAPT_E_NOMEM;
            goto done;
        }
        if (H5Dread(o, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out->data) < 0) {
            snprintf(err, errsz, "%s: %s: %s", path, object, h5c_reason(why, sizeof why));
            goto done;
        }
        ret = 0;
    } else if (oi.type == H5O_TYPE_GROUP) {
        walk w = { o, out, 0, max_bytes, err, errsz, path, object, 0 };
        /* name order: the same rows whatever order the writer created them in */
        if (H5Literate(o, H5_INDEX_NAME, H5_ITER_INC, NULL, visit, &w) < 0 || w.failed) {
            if (!w.failed) snprintf(err, errsz, "%s: %s: %s", path, object, h5c_reason(why, sizeof why));
            goto done;
        }
        if (!out->rows) {
            snprintf(err, errsz, "%s: %s: an empty group", path, object);
            goto done;
        }
        ret = 0;
    } else {
        snprintf(err, errsz, "%s: %s is neither a dataset nor a group", path, object);
    }
done:
    if (ret != 0) h5_rows_free(out);
    if (o >= 0) H5Oclose(o);
    H5Fclose(f);
    return ret;
}
