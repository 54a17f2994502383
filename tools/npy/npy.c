/* npy.c - NumPy .npy writer, bounded .npy/.npz reader (see npy.h).
 *
 * The .npy layout (numpy.lib.format): magic "\x93NUMPY", major, minor, a
 * little-endian header length (u16 for 1.0, u32 for 2.0/3.0), then a Python
 * dict literal {'descr': ..., 'fortran_order': ..., 'shape': (...), } padded
 * with spaces and a newline so the data starts on a 64-byte boundary. */
#include "npy.h"
#include "synapt.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef SYNAPT_HAVE_ZLIB
#include <zlib.h>
#endif

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HOST_BIG 1
#define HOST_ORDER '>'
#else
#define HOST_BIG 0
#define HOST_ORDER '<'
#endif

/* Largest header we parse: numpy itself refuses more than 10000 bytes by
 * default; ours only ever needs a few hundred. */
#define NPY_MAX_HEADER 65536u

static void seterr(char *err, size_t errsz, const char *fmt, ...)
{
    if (!err || !errsz) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errsz, fmt, ap);
    va_end(ap);
}

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

/* ===================================================================
 * Writer
 * =================================================================== */

const char *npy_descr(int dtype)
{
    /* index by synapt_dtype; [0] little-endian, [1] big-endian */
    static const char *const t[][2] = {
        [SYNAPT_DTYPE_U8] = { "|u1", "|u1" },  [SYNAPT_DTYPE_I8] = { "|i1", "|i1" },
        [SYNAPT_DTYPE_U16] = { "<u2", ">u2" }, [SYNAPT_DTYPE_I16] = { "<i2", ">i2" },
        [SYNAPT_DTYPE_U32] = { "<u4", ">u4" }, [SYNAPT_DTYPE_I32] = { "<i4", ">i4" },
        [SYNAPT_DTYPE_F32] = { "<f4", ">f4" }, [SYNAPT_DTYPE_F64] = { "<f8", ">f8" },
        [SYNAPT_DTYPE_U64] = { "<u8", ">u8" }, [SYNAPT_DTYPE_I64] = { "<i8", ">i8" },
        [SYNAPT_DTYPE_F16] = { "<f2", ">f2" },
    };
    if (dtype <= 0 || dtype >= (int)(sizeof t / sizeof t[0])) return NULL;
    return t[dtype][HOST_BIG];
}

struct npy_writer {
    int fd;
    char *path, *tmp;
    uint64_t expect, written;
    int failed;
    char err[512];
};

const char *npy_writer_errmsg(const npy_writer *w) { return w ? w->err : ""; }

static int write_all(int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n) {
        ssize_t k = write(fd, p, n > (1u << 30) ? (1u << 30) : n);
        if (k < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Build the header for dtype/shape into buf; returns its total length
 * (magic through padding) or 0 when it does not fit. */
static size_t build_header(char *buf, size_t cap, const char *descr,
                           const uint64_t *shape, unsigned ndim)
{
    char dict[1024];
    size_t o = 0;
    o += (size_t)snprintf(dict + o, sizeof dict - o, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
    for (unsigned i = 0; i < ndim; i++)
        o += (size_t)snprintf(dict + o, sizeof dict - o, i ? ", %llu" : "%llu",
                              (unsigned long long)shape[i]);
    o += (size_t)snprintf(dict + o, sizeof dict - o, ndim == 1 ? ",), }" : "), }");
    if (o >= sizeof dict) return 0;
    /* version 1.0 unless the dict cannot be described by a u16 length */
    int v2 = o + 1 + 10 > 65535;
    size_t prefix = v2 ? 12 : 10;
    size_t total = (prefix + o + 1 + 63) / 64 * 64;
    if (total > cap) return 0;
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = v2 ? 2 : 1;
    buf[7] = 0;
    size_t hl = total - prefix;
    buf[8] = (char)(hl & 0xFF);
    buf[9] = (char)(hl >> 8 & 0xFF);
    if (v2) { buf[10] = (char)(hl >> 16 & 0xFF); buf[11] = (char)(hl >> 24 & 0xFF); }
    memcpy(buf + prefix, dict, o);
    memset(buf + prefix + o, ' ', total - prefix - o - 1);
    buf[total - 1] = '\n';
    return total;
}

int npy_writer_open(npy_writer **out, const char *path, int dtype,
                    const uint64_t *shape, unsigned ndim, char *err, size_t errsz)
{
    *out = NULL;
    const char *descr = npy_descr(dtype);
    if (!path || !descr || ndim > NPY_MAX_DIMS || (ndim && !shape)) {
        seterr(err, errsz, "%s: cannot write dtype %d with %u dimensions as .npy",
               path ? path : "(null)", dtype, ndim);
        return SYNAPT_E_INVALID_ARG;
    }
    uint64_t bytes = synapt_dtype_size(dtype);
    for (unsigned i = 0; i < ndim; i++) {
        if (shape[i] && bytes > UINT64_MAX / shape[i]) {
            seterr(err, errsz, "%s: array size overflows", path);
            return SYNAPT_E_INVALID_ARG;
        }
        bytes *= shape[i];
    }
    char hdr[2048];
    size_t hlen = build_header(hdr, sizeof hdr, descr, shape, ndim);
    if (!hlen) {
        seterr(err, errsz, "%s: .npy header too long", path);
        return SYNAPT_E_INVALID_ARG;
    }
    /* the temporary file is renamed over PATH at close: over a device or
     * FIFO (-o /dev/stdout, or /dev/null run as root) that would replace
     * the node itself */
    struct stat pst;
    if (stat(path, &pst) == 0 && !S_ISREG(pst.st_mode)) {
        seterr(err, errsz, "%s: exists and is not a regular file", path);
        return SYNAPT_E_IO;
    }
    npy_writer *w = calloc(1, sizeof *w);
    size_t pl = strlen(path);
    if (!w || !(w->path = malloc(pl + 1)) || !(w->tmp = malloc(pl + 16))) {
        if (w) free(w->path);
        free(w);
        seterr(err, errsz, "%s: out of memory", path);
        return SYNAPT_E_NOMEM;
    }
    memcpy(w->path, path, pl + 1);
    snprintf(w->tmp, pl + 16, "%s.tmp-XXXXXX", path);
    w->fd = mkstemp(w->tmp);
    if (w->fd < 0) {
        seterr(err, errsz, "%s: cannot create temporary file: %s", path, strerror(errno));
        free(w->tmp);
        free(w->path);
        free(w);
        return SYNAPT_E_IO;
    }
    /* mkstemp makes 0600; an exported array should get the usual 0666&~umask */
    mode_t um = umask(0);
    umask(um);
    if (fchmod(w->fd, 0666 & ~um) != 0) { /* harmless: the file stays private */ }
    w->expect = bytes;
    if (write_all(w->fd, hdr, hlen) != 0) {
        seterr(err, errsz, "%s: write failed: %s", path, strerror(errno));
        npy_writer_abort(w);
        return SYNAPT_E_IO;
    }
    *out = w;
    return 0;
}

int npy_writer_write(npy_writer *w, const void *data, size_t bytes)
{
    if (!w) return SYNAPT_E_INVALID_ARG;
    if (w->failed) return w->failed;
    if (bytes > w->expect - w->written) {
        snprintf(w->err, sizeof w->err, "%s: more data than the array shape holds", w->path);
        return w->failed = SYNAPT_E_INVALID_ARG;
    }
    if (write_all(w->fd, data, bytes) != 0) {
        snprintf(w->err, sizeof w->err, "%s: write failed: %s", w->path, strerror(errno));
        return w->failed = SYNAPT_E_IO;
    }
    w->written += bytes;
    return 0;
}

void npy_writer_abort(npy_writer *w)
{
    if (!w) return;
    if (w->fd >= 0) close(w->fd);
    if (w->tmp) unlink(w->tmp);
    free(w->tmp);
    free(w->path);
    free(w);
}

int npy_writer_close(npy_writer *w, char *err, size_t errsz)
{
    if (!w) return SYNAPT_E_INVALID_ARG;
    int rc = w->failed;
    if (rc) {
        seterr(err, errsz, "%s", w->err);
    } else if (w->written != w->expect) {
        seterr(err, errsz, "%s: wrote %llu of %llu data bytes", w->path,
               (unsigned long long)w->written, (unsigned long long)w->expect);
        rc = SYNAPT_E_STATE;
    } else if (fsync(w->fd) != 0 && errno != EINVAL) {
        seterr(err, errsz, "%s: fsync failed: %s", w->path, strerror(errno));
        rc = SYNAPT_E_IO;
    } else {
        int fd = w->fd;
        w->fd = -1;
        if (close(fd) != 0) {
            seterr(err, errsz, "%s: close failed: %s", w->path, strerror(errno));
            rc = SYNAPT_E_IO;
        } else if (rename(w->tmp, w->path) != 0) {
            seterr(err, errsz, "%s: cannot rename temporary file into place: %s", w->path,
                   strerror(errno));
            rc = SYNAPT_E_IO;
        } else {
            free(w->tmp);
            w->tmp = NULL; /* renamed: nothing for abort to remove */
        }
    }
    npy_writer_abort(w);
    return rc;
}

int npy_save(const char *path, int dtype, const uint64_t *shape, unsigned ndim,
             const void *data, char *err, size_t errsz)
{
    npy_writer *w;
    int rc = npy_writer_open(&w, path, dtype, shape, ndim, err, errsz);
    if (rc) return rc;
    if ((rc = npy_writer_write(w, data, (size_t)w->expect)) != 0) {
        seterr(err, errsz, "%s", w->err);
        npy_writer_abort(w);
        return rc;
    }
    return npy_writer_close(w, err, errsz);
}

/* ===================================================================
 * Reader: header
 * =================================================================== */

typedef struct hdr_info {
    size_t data_off;     /* bytes before the data */
    int swap;            /* data is in the other byte order */
    int fortran;
} hdr_info;

typedef struct cursor {
    const char *p, *end;
} cursor;

static void skip_ws(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static int take(cursor *c, char ch)
{
    skip_ws(c);
    if (c->p < c->end && *c->p == ch) { c->p++; return 1; }
    return 0;
}

/* A quoted Python string without escapes (numpy never writes any in the
 * keys and descr we accept). */
static int parse_pystr(cursor *c, char *out, size_t cap)
{
    skip_ws(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"')) return -1;
    char q = *c->p++;
    size_t n = 0;
    while (c->p < c->end && *c->p != q) {
        if (*c->p == '\\' || n + 1 >= cap) return -1;
        out[n++] = *c->p++;
    }
    if (c->p >= c->end) return -1;
    c->p++;
    out[n] = 0;
    return 0;
}

static int parse_descr(npy_array *a, hdr_info *h, const char *d, char *why, size_t whysz)
{
    char order = '=';
    if (*d == '<' || *d == '>' || *d == '|' || *d == '=') order = *d++;
    char kind = *d++;
    if (!kind) { snprintf(why, whysz, "empty dtype"); return SYNAPT_E_INPUT; }
    if (kind == 'O') {
        snprintf(why, whysz, "object arrays (Python pickles) are not supported");
        return SYNAPT_E_UNSUPPORTED;
    }
    uint64_t n = 0;
    if (*d < '0' || *d > '9') {
        snprintf(why, whysz, "dtype '%c' has no size", kind);
        return SYNAPT_E_INPUT;
    }
    for (; *d >= '0' && *d <= '9'; d++) {
        n = n * 10 + (uint64_t)(*d - '0');
        if (n > (1u << 20)) { snprintf(why, whysz, "dtype size too large"); return SYNAPT_E_INPUT; }
    }
    if (*d) { snprintf(why, whysz, "dtype has trailing text"); return SYNAPT_E_INPUT; }
    int dt = 0;
    switch (kind) {
    case 'b': dt = n == 1 ? SYNAPT_DTYPE_U8 : 0; break;
    case 'u': dt = n == 1 ? SYNAPT_DTYPE_U8 : n == 2 ? SYNAPT_DTYPE_U16 : n == 4 ? SYNAPT_DTYPE_U32
                 : n == 8 ? SYNAPT_DTYPE_U64 : 0; break;
    case 'i': dt = n == 1 ? SYNAPT_DTYPE_I8 : n == 2 ? SYNAPT_DTYPE_I16 : n == 4 ? SYNAPT_DTYPE_I32
                 : n == 8 ? SYNAPT_DTYPE_I64 : 0; break;
    case 'f': dt = n == 2 ? SYNAPT_DTYPE_F16 : n == 4 ? SYNAPT_DTYPE_F32 : n == 8 ? SYNAPT_DTYPE_F64
                 : 0; break;
    case 'S': case 'U':
        if (n == 0) { snprintf(why, whysz, "zero-width string dtype"); return SYNAPT_E_UNSUPPORTED; }
        break;
    default:
        snprintf(why, whysz, "dtype kind '%c' is not supported (only bool, integers, floats, strings)",
                 kind);
        return SYNAPT_E_UNSUPPORTED;
    }
    if ((kind == 'b' || kind == 'u' || kind == 'i' || kind == 'f') && !dt) {
        snprintf(why, whysz, "dtype '%c%llu' is not supported", kind, (unsigned long long)n);
        return SYNAPT_E_UNSUPPORTED;
    }
    a->kind = kind;
    a->dtype = dt;
    a->elem_size = kind == 'U' ? (size_t)n * 4 : (size_t)n;
    size_t unit = kind == 'U' ? 4 : kind == 'S' ? 1 : (size_t)n;
    h->swap = unit > 1 && (order == '<' || order == '>') && order != HOST_ORDER;
    if (unit > 1 && order == '|') {
        snprintf(why, whysz, "multi-byte dtype without a byte order");
        return SYNAPT_E_INPUT;
    }
    return 0;
}

/* Parse a complete header held in p[0..n). Fills a (kind, dtype, shape,
 * count, data_bytes) and h. */
static int parse_header(npy_array *a, hdr_info *h, const uint8_t *p, size_t n,
                        const char *name, char *err, size_t errsz)
{
    memset(a, 0, sizeof *a);
    memset(h, 0, sizeof *h);
    if (n < 10 || memcmp(p, "\x93NUMPY", 6) != 0) {
        seterr(err, errsz, "%s: not a .npy array (bad magic)", name);
        return n < 10 && n >= 6 && memcmp(p, "\x93NUMPY", 6) == 0 ? SYNAPT_E_TRUNCATED
                                                                   : SYNAPT_E_INPUT;
    }
    unsigned major = p[6];
    size_t prefix, hl;
    if (major == 1) { prefix = 10; hl = rd16(p + 8); }
    else if (major == 2 || major == 3) {
        if (n < 12) { seterr(err, errsz, "%s: .npy header truncated", name); return SYNAPT_E_TRUNCATED; }
        prefix = 12;
        hl = rd32(p + 8);
    } else {
        seterr(err, errsz, "%s: .npy format version %u.%u is not supported", name, major, p[7]);
        return SYNAPT_E_UNSUPPORTED;
    }
    if (hl > NPY_MAX_HEADER) {
        seterr(err, errsz, "%s: .npy header of %zu bytes exceeds the %u-byte limit", name, hl,
               NPY_MAX_HEADER);
        return SYNAPT_E_LIMIT;
    }
    if (n - prefix < hl) {
        seterr(err, errsz, "%s: .npy header truncated", name);
        return SYNAPT_E_TRUNCATED;
    }
    cursor c = { (const char *)p + prefix, (const char *)p + prefix + hl };
    int have_descr = 0, have_fo = 0, have_shape = 0, rc = SYNAPT_E_INPUT;
    char why[160] = "malformed header dict";
    if (!take(&c, '{')) goto bad;
    for (;;) {
        if (take(&c, '}')) break;
        char key[32], val[64];
        if (parse_pystr(&c, key, sizeof key) != 0 || !take(&c, ':')) goto bad;
        skip_ws(&c);
        if (strcmp(key, "descr") == 0 && !have_descr) {
            if (c.p < c.end && *c.p == '[') {
                snprintf(why, sizeof why, "structured dtypes are not supported");
                rc = SYNAPT_E_UNSUPPORTED;
                goto bad;
            }
            if (parse_pystr(&c, val, sizeof val) != 0) goto bad;
            if ((rc = parse_descr(a, h, val, why, sizeof why)) != 0) goto bad;
            rc = SYNAPT_E_INPUT;
            have_descr = 1;
        } else if (strcmp(key, "fortran_order") == 0 && !have_fo) {
            if ((size_t)(c.end - c.p) >= 4 && memcmp(c.p, "True", 4) == 0) { h->fortran = 1; c.p += 4; }
            else if ((size_t)(c.end - c.p) >= 5 && memcmp(c.p, "False", 5) == 0) c.p += 5;
            else goto bad;
            have_fo = 1;
        } else if (strcmp(key, "shape") == 0 && !have_shape) {
            if (!take(&c, '(')) goto bad;
            for (;;) {
                if (take(&c, ')')) break;
                skip_ws(&c);
                uint64_t v = 0;
                const char *start = c.p;
                while (c.p < c.end && *c.p >= '0' && *c.p <= '9') {
                    unsigned d = (unsigned)(*c.p++ - '0');
                    if (v > (UINT64_MAX - d) / 10) goto bad;
                    v = v * 10 + d;
                }
                if (c.p == start) goto bad;
                if (c.p < c.end && *c.p == 'L') c.p++; /* Python 2 long */
                if (a->ndim >= NPY_MAX_DIMS) {
                    snprintf(why, sizeof why, "more than %d dimensions", NPY_MAX_DIMS);
                    rc = SYNAPT_E_UNSUPPORTED;
                    goto bad;
                }
                a->shape[a->ndim++] = v;
                if (take(&c, ')')) break;
                if (!take(&c, ',')) goto bad;
            }
            have_shape = 1;
        } else {
            snprintf(why, sizeof why, "unexpected or repeated key '%s'", key);
            goto bad;
        }
        if (take(&c, '}')) break;
        if (!take(&c, ',')) goto bad;
    }
    if (!have_descr || !have_fo || !have_shape) {
        snprintf(why, sizeof why, "header lacks descr, fortran_order or shape");
        goto bad;
    }
    uint64_t count = 1;
    for (unsigned i = 0; i < a->ndim; i++) {
        if (a->shape[i] && count > UINT64_MAX / a->shape[i]) {
            snprintf(why, sizeof why, "shape overflows");
            goto bad;
        }
        count *= a->shape[i];
    }
    if (count && a->elem_size > UINT64_MAX / count) {
        snprintf(why, sizeof why, "shape overflows");
        goto bad;
    }
    if (count * a->elem_size > SIZE_MAX / 2) {
        snprintf(why, sizeof why, "array too large for this machine");
        rc = SYNAPT_E_LIMIT;
        goto bad;
    }
    a->count = count;
    a->data_bytes = (size_t)(count * a->elem_size);
    h->data_off = prefix + hl;
    return 0;
bad:
    seterr(err, errsz, "%s: .npy header: %s", name, why);
    memset(a, 0, sizeof *a);
    return rc;
}

static void swap_bytes(void *data, size_t count, size_t unit)
{
    uint8_t *p = data;
    for (size_t i = 0; i < count; i++, p += unit)
        for (size_t k = 0; k < unit / 2; k++) {
            uint8_t t = p[k];
            p[k] = p[unit - 1 - k];
            p[unit - 1 - k] = t;
        }
}

/* Take ownership of `data` (exactly a->data_bytes), fix byte order and
 * memory order, and store it in a. */
static int finish_data(npy_array *a, const hdr_info *h, void *data, const char *name,
                       char *err, size_t errsz)
{
    if (h->swap) {
        size_t unit = a->kind == 'U' ? 4 : a->elem_size;
        swap_bytes(data, a->data_bytes / unit, unit);
    }
    if (h->fortran && a->ndim > 1 && a->count > 1) {
        uint8_t *dst = malloc(a->data_bytes);
        if (!dst) {
            free(data);
            seterr(err, errsz, "%s: out of memory", name);
            memset(a, 0, sizeof *a);
            return SYNAPT_E_NOMEM;
        }
        /* walk destination in C order; the source offset moves by the
         * Fortran stride of whichever axis the counter advanced */
        uint64_t idx[NPY_MAX_DIMS] = { 0 }, stride[NPY_MAX_DIMS];
        stride[0] = 1;
        for (unsigned k = 1; k < a->ndim; k++) stride[k] = stride[k - 1] * a->shape[k - 1];
        uint64_t src = 0;
        const uint8_t *s = data;
        size_t es = a->elem_size;
        for (uint64_t i = 0; i < a->count; i++) {
            memcpy(dst + i * es, s + src * es, es);
            for (int k = (int)a->ndim - 1; k >= 0; k--) {
                if (++idx[k] < a->shape[k]) { src += stride[k]; break; }
                src -= stride[k] * (a->shape[k] - 1);
                idx[k] = 0;
            }
        }
        free(data);
        data = dst;
    }
    a->data = data;
    return 0;
}

/* The data must be exactly what dtype x shape say: more bytes mean the
 * header lies about the element size or the shape ('<f2' over float32
 * data read as half the values, each garbage), so it is refused rather
 * than read. */
static const char *extra_bytes_msg(uint64_t have, size_t want)
{
    static _Thread_local char m[160];
    snprintf(m, sizeof m, ".npy data is %llu bytes but dtype and shape say %zu; "
             "the header does not describe the data", (unsigned long long)have, want);
    return m;
}

int npy_read_memory(npy_array *out, const void *buf, size_t size, const char *name,
                    uint64_t max_bytes, char *err, size_t errsz)
{
    hdr_info h;
    if (!name) name = "<memory>";
    if (!max_bytes) max_bytes = NPY_DEFAULT_MAX_BYTES;
    int rc = parse_header(out, &h, buf, size, name, err, errsz);
    if (rc) return rc;
    if (out->data_bytes > max_bytes) {
        seterr(err, errsz, "%s: array of %zu bytes exceeds the %llu-byte limit", name,
               out->data_bytes, (unsigned long long)max_bytes);
        memset(out, 0, sizeof *out);
        return SYNAPT_E_LIMIT;
    }
    if (size - h.data_off < out->data_bytes) {
        seterr(err, errsz, "%s: .npy data truncated: %zu of %zu bytes present", name,
               size - h.data_off, out->data_bytes);
        memset(out, 0, sizeof *out);
        return SYNAPT_E_TRUNCATED;
    }
    if (size - h.data_off > out->data_bytes) {
        seterr(err, errsz, "%s: %s", name, extra_bytes_msg(size - h.data_off, out->data_bytes));
        memset(out, 0, sizeof *out);
        return SYNAPT_E_INPUT;
    }
    void *data = malloc(out->data_bytes ? out->data_bytes : 1);
    if (!data) {
        seterr(err, errsz, "%s: out of memory", name);
        memset(out, 0, sizeof *out);
        return SYNAPT_E_NOMEM;
    }
    memcpy(data, (const uint8_t *)buf + h.data_off, out->data_bytes);
    return finish_data(out, &h, data, name, err, errsz);
}

static int pread_all(int fd, void *buf, size_t n, uint64_t off)
{
    uint8_t *p = buf;
    while (n) {
        ssize_t k = pread(fd, p, n > (1u << 30) ? (1u << 30) : n, (off_t)off);
        if (k < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (k == 0) return 1; /* end of file */
        p += k;
        n -= (size_t)k;
        off += (uint64_t)k;
    }
    return 0;
}

int npy_read_file(npy_array *out, const char *path, uint64_t max_bytes, char *err,
                  size_t errsz)
{
    memset(out, 0, sizeof *out);
    if (!max_bytes) max_bytes = NPY_DEFAULT_MAX_BYTES;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        seterr(err, errsz, "%s: cannot open: %s", path, strerror(errno));
        return SYNAPT_E_IO;
    }
    int rc;
    uint8_t *hdr = NULL;
    void *data = NULL;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        seterr(err, errsz, "%s: not a regular file", path);
        rc = SYNAPT_E_IO;
        goto done;
    }
    uint64_t fsize = (uint64_t)st.st_size;
    uint8_t pre[12];
    size_t pn = fsize < sizeof pre ? (size_t)fsize : sizeof pre;
    if (pread_all(fd, pre, pn, 0) != 0) {
        seterr(err, errsz, "%s: read failed: %s", path, strerror(errno));
        rc = SYNAPT_E_IO;
        goto done;
    }
    if (pn < 10 || memcmp(pre, "\x93NUMPY", 6) != 0) {
        seterr(err, errsz, "%s: not a .npy array (%s)", path,
               pn >= 6 && memcmp(pre, "\x93NUMPY", 6) == 0 ? "header truncated" : "bad magic");
        rc = pn >= 6 && memcmp(pre, "\x93NUMPY", 6) == 0 ? SYNAPT_E_TRUNCATED : SYNAPT_E_INPUT;
        goto done;
    }
    size_t hl = pre[6] == 1 ? rd16(pre + 8) : pn >= 12 ? rd32(pre + 8) : 0;
    size_t total = (pre[6] == 1 ? 10 : 12) + (hl > NPY_MAX_HEADER ? 0 : hl);
    if (total > fsize) total = (size_t)fsize; /* parse_header then reports truncation */
    if (!(hdr = malloc(total))) {
        seterr(err, errsz, "%s: out of memory", path);
        rc = SYNAPT_E_NOMEM;
        goto done;
    }
    if (pread_all(fd, hdr, total, 0) != 0) {
        seterr(err, errsz, "%s: read failed: %s", path, strerror(errno));
        rc = SYNAPT_E_IO;
        goto done;
    }
    hdr_info h;
    if ((rc = parse_header(out, &h, hdr, total, path, err, errsz)) != 0) goto done;
    if (out->data_bytes > max_bytes) {
        seterr(err, errsz, "%s: array of %zu bytes exceeds the %llu-byte limit", path,
               out->data_bytes, (unsigned long long)max_bytes);
        rc = SYNAPT_E_LIMIT;
        goto done;
    }
    if (fsize - h.data_off < out->data_bytes) {
        seterr(err, errsz, "%s: .npy data truncated: %llu of %zu bytes present", path,
               (unsigned long long)(fsize - h.data_off), out->data_bytes);
        rc = SYNAPT_E_TRUNCATED;
        goto done;
    }
    if (fsize - h.data_off > out->data_bytes) {
        seterr(err, errsz, "%s: %s", path, extra_bytes_msg(fsize - h.data_off, out->data_bytes));
        rc = SYNAPT_E_INPUT;
        goto done;
    }
    if (!(data = malloc(out->data_bytes ? out->data_bytes : 1))) {
        seterr(err, errsz, "%s: out of memory", path);
        rc = SYNAPT_E_NOMEM;
        goto done;
    }
    int r = pread_all(fd, data, out->data_bytes, h.data_off);
    if (r != 0) {
        seterr(err, errsz, r > 0 ? "%s: file shrank while reading" : "%s: read failed: %s", path,
               strerror(errno));
        rc = r > 0 ? SYNAPT_E_TRUNCATED : SYNAPT_E_IO;
        goto done;
    }
    rc = finish_data(out, &h, data, path, err, errsz);
    data = NULL;
done:
    if (rc) {
        free(data);
        memset(out, 0, sizeof *out);
    }
    free(hdr);
    close(fd);
    return rc;
}

/* ===================================================================
 * .npz (zip)
 * =================================================================== */

#define ZIP_EOCD_SIG    0x06054b50u
#define ZIP64_LOC_SIG   0x07064b50u
#define ZIP64_EOCD_SIG  0x06064b50u
#define ZIP_CDIR_SIG    0x02014b50u
#define ZIP_LOCAL_SIG   0x04034b50u
/* The central directory of an archive we accept is at most this big:
 * about 700,000 members with short names. */
#define ZIP_MAX_CDIR    (64u << 20)

typedef struct npz_entry {
    char *name, *key;
    uint16_t flags, method;
    uint32_t crc;
    uint64_t csize, usize, local_off;
} npz_entry;

struct npz_archive {
    int fd;
    char *path;
    uint64_t file_size, cdir_off;
    uint64_t max_bytes;
    npz_entry *e;
    size_t n;
};

int npz_has_deflate(void)
{
#ifdef SYNAPT_HAVE_ZLIB
    return 1;
#else
    return 0;
#endif
}

#ifndef SYNAPT_HAVE_ZLIB
static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;
static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}
#endif
static uint32_t crc32_of(const uint8_t *p, size_t n)
{
#ifdef SYNAPT_HAVE_ZLIB
    uLong c = crc32(0L, Z_NULL, 0);
    while (n) {
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        c = crc32(c, p, k);
        p += k;
        n -= k;
    }
    return (uint32_t)c;
#else
    pthread_once(&crc_once, crc_init);
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
#endif
}

void npz_close(npz_archive *z)
{
    if (!z) return;
    for (size_t i = 0; i < z->n; i++) free(z->e[i].name);
    free(z->e);
    if (z->fd >= 0) close(z->fd);
    free(z->path);
    free(z);
}

size_t npz_count(const npz_archive *z) { return z ? z->n : 0; }
const char *npz_key(const npz_archive *z, size_t i) { return z && i < z->n ? z->e[i].key : NULL; }

/* Pull the 64-bit values a ZIP64 extra field carries for the fields whose
 * 32-bit slots are saturated, in the order the zip spec fixes. */
static int zip64_extra(npz_entry *e, const uint8_t *x, size_t xl, int need_u, int need_c,
                       int need_o)
{
    while (xl >= 4) {
        uint16_t id = rd16(x), sz = rd16(x + 2);
        if ((size_t)sz > xl - 4) return -1;
        if (id == 0x0001) {
            const uint8_t *q = x + 4;
            size_t left = sz;
            if (need_u) { if (left < 8) return -1; e->usize = rd64(q); q += 8; left -= 8; }
            if (need_c) { if (left < 8) return -1; e->csize = rd64(q); q += 8; left -= 8; }
            if (need_o) { if (left < 8) return -1; e->local_off = rd64(q); }
            return 0;
        }
        x += 4 + sz;
        xl -= 4 + (size_t)sz;
    }
    return need_u || need_c || need_o ? -1 : 0;
}

int npz_open(npz_archive **out, const char *path, uint64_t max_bytes, char *err, size_t errsz)
{
    *out = NULL;
    npz_archive *z = calloc(1, sizeof *z);
    uint8_t *tail = NULL, *cd = NULL;
    int rc;
    if (!z || !(z->path = strdup(path))) {
        free(z);
        seterr(err, errsz, "%s: out of memory", path);
        return SYNAPT_E_NOMEM;
    }
    z->max_bytes = max_bytes ? max_bytes : NPY_DEFAULT_MAX_BYTES;
    z->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (z->fd < 0) {
        seterr(err, errsz, "%s: cannot open: %s", path, strerror(errno));
        rc = SYNAPT_E_IO;
        goto fail;
    }
    struct stat st;
    if (fstat(z->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        seterr(err, errsz, "%s: not a regular file", path);
        rc = SYNAPT_E_IO;
        goto fail;
    }
    z->file_size = (uint64_t)st.st_size;
    if (z->file_size < 22) {
        seterr(err, errsz, "%s: not a .npz archive (too short for a zip)", path);
        rc = SYNAPT_E_INPUT;
        goto fail;
    }
    /* the end record sits in the last 22 + 65535 (comment) bytes */
    size_t tn = z->file_size < 22 + 65535 ? (size_t)z->file_size : 22 + 65535;
    uint64_t toff = z->file_size - tn;
    if (!(tail = malloc(tn))) { rc = SYNAPT_E_NOMEM; seterr(err, errsz, "%s: out of memory", path); goto fail; }
    if (pread_all(z->fd, tail, tn, toff) != 0) {
        seterr(err, errsz, "%s: read failed: %s", path, strerror(errno));
        rc = SYNAPT_E_IO;
        goto fail;
    }
    size_t eo = SIZE_MAX;
    for (size_t i = tn - 22 + 1; i-- > 0;) {
        if (rd32(tail + i) == ZIP_EOCD_SIG && i + 22 + rd16(tail + i + 20) <= tn) { eo = i; break; }
    }
    if (eo == SIZE_MAX) {
        seterr(err, errsz, "%s: not a .npz archive (no zip end record)", path);
        rc = SYNAPT_E_INPUT;
        goto fail;
    }
    uint64_t entries = rd16(tail + eo + 10), cd_size = rd32(tail + eo + 12),
             cd_off = rd32(tail + eo + 16);
    if (rd16(tail + eo + 4) != 0 || rd16(tail + eo + 6) != 0) {
        seterr(err, errsz, "%s: multi-disk zip archives are not supported", path);
        rc = SYNAPT_E_UNSUPPORTED;
        goto fail;
    }
    if (entries == 0xFFFF || cd_size == 0xFFFFFFFFu || cd_off == 0xFFFFFFFFu) {
        uint64_t loc = toff + eo;
        uint8_t l[20], e64[56];
        if (loc < 20 || pread_all(z->fd, l, 20, loc - 20) != 0 || rd32(l) != ZIP64_LOC_SIG) {
            seterr(err, errsz, "%s: zip64 end locator missing", path);
            rc = SYNAPT_E_INPUT;
            goto fail;
        }
        uint64_t e64off = rd64(l + 8);
        if (e64off > z->file_size - 56 || pread_all(z->fd, e64, 56, e64off) != 0 ||
            rd32(e64) != ZIP64_EOCD_SIG) {
            seterr(err, errsz, "%s: zip64 end record missing or damaged", path);
            rc = SYNAPT_E_INPUT;
            goto fail;
        }
        entries = rd64(e64 + 32);
        cd_size = rd64(e64 + 40);
        cd_off = rd64(e64 + 48);
    }
    if (cd_off > z->file_size || cd_size > z->file_size - cd_off) {
        seterr(err, errsz, "%s: zip central directory lies outside the file", path);
        rc = SYNAPT_E_TRUNCATED;
        goto fail;
    }
    if (cd_size > ZIP_MAX_CDIR || entries > cd_size / 46) {
        seterr(err, errsz, "%s: zip central directory of %llu bytes / %llu entries is %s", path,
               (unsigned long long)cd_size, (unsigned long long)entries,
               cd_size > ZIP_MAX_CDIR ? "over the limit" : "inconsistent");
        rc = cd_size > ZIP_MAX_CDIR ? SYNAPT_E_LIMIT : SYNAPT_E_INPUT;
        goto fail;
    }
    z->cdir_off = cd_off;
    if (!(cd = malloc(cd_size ? (size_t)cd_size : 1)) ||
        !(z->e = calloc(entries ? (size_t)entries : 1, sizeof *z->e))) {
        seterr(err, errsz, "%s: out of memory", path);
        rc = SYNAPT_E_NOMEM;
        goto fail;
    }
    if (pread_all(z->fd, cd, (size_t)cd_size, cd_off) != 0) {
        seterr(err, errsz, "%s: read failed: %s", path, strerror(errno));
        rc = SYNAPT_E_IO;
        goto fail;
    }
    size_t p = 0;
    for (uint64_t i = 0; i < entries; i++) {
        if (cd_size - p < 46 || rd32(cd + p) != ZIP_CDIR_SIG) {
            seterr(err, errsz, "%s: zip central directory entry %llu is damaged", path,
                   (unsigned long long)i);
            rc = SYNAPT_E_INPUT;
            goto fail;
        }
        const uint8_t *c = cd + p;
        size_t nl = rd16(c + 28), xl = rd16(c + 30), cl = rd16(c + 32);
        if (cd_size - p - 46 < nl + xl + cl) {
            seterr(err, errsz, "%s: zip central directory entry %llu runs past its end", path,
                   (unsigned long long)i);
            rc = SYNAPT_E_INPUT;
            goto fail;
        }
        npz_entry *e = &z->e[z->n];
        e->flags = rd16(c + 8);
        e->method = rd16(c + 10);
        e->crc = rd32(c + 16);
        e->csize = rd32(c + 20);
        e->usize = rd32(c + 24);
        e->local_off = rd32(c + 42);
        if (zip64_extra(e, c + 46 + nl, xl, e->usize == 0xFFFFFFFFu, e->csize == 0xFFFFFFFFu,
                        e->local_off == 0xFFFFFFFFu) != 0) {
            seterr(err, errsz, "%s: zip entry %llu has a damaged zip64 extra field", path,
                   (unsigned long long)i);
            rc = SYNAPT_E_INPUT;
            goto fail;
        }
        if (memchr(c + 46, 0, nl)) {
            seterr(err, errsz, "%s: zip entry %llu has a NUL in its name", path, (unsigned long long)i);
            rc = SYNAPT_E_INPUT;
            goto fail;
        }
        /* name and key share one allocation: "a.npy\0a\0" */
        if (!(e->name = malloc(2 * nl + 2))) {
            seterr(err, errsz, "%s: out of memory", path);
            rc = SYNAPT_E_NOMEM;
            goto fail;
        }
        z->n++;
        memcpy(e->name, c + 46, nl);
        e->name[nl] = 0;
        e->key = e->name + nl + 1;
        size_t kl = nl >= 4 && memcmp(e->name + nl - 4, ".npy", 4) == 0 ? nl - 4 : nl;
        memcpy(e->key, e->name, kl);
        e->key[kl] = 0;
        p += 46 + nl + xl + cl;
    }
    free(tail);
    free(cd);
    *out = z;
    return 0;
fail:
    free(tail);
    free(cd);
    npz_close(z);
    return rc;
}

int npz_read(npy_array *out, npz_archive *z, const char *key, char *err, size_t errsz)
{
    memset(out, 0, sizeof *out);
    if (!z || !key) return SYNAPT_E_INVALID_ARG;
    const npz_entry *e = NULL;
    /* the last entry of a name wins, as Python's zipfile does */
    for (size_t i = z->n; i-- > 0;)
        if (strcmp(z->e[i].key, key) == 0 || strcmp(z->e[i].name, key) == 0) { e = &z->e[i]; break; }
    if (!e) {
        seterr(err, errsz, "%s: no array '%s' in the archive", z->path, key);
        return SYNAPT_E_NOT_FOUND;
    }
    char name[512];
    snprintf(name, sizeof name, "%s[%s]", z->path, e->key);
    if (e->flags & 1) {
        seterr(err, errsz, "%s: encrypted zip entries are not supported", name);
        return SYNAPT_E_UNSUPPORTED;
    }
    if (e->method != 0 && !(e->method == 8 && npz_has_deflate())) {
        seterr(err, errsz, "%s: zip compression method %u is not supported%s", name, e->method,
               e->method == 8 ? " (built without zlib)" : "");
        return SYNAPT_E_UNSUPPORTED;
    }
    /* header allowance on top of the data limit */
    if (e->usize > z->max_bytes + NPY_MAX_HEADER + 16) {
        seterr(err, errsz, "%s: member of %llu bytes exceeds the %llu-byte limit", name,
               (unsigned long long)e->usize, (unsigned long long)z->max_bytes);
        return SYNAPT_E_LIMIT;
    }
    if (e->method == 0 && e->csize != e->usize) {
        seterr(err, errsz, "%s: stored zip entry has different packed and unpacked sizes", name);
        return SYNAPT_E_INPUT;
    }
    uint8_t lh[30];
    if (z->file_size < 30 || e->local_off > z->file_size - 30 || pread_all(z->fd, lh, 30, e->local_off) != 0 ||
        rd32(lh) != ZIP_LOCAL_SIG) {
        seterr(err, errsz, "%s: zip local header missing or damaged", name);
        return SYNAPT_E_INPUT;
    }
    uint64_t doff = e->local_off + 30 + rd16(lh + 26) + rd16(lh + 28);
    if (doff > z->file_size || e->csize > z->file_size - doff) {
        seterr(err, errsz, "%s: zip entry data runs past the end of the file", name);
        return SYNAPT_E_TRUNCATED;
    }
    /* deflate neither expands data by more than a little nor shrinks it by
     * more than 1032:1; sizes outside that are a lie, and a large usize lie
     * would otherwise buy a large allocation for a few bytes of file */
    if (e->method == 8 && (e->csize > e->usize + e->usize / 8 + 65536 ||
                           e->usize / 1032 > e->csize + 1)) {
        seterr(err, errsz, "%s: zip entry sizes are inconsistent", name);
        return SYNAPT_E_INPUT;
    }
    uint8_t *raw = malloc(e->usize ? (size_t)e->usize : 1);
    uint8_t *packed = NULL;
    int rc = 0;
    if (!raw) {
        seterr(err, errsz, "%s: out of memory", name);
        return SYNAPT_E_NOMEM;
    }
    if (e->method == 0) {
        if (pread_all(z->fd, raw, (size_t)e->usize, doff) != 0) {
            seterr(err, errsz, "%s: read failed", name);
            rc = SYNAPT_E_IO;
            goto done;
        }
    }
#ifdef SYNAPT_HAVE_ZLIB
    else {
        if (!(packed = malloc(e->csize ? (size_t)e->csize : 1))) {
            seterr(err, errsz, "%s: out of memory", name);
            rc = SYNAPT_E_NOMEM;
            goto done;
        }
        if (pread_all(z->fd, packed, (size_t)e->csize, doff) != 0) {
            seterr(err, errsz, "%s: read failed", name);
            rc = SYNAPT_E_IO;
            goto done;
        }
        z_stream s;
        memset(&s, 0, sizeof s);
        if (inflateInit2(&s, -MAX_WBITS) != Z_OK) {
            seterr(err, errsz, "%s: zlib initialisation failed", name);
            rc = SYNAPT_E_NOMEM;
            goto done;
        }
        uint64_t in_left = e->csize, out_left = e->usize;
        const uint8_t *ip = packed;
        uint8_t *op = raw;
        int zr = Z_OK;
        /* zlib counts in uInt; feed >4 GiB members in slices */
        while (zr == Z_OK) {
            uInt ia = in_left > (1u << 30) ? (1u << 30) : (uInt)in_left;
            uInt oa = out_left > (1u << 30) ? (1u << 30) : (uInt)out_left;
            s.next_in = (Bytef *)ip;
            s.avail_in = ia;
            s.next_out = op;
            s.avail_out = oa;
            zr = inflate(&s, Z_NO_FLUSH);
            ip += ia - s.avail_in;
            in_left -= ia - s.avail_in;
            op += oa - s.avail_out;
            out_left -= oa - s.avail_out;
            if (zr == Z_OK && s.avail_out == 0 && out_left == 0) {
                /* full: fine only if the stream ends here */
                uint8_t probe;
                s.next_out = &probe;
                s.avail_out = 1;
                zr = inflate(&s, Z_NO_FLUSH);
                if (zr != Z_STREAM_END || s.avail_out != 1) { zr = Z_DATA_ERROR; break; }
            }
            if (zr == Z_BUF_ERROR || (zr == Z_OK && ia == s.avail_in && oa == s.avail_out)) {
                zr = Z_DATA_ERROR;
                break;
            }
        }
        inflateEnd(&s);
        if (zr != Z_STREAM_END || out_left != 0) {
            seterr(err, errsz, "%s: deflate data is damaged or does not match its declared size",
                   name);
            rc = SYNAPT_E_INPUT;
            goto done;
        }
    }
#endif
    if (crc32_of(raw, (size_t)e->usize) != e->crc) {
        seterr(err, errsz, "%s: zip CRC-32 mismatch", name);
        rc = SYNAPT_E_INPUT;
        goto done;
    }
    hdr_info h;
    if ((rc = parse_header(out, &h, raw, (size_t)e->usize, name, err, errsz)) != 0) goto done;
    if (out->data_bytes > z->max_bytes) {
        seterr(err, errsz, "%s: array of %zu bytes exceeds the %llu-byte limit", name,
               out->data_bytes, (unsigned long long)z->max_bytes);
        rc = SYNAPT_E_LIMIT;
        goto done;
    }
    if (e->usize - h.data_off < out->data_bytes) {
        seterr(err, errsz, "%s: .npy data truncated", name);
        rc = SYNAPT_E_TRUNCATED;
        goto done;
    }
    if (e->usize - h.data_off > out->data_bytes) {
        seterr(err, errsz, "%s: %s", name, extra_bytes_msg(e->usize - h.data_off, out->data_bytes));
        rc = SYNAPT_E_INPUT;
        goto done;
    }
    /* reuse the member buffer for the data instead of copying it */
    memmove(raw, raw + h.data_off, out->data_bytes);
    uint8_t *shrunk = realloc(raw, out->data_bytes ? out->data_bytes : 1);
    if (shrunk) raw = shrunk;
    rc = finish_data(out, &h, raw, name, err, errsz);
    raw = NULL;
done:
    if (rc) memset(out, 0, sizeof *out);
    free(raw);
    free(packed);
    return rc;
}
