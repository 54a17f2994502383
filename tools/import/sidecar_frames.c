/* import_frames.c - frame-by-frame sources for depth, mask and RGB
 * sidecars: PNG/JPEG folders or globs, HDF5 datasets, .npy arrays and
 * SURREAL _depth.mat/_segm.mat files (see import.h). */
#include "import.h"
#include "npy/npy.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <hdf5.h>
#include "h5/h5.h"
#include <libavcodec/avcodec.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

enum { SRC_FILES = 1, SRC_HDF5, SRC_NPY, SRC_MAT };

struct import_frames {
    int src;
    import_frames_info info;
    char *path;                  /* for messages */
    char **files;                /* SRC_FILES: one image per frame */
    size_t nfiles;
    hid_t h5file, h5dset;        /* SRC_HDF5 */
    hid_t h5type;
    npy_array npy;               /* SRC_NPY: whole array */
    void *mat;                   /* SRC_MAT */
    char *mat_prefix;
};

const import_frames_info *import_frames_get_info(const import_frames *f)
{
    return &f->info;
}

static size_t frame_bytes(const import_frames_info *i)
{
    size_t es = i->dtype == SYNAPT_DTYPE_U8 ? 1 : i->dtype == SYNAPT_DTYPE_U16 ? 2 : 4;
    return (size_t)i->height * i->width * i->channels * es;
}

void import_frames_close(import_frames *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->nfiles; i++)
        free(f->files[i]);
    free(f->files);
    if (f->src == SRC_HDF5) {
        import_h5_enter();
        if (f->h5type >= 0)
            H5Tclose(f->h5type);
        if (f->h5dset >= 0)
            H5Dclose(f->h5dset);
        if (f->h5file >= 0)
            H5Fclose(f->h5file);
        import_h5_leave();
    }
    npy_array_free(&f->npy);
    import_mat_frames_close(f->mat);
    free(f->mat_prefix);
    free(f->path);
    free(f);
}

/* ---------------------------------------------------------------- PNG */

typedef struct png_ctx { char *err; size_t errsz; const char *file; jmp_buf jb; } png_ctx;

static void png_err_cb(png_structp png, png_const_charp msg)
{
    png_ctx *c = png_get_error_ptr(png);
    import_errf(c->err, c->errsz, c->file, 0, "PNG: %s", msg);
    longjmp(c->jb, 1);
}

static void png_warn_cb(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg; /* warnings (e.g. an unknown chunk) do not stop an import */
}

/* Read a PNG: 8/16-bit gray -> 1 channel u8/u16; colour -> 3 channels u8.
 * With buf NULL only the header is read into *info. */
static int png_read(const char *file, import_frames_info *info, void *buf, size_t size,
                    char *err, size_t errsz)
{
    int orc;
    FILE *fp = import_fopen_regular(file, &orc, err, errsz);
    if (!fp)
        return orc;
    png_ctx ctx;
    ctx.err = err;
    ctx.errsz = errsz;
    ctx.file = file;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ctx, png_err_cb, png_warn_cb);
    png_infop pi = png ? png_create_info_struct(png) : NULL;
    /* volatile: modified after setjmp and read after a longjmp */
    png_bytep *volatile rows = NULL;
    volatile int rc = 0;
    if (!png || !pi) {
        rc = SYNAPT_E_NOMEM;
        goto done;
    }
    if (setjmp(ctx.jb)) {
        rc = SYNAPT_E_INPUT;
        goto done;
    }
    png_set_user_limits(png, IMPORT_MAX_IMAGE_SIDE, IMPORT_MAX_IMAGE_SIDE);
    png_set_chunk_malloc_max(png, 64u << 20);
    png_init_io(png, fp);
    png_read_info(png, pi);
    png_uint_32 w = png_get_image_width(png, pi), h = png_get_image_height(png, pi);
    int depth = png_get_bit_depth(png, pi), ct = png_get_color_type(png, pi);
    int gray = !(ct & PNG_COLOR_MASK_COLOR) && ct != PNG_COLOR_TYPE_PALETTE;
    if (ct & PNG_COLOR_MASK_ALPHA)
        png_set_strip_alpha(png);
    if (ct == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(png);
    if (gray && depth < 8)
        png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, pi, PNG_INFO_tRNS))
        png_set_tRNS_to_alpha(png), png_set_strip_alpha(png);
    int out16 = gray && depth == 16;
    if (!gray && depth == 16)
        png_set_strip_16(png);
    if (out16)
        png_set_swap(png); /* PNG is big-endian; frames are little-endian */
    png_read_update_info(png, pi);
    import_frames_info got = { 0, (uint32_t)h, (uint32_t)w, gray ? 1u : 3u,
                               out16 ? SYNAPT_DTYPE_U16 : SYNAPT_DTYPE_U8, 0 };
    size_t rowbytes = png_get_rowbytes(png, pi);
    if (rowbytes != (size_t)w * got.channels * (out16 ? 2 : 1)) {
        import_errf(err, errsz, file, 0, "PNG: unexpected row size");
        rc = SYNAPT_E_INPUT;
        goto done;
    }
    if (!buf) {
        *info = got;
        goto done;
    }
    if (got.height != info->height || got.width != info->width || got.channels != info->channels ||
        got.dtype != info->dtype) {
        import_errf(err, errsz, file, 0, "%ux%u %s x%u differs from the first frame (%ux%u %s x%u)",
                    got.width, got.height, got.dtype == SYNAPT_DTYPE_U16 ? "u16" : "u8", got.channels,
                    info->width, info->height, info->dtype == SYNAPT_DTYPE_U16 ? "u16" : "u8",
                    info->channels);
        rc = SYNAPT_E_INPUT;
        goto done;
    }
    if (size < rowbytes * h) {
        rc = SYNAPT_E_BUFFER;
        goto done;
    }
    rows = malloc(h * sizeof *rows);
    if (!rows) {
        rc = SYNAPT_E_NOMEM;
        goto done;
    }
    for (png_uint_32 y = 0; y < h; y++)
        rows[y] = (png_bytep)buf + (size_t)y * rowbytes;
    png_read_image(png, rows);
    png_read_end(png, NULL);
done:
    if (rc == SYNAPT_E_NOMEM)
        import_errf(err, errsz, file, 0, "out of memory");
    free(rows);
    png_destroy_read_struct(png ? &png : NULL, pi ? &pi : NULL, NULL);
    fclose(fp);
    return rc;
}

/* ---------------------------------------------------------------- JPEG */

/* Decode a JPEG file with FFmpeg's mjpeg decoder into RGB24. With buf NULL
 * only the size is taken (the image is still decoded: JPEG headers are
 * cheap to get wrong, so the full decode is the honest check). */
static int jpeg_read(const char *file, import_frames_info *info, void *buf, size_t size,
                     char *err, size_t errsz)
{
    char *data = NULL;
    size_t len;
    int rc = import_read_file(&data, &len, file, 256u << 20, err, errsz);
    if (rc)
        return rc;
    const AVCodec *codec = avcodec_find_decoder(AV_CODEC_ID_MJPEG);
    AVCodecContext *cx = codec ? avcodec_alloc_context3(codec) : NULL;
    AVPacket *pkt = av_packet_alloc();
    AVFrame *fr = av_frame_alloc();
    struct SwsContext *sws = NULL;
    if (!codec || !cx || !pkt || !fr) {
        import_errf(err, errsz, file, 0, codec ? "out of memory" : "this FFmpeg has no mjpeg decoder");
        rc = codec ? SYNAPT_E_NOMEM : SYNAPT_E_UNSUPPORTED;
        goto done;
    }
    cx->thread_count = 1;
    /* a hostile header may announce a huge picture: the decoder refuses it */
    cx->max_pixels = (int64_t)(IMPORT_MAX_FRAME_BYTES / 4);
    if (avcodec_open2(cx, codec, NULL) < 0) {
        import_errf(err, errsz, file, 0, "cannot open the mjpeg decoder");
        rc = SYNAPT_E_CODEC;
        goto done;
    }
    pkt->data = (uint8_t *)data;
    pkt->size = (int)(len > INT32_MAX ? INT32_MAX : len);
    int r = avcodec_send_packet(cx, pkt);
    if (r >= 0)
        r = avcodec_send_packet(cx, NULL);
    r = avcodec_receive_frame(cx, fr);
    if (r < 0 || fr->width <= 0 || fr->height <= 0) {
        char e[128];
        av_strerror(r, e, sizeof e);
        import_errf(err, errsz, file, 0, "JPEG decode failed: %s", r < 0 ? e : "no picture");
        rc = SYNAPT_E_INPUT;
        goto done;
    }
    if ((unsigned)fr->width > IMPORT_MAX_IMAGE_SIDE || (unsigned)fr->height > IMPORT_MAX_IMAGE_SIDE) {
        import_errf(err, errsz, file, 0, "image too large");
        rc = SYNAPT_E_LIMIT;
        goto done;
    }
    import_frames_info got = { 0, (uint32_t)fr->height, (uint32_t)fr->width, 3, SYNAPT_DTYPE_U8, 0 };
    if (!buf) {
        *info = got;
        goto done;
    }
    if (got.height != info->height || got.width != info->width) {
        import_errf(err, errsz, file, 0, "%ux%u differs from the first frame (%ux%u)", got.width,
                    got.height, info->width, info->height);
        rc = SYNAPT_E_INPUT;
        goto done;
    }
    if (size < (size_t)got.width * got.height * 3) {
        rc = SYNAPT_E_BUFFER;
        goto done;
    }
    /* the yuvj* formats are deprecated aliases meaning "full range": give
     * swscale the plain format and say full range, which is what they mean */
    enum AVPixelFormat src = fr->format;
    int full = fr->color_range == AVCOL_RANGE_JPEG;
    switch (src) {
    case AV_PIX_FMT_YUVJ420P: src = AV_PIX_FMT_YUV420P; full = 1; break;
    case AV_PIX_FMT_YUVJ422P: src = AV_PIX_FMT_YUV422P; full = 1; break;
    case AV_PIX_FMT_YUVJ444P: src = AV_PIX_FMT_YUV444P; full = 1; break;
    case AV_PIX_FMT_YUVJ440P: src = AV_PIX_FMT_YUV440P; full = 1; break;
    default: break;
    }
    sws = sws_getContext(fr->width, fr->height, src, fr->width, fr->height, AV_PIX_FMT_RGB24,
                         SWS_BILINEAR | SWS_ACCURATE_RND, NULL, NULL, NULL);
    if (sws) {
        const int *coef = sws_getCoefficients(SWS_CS_ITU601);
        sws_setColorspaceDetails(sws, coef, full, coef, 1, 0, 1 << 16, 1 << 16);
    }
    if (!sws) {
        import_errf(err, errsz, file, 0, "cannot convert pixel format %d to RGB", fr->format);
        rc = SYNAPT_E_UNSUPPORTED;
        goto done;
    }
    uint8_t *dst[4] = { buf, NULL, NULL, NULL };
    int stride[4] = { fr->width * 3, 0, 0, 0 };
    sws_scale(sws, (const uint8_t *const *)fr->data, fr->linesize, 0, fr->height, dst, stride);
done:
    sws_freeContext(sws);
    av_frame_free(&fr);
    if (pkt)
        pkt->data = NULL;
    av_packet_free(&pkt);
    avcodec_free_context(&cx);
    free(data);
    return rc;
}

static int is_jpeg(const char *p)
{
    size_t n = strlen(p);
    return (n > 4 && strcasecmp(p + n - 4, ".jpg") == 0) || (n > 5 && strcasecmp(p + n - 5, ".jpeg") == 0);
}

static int is_png(const char *p)
{
    size_t n = strlen(p);
    return n > 4 && strcasecmp(p + n - 4, ".png") == 0;
}

static int image_read(const char *file, import_frames_info *info, void *buf, size_t size,
                      char *err, size_t errsz)
{
    return is_jpeg(file) ? jpeg_read(file, info, buf, size, err, errsz)
                         : png_read(file, info, buf, size, err, errsz);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_images(import_frames *f, const char *path, char *err, size_t errsz)
{
    size_t cap = 0;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d) {
            import_errf(err, errsz, path, 0, "cannot open folder");
            return SYNAPT_E_IO;
        }
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.' || !(is_png(e->d_name) || is_jpeg(e->d_name)))
                continue;
            if (f->nfiles == cap) {
                cap = cap ? cap * 2 : 256;
                char **nf = cap <= IMPORT_MAX_FRAMES ? realloc(f->files, cap * sizeof *nf) : NULL;
                if (!nf) {
                    closedir(d);
                    import_errf(err, errsz, path, 0, "too many frames");
                    return SYNAPT_E_LIMIT;
                }
                f->files = nf;
            }
            if (!(f->files[f->nfiles] = import_path_join(path, e->d_name))) {
                closedir(d);
                return SYNAPT_E_NOMEM;
            }
            f->nfiles++;
        }
        closedir(d);
    } else {
        glob_t g;
        int r = glob(path, 0, NULL, &g);
        if (r == 0 && g.gl_pathc <= IMPORT_MAX_FRAMES) {
            f->files = calloc(g.gl_pathc ? g.gl_pathc : 1, sizeof *f->files);
            for (size_t i = 0; f->files && i < g.gl_pathc; i++)
                if ((f->files[i] = strdup(g.gl_pathv[i])))
                    f->nfiles++;
        }
        globfree(&g);
        if (r == GLOB_NOSPACE)
            return SYNAPT_E_NOMEM;
    }
    if (f->nfiles == 0) {
        import_errf(err, errsz, path, 0, "no PNG or JPEG frames");
        return SYNAPT_E_INPUT;
    }
    /* frame numbers are zero-padded in every layout we know (00001.jpg):
     * name order is frame order */
    qsort(f->files, f->nfiles, sizeof *f->files, cmp_str);
    return 0;
}

/* ---------------------------------------------------------------- open */

static int h5_open(import_frames *f, const import_sidecar *sc, char *err, size_t errsz)
{
    int rc = 0;
    f->h5file = f->h5dset = f->h5type = -1;
    if ((rc = import_check_regular(sc->path, err, errsz)))
        return rc;
    import_h5_enter();
    hid_t s = -1;
    f->h5file = H5Fopen(sc->path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f->h5file < 0) {
        import_errf(err, errsz, sc->path, 0, "cannot open as HDF5");
        rc = SYNAPT_E_INPUT;
        goto done;
    }
    f->h5dset = H5Dopen2(f->h5file, sc->inner, h5guard_dapl());
    if (f->h5dset < 0) {
        import_errf(err, errsz, sc->path, 0, "no dataset '%s' (external links are not followed)", sc->inner);
        rc = SYNAPT_E_NOT_FOUND;
        goto done;
    }
    if ((rc = h5guard_dataset(f->h5dset, sc->path, sc->inner, err, errsz)))
        goto done;
    s = H5Dget_space(f->h5dset);
    int nd = s >= 0 ? H5Sget_simple_extent_ndims(s) : -1;
    hsize_t dims[4] = { 0, 0, 0, 1 };
    if (nd == 3 || nd == 4)
        H5Sget_simple_extent_dims(s, dims, NULL);
    if ((nd != 3 && nd != 4) || dims[1] == 0 || dims[2] == 0 || dims[1] > IMPORT_MAX_IMAGE_SIDE ||
        dims[2] > IMPORT_MAX_IMAGE_SIDE || dims[0] > IMPORT_MAX_FRAMES || (dims[3] != 1 && dims[3] != 3)) {
        import_errf(err, errsz, sc->path, 0, "dataset '%s' must be (T,H,W) or (T,H,W,1|3)", sc->inner);
        rc = SYNAPT_E_INPUT;
        goto done;
    }
    hid_t t = H5Dget_type(f->h5dset);
    H5T_class_t cls = H5Tget_class(t);
    size_t tsz = H5Tget_size(t);
    H5T_sign_t sign = cls == H5T_INTEGER ? H5Tget_sign(t) : H5T_SGN_NONE;
    H5Tclose(t);
    int dt;
    if (cls == H5T_INTEGER && tsz == 1 && sign == H5T_SGN_NONE)
        dt = SYNAPT_DTYPE_U8, f->h5type = H5Tcopy(H5T_NATIVE_UINT8);
    else if (cls == H5T_INTEGER && tsz == 2 && sign == H5T_SGN_NONE)
        dt = SYNAPT_DTYPE_U16, f->h5type = H5Tcopy(H5T_NATIVE_UINT16);
    else if (cls == H5T_FLOAT || cls == H5T_INTEGER)
        dt = SYNAPT_DTYPE_F32, f->h5type = H5Tcopy(H5T_NATIVE_FLOAT);
    else {
        import_errf(err, errsz, sc->path, 0, "dataset '%s' is not numeric", sc->inner);
        rc = SYNAPT_E_INPUT;
        goto done;
    }
    import_frames_info i = { dims[0], (uint32_t)dims[1], (uint32_t)dims[2], (uint32_t)dims[3], dt, 0 };
    f->info = i;
done:
    if (s >= 0)
        H5Sclose(s);
    import_h5_leave();
    return rc;
}

/* the dry run of an HDF5 frames sidecar in the sandboxed child: open it
 * and read every frame the way the pack will */
static int h5_dry_run(void *arg, char *err, size_t errsz)
{
    const import_sidecar *sc = arg;
    import_frames *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(sc->path))) {
        free(f);
        return SYNAPT_E_NOMEM;
    }
    f->src = SRC_HDF5;
    void *buf = NULL;
    int rc = h5_open(f, sc, err, errsz);
    size_t need = frame_bytes(&f->info);
    if (!rc && need > IMPORT_MAX_FRAME_BYTES)
        rc = SYNAPT_E_LIMIT; /* the parent's own open names it */
    if (!rc && !(buf = malloc(need ? need : 1)))
        rc = SYNAPT_E_NOMEM;
    for (uint64_t t = 0; !rc && t < f->info.frames; t++)
        rc = import_frames_read(f, t, buf, need, err, errsz);
    free(buf);
    import_frames_close(f);
    return rc == SYNAPT_E_LIMIT ? 0 : rc;
}

int import_frames_open(import_frames **out, const import_sidecar *sc, char *err, size_t errsz)
{
    *out = NULL;
    import_frames *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(sc->path))) {
        free(f);
        import_errf(err, errsz, sc->path, 0, "out of memory");
        return SYNAPT_E_NOMEM;
    }
    f->h5file = f->h5dset = f->h5type = -1;
    int rc = 0;
    switch (sc->kind) {
    case IMPORT_SC_PNG_DIR:
    case IMPORT_SC_IMAGE_DIR:
        f->src = SRC_FILES;
        if ((rc = list_images(f, sc->path, err, errsz)))
            break;
        rc = image_read(f->files[0], &f->info, NULL, 0, err, errsz);
        f->info.frames = f->nfiles;
        break;
    case IMPORT_SC_HDF5:
        f->src = SRC_HDF5;
        if ((rc = import_check_regular(sc->path, err, errsz)) ||
            (rc = import_h5_sandboxed(h5_dry_run, (void *)sc, sc->path, err, errsz)))
            break;
        rc = h5_open(f, sc, err, errsz);
        break;
    case IMPORT_SC_NPY:
    case IMPORT_SC_NPZ: {
        f->src = SRC_NPY;
        if (sc->kind == IMPORT_SC_NPY)
            rc = npy_read_file(&f->npy, sc->path, 0, err, errsz);
        else
            rc = import_npz_read(&f->npy, sc->path, sc->inner, err, errsz);
        if (rc)
            break;
        npy_array *a = &f->npy;
        int dt = a->dtype;
        if ((a->ndim != 3 && a->ndim != 4) || (a->ndim == 4 && a->shape[3] != 1 && a->shape[3] != 3) ||
            (dt != SYNAPT_DTYPE_U8 && dt != SYNAPT_DTYPE_U16 && dt != SYNAPT_DTYPE_F32) ||
            a->shape[1] == 0 || a->shape[2] == 0 || a->shape[1] > IMPORT_MAX_IMAGE_SIDE ||
            a->shape[2] > IMPORT_MAX_IMAGE_SIDE) {
            import_errf(err, errsz, sc->path, 0,
                        "frames array must be u8, u16 or f32 shaped (T,H,W) or (T,H,W,1|3)");
            rc = SYNAPT_E_INPUT;
            break;
        }
        import_frames_info i = { a->shape[0], (uint32_t)a->shape[1], (uint32_t)a->shape[2],
                                 a->ndim == 4 ? (uint32_t)a->shape[3] : 1u, dt, 0 };
        f->info = i;
        break;
    }
    case IMPORT_SC_MAT: {
        f->src = SRC_MAT;
        const char *prefix = sc->inner && *sc->inner ? sc->inner : strstr(sc->path, "_segm") ? "segm" : "depth";
        if (!(f->mat_prefix = strdup(prefix))) {
            rc = SYNAPT_E_NOMEM;
            break;
        }
        f->info.channels = 1;
        rc = import_mat_frames_open(&f->mat, &f->info.frames, &f->info.height, &f->info.width,
                                    &f->info.dtype, sc->path, prefix, err, errsz);
        break;
    }
    default:
        import_errf(err, errsz, sc->path, 0, "a %s sidecar does not hold image frames",
                    import_sidecar_kind_name(sc->kind));
        rc = SYNAPT_E_INPUT;
    }
    if (!rc && frame_bytes(&f->info) > IMPORT_MAX_FRAME_BYTES) {
        /* the header may announce any size: refuse before a frame buffer is made */
        import_errf(err, errsz, sc->path, 0, "frames of %ux%ux%u exceed the %llu-byte limit",
                    f->info.width, f->info.height, f->info.channels,
                    (unsigned long long)IMPORT_MAX_FRAME_BYTES);
        rc = SYNAPT_E_LIMIT;
    }
    if (!rc) {
        /* depth stored as 16-bit integers is millimetres unless told */
        f->info.scale = sc->scale > 0 ? sc->scale : f->info.dtype == SYNAPT_DTYPE_U16 ? 0.001 : 1.0;
        *out = f;
        return 0;
    }
    if (rc == SYNAPT_E_NOMEM)
        import_errf(err, errsz, sc->path, 0, "out of memory");
    import_frames_close(f);
    return rc;
}

int import_frames_read(import_frames *f, uint64_t t, void *buf, size_t size, char *err, size_t errsz)
{
    if (t >= f->info.frames) {
        import_errf(err, errsz, f->path, 0, "frame %llu out of range (%llu frames)",
                    (unsigned long long)t, (unsigned long long)f->info.frames);
        return SYNAPT_E_RANGE;
    }
    size_t need = frame_bytes(&f->info);
    if (size < need) {
        import_errf(err, errsz, f->path, 0, "frame buffer too small");
        return SYNAPT_E_BUFFER;
    }
    switch (f->src) {
    case SRC_FILES:
        return image_read(f->files[t], &f->info, buf, size, err, errsz);
    case SRC_HDF5: {
        int rc = 0;
        import_h5_enter();
        hid_t fs = H5Dget_space(f->h5dset);
        hsize_t start[4] = { t, 0, 0, 0 };
        hsize_t count[4] = { 1, f->info.height, f->info.width, f->info.channels };
        int nd = H5Sget_simple_extent_ndims(fs);
        hid_t ms = H5Screate_simple(nd, count, NULL);
        if (fs < 0 || ms < 0 || H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
            H5Dread(f->h5dset, f->h5type, ms, fs, H5P_DEFAULT, buf) < 0) {
            import_errf(err, errsz, f->path, 0, "reading frame %llu failed", (unsigned long long)t);
            rc = SYNAPT_E_INPUT;
        }
        if (ms >= 0)
            H5Sclose(ms);
        if (fs >= 0)
            H5Sclose(fs);
        import_h5_leave();
        return rc;
    }
    case SRC_NPY:
        memcpy(buf, (const char *)f->npy.data + t * need, need);
        return 0;
    case SRC_MAT:
        return import_mat_frames_read(f->mat, t, buf, f->info.height, f->info.width, f->info.dtype,
                                      f->path, f->mat_prefix, err, errsz);
    default:
        return SYNAPT_E_INVALID_ARG;
    }
}

/* ---------------------------------------------------------------- labels */

int import_frame_labels_read(int32_t **out, uint64_t *n, const import_sidecar *sc, char *err, size_t errsz)
{
    *out = NULL;
    *n = 0;
    if (sc->kind == IMPORT_SC_NPY) {
        npy_array a;
        int rc = npy_read_file(&a, sc->path, (uint64_t)IMPORT_MAX_FRAMES * 8, err, errsz);
        if (rc)
            return rc;
        if (a.ndim != 1 || a.kind == 'S' || a.kind == 'U' || a.kind == 'f') {
            npy_array_free(&a);
            import_errf(err, errsz, sc->path, 0, "frame labels must be a 1-D integer array");
            return SYNAPT_E_INPUT;
        }
        *out = malloc((a.count ? a.count : 1) * sizeof **out);
        if (!*out) {
            npy_array_free(&a);
            return SYNAPT_E_NOMEM;
        }
        for (uint64_t i = 0; i < a.count; i++) {
            int64_t v;
            if (npy_array_get_i64(&v, &a, i) || v < INT32_MIN || v > INT32_MAX) {
                free(*out);
                *out = NULL;
                npy_array_free(&a);
                import_errf(err, errsz, sc->path, 0, "frame label %llu is not a 32-bit integer",
                            (unsigned long long)i);
                return SYNAPT_E_INPUT;
            }
            (*out)[i] = (int32_t)v;
        }
        *n = a.count;
        npy_array_free(&a);
        return 0;
    }
    /* text: one integer per line, or a JSON array (inline or in a file) */
    char *text = NULL;
    size_t tlen = 0;
    int rc = 0;
    if (sc->kind == IMPORT_SC_JSON_ARRAY) {
        text = strdup(sc->inner ? sc->inner : "");
        if (!text)
            return SYNAPT_E_NOMEM;
        tlen = strlen(text);
    } else if ((rc = import_read_file(&text, &tlen, sc->path, 256u << 20, err, errsz))) {
        return rc;
    }
    size_t cap = 0;
    const char *name = sc->kind == IMPORT_SC_JSON_ARRAY ? "frame_labels" : sc->path;
    /* a NUL would end the parse early and drop the labels after it (or cut
     * "11" to 1): a text file holding one is not a label list */
    const char *nul = memchr(text, 0, tlen);
    if (nul) {
        import_errf(err, errsz, name, 0, "NUL byte at offset %zu; frame labels are text", (size_t)(nul - text));
        free(text);
        return SYNAPT_E_INPUT;
    }
    char *p = text;
    uint64_t line = 1;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        line += *p++ == '\n';
    int json = *p == '[';
    if (json)
        p++;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || (json && *p == ','))
            line += *p++ == '\n';
        if (!*p || (json && *p == ']'))
            break;
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        /* JSON has no leading zeros (RFC 8259): "[007]" is not JSON; in a
         * text file one integer per line is plain decimal, zeros or not */
        const char *dig = p + (*p == '-' || *p == '+');
        int lead0 = json && dig[0] == '0' && dig[1] >= '0' && dig[1] <= '9';
        if (end == p || errno == ERANGE || v < INT32_MIN || v > INT32_MAX || lead0 || (json && *p == '+') ||
            !(*end == 0 || *end == ',' || *end == ']' || *end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')) {
            import_errf(err, errsz, name, json ? 0 : line, "frame labels must be 32-bit integers");
            rc = SYNAPT_E_INPUT;
            break;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 1024;
            int32_t *nv = cap <= IMPORT_MAX_FRAMES ? realloc(*out, cap * sizeof *nv) : NULL;
            if (!nv) {
                import_errf(err, errsz, name, 0, "too many frame labels");
                rc = SYNAPT_E_LIMIT;
                break;
            }
            *out = nv;
        }
        (*out)[(*n)++] = (int32_t)v;
        p = end;
    }
    if (!rc && json && *p != ']') {
        import_errf(err, errsz, name, 0, "unterminated JSON array");
        rc = SYNAPT_E_INPUT;
    }
    if (!rc && json) {
        for (p++; *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'; p++)
            ;
        if (*p) {
            import_errf(err, errsz, name, 0, "text after the JSON array of frame labels");
            rc = SYNAPT_E_INPUT;
        }
    }
    free(text);
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}
