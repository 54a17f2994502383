/* test_cli_fixtures.c - small .synapt files for the CLI tests.
 *
 *   test_cli_fixtures --write DIR   write the fixtures into DIR (exit 0/1),
 *                                   used by tests/t_inspect.sh and t_convert.sh
 *   test_cli_fixtures               write them to $SYNAPT_TEST_TMP and check
 *                                   they read back (PASS/FAIL lines)
 *
 * Every value is a formula of (frame, position) so the shell tests can check
 * exported arrays in numpy without storing expected data:
 *   small.synapt
 *     walk_000  labels walk; train; synthA (synthetic); actor=a01 scene=s1;
 *               meta {"camera":{"fx":500.5,"fy":500.5},"seed":42}; 30/1 fps
 *       rgb     image u8 (6,8,3), 5 frames: (7t + 3y + 5x + c) & 255
 *       depth   depth u16 (6,8), scale 0.001 m: 1000t + 8y + x
 *       pose2d  pose2d f32 (2,17,3) coco17 xyc: t%3 persons (0,1,2,0,1);
 *               1000p + 10j + c + 0.5t
 *       mask    mask u8 (6,8): (x + y + t) % 4
 *       labels  frame_labels i32 (1,): t % 4 - 1 (label ids, -1 = none)
 *       feat    custom f32 (2,3): 100t + i
 *     run_001   labels run, walk; val; ucf101 (real); actor=a02; 30000/1001 fps
 *       depth   depth f32 (4,4), 3 frames: t + 0.25 i
 *     jump_002  labels jump; train; synthA (synthetic); no groups
 *       depth   depth u16 (6,8), 2 frames: 1000t + 8y + x
 *       rgb     image u8 (6,8,3), 2 frames: as above
 *   odd.synapt         one clip whose id, label, split, source, group and
 *                      stream name hold quotes, backslashes, control
 *                      characters, non-ASCII UTF-8 and one invalid byte
 *                      (see ODD_* below); depth u16 (2,2), 1 frame
 *   bad-chunk.synapt   small.synapt with the last payload byte of chunk 0 of
 *                      walk_000/depth flipped (checksum mismatch)
 *   truncated.synapt   the first half of small.synapt
 *   not-synapt.txt     a text file
 *   pose.synapt        one clip c0, pose2d f32 (1,17,3) "pose", 8 frames
 *   pose-persons.synapt  pose.synapt whose index claims 65536 persons
 *                      (checksums made consistent): --to npy once sized a
 *                      25 MiB array of NaN from it and exited 0 */
#include "synapt.h"
#include "testutil.h"

#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>
#include <xxhash.h>

static char g_err[512];

#define TRY(expr) do { int rc_ = (expr); if (rc_ != 0) { \
    fprintf(stderr, "%s:%d: %s: %s (%s)\n", __FILE__, __LINE__, #expr, synapt_strerror(rc_), \
            w ? synapt_writer_errmsg(w) : g_err); goto fail; } } while (0)

static void fill_rgb(uint8_t *f, int t)
{
    for (int y = 0; y < 6; y++)
        for (int x = 0; x < 8; x++)
            for (int c = 0; c < 3; c++) f[(y * 8 + x) * 3 + c] = (uint8_t)((7 * t + 3 * y + 5 * x + c) & 255);
}

static void fill_depth(uint16_t *f, int t)
{
    for (int y = 0; y < 6; y++)
        for (int x = 0; x < 8; x++) f[y * 8 + x] = (uint16_t)(1000 * t + 8 * y + x);
}

static int add(synapt_writer *w, uint32_t *out, const char *name, int kind, int dtype,
               uint32_t ndim, uint64_t d0, uint64_t d1, uint64_t d2, uint32_t fps_num,
               uint32_t fps_den)
{
    synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
    d.name = name;
    d.kind = kind;
    d.dtype = dtype;
    d.codec = SYNAPT_CODEC_RAW;
    d.ndim = ndim;
    d.shape[0] = d0;
    d.shape[1] = d1;
    d.shape[2] = d2;
    d.fps_num = fps_num;
    d.fps_den = fps_den;
    if (kind == SYNAPT_KIND_DEPTH) {
        d.scale = dtype == SYNAPT_DTYPE_U16 ? 0.001 : 1.0;
        d.units = "m";
    }
    if (kind == SYNAPT_KIND_POSE2D) {
        d.skeleton = SYNAPT_SKELETON_COCO17;
        d.channels = SYNAPT_CHANNELS_XYC;
        d.units = "px";
    }
    return synapt_writer_add_stream(out, w, &d);
}

static int write_small(const char *path)
{
    synapt_writer *w = NULL;
    synapt_writer_options o = SYNAPT_WRITER_OPTIONS_INIT;
    o.deterministic = 1;
    o.chunk_max_frames = 2; /* several chunks per stream */
    o.fsync = 0;
    TRY(synapt_writer_create(&w, path, &o, g_err, sizeof g_err));

    uint8_t rgb[6 * 8 * 3];
    uint16_t depth[6 * 8];
    uint32_t s;

    /* clip 0: every array kind */
    {
        const char *labels[] = { "walk" };
        const char *gk[] = { "actor", "scene" }, *gv[] = { "a01", "s1" };
        synapt_clip_desc c = SYNAPT_CLIP_DESC_INIT;
        c.id = "walk_000";
        c.labels = labels;
        c.label_count = 1;
        c.split = "train";
        c.source = "synthA";
        c.synthetic = 1;
        c.group_keys = gk;
        c.group_values = gv;
        c.group_count = 2;
        c.meta_json = "{\"camera\": {\"fx\": 500.5, \"fy\": 500.5}, \"seed\": 42}";
        TRY(synapt_writer_begin_clip(w, &c));
        TRY(add(w, &s, "rgb", SYNAPT_KIND_IMAGE, SYNAPT_DTYPE_U8, 3, 6, 8, 3, 30, 1));
        for (int t = 0; t < 5; t++) {
            fill_rgb(rgb, t);
            TRY(synapt_writer_write_frames(w, s, rgb, sizeof rgb, 1, NULL));
        }
        TRY(add(w, &s, "depth", SYNAPT_KIND_DEPTH, SYNAPT_DTYPE_U16, 2, 6, 8, 0, 30, 1));
        for (int t = 0; t < 5; t++) {
            fill_depth(depth, t);
            TRY(synapt_writer_write_frames(w, s, depth, sizeof depth, 1, NULL));
        }
        TRY(add(w, &s, "pose2d", SYNAPT_KIND_POSE2D, SYNAPT_DTYPE_F32, 3, 2, 17, 3, 30, 1));
        for (int t = 0; t < 5; t++) {
            float pose[2 * 17 * 3];
            uint32_t persons = (uint32_t)(t % 3);
            for (uint32_t p = 0; p < persons; p++)
                for (int j = 0; j < 17; j++)
                    for (int ch = 0; ch < 3; ch++)
                        pose[(p * 17 + (uint32_t)j) * 3 + (uint32_t)ch] =
                            (float)(1000.0 * p + 10.0 * j + ch + 0.5 * t);
            TRY(synapt_writer_write_pose(w, s, pose, persons, SYNAPT_PTS_NONE));
        }
        TRY(add(w, &s, "mask", SYNAPT_KIND_MASK, SYNAPT_DTYPE_U8, 2, 6, 8, 0, 30, 1));
        for (int t = 0; t < 5; t++) {
            uint8_t m[6 * 8];
            for (int y = 0; y < 6; y++)
                for (int x = 0; x < 8; x++) m[y * 8 + x] = (uint8_t)((x + y + t) % 4);
            TRY(synapt_writer_write_frames(w, s, m, sizeof m, 1, NULL));
        }
        TRY(add(w, &s, "labels", SYNAPT_KIND_FRAME_LABELS, SYNAPT_DTYPE_I32, 1, 1, 0, 0, 30, 1));
        for (int t = 0; t < 5; t++) {
            int32_t v = t % 4 - 1; /* ids of walk run jump, -1 none */
            TRY(synapt_writer_write_frames(w, s, &v, sizeof v, 1, NULL));
        }
        TRY(add(w, &s, "feat", SYNAPT_KIND_CUSTOM, SYNAPT_DTYPE_F32, 2, 2, 3, 0, 30, 1));
        for (int t = 0; t < 5; t++) {
            float f[6];
            for (int i = 0; i < 6; i++) f[i] = (float)(100 * t + i);
            TRY(synapt_writer_write_frames(w, s, f, sizeof f, 1, NULL));
        }
        TRY(synapt_writer_end_clip(w));
    }
    /* clip 1: two labels, a real source, NTSC rate, f32 depth */
    {
        const char *labels[] = { "run", "walk" };
        const char *gk[] = { "actor" }, *gv[] = { "a02" };
        synapt_clip_desc c = SYNAPT_CLIP_DESC_INIT;
        c.id = "run_001";
        c.labels = labels;
        c.label_count = 2;
        c.split = "val";
        c.source = "ucf101";
        c.group_keys = gk;
        c.group_values = gv;
        c.group_count = 1;
        TRY(synapt_writer_begin_clip(w, &c));
        TRY(add(w, &s, "depth", SYNAPT_KIND_DEPTH, SYNAPT_DTYPE_F32, 2, 4, 4, 0, 30000, 1001));
        for (int t = 0; t < 3; t++) {
            float d[16];
            for (int i = 0; i < 16; i++) d[i] = (float)(t + 0.25 * i);
            TRY(synapt_writer_write_frames(w, s, d, sizeof d, 1, NULL));
        }
        TRY(synapt_writer_end_clip(w));
    }
    /* clip 2 */
    {
        const char *labels[] = { "jump" };
        synapt_clip_desc c = SYNAPT_CLIP_DESC_INIT;
        c.id = "jump_002";
        c.labels = labels;
        c.label_count = 1;
        c.split = "train";
        c.source = "synthA";
        c.synthetic = 1;
        TRY(synapt_writer_begin_clip(w, &c));
        TRY(add(w, &s, "depth", SYNAPT_KIND_DEPTH, SYNAPT_DTYPE_U16, 2, 6, 8, 0, 30, 1));
        for (int t = 0; t < 2; t++) {
            fill_depth(depth, t);
            TRY(synapt_writer_write_frames(w, s, depth, sizeof depth, 1, NULL));
        }
        TRY(add(w, &s, "rgb", SYNAPT_KIND_IMAGE, SYNAPT_DTYPE_U8, 3, 6, 8, 3, 30, 1));
        for (int t = 0; t < 2; t++) {
            fill_rgb(rgb, t);
            TRY(synapt_writer_write_frames(w, s, rgb, sizeof rgb, 1, NULL));
        }
        TRY(synapt_writer_end_clip(w));
    }
    {
        int rc = synapt_writer_close(w, g_err, sizeof g_err);
        w = NULL;
        TRY(rc);
    }
    return 0;
fail:
    synapt_writer_abort(w);
    return -1;
}

/* Strings a JSON printer must escape; the id also has a raw 0xFF byte,
 * which is not UTF-8 and must come out as U+FFFD. */
#define ODD_ID     "odd \"clip\"\\1\t\xff"
#define ODD_LABEL  "caf\xc3\xa9 \xe2\x9c\x93"
#define ODD_SPLIT  "tr\nain"
#define ODD_SOURCE "src/\x01"
#define ODD_STREAM "d\"epth"

static int write_odd(const char *path)
{
    synapt_writer *w = NULL;
    synapt_writer_options o = SYNAPT_WRITER_OPTIONS_INIT;
    o.deterministic = 1;
    o.fsync = 0;
    TRY(synapt_writer_create(&w, path, &o, g_err, sizeof g_err));
    const char *labels[] = { ODD_LABEL };
    const char *gk[] = { "k\"ey" }, *gv[] = { "v\\al" };
    synapt_clip_desc c = SYNAPT_CLIP_DESC_INIT;
    c.id = ODD_ID;
    c.labels = labels;
    c.label_count = 1;
    c.split = ODD_SPLIT;
    c.source = ODD_SOURCE;
    c.group_keys = gk;
    c.group_values = gv;
    c.group_count = 1;
    c.meta_json = "{\"note\": \"line\\nbreak \\\"q\\\" \\u00e9\", \"n\": [1, 2.5e-3, 12345678901234567890]}";
    TRY(synapt_writer_begin_clip(w, &c));
    uint32_t s;
    TRY(add(w, &s, ODD_STREAM, SYNAPT_KIND_DEPTH, SYNAPT_DTYPE_U16, 2, 2, 2, 0, 25, 1));
    uint16_t d[4] = { 1, 2, 3, 65535 };
    TRY(synapt_writer_write_frames(w, s, d, sizeof d, 1, NULL));
    TRY(synapt_writer_end_clip(w));
    {
        int rc = synapt_writer_close(w, g_err, sizeof g_err);
        w = NULL;
        TRY(rc);
    }
    return 0;
fail:
    synapt_writer_abort(w);
    return -1;
}

static void le32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void le64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static uint64_t rd64(const uint8_t *p) { uint64_t v = 0; for (int i = 7; i >= 0; i--) v = (v << 8) | p[i]; return v; }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

/* Write a one-clip file with a 2D pose stream of one person a frame. */
static int write_pose_file(const char *path)
{
    synapt_writer_options o = SYNAPT_WRITER_OPTIONS_INIT;
    o.fsync = 0;
    synapt_writer *w;
    char err[512];
    if (synapt_writer_create(&w, path, &o, err, sizeof err)) return -1;
    synapt_clip_desc c = SYNAPT_CLIP_DESC_INIT;
    c.id = "c0";
    int rc = synapt_writer_begin_clip(w, &c);
    synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
    d.name = "pose"; d.kind = SYNAPT_KIND_POSE2D; d.dtype = SYNAPT_DTYPE_F32;
    d.ndim = 3; d.shape[1] = 17; d.shape[2] = 3;
    if (!rc) rc = synapt_writer_add_stream(NULL, w, &d);
    float pose[17 * 3];
    for (int f = 0; f < 8 && !rc; f++) {
        for (int k = 0; k < 17 * 3; k++) pose[k] = (float)(k + f);
        rc = synapt_writer_write_pose(w, 0, pose, 1, f);
    }
    if (!rc) rc = synapt_writer_end_clip(w);
    if (rc) { synapt_writer_abort(w); return -1; }
    return synapt_writer_close(w, err, sizeof err) ? -1 : 0;
}

/* Set the pose stream's max_persons in the index of the file image b (n
 * bytes) and re-checksum the index, so that only the value itself is wrong.
 * Offsets from spec/format.md: footer, index body, stream entry. */
static int patch_max_persons(uint8_t *img, size_t n, uint32_t persons)
{
    if (n < 64) return -1;
    uint64_t io = rd64(img + n - 32);
    if (io + 16 > n) return -1;
    uint64_t blen = rd64(img + io + 8);
    if (blen + io + 24 > n) return -1;
    uint8_t *b = img + io + 16;
    int found = 0;
    for (uint32_t i = 0; i < rd32(b + 4); i++) {
        const uint8_t *d = b + 8 + 24 * (size_t)i;
        if (rd32(d) == 3 && rd64(d + 8) + 144 <= blen) { le32(b + rd64(d + 8) + 140, persons); found = 1; }
    }
    le64(b + blen, XXH3_64bits(b, blen));
    return found ? 0 : -1;
}

static int read_file(const char *path, uint8_t **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *data = malloc(n > 0 ? (size_t)n : 1);
    *size = n > 0 ? (size_t)n : 0;
    int ok = *data && fread(*data, 1, *size, f) == *size;
    fclose(f);
    return ok ? 0 : -1;
}

static int write_fixtures(const char *dir)
{
    char small[1024], path[1024];
    uint8_t *data = NULL;
    size_t size = 0;
    synapt_reader *r = NULL;
    synapt_writer *w = NULL; /* for TRY's message */
    mkdir(dir, 0777);
    snprintf(small, sizeof small, "%s/small.synapt", dir);
    if (write_small(small) != 0) return -1;
    snprintf(path, sizeof path, "%s/odd.synapt", dir);
    if (write_odd(path) != 0) return -1;
    if (read_file(small, &data, &size) != 0) {
        fprintf(stderr, "%s: cannot read back: %s\n", small, strerror(errno));
        goto fail;
    }
    /* find walk_000/depth chunk 0 through the index, then damage its last
     * payload byte (the 8 bytes after it are the record checksum) */
    uint64_t clip;
    uint32_t stream;
    synapt_chunk_info ch;
    TRY(synapt_reader_open2(&r, small, NULL, g_err, sizeof g_err));
    TRY(synapt_reader_find_clip(&clip, r, "walk_000"));
    TRY(synapt_reader_find_stream(&stream, r, clip, "depth"));
    TRY(synapt_reader_chunk(&ch, r, clip, stream, 0));
    synapt_reader_close(r);
    r = NULL;
    if (ch.file_offset + ch.record_bytes > size || ch.record_bytes < 9) {
        fprintf(stderr, "%s: chunk offset outside the file\n", small);
        goto fail;
    }
    data[ch.file_offset + ch.record_bytes - 9] ^= 0x5A;
    snprintf(path, sizeof path, "%s/bad-chunk.synapt", dir);
    if (tu_write_file(path, data, size) != 0) goto fail;
    data[ch.file_offset + ch.record_bytes - 9] ^= 0x5A;
    snprintf(path, sizeof path, "%s/truncated.synapt", dir);
    if (tu_write_file(path, data, size / 2) != 0) goto fail;
    snprintf(path, sizeof path, "%s/not-synapt.txt", dir);
    if (tu_write_file(path, "hello, this is not a synapt file\n", 33) != 0) goto fail;
    free(data);
    data = NULL;
    snprintf(path, sizeof path, "%s/pose.synapt", dir);
    if (write_pose_file(path) != 0 || read_file(path, &data, &size) != 0 ||
        patch_max_persons(data, size, 65536) != 0) {
        fprintf(stderr, "%s: cannot write or patch\n", path);
        goto fail;
    }
    snprintf(path, sizeof path, "%s/pose-persons.synapt", dir);
    if (tu_write_file(path, data, size) != 0) goto fail;
    free(data);
    return 0;
fail:
    synapt_reader_close(r);
    free(data);
    return -1;
}

/* ---- self-check when run by tests/run.sh ---- */

static char g_dir[1024];

static void fixtures_written(void)
{
    CHECK(write_fixtures(g_dir) == 0);
}

static void fixtures_read_back(void)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/small.synapt", g_dir);
    synapt_reader *r = NULL;
    CHECK_OK(synapt_reader_open2(&r, path, NULL, g_err, sizeof g_err));
    if (!r) return;
    CHECK_EQ_INT(synapt_reader_clip_count(r), 3);
    CHECK_EQ_INT(synapt_reader_label_count(r), 3);
    uint64_t clip;
    uint32_t s;
    CHECK_OK(synapt_reader_find_clip(&clip, r, "walk_000"));
    CHECK_OK(synapt_reader_find_stream(&s, r, clip, "depth"));
    uint16_t d[5 * 48], want[48];
    size_t got = 0;
    CHECK_OK(synapt_reader_read_frames(d, sizeof d, &got, r, clip, s, 0, 5));
    CHECK_EQ_INT(got, sizeof d);
    fill_depth(want, 4);
    CHECK(memcmp(d + 4 * 48, want, sizeof want) == 0);
    CHECK_OK(synapt_reader_verify(r, NULL, NULL));
    synapt_reader_close(r);

    snprintf(path, sizeof path, "%s/bad-chunk.synapt", g_dir);
    CHECK_OK(synapt_reader_open2(&r, path, NULL, g_err, sizeof g_err));
    if (r) {
        CHECK_EQ_INT(synapt_reader_verify(r, NULL, NULL), SYNAPT_E_CHECKSUM);
        synapt_reader_close(r);
    }
    snprintf(path, sizeof path, "%s/truncated.synapt", g_dir);
    CHECK(synapt_reader_open2(&r, path, NULL, g_err, sizeof g_err) != 0);
    CHECK(r == NULL);

    snprintf(path, sizeof path, "%s/pose.synapt", g_dir);
    CHECK_OK(synapt_reader_open2(&r, path, NULL, g_err, sizeof g_err));
    if (r) {
        CHECK_OK(synapt_reader_verify(r, NULL, NULL));
        synapt_reader_close(r);
    }
    snprintf(path, sizeof path, "%s/pose-persons.synapt", g_dir);
    CHECK_OK(synapt_reader_open2(&r, path, NULL, g_err, sizeof g_err));
    if (r) {
        CHECK_EQ_INT(synapt_reader_verify(r, NULL, NULL), SYNAPT_E_CORRUPT);
        synapt_reader_close(r);
    }
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write") == 0) return write_fixtures(argv[2]) ? 1 : 0;
    if (argc != 1) {
        fprintf(stderr, "usage: test_cli_fixtures [--write DIR]\n");
        return 2;
    }
    snprintf(g_dir, sizeof g_dir, "%s/cli-fixtures", tu_tmp_dir());
    RUN(fixtures_written);
    RUN(fixtures_read_back);
    TEST_MAIN_END();
}
