/* proto_depthstrip: size estimate for a depth coder whose decoder would run
 * one vertical strip of the frame per SIMD lane. Not a coder and not part of
 * libsynapt: it computes what such a coder would store at best, to decide
 * whether building one is worth it (issue 14: one depth path both 2x smaller
 * than 16-bit PNG and 50x faster to decode than libjxl).
 *
 * The model, per frame: the used values mapped to dense ranks (table cost
 * P x 16 bits); MED on ranks, where a pixel's left neighbour exists only
 * inside its strip (at a strip's first column, and on row 0, the pixel
 * above stands in); the zigzagged residual (escape: 16 raw bits past 255)
 * coded in one of ten gradient contexts (|a-c| + |b-c| + |d-b| on a log
 * scale) or, in the second model, thirty (the same times the sign of
 * b - a); static per-frame tables, charged 12 bits per used symbol. Sizes
 * are the ideal entropy plus those tables, so a real rANS coder would
 * store 0.1-0.5% more.
 *
 * Why strips: depth_ans decodes serially through each pixel's left
 * neighbour (about 8 ns per pixel here, 10x libjxl). With strips of width
 * S, lane j decodes column x0_j + t at step t; every neighbour it needs is
 * its own previous step or the row above, so 16 lanes (AVX-512, 32-bit
 * states) step together. The cost is the left neighbour lost at each
 * strip's first column, which this measures.
 *
 * Build: cc -O2 -D_GNU_SOURCE -o build/proto_depthstrip bench/proto_depthstrip.c -lpng -lm
 * Usage: proto_depthstrip FILE.png ... */
#include <math.h>
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_depthio.h"

enum { NCTX = 30, NSYM = 257 };

/* gradient bucket 0..9 */
static int bucket(int g)
{
    static const int th[] = { 0, 1, 2, 4, 8, 16, 32, 64, 128 };
    int k = 0;
    while (k < 9 && g > th[k]) k++;
    return k;
}

/* Estimated bytes of one frame for strip width s and model m (0: ten
 * contexts, 1: thirty). */
static double estimate(const int *rank, int w, int h, int np, int s, int m)
{
    static double cnt[NCTX][NSYM];
    memset(cnt, 0, sizeof cnt);
    double bits = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int x0 = x / s * s, x1 = x0 + s < w ? x0 + s : w, a, b, c, d;
            const int *row = rank + (size_t)y * w, *up = row - w;
            if (y == 0) {
                b = x > x0 ? row[x - 1] : 0;
                a = c = d = b;
            } else {
                b = up[x];
                a = x > x0 ? row[x - 1] : b;
                c = x > x0 ? up[x - 1] : b;
                d = x + 1 < x1 ? up[x + 1] : b;
            }
            int hi = a > b ? a : b, lo = a < b ? a : b;
            int pred = c >= hi ? lo : c <= lo ? hi : a + b - c;
            int r = row[x] - pred, z = r >= 0 ? 2 * r : -2 * r - 1;
            int k = bucket(abs(a - c) + abs(b - c) + abs(d - b));
            if (m) k = k * 3 + (b > a ? 1 : b < a ? 2 : 0);
            if (z >= NSYM - 1) {
                bits += 16;
                z = NSYM - 1;
            }
            cnt[k][z]++;
        }
    int used = 0;
    for (int k = 0; k < NCTX; k++) {
        double t = 0;
        for (int z = 0; z < NSYM; z++) t += cnt[k][z];
        for (int z = 0; z < NSYM; z++)
            if (cnt[k][z]) {
                bits -= cnt[k][z] * log2(cnt[k][z] / t);
                used++;
            }
    }
    return (bits + used * 12.0 + np * 16.0) / 8;
}

int main(int argc, char **argv)
{
    static const int strips[] = { 640, 80, 40, 20, 16 };
    if (argc < 2) {
        fprintf(stderr, "usage: proto_depthstrip FILE.png ...\n");
        return 2;
    }
    printf("| frame | values | model | rows (no strips) | strips of 80 | 40 (16 lanes at 640) | 20 (32 lanes) | 16 (40 lanes) |\n");
    printf("|---|---:|---|---:|---:|---:|---:|---:|\n");
    for (int f = 1; f < argc; f++) {
        int w = 0, h = 0;
        uint16_t *px = bench_load_png16(argv[f], &w, &h);
        if (!px) {
            fprintf(stderr, "proto_depthstrip: %s: not a 16-bit grey PNG\n", argv[f]);
            return 1;
        }
        static int rk[65536];
        static uint8_t seen[65536];
        memset(seen, 0, sizeof seen);
        size_t n = (size_t)w * (size_t)h;
        for (size_t i = 0; i < n; i++) seen[px[i]] = 1;
        int np = 0;
        for (int v = 0; v < 65536; v++)
            if (seen[v]) rk[v] = np++;
        int *rank = malloc(n * sizeof *rank);
        if (!rank) return 2;
        for (size_t i = 0; i < n; i++) rank[i] = rk[px[i]];
        const char *name = strrchr(argv[f], '/') ? strrchr(argv[f], '/') + 1 : argv[f];
        for (int m = 0; m < 2; m++) {
            printf("| %s | %d | %s |", name, np, m ? "30 contexts" : "10 contexts");
            for (size_t k = 0; k < sizeof strips / sizeof *strips; k++)
                printf(" %.0f |", estimate(rank, w, h, np, strips[k], m));
            printf("\n");
        }
        free(rank);
        free(px);
    }
    return 0;
}
