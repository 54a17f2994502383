/* sidecar_arrays.c - array sidecars: .npz members and HDF5 datasets read
 * as floats, the lock that serialises every HDF5 call (the Debian libhdf5
 * is built without thread safety), and the sandboxed dry run every HDF5
 * sidecar goes through before libhdf5 reads it in this process. */
#include "import.h"
#include "npy/npy.h"
#include <cJSON.h>
#include <dirent.h>
#include <hdf5.h>
#include "h5/h5.h"
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static pthread_mutex_t h5_lock = PTHREAD_MUTEX_INITIALIZER;
/* how deep this thread is inside enter/leave: the sandbox forks while
 * holding the lock (so no other thread is half-way through libhdf5), and
 * the child, whose only thread is the forking one, inherits depth 1 and
 * goes on without taking the copied, locked mutex */
static _Thread_local int h5_depth;

void import_h5_enter(void)
{
    if (h5_depth++ == 0)
        pthread_mutex_lock(&h5_lock);
    /* loaded by import_h5_sandboxed, which comes first for every file;
     * a failed load leaves the table empty and every caller fails before
     * reaching HDF5 */
    if (h5dl_load(NULL, 0) == 0)
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

void import_h5_leave(void)
{
    if (--h5_depth == 0)
        pthread_mutex_unlock(&h5_lock);
}

int import_h5_sandboxed(cli_sandbox_fn fn, void *arg, const char *path, char *err, size_t errsz)
{
    /* libhdf5 loaded here, before the fork, so the child inherits it */
    char why[400];
    if (h5dl_load(why, sizeof why)) {
        import_errf(err, errsz, path, 0, "%s", why);
        return SYNAPT_E_UNSUPPORTED;
    }
    import_h5_enter();
    int rc = cli_sandboxed(fn, arg, path, "HDF5", err, errsz);
    import_h5_leave();
    return rc;
}

static int read_floats(float **out, unsigned *ndim, uint64_t *shape, const char *file,
                       const char *dset, char *err, size_t errsz)
{
    int rc = 0;
    hid_t f = -1, d = -1, s = -1;
    import_h5_enter();
    f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        import_errf(err, errsz, file, 0, "cannot open as HDF5");
        rc = SYNAPT_E_INPUT;
        goto done;
    }
    d = H5Dopen2(f, dset, h5guard_dapl());
    if (d < 0) {
        import_errf(err, errsz, file, 0, "no dataset '%s' (external links are not followed)", dset);
        rc = SYNAPT_E_NOT_FOUND;
        goto done;
    }
    if ((rc = h5guard_dataset(d, file, dset, err, errsz)))
        goto done;
    s = H5Dget_space(d);
    int nd = s >= 0 ? H5Sget_simple_extent_ndims(s) : -1;
    if (nd < 1 || nd > 4) {
        import_errf(err, errsz, file, 0, "dataset '%s' must have 1 to 4 dimensions", dset);
        rc = SYNAPT_E_INPUT;
        goto done;
    }
    hsize_t dims[4];
    H5Sget_simple_extent_dims(s, dims, NULL);
    uint64_t n = 1;
    for (int i = 0; i < nd; i++) {
        if (dims[i] > IMPORT_MAX_POSE_FLOATS || (n *= dims[i]) > IMPORT_MAX_POSE_FLOATS) {
            import_errf(err, errsz, file, 0, "dataset '%s' too large", dset);
            rc = SYNAPT_E_LIMIT;
            goto done;
        }
        shape[i] = dims[i];
    }
    *ndim = (unsigned)nd;
    hid_t t = H5Dget_type(d);
    H5T_class_t cls = H5Tget_class(t);
    H5Tclose(t);
    if (cls != H5T_INTEGER && cls != H5T_FLOAT) {
        import_errf(err, errsz, file, 0, "dataset '%s' is not numeric", dset);
        rc = SYNAPT_E_INPUT;
        goto done;
    }
    *out = malloc((n ? n : 1) * sizeof **out);
    if (!*out) {
        import_errf(err, errsz, file, 0, "out of memory for the %" PRIu64 " values of dataset '%s'", n, dset);
        rc = SYNAPT_E_NOMEM;
        goto done;
    }
    if (n && H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, *out) < 0) {
        free(*out);
        *out = NULL;
        import_errf(err, errsz, file, 0, "reading dataset '%s' failed", dset);
        rc = SYNAPT_E_INPUT;
    }
done:
    if (s >= 0)
        H5Sclose(s);
    if (d >= 0)
        H5Dclose(d);
    if (f >= 0)
        H5Fclose(f);
    import_h5_leave();
    return rc;
}

typedef struct floats_job {
    const char *file, *dset;
} floats_job;

static int floats_dry_run(void *arg, char *err, size_t errsz)
{
    floats_job *j = arg;
    float *v = NULL;
    unsigned nd;
    uint64_t shape[4];
    int rc = read_floats(&v, &nd, shape, j->file, j->dset, err, errsz);
    free(v);
    return rc;
}

int import_h5_read_floats(float **out, unsigned *ndim, uint64_t *shape, const char *file,
                          const char *dset, char *err, size_t errsz)
{
    int rc;
    *out = NULL;
    if ((rc = import_check_regular(file, err, errsz)))
        return rc;
    floats_job j = { file, dset };
    if ((rc = import_h5_sandboxed(floats_dry_run, &j, file, err, errsz)))
        return rc;
    return read_floats(out, ndim, shape, file, dset, err, errsz);
}

int import_npz_read(npy_array *a, const char *path, const char *key, char *err, size_t errsz)
{
    npz_archive *z = NULL;
    int rc = npz_open(&z, path, 0, err, errsz);
    if (rc)
        return rc;
    if (!key || !*key) {
        if (npz_count(z) != 1) {
            char keys[512];
            size_t k = 0;
            keys[0] = 0;
            for (size_t i = 0; i < npz_count(z) && k < sizeof keys - 64; i++)
                k += (size_t)snprintf(keys + k, sizeof keys - k, "%s%s", i ? ", " : "", npz_key(z, i));
            import_errf(err, errsz, path, 0, "holds %zu arrays (%s): name one as %s:KEY",
                        npz_count(z), keys, path);
            npz_close(z);
            return SYNAPT_E_INPUT;
        }
        key = npz_key(z, 0);
    }
    rc = npz_read(a, z, key, err, errsz);
    npz_close(z);
    return rc;
}
