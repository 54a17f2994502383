/* depth_codec.c - the depth_rank filter (spec/format.md 7.5), the
 * writer's per-chunk choice between depth filters and its per-stream
 * choice between pose filters.
 *
 * Real depth sensors (Kinect, RealSense, structured light) quantize: a
 * 640x480 frame holds only a few hundred distinct values out of 65,536. MED
 * prediction on the raw millimetres sees those quantization steps, and the
 * jump from an invalid 0 to a valid depth, as large residuals. Replacing
 * every value by its rank among the frame's distinct values makes the steps
 * 1 and the 0-to-valid jump small; the residuals of ranks against the pixel
 * above are then mostly a single byte, so depth_rank stores them as LEB128
 * varints: a frame of
 * 640x480 becomes a ~300 KB byte stream plus a palette of a few hundred
 * bytes, followed by zero padding up to the raw length (filters never change
 * a frame's length; zstd stores the padding in a few bytes).
 *
 * depth_rank does not fit every frame (many distinct values and large
 * residuals may not fit in n bytes), so the writer tries it, depth_med and
 * no filter per chunk and keeps the smallest result: a depth chunk is never
 * larger than plain zstd at the same level. */
#include <zstd.h>

#include "internal.h"

static inline uint16_t ld16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline void st16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static inline uint16_t zig(uint16_t r) { return (uint16_t)((uint16_t)(r << 1) ^ (uint16_t)-(r >> 15)); }
static inline uint16_t unzig(uint16_t z) { return (uint16_t)((z >> 1) ^ (uint16_t)-(z & 1)); }

/* Prediction of rank i (7.5): the left neighbour on the first row (0 for
 * pixel 0), the pixel above on every later row. Ranks are already
 * smooth; MED gains under 2% on them over the pixel above, while an
 * up-only predictor decodes a row as one vector add instead of a serial
 * chain through the left neighbour. */
static inline int pred_at(const uint16_t *v, size_t i, size_t w)
{
    if (i >= w) return v[i - w];
    return i ? v[i - 1] : 0;
}

int sy_depth_rank(uint8_t *dst, const uint8_t *src, size_t n, size_t width, uint16_t *scratch)
{
    size_t ne = n / 2, w = width ? width : (ne ? ne : 1);
    if (n & 1 || !ne) return -1;
    uint16_t *rank = scratch;            /* 65536 entries: value -> rank */
    uint16_t *rv = scratch + 65536;      /* ne entries: the frame in ranks */
    memset(rank, 0, 65536 * sizeof *rank);
    for (size_t i = 0; i < ne; i++) rank[ld16(src + 2 * i)] = 1;
    size_t np = 0;
    for (size_t k = 0; k < 65536; k++)
        if (rank[k]) np++;
    if (4 + 2 * np > n) return -1;
    sy_wr32(dst, (uint32_t)np);
    np = 0;
    for (size_t k = 0; k < 65536; k++)
        if (rank[k]) {
            st16(dst + 4 + 2 * np, (uint16_t)k);
            rank[k] = (uint16_t)np++;
        }
    for (size_t i = 0; i < ne; i++) rv[i] = rank[ld16(src + 2 * i)];
    uint8_t *o = dst + 4 + 2 * np, *end = dst + n;
    for (size_t i = 0; i < ne; i++) {
        uint16_t z = zig((uint16_t)(rv[i] - pred_at(rv, i, w)));
        if (end - o < 3) {
            /* the frame may still fit exactly: write byte by byte */
            int len = z < 0x80 ? 1 : z < 0x4000 ? 2 : 3;
            if (end - o < len) return -1;
        }
        if (z < 0x80) {
            *o++ = (uint8_t)z;
        } else if (z < 0x4000) {
            *o++ = (uint8_t)(z | 0x80);
            *o++ = (uint8_t)(z >> 7);
        } else {
            *o++ = (uint8_t)(z | 0x80);
            *o++ = (uint8_t)((z >> 7) | 0x80);
            *o++ = (uint8_t)(z >> 14);
        }
    }
    memset(o, 0, (size_t)(end - o));
    return 0;
}

/* One varint (at most 3 bytes, the last at most 3) or -1 when it runs
 * past the end or is too long: the bytes are untrusted. */
static inline int get_varint(const uint8_t **pp, const uint8_t *end)
{
    const uint8_t *p = *pp;
    if (p < end && *p < 0x80) { *pp = p + 1; return *p; }
    if (end - p < 2) return -1;
    if (p[1] < 0x80) { *pp = p + 2; return (p[0] & 0x7F) | p[1] << 7; }
    if (end - p < 3 || p[2] > 3) return -1;
    *pp = p + 3;
    return (p[0] & 0x7F) | (p[1] & 0x7F) << 7 | p[2] << 14;
}

/* Ranks to values for elements [from, to) of dst, in place. */
static void map_ranks(uint8_t *dst, const uint8_t *pal, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) st16(dst + 2 * i, ld16(pal + 2 * (size_t)ld16(dst + 2 * i)));
}

/* Rows after the first: t[i] = t[i-w] + r[i], no dependency inside a row.
 * Runs of 16 one-byte varints (no byte with bit 7 set, the common case)
 * go through a loop the compiler vectorizes; the rest, byte by byte. A
 * row's ranks turn into values as soon as the row below has used them,
 * while they are still in cache, instead of in a second walk over the
 * frame. */
int sy_undepth_rank(uint8_t *dst, const uint8_t *src, size_t n, size_t width)
{
    size_t ne = n / 2, w = width ? width : (ne ? ne : 1);
    if (n & 1 || n < 4) return -1;
    uint32_t np = sy_rd32(src);
    if (!np || np > 65536 || 4 + 2 * (size_t)np > n) return -1;
    const uint8_t *pal = src + 4, *p = pal + 2 * (size_t)np, *end = src + n;
    /* ranks into dst first (byte access: the caller's buffer may be at any
     * address); every rank is checked against the palette before it is
     * looked up there */
    uint16_t bad = 0;
    int z, a = 0;
    size_t i = 0;
    for (; i < ne && i < w; i++) {
        if ((z = get_varint(&p, end)) < 0) return -1;
        a = (uint16_t)(a + unzig((uint16_t)z));
        bad |= (uint16_t)(a >= (int)np);
        st16(dst + 2 * i, (uint16_t)a);
    }
    const uint16_t top = (uint16_t)(np - 1);
    while (i < ne) {
        size_t row_end = ne - i < w ? ne : i + w;
        while (i < row_end) {
            if (end - p >= 16 && row_end - i >= 16) {
                uint64_t q0, q1;
                memcpy(&q0, p, 8);
                memcpy(&q1, p + 8, 8);
                if (!((q0 | q1) & 0x8080808080808080ull)) {
                    uint8_t *o = dst + 2 * i;
                    const uint8_t *up = o - 2 * w;
                    uint16_t over = 0;
                    for (int k = 0; k < 16; k++) {
                        uint16_t t = (uint16_t)(ld16(up + 2 * k) + unzig(p[k]));
                        over |= (uint16_t)(t > top);
                        st16(o + 2 * k, t);
                    }
                    bad |= over;
                    p += 16;
                    i += 16;
                    continue;
                }
            }
            if ((z = get_varint(&p, end)) < 0) return -1;
            uint16_t t = (uint16_t)(ld16(dst + 2 * (i - w)) + unzig((uint16_t)z));
            bad |= (uint16_t)(t > top);
            st16(dst + 2 * i++, t);
        }
        if (bad) return -1;
        /* the row above is no longer needed as ranks */
        size_t up0 = (row_end - 1) / w * w - w;
        map_ranks(dst, pal, up0, up0 + w);
    }
    if (bad) return -1;
    /* the last row (the only one when the frame has one) */
    size_t last = ne ? (ne - 1) / w * w : 0;
    map_ranks(dst, pal, last, ne);
    return 0;
}

/* Compressed size of `n` filtered bytes as the chunk will store them. */
static size_t packed_size(ZSTD_CCtx *cctx, int compression, int level, uint8_t *tmp, size_t cap,
                          const uint8_t *f, const uint32_t *sizes, uint32_t nf, size_t total)
{
    if (compression == SYNAPT_COMPRESSION_NONE) return total;
    if (compression == SYNAPT_COMPRESSION_ZSTD_CHUNK) {
        size_t k = ZSTD_compressCCtx(cctx, tmp, cap, f, total, level);
        return ZSTD_isError(k) ? SIZE_MAX : k;
    }
    size_t sum = 0, off = 0;
    for (uint32_t i = 0; i < nf; i++) {
        size_t k = ZSTD_compressCCtx(cctx, tmp, cap, f + off, sizes[i], level);
        if (ZSTD_isError(k)) return SIZE_MAX;
        sum += k;
        off += sizes[i];
    }
    return sum;
}

/* One candidate filter over the chunk's frames into f; 0 when a frame
 * does not fit (depth_rank only). */
static int filter_frames(int filter, uint8_t *f, const uint8_t *raw, const uint32_t *sizes, uint32_t nf,
                         size_t elem, size_t width, void *scratch)
{
    size_t off = 0, prev = 0;
    for (uint32_t i = 0; i < nf; i++) {
        switch (filter) {
        case SYNAPT_FILTER_DEPTH_RANK:
            if (sy_depth_rank(f + off, raw + off, sizes[i], width, scratch)) return 0;
            break;
        case SYNAPT_FILTER_DEPTH_MED: sy_depth_med(f + off, raw + off, sizes[i], width); break;
        case SYNAPT_FILTER_SHUFFLE: sy_shuffle(f + off, raw + off, sizes[i], elem); break;
        default:
            sy_xor_prev(f + off, raw + off, sizes[i], i ? raw + prev : NULL, i ? sizes[i - 1] : 0, elem, scratch);
            break;
        }
        prev = off;
        off += sizes[i];
    }
    return 1;
}

int sy_filter_choose(const sy_mem *m, ZSTD_CCtx *cctx, int compression, int level, const uint8_t *raw,
                     const uint32_t *sizes, uint32_t nf, size_t elem, size_t width, int pose, int *out)
{
    size_t total = 0, maxf = 0;
    for (uint32_t i = 0; i < nf; i++) {
        total += sizes[i];
        if (sizes[i] > maxf) maxf = sizes[i];
    }
    size_t cap = ZSTD_compressBound(total);
    /* depth_rank's value table and ranks, or xor_prev's XORed frame */
    size_t sbytes = pose ? maxf + 1 : (65536 + maxf / 2 + 1) * sizeof(uint16_t);
    uint8_t *f = sy_malloc(m, total ? total : 1), *tmp = sy_malloc(m, cap);
    void *scratch = sy_malloc(m, sbytes);
    int rc = -1;
    if (!f || !tmp || !scratch) goto done;
    /* In order of decoding cost, none first: a costlier filter must save
     * at least 1/16 of the bytes of the best cheaper one.
     * Depth: rendered depth that zstd alone packs nearly as well as a
     * predictor (within 2-6% on smooth synthetic frames) then decodes at
     * zstd's speed instead of paying a serial unfilter of about 1 ns per
     * pixel for a few percent.
     * Pose: keypoints that move little between frames are what xor_prev
     * is for, but zstd alone often finds the repeats across frames as well
     * (rendered or fitted poses), and real sensor skeletons gain a few
     * percent from the XOR over byte planes alone; the byte gather plus
     * XOR of xor_prev costs more than zstd's own decoding of such small
     * frames (spec/format.md 7.4). */
    static const int depth_cand[] = { SYNAPT_FILTER_NONE, SYNAPT_FILTER_DEPTH_RANK, SYNAPT_FILTER_DEPTH_MED };
    static const int pose_cand[] = { SYNAPT_FILTER_NONE, SYNAPT_FILTER_SHUFFLE, SYNAPT_FILTER_XOR_PREV };
    const int *cand = pose ? pose_cand : depth_cand;
    size_t best = SIZE_MAX;
    *out = SYNAPT_FILTER_NONE;
    for (size_t c = 0; c < 3; c++) {
        const uint8_t *in = raw;
        if (cand[c] != SYNAPT_FILTER_NONE) {
            if (!filter_frames(cand[c], f, raw, sizes, nf, elem, width, scratch)) continue;
            in = f;
        }
        size_t k = packed_size(cctx, compression, level, tmp, cap, in, sizes, nf, total);
        if (best == SIZE_MAX || k < best - best / 16) { best = k; *out = cand[c]; }
    }
    rc = 0;
done:
    sy_free(m, f);
    sy_free(m, tmp);
    sy_free(m, scratch);
    return rc;
}
