/* proto_depthls: standalone prototype of a LOCO-I style lossless depth codec
 * (value ranks + MED prediction + gradient contexts with bias correction +
 * adaptive Golomb-Rice + run mode for flat areas). Not part of libsynapt.
 * Build: cc -O2 -D_GNU_SOURCE -o build/proto_depthls bench/proto_depthls.c -lpng -lzstd
 * Usage: proto_depthls FILE.png|FILE.pgm ...   (prints sizes, round-trip check,
 * decode MB/s as the median CPU time of 7 runs)
 * A measurement prototype for issue 14 (results and why its targets are not
 * met: bench/PROTOTYPES.md, "LOCO-I style coder"): it decodes only what it
 * encoded itself and reads only trusted sample files, so its bit reader has
 * no bounds checks; a codec in libsynapt would need them and a spec. */
#include <png.h>
#include <zstd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_depthio.h"

static void *xm(size_t n) { void *p = calloc(1, n ? n : 1); if (!p) { perror("calloc"); exit(2); } return p; }

/* ---- bit I/O ---- */
typedef struct { uint8_t *p; size_t n, cap; uint64_t acc; int nb; } bw;
static void bw_put(bw *b, uint32_t v, int n) /* n <= 32 */
{
    b->acc = (b->acc << n) | (v & ((n == 32) ? 0xffffffffu : ((1u << n) - 1)));
    b->nb += n;
    while (b->nb >= 8) {
        if (b->n == b->cap) { b->cap = b->cap ? b->cap * 2 : 65536; b->p = realloc(b->p, b->cap); }
        b->nb -= 8;
        b->p[b->n++] = (uint8_t)(b->acc >> b->nb);
    }
}
static void bw_flush(bw *b) { if (b->nb) bw_put(b, 0, 8 - b->nb); }
typedef struct { const uint8_t *p; size_t n, i; uint64_t acc; int nb; } br;
static inline void br_fill(br *b)
{
    while (b->nb <= 56) { b->acc = (b->acc << 8) | (b->i < b->n ? b->p[b->i] : 0); b->i++; b->nb += 8; }
}
static inline uint32_t br_get(br *b, int n)
{
    if (!n) return 0;
    br_fill(b);
    b->nb -= n;
    return (uint32_t)(b->acc >> b->nb) & ((n == 32) ? 0xffffffffu : ((1u << n) - 1));
}
static inline int br_unary(br *b, int lim) /* count 1-bits up to a 0, capped */
{
    int q = 0;
    while (q < lim && br_get(b, 1)) q++;
    return q;
}

/* ---- model ---- */
#define NCTX 365
#define QLIM 24
typedef struct { int A[NCTX + 2], N[NCTX + 2], B[NCTX + 2], C[NCTX + 2]; int runk; } model;
static void model_init(model *m, int range)
{
    int a0 = (range + 32) / 64; if (a0 < 2) a0 = 2;
    for (int i = 0; i < NCTX + 2; i++) { m->A[i] = a0; m->N[i] = 1; m->B[i] = 0; m->C[i] = 0; }
    m->runk = 0;
}
static inline int qg(int d, int t1, int t2, int t3)
{
    if (d <= -t3) return -4; if (d <= -t2) return -3; if (d <= -t1) return -2; if (d < 0) return -1;
    if (d == 0) return 0; if (d < t1) return 1; if (d < t2) return 2; if (d < t3) return 3; return 4;
}
static inline int med(int a, int b, int c)
{
    int mx = a > b ? a : b, mn = a < b ? a : b;
    if (c >= mx) return mn; if (c <= mn) return mx; return a + b - c;
}
static inline void rice_put(bw *o, uint32_t v, int k)
{
    uint32_t q = v >> k;
    if (q < QLIM) { bw_put(o, ((1u << q) - 1) << 1, (int)q + 1); if (k) bw_put(o, v & ((1u << k) - 1), k); }
    else { for (int i = 0; i < QLIM; i++) bw_put(o, 1, 1); bw_put(o, v, 17); }
}
static inline uint32_t rice_get(br *b, int k)
{
    br_fill(b); /* >= 57 bits available: a whole unary prefix (<= QLIM+1 bits) fits */
    uint64_t top = ~(b->acc << (64 - b->nb)); /* leading ones of the window become leading zeros */
    int q = top ? __builtin_clzll(top) : 64;
    if (q > QLIM) q = QLIM;
    b->nb -= q < QLIM ? q + 1 : q;
    if (q < QLIM) return ((uint32_t)q << k) | br_get(b, k);
    return br_get(b, 17);
}
/* ranks are in 0..R-1, R <= 65536; error mapping modulo R */
#define CTXDEF \
    int a = x > 0 ? r[i - 1] : (y > 0 ? r[i - w] : 0); \
    int bb = y > 0 ? r[i - w] : a; \
    int c = (y > 0 && x > 0) ? r[i - w - 1] : bb; \
    int d = (y > 0 && x + 1 < w) ? r[i - w + 1] : bb; \
    int g1 = qg(d - bb, t1, t2, t3), g2 = qg(bb - c, t1, t2, t3), g3 = qg(c - a, t1, t2, t3);
static inline int kof(const model *m, int q) { int k = 0; while ((m->N[q] << k) < m->A[q] && k < 16) k++; return k; }
static inline void upd(model *m, int q, int e)
{
    m->B[q] += e; m->A[q] += e < 0 ? -e : e;
    if (m->N[q] == 64) { m->A[q] >>= 1; m->B[q] = m->B[q] >= 0 ? m->B[q] >> 1 : -((1 - m->B[q]) >> 1); m->N[q] >>= 1; }
    m->N[q]++;
    if (m->B[q] <= -m->N[q]) { if (m->C[q] > -128) m->C[q]--; m->B[q] += m->N[q]; if (m->B[q] <= -m->N[q]) m->B[q] = -m->N[q] + 1; }
    else if (m->B[q] > 0) { if (m->C[q] < 127) m->C[q]++; m->B[q] -= m->N[q]; if (m->B[q] > 0) m->B[q] = 0; }
}
static void thresholds(int R, int *t1, int *t2, int *t3)
{
    *t1 = 3; *t2 = 7; *t3 = 21;
    if (R > 4096) { *t1 = 4; *t2 = 12; *t3 = 40; }
}
/* encode ranks r[w*h] in 0..R-1 */
static void enc_ranks(bw *o, const uint16_t *r, int w, int h, int R)
{
    model m; model_init(&m, R);
    int t1, t2, t3; thresholds(R, &t1, &t2, &t3);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * w + x;
            CTXDEF
            if (g1 == 0 && g2 == 0 && g3 == 0) {
                /* run mode: count repeats of a along the row */
                int n = 0;
                while (x + n < w && r[i + n] == a) n++;
                int end = x + n == w;
                /* emit run length in blocks of 2^runk */
                int rem = n;
                while (rem >= (1 << m.runk)) { bw_put(o, 1, 1); rem -= 1 << m.runk; if (m.runk < 15) m.runk++; }
                if (end) { if (rem) bw_put(o, 1, 1); /* partial block to row end */ x += n - 1; continue; }
                bw_put(o, 0, 1);
                if (m.runk) bw_put(o, (uint32_t)rem, m.runk);
                if (m.runk > 0) m.runk--;
                x += n; i += n;
                /* run interruption sample: predict from bb (above) , context NCTX or NCTX+1 */
                int bb2 = y > 0 ? r[i - w] : a;
                int q = (bb2 == a) ? NCTX : NCTX + 1;
                int p = (bb2 == a) ? a : bb2;
                int e = (int)r[i] - p;
                if (e < -(R / 2)) e += R; else if (e >= (R + 1) / 2) e -= R;
                int k = kof(&m, q);
                uint32_t v = e >= 0 ? 2u * e : 2u * (-e) - 1;
                rice_put(o, v, k);
                m.A[q] += e < 0 ? -e : e; if (m.N[q] == 64) { m.A[q] >>= 1; m.N[q] >>= 1; } m.N[q]++;
                continue;
            }
            int sgn = 1, q;
            int qi = (g1 * 9 + g2) * 9 + g3;
            if (qi < 0) { sgn = -1; qi = -qi; }
            q = qi - 1; /* 1..364 -> 0..363 */
            int p = med(a, bb, c) + sgn * m.C[q];
            if (p < 0) p = 0; if (p >= R) p = R - 1;
            int e = sgn * ((int)r[i] - p);
            if (e < -(R / 2)) e += R; else if (e >= (R + 1) / 2) e -= R;
            int k = kof(&m, q);
            uint32_t v = e >= 0 ? 2u * e : 2u * (-e) - 1;
            rice_put(o, v, k);
            upd(&m, q, e);
        }
}
static void dec_ranks(br *in, uint16_t *r, int w, int h, int R)
{
    model m; model_init(&m, R);
    int t1, t2, t3; thresholds(R, &t1, &t2, &t3);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * w + x;
            CTXDEF
            if (g1 == 0 && g2 == 0 && g3 == 0) {
                int n = 0, left = w - x, end = 0;
                for (;;) {
                    if (n >= left) { end = 1; break; }
                    if (!br_get(in, 1)) break;
                    int blk = 1 << m.runk;
                    if (n + blk > left) { n = left; end = 1; break; }
                    n += blk; if (m.runk < 15) m.runk++;
                }
                if (end) {
                    for (int j = 0; j < left; j++) r[i + j] = (uint16_t)a;
                    x += left - 1;
                    continue;
                }
                if (m.runk) n += (int)br_get(in, m.runk);
                if (m.runk > 0) m.runk--;
                for (int j = 0; j < n; j++) r[i + j] = (uint16_t)a;
                x += n; i += n;
                int bb2 = y > 0 ? r[i - w] : a;
                int q = (bb2 == a) ? NCTX : NCTX + 1;
                int p = (bb2 == a) ? a : bb2;
                int k = kof(&m, q);
                uint32_t v = rice_get(in, k);
                int e = (v & 1) ? -(int)((v + 1) >> 1) : (int)(v >> 1);
                int val = p + e; if (val < 0) val += R; else if (val >= R) val -= R;
                r[i] = (uint16_t)val;
                m.A[q] += e < 0 ? -e : e; if (m.N[q] == 64) { m.A[q] >>= 1; m.N[q] >>= 1; } m.N[q]++;
                continue;
            }
            int sgn = 1, q;
            int qi = (g1 * 9 + g2) * 9 + g3;
            if (qi < 0) { sgn = -1; qi = -qi; }
            q = qi - 1;
            int p = med(a, bb, c) + sgn * m.C[q];
            if (p < 0) p = 0; if (p >= R) p = R - 1;
            int k = kof(&m, q);
            uint32_t v = rice_get(in, k);
            int e = (v & 1) ? -(int)((v + 1) >> 1) : (int)(v >> 1);
            int val = p + sgn * e; if (val < 0) val += R; else if (val >= R) val -= R;
            r[i] = (uint16_t)val;
            upd(&m, q, e);
        }
}

static double cpu(void) { struct timespec t; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static int cmpd(const void *x, const void *y) { double a = *(const double *)x, b = *(const double *)y; return a < b ? -1 : a > b; }
#include <sys/times.h>
#include <unistd.h>
static double child_cpu(void) { struct tms t; times(&t); return (double)(t.tms_cutime + t.tms_cstime) / sysconf(_SC_CLK_TCK); }

/* container: w,h (4+4), R (4), value table as zstd-19 of deltas (4 + n), bits */
static size_t encode1(const uint16_t *d, int w, int h, uint8_t **out, int swap);
/* tries the samples as given and byte-swapped (some datasets store the other byte order,
 * e.g. the NYU PGM holds little-endian Kinect disparity with 2047 = invalid); keeps the smaller */
static size_t encode(const uint16_t *d, int w, int h, uint8_t **out)
{
    uint8_t *a, *b;
    size_t la = encode1(d, w, h, &a, 0), lb = encode1(d, w, h, &b, 1);
    if (getenv("PDLS_DEBUG")) fprintf(stderr, "as given %zu, byte-swapped %zu\n", la, lb);
    if (la <= lb) { free(b); *out = a; return la; }
    free(a); *out = b; return lb;
}
static size_t encode1(const uint16_t *d0, int w, int h, uint8_t **out, int swap)
{
    size_t n0 = (size_t)w * h;
    uint16_t *d = xm(n0 * 2);
    for (size_t i = 0; i < n0; i++) d[i] = swap ? (uint16_t)(d0[i] >> 8 | d0[i] << 8) : d0[i];
    size_t n = (size_t)w * h;
    static uint32_t map[65536]; static uint8_t used[65536];
    memset(used, 0, sizeof used);
    for (size_t i = 0; i < n; i++) used[d[i]] = 1;
    uint16_t tab[65536]; int R = 0;
    for (int v = 0; v < 65536; v++) if (used[v]) { map[v] = R; tab[R++] = (uint16_t)v; }
    uint16_t dt[65536]; for (int j = 0; j < R; j++) dt[j] = (uint16_t)(j ? tab[j] - tab[j - 1] : tab[0]);
    size_t zc = ZSTD_compressBound(R * 2); uint8_t *zt = xm(zc);
    size_t tz = ZSTD_compress(zt, zc, dt, R * 2, 19);
    uint16_t *r = xm(n * 2); for (size_t i = 0; i < n; i++) r[i] = (uint16_t)map[d[i]];
    free(d);
    bw o = {0}; uint32_t hd[4] = {(uint32_t)w, (uint32_t)h, (uint32_t)R | (uint32_t)swap << 31, (uint32_t)tz};
    for (int j = 0; j < 4; j++) bw_put(&o, hd[j], 32);
    for (size_t j = 0; j < tz; j++) bw_put(&o, zt[j], 8);
    if (R > 1) enc_ranks(&o, r, w, h, R);
    bw_flush(&o); free(zt); free(r);
    *out = o.p; return o.n;
}
static uint16_t *decode(const uint8_t *p, size_t len, int *w, int *h)
{
    br b = {p, len, 0, 0, 0};
    *w = (int)br_get(&b, 32); *h = (int)br_get(&b, 32); uint32_t rw = br_get(&b, 32); int R = (int)(rw & 0x7fffffff), swap = (int)(rw >> 31); size_t tz = br_get(&b, 32);
    size_t n = (size_t)*w * *h;
    uint16_t tab[65536];
    uint8_t *zt = xm(tz); for (size_t j = 0; j < tz; j++) zt[j] = (uint8_t)br_get(&b, 8);
    ZSTD_decompress(tab, sizeof tab, zt, tz); free(zt);
    for (int j = 1; j < R; j++) tab[j] = (uint16_t)(tab[j] + tab[j - 1]);
    uint16_t *r = xm(n * 2);
    if (R > 1) dec_ranks(&b, r, *w, *h, R);
    if (swap) for (size_t i = 0; i < n; i++) { uint16_t v = tab[r[i]]; r[i] = (uint16_t)(v >> 8 | v << 8); }
    else for (size_t i = 0; i < n; i++) r[i] = tab[r[i]];
    return r;
}

static void one(const char *name, const uint16_t *d, int w, int h, long pngsz)
{
    size_t n = (size_t)w * h, raw = n * 2;
    uint8_t *enc; size_t el = encode(d, w, h, &enc);
    double t[7]; uint16_t *dd = NULL; int w2, h2;
    for (int k = 0; k < 7; k++) { double t0 = cpu(); uint16_t *x = decode(enc, el, &w2, &h2); t[k] = cpu() - t0; if (k) free(x); else dd = x; }
    qsort(t, 7, sizeof *t, cmpd);
    int ok = w2 == w && h2 == h && !memcmp(dd, d, raw);
    size_t zc = ZSTD_compressBound(raw); uint8_t *z = xm(zc);
    size_t z3 = ZSTD_compress(z, zc, d, raw, 3), z19 = ZSTD_compress(z, zc, d, raw, 19);
    double tz[7]; for (int k = 0; k < 7; k++) { uint16_t *x = xm(raw); double t0 = cpu(); ZSTD_decompress(x, raw, z, z19); tz[k] = cpu() - t0; free(x); }
    qsort(tz, 7, sizeof *tz, cmpd);
    /* libjxl via cjxl/djxl on a PGM of the frame */
    char pg[64], jx[64], cmd[400]; snprintf(pg, sizeof pg, "/tmp/pdls_%d.pgm", (int)getpid()); snprintf(jx, sizeof jx, "/tmp/pdls_%d.jxl", (int)getpid());
    FILE *f = fopen(pg, "wb"); fprintf(f, "P5 %d %d 65535\n", w, h);
    for (size_t i = 0; i < n; i++) { fputc(d[i] >> 8, f); fputc(d[i] & 255, f); } fclose(f);
    snprintf(cmd, sizeof cmd, "cjxl -q 100 -e 7 --num_threads=0 %s %s >/dev/null 2>&1", pg, jx);
    long jsz = -1; double tj[5] = {0};
    if (!system(cmd)) {
        FILE *g = fopen(jx, "rb"); fseek(g, 0, SEEK_END); jsz = ftell(g); fclose(g);
        snprintf(cmd, sizeof cmd, "djxl --num_threads=0 %s /tmp/pdls_%d_o.pgm >/dev/null 2>&1", jx, (int)getpid());
        for (int k = 0; k < 5; k++) { double c0 = child_cpu(); if (system(cmd)) break; tj[k] = child_cpu() - c0; }
        qsort(tj, 5, sizeof *tj, cmpd);
    }
    double mb = raw / 1e6;
    printf("%-14s %5dx%-4d png %7ld  ls %7zu (png/ls %.2fx)  zstd3 %7zu zstd19 %7zu  jxl-e7 %7ld (ls/jxl %.2f)  "
           "dec MB/s: ls %.0f zstd19 %.0f djxl(process cpu) %.1f -> ls/jxl %.0fx  roundtrip %s\n",
           name, w, h, pngsz, el, pngsz > 0 ? (double)pngsz / el : 0, z3, z19, jsz, jsz > 0 ? (double)el / jsz : 0,
           mb / t[3], mb / tz[3], tj[2] > 0 ? mb / tj[2] : 0, tj[2] > 0 ? tj[2] / t[3] : 0, ok ? "OK" : "FAIL");
    remove(pg); remove(jx); snprintf(cmd, sizeof cmd, "/tmp/pdls_%d_o.pgm", (int)getpid()); remove(cmd);
    free(enc); free(dd); free(z);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        int w = 0, h = 0; const char *a = argv[i]; size_t L = strlen(a);
        uint16_t *d = (L > 4 && !strcmp(a + L - 4, ".pgm")) ? bench_load_pgm16(a, &w, &h) : bench_load_png16(a, &w, &h);
        if (!d) { fprintf(stderr, "proto_depthls: %s: not a 16-bit grey PNG/PGM\n", a); return 1; }
        FILE *f = fopen(a, "rb"); fseek(f, 0, SEEK_END); long sz = ftell(f); fclose(f);
        const char *nm = strrchr(a, '/'); nm = nm ? nm + 1 : a;
        if (L > 4 && !strcmp(a + L - 4, ".pgm")) sz = -1; /* PGM: no PNG size */
        one(nm, d, w, h, sz); free(d);
    }
    /* synthetic: smooth slanted planes with a hole region and sensor-like quantisation */
    int w = 640, h = 480; uint16_t *s = xm((size_t)w * h * 2); unsigned seed = 1;
    for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) {
        seed = seed * 1103515245u + 12345u;
        double z = (x < 320 ? 1200 + 1.3 * x + 0.4 * y : 3000 - 2.1 * y) + ((seed >> 16) % 5);
        if ((x - 500) * (x - 500) + (y - 100) * (y - 100) < 2500) z = 0;
        s[(size_t)y * w + x] = (uint16_t)z;
    }
    one("synthetic", s, w, h, -1); free(s);
    return 0;
}
