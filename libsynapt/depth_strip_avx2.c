/* depth_strip_avx2.c - depth_strip's AVX2 decoder (spec/format.md 6.5)
 * for x86-64 CPUs without AVX-512: the AVX-512 decoder's layout in two
 * 8-lane halves, strips 0-7 and 8-15 of a step one after the other, four
 * rows side by side. What AVX2 lacks is built from what it has: the
 * contexts' bit lengths from pshufb tables, the renormalisation words
 * spread to their lanes by a permute picked by the lane mask, unsigned
 * compares through max; rows go out pixel by pixel from the transposed
 * rank rows. Checks every read against its stream's end, as the portable
 * decoder in depth_strip.c does; the tests and fuzz_dstrip hold the two
 * to the same answers. */
#include "depth_strip_internal.h"

#ifdef DS_X86
#include <immintrin.h>

#define D2_FN __attribute__((target("avx2,bmi2")))
#define D2_HALF 8

typedef struct {
    const uint32_t *tab;
    const uint8_t *wp, *wend;   /* words */
    const uint8_t *ep, *eend;   /* escapes */
    __m256i top;                /* the largest rank */
    __m256i bad;                /* lanes with a rank past the palette (all bits) */
    int fail;                   /* a word or an escape past its stream, a context without a table */
    __m256i k1lut, k2lut;       /* pshufb tables of the contexts (18 L, 3 L for 0..15) */
} d2_vec;

/* spread[m]: for lane mask m of eight lanes, the index of the word each
 * renormalising lane takes (its rank among the set lanes), as bytes */
static uint64_t d2_spread[256];
static pthread_once_t d2_once = PTHREAD_ONCE_INIT;

static void d2_init(void)
{
    for (unsigned m = 0; m < 256; m++) {
        uint64_t v = 0;
        unsigned k = 0;
        for (unsigned j = 0; j < 8; j++)
            if (m >> j & 1) v |= (uint64_t)(k++) << (8 * j);
        d2_spread[m] = v;
    }
}

/* The escaped lanes of a half, in lane order (and lanes whose context has
 * no table: their entries look like escapes). */
D2_FN static __attribute__((noinline)) __m256i d2_escapes(d2_vec *V, __m256i r, __m256i en, unsigned esc)
{
    int32_t tmp[D2_HALF];
    uint32_t e[D2_HALF];
    _mm256_storeu_si256((__m256i *)(void *)tmp, r);
    _mm256_storeu_si256((__m256i *)(void *)e, en);
    for (int j = 0; j < D2_HALF; j++)
        if (esc >> j & 1) {
            int ok = e[j] != DS_NOTAB;
            tmp[j] = ds_escape(&V->ep, V->eend, &ok);
            if (!ok) V->fail = 1;
        }
    return _mm256_loadu_si256((const __m256i *)(const void *)tmp);
}

/* The words of a half when fewer than eight are left: never read past. */
D2_FN static __attribute__((noinline)) __m128i d2_last_words(d2_vec *V, unsigned *rn)
{
    uint16_t tmp[D2_HALF] = { 0 };
    size_t pc = (size_t)__builtin_popcount(*rn), left = (size_t)(V->wend - V->wp) / 2;
    if (pc > left) {
        V->fail = 1;
        *rn = 0;
        return _mm_setzero_si128();
    }
    memcpy(tmp, V->wp, 2 * pc);
    return _mm_loadu_si128((const __m128i *)(const void *)tmp);
}

/* min(bit length of v, 5) times `mul` (a pshufb table of 0..15, and 5 for
 * 16 and more), for v >= 0 in each 32-bit lane, shifted to the table row */
D2_FN static inline __attribute__((always_inline)) __m256i d2_len(__m256i v, __m256i lut, int big)
{
    const __m256i c15 = _mm256_set1_epi32(15), hi = _mm256_set1_epi32((int)0x80808000u);
    __m256i i = _mm256_or_si256(_mm256_min_epu32(v, c15), hi);
    __m256i k = _mm256_shuffle_epi8(lut, i);
    k = _mm256_blendv_epi8(k, _mm256_set1_epi32(big), _mm256_cmpgt_epi32(v, c15));
    return _mm256_slli_epi32(k, DS_BITS);
}

/* One half of one step: strips 8h .. 8h + 7 at step t. up/cur point at the
 * half's lanes of the row above's and this row's step t; act/dm as in the
 * AVX-512 decoder, as lane masks of all bits. */
D2_FN static inline __attribute__((always_inline)) void
d2_step(d2_vec *V, const uint32_t *up, uint32_t *cur, size_t t, __m256i *a, __m256i *x, __m256i act, __m256i dm,
        int full)
{
    const __m256i low = _mm256_set1_epi32(DS_M - 1), f12 = _mm256_set1_epi32(4095), zero = _mm256_setzero_si256();
    __m256i b = _mm256_load_si256((const __m256i *)(const void *)(up + DS_LANES * t));
    __m256i c = t ? _mm256_load_si256((const __m256i *)(const void *)(up + DS_LANES * (t - 1))) : b;
    __m256i d = _mm256_load_si256((const __m256i *)(const void *)(up + DS_LANES * (t + 1)));
    if (!full) d = _mm256_blendv_epi8(b, d, dm);
    __m256i l = t ? *a : b;
    __m256i mx = _mm256_max_epi32(l, b), mn = _mm256_min_epi32(l, b);
    __m256i pred = _mm256_max_epi32(mn, _mm256_min_epi32(mx, _mm256_sub_epi32(_mm256_add_epi32(l, b), c)));
    __m256i e2 = _mm256_add_epi32(_mm256_abs_epi32(_mm256_sub_epi32(d, b)), _mm256_abs_epi32(_mm256_sub_epi32(b, c)));
    __m256i db = _mm256_sub_epi32(b, l);
    /* 18 L(|b - a|) + (1 if b > a, 2 if b < a) + 3 L(e2), times the table size */
    __m256i k = _mm256_add_epi32(d2_len(_mm256_abs_epi32(db), V->k1lut, 90), d2_len(e2, V->k2lut, 15));
    __m256i sgn = _mm256_sub_epi32(_mm256_and_si256(_mm256_cmpgt_epi32(zero, db), _mm256_set1_epi32(2 << DS_BITS)),
                                   _mm256_and_si256(_mm256_cmpgt_epi32(db, zero), _mm256_set1_epi32(-(1 << DS_BITS))));
    __m256i idx = _mm256_or_si256(_mm256_add_epi32(k, sgn), _mm256_and_si256(*x, low));
    __m256i en = _mm256_i32gather_epi32((const int *)(const void *)V->tab, idx, 4);
    __m256i r = _mm256_srai_epi32(en, 23);
    __m256i xn = _mm256_add_epi32(_mm256_mullo_epi32(_mm256_and_si256(_mm256_srli_epi32(en, 11), f12),
                                                     _mm256_srli_epi32(*x, DS_BITS)),
                                  _mm256_and_si256(en, low));
    unsigned esc = (unsigned)_mm256_movemask_ps(
        _mm256_castsi256_ps(_mm256_and_si256(_mm256_cmpeq_epi32(r, _mm256_set1_epi32(DS_R_ESC)), act)));
    if (__builtin_expect(esc != 0, 0)) r = d2_escapes(V, r, en, esc);
    /* lanes to renormalise: xn < 2^16, where the step is */
    __m256i need = _mm256_and_si256(_mm256_cmpeq_epi32(_mm256_srli_epi32(xn, 16), zero), act);
    unsigned rn = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(need));
    __m128i wv;
    if (__builtin_expect(V->wend - V->wp >= 2 * D2_HALF, 1)) wv = _mm_loadu_si128((const __m128i *)(const void *)V->wp);
    else {
        wv = d2_last_words(V, &rn);
        if (!rn) need = zero;
    }
    V->wp += 2 * (size_t)__builtin_popcount(rn);
    __m256i spread = _mm256_cvtepu8_epi32(_mm_cvtsi64_si128((long long)d2_spread[rn]));
    __m256i w = _mm256_permutevar8x32_epi32(_mm256_cvtepu16_epi32(wv), spread);
    xn = _mm256_blendv_epi8(xn, _mm256_or_si256(_mm256_slli_epi32(xn, 16), w), need);
    *x = full ? xn : _mm256_blendv_epi8(*x, xn, act);
    *a = _mm256_add_epi32(pred, r);
    /* rank > top, unsigned (a negative rank is a large one) */
    __m256i over = _mm256_xor_si256(_mm256_max_epu32(*a, V->top), V->top);
    V->bad = _mm256_or_si256(V->bad, full ? over : _mm256_and_si256(over, act));
    _mm256_store_si256((__m256i *)(void *)(cur + DS_LANES * t), *a);
}

/* A decoded row out, pixel by pixel from its transposed ranks. */
static void d2_out_row(const ds_geom *g, const ds_frame *F, const dec_scratch *D, const uint32_t *cur, uint8_t *o)
{
    for (size_t j = 0; j < DS_LANES; j++) {
        uint8_t *p = o + 2 * g->x0[j];
        const uint32_t *c = cur + j;
        if (F->identity)
            for (size_t t = 0; t < g->n[j]; t++) st16(p + 2 * t, (uint16_t)c[DS_LANES * t]);
        else
            for (size_t t = 0; t < g->n[j]; t++) st16(p + 2 * t, D->pal[c[DS_LANES * t]]);
    }
}

D2_FN int sy_ds_decode_avx2(uint8_t *dst, const ds_geom *g, ds_frame *F, const dec_scratch *D)
{
    pthread_once(&d2_once, d2_init);
    size_t S = g->S, q = g->q, rw = row_words(g->w);
    uint32_t *up = D->rows, *set[2][DS_ROWS];
    memset(up, 0, rw * 4);
    for (int r = 0; r < DS_ROWS; r++) {
        set[0][r] = D->rows + (size_t)(1 + r) * rw;
        set[1][r] = D->rows + (size_t)(1 + DS_ROWS + r) * rw;
    }
    /* x[r][h], a[r][h]: row r of the group, half h */
    __m256i x[DS_ROWS][2], a[DS_ROWS][2];
    for (int r = 0; r < DS_ROWS; r++)
        for (int h = 0; h < 2; h++) {
            x[r][h] = _mm256_loadu_si256((const __m256i *)(const void *)(F->st + DS_LANES * r + D2_HALF * h));
            a[r][h] = _mm256_setzero_si256();
        }
    d2_vec V;
    V.tab = D->tab;
    V.wp = F->words;
    V.wend = F->words + 2 * F->nwords;
    V.ep = F->esc;
    V.eend = F->esc_end;
    V.top = _mm256_set1_epi32((int)F->np - 1);
    V.bad = _mm256_setzero_si256();
    V.fail = 0;
    {
        uint8_t k1[32], k2[32];
        for (int v = 0; v < 16; v++) k1[v] = k1[16 + v] = (uint8_t)(18 * blen5((unsigned)v));
        for (int v = 0; v < 16; v++) k2[v] = k2[16 + v] = (uint8_t)(3 * blen5((unsigned)v));
        V.k1lut = _mm256_loadu_si256((const __m256i *)(const void *)k1);
        V.k2lut = _mm256_loadu_si256((const __m256i *)(const void *)k2);
    }
    /* lane masks: all lanes; lanes j < m (strips with a step q) */
    __m256i ones = _mm256_set1_epi32(-1), part[2];
    for (int h = 0; h < 2; h++) {
        int32_t m[D2_HALF];
        for (int j = 0; j < D2_HALF; j++) m[j] = (size_t)(D2_HALF * h + j) < g->m ? -1 : 0;
        part[h] = _mm256_loadu_si256((const __m256i *)(const void *)m);
    }
    for (size_t y0 = 0, gi = 0; y0 < g->h; y0 += DS_ROWS, gi++) {
        uint32_t **cur = set[gi & 1];
        size_t nr = g->h - y0 < DS_ROWS ? g->h - y0 : DS_ROWS, iters = S + DS_LAG * (nr - 1);
        for (size_t it = 0; it < iters; it++)
            for (size_t r = 0; r < nr; r++) {
                if (it < DS_LAG * r || it - DS_LAG * r >= S) continue;
                size_t t = it - DS_LAG * r;
                const uint32_t *u = r ? cur[r - 1] : up;
                for (int h = 0; h < 2; h++) {
                    if (t + 1 < q)
                        d2_step(&V, u + D2_HALF * h, cur[r] + D2_HALF * h, t, &a[r][h], &x[r][h], ones, ones, 1);
                    else
                        d2_step(&V, u + D2_HALF * h, cur[r] + D2_HALF * h, t, &a[r][h], &x[r][h],
                                t < q ? ones : part[h], t + 1 == q ? part[h] : _mm256_setzero_si256(), 0);
                }
            }
        /* the group's ranks are checked before they index the palette */
        if (!_mm256_testz_si256(V.bad, V.bad) || V.fail) return -1;
        for (size_t r = 0; r < nr; r++) d2_out_row(g, F, D, cur[r], dst + 2 * (y0 + r) * g->w);
        up = cur[nr - 1];
    }
    if (V.wp != V.wend || V.ep != V.eend) return -1;
    for (int r = 0; r < DS_ROWS; r++)
        for (int h = 0; h < 2; h++)
            if (_mm256_movemask_epi8(_mm256_cmpeq_epi32(x[r][h], _mm256_set1_epi32((int)DS_LOW))) != -1) return -1;
    return 0;
}
#endif
