/* audit_view.c: pose and viewpoint — where the cameras stand around the
 * bodies, how much the bodies move, how much of them is seen and framed,
 * how varied the poses are. */
#include "audit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AZ_BINS 8
#define ANGLE_BINS 12
#define PROTOTYPES 16

static double norm_entropy(const double *counts, size_t k)
{
    return k > 1 ? audit_entropy(counts, k) / log((double)k) : NAN;
}

/* mean of a pose field over the clips that have it */
static double mean_of(const audit_dataset *ds, size_t off, size_t *n)
{
    double s = 0;
    *n = 0;
    for (size_t i = 0; i < ds->n; i++) {
        const audit_pose *p = ds->clips[i].pose;
        if (!p) continue;
        double v = *(const double *)(const void *)((const char *)p + off);
        if (!isfinite(v)) continue;
        s += v;
        (*n)++;
    }
    return *n ? s / (double)*n : NAN;
}

/* Joint angles of the mean poses: at every joint with a parent and a
 * grandparent, the angle between the bones to them, binned in 15 degree
 * steps; the normalised entropy per joint, averaged over joints. */
static double angle_entropy(const audit_dataset *ds, int skeleton, unsigned joints, size_t *used)
{
    synapt_skeleton_info sk;
    *used = 0;
    if (synapt_skeleton_get(&sk, skeleton) != 0 || sk.joint_count != joints) return NAN;
    double sum = 0;
    unsigned nj = 0;
    for (unsigned j = 0; j < joints; j++) {
        int par = sk.parents[j];
        if (par < 0 || sk.parents[par] < 0) continue;
        int gp = sk.parents[par];
        double h[ANGLE_BINS] = { 0 };
        size_t cnt = 0;
        for (size_t i = 0; i < ds->n; i++) {
            const audit_pose *p = ds->clips[i].pose;
            if (!p || p->skeleton != skeleton || p->joints != joints) continue;
            double u[3], v[3], uu = 0, vv = 0, uv = 0;
            for (int d = 0; d < 3; d++) {
                u[d] = p->mean[j * 3 + d] - p->mean[par * 3 + d];
                v[d] = p->mean[gp * 3 + d] - p->mean[par * 3 + d];
                uu += u[d] * u[d];
                vv += v[d] * v[d];
                uv += u[d] * v[d];
            }
            if (!(uu > 1e-12) || !(vv > 1e-12)) continue;
            double ang = acos(fmax(-1.0, fmin(1.0, uv / sqrt(uu * vv))));
            int b = (int)(ang / 3.14159265358979323846 * ANGLE_BINS);
            h[b < ANGLE_BINS ? b : ANGLE_BINS - 1] += 1;
            cnt++;
        }
        if (cnt < 2) continue;
        sum += norm_entropy(h, ANGLE_BINS);
        nj++;
        if (cnt > *used) *used = cnt;
    }
    return nj ? sum / nj : NAN;
}

/* Seeded k-means (k-means++ start, 25 Lloyd rounds) of the mean poses of
 * one skeleton; the normalised entropy of how the clips fill the
 * prototypes. */
static int prototype_occupancy(double *out, double counts[PROTOTYPES], const audit_dataset *ds,
                               int skeleton, unsigned joints, uint64_t seed, size_t *used)
{
    size_t d = (size_t)joints * 3, n = 0;
    *out = NAN;
    for (size_t i = 0; i < ds->n; i++) {
        const audit_pose *p = ds->clips[i].pose;
        n += p && p->skeleton == skeleton && p->joints == joints;
    }
    *used = n;
    if (n < 2 * PROTOTYPES) return 0;
    const float **x = malloc(n * sizeof *x);
    double *cent = malloc(PROTOTYPES * d * sizeof *cent), *dmin = malloc(n * sizeof *dmin);
    double *acc = malloc(PROTOTYPES * d * sizeof *acc);
    int *asg = malloc(n * sizeof *asg);
    if (!x || !cent || !dmin || !acc || !asg) {
        free(x); free(cent); free(dmin); free(acc); free(asg);
        return -1;
    }
    n = 0;
    for (size_t i = 0; i < ds->n; i++) {
        const audit_pose *p = ds->clips[i].pose;
        if (p && p->skeleton == skeleton && p->joints == joints) x[n++] = p->mean;
    }
    uint64_t st = seed ^ 0x6b6d65616e73ull;
    size_t first = (size_t)(audit_rng_next(&st) % n);
    for (size_t c = 0; c < d; c++) cent[c] = x[first][c];
    for (size_t i = 0; i < n; i++) dmin[i] = INFINITY;
    for (unsigned k = 1; k < PROTOTYPES; k++) {
        double tot = 0;
        for (size_t i = 0; i < n; i++) {
            double s = 0;
            for (size_t c = 0; c < d; c++) { double t = x[i][c] - cent[(k - 1) * d + c]; s += t * t; }
            if (s < dmin[i]) dmin[i] = s;
            tot += dmin[i];
        }
        double pick = audit_rng_unit(&st) * tot;
        size_t at = n - 1;
        for (size_t i = 0; i < n; i++) { pick -= dmin[i]; if (pick < 0) { at = i; break; } }
        for (size_t c = 0; c < d; c++) cent[k * d + c] = x[at][c];
    }
    for (int round = 0; round < 25; round++) {
        memset(acc, 0, PROTOTYPES * d * sizeof *acc);
        memset(counts, 0, PROTOTYPES * sizeof *counts);
        for (size_t i = 0; i < n; i++) {
            double best = INFINITY;
            int bk = 0;
            for (int k = 0; k < PROTOTYPES; k++) {
                double s = 0;
                for (size_t c = 0; c < d; c++) { double t = x[i][c] - cent[k * d + c]; s += t * t; }
                if (s < best) { best = s; bk = k; }
            }
            asg[i] = bk;
            counts[bk] += 1;
            for (size_t c = 0; c < d; c++) acc[bk * d + c] += x[i][c];
        }
        for (int k = 0; k < PROTOTYPES; k++)
            if (counts[k] > 0)
                for (size_t c = 0; c < d; c++) cent[k * d + c] = acc[k * d + c] / counts[k];
    }
    *out = norm_entropy(counts, PROTOTYPES);
    free(x); free(cent); free(dmin); free(acc); free(asg);
    return 0;
}

int audit_check_view(audit_report *r, const audit_dataset *ds, const audit_options *opt)
{
    size_t withpose = 0;
    int skel = 0;
    unsigned joints = 0;
    for (size_t i = 0; i < ds->n; i++)
        if (ds->clips[i].pose) {
            if (!withpose) { skel = ds->clips[i].pose->skeleton; joints = ds->clips[i].pose->joints; }
            withpose++;
        }
    if (!withpose) return 0;

    /* camera azimuth around the body, 8 bins of 45 degrees centred on 0 */
    double az[AZ_BINS] = { 0 }, el = 0, el_min = INFINITY, el_max = -INFINITY;
    size_t nview = 0;
    for (size_t i = 0; i < ds->n; i++) {
        const audit_pose *p = ds->clips[i].pose;
        if (!p || !isfinite(p->azimuth)) continue;
        double a = fmod(p->azimuth + 360.0 + 22.5, 360.0);
        int b = (int)(a / 45.0);
        az[b < AZ_BINS ? b : AZ_BINS - 1] += 1;
        el += p->elevation;
        if (p->elevation < el_min) el_min = p->elevation;
        if (p->elevation > el_max) el_max = p->elevation;
        nview++;
    }
    if (nview) {
        audit_check *ch = audit_add_check(r, "view.azimuth_entropy", "Spread of camera azimuths around the body");
        if (!ch) return -1;
        snprintf(ch->method, sizeof ch->method, "normalised entropy H/ln 8 of the camera azimuth "
                 "around the body in 8 bins of 45 degrees (bin 0 = in front, -22.5..22.5), from "
                 "the 3D pose in camera coordinates: body up = mid-shoulder - mid-hip, left = "
                 "left hip - right hip, facing = left x up; azimuth = angle from facing to the "
                 "camera about up, circular mean over the sampled frames; 1 = every side equally "
                 "seen; flags below the threshold");
        ch->value = norm_entropy(az, AZ_BINS);
        ch->n = nview;
        ch->threshold = 0.5;
        ch->flag = ch->value < ch->threshold;
        audit_plot *p = audit_add_plot(r, "plot.azimuth", "Camera azimuth around the body (share of "
                                       "clips per 45 degree bin)", "azimuth (degrees, 0 = front, "
                                       "+ = body's left)", "share", AZ_BINS);
        if (!p) return -1;
        for (int b = 0; b < AZ_BINS; b++) {
            char name[16];
            snprintf(name, sizeof name, "%d", b <= AZ_BINS / 2 ? b * 45 : b * 45 - 360);
            p->names[b] = strdup(name);
            p->value[b] = az[b] / (double)nview;
        }
        p->ref = 1.0 / AZ_BINS;
        ch = audit_add_check(r, "view.elevation", "Camera elevation above the body (mean, degrees)");
        if (!ch) return -1;
        snprintf(ch->method, sizeof ch->method, "mean over clips of the camera's angle above the "
                 "plane normal to the body's up axis (asin(up . direction to the camera)), mean "
                 "over the sampled frames; details give min and max");
        ch->value = el / (double)nview;
        ch->n = nview;
        audit_buf d = { 0 };
        audit_buf_printf(&d, "{\"min\":");
        audit_buf_num(&d, el_min);
        audit_buf_printf(&d, ",\"max\":");
        audit_buf_num(&d, el_max);
        audit_buf_printf(&d, "}");
        ch->details = audit_take(&d);
    }

    size_t n;
    double v = mean_of(ds, offsetof(audit_pose, energy), &n);
    audit_check *ch = audit_add_check(r, "pose.motion_energy", "Motion energy (mean joint speed)");
    if (!ch) return -1;
    snprintf(ch->method, sizeof ch->method, "mean over clips of the mean joint speed between "
             "consecutive sampled frames, in body sizes (RMS joint distance from the mid-hip) per "
             "step; pose.csv gives it per clip");
    ch->value = v;
    ch->n = n;
    v = mean_of(ds, offsetof(audit_pose, visible), &n);
    if (n) {
        ch = audit_add_check(r, "pose.visibility", "Visible joints (share)");
        if (!ch) return -1;
        snprintf(ch->method, sizeof ch->method, "share of (sampled frame, joint) entries of the 2D "
                 "pose whose confidence/visibility channel is above 0, mean over clips");
        ch->value = v;
        ch->n = n;
    }
    v = mean_of(ds, offsetof(audit_pose, framed), &n);
    if (n) {
        ch = audit_add_check(r, "pose.framing", "Joints inside the picture (share)");
        if (!ch) return -1;
        snprintf(ch->method, sizeof ch->method, "share of the present 2D joints of the sampled "
                 "frames that lie inside the picture, mean over clips; flags below the threshold "
                 "(bodies cut by the frame edge)");
        ch->value = v;
        ch->n = n;
        ch->threshold = 0.9;
        ch->flag = v < ch->threshold;
    }
    size_t used;
    v = angle_entropy(ds, skel, joints, &used);
    if (isfinite(v)) {
        ch = audit_add_check(r, "pose.joint_angle_entropy", "Spread of joint angles");
        if (!ch) return -1;
        snprintf(ch->method, sizeof ch->method, "for each joint with a parent and a grandparent in "
                 "the skeleton registry, the angle between its two bones in each clip's mean pose, "
                 "in 12 bins of 15 degrees; normalised entropy H/ln 12 per joint, mean over joints; "
                 "clips of the first clip's skeleton");
        ch->value = v;
        ch->n = used;
    }
    double counts[PROTOTYPES];
    if (prototype_occupancy(&v, counts, ds, skel, joints, opt->seed, &used) != 0) return -1;
    if (isfinite(v)) {
        ch = audit_add_check(r, "pose.prototype_occupancy", "Pose-prototype occupancy");
        if (!ch) return -1;
        snprintf(ch->method, sizeof ch->method, "k-means (k = %d, k-means++ start, 25 rounds, seed "
                 "%llu) of the clips' mean poses; normalised entropy H/ln %d of the clip counts per "
                 "prototype: 1 = the poses spread evenly over the prototypes, low = a few poses "
                 "dominate; details give the counts", PROTOTYPES, (unsigned long long)opt->seed,
                 PROTOTYPES);
        ch->value = v;
        ch->n = used;
        audit_buf d = { 0 };
        audit_buf_printf(&d, "[");
        for (int k = 0; k < PROTOTYPES; k++) audit_buf_printf(&d, "%s%.0f", k ? "," : "", counts[k]);
        audit_buf_printf(&d, "]");
        ch->details = audit_take(&d);
    }

    audit_buf t = { 0 };
    audit_buf_printf(&t, "clip,split,class,azimuth_deg,elevation_deg,motion_energy,visible,framed\n");
    for (size_t i = 0; i < ds->n; i++) {
        const audit_clip *c = &ds->clips[i];
        if (!c->pose) continue;
        audit_buf_csv(&t, c->id);
        audit_buf_printf(&t, ",");
        audit_buf_csv(&t, c->split);
        audit_buf_printf(&t, ",");
        audit_buf_csv(&t, c->label >= 0 ? ds->classes[c->label] : "");
        const double f[5] = { c->pose->azimuth, c->pose->elevation, c->pose->energy,
                              c->pose->visible, c->pose->framed };
        for (int q = 0; q < 5; q++) { audit_buf_printf(&t, ","); audit_buf_num(&t, f[q]); }
        audit_buf_printf(&t, "\n");
    }
    return audit_add_table(r, "pose", &t);
}
