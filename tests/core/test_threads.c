/* test_threads.c - one reader handle shared by 8 threads (synapt.h: the read
 * calls of sections 4, 5 and 7 are thread-safe on one handle).
 *
 * Each thread reads random frame ranges of every stream kind of the golden
 * files (image, depth with depth_rank, mask, pose2d/pose3d with xor_prev,
 * frame labels, custom arrays, and H.264 video decoded to RGB), frame table
 * entries and pts, and runs a full verification now and then, comparing
 * every result with a single-threaded read made first. Cheap enough for
 * make test; `make tsan` runs it under ThreadSanitizer, which is where a
 * shared scratch buffer or a decoder cache without its lock would show. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synapt.h"
#include "testutil.h"

#define THREADS 8
#define ROUNDS 60

/* One stream read whole, single-threaded: the reference. */
typedef struct ref {
    uint64_t clip;
    uint32_t stream;
    synapt_stream_info si;
    uint32_t persons;        /* pose */
    size_t frame_bytes;      /* bytes per frame in `data` */
    uint64_t frames;
    uint8_t *data;
} ref;

typedef struct file {
    synapt_reader *r;
    ref refs[32];
    int nref;
} file;

static int read_range(const file *f, const ref *x, uint64_t a, uint64_t n, uint8_t *out)
{
    const synapt_reader *r = f->r;
    if (x->si.kind == SYNAPT_KIND_VIDEO)
        return synapt_video_read(out, x->frame_bytes * n, NULL, r, x->clip, x->stream, a, n, SYNAPT_PIXFMT_RGB24);
    if (x->si.kind == SYNAPT_KIND_POSE2D || x->si.kind == SYNAPT_KIND_POSE3D)
        return synapt_reader_read_pose((float *)out, x->frame_bytes / 4 * n, r, x->clip, x->stream, a, n, x->persons);
    return synapt_reader_read_frames(out, x->frame_bytes * n, NULL, r, x->clip, x->stream, a, n);
}

static int load(file *f, const char *path)
{
    if (synapt_reader_open(&f->r, path, NULL)) return 0;
    f->nref = 0;
    for (uint64_t c = 0; c < synapt_reader_clip_count(f->r); c++) {
        synapt_clip_info ci;
        if (synapt_reader_clip(&ci, f->r, c)) return 0;
        for (uint32_t s = 0; s < ci.stream_count && f->nref < 32; s++) {
            ref *x = &f->refs[f->nref];
            memset(x, 0, sizeof *x);
            x->clip = c;
            x->stream = s;
            if (synapt_reader_stream(&x->si, f->r, c, s)) return 0;
            if (x->si.kind == SYNAPT_KIND_VIDEO) {
                synapt_video_info vi;
                if (synapt_video_get_info(&vi, f->r, c, s)) return 0;
                x->frame_bytes = vi.rgb_frame_bytes;
            } else if (x->si.kind == SYNAPT_KIND_POSE2D || x->si.kind == SYNAPT_KIND_POSE3D) {
                if (synapt_reader_pose_max_persons(&x->persons, f->r, c, s)) return 0;
                x->frame_bytes = (size_t)x->persons * x->si.shape[1] * x->si.shape[2] * 4;
            } else if (x->si.codec == SYNAPT_CODEC_RAW) {
                x->frame_bytes = x->si.frame_bytes;
            } else {
                continue;
            }
            x->frames = x->si.frame_count;
            if (!x->frames || !x->frame_bytes) continue;
            x->data = malloc(x->frame_bytes * x->frames);
            if (!x->data || read_range(f, x, 0, x->frames, x->data)) return 0;
            f->nref++;
        }
    }
    return 1;
}

typedef struct worker {
    const file *files;
    int nfiles;
    uint64_t seed;
    int bad;
    char why[256];
} worker;

static uint64_t next(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

static void *work(void *u)
{
    worker *w = u;
    uint8_t *buf = NULL;
    size_t cap = 0;
    for (int it = 0; it < ROUNDS && !w->bad; it++) {
        const file *f = &w->files[next(&w->seed) % (uint64_t)w->nfiles];
        if (it % 20 == 19) {
            /* verification shares the handle with the reads */
            if (synapt_reader_verify((synapt_reader *)f->r, NULL, NULL)) {
                w->bad = 1;
                snprintf(w->why, sizeof w->why, "verify: %s", synapt_reader_errmsg(f->r));
            }
            continue;
        }
        const ref *x = &f->refs[next(&w->seed) % (uint64_t)f->nref];
        uint64_t a = next(&w->seed) % x->frames, n = 1 + next(&w->seed) % (x->frames - a);
        if (x->frame_bytes * n > cap) {
            cap = x->frame_bytes * n;
            buf = realloc(buf, cap);
        }
        int rc = read_range(f, x, a, n, buf);
        if (rc || memcmp(buf, x->data + a * x->frame_bytes, x->frame_bytes * n)) {
            w->bad = 1;
            snprintf(w->why, sizeof w->why, "clip %llu stream %s frames %llu+%llu: %s",
                     (unsigned long long)x->clip, x->si.name, (unsigned long long)a, (unsigned long long)n,
                     rc ? synapt_reader_errmsg(f->r) : "differs from the single-threaded read");
        }
        synapt_frame_entry fe[64];
        int64_t pts[64];
        uint64_t m = n < 64 ? n : 64;
        if (!w->bad && x->si.packet_count >= a + m &&
            (synapt_reader_frame_entries(fe, f->r, x->clip, x->stream, a, m) ||
             (x->si.codec == SYNAPT_CODEC_RAW && synapt_reader_frame_pts(pts, f->r, x->clip, x->stream, a, m)))) {
            w->bad = 1;
            snprintf(w->why, sizeof w->why, "frame table: %s", synapt_reader_errmsg(f->r));
        }
    }
    free(buf);
    return NULL;
}

static void shared_reader(void)
{
    static file files[2];
    const char *paths[2] = { "tests/golden/basic.synapt", "tests/golden/video.synapt" };
    for (int i = 0; i < 2; i++)
        if (!load(&files[i], paths[i])) {
            printf("  cannot read %s single-threaded\n", paths[i]);
            CHECK(0);
            return;
        }
    pthread_t th[THREADS];
    worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker){ files, 2, (uint64_t)i * 7919 + 13, 0, "" };
        CHECK(pthread_create(&th[i], NULL, work, &w[i]) == 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        if (w[i].bad) printf("  thread %d: %s\n", i, w[i].why);
        CHECK(!w[i].bad);
    }
    int kinds = 0;
    for (int i = 0; i < 2; i++) {
        for (int k = 0; k < files[i].nref; k++) {
            kinds |= 1 << files[i].refs[k].si.kind;
            free(files[i].refs[k].data);
        }
        synapt_reader_close(files[i].r);
    }
    /* the goldens hold video, image, depth, mask, both poses and frame labels */
    CHECK((kinds & 0xFE) == 0xFE);
}

int main(void)
{
    FILE *probe = fopen("tests/golden/basic.synapt", "rb");
    if (!probe) {
        tu_skip("shared_reader", "tests/golden not found (run from the source tree)");
        return 0;
    }
    fclose(probe);
    RUN(shared_reader);
    TEST_MAIN_END();
}
