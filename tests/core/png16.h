/* png16.h - the real depth samples for the depth codec tests
 * (test_depth_codec, test_depth_ans): a 16-bit grey PNG into memory
 * (native-endian u16, row-major; NULL when the file is not a 16-bit grey
 * PNG; the caller frees), and the three files issue 14 names. */
#ifndef SYNAPT_TESTS_PNG16_H
#define SYNAPT_TESTS_PNG16_H
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint16_t *load_png16(const char *p, int *w, int *h)
{
    FILE *f = fopen(p, "rb");
    if (!f) return NULL;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop in = png ? png_create_info_struct(png) : NULL;
    uint16_t *volatile d = NULL;   /* read after a longjmp */
    if (!in || setjmp(png_jmpbuf(png))) { free(d); d = NULL; goto out; }
    png_init_io(png, f);
    png_read_info(png, in);
    if (png_get_bit_depth(png, in) != 16 || png_get_color_type(png, in) != PNG_COLOR_TYPE_GRAY) goto out;
    *w = (int)png_get_image_width(png, in);
    *h = (int)png_get_image_height(png, in);
    png_set_swap(png);
    d = malloc((size_t)*w * (size_t)*h * 2);
    for (int y = 0; y < *h; y++) png_read_row(png, (png_bytep)(d + (size_t)y * (size_t)*w), NULL);
out:
    png_destroy_read_struct(&png, &in, NULL);
    fclose(f);
    return d;
}

/* The real 640x480 depth PNGs of ../shared/realdata the depth tests use. */
static const char *const real_depth_files[] = { "depth/open3d/depth/00000.png",
                                                "depth/open3d/other_formats/TUM_depth.png",
                                                "depth/open3d/other_formats/SUN_depth.png" };
#define REAL_DEPTH_COUNT (sizeof real_depth_files / sizeof real_depth_files[0])

/* Sample k of real_depth_files under realdata directory rd: its pixels
 * (NULL, with a message, when it cannot be read), size and path. */
static uint16_t *load_real_depth(const char *rd, size_t k, int *w, int *h, char *path, size_t pathsz)
{
    snprintf(path, pathsz, "%s/%s", rd, real_depth_files[k]);
    uint16_t *v = load_png16(path, w, h);
    if (!v) printf("  cannot load %s\n", path);
    return v;
}
#endif
