/* test_core.c - round trips through the writer and reader: every kind and
 * dtype, every compression x filter, pose with varying persons, packets,
 * metadata, lookups, memory images, determinism, atomicity, threads. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>
#include "synapt.h"
#include "testutil.h"

static char tmp_path[1024];
static const char *tpath(const char *name)
{
    snprintf(tmp_path, sizeof tmp_path, "%s/core_%d_%s", tu_tmp_dir(), (int)getpid(), name);
    return tmp_path;
}

/* Deterministic frame contents: smooth-ish so filters have work to do. */
static void fill(void *buf, size_t n, uint32_t seed)
{
    uint8_t *p = buf;
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)((i * 7 + seed * 13 + (i >> 5)) ^ (seed >> 3));
}

static synapt_writer_options wopts(void)
{
    synapt_writer_options o = SYNAPT_WRITER_OPTIONS_INIT;
    o.fsync = 0;
    return o;
}

static int file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* Any PATH.tmp-* left beside path? */
static int temp_left(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[1024];
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    const char *base = slash + 1;
    DIR *d = opendir(dir);
    int found = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (!strncmp(e->d_name, base, strlen(base)) && strstr(e->d_name, ".tmp-")) found = 1;
    if (d) closedir(d);
    return found;
}

/* ---- one array stream, every compression x filter ---- */

typedef struct spec {
    int kind, dtype, ndim;
    uint64_t shape[4];
    int comp, filt;
} spec;

static uint64_t frame_bytes_of(const spec *s)
{
    uint64_t b = synapt_dtype_size(s->dtype);
    for (int i = 0; i < s->ndim; i++) b *= s->shape[i];
    return b;
}

static int roundtrip_array(const spec *s, uint32_t nframes, uint64_t target, uint32_t maxf, int with_pts)
{
    const char *path = tpath("arr.synapt");
    synapt_writer_options o = wopts();
    o.chunk_target_bytes = target;
    o.chunk_max_frames = maxf;
    synapt_writer *w;
    char err[512];
    int ok = 1;
    if (synapt_writer_create(&w, path, &o, err, sizeof err)) { printf("  create: %s\n", err); return 0; }
    synapt_clip_desc c = SYNAPT_CLIP_DESC_INIT;
    c.id = "clip0";
    CHECK_OK(synapt_writer_begin_clip(w, &c));
    synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
    d.name = "s";
    d.kind = s->kind;
    d.dtype = s->dtype;
    d.ndim = (uint32_t)s->ndim;
    memcpy(d.shape, s->shape, sizeof d.shape);
    d.compression = s->comp;
    d.filter = s->filt;
    uint32_t si;
    int rc = synapt_writer_add_stream(&si, w, &d);
    if (rc) { printf("  add_stream: %s\n", synapt_writer_errmsg(w)); synapt_writer_abort(w); return 0; }
    uint64_t fb = frame_bytes_of(s);
    uint8_t *data = malloc(fb * nframes);
    int64_t *pts = malloc(sizeof(int64_t) * nframes);
    for (uint32_t i = 0; i < nframes; i++) {
        fill(data + fb * i, fb, i);
        pts[i] = (i % 3 == 1) ? SYNAPT_PTS_NONE : (int64_t)i * 1000 - 5;
    }
    /* write in uneven batches so chunk closes fall mid-batch */
    for (uint32_t i = 0; i < nframes;) {
        uint32_t k = 1 + i % 4;
        if (i + k > nframes) k = nframes - i;
        CHECK_OK(synapt_writer_write_frames(w, si, data + fb * i, fb * k, k, with_pts ? pts + i : NULL));
        i += k;
    }
    CHECK_OK(synapt_writer_end_clip(w));
    if (synapt_writer_close(w, err, sizeof err)) { printf("  close: %s\n", err); ok = 0; }
    synapt_reader *r;
    if (ok && synapt_reader_open2(&r, path, NULL, err, sizeof err)) { printf("  open: %s\n", err); ok = 0; }
    if (ok) {
        synapt_stream_info st;
        CHECK_OK(synapt_reader_stream(&st, r, 0, 0));
        CHECK_EQ_INT(st.frame_count, nframes);
        CHECK_EQ_INT(st.frame_bytes, fb);
        CHECK_EQ_INT(st.packet_count, nframes);
        if (s->comp >= 0) CHECK_EQ_INT(st.compression, s->comp);
        if (s->filt >= 0) CHECK_EQ_INT(st.filter, s->filt);
        uint8_t *back = malloc(fb * nframes + 1);
        size_t wr = 0;
        rc = synapt_reader_read_frames(back, fb * nframes, &wr, r, 0, 0, 0, nframes);
        if (rc) printf("  read: %s\n", synapt_reader_errmsg(r));
        CHECK_EQ_INT(rc, 0);
        CHECK_EQ_INT(wr, fb * nframes);
        if (memcmp(back, data, fb * nframes)) { ok = 0; printf("  data differs\n"); }
        /* every sub-range, including those spanning chunk boundaries */
        for (uint32_t a = 0; a < nframes && ok; a += 1 + nframes / 7)
            for (uint32_t n = 1; a + n <= nframes; n += 1 + n) {
                rc = synapt_reader_read_frames(back, fb * n, &wr, r, 0, 0, a, n);
                if (rc || wr != fb * n || memcmp(back, data + fb * a, fb * n)) {
                    printf("  range [%u,+%u) rc %d: %s\n", a, n, rc, synapt_reader_errmsg(r));
                    ok = 0;
                    break;
                }
            }
        int64_t *pb = malloc(sizeof(int64_t) * nframes);
        CHECK_OK(synapt_reader_frame_pts(pb, r, 0, 0, 0, nframes));
        for (uint32_t i = 0; i < nframes; i++)
            if (pb[i] != (with_pts ? pts[i] : SYNAPT_PTS_NONE)) { ok = 0; printf("  pts %u differs\n", i); break; }
        CHECK_EQ_INT(st.has_pts, with_pts);
        /* buffer too small */
        rc = synapt_reader_read_frames(back, fb - 1, &wr, r, 0, 0, 0, 2 < nframes ? 2 : nframes);
        CHECK_EQ_INT(rc, SYNAPT_E_BUFFER);
        CHECK_EQ_INT(wr, fb * (2 < nframes ? 2 : nframes));
        CHECK_EQ_INT(synapt_reader_read_frames(back, fb, &wr, r, 0, 0, nframes, 1), SYNAPT_E_RANGE);
        CHECK_OK(synapt_reader_verify(r, NULL, NULL));
        free(pb);
        free(back);
        synapt_reader_close(r);
    }
    free(data);
    free(pts);
    return ok;
}

static void test_roundtrip_combos(void)
{
    static const spec base[] = {
        { SYNAPT_KIND_IMAGE, SYNAPT_DTYPE_U8, 3, { 12, 10, 3 }, -1, -1 },
        { SYNAPT_KIND_DEPTH, SYNAPT_DTYPE_U16, 2, { 9, 13 }, -1, -1 },
        { SYNAPT_KIND_DEPTH, SYNAPT_DTYPE_F32, 2, { 8, 8 }, -1, -1 },
        { SYNAPT_KIND_MASK, SYNAPT_DTYPE_U8, 2, { 7, 5 }, -1, -1 },
        { SYNAPT_KIND_MASK, SYNAPT_DTYPE_U16, 2, { 7, 5 }, -1, -1 },
        { SYNAPT_KIND_FRAME_LABELS, SYNAPT_DTYPE_I32, 1, { 3 }, -1, -1 },
        { SYNAPT_KIND_CUSTOM, SYNAPT_DTYPE_F64, 4, { 2, 3, 2, 2 }, -1, -1 },
        { SYNAPT_KIND_CUSTOM, SYNAPT_DTYPE_I16, 1, { 17 }, -1, -1 },
        { SYNAPT_KIND_CUSTOM, SYNAPT_DTYPE_U64, 2, { 3, 3 }, -1, -1 },
        { SYNAPT_KIND_CUSTOM, SYNAPT_DTYPE_F16, 1, { 5 }, -1, -1 },
        { SYNAPT_KIND_CUSTOM, SYNAPT_DTYPE_I8, 1, { 5 }, -1, -1 },
    };
    int ok = 1;
    for (size_t b = 0; b < sizeof base / sizeof base[0]; b++) {
        for (int comp = -1; comp <= 2; comp++)
            for (int filt = -1; filt <= 3; filt++) {
                spec s = base[b];
                s.comp = comp;
                s.filt = filt;
                if (filt == SYNAPT_FILTER_DEPTH_MED && synapt_dtype_size(s.dtype) != 2) continue;
                if (filt == SYNAPT_FILTER_DEPTH_MED && s.ndim != 2) continue;
                /* small targets: many chunks, boundaries inside write batches */
                if (!roundtrip_array(&s, 23, frame_bytes_of(&s) * 3 + 1, 5, (comp + filt) & 1)) {
                    printf("  failed: kind %d dtype %d comp %d filter %d\n", s.kind, s.dtype, comp, filt);
                    ok = 0;
                }
            }
    }
    CHECK(ok);
}

static void test_single_big_chunk(void)
{
    spec s = { SYNAPT_KIND_DEPTH, SYNAPT_DTYPE_U16, 2, { 64, 48 }, -1, -1 };
    CHECK(roundtrip_array(&s, 40, 1u << 20, 64, 1));
    spec s2 = { SYNAPT_KIND_IMAGE, SYNAPT_DTYPE_U8, 3, { 16, 16, 3 }, 2, 1 };
    CHECK(roundtrip_array(&s2, 1, 1u << 20, 64, 0));
}

/* ---- a full file: several clips, all kinds, metadata ---- */

#define NCLIPS 5
static const char *const LBL[] = { "walk", "run", "jump", "sit" };

static void write_full(const char *path, int deterministic, int *ok)
{
    synapt_writer_options o = wopts();
    o.deterministic = deterministic;
    o.chunk_target_bytes = 3000;
    o.chunk_max_frames = 4;
    synapt_writer *w;
    char err[512];
    if (synapt_writer_create(&w, path, &o, err, sizeof err)) { printf("  %s\n", err); *ok = 0; return; }
    uint32_t lid;
    CHECK_OK(synapt_writer_add_label(&lid, w, "idle"));
    CHECK_EQ_INT(lid, 0);
    for (int ci = 0; ci < NCLIPS; ci++) {
        char id[64], meta[128];
        snprintf(id, sizeof id, "v_Clip_g%02d_c%02d", ci, ci * 3);
        snprintf(meta, sizeof meta, "{\"n\":%d,\"tags\":[\"a\",\"b\"],\"x\":{\"y\":null}}", ci);
        const char *labels[2] = { LBL[ci % 4], LBL[(ci + 1) % 4] };
        const char *gk[2] = { "actor", "scene" }, *gv[2] = { ci % 2 ? "P002" : "P001", "kitchen" };
        synapt_clip_desc c = SYNAPT_CLIP_DESC_INIT;
        c.id = id;
        c.labels = labels;
        c.label_count = (size_t)(ci % 3);
        c.split = ci < 3 ? "train" : "test";
        c.source = "synth";
        c.synthetic = ci & 1;
        c.group_keys = gk;
        c.group_values = gv;
        c.group_count = (size_t)(ci % 3);
        c.meta_json = ci == 4 ? NULL : meta;
        CHECK_OK(synapt_writer_begin_clip(w, &c));
        uint32_t frames = (uint32_t)(5 + ci * 3);
        /* image */
        synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
        d.name = "rgb"; d.kind = SYNAPT_KIND_IMAGE; d.dtype = SYNAPT_DTYPE_U8; d.ndim = 3;
        d.shape[0] = 12; d.shape[1] = 16; d.shape[2] = 3; d.fps_num = 25; d.fps_den = 1;
        uint32_t s_rgb, s_depth, s_pose, s_lab, s_vid;
        CHECK_OK(synapt_writer_add_stream(&s_rgb, w, &d));
        /* depth with scale */
        synapt_stream_desc dd = SYNAPT_STREAM_DESC_INIT;
        dd.name = "depth"; dd.kind = SYNAPT_KIND_DEPTH; dd.dtype = SYNAPT_DTYPE_U16; dd.ndim = 2;
        dd.shape[0] = 10; dd.shape[1] = 14; dd.scale = 0.001; dd.units = "m";
        CHECK_OK(synapt_writer_add_stream(&s_depth, w, &dd));
        /* pose */
        synapt_stream_desc dp = SYNAPT_STREAM_DESC_INIT;
        dp.name = "pose"; dp.kind = SYNAPT_KIND_POSE3D; dp.dtype = SYNAPT_DTYPE_F32; dp.ndim = 3;
        dp.shape[0] = 0; dp.shape[1] = 25; dp.shape[2] = 4; dp.skeleton = SYNAPT_SKELETON_NTU25;
        dp.channels = SYNAPT_CHANNELS_XYZC; dp.units = "m";
        CHECK_OK(synapt_writer_add_stream(&s_pose, w, &dp));
        /* labels per frame */
        synapt_stream_desc dl = SYNAPT_STREAM_DESC_INIT;
        dl.name = "labels"; dl.kind = SYNAPT_KIND_FRAME_LABELS; dl.dtype = SYNAPT_DTYPE_I32; dl.ndim = 1; dl.shape[0] = 2;
        CHECK_OK(synapt_writer_add_stream(&s_lab, w, &dl));
        /* packets */
        synapt_stream_desc dv = SYNAPT_STREAM_DESC_INIT;
        static const uint8_t extra[] = { 1, 0x64, 0, 0x1f, 0xff, 0xe1, 0 };
        dv.name = "video"; dv.kind = SYNAPT_KIND_VIDEO; dv.codec = SYNAPT_CODEC_H264; dv.ndim = 3;
        dv.shape[0] = 120; dv.shape[1] = 160; dv.shape[2] = 3; dv.fps_num = 30000; dv.fps_den = 1001;
        dv.extradata = extra; dv.extradata_size = sizeof extra; dv.codec_config = "{\"pix_fmt\":\"yuv420p\"}";
        CHECK_OK(synapt_writer_add_stream(&s_vid, w, &dv));
        for (uint32_t f = 0; f < frames; f++) {
            uint8_t img[12 * 16 * 3];
            fill(img, sizeof img, f + (uint32_t)ci * 100);
            CHECK_OK(synapt_writer_write_frames(w, s_rgb, img, sizeof img, 1, NULL));
            uint16_t dep[140];
            for (int k = 0; k < 140; k++) dep[k] = (uint16_t)(1000 + k * 3 + f * 7 + ci);
            int64_t p = (int64_t)f * 40;
            CHECK_OK(synapt_writer_write_frames(w, s_depth, dep, sizeof dep, 1, &p));
            uint32_t persons = (f + (uint32_t)ci) % 3;
            float pose[2 * 25 * 4];
            for (int k = 0; k < 2 * 25 * 4; k++) pose[k] = (float)(k * 0.01 + f + ci);
            CHECK_OK(synapt_writer_write_pose(w, s_pose, pose, persons, SYNAPT_PTS_NONE));
            /* ids into the file's vocabulary (walk run jump sit), -1 = none */
            int32_t lab[2] = { (int32_t)(f % 4), ci % 2 ? -1 : (int32_t)((ci / 2) % 4) };
            CHECK_OK(synapt_writer_write_frames(w, s_lab, lab, sizeof lab, 1, NULL));
            uint8_t pkt[300];
            size_t plen = 20 + (f * 37 + (uint32_t)ci) % 280;
            fill(pkt, plen, f * 5 + (uint32_t)ci);
            CHECK_OK(synapt_writer_write_packet(w, s_vid, pkt, plen, f, (int64_t)f - 1, f % 4 == 0 ? SYNAPT_FRAME_KEY : 0));
        }
        CHECK_OK(synapt_writer_end_clip(w));
    }
    if (synapt_writer_close(w, err, sizeof err)) { printf("  close: %s\n", err); *ok = 0; }
}

static void check_full(synapt_reader *r)
{
    synapt_file_info fi;
    CHECK_OK(synapt_reader_file_info(&fi, r));
    CHECK_EQ_INT(fi.clip_count, NCLIPS);
    CHECK_EQ_INT(fi.format_major, 1);
    CHECK(!strncmp(fi.writer, "libsynapt ", 10));
    CHECK_EQ_INT(synapt_reader_label_count(r), 5);
    CHECK(!strcmp(synapt_reader_label_name(r, 0), "idle"));
    uint32_t lid;
    CHECK_OK(synapt_reader_find_label(&lid, r, "jump"));
    CHECK(!strcmp(synapt_reader_label_name(r, lid), "jump"));
    CHECK_EQ_INT(synapt_reader_find_label(&lid, r, "fly"), SYNAPT_E_NOT_FOUND);
    CHECK(synapt_reader_label_name(r, 99) == NULL);
    for (int ci = 0; ci < NCLIPS; ci++) {
        char id[64], meta[128];
        snprintf(id, sizeof id, "v_Clip_g%02d_c%02d", ci, ci * 3);
        snprintf(meta, sizeof meta, "{\"n\":%d,\"tags\":[\"a\",\"b\"],\"x\":{\"y\":null}}", ci);
        uint64_t idx;
        CHECK_OK(synapt_reader_find_clip(&idx, r, id));
        CHECK_EQ_INT(idx, ci);
        synapt_clip_info c;
        CHECK_OK(synapt_reader_clip(&c, r, (uint64_t)ci));
        CHECK(!strcmp(c.id, id));
        CHECK(!strcmp(c.split, ci < 3 ? "train" : "test"));
        CHECK(!strcmp(c.source, "synth"));
        CHECK_EQ_INT(c.synthetic, ci & 1);
        CHECK(!strcmp(c.meta_json, ci == 4 ? "{}" : meta));
        CHECK_EQ_INT(c.meta_len, strlen(c.meta_json));
        CHECK_EQ_INT(c.stream_count, 5);
        uint32_t frames = (uint32_t)(5 + ci * 3);
        CHECK_EQ_INT(c.frame_count, frames);
        CHECK_EQ_INT(c.fps_num, 25);
        CHECK_EQ_INT(c.width, 16);
        CHECK_EQ_INT(c.height, 12);
        CHECK_EQ_INT(c.label_count, ci % 3);
        uint32_t ids[4];
        size_t nl;
        CHECK_OK(synapt_reader_clip_labels(ids, 4, &nl, r, (uint64_t)ci));
        CHECK_EQ_INT(nl, ci % 3);
        for (size_t k = 0; k < nl; k++) CHECK(!strcmp(synapt_reader_label_name(r, ids[k]), LBL[(ci + (int)k) % 4]));
        if (nl) CHECK_EQ_INT(c.first_label, ids[0]);
        else CHECK_EQ_INT(c.first_label, UINT32_MAX);
        CHECK_EQ_INT(c.group_count, ci % 3);
        for (uint32_t g = 0; g < c.group_count; g++) {
            const char *k, *v;
            CHECK_OK(synapt_reader_clip_group(&k, &v, r, (uint64_t)ci, g));
            CHECK(!strcmp(k, g ? "scene" : "actor"));
            CHECK(!strcmp(v, g ? "kitchen" : (ci % 2 ? "P002" : "P001")));
        }
        if (c.group_count) CHECK(!strcmp(c.group, ci % 2 ? "P002" : "P001"));
        const char *k, *v;
        CHECK_EQ_INT(synapt_reader_clip_group(&k, &v, r, (uint64_t)ci, 7), SYNAPT_E_RANGE);

        uint32_t s;
        CHECK_OK(synapt_reader_find_stream(&s, r, (uint64_t)ci, "depth"));
        CHECK_EQ_INT(s, 1);
        CHECK_EQ_INT(synapt_reader_find_stream(&s, r, (uint64_t)ci, "nope"), SYNAPT_E_NOT_FOUND);
        synapt_stream_info st;
        CHECK_OK(synapt_reader_stream(&st, r, (uint64_t)ci, 1));
        CHECK(st.scale == 0.001);
        CHECK(!strcmp(st.units, "m"));
        CHECK_EQ_INT(st.filter, SYNAPT_FILTER_DEPTH_RANK);   /* the stream says depth_rank; chunks pick theirs */
        CHECK_EQ_INT(st.compression, SYNAPT_COMPRESSION_ZSTD_FRAME);
        CHECK_EQ_INT(st.has_pts, 1);
        CHECK_EQ_INT(st.fps_num, 30);
        uint16_t dep[140 * 40];
        size_t wr;
        CHECK_OK(synapt_reader_read_frames(dep, sizeof dep, &wr, r, (uint64_t)ci, 1, 0, frames));
        CHECK_EQ_INT(wr, frames * 280);
        int dok = 1;
        for (uint32_t f = 0; f < frames; f++)
            for (int q = 0; q < 140; q++)
                if (dep[f * 140 + q] != (uint16_t)(1000 + q * 3 + f * 7 + (uint32_t)ci)) dok = 0;
        CHECK(dok);
        int64_t pts[40];
        CHECK_OK(synapt_reader_frame_pts(pts, r, (uint64_t)ci, 1, 0, frames));
        for (uint32_t f = 0; f < frames; f++) CHECK_EQ_INT(pts[f], (int64_t)f * 40);
        /* image */
        uint8_t img[12 * 16 * 3], exp[12 * 16 * 3];
        for (uint32_t f = 0; f < frames; f++) {
            CHECK_OK(synapt_reader_read_frames(img, sizeof img, &wr, r, (uint64_t)ci, 0, f, 1));
            fill(exp, sizeof exp, f + (uint32_t)ci * 100);
            CHECK(!memcmp(img, exp, sizeof img));
        }
        /* pose */
        CHECK_OK(synapt_reader_stream(&st, r, (uint64_t)ci, 2));
        CHECK_EQ_INT(st.kind, SYNAPT_KIND_POSE3D);
        CHECK_EQ_INT(st.skeleton, SYNAPT_SKELETON_NTU25);
        CHECK_EQ_INT(st.channels, SYNAPT_CHANNELS_XYZC);
        /* the writer picks the stream's filter on its first chunk */
        CHECK(st.filter == SYNAPT_FILTER_NONE || st.filter == SYNAPT_FILTER_SHUFFLE ||
              st.filter == SYNAPT_FILTER_XOR_PREV);
        CHECK_EQ_INT(st.compression, SYNAPT_COMPRESSION_ZSTD_CHUNK);
        CHECK_EQ_INT(st.frame_bytes, 0);
        uint32_t mp;
        CHECK_OK(synapt_reader_pose_max_persons(&mp, r, (uint64_t)ci, 2));
        CHECK_EQ_INT(mp, frames >= 3 ? 2 : 0);
        CHECK_EQ_INT(st.max_persons, mp);
        float *pb = malloc(sizeof(float) * frames * 3 * 100);
        CHECK_OK(synapt_reader_read_pose(pb, frames * 3 * 100, r, (uint64_t)ci, 2, 0, frames, 3));
        int pok = 1;
        for (uint32_t f = 0; f < frames; f++) {
            uint32_t persons = (f + (uint32_t)ci) % 3;
            for (uint32_t p = 0; p < 3; p++)
                for (int q = 0; q < 100; q++) {
                    float x = pb[(f * 3 + p) * 100 + (uint32_t)q];
                    if (p < persons ? x != (float)((p * 100 + (uint32_t)q) * 0.01 + f + ci) : !isnan(x)) pok = 0;
                }
        }
        CHECK(pok);
        /* drop persons beyond the requested count */
        CHECK_OK(synapt_reader_read_pose(pb, (frames - 1) * 100, r, (uint64_t)ci, 2, 1, frames - 1, 1));
        uint64_t sizes[40];
        CHECK_OK(synapt_reader_frame_sizes(sizes, r, (uint64_t)ci, 2, 0, frames));
        for (uint32_t f = 0; f < frames; f++) CHECK_EQ_INT(sizes[f], ((f + (uint32_t)ci) % 3) * 400);
        free(pb);
        /* frame labels */
        int32_t lab[2 * 40];
        CHECK_OK(synapt_reader_read_frames(lab, sizeof lab, &wr, r, (uint64_t)ci, 3, 0, frames));
        for (uint32_t f = 0; f < frames; f++) {
            CHECK_EQ_INT(lab[2 * f], f % 4);
            CHECK_EQ_INT(lab[2 * f + 1], ci % 2 ? -1 : (ci / 2) % 4);
        }
        /* packets */
        CHECK_OK(synapt_reader_stream(&st, r, (uint64_t)ci, 4));
        CHECK_EQ_INT(st.codec, SYNAPT_CODEC_H264);
        CHECK_EQ_INT(st.packet_count, frames);
        CHECK_EQ_INT(st.frame_count, frames);
        CHECK_EQ_INT(st.extradata_size, 7);
        CHECK(st.extradata && ((const uint8_t *)st.extradata)[1] == 0x64);
        CHECK(!strcmp(st.codec_config, "{\"pix_fmt\":\"yuv420p\"}"));
        CHECK_EQ_INT(st.fps_num, 30000);
        CHECK_EQ_INT(st.fps_den, 1001);
        CHECK_EQ_INT(st.chunk_count, (frames + 3) / 4);   /* one chunk per GOP of 4 */
        CHECK_EQ_INT(synapt_reader_read_frames(img, sizeof img, &wr, r, (uint64_t)ci, 4, 0, 1), SYNAPT_E_UNSUPPORTED);
        synapt_frame_entry ents[40];
        CHECK_OK(synapt_reader_frame_entries(ents, r, (uint64_t)ci, 4, 0, frames));
        uint8_t pk[300 * 40], pexp[300];
        CHECK_OK(synapt_reader_read_packets(r, (uint64_t)ci, 4, 0, frames, pk, sizeof pk, &wr));
        size_t off = 0;
        for (uint32_t f = 0; f < frames; f++) {
            size_t plen = 20 + (f * 37 + (uint32_t)ci) % 280;
            CHECK_EQ_INT(ents[f].size, plen);
            CHECK_EQ_INT(ents[f].pts, f);
            CHECK_EQ_INT(ents[f].dts, (int64_t)f - 1);
            CHECK_EQ_INT(ents[f].flags & SYNAPT_FRAME_KEY, f % 4 == 0);
            fill(pexp, plen, f * 5 + (uint32_t)ci);
            CHECK(!memcmp(pk + off, pexp, plen));
            off += plen;
        }
        CHECK_EQ_INT(off, wr);
        for (uint64_t ch = 0; ch < st.chunk_count; ch++) {
            synapt_chunk_info ki;
            CHECK_OK(synapt_reader_chunk(&ki, r, (uint64_t)ci, 4, ch));
            CHECK_EQ_INT(ki.first_frame, ch * 4);
            uint64_t fc;
            CHECK_OK(synapt_reader_find_chunk(&fc, r, (uint64_t)ci, 4, ki.first_frame + ki.frame_count - 1));
            CHECK_EQ_INT(fc, ch);
        }
    }
    uint64_t idx;
    CHECK_EQ_INT(synapt_reader_find_clip(&idx, r, "nope"), SYNAPT_E_NOT_FOUND);
    synapt_clip_info c;
    CHECK_EQ_INT(synapt_reader_clip(&c, r, NCLIPS), SYNAPT_E_RANGE);
    CHECK(strstr(synapt_reader_errmsg(r), "clip 5") != NULL);
    CHECK_OK(synapt_reader_verify(r, NULL, NULL));
}

static void test_full_file(void)
{
    int ok = 1;
    const char *path = tpath("full.synapt");
    char p[1024];
    snprintf(p, sizeof p, "%s", path);
    write_full(p, 0, &ok);
    CHECK(ok);
    CHECK(!temp_left(p));
    synapt_reader *r;
    char err[512];
    int rc = synapt_reader_open2(&r, p, NULL, err, sizeof err);
    if (rc) printf("  %s\n", err);
    CHECK_OK(rc);
    if (!rc) { check_full(r); synapt_reader_close(r); }
    /* no mmap, no verification */
    synapt_reader_options o = SYNAPT_READER_OPTIONS_INIT;
    o.use_mmap = 0;
    o.verify_index = 0;
    o.verify_checksums = 0;
    CHECK_OK(synapt_reader_open(&r, p, &o));
    if (r) { check_full(r); synapt_reader_close(r); }
    /* the whole file mapped (map_file): chunks read from the mapping */
    o = (synapt_reader_options)SYNAPT_READER_OPTIONS_INIT;
    o.map_file = 1;
    rc = synapt_reader_open2(&r, p, &o, err, sizeof err);
    if (rc) printf("  %s\n", err);
    CHECK_OK(rc);
    if (!rc) { check_full(r); synapt_reader_close(r); }
    /* memory image */
    uint8_t *img = NULL;
    size_t n = 0;
    CHECK_OK(tu_read_file(p, &img, &n));
    rc = synapt_reader_open_memory(&r, img, n, "mem.synapt", NULL, err, sizeof err);
    CHECK_OK(rc);
    if (!rc) {
        CHECK(!strcmp(synapt_reader_path(r), "mem.synapt"));
        check_full(r);
        synapt_reader_close(r);
    }
    free(img);
}

/* Pose streams with the filter left to the writer: the first chunk fixes
 * the stream's filter, the cheapest to decode of none, shuffle and
 * xor_prev unless a costlier one saves 1/16; an explicit filter is kept.
 * Random frames that come back are zstd's own work (none); slowly drifting
 * keypoints with sensor-like noise in the low mantissa bits need at least
 * the byte planes; every chunk of a stream carries the stream's filter
 * (rule V6, checked by a full verify). */
/* The bits of value j of frame t of test_pose_filter_choice's first clip:
 * two random frames in turn. */
static uint32_t pose_bits(int j, int t)
{
    uint32_t h = (uint32_t)(j + 1) * 2654435761u ^ (uint32_t)(t & 1) * 0x9E3779B9u;
    h ^= h >> 15;
    h *= 0x85EBCA6Bu;
    return h ^ (h >> 13);
}

static void test_pose_filter_choice(void)
{
    char p[1024];
    snprintf(p, sizeof p, "%s", tpath("posepick.synapt"));
    synapt_writer *w;
    synapt_writer_options o = wopts();
    o.chunk_max_frames = 4; /* pose chunks of 16 frames: several per stream */
    char err[512];
    CHECK_OK(synapt_writer_create(&w, p, &o, err, sizeof err));
    if (!w) return;
    static const int want[3] = { SYNAPT_FILTER_AUTO, SYNAPT_FILTER_AUTO, SYNAPT_FILTER_XOR_PREV };
    uint32_t rng = 12345;
    for (int c = 0; c < 3; c++) {
        char id[16];
        snprintf(id, sizeof id, "p%d", c);
        synapt_clip_desc d = SYNAPT_CLIP_DESC_INIT;
        d.id = id;
        CHECK_OK(synapt_writer_begin_clip(w, &d));
        synapt_stream_desc sd = SYNAPT_STREAM_DESC_INIT;
        sd.name = "pose3d"; sd.kind = SYNAPT_KIND_POSE3D; sd.dtype = SYNAPT_DTYPE_F32; sd.codec = SYNAPT_CODEC_RAW;
        sd.ndim = 3; sd.shape[1] = 25; sd.shape[2] = 4;
        sd.filter = want[c];
        uint32_t si;
        CHECK_OK(synapt_writer_add_stream(&si, w, &sd));
        float v[25 * 4];
        for (int t = 0; t < 40; t++) {
            for (int j = 0; j < 25 * 4; j++) {
                rng = rng * 1103515245u + 12345u;
                if (c == 0) { /* two random frames in turn: only zstd's matches help */
                    uint32_t h = pose_bits(j, t);
                    memcpy(&v[j], &h, 4);
                    continue;
                }
                v[j] = 0.5f + (float)j * 0.01f + (float)t * 0.002f + (float)(rng >> 20) * 1e-7f;
            }
            CHECK_OK(synapt_writer_write_pose(w, si, v, 1, SYNAPT_PTS_NONE));
        }
        CHECK_OK(synapt_writer_end_clip(w));
    }
    CHECK_OK(synapt_writer_close(w, err, sizeof err));
    synapt_reader *r;
    CHECK_OK(synapt_reader_open(&r, p, NULL));
    if (!r) return;
    synapt_stream_info st;
    CHECK_OK(synapt_reader_stream(&st, r, 0, 0));
    CHECK_EQ_INT(st.filter, SYNAPT_FILTER_NONE);
    CHECK(st.chunk_count > 1);
    /* unfiltered whole chunks decompress straight into the caller's
     * buffer; partial chunks, short buffers and the frames themselves as
     * on every other path */
    {
        static float all[40 * 100], part[40 * 100];
        size_t got = 0;
        CHECK_OK(synapt_reader_read_frames(all, sizeof all, &got, r, 0, 0, 0, 40));
        CHECK_EQ_INT(got, sizeof all);
        for (int t = 0; t < 40; t++)
            for (int j = 0; j < 100; j++) {
                uint32_t h = pose_bits(j, t), b;
                memcpy(&b, &all[t * 100 + j], 4);
                if (b != h) { CHECK(b == h); t = 40; break; }
            }
        CHECK_OK(synapt_reader_read_frames(part, sizeof part, &got, r, 0, 0, 3, 30));
        CHECK_EQ_INT(got, 30 * 400);
        CHECK(!memcmp(part, all + 300, 30 * 400));
        CHECK_EQ_INT(synapt_reader_read_frames(part, 40 * 400 - 4, &got, r, 0, 0, 0, 40), SYNAPT_E_BUFFER);
        CHECK_EQ_INT(got, 40 * 400);
    }
    CHECK_OK(synapt_reader_stream(&st, r, 1, 0));
    CHECK(st.filter == SYNAPT_FILTER_SHUFFLE || st.filter == SYNAPT_FILTER_XOR_PREV);
    CHECK_OK(synapt_reader_stream(&st, r, 2, 0));
    CHECK_EQ_INT(st.filter, SYNAPT_FILTER_XOR_PREV);
    CHECK_OK(synapt_reader_verify(r, NULL, NULL));
    synapt_reader_close(r);
    unlink(p);
}

static void test_determinism(void)
{
    int ok = 1;
    char a[1024], b[1024];
    snprintf(a, sizeof a, "%s", tpath("det_a.synapt"));
    snprintf(b, sizeof b, "%s", tpath("det_b.synapt"));
    write_full(a, 1, &ok);
    write_full(b, 1, &ok);
    CHECK(ok);
    uint8_t *x, *y;
    size_t nx, ny;
    CHECK_OK(tu_read_file(a, &x, &nx));
    CHECK_OK(tu_read_file(b, &y, &ny));
    CHECK_EQ_INT(nx, ny);
    CHECK(nx == ny && !memcmp(x, y, nx));
    synapt_reader *r;
    CHECK_OK(synapt_reader_open(&r, a, NULL));
    if (r) {
        synapt_file_info fi;
        synapt_reader_file_info(&fi, r);
        CHECK_EQ_INT(fi.created_unix, 0);
        static const uint8_t zero[16];
        CHECK(memcmp(fi.uuid, zero, 16) != 0);
        synapt_reader_close(r);
    }
    free(x);
    free(y);
    /* non-deterministic files differ (random uuid) */
    write_full(a, 0, &ok);
    write_full(b, 0, &ok);
    CHECK_OK(tu_read_file(a, &x, &nx));
    CHECK_OK(tu_read_file(b, &y, &ny));
    CHECK(nx == ny && memcmp(x, y, nx) != 0);
    free(x);
    free(y);
}

static void test_atomicity(void)
{
    char p[1024];
    snprintf(p, sizeof p, "%s", tpath("atomic.synapt"));
    unlink(p);
    synapt_writer *w;
    synapt_writer_options o = wopts();
    char err[512];
    /* abort leaves nothing */
    CHECK_OK(synapt_writer_create(&w, p, &o, err, sizeof err));
    synapt_clip_desc c = SYNAPT_CLIP_DESC_INIT;
    c.id = "a";
    CHECK_OK(synapt_writer_begin_clip(w, &c));
    synapt_writer_abort(w);
    CHECK(!file_exists(p));
    CHECK(!temp_left(p));
    synapt_writer_abort(NULL);
    /* an existing file survives a failed writer */
    FILE *f = fopen(p, "wb");
    fputs("precious", f);
    fclose(f);
    CHECK_OK(synapt_writer_create(&w, p, &o, err, sizeof err));
    CHECK_OK(synapt_writer_begin_clip(w, &c));
    synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
    d.name = "x"; d.kind = SYNAPT_KIND_CUSTOM; d.dtype = SYNAPT_DTYPE_U8; d.ndim = 1; d.shape[0] = 4;
    uint32_t s;
    CHECK_OK(synapt_writer_add_stream(&s, w, &d));
    /* argument errors are reported and leave the writer usable */
    CHECK_EQ_INT(synapt_writer_write_frames(w, s, "abc", 3, 1, NULL), SYNAPT_E_INVALID_ARG);
    CHECK(strstr(synapt_writer_errmsg(w), "atomic.synapt") != NULL);
    CHECK_EQ_INT(synapt_writer_begin_clip(w, &c), SYNAPT_E_STATE);
    CHECK_OK(synapt_writer_write_frames(w, s, "abcd", 4, 1, NULL));
    CHECK_OK(synapt_writer_end_clip(w));
    CHECK_EQ_INT(synapt_writer_begin_clip(w, &c), SYNAPT_E_EXISTS);
    synapt_writer_abort(w);
    uint8_t *x;
    size_t n;
    CHECK_OK(tu_read_file(p, &x, &n));
    CHECK(n == 8 && !memcmp(x, "precious", 8));
    free(x);
    CHECK(!temp_left(p));
    /* a writer that fails mid-way (file size limit: write() gives EFBIG) is
     * poisoned; close reports the error and leaves the old file alone */
    struct rlimit old_lim, lim;
    getrlimit(RLIMIT_FSIZE, &old_lim);
    lim = old_lim;
    lim.rlim_cur = 300000;
    signal(SIGXFSZ, SIG_IGN);
    CHECK_OK(setrlimit(RLIMIT_FSIZE, &lim));
    CHECK_OK(synapt_writer_create(&w, p, &o, err, sizeof err));
    CHECK_OK(synapt_writer_begin_clip(w, &c));
    synapt_stream_desc dbig = SYNAPT_STREAM_DESC_INIT;
    dbig.name = "big"; dbig.kind = SYNAPT_KIND_CUSTOM; dbig.dtype = SYNAPT_DTYPE_U8; dbig.ndim = 1; dbig.shape[0] = 65536;
    dbig.compression = SYNAPT_COMPRESSION_NONE;
    CHECK_OK(synapt_writer_add_stream(&s, w, &dbig));
    uint8_t *big = calloc(1, 65536);
    int rc = 0;
    for (int i = 0; i < 64 && !rc; i++) rc = synapt_writer_write_frames(w, s, big, 65536, 1, NULL);
    free(big);
    CHECK_EQ_INT(rc, SYNAPT_E_IO);
    CHECK(strstr(synapt_writer_errmsg(w), ".tmp-") != NULL);
    CHECK_EQ_INT(synapt_writer_end_clip(w), SYNAPT_E_IO);   /* poisoned */
    CHECK_EQ_INT(synapt_writer_close(w, err, sizeof err), SYNAPT_E_IO);
    setrlimit(RLIMIT_FSIZE, &old_lim);
    signal(SIGXFSZ, SIG_DFL);
    CHECK_OK(tu_read_file(p, &x, &n));
    CHECK(n == 8 && !memcmp(x, "precious", 8));
    free(x);
    CHECK(!temp_left(p));
    /* overwrite = 0 refuses an existing file */
    o.overwrite = 0;
    CHECK_EQ_INT(synapt_writer_create(&w, p, &o, err, sizeof err), SYNAPT_E_EXISTS);
    CHECK(w == NULL);
    /* a directory that does not exist */
    CHECK_EQ_INT(synapt_writer_create(&w, "/nonexistent-dir/x.synapt", NULL, err, sizeof err), SYNAPT_E_IO);
    CHECK(strstr(err, "/nonexistent-dir/x.synapt") != NULL);
    /* bad meta json and a bad stream leave the writer usable */
    o.overwrite = 1;
    unlink(p);
    CHECK_OK(synapt_writer_create(&w, p, &o, err, sizeof err));
    static const char *const bad_meta[] = { "[1,2]", "{\"ok\":1" };
    for (size_t i = 0; i < sizeof bad_meta / sizeof *bad_meta; i++) {
        c.meta_json = bad_meta[i];
        CHECK_EQ_INT(synapt_writer_begin_clip(w, &c), SYNAPT_E_INVALID_ARG);
    }
    c.meta_json = NULL;
    CHECK_OK(synapt_writer_begin_clip(w, &c));
    /* streams refused, each a change to the 4-byte custom stream `d`; the
     * CLIP JSON names skeleton and channels, so ids without a name are refused */
    static const struct { int kind, filter, skeleton, channels; const char *msg; } bad_streams[] = {
        { SYNAPT_KIND_CUSTOM, SYNAPT_FILTER_DEPTH_MED, SYNAPT_SKELETON_NONE, SYNAPT_CHANNELS_NONE, NULL },
        { SYNAPT_KIND_VIDEO, SYNAPT_FILTER_AUTO, SYNAPT_SKELETON_NONE, SYNAPT_CHANNELS_NONE, NULL },
        { SYNAPT_KIND_CUSTOM, SYNAPT_FILTER_AUTO, 999, SYNAPT_CHANNELS_NONE, "unknown skeleton 999" },
        { SYNAPT_KIND_CUSTOM, SYNAPT_FILTER_AUTO, SYNAPT_SKELETON_NONE, 5, NULL },
        { SYNAPT_KIND_CUSTOM, SYNAPT_FILTER_AUTO, SYNAPT_SKELETON_NONE, -1, NULL },
    };
    for (size_t i = 0; i < sizeof bad_streams / sizeof *bad_streams; i++) {
        synapt_stream_desc bad = d;
        bad.kind = bad_streams[i].kind;
        bad.filter = bad_streams[i].filter;
        bad.skeleton = bad_streams[i].skeleton;
        bad.channels = bad_streams[i].channels;
        CHECK_EQ_INT(synapt_writer_add_stream(&s, w, &bad), SYNAPT_E_INVALID_ARG);
        if (bad_streams[i].msg)
            CHECK(strstr(synapt_writer_errmsg(w), bad_streams[i].msg) != NULL);
    }
    CHECK_OK(synapt_writer_close(w, err, sizeof err));
    CHECK(file_exists(p));
    CHECK(!temp_left(p));
}

/* The finished file has the bits creat() would give under the umask;
 * while it is written, its temporary is the owner's alone. */
static mode_t temp_mode(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[1024], full[2100];
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    DIR *d = opendir(dir);
    struct dirent *e;
    mode_t m = (mode_t)-1;
    struct stat st;
    while (d && (e = readdir(d)))
        if (!strncmp(e->d_name, slash + 1, strlen(slash + 1)) && strstr(e->d_name, ".tmp-")) {
            snprintf(full, sizeof full, "%s/%s", dir, e->d_name);
            if (stat(full, &st) == 0)
                m = st.st_mode & 0777;
        }
    if (d) closedir(d);
    return m;
}

static void test_file_mode(void)
{
    static const mode_t masks[] = { 022, 027, 077, 002 };
    char p[1024];
    snprintf(p, sizeof p, "%s", tpath("mode.synapt"));
    for (size_t i = 0; i < sizeof masks / sizeof *masks; i++) {
        unlink(p);
        mode_t old = umask(masks[i]);
        synapt_writer *w = NULL;
        synapt_writer_options o = wopts();
        CHECK_OK(synapt_writer_create(&w, p, &o, NULL, 0));
        CHECK_EQ_INT(temp_mode(p), 0600);
        umask(0); /* the umask at create counts, as with creat() */
        CHECK_OK(synapt_writer_close(w, NULL, 0));
        umask(old);
        struct stat st;
        CHECK_OK(stat(p, &st));
        CHECK_EQ_INT(st.st_mode & 0777, 0666 & ~masks[i]);
        CHECK(!temp_left(p));
    }
    unlink(p);
}

static void test_empty_and_edge(void)
{
    char p[1024];
    snprintf(p, sizeof p, "%s", tpath("empty.synapt"));
    synapt_writer *w;
    char err[512];
    synapt_writer_options o = wopts();
    CHECK_OK(synapt_writer_create(&w, p, &o, err, sizeof err));
    CHECK_OK(synapt_writer_close(w, err, sizeof err));
    synapt_reader *r;
    CHECK_OK(synapt_reader_open(&r, p, NULL));
    if (r) {
        CHECK_EQ_INT(synapt_reader_clip_count(r), 0);
        CHECK_OK(synapt_reader_verify(r, NULL, NULL));
        synapt_reader_close(r);
    }
    /* a clip with a stream but no frames, and a clip with no streams */
    CHECK_OK(synapt_writer_create(&w, p, &o, err, sizeof err));
    synapt_clip_desc c = SYNAPT_CLIP_DESC_INIT;
    c.id = "nothing";
    CHECK_OK(synapt_writer_begin_clip(w, &c));
    synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
    d.name = "x"; d.kind = SYNAPT_KIND_CUSTOM; d.dtype = SYNAPT_DTYPE_U8; d.ndim = 1; d.shape[0] = 4;
    CHECK_OK(synapt_writer_add_stream(NULL, w, &d));
    CHECK_OK(synapt_writer_end_clip(w));
    /* a pose stream whose frames all hold nobody: empty chunks */
    c.id = "nobody";
    CHECK_OK(synapt_writer_begin_clip(w, &c));
    synapt_stream_desc dp = SYNAPT_STREAM_DESC_INIT;
    dp.name = "pose"; dp.kind = SYNAPT_KIND_POSE2D; dp.dtype = SYNAPT_DTYPE_F32; dp.ndim = 3; dp.shape[1] = 17; dp.shape[2] = 3;
    CHECK_OK(synapt_writer_add_stream(NULL, w, &dp));
    for (int i = 0; i < 300; i++) CHECK_OK(synapt_writer_write_pose(w, 0, NULL, 0, SYNAPT_PTS_NONE));
    CHECK_OK(synapt_writer_end_clip(w));
    c.id = "no-streams";
    CHECK_OK(synapt_writer_begin_clip(w, &c));
    /* close ends the open clip */
    CHECK_OK(synapt_writer_close(w, err, sizeof err));
    CHECK_OK(synapt_reader_open(&r, p, NULL));
    if (r) {
        CHECK_EQ_INT(synapt_reader_clip_count(r), 3);
        float pb[2 * 51 * 300];
        CHECK_OK(synapt_reader_read_pose(pb, 2 * 51 * 300, r, 1, 0, 0, 300, 2));
        int allnan = 1;
        for (int i = 0; i < 2 * 51 * 300; i++) allnan &= isnan(pb[i]) != 0;
        CHECK(allnan);
        size_t pw;
        CHECK_OK(synapt_reader_read_frames(pb, sizeof pb, &pw, r, 1, 0, 10, 290));
        CHECK_EQ_INT(pw, 0);
        uint32_t mp = 9;
        CHECK_OK(synapt_reader_pose_max_persons(&mp, r, 1, 0));
        CHECK_EQ_INT(mp, 0);
        synapt_stream_info st;
        CHECK_OK(synapt_reader_stream(&st, r, 0, 0));
        CHECK_EQ_INT(st.frame_count, 0);
        size_t wr;
        CHECK_OK(synapt_reader_read_frames(NULL, 0, &wr, r, 0, 0, 0, 0));
        CHECK_EQ_INT(synapt_reader_read_frames(&wr, 8, &wr, r, 0, 0, 0, 1), SYNAPT_E_RANGE);
        CHECK_OK(synapt_reader_verify(r, NULL, NULL));
        synapt_reader_close(r);
    }
}

/* ---- threads ---- */

typedef struct tctx {
    synapt_reader *r;
    uint32_t frames;
    int bad;
    uint64_t seed;
} tctx;

static void *reader_thread(void *u)
{
    tctx *t = u;
    uint64_t s = t->seed;
    uint16_t *buf = malloc(sizeof(uint16_t) * 64 * 48 * t->frames);
    for (int it = 0; it < 200; it++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t a = (uint32_t)(s >> 33) % t->frames;
        uint32_t n = 1 + (uint32_t)(s >> 20) % (t->frames - a);
        size_t wr;
        if (synapt_reader_read_frames(buf, sizeof(uint16_t) * 64 * 48 * n, &wr, t->r, 0, 0, a, n)) { t->bad++; continue; }
        for (uint32_t f = 0; f < n; f++)
            for (int q = 0; q < 64 * 48; q += 97)
                if (buf[f * 64 * 48 + (uint32_t)q] != (uint16_t)((a + f) * 31 + (uint32_t)q)) t->bad++;
    }
    free(buf);
    return NULL;
}

static void test_threads(void)
{
    char p[1024];
    snprintf(p, sizeof p, "%s", tpath("threads.synapt"));
    synapt_writer *w;
    char err[512];
    synapt_writer_options o = wopts();
    o.chunk_max_frames = 7;
    const uint32_t frames = 100;
    CHECK_OK(synapt_writer_create(&w, p, &o, err, sizeof err));
    synapt_clip_desc c = SYNAPT_CLIP_DESC_INIT;
    c.id = "t";
    CHECK_OK(synapt_writer_begin_clip(w, &c));
    synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
    d.name = "depth"; d.kind = SYNAPT_KIND_DEPTH; d.dtype = SYNAPT_DTYPE_U16; d.ndim = 2; d.shape[0] = 48; d.shape[1] = 64;
    CHECK_OK(synapt_writer_add_stream(NULL, w, &d));
    uint16_t *fr = malloc(sizeof(uint16_t) * 64 * 48);
    for (uint32_t f = 0; f < frames; f++) {
        for (int q = 0; q < 64 * 48; q++) fr[q] = (uint16_t)(f * 31 + (uint32_t)q);
        CHECK_OK(synapt_writer_write_frames(w, 0, fr, sizeof(uint16_t) * 64 * 48, 1, NULL));
    }
    free(fr);
    CHECK_OK(synapt_writer_close(w, err, sizeof err));
    synapt_reader *r;
    CHECK_OK(synapt_reader_open(&r, p, NULL));
    if (!r) return;
    pthread_t th[4];
    tctx t[4];
    for (int i = 0; i < 4; i++) {
        t[i].r = r; t[i].frames = frames; t[i].bad = 0; t[i].seed = (uint64_t)i * 977 + 1;
        pthread_create(&th[i], NULL, reader_thread, &t[i]);
    }
    int bad = 0;
    for (int i = 0; i < 4; i++) { pthread_join(th[i], NULL); bad += t[i].bad; }
    CHECK_EQ_INT(bad, 0);
    synapt_reader_close(r);
}

/* ---- many clips ---- */

static void test_many_clips(void)
{
    char p[1024];
    snprintf(p, sizeof p, "%s", tpath("many.synapt"));
    synapt_writer *w;
    char err[512];
    synapt_writer_options o = wopts();
    o.deterministic = 1;
    const int n = 3000;
    CHECK_OK(synapt_writer_create(&w, p, &o, err, sizeof err));
    for (int i = 0; i < n; i++) {
        char id[32];
        snprintf(id, sizeof id, "clip%06d", i);
        const char *lab = LBL[i % 4];
        const char *gk = "actor";
        char gv[16];
        snprintf(gv, sizeof gv, "P%03d", i % 40);
        const char *gvp = gv;
        synapt_clip_desc c = SYNAPT_CLIP_DESC_INIT;
        c.id = id; c.labels = &lab; c.label_count = 1; c.split = i % 5 ? "train" : "val";
        c.group_keys = &gk; c.group_values = &gvp; c.group_count = 1;
        if (synapt_writer_begin_clip(w, &c)) { CHECK(0); break; }
        synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
        d.name = "pose"; d.kind = SYNAPT_KIND_POSE2D; d.dtype = SYNAPT_DTYPE_F32; d.ndim = 3; d.shape[1] = 17; d.shape[2] = 3;
        CHECK_OK(synapt_writer_add_stream(NULL, w, &d));
        float pose[51];
        for (int k = 0; k < 51; k++) pose[k] = (float)(i + k);
        CHECK_OK(synapt_writer_write_pose(w, 0, pose, 1, SYNAPT_PTS_NONE));
        CHECK_OK(synapt_writer_end_clip(w));
    }
    CHECK_OK(synapt_writer_close(w, err, sizeof err));
    synapt_reader *r;
    CHECK_OK(synapt_reader_open(&r, p, NULL));
    if (!r) return;
    CHECK_EQ_INT(synapt_reader_clip_count(r), n);
    CHECK_EQ_INT(synapt_reader_label_count(r), 4);
    int ok = 1;
    for (int i = 0; i < n; i += 37) {
        char id[32];
        snprintf(id, sizeof id, "clip%06d", i);
        uint64_t idx;
        if (synapt_reader_find_clip(&idx, r, id) || idx != (uint64_t)i) ok = 0;
        float pose[51];
        if (synapt_reader_read_pose(pose, 51, r, (uint64_t)i, 0, 0, 1, 1) || pose[50] != (float)(i + 50)) ok = 0;
    }
    CHECK(ok);
    CHECK_OK(synapt_reader_verify(r, NULL, NULL));
    synapt_reader_close(r);
}

/* ---- copy_clip ---- */

static void test_copy_clip(void)
{
    int ok = 1;
    char src[1024], dst[1024];
    snprintf(src, sizeof src, "%s", tpath("copy_src.synapt"));
    snprintf(dst, sizeof dst, "%s", tpath("copy_dst.synapt"));
    write_full(src, 1, &ok);
    synapt_reader *r;
    CHECK_OK(synapt_reader_open(&r, src, NULL));
    if (!r) return;
    synapt_writer *w;
    char err[512];
    synapt_writer_options o = wopts();
    CHECK_OK(synapt_writer_create(&w, dst, &o, err, sizeof err));
    /* a different vocabulary order forces label remapping */
    CHECK_OK(synapt_writer_add_label(NULL, w, "sit"));
    CHECK_OK(synapt_writer_add_label(NULL, w, "zzz"));
    for (int i = NCLIPS - 1; i >= 0; i--) {
        int rc = synapt_writer_copy_clip(w, r, (uint64_t)i, NULL);
        if (rc) printf("  copy: %s\n", synapt_writer_errmsg(w));
        CHECK_OK(rc);
    }
    CHECK_OK(synapt_writer_copy_clip(w, r, 0, "renamed"));
    CHECK_EQ_INT(synapt_writer_copy_clip(w, r, 0, NULL), SYNAPT_E_EXISTS);
    CHECK_OK(synapt_writer_close(w, err, sizeof err));
    synapt_reader *r2;
    CHECK_OK(synapt_reader_open(&r2, dst, NULL));
    if (r2) {
        CHECK_OK(synapt_reader_verify(r2, NULL, NULL));
        CHECK_EQ_INT(synapt_reader_clip_count(r2), NCLIPS + 1);
        for (int i = 0; i < NCLIPS; i++) {
            synapt_clip_info a, b;
            CHECK_OK(synapt_reader_clip(&a, r, (uint64_t)i));
            CHECK_OK(synapt_reader_clip(&b, r2, (uint64_t)(NCLIPS - 1 - i)));
            CHECK(!strcmp(a.id, b.id));
            CHECK(!strcmp(a.meta_json, b.meta_json));
            CHECK_EQ_INT(a.label_count, b.label_count);
            if (a.label_count)
                CHECK(!strcmp(synapt_reader_label_name(r, a.first_label), synapt_reader_label_name(r2, b.first_label)));
            for (uint32_t s = 0; s < a.stream_count; s++) {
                synapt_stream_info x, y;
                CHECK_OK(synapt_reader_stream(&x, r, (uint64_t)i, s));
                CHECK_OK(synapt_reader_stream(&y, r2, (uint64_t)(NCLIPS - 1 - i), s));
                CHECK_EQ_INT(x.frame_count, y.frame_count);
                CHECK_EQ_INT(x.packet_count, y.packet_count);
                CHECK_EQ_INT(x.raw_bytes, y.raw_bytes);
                size_t n1, n2;
                uint8_t *b1 = malloc(x.raw_bytes + 1), *b2 = malloc(y.raw_bytes + 1);
                CHECK_OK(synapt_reader_read_packets(r, (uint64_t)i, s, 0, x.packet_count, b1, x.raw_bytes, &n1));
                CHECK_OK(synapt_reader_read_packets(r2, (uint64_t)(NCLIPS - 1 - i), s, 0, y.packet_count, b2, y.raw_bytes, &n2));
                if (x.kind == SYNAPT_KIND_FRAME_LABELS) {
                    /* ids were translated into the other vocabulary: equal by name */
                    CHECK(n1 == n2 && n1 % 4 == 0);
                    for (size_t k = 0; k + 4 <= n1 && k + 4 <= n2; k += 4) {
                        int32_t u, v;
                        memcpy(&u, b1 + k, 4);
                        memcpy(&v, b2 + k, 4);
                        if (u < 0 || v < 0) CHECK_EQ_INT(u, v);
                        else CHECK(!strcmp(synapt_reader_label_name(r, (uint32_t)u), synapt_reader_label_name(r2, (uint32_t)v)));
                    }
                } else {
                    CHECK(n1 == n2 && !memcmp(b1, b2, n1));
                }
                free(b1);
                free(b2);
            }
        }
        synapt_reader_close(r2);
    }
    synapt_reader_close(r);
}

/* ---- packet chunking: GOPs, all-intra grouping, long GOPs split ---- */

static void test_packet_chunks(void)
{
    char p[1024];
    snprintf(p, sizeof p, "%s", tpath("packets.synapt"));
    synapt_writer *w;
    char err[512];
    synapt_writer_options o = wopts();
    o.chunk_target_bytes = 1000;
    o.chunk_max_frames = 5;
    CHECK_OK(synapt_writer_create(&w, p, &o, err, sizeof err));
    synapt_clip_desc c = SYNAPT_CLIP_DESC_INIT;
    c.id = "pk";
    CHECK_OK(synapt_writer_begin_clip(w, &c));
    synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
    d.name = "intra"; d.kind = SYNAPT_KIND_VIDEO; d.codec = SYNAPT_CODEC_MJPEG; d.ndim = 3;
    d.shape[0] = 8; d.shape[1] = 8; d.shape[2] = 3;
    CHECK_OK(synapt_writer_add_stream(NULL, w, &d));
    d.name = "longgop"; d.codec = SYNAPT_CODEC_H264;
    CHECK_OK(synapt_writer_add_stream(NULL, w, &d));
    uint8_t pkt[700];
    memset(pkt, 7, sizeof pkt);
    for (int i = 0; i < 12; i++)   /* every packet a key: grouped by the frame cap */
        CHECK_OK(synapt_writer_write_packet(w, 0, pkt, 10, i, i, SYNAPT_FRAME_KEY));
    for (int i = 0; i < 30; i++)   /* one GOP of 30 x 700 bytes > 8 x 1000: split */
        CHECK_OK(synapt_writer_write_packet(w, 1, pkt, sizeof pkt, i, i, i == 0 ? SYNAPT_FRAME_KEY : 0));
    CHECK_OK(synapt_writer_write_packet(w, 1, pkt, 5, 30, 30, SYNAPT_FRAME_KEY | SYNAPT_FRAME_DISCARD));
    CHECK_OK(synapt_writer_set_video_info(w, 1, 29, "{\"gop\":30}"));
    CHECK_EQ_INT(synapt_writer_set_video_info(w, 1, 29, "not json"), SYNAPT_E_INVALID_ARG);
    CHECK_OK(synapt_writer_close(w, err, sizeof err));
    synapt_reader *r;
    CHECK_OK(synapt_reader_open(&r, p, NULL));
    if (!r) return;
    synapt_stream_info st;
    CHECK_OK(synapt_reader_stream(&st, r, 0, 0));
    CHECK_EQ_INT(st.chunk_count, 3);   /* 5 + 5 + 2 */
    CHECK_EQ_INT(st.frame_count, 12);
    CHECK_OK(synapt_reader_stream(&st, r, 0, 1));
    CHECK_EQ_INT(st.packet_count, 31);
    CHECK_EQ_INT(st.frame_count, 29);
    CHECK(!strcmp(st.codec_config, "{\"gop\":30}"));
    CHECK_EQ_INT(st.chunk_count, 4);   /* 12 x 700 >= 8000, 12 more, 6, then the key alone */
    synapt_chunk_info ki;
    CHECK_OK(synapt_reader_chunk(&ki, r, 0, 1, 1));
    CHECK_EQ_INT(ki.first_frame, 12);
    synapt_frame_entry e;
    CHECK_OK(synapt_reader_frame_entries(&e, r, 0, 1, 12, 1));
    CHECK_EQ_INT(e.flags & SYNAPT_FRAME_KEY, 0);   /* a mid-GOP chunk starts with a non-key packet */
    CHECK_OK(synapt_reader_frame_entries(&e, r, 0, 1, 30, 1));
    CHECK_EQ_INT(e.flags, SYNAPT_FRAME_KEY | SYNAPT_FRAME_DISCARD | SYNAPT_FRAME_HAS_PTS);
    CHECK_OK(synapt_reader_verify(r, NULL, NULL));
    synapt_reader_close(r);
}

/* ---- allocator hooks ---- */

static size_t live_allocs;
static void *a_malloc(void *o, size_t n) { (void)o; live_allocs++; return malloc(n); }
static void *a_realloc(void *o, void *p, size_t n) { (void)o; if (!p) live_allocs++; return realloc(p, n); }
static void a_free(void *o, void *p) { (void)o; if (p) live_allocs--; free(p); }

static void test_allocator(void)
{
    synapt_allocator al = { a_malloc, a_realloc, a_free, NULL };
    char p[1024];
    snprintf(p, sizeof p, "%s", tpath("alloc.synapt"));
    synapt_writer_options o = wopts();
    o.allocator = &al;
    synapt_writer *w;
    char err[512];
    live_allocs = 0;
    CHECK_OK(synapt_writer_create(&w, p, &o, err, sizeof err));
    synapt_clip_desc c = SYNAPT_CLIP_DESC_INIT;
    c.id = "a";
    CHECK_OK(synapt_writer_begin_clip(w, &c));
    synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
    d.name = "x"; d.kind = SYNAPT_KIND_DEPTH; d.dtype = SYNAPT_DTYPE_U16; d.ndim = 2; d.shape[0] = 4; d.shape[1] = 4;
    CHECK_OK(synapt_writer_add_stream(NULL, w, &d));
    uint16_t fr[16] = { 1, 2, 3 };
    for (int i = 0; i < 100; i++) CHECK_OK(synapt_writer_write_frames(w, 0, fr, sizeof fr, 1, NULL));
    CHECK(live_allocs > 0);
    CHECK_OK(synapt_writer_close(w, err, sizeof err));
    CHECK_EQ_INT(live_allocs, 0);
    synapt_reader_options ro = SYNAPT_READER_OPTIONS_INIT;
    ro.allocator = &al;
    synapt_reader *r;
    CHECK_OK(synapt_reader_open(&r, p, &ro));
    uint16_t back[16 * 100];
    size_t wr;
    CHECK_OK(synapt_reader_read_frames(back, sizeof back, &wr, r, 0, 0, 0, 100));
    CHECK(live_allocs > 0);
    synapt_reader_close(r);
    CHECK_EQ_INT(live_allocs, 0);
}

static void test_enums(void)
{
    CHECK(!strcmp(synapt_version(), SYNAPT_VERSION_STRING));
    CHECK_EQ_INT(synapt_dtype_size(SYNAPT_DTYPE_F64), 8);
    CHECK_EQ_INT(synapt_dtype_size(99), 0);
    CHECK(!strcmp(synapt_dtype_name(SYNAPT_DTYPE_U16), "u16"));
    CHECK_EQ_INT(synapt_dtype_from_name("f32"), SYNAPT_DTYPE_F32);
    CHECK_EQ_INT(synapt_kind_from_name("pose3d"), SYNAPT_KIND_POSE3D);
    CHECK(!strcmp(synapt_kind_name(SYNAPT_KIND_FRAME_LABELS), "frame_labels"));
    CHECK(!strcmp(synapt_kind_name(0), "?"));
    CHECK_EQ_INT(synapt_codec_from_name("vp9"), SYNAPT_CODEC_VP9);
    CHECK_EQ_INT(synapt_codec_from_name("nope"), -1);
    CHECK(!strcmp(synapt_codec_name(SYNAPT_CODEC_OTHER), "other"));
    CHECK_EQ_INT(synapt_channels_count(SYNAPT_CHANNELS_XYZC), 4);
    CHECK(!strcmp(synapt_strerror(SYNAPT_E_CHECKSUM), "checksum mismatch"));
    CHECK(synapt_strerror(-999) != NULL);
    for (int e = 0; e >= -18; e--) CHECK(strcmp(synapt_strerror(e), "unknown error") != 0);
}

int main(void)
{
    RUN(test_enums);
    RUN(test_roundtrip_combos);
    RUN(test_single_big_chunk);
    RUN(test_full_file);
    RUN(test_pose_filter_choice);
    RUN(test_determinism);
    RUN(test_atomicity);
    RUN(test_file_mode);
    RUN(test_empty_and_edge);
    RUN(test_threads);
    RUN(test_many_clips);
    RUN(test_copy_clip);
    RUN(test_packet_chunks);
    RUN(test_allocator);
    TEST_MAIN_END();
}
