/* h5_common.c - pieces shared by the HDF5 layout writer and reader: object
 * names, HDF5 error text, synapt dtypes as HDF5 types, attributes. */
#define H5LAYOUT_INTERNAL
#include "h5.h"

#include <stdlib.h>
#include <string.h>

void h5c_quiet(void)
{
    /* the tool reports failures itself, in one line; HDF5's default is a
     * multi-line stack dump on stderr */
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

typedef struct reason_buf {
    char *buf;
    size_t cap;
} reason_buf;

static herr_t take_reason(unsigned n, const H5E_error2_t *e, void *user)
{
    reason_buf *rb = user;
    /* walking upward, the first entry is the innermost: the actual cause */
    if (n == 0 && e->desc) snprintf(rb->buf, rb->cap, "%s", e->desc);
    return 0;
}

const char *h5c_reason(char *buf, size_t cap)
{
    reason_buf rb = { buf, cap };
    buf[0] = 0;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, take_reason, &rb);
    H5Eclear2(H5E_DEFAULT);
    return buf;
}

static hid_t predefined(int dtype)
{
    switch (dtype) {
    case SYNAPT_DTYPE_U8: return H5T_STD_U8LE;
    case SYNAPT_DTYPE_I8: return H5T_STD_I8LE;
    case SYNAPT_DTYPE_U16: return H5T_STD_U16LE;
    case SYNAPT_DTYPE_I16: return H5T_STD_I16LE;
    case SYNAPT_DTYPE_U32: return H5T_STD_U32LE;
    case SYNAPT_DTYPE_I32: return H5T_STD_I32LE;
    case SYNAPT_DTYPE_U64: return H5T_STD_U64LE;
    case SYNAPT_DTYPE_I64: return H5T_STD_I64LE;
    case SYNAPT_DTYPE_F32: case SYNAPT_DTYPE_F16: return H5T_IEEE_F32LE;
    case SYNAPT_DTYPE_F64: return H5T_IEEE_F64LE;
    default: return H5I_INVALID_HID;
    }
}

hid_t h5c_type(int dtype)
{
    hid_t p = predefined(dtype);
    if (p < 0) return H5I_INVALID_HID;
    hid_t t = H5Tcopy(p);
    if (t < 0 || dtype != SYNAPT_DTYPE_F16) return t;
    /* HDF5 1.10 has no predefined half type; this is the IEEE binary16
     * layout that h5py maps to numpy float16 */
    if (H5Tset_fields(t, 15, 10, 5, 0, 10) < 0 || H5Tset_size(t, 2) < 0 ||
        H5Tset_ebias(t, 15) < 0) {
        H5Tclose(t);
        return H5I_INVALID_HID;
    }
    return t;
}

hid_t h5c_str_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0) return t;
    if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return H5I_INVALID_HID;
    }
    return t;
}

static int write_attr(hid_t obj, const char *name, hid_t type, hid_t space, const void *v)
{
    hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) return -1;
    herr_t rc = H5Awrite(a, type, v);
    H5Aclose(a);
    return rc < 0 ? -1 : 0;
}

int h5c_attr_strs(hid_t obj, const char *name, const char *const *v, size_t n)
{
    hsize_t dim = n;
    hid_t t = h5c_str_type(), s = H5Screate_simple(1, &dim, NULL);
    /* H5Awrite wants an array even for n == 0 */
    const char *none = "";
    int rc = (t < 0 || s < 0) ? -1 : write_attr(obj, name, t, s, n ? (const void *)v : (const void *)&none);
    if (s >= 0) H5Sclose(s);
    if (t >= 0) H5Tclose(t);
    return rc;
}

int h5c_attr_str(hid_t obj, const char *name, const char *v)
{
    hid_t t = h5c_str_type(), s = H5Screate(H5S_SCALAR);
    int rc = (t < 0 || s < 0) ? -1 : write_attr(obj, name, t, s, &v);
    if (s >= 0) H5Sclose(s);
    if (t >= 0) H5Tclose(t);
    return rc;
}

int h5c_attr_num(hid_t obj, const char *name, hid_t type, const void *v, size_t n, int list)
{
    hsize_t dim = n;
    hid_t s = list ? H5Screate_simple(1, &dim, NULL) : H5Screate(H5S_SCALAR);
    uint64_t zero = 0;
    int rc = s < 0 ? -1 : write_attr(obj, name, type, s, n ? v : &zero);
    if (s >= 0) H5Sclose(s);
    return rc;
}
