/* depth_strip_avx512.c - depth_strip's AVX-512 decoder (spec/format.md
 * 6.5): lane j of a 16-lane register decodes strip j, four rows side by
 * side; one gathered table entry per pixel (slot bias, frequency and the
 * decoded residual in one word), the renormalisation words spread to the
 * lanes that need one with vpexpandd, rows written out through byte
 * permutes of the palette (VBMI) or gathers. Checks every read against its
 * stream's end, as the portable decoder in depth_strip.c does; the tests
 * and fuzz_dstrip hold the two to the same answers. */
#include "depth_strip_internal.h"

#ifdef DS_X86
#include <immintrin.h>

/* The decoder needs AVX-512 F, CD, BW and VL (Skylake-SP and later, Zen
 * 4); writing rows out through byte permutes needs VBMI as well (Ice
 * Lake and later, Zen 4), else they go out through gathers. */
#define DS_FN __attribute__((target("avx512f,avx512cd,avx512bw,avx512vl,bmi2")))
#define DS_VBMI_FN __attribute__((target("avx512f,avx512cd,avx512bw,avx512vl,avx512vbmi,bmi2")))

/* The same with 16 entries a store; a symbol's last store may run up to
 * 15 entries into the next symbol's (or context's) slots, which are
 * written after it. */
DS_FN void sy_ds_tab_fill_avx512(uint32_t *tab, const uint16_t *f, unsigned n)
{
    const __m512i iota = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    const __m512i step = _mm512_set1_epi32(16);
    uint32_t *o = tab;
    for (unsigned z = 0; z < n; z++) {
        unsigned fz = f[z];
        if (!fz) continue;
        __m512i v = _mm512_add_epi32(_mm512_set1_epi32((int)DS_ENT(z, fz, 0)), iota);
        for (unsigned i = 0; i < fz; i += 16, v = _mm512_add_epi32(v, step)) _mm512_storeu_si512(o + i, v);
        o += fz;
    }
}

/* ---- decoder: AVX-512 ---- */

/* Byte permutes of out_quad: u16 lane i/2 of a pair of steps takes strip
 * i/4's step t + (i/2 & 1); even and odd bytes; the low and high bytes
 * interleaved back into values. */
static const uint8_t ds_sel[64] __attribute__((aligned(64))) = {
    0, 1, 64, 65, 4, 5, 68, 69, 8, 9, 72, 73, 12, 13, 76, 77, 16, 17, 80, 81, 20, 21, 84, 85, 24, 25, 88, 89,
    28, 29, 92, 93, 32, 33, 96, 97, 36, 37, 100, 101, 40, 41, 104, 105, 44, 45, 108, 109, 48, 49, 112, 113,
    52, 53, 116, 117, 56, 57, 120, 121, 60, 61, 124, 125
};
static const uint8_t ds_ev[64] __attribute__((aligned(64))) = {
    0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36, 38, 40, 42, 44, 46, 48, 50, 52,
    54, 56, 58, 60, 62, 64, 66, 68, 70, 72, 74, 76, 78, 80, 82, 84, 86, 88, 90, 92, 94, 96, 98, 100, 102,
    104, 106, 108, 110, 112, 114, 116, 118, 120, 122, 124, 126
};
static const uint8_t ds_od[64] __attribute__((aligned(64))) = {
    1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31, 33, 35, 37, 39, 41, 43, 45, 47, 49, 51, 53,
    55, 57, 59, 61, 63, 65, 67, 69, 71, 73, 75, 77, 79, 81, 83, 85, 87, 89, 91, 93, 95, 97, 99, 101, 103,
    105, 107, 109, 111, 113, 115, 117, 119, 121, 123, 125, 127
};
static const uint8_t ds_il0[64] __attribute__((aligned(64))) = {
    0, 64, 1, 65, 2, 66, 3, 67, 4, 68, 5, 69, 6, 70, 7, 71, 8, 72, 9, 73, 10, 74, 11, 75, 12, 76, 13, 77, 14,
    78, 15, 79, 16, 80, 17, 81, 18, 82, 19, 83, 20, 84, 21, 85, 22, 86, 23, 87, 24, 88, 25, 89, 26, 90, 27,
    91, 28, 92, 29, 93, 30, 94, 31, 95
};
static const uint8_t ds_il1[64] __attribute__((aligned(64))) = {
    32, 96, 33, 97, 34, 98, 35, 99, 36, 100, 37, 101, 38, 102, 39, 103, 40, 104, 41, 105, 42, 106, 43, 107,
    44, 108, 45, 109, 46, 110, 47, 111, 48, 112, 49, 113, 50, 114, 51, 115, 52, 116, 53, 117, 54, 118, 55,
    119, 56, 120, 57, 121, 58, 122, 59, 123, 60, 124, 61, 125, 62, 126, 63, 127
};

typedef struct {
    const uint32_t *tab;
    const uint8_t *wp, *wend;   /* words */
    const uint8_t *ep, *eend;   /* escapes */
    __m512i top;
    __mmask16 bad;              /* lanes with a rank past the palette */
    int fail;                   /* a word or an escape past its stream, a context without a table */
    __m512i lut1[2], lut2[2];   /* the context tables of vstep */
} ds_vec;

/* vstep's context tables: lut1[u] for b - a = u - 16, lut2[v] for the
 * second gradient v (31: 31 or more), both times the table size. */
DS_FN static void ctx_luts(ds_vec *V)
{
    uint32_t t1[32], t2[32];
    for (int u = 0; u < 32; u++) {
        int dd = u - 16;
        t1[u] = (18 * blen5((unsigned)abs(dd)) + (dd > 0 ? 1u : dd < 0 ? 2u : 0u)) << DS_BITS;
        t2[u] = 3 * blen5((unsigned)u) << DS_BITS;
    }
    for (int h = 0; h < 2; h++) {
        V->lut1[h] = _mm512_loadu_si512(t1 + 16 * h);
        V->lut2[h] = _mm512_loadu_si512(t2 + 16 * h);
    }
}

/* The residuals of the escaped lanes of one step, in lane order (and the
 * lanes whose context has no table: their entries look like escapes). */
DS_FN static __attribute__((noinline)) __m512i escapes(ds_vec *V, __m512i r, __m512i en, __mmask16 esc)
{
    int32_t tmp[DS_LANES];
    uint32_t e[DS_LANES];
    _mm512_storeu_si512(tmp, r);
    _mm512_storeu_si512(e, en);
    for (int j = 0; j < DS_LANES; j++)
        if (esc >> j & 1) {
            int ok = e[j] != DS_NOTAB;
            tmp[j] = ds_escape(&V->ep, V->eend, &ok);
            if (!ok) V->fail = 1;
        }
    return _mm512_loadu_si512(tmp);
}

/* The words of one step when fewer than 16 are left: never read past. */
DS_FN static __attribute__((noinline)) __m256i last_words(ds_vec *V, __mmask16 *rn)
{
    uint16_t tmp[DS_LANES] = { 0 };
    size_t pc = (size_t)__builtin_popcount(*rn), left = (size_t)(V->wend - V->wp) / 2;
    if (pc > left) {
        V->fail = 1;
        *rn = 0;
        return _mm256_setzero_si256();
    }
    memcpy(tmp, V->wp, 2 * pc);
    return _mm256_loadu_si256((const __m256i *)(const void *)tmp);
}

/* One step of one row: the 16 strips' step t. up/cur are the row above
 * and this row transposed (step t at [16 t]); *a holds each lane's
 * previous rank (its left neighbour), *x its state. act: the lanes whose
 * strip has a step t; dm: those whose strip has a step t + 1 (the
 * up-right neighbour, else the one above). */
DS_FN static inline __attribute__((always_inline)) void
vstep(ds_vec *V, const uint32_t *up, uint32_t *cur, size_t t, __m512i *a, __m512i *x, __mmask16 act, __mmask16 dm)
{
    const __m512i low = _mm512_set1_epi32(DS_M - 1), f12 = _mm512_set1_epi32(4095);
    const __m512i vL = _mm512_set1_epi32(DS_LOW), zero = _mm512_setzero_si512();
    __m512i b = _mm512_load_si512(up + DS_LANES * t);
    __m512i c = t ? _mm512_load_si512(up + DS_LANES * (t - 1)) : b;
    __m512i d = _mm512_mask_load_epi32(b, dm, up + DS_LANES * (t + 1));
    __m512i l = t ? *a : b;
    __m512i mx = _mm512_max_epi32(l, b), mn = _mm512_min_epi32(l, b);
    __m512i pred = _mm512_max_epi32(mn, _mm512_min_epi32(mx, _mm512_sub_epi32(_mm512_add_epi32(l, b), c)));
    /* the context from two tables (vpermt2d, 32 entries each, already
     * shifted to the table's row): 3 L(|d - b| + |b - c|) by min(that, 31);
     * 18 L(|b - a|) + the sign of b - a by b - a + 16 clamped to 0 .. 31,
     * and b - a >= 16 (L = 5, b > a) outside that range */
    __m512i e2 = _mm512_add_epi32(_mm512_abs_epi32(_mm512_sub_epi32(d, b)), _mm512_abs_epi32(_mm512_sub_epi32(b, c)));
    __m512i k2 = _mm512_permutex2var_epi32(V->lut2[0], _mm512_min_epu32(e2, _mm512_set1_epi32(31)), V->lut2[1]);
    __m512i d16 = _mm512_sub_epi32(_mm512_add_epi32(b, _mm512_set1_epi32(16)), l);
    __m512i u = _mm512_min_epi32(_mm512_max_epi32(d16, zero), _mm512_set1_epi32(31));
    __m512i k1 = _mm512_permutex2var_epi32(V->lut1[0], u, V->lut1[1]);
    k1 = _mm512_mask_mov_epi32(k1, _mm512_cmpgt_epi32_mask(d16, _mm512_set1_epi32(31)), _mm512_set1_epi32((5 * 18 + 1) << DS_BITS));
    __m512i k = _mm512_add_epi32(k1, k2);
    __m512i idx = _mm512_or_si512(k, _mm512_and_si512(*x, low));
    __m512i en = _mm512_i32gather_epi32(idx, (const void *)V->tab, 4);
    __m512i r = _mm512_srai_epi32(en, 23);
    __m512i xn = _mm512_add_epi32(_mm512_mullo_epi32(_mm512_and_si512(_mm512_srli_epi32(en, 11), f12),
                                                     _mm512_srli_epi32(*x, DS_BITS)),
                                  _mm512_and_si512(en, low));
    __mmask16 esc = _mm512_mask_cmpeq_epi32_mask(act, r, _mm512_set1_epi32(DS_R_ESC));
    if (__builtin_expect(esc != 0, 0)) r = escapes(V, r, en, esc);
    __mmask16 rn = _mm512_mask_cmplt_epu32_mask(act, xn, vL);
    /* the next 16 words, the first popcount(rn) of them spread to the
     * lanes that renormalise (vpexpandd: AVX-512 F) */
    __m256i wv;
    if (__builtin_expect(V->wend - V->wp >= 2 * DS_LANES, 1)) wv = _mm256_loadu_si256((const __m256i *)(const void *)V->wp);
    else wv = last_words(V, &rn);
    V->wp += 2 * (size_t)__builtin_popcount(rn);
    xn = _mm512_mask_or_epi32(xn, rn, _mm512_slli_epi32(xn, 16), _mm512_maskz_expand_epi32(rn, _mm512_cvtepu16_epi32(wv)));
    *x = _mm512_mask_mov_epi32(*x, act, xn);
    *a = _mm512_add_epi32(pred, r);
    V->bad |= _mm512_mask_cmpgt_epu32_mask(act, *a, V->top);
    _mm512_store_si512(cur + DS_LANES * t, *a);
}

/* Writing decoded rows out. */
typedef struct {
    int mode;                 /* 0 palette through byte planes, 1 identity, 2 palette through gathers */
    int vbmi;                 /* out_rows_vbmi, else out_rows_f */
    int groups;               /* mode 0: 128-value groups of the palette */
    __m512i b[32];            /* mode 0: group g is b[4g], b[4g+1] (low bytes), b[4g+2], b[4g+3] (high) */
    const uint16_t *pal;
    __m512i at;               /* bytes from a row's start to each strip's */
    size_t xb[DS_LANES];      /* the same, for scalar stores */
    size_t bulk;              /* steps written by vectors (every strip has them); the rest by the tail */
} ds_out;

DS_FN static void out_init(ds_out *O, const ds_frame *F, const dec_scratch *D, const ds_geom *g, int vbmi)
{
    O->pal = D->pal;
    O->vbmi = vbmi;
    O->mode = F->identity ? 1 : F->np <= 1024 && vbmi ? 0 : 2;
    O->groups = 0;
    if (O->mode == 0) {
        uint8_t t[8][2][128] __attribute__((aligned(64)));
        memset(t, 0, sizeof t);
        O->groups = (int)(F->np + 127) / 128;
        for (uint32_t k = 0; k < F->np; k++) {
            t[k / 128][0][k % 128] = (uint8_t)D->pal[k];
            t[k / 128][1][k % 128] = (uint8_t)(D->pal[k] >> 8);
        }
        for (int k = 0; k < 4 * O->groups; k++) O->b[k] = _mm512_load_si512(&t[0][0][0] + 64 * k);
    }
    uint32_t at[DS_LANES];
    for (int j = 0; j < DS_LANES; j++) O->xb[j] = at[j] = 2 * g->x0[j];
    O->at = _mm512_loadu_si512(at);
    O->bulk = O->mode == 2 || !vbmi ? g->q & ~(size_t)1 : g->q & ~(size_t)3;
}

/* The values of steps t .. t + 3 of a row: the ranks in pair order
 * (steps t, t + 1 of strip 0, then of strip 1 ...) split into low bytes
 * and group numbers, looked up per 128-value group (vpermi2b), interleaved
 * back into values: *A holds strip j's steps t, t + 1 in its 32-bit lane
 * j, *B its steps t + 2, t + 3. */
DS_VBMI_FN static inline __attribute__((always_inline)) void quad_vals(const ds_out *O, const uint32_t *cur, size_t t,
                                                                  __m512i *A, __m512i *B)
{
    const __m512i vs = _mm512_load_si512(ds_sel);
    __m512i w0 = _mm512_permutex2var_epi8(_mm512_load_si512(cur + DS_LANES * t), vs,
                                          _mm512_load_si512(cur + DS_LANES * (t + 1)));
    __m512i w1 = _mm512_permutex2var_epi8(_mm512_load_si512(cur + DS_LANES * (t + 2)), vs,
                                          _mm512_load_si512(cur + DS_LANES * (t + 3)));
    __m512i idx = _mm512_permutex2var_epi8(w0, _mm512_load_si512(ds_ev), w1);
    __m512i hb = _mm512_permutex2var_epi8(w0, _mm512_load_si512(ds_od), w1), lo = idx, hi = hb;
    if (O->mode == 0) {
        __m512i grp = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(idx, 7), _mm512_set1_epi8(1)),
                                      _mm512_and_si512(_mm512_slli_epi16(hb, 1), _mm512_set1_epi8((char)0xFE)));
        lo = _mm512_permutex2var_epi8(O->b[0], idx, O->b[1]);
        hi = _mm512_permutex2var_epi8(O->b[2], idx, O->b[3]);
        for (int g = 1; g < O->groups; g++) {
            __mmask64 m = _mm512_cmpeq_epi8_mask(grp, _mm512_set1_epi8((char)g));
            lo = _mm512_mask_mov_epi8(lo, m, _mm512_permutex2var_epi8(O->b[4 * g], idx, O->b[4 * g + 1]));
            hi = _mm512_mask_mov_epi8(hi, m, _mm512_permutex2var_epi8(O->b[4 * g + 2], idx, O->b[4 * g + 3]));
        }
    }
    *A = _mm512_permutex2var_epi8(lo, _mm512_load_si512(ds_il0), hi);
    *B = _mm512_permutex2var_epi8(lo, _mm512_load_si512(ds_il1), hi);
}

/* Steps t .. t + 3 out: one 32-bit scatter per pair of steps. */
DS_VBMI_FN static inline __attribute__((always_inline)) void out_quad(const ds_out *O, const uint32_t *cur, uint8_t *o, size_t t)
{
    __m512i A, B;
    quad_vals(O, cur, t, &A, &B);
    _mm512_i32scatter_epi32((void *)(o + 2 * t), O->at, A, 1);
    _mm512_i32scatter_epi32((void *)(o + 2 * t + 4), O->at, B, 1);
}

/* Steps t .. t + 7 out: two quads' values transposed (32-bit unpacks,
 * then 64-bit) so that each 128-bit lane holds one strip's eight values,
 * stored with plain 16-byte stores (cheaper than scatters). */
DS_VBMI_FN static inline __attribute__((always_inline)) void out_oct(const ds_out *O, const uint32_t *cur, uint8_t *o, size_t t)
{
    __m512i A0, B0, A1, B1;
    quad_vals(O, cur, t, &A0, &B0);
    quad_vals(O, cur, t + 4, &A1, &B1);
    __m512i T0 = _mm512_unpacklo_epi32(A0, B0), T1 = _mm512_unpackhi_epi32(A0, B0);
    __m512i T2 = _mm512_unpacklo_epi32(A1, B1), T3 = _mm512_unpackhi_epi32(A1, B1);
    /* U[k], 128-bit lane m: strip 4m + k */
    __m512i U[4] = { _mm512_unpacklo_epi64(T0, T2), _mm512_unpackhi_epi64(T0, T2), _mm512_unpacklo_epi64(T1, T3),
                     _mm512_unpackhi_epi64(T1, T3) };
    uint8_t *base = o + 2 * t;
    for (int k = 0; k < 4; k++) {
        _mm_storeu_si128((__m128i *)(void *)(base + O->xb[k]), _mm512_castsi512_si128(U[k]));
        _mm_storeu_si128((__m128i *)(void *)(base + O->xb[4 + k]), _mm512_extracti32x4_epi32(U[k], 1));
        _mm_storeu_si128((__m128i *)(void *)(base + O->xb[8 + k]), _mm512_extracti32x4_epi32(U[k], 2));
        _mm_storeu_si128((__m128i *)(void *)(base + O->xb[12 + k]), _mm512_extracti32x4_epi32(U[k], 3));
    }
}

/* Steps t, t + 1 out through gathers of the palette (the ranks
 * themselves in identity mode) and one 32-bit scatter: palettes of more
 * than 1,024 values, or CPUs without VBMI. */
DS_FN static inline __attribute__((always_inline)) void out_pair(const ds_out *O, const uint32_t *cur, uint8_t *o, size_t t)
{
    __m512i v0 = _mm512_load_si512(cur + DS_LANES * t), v1 = _mm512_load_si512(cur + DS_LANES * (t + 1));
    if (O->mode != 1) {
        v0 = _mm512_i32gather_epi32(v0, (const void *)O->pal, 2);
        v1 = _mm512_i32gather_epi32(v1, (const void *)O->pal, 2);
    }
    __m512i pair = _mm512_or_si512(_mm512_and_si512(v0, _mm512_set1_epi32(0xFFFF)), _mm512_slli_epi32(v1, 16));
    _mm512_i32scatter_epi32((void *)(o + 2 * t), O->at, pair, 1);
}

static void out_tail(const ds_out *O, const ds_geom *g, const uint32_t *cur, uint8_t *o);

/* A decoded group of rows out (rows[r] to dst row y0 + r). With VBMI:
 * eight steps a unit (four for the last when the bulk is not a multiple
 * of eight) through byte permutes; then the tail. */
DS_VBMI_FN static __attribute__((noinline)) void out_rows_vbmi(const ds_out *O, const ds_geom *g, uint32_t *const *rows,
                                                               size_t nr, uint8_t *dst, size_t y0)
{
    for (size_t r = 0; r < nr; r++) {
        uint8_t *o = dst + 2 * (y0 + r) * g->w;
        if (O->mode == 2)
            for (size_t t = 0; t < O->bulk; t += 2) out_pair(O, rows[r], o, t);
        else
            for (size_t t = 0; t < O->bulk; t += 8) {
                if (t + 8 <= O->bulk) out_oct(O, rows[r], o, t);
                else out_quad(O, rows[r], o, t);
            }
        out_tail(O, g, rows[r], o);
    }
}

/* The same without VBMI: pairs of steps through gathers. */
DS_FN static __attribute__((noinline)) void out_rows_f(const ds_out *O, const ds_geom *g, uint32_t *const *rows,
                                                       size_t nr, uint8_t *dst, size_t y0)
{
    for (size_t r = 0; r < nr; r++) {
        uint8_t *o = dst + 2 * (y0 + r) * g->w;
        for (size_t t = 0; t < O->bulk; t += 2) out_pair(O, rows[r], o, t);
        out_tail(O, g, rows[r], o);
    }
}

/* The steps after the bulk, pixel by pixel. */
static void out_tail(const ds_out *O, const ds_geom *g, const uint32_t *cur, uint8_t *o)
{
    for (size_t t = O->bulk; t < g->S; t++)
        for (size_t j = 0; j < DS_LANES; j++)
            if (t < g->n[j]) {
                uint32_t rk = cur[DS_LANES * t + j];
                st16(o + 2 * (g->x0[j] + t), O->mode == 1 ? (uint16_t)rk : O->pal[rk]);
            }
}

/* In visit order, four rows side by side; each group of rows goes out
 * after its ranks were checked (writing them out between the next group's
 * steps instead was measured no faster). vbmi: the CPU has VBMI. */
DS_FN int sy_ds_decode_avx512(uint8_t *dst, const ds_geom *g, ds_frame *F, const dec_scratch *D, int vbmi)
{
    size_t S = g->S, q = g->q, rw = row_words(g->w);
    uint32_t *up = D->rows, *set[2][DS_ROWS];
    memset(up, 0, rw * 4);   /* the zero row above row 0 */
    for (int r = 0; r < DS_ROWS; r++) {
        set[0][r] = D->rows + (size_t)(1 + r) * rw;
        set[1][r] = D->rows + (size_t)(1 + DS_ROWS + r) * rw;
    }
    __m512i x[DS_ROWS], a[DS_ROWS];
    for (int r = 0; r < DS_ROWS; r++) {
        x[r] = _mm512_loadu_si512(F->st + DS_LANES * r);
        a[r] = _mm512_setzero_si512();
    }
    ds_vec V;
    V.tab = D->tab;
    V.wp = F->words;
    V.wend = F->words + 2 * F->nwords;
    V.ep = F->esc;
    V.eend = F->esc_end;
    V.top = _mm512_set1_epi32((int)F->np - 1);
    V.bad = 0;
    V.fail = 0;
    ctx_luts(&V);
    const __mmask16 full = 0xFFFF, part = (__mmask16)((1u << g->m) - 1);
    ds_out O;
    out_init(&O, F, D, g, vbmi);
    for (size_t y0 = 0, gi = 0; y0 < g->h; y0 += DS_ROWS, gi++) {
        uint32_t **cur = set[gi & 1];
        size_t nr = g->h - y0 < DS_ROWS ? g->h - y0 : DS_ROWS, iters = S + DS_LAG * (nr - 1);
        for (size_t it = 0; it < iters; it++) {
            if (nr == DS_ROWS) {
                for (size_t r = 0; r < DS_ROWS; r++) {
                    if (it < DS_LAG * r || it - DS_LAG * r >= S) continue;
                    size_t t = it - DS_LAG * r;
                    if (t + 1 < q) vstep(&V, r ? cur[r - 1] : up, cur[r], t, &a[r], &x[r], full, full);
                    else vstep(&V, r ? cur[r - 1] : up, cur[r], t, &a[r], &x[r], t < q ? full : part,
                               t + 1 == q ? part : 0);
                }
            } else {
                for (size_t r = 0; r < nr; r++) {
                    if (it < DS_LAG * r || it - DS_LAG * r >= S) continue;
                    size_t t = it - DS_LAG * r;
                    __mmask16 act = t < q ? full : part, dm = t + 1 < q ? full : t + 1 == q ? part : 0;
                    vstep(&V, r ? cur[r - 1] : up, cur[r], t, &a[r], &x[r], act, dm);
                }
            }
        }
        /* the group's ranks are checked before they index the palette */
        if (V.bad || V.fail) return -1;
        if (vbmi) out_rows_vbmi(&O, g, cur, nr, dst, y0);
        else out_rows_f(&O, g, cur, nr, dst, y0);
        up = cur[nr - 1];
    }
    if (V.wp != V.wend || V.ep != V.eend) return -1;
    for (int r = 0; r < DS_ROWS; r++)
        if (_mm512_cmpneq_epi32_mask(x[r], _mm512_set1_epi32((int)DS_LOW))) return -1;
    return 0;
}

#endif
