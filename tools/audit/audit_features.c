/* audit_features.c: per-clip features from AUDIT_K decoded frames — a
 * colour grid (appearance without motion), a motion grid (frame
 * differences without appearance), difference hashes and an exact hash. */
#include "audit.h"
#include "cli/cli.h"
#include "synapt.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* grey images are box-averaged to this side before differencing, so that
 * the motion grid means the same thing at every frame size */
#define GREY 32

typedef struct picture {
    uint32_t stream;
    int video;                 /* encoded: synapt_video_read; else raw u8 images */
    unsigned w, h, ch;
    size_t frame_bytes;
    uint64_t frames;
} picture;

/* The first stream a person would call "the video": encoded video, or u8
 * images with 1 or 3 channels. 0 found, 1 none, -1 the clip or a video
 * stream that cannot be read (bad codec_config, FFmpeg not loadable): the
 * caller warns instead of silently leaving the clip out. */
static int find_picture(picture *out, const synapt_reader *r, uint64_t clip)
{
    synapt_clip_info ci;
    if (synapt_reader_clip(&ci, r, clip) != 0) return -1;
    int unreadable = 0;
    for (uint32_t s = 0; s < ci.stream_count; s++) {
        synapt_stream_info si;
        if (synapt_reader_stream(&si, r, clip, s) != 0) continue;
        if (si.frame_count == 0) continue;
        if (si.kind == SYNAPT_KIND_VIDEO) {
            synapt_video_info vi;
            if (synapt_video_get_info(&vi, r, clip, s) != 0) {
                unreadable = 1;
                continue;
            }
            /* 16384 a side bounds one RGB frame to 768 MiB; a header
             * claiming more is not a picture this audit can sample */
            if (vi.width == 0 || vi.height == 0 || vi.frame_count == 0 ||
                vi.width > 16384 || vi.height > 16384)
                continue;
            out->stream = s;
            out->video = 1;
            out->w = vi.width;
            out->h = vi.height;
            out->ch = 3;
            out->frame_bytes = vi.rgb_frame_bytes;
            out->frames = vi.frame_count;
            return 0;
        }
        if (si.kind == SYNAPT_KIND_IMAGE && si.dtype == SYNAPT_DTYPE_U8 && si.ndim >= 2) {
            unsigned ch = si.ndim >= 3 ? (unsigned)si.shape[2] : 1;
            if (ch != 1 && ch != 3) continue;
            if (si.shape[0] == 0 || si.shape[1] == 0 || si.shape[0] > 16384 || si.shape[1] > 16384)
                continue;
            out->stream = s;
            out->video = 0;
            out->h = (unsigned)si.shape[0];
            out->w = (unsigned)si.shape[1];
            out->ch = ch;
            out->frame_bytes = (size_t)out->w * out->h * ch;
            out->frames = si.frame_count;
            return 0;
        }
    }
    return unreadable ? -1 : 1;
}

static uint64_t sample_index(uint64_t frames, unsigned k)
{
    /* the middle of each of K equal parts, so short clips still spread */
    return (uint64_t)(((double)k + 0.5) * (double)frames / AUDIT_K);
}

/* Read sampled frame k as RGB24 into rgb (w*h*3). */
static int read_sample(uint8_t *rgb, uint8_t *raw, const synapt_reader *r, uint64_t clip,
                       const picture *p, uint64_t idx)
{
    if (p->video)
        return synapt_video_read(rgb, p->frame_bytes, NULL, r, clip, p->stream, idx, 1,
                                 SYNAPT_PIXFMT_RGB24) == 0 ? 0 : -1;
    if (synapt_reader_read_frames(raw, p->frame_bytes, NULL, r, clip, p->stream, idx, 1) != 0)
        return -1;
    size_t np = (size_t)p->w * p->h;
    if (p->ch == 3) memcpy(rgb, raw, np * 3);
    else for (size_t i = 0; i < np; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = raw[i];
    return 0;
}

uint64_t audit_dhash(const uint8_t *rgb, unsigned w, unsigned h)
{
    double cell[8][9];
    for (unsigned y = 0; y < 8; y++)
        for (unsigned x = 0; x < 9; x++) {
            unsigned x0 = x * w / 9, x1 = (x + 1) * w / 9, y0 = y * h / 8, y1 = (y + 1) * h / 8;
            if (x1 <= x0) x1 = x0 + 1;
            if (y1 <= y0) y1 = y0 + 1;
            double s = 0;
            for (unsigned yy = y0; yy < y1 && yy < h; yy++)
                for (unsigned xx = x0; xx < x1 && xx < w; xx++) {
                    const uint8_t *px = rgb + ((size_t)yy * w + xx) * 3;
                    s += 0.299 * px[0] + 0.587 * px[1] + 0.114 * px[2];
                }
            cell[y][x] = s / ((double)(x1 - x0) * (y1 - y0));
        }
    uint64_t hsh = 0;
    for (unsigned y = 0; y < 8; y++)
        for (unsigned x = 0; x < 8; x++)
            hsh = (hsh << 1) | (cell[y][x] < cell[y][x + 1]);
    return hsh;
}

static void grey_small(float *g, const uint8_t *rgb, unsigned w, unsigned h)
{
    for (unsigned y = 0; y < GREY; y++)
        for (unsigned x = 0; x < GREY; x++) {
            unsigned x0 = x * w / GREY, x1 = (x + 1) * w / GREY;
            unsigned y0 = y * h / GREY, y1 = (y + 1) * h / GREY;
            if (x1 <= x0) x1 = x0 + 1;
            if (y1 <= y0) y1 = y0 + 1;
            double s = 0;
            unsigned cnt = 0;
            for (unsigned yy = y0; yy < y1 && yy < h; yy++)
                for (unsigned xx = x0; xx < x1 && xx < w; xx++, cnt++) {
                    const uint8_t *px = rgb + ((size_t)yy * w + xx) * 3;
                    s += 0.299 * px[0] + 0.587 * px[1] + 0.114 * px[2];
                }
            g[y * GREY + x] = cnt ? (float)(s / cnt / 255.0) : 0.f;
        }
}

/* mean |grey difference| per grid cell between frames order[k-1] and
 * order[k], for each of the K-1 steps */
static void motion_grid(float *out, float grey[][GREY * GREY], const unsigned *order)
{
    const unsigned cells = AUDIT_GRID * AUDIT_GRID;
    for (unsigned k = 1; k < AUDIT_K; k++) {
        const float *g = grey[order[k]], *prev = grey[order[k - 1]];
        float *m = out + (size_t)(k - 1) * cells;
        memset(m, 0, sizeof(float) * cells);
        for (unsigned i = 0; i < GREY * GREY; i++) {
            unsigned cell = (i / GREY) * AUDIT_GRID / GREY * AUDIT_GRID + (i % GREY) * AUDIT_GRID / GREY;
            m[cell] += fabsf(g[i] - prev[i]);
        }
        for (unsigned q = 0; q < cells; q++) m[q] /= (float)(GREY * GREY / cells);
    }
}

/* A mask stream of the picture's size: u8 or u16 (H, W), 0 = background. */
static int find_mask(uint32_t *stream, int *wide, const synapt_reader *r, uint64_t clip,
                     const picture *p)
{
    synapt_clip_info ci;
    if (synapt_reader_clip(&ci, r, clip) != 0) return -1;
    for (uint32_t s = 0; s < ci.stream_count; s++) {
        synapt_stream_info si;
        if (synapt_reader_stream(&si, r, clip, s) != 0) continue;
        if (si.kind != SYNAPT_KIND_MASK || si.ndim != 2 || si.frame_count == 0) continue;
        if (si.dtype != SYNAPT_DTYPE_U8 && si.dtype != SYNAPT_DTYPE_U16) continue;
        if (si.shape[0] != p->h || si.shape[1] != p->w) continue;
        *stream = s;
        *wide = si.dtype == SYNAPT_DTYPE_U16;
        return 0;
    }
    return 1;
}

/* mean and std of R,G,B per cell from running sums */
static void grid_finish(float *out, const double *sum, const double *sq, const uint64_t *cnt)
{
    for (unsigned cell = 0; cell < AUDIT_GRID * AUDIT_GRID; cell++)
        for (unsigned ch = 0; ch < 3; ch++) {
            double n = cnt[cell] ? (double)cnt[cell] : 1;
            double mu = sum[cell * 3 + ch] / n;
            double var = sq[cell * 3 + ch] / n - mu * mu;
            out[cell * 3 + ch] = (float)mu;
            out[AUDIT_GRID * AUDIT_GRID * 3 + cell * 3 + ch] = (float)sqrt(var > 0 ? var : 0);
        }
}

#define GRID_CELLS (AUDIT_GRID * AUDIT_GRID)
typedef struct grid_acc { double sum[GRID_CELLS * 3], sq[GRID_CELLS * 3]; uint64_t cnt[GRID_CELLS]; } grid_acc;

static int clip_features(audit_clip *c, const synapt_reader *r, uint64_t mc, uint64_t seed,
                         size_t clip_no)
{
    picture p;
    int rc = find_picture(&p, r, mc);
    if (rc != 0) return rc < 0 ? -1 : 0;
    uint32_t mstream = 0;
    int wide = 0, has_mask = find_mask(&mstream, &wide, r, mc, &p) == 0;
    uint64_t mframes = 0;
    if (has_mask) {
        synapt_stream_info si;
        if (synapt_reader_stream(&si, r, mc, mstream) != 0) has_mask = 0;
        else mframes = si.frame_count;
    }
    size_t np = (size_t)p.w * p.h;
    uint8_t *rgb = malloc(np * 3);
    uint8_t *raw = p.video ? NULL : malloc(p.frame_bytes);
    uint8_t *mask = has_mask ? malloc(np * (wide ? 2 : 1)) : NULL;
    float (*grey)[GREY * GREY] = malloc(sizeof(float) * AUDIT_K * GREY * GREY);
    /* all, background, person (one cell: the person's shape stays out) */
    grid_acc *acc = calloc(3, sizeof *acc);
    double hist[64] = { 0 };
    uint64_t exact = 1469598103934665603ull;
    int ret = -1;
    if (!rgb || (!p.video && !raw) || (has_mask && !mask) || !grey || !acc) goto done;
    for (unsigned k = 0; k < AUDIT_K; k++) {
        uint64_t idx = sample_index(p.frames, k);
        if (read_sample(rgb, raw, r, mc, &p, idx) != 0) goto done;
        int mk = has_mask && synapt_reader_read_frames(mask, np * (wide ? 2 : 1), NULL, r, mc,
                                                       mstream, sample_index(mframes, k), 1) == 0;
        for (unsigned y = 0; y < p.h; y++) {
            unsigned gy = y * AUDIT_GRID / p.h;
            const uint8_t *row = rgb + (size_t)y * p.w * 3;
            for (unsigned x = 0; x < p.w; x++) {
                unsigned cell = gy * AUDIT_GRID + x * AUDIT_GRID / p.w;
                size_t at = (size_t)y * p.w + x;
                int person = mk && (wide ? ((const uint16_t *)(const void *)mask)[at] : mask[at]) != 0;
                grid_acc *part = mk ? &acc[1 + person] : NULL;
                unsigned pc = person ? 0 : cell;
                const uint8_t *px = row + 3 * x;
                for (unsigned ch = 0; ch < 3; ch++) {
                    double v = px[ch] / 255.0;
                    acc[0].sum[cell * 3 + ch] += v;
                    acc[0].sq[cell * 3 + ch] += v * v;
                    if (part) {
                        part->sum[pc * 3 + ch] += v;
                        part->sq[pc * 3 + ch] += v * v;
                    }
                }
                acc[0].cnt[cell]++;
                if (part) part->cnt[pc]++;
                if (person) hist[(px[0] >> 6) * 16 + (px[1] >> 6) * 4 + (px[2] >> 6)] += 1;
            }
        }
        /* FNV-1a over the sampled pixels: equal only for equal decoded frames */
        for (size_t i = 0; i < np * 3; i++) exact = (exact ^ rgb[i]) * 1099511628211ull;
        c->dhash[k] = audit_dhash(rgb, p.w, p.h);
        grey_small(grey[k], rgb, p.w, p.h);
    }
    unsigned order[AUDIT_K];
    for (unsigned k = 0; k < AUDIT_K; k++) order[k] = k;
    motion_grid(c->motion, grey, order);
    /* a seeded shuffle per clip; the identity would be no shuffle at all,
     * so it becomes the reversed order */
    uint64_t st = seed ^ (0x9e3779b97f4a7c15ull * (clip_no + 1));
    for (unsigned k = AUDIT_K - 1; k > 0; k--) {
        unsigned j = (unsigned)(audit_rng_next(&st) % (k + 1));
        unsigned t = order[k]; order[k] = order[j]; order[j] = t;
    }
    unsigned same = 0;
    for (unsigned k = 0; k < AUDIT_K; k++) same += order[k] == k;
    if (same == AUDIT_K)
        for (unsigned k = 0; k < AUDIT_K; k++) order[k] = AUDIT_K - 1 - k;
    motion_grid(c->shuffled, grey, order);
    grid_finish(c->colour, acc[0].sum, acc[0].sq, acc[0].cnt);
    if (has_mask) {
        c->masked = malloc(sizeof *c->masked);
        if (!c->masked) goto done;
        grid_finish(c->masked->background, acc[1].sum, acc[1].sq, acc[1].cnt);
        float one[AUDIT_COLOUR_DIM];
        grid_finish(one, acc[2].sum, acc[2].sq, acc[2].cnt);
        /* cell 0 holds every person pixel: its mean, then its std */
        for (unsigned ch = 0; ch < 3; ch++) {
            c->masked->person[ch] = one[ch];
            c->masked->person[3 + ch] = one[AUDIT_GRID * AUDIT_GRID * 3 + ch];
        }
        double np_ = acc[2].cnt[0] ? (double)acc[2].cnt[0] : 1;
        for (unsigned b = 0; b < 64; b++) c->masked->person[6 + b] = (float)(hist[b] / np_);
    }
    c->exact = exact ^ ((uint64_t)p.w << 32 | p.h);
    c->has_pixels = 1;
    ret = 0;
done:
    free(rgb);
    free(raw);
    free(mask);
    free(grey);
    free(acc);
    return ret;
}

typedef struct job {
    audit_dataset *ds;
    audit_progress_fn progress;
    void *user;
    uint64_t seed;
    pthread_mutex_t lock;       /* guards why */
    char why[256];              /* the reader's message of the first clip that failed */
} job;

static void note_failure(job *j, const synapt_reader *r)
{
    pthread_mutex_lock(&j->lock);
    if (!j->why[0]) snprintf(j->why, sizeof j->why, "%s", synapt_reader_errmsg(r));
    pthread_mutex_unlock(&j->lock);
}

/* each clip fills its own record, so the pool's order only matters for
 * the progress count */
static int work_clip(void *user, uint64_t i, size_t slot)
{
    job *j = user;
    (void)slot;
    audit_clip *c = &j->ds->clips[i];
    synapt_dataset *d = j->ds->files[c->file].handle;
    if (c->skip || !d) return 0;
    synapt_reader *r = NULL;
    uint64_t mc = 0;
    if (synapt_dataset_acquire(&r, &mc, d, c->index) != 0) {
        c->feature_error = 1;
        return 0;
    }
    /* the seed of the shuffled order goes by the clip's place in the whole
     * audit, so a shard computes the same features as a single run */
    if (clip_features(c, r, mc, j->seed, (size_t)i) != 0) {
        c->feature_error = 1;
        note_failure(j, r);
    }
    /* pose on its own: a skeleton-only dataset (NTU, Kinetics-skeleton)
     * has no picture but still a pose to audit */
    if (audit_pose_features(&c->pose, r, mc, c->width, c->height) != 0)
        c->feature_error = 1;
    synapt_dataset_release(d, r);
    return 0;
}

static int done_clip(void *user, uint64_t i, size_t slot, int rc)
{
    job *j = user;
    (void)slot;
    (void)rc;
    if (j->progress) j->progress(j->user, i + 1, j->ds->n);
    return 0;
}

unsigned audit_threads(const audit_options *opt)
{
    if (opt && opt->threads) return opt->threads;
    return cli_cores(255);
}

int audit_features_compute(audit_dataset *ds, const audit_options *opt,
                           audit_progress_fn progress, void *user,
                           void (*warn)(const char *file, const char *msg),
                           char *err, size_t errsz)
{
    job j = { ds, progress, user, opt ? opt->seed : 1, PTHREAD_MUTEX_INITIALIZER, "" };
    unsigned nt = audit_threads(opt);
    /* a window of a few clips per thread keeps every worker busy while a
     * slow clip (a long video) holds the progress count back */
    int rc = cli_pool_run(ds->n, nt, (size_t)nt * 8, work_clip, done_clip, &j);
    if (rc == CLI_POOL_NOTHREAD) rc = cli_pool_run(ds->n, 1, 1, work_clip, done_clip, &j);
    if (rc != 0) {
        snprintf(err, errsz, "out of memory");
        return -1;
    }
    /* the first warning says why (a damaged chunk, FFmpeg not loadable...) */
    int first = 1;
    for (size_t i = 0; i < ds->n; i++)
        if (ds->clips[i].feature_error && warn) {
            char msg[640];
            snprintf(msg, sizeof msg, "clip %s: frames could not be decoded%s%s%s; left out of the "
                     "picture checks", ds->clips[i].id, first && j.why[0] ? " (" : "",
                     first ? j.why : "", first && j.why[0] ? ")" : "");
            warn(ds->files[ds->clips[i].file].path, msg);
            first = 0;
        }
    pthread_mutex_destroy(&j.lock);
    return 0;
}

int audit_clip_thumbs(uint8_t *out, const audit_dataset *ds, size_t clip, unsigned side)
{
    const audit_clip *c = &ds->clips[clip];
    const audit_file *f = &ds->files[c->file];
    if (f->kind == AUDIT_INPUT_LIST) return -1;
    /* a dataset rebuilt from feature files has no handle: the report's
     * machine opens the inputs by the paths the shards were given */
    synapt_dataset *own = NULL, *d = f->handle;
    if (!d && synapt_dataset_open(&own, f->path, NULL, NULL, 0) != 0) return -1;
    if (!d) d = own;
    synapt_reader *r = NULL;
    uint64_t mc = 0;
    picture p;
    int ret = -1;
    uint8_t *rgb = NULL, *raw = NULL;
    if (synapt_dataset_acquire(&r, &mc, d, c->index) != 0) goto done;
    if (find_picture(&p, r, mc) != 0) goto done;
    rgb = malloc((size_t)p.w * p.h * 3);
    raw = p.video ? NULL : malloc(p.frame_bytes);
    if (!rgb || (!p.video && !raw)) goto done;
    for (unsigned k = 0; k < AUDIT_K; k++) {
        if (read_sample(rgb, raw, r, mc, &p, sample_index(p.frames, k)) != 0) goto done;
        uint8_t *o = out + (size_t)k * side * side * 3;
        for (unsigned y = 0; y < side; y++)
            for (unsigned x = 0; x < side; x++) {
                const uint8_t *px = rgb + ((size_t)(y * p.h / side) * p.w + x * p.w / side) * 3;
                memcpy(o + ((size_t)y * side + x) * 3, px, 3);
            }
    }
    ret = 0;
done:
    free(rgb);
    free(raw);
    if (r) synapt_dataset_release(d, r);
    synapt_dataset_close(own);
    return ret;
}
