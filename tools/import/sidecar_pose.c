/* import_pose.c - pose sidecars into dense (frames, persons, joints, C)
 * float arrays: OpenPose JSON folders, Kinetics-skeleton JSON, NTU
 * .skeleton, .npy/.npz and HDF5 arrays, SURREAL .mat (see import.h). */
#include "import.h"

#include <inttypes.h>
#include "npy/npy.h"

#include <cJSON.h>
#include <dirent.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


static int layout_for(uint32_t c, int want3d)
{
    if (want3d)
        return c == 3 ? SYNAPT_CHANNELS_XYZ : c == 4 ? SYNAPT_CHANNELS_XYZC : 0;
    return c == 2 ? SYNAPT_CHANNELS_XY : c == 3 ? SYNAPT_CHANNELS_XYC : 0;
}

/* Allocate a NaN-filled pose; checks the size against the caps. */
static int pose_alloc(import_pose *p, uint64_t frames, uint32_t persons, uint32_t joints,
                      uint32_t channels, const char *file, char *err, size_t errsz)
{
    memset(p, 0, sizeof *p);
    if (frames > IMPORT_MAX_FRAMES || persons > IMPORT_MAX_PERSONS || joints > IMPORT_MAX_JOINTS ||
        channels > 4 || channels == 0) {
        import_errf(err, errsz, file, 0,
                    "pose of %llu frames x %u persons x %u joints x %u values is outside the limits",
                    (unsigned long long)frames, persons, joints, channels);
        return SYNAPT_E_LIMIT;
    }
    uint64_t n = frames * persons * joints * channels;
    if (n > IMPORT_MAX_POSE_FLOATS) {
        import_errf(err, errsz, file, 0, "pose too large (%llu values)", (unsigned long long)n);
        return SYNAPT_E_LIMIT;
    }
    p->frames = frames;
    p->persons = persons;
    p->joints = joints;
    p->channels = channels;
    p->present = calloc(frames ? frames : 1, sizeof *p->present);
    p->data = malloc((n ? n : 1) * sizeof *p->data);
    if (!p->present || !p->data) {
        import_pose_free(p);
        import_errf(err, errsz, file, 0, "out of memory");
        return SYNAPT_E_NOMEM;
    }
    for (uint64_t i = 0; i < n; i++)
        p->data[i] = NAN;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static cJSON *json_file(const char *path, char *err, size_t errsz, int *rc)
{
    char *buf = NULL;
    size_t len;
    *rc = import_read_file(&buf, &len, path, 256u << 20, err, errsz);
    if (*rc)
        return NULL;
    uint64_t line;
    char why[256];
    cJSON *j = import_json_parse(buf, len, &line, why, sizeof why);
    free(buf);
    if (!j) {
        import_errf(err, errsz, path, line, "%s", why);
        *rc = SYNAPT_E_INPUT;
    }
    return j;
}

/* A JSON array of exactly n finite numbers into out[]. */
static int json_floats(float *out, const cJSON *a, size_t n)
{
    if (!cJSON_IsArray(a) || (size_t)cJSON_GetArraySize(a) != n)
        return -1;
    size_t i = 0;
    for (const cJSON *e = a->child; e; e = e->next, i++) {
        if (!cJSON_IsNumber(e) || !isfinite(e->valuedouble) || fabs(e->valuedouble) > 1e30)
            return -1;
        out[i] = (float)e->valuedouble;
    }
    return 0;
}

/* ---------------------------------------------------------------- OpenPose */

int import_openpose_read(import_pose *out, const char *dir, char *err, size_t errsz)
{
    memset(out, 0, sizeof *out);
    char **names = NULL;
    size_t n = 0, cap = 0;
    float **frames = NULL;
    uint32_t *counts = NULL;
    int rc = 0;
    uint32_t joints = 0, maxp = 0;
    /* one OpenPose file is a one-frame sidecar */
    char *single_dir = NULL;
    struct stat st;
    if (stat(dir, &st) == 0 && S_ISREG(st.st_mode)) {
        const char *sl = strrchr(dir, '/');
        single_dir = import_path_dir(dir);
        names = malloc(sizeof *names);
        if (!single_dir || !names || !(names[0] = strdup(sl ? sl + 1 : dir))) {
            free(single_dir);
            free(names);
            import_errf(err, errsz, dir, 0, "out of memory");
            return SYNAPT_E_NOMEM;
        }
        n = 1;
        dir = single_dir;
        goto parse;
    }
    DIR *d = opendir(dir);
    if (!d) {
        import_errf(err, errsz, dir, 0, "cannot open folder");
        return SYNAPT_E_IO;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 15 || strcmp(e->d_name + l - 15, "_keypoints.json") != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            char **nn = cap <= IMPORT_MAX_FRAMES ? realloc(names, cap * sizeof *nn) : NULL;
            if (!nn) {
                rc = SYNAPT_E_NOMEM;
                break;
            }
            names = nn;
        }
        if (!(names[n] = strdup(e->d_name))) {
            rc = SYNAPT_E_NOMEM;
            break;
        }
        n++;
    }
    closedir(d);
    if (rc)
        goto done;
    if (n == 0) {
        import_errf(err, errsz, dir, 0, "no *_keypoints.json files");
        rc = SYNAPT_E_INPUT;
        goto done;
    }
    /* OpenPose numbers frames with zero-padded counters: name order is time order */
    qsort(names, n, sizeof *names, cmp_str);
parse:
    frames = calloc(n, sizeof *frames);
    counts = calloc(n, sizeof *counts);
    if (!frames || !counts) {
        rc = SYNAPT_E_NOMEM;
        goto done;
    }
    for (size_t f = 0; f < n; f++) {
        char *fp = import_path_join(dir, names[f]);
        if (!fp) {
            rc = SYNAPT_E_NOMEM;
            goto done;
        }
        cJSON *j = json_file(fp, err, errsz, &rc);
        if (!j) {
            free(fp);
            goto done;
        }
        cJSON *people = cJSON_GetObjectItemCaseSensitive(j, "people");
        if (!cJSON_IsArray(people)) {
            import_errf(err, errsz, fp, 0, "no \"people\" array");
            rc = SYNAPT_E_INPUT;
        }
        size_t np = people ? (size_t)cJSON_GetArraySize(people) : 0;
        if (!rc && np > IMPORT_MAX_PERSONS) {
            import_errf(err, errsz, fp, 0, "%zu people exceed the limit of %u", np, IMPORT_MAX_PERSONS);
            rc = SYNAPT_E_LIMIT;
        }
        size_t pi = 0;
        for (cJSON *p = rc ? NULL : people->child; p && !rc; p = p->next, pi++) {
            cJSON *kp = cJSON_GetObjectItemCaseSensitive(p, "pose_keypoints_2d");
            size_t len = cJSON_IsArray(kp) ? (size_t)cJSON_GetArraySize(kp) : 0;
            if (joints == 0 && len % 3 == 0 && len > 0 && len / 3 <= IMPORT_MAX_JOINTS)
                joints = (uint32_t)(len / 3);
            if (!joints || len != (size_t)joints * 3) {
                import_errf(err, errsz, fp, 0,
                            "person %zu: pose_keypoints_2d must hold %u x,y,c triples", pi, joints ? joints : 25);
                rc = SYNAPT_E_INPUT;
                break;
            }
            if (!frames[f] && !(frames[f] = malloc(np * len * sizeof(float)))) {
                rc = SYNAPT_E_NOMEM;
                break;
            }
            if (json_floats(frames[f] + pi * len, kp, len)) {
                import_errf(err, errsz, fp, 0, "person %zu: keypoints must be finite numbers", pi);
                rc = SYNAPT_E_INPUT;
            }
        }
        counts[f] = (uint32_t)np;
        if (np > maxp)
            maxp = (uint32_t)np;
        cJSON_Delete(j);
        free(fp);
        if (rc)
            goto done;
    }
    if ((rc = pose_alloc(out, n, maxp, joints ? joints : 25, 3, dir, err, errsz)))
        goto done;
    out->layout = SYNAPT_CHANNELS_XYC;
    out->skeleton = out->joints == 25 ? SYNAPT_SKELETON_BODY25 :
                    out->joints == 18 ? SYNAPT_SKELETON_OPENPOSE18 : 0;
    size_t per = (size_t)out->joints * 3;
    for (size_t f = 0; f < n; f++) {
        out->present[f] = counts[f];
        if (counts[f])
            memcpy(out->data + f * maxp * per, frames[f], counts[f] * per * sizeof(float));
    }
done:
    if (rc == SYNAPT_E_NOMEM)
        import_errf(err, errsz, dir, 0, "out of memory");
    for (size_t f = 0; f < n; f++) {
        free(names[f]);
        if (frames)
            free(frames[f]);
    }
    free(names);
    free(frames);
    free(counts);
    free(single_dir);
    return rc;
}

/* ---------------------------------------------------------------- st-gcn JSON */

int import_kinetics_skeleton_read(import_pose *out, const char *path, char **label_out,
                                  char *err, size_t errsz)
{
    memset(out, 0, sizeof *out);
    if (label_out)
        *label_out = NULL;
    int rc;
    cJSON *j = json_file(path, err, errsz, &rc);
    if (!j)
        return rc;
    cJSON *data = cJSON_GetObjectItemCaseSensitive(j, "data");
    float *tmp = NULL;
    unsigned char *seen = NULL;
    if (!cJSON_IsArray(data)) {
        import_errf(err, errsz, path, 0, "no \"data\" array");
        rc = SYNAPT_E_INPUT;
        goto done;
    }
    /* pass 1: frame range, people per frame, joints per person */
    int64_t fmin = INT64_MAX, fmax = -1;
    uint32_t maxp = 0, joints = 0;
    size_t k = 0;
    for (cJSON *e = data->child; e; e = e->next, k++) {
        cJSON *fi = cJSON_GetObjectItemCaseSensitive(e, "frame_index");
        cJSON *sk = cJSON_GetObjectItemCaseSensitive(e, "skeleton");
        double v = cJSON_IsNumber(fi) ? fi->valuedouble : -1;
        if (v < 0 || v > IMPORT_MAX_FRAMES || v != (double)(int64_t)v || !cJSON_IsArray(sk)) {
            import_errf(err, errsz, path, 0,
                        "data[%zu]: needs an integer frame_index 0..%u and a skeleton array", k,
                        IMPORT_MAX_FRAMES);
            rc = SYNAPT_E_INPUT;
            goto done;
        }
        if ((int64_t)v < fmin)
            fmin = (int64_t)v;
        if ((int64_t)v > fmax)
            fmax = (int64_t)v;
        size_t np = (size_t)cJSON_GetArraySize(sk);
        if (np > IMPORT_MAX_PERSONS) {
            import_errf(err, errsz, path, 0, "data[%zu]: %zu people exceed the limit", k, np);
            rc = SYNAPT_E_LIMIT;
            goto done;
        }
        if (np > maxp)
            maxp = (uint32_t)np;
        for (cJSON *p = sk->child; p; p = p->next) {
            cJSON *pose = cJSON_GetObjectItemCaseSensitive(p, "pose");
            size_t len = cJSON_IsArray(pose) ? (size_t)cJSON_GetArraySize(pose) : 0;
            if (!joints && len >= 2 && len % 2 == 0 && len / 2 <= IMPORT_MAX_JOINTS)
                joints = (uint32_t)(len / 2);
        }
    }
    if (fmax < 0) {
        fmin = 0;
        fmax = -1;
    }
    /* st-gcn numbers frames from 1; keep that origin so frame t of the
     * video is row t - first_index */
    int64_t first = fmin == INT64_MAX ? 1 : (fmin < 1 ? fmin : 1);
    uint64_t nframes = fmax >= first ? (uint64_t)(fmax - first + 1) : 0;
    if ((rc = pose_alloc(out, nframes, maxp, joints ? joints : 18, 3, path, err, errsz)))
        goto done;
    out->first_index = first;
    out->layout = SYNAPT_CHANNELS_XYC;
    out->skeleton = out->joints == 18 ? SYNAPT_SKELETON_OPENPOSE18 :
                    out->joints == 25 ? SYNAPT_SKELETON_BODY25 : 0;
    uint32_t J = out->joints;
    tmp = malloc((size_t)J * 2 * sizeof *tmp + (size_t)J * sizeof *tmp);
    seen = calloc(nframes ? nframes : 1, 1);
    if (!tmp || !seen) {
        rc = SYNAPT_E_NOMEM;
        goto done;
    }
    k = 0;
    for (cJSON *e = data->child; e; e = e->next, k++) {
        uint64_t f = (uint64_t)((int64_t)cJSON_GetObjectItemCaseSensitive(e, "frame_index")->valuedouble - first);
        if (seen[f]++) {
            import_errf(err, errsz, path, 0, "data[%zu]: frame_index %lld appears twice", k,
                        (long long)(f + (uint64_t)first));
            rc = SYNAPT_E_INPUT;
            goto done;
        }
        cJSON *sk = cJSON_GetObjectItemCaseSensitive(e, "skeleton");
        uint32_t pi = 0;
        for (cJSON *p = sk->child; p; p = p->next, pi++) {
            float *xy = tmp, *sc = tmp + 2 * J;
            if (json_floats(xy, cJSON_GetObjectItemCaseSensitive(p, "pose"), 2 * J) ||
                json_floats(sc, cJSON_GetObjectItemCaseSensitive(p, "score"), J)) {
                import_errf(err, errsz, path, 0,
                            "data[%zu].skeleton[%u]: pose must hold %u numbers and score %u", k, pi,
                            2 * J, J);
                rc = SYNAPT_E_INPUT;
                goto done;
            }
            float *dst = out->data + ((f * out->persons + pi) * J) * 3;
            for (uint32_t q = 0; q < J; q++) {
                dst[q * 3] = xy[2 * q];
                dst[q * 3 + 1] = xy[2 * q + 1];
                dst[q * 3 + 2] = sc[q];
            }
        }
        out->present[f] = pi;
    }
    if (label_out) {
        cJSON *lab = cJSON_GetObjectItemCaseSensitive(j, "label");
        if (cJSON_IsString(lab) && !(*label_out = strdup(lab->valuestring)))
            rc = SYNAPT_E_NOMEM;
    }
done:
    if (rc == SYNAPT_E_NOMEM)
        import_errf(err, errsz, path, 0, "out of memory");
    if (rc)
        import_pose_free(out);
    free(tmp);
    free(seen);
    cJSON_Delete(j);
    return rc;
}

/* ---------------------------------------------------------------- arrays */

/* A dense float array of 3 or 4 dims into a pose. Layouts:
 *   (T, J, C)       one person
 *   (T, P, J, C)
 *   (C, T, J, P)    st-gcn; told apart from (T,P,J,C) by C <= 4 in front
 *                   and a time axis longer than the person axis */
static int pose_from_array(import_pose *out, const float *a, unsigned ndim, const uint64_t *sh,
                           int want3d, const char *file, char *err, size_t errsz)
{
    uint64_t T, P, J, C;
    int stgcn = 0;
    if (ndim == 3) {
        T = sh[0]; P = 1; J = sh[1]; C = sh[2];
    } else if (ndim == 4 && sh[0] >= 2 && sh[0] <= 4 && sh[1] > sh[3] && sh[3] <= IMPORT_MAX_PERSONS) {
        stgcn = 1;
        C = sh[0]; T = sh[1]; J = sh[2]; P = sh[3];
    } else if (ndim == 4) {
        T = sh[0]; P = sh[1]; J = sh[2]; C = sh[3];
    } else {
        import_errf(err, errsz, file, 0,
                    "pose array must be (T,J,C), (T,P,J,C) or (C,T,J,P); this one has %u dims", ndim);
        return SYNAPT_E_INPUT;
    }
    int layout = layout_for((uint32_t)(C > 8 ? 0 : C), want3d);
    if (!layout) {
        import_errf(err, errsz, file, 0, "%llu values per joint cannot be %s pose (need %s)",
                    (unsigned long long)C, want3d ? "3D" : "2D", want3d ? "3 or 4" : "2 or 3");
        return SYNAPT_E_INPUT;
    }
    if (P > IMPORT_MAX_PERSONS || J > IMPORT_MAX_JOINTS || T > IMPORT_MAX_FRAMES) {
        import_errf(err, errsz, file, 0, "pose array shape outside the limits");
        return SYNAPT_E_LIMIT;
    }
    int rc = pose_alloc(out, T, (uint32_t)P, (uint32_t)J, (uint32_t)C, file, err, errsz);
    if (rc)
        return rc;
    out->layout = layout;
    for (uint64_t t = 0; t < T; t++) {
        uint32_t present = 0;
        for (uint64_t p = 0; p < P; p++) {
            /* persons are packed at the front as present[] promises; the
             * source is `a`, so writing slot `present` <= p loses nothing */
            float *dst = out->data + ((t * P + present) * J) * C;
            int nonzero = 0;
            for (uint64_t j = 0; j < J; j++)
                for (uint64_t c = 0; c < C; c++) {
                    float v = stgcn ? a[((c * T + t) * J + j) * P + p] : a[((t * P + p) * J + j) * C + c];
                    dst[j * C + c] = v;
                    nonzero |= v != 0.0f;
                }
            /* st-gcn pads absent people (and frames past the end) with zeros */
            if (stgcn && !nonzero)
                continue;
            present++;
        }
        for (uint64_t p = present; p < P; p++)
            for (uint64_t i = 0; i < J * C; i++)
                out->data[((t * P + p) * J) * C + i] = NAN;
        out->present[t] = present;
    }
    return 0;
}

static int npy_to_floats(float **out, const npy_array *a, const char *file, char *err, size_t errsz)
{
    if (a->kind == 'S' || a->kind == 'U') {
        import_errf(err, errsz, file, 0, "array holds strings, not numbers");
        return SYNAPT_E_INPUT;
    }
    *out = malloc((a->count ? a->count : 1) * sizeof **out);
    if (!*out) {
        import_errf(err, errsz, file, 0, "out of memory for %" PRIu64 " values", (uint64_t)a->count);
        return SYNAPT_E_NOMEM;
    }
    for (uint64_t i = 0; i < a->count; i++) {
        double d;
        if (npy_array_get_f64(&d, a, i) != 0) {
            free(*out);
            *out = NULL;
            import_errf(err, errsz, file, 0, "cannot read element %llu", (unsigned long long)i);
            return SYNAPT_E_INPUT;
        }
        (*out)[i] = (float)d;
    }
    return 0;
}

/* Read a numeric array sidecar (.npy, .npz member, HDF5 dataset) as floats. */
int import_pose_read(import_pose *out, const import_sidecar *sc, int want3d, char *err, size_t errsz)
{
    memset(out, 0, sizeof *out);
    int rc = 0;
    switch (sc->kind) {
    case IMPORT_SC_NTU_SKELETON: {
        import_ntu_skeleton s;
        if ((rc = import_ntu_read(&s, sc->path, err, errsz)))
            return rc;
        uint32_t C = want3d ? 3 : 2;
        rc = pose_alloc(out, s.frames, s.max_bodies, IMPORT_NTU_JOINTS, C, sc->path, err, errsz);
        if (!rc) {
            out->layout = want3d ? SYNAPT_CHANNELS_XYZ : SYNAPT_CHANNELS_XY;
            out->skeleton = SYNAPT_SKELETON_NTU25;
            /* x,y,z metres at values 0..2; colour-image pixels at 5..6 */
            int off = want3d ? 0 : 5;
            size_t slots = (size_t)s.frames * s.max_bodies * IMPORT_NTU_JOINTS;
            for (size_t i = 0; i < slots; i++)
                for (uint32_t c = 0; c < C; c++)
                    out->data[i * C + c] = s.joints[i * IMPORT_NTU_VALUES + (size_t)off + c];
            memcpy(out->present, s.body_count, s.frames * sizeof *out->present);
        }
        import_ntu_free(&s);
        break;
    }
    case IMPORT_SC_OPENPOSE_DIR:
        rc = import_openpose_read(out, sc->path, err, errsz);
        break;
    case IMPORT_SC_KINETICS_SKEL:
        rc = import_kinetics_skeleton_read(out, sc->path, NULL, err, errsz);
        break;
    case IMPORT_SC_MAT:
        if (!sc->inner || !*sc->inner) {
            rc = import_surreal_info_read(want3d ? NULL : out, want3d ? out : NULL, NULL, sc->path,
                                          err, errsz);
            break;
        }
        /* a named variable is refused below with a clear message */
        /* fall through */
    case IMPORT_SC_NPY:
    case IMPORT_SC_NPZ:
    case IMPORT_SC_HDF5: {
        float *a = NULL;
        unsigned ndim = 0;
        uint64_t shape[NPY_MAX_DIMS];
        if (sc->kind == IMPORT_SC_HDF5) {
            rc = import_h5_read_floats(&a, &ndim, shape, sc->path, sc->inner, err, errsz);
        } else if (sc->kind == IMPORT_SC_MAT) {
            import_errf(err, errsz, sc->path, 0,
                        "only joints2D/joints3D of a SURREAL _info.mat are read as pose (drop ':%s')",
                        sc->inner);
            rc = SYNAPT_E_UNSUPPORTED;
        } else {
            npy_array arr;
            rc = sc->kind == IMPORT_SC_NPY
                     ? npy_read_file(&arr, sc->path, (uint64_t)IMPORT_MAX_POSE_FLOATS * 8, err, errsz)
                     : import_npz_read(&arr, sc->path, sc->inner, err, errsz);
            if (!rc) {
                ndim = arr.ndim;
                memcpy(shape, arr.shape, sizeof shape);
                rc = npy_to_floats(&a, &arr, sc->path, err, errsz);
                npy_array_free(&arr);
            }
        }
        if (!rc)
            rc = pose_from_array(out, a, ndim, shape, want3d, sc->path, err, errsz);
        free(a);
        break;
    }
    default:
        import_errf(err, errsz, sc->path, 0, "a %s sidecar does not hold pose",
                    import_sidecar_kind_name(sc->kind));
        return SYNAPT_E_INPUT;
    }
    if (rc)
        return rc;
    if (want3d && out->layout != SYNAPT_CHANNELS_XYZ && out->layout != SYNAPT_CHANNELS_XYZC) {
        import_errf(err, errsz, sc->path, 0, "holds 2D pose, given as pose3d");
        import_pose_free(out);
        return SYNAPT_E_INPUT;
    }
    if (sc->skeleton)
        out->skeleton = sc->skeleton;
    return 0;
}
