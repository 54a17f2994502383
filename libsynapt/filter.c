/* filter.c - the reversible prefilters of spec/format.md. They turn
 * structured arrays into byte streams zstd compresses well: byte planes
 * (shuffle), prediction residuals for smooth depth (depth_med, depth_up), and
 * temporal differences for slowly moving poses (xor_prev). Each works on one frame and
 * never reads past n bytes, whatever n and elem are.
 *
 * Unfiltering sits on the read path of every depth and pose window, so the
 * loops are written for the compiler: element sizes 2, 4 and 8 get their own
 * constant-size instances, and depth_med walks rows carrying its neighbours
 * in registers instead of recomputing positions per pixel. The depth_med
 * decoder has SSE2 (every x86-64) and AVX2 versions; AVX2 is chosen at run
 * time, so the library still runs on any x86-64, and every version gives
 * the same bytes as the C loop (tests/core/test_filter compares them). */
#include "internal.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "libsynapt stores frames in host byte order and the format is little-endian"
#endif
#if defined(__SSE2__)
#include <emmintrin.h>
#define SY_SSE2 1
#endif

static inline uint16_t ld16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline void st16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }

static inline void shuffle_k(uint8_t *restrict dst, const uint8_t *restrict src, size_t ne, size_t elem)
{
    for (size_t b = 0; b < elem; b++) {
        uint8_t *d = dst + b * ne;
        const uint8_t *s = src + b;
        for (size_t i = 0; i < ne; i++) d[i] = s[i * elem];
    }
}

/* Gathering byte planes back into elements is a byte transpose: with SSE2
 * (every x86-64) 16 elements at a time through unpack instructions, which
 * compilers do not find on their own; the scalar loops do the rest. With
 * prev, the previous frame is XORed in on the way (xor_prev). Returns how
 * many elements were done. */
static size_t gather2_vec(uint8_t *restrict dst, const uint8_t *restrict src, size_t ne)
{
    size_t i = 0;
#ifdef SY_SSE2
    for (; ne >= 16; i += 16) {
        if (i + 16 > ne) {
            if (i == ne) break;
            i = ne - 16;   /* the last partial block, as in gather4_vec */
        }
        __m128i a = _mm_loadu_si128((const __m128i *)(src + i)), b = _mm_loadu_si128((const __m128i *)(src + ne + i));
        _mm_storeu_si128((__m128i *)(dst + 2 * i), _mm_unpacklo_epi8(a, b));
        _mm_storeu_si128((__m128i *)(dst + 2 * i + 16), _mm_unpackhi_epi8(a, b));
    }
#else
    (void)dst; (void)src; (void)ne;
#endif
    return i;
}

static size_t gather4_avx2_any(uint8_t *restrict dst, const uint8_t *restrict src, size_t ne,
                               const uint8_t *restrict prev, size_t mk);

/* From element i (what the AVX2 version left, or 0) on. */
static size_t gather4_vec(uint8_t *restrict dst, const uint8_t *restrict src, size_t ne,
                          const uint8_t *restrict prev, size_t mk)
{
    size_t i = gather4_avx2_any(dst, src, ne, prev, mk);
#ifdef SY_SSE2
    const uint8_t *p0 = src, *p1 = src + ne, *p2 = src + 2 * ne, *p3 = src + 3 * ne;
    for (; ne >= 16; i += 16) {
        if (i + 16 > ne) {
            /* the last partial block: redo the sixteen elements ending at
             * ne (dst aliases neither src nor prev, so rewriting is
             * harmless); the scalar loops take it when prev is shorter */
            if (i == ne || (prev && ne > mk)) break;
            i = ne - 16;
        }
        __m128i a0 = _mm_loadu_si128((const __m128i *)(p0 + i)), a1 = _mm_loadu_si128((const __m128i *)(p1 + i));
        __m128i a2 = _mm_loadu_si128((const __m128i *)(p2 + i)), a3 = _mm_loadu_si128((const __m128i *)(p3 + i));
        __m128i l01 = _mm_unpacklo_epi8(a0, a1), h01 = _mm_unpackhi_epi8(a0, a1);
        __m128i l23 = _mm_unpacklo_epi8(a2, a3), h23 = _mm_unpackhi_epi8(a2, a3);
        __m128i e[4] = { _mm_unpacklo_epi16(l01, l23), _mm_unpackhi_epi16(l01, l23),
                         _mm_unpacklo_epi16(h01, h23), _mm_unpackhi_epi16(h01, h23) };
        if (prev && i + 16 <= mk)
            for (int k = 0; k < 4; k++)
                e[k] = _mm_xor_si128(e[k], _mm_loadu_si128((const __m128i *)(prev + 4 * i + 16 * k)));
        else if (prev)
            break;   /* the frame outgrows the previous one here: scalar */
        for (int k = 0; k < 4; k++) _mm_storeu_si128((__m128i *)(dst + 4 * i + 16 * k), e[k]);
    }
#else
    (void)dst; (void)src; (void)ne; (void)prev; (void)mk;
#endif
    return i;
}

static inline void unshuffle_k(uint8_t *restrict dst, const uint8_t *restrict src, size_t ne, size_t elem)
{
    if (elem == 2) {
        const uint8_t *p0 = src, *p1 = src + ne;
        for (size_t i = gather2_vec(dst, src, ne); i < ne; i++) st16(dst + 2 * i, (uint16_t)(p0[i] | p1[i] << 8));
        return;
    }
    if (elem == 4) {
        const uint8_t *p0 = src, *p1 = src + ne, *p2 = src + 2 * ne, *p3 = src + 3 * ne;
        for (size_t i = gather4_vec(dst, src, ne, NULL, 0); i < ne; i++) {
            uint32_t v = (uint32_t)p0[i] | (uint32_t)p1[i] << 8 | (uint32_t)p2[i] << 16 | (uint32_t)p3[i] << 24;
            memcpy(dst + 4 * i, &v, 4);
        }
        return;
    }
    for (size_t i = 0; i < ne; i++)
        for (size_t b = 0; b < elem; b++) dst[i * elem + b] = src[b * ne + i];
}

void sy_shuffle(uint8_t *dst, const uint8_t *src, size_t n, size_t elem)
{
    if (!n) return;
    if (elem <= 1) { memcpy(dst, src, n); return; }
    size_t ne = n / elem;
    switch (elem) {
    case 2: shuffle_k(dst, src, ne, 2); break;
    case 4: shuffle_k(dst, src, ne, 4); break;
    case 8: shuffle_k(dst, src, ne, 8); break;
    default: shuffle_k(dst, src, ne, elem); break;
    }
    memcpy(dst + ne * elem, src + ne * elem, n - ne * elem);
}

void sy_unshuffle(uint8_t *dst, const uint8_t *src, size_t n, size_t elem)
{
    if (!n) return;
    if (elem <= 1) { memcpy(dst, src, n); return; }
    size_t ne = n / elem;
    switch (elem) {
    case 2: unshuffle_k(dst, src, ne, 2); break;
    case 4: unshuffle_k(dst, src, ne, 4); break;
    case 8: unshuffle_k(dst, src, ne, 8); break;
    default: unshuffle_k(dst, src, ne, elem); break;
    }
    memcpy(dst + ne * elem, src + ne * elem, n - ne * elem);
}

/* MED (LOCO-I) predictor from left a, up b, up-left c. */
static inline int imin(int a, int b) { return a < b ? a : b; }
static inline int imax(int a, int b) { return a > b ? a : b; }
/* median(a, b, a + b - c) is the MED rule without branches */
static inline int med(int a, int b, int c) { return imax(imin(a, b), imin(imax(a, b), a + b - c)); }

static inline uint16_t zig(uint16_t r) { return (uint16_t)((uint16_t)(r << 1) ^ (uint16_t)-(r >> 15)); }
static inline uint16_t unzig(uint16_t z) { return (uint16_t)((z >> 1) ^ (uint16_t)-(z & 1)); }

/* The prediction of element i only reads elements before i (left, up,
 * up-left), so the same row walk serves both directions: `v` holds the raw
 * values (src when filtering, dst when unfiltering, already written). */
void sy_depth_med(uint8_t *dst, const uint8_t *src, size_t n, size_t width)
{
    size_t ne = n / 2;
    size_t w = width ? width : (ne ? ne : 1);
    uint8_t *lo = dst, *hi = dst + ne;
    size_t i = 0;
    uint16_t a = 0;
    for (; i < ne && i < w; i++) {            /* row 0: predict from the left */
        uint16_t x = ld16(src + 2 * i), z = zig((uint16_t)(x - a));
        lo[i] = (uint8_t)z; hi[i] = (uint8_t)(z >> 8);
        a = x;
    }
    while (i < ne) {
        const uint8_t *up = src + 2 * (i - w);
        size_t end = ne - i < w ? ne : i + w;
        uint16_t b = ld16(up), c = b;
        uint16_t x = ld16(src + 2 * i), z = zig((uint16_t)(x - b));   /* column 0: predict from above */
        lo[i] = (uint8_t)z; hi[i] = (uint8_t)(z >> 8);
        a = x;
        i++;
        for (size_t k = 1; i < end; i++, k++) {
            b = ld16(up + 2 * k);
            x = ld16(src + 2 * i);
            z = zig((uint16_t)(x - (uint16_t)med(a, b, c)));
            lo[i] = (uint8_t)z; hi[i] = (uint8_t)(z >> 8);
            a = x;
            c = b;
        }
    }
    if (n & 1) dst[n - 1] = src[n - 1];
}

/* The first row of depth_med and depth_up, predicted from the left (0 for
 * pixel 0), from the zigzagged planes lo/hi; returns the pixels done. */
static size_t unfilter_row0(uint8_t *dst, const uint8_t *lo, const uint8_t *hi, size_t ne, size_t w)
{
    size_t i = 0;
    uint16_t a = 0;
    for (; i < ne && i < w; i++) {
        a = (uint16_t)(a + unzig((uint16_t)(lo[i] | hi[i] << 8)));
        st16(dst + 2 * i, a);
    }
    return i;
}

/* depth_up (7.6): the residual from the pixel above, from the left
 * neighbour on the first row (0 for pixel 0), zigzagged into depth_med's
 * two byte planes. */
void sy_depth_up(uint8_t *dst, const uint8_t *src, size_t n, size_t width)
{
    size_t ne = n / 2;
    size_t w = width ? width : (ne ? ne : 1);
    uint8_t *lo = dst, *hi = dst + ne;
    uint16_t a = 0;
    for (size_t i = 0; i < ne; i++) {
        uint16_t x = ld16(src + 2 * i), p = i >= w ? ld16(src + 2 * (i - w)) : a;
        uint16_t z = zig((uint16_t)(x - p));
        lo[i] = (uint8_t)z;
        hi[i] = (uint8_t)(z >> 8);
        a = x;
    }
    if (n & 1) dst[n - 1] = src[n - 1];
}

/* One row of k pixels after the first: no dependency inside the row, so
 * SSE2 (every x86-64) takes sixteen pixels per step: two byte-plane loads,
 * the interleave, the unzigzag and one addition of the row above. o and
 * up are different rows of the same frame. */
static void unup_row(uint8_t *restrict o, const uint8_t *restrict up, const uint8_t *restrict lo,
                     const uint8_t *restrict hi, size_t k)
{
    size_t x = 0;
#ifdef SY_SSE2
    const __m128i one = _mm_set1_epi16(1), zero = _mm_setzero_si128();
    for (; x + 16 <= k; x += 16) {
        __m128i l = _mm_loadu_si128((const __m128i *)(lo + x)), h = _mm_loadu_si128((const __m128i *)(hi + x));
        __m128i z0 = _mm_unpacklo_epi8(l, h), z1 = _mm_unpackhi_epi8(l, h);
        z0 = _mm_xor_si128(_mm_srli_epi16(z0, 1), _mm_sub_epi16(zero, _mm_and_si128(z0, one)));
        z1 = _mm_xor_si128(_mm_srli_epi16(z1, 1), _mm_sub_epi16(zero, _mm_and_si128(z1, one)));
        _mm_storeu_si128((__m128i *)(o + 2 * x), _mm_add_epi16(_mm_loadu_si128((const __m128i *)(up + 2 * x)), z0));
        _mm_storeu_si128((__m128i *)(o + 2 * x + 16),
                         _mm_add_epi16(_mm_loadu_si128((const __m128i *)(up + 2 * x + 16)), z1));
    }
#endif
    for (; x < k; x++) st16(o + 2 * x, (uint16_t)(ld16(up + 2 * x) + unzig((uint16_t)(lo[x] | hi[x] << 8))));
}

void sy_undepth_up(uint8_t *dst, const uint8_t *src, size_t n, size_t width)
{
    size_t ne = n / 2;
    size_t w = width ? width : (ne ? ne : 1);
    const uint8_t *lo = src, *hi = src + ne;
    size_t i = unfilter_row0(dst, lo, hi, ne, w);
    for (; i < ne; i += w) unup_row(dst + 2 * i, dst + 2 * (i - w), lo + i, hi + i, ne - i < w ? ne - i : w);
    if (n & 1) dst[n - 1] = src[n - 1];
}

/* Unfiltering is a dependency chain through the left neighbour; decoding
 * two rows together, the lower one consuming each pixel of the upper one
 * as soon as it is known, gives the CPU two chains to overlap (about 1.3x
 * on x86-64). */
static inline int med_step(int a, int b, int c, uint8_t zl, uint8_t zh)
{
    return (uint16_t)(med(a, b, c) + unzig((uint16_t)(zl | zh << 8)));
}

#ifdef SY_SSE2
static inline void transpose8(__m128i v[8])
{
    __m128i t0 = _mm_unpacklo_epi16(v[0], v[1]), t1 = _mm_unpackhi_epi16(v[0], v[1]);
    __m128i t2 = _mm_unpacklo_epi16(v[2], v[3]), t3 = _mm_unpackhi_epi16(v[2], v[3]);
    __m128i t4 = _mm_unpacklo_epi16(v[4], v[5]), t5 = _mm_unpackhi_epi16(v[4], v[5]);
    __m128i t6 = _mm_unpacklo_epi16(v[6], v[7]), t7 = _mm_unpackhi_epi16(v[6], v[7]);
    __m128i u0 = _mm_unpacklo_epi32(t0, t2), u1 = _mm_unpackhi_epi32(t0, t2);
    __m128i u2 = _mm_unpacklo_epi32(t1, t3), u3 = _mm_unpackhi_epi32(t1, t3);
    __m128i u4 = _mm_unpacklo_epi32(t4, t6), u5 = _mm_unpackhi_epi32(t4, t6);
    __m128i u6 = _mm_unpacklo_epi32(t5, t7), u7 = _mm_unpackhi_epi32(t5, t7);
    v[0] = _mm_unpacklo_epi64(u0, u4); v[1] = _mm_unpackhi_epi64(u0, u4);
    v[2] = _mm_unpacklo_epi64(u1, u5); v[3] = _mm_unpackhi_epi64(u1, u5);
    v[4] = _mm_unpacklo_epi64(u2, u6); v[5] = _mm_unpackhi_epi64(u2, u6);
    v[6] = _mm_unpacklo_epi64(u3, u7); v[7] = _mm_unpackhi_epi64(u3, u7);
}

/* One wavefront step on biased values (u + 0x8000, so that SSE2's signed
 * 16-bit min and max order them as unsigned). MED is the prediction
 * clamped between the neighbours: with lo = min(a,b), hi = max(a,b),
 * median(a, b, a+b-c) = lo + hi - clamp(c, lo, hi); the biases cancel
 * in lo + hi - clamp. `b` is the left neighbour's lane from the step
 * before with the row above in lane 0; the chain through `a` is six
 * operations long. */
static inline __m128i med_vstep(__m128i a, __m128i *bp, __m128i r, __m128i upb)
{
    __m128i b = _mm_or_si128(_mm_slli_si128(a, 2), upb);
    __m128i lo = _mm_min_epi16(a, b), hi = _mm_max_epi16(a, b);
    __m128i cl = _mm_min_epi16(_mm_max_epi16(*bp, lo), hi);
    *bp = b;
    return _mm_sub_epi16(_mm_add_epi16(_mm_add_epi16(lo, hi), r), cl);
}

/* Eight rows at once as a wavefront: lane j of a vector decodes row j at
 * column s - j in step s, so its left neighbour is its own lane from the
 * step before and its upper neighbours are lane j-1 from the steps before
 * (lane 0 reads the decoded row above the block). Residuals go in and
 * values come out through 8x8 transposes of rows loaded j columns apart.
 * Lanes outside the row compute values nobody uses and are not stored; a
 * lane at column 0 takes a = c = b, which turns MED into the column-0
 * rule (predict from above). Fewer than eight rows (the end of a frame)
 * leave the upper lanes idle. Needs w >= 16. */
static void med_block8(uint8_t *dst, const uint8_t *lo, const uint8_t *hi, size_t w, size_t rows)
{
    const uint8_t *up = dst - 2 * w;
    const __m128i one = _mm_set1_epi16(1), zero = _mm_setzero_si128(), bias = _mm_set1_epi16((short)0x8000);
    const __m128i lane = _mm_set_epi16(7, 6, 5, 4, 3, 2, 1, 0);
    __m128i a = zero, bp = zero;
    for (size_t s0 = 0; s0 < w + 7; s0 += 8) {
        int head = s0 == 0, edge = s0 + 8 > w;
        __m128i z[8];
        for (size_t j = 0; j < 8; j++) {
            size_t at = j * w + s0 - j;          /* row j, column s0 - j (j*w >= j) */
            if (j >= rows) {
                z[j] = zero;
                continue;
            }
            if (!edge) {
                z[j] = _mm_unpacklo_epi8(_mm_loadl_epi64((const __m128i *)(lo + at)),
                                         _mm_loadl_epi64((const __m128i *)(hi + at)));
                continue;
            }
            uint8_t bl[8] = { 0 }, bh[8] = { 0 };
            for (size_t k = 0; k < 8 && s0 + k < w + j; k++) { bl[k] = lo[at + k]; bh[k] = hi[at + k]; }
            z[j] = _mm_unpacklo_epi8(_mm_loadl_epi64((const __m128i *)bl), _mm_loadl_epi64((const __m128i *)bh));
        }
        transpose8(z);
        for (size_t k = 0; k < 8; k++)           /* unzig */
            z[k] = _mm_xor_si128(_mm_srli_epi16(z[k], 1), _mm_sub_epi16(zero, _mm_and_si128(z[k], one)));
        if (head) {
            for (size_t k = 0; k < 8; k++) {
                /* lane k reaches column 0: a = c = b there */
                __m128i upb = _mm_cvtsi32_si128(ld16(up + 2 * k) ^ 0x8000);
                __m128i b = _mm_or_si128(_mm_slli_si128(a, 2), upb);
                __m128i m = _mm_cmpeq_epi16(lane, _mm_set1_epi16((short)k));
                a = _mm_or_si128(_mm_andnot_si128(m, a), _mm_and_si128(m, b));
                bp = _mm_or_si128(_mm_andnot_si128(m, bp), _mm_and_si128(m, b));
                z[k] = a = med_vstep(a, &bp, z[k], upb);
            }
        } else {
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 8
#endif
            for (size_t k = 0; k < 8; k++)
                z[k] = a = med_vstep(a, &bp, z[k], _mm_cvtsi32_si128(ld16(up + 2 * (s0 + k)) ^ 0x8000));
        }
        for (size_t k = 0; k < 8; k++) z[k] = _mm_xor_si128(z[k], bias);
        transpose8(z);
        for (size_t j = 0; j < rows; j++) {
            if (!head && !edge) {
                _mm_storeu_si128((__m128i *)(dst + 2 * (j * w + s0 - j)), z[j]);
                continue;
            }
            uint8_t t[16];
            _mm_storeu_si128((__m128i *)t, z[j]);
            /* columns 0 .. w-1 only; in the last steps the top rows are done */
            size_t k0 = head ? j : 0, k1 = s0 >= w + j ? 0 : w + j - s0 < 8 ? w + j - s0 : 8;
            if (k1 > k0) memcpy(dst + 2 * (j * w + s0 + k0 - j), t + 2 * k0, 2 * (k1 - k0));
        }
    }
}
#endif

#if defined(SY_SSE2) && defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define SY_AVX2 1
#define SY_AVX2_FN __attribute__((target("avx2")))

/* Eight u16 residuals (zigzagged) at element `at` of the block's planes
 * of `len` elements. Lanes left of column 0 or right of the last column
 * read a neighbouring row's residuals, which only those idle lanes use;
 * past the block's end they read zeros. */
SY_AVX2_FN static inline __m128i med_ld8(const uint8_t *lo, const uint8_t *hi, size_t at, size_t len)
{
    if (at + 8 <= len)
        return _mm_unpacklo_epi8(_mm_loadl_epi64((const __m128i *)(lo + at)), _mm_loadl_epi64((const __m128i *)(hi + at)));
    uint8_t bl[8] = { 0 }, bh[8] = { 0 };
    for (size_t k = 0; k < 8 && at + k < len; k++) { bl[k] = lo[at + k]; bh[k] = hi[at + k]; }
    return _mm_unpacklo_epi8(_mm_loadl_epi64((const __m128i *)bl), _mm_loadl_epi64((const __m128i *)bh));
}

/* Stores the values of `row` at columns col .. col+7 that lie in the row:
 * the others would overwrite finished pixels of the neighbouring rows. */
SY_AVX2_FN static inline void med_st8(uint8_t *dst, size_t w, size_t row, ptrdiff_t col, __m128i v)
{
    if (col >= 0 && (size_t)col + 8 <= w) {
        _mm_storeu_si128((__m128i *)(dst + 2 * (row * w + (size_t)col)), v);
        return;
    }
    uint8_t t[16];
    _mm_storeu_si128((__m128i *)t, v);
    ptrdiff_t k0 = col < 0 ? -col : 0, k1 = (ptrdiff_t)w - col < 8 ? (ptrdiff_t)w - col : 8;
    if (k1 > k0) memcpy(dst + 2 * (row * w + (size_t)(col + k0)), t + 2 * k0, 2 * (size_t)(k1 - k0));
}

SY_AVX2_FN static inline void transpose8x2(__m256i v[8])
{
    __m256i t0 = _mm256_unpacklo_epi16(v[0], v[1]), t1 = _mm256_unpackhi_epi16(v[0], v[1]);
    __m256i t2 = _mm256_unpacklo_epi16(v[2], v[3]), t3 = _mm256_unpackhi_epi16(v[2], v[3]);
    __m256i t4 = _mm256_unpacklo_epi16(v[4], v[5]), t5 = _mm256_unpackhi_epi16(v[4], v[5]);
    __m256i t6 = _mm256_unpacklo_epi16(v[6], v[7]), t7 = _mm256_unpackhi_epi16(v[6], v[7]);
    __m256i u0 = _mm256_unpacklo_epi32(t0, t2), u1 = _mm256_unpackhi_epi32(t0, t2);
    __m256i u2 = _mm256_unpacklo_epi32(t1, t3), u3 = _mm256_unpackhi_epi32(t1, t3);
    __m256i u4 = _mm256_unpacklo_epi32(t4, t6), u5 = _mm256_unpackhi_epi32(t4, t6);
    __m256i u6 = _mm256_unpacklo_epi32(t5, t7), u7 = _mm256_unpackhi_epi32(t5, t7);
    v[0] = _mm256_unpacklo_epi64(u0, u4); v[1] = _mm256_unpackhi_epi64(u0, u4);
    v[2] = _mm256_unpacklo_epi64(u1, u5); v[3] = _mm256_unpackhi_epi64(u1, u5);
    v[4] = _mm256_unpacklo_epi64(u2, u6); v[5] = _mm256_unpackhi_epi64(u2, u6);
    v[6] = _mm256_unpacklo_epi64(u3, u7); v[7] = _mm256_unpackhi_epi64(u3, u7);
}

/* Sixteen rows at once with AVX2. A 256-bit vector is two 128-bit halves
 * that shift independently, so each half runs med_block8's wavefront on
 * its own eight rows: the low half rows 0-7 (lane j at column s - j in
 * step s), the high half rows 8-15 sixteen steps later (lane j at column
 * s - 16 - j). The high half's top lane needs row 7 at column s - 16,
 * which the low half finished at step s - 9, in an earlier block of
 * eight steps, so it comes from dst like the row above the block does
 * and no value crosses between halves inside the chain: the chain per
 * step stays med_vstep's six operations, now for sixteen pixels. The
 * lanes left of column 0 or right of the last one compute values that
 * are neither stored nor read by a lane in the row. Needs w >= 16 and
 * sixteen rows. */
SY_AVX2_FN __attribute__((always_inline)) static inline void
med_steps16(uint8_t *dst, const uint8_t *lo, const uint8_t *hi, size_t w, size_t rows, size_t s0, int head, int inner,
            __m256i *ap, __m256i *bpp)
{
    const uint8_t *up = dst - 2 * w, *row7 = dst + 2 * 7 * w;
    const __m256i one = _mm256_set1_epi16(1), bias = _mm256_set1_epi16((short)0x8000);
    __m256i a = *ap, bp = *bpp, z[8];
    ptrdiff_t s = (ptrdiff_t)s0;
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 8
#endif
    for (size_t j = 0; j < 8; j++) {            /* row j at column s - j, row 8 + j at s - 16 - j */
        size_t at0 = j * w + s0 - j, at1 = (8 + j) * w + s0 - 16 - j;
        if (inner)
            z[j] = _mm256_set_m128i(
                _mm_unpacklo_epi8(_mm_loadl_epi64((const __m128i *)(lo + at1)), _mm_loadl_epi64((const __m128i *)(hi + at1))),
                _mm_unpacklo_epi8(_mm_loadl_epi64((const __m128i *)(lo + at0)), _mm_loadl_epi64((const __m128i *)(hi + at0))));
        else
            z[j] = _mm256_set_m128i(med_ld8(lo, hi, at1, rows * w), med_ld8(lo, hi, at0, rows * w));
    }
    transpose8x2(z);
    for (size_t k = 0; k < 8; k++)              /* unzig */
        z[k] = _mm256_xor_si256(_mm256_srli_epi16(z[k], 1), _mm256_sub_epi16(_mm256_setzero_si256(), _mm256_and_si256(z[k], one)));
    /* the row above each half's top lane for the eight steps, biased;
     * columns outside the row feed idle lanes only, and with w >= 16 they
     * stay inside rows -1 .. 8 of dst, which the block's 9+ rows cover */
    __m256i U = _mm256_xor_si256(_mm256_set_m128i(_mm_loadu_si128((const __m128i *)(row7 + 2 * s0 - 32)),
                                                  _mm_loadu_si128((const __m128i *)(up + 2 * s0))), bias);
    /* b = the left neighbour's lane shifted up one, with the row above
     * (U's lane k, moved to lane 7 of x) entering lane 0: one alignr on
     * the chain. t is pinned so that the compiler cannot reassociate
     * a = mn + mx + r - cl into an order with a longer chain: as written
     * the chain per step is alignr, min, max, min, sub. */
#define SY_MED_STEP(k)                                                                                    \
    do {                                                                                                  \
        __m256i x = _mm256_slli_si256(U, 14 - 2 * (k));                                                   \
        if (head) {                                                                                       \
            /* a lane at column 0: a = c = b turns MED into predict-from-above */                        \
            const __m256i start = _mm256_set_epi16(23, 22, 21, 20, 19, 18, 17, 16, 7, 6, 5, 4, 3, 2, 1, 0); \
            __m256i b0 = _mm256_alignr_epi8(a, x, 14);                                                    \
            __m256i m = _mm256_cmpeq_epi16(start, _mm256_set1_epi16((short)(s0 + (k))));                  \
            a = _mm256_blendv_epi8(a, b0, m);                                                             \
            bp = _mm256_blendv_epi8(bp, b0, m);                                                           \
        }                                                                                                 \
        __m256i b = _mm256_alignr_epi8(a, x, 14);                                                         \
        __m256i mn = _mm256_min_epi16(a, b), mx = _mm256_max_epi16(a, b);                                 \
        __m256i cl = _mm256_min_epi16(_mm256_max_epi16(bp, mn), mx);                                      \
        __m256i t = _mm256_add_epi16(_mm256_add_epi16(mn, mx), z[k]);                                     \
        __asm__("" : "+x"(t));                                                                            \
        bp = b;                                                                                           \
        a = _mm256_sub_epi16(t, cl);                                                                      \
        z[k] = _mm256_xor_si256(a, bias);                                                                 \
    } while (0)
    SY_MED_STEP(0); SY_MED_STEP(1); SY_MED_STEP(2); SY_MED_STEP(3);
    SY_MED_STEP(4); SY_MED_STEP(5); SY_MED_STEP(6); SY_MED_STEP(7);
#undef SY_MED_STEP
    *ap = a;
    *bpp = bp;
    transpose8x2(z);
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 8
#endif
    for (size_t j = 0; j < 8; j++) {
        if (inner) {
            _mm_storeu_si128((__m128i *)(dst + 2 * (j * w + s0 - j)), _mm256_castsi256_si128(z[j]));
            _mm_storeu_si128((__m128i *)(dst + 2 * ((8 + j) * w + s0 - 16 - j)), _mm256_extracti128_si256(z[j], 1));
            continue;
        }
        med_st8(dst, w, j, s - (ptrdiff_t)j, _mm256_castsi256_si128(z[j]));
        if (8 + j < rows) med_st8(dst, w, 8 + j, s - 16 - (ptrdiff_t)j, _mm256_extracti128_si256(z[j], 1));
    }
}

/* Sixteen rows at once with AVX2. A 256-bit vector is two 128-bit halves
 * that shift independently, so each half runs med_block8's wavefront on
 * its own eight rows: the low half rows 0-7 (lane j at column s - j in
 * step s), the high half rows 8-15 sixteen steps later (lane j at column
 * s - 16 - j). The high half's top lane needs row 7 at column s - 16,
 * which the low half finished at step s - 9, in an earlier group of
 * eight steps, so it comes from dst like the row above the block does
 * and no value crosses between halves inside the chain: a step is still
 * med_vstep's six dependent operations, now for sixteen pixels. Lanes
 * outside their row compute values that are never stored; the steps
 * where a lane reaches column 0 (s0 = 0 and 16) reset it. Needs w >= 16
 * and 9 to 16 rows (fewer leave lanes of the high half idle). */
SY_AVX2_FN static void med_block16_avx2(uint8_t *dst, const uint8_t *lo, const uint8_t *hi, size_t w, size_t rows)
{
    __m256i a = _mm256_setzero_si256(), bp = _mm256_setzero_si256();
    for (size_t s0 = 0; s0 < w + 23; s0 += 8) {
        /* inner: every lane of both halves inside its row, no checks */
        if (rows == 16 && s0 >= 23 && s0 + 8 <= w)
            med_steps16(dst, lo, hi, w, rows, s0, 0, 1, &a, &bp);
        else if (s0 == 0 || s0 == 16)
            med_steps16(dst, lo, hi, w, rows, s0, 1, 0, &a, &bp);
        else
            med_steps16(dst, lo, hi, w, rows, s0, 0, 0, &a, &bp);
    }
}

/* Whether the CPU and the OS run AVX2 code (libgcc checks both). */
static int have_avx2(void)
{
    return __builtin_cpu_supports("avx2");
}

/* gather4_vec's transpose 32 elements at a time: the unpacks work within
 * each 128-bit half (elements 0-15 in the low halves, 16-31 in the high),
 * and permute2x128 puts the halves back in element order. */
SY_AVX2_FN static size_t gather4_avx2(uint8_t *restrict dst, const uint8_t *restrict src, size_t ne,
                                      const uint8_t *restrict prev, size_t mk)
{
    const uint8_t *p0 = src, *p1 = src + ne, *p2 = src + 2 * ne, *p3 = src + 3 * ne;
    size_t lim = prev && mk < ne ? mk : ne, i = 0;
    for (; i + 32 <= lim; i += 32) {
        __m256i a0 = _mm256_loadu_si256((const __m256i *)(p0 + i)), a1 = _mm256_loadu_si256((const __m256i *)(p1 + i));
        __m256i a2 = _mm256_loadu_si256((const __m256i *)(p2 + i)), a3 = _mm256_loadu_si256((const __m256i *)(p3 + i));
        __m256i l01 = _mm256_unpacklo_epi8(a0, a1), h01 = _mm256_unpackhi_epi8(a0, a1);
        __m256i l23 = _mm256_unpacklo_epi8(a2, a3), h23 = _mm256_unpackhi_epi8(a2, a3);
        __m256i e0 = _mm256_unpacklo_epi16(l01, l23), e1 = _mm256_unpackhi_epi16(l01, l23);
        __m256i e2 = _mm256_unpacklo_epi16(h01, h23), e3 = _mm256_unpackhi_epi16(h01, h23);
        __m256i o[4] = { _mm256_permute2x128_si256(e0, e1, 0x20), _mm256_permute2x128_si256(e2, e3, 0x20),
                         _mm256_permute2x128_si256(e0, e1, 0x31), _mm256_permute2x128_si256(e2, e3, 0x31) };
        if (prev)
            for (int k = 0; k < 4; k++)
                o[k] = _mm256_xor_si256(o[k], _mm256_loadu_si256((const __m256i *)(prev + 4 * i + 32 * k)));
        for (int k = 0; k < 4; k++) _mm256_storeu_si256((__m256i *)(dst + 4 * i + 32 * k), o[k]);
    }
    return i;
}
#endif

static size_t gather4_avx2_any(uint8_t *restrict dst, const uint8_t *restrict src, size_t ne,
                               const uint8_t *restrict prev, size_t mk)
{
#ifdef SY_AVX2
    if (ne >= 32 && sy_simd_isa() >= 2) return gather4_avx2(dst, src, ne, prev, mk);
#else
    (void)dst; (void)src; (void)ne; (void)prev; (void)mk;
#endif
    return 0;
}

/* isa: 0 portable C, 1 SSE2 blocks of eight rows, 2 AVX2 blocks of sixteen
 * (then eight, then C for the rows left); every path gives the same bytes. */
void sy_undepth_med_isa(uint8_t *dst, const uint8_t *src, size_t n, size_t width, int isa)
{
    int best = sy_simd_isa();
    if (isa > best) isa = best;
    size_t ne = n / 2;
    size_t w = width ? width : (ne ? ne : 1);
    const uint8_t *lo = src, *hi = src + ne;
    size_t i = unfilter_row0(dst, lo, hi, ne, w);
    while (i < ne) {
        const uint8_t *up = dst + 2 * (i - w);
#ifdef SY_AVX2
        if (isa >= 2 && w >= 16 && ne - i >= 9 * w) {
            size_t rows = (ne - i) / w < 16 ? (ne - i) / w : 16;
            med_block16_avx2(dst + 2 * i, lo + i, hi + i, w, rows);
            i += rows * w;
            continue;
        }
#endif
#ifdef SY_SSE2
        if (isa >= 1 && w >= 16 && ne - i >= w) {
            size_t rows = (ne - i) / w < 8 ? (ne - i) / w : 8;
            med_block8(dst + 2 * i, lo + i, hi + i, w, rows);
            i += rows * w;
            continue;
        }
#endif
        if (ne - i >= 2 * w) {
            uint8_t *r0 = dst + 2 * i, *r1 = r0 + 2 * w;
            const uint8_t *l0 = lo + i, *h0 = hi + i, *l1 = l0 + w, *h1 = h0 + w;
            int b0 = ld16(up), c0 = b0;
            int a0 = (uint16_t)(b0 + unzig((uint16_t)(l0[0] | h0[0] << 8)));
            st16(r0, (uint16_t)a0);
            int c1 = a0;
            int a1 = (uint16_t)(a0 + unzig((uint16_t)(l1[0] | h1[0] << 8)));
            st16(r1, (uint16_t)a1);
            for (size_t x = 1; x < w; x++) {
                b0 = ld16(up + 2 * x);
                a0 = med_step(a0, b0, c0, l0[x], h0[x]);
                st16(r0 + 2 * x, (uint16_t)a0);
                c0 = b0;
                a1 = med_step(a1, a0, c1, l1[x], h1[x]);
                st16(r1 + 2 * x, (uint16_t)a1);
                c1 = a0;
            }
            i += 2 * w;
            continue;
        }
        size_t end = ne - i < w ? ne : i + w;
        int b = ld16(up), c = b, v = (uint16_t)(b + unzig((uint16_t)(lo[i] | hi[i] << 8)));
        st16(dst + 2 * i, (uint16_t)v);
        i++;
        for (size_t k = 1; i < end; i++, k++) {
            b = ld16(up + 2 * k);
            v = med_step(v, b, c, lo[i], hi[i]);
            st16(dst + 2 * i, (uint16_t)v);
            c = b;
        }
    }
    if (n & 1) dst[n - 1] = src[n - 1];
}

int sy_simd_limit = 3;

int sy_simd_isa(void)
{
    int lim = sy_simd_limit;
#if defined(SY_AVX2)
    if (lim >= 3 && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vbmi") &&
        __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512vbmi2") && __builtin_cpu_supports("bmi2"))
        return 3;
    return have_avx2() && lim >= 2 ? 2 : lim >= 1 ? 1 : 0;
#elif defined(SY_SSE2)
    return lim >= 1 ? 1 : 0;
#else
    return 0;
#endif
}

void sy_undepth_med(uint8_t *dst, const uint8_t *src, size_t n, size_t width)
{
    sy_undepth_med_isa(dst, src, n, width, 2);
}

void sy_xor_prev(uint8_t *dst, const uint8_t *src, size_t n, const uint8_t *prev,
                 size_t prev_n, size_t elem, uint8_t *tmp)
{
    if (!n) return;
    size_t m = prev ? (n < prev_n ? n : prev_n) : 0;
    for (size_t i = 0; i < m; i++) tmp[i] = src[i] ^ prev[i];
    memcpy(tmp + m, src + m, n - m);
    sy_shuffle(dst, tmp, n, elem);
}

/* f32 pose frames (elem 4) are the common case: gathering the four planes
 * and XORing the previous frame in one pass reads and writes each byte
 * once, where unshuffle-then-XOR walked dst twice. */
static void unxor4(uint8_t *restrict dst, const uint8_t *restrict src, size_t n,
                   const uint8_t *restrict prev, size_t m)
{
    size_t ne = n / 4, mk = m / 4, i = gather4_vec(dst, src, ne, prev, mk);
    const uint8_t *p0 = src, *p1 = src + ne, *p2 = src + 2 * ne, *p3 = src + 3 * ne;
    for (; i < mk; i++) {
        uint32_t v = (uint32_t)p0[i] | (uint32_t)p1[i] << 8 | (uint32_t)p2[i] << 16 | (uint32_t)p3[i] << 24, q;
        memcpy(&q, prev + 4 * i, 4);
        v ^= q;
        memcpy(dst + 4 * i, &v, 4);
    }
    for (; i < ne; i++) {
        uint32_t v = (uint32_t)p0[i] | (uint32_t)p1[i] << 8 | (uint32_t)p2[i] << 16 | (uint32_t)p3[i] << 24;
        memcpy(dst + 4 * i, &v, 4);
    }
    memcpy(dst + 4 * ne, src + 4 * ne, n - 4 * ne);
    /* a partial element and the tail bytes inside the common length */
    for (size_t q = 4 * mk; q < m; q++) dst[q] ^= prev[q];
}

void sy_unxor_prev(uint8_t *dst, const uint8_t *src, size_t n, const uint8_t *prev,
                   size_t prev_n, size_t elem)
{
    if (!n) return;
    size_t m = prev ? (n < prev_n ? n : prev_n) : 0;
    if (elem == 4) { unxor4(dst, src, n, prev, m); return; }
    sy_unshuffle(dst, src, n, elem);
    for (size_t i = 0; i < m; i++) dst[i] ^= prev[i];
}
