/* test_clip_json.c - the CLIP record JSON (spec/format.md "CLIP body"):
 * what the writer builds parses back field for field (the recovery path
 * rebuilds an index from it), and malformed records are refused. */
#include <cjson/cJSON.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h" /* white box: the CLIP JSON codec (sy_clip_json_*) is private */
#include "testutil.h"

static void test_build_parse(void)
{
    sy_mem m;
    sy_mem_init(&m, NULL);
    static const uint8_t extra[] = { 0, 1, 2, 0xff, 0x80, 7, 9 };
    sy_json_stream st[2];
    memset(st, 0, sizeof st);
    st[0].name = "depth"; st[0].kind = SYNAPT_KIND_DEPTH; st[0].dtype = SYNAPT_DTYPE_U16; st[0].codec = SYNAPT_CODEC_RAW;
    st[0].ndim = 2; st[0].shape[0] = 480; st[0].shape[1] = 640; st[0].fps_num = 30; st[0].fps_den = 1;
    st[0].scale = 0.001; st[0].units = "m"; st[0].compression = 1; st[0].filter = 2; st[0].frames = 33;
    st[0].packets = 33; st[0].has_pts = 1;
    st[1].name = "rgb"; st[1].kind = SYNAPT_KIND_VIDEO; st[1].codec = SYNAPT_CODEC_H264; st[1].ndim = 3;
    st[1].shape[0] = 240; st[1].shape[1] = 320; st[1].shape[2] = 3; st[1].fps_num = 30000; st[1].fps_den = 1001;
    st[1].scale = 1; st[1].frames = 99; st[1].packets = 101; st[1].extradata = extra; st[1].extradata_size = sizeof extra;
    st[1].codec_config = "{\"pix_fmt\":\"yuv420p\",\"time_base\":[1,30000]}";
    st[1].skeleton = SYNAPT_SKELETON_COCO17; st[1].channels = SYNAPT_CHANNELS_XYC; st[1].max_persons = 3;
    const char *labels[] = { "walk", "wave \"hi\"" };
    const char *gk[] = { "actor" }, *gv[] = { "P001" };
    sy_json_clip c = { 17, "v_Clip\\g01", labels, 2, "train", "ntu", 1, gk, gv, 1, "{\"a\":[1,2],\"b\":\"x\"}", st, 2 };
    sy_buf out = { 0 };
    char err[256] = "";
    CHECK_OK(sy_clip_json_build(&m, &out, &c, err, sizeof err));
    sy_clip_parsed p;
    CHECK_OK(sy_clip_json_parse(&m, &p, out.data, out.len, 256, err, sizeof err));
    CHECK_EQ_INT(p.clip.clip_index, 17);
    CHECK(!strcmp(p.clip.id, "v_Clip\\g01"));
    CHECK_EQ_INT(p.clip.label_count, 2);
    CHECK(!strcmp(p.clip.labels[1], "wave \"hi\""));
    CHECK(!strcmp(p.clip.split, "train"));
    CHECK(!strcmp(p.clip.source, "ntu"));
    CHECK_EQ_INT(p.clip.synthetic, 1);
    CHECK_EQ_INT(p.clip.group_count, 1);
    CHECK(!strcmp(p.clip.group_values[0], "P001"));
    CHECK(!strcmp(p.clip.meta_json, "{\"a\":[1,2],\"b\":\"x\"}"));
    CHECK_EQ_INT(p.clip.stream_count, 2);
    for (int i = 0; i < 2; i++) {
        const sy_json_stream *a = &st[i], *b = &p.clip.streams[i];
        CHECK(!strcmp(a->name, b->name));
        CHECK_EQ_INT(a->kind, b->kind);
        CHECK_EQ_INT(a->dtype, b->dtype);
        CHECK_EQ_INT(a->codec, b->codec);
        CHECK_EQ_INT(a->ndim, b->ndim);
        for (int d = 0; d < 4; d++) CHECK_EQ_INT(a->shape[d], b->shape[d]);
        CHECK_EQ_INT(a->fps_num, b->fps_num);
        CHECK_EQ_INT(a->fps_den, b->fps_den);
        CHECK(a->scale == b->scale);
        CHECK(!strcmp(a->units ? a->units : "", b->units));
        CHECK_EQ_INT(a->skeleton, b->skeleton);
        CHECK_EQ_INT(a->channels, b->channels);
        CHECK_EQ_INT(a->compression, b->compression);
        CHECK_EQ_INT(a->filter, b->filter);
        CHECK_EQ_INT(a->frames, b->frames);
        CHECK_EQ_INT(a->packets, b->packets);
        CHECK_EQ_INT(a->has_pts, b->has_pts);
        CHECK_EQ_INT(a->max_persons, b->max_persons);
        CHECK_EQ_INT(a->extradata_size, b->extradata_size);
        CHECK(!a->extradata_size || !memcmp(a->extradata, b->extradata, a->extradata_size));
    }
    CHECK(!strcmp(p.clip.streams[1].codec_config, "{\"pix_fmt\":\"yuv420p\",\"time_base\":[1,30000]}"));
    sy_clip_json_free(&m, &p);
    /* stream limit */
    CHECK_EQ_INT(sy_clip_json_parse(&m, &p, out.data, out.len, 1, err, sizeof err), SYNAPT_E_LIMIT);
    sy_buf_free(&m, &out);
}

/* The builder takes meta and codec_config verbatim: the writer refuses
 * text that is not a JSON object where it is given, before any record. */
static void test_writer_refuses_non_objects(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/clip_json_%d.synapt", tu_tmp_dir(), (int)getpid());
    synapt_writer *w = NULL;
    CHECK_OK(synapt_writer_create(&w, path, NULL, NULL, 0));
    if (!w) return;
    synapt_clip_desc cd = SYNAPT_CLIP_DESC_INIT;
    cd.id = "a";
    const char *bad[] = { "[1]", "1", "\"x\"", "{", "{} {}", "null" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cd.meta_json = bad[i];
        CHECK_EQ_INT(synapt_writer_begin_clip(w, &cd), SYNAPT_E_INVALID_ARG);
    }
    cd.meta_json = "{\"k\": [1, 2]}";
    CHECK_OK(synapt_writer_begin_clip(w, &cd));
    synapt_stream_desc sd = SYNAPT_STREAM_DESC_INIT;
    sd.name = "rgb";
    sd.kind = SYNAPT_KIND_VIDEO;
    sd.codec = SYNAPT_CODEC_H264;
    sd.ndim = 3;
    sd.shape[0] = 16; sd.shape[1] = 16; sd.shape[2] = 3;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        sd.codec_config = bad[i];
        CHECK_EQ_INT(synapt_writer_add_stream(NULL, w, &sd), SYNAPT_E_INVALID_ARG);
    }
    uint32_t si = 0;
    sd.codec_config = NULL;
    CHECK_OK(synapt_writer_add_stream(&si, w, &sd));
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK_EQ_INT(synapt_writer_set_video_info(w, si, 0, bad[i]), SYNAPT_E_INVALID_ARG);
    synapt_writer_abort(w);
    struct stat st;
    CHECK(stat(path, &st) != 0);
}

static void test_malformed(void)
{
    sy_mem m;
    sy_mem_init(&m, NULL);
    const char *bad[] = {
        "", "[]", "{", "{\"id\":5}", "{\"id\":\"\"}", "{\"id\":\"a\",\"labels\":{}}",
        "{\"id\":\"a\",\"labels\":[1]}", "{\"id\":\"a\",\"groups\":[[\"k\"]]}",
        "{\"id\":\"a\",\"streams\":[{\"kind\":\"nope\"}]}", "{\"id\":\"a\",\"streams\":[{\"shape\":[1,2,3,4,5]}]}",
        "{\"id\":\"a\",\"streams\":[{\"shape\":[-1]}]}", "{\"id\":\"a\",\"streams\":[{\"extradata\":\"***\"}]}",
        "{\"id\":\"a\",\"streams\":[{\"compression\":9}]}", "{\"id\":\"a\",\"streams\":[{\"fps\":[1]}]}",
        "{\"id\":\"a\",\"meta\":[]}", "{\"id\":\"a\",\"streams\":[{\"codec_config\":3}]}",
        "{\"id\":\"a\",\"clip_index\":-1}",
        /* skeleton, channels, kind and codec are registry names, never numbers */
        "{\"id\":\"a\",\"streams\":[{\"skeleton\":1}]}", "{\"id\":\"a\",\"streams\":[{\"skeleton\":1e300}]}",
        "{\"id\":\"a\",\"streams\":[{\"channels\":2}]}", "{\"id\":\"a\",\"streams\":[{\"codec\":1}]}",
        "{\"id\":\"a\",\"streams\":[{\"kind\":4}]}", "{\"id\":\"a\",\"streams\":[{\"skeleton\":\"nope\"}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sy_clip_parsed p;
        char err[256] = "";
        int rc = sy_clip_json_parse(&m, &p, bad[i], strlen(bad[i]), 256, err, sizeof err);
        if (rc != SYNAPT_E_CORRUPT) printf("  %s: %d\n", bad[i], rc);
        CHECK_EQ_INT(rc, SYNAPT_E_CORRUPT);
        CHECK(err[0] != 0);
    }
    sy_clip_parsed p;
    char err[256];
    CHECK_OK(sy_clip_json_parse(&m, &p, "{\"id\":\"minimal\"}", 16, 256, err, sizeof err));
    CHECK(!strcmp(p.clip.id, "minimal"));
    CHECK(!strcmp(p.clip.meta_json, "{}"));
    CHECK_EQ_INT(p.clip.stream_count, 0);
    sy_clip_json_free(&m, &p);
}

/* sy_json_i64/u64 print exactly what cJSON prints for the same value as
 * a number, at the edges of the raw range and past it. */
static void test_int_items(void)
{
    static const int64_t iv[] = { 0, 1, -1, 7, 30000, 1001, -2147483648LL, 4294967295LL, 999999999999999LL,
                                  -999999999999999LL, 1000000000000000LL, -1000000000000000LL,
                                  9007199254740993LL, INT64_MAX, INT64_MIN };
    static const uint64_t uv[] = { 0, 1, 999999999999999ULL, 1000000000000000ULL, 18446744073709551615ULL };
    for (size_t i = 0; i < sizeof iv / sizeof *iv + sizeof uv / sizeof *uv; i++) {
        int is_u = i >= sizeof iv / sizeof *iv;
        cJSON *a = cJSON_CreateArray(), *b = cJSON_CreateArray();
        if (is_u) {
            uint64_t v = uv[i - sizeof iv / sizeof *iv];
            cJSON_AddItemToArray(a, sy_json_u64(v));
            cJSON_AddItemToArray(b, cJSON_CreateNumber((double)v));
        } else {
            cJSON_AddItemToArray(a, sy_json_i64(iv[i]));
            cJSON_AddItemToArray(b, cJSON_CreateNumber((double)iv[i]));
        }
        char *x = cJSON_PrintUnformatted(a), *y = cJSON_PrintUnformatted(b);
        CHECK(x && y && strcmp(x, y) == 0);
        if (x && y && strcmp(x, y))
            printf("  %s printed, cJSON prints %s\n", x, y);
        cJSON_free(x);
        cJSON_free(y);
        cJSON_Delete(a);
        cJSON_Delete(b);
    }
    cJSON *o = cJSON_CreateObject();
    CHECK(sy_json_add_u64(o, "frames", 42) != NULL);
    CHECK(sy_json_add_i64(o, "first_pts", -3) != NULL);
    char *t = cJSON_PrintUnformatted(o);
    CHECK(t && !strcmp(t, "{\"frames\":42,\"first_pts\":-3}"));
    cJSON_free(t);
    cJSON_Delete(o);
}

int main(void)
{
    RUN(test_build_parse);
    RUN(test_int_items);
    RUN(test_writer_refuses_non_objects);
    RUN(test_malformed);
    TEST_MAIN_END();
}
