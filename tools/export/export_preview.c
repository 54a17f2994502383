/* export_preview.c - --to preview: a contact sheet to check an import by
 * eye. Everything is drawn here in plain RGB buffers (nearest-neighbour
 * scaling, Bresenham lines, a 3x5 bitmap font) so the sheet needs nothing
 * beyond libpng. */
#include "export.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define TILE_H 240      /* tiles are scaled to this height */
#define MAX_TILE_W 960
#define TEXT_SCALE 2
#define MARGIN 6
#define HEADER (5 * TEXT_SCALE + 2 * MARGIN)

/* ---- canvas -------------------------------------------------------- */

typedef struct canvas {
    uint8_t *px;
    int w, h;
} canvas;

static void put(canvas *c, int x, int y, const uint8_t rgb[3])
{
    if (x < 0 || y < 0 || x >= c->w || y >= c->h) return;
    memcpy(c->px + ((size_t)y * (size_t)c->w + (size_t)x) * 3, rgb, 3);
}

static void disc(canvas *c, int cx, int cy, int r, const uint8_t rgb[3])
{
    for (int y = -r; y <= r; y++)
        for (int x = -r; x <= r; x++)
            if (x * x + y * y <= r * r) put(c, cx + x, cy + y, rgb);
}

static void line(canvas *c, int x0, int y0, int x1, int y1, const uint8_t rgb[3])
{
    int dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1, dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
    int e = dx + dy;
    for (int guard = 0; guard < 20000; guard++) {
        disc(c, x0, y0, 1, rgb);
        if (x0 == x1 && y0 == y1) break;
        int e2 = 2 * e;
        if (e2 >= dy) { e += dy; x0 += sx; }
        if (e2 <= dx) { e += dx; y0 += sy; }
    }
}

/* 3x5 glyphs, one row per 3 bits (left = bit 2); lowercase drawn as upper */
static const char glyph_chars[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_-.:/ ";
static const uint8_t glyphs[][5] = {
    {7,5,5,5,7},{2,6,2,2,7},{7,1,7,4,7},{7,1,7,1,7},{5,5,7,1,1},{7,4,7,1,7},{7,4,7,5,7},{7,1,1,1,1},
    {7,5,7,5,7},{7,5,7,1,7},{2,5,7,5,5},{6,5,6,5,6},{3,4,4,4,3},{6,5,5,5,6},{7,4,6,4,7},{7,4,6,4,4},
    {3,4,5,5,3},{5,5,7,5,5},{7,2,2,2,7},{1,1,1,5,2},{5,5,6,5,5},{4,4,4,4,7},{5,7,7,5,5},{6,5,5,5,5},
    {2,5,5,5,2},{6,5,6,4,4},{2,5,5,6,3},{6,5,6,5,5},{3,4,2,1,6},{7,2,2,2,2},{5,5,5,5,7},{5,5,5,5,2},
    {5,5,7,7,5},{5,5,2,5,5},{5,5,2,2,2},{7,1,2,4,7},{0,0,0,0,7},{0,0,7,0,0},{0,0,0,0,2},{0,2,0,2,0},
    {1,1,2,4,4},{0,0,0,0,0},
};

static void text(canvas *c, int x, int y, const char *s, const uint8_t rgb[3])
{
    for (; *s; s++, x += 4 * TEXT_SCALE) {
        char ch = *s >= 'a' && *s <= 'z' ? (char)(*s - 32) : *s;
        const char *at = strchr(glyph_chars, ch);
        static const uint8_t unknown[5] = { 7, 1, 2, 0, 2 };
        const uint8_t *g = at && ch ? glyphs[at - glyph_chars] : unknown;
        for (int row = 0; row < 5; row++)
            for (int col = 0; col < 3; col++)
                if (g[row] & (4 >> col))
                    for (int yy = 0; yy < TEXT_SCALE; yy++)
                        for (int xx = 0; xx < TEXT_SCALE; xx++)
                            put(c, x + col * TEXT_SCALE + xx, y + row * TEXT_SCALE + yy, rgb);
    }
}

static const uint8_t palette[8][3] = {
    {255, 64, 64}, {64, 200, 255}, {255, 220, 0}, {120, 255, 80},
    {255, 96, 255}, {255, 150, 40}, {160, 120, 255}, {0, 255, 200},
};

/* blue -> cyan -> green -> yellow -> red over t in [0, 1] */
static void heat(uint8_t out[3], double t)
{
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double r = t < 0.5 ? 0 : t < 0.75 ? (t - 0.5) * 4 : 1;
    double g = t < 0.25 ? t * 4 : t < 0.75 ? 1 : (1 - t) * 4;
    double b = t < 0.25 ? 1 : t < 0.5 ? (0.5 - t) * 4 : 0;
    out[0] = (uint8_t)(r * 255);
    out[1] = (uint8_t)(g * 255);
    out[2] = (uint8_t)(b * 255);
}

/* ---- the sheet ----------------------------------------------------- */

typedef struct src {
    int present;
    uint32_t stream;
    export_array a;
    void *frame;              /* one frame */
} src;

static int open_src(src *s, const synapt_reader *r, uint64_t clip, uint32_t stream)
{
    if (export_array_of(&s->a, r, clip, stream) != 0 || !s->a.frame_bytes) return 0;
    if (!(s->frame = malloc((size_t)s->a.frame_bytes))) return 0;
    s->present = 1;
    s->stream = stream;
    return 1;
}

static int read_src(src *s, const synapt_reader *r, uint64_t clip, uint64_t t)
{
    if (!s->present || t >= s->a.dims[0]) return -1;
    return export_array_read(s->frame, (size_t)s->a.frame_bytes, &s->a, r, clip, s->stream, t, 1);
}

/* Blit a (h, w) source through `pix` (gives RGB of source pixel i) into the
 * canvas at (ox, oy), scaled to tw x th by nearest neighbour. */
typedef void (*pix_fn)(uint8_t out[3], const src *s, size_t i, double lo, double hi);

static void pix_rgb(uint8_t out[3], const src *s, size_t i, double lo, double hi)
{
    (void)lo;
    (void)hi;
    const uint8_t *p = s->frame;
    unsigned ch = s->a.ndim == 4 ? (unsigned)s->a.dims[3] : 1;
    for (int k = 0; k < 3; k++) out[k] = p[i * ch + (ch >= 3 ? (unsigned)k : 0)];
}

static double depth_at(const src *s, size_t i)
{
    if (s->a.dtype == SYNAPT_DTYPE_U16) return ((const uint16_t *)s->frame)[i];
    if (s->a.dtype == SYNAPT_DTYPE_F32) return ((const float *)s->frame)[i];
    return ((const uint8_t *)s->frame)[i];
}

static void pix_depth(uint8_t out[3], const src *s, size_t i, double lo, double hi)
{
    double v = depth_at(s, i);
    if (!(v > 0) || !isfinite(v)) {
        memset(out, 0, 3);
        return;
    }
    /* near is warm */
    heat(out, hi > lo ? 1.0 - (v - lo) / (hi - lo) : 0.5);
}

static void pix_mask(uint8_t out[3], const src *s, size_t i, double lo, double hi)
{
    (void)lo;
    (void)hi;
    unsigned v = s->a.dtype == SYNAPT_DTYPE_U16 ? ((const uint16_t *)s->frame)[i] : ((const uint8_t *)s->frame)[i];
    if (!v) memset(out, 24, 3);
    else memcpy(out, palette[(v * 5u) % 8u], 3);
}

static void blit(canvas *c, const src *s, pix_fn fn, int ox, int oy, int tw, int th)
{
    uint64_t h = s->a.dims[1], w = s->a.dims[2];
    double lo = INFINITY, hi = -INFINITY;
    if (fn == pix_depth)
        for (size_t i = 0; i < h * w; i++) {
            double v = depth_at(s, i);
            if (v > 0 && isfinite(v)) {
                if (v < lo) lo = v;
                if (v > hi) hi = v;
            }
        }
    for (int y = 0; y < th; y++)
        for (int x = 0; x < tw; x++) {
            uint8_t rgb[3];
            size_t sy = (size_t)((uint64_t)y * h / (uint64_t)th), sx = (size_t)((uint64_t)x * w / (uint64_t)tw);
            fn(rgb, s, sy * w + sx, lo, hi);
            put(c, ox + x, oy + y, rgb);
        }
}

static void skeleton(canvas *c, const src *pose, const synapt_skeleton_info *sk, int has_conf,
                     double sx, double sy, int ox, int oy)
{
    uint64_t P = pose->a.dims[1], J = pose->a.dims[2], C = pose->a.dims[3];
    const float *v = pose->frame;
    for (uint64_t p = 0; p < P; p++) {
        const float *pj = v + p * J * C;
        const uint8_t *col = palette[p % 8];
#define JOINT_OK(j) (isfinite(pj[(j) * C]) && isfinite(pj[(j) * C + 1]) && \
                     !(pj[(j) * C] == 0 && pj[(j) * C + 1] == 0) && (!has_conf || pj[(j) * C + C - 1] > 0))
        for (uint64_t j = 0; sk && j < J && j < sk->joint_count; j++) {
            int par = sk->parents[j];
            if (par < 0 || (uint64_t)par >= J || !JOINT_OK(j) || !JOINT_OK((uint64_t)par)) continue;
            line(c, ox + (int)lround(pj[j * C] * sx), oy + (int)lround(pj[j * C + 1] * sy),
                 ox + (int)lround(pj[par * C] * sx), oy + (int)lround(pj[par * C + 1] * sy), col);
        }
        static const uint8_t white[3] = { 255, 255, 255 };
        for (uint64_t j = 0; j < J; j++)
            if (JOINT_OK(j)) {
                int x = ox + (int)lround(pj[j * C] * sx), y = oy + (int)lround(pj[j * C + 1] * sy);
                disc(c, x, y, 3, col);
                disc(c, x, y, 1, white);
            }
#undef JOINT_OK
    }
}

/* ---- what a preview shows of one clip --------------------------------- */

typedef struct view {
    const synapt_reader *r;
    uint64_t clip;
    src rgb, pose, depth, mask;
    synapt_skeleton_info sk;
    int has_sk, has_conf;
    double fw, fh, fx0, fy0;  /* the frame the skeleton is drawn in */
    uint64_t T;               /* frames: the longest shown stream */
    uint32_t fps_num, fps_den;
    int tw, th, dw, mw;       /* tile sizes */
    int width;                /* canvas width */
    char title[512];          /* clip id and labels */
} view;

static void view_close(view *v)
{
    free(v->rgb.frame);
    free(v->pose.frame);
    free(v->depth.frame);
    free(v->mask.frame);
}

/* Find the streams to show and lay the tiles out. */
static int view_open(view *v, const synapt_reader *r, uint64_t clip, const char *stream,
                     const char *path, char *err, size_t errsz)
{
    memset(v, 0, sizeof *v);
    v->r = r;
    v->clip = clip;
    synapt_clip_info ci;
    int rc = synapt_reader_clip(&ci, r, clip);
    if (rc) {
        snprintf(err, errsz, "%s", synapt_reader_errmsg(r));
        return rc;
    }
    uint32_t pose_fps[2] = { 0, 1 };
    for (uint32_t s = 0; s < ci.stream_count; s++) {
        synapt_stream_info si;
        if (synapt_reader_stream(&si, r, clip, s) != 0) continue;
        if (stream && strcmp(stream, si.name) && si.kind != SYNAPT_KIND_POSE2D) continue;
        if (!v->rgb.present && (si.kind == SYNAPT_KIND_VIDEO || (si.kind == SYNAPT_KIND_IMAGE && si.dtype == SYNAPT_DTYPE_U8))) {
            if (open_src(&v->rgb, r, clip, s)) {
                v->fps_num = si.fps_num;
                v->fps_den = si.fps_den;
            }
        } else if (!v->pose.present && si.kind == SYNAPT_KIND_POSE2D && open_src(&v->pose, r, clip, s)) {
            v->has_sk = si.skeleton && synapt_skeleton_get(&v->sk, si.skeleton) == 0;
            v->has_conf = si.channels == SYNAPT_CHANNELS_XYC;
            pose_fps[0] = si.fps_num;
            pose_fps[1] = si.fps_den;
            if (v->pose.a.dims[3] < 2) v->pose.present = 0;
        } else if (!v->depth.present && si.kind == SYNAPT_KIND_DEPTH)
            open_src(&v->depth, r, clip, s);
        else if (!v->mask.present && si.kind == SYNAPT_KIND_MASK)
            open_src(&v->mask, r, clip, s);
    }
    if (!v->fps_num || !v->fps_den) {
        v->fps_num = pose_fps[0];
        v->fps_den = pose_fps[1];
    }
    if (!v->fps_num || !v->fps_den) {
        v->fps_num = 30;
        v->fps_den = 1;
    }
    if (!v->rgb.present && !v->pose.present && !v->depth.present && !v->mask.present) {
        snprintf(err, errsz, "%s: clip '%s' has no RGB, 2D pose, depth or mask stream to show", path, ci.id);
        return SYNAPT_E_NOT_FOUND;
    }
    /* the frame the skeleton is drawn in: the RGB frame, else the extent
     * of the joints (pose-only clips such as NTU skeletons) */
    if (v->rgb.present) {
        v->fw = (double)v->rgb.a.dims[2];
        v->fh = (double)v->rgb.a.dims[1];
        v->T = v->rgb.a.dims[0];
    }
    if (v->pose.present) {
        src *pose = &v->pose;
        if (pose->a.dims[0] > v->T) v->T = pose->a.dims[0];
        if (!v->rgb.present) {
            double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
            for (uint64_t t = 0; t < pose->a.dims[0]; t += 1 + pose->a.dims[0] / 64) {
                if (read_src(pose, r, clip, t)) continue;
                const float *pv = pose->frame;
                uint64_t n = pose->a.dims[1] * pose->a.dims[2];
                for (uint64_t k = 0; k < n; k++) {
                    float x = pv[k * pose->a.dims[3]], y = pv[k * pose->a.dims[3] + 1];
                    if (!isfinite(x) || !isfinite(y) || fabs(x) > 1e5 || fabs(y) > 1e5 || (x == 0 && y == 0)) continue;
                    if (x < x0) x0 = x;
                    if (x > x1) x1 = x;
                    if (y < y0) y0 = y;
                    if (y > y1) y1 = y;
                }
            }
            if (x1 > x0 && y1 > y0) {
                /* the joints' extent with a margin, at least 3:4 so one
                 * standing person does not become a thin strip */
                double pad = 0.1 * (y1 - y0 > x1 - x0 ? y1 - y0 : x1 - x0);
                v->fx0 = x0 - pad;
                v->fy0 = y0 - pad;
                v->fw = x1 - x0 + 2 * pad;
                v->fh = y1 - y0 + 2 * pad;
                if (v->fw < v->fh * 0.75) {
                    v->fx0 -= (v->fh * 0.75 - v->fw) / 2;
                    v->fw = v->fh * 0.75;
                }
            }
        }
    }
    if (!v->rgb.present && !v->pose.present) {
        src *d = v->depth.present ? &v->depth : &v->mask;
        v->fw = (double)d->a.dims[2];
        v->fh = (double)d->a.dims[1];
    }
    if (v->depth.present && v->depth.a.dims[0] > v->T) v->T = v->depth.a.dims[0];
    if (v->mask.present && v->mask.a.dims[0] > v->T) v->T = v->mask.a.dims[0];
    if (v->fw < 1 || v->fh < 1) {
        v->fw = 640;
        v->fh = 480;
    }
    v->th = TILE_H;
    v->tw = (int)lround(v->fw * TILE_H / v->fh);
    if (v->tw > MAX_TILE_W) v->tw = MAX_TILE_W;
    if (v->tw < 32) v->tw = 32;
    if (v->depth.present)
        v->dw = (int)lround((double)v->depth.a.dims[2] * TILE_H / (double)(v->depth.a.dims[1] ? v->depth.a.dims[1] : 1));
    if (v->mask.present)
        v->mw = (int)lround((double)v->mask.a.dims[2] * TILE_H / (double)(v->mask.a.dims[1] ? v->mask.a.dims[1] : 1));
    if (v->dw > MAX_TILE_W) v->dw = MAX_TILE_W;
    if (v->mw > MAX_TILE_W) v->mw = MAX_TILE_W;
    v->width = MARGIN + v->tw + MARGIN + (v->depth.present ? v->dw + MARGIN : 0) +
               (v->mask.present ? v->mw + MARGIN : 0);
    if (v->width < 480) v->width = 480;
    size_t o_ = (size_t)snprintf(v->title, sizeof v->title, "%.120s", ci.id);
    uint32_t labels[8];
    size_t nl = 0;
    if (synapt_reader_clip_labels(labels, 8, &nl, r, clip) == 0)
        for (size_t i = 0; i < nl && i < 8 && o_ < sizeof v->title - 80; i++) {
            const char *ln = synapt_reader_label_name(r, labels[i]);
            o_ += (size_t)snprintf(v->title + o_, sizeof v->title - o_, "%s%.60s", i ? ", " : "  ", ln ? ln : "?");
        }
    return 0;
}

/* Height of one row: its frame-number line and the tiles. */
#define ROW_H (TILE_H + 5 * TEXT_SCALE + 2 * MARGIN)

/* One row at y0: "frame t/T", the RGB frame with the skeleton over it, the
 * depth colourised and the mask tinted. */
static void view_row(view *v, canvas *c, uint64_t t, int y0)
{
    static const uint8_t grey[3] = { 170, 170, 170 };
    char label[64];
    snprintf(label, sizeof label, "frame %" PRIu64 "/%" PRIu64, t, v->T);
    text(c, MARGIN, y0, label, grey);
    int ty = y0 + 5 * TEXT_SCALE + MARGIN, x = MARGIN;
    if (v->rgb.present && read_src(&v->rgb, v->r, v->clip, t) == 0) blit(c, &v->rgb, pix_rgb, x, ty, v->tw, v->th);
    else
        for (int yy = 0; yy < v->th; yy++)
            for (int xx = 0; xx < v->tw; xx++) put(c, x + xx, ty + yy, (const uint8_t[3]){ 16, 16, 16 });
    if (v->pose.present && read_src(&v->pose, v->r, v->clip, t) == 0)
        skeleton(c, &v->pose, v->has_sk ? &v->sk : NULL, v->has_conf, v->tw / v->fw, v->th / v->fh,
                 x - (int)lround(v->fx0 * v->tw / v->fw), ty - (int)lround(v->fy0 * v->th / v->fh));
    x += v->tw + MARGIN;
    if (v->depth.present) {
        if (read_src(&v->depth, v->r, v->clip, t) == 0) blit(c, &v->depth, pix_depth, x, ty, v->dw, v->th);
        x += v->dw + MARGIN;
    }
    if (v->mask.present && read_src(&v->mask, v->r, v->clip, t) == 0) blit(c, &v->mask, pix_mask, x, ty, v->mw, v->th);
}

static const uint8_t title_white[3] = { 240, 240, 240 };

/* The contact sheet: `tiles` rows spread over the clip. */
static int sheet_png(view *v, const char *path, unsigned tiles, char *err, size_t errsz)
{
    unsigned n = tiles ? tiles : 6;
    if (v->T < n) n = (unsigned)v->T;
    if (n == 0) n = 1;
    canvas c;
    c.w = v->width;
    c.h = HEADER + (int)n * ROW_H;
    c.px = malloc((size_t)c.w * (size_t)c.h * 3);
    if (!c.px) {
        snprintf(err, errsz, "%s: out of memory", path);
        return SYNAPT_E_NOMEM;
    }
    memset(c.px, 40, (size_t)c.w * (size_t)c.h * 3);
    text(&c, MARGIN, MARGIN, v->title, title_white);
    for (unsigned k = 0; k < n; k++)
        view_row(v, &c, n > 1 ? (uint64_t)k * (v->T - 1) / (n - 1) : 0, HEADER + (int)k * ROW_H);
    int rc = 0;
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 16);
    if (!tmp) {
        free(c.px);
        return SYNAPT_E_NOMEM;
    }
    snprintf(tmp, pl + 16, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    char why[200] = "";
    if (fd < 0) snprintf(why, sizeof why, "%s", strerror(errno));
    else {
        mode_t um = umask(0);
        umask(um);
        fchmod(fd, 0666 & ~um);
        close(fd);
    }
    if (fd < 0 || export_png_write(tmp, c.px, (uint32_t)c.w, (uint32_t)c.h, 3, 0, why, sizeof why) ||
        rename(tmp, path) != 0) {
        if (!why[0]) snprintf(why, sizeof why, "%s", strerror(errno));
        snprintf(err, errsz, "%s: cannot write: %s", path, why);
        if (fd >= 0) unlink(tmp);
        rc = SYNAPT_E_IO;
    }
    free(tmp);
    free(c.px);
    return rc;
}

/* The movie: one row per frame under the title, every frame of the clip
 * up to PREVIEW_MOVIE_FRAMES (a longer clip is shown every k-th frame, at
 * 1/k of its rate, so it keeps its real duration). */
#define PREVIEW_MOVIE_FRAMES 600
static int sheet_movie(view *v, const char *path, char *err, size_t errsz)
{
    uint64_t T = v->T ? v->T : 1, step = (T + PREVIEW_MOVIE_FRAMES - 1) / PREVIEW_MOVIE_FRAMES;
    canvas c;
    /* even sizes: 4:2:0 video */
    c.w = (v->width + 1) & ~1;
    c.h = (HEADER + ROW_H + 1) & ~1;
    c.px = malloc((size_t)c.w * (size_t)c.h * 3);
    if (!c.px) {
        snprintf(err, errsz, "%s: out of memory", path);
        return SYNAPT_E_NOMEM;
    }
    export_movie *m = NULL;
    int rc = export_movie_open(&m, path, c.w, c.h, v->fps_num, (uint64_t)v->fps_den * step, err, errsz);
    for (uint64_t t = 0; !rc && t < T; t += step) {
        memset(c.px, 40, (size_t)c.w * (size_t)c.h * 3);
        text(&c, MARGIN, MARGIN, v->title, title_white);
        view_row(v, &c, t, HEADER);
        rc = export_movie_frame(m, c.px, err, errsz);
    }
    if (!rc) rc = export_movie_close(m, err, errsz);
    else export_movie_abort(m);
    free(c.px);
    return rc;
}

static int ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && !strcasecmp(s + a - b, tail);
}

int export_preview(const synapt_reader *r, const char *path, const export_options *o,
                   unsigned tiles, char *err, size_t errsz)
{
    err[0] = 0;
    if (o->clip_count != 1) {
        snprintf(err, errsz, "%s: a preview shows one clip", path);
        return SYNAPT_E_INVALID_ARG;
    }
    view v;
    int rc = view_open(&v, r, o->clips[0], o->stream, path, err, errsz);
    if (!rc) rc = ends_with(path, ".png") ? sheet_png(&v, path, tiles, err, errsz) : sheet_movie(&v, path, err, errsz);
    view_close(&v);
    return rc;
}
