/* export_stage.c - what the export writers share: path names from clip
 * ids, the output folder, and the array view of a stream that --to npy
 * also uses. */
#include "export.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Frames larger than this are refused rather than allocated. */
#define MAX_FRAME_BYTES (1ull << 30)

/* ---- folder outputs ------------------------------------------------ */

/* The writers fill a folder the caller made safe: synapt-convert builds it
 * beside -o through the cli's safe outputs (removed on error and on a
 * signal, put in place only on success), so nothing here stages, renames
 * or catches signals. */
static int dir_is_empty(const char *path)
{
    DIR *d = opendir(path);
    if (!d) return 0;
    struct dirent *e;
    int empty = 1;
    while (empty && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) empty = 0;
    closedir(d);
    return empty;
}

int export_stage_open(export_stage *s, const char *dir, char *err, size_t errsz)
{
    memset(s, 0, sizeof *s);
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode) || !dir_is_empty(dir)) {
            snprintf(err, errsz, "%s: exists and is not an empty folder; refusing to write into it", dir);
            return SYNAPT_E_EXISTS;
        }
    } else if (mkdir(dir, 0777) != 0) {
        snprintf(err, errsz, "%s: cannot create the folder: %s", dir, strerror(errno));
        return SYNAPT_E_IO;
    }
    s->path = strdup(dir);
    s->target = strdup(dir);
    if (!s->path || !s->target) {
        export_stage_abort(s);
        snprintf(err, errsz, "%s: out of memory", dir);
        return SYNAPT_E_NOMEM;
    }
    return 0;
}

int export_stage_commit(export_stage *s, char *err, size_t errsz)
{
    (void)err;
    (void)errsz;
    export_stage_abort(s);
    return 0;
}

void export_stage_abort(export_stage *s)
{
    if (!s) return;
    free(s->path);
    free(s->target);
    memset(s, 0, sizeof *s);
}

/* ---- array view of a stream ---------------------------------------- */

int export_array_of(export_array *a, const synapt_reader *r, uint64_t clip, uint32_t stream)
{
    memset(a, 0, sizeof *a);
    synapt_stream_info si;
    int rc = synapt_reader_stream(&si, r, clip, stream);
    if (rc) return rc;
    if (si.kind == SYNAPT_KIND_VIDEO || si.codec != SYNAPT_CODEC_RAW) {
        synapt_video_info vi;
        if ((rc = synapt_video_get_info(&vi, r, clip, stream)) != 0) return rc;
        a->how = EXPORT_READ_VIDEO;
        a->dtype = SYNAPT_DTYPE_U8;
        a->ndim = 4;
        a->dims[0] = vi.frame_count;
        a->dims[1] = vi.height;
        a->dims[2] = vi.width;
        a->dims[3] = 3;
        a->frame_bytes = vi.rgb_frame_bytes;
        return 0;
    }
    if (si.kind == SYNAPT_KIND_POSE2D || si.kind == SYNAPT_KIND_POSE3D) {
        uint32_t p = 0;
        if (si.ndim != 3 || si.dtype != SYNAPT_DTYPE_F32) return SYNAPT_E_INVALID_ARG;
        if ((rc = synapt_reader_pose_max_persons(&p, r, clip, stream)) != 0) return rc;
        a->how = EXPORT_READ_POSE;
        a->dtype = SYNAPT_DTYPE_F32;
        a->ndim = 4;
        a->dims[0] = si.frame_count;
        a->dims[1] = p;
        a->dims[2] = si.shape[1];
        a->dims[3] = si.shape[2];
    } else {
        a->how = EXPORT_READ_ARRAY;
        a->dtype = si.dtype;
        a->ndim = 1 + si.ndim;
        a->dims[0] = si.frame_count;
        for (uint32_t d = 0; d < si.ndim && d < 4; d++) a->dims[1 + d] = si.shape[d];
        /* one label per frame reads naturally as (T,), as --to npy gives it */
        if (si.kind == SYNAPT_KIND_FRAME_LABELS && si.ndim == 1 && si.shape[0] == 1) a->ndim = 1;
        if (si.ndim > 4 || !synapt_dtype_size(si.dtype)) return SYNAPT_E_INVALID_ARG;
    }
    uint64_t fb = synapt_dtype_size(a->dtype);
    for (unsigned d = 1; d < (a->how == EXPORT_READ_ARRAY ? 1 + si.ndim : a->ndim); d++) {
        if (a->dims[d] && fb > MAX_FRAME_BYTES / a->dims[d]) return SYNAPT_E_LIMIT;
        fb *= a->dims[d];
    }
    if (a->how == EXPORT_READ_ARRAY && si.frame_count && si.frame_bytes != fb) return SYNAPT_E_INVALID_ARG;
    a->frame_bytes = fb;
    return 0;
}

int export_array_read(void *buf, size_t cap, const export_array *a, const synapt_reader *r,
                      uint64_t clip, uint32_t stream, uint64_t first, uint64_t n)
{
    size_t got = 0, want = (size_t)(n * a->frame_bytes);
    int rc;
    if (a->how == EXPORT_READ_VIDEO)
        rc = synapt_video_read(buf, cap, &got, r, clip, stream, first, n, SYNAPT_PIXFMT_RGB24);
    else if (a->how == EXPORT_READ_POSE)
        return synapt_reader_read_pose(buf, want / sizeof(float), r, clip, stream, first, n,
                                       (uint32_t)a->dims[1]);
    else
        rc = synapt_reader_read_frames(buf, cap, &got, r, clip, stream, first, n);
    if (rc == 0 && got != want) rc = SYNAPT_E_CORRUPT;
    return rc;
}

int export_acquire(synapt_reader **r, uint64_t *clip, synapt_clip_info *ci, synapt_dataset *ds,
                   uint64_t g, char *err, size_t errsz)
{
    int rc = synapt_dataset_acquire(r, clip, ds, g);
    if (rc) {
        *r = NULL;
        snprintf(err, errsz, "%s", synapt_dataset_errmsg(ds));
        return rc;
    }
    if ((rc = synapt_reader_clip(ci, *r, *clip)) != 0) {
        snprintf(err, errsz, "%s", synapt_reader_errmsg(*r));
        synapt_dataset_release(ds, *r);
        *r = NULL;
    }
    return rc;
}
