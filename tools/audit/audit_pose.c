/* audit_pose.c: per-clip pose features — the mean pose (what a still body
 * gives away), joint speeds in time order (what its motion gives), and the
 * geometry behind the viewpoint, visibility and framing checks. */
#include "audit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEG (180.0 / 3.14159265358979323846)

typedef struct pose_stream {
    uint32_t stream;
    unsigned joints, ch, dims;
    int conf;                  /* index of the confidence channel, -1 none */
    int skeleton;
    uint64_t frames;
} pose_stream;

/* The first pose stream of kind `kind` this audit can use. */
static int find_pose(pose_stream *out, const synapt_reader *r, uint64_t clip, int kind)
{
    synapt_clip_info ci;
    if (synapt_reader_clip(&ci, r, clip) != 0) return -1;
    for (uint32_t s = 0; s < ci.stream_count; s++) {
        synapt_stream_info si;
        if (synapt_reader_stream(&si, r, clip, s) != 0) continue;
        if (si.kind != kind || si.frame_count == 0 || si.ndim != 3) continue;
        unsigned j = (unsigned)si.shape[1], c = (unsigned)si.shape[2];
        unsigned dims = kind == SYNAPT_KIND_POSE3D ? 3 : 2;
        if (j < 2 || j > AUDIT_MAX_JOINTS || c < dims || c > 4) continue;
        out->stream = s;
        out->joints = j;
        out->ch = c;
        out->dims = dims;
        out->conf = c > dims ? (int)dims : -1;
        out->skeleton = si.skeleton;
        out->frames = si.frame_count;
        return 0;
    }
    return 1;
}

static uint64_t pose_sample(uint64_t frames, unsigned k)
{
    return (uint64_t)(((double)k + 0.5) * (double)frames / AUDIT_K);
}

/* Joint indices the geometry needs, by registry name; -1 when absent. */
typedef struct landmarks { int lhip, rhip, lsho, rsho; } landmarks;

static int joint_named(const synapt_skeleton_info *sk, const char *name)
{
    for (uint32_t j = 0; j < sk->joint_count; j++)
        if (strcmp(sk->joints[j], name) == 0) return (int)j;
    return -1;
}

static landmarks find_landmarks(int skeleton, unsigned joints)
{
    landmarks l = { -1, -1, -1, -1 };
    synapt_skeleton_info sk;
    if (synapt_skeleton_get(&sk, skeleton) != 0 || sk.joint_count != joints) return l;
    l.lhip = joint_named(&sk, "left_hip");
    l.rhip = joint_named(&sk, "right_hip");
    l.lsho = joint_named(&sk, "left_shoulder");
    l.rsho = joint_named(&sk, "right_shoulder");
    return l;
}

static int present(const float *f, unsigned dims)
{
    for (unsigned d = 0; d < dims; d++) if (!isfinite(f[d])) return 0;
    return 1;
}

static void cross(double o[3], const double a[3], const double b[3])
{
    o[0] = a[1] * b[2] - a[2] * b[1];
    o[1] = a[2] * b[0] - a[0] * b[2];
    o[2] = a[0] * b[1] - a[1] * b[0];
}

static double dot3(const double a[3], const double b[3]) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

static int unit(double v[3])
{
    double n = sqrt(dot3(v, v));
    if (!(n > 1e-9)) return -1;
    for (int i = 0; i < 3; i++) v[i] /= n;
    return 0;
}

/* Where the camera (the origin of a camera-frame 3D pose) stands around the
 * body: the body's up axis from hips to shoulders, its left from right hip
 * to left hip, its facing direction left x up. Azimuth: the angle from the
 * facing direction to the direction of the camera about the up axis;
 * elevation: the angle of the camera above the body's horizontal plane. */
static int view_angles(double *az, double *el, const float *f, unsigned ch, const landmarks *l)
{
    const float *lh = f + (size_t)l->lhip * ch, *rh = f + (size_t)l->rhip * ch;
    const float *ls = f + (size_t)l->lsho * ch, *rs = f + (size_t)l->rsho * ch;
    if (!present(lh, 3) || !present(rh, 3) || !present(ls, 3) || !present(rs, 3)) return -1;
    double hip[3], up[3], left[3], face[3], cam[3], t[3];
    for (int d = 0; d < 3; d++) {
        hip[d] = (lh[d] + rh[d]) / 2.0;
        up[d] = (ls[d] + rs[d]) / 2.0 - hip[d];
        left[d] = lh[d] - rh[d];
        cam[d] = -hip[d];
    }
    if (unit(up) || unit(cam)) return -1;
    cross(face, left, up);
    if (unit(face)) return -1;
    *el = asin(fmax(-1.0, fmin(1.0, dot3(up, cam)))) * DEG;
    cross(t, face, cam);
    *az = atan2(dot3(up, t), dot3(face, cam) - dot3(face, up) * dot3(up, cam)) * DEG;
    return 0;
}

int audit_pose_features(audit_pose **out, const synapt_reader *r, uint64_t clip,
                        unsigned picture_w, unsigned picture_h)
{
    *out = NULL;
    pose_stream ps, p2;
    int has3 = find_pose(&ps, r, clip, SYNAPT_KIND_POSE3D) == 0;
    int has2 = find_pose(&p2, r, clip, SYNAPT_KIND_POSE2D) == 0;
    if (!has3 && !has2) return 0;
    if (!has3) ps = p2;
    size_t per = (size_t)ps.joints * ps.ch;
    float *fr = malloc(AUDIT_K * per * sizeof *fr);
    float *f2 = has2 ? malloc(AUDIT_K * (size_t)p2.joints * p2.ch * sizeof *f2) : NULL;
    audit_pose *o = calloc(1, sizeof *o);
    int ret = -1;
    if (!fr || (has2 && !f2) || !o) goto done;
    for (unsigned k = 0; k < AUDIT_K; k++)
        if (synapt_reader_read_pose(fr + k * per, per, r, clip, ps.stream,
                                    pose_sample(ps.frames, k), 1, 1) != 0)
            goto done;
    o->skeleton = ps.skeleton;
    o->joints = ps.joints;
    o->dims = ps.dims;
    landmarks lm = find_landmarks(ps.skeleton, ps.joints);

    /* per frame: the root (mid-hip, else the mean of the present joints)
     * and the body size (RMS distance of the joints from it) */
    double root[AUDIT_K][3], size = 0;
    int rooted[AUDIT_K];
    unsigned sized = 0;
    for (unsigned k = 0; k < AUDIT_K; k++) {
        const float *f = fr + k * per;
        double acc[3] = { 0 };
        unsigned cnt = 0;
        rooted[k] = 0;
        if (lm.lhip >= 0 && lm.rhip >= 0 && present(f + lm.lhip * ps.ch, ps.dims) &&
            present(f + lm.rhip * ps.ch, ps.dims)) {
            for (unsigned d = 0; d < ps.dims; d++)
                acc[d] = (f[lm.lhip * ps.ch + d] + f[lm.rhip * ps.ch + d]) / 2.0;
            cnt = 1;
        } else {
            for (unsigned j = 0; j < ps.joints; j++)
                if (present(f + j * ps.ch, ps.dims)) {
                    for (unsigned d = 0; d < ps.dims; d++) acc[d] += f[j * ps.ch + d];
                    cnt++;
                }
            for (unsigned d = 0; d < ps.dims; d++) acc[d] = cnt ? acc[d] / cnt : 0;
        }
        if (!cnt) continue;
        memcpy(root[k], acc, sizeof acc);
        rooted[k] = 1;
        double ss = 0;
        unsigned nj = 0;
        for (unsigned j = 0; j < ps.joints; j++) {
            const float *p = f + j * ps.ch;
            if (!present(p, ps.dims)) continue;
            for (unsigned d = 0; d < ps.dims; d++) ss += (p[d] - acc[d]) * (p[d] - acc[d]);
            nj++;
        }
        if (nj > 1) { size += sqrt(ss / nj); sized++; }
    }
    if (!sized || !(size / sized > 1e-9)) {
        /* no body in any sampled frame: nothing to describe */
        free(o);
        o = NULL;
        ret = 0;
        goto done;
    }
    size /= sized;

    unsigned seen[AUDIT_MAX_JOINTS] = { 0 };
    for (unsigned k = 0; k < AUDIT_K; k++) {
        if (!rooted[k]) continue;
        const float *f = fr + k * per;
        for (unsigned j = 0; j < ps.joints; j++) {
            const float *p = f + j * ps.ch;
            if (!present(p, ps.dims)) continue;
            for (unsigned d = 0; d < ps.dims; d++)
                o->mean[j * 3 + d] += (float)((p[d] - root[k][d]) / size);
            seen[j]++;
        }
    }
    for (unsigned j = 0; j < ps.joints; j++)
        for (unsigned d = 0; d < 3; d++) o->mean[j * 3 + d] = seen[j] ? o->mean[j * 3 + d] / seen[j] : 0;

    double esum = 0;
    unsigned en = 0;
    for (unsigned k = 1; k < AUDIT_K; k++) {
        const float *a = fr + (k - 1) * per, *b = fr + k * per;
        for (unsigned j = 0; j < ps.joints; j++) {
            const float *pa = a + j * ps.ch, *pb = b + j * ps.ch;
            if (!present(pa, ps.dims) || !present(pb, ps.dims)) continue;
            double dd = 0;
            for (unsigned d = 0; d < ps.dims; d++) dd += (pb[d] - pa[d]) * (pb[d] - pa[d]);
            double v = sqrt(dd) / size;
            o->vel[(k - 1) * AUDIT_MAX_JOINTS + j] = (float)v;
            esum += v;
            en++;
        }
    }
    o->energy = en ? esum / en : NAN;

    o->azimuth = o->elevation = NAN;
    if (ps.dims == 3 && lm.lhip >= 0 && lm.rhip >= 0 && lm.lsho >= 0 && lm.rsho >= 0) {
        /* circular mean of the azimuths, plain mean of the elevations */
        double sx = 0, sy = 0, se = 0;
        unsigned nv = 0;
        for (unsigned k = 0; k < AUDIT_K; k++) {
            double az, el;
            if (view_angles(&az, &el, fr + k * per, ps.ch, &lm) != 0) continue;
            sx += cos(az / DEG);
            sy += sin(az / DEG);
            se += el;
            nv++;
        }
        if (nv) {
            o->azimuth = atan2(sy, sx) * DEG;
            o->elevation = se / nv;
        }
    }

    o->visible = o->framed = NAN;
    if (has2) {
        size_t per2 = (size_t)p2.joints * p2.ch;
        int ok = 1;
        for (unsigned k = 0; k < AUDIT_K && ok; k++)
            ok = synapt_reader_read_pose(f2 + k * per2, per2, r, clip, p2.stream,
                                         pose_sample(p2.frames, k), 1, 1) == 0;
        if (!ok) goto done;
        unsigned vis = 0, all = 0, in = 0, pres = 0;
        for (unsigned k = 0; k < AUDIT_K; k++)
            for (unsigned j = 0; j < p2.joints; j++) {
                const float *p = f2 + k * per2 + j * p2.ch;
                all++;
                if (p2.conf >= 0 && isfinite(p[p2.conf]) && p[p2.conf] > 0) vis++;
                if (!present(p, 2)) continue;
                pres++;
                in += p[0] >= 0 && p[1] >= 0 && p[0] < (float)picture_w && p[1] < (float)picture_h;
            }
        if (p2.conf >= 0 && all) o->visible = (double)vis / all;
        if (picture_w && picture_h && pres) o->framed = (double)in / pres;
    }
    *out = o;
    o = NULL;
    ret = 0;
done:
    free(fr);
    free(f2);
    free(o);
    return ret;
}
