/* test_dataset.c - synapt_dataset over manifests (spec/dataset.md): clip
 * numbering with select, label maps and a built vocabulary, lazy bounded
 * member opening, the same bytes as the member reader, and hostile
 * manifests each refused with its named code and one line naming the file. */
#include <stdint.h>
#include <sys/stat.h>
#include "synapt.h"
#include "testutil.h"

static char dir[512];

static const char *tpath(const char *name)
{
    static char buf[4][700];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

/* n clips "PREFIX-i", clip i labelled labels[i % nl], one custom u8 stream
 * of 3 frames of 4 bytes whose values derive from (seed, i). */
static int make_file(const char *name, const char *prefix, int n, const char *const *labels,
                     int nl, int seed)
{
    synapt_writer_options o = SYNAPT_WRITER_OPTIONS_INIT;
    o.fsync = 0;
    synapt_writer *w;
    char err[512];
    if (synapt_writer_create(&w, tpath(name), &o, err, sizeof err)) {
        printf("  create: %s\n", err);
        return 0;
    }
    for (int i = 0; i < n; i++) {
        char id[64];
        snprintf(id, sizeof id, "%s-%d", prefix, i);
        synapt_clip_desc c = SYNAPT_CLIP_DESC_INIT;
        c.id = id;
        c.labels = &labels[i % nl];
        c.label_count = 1;
        c.source = prefix;
        if (synapt_writer_begin_clip(w, &c)) { printf("  %s\n", synapt_writer_errmsg(w)); return 0; }
        synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
        d.name = "x";
        d.kind = SYNAPT_KIND_CUSTOM;
        d.dtype = SYNAPT_DTYPE_U8;
        d.ndim = 1;
        d.shape[0] = 4;
        uint32_t s;
        uint8_t data[12];
        for (int b = 0; b < 12; b++) data[b] = (uint8_t)(seed * 31 + i * 7 + b);
        if (synapt_writer_add_stream(&s, w, &d) ||
            synapt_writer_write_frames(w, s, data, sizeof data, 3, NULL) ||
            synapt_writer_end_clip(w)) {
            printf("  %s\n", synapt_writer_errmsg(w));
            return 0;
        }
    }
    if (synapt_writer_close(w, err, sizeof err)) { printf("  close: %s\n", err); return 0; }
    return 1;
}

/* The manifest entry fields of a file: "uuid":"..","clips":N,"size":N */
static void entry_of(char *out, size_t cap, const char *name)
{
    synapt_reader *r;
    synapt_file_info fi;
    out[0] = 0;
    if (synapt_reader_open(&r, tpath(name), NULL)) return;
    synapt_reader_file_info(&fi, r);
    char hex[33];
    for (int i = 0; i < 16; i++) sprintf(hex + 2 * i, "%02x", fi.uuid[i]);
    snprintf(out, cap, "\"uuid\":\"%s\",\"clips\":%llu,\"size\":%llu", hex,
             (unsigned long long)fi.clip_count, (unsigned long long)fi.file_bytes);
    synapt_reader_close(r);
}

static void write_text(const char *name, const char *text)
{
    FILE *f = fopen(tpath(name), "wb");
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

static char ea[256], eb[256], ec[256];
static const char *la[] = { "walk", "run" };
static const char *lb[] = { "jog", "sit", "smoke" };
static int files_ok;

static void setup(void)
{
    snprintf(dir, sizeof dir, "%s/dataset", tu_tmp_dir());
    mkdir(dir, 0755);
    mkdir(tpath("sub"), 0755);
    files_ok = make_file("a.synapt", "a", 5, la, 2, 1) && make_file("sub/b.synapt", "b", 6, lb, 3, 2) &&
               make_file("c.synapt", "c", 2, la, 1, 3);
    entry_of(ea, sizeof ea, "a.synapt");
    entry_of(eb, sizeof eb, "sub/b.synapt");
    entry_of(ec, sizeof ec, "c.synapt");
}

static int same_frames(synapt_dataset *ds, uint64_t g, const char *file, uint64_t clip)
{
    synapt_reader *r;
    if (synapt_reader_open(&r, tpath(file), NULL)) return 0;
    uint8_t x[12], y[12];
    size_t nx = 0, ny = 0;
    int ok = synapt_dataset_read_frames(x, sizeof x, &nx, ds, g, 0, 0, 3) == 0 &&
             synapt_reader_read_frames(y, sizeof y, &ny, r, clip, 0, 0, 3) == 0 &&
             nx == 12 && ny == 12 && !memcmp(x, y, 12);
    synapt_reader_close(r);
    return ok;
}

static void single_file(void)
{
    synapt_dataset *ds;
    char err[512];
    CHECK_OK(synapt_dataset_open(&ds, tpath("a.synapt"), NULL, err, sizeof err));
    if (!ds) return;
    CHECK_EQ_INT(synapt_dataset_is_manifest(ds), 0);
    CHECK_EQ_INT(synapt_dataset_clip_count(ds), 5);
    CHECK_EQ_INT(synapt_dataset_label_count(ds), 2);
    synapt_clip_info ci;
    CHECK_OK(synapt_dataset_clip(&ci, ds, 3));
    CHECK(!strcmp(ci.id, "a-3"));
    CHECK(!strcmp(synapt_dataset_label_name(ds, ci.first_label), "run"));
    CHECK(same_frames(ds, 4, "a.synapt", 4));
    synapt_dataset_close(ds);

    /* a program built against 0.3 passes options version 1, whose reader
     * struct ended at use_mmap: its max_open_members sits where 0.4 has
     * reader.video_threads and must be read from the old place */
    struct { unsigned version; const synapt_allocator *allocator; synapt_limits limits;
             int verify_checksums, verify_index, use_mmap; } r1 = { 1, NULL, SYNAPT_LIMITS_DEFAULT_INIT, 1, 1, 1 };
    struct { unsigned version; __typeof__(r1) reader; uint64_t max_manifest_bytes;
             uint32_t max_members, max_labels, max_open_members; } o1 = { 1, r1, 64ull << 20, 65536, 1u << 20, 0 };
    CHECK_EQ_INT(synapt_dataset_open(&ds, tpath("a.synapt"), (const synapt_dataset_options *)(const void *)&o1,
                                     err, sizeof err), SYNAPT_E_INVALID_ARG); /* max_open_members 0 */
    o1.max_open_members = 4;
    CHECK_OK(synapt_dataset_open(&ds, tpath("a.synapt"), (const synapt_dataset_options *)(const void *)&o1,
                                 err, sizeof err));
    if (ds) {
        CHECK_EQ_INT(synapt_dataset_clip_count(ds), 5);
        synapt_dataset_close(ds);
    }
}

/* The spec's section 11 shape: two whole members, one with select and a map. */
static void manifest_select_map(void)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"schema\":\"synapt-dataset/1\",\"labels\":[\"walk\",\"run\",\"jog\"],\"members\":[\n"
             "{\"path\":\"a.synapt\",%s},\n"
             "{\"path\":\"sub/b.synapt\",%s,\"select\":[1,2,4,5],\"label_map\":{\"sit\":\"walk\",\"smoke\":null}}]}\n",
             ea, eb);
    write_text("m1.synapt.json", text);
    synapt_dataset_options o = SYNAPT_DATASET_OPTIONS_INIT;
    o.max_open_members = 1;
    synapt_dataset *ds;
    char err[512];
    CHECK_OK(synapt_dataset_open(&ds, tpath("m1.synapt.json"), &o, err, sizeof err));
    if (!ds) { printf("  %s\n", err); return; }
    CHECK_EQ_INT(synapt_dataset_is_manifest(ds), 1);
    CHECK_EQ_INT(synapt_dataset_clip_count(ds), 9);
    uint32_t m;
    uint64_t k;
    CHECK_OK(synapt_dataset_locate(&m, &k, ds, 6));
    CHECK_EQ_INT(m, 1);
    CHECK_EQ_INT(k, 2);
    /* b's clips 1, 2, 4, 5 are sit, smoke, sit, smoke */
    synapt_clip_info ci;
    CHECK_OK(synapt_dataset_clip(&ci, ds, 5));
    CHECK(!strcmp(ci.id, "b-1"));
    CHECK_EQ_INT(ci.index, 5);
    CHECK_EQ_INT(ci.label_count, 1);
    CHECK_EQ_INT(ci.first_label, 0);          /* sit -> walk */
    CHECK_OK(synapt_dataset_clip(&ci, ds, 6));
    CHECK_EQ_INT(ci.label_count, 0);          /* smoke dropped */
    CHECK_EQ_INT(ci.first_label, UINT32_MAX);
    /* alternate between members with one open at a time */
    for (int rep = 0; rep < 3; rep++) {
        CHECK(same_frames(ds, 1, "a.synapt", 1));
        CHECK(same_frames(ds, 8, "sub/b.synapt", 5));
    }
    uint64_t g;
    CHECK_OK(synapt_dataset_find_clip(&g, ds, "b-4"));
    CHECK_EQ_INT(g, 7);
    CHECK_EQ_INT(synapt_dataset_find_clip(&g, ds, "b-3"), SYNAPT_E_NOT_FOUND); /* not selected */
    CHECK_EQ_INT(synapt_dataset_clip(&ci, ds, 9), SYNAPT_E_RANGE);
    CHECK_OK(synapt_dataset_verify(ds, NULL, NULL));
    synapt_reader *r;
    CHECK_OK(synapt_dataset_acquire(&r, &k, ds, 8));
    CHECK_EQ_INT(k, 5);
    CHECK_EQ_INT(synapt_reader_clip_count(r), 6);
    synapt_dataset_release(ds, r);
    synapt_dataset_close(ds);
}

/* No `labels`: the vocabulary is built from the members in order. */
static void manifest_built_vocab(void)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"schema\":\"synapt-dataset/1\",\"members\":[\n"
             "{\"path\":\"sub/b.synapt\",%s,\"label_map\":{\"jog\":\"run\"}},\n"
             "{\"path\":\"c.synapt\",%s},\n{\"path\":\"a.synapt\",%s,\"select\":[]}]}\n",
             eb, ec, ea);
    write_text("m2.synapt.json", text);
    synapt_dataset *ds;
    char err[512];
    CHECK_OK(synapt_dataset_open(&ds, tpath("m2.synapt.json"), NULL, err, sizeof err));
    if (!ds) { printf("  %s\n", err); return; }
    CHECK_EQ_INT(synapt_dataset_clip_count(ds), 8);
    /* b: jog->run, sit, smoke; c: walk; a adds nothing new after run */
    CHECK_EQ_INT(synapt_dataset_label_count(ds), 4);
    CHECK(!strcmp(synapt_dataset_label_name(ds, 0), "run"));
    CHECK(!strcmp(synapt_dataset_label_name(ds, 3), "walk"));
    synapt_clip_info ci;
    CHECK_OK(synapt_dataset_clip(&ci, ds, 7));
    CHECK(!strcmp(ci.id, "c-1"));
    CHECK_EQ_INT(ci.first_label, 3);
    synapt_dataset_close(ds);
}

static void duplicate_ids(void)
{
    /* the same file cannot be listed twice: a copy of a with a new uuid
     * holds the same ids, which full verification reports */
    if (!make_file("a2.synapt", "a", 5, la, 2, 9)) { CHECK(0); return; }
    char e2[256], text[2048];
    entry_of(e2, sizeof e2, "a2.synapt");
    snprintf(text, sizeof text,
             "{\"schema\":\"synapt-dataset/1\",\"members\":[{\"path\":\"a.synapt\",%s},"
             "{\"path\":\"a2.synapt\",%s}]}", ea, e2);
    write_text("dup.synapt.json", text);
    synapt_dataset *ds;
    char err[512];
    CHECK_OK(synapt_dataset_open(&ds, tpath("dup.synapt.json"), NULL, err, sizeof err));
    if (!ds) return;
    uint64_t g;
    CHECK_OK(synapt_dataset_find_clip(&g, ds, "a-2"));
    CHECK_EQ_INT(g, 2);
    CHECK_EQ_INT(synapt_dataset_verify(ds, NULL, NULL), SYNAPT_E_EXISTS);
    CHECK(strstr(synapt_dataset_errmsg(ds), "a-0") != NULL);
    synapt_dataset_close(ds);
}

/* Each bad manifest: the code, and one line naming the manifest (and the
 * member) with `want` in it. `at_open` 0: the failure comes on first use. */
static void expect(const char *text, int code, const char *want, int at_open)
{
    write_text("bad.synapt.json", text);
    synapt_dataset *ds = NULL;
    char err[1024] = "";
    int rc = synapt_dataset_open(&ds, tpath("bad.synapt.json"), NULL, err, sizeof err);
    const char *msg = err;
    if (!at_open && rc == 0) {
        synapt_clip_info ci;
        rc = synapt_dataset_clip(&ci, ds, 0);
        msg = synapt_dataset_errmsg(ds);
    }
    int ok = rc == code && strstr(msg, "bad.synapt.json") && strstr(msg, want) &&
             !strchr(msg, '\n');
    if (!ok) {
        tu_case_failed_ = 1;
        printf("  check failed: %.80s... -> %d (want %d) \"%s\" (want \"%s\")\n", text, rc, code, msg, want);
    }
    synapt_dataset_close(ds);
}

static void hostile(void)
{
    char t[2048];
    expect("{\"schema\":\"synapt-dataset/1\",\"members\":[", SYNAPT_E_MANIFEST, "not valid JSON", 1);
    expect("hello", SYNAPT_E_NOT_SYNAPT, "neither", 1);
    expect("{\"schema\":\"other/1\",\"members\":[]}", SYNAPT_E_NOT_SYNAPT, "neither", 1);
    expect("{\"schema\":\"synapt-dataset/2\",\"members\":[]}", SYNAPT_E_VERSION, "synapt-dataset/2", 1);
    expect("{\"schema\":\"synapt-dataset/1\",\"requires\":[\"frames\"],\"members\":[]}",
           SYNAPT_E_FEATURE, "frames", 1);
    expect("{\"schema\":\"synapt-dataset/1\",\"members\":[],\"members\":[]}", SYNAPT_E_MANIFEST, "twice", 1);
    expect("{\"schema\":\"synapt-dataset/1\"}", SYNAPT_E_MANIFEST, "members", 1);
    expect("{\"schema\":\"synapt-dataset/1\",\"members\":[]} x", SYNAPT_E_MANIFEST, "after", 1);
    expect("{\"schema\":\"synapt-dataset/1\",\"name\":\"a\\u0000b\",\"members\":[]}", SYNAPT_E_MANIFEST, "NUL", 1);
    /* section 2 on the raw text: what cJSON alone would let through */
    expect("\xEF\xBB\xBF{\"schema\":\"synapt-dataset/1\",\"members\":[]}", SYNAPT_E_MANIFEST, "byte-order mark", 1);
    expect("{\"schema\":\"synapt-dataset/1\",\"name\":\"a\xC3\",\"members\":[]}", SYNAPT_E_MANIFEST, "UTF-8", 1);
    expect("{\"schema\":\"synapt-dataset/1\",\"name\":\"\xED\xA0\x80\",\"members\":[]}", SYNAPT_E_MANIFEST, "UTF-8", 1);
    expect("{\"schema\":\"synapt-dataset/1\",\"name\":\"\xC0\xAF\",\"members\":[]}", SYNAPT_E_MANIFEST, "UTF-8", 1);
    expect("{\"schema\":\"synapt-dataset/1\",\"name\":\"a\tb\",\"members\":[]}", SYNAPT_E_MANIFEST, "control", 1);
    expect("{\"schema\":\"synapt-dataset/1\",\"x\":007,\"members\":[]}", SYNAPT_E_MANIFEST, "leading zero", 1);
    expect("{\"schema\":\"synapt-dataset/1\",\"x\":-01,\"members\":[]}", SYNAPT_E_MANIFEST, "leading zero", 1);
    expect("{\"schema\":\"synapt-dataset/1\",\"members\":[]}{\"schema\":\"synapt-dataset/1\",\"members\":[]}",
           SYNAPT_E_MANIFEST, "after", 1);
    expect("{\"schema\":\"synapt-dataset/1\",\"x\":{\"a\":1,\"b\":{\"c\":2,\"c\":3}},\"members\":[]}",
           SYNAPT_E_MANIFEST, "\"c\" twice", 1);
    {
        char deep[200];
        size_t k = (size_t)snprintf(deep, sizeof deep, "{\"schema\":\"synapt-dataset/1\",\"members\":[],\"x\":");
        for (int i = 0; i < 32; i++) deep[k++] = '[';   /* levels 2..33 */
        for (int i = 0; i < 32; i++) deep[k++] = ']';
        deep[k++] = '}';
        deep[k] = 0;
        expect(deep, SYNAPT_E_MANIFEST, "deeper than 32", 1);
        /* 32 levels exactly, unknown member with a multibyte name: accepted */
        snprintf(deep, sizeof deep, "{\"schema\":\"synapt-dataset/1\",\"members\":[],\"caf\xC3\xA9\":"
                 "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],\"n\":9007199254740993}");
        write_text("ok.synapt.json", deep);
        synapt_dataset *ds = NULL;
        char err[512] = "";
        CHECK_OK(synapt_dataset_open(&ds, tpath("ok.synapt.json"), NULL, err, sizeof err));
        if (*err) printf("  %s\n", err);
        synapt_dataset_close(ds);
    }
    expect("{\"schema\":\"synapt-dataset/1\",\"members\":[{\"path\":\"a.synapt\","
           "\"uuid\":\"00000000000000000000000000000000\",\"clips\":9007199254740993,\"size\":9}]}",
           SYNAPT_E_MANIFEST, "clips", 1);
    const char *paths[] = { "/etc/passwd", "../a.synapt", "sub/../a.synapt", "./a.synapt", "a//b",
                            "c:a.synapt", "sub\\\\b.synapt" };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        snprintf(t, sizeof t, "{\"schema\":\"synapt-dataset/1\",\"members\":[{\"path\":\"%s\",%s}]}",
                 paths[i], ea);
        expect(t, SYNAPT_E_MANIFEST, "path", 1);
    }
    expect("{\"schema\":\"synapt-dataset/1\",\"members\":[{\"path\":\"a.synapt\","
           "\"uuid\":\"00\",\"clips\":1,\"size\":9}]}", SYNAPT_E_MANIFEST, "uuid", 1);
    expect("{\"schema\":\"synapt-dataset/1\",\"members\":[{\"path\":\"a.synapt\","
           "\"uuid\":\"00000000000000000000000000000000\",\"clips\":1e300,\"size\":9}]}",
           SYNAPT_E_MANIFEST, "clips", 1);
    expect("{\"schema\":\"synapt-dataset/1\",\"members\":[{\"path\":\"a.synapt\","
           "\"uuid\":\"00000000000000000000000000000000\",\"clips\":4294967296,\"size\":9}]}",
           SYNAPT_E_MANIFEST, "clips", 1);
    expect("{\"schema\":\"synapt-dataset/1\",\"members\":[{\"path\":\"a.synapt\","
           "\"uuid\":\"00000000000000000000000000000000\",\"clips\":3,\"size\":9.5}]}",
           SYNAPT_E_MANIFEST, "size", 1);
    snprintf(t, sizeof t, "{\"schema\":\"synapt-dataset/1\",\"members\":[{\"path\":\"a.synapt\",%s,"
             "\"select\":[2,1]}]}", ea);
    expect(t, SYNAPT_E_MANIFEST, "increasing", 1);
    snprintf(t, sizeof t, "{\"schema\":\"synapt-dataset/1\",\"members\":[{\"path\":\"a.synapt\",%s,"
             "\"select\":[5]}]}", ea);
    expect(t, SYNAPT_E_MANIFEST, "below", 1);
    snprintf(t, sizeof t, "{\"schema\":\"synapt-dataset/1\",\"members\":[{\"path\":\"a.synapt\",%s},"
             "{\"path\":\"a.synapt\",%s}]}", ea, eb);
    expect(t, SYNAPT_E_MANIFEST, "twice", 1);
    snprintf(t, sizeof t, "{\"schema\":\"synapt-dataset/1\",\"members\":[{\"path\":\"a.synapt\",%s},"
             "{\"path\":\"c.synapt\",%s}]}", ea, ea);
    expect(t, SYNAPT_E_MANIFEST, "same uuid", 1);
    snprintf(t, sizeof t, "{\"schema\":\"synapt-dataset/1\",\"labels\":[\"walk\",\"walk\"],\"members\":[]}");
    expect(t, SYNAPT_E_MANIFEST, "twice", 1);
    snprintf(t, sizeof t, "{\"schema\":\"synapt-dataset/1\",\"labels\":[\"walk\",\"run\"],\"members\":"
             "[{\"path\":\"a.synapt\",%s,\"label_map\":{\"walk\":\"fly\"}}]}", ea);
    expect(t, SYNAPT_E_MANIFEST, "fly", 1);
    /* member checks, on first use */
    snprintf(t, sizeof t, "{\"schema\":\"synapt-dataset/1\",\"labels\":[\"walk\",\"run\"],\"members\":"
             "[{\"path\":\"gone.synapt\",%s}]}", ea);
    expect(t, SYNAPT_E_MEMBER_MISSING, "gone.synapt", 0);
    snprintf(t, sizeof t, "{\"schema\":\"synapt-dataset/1\",\"labels\":[\"walk\",\"run\"],\"members\":"
             "[{\"path\":\"c.synapt\",%s}]}", ea);   /* a's numbers, c's bytes */
    expect(t, SYNAPT_E_MEMBER_SIZE, "c.synapt", 0);
    char fake[256];
    snprintf(fake, sizeof fake, "%s", ea);
    char *u = strstr(fake, "\"uuid\":\"") + 8;
    u[0] = u[0] == '0' ? '1' : '0';
    snprintf(t, sizeof t, "{\"schema\":\"synapt-dataset/1\",\"labels\":[\"walk\",\"run\"],\"members\":"
             "[{\"path\":\"a.synapt\",%s}]}", fake);
    expect(t, SYNAPT_E_MEMBER_UUID, "uuid", 0);
    snprintf(fake, sizeof fake, "%s", ea);
    strstr(fake, "\"clips\":5")[8] = '4';
    snprintf(t, sizeof t, "{\"schema\":\"synapt-dataset/1\",\"labels\":[\"walk\",\"run\"],\"members\":"
             "[{\"path\":\"a.synapt\",%s}]}", fake);
    expect(t, SYNAPT_E_MEMBER_CLIPS, "clips", 0);
    snprintf(t, sizeof t, "{\"schema\":\"synapt-dataset/1\",\"labels\":[\"walk\",\"run\"],\"members\":"
             "[{\"path\":\"a.synapt\",%s,\"label_map\":{\"fly\":null}}]}", ea);
    expect(t, SYNAPT_E_MEMBER_LABEL, "fly", 0);
    snprintf(t, sizeof t, "{\"schema\":\"synapt-dataset/1\",\"labels\":[\"walk\"],\"members\":"
             "[{\"path\":\"a.synapt\",%s}]}", ea);
    write_text("bad.synapt.json", t);   /* clip 1 is "run": not in labels (D16) */
    synapt_dataset *ds;
    char err[512];
    CHECK_OK(synapt_dataset_open(&ds, tpath("bad.synapt.json"), NULL, err, sizeof err));
    if (ds) {
        synapt_clip_info ci;
        CHECK_OK(synapt_dataset_clip(&ci, ds, 0));
        CHECK_EQ_INT(synapt_dataset_clip(&ci, ds, 1), SYNAPT_E_MEMBER_LABEL);
        CHECK(strstr(synapt_dataset_errmsg(ds), "\"run\"") != NULL);
        synapt_dataset_close(ds);
    }
    /* a manifest over the size limit is refused before it is read */
    synapt_dataset_options o = SYNAPT_DATASET_OPTIONS_INIT;
    o.max_manifest_bytes = 10;
    CHECK_EQ_INT(synapt_dataset_open(&ds, tpath("bad.synapt.json"), &o, err, sizeof err), SYNAPT_E_LIMIT);
    o = (synapt_dataset_options)SYNAPT_DATASET_OPTIONS_INIT;
    o.max_members = 1;
    snprintf(t, sizeof t, "{\"schema\":\"synapt-dataset/1\",\"members\":[{\"path\":\"a.synapt\",%s},"
             "{\"path\":\"c.synapt\",%s}]}", ea, ec);
    write_text("bad.synapt.json", t);
    CHECK_EQ_INT(synapt_dataset_open(&ds, tpath("bad.synapt.json"), &o, err, sizeof err), SYNAPT_E_LIMIT);
    /* a manifest naming a manifest: members do not nest (D12) */
    struct stat st;
    if (stat(tpath("m1.synapt.json"), &st) == 0) {
        snprintf(t, sizeof t, "{\"schema\":\"synapt-dataset/1\",\"labels\":[],\"members\":"
                 "[{\"path\":\"m1.synapt.json\",\"uuid\":\"00000000000000000000000000000000\","
                 "\"clips\":1,\"size\":%lld}]}", (long long)st.st_size);
        expect(t, SYNAPT_E_NOT_SYNAPT, "m1.synapt.json", 0);
        synapt_dataset *d2;
        CHECK_OK(synapt_dataset_open(&d2, tpath("bad.synapt.json"), NULL, NULL, 0)); /* labels [] opens nothing */
        synapt_dataset_close(d2);
    }
}

/* synapt_writer_copy_clip_streams: refusals write nothing and leave the
 * writer usable; an empty list copies the clip without streams */
static void copy_streams(void)
{
    synapt_reader *r;
    synapt_writer *w;
    char err[512];
    CHECK_OK(synapt_reader_open2(&r, tpath("a.synapt"), NULL, err, sizeof err));
    synapt_writer_options o = SYNAPT_WRITER_OPTIONS_INIT;
    o.fsync = 0;
    CHECK_OK(synapt_writer_create(&w, tpath("cs.synapt"), &o, err, sizeof err));
    uint32_t bad[2] = { 1, 0 }, twice[2] = { 0, 0 }, one[1] = { 0 };
    CHECK_EQ_INT(synapt_writer_copy_clip_streams(w, r, 0, NULL, bad, 1), SYNAPT_E_INVALID_ARG);
    CHECK_EQ_INT(synapt_writer_copy_clip_streams(w, r, 0, NULL, twice, 2), SYNAPT_E_INVALID_ARG);
    CHECK_EQ_INT(synapt_writer_copy_clip_streams(w, r, 0, NULL, NULL, 1), SYNAPT_E_INVALID_ARG);
    CHECK_OK(synapt_writer_copy_clip_streams(w, r, 0, NULL, one, 1));
    CHECK_OK(synapt_writer_copy_clip_streams(w, r, 1, NULL, NULL, 0));
    CHECK_OK(synapt_writer_close(w, err, sizeof err));
    synapt_reader *c;
    CHECK_OK(synapt_reader_open2(&c, tpath("cs.synapt"), NULL, err, sizeof err));
    synapt_clip_info a, b;
    CHECK_OK(synapt_reader_clip(&a, c, 0));
    CHECK_OK(synapt_reader_clip(&b, c, 1));
    CHECK_EQ_INT(a.stream_count, 1);
    CHECK_EQ_INT(b.stream_count, 0);
    uint8_t x[12], y[12];
    size_t nx = 0, ny = 0;
    CHECK_OK(synapt_reader_read_frames(x, sizeof x, &nx, c, 0, 0, 0, 3));
    CHECK_OK(synapt_reader_read_frames(y, sizeof y, &ny, r, 0, 0, 0, 3));
    CHECK(nx == 12 && ny == 12 && !memcmp(x, y, 12));
    synapt_reader_close(c);
    synapt_reader_close(r);
}

int main(void)
{
    setup();
    if (!files_ok) { printf("FAIL dataset_setup\n"); return 1; }
    RUN(single_file);
    RUN(manifest_select_map);
    RUN(manifest_built_vocab);
    RUN(duplicate_ids);
    RUN(hostile);
    RUN(copy_streams);
    TEST_MAIN_END();
}
