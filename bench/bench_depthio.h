/* bench_depthio.h - 16-bit depth frames from sample files, for the depth
 * benchmarks (bench_depth) and the codec prototype (proto_depthls): a
 * 16-bit grayscale PNG, or a binary PGM with maxval above 255 (big-endian
 * samples, as NYU's raw Kinect frames come). Samples are returned in host
 * order, row-major, in memory the caller frees; NULL when the file is
 * missing or of another kind. Header-only like bench_util.h, which it
 * needs for bench_xmalloc. Trusted sample files only: sizes are capped at
 * 16384 x 16384, nothing more is checked. */
#ifndef SYNAPT_BENCH_DEPTHIO_H
#define SYNAPT_BENCH_DEPTHIO_H

#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_util.h"

static inline uint16_t *bench_load_png16(const char *p, int *w, int *h)
{
    FILE *f = fopen(p, "rb");
    if (!f) return NULL;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop in = png ? png_create_info_struct(png) : NULL;
    uint16_t *volatile d = NULL;
    if (!in || setjmp(png_jmpbuf(png))) { free(d); d = NULL; goto out; }
    png_init_io(png, f);
    png_read_info(png, in);
    if (png_get_bit_depth(png, in) != 16 || png_get_color_type(png, in) != PNG_COLOR_TYPE_GRAY) goto out;
    *w = (int)png_get_image_width(png, in);
    *h = (int)png_get_image_height(png, in);
    if (*w > 16384 || *h > 16384) goto out;
    png_set_swap(png);
    d = bench_xmalloc((size_t)*w * (size_t)*h * 2);
    for (int y = 0; y < *h; y++) png_read_row(png, (png_bytep)(d + (size_t)y * (size_t)*w), NULL);
out:
    png_destroy_read_struct(&png, &in, NULL);
    fclose(f);
    return d;
}

static inline uint16_t *bench_load_pgm16(const char *p, int *w, int *h)
{
    FILE *f = fopen(p, "rb");
    if (!f) return NULL;
    int mx = 0;
    uint16_t *d = NULL;
    if (fscanf(f, "P5 %d %d %d", w, h, &mx) != 3 || mx < 256 || mx > 65535 || *w <= 0 || *h <= 0 ||
        *w > 16384 || *h > 16384 || fgetc(f) == EOF)
        goto out;
    size_t n = (size_t)*w * (size_t)*h;
    uint8_t *b = bench_xmalloc(n * 2);
    if (fread(b, 1, n * 2, f) == n * 2) {
        d = bench_xmalloc(n * 2);
        for (size_t i = 0; i < n; i++) d[i] = (uint16_t)(b[2 * i] << 8 | b[2 * i + 1]);
    }
    free(b);
out:
    fclose(f);
    return d;
}

#endif
