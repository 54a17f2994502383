/* bench_depth.c - depth storage: bytes and decode speed of a synapt depth
 * stream (writer defaults) against 16-bit PNG, plain zstd at the same
 * level, the 1.0 filter (depth_med) and lossless JPEG XL (libjxl, effort 7,
 * when built with it), all measured in the same run, on
 *
 *   - every real depth frame in ../shared/realdata/depth (16-bit PNG and
 *     PGM; SYNAPT_REALDATA overrides the place), skipped with a message
 *     when absent;
 *   - synapt-synth's rendered depth (640x480, clean surfaces, background);
 *   - the same frames through a Kinect-like sensor model (disparity
 *     quantization, noise growing with depth, invalid zeros at edges and
 *     dropouts);
 *   - bench_core's noisy synthetic frames (continuous noise, few zeros).
 *
 * PNG sizes: the real files as they are; for synthetic frames libpng's
 * defaults. Decode speed is MB/s of raw u16 pixels, single thread, CPU
 * time, median of repeats: synapt through synapt_reader_read_frames
 * (checksums on), zstd as ZSTD_decompress alone, libjxl with no parallel
 * runner. A second table sets compression 3 (depth_ans, the size-first
 * codec) against the default, PNG and libjxl on the same frames.
 * Usage: bench_depth [--quick]. */
#include <dirent.h>
#include <math.h>
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>
#ifdef SYNAPT_HAVE_JXL
#include <jxl/decode.h>
#include <jxl/encode.h>
#endif

#include "synapt.h"
#include "internal.h"   /* sy_depth_med: the 1.0 filter, for its row; sy_dstrip_*: the decoders one by one */
#include "synth/synth.h"
#include "bench_util.h"
#include "bench_depthio.h"

static int g_quick;
static char g_dir[256];

/* ---- inputs ------------------------------------------------------------- */

typedef struct sample {
    char name[128];
    int w, h;
    uint16_t *px;
    size_t png_bytes;     /* the file's size, or libpng defaults for synthetic frames */
    const char *png_how;
} sample;

typedef struct membuf { uint8_t *p; size_t n, cap; } membuf;
static void png_mem_write(png_structp png, png_bytep data, png_size_t len)
{
    membuf *m = png_get_io_ptr(png);
    if (m->n + len > m->cap) {
        while (m->n + len > m->cap) m->cap = m->cap ? m->cap * 2 : 65536;
        m->p = realloc(m->p, m->cap);
        if (!m->p) png_error(png, "out of memory");
    }
    memcpy(m->p + m->n, data, len);
    m->n += len;
}
static void png_mem_flush(png_structp png) { (void)png; }

static size_t png16_size(const uint16_t *d, int w, int h)
{
    membuf m = { 0 };
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    png_bytep *rows = bench_xmalloc(sizeof *rows * (size_t)h);
    if (!info || setjmp(png_jmpbuf(png))) { fprintf(stderr, "bench_depth: libpng failed\n"); exit(1); }
    png_set_write_fn(png, &m, png_mem_write, png_mem_flush);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 16, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    png_set_swap(png);
    for (int y = 0; y < h; y++) rows[y] = (png_bytep)(d + (size_t)y * (size_t)w);
    png_write_image(png, rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(rows);
    free(m.p);
    return m.n;
}

/* A structured-light sensor seen through its depth output: depth in mm is
 * the inverse of an integer disparity (so steps grow with z^2), with noise
 * of a fraction of a disparity step, no reading (0) beyond 8 m, near depth
 * edges (the projector's shadow) and at random dropouts. */
static void kinectify(uint16_t *d, int w, int h, uint32_t seed)
{
    uint32_t rng = seed | 1;
    uint16_t *src = bench_xmalloc((size_t)w * h * 2);
    memcpy(src, d, (size_t)w * h * 2);
    const double k = 348000.0;   /* mm x disparity units: 1 m = 348, 4 m = 87 */
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * w + x;
            double z = src[i];
            int edge = x > 0 && abs((int)src[i] - (int)src[i - 1]) > 150;
            if (z <= 0 || z > 8000 || edge || (bench_rng32(&rng) % 200) == 0) { d[i] = 0; continue; }
            double disp = k / z + ((double)(bench_rng32(&rng) & 0xFFFF) / 65535.0 - 0.5) * 0.9;
            long q = lround(disp);
            d[i] = q > 0 ? (uint16_t)fmin(65535.0, k / (double)q) : 0;
        }
    free(src);
}

/* bench_core's noisy frame: planes, a blob, noise growing with z^2, 1/512 dropouts */
static void make_noisy(uint16_t *d, int w, int h, uint32_t seed)
{
    uint32_t rng = seed | 1;
    double cx = w * 0.45, cy = h * 0.55, rad = h * 0.18;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double z = y > h / 2 ? 1500.0 + (double)(h - y) * (3000.0 / h) : 4200.0 + (double)x * 0.8;
            double dx = x - cx, dy = y - cy, rr = dx * dx + dy * dy;
            if (rr < rad * rad) z = 1800.0 - sqrt(rad * rad - rr) * 6.0;
            double sigma = 0.0012 * z * z / 1000.0;
            double u = ((double)(bench_rng32(&rng) & 0xffff) / 65535.0 - 0.5) * 2.0;
            int v = (int)(z + u * sigma);
            if ((bench_rng32(&rng) & 511) == 0) v = 0;
            d[(size_t)y * w + x] = (uint16_t)(v < 0 ? 0 : v > 65535 ? 65535 : v);
        }
}

/* ---- codecs under test -------------------------------------------------- */

typedef struct result {
    size_t bytes;
    double mbps;      /* decode, MB/s of raw pixels; 0 when not measured */
} result;

static int g_reps;

static result run_zstd(const sample *s, int level, int med)
{
    size_t n = (size_t)s->w * s->h * 2, cap = ZSTD_compressBound(n);
    uint8_t *in = (uint8_t *)s->px, *f = NULL, *c = bench_xmalloc(cap), *out = bench_xmalloc(n);
    if (med) {
        f = bench_xmalloc(n);
        sy_depth_med(f, in, n, (size_t)s->w);
        in = f;
    }
    result r = { ZSTD_compress(c, cap, in, n, level), 0 };
    if (ZSTD_isError(r.bytes)) { fprintf(stderr, "bench_depth: zstd failed\n"); exit(1); }
    double t[32];
    int inner = 20;
    for (int k = 0; k < g_reps; k++) {
        double t0 = bench_cpu_s();
        for (int j = 0; j < inner; j++)
            if (ZSTD_decompress(out, n, c, r.bytes) != n) { fprintf(stderr, "bench_depth: zstd decode\n"); exit(1); }
        t[k] = (bench_cpu_s() - t0) / inner;
    }
    if (!med) r.mbps = (double)n / bench_median(t, g_reps) / 1e6;
    free(c); free(out); free(f);
    return r;
}

/* The frame as a one-frame synapt depth stream written with the writer's
 * defaults at `level`: bytes are the whole chunk record (header, frame
 * table, checksum), the cost on disk. Decode: read_frames, checksums on. */
static result run_synapt(const sample *s, int level, int comp, int *filter)
{
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/d.synapt", g_dir);
    synapt_writer_options wo = SYNAPT_WRITER_OPTIONS_INIT;
    wo.fsync = 0;
    wo.zstd_level = level;
    synapt_writer *w;
    size_t n = (size_t)s->w * s->h * 2;
    if (synapt_writer_create(&w, path, &wo, err, sizeof err)) { fprintf(stderr, "bench_depth: %s\n", err); exit(1); }
    synapt_clip_desc cd = SYNAPT_CLIP_DESC_INIT;
    cd.id = "d";
    synapt_stream_desc sd = SYNAPT_STREAM_DESC_INIT;
    sd.name = "depth"; sd.kind = SYNAPT_KIND_DEPTH; sd.dtype = SYNAPT_DTYPE_U16; sd.codec = SYNAPT_CODEC_RAW;
    sd.ndim = 2; sd.shape[0] = (uint64_t)s->h; sd.shape[1] = (uint64_t)s->w; sd.scale = 0.001; sd.units = "m";
    sd.compression = comp;
    uint32_t si;
    int rc = synapt_writer_begin_clip(w, &cd);
    if (!rc) rc = synapt_writer_add_stream(&si, w, &sd);
    if (!rc) rc = synapt_writer_write_frames(w, si, s->px, n, 1, NULL);
    if (!rc) rc = synapt_writer_end_clip(w);
    if (rc) { fprintf(stderr, "bench_depth: %s\n", synapt_writer_errmsg(w)); exit(1); }
    if (synapt_writer_close(w, err, sizeof err)) { fprintf(stderr, "bench_depth: %s\n", err); exit(1); }
    synapt_reader *r;
    if (synapt_reader_open(&r, path, NULL)) { fprintf(stderr, "bench_depth: cannot open %s\n", path); exit(1); }
    synapt_chunk_info ci;
    if (synapt_reader_chunk(&ci, r, 0, 0, 0)) { fprintf(stderr, "bench_depth: chunk info\n"); exit(1); }
    *filter = ci.filter;
    int model = comp == SYNAPT_COMPRESSION_DEPTH_ANS || comp == SYNAPT_COMPRESSION_DEPTH_STRIP;
    if (model && ci.compression != comp) {
        *filter = -1;   /* the writer kept the zstd alternative */
    } else if (model) {
        /* the payload's first byte is the mode (spec 6.4, 6.5): after the
         * 48-byte chunk header and the 24-byte frame entry */
        size_t bl = 0;
        uint8_t *body = bench_xmalloc((size_t)ci.record_bytes);
        if (synapt_reader_read_chunk_body(body, (size_t)ci.record_bytes, &bl, r, 0, 0, 0) || bl < 73) {
            fprintf(stderr, "bench_depth: chunk body\n");
            exit(1);
        }
        *filter = body[72];
        free(body);
    }
    result res = { (size_t)ci.record_bytes, 0 };
    uint8_t *out = bench_xmalloc(n);
    double t[32];
    int inner = 20;
    for (int k = 0; k < g_reps; k++) {
        double t0 = bench_cpu_s();
        size_t got = 0;
        for (int j = 0; j < inner; j++)
            if (synapt_reader_read_frames(out, n, &got, r, 0, 0, 0, 1) || got != n) {
                fprintf(stderr, "bench_depth: read: %s\n", synapt_reader_errmsg(r));
                exit(1);
            }
        t[k] = (bench_cpu_s() - t0) / inner;
    }
    if (memcmp(out, s->px, n)) { fprintf(stderr, "bench_depth: %s does not round-trip\n", s->name); exit(1); }
    res.mbps = (double)n / bench_median(t, g_reps) / 1e6;
    synapt_reader_close(r);
    unlink(path);
    free(out);
    return res;
}

#ifdef SYNAPT_HAVE_JXL
static result run_jxl(const sample *s)
{
    result res = { 0, 0 };
    size_t n = (size_t)s->w * s->h * 2;
    JxlEncoder *enc = JxlEncoderCreate(NULL);
    JxlBasicInfo bi;
    JxlEncoderInitBasicInfo(&bi);
    bi.xsize = (uint32_t)s->w;
    bi.ysize = (uint32_t)s->h;
    bi.bits_per_sample = 16;
    bi.num_color_channels = 1;
    bi.uses_original_profile = JXL_TRUE;
    JxlColorEncoding ce;
    JxlColorEncodingSetToLinearSRGB(&ce, JXL_TRUE);
    JxlPixelFormat pf = { 1, JXL_TYPE_UINT16, JXL_LITTLE_ENDIAN, 0 };
    JxlEncoderFrameSettings *fs = JxlEncoderFrameSettingsCreate(enc, NULL);
    if (JxlEncoderSetBasicInfo(enc, &bi) != JXL_ENC_SUCCESS || JxlEncoderSetColorEncoding(enc, &ce) != JXL_ENC_SUCCESS ||
        JxlEncoderSetFrameLossless(fs, JXL_TRUE) != JXL_ENC_SUCCESS ||
        JxlEncoderFrameSettingsSetOption(fs, JXL_ENC_FRAME_SETTING_EFFORT, 7) != JXL_ENC_SUCCESS ||
        JxlEncoderAddImageFrame(fs, &pf, s->px, n) != JXL_ENC_SUCCESS) {
        fprintf(stderr, "bench_depth: libjxl encoder setup failed\n");
        exit(1);
    }
    JxlEncoderCloseInput(enc);
    size_t cap = n + 65536, used = 0;
    uint8_t *buf = bench_xmalloc(cap);
    for (;;) {
        uint8_t *next = buf + used;
        size_t avail = cap - used;
        JxlEncoderStatus st = JxlEncoderProcessOutput(enc, &next, &avail);
        used = (size_t)(next - buf);
        if (st == JXL_ENC_SUCCESS) break;
        if (st != JXL_ENC_NEED_MORE_OUTPUT) { fprintf(stderr, "bench_depth: libjxl encode failed\n"); exit(1); }
        cap *= 2;
        buf = realloc(buf, cap);
        if (!buf) exit(1);
    }
    JxlEncoderDestroy(enc);
    res.bytes = used;
    uint16_t *out = bench_xmalloc(n);
    double t[32];
    int reps = g_reps < 3 ? g_reps : 3;   /* slow: three decodes are plenty */
    for (int k = 0; k < reps; k++) {
        double t0 = bench_cpu_s();
        JxlDecoder *dec = JxlDecoderCreate(NULL);
        JxlDecoderSubscribeEvents(dec, JXL_DEC_FULL_IMAGE);
        JxlDecoderSetInput(dec, buf, used);
        JxlDecoderCloseInput(dec);
        for (;;) {
            JxlDecoderStatus st = JxlDecoderProcessInput(dec);
            if (st == JXL_DEC_NEED_IMAGE_OUT_BUFFER) {
                if (JxlDecoderSetImageOutBuffer(dec, &pf, out, n) != JXL_DEC_SUCCESS) st = JXL_DEC_ERROR;
                else continue;
            }
            if (st == JXL_DEC_FULL_IMAGE) continue;
            if (st == JXL_DEC_SUCCESS) break;
            fprintf(stderr, "bench_depth: libjxl decode failed\n");
            exit(1);
        }
        JxlDecoderDestroy(dec);
        t[k] = bench_cpu_s() - t0;
    }
    if (memcmp(out, s->px, n)) { fprintf(stderr, "bench_depth: libjxl is not lossless on %s\n", s->name); exit(1); }
    res.mbps = (double)n / bench_median(t, reps) / 1e6;
    free(out);
    free(buf);
    return res;
}
#endif

static const char *filter_name(int f)
{
    return f == SYNAPT_FILTER_DEPTH_RANK ? "depth_rank" : f == SYNAPT_FILTER_DEPTH_MED ? "depth_med"
         : f == SYNAPT_FILTER_DEPTH_UP ? "depth_up" : f == SYNAPT_FILTER_NONE ? "none" : "?";
}

static int g_fail_png, g_fail_zstd, g_fail_speed, g_rows;

static void bench_sample(const sample *s)
{
    int f3, f19;
    result z3 = run_zstd(s, 3, 0), m3 = run_zstd(s, 3, 1), y3 = run_synapt(s, 3, SYNAPT_COMPRESSION_AUTO, &f3);
    result z19 = run_zstd(s, 19, 0), y19 = run_synapt(s, 19, SYNAPT_COMPRESSION_AUTO, &f19);
    /* the chunk record's own bytes (24 prefix/trailer + 48 header + 24
     * frame entry) are not payload: compare payloads with zstd */
    size_t over = 96;
    double raw = (double)s->w * s->h * 2;
#ifdef SYNAPT_HAVE_JXL
    result j = run_jxl(s);
    char jx[96], jsp[96];
    snprintf(jx, sizeof jx, "%zu (%.2fx)", j.bytes, (double)y3.bytes / j.bytes);
    snprintf(jsp, sizeof jsp, "%.1f (%.0fx)", j.mbps, y3.mbps / j.mbps);
    if (y3.mbps < 50 * j.mbps) g_fail_speed++;
#else
    const char *jx = "-", *jsp = "-";
#endif
    printf("| %s | %dx%d | %zu %s | %zu | %zu | %zu (%s) | **%.2f** | %.2f | %zu | %zu (%s) | %.2f | %s | %.0f | %.0f | %s |\n",
           s->name, s->w, s->h, s->png_bytes, s->png_how, z3.bytes, m3.bytes, y3.bytes, filter_name(f3),
           (double)s->png_bytes / y3.bytes, (double)(y3.bytes - over) / z3.bytes, z19.bytes, y19.bytes,
           filter_name(f19), (double)s->png_bytes / y19.bytes, jx, z3.mbps, y3.mbps, jsp);
    (void)raw;
    g_rows++;
    if ((double)s->png_bytes / y3.bytes < 2.0) g_fail_png++;
    if (y3.bytes - over > z3.bytes || y19.bytes - over > z19.bytes) g_fail_zstd++;
}

static sample *add(sample **v, int *n)
{
    *v = realloc(*v, sizeof **v * (size_t)(*n + 1));
    if (!*v) exit(1);
    memset(&(*v)[*n], 0, sizeof **v);
    return &(*v)[(*n)++];
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* every 16-bit grey PNG or PGM below dir, in name order */
static void scan_real(const char *dir, const char *rel, sample **v, int *n)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    DIR *d = opendir(p);
    if (!d) return;
    char *names[256];
    int k = 0;
    struct dirent *e;
    while ((e = readdir(d)) && k < 256)
        if (e->d_name[0] != '.') names[k++] = strdup(e->d_name);
    closedir(d);
    qsort(names, (size_t)k, sizeof *names, by_name);
    for (int i = 0; i < k; i++) {
        char r2[1024], full[2048];
        snprintf(r2, sizeof r2, "%s%s%s", rel, *rel ? "/" : "", names[i]);
        snprintf(full, sizeof full, "%s/%s", dir, r2);
        struct stat st;
        if (stat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
            scan_real(dir, r2, v, n);
        } else {
            size_t L = strlen(names[i]);
            int w, h;
            uint16_t *px = NULL;
            if (L > 4 && !strcmp(names[i] + L - 4, ".png")) px = bench_load_png16(full, &w, &h);
            else if (L > 4 && !strcmp(names[i] + L - 4, ".pgm")) px = bench_load_pgm16(full, &w, &h);
            if (px) {
                sample *s = add(v, n);
                snprintf(s->name, sizeof s->name, "%.120s", r2);
                s->w = w; s->h = h; s->px = px;
                int is_png = !strcmp(names[i] + L - 4, ".png");
                s->png_bytes = is_png ? (size_t)st.st_size : png16_size(px, w, h);
                s->png_how = is_png ? "(file)" : "(libpng)";
            }
        }
        free(names[i]);
    }
}

static const char *ans_mode_name(int comp, int m)
{
    static const char *const nm[4] = { "sensor", "sensor, no palette", "smooth", "smooth, no palette" };
    static const char *const ns[2] = { "palette", "no palette" };
    if (m == -1) return "zstd kept";
    if (comp == SYNAPT_COMPRESSION_DEPTH_STRIP) return m >= 0 && m < 2 ? ns[m] : "?";
    return m >= 0 && m < 4 ? nm[m] : "?";
}

static int g_ans_png, g_ans_rows, g_ans_speed;

/* depth_ans (compression 3) or depth_strip (4) against the writer's
 * default, PNG and JPEG XL. */
static void bench_ans(const sample *s, int comp)
{
    int fd, mode;
    result d = run_synapt(s, 3, SYNAPT_COMPRESSION_AUTO, &fd), a = run_synapt(s, 3, comp, &mode);
#ifdef SYNAPT_HAVE_JXL
    result j = run_jxl(s);
    char jx[64], jr[32], jsp[32], js[32];
    snprintf(jx, sizeof jx, "%zu", j.bytes);
    snprintf(jr, sizeof jr, "%.2f", (double)a.bytes / j.bytes);
    snprintf(jsp, sizeof jsp, "%.1f", j.mbps);
    snprintf(js, sizeof js, "**%.1f**", a.mbps / j.mbps);
    if (a.mbps < 50 * j.mbps) g_ans_speed++;
#else
    const char *jx = "-", *jr = "-", *jsp = "-", *js = "-";
#endif
    printf("| %s | %zu | %zu (%s) | %zu (%s) | **%.2f** | %.2f | %s | %s | %.0f | %.0f | %.2f | %s | %s |\n", s->name,
           s->png_bytes, d.bytes, filter_name(fd), a.bytes, ans_mode_name(comp, mode), (double)s->png_bytes / a.bytes,
           (double)d.bytes / a.bytes, jx, jr, d.mbps, a.mbps, d.mbps / a.mbps, jsp, js);
    g_ans_rows++;
    if ((double)s->png_bytes / a.bytes < 2.0) g_ans_png++;
}

/* depth_strip's decoders one by one on a frame (the payload alone, tables
 * built per decode as a reader does), MB/s of raw pixels per CPU second
 * against libjxl's in the same run: what a CPU without AVX-512 (AVX2) or
 * without any (portable C) gets. */
static void bench_strip_levels(const sample *s)
{
    size_t n = (size_t)s->w * s->h * 2, k = 0;
    uint8_t *enc = bench_xmalloc(sy_dstrip_bound(n)), *out = bench_xmalloc(n);
    void *scr = bench_xmalloc(sy_dstrip_scratch(n)), *ds = bench_xmalloc(sy_dstrip_dec_scratch((size_t)s->w));
    if (sy_dstrip_encode(enc, &k, (const uint8_t *)s->px, n, (size_t)s->w, scr)) {
        fprintf(stderr, "bench_depth: depth_strip encode failed\n");
        exit(1);
    }
    static const int isa[4] = { 0, 2, 3, 3 };
    double mbps[4];
    for (int d = 0; d < 4; d++) {
        sy_dstrip_no_vbmi = d == 2;
        double t[32];
        int inner = d ? 20 : 4;
        for (int r = 0; r < g_reps; r++) {
            double t0 = bench_cpu_s();
            for (int j = 0; j < inner; j++)
                if (sy_dstrip_decode_isa(out, n, (size_t)s->w, enc, k, ds, isa[d]) || memcmp(out, s->px, n)) {
                    fprintf(stderr, "bench_depth: %s: depth_strip decoder %d failed\n", s->name, d);
                    exit(1);
                }
            t[r] = (bench_cpu_s() - t0) / inner;
        }
        mbps[d] = (double)n / bench_median(t, g_reps) / 1e6;
    }
    sy_dstrip_no_vbmi = 0;
#ifdef SYNAPT_HAVE_JXL
    result j = run_jxl(s);
    printf("| %s | %zu | %.0f (%.1fx) | %.0f (%.1fx) | %.0f (%.1fx) | %.0f (%.1fx) | %.1f |\n", s->name, k, mbps[0],
           mbps[0] / j.mbps, mbps[1], mbps[1] / j.mbps, mbps[2], mbps[2] / j.mbps, mbps[3], mbps[3] / j.mbps, j.mbps);
#else
    printf("| %s | %zu | %.0f | %.0f | %.0f | %.0f | - |\n", s->name, k, mbps[0], mbps[1], mbps[2], mbps[3]);
#endif
    free(enc); free(out); free(scr); free(ds);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) g_quick = 1;
        else { fprintf(stderr, "usage: bench_depth [--quick]\n"); return 2; }
    }
    g_reps = g_quick ? 3 : 9;
    const char *tmpdir = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/synapt-bdepth-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(g_dir)) { perror("bench_depth: mkdtemp"); return 1; }

    sample *v = NULL;
    int n = 0;
    const char *rd = getenv("SYNAPT_REALDATA");
    char rdbuf[512];
    if (!rd || !*rd) { snprintf(rdbuf, sizeof rdbuf, "../shared/realdata"); rd = rdbuf; }
    char ddir[600];
    snprintf(ddir, sizeof ddir, "%s/depth", rd);
    int nreal = 0;
    scan_real(ddir, "", &v, &n);
    nreal = n;

    /* synapt-synth: frames 0 and 16 of two clips, 640x480 */
    synth_config cfg = SYNTH_CONFIG_INIT;
    cfg.width = 640;
    cfg.height = 480;
    cfg.frames = 17;
    for (uint64_t c = 0; c < 2; c++) {
        synth_clip clip;
        synth_clip_make(&clip, &cfg, c * 7);
        synth_scene *sc = synth_scene_new(&clip);
        size_t np = (size_t)cfg.width * cfg.height;
        uint8_t *rgb = bench_xmalloc(np * 3 + 64), *mask = bench_xmalloc(np);
        for (uint32_t t = 0; t <= 16; t += 16) {
            synth_frame fr;
            memset(&fr, 0, sizeof fr);
            fr.rgb = rgb; fr.mask = mask;
            fr.depth = bench_xmalloc(np * 2);
            synth_render_frame(&fr, sc, t);
            sample *s = add(&v, &n);
            snprintf(s->name, sizeof s->name, "synapt-synth clip %llu frame %u, rendered", (unsigned long long)c * 7, t);
            s->w = (int)cfg.width; s->h = (int)cfg.height; s->px = fr.depth;
            sample *k = add(&v, &n);
            snprintf(k->name, sizeof k->name, "synapt-synth clip %llu frame %u, Kinect-like", (unsigned long long)c * 7, t);
            k->w = (int)cfg.width; k->h = (int)cfg.height; k->px = bench_xmalloc(np * 2);
            memcpy(k->px, fr.depth, np * 2);
            kinectify(k->px, k->w, k->h, (uint32_t)(c * 100 + t + 1));
        }
        free(rgb); free(mask);
        synth_scene_free(sc);
    }
    for (uint32_t s2 = 1; s2 <= 2; s2++) {
        sample *s = add(&v, &n);
        snprintf(s->name, sizeof s->name, "bench_core noisy %u", s2);
        s->w = 640; s->h = 480; s->px = bench_xmalloc(640 * 480 * 2);
        make_noisy(s->px, 640, 480, s2 * 977);
    }
    for (int i = nreal; i < n; i++) {
        v[i].png_bytes = png16_size(v[i].px, v[i].w, v[i].h);
        v[i].png_how = "(libpng)";
    }

    printf("## Depth storage: synapt depth stream vs 16-bit PNG, plain zstd, depth_med and JPEG XL\n\n");
    if (!nreal) printf("Real depth: SKIP (no 16-bit PNG/PGM under %s).\n\n", ddir);
    printf("One frame per file, single thread. Bytes of synapt are the whole chunk record (96 bytes of record, chunk "
           "header and frame entry around the payload); \"vs zstd\" compares the payload with plain zstd of the raw "
           "frame at the same level (at most 1.00 by construction: the writer keeps the smallest of no filter, "
           "depth_up, depth_rank and depth_med per chunk). Decode MB/s are raw pixel bytes per CPU second: zstd is "
           "ZSTD_decompress alone, synapt is synapt_reader_read_frames with checksums on, JPEG XL is libjxl "
           "lossless effort 7 without a thread runner; in brackets synapt's size over JPEG XL's and synapt's "
           "decode speed over libjxl's.\n\n");
    printf("| frame | size | 16-bit PNG bytes | zstd -3 | depth_med + zstd -3 (1.0 default) | synapt -3 (filter) | "
           "PNG / synapt -3 | synapt -3 payload / zstd -3 | zstd -19 | synapt -19 (filter) | PNG / synapt -19 | "
           "JPEG XL e7 bytes (synapt -3 / JXL) | zstd decode MB/s | synapt -3 decode MB/s | libjxl decode MB/s "
           "(synapt / libjxl) |\n");
    printf("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < n; i++) bench_sample(&v[i]);
    printf("\n%d frames: %d under 2x smaller than PNG at level 3, %d larger than plain zstd at the same level",
           g_rows, g_fail_png, g_fail_zstd);
#ifdef SYNAPT_HAVE_JXL
    printf(", %d decoding under 50x libjxl's speed.\n\n", g_fail_speed);
#else
    printf("; libjxl columns skipped (bench built without libjxl: pkg-config libjxl not found).\n\n");
#endif

    printf("## Depth storage for size: depth_ans (compression 3) vs the default, 16-bit PNG and JPEG XL\n\n");
    printf("The same frames, one per file, written with `compression = SYNAPT_COMPRESSION_DEPTH_ANS` (synapt-pack "
           "--depth-codec ans) and with the writer's default (zstd -3 per frame, the filter chosen per chunk), "
           "in the same run. Bytes are whole chunk records; the mode is the one the encoder picked for the frame "
           "(spec/format.md 6.4). Decode MB/s as above (read_frames, checksums on; libjxl single thread).\n\n");
    printf("| frame | 16-bit PNG bytes | default bytes (filter) | depth_ans bytes (mode) | PNG / depth_ans | "
           "default / depth_ans | JPEG XL e7 bytes | depth_ans / JXL | default decode MB/s | depth_ans decode MB/s | "
           "default / depth_ans speed | libjxl decode MB/s | depth_ans / libjxl speed |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < n; i++) bench_ans(&v[i], SYNAPT_COMPRESSION_DEPTH_ANS);
    printf("\n%d frames: %d under 2x smaller than PNG with depth_ans", g_ans_rows, g_ans_png);
#ifdef SYNAPT_HAVE_JXL
    printf(", %d decoding under 50x libjxl's speed.\n\n", g_ans_speed);
#else
    printf("; libjxl columns skipped.\n\n");
#endif

    printf("## Depth storage for size and speed: depth_strip (compression 4) vs the default, 16-bit PNG and JPEG XL\n\n");
    printf("The same frames, one per file, written with `compression = SYNAPT_COMPRESSION_DEPTH_STRIP` (synapt-pack "
           "--depth-codec strip) and with the writer's default, in the same run; columns as above (the mode: "
           "spec/format.md 6.5). The decoder is the AVX-512 one where the CPU has it (%s here).\n\n",
           sy_simd_isa() >= 3 ? "it does" : "it does not: the portable decoder");
    printf("| frame | 16-bit PNG bytes | default bytes (filter) | depth_strip bytes (mode) | PNG / depth_strip | "
           "default / depth_strip | JPEG XL e7 bytes | depth_strip / JXL | default decode MB/s | depth_strip decode MB/s | "
           "default / depth_strip speed | libjxl decode MB/s | depth_strip / libjxl speed |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    g_ans_png = g_ans_rows = g_ans_speed = 0;
    for (int i = 0; i < n; i++) bench_ans(&v[i], SYNAPT_COMPRESSION_DEPTH_STRIP);
    printf("\n%d frames: %d under 2x smaller than PNG with depth_strip", g_ans_rows, g_ans_png);
#ifdef SYNAPT_HAVE_JXL
    printf(", %d decoding under 50x libjxl's speed.\n\n", g_ans_speed);
#else
    printf("; libjxl columns skipped.\n\n");
#endif
    printf("### depth_strip's decoders one by one (real frames)\n\n");
    printf("The payload alone (no container), decoded by each of depth_strip's decoders on this CPU (a level the CPU "
           "lacks runs the one below: %s), MB/s of raw pixels per CPU second, in brackets against libjxl in the same "
           "run.\n\n", sy_simd_isa() >= 3 ? "this one has them all" : "see sy_simd_isa");
    printf("| frame | payload bytes | portable C MB/s | AVX2 MB/s | AVX-512 without VBMI MB/s | AVX-512 MB/s | libjxl MB/s |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < nreal; i++) bench_strip_levels(&v[i]);
    printf("\n");
    for (int i = 0; i < n; i++) free(v[i].px);
    free(v);
    rmdir(g_dir);
    return 0;
}
