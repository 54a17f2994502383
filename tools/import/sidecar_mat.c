/* import_mat.c - SURREAL/SURREACT MATLAB files through libmatio: the
 * _info.mat (joints2D/joints3D, everything else into clip metadata) and
 * the `surreact` layout (mp4 + _info.mat [+ _segm.mat, _depth.mat]). */
#include "import.h"

#include <cJSON.h>
#include <dirent.h>
#include <math.h>
#include <matio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "matio_dl.h"

#define MAT_META_MAX_ELEMS 4096

/* libmatio, loaded before the first matio call on `path` (and before a
 * sandboxed dry run forks, so the child inherits it): 0, or one line
 * naming the file and the library */
static int mat_need(const char *path, char *err, size_t errsz)
{
    char why[400];
    if (import_mat_load(why, sizeof why) == 0)
        return 0;
    import_errf(err, errsz, path, 0, "%s", why);
    return SYNAPT_E_UNSUPPORTED;
}

static size_t mat_numel(const matvar_t *v)
{
    size_t n = 1;
    for (int i = 0; i < v->rank; i++) {
        if (v->dims[i] && n > SIZE_MAX / v->dims[i])
            return SIZE_MAX;
        n *= v->dims[i];
    }
    return n;
}

/* matio allocates what a variable's header claims before reading its data,
 * so a 200-byte file claiming a 3000 x 3000 x 100000 double array would ask
 * for 7 TB. The claim is checked against the file first: stored plainly,
 * the data cannot be larger than the file; zlib (v7 compressed variables,
 * and the deflate filter of v7.3/HDF5 files) expands at most 1032:1. */
static int mat_fits_file(const matvar_t *v, uint64_t fsize, int compressed)
{
    size_t n = mat_numel(v);
    size_t esz = Mat_SizeOfClass(v->class_type);
    if (n == SIZE_MAX || (esz && n > SIZE_MAX / esz))
        return 0;
    /* a cell or struct element takes at least an 8-byte tag in the file */
    uint64_t need = (uint64_t)n * (esz ? esz : 8);
    uint64_t cap = compressed || v->compression != MAT_COMPRESSION_NONE ? fsize * 1032 : fsize;
    return need <= cap;
}

static int mat_is_numeric(const matvar_t *v)
{
    switch (v->class_type) {
    case MAT_C_DOUBLE: case MAT_C_SINGLE: case MAT_C_INT8: case MAT_C_UINT8:
    case MAT_C_INT16: case MAT_C_UINT16: case MAT_C_INT32: case MAT_C_UINT32:
    case MAT_C_INT64: case MAT_C_UINT64:
        return !v->isComplex;
    default:
        return 0;
    }
}

/* Element i of a numeric variable as double. */
static double mat_get(const matvar_t *v, size_t i)
{
    switch (v->class_type) {
    case MAT_C_DOUBLE: return ((const double *)v->data)[i];
    case MAT_C_SINGLE: return ((const float *)v->data)[i];
    case MAT_C_INT8: return ((const int8_t *)v->data)[i];
    case MAT_C_UINT8: return ((const uint8_t *)v->data)[i];
    case MAT_C_INT16: return ((const int16_t *)v->data)[i];
    case MAT_C_UINT16: return ((const uint16_t *)v->data)[i];
    case MAT_C_INT32: return ((const int32_t *)v->data)[i];
    case MAT_C_UINT32: return ((const uint32_t *)v->data)[i];
    case MAT_C_INT64: return (double)((const int64_t *)v->data)[i];
    case MAT_C_UINT64: return (double)((const uint64_t *)v->data)[i];
    default: return NAN;
    }
}

/* matio stores the element type of the data it read in data_type; a
 * variable whose class and data type disagree is refused so mat_get never
 * reads past the buffer. */
static int mat_data_ok(const matvar_t *v)
{
    static const struct { int cls, type; size_t size; } map[] = {
        { MAT_C_DOUBLE, MAT_T_DOUBLE, 8 }, { MAT_C_SINGLE, MAT_T_SINGLE, 4 },
        { MAT_C_INT8, MAT_T_INT8, 1 },     { MAT_C_UINT8, MAT_T_UINT8, 1 },
        { MAT_C_INT16, MAT_T_INT16, 2 },   { MAT_C_UINT16, MAT_T_UINT16, 2 },
        { MAT_C_INT32, MAT_T_INT32, 4 },   { MAT_C_UINT32, MAT_T_UINT32, 4 },
        { MAT_C_INT64, MAT_T_INT64, 8 },   { MAT_C_UINT64, MAT_T_UINT64, 8 },
    };
    size_t n = mat_numel(v);
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (map[i].cls == (int)v->class_type)
            return v->data_type == (enum matio_types)map[i].type && v->data &&
                   n != SIZE_MAX && v->nbytes >= n * map[i].size;
    return 0;
}

static char *mat_char_string(const matvar_t *v)
{
    size_t n = mat_numel(v);
    if (!v->data || n == SIZE_MAX || n > (1u << 20))
        return NULL;
    /* the dims may claim more characters than the data holds */
    size_t esz = v->data_type == MAT_T_UINT16 || v->data_type == MAT_T_UTF16 ? 2 : 1;
    if (v->nbytes < n * esz)
        return NULL;
    char *s = malloc(n + 1);
    if (!s)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned c;
        if (v->data_type == MAT_T_UINT8 || v->data_type == MAT_T_UTF8 || v->data_type == MAT_T_INT8)
            c = ((const uint8_t *)v->data)[i];
        else if (v->data_type == MAT_T_UINT16 || v->data_type == MAT_T_UTF16)
            c = ((const uint16_t *)v->data)[i];
        else {
            free(s);
            return NULL;
        }
        /* a row vector of characters; anything non-ASCII becomes '?' so
         * the metadata stays valid UTF-8 */
        s[k++] = c >= 32 && c < 127 ? (char)c : '?';
    }
    s[k] = 0;
    return s;
}

/* One variable as JSON: scalar -> number; char row -> string; numeric array
 * -> {"dims":[...],"order":"F","data":[...]}; cell of strings -> [..].
 * NULL when the variable is too large or of a kind we do not describe. */
static cJSON *mat_to_json(const matvar_t *v)
{
    size_t n = mat_numel(v);
    if (n == SIZE_MAX || n > MAT_META_MAX_ELEMS)
        return NULL;
    if (v->class_type == MAT_C_CHAR) {
        char *s = mat_char_string(v);
        cJSON *j = s ? cJSON_CreateString(s) : NULL;
        free(s);
        return j;
    }
    if (v->class_type == MAT_C_CELL) {
        /* the dims can claim more cells than matio allocated pointers
         * for (heap over-read found by fuzz_imp_mat): count what is there */
        matvar_t **cells = (matvar_t **)v->data;
        if (!cells || v->nbytes / sizeof *cells < n)
            return NULL;
        cJSON *arr = cJSON_CreateArray();
        for (size_t i = 0; arr && i < n; i++) {
            cJSON *e = cells[i] ? mat_to_json(cells[i]) : NULL;
            cJSON_AddItemToArray(arr, e ? e : cJSON_CreateNull());
        }
        return arr;
    }
    if (!mat_is_numeric(v) || !mat_data_ok(v))
        return NULL;
    if (n == 1) {
        double d = mat_get(v, 0);
        return isfinite(d) ? cJSON_CreateNumber(d) : cJSON_CreateNull();
    }
    cJSON *o = cJSON_CreateObject(), *dims = cJSON_CreateArray(), *data = cJSON_CreateArray();
    if (!o || !dims || !data) {
        cJSON_Delete(o);
        cJSON_Delete(dims);
        cJSON_Delete(data);
        return NULL;
    }
    for (int i = 0; i < v->rank; i++)
        cJSON_AddItemToArray(dims, cJSON_CreateNumber((double)v->dims[i]));
    for (size_t i = 0; i < n; i++) {
        double d = mat_get(v, i);
        cJSON_AddItemToArray(data, isfinite(d) ? cJSON_CreateNumber(d) : cJSON_CreateNull());
    }
    cJSON_AddItemToObject(o, "dims", dims);
    cJSON_AddStringToObject(o, "order", "F");
    cJSON_AddItemToObject(o, "data", data);
    return o;
}

/* joints2D (2,J,T) / joints3D (3,J,T): column-major, so element (c,j,t) is
 * at c + C*j + C*J*t - exactly a row-major (T,J,C) array. */
static int mat_pose(import_pose *p, const matvar_t *v, uint32_t C, const char *path,
                    char *err, size_t errsz)
{
    memset(p, 0, sizeof *p);
    if (!mat_is_numeric(v) || !mat_data_ok(v) || v->rank < 2 || v->rank > 3 || v->dims[0] != C) {
        import_errf(err, errsz, path, 0, "%s must be a numeric %ux24xT array", v->name, C);
        return SYNAPT_E_INPUT;
    }
    size_t J = v->dims[1], T = v->rank == 3 ? v->dims[2] : 1;
    if (J == 0 || J > IMPORT_MAX_JOINTS || T > IMPORT_MAX_FRAMES) {
        import_errf(err, errsz, path, 0, "%s has an unusable shape", v->name);
        return SYNAPT_E_LIMIT;
    }
    p->frames = T;
    p->persons = 1;
    p->joints = (uint32_t)J;
    p->channels = C;
    p->layout = C == 2 ? SYNAPT_CHANNELS_XY : SYNAPT_CHANNELS_XYZ;
    p->skeleton = J == 24 ? SYNAPT_SKELETON_SMPL24 : 0;
    p->present = malloc((T ? T : 1) * sizeof *p->present);
    size_t nval = T * J * C;
    p->data = malloc((nval ? nval : 1) * sizeof *p->data);
    if (!p->present || !p->data) {
        import_pose_free(p);
        import_errf(err, errsz, path, 0, "out of memory");
        return SYNAPT_E_NOMEM;
    }
    for (size_t t = 0; t < T; t++)
        p->present[t] = 1;
    for (size_t i = 0; i < T * J * C; i++)
        p->data[i] = (float)mat_get(v, i);
    return 0;
}

static int info_read(import_pose *pose2d, import_pose *pose3d, char **meta_json,
                     const char *path, char *err, size_t errsz)
{
    if (pose2d)
        memset(pose2d, 0, sizeof *pose2d);
    if (pose3d)
        memset(pose3d, 0, sizeof *pose3d);
    if (meta_json)
        *meta_json = NULL;
    struct stat st;
    int crc = import_check_regular(path, err, errsz);
    if (crc)
        return crc;
    if (stat(path, &st) != 0 || (uint64_t)st.st_size > IMPORT_MAX_FILE_BYTES) {
        import_errf(err, errsz, path, 0, "file larger than the limit");
        return SYNAPT_E_LIMIT;
    }
    if (mat_need(path, err, errsz))
        return SYNAPT_E_UNSUPPORTED;
    mat_t *m = Mat_Open(path, MAT_ACC_RDONLY);
    if (!m) {
        import_errf(err, errsz, path, 0, "not a MATLAB .mat file matio can read");
        return SYNAPT_E_INPUT;
    }
    int rc = 0, got2 = 0, got3 = 0;
    int v73 = Mat_GetVersion(m) == MAT_FT_MAT73;
    cJSON *meta = meta_json ? cJSON_CreateObject() : NULL;
    matvar_t *info;
    /* list names first, then read each fully: reading the directory is
     * cheap and lets us skip large variables without decompressing them */
    while (!rc && (info = Mat_VarReadNextInfo(m))) {
        char name[64];
        snprintf(name, sizeof name, "%s", info->name ? info->name : "");
        size_t n = mat_numel(info);
        int want = strcmp(name, "joints2D") == 0 ? 2 : strcmp(name, "joints3D") == 0 ? 3 : 0;
        int small = n != SIZE_MAX && n <= MAT_META_MAX_ELEMS;
        int fits = mat_fits_file(info, (uint64_t)st.st_size, v73);
        Mat_VarFree(info);
        if (want && !fits) {
            import_errf(err, errsz, path, 0, "variable '%s' claims more data than the %llu-byte file "
                        "can hold", name, (unsigned long long)st.st_size);
            rc = SYNAPT_E_INPUT;
            break;
        }
        if (!fits)
            continue;
        if (!*name || (!want && !(meta && small)))
            continue;
        matvar_t *v = Mat_VarRead(m, name);
        if (!v) {
            import_errf(err, errsz, path, 0, "cannot read variable '%s'", name);
            rc = SYNAPT_E_INPUT;
            break;
        }
        if (want == 2 && pose2d) {
            rc = mat_pose(pose2d, v, 2, path, err, errsz);
            got2 = !rc;
        } else if (want == 3 && pose3d) {
            rc = mat_pose(pose3d, v, 3, path, err, errsz);
            got3 = !rc;
        } else if (want) {
            got2 |= want == 2;
            got3 |= want == 3;
        } else if (meta) {
            cJSON *j = mat_to_json(v);
            if (j)
                cJSON_AddItemToObject(meta, name, j);
        }
        Mat_VarFree(v);
    }
    Mat_Close(m);
    if (!rc && ((pose2d && !got2) || (pose3d && !got3))) {
        import_errf(err, errsz, path, 0, "no %s variable", pose2d && !got2 ? "joints2D" : "joints3D");
        rc = SYNAPT_E_INPUT;
    }
    if (!rc && meta) {
        *meta_json = cJSON_PrintUnformatted(meta);
        if (!*meta_json)
            rc = SYNAPT_E_NOMEM;
    }
    cJSON_Delete(meta);
    if (rc) {
        import_pose_free(pose2d);
        import_pose_free(pose3d);
    }
    return rc;
}

typedef struct info_job {
    const char *path;
    int pose2d, pose3d, meta;
} info_job;

static int info_dry_run(void *arg, char *err, size_t errsz)
{
    info_job *j = arg;
    import_pose p2, p3;
    char *meta = NULL;
    int rc = info_read(j->pose2d ? &p2 : NULL, j->pose3d ? &p3 : NULL, j->meta ? &meta : NULL,
                       j->path, err, errsz);
    if (!rc) {
        import_pose_free(j->pose2d ? &p2 : NULL);
        import_pose_free(j->pose3d ? &p3 : NULL);
        free(meta);
    }
    return rc;
}

int import_surreal_info_read(import_pose *pose2d, import_pose *pose3d, char **meta_json,
                             const char *path, char *err, size_t errsz)
{
    if (pose2d)
        memset(pose2d, 0, sizeof *pose2d);
    if (pose3d)
        memset(pose3d, 0, sizeof *pose3d);
    if (meta_json)
        *meta_json = NULL;
    int rc = import_check_regular(path, err, errsz);
    if (rc)
        return rc;
    info_job j = { path, pose2d != NULL, pose3d != NULL, meta_json != NULL };
    if ((rc = mat_need(path, err, errsz)) || (rc = cli_sandboxed(info_dry_run, &j, path, "MATLAB", err, errsz)))
        return rc;
    return info_read(pose2d, pose3d, meta_json, path, err, errsz);
}

/* ---------------------------------------------------------------- frames */

/* Per-frame variables depth_1..depth_N / segm_1..segm_N of a SURREAL
 * _depth.mat/_segm.mat (H x W, column-major). */
static int frames_open(void **out, uint64_t *frames, uint32_t *h, uint32_t *w, int *dtype,
                       const char *path, const char *prefix, char *err, size_t errsz)
{
    *out = NULL;
    int rc = import_check_regular(path, err, errsz);
    if (rc)
        return rc;
    struct stat st;
    uint64_t fsize = stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
    if (mat_need(path, err, errsz))
        return SYNAPT_E_UNSUPPORTED;
    mat_t *m = Mat_Open(path, MAT_ACC_RDONLY);
    if (!m) {
        import_errf(err, errsz, path, 0, "not a MATLAB .mat file matio can read");
        return SYNAPT_E_INPUT;
    }
    matvar_t *info;
    uint64_t n = 0;
    size_t plen = strlen(prefix);
    uint32_t H = 0, W = 0;
    int dt = 0;
    /* uncompressed variables are laid end to end: together they cannot
     * claim more than the file holds (one claiming more than its share
     * would make matio read its neighbour's bytes as pixels) */
    uint64_t plain = 0;
    int v73 = Mat_GetVersion(m) == MAT_FT_MAT73;
    while ((info = Mat_VarReadNextInfo(m))) {
        const char *nm = info->name ? info->name : "";
        size_t ne = mat_numel(info), es = Mat_SizeOfClass(info->class_type);
        if (!v73 && info->compression == MAT_COMPRESSION_NONE && es && ne != SIZE_MAX &&
            ne <= SIZE_MAX / es)
            plain += (uint64_t)ne * es;
        if (strncmp(nm, prefix, plen) == 0 && nm[plen] == '_') {
            int64_t idx;
            if (import_parse_int(&idx, nm + plen + 1, 1, IMPORT_MAX_FRAMES) == 0) {
                if ((uint64_t)idx > n)
                    n = (uint64_t)idx;
                if (idx == 1) {
                    if (info->rank != 2 || info->dims[0] == 0 || info->dims[1] == 0 ||
                        info->dims[0] > IMPORT_MAX_IMAGE_SIDE || info->dims[1] > IMPORT_MAX_IMAGE_SIDE ||
                        !mat_is_numeric(info)) {
                        Mat_VarFree(info);
                        Mat_Close(m);
                        import_errf(err, errsz, path, 0, "%s_1 must be a numeric H x W matrix", prefix);
                        return SYNAPT_E_INPUT;
                    }
                    if (!mat_fits_file(info, fsize, v73)) {
                        Mat_VarFree(info);
                        Mat_Close(m);
                        import_errf(err, errsz, path, 0, "%s_1 claims more data than the file can hold",
                                    prefix);
                        return SYNAPT_E_INPUT;
                    }
                    H = (uint32_t)info->dims[0];
                    W = (uint32_t)info->dims[1];
                    dt = info->class_type == MAT_C_UINT8 ? SYNAPT_DTYPE_U8 :
                         info->class_type == MAT_C_UINT16 ? SYNAPT_DTYPE_U16 : SYNAPT_DTYPE_F32;
                }
            }
        }
        Mat_VarFree(info);
    }
    if (plain > fsize) {
        Mat_Close(m);
        import_errf(err, errsz, path, 0, "its variables claim %llu bytes of data but the file has %llu",
                    (unsigned long long)plain, (unsigned long long)fsize);
        return SYNAPT_E_INPUT;
    }
    if (n == 0 || H == 0) {
        Mat_Close(m);
        import_errf(err, errsz, path, 0, "no %s_1..%s_N variables", prefix, prefix);
        return SYNAPT_E_INPUT;
    }
    *out = m;
    *frames = n;
    *h = H;
    *w = W;
    *dtype = dt;
    return 0;
}

int import_mat_frames_read(void *handle, uint64_t t, void *buf, uint32_t h, uint32_t w, int dtype,
                           const char *path, const char *prefix, char *err, size_t errsz)
{
    mat_t *m = handle;
    char name[64];
    snprintf(name, sizeof name, "%s_%llu", prefix, (unsigned long long)(t + 1));
    /* the header first: Mat_VarRead would allocate whatever the dims claim */
    matvar_t *info = Mat_VarReadInfo(m, name);
    int shape_ok = info && info->rank == 2 && info->dims[0] == h && info->dims[1] == w &&
                   Mat_SizeOfClass(info->class_type) <= 8;
    Mat_VarFree(info);
    if (!shape_ok) {
        import_errf(err, errsz, path, 0, "%s is missing or not a %ux%u numeric matrix like %s_1",
                    name, h, w, prefix);
        return SYNAPT_E_INPUT;
    }
    matvar_t *v = Mat_VarRead(m, name);
    if (!v) {
        import_errf(err, errsz, path, 0, "no variable %s", name);
        return SYNAPT_E_INPUT;
    }
    int rc = 0;
    if (!mat_is_numeric(v) || !mat_data_ok(v) || v->rank != 2 || v->dims[0] != h || v->dims[1] != w) {
        import_errf(err, errsz, path, 0, "%s is not a %ux%u numeric matrix like %s_1", name, h, w, prefix);
        rc = SYNAPT_E_INPUT;
    } else {
        /* MATLAB is column-major: element (y, x) is at y + h*x */
        for (uint32_t y = 0; y < h; y++)
            for (uint32_t x = 0; x < w; x++) {
                double d = mat_get(v, (size_t)y + (size_t)h * x);
                size_t o = (size_t)y * w + x;
                if (dtype == SYNAPT_DTYPE_U8)
                    ((uint8_t *)buf)[o] = d < 0 ? 0 : d > 255 ? 255 : (uint8_t)d;
                else if (dtype == SYNAPT_DTYPE_U16)
                    ((uint16_t *)buf)[o] = d < 0 ? 0 : d > 65535 ? 65535 : (uint16_t)d;
                else
                    ((float *)buf)[o] = (float)d;
            }
    }
    Mat_VarFree(v);
    return rc;
}

void import_mat_frames_close(void *handle)
{
    if (handle)
        Mat_Close((mat_t *)handle);
}

typedef struct frames_job {
    const char *path, *prefix;
} frames_job;

/* every frame the importer will read, read once in the child */
static int frames_dry_run(void *arg, char *err, size_t errsz)
{
    frames_job *j = arg;
    void *m = NULL;
    uint64_t n;
    uint32_t h, w;
    int dt;
    int rc = frames_open(&m, &n, &h, &w, &dt, j->path, j->prefix, err, errsz);
    if (rc)
        return rc;
    size_t es = dt == SYNAPT_DTYPE_U8 ? 1 : dt == SYNAPT_DTYPE_U16 ? 2 : 4;
    void *buf = malloc((size_t)h * w * es);
    if (!buf)
        rc = SYNAPT_E_NOMEM;
    for (uint64_t t = 0; !rc && t < n; t++)
        rc = import_mat_frames_read(m, t, buf, h, w, dt, j->path, j->prefix, err, errsz);
    free(buf);
    import_mat_frames_close(m);
    return rc;
}

int import_mat_frames_open(void **out, uint64_t *frames, uint32_t *h, uint32_t *w, int *dtype,
                           const char *path, const char *prefix, char *err, size_t errsz)
{
    *out = NULL;
    int rc = import_check_regular(path, err, errsz);
    if (rc)
        return rc;
    frames_job j = { path, prefix };
    if ((rc = mat_need(path, err, errsz)) || (rc = cli_sandboxed(frames_dry_run, &j, path, "MATLAB", err, errsz)))
        return rc;
    return frames_open(out, frames, h, w, dtype, path, prefix, err, errsz);
}
