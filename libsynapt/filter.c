/* filter.c - the reversible prefilters of spec/format.md. They turn
 * structured arrays into byte streams zstd compresses well: byte planes
 * (shuffle), prediction residuals for smooth depth (depth_med), and temporal
 * differences for slowly moving poses (xor_prev). Each works on one frame and
 * never reads past n bytes, whatever n and elem are. */
#include "internal.h"

void sy_shuffle(uint8_t *dst, const uint8_t *src, size_t n, size_t elem)
{
    if (elem <= 1) { memcpy(dst, src, n); return; }
    size_t ne = n / elem;
    for (size_t b = 0; b < elem; b++) {
        uint8_t *d = dst + b * ne;
        const uint8_t *s = src + b;
        for (size_t i = 0; i < ne; i++) d[i] = s[i * elem];
    }
    memcpy(dst + ne * elem, src + ne * elem, n - ne * elem);
}

void sy_unshuffle(uint8_t *dst, const uint8_t *src, size_t n, size_t elem)
{
    if (elem <= 1) { memcpy(dst, src, n); return; }
    size_t ne = n / elem;
    for (size_t b = 0; b < elem; b++) {
        const uint8_t *s = src + b * ne;
        uint8_t *d = dst + b;
        for (size_t i = 0; i < ne; i++) d[i * elem] = s[i];
    }
    memcpy(dst + ne * elem, src + ne * elem, n - ne * elem);
}

static inline uint16_t med_pred(const uint8_t *v, size_t i, size_t w)
{
    size_t x = i % w;
    if (i < w) return x ? sy_rd16(v + 2 * (i - 1)) : 0;     /* row 0: left */
    if (x == 0) return sy_rd16(v + 2 * (i - w));            /* column 0: up */
    int a = sy_rd16(v + 2 * (i - 1)), b = sy_rd16(v + 2 * (i - w)), c = sy_rd16(v + 2 * (i - w - 1));
    int mx = a > b ? a : b, mn = a < b ? a : b;
    if (c >= mx) return (uint16_t)mn;
    if (c <= mn) return (uint16_t)mx;
    return (uint16_t)(a + b - c);
}

void sy_depth_med(uint8_t *dst, const uint8_t *src, size_t n, size_t width)
{
    size_t ne = n / 2;
    size_t w = width ? width : (ne ? ne : 1);
    uint8_t *lo = dst, *hi = dst + ne;
    for (size_t i = 0; i < ne; i++) {
        uint16_t r = (uint16_t)(sy_rd16(src + 2 * i) - med_pred(src, i, w));
        uint16_t z = (uint16_t)((uint16_t)(r << 1) ^ (uint16_t)-(r >> 15));
        lo[i] = (uint8_t)z;
        hi[i] = (uint8_t)(z >> 8);
    }
    if (n & 1) dst[n - 1] = src[n - 1];
}

void sy_undepth_med(uint8_t *dst, const uint8_t *src, size_t n, size_t width)
{
    size_t ne = n / 2;
    size_t w = width ? width : (ne ? ne : 1);
    const uint8_t *lo = src, *hi = src + ne;
    for (size_t i = 0; i < ne; i++) {
        uint16_t z = (uint16_t)(lo[i] | (hi[i] << 8));
        uint16_t r = (uint16_t)((z >> 1) ^ (uint16_t)-(z & 1));
        sy_wr16(dst + 2 * i, (uint16_t)(r + med_pred(dst, i, w)));
    }
    if (n & 1) dst[n - 1] = src[n - 1];
}

void sy_xor_prev(uint8_t *dst, const uint8_t *src, size_t n, const uint8_t *prev,
                 size_t prev_n, size_t elem, uint8_t *tmp)
{
    size_t m = prev ? (n < prev_n ? n : prev_n) : 0;
    for (size_t i = 0; i < m; i++) tmp[i] = src[i] ^ prev[i];
    memcpy(tmp + m, src + m, n - m);
    sy_shuffle(dst, tmp, n, elem);
}

void sy_unxor_prev(uint8_t *dst, const uint8_t *src, size_t n, const uint8_t *prev,
                   size_t prev_n, size_t elem)
{
    sy_unshuffle(dst, src, n, elem);
    size_t m = prev ? (n < prev_n ? n : prev_n) : 0;
    for (size_t i = 0; i < m; i++) dst[i] ^= prev[i];
}
