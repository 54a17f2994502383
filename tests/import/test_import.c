/* test_import.c - the dataset importers of synapt-pack (tools/import.h):
 * unit tests of every parser on small inline inputs, malformed lines
 * included, and the real annotation, pose and depth files of
 * $SYNAPT_REALDATA with counts and values checked against the files. */
#include "testutil.h"
#include "import/import.h"

#include <hdf5.h>
#include <libavutil/log.h>
#include <matio.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

static char errbuf[1024];

static const char *tmp_path(const char *name)
{
    static char buf[8][1024];
    static int k;
    char *b = buf[k++ & 7];
    snprintf(b, 1024, "%s/import-%d-%s", tu_tmp_dir(), (int)getpid(), name);
    return b;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        printf("  cannot write %s\n", path);
        return;
    }
    fputs(text, f);
    fclose(f);
}

static const char *mkdir_tmp(const char *name)
{
    const char *p = tmp_path(name);
    mkdir(p, 0755);
    return p;
}

static char *join(const char *a, const char *b)
{
    static char buf[8][1024];
    static int k;
    char *r = buf[k++ & 7];
    snprintf(r, 1024, "%s/%s", a, b);
    return r;
}

static size_t count_split(const import_list *l, const char *split)
{
    size_t n = 0;
    for (size_t i = 0; i < l->count; i++)
        n += l->clips[i].split && strcmp(l->clips[i].split, split) == 0;
    return n;
}

static size_t distinct_labels(const import_list *l)
{
    /* datasets have hundreds of classes: a linear set is plenty */
    const char *seen[1024];
    size_t n = 0;
    for (size_t i = 0; i < l->count; i++) {
        if (!l->clips[i].label_count)
            continue;
        const char *lab = l->clips[i].labels[0];
        size_t k = 0;
        while (k < n && strcmp(seen[k], lab) != 0)
            k++;
        if (k == n && n < 1024)
            seen[n++] = lab;
    }
    return n;
}

static const import_clip *find_clip(const import_list *l, const char *id)
{
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->clips[i].id, id) == 0)
            return &l->clips[i];
    return NULL;
}

static int near(double a, double b)
{
    return fabs(a - b) <= 1e-4 * (1 + fabs(b));
}

/* A layout parser of import.h: import_parse_ucf101, _hmdb51, ... */
typedef int (*layout_parser)(import_list *out, const import_options *o, const char *path,
                             char *err, size_t errsz);

/* `parse` must refuse `path` with _INPUT and a message holding `want`
 * (the file and line, then the reason). */
static void expect_refused(layout_parser parse, const import_options *o, const char *path,
                           const char *want)
{
    import_list l;
    import_list_init(&l);
    errbuf[0] = 0;
    CHECK(parse(&l, o, path, errbuf, sizeof errbuf) == SYNAPT_E_INPUT);
    if (!strstr(errbuf, want)) {
        printf("  %s: wanted '%s' in: %s\n", path, want, errbuf);
        CHECK(strstr(errbuf, want) != NULL);
    }
    import_list_free(&l);
}

/* ================================================================ units */

static void unit_text_helpers(void)
{
    char line[IMPORT_MAX_LINE + 1];
    const char *text = "a\r\nb\n\nlast";
    import_lines it = { text, strlen(text), 0, 0 };
    CHECK(import_lines_next(&it, line) == 1 && strcmp(line, "a") == 0);
    CHECK(import_lines_next(&it, line) == 1 && strcmp(line, "b") == 0);
    CHECK(import_lines_next(&it, line) == 1 && line[0] == 0);
    CHECK(import_lines_next(&it, line) == 1 && strcmp(line, "last") == 0 && it.lineno == 4);
    CHECK(import_lines_next(&it, line) == 0);
    const char withnul[] = "ok\nb\0d\n";
    import_lines it2 = { withnul, sizeof withnul - 1, 0, 0 };
    CHECK(import_lines_next(&it2, line) == 1);
    CHECK(import_lines_next(&it2, line) == SYNAPT_E_INPUT);

    char csv[] = "\"air drumming\",x, \"a \"\"q\"\" b\" ,";
    char *f[8];
    CHECK_EQ_INT(import_csv_split(csv, ',', f, 8), 4);
    CHECK(strcmp(f[0], "air drumming") == 0 && strcmp(f[1], "x") == 0);
    CHECK(strcmp(f[2], "a \"q\" b") == 0 && f[3][0] == 0);
    char bad[] = "\"open,b";
    CHECK(import_csv_split(bad, ',', f, 8) == SYNAPT_E_INPUT);
    char many[] = "a,b,c";
    CHECK(import_csv_split(many, ',', f, 2) == SYNAPT_E_LIMIT);

    int64_t v;
    CHECK(import_parse_int(&v, " 42 ", 0, 100) == 0 && v == 42);
    CHECK(import_parse_int(&v, "101", 0, 100) == SYNAPT_E_INPUT);
    CHECK(import_parse_int(&v, "4x", 0, 100) == SYNAPT_E_INPUT);
    CHECK(import_parse_int(&v, "99999999999999999999999", 0, INT64_MAX) == SYNAPT_E_INPUT);
    CHECK(import_parse_int(&v, "", 0, 1) == SYNAPT_E_INPUT);

    char *p = import_path_join("a/b/", "c.mp4");
    CHECK(p && strcmp(p, "a/b/c.mp4") == 0);
    free(p);
    p = import_path_join("a", "/abs");
    CHECK(p && strcmp(p, "/abs") == 0);
    free(p);
    p = import_path_dir("x/y/z.txt");
    CHECK(p && strcmp(p, "x/y") == 0);
    free(p);

    import_ntu_name nm;
    CHECK(import_ntu_parse_name(&nm, "S017C003P016R001A011_v225_r00.mp4") == 0 && nm.setup == 17 &&
          nm.camera == 3 && nm.performer == 16 && nm.replication == 1 && nm.action == 11);
    CHECK(import_ntu_parse_name(&nm, "S01C003P016R001A011") != 0);
    CHECK(strcmp(import_ntu_action_name(1), "drink water") == 0);
    CHECK(strcmp(import_ntu_action_name(60), "walking apart from each other") == 0);
    CHECK(strcmp(import_ntu_action_name(120), "finger-guessing game (playing rock-paper-scissors)") == 0);
    CHECK(import_ntu_action_name(121) == NULL && import_ntu_action_name(0) == NULL);
}

static void unit_ucf101(void)
{
    const char *d = mkdir_tmp("ucf");
    write_file(join(d, "classInd.txt"), "1 ApplyEyeMakeup\r\n2 Archery\r\n");
    write_file(join(d, "trainlist01.txt"),
               "ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi 1\r\nArchery/v_Archery_g11_c02.avi 2\r\n");
    write_file(join(d, "testlist01.txt"), "Archery/v_Archery_g01_c01.avi\r\n");
    import_list l;
    import_list_init(&l);
    import_options o = IMPORT_OPTIONS_INIT;
    CHECK_OK(import_parse_ucf101(&l, &o, d, errbuf, sizeof errbuf));
    CHECK_EQ_INT(l.count, 3);
    CHECK_EQ_INT(l.class_count, 2);
    const import_clip *c = find_clip(&l, "v_Archery_g01_c01");
    CHECK(c && c->label_count == 1 && strcmp(c->labels[0], "Archery") == 0 && strcmp(c->split, "test") == 0);
    CHECK(c && c->group_count == 1 && strcmp(c->group_values[0], "g01") == 0);
    CHECK(c && strstr(c->video, "/Archery/v_Archery_g01_c01.avi") != NULL);
    import_list_free(&l);

    /* an unknown class and a label that contradicts the folder */
    write_file(join(d, "trainlist01.txt"),
               "ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi 1\r\nFoo/v_Foo_g01_c01.avi 1\r\n"
               "Archery/v_Archery_g02_c01.avi 1\r\n");
    expect_refused(import_parse_ucf101, &o, d, "trainlist01.txt:2: unknown class 'Foo'");
    o.keep_going = 1;
    import_list_init(&l);
    CHECK_OK(import_parse_ucf101(&l, &o, d, errbuf, sizeof errbuf));
    CHECK_EQ_INT(l.count, 2);
    CHECK_EQ_INT(l.skipped_count, 2);
    CHECK(l.skipped_count == 2 && l.skipped[1].line == 3 && strstr(l.skipped[1].reason, "folder says"));
    import_list_free(&l);
}

static void unit_hmdb51(void)
{
    const char *d = mkdir_tmp("hmdb");
    write_file(join(d, "wave_test_split1.txt"), "a_wave_1.avi 1 \nb_wave_2.avi 2 \nc_wave_3.avi 0 \n");
    write_file(join(d, "clap_test_split1.txt"), "x_clap.avi 2 \ny_clap.avi 7 \n");
    write_file(join(d, "clap_test_split2.txt"), "x_clap.avi 1 \n");
    import_list l;
    import_list_init(&l);
    import_options o = IMPORT_OPTIONS_INIT;
    expect_refused(import_parse_hmdb51, &o, d, "clap_test_split1.txt:2:");
    write_file(join(d, "clap_test_split1.txt"), "x_clap.avi 2 \ny_clap.avi 1");
    CHECK_OK(import_parse_hmdb51(&l, &o, d, errbuf, sizeof errbuf));
    CHECK_EQ_INT(l.count, 4);
    CHECK(l.class_count == 2 && strcmp(l.classes[0], "clap") == 0);
    CHECK_EQ_INT(count_split(&l, "train"), 2);
    const import_clip *c = find_clip(&l, "b_wave_2");
    CHECK(c && strcmp(c->labels[0], "wave") == 0 && strcmp(c->split, "test") == 0);
    import_list_free(&l);
}

static void unit_kinetics(void)
{
    const char *p = tmp_path("k.csv");
    write_file(p, "label,youtube_id,time_start,time_end,split,is_cc\n"
                  "\"air drumming\",abc-_1,5,15,val,0\n"
                  "abseiling,bad/id,1,2,val,0\n"
                  "abseiling,ok,30,20,val,0\n"
                  "abseiling,ok2,1,11,val\n"
                  "abseiling,ok3,7,17,train,1\n");
    import_list l;
    import_options o = IMPORT_OPTIONS_INIT;
    expect_refused(import_parse_kinetics, &o, p, ":3: bad youtube_id");
    o.keep_going = 1;
    import_list_init(&l);
    CHECK_OK(import_parse_kinetics(&l, &o, p, errbuf, sizeof errbuf));
    CHECK_EQ_INT(l.count, 2);
    CHECK_EQ_INT(l.skipped_count, 3);
    const import_clip *c = find_clip(&l, "abc-_1_000005_000015");
    CHECK(c && strcmp(c->labels[0], "air drumming") == 0 && strcmp(c->split, "val") == 0);
    CHECK(c && strstr(c->meta_json, "\"is_cc\":false") != NULL);
    CHECK(l.class_count == 2 && strcmp(l.classes[0], "abseiling") == 0);
    import_list_free(&l);
}

static void unit_list(void)
{
    const char *d = mkdir_tmp("list");
    write_file(join(d, "labels.txt"), "jumping jack \n\nwalking\nsquatting");
    write_file(join(d, "a.txt"), "jumping jack/clip_001\r\nwalking/x.avi_v225_r00  \nsitting/y\n");
    import_list l;
    import_options o = IMPORT_OPTIONS_INIT;
    o.labels_file = join(d, "labels.txt");
    expect_refused(import_parse_list, &o, join(d, "a.txt"), "a.txt:3: unknown class 'sitting'");
    write_file(join(d, "a.txt"), "jumping jack/clip_001\r\nwalking/x.avi_v225_r00  \n"
                                 "v/p.mp4;2\nv/q.mp4;10;20;walking\nv/r.mp4 1\nv/s.mp4;7\n"
                                 "v/t.mp4;20;10;walking\nnoslash");
    o.keep_going = 1;
    import_list_init(&l);
    CHECK_OK(import_parse_list(&l, &o, join(d, "a.txt"), errbuf, sizeof errbuf));
    CHECK_EQ_INT(l.class_count, 3);
    CHECK_EQ_INT(l.count, 5);
    CHECK_EQ_INT(l.skipped_count, 3);
    CHECK(l.count == 5 && strcmp(l.clips[0].labels[0], "jumping jack") == 0 &&
          strcmp(l.clips[0].id, "jumping jack/clip_001") == 0);
    CHECK(l.count == 5 && strcmp(l.clips[1].id, "walking/x.avi_v225_r00") == 0);
    CHECK(l.count == 5 && strcmp(l.clips[2].labels[0], "squatting") == 0 && strcmp(l.clips[2].id, "v/p") == 0);
    CHECK(l.count == 5 && l.clips[3].start_frame == 10 && l.clips[3].end_frame == 20);
    CHECK(l.count == 5 && strcmp(l.clips[4].labels[0], "walking") == 0);
    import_list_free(&l);
}

static void unit_manifest(void)
{
    const char *d = mkdir_tmp("man");
    mkdir(join(d, "op"), 0755);
    write_file(join(join(d, "op"), "v_000000000000_keypoints.json"), "{\"people\":[]}");
    write_file(join(d, "m.jsonl"),
               "{\"video\":\"S001C001P001R001A001_rgb.avi\",\"pose3d\":\"S001C001P001R001A001.skeleton\","
               "\"skeleton\":\"ntu25\",\"label\":\"drink water\"}\n"
               "{\"frames\":\"f/\",\"id\":\"c2\",\"label\":[\"a\",\"b\"],\"split\":\"train\",\"synthetic\":true,"
               "\"group\":{\"actor\":\"P1\",\"take\":3},\"start_frame\":2,\"end_frame\":9,\"pose2d\":\"op\","
               "\"depth\":\"d.h5:/depth\",\"depth_scale\":0.0002,\"meta\":{\"k\":[1,2]},\"frame_labels\":[0,1,1]}\n"
               "{\"video\":\"x.mp4\",\"lable\":\"typo\"}\n"
               "{\"video\":\"x.mp4\",\"start_frame\":5,\"end_frame\":5}\n"
               "not json\n"
               "{\"video\":\"x.mp4\",\"pose2d\":\"what.xyz\"}\n"
               "{\"video\":\"y.mp4\",\"frames\":\"z\"}\n"
               "{\"id\":\"p\",\"pose2d\":\"op\"}\n"
               "{\"pose2d\":\"op\"}\n");
    import_list l;
    import_options o = IMPORT_OPTIONS_INIT;
    expect_refused(import_parse_manifest, &o, join(d, "m.jsonl"), "m.jsonl:3: unknown key 'lable'");
    o.keep_going = 1;
    import_list_init(&l);
    CHECK_OK(import_parse_manifest(&l, &o, join(d, "m.jsonl"), errbuf, sizeof errbuf));
    CHECK_EQ_INT(l.count, 3);
    CHECK_EQ_INT(l.skipped_count, 6);
    CHECK(l.count == 3 && !l.clips[2].video && !l.clips[2].frames && l.clips[2].pose2d.kind == IMPORT_SC_OPENPOSE_DIR);
    CHECK(l.skipped_count == 6 && strstr(l.skipped[5].reason, "needs an \"id\""));
    if (l.count == 3) {
        const import_clip *a = &l.clips[0], *b = &l.clips[1];
        CHECK(strcmp(a->id, "S001C001P001R001A001_rgb") == 0);
        CHECK(a->pose3d.kind == IMPORT_SC_NTU_SKELETON && a->pose3d.skeleton == SYNAPT_SKELETON_NTU25);
        CHECK(strcmp(a->labels[0], "drink water") == 0);
        CHECK(b->label_count == 2 && b->synthetic && b->group_count == 2 &&
              strcmp(b->group_values[1], "3") == 0);
        CHECK(b->frames && !b->video && b->start_frame == 2 && b->end_frame == 9);
        CHECK(b->pose2d.kind == IMPORT_SC_OPENPOSE_DIR);
        CHECK(b->depth.kind == IMPORT_SC_HDF5 && strcmp(b->depth.inner, "/depth") == 0 &&
              b->depth.scale == 0.0002);
        CHECK(b->meta_json && strcmp(b->meta_json, "{\"k\":[1,2]}") == 0);
        int32_t *fl = NULL;
        uint64_t n = 0;
        CHECK_OK(import_frame_labels_read(&fl, &n, &b->frame_labels, errbuf, sizeof errbuf));
        CHECK(n == 3 && fl && fl[2] == 1);
        free(fl);
    }
    CHECK(l.skipped_count == 6 && l.skipped[1].line == 4 && strstr(l.skipped[1].reason, "half-open"));
    CHECK(l.skipped_count == 6 && strstr(l.skipped[3].reason, "cannot tell what this sidecar is"));
    import_list_free(&l);

    write_file(join(d, "m.csv"), "video,label,split,group,start_frame,end_frame,meta\n"
                                 "a.mp4,run|jump,train,actor=P1|scene=s2,0,10,\"{\"\"x\"\":1}\"\n"
                                 "b.mp4,walk,val,g7,,,\n"
                                 "c.mp4,walk,val\n");
    o.keep_going = 0;
    import_list_init(&l);
    CHECK(import_parse_manifest(&l, &o, join(d, "m.csv"), errbuf, sizeof errbuf) == SYNAPT_E_INPUT);
    CHECK(strstr(errbuf, "m.csv:4: expected 7 fields, got 3") != NULL);
    CHECK_EQ_INT(l.count, 2);
    if (l.count == 2) {
        CHECK(l.clips[0].label_count == 2 && strcmp(l.clips[0].group_keys[1], "scene") == 0);
        CHECK(strcmp(l.clips[0].meta_json, "{\"x\":1}") == 0 && l.clips[0].end_frame == 10);
        CHECK(strcmp(l.clips[1].group_keys[0], "group") == 0 && l.clips[1].start_frame == -1);
    }
    import_list_free(&l);
    write_file(join(d, "h.csv"), "video,labl\nx.mp4,a\n");
    expect_refused(import_parse_manifest, &o, join(d, "h.csv"), "h.csv:1: unknown column 'labl'");
}

static void unit_json_layouts(void)
{
    const char *d = mkdir_tmp("ssv2");
    write_file(join(d, "labels.json"), "{\"Holding something\":\"0\",\"Moving something up\":\"1\"}");
    write_file(join(d, "validation.json"),
               "[\n{\"id\":\"12\",\"label\":\"holding a cup\",\"template\":\"Holding [something]\","
               "\"placeholders\":[\"a cup\"]},\n{\"id\":\"x\"},\n"
               "{\"id\":\"13\",\"template\":\"Dropping [something]\"}]");
    write_file(join(d, "test.json"), "[{\"id\":\"20\"},{\"id\":\"21\"}]");
    write_file(join(d, "test-answers.csv"), "20;Moving something up\n21;Holding something\n");
    import_list l;
    import_list_init(&l);
    import_options o = IMPORT_OPTIONS_INIT;
    o.keep_going = 1;
    CHECK_OK(import_parse_ssv2(&l, &o, d, errbuf, sizeof errbuf));
    CHECK_EQ_INT(l.count, 3);
    CHECK_EQ_INT(l.skipped_count, 2);
    CHECK(l.skipped_count == 2 && l.skipped[0].line == 3 && l.skipped[1].line == 4 &&
          strstr(l.skipped[1].reason, "template 'Dropping something' is not in labels.json"));
    const import_clip *c = find_clip(&l, "12");
    CHECK(c && c->ann_line == 2);
    CHECK(c && strcmp(c->labels[0], "Holding something") == 0 && strcmp(c->split, "val") == 0);
    CHECK(c && strstr(c->meta_json, "\"placeholders\":[\"a cup\"]") != NULL);
    c = find_clip(&l, "21");
    CHECK(c && c->label_count == 1 && strcmp(c->labels[0], "Holding something") == 0);
    import_list_free(&l);

    const char *dv = mkdir_tmp("d48");
    write_file(join(dv, "Diving48_vocab.json"), "[[\"Back\",\"15som\",\"05Twis\",\"FREE\"],[\"Inward\",\"25som\",\"NoTwis\",\"PIKE\"]]");
    write_file(join(dv, "Diving48_V2_train.json"),
               "[{\"vid_name\":\"yt1_00001\",\"label\":1,\"start_frame\":3,\"end_frame\":50},"
               "{\"vid_name\":\"yt1_00002\",\"label\":2,\"start_frame\":0,\"end_frame\":9},"
               "{\"vid_name\":\"yt2_00001\",\"label\":0,\"start_frame\":9,\"end_frame\":9}]");
    o.keep_going = 0;
    expect_refused(import_parse_diving48, &o, dv, "element 1: label must be an integer 0..1");
    import_list_init(&l);
    o.keep_going = 1;
    CHECK_OK(import_parse_diving48(&l, &o, dv, errbuf, sizeof errbuf));
    CHECK_EQ_INT(l.count, 1);
    CHECK(l.count == 1 && strcmp(l.clips[0].labels[0], "Inward+25som+NoTwis+PIKE") == 0 &&
          l.clips[0].start_frame == 3 && l.clips[0].end_frame == 50 &&
          strcmp(l.clips[0].group_values[0], "yt1") == 0);
    import_list_free(&l);
}

static void unit_sidecars(void)
{
    /* NTU .skeleton: a two-frame file, then damaged copies */
    const char *p = tmp_path("S001C001P001R001A001.skeleton");
    char txt[16384];
    size_t n = (size_t)snprintf(txt, sizeof txt, "2\r\n1\r\n7 0 1 1 1 1 0 0.1 0.2 2\r\n25\r\n");
    for (int j = 0; j < 25; j++)
        n += (size_t)snprintf(txt + n, sizeof txt - n, "%d 0.5 3 1 2 %d 500 1 0 0 0 2\r\n", j, 100 + j);
    n += (size_t)snprintf(txt + n, sizeof txt - n, "0\r\n");
    write_file(p, txt);
    import_ntu_skeleton s;
    CHECK_OK(import_ntu_read(&s, p, errbuf, sizeof errbuf));
    CHECK(s.frames == 2 && s.max_bodies == 1 && s.body_count[1] == 0 && s.body_ids[0] == 7);
    CHECK(s.joints && s.joints[24 * IMPORT_NTU_VALUES] == 24.0f && s.joints[24 * IMPORT_NTU_VALUES + 5] == 124.0f);
    CHECK(s.joints && isnan(s.joints[IMPORT_NTU_JOINTS * IMPORT_NTU_VALUES]));
    import_ntu_free(&s);
    txt[n - 3] = 0; /* drop the last frame's body count */
    write_file(p, txt);
    CHECK(import_ntu_read(&s, p, errbuf, sizeof errbuf) == SYNAPT_E_TRUNCATED);
    CHECK(strstr(errbuf, "file ends where the body count of frame 1 was expected") != NULL);
    write_file(p, "99999999\n1\n");
    CHECK(import_ntu_read(&s, p, errbuf, sizeof errbuf) == SYNAPT_E_INPUT);
    write_file(p, "1\n1\n7 0 1 1 1 1 0 0.1 0.2 2\n24\n");
    CHECK(import_ntu_read(&s, p, errbuf, sizeof errbuf) == SYNAPT_E_INPUT);
    CHECK(strstr(errbuf, ":4: the joint count must be an integer 25..25") != NULL);
    write_file(p, "1\n1\n7 0 1 1 1 1 0 0.1 nan 2\n25\n");
    CHECK(import_ntu_read(&s, p, errbuf, sizeof errbuf) == SYNAPT_E_INPUT);

    /* Kinetics-skeleton: a gap in frame_index, then a duplicate */
    const char *k = tmp_path("ks.json");
    write_file(k, "{\"data\":[{\"frame_index\":1,\"skeleton\":[{\"pose\":[0.1,0.2,0.3,0.4],\"score\":[0.5,0.6]}]},"
                  "{\"frame_index\":3,\"skeleton\":[]}],\"label\":\"x\",\"label_index\":3}");
    import_pose pose;
    char *label = NULL;
    CHECK_OK(import_kinetics_skeleton_read(&pose, k, &label, errbuf, sizeof errbuf));
    CHECK(pose.frames == 3 && pose.persons == 1 && pose.joints == 2 && pose.first_index == 1);
    CHECK(pose.data && pose.data[3] == 0.3f && pose.data[5] == 0.6f && pose.present[1] == 0);
    CHECK(label && strcmp(label, "x") == 0);
    free(label);
    import_pose_free(&pose);
    write_file(k, "{\"data\":[{\"frame_index\":1,\"skeleton\":[]},{\"frame_index\":1,\"skeleton\":[]}]}");
    CHECK(import_kinetics_skeleton_read(&pose, k, NULL, errbuf, sizeof errbuf) == SYNAPT_E_INPUT);
    write_file(k, "{\"data\":[{\"frame_index\":1,\"skeleton\":[{\"pose\":[1,2],\"score\":[1,2]}]}]}");
    CHECK(import_kinetics_skeleton_read(&pose, k, NULL, errbuf, sizeof errbuf) == SYNAPT_E_INPUT);

    /* OpenPose folder: a frame with two people, a frame with none */
    const char *od = mkdir_tmp("openpose");
    char kp[4096];
    size_t m = 0;
    for (int j = 0; j < 25; j++)
        m += (size_t)snprintf(kp + m, sizeof kp - m, "%s%d,%d,0.5", j ? "," : "", j, 2 * j);
    char doc[10000];
    snprintf(doc, sizeof doc, "{\"version\":1.3,\"people\":[{\"pose_keypoints_2d\":[%s]},{\"pose_keypoints_2d\":[%s]}]}", kp, kp);
    write_file(join(od, "v_000000000000_keypoints.json"), doc);
    write_file(join(od, "v_000000000001_keypoints.json"), "{\"version\":1.3,\"people\":[]}");
    CHECK_OK(import_openpose_read(&pose, od, errbuf, sizeof errbuf));
    CHECK(pose.frames == 2 && pose.persons == 2 && pose.joints == 25 && pose.skeleton == SYNAPT_SKELETON_BODY25);
    CHECK(pose.data && pose.data[3 * 24 + 1] == 48.0f && pose.present[1] == 0 && isnan(pose.data[2 * 75]));
    import_pose_free(&pose);
    write_file(join(od, "v_000000000001_keypoints.json"), "{\"people\":[{\"pose_keypoints_2d\":[1,2]}]}");
    CHECK(import_openpose_read(&pose, od, errbuf, sizeof errbuf) == SYNAPT_E_INPUT);
    CHECK(strstr(errbuf, "v_000000000001_keypoints.json") != NULL);

    /* HDF5 pose and depth, written here with the C API */
    const char *h5 = tmp_path("side.h5");
    hid_t f = H5Fcreate(h5, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t pd[3] = { 4, 3, 2 };
    float pv[24];
    for (int i = 0; i < 24; i++)
        pv[i] = (float)i;
    hid_t sp = H5Screate_simple(3, pd, NULL);
    hid_t ds = H5Dcreate2(f, "/pose", H5T_NATIVE_FLOAT, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, pv);
    H5Dclose(ds);
    H5Sclose(sp);
    hsize_t dd[3] = { 2, 3, 4 };
    uint16_t dv[24];
    for (int i = 0; i < 24; i++)
        dv[i] = (uint16_t)(1000 + i);
    sp = H5Screate_simple(3, dd, NULL);
    H5Gclose(H5Gcreate2(f, "/grp", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    ds = H5Dcreate2(f, "/grp/depth", H5T_NATIVE_UINT16, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, H5T_NATIVE_UINT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, dv);
    H5Dclose(ds);
    H5Sclose(sp);
    H5Fclose(f);
    char spec[1200];
    import_sidecar sc = { 0 };
    snprintf(spec, sizeof spec, "%s:/pose", h5);
    CHECK_OK(import_sidecar_detect(&sc, spec, errbuf, sizeof errbuf));
    CHECK(sc.kind == IMPORT_SC_HDF5 && strcmp(sc.inner, "/pose") == 0);
    CHECK_OK(import_pose_read(&pose, &sc, 0, errbuf, sizeof errbuf));
    CHECK(pose.frames == 4 && pose.joints == 3 && pose.channels == 2 && pose.data && pose.data[23] == 23.0f);
    import_pose_free(&pose);
    CHECK(import_pose_read(&pose, &sc, 1, errbuf, sizeof errbuf) == SYNAPT_E_INPUT);
    snprintf(spec, sizeof spec, "%s:/grp/depth", h5);
    CHECK_OK(import_sidecar_detect(&sc, spec, errbuf, sizeof errbuf));
    import_frames *fr = NULL;
    CHECK_OK(import_frames_open(&fr, &sc, errbuf, sizeof errbuf));
    if (fr) {
        const import_frames_info *fi = import_frames_get_info(fr);
        CHECK(fi->frames == 2 && fi->height == 3 && fi->width == 4 && fi->dtype == SYNAPT_DTYPE_U16 &&
              fi->scale == 0.001);
        uint16_t buf[12];
        CHECK_OK(import_frames_read(fr, 1, buf, sizeof buf, errbuf, sizeof errbuf));
        CHECK(buf[0] == 1012 && buf[11] == 1023);
        CHECK(import_frames_read(fr, 2, buf, sizeof buf, errbuf, sizeof errbuf) == SYNAPT_E_RANGE);
        import_frames_close(fr);
    }
    snprintf(spec, sizeof spec, "%s:/nope", h5);
    CHECK_OK(import_sidecar_detect(&sc, spec, errbuf, sizeof errbuf));
    CHECK(import_frames_open(&fr, &sc, errbuf, sizeof errbuf) == SYNAPT_E_NOT_FOUND);
    CHECK(strstr(errbuf, "no dataset '/nope'") != NULL);
    CHECK(import_sidecar_detect(&sc, h5, errbuf, sizeof errbuf) == SYNAPT_E_INPUT);
    import_sidecar_clear(&sc);

    /* a corrupt PNG in a frame folder names the file */
    const char *pd2 = mkdir_tmp("pngs");
    write_file(join(pd2, "00001.png"), "\x89PNG\r\n\x1a\nnot really");
    CHECK_OK(import_sidecar_detect(&sc, pd2, errbuf, sizeof errbuf));
    CHECK(sc.kind == IMPORT_SC_PNG_DIR);
    CHECK(import_frames_open(&fr, &sc, errbuf, sizeof errbuf) == SYNAPT_E_INPUT);
    CHECK(strstr(errbuf, "00001.png: PNG:") != NULL);
    import_sidecar_clear(&sc);
    const char *jd = mkdir_tmp("jpgs");
    write_file(join(jd, "00001.jpg"), "\xff\xd8\xff\xe0 garbage");
    CHECK_OK(import_sidecar_detect(&sc, jd, errbuf, sizeof errbuf));
    CHECK(sc.kind == IMPORT_SC_IMAGE_DIR);
    CHECK(import_frames_open(&fr, &sc, errbuf, sizeof errbuf) == SYNAPT_E_INPUT);
    import_sidecar_clear(&sc);

    import_sidecar fl = { 0 };
    fl.path = (char *)tmp_path("labels.txt");
    fl.kind = IMPORT_SC_NONE;
    write_file(fl.path, "1\n2\nx\n");
    int32_t *lv = NULL;
    uint64_t ln = 0;
    CHECK(import_frame_labels_read(&lv, &ln, &fl, errbuf, sizeof errbuf) == SYNAPT_E_INPUT);
    CHECK(strstr(errbuf, "labels.txt:3:") != NULL);
    write_file(fl.path, "1\n2\n3");
    CHECK_OK(import_frame_labels_read(&lv, &ln, &fl, errbuf, sizeof errbuf));
    CHECK(ln == 3 && lv && lv[2] == 3);
    free(lv);
}


/* SURREAL-style _depth.mat: per-frame variables depth_1..N, column-major */
static void unit_mat_frames(void)
{
    const char *p = tmp_path("x_depth.mat");
    mat_t *m = Mat_CreateVer(p, NULL, MAT_FT_MAT5);
    CHECK(m != NULL);
    if (!m)
        return;
    for (int t = 1; t <= 2; t++) {
        float v[6];
        for (int i = 0; i < 6; i++)
            v[i] = (float)(t * 100 + i); /* column-major: (y, x) at y + 2x */
        size_t dims[2] = { 2, 3 };
        char name[16];
        snprintf(name, sizeof name, "depth_%d", t);
        matvar_t *var = Mat_VarCreate(name, MAT_C_SINGLE, MAT_T_SINGLE, 2, dims, v, 0);
        Mat_VarWrite(m, var, MAT_COMPRESSION_ZLIB);
        Mat_VarFree(var);
    }
    Mat_Close(m);
    import_sidecar sc = { 0 };
    CHECK_OK(import_sidecar_detect(&sc, p, errbuf, sizeof errbuf));
    CHECK(sc.kind == IMPORT_SC_MAT);
    import_frames *f = NULL;
    CHECK_OK(import_frames_open(&f, &sc, errbuf, sizeof errbuf));
    if (f) {
        const import_frames_info *fi = import_frames_get_info(f);
        CHECK(fi->frames == 2 && fi->height == 2 && fi->width == 3 && fi->dtype == SYNAPT_DTYPE_F32);
        float buf[6];
        CHECK_OK(import_frames_read(f, 1, buf, sizeof buf, errbuf, sizeof errbuf));
        /* row-major (y=0, x=1) is column-major index 2; (y=1, x=2) is 5 */
        CHECK(buf[1] == 202.0f && buf[5] == 205.0f && buf[3] == 201.0f);
        import_frames_close(f);
    }
    import_sidecar_clear(&sc);
    write_file(p, "MATLAB 5.0 MAT-file, but not really");
    CHECK_OK(import_sidecar_detect(&sc, p, errbuf, sizeof errbuf));
    CHECK(import_frames_open(&f, &sc, errbuf, sizeof errbuf) < 0);
    import_sidecar_clear(&sc);
}

static void unit_detect(void)
{
    const char *d = mkdir_tmp("det");
    write_file(join(d, "x.jsonl"), "{}\n");
    write_file(join(d, "k.csv"), "label,youtube_id,time_start,time_end,split\n");
    write_file(join(d, "m.csv"), "video,label\n");
    write_file(join(d, "trainlist01.txt"), "");
    CHECK(strcmp(import_detect_format(join(d, "x.jsonl")), "manifest") == 0);
    CHECK(strcmp(import_detect_format(join(d, "k.csv")), "kinetics") == 0);
    CHECK(strcmp(import_detect_format(join(d, "m.csv")), "manifest") == 0);
    CHECK(strcmp(import_detect_format(join(d, "trainlist01.txt")), "ucf101") == 0);
    if (tu_realdata()) {
        static const char *const want[][2] = {
            { "annotations/ucf101", "ucf101" }, { "annotations/hmdb51", "hmdb51" },
            { "annotations/diving48", "diving48" }, { "annotations/ssv2", "ssv2" },
            { "annotations/kinetics/kinetics-400_val.csv", "kinetics" },
            { "annotations/ssv2/something-something-v2-validation.json", "ssv2" },
            { "annotations/synapt/sim150_val.txt", "list" },
            { "annotations/synapt/ppma_splits/sim150/val.csv", "list" },
            { "pose/ntu", "ntu" }, { "pose/surreal", "surreact" },
        };
        for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
            char p[1024];
            snprintf(p, sizeof p, "%s/%s", tu_realdata(), want[i][0]);
            const char *got = import_detect_format(p);
            if (!got || strcmp(got, want[i][1]) != 0) {
                printf("  detect %s: got %s, want %s\n", want[i][0], got ? got : "NULL", want[i][1]);
                CHECK(0);
            }
        }
    }
    const char *inputs[1] = { join(d, "nothing.bin") };
    import_list l;
    import_list_init(&l);
    CHECK(import_parse(&l, NULL, inputs, 1, errbuf, sizeof errbuf) == SYNAPT_E_INPUT);
    import_options o = IMPORT_OPTIONS_INIT;
    o.format = "bogus";
    CHECK(import_parse(&l, &o, inputs, 1, errbuf, sizeof errbuf) == SYNAPT_E_INVALID_ARG);
    import_list_free(&l);
}


/* ================================================================ hostile */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return n ? (uint32_t)(rng_state % n) : 0;
}

/* One random damage to `buf` (len bytes, room for cap): flip a byte, cut
 * the tail, repeat a slice, or splice in a hostile token. */
static size_t mutate(char *buf, size_t len, size_t cap)
{
    static const char *const toks[] = { "99999999999999999999", "-1", "\"", "[", "{", "\n", "\r\n",
                                        "nan", "1e999", ";;;", "/../", "\x00", "S999C999P999R999A999" };
    if (len == 0)
        return 0;
    switch (rnd(4)) {
    case 0:
        buf[rnd((uint32_t)len)] = (char)rnd(256);
        return len;
    case 1:
        return rnd((uint32_t)len);
    case 2: {
        size_t a = rnd((uint32_t)len), n = rnd(64);
        if (a + n > len)
            n = len - a;
        if (len + n > cap)
            return len;
        memmove(buf + a + n, buf + a, len - a);
        return len + n;
    }
    default: {
        const char *t = toks[rnd(sizeof toks / sizeof *toks)];
        size_t n = t[0] ? strlen(t) : 1, a = rnd((uint32_t)len);
        if (len + n > cap)
            return len;
        memmove(buf + a + n, buf + a, len - a);
        memcpy(buf + a, t, n);
        return len + n;
    }
    }
}

static void write_bytes(const char *path, const char *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(b, 1, n, f);
        fclose(f);
    }
}

/* Damaged copies of small valid inputs through every parser: each must
 * return 0 or an error code (never crash, hang or allocate hugely; the
 * asan build checks memory). */
static void hostile_mutations(void)
{
    const char *d = mkdir_tmp("hostile");
    char *ntu = malloc(8192);
    size_t n = (size_t)snprintf(ntu, 8192, "2\n1\n7 0 1 1 1 1 0 0.1 0.2 2\n25\n");
    for (int j = 0; j < 25; j++)
        n += (size_t)snprintf(ntu + n, 8192 - n, "%d 0.5 3 1 2 %d 500 1 0 0 0 2\n", j, 100 + j);
    snprintf(ntu + n, 8192 - n, "0\n");
    struct { const char *name, *text; int kind; } seeds[] = {
        { "trainlist01.txt", "A/v_A_g01_c01.avi 1\r\nB/v_B_g02_c01.avi 2\r\n", 0 },
        { "k.csv", "label,youtube_id,time_start,time_end,split,is_cc\n\"a b\",x1,1,11,val,0\nc,x2,3,13,val,1\n", 1 },
        { "m.jsonl", "{\"video\":\"a.mp4\",\"label\":[\"x\",\"y\"],\"group\":{\"k\":\"v\"},\"start_frame\":1,"
                     "\"end_frame\":5,\"meta\":{\"q\":1},\"frame_labels\":[1,2]}\n", 2 },
        { "m.csv", "video,label,group,start_frame,end_frame\na.mp4,x|y,k=v,1,5\n", 2 },
        { "l.txt", "cls a/c1\nv/p.mp4;1\nv/q.mp4;1;9;cls a\nv/r.mp4 0\n", 3 },
        { "S001C001P001R001A001.skeleton", ntu, 4 },
        { "ks.json", "{\"data\":[{\"frame_index\":1,\"skeleton\":[{\"pose\":[0.1,0.2,0.3,0.4],"
                     "\"score\":[0.5,0.6]}]}],\"label\":\"x\"}", 5 },
        { "validation.json", "[{\"id\":\"1\",\"template\":\"Holding [something]\",\"placeholders\":[\"a\"]}]", 6 },
        { "Diving48_V2_train.json", "[{\"vid_name\":\"a_1\",\"label\":0,\"start_frame\":0,\"end_frame\":9}]", 7 },
        { "labels.txt", "x 1\r\n2", 8 },
    };
    write_file(join(d, "classInd.txt"), "1 A\r\n2 B\r\n");
    write_file(join(d, "labels.json"), "{\"Holding something\":\"0\"}");
    write_file(join(d, "Diving48_vocab.json"), "[[\"a\",\"b\",\"c\",\"d\"]]");
    write_file(join(d, "cls.txt"), "cls a\nother\n");
    char *buf = malloc(1 << 16);
    int crashes = 0;
    for (size_t s = 0; s < sizeof seeds / sizeof *seeds; s++) {
        for (int it = 0; it < 150; it++) {
            size_t len = strlen(seeds[s].text);
            memcpy(buf, seeds[s].text, len);
            int rounds = 1 + (int)rnd(3);
            for (int r = 0; r < rounds; r++)
                len = mutate(buf, len, (1 << 16) - 1);
            const char *p = join(d, seeds[s].name);
            write_bytes(p, buf, len);
            import_list l;
            import_list_init(&l);
            import_options o = IMPORT_OPTIONS_INIT;
            o.keep_going = (int)rnd(2);
            int rc = 0;
            import_pose pose;
            import_ntu_skeleton sk;
            switch (seeds[s].kind) {
            case 0: rc = import_parse_ucf101(&l, &o, d, errbuf, sizeof errbuf); break;
            case 1: rc = import_parse_kinetics(&l, &o, p, errbuf, sizeof errbuf); break;
            case 2: rc = import_parse_manifest(&l, &o, p, errbuf, sizeof errbuf); break;
            case 3:
                o.labels_file = join(d, "cls.txt");
                rc = import_parse_list(&l, &o, p, errbuf, sizeof errbuf);
                break;
            case 4:
                rc = import_ntu_read(&sk, p, errbuf, sizeof errbuf);
                if (!rc)
                    import_ntu_free(&sk);
                break;
            case 5:
                rc = import_kinetics_skeleton_read(&pose, p, NULL, errbuf, sizeof errbuf);
                if (!rc)
                    import_pose_free(&pose);
                break;
            case 6: rc = import_parse_ssv2(&l, &o, d, errbuf, sizeof errbuf); break;
            case 7: rc = import_parse_diving48(&l, &o, d, errbuf, sizeof errbuf); break;
            case 8: {
                import_sidecar fl = { (char *)p, NULL, IMPORT_SC_NONE, 0, 0 };
                int32_t *v = NULL;
                uint64_t nv;
                rc = import_frame_labels_read(&v, &nv, &fl, errbuf, sizeof errbuf);
                free(v);
                break;
            }
            }
            if (rc > 0)
                crashes++;
            /* a parse that fails leaves what it appended: still freeable */
            import_list_free(&l);
        }
    }
    CHECK_EQ_INT(crashes, 0);
    free(buf);
    free(ntu);
}

/* ================================================================ real data */

static const char *real(const char *rel)
{
    static char buf[8][1024];
    static int k;
    char *b = buf[k++ & 7];
    snprintf(b, 1024, "%s/%s", tu_realdata(), rel);
    return b;
}

static void real_ucf101(void)
{
    import_list l;
    import_list_init(&l);
    import_options o = IMPORT_OPTIONS_INIT;
    CHECK_OK(import_parse_ucf101(&l, &o, real("annotations/ucf101"), errbuf, sizeof errbuf));
    CHECK_EQ_INT(count_split(&l, "train"), 9537);
    CHECK_EQ_INT(count_split(&l, "test"), 3783);
    CHECK_EQ_INT(l.class_count, 101);
    CHECK_EQ_INT(distinct_labels(&l), 101);
    const import_clip *c = find_clip(&l, "v_ApplyEyeMakeup_g08_c01");
    CHECK(c && strcmp(c->labels[0], "ApplyEyeMakeup") == 0 && strcmp(c->group_values[0], "g08") == 0);
    CHECK(l.class_count == 101 && strcmp(l.classes[100], "YoYo") == 0);
    import_list_free(&l);
}

static void real_hmdb51(void)
{
    import_list l;
    import_list_init(&l);
    import_options o = IMPORT_OPTIONS_INIT;
    CHECK_OK(import_parse_hmdb51(&l, &o, real("annotations/hmdb51"), errbuf, sizeof errbuf));
    CHECK_EQ_INT(count_split(&l, "train"), 3570);
    CHECK_EQ_INT(count_split(&l, "test"), 1530);
    CHECK_EQ_INT(l.class_count, 51);
    CHECK_EQ_INT(distinct_labels(&l), 51);
    import_list_free(&l);
    o.split_id = 3;
    import_list_init(&l);
    CHECK_OK(import_parse_hmdb51(&l, &o, real("annotations/hmdb51"), errbuf, sizeof errbuf));
    CHECK_EQ_INT(l.count, 5100);
    import_list_free(&l);
}

static void real_diving48(void)
{
    import_list l;
    import_list_init(&l);
    import_options o = IMPORT_OPTIONS_INIT;
    CHECK_OK(import_parse_diving48(&l, &o, real("annotations/diving48"), errbuf, sizeof errbuf));
    CHECK_EQ_INT(count_split(&l, "train"), 15027);
    CHECK_EQ_INT(count_split(&l, "test"), 1970);
    CHECK_EQ_INT(l.class_count, 48);
    CHECK(l.class_count == 48 && strcmp(l.classes[0], "Back+15som+05Twis+FREE") == 0);
    const import_clip *c = find_clip(&l, "db7DmpqzGmc_00166");
    CHECK(c && c->start_frame == 0 && c->end_frame == 187 && strcmp(c->labels[0], l.classes[0]) == 0);
    import_list_free(&l);
}

static void real_ssv2(void)
{
    import_list l;
    import_list_init(&l);
    import_options o = IMPORT_OPTIONS_INIT;
    CHECK_OK(import_parse_ssv2(&l, &o, real("annotations/ssv2"), errbuf, sizeof errbuf));
    CHECK_EQ_INT(count_split(&l, "val"), 24777);
    CHECK_EQ_INT(count_split(&l, "test"), 27157);
    CHECK_EQ_INT(l.class_count, 174);
    size_t unlabeled = 0;
    for (size_t i = 0; i < l.count; i++)
        unlabeled += l.clips[i].label_count == 0;
    CHECK_EQ_INT(unlabeled, 0);
    const import_clip *c = find_clip(&l, "74225");
    CHECK(c && strcmp(c->labels[0], "Spinning something that quickly stops spinning") == 0);
    CHECK(c && strstr(c->meta_json, "\"placeholders\":[\"cube\"]") != NULL);
    c = find_clip(&l, "208583");
    CHECK(c && strcmp(c->split, "test") == 0 && strcmp(c->labels[0], "Moving something closer to something") == 0);
    import_list_free(&l);
}

static void real_kinetics(void)
{
    import_list l;
    import_list_init(&l);
    import_options o = IMPORT_OPTIONS_INIT;
    CHECK_OK(import_parse_kinetics(&l, &o, real("annotations/kinetics/kinetics-400_val.csv"), errbuf, sizeof errbuf));
    CHECK_EQ_INT(l.count, 19906);
    CHECK_EQ_INT(count_split(&l, "val"), 19906);
    CHECK_EQ_INT(l.class_count, 400);
    const import_clip *c = find_clip(&l, "0wR5jVB-WPk_000417_000427");
    CHECK(c && strcmp(c->labels[0], "abseiling") == 0);
    CHECK(find_clip(&l, "0wR5jVB-WPk_000417_000427") != NULL);
    size_t spaced = 0;
    for (size_t i = 0; i < l.count; i++)
        spaced += strcmp(l.clips[i].labels[0], "air drumming") == 0;
    CHECK(spaced > 0);
    import_list_free(&l);
    import_list_init(&l);
    CHECK_OK(import_parse_kinetics(&l, &o, real("annotations/kinetics/kinetics-400_test.csv"), errbuf, sizeof errbuf));
    CHECK_EQ_INT(l.count, 38685);
    CHECK(l.count && l.clips[0].label_count == 0);
    import_list_free(&l);
}

static void real_synapt_lists(void)
{
    import_list l;
    import_list_init(&l);
    import_options o = IMPORT_OPTIONS_INIT;
    o.labels_file = real("annotations/synapt/syn_labels.txt");
    /* PPMA's re-expression: "class/video.mp4;<index into syn_labels>" */
    CHECK_OK(import_parse_list(&l, &o, real("annotations/synapt/ppma_splits/sim150/val.csv"), errbuf, sizeof errbuf));
    CHECK_EQ_INT(l.class_count, 150);
    CHECK(l.class_count == 150 && strcmp(l.classes[2], "jumping jack") == 0);
    CHECK(l.class_count == 150 && strcmp(l.classes[149], "wiping off the dinning table") == 0);
    CHECK_EQ_INT(l.count, 12547); /* 12,546 newlines: the last line has none */
    CHECK_EQ_INT(distinct_labels(&l), 150);
    import_list_free(&l);

    import_list_init(&l);
    o.labels_file = NULL;
    CHECK_OK(import_parse_list(&l, &o, real("annotations/synapt/sim150_val.txt"), errbuf, sizeof errbuf));
    CHECK_EQ_INT(l.count, 12547);
    CHECK_EQ_INT(distinct_labels(&l), 150);
    const import_clip *c = find_clip(&l, "a27/PRE_a27_d1_p066_c1_color.avi_v225_r00");
    CHECK(c && strcmp(c->labels[0], "a27") == 0);
    import_list_free(&l);

    import_list_init(&l);
    o.labels_file = real("annotations/synapt/kinetics_labels.txt");
    CHECK_OK(import_parse_list(&l, &o, real("annotations/synapt/kinetics150_val.txt"), errbuf, sizeof errbuf));
    CHECK_EQ_INT(l.count, 7423);
    CHECK_EQ_INT(distinct_labels(&l), 150);
    CHECK(l.count && strcmp(l.clips[0].labels[0], "peeling apples") == 0);
    import_list_free(&l);
}

static void real_ntu(void)
{
    import_ntu_skeleton s;
    CHECK_OK(import_ntu_read(&s, real("pose/ntu/S001C001P001R001A001.skeleton"), errbuf, sizeof errbuf));
    CHECK_EQ_INT(s.frames, 103);
    CHECK_EQ_INT(s.max_bodies, 1);
    CHECK(s.body_ids && s.body_ids[0] == 72057594037931101ull);
    if (s.joints) {
        const float *j0 = s.joints;                                       /* frame 0, joint 0 */
        CHECK(near(j0[0], 0.2181153) && near(j0[1], 0.1725972) && near(j0[2], 3.785547));
        CHECK(near(j0[5], 1036.233) && near(j0[6], 519.1677) && j0[11] == 2.0f);
        const float *jl = s.joints + (102 * 25 + 24) * IMPORT_NTU_VALUES; /* frame 102, joint 24 */
        CHECK(near(jl[0], 0.1140334) && near(jl[2], 3.444) && near(jl[6], 334.0016));
    }
    import_ntu_free(&s);

    import_list l;
    import_list_init(&l);
    import_options o = IMPORT_OPTIONS_INIT;
    CHECK_OK(import_parse_ntu(&l, &o, real("pose/ntu"), errbuf, sizeof errbuf));
    CHECK_EQ_INT(l.count, 1);
    if (l.count == 1) {
        const import_clip *c = &l.clips[0];
        CHECK(strcmp(c->labels[0], "drink water") == 0 && strcmp(c->group_values[0], "P001") == 0);
        import_pose p3, p2;
        CHECK_OK(import_pose_read(&p3, &c->pose3d, 1, errbuf, sizeof errbuf));
        CHECK_OK(import_pose_read(&p2, &c->pose2d, 0, errbuf, sizeof errbuf));
        CHECK(p3.frames == 103 && p3.joints == 25 && p3.layout == SYNAPT_CHANNELS_XYZ && p3.data &&
              near(p3.data[2], 3.785547));
        CHECK(p2.frames == 103 && p2.layout == SYNAPT_CHANNELS_XY && p2.data && near(p2.data[1], 519.1677));
        import_pose_free(&p3);
        import_pose_free(&p2);
    }
    import_list_free(&l);
    /* with the official missing-skeleton list, a listed sample is left out */
    const char *d = mkdir_tmp("ntu");
    const char *skel = join(d, "S001C002P005R002A008.skeleton");
    write_file(skel, "0\n");
    import_list_init(&l);
    o.missing_list = real("annotations/labelmaps/skeleton/NTU_RGBD_samples_with_missing_skeletons.txt");
    CHECK_OK(import_parse_ntu(&l, &o, d, errbuf, sizeof errbuf));
    CHECK_EQ_INT(l.count, 0);
    import_list_free(&l);
}

static void real_openpose(void)
{
    import_sidecar sc = { 0 };
    CHECK_OK(import_sidecar_detect(&sc, real("pose/openpose"), errbuf, sizeof errbuf));
    CHECK(sc.kind == IMPORT_SC_OPENPOSE_DIR);
    import_pose p;
    CHECK_OK(import_pose_read(&p, &sc, 0, errbuf, sizeof errbuf));
    CHECK_EQ_INT(p.frames, 10);
    CHECK_EQ_INT(p.joints, 25);
    CHECK_EQ_INT(p.persons, 12);
    CHECK(p.present && p.present[0] == 9 && p.present[5] == 12);
    CHECK(p.data && near(p.data[0], 927.582) && near(p.data[1], 347.792) && near(p.data[2], 0.682327));
    /* frame 5, person 0, joint 1 */
    CHECK(p.data && near(p.data[(5 * 12 * 25 + 1) * 3], 1157.22) && near(p.data[(5 * 12 * 25 + 1) * 3 + 2], 0.893242));
    import_pose_free(&p);
    import_sidecar_clear(&sc);
    /* one frame's file alone, recognised by its content */
    CHECK_OK(import_sidecar_detect(&sc, real("pose/openpose/video_000000000005_keypoints.json"), errbuf, sizeof errbuf));
    CHECK(sc.kind == IMPORT_SC_OPENPOSE_DIR);
    CHECK_OK(import_pose_read(&p, &sc, 0, errbuf, sizeof errbuf));
    CHECK(p.frames == 1 && p.persons == 12 && p.data && near(p.data[3], 1157.22));
    import_pose_free(&p);
    import_sidecar_clear(&sc);
    CHECK_OK(import_sidecar_detect(&sc, real("pose/kinetics_skeleton/--33Lscn6sk.json"), errbuf, sizeof errbuf));
    CHECK(sc.kind == IMPORT_SC_KINETICS_SKEL);
    import_sidecar_clear(&sc);
    CHECK(import_sidecar_detect(&sc, real("pose/mmpose/coco/test_coco.json"), errbuf, sizeof errbuf) == SYNAPT_E_INPUT);
}

static void real_kinetics_skeleton(void)
{
    import_pose p;
    char *label = NULL;
    CHECK_OK(import_kinetics_skeleton_read(&p, real("pose/kinetics_skeleton/--33Lscn6sk.json"), &label,
                                           errbuf, sizeof errbuf));
    CHECK_EQ_INT(p.frames, 189);
    CHECK_EQ_INT(p.joints, 18);
    CHECK_EQ_INT(p.persons, 3);
    CHECK(p.skeleton == SYNAPT_SKELETON_OPENPOSE18 && p.layout == SYNAPT_CHANNELS_XYC);
    CHECK(label && strcmp(label, "flipping pancake") == 0);
    CHECK(p.data && near(p.data[0], 0.491) && near(p.data[1], 0.22) && near(p.data[2], 0.641));
    /* frame_index 101 (row 100), person 0, joint 17 */
    CHECK(p.data && p.present[100] == 2 && near(p.data[((100 * 3) * 18 + 17) * 3], 0.661) &&
          near(p.data[((100 * 3) * 18 + 17) * 3 + 2], 0.403));
    CHECK(p.present && p.present[56] == 3);
    free(label);
    import_pose_free(&p);
    CHECK_OK(import_kinetics_skeleton_read(&p, real("pose/kinetics_skeleton/S004C002P003R001A055_rgb.json"),
                                           NULL, errbuf, sizeof errbuf));
    CHECK_EQ_INT(p.frames, 76);
    CHECK_EQ_INT(p.persons, 4);
    import_pose_free(&p);
}

static void real_surreal(void)
{
    import_pose p2, p3;
    char *meta = NULL;
    CHECK_OK(import_surreal_info_read(&p2, &p3, &meta, real("pose/surreal/01_01_c0001_info.mat"),
                                      errbuf, sizeof errbuf));
    CHECK(p2.frames == 100 && p2.joints == 24 && p2.channels == 2 && p2.skeleton == SYNAPT_SKELETON_SMPL24);
    CHECK(p3.frames == 100 && p3.joints == 24 && p3.channels == 3);
    if (p2.data && p3.data) {
        CHECK(p2.data[0] == 162.0f && p2.data[1] == 117.0f);
        CHECK(p2.data[(99 * 24 + 23) * 2] == 89.0f && p2.data[(99 * 24 + 23) * 2 + 1] == 112.0f);
        CHECK(p2.data[(50 * 24 + 5) * 2] == 143.0f && p2.data[(50 * 24 + 5) * 2 + 1] == 176.0f);
        CHECK(near(p3.data[0], 0.05123147368431091) && near(p3.data[1], -1.0124669075012207) &&
              near(p3.data[2], -1.9565751552581787));
        CHECK(near(p3.data[(99 * 24 + 23) * 3 + 2], -1.0259792804718018));
    }
    CHECK(meta && strstr(meta, "\"camDist\":7.69221") != NULL);
    CHECK(meta && strstr(meta, "\"clipNo\":1") != NULL);
    CHECK(meta && strstr(meta, "\"camLoc\":{\"dims\":[3,1],\"order\":\"F\",\"data\":[6.74562") != NULL);
    CHECK(meta && strstr(meta, "\"sequence\":\"") != NULL);
    CHECK(meta && !strstr(meta, "joints2D"));
    free(meta);
    import_pose_free(&p2);
    import_pose_free(&p3);

    /* the surreact layout around it: a clip with its mp4 beside the mat */
    import_list l;
    import_list_init(&l);
    CHECK_OK(import_parse_surreact(&l, NULL, real("pose/surreal"), errbuf, sizeof errbuf));
    CHECK_EQ_INT(l.count, 1);
    CHECK(l.count == 1 && l.clips[0].synthetic && strcmp(l.clips[0].id, "01_01_c0001") == 0 &&
          l.clips[0].pose3d.kind == IMPORT_SC_MAT && strstr(l.clips[0].video, "01_01_c0001.mp4"));
    import_list_free(&l);
}

static void real_arrays(void)
{
    import_sidecar sc = { 0 };
    import_pose p;
    CHECK_OK(import_sidecar_detect(&sc, real("pose/ntu/example_NTU-RGB-D_sketeton.npy"), errbuf, sizeof errbuf));
    CHECK_OK(import_pose_read(&p, &sc, 1, errbuf, sizeof errbuf));
    /* st-gcn (C,T,V,M) = (3,300,25,2); the second person is all zeros */
    CHECK(p.frames == 300 && p.persons == 2 && p.joints == 25 && p.channels == 3);
    CHECK(p.data && near(p.data[0], 0.07143126) && near(p.data[1], -0.1893049) && near(p.data[2], 3.121067));
    size_t with = 0;
    for (uint64_t t = 0; p.present && t < p.frames; t++)
        with += p.present[t] > 0;
    CHECK_EQ_INT(with, 72);
    CHECK(p.present && p.present[0] == 1);
    import_pose_free(&p);
    import_sidecar_clear(&sc);

    CHECK_OK(import_sidecar_detect(&sc, real("pose/mmpose/h36m/test_h36m_body3d.npz:S"), errbuf, sizeof errbuf));
    CHECK(sc.kind == IMPORT_SC_NPZ);
    CHECK_OK(import_pose_read(&p, &sc, 1, errbuf, sizeof errbuf));
    CHECK(p.frames == 4 && p.joints == 17 && p.layout == SYNAPT_CHANNELS_XYZC);
    CHECK(p.data && near(p.data[(3 * 17 + 16) * 4], -0.17242171969833592) &&
          near(p.data[(3 * 17 + 16) * 4 + 2], 6.855706638110357));
    import_pose_free(&p);
    import_sidecar_clear(&sc);
    CHECK_OK(import_sidecar_detect(&sc, real("pose/mmpose/h36m/test_h36m_body3d.npz"), errbuf, sizeof errbuf));
    CHECK(import_pose_read(&p, &sc, 1, errbuf, sizeof errbuf) == SYNAPT_E_INPUT);
    CHECK(strstr(errbuf, "name one as") != NULL);
    import_sidecar_clear(&sc);

    CHECK_OK(import_sidecar_detect(&sc, real("pose/mmpose/h36m/test_h36m_2d_detection.npy"), errbuf, sizeof errbuf));
    CHECK_OK(import_pose_read(&p, &sc, 0, errbuf, sizeof errbuf));
    CHECK(p.frames == 4 && p.joints == 17 && p.layout == SYNAPT_CHANNELS_XYC && p.data &&
          near(p.data[(2 * 17 + 5) * 3], 392.0208435058594));
    import_pose_free(&p);
    import_sidecar_clear(&sc);

    /* the pickled dict .npy of the NTU toolbox is refused, not executed */
    CHECK_OK(import_sidecar_detect(&sc, real("pose/ntu/S001C001P001R001A001.skeleton.npy"), errbuf, sizeof errbuf));
    CHECK(import_pose_read(&p, &sc, 1, errbuf, sizeof errbuf) < 0);
    import_sidecar_clear(&sc);
}

static void real_depth_and_images(void)
{
    import_sidecar sc = { 0 };
    import_frames *f = NULL;
    CHECK_OK(import_sidecar_detect(&sc, real("depth/open3d/depth"), errbuf, sizeof errbuf));
    CHECK(sc.kind == IMPORT_SC_PNG_DIR);
    CHECK_OK(import_frames_open(&f, &sc, errbuf, sizeof errbuf));
    if (f) {
        const import_frames_info *i = import_frames_get_info(f);
        CHECK(i->frames == 1 && i->width == 640 && i->height == 480 && i->channels == 1 &&
              i->dtype == SYNAPT_DTYPE_U16 && i->scale == 0.001);
        uint16_t *d = malloc(640 * 480 * 2);
        CHECK_OK(import_frames_read(f, 0, d, 640 * 480 * 2, errbuf, sizeof errbuf));
        uint16_t mx = 0;
        for (int k = 0; d && k < 640 * 480; k++)
            mx = d[k] > mx ? d[k] : mx;
        CHECK_EQ_INT(mx, 2702); /* the file's maximum, millimetres */
        free(d);
        import_frames_close(f);
    }
    import_sidecar_clear(&sc);
    /* one PNG file is a clip of one frame */
    CHECK_OK(import_sidecar_detect(&sc, real("depth/open3d/other_formats/SUN_depth.png"), errbuf, sizeof errbuf));
    CHECK(sc.kind == IMPORT_SC_PNG_DIR);
    CHECK_OK(import_frames_open(&f, &sc, errbuf, sizeof errbuf));
    if (f) {
        CHECK(import_frames_get_info(f)->frames == 1 && import_frames_get_info(f)->dtype == SYNAPT_DTYPE_U16);
        import_frames_close(f);
    }
    import_sidecar_clear(&sc);
    /* TUM depth is value/5000 m: the scale comes from the manifest */
    CHECK_OK(import_sidecar_detect(&sc, real("depth/open3d/other_formats/TUM_d*.png"), errbuf, sizeof errbuf));
    sc.scale = 1.0 / 5000;
    CHECK_OK(import_frames_open(&f, &sc, errbuf, sizeof errbuf));
    if (f) {
        CHECK(import_frames_get_info(f)->scale == 1.0 / 5000 && import_frames_get_info(f)->frames == 1);
        import_frames_close(f);
    }
    import_sidecar_clear(&sc);
    CHECK_OK(import_sidecar_detect(&sc, real("depth/open3d/color"), errbuf, sizeof errbuf));
    CHECK(sc.kind == IMPORT_SC_IMAGE_DIR);
    CHECK_OK(import_frames_open(&f, &sc, errbuf, sizeof errbuf));
    if (f) {
        const import_frames_info *i = import_frames_get_info(f);
        CHECK(i->width == 640 && i->height == 480 && i->channels == 3 && i->dtype == SYNAPT_DTYPE_U8);
        uint8_t *rgb = malloc(640 * 480 * 3);
        CHECK_OK(import_frames_read(f, 0, rgb, 640 * 480 * 3, errbuf, sizeof errbuf));
        long sum = 0;
        for (int k = 0; rgb && k < 640 * 480 * 3; k++)
            sum += rgb[k];
        CHECK(sum > 640 * 480 * 3 * 10); /* a real picture, not black */
        free(rgb);
        import_frames_close(f);
    }
    import_sidecar_clear(&sc);
}

#define RUN_REAL(fn) do { if (!tu_realdata()) tu_skip(#fn, "SYNAPT_REALDATA not set (../shared/realdata absent)"); \
    else RUN(fn); } while (0)

int main(void)
{
    /* the corrupt-JPEG case makes FFmpeg log; the test checks our message */
    av_log_set_level(AV_LOG_QUIET);
    RUN(unit_text_helpers);
    RUN(unit_ucf101);
    RUN(unit_hmdb51);
    RUN(unit_kinetics);
    RUN(unit_list);
    RUN(unit_manifest);
    RUN(unit_json_layouts);
    RUN(unit_sidecars);
    RUN(unit_mat_frames);
    RUN(unit_detect);
    RUN(hostile_mutations);
    RUN_REAL(real_ucf101);
    RUN_REAL(real_hmdb51);
    RUN_REAL(real_diving48);
    RUN_REAL(real_ssv2);
    RUN_REAL(real_kinetics);
    RUN_REAL(real_synapt_lists);
    RUN_REAL(real_ntu);
    RUN_REAL(real_openpose);
    RUN_REAL(real_kinetics_skeleton);
    RUN_REAL(real_surreal);
    RUN_REAL(real_arrays);
    RUN_REAL(real_depth_and_images);
    TEST_MAIN_END();
}
