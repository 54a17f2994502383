/* test_pack_scratch.c - where import_pack_run keeps a clip between packing
 * it and copying it into the output: in memory (small copy-mode clips), in
 * a scratch file, or in memory first and then a file when the image passes
 * its limit. The output must be the same bytes every way and at every
 * thread count, with cuts and a failing clip among them, and nothing may be
 * left behind. */
#include <dirent.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libavutil/log.h>
#include "import/import.h"
#include "synapt.h"
#include "testutil.h"

static char g_dir[512];

static int make_video(const char *path, int frames, int hue)
{
    synapt_movie *m = NULL;
    char err[256];
    if (synapt_movie_open(&m, path, "mp4", 64, 48, 10, 1, err, sizeof err)) {
        printf("  %s\n", err);
        return -1;
    }
    uint8_t rgb[64 * 48 * 3];
    for (int f = 0; f < frames; f++) {
        for (int i = 0; i < 64 * 48; i++) {
            rgb[i * 3] = (uint8_t)(i * 3 + f * 9 + hue);
            rgb[i * 3 + 1] = (uint8_t)((i / 64) * 5 + hue);
            rgb[i * 3 + 2] = (uint8_t)(f * 20);
        }
        if (synapt_movie_write(m, rgb, err, sizeof err)) {
            synapt_movie_abort(m);
            return -1;
        }
    }
    return synapt_movie_close(m, err, sizeof err) ? -1 : 0;
}

/* Pack manifest `m` into `out`; the run's return code. */
static int pack(const char *m, const char *out, int threads, int64_t inputs, uint64_t limit, int keep_going,
                import_pack_stats *st)
{
    import_list l;
    import_list_init(&l);
    char err[1024] = "";
    const char *in[1] = { m };
    import_options io = IMPORT_OPTIONS_INIT;
    int rc = import_parse(&l, &io, in, 1, err, sizeof err);
    if (!rc) {
        import_pack_options o;
        memset(&o, 0, sizeof o);
        synapt_video_import_options vi = SYNAPT_VIDEO_IMPORT_OPTIONS_INIT;
        o.video = vi;
        o.out = out;
        o.threads = threads;
        o.keep_going = keep_going;
        o.memory_inputs = inputs;
        o.memory_limit = limit;
        unlink(out);
        rc = import_pack_run(st, &l, &o, err, sizeof err);
    }
    if (rc && rc != 3 && !keep_going && !strstr(err, "bad.mp4"))
        printf("  pack: %s\n", err);
    import_list_free(&l);
    return rc;
}

/* Names in g_dir other than the inputs and the outputs this test made. */
static int stray_files(void)
{
    DIR *d = opendir(g_dir);
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d))) {
        const char *s = e->d_name;
        if (!strcmp(s, ".") || !strcmp(s, "..") || strstr(s, ".mp4") || strstr(s, ".jsonl") ||
            (strncmp(s, "out", 3) == 0 && strstr(s, ".synapt")))
            continue;
        printf("  left behind: %s\n", s);
        n++;
    }
    if (d) closedir(d);
    return n;
}

static void test_same_bytes_every_way(void)
{
    char p[700], m[700];
    for (int i = 0; i < 5; i++) {
        snprintf(p, sizeof p, "%s/v%d.mp4", g_dir, i);
        CHECK_OK(make_video(p, 12 + i * 3, i * 40));
    }
    snprintf(m, sizeof m, "%s/all.jsonl", g_dir);
    FILE *f = fopen(m, "w");
    CHECK(f != NULL);
    if (!f) return;
    fprintf(f, "{\"video\":\"v0.mp4\",\"label\":\"a\"}\n"
               "{\"video\":\"v1.mp4\",\"label\":\"b\",\"start_frame\":3,\"end_frame\":11}\n"
               "{\"video\":\"v2.mp4\",\"label\":\"a\"}\n"
               "{\"video\":\"v3.mp4\",\"label\":\"c\",\"start_frame\":5}\n"
               "{\"video\":\"v4.mp4\",\"label\":\"b\"}\n");
    fclose(f);
    /* memory (the default for these small clips), memory then a file (a
     * limit far below every image), files only; 1 and 3 threads */
    static const struct { int64_t inputs; uint64_t limit; } ways[] = { { 0, 0 }, { 0, 2000 }, { -1, 0 } };
    uint8_t *first = NULL;
    size_t nfirst = 0;
    uint64_t frames = 0;
    for (size_t w = 0; w < sizeof ways / sizeof *ways; w++)
        for (int t = 1; t <= 3; t += 2) {
            char out[700];
            snprintf(out, sizeof out, "%s/out_%zu_%d.synapt", g_dir, w, t);
            import_pack_stats st;
            CHECK_OK(pack(m, out, t, ways[w].inputs, ways[w].limit, 0, &st));
            CHECK_EQ_INT(st.packed, 5);
            uint8_t *b = NULL;
            size_t nb = 0;
            CHECK_OK(tu_read_file(out, &b, &nb));
            if (!first) {
                first = b;
                nfirst = nb;
                frames = st.frames;
                CHECK_EQ_INT(frames, 12 + (11 - 3) + 18 + (21 - 5) + 24);
            } else {
                CHECK_EQ_INT(st.frames, frames);
                CHECK(nb == nfirst && !memcmp(b, first, nb));
                if (nb != nfirst || memcmp(b, first, nb))
                    printf("  way %zu, %d threads: other bytes\n", w, t);
                free(b);
            }
            unlink(out);
        }
    synapt_reader *r = NULL;
    CHECK_OK(synapt_reader_open_memory(&r, first, nfirst, "packed", NULL, NULL, 0));
    if (r) {
        CHECK_EQ_INT(synapt_reader_clip_count(r), 5);
        CHECK_OK(synapt_reader_verify(r, NULL, NULL));
        synapt_reader_close(r);
    }
    free(first);
    CHECK_EQ_INT(stray_files(), 0);
}

static void test_failing_clip(void)
{
    char bad[700], m[700];
    snprintf(bad, sizeof bad, "%s/bad.mp4", g_dir);
    uint8_t junk[3000];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)(i * 7919 >> 3);
    CHECK_OK(tu_write_file(bad, junk, sizeof junk));
    snprintf(m, sizeof m, "%s/bad.jsonl", g_dir);
    FILE *f = fopen(m, "w");
    CHECK(f != NULL);
    if (!f) return;
    fprintf(f, "{\"video\":\"v0.mp4\",\"label\":\"a\"}\n{\"video\":\"bad.mp4\",\"label\":\"a\"}\n"
               "{\"video\":\"v2.mp4\",\"label\":\"a\",\"start_frame\":2,\"end_frame\":5}\n");
    fclose(f);
    char out[700];
    snprintf(out, sizeof out, "%s/out_bad.synapt", g_dir);
    for (int t = 1; t <= 2; t++) {
        import_pack_stats st;
        /* without --keep-going: the run fails and writes nothing */
        CHECK(pack(m, out, t, 0, 0, 0, &st) != 0);
        CHECK(access(out, F_OK) != 0);
        /* with it: the two good clips, exit 3 */
        CHECK_EQ_INT(pack(m, out, t, 0, 0, 1, &st), 3);
        CHECK_EQ_INT(st.packed, 2);
        CHECK_EQ_INT(st.frames, 12 + 3);
        unlink(out);
        char rep[800];
        snprintf(rep, sizeof rep, "%s.report.json", out);
        CHECK(access(rep, F_OK) == 0);
        unlink(rep);
    }
    unlink(bad);
    CHECK_EQ_INT(stray_files(), 0);
}

int main(void)
{
    av_log_set_level(AV_LOG_QUIET); /* x264's statistics, the junk file's probe */
    snprintf(g_dir, sizeof g_dir, "%s/pscratch_%d", tu_tmp_dir(), (int)getpid());
    if (mkdir(g_dir, 0700) != 0) {
        printf("FAIL setup: cannot create %s\n", g_dir);
        return 1;
    }
    RUN(test_same_bytes_every_way);
    RUN(test_failing_clip);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0)
        printf("  could not remove %s\n", g_dir);
    TEST_MAIN_END();
}
