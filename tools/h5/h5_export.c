/* h5_export.c - write clips of a dataset (a .synapt file or a manifest of
 * them) in the HDF5 layout of spec/hdf5.md, streaming frame batches so
 * memory stays bounded. */
#define H5LAYOUT_INTERNAL
#include "h5.h"
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libswscale/swscale.h>

/* Frames are read and written in batches of about this many bytes. */
#define BATCH_BYTES (32u << 20)
/* A single frame or packet larger than this is refused rather than
 * allocated: far above any real frame, far below a runaway size. */
#define MAX_ITEM_BYTES (1ull << 30)
/* Packet bytes are stored in chunks of this size. */
#define PACKET_CHUNK (1u << 20)
/* Table rows (sizes, pts, persons) per batch. */
#define ROWS 4096

typedef struct ex {
    hid_t file;
    synapt_dataset *ds;
    const synapt_reader *r;     /* the member reader of the clip being written */
    const h5layout_export_options *o;
    const char *out;            /* the final path, for messages */
    char *err;
    size_t errsz;
    int failed;                 /* err already holds the message */
    void *buf;
    size_t cap;
    uint64_t frames;
    const char *clip_id;        /* for messages */
    const char *stream_name;
    uint64_t g;                 /* the dataset clip being written */
    int frame_labels;           /* the stream being written holds label ids */
} ex;

/* ---- messages ------------------------------------------------------- */

static int fail(ex *x, int code, const char *fmt, ...)
{
    if (x->failed) return code;
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    char where[600] = "";
    if (x->clip_id && x->stream_name)
        snprintf(where, sizeof where, "clip '%s' stream '%s': ", x->clip_id, x->stream_name);
    else if (x->clip_id)
        snprintf(where, sizeof where, "clip '%s': ", x->clip_id);
    snprintf(x->err, x->errsz, "%s: %s%s", x->out, where, what);
    x->failed = 1;
    return code;
}

/* an HDF5 call failed: our context plus HDF5's innermost reason */
static int fail_h5(ex *x, const char *doing)
{
    char why[256];
    h5c_reason(why, sizeof why);
    return fail(x, SYNAPT_E_IO, "%s failed%s%s", doing, why[0] ? ": " : "", why);
}

static int fail_reader(ex *x, int rc)
{
    if (x->failed) return rc;
    const char *m = synapt_reader_errmsg(x->r);
    snprintf(x->err, x->errsz, "%s", m && *m ? m : synapt_strerror(rc));
    x->failed = 1;
    return rc;
}

static int fail_dataset(ex *x, int rc)
{
    if (x->failed) return rc;
    const char *m = synapt_dataset_errmsg(x->ds);
    snprintf(x->err, x->errsz, "%s", m && *m ? m : synapt_strerror(rc));
    x->failed = 1;
    return rc;
}

static int need_buf(ex *x, uint64_t bytes)
{
    if (bytes > MAX_ITEM_BYTES + BATCH_BYTES)
        return fail(x, SYNAPT_E_LIMIT, "%" PRIu64 " bytes at once exceed the limit", bytes);
    if (bytes <= x->cap) return 0;
    void *b = realloc(x->buf, (size_t)bytes);
    if (!b) return fail(x, SYNAPT_E_NOMEM, "out of memory for %" PRIu64 " bytes", bytes);
    x->buf = b;
    x->cap = (size_t)bytes;
    return 0;
}

/* ---- datasets ------------------------------------------------------- */

/* Create dataset `name` of `rank` dims; rows (dim 0) chunked one per
 * chunk, or `chunk_rows` per chunk for tables, with the export's filter. */
static hid_t make_dataset(ex *x, hid_t loc, const char *name, hid_t type, int rank,
                          const hsize_t *dims, hsize_t chunk_rows)
{
    hsize_t chunk[8];
    uint64_t elems = 1;
    for (int d = 0; d < rank; d++) elems *= dims[d];
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (dcpl < 0) return H5I_INVALID_HID;
    /* HDF5 chunks cannot have a 0 dimension: empty datasets stay contiguous */
    if (elems > 0) {
        chunk[0] = chunk_rows < dims[0] ? chunk_rows : dims[0];
        for (int d = 1; d < rank; d++) chunk[d] = dims[d];
        int ok = H5Pset_chunk(dcpl, rank, chunk) >= 0;
        if (ok && H5Tget_size(type) > 1) ok = H5Pset_shuffle(dcpl) >= 0;
        if (ok && x->o->zstd) {
            unsigned level = 3;
            ok = H5Pset_filter(dcpl, H5LAYOUT_ZSTD_FILTER, H5Z_FLAG_MANDATORY, 1, &level) >= 0;
        } else if (ok) {
            ok = H5Pset_deflate(dcpl, (unsigned)x->o->deflate_level) >= 0;
        }
        if (!ok) {
            H5Pclose(dcpl);
            return H5I_INVALID_HID;
        }
    }
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t ds = space < 0 ? H5I_INVALID_HID
                         : H5Dcreate2(loc, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (space >= 0) H5Sclose(space);
    H5Pclose(dcpl);
    return ds;
}

/* Write rows [row, row+k) of dataset ds (whose row shape is dims[1..]). */
static int write_rows(hid_t ds, hid_t type, int rank, const hsize_t *dims, uint64_t row,
                      uint64_t k, const void *data)
{
    if (k == 0) return 0;
    hsize_t start[8] = { 0 }, count[8];
    start[0] = row;
    count[0] = k;
    for (int d = 1; d < rank; d++) count[d] = dims[d];
    hid_t fs = H5Dget_space(ds);
    hid_t ms = H5Screate_simple(rank, count, NULL);
    int rc = -1;
    if (fs >= 0 && ms >= 0 &&
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
        H5Dwrite(ds, type, ms, fs, H5P_DEFAULT, data) >= 0)
        rc = 0;
    if (ms >= 0) H5Sclose(ms);
    if (fs >= 0) H5Sclose(fs);
    return rc;
}

/* ---- stream attributes --------------------------------------------- */

static const char *channels_name(int c)
{
    switch (c) {
    case SYNAPT_CHANNELS_XY: return "xy";
    case SYNAPT_CHANNELS_XYC: return "xyc";
    case SYNAPT_CHANNELS_XYZ: return "xyz";
    case SYNAPT_CHANNELS_XYZC: return "xyzc";
    default: return "";
    }
}

static int stream_attrs(ex *x, hid_t g, const synapt_stream_info *si, const char *kind,
                        const char *encoding, const char *dtype, uint64_t frames)
{
    uint32_t fps[2] = { si->fps_num, si->fps_den };
    double scale = si->scale;
    synapt_skeleton_info sk;
    int has_sk = si->skeleton && synapt_skeleton_get(&sk, si->skeleton) == 0;
    int ok = h5c_attr_str(g, "kind", kind) == 0 && h5c_attr_str(g, "encoding", encoding) == 0 &&
             h5c_attr_str(g, "dtype", dtype) == 0 &&
             h5c_attr_num(g, "frame_shape", H5T_STD_U64LE, si->shape, si->ndim, 1) == 0 &&
             h5c_attr_num(g, "fps", H5T_STD_U32LE, fps, 2, 1) == 0 &&
             h5c_attr_num(g, "scale", H5T_IEEE_F64LE, &scale, 1, 0) == 0 &&
             h5c_attr_str(g, "units", si->units ? si->units : "") == 0 &&
             h5c_attr_str(g, "skeleton", has_sk ? sk.name : "") == 0 &&
             h5c_attr_str(g, "channels", channels_name(si->channels)) == 0 &&
             h5c_attr_num(g, "frame_count", H5T_STD_U64LE, &frames, 1, 0) == 0;
    if (ok && has_sk)
        ok = h5c_attr_strs(g, "joint_names", sk.joints, sk.joint_count) == 0 &&
             h5c_attr_num(g, "joint_parents", H5T_STD_I32LE, sk.parents, sk.joint_count, 1) == 0;
    return ok ? 0 : fail_h5(x, "writing the stream attributes");
}

/* ---- one stream ---------------------------------------------------- */

/* pts of an array stream, when it has any */
static int write_pts(ex *x, hid_t g, uint64_t clip, uint32_t s, uint64_t frames)
{
    hsize_t dims[1] = { frames };
    hid_t ds = make_dataset(x, g, "pts", H5T_STD_I64LE, 1, dims, ROWS);
    if (ds < 0) return fail_h5(x, "creating pts");
    int64_t pts[ROWS];
    int rc = 0;
    for (uint64_t f = 0; f < frames && !rc; f += ROWS) {
        uint64_t k = frames - f < ROWS ? frames - f : ROWS;
        if ((rc = synapt_reader_frame_pts(pts, x->r, clip, s, f, k)) != 0) rc = fail_reader(x, rc);
        else if (write_rows(ds, H5T_STD_I64LE, 1, dims, f, k, pts)) rc = fail_h5(x, "writing pts");
    }
    H5Dclose(ds);
    return rc;
}

typedef enum { READ_ARRAY, READ_POSE, READ_VIDEO } read_how;

/* Output size of decoded video under --size / --short-side. */
static void target_size(const h5layout_export_options *o, uint32_t w, uint32_t h, uint32_t *ow,
                        uint32_t *oh)
{
    *ow = w;
    *oh = h;
    if (o->width && o->height) {
        *ow = o->width;
        *oh = o->height;
    } else if (o->short_side && w && h) {
        double k = (double)o->short_side / (double)(w < h ? w : h);
        *ow = (uint32_t)(w * k / 2 + 0.5) * 2;
        *oh = (uint32_t)(h * k / 2 + 0.5) * 2;
        if (*ow < 2) *ow = 2;
        if (*oh < 2) *oh = 2;
    }
}

/* Dataset `data` of (T, *frame) rows, filled in batches. */
static int write_data(ex *x, hid_t g, uint64_t clip, uint32_t s, read_how how, int dtype,
                      int rank, const hsize_t *dims, uint32_t persons, uint32_t src_w, uint32_t src_h)
{
    /* decoded video at another size: frames are decoded at src_w x src_h
     * and scaled one by one (area filter down, bicubic up) */
    int resize = how == READ_VIDEO && (dims[2] != src_w || dims[1] != src_h);
    uint64_t frame_bytes = synapt_dtype_size(dtype);
    for (int d = 1; d < rank; d++) {
        if (dims[d] && frame_bytes > MAX_ITEM_BYTES / dims[d])
            return fail(x, SYNAPT_E_LIMIT, "frames exceed the %u MiB limit",
                        (unsigned)(MAX_ITEM_BYTES >> 20));
        frame_bytes *= dims[d];
    }
    hid_t type = h5c_type(dtype);
    if (type < 0) return fail(x, SYNAPT_E_UNSUPPORTED, "dtype %s has no HDF5 type", synapt_dtype_name(dtype));
    hid_t ds = make_dataset(x, g, "data", type, rank, dims, 1);
    if (ds < 0) {
        H5Tclose(type);
        return fail_h5(x, "creating data");
    }
    uint64_t src_bytes = resize ? (uint64_t)src_w * src_h * 3 : frame_bytes;
    uint64_t per = src_bytes > frame_bytes ? src_bytes : frame_bytes;
    uint64_t total = dims[0], batch = per ? BATCH_BYTES / per : total;
    if (batch == 0) batch = 1;
    int rc = 0;
    uint8_t *scaled = NULL;
    struct SwsContext *sws = NULL;
    if (resize) {
        int down = dims[2] < src_w || dims[1] < src_h;
        sws = sws_getContext((int)src_w, (int)src_h, AV_PIX_FMT_RGB24, (int)dims[2], (int)dims[1],
                             AV_PIX_FMT_RGB24, (down ? SWS_AREA : SWS_BICUBIC) | SWS_ACCURATE_RND,
                             NULL, NULL, NULL);
        scaled = malloc((size_t)(frame_bytes * (batch < total ? batch : total)) + 1);
        if (!sws || !scaled) rc = fail(x, SYNAPT_E_NOMEM, "cannot set up the resize");
    }
    if (!rc && frame_bytes && total) rc = need_buf(x, (batch < total ? batch : total) * src_bytes);
    for (uint64_t f = 0; f < total && frame_bytes && !rc; f += batch) {
        uint64_t k = total - f < batch ? total - f : batch;
        size_t bytes = (size_t)(k * src_bytes), got = bytes;
        if (how == READ_VIDEO)
            rc = synapt_video_read(x->buf, x->cap, &got, x->r, clip, s, f, k, SYNAPT_PIXFMT_RGB24);
        else if (how == READ_POSE)
            rc = synapt_reader_read_pose(x->buf, bytes / sizeof(float), x->r, clip, s, f, k, persons);
        else
            rc = synapt_reader_read_frames(x->buf, x->cap, &got, x->r, clip, s, f, k);
        if (rc) {
            rc = fail_reader(x, rc);
            break;
        }
        if (got != bytes) {
            rc = fail(x, SYNAPT_E_CORRUPT, "frames %" PRIu64 "..%" PRIu64 " gave %zu bytes, expected %zu",
                      f, f + k - 1, got, bytes);
            break;
        }
        /* the member's label ids -> indices into /labels (spec/hdf5.md) */
        if (x->frame_labels && (rc = synapt_dataset_map_frame_labels(x->ds, x->g, x->buf, got / sizeof(int32_t)))) {
            rc = fail_dataset(x, rc);
            break;
        }
        const void *out = x->buf;
        if (resize) {
            for (uint64_t i = 0; i < k; i++) {
                const uint8_t *in[1] = { (const uint8_t *)x->buf + i * src_bytes };
                int is[1] = { (int)src_w * 3 }, os[1] = { (int)dims[2] * 3 };
                uint8_t *o[1] = { scaled + i * frame_bytes };
                sws_scale(sws, in, is, 0, (int)src_h, o, os);
            }
            out = scaled;
        }
        if (write_rows(ds, type, rank, dims, f, k, out)) rc = fail_h5(x, "writing data");
    }
    sws_freeContext(sws);
    free(scaled);
    H5Dclose(ds);
    H5Tclose(type);
    if (!rc) x->frames += total;
    return rc;
}

/* Persons of each pose frame, from the frame sizes; *most gets the max. */
static int write_persons(ex *x, hid_t g, uint64_t clip, uint32_t s, uint64_t frames,
                         uint64_t person_bytes, uint32_t *most)
{
    hsize_t dims[1] = { frames };
    hid_t ds = make_dataset(x, g, "persons", H5T_STD_U32LE, 1, dims, ROWS);
    if (ds < 0) return fail_h5(x, "creating persons");
    uint64_t sizes[ROWS];
    uint32_t persons[ROWS];
    int rc = 0;
    *most = 0;
    for (uint64_t f = 0; f < frames && !rc; f += ROWS) {
        uint64_t k = frames - f < ROWS ? frames - f : ROWS;
        if ((rc = synapt_reader_frame_sizes(sizes, x->r, clip, s, f, k)) != 0) {
            rc = fail_reader(x, rc);
            break;
        }
        for (uint64_t i = 0; i < k; i++) {
            uint64_t p = person_bytes ? sizes[i] / person_bytes : 0;
            if (p > UINT32_MAX || (person_bytes && sizes[i] % person_bytes)) {
                rc = fail(x, SYNAPT_E_CORRUPT, "frame %" PRIu64 " holds %" PRIu64
                          " bytes, not whole persons", f + i, sizes[i]);
                break;
            }
            persons[i] = (uint32_t)p;
            if (persons[i] > *most) *most = persons[i];
        }
        if (!rc && write_rows(ds, H5T_STD_U32LE, 1, dims, f, k, persons))
            rc = fail_h5(x, "writing persons");
    }
    H5Dclose(ds);
    return rc;
}

/* Encoded packets byte for byte, with their table (spec: encoding packets). */
static int write_packets(ex *x, hid_t g, uint64_t clip, uint32_t s, const synapt_stream_info *si)
{
    uint64_t n = si->packet_count, total = 0;
    hsize_t nd[1] = { n };
    hid_t ts[4] = { H5T_STD_U64LE, H5T_STD_I64LE, H5T_STD_I64LE, H5T_STD_U32LE };
    static const char *const tn[4] = { "sizes", "pts", "dts", "flags" };
    hid_t tds[4] = { H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID };
    hid_t pds = H5I_INVALID_HID;
    int rc = 0;
    synapt_frame_entry *e = malloc(ROWS * sizeof *e);
    uint64_t *col = malloc(ROWS * sizeof *col);
    if (!e || !col) rc = fail(x, SYNAPT_E_NOMEM, "out of memory");
    for (int t = 0; t < 4 && !rc; t++)
        if ((tds[t] = make_dataset(x, g, tn[t], ts[t], 1, nd, ROWS)) < 0) rc = fail_h5(x, "creating the packet table");
    /* pass 1: the table, and the total size the byte dataset needs */
    for (uint64_t f = 0; f < n && !rc; f += ROWS) {
        uint64_t k = n - f < ROWS ? n - f : ROWS;
        if ((rc = synapt_reader_frame_entries(e, x->r, clip, s, f, k)) != 0) {
            rc = fail_reader(x, rc);
            break;
        }
        for (int t = 0; t < 4 && !rc; t++) {
            for (uint64_t i = 0; i < k; i++) {
                if (t == 0) {
                    col[i] = e[i].size;
                    total += e[i].size;
                } else if (t == 1) memcpy(&col[i], &e[i].pts, 8);
                else if (t == 2) memcpy(&col[i], &e[i].dts, 8);
                else ((uint32_t *)col)[i] = e[i].flags;
            }
            if (write_rows(tds[t], ts[t], 1, nd, f, k, col)) rc = fail_h5(x, "writing the packet table");
        }
    }
    hsize_t bd[1] = { total };
    if (!rc && (pds = make_dataset(x, g, "packets", H5T_STD_U8LE, 1, bd, PACKET_CHUNK)) < 0)
        rc = fail_h5(x, "creating packets");
    /* pass 2: the bytes, in runs of packets of about BATCH_BYTES */
    uint64_t at = 0;
    for (uint64_t f = 0; f < n && !rc;) {
        uint64_t k = n - f < ROWS ? n - f : ROWS;
        if ((rc = synapt_reader_frame_entries(e, x->r, clip, s, f, k)) != 0) {
            rc = fail_reader(x, rc);
            break;
        }
        uint64_t m = 0, bytes = 0;
        while (m < k && (m == 0 || bytes + e[m].size <= BATCH_BYTES)) bytes += e[m++].size;
        if ((rc = need_buf(x, bytes ? bytes : 1)) != 0) break;
        size_t got = 0;
        if ((rc = synapt_reader_read_packets(x->r, clip, s, f, m, x->buf, x->cap, &got)) != 0) {
            rc = fail_reader(x, rc);
            break;
        }
        if (got != bytes) {
            rc = fail(x, SYNAPT_E_CORRUPT, "packets %" PRIu64 "..%" PRIu64 " gave %zu bytes, expected %" PRIu64,
                      f, f + m - 1, got, bytes);
            break;
        }
        if (write_rows(pds, H5T_STD_U8LE, 1, bd, at, bytes, x->buf)) rc = fail_h5(x, "writing packets");
        at += bytes;
        f += m;
    }
    hsize_t ed[1] = { si->extradata_size };
    hid_t eds = H5I_INVALID_HID;
    if (!rc && (eds = make_dataset(x, g, "extradata", H5T_STD_U8LE, 1, ed, PACKET_CHUNK)) < 0)
        rc = fail_h5(x, "creating extradata");
    if (!rc && write_rows(eds, H5T_STD_U8LE, 1, ed, 0, si->extradata_size, si->extradata))
        rc = fail_h5(x, "writing extradata");
    if (eds >= 0) H5Dclose(eds);
    if (pds >= 0) H5Dclose(pds);
    for (int t = 0; t < 4; t++)
        if (tds[t] >= 0) H5Dclose(tds[t]);
    free(e);
    free(col);
    if (!rc) x->frames += n;
    return rc;
}

static int export_stream(ex *x, hid_t cg, uint64_t clip, uint32_t s)
{
    synapt_stream_info si;
    int rc = synapt_reader_stream(&si, x->r, clip, s);
    if (rc) return fail_reader(x, rc);
    x->stream_name = si.name;
    char *name = cli_escape_name(si.name);
    if (!name) return fail(x, SYNAPT_E_NOMEM, "out of memory");
    hid_t g = H5Gcreate2(cg, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    free(name);
    if (g < 0) return fail_h5(x, "creating the stream group");
    const char *kind = synapt_kind_name(si.kind);
    hsize_t dims[6];
    int encoded = si.codec != SYNAPT_CODEC_RAW;
    if (encoded && (x->o->video_packets || si.kind != SYNAPT_KIND_VIDEO)) {
        synapt_video_info vi;
        uint32_t wh[2] = { 0, 0 };
        if (si.kind == SYNAPT_KIND_VIDEO && synapt_video_get_info(&vi, x->r, clip, s) == 0) {
            wh[0] = vi.width;
            wh[1] = vi.height;
        }
        uint64_t frames = si.frame_count;
        rc = stream_attrs(x, g, &si, kind, "packets", "none", frames);
        if (!rc && (h5c_attr_str(g, "codec", synapt_codec_name(si.codec)) ||
                    h5c_attr_str(g, "codec_config", si.codec_config ? si.codec_config : "") ||
                    h5c_attr_num(g, "width", H5T_STD_U32LE, &wh[0], 1, 0) ||
                    h5c_attr_num(g, "height", H5T_STD_U32LE, &wh[1], 1, 0)))
            rc = fail_h5(x, "writing the codec attributes");
        if (!rc) rc = write_packets(x, g, clip, s, &si);
    } else if (encoded) {
        synapt_video_info vi;
        if ((rc = synapt_video_get_info(&vi, x->r, clip, s)) != 0) rc = fail_reader(x, rc);
        if (!rc) rc = stream_attrs(x, g, &si, kind, "array", "u8", vi.frame_count);
        if (!rc && h5c_attr_str(g, "decoded", "rgb24")) rc = fail_h5(x, "writing attributes");
        uint32_t ow = vi.width, oh = vi.height;
        if (!rc) target_size(x->o, vi.width, vi.height, &ow, &oh);
        dims[0] = vi.frame_count;
        dims[1] = oh;
        dims[2] = ow;
        dims[3] = 3;
        if (!rc && (ow != vi.width || oh != vi.height)) {
            uint32_t src_size[2] = { vi.width, vi.height };
            if (h5c_attr_num(g, "source_size", H5T_STD_U32LE, src_size, 2, 1)) rc = fail_h5(x, "writing attributes");
        }
        if (!rc) rc = write_data(x, g, clip, s, READ_VIDEO, SYNAPT_DTYPE_U8, 4, dims, 0, vi.width, vi.height);
    } else if (si.kind == SYNAPT_KIND_POSE2D || si.kind == SYNAPT_KIND_POSE3D) {
        if (si.ndim != 3 || si.dtype != SYNAPT_DTYPE_F32)
            rc = fail(x, SYNAPT_E_CORRUPT, "pose frames are not (P, J, C) f32");
        uint32_t most = 0;
        uint64_t pb = si.shape[1] * si.shape[2] * sizeof(float);
        if (!rc) rc = stream_attrs(x, g, &si, kind, "array", "f32", si.frame_count);
        if (!rc) rc = write_persons(x, g, clip, s, si.frame_count, pb, &most);
        dims[0] = si.frame_count;
        dims[1] = most;
        dims[2] = si.shape[1];
        dims[3] = si.shape[2];
        if (!rc) rc = write_data(x, g, clip, s, READ_POSE, SYNAPT_DTYPE_F32, 4, dims, most, 0, 0);
        if (!rc && si.has_pts) rc = write_pts(x, g, clip, s, si.frame_count);
    } else {
        uint64_t expect = synapt_dtype_size(si.dtype);
        dims[0] = si.frame_count;
        for (uint32_t d = 0; d < si.ndim && d < 4; d++) {
            dims[1 + d] = si.shape[d];
            expect *= si.shape[d];
        }
        if (si.ndim > 4 || !expect || (si.frame_count && si.frame_bytes != expect))
            rc = fail(x, SYNAPT_E_CORRUPT, "frames vary in size, so they do not form one array");
        if (!rc) rc = stream_attrs(x, g, &si, kind, "array", synapt_dtype_name(si.dtype), si.frame_count);
        x->frame_labels = si.kind == SYNAPT_KIND_FRAME_LABELS && si.dtype == SYNAPT_DTYPE_I32;
        if (!rc) rc = write_data(x, g, clip, s, READ_ARRAY, si.dtype, 1 + (int)si.ndim, dims, 0, 0, 0);
        x->frame_labels = 0;
        if (!rc && si.has_pts) rc = write_pts(x, g, clip, s, si.frame_count);
    }
    H5Gclose(g);
    x->stream_name = NULL;
    return rc;
}

/* ---- one clip ------------------------------------------------------ */

/* Dataset clip `gi`: its member's reader for the streams, the dataset's
 * label ids (a manifest's label_map applied) for `labels`. */
static int export_clip(ex *x, hid_t clips, uint64_t gi)
{
    synapt_reader *r = NULL;
    uint64_t clip;
    x->g = gi;
    int rc = synapt_dataset_acquire(&r, &clip, x->ds, gi);
    if (rc) return fail_dataset(x, rc);
    x->r = r;
    synapt_clip_info ci;
    rc = synapt_reader_clip(&ci, r, clip);
    if (rc) {
        synapt_dataset_release(x->ds, r);
        return fail_reader(x, rc);
    }
    x->clip_id = ci.id;
    char *name = cli_escape_name(ci.id);
    uint32_t *labels = malloc(((size_t)ci.label_count + 1) * sizeof *labels);
    const char **keys = malloc(((size_t)ci.group_count + 1) * sizeof *keys);
    const char **vals = malloc(((size_t)ci.group_count + 1) * sizeof *vals);
    const char **snames = malloc(((size_t)ci.stream_count + 1) * sizeof *snames);
    hid_t g = H5I_INVALID_HID;
    if (!name || !labels || !keys || !vals || !snames) {
        rc = fail(x, SYNAPT_E_NOMEM, "out of memory");
        goto done;
    }
    /* a label_map can only drop or merge labels, never add one */
    size_t nl = 0;
    if ((rc = synapt_dataset_clip_labels(labels, ci.label_count, &nl, x->ds, gi)) != 0) {
        rc = fail_dataset(x, rc);
        goto done;
    }
    if (nl > ci.label_count) nl = ci.label_count;
    for (uint32_t i = 0; i < ci.group_count; i++)
        if ((rc = synapt_reader_clip_group(&keys[i], &vals[i], r, clip, i)) != 0) {
            rc = fail_reader(x, rc);
            goto done;
        }
    for (uint32_t s = 0; s < ci.stream_count; s++) {
        synapt_stream_info si;
        if ((rc = synapt_reader_stream(&si, r, clip, s)) != 0) {
            rc = fail_reader(x, rc);
            goto done;
        }
        snames[s] = si.name;
    }
    if ((g = H5Gcreate2(clips, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0) {
        rc = fail_h5(x, "creating the clip group");
        goto done;
    }
    int32_t syn = ci.synthetic ? 1 : 0;
    if (h5c_attr_str(g, "id", ci.id) || h5c_attr_num(g, "index", H5T_STD_U64LE, &gi, 1, 0) ||
        h5c_attr_str(g, "split", ci.split) || h5c_attr_str(g, "source", ci.source) ||
        h5c_attr_num(g, "synthetic", H5T_STD_I32LE, &syn, 1, 0) ||
        h5c_attr_num(g, "labels", H5T_STD_I32LE, labels, nl, 1) ||
        h5c_attr_strs(g, "group_keys", keys, ci.group_count) ||
        h5c_attr_strs(g, "group_values", vals, ci.group_count) ||
        h5c_attr_str(g, "meta_json", ci.meta_json) ||
        h5c_attr_strs(g, "streams", snames, ci.stream_count)) {
        rc = fail_h5(x, "writing the clip attributes");
        goto done;
    }
    for (uint32_t s = 0; s < ci.stream_count && !rc; s++) rc = export_stream(x, g, clip, s);
done:
    if (g >= 0) H5Gclose(g);
    free(name);
    free(labels);
    free(keys);
    free(vals);
    free(snames);
    x->clip_id = NULL;
    x->r = NULL;
    synapt_dataset_release(x->ds, r);
    return rc;
}

/* ---- file ---------------------------------------------------------- */

/* A string dataset (N,) from a callback giving element i. The strings are
 * copied: a manifest's clip ids live in member readers, which the dataset
 * may close while a batch is gathered. */
static int write_strings(ex *x, hid_t loc, const char *name, uint64_t n,
                         const char *(*get)(ex *x, uint64_t i))
{
    hsize_t dims[1] = { n };
    hid_t t = h5c_str_type();
    hid_t ds = t < 0 ? t : make_dataset(x, loc, name, t, 1, dims, ROWS);
    char *v[256];
    int rc = ds < 0 ? fail_h5(x, "creating a string table") : 0;
    for (uint64_t i = 0; i < n && !rc; i += 256) {
        uint64_t k = n - i < 256 ? n - i : 256, j = 0;
        for (; j < k && !rc; j++) {
            const char *sv = get(x, i + j);
            if (!sv) rc = fail_dataset(x, SYNAPT_E_CORRUPT);
            else if (!(v[j] = strdup(sv))) rc = fail(x, SYNAPT_E_NOMEM, "out of memory");
            if (rc) break;
        }
        if (!rc && write_rows(ds, t, 1, dims, i, k, v)) rc = fail_h5(x, "writing a string table");
        while (j > 0) free(v[--j]);
    }
    if (ds >= 0) H5Dclose(ds);
    if (t >= 0) H5Tclose(t);
    return rc;
}

static const char *label_at(ex *x, uint64_t i)
{
    return synapt_dataset_label_name(x->ds, (uint32_t)i);
}

static const char *clip_id_at(ex *x, uint64_t i)
{
    synapt_clip_info ci;
    uint64_t c = x->o->clips ? x->o->clips[i] : i;
    return synapt_dataset_clip(&ci, x->ds, c) == 0 ? ci.id : NULL;
}

/* Root provenance: a single file's uuid and writer; for a manifest the
 * member files' uuids (the manifest itself has none). */
static int write_provenance(ex *x)
{
    synapt_dataset_member mi;
    char uuid[33] = "";
    uint32_t nm = synapt_dataset_member_count(x->ds);
    if (!synapt_dataset_is_manifest(x->ds)) {
        synapt_file_info fi;
        synapt_reader *r = NULL;
        int rc;
        if ((rc = synapt_dataset_member_info(&mi, x->ds, 0)) != 0) return fail_dataset(x, rc);
        for (int i = 0; i < 16; i++) snprintf(uuid + 2 * i, 3, "%02x", mi.uuid[i]);
        /* the header's writer: through a clip's reader, or a fresh open of an
         * empty file (the dataset hands out readers by clip only) */
        if (synapt_dataset_clip_count(x->ds)) {
            uint64_t mc;
            if ((rc = synapt_dataset_acquire(&r, &mc, x->ds, 0)) != 0) return fail_dataset(x, rc);
        } else if ((rc = synapt_reader_open2(&r, mi.resolved_path, NULL, x->err, x->errsz)) != 0) {
            x->failed = 1;
            return rc;
        }
        rc = synapt_reader_file_info(&fi, r);
        int bad = rc || h5c_attr_str(x->file, "source_writer", fi.writer ? fi.writer : "");
        if (rc) fail(x, rc, "%s", synapt_reader_errmsg(r));
        if (synapt_dataset_clip_count(x->ds)) synapt_dataset_release(x->ds, r);
        else synapt_reader_close(r);
        if (rc) return rc;
        if (bad || h5c_attr_str(x->file, "source_uuid", uuid)) return fail_h5(x, "writing the root attributes");
        return 0;
    }
    const char **uuids = malloc((nm ? nm : 1) * sizeof *uuids);
    char *hex = malloc((size_t)(nm ? nm : 1) * 33);
    if (!uuids || !hex) {
        free(uuids);
        free(hex);
        return fail(x, SYNAPT_E_NOMEM, "out of memory");
    }
    for (uint32_t m = 0; m < nm; m++) {
        synapt_dataset_member_info(&mi, x->ds, m);
        for (int i = 0; i < 16; i++) snprintf(hex + 33 * (size_t)m + 2 * i, 3, "%02x", mi.uuid[i]);
        uuids[m] = hex + 33 * (size_t)m;
    }
    int bad = h5c_attr_str(x->file, "source_uuid", "") || h5c_attr_str(x->file, "source_writer", "") ||
              h5c_attr_strs(x->file, "source_member_uuids", uuids, nm);
    free(uuids);
    free(hex);
    return bad ? fail_h5(x, "writing the root attributes") : 0;
}

int h5layout_zstd_available(void)
{
    if (h5dl_load(NULL, 0)) return 0;
    h5c_quiet();
    unsigned cfg = 0;
    if (H5Zfilter_avail(H5LAYOUT_ZSTD_FILTER) <= 0) return 0;
    if (H5Zget_filter_info(H5LAYOUT_ZSTD_FILTER, &cfg) < 0) return 0;
    return (cfg & H5Z_FILTER_CONFIG_ENCODE_ENABLED) != 0;
}

static int fsync_path(const char *p, int dir)
{
    int fd = open(p, dir ? O_RDONLY | O_DIRECTORY : O_RDONLY);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int h5layout_export(h5layout_stats *stats, synapt_dataset *ds, const char *path,
                    const h5layout_export_options *opts, char *err, size_t errsz)
{
    h5layout_export_options dflt = H5LAYOUT_EXPORT_OPTIONS_INIT;
    if (!opts) opts = &dflt;
    ex x;
    memset(&x, 0, sizeof x);
    x.file = H5I_INVALID_HID;
    x.ds = ds;
    x.o = opts;
    x.out = path;
    x.err = err;
    x.errsz = errsz;
    err[0] = 0;
    if (stats) memset(stats, 0, sizeof *stats);
    /* not fail(): the caller names the output, `path` is where it is staged */
    if (h5dl_load(err, errsz)) return SYNAPT_E_UNSUPPORTED;
    h5c_quiet();
    if (opts->zstd && !h5layout_zstd_available())
        return fail(&x, SYNAPT_E_UNSUPPORTED, "--hdf5-zstd needs the HDF5 zstd filter (id %d), which "
                    "this HDF5 cannot load (install a plugin such as hdf5-filter-plugin and set "
                    "HDF5_PLUGIN_PATH); the default deflate needs none", H5LAYOUT_ZSTD_FILTER);
    if (opts->deflate_level < 0 || opts->deflate_level > 9)
        return fail(&x, SYNAPT_E_INVALID_ARG, "deflate level %d is not 0..9", opts->deflate_level);

    /* the temporary sits beside the target so the final rename stays on
     * one file system */
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 32);
    if (!tmp) return fail(&x, SYNAPT_E_NOMEM, "out of memory");
    snprintf(tmp, pl + 32, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return fail(&x, SYNAPT_E_IO, "cannot create a temporary file beside it: %s", strerror(e));
    }
    /* mkstemp makes the file 0600; the result should get the usual mode */
    mode_t um = umask(0);
    umask(um);
    fchmod(fd, 0666 & ~um);
    close(fd);
    /* (signals: the caller's; synapt-convert passes a path inside a
     * staging folder the cli removes on a signal, this temporary with it) */
    int renamed = 0;

    int rc = 0;
    hid_t clips = H5I_INVALID_HID;
    uint64_t n = opts->clips ? opts->clip_count : synapt_dataset_clip_count(ds);
    x.file = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (x.file < 0) {
        rc = fail_h5(&x, "creating the HDF5 file");
        goto done;
    }
    int32_t version = H5LAYOUT_VERSION;
    if (h5c_attr_num(x.file, "synapt_hdf5", H5T_STD_I32LE, &version, 1, 0) ||
        h5c_attr_str(x.file, "writer", opts->writer ? opts->writer : "synapt") ||
        h5c_attr_str(x.file, "video", opts->video_packets ? "packets" : "decode") ||
        h5c_attr_str(x.file, "compression", opts->zstd ? "zstd" : "deflate")) {
        rc = fail_h5(&x, "writing the root attributes");
        goto done;
    }
    if ((rc = write_provenance(&x)) != 0) goto done;
    if ((rc = write_strings(&x, x.file, "labels", synapt_dataset_label_count(ds), label_at)) ||
        (rc = write_strings(&x, x.file, "clip_ids", n, clip_id_at)))
        goto done;
    if ((clips = H5Gcreate2(x.file, "clips", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0) {
        rc = fail_h5(&x, "creating /clips");
        goto done;
    }
    for (uint64_t i = 0; i < n && !rc; i++) {
        uint64_t c = opts->clips ? opts->clips[i] : i;
        rc = export_clip(&x, clips, c);
        if (!rc && stats) stats->clips++;
        if (!rc && opts->progress && opts->progress(opts->progress_user, i + 1, n))
            rc = fail(&x, SYNAPT_E_IO, "stopped");
    }
    H5Gclose(clips);
    clips = H5I_INVALID_HID;
    if (rc) goto done;
    herr_t cr = H5Fclose(x.file);
    x.file = H5I_INVALID_HID;
    if (cr < 0) {
        rc = fail_h5(&x, "finishing the HDF5 file");
        goto done;
    }
    if (fsync_path(tmp, 0) != 0 || rename(tmp, path) != 0) {
        rc = fail(&x, SYNAPT_E_IO, "cannot write: %s", strerror(errno));
        goto done;
    }
    renamed = 1;
    {
        /* the rename is durable only once the directory is synced */
        char *dir = strdup(path), *sl = dir ? strrchr(dir, '/') : NULL;
        if (dir) {
            if (sl) *(sl == dir ? sl + 1 : sl) = 0;
            fsync_path(sl ? dir : ".", 1);
            free(dir);
        }
    }
    if (stats) {
        struct stat st;
        stats->frames = x.frames;
        if (stat(path, &st) == 0) stats->bytes_written = (uint64_t)st.st_size;
    }
done:
    if (clips >= 0) H5Gclose(clips);
    if (x.file >= 0) H5Fclose(x.file);
    if (!renamed) unlink(tmp);
    free(tmp);
    free(x.buf);
    return rc;
}
