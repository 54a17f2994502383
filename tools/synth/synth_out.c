/* synth_out.c - writing synapt-synth datasets: straight into a .synapt file
 * through libsynapt, or as a SURREACT-like folder (an mp4 per clip, pose
 * and camera sidecars, depth and mask PNG folders) with a manifest.jsonl
 * that synapt-pack imports.
 *
 * Work is split so the output is the same bytes whatever the thread count:
 * each clip's random numbers come from (seed, clip index) alone, worker
 * threads render (and encode) whole clips into a ring of slots, and one
 * writer takes the slots strictly in clip order. */
#include "synth.h"
#include "synapt.h"
#include "cli/cli.h"
#include "npy/npy.h"

#include <cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <png.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/cpu.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>

/* ---- metadata --------------------------------------------------------- */

/* float parameters are stored rounded to 6 significant digits: they were
 * drawn as doubles but used as floats, and the JSON should read cleanly */
static double r6(float v) { char b[32]; snprintf(b, sizeof b, "%.6g", (double)v); return atof(b); }
/* camera values exactly as the renderer used them: 9 digits round-trip a float */
static double r9(float v) { char b[32]; snprintf(b, sizeof b, "%.9g", (double)v); return atof(b); }

static cJSON *num_array(const float *v, int n, double (*round_fn)(float))
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; a && i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber(round_fn(v[i])));
    return a;
}

static cJSON *rgb_array(const uint8_t c[3])
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; a && i < 3; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber(c[i]));
    return a;
}

void synth_clip_groups(char actor[32], char scene[32], char view[32], const synth_clip *c)
{
    snprintf(actor, 32, "actor%02u", c->actor.id);
    snprintf(scene, 32, "bg%02u", c->background);
    snprintf(view, 32, "view%d", c->view_bin);
}

char *synth_clip_meta_json(const synth_clip *c, const float R[9], const float t[3])
{
    char buf[64];
    cJSON *root = cJSON_CreateObject();
    if (!root) return NULL;
    cJSON *cam = cJSON_AddObjectToObject(root, "camera");
    cJSON_AddNumberToObject(cam, "fx", r9(c->fx));
    cJSON_AddNumberToObject(cam, "fy", r9(c->fy));
    cJSON_AddNumberToObject(cam, "cx", r9(c->cx));
    cJSON_AddNumberToObject(cam, "cy", r9(c->cy));
    cJSON_AddNumberToObject(cam, "width", c->width);
    cJSON_AddNumberToObject(cam, "height", c->height);
    cJSON_AddStringToObject(cam, "model", "pinhole");
    cJSON_AddStringToObject(cam, "axes", "opencv: x right, y down, z forward; pixel centres at integers");
    cJSON_AddItemToObject(cam, "R", num_array(R, 9, r9));
    cJSON_AddItemToObject(cam, "t", num_array(t, 3, r9));
    cJSON_AddStringToObject(cam, "world", "metres, y up, floor y=0, actor starts at the origin");

    cJSON *g = cJSON_AddObjectToObject(root, "synth");
    cJSON_AddStringToObject(g, "generator", "synapt-synth " SYNAPT_VERSION_STRING);
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)c->seed);
    cJSON_AddItemToObject(g, "seed", cJSON_CreateRaw(buf));
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)c->index);
    cJSON_AddItemToObject(g, "clip_index", cJSON_CreateRaw(buf));
    cJSON_AddStringToObject(g, "class", synth_class_name(c->cls));
    cJSON_AddNumberToObject(g, "class_id", c->cls);
    cJSON_AddNumberToObject(g, "frames", c->frames);
    cJSON_AddNumberToObject(g, "fps", c->fps);
    cJSON_AddNumberToObject(g, "speed", r6(c->speed));
    cJSON_AddNumberToObject(g, "amplitude", r6(c->amplitude));
    cJSON_AddNumberToObject(g, "phase", r6(c->phase));
    cJSON_AddStringToObject(g, "side", c->side > 0 ? "left" : "right");
    cJSON_AddNumberToObject(g, "facing_deg", r6(c->facing_deg));
    cJSON_AddNumberToObject(g, "azimuth_deg", r6(c->azimuth_deg));
    cJSON_AddNumberToObject(g, "elevation_deg", r6(c->elevation_deg));
    cJSON_AddNumberToObject(g, "distance_m", r6(c->distance_m));
    cJSON_AddNumberToObject(g, "focal_px", r9(c->focal_px));
    cJSON_AddItemToObject(g, "target", num_array(c->target, 3, r6));
    cJSON_AddNumberToObject(g, "view_bin", c->view_bin);
    cJSON_AddBoolToObject(g, "view_biased", c->view_biased);
    cJSON_AddNumberToObject(g, "background", c->background);
    synth_background_name(buf, sizeof buf, c->background);
    cJSON_AddStringToObject(g, "background_name", buf);
    cJSON_AddStringToObject(g, "background_kind", synth_background_kind(c->background));
    cJSON_AddBoolToObject(g, "scene_biased", c->scene_biased);
    cJSON *l = cJSON_AddObjectToObject(g, "light");
    cJSON_AddItemToObject(l, "direction", num_array(c->light_dir, 3, r6));
    cJSON_AddNumberToObject(l, "intensity", r6(c->light));
    cJSON_AddNumberToObject(l, "ambient", r6(c->ambient));
    const synth_actor *a = &c->actor;
    cJSON *ac = cJSON_AddObjectToObject(g, "actor");
    cJSON_AddNumberToObject(ac, "id", a->id);
    cJSON_AddNumberToObject(ac, "height_m", r6(a->height));
    cJSON_AddNumberToObject(ac, "girth", r6(a->girth));
    cJSON_AddNumberToObject(ac, "shoulder", r6(a->shoulder));
    cJSON_AddNumberToObject(ac, "leg", r6(a->leg));
    cJSON_AddNumberToObject(ac, "arm", r6(a->arm));
    cJSON_AddItemToObject(ac, "skin", rgb_array(a->skin));
    cJSON_AddItemToObject(ac, "hair", rgb_array(a->hair));
    cJSON_AddItemToObject(ac, "shirt", rgb_array(a->shirt));
    cJSON_AddItemToObject(ac, "shirt_stripes", rgb_array(a->shirt2));
    cJSON_AddItemToObject(ac, "pants", rgb_array(a->pants));
    cJSON_AddItemToObject(ac, "shoes", rgb_array(a->shoes));
    cJSON_AddBoolToObject(ac, "long_sleeves", a->long_sleeves);
    cJSON_AddBoolToObject(ac, "shorts", a->shorts);
    cJSON_AddBoolToObject(ac, "striped", a->striped);
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return s;
}

/* ---- files ------------------------------------------------------------- */

/* Create root/rel and the folders of rel on the way, never root itself:
 * if the root is gone (a signal handler removed the temporary output
 * while this worker was still running) this fails instead of building
 * the tree again where the handler had just cleaned up. */
static int mkdir_under(const char *root, const char *rel, char *err, size_t errsz)
{
    char tmp[PATH_MAX];
    size_t rl = strlen(root);
    if (snprintf(tmp, sizeof tmp, "%s/%s", root, rel) >= (int)sizeof tmp) {
        snprintf(err, errsz, "%s/%s: path too long", root, rel);
        return -1;
    }
    for (char *p = tmp + rl + 1; ; p++) {
        if (*p == '/' || *p == 0) {
            char c = *p;
            *p = 0;
            if (mkdir(tmp, 0777) != 0 && errno != EEXIST) {
                snprintf(err, errsz, "%s: cannot create folder: %s", tmp, strerror(errno));
                return -1;
            }
            *p = c;
            if (!c) break;
        }
    }
    return 0;
}

typedef struct png_sink { FILE *f; int failed; } png_sink;

static void png_write_cb(png_structp png, png_bytep data, png_size_t len)
{
    png_sink *s = png_get_io_ptr(png);
    if (fwrite(data, 1, len, s->f) != len) s->failed = 1;
}
static void png_flush_cb(png_structp png) { (void)png; }

/* bits 8 with channels 1 or 3, or bits 16 with channels 1 (native u16,
 * written big-endian as PNG requires) */
static int write_png(const char *path, const void *data, uint32_t w, uint32_t h, int bits,
                     int channels, char *err, size_t errsz)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errsz, "%s: cannot create: %s", path, strerror(errno));
        return -1;
    }
    png_sink sink = { f, 0 };
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    uint8_t *row = NULL;
    int rc = -1;
    if (!info) {
        snprintf(err, errsz, "%s: out of memory", path);
        goto done;
    }
    if (setjmp(png_jmpbuf(png))) {
        snprintf(err, errsz, "%s: libpng failed", path);
        goto done;
    }
    png_set_write_fn(png, &sink, png_write_cb, png_flush_cb);
    /* level 1: these are sidecars for import, speed matters more than size */
    png_set_compression_level(png, 1);
    png_set_IHDR(png, info, w, h, bits, channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    size_t rowbytes = (size_t)w * channels * (bits / 8);
    row = malloc(rowbytes);
    if (!row) {
        snprintf(err, errsz, "%s: out of memory", path);
        goto done;
    }
    for (uint32_t y = 0; y < h; y++) {
        const uint8_t *src = (const uint8_t *)data + rowbytes * y;
        if (bits == 16) {
            const uint16_t *s16 = (const uint16_t *)(const void *)src;
            for (uint32_t x = 0; x < w; x++) {
                row[2 * x] = (uint8_t)(s16[x] >> 8);
                row[2 * x + 1] = (uint8_t)(s16[x] & 0xFF);
            }
            png_write_row(png, row);
        } else {
            memcpy(row, src, rowbytes);
            png_write_row(png, row);
        }
    }
    png_write_end(png, NULL);
    if (sink.failed) {
        snprintf(err, errsz, "%s: write failed: %s", path, strerror(errno));
        goto done;
    }
    rc = 0;
done:
    png_destroy_write_struct(&png, &info);
    free(row);
    if (fclose(f) != 0 && rc == 0) {
        snprintf(err, errsz, "%s: write failed: %s", path, strerror(errno));
        rc = -1;
    }
    if (rc != 0) unlink(path);
    return rc;
}

static void av_err(char *err, size_t errsz, const char *path, const char *what, int e)
{
    char msg[AV_ERROR_MAX_STRING_SIZE] = "";
    av_strerror(e, msg, sizeof msg);
    snprintf(err, errsz, "%s: %s: %s", path, what, msg);
}

/* x264's AVX-512 routines (seen with x264 r3095, Debian 12) make the same
 * frames encode differently depending on what the thread ran before, so
 * clips would differ with the thread count. Every other instruction set
 * gives history-free output, so x264 gets the CPU's flags minus AVX-512. */
static void x264_asm_option(char *buf, size_t cap)
{
    static const struct { int av; const char *x264; } map[] = {
        { AV_CPU_FLAG_MMXEXT, "MMX2" }, { AV_CPU_FLAG_SSE, "SSE" }, { AV_CPU_FLAG_SSE2, "SSE2" },
        { AV_CPU_FLAG_SSE3, "SSE3" }, { AV_CPU_FLAG_SSSE3, "SSSE3" }, { AV_CPU_FLAG_SSE4, "SSE4.1" },
        { AV_CPU_FLAG_SSE42, "SSE4.2" }, { AV_CPU_FLAG_AVX, "AVX" }, { AV_CPU_FLAG_FMA3, "FMA3" },
        { AV_CPU_FLAG_BMI1, "BMI1" }, { AV_CPU_FLAG_BMI2, "BMI2" }, { AV_CPU_FLAG_AVX2, "AVX2" },
    };
    size_t n = (size_t)snprintf(buf, cap, "scenecut=0:open-gop=0");
#if defined(__x86_64__) || defined(__i386__)
    int flags = av_get_cpu_flags(), first = 1;
    for (size_t i = 0; i < sizeof map / sizeof map[0] && n < cap; i++)
        if (flags & map[i].av) {
            n += (size_t)snprintf(buf + n, cap - n, "%s%s", first ? ":asm=" : ",", map[i].x264);
            first = 0;
        }
#else
    (void)map;
#endif
}

/* Encode T RGB frames to an mp4 with libx264 (mpeg4 when this FFmpeg has no
 * libx264), no B-frames so decode order is display order, a fixed GOP, one
 * encoder thread (clips are already encoded in parallel) and bit-exact
 * flags so the same frames always give the same file. */
static int encode_mp4(const char *path, const uint8_t *rgb, uint32_t W, uint32_t H, uint32_t T,
                      uint32_t fps, uint32_t gop, int crf, char *err, size_t errsz)
{
    AVFormatContext *oc = NULL;
    AVCodecContext *cc = NULL;
    AVFrame *fr = NULL;
    AVPacket *pkt = NULL;
    struct SwsContext *sws = NULL;
    int rc = -1, e, opened = 0;
    const AVCodec *codec = avcodec_find_encoder_by_name("libx264");
    int x264 = codec != NULL;
    if (!codec) codec = avcodec_find_encoder(AV_CODEC_ID_MPEG4);
    if (!codec) {
        snprintf(err, errsz, "%s: this FFmpeg has neither libx264 nor an mpeg4 encoder", path);
        return -1;
    }
    /* 4:2:0 needs even sizes; libx264 takes 4:4:4 for odd ones */
    enum AVPixelFormat pf = AV_PIX_FMT_YUV420P;
    if ((W | H) & 1) {
        if (!x264) {
            snprintf(err, errsz, "%s: odd frame size %ux%u needs libx264", path, W, H);
            return -1;
        }
        pf = AV_PIX_FMT_YUV444P;
    }
    if ((e = avformat_alloc_output_context2(&oc, NULL, "mp4", path)) < 0) {
        av_err(err, errsz, path, "cannot set up the mp4 muxer", e);
        return -1;
    }
    oc->flags |= AVFMT_FLAG_BITEXACT;
    AVStream *st = avformat_new_stream(oc, NULL);
    cc = avcodec_alloc_context3(codec);
    fr = av_frame_alloc();
    pkt = av_packet_alloc();
    if (!st || !cc || !fr || !pkt) {
        snprintf(err, errsz, "%s: out of memory", path);
        goto done;
    }
    cc->width = (int)W;
    cc->height = (int)H;
    cc->pix_fmt = pf;
    cc->time_base = (AVRational){ 1, (int)fps };
    cc->framerate = (AVRational){ (int)fps, 1 };
    cc->gop_size = (int)gop;
    cc->max_b_frames = 0;
    cc->thread_count = 1;
    cc->flags |= AV_CODEC_FLAG_BITEXACT;
    if (oc->oformat->flags & AVFMT_GLOBALHEADER)
        cc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (x264) {
        char q[16];
        snprintf(q, sizeof q, "%d", crf);
        av_opt_set(cc->priv_data, "preset", "veryfast", 0);
        av_opt_set(cc->priv_data, "crf", q, 0);
        /* no scene-cut keyframes: GOPs stay exactly `gop` long */
        char params[256];
        x264_asm_option(params, sizeof params);
        av_opt_set(cc->priv_data, "x264-params", params, 0);
    } else {
        cc->bit_rate = (int64_t)W * H * fps / 4;
        cc->qmin = 2;
        cc->qmax = 12;
    }
    if ((e = avcodec_open2(cc, codec, NULL)) < 0) {
        av_err(err, errsz, path, "cannot open the encoder", e);
        goto done;
    }
    if ((e = avcodec_parameters_from_context(st->codecpar, cc)) < 0) {
        av_err(err, errsz, path, "encoder parameters", e);
        goto done;
    }
    st->time_base = cc->time_base;
    st->avg_frame_rate = cc->framerate;
    if ((e = avio_open(&oc->pb, path, AVIO_FLAG_WRITE)) < 0) {
        av_err(err, errsz, path, "cannot create", e);
        goto done;
    }
    opened = 1;
    if ((e = avformat_write_header(oc, NULL)) < 0) {
        av_err(err, errsz, path, "cannot write the mp4 header", e);
        goto done;
    }
    fr->format = pf;
    fr->width = (int)W;
    fr->height = (int)H;
    if ((e = av_frame_get_buffer(fr, 0)) < 0) {
        av_err(err, errsz, path, "frame buffer", e);
        goto done;
    }
    /* the encoder may read the padding beyond each row: it is cleared
     * before every frame, or the same frames could encode differently */
    uint32_t plane_rows[3];
    for (int p = 0; p < 3; p++)
        plane_rows[p] = (p && pf == AV_PIX_FMT_YUV420P) ? (H + 1) / 2 : H;
    sws = sws_getContext((int)W, (int)H, AV_PIX_FMT_RGB24, (int)W, (int)H, pf,
                         SWS_BICUBIC | SWS_ACCURATE_RND | SWS_BITEXACT, NULL, NULL, NULL);
    if (!sws) {
        snprintf(err, errsz, "%s: cannot set up RGB to YUV conversion", path);
        goto done;
    }
    for (uint32_t t = 0; t <= T; t++) {
        if (t < T) {
            if ((e = av_frame_make_writable(fr)) < 0) {
                av_err(err, errsz, path, "frame buffer", e);
                goto done;
            }
            /* make_writable may hand back a fresh buffer: clear its padding */
            for (int p = 0; p < 3; p++)
                memset(fr->data[p], 0, (size_t)fr->linesize[p] * plane_rows[p]);
            const uint8_t *src[1] = { rgb + (size_t)W * H * 3 * t };
            int stride[1] = { (int)W * 3 };
            sws_scale(sws, src, stride, 0, (int)H, fr->data, fr->linesize);
            fr->pts = t;
            e = avcodec_send_frame(cc, fr);
        } else {
            e = avcodec_send_frame(cc, NULL);
        }
        if (e < 0) {
            av_err(err, errsz, path, "encoding failed", e);
            goto done;
        }
        for (;;) {
            e = avcodec_receive_packet(cc, pkt);
            if (e == AVERROR(EAGAIN) || e == AVERROR_EOF) break;
            if (e < 0) {
                av_err(err, errsz, path, "encoding failed", e);
                goto done;
            }
            /* every frame lasts one tick; without it the mp4's last frame
             * has no duration and readers derive a wrong frame rate */
            if (pkt->duration <= 0) pkt->duration = 1;
            av_packet_rescale_ts(pkt, cc->time_base, st->time_base);
            pkt->stream_index = st->index;
            if ((e = av_interleaved_write_frame(oc, pkt)) < 0) {
                av_err(err, errsz, path, "write failed", e);
                goto done;
            }
        }
    }
    if ((e = av_write_trailer(oc)) < 0) {
        av_err(err, errsz, path, "cannot finish the mp4", e);
        goto done;
    }
    rc = 0;
done:
    sws_freeContext(sws);
    av_packet_free(&pkt);
    av_frame_free(&fr);
    avcodec_free_context(&cc);
    if (oc) {
        if (opened && avio_closep(&oc->pb) < 0 && rc == 0) {
            snprintf(err, errsz, "%s: write failed", path);
            rc = -1;
        }
        avformat_free_context(oc);
    }
    if (rc != 0) unlink(path);
    return rc;
}

/* snprintf into a path buffer, failing (with a message) on truncation */
static int CLI_PRINTF(5, 6) pathf(char *buf, size_t cap, char *err, size_t errsz, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap) {
        snprintf(err, errsz, "%.200s...: path too long", buf);
        return -1;
    }
    return 0;
}

static int write_text(const char *path, const char *text, char *err, size_t errsz)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errsz, "%s: cannot create: %s", path, strerror(errno));
        return -1;
    }
    size_t n = strlen(text);
    int bad = fwrite(text, 1, n, f) != n;
    if (fclose(f) != 0) bad = 1;
    if (bad) {
        snprintf(err, errsz, "%s: write failed: %s", path, strerror(errno));
        unlink(path);
        return -1;
    }
    return 0;
}

/* ---- the generator: workers and an in-order writer --------------------- */

typedef struct slot {
    uint64_t index;
    synth_clip clip;
    uint8_t *rgb, *mask;
    uint16_t *depth;
    float *pose2d, *pose3d;
    char *meta;                  /* clip meta JSON */
    char *line;                  /* layout dir: the manifest line */
    char video[PATH_MAX];        /* .synapt + h264: the clip's temporary mp4 */
    void *part;                  /* .synapt: the clip written alone (a file image in */
    size_t part_size;            /* memory, smaller than the frames above), copied in order */
    char err[PATH_MAX + 256];
} slot;

typedef struct gen {
    const synth_config *cfg;
    const synth_output_options *o;
    const char *root;            /* layout dir: the temporary folder being filled */
    uint64_t n;                  /* clips this run writes */
    uint64_t *pick;              /* with --shard: the clip numbers of this shard; else NULL */
    uint32_t nslots;
    slot *slots;
    char tmpdir[PATH_MAX + 64];  /* .synapt: temporary mp4s (--rgb h264), inside the staging folder */
    /* the in-order writer's state (cli_pool's done callback) */
    synapt_writer *w;
    char **lines;
    cli_progress *prog;
    char *err;
    size_t errsz;
} gen;

static cJSON *pose_json(const float *p, uint32_t T, int ch)
{
    cJSON *a = cJSON_CreateArray();
    for (uint32_t t = 0; a && t < T; t++) {
        cJSON *fr = cJSON_CreateArray();
        for (int j = 0; fr && j < SYNTH_JOINTS; j++) {
            const float *v = p + ((size_t)t * SYNTH_JOINTS + j) * 3;
            cJSON_AddItemToArray(fr, num_array(v, ch, r6));
        }
        cJSON_AddItemToArray(a, fr);
    }
    return a;
}

/* Everything of one clip in the folder layout, and its manifest line. */
static int write_clip_dir(gen *g, slot *s)
{
    const synth_clip *c = &s->clip;
    const char *out = g->root;
    uint32_t W = c->width, H = c->height, T = c->frames;
    size_t np = (size_t)W * H;
    char dir[PATH_MAX], path[PATH_MAX], rel[128];
    char *e = s->err;
    size_t es = sizeof s->err;
    snprintf(rel, sizeof rel, "clips/%s", c->id);
    if (pathf(dir, sizeof dir, e, es, "%s/%s", out, rel) != 0) return -1;
    if (pathf(path, sizeof path, e, es, "%s/depth", rel) != 0 || mkdir_under(out, path, e, es) != 0)
        return -1;
    if (pathf(path, sizeof path, e, es, "%s/mask", rel) != 0 || mkdir_under(out, path, e, es) != 0)
        return -1;
    if (!g->o->rgb_h264 &&
        (pathf(path, sizeof path, e, es, "%s/rgb", rel) != 0 || mkdir_under(out, path, e, es) != 0))
        return -1;
    for (uint32_t t = 0; t < T; t++) {
        if (pathf(path, sizeof path, e, es, "%s/depth/%06u.png", dir, t) != 0 ||
            write_png(path, s->depth + np * t, W, H, 16, 1, e, es) != 0)
            return -1;
        if (pathf(path, sizeof path, e, es, "%s/mask/%06u.png", dir, t) != 0 ||
            write_png(path, s->mask + np * t, W, H, 8, 1, e, es) != 0)
            return -1;
        if (!g->o->rgb_h264 &&
            (pathf(path, sizeof path, e, es, "%s/rgb/%06u.png", dir, t) != 0 ||
             write_png(path, s->rgb + np * 3 * t, W, H, 8, 3, e, es) != 0))
            return -1;
    }
    if (g->o->rgb_h264 &&
        (pathf(path, sizeof path, e, es, "%s/%s.mp4", dir, c->id) != 0 ||
         encode_mp4(path, s->rgb, W, H, T, c->fps, g->o->gop, g->o->crf, e, es) != 0))
        return -1;
    uint64_t shape[3] = { T, SYNTH_JOINTS, 3 };
    if (pathf(path, sizeof path, e, es, "%s/%s_pose2d.npy", dir, c->id) != 0 ||
        npy_save(path, SYNAPT_DTYPE_F32, shape, 3, s->pose2d, e, es) != 0)
        return -1;
    if (pathf(path, sizeof path, e, es, "%s/%s_pose3d.npy", dir, c->id) != 0 ||
        npy_save(path, SYNAPT_DTYPE_F32, shape, 3, s->pose3d, e, es) != 0)
        return -1;

    /* the SURREACT-style info sidecar: camera, parameters, joints */
    cJSON *meta = cJSON_Parse(s->meta);
    cJSON *info = cJSON_CreateObject();
    if (!meta || !info) {
        cJSON_Delete(meta);
        cJSON_Delete(info);
        snprintf(s->err, sizeof s->err, "%s: out of memory", dir);
        return -1;
    }
    cJSON_AddStringToObject(info, "id", c->id);
    cJSON_AddStringToObject(info, "label", synth_class_name(c->cls));
    cJSON_AddStringToObject(info, "skeleton", "smpl24");
    cJSON_AddItemToObject(info, "camera", cJSON_Duplicate(cJSON_GetObjectItem(meta, "camera"), 1));
    cJSON_AddItemToObject(info, "synth", cJSON_Duplicate(cJSON_GetObjectItem(meta, "synth"), 1));
    cJSON_AddStringToObject(info, "joints2D_layout", "[frame][joint][x px, y px, visible 0/1]");
    cJSON_AddItemToObject(info, "joints2D", pose_json(s->pose2d, T, 3));
    cJSON_AddStringToObject(info, "joints3D_layout", "[frame][joint][x, y, z] metres, camera frame");
    cJSON_AddItemToObject(info, "joints3D", pose_json(s->pose3d, T, 3));
    char *text = cJSON_PrintUnformatted(info);
    cJSON_Delete(info);
    if (!text) {
        cJSON_Delete(meta);
        snprintf(s->err, sizeof s->err, "%s: out of memory", dir);
        return -1;
    }
    int rc = pathf(path, sizeof path, e, es, "%s/%s_info.json", dir, c->id);
    if (rc == 0) rc = write_text(path, text, e, es);
    free(text);
    if (rc != 0) {
        cJSON_Delete(meta);
        return -1;
    }

    /* manifest line: paths relative to the manifest */
    char actor[32], scene[32], view[32];
    synth_clip_groups(actor, scene, view, c);
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "id", c->id);
    if (g->o->rgb_h264) {
        snprintf(path, sizeof path, "%s/%s.mp4", rel, c->id);
        cJSON_AddStringToObject(m, "video", path);
    } else {
        snprintf(path, sizeof path, "%s/rgb", rel);
        cJSON_AddStringToObject(m, "frames", path);
    }
    cJSON_AddStringToObject(m, "label", synth_class_name(c->cls));
    cJSON_AddStringToObject(m, "split", c->split);
    cJSON_AddStringToObject(m, "source", "synapt-synth");
    cJSON_AddBoolToObject(m, "synthetic", 1);
    cJSON *grp = cJSON_AddObjectToObject(m, "group");
    cJSON_AddStringToObject(grp, "actor", actor);
    cJSON_AddStringToObject(grp, "scene", scene);
    cJSON_AddStringToObject(grp, "view", view);
    snprintf(path, sizeof path, "%s/%s_pose2d.npy", rel, c->id);
    cJSON_AddStringToObject(m, "pose2d", path);
    snprintf(path, sizeof path, "%s/%s_pose3d.npy", rel, c->id);
    cJSON_AddStringToObject(m, "pose3d", path);
    cJSON_AddStringToObject(m, "skeleton", "smpl24");
    snprintf(path, sizeof path, "%s/depth", rel);
    cJSON_AddStringToObject(m, "depth", path);
    cJSON_AddNumberToObject(m, "depth_scale", 0.001);
    snprintf(path, sizeof path, "%s/mask", rel);
    cJSON_AddStringToObject(m, "mask", path);
    cJSON_AddItemToObject(m, "meta", meta);
    s->line = cJSON_PrintUnformatted(m);
    cJSON_Delete(m);
    if (!s->line) {
        snprintf(s->err, sizeof s->err, "%s: out of memory", dir);
        return -1;
    }
    return 0;
}

static int write_clip_synapt(synapt_writer *w, slot *s, const synth_output_options *o,
                             char *err, size_t errsz);

/* A worker writes its clip alone into a small .synapt (compression, video
 * import and all), so that work runs in parallel; the writer then copies
 * the clip's chunks into the output in clip order without recompressing.
 * The small .synapt is built in memory: it is smaller than the slot's
 * frames, and a file of its own cost a create, rename, read back and
 * unlink per clip. */
static int write_part(gen *g, slot *s)
{
    synapt_writer_options wo = SYNAPT_WRITER_OPTIONS_INIT;
    wo.deterministic = 1;
    synapt_writer *w = NULL;
    char werr[PATH_MAX + 256];
    if (synapt_writer_create_memory(&w, s->clip.id, 0, &wo, werr, sizeof werr) != 0) {
        snprintf(s->err, sizeof s->err, "%s", werr);
        return -1;
    }
    if (write_clip_synapt(w, s, g->o, s->err, sizeof s->err) != 0) {
        synapt_writer_abort(w);
        return -1;
    }
    if (synapt_writer_close_memory(w, &s->part, &s->part_size, werr, sizeof werr) != 0) {
        snprintf(s->err, sizeof s->err, "%s", werr);
        return -1;
    }
    return 0;
}

static int copy_part(synapt_writer *w, slot *s, char *err, size_t errsz)
{
    synapt_reader *r = NULL;
    char rerr[PATH_MAX + 256];
    int rc = synapt_reader_open_memory(&r, s->part, s->part_size, s->clip.id, NULL, rerr, sizeof rerr);
    if (rc != 0)
        snprintf(err, errsz, "%s", rerr);
    else if ((rc = synapt_writer_copy_clip(w, r, 0, NULL)) != 0)
        snprintf(err, errsz, "clip %s: %s", s->clip.id, synapt_writer_errmsg(w));
    synapt_reader_close(r);
    free(s->part);
    s->part = NULL;
    return rc ? -1 : 0;
}

static int render_slot(gen *g, slot *s)
{
    synth_clip *c = &s->clip;
    synth_clip_make(c, g->cfg, s->index);
    synth_scene *sc = synth_scene_new(c);
    if (!sc) {
        snprintf(s->err, sizeof s->err, "clip %s: out of memory", c->id);
        return -1;
    }
    size_t np = (size_t)c->width * c->height;
    for (uint32_t t = 0; t < c->frames; t++) {
        synth_frame f;
        f.rgb = s->rgb + np * 3 * t;
        f.depth = s->depth + np * t;
        f.mask = s->mask + np * t;
        f.body_z = NULL;
        synth_render_frame(&f, sc, t);
        memcpy(s->pose2d + (size_t)t * SYNTH_JOINTS * 3, f.pose2d, sizeof f.pose2d);
        memcpy(s->pose3d + (size_t)t * SYNTH_JOINTS * 3, f.pose3d, sizeof f.pose3d);
    }
    float R[9], tr[3];
    synth_scene_extrinsics(R, tr, sc);
    synth_scene_free(sc);
    s->meta = synth_clip_meta_json(c, R, tr);
    if (!s->meta) {
        snprintf(s->err, sizeof s->err, "clip %s: out of memory", c->id);
        return -1;
    }
    if (g->o->layout_dir)
        return write_clip_dir(g, s);
    if (g->o->rgb_h264) {
        if (pathf(s->video, sizeof s->video, s->err, sizeof s->err, "%s/%s.mp4", g->tmpdir,
                  c->id) != 0)
            return -1;
        if (encode_mp4(s->video, s->rgb, c->width, c->height, c->frames, c->fps, g->o->gop,
                       g->o->crf, s->err, sizeof s->err) != 0)
            return -1;
    }
    return write_part(g, s);
}

static int synth_work(void *user, uint64_t i, size_t k)
{
    gen *g = user;
    slot *s = &g->slots[k];
    s->index = g->pick ? g->pick[i] : i;
    s->err[0] = 0;
    return render_slot(g, s);
}

/* Clip i, in order: into the output file, or its line into the manifest. */
static int synth_done(void *user, uint64_t i, size_t k, int rc)
{
    gen *g = user;
    slot *s = &g->slots[k];
    const synth_output_options *o = g->o;
    int bad = rc != 0;
    if (!bad && cli_verbosity() >= 1) {
        const synth_clip *c = &s->clip;
        char bgname[64];
        synth_background_name(bgname, sizeof bgname, c->background);
        cli_info("%s: clip %s (%s): actor%02u, %s, azimuth %.0f (view%d), elevation %.0f, "
                 "speed %.2f, amplitude %.2f", o->path, c->id, c->split, c->actor.id, bgname,
                 (double)c->azimuth_deg, c->view_bin, (double)c->elevation_deg,
                 (double)c->speed, (double)c->amplitude);
    }
    if (bad)
        snprintf(g->err, g->errsz, "%s", s->err);
    else if (o->layout_dir) {
        g->lines[i] = s->line;
        s->line = NULL;
    } else if (copy_part(g->w, s, g->err, g->errsz) != 0)
        bad = 1;
    free(s->meta);
    s->meta = NULL;
    if (!bad) cli_progress_update(g->prog, i + 1, 0);
    return bad;
}

static int write_clip_synapt(synapt_writer *w, slot *s, const synth_output_options *o,
                             char *err, size_t errsz)
{
    const synth_clip *c = &s->clip;
    const char *label = synth_class_name(c->cls);
    char actor[32], scene[32], view[32];
    synth_clip_groups(actor, scene, view, c);
    const char *keys[3] = { "actor", "scene", "view" };
    const char *vals[3] = { actor, scene, view };
    synapt_clip_desc cd = SYNAPT_CLIP_DESC_INIT;
    cd.id = c->id;
    cd.labels = &label;
    cd.label_count = 1;
    cd.split = c->split;
    cd.source = "synapt-synth";
    cd.synthetic = 1;
    cd.group_keys = keys;
    cd.group_values = vals;
    cd.group_count = 3;
    cd.meta_json = s->meta;
    uint32_t W = c->width, H = c->height, T = c->frames;
    size_t np = (size_t)W * H;
    uint32_t id[5];
    int rc = synapt_writer_begin_clip(w, &cd);
    if (rc) goto fail;

    if (o->rgb_h264) {
        synapt_video_import_options vo = SYNAPT_VIDEO_IMPORT_OPTIONS_INIT;
        synapt_video_import_result vr;
        char verr[512] = "";
        vo.stream_name = "rgb";
        vo.mode = SYNAPT_VSTORE_COPY;
        /* clips are rendered in parallel already: one decoder thread each
         * (FFmpeg's automatic count sets up a context per core per clip,
         * which for small clips cost more than the decode) */
        vo.threads = 1;
        rc = synapt_video_import(&vr, w, s->video, &vo, verr, sizeof verr);
        unlink(s->video);
        if (rc) {
            snprintf(err, errsz, "clip %s: storing its H.264 video: %s", c->id, verr);
            return -1;
        }
        if (vr.frames != T) {
            snprintf(err, errsz, "clip %s: the encoder gave %llu frames for %u rendered",
                     c->id, (unsigned long long)vr.frames, T);
            return -1;
        }
    }

    synapt_stream_desc sd[5];
    for (int k = 0; k < 5; k++) {
        synapt_stream_desc z = SYNAPT_STREAM_DESC_INIT;
        z.fps_num = c->fps;
        z.fps_den = 1;
        sd[k] = z;
    }
    sd[0].name = "rgb"; sd[0].kind = SYNAPT_KIND_IMAGE; sd[0].dtype = SYNAPT_DTYPE_U8;
    sd[0].ndim = 3; sd[0].shape[0] = H; sd[0].shape[1] = W; sd[0].shape[2] = 3;
    sd[1].name = "depth"; sd[1].kind = SYNAPT_KIND_DEPTH; sd[1].dtype = SYNAPT_DTYPE_U16;
    sd[1].ndim = 2; sd[1].shape[0] = H; sd[1].shape[1] = W; sd[1].scale = 0.001; sd[1].units = "m";
    if (o->depth_codec == CLI_DEPTH_ANS) sd[1].compression = SYNAPT_COMPRESSION_DEPTH_ANS;
    if (o->depth_codec == CLI_DEPTH_STRIP) sd[1].compression = SYNAPT_COMPRESSION_DEPTH_STRIP;
    if (o->depth_codec == CLI_DEPTH_MED) sd[1].filter = SYNAPT_FILTER_DEPTH_MED;
    sd[2].name = "mask"; sd[2].kind = SYNAPT_KIND_MASK; sd[2].dtype = SYNAPT_DTYPE_U8;
    sd[2].ndim = 2; sd[2].shape[0] = H; sd[2].shape[1] = W;
    sd[3].name = "pose2d"; sd[3].kind = SYNAPT_KIND_POSE2D; sd[3].dtype = SYNAPT_DTYPE_F32;
    sd[3].ndim = 3; sd[3].shape[0] = 1; sd[3].shape[1] = SYNTH_JOINTS; sd[3].shape[2] = 3;
    sd[3].skeleton = SYNAPT_SKELETON_SMPL24; sd[3].channels = SYNAPT_CHANNELS_XYC; sd[3].units = "px";
    sd[4].name = "pose3d"; sd[4].kind = SYNAPT_KIND_POSE3D; sd[4].dtype = SYNAPT_DTYPE_F32;
    sd[4].ndim = 3; sd[4].shape[0] = 1; sd[4].shape[1] = SYNTH_JOINTS; sd[4].shape[2] = 3;
    sd[4].skeleton = SYNAPT_SKELETON_SMPL24; sd[4].channels = SYNAPT_CHANNELS_XYZ; sd[4].units = "m";
    for (int k = o->rgb_h264 ? 1 : 0; k < 5; k++)
        if ((rc = synapt_writer_add_stream(&id[k], w, &sd[k])) != 0) goto fail;
    if (!o->rgb_h264 &&
        (rc = synapt_writer_write_frames(w, id[0], s->rgb, np * 3 * T, T, NULL)) != 0)
        goto fail;
    if ((rc = synapt_writer_write_frames(w, id[1], s->depth, np * 2 * T, T, NULL)) != 0) goto fail;
    if ((rc = synapt_writer_write_frames(w, id[2], s->mask, np * T, T, NULL)) != 0) goto fail;
    for (uint32_t t = 0; t < T; t++) {
        if ((rc = synapt_writer_write_pose(w, id[3], s->pose2d + (size_t)t * SYNTH_JOINTS * 3, 1,
                                           SYNAPT_PTS_NONE)) != 0) goto fail;
        if ((rc = synapt_writer_write_pose(w, id[4], s->pose3d + (size_t)t * SYNTH_JOINTS * 3, 1,
                                           SYNAPT_PTS_NONE)) != 0) goto fail;
    }
    if ((rc = synapt_writer_end_clip(w)) != 0) goto fail;
    return 0;
fail:
    snprintf(err, errsz, "clip %s: %s", c->id, synapt_writer_errmsg(w));
    return -1;
}

static int write_manifest(const char *dir, const synth_config *cfg, char **lines, uint64_t n,
                          char *err, size_t errsz)
{
    char path[PATH_MAX + 32], tmp[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/classes.txt", dir);
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errsz, "%s: cannot create: %s", path, strerror(errno));
        return -1;
    }
    for (uint32_t k = 0; k < cfg->classes; k++)
        fprintf(f, "%s\n", synth_class_name(k));
    if (fclose(f) != 0) {
        snprintf(err, errsz, "%s: write failed: %s", path, strerror(errno));
        return -1;
    }
    /* written last and renamed into place: a manifest exists only for a
     * complete dataset */
    snprintf(path, sizeof path, "%s/manifest.jsonl", dir);
    snprintf(tmp, sizeof tmp, "%s/.manifest.jsonl.tmp", dir);
    f = fopen(tmp, "wb");
    if (!f) {
        snprintf(err, errsz, "%s: cannot create: %s", tmp, strerror(errno));
        return -1;
    }
    for (uint64_t i = 0; i < n; i++)
        fprintf(f, "%s\n", lines[i]);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        snprintf(err, errsz, "%s: write failed: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int synth_in_shard(const char *id, uint32_t k, uint32_t n)
{
    return n <= 1 || XXH3_64bits(id, strlen(id)) % n == k;
}

uint64_t synth_shard_clip_count(const synth_config *cfg, uint32_t k, uint32_t n)
{
    uint64_t total = synth_config_clip_count(cfg), m = 0;
    if (n <= 1)
        return total;
    for (uint64_t i = 0; i < total; i++) {
        synth_clip c;
        synth_clip_make(&c, cfg, i);
        m += (uint64_t)synth_in_shard(c.id, k, n);
    }
    return m;
}

/* The clips of shard k/n, by the rule synapt-pack uses on ids: which shard
 * a clip is in depends on its id alone, so n workers given the same options
 * write disjoint parts that together are the whole run. */
static int shard_pick(gen *g, const synth_config *cfg, const synth_output_options *o, char *err,
                      size_t errsz)
{
    uint64_t total = g->n, m = 0;
    g->pick = malloc((total ? total : 1) * sizeof *g->pick);
    if (!g->pick) {
        snprintf(err, errsz, "out of memory for the clip list of %" PRIu64 " clips", total);
        return -1;
    }
    for (uint64_t i = 0; i < total; i++) {
        synth_clip c;
        synth_clip_make(&c, cfg, i);
        if (synth_in_shard(c.id, o->shard_k, o->shard_n))
            g->pick[m++] = i;
    }
    g->n = m;
    return 0;
}

int synth_generate(const synth_config *cfg, const synth_output_options *o, char *err,
                   size_t errsz)
{
    if (synth_config_check(cfg, err, errsz) != 0) return -1;
    gen g;
    memset(&g, 0, sizeof g);
    g.cfg = cfg;
    g.o = o;
    g.n = synth_config_clip_count(cfg);
    if (o->shard_n > 1 && shard_pick(&g, cfg, o, err, errsz) != 0)
        return -1;
    uint32_t threads = o->threads ? o->threads : 1;
    if (threads > 256) threads = 256;
    g.nslots = threads + 2;
    size_t np = (size_t)cfg->width * cfg->height, T = cfg->frames;
    /* frames of every slot live at once: refuse what cannot fit sensibly */
    double need = (double)g.nslots * (double)np * (double)T * 6.0;
    if (need > 8.0 * 1024 * 1024 * 1024) {
        snprintf(err, errsz, "%.1f GiB of frame buffers needed; use fewer --threads, frames or pixels",
                 need / (1024.0 * 1024 * 1024));
        return -1;
    }
    int rc = -1;
    synapt_writer *w = NULL;
    char **lines = NULL;
    cli_outdir od;
    cli_staged st;
    int have_od = 0, have_st = 0;
    cli_progress prog;
    cli_progress_start(&prog, "synth", "clips", g.n);
    if (!o->progress) prog.enabled = 0;

    g.slots = calloc(g.nslots, sizeof *g.slots);
    if (!g.slots) goto oom;
    for (uint32_t k = 0; k < g.nslots; k++) {
        slot *s = &g.slots[k];
        /* swscale's SIMD reads up to 16 bytes past the last RGB row: pad
         * with zeros so what it reads is defined (and the H.264 output
         * deterministic through the rate control's lookahead) */
        s->rgb = calloc(np * 3 * T + 64, 1);
        s->depth = malloc(np * 2 * T);
        s->mask = malloc(np * T);
        s->pose2d = malloc(T * SYNTH_JOINTS * 3 * sizeof(float));
        s->pose3d = malloc(T * SYNTH_JOINTS * 3 * sizeof(float));
        if (!s->rgb || !s->depth || !s->mask || !s->pose2d || !s->pose3d) goto oom;
    }

    /* nothing is written at o->path until the whole run succeeded: a folder
     * is built beside it and exchanged with any old one; a .synapt is
     * written in a staging folder and renamed (cli.h, "safe outputs") */
    if (o->layout_dir) {
        if (cli_outdir_open(&od, o->path, NULL, 0) != 0) {
            err[0] = 0; /* the cli said why, in one line */
            goto done;
        }
        have_od = 1;
        g.root = od.tmp;
        lines = calloc(g.n, sizeof *lines);
        if (!lines) goto oom;
    } else {
        if (cli_staged_open(&st, o->path, NULL, 0) != 0) {
            err[0] = 0; /* the cli said why, in one line */
            goto done;
        }
        have_st = 1;
        synapt_writer_options wo = SYNAPT_WRITER_OPTIONS_INIT;
        wo.writer_name = "synapt-synth";
        wo.deterministic = 1;
        char werr[PATH_MAX + 256];
        if (synapt_writer_create(&w, st.file, &wo, werr, sizeof werr) != 0) {
            snprintf(err, errsz, "%s", werr);
            goto done;
        }
        /* label ids follow the class order, whatever clips come first */
        for (uint32_t k = 0; k < cfg->classes; k++)
            if (synapt_writer_add_label(NULL, w, synth_class_name(k)) != 0) {
                snprintf(err, errsz, "%s", synapt_writer_errmsg(w));
                goto done;
            }
        /* temporary mp4s (--rgb h264): inside the staging folder */
        if (snprintf(g.tmpdir, sizeof g.tmpdir, "%s/.parts", st.dir) >= (int)sizeof g.tmpdir ||
            mkdir(g.tmpdir, 0700) != 0) {
            snprintf(err, errsz, "%s: cannot create a temporary folder beside it: %s", o->path,
                     strerror(errno));
            g.tmpdir[0] = 0;
            goto done;
        }
    }

    g.w = w;
    g.lines = lines;
    g.prog = &prog;
    g.err = err;
    g.errsz = errsz;
    int prc = cli_pool_run(g.n, threads, g.nslots, synth_work, synth_done, &g);
    if (prc == CLI_POOL_NOMEM || prc == CLI_POOL_NOTHREAD)
        snprintf(err, errsz, "cannot start worker threads");
    rc = prc ? -1 : 0;
    cli_progress_end(&prog);
    if (rc == 0 && o->layout_dir && write_manifest(g.root, cfg, lines, g.n, err, errsz) != 0)
        rc = -1;
    if (w) {
        if (rc == 0) {
            char werr[PATH_MAX + 256];
            if (synapt_writer_close(w, werr, sizeof werr) != 0) {
                snprintf(err, errsz, "%s", werr);
                rc = -1;
            }
        } else {
            synapt_writer_abort(w);
        }
        w = NULL;
    }
    if (rc == 0 && g.tmpdir[0]) {
        rmdir(g.tmpdir);
        g.tmpdir[0] = 0;
    }
    if (rc == 0 && have_od) {
        have_od = 0;
        if (cli_outdir_commit(&od) != 0) {
            err[0] = 0;
            rc = -1;
        }
    }
    if (rc == 0 && have_st) {
        have_st = 0;
        if (cli_staged_commit(&st) != 0) {
            err[0] = 0;
            rc = -1;
        }
    }
    goto done;
oom:
    snprintf(err, errsz, "out of memory for %u clip buffers of %zux%zu x %zu frames",
             g.nslots, (size_t)cfg->width, (size_t)cfg->height, T);
done:
    synapt_writer_abort(w);
    if (g.slots)
        for (uint32_t k = 0; k < g.nslots; k++) {
            slot *s = &g.slots[k];
            free(s->rgb); free(s->depth); free(s->mask); free(s->pose2d); free(s->pose3d);
            free(s->meta); free(s->line);
            if (s->video[0]) unlink(s->video);
            free(s->part);
        }
    if (lines)
        for (uint64_t i = 0; i < g.n; i++) free(lines[i]);
    free(lines);
    free(g.slots);
    free(g.pick);
    if (g.tmpdir[0]) rmdir(g.tmpdir);
    if (have_od) cli_outdir_abort(&od);
    if (have_st) cli_staged_abort(&st);
    return rc;
}
