/* test_npy.c - the .npy writer and the bounded .npy/.npz reader (tools/npy.c):
 * round trips, hostile headers and archives, and interoperability with
 * numpy itself (/usr/bin/python3; SKIP when numpy is absent). */
#include "npy/npy.h"
#include "synapt.h"
#include "testutil.h"

#include <math.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

static char err[512];

static const char *tmp(const char *name)
{
    static char buf[8][1024];
    static int k;
    char *b = buf[k++ & 7];
    snprintf(b, 1024, "%s/npy-%s", tu_tmp_dir(), name);
    return b;
}

static int put_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t w = fwrite(data, 1, n, f);
    return fclose(f) == 0 && w == n ? 0 : -1;
}

/* A .npy image with a hand-written header dict (padded like numpy does). */
static size_t make_npy(uint8_t *out, size_t cap, const char *dict, const void *data, size_t n)
{
    size_t dl = strlen(dict), total = (10 + dl + 1 + 63) / 64 * 64;
    if (total + n > cap) return 0;
    memcpy(out, "\x93NUMPY\x01\x00", 8);
    out[8] = (uint8_t)((total - 10) & 0xFF);
    out[9] = (uint8_t)((total - 10) >> 8);
    memcpy(out + 10, dict, dl);
    memset(out + 10 + dl, ' ', total - 10 - dl - 1);
    out[total - 1] = '\n';
    if (n) memcpy(out + total, data, n);
    return total + n;
}

static void roundtrip_dtypes(void)
{
    static const int dts[] = { SYNAPT_DTYPE_U8, SYNAPT_DTYPE_I8, SYNAPT_DTYPE_U16, SYNAPT_DTYPE_I16,
                               SYNAPT_DTYPE_U32, SYNAPT_DTYPE_I32, SYNAPT_DTYPE_F32, SYNAPT_DTYPE_F64,
                               SYNAPT_DTYPE_U64, SYNAPT_DTYPE_I64, SYNAPT_DTYPE_F16 };
    uint8_t data[2 * 3 * 4 * 8];
    for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)(i * 37 + 11);
    for (size_t k = 0; k < sizeof dts / sizeof dts[0]; k++) {
        uint64_t shape[3] = { 2, 3, 4 };
        const char *p = tmp("rt.npy");
        size_t bytes = 24 * synapt_dtype_size(dts[k]);
        CHECK_OK(npy_save(p, dts[k], shape, 3, data, err, sizeof err));
        npy_array a;
        CHECK_OK(npy_read_file(&a, p, 0, err, sizeof err));
        CHECK_EQ_INT(a.dtype, dts[k]);
        CHECK_EQ_INT(a.ndim, 3);
        CHECK_EQ_INT(a.shape[0], 2);
        CHECK_EQ_INT(a.shape[2], 4);
        CHECK_EQ_INT(a.count, 24);
        CHECK_EQ_INT(a.data_bytes, bytes);
        CHECK(a.data && memcmp(a.data, data, bytes) == 0);
        npy_array_free(&a);
        /* header padded so data starts on a 64-byte boundary, as numpy does */
        struct stat st;
        CHECK(stat(p, &st) == 0 && (size_t)st.st_size % 64 == bytes % 64);
    }
}

static void roundtrip_edge_shapes(void)
{
    const char *p = tmp("edge.npy");
    float v = 2.5f;
    npy_array a;
    CHECK_OK(npy_save(p, SYNAPT_DTYPE_F32, NULL, 0, &v, err, sizeof err));
    CHECK_OK(npy_read_file(&a, p, 0, err, sizeof err));
    CHECK_EQ_INT(a.ndim, 0);
    CHECK_EQ_INT(a.count, 1);
    double d = 0;
    CHECK_OK(npy_array_get_f64(&d, &a, 0));
    CHECK(d == 2.5);
    npy_array_free(&a);

    uint64_t shape[4] = { 0, 5, 1, 3 };
    CHECK_OK(npy_save(p, SYNAPT_DTYPE_U16, shape, 4, NULL, err, sizeof err));
    CHECK_OK(npy_read_file(&a, p, 0, err, sizeof err));
    CHECK_EQ_INT(a.ndim, 4);
    CHECK_EQ_INT(a.count, 0);
    CHECK_EQ_INT(a.shape[1], 5);
    npy_array_free(&a);

    uint64_t one[1] = { 3 };
    int32_t iv[3] = { -7, 0, 2147483647 };
    CHECK_OK(npy_save(p, SYNAPT_DTYPE_I32, one, 1, iv, err, sizeof err));
    CHECK_OK(npy_read_file(&a, p, 0, err, sizeof err));
    int64_t x = 0;
    CHECK_OK(npy_array_get_i64(&x, &a, 0));
    CHECK_EQ_INT(x, -7);
    CHECK_OK(npy_array_get_i64(&x, &a, 2));
    CHECK_EQ_INT(x, 2147483647);
    CHECK_EQ_INT(npy_array_get_i64(&x, &a, 3), SYNAPT_E_RANGE);
    npy_array_free(&a);
}

static void writer_is_atomic(void)
{
    const char *p = tmp("atomic.npy");
    unlink(p);
    uint64_t shape[1] = { 4 };
    npy_writer *w;
    CHECK_OK(npy_writer_open(&w, p, SYNAPT_DTYPE_U8, shape, 1, err, sizeof err));
    CHECK(access(p, F_OK) != 0);             /* nothing at the path yet */
    CHECK_OK(npy_writer_write(w, "ab", 2));
    CHECK_EQ_INT(npy_writer_write(w, "cdef", 4), SYNAPT_E_INVALID_ARG); /* too much */
    CHECK(npy_writer_close(w, err, sizeof err) != 0);
    CHECK(access(p, F_OK) != 0);             /* failure leaves nothing */

    CHECK_OK(npy_writer_open(&w, p, SYNAPT_DTYPE_U8, shape, 1, err, sizeof err));
    CHECK_OK(npy_writer_write(w, "abc", 3));
    CHECK_EQ_INT(npy_writer_close(w, err, sizeof err), SYNAPT_E_STATE); /* too little */
    CHECK(access(p, F_OK) != 0);

    CHECK_OK(npy_writer_open(&w, p, SYNAPT_DTYPE_U8, shape, 1, err, sizeof err));
    npy_writer_abort(w);
    CHECK(access(p, F_OK) != 0);

    CHECK(npy_save("/nonexistent-dir/x.npy", SYNAPT_DTYPE_U8, shape, 1, "abcd", err, sizeof err)
          == SYNAPT_E_IO);
    CHECK(strstr(err, "/nonexistent-dir/x.npy") != NULL);
}

static void reader_byte_order_and_fortran(void)
{
    uint8_t img[512];
    /* big-endian u16 [1, 2, 258] */
    const uint8_t be[] = { 0, 1, 0, 2, 1, 2 };
    size_t n = make_npy(img, sizeof img, "{'descr': '>u2', 'fortran_order': False, 'shape': (3,), }", be, 6);
    npy_array a;
    CHECK_OK(npy_read_memory(&a, img, n, "be", 0, err, sizeof err));
    uint16_t *v = a.data;
    CHECK(v && v[0] == 1 && v[1] == 2 && v[2] == 258);
    npy_array_free(&a);

    /* Fortran-order 2x3 u8: memory holds columns; C order is row by row */
    const uint8_t f[] = { 0, 3, 1, 4, 2, 5 };
    n = make_npy(img, sizeof img, "{'descr': '|u1', 'fortran_order': True, 'shape': (2, 3), }", f, 6);
    CHECK_OK(npy_read_memory(&a, img, n, "fortran", 0, err, sizeof err));
    uint8_t *u = a.data;
    CHECK(u && u[0] == 0 && u[1] == 1 && u[2] == 2 && u[3] == 3 && u[4] == 4 && u[5] == 5);
    npy_array_free(&a);

    /* Fortran 2x3x2 against the index formula */
    uint8_t f3[12];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 2; k++) f3[i + 2 * j + 6 * k] = (uint8_t)(i * 100 + j * 10 + k);
    n = make_npy(img, sizeof img, "{'descr': '|u1', 'fortran_order': True, 'shape': (2, 3, 2), }", f3, 12);
    CHECK_OK(npy_read_memory(&a, img, n, "fortran3", 0, err, sizeof err));
    u = a.data;
    int ok = u != NULL;
    for (int i = 0; ok && i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 2; k++) ok &= u[(i * 3 + j) * 2 + k] == i * 100 + j * 10 + k;
    CHECK(ok);
    npy_array_free(&a);

    /* bool, byte strings, unicode (with Python 2 style 'L' longs in shape) */
    n = make_npy(img, sizeof img, "{'descr': '|b1', 'fortran_order': False, 'shape': (2L,), }", "\x01\x00", 2);
    CHECK_OK(npy_read_memory(&a, img, n, "bool", 0, err, sizeof err));
    CHECK(a.kind == 'b' && a.count == 2);
    double d = -1;
    CHECK_OK(npy_array_get_f64(&d, &a, 0));
    CHECK(d == 1.0);
    npy_array_free(&a);

    n = make_npy(img, sizeof img, "{'descr': '|S4', 'fortran_order': False, 'shape': (2,), }", "walkrun\0", 8);
    CHECK_OK(npy_read_memory(&a, img, n, "bytes", 0, err, sizeof err));
    char s[16];
    CHECK_OK(npy_array_get_str(s, sizeof s, &a, 1));
    CHECK(strcmp(s, "run") == 0);
    CHECK_EQ_INT(npy_array_get_str(s, 3, &a, 0), SYNAPT_E_BUFFER);
    npy_array_free(&a);

    const uint32_t uni[4] = { 'h', 0xE9, 0x1F600, 0 }; /* "hé😀" */
    n = make_npy(img, sizeof img, "{'descr': '<U4', 'fortran_order': False, 'shape': (), }", uni, 16);
    CHECK_OK(npy_read_memory(&a, img, n, "unicode", 0, err, sizeof err));
    CHECK_OK(npy_array_get_str(s, sizeof s, &a, 0));
    CHECK(strcmp(s, "h\xC3\xA9\xF0\x9F\x98\x80") == 0);
    npy_array_free(&a);
}

/* Each hostile image must fail with its code, zero the output, and never
 * allocate what the header claims. */
static void reader_rejects_hostile(void)
{
    static const struct { const char *dict; size_t data; int code; } cases[] = {
        { "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", 8, SYNAPT_E_UNSUPPORTED },
        { "{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (1,), }", 4, SYNAPT_E_UNSUPPORTED },
        { "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", 8, SYNAPT_E_UNSUPPORTED },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", 0, SYNAPT_E_INPUT },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", 0, SYNAPT_E_INPUT },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000,), }", 16, SYNAPT_E_LIMIT },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", 16, SYNAPT_E_TRUNCATED },
        { "{'descr': '<f4', 'fortran_order': False, }", 0, SYNAPT_E_INPUT },
        { "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,), }", 4, SYNAPT_E_INPUT },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1, }", 4, SYNAPT_E_INPUT },
        { "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 4, SYNAPT_E_INPUT },
        { "{'descr': '|u2', 'fortran_order': False, 'shape': (1,), }", 2, SYNAPT_E_INPUT },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (1,2", 0, SYNAPT_E_INPUT },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1), }", 4, SYNAPT_E_UNSUPPORTED },
        { "", 0, SYNAPT_E_INPUT },
    };
    static uint8_t img[4096], zeros[64];
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        size_t n = make_npy(img, sizeof img, cases[k].dict, zeros, cases[k].data);
        npy_array a;
        int rc = npy_read_memory(&a, img, n, "hostile", 1u << 20, err, sizeof err);
        if (rc != cases[k].code) printf("  case %zu: got %d (%s), want %d\n", k, rc, err, cases[k].code);
        CHECK_EQ_INT(rc, cases[k].code);
        CHECK(a.data == NULL && a.count == 0);
        CHECK(strncmp(err, "hostile:", 8) == 0);
    }
    npy_array a;
    CHECK_EQ_INT(npy_read_memory(&a, "\x93NUMPY\x01", 7, "short", 0, err, sizeof err), SYNAPT_E_TRUNCATED);
    CHECK_EQ_INT(npy_read_memory(&a, "PK\x03\x04......", 10, "zip", 0, err, sizeof err), SYNAPT_E_INPUT);
    /* header length beyond the cap (version 2, 4 GiB header) */
    CHECK_EQ_INT(npy_read_memory(&a, "\x93NUMPY\x02\x00\xff\xff\xff\xff", 12, "v2", 0, err, sizeof err),
                 SYNAPT_E_LIMIT);
    CHECK_EQ_INT(npy_read_memory(&a, "\x93NUMPY\x09\x00\x10\x00", 10, "v9", 0, err, sizeof err),
                 SYNAPT_E_UNSUPPORTED);
    /* a file that says more than it holds, and a missing file */
    size_t n = make_npy(img, sizeof img, "{'descr': '<u2', 'fortran_order': False, 'shape': (100,), }", zeros, 10);
    const char *p = tmp("short.npy");
    CHECK_OK(put_file(p, img, n));
    CHECK_EQ_INT(npy_read_file(&a, p, 0, err, sizeof err), SYNAPT_E_TRUNCATED);
    CHECK(strstr(err, p) != NULL);
    CHECK_EQ_INT(npy_read_file(&a, tmp("missing.npy"), 0, err, sizeof err), SYNAPT_E_IO);
}

static void npz_rejects_hostile(void)
{
    npz_archive *z = NULL;
    const char *p = tmp("bad.npz");
    CHECK_OK(put_file(p, "not a zip at all, just text that is long enough", 48));
    CHECK_EQ_INT(npz_open(&z, p, 0, err, sizeof err), SYNAPT_E_INPUT);
    CHECK(z == NULL);
    /* an end record pointing its directory past the end of the file */
    uint8_t eocd[22] = { 0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 1, 0, 1, 0, 46, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0 };
    CHECK_OK(put_file(p, eocd, sizeof eocd));
    CHECK_EQ_INT(npz_open(&z, p, 0, err, sizeof err), SYNAPT_E_TRUNCATED);
    /* a directory claiming more entries than its bytes can hold */
    uint8_t eocd2[22] = { 0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0xff, 0x0f, 0xff, 0x0f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    CHECK_OK(put_file(p, eocd2, sizeof eocd2));
    CHECK_EQ_INT(npz_open(&z, p, 0, err, sizeof err), SYNAPT_E_INPUT);
    CHECK_EQ_INT(npz_open(&z, tmp("missing.npz"), 0, err, sizeof err), SYNAPT_E_IO);
}

/* ---- against numpy ---- */

static int have_numpy(void)
{
    return access("/usr/bin/python3", X_OK) == 0 &&
           system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") == 0;
}

static int py(const char *code)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd '%s' && /usr/bin/python3 -c \"%s\"", tu_tmp_dir(), code);
    return system(cmd);
}

static void numpy_reads_ours(void)
{
    if (!have_numpy()) { tu_skip("numpy_reads_ours", "no numpy in /usr/bin/python3"); return; }
    float v[2 * 3];
    for (int i = 0; i < 6; i++) v[i] = (float)i * 1.5f - 2.0f;
    uint64_t shape[2] = { 2, 3 };
    CHECK_OK(npy_save(tmp("ours.npy"), SYNAPT_DTYPE_F32, shape, 2, v, err, sizeof err));
    uint64_t one[1] = { 4 };
    uint16_t h[4] = { 0x3C00, 0xC000, 0x7BFF, 0x0001 }; /* 1, -2, 65504, smallest subnormal */
    CHECK_OK(npy_save(tmp("half.npy"), SYNAPT_DTYPE_F16, one, 1, h, err, sizeof err));
    CHECK_EQ_INT(py("import numpy as np\n"
                    "a = np.load('npy-ours.npy')\n"
                    "assert a.dtype == np.float32 and a.shape == (2, 3), (a.dtype, a.shape)\n"
                    "assert (a == np.arange(6, dtype=np.float32).reshape(2, 3) * 1.5 - 2).all()\n"
                    "b = np.load('npy-half.npy')\n"
                    "assert b.dtype == np.float16 and list(b[:3]) == [1, -2, 65504] and b[3] > 0\n"), 0);
}

static void we_read_numpy(void)
{
    if (!have_numpy()) { tu_skip("we_read_numpy", "no numpy in /usr/bin/python3"); return; }
    CHECK_EQ_INT(py("import numpy as np\n"
                    "a = np.arange(24, dtype='>i4').reshape(2, 3, 4)\n"
                    "np.save('npy-np-be.npy', a)\n"
                    "np.save('npy-np-f.npy', np.asfortranarray(np.arange(12, dtype=np.float64).reshape(3, 4)))\n"
                    "np.save('npy-np-u.npy', np.array(['walk', 'sit down']))\n"
                    "big = np.arange(200000, dtype=np.uint16).reshape(400, 500)\n"
                    "np.savez('npy-np.npz', a=a, big=big, labels=np.array([3, 1, 2], dtype=np.int64))\n"
                    "np.savez_compressed('npy-npc.npz', a=a, big=big)\n"), 0);
    npy_array a;
    CHECK_OK(npy_read_file(&a, tmp("np-be.npy"), 0, err, sizeof err));
    CHECK_EQ_INT(a.dtype, SYNAPT_DTYPE_I32);
    int ok = a.count == 24;
    for (uint64_t i = 0; ok && i < 24; i++) ok &= ((int32_t *)a.data)[i] == (int32_t)i;
    CHECK(ok);
    npy_array_free(&a);

    CHECK_OK(npy_read_file(&a, tmp("np-f.npy"), 0, err, sizeof err));
    ok = a.count == 12 && a.shape[0] == 3 && a.shape[1] == 4;
    for (uint64_t i = 0; ok && i < 12; i++) ok &= ((double *)a.data)[i] == (double)i;
    CHECK(ok);
    npy_array_free(&a);

    CHECK_OK(npy_read_file(&a, tmp("np-u.npy"), 0, err, sizeof err));
    char s[32];
    CHECK(a.kind == 'U');
    CHECK_OK(npy_array_get_str(s, sizeof s, &a, 1));
    CHECK(strcmp(s, "sit down") == 0);
    npy_array_free(&a);

    for (int compressed = 0; compressed < 2; compressed++) {
        npz_archive *z = NULL;
        const char *p = tmp(compressed ? "npc.npz" : "np.npz");
        if (compressed && !npz_has_deflate()) { tu_skip("we_read_numpy deflate", "built without zlib"); break; }
        CHECK_OK(npz_open(&z, p, 0, err, sizeof err));
        if (!z) continue;
        CHECK_EQ_INT(npz_count(z), compressed ? 2 : 3);
        CHECK(strcmp(npz_key(z, 0), "a") == 0);
        CHECK_OK(npz_read(&a, z, "big", err, sizeof err));
        ok = a.count == 200000 && a.dtype == SYNAPT_DTYPE_U16;
        for (uint64_t i = 0; ok && i < a.count; i++) ok &= ((uint16_t *)a.data)[i] == (uint16_t)i;
        CHECK(ok);
        npy_array_free(&a);
        CHECK_OK(npz_read(&a, z, "a", err, sizeof err));
        CHECK(a.count == 24 && ((int32_t *)a.data)[23] == 23);
        npy_array_free(&a);
        CHECK_EQ_INT(npz_read(&a, z, "nope", err, sizeof err), SYNAPT_E_NOT_FOUND);
        /* a cap below the member size is refused before allocating */
        npz_close(z);
        CHECK_OK(npz_open(&z, p, 1000, err, sizeof err));
        if (z) CHECK_EQ_INT(npz_read(&a, z, "big", err, sizeof err), SYNAPT_E_LIMIT);
        npz_close(z);
    }

    /* a deflated member claiming 900 MB is refused before allocating */
    if (npz_has_deflate()) {
        static uint8_t zb[1 << 20];
        FILE *zf = fopen(tmp("npc.npz"), "rb");
        size_t zn = zf ? fread(zb, 1, sizeof zb, zf) : 0;
        if (zf) fclose(zf);
        size_t cd = 0;
        for (size_t i = 0; i + 4 <= zn; i++)
            if (memcmp(zb + i, "PK\x01\x02", 4) == 0) { cd = i; break; }
        CHECK(cd > 0);
        if (cd) {
            uint32_t lie = 900000000u;
            memcpy(zb + cd + 24, &lie, 4); /* little-endian host, as the test machines are */
            CHECK_OK(put_file(tmp("npc-lie.npz"), zb, zn));
            npz_archive *zl = NULL;
            CHECK_OK(npz_open(&zl, tmp("npc-lie.npz"), 0, err, sizeof err));
            if (zl) {
                CHECK_EQ_INT(npz_read(&a, zl, npz_key(zl, 0), err, sizeof err), SYNAPT_E_INPUT);
                npz_close(zl);
            }
        }
    }

    /* damage: flip a byte inside the stored 'big' member -> CRC mismatch */
    FILE *f = fopen(tmp("np.npz"), "rb");
    static uint8_t buf[1 << 20];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f) fclose(f);
    CHECK(n > 300000);
    buf[n / 2] ^= 0x01;
    CHECK_OK(put_file(tmp("np-bad.npz"), buf, n));
    npz_archive *z = NULL;
    CHECK_OK(npz_open(&z, tmp("np-bad.npz"), 0, err, sizeof err));
    if (z) {
        int rc = npz_read(&a, z, "big", err, sizeof err);
        CHECK(rc == SYNAPT_E_INPUT);
        CHECK(strstr(err, "CRC") != NULL || strstr(err, "header") != NULL);
        npz_close(z);
    }
    /* every truncation of the archive fails cleanly */
    int clean = 1;
    for (size_t cut = 0; cut < n; cut += n / 97 + 1) {
        CHECK_OK(put_file(tmp("np-cut.npz"), buf, cut));
        if (npz_open(&z, tmp("np-cut.npz"), 0, err, sizeof err) == 0) {
            for (size_t i = 0; i < npz_count(z); i++)
                if (npz_read(&a, z, npz_key(z, i), err, sizeof err) == 0) npy_array_free(&a);
            npz_close(z);
        }
    }
    CHECK(clean);
}

/* Random byte mutations of valid images: every outcome is a clean success
 * or a clean error (ASan/UBSan builds catch the rest). Deterministic PRNG. */
static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

static void mutations_never_crash(void)
{
    uint8_t img[1024], m[1024];
    int16_t vals[40];
    for (int i = 0; i < 40; i++) vals[i] = (int16_t)(i * 77);
    size_t n = make_npy(img, sizeof img, "{'descr': '<i2', 'fortran_order': True, 'shape': (5, 8), }", vals, 80);
    for (int it = 0; it < 20000; it++) {
        memcpy(m, img, n);
        int flips = 1 + (int)(next_rand() % 4);
        for (int k = 0; k < flips; k++) m[next_rand() % n] = (uint8_t)next_rand();
        size_t len = next_rand() % 8 == 0 ? next_rand() % (n + 1) : n;
        npy_array a;
        if (npy_read_memory(&a, m, len, "mut", 1u << 16, err, sizeof err) == 0) {
            CHECK(a.data_bytes <= len);
            npy_array_free(&a);
        }
    }
    if (!have_numpy()) { tu_skip("mutations_never_crash npz", "no numpy"); return; }
    CHECK_EQ_INT(py("import numpy as np\n"
                    "np.savez('npy-small.npz', a=np.arange(6, dtype=np.int16), b=np.eye(3))\n"
                    "np.savez_compressed('npy-smallc.npz', a=np.arange(60, dtype=np.int16), b=np.eye(3))\n"), 0);
    for (int which = 0; which < 2; which++) {
        FILE *f = fopen(tmp(which ? "smallc.npz" : "small.npz"), "rb");
        static uint8_t z0[8192], zm[8192];
        size_t zn = f ? fread(z0, 1, sizeof z0, f) : 0;
        if (f) fclose(f);
        CHECK(zn > 100 && zn < sizeof z0);
        for (int it = 0; it < 1500 && zn; it++) {
            memcpy(zm, z0, zn);
            int flips = 1 + (int)(next_rand() % 3);
            for (int k = 0; k < flips; k++) zm[next_rand() % zn] = (uint8_t)next_rand();
            size_t len = next_rand() % 8 == 0 ? next_rand() % (zn + 1) : zn;
            if (put_file(tmp("mut.npz"), zm, len) != 0) break;
            npz_archive *z = NULL;
            if (npz_open(&z, tmp("mut.npz"), 1u << 20, err, sizeof err) != 0) continue;
            for (size_t i = 0; i < npz_count(z); i++) {
                npy_array a;
                if (npz_read(&a, z, npz_key(z, i), err, sizeof err) == 0) npy_array_free(&a);
            }
            npz_close(z);
        }
    }
}

int main(void)
{
    RUN(roundtrip_dtypes);
    RUN(roundtrip_edge_shapes);
    RUN(writer_is_atomic);
    RUN(reader_byte_order_and_fortran);
    RUN(reader_rejects_hostile);
    RUN(npz_rejects_hostile);
    RUN(numpy_reads_ours);
    RUN(we_read_numpy);
    RUN(mutations_never_crash);
    TEST_MAIN_END();
}
