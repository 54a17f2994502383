/* npy_array.c - element access on a loaded npy_array (see npy.h): values
 * converted to double, int64 or text whatever the stored dtype, so callers
 * need not switch on it; and freeing. Reading lives in npy.c. */
#include "npy.h"
#include "synapt.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void npy_array_free(npy_array *a)
{
    if (!a) return;
    free(a->data);
    memset(a, 0, sizeof *a);
}

static double half_to_double(uint16_t h)
{
    int e = (h >> 10) & 0x1F, m = h & 0x3FF;
    double s = (h & 0x8000) ? -1.0 : 1.0;
    if (e == 0) return s * ldexp(m, -24);
    if (e == 31) return m ? NAN : s * INFINITY;
    return s * ldexp(m + 1024, e - 25);
}

int npy_array_get_f64(double *out, const npy_array *a, uint64_t i)
{
    if (!a || i >= a->count) return SYNAPT_E_RANGE;
    const uint8_t *p = (const uint8_t *)a->data + i * a->elem_size;
    switch (a->kind == 'b' ? -1 : a->dtype) {
    case -1: *out = *p ? 1.0 : 0.0; return 0;
    case SYNAPT_DTYPE_U8: *out = *p; return 0;
    case SYNAPT_DTYPE_I8: *out = (int8_t)*p; return 0;
    case SYNAPT_DTYPE_U16: { uint16_t v; memcpy(&v, p, 2); *out = v; return 0; }
    case SYNAPT_DTYPE_I16: { int16_t v; memcpy(&v, p, 2); *out = v; return 0; }
    case SYNAPT_DTYPE_U32: { uint32_t v; memcpy(&v, p, 4); *out = v; return 0; }
    case SYNAPT_DTYPE_I32: { int32_t v; memcpy(&v, p, 4); *out = v; return 0; }
    case SYNAPT_DTYPE_U64: { uint64_t v; memcpy(&v, p, 8); *out = (double)v; return 0; }
    case SYNAPT_DTYPE_I64: { int64_t v; memcpy(&v, p, 8); *out = (double)v; return 0; }
    case SYNAPT_DTYPE_F16: { uint16_t v; memcpy(&v, p, 2); *out = half_to_double(v); return 0; }
    case SYNAPT_DTYPE_F32: { float v; memcpy(&v, p, 4); *out = v; return 0; }
    case SYNAPT_DTYPE_F64: { double v; memcpy(&v, p, 8); *out = v; return 0; }
    default: return SYNAPT_E_INVALID_ARG;
    }
}

int npy_array_get_i64(int64_t *out, const npy_array *a, uint64_t i)
{
    if (!a || i >= a->count) return SYNAPT_E_RANGE;
    const uint8_t *p = (const uint8_t *)a->data + i * a->elem_size;
    if (a->dtype == SYNAPT_DTYPE_U64) {
        uint64_t v;
        memcpy(&v, p, 8);
        if (v > INT64_MAX) return SYNAPT_E_INPUT;
        *out = (int64_t)v;
        return 0;
    }
    if (a->dtype == SYNAPT_DTYPE_I64) { memcpy(out, p, 8); return 0; }
    double d;
    int rc = npy_array_get_f64(&d, a, i);
    if (rc) return rc;
    if (!(d >= -9007199254740992.0 && d <= 9007199254740992.0) || d != floor(d))
        return SYNAPT_E_INPUT;
    *out = (int64_t)d;
    return 0;
}

int npy_array_get_str(char *buf, size_t cap, const npy_array *a, uint64_t i)
{
    if (!buf || !cap) return SYNAPT_E_INVALID_ARG;
    buf[0] = 0;
    if (!a || i >= a->count) return SYNAPT_E_RANGE;
    if (a->kind != 'S' && a->kind != 'U') return SYNAPT_E_INVALID_ARG;
    const uint8_t *p = (const uint8_t *)a->data + i * a->elem_size;
    size_t o = 0;
    if (a->kind == 'S') {
        size_t n = a->elem_size;
        while (n && p[n - 1] == 0) n--;
        if (n >= cap) { memcpy(buf, p, cap - 1); buf[cap - 1] = 0; return SYNAPT_E_BUFFER; }
        memcpy(buf, p, n);
        buf[n] = 0;
        return 0;
    }
    size_t n = a->elem_size / 4;
    while (n) {
        uint32_t cp;
        memcpy(&cp, p + (n - 1) * 4, 4);
        if (cp) break;
        n--;
    }
    for (size_t k = 0; k < n; k++) {
        uint32_t cp;
        memcpy(&cp, p + k * 4, 4);
        uint8_t u[4];
        size_t l;
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) { buf[o] = 0; return SYNAPT_E_INPUT; }
        if (cp < 0x80) { u[0] = (uint8_t)cp; l = 1; }
        else if (cp < 0x800) { u[0] = (uint8_t)(0xC0 | cp >> 6); u[1] = (uint8_t)(0x80 | (cp & 0x3F)); l = 2; }
        else if (cp < 0x10000) {
            u[0] = (uint8_t)(0xE0 | cp >> 12); u[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
            u[2] = (uint8_t)(0x80 | (cp & 0x3F)); l = 3;
        } else {
            u[0] = (uint8_t)(0xF0 | cp >> 18); u[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
            u[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F)); u[3] = (uint8_t)(0x80 | (cp & 0x3F)); l = 4;
        }
        if (o + l >= cap) { buf[o] = 0; return SYNAPT_E_BUFFER; }
        memcpy(buf + o, u, l);
        o += l;
    }
    buf[o] = 0;
    return 0;
}
