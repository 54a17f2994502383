/* export_frames.c - --to frames: image folders of the image-like streams,
 * one PNG per frame, for the loaders that want rawframes. */
#include "export.h"
#include "cli/cli.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define BATCH_BYTES (32u << 20)

typedef struct png_jmp {
    jmp_buf jb;
    char msg[200];
} png_jmp;

static void on_png_error(png_structp png, png_const_charp msg)
{
    png_jmp *j = png_get_error_ptr(png);
    snprintf(j->msg, sizeof j->msg, "%s", msg);
    longjmp(j->jb, 1);
}

static void on_png_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

/* One PNG: 8-bit (channels 1, 3 or 4) or 16-bit gray (samples native
 * order; PNG wants big-endian, libpng swaps). Fast zlib level: these are
 * working files, and PNG encoding dominates the export time. */
int export_png_write(const char *path, const void *px, uint32_t w, uint32_t h, int channels,
                     int depth16, char *why, size_t whysz)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(why, whysz, "%s", strerror(errno));
        return -1;
    }
    png_jmp j;
    j.msg[0] = 0;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &j, on_png_error, on_png_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_write_struct(&png, NULL);
        fclose(f);
        snprintf(why, whysz, "out of memory");
        return -1;
    }
    if (setjmp(j.jb)) {
        png_destroy_write_struct(&png, &info);
        fclose(f);
        snprintf(why, whysz, "%s", j.msg);
        return -1;
    }
    static const int types[5] = { 0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
                                   PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGBA };
    png_init_io(png, f);
    png_set_compression_level(png, 1);
    png_set_IHDR(png, info, w, h, depth16 ? 16 : 8, types[channels], PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    if (depth16) png_set_swap(png);
    size_t stride = (size_t)w * (size_t)channels * (depth16 ? 2 : 1);
    for (uint32_t y = 0; y < h; y++) png_write_row(png, (png_const_bytep)px + (size_t)y * stride);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    if (fclose(f) != 0) {
        snprintf(why, whysz, "%s", strerror(errno));
        return -1;
    }
    return 0;
}

static int mkdir_p2(const char *a, const char *b, char *out, size_t cap)
{
    snprintf(out, cap, "%.2000s/%.2000s", a, b);
    return mkdir(out, 0777) == 0 || errno == EEXIST ? 0 : -1;
}

typedef struct fr {
    const synapt_reader *r;
    char *err;
    size_t errsz;
    const char *target;
    void *buf, *conv;
    size_t cap, conv_cap;
    uint64_t written;
} fr;

static int grow(void **p, size_t *cap, size_t want)
{
    if (want <= *cap) return 0;
    void *n = realloc(*p, want);
    if (!n) return -1;
    *p = n;
    *cap = want;
    return 0;
}

static int frames_of_stream(fr *x, const char *clipdir, const char *clip_id, uint64_t clip,
                            uint32_t s, const synapt_stream_info *si)
{
    int kind = si->kind, video = kind == SYNAPT_KIND_VIDEO || si->codec != SYNAPT_CODEC_RAW;
    if (!video && kind != SYNAPT_KIND_IMAGE && kind != SYNAPT_KIND_DEPTH && kind != SYNAPT_KIND_MASK)
        return 1; /* not image-like: skipped */
    export_array a;
    int rc = export_array_of(&a, x->r, clip, s);
    if (rc) {
        snprintf(x->err, x->errsz, "%s: clip '%s' stream '%s': %s", x->target, clip_id, si->name,
                 rc == SYNAPT_E_INVALID_ARG ? "frames do not form an image" : synapt_reader_errmsg(x->r));
        return rc;
    }
    int channels = a.ndim == 4 ? (int)a.dims[3] : 1;
    int f32 = a.dtype == SYNAPT_DTYPE_F32, u16 = a.dtype == SYNAPT_DTYPE_U16;
    if ((a.ndim != 3 && a.ndim != 4) || channels < 1 || channels > 4 ||
        !(a.dtype == SYNAPT_DTYPE_U8 || u16 || (f32 && kind == SYNAPT_KIND_DEPTH)) ||
        a.dims[1] > 1000000 || a.dims[2] > 1000000) {
        snprintf(x->err, x->errsz, "%s: clip '%s' stream '%s': a %s %s stream has no PNG form", x->target,
                 clip_id, si->name, synapt_dtype_name(a.dtype), synapt_kind_name(kind));
        return SYNAPT_E_INVALID_ARG;
    }
    char *sname = cli_escape_name(si->name);
    char dir[4096], path[4200];
    if (!sname || mkdir_p2(clipdir, sname, dir, sizeof dir)) {
        free(sname);
        snprintf(x->err, x->errsz, "%s: cannot create %s: %s", x->target, dir, strerror(errno));
        return SYNAPT_E_IO;
    }
    free(sname);
    /* sidecar first: a reader of the folder learns how to scale the PNGs */
    double scale = f32 ? 0.001 : si->scale;
    snprintf(path, sizeof path, "%s/frames.json", dir);
    FILE *j = fopen(path, "w");
    if (!j) {
        snprintf(x->err, x->errsz, "%s: cannot create %s: %s", x->target, path, strerror(errno));
        return SYNAPT_E_IO;
    }
    fprintf(j, "{\"kind\": \"%s\", \"frames\": %" PRIu64 ", \"fps\": [%u, %u], \"bits\": %d",
            synapt_kind_name(kind), a.dims[0], si->fps_num, si->fps_den, u16 || f32 ? 16 : 8);
    if (kind == SYNAPT_KIND_DEPTH)
        fprintf(j, ", \"scale\": %.17g, \"units\": \"m per PNG unit\"%s", scale,
                f32 ? ", \"note\": \"f32 metres stored as u16 millimetres, 0 = no depth\"" : "");
    if (fprintf(j, "}\n") < 0 || fclose(j) != 0) {
        snprintf(x->err, x->errsz, "%s: cannot write %s", x->target, path);
        return SYNAPT_E_IO;
    }
    uint64_t batch = a.frame_bytes ? BATCH_BYTES / a.frame_bytes : 1;
    if (batch == 0) batch = 1;
    uint64_t px = a.dims[1] * a.dims[2];
    if (grow(&x->buf, &x->cap, (size_t)((batch < a.dims[0] ? batch : a.dims[0]) * a.frame_bytes + 1)) ||
        (f32 && grow(&x->conv, &x->conv_cap, (size_t)(px * 2 + 1)))) {
        snprintf(x->err, x->errsz, "%s: out of memory", x->target);
        return SYNAPT_E_NOMEM;
    }
    for (uint64_t f = 0; f < a.dims[0]; f += batch) {
        uint64_t k = a.dims[0] - f < batch ? a.dims[0] - f : batch;
        if ((rc = export_array_read(x->buf, x->cap, &a, x->r, clip, s, f, k)) != 0) {
            snprintf(x->err, x->errsz, "%s", synapt_reader_errmsg(x->r));
            return rc;
        }
        for (uint64_t i = 0; i < k; i++) {
            const uint8_t *fp = (const uint8_t *)x->buf + i * a.frame_bytes;
            if (f32) {
                const float *d = (const float *)fp;
                uint16_t *o = x->conv;
                for (uint64_t p = 0; p < px; p++) {
                    double mm = d[p] * 1000.0 + 0.5;
                    o[p] = isfinite(d[p]) && mm >= 0 ? (mm > 65535 ? 65535 : (uint16_t)mm) : 0;
                }
                fp = x->conv;
            }
            char why[200];
            snprintf(path, sizeof path, "%s/%06" PRIu64 ".png", dir, f + i);
            if (export_png_write(path, fp, (uint32_t)a.dims[2], (uint32_t)a.dims[1], channels, u16 || f32, why,
                          sizeof why)) {
                snprintf(x->err, x->errsz, "%s: cannot write %s: %s", x->target, path, why);
                return SYNAPT_E_IO;
            }
            x->written++;
        }
    }
    return 0;
}

int export_frames(uint64_t *written, synapt_dataset *ds, const char *dir,
                  const export_options *o, char *err, size_t errsz)
{
    fr x;
    memset(&x, 0, sizeof x);
    x.err = err;
    x.errsz = errsz;
    x.target = dir;
    err[0] = 0;
    export_stage st;
    int rc = export_stage_open(&st, dir, err, errsz);
    if (rc) return rc;
    uint64_t matched = 0;
    for (size_t i = 0; i < o->clip_count && !rc; i++) {
        synapt_clip_info ci;
        synapt_reader *r;
        uint64_t clip;
        if ((rc = export_acquire(&r, &clip, &ci, ds, o->clips[i], err, errsz)) != 0) break;
        x.r = r;
        char *cname = cli_escape_name(ci.id);
        char clipdir[4096];
        if (!cname || mkdir_p2(st.path, cname, clipdir, sizeof clipdir)) {
            snprintf(err, errsz, "%s: cannot create the folder of clip '%s'", dir, ci.id);
            free(cname);
            synapt_dataset_release(ds, r);
            rc = SYNAPT_E_IO;
            break;
        }
        free(cname);
        for (uint32_t s = 0; s < ci.stream_count && !rc; s++) {
            synapt_stream_info si;
            if ((rc = synapt_reader_stream(&si, r, clip, s)) != 0) {
                snprintf(err, errsz, "%s", synapt_reader_errmsg(r));
                break;
            }
            if (o->stream && strcmp(o->stream, si.name) != 0) continue;
            rc = frames_of_stream(&x, clipdir, ci.id, clip, s, &si);
            if (rc == 1) rc = 0;
            else if (rc == 0) matched++;
        }
        x.r = NULL;
        synapt_dataset_release(ds, r);
        if (!rc && o->progress) o->progress(o->progress_user, i + 1, o->clip_count);
    }
    if (!rc && matched == 0) {
        snprintf(err, errsz, "%s: no %s stream to write as frames (image, video, depth or mask)", dir,
                 o->stream ? o->stream : "image-like");
        rc = SYNAPT_E_NOT_FOUND;
    }
    if (!rc) rc = export_stage_commit(&st, err, errsz);
    else export_stage_abort(&st);
    free(x.buf);
    free(x.conv);
    if (written) *written = rc ? 0 : x.written;
    return rc;
}
