/* test_errors.c - hostile and damaged files: truncations, flipped bytes in
 * every structure, unknown required features, absurd counts and lengths,
 * configured limits. Each gives its documented code and a message naming
 * the file; none crashes (run under ASan/UBSan too). */
#include <stdint.h>
#include <unistd.h>
#include <xxhash.h>
#include "synapt.h"
#include "testutil.h"

static char ref_path[1024];
static uint8_t *ref;
static size_t ref_n;

static void le64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void le32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static uint64_t rd64(const uint8_t *p) { uint64_t v = 0; for (int i = 7; i >= 0; i--) v = (v << 8) | p[i]; return v; }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

static int make_ref(void)
{
    snprintf(ref_path, sizeof ref_path, "%s/errors_%d_ref.synapt", tu_tmp_dir(), (int)getpid());
    synapt_writer_options o = SYNAPT_WRITER_OPTIONS_INIT;
    o.fsync = 0;
    o.deterministic = 1;
    o.chunk_max_frames = 3;
    synapt_writer *w;
    char err[512];
    if (synapt_writer_create(&w, ref_path, &o, err, sizeof err)) return -1;
    for (int ci = 0; ci < 2; ci++) {
        const char *lab = ci ? "run" : "walk";
        const char *gk = "actor", *gv = "P001";
        synapt_clip_desc c = SYNAPT_CLIP_DESC_INIT;
        c.id = ci ? "v_ApplyEyeMakeup_g08_c01" : "first";
        c.labels = &lab; c.label_count = 1; c.group_keys = &gk; c.group_values = &gv; c.group_count = 1;
        c.meta_json = "{\"k\":1}";
        synapt_writer_begin_clip(w, &c);
        synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
        d.name = "depth"; d.kind = SYNAPT_KIND_DEPTH; d.dtype = SYNAPT_DTYPE_U16; d.ndim = 2; d.shape[0] = 6; d.shape[1] = 5;
        synapt_writer_add_stream(NULL, w, &d);
        synapt_stream_desc dp = SYNAPT_STREAM_DESC_INIT;
        dp.name = "pose"; dp.kind = SYNAPT_KIND_POSE2D; dp.dtype = SYNAPT_DTYPE_F32; dp.ndim = 3; dp.shape[1] = 3; dp.shape[2] = 2;
        synapt_writer_add_stream(NULL, w, &dp);
        synapt_stream_desc dv = SYNAPT_STREAM_DESC_INIT;
        dv.name = "video"; dv.kind = SYNAPT_KIND_VIDEO; dv.codec = SYNAPT_CODEC_H264; dv.ndim = 3;
        dv.shape[0] = 4; dv.shape[1] = 4; dv.shape[2] = 3;
        synapt_writer_add_stream(NULL, w, &dv);
        for (int f = 0; f < 7; f++) {
            uint16_t dep[30];
            for (int k = 0; k < 30; k++) dep[k] = (uint16_t)(500 + k + f * 3);
            synapt_writer_write_frames(w, 0, dep, sizeof dep, 1, NULL);
            float pose[12];
            for (int k = 0; k < 12; k++) pose[k] = (float)(k + f);
            synapt_writer_write_pose(w, 1, pose, (uint32_t)(f % 3), f);
            uint8_t pkt[9] = { (uint8_t)f, 1, 2, 3, 4, 5, 6, 7, 8 };
            synapt_writer_write_packet(w, 2, pkt, 5 + (size_t)(f % 4), f, f, f % 3 == 0 ? SYNAPT_FRAME_KEY : 0);
        }
        synapt_writer_end_clip(w);
    }
    if (synapt_writer_close(w, err, sizeof err)) { printf("  %s\n", err); return -1; }
    FILE *f = fopen(ref_path, "rb");
    if (!f) return -1;
    fseek(f, 0, SEEK_END);
    ref_n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    ref = malloc(ref_n);
    size_t k = fread(ref, 1, ref_n, f);
    fclose(f);
    return k == ref_n ? 0 : -1;
}

/* Open an image from memory; returns the code, message into err. */
static int open_img(synapt_reader **r, const uint8_t *img, size_t n, int verify, char *err, size_t cap)
{
    synapt_reader_options o = SYNAPT_READER_OPTIONS_INIT;
    o.verify_index = verify;
    o.verify_checksums = verify;
    return synapt_reader_open_memory(r, img, n, "bad.synapt", &o, err, cap);
}

/* Touch every public read function; return the first nonzero code (or 0). */
static int walk_all(synapt_reader *r)
{
    int first = 0, rc;
#define NOTE(x) do { rc = (x); if (rc && !first) first = rc; } while (0)
    synapt_file_info fi;
    NOTE(synapt_reader_file_info(&fi, r));
    for (uint64_t l = 0; l < synapt_reader_label_count(r) && l < 100; l++) synapt_reader_label_name(r, (uint32_t)l);
    uint32_t lid;
    synapt_reader_find_label(&lid, r, "run");
    uint64_t ci;
    synapt_reader_find_clip(&ci, r, "first");
    for (uint64_t c = 0; c < synapt_reader_clip_count(r) && c < 50; c++) {
        synapt_clip_info info;
        NOTE(synapt_reader_clip(&info, r, c));
        uint32_t ids[8];
        size_t nl;
        NOTE(synapt_reader_clip_labels(ids, 8, &nl, r, c));
        const char *k, *v;
        synapt_reader_clip_group(&k, &v, r, c, 0);
        uint32_t s;
        synapt_reader_find_stream(&s, r, c, "pose");
        for (uint32_t si = 0; si < 4; si++) {
            synapt_stream_info st;
            if ((rc = synapt_reader_stream(&st, r, c, si))) { if (rc != SYNAPT_E_RANGE) NOTE(rc); continue; }
            uint64_t n = st.packet_count < 64 ? st.packet_count : 64;
            static uint8_t buf[1 << 16];
            size_t wr;
            if (st.codec == SYNAPT_CODEC_RAW && (st.kind == SYNAPT_KIND_POSE2D || st.kind == SYNAPT_KIND_POSE3D)) {
                static float pb[1 << 14];
                uint64_t need = n * 2 * st.shape[1] * st.shape[2];
                if (need <= sizeof pb / sizeof pb[0]) NOTE(synapt_reader_read_pose(pb, need, r, c, si, 0, n, 2));
            }
            rc = synapt_reader_read_packets(r, c, si, 0, n, buf, sizeof buf, &wr);
            if (rc != SYNAPT_E_BUFFER) NOTE(rc);
            if (n > 2) NOTE(synapt_reader_read_packets(r, c, si, 1, 2, buf, sizeof buf, &wr));
            static synapt_frame_entry ents[64];
            NOTE(synapt_reader_frame_entries(ents, r, c, si, 0, n));
            static int64_t pts[64];
            NOTE(synapt_reader_frame_pts(pts, r, c, si, 0, n));
            for (uint64_t k2 = 0; k2 < st.chunk_count && k2 < 16; k2++) {
                synapt_chunk_info chi;
                NOTE(synapt_reader_chunk(&chi, r, c, si, k2));
                size_t sz;
                rc = synapt_reader_read_chunk_body(buf, sizeof buf, &sz, r, c, si, k2);
                if (rc != SYNAPT_E_BUFFER) NOTE(rc);
            }
            uint64_t fc;
            if (n) NOTE(synapt_reader_find_chunk(&fc, r, c, si, n - 1));
        }
    }
    NOTE(synapt_reader_verify(r, NULL, NULL));
#undef NOTE
    return first;
}

static int is_file_error(int rc)
{
    return rc == SYNAPT_E_CORRUPT || rc == SYNAPT_E_CHECKSUM || rc == SYNAPT_E_TRUNCATED || rc == SYNAPT_E_LIMIT ||
           rc == SYNAPT_E_NOT_SYNAPT || rc == SYNAPT_E_VERSION || rc == SYNAPT_E_FEATURE;
}

static void test_reference_is_sound(void)
{
    synapt_reader *r;
    char err[512];
    CHECK_OK(open_img(&r, ref, ref_n, 1, err, sizeof err));
    if (!r) return;
    CHECK_OK(walk_all(r));
    synapt_reader_close(r);
}

static void test_truncations(void)
{
    char err[512];
    size_t cuts[] = { 0, 1, 4, 7, 8, 12, 23, 40, 90, ref_n / 3, ref_n / 2, ref_n - 200, ref_n - 33, ref_n - 32, ref_n - 8, ref_n - 1 };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        synapt_reader *r;
        int rc = open_img(&r, ref, cuts[i], 1, err, sizeof err);
        int want = cuts[i] == 0 ? SYNAPT_E_NOT_SYNAPT : SYNAPT_E_TRUNCATED;
        if (rc != want) printf("  cut at %zu: %d (%s)\n", cuts[i], rc, err);
        CHECK_EQ_INT(rc, want);
        CHECK(r == NULL);
        CHECK(strstr(err, "bad.synapt") != NULL);
    }
    /* a file cut short on disk, through the path API */
    char p[1024];
    snprintf(p, sizeof p, "%s/errors_%d_cut.synapt", tu_tmp_dir(), (int)getpid());
    FILE *f = fopen(p, "wb");
    fwrite(ref, 1, ref_n / 2, f);
    fclose(f);
    synapt_reader *r;
    CHECK_EQ_INT(synapt_reader_open2(&r, p, NULL, err, sizeof err), SYNAPT_E_TRUNCATED);
    CHECK(strstr(err, p) != NULL);
    CHECK_EQ_INT(synapt_reader_open2(&r, "/nonexistent/x.synapt", NULL, err, sizeof err), SYNAPT_E_IO);
    f = fopen(p, "wb");
    fputs("hello, this is plainly text and not a synapt file at all", f);
    fclose(f);
    CHECK_EQ_INT(synapt_reader_open2(&r, p, NULL, err, sizeof err), SYNAPT_E_NOT_SYNAPT);
    unlink(p);
}

static uint64_t index_at(const uint8_t *img, size_t n) { return rd64(img + n - 32); }

/* Recompute the index checksum after patching the index body. */
static void fix_index(uint8_t *img, size_t n)
{
    uint64_t io = index_at(img, n), blen = rd64(img + io + 8);
    le64(img + io + 16 + blen, XXH3_64bits(img + io + 16, blen));
}

/* Pointer to section `id`'s first entry in a patched copy; *count, *es. */
static uint8_t *section(uint8_t *img, size_t n, uint32_t id, uint64_t *count, uint32_t *es, uint8_t **dirent)
{
    uint8_t *b = img + index_at(img, n) + 16;
    uint32_t ns = rd32(b + 4);
    for (uint32_t i = 0; i < ns; i++) {
        uint8_t *d = b + 8 + 24 * i;
        if (rd32(d) == id) {
            if (count) *count = rd64(d + 16);
            if (es) *es = rd32(d + 4);
            if (dirent) *dirent = d;
            return b + rd64(d + 8);
        }
    }
    return NULL;
}

static void test_flips(void)
{
    char err[512];
    uint8_t *img = malloc(ref_n);
    synapt_reader *r;
    uint64_t io = index_at(ref, ref_n);
    /* header body, chunk payload, index body, footer fields */
    struct { size_t at; int open_rc; int walk_rc; } cases[] = {
        { 8 + 16 + 10, SYNAPT_E_CHECKSUM, 0 },          /* uuid byte */
        { 3, SYNAPT_E_NOT_SYNAPT, 0 },                  /* magic */
        { 7, SYNAPT_E_VERSION, 0 },                     /* magic major */
        { (size_t)io + 16 + 300, SYNAPT_E_CHECKSUM, 0 },
        { ref_n - 32 + 2, SYNAPT_E_CHECKSUM, 0 },        /* index offset */
        { ref_n - 32 + 17, SYNAPT_E_CHECKSUM, 0 },       /* footer checksum */
        { ref_n - 3, SYNAPT_E_TRUNCATED, 0 },            /* footer magic */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(img, ref, ref_n);
        img[cases[i].at] ^= 0x40;
        int rc = open_img(&r, img, ref_n, 1, err, sizeof err);
        if (rc != cases[i].open_rc) printf("  flip at %zu: %d (%s)\n", cases[i].at, rc, err);
        CHECK_EQ_INT(rc, cases[i].open_rc);
        synapt_reader_close(r);
    }
    /* a chunk payload byte: open succeeds, the read names clip, stream, chunk */
    memcpy(img, ref, ref_n);
    synapt_reader_options o = SYNAPT_READER_OPTIONS_INIT;
    CHECK_OK(synapt_reader_open_memory(&r, img, ref_n, "clips.synapt", &o, err, sizeof err));
    synapt_chunk_info ci;
    CHECK_OK(synapt_reader_chunk(&ci, r, 1, 0, 1));
    synapt_reader_close(r);
    img[ci.file_offset + 16 + 48 + 3 * 24 + 2] ^= 1;
    CHECK_OK(synapt_reader_open_memory(&r, img, ref_n, "clips.synapt", &o, err, sizeof err));
    if (r) {
        uint16_t buf[30 * 7];
        size_t wr;
        CHECK_OK(synapt_reader_read_frames(buf, sizeof buf, &wr, r, 1, 0, 0, 3));   /* chunk 0 is fine */
        CHECK_EQ_INT(synapt_reader_read_frames(buf, sizeof buf, &wr, r, 1, 0, 2, 3), SYNAPT_E_CHECKSUM);
        const char *m = synapt_reader_errmsg(r);
        CHECK(!strcmp(m, "clips.synapt: clip 1 (v_ApplyEyeMakeup_g08_c01) stream depth chunk 1: checksum mismatch"));
        if (strcmp(m, "clips.synapt: clip 1 (v_ApplyEyeMakeup_g08_c01) stream depth chunk 1: checksum mismatch"))
            printf("  message: %s\n", m);
        CHECK_EQ_INT(synapt_reader_verify(r, NULL, NULL), SYNAPT_E_CHECKSUM);
        synapt_reader_close(r);
    }
    /* without checksum verification the damage is still caught or harmless */
    o.verify_checksums = 0;
    CHECK_OK(synapt_reader_open_memory(&r, img, ref_n, "clips.synapt", &o, err, sizeof err));
    if (r) {
        int rc = walk_all(r);
        CHECK(rc == 0 || is_file_error(rc));
        synapt_reader_close(r);
    }
    free(img);
}

static void test_feature_bit(void)
{
    uint8_t *img = malloc(ref_n);
    memcpy(img, ref, ref_n);
    uint64_t blen = rd64(img + 16);
    img[8 + 16 + 24] |= 0x10;  /* required_features bit 4 (0-3 are known) */
    le64(img + 8 + 16 + blen, XXH3_64bits(img + 24, blen));
    synapt_reader *r;
    char err[512];
    CHECK_EQ_INT(open_img(&r, img, ref_n, 1, err, sizeof err), SYNAPT_E_FEATURE);
    CHECK(strstr(err, "feature") != NULL);
    /* optional features are ignored */
    memcpy(img, ref, ref_n);
    img[8 + 16 + 32] |= 0x4;
    le64(img + 8 + 16 + blen, XXH3_64bits(img + 24, blen));
    CHECK_OK(open_img(&r, img, ref_n, 1, err, sizeof err));
    synapt_reader_close(r);
    free(img);
}

/* Patch one index field, fix the index checksum, expect `open_rc` at open
 * and, when open works, `use_rc` from walking the file. */
static void patch_case(const char *what, uint32_t sec, size_t entry, size_t field, int width, uint64_t value,
                       int open_rc, int use_rc)
{
    uint8_t *img = malloc(ref_n);
    memcpy(img, ref, ref_n);
    uint64_t count;
    uint32_t es;
    uint8_t *d;
    uint8_t *p = section(img, ref_n, sec, &count, &es, &d);
    if (!p) { CHECK(0); free(img); return; }
    uint8_t *at = entry == (size_t)-1 ? d + field : p + entry * es + field;
    if (width == 8) le64(at, value);
    else le32(at, (uint32_t)value);
    fix_index(img, ref_n);
    synapt_reader *r;
    char err[512];
    int rc = open_img(&r, img, ref_n, 1, err, sizeof err);
    if (rc != open_rc) printf("  %s: open gave %d (%s)\n", what, rc, err);
    CHECK_EQ_INT(rc, open_rc);
    if (!rc) {
        rc = walk_all(r);
        if (rc != use_rc) printf("  %s: walk gave %d (%s)\n", what, rc, synapt_reader_errmsg(r));
        CHECK_EQ_INT(rc, use_rc);
        synapt_reader_close(r);
    }
    free(img);
}

static void test_absurd_index(void)
{
    /* directory: counts and entry sizes (field offsets within a dir entry) */
    patch_case("clips count", 1, (size_t)-1, 16, 8, UINT64_MAX / 2, SYNAPT_E_CORRUPT, 0);
    patch_case("strings offset", 9, (size_t)-1, 8, 8, 1ull << 40, SYNAPT_E_CORRUPT, 0);
    patch_case("chunk entry size", 4, (size_t)-1, 4, 4, 8, SYNAPT_E_CORRUPT, 0);
    patch_case("clip ids count", 2, (size_t)-1, 16, 8, 1, SYNAPT_E_CORRUPT, 0);
    /* clip entries */
    patch_case("clip id strref", 1, 1, 0, 4, 0xFFFFFF00u, 0, SYNAPT_E_CORRUPT);
    patch_case("clip stream count", 1, 0, 52, 4, 0x7FFFFFFF, 0, SYNAPT_E_CORRUPT);
    patch_case("clip label first", 1, 1, 32, 4, 0xFFFFFFF0u, 0, SYNAPT_E_CORRUPT);
    patch_case("clip record offset", 1, 0, 64, 8, 1ull << 50, 0, SYNAPT_E_CORRUPT);
    /* stream entries */
    patch_case("stream kind", 3, 1, 8, 4, 77, 0, SYNAPT_E_CORRUPT);
    patch_case("stream shape", 3, 0, 16, 8, 1ull << 62, 0, SYNAPT_E_LIMIT);
    patch_case("stream big frames", 3, 0, 16, 8, 1ull << 31, 0, SYNAPT_E_LIMIT);
    patch_case("stream chunk count", 3, 0, 96, 8, 1ull << 60, 0, SYNAPT_E_CORRUPT);
    patch_case("stream frames", 3, 0, 80, 8, 1000, 0, SYNAPT_E_CORRUPT);
    /* readers size pose arrays by it: verify must catch a wrong one */
    patch_case("stream max persons", 3, 1, 140, 4, 65536, 0, SYNAPT_E_CORRUPT);
    patch_case("stream max persons low", 3, 1, 140, 4, 1, 0, SYNAPT_E_CORRUPT);
    /* chunk entries */
    patch_case("chunk record size", 4, 1, 8, 8, 1ull << 62, 0, SYNAPT_E_CORRUPT);
    patch_case("chunk offset", 4, 1, 0, 8, 3, 0, SYNAPT_E_CORRUPT);
    patch_case("chunk first frame", 4, 1, 16, 8, 99, 0, SYNAPT_E_CORRUPT);
    patch_case("chunk raw", 4, 0, 32, 8, 1ull << 40, 0, SYNAPT_E_LIMIT);
    patch_case("chunk checksum", 4, 2, 40, 8, 12345, 0, SYNAPT_E_CHECKSUM);
    /* labels and hash tables */
    patch_case("clip label id", 7, 0, 0, 4, 999, 0, SYNAPT_E_CORRUPT);
    patch_case("label strref", 5, 0, 4, 4, 1u << 30, 0, SYNAPT_E_CORRUPT);
    patch_case("clip id hash", 2, 0, 0, 8, 42, 0, SYNAPT_E_CORRUPT);
}

/* A header with 6000 bytes of future fields (longer than the first read):
 * readers ignore them. Every absolute offset moves by the inserted size. */
static void test_long_header(void)
{
    const size_t extra = 6000;
    uint64_t blen = rd64(ref + 16);
    size_t n = ref_n + extra, hend = 8 + 16 + (size_t)blen;
    uint8_t *img = calloc(1, n);
    memcpy(img, ref, hend);
    memcpy(img + hend + extra + 8, ref + hend + 8, ref_n - hend - 8);
    le64(img + 16, blen + extra);
    le64(img + hend + extra, XXH3_64bits(img + 24, blen + extra));
    uint64_t count;
    uint32_t es;
    /* the footer first, so section() finds the moved index */
    uint8_t *foot = img + n - 32;
    le64(foot, rd64(foot) + extra);
    le64(foot + 16, XXH3_64bits(foot, 16));
    uint8_t *p = section(img, n, 4, &count, &es, NULL);
    for (uint64_t i = 0; p && i < count; i++) le64(p + i * es, rd64(p + i * es) + extra);
    p = section(img, n, 1, &count, &es, NULL);
    for (uint64_t i = 0; p && i < count; i++) le64(p + i * es + 64, rd64(p + i * es + 64) + extra);
    fix_index(img, n);
    synapt_reader *r;
    char err[512];
    int rc = open_img(&r, img, n, 1, err, sizeof err);
    if (rc) printf("  %s\n", err);
    CHECK_OK(rc);
    if (r) {
        CHECK_OK(walk_all(r));
        synapt_file_info fi;
        synapt_reader_file_info(&fi, r);
        CHECK(!strncmp(fi.writer, "libsynapt", 9));
        synapt_reader_close(r);
    }
    free(img);
}

static void test_limits(void)
{
    synapt_reader *r;
    char err[512];
    synapt_reader_options o = SYNAPT_READER_OPTIONS_INIT;
    o.limits.max_index_bytes = 100;
    CHECK_EQ_INT(synapt_reader_open_memory(&r, ref, ref_n, NULL, &o, err, sizeof err), SYNAPT_E_LIMIT);
    CHECK(strstr(err, "<memory>") != NULL);
    o = (synapt_reader_options)SYNAPT_READER_OPTIONS_INIT;
    o.limits.max_frame_bytes = 16;
    CHECK_OK(synapt_reader_open_memory(&r, ref, ref_n, NULL, &o, err, sizeof err));
    if (r) {
        synapt_stream_info st;
        CHECK_EQ_INT(synapt_reader_stream(&st, r, 0, 0), SYNAPT_E_LIMIT);   /* 60-byte depth frames */
        CHECK_OK(synapt_reader_stream(&st, r, 0, 2));                        /* packets: no fixed size */
        uint8_t buf[256];
        size_t wr;
        CHECK_EQ_INT(synapt_reader_read_packets(r, 0, 2, 0, 3, buf, sizeof buf, &wr), 0);
        synapt_reader_close(r);
    }
    o = (synapt_reader_options)SYNAPT_READER_OPTIONS_INIT;
    o.limits.max_chunk_bytes = 64;
    CHECK_OK(synapt_reader_open_memory(&r, ref, ref_n, NULL, &o, err, sizeof err));
    if (r) {
        uint16_t buf[30];
        size_t wr;
        CHECK_EQ_INT(synapt_reader_read_frames(buf, sizeof buf, &wr, r, 0, 0, 0, 1), SYNAPT_E_LIMIT);
        synapt_reader_close(r);
    }
    o = (synapt_reader_options)SYNAPT_READER_OPTIONS_INIT;
    o.limits.max_streams_per_clip = 2;
    o.limits.max_string_bytes = 3;
    CHECK_OK(synapt_reader_open_memory(&r, ref, ref_n, NULL, &o, err, sizeof err));
    if (r) {
        synapt_clip_info ci;
        CHECK_EQ_INT(synapt_reader_clip(&ci, r, 0), SYNAPT_E_LIMIT);
        synapt_reader_close(r);
    }
    o = (synapt_reader_options)SYNAPT_READER_OPTIONS_INIT;
    o.version = 99;
    CHECK_EQ_INT(synapt_reader_open_memory(&r, ref, ref_n, NULL, &o, err, sizeof err), SYNAPT_E_INVALID_ARG);
    /* a 0.3 program's version-1 struct has no video_threads: not read */
    o = (synapt_reader_options)SYNAPT_READER_OPTIONS_INIT;
    o.version = 1;
    o.video_threads = -5;
    CHECK_OK(synapt_reader_open_memory(&r, ref, ref_n, NULL, &o, err, sizeof err));
    synapt_reader_close(r);
    o.version = 2;
    CHECK_EQ_INT(synapt_reader_open_memory(&r, ref, ref_n, NULL, &o, err, sizeof err), SYNAPT_E_INVALID_ARG);
    CHECK(strstr(err, "video_threads") != NULL);
    /* a version-2 struct ends before map_file: whatever follows is not read */
    o = (synapt_reader_options)SYNAPT_READER_OPTIONS_INIT;
    o.version = 2;
    o.map_file = 12345;
    CHECK_OK(synapt_reader_open_memory(&r, ref, ref_n, NULL, &o, err, sizeof err));
    synapt_reader_close(r);
    o.video_threads = 65;
    CHECK_EQ_INT(synapt_reader_open_memory(&r, ref, ref_n, NULL, &o, err, sizeof err), SYNAPT_E_INVALID_ARG);
}

/* Flip every byte of the file in turn (and a few multi-byte patterns);
 * open without checksum checks and use everything: only error codes,
 * never a crash, hang or sanitizer report. */
static void test_every_byte(void)
{
    uint8_t *img = malloc(ref_n);
    int bad = 0, opened = 0, clean = 0;
    for (size_t i = 0; i < ref_n; i++) {
        for (int pat = 0; pat < 2; pat++) {
            memcpy(img, ref, ref_n);
            if (pat == 0) img[i] ^= 0x01;
            else img[i] = 0xff;
            synapt_reader *r;
            char err[512];
            int rc = open_img(&r, img, ref_n, 0, err, sizeof err);
            if (rc) {
                if (!is_file_error(rc)) { bad++; printf("  byte %zu: open %d\n", i, rc); }
                continue;
            }
            opened++;
            rc = walk_all(r);
            clean += rc == 0;
            if (rc && !is_file_error(rc) && rc != SYNAPT_E_RANGE && rc != SYNAPT_E_BUFFER && rc != SYNAPT_E_INVALID_ARG) {
                bad++;
                printf("  byte %zu: walk %d %s\n", i, rc, synapt_reader_errmsg(r));
            }
            synapt_reader_close(r);
        }
    }
    printf("  %zu damaged images: %d opened, %d read without error\n", 2 * ref_n, opened, clean);
    CHECK_EQ_INT(bad, 0);
    free(img);
}

int main(void)
{
    if (make_ref()) {
        printf("FAIL make_ref: cannot write the reference file\n");
        return 1;
    }
    RUN(test_reference_is_sound);
    RUN(test_truncations);
    RUN(test_flips);
    RUN(test_feature_bit);
    RUN(test_absurd_index);
    RUN(test_long_header);
    RUN(test_limits);
    RUN(test_every_byte);
    unlink(ref_path);
    free(ref);
    TEST_MAIN_END();
}
