/* audit_embed.c: per-clip embeddings the user brings (a .npy array, or an
 * HDF5 dataset or group), matched to the audit's clips by clip id or by
 * order, for the static-bias and domain-gap checks. Everything in them is
 * untrusted: shapes, counts and values are checked before use. */
#include "audit.h"
#include "cli/cli.h"
#include "h5/h5.h"
#include "npy/npy.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(**(char *const *const *)a, **(char *const *const *)b);
}

/* ids of the rows: a text file (one id a line) or a .npy array of strings */
static int read_ids(char ***out, uint64_t *count, const char *path, char *err, size_t errsz)
{
    *out = NULL;
    *count = 0;
    char **v = NULL;
    uint64_t n = 0, cap = 0;
    if (ends_with(path, ".npy")) {
        npy_array a;
        char e[512];
        if (npy_read_file(&a, path, AUDIT_MAX_EMB_BYTES, e, sizeof e) != 0) {
            snprintf(err, errsz, "%s", e);
            return -1;
        }
        if ((a.kind != 'S' && a.kind != 'U') || a.ndim != 1) {
            snprintf(err, errsz, "%s: clip ids must be a 1-D array of strings", path);
            npy_array_free(&a);
            return -1;
        }
        v = calloc(a.count ? a.count : 1, sizeof *v);
        for (uint64_t i = 0; v && i < a.count; i++) {
            char buf[4096];
            if (npy_array_get_str(buf, sizeof buf, &a, i) != 0 || !(v[i] = strdup(buf))) {
                snprintf(err, errsz, "%s: id %llu is not a readable string", path, (unsigned long long)i);
                for (uint64_t j = 0; j < i; j++) free(v[j]);
                free(v);
                npy_array_free(&a);
                return -1;
            }
        }
        n = a.count;
        npy_array_free(&a);
        if (!v) { snprintf(err, errsz, "%s: out of memory", path); return -1; }
        *out = v;
        *count = n;
        return 0;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errsz, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[4096];
    uint64_t lineno = 0;
    int ret = -1;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            snprintf(err, errsz, "%s:%llu: line longer than %zu bytes", path,
                     (unsigned long long)lineno, sizeof line - 2);
            goto done;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            char **nv = realloc(v, cap * sizeof *nv);
            if (!nv) { snprintf(err, errsz, "%s: out of memory", path); goto done; }
            v = nv;
        }
        if (!(v[n] = strdup(line))) { snprintf(err, errsz, "%s: out of memory", path); goto done; }
        n++;
    }
    if (ferror(f)) { snprintf(err, errsz, "%s: read error", path); goto done; }
    ret = 0;
done:
    fclose(f);
    if (ret != 0) {
        for (uint64_t i = 0; i < n; i++) free(v[i]);
        free(v);
        return -1;
    }
    *out = v;
    *count = n;
    return 0;
}

typedef struct h5_dry {
    const char *path, *object;
} h5_dry;

/* the whole read in the sandboxed child: libhdf5 on an untrusted file */
static int h5_dry_run(void *arg, char *err, size_t errsz)
{
    const h5_dry *d = arg;
    h5_rows rows;
    memset(&rows, 0, sizeof rows);
    int rc = h5_rows_read(&rows, d->path, d->object, AUDIT_MAX_EMB_BYTES, err, errsz);
    h5_rows_free(&rows);
    return rc;
}

/* the rows as floats: .npy (any numeric dtype) or HDF5. libhdf5 can crash,
 * leak or spin on a damaged file, so the HDF5 read runs first in a
 * sandboxed child (cli_sandboxed): a hostile file is one error line. */
static int read_rows(h5_rows *rows, const char *path, const char *object, char *err, size_t errsz)
{
    memset(rows, 0, sizeof *rows);
    if (!ends_with(path, ".npy")) {
        h5_dry d = { path, object ? object : "embeddings" };
        /* libhdf5 loaded before the fork, so the child inherits it */
        char why[400];
        if (h5dl_load(why, sizeof why)) {
            snprintf(err, errsz, "%s: %s", path, why);
            return -1;
        }
        if (cli_sandboxed(h5_dry_run, &d, path, "HDF5", err, errsz) != 0)
            return -1;
        return h5_rows_read(rows, path, d.object, AUDIT_MAX_EMB_BYTES, err, errsz) == 0 ? 0 : -1;
    }
    npy_array a;
    char e[512];
    if (npy_read_file(&a, path, AUDIT_MAX_EMB_BYTES, e, sizeof e) != 0) {
        snprintf(err, errsz, "%s", e);
        return -1;
    }
    int ret = -1;
    if (a.kind != 'f' && a.kind != 'i' && a.kind != 'u') {
        snprintf(err, errsz, "%s: embeddings must be numbers, not %s", path,
                 a.kind == 'b' ? "booleans" : "strings");
        goto done;
    }
    if (a.ndim != 2 || a.shape[1] == 0 || a.shape[1] > AUDIT_MAX_EMB_DIM) {
        snprintf(err, errsz, "%s: embeddings must be a 2-D array of clips x 1..%u values (shape has "
                 "%u dimensions%s)", path, AUDIT_MAX_EMB_DIM, a.ndim,
                 a.ndim == 2 ? ", a row is empty or too long" : "");
        goto done;
    }
    rows->rows = a.shape[0];
    rows->dims = (uint32_t)a.shape[1];
    rows->data = malloc(a.count * sizeof(float) + 1);
    if (!rows->data) { snprintf(err, errsz, "%s: out of memory", path); goto done; }
    for (uint64_t i = 0; i < a.count; i++) {
        double v = 0;
        npy_array_get_f64(&v, &a, i);
        rows->data[i] = (float)v;
    }
    ret = 0;
done:
    npy_array_free(&a);
    if (ret != 0) h5_rows_free(rows);
    return ret;
}

int audit_embed_load(audit_dataset *ds, const char *path, const char *object, const char *ids_path,
                     uint64_t *missing, char *err, size_t errsz)
{
    h5_rows rows;
    char **ids = NULL;
    uint64_t nids = 0;
    char ***order = NULL;
    int ret = -1;
    *missing = 0;
    if (read_rows(&rows, path, object, err, errsz) != 0) return -1;
    if (rows.dims > AUDIT_MAX_EMB_DIM) {
        snprintf(err, errsz, "%s: %u values a row (at most %u)", path, rows.dims, AUDIT_MAX_EMB_DIM);
        goto done;
    }
    if (rows.keys && ids_path) {
        snprintf(err, errsz, "%s: the rows are keyed by the group's member names; no ids file "
                 "with them", path);
        goto done;
    }
    if (ids_path) {
        if (read_ids(&ids, &nids, ids_path, err, errsz) != 0) goto done;
        if (nids != rows.rows) {
            snprintf(err, errsz, "%s: %llu ids for %llu embedding rows of %s", ids_path,
                     (unsigned long long)nids, (unsigned long long)rows.rows, path);
            goto done;
        }
    } else if (rows.keys) {
        ids = rows.keys;
        nids = rows.rows;
        rows.keys = NULL;
    }
    for (uint64_t i = 0; i < rows.rows * rows.dims; i++)
        if (!isfinite(rows.data[i])) {
            uint64_t r = i / rows.dims;
            snprintf(err, errsz, "%s: row %llu%s%s%s: value %llu is not a finite number", path,
                     (unsigned long long)r, ids ? " (clip " : "", ids ? ids[r] : "", ids ? ")" : "",
                     (unsigned long long)(i % rows.dims));
            goto done;
        }
    for (size_t c = 0; c < ds->n; c++) {
        free(ds->clips[c].emb);
        ds->clips[c].emb = NULL;
    }
    if (!ids) {
        if (rows.rows != ds->n) {
            snprintf(err, errsz, "%s: %llu rows for the %zu clips of the audit (rows follow the "
                     "audit's clip order unless ids are given)", path, (unsigned long long)rows.rows,
                     ds->n);
            goto done;
        }
        for (size_t c = 0; c < ds->n; c++) {
            float *e = malloc(rows.dims * sizeof *e);
            if (!e) { snprintf(err, errsz, "out of memory"); goto done; }
            memcpy(e, rows.data + c * rows.dims, rows.dims * sizeof *e);
            ds->clips[c].emb = e;
        }
    } else {
        /* sorted pointers to the ids: a clip finds its row by binary search */
        order = malloc((nids ? nids : 1) * sizeof *order);
        if (!order) { snprintf(err, errsz, "out of memory"); goto done; }
        for (uint64_t i = 0; i < nids; i++) order[i] = &ids[i];
        qsort(order, nids, sizeof *order, cmp_key);
        for (uint64_t i = 1; i < nids; i++)
            if (strcmp(*order[i - 1], *order[i]) == 0) {
                snprintf(err, errsz, "%s: clip id '%s' has two rows", ids_path ? ids_path : path, *order[i]);
                goto done;
            }
        uint64_t found = 0;
        for (size_t c = 0; c < ds->n; c++) {
            char *key = ds->clips[c].id, **kp = &key;
            char ***hit = bsearch(&kp, order, nids, sizeof *order, cmp_key);
            if (!hit) { (*missing)++; continue; }
            uint64_t r = (uint64_t)(*hit - ids);
            float *e = malloc(rows.dims * sizeof *e);
            if (!e) { snprintf(err, errsz, "out of memory"); goto done; }
            memcpy(e, rows.data + r * rows.dims, rows.dims * sizeof *e);
            ds->clips[c].emb = e;
            found++;
        }
        if (!found && ds->n) {
            snprintf(err, errsz, "%s: no clip of the audit has a row (ids such as '%s' match none)",
                     ids_path ? ids_path : path, nids ? ids[0] : "");
            goto done;
        }
    }
    char src[1200];
    if (!ends_with(path, ".npy"))
        snprintf(src, sizeof src, "%s:%s", path, object ? object : "embeddings");
    else
        snprintf(src, sizeof src, "%s", path);
    free(ds->emb_source);
    if (!(ds->emb_source = strdup(src))) { snprintf(err, errsz, "out of memory"); goto done; }
    ds->emb_dim = rows.dims;
    ret = 0;
done:
    if (ret != 0)
        for (size_t c = 0; c < ds->n; c++) {
            free(ds->clips[c].emb);
            ds->clips[c].emb = NULL;
        }
    if (ids) for (uint64_t i = 0; i < nids; i++) free(ids[i]);
    free(ids);
    free(order);
    h5_rows_free(&rows);
    return ret;
}
