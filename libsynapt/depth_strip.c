/* depth_strip.c - compression 4, depth_strip (spec/format.md 6.5): u16
 * depth frames coded for size like depth_ans, laid out for a decoder that
 * runs sixteen pixels at a time.
 *
 * depth_ans decodes through each pixel's left neighbour: the context of
 * pixel x needs pixel x - 1, so one table lookup waits for the last. Here
 * the frame is cut into 16 vertical strips and each strip predicts from
 * itself only: lane j of a 16-lane vector decodes strip j, and the left
 * neighbour of its step t is its own step t - 1. Four rows run side by
 * side again (row r two steps behind row r - 1, with its own states), so
 * four such vector chains overlap. Per pixel: the value's rank in the
 * frame's palette, MED of the left, upper and upper-left ranks, one of
 * 108 contexts (two gradients in six buckets and the sign of up - left),
 * the zigzagged residual as one of 256 symbols (255: an escape, the value
 * in a side stream) and static per-frame rANS tables of 2^11.
 *
 * The AVX-512 decoder gathers one 32-bit table entry per pixel (symbol,
 * frequency and slot bias in one word), reads its renormalisation words
 * with one expand-load per step and writes the ranks out through byte
 * permutes of the palette (depth_codec.c's byte planes). Other CPUs run
 * the portable decoder, the reference for the tests; both check every
 * read against the payload's end.
 *
 * Payload of one frame: mode (0 palette, 1 identity), the palette as in
 * depth_ans, 108 tables (n, then n frequencies, LEB128), the escape
 * stream's length (u32) and bytes, 64 u32 states, u16 words to the end. */
#include <stdlib.h>

#include "internal.h"

#define DS_LANES 16
#define DS_ROWS  4             /* rows of a group, each with its own states */
#define DS_LAG   2             /* steps between a row and the row above */
#define DS_CTX   108
#define DS_SYM   256
#define DS_ESC   255
#define DS_BITS  11
#define DS_M     (1u << DS_BITS)
#define DS_LOW   (1u << 16)
#define DS_NSTATE (DS_ROWS * DS_LANES)
#define DS_IDENTITY 1
/* Decoder table entry: slot bias | frequency << 11 | the residual << 23
 * (signed, 9 bits: the symbol z unzigzagged, so the decoder skips that
 * step; the escape symbol 255 unzigzags to -128). A context without a
 * table has entries of frequency 0 and residual -128: the escape path,
 * rare on real data, is where both are told apart, so the hot path tests
 * for one case only. */
#define DS_ENT(z, f, i) ((uint32_t)(i) | (uint32_t)(f) << 11 | ((uint32_t)((int)((z) >> 1) ^ -(int)((z) & 1)) & 511u) << 23)
#define DS_NOTAB DS_ENT(DS_ESC, 0, 0)
#define DS_R_ESC (-128)
#define DS_TAB_ENTRIES (DS_CTX * DS_M + DS_LANES)   /* the builder's stores may run 15 past */

static inline uint16_t ld16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline void st16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static inline uint32_t ld32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline void st32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

/* ---- geometry ---- */

typedef struct {
    size_t w, h, q, m, S;
    uint32_t x0[DS_LANES], n[DS_LANES];   /* strip j: columns x0[j] .. x0[j] + n[j] - 1 */
} ds_geom;

static void geom_of(ds_geom *g, size_t w, size_t h)
{
    g->w = w;
    g->h = h;
    g->q = w / DS_LANES;
    g->m = w % DS_LANES;
    g->S = g->q + (g->m > 0);
    for (size_t j = 0; j < DS_LANES; j++) {
        g->n[j] = (uint32_t)(g->q + (j < g->m));
        g->x0[j] = (uint32_t)(j * g->q + (j < g->m ? j : g->m));
    }
}

/* ---- model ---- */

static inline unsigned blen5(unsigned v)
{
    unsigned k = v ? 32u - (unsigned)__builtin_clz(v) : 0;
    return k < 5 ? k : 5;
}

static inline unsigned ctx_of(int a, int b, int c, int d)
{
    unsigned k = blen5((unsigned)abs(b - a)) * 6 + blen5((unsigned)(abs(d - b) + abs(b - c)));
    return k * 3 + (b > a ? 1 : b < a ? 2 : 0);
}

static inline int med3(int a, int b, int c)
{
    int lo = a < b ? a : b, hi = a < b ? b : a, g = a + b - c;
    g = g < lo ? lo : g;
    return g > hi ? hi : g;
}

/* The neighbours of strip j's step t on row y of a rank image (u16 host
 * order in `img`, rows of w). */
static inline void nbrs(const uint8_t *img, const ds_geom *g, size_t y, size_t j, size_t t, int *a, int *b, int *c,
                        int *d)
{
    size_t x = g->x0[j] + t;
    const uint8_t *row = img + 2 * y * g->w, *up = row - 2 * g->w;
    int B = y ? ld16(up + 2 * x) : 0;
    *b = B;
    *a = t ? ld16(row + 2 * (x - 1)) : B;
    *c = t && y ? ld16(up + 2 * (x - 1)) : B;
    *d = t + 1 < g->n[j] && y ? ld16(up + 2 * (x + 1)) : B;
}

/* Calls fn for every unit (row y, step t, row set r) in visit order. */
#define DS_VISIT(g, y, t, r, ...)                                                           \
    for (size_t y0_ = 0; y0_ < (g)->h; y0_ += DS_ROWS) {                                     \
        size_t G_ = (g)->h - y0_ < DS_ROWS ? (g)->h - y0_ : DS_ROWS;                        \
        for (size_t k_ = 0; k_ < (g)->S + DS_LAG * (G_ - 1); k_++)                          \
            for (size_t r = 0; r < G_; r++) {                                                \
                if (k_ < DS_LAG * r || k_ - DS_LAG * r >= (g)->S) continue;                  \
                size_t y = y0_ + r, t = k_ - DS_LAG * r;                                     \
                __VA_ARGS__                                                                  \
            }                                                                                \
    }

/* ---- encoder ---- */

size_t sy_dstrip_bound(size_t n)
{
    size_t px = n / 2;
    /* mode, palette (3-byte LEB128s), tables, X, escapes (3 bytes at
     * most each), states, one word per pixel at most */
    return 1 + 3 + 3 * 65536 + DS_CTX * (2 + 2 * DS_SYM) + 4 + 3 * px + 4 * DS_NSTATE + 2 * px + 16;
}

typedef struct {
    uint16_t *rank_of;     /* value -> rank (65536) */
    uint16_t *pal;         /* rank -> value */
    uint8_t *seen;         /* 65536 */
    uint8_t *img;          /* the rank image, u16 host order */
    uint8_t *sym, *ctx, *set;   /* per pixel in visit order */
    uint8_t *esc;          /* the escape stream */
    uint16_t *words;       /* the word stack */
    uint32_t *cnt;         /* DS_CTX x DS_SYM */
    uint16_t (*freq)[DS_SYM], (*cum)[DS_SYM];   /* DS_CTX each */
    uint8_t *alt;          /* the identity attempt (sy_dstrip_bound) */
} enc_scratch;

size_t sy_dstrip_scratch(size_t n)
{
    size_t px = n / 2;
    return DS_CTX * DS_SYM * (4 + 2 + 2) + 65536 * 2 * 2 + (2 * px + 8) + 65536 + 2 * px + 3 * px + 3 * px +
           sy_dstrip_bound(n) + 64;
}

static void scratch_of(enc_scratch *s, void *mem, size_t n)
{
    size_t px = n / 2;
    uint8_t *p = mem;
    s->cnt = (uint32_t *)(void *)p;        p += DS_CTX * DS_SYM * 4;
    s->freq = (uint16_t(*)[DS_SYM])(void *)p; p += DS_CTX * DS_SYM * 2;
    s->cum = (uint16_t(*)[DS_SYM])(void *)p;  p += DS_CTX * DS_SYM * 2;
    s->rank_of = (uint16_t *)(void *)p;    p += 65536 * 2;
    s->pal = (uint16_t *)(void *)p;        p += 65536 * 2;
    s->words = (uint16_t *)(void *)p;      p += 2 * px + 8;
    s->seen = p;                           p += 65536;
    s->img = p;                            p += 2 * px;
    s->sym = p;                            p += px;
    s->ctx = p;                            p += px;
    s->set = p;                            p += px;
    s->esc = p;                            p += 3 * px;
    s->alt = p;
}

/* Scale counts to frequencies summing to DS_M, every seen symbol at least
 * 1; the difference goes to or comes from the most frequent symbols.
 * Returns n (symbols up to the last seen one + 1), 0 for an unused
 * context. */
static unsigned normalize(const uint32_t *cnt, uint16_t *f)
{
    uint64_t tot = 0;
    unsigned n = 0;
    for (unsigned z = 0; z < DS_SYM; z++)
        if (cnt[z]) { tot += cnt[z]; n = z + 1; }
    memset(f, 0, DS_SYM * sizeof *f);
    if (!tot) return 0;
    int sum = 0;
    unsigned big = 0;
    for (unsigned z = 0; z < n; z++) {
        if (!cnt[z]) continue;
        unsigned v = (unsigned)(cnt[z] * (uint64_t)DS_M / tot);
        f[z] = (uint16_t)(v ? v : 1);
        sum += f[z];
        if (f[z] > f[big]) big = z;
    }
    if (sum < (int)DS_M) f[big] = (uint16_t)(f[big] + DS_M - sum);
    while (sum > (int)DS_M) {
        unsigned top = 0;
        for (unsigned z = 1; z < n; z++)
            if (f[z] > f[top]) top = z;
        /* at most DS_SYM symbols of at least 1 each: the top one has room */
        unsigned take = (unsigned)(sum - (int)DS_M), room = f[top] - (f[top] + 1) / 2;
        if (take > room) take = room ? room : 1;
        f[top] = (uint16_t)(f[top] - take);
        sum -= (int)take;
    }
    return n;
}

/* The model pass over a rank image: symbols, contexts, state sets and
 * escapes in visit order, and the symbol counts. Returns the escape
 * stream's length. */
static size_t model_pass(const enc_scratch *s, const ds_geom *g)
{
    size_t i = 0;
    uint8_t *e = s->esc;
    memset(s->cnt, 0, DS_CTX * DS_SYM * 4);
    DS_VISIT(g, y, t, r, {
        for (size_t j = 0; j < DS_LANES; j++) {
            if (t >= g->n[j]) continue;
            int a, b, c, d;
            nbrs(s->img, g, y, j, t, &a, &b, &c, &d);
            int v = ld16(s->img + 2 * (y * g->w + g->x0[j] + t)), res = v - med3(a, b, c);
            uint32_t z = res >= 0 ? 2u * (uint32_t)res : 2u * (uint32_t)(-res) - 1;
            unsigned k = ctx_of(a, b, c, d), sy = z < DS_ESC ? z : DS_ESC;
            if (z >= DS_ESC) e = sy_put_leb(e, z - DS_ESC);
            s->sym[i] = (uint8_t)sy;
            s->ctx[i] = (uint8_t)k;
            s->set[i] = (uint8_t)(r * DS_LANES + j);
            s->cnt[k * DS_SYM + sy]++;
            i++;
        }
    });
    return (size_t)(e - s->esc);
}

/* Codes the rank image (np ranks, identity or not) into dst; returns the
 * length. */
static size_t emit(uint8_t *dst, const enc_scratch *s, const ds_geom *g, int identity, unsigned np)
{
    size_t px = g->w * g->h;
    size_t nesc = model_pass(s, g);
    uint16_t (*freq)[DS_SYM] = s->freq, (*cum)[DS_SYM] = s->cum;
    uint8_t *o = dst;
    *o++ = (uint8_t)(identity ? DS_IDENTITY : 0);
    if (!identity) {
        o = sy_put_leb(o, np - 1);
        for (unsigned k = 0; k < np; k++) o = sy_put_leb(o, k ? (uint32_t)(s->pal[k] - s->pal[k - 1] - 1) : s->pal[0]);
    }
    for (unsigned c = 0; c < DS_CTX; c++) {
        unsigned n = normalize(s->cnt + c * DS_SYM, freq[c]), used = 0;
        for (unsigned z = 0; z < n; z++) used += freq[c][z] != 0;
        o = sy_put_leb(o, used);
        /* each used symbol: (f - 1) << 2 | the zeros skipped before it (3:
         * 3 or more, the rest in a second V) */
        for (unsigned z = 0, next = 0; z < n; z++) {
            if (!freq[c][z]) continue;
            unsigned gap = z - next;
            o = sy_put_leb(o, (uint32_t)(freq[c][z] - 1) << 2 | (gap < 3 ? gap : 3));
            if (gap >= 3) o = sy_put_leb(o, gap - 3);
            next = z + 1;
        }
        unsigned acc = 0;
        for (unsigned z = 0; z < DS_SYM; z++) {
            cum[c][z] = (uint16_t)acc;
            acc += freq[c][z];
        }
    }
    st32(o, (uint32_t)nesc);
    o += 4;
    memcpy(o, s->esc, nesc);
    o += nesc;
    /* rANS backwards, the words onto a stack that reads forwards */
    uint32_t x[DS_NSTATE];
    for (int k = 0; k < DS_NSTATE; k++) x[k] = DS_LOW;
    size_t sp = 2 * px + 4;
    for (size_t i = px; i-- > 0;) {
        unsigned c = s->ctx[i], z = s->sym[i];
        uint32_t f = freq[c][z], *st = &x[s->set[i]];
        if (*st >= (uint64_t)f << 21) {
            s->words[--sp] = (uint16_t)*st;
            *st >>= 16;
        }
        *st = (*st / f << DS_BITS) + *st % f + cum[c][z];
    }
    for (int k = 0; k < DS_NSTATE; k++, o += 4) st32(o, x[k]);
    for (size_t k = sp; k < 2 * px + 4; k++, o += 2) st16(o, s->words[k]);
    return (size_t)(o - dst);
}

int sy_dstrip_encode(uint8_t *dst, size_t *len, const uint8_t *src, size_t n, size_t width, void *scratch)
{
    if (!width || !n || n % (2 * width)) return -1;
    enc_scratch s;
    scratch_of(&s, scratch, n);
    ds_geom g;
    geom_of(&g, width, n / (2 * width));
    size_t px = n / 2;
    memset(s.seen, 0, 65536);
    for (size_t i = 0; i < px; i++) s.seen[ld16(src + 2 * i)] = 1;
    unsigned np = 0;
    for (unsigned v = 0; v < 65536; v++)
        if (s.seen[v]) {
            s.rank_of[v] = (uint16_t)np;
            s.pal[np++] = (uint16_t)v;
        }
    for (size_t i = 0; i < px; i++) st16(s.img + 2 * i, s.rank_of[ld16(src + 2 * i)]);
    size_t best = emit(dst, &s, &g, 0, np);
    if (np > 4096) {
        /* many distinct values (rendered depth): the palette may cost more
         * than the ranks save; try the values themselves */
        for (size_t i = 0; i < px; i++) st16(s.img + 2 * i, ld16(src + 2 * i));
        size_t k = emit(s.alt, &s, &g, 1, 65536);
        if (k < best) {
            memcpy(dst, s.alt, k);
            best = k;
        }
    }
    *len = best;
    return 0;
}

/* ---- decoder: the payload ---- */

typedef struct {
    uint16_t *pal;            /* 65536 */
    uint32_t *tab;            /* DS_TAB_ENTRIES, 64-byte aligned */
    uint32_t *rows;           /* 2 x DS_ROWS + 1 transposed rows of S x 16 (+ 16) */
} dec_scratch;

typedef struct {
    int identity;
    uint32_t np;
    const uint8_t *esc, *esc_end;
    uint32_t st[DS_NSTATE];
    const uint8_t *words;
    size_t nwords;
} ds_frame;

/* The vector decoder's row buffers hold 36 bytes a column: frames wider
 * than this (never a depth sensor's) take the portable decoder, so that
 * a corrupt width cannot ask for more scratch than a few MB. */
#define DS_SIMD_MAXW 65536
static size_t row_words(size_t width)
{
    return width > DS_SIMD_MAXW ? 0 : ((width + DS_LANES - 1) / DS_LANES) * DS_LANES + DS_LANES;
}

size_t sy_dstrip_dec_scratch(size_t width)
{
    return 64 + (size_t)DS_TAB_ENTRIES * 4 + 65536 * 2 + (2 * DS_ROWS + 1) * row_words(width) * 4 + 64;
}

static void dec_scratch_of(dec_scratch *d, void *mem)
{
    uint8_t *p = (uint8_t *)(((uintptr_t)mem + 63) & ~(uintptr_t)63);
    d->tab = (uint32_t *)(void *)p;
    p += (size_t)DS_TAB_ENTRIES * 4;
    d->rows = (uint32_t *)(void *)p;
    d->pal = NULL;   /* placed after the rows by the caller, which knows the width */
}

/* The table entries of one context: slot cum + i of symbol z holds
 * DS_ENT(z, f, i). */
static void tab_fill_c(uint32_t *tab, const uint16_t *f, unsigned n)
{
    uint32_t *o = tab;
    for (unsigned z = 0; z < n; z++)
        for (uint32_t i = 0; i < f[z]; i++) *o++ = DS_ENT(z, f[z], i);
}

static void tab_none_c(uint32_t *tab)
{
    for (unsigned i = 0; i < DS_M; i++) tab[i] = DS_NOTAB;
}

#if defined(__SSE2__) && defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define DS_AVX512 1
/* The decoder needs AVX-512 F, CD, BW and VL (Skylake-SP and later, Zen
 * 4); writing rows out through byte permutes needs VBMI as well (Ice
 * Lake and later, Zen 4), else they go out through gathers. */
#define DS_FN __attribute__((target("avx512f,avx512cd,avx512bw,avx512vl,bmi2")))
#define DS_VBMI_FN __attribute__((target("avx512f,avx512cd,avx512bw,avx512vl,avx512vbmi,bmi2")))

/* 2: AVX-512 F, CD, BW, VL; 3: and VBMI; 0: neither (or a build without
 * them), capped by sy_simd_limit as the other vector paths are */
static int ds_level(void)
{
    int l = 0;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("bmi2"))
        l = __builtin_cpu_supports("avx512vbmi") ? 3 : 2;
    return l < sy_simd_limit ? l : sy_simd_limit;
}

/* The same with 16 entries a store; a symbol's last store may run up to
 * 15 entries into the next symbol's (or context's) slots, which are
 * written after it. */
DS_FN static void tab_fill_avx512(uint32_t *tab, const uint16_t *f, unsigned n)
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
#endif

/* Reads the payload up to the words and builds the tables. Returns 0 or
 * -1 (corrupt). */
static int parse(ds_frame *F, const dec_scratch *D, const uint8_t *src, size_t len, int simd)
{
    const uint8_t *p = src, *end = src + len;
    if (p >= end || *p > DS_IDENTITY) return -1;
    F->identity = *p++ == DS_IDENTITY;
    if (F->identity) {
        F->np = 65536;
    } else {
        int64_t v = sy_get_leb(&p, end);
        if (v < 0 || v > 65535) return -1;
        F->np = (uint32_t)v + 1;
        int64_t prev = -1;
        for (uint32_t k = 0; k < F->np; k++) {
            int64_t gap = sy_get_leb(&p, end);
            if (gap < 0 || (prev = prev + 1 + gap) > 65535) return -1;
            D->pal[k] = (uint16_t)prev;
        }
    }
    uint16_t f[DS_SYM];
    for (unsigned c = 0; c < DS_CTX; c++) {
        int64_t used = sy_get_leb(&p, end);
        if (used < 0 || used > DS_SYM) return -1;
        uint32_t sum = 0, n = 0;   /* n: symbols up to the last used one */
        for (int64_t k = 0; k < used; k++) {
            int64_t e = sy_get_leb(&p, end), gap = e & 3;
            if (e < 0 || e >> 2 >= DS_M) return -1;
            if (gap == 3 && (gap = sy_get_leb(&p, end)) >= 0) gap += 3;
            if (gap < 0 || n + gap >= DS_SYM) return -1;
            while (gap--) f[n++] = 0;
            f[n++] = (uint16_t)((e >> 2) + 1);
            sum += (uint32_t)(e >> 2) + 1;
        }
        if (used && sum != DS_M) return -1;
        uint32_t *t = D->tab + (size_t)c * DS_M;
        if (!used) tab_none_c(t);
#ifdef DS_AVX512
        else if (simd) tab_fill_avx512(t, f, (unsigned)n);
#endif
        else tab_fill_c(t, f, (unsigned)n);
    }
    (void)simd;
    if (end - p < 4) return -1;
    uint32_t X = ld32(p);
    p += 4;
    if ((size_t)(end - p) < X) return -1;
    F->esc = p;
    F->esc_end = p + X;
    p += X;
    size_t rest = (size_t)(end - p);
    if (rest < 4 * DS_NSTATE || rest % 2) return -1;
    for (int k = 0; k < DS_NSTATE; k++, p += 4) F->st[k] = ld32(p);
    F->words = p;
    F->nwords = (size_t)(end - p) / 2;
    return 0;
}

/* ---- decoder: portable ---- */

/* ctx_of through two small tables, the table row included: k1[b - a + 16]
 * for b - a in -16 .. 16 (clamped: L is 5 beyond), k2[min(e, 31)]. */
typedef struct { uint32_t k1[33], k2[32]; } ctx_tabs;

static void ctx_tabs_fill(ctx_tabs *T)
{
    for (int u = 0; u < 33; u++) {
        int dd = u - 16;
        T->k1[u] = (18 * blen5((unsigned)abs(dd)) + (dd > 0 ? 1u : dd < 0 ? 2u : 0u)) << DS_BITS;
    }
    for (unsigned e = 0; e < 32; e++) T->k2[e] = 3 * blen5(e) << DS_BITS;
}

static int decode_c(uint8_t *dst, const ds_geom *g, ds_frame *F, const dec_scratch *D)
{
    const uint8_t *wp = F->words, *wend = F->words + 2 * F->nwords, *ep = F->esc;
    uint32_t *x = F->st, over = 0;   /* over: OR of the bad verdicts, tested once a unit */
    int top = (int)F->np - 1;
    ctx_tabs T;
    ctx_tabs_fill(&T);
    const uint32_t *tab = D->tab;
    const size_t w = g->w;
    DS_VISIT(g, y, t, r, {
        uint8_t *row = dst + 2 * y * w;
        for (size_t j = 0; j < DS_LANES; j++) {
            if (t >= g->n[j]) continue;
            size_t xx = g->x0[j] + t;
            int b = y ? ld16(row - 2 * w + 2 * xx) : 0;
            int a = t ? ld16(row + 2 * (xx - 1)) : b;
            int c = t && y ? ld16(row - 2 * w + 2 * (xx - 1)) : b;
            int d = t + 1 < g->n[j] && y ? ld16(row - 2 * w + 2 * (xx + 1)) : b;
            uint32_t *st = &x[r * DS_LANES + j];
            int da = b - a;
            unsigned e2 = (unsigned)(abs(d - b) + abs(b - c));
            da = da < -16 ? -16 : da > 16 ? 16 : da;
            uint32_t en = tab[T.k1[da + 16] + T.k2[e2 < 31 ? e2 : 31] + (*st & (DS_M - 1))];
            int res = (int32_t)en >> 23;
            /* the state before renormalisation: the unit's words are read
             * after its 16 pixels, so that the table lookups of a unit do
             * not wait for each other through the word pointer */
            *st = (en >> 11 & 4095) * (*st >> DS_BITS) + (en & 2047);
            if (res == DS_R_ESC) {
                int64_t v = sy_get_leb(&ep, F->esc_end);
                if (v < 0 || en == DS_NOTAB) return -1;
                uint32_t z = DS_ESC + (uint32_t)v;
                res = (int)(z >> 1) ^ -(int)(z & 1);
            }
            int v = med3(a, b, c) + res;
            over |= (uint32_t)(v < 0 || v > top) << 31;
            st16(row + 2 * xx, (uint16_t)v);
        }
        for (size_t j = 0; j < DS_LANES; j++) {
            uint32_t *st = &x[r * DS_LANES + j];
            if (t >= g->n[j] || *st >= DS_LOW) continue;
            if (wp == wend) return -1;
            *st = *st << 16 | ld16(wp);
            wp += 2;
        }
        if (over) return -1;
    });
    if (wp != wend || ep != F->esc_end) return -1;
    for (int k = 0; k < DS_NSTATE; k++)
        if (x[k] != DS_LOW) return -1;
    if (!F->identity)
        for (size_t i = 0; i < g->w * g->h; i++) st16(dst + 2 * i, D->pal[ld16(dst + 2 * i)]);
    return 0;
}

#ifdef DS_AVX512
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
            int64_t v = sy_get_leb(&V->ep, V->eend);
            if (v < 0 || e[j] == DS_NOTAB) {
                V->fail = 1;
                continue;
            }
            uint32_t z = DS_ESC + (uint32_t)v;
            tmp[j] = (int32_t)(z >> 1) ^ -(int32_t)(z & 1);
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
DS_FN static int decode_avx512(uint8_t *dst, const ds_geom *g, ds_frame *F, const dec_scratch *D, int vbmi)
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

int sy_dstrip_decode_isa(uint8_t *dst, size_t n, size_t width, const uint8_t *src, size_t len, void *scratch,
                         int isa)
{
    if (!width || !n || n % (2 * width)) return -1;
    ds_geom g;
    geom_of(&g, width, n / (2 * width));
    dec_scratch D;
    dec_scratch_of(&D, scratch);
    D.pal = (uint16_t *)(void *)(D.rows + (2 * DS_ROWS + 1) * row_words(width));
    int simd = 0;
#ifdef DS_AVX512
    if (width <= DS_SIMD_MAXW) simd = isa < ds_level() ? isa : ds_level();
    if (simd < 2) simd = 0;
#endif
    (void)isa;
    ds_frame F;
    if (parse(&F, &D, src, len, simd)) return -1;
#ifdef DS_AVX512
    if (simd) return decode_avx512(dst, &g, &F, &D, simd >= 3);
#endif
    return decode_c(dst, &g, &F, &D);
}

int sy_dstrip_decode(uint8_t *dst, size_t n, size_t width, const uint8_t *src, size_t len, void *scratch)
{
    return sy_dstrip_decode_isa(dst, n, width, src, len, scratch, 3);
}
