/* depth_strip_internal.h - what depth_strip.c (the format: encoder,
 * parser, portable decoder) shares with its vector decoders
 * (depth_strip_avx512.c, depth_strip_avx2.c); spec/format.md 6.5. Private
 * to libsynapt. */
#ifndef SYNAPT_DEPTH_STRIP_INTERNAL_H
#define SYNAPT_DEPTH_STRIP_INTERNAL_H

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

static inline unsigned blen5(unsigned v)
{
    unsigned k = v ? 32u - (unsigned)__builtin_clz(v) : 0;
    return k < 5 ? k : 5;
}

static inline int med3(int a, int b, int c)
{
    int lo = a < b ? a : b, hi = a < b ? b : a, g = a + b - c;
    g = g < lo ? lo : g;
    return g > hi ? hi : g;
}

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
static inline size_t row_words(size_t width)
{
    return width > DS_SIMD_MAXW ? 0 : ((width + DS_LANES - 1) / DS_LANES) * DS_LANES + DS_LANES;
}

/* The residual of an escaped symbol: z = 255 + the next V of the escape
 * stream, unzigzagged; -1 past the stream's end (through *ok = 0). */
static inline int ds_escape(const uint8_t **ep, const uint8_t *eend, int *ok)
{
    int64_t v = sy_get_leb(ep, eend);
    if (v < 0) {
        *ok = 0;
        return 0;
    }
    uint32_t z = DS_ESC + (uint32_t)v;
    return (int)(z >> 1) ^ -(int)(z & 1);
}

#if defined(__x86_64__) && defined(__GNUC__)
#define DS_X86 1
/* depth_strip_avx512.c: tables 16 entries a store; the decoder (vbmi: rows
 * out through byte permutes, else through gathers). Call only where the
 * CPU has AVX-512 F, CD, BW and VL (and VBMI for vbmi). */
void sy_ds_tab_fill_avx512(uint32_t *tab, const uint16_t *f, unsigned n);
int sy_ds_decode_avx512(uint8_t *dst, const ds_geom *g, ds_frame *F, const dec_scratch *D, int vbmi);
/* depth_strip_avx2.c: the decoder with AVX2, eight strips a register. */
int sy_ds_decode_avx2(uint8_t *dst, const ds_geom *g, ds_frame *F, const dec_scratch *D);
#endif

#endif
