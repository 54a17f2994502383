/* synth.h - the procedural human-action generator behind synapt-synth.
 *
 * A clip is fully described by a synth_clip (drawn from the dataset config,
 * the seed and the clip index alone, so any clip can be regenerated without
 * the others). Rendering a clip is then a pure function of that struct:
 *
 *   synth_config cfg = SYNTH_CONFIG_INIT;     dataset-wide knobs
 *   synth_clip c;  synth_clip_make(&c, &cfg, index);
 *   synth_scene *s = synth_scene_new(&c);     camera rays + background, once
 *   for t in 0..frames-1:
 *       synth_render_frame(&frame, s, t);      RGB, depth, mask, 2D/3D joints
 *   synth_scene_free(s);
 *
 * Coordinates. World: metres, y up, floor at y = 0; the actor starts at the
 * origin. Body frame (SMPL's): x to the actor's left, y up, z forward; the
 * body is turned by the clip's facing_deg about y in the world.
 * Camera: OpenCV axes (x right, y down, z forward), pixel centres at integer
 * coordinates, so a camera point (X, Y, Z) projects to
 * u = fx X / Z + cx, v = fy Y / Z + cy.
 *
 * Everything here is deterministic: no global state, no time, no
 * thread-dependent arithmetic. Functions are thread-safe on distinct
 * objects. Every non-static symbol carries the synth_ prefix because every
 * helper in tools/ is linked into every tool. */
#ifndef SYNAPT_SYNTH_H
#define SYNAPT_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#define SYNTH_JOINTS      24   /* SMPL-24, order as spec/registry.md */
#define SYNTH_POINTS      29   /* joints + helper points the body surface needs */
#define SYNTH_ACTION_COUNT 14  /* actions implemented (walk ... jumping_jacks) */
#define SYNTH_STYLE_COUNT  11  /* ways to perform each: as is, slow, fast, crouched, ... */
/* classes: the 14 actions as they are, then the 14 slow, the 14 fast, ...
 * (class k is action k % 14 in style k / 14), enough for a SynAPT-sized
 * vocabulary of 150 */
#define SYNTH_CLASS_COUNT  (SYNTH_ACTION_COUNT * SYNTH_STYLE_COUNT)
#define SYNTH_MAX_SIDE    4096 /* largest width/height accepted */

/* ---- random numbers ---------------------------------------------------- */

/** A small, fast, seedable generator (xoshiro256** core). */
typedef struct synth_rng { uint64_t s[4]; } synth_rng;

/** Seed from two 64-bit values (dataset seed, stream id) via splitmix64. */
void     synth_rng_seed(synth_rng *r, uint64_t a, uint64_t b);
uint64_t synth_rng_u64(synth_rng *r);
/** Uniform in [0, 1). */
double   synth_rng_unit(synth_rng *r);
/** Uniform in [lo, hi). */
double   synth_rng_range(synth_rng *r, double lo, double hi);
/** Uniform integer in [0, n) (n >= 1). */
uint32_t synth_rng_below(synth_rng *r, uint32_t n);

/* ---- dataset configuration ---------------------------------------------- */

typedef struct synth_config {
    uint32_t classes;          /* 1..SYNTH_CLASS_COUNT, the first N of the class list */
    uint32_t clips_per_class;
    uint32_t frames;           /* per clip */
    uint32_t width, height;
    uint64_t seed;
    double scene_bias;         /* P(clip uses its class's own background) */
    double view_bias;          /* P(clip uses its class's own azimuth range) */
    uint32_t actors;           /* size of the actor pool (group "actor") */
    uint32_t backgrounds;      /* number of procedural backgrounds (group "scene") */
    uint32_t fps;              /* frames per second of the motion clock */
    uint32_t val_every;        /* clip k of a class is "val" when k % val_every == val_every-1
                                  (0 or 1: every clip "train") */
    int split_by_actor;        /* apply that rule to the actor id instead: cross-subject */
} synth_config;
#define SYNTH_CONFIG_INIT { 12, 20, 32, 112, 112, 1, 0.0, 0.0, 10, 16, 30, 5, 0 }

/** Number of clips in the dataset (classes * clips_per_class). */
uint64_t synth_config_clip_count(const synth_config *cfg);
/** Check ranges; returns 0 or -1 with a one-line reason in `err`. */
int synth_config_check(const synth_config *cfg, char *err, size_t errsz);

/* ---- actors (synth_body.c) ---------------------------------------------- */

typedef struct synth_actor {
    uint32_t id;
    float height;              /* metres, standing, top of head */
    float scale;               /* height / the 1.75 m reference body */
    float girth;               /* limb and torso radius factor */
    float shoulder;            /* shoulder width factor */
    float leg;                 /* leg length factor (relative to the trunk) */
    float arm;                 /* arm length factor */
    uint8_t skin[3], hair[3], shirt[3], shirt2[3], pants[3], shoes[3];
    int long_sleeves, shorts, striped;
} synth_actor;

/** Actor `id` of the pool, derived from (seed, id) only. */
void synth_actor_make(synth_actor *out, uint64_t seed, uint32_t id);

/* A body part primitive: a capsule between two points, radius in metres.
 * part is the SMPL part index 0..23 (the mask stores part + 1). */
typedef struct synth_prim { uint8_t a, b, part, material; float radius; } synth_prim;
enum { SYNTH_MAT_SKIN, SYNTH_MAT_HAIR, SYNTH_MAT_SHIRT, SYNTH_MAT_PANTS, SYNTH_MAT_SHOES };

/** The primitives of the body for an actor (fills up to `cap`, returns count). */
size_t synth_body_prims(synth_prim *out, size_t cap, const synth_actor *a);

/** Rest-pose offset of every point from its parent point (body frame,
 *  metres, scaled to the actor), and the parent table of all points. */
void synth_body_offsets(float off[SYNTH_POINTS][3], const synth_actor *a);
extern const int synth_point_parent[SYNTH_POINTS];
/** Radius of the body around joint j (largest primitive touching it). */
float synth_joint_radius(const synth_actor *a, int j);

/* ---- actions (synth_motion.c) ------------------------------------------- */

/** Class name ("walk", "walk_slow", ...), NULL when out of range. Static
 *  storage; thread-safe. */
const char *synth_class_name(uint32_t cls);

typedef struct synth_clip {
    uint64_t seed, index;
    uint32_t cls, class_clip;  /* class and the clip's number within it */
    uint32_t frames, width, height, fps;
    char id[64];
    const char *split;         /* "train" / "val" */
    /* motion */
    float speed, amplitude, phase;
    int side;                  /* +1 the left limb leads one-sided actions, -1 the right */
    float facing_deg;          /* actor yaw in the world */
    /* camera */
    float azimuth_deg;         /* camera around the actor, 0 = in front of it */
    float elevation_deg, distance_m, focal_px, fx, fy, cx, cy;
    float target[3];           /* world point the camera looks at */
    int view_biased, view_bin;
    /* scene */
    uint32_t background;
    int scene_biased;
    float light_dir[3];        /* world, unit, pointing towards the light */
    float light, ambient;
    synth_actor actor;
} synth_clip;

/** Draw clip `index` of the dataset. Pure function of (cfg, index). */
void synth_clip_make(synth_clip *out, const synth_config *cfg, uint64_t index);

/** World positions of all SYNTH_POINTS points at frame t (joints first). */
void synth_motion_pose(float pts[SYNTH_POINTS][3], const synth_clip *c, uint32_t t);

/* ---- rendering (synth_render.c) ----------------------------------------- */

/** Background name ("room-tiles-3"), kind "room" or "outdoor". */
const char *synth_background_kind(uint32_t bg);
void synth_background_name(char *buf, size_t cap, uint32_t bg);

typedef struct synth_scene synth_scene;

/** Build the per-clip state: camera, per-pixel rays, background image and
 *  depth. NULL on allocation failure. */
synth_scene *synth_scene_new(const synth_clip *c);
void synth_scene_free(synth_scene *s);
/** World-to-camera rotation (row-major) and translation: Xc = R Xw + t. */
void synth_scene_extrinsics(float R[9], float t[3], const synth_scene *s);

/** One rendered frame. Buffers are owned by the caller: rgb W*H*3, depth
 *  W*H (millimetres, 0 = nothing within range), mask W*H (0 background,
 *  1..24 part + 1). pose2d is (24, 3) x, y, visible; pose3d (24, 3) metres. */
typedef struct synth_frame {
    uint8_t *rgb;
    uint16_t *depth;
    uint8_t *mask;
    float pose2d[SYNTH_JOINTS * 3];
    float pose3d[SYNTH_JOINTS * 3];
    float *body_z;             /* optional W*H: body-only camera z (0 = none) */
} synth_frame;

/** Render frame t of the scene's clip into `f`. Thread-safe on distinct
 *  scenes; the scene is read-only here except for scratch space, so one
 *  scene must not render two frames at once. */
void synth_render_frame(synth_frame *f, synth_scene *s, uint32_t t);

/* ---- output (synth_out.c) ----------------------------------------------- */

typedef struct synth_output_options {
    const char *path;          /* .synapt file, or the folder for layout dir */
    int layout_dir;            /* 0: one .synapt file; 1: SURREACT-like folder */
    int rgb_h264;              /* 1: RGB as H.264 (gop below); 0: raw u8 images */
    uint32_t gop;              /* keyframe interval of encoded RGB */
    int crf;                   /* H.264 quality (lower is better) */
    uint32_t threads;          /* render workers (>= 1) */
    int progress;              /* show a progress bar (terminal only) */
    uint32_t shard_k, shard_n; /* only clips with xxh3(id) % n == k (synapt-pack's
                                  rule); n 0 or 1 = every clip */
    int depth_codec;           /* CLI_DEPTH_ value: ANS compression 3 (format 1.2), MED
                                  depth_med only (any 1.x reader); else the default */
} synth_output_options;
#define SYNTH_OUTPUT_OPTIONS_INIT { NULL, 0, 1, 16, 18, 1, 0, 0, 0, 0 }

/** Whether the clip `id` is in shard k of n (xxh3(id) % n == k, the rule
 *  of synapt-pack --shard); always 1 when n <= 1. */
int synth_in_shard(const char *id, uint32_t k, uint32_t n);
/** How many clips of `cfg` are in shard k of n. */
uint64_t synth_shard_clip_count(const synth_config *cfg, uint32_t k, uint32_t n);

/** Generate the whole dataset. Returns 0, or -1 with a one-line message
 *  (naming the file and clip) in `err`. Output is byte-identical for a
 *  given config whatever the thread count, and each clip of a shard is
 *  byte-identical to the same clip of the whole run (the shards of one
 *  config partition its clips). An empty `err` after -1 means
 *  the message was already printed (the output path was refused). */
int synth_generate(const synth_config *cfg, const synth_output_options *o,
                   char *err, size_t errsz);

/** The clip's metadata JSON object: "camera" (intrinsics fx fy cx cy, the
 *  world-to-camera R and t, image size) and "synth" (every generator
 *  parameter). malloc'd text, NULL on allocation failure. */
char *synth_clip_meta_json(const synth_clip *c, const float R[9], const float t[3]);

/** Group values of a clip: actor "actor07", scene "bg03", view "view2". */
void synth_clip_groups(char actor[32], char scene[32], char view[32], const synth_clip *c);

#endif
