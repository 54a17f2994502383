/* test_depth_strip.c - compression 4, depth_strip (spec/format.md 6.5):
 * round trips through both decoders (portable C and AVX-512, where the
 * CPU has it) on every strip shape (widths 1 to 16, strips of unequal
 * length, group remainders of the four-row order), both palette modes,
 * escapes, palettes across the byte-plane groups and past 1,024 values;
 * rejection of every truncation, of damaged headers and tables, random
 * bytes that never crash and both decoders agreeing on every damaged
 * payload; the writer and reader path (feature bit 3, format 1.4, frames
 * read alone, verify, the zstd fallback, refused combinations); and issue
 * 14's targets on the real depth samples in ../shared/realdata. */
#include <stdint.h>
#include "internal.h" /* white box: the depth_strip coder (sy_dstrip_*) is private */
#include "testutil.h"
#include "png16.h"
#include "depth_files.h"

static uint64_t seed = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return (uint32_t)(seed >> 11);
}

static void *dec_scratch;   /* for widths up to MAXW */

/* The decoders: portable C, AVX2, AVX-512 with rows out through gathers
 * (as without VBMI) and the best (AVX-512 with VBMI here). Levels the CPU
 * lacks fall back to the one below, so every entry runs somewhere. */
enum { NDEC = 4 };
static const char *const dec_name[NDEC] = { "portable", "AVX2", "AVX-512 without VBMI", "best" };
static int decode_with(int d, uint8_t *dst, size_t n, size_t w, const uint8_t *p, size_t len)
{
    static const int isa[NDEC] = { 0, 2, 3, 3 };
    sy_dstrip_no_vbmi = d == 2;
    int rc = sy_dstrip_decode_isa(dst, n, w, p, len, dec_scratch, isa[d]);
    sy_dstrip_no_vbmi = 0;
    return rc;
}
#define MAXW 2048
static int modes_seen[2];

/* encode, then decode with the portable decoder and with the best one;
 * the payload length through *len (may be NULL) */
static int roundtrip(const uint16_t *v, size_t npix, size_t width, size_t *len)
{
    size_t n = npix * 2, k = 0;
    uint8_t *src = malloc(n), *enc = malloc(sy_dstrip_bound(n)), *b0 = malloc(n), *b3 = malloc(n);
    void *scr = malloc(sy_dstrip_scratch(n));
    for (size_t i = 0; i < npix; i++) sy_wr16(src + 2 * i, v[i]);
    int ok = !sy_dstrip_encode(enc, &k, src, n, width, scr) && k <= sy_dstrip_bound(n);
    for (int d = 0; ok && d < NDEC; d++) {
        int rc = decode_with(d, b0, n, width, enc, k);
        if (rc || memcmp(b0, src, n)) {
            printf("  round trip failed: %zu x %zu, payload %zu, decoder %s: %d\n", npix / width, width, k, dec_name[d], rc);
            ok = 0;
        }
    }
    if (len) *len = k;
    if (k && enc[0] < 2) modes_seen[enc[0]] = 1;
    free(src); free(enc); free(b0); free(b3); free(scr);
    return ok;
}

/* A frame of kind `kind`: 0 sensor-like (holes, a slope, noise), 1 few
 * values, 2 many values (identity), 3 big jumps (escapes), 4 constant,
 * 5 random over np values (np set by the caller) */
static unsigned g_np = 300;
static void frame_of(uint16_t *v, size_t h, size_t w, int kind)
{
    for (size_t y = 0; y < h; y++)
        for (size_t x = 0; x < w; x++) {
            uint32_t r = rnd(), val;
            switch (kind) {
            case 0: {   /* planes quantized to steps that grow with depth, +-1 step noise, holes in blocks */
                uint32_t zz = (x < w / 2 ? 800 + 3 * (uint32_t)x : 2400 - (uint32_t)x) + 2 * (uint32_t)y;
                uint32_t q = 1 + zz / 400, n = r % 4 == 0 ? q : 0;
                val = (x / 8 + y / 8) % 11 == 0 ? 0 : (zz / q) * q + (r & 16 ? n : 0u - n);
                break;
            }
            case 1: val = (uint32_t)((x / 3 + y / 2) % 5) * 1000; break;
            case 2: val = (uint32_t)(x * 37 + y * 101 + r % 7) & 0xFFFF; break;
            case 3: val = r % 5 == 0 ? 65535 - r % 50 : 100 + r % 4; break;
            case 4: val = 777; break;
            default: val = (r % g_np) * 7; break;
            }
            v[y * w + x] = (uint16_t)val;
        }
}

static void test_shapes(void)
{
    static const size_t ws[] = { 1, 2, 3, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 79, 100, 127, 128, 130, 200, 640 };
    static const size_t hs[] = { 1, 2, 3, 4, 5, 7, 8, 9, 13 };
    static uint16_t v[640 * 13];
    int fails = 0, runs = 0;
    for (size_t a = 0; a < sizeof ws / sizeof *ws; a++)
        for (size_t b = 0; b < sizeof hs / sizeof *hs; b++)
            for (int kind = 0; kind < 5; kind++) {
                frame_of(v, hs[b], ws[a], kind);
                fails += !roundtrip(v, hs[b] * ws[a], ws[a], NULL);
                runs++;
            }
    printf("  %d shapes x kinds, %d failed\n", runs, fails);
    CHECK_EQ_INT(fails, 0);
    CHECK(modes_seen[0]);
    CHECK(modes_seen[1]);
    /* palettes at the byte planes' 128-value group edges, past 1,024
     * (gathers) and large */
    static const unsigned nps[] = { 1, 2, 127, 128, 129, 256, 257, 513, 1024, 1025, 3000, 9000 };
    fails = 0;
    for (size_t k = 0; k < sizeof nps / sizeof *nps; k++) {
        g_np = nps[k];
        frame_of(v, 13, 640, 5);
        fails += !roundtrip(v, 13 * 640, 640, NULL);
        frame_of(v, 9, 130, 5);
        fails += !roundtrip(v, 9 * 130, 130, NULL);
    }
    CHECK_EQ_INT(fails, 0);
    /* the extremes of the values and of the residuals */
    for (size_t i = 0; i < 64 * 8; i++) v[i] = i % 2 ? 65535 : 0;
    CHECK(roundtrip(v, 64 * 8, 64, NULL));
    for (size_t i = 0; i < 64 * 8; i++) v[i] = (uint16_t)(rnd() & 0xFFFF);
    CHECK(roundtrip(v, 64 * 8, 64, NULL));
    /* frames that are not whole rows */
    uint8_t src[24], enc[2048];
    size_t k = 0;
    void *scr = malloc(sy_dstrip_scratch(24));
    memset(src, 0, sizeof src);
    CHECK(sy_dstrip_encode(enc, &k, src, 24, 5, scr) != 0);
    CHECK(sy_dstrip_encode(enc, &k, src, 23, 1, scr) != 0);
    CHECK(sy_dstrip_encode(enc, &k, src, 24, 0, scr) != 0);
    CHECK_OK(sy_dstrip_encode(enc, &k, src, 24, 4, scr));
    uint8_t back[24];
    CHECK(sy_dstrip_decode(back, 24, 5, enc, k, dec_scratch) != 0);
    CHECK(sy_dstrip_decode(back, 24, 0, enc, k, dec_scratch) != 0);
    CHECK_OK(sy_dstrip_decode(back, 24, 4, enc, k, dec_scratch));
    free(scr);
}

/* Every decoder on one payload: 0 when all accept with the same pixels or
 * all reject; counts the portable decoder's rejections. */
static int both(uint8_t *b0, uint8_t *b3, size_t n, size_t w, const uint8_t *p, size_t len, int *rejected)
{
    int r0 = decode_with(0, b0, n, w, p, len);
    *rejected += r0 != 0;
    for (int d = 1; d < NDEC; d++) {
        int rd = decode_with(d, b3, n, w, p, len);
        if (r0 != rd || (!r0 && memcmp(b0, b3, n))) return 1;
    }
    return 0;
}

static void test_corrupt(void)
{
    enum { H = 11, W = 70, N = H * W * 2 };
    static uint16_t v[H * W];
    frame_of(v, H, W, 0);
    for (int i = 0; i < 20; i++) v[rnd() % (H * W)] = 60000;   /* escapes */
    uint8_t src[N], b0[N], b3[N];
    for (int i = 0; i < H * W; i++) sy_wr16(src + 2 * i, v[i]);
    uint8_t *enc = malloc(sy_dstrip_bound(N)), *bad = malloc(sy_dstrip_bound(N) + 8);
    void *scr = malloc(sy_dstrip_scratch(N));
    size_t k = 0;
    int rej = 0, differ = 0;
    CHECK_OK(sy_dstrip_encode(enc, &k, src, N, W, scr));
    CHECK_OK(sy_dstrip_decode(b3, N, W, enc, k, dec_scratch));
    CHECK(!memcmp(b3, src, N));
    /* every truncation and one byte too many fail, in both decoders */
    for (size_t cut = 0; cut < k; cut++) differ += both(b0, b3, N, W, enc, cut, &rej);
    CHECK_EQ_INT(rej, (int)k);
    memcpy(bad, enc, k);
    bad[k] = 0;
    bad[k + 1] = 0;
    rej = 0;
    differ += both(b0, b3, N, W, bad, k + 2, &rej);
    CHECK_EQ_INT(rej, 1);
    /* mode 2; a palette past 65535; a table of 257 symbols */
    memcpy(bad, enc, k);
    bad[0] = 2;
    CHECK(sy_dstrip_decode(b3, N, W, bad, k, dec_scratch) != 0);
    memcpy(bad, enc, k);
    bad[1] = 0xFF; bad[2] = 0xFF; bad[3] = 0x04;
    CHECK(sy_dstrip_decode(b3, N, W, bad, k, dec_scratch) != 0);
    /* a frame of another size or width */
    CHECK(sy_dstrip_decode(b3, N - 2 * W, W, enc, k, dec_scratch) != 0);
    CHECK(sy_dstrip_decode(b3, N, 2 * W, enc, k, dec_scratch) != 0);
    /* every one-bit change: both decoders agree, most are caught (the
     * chunk checksum catches the rest in a file) */
    int tried = 0;
    rej = 0;
    for (size_t i = 0; i < k; i++)
        for (int bit = 0; bit < 8; bit += 3) {
            memcpy(bad, enc, k);
            bad[i] ^= (uint8_t)(1u << bit);
            tried++;
            differ += both(b0, b3, N, W, bad, k, &rej);
        }
    printf("  %d of %d one-bit changes rejected by the decoder alone\n", rej, tried);
    CHECK(rej * 2 > tried);
    /* random payloads, random tails after a valid head */
    for (int t = 0; t < 2000; t++) {
        size_t len = 1 + rnd() % 1200;
        for (size_t i = 0; i < len; i++) bad[i] = (uint8_t)rnd();
        bad[0] = (uint8_t)(rnd() % 2);
        differ += both(b0, b3, N, W, bad, len, &rej);
        memcpy(bad, enc, k);
        size_t from = rnd() % k;
        for (size_t i = from; i < k; i++) bad[i] = (uint8_t)rnd();
        differ += both(b0, b3, N, W, bad, k, &rej);
    }
    CHECK_EQ_INT(differ, 0);
    free(enc); free(bad); free(scr);
}

/* ---- through the writer and reader -------------------------------------- */

static const char *write_file(const char *name, const uint16_t *frames, size_t h, size_t w, uint32_t nf, int comp,
                              int filt, int wdepth)
{
    return depth_file_write(name, frames, h, w, nf, comp, filt, SYNAPT_DTYPE_U16, wdepth);
}

static void test_file(void)
{
    enum { H = 96, W = 320, T = 7 };
    static uint16_t fr[T * H * W];
    for (int t = 0; t < T; t++) frame_of(fr + (size_t)t * H * W, H, W, t == 4 ? 3 : 0);
    const char *p = write_file("strip", fr, H, W, T, SYNAPT_COMPRESSION_DEPTH_STRIP, SYNAPT_FILTER_AUTO,
                               SYNAPT_COMPRESSION_AUTO);
    CHECK(p != NULL);
    synapt_reader *r = NULL;
    if (p && !synapt_reader_open(&r, p, NULL)) {
        synapt_file_info fi;
        CHECK_OK(synapt_reader_file_info(&fi, r));
        CHECK_EQ_INT(fi.format_minor, SYNAPT_FORMAT_MINOR);
        CHECK_EQ_INT(fi.format_minor, 4);
        CHECK((fi.required_features & 8) != 0);   /* and the zstd path's bits where a chunk took it */
        synapt_stream_info si;
        CHECK_OK(synapt_reader_stream(&si, r, 0, 0));
        CHECK_EQ_INT(si.compression, SYNAPT_COMPRESSION_DEPTH_STRIP);
        synapt_chunk_info ci;
        CHECK_OK(synapt_reader_chunk(&ci, r, 0, 0, 0));
        CHECK_EQ_INT(ci.compression, SYNAPT_COMPRESSION_DEPTH_STRIP);
        CHECK_EQ_INT(ci.filter, SYNAPT_FILTER_NONE);
        size_t fb = (size_t)H * W * 2, got = 0;
        uint8_t *back = malloc(fb * T);
        CHECK_OK(synapt_reader_read_frames(back, fb * T, &got, r, 0, 0, 0, T));
        CHECK(got == fb * T && !memcmp(back, fr, fb * T));
        CHECK_OK(synapt_reader_read_frames(back, fb, &got, r, 0, 0, 5, 1));
        CHECK(got == fb && !memcmp(back, fr + 5 * H * W, fb));
        CHECK_OK(synapt_reader_verify(r, NULL, NULL));
        free(back);
        synapt_reader_close(r);
    }
    /* the writer option: a depth stream of AUTO compression gets it */
    p = write_file("strip_opt", fr, H, W, 2, SYNAPT_COMPRESSION_AUTO, SYNAPT_FILTER_AUTO,
                   SYNAPT_COMPRESSION_DEPTH_STRIP);
    CHECK(p != NULL);
    if (p && !synapt_reader_open(&r, p, NULL)) {
        synapt_chunk_info ci;
        CHECK_OK(synapt_reader_chunk(&ci, r, 0, 0, 0));
        CHECK_EQ_INT(ci.compression, SYNAPT_COMPRESSION_DEPTH_STRIP);
        CHECK_OK(synapt_reader_verify(r, NULL, NULL));
        synapt_reader_close(r);
    }
    /* tiny frames, where 64 states and 108 tables cost more than they
     * save, stay on zstd; the stream still says depth_strip */
    static const uint16_t tiny[3 * 2 * 3] = { 5, 6, 7, 5, 6, 7, 5, 6, 7, 5, 6, 7, 5, 6, 7, 5, 6, 7 };
    p = write_file("strip_tiny", tiny, 2, 3, 3, SYNAPT_COMPRESSION_DEPTH_STRIP, SYNAPT_FILTER_AUTO,
                   SYNAPT_COMPRESSION_AUTO);
    CHECK(p != NULL);
    if (p && !synapt_reader_open(&r, p, NULL)) {
        synapt_stream_info si;
        synapt_chunk_info ci;
        CHECK_OK(synapt_reader_stream(&si, r, 0, 0));
        CHECK_EQ_INT(si.compression, SYNAPT_COMPRESSION_DEPTH_STRIP);
        CHECK_OK(synapt_reader_chunk(&ci, r, 0, 0, 0));
        CHECK_EQ_INT(ci.compression, SYNAPT_COMPRESSION_ZSTD_FRAME);
        uint16_t back16[18];
        size_t got = 0;
        CHECK_OK(synapt_reader_read_frames(back16, sizeof back16, &got, r, 0, 0, 0, 3));
        CHECK(got == sizeof back16 && !memcmp(back16, tiny, sizeof tiny));
        CHECK_OK(synapt_reader_verify(r, NULL, NULL));
        synapt_reader_close(r);
    }
    /* refused: a filter with it, f32 depth */
    CHECK(!write_file("strip_f", fr, H, W, 1, SYNAPT_COMPRESSION_DEPTH_STRIP, SYNAPT_FILTER_SHUFFLE,
                      SYNAPT_COMPRESSION_AUTO));
}

/* Issue 14's targets: at least 2x smaller than the 16-bit PNG file, and
 * never larger than the zstd default (the writer keeps the smaller). */
static void test_real_samples(void) { depth_real_samples("depth_strip", roundtrip); }

int main(void)
{
    dec_scratch = malloc(sy_dstrip_dec_scratch(MAXW));
    printf("  decoders: portable, AVX2, AVX-512 with and without VBMI (each where this CPU has it, else the "
           "level below; this CPU's vector level: %d)\n", sy_simd_isa());
    RUN(test_shapes);
    RUN(test_corrupt);
    RUN(test_file);
    if (tu_realdata()) RUN(test_real_samples);
    else test_real_samples();
    free(dec_scratch);
    TEST_MAIN_END();
}
