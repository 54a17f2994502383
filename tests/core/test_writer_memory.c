/* test_writer_memory.c - the memory writer (synapt_writer_create_memory,
 * synapt_writer_close_memory): the same bytes as a file writer for the same
 * calls, its limit, its allocator, and the calls that do not mix with it. */
#include <dirent.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>
#include "synapt.h"
#include "testutil.h"

static char tmp_path[1024];
static const char *tpath(const char *name)
{
    snprintf(tmp_path, sizeof tmp_path, "%s/wmem_%d_%s", tu_tmp_dir(), (int)getpid(), name);
    return tmp_path;
}

static synapt_writer_options wopts(int deterministic)
{
    synapt_writer_options o = SYNAPT_WRITER_OPTIONS_INIT;
    o.fsync = 0;
    o.deterministic = deterministic;
    o.chunk_max_frames = 4;
    return o;
}

/* Three clips touching each record kind and a header feature bit (depth
 * stored with DEPTH_ANS sets one, patched into the header at close). */
static int emit(synapt_writer *w, int clips)
{
    int rc = synapt_writer_add_label(NULL, w, "walk");
    for (int ci = 0; ci < clips && !rc; ci++) {
        char id[32];
        snprintf(id, sizeof id, "clip%02d", ci);
        const char *labels[1] = { "walk" };
        synapt_clip_desc c = SYNAPT_CLIP_DESC_INIT;
        c.id = id;
        c.labels = labels;
        c.label_count = 1;
        c.split = "train";
        c.meta_json = "{\"n\":1}";
        if ((rc = synapt_writer_begin_clip(w, &c)))
            break;
        synapt_stream_desc dd = SYNAPT_STREAM_DESC_INIT;
        dd.name = "depth"; dd.kind = SYNAPT_KIND_DEPTH; dd.dtype = SYNAPT_DTYPE_U16; dd.ndim = 2;
        dd.shape[0] = 24; dd.shape[1] = 32; dd.scale = 0.001; dd.units = "m";
        dd.compression = SYNAPT_COMPRESSION_DEPTH_ANS;
        synapt_stream_desc dp = SYNAPT_STREAM_DESC_INIT;
        dp.name = "pose"; dp.kind = SYNAPT_KIND_POSE2D; dp.dtype = SYNAPT_DTYPE_F32; dp.ndim = 3;
        dp.shape[1] = 17; dp.shape[2] = 3; dp.skeleton = SYNAPT_SKELETON_COCO17; dp.channels = SYNAPT_CHANNELS_XYC;
        synapt_stream_desc dv = SYNAPT_STREAM_DESC_INIT;
        static const uint8_t extra[] = { 1, 0x64, 0, 0x1f, 0xff, 0xe1, 0 };
        dv.name = "rgb"; dv.kind = SYNAPT_KIND_VIDEO; dv.codec = SYNAPT_CODEC_H264; dv.ndim = 3;
        dv.shape[0] = 120; dv.shape[1] = 160; dv.shape[2] = 3; dv.fps_num = 25; dv.fps_den = 1;
        dv.extradata = extra; dv.extradata_size = sizeof extra; dv.codec_config = "{\"pix_fmt\":\"yuv420p\"}";
        uint32_t sd, sp, sv;
        if ((rc = synapt_writer_add_stream(&sd, w, &dd)) || (rc = synapt_writer_add_stream(&sp, w, &dp)) ||
            (rc = synapt_writer_add_stream(&sv, w, &dv)))
            break;
        for (uint32_t f = 0; f < 10 && !rc; f++) {
            uint16_t dep[24 * 32];
            for (int k = 0; k < 24 * 32; k++)
                dep[k] = (uint16_t)(k % 7 == 0 ? 0 : 900 + (k % 32) * 5 + (k / 32) * 3 + f + (uint32_t)ci);
            float pose[17 * 3];
            for (int k = 0; k < 17 * 3; k++)
                pose[k] = (float)(k * 0.5 + f);
            uint8_t pkt[200];
            for (size_t k = 0; k < sizeof pkt; k++)
                pkt[k] = (uint8_t)(k * 13 + f + (uint32_t)ci);
            rc = synapt_writer_write_frames(w, sd, dep, sizeof dep, 1, NULL);
            if (!rc) rc = synapt_writer_write_pose(w, sp, pose, 1, SYNAPT_PTS_NONE);
            if (!rc) rc = synapt_writer_write_packet(w, sv, pkt, 50 + f * 15, f, f, f % 5 ? 0 : SYNAPT_FRAME_KEY);
        }
        if (!rc) rc = synapt_writer_end_clip(w);
    }
    return rc;
}

/* Any entry of the test folder whose name starts with prefix? */
static int left_with_prefix(const char *prefix)
{
    DIR *d = opendir(tu_tmp_dir());
    struct dirent *e;
    int found = 0;
    while (d && (e = readdir(d)))
        if (!strncmp(e->d_name, prefix, strlen(prefix))) found = 1;
    if (d) closedir(d);
    return found;
}

static void test_same_bytes_as_file(void)
{
    char p[1024];
    snprintf(p, sizeof p, "%s", tpath("file.synapt"));
    synapt_writer_options o = wopts(1);
    synapt_writer *w = NULL;
    char err[512] = "";
    CHECK_OK(synapt_writer_create(&w, p, &o, err, sizeof err));
    CHECK_OK(emit(w, 3));
    CHECK_OK(synapt_writer_close(w, err, sizeof err));
    uint8_t *disk = NULL;
    size_t ndisk = 0;
    CHECK_OK(tu_read_file(p, &disk, &ndisk));
    CHECK_OK(synapt_writer_create_memory(&w, "scratch", 0, &o, err, sizeof err));
    CHECK_OK(emit(w, 3));
    void *img = NULL;
    size_t nimg = 0;
    CHECK_OK(synapt_writer_close_memory(w, &img, &nimg, err, sizeof err));
    CHECK(img != NULL);
    CHECK_EQ_INT(nimg, ndisk);
    CHECK(img && disk && nimg == ndisk && !memcmp(img, disk, nimg));
    /* the image reads, verifies (checksums, header feature bits patched)
     * and copies into a file writer as any file does */
    synapt_reader *r = NULL;
    CHECK_OK(synapt_reader_open_memory(&r, img, nimg, "scratch", NULL, err, sizeof err));
    if (r) {
        synapt_file_info fi;
        CHECK_OK(synapt_reader_file_info(&fi, r));
        CHECK_EQ_INT(fi.clip_count, 3);
        CHECK(fi.required_features != 0);
        CHECK_OK(synapt_reader_verify(r, NULL, NULL));
        uint16_t back[24 * 32];
        size_t got = 0;
        CHECK_OK(synapt_reader_read_frames(back, sizeof back, &got, r, 2, 0, 9, 1));
        CHECK_EQ_INT(back[1], 900 + 5 + 9 + 2);
        synapt_reader_close(r);
    }
    free(img);
    free(disk);
    unlink(p);
    /* not deterministic: a random uuid, and the feature bits patched into
     * the header without the uuid pass */
    synapt_writer_options nd = wopts(0);
    CHECK_OK(synapt_writer_create_memory(&w, NULL, 0, &nd, err, sizeof err));
    CHECK_OK(emit(w, 1));
    CHECK_OK(synapt_writer_close_memory(w, &img, &nimg, err, sizeof err));
    CHECK_OK(synapt_reader_open_memory(&r, img, nimg, NULL, NULL, err, sizeof err));
    if (r) {
        CHECK_OK(synapt_reader_verify(r, NULL, NULL));
        synapt_reader_close(r);
    }
    free(img);
}

static void test_limit(void)
{
    synapt_writer_options o = wopts(1);
    synapt_writer *w = NULL;
    char err[512] = "";
    /* a limit below the header: create itself fails, naming the writer */
    CHECK_EQ_INT(synapt_writer_create_memory(&w, "tiny", 16, &o, err, sizeof err), SYNAPT_E_LIMIT);
    CHECK(w == NULL);
    CHECK(strstr(err, "tiny") != NULL);
    /* a limit reached while clips are written: _LIMIT, then poisoned */
    CHECK_OK(synapt_writer_create_memory(&w, "clip x", 4000, &o, err, sizeof err));
    int rc = emit(w, 3);
    CHECK_EQ_INT(rc, SYNAPT_E_LIMIT);
    CHECK(strstr(synapt_writer_errmsg(w), "clip x") != NULL);
    CHECK(strstr(synapt_writer_errmsg(w), "4000") != NULL);
    CHECK_EQ_INT(synapt_writer_end_clip(w), SYNAPT_E_LIMIT);
    void *img = (void *)1;
    size_t n = 7;
    CHECK_EQ_INT(synapt_writer_close_memory(w, &img, &n, err, sizeof err), SYNAPT_E_LIMIT);
    CHECK(img == NULL);
    CHECK_EQ_INT(n, 0);
    /* exactly the size it needs is enough */
    CHECK_OK(synapt_writer_create_memory(&w, NULL, 0, &o, err, sizeof err));
    CHECK_OK(emit(w, 3));
    CHECK_OK(synapt_writer_close_memory(w, &img, &n, err, sizeof err));
    free(img);
    CHECK_OK(synapt_writer_create_memory(&w, NULL, n, &o, err, sizeof err));
    CHECK_OK(emit(w, 3));
    size_t n2 = 0;
    CHECK_OK(synapt_writer_close_memory(w, &img, &n2, err, sizeof err));
    CHECK_EQ_INT(n2, n);
    free(img);
    CHECK_OK(synapt_writer_create_memory(&w, NULL, n - 1, &o, err, sizeof err));
    rc = emit(w, 3);
    if (!rc) rc = synapt_writer_close_memory(w, &img, &n2, err, sizeof err);
    else synapt_writer_abort(w);
    CHECK_EQ_INT(rc, SYNAPT_E_LIMIT);
}

static int live;
static void *a_malloc(void *u, size_t n) { (void)u; live++; return malloc(n); }
static void *a_realloc(void *u, void *p, size_t n)
{
    (void)u;
    void *q = realloc(p, n);
    if (!p && q) live++;
    return q;
}
static void a_free(void *u, void *p) { (void)u; if (p) live--; free(p); }

static void test_allocator_and_misuse(void)
{
    synapt_allocator al = { a_malloc, a_realloc, a_free, NULL };
    synapt_writer_options o = wopts(1);
    o.allocator = &al;
    synapt_writer *w = NULL;
    char err[512] = "";
    live = 0;
    CHECK_OK(synapt_writer_create_memory(&w, NULL, 0, &o, err, sizeof err));
    CHECK_OK(emit(w, 2));
    void *img = NULL;
    size_t n = 0;
    CHECK_OK(synapt_writer_close_memory(w, &img, &n, err, sizeof err));
    CHECK_EQ_INT(live, 1);   /* the image, the caller's now */
    a_free(NULL, img);
    CHECK_EQ_INT(live, 0);
    /* close() and abort() on a memory writer discard its image */
    CHECK_OK(synapt_writer_create_memory(&w, NULL, 0, &o, err, sizeof err));
    CHECK_OK(emit(w, 1));
    CHECK_OK(synapt_writer_close(w, err, sizeof err));
    CHECK_EQ_INT(live, 0);
    CHECK_OK(synapt_writer_create_memory(&w, NULL, 0, &o, err, sizeof err));
    synapt_writer_abort(w);
    CHECK_EQ_INT(live, 0);
    /* close_memory on a file writer: _STATE, the writer freed, no file and
     * no temporary left */
    char p[1024];
    snprintf(p, sizeof p, "%s", tpath("notmem.synapt"));
    CHECK_OK(synapt_writer_create(&w, p, &o, err, sizeof err));
    CHECK_EQ_INT(synapt_writer_close_memory(w, &img, &n, err, sizeof err), SYNAPT_E_STATE);
    CHECK(strstr(err, "not a memory writer") != NULL);
    CHECK(img == NULL);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "wmem_%d_notmem", (int)getpid());
    CHECK(!left_with_prefix(prefix));
    CHECK_EQ_INT(live, 0);
    /* arguments */
    CHECK_EQ_INT(synapt_writer_create_memory(NULL, NULL, 0, NULL, err, sizeof err), SYNAPT_E_INVALID_ARG);
    CHECK_EQ_INT(synapt_writer_close_memory(NULL, &img, &n, err, sizeof err), SYNAPT_E_INVALID_ARG);
    CHECK_OK(synapt_writer_create_memory(&w, NULL, 0, NULL, err, sizeof err));
    CHECK_EQ_INT(synapt_writer_close_memory(w, NULL, &n, err, sizeof err), SYNAPT_E_INVALID_ARG);
    o.version = 99;
    CHECK_EQ_INT(synapt_writer_create_memory(&w, "v", 0, &o, err, sizeof err), SYNAPT_E_INVALID_ARG);
    CHECK(!strncmp(err, "v: ", 3));
}

int main(void)
{
    RUN(test_same_bytes_as_file);
    RUN(test_limit);
    RUN(test_allocator_and_misuse);
    TEST_MAIN_END();
}
