/* test_recover.c - synapt_recover(): salvaging the clips of unfinished and
 * damaged files by a forward scan (spec/format.md section 13). */
#include <dirent.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "synapt.h"
#include "testutil.h"

static char src[1024], dst[1024], cut[1024];
static uint8_t *orig;
static size_t orig_n;

static uint64_t rd64(const uint8_t *p) { uint64_t v = 0; for (int i = 7; i >= 0; i--) v = (v << 8) | p[i]; return v; }

static void save(const char *p, const uint8_t *b, size_t n)
{
    FILE *f = fopen(p, "wb");
    fwrite(b, 1, n, f);
    fclose(f);
}

static int make_src(void)
{
    synapt_writer_options o = SYNAPT_WRITER_OPTIONS_INIT;
    o.fsync = 0;
    o.deterministic = 1;
    o.chunk_max_frames = 4;
    synapt_writer *w;
    char err[512];
    if (synapt_writer_create(&w, src, &o, err, sizeof err)) return -1;
    for (int ci = 0; ci < 4; ci++) {
        char id[32];
        snprintf(id, sizeof id, "clip_%d", ci);
        const char *labels[2] = { ci & 1 ? "odd" : "even", "any" };
        const char *gk = "actor", *gv = ci < 2 ? "A" : "B";
        synapt_clip_desc c = SYNAPT_CLIP_DESC_INIT;
        c.id = id; c.labels = labels; c.label_count = 2; c.split = ci == 3 ? "test" : "train"; c.source = "unit";
        c.synthetic = 1; c.group_keys = &gk; c.group_values = &gv; c.group_count = 1;
        c.meta_json = "{\"fps\":29.97,\"note\":\"caf\\u00e9\",\"n\":[1,2.5,-3e-7]}";
        synapt_writer_begin_clip(w, &c);
        synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
        d.name = "depth"; d.kind = SYNAPT_KIND_DEPTH; d.dtype = SYNAPT_DTYPE_U16; d.ndim = 2; d.shape[0] = 8; d.shape[1] = 9;
        d.scale = 0.00025; d.units = "m";
        synapt_writer_add_stream(NULL, w, &d);
        synapt_stream_desc dp = SYNAPT_STREAM_DESC_INIT;
        dp.name = "pose"; dp.kind = SYNAPT_KIND_POSE3D; dp.dtype = SYNAPT_DTYPE_F32; dp.ndim = 3; dp.shape[1] = 4; dp.shape[2] = 3;
        dp.skeleton = SYNAPT_SKELETON_NTU25; dp.channels = SYNAPT_CHANNELS_XYZ;
        synapt_writer_add_stream(NULL, w, &dp);
        synapt_stream_desc dv = SYNAPT_STREAM_DESC_INIT;
        static const uint8_t ex[] = { 1, 2, 0, 3 };
        dv.name = "video"; dv.kind = SYNAPT_KIND_VIDEO; dv.codec = SYNAPT_CODEC_H264; dv.ndim = 3;
        dv.shape[0] = 4; dv.shape[1] = 6; dv.shape[2] = 3; dv.extradata = ex; dv.extradata_size = sizeof ex;
        dv.codec_config = "{\"time_base\":[1,90000]}"; dv.fps_num = 30000; dv.fps_den = 1001;
        synapt_writer_add_stream(NULL, w, &dv);
        for (int f = 0; f < 6 + ci; f++) {
            uint16_t dep[72];
            for (int k = 0; k < 72; k++) dep[k] = (uint16_t)(100 * ci + k + f);
            int64_t pts = f * 3;
            synapt_writer_write_frames(w, 0, dep, sizeof dep, 1, &pts);
            float pose[24];
            for (int k = 0; k < 24; k++) pose[k] = (float)(k * 0.5 + f);
            synapt_writer_write_pose(w, 1, pose, (uint32_t)(f % 3), SYNAPT_PTS_NONE);
            uint8_t pkt[16] = { (uint8_t)f, (uint8_t)ci };
            synapt_writer_write_packet(w, 2, pkt, 4 + (size_t)f, f, f, f % 3 == 0 ? SYNAPT_FRAME_KEY : 0);
        }
        synapt_writer_set_video_info(w, 2, (uint64_t)(5 + ci), NULL);
        synapt_writer_end_clip(w);
    }
    if (synapt_writer_close(w, err, sizeof err)) { printf("  %s\n", err); return -1; }
    return tu_read_file(src, &orig, &orig_n);
}

static int recover(const uint8_t *img, size_t n, synapt_recover_report *rep, char *err, size_t cap)
{
    save(cut, img, n);
    unlink(dst);
    synapt_writer_options o = SYNAPT_WRITER_OPTIONS_INIT;
    o.fsync = 0;
    o.deterministic = 1;
    o.chunk_max_frames = 4;
    return synapt_recover(rep, cut, dst, &o, NULL, NULL, err, cap);
}

static void test_unfinished_file(void)
{
    /* what a writer killed just before writing its index leaves */
    uint64_t io = rd64(orig + orig_n - 32);
    synapt_recover_report rep;
    char err[512];
    int rc = recover(orig, (size_t)io, &rep, err, sizeof err);
    if (rc) printf("  %s\n", err);
    CHECK_OK(rc);
    CHECK_EQ_INT(rep.clips_kept, 4);
    CHECK_EQ_INT(rep.clips_dropped, 0);
    CHECK_EQ_INT(rep.orphan_chunks, 0);
    CHECK_EQ_INT(rep.stopped_early, 0);
    CHECK_EQ_INT(rep.had_index, 0);
    CHECK_EQ_INT(rep.bytes_scanned, io);
    /* same calls, same options, deterministic: the very same bytes */
    uint8_t *back;
    size_t bn;
    CHECK_OK(tu_read_file(dst, &back, &bn));
    CHECK_EQ_INT(bn, orig_n);
    CHECK(bn == orig_n && !memcmp(back, orig, bn));
    free(back);
    synapt_reader *r;
    CHECK_OK(synapt_reader_open(&r, dst, NULL));
    if (r) {
        CHECK_OK(synapt_reader_verify(r, NULL, NULL));
        synapt_reader_close(r);
    }
}

static void test_complete_file(void)
{
    synapt_recover_report rep;
    char err[512];
    CHECK_OK(recover(orig, orig_n, &rep, err, sizeof err));
    CHECK_EQ_INT(rep.clips_kept, 4);
    CHECK_EQ_INT(rep.had_index, 1);
    CHECK_EQ_INT(rep.stopped_early, 0);
}

static int log_lines;
static void count_log(void *u, int level, const char *msg)
{
    (void)u;
    if (level == 0) log_lines++;
    if (!msg || !*msg) log_lines += 1000;
}

static void test_cut_mid_clip(void)
{
    synapt_reader *r;
    CHECK_OK(synapt_reader_open(&r, src, NULL));
    if (!r) return;
    synapt_chunk_info ki;
    CHECK_OK(synapt_reader_chunk(&ki, r, 2, 1, 0));   /* a chunk of clip 2 */
    synapt_reader_close(r);
    synapt_recover_report rep;
    char err[512];
    size_t at = (size_t)(ki.file_offset + ki.record_bytes / 2);
    save(cut, orig, at);
    unlink(dst);
    log_lines = 0;
    CHECK_OK(synapt_recover(&rep, cut, dst, NULL, count_log, NULL, err, sizeof err));
    CHECK_EQ_INT(rep.clips_kept, 2);
    CHECK_EQ_INT(rep.stopped_early, 1);
    CHECK(rep.orphan_chunks > 0);
    CHECK_EQ_INT(log_lines, 1);   /* the torn record */
    CHECK_OK(synapt_reader_open(&r, dst, NULL));
    if (r) {
        CHECK_EQ_INT(synapt_reader_clip_count(r), 2);
        uint64_t idx;
        CHECK_OK(synapt_reader_find_clip(&idx, r, "clip_1"));
        CHECK_EQ_INT(synapt_reader_find_clip(&idx, r, "clip_2"), SYNAPT_E_NOT_FOUND);
        CHECK_OK(synapt_reader_verify(r, NULL, NULL));
        /* the salvaged data is the original data */
        synapt_reader *o;
        CHECK_OK(synapt_reader_open(&o, src, NULL));
        for (uint32_t s = 0; o && s < 3; s++) {
            synapt_stream_info a, b;
            CHECK_OK(synapt_reader_stream(&a, o, 1, s));
            CHECK_OK(synapt_reader_stream(&b, r, 1, s));
            CHECK_EQ_INT(a.frame_count, b.frame_count);
            CHECK_EQ_INT(a.packet_count, b.packet_count);
            CHECK_EQ_INT(a.max_persons, b.max_persons);
            CHECK_EQ_INT(a.has_pts, b.has_pts);
            CHECK(a.scale == b.scale);
            uint8_t x[4096], y[4096];
            size_t nx, ny;
            CHECK_OK(synapt_reader_read_packets(o, 1, s, 0, a.packet_count, x, sizeof x, &nx));
            CHECK_OK(synapt_reader_read_packets(r, 1, s, 0, b.packet_count, y, sizeof y, &ny));
            CHECK(nx == ny && !memcmp(x, y, nx));
        }
        synapt_reader_close(o);
        synapt_reader_close(r);
    }
}

static void test_damaged_chunk(void)
{
    synapt_reader *r;
    CHECK_OK(synapt_reader_open(&r, src, NULL));
    if (!r) return;
    synapt_chunk_info ki;
    CHECK_OK(synapt_reader_chunk(&ki, r, 1, 0, 1));
    synapt_reader_close(r);
    uint8_t *img = malloc(orig_n);
    memcpy(img, orig, orig_n);
    img[ki.file_offset + 16 + 60] ^= 0x10;
    synapt_recover_report rep;
    char err[512];
    CHECK_OK(recover(img, orig_n, &rep, err, sizeof err));
    CHECK_EQ_INT(rep.clips_kept, 1);
    CHECK_EQ_INT(rep.stopped_early, 1);
    CHECK_EQ_INT(rep.bytes_scanned, ki.file_offset);
    free(img);
}

static void test_nothing_to_recover(void)
{
    synapt_recover_report rep;
    char err[512];
    const uint8_t text[] = "just some text, no magic here";
    CHECK_EQ_INT(recover(text, sizeof text, &rep, err, sizeof err), SYNAPT_E_NOT_SYNAPT);
    struct stat sb;
    CHECK(stat(dst, &sb) != 0);
    CHECK(strstr(err, cut) != NULL);
    /* magic but a damaged header */
    uint8_t *img = malloc(orig_n);
    memcpy(img, orig, orig_n);
    img[8 + 16 + 3] ^= 1;
    CHECK_EQ_INT(recover(img, orig_n, &rep, err, sizeof err), SYNAPT_E_CORRUPT);
    CHECK(stat(dst, &sb) != 0);
    /* just the magic and the header: an empty but valid file */
    uint64_t hb = rd64(orig + 16);
    CHECK_OK(recover(orig, (size_t)(8 + 24 + hb), &rep, err, sizeof err));
    CHECK_EQ_INT(rep.clips_kept, 0);
    CHECK_EQ_INT(synapt_recover(&rep, "/nonexistent/x.synapt", dst, NULL, NULL, NULL, err, sizeof err), SYNAPT_E_IO);
    free(img);
}

/* Every truncation point: never a crash, and the kept clips always read. */
static void test_every_cut(void)
{
    int bad = 0;
    uint64_t last = 0;
    for (size_t n = 0; n <= orig_n; n += 1 + n / 97) {
        synapt_recover_report rep;
        char err[512];
        int rc = recover(orig, n, &rep, err, sizeof err);
        if (rc) continue;
        if (rep.clips_kept < last) bad++;   /* more file never recovers less */
        last = rep.clips_kept;
        synapt_reader *r;
        if (synapt_reader_open(&r, dst, NULL) || synapt_reader_verify(r, NULL, NULL)) bad++;
        synapt_reader_close(r);
    }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(last, 4);
}

/* Damage anywhere (a sample of bytes, both before and inside the index):
 * recovery never crashes, and what it writes always verifies. */
static void test_flips(void)
{
    uint8_t *img = malloc(orig_n);
    int bad = 0, ok = 0;
    for (size_t i = 0; i < orig_n; i += 37) {
        memcpy(img, orig, orig_n);
        img[i] ^= (uint8_t)(1u << (i % 8));
        synapt_recover_report rep;
        char err[512];
        if (recover(img, orig_n, &rep, err, sizeof err)) continue;
        ok++;
        synapt_reader *r;
        if (synapt_reader_open(&r, dst, NULL) || synapt_reader_verify(r, NULL, NULL)) {
            bad++;
            printf("  flip at %zu: recovered file does not verify\n", i);
        }
        synapt_reader_close(r);
    }
    CHECK(ok > 0);
    CHECK_EQ_INT(bad, 0);
    free(img);
}

/* The temporary of a writer still open on `path` (PATH.tmp-XXXXXX). */
static int find_tmp(char *out, size_t cap, const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[1024], pre[1100];   /* out is larger than dir + name: no truncation */
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    snprintf(pre, sizeof pre, "%s.tmp-", slash + 1);
    DIR *d = opendir(dir);
    struct dirent *e;
    int rc = -1;
    while (d && rc && (e = readdir(d)))
        if (!strncmp(e->d_name, pre, strlen(pre))) {
            if ((size_t)snprintf(out, cap, "%s/%s", dir, e->d_name) >= cap) break;
            rc = 0;
        }
    if (d) closedir(d);
    return rc;
}

/* Write-through: after end_clip the clip is in the temporary, so a writer
 * that dies (never closes) leaves every finished clip to recover. The
 * buffered writer (write_through 0) holds these small clips in memory. */
static void test_write_through(void)
{
    for (int through = 1; through >= 0; through--) {
        char path[1024], tmp[1400], err[512];
        snprintf(path, sizeof path, "%s/recover_%d_wt.synapt", tu_tmp_dir(), (int)getpid());
        synapt_writer_options o = SYNAPT_WRITER_OPTIONS_INIT;
        o.fsync = 0;
        o.write_through = through;
        synapt_writer *w;
        CHECK_OK(synapt_writer_create(&w, path, &o, err, sizeof err));
        for (int ci = 0; ci < 3; ci++) {
            char id[16];
            snprintf(id, sizeof id, "wt_%d", ci);
            synapt_clip_desc c = SYNAPT_CLIP_DESC_INIT;
            c.id = id;
            CHECK_OK(synapt_writer_begin_clip(w, &c));
            synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
            d.name = "x"; d.kind = SYNAPT_KIND_CUSTOM; d.dtype = SYNAPT_DTYPE_I32; d.ndim = 1; d.shape[0] = 4;
            CHECK_OK(synapt_writer_add_stream(NULL, w, &d));
            int32_t v[8] = { ci, 1, 2, 3, 4, 5, 6, 7 };
            CHECK_OK(synapt_writer_write_frames(w, 0, v, sizeof v, 2, NULL));
            CHECK_OK(synapt_writer_end_clip(w));
        }
        /* a fourth clip begun but not ended is not recovered */
        synapt_clip_desc c = SYNAPT_CLIP_DESC_INIT;
        c.id = "wt_open";
        CHECK_OK(synapt_writer_begin_clip(w, &c));
        CHECK_OK(find_tmp(tmp, sizeof tmp, path));
        synapt_recover_report rep;
        unlink(dst);
        int rc = synapt_recover(&rep, tmp, dst, &o, NULL, NULL, err, sizeof err);
        if (through) {
            CHECK_OK(rc);
            CHECK_EQ_INT((int)rep.clips_kept, 3);
        } else {
            CHECK(rc != 0 || rep.clips_kept == 0);
        }
        synapt_writer_abort(w);
        unlink(dst);
    }
}

int main(void)
{
    snprintf(src, sizeof src, "%s/recover_%d_src.synapt", tu_tmp_dir(), (int)getpid());
    snprintf(dst, sizeof dst, "%s/recover_%d_dst.synapt", tu_tmp_dir(), (int)getpid());
    snprintf(cut, sizeof cut, "%s/recover_%d_cut.synapt", tu_tmp_dir(), (int)getpid());
    if (make_src()) {
        printf("FAIL make_src: cannot write the source file\n");
        return 1;
    }
    RUN(test_unfinished_file);
    RUN(test_complete_file);
    RUN(test_cut_mid_clip);
    RUN(test_damaged_chunk);
    RUN(test_nothing_to_recover);
    RUN(test_every_cut);
    RUN(test_flips);
    RUN(test_write_through);
    unlink(src);
    unlink(dst);
    unlink(cut);
    free(orig);
    TEST_MAIN_END();
}
