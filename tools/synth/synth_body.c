/* synth_body.c - the articulated body of synapt-synth: SMPL-24 joints plus a
 * few helper points, capsule primitives per body part, and actor variation
 * (proportions, skin, hair and clothing colours). */
#include "synth.h"

#include <math.h>
#include <string.h>

/* ---- random numbers: xoshiro256** seeded through splitmix64 ---- */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void synth_rng_seed(synth_rng *r, uint64_t a, uint64_t b)
{
    /* mixing b through its own splitmix step first keeps (a, b) and (b, a)
     * apart, so clip 3 of seed 5 and clip 5 of seed 3 differ */
    uint64_t x = a, y = b ^ 0x5851F42D4C957F2Dull;
    uint64_t mixed = splitmix64(&x) ^ splitmix64(&y);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&mixed);
}

static inline uint64_t rotl(uint64_t v, int k) { return (v << k) | (v >> (64 - k)); }

uint64_t synth_rng_u64(synth_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t; s[3] = rotl(s[3], 45);
    return out;
}

double synth_rng_unit(synth_rng *r) { return (double)(synth_rng_u64(r) >> 11) * 0x1.0p-53; }
double synth_rng_range(synth_rng *r, double lo, double hi) { return lo + (hi - lo) * synth_rng_unit(r); }
uint32_t synth_rng_below(synth_rng *r, uint32_t n)
{
    return n <= 1 ? 0 : (uint32_t)(((synth_rng_u64(r) >> 32) * (uint64_t)n) >> 32);
}

/* ---- skeleton ---- */

/* SMPL-24 parents, then the helper points: 24 head top, 25/26 finger tips,
 * 27/28 left/right chest (the torso is wider than one spine capsule). */
const int synth_point_parent[SYNTH_POINTS] = {
    -1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19, 20, 21,
    15, 22, 23, 9, 9,
};

/* Rest offsets of a 1.75 m reference body standing with arms hanging
 * (x = body's left, y up, z forward). Columns: which factor scales the
 * point beyond the overall scale: 0 none, 1 leg, 2 arm, 3 shoulder width. */
static const float rest_offset[SYNTH_POINTS][4] = {
    {  0.000f,  0.000f,  0.000f, 0 }, /* pelvis */
    {  0.085f, -0.070f,  0.000f, 3 }, /* left hip */
    { -0.085f, -0.070f,  0.000f, 3 }, /* right hip */
    {  0.000f,  0.100f, -0.020f, 0 }, /* spine1 */
    {  0.005f, -0.400f,  0.005f, 1 }, /* left knee */
    { -0.005f, -0.400f,  0.005f, 1 }, /* right knee */
    {  0.000f,  0.130f,  0.010f, 0 }, /* spine2 */
    {  0.000f, -0.400f, -0.030f, 1 }, /* left ankle */
    {  0.000f, -0.400f, -0.030f, 1 }, /* right ankle */
    {  0.000f,  0.060f,  0.020f, 0 }, /* spine3 */
    {  0.010f, -0.050f,  0.120f, 0 }, /* left foot */
    { -0.010f, -0.050f,  0.120f, 0 }, /* right foot */
    {  0.000f,  0.210f, -0.020f, 0 }, /* neck */
    {  0.070f,  0.120f, -0.010f, 3 }, /* left collar */
    { -0.070f,  0.120f, -0.010f, 3 }, /* right collar */
    {  0.000f,  0.080f,  0.040f, 0 }, /* head */
    {  0.110f,  0.030f, -0.010f, 3 }, /* left shoulder */
    { -0.110f,  0.030f, -0.010f, 3 }, /* right shoulder */
    {  0.000f, -0.270f, -0.010f, 2 }, /* left elbow */
    {  0.000f, -0.270f, -0.010f, 2 }, /* right elbow */
    {  0.000f, -0.250f,  0.010f, 2 }, /* left wrist */
    {  0.000f, -0.250f,  0.010f, 2 }, /* right wrist */
    {  0.000f, -0.070f,  0.005f, 2 }, /* left hand */
    {  0.000f, -0.070f,  0.005f, 2 }, /* right hand */
    {  0.000f,  0.125f,  0.000f, 0 }, /* head top */
    {  0.000f, -0.080f,  0.010f, 2 }, /* left finger tips */
    {  0.000f, -0.080f,  0.010f, 2 }, /* right finger tips */
    {  0.070f,  0.010f,  0.010f, 3 }, /* left chest */
    { -0.070f,  0.010f,  0.010f, 3 }, /* right chest */
};

void synth_body_offsets(float off[SYNTH_POINTS][3], const synth_actor *a)
{
    for (int i = 0; i < SYNTH_POINTS; i++) {
        float f = a->scale;
        int which = (int)rest_offset[i][3];
        float fx = f, fy = f;
        if (which == 1) fy *= a->leg;
        else if (which == 2) fy *= a->arm;
        else if (which == 3) fx *= a->shoulder;
        off[i][0] = rest_offset[i][0] * fx;
        off[i][1] = rest_offset[i][1] * fy;
        off[i][2] = rest_offset[i][2] * f;
    }
}

/* Capsules of the reference body: part, end points, radius, material.
 * Shins and forearms change material with shorts and sleeves. */
static const struct { uint8_t part, a, b, mat; float r; } body_prims[] = {
    {  0,  1,  2, SYNTH_MAT_PANTS, 0.090f },
    {  1,  1,  4, SYNTH_MAT_PANTS, 0.075f },
    {  2,  2,  5, SYNTH_MAT_PANTS, 0.075f },
    {  3,  0,  3, SYNTH_MAT_SHIRT, 0.110f },
    {  4,  4,  7, SYNTH_MAT_PANTS, 0.055f },
    {  5,  5,  8, SYNTH_MAT_PANTS, 0.055f },
    {  6,  3,  6, SYNTH_MAT_SHIRT, 0.115f },
    {  7,  7, 10, SYNTH_MAT_SHOES, 0.040f },
    {  8,  8, 11, SYNTH_MAT_SHOES, 0.040f },
    {  9,  6,  9, SYNTH_MAT_SHIRT, 0.120f },
    {  9, 27, 28, SYNTH_MAT_SHIRT, 0.100f },
    { 10, 10, 10, SYNTH_MAT_SHOES, 0.047f },
    { 11, 11, 11, SYNTH_MAT_SHOES, 0.047f },
    { 12, 12, 15, SYNTH_MAT_SKIN,  0.050f },
    { 13, 13, 16, SYNTH_MAT_SHIRT, 0.060f },
    { 14, 14, 17, SYNTH_MAT_SHIRT, 0.060f },
    { 15, 15, 24, SYNTH_MAT_SKIN,  0.095f },
    { 16, 16, 18, SYNTH_MAT_SHIRT, 0.050f },
    { 17, 17, 19, SYNTH_MAT_SHIRT, 0.050f },
    { 18, 18, 20, SYNTH_MAT_SHIRT, 0.040f },
    { 19, 19, 21, SYNTH_MAT_SHIRT, 0.040f },
    { 20, 20, 22, SYNTH_MAT_SKIN,  0.035f },
    { 21, 21, 23, SYNTH_MAT_SKIN,  0.035f },
    { 22, 22, 25, SYNTH_MAT_SKIN,  0.028f },
    { 23, 23, 26, SYNTH_MAT_SKIN,  0.028f },
};
#define N_PRIMS (sizeof body_prims / sizeof body_prims[0])

size_t synth_body_prims(synth_prim *out, size_t cap, const synth_actor *a)
{
    size_t n = 0;
    for (size_t i = 0; i < N_PRIMS && n < cap; i++) {
        synth_prim p;
        p.part = body_prims[i].part;
        p.a = body_prims[i].a;
        p.b = body_prims[i].b;
        p.material = body_prims[i].mat;
        /* heads and hands vary less between people than waists and limbs */
        float g = (p.part == 15 || p.part >= 20) ? 1.0f + 0.3f * (a->girth - 1.0f) : a->girth;
        p.radius = body_prims[i].r * a->scale * g;
        if ((p.part == 18 || p.part == 19) && !a->long_sleeves)
            p.material = SYNTH_MAT_SKIN;
        if ((p.part == 4 || p.part == 5) && a->shorts)
            p.material = SYNTH_MAT_SKIN;
        out[n++] = p;
    }
    return n;
}

float synth_joint_radius(const synth_actor *a, int j)
{
    synth_prim p[32];
    size_t n = synth_body_prims(p, 32, a);
    float r = 0.0f;
    for (size_t i = 0; i < n; i++)
        if ((p[i].a == j || p[i].b == j) && p[i].radius > r)
            r = p[i].radius;
    return r;
}

/* ---- actors ---- */

static void hsv(uint8_t out[3], double h, double s, double v)
{
    double c = v * s, hp = fmod(h, 360.0) / 60.0, x = c * (1.0 - fabs(fmod(hp, 2.0) - 1.0));
    double r = 0, g = 0, b = 0;
    if (hp < 1) { r = c; g = x; } else if (hp < 2) { r = x; g = c; }
    else if (hp < 3) { g = c; b = x; } else if (hp < 4) { g = x; b = c; }
    else if (hp < 5) { r = x; b = c; } else { r = c; b = x; }
    double m = v - c;
    out[0] = (uint8_t)lround(255.0 * (r + m));
    out[1] = (uint8_t)lround(255.0 * (g + m));
    out[2] = (uint8_t)lround(255.0 * (b + m));
}

void synth_actor_make(synth_actor *out, uint64_t seed, uint32_t id)
{
    static const uint8_t skins[][3] = {
        { 255, 224, 196 }, { 241, 194, 160 }, { 224, 172, 130 }, { 198, 134, 96 },
        { 160, 102, 66 },  { 118, 76, 50 },   { 88, 56, 38 },
    };
    static const uint8_t hairs[][3] = {
        { 30, 24, 20 }, { 70, 46, 30 }, { 120, 84, 50 }, { 200, 170, 110 },
        { 150, 150, 150 }, { 100, 40, 20 },
    };
    synth_rng r;
    synth_rng_seed(&r, seed, 0xAC7000000ull + id);
    memset(out, 0, sizeof *out);
    out->id = id;
    out->height = (float)synth_rng_range(&r, 1.55, 1.92);
    out->scale = out->height / 1.75f;
    out->girth = (float)synth_rng_range(&r, 0.85, 1.30);
    out->shoulder = (float)synth_rng_range(&r, 0.88, 1.15);
    out->leg = (float)synth_rng_range(&r, 0.94, 1.06);
    out->arm = (float)synth_rng_range(&r, 0.94, 1.06);
    memcpy(out->skin, skins[synth_rng_below(&r, 7)], 3);
    memcpy(out->hair, hairs[synth_rng_below(&r, 6)], 3);
    double h = synth_rng_range(&r, 0, 360);
    hsv(out->shirt, h, synth_rng_range(&r, 0.2, 0.85), synth_rng_range(&r, 0.35, 0.95));
    hsv(out->shirt2, h + synth_rng_range(&r, 90, 270), synth_rng_range(&r, 0.1, 0.7),
        synth_rng_range(&r, 0.5, 1.0));
    hsv(out->pants, synth_rng_range(&r, 180, 260), synth_rng_range(&r, 0.05, 0.6),
        synth_rng_range(&r, 0.15, 0.6));
    hsv(out->shoes, synth_rng_range(&r, 0, 360), synth_rng_range(&r, 0.0, 0.4),
        synth_rng_range(&r, 0.1, 0.9));
    out->long_sleeves = synth_rng_unit(&r) < 0.5;
    out->shorts = synth_rng_unit(&r) < 0.25;
    out->striped = synth_rng_unit(&r) < 0.35;
}
