/* test_depth_ans.c - compression 3, depth_ans (spec/format.md 6.4): a
 * known-answer payload pinning the layout, round trips on edge frames
 * (group remainders of the four-row order, 1xN, Nx1, zeros, 65535, both
 * palette modes), rejection of every truncation and of damaged tables,
 * random bytes that never crash, the writer and reader path (feature bit
 * 1, format 1.2, single frames read alone, verify, refused combinations),
 * and the size target on the real depth samples in ../shared/realdata. */
#include <stdint.h>
#include "internal.h" /* white box: the depth_ans coder (sy_dans_*) is private */
#include "testutil.h"
#include "png16.h"
#include "depth_files.h"

static uint64_t seed = 0x2545F4914F6CDD1Dull;
static uint32_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return (uint32_t)(seed >> 11);
}

static void *dec_scratch;
static int modes_seen[4];   /* payload mode bytes met by roundtrip() */

/* encode + decode; the payload length through *len (may be NULL) */
static int roundtrip(const uint16_t *v, size_t npix, size_t width, size_t *len)
{
    size_t n = npix * 2, k = 0;
    uint8_t *src = malloc(n), *enc = malloc(sy_dans_bound(n)), *back = malloc(n);
    void *scr = malloc(sy_dans_scratch(n));
    for (size_t i = 0; i < npix; i++) sy_wr16(src + 2 * i, v[i]);
    int ok = !sy_dans_encode(enc, &k, src, n, width, scr) && k <= sy_dans_bound(n) &&
             !sy_dans_decode(back, n, width, enc, k, dec_scratch) && !memcmp(back, src, n);
    if (len) *len = k;
    if (k && enc[0] < 4) modes_seen[enc[0]] = 1;
    free(src); free(enc); free(back); free(scr);
    return ok;
}

/* Two frames and their payloads as this encoder writes them: a 3x5 of
 * sensor-like values (palette, MED), and a 5x6 slanted plane with a step
 * (palette, smooth model). Any encoder may choose other tables; these
 * bytes must always decode to these frames. */
static const uint16_t kat_sensor_frame[15] = { 0, 0, 900, 900, 901,
                                               0, 900, 900, 901, 901,
                                               900, 900, 901, 901, 65535 };
static uint16_t kat_smooth_frame[30];
#include "depth_ans_kat.inc"   /* kat_sensor[], kat_smooth[] */

static void kat_one(const char *name, const uint16_t *v, size_t h, size_t w, const uint8_t *pinned, size_t plen,
                    int mode)
{
    size_t n = h * w * 2, k = 0;
    uint8_t src[64], enc[1024], back[64];
    for (size_t i = 0; i < h * w; i++) sy_wr16(src + 2 * i, v[i]);
    void *scr = malloc(sy_dans_scratch(n));
    CHECK_OK(sy_dans_encode(enc, &k, src, n, w, scr));
    free(scr);
    printf("  %s: payload %zu bytes:", name, k);
    for (size_t i = 0; i < k; i++) printf(" 0x%02x,", enc[i]);
    printf("\n");
    CHECK_EQ_INT(enc[0], mode);
    CHECK_EQ_INT(k, plen);
    CHECK(k == plen && !memcmp(enc, pinned, k));
    CHECK_OK(sy_dans_decode(back, n, w, pinned, plen, dec_scratch));
    CHECK(!memcmp(back, src, n));
}

static void test_known_answer(void)
{
    for (int y = 0; y < 5; y++)
        for (int x = 0; x < 6; x++) kat_smooth_frame[y * 6 + x] = (uint16_t)(x > 3 && y > 2 ? 700 : 1000 + 30 * x + 7 * y);
    kat_one("sensor", kat_sensor_frame, 3, 5, kat_sensor, sizeof kat_sensor, 0);
    kat_one("smooth", kat_smooth_frame, 5, 6, kat_smooth, sizeof kat_smooth, 2);
    /* mode 0: P-1 = 3; palette 0, gaps 899, 0, 64633 (LEB128) */
    const uint8_t head[] = { 0, 3, 0, 0x83, 0x07, 0, 0xF9, 0xF8, 0x03 };
    CHECK(!memcmp(kat_sensor, head, sizeof head));
}

static void test_edges(void)
{
    enum { MAXN = 70 * 70 };
    static uint16_t v[MAXN];
    /* groups of four rows with remainders 0..3, one row, one column */
    const size_t shapes[][2] = { { 1, 64 }, { 64, 1 }, { 7, 13 }, { 13, 7 }, { 64, 64 }, { 3, 3 }, { 1, 1 },
                                 { 2, 2 }, { 4, 8 }, { 5, 9 }, { 6, 2 }, { 9, 16 }, { 70, 70 }, { 8, 3 } };
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        size_t h = shapes[s][0], w = shapes[s][1], n = h * w;
        for (int kind = 0; kind < 7; kind++) {
            for (size_t i = 0; i < n; i++) {
                size_t x = i % w, y = i / w;
                switch (kind) {
                case 0: v[i] = 0; break;
                case 1: v[i] = 65535; break;
                case 2: v[i] = (x + y) % 2 ? 65535 : 0; break;
                case 3: v[i] = (uint16_t)rnd(); break;                      /* > 1024 values: mode 1 tried */
                case 4: v[i] = (uint16_t)(20000 + 37 * x + 11 * y); break;  /* a ramp */
                case 5: v[i] = rnd() % 7 == 0 ? 0 : (uint16_t)(800 + 4 * ((x + 2 * y) / 3) + rnd() % 2); break;
                default: v[i] = (uint16_t)(i * 4099u); break;               /* all distinct in 70x70 */
                }
            }
            int ok = roundtrip(v, n, w, NULL);
            if (!ok) printf("  shape %zux%zu kind %d failed\n", h, w, kind);
            CHECK(ok);
        }
    }
    /* every mode came up: palette or not, sensor or smooth model */
    for (int m = 0; m < 4; m++) {
        if (!modes_seen[m]) printf("  mode %d never chosen\n", m);
        CHECK(modes_seen[m]);
    }
    /* frames that are not rows of width: refused by both sides */
    uint8_t src[24] = { 0 }, enc[1024], back[24];
    void *scr = malloc(sy_dans_scratch(24));
    size_t k;
    CHECK(sy_dans_encode(enc, &k, src, 24, 5, scr) != 0);
    CHECK(sy_dans_encode(enc, &k, src, 23, 1, scr) != 0);
    CHECK(sy_dans_encode(enc, &k, src, 24, 0, scr) != 0);
    CHECK_OK(sy_dans_encode(enc, &k, src, 24, 4, scr));
    CHECK(sy_dans_decode(back, 24, 5, enc, k, dec_scratch) != 0);
    CHECK(sy_dans_decode(back, 24, 0, enc, k, dec_scratch) != 0);
    free(scr);
}

static void test_corrupt(void)
{
    enum { H = 24, W = 40, N = H * W * 2 };
    static uint16_t v[H * W];
    for (int i = 0; i < H * W; i++)
        v[i] = rnd() % 11 == 0 ? 0 : (uint16_t)(1500 + 3 * ((i % W) + (i / W)) + (int)(rnd() % 300 == 0) * 900);
    uint8_t src[N], back[N];
    for (int i = 0; i < H * W; i++) sy_wr16(src + 2 * i, v[i]);
    uint8_t *enc = malloc(sy_dans_bound(N)), *bad = malloc(sy_dans_bound(N) + 8);
    void *scr = malloc(sy_dans_scratch(N));
    size_t k = 0;
    CHECK_OK(sy_dans_encode(enc, &k, src, N, W, scr));
    CHECK_OK(sy_dans_decode(back, N, W, enc, k, dec_scratch));
    CHECK(!memcmp(back, src, N));
    /* every truncation and one byte too many fail */
    int accepted = 0;
    for (size_t cut = 0; cut < k; cut++) accepted += !sy_dans_decode(back, N, W, enc, cut, dec_scratch);
    CHECK_EQ_INT(accepted, 0);
    memcpy(bad, enc, k);
    bad[k] = 0;
    CHECK(sy_dans_decode(back, N, W, bad, k + 1, dec_scratch) != 0);
    /* mode 2 is reserved; a palette larger than 65536 entries */
    memcpy(bad, enc, k);
    bad[0] = 2;
    CHECK(sy_dans_decode(back, N, W, bad, k, dec_scratch) != 0);
    memcpy(bad, enc, k);
    bad[1] = 0xFF; bad[2] = 0xFF; bad[3] = 0x04;   /* P-1 = 81919 */
    CHECK(sy_dans_decode(back, N, W, bad, k, dec_scratch) != 0);
    /* every single-byte change: no crash, and most are caught (the chunk
     * checksum catches the rest in a file) */
    int caught = 0, tried = 0;
    for (size_t i = 0; i < k; i++) {
        memcpy(bad, enc, k);
        bad[i] ^= (uint8_t)(1u << (rnd() % 8));
        tried++;
        caught += sy_dans_decode(back, N, W, bad, k, dec_scratch) != 0;
    }
    printf("  %d of %d one-bit changes rejected by the decoder alone\n", caught, tried);
    CHECK(caught * 2 > tried);
    /* random payloads */
    for (int t = 0; t < 3000; t++) {
        size_t len = 1 + rnd() % 600;
        for (size_t i = 0; i < len; i++) bad[i] = (uint8_t)rnd();
        bad[0] = (uint8_t)(rnd() % 2);
        (void)sy_dans_decode(back, N, W, bad, len, dec_scratch);
    }
    free(enc); free(bad); free(scr);
}

/* ---- through the writer and reader -------------------------------------- */

static int g_wdepth = SYNAPT_COMPRESSION_AUTO;   /* writer option depth_compression */

static const char *write_file(const char *name, const uint16_t *frames, size_t h, size_t w, uint32_t nf, int comp,
                              int filter, int dtype)
{
    return depth_file_write(name, frames, h, w, nf, comp, filter, dtype, g_wdepth);
}

static void test_file(void)
{
    /* sensor-like frames large enough for depth_ans to beat zstd */
    enum { H = 96, W = 128, T = 7 };
    static uint16_t fr[T * H * W];
    for (int t = 0; t < T; t++)
        for (int i = 0; i < H * W; i++)
            fr[t * H * W + i] = rnd() % 9 == 0 ? 0
                                : (uint16_t)(1000 + 9 * ((3 * (i % W) + 2 * (i / W) + t) / 4 + (int)(rnd() % 3)));
    const char *p = write_file("ans", fr, H, W, T, SYNAPT_COMPRESSION_DEPTH_ANS, SYNAPT_FILTER_AUTO, SYNAPT_DTYPE_U16);
    CHECK(p != NULL);
    if (!p) return;
    synapt_reader *r = NULL;
    CHECK_OK(synapt_reader_open(&r, p, NULL));
    if (!r) return;
    synapt_file_info fi;
    CHECK_OK(synapt_reader_file_info(&fi, r));
    CHECK_EQ_INT(fi.format_minor, SYNAPT_FORMAT_MINOR);
    CHECK_EQ_INT(fi.required_features, 2);
    synapt_chunk_info ci;
    CHECK_OK(synapt_reader_chunk(&ci, r, 0, 0, 1));
    CHECK_EQ_INT(ci.compression, SYNAPT_COMPRESSION_DEPTH_ANS);
    CHECK_EQ_INT(ci.filter, SYNAPT_FILTER_NONE);
    size_t fb = H * W * 2, got = 0;
    uint8_t *back = malloc(fb * T);
    CHECK_OK(synapt_reader_read_frames(back, fb * T, &got, r, 0, 0, 0, T));
    CHECK(got == fb * T && !memcmp(back, fr, fb * T));
    /* one frame from the middle of a chunk, alone */
    CHECK_OK(synapt_reader_read_frames(back, fb, &got, r, 0, 0, 4, 1));
    CHECK(got == fb && !memcmp(back, fr + 4 * H * W, fb));
    CHECK_OK(synapt_reader_verify(r, NULL, NULL));
    free(back);
    synapt_reader_close(r);
    /* tiny frames: the tables cost more than they save, and the chunk takes
     * the default zstd path instead (spec 7.4), which a full verification
     * accepts in a depth_ans stream (rule V6) */
    enum { h = 6, wd = 10 };
    static uint16_t tiny[3 * h * wd];
    for (int i = 0; i < 3 * h * wd; i++) tiny[i] = (uint16_t)(700 + 3 * (i % wd));
    p = write_file("ans_tiny", tiny, h, wd, 3, SYNAPT_COMPRESSION_DEPTH_ANS, SYNAPT_FILTER_AUTO, SYNAPT_DTYPE_U16);
    CHECK(p != NULL);
    if (p && !synapt_reader_open(&r, p, NULL)) {
        synapt_stream_info si;
        CHECK_OK(synapt_reader_stream(&si, r, 0, 0));
        CHECK_EQ_INT(si.compression, SYNAPT_COMPRESSION_DEPTH_ANS);
        CHECK_OK(synapt_reader_chunk(&ci, r, 0, 0, 0));
        CHECK_EQ_INT(ci.compression, SYNAPT_COMPRESSION_ZSTD_FRAME);
        uint16_t back16[3 * h * wd];
        CHECK_OK(synapt_reader_read_frames(back16, sizeof back16, &got, r, 0, 0, 0, 3));
        CHECK(got == sizeof back16 && !memcmp(back16, tiny, sizeof tiny));
        CHECK_OK(synapt_reader_verify(r, NULL, NULL));
        synapt_reader_close(r);
    }
    /* the writer-wide option: a stream left to AUTO gets depth_ans */
    g_wdepth = SYNAPT_COMPRESSION_DEPTH_ANS;
    p = write_file("ans_opt", fr, H, W, 2, SYNAPT_COMPRESSION_AUTO, SYNAPT_FILTER_AUTO, SYNAPT_DTYPE_U16);
    g_wdepth = SYNAPT_COMPRESSION_AUTO;
    CHECK(p != NULL);
    if (p && !synapt_reader_open(&r, p, NULL)) {
        CHECK_OK(synapt_reader_chunk(&ci, r, 0, 0, 0));
        CHECK_EQ_INT(ci.compression, SYNAPT_COMPRESSION_DEPTH_ANS);
        synapt_reader_close(r);
    }
    /* options of version 1 (no depth_compression field) are still taken;
     * a depth_compression other than AUTO, ZSTD_FRAME or DEPTH_ANS is not */
    synapt_writer_options wo = SYNAPT_WRITER_OPTIONS_INIT;
    synapt_writer *wr = NULL;
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/v1.synapt", tu_tmp_dir());
    wo.version = 1;
    wo.depth_compression = 12345;   /* not a version 1 field: never read */
    CHECK_OK(synapt_writer_create(&wr, path, &wo, err, sizeof err));
    if (wr) synapt_writer_abort(wr);
    wo.version = SYNAPT_WRITER_OPTIONS_VERSION;
    wo.depth_compression = SYNAPT_COMPRESSION_ZSTD_CHUNK;
    wr = NULL;
    CHECK_EQ_INT(synapt_writer_create(&wr, path, &wo, err, sizeof err), SYNAPT_E_INVALID_ARG);
    CHECK(wr == NULL);
    /* refused: a filter with it, f32 depth */
    CHECK(!write_file("ans_f", fr, H, W, 1, SYNAPT_COMPRESSION_DEPTH_ANS, SYNAPT_FILTER_SHUFFLE, SYNAPT_DTYPE_U16));
    static float ff[H * W];
    CHECK(!write_file("ans_f32", (const uint16_t *)(void *)ff, H, W, 1, SYNAPT_COMPRESSION_DEPTH_ANS,
                      SYNAPT_FILTER_AUTO, SYNAPT_DTYPE_F32));
}

/* Issue 14's size target: at least 2x smaller than the 16-bit PNG file. */
static void test_real_samples(void) { depth_real_samples("depth_ans", roundtrip); }

int main(void)
{
    dec_scratch = malloc(sy_dans_dec_scratch());
    RUN(test_known_answer);
    RUN(test_edges);
    RUN(test_corrupt);
    RUN(test_file);
    if (tu_realdata()) RUN(test_real_samples);
    else test_real_samples();
    free(dec_scratch);
    TEST_MAIN_END();
}
