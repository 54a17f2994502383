/* skeleton.c - the skeleton registry: joint names and parent lists.
 *
 * These tables are part of the file format: a pose stream records only the
 * skeleton id, so joint j of a COCO-17 stream means the same joint in every
 * file forever. spec/registry.md lists the same tables and
 * tests/core/test_registry.c checks that the two agree, joint for joint.
 *
 * Every layout is a tree with exactly one root (parent -1). Where the source
 * convention is a graph without a designated root (COCO), the root chosen here
 * is documented in the registry; edges are those of the dataset's own
 * skeleton drawing, so the tree can be used to draw bones and to compute
 * bone vectors (child minus parent). */
#include <string.h>

#include "synapt.h"

static const char *const coco17_joints[] = {
    "nose", "left_eye", "right_eye", "left_ear", "right_ear",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
    "left_wrist", "right_wrist", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle",
};
static const int coco17_parents[] = {
    -1, 0, 0, 1, 2,
    0, 0, 5, 6,
    7, 8, 5, 6,
    11, 12, 13, 14,
};

static const char *const body25_joints[] = {
    "nose", "neck", "right_shoulder", "right_elbow", "right_wrist",
    "left_shoulder", "left_elbow", "left_wrist", "mid_hip",
    "right_hip", "right_knee", "right_ankle",
    "left_hip", "left_knee", "left_ankle",
    "right_eye", "left_eye", "right_ear", "left_ear",
    "left_big_toe", "left_small_toe", "left_heel",
    "right_big_toe", "right_small_toe", "right_heel",
};
static const int body25_parents[] = {
    1, 8, 1, 2, 3,
    1, 5, 6, -1,
    8, 9, 10,
    8, 12, 13,
    0, 0, 15, 16,
    14, 19, 14,
    11, 22, 11,
};

/* Kinect v2 joint order (NTU RGB+D numbers them 1..25; here 0..24).
 * Parents follow the Kinect SDK bone list: the thumb hangs off the wrist,
 * the hand tip off the hand. */
static const char *const ntu25_joints[] = {
    "spine_base", "spine_mid", "neck", "head",
    "left_shoulder", "left_elbow", "left_wrist", "left_hand",
    "right_shoulder", "right_elbow", "right_wrist", "right_hand",
    "left_hip", "left_knee", "left_ankle", "left_foot",
    "right_hip", "right_knee", "right_ankle", "right_foot",
    "spine_shoulder", "left_hand_tip", "left_thumb",
    "right_hand_tip", "right_thumb",
};
static const int ntu25_parents[] = {
    -1, 0, 20, 2,
    20, 4, 5, 6,
    20, 8, 9, 10,
    0, 12, 13, 14,
    0, 16, 17, 18,
    1, 7, 6,
    11, 10,
};

/* SMPL body joint order and kinematic tree (SURREAL, SURREACT, AMASS). */
static const char *const smpl24_joints[] = {
    "pelvis", "left_hip", "right_hip", "spine1",
    "left_knee", "right_knee", "spine2",
    "left_ankle", "right_ankle", "spine3",
    "left_foot", "right_foot", "neck",
    "left_collar", "right_collar", "head",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
    "left_wrist", "right_wrist", "left_hand", "right_hand",
};
static const int smpl24_parents[] = {
    -1, 0, 0, 0,
    1, 2, 3,
    4, 5, 6,
    7, 8, 9,
    9, 9, 12,
    13, 14, 16, 17,
    18, 19, 20, 21,
};

/* The 17-joint subset of Human3.6M's 32 joints used by most 3D pose work. */
static const char *const h36m17_joints[] = {
    "pelvis", "right_hip", "right_knee", "right_ankle",
    "left_hip", "left_knee", "left_ankle",
    "spine", "thorax", "neck_nose", "head",
    "left_shoulder", "left_elbow", "left_wrist",
    "right_shoulder", "right_elbow", "right_wrist",
};
static const int h36m17_parents[] = {
    -1, 0, 1, 2,
    0, 4, 5,
    0, 7, 8, 9,
    8, 11, 12,
    8, 14, 15,
};

/* OpenPose's older 18-keypoint COCO model, the layout of Kinetics-skeleton. */
static const char *const openpose18_joints[] = {
    "nose", "neck", "right_shoulder", "right_elbow", "right_wrist",
    "left_shoulder", "left_elbow", "left_wrist",
    "right_hip", "right_knee", "right_ankle",
    "left_hip", "left_knee", "left_ankle",
    "right_eye", "left_eye", "right_ear", "left_ear",
};
static const int openpose18_parents[] = {
    1, -1, 1, 2, 3,
    1, 5, 6,
    1, 8, 9,
    1, 11, 12,
    0, 0, 14, 15,
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define SKEL(id, name, tab) \
    { id, name, (uint32_t)N_OF(tab##_joints), tab##_joints, tab##_parents }

static const synapt_skeleton_info skeletons[] = {
    SKEL(SYNAPT_SKELETON_COCO17, "coco17", coco17),
    SKEL(SYNAPT_SKELETON_BODY25, "body25", body25),
    SKEL(SYNAPT_SKELETON_NTU25, "ntu25", ntu25),
    SKEL(SYNAPT_SKELETON_SMPL24, "smpl24", smpl24),
    SKEL(SYNAPT_SKELETON_H36M17, "h36m17", h36m17),
    SKEL(SYNAPT_SKELETON_OPENPOSE18, "openpose18", openpose18),
};

/* A mismatch between a name list and its parent list is a typo in this
 * file; catch it at compile time rather than in a test. */
_Static_assert(N_OF(coco17_joints) == 17 && N_OF(coco17_parents) == 17, "coco17");
_Static_assert(N_OF(body25_joints) == 25 && N_OF(body25_parents) == 25, "body25");
_Static_assert(N_OF(ntu25_joints) == 25 && N_OF(ntu25_parents) == 25, "ntu25");
_Static_assert(N_OF(smpl24_joints) == 24 && N_OF(smpl24_parents) == 24, "smpl24");
_Static_assert(N_OF(h36m17_joints) == 17 && N_OF(h36m17_parents) == 17, "h36m17");
_Static_assert(N_OF(openpose18_joints) == 18 && N_OF(openpose18_parents) == 18, "openpose18");

SYNAPT_API int synapt_skeleton_get(synapt_skeleton_info *out, int id)
{
    if (!out)
        return SYNAPT_E_INVALID_ARG;
    for (size_t i = 0; i < N_OF(skeletons); i++) {
        if (skeletons[i].id == id) {
            *out = skeletons[i];
            return SYNAPT_OK;
        }
    }
    memset(out, 0, sizeof *out);
    return SYNAPT_E_NOT_FOUND;
}

SYNAPT_API int synapt_skeleton_from_name(const char *name)
{
    if (!name)
        return 0;
    for (size_t i = 0; i < N_OF(skeletons); i++)
        if (strcmp(skeletons[i].name, name) == 0)
            return skeletons[i].id;
    return 0;
}
