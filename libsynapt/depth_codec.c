/* depth_codec.c - the depth_rank filter (spec/format.md 7.5), the
 * writer's per-chunk choice between depth filters and its per-stream
 * choice between pose filters.
 *
 * Real depth sensors (Kinect, RealSense, structured light) quantize: a
 * 640x480 frame holds only a few hundred distinct values out of 65,536. MED
 * prediction on the raw millimetres sees those quantization steps, and the
 * jump from an invalid 0 to a valid depth, as large residuals. Replacing
 * every value by its rank among the frame's distinct values makes the steps
 * 1 and the 0-to-valid jump small; the residuals of ranks against the pixel
 * above are then mostly a single byte, so depth_rank stores them as LEB128
 * varints: a frame of
 * 640x480 becomes a ~300 KB byte stream plus a palette of a few hundred
 * bytes, followed by zero padding up to the raw length (filters never change
 * a frame's length; zstd stores the padding in a few bytes).
 *
 * depth_rank does not fit every frame (many distinct values and large
 * residuals may not fit in n bytes), so the writer tries it, depth_up,
 * depth_med and no filter per chunk and keeps the smallest result (a
 * costlier one only when it saves 1/16): a depth chunk is never larger
 * than plain zstd at the same level. */
#include <zstd.h>

#include "internal.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#define SY_SSE2 1
#endif
/* The widest frame the vector decoders keep two rows of ranks for (on
 * the stack); wider frames take the in-place loop. */
#define SY_RANK_ROW_MAX 4096

static inline uint16_t ld16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline void st16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static inline uint16_t zig(uint16_t r) { return (uint16_t)((uint16_t)(r << 1) ^ (uint16_t)-(r >> 15)); }
static inline uint16_t unzig(uint16_t z) { return (uint16_t)((z >> 1) ^ (uint16_t)-(z & 1)); }

/* Prediction of rank i (7.5): the left neighbour on the first row (0 for
 * pixel 0), the pixel above on every later row. Ranks are already
 * smooth; MED gains under 2% on them over the pixel above, while an
 * up-only predictor decodes a row as one vector add instead of a serial
 * chain through the left neighbour. */
static inline int pred_at(const uint16_t *v, size_t i, size_t w)
{
    if (i >= w) return v[i - w];
    return i ? v[i - 1] : 0;
}

int sy_depth_rank(uint8_t *dst, const uint8_t *src, size_t n, size_t width, uint16_t *scratch)
{
    size_t ne = n / 2, w = width ? width : (ne ? ne : 1);
    if (n & 1 || !ne) return -1;
    uint16_t *rank = scratch;            /* 65536 entries: value -> rank */
    uint16_t *rv = scratch + 65536;      /* ne entries: the frame in ranks */
    memset(rank, 0, 65536 * sizeof *rank);
    for (size_t i = 0; i < ne; i++) rank[ld16(src + 2 * i)] = 1;
    size_t np = 0;
    for (size_t k = 0; k < 65536; k++)
        if (rank[k]) np++;
    if (4 + 2 * np > n) return -1;
    sy_wr32(dst, (uint32_t)np);
    np = 0;
    for (size_t k = 0; k < 65536; k++)
        if (rank[k]) {
            st16(dst + 4 + 2 * np, (uint16_t)k);
            rank[k] = (uint16_t)np++;
        }
    for (size_t i = 0; i < ne; i++) rv[i] = rank[ld16(src + 2 * i)];
    uint8_t *o = dst + 4 + 2 * np, *end = dst + n;
    for (size_t i = 0; i < ne; i++) {
        uint16_t z = zig((uint16_t)(rv[i] - pred_at(rv, i, w)));
        if (end - o < 3) {
            /* the frame may still fit exactly: write byte by byte */
            int len = z < 0x80 ? 1 : z < 0x4000 ? 2 : 3;
            if (end - o < len) return -1;
        }
        if (z < 0x80) {
            *o++ = (uint8_t)z;
        } else if (z < 0x4000) {
            *o++ = (uint8_t)(z | 0x80);
            *o++ = (uint8_t)(z >> 7);
        } else {
            *o++ = (uint8_t)(z | 0x80);
            *o++ = (uint8_t)((z >> 7) | 0x80);
            *o++ = (uint8_t)(z >> 14);
        }
    }
    memset(o, 0, (size_t)(end - o));
    return 0;
}

/* One varint (at most 3 bytes, the last at most 3) or -1 when it runs
 * past the end or is too long: the bytes are untrusted. */
static inline int get_varint(const uint8_t **pp, const uint8_t *end)
{
    const uint8_t *p = *pp;
    if (p < end && *p < 0x80) { *pp = p + 1; return *p; }
    if (end - p < 2) return -1;
    if (p[1] < 0x80) { *pp = p + 2; return (p[0] & 0x7F) | p[1] << 7; }
    if (end - p < 3 || p[2] > 3) return -1;
    *pp = p + 3;
    return (p[0] & 0x7F) | (p[1] & 0x7F) << 7 | p[2] << 14;
}

/* The row decoders' scalar steps (unrank_rows_avx512, unrank_rows_sse2):
 * ranks of the row above in prev, this row's into cur, values of the row
 * above to up; pal holds the palette (u16 LE). */

/* One varint at *pp for pixel x: its rank into cur, the value above into
 * up (the row above passed its check). Returns 1 when the rank is past
 * the palette (top = its last rank), 0, or -1 (corrupt varint). */
static inline int unrank_one(const uint8_t **pp, const uint8_t *end, const uint16_t *prev, uint16_t *cur,
                             uint8_t *up, const uint8_t *pal, size_t x, uint16_t top)
{
    int z = get_varint(pp, end);
    if (z < 0) return -1;
    uint16_t ur = prev[x], tr = (uint16_t)(ur + unzig((uint16_t)z));
    cur[x] = tr;
    st16(up + 2 * x, ld16(pal + 2 * (size_t)ur));
    return tr > top;
}

/* Values of ranks r[from .. to) into out[from .. to). */
static inline void unrank_tail(uint8_t *out, const uint16_t *r, const uint8_t *pal, size_t from, size_t to)
{
    for (size_t x = from; x < to; x++) st16(out + 2 * x, ld16(pal + 2 * (size_t)r[x]));
}

/* A row done at pixel x: the rest of the row above (a last row shorter
 * than w leaves some) to values, and this row's ranks become the row above. */
static inline void unrank_row_end(uint8_t *up, uint16_t **prev, uint16_t **cur, const uint8_t *pal, size_t x, size_t w)
{
    unrank_tail(up, *prev, pal, x, w);
    uint16_t *sw = *prev;
    *prev = *cur;
    *cur = sw;
}

#if defined(SY_SSE2) && defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define SY_AVX512 1

#define SY_AVX512_VARINT_FN __attribute__((target("avx512f,avx512bw,avx512vbmi,avx512vbmi2,bmi2")))

/* 64 ranks (u0: the first 32, u1: the rest) to values from a palette held
 * in registers as byte planes: group g (values 128g .. 128g+127) is b[4g],
 * b[4g+1] (their low bytes) and b[4g+2], b[4g+3] (high bytes). vpermi2b
 * looks up 64 ranks' seven low bits in one group's plane; bits 7, 8 and 9
 * of the rank pick the group through a tree of blends. Against 16-bit
 * tables (vpermi2w, 64 values a pair, 32 lanes a step) this takes about
 * half the instructions for 200-300 values. */
SY_AVX512_VARINT_FN __attribute__((always_inline)) static inline void
lut64(const __m512i *b, const size_t groups, __m512i u0, __m512i u1, __m512i *v0, __m512i *v1)
{
    const __m512i sel_lo = _mm512_set_epi8(126, 124, 122, 120, 118, 116, 114, 112, 110, 108, 106, 104, 102, 100, 98, 96,
                                           94, 92, 90, 88, 86, 84, 82, 80, 78, 76, 74, 72, 70, 68, 66, 64, 62, 60, 58, 56,
                                           54, 52, 50, 48, 46, 44, 42, 40, 38, 36, 34, 32, 30, 28, 26, 24, 22, 20, 18, 16,
                                           14, 12, 10, 8, 6, 4, 2, 0);
    const __m512i il0 = _mm512_set_epi8(95, 31, 94, 30, 93, 29, 92, 28, 91, 27, 90, 26, 89, 25, 88, 24, 87, 23, 86, 22,
                                        85, 21, 84, 20, 83, 19, 82, 18, 81, 17, 80, 16, 79, 15, 78, 14, 77, 13, 76, 12,
                                        75, 11, 74, 10, 73, 9, 72, 8, 71, 7, 70, 6, 69, 5, 68, 4, 67, 3, 66, 2, 65, 1,
                                        64, 0);
    const __m512i il1 = _mm512_add_epi8(il0, _mm512_set1_epi8(32));
    __m512i idx = _mm512_permutex2var_epi8(u0, sel_lo, u1);   /* the ranks' low bytes */
    __mmask64 k7 = _mm512_movepi8_mask(idx), k8 = 0, k9 = 0;
    if (groups > 2) {
        __m512i hb = _mm512_permutex2var_epi8(u0, _mm512_add_epi8(sel_lo, _mm512_set1_epi8(1)), u1);
        k8 = _mm512_test_epi8_mask(hb, _mm512_set1_epi8(1));
        k9 = _mm512_test_epi8_mask(hb, _mm512_set1_epi8(2));
    }
    __m512i lo[8], hi[8];
    lo[0] = _mm512_permutex2var_epi8(b[0], idx, b[1]);
    hi[0] = _mm512_permutex2var_epi8(b[2], idx, b[3]);
    for (size_t g = 1; g < groups; g++) {
        lo[g] = _mm512_permutex2var_epi8(b[4 * g], idx, b[4 * g + 1]);
        hi[g] = _mm512_permutex2var_epi8(b[4 * g + 2], idx, b[4 * g + 3]);
    }
    for (size_t g = 0; g + 1 < groups; g += 2) {   /* bit 7 */
        lo[g / 2] = _mm512_mask_blend_epi8(k7, lo[g], lo[g + 1]);
        hi[g / 2] = _mm512_mask_blend_epi8(k7, hi[g], hi[g + 1]);
    }
    if (groups & 1) {
        lo[groups / 2] = lo[groups - 1];
        hi[groups / 2] = hi[groups - 1];
    }
    size_t n = (groups + 1) / 2;
    for (size_t g = 0; g + 1 < n; g += 2) {   /* bit 8 */
        lo[g / 2] = _mm512_mask_blend_epi8(k8, lo[g], lo[g + 1]);
        hi[g / 2] = _mm512_mask_blend_epi8(k8, hi[g], hi[g + 1]);
    }
    if (n > 1 && (n & 1)) {
        lo[n / 2] = lo[n - 1];
        hi[n / 2] = hi[n - 1];
    }
    if (n > 2) {   /* bit 9 */
        lo[0] = _mm512_mask_blend_epi8(k9, lo[0], lo[1]);
        hi[0] = _mm512_mask_blend_epi8(k9, hi[0], hi[1]);
    }
    *v0 = _mm512_permutex2var_epi8(lo[0], il0, hi[0]);
    *v1 = _mm512_permutex2var_epi8(lo[0], il1, hi[0]);
}

/* Lane masks for the first k of 64 u16 lanes, split in two halves. */
static inline uint32_t lanes_lo(int k) { return k >= 32 ? ~0u : (1u << k) - 1; }
static inline uint32_t lanes_hi(int k) { return k >= 64 ? ~0u : k > 32 ? (1u << (k - 32)) - 1 : 0; }

/* One window's residuals (zigzagged; z0 the first 32, z1 the rest, cnt of
 * them valid) at pixel x: ranks into cur, the row above's values into up.
 * Returns the lanes whose rank is past the palette (top = its last rank). */
SY_AVX512_VARINT_FN __attribute__((always_inline)) static inline uint32_t
rank_step(__m512i z0, __m512i z1, size_t cnt, const uint16_t *prev, uint16_t *cur, uint8_t *up, size_t x,
          const __m512i *t, const size_t groups, __m512i vtop)
{
    const __m512i one = _mm512_set1_epi16(1), zero = _mm512_setzero_si512();
    z0 = _mm512_xor_si512(_mm512_srli_epi16(z0, 1), _mm512_sub_epi16(zero, _mm512_and_si512(z0, one)));
    z1 = _mm512_xor_si512(_mm512_srli_epi16(z1, 1), _mm512_sub_epi16(zero, _mm512_and_si512(z1, one)));
    /* the row buffers have 64 spare entries: whole vectors */
    __m512i u0 = _mm512_loadu_si512((const void *)(prev + x)), u1 = _mm512_loadu_si512((const void *)(prev + x + 32));
    __m512i t0 = _mm512_add_epi16(u0, z0), t1 = _mm512_add_epi16(u1, z1);
    _mm512_storeu_si512((void *)(cur + x), t0);
    _mm512_storeu_si512((void *)(cur + x + 32), t1);
    __m512i v0, v1;
    lut64(t, groups, u0, u1, &v0, &v1);
    if (cnt == 64) {
        _mm512_storeu_si512((void *)(up + 2 * x), v0);
        _mm512_storeu_si512((void *)(up + 2 * x + 64), v1);
        return (uint32_t)(_mm512_cmpgt_epu16_mask(t0, vtop) | _mm512_cmpgt_epu16_mask(t1, vtop));
    }
    uint32_t m0 = lanes_lo((int)cnt), m1 = lanes_hi((int)cnt);
    _mm512_mask_storeu_epi16(up + 2 * x, m0, v0);
    _mm512_mask_storeu_epi16(up + 2 * x + 64, m1, v1);
    return (_mm512_cmpgt_epu16_mask(t0, vtop) & m0) | (_mm512_cmpgt_epu16_mask(t1, vtop) & m1);
}

/* Rows 1 .. of a depth_rank frame (elements i .. ne-1, p at their first
 * varint; row 0's ranks already in dst) with AVX-512 (BW, VBMI, VBMI2) and a
 * palette of at most 1,024 values, in one pass over windows of 64 bytes.
 * With so few values a valid varint has one or two bytes (a third byte
 * would mean a residual of 8,192 or more). The bytes with bit 7 set start
 * two-byte varints; every byte that does not follow one starts a varint,
 * and vpcompressb packs the starts' low seven bits and the bytes after
 * them into up to 64 residuals. Ranks live in two row buffers that stay
 * in L1: the ranks of the row above, loaded for the prediction, are
 * turned into values and written to the caller's frame in the same step,
 * so each output byte is written once, in order (ranks written into the
 * output and looked up there a row later cost about 0.15 ns per pixel
 * more when the output is not in cache). Windows the vector step cannot
 * take (a three-byte pattern, a varint cut by the end of the data) go one
 * varint at a time. Every rank of a row is checked against the palette
 * before the next row looks it up. Needs w <= SY_RANK_ROW_MAX. Returns 0,
 * or -1 (corrupt). */
SY_AVX512_VARINT_FN __attribute__((always_inline)) static inline int
unrank_rows_k(uint8_t *dst, const uint8_t *tab, const uint8_t *pal, uint32_t np, const uint8_t *p, const uint8_t *end,
              size_t i, size_t ne, size_t w, const size_t groups)
{
    _Alignas(64) uint16_t rows[2][SY_RANK_ROW_MAX + 64];
    __m512i t[32];
    for (size_t k = 0; k < 4 * groups; k++) t[k] = _mm512_load_si512((const void *)(tab + 64 * k));
    const __m512i vtop = _mm512_set1_epi16((short)(np - 1));
    const __m512i low7 = _mm512_set1_epi8(0x7F);
    uint16_t *prev = rows[0], *cur = rows[1];
    memcpy(prev, dst + 2 * (i - w), 2 * w);
    while (i < ne) {
        size_t rl = ne - i < w ? ne - i : w, x = 0;
        uint8_t *up = dst + 2 * (i - w);   /* the row above: its values go here */
        uint32_t over = 0;
        while (x < rl) {
            if (end - p >= 64 && rl - x >= 64) {
                /* the common window, 64 one-byte varints: a branch the
                 * CPU predicts, and a constant step, so that the next
                 * window's load does not wait for this one's masks */
                __m512i q = _mm512_loadu_si512((const void *)p);
                if (!_mm512_movepi8_mask(q)) {
                    over |= rank_step(_mm512_cvtepu8_epi16(_mm512_castsi512_si256(q)),
                                      _mm512_cvtepu8_epi16(_mm512_extracti64x4_epi64(q, 1)), 64, prev, cur, up, x, t,
                                      groups, vtop);
                    p += 64;
                    x += 64;
                    continue;
                }
            }
            size_t nb = (size_t)(end - p) < 64 ? (size_t)(end - p) : 64, cap = rl - x < 64 ? rl - x : 64;
            uint64_t am = nb == 64 ? ~0ull : (1ull << nb) - 1, lm = am;
            __m512i q = _mm512_maskz_loadu_epi8(am, p);
            uint64_t lead = _mm512_movepi8_mask(q) & lm;
            /* a two-byte varint whose second byte lies past the window
             * waits for the next one */
            if (nb && (lead >> (nb - 1) & 1)) lm >>= 1;
            uint64_t starts = lm & ~(lead << 1);
            if (lm && !(lead & lead << 1) && starts) {
                lead &= lm;
                size_t cnt = (size_t)__builtin_popcountll(starts), used = (size_t)__builtin_popcountll(lm);
                if (cnt > cap) {   /* the row ends first: stop at its last pixel's varint */
                    used = (size_t)__builtin_ctzll(_pdep_u64(1ull << cap, starts));
                    starts &= (1ull << used) - 1;
                    lead &= (1ull << used) - 1;
                    cnt = cap;
                }
                __m512i z0, z1;
                if (!lead) {   /* one-byte varints only: the bytes are the residuals */
                    z0 = _mm512_cvtepu8_epi16(_mm512_castsi512_si256(q));
                    z1 = _mm512_cvtepu8_epi16(_mm512_extracti64x4_epi64(q, 1));
                } else {
                    __m512i nx = _mm512_maskz_loadu_epi8(am >> 1, p + 1);   /* nx[j] = p[j + 1] */
                    __m512i lo8 = _mm512_maskz_compress_epi8(starts, _mm512_and_si512(q, low7));
                    __m512i hi8 = _mm512_maskz_compress_epi8(starts, _mm512_maskz_mov_epi8(lead, nx));
                    z0 = _mm512_or_si512(_mm512_cvtepu8_epi16(_mm512_castsi512_si256(lo8)),
                                         _mm512_slli_epi16(_mm512_cvtepu8_epi16(_mm512_castsi512_si256(hi8)), 7));
                    z1 = _mm512_or_si512(_mm512_cvtepu8_epi16(_mm512_extracti64x4_epi64(lo8, 1)),
                                         _mm512_slli_epi16(_mm512_cvtepu8_epi16(_mm512_extracti64x4_epi64(hi8, 1)), 7));
                }
                over |= rank_step(z0, z1, cnt, prev, cur, up, x, t, groups, vtop);
                p += used;
                x += cnt;
                continue;
            }
            int o1 = unrank_one(&p, end, prev, cur, up, pal, x++, (uint16_t)(np - 1));
            if (o1 < 0) return -1;
            over |= (uint32_t)o1;
        }
        if (over) return -1;
        unrank_row_end(up, &prev, &cur, pal, x, w);
        i += rl;
    }
    /* the last row, from its ranks: nothing below it looked them up (the
     * row buffers' spare entries cover the second vector) */
    size_t last = (ne - 1) / w * w;
    for (size_t j = 0; last + j < ne; j += 64) {
        int left = ne - last - j >= 64 ? 64 : (int)(ne - last - j);
        __m512i v0, v1;
        lut64(t, groups, _mm512_loadu_si512((const void *)(prev + j)), _mm512_loadu_si512((const void *)(prev + j + 32)),
              &v0, &v1);
        _mm512_mask_storeu_epi16(dst + 2 * (last + j), lanes_lo(left), v0);
        _mm512_mask_storeu_epi16(dst + 2 * (last + j) + 64, lanes_hi(left), v1);
    }
    return 0;
}

/* The palette's number of 128-value groups as a constant, so that the
 * lookups unroll and the tables stay in registers: one body per group
 * count up to 4 (512 values; the real sensor frames hold 150-300), one for
 * the rest. */
SY_AVX512_VARINT_FN static int unrank_rows_avx512(uint8_t *dst, const uint8_t *pal, uint32_t np, const uint8_t *p,
                                                  const uint8_t *end, size_t i, size_t ne, size_t w)
{
    _Alignas(64) uint8_t tab[8][2][128];   /* per group: low bytes, high bytes */
    size_t groups = (np + 127) / 128;
    memset(tab, 0, sizeof tab);
    for (size_t k = 0; k < np; k++) {
        tab[k / 128][0][k % 128] = pal[2 * k];
        tab[k / 128][1][k % 128] = pal[2 * k + 1];
    }
    const uint8_t *tb = &tab[0][0][0];
    switch (groups) {
    case 1: return unrank_rows_k(dst, tb, pal, np, p, end, i, ne, w, 1);
    case 2: return unrank_rows_k(dst, tb, pal, np, p, end, i, ne, w, 2);
    case 3: return unrank_rows_k(dst, tb, pal, np, p, end, i, ne, w, 3);
    case 4: return unrank_rows_k(dst, tb, pal, np, p, end, i, ne, w, 4);
    default: return unrank_rows_k(dst, tb, pal, np, p, end, i, ne, w, groups);
    }
}
#endif

/* Ranks to values for elements [from, to) of dst, in place: four at a
 * time through one 64-bit load and store (AVX2 gathers are no faster). */
static void map_ranks(uint8_t *dst, const uint8_t *pal, size_t from, size_t to)
{
    size_t i = from;
    for (; i + 4 <= to; i += 4) {
        uint64_t t;
        memcpy(&t, dst + 2 * i, 8);
        uint64_t v = (uint64_t)ld16(pal + 2 * (t & 0xFFFF)) | (uint64_t)ld16(pal + 2 * (t >> 16 & 0xFFFF)) << 16 |
                     (uint64_t)ld16(pal + 2 * (t >> 32 & 0xFFFF)) << 32 | (uint64_t)ld16(pal + 2 * (t >> 48)) << 48;
        memcpy(dst + 2 * i, &v, 8);
    }
    for (; i < to; i++) st16(dst + 2 * i, ld16(pal + 2 * (size_t)ld16(dst + 2 * i)));
}

#ifdef SY_SSE2
/* The first k (1 to 16) varints of q, one byte each, at pixel x: ranks
 * into cur, the row above's values into up; returns vover with the lanes
 * whose rank is past top (saturating to nonzero) added. */
static inline __m128i sse2_run(__m128i q, int k, const uint16_t *prev, uint16_t *cur, uint8_t *up, const uint8_t *pal,
                               size_t x, __m128i vover, uint16_t top)
{
    const __m128i zero = _mm_setzero_si128(), one = _mm_set1_epi16(1), vtop = _mm_set1_epi16((short)top);
    const __m128i lane = _mm_set_epi16(7, 6, 5, 4, 3, 2, 1, 0), eight = _mm_set1_epi16(8), kv = _mm_set1_epi16((short)k);
    __m128i z0 = _mm_unpacklo_epi8(q, zero), z1 = _mm_unpackhi_epi8(q, zero);
    z0 = _mm_xor_si128(_mm_srli_epi16(z0, 1), _mm_sub_epi16(zero, _mm_and_si128(z0, one)));
    z1 = _mm_xor_si128(_mm_srli_epi16(z1, 1), _mm_sub_epi16(zero, _mm_and_si128(z1, one)));
    __m128i t0 = _mm_add_epi16(_mm_loadu_si128((const __m128i *)(prev + x)), z0);
    __m128i t1 = _mm_add_epi16(_mm_loadu_si128((const __m128i *)(prev + x + 8)), z1);
    /* lanes past the run are left out */
    vover = _mm_or_si128(vover, _mm_or_si128(_mm_and_si128(_mm_subs_epu16(t0, vtop), _mm_cmpgt_epi16(kv, lane)),
                                             _mm_and_si128(_mm_subs_epu16(t1, vtop),
                                                           _mm_cmpgt_epi16(kv, _mm_add_epi16(lane, eight)))));
    _mm_storeu_si128((__m128i *)(cur + x), t0);
    _mm_storeu_si128((__m128i *)(cur + x + 8), t1);
    int j = 0;
    for (; j + 4 <= k; j += 4) {
        const uint16_t *r = prev + x + j;
        uint64_t v = (uint64_t)ld16(pal + 2 * (size_t)r[0]) | (uint64_t)ld16(pal + 2 * (size_t)r[1]) << 16 |
                     (uint64_t)ld16(pal + 2 * (size_t)r[2]) << 32 | (uint64_t)ld16(pal + 2 * (size_t)r[3]) << 48;
        memcpy(up + 2 * (x + (size_t)j), &v, 8);
    }
    for (; j < k; j++) st16(up + 2 * (x + (size_t)j), ld16(pal + 2 * (size_t)prev[x + (size_t)j]));
    return vover;
}

/* Rows 1 .. as unrank_rows_avx512 does them, with SSE2 (every x86-64):
 * ranks in two row buffers in L1, runs of up to sixteen one-byte varints
 * per vector step, the row above looked up in the palette (four values
 * per 64-bit store) and written to the caller's frame once, in order.
 * Needs w <= SY_RANK_ROW_MAX. Returns 0, or -1 (corrupt). */
static int unrank_rows_sse2(uint8_t *dst, const uint8_t *pal, uint32_t np, const uint8_t *p, const uint8_t *end,
                            size_t i, size_t ne, size_t w)
{
    uint16_t rows[2][SY_RANK_ROW_MAX + 16];
    uint16_t *prev = rows[0], *cur = rows[1];
    const uint16_t top = (uint16_t)(np - 1);
    const __m128i zero = _mm_setzero_si128();
    memcpy(prev, dst + 2 * (i - w), 2 * w);
    while (i < ne) {
        size_t rl = ne - i < w ? ne - i : w, x = 0;
        uint8_t *up = dst + 2 * (i - w);   /* the row above: its values go here */
        __m128i vover = zero;
        uint16_t bad = 0;
        while (x < rl) {
            if (end - p >= 16 && rl - x >= 16) {
                __m128i q = _mm_loadu_si128((const __m128i *)p);
                unsigned msk = (unsigned)_mm_movemask_epi8(q);
                if (!msk) {   /* sixteen one-byte varints: a constant step (see unrank_rows_avx512) */
                    vover = sse2_run(q, 16, prev, cur, up, pal, x, vover, top);
                    p += 16;
                    x += 16;
                    continue;
                }
                int k = __builtin_ctz(msk);
                if (k) {
                    vover = sse2_run(q, k, prev, cur, up, pal, x, vover, top);
                    p += k;
                    x += (size_t)k;
                }
            }
            if (x >= rl) break;
            int o1 = unrank_one(&p, end, prev, cur, up, pal, x++, top);
            if (o1 < 0) return -1;
            bad |= (uint16_t)o1;
        }
        if (bad || _mm_movemask_epi8(_mm_cmpeq_epi8(vover, zero)) != 0xFFFF) return -1;
        unrank_row_end(up, &prev, &cur, pal, x, w);
        i += rl;
    }
    /* the last row, from its ranks */
    size_t last = (ne - 1) / w * w;
    unrank_tail(dst + 2 * last, prev, pal, 0, ne - last);
    return 0;
}
#endif

/* Rows after the first: t[i] = t[i-w] + r[i], no dependency inside a row.
 * Runs of 16 one-byte varints (no byte with bit 7 set, the common case)
 * go through a loop the compiler vectorizes; the rest, byte by byte. A
 * row's ranks turn into values as soon as the row below has used them,
 * while they are still in cache, instead of in a second walk over the
 * frame. */
int sy_undepth_rank(uint8_t *dst, const uint8_t *src, size_t n, size_t width)
{
    size_t ne = n / 2, w = width ? width : (ne ? ne : 1);
    if (n & 1 || n < 4) return -1;
    uint32_t np = sy_rd32(src);
    if (!np || np > 65536 || 4 + 2 * (size_t)np > n) return -1;
    const uint8_t *pal = src + 4, *p = pal + 2 * (size_t)np, *end = src + n;
    /* ranks into dst first (byte access: the caller's buffer may be at any
     * address); every rank is checked against the palette before it is
     * looked up there */
    uint16_t bad = 0;
    int z, a = 0;
    size_t i = 0;
    for (; i < ne && i < w; i++) {
        if ((z = get_varint(&p, end)) < 0) return -1;
        a = (uint16_t)(a + unzig((uint16_t)z));
        bad |= (uint16_t)(a >= (int)np);
        st16(dst + 2 * i, (uint16_t)a);
    }
    if (bad) return -1;
#ifdef SY_AVX512
    if (i < ne && np <= 1024 && w <= SY_RANK_ROW_MAX && sy_simd_isa() >= 3) return unrank_rows_avx512(dst, pal, np, p, end, i, ne, w);
#endif
#ifdef SY_SSE2
    if (i < ne && w <= SY_RANK_ROW_MAX && sy_simd_isa() >= 1) return unrank_rows_sse2(dst, pal, np, p, end, i, ne, w);
#endif
    const uint16_t top = (uint16_t)(np - 1);
#ifdef SY_SSE2
    const __m128i vtop = _mm_set1_epi16((short)top);
    __m128i vover = _mm_setzero_si128();
#endif
    while (i < ne) {
        size_t row_end = ne - i < w ? ne : i + w;
        while (i < row_end) {
            if (end - p >= 16 && row_end - i >= 16) {
#ifdef SY_SSE2
                /* the one-byte varints before the first longer one (bit 7
                 * set), up to sixteen: all sixteen lanes are computed and
                 * stored, those past the run are rewritten before anything
                 * reads them (the block lies inside the row) and are left
                 * out of the range check */
                __m128i q = _mm_loadu_si128((const __m128i *)p);
                unsigned msk = (unsigned)_mm_movemask_epi8(q);
                int k = msk ? __builtin_ctz(msk) : 16;
                if (k) {
                    const __m128i zero = _mm_setzero_si128(), one = _mm_set1_epi16(1);
                    const __m128i lane = _mm_set_epi16(7, 6, 5, 4, 3, 2, 1, 0), kv = _mm_set1_epi16((short)k);
                    uint8_t *o = dst + 2 * i;
                    const uint8_t *up = o - 2 * w;
                    __m128i z0 = _mm_unpacklo_epi8(q, zero), z1 = _mm_unpackhi_epi8(q, zero);
                    z0 = _mm_xor_si128(_mm_srli_epi16(z0, 1), _mm_sub_epi16(zero, _mm_and_si128(z0, one)));
                    z1 = _mm_xor_si128(_mm_srli_epi16(z1, 1), _mm_sub_epi16(zero, _mm_and_si128(z1, one)));
                    __m128i t0 = _mm_add_epi16(_mm_loadu_si128((const __m128i *)up), z0);
                    __m128i t1 = _mm_add_epi16(_mm_loadu_si128((const __m128i *)(up + 16)), z1);
                    /* a rank above top saturates to nonzero */
                    __m128i o0 = _mm_and_si128(_mm_subs_epu16(t0, vtop), _mm_cmpgt_epi16(kv, lane));
                    __m128i o1 = _mm_and_si128(_mm_subs_epu16(t1, vtop), _mm_cmpgt_epi16(kv, _mm_add_epi16(lane, _mm_set1_epi16(8))));
                    vover = _mm_or_si128(vover, _mm_or_si128(o0, o1));
                    _mm_storeu_si128((__m128i *)o, t0);
                    _mm_storeu_si128((__m128i *)(o + 16), t1);
                    p += k;
                    i += (size_t)k;
                    if (k == 16) continue;
                }
#else
                uint64_t q0, q1;
                memcpy(&q0, p, 8);
                memcpy(&q1, p + 8, 8);
                if (!((q0 | q1) & 0x8080808080808080ull)) {
                    uint8_t *o = dst + 2 * i;
                    const uint8_t *up = o - 2 * w;
                    uint16_t over = 0;
                    for (int k = 0; k < 16; k++) {
                        uint16_t t = (uint16_t)(ld16(up + 2 * k) + unzig(p[k]));
                        over |= (uint16_t)(t > top);
                        st16(o + 2 * k, t);
                    }
                    bad |= over;
                    p += 16;
                    i += 16;
                    continue;
                }
#endif
            }
            if ((z = get_varint(&p, end)) < 0) return -1;
            uint16_t t = (uint16_t)(ld16(dst + 2 * (i - w)) + unzig((uint16_t)z));
            bad |= (uint16_t)(t > top);
            st16(dst + 2 * i++, t);
        }
#ifdef SY_SSE2
        bad |= (uint16_t)(_mm_movemask_epi8(_mm_cmpeq_epi8(vover, _mm_setzero_si128())) != 0xFFFF);
#endif
        if (bad) return -1;
        /* the row above is no longer needed as ranks */
        size_t up0 = (row_end - 1) / w * w - w;
        map_ranks(dst, pal, up0, up0 + w);
    }
    if (bad) return -1;
    /* the last row (the only one when the frame has one) */
    size_t last = ne ? (ne - 1) / w * w : 0;
    map_ranks(dst, pal, last, ne);
    return 0;
}

/* Compressed size of `n` filtered bytes as the chunk will store them. */
static size_t packed_size(ZSTD_CCtx *cctx, int compression, int level, uint8_t *tmp, size_t cap,
                          const uint8_t *f, const uint32_t *sizes, uint32_t nf, size_t total)
{
    if (compression == SYNAPT_COMPRESSION_NONE) return total;
    if (compression == SYNAPT_COMPRESSION_ZSTD_CHUNK) {
        size_t k = ZSTD_compressCCtx(cctx, tmp, cap, f, total, level);
        return ZSTD_isError(k) ? SIZE_MAX : k;
    }
    size_t sum = 0, off = 0;
    for (uint32_t i = 0; i < nf; i++) {
        size_t k = ZSTD_compressCCtx(cctx, tmp, cap, f + off, sizes[i], level);
        if (ZSTD_isError(k)) return SIZE_MAX;
        sum += k;
        off += sizes[i];
    }
    return sum;
}

/* One candidate filter over the chunk's frames into f; 0 when a frame
 * does not fit (depth_rank only). */
static int filter_frames(int filter, uint8_t *f, const uint8_t *raw, const uint32_t *sizes, uint32_t nf,
                         size_t elem, size_t width, void *scratch)
{
    size_t off = 0, prev = 0;
    for (uint32_t i = 0; i < nf; i++) {
        switch (filter) {
        case SYNAPT_FILTER_DEPTH_RANK:
            if (sy_depth_rank(f + off, raw + off, sizes[i], width, scratch)) return 0;
            break;
        case SYNAPT_FILTER_DEPTH_MED: sy_depth_med(f + off, raw + off, sizes[i], width); break;
        case SYNAPT_FILTER_DEPTH_UP: sy_depth_up(f + off, raw + off, sizes[i], width); break;
        case SYNAPT_FILTER_SHUFFLE: sy_shuffle(f + off, raw + off, sizes[i], elem); break;
        default:
            sy_xor_prev(f + off, raw + off, sizes[i], i ? raw + prev : NULL, i ? sizes[i - 1] : 0, elem, scratch);
            break;
        }
        prev = off;
        off += sizes[i];
    }
    return 1;
}

int sy_filter_choose(const sy_mem *m, ZSTD_CCtx *cctx, int compression, int level, const uint8_t *raw,
                     const uint32_t *sizes, uint32_t nf, size_t elem, size_t width, int pose, int *out)
{
    size_t total = 0, maxf = 0;
    for (uint32_t i = 0; i < nf; i++) {
        total += sizes[i];
        if (sizes[i] > maxf) maxf = sizes[i];
    }
    size_t cap = ZSTD_compressBound(total);
    /* depth_rank's value table and ranks, or xor_prev's XORed frame */
    size_t sbytes = pose ? maxf + 1 : (65536 + maxf / 2 + 1) * sizeof(uint16_t);
    uint8_t *f = sy_malloc(m, total ? total : 1), *tmp = sy_malloc(m, cap);
    void *scratch = sy_malloc(m, sbytes);
    int rc = -1;
    if (!f || !tmp || !scratch) goto done;
    /* In order of decoding cost, none first: a costlier filter must save
     * at least 1/16 of the bytes of the best cheaper one.
     * Depth: depth_up decodes a row as one vector addition, about 0.05 ns
     * per pixel; depth_rank adds varints and a palette lookup; depth_med
     * is a serial chain through the left neighbour, 0.4-0.8 ns per pixel
     * even as a SIMD wavefront, about half of what zstd itself takes. On
     * rendered depth the pixel above predicts as well as MED or better
     * (synapt-synth frames: 1-6% smaller), on noisy synthetic frames
     * within 5%; real sensor depth keeps depth_rank, 25% smaller.
     * Pose: keypoints that move little between frames are what xor_prev
     * is for, but zstd alone often finds the repeats across frames as well
     * (rendered or fitted poses), and real sensor skeletons gain a few
     * percent from the XOR over byte planes alone; the byte gather plus
     * XOR of xor_prev costs more than zstd's own decoding of such small
     * frames (spec/format.md 7.4). */
    static const int depth_cand[] = { SYNAPT_FILTER_NONE, SYNAPT_FILTER_DEPTH_UP, SYNAPT_FILTER_DEPTH_RANK,
                                      SYNAPT_FILTER_DEPTH_MED };
    static const int pose_cand[] = { SYNAPT_FILTER_NONE, SYNAPT_FILTER_SHUFFLE, SYNAPT_FILTER_XOR_PREV };
    const int *cand = pose ? pose_cand : depth_cand;
    size_t ncand = pose ? sizeof pose_cand / sizeof *pose_cand : sizeof depth_cand / sizeof *depth_cand;
    size_t best = SIZE_MAX;
    *out = SYNAPT_FILTER_NONE;
    for (size_t c = 0; c < ncand; c++) {
        const uint8_t *in = raw;
        if (cand[c] != SYNAPT_FILTER_NONE) {
            if (!filter_frames(cand[c], f, raw, sizes, nf, elem, width, scratch)) continue;
            in = f;
        }
        size_t k = packed_size(cctx, compression, level, tmp, cap, in, sizes, nf, total);
        if (best == SIZE_MAX || k < best - best / 16) { best = k; *out = cand[c]; }
    }
    rc = 0;
done:
    sy_free(m, f);
    sy_free(m, tmp);
    sy_free(m, scratch);
    return rc;
}
