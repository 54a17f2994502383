/* test_depth_codec.c - the depth_rank filter (spec/format.md 7.5): a
 * known-answer vector pinning the layout, round trips on edge frames (zeros,
 * 65535, odd widths, 1xN, Nx1, all distinct values), rejection of corrupt
 * frames, every decoder path against the C one; the depth_up filter (7.6)
 * against its definition; the writer's per-chunk choice (never larger than plain zstd), the
 * required feature bit, and round trips through a file on the real depth
 * samples in ../shared/realdata/depth when present. */
#include <stdint.h>
#include <zstd.h>
#include "internal.h" /* white box: the depth_rank coder (sy_depth_rank_*) is private */
#include "testutil.h"
#include "png16.h"

static uint64_t seed = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return (uint32_t)(seed >> 11);
}

static uint16_t *scratch_for(size_t n) { return malloc((65536 + n / 2 + 1) * sizeof(uint16_t)); }

/* filter + unfilter; 1 when the frame fit and came back bit for bit */
static int roundtrip(const uint16_t *v, size_t npix, size_t width)
{
    size_t n = npix * 2;
    uint8_t *src = malloc(n), *f = malloc(n), *back = malloc(n);
    uint16_t *scr = scratch_for(n);
    for (size_t i = 0; i < npix; i++) sy_wr16(src + 2 * i, v[i]);
    int ok = -1;
    if (!sy_depth_rank(f, src, n, width, scr)) ok = !sy_undepth_rank(back, f, n, width) && !memcmp(back, src, n);
    free(src); free(f); free(back); free(scr);
    return ok;
}

static void test_rank_vector(void)
{
    /* 2x3 frame 0 500 500 / 0 700 500: too small to hold its palette */
    const uint16_t v[6] = { 0, 500, 500, 0, 700, 500 };
    uint8_t src[12], f[12], back[12];
    uint16_t *scr = scratch_for(12);
    for (int i = 0; i < 6; i++) sy_wr16(src + 2 * i, v[i]);
    /* 4 + 6 palette + 6 varints = 16 > 12 bytes: this frame does not fit */
    CHECK(sy_depth_rank(f, src, 12, 3, scr) != 0);
    free(scr);
    /* a frame that fits: 4x4 of two values */
    uint16_t w16[16];
    for (int i = 0; i < 16; i++) w16[i] = i % 4 == 0 ? 0 : 1000;
    uint8_t s2[32], f2[32], b2[32];
    scr = scratch_for(32);
    for (int i = 0; i < 16; i++) sy_wr16(s2 + 2 * i, w16[i]);
    CHECK_OK(sy_depth_rank(f2, s2, 32, 4, scr));
    /* rows of ranks 0 1 1 1: row 0 predicts from the left (z 0 2 0 0);
     * later rows from the pixel above: all residuals 0 */
    const uint8_t want[32] = { 2, 0, 0, 0,   0, 0, 0xE8, 0x03,   /* P = 2; palette 0, 1000 */
                               0, 2, 0, 0,                      /* row 0 */
                               0, 0, 0, 0,  0, 0, 0, 0,  0, 0, 0, 0,
                               0, 0, 0, 0, 0, 0, 0, 0 };        /* zero padding */
    CHECK(!memcmp(f2, want, 32));
    CHECK_OK(sy_undepth_rank(b2, f2, 32, 4));
    CHECK(!memcmp(b2, s2, 32));
    free(scr);
    (void)src; (void)f; (void)back;
}

static void test_rank_edges(void)
{
    enum { MAXN = 64 * 64 };
    static uint16_t v[MAXN];
    /* all zero, all 65535, two extremes, odd widths, 1xN, Nx1 */
    const size_t shapes[][2] = { { 1, 64 }, { 64, 1 }, { 7, 13 }, { 13, 7 }, { 64, 64 }, { 3, 3 }, { 1, 8 } };
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        size_t h = shapes[s][0], w = shapes[s][1], n = h * w;
        for (int kind = 0; kind < 5; kind++) {
            for (size_t i = 0; i < n; i++) {
                switch (kind) {
                case 0: v[i] = 0; break;
                case 1: v[i] = 65535; break;
                case 2: v[i] = (i / w + i % w) % 2 ? 65535 : 0; break;
                case 3: v[i] = (rnd() & 7) ? (uint16_t)(2000 + (i % w) * 3 + (rnd() & 3)) : 0; break;
                default: v[i] = (uint16_t)rnd(); break;
                }
            }
            int r = roundtrip(v, n, w);
            /* the smooth and constant kinds fit whenever the frame has room
             * for the 4-byte count, the palette and a byte per pixel */
            if (kind <= 1 && n >= 8) CHECK_EQ_INT(r, 1);
            if (r == 0) printf("  mismatch: shape %zux%zu kind %d\n", h, w, kind);
            CHECK(r != 0);
        }
    }
    /* every u16 value once (65536 distinct: palette alone is 128 KiB + 4) */
    static uint16_t all[65536 * 3];
    for (size_t i = 0; i < 65536 * 3; i++) all[i] = (uint16_t)(i / 3);
    CHECK_EQ_INT(roundtrip(all, 65536 * 3, 3), 1);   /* rows k k k: each row 1 above the last */
    /* with two of each, palette and residuals need 4 bytes more than the frame */
    for (size_t i = 0; i < 65536 * 2; i++) all[i] = (uint16_t)(i / 2);
    CHECK_EQ_INT(roundtrip(all, 65536 * 2, 512), -1);
}

static void test_rank_corrupt(void)
{
    uint16_t v[64];
    for (int i = 0; i < 64; i++) v[i] = (uint16_t)(1000 + (i % 8) * 5);
    uint8_t src[128], f[128], back[128], bad[128];
    uint16_t *scr = scratch_for(128);
    for (int i = 0; i < 64; i++) sy_wr16(src + 2 * i, v[i]);
    CHECK_OK(sy_depth_rank(f, src, 128, 8, scr));
    memcpy(bad, f, 128);
    sy_wr32(bad, 0);                       /* no palette */
    CHECK(sy_undepth_rank(back, bad, 128, 8) != 0);
    sy_wr32(bad, 70000);                   /* palette larger than 65536 */
    CHECK(sy_undepth_rank(back, bad, 128, 8) != 0);
    sy_wr32(bad, 63);                      /* palette past the frame */
    CHECK(sy_undepth_rank(back, bad, 128, 8) != 0);
    memcpy(bad, f, 128);
    memset(bad + 4 + 16, 0xFF, 128 - 20);  /* varints that never end */
    CHECK(sy_undepth_rank(back, bad, 128, 8) != 0);
    memcpy(bad, f, 128);
    bad[4 + 16] = 40;                      /* first rank 20: beyond the 8-entry palette */
    CHECK(sy_undepth_rank(back, bad, 128, 8) != 0);
    CHECK(sy_undepth_rank(back, f, 127, 8) != 0);   /* odd length */
    /* random bytes never crash (and mostly fail) */
    for (int k = 0; k < 2000; k++) {
        for (int i = 0; i < 128; i++) bad[i] = (uint8_t)rnd();
        bad[0] = (uint8_t)(rnd() % 40); bad[1] = bad[2] = bad[3] = 0;
        (void)sy_undepth_rank(back, bad, 128, 8);
    }
    free(scr);
}

/* The depth_rank decoder's paths (C, SSE2, AVX2 and AVX-512 where this
 * CPU has them, capped by sy_simd_limit) give the same pixels and the
 * same verdict: frames of many widths, last rows cut short, palettes
 * around the AVX-512 path's 1,024-value limit, residuals that need
 * two-byte varints (rank jumps of 64 and more) in runs and alone, and
 * the same frames with bytes changed. */
static void test_rank_paths(void)
{
    enum { MAXPIX = 640 * 40 };
    static uint16_t v[MAXPIX];
    static uint8_t src[2 * MAXPIX], f[2 * MAXPIX], back[4][2 * MAXPIX];
    uint16_t *scr = scratch_for(2 * MAXPIX);
    const size_t widths[] = { 1, 3, 16, 17, 63, 64, 65, 127, 128, 129, 200, 640 };
    /* one to eight 128-value groups of the AVX-512 byte tables, each edge, and past 1,024 */
    const uint32_t pals[] = { 1, 2, 40, 64, 65, 128, 129, 200, 256, 257, 300, 384, 385, 512, 513, 700, 897, 1024, 1025, 1500 };
    int agree = 1, fitted = 0, levels = sy_simd_isa() + 1;
    for (size_t wi = 0; wi < sizeof widths / sizeof *widths; wi++)
        for (size_t pi = 0; pi < sizeof pals / sizeof *pals; pi++)
            for (int jumpy = 0; jumpy < 3; jumpy++) {
                size_t w = widths[wi], rows = 1 + rnd() % 30, npix = w * rows + (rnd() % 2 ? rnd() % w : 0);
                if (npix > MAXPIX) npix = MAXPIX;
                uint32_t np = pals[pi];
                /* ranks drift smoothly; jumpy frames add large jumps, rare
                 * (1) or in runs (2), which need two-byte varints */
                int r = (int)(rnd() % np);
                for (size_t i = 0; i < npix; i++) {
                    int step = (int)(rnd() % 3) - 1;
                    if (jumpy == 1 && rnd() % 50 == 0) step = (int)(rnd() % 400) - 200;
                    if (jumpy == 2 && (i / 7) % 3 == 0) step = (int)(rnd() % 2000) - 1000;
                    r = ((r + step) % (int)np + (int)np) % (int)np;
                    v[i] = (uint16_t)(r * 37 + 100);
                }
                size_t n = 2 * npix;
                for (size_t i = 0; i < npix; i++) sy_wr16(src + 2 * i, v[i]);
                if (sy_depth_rank(f, src, n, w, scr)) continue;
                fitted++;
                for (int pass = 0; pass < 4; pass++) {
                    if (pass) {   /* bytes changed in the palette count, the palette or the varints */
                        size_t at = pass == 1 ? 4 + 2 * (size_t)(rnd() % (np < n / 2 ? np : 1)) : 4 + rnd() % (n - 4);
                        if (at < n) f[at] ^= (uint8_t)(1u << (rnd() % 8));
                    }
                    int rc[4] = { 0 };
                    for (int lim = 0; lim < levels; lim++) {
                        sy_simd_limit = lim;
                        memset(back[lim], 0xA5, n);
                        rc[lim] = sy_undepth_rank(back[lim], f, n, w);
                    }
                    sy_simd_limit = 3;
                    if (!pass && (rc[0] || memcmp(back[0], src, n))) agree = 0;
                    for (int lim = 1; lim < levels; lim++)
                        if (rc[lim] != rc[0] || (!rc[0] && memcmp(back[lim], back[0], n))) {
                            printf("  w %zu, %zu px, palette %u, jumpy %d, pass %d: level %d gives %d, C %d\n", w, npix,
                                   np, jumpy, pass, lim, rc[lim], rc[0]);
                            agree = 0;
                        }
                }
            }
    printf("  %d frames fitted, %d decoder levels compared\n", fitted, levels);
    CHECK(fitted > 100);
    CHECK(agree);
    free(scr);
}

/* depth_up (7.6) against its definition written out plainly, on frames
 * of many shapes (a last row cut short, width 0 meaning one row, an odd
 * trailing byte), and a known answer. */
static void test_up_filter(void)
{
    const uint16_t kv[6] = { 100, 103, 99, 101, 103, 65535 };   /* 2 rows of 3 */
    uint8_t ks[12], kf[12], kb[12];
    for (int i = 0; i < 6; i++) sy_wr16(ks + 2 * i, kv[i]);
    sy_depth_up(kf, ks, 12, 3);
    /* row 0 from the left: 100, +3, -4; row 1 from above: +1, 0, -100 (65535 - 99 = 65436 = -100 mod 2^16) */
    const uint16_t kz[6] = { 200, 6, 7, 2, 0, 199 };
    int kok = 1;
    for (int i = 0; i < 6; i++) kok &= kf[i] == (kz[i] & 0xFF) && kf[6 + i] == kz[i] >> 8;
    CHECK(kok);
    sy_undepth_up(kb, kf, 12, 3);
    CHECK(!memcmp(kb, ks, 12));
    enum { MAXB = 2 * 300 * 37 + 1 };
    static uint8_t src[MAXB], f[MAXB], want[MAXB], back[MAXB];
    int ok = 1;
    for (int k = 0; k < 400; k++) {
        size_t w = (size_t)(k % 7 == 0 ? 0 : 1 + rnd() % 300), n = rnd() % MAXB;
        for (size_t i = 0; i < n; i++) src[i] = (uint8_t)(k % 3 ? rnd() % 4 + (i % 2 ? 7 : 0) : rnd());
        size_t ne = n / 2, ww = w ? w : (ne ? ne : 1);
        for (size_t i = 0; i < ne; i++) {
            uint16_t x = sy_rd16(src + 2 * i);
            uint16_t pr = i >= ww ? sy_rd16(src + 2 * (i - ww)) : i ? sy_rd16(src + 2 * (i - 1)) : 0;
            uint16_t r = (uint16_t)(x - pr), z = (uint16_t)((uint16_t)(r << 1) ^ (r >> 15 ? 0xFFFF : 0));
            want[i] = (uint8_t)z;
            want[ne + i] = (uint8_t)(z >> 8);
        }
        if (n & 1) want[n - 1] = src[n - 1];
        sy_depth_up(f, src, n, w);
        memset(back, 0xA5, sizeof back);
        sy_undepth_up(back, f, n, w);
        if (memcmp(f, want, n) || memcmp(back, src, n) || back[n] != 0xA5) ok = 0;
    }
    CHECK(ok);
}

/* ---- through the writer and reader -------------------------------------- */

static size_t plain_zstd(const uint16_t *v, size_t npix, int level)
{
    size_t cap = ZSTD_compressBound(npix * 2);
    void *o = malloc(cap);
    size_t k = ZSTD_compress(o, cap, v, npix * 2, level);
    free(o);
    return k;
}

/* Write `nf` frames HxW as one u16 depth stream asking for filter `req`
 * (AUTO: the writer's choice) with writer options `wo`; 1 when written. */
static int write_depth_file(const char *path, const synapt_writer_options *wo, const uint16_t *fr, size_t h, size_t w,
                            uint32_t nf, int req)
{
    synapt_writer *wr = NULL;
    char err[512] = "";
    if (synapt_writer_create(&wr, path, wo, err, sizeof err)) { printf("  %s\n", err); return 0; }
    synapt_clip_desc cd = SYNAPT_CLIP_DESC_INIT;
    cd.id = "c";
    synapt_stream_desc sd = SYNAPT_STREAM_DESC_INIT;
    sd.name = "depth"; sd.kind = SYNAPT_KIND_DEPTH; sd.dtype = SYNAPT_DTYPE_U16; sd.codec = SYNAPT_CODEC_RAW;
    sd.ndim = 2; sd.shape[0] = h; sd.shape[1] = w; sd.scale = 0.001;
    sd.filter = req;
    uint32_t si;
    if (synapt_writer_begin_clip(wr, &cd) || synapt_writer_add_stream(&si, wr, &sd) ||
        synapt_writer_write_frames(wr, si, fr, h * w * 2 * nf, nf, NULL) || synapt_writer_end_clip(wr)) {
        synapt_writer_abort(wr);
        return 0;
    }
    return synapt_writer_close(wr, NULL, 0) == 0;
}

/* Read the file back: 1 when its nf frames (npix pixels) are fr; then the
 * header's required_features, chunk 0's filter and the stream's stored
 * bytes (stored may be NULL). */
static int depth_file_facts(const char *path, const uint16_t *fr, size_t npix, uint32_t nf, uint64_t *feat, int *filter,
                            uint64_t *stored)
{
    synapt_reader *r = NULL;
    if (synapt_reader_open(&r, path, NULL)) return 0;
    synapt_file_info fi;
    synapt_stream_info st;
    synapt_chunk_info ci;
    uint16_t *back = malloc(npix * 2);
    size_t got = 0;
    int ok = back && !synapt_reader_file_info(&fi, r) && !synapt_reader_stream(&st, r, 0, 0) &&
             !synapt_reader_chunk(&ci, r, 0, 0, 0) &&
             !synapt_reader_read_frames(back, npix * 2, &got, r, 0, 0, 0, nf) && got == npix * 2 &&
             !memcmp(back, fr, npix * 2);
    if (ok) {
        *feat = fi.required_features;
        *filter = ci.filter;
        if (stored) *stored = st.stored_bytes;
    } else {
        printf("  %s: %s\n", path, synapt_reader_errmsg(r));
    }
    free(back);
    synapt_reader_close(r);
    return ok;
}

/* Write frames as one depth stream asking for filter `req` (AUTO: the
 * writer's choice), read them back, compare; the stream's stored bytes,
 * chunk 0's filter and the header's required_features out. */
static int file_roundtrip_as(const char *name, const uint16_t *frames, size_t h, size_t w, uint32_t nf, int req,
                             uint64_t *stored, int *filter, uint64_t *feat)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.synapt", tu_tmp_dir(), name);
    synapt_writer_options wo = SYNAPT_WRITER_OPTIONS_INIT;
    wo.overwrite = 1;
    wo.deterministic = 1;
    return write_depth_file(path, &wo, frames, h, w, nf, req) &&
           depth_file_facts(path, frames, h * w * nf, nf, feat, filter, stored);
}

static int file_roundtrip(const char *name, const uint16_t *frames, size_t h, size_t w, uint32_t nf,
                          uint64_t *stored, int *filter, uint64_t *feat)
{
    return file_roundtrip_as(name, frames, h, w, nf, SYNAPT_FILTER_AUTO, stored, filter, feat);
}

static void test_writer_choice(void)
{
    /* sensor-like: few distinct values and invalid zeros -> depth_rank */
    enum { H = 48, W = 64, T = 3 };
    static uint16_t fr[T * H * W];
    for (int t = 0; t < T; t++)
        for (int i = 0; i < H * W; i++)
            fr[t * H * W + i] = (rnd() % 9 == 0) ? 0
                                : (uint16_t)(1000 + 9 * ((3 * (i % W) + 2 * (i / W) + t) / 4 + (int)(rnd() % 3)));
    uint64_t stored = 0, feat = 0;
    int filter = -1;
    CHECK(file_roundtrip("choice_sensor", fr, H, W, T, &stored, &filter, &feat));
    CHECK_EQ_INT(filter, SYNAPT_FILTER_DEPTH_RANK);
    CHECK_EQ_INT(feat, 1);
    /* white noise over all 65536 values: nothing beats plain zstd and the
     * chunk says filter none; the file still requires feature 0, since its
     * StreamEntry names depth_rank, which a 1.0 reader would reject */
    for (int i = 0; i < T * H * W; i++) fr[i] = (uint16_t)rnd();
    CHECK(file_roundtrip("choice_noise", fr, H, W, T, &stored, &filter, &feat));
    CHECK_EQ_INT(filter, SYNAPT_FILTER_NONE);
    CHECK_EQ_INT(feat, 1);
    /* asked for depth_med (the 1.0 filter): a 1.0 reader reads it, no feature */
    CHECK(file_roundtrip_as("choice_med", fr, H, W, T, SYNAPT_FILTER_DEPTH_MED, &stored, &filter, &feat));
    CHECK_EQ_INT(feat, 0);
    /* smooth rendered-like frames with more or less noise, a plane and a
     * curved surface: a filter that costs more to decode is kept only when
     * it saves 1/16 over the best cheaper one (none < depth_up < depth_rank
     * < depth_med), and never loses to none. The pixel above predicts a
     * noisy plane as well as MED; on the curved surface, whose vertical
     * slope changes along the row, MED wins. */
    int seen_up = 0, seen_med = 0;
    for (int curved = 0; curved <= 1; curved++)
        for (int amp = 0; amp <= 64; amp = amp ? amp * 2 : 1) {
            for (int t = 0; t < T; t++)
                for (int i = 0; i < H * W; i++) {
                    int x = i % W, y = i / W, n = amp ? (int)(rnd() % (unsigned)amp) : 0;
                    fr[t * H * W + i] = (uint16_t)(curved ? 3000 + x * y * 3 + 40 * t + n : 3000 + 7 * x + 5 * y + t + n);
                }
            uint64_t s_auto, s_none, s_up, s_med, f2;
            int fa, fn, fu, fm;
            char nm[64];
            snprintf(nm, sizeof nm, "margin_%d_%d", curved, amp);
            CHECK(file_roundtrip_as(nm, fr, H, W, T, SYNAPT_FILTER_AUTO, &s_auto, &fa, &f2));
            CHECK(file_roundtrip_as(nm, fr, H, W, T, SYNAPT_FILTER_NONE, &s_none, &fn, &f2));
            CHECK(file_roundtrip_as(nm, fr, H, W, T, SYNAPT_FILTER_DEPTH_UP, &s_up, &fu, &f2));
            CHECK_EQ_INT(fu, SYNAPT_FILTER_DEPTH_UP);
            CHECK_EQ_INT(f2, 4);   /* asked for depth_up: feature bit 2 */
            CHECK(file_roundtrip_as(nm, fr, H, W, T, SYNAPT_FILTER_DEPTH_MED, &s_med, &fm, &f2));
            CHECK(s_auto <= s_none);
            if (fa == SYNAPT_FILTER_NONE) {
                CHECK(s_up >= s_none - s_none / 16);
                CHECK(s_med >= s_none - s_none / 16);
            } else if (fa == SYNAPT_FILTER_DEPTH_UP) {
                seen_up = 1;
                CHECK(s_up < s_none - s_none / 16);
                CHECK(s_auto == s_up);
            } else if (fa == SYNAPT_FILTER_DEPTH_MED) {
                seen_med = 1;
                CHECK(s_med < s_up - s_up / 16);
                CHECK(s_auto == s_med);
            }
        }
    CHECK(seen_up);
    CHECK(seen_med);
}

/* The writer option depth_filter (version 3): DEPTH_MED writes every u16
 * depth chunk with depth_med and requires no feature bit, for files and
 * copies (the copy of a depth_up file is written again); other values,
 * and DEPTH_MED with depth_ans, are refused; a version-2 caller's struct
 * has no such field and is read without it. */
static void test_depth_filter_option(void)
{
    enum { H = 40, W = 64, T = 4 };
    static uint16_t fr[T * H * W];
    for (int i = 0; i < T * H * W; i++) fr[i] = (uint16_t)(2000 + 3 * (i % W) + 2 * (i / W % H) + (int)(rnd() % 5));
    char a[512], b[512], c[512];
    snprintf(a, sizeof a, "%s/dfo_default.synapt", tu_tmp_dir());
    snprintf(b, sizeof b, "%s/dfo_med.synapt", tu_tmp_dir());
    snprintf(c, sizeof c, "%s/dfo_copy.synapt", tu_tmp_dir());
    synapt_writer_options wo = SYNAPT_WRITER_OPTIONS_INIT;
    wo.overwrite = 1;
    uint64_t feat = 99;
    int filter = -1;
    /* the default: this noisy plane takes depth_up (feature bit 2) */
    CHECK(write_depth_file(a, &wo, fr, H, W, T, SYNAPT_FILTER_AUTO));
    CHECK(depth_file_facts(a, fr, (size_t)T * H * W, T, &feat, &filter, NULL));
    CHECK_EQ_INT(filter, SYNAPT_FILTER_DEPTH_UP);
    CHECK(feat & 4);
    /* DEPTH_MED: depth_med, no feature */
    wo.depth_filter = SYNAPT_FILTER_DEPTH_MED;
    CHECK(write_depth_file(b, &wo, fr, H, W, T, SYNAPT_FILTER_AUTO));
    CHECK(depth_file_facts(b, fr, (size_t)T * H * W, T, &feat, &filter, NULL));
    CHECK_EQ_INT(filter, SYNAPT_FILTER_DEPTH_MED);
    CHECK_EQ_INT(feat, 0);
    /* a copy of the depth_up file under DEPTH_MED is written again */
    synapt_reader *src = NULL;
    synapt_writer *wr = NULL;
    CHECK_OK(synapt_reader_open(&src, a, NULL));
    CHECK_OK(synapt_writer_create(&wr, c, &wo, NULL, 0));
    if (src && wr) {
        CHECK_OK(synapt_writer_copy_clip(wr, src, 0, NULL));
        CHECK_OK(synapt_writer_close(wr, NULL, 0));
        CHECK(depth_file_facts(c, fr, (size_t)T * H * W, T, &feat, &filter, NULL));
        CHECK_EQ_INT(filter, SYNAPT_FILTER_DEPTH_MED);
        CHECK_EQ_INT(feat, 0);
    } else if (wr) {
        synapt_writer_abort(wr);
    }
    synapt_reader_close(src);
    /* refused: another filter, or DEPTH_MED with depth_ans */
    wr = NULL;
    wo.depth_filter = SYNAPT_FILTER_SHUFFLE;
    CHECK_EQ_INT(synapt_writer_create(&wr, c, &wo, NULL, 0), SYNAPT_E_INVALID_ARG);
    wo.depth_filter = SYNAPT_FILTER_DEPTH_MED;
    wo.depth_compression = SYNAPT_COMPRESSION_DEPTH_ANS;
    CHECK_EQ_INT(synapt_writer_create(&wr, c, &wo, NULL, 0), SYNAPT_E_INVALID_ARG);
    /* a version-2 struct: the field is not read */
    wo.version = 2;
    wo.depth_compression = SYNAPT_COMPRESSION_AUTO;
    wo.depth_filter = 12345;
    CHECK(write_depth_file(b, &wo, fr, H, W, T, SYNAPT_FILTER_AUTO));
    CHECK(depth_file_facts(b, fr, (size_t)T * H * W, T, &feat, &filter, NULL));
    CHECK_EQ_INT(filter, SYNAPT_FILTER_DEPTH_UP);
}

static void test_real_samples(void)
{
    const char *rd = tu_realdata();
    if (!rd) { tu_skip("test_real_samples", "../shared/realdata not found"); return; }
    for (size_t k = 0; k < REAL_DEPTH_COUNT; k++) {
        char p[1024];
        int w, h;
        uint16_t *v = load_real_depth(rd, k, &w, &h, p, sizeof p);
        if (!v) { CHECK(0); continue; }
        uint64_t stored = 0, feat = 0;
        int filter = -1;
        CHECK(file_roundtrip("real", v, (size_t)h, (size_t)w, 1, &stored, &filter, &feat));
        /* never larger than plain zstd at the writer's level, counting the
         * chunk record's own overhead (24 + 48 + 24 bytes) */
        size_t z = plain_zstd(v, (size_t)w * (size_t)h, 3);
        printf("  %s: stored %llu (filter %d), plain zstd -3 %zu + 96\n", real_depth_files[k], (unsigned long long)stored,
               filter, z);
        CHECK(stored <= z + 96);
        free(v);
    }
}

int main(void)
{
    RUN(test_rank_vector);
    RUN(test_rank_edges);
    RUN(test_rank_corrupt);
    RUN(test_rank_paths);
    RUN(test_up_filter);
    RUN(test_writer_choice);
    RUN(test_depth_filter_option);
    if (tu_realdata()) RUN(test_real_samples);
    else test_real_samples();
    TEST_MAIN_END();
}
