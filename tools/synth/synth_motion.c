/* synth_motion.c - parametric actions for synapt-synth and the per-clip draw
 * of every generator parameter.
 *
 * Each action is a function of the cycle position u in [0, 1) (time times
 * the clip's speed over the class's natural period, plus the clip's phase)
 * that sets joint angles; forward kinematics then places the points and a
 * ground constraint keeps the soles on the floor. Joint angles are local
 * Euler angles applied as Ry(yaw) Rx(pitch) Rz(roll) in the parent's frame.
 * With the body frame x left, y up, z forward this means: hip or shoulder
 * flexion (limb forward) is a negative pitch, knee flexion a positive pitch,
 * elbow flexion a negative pitch, abduction of a left limb a positive roll
 * (negative for the right), and a forward lean of the trunk a positive pitch. */
#include "synth.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define DEG ((float)(M_PI / 180.0))
#define TAU 6.28318530717958647692f

static const struct {
    const char *name;
    float period;               /* seconds per cycle at speed 1 */
} classes[SYNTH_ACTION_COUNT] = {
    { "walk", 1.05f },          { "run", 0.72f },           { "jump", 1.25f },
    { "squat", 2.6f },          { "wave_one_hand", 0.45f }, { "wave_both_hands", 0.5f },
    { "clap", 0.48f },          { "punch", 1.3f },          { "kick", 1.6f },
    { "bend_down", 3.2f },      { "turn_around", 2.2f },    { "sit_down", 4.6f },
    { "arm_circles", 0.9f },    { "jumping_jacks", 1.0f },
};

/* A style changes how an action is performed, the same way for every
 * action: its tempo, its amplitude, a crouched or leaning posture. Style 0
 * is the action as it is, so the first 14 classes are what they always were. */
static const struct {
    const char *suffix;
    float tempo, amplitude;     /* multipliers of the cycle rate and of A */
    float crouch, lean;         /* added knee bend (0..1) and trunk lean, degrees */
} styles[SYNTH_STYLE_COUNT] = {
    { "", 1.0f, 1.0f, 0, 0 },                 { "_slow", 0.55f, 1.0f, 0, 0 },
    { "_fast", 1.8f, 1.0f, 0, 0 },            { "_crouched", 1.0f, 1.0f, 1, 0 },
    { "_leaning", 1.0f, 1.0f, 0, 22 },        { "_small", 1.0f, 0.5f, 0, 0 },
    { "_big", 1.0f, 1.45f, 0, 0 },            { "_slow_crouched", 0.55f, 1.0f, 1, 0 },
    { "_fast_leaning", 1.8f, 1.0f, 0, 22 },   { "_small_fast", 1.8f, 0.5f, 0, 0 },
    { "_big_slow", 0.55f, 1.45f, 0, 0 },
};

static char class_names[SYNTH_CLASS_COUNT][40];
static pthread_once_t class_names_once = PTHREAD_ONCE_INIT;

static void class_names_fill(void)
{
    for (uint32_t k = 0; k < SYNTH_CLASS_COUNT; k++)
        snprintf(class_names[k], sizeof class_names[k], "%s%s", classes[k % SYNTH_ACTION_COUNT].name,
                 styles[k / SYNTH_ACTION_COUNT].suffix);
}

const char *synth_class_name(uint32_t cls)
{
    if (cls >= SYNTH_CLASS_COUNT)
        return NULL;
    pthread_once(&class_names_once, class_names_fill);
    return class_names[cls];
}

uint64_t synth_config_clip_count(const synth_config *cfg)
{
    return (uint64_t)cfg->classes * cfg->clips_per_class;
}

int synth_config_check(const synth_config *cfg, char *err, size_t errsz)
{
    const char *why = NULL;
    if (cfg->classes < 1 || cfg->classes > SYNTH_CLASS_COUNT)
        why = "--classes must be 1..154";
    else if (cfg->clips_per_class < 1 || cfg->clips_per_class > 1000000)
        why = "--clips-per-class must be 1..1000000";
    else if (cfg->frames < 1 || cfg->frames > 100000)
        why = "--frames must be 1..100000";
    else if (cfg->width < 8 || cfg->height < 8 || cfg->width > SYNTH_MAX_SIDE ||
             cfg->height > SYNTH_MAX_SIDE)
        why = "--size must be between 8x8 and 4096x4096";
    else if (!(cfg->scene_bias >= 0.0 && cfg->scene_bias <= 1.0))
        why = "--scene-bias must be in [0, 1]";
    else if (!(cfg->view_bias >= 0.0 && cfg->view_bias <= 1.0))
        why = "--view-bias must be in [0, 1]";
    else if (cfg->actors < 1 || cfg->actors > 100000)
        why = "--actors must be 1..100000";
    else if (cfg->backgrounds < 1 || cfg->backgrounds > 1000)
        why = "--backgrounds must be 1..1000";
    else if (cfg->fps < 1 || cfg->fps > 1000)
        why = "--fps must be 1..1000";
    if (why) {
        snprintf(err, errsz, "%s", why);
        return -1;
    }
    return 0;
}

/* The azimuth range a class owns when --view-bias picks it: spread by the
 * golden angle so any number of classes get well separated ranges. */
static float class_azimuth(uint32_t cls) { return fmodf(37.0f + 137.508f * (float)cls, 360.0f); }

void synth_clip_make(synth_clip *out, const synth_config *cfg, uint64_t index)
{
    synth_rng r;
    memset(out, 0, sizeof *out);
    out->seed = cfg->seed;
    out->index = index;
    out->cls = (uint32_t)(index / cfg->clips_per_class);
    out->class_clip = (uint32_t)(index % cfg->clips_per_class);
    out->frames = cfg->frames;
    out->width = cfg->width;
    out->height = cfg->height;
    out->fps = cfg->fps;
    snprintf(out->id, sizeof out->id, "%s_%04u", synth_class_name(out->cls), out->class_clip);

    synth_rng_seed(&r, cfg->seed, index);
    /* Every value is drawn unconditionally and in a fixed order, so changing
     * one knob (a bias, the pool sizes) leaves the other parameters alone. */
    out->speed = (float)synth_rng_range(&r, 0.8, 1.25);
    out->amplitude = (float)synth_rng_range(&r, 0.8, 1.15);
    out->phase = (float)synth_rng_unit(&r);
    out->side = synth_rng_unit(&r) < 0.5 ? 1 : -1;
    out->facing_deg = (float)synth_rng_range(&r, 0.0, 360.0);
    uint32_t actor = synth_rng_below(&r, cfg->actors);
    double u_scene = synth_rng_unit(&r);
    uint32_t bg_random = synth_rng_below(&r, cfg->backgrounds);
    double u_view = synth_rng_unit(&r);
    double az_random = synth_rng_range(&r, 0.0, 360.0);
    double az_jitter = synth_rng_range(&r, -20.0, 20.0);
    out->elevation_deg = (float)synth_rng_range(&r, 0.0, 25.0);
    out->distance_m = (float)synth_rng_range(&r, 3.4, 5.6);
    double fill = synth_rng_range(&r, 0.72, 0.92);
    double light_az = synth_rng_range(&r, 0.0, 360.0);
    double light_el = synth_rng_range(&r, 30.0, 75.0);
    out->light = (float)synth_rng_range(&r, 0.45, 0.75);
    out->ambient = (float)synth_rng_range(&r, 0.30, 0.50);

    out->scene_biased = u_scene < cfg->scene_bias;
    out->background = out->scene_biased ? out->cls % cfg->backgrounds : bg_random;
    out->view_biased = u_view < cfg->view_bias;
    double az = out->view_biased ? class_azimuth(out->cls) + az_jitter : az_random;
    az = fmod(az + 360.0, 360.0);
    out->azimuth_deg = (float)az;
    out->view_bin = (int)(fmod(az + 22.5, 360.0) / 45.0);

    synth_actor_make(&out->actor, cfg->seed, actor);
    uint32_t key = cfg->split_by_actor ? actor : out->class_clip;
    out->split = (cfg->val_every > 1 && key % cfg->val_every == cfg->val_every - 1) ? "val" : "train";
    /* fit about 2.3 m (a raised arm, a jump) into the shorter image side */
    uint32_t side = cfg->width < cfg->height ? cfg->width : cfg->height;
    out->focal_px = (float)(fill * side * out->distance_m / 2.3);
    out->fx = out->fy = out->focal_px;
    out->cx = (float)(cfg->width - 1) * 0.5f;
    out->cy = (float)(cfg->height - 1) * 0.5f;
    out->target[0] = 0.0f;
    out->target[1] = 0.98f * out->actor.scale;
    out->target[2] = 0.0f;
    double la = light_az * M_PI / 180.0, le = light_el * M_PI / 180.0;
    out->light_dir[0] = (float)(cos(le) * sin(la));
    out->light_dir[1] = (float)sin(le);
    out->light_dir[2] = (float)(cos(le) * cos(la));
}

/* ---- pose description and forward kinematics ---- */

typedef struct pose {
    float rot[SYNTH_JOINTS][3];  /* pitch (x), yaw (y), roll (z), radians */
    float root_yaw;              /* extra turn of the whole body */
    float travel;                /* metres along the facing direction */
    float lift;                  /* metres the soles leave the floor */
    int plant;                   /* keep feet in place: 0 no, 1 both, 2 left, 3 right */
    int flat_feet;               /* cancel leg pitch at the ankle */
} pose;

static void euler(float m[9], float pitch, float yaw, float roll)
{
    float cx = cosf(pitch), sx = sinf(pitch), cy = cosf(yaw), sy = sinf(yaw);
    float cz = cosf(roll), sz = sinf(roll);
    /* Ry * Rx * Rz */
    m[0] = cy * cz + sy * sx * sz;  m[1] = -cy * sz + sy * sx * cz;  m[2] = sy * cx;
    m[3] = cx * sz;                 m[4] = cx * cz;                  m[5] = -sx;
    m[6] = -sy * cz + cy * sx * sz; m[7] = sy * sz + cy * sx * cz;   m[8] = cy * cx;
}

static void matmul(float o[9], const float a[9], const float b[9])
{
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            o[i * 3 + j] = a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] + a[i * 3 + 2] * b[6 + j];
}

static void forward_kinematics(float pts[SYNTH_POINTS][3], const pose *p, const synth_actor *a)
{
    float off[SYNTH_POINTS][3], rw[SYNTH_POINTS][9];
    synth_body_offsets(off, a);
    for (int i = 0; i < SYNTH_POINTS; i++) {
        float loc[9];
        if (i < SYNTH_JOINTS)
            euler(loc, p->rot[i][0], p->rot[i][1], p->rot[i][2]);
        else
            euler(loc, 0, 0, 0);
        int par = synth_point_parent[i];
        if (par < 0) {
            memcpy(rw[i], loc, sizeof loc);
            pts[i][0] = pts[i][1] = pts[i][2] = 0.0f;
            continue;
        }
        matmul(rw[i], rw[par], loc);
        const float *m = rw[par];
        for (int k = 0; k < 3; k++)
            pts[i][k] = pts[par][k] + m[k * 3] * off[i][0] + m[k * 3 + 1] * off[i][1] +
                        m[k * 3 + 2] * off[i][2];
    }
}

/* ---- timing helpers ---- */

static float clamp01(float x) { return x < 0 ? 0 : x > 1 ? 1 : x; }
static float smooth(float x) { x = clamp01(x); return x * x * (3 - 2 * x); }
/* 0 before a, 1 after b, eased between */
static float ramp(float u, float a, float b) { return smooth((u - a) / (b - a)); }
static float frac(float x) { return x - floorf(x); }
static float posf(float x) { return x > 0 ? x : 0; }

/* Set a leg from world-space angles: thigh flexion forward, knee flexion,
 * with the pelvis leaning `lean` forward (hip pitch compensates). */
static void leg(pose *p, int side, float thigh, float knee, float abduct, float lean)
{
    int hip = side > 0 ? 1 : 2, kn = side > 0 ? 4 : 5;
    p->rot[hip][0] = -thigh * DEG - lean * DEG;
    p->rot[hip][2] = (float)side * abduct * DEG;
    p->rot[kn][0] = knee * DEG;
}

/* Arm: flexion forward, abduction sideways, horizontal adduction towards
 * the midline, elbow flexion forward and elbow roll (raises a forearm of an
 * abducted arm). */
static void arm(pose *p, int side, float flex, float abduct, float adduct, float elbow,
                float elbow_roll)
{
    int sh = side > 0 ? 16 : 17, el = side > 0 ? 18 : 19;
    p->rot[sh][0] = -flex * DEG;
    p->rot[sh][1] = -(float)side * adduct * DEG;
    p->rot[sh][2] = (float)side * abduct * DEG;
    p->rot[el][0] = -elbow * DEG;
    p->rot[el][2] = (float)side * elbow_roll * DEG;
}

/* Trunk lean spread over pelvis and spine, `hips` of it at the pelvis. */
static void lean_trunk(pose *p, float deg, float hips)
{
    p->rot[0][0] += deg * hips * DEG;
    for (int j = 3; j <= 9; j += 3)
        p->rot[j][0] += deg * (1 - hips) / 3 * DEG;
}

static void action(pose *p, const synth_clip *c, float s /* seconds */)
{
    uint32_t act = c->cls % SYNTH_ACTION_COUNT, sty = c->cls / SYNTH_ACTION_COUNT;
    float A = c->amplitude * styles[sty].amplitude;
    float cyc = s * c->speed * styles[sty].tempo / classes[act].period + c->phase;
    float u = frac(cyc), ph = TAU * u;
    int S = c->side;
    float dur = (float)c->frames / (float)c->fps;
    p->plant = 1;
    p->flat_feet = 1;
    switch (act) {
    case 0: { /* walk */
        float sw = sinf(ph);
        leg(p, 1, 3 + 22 * A * sw, 5 + 50 * A * powf(posf(cosf(ph + 0.35f)), 2), 0, 0);
        leg(p, -1, 3 - 22 * A * sw, 5 + 50 * A * powf(posf(cosf(ph + 0.35f + (float)M_PI)), 2), 0, 0);
        arm(p, 1, -18 * A * sw, 6, 0, 15 + 12 * posf(-sw), 0);
        arm(p, -1, 18 * A * sw, 6, 0, 15 + 12 * posf(sw), 0);
        p->rot[0][1] = 4 * DEG * sw;
        p->rot[9][1] = -5 * DEG * sw;
        float v = 1.3f * c->speed * A, span = 1.6f;
        if (v * dur > span) v = span / dur;
        p->travel = v * (s - dur * 0.5f);
        p->plant = 0;
        break;
    }
    case 1: { /* run */
        float sw = sinf(ph);
        float kl = 25 + 80 * A * powf(posf(cosf(ph + 0.4f)), 2);
        float kr = 25 + 80 * A * powf(posf(cosf(ph + 0.4f + (float)M_PI)), 2);
        leg(p, 1, 12 + 38 * A * sw, kl, 0, 10);
        leg(p, -1, 12 - 38 * A * sw, kr, 0, 10);
        lean_trunk(p, 10, 1.0f);
        arm(p, 1, -35 * A * sw + 10, 10, 10, 85, 0);
        arm(p, -1, 35 * A * sw + 10, 10, 10, 85, 0);
        p->rot[9][1] = -8 * DEG * sw;
        p->lift = 0.06f * A * powf(fabsf(cosf(ph)), 3);
        float v = 3.0f * c->speed * A, span = 2.2f;
        if (v * dur > span) v = span / dur;
        p->travel = v * (s - dur * 0.5f);
        p->plant = 0;
        break;
    }
    case 2: { /* jump: crouch, take off, fly, land, recover */
        float crouch = ramp(u, 0.05f, 0.30f) - ramp(u, 0.30f, 0.40f) +
                       0.7f * (ramp(u, 0.70f, 0.78f) - ramp(u, 0.80f, 0.98f));
        float fly = (u > 0.40f && u < 0.70f) ? (u - 0.40f) / 0.30f : -1;
        float lean = 25 * crouch;
        leg(p, 1, 70 * A * crouch, 80 * A * crouch, 3, lean);
        leg(p, -1, 70 * A * crouch, 80 * A * crouch, 3, lean);
        lean_trunk(p, lean, 1.0f);
        float armflex = -45 * crouch + 150 * A * (ramp(u, 0.30f, 0.45f) - ramp(u, 0.55f, 0.80f));
        arm(p, 1, armflex + lean, 8, 0, 15, 0);
        arm(p, -1, armflex + lean, 8, 0, 15, 0);
        if (fly >= 0) {
            p->lift = 0.32f * A * 4 * fly * (1 - fly);
            p->rot[7][0] = p->rot[8][0] = 25 * DEG * sinf((float)M_PI * fly);
        }
        break;
    }
    case 3: { /* squat */
        float d = 0.5f - 0.5f * cosf(ph);
        d = smooth(d);
        float lean = 35 * d * A;
        leg(p, 1, 80 * A * d, 110 * A * d, 8, lean * 0.8f);
        leg(p, -1, 80 * A * d, 110 * A * d, 8, lean * 0.8f);
        lean_trunk(p, lean, 0.8f);
        arm(p, 1, 90 * d + lean + 5, 5, 8, 10, 0);
        arm(p, -1, 90 * d + lean + 5, 5, 8, 10, 0);
        break;
    }
    case 4: /* wave one hand */
    case 5: { /* wave both hands */
        float w = sinf(ph);
        arm(p, S, 10, 100 * A, 0, 0, 55 + 32 * A * w);
        if (act == 5)
            arm(p, -S, 10, 100 * A, 0, 0, 55 - 32 * A * w);
        else
            arm(p, -S, 4, 6, 0, 10, 0);
        p->rot[0][2] = -(float)S * 2 * DEG;
        p->rot[15][2] = (float)S * 4 * DEG * sinf(ph * 0.25f);
        break;
    }
    case 6: { /* clap: hands meet at the midline, sharp contact */
        float o = powf(0.5f + 0.5f * cosf(ph), 0.6f);
        /* 17 degrees of adduction brings the palms together at the midline */
        float add = 17 - 29 * A * (1 - o);
        arm(p, 1, 72, 0, add, 35 + 10 * o, 0);
        arm(p, -1, 72, 0, add, 35 + 10 * o, 0);
        break;
    }
    case 7: { /* punch: alternating straight punches from a guard */
        float half = frac(u * 2);
        int lead = u < 0.5f ? S : -S;
        float e = ramp(half, 0.0f, 0.14f) - ramp(half, 0.26f, 0.60f);
        e *= A;
        arm(p, lead, 45 + 45 * e, 10 - 5 * e, 22 - 12 * e, 125 - 120 * e, 0);
        arm(p, -lead, 45, 10, 22, 125, 0);
        p->rot[9][1] = -(float)lead * 16 * DEG * e;
        p->rot[6][1] = -(float)lead * 8 * DEG * e;
        leg(p, 1, 5, 14, 6, 0);
        leg(p, -1, 5, 14, 6, 0);
        break;
    }
    case 8: { /* kick: chamber, extend, retract, set down */
        float ch = ramp(u, 0.08f, 0.30f) - ramp(u, 0.55f, 0.78f);
        float ext = ramp(u, 0.30f, 0.40f) - ramp(u, 0.42f, 0.55f);
        leg(p, S, 80 * A * ch, 95 * ch * (1 - ext) + 4, 0, -10 * ch);
        leg(p, -S, 4, 12, 4, -10 * ch);
        lean_trunk(p, -10 * ch, 1.0f);
        arm(p, 1, 40, 18, 15, 110, 0);
        arm(p, -1, 40, 18, 15, 110, 0);
        p->plant = S > 0 ? 3 : 2;
        break;
    }
    case 9: { /* bend down to the floor and back */
        float b = (ramp(u, 0.05f, 0.40f) - ramp(u, 0.60f, 0.95f)) * A;
        float lean = 88 * b;
        lean_trunk(p, lean, 0.55f);
        leg(p, 1, 0, 14 * b, 4, lean * 0.55f);
        leg(p, -1, 0, 14 * b, 4, lean * 0.55f);
        arm(p, 1, lean + 8 * b, 6, 6, 10, 0);
        arm(p, -1, lean + 8 * b, 6, 6, 10, 0);
        p->rot[12][0] = -25 * DEG * b;
        break;
    }
    case 10: { /* turn around: half turns with small steps, a pause between */
        float turning = ramp(u, 0.0f, 0.65f);
        p->root_yaw = (floorf(cyc) + turning) * (float)M_PI * (S > 0 ? 1 : -1);
        float step = (u < 0.7f) ? sinf(TAU * u / 0.7f * 2) : 0;
        leg(p, 1, 18 * A * posf(step), 35 * A * posf(step), 3, 0);
        leg(p, -1, 18 * A * posf(-step), 35 * A * posf(-step), 3, 0);
        arm(p, 1, 8 * step, 8, 0, 20, 0);
        arm(p, -1, -8 * step, 8, 0, 20, 0);
        p->rot[15][1] = (float)S * 15 * DEG * (ramp(u, 0, 0.2f) - ramp(u, 0.5f, 0.8f));
        break;
    }
    case 11: { /* sit down (no chair is drawn) and stand up again */
        float st = ramp(u, 0.08f, 0.40f) - ramp(u, 0.60f, 0.92f);
        float lean = 10 * st + 120 * st * (1 - st) * A;
        leg(p, 1, 88 * st, 92 * st, 6, lean * 0.85f);
        leg(p, -1, 88 * st, 92 * st, 6, lean * 0.85f);
        lean_trunk(p, lean, 0.85f);
        arm(p, 1, 25 * st + 100 * st * (1 - st) + lean, 8, 5, 45 * st, 0);
        arm(p, -1, 25 * st + 100 * st * (1 - st) + lean, 8, 5, 45 * st, 0);
        break;
    }
    case 12: { /* arm circles, forward */
        arm(p, 1, 0, 88 + 26 * A * cosf(ph), 0, 4, 0);
        arm(p, -1, 0, 88 + 26 * A * cosf(ph), 0, 4, 0);
        p->rot[16][1] = 26 * A * DEG * sinf(ph);
        p->rot[17][1] = -26 * A * DEG * sinf(ph);
        break;
    }
    case 13: { /* jumping jacks */
        float o = 0.5f - 0.5f * cosf(ph);
        arm(p, 1, 5, 12 + 150 * A * o, 0, 8, 10 * o);
        arm(p, -1, 5, 12 + 150 * A * o, 0, 8, 10 * o);
        leg(p, 1, 4, 10 * (1 - o) + 8, 3 + 14 * A * o, 0);
        leg(p, -1, 4, 10 * (1 - o) + 8, 3 + 14 * A * o, 0);
        p->lift = 0.07f * A * powf(sinf(ph), 2);
        p->plant = 0;
        break;
    }
    default:
        break;
    }
    /* the style's posture on top of the action: knees bent with the hips
     * flexed to keep the trunk over the feet, or the trunk leaning forward
     * (the ground constraint keeps the soles on the floor) */
    if (styles[sty].crouch > 0) {
        float k = styles[sty].crouch;
        for (int j = 1; j <= 2; j++) p->rot[j][0] -= 28 * k * DEG;   /* hips */
        for (int j = 4; j <= 5; j++) p->rot[j][0] += 50 * k * DEG;   /* knees */
        for (int j = 7; j <= 8; j++) p->rot[j][0] -= 20 * k * DEG;   /* ankles */
        lean_trunk(p, 14 * k, 0.6f);
    }
    if (styles[sty].lean != 0) {
        /* the pelvis takes half the lean; the hips take it back so the
         * legs keep their world angles */
        lean_trunk(p, styles[sty].lean, 0.5f);
        for (int j = 1; j <= 2; j++) p->rot[j][0] -= styles[sty].lean * 0.5f * DEG;
    }
}

void synth_motion_pose(float pts[SYNTH_POINTS][3], const synth_clip *c, uint32_t t)
{
    pose p;
    memset(&p, 0, sizeof p);
    float s = (float)t / (float)c->fps;
    action(&p, c, s);
    /* life: breathing and a slow look around, so no two frames are rigid */
    float idle = (float)(c->index % 97) * 0.37f;
    p.rot[9][0] += 1.2f * DEG * sinf(TAU * 0.27f * s + idle);
    p.rot[15][1] += 5.0f * DEG * sinf(TAU * 0.13f * s + 1.7f * idle);
    p.rot[12][0] += 2.0f * DEG * sinf(TAU * 0.09f * s + idle);
    if (p.flat_feet)
        for (int side = 0; side < 2; side++) {
            int hip = 1 + side, kn = 4 + side, an = 7 + side;
            p.rot[an][0] -= p.rot[0][0] + p.rot[hip][0] + p.rot[kn][0];
        }
    /* the whole body turns about the vertical through the pelvis */
    forward_kinematics(pts, &p, &c->actor);

    /* the same stance with no action decides where feet are planted */
    float ref_x = 0, ref_z = 0, cur_x = 0, cur_z = 0;
    if (p.plant) {
        pose rest;
        float rp[SYNTH_POINTS][3];
        memset(&rest, 0, sizeof rest);
        forward_kinematics(rp, &rest, &c->actor);
        int a = p.plant == 3 ? 8 : 7, b = p.plant == 2 ? 7 : 8;
        ref_x = 0.5f * (rp[a][0] + rp[b][0]);
        ref_z = 0.5f * (rp[a][2] + rp[b][2]);
        cur_x = 0.5f * (pts[a][0] + pts[b][0]);
        cur_z = 0.5f * (pts[a][2] + pts[b][2]);
    }
    /* lowest sole point rests on the floor (plus any flight) */
    float ra = synth_joint_radius(&c->actor, 7), rf = synth_joint_radius(&c->actor, 10);
    float low = 1e9f;
    for (int j = 7; j <= 11; j++) {
        if (j == 9) continue;
        float y = pts[j][1] - (j < 9 ? ra : rf);
        if (y < low) low = y;
    }
    float yaw = c->facing_deg * DEG + p.root_yaw;
    float cy = cosf(yaw), sy = sinf(yaw);
    float fwd_x = sinf(c->facing_deg * DEG), fwd_z = cosf(c->facing_deg * DEG);
    for (int i = 0; i < SYNTH_POINTS; i++) {
        float x = pts[i][0] - (cur_x - ref_x), z = pts[i][2] - (cur_z - ref_z);
        pts[i][0] = cy * x + sy * z + fwd_x * p.travel;
        pts[i][1] = pts[i][1] - low + p.lift;
        pts[i][2] = -sy * x + cy * z + fwd_z * p.travel;
    }
}
