/* gen_golden.c - writes the golden .synapt files of tests/golden/, derives
 * the golden error files from them, and dumps any file through libsynapt in
 * the same text format as examples/mini_reader.c.
 *
 *   gen_golden write DIR [VIDEO]   write basic/filters/empty(/video).synapt
 *                                  and the err_*.synapt / ok_*.synapt files
 *   gen_golden dump FILE           describe FILE through libsynapt
 *   gen_golden check FILE...       open and verify each FILE through
 *                                  libsynapt; print "NAME CODE" per file
 *   gen_golden fix FILE            recompute every checksum in place (records,
 *                                  the index's chunk checksums, the footer), so
 *                                  a mutated file reaches the structural checks
 *
 * The goldens pin the byte layout: tests/golden/t_golden.sh regenerates them and
 * compares bytes, so a change to the writer that changes the format shows
 * up as a test failure and the goldens must be regenerated deliberately
 * (sh tests/golden/t_golden.sh --update). Everything here is deterministic: fixed
 * UUID, no time, data from closed-form formulas.
 *
 * Not named test_*: it is a tool the golden test drives, not a test. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "synapt.h"

static const uint8_t golden_uuid[16] = {
    0x5e, 0x9a, 0x97, 0x00, 0x60, 0x1d, 0x4e, 0x11, 0x8a, 0x00, 0x67, 0x01, 0xde, 0x00, 0x00, 0x01,
};

#define DIE(...) do { fprintf(stderr, "gen_golden: " __VA_ARGS__); fputc('\n', stderr); exit(1); } while (0)
#define W(call) do { int rc_ = (call); if (rc_) DIE("%s: %s (%s)", #call, \
    synapt_writer_errmsg(w), synapt_strerror(rc_)); } while (0)

/* ---- writing the goldens -------------------------------------------------- */

static synapt_writer *open_writer(const char *path, uint32_t max_frames)
{
    synapt_writer_options o = SYNAPT_WRITER_OPTIONS_INIT;
    o.writer_name = "synapt-golden";
    o.writer_version = "1";     /* not the library version: goldens outlive releases */
    o.uuid = golden_uuid;
    o.deterministic = 1;
    o.chunk_max_frames = max_frames;
    o.fsync = 0;
    synapt_writer *w;
    char err[512];
    int rc = synapt_writer_create(&w, path, &o, err, sizeof err);
    if (rc) DIE("%s", err);
    return w;
}

static void close_writer(synapt_writer *w)
{
    char err[512];
    int rc = synapt_writer_close(w, err, sizeof err);
    if (rc) DIE("%s", err);
}

static uint32_t add_stream(synapt_writer *w, const char *name, int kind, int dtype, uint32_t ndim,
                           uint64_t d0, uint64_t d1, uint64_t d2, int comp, int filt)
{
    synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
    d.name = name;
    d.kind = kind;
    d.dtype = dtype;
    d.codec = SYNAPT_CODEC_RAW;
    d.ndim = ndim;
    d.shape[0] = d0; d.shape[1] = d1; d.shape[2] = d2;
    d.compression = comp;
    d.filter = filt;
    uint32_t idx;
    W(synapt_writer_add_stream(&idx, w, &d));
    return idx;
}

/* The general case: streams of every kind, two chunks per stream, pts on
 * some, labels, groups, metadata, a label no clip uses. */
static void write_basic(const char *path)
{
    synapt_writer *w = open_writer(path, 4);
    W(synapt_writer_add_label(NULL, w, "walk"));

    {   /* clip_a: a synthetic clip with image, depth, mask, pose2d, labels */
        const char *labels[] = { "walk" };
        const char *gk[] = { "actor", "scene" }, *gv[] = { "a01", "s1" };
        synapt_clip_desc c = SYNAPT_CLIP_DESC_INIT;
        c.id = "clip_a";
        c.labels = labels; c.label_count = 1;
        c.split = "train"; c.source = "synth_a"; c.synthetic = 1;
        c.group_keys = gk; c.group_values = gv; c.group_count = 2;
        c.meta_json = "{\"camera\":{\"fx\":50.5,\"fy\":50.5,\"cx\":8,\"cy\":6},"
                      "\"generator\":{\"name\":\"golden\",\"seed\":7},\"note\":\"caf\xc3\xa9\"}";
        W(synapt_writer_begin_clip(w, &c));
        enum { T = 6, H = 12, Wd = 16 };
        synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;

        uint32_t rgb = add_stream(w, "rgb", SYNAPT_KIND_IMAGE, SYNAPT_DTYPE_U8, 3, H, Wd, 3,
                                  SYNAPT_COMPRESSION_AUTO, SYNAPT_FILTER_AUTO);
        static uint8_t img[T][H][Wd][3];
        for (int t = 0; t < T; t++)
            for (int y = 0; y < H; y++)
                for (int x = 0; x < Wd; x++)
                    for (int k = 0; k < 3; k++)
                        img[t][y][x][k] = (uint8_t)(x * 16 + y * 8 + t * 5 + k * 80);
        W(synapt_writer_write_frames(w, rgb, img, sizeof img, T, NULL));

        d.name = "depth"; d.kind = SYNAPT_KIND_DEPTH; d.dtype = SYNAPT_DTYPE_U16; d.codec = SYNAPT_CODEC_RAW;
        d.ndim = 2; d.shape[0] = H; d.shape[1] = Wd; d.scale = 0.001; d.units = "m";
        d.fps_num = 30000; d.fps_den = 1001;
        uint32_t depth;
        W(synapt_writer_add_stream(&depth, w, &d));
        static uint16_t dep[T][H][Wd];
        int64_t pts[T];
        for (int t = 0; t < T; t++) {
            pts[t] = 100 + t;
            for (int y = 0; y < H; y++)
                for (int x = 0; x < Wd; x++) {
                    int v = 1500 + 10 * x + 7 * y + 3 * t + (x > 10 ? 500 : 0);
                    dep[t][y][x] = (uint16_t)((x == 3 && y == 4) ? 0 : v);  /* a hole */
                }
        }
        W(synapt_writer_write_frames(w, depth, dep, sizeof dep, T, pts));

        uint32_t mask = add_stream(w, "mask", SYNAPT_KIND_MASK, SYNAPT_DTYPE_U8, 2, H, Wd, 0,
                                   SYNAPT_COMPRESSION_AUTO, SYNAPT_FILTER_AUTO);
        static uint8_t msk[T][H][Wd];
        for (int t = 0; t < T; t++)
            for (int y = 0; y < H; y++)
                for (int x = 0; x < Wd; x++)
                    msk[t][y][x] = (uint8_t)((x > 4 && x < 12 && y > 2) ? 1 + t % 2 : 0);
        W(synapt_writer_write_frames(w, mask, msk, sizeof msk, T, NULL));

        synapt_stream_desc p = SYNAPT_STREAM_DESC_INIT;
        p.name = "pose2d"; p.kind = SYNAPT_KIND_POSE2D; p.dtype = SYNAPT_DTYPE_F32;
        p.ndim = 3; p.shape[0] = 0; p.shape[1] = 17; p.shape[2] = 3; p.units = "px";
        p.skeleton = SYNAPT_SKELETON_COCO17; p.channels = SYNAPT_CHANNELS_XYC;
        uint32_t pose;
        W(synapt_writer_add_stream(&pose, w, &p));
        for (int t = 0; t < T; t++) {
            float v[2][17][3];
            uint32_t persons = (uint32_t)(t % 3);  /* 0, 1, 2, 0, 1, 2 */
            for (uint32_t q = 0; q < persons; q++)
                for (int j = 0; j < 17; j++) {
                    v[q][j][0] = 10.0f + (float)j + 20.0f * (float)q + 0.5f * (float)t;
                    v[q][j][1] = 5.0f + 0.75f * (float)j;
                    v[q][j][2] = j == 3 ? 0.0f : 0.5f + 0.03125f * (float)j;
                }
            W(synapt_writer_write_pose(w, pose, &v[0][0][0], persons, SYNAPT_PTS_NONE));
        }

        uint32_t fl = add_stream(w, "frame_labels", SYNAPT_KIND_FRAME_LABELS, SYNAPT_DTYPE_I32, 1, 1, 0, 0,
                                 SYNAPT_COMPRESSION_AUTO, SYNAPT_FILTER_AUTO);
        int32_t lab[T] = { -1, 0, 0, 0, 1, 1 };
        W(synapt_writer_write_frames(w, fl, lab, sizeof lab, T, NULL));
        W(synapt_writer_end_clip(w));
    }
    {   /* clip_b: captured, two labels, f32 depth, 3D pose, custom arrays */
        const char *labels[] = { "run", "jump" };
        const char *gk[] = { "actor" }, *gv[] = { "a02" };
        synapt_clip_desc c = SYNAPT_CLIP_DESC_INIT;
        c.id = "clip_b";
        c.labels = labels; c.label_count = 2;
        c.split = "val"; c.source = "real_b"; c.synthetic = 0;
        c.group_keys = gk; c.group_values = gv; c.group_count = 1;
        W(synapt_writer_begin_clip(w, &c));
        enum { T = 5 };

        synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
        d.name = "depth"; d.kind = SYNAPT_KIND_DEPTH; d.dtype = SYNAPT_DTYPE_F32;
        d.ndim = 2; d.shape[0] = 8; d.shape[1] = 8; d.units = "m"; d.fps_num = 15; d.fps_den = 1;
        uint32_t depth;
        W(synapt_writer_add_stream(&depth, w, &d));
        static float dep[T][8][8];
        for (int t = 0; t < T; t++)
            for (int y = 0; y < 8; y++)
                for (int x = 0; x < 8; x++)
                    dep[t][y][x] = 1.25f + 0.0625f * (float)x - 0.03125f * (float)y + 0.001f * (float)t;
        dep[2][0][0] = NAN;   /* no measurement */
        W(synapt_writer_write_frames(w, depth, dep, sizeof dep, T, NULL));

        synapt_stream_desc p = SYNAPT_STREAM_DESC_INIT;
        p.name = "pose3d"; p.kind = SYNAPT_KIND_POSE3D; p.dtype = SYNAPT_DTYPE_F32;
        p.ndim = 3; p.shape[0] = 1; p.shape[1] = 24; p.shape[2] = 3; p.units = "m";
        p.skeleton = SYNAPT_SKELETON_SMPL24; p.channels = SYNAPT_CHANNELS_XYZ; p.fps_num = 15; p.fps_den = 1;
        p.compression = SYNAPT_COMPRESSION_ZSTD_FRAME; p.filter = SYNAPT_FILTER_XOR_PREV;
        uint32_t pose;
        W(synapt_writer_add_stream(&pose, w, &p));
        for (int t = 0; t < T; t++) {
            float v[24][3];
            for (int j = 0; j < 24; j++) {
                v[j][0] = 0.1f * (float)j + 0.01f * (float)t;
                v[j][1] = 1.0f - 0.05f * (float)j;
                v[j][2] = 3.0f + 0.001f * (float)(j * t);
            }
            /* frame 2 has nobody: an empty frame is still a zstd frame (spec 6.3) */
            W(synapt_writer_write_pose(w, pose, &v[0][0], t == 2 ? 0 : 1, 1000 + 2 * t));
        }

        uint32_t imu = add_stream(w, "imu", SYNAPT_KIND_CUSTOM, SYNAPT_DTYPE_I16, 1, 6, 0, 0,
                                  SYNAPT_COMPRESSION_NONE, SYNAPT_FILTER_SHUFFLE);
        int16_t iv[T][6];
        int64_t ipts[T];
        for (int t = 0; t < T; t++) {
            ipts[t] = -2 + t;   /* negative timestamps are legal */
            for (int k = 0; k < 6; k++) iv[t][k] = (int16_t)(k * 1000 - 2500 + t * 7);
        }
        W(synapt_writer_write_frames(w, imu, iv, sizeof iv, T, ipts));

        uint32_t feat = add_stream(w, "feat", SYNAPT_KIND_CUSTOM, SYNAPT_DTYPE_F64, 1, 3, 0, 0,
                                   SYNAPT_COMPRESSION_ZSTD_CHUNK, SYNAPT_FILTER_NONE);
        double fv[T][3];
        for (int t = 0; t < T; t++)
            for (int k = 0; k < 3; k++) fv[t][k] = 1.0 / (double)(t + k + 1);
        W(synapt_writer_write_frames(w, feat, fv, sizeof fv, T, NULL));

        uint32_t m16 = add_stream(w, "mask_instances", SYNAPT_KIND_MASK, SYNAPT_DTYPE_U16, 2, 8, 8, 0,
                                  SYNAPT_COMPRESSION_NONE, SYNAPT_FILTER_DEPTH_MED);
        uint16_t mv[T][8][8];
        for (int t = 0; t < T; t++)
            for (int y = 0; y < 8; y++)
                for (int x = 0; x < 8; x++) mv[t][y][x] = (uint16_t)(x < 4 ? 0 : 300 + (y > 3) + t);
        W(synapt_writer_write_frames(w, m16, mv, sizeof mv, T, NULL));
        W(synapt_writer_end_clip(w));
    }
    {   /* clip_c: no groups, no metadata, bounded BODY-25 pose, (H, W, 1) depth */
        const char *labels[] = { "walk" };
        synapt_clip_desc c = SYNAPT_CLIP_DESC_INIT;
        c.id = "clip_c";
        c.labels = labels; c.label_count = 1;
        c.split = "train"; c.source = "synth_a"; c.synthetic = 1;
        W(synapt_writer_begin_clip(w, &c));
        synapt_stream_desc p = SYNAPT_STREAM_DESC_INIT;
        p.name = "pose2d_openpose"; p.kind = SYNAPT_KIND_POSE2D; p.dtype = SYNAPT_DTYPE_F32;
        p.ndim = 3; p.shape[0] = 2; p.shape[1] = 25; p.shape[2] = 2; p.units = "px";
        p.skeleton = SYNAPT_SKELETON_BODY25; p.channels = SYNAPT_CHANNELS_XY;
        uint32_t pose;
        W(synapt_writer_add_stream(&pose, w, &p));
        for (int t = 0; t < 3; t++) {
            float v[2][25][2];
            uint32_t persons = t == 1 ? 2 : 1;
            for (uint32_t q = 0; q < persons; q++)
                for (int j = 0; j < 25; j++) {
                    v[q][j][0] = 100.0f + (float)(j * 3) + 50.0f * (float)q;
                    v[q][j][1] = 40.0f + (float)(j * 2) - (float)t;
                }
            W(synapt_writer_write_pose(w, pose, &v[0][0][0], persons, SYNAPT_PTS_NONE));
        }
        uint32_t d = add_stream(w, "depth", SYNAPT_KIND_DEPTH, SYNAPT_DTYPE_U16, 3, 4, 4, 1,
                                SYNAPT_COMPRESSION_AUTO, SYNAPT_FILTER_AUTO);
        uint16_t dv[3][4][4][1];
        for (int t = 0; t < 3; t++)
            for (int y = 0; y < 4; y++)
                for (int x = 0; x < 4; x++) dv[t][y][x][0] = (uint16_t)(65530 + x + y - t);  /* wraps in prediction */
        W(synapt_writer_write_frames(w, d, dv, sizeof dv, 3, NULL));
        /* sensor-like depth: few quantized values and invalid zeros, which
         * the writer stores with depth_rank (format 1.1, feature bit 0) */
        uint32_t ds = add_stream(w, "depth_sensor", SYNAPT_KIND_DEPTH, SYNAPT_DTYPE_U16, 2, 16, 32, 0,
                                 SYNAPT_COMPRESSION_AUTO, SYNAPT_FILTER_AUTO);
        static uint16_t sv[2][16][32];
        uint32_t lcg = 12345;
        for (int t = 0; t < 2; t++)
            for (int y = 0; y < 16; y++)
                for (int x = 0; x < 32; x++) {
                    lcg = lcg * 1664525u + 1013904223u;
                    int step = (int)(lcg >> 30);   /* sensor noise: 0..3 quantization steps */
                    sv[t][y][x] = (uint16_t)((lcg >> 8) % 11 == 0 ? 0 : 1200 + 37 * ((x + y + t) / 5 + step));
                }
        W(synapt_writer_write_frames(w, ds, sv, sizeof sv, 2, NULL));
        /* depth stored with compression 3 (depth_ans, format 1.2, feature
         * bit 1), 41 rows (groups of 4 and a remainder of 1), one frame per
         * mode the encoder picks: sensor-like (palette, MED), a rendered
         * floor in 37 mm steps with an object (palette, smooth model), and a curved
         * surface of 3086 distinct values (no palette, smooth model);
         * 96 columns, so that the context tables pay for themselves and the
         * chunk stays depth_ans rather than the zstd alternative */
        uint32_t da = add_stream(w, "depth_ans", SYNAPT_KIND_DEPTH, SYNAPT_DTYPE_U16, 2, 41, 96, 0,
                                 SYNAPT_COMPRESSION_DEPTH_ANS, SYNAPT_FILTER_AUTO);
        static uint16_t av[3][41][96];
        for (int y = 0; y < 41; y++)
            for (int x = 0; x < 96; x++) {
                lcg = lcg * 1664525u + 1013904223u;
                int step = (int)(lcg >> 30);
                av[0][y][x] = (uint16_t)((lcg >> 8) % 13 == 0 ? 0 : x > 60 && y > 6 ? 5000 + 90 * step
                                                                 : 1200 + 37 * ((x + y) / 5 + step));
                av[1][y][x] = (uint16_t)(x > 30 && x < 60 && y > 12 && y < 30 ? 2500 - 37 * (y / 3)
                                                                            : 3000 + 37 * (x / 2 + y / 2));
                av[2][y][x] = (uint16_t)(20000 + 97 * y + 3 * x + x * x / 4);
            }
        W(synapt_writer_write_frames(w, da, av, sizeof av, 3, NULL));
        /* depth stored with compression 4 (depth_strip, format 1.4,
         * feature bit 3): 150 columns, so strips 0-5 are 10 columns wide
         * and 6-15 nine; 63 rows, groups of 4 and a remainder of 3.
         * Frames 0 and 1 are sensor-like, in 41 mm steps: three planes
         * whose pixels flicker between two steps near a step's edge, a
         * round hole and an object's shadow; about 170 distinct values
         * (palette mode). Frame 2 is a plane of 4470 distinct values with
         * +-1 noise (identity mode, which the encoder tries above 4096
         * values). The first row's strip starts (predicted from 0) and a
         * few edges of the object go through the escape stream, one with
         * z = 255 exactly. Big enough that the tables pay for themselves
         * and the chunk stays depth_strip rather than the zstd
         * alternative */
        uint32_t dst = add_stream(w, "depth_strip", SYNAPT_KIND_DEPTH, SYNAPT_DTYPE_U16, 2, 63, 150, 0,
                                  SYNAPT_COMPRESSION_DEPTH_STRIP, SYNAPT_FILTER_AUTO);
        static uint16_t tv[3][63][150];
        for (int t = 0; t < 2; t++)
            for (int y = 0; y < 63; y++)
                for (int x = 0; x < 150; x++) {
                    lcg = lcg * 1664525u + 1013904223u;
                    int ox = x - 75 - 3 * t, sx = x - 70 - 3 * t, dy = y - 31;
                    int object = ox * ox / 4 + dy * dy < 189;
                    int shadow = !object && sx * sx / 4 + dy * dy < 189;
                    int hole = shadow || (x - 20) * (x - 20) + (y - 10) * (y - 10) < 20;
                    /* levels in 1/1000 step; the jitter moves a pixel near
                     * a step's edge to the neighbouring step */
                    int level = object ? 60000 + 160 * x + 50 * dy * dy
                              : y > 42 ? 120000 + 1800 * (63 - y) + 90 * x : 200000 + 620 * x + 260 * y;
                    int jitter = (int)((lcg >> 16) % 601) - 300;
                    tv[t][y][x] = (uint16_t)(hole ? 0 : 900 + 41 * ((level + jitter) / 1000));
                }
        for (int y = 0; y < 63; y++)
            for (int x = 0; x < 150; x++) {
                lcg = lcg * 1664525u + 1013904223u;
                tv[2][y][x] = (uint16_t)(3000 + 40 * x + y / 2 + (int)((lcg >> 16) % 3) - 1);
            }
        W(synapt_writer_write_frames(w, dst, tv, sizeof tv, 3, NULL));
        /* depth asked for with filter 5 (depth_up, format 1.3, feature bit
         * 2): residuals from the pixel above, wrapping around 65535 */
        uint32_t du = add_stream(w, "depth_up", SYNAPT_KIND_DEPTH, SYNAPT_DTYPE_U16, 2, 5, 24, 0,
                                 SYNAPT_COMPRESSION_AUTO, SYNAPT_FILTER_DEPTH_UP);
        static uint16_t uv[2][5][24];
        for (int t = 0; t < 2; t++)
            for (int y = 0; y < 5; y++)
                for (int x = 0; x < 24; x++) uv[t][y][x] = (uint16_t)(65500 + 9 * x - 11 * y + 5 * t + (x == 7 ? 3000 : 0));
        W(synapt_writer_write_frames(w, du, uv, sizeof uv, 2, NULL));
        W(synapt_writer_end_clip(w));
    }
    close_writer(w);
}

static void write_empty(const char *path)
{
    close_writer(open_writer(path, 4));
}

/* A copy of an encoded video stored byte for byte (section 14 of the spec). */
static void write_video(const char *path, const char *src)
{
    synapt_writer *w = open_writer(path, 4);
    const char *labels[] = { "wave" };
    synapt_clip_desc c = SYNAPT_CLIP_DESC_INIT;
    c.id = "video_a";
    c.labels = labels; c.label_count = 1;
    c.split = "test"; c.source = "golden";
    W(synapt_writer_begin_clip(w, &c));
    synapt_video_import_options o = SYNAPT_VIDEO_IMPORT_OPTIONS_INIT;
    o.threads = 1;
    char err[512] = "";
    int rc = synapt_video_import(NULL, w, src, &o, err, sizeof err);
    if (rc) DIE("%s", err);
    synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
    d.name = "frame_labels"; d.kind = SYNAPT_KIND_FRAME_LABELS; d.dtype = SYNAPT_DTYPE_I32;
    d.ndim = 1; d.shape[0] = 1; d.fps_num = 10; d.fps_den = 1;   /* the video's rate */
    uint32_t fl;
    W(synapt_writer_add_stream(&fl, w, &d));
    int32_t lab[8] = { -1, -1, 0, 0, 0, 0, 0, -1 };
    W(synapt_writer_write_frames(w, fl, lab, sizeof lab, 8, NULL));
    W(synapt_writer_end_clip(w));
    close_writer(w);
}

/* ---- golden error files ----------------------------------------------------- */

static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) DIE("%s: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc((size_t)len + 1);
    if (!p || fread(p, 1, (size_t)len, f) != (size_t)len) DIE("%s: read failed", path);
    fclose(f);
    *n = (size_t)len;
    return p;
}

static void spit(const char *dir, const char *name, const uint8_t *p, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) DIE("%s: write failed", path);
}

static uint64_t rd64(const uint8_t *p) { uint64_t v = 0; for (int i = 7; i >= 0; i--) v = v << 8 | p[i]; return v; }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static void wr64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> 8 * i); }
static void wr32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> 8 * i); }

/* Recompute the checksum of the record at `at` after a deliberate edit, so
 * the damage reaches the structural checks behind the checksum. */
static void fix_record(uint8_t *f, uint64_t at)
{
    uint64_t len = rd64(f + at + 8);
    wr64(f + at + 16 + len, XXH3_64bits(f + at + 16, (size_t)len));
}

static void fix_footer(uint8_t *f, size_t n) { wr64(f + n - 16, XXH3_64bits(f + n - 32, 16)); }

/* Offset within the INDEX body of section `id`'s directory entry. */
static uint64_t dir_entry(const uint8_t *body, uint32_t id)
{
    uint32_t n = rd32(body + 4);
    for (uint32_t i = 0; i < n; i++)
        if (rd32(body + 8 + 24 * i) == id) return 8 + 24 * (uint64_t)i;
    DIE("index has no section %u", id);
}

static void write_errors(const char *dir, const char *basic)
{
    size_t n;
    uint8_t *g = slurp(basic, &n);
    uint8_t *f = malloc(n + 64);
    if (!f) DIE("out of memory");
    uint64_t index_at = rd64(g + n - 32);
    uint8_t *ib = NULL;                        /* INDEX body in the copy */
    uint64_t hdr_len = rd64(g + 8 + 8);
    uint64_t chunk0 = 8 + 24 + hdr_len;        /* the first record after HEADER */
    if (rd32(g + chunk0) != 2) DIE("%s: the record after the header is not a chunk", basic);
    uint64_t chunk0_body = rd64(g + chunk0 + 8);

#define COPY() (memcpy(f, g, n), ib = f + index_at + 16)
    /* truncations */
    spit(dir, "err_empty_file.synapt", g, 0);
    spit(dir, "err_trunc_magic.synapt", g, 5);
    spit(dir, "err_trunc_header.synapt", g, 40);
    /* mid-record: + 7 so the cut never falls on a record boundary (records are >= 24 bytes) */
    spit(dir, "err_trunc_half.synapt", g, n / 2 + 7);
    spit(dir, "err_trunc_no_footer.synapt", g, n - 32);
    spit(dir, "err_trunc_footer.synapt", g, n - 5);
    spit(dir, "err_trunc_index.synapt", g, index_at + 100);

    /* magic and version */
    COPY(); f[1] = 's'; spit(dir, "err_magic.synapt", f, n);
    COPY(); f[7] = 2; f[n - 1] = 2; spit(dir, "err_major2.synapt", f, n);

    /* HEADER: a flipped byte in the writer string; feature bits */
    COPY(); f[8 + 16 + 50] ^= 0x20; spit(dir, "err_header_flip.synapt", f, n);
    COPY(); wr64(f + 8 + 16 + 24, 1ull << 40); fix_record(f, 8); spit(dir, "err_feature.synapt", f, n);
    COPY(); wr64(f + 8 + 16 + 32, 1ull << 40); fix_record(f, 8); spit(dir, "ok_optional_feature.synapt", f, n);

    /* CHUNK: a flipped payload byte; an absurd body_len in the prefix; an
     * absurd frame_count behind a recomputed checksum (index updated too) */
    COPY(); f[chunk0 + 16 + chunk0_body - 1] ^= 0x01; spit(dir, "err_chunk_flip.synapt", f, n);
    COPY(); wr64(f + chunk0 + 8, 1ull << 61); spit(dir, "err_chunk_len.synapt", f, n);
    COPY();
    wr32(f + chunk0 + 16 + 16, 0xFFFFFFFFu);
    fix_record(f, chunk0);
    {
        uint64_t d = dir_entry(ib, 4);
        uint8_t *ke = ib + rd64(ib + d + 8);     /* ChunkEntry 0: clip 0 stream 0 chunk 0 */
        if (rd64(ke) != chunk0) DIE("ChunkEntry 0 is not the first chunk");
        wr64(ke + 40, rd64(f + chunk0 + 16 + chunk0_body));
        fix_record(f, index_at);
    }
    spit(dir, "err_chunk_frames.synapt", f, n);

    /* INDEX: a flipped byte; absurd counts and lengths behind a valid checksum */
    COPY(); ib[rd64(ib + dir_entry(ib, 1) + 8) + 2] ^= 0x10; spit(dir, "err_index_flip.synapt", f, n);
    COPY(); wr64(ib + dir_entry(ib, 4) + 16, 1ull << 40); fix_record(f, index_at);
    spit(dir, "err_index_count.synapt", f, n);
    COPY(); wr32(ib + 4, 0xFFFFFFFFu); fix_record(f, index_at); spit(dir, "err_index_dir.synapt", f, n);
    COPY(); wr32(ib + rd64(ib + dir_entry(ib, 1) + 8) + 4, 0x7FFFFFFFu); fix_record(f, index_at);
    spit(dir, "err_index_strref.synapt", f, n);
    COPY(); wr32(ib, 2); fix_record(f, index_at); spit(dir, "err_index_version.synapt", f, n);

    /* footer */
    COPY(); f[n - 32] ^= 0x01; spit(dir, "err_footer_flip.synapt", f, n);
    COPY(); wr64(f + n - 24, 1ull << 62); fix_footer(f, n); spit(dir, "err_footer_len.synapt", f, n);

    /* an unknown private record before the INDEX must be skipped: the
     * INDEX moves, so only the footer's index_offset changes */
    {
        static const char body[] = "private record";
        size_t bl = sizeof body - 1, rl = 24 + bl;
        memcpy(f, g, index_at);
        wr32(f + index_at, 0x80000001u);
        wr32(f + index_at + 4, 0);
        wr64(f + index_at + 8, bl);
        memcpy(f + index_at + 16, body, bl);
        wr64(f + index_at + 16 + bl, XXH3_64bits(body, bl));
        memcpy(f + index_at + rl, g + index_at, n - index_at);
        wr64(f + n + rl - 32, index_at + rl);
        fix_footer(f, n + rl);
        spit(dir, "ok_unknown_record.synapt", f, n + rl);
    }
#undef COPY
    free(f);
    free(g);
}

/* ---- dump: the mini_reader's output, through libsynapt --------------------- */

static void hex16(char *out, uint64_t v) { snprintf(out, 17, "%016" PRIx64, v); }

static const char *nz(const char *s) { return s && *s ? s : "-"; }

static const char *channels_name(int c)
{
    static const char *const names[] = { "-", "xy", "xyc", "xyz", "xyzc" };
    return c >= 0 && c <= 4 ? names[c] : "?";
}

#define R(call) do { int rc_ = (call); if (rc_) { fprintf(stderr, "gen_golden: %s: %s\n", #call, \
    synapt_reader_errmsg(r)); exit(1); } } while (0)

/* XXH3 of the packets of an encoded stream: the chunk payloads, which for
 * compression 0 are the packets back to back. */
static uint64_t packet_hash(const synapt_reader *r, uint64_t clip, uint32_t s, uint64_t nchunks)
{
    XXH3_state_t *st = XXH3_createState();
    XXH3_64bits_reset(st);
    for (uint64_t k = 0; k < nchunks; k++) {
        synapt_chunk_info ki;
        R(synapt_reader_chunk(&ki, r, clip, s, k));
        size_t cap = (size_t)ki.record_bytes, got = 0;
        uint8_t *body = malloc(cap);
        if (!body) DIE("out of memory");
        R(synapt_reader_read_chunk_body(body, cap, &got, r, clip, s, k));
        if (ki.compression != SYNAPT_COMPRESSION_NONE) DIE("dump: compressed packets not supported");
        uint32_t nf = rd32(body + 16);
        uint32_t esz = (uint32_t)body[24] | (uint32_t)body[25] << 8;
        size_t head = 48 + (size_t)nf * esz;
        XXH3_64bits_update(st, body + head, got - head);
        free(body);
    }
    uint64_t h = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    return h;
}

static int dump(const char *path)
{
    synapt_reader *r;
    char err[512];
    int rc = synapt_reader_open2(&r, path, NULL, err, sizeof err);
    if (rc) { fprintf(stderr, "gen_golden: %s\n", err); return 1; }
    synapt_file_info fi;
    R(synapt_reader_file_info(&fi, r));
    printf("format %u.%u writer %s clips %" PRIu64 " labels %" PRIu64 " streams %" PRIu64
           " chunks %" PRIu64 "\n", fi.format_major, fi.format_minor, fi.writer, fi.clip_count,
           fi.label_count, fi.stream_count, fi.chunk_count);
    for (uint32_t l = 0; l < fi.label_count; l++) printf("label %u %s\n", l, synapt_reader_label_name(r, l));
    for (uint64_t c = 0; c < fi.clip_count; c++) {
        synapt_clip_info ci;
        R(synapt_reader_clip(&ci, r, c));
        printf("clip %" PRIu64 " id %s split %s source %s synthetic %d frames %" PRIu64 " labels",
               c, ci.id, nz(ci.split), nz(ci.source), ci.synthetic, ci.frame_count);
        uint32_t ids[64];
        size_t nl = 0;
        R(synapt_reader_clip_labels(ids, 64, &nl, r, c));
        if (!nl) printf(" -");
        for (size_t i = 0; i < nl && i < 64; i++) printf("%s%s", i ? "," : " ", synapt_reader_label_name(r, ids[i]));
        printf(" groups");
        if (!ci.group_count) printf(" -");
        for (uint32_t i = 0; i < ci.group_count; i++) {
            const char *k, *v;
            R(synapt_reader_clip_group(&k, &v, r, c, i));
            printf("%s%s=%s", i ? "," : " ", k, v);
        }
        printf("\n  meta %.*s\n", (int)ci.meta_len, ci.meta_json);
        for (uint32_t s = 0; s < ci.stream_count; s++) {
            synapt_stream_info si;
            R(synapt_reader_stream(&si, r, c, s));
            printf("  stream %u %s kind %s dtype %s codec %s shape", s, si.name, synapt_kind_name(si.kind),
                   synapt_dtype_name(si.dtype), synapt_codec_name(si.codec));
            if (!si.ndim) printf(" -");
            for (uint32_t k = 0; k < si.ndim; k++) printf("%s%" PRIu64, k ? "x" : " ", si.shape[k]);
            synapt_skeleton_info sk;
            const char *skn = !si.skeleton ? "-" : synapt_skeleton_get(&sk, si.skeleton) == 0 ? sk.name : "?";
            printf(" fps %u/%u scale %.17g units %s skeleton %s channels %s\n", si.fps_num, si.fps_den,
                   si.scale, nz(si.units), skn, channels_name(si.channels));
            printf("    compression %d filter %d frames %" PRIu64 " chunks %" PRIu64 " stored %" PRIu64
                   " raw %" PRIu64 "\n", si.compression, si.filter, si.frame_count, si.chunk_count,
                   si.stored_bytes, si.raw_bytes);
            char h[17], ph[17] = "-";
            if (si.raw_bytes > (1u << 30) || si.frame_count > (1u << 24))
                DIE("%s: clip %" PRIu64 " stream %u: too large for a dump", path, c, s);
            if (si.codec == SYNAPT_CODEC_RAW) {
                void *buf = malloc(si.raw_bytes ? (size_t)si.raw_bytes : 1);
                size_t got = 0;
                if (!buf) DIE("out of memory");
                R(synapt_reader_read_frames(buf, (size_t)si.raw_bytes, &got, r, c, s, 0, si.frame_count));
                hex16(h, XXH3_64bits(buf, got));
                free(buf);
                int64_t *pts = malloc((si.frame_count ? si.frame_count : 1) * sizeof *pts);
                if (!pts) DIE("out of memory");
                R(synapt_reader_frame_pts(pts, r, c, s, 0, si.frame_count));
                uint8_t *le = malloc((si.frame_count ? si.frame_count : 1) * 8);
                for (uint64_t i = 0; le && i < si.frame_count; i++) wr64(le + 8 * i, (uint64_t)pts[i]);
                if (!le) DIE("out of memory");
                hex16(ph, XXH3_64bits(le, (size_t)si.frame_count * 8));
                free(le);
                free(pts);
            } else {
                hex16(h, packet_hash(r, c, s, si.chunk_count));
            }
            printf("    data %s pts %s\n", h, ph);
        }
    }
    /* the structural pass: mini_reader (the differential check of
     * t_golden.sh) reads CLIP records and walks records only in --scan, so
     * the full pass's extra checks stay out of the comparison */
    synapt_verify_options vo = SYNAPT_VERIFY_OPTIONS_INIT;
    vo.flags = SYNAPT_VERIFY_QUICK;
    R(synapt_reader_verify2(r, &vo));
    printf("verified\n");
    synapt_reader_close(r);
    return 0;
}

/* ---- check: the error each file gives through libsynapt -------------------- */

static const char *code_name(int rc)
{
    switch (rc) {
    case SYNAPT_OK: return "OK";
    case SYNAPT_E_IO: return "E_IO";
    case SYNAPT_E_NOT_SYNAPT: return "E_NOT_SYNAPT";
    case SYNAPT_E_VERSION: return "E_VERSION";
    case SYNAPT_E_FEATURE: return "E_FEATURE";
    case SYNAPT_E_CORRUPT: return "E_CORRUPT";
    case SYNAPT_E_CHECKSUM: return "E_CHECKSUM";
    case SYNAPT_E_TRUNCATED: return "E_TRUNCATED";
    case SYNAPT_E_LIMIT: return "E_LIMIT";
    case SYNAPT_E_NOMEM: return "E_NOMEM";
    default: return "E_OTHER";
    }
}

static int check(int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        const char *base = strrchr(argv[i], '/');
        base = base ? base + 1 : argv[i];
        synapt_reader *r = NULL;
        char err[512] = "";
        int rc = synapt_reader_open2(&r, argv[i], NULL, err, sizeof err);
        const char *where = "open";
        if (!rc) {
            where = "verify";
            rc = synapt_reader_verify(r, NULL, NULL);
            snprintf(err, sizeof err, "%s", rc ? synapt_reader_errmsg(r) : "");
        }
        printf("%s %s %s\n", base, code_name(rc), rc ? where : "-");
        if (rc) fprintf(stderr, "%s: %s\n", base, err);
        synapt_reader_close(r);
    }
    return 0;
}

/* Best effort over a possibly mutated file: walk the records while their
 * lengths fit, re-hash each body, copy chunk checksums into the ChunkEntries
 * that point at them, then re-hash the index and the footer. */
static int fix(const char *path)
{
    size_t n;
    uint8_t *f = slurp(path, &n);
    if (n < 8 + 24 + 32) { free(f); return 0; }
    uint64_t index_at = rd64(f + n - 32), pos = 8;
    while (pos + 24 <= n - 32) {
        uint64_t len = rd64(f + pos + 8);
        if (len > n - 32 - pos - 24) break;
        if (pos != index_at) fix_record(f, pos);
        pos += 24 + len;
    }
    if (index_at >= 8 && index_at + 24 <= n - 32 && rd32(f + index_at) == 4) {
        uint64_t blen = rd64(f + index_at + 8);
        uint8_t *ib = f + index_at + 16;
        if (blen <= n - 32 - index_at - 24 && blen >= 8) {
            uint32_t ns = rd32(ib + 4);
            for (uint32_t i = 0; i < ns && 8 + 24 * (uint64_t)(i + 1) <= blen; i++) {
                const uint8_t *d = ib + 8 + 24 * i;
                uint64_t off = rd64(d + 8), cnt = rd64(d + 16);
                if (rd32(d) != 4 || rd32(d + 4) < 48 || off > blen || cnt > (blen - off) / rd32(d + 4)) continue;
                for (uint64_t k = 0; k < cnt; k++) {
                    uint8_t *ke = ib + off + k * rd32(d + 4);
                    uint64_t at = rd64(ke), rs = rd64(ke + 8);
                    if (at >= 8 && rs >= 24 && at < n && rs <= n - at) wr64(ke + 40, rd64(f + at + rs - 8));
                }
            }
            fix_record(f, index_at);
        }
    }
    fix_footer(f, n);
    FILE *o = fopen(path, "wb");
    if (!o || fwrite(f, 1, n, o) != n || fclose(o) != 0) DIE("%s: write failed", path);
    free(f);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "write")) {
        char path[4096];
        snprintf(path, sizeof path, "%s/basic.synapt", argv[2]);
        write_basic(path);
        write_errors(argv[2], path);
        snprintf(path, sizeof path, "%s/empty.synapt", argv[2]);
        write_empty(path);
        if (argc >= 4) {
            snprintf(path, sizeof path, "%s/video.synapt", argv[2]);
            write_video(path, argv[3]);
        }
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "dump")) return dump(argv[2]);
    if (argc >= 3 && !strcmp(argv[1], "check")) return check(argc - 2, argv + 2);
    if (argc == 3 && !strcmp(argv[1], "fix")) return fix(argv[2]);
    fprintf(stderr, "usage: gen_golden write DIR [VIDEO] | dump FILE | check FILE... | fix FILE\n");
    return 2;
}
