/* export_table.c - --to csv / --to jsonl: pose joints and frame labels as
 * rows, for spreadsheets, pandas and jq. */
#include "export.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ROWS 1024

typedef struct tb {
    const synapt_reader *r;
    FILE *f;
    int jsonl;
    char *err;
    size_t errsz;
    const char *target;
    uint64_t rows;
    synapt_dataset *ds;   /* frame labels are named in its vocabulary */
    uint64_t g;           /* the dataset clip being written */
} tb;

/* A string as a CSV field (quoted when it holds a separator, quote or
 * newline) or as a JSON string. */
static void put_str(tb *t, const char *s)
{
    if (t->jsonl) {
        fputc('"', t->f);
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
            if (*p == '"' || *p == '\\') fprintf(t->f, "\\%c", *p);
            else if (*p < 0x20) fprintf(t->f, "\\u%04x", *p);
            else fputc(*p, t->f);
        }
        fputc('"', t->f);
        return;
    }
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, t->f);
        return;
    }
    fputc('"', t->f);
    for (const char *p = s; *p; p++) {
        if (*p == '"') fputc('"', t->f);
        fputc(*p, t->f);
    }
    fputc('"', t->f);
}

/* a float: shortest form that reads back to the same f32 */
static void put_num(tb *t, float v)
{
    if (!isfinite(v)) fputs(t->jsonl ? "null" : "", t->f);
    else fprintf(t->f, "%.9g", (double)v);
}

static int pose_rows(tb *t, uint64_t clip, const char *clip_id, uint32_t s, const synapt_stream_info *si)
{
    export_array a;
    int rc = export_array_of(&a, t->r, clip, s);
    if (rc) {
        snprintf(t->err, t->errsz, "%s", synapt_reader_errmsg(t->r));
        return rc;
    }
    synapt_skeleton_info sk;
    int has_sk = si->skeleton && synapt_skeleton_get(&sk, si->skeleton) == 0;
    uint64_t P = a.dims[1], J = a.dims[2], C = a.dims[3];
    int three_d = si->kind == SYNAPT_KIND_POSE3D || si->channels == SYNAPT_CHANNELS_XYZ ||
                  si->channels == SYNAPT_CHANNELS_XYZC;
    int has_c = si->channels == SYNAPT_CHANNELS_XYC || si->channels == SYNAPT_CHANNELS_XYZC;
    uint64_t batch = a.frame_bytes ? (8u << 20) / a.frame_bytes : 1;
    if (batch == 0) batch = 1;
    uint64_t *sizes = malloc(ROWS * sizeof *sizes);
    float *buf = malloc((size_t)(batch * a.frame_bytes) + 4);
    uint64_t pb = J * C * sizeof(float);
    if (!sizes || !buf) rc = SYNAPT_E_NOMEM;
    for (uint64_t f0 = 0; f0 < a.dims[0] && !rc; f0 += batch) {
        uint64_t k = a.dims[0] - f0 < batch ? a.dims[0] - f0 : batch;
        if (k > ROWS) k = ROWS;
        if ((rc = synapt_reader_frame_sizes(sizes, t->r, clip, s, f0, k)) ||
            (rc = export_array_read(buf, (size_t)(batch * a.frame_bytes), &a, t->r, clip, s, f0, k)))
            break;
        for (uint64_t i = 0; i < k; i++) {
            uint64_t present = pb ? sizes[i] / pb : 0;
            for (uint64_t p = 0; p < P && p < present; p++)
                for (uint64_t jn = 0; jn < J; jn++) {
                    const float *v = buf + ((i * P + p) * J + jn) * C;
                    const char *name = has_sk && jn < sk.joint_count ? sk.joints[jn] : "";
                    if (t->jsonl) {
                        fputs("{\"clip\":", t->f);
                        put_str(t, clip_id);
                        fputs(",\"stream\":", t->f);
                        put_str(t, si->name);
                        fprintf(t->f, ",\"frame\":%" PRIu64 ",\"person\":%" PRIu64 ",\"joint\":%" PRIu64
                                ",\"joint_name\":", f0 + i, p, jn);
                        put_str(t, name);
                        fputs(",\"x\":", t->f);
                        put_num(t, v[0]);
                        fputs(",\"y\":", t->f);
                        put_num(t, C > 1 ? v[1] : NAN);
                        if (three_d) {
                            fputs(",\"z\":", t->f);
                            put_num(t, C > 2 ? v[2] : NAN);
                        }
                        if (has_c) {
                            fputs(",\"c\":", t->f);
                            put_num(t, v[C - 1]);
                        }
                        fputs("}\n", t->f);
                    } else {
                        put_str(t, clip_id);
                        fputc(',', t->f);
                        put_str(t, si->name);
                        fprintf(t->f, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",", f0 + i, p, jn);
                        put_str(t, name);
                        fputc(',', t->f);
                        put_num(t, v[0]);
                        fputc(',', t->f);
                        if (C > 1) put_num(t, v[1]);
                        fputc(',', t->f);
                        if (three_d && C > 2) put_num(t, v[2]);
                        fputc(',', t->f);
                        if (has_c) put_num(t, v[C - 1]);
                        fputs(",,\n", t->f);
                    }
                    t->rows++;
                }
        }
    }
    if (rc && !t->err[0])
        snprintf(t->err, t->errsz, "%s", rc == SYNAPT_E_NOMEM ? "out of memory" : synapt_reader_errmsg(t->r));
    free(sizes);
    free(buf);
    return rc;
}

static int label_rows(tb *t, uint64_t clip, const char *clip_id, uint32_t s, const synapt_stream_info *si)
{
    if (si->dtype != SYNAPT_DTYPE_I32 || si->ndim != 1 || si->shape[0] == 0 || si->shape[0] > 65536) {
        snprintf(t->err, t->errsz, "%s: clip '%s' stream '%s': frame labels are not (K,) i32", t->target,
                 clip_id, si->name);
        return SYNAPT_E_INVALID_ARG;
    }
    uint64_t K = si->shape[0];
    int32_t *buf = malloc((size_t)(K * 256 * sizeof(int32_t)));
    if (!buf) return SYNAPT_E_NOMEM;
    int rc = 0;
    for (uint64_t f0 = 0; f0 < si->frame_count && !rc; f0 += 256) {
        uint64_t k = si->frame_count - f0 < 256 ? si->frame_count - f0 : 256;
        size_t got;
        if ((rc = synapt_reader_read_frames(buf, (size_t)(K * 256 * 4), &got, t->r, clip, s, f0, k)) != 0) {
            snprintf(t->err, t->errsz, "%s", synapt_reader_errmsg(t->r));
            break;
        }
        /* member ids -> the dataset's, the vocabulary --to hdf5 writes too */
        if ((rc = synapt_dataset_map_frame_labels(t->ds, t->g, buf, (size_t)(k * K))) != 0) {
            snprintf(t->err, t->errsz, "%s", synapt_dataset_errmsg(t->ds));
            break;
        }
        for (uint64_t i = 0; i < k; i++)
            for (uint64_t j = 0; j < K; j++) {
                int32_t id = buf[i * K + j];
                const char *name = id >= 0 ? synapt_dataset_label_name(t->ds, (uint32_t)id) : NULL;
                if (t->jsonl) {
                    fputs("{\"clip\":", t->f);
                    put_str(t, clip_id);
                    fputs(",\"stream\":", t->f);
                    put_str(t, si->name);
                    fprintf(t->f, ",\"frame\":%" PRIu64 ",\"label\":%" PRId32 ",\"label_name\":", f0 + i, id);
                    if (name) put_str(t, name);
                    else fputs("null", t->f);
                    fputs("}\n", t->f);
                } else {
                    put_str(t, clip_id);
                    fputc(',', t->f);
                    put_str(t, si->name);
                    fprintf(t->f, ",%" PRIu64 ",,,,,,,,%" PRId32 ",", f0 + i, id);
                    put_str(t, name ? name : "");
                    fputc('\n', t->f);
                }
                t->rows++;
            }
    }
    free(buf);
    return rc;
}

int export_table(uint64_t *rows, synapt_dataset *ds, const char *path, int jsonl,
                 const export_options *o, char *err, size_t errsz)
{
    tb t;
    memset(&t, 0, sizeof t);
    t.jsonl = jsonl;
    t.err = err;
    t.errsz = errsz;
    t.target = path;
    err[0] = 0;
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 16);
    if (!tmp) return SYNAPT_E_NOMEM;
    snprintf(tmp, pl + 16, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0 || !(t.f = fdopen(fd, "w"))) {
        snprintf(err, errsz, "%s: cannot create a temporary file beside it: %s", path, strerror(errno));
        if (fd >= 0) close(fd);
        free(tmp);
        return SYNAPT_E_IO;
    }
    mode_t um = umask(0);
    umask(um);
    fchmod(fd, 0666 & ~um);
    if (!jsonl) fputs("clip,stream,frame,person,joint,joint_name,x,y,z,c,label,label_name\n", t.f);
    int rc = 0;
    uint64_t matched = 0;
    for (size_t i = 0; i < o->clip_count && !rc; i++) {
        synapt_clip_info ci;
        synapt_reader *r;
        uint64_t clip;
        if ((rc = export_acquire(&r, &clip, &ci, ds, o->clips[i], err, errsz)) != 0) break;
        t.r = r;
        t.ds = ds;
        t.g = o->clips[i];
        for (uint32_t s = 0; s < ci.stream_count && !rc; s++) {
            synapt_stream_info si;
            if ((rc = synapt_reader_stream(&si, r, clip, s)) != 0) {
                snprintf(err, errsz, "%s", synapt_reader_errmsg(r));
                break;
            }
            if (o->stream && strcmp(o->stream, si.name) != 0) continue;
            if (si.kind == SYNAPT_KIND_POSE2D || si.kind == SYNAPT_KIND_POSE3D) rc = pose_rows(&t, clip, ci.id, s, &si);
            else if (si.kind == SYNAPT_KIND_FRAME_LABELS) rc = label_rows(&t, clip, ci.id, s, &si);
            else if (o->stream) {
                snprintf(err, errsz, "%s: clip '%s' stream '%s' is %s; tables hold pose and frame_labels",
                         path, ci.id, si.name, synapt_kind_name(si.kind));
                rc = SYNAPT_E_INVALID_ARG;
            } else continue;
            matched++;
        }
        t.r = NULL;
        synapt_dataset_release(ds, r);
        if (!rc && o->progress) o->progress(o->progress_user, i + 1, o->clip_count);
    }
    if (!rc && matched == 0) {
        snprintf(err, errsz, "%s: the selected clips have no pose or frame_labels stream%s%s", path,
                 o->stream ? " named " : "", o->stream ? o->stream : "");
        rc = SYNAPT_E_NOT_FOUND;
    }
    if (!rc && (fflush(t.f) != 0 || ferror(t.f) || fsync(fileno(t.f)) != 0)) {
        snprintf(err, errsz, "%s: write failed: %s", path, strerror(errno));
        rc = SYNAPT_E_IO;
    }
    if (fclose(t.f) != 0 && !rc) {
        snprintf(err, errsz, "%s: write failed: %s", path, strerror(errno));
        rc = SYNAPT_E_IO;
    }
    if (!rc && rename(tmp, path) != 0) {
        snprintf(err, errsz, "%s: cannot write: %s", path, strerror(errno));
        rc = SYNAPT_E_IO;
    }
    if (rc) unlink(tmp);
    free(tmp);
    if (rows) *rows = rc ? 0 : t.rows;
    return rc;
}
