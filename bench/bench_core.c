/* bench_core.c - the core library's costs, each as a ratio against a
 * baseline measured in the same run, printed as markdown (bench/run.sh
 * writes it to bench/results/).
 *
 *   1. sequential read (image + depth + pose) vs bare zstd on the same chunks,
 *      and of the real sensor depth samples in ../shared/realdata
 *   2. checksum cost: verify_checksums 1 vs 0, and XXH3 speed
 *   3. random 16-frame windows per second, one thread and two on one handle
 *   4. write MB/s with default options vs zstd compression alone; the cost
 *      of write-through (clips reach the file at end_clip) vs buffered
 *   5. open time and memory of files of 1.5k, 15k and 150k small clips
 *   6. depth compression vs 16-bit PNG (libpng defaults)
 *
 * Times are medians of several repeats; files live in $TMPDIR (page cache
 * warm, so the numbers are CPU costs, not disk speed). Usage: bench_core
 * [--quick] (quick: fewer repeats and the 150k file skipped, for smoke tests). */
#include <errno.h>
#include <math.h>
#include <png.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>
#include <zstd.h>

#include "synapt.h"
/* the library's own unfilters, for the "zstd + unfilter" baseline */
#include "internal.h" /* measures internal chunk coders directly, below the public API */
#include "bench_util.h"
#include "bench_depthio.h"

static int g_quick;
static char g_dir[256];

/* ---- small utilities (clocks, median, xmalloc: bench_util.h) ------------ */

static void die(const char *what, int rc, const char *msg)
{
    fprintf(stderr, "bench_core: %s: %s%s%s\n", what, synapt_strerror(rc),
            msg && *msg ? ": " : "", msg ? msg : "");
    exit(1);
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* ---- synthetic content -------------------------------------------------- */

#define IMG_W 128
#define IMG_H 128
#define DEP_W 128
#define DEP_H 128
#define POSE_J 17
#define POSE_C 3
#define POSE_P 2
#define CLIP_T 64
#define WINDOW 16

/* An RGB frame: a lit gradient background, a moving box, sensor noise.
 * zstd gets about 2x on it, like small real video frames stored decoded. */
static void make_image(uint8_t *p, int t, int clip, uint32_t *rng)
{
    int bx = (t * 2 + clip * 9) % (IMG_W - 32), by = (t + clip * 5) % (IMG_H - 40);
    for (int y = 0; y < IMG_H; y++)
        for (int x = 0; x < IMG_W; x++) {
            uint8_t *px = p + ((size_t)y * IMG_W + x) * 3;
            int inbox = x >= bx && x < bx + 32 && y >= by && y < by + 40;
            int n = (int)(bench_rng32(rng) & 7) - 3;
            int r = inbox ? 200 : 40 + x / 2, g = inbox ? 60 : 60 + y / 2, b = inbox ? 50 : 90 + (x + y) / 4;
            px[0] = (uint8_t)(r + n);
            px[1] = (uint8_t)(g + n);
            px[2] = (uint8_t)(b + n);
        }
}

/* A depth frame in millimetres (u16): a floor plane sloping away, a back
 * wall, a moving sphere-like blob with sharp edges, depth-dependent noise
 * and a few invalid (0) pixels, as Kinect-style sensors produce. */
static void make_depth(uint16_t *d, int w, int h, int t, int seed, uint32_t *rng, int noisy)
{
    double cx = w * (0.3 + 0.4 * ((t * 3 + seed * 7) % 50) / 50.0), cy = h * 0.55, rad = h * 0.18;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double z;
            if (y > h / 2) z = 1500.0 + (double)(h - y) * (3000.0 / h);  /* floor */
            else z = 4200.0 + (double)x * 0.8;                             /* wall */
            double dx = x - cx, dy = y - cy, rr = dx * dx + dy * dy;
            if (rr < rad * rad) z = 1800.0 - sqrt(rad * rad - rr) * 6.0;  /* person-ish blob */
            int v = (int)z;
            if (noisy) {
                double sigma = 0.0012 * z * z / 1000.0;                   /* noise grows with z^2 */
                double u = ((double)(bench_rng32(rng) & 0xffff) / 65535.0 - 0.5) * 2.0;
                v = (int)(z + u * sigma);
                if ((bench_rng32(rng) & 511) == 0) v = 0;                    /* dropouts */
            }
            d[(size_t)y * w + x] = (uint16_t)(v < 0 ? 0 : v > 65535 ? 65535 : v);
        }
}

static void make_pose(float *v, uint32_t persons, int t, uint32_t *rng)
{
    for (uint32_t p = 0; p < persons; p++)
        for (int j = 0; j < POSE_J; j++) {
            float *k = v + ((size_t)p * POSE_J + j) * POSE_C;
            k[0] = 40.0f + 20.0f * (float)p + (float)j * 3.0f + 0.5f * (float)t;
            k[1] = 30.0f + (float)j * 5.0f + (float)(bench_rng32(rng) % 100) * 0.01f;
            k[2] = 0.5f + (float)(bench_rng32(rng) % 50) * 0.01f;
        }
}

/* ---- the read/write dataset: clips of rgb + depth + pose ---------------- */

static int g_clips = 24;
#define IMG_BYTES ((size_t)IMG_W * IMG_H * 3)
#define DEP_BYTES ((size_t)DEP_W * DEP_H * 2)

typedef struct clip_data {
    uint8_t *img;        /* CLIP_T frames */
    uint16_t *dep;
    float *pose;         /* CLIP_T * POSE_P * J * C, persons[t] used */
    uint32_t persons[CLIP_T];
} clip_data;

static void make_clip(clip_data *c, int clip)
{
    uint32_t rng = 12345u + (uint32_t)clip * 7919u;
    c->img = bench_xmalloc(IMG_BYTES * CLIP_T);
    c->dep = bench_xmalloc(DEP_BYTES * CLIP_T);
    c->pose = bench_xmalloc(sizeof(float) * CLIP_T * POSE_P * POSE_J * POSE_C);
    for (int t = 0; t < CLIP_T; t++) {
        make_image(c->img + IMG_BYTES * t, t, clip, &rng);
        make_depth(c->dep + (size_t)DEP_W * DEP_H * t, DEP_W, DEP_H, t, clip, &rng, 1);
        c->persons[t] = (uint32_t)(1 + (t / 16 + clip) % 2);
        make_pose(c->pose + (size_t)t * POSE_P * POSE_J * POSE_C, c->persons[t], t, &rng);
    }
}

static uint64_t clip_raw_bytes(const clip_data *c)
{
    uint64_t n = (IMG_BYTES + DEP_BYTES) * CLIP_T;
    for (int t = 0; t < CLIP_T; t++) n += (uint64_t)c->persons[t] * POSE_J * POSE_C * 4;
    return n;
}

/* Write clips [0, nclips) to path with `wo`; returns CPU seconds taken,
 * and the wall-clock seconds in *wall (may be NULL). */
static double write_dataset(const char *path, const clip_data *cd, int nclips,
                            const synapt_writer_options *wo, double *wall)
{
    synapt_writer *w;
    char err[512];
    double t0 = bench_cpu_s(), w0 = bench_wall_s();
    int rc = synapt_writer_create(&w, path, wo, err, sizeof err);
    if (rc) die(path, rc, err);
    for (int c = 0; c < nclips; c++) {
        char id[32];
        const char *label = c % 3 == 0 ? "walk" : c % 3 == 1 ? "run" : "wave";
        snprintf(id, sizeof id, "clip%05d", c);
        synapt_clip_desc d = SYNAPT_CLIP_DESC_INIT;
        d.id = id;
        d.labels = &label;
        d.label_count = 1;
        d.split = "train";
        d.source = "bench";
        d.synthetic = 1;
        if ((rc = synapt_writer_begin_clip(w, &d))) break;
        synapt_stream_desc s = SYNAPT_STREAM_DESC_INIT;
        uint32_t si_img, si_dep, si_pose;
        s.name = "rgb"; s.kind = SYNAPT_KIND_IMAGE; s.dtype = SYNAPT_DTYPE_U8; s.codec = SYNAPT_CODEC_RAW;
        s.ndim = 3; s.shape[0] = IMG_H; s.shape[1] = IMG_W; s.shape[2] = 3;
        if ((rc = synapt_writer_add_stream(&si_img, w, &s))) break;
        s = (synapt_stream_desc)SYNAPT_STREAM_DESC_INIT;
        s.name = "depth"; s.kind = SYNAPT_KIND_DEPTH; s.dtype = SYNAPT_DTYPE_U16; s.codec = SYNAPT_CODEC_RAW;
        s.ndim = 2; s.shape[0] = DEP_H; s.shape[1] = DEP_W; s.scale = 0.001; s.units = "m";
        if ((rc = synapt_writer_add_stream(&si_dep, w, &s))) break;
        s = (synapt_stream_desc)SYNAPT_STREAM_DESC_INIT;
        s.name = "pose2d"; s.kind = SYNAPT_KIND_POSE2D; s.dtype = SYNAPT_DTYPE_F32; s.codec = SYNAPT_CODEC_RAW;
        s.ndim = 3; s.shape[0] = 0; s.shape[1] = POSE_J; s.shape[2] = POSE_C;
        s.skeleton = SYNAPT_SKELETON_COCO17; s.channels = SYNAPT_CHANNELS_XYC;
        if ((rc = synapt_writer_add_stream(&si_pose, w, &s))) break;
        const clip_data *k = &cd[c];
        if ((rc = synapt_writer_write_frames(w, si_img, k->img, IMG_BYTES * CLIP_T, CLIP_T, NULL))) break;
        if ((rc = synapt_writer_write_frames(w, si_dep, k->dep, DEP_BYTES * CLIP_T, CLIP_T, NULL))) break;
        for (int t = 0; t < CLIP_T && rc == 0; t++)
            rc = synapt_writer_write_pose(w, si_pose, k->pose + (size_t)t * POSE_P * POSE_J * POSE_C,
                                          k->persons[t], SYNAPT_PTS_NONE);
        if (rc || (rc = synapt_writer_end_clip(w))) break;
    }
    if (rc) {
        fprintf(stderr, "bench_core: %s: %s\n", path, synapt_writer_errmsg(w));
        synapt_writer_abort(w);
        exit(1);
    }
    rc = synapt_writer_close(w, err, sizeof err);
    if (rc) die(path, rc, err);
    if (wall) *wall = bench_wall_s() - w0;
    return bench_cpu_s() - t0;
}

static synapt_reader *open_or_die(const char *path, int verify_chunks, int verify_index)
{
    synapt_reader_options o = SYNAPT_READER_OPTIONS_INIT;
    synapt_reader *r;
    char err[512];
    o.verify_checksums = verify_chunks;
    o.verify_index = verify_index;
    int rc = synapt_reader_open2(&r, path, &o, err, sizeof err);
    if (rc) die(path, rc, err);
    return r;
}

/* The file opened with map_file (checksums on): the reader maps the whole
 * file and reads records in place, without a pread per chunk. */
static synapt_reader *open_mapped_or_die(const char *path)
{
    synapt_reader_options o = SYNAPT_READER_OPTIONS_INIT;
    o.map_file = 1;
    synapt_reader *r;
    char err[512];
    int rc = synapt_reader_open2(&r, path, &o, err, sizeof err);
    if (rc) die(path, rc, err);
    return r;
}

/* Passes per timing of each stream: a small stream (pose is ~0.5 MB) is
 * read several times per timing so that every timing covers at least
 * SEQ_MIN_BYTES; set after the warm-up, 1 until then. Times are per pass. */
#define SEQ_MIN_BYTES (16u << 20)
static int g_passes[3] = { 1, 1, 1 };

/* Read every frame of stream `s` of every clip, in file order. */
static double read_stream_all(const synapt_reader *r, uint32_t s, uint8_t *buf, size_t cap,
                              uint64_t *bytes)
{
    uint64_t nc = synapt_reader_clip_count(r), total = 0;
    double t0 = bench_cpu_s();
    for (int pass = 0; pass < g_passes[s]; pass++)
    for (uint64_t c = 0; c < nc; c++) {
        synapt_stream_info si;
        size_t got = 0;
        int rc = synapt_reader_stream(&si, r, c, s);
        if (rc) die("stream", rc, synapt_reader_errmsg(r));
        rc = synapt_reader_read_frames(buf, cap, &got, r, c, s, 0, si.frame_count);
        if (rc) die("read_frames", rc, synapt_reader_errmsg(r));
        total += got;
    }
    *bytes = total / (uint64_t)g_passes[s];
    return (bench_cpu_s() - t0) / g_passes[s];
}

/* The same chunks' compressed payloads, pulled out once through
 * read_chunk_body and the chunk layout of spec/format.md, for the
 * baselines: bare zstd, and zstd followed by the library's own unfilter
 * (which isolates the container's overhead from the filter's cost). */
typedef struct chunk_copy {
    uint8_t *body;
    uint32_t stream, nf;
    int compression, filter;
    size_t esz, elem, width, table;
    uint64_t stored, raw, at; /* at: the chunk's byte offset in its stream's frames, where read_frames puts it */
} chunk_copy;

typedef struct chunks {
    chunk_copy *v;
    size_t n;
} chunks;

/* Returns 0 when a body does not parse as the spec lays it out. */
static int collect_chunks(chunks *cs, const synapt_reader *r)
{
    uint64_t nc = synapt_reader_clip_count(r);
    memset(cs, 0, sizeof *cs);
    for (uint64_t c = 0; c < nc; c++) {
        synapt_clip_info ci;
        if (synapt_reader_clip(&ci, r, c)) return 0;
        for (uint32_t s = 0; s < ci.stream_count; s++) {
            synapt_stream_info si;
            if (synapt_reader_stream(&si, r, c, s)) return 0;
            uint64_t at = 0;
            for (uint64_t k = 0; k < si.chunk_count; k++) {
                synapt_chunk_info ch;
                size_t size = 0;
                if (synapt_reader_chunk(&ch, r, c, s, k)) return 0;
                uint8_t *body = bench_xmalloc((size_t)ch.record_bytes);
                if (synapt_reader_read_chunk_body(body, (size_t)ch.record_bytes, &size, r, c, s, k)
                    || size < 48) {
                    free(body);
                    return 0;
                }
                chunk_copy cc;
                cc.body = body;
                cc.stream = s;
                cc.nf = get32(body + 16);
                cc.compression = get16(body + 20);
                cc.filter = get16(body + 22);
                cc.esz = get16(body + 24);
                cc.elem = get16(body + 26);
                cc.width = get32(body + 28);
                cc.stored = get64(body + 32);
                cc.raw = get64(body + 40);
                cc.table = 48 + (size_t)cc.nf * cc.esz;
                cc.at = at;
                at += cc.raw;
                if (cc.esz < 24 || cc.table > size || cc.stored > size - cc.table) { free(body); return 0; }
                cs->v = realloc(cs->v, (cs->n + 1) * sizeof *cs->v);
                if (!cs->v) exit(1);
                cs->v[cs->n++] = cc;
            }
        }
    }
    return 1;
}

static void unfilter(const chunk_copy *c, uint8_t *dst, const uint8_t *src, size_t n,
                     const uint8_t *prev, size_t prev_n)
{
    switch (c->filter) {
    case SYNAPT_FILTER_SHUFFLE:   sy_unshuffle(dst, src, n, c->elem); break;
    case SYNAPT_FILTER_DEPTH_MED: sy_undepth_med(dst, src, n, c->width); break;
    case SYNAPT_FILTER_DEPTH_UP:  sy_undepth_up(dst, src, n, c->width); break;
    case SYNAPT_FILTER_DEPTH_RANK:
        if (sy_undepth_rank(dst, src, n, c->width)) { fprintf(stderr, "bench_core: bad depth_rank frame\n"); exit(1); }
        break;
    case SYNAPT_FILTER_XOR_PREV:  sy_unxor_prev(dst, src, n, prev, prev_n, c->elem); break;
    default:                      memcpy(dst, src, n); break;
    }
}

static void zcheck(size_t got, size_t want)
{
    if (ZSTD_isError(got) || got != want) {
        fprintf(stderr, "bench_core: baseline zstd: %s\n",
                ZSTD_isError(got) ? ZSTD_getErrorName(got) : "size mismatch");
        exit(1);
    }
}

/* Decode every chunk of stream `s` into dst: with do_unfilter 0 only
 * decompress (bare zstd), with 1 also unfilter with the library's filter
 * functions. With at_place 1 each chunk lands where read_frames puts it
 * (its offset in the clip's frames), so both write the same addresses;
 * with 0 every chunk starts at dst[0], a few hundred KB that stay in cache
 * (the baseline of the runs before 2026-12-06, kept for comparison).
 * tmp holds `cap` bytes of scratch. */
static double baseline_stream(const chunks *cs, uint32_t s, ZSTD_DCtx *dctx, uint8_t *dst0,
                              uint8_t *tmp, size_t cap, int do_unfilter, int at_place, uint64_t *bytes)
{
    uint64_t total = 0;
    double t0 = bench_cpu_s();
    for (int pass = 0; pass < g_passes[s]; pass++)
    for (size_t i = 0; i < cs->n; i++) {
        const chunk_copy *c = &cs->v[i];
        if (c->stream != s) continue;
        uint8_t *dst = at_place ? dst0 + c->at : dst0;
        if (c->raw > cap || (at_place && c->at > cap - c->raw)) {
            fprintf(stderr, "bench_core: chunk larger than buffer\n");
            exit(1);
        }
        const uint8_t *pay = c->body + c->table;
        int filt = do_unfilter && c->filter != SYNAPT_FILTER_NONE;
        total += c->raw;
        if (c->compression == SYNAPT_COMPRESSION_ZSTD_CHUNK) {
            zcheck(ZSTD_decompressDCtx(dctx, filt ? tmp : dst, cap - (size_t)(dst - dst0), pay, (size_t)c->stored), (size_t)c->raw);
            if (!filt) continue;
            size_t off = 0, prev_off = 0, prev_n = 0;
            for (uint32_t f = 0; f < c->nf; f++) {
                size_t fr = get32(c->body + 48 + (size_t)f * c->esz + 4);
                unfilter(c, dst + off, tmp + off, fr, f ? dst + prev_off : NULL, prev_n);
                prev_off = off;
                prev_n = fr;
                off += fr;
            }
            continue;
        }
        size_t in = 0, off = 0, prev_off = 0, prev_n = 0;
        for (uint32_t f = 0; f < c->nf; f++) {
            const uint8_t *e = c->body + 48 + (size_t)f * c->esz;
            size_t fs = get32(e), fr = get32(e + 4);
            const uint8_t *src = pay + in;
            if (c->compression == SYNAPT_COMPRESSION_ZSTD_FRAME && fr > 0) {
                zcheck(ZSTD_decompressDCtx(dctx, filt ? tmp : dst + off, cap - (size_t)(dst - dst0) - off, src, fs), fr);
                src = tmp;
            } else if (!filt) {
                memcpy(dst + off, src, fr);
            }
            if (filt) unfilter(c, dst + off, src, fr, f ? dst + prev_off : NULL, prev_n);
            prev_off = off;
            prev_n = fr;
            in += fs;
            off += fr;
        }
    }
    *bytes = total / (uint64_t)g_passes[s];
    return (bench_cpu_s() - t0) / g_passes[s];
}

/* ---- 3. random windows -------------------------------------------------- */

typedef struct window_job {
    const synapt_reader *r;
    int windows;
    uint32_t seed;
    uint64_t bytes;
    int failed;
} window_job;

static void *window_thread(void *arg)
{
    window_job *j = arg;
    uint8_t *img = bench_xmalloc(IMG_BYTES * WINDOW);
    uint8_t *dep = bench_xmalloc(DEP_BYTES * WINDOW);
    float *pose = bench_xmalloc(sizeof(float) * WINDOW * POSE_P * POSE_J * POSE_C);
    uint64_t nc = synapt_reader_clip_count(j->r);
    uint32_t rng = j->seed;
    for (int i = 0; i < j->windows; i++) {
        uint64_t c = bench_rng32(&rng) % nc;
        uint64_t first = bench_rng32(&rng) % (CLIP_T - WINDOW + 1);
        size_t got;
        int rc = synapt_reader_read_frames(img, IMG_BYTES * WINDOW, &got, j->r, c, 0, first, WINDOW);
        if (!rc) rc = synapt_reader_read_frames(dep, DEP_BYTES * WINDOW, &got, j->r, c, 1, first, WINDOW);
        if (!rc) rc = synapt_reader_read_pose(pose, (size_t)WINDOW * POSE_P * POSE_J * POSE_C, j->r, c, 2, first, WINDOW, POSE_P);
        if (rc) { j->failed = rc; break; }
        j->bytes += (IMG_BYTES + DEP_BYTES + sizeof(float) * POSE_P * POSE_J * POSE_C) * WINDOW;
    }
    free(img);
    free(dep);
    free(pose);
    return NULL;
}

/* Windows per second with `threads` threads sharing handle r. */
static double windows_per_s(const synapt_reader *r, int threads, int per_thread)
{
    pthread_t th[8];
    window_job jobs[8];
    double t0 = bench_wall_s();
    for (int i = 0; i < threads; i++) {
        jobs[i] = (window_job){ r, per_thread, 777u + 31u * (uint32_t)i, 0, 0 };
        if (pthread_create(&th[i], NULL, window_thread, &jobs[i])) { perror("pthread_create"); exit(1); }
    }
    for (int i = 0; i < threads; i++) pthread_join(th[i], NULL);
    double dt = bench_wall_s() - t0;
    for (int i = 0; i < threads; i++)
        if (jobs[i].failed) die("window read", jobs[i].failed, synapt_reader_errmsg(r));
    return (double)threads * per_thread / dt;
}

/* ---- 5. many small clips ------------------------------------------------ */

static void write_many(const char *path, int nclips, int write_through)
{
    synapt_writer_options wo = SYNAPT_WRITER_OPTIONS_INIT;
    synapt_writer *w;
    char err[512];
    wo.fsync = 0;
    wo.write_through = write_through;
    int rc = synapt_writer_create(&w, path, &wo, err, sizeof err);
    if (rc) die(path, rc, err);
    int32_t fl[4];
    for (int c = 0; c < nclips && rc == 0; c++) {
        char id[32], label[16], actor[16];
        const char *lp = label, *gk = "actor", *gv = actor;
        snprintf(id, sizeof id, "v_%07d", c);
        snprintf(label, sizeof label, "class%03d", c % 150);
        snprintf(actor, sizeof actor, "a%03d", c % 40);
        synapt_clip_desc d = SYNAPT_CLIP_DESC_INIT;
        d.id = id;
        d.labels = &lp;
        d.label_count = 1;
        d.split = c % 5 ? "train" : "val";
        d.source = c % 2 ? "synthA" : "synthB";
        d.synthetic = 1;
        d.group_keys = &gk;
        d.group_values = &gv;
        d.group_count = 1;
        if ((rc = synapt_writer_begin_clip(w, &d))) break;
        synapt_stream_desc s = SYNAPT_STREAM_DESC_INIT;
        uint32_t si;
        s.name = "labels"; s.kind = SYNAPT_KIND_FRAME_LABELS; s.dtype = SYNAPT_DTYPE_I32;
        s.codec = SYNAPT_CODEC_RAW; s.ndim = 1; s.shape[0] = 1;
        if ((rc = synapt_writer_add_stream(&si, w, &s))) break;
        for (int t = 0; t < 4; t++) fl[t] = c % 150;
        if ((rc = synapt_writer_write_frames(w, si, fl, sizeof fl, 4, NULL))) break;
        rc = synapt_writer_end_clip(w);
    }
    if (rc) {
        fprintf(stderr, "bench_core: %s: %s\n", path, synapt_writer_errmsg(w));
        synapt_writer_abort(w);
        exit(1);
    }
    rc = synapt_writer_close(w, err, sizeof err);
    if (rc) die(path, rc, err);
}

/* Write nf u16 depth frames of h x w (millimetres) as one clip `id` of
 * one stream with writer options wo; exits on failure. */
static void write_depth_clip(const char *path, const synapt_writer_options *wo, const char *id, const uint16_t *frames,
                             int h, int w, int nf)
{
    synapt_writer *wr;
    char err[512];
    int rc = synapt_writer_create(&wr, path, wo, err, sizeof err);
    if (rc) die(path, rc, err);
    synapt_clip_desc cd = SYNAPT_CLIP_DESC_INIT;
    cd.id = id;
    synapt_stream_desc sd = SYNAPT_STREAM_DESC_INIT;
    sd.name = "depth"; sd.kind = SYNAPT_KIND_DEPTH; sd.dtype = SYNAPT_DTYPE_U16; sd.codec = SYNAPT_CODEC_RAW;
    sd.ndim = 2; sd.shape[0] = (uint64_t)h; sd.shape[1] = (uint64_t)w; sd.scale = 0.001; sd.units = "m";
    uint32_t si;
    if ((rc = synapt_writer_begin_clip(wr, &cd)) || (rc = synapt_writer_add_stream(&si, wr, &sd)) ||
        (rc = synapt_writer_write_frames(wr, si, frames, (size_t)w * h * 2 * nf, (uint64_t)nf, NULL)) ||
        (rc = synapt_writer_end_clip(wr)))
        die(path, rc, synapt_writer_errmsg(wr));
    if ((rc = synapt_writer_close(wr, err, sizeof err))) die(path, rc, err);
}

/* ---- 1b. sequential read of real sensor depth ---------------------------- */

/* The sequential-read measurement of section 1 on the real 640x480 depth
 * frames of ../shared/realdata (SYNAPT_REALDATA overrides): each frame
 * written 32 times as one clip by the default writer (whose filter choice
 * picks depth_rank on such frames), read with read_frames against bare
 * zstd over the same payloads, in the same rounds. */
static void seq_real_depth(int reps)
{
    static const char *const files[] = { "depth/open3d/depth/00000.png", "depth/open3d/other_formats/TUM_depth.png",
                                         "depth/open3d/other_formats/SUN_depth.png" };
    enum { NF = 32 };
    const char *rd = getenv("SYNAPT_REALDATA");
    if (!rd || !*rd) rd = "../shared/realdata";
    printf("### Sequential read of real sensor depth\n\n");
    printf("Each real 640x480 16-bit depth frame of %s written %d times as one clip with the writer's defaults "
           "(zstd -3 per frame, the filter chosen per chunk), read with read_frames (checksums on) against bare "
           "zstd and zstd + the library's unfilter over the same payloads; medians of %d rounds, CPU time.\n\n",
           rd, NF, reps);
    printf("The baselines write each chunk where read_frames puts it, in a buffer of the whole clip. The last two "
           "columns are bare zstd as the runs before 2026-12-06 measured it: every chunk decoded to the start of the "
           "buffer, whose first chunk's bytes stay in cache.\n\n");
    printf("| frame | chunk filters | bare zstd MB/s | zstd + unfilter MB/s | read_frames MB/s | vs bare zstd | "
           "vs zstd + unfilter | bare zstd to one place MB/s | vs that |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    int saved = g_passes[0];
    for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
        char src[1024], path[600];
        int w = 0, h = 0;
        snprintf(src, sizeof src, "%s/%s", rd, files[k]);
        uint16_t *px = bench_load_png16(src, &w, &h);
        if (!px) {
            printf("| %s | (not found: set SYNAPT_REALDATA) | | | | | |\n", files[k]);
            continue;
        }
        size_t fb = (size_t)w * (size_t)h * 2, cap = fb * NF;
        uint8_t *buf = bench_xmalloc(cap), *tmp = bench_xmalloc(cap);
        for (int t = 0; t < NF; t++) memcpy(buf + fb * (size_t)t, px, fb);
        snprintf(path, sizeof path, "%s/real%zu.synapt", g_dir, k);
        synapt_writer_options wo = SYNAPT_WRITER_OPTIONS_INIT;
        wo.fsync = 0;
        write_depth_clip(path, &wo, "real", (const uint16_t *)(const void *)buf, h, w, NF);
        synapt_reader *rv = open_or_die(path, 1, 1), *rn = open_or_die(path, 0, 1);
        chunks cs;
        if (!collect_chunks(&cs, rn)) die(path, SYNAPT_E_CORRUPT, "chunk bodies do not parse");
        ZSTD_DCtx *dctx = ZSTD_createDCtx();
        uint64_t bytes = 0, zb = 0;
        g_passes[0] = (int)((SEQ_MIN_BYTES + cap - 1) / cap);
        double tr[16], tz[16], tu[16], th[16];
        read_stream_all(rv, 0, buf, cap, &bytes);   /* warm-up */
        for (int i = 0; i < reps; i++) {
            tr[i] = read_stream_all(rv, 0, buf, cap, &bytes);
            tz[i] = baseline_stream(&cs, 0, dctx, buf, tmp, cap, 0, 1, &zb);
            tu[i] = baseline_stream(&cs, 0, dctx, buf, tmp, cap, 1, 1, &zb);
            th[i] = baseline_stream(&cs, 0, dctx, buf, tmp, cap, 0, 0, &zb);
        }
        size_t nk[6] = { 0 };
        for (size_t i = 0; i < cs.n; i++)
            if (cs.v[i].filter >= 0 && cs.v[i].filter < 6) nk[cs.v[i].filter]++;
        char picks[96];
        snprintf(picks, sizeof picks, "%zu depth_rank, %zu depth_up, %zu depth_med, %zu none", nk[4], nk[5], nk[2], nk[0]);
        double r = bench_median(tr, reps), z = bench_median(tz, reps), u = bench_median(tu, reps);
        double hz = bench_median(th, reps);
        printf("| %s | %s | %.0f | %.0f | %.0f | **%.2f** | %.2f | %.0f | %.2f |\n", strrchr(files[k], '/') + 1, picks,
               zb / z / 1e6, zb / u / 1e6, bytes / r / 1e6, r / z, r / u, zb / hz / 1e6, r / hz);
        for (size_t i = 0; i < cs.n; i++) free(cs.v[i].body);
        free(cs.v);
        ZSTD_freeDCtx(dctx);
        synapt_reader_close(rv);
        synapt_reader_close(rn);
        unlink(path);
        free(buf);
        free(tmp);
        free(px);
    }
    g_passes[0] = saved;
    printf("\nTarget: read_frames within 1.2x of bare zstd. depth_rank's payload is a byte per pixel and zero "
           "padding, which zstd decodes at 2.5-3 GB/s (0.7-0.9 ns per pixel of output, zero padding included); the "
           "unfilter (varints, prediction from above, palette lookup) has to stay within about 0.1 ns per pixel.\n\n");
}

/* ---- 6. depth vs PNG ---------------------------------------------------- */

typedef struct membuf { uint8_t *p; size_t n, cap; } membuf;
static void png_mem_write(png_structp png, png_bytep data, png_size_t len)
{
    membuf *m = png_get_io_ptr(png);
    if (m->n + len > m->cap) {
        while (m->n + len > m->cap) m->cap = m->cap ? m->cap * 2 : 65536;
        m->p = realloc(m->p, m->cap);
        if (!m->p) png_error(png, "out of memory");
    }
    memcpy(m->p + m->n, data, len);
    m->n += len;
}
static void png_mem_flush(png_structp png) { (void)png; }

/* Encode one 16-bit grayscale frame with libpng's default settings. */
static size_t png16_size(const uint16_t *d, int w, int h)
{
    membuf m = { 0 };
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    png_bytep *rows = bench_xmalloc(sizeof *rows * (size_t)h);
    if (!info || setjmp(png_jmpbuf(png))) {
        fprintf(stderr, "bench_core: libpng failed\n");
        exit(1);
    }
    png_set_write_fn(png, &m, png_mem_write, png_mem_flush);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 16, PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    png_set_swap(png); /* PNG is big-endian; our samples are little-endian */
    for (int y = 0; y < h; y++) rows[y] = (png_bytep)(d + (size_t)y * w);
    png_write_image(png, rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(rows);
    free(m.p);
    return m.n;
}

/* Compress synthetic depth frames as a synapt stream (writer defaults) and
 * as 16-bit PNGs; print two table rows. */
static void depth_vs_png(const synapt_writer_options *wo, int noisy)
{
    int dw = 320, dh = 240, dt = g_quick ? 8 : 32;
    const char *what = noisy ? "sensor-like" : "rendered";
    uint16_t *dep = bench_xmalloc((size_t)dw * dh * 2 * dt);
    uint32_t rng = 99;
    for (int t = 0; t < dt; t++) make_depth(dep + (size_t)dw * dh * t, dw, dh, t, 3, &rng, noisy);
    size_t png_total = 0;
    double t0 = bench_cpu_s();
    for (int t = 0; t < dt; t++) png_total += png16_size(dep + (size_t)dw * dh * t, dw, dh);
    double tpng = bench_cpu_s() - t0;

    char dpath[512];
    snprintf(dpath, sizeof dpath, "%s/depth.synapt", g_dir);
    t0 = bench_cpu_s();
    write_depth_clip(dpath, wo, "depth", dep, dh, dw, dt);
    double tsyn = bench_cpu_s() - t0;

    synapt_reader *r = open_or_die(dpath, 1, 1);
    synapt_stream_info si;
    int rc = synapt_reader_stream(&si, r, 0, 0);
    if (rc) die(dpath, rc, synapt_reader_errmsg(r));
    /* stored_bytes counts whole chunk records (prefix, frame table,
     * checksum): the real cost on disk, like the PNG files' headers */
    double raw = (double)dw * dh * 2 * dt;
    printf("| %s | 16-bit PNG, libpng defaults (baseline) | %zu | %.2f | %.0f | 1.00 |\n", what, png_total,
           raw / png_total, raw / tpng / 1e6);
    printf("| %s | synapt depth stream (filter %d, compression %d) | %llu | %.2f | %.0f | **%.2f** |\n", what,
           si.filter, si.compression, (unsigned long long)si.stored_bytes, raw / si.stored_bytes,
           raw / tsyn / 1e6, (double)png_total / si.stored_bytes);
    synapt_reader_close(r);
    unlink(dpath);
    free(dep);
}

/* ---- main --------------------------------------------------------------- */

int main(int argc, char **argv)
{
    int read_only = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) g_quick = 1;
        else if (!strcmp(argv[i], "--read-only")) read_only = 1;
        else { fprintf(stderr, "usage: bench_core [--quick] [--read-only]\n"); return 2; }
    }
    const char *tmpdir = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/synapt-bench-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(g_dir)) { perror("bench_core: mkdtemp"); return 1; }
    const int reps = g_quick ? 3 : 9;
    if (g_quick) g_clips = 6;

    clip_data *cd = bench_xmalloc(sizeof *cd * (size_t)g_clips);
    uint64_t raw_total = 0;
    for (int c = 0; c < g_clips; c++) {
        make_clip(&cd[c], c);
        raw_total += clip_raw_bytes(&cd[c]);
    }
    char path[512];
    snprintf(path, sizeof path, "%s/rw.synapt", g_dir);
    synapt_writer_options wo = SYNAPT_WRITER_OPTIONS_INIT;
    wo.fsync = 0;
    write_dataset(path, cd, g_clips, &wo, NULL);

    printf("## bench_core (libsynapt %s)\n\n", synapt_version());
    printf("Dataset: %d clips x %d frames of rgb %dx%dx3 u8 + depth %dx%d u16 + pose2d "
           "(1-2 persons, COCO-17, xyc); %.1f MB raw. Files in %s (page cache warm); "
           "times are medians of %d runs, in CPU time of the process unless marked wall clock.\n\n",
           g_clips, CLIP_T, IMG_W, IMG_H, DEP_W, DEP_H, raw_total / 1e6, tmpdir && *tmpdir ? tmpdir : "/tmp", reps);

    /* 1 + 2: sequential read vs zstd, and checksums */
    size_t cap = IMG_BYTES * CLIP_T;
    uint8_t *buf = bench_xmalloc(cap);
    synapt_reader *rv = open_or_die(path, 1, 1), *rn = open_or_die(path, 0, 1);
    synapt_reader *rm = open_mapped_or_die(path);
    chunks cs;
    int have_baseline = collect_chunks(&cs, rn);
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    uint8_t *tmp = bench_xmalloc(cap);
    static const char *const sname[3] = { "rgb (image u8)", "depth (u16)", "pose2d (f32)" };
    double tv[3][16], tn[3][16], tz[3][16], tu[3][16], ts[3][16], tm[3][16], sv[16], sn[16], sz[16], su[16], ss[16], sm[16];
    uint64_t bytes[3] = { 0, 0, 0 }, zbytes[3] = { 0, 0, 0 };
    for (uint32_t s = 0; s < 3; s++) read_stream_all(rv, s, buf, cap, &bytes[s]); /* warm-up */
    for (uint32_t s = 0; s < 3; s++)
        g_passes[s] = bytes[s] && bytes[s] < SEQ_MIN_BYTES ? (int)((SEQ_MIN_BYTES + bytes[s] - 1) / bytes[s]) : 1;
    for (int i = 0; i < reps; i++) {
        sv[i] = sn[i] = sz[i] = su[i] = ss[i] = sm[i] = 0;
        for (uint32_t s = 0; s < 3; s++) {
            /* alternate which handle goes first so cache warmth favours neither */
            /* the same read with the unfilters held to SSE2 (the read path
             * before the AVX2 depth_med decoder and pose gathers), first in every other round */
            if (i % 2) {
                sy_simd_limit = 1;
                ss[i] += ts[s][i] = read_stream_all(rv, s, buf, cap, &bytes[s]);
                sy_simd_limit = 3;
            }
            if (i % 2) sn[i] += tn[s][i] = read_stream_all(rn, s, buf, cap, &bytes[s]);
            sv[i] += tv[s][i] = read_stream_all(rv, s, buf, cap, &bytes[s]);
            sm[i] += tm[s][i] = read_stream_all(rm, s, buf, cap, &bytes[s]);
            if (i % 2 == 0) sn[i] += tn[s][i] = read_stream_all(rn, s, buf, cap, &bytes[s]);
            if (i % 2 == 0) {
                sy_simd_limit = 1;
                ss[i] += ts[s][i] = read_stream_all(rv, s, buf, cap, &bytes[s]);
                sy_simd_limit = 3;
            }
            if (!have_baseline) continue;
            sz[i] += tz[s][i] = baseline_stream(&cs, s, dctx, buf, tmp, cap, 0, 1, &zbytes[s]);
            su[i] += tu[s][i] = baseline_stream(&cs, s, dctx, buf, tmp, cap, 1, 1, &zbytes[s]);
        }
    }
    double mv = bench_median(sv, reps), mn = bench_median(sn, reps);
    uint64_t all = bytes[0] + bytes[1] + bytes[2];
    printf("### Sequential read (every frame of every stream, read_frames)\n\n");
    printf("Each timing reads a stream %d (rgb), %d (depth), %d (pose) times over (at least %u MB), "
           "baselines likewise; MB/s per pass.\n\n", g_passes[0], g_passes[1], g_passes[2], SEQ_MIN_BYTES >> 20);
    if (!have_baseline) {
        printf("(baselines unavailable: chunk bodies do not parse as spec/format.md lays them out)\n\n");
    } else {
        double mz = bench_median(sz, reps), mu = bench_median(su, reps);
        printf("| stream | filter, compression | bare zstd MB/s | zstd + unfilter MB/s | read_frames MB/s | "
               "vs bare zstd | vs zstd + unfilter | read_frames, checksums off, MB/s | vs zstd + unfilter |\n");
        printf("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (uint32_t s = 0; s < 3; s++) {
            synapt_stream_info si;
            synapt_reader_stream(&si, rv, 0, s);
            double v = bench_median(tv[s], reps), n = bench_median(tn[s], reps);
            double z = bench_median(tz[s], reps), u = bench_median(tu[s], reps);
            /* depth_rank streams pick a filter per chunk: say which ones ran */
            char picks[96] = "";
            if (si.filter == SYNAPT_FILTER_DEPTH_RANK) {
                size_t k[6] = { 0 };
                for (size_t i = 0; i < cs.n; i++)
                    if (cs.v[i].stream == s && cs.v[i].filter < 6) k[cs.v[i].filter]++;
                snprintf(picks, sizeof picks, " (chunks: %zu depth_up, %zu depth_rank, %zu depth_med, %zu none)", k[5],
                         k[4], k[2], k[0]);
            }
            printf("| %s | %d%s, %d | %.0f | %.0f | %.0f | %.2f | %.2f | %.0f | %.2f |\n", sname[s],
                   si.filter, picks, si.compression, zbytes[s] / z / 1e6, zbytes[s] / u / 1e6, bytes[s] / v / 1e6,
                   v / z, v / u, bytes[s] / n / 1e6, n / u);
        }
        printf("| **all** | | %.0f | %.0f | %.0f | **%.2f** | **%.2f** | %.0f | %.2f |\n\n", all / mz / 1e6,
               all / mu / 1e6, all / mv / 1e6, mv / mz, mv / mu, all / mn / 1e6, mn / mu);
        printf("Overhead of read_frames (checksums on, the default) over bare zstd: **%+.1f%%** "
               "(target: at most +20%%); over zstd + unfilter, i.e. the container's own cost "
               "(pread, index lookups, XXH3, copies): **%+.1f%%**. Baselines run `ZSTD_decompressDCtx` "
               "with a reused context over the same compressed payloads already in memory, the second "
               "followed by the library's own unfilter functions, each chunk written where read_frames puts it "
               "(the clip's frames in one buffer; before 2026-12-06 every chunk went to the buffer's start). Filters: 0 none, 1 shuffle, 2 depth MED, "
               "3 xor_prev, 4 depth_rank (each chunk the smallest of none, depth_up, depth_rank, depth_med), 5 depth_up; compression: 1 zstd per frame, 2 zstd per chunk.\n\n",
               (mv / mz - 1) * 100, (mv / mu - 1) * 100);
    }
    if (have_baseline) {
        double mz = bench_median(sz, reps), ms = bench_median(ss, reps);
        printf("### Sequential read with and without the AVX2 unfilters (depth_med decoder, 4-byte byte-plane gathers)\n\n");
        printf("Checksums on; the same handle, rounds interleaved; this CPU %s AVX2.\n\n",
               sy_simd_isa() >= 2 ? "has" : "has no");
        printf("| stream | read_frames MB/s, SSE2 unfilters | vs bare zstd | read_frames MB/s, default (AVX2) | vs bare zstd |\n");
        printf("|---|---:|---:|---:|---:|\n");
        for (uint32_t s = 0; s < 3; s++) {
            double z = bench_median(tz[s], reps), b = bench_median(ts[s], reps), v = bench_median(tv[s], reps);
            printf("| %s | %.0f | %.2f | %.0f | %.2f |\n", sname[s], bytes[s] / b / 1e6, b / z, bytes[s] / v / 1e6, v / z);
        }
        printf("| **all** | %.0f | **%.2f** | %.0f | **%.2f** |\n\n", all / ms / 1e6, ms / mz, all / mv / 1e6, mv / mz);
    }
    if (have_baseline) {
        double mz = bench_median(sz, reps), mm = bench_median(sm, reps);
        printf("### Sequential read from a mapped file\n\n");
        printf("The same file opened with the reader option `map_file` (checksums on): the reader maps the whole "
               "file and reads records in place instead of by one pread each; rounds interleaved with the rows above.\n\n");
        printf("| stream | read_frames MB/s, pread (default) | vs bare zstd | read_frames MB/s, map_file | vs bare zstd |\n");
        printf("|---|---:|---:|---:|---:|\n");
        for (uint32_t s = 0; s < 3; s++) {
            double z = bench_median(tz[s], reps), m = bench_median(tm[s], reps), v = bench_median(tv[s], reps);
            printf("| %s | %.0f | %.2f | %.0f | %.2f |\n", sname[s], bytes[s] / v / 1e6, v / z, bytes[s] / m / 1e6, m / z);
        }
        printf("| **all** | %.0f | **%.2f** | %.0f | **%.2f** |\n\n", all / mv / 1e6, mv / mz, all / mm / 1e6, mm / mz);
    }
    synapt_reader_close(rm);
    seq_real_depth(reps);
    if (read_only) {
        synapt_reader_close(rv);
        synapt_reader_close(rn);
        unlink(path);
        rmdir(g_dir);
        return 0;
    }
    printf("### Checksums\n\n");
    size_t hb = (size_t)64 << 20;
    uint8_t *hbuf = bench_xmalloc(hb);
    for (size_t i = 0; i < hb; i++) hbuf[i] = (uint8_t)(i * 2654435761u >> 13);
    double th[16];
    volatile uint64_t sink = 0;
    for (int i = 0; i < reps; i++) {
        double t0 = bench_cpu_s();
        sink ^= XXH3_64bits(hbuf, hb);
        th[i] = bench_cpu_s() - t0;
    }
    free(hbuf);
    printf("| measure | value |\n|---|---:|\n");
    printf("| read time, verify_checksums=1 vs 0 | %.3f (cost **%.1f%%** of read time; target <= 5%%) |\n",
           mv / mn, (mv - mn) / mv * 100);
    printf("| XXH3-64 speed, libxxhash's XXH3_64bits (64 MiB buffer) | %.1f GB/s |\n\n", hb / bench_median(th, reps) / 1e9);
    printf("The library checks chunk records with xxHash's AVX2 code where the CPU has it (the same hash; Debian's "
           "libxxhash is an SSE2 build), about 3.5x the speed above on the bench machine.\n\n");

    /* 3: random windows */
    int per = g_quick ? 100 : 400;
    double w1[16], w2[16];
    windows_per_s(rv, 1, per / 4); /* warm-up */
    for (int i = 0; i < reps; i++) {
        w1[i] = windows_per_s(rv, 1, per);
        w2[i] = windows_per_s(rv, 2, per);
    }
    double m1 = bench_median(w1, reps), m2 = bench_median(w2, reps);
    double wbytes = (double)(IMG_BYTES + DEP_BYTES + sizeof(float) * POSE_P * POSE_J * POSE_C) * WINDOW;
    printf("### Random %d-frame windows (rgb + depth via read_frames, pose via read_pose; random clip and start; wall clock)\n\n", WINDOW);
    printf("| threads on one handle | windows/s | MB/s (raw) | vs 1 thread |\n|---|---:|---:|---:|\n");
    printf("| 1 | %.0f | %.0f | 1.00 |\n", m1, m1 * wbytes / 1e6);
    printf("| 2 | %.0f | %.0f | %.2f |\n\n", m2, m2 * wbytes / 1e6, m2 / m1);

    /* 4: write */
    int wclips = g_quick ? 3 : 8;
    uint64_t wraw = 0;
    for (int c = 0; c < wclips; c++) wraw += clip_raw_bytes(&cd[c]);
    synapt_writer_options wd = SYNAPT_WRITER_OPTIONS_INIT;
    char wpath[512];
    snprintf(wpath, sizeof wpath, "%s/write.synapt", g_dir);
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    size_t zcap = ZSTD_compressBound(IMG_BYTES);
    uint8_t *zbuf = bench_xmalloc(zcap);
    double tw[16], twn[16], tc[16];
    int wreps = g_quick ? 3 : 5;
    for (int i = 0; i < wreps; i++) {
        write_dataset(wpath, cd, wclips, &wd, &tw[i]);
        twn[i] = write_dataset(wpath, cd, wclips, &wo, NULL);
        double t0 = bench_cpu_s();
        /* the baseline compresses every frame alone at the writer's level,
         * as the per-frame layout does, with a reused context */
        for (int c = 0; c < wclips; c++) {
            for (int t = 0; t < CLIP_T; t++) {
                size_t a = ZSTD_compressCCtx(cctx, zbuf, zcap, cd[c].img + IMG_BYTES * t, IMG_BYTES, 3);
                size_t b = ZSTD_compressCCtx(cctx, zbuf, zcap, cd[c].dep + (size_t)DEP_W * DEP_H * t, DEP_BYTES, 3);
                size_t p = ZSTD_compressCCtx(cctx, zbuf, zcap, cd[c].pose + (size_t)t * POSE_P * POSE_J * POSE_C,
                                             cd[c].persons[t] * POSE_J * POSE_C * sizeof(float), 3);
                if (ZSTD_isError(a) || ZSTD_isError(b) || ZSTD_isError(p)) { fprintf(stderr, "zstd failed\n"); return 1; }
            }
        }
        tc[i] = bench_cpu_s() - t0;
    }
    double mw = bench_median(tw, wreps), mwn = bench_median(twn, wreps), mc = bench_median(tc, wreps);
    struct stat st;
    stat(wpath, &st);
    printf("### Write (%d clips, %.1f MB raw in; file %.1f MB)\n\n", wclips, wraw / 1e6, st.st_size / 1e6);
    printf("| path | MB/s (raw in) | time vs zstd alone |\n|---|---:|---:|\n");
    printf("| zstd level 3 per frame, reused context (baseline) | %.0f | 1.00 |\n", wraw / mc / 1e6);
    printf("| writer, fsync off (CPU time) | %.0f | %.2f |\n", wraw / mwn / 1e6, mwn / mc);
    printf("| writer, default options incl. fsync (wall clock) | %.0f | %.2f |\n\n", wraw / mw / 1e6, mw / mc);

    /* 4b: the cost of write-through (each finished clip written to the
     * file at end_clip) against the buffered writer, fsync off, CPU time
     * (write(2) is system time, which the clock counts): big clips above,
     * and many tiny clips, where one write per clip is the most it costs */
    {
        synapt_writer_options wb = wo;
        wb.write_through = 0;
        double tb[16], tt[16], mb[16], mt[16];
        int nsmall = g_quick ? 3000 : 20000;
        char spath[512];
        snprintf(spath, sizeof spath, "%s/small.synapt", g_dir);
        for (int i = 0; i < wreps; i++) {
            tb[i] = write_dataset(wpath, cd, wclips, &wb, NULL);
            tt[i] = write_dataset(wpath, cd, wclips, &wo, NULL);
            double t0 = bench_cpu_s();
            write_many(spath, nsmall, 0);
            mb[i] = bench_cpu_s() - t0;
            t0 = bench_cpu_s();
            write_many(spath, nsmall, 1);
            mt[i] = bench_cpu_s() - t0;
        }
        double b1 = bench_median(tb, wreps), t1 = bench_median(tt, wreps), b2 = bench_median(mb, wreps), t2 = bench_median(mt, wreps);
        unlink(spath);
        printf("### Write-through (finished clips reach the file at end_clip) vs the buffered writer\n\n");
        printf("| data | buffered, ms CPU (baseline) | write-through, ms CPU | ratio |\n|---|---:|---:|---:|\n");
        printf("| %d clips of rgb + depth + pose (%.1f MB raw) | %.1f | %.1f | %.2f |\n", wclips, wraw / 1e6,
               b1 * 1e3, t1 * 1e3, t1 / b1);
        printf("| %d clips of one 4-frame i32 stream | %.1f | %.1f | %.2f |\n\n", nsmall, b2 * 1e3, t2 * 1e3, t2 / b2);
    }

    /* 5: open time of many small clips */
    static const int sizes[] = { 1500, 15000, 150000 };
    int nsizes = g_quick ? 2 : 3;
    printf("### Open a file of many small clips (one 4-frame i32 stream, one label, one group each)\n\n");
    printf("| clips | file MB | index MB | open ms, wall (index checksum on) | open ms, CPU | open ms, wall (checksum off) | RSS growth at open, KiB | first clip_info + find_clip, us |\n");
    printf("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int si = 0; si < nsizes; si++) {
        char mpath[512];
        snprintf(mpath, sizeof mpath, "%s/many%d.synapt", g_dir, sizes[si]);
        write_many(mpath, sizes[si], 1);
        double to[16], tcpu[16], toff[16], tl[16];
        long rss_growth = 0;
        synapt_file_info fi;
        memset(&fi, 0, sizeof fi);
        int oreps = reps < 7 ? 7 : reps;
        for (int i = 0; i < oreps; i++) {
            long before = bench_rss_kib();
            double w0 = bench_wall_s(), t0 = bench_cpu_s();
            synapt_reader *r = open_or_die(mpath, 1, 1);
            tcpu[i] = bench_cpu_s() - t0;
            to[i] = bench_wall_s() - w0;
            long after = bench_rss_kib();
            if (i == oreps - 1) rss_growth = after - before;
            synapt_reader_file_info(&fi, r);
            t0 = bench_cpu_s();
            synapt_clip_info ci;
            uint64_t found;
            char id[32];
            snprintf(id, sizeof id, "v_%07d", sizes[si] / 2 + i);
            int rc = synapt_reader_clip(&ci, r, (uint64_t)sizes[si] - 1);
            if (!rc) rc = synapt_reader_find_clip(&found, r, id);
            if (rc) die("lookup", rc, synapt_reader_errmsg(r));
            tl[i] = bench_cpu_s() - t0;
            synapt_reader_close(r);
            w0 = bench_wall_s();
            r = open_or_die(mpath, 1, 0);
            toff[i] = bench_wall_s() - w0;
            synapt_reader_close(r);
        }
        stat(mpath, &st);
        printf("| %d | %.1f | %.1f | %.2f | %.2f | %.2f | %ld | %.1f |\n", sizes[si], st.st_size / 1e6,
               fi.index_bytes / 1e6, bench_median(to, oreps) * 1e3, bench_median(tcpu, oreps) * 1e3,
               bench_median(toff, oreps) * 1e3, rss_growth,
               bench_median(tl, oreps) * 1e6);
        unlink(mpath);
    }
    printf("\nTarget: open under 20 ms at 150k clips with no per-clip work. With the index "
           "checksum on, open hashes the whole index once (linear in index bytes, no parsing "
           "per clip); with it off, open time should not grow with the clip count.\n\n");

    /* 6: depth vs PNG */
    printf("### Depth compression vs 16-bit PNG (%d synthetic 320x240 u16 frames in mm: floor, wall, "
           "a moving blob with sharp edges)\n\n", g_quick ? 8 : 32);
    printf("| frames | encoding | bytes | raw / encoded | encode MB/s | synapt vs PNG |\n");
    printf("|---|---|---:|---:|---:|---:|\n");
    depth_vs_png(&wo, 1);
    depth_vs_png(&wo, 0);
    printf("\nSensor-like frames carry depth-dependent noise and 0.2%% dropouts (Kinect-style); "
           "rendered frames are noise-free, as synthetic generators (SURREAL, SURREACT) write them. "
           "\"synapt vs PNG\" is PNG bytes / synapt bytes: how many times smaller the synapt stream is.\n\n");
    (void)sink;
    synapt_reader_close(rv);
    synapt_reader_close(rn);
    ZSTD_freeDCtx(dctx);
    ZSTD_freeCCtx(cctx);
    unlink(path);
    unlink(wpath);
    rmdir(g_dir);
    return 0;
}
