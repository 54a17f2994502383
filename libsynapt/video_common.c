/* video_common.c - what import, encode and decode share: decoder parameters,
 * the packet -> frame map, and the codec_config JSON that stores both. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>

#include "internal.h"
#include "video_internal.h"

const char *vid_averr(int e, char *buf, size_t n)
{
    if (av_strerror(e, buf, n) < 0)
        snprintf(buf, n, "FFmpeg error %d", e);
    return buf;
}

static const char *const mode_names[] = { "copy", "h264", "hevc", "mjpeg", "ffv1", "raw" };

const char *vid_mode_name(int mode)
{
    if (mode < 0 || mode >= (int)(sizeof mode_names / sizeof mode_names[0]))
        return "?";
    return mode_names[mode];
}

SYNAPT_API const char *synapt_video_mode_name(int mode) { return vid_mode_name(mode); }

SYNAPT_API int synapt_video_mode_from_name(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < (int)(sizeof mode_names / sizeof mode_names[0]); i++)
        if (!strcmp(name, mode_names[i]))
            return i;
    return -1;
}

void vid_params_free(vid_params *p)
{
    if (!p)
        return;
    av_freep(&p->extradata);
    p->extradata_size = 0;
}

/* Whether a decoder opened for a would be opened exactly so for b: every
 * field vid_open_decoder passes on, and the extradata's bytes. */
int vid_params_same(const vid_params *a, const vid_params *b)
{
    return a->codec_id == b->codec_id && a->codec_tag == b->codec_tag && a->width == b->width &&
           a->height == b->height && a->pad_right == b->pad_right && a->pad_bottom == b->pad_bottom &&
           a->coded_width == b->coded_width && a->coded_height == b->coded_height &&
           a->pix_fmt == b->pix_fmt && a->par_format == b->par_format && a->profile == b->profile &&
           a->level == b->level && a->bits_per_coded_sample == b->bits_per_coded_sample &&
           a->bits_per_raw_sample == b->bits_per_raw_sample && a->field_order == b->field_order &&
           a->color_range == b->color_range && a->color_space == b->color_space &&
           a->color_primaries == b->color_primaries && a->color_trc == b->color_trc &&
           a->chroma_location == b->chroma_location && !av_cmp_q(a->sar, b->sar) &&
           !av_cmp_q(a->time_base, b->time_base) && !av_cmp_q(a->frame_rate, b->frame_rate) &&
           a->video_delay == b->video_delay && a->unpacked == b->unpacked && a->extradata_size == b->extradata_size &&
           (a->extradata_size <= 0 || !memcmp(a->extradata, b->extradata, (size_t)a->extradata_size));
}

int vid_params_to_codecpar(AVCodecParameters *par, const vid_params *p)
{
    par->codec_type = AVMEDIA_TYPE_VIDEO;
    par->codec_id = p->codec_id;
    par->codec_tag = p->codec_tag;
    par->width = p->coded_width;
    par->height = p->coded_height;
    par->format = p->par_format;
    par->profile = p->profile;
    par->level = p->level;
    par->bits_per_coded_sample = p->bits_per_coded_sample;
    par->bits_per_raw_sample = p->bits_per_raw_sample;
    par->field_order = p->field_order;
    par->color_range = p->color_range;
    par->color_space = p->color_space;
    par->color_primaries = p->color_primaries;
    par->color_trc = p->color_trc;
    par->chroma_location = p->chroma_location;
    par->sample_aspect_ratio = p->sar;
    par->video_delay = p->video_delay;
    av_freep(&par->extradata);
    par->extradata_size = 0;
    if (p->extradata_size > 0) {
        par->extradata = av_mallocz((size_t)p->extradata_size + AV_INPUT_BUFFER_PADDING_SIZE);
        if (!par->extradata)
            return SYNAPT_E_NOMEM;
        memcpy(par->extradata, p->extradata, (size_t)p->extradata_size);
        par->extradata_size = p->extradata_size;
    }
    return 0;
}

int vid_open_decoder(AVCodecContext **out, const vid_params *p, int threads,
                     char *err, size_t errsz)
{
    char eb[128];
    *out = NULL;
    const AVCodec *codec = avcodec_find_decoder(p->codec_id);
    if (!codec) {
        snprintf(err, errsz, "no decoder for codec %s in this FFmpeg", avcodec_get_name(p->codec_id));
        return SYNAPT_E_UNSUPPORTED;
    }
    AVCodecContext *c = avcodec_alloc_context3(codec);
    AVCodecParameters *par = avcodec_parameters_alloc();
    int rc = SYNAPT_E_NOMEM;
    if (!c || !par)
        goto fail;
    if ((rc = vid_params_to_codecpar(par, p)) < 0)
        goto fail;
    int e = avcodec_parameters_to_context(c, par);
    if (e < 0) {
        snprintf(err, errsz, "decoder setup: %s", vid_averr(e, eb, sizeof eb));
        rc = SYNAPT_E_CODEC;
        goto fail;
    }
    c->pkt_timebase = p->time_base;
    c->thread_count = threads > 0 ? threads : 0;
    e = avcodec_open2(c, codec, NULL);
    if (e < 0) {
        snprintf(err, errsz, "opening the %s decoder: %s", codec->name, vid_averr(e, eb, sizeof eb));
        rc = SYNAPT_E_CODEC;
        goto fail;
    }
    avcodec_parameters_free(&par);
    *out = c;
    return 0;
fail:
    if (rc == SYNAPT_E_NOMEM)
        snprintf(err, errsz, "out of memory opening a decoder");
    avcodec_parameters_free(&par);
    avcodec_free_context(&c);
    return rc;
}

size_t vid_native_size(int w, int h, int pix_fmt)
{
    int n = av_image_get_buffer_size(pix_fmt, w, h, 1);
    return n < 0 ? 0 : (size_t)n;
}

int vid_pack_native_crop(uint8_t *dst, size_t cap, const AVFrame *f, int w, int h)
{
    int n = av_image_copy_to_buffer(dst, cap > INT_MAX ? INT_MAX : (int)cap,
                                    (const uint8_t *const *)f->data, f->linesize,
                                    f->format, w, h, 1);
    return n < 0 ? SYNAPT_E_CODEC : 0;
}

int vid_pack_native(uint8_t *dst, size_t cap, const AVFrame *f)
{
    return vid_pack_native_crop(dst, cap, f, f->width, f->height);
}

/* ---- the map ------------------------------------------------------------ */

void vid_map_free(vid_map *m)
{
    if (!m)
        return;
    if (m->mem) {
        sy_free(m->mem, m->pkt_out);
        sy_free(m->mem, m->out_pkt);
        sy_free(m->mem, m->sync_pkt);
        sy_free(m->mem, m->sync_out);
    }
    memset(m, 0, sizeof *m);
}

/* pkt_out from out_pkt; fails on a packet claimed twice or out of range. */
static int map_invert(vid_map *m)
{
    sy_free(m->mem, m->pkt_out);
    m->pkt_out = sy_malloc(m->mem, (m->npkt ? m->npkt : 1) * sizeof *m->pkt_out);
    if (!m->pkt_out)
        return SYNAPT_E_NOMEM;
    for (uint64_t p = 0; p < m->npkt; p++)
        m->pkt_out[p] = -1;
    for (uint64_t i = 0; i < m->nframes; i++) {
        uint64_t q = m->out_pkt[i];
        if (q >= m->npkt || m->pkt_out[q] >= 0)
            return SYNAPT_E_CORRUPT;
        m->pkt_out[q] = (int64_t)i;
    }
    return 0;
}

int vid_map_finish(vid_map *m, const uint8_t *key)
{
    int rc = map_invert(m);
    if (rc < 0)
        return rc;
    uint64_t n = 1;
    for (uint64_t p = 1; p < m->npkt; p++)
        if (key[p] && m->pkt_out[p] >= 0)
            n++;
    m->sync_pkt = sy_malloc(m->mem, n * sizeof *m->sync_pkt);
    m->sync_out = sy_malloc(m->mem, n * sizeof *m->sync_out);
    if (!m->sync_pkt || !m->sync_out)
        return SYNAPT_E_NOMEM;
    /* Packet 0 is always a start point: decoding from it is the definition
     * of the numbering. A keyframe k is a start point for the frames shown
     * at or after its own frame; frames shown before it (open-GOP leading
     * frames) may need the previous GOP, so they are read from an earlier
     * start point. Only frames whose packets come at or after k are ever
     * taken from a decoder started at k (checked by the reader). */
    m->sync_pkt[0] = 0;
    m->sync_out[0] = 0;
    m->nsync = 1;
    for (uint64_t p = 1; p < m->npkt; p++) {
        if (!key[p] || m->pkt_out[p] < 0)
            continue;
        uint64_t o = (uint64_t)m->pkt_out[p];
        /* keep sync_out non-decreasing so a binary search works */
        if (o < m->sync_out[m->nsync - 1])
            continue;
        m->sync_pkt[m->nsync] = p;
        m->sync_out[m->nsync] = o;
        m->nsync++;
    }
    return 0;
}

/* ---- codec_config -------------------------------------------------------- */

static const char *field_order_names[] = { "unknown", "progressive", "tt", "bb", "tb", "bt" };

static cJSON *rational(AVRational r)
{
    cJSON *a = cJSON_CreateArray();
    if (a) {
        cJSON_AddItemToArray(a, sy_json_i64(r.num));
        cJSON_AddItemToArray(a, sy_json_i64(r.den));
    }
    return a;
}

/* The map as text: out_pkt[i] - i for each frame, comma separated, runs of
 * one value written "v*n". Reordering keeps the deltas small. */
static char *map_delta_text(const sy_mem *mem, const vid_map *m)
{
    size_t cap = 64 + m->nframes * 4, len = 0;
    char *t = sy_malloc(mem, cap);
    if (!t)
        return NULL;
    t[0] = 0;
    for (uint64_t i = 0; i < m->nframes;) {
        int64_t d = (int64_t)m->out_pkt[i] - (int64_t)i;
        uint64_t run = 1;
        while (i + run < m->nframes && (int64_t)m->out_pkt[i + run] - (int64_t)(i + run) == d)
            run++;
        if (cap - len < 48) {
            cap *= 2;
            char *nt = sy_realloc(mem, t, cap);
            if (!nt) {
                sy_free(mem, t);
                return NULL;
            }
            t = nt;
        }
        len += (size_t)snprintf(t + len, cap - len, run > 1 ? "%s%lld*%llu" : "%s%lld",
                                len ? "," : "", (long long)d, (unsigned long long)run);
        i += run;
    }
    return t;
}

/* Inverse of map_delta_text, over untrusted text. */
static int map_delta_parse(vid_map *m, const char *t)
{
    uint64_t i = 0;
    const char *s = t;
    while (*s) {
        char *e;
        errno = 0;
        long long d = strtoll(s, &e, 10);
        if (e == s || errno)
            return -1;
        s = e;
        unsigned long long run = 1;
        if (*s == '*') {
            s++;
            if (*s < '0' || *s > '9')
                return -1;
            run = strtoull(s, &e, 10);
            if (e == s || errno || run == 0)
                return -1;
            s = e;
        }
        if (*s == ',')
            s++;
        else if (*s)
            return -1;
        if (run > m->nframes - i)
            return -1;
        for (unsigned long long k = 0; k < run; k++, i++) {
            long long q = (long long)i + d;
            if (d < -(long long)m->npkt || d > (long long)m->npkt || q < 0 || (uint64_t)q >= m->npkt)
                return -1;
            m->out_pkt[i] = (uint64_t)q;
        }
    }
    return i == m->nframes ? 0 : -1;
}

static int map_is_identity(const vid_map *m)
{
    for (uint64_t i = 0; i < m->nframes; i++)
        if (m->out_pkt[i] != i)
            return 0;
    return 1;
}

char *vid_config_build(const sy_mem *mem, const vid_params *p, const vid_map *m, int mode,
                       int64_t first_pts, const char *raw_packing)
{
    if (vid_ff_load(NULL, 0))
        return NULL;
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    const char *s;
    cJSON_AddStringToObject(o, "schema", "synapt-video/1");
    cJSON_AddStringToObject(o, "mode", vid_mode_name(mode));
    cJSON_AddStringToObject(o, "codec", avcodec_get_name(p->codec_id));
    sy_json_add_i64(o, "codec_tag", p->codec_tag);
    sy_json_add_i64(o, "width", p->width);
    sy_json_add_i64(o, "height", p->height);
    s = av_get_pix_fmt_name(p->pix_fmt);
    cJSON_AddStringToObject(o, "pix_fmt", s ? s : "");
    sy_json_add_i64(o, "coded_width", p->coded_width);
    sy_json_add_i64(o, "coded_height", p->coded_height);
    /* only when there is padding: files without it keep their bytes */
    if (p->pad_right || p->pad_bottom) {
        sy_json_add_i64(o, "pad_right", p->pad_right);
        sy_json_add_i64(o, "pad_bottom", p->pad_bottom);
    }
    s = av_get_pix_fmt_name(p->par_format);
    cJSON_AddStringToObject(o, "coded_pix_fmt", s ? s : "");
    sy_json_add_i64(o, "profile", p->profile);
    sy_json_add_i64(o, "level", p->level);
    sy_json_add_i64(o, "bits_per_coded_sample", p->bits_per_coded_sample);
    sy_json_add_i64(o, "bits_per_raw_sample", p->bits_per_raw_sample);
    cJSON_AddStringToObject(o, "field_order",
                            p->field_order >= 0 && p->field_order < 6 ? field_order_names[p->field_order] : "unknown");
    s = av_color_range_name(p->color_range);
    cJSON_AddStringToObject(o, "color_range", s ? s : "unknown");
    s = av_color_space_name(p->color_space);
    cJSON_AddStringToObject(o, "color_space", s ? s : "unknown");
    s = av_color_primaries_name(p->color_primaries);
    cJSON_AddStringToObject(o, "color_primaries", s ? s : "unknown");
    s = av_color_transfer_name(p->color_trc);
    cJSON_AddStringToObject(o, "color_trc", s ? s : "unknown");
    s = av_chroma_location_name(p->chroma_location);
    cJSON_AddStringToObject(o, "chroma_location", s ? s : "unspecified");
    cJSON_AddItemToObject(o, "sample_aspect_ratio", rational(p->sar));
    cJSON_AddItemToObject(o, "time_base", rational(p->time_base));
    cJSON_AddItemToObject(o, "frame_rate", rational(p->frame_rate));
    sy_json_add_i64(o, "video_delay", p->video_delay);
    sy_json_add_u64(o, "frames", m->nframes);
    sy_json_add_u64(o, "packets", m->npkt);
    if (first_pts == SYNAPT_PTS_NONE)
        cJSON_AddNullToObject(o, "first_pts");
    else
        sy_json_add_i64(o, "first_pts", first_pts);
    if (raw_packing && *raw_packing)
        cJSON_AddStringToObject(o, "raw_packing", raw_packing);
    if (p->unpacked)
        cJSON_AddStringToObject(o, "bsf", "mpeg4_unpack_bframes");
    if (m->nframes == m->npkt && map_is_identity(m)) {
        cJSON_AddStringToObject(o, "map", "identity");
    } else {
        char *t = map_delta_text(mem, m);
        cJSON *mo = cJSON_AddObjectToObject(o, "map");
        if (!t || !mo) {
            sy_free(mem, t);
            cJSON_Delete(o);
            return NULL;
        }
        cJSON_AddStringToObject(mo, "delta", t);
        sy_free(mem, t);
    }
    cJSON *sy = cJSON_AddArrayToObject(o, "sync");
    for (uint64_t k = 0; sy && k < m->nsync; k++) {
        cJSON *e = cJSON_CreateArray();
        cJSON_AddItemToArray(e, sy_json_u64(m->sync_pkt[k]));
        cJSON_AddItemToArray(e, sy_json_u64(m->sync_out[k]));
        cJSON_AddItemToArray(sy, e);
    }
    /* cJSON allocates with its own hooks (the library never sets them):
     * hand the caller a copy made with its allocator */
    char *txt = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    char *out = sy_strdup(mem, txt);
    cJSON_free(txt);
    return out;
}

/* ---- parsing (untrusted) ------------------------------------------------- */

static int get_int(const cJSON *o, const char *k, int64_t lo, int64_t hi, int64_t *v, int required)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!it) {
        if (required)
            return -1;
        return 0;
    }
    if (!cJSON_IsNumber(it))
        return -1;
    double d = it->valuedouble;
    if (!(d >= (double)lo && d <= (double)hi) || d != (double)(int64_t)d)
        return -1;
    *v = (int64_t)d;
    return 0;
}

static int get_rat(const cJSON *o, const char *k, AVRational *r)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!a)
        return 0;
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != 2)
        return -1;
    const cJSON *x = cJSON_GetArrayItem(a, 0), *y = cJSON_GetArrayItem(a, 1);
    if (!cJSON_IsNumber(x) || !cJSON_IsNumber(y))
        return -1;
    if (!(x->valuedouble >= 0 && x->valuedouble <= INT_MAX && y->valuedouble >= 0 && y->valuedouble <= INT_MAX))
        return -1;
    r->num = (int)x->valuedouble;
    r->den = (int)y->valuedouble;
    return 0;
}

static const char *get_str(const cJSON *o, const char *k)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

int vid_config_parse(const sy_mem *mem, vid_params *p, vid_map *m, int *mode, char *raw_packing, size_t rp_size,
                     const char *json, const void *extradata, size_t extradata_size,
                     uint64_t npkt, char *err, size_t errsz)
{
    memset(p, 0, sizeof *p);
    memset(m, 0, sizeof *m);
    m->mem = mem;
    if (raw_packing && rp_size)
        raw_packing[0] = 0;
    VID_FF_NEED(err, errsz);
    int rc = SYNAPT_E_CORRUPT;
    const char *what = "not a JSON object";
    cJSON *o = json ? cJSON_Parse(json) : NULL;
    if (!cJSON_IsObject(o))
        goto fail;
    const char *s;
    int64_t v;
    what = "codec";
    s = get_str(o, "codec");
    const AVCodecDescriptor *cd = s ? avcodec_descriptor_get_by_name(s) : NULL;
    if (!cd || cd->type != AVMEDIA_TYPE_VIDEO)
        goto fail;
    p->codec_id = cd->id;
    what = "mode";
    s = get_str(o, "mode");
    *mode = s ? synapt_video_mode_from_name(s) : 0;
    if (*mode < 0)
        goto fail;
    s = get_str(o, "raw_packing");
    if (s && raw_packing)
        snprintf(raw_packing, rp_size, "%s", s);
    /* other filters, or this one on another codec, promise nothing known */
    s = get_str(o, "bsf");
    p->unpacked = s && !strcmp(s, "mpeg4_unpack_bframes") && p->codec_id == AV_CODEC_ID_MPEG4;
#define INT_FIELD(key, dst, lo, hi, req) \
    do { v = 0; what = key; if (get_int(o, key, lo, hi, &v, req) < 0) goto fail; dst = (int)v; } while (0)
    INT_FIELD("codec_tag", p->codec_tag, 0, UINT32_MAX, 0);
    INT_FIELD("width", p->width, 1, 65535, 1);
    INT_FIELD("height", p->height, 1, 65535, 1);
    INT_FIELD("coded_width", p->coded_width, 0, 65535, 0);
    INT_FIELD("coded_height", p->coded_height, 0, 65535, 0);
    INT_FIELD("pad_right", p->pad_right, 0, VID_MAX_PAD, 0);
    INT_FIELD("pad_bottom", p->pad_bottom, 0, VID_MAX_PAD, 0);
    INT_FIELD("profile", p->profile, INT_MIN, INT_MAX, 0);
    INT_FIELD("level", p->level, INT_MIN, INT_MAX, 0);
    INT_FIELD("bits_per_coded_sample", p->bits_per_coded_sample, 0, 1024, 0);
    INT_FIELD("bits_per_raw_sample", p->bits_per_raw_sample, 0, 1024, 0);
    INT_FIELD("video_delay", p->video_delay, 0, 1024, 0);
#undef INT_FIELD
    what = "frame size";
    if ((uint64_t)(p->width + p->pad_right) * (uint64_t)(p->height + p->pad_bottom) > VID_MAX_PIXELS ||
        p->width + p->pad_right > 65535 || p->height + p->pad_bottom > 65535)
        goto fail;
    what = "pix_fmt";
    s = get_str(o, "pix_fmt");
    p->pix_fmt = s ? av_get_pix_fmt(s) : AV_PIX_FMT_NONE;
    if (p->pix_fmt == AV_PIX_FMT_NONE || vid_native_size(p->width, p->height, p->pix_fmt) == 0)
        goto fail;
    s = get_str(o, "coded_pix_fmt");
    p->par_format = s && *s ? av_get_pix_fmt(s) : AV_PIX_FMT_NONE;
    p->field_order = AV_FIELD_UNKNOWN;
    s = get_str(o, "field_order");
    for (int i = 0; s && i < 6; i++)
        if (!strcmp(s, field_order_names[i]))
            p->field_order = i;
    int c;
    s = get_str(o, "color_range");
    p->color_range = s && (c = av_color_range_from_name(s)) >= 0 ? c : AVCOL_RANGE_UNSPECIFIED;
    s = get_str(o, "color_space");
    p->color_space = s && (c = av_color_space_from_name(s)) >= 0 ? c : AVCOL_SPC_UNSPECIFIED;
    s = get_str(o, "color_primaries");
    p->color_primaries = s && (c = av_color_primaries_from_name(s)) >= 0 ? c : AVCOL_PRI_UNSPECIFIED;
    s = get_str(o, "color_trc");
    p->color_trc = s && (c = av_color_transfer_from_name(s)) >= 0 ? c : AVCOL_TRC_UNSPECIFIED;
    s = get_str(o, "chroma_location");
    p->chroma_location = s && (c = av_chroma_location_from_name(s)) >= 0 ? c : AVCHROMA_LOC_UNSPECIFIED;
    what = "sample_aspect_ratio";
    if (get_rat(o, "sample_aspect_ratio", &p->sar) < 0)
        goto fail;
    what = "time_base";
    p->time_base = (AVRational){ 1, 1 };
    if (get_rat(o, "time_base", &p->time_base) < 0 || p->time_base.num <= 0 || p->time_base.den <= 0)
        goto fail;
    what = "frame_rate";
    if (get_rat(o, "frame_rate", &p->frame_rate) < 0)
        goto fail;

    what = "packets";
    v = 0;
    if (get_int(o, "packets", 0, VID_MAX_PACKETS, &v, 1) < 0 || (uint64_t)v != npkt)
        goto fail;
    m->npkt = npkt;
    what = "frames";
    if (get_int(o, "frames", 0, (int64_t)npkt, &v, 1) < 0)
        goto fail;
    m->nframes = (uint64_t)v;
    rc = SYNAPT_E_NOMEM;
    m->out_pkt = sy_malloc(mem, (m->nframes ? m->nframes : 1) * sizeof *m->out_pkt);
    if (!m->out_pkt)
        goto fail;
    rc = SYNAPT_E_CORRUPT;
    what = "map";
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(o, "map");
    if (cJSON_IsString(map) && !strcmp(map->valuestring, "identity")) {
        if (m->nframes != npkt)
            goto fail;
        for (uint64_t i = 0; i < npkt; i++)
            m->out_pkt[i] = i;
    } else if (cJSON_IsObject(map) && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(map, "delta"))) {
        if (map_delta_parse(m, cJSON_GetObjectItemCaseSensitive(map, "delta")->valuestring) < 0)
            goto fail;
    } else {
        goto fail;
    }
    rc = map_invert(m);
    if (rc < 0)
        goto fail;
    rc = SYNAPT_E_CORRUPT;
    what = "sync";
    const cJSON *sy = cJSON_GetObjectItemCaseSensitive(o, "sync");
    if (!cJSON_IsArray(sy) || cJSON_GetArraySize(sy) < 1 || (uint64_t)cJSON_GetArraySize(sy) > (npkt ? npkt : 1))
        goto fail;
    m->nsync = (uint64_t)cJSON_GetArraySize(sy);
    rc = SYNAPT_E_NOMEM;
    m->sync_pkt = sy_malloc(mem, m->nsync * sizeof *m->sync_pkt);
    m->sync_out = sy_malloc(mem, m->nsync * sizeof *m->sync_out);
    if (!m->sync_pkt || !m->sync_out)
        goto fail;
    rc = SYNAPT_E_CORRUPT;
    uint64_t k = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, sy) {
        if (!cJSON_IsArray(e) || cJSON_GetArraySize(e) != 2)
            goto fail;
        const cJSON *a = cJSON_GetArrayItem(e, 0), *b = cJSON_GetArrayItem(e, 1);
        if (!cJSON_IsNumber(a) || !cJSON_IsNumber(b))
            goto fail;
        if (!(a->valuedouble >= 0 && a->valuedouble < (double)(npkt ? npkt : 1)) ||
            !(b->valuedouble >= 0 && b->valuedouble <= (double)m->nframes))
            goto fail;
        m->sync_pkt[k] = (uint64_t)a->valuedouble;
        m->sync_out[k] = (uint64_t)b->valuedouble;
        if (k == 0 ? (m->sync_pkt[0] != 0 || m->sync_out[0] != 0)
                   : (m->sync_pkt[k] <= m->sync_pkt[k - 1] || m->sync_out[k] < m->sync_out[k - 1]))
            goto fail;
        k++;
    }
    if (extradata_size > 0) {
        rc = SYNAPT_E_LIMIT;
        what = "extradata";
        if (extradata_size > (1u << 24))
            goto fail;
        rc = SYNAPT_E_NOMEM;
        p->extradata = av_mallocz(extradata_size + AV_INPUT_BUFFER_PADDING_SIZE);
        if (!p->extradata)
            goto fail;
        memcpy(p->extradata, extradata, extradata_size);
        p->extradata_size = (int)extradata_size;
    }
    cJSON_Delete(o);
    return 0;
fail:
    if (rc == SYNAPT_E_NOMEM)
        snprintf(err, errsz, "out of memory reading codec_config");
    else
        snprintf(err, errsz, "codec_config: bad or missing \"%s\"", what);
    cJSON_Delete(o);
    vid_params_free(p);
    vid_map_free(m);
    return rc;
}
