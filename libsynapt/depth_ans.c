/* depth_ans.c - compression 3, depth_ans (spec/format.md 6.4): u16 depth
 * frames coded for size, with a context model and rANS instead of zstd.
 *
 * zstd sees a predicted depth frame as bytes: it cannot learn that a
 * residual of +1 is likely on a flat wall and a residual of +300 only at
 * an object's edge. depth_ans keeps depth_rank's first step (each value
 * replaced by its rank among the frame's distinct values, which turns a
 * sensor's quantization steps into steps of 1), predicts each rank with
 * MED (LOCO-I), and codes the residual's token with a static frequency
 * table chosen by the local gradient (24 contexts), the token's low bits
 * raw. On the real Kinect-style frames of ../shared/realdata this stores
 * 2.1x to 4.4x less than 16-bit PNG, within 1.3x of lossless JPEG XL.
 *
 * The cost is a serial decoder (a context and a table lookup per pixel):
 * a few ns per pixel instead of zstd's ~1. It is the writer's choice only
 * when asked (SYNAPT_COMPRESSION_DEPTH_ANS); the default stays zstd with
 * the per-chunk filter choice.
 *
 * Payload of one frame (little endian, LEB128 of at most 3 bytes):
 *   mode (u8)            0: palette, 1: identity (ranks are the values)
 *   mode 0: P-1, v0, then P-1 gaps v[k]-v[k-1]-1
 *   24 tables            n (tokens, 0..42), then n frequencies (sum 4096)
 *   E                    bytes of the raw-bits stream, then those bytes
 *   x0, x1 (u32)         the two rANS states, then u16 words to the end */
#include <math.h>
#include <stdlib.h>

#include "internal.h"

#define DA_CTX   24
#define DA_TOK   42
#define DA_BITS  12
#define DA_SCALE (1u << DA_BITS)
#define DA_LOW   (1u << 16)
#define DA_QMAX  1023

static inline uint16_t ld16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline void st16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }

/* Gradient buckets (spec 6.4): g >= 1, 2, 3, 5, 8, 12, 20, 40, 80, 200, 1000. */
static void qtab_fill(uint8_t *q)
{
    static const uint16_t th[11] = { 1, 2, 3, 5, 8, 12, 20, 40, 80, 200, 1000 };
    for (unsigned g = 0; g <= DA_QMAX; g++) {
        unsigned k = 0;
        while (k < 11 && g >= th[k]) k++;
        q[g] = (uint8_t)k;
    }
}

/* Mode bits (spec 6.4): bit 0, the ranks are the values themselves (no
 * palette); bit 1, the smooth model for rendered depth. */
#define DA_IDENTITY 1
#define DA_SMOOTH   2

/* MED (LOCO-I): min(a, b) when c >= max(a, b), max(a, b) when c <=
 * min(a, b), else a + b - c; that is a + b - c clamped to [min, max],
 * which compiles without a branch on the data. */
static inline int med3(int a, int b, int c)
{
    int lo = a < b ? a : b, hi = a < b ? b : a, g = a + b - c;
    g = g < lo ? lo : g;
    return g > hi ? hi : g;
}

/* The prediction: MED for sensor depth; for the smooth model the plane
 * through a, b and c, a + b - c clamped to the ranks 0 .. top. MED falls
 * back to max(a, b) on a plane whose slopes share a sign, a residual as
 * large as the smaller slope on every pixel of a rendered floor. */
static inline int pred_of(int smooth, int a, int b, int c, int top)
{
    if (!smooth) return med3(a, b, c);
    int g = a + b - c;
    g = g < 0 ? 0 : g;
    return g > top ? top : g;
}

/* The context: the local gradient in 12 buckets, and whether a or b is
 * rank 0 (invalid zeros). The smooth model measures curvature instead of
 * slope: the second difference along the row above plus the smaller
 * first difference, so that a steep but flat surface is a quiet context. */
static inline unsigned ctx_of(const uint8_t *qt, int smooth, int a, int b, int c, int d)
{
    unsigned g;
    if (!smooth) {
        g = (unsigned)(abs(a - c) + abs(b - c) + abs(d - b));
    } else {
        int h = abs(a - c), v = abs(b - c);
        g = (unsigned)(abs(d - 2 * b + c) + (h < v ? h : v));
    }
    /* ranks are never negative: a == 0 or b == 0 is min(a, b) == 0 */
    return 2u * qt[g > DA_QMAX ? DA_QMAX : g] + (unsigned)((a < b ? a : b) == 0);
}

/* ---- LEB128 (internal.h) ---- */

#define put_v sy_put_leb
#define get_v sy_get_leb

/* ---- tokens ---- */

static inline unsigned tok_of(uint32_t z, unsigned *nb)
{
    if (z < 16) { *nb = 0; return z; }
    unsigned n = 31u - (unsigned)__builtin_clz(z);   /* 4..16 */
    *nb = n - 1;
    return 16 + 2 * (n - 4) + ((z >> (n - 1)) & 1);
}
/* Pixels are coded in groups of DA_ROWS rows: at step k of a group, row j
 * of it codes its pixel x = k - 2j (when 0 <= x < w) with rANS state j.
 * The rows' chains through their left neighbour then run side by side in
 * the decoder; the pixel up-right of x on the row above was coded one
 * step before. */
#define DA_ROWS 4

size_t sy_dans_bound(size_t n)
{
    /* mode, palette (3-byte LEB128s), tables, E, raw bits (at most 15 per
     * pixel), states and one word per pixel at most */
    return 1 + 3 + 3 * 65536 + DA_CTX * (1 + 2 * DA_TOK) + 3 + n + 4 * DA_ROWS + n;
}

size_t sy_dans_scratch(size_t n)
{
    /* value map and set, ranks, extra-bit values, tokens and contexts,
     * visit order and states, raw bits, words, the gradient buckets */
    return 65536 * sizeof(uint16_t) + 65536 / 8 + n + n + n + 2 * n + n / 2 + (n + 8) + (n + 4 * DA_ROWS) + DA_QMAX +
           1 + 64;
}

/* Scale counts to frequencies summing to DA_SCALE; every seen token keeps
 * at least 1. */
static void normalize(const uint32_t *cnt, uint16_t *f, unsigned *ntok)
{
    uint64_t tot = 0;
    unsigned n = 0, big = 0;
    for (unsigned t = 0; t < DA_TOK; t++) {
        tot += cnt[t];
        if (cnt[t]) n = t + 1;
        if (cnt[t] > cnt[big]) big = t;
    }
    *ntok = tot ? n : 0;
    memset(f, 0, DA_TOK * sizeof *f);
    if (!tot) return;
    int sum = 0;
    for (unsigned t = 0; t < n; t++) {
        if (!cnt[t]) continue;
        uint64_t v = (uint64_t)cnt[t] * DA_SCALE / tot;
        f[t] = (uint16_t)(v ? v : 1);
        sum += f[t];
    }
    f[big] = (uint16_t)(f[big] + (int)DA_SCALE - sum);
}

/* Neighbours of pixel i = y * w + x (spec 6.4): left a, up b, up-left c,
 * up-right d; the first row sees only its left neighbour (0 before the
 * first pixel), the first column takes b for a and c, the last column b
 * for d. */
static inline void nbrs(const uint16_t *row, const uint16_t *up, size_t x, size_t w, int *a, int *b, int *c, int *d)
{
    if (!up) {
        *a = x ? row[x - 1] : 0;
        *b = *c = *d = *a;
    } else {
        *b = up[x];
        *a = x ? row[x - 1] : *b;
        *c = x ? up[x - 1] : *b;
        *d = x + 1 < w ? up[x + 1] : *b;
    }
}

/* The visit order: ord[v] is the pixel coded v-th, vj[v] its row in its
 * group (the rANS state it uses). */
static void visit_order(uint32_t *ord, uint8_t *vj, size_t ne, size_t w)
{
    size_t h = ne / w, v = 0;
    for (size_t y0 = 0; y0 < h; y0 += DA_ROWS) {
        size_t g = h - y0 < DA_ROWS ? h - y0 : DA_ROWS;
        for (size_t k = 0; k < w + 2 * (g - 1); k++)
            for (size_t j = 0; j < g; j++)
                if (k >= 2 * j && k - 2 * j < w) {
                    vj[v] = (uint8_t)j;
                    ord[v++] = (uint32_t)((y0 + j) * w + k - 2 * j);
                }
    }
}

typedef struct {
    uint16_t *map;       /* 65536: value -> rank */
    uint8_t *present;    /* 65536 bits: the values of the frame */
    uint16_t *rk;        /* the frame in ranks */
    uint16_t *ex;        /* per pixel: the raw bits of its residual */
    uint8_t *tok, *cx;   /* per pixel */
    uint32_t *ord;       /* visit order */
    uint8_t *vj;         /* the state of each visit */
    uint8_t *bits;       /* raw-bits stream */
    uint8_t *words;      /* rANS words, written backwards */
    uint8_t *qt;
} enc_scratch;

static unsigned leb_len(uint32_t v) { return v < 0x80 ? 1 : v < 0x4000 ? 2 : 3; }

/* The palette (P-1, then the first value and the gaps) written at o, or
 * only counted when o is NULL; returns its bytes. */
static size_t palette_put(const enc_scratch *s, uint8_t *o, unsigned np)
{
    size_t bytes = leb_len(np - 1);
    if (o) o = put_v(o, np - 1);
    unsigned k = 0, prev = 0;
    for (unsigned v = 0; v < 65536; v++) {
        if (!(s->present[v >> 3] & (1u << (v & 7)))) continue;
        uint32_t gap = k ? v - prev - 1 : v;
        bytes += leb_len(gap);
        if (o) o = put_v(o, gap);
        prev = v;
        k++;
    }
    return bytes;
}

/* The frame in ranks for a mode; returns the palette's bytes (0 without). */
static size_t to_ranks(const enc_scratch *s, const uint8_t *src, size_t ne, int mode, unsigned np)
{
    if (mode & DA_IDENTITY) {
        for (size_t i = 0; i < ne; i++) s->rk[i] = ld16(src + 2 * i);
        return 0;
    }
    const uint16_t *map = s->map;
    for (size_t i = 0; i < ne; i++) s->rk[i] = map[ld16(src + 2 * i)];
    return palette_put(s, NULL, np);
}

/* Contexts and tokens of the pixels of every ystep-th row (raster order)
 * into cnt; with fill (ystep 1), also into s->tok, s->cx and s->ex.
 * Returns the raw bits. */
static uint64_t model_pass(const enc_scratch *s, size_t ne, size_t w, int mode, unsigned np,
                           uint32_t cnt[DA_CTX][DA_TOK], int fill, size_t ystep)
{
    int smooth = !!(mode & DA_SMOOTH), top = (int)np - 1;
    uint64_t raw = 0;
    /* four histograms, one per pixel mod 4: runs of one token in one
     * context would otherwise wait on the previous increment's store */
    uint32_t h4[4][DA_CTX][DA_TOK];
    memset(h4, 0, sizeof h4);
    for (size_t y = 0; y < ne / w; y += ystep) {
        const uint16_t *row = s->rk + y * w, *up = y ? row - w : NULL;
        for (size_t x = 0, i = y * w; x < w; x++, i++) {
            int a, b, c, d;
            nbrs(row, up, x, w, &a, &b, &c, &d);
            unsigned cx = ctx_of(s->qt, smooth, a, b, c, d);
            int r = (int)row[x] - pred_of(smooth, a, b, c, top);
            uint32_t z = ((uint32_t)r << 1) ^ (uint32_t)(r >> 31);   /* zigzag, without a branch */
            unsigned nb, tk = tok_of(z, &nb);
            h4[i & 3][cx][tk]++;
            raw += nb;
            if (fill) {
                s->tok[i] = (uint8_t)tk;
                s->cx[i] = (uint8_t)cx;
                s->ex[i] = (uint16_t)(z & ((1u << nb) - 1));
            }
        }
    }
    for (unsigned c = 0; c < DA_CTX; c++)
        for (unsigned t = 0; t < DA_TOK; t++) cnt[c][t] = h4[0][c][t] + h4[1][c][t] + h4[2][c][t] + h4[3][c][t];
    return raw;
}

/* Bytes the tables and the rANS stream will take, near enough to choose
 * a mode: each token costs log2(4096 / f) bits; counts of a sample of the
 * rows stand for `scale` times as many pixels. */
static double est_bytes(uint32_t cnt[DA_CTX][DA_TOK], uint64_t raw, double scale)
{
    double bits = scale * (double)raw, tab = 0;
    for (unsigned c = 0; c < DA_CTX; c++) {
        uint16_t f[DA_TOK];
        unsigned n;
        normalize(cnt[c], f, &n);
        tab += leb_len(n);
        for (unsigned k = 0; k < n; k++) {
            tab += leb_len(f[k]);
            if (cnt[c][k]) bits += scale * (double)cnt[c][k] * log2((double)DA_SCALE / f[k]);
        }
    }
    return bits / 8 + tab;
}

/* The frame in the chosen mode into dst (ranks, tokens and contexts
 * already in s); returns the payload length. */
static size_t emit(uint8_t *dst, size_t ne, int mode, const enc_scratch *s, unsigned np,
                   uint32_t cnt[DA_CTX][DA_TOK])
{
    uint8_t *o = dst;
    *o++ = (uint8_t)mode;
    if (!(mode & DA_IDENTITY)) o += palette_put(s, o, np);
    uint16_t f[DA_CTX][DA_TOK], cum[DA_CTX][DA_TOK];
    for (unsigned c = 0; c < DA_CTX; c++) {
        unsigned n;
        normalize(cnt[c], f[c], &n);
        o = put_v(o, n);
        uint16_t acc = 0;
        for (unsigned k = 0; k < DA_TOK; k++) {
            cum[c][k] = acc;
            acc = (uint16_t)(acc + f[c][k]);
            if (k < n) o = put_v(o, f[c][k]);
        }
    }
    /* raw bits in visit order */
    uint64_t bb = 0;
    unsigned bc = 0;
    uint8_t *bo = s->bits;
    for (size_t v = 0; v < ne; v++) {
        uint32_t i = s->ord[v];
        unsigned tk = s->tok[i];
        if (tk < 16) continue;
        unsigned nb = 3 + ((tk - 16) >> 1);
        bb |= (uint64_t)s->ex[i] << bc;
        bc += nb;
        while (bc >= 8) { *bo++ = (uint8_t)bb; bb >>= 8; bc -= 8; }
    }
    if (bc) *bo++ = (uint8_t)bb;
    size_t nbytes = (size_t)(bo - s->bits);
    o = put_v(o, (uint32_t)nbytes);
    memcpy(o, s->bits, nbytes);
    o += nbytes;
    /* rANS, in reverse visit order; row j of a group uses state j */
    uint32_t st[DA_ROWS];
    for (int j = 0; j < DA_ROWS; j++) st[j] = DA_LOW;
    uint8_t *wend = s->words + ne * 2 + 4 * DA_ROWS, *wp = wend;
    for (size_t v = ne; v-- > 0;) {
        uint32_t i = s->ord[v];
        unsigned cx = s->cx[i], tk = s->tok[i], j = s->vj[v];
        uint32_t fr = f[cx][tk], x = st[j];
        if ((uint64_t)x >= ((uint64_t)fr << (32 - DA_BITS))) {
            wp -= 2;
            st16(wp, (uint16_t)x);
            x >>= 16;
        }
        st[j] = ((x / fr) << DA_BITS) + (x % fr) + cum[cx][tk];
    }
    for (int j = 0; j < DA_ROWS; j++) sy_wr32(o + 4 * j, st[j]);
    o += 4 * DA_ROWS;
    memcpy(o, wp, (size_t)(wend - wp));
    o += wend - wp;
    return (size_t)(o - dst);
}

int sy_dans_encode(uint8_t *dst, size_t *len, const uint8_t *src, size_t n, size_t width, void *scratch)
{
    size_t ne = n / 2, w = width;
    if (n & 1 || !ne || !w || ne % w || ne > UINT32_MAX) return -1;
    uint8_t *p = (uint8_t *)(((uintptr_t)scratch + 7) & ~(uintptr_t)7);
    enc_scratch s;
    /* the 4- and 2-byte arrays first (n is even), the byte arrays after */
    s.ord = (uint32_t *)(void *)p; p += 2 * n;
    s.map = (uint16_t *)(void *)p; p += 65536 * sizeof(uint16_t);
    s.rk = (uint16_t *)(void *)p; p += n;
    s.ex = (uint16_t *)(void *)p; p += n;
    s.present = p; p += 65536 / 8;
    s.vj = p; p += ne;
    s.tok = p; p += ne;
    s.cx = p; p += ne;
    s.bits = p; p += n + 8;
    s.words = p; p += n + 4 * DA_ROWS;
    s.qt = p;
    qtab_fill(s.qt);
    visit_order(s.ord, s.vj, ne, w);
    memset(s.present, 0, 65536 / 8);
    for (size_t i = 0; i < ne; i++) {
        unsigned v = ld16(src + 2 * i);
        s.present[v >> 3] |= (uint8_t)(1u << (v & 7));
    }
    unsigned np = 0;
    for (unsigned v = 0; v < 65536; v++)
        if (s.present[v >> 3] & (1u << (v & 7))) s.map[v] = (uint16_t)np++;
    /* Each model with ranks and with the values themselves (rendered
     * depth: a palette of many distinct values costs a byte or more per
     * value, a quarter of a 112x112 frame's payload); the smallest
     * estimate is written. */
    uint32_t cnt[DA_CTX][DA_TOK];
    double best = 0;
    int bmode = 0;
    for (int mode = 0; mode < 4; mode++) {
        size_t pal = to_ranks(&s, src, ne, mode, np);
        unsigned npm = mode & DA_IDENTITY ? 65536 : np;
        /* every fourth row is enough to choose (a quarter of the work) */
        size_t ystep = ne / w >= 32 ? 4 : 1;
        double est = (double)pal + est_bytes(cnt, model_pass(&s, ne, w, mode, npm, cnt, 0, ystep), (double)ystep);
        if (mode == 0 || est < best) {
            best = est;
            bmode = mode;
        }
    }
    unsigned npm = bmode & DA_IDENTITY ? 65536 : np;
    to_ranks(&s, src, ne, bmode, np);
    model_pass(&s, ne, w, bmode, npm, cnt, 1, 1);
    *len = emit(dst, ne, bmode, &s, np, cnt);
    return 0;
}

/* ---- decoder ---- */

typedef struct {
    uint8_t sym[DA_CTX][DA_SCALE];   /* slot -> token */
    uint32_t fc[DA_CTX][64];          /* frequency << 16 | cumulative; DA_TOK: no table;
                                         rows of 64 for a shift instead of a multiply */
    uint8_t qt[DA_QMAX + 1];
    uint16_t pal[65536];
} dec_tables;

size_t sy_dans_dec_scratch(void) { return sizeof(dec_tables); }

/* The raw-bits stream; read only for residuals of 16 and more. */
typedef struct {
    const uint8_t *q, *q0, *qend;
    uint64_t bb;
    unsigned bc;
    int bad;
} bitreader;

typedef struct {
    const dec_tables *T;
    const uint8_t *p, *end;      /* rANS words */
    bitreader *br;
    uint32_t over;               /* OR of the ranks, bit 31 for words past the end */
    int top;                     /* the largest rank */
} dstream;

/* z of a token of 16 or more: kept out of the pixel loop (a few pixels
 * in a hundred on real depth), with the bit reader in memory so that the
 * loop keeps its registers for the four rows. */
static __attribute__((noinline)) uint32_t big_z(bitreader *br, unsigned tk)
{
    if (tk >= DA_TOK) {
        br->bad = 1;
        return 0;
    }
    unsigned nb = 3 + ((tk - 16) >> 1);
    while (br->bc < nb && br->q < br->qend) {
        br->bb |= (uint64_t)*br->q++ << br->bc;
        br->bc += 8;
    }
    if (br->bc < nb) {
        br->bad = 1;
        return 0;
    }
    uint32_t z = (1u << (nb + 1)) | ((tk & 1u) << nb) | ((uint32_t)br->bb & ((1u << nb) - 1));
    br->bb >>= nb;
    br->bc -= nb;
    return z;
}

/* The rank of one pixel from its neighbours, with rANS state *xs. */
static inline __attribute__((always_inline)) int dec_px(dstream *D, uint32_t *xs, int smooth, int a, int b, int c,
                                                        int d)
{
    const dec_tables *T = D->T;
    unsigned cx = ctx_of(T->qt, smooth, a, b, c, d);
    uint32_t x = *xs, slot = x & (DA_SCALE - 1);
    unsigned tk = T->sym[cx][slot];
    uint32_t fc = T->fc[cx][tk];
    x = (fc >> 16) * (x >> DA_BITS) + slot - (fc & 0xffff);
    if (x < DA_LOW) {
        if (D->p < D->end) {
            x = (x << 16) | ld16(D->p);
            D->p += 2;
        } else {
            D->over |= 1u << 31;
        }
    }
    *xs = x;
    uint32_t z = tk < 16 ? tk : big_z(D->br, tk);
    int r = pred_of(smooth, a, b, c, D->top) + ((int)(z >> 1) ^ -(int)(z & 1));
    D->over |= (uint32_t)r;   /* a rank outside 0..65535 sets a high bit */
    return r;
}

/* Any pixel, neighbours by the rules of nbrs(); ranks in dst. */
static inline void dec_any(dstream *D, uint32_t *xs, int smooth, uint8_t *dst, size_t i, size_t w)
{
    size_t x = i % w;
    int a, b, c, d;
    if (i < w) {
        a = x ? ld16(dst + 2 * (i - 1)) : 0;
        b = c = d = a;
    } else {
        b = ld16(dst + 2 * (i - w));
        a = x ? ld16(dst + 2 * (i - 1)) : b;
        c = x ? ld16(dst + 2 * (i - w - 1)) : b;
        d = x + 1 < w ? ld16(dst + 2 * (i - w + 1)) : b;
    }
    st16(dst + 2 * i, (uint16_t)dec_px(D, xs, smooth, a, b, c, d));
}

/* Steps 2*DA_ROWS-1 .. w-2 of a full group away from the frame's first
 * row: every row is inside 1 <= x <= w-2. */
static inline __attribute__((always_inline)) void dec_steady(dstream *D, uint32_t *xs, int smooth, uint8_t *dst,
                                                             size_t y0, size_t w, size_t k0, size_t k1)
{
    dstream L = *D;
    uint32_t s0 = xs[0], s1 = xs[1], s2 = xs[2], s3 = xs[3];
    uint8_t *r0 = dst + 2 * y0 * w, *r1 = r0 + 2 * w, *r2 = r1 + 2 * w, *r3 = r2 + 2 * w;
    int a0 = ld16(r0 + 2 * (k0 - 1)), a1 = ld16(r1 + 2 * (k0 - 3)), a2 = ld16(r2 + 2 * (k0 - 5)),
        a3 = ld16(r3 + 2 * (k0 - 7));
#define ROW(R, A, S, X)                                                                    \
    do {                                                                                   \
        const uint8_t *u_ = (R) - 2 * w + 2 * (X);                                         \
        A = dec_px(&L, &S, smooth, A, ld16(u_), ld16(u_ - 2), ld16(u_ + 2));               \
        st16((R) + 2 * (X), (uint16_t)A);                                                  \
    } while (0)
    for (size_t k = k0; k < k1; k++) {
        ROW(r0, a0, s0, k);
        ROW(r1, a1, s1, k - 2);
        ROW(r2, a2, s2, k - 4);
        ROW(r3, a3, s3, k - 6);
    }
#undef ROW
    xs[0] = s0; xs[1] = s1; xs[2] = s2; xs[3] = s3;
    *D = L;
}

/* One copy of the loop per model, each with its prediction inlined. */
static void dec_steady_sensor(dstream *D, uint32_t *xs, uint8_t *dst, size_t y0, size_t w, size_t k0, size_t k1)
{
    dec_steady(D, xs, 0, dst, y0, w, k0, k1);
}

static void dec_steady_smooth(dstream *D, uint32_t *xs, uint8_t *dst, size_t y0, size_t w, size_t k0, size_t k1)
{
    dec_steady(D, xs, 1, dst, y0, w, k0, k1);
}

/* Every rank of pixels from..to is below np. */
static int ranks_below(const uint8_t *dst, size_t from, size_t to, uint32_t np)
{
    uint16_t top = 0;
    for (size_t i = from; i < to; i++) {
        uint16_t v = ld16(dst + 2 * i);
        top = v > top ? v : top;
    }
    return top < np;
}

static void map_rows(uint8_t *dst, const uint16_t *pal, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) st16(dst + 2 * i, pal[ld16(dst + 2 * i)]);
}

int sy_dans_decode(uint8_t *dst, size_t n, size_t width, const uint8_t *src, size_t len, void *scratch)
{
    size_t ne = n / 2, w = width, h;
    if (n & 1 || !ne || !w || ne % w) return -1;
    h = ne / w;
    dec_tables *T = scratch;
    const uint8_t *p = src, *end = src + len;
    if (p >= end || *p > (DA_IDENTITY | DA_SMOOTH)) return -1;
    int mode = *p++, smooth = !!(mode & DA_SMOOTH);
    uint32_t np = 65536;
    if (!(mode & DA_IDENTITY)) {
        int64_t v = get_v(&p, end);
        if (v < 0 || v > 65535) return -1;
        np = (uint32_t)v + 1;
        int64_t acc = -1;
        for (uint32_t k = 0; k < np; k++) {
            if ((v = get_v(&p, end)) < 0) return -1;
            acc = k ? acc + v + 1 : v;
            if (acc > 65535) return -1;
            T->pal[k] = (uint16_t)acc;
        }
    }
    for (unsigned c = 0; c < DA_CTX; c++) {
        int64_t nt = get_v(&p, end);
        if (nt < 0 || nt > DA_TOK) return -1;
        uint32_t acc = 0;
        for (unsigned k = 0; k < DA_TOK; k++) {
            int64_t fv = 0;
            if (k < nt && (fv = get_v(&p, end)) < 0) return -1;
            if (fv > (int64_t)(DA_SCALE - acc)) return -1;
            T->fc[c][k] = (uint32_t)fv << 16 | acc;
            if (fv) memset(&T->sym[c][acc], (int)k, (size_t)fv);
            acc += (uint32_t)fv;
        }
        if (nt && acc != DA_SCALE) return -1;
        /* a context without a table decodes the sentinel token, which is
         * corrupt; f = DA_SCALE keeps the state arithmetic in range */
        T->fc[c][DA_TOK] = DA_SCALE << 16;
        if (!nt) memset(T->sym[c], DA_TOK, DA_SCALE);
    }
    int64_t e = get_v(&p, end);
    if (e < 0 || e > end - p) return -1;
    bitreader br = { p, p, p + e, 0, 0, 0 };
    dstream D = { T, NULL, end, &br, 0, (int)np - 1 };
    p += e;
    if (end - p < 4 * DA_ROWS || (end - p) & 1) return -1;
    uint32_t xs[DA_ROWS];
    for (int j = 0; j < DA_ROWS; j++) xs[j] = sy_rd32(p + 4 * j);
    D.p = p + 4 * DA_ROWS;
    qtab_fill(T->qt);
    size_t mapped = 0;   /* rows before this one hold values, not ranks */
    for (size_t y0 = 0; y0 < h; y0 += DA_ROWS) {
        size_t g = h - y0 < DA_ROWS ? h - y0 : DA_ROWS, ks = w + 2 * (g - 1);
        /* the fast middle: a full group below the first row, wide enough */
        size_t k0 = 2 * DA_ROWS - 1, k1 = w >= 2 ? w - 1 : 0;
        int fast = g == DA_ROWS && y0 > 0 && k1 > k0;
        for (size_t k = 0; k < ks; k++) {
            if (fast && k == k0) {
                (smooth ? dec_steady_smooth : dec_steady_sensor)(&D, xs, dst, y0, w, k0, k1);
                k = k1 - 1;
                continue;
            }
            for (size_t j = 0; j < g; j++)
                if (k >= 2 * j && k - 2 * j < w) dec_any(&D, &xs[j], smooth, dst, (y0 + j) * w + k - 2 * j, w);
        }
        if (br.bad || D.over > 65535) return -1;
        if (!(mode & DA_IDENTITY)) {
            if (!ranks_below(dst, y0 * w, (y0 + g) * w, np)) return -1;
            map_rows(dst, T->pal, mapped * w, (y0 + g - 1) * w);
            mapped = y0 + g - 1;
        }
    }
    if (D.p != end) return -1;
    for (int j = 0; j < DA_ROWS; j++)
        if (xs[j] != DA_LOW) return -1;
    if (((size_t)(br.q - br.q0) * 8 - br.bc + 7) / 8 != (size_t)e) return -1;
    if (!(mode & DA_IDENTITY)) map_rows(dst, T->pal, mapped * w, ne);
    return 0;
}
