/* test_sets.c - the six SynAPT downstream sets from their split lists
 * (tools/import: layout_splits.c and the set layouts): counts, classes and
 * groups checked against the real lists of $SYNAPT_REALDATA, leak checks
 * (no group on both sides of a split), the older four-field and ";;"
 * forms, and malformed lines naming file and line. */
#include "testutil.h"
#include "import/import.h"

#include <sys/stat.h>
#include <unistd.h>

static char errbuf[1024];

static const char *real(const char *rel)
{
    static char b[4][1024];
    static int k;
    char *p = b[k++ & 3];
    snprintf(p, 1024, "%s/annotations/synapt/%s", tu_realdata(), rel);
    return p;
}

static const char *tmp_file(const char *name, const char *text, size_t len)
{
    static char b[4][1024];
    static int k;
    char *p = b[k++ & 3];
    snprintf(p, 1024, "%s/sets-%d", tu_tmp_dir(), (int)getpid());
    mkdir(p, 0755);
    snprintf(p + strlen(p), 1024 - strlen(p), "/%s", name);
    FILE *f = fopen(p, "wb");
    if (f) {
        fwrite(text, 1, len ? len : strlen(text), f);
        fclose(f);
    }
    return p;
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
    size_t n = 0;
    for (size_t i = 0; i < l->count; i++) {
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(l->clips[i].labels[0], l->clips[j].labels[0]) == 0;
        n += !seen;
    }
    return n;
}

static const char *group_of(const import_clip *c, const char *key)
{
    for (size_t g = 0; g < c->group_count; g++)
        if (strcmp(c->group_keys[g], key) == 0)
            return c->group_values[g];
    return NULL;
}

/* Groups seen in both train and val (the leak a cross-group split must
 * not have); *n_groups gets the distinct group count. -1 = a clip has none. */
static long groups_in_both(const import_list *l, const char *key, size_t *n_groups)
{
    long both = 0;
    size_t n = 0;
    for (size_t i = 0; i < l->count; i++) {
        const char *g = group_of(&l->clips[i], key);
        if (!g)
            return -1;
        int first = 1, other = 0;
        for (size_t j = 0; j < l->count; j++) {
            const char *h = group_of(&l->clips[j], key);
            if (j < i && strcmp(g, h) == 0)
                first = 0;
            if (strcmp(g, h) == 0 && strcmp(l->clips[i].split, l->clips[j].split) != 0)
                other = 1;
        }
        if (first) {
            n++;
            both += other;
        }
    }
    *n_groups = n;
    return both;
}

static const import_clip *find_clip(const import_list *l, const char *id)
{
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->clips[i].id, id) == 0)
            return &l->clips[i];
    return NULL;
}

static int parse(import_list *l, const char *fmt, const char *path, const char *labels)
{
    import_options o = IMPORT_OPTIONS_INIT;
    o.format = fmt;
    o.labels_file = labels;
    o.root = "/videos";
    const char *in[1] = { path };
    import_list_init(l);
    errbuf[0] = 0;
    int rc = import_parse(l, &o, in, 1, errbuf, sizeof errbuf);
    if (rc)
        printf("  %s: %s\n", path, errbuf);
    return rc;
}

/* ---- the real lists: each set parsed once, its counts checked against
 * the published ones, then what is particular to the set ---- */

static void real_uav_human(const import_list *l)
{
    size_t subjects = 0;
    CHECK_EQ_INT(groups_in_both(l, "subject", &subjects), 0); /* cross-subject */
    CHECK_EQ_INT(subjects, 119);
    const import_clip *c = find_clip(l, "P090S02G10B00H10UC032000LC021000A000R0_09201601");
    CHECK(c && strcmp(c->labels[0], "A000") == 0 && strcmp(c->source, "uav-human") == 0);
    CHECK(c && strcmp(group_of(c, "subject"), "P090") == 0);
    CHECK(c && c->meta_json && strstr(c->meta_json, "\"upper_clothing\":\"UC032000\""));
    CHECK(c && strcmp(c->video, "/videos/uav_human/videos/P090S02G10B00H10UC032000LC021000A000R0_09201601.avi") == 0);
    CHECK(l->class_count == 155 && strcmp(l->classes[154], "A154") == 0);
    CHECK_EQ_INT(l->warning_count, 0);
}

static void real_ikea_fa(const import_list *l)
{
    size_t videos = 0;
    CHECK_EQ_INT(groups_in_both(l, "video", &videos), 0); /* no GoPro video on both sides */
    CHECK(videos > 10);
    const import_clip *c = find_clip(l, "GOPR0086_00117_00294_05");
    CHECK(c && strcmp(c->labels[0], "spin_in") == 0 && strcmp(group_of(c, "video"), "GOPR0086") == 0);
    CHECK(c && c->meta_json && strstr(c->meta_json, "\"first_frame\":117,\"last_frame\":294"));
    /* the segment itself is the video when nothing else is on disk */
    CHECK(c && c->start_frame == -1 && c->end_frame == -1);
}

static void real_mini_ssv2(const import_list *l)
{
    CHECK(l->class_count == 87 && strcmp(l->classes[0], "Approaching something with your camera") == 0);
    const import_clip *c = find_clip(l, "169362");
    CHECK(c && c->label_count == 1 && strcmp(c->labels[0], l->classes[71]) == 0);
    CHECK(c && c->group_count == 0);
}

static void real_diving48(const import_list *l)
{
    /* class 30 is listed by no clip: 48 classes, 47 of them used, ids kept */
    CHECK(l->warning_count == 1 && strstr(l->warnings[0], "(30)") && strstr(l->warnings[0], "not renumbered"));
    const import_clip *c = find_clip(l, "-mmq0PT-u8k_00155");
    CHECK(c && strcmp(group_of(c, "video"), "-mmq0PT-u8k") == 0 && strcmp(c->labels[0], l->classes[0]) == 0);

    /* without a vocabulary: numeric labels, and a warning that says how to name them */
    import_list n;
    CHECK_OK(parse(&n, "diving48", real("ppma_splits/diving48/val.csv"), NULL));
    CHECK_EQ_INT(n.count, 1970);
    int named = 0;
    for (size_t i = 0; i < n.warning_count; i++)
        named |= strstr(n.warnings[i], "--labels") != NULL;
    CHECK(named);
    CHECK(n.class_count == 48 && strcmp(n.classes[5], "5") == 0);
    import_list_free(&n);
}

static void real_ucf101(const import_list *l)
{
    /* UCF101's own mixed case: the folder HandstandPushups, the file v_HandStandPushups */
    CHECK(find_clip(l, "v_HandStandPushups_g08_c01") != NULL);
    CHECK(l->class_count == 101 && strcmp(l->classes[0], "ApplyEyeMakeup") == 0);
    size_t groups = 0;
    CHECK_EQ_INT(groups_in_both(l, "group", &groups), 0); /* split 1: g01-07 test, g08-25 train */
    CHECK_EQ_INT(groups, 25);
}

static void real_hmdb51(const import_list *l)
{
    CHECK(l->class_count == 51 && strcmp(l->classes[0], "talk") == 0); /* the list's ids, not alphabetical */
    /* names holding ';' keep it: the label is the last field */
    const import_clip *c = find_clip(l, "Der_Lachsack___Laughing_Bag___keep_on_smiling_;0)_laugh_h_cm_np1_fr_med_0");
    CHECK(c && strcmp(c->labels[0], "laugh") == 0);
    CHECK(c && strcmp(group_of(c, "video"), "Der_Lachsack___Laughing_Bag___keep_on_smiling_;0)") == 0);
    size_t videos = 0;
    long both = groups_in_both(l, "video", &videos);
    /* measured on the real lists: 1,352 source videos; 133 of them give
     * clips to both splits, always under different classes (the same film
     * cut for "talk" in train and "smile" in val), never within one class */
    CHECK_EQ_INT(videos, 1352);
    CHECK_EQ_INT(both, 133);
}

/* One row per set: what to parse (the format detected when NULL), the
 * clips per split, the classes, and how many of them clips use (-1 = not
 * checked). The row's name is the case's PASS/FAIL name. */
static const struct real_set {
    const char *name, *list, *labels;
    long train, val, classes, used;
    void (*more)(const import_list *l);
} real_sets[] = {
    { "real_uav_human", "ppma_splits/uav", NULL, 16285, 6191, 155, 155, real_uav_human },
    { "real_ikea_fa", "ppma_splits/ikea_furniture", NULL, 1781, 163, 12, 12, real_ikea_fa },
    /* mini_ssv2.txt sits one folder above the list: found there */
    { "real_mini_ssv2", "ppma_splits/mini_ssv2/val.csv", NULL, 0, 11799, 87, 87, real_mini_ssv2 },
    { "real_diving48", "ppma_splits/diving48", "annotations/diving48/Diving48_vocab.json", 15027, 1970,
      48, 47, real_diving48 },
    { "real_ucf101", "ppma_splits/ucf101", NULL, 9537, 3783, 101, -1, real_ucf101 },
    { "real_hmdb51", "ppma_splits/hmdb51", NULL, 3570, 1530, 51, -1, real_hmdb51 },
};

static void run_real_set(const struct real_set *s)
{
    char labels[1024];
    if (s->labels)
        snprintf(labels, sizeof labels, "%s/%s", tu_realdata(), s->labels);
    import_list l;
    CHECK_OK(parse(&l, NULL, real(s->list), s->labels ? labels : NULL));
    CHECK_EQ_INT(count_split(&l, "train"), s->train);
    CHECK_EQ_INT(count_split(&l, "val"), s->val);
    CHECK_EQ_INT(l.class_count, s->classes);
    if (s->used >= 0)
        CHECK_EQ_INT(distinct_labels(&l), s->used);
    s->more(&l);
    import_list_free(&l);
}

/* Synthetic lists in the lists' own format, for the forms the real files
 * do not show: the four-field list, ";;", bad lines. */
static void unit_forms(void)
{
    import_list l;
    const char *p = tmp_file("train.csv",
                             "ikea_furniture/videos/flip_over/GOPR0001_00010_00020_01.MP4;5;15;8\r\n"
                             "ikea_furniture/videos/pick_leg/GOPR0002_00010_00020_02.MP4;;3;;9;;9", 0);
    CHECK_OK(parse(&l, "ikea-fa", p, NULL));
    CHECK_EQ_INT(l.count, 2);
    if (l.count == 2) {
        CHECK(l.clips[0].start_frame == 5 && l.clips[0].end_frame == 15);
        CHECK(strcmp(l.clips[0].labels[0], "flip_over") == 0 && strcmp(l.clips[0].split, "train") == 0);
        CHECK(l.clips[1].start_frame == 3 && l.clips[1].end_frame == 9);
        CHECK(strcmp(l.clips[1].labels[0], "pick_leg") == 0);
    }
    import_list_free(&l);

    /* the untrimmed GoPro recording stands in for a missing segment */
    char root[1024];
    snprintf(root, sizeof root, "%s/sets-%d/root", tu_tmp_dir(), (int)getpid());
    mkdir(root, 0755);
    strcat(root, "/ikea_furniture");
    mkdir(root, 0755);
    strcat(root, "/videos");
    mkdir(root, 0755);
    char gopro[1100];
    snprintf(gopro, sizeof gopro, "%s/GOPR0001.MP4", root);
    FILE *f = fopen(gopro, "wb");
    if (f)
        fclose(f);
    import_options o = IMPORT_OPTIONS_INIT;
    o.format = "ikea-fa";
    root[strlen(root) - strlen("/ikea_furniture/videos")] = 0;
    o.root = root;
    p = tmp_file("val.csv", "ikea_furniture/videos/flip_over/GOPR0001_00010_00020_01.MP4;8\n", 0);
    const char *in[1] = { p };
    import_list_init(&l);
    CHECK_OK(import_parse(&l, &o, in, 1, errbuf, sizeof errbuf));
    CHECK(l.count == 1 && l.clips[0].start_frame == 10 && l.clips[0].end_frame == 21);
    CHECK(l.count == 1 && strstr(l.clips[0].video, "ikea_furniture/videos/GOPR0001.MP4"));
    import_list_free(&l);
}

static void expect_bad(const char *fmt, const char *text, size_t len, const char *want_line,
                       const char *want)
{
    import_list l;
    const char *p = tmp_file("val.csv", text, len);
    int rc = parse(&l, fmt, p, NULL);
    CHECK_EQ_INT(rc, SYNAPT_E_INPUT);
    CHECK(strstr(errbuf, "val.csv") && strstr(errbuf, want_line) && strstr(errbuf, want));
    CHECK(!strchr(errbuf, '\n'));
    if (!strstr(errbuf, want_line) || !strstr(errbuf, want))
        printf("  got: %s\n", errbuf);
    import_list_free(&l);
}

static void hostile_lines(void)
{
    static const char uav_ok[] = "uav_human/videos/P001S00G20B40H20UC072000LC021000A000R0_08241838.avi;0\n";
    char buf[512];
    expect_bad("uav-human", "uav_human/videos/P001S00G20B40H20UC072000LC021000A000R0_08241838.avi\n", 0,
               "val.csv:1:", "expected '<path>;<label id>'");
    snprintf(buf, sizeof buf, "%suav_human/videos/P001S00G20B40H20UC072000LC021000A000R0_08241838.avi;\n", uav_ok);
    expect_bad("uav-human", buf, 0, ":2:", "missing label");
    expect_bad("uav-human", "uav_human/videos/P001S00G20B40H20UC072000LC021000A155R0_08241838.avi;155\n", 0,
               ":1:", "not a class id 0..154");
    expect_bad("uav-human", "uav_human/videos/P001S00G20B40H20UC072000LC021000A000R0_08241838.avi;99999999999999999999999\n", 0,
               ":1:", "not a class id");
    expect_bad("uav-human", "uav_human/videos/P001S00G20B40H20UC072000LC021000A000R0_08241838.avi;-1\n", 0,
               ":1:", "not a class id");
    expect_bad("uav-human", "uav_human/videos/P01S00G20B40H20UC072000LC021000A000R0_08241838.avi;0\n", 0,
               ":1:", "does not match the UAV-Human name");
    expect_bad("uav-human", "uav_human/videos/P001S00G20B40H20UC072000LC021000A003R0_08241838.avi;4\n", 0,
               ":1:", "name says action A003");
    expect_bad("ikea-fa", "ikea_furniture/videos/spin_in/GOPR0086_00117_00294_05.MP4;3\n", 0,
               ":1:", "label 3 is 'attach_leg_4' but the path says 'spin_in'");
    expect_bad("ikea-fa", "ikea_furniture/videos/spin_in/VID0086_00117_00294_05.MP4;10\n", 0,
               ":1:", "does not match the IKEA-FA name");
    expect_bad("ikea-fa", "ikea_furniture/videos/spin_in/GOPR0086_00117_00294_05.MP4;1;99999999999;10\n", 0,
               ":1:", "frame range");
    expect_bad("mini-ssv2", "something2something-v2/videos/abc.webm;3\n", 0, ":1:", "not a Something-Something");
    expect_bad("mini-ssv2", "something2something-v2/videos/../../etc/1.webm;3\n", 0, ":1:", "leaves the root");
    expect_bad("ucf101", "ApplyEyeMakeup/v_Archery_g08_c01;0\n", 0, ":1:", "does not match the UCF101 name");
    expect_bad("ucf101", "ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01;0\nArchery/v_Archery_g08_c01;0\n", 0,
               ":2:", "label 0 is 'ApplyEyeMakeup' but the path says 'Archery'");
    expect_bad("hmdb51", "talk/Faith_Rewarded_h_nm_np1_fr_goo_46;0\n", 0, ":1:", "does not match the HMDB51 name");
    expect_bad("diving48", "diving48/videos/nosegment.mp4;0\n", 0, ":1:", "does not match the Diving48 name");
    /* a NUL byte inside a line is an error, not the end of the line */
    static const char nul[] = "diving48/videos/a_00001.mp4;0\ndiving48/videos/b_0\0001.mp4;0\n";
    expect_bad("diving48", nul, sizeof nul - 1, ":2:", "NUL");

    /* UAV-Human names its 155 classes from the ids (A000..A154) even when a
     * list shows a few: ids never shift, and no "unnamed" warning */
    import_list u;
    CHECK_OK(parse(&u, "uav-human", tmp_file("val.csv", uav_ok, 0), NULL));
    CHECK(u.class_count == 155 && strcmp(u.classes[154], "A154") == 0 && strcmp(u.classes[0], "A000") == 0);
    CHECK(u.warning_count == 1 && strstr(u.warnings[0], "154 of 155") && !strstr(u.warnings[0], "no name"));
    import_list_free(&u);

    /* keep-going records the bad line and goes on */
    import_list l;
    import_options o = IMPORT_OPTIONS_INIT;
    o.format = "uav-human";
    o.keep_going = 1;
    snprintf(buf, sizeof buf, "%sjunk\n%s", uav_ok, uav_ok);
    const char *in[1] = { tmp_file("train.csv", buf, 0) };
    import_list_init(&l);
    CHECK_OK(import_parse(&l, &o, in, 1, errbuf, sizeof errbuf));
    CHECK_EQ_INT(l.count, 2);
    CHECK(l.skipped_count == 1 && l.skipped[0].line == 2);
    import_list_free(&l);
}

/* Valid lines of each set with 1-4 bytes replaced (deterministic LCG):
 * the parse either succeeds or fails with SYNAPT_E_INPUT and one line
 * naming the file; never a crash (the sanitizer build runs this too). */
static void hostile_mutations(void)
{
    static const struct { const char *fmt, *line; } base[] = {
        { "uav-human", "uav_human/videos/P001S00G20B40H20UC072000LC021000A007R0_08241838.avi;7\r\n" },
        { "ikea-fa", "ikea_furniture/videos/spin_in/GOPR0022_04144_05129_09.MP4;10\r\n" },
        { "mini-ssv2", "something2something-v2/videos/169362.webm;71\r\n" },
        { "diving48", "diving48/videos/8qRmKunCjtY_00016.mp4;0;5;0\n" },
        { "ucf101", "ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01;0\n" },
        { "hmdb51", "laugh/Der_Lachsack___;0)_laugh_h_cm_np1_fr_med_0;;3;;9;;0\n" },
    };
    static const char alphabet[] = ";;//__0123456789AP.\r\n\0 -x";
    uint32_t seed = 12345;
    int bad_rc = 0, bad_msg = 0;
    for (size_t b = 0; b < sizeof base / sizeof base[0]; b++) {
        for (int it = 0; it < 400; it++) {
            char buf[256];
            size_t n = strlen(base[b].line);
            memcpy(buf, base[b].line, n);
            int muts = 1 + (int)((seed >> 7) % 4);
            for (int m = 0; m < muts; m++) {
                seed = seed * 1103515245u + 12345u;
                size_t at = (seed >> 8) % n;
                seed = seed * 1103515245u + 12345u;
                buf[at] = alphabet[(seed >> 8) % (sizeof alphabet - 1)];
            }
            import_list l;
            import_options o = IMPORT_OPTIONS_INIT;
            o.format = base[b].fmt;
            o.root = "/videos";
            const char *in[1] = { tmp_file("val.csv", buf, n) };
            import_list_init(&l);
            errbuf[0] = 0;
            int rc = import_parse(&l, &o, in, 1, errbuf, sizeof errbuf);
            if (rc != 0 && rc != SYNAPT_E_INPUT)
                bad_rc++;
            if (rc && (!strstr(errbuf, "val.csv") || strchr(errbuf, '\n')))
                bad_msg++;
            import_list_free(&l);
        }
    }
    CHECK_EQ_INT(bad_rc, 0);
    CHECK_EQ_INT(bad_msg, 0);
}


int main(void)
{
    RUN(unit_forms);
    RUN(hostile_lines);
    RUN(hostile_mutations);
    for (size_t i = 0; i < sizeof real_sets / sizeof *real_sets; i++) {
        if (!tu_realdata()) {
            tu_skip(real_sets[i].name, "SYNAPT_REALDATA not set (../shared/realdata absent)");
            continue;
        }
        tu_begin(real_sets[i].name);
        run_real_set(&real_sets[i]);
        tu_end();
    }
    TEST_MAIN_END();
}
