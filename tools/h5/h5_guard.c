/* h5_guard.c - keep an untrusted HDF5 file inside itself. HDF5 can be told
 * by the file to read bytes from elsewhere: a dataset with external raw
 * storage names plain files (H5Pset_external), a virtual dataset maps
 * datasets of other HDF5 files, an external link opens another file. A
 * sidecar or an import must never turn into a reader of /etc/passwd or of a
 * FIFO that blocks, so all three are refused. */
#include <hdf5.h>

#include "h5.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

/* chunked datasets with more chunks than this get only the total-size check */
#define GUARD_MAX_CHUNKS 4096

static hid_t guard_dapl = H5I_INVALID_HID, guard_gapl = H5I_INVALID_HID;
static pthread_once_t guard_once = PTHREAD_ONCE_INIT;

static herr_t refuse_elink(const char *parent_file, const char *parent_group,
                           const char *child_file, const char *child_object,
                           unsigned *acc_flags, hid_t fapl, void *user)
{
    (void)parent_file; (void)parent_group; (void)child_file; (void)child_object;
    (void)acc_flags; (void)fapl; (void)user;
    return -1;
}

/* dataset and group access lists both derive from the link access class,
 * so each carries the refusing callback */
static hid_t make_plist(hid_t cls)
{
    hid_t p = H5Pcreate(cls);
    if (p >= 0 && H5Pset_elink_cb(p, refuse_elink, NULL) < 0) {
        H5Pclose(p);
        p = H5I_INVALID_HID;
    }
    return p;
}

static void make_plists(void)
{
    guard_dapl = make_plist(H5P_DATASET_ACCESS);
    guard_gapl = make_plist(H5P_GROUP_ACCESS);
}

hid_t h5guard_dapl(void)
{
    pthread_once(&guard_once, make_plists);
    return guard_dapl;
}

hid_t h5guard_gapl(void)
{
    pthread_once(&guard_once, make_plists);
    return guard_gapl;
}

int h5guard_dataset(hid_t dset, const char *file, const char *name, char *err, size_t errsz)
{
    hid_t dcpl = H5Dget_create_plist(dset);
    if (dcpl < 0) {
        snprintf(err, errsz, "%s: dataset '%s': cannot read its storage properties", file, name);
        return SYNAPT_E_INPUT;
    }
    H5D_layout_t layout = H5Pget_layout(dcpl);
    int ext = H5Pget_external_count(dcpl);
    /* unfiltered chunks are stored at full chunk size; a file whose chunks
     * hold less than its chunk dims claim made libhdf5 1.10 memcpy past the
     * chunk buffer (heap overflow found by fuzz_imp_hdf5) */
    int short_chunks = 0;
    int nfilters = layout == H5D_CHUNKED ? H5Pget_nfilters(dcpl) : 0;
    if (layout == H5D_CHUNKED && nfilters != 0) {
        /* a chunk whose filter mask skips every filter is stored raw: the
         * same over-read when it is short (fuzz_imp_hdf5: a deflate dataset
         * with one 11-byte unfiltered chunk of 16) */
        unsigned all = nfilters < 0 || nfilters >= 32 ? ~0u : (1u << nfilters) - 1;
        hsize_t cd[H5S_MAX_RANK];
        int cr = H5Pget_chunk(dcpl, H5S_MAX_RANK, cd);
        hid_t sp = H5Dget_space(dset), ty = H5Dget_type(dset);
        hsize_t nch = 0, bytes = ty >= 0 ? H5Tget_size(ty) : 0;
        for (int i = 0; i < cr && bytes; i++)
            bytes = cd[i] && bytes > UINT64_MAX / cd[i] ? 0 : bytes * cd[i];
        short_chunks = nfilters < 0 || cr <= 0 || bytes == 0 || sp < 0 || H5Dget_num_chunks(dset, sp, &nch) < 0;
        for (hsize_t i = 0; !short_chunks && i < nch && nch <= GUARD_MAX_CHUNKS; i++) {
            hsize_t off[H5S_MAX_RANK], csize = 0;
            unsigned mask = 0;
            haddr_t addr;
            short_chunks = H5Dget_chunk_info(dset, sp, i, off, &mask, &addr, &csize) < 0 ||
                           ((mask & all) == all && csize < bytes);
        }
        if (sp >= 0) H5Sclose(sp);
        if (ty >= 0) H5Tclose(ty);
    } else if (layout == H5D_CHUNKED) {
        hsize_t cd[H5S_MAX_RANK];
        int cr = H5Pget_chunk(dcpl, H5S_MAX_RANK, cd);
        hid_t sp = H5Dget_space(dset), ty = H5Dget_type(dset);
        hsize_t nch = 0, bytes = ty >= 0 ? H5Tget_size(ty) : 0;
        for (int i = 0; i < cr && bytes; i++)
            bytes = cd[i] && bytes > UINT64_MAX / cd[i] ? 0 : bytes * cd[i];
        short_chunks = cr <= 0 || bytes == 0 || sp < 0 || H5Dget_num_chunks(dset, sp, &nch) < 0 ||
                       (nch && bytes > UINT64_MAX / nch) ||
                       (hsize_t)H5Dget_storage_size(dset) < nch * bytes;
        /* the total can be right while one chunk is short and another
         * long (heap over-read in H5VM_memcpyvv, found by fuzz_imp_hdf5):
         * each chunk is asked too. Every query walks the chunk index, so
         * past GUARD_MAX_CHUNKS the sandboxed dry run stands alone. */
        for (hsize_t i = 0; !short_chunks && i < nch && nch <= GUARD_MAX_CHUNKS; i++) {
            hsize_t off[H5S_MAX_RANK], csize = 0;
            unsigned mask = 0;
            haddr_t addr;
            short_chunks = H5Dget_chunk_info(dset, sp, i, off, &mask, &addr, &csize) < 0 || csize < bytes;
        }
        if (sp >= 0) H5Sclose(sp);
        if (ty >= 0) H5Tclose(ty);
    }
    H5Pclose(dcpl);
    /* a compact dataset keeps its bytes in the object header; one whose
     * header holds fewer than the dataspace needs made libhdf5 1.10 memcpy
     * past its buffer (heap overflow found by fuzz_imp_hdf5) */
    int short_compact = 0;
    if (layout == H5D_COMPACT) {
        hid_t sp = H5Dget_space(dset), ty = H5Dget_type(dset);
        hssize_t np = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
        size_t tsz = ty >= 0 ? H5Tget_size(ty) : 0;
        short_compact = np < 0 || tsz == 0 ||
                        (hsize_t)H5Dget_storage_size(dset) < (hsize_t)np * tsz;
        if (sp >= 0) H5Sclose(sp);
        if (ty >= 0) H5Tclose(ty);
    }
    /* a number's bytes as its type claims them: a float type of 50 MB
     * per element made libhdf5's conversion read past its buffer
     * (fuzz_imp_hdf5); integers and floats of 1, 2, 4 or 8 bytes only */
    int odd_type = 0;
    hid_t ty = H5Dget_type(dset);
    H5T_class_t cls = ty >= 0 ? H5Tget_class(ty) : H5T_NO_CLASS;
    if (cls == H5T_INTEGER || cls == H5T_FLOAT) {
        size_t tsz = H5Tget_size(ty), prec = H5Tget_precision(ty);
        int off = H5Tget_offset(ty);
        odd_type = (tsz != 1 && tsz != 2 && tsz != 4 && tsz != 8) || prec == 0 || off < 0 ||
                   prec + (size_t)off > 8 * tsz;
    }
    if (ty >= 0) H5Tclose(ty);
    const char *why = layout == H5D_VIRTUAL ? "is a virtual dataset (its data lives in other files)"
                    : ext != 0 ? "keeps its data in external files (H5Pset_external)"
                    : layout < 0 ? "has an unreadable storage layout"
                    : short_compact ? "is compact but holds fewer bytes than its shape needs"
                    : short_chunks ? "has chunks smaller than its chunk shape needs"
                    : odd_type ? "has a numeric type whose size or bit layout no machine number has" : NULL;
    if (!why)
        return 0;
    snprintf(err, errsz, "%s: dataset '%s' %s; refused%s", file, name, why,
             short_compact || short_chunks || odd_type || layout < 0 ? ""
             : ": only data stored inside the file is read");
    return SYNAPT_E_INPUT;
}
