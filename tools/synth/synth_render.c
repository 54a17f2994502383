/* synth_render.c - camera, procedural backgrounds and the body rasteriser of
 * synapt-synth.
 *
 * The camera is fixed for a clip, so everything that depends only on it
 * (the unit ray through every pixel, the background colour and depth) is
 * computed once in synth_scene_new(). A frame then costs a copy of the
 * background plus, for each body capsule, an analytic ray-capsule test over
 * the capsule's screen bounding box with a z-buffer: exact surfaces and
 * exact depth, and no triangle meshes to build. */
#include "synth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PRIMS 32

struct synth_scene {
    synth_clip c;
    uint32_t w, h;
    float R[9], t[3], C[3];      /* world -> camera, camera centre */
    float *ray;                  /* w*h*3 unit rays, camera frame */
    uint8_t *bg_rgb;
    uint16_t *bg_depth;
    float *bg_z;                 /* camera z, INFINITY when nothing in range */
    float *zbuf;                 /* body-only z of the frame being drawn */
    float *floor_xz;             /* world x, z where the pixel sees the floor; NAN elsewhere */
    float shadow;                /* floor colour scale where the body blocks the light */
    float joint_r[SYNTH_JOINTS]; /* body radius around each joint */
    synth_prim prims[MAX_PRIMS];
    size_t nprims;
    float mat[5][3];             /* material colours, linear 0..1 */
    float shirt2[3];
    float light_cam[3], up_cam[3];
};

/* ---- small vector helpers ---- */

static inline float dot3(const float a[3], const float b[3])
{
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
static void normalize3(float v[3])
{
    float n = sqrtf(dot3(v, v));
    if (n > 0) { v[0] /= n; v[1] /= n; v[2] /= n; }
}
static void cross3(float o[3], const float a[3], const float b[3])
{
    o[0] = a[1] * b[2] - a[2] * b[1];
    o[1] = a[2] * b[0] - a[0] * b[2];
    o[2] = a[0] * b[1] - a[1] * b[0];
}
static void rotate(float o[3], const float R[9], const float v[3])
{
    for (int k = 0; k < 3; k++)
        o[k] = R[k * 3] * v[0] + R[k * 3 + 1] * v[1] + R[k * 3 + 2] * v[2];
}

/* ---- value noise for textures ---- */

static inline uint32_t hash3(int32_t x, int32_t y, uint32_t seed)
{
    uint32_t h = (uint32_t)x * 0x8DA6B343u ^ (uint32_t)y * 0xD8163841u ^ seed * 0xCB1AB31Fu;
    h ^= h >> 15; h *= 0x2C1B3C6Du; h ^= h >> 12; h *= 0x297A2D39u; h ^= h >> 15;
    return h;
}
static inline float hashf(int32_t x, int32_t y, uint32_t seed)
{
    return (float)(hash3(x, y, seed) >> 8) * (1.0f / 16777216.0f);
}
static float vnoise(float x, float y, uint32_t seed)
{
    float fx = floorf(x), fy = floorf(y);
    int32_t ix = (int32_t)fx, iy = (int32_t)fy;
    float tx = x - fx, ty = y - fy;
    tx = tx * tx * (3 - 2 * tx);
    ty = ty * ty * (3 - 2 * ty);
    float a = hashf(ix, iy, seed), b = hashf(ix + 1, iy, seed);
    float c = hashf(ix, iy + 1, seed), d = hashf(ix + 1, iy + 1, seed);
    return (a + (b - a) * tx) + ((c + (d - c) * tx) - (a + (b - a) * tx)) * ty;
}
static float fbm(float x, float y, uint32_t seed)
{
    return 0.5f * vnoise(x, y, seed) + 0.3f * vnoise(2.1f * x, 2.1f * y, seed + 1) +
           0.2f * vnoise(4.3f * x, 4.3f * y, seed + 2);
}

/* ---- backgrounds ---- */

/* Every third background is outdoors; the rest are rooms. The look of
 * background k depends on k alone, so "scene 5" means the same place in
 * every dataset. */
const char *synth_background_kind(uint32_t bg) { return bg % 3 == 2 ? "outdoor" : "room"; }

static const char *const floor_styles[] = { "wood", "tiles", "carpet", "stone" };
static const char *const wall_styles[] = { "plain", "stripes", "bricks", "panels" };
static const char *const ground_styles[] = { "grass", "sand", "asphalt", "snow" };

typedef struct bg_style {
    int outdoor, floor_style, wall_style;
    float half_x, half_z, ceiling, yaw;
    float floor_a[3], floor_b[3], wall_a[3], wall_b[3], sky_lo[3], sky_hi[3], hill[3];
    float scale;
    uint32_t seed;
} bg_style;

static void rand_col(float o[3], synth_rng *r, float lo, float hi, float sat)
{
    float base = (float)synth_rng_range(r, lo, hi);
    for (int k = 0; k < 3; k++)
        o[k] = base * (1.0f - sat + sat * (float)synth_rng_unit(r) * 1.6f);
    for (int k = 0; k < 3; k++)
        o[k] = o[k] < 0 ? 0 : o[k] > 1 ? 1 : o[k];
}

static void bg_style_make(bg_style *b, uint32_t bg)
{
    synth_rng r;
    synth_rng_seed(&r, 0xB6B6B6ull, bg);
    memset(b, 0, sizeof *b);
    b->outdoor = bg % 3 == 2;
    b->floor_style = (int)synth_rng_below(&r, 4);
    b->wall_style = (int)synth_rng_below(&r, 4);
    b->half_x = (float)synth_rng_range(&r, 6.5, 9.0);
    b->half_z = (float)synth_rng_range(&r, 6.5, 9.0);
    b->ceiling = (float)synth_rng_range(&r, 2.7, 3.6);
    b->yaw = (float)synth_rng_range(&r, 0, 2 * M_PI);
    b->scale = (float)synth_rng_range(&r, 0.7, 1.4);
    b->seed = (uint32_t)synth_rng_u64(&r);
    rand_col(b->floor_a, &r, 0.25f, 0.75f, 0.5f);
    rand_col(b->floor_b, &r, 0.15f, 0.65f, 0.5f);
    rand_col(b->wall_a, &r, 0.45f, 0.9f, 0.35f);
    rand_col(b->wall_b, &r, 0.3f, 0.8f, 0.5f);
    if (b->outdoor) {
        static const float ground[4][2][3] = {
            { { 0.20f, 0.45f, 0.15f }, { 0.35f, 0.55f, 0.20f } },
            { { 0.76f, 0.68f, 0.48f }, { 0.66f, 0.56f, 0.38f } },
            { { 0.28f, 0.28f, 0.30f }, { 0.40f, 0.40f, 0.42f } },
            { { 0.88f, 0.90f, 0.94f }, { 0.78f, 0.82f, 0.90f } },
        };
        int g = b->floor_style;
        for (int k = 0; k < 3; k++) {
            float j = (float)synth_rng_range(&r, 0.85, 1.1);
            b->floor_a[k] = ground[g][0][k] * j;
            b->floor_b[k] = ground[g][1][k] * j;
        }
        float dusk = (float)synth_rng_unit(&r);
        float lo[3] = { 0.75f + 0.2f * dusk, 0.82f - 0.1f * dusk, 0.92f - 0.3f * dusk };
        float hi[3] = { 0.25f, 0.45f, 0.85f };
        memcpy(b->sky_lo, lo, sizeof lo);
        memcpy(b->sky_hi, hi, sizeof hi);
        rand_col(b->hill, &r, 0.25f, 0.5f, 0.4f);
        b->hill[1] += 0.1f;
    }
}

void synth_background_name(char *buf, size_t cap, uint32_t bg)
{
    bg_style b;
    bg_style_make(&b, bg);
    if (b.outdoor)
        snprintf(buf, cap, "outdoor-%s-%u", ground_styles[b.floor_style], bg);
    else
        snprintf(buf, cap, "room-%s-%s-%u", floor_styles[b.floor_style],
                 wall_styles[b.wall_style], bg);
}

static void mix3(float o[3], const float a[3], const float b[3], float t)
{
    for (int k = 0; k < 3; k++)
        o[k] = a[k] + (b[k] - a[k]) * t;
}

/* Texture of the floor or ground at world (x, z), before lighting. */
static void floor_color(float o[3], const bg_style *b, float x, float z)
{
    float n = fbm(x * 2.0f, z * 2.0f, b->seed);
    if (b->outdoor) {
        float m = fbm(x * 0.35f, z * 0.35f, b->seed + 7);
        mix3(o, b->floor_a, b->floor_b, m);
        float g = 0.8f + 0.4f * n;
        for (int k = 0; k < 3; k++) o[k] *= g;
        if (b->floor_style == 2 && fabsf(fmodf(fabsf(x), 3.0f) - 1.5f) < 0.06f &&
            fmodf(fabsf(z), 2.0f) < 1.0f)
            o[0] = o[1] = o[2] = 0.85f; /* painted lane marks */
        return;
    }
    float s = b->scale;
    switch (b->floor_style) {
    case 0: { /* wood planks along x, staggered joints */
        float pw = 0.18f * s;
        int row = (int)floorf(z / pw);
        float off = hashf(row, 0, b->seed) * 2.0f;
        int col = (int)floorf((x + off) / (1.2f * s));
        float t = hashf(row, col, b->seed + 3);
        mix3(o, b->floor_a, b->floor_b, t * 0.6f);
        float grain = 0.85f + 0.25f * vnoise(x * 14.0f, z * 1.5f + (float)row * 3.0f, b->seed);
        float edge = fmodf(z / pw - floorf(z / pw), 1.0f) < 0.06f ? 0.6f : 1.0f;
        for (int k = 0; k < 3; k++) o[k] *= grain * edge;
        break;
    }
    case 1: { /* checker tiles with grout */
        float tw = 0.5f * s;
        float fx = x / tw - floorf(x / tw), fz = z / tw - floorf(z / tw);
        int c = ((int)floorf(x / tw) + (int)floorf(z / tw)) & 1;
        mix3(o, b->floor_a, b->floor_b, c ? 1.0f : 0.0f);
        if (fx < 0.04f || fz < 0.04f) o[0] = o[1] = o[2] = 0.55f;
        for (int k = 0; k < 3; k++) o[k] *= 0.92f + 0.12f * n;
        break;
    }
    case 2: /* carpet */
        mix3(o, b->floor_a, b->floor_b, 0.3f * n);
        for (int k = 0; k < 3; k++) o[k] *= 0.8f + 0.35f * vnoise(x * 40.0f, z * 40.0f, b->seed + 5);
        break;
    default: { /* irregular stone slabs */
        float cell = vnoise(x * 1.3f, z * 1.3f, b->seed + 9);
        mix3(o, b->floor_a, b->floor_b, floorf(cell * 4.0f) / 4.0f);
        for (int k = 0; k < 3; k++) o[k] *= 0.85f + 0.25f * n;
        break;
    }
    }
}

/* Texture of a wall at horizontal coordinate s and height y. */
static void wall_color(float o[3], const bg_style *b, float s, float y)
{
    float n = fbm(s * 3.0f, y * 3.0f, b->seed + 11);
    if (y < 0.12f) { /* skirting board */
        o[0] = o[1] = o[2] = 0.9f * b->wall_b[0] + 0.1f;
        return;
    }
    switch (b->wall_style) {
    case 1: /* vertical stripes */
        mix3(o, b->wall_a, b->wall_b, fmodf(fabsf(s) / (0.25f * b->scale), 1.0f) < 0.5f ? 0.0f : 0.35f);
        break;
    case 2: { /* bricks */
        float bh = 0.08f * b->scale, bw = 0.24f * b->scale;
        int row = (int)floorf(y / bh);
        float ss = s + (row & 1) * bw * 0.5f;
        float fy = y / bh - floorf(y / bh), fx = ss / bw - floorf(ss / bw);
        mix3(o, b->wall_b, b->wall_a, 0.3f * hashf((int)floorf(ss / bw), row, b->seed));
        if (fy < 0.1f || fx < 0.05f) o[0] = o[1] = o[2] = 0.75f;
        break;
    }
    case 3: /* wood panels to dado height, paint above */
        if (y < 1.0f) {
            mix3(o, b->wall_b, b->floor_b, 0.5f);
            if (fmodf(fabsf(s), 0.6f) < 0.03f) for (int k = 0; k < 3; k++) o[k] *= 0.6f;
        } else {
            memcpy(o, b->wall_a, sizeof(float) * 3);
        }
        break;
    default:
        memcpy(o, b->wall_a, sizeof(float) * 3);
        break;
    }
    for (int k = 0; k < 3; k++) o[k] *= 0.93f + 0.1f * n;
    /* a framed picture on some walls, for landmarks */
    float ps = fmodf(fabsf(s) + 1.0f, 4.5f);
    if (ps > 1.0f && ps < 2.1f && y > 1.3f && y < 2.1f) {
        float pin = hashf((int)floorf((fabsf(s) + 1.0f) / 4.5f), 0, b->seed + 21);
        if (pin < 0.5f) {
            int frame = ps < 1.06f || ps > 2.04f || y < 1.36f || y > 2.04f;
            float v = frame ? 0.15f : 0.3f + 0.6f * vnoise(s * 5.0f, y * 5.0f, b->seed + 23);
            o[0] = v; o[1] = frame ? 0.12f : v * 0.8f; o[2] = frame ? 0.1f : 1.0f - v;
        }
    }
}

/* Colour and camera-z of the background along one world ray. */
static void shade_background(float col[3], float *z_world_t, int *on_floor, const bg_style *b,
                             const float C[3], const float d[3], const synth_clip *c)
{
    *z_world_t = INFINITY;
    *on_floor = 0;
    /* rooms are rotated in the world, so their walls are not aligned with
     * the actor's facing direction */
    float cyw = cosf(b->yaw), syw = sinf(b->yaw);
    float o[3] = { cyw * C[0] - syw * C[2], C[1], syw * C[0] + cyw * C[2] };
    float v[3] = { cyw * d[0] - syw * d[2], d[1], syw * d[0] + cyw * d[2] };
    if (b->outdoor) {
        if (v[1] < -1e-4f) {
            float t = -o[1] / v[1];
            if (t < 400.0f) {
                float x = o[0] + t * v[0], z = o[2] + t * v[2];
                floor_color(col, b, x, z);
                float lit = c->ambient + c->light * c->light_dir[1];
                /* haze towards the horizon */
                float haze = 1.0f - expf(-t / 120.0f);
                for (int k = 0; k < 3; k++) col[k] = col[k] * lit * (1 - haze) + b->sky_lo[k] * haze;
                *z_world_t = t;
                *on_floor = 1;
                return;
            }
        }
        float el = asinf(v[1] > 1 ? 1 : v[1]);
        float az = atan2f(v[0], v[2]);
        float hill = 0.04f + 0.03f * sinf(3 * az + (float)(b->seed % 7)) + 0.015f * sinf(7 * az + 1.3f);
        if (el < hill) {
            float sh = 0.8f + 0.2f * vnoise(az * 20.0f, el * 60.0f, b->seed);
            for (int k = 0; k < 3; k++) col[k] = (b->hill[k] * sh * 0.6f + b->sky_lo[k] * 0.4f);
            return;
        }
        float g = el < 0 ? 0 : sqrtf(el / 1.5708f);
        mix3(col, b->sky_lo, b->sky_hi, g);
        float cloud = fbm(v[0] / (v[1] + 0.1f) * 2.0f, v[2] / (v[1] + 0.1f) * 2.0f, b->seed + 31);
        cloud = cloud > 0.55f ? (cloud - 0.55f) * 2.2f : 0;
        for (int k = 0; k < 3; k++) col[k] = col[k] * (1 - cloud) + 0.97f * cloud;
        return;
    }
    /* room: the nearest of six planes seen from inside the box */
    float best = INFINITY;
    int face = -1;
    float tx = v[0] > 0 ? (b->half_x - o[0]) / v[0] : v[0] < 0 ? (-b->half_x - o[0]) / v[0] : INFINITY;
    float tz = v[2] > 0 ? (b->half_z - o[2]) / v[2] : v[2] < 0 ? (-b->half_z - o[2]) / v[2] : INFINITY;
    float ty = v[1] > 0 ? (b->ceiling - o[1]) / v[1] : v[1] < 0 ? -o[1] / v[1] : INFINITY;
    if (tx < best) { best = tx; face = 0; }
    if (tz < best) { best = tz; face = 1; }
    if (ty < best) { best = ty; face = v[1] > 0 ? 2 : 3; }
    float p[3] = { o[0] + best * v[0], o[1] + best * v[1], o[2] + best * v[2] };
    float n[3] = { 0, 0, 0 };
    switch (face) {
    case 0: wall_color(col, b, p[2] + (v[0] > 0 ? 50.0f : 0.0f), p[1]); n[0] = v[0] > 0 ? -1.f : 1.f; break;
    case 1: wall_color(col, b, p[0] + (v[2] > 0 ? 100.0f : 0.0f), p[1]); n[2] = v[2] > 0 ? -1.f : 1.f; break;
    case 2: col[0] = col[1] = col[2] = 0.85f; n[1] = -1; break;
    default: floor_color(col, b, p[0], p[2]); n[1] = 1; break;
    }
    /* light direction in the room's rotated frame */
    float ld[3] = { cyw * c->light_dir[0] - syw * c->light_dir[2], c->light_dir[1],
                    syw * c->light_dir[0] + cyw * c->light_dir[2] };
    float ndl = dot3(n, ld);
    float L = c->ambient + c->light * (ndl > 0 ? ndl : 0) + (face == 2 ? 0.3f : 0.0f);
    /* corners darker: a cheap ambient occlusion from the distance to the
     * nearest edge of the face */
    float ex = b->half_x - fabsf(p[0]), ez = b->half_z - fabsf(p[2]);
    float ey = p[1] < b->ceiling - p[1] ? p[1] : b->ceiling - p[1];
    float m = face == 0 ? fminf(ez, ey) : face == 1 ? fminf(ex, ey) : fminf(ex, ez);
    float ao = 1.0f - 0.35f * expf(-m * 2.5f);
    for (int k = 0; k < 3; k++) col[k] *= L * ao;
    *z_world_t = best;
    *on_floor = face == 3;
}

static inline uint8_t to_u8(float v)
{
    v = v * 255.0f + 0.5f;
    return v <= 0 ? 0 : v >= 255 ? 255 : (uint8_t)v;
}

static inline uint16_t to_mm(float z)
{
    float mm = z * 1000.0f + 0.5f;
    return (mm < 1.0f || mm > 65535.0f) ? 0 : (uint16_t)mm;
}

/* ---- scene ---- */

void synth_scene_free(synth_scene *s)
{
    if (!s) return;
    free(s->ray);
    free(s->bg_rgb);
    free(s->bg_depth);
    free(s->bg_z);
    free(s->zbuf);
    free(s->floor_xz);
    free(s);
}

void synth_scene_extrinsics(float R[9], float t[3], const synth_scene *s)
{
    memcpy(R, s->R, sizeof s->R);
    memcpy(t, s->t, sizeof s->t);
}

static void color_f(float o[3], const uint8_t c[3])
{
    for (int k = 0; k < 3; k++) o[k] = c[k] / 255.0f;
}

synth_scene *synth_scene_new(const synth_clip *c)
{
    synth_scene *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->c = *c;
    s->w = c->width;
    s->h = c->height;
    size_t np = (size_t)s->w * s->h;
    s->ray = malloc(np * 3 * sizeof(float));
    s->bg_rgb = malloc(np * 3);
    s->bg_depth = malloc(np * sizeof(uint16_t));
    s->bg_z = malloc(np * sizeof(float));
    s->zbuf = malloc(np * sizeof(float));
    s->floor_xz = malloc(np * 2 * sizeof(float));
    if (!s->ray || !s->bg_rgb || !s->bg_depth || !s->bg_z || !s->zbuf || !s->floor_xz) {
        synth_scene_free(s);
        return NULL;
    }

    /* camera on a sphere around the target; azimuth 0 is in front of the actor */
    float az = (c->facing_deg + c->azimuth_deg) * (float)(M_PI / 180.0);
    float el = c->elevation_deg * (float)(M_PI / 180.0);
    for (int k = 0; k < 3; k++) s->C[k] = c->target[k];
    s->C[0] += c->distance_m * cosf(el) * sinf(az);
    s->C[1] += c->distance_m * sinf(el);
    s->C[2] += c->distance_m * cosf(el) * cosf(az);
    float f[3] = { c->target[0] - s->C[0], c->target[1] - s->C[1], c->target[2] - s->C[2] };
    normalize3(f);
    float up[3] = { 0, 1, 0 }, r[3], d[3];
    cross3(r, f, up);
    normalize3(r);
    cross3(d, f, r);
    for (int k = 0; k < 3; k++) {
        s->R[k] = r[k];
        s->R[3 + k] = d[k];
        s->R[6 + k] = f[k];
    }
    rotate(s->t, s->R, s->C);
    for (int k = 0; k < 3; k++) s->t[k] = -s->t[k];
    rotate(s->light_cam, s->R, c->light_dir);
    rotate(s->up_cam, s->R, up);

    bg_style b;
    bg_style_make(&b, c->background);
    for (uint32_t v = 0; v < s->h; v++)
        for (uint32_t u = 0; u < s->w; u++) {
            size_t i = (size_t)v * s->w + u;
            float rc[3] = { ((float)u - c->cx) / c->fx, ((float)v - c->cy) / c->fy, 1.0f };
            normalize3(rc);
            memcpy(s->ray + i * 3, rc, sizeof rc);
            float rw[3]; /* R^T rc */
            for (int k = 0; k < 3; k++)
                rw[k] = s->R[k] * rc[0] + s->R[3 + k] * rc[1] + s->R[6 + k] * rc[2];
            float col[3], tw;
            int on_floor;
            shade_background(col, &tw, &on_floor, &b, s->C, rw, c);
            s->floor_xz[i * 2] = on_floor ? s->C[0] + tw * rw[0] : NAN;
            s->floor_xz[i * 2 + 1] = on_floor ? s->C[2] + tw * rw[2] : NAN;
            for (int k = 0; k < 3; k++) s->bg_rgb[i * 3 + k] = to_u8(col[k]);
            float z = tw * rc[2];
            uint16_t mm = isfinite(z) ? to_mm(z) : 0;
            s->bg_depth[i] = mm;
            /* a background beyond the depth range still hides nothing */
            s->bg_z[i] = isfinite(z) ? z : INFINITY;
        }

    s->nprims = synth_body_prims(s->prims, MAX_PRIMS, &c->actor);
    for (int j = 0; j < SYNTH_JOINTS; j++)
        s->joint_r[j] = synth_joint_radius(&c->actor, j);
    color_f(s->mat[SYNTH_MAT_SKIN], c->actor.skin);
    color_f(s->mat[SYNTH_MAT_HAIR], c->actor.hair);
    color_f(s->mat[SYNTH_MAT_SHIRT], c->actor.shirt);
    color_f(s->mat[SYNTH_MAT_PANTS], c->actor.pants);
    color_f(s->mat[SYNTH_MAT_SHOES], c->actor.shoes);
    color_f(s->shirt2, c->actor.shirt2);
    /* in shadow the floor keeps only its ambient light */
    float ly = c->light_dir[1] > 0 ? c->light_dir[1] : 0;
    s->shadow = c->ambient / (c->ambient + c->light * ly);
    return s;
}

/* The body's shadow on the floor: every capsule is projected along the
 * light onto y = 0, and each pixel that sees the floor is darkened by how
 * deep inside the nearest projected capsule its floor point lies (a 6 cm
 * penumbra). Only RGB changes; depth and masks are the geometry's. */
static void draw_shadow(uint8_t *rgb, const synth_scene *s, const float pw[SYNTH_POINTS][3])
{
    const synth_clip *c = &s->c;
    const float *L = c->light_dir;
    if (L[1] < 0.15f || s->shadow >= 0.99f) return;
    float seg[MAX_PRIMS][5];
    float x0 = INFINITY, x1 = -INFINITY, z0 = INFINITY, z1 = -INFINITY;
    for (size_t k = 0; k < s->nprims; k++) {
        const synth_prim *p = &s->prims[k];
        const float *A = pw[p->a], *B = pw[p->b];
        float ta = A[1] / L[1], tb = B[1] / L[1];
        float *q = seg[k];
        q[0] = A[0] - L[0] * ta; q[1] = A[2] - L[2] * ta;
        q[2] = B[0] - L[0] * tb; q[3] = B[2] - L[2] * tb;
        q[4] = p->radius;
        x0 = fminf(x0, fminf(q[0], q[2]) - q[4]); x1 = fmaxf(x1, fmaxf(q[0], q[2]) + q[4]);
        z0 = fminf(z0, fminf(q[1], q[3]) - q[4]); z1 = fmaxf(z1, fmaxf(q[1], q[3]) + q[4]);
    }
    const int W = (int)s->w, H = (int)s->h;
    int u0 = W, u1 = -1, v0 = H, v1 = -1;
    const float corners[4][2] = { { x0 - 0.05f, z0 - 0.05f }, { x1 + 0.05f, z0 - 0.05f },
                                  { x0 - 0.05f, z1 + 0.05f }, { x1 + 0.05f, z1 + 0.05f } };
    for (int k = 0; k < 4; k++) {
        float P[3], w3[3] = { corners[k][0], 0.0f, corners[k][1] };
        rotate(P, s->R, w3);
        for (int e = 0; e < 3; e++) P[e] += s->t[e];
        if (P[2] < 0.05f) { u0 = 0; u1 = W - 1; v0 = 0; v1 = H - 1; break; }
        float u = c->fx * P[0] / P[2] + c->cx, v = c->fy * P[1] / P[2] + c->cy;
        if (u < (float)u0) u0 = u < 0 ? 0 : (int)u;
        if (u > (float)u1) u1 = u > (float)(W - 1) ? W - 1 : (int)ceilf(u);
        if (v < (float)v0) v0 = v < 0 ? 0 : (int)v;
        if (v > (float)v1) v1 = v > (float)(H - 1) ? H - 1 : (int)ceilf(v);
    }
    const float pen = 0.03f, dark = 1.0f - s->shadow;
    for (int v = v0; v <= v1; v++)
        for (int u = u0; u <= u1; u++) {
            size_t i = (size_t)v * (size_t)W + (size_t)u;
            float fx = s->floor_xz[i * 2], fz = s->floor_xz[i * 2 + 1];
            if (isnan(fx) || fx < x0 - pen || fx > x1 + pen || fz < z0 - pen || fz > z1 + pen)
                continue;
            float best = INFINITY;
            for (size_t k = 0; k < s->nprims && best > -pen; k++) {
                const float *q = seg[k];
                float dx = q[2] - q[0], dz = q[3] - q[1], px = fx - q[0], pz = fz - q[1];
                float len2 = dx * dx + dz * dz;
                float h = len2 > 1e-12f ? (px * dx + pz * dz) / len2 : 0.0f;
                h = h < 0 ? 0 : h > 1 ? 1 : h;
                float ex = px - h * dx, ez = pz - h * dz;
                float d = sqrtf(ex * ex + ez * ez) - q[4];
                if (d < best) best = d;
            }
            if (best >= pen) continue;
            float k = best <= -pen ? 1.0f : (pen - best) / (2 * pen);
            float f = 1.0f - dark * k;
            uint8_t *o = rgb + i * 3;
            for (int e = 0; e < 3; e++) o[e] = (uint8_t)(o[e] * f + 0.5f);
        }
}

/* ---- frames ---- */

void synth_render_frame(synth_frame *f, synth_scene *s, uint32_t t)
{
    const synth_clip *c = &s->c;
    const uint32_t W = s->w, H = s->h;
    const size_t np = (size_t)W * H;
    float pw[SYNTH_POINTS][3], pc[SYNTH_POINTS][3];
    synth_motion_pose(pw, c, t);
    for (int i = 0; i < SYNTH_POINTS; i++) {
        rotate(pc[i], s->R, pw[i]);
        for (int k = 0; k < 3; k++) pc[i][k] += s->t[k];
    }

    memcpy(f->rgb, s->bg_rgb, np * 3);
    memcpy(f->depth, s->bg_depth, np * sizeof(uint16_t));
    memset(f->mask, 0, np);
    for (size_t i = 0; i < np; i++) s->zbuf[i] = INFINITY;
    draw_shadow(f->rgb, s, pw);

    /* body axes in the camera frame, for hair and shirt stripes */
    float bup[3], bleft[3], bfwd[3];
    for (int k = 0; k < 3; k++) {
        bup[k] = pc[12][k] - pc[0][k];
        bleft[k] = pc[16][k] - pc[17][k];
    }
    normalize3(bup);
    cross3(bfwd, bleft, bup);
    normalize3(bfwd);
    float hup[3], hfwd[3], hleft[3];
    for (int k = 0; k < 3; k++) hup[k] = pc[24][k] - pc[15][k];
    normalize3(hup);
    float bu = dot3(bfwd, hup);
    for (int k = 0; k < 3; k++) hfwd[k] = bfwd[k] - bu * hup[k];
    normalize3(hfwd);
    cross3(hleft, hup, hfwd);
    const float fs = c->actor.scale; /* face features scale with the body */

    const float amb = c->ambient, lig = c->light;
    for (size_t pi = 0; pi < s->nprims; pi++) {
        const synth_prim *p = &s->prims[pi];
        const float *A = pc[p->a], *B = pc[p->b];
        const float r = p->radius, r2 = r * r;
        float zmin = (A[2] < B[2] ? A[2] : B[2]) - r;
        if (zmin < 0.05f) continue; /* behind or touching the camera: never in our setups */
        float ua = c->fx * A[0] / A[2] + c->cx, va = c->fy * A[1] / A[2] + c->cy;
        float ub = c->fx * B[0] / B[2] + c->cx, vb = c->fy * B[1] / B[2] + c->cy;
        float rp = r * c->fx / zmin + 1.0f;
        int u0 = (int)floorf((ua < ub ? ua : ub) - rp), u1 = (int)ceilf((ua > ub ? ua : ub) + rp);
        int v0 = (int)floorf((va < vb ? va : vb) - rp), v1 = (int)ceilf((va > vb ? va : vb) + rp);
        if (u0 < 0) u0 = 0;
        if (v0 < 0) v0 = 0;
        if (u1 > (int)W - 1) u1 = (int)W - 1;
        if (v1 > (int)H - 1) v1 = (int)H - 1;
        if (u0 > u1 || v0 > v1) continue;

        float ba[3] = { B[0] - A[0], B[1] - A[1], B[2] - A[2] };
        float oa[3] = { -A[0], -A[1], -A[2] };
        float baba = dot3(ba, ba), baoa = dot3(ba, oa), oaoa = dot3(oa, oa);
        int sphere = baba < 1e-10f;
        float k0 = baba * oaoa - baoa * baoa - r2 * baba;
        float ob[3] = { -B[0], -B[1], -B[2] };
        float obob = dot3(ob, ob);
        const float *base = s->mat[p->material];
        int is_head = p->part == 15;
        int stripes = c->actor.striped && p->material == SYNTH_MAT_SHIRT &&
                      (p->part == 3 || p->part == 6 || p->part == 9);
        uint8_t label = (uint8_t)(p->part + 1);

        for (int v = v0; v <= v1; v++) {
            for (int u = u0; u <= u1; u++) {
                size_t i = (size_t)v * W + (size_t)u;
                const float *rd = s->ray + i * 3;
                float tt = -1, n[3];
                if (!sphere) {
                    float bard = dot3(ba, rd), rdoa = dot3(rd, oa);
                    float k2 = baba - bard * bard;
                    float k1 = baba * rdoa - baoa * bard;
                    float hh = k1 * k1 - k2 * k0;
                    if (hh < 0) continue;
                    float tb = (-k1 - sqrtf(hh)) / k2;
                    float y = baoa + tb * bard;
                    if (y > 0 && y < baba) {
                        tt = tb;
                        float yy = y / baba;
                        for (int k = 0; k < 3; k++) n[k] = (oa[k] + tt * rd[k] - ba[k] * yy) / r;
                    } else {
                        const float *oc = y <= 0 ? oa : ob;
                        float ococ = y <= 0 ? oaoa : obob;
                        float b1 = dot3(rd, oc), h1 = b1 * b1 - (ococ - r2);
                        if (h1 < 0) continue;
                        tt = -b1 - sqrtf(h1);
                        for (int k = 0; k < 3; k++) n[k] = (oc[k] + tt * rd[k]) / r;
                    }
                } else {
                    float b1 = dot3(rd, oa), h1 = b1 * b1 - (oaoa - r2);
                    if (h1 < 0) continue;
                    tt = -b1 - sqrtf(h1);
                    for (int k = 0; k < 3; k++) n[k] = (oa[k] + tt * rd[k]) / r;
                }
                if (tt <= 0) continue;
                float z = tt * rd[2];
                if (z >= s->zbuf[i]) continue;
                s->zbuf[i] = z;
                if (z >= s->bg_z[i]) continue;
                /* shade: ambient + Lambert, a touch of sky light from above */
                const float *col = base;
                float face = 1.0f;
                if (is_head && (dot3(n, hup) > 0.3f || dot3(n, bfwd) < -0.45f))
                    col = s->mat[SYNTH_MAT_HAIR];
                else if (is_head && dot3(n, hfwd) > 0.55f) {
                    /* eyes and mouth: enough to tell which way the face points */
                    float hp[3] = { tt * rd[0] - pc[15][0], tt * rd[1] - pc[15][1],
                                    tt * rd[2] - pc[15][2] };
                    float up = dot3(hp, hup) / fs, side = fabsf(dot3(hp, hleft)) / fs;
                    if (fabsf(up - 0.085f) < 0.012f && fabsf(side - 0.033f) < 0.013f)
                        face = 0.25f;
                    else if (fabsf(up - 0.035f) < 0.007f && side < 0.022f)
                        face = 0.6f;
                } else if (stripes) {
                    float hp[3] = { tt * rd[0] - pc[0][0], tt * rd[1] - pc[0][1], tt * rd[2] - pc[0][2] };
                    float h = dot3(hp, bup);
                    if (h - 0.09f * floorf(h / 0.09f) < 0.045f) col = s->shirt2;
                }
                float ndl = dot3(n, s->light_cam);
                float shade = amb + lig * (ndl > 0 ? ndl : 0) - 0.12f * dot3(n, s->up_cam);
                /* rim darkening gives limbs their roundness */
                float facing = -dot3(n, rd);
                shade *= (0.75f + 0.25f * facing) * face;
                uint8_t *o = f->rgb + i * 3;
                o[0] = to_u8(col[0] * shade);
                o[1] = to_u8(col[1] * shade);
                o[2] = to_u8(col[2] * shade);
                f->depth[i] = to_mm(z);
                f->mask[i] = label;
            }
        }
    }

    /* joints: 3D in camera frame, 2D projection, visibility */
    for (int j = 0; j < SYNTH_JOINTS; j++) {
        const float *P = pc[j];
        float u = c->fx * P[0] / P[2] + c->cx, v = c->fy * P[1] / P[2] + c->cy;
        f->pose3d[j * 3] = P[0];
        f->pose3d[j * 3 + 1] = P[1];
        f->pose3d[j * 3 + 2] = P[2];
        f->pose2d[j * 3] = u;
        f->pose2d[j * 3 + 1] = v;
        float vis = 0;
        int iu = (int)floorf(u + 0.5f), iv = (int)floorf(v + 0.5f);
        if (iu >= 0 && iv >= 0 && iu < (int)W && iv < (int)H) {
            size_t i = (size_t)iv * W + (size_t)iu;
            float zs = s->zbuf[i];
            /* visible when the surface seen at the joint's pixel is the body
             * within the joint's own radius of it, not a limb in front */
            float tol = s->joint_r[j] + 0.01f;
            if (f->mask[i] && fabsf(zs - P[2]) <= tol)
                vis = 1;
        }
        f->pose2d[j * 3 + 2] = vis;
    }
    if (f->body_z)
        for (size_t i = 0; i < np; i++)
            f->body_z[i] = isfinite(s->zbuf[i]) ? s->zbuf[i] : 0.0f;
}
