/* test_filter.c - the prefilters of spec/format.md section 7: known-answer
 * vectors pinning the byte layout, and inverse(forward(x)) == x for many
 * sizes, element sizes and widths, including ragged tails. */
#include <stdint.h>
#include <xxhash.h>
#include "internal.h" /* white box: the prefilters are private; these vectors pin spec section 7 */
#include "testutil.h"

static uint64_t seed = 88172645463325252ull;
static uint8_t rnd8(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return (uint8_t)seed;
}

static void test_shuffle_vector(void)
{
    const uint8_t src[7] = { 1, 2, 3, 4, 5, 6, 7 };
    uint8_t dst[7], back[7];
    sy_shuffle(dst, src, 7, 2);
    const uint8_t want[7] = { 1, 3, 5, 2, 4, 6, 7 };   /* planes, then the odd tail byte */
    CHECK(!memcmp(dst, want, 7));
    sy_unshuffle(back, dst, 7, 2);
    CHECK(!memcmp(back, src, 7));
    sy_shuffle(dst, src, 7, 4);
    const uint8_t want4[7] = { 1, 2, 3, 4, 5, 6, 7 };  /* one element: planes of one byte each */
    CHECK(!memcmp(dst, want4, 7));
    sy_shuffle(dst, src, 7, 1);
    CHECK(!memcmp(dst, src, 7));
}

static void test_depth_med_vector(void)
{
    /* 2x2 frame: 10 12 / 11 15 (spec 7.2 worked by hand)
     * (0,0) pred 0 -> r 10 -> z 20; (0,1) pred left 10 -> r 2 -> z 4;
     * (1,0) pred up 10 -> r 1 -> z 2; (1,1) a 11 b 12 c 10 <= min -> pred 12 -> r 3 -> z 6 */
    uint8_t src[8], dst[8], back[8];
    const uint16_t v[4] = { 10, 12, 11, 15 };
    for (int i = 0; i < 4; i++) sy_wr16(src + 2 * i, v[i]);
    sy_depth_med(dst, src, 8, 2);
    const uint8_t want[8] = { 20, 4, 2, 6, 0, 0, 0, 0 };
    CHECK(!memcmp(dst, want, 8));
    sy_undepth_med(back, dst, 8, 2);
    CHECK(!memcmp(back, src, 8));
    /* negative residual: 5 after 6 -> r = -1 -> z = 1 */
    sy_wr16(src, 6);
    sy_wr16(src + 2, 5);
    sy_depth_med(dst, src, 4, 2);
    CHECK_EQ_INT(dst[1], 1);
    CHECK_EQ_INT(dst[3], 0);
    /* wrap-around: 0 after 65535 */
    sy_wr16(src, 65535);
    sy_wr16(src + 2, 0);
    sy_depth_med(dst, src, 4, 2);
    sy_undepth_med(back, dst, 4, 2);
    CHECK(!memcmp(back, src, 4));
}

static void test_roundtrips(void)
{
    uint8_t a[4099], b[4099], c[4099], prev[4099], tmp[4099];
    int ok = 1;
    for (int iter = 0; iter < 400; iter++) {
        size_t n = (size_t)(rnd8() | (rnd8() << 4)) % sizeof a;
        size_t elem = 1 + rnd8() % 8;
        for (size_t i = 0; i < n; i++) a[i] = iter & 1 ? rnd8() : (uint8_t)(i / 3 + (rnd8() & 3));
        sy_shuffle(b, a, n, elem);
        sy_unshuffle(c, b, n, elem);
        if (memcmp(a, c, n)) ok = 0;
        size_t width = 1 + rnd8() % 40;
        sy_depth_med(b, a, n, width);
        sy_undepth_med(c, b, n, width);
        if (memcmp(a, c, n)) ok = 0;
        sy_depth_med(b, a, n, 0);   /* width 0: one row */
        sy_undepth_med(c, b, n, 0);
        if (memcmp(a, c, n)) ok = 0;
        size_t pn = (size_t)(rnd8() | (rnd8() << 4)) % sizeof prev;
        for (size_t i = 0; i < pn; i++) prev[i] = (uint8_t)(a[i % (n ? n : 1)] ^ (rnd8() & 1));
        sy_xor_prev(b, a, n, prev, pn, elem, tmp);
        sy_unxor_prev(c, b, n, prev, pn, elem);
        if (memcmp(a, c, n)) ok = 0;
        sy_xor_prev(b, a, n, NULL, 0, elem, tmp);
        sy_unxor_prev(c, b, n, NULL, 0, elem);
        if (memcmp(a, c, n)) ok = 0;
    }
    CHECK(ok);
}

/* The depth_med unfilter decodes eight rows at a time with SIMD on
 * x86-64; frames as wide as a sensor's rows, with values at both ends of
 * the range (0 = invalid next to far depth) where the saturating MED
 * arithmetic has its edge cases, and heights that leave a partial block. */
static void test_depth_med_wide(void)
{
    static uint8_t a[2 * 200 * 21 + 1], b[sizeof a], c[sizeof a];
    int ok = 1;
    for (int iter = 0; iter < 60; iter++) {
        size_t w = 16 + rnd8() % 185, h = 1 + rnd8() % 21, n = 2 * w * h + (iter & 1);
        for (size_t i = 0; i < n; i++) {
            uint8_t r = rnd8();
            a[i] = iter % 3 == 0 ? r : iter % 3 == 1 ? (r & 1 ? 0xFF : 0) : (uint8_t)((i / 2 / w) * 7 + (r & 3));
        }
        sy_depth_med(b, a, n, w);
        sy_undepth_med(c, b, n, w);
        if (memcmp(a, c, n)) ok = 0;
    }
    CHECK(ok);
}

/* The C, SSE2 and AVX2 depth_med decoders (the last chosen at run time)
 * must give the same bytes: random residuals, including ones that are no
 * depth_med output at all (the unfilter is total, so corrupt data decodes
 * the same on every CPU), on odd widths and on heights that leave partial
 * blocks of sixteen and eight rows. Without AVX2 in the CPU the top level
 * falls back to SSE2, and the test says so. */
static void test_depth_med_paths(void)
{
    static uint8_t a[2 * 261 * 41 + 1], f[sizeof a], c[3][sizeof a];
    int ok = 1;
    if (sy_simd_isa() < 2) printf("  (this CPU has no AVX2: comparing C and SSE2 only)\n");
    for (int iter = 0; iter < 120; iter++) {
        size_t w = iter % 4 == 0 ? 16 + (size_t)(rnd8() % 4) : 1 + (size_t)(rnd8() | rnd8() << 8) % 261;
        size_t h = 1 + rnd8() % 41, n = 2 * w * h + (iter & 1);
        for (size_t i = 0; i < n; i++) {
            uint8_t r = rnd8();
            a[i] = iter % 3 == 0 ? r : iter % 3 == 1 ? (r & 1 ? 0xFF : 0) : (uint8_t)((i / 2 / w) * 5 + (r & 7));
        }
        if (iter % 5 == 4) memcpy(f, a, n);   /* arbitrary residuals */
        else sy_depth_med(f, a, n, w);
        for (int isa = 0; isa < 3; isa++) {
            memset(c[isa], 0x5A + isa, n);
            sy_undepth_med_isa(c[isa], f, n, w, isa);
        }
        if (memcmp(c[0], c[1], n) || memcmp(c[0], c[2], n)) ok = 0;
        if (iter % 5 != 4 && memcmp(a, c[0], n)) ok = 0;
    }
    CHECK(ok);
}

static void test_xor_vector(void)
{
    const uint8_t prev[4] = { 1, 2, 3, 4 }, cur[6] = { 1, 2, 7, 4, 9, 9 };
    uint8_t dst[6], tmp[6], back[6];
    sy_xor_prev(dst, cur, 6, prev, 4, 2, tmp);
    /* xor over min(6, 4) bytes: 0 0 4 0 9 9, then shuffled by 2 */
    const uint8_t want[6] = { 0, 4, 9, 0, 0, 9 };
    CHECK(!memcmp(dst, want, 6));
    sy_unxor_prev(back, dst, 6, prev, 4, 2);
    CHECK(!memcmp(back, cur, 6));
}

/* The byte-plane gathers of unshuffle and xor_prev (C, SSE2 blocks of
 * sixteen elements with an overlapping last block, AVX2 blocks of
 * thirty-two chosen at run time) against the spec's loops written out
 * plainly: every frame length around the block sizes, 2- and 4-byte
 * elements, previous frames shorter, equal and longer, and every level
 * sy_simd_limit allows. */
static void test_gather_paths(void)
{
    static uint8_t src[4 * 140 + 3], prev[4 * 140 + 3], want[sizeof src], got[sizeof src];
    int ok = 1;
    for (size_t n = 0; n < sizeof src; n += 1 + (n > 140) * 3) {
        for (size_t i = 0; i < sizeof src; i++) { src[i] = rnd8(); prev[i] = rnd8(); }
        for (size_t elem = 2; elem <= 4; elem += 2) {
            size_t ne = n / elem;
            size_t pns[4] = { 0, n / 2, n, n + 3 };
            for (int pi = 0; pi < 4; pi++) {
                size_t pn = pns[pi], m = pi ? (n < pn ? n : pn) : 0;
                for (size_t i = 0; i < ne; i++)
                    for (size_t b = 0; b < elem; b++) want[i * elem + b] = src[b * ne + i];
                memcpy(want + ne * elem, src + ne * elem, n - ne * elem);
                for (size_t i = 0; i < m; i++) want[i] ^= prev[i];
                for (int lim = 0; lim <= 3; lim++) {
                    sy_simd_limit = lim;
                    memset(got, 0xA5, sizeof got);
                    if (pi) sy_unxor_prev(got, src, n, prev, pn, elem);
                    else sy_unshuffle(got, src, n, elem);
                    if (memcmp(got, want, n) || got[n] != 0xA5) ok = 0;
                }
                sy_simd_limit = 3;
            }
        }
    }
    CHECK(ok);
}

/* sy_xxh3 (the chunk checksum, AVX2 code where the CPU has it) gives
 * libxxhash's XXH3_64bits for every length across its size classes
 * (0-16, 17-128, 129-240, then stripes and blocks of 1,024 bytes), at
 * each level sy_simd_limit allows, and at odd addresses. */
static void test_checksum_paths(void)
{
    static uint8_t b[4100 + 1];
    for (size_t i = 0; i < sizeof b; i++) b[i] = rnd8();
    int ok = 1;
    for (size_t n = 0; n + 1 <= sizeof b; n += 1 + (n > 300) * 13)
        for (int lim = 0; lim <= 3; lim++) {
            sy_simd_limit = lim;
            if (sy_xxh3(b, n) != XXH3_64bits(b, n) || sy_xxh3(b + 1, n) != XXH3_64bits(b + 1, n)) ok = 0;
        }
    sy_simd_limit = 3;
    CHECK(ok);
}

int main(void)
{
    RUN(test_shuffle_vector);
    RUN(test_depth_med_vector);
    RUN(test_xor_vector);
    RUN(test_roundtrips);
    RUN(test_depth_med_wide);
    RUN(test_depth_med_paths);
    RUN(test_gather_paths);
    RUN(test_checksum_paths);
    TEST_MAIN_END();
}
