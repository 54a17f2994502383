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
 * This file holds the format: the encoder, the payload's parser and the
 * portable decoder, which is the reference the tests and fuzz_dstrip hold
 * the vector decoders to, and picks the decoder for the CPU: AVX-512
 * (depth_strip_avx512.c, 16 strips a register), AVX2 (depth_strip_avx2.c,
 * two halves of 8) or the portable one. Every decoder checks every read
 * against its stream's end.
 *
 * Payload of one frame: mode (0 palette, 1 identity), the palette as in
 * depth_ans, 108 tables (the number of used symbols, then each as one
 * LEB128 of (f - 1) << 2 | the gap before it, a second one for gaps of 3
 * or more), the escape stream's length (u32) and bytes, 64 u32 states,
 * u16 words to the end. */
#include <stdlib.h>

#include "depth_strip_internal.h"

/* ---- geometry ---- */

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

static inline unsigned ctx_of(int a, int b, int c, int d)
{
    unsigned k = blen5((unsigned)abs(b - a)) * 6 + blen5((unsigned)(abs(d - b) + abs(b - c)));
    return k * 3 + (b > a ? 1 : b < a ? 2 : 0);
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

#ifdef DS_X86
/* The best vector decoder this CPU runs, capped by sy_simd_limit as the
 * other vector paths are: 3 AVX-512 F, CD, BW and VL (rows out with VBMI
 * where the CPU has it, unless sy_dstrip_no_vbmi), 2 AVX2, 0 none. */
static int ds_level(void)
{
    int l = 0;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("bmi2"))
        l = 3;
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2"))
        l = 2;
    return l < sy_simd_limit ? l : sy_simd_limit;
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
#ifdef DS_X86
        else if (simd >= 3) sy_ds_tab_fill_avx512(t, f, (unsigned)n);
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
                int ok = en != DS_NOTAB;
                res = ds_escape(&ep, F->esc_end, &ok);
                if (!ok) return -1;
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
#ifdef DS_X86
    if (width <= DS_SIMD_MAXW) simd = isa < ds_level() ? isa : ds_level();
#endif
    (void)isa;
    ds_frame F;
    if (parse(&F, &D, src, len, simd)) return -1;
#ifdef DS_X86
    if (simd >= 3) return sy_ds_decode_avx512(dst, &g, &F, &D, !sy_dstrip_no_vbmi && __builtin_cpu_supports("avx512vbmi"));
    if (simd == 2) return sy_ds_decode_avx2(dst, &g, &F, &D);
#endif
    return decode_c(dst, &g, &F, &D);
}

int sy_dstrip_no_vbmi;

int sy_dstrip_decode(uint8_t *dst, size_t n, size_t width, const uint8_t *src, size_t len, void *scratch)
{
    return sy_dstrip_decode_isa(dst, n, width, src, len, scratch, 3);
}
