/* proto_stripans: speed prototype of the strip-parallel depth coder whose
 * size proto_depthstrip.c estimates (bench/PROTOTYPES.md, "Strip-parallel
 * depth coder"). Not part of libsynapt and not a format: it decodes only
 * what it encoded itself, from trusted sample files, and checks the result
 * against the input; a codec in the library would need a spec, bounds
 * checks on every read and a fuzzer.
 *
 * The frame (width a multiple of 64) is cut into 16 vertical strips of
 * S = w / 16 columns. Lane j of an AVX-512 vector decodes strip j, column
 * t at step t, so the pixel to its left is the lane's own previous value
 * and the row above is kept transposed (ranks[t][j]) for contiguous loads.
 * Per pixel: dense rank of the value; MED of the left, upper and upper-left
 * ranks (the upper one stands in for the missing left at t = 0, a zero row
 * stands above row 0); one of 108 contexts (ctx_of); the zigzagged
 * residual, 255 and over escaped to a raw list; one 32-bit rANS state per
 * lane (M = 2^11, 16-bit renormalisation) with static per-frame tables:
 * one gathered 32-bit entry per symbol holds the symbol, its frequency and
 * the slot bias. NR rows (default 4) are decoded side by side, each two
 * steps behind the one above and with its own states, so that NR
 * dependency chains overlap (visit() is the order).
 *
 * Build: cc -O2 -D_GNU_SOURCE -o build/proto_stripans bench/proto_stripans.c -lpng -lm
 * Usage: proto_stripans FILE.png ...  (sizes, round trip, decode ns per pixel,
 * medians of 15 decodes, scalar reference and AVX-512) */
#include <immintrin.h>
#include <math.h>
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_depthio.h"

#ifndef NR
#define NR 4   /* rows decoded side by side, each with its own state set */
#endif
#ifndef MBITS_
#define MBITS_ 11
#endif
enum { LANES = 16, NCTX = 108, MBITS = MBITS_, M = 1 << MBITS, ESC = 255, NSYM = 256, LAG = 2 };
#define RANS_L (1u << 16)

typedef struct coded {
    int w, h, s, np;
    uint16_t *pal;        /* palette: rank -> value */
    uint32_t *tab;        /* NCTX x M decode entries: sym | (freq - 1) << 8 | bias << 20 */
    uint32_t state[NR][LANES]; /* set r: rows y with y % NR == r */
    uint16_t *words;      /* renormalisation words in decode order */
    size_t nwords;
    uint32_t *raw;        /* escaped residuals (zigzagged) in decode order */
    size_t nraw;
    uint16_t freq[NCTX][NSYM], cum[NCTX][NSYM + 1];
} coded;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* the bit length of v (0 for 0), at most cap */
static int bucket(int v, int cap)
{
    int k = v ? 32 - __builtin_clz((unsigned)v) : 0;
    return k < cap ? k : cap;
}

/* 108 contexts: |up - left| (6 buckets) x |upright - up| + |up - upleft|
 * (6 buckets) x the sign of up - left */
static int ctx_of(int a, int b, int c, int d)
{
    int k = bucket(abs(b - a), 5) * 6 + bucket(abs(d - b) + abs(b - c), 5);
    return k * 3 + (b > a ? 1 : b < a ? 2 : 0);
}

static int med(int a, int b, int c)
{
    int mx = a > b ? a : b, mn = a < b ? a : b, p = a + b - c;
    return p < mn ? mn : p > mx ? mx : p;
}

/* The neighbours of strip j's column t in row y (rank rows, zero above row 0). */
static void nb(const int *rk, int w, int s, int y, int j, int t, int *a, int *b, int *c, int *d)
{
    int x = j * s + t;
    const int *up = y ? rk + (size_t)(y - 1) * w : NULL;
    *b = up ? up[x] : 0;
    *a = t ? rk[(size_t)y * w + x - 1] : *b;
    *c = t && up ? up[x - 1] : *b;
    *d = t + 1 < s && up ? up[x + 1] : *b;
}

/* The decode order: rows in groups of NR; at iteration `it`, row r of the
 * group takes step it - r * LAG (state set r), which needs the row above
 * up to one step further: NR independent dependency chains for the
 * decoder to overlap. Calls fn for each group of 16 (one step of one row). */
typedef void (*group_fn)(void *u, int y, int t, int set);
static void visit(int h, int s, group_fn fn, void *u)
{
    for (int y0 = 0; y0 < h; y0 += NR)
        for (int it = 0; it < s + LAG * (NR - 1); it++)
            for (int r = 0; r < NR; r++) {
                int t = it - r * LAG;
                if (t >= 0 && t < s && y0 + r < h) fn(u, y0 + r, t, r);
            }
}

/* Frequencies of one context scaled to M, every used symbol at least 1. */
static void normalise(const uint32_t *cnt, uint16_t *f)
{
    uint64_t tot = 0;
    for (int z = 0; z < NSYM; z++) tot += cnt[z];
    if (!tot) { memset(f, 0, NSYM * sizeof *f); f[0] = M; return; }
    int sum = 0, big = 0;
    for (int z = 0; z < NSYM; z++) {
        f[z] = cnt[z] ? (uint16_t)(cnt[z] * (uint64_t)M / tot) : 0;
        if (cnt[z] && !f[z]) f[z] = 1;
        sum += f[z];
        if (f[z] > f[big]) big = z;
    }
    /* the difference goes to (or comes from) the most frequent symbols */
    while (sum != M) {
        int best = -1;
        for (int z = 0; z < NSYM; z++)
            if (f[z] > 1 && (best < 0 || f[z] > f[best])) best = z;
        if (sum > M) { f[best]--; sum--; }
        else { f[big]++; sum++; }
    }
}

static uint32_t enc_cnt[NCTX][NSYM];
struct encctx { coded *e; const int *R; uint8_t *sym, *ctx, *set; size_t q; };

static void enc_group(void *u, int y, int t, int st)
{
    struct encctx *c = u;
    coded *e = c->e;
    for (int j = 0; j < LANES; j++, c->q++) {
        int a, b, cc, d;
        nb(c->R, e->w, e->s, y, j, t, &a, &b, &cc, &d);
        int r = c->R[(size_t)y * e->w + j * e->s + t] - med(a, b, cc);
        uint32_t z = r >= 0 ? 2u * (uint32_t)r : 2u * (uint32_t)(-r) - 1;
        c->ctx[c->q] = (uint8_t)ctx_of(a, b, cc, d);
        c->sym[c->q] = (uint8_t)(z < ESC ? z : ESC);
        c->set[c->q] = (uint8_t)st;
        if (z >= ESC) e->raw[e->nraw++] = z;
        enc_cnt[c->ctx[c->q]][c->sym[c->q]]++;
    }
}

static coded *encode(const uint16_t *px, int w, int h)
{
    coded *e = calloc(1, sizeof *e);
    e->w = w; e->h = h; e->s = w / LANES;
    static int rk[65536];
    static uint8_t seen[65536];
    memset(seen, 0, sizeof seen);
    size_t n = (size_t)w * h;
    for (size_t i = 0; i < n; i++) seen[px[i]] = 1;
    e->pal = malloc(65536 * 2);
    for (int v = 0; v < 65536; v++)
        if (seen[v]) { rk[v] = e->np; e->pal[e->np++] = (uint16_t)v; }
    int *R = malloc(n * sizeof *R);
    uint8_t *sym = malloc(n), *ctx = malloc(n), *set = malloc(n);
    for (size_t i = 0; i < n; i++) R[i] = rk[px[i]];
    /* features in decode order */
    struct encctx ec = { e, R, sym, ctx, set, 0 };
    e->raw = malloc(n * sizeof *e->raw);
    memset(enc_cnt, 0, sizeof enc_cnt);
    visit(h, e->s, enc_group, &ec);
    for (int k = 0; k < NCTX; k++) {
        normalise(enc_cnt[k], e->freq[k]);
        e->cum[k][0] = 0;
        for (int z = 0; z < NSYM; z++) e->cum[k][z + 1] = (uint16_t)(e->cum[k][z] + e->freq[k][z]);
    }
    e->tab = aligned_alloc(64, (size_t)NCTX * M * 4);
    for (int k = 0; k < NCTX; k++)
        for (int z = 0; z < NSYM; z++)
            for (int sl = e->cum[k][z]; sl < e->cum[k][z] + e->freq[k][z]; sl++)
                e->tab[k * M + sl] = (uint32_t)z | (uint32_t)(e->freq[k][z] - 1) << 8 | (uint32_t)(sl - e->cum[k][z]) << 20;
    /* rANS, backwards: steps last to first, lanes 15 to 0, words pushed
     * onto a stack that decodes forwards */
    uint16_t *stack = malloc((n * 2 + 64) * sizeof *stack);
    size_t sp = n * 2 + 64;
    uint32_t x[NR][LANES];
    for (int j = 0; j < NR * LANES; j++) x[j / LANES][j % LANES] = RANS_L;
    for (size_t i = n; i-- > 0;) {
        int j = (int)(i % LANES), k = ctx[i], z = sym[i];
        uint32_t *st = &x[set[i]][j], f = e->freq[k][z];
        uint64_t xmax = (uint64_t)((RANS_L >> MBITS) << 16) * f;   /* 2^32 when f = M */
        if (*st >= xmax) { stack[--sp] = (uint16_t)*st; *st >>= 16; }
        *st = (*st / f << MBITS) + *st % f + e->cum[k][z];
    }
    memcpy(e->state, x, sizeof x);
    e->nwords = n * 2 + 64 - sp;
    e->words = malloc((e->nwords + 32) * sizeof *e->words);
    memcpy(e->words, stack + sp, e->nwords * sizeof *e->words);
    memset(e->words + e->nwords, 0, 32 * sizeof *e->words);
    free(stack); free(R); free(sym); free(ctx); free(set);
    return e;
}

/* bytes the format would store: states, words, escapes (3 bytes each),
 * palette (2 bytes a value) and the tables (12 bits a used symbol) */
static size_t stored(const coded *e)
{
    size_t used = 0;
    for (int k = 0; k < NCTX; k++)
        for (int z = 0; z < NSYM; z++) used += e->freq[k][z] != 0;
    return NR * LANES * 4 + e->nwords * 2 + e->nraw * 3 + (size_t)e->np * 2 + (used * 12 + 7) / 8;
}

/* scalar reference decoder */
struct decctx { const coded *e; int *R; uint32_t x[NR][LANES]; const uint16_t *wp; const uint32_t *rp; };

static void dec_group(void *u, int y, int t, int st)
{
    struct decctx *c = u;
    const coded *e = c->e;
    uint32_t *x = c->x[st];
    for (int j = 0; j < LANES; j++) {
        int a, b, cc, d;
        nb(c->R, e->w, e->s, y, j, t, &a, &b, &cc, &d);
        uint32_t en = e->tab[ctx_of(a, b, cc, d) * M + (x[j] & (M - 1))];
        uint32_t z = en & 255;
        x[j] = ((en >> 8 & 4095) + 1) * (x[j] >> MBITS) + (en >> 20);
        if (z == ESC) z = *c->rp++;
        int r = (int)(z >> 1) ^ -(int)(z & 1);
        c->R[(size_t)y * e->w + j * e->s + t] = med(a, b, cc) + r;
    }
    for (int j = 0; j < LANES; j++)
        if (x[j] < RANS_L) x[j] = x[j] << 16 | *c->wp++;
}

static void decode_ref(const coded *e, uint16_t *out)
{
    struct decctx c = { e, malloc((size_t)e->w * e->h * sizeof(int)), { { 0 } }, e->words, e->raw };
    memcpy(c.x, e->state, sizeof c.x);
    visit(e->h, e->s, dec_group, &c);
    for (size_t i = 0; i < (size_t)e->w * e->h; i++) out[i] = e->pal[c.R[i]];
    free(c.R);
}

#define SIMD_FN __attribute__((target("avx512f,avx512cd,avx512bw,avx512vl,avx512vbmi,avx512vbmi2")))

/* One step of one row: 16 pixels, one per strip. up/cur hold the row above
 * and this row transposed (step t at [t * 16]); *a is the lane's previous
 * value (its left neighbour), *x its rANS state. */
SIMD_FN __attribute__((always_inline)) static inline void
simd_step(const coded *e, const uint32_t *up, uint32_t *cur, int t, __m512i *a, __m512i *x, const uint16_t **wp,
          const uint32_t **rp, __mmask16 *bad)
{
    const __m512i low = _mm512_set1_epi32(M - 1), one = _mm512_set1_epi32(1), five = _mm512_set1_epi32(5);
    const __m512i c32 = _mm512_set1_epi32(32), byte = _mm512_set1_epi32(255), f12 = _mm512_set1_epi32(4095);
    const __m512i vL = _mm512_set1_epi32(RANS_L), top = _mm512_set1_epi32(e->np - 1), zero = _mm512_setzero_si512();
    int s = e->s;
    __m512i b = _mm512_load_si512(up + t * LANES);
    __m512i c = t ? _mm512_load_si512(up + (t - 1) * LANES) : b;
    __m512i d = t + 1 < s ? _mm512_load_si512(up + (t + 1) * LANES) : b;
    __m512i l = t ? *a : b;
    __m512i mx = _mm512_max_epi32(l, b), mn = _mm512_min_epi32(l, b);
    __m512i pred = _mm512_max_epi32(mn, _mm512_min_epi32(mx, _mm512_sub_epi32(_mm512_add_epi32(l, b), c)));
    __m512i e1 = _mm512_abs_epi32(_mm512_sub_epi32(b, l));
    __m512i e2 = _mm512_add_epi32(_mm512_abs_epi32(_mm512_sub_epi32(d, b)), _mm512_abs_epi32(_mm512_sub_epi32(b, c)));
    /* bit lengths, at most 5: 32 - lzcnt, and lzcnt(0) = 32 */
    __m512i k1 = _mm512_min_epi32(_mm512_sub_epi32(c32, _mm512_lzcnt_epi32(e1)), five);
    __m512i k2 = _mm512_min_epi32(_mm512_sub_epi32(c32, _mm512_lzcnt_epi32(e2)), five);
    /* k1 * 18 + k2 * 3 with shifts (vpmulld is slow) */
    __m512i k = _mm512_add_epi32(_mm512_add_epi32(_mm512_slli_epi32(k1, 4), _mm512_slli_epi32(k1, 1)),
                                 _mm512_add_epi32(k2, _mm512_slli_epi32(k2, 1)));
    k = _mm512_mask_add_epi32(k, _mm512_cmpgt_epi32_mask(b, l), k, one);
    k = _mm512_mask_add_epi32(k, _mm512_cmplt_epi32_mask(b, l), k, _mm512_set1_epi32(2));
    __m512i idx = _mm512_or_si512(_mm512_slli_epi32(k, MBITS), _mm512_and_si512(*x, low));
    __m512i en = _mm512_i32gather_epi32(idx, (const void *)e->tab, 4);
    __m512i z = _mm512_and_si512(en, byte);
    __m512i xn = _mm512_add_epi32(_mm512_mullo_epi32(_mm512_add_epi32(_mm512_and_si512(_mm512_srli_epi32(en, 8), f12), one),
                                                     _mm512_srli_epi32(*x, MBITS)),
                                  _mm512_srli_epi32(en, 20));
    __mmask16 esc = _mm512_cmpeq_epi32_mask(z, byte);
    if (esc) {   /* rare: the escaped residuals, in lane order */
        uint32_t tmp[LANES];
        _mm512_storeu_si512(tmp, z);
        for (int j = 0; j < LANES; j++)
            if (esc >> j & 1) tmp[j] = *(*rp)++;
        z = _mm512_loadu_si512(tmp);
    }
    __mmask16 rn = _mm512_cmplt_epu32_mask(xn, vL);
    __m256i wv = _mm256_maskz_expandloadu_epi16(rn, *wp);
    *wp += __builtin_popcount(rn);
    *x = _mm512_mask_or_epi32(xn, rn, _mm512_slli_epi32(xn, 16), _mm512_cvtepu16_epi32(wv));
    __m512i r = _mm512_xor_si512(_mm512_srli_epi32(z, 1), _mm512_sub_epi32(zero, _mm512_and_si512(z, one)));
    *a = _mm512_add_epi32(pred, r);
    *bad |= _mm512_cmpgt_epu32_mask(*a, top);
    _mm512_store_si512(cur + t * LANES, *a);
}

/* Two steps (t, t + 1) of a decoded row out, for a palette of more than
 * 1,024 values: gathered, and one 32-bit scatter per lane (strip j's
 * pixels t and t + 1). */
SIMD_FN __attribute__((always_inline)) static inline void
out_pair(const coded *e, const uint32_t *cur, uint16_t *o, int t, __m512i at)
{
    __m512i v0 = _mm512_i32gather_epi32(_mm512_load_si512(cur + t * LANES), (const void *)e->pal, 2);
    __m512i v1 = _mm512_i32gather_epi32(_mm512_load_si512(cur + (t + 1) * LANES), (const void *)e->pal, 2);
    __m512i pair = _mm512_or_si512(_mm512_and_si512(v0, _mm512_set1_epi32(0xFFFF)), _mm512_slli_epi32(v1, 16));
    _mm512_i32scatter_epi32((void *)(o + t), at, pair, 1);
}

/* Palette as byte planes for out_quad: group g (values 128g ..) is
 * b[4g], b[4g+1] (low bytes) and b[4g+2], b[4g+3] (high bytes). */
typedef struct bplanes { __m512i b[32]; int groups; } bplanes;

SIMD_FN static void bplanes_init(bplanes *bp, const coded *e)
{
    _Alignas(64) uint8_t t[8][2][128];
    memset(t, 0, sizeof t);
    bp->groups = e->np <= 1024 ? (e->np + 127) / 128 : 0;
    for (int k = 0; k < e->np && k < 1024; k++) {
        t[k / 128][0][k % 128] = (uint8_t)e->pal[k];
        t[k / 128][1][k % 128] = (uint8_t)(e->pal[k] >> 8);
    }
    for (int k = 0; k < 4 * bp->groups; k++) bp->b[k] = _mm512_load_si512(&t[0][0][0] + 64 * k);
}

/* Four steps (t .. t + 3) of a decoded row out through byte permutes
 * (vpermi2b; the 16-bit vpermt2w is several times slower on this CPU):
 * the ranks in pair order (step t, t + 1 of strip 0, then of strip 1 ...),
 * split into low bytes and group numbers, looked up per 128-value group,
 * the bytes interleaved back into values, one scatter per pair of steps. */
SIMD_FN __attribute__((always_inline)) static inline void
out_quad(const uint32_t *cur, uint16_t *o, int t, const bplanes *bp, __m512i at)
{
    _Alignas(64) static uint8_t sel[64], ev[64], od[64], il0[64], il1[64];
    if (!sel[1]) {
        for (int i = 0; i < 64; i++) {
            int j = i / 4, step = i / 2 & 1, byte = i & 1;   /* u16 lane i/2: strip j, step t + (i/2 & 1) */
            sel[i] = (uint8_t)((step ? 64 : 0) + 4 * j + byte);
            ev[i] = (uint8_t)(2 * i);
            od[i] = (uint8_t)(2 * i + 1);
            il0[i] = (uint8_t)(i & 1 ? 64 + i / 2 : i / 2);
            il1[i] = (uint8_t)(i & 1 ? 96 + i / 2 : 32 + i / 2);
        }
    }
    const __m512i vs = _mm512_load_si512(sel), ve = _mm512_load_si512(ev), vo = _mm512_load_si512(od);
    __m512i w0 = _mm512_permutex2var_epi8(_mm512_load_si512(cur + t * LANES), vs, _mm512_load_si512(cur + (t + 1) * LANES));
    __m512i w1 = _mm512_permutex2var_epi8(_mm512_load_si512(cur + (t + 2) * LANES), vs,
                                          _mm512_load_si512(cur + (t + 3) * LANES));
    __m512i idx = _mm512_permutex2var_epi8(w0, ve, w1), hb = _mm512_permutex2var_epi8(w0, vo, w1);
    __m512i grp = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(idx, 7), _mm512_set1_epi8(1)),
                                  _mm512_and_si512(_mm512_slli_epi16(hb, 1), _mm512_set1_epi8((char)0xFE)));
    __m512i lo = _mm512_permutex2var_epi8(bp->b[0], idx, bp->b[1]), hi = _mm512_permutex2var_epi8(bp->b[2], idx, bp->b[3]);
    for (int g = 1; g < bp->groups; g++) {
        __mmask64 m = _mm512_cmpeq_epi8_mask(grp, _mm512_set1_epi8((char)g));
        lo = _mm512_mask_mov_epi8(lo, m, _mm512_permutex2var_epi8(bp->b[4 * g], idx, bp->b[4 * g + 1]));
        hi = _mm512_mask_mov_epi8(hi, m, _mm512_permutex2var_epi8(bp->b[4 * g + 2], idx, bp->b[4 * g + 3]));
    }
    _mm512_i32scatter_epi32((void *)(o + t), at, _mm512_permutex2var_epi8(lo, _mm512_load_si512(il0), hi), 1);
    _mm512_i32scatter_epi32((void *)(o + t + 2), at, _mm512_permutex2var_epi8(lo, _mm512_load_si512(il1), hi), 1);
}

/* Output unit u of a row: four steps through byte permutes when the
 * palette has at most 1,024 values (s a multiple of 4), else two steps
 * through gathers. */
SIMD_FN __attribute__((always_inline)) static inline void
out_unit(const coded *e, const uint32_t *cur, uint16_t *o, int u, const bplanes *bp, __m512i at)
{
    if (bp->groups) out_quad(cur, o, 4 * u, bp, at);
    else out_pair(e, cur, o, 2 * u, at);
}

/* AVX-512 (F, CD, BW, VL, VBMI, VBMI2) decoder, in visit()'s order: NR rows
 * side by side, each with its own state set and left neighbours. The
 * previous group of rows goes out a few steps per iteration, between the
 * decode's steps (measured: no faster than writing it out after the group,
 * but no slower either). rows holds 2 x NR + 1 transposed
 * rows. Returns 0, or -1 (a rank past the palette). */
SIMD_FN static int decode_simd(const coded *e, uint16_t *out, uint32_t *rows)
{
    int w = e->w, h = e->h, s = e->s, iters = s + LAG * (NR - 1);
    size_t rs = (size_t)s * LANES;
    uint32_t *set[2][NR], *up = rows, **prev = NULL;
    for (int r = 0; r < NR; r++) {
        set[0][r] = rows + (size_t)(1 + r) * rs;
        set[1][r] = rows + (size_t)(1 + NR + r) * rs;
    }
    memset(up, 0, rs * 4);   /* the zero row above row 0 */
    __m512i x[NR], a[NR];
    for (int r = 0; r < NR; r++) {
        x[r] = _mm512_loadu_si512(e->state[r]);
        a[r] = _mm512_setzero_si512();
    }
    const uint16_t *wp = e->words;
    const uint32_t *rp = e->raw;
    __mmask16 bad = 0;
    const __m512i at = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                          _mm512_set1_epi32(2 * s));   /* bytes to strip j */
    bplanes bp;
    bplanes_init(&bp, e);
    int units_per_row = bp.groups ? s / 4 : s / 2;
    int prev_nr = 0, prev_y0 = 0;
    for (int g = 0, y0 = 0; y0 < h; y0 += NR, g++) {
        uint32_t **cur = set[g & 1];
        int nr = h - y0 < NR ? h - y0 : NR;
        int units = prev ? prev_nr * units_per_row : 0, done = 0, per = (units + iters - 1) / iters;
        for (int it = 0; it < iters; it++) {
            if (nr == NR) {
                for (int r = 0; r < NR; r++) {
                    int t = it - r * LAG;
                    if (t >= 0 && t < s) simd_step(e, r ? cur[r - 1] : up, cur[r], t, &a[r], &x[r], &wp, &rp, &bad);
                }
            } else {
                for (int r = 0; r < nr; r++) {
                    int t = it - r * LAG;
                    if (t >= 0 && t < s) simd_step(e, r ? cur[r - 1] : up, cur[r], t, &a[r], &x[r], &wp, &rp, &bad);
                }
            }
            for (int k = 0; k < per && done < units; k++, done++) {
                int r = done / units_per_row;
                out_unit(e, prev[r], out + (size_t)(prev_y0 + r) * w, done % units_per_row, &bp, at);
            }
        }
        if (bad) return -1;
        up = cur[nr - 1];
        prev = cur;
        prev_nr = nr;
        prev_y0 = y0;
    }
    for (int done = 0; prev && done < prev_nr * units_per_row; done++) {
        int r = done / units_per_row;
        out_unit(e, prev[r], out + (size_t)(prev_y0 + r) * w, done % units_per_row, &bp, at);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: proto_stripans FILE.png ...\n");
        return 2;
    }
    printf("| frame | PNG bytes | stored bytes | PNG / stored | round trip | scalar ns/px | AVX-512 ns/px |\n");
    printf("|---|---:|---:|---:|---|---:|---:|\n");
    for (int f = 1; f < argc; f++) {
        int w = 0, h = 0;
        uint16_t *px = bench_load_png16(argv[f], &w, &h);
        if (!px || w % (4 * LANES)) {
            fprintf(stderr, "proto_stripans: %s: not a 16-bit grey PNG of a width divisible by 64\n", argv[f]);
            return 1;
        }
        FILE *fp = fopen(argv[f], "rb");
        fseek(fp, 0, SEEK_END);
        long pngb = ftell(fp);
        fclose(fp);
        coded *e = encode(px, w, h);
        size_t n = (size_t)w * h;
        uint16_t *o1 = malloc(n * 2), *o2 = malloc(n * 2);
        uint32_t *rows = aligned_alloc(64, ((size_t)e->s * LANES * 4 * (2 * NR + 1) + 63) / 64 * 64);
        decode_ref(e, o1);
        int rs = decode_simd(e, o2, rows);
        int ok = rs == 0 && !memcmp(o1, px, n * 2) && !memcmp(o2, px, n * 2);
        if (!ok) {
            size_t i1 = 0, i2 = 0;
            while (i1 < n && o1[i1] == px[i1]) i1++;
            while (i2 < n && o2[i2] == px[i2]) i2++;
            fprintf(stderr, "%s: simd rc %d, reference differs first at %zu, simd at %zu (of %zu), escapes %zu\n", argv[f], rs, i1, i2, n, e->nraw);
        }
        double tr[15], ts[15];
        for (int r = 0; r < 15; r++) {
            double t0 = now();
            decode_ref(e, o1);
            tr[r] = now() - t0;
            t0 = now();
            for (int q = 0; q < 5; q++) decode_simd(e, o2, rows);
            ts[r] = (now() - t0) / 5;
        }
        qsort(tr, 15, sizeof *tr, cmpd);
        qsort(ts, 15, sizeof *ts, cmpd);
        const char *name = strrchr(argv[f], '/') ? strrchr(argv[f], '/') + 1 : argv[f];
        size_t sb = stored(e);
        printf("| %s | %ld | %zu | %.2f | %s | %.2f | %.2f |\n", name, pngb, sb, (double)pngb / sb, ok ? "exact" : "**FAILED**",
               tr[7] / n * 1e9, ts[7] / n * 1e9);
    }
    return 0;
}
