/* writer_clip.c - the clip side of the write path: labels, opening a
 * clip and adding its streams (validation and codec defaults), ending it
 * (the CLIP record and its index entries) and copying a clip from another
 * file chunk by chunk. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>
#include "internal.h"
#include "chunk.h"
#include "writer_internal.h"

/* ---- labels ---- */

static int label_eq(const synapt_writer *w, uint32_t id, const void *s, size_t len)
{
    const uint8_t *ref = w->labels.data + (size_t)id * SY_STRREF;
    return sy_rd32(ref + 4) == len && sy_str_eq(w, sy_rd32(ref), s, len);
}

static int label_id(synapt_writer *w, uint32_t *out, const char *name)
{
    size_t len = strlen(name);
    uint64_t h = XXH3_64bits(name, len);
    uint32_t id = sy_ht_find(w, &w->label_tab, h, label_eq, name, len);
    if (id == UINT32_MAX) {
        if (w->nlabels >= UINT32_MAX - 1) return sy_wpoison(w, SYNAPT_E_LIMIT, "too many labels");
        uint8_t *ref = sy_buf_extend(&w->mem, &w->labels, SY_STRREF);
        if (!ref) return sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory");
        int rc = sy_add_string(w, ref, name, len, 1);
        if (rc) return rc;
        id = (uint32_t)w->nlabels++;
        if (sy_ht_insert(&w->mem, &w->label_tab, h, id)) return sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    }
    if (out) *out = id;
    return 0;
}

int synapt_writer_add_label(uint32_t *out, synapt_writer *w, const char *name)
{
    CHECK_W(w);
    if (!name || !*name) return sy_werr(w, SYNAPT_E_INVALID_ARG, "label names must be non-empty");
    return label_id(w, out, name);
}

/* ---- clips ---- */

static int id_eq(const synapt_writer *w, uint32_t clip, const void *s, size_t len)
{
    const uint8_t *e = w->clips.data + (size_t)clip * SY_CLIP_ENTRY;
    return sy_rd32(e + 4) == len && sy_str_eq(w, sy_rd32(e), s, len);
}

static void free_stream(synapt_writer *w, wstream *s)
{
    sy_free(&w->mem, s->name);
    sy_free(&w->mem, s->units);
    sy_free(&w->mem, s->codec_config);
    sy_free(&w->mem, s->extradata);
    sy_buf_free(&w->mem, &s->raw);
    sy_free(&w->mem, s->fm);
    sy_buf_free(&w->mem, &s->chunks);
}

void sy_free_clip_state(synapt_writer *w)
{
    sy_free(&w->mem, w->c_id);
    sy_free(&w->mem, w->c_split);
    sy_free(&w->mem, w->c_source);
    sy_free(&w->mem, w->c_meta);
    for (size_t i = 0; w->c_labels && i < w->c_nlabels; i++) sy_free(&w->mem, w->c_labels[i]);
    for (size_t i = 0; w->c_gkeys && i < w->c_ngroups; i++) sy_free(&w->mem, w->c_gkeys[i]);
    for (size_t i = 0; w->c_gvals && i < w->c_ngroups; i++) sy_free(&w->mem, w->c_gvals[i]);
    sy_free(&w->mem, w->c_labels);
    sy_free(&w->mem, w->c_label_ids);
    sy_free(&w->mem, w->c_gkeys);
    sy_free(&w->mem, w->c_gvals);
    for (size_t i = 0; i < w->nws; i++) free_stream(w, &w->ws[i]);
    w->c_id = w->c_split = w->c_source = w->c_meta = NULL;
    w->c_labels = w->c_gkeys = w->c_gvals = NULL;
    w->c_label_ids = NULL;
    w->c_nlabels = w->c_ngroups = 0;
    w->nws = 0;
    w->in_clip = 0;
}

int synapt_writer_begin_clip(synapt_writer *w, const synapt_clip_desc *c)
{
    CHECK_W(w);
    if (!c || c->version != SYNAPT_CLIP_DESC_VERSION)
        return sy_werr(w, SYNAPT_E_INVALID_ARG, "begin_clip: clip description missing or of another version");
    if (w->in_clip) return sy_werr(w, SYNAPT_E_STATE, "begin_clip: clip %s is still open", w->c_id);
    if (!c->id || !*c->id) return sy_werr(w, SYNAPT_E_INVALID_ARG, "begin_clip: a clip id is required");
    if ((c->label_count && !c->labels) || (c->group_count && (!c->group_keys || !c->group_values)))
        return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s: label or group arrays missing", c->id);
    if (c->label_count > UINT32_MAX || c->group_count > UINT32_MAX)
        return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s: too many labels or groups", c->id);
    for (size_t i = 0; i < c->label_count; i++)
        if (!c->labels[i] || !*c->labels[i])
            return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s: label %zu is empty", c->id, i);
    for (size_t i = 0; i < c->group_count; i++)
        if (!c->group_keys[i] || !*c->group_keys[i] || !c->group_values[i])
            return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s: group %zu has no key or value", c->id, i);
    if (c->meta_json && !sy_json_is_object(c->meta_json))
        return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s: meta_json is not a JSON object", c->id);
    size_t idlen = strlen(c->id);
    if (sy_ht_find(w, &w->ids, XXH3_64bits(c->id, idlen), id_eq, c->id, idlen) != UINT32_MAX)
        return sy_werr(w, SYNAPT_E_EXISTS, "clip id %s is already in the file", c->id);
    if (w->nclips >= UINT32_MAX - 1) return sy_werr(w, SYNAPT_E_LIMIT, "too many clips");

    const sy_mem *m = &w->mem;
    w->c_id = sy_strdup(m, c->id);
    w->c_split = sy_strdup(m, c->split ? c->split : "");
    w->c_source = sy_strdup(m, c->source ? c->source : "");
    w->c_meta = sy_strdup(m, c->meta_json ? c->meta_json : "{}");
    w->c_labels = sy_calloc(m, c->label_count * sizeof(char *));
    w->c_label_ids = sy_calloc(m, c->label_count * sizeof(uint32_t));
    w->c_gkeys = sy_calloc(m, c->group_count * sizeof(char *));
    w->c_gvals = sy_calloc(m, c->group_count * sizeof(char *));
    w->c_nlabels = c->label_count;
    w->c_ngroups = c->group_count;
    w->in_clip = 1;
    if (!w->c_id || !w->c_split || !w->c_source || !w->c_meta || !w->c_labels || !w->c_label_ids ||
        !w->c_gkeys || !w->c_gvals)
        goto nomem;
    for (size_t i = 0; i < c->label_count; i++)
        if (!(w->c_labels[i] = sy_strdup(m, c->labels[i]))) goto nomem;
    for (size_t i = 0; i < c->group_count; i++)
        if (!(w->c_gkeys[i] = sy_strdup(m, c->group_keys[i])) ||
            !(w->c_gvals[i] = sy_strdup(m, c->group_values[i])))
            goto nomem;
    for (size_t i = 0; i < c->label_count; i++) {
        int rc = label_id(w, &w->c_label_ids[i], c->labels[i]);
        if (rc) return rc;
    }
    w->c_synthetic = c->synthetic != 0;
    return 0;
nomem:
    return sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory");
}

/* ---- streams ---- */

wstream *sy_get_stream(synapt_writer *w, uint32_t i, int *rc)
{
    if (w->rc) { *rc = w->rc; return NULL; }
    if (!w->in_clip) { *rc = sy_werr(w, SYNAPT_E_STATE, "no clip is open"); return NULL; }
    if (i >= w->nws) {
        *rc = sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s: no stream %u (the clip has %zu)", w->c_id, i, w->nws);
        return NULL;
    }
    *rc = 0;
    return &w->ws[i];
}

/* 2-byte frames of shape (H, W) or (H, W, 1): what the depth filters,
 * depth_ans and depth_strip take */
static int depth_frames(int dtype, uint32_t ndim, const uint64_t *shape)
{
    return synapt_dtype_size(dtype) == 2 && (ndim == 2 || (ndim == 3 && shape[2] == 1));
}

/* The depth codec a stream's compression stands for: depth_ans,
 * depth_strip, or the zstd path (every other compression). */
static int depth_family(int comp)
{
    return comp == SYNAPT_COMPRESSION_DEPTH_ANS || comp == SYNAPT_COMPRESSION_DEPTH_STRIP ? comp
                                                                                          : SYNAPT_COMPRESSION_ZSTD_FRAME;
}

static int pick_codec_defaults(synapt_writer *w, wstream *s, const synapt_stream_desc *d)
{
    int comp = d->compression, filt = d->filter;
    if (comp < SYNAPT_COMPRESSION_AUTO || comp > SYNAPT_COMPRESSION_DEPTH_STRIP ||
        filt < SYNAPT_FILTER_AUTO || filt > SYNAPT_FILTER_DEPTH_UP)
        return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: unknown compression %d or filter %d",
                    w->c_id, s->name, comp, filt);
    size_t es = synapt_dtype_size(s->dtype);
    int depth_ok = !s->pose && depth_frames(s->dtype, s->ndim, s->shape);
    if (s->packets) {
        if (comp == SYNAPT_COMPRESSION_AUTO) comp = SYNAPT_COMPRESSION_NONE;
        if (filt == SYNAPT_FILTER_AUTO) filt = SYNAPT_FILTER_NONE;
        if (filt != SYNAPT_FILTER_NONE)
            return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: packet streams take no filter", w->c_id, s->name);
        es = 1;
    } else {
        int auto_comp = SYNAPT_COMPRESSION_ZSTD_FRAME, auto_filt = es > 1 ? SYNAPT_FILTER_SHUFFLE : SYNAPT_FILTER_NONE;
        if (s->pose) {
            auto_comp = SYNAPT_COMPRESSION_ZSTD_CHUNK;
            auto_filt = SYNAPT_FILTER_XOR_PREV;
        } else if (s->kind == SYNAPT_KIND_FRAME_LABELS) {
            auto_comp = SYNAPT_COMPRESSION_ZSTD_CHUNK;
        } else if (s->kind == SYNAPT_KIND_DEPTH && s->dtype == SYNAPT_DTYPE_U16 && depth_ok) {
            /* the per-chunk choice, or depth_med alone for older readers */
            auto_filt = w->depth_filt == SYNAPT_FILTER_DEPTH_MED ? SYNAPT_FILTER_DEPTH_MED : SYNAPT_FILTER_DEPTH_RANK;
        }
        /* the writer-wide choice for u16 depth, where the stream leaves it open */
        if (comp == SYNAPT_COMPRESSION_AUTO && w->depth_comp != SYNAPT_COMPRESSION_AUTO && s->kind == SYNAPT_KIND_DEPTH &&
            s->dtype == SYNAPT_DTYPE_U16 && depth_ok)
            comp = w->depth_comp;
        if (comp == SYNAPT_COMPRESSION_DEPTH_ANS || comp == SYNAPT_COMPRESSION_DEPTH_STRIP) {
            /* the codec predicts on its own: no prefilter */
            const char *cn = comp == SYNAPT_COMPRESSION_DEPTH_ANS ? "depth_ans" : "depth_strip";
            if (!depth_ok)
                return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: %s needs 16-bit (H, W) or (H, W, 1) frames",
                               w->c_id, s->name, cn);
            if (filt != SYNAPT_FILTER_AUTO && filt != SYNAPT_FILTER_NONE)
                return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: %s takes no filter", w->c_id, s->name, cn);
            auto_filt = SYNAPT_FILTER_NONE;
        }
        if (comp == SYNAPT_COMPRESSION_AUTO) comp = auto_comp;
        if (filt == SYNAPT_FILTER_AUTO) filt = auto_filt;
        int dfilt = filt == SYNAPT_FILTER_DEPTH_MED || filt == SYNAPT_FILTER_DEPTH_RANK || filt == SYNAPT_FILTER_DEPTH_UP;
        if (dfilt && !depth_ok)
            return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: %s needs 16-bit (H, W) or (H, W, 1) frames",
                           w->c_id, s->name,
                           filt == SYNAPT_FILTER_DEPTH_MED ? "depth_med" : filt == SYNAPT_FILTER_DEPTH_UP ? "depth_up" : "depth_rank");
    }
    s->compression = comp;
    s->filter = filt;
    s->elem = es ? es : 1;
    s->depth_pick = filt == SYNAPT_FILTER_DEPTH_RANK;
    s->pose_pick = s->pose && d->filter == SYNAPT_FILTER_AUTO && comp != SYNAPT_COMPRESSION_NONE;
    s->width = filt == SYNAPT_FILTER_DEPTH_MED || filt == SYNAPT_FILTER_DEPTH_RANK || filt == SYNAPT_FILTER_DEPTH_UP ||
                       comp == SYNAPT_COMPRESSION_DEPTH_ANS || comp == SYNAPT_COMPRESSION_DEPTH_STRIP
                   ? (uint32_t)s->shape[1] : 0;
    return 0;
}

int synapt_writer_add_stream(uint32_t *out, synapt_writer *w, const synapt_stream_desc *d)
{
    CHECK_W(w);
    if (!w->in_clip) return sy_werr(w, SYNAPT_E_STATE, "add_stream: no clip is open");
    if (!d || d->version != SYNAPT_STREAM_DESC_VERSION)
        return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s: stream description missing or of another version", w->c_id);
    if (!d->name || !*d->name) return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s: a stream name is required", w->c_id);
    for (size_t i = 0; i < w->nws; i++)
        if (!strcmp(w->ws[i].name, d->name))
            return sy_werr(w, SYNAPT_E_EXISTS, "clip %s: stream %s already exists", w->c_id, d->name);
    if (w->nws >= 65535) return sy_werr(w, SYNAPT_E_LIMIT, "clip %s: too many streams", w->c_id);
    const char *nm = d->name;
    if (d->kind < SYNAPT_KIND_VIDEO || d->kind > SYNAPT_KIND_CUSTOM)
        return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: unknown kind %d", w->c_id, nm, d->kind);
    if (!sy_codec_valid(d->codec))
        return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: unknown codec %d", w->c_id, nm, d->codec);
    if (d->ndim > 4) return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: ndim %u > 4", w->c_id, nm, d->ndim);
    int packets = d->codec != SYNAPT_CODEC_RAW;
    int pose = d->kind == SYNAPT_KIND_POSE2D || d->kind == SYNAPT_KIND_POSE3D;
    if (d->kind == SYNAPT_KIND_VIDEO && !packets)
        return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: video streams need an encoded codec", w->c_id, nm);
    if (packets && ((d->kind != SYNAPT_KIND_VIDEO && d->kind != SYNAPT_KIND_IMAGE) || d->dtype != SYNAPT_DTYPE_NONE))
        return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: encoded streams are video or image, without a dtype",
                       w->c_id, nm);
    if (!packets && (d->dtype <= 0 || !synapt_dtype_size(d->dtype)))
        return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: array streams need a dtype", w->c_id, nm);
    if (d->dtype < 0 || (d->dtype && !synapt_dtype_size(d->dtype)))
        return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: unknown dtype %d", w->c_id, nm, d->dtype);
    synapt_skeleton_info skel;
    if (d->skeleton && synapt_skeleton_get(&skel, d->skeleton))
        return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: unknown skeleton %d", w->c_id, nm, d->skeleton);
    if (d->channels < SYNAPT_CHANNELS_NONE || d->channels > SYNAPT_CHANNELS_XYZC)
        return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: unknown channels %d", w->c_id, nm, d->channels);
    uint64_t fb = 0, pb = 0;
    if (!packets) {
        if (pose) {
            if (d->ndim != 3 || !d->shape[1] || !d->shape[2] || d->dtype != SYNAPT_DTYPE_F32)
                return sy_werr(w, SYNAPT_E_INVALID_ARG,
                            "clip %s stream %s: pose streams are f32 with shape (persons, J, C)", w->c_id, nm);
            if (!sy_mul_ok(d->shape[1], d->shape[2], &pb) || !sy_mul_ok(pb, 4, &pb) || pb > UINT32_MAX)
                return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: pose shape too large", w->c_id, nm);
        } else {
            if (!d->ndim) return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: ndim must be 1..4", w->c_id, nm);
            fb = synapt_dtype_size(d->dtype);
            for (uint32_t k = 0; k < d->ndim; k++)
                if (!d->shape[k] || !sy_mul_ok(fb, d->shape[k], &fb))
                    return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: bad shape", w->c_id, nm);
            if (fb > UINT32_MAX)
                return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: frames over 4 GiB", w->c_id, nm);
        }
    }
    if (d->codec_config && *d->codec_config && !sy_json_is_object(d->codec_config))
        return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: codec_config is not a JSON object", w->c_id, nm);
    if (d->extradata_size && !d->extradata)
        return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: extradata missing", w->c_id, nm);
    if (d->zstd_level < ZSTD_minCLevel() || d->zstd_level > ZSTD_maxCLevel())
        return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: bad zstd level %d", w->c_id, nm, d->zstd_level);
    if ((d->fps_num == 0) != (d->fps_den == 0))
        return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: fps_num and fps_den must both be set", w->c_id, nm);

    wstream s;
    memset(&s, 0, sizeof s);
    s.kind = d->kind;
    s.dtype = packets && !d->dtype ? SYNAPT_DTYPE_NONE : d->dtype;
    s.codec = d->codec;
    s.ndim = d->ndim;
    memcpy(s.shape, d->shape, sizeof s.shape);
    s.fps_num = d->fps_num ? d->fps_num : 30;
    s.fps_den = d->fps_den ? d->fps_den : 1;
    s.scale = d->scale != 0.0 ? d->scale : 1.0;
    s.skeleton = d->skeleton;
    s.channels = d->channels;
    s.level = d->zstd_level ? d->zstd_level : w->level;
    s.packets = packets;
    s.pose = pose && !packets;
    s.frame_bytes = fb;
    s.person_bytes = pb;
    s.name = (char *)nm;   /* for messages until copied */
    int rc = pick_codec_defaults(w, &s, d);
    if (rc) return rc;
    /* tiny frames (poses, per-frame labels) compress far better in larger groups */
    s.cap_frames = (s.pose || d->kind == SYNAPT_KIND_FRAME_LABELS) && w->max_frames <= UINT32_MAX / 4
                       ? w->max_frames * 4 : w->max_frames;
    s.name = sy_strdup(&w->mem, nm);
    s.units = sy_strdup(&w->mem, d->units ? d->units : "");
    s.codec_config = sy_strdup(&w->mem, d->codec_config ? d->codec_config : "");
    s.extradata = d->extradata_size ? sy_memdup(&w->mem, d->extradata, d->extradata_size) : NULL;
    s.extradata_size = d->extradata_size;
    void *p = w->ws;
    if (!s.name || !s.units || !s.codec_config || (d->extradata_size && !s.extradata) ||
        sy_grow(&w->mem, &p, &w->ws_cap, w->nws + 1, sizeof(wstream))) {
        w->ws = p;
        free_stream(w, &s);
        return sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    }
    w->ws = p;
    w->ws[w->nws] = s;
    if (out) *out = (uint32_t)w->nws;
    w->nws++;
    /* a stream whose StreamEntry names filter 4 or 5 or compression 3 or 4 needs
     * the feature even when every chunk took another choice: an older
     * reader refuses the file up front instead of failing on that entry */
    if (s.filter == SYNAPT_FILTER_DEPTH_RANK) w->features |= SY_FEATURE_DEPTH_RANK;
    if (s.filter == SYNAPT_FILTER_DEPTH_UP) w->features |= SY_FEATURE_DEPTH_UP;
    if (s.compression == SYNAPT_COMPRESSION_DEPTH_ANS) w->features |= SY_FEATURE_DEPTH_ANS;
    if (s.compression == SYNAPT_COMPRESSION_DEPTH_STRIP) w->features |= SY_FEATURE_DEPTH_STRIP;
    return 0;
}


static uint64_t stream_frames(const wstream *s)
{
    if (!s->packets) return s->entries;
    return s->video_frames_set ? s->video_frames : s->entries - s->discards;
}

int synapt_writer_end_clip(synapt_writer *w)
{
    CHECK_W(w);
    if (!w->in_clip) return sy_werr(w, SYNAPT_E_STATE, "end_clip: no clip is open");
    const sy_mem *m = &w->mem;
    int rc;
    for (size_t i = 0; i < w->nws; i++)
        if ((rc = sy_flush_chunk(w, &w->ws[i]))) return rc;

    /* the CLIP record */
    sy_json_stream *js = sy_calloc(m, (w->nws ? w->nws : 1) * sizeof *js);
    if (!js) return sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    uint64_t clip_frames = 0;
    for (size_t i = 0; i < w->nws; i++) {
        const wstream *s = &w->ws[i];
        sy_json_stream *j = &js[i];
        j->name = s->name; j->kind = s->kind; j->dtype = s->dtype; j->codec = s->codec;
        j->ndim = s->ndim; memcpy(j->shape, s->shape, sizeof j->shape);
        j->fps_num = s->fps_num; j->fps_den = s->fps_den; j->scale = s->scale; j->units = s->units;
        j->skeleton = s->skeleton; j->channels = s->channels;
        j->compression = s->compression; j->filter = s->filter;
        j->frames = stream_frames(s); j->packets = s->entries; j->has_pts = s->has_pts;
        j->max_persons = s->max_persons; j->extradata = s->extradata; j->extradata_size = s->extradata_size;
        j->codec_config = s->codec_config;
        if (j->frames > clip_frames) clip_frames = j->frames;
    }
    sy_json_clip jc = {
        w->nclips, w->c_id, (const char *const *)w->c_labels, w->c_nlabels, w->c_split, w->c_source,
        w->c_synthetic, (const char *const *)w->c_gkeys, (const char *const *)w->c_gvals, w->c_ngroups,
        w->c_meta, js, w->nws,
    };
    char jerr[SY_MSG_MAX] = "";
    w->rec.len = 0;
    rc = sy_buf_reserve(m, &w->rec, SY_REC_PREFIX) ? SYNAPT_E_NOMEM : 0;
    if (!rc) {
        w->rec.len = SY_REC_PREFIX;
        rc = sy_clip_json_build(m, &w->rec, &jc, jerr, sizeof jerr);
    }
    sy_free(m, js);
    if (rc) return sy_wpoison(w, rc, "%s", jerr[0] ? jerr : "out of memory");
    uint64_t body = w->rec.len - SY_REC_PREFIX;
    if (sy_buf_reserve(m, &w->rec, SY_REC_TRAILER)) return sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    uint64_t rec_at = w->off;
    if ((rc = sy_write_record(w, SY_REC_CLIP, w->rec.data, body, NULL))) return rc;
    /* the CLIP record follows the clip's chunks: with it in the file, a
     * forward scan of a killed writer's temporary recovers the clip */
    if (w->write_through && (rc = sy_out_flush(w))) return rc;

    /* index entries */
    uint64_t stream_first = w->nstreams, label_first = w->nclip_labels, group_first = w->ngroups;
    if (w->nstreams + w->nws > UINT32_MAX || w->nclip_labels + w->c_nlabels > UINT32_MAX ||
        w->ngroups + w->c_ngroups > UINT32_MAX)
        return sy_wpoison(w, SYNAPT_E_LIMIT, "index tables exceed 2^32 entries");
    for (size_t i = 0; i < w->nws; i++) {
        wstream *s = &w->ws[i];
        uint8_t *e = sy_buf_extend(m, &w->streams, SY_STREAM_ENTRY);
        if (!e) return sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory");
        size_t eoff = w->streams.len - SY_STREAM_ENTRY;
        uint8_t refs[4][8];
        if ((rc = sy_add_cstr(w, refs[0], s->name)) || (rc = sy_add_cstr(w, refs[1], s->units)) ||
            (rc = sy_add_string(w, refs[2], s->extradata, s->extradata_size, 0)) ||
            (rc = sy_add_string(w, refs[3], s->codec_config, strlen(s->codec_config), 1)))
            return rc;
        e = w->streams.data + eoff;
        memcpy(e + SY_SE_NAME, refs[0], 8);
        sy_wr16(e + SY_SE_KIND, (uint16_t)s->kind);
        sy_wr16(e + SY_SE_DTYPE, (uint16_t)s->dtype);
        sy_wr16(e + SY_SE_CODEC, (uint16_t)s->codec);
        sy_wr16(e + SY_SE_NDIM, (uint16_t)s->ndim);
        for (int k = 0; k < 4; k++) sy_wr64(e + SY_SE_SHAPE + 8 * k, k < (int)s->ndim ? s->shape[k] : 0);
        sy_wr32(e + SY_SE_FPS_NUM, s->fps_num);
        sy_wr32(e + SY_SE_FPS_DEN, s->fps_den);
        sy_wrf64(e + SY_SE_SCALE, s->scale);
        memcpy(e + SY_SE_UNITS, refs[1], 8);
        sy_wr16(e + SY_SE_SKELETON, (uint16_t)s->skeleton);
        sy_wr16(e + SY_SE_CHANNELS, (uint16_t)s->channels);
        sy_wr16(e + SY_SE_COMPRESSION, (uint16_t)s->compression);
        sy_wr16(e + SY_SE_FILTER, (uint16_t)s->filter);
        sy_wr64(e + SY_SE_FRAMES, stream_frames(s));
        sy_wr64(e + SY_SE_CHUNK_FIRST, w->nchunks);
        sy_wr64(e + SY_SE_CHUNK_COUNT, s->nchunks);
        sy_wr64(e + SY_SE_STORED, s->stored);
        sy_wr64(e + SY_SE_RAW, s->rawb);
        memcpy(e + SY_SE_EXTRADATA, refs[2], 8);
        memcpy(e + SY_SE_CODEC_CONFIG, refs[3], 8);
        sy_wr32(e + SY_SE_FLAGS, s->has_pts ? SY_STREAM_HAS_PTS : 0);
        sy_wr32(e + SY_SE_MAX_PERSONS, s->max_persons);
        sy_wr64(e + SY_SE_PACKETS, s->entries);
        if (sy_buf_append(m, &w->chunks, s->chunks.data, s->chunks.len))
            return sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory");
        w->nchunks += s->nchunks;
        w->nstreams++;
    }
    for (size_t i = 0; i < w->c_nlabels; i++) {
        uint8_t *e = sy_buf_extend(m, &w->clip_labels, SY_CLIP_LABEL);
        if (!e) return sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory");
        sy_wr32(e, w->c_label_ids[i]);
        w->nclip_labels++;
    }
    for (size_t i = 0; i < w->c_ngroups; i++) {
        uint8_t *e = sy_buf_extend(m, &w->groups, SY_GROUP_ENTRY);
        if (!e) return sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory");
        size_t eoff = w->groups.len - SY_GROUP_ENTRY;
        uint8_t k[8], v[8];
        if ((rc = sy_add_cstr(w, k, w->c_gkeys[i])) || (rc = sy_add_cstr(w, v, w->c_gvals[i]))) return rc;
        memcpy(w->groups.data + eoff, k, 8);
        memcpy(w->groups.data + eoff + 8, v, 8);
        w->ngroups++;
    }
    uint8_t refs[4][8];
    size_t idlen = strlen(w->c_id);
    if ((rc = sy_add_string(w, refs[0], w->c_id, idlen, 0)) || (rc = sy_add_cstr(w, refs[1], w->c_split)) ||
        (rc = sy_add_cstr(w, refs[2], w->c_source)) ||
        (rc = sy_add_string(w, refs[3], w->c_meta, strlen(w->c_meta), 0)))
        return rc;
    uint8_t *e = sy_buf_extend(m, &w->clips, SY_CLIP_ENTRY);
    if (!e) return sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    for (int k = 0; k < 4; k++) memcpy(e + 8 * k, refs[k], 8);
    sy_wr32(e + SY_CE_LABEL_FIRST, (uint32_t)label_first);
    sy_wr32(e + SY_CE_LABEL_COUNT, (uint32_t)w->c_nlabels);
    sy_wr32(e + SY_CE_GROUP_FIRST, (uint32_t)group_first);
    sy_wr32(e + SY_CE_GROUP_COUNT, (uint32_t)w->c_ngroups);
    sy_wr32(e + SY_CE_STREAM_FIRST, (uint32_t)stream_first);
    sy_wr32(e + SY_CE_STREAM_COUNT, (uint32_t)w->nws);
    sy_wr64(e + SY_CE_FRAMES, clip_frames);
    sy_wr64(e + SY_CE_RECORD, rec_at);
    sy_wr32(e + SY_CE_FLAGS, w->c_synthetic ? SY_CLIP_SYNTHETIC : 0);
    if (sy_ht_insert(m, &w->ids, XXH3_64bits(w->c_id, idlen), (uint32_t)w->nclips))
        return sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    w->nclips++;
    sy_free_clip_state(w);
    return 0;
}

/* ---- copy ---- */

/* Append a stored chunk body (at rec + 16, with room for the trailer) to
 * stream s of the open clip: only the clip number changes. */
static int put_chunk(synapt_writer *w, wstream *s, uint8_t *rec, uint64_t body_len, uint64_t first,
                     uint32_t count, uint64_t raw)
{
    sy_chunk_renumber(rec + SY_REC_PREFIX, (uint32_t)w->nclips, sy_stream_index(w, s));
    uint64_t at = w->off, sum;
    int rc = sy_write_record(w, SY_REC_CHUNK, rec, body_len, &sum);
    if (rc) return rc;
    uint8_t *ke = sy_buf_extend(&w->mem, &s->chunks, SY_CHUNK_ENTRY);
    if (!ke) return sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory");
    sy_wr64(ke + SY_KE_OFFSET, at);
    sy_wr64(ke + SY_KE_RECORD, body_len + SY_REC_OVERHEAD);
    sy_wr64(ke + SY_KE_FIRST, first);
    sy_wr32(ke + SY_KE_COUNT, count);
    sy_wr64(ke + SY_KE_RAW, raw);
    sy_wr64(ke + SY_KE_CHECKSUM, sum);
    s->nchunks++;
    s->entries += count;
    s->stored += body_len + SY_REC_OVERHEAD;
    s->rawb += raw;
    return 0;
}

/* Stream facts a copied stream takes from its source. */
static void stream_totals(wstream *s, int has_pts, uint32_t max_persons, uint64_t frames)
{
    s->has_pts = has_pts;
    s->max_persons = max_persons;
    if (s->packets) { s->video_frames = frames; s->video_frames_set = 1; }
}

int sy_writer_put_chunk(synapt_writer *w, uint32_t stream, uint8_t *rec, uint64_t body_len, uint64_t first,
                        uint32_t count, uint64_t raw)
{
    CHECK_W(w);
    int rc;
    wstream *s = sy_get_stream(w, stream, &rc);
    if (!s) return rc;
    if (s->nfm || first != s->entries || !count)
        return sy_werr(w, SYNAPT_E_INVALID_ARG, "clip %s stream %s: chunk of frames %llu+%u does not follow frame %llu",
                    w->c_id, s->name, (unsigned long long)first, count, (unsigned long long)s->entries);
    return put_chunk(w, s, rec, body_len, first, count, raw);
}

int sy_writer_drop_clip(synapt_writer *w)
{
    CHECK_W(w);
    if (!w->in_clip) return 0;
    for (size_t i = 0; i < w->nws; i++)
        if (w->ws[i].nchunks)
            return sy_werr(w, SYNAPT_E_STATE, "clip %s: chunks are already written; it cannot be dropped", w->c_id);
    sy_free_clip_state(w);
    return 0;
}

int sy_writer_stream_totals(synapt_writer *w, uint32_t stream, int has_pts, uint32_t max_persons, uint64_t frames)
{
    CHECK_W(w);
    int rc;
    wstream *s = sy_get_stream(w, stream, &rc);
    if (!s) return rc;
    stream_totals(s, has_pts, max_persons, frames);
    return 0;
}

static int copy_fail(synapt_writer *w, const synapt_reader *src, int rc)
{
    return sy_wpoison(w, rc, "copying from %s", synapt_reader_errmsg(src));
}

/* Whether the frame_labels stream si of the clip keeps its values when its
 * ids are translated into w's vocabulary (*same), chunk by chunk. The
 * labels it names are added to w's vocabulary on the way. */
static int labels_unchanged(int *same, synapt_writer *w, const synapt_reader *src, uint64_t clip,
                            const char *clip_id, const synapt_stream_info *st)
{
    const sy_mem *m = &w->mem;
    int32_t *v = NULL;
    size_t cap = 0;
    int changed = 0, rc = 0;
    for (uint64_t k = 0; k < st->chunk_count && !changed && !rc; k++) {
        synapt_chunk_info ki;
        size_t got = 0;
        if ((rc = synapt_reader_chunk(&ki, src, clip, st->index, k))) { rc = copy_fail(w, src, rc); break; }
        if (ki.raw_bytes > SIZE_MAX / 2 || ki.raw_bytes % sizeof(int32_t)) {
            rc = sy_wpoison(w, SYNAPT_E_CORRUPT, "copying from %s: clip %s stream %s chunk %llu: %llu bytes of "
                            "frame labels", synapt_reader_path(src), clip_id, st->name, (unsigned long long)k,
                            (unsigned long long)ki.raw_bytes);
            break;
        }
        if (ki.raw_bytes > cap) {
            int32_t *nv = sy_realloc(m, v, (size_t)ki.raw_bytes);
            if (!nv) { rc = sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory"); break; }
            v = nv;
            cap = (size_t)ki.raw_bytes;
        }
        if ((rc = synapt_reader_read_frames(v, cap, &got, src, clip, st->index, ki.first_frame, ki.frame_count))) {
            rc = copy_fail(w, src, rc);
            break;
        }
        if ((rc = sy_writer_relabel(w, src, clip_id, st->name, v, got / sizeof(int32_t), &changed)) && !w->rc)
            w->rc = rc;
    }
    sy_free(m, v);
    *same = !changed;
    return rc;
}

/* The clip window [a, b), counted in frames of the clip's first stream,
 * in frames of stream st: the same time span at st's own rate, widened to
 * whole frames. */
static void window_for_stream(uint64_t *a, uint64_t *b, const synapt_clip_info *ci,
                              const synapt_stream_info *st, uint64_t ca, uint64_t cb)
{
    if (!ci->fps_num || !ci->fps_den || ((uint64_t)st->fps_num * ci->fps_den == (uint64_t)ci->fps_num * st->fps_den)) {
        *a = ca;
        *b = cb;
        return;
    }
    double r = ((double)st->fps_num * ci->fps_den) / ((double)st->fps_den * ci->fps_num);
    *a = (uint64_t)floor((double)ca * r);
    *b = (uint64_t)ceil((double)cb * r);
}

static int copy_clip(synapt_writer *w, const synapt_reader *src, uint64_t clip, const char *new_id,
                     const synapt_clip_desc *over, const uint32_t *only, size_t nonly, const uint64_t *win)
{
    CHECK_W(w);
    if (!src) return sy_werr(w, SYNAPT_E_INVALID_ARG, "copy_clip: no source reader");
    if (w->in_clip) return sy_werr(w, SYNAPT_E_STATE, "copy_clip: clip %s is still open", w->c_id);
    const sy_mem *m = &w->mem;
    synapt_clip_info ci;
    int rc = synapt_reader_clip(&ci, src, clip);
    if (rc) return rc == SYNAPT_E_RANGE ? sy_werr(w, rc, "copy_clip: %s", synapt_reader_errmsg(src))
                                        : copy_fail(w, src, rc);
    const char **labels = sy_calloc(m, (ci.label_count + 1) * sizeof(char *));
    uint32_t *ids = sy_calloc(m, (ci.label_count + 1) * sizeof(uint32_t));
    const char **gk = sy_calloc(m, (ci.group_count + 1) * sizeof(char *));
    const char **gv = sy_calloc(m, (ci.group_count + 1) * sizeof(char *));
    uint8_t *body = NULL;
    size_t body_cap = 0;
    if (!labels || !ids || !gk || !gv) { rc = sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory"); goto done; }
    size_t nl = 0;
    if ((rc = synapt_reader_clip_labels(ids, ci.label_count, &nl, src, clip))) { rc = copy_fail(w, src, rc); goto done; }
    for (size_t i = 0; i < ci.label_count; i++)
        if (!(labels[i] = synapt_reader_label_name(src, ids[i]))) { rc = copy_fail(w, src, SYNAPT_E_CORRUPT); goto done; }
    for (uint32_t i = 0; i < ci.group_count; i++)
        if ((rc = synapt_reader_clip_group(&gk[i], &gv[i], src, clip, i))) { rc = copy_fail(w, src, rc); goto done; }
    synapt_clip_desc cd = SYNAPT_CLIP_DESC_INIT;
    cd.id = new_id ? new_id : ci.id;
    cd.labels = labels;
    cd.label_count = ci.label_count;
    cd.split = ci.split;
    cd.source = ci.source;
    cd.synthetic = ci.synthetic;
    cd.group_keys = gk;
    cd.group_values = gv;
    cd.group_count = ci.group_count;
    cd.meta_json = ci.meta_json;
    if (over) cd = *over;
    /* the chosen streams, checked before anything is written */
    for (size_t i = 0; only && i < nonly; i++) {
        int dup = 0;
        for (size_t j = 0; j < i; j++) dup |= only[j] == only[i];
        if (only[i] >= ci.stream_count || dup) {
            rc = sy_werr(w, SYNAPT_E_INVALID_ARG, "copy_clip: clip %s: stream %u %s", ci.id, (unsigned)only[i],
                         dup ? "chosen twice" : "does not exist");
            goto done;
        }
    }
    if (win && (!win[1] || win[0] > ci.frame_count || win[1] > ci.frame_count - win[0])) {
        rc = sy_werr(w, SYNAPT_E_RANGE, "copy_clip_frames: clip %s has %llu frames; frames %llu+%llu asked",
                     ci.id, (unsigned long long)ci.frame_count, (unsigned long long)win[0], (unsigned long long)win[1]);
        goto done;
    }
    if ((rc = synapt_writer_begin_clip(w, &cd))) goto done;
    for (uint32_t si = 0; si < ci.stream_count; si++) {
        if (only) {
            size_t j = 0;
            while (j < nonly && only[j] != si) j++;
            if (j == nonly) continue;
        }
        synapt_stream_info st;
        if ((rc = synapt_reader_stream(&st, src, clip, si))) { rc = copy_fail(w, src, rc); goto done; }
        synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
        d.name = st.name; d.kind = st.kind; d.dtype = st.dtype; d.codec = st.codec; d.ndim = st.ndim;
        memcpy(d.shape, st.shape, sizeof d.shape);
        d.fps_num = st.fps_num; d.fps_den = st.fps_den; d.scale = st.scale; d.units = st.units;
        d.skeleton = st.skeleton; d.channels = st.channels;
        d.compression = st.compression; d.filter = st.filter;
        d.extradata = st.extradata; d.extradata_size = st.extradata_size; d.codec_config = st.codec_config;
        /* u16 depth the writer's options store another way than the
         * source is decoded and written again: the other compression, or
         * with depth_filter DEPTH_MED, any filter that needs a feature bit */
        int udepth = st.kind == SYNAPT_KIND_DEPTH && st.dtype == SYNAPT_DTYPE_U16 && st.codec == SYNAPT_CODEC_RAW &&
                     depth_frames(st.dtype, st.ndim, st.shape);
        int recode = udepth && w->depth_comp != SYNAPT_COMPRESSION_AUTO &&
                     depth_family(w->depth_comp) != depth_family(st.compression);
        if (udepth && w->depth_filt == SYNAPT_FILTER_DEPTH_MED &&
            (depth_family(st.compression) != SYNAPT_COMPRESSION_ZSTD_FRAME || st.filter == SYNAPT_FILTER_DEPTH_RANK ||
             st.filter == SYNAPT_FILTER_DEPTH_UP))
            recode = 1;
        if (recode) {
            d.compression = SYNAPT_COMPRESSION_AUTO;
            d.filter = SYNAPT_FILTER_AUTO;
        }
        if (win || recode) {
            uint64_t a = 0, b = st.frame_count;
            if (win) window_for_stream(&a, &b, &ci, &st, win[0], win[0] + win[1]);
            if ((rc = sy_writer_cut_stream(w, &d, src, clip, &st, a, b))) goto done;
            continue;
        }
        /* frame label ids point into the file's vocabulary: a copy into
         * another vocabulary (or with renamed labels) writes them again */
        if (st.kind == SYNAPT_KIND_FRAME_LABELS && st.dtype == SYNAPT_DTYPE_I32 && st.codec == SYNAPT_CODEC_RAW) {
            int same = 1;
            if ((rc = labels_unchanged(&same, w, src, clip, ci.id, &st))) goto done;
            if (!same) {
                if ((rc = sy_writer_cut_stream(w, &d, src, clip, &st, 0, st.frame_count))) goto done;
                continue;
            }
        }
        uint32_t idx;
        if ((rc = synapt_writer_add_stream(&idx, w, &d))) {
            /* the source passed its own checks, so a refusal here means the
             * source holds a combination this writer cannot represent */
            if (!w->rc) rc = sy_wpoison(w, rc, "copying clip %s stream %s: %s", ci.id, st.name, w->msg);
            goto done;
        }
        wstream *s = &w->ws[idx];
        for (uint64_t k = 0; k < st.chunk_count; k++) {
            synapt_chunk_info ki;
            if ((rc = synapt_reader_chunk(&ki, src, clip, si, k))) { rc = copy_fail(w, src, rc); goto done; }
            uint64_t blen = ki.record_bytes - SY_REC_OVERHEAD;
            if (ki.first_frame != s->entries) {
                rc = sy_wpoison(w, SYNAPT_E_CORRUPT, "copying from %s: clip %s stream %s chunk %llu does not follow the previous one",
                             synapt_reader_path(src), ci.id, st.name, (unsigned long long)k);
                goto done;
            }
            if (!body || blen + SY_REC_OVERHEAD > body_cap) {
                uint8_t *nb = sy_realloc(m, body, (size_t)blen + SY_REC_OVERHEAD);
                if (!nb) { rc = sy_wpoison(w, SYNAPT_E_NOMEM, "out of memory"); goto done; }
                body = nb;
                body_cap = (size_t)blen + SY_REC_OVERHEAD;
            }
            size_t got = 0;
            if ((rc = synapt_reader_read_chunk_body(body + SY_REC_PREFIX, (size_t)blen, &got, src, clip, si, k))) {
                rc = copy_fail(w, src, rc);
                goto done;
            }
            if ((rc = put_chunk(w, s, body, got, ki.first_frame, ki.frame_count, ki.raw_bytes))) goto done;
        }
        stream_totals(s, st.has_pts, st.max_persons, st.frame_count);
    }
    rc = synapt_writer_end_clip(w);
done:
    sy_free(m, labels);
    sy_free(m, ids);
    sy_free(m, gk);
    sy_free(m, gv);
    sy_free(m, body);
    return rc;
}

int synapt_writer_copy_clip(synapt_writer *w, const synapt_reader *src, uint64_t clip, const char *new_id)
{
    return copy_clip(w, src, clip, new_id, NULL, NULL, 0, NULL);
}

int synapt_writer_copy_clip_as(synapt_writer *w, const synapt_reader *src, uint64_t clip,
                               const synapt_clip_desc *desc)
{
    if (!desc) return synapt_writer_copy_clip(w, src, clip, NULL);
    return copy_clip(w, src, clip, NULL, desc, NULL, 0, NULL);
}

int synapt_writer_copy_clip_streams(synapt_writer *w, const synapt_reader *src, uint64_t clip,
                                    const synapt_clip_desc *desc, const uint32_t *streams, size_t count)
{
    static const uint32_t none[1] = { 0 };
    CHECK_W(w);
    if (!streams && count) return sy_werr(w, SYNAPT_E_INVALID_ARG, "copy_clip_streams: no stream list");
    /* a non-NULL list even when empty: NULL would mean every stream */
    return copy_clip(w, src, clip, NULL, desc, streams ? streams : none, count, NULL);
}

int synapt_writer_copy_clip_frames(synapt_writer *w, const synapt_reader *src, uint64_t clip,
                                   const synapt_clip_desc *desc, const uint32_t *streams, size_t count,
                                   uint64_t first, uint64_t n)
{
    CHECK_W(w);
    uint64_t win[2] = { first, n };
    return copy_clip(w, src, clip, NULL, desc, streams, streams ? count : 0, win);
}
