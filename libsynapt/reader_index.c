/* reader_index.c - the index side of the read path: clip entries, labels
 * and groups of a clip, stream entries and chunk entries, each validated
 * when it is looked at (spec/format.md section 12, rules 19 to 28), so
 * opening a file stays O(1). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <xxhash.h>
#include "internal.h"
#include "chunk.h"
#include "reader_internal.h"
/* ------------------------------------------------------------------ */
/* labels */

const char *synapt_reader_label_name(const synapt_reader *r, uint32_t id)
{
    if (!r) return NULL;
    if (id >= r->sec[SY_SEC_LABELS].count) {
        ERR0(r, SYNAPT_E_RANGE, "label %u does not exist (%llu labels)", id, (unsigned long long)r->sec[SY_SEC_LABELS].count);
        return NULL;
    }
    const char *s;
    if (sy_ref_bytes(r, ENTRY(r, SY_SEC_LABELS, id), &s, NULL, 1)) {
        ERR0(r, SYNAPT_E_CORRUPT, "label %u: name string out of bounds", id);
        return NULL;
    }
    return s;
}

/* First position in a hash section whose hash is >= h. */
static uint64_t hash_lower(const sy_section *s, uint64_t h)
{
    uint64_t lo = 0, hi = s->count;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (sy_rd64(s->p + (size_t)mid * s->esize) < h) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Look `key` up in a sorted {hash, index} table (CLIP_IDS or LABEL_IDS):
 * the entries whose hash matches are compared by the string their target
 * entry's StrRef (at `ref_off`) names. `table`, `target` and `missing`
 * word the messages ("clip id" / "clip" / "no clip with id"). */
static int hash_find(uint32_t *out, const synapt_reader *r, int ids_sec, int target_sec,
                     size_t ref_off, const char *key, const char *table, const char *target,
                     const char *missing)
{
    size_t len = strlen(key);
    uint64_t h = XXH3_64bits(key, len);
    const sy_section *s = &r->sec[ids_sec];
    for (uint64_t i = hash_lower(s, h); i < s->count && sy_rd64(s->p + (size_t)i * s->esize) == h; i++) {
        uint32_t t = sy_rd32(s->p + (size_t)i * s->esize + 8);
        const char *str;
        size_t sl;
        if (t >= r->sec[target_sec].count || sy_ref_bytes(r, ENTRY(r, target_sec, t) + ref_off, &str, &sl, 1))
            return ERR0(r, SYNAPT_E_CORRUPT, "%s hash table entry %llu points at a bad %s", table,
                        (unsigned long long)i, target);
        if (sl == len && !memcmp(str, key, len)) { *out = t; return 0; }
    }
    return ERR0(r, SYNAPT_E_NOT_FOUND, "%s %.200s", missing, key);
}

int synapt_reader_find_label(uint32_t *out, const synapt_reader *r, const char *name)
{
    if (!out || !r || !name) return SYNAPT_E_INVALID_ARG;
    return hash_find(out, r, SY_SEC_LABEL_IDS, SY_SEC_LABELS, 0, name, "label", "label",
                     "no label named");
}

/* ------------------------------------------------------------------ */
/* clips */


/* A clip entry's ranges and limits: what every frame read needs. The
 * strings (id, split, source, meta) are checked by load_clip only, so a
 * read does not scan a large meta blob each time. */
int sy_load_clip_ranges(clipview *cv, const synapt_reader *r, uint64_t clip)
{
    const sy_section *cs = &r->sec[SY_SEC_CLIPS];
    if (clip >= cs->count)
        return ERR0(r, SYNAPT_E_RANGE, "clip %llu does not exist (%llu clips)", (unsigned long long)clip, (unsigned long long)cs->count);
    const uint8_t *e = ENTRY(r, SY_SEC_CLIPS, clip);
    cv->e = e;
    cv->label_first = sy_rd32(e + SY_CE_LABEL_FIRST);
    cv->label_count = sy_rd32(e + SY_CE_LABEL_COUNT);
    cv->group_first = sy_rd32(e + SY_CE_GROUP_FIRST);
    cv->group_count = sy_rd32(e + SY_CE_GROUP_COUNT);
    cv->stream_first = sy_rd32(e + SY_CE_STREAM_FIRST);
    cv->stream_count = sy_rd32(e + SY_CE_STREAM_COUNT);
    if ((uint64_t)cv->label_first + cv->label_count > r->sec[SY_SEC_CLIP_LABELS].count ||
        (uint64_t)cv->group_first + cv->group_count > r->sec[SY_SEC_GROUPS].count ||
        (uint64_t)cv->stream_first + cv->stream_count > r->sec[SY_SEC_STREAMS].count)
        return sy_rerr(r, SYNAPT_E_CORRUPT, clip, SY_NO_STREAM, SY_NO_CHUNK, "label, group or stream range outside the index");
    if (cv->stream_count > r->limits.max_streams_per_clip)
        return sy_rerr(r, SYNAPT_E_LIMIT, clip, SY_NO_STREAM, SY_NO_CHUNK, "%u streams exceed the limit of %u",
                       cv->stream_count, r->limits.max_streams_per_clip);
    if (cv->label_count > r->limits.max_labels_per_clip)
        return sy_rerr(r, SYNAPT_E_LIMIT, clip, SY_NO_STREAM, SY_NO_CHUNK, "%u labels exceed the limit of %u",
                       cv->label_count, r->limits.max_labels_per_clip);
    return 0;
}

int sy_load_clip(clipview *cv, const synapt_reader *r, uint64_t clip)
{
    int rc = sy_load_clip_ranges(cv, r, clip);
    if (rc) return rc;
    const uint8_t *e = cv->e;
    if ((rc = sy_ref_bytes(r, e + SY_CE_ID, &cv->id, NULL, 1)) || (rc = sy_ref_bytes(r, e + SY_CE_SPLIT, &cv->split, NULL, 1)) ||
        (rc = sy_ref_bytes(r, e + SY_CE_SOURCE, &cv->source, NULL, 1)) ||
        (rc = sy_ref_bytes(r, e + SY_CE_META, &cv->meta, &cv->meta_len, 1)))
        return sy_rerr(r, rc, clip, SY_NO_STREAM, SY_NO_CHUNK, "a string of the clip entry is out of bounds or too long");
    return 0;
}

int sy_clip_label(uint32_t *out, const synapt_reader *r, uint64_t clip, const clipview *cv, uint32_t i)
{
    uint32_t id = sy_rd32(ENTRY(r, SY_SEC_CLIP_LABELS, (uint64_t)cv->label_first + i));
    if (id >= r->sec[SY_SEC_LABELS].count)
        return sy_rerr(r, SYNAPT_E_CORRUPT, clip, SY_NO_STREAM, SY_NO_CHUNK, "label id %u is outside the vocabulary", id);
    *out = id;
    return 0;
}

int sy_group_pair(const char **k, const char **v, const synapt_reader *r, uint64_t clip, const clipview *cv, uint32_t i)
{
    const uint8_t *g = ENTRY(r, SY_SEC_GROUPS, (uint64_t)cv->group_first + i);
    int rc;
    if ((rc = sy_ref_bytes(r, g, k, NULL, 1)) || (rc = sy_ref_bytes(r, g + 8, v, NULL, 1)))
        return sy_rerr(r, rc, clip, SY_NO_STREAM, SY_NO_CHUNK, "group %u: string out of bounds", i);
    return 0;
}

int synapt_reader_clip(synapt_clip_info *out, const synapt_reader *r, uint64_t index)
{
    if (!out || !r) return SYNAPT_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    clipview cv;
    int rc = sy_load_clip(&cv, r, index);
    if (rc) return rc;
    out->index = index;
    out->id = cv.id;
    out->split = cv.split;
    out->source = cv.source;
    out->synthetic = (sy_rd32(cv.e + SY_CE_FLAGS) & SY_CLIP_SYNTHETIC) != 0;
    out->label_count = cv.label_count;
    out->first_label = UINT32_MAX;
    if (cv.label_count && (rc = sy_clip_label(&out->first_label, r, index, &cv, 0))) return rc;
    out->group_count = cv.group_count;
    out->group = "";
    const char *k;
    if (cv.group_count && (rc = sy_group_pair(&k, &out->group, r, index, &cv, 0))) return rc;
    out->stream_count = cv.stream_count;
    out->frame_count = sy_rd64(cv.e + SY_CE_FRAMES);
    out->meta_json = cv.meta_len ? cv.meta : "{}";
    out->meta_len = cv.meta_len ? cv.meta_len : 2;
    int have_size = 0;
    for (uint32_t i = 0; i < cv.stream_count; i++) {
        sy_stream st;
        if ((rc = sy_reader_stream(&st, r, index, i))) return rc;
        if (i == 0) {
            out->fps_num = sy_rd32(st.e + SY_SE_FPS_NUM);
            out->fps_den = sy_rd32(st.e + SY_SE_FPS_DEN);
        }
        if (!have_size && (st.kind == SYNAPT_KIND_VIDEO || st.kind == SYNAPT_KIND_IMAGE) && st.ndim >= 2) {
            out->height = st.shape[0] > UINT32_MAX ? UINT32_MAX : (uint32_t)st.shape[0];
            out->width = st.shape[1] > UINT32_MAX ? UINT32_MAX : (uint32_t)st.shape[1];
            have_size = 1;
        }
    }
    return 0;
}

int synapt_reader_find_clip(uint64_t *out, const synapt_reader *r, const char *id)
{
    if (!out || !r || !id) return SYNAPT_E_INVALID_ARG;
    uint32_t c;
    int rc = hash_find(&c, r, SY_SEC_CLIP_IDS, SY_SEC_CLIPS, SY_CE_ID, id, "clip id", "clip",
                       "no clip with id");
    if (rc == 0) *out = c;
    return rc;
}

int synapt_reader_clip_labels(uint32_t *out, size_t cap, size_t *count, const synapt_reader *r, uint64_t clip)
{
    if (!r || (cap && !out)) return SYNAPT_E_INVALID_ARG;
    clipview cv;
    int rc = sy_load_clip_ranges(&cv, r, clip);
    if (rc) return rc;
    for (uint32_t i = 0; i < cv.label_count && i < cap; i++)
        if ((rc = sy_clip_label(&out[i], r, clip, &cv, i))) return rc;
    if (count) *count = cv.label_count;
    return 0;
}

int synapt_reader_clip_group(const char **key, const char **value, const synapt_reader *r, uint64_t clip, uint32_t i)
{
    if (!key || !value || !r) return SYNAPT_E_INVALID_ARG;
    clipview cv;
    int rc = sy_load_clip_ranges(&cv, r, clip);
    if (rc) return rc;
    if (i >= cv.group_count)
        return sy_rerr(r, SYNAPT_E_RANGE, clip, SY_NO_STREAM, SY_NO_CHUNK, "group %u does not exist (%u groups)", i, cv.group_count);
    return sy_group_pair(key, value, r, clip, &cv, i);
}

/* ------------------------------------------------------------------ */
/* streams */

int sy_reader_stream(sy_stream *out, const synapt_reader *r, uint64_t clip, uint32_t stream)
{
    clipview cv;
    int rc = sy_load_clip_ranges(&cv, r, clip);
    if (rc) return rc;
    if (stream >= cv.stream_count)
        return sy_rerr(r, SYNAPT_E_RANGE, clip, SY_NO_STREAM, SY_NO_CHUNK, "stream %u does not exist (%u streams)", stream,
                       cv.stream_count);
    const uint8_t *e = ENTRY(r, SY_SEC_STREAMS, (uint64_t)cv.stream_first + stream);
    memset(out, 0, sizeof *out);
    out->e = e;
    out->clip = clip;
    out->index = stream;
#define BAD(...) return sy_rerr(r, SYNAPT_E_CORRUPT, clip, stream, SY_NO_CHUNK, __VA_ARGS__)
    if ((rc = sy_ref_bytes(r, e + SY_SE_NAME, &out->name, NULL, 1)))
        return sy_rerr(r, rc, clip, stream, SY_NO_CHUNK, "stream name out of bounds");
    out->kind = sy_rd16(e + SY_SE_KIND);
    out->dtype = sy_rd16(e + SY_SE_DTYPE);
    out->codec = sy_rd16(e + SY_SE_CODEC);
    out->ndim = sy_rd16(e + SY_SE_NDIM);
    out->compression = sy_rd16(e + SY_SE_COMPRESSION);
    out->filter = sy_rd16(e + SY_SE_FILTER);
    out->frames = sy_rd64(e + SY_SE_FRAMES);
    out->packets = sy_rd64(e + SY_SE_PACKETS);
    out->chunk_first = sy_rd64(e + SY_SE_CHUNK_FIRST);
    out->chunk_count = sy_rd64(e + SY_SE_CHUNK_COUNT);
    out->flags = sy_rd32(e + SY_SE_FLAGS);
    out->max_persons = sy_rd32(e + SY_SE_MAX_PERSONS);
    for (int k = 0; k < 4; k++) out->shape[k] = sy_rd64(e + SY_SE_SHAPE + 8 * k);
    if (out->kind < SYNAPT_KIND_VIDEO || out->kind > SYNAPT_KIND_CUSTOM) BAD("unknown kind %d", out->kind);
    if (out->dtype > SYNAPT_DTYPE_F16) BAD("unknown dtype %d", out->dtype);
    if (!sy_codec_valid(out->codec)) BAD("unknown codec %d", out->codec);
    if (out->ndim > 4) BAD("ndim %u exceeds 4", out->ndim);
    if (!sy_rd32(e + SY_SE_FPS_NUM) || !sy_rd32(e + SY_SE_FPS_DEN)) BAD("zero frame rate");
    if (out->compression > SYNAPT_COMPRESSION_DEPTH_STRIP || out->filter > SYNAPT_FILTER_DEPTH_UP)
        BAD("unknown compression %d or filter %d", out->compression, out->filter);
    uint64_t cend;
    if (!sy_add_ok(out->chunk_first, out->chunk_count, &cend) || cend > r->sec[SY_SEC_CHUNKS].count)
        BAD("chunk range [%llu, +%llu) outside the index", (unsigned long long)out->chunk_first,
            (unsigned long long)out->chunk_count);
    if ((out->chunk_count == 0) != (out->packets == 0))
        BAD("%llu chunks for %llu frames", (unsigned long long)out->chunk_count, (unsigned long long)out->packets);
    int pose = out->kind == SYNAPT_KIND_POSE2D || out->kind == SYNAPT_KIND_POSE3D;
    /* spec 14: packets are video or image pictures, with no dtype and no filter */
    if (out->codec != SYNAPT_CODEC_RAW &&
        ((out->kind != SYNAPT_KIND_VIDEO && out->kind != SYNAPT_KIND_IMAGE) || out->dtype != SYNAPT_DTYPE_NONE ||
         out->filter != SYNAPT_FILTER_NONE))
        BAD("encoded stream of kind %s, dtype %s, filter %d (want video or image, none, 0)", synapt_kind_name(out->kind),
            synapt_dtype_name(out->dtype), out->filter);
    if (out->codec == SYNAPT_CODEC_RAW) {
        if (out->kind == SYNAPT_KIND_VIDEO || !synapt_dtype_size(out->dtype)) BAD("array stream without a dtype");
        if (out->packets != out->frames)
            BAD("%llu frames but %llu frame table entries", (unsigned long long)out->frames, (unsigned long long)out->packets);
        uint64_t fb = synapt_dtype_size(out->dtype);
        if (pose) {
            if (out->ndim != 3 || !out->shape[1] || !out->shape[2] || out->dtype != SYNAPT_DTYPE_F32)
                BAD("pose stream shape is not (persons, J, C) f32");
            if (!sy_mul_ok(out->shape[1], out->shape[2], &fb) || !sy_mul_ok(fb, 4, &fb) || fb > r->limits.max_frame_bytes)
                return sy_rerr(r, SYNAPT_E_LIMIT, clip, stream, SY_NO_CHUNK, "pose joints exceed the frame limit");
            out->frame_bytes = 0;
        } else {
            if (!out->ndim) BAD("array stream with ndim 0");
            int over = 0;
            for (uint32_t k = 0; k < out->ndim; k++) {
                if (!out->shape[k]) BAD("dimension %u of the shape is 0", k);
                if (!sy_mul_ok(fb, out->shape[k], &fb)) over = 1;
            }
            /* rule 25: a frame size that overflows is a limit, like a large one */
            if (over) return sy_rerr(r, SYNAPT_E_LIMIT, clip, stream, SY_NO_CHUNK, "frame size overflows 64 bits");
            if (fb > r->limits.max_frame_bytes || fb > UINT32_MAX)
                return sy_rerr(r, SYNAPT_E_LIMIT, clip, stream, SY_NO_CHUNK, "frames of %llu bytes exceed the limit of %llu",
                               (unsigned long long)fb, (unsigned long long)r->limits.max_frame_bytes);
            out->frame_bytes = fb;
        }
    }
#undef BAD
    return 0;
}

int synapt_reader_stream(synapt_stream_info *out, const synapt_reader *r, uint64_t clip, uint32_t stream)
{
    if (!out || !r) return SYNAPT_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    sy_stream st;
    int rc = sy_reader_stream(&st, r, clip, stream);
    if (rc) return rc;
    const uint8_t *e = st.e;
    const char *ex;
    size_t exn;
    if ((rc = sy_ref_bytes(r, e + SY_SE_UNITS, &out->units, NULL, 1)) ||
        (rc = sy_ref_bytes(r, e + SY_SE_CODEC_CONFIG, &out->codec_config, NULL, 1)) ||
        (rc = sy_ref_bytes(r, e + SY_SE_EXTRADATA, &ex, &exn, 0)))
        return sy_rerr(r, rc, clip, stream, SY_NO_CHUNK, "units, codec_config or extradata out of bounds");
    out->index = stream;
    out->name = st.name;
    out->kind = st.kind;
    out->dtype = st.dtype;
    out->codec = st.codec;
    out->ndim = st.ndim;
    memcpy(out->shape, st.shape, sizeof out->shape);
    out->fps_num = sy_rd32(e + SY_SE_FPS_NUM);
    out->fps_den = sy_rd32(e + SY_SE_FPS_DEN);
    out->scale = sy_rdf64(e + SY_SE_SCALE);
    out->skeleton = sy_rd16(e + SY_SE_SKELETON);
    out->channels = sy_rd16(e + SY_SE_CHANNELS);
    out->compression = st.compression;
    out->filter = st.filter;
    out->has_pts = (st.flags & SY_STREAM_HAS_PTS) != 0;
    out->frame_count = st.frames;
    out->chunk_count = st.chunk_count;
    out->stored_bytes = sy_rd64(e + SY_SE_STORED);
    out->raw_bytes = sy_rd64(e + SY_SE_RAW);
    out->extradata = exn ? ex : NULL;
    out->extradata_size = exn;
    out->frame_bytes = st.frame_bytes;
    out->packet_count = st.packets;
    out->max_persons = st.max_persons;
    return 0;
}

int synapt_reader_find_stream(uint32_t *out, const synapt_reader *r, uint64_t clip, const char *name)
{
    if (!out || !r || !name) return SYNAPT_E_INVALID_ARG;
    clipview cv;
    int rc = sy_load_clip_ranges(&cv, r, clip);
    if (rc) return rc;
    for (uint32_t i = 0; i < cv.stream_count; i++) {
        const char *nm;
        if (sy_ref_bytes(r, ENTRY(r, SY_SEC_STREAMS, (uint64_t)cv.stream_first + i) + SY_SE_NAME, &nm, NULL, 1))
            return sy_rerr(r, SYNAPT_E_CORRUPT, clip, i, SY_NO_CHUNK, "stream name out of bounds");
        if (!strcmp(nm, name)) { *out = i; return 0; }
    }
    return sy_rerr(r, SYNAPT_E_NOT_FOUND, clip, SY_NO_STREAM, SY_NO_CHUNK, "no stream named %.200s", name);
}

/* ------------------------------------------------------------------ */
/* chunks */


int sy_load_chunkent(chunkent *ck, const synapt_reader *r, const sy_stream *st, uint64_t k)
{
    if (k >= st->chunk_count)
        return sy_rerr(r, SYNAPT_E_RANGE, st->clip, st->index, SY_NO_CHUNK, "chunk %llu does not exist (%llu chunks)",
                       (unsigned long long)k, (unsigned long long)st->chunk_count);
    const uint8_t *e = ENTRY(r, SY_SEC_CHUNKS, st->chunk_first + k);
    ck->k = k;
    ck->offset = sy_rd64(e + SY_KE_OFFSET);
    ck->record = sy_rd64(e + SY_KE_RECORD);
    ck->first = sy_rd64(e + SY_KE_FIRST);
    ck->count = sy_rd32(e + SY_KE_COUNT);
    ck->raw = sy_rd64(e + SY_KE_RAW);
    ck->checksum = sy_rd64(e + SY_KE_CHECKSUM);
    uint64_t end, fend;
    if (ck->offset < SY_MAGIC_LEN || ck->record < SY_REC_OVERHEAD + SY_CHUNK_HDR ||
        !sy_add_ok(ck->offset, ck->record, &end) || end > r->index_offset)
        return sy_rerr(r, SYNAPT_E_CORRUPT, st->clip, st->index, k, "record (%llu bytes at %llu) outside the file's data",
                       (unsigned long long)ck->record, (unsigned long long)ck->offset);
    if (ck->record - SY_REC_OVERHEAD > r->limits.max_chunk_bytes || ck->raw > r->limits.max_chunk_bytes)
        return sy_rerr(r, SYNAPT_E_LIMIT, st->clip, st->index, k, "chunk of %llu bytes exceeds the limit of %llu",
                       (unsigned long long)(ck->raw > ck->record ? ck->raw : ck->record),
                       (unsigned long long)r->limits.max_chunk_bytes);
    if (!ck->count || !sy_add_ok(ck->first, ck->count, &fend) || fend > st->packets ||
        (k == 0 && ck->first != 0) || (k + 1 == st->chunk_count && fend != st->packets))
        return sy_rerr(r, SYNAPT_E_CORRUPT, st->clip, st->index, k, "frames [%llu, +%u) inconsistent with the stream's %llu",
                       (unsigned long long)ck->first, ck->count, (unsigned long long)st->packets);
    return 0;
}

int sy_find_chunkent(chunkent *ck, const synapt_reader *r, const sy_stream *st, uint64_t frame)
{
    uint64_t lo = 0, hi = st->chunk_count;   /* last chunk whose first_frame <= frame */
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (sy_rd64(ENTRY(r, SY_SEC_CHUNKS, st->chunk_first + mid) + SY_KE_FIRST) <= frame) lo = mid;
        else hi = mid;
    }
    int rc = sy_load_chunkent(ck, r, st, lo);
    if (rc) return rc;
    if (frame < ck->first || frame - ck->first >= ck->count)
        return sy_rerr(r, SYNAPT_E_CORRUPT, st->clip, st->index, lo, "chunk table is not ordered by frame (looking for %llu)",
                       (unsigned long long)frame);
    return 0;
}

/* ---- chunks ---- */

int synapt_reader_chunk(synapt_chunk_info *out, const synapt_reader *r, uint64_t clip, uint32_t stream, uint64_t chunk)
{
    if (!out || !r) return SYNAPT_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    sy_stream st;
    chunkent ck;
    int rc = sy_reader_stream(&st, r, clip, stream);
    if (rc || (rc = sy_load_chunkent(&ck, r, &st, chunk))) return rc;
    uint8_t h[SY_REC_PREFIX + SY_CHUNK_HDR];
    if ((rc = sy_rd_at(r, h, ck.offset, sizeof h)))
        return sy_rerr(r, rc, clip, stream, chunk, "cannot read the chunk header: %s", sy_rd_why(rc));
    uint32_t type;
    uint64_t blen;
    sy_chunk_hdr ch;
    sy_rec_prefix_get(&type, &blen, h);
    sy_chunk_hdr_get(&ch, h + SY_REC_PREFIX);
    if (type != SY_REC_CHUNK || blen != ck.record - SY_REC_OVERHEAD || ch.clip != clip || ch.stream != stream ||
        ch.first != ck.first || ch.count != ck.count || ch.raw != ck.raw)
        return sy_rerr(r, SYNAPT_E_CORRUPT, clip, stream, chunk, "chunk header differs from the index");
    out->index = chunk;
    out->file_offset = ck.offset;
    out->record_bytes = ck.record;
    out->first_frame = ck.first;
    out->frame_count = ck.count;
    out->compression = ch.compression;
    out->filter = ch.filter;
    out->stored_bytes = ch.stored;
    out->raw_bytes = ck.raw;
    out->checksum = ck.checksum;
    return 0;
}

int synapt_reader_find_chunk(uint64_t *out, const synapt_reader *r, uint64_t clip, uint32_t stream, uint64_t frame)
{
    if (!out || !r) return SYNAPT_E_INVALID_ARG;
    sy_stream st;
    chunkent ck;
    int rc = sy_reader_stream(&st, r, clip, stream);
    if (rc) return rc;
    if (frame >= st.packets)
        return sy_rerr(r, SYNAPT_E_RANGE, clip, stream, SY_NO_CHUNK, "frame %llu outside the stream's %llu",
                       (unsigned long long)frame, (unsigned long long)st.packets);
    if ((rc = sy_find_chunkent(&ck, r, &st, frame))) return rc;
    *out = ck.k;
    return 0;
}

int synapt_reader_read_chunk_body(void *buf, size_t cap, size_t *size, const synapt_reader *r, uint64_t clip,
                                  uint32_t stream, uint64_t chunk)
{
    if (size) *size = 0;
    if (!r || (!buf && cap)) return SYNAPT_E_INVALID_ARG;
    sy_stream st;
    chunkent ck;
    int rc = sy_reader_stream(&st, r, clip, stream);
    if (rc || (rc = sy_load_chunkent(&ck, r, &st, chunk))) return rc;
    uint64_t blen = ck.record - SY_REC_OVERHEAD;
    if (size) *size = (size_t)blen;
    if (blen > cap)
        return sy_rerr(r, SYNAPT_E_BUFFER, clip, stream, chunk, "buffer of %zu bytes, %llu needed", cap, (unsigned long long)blen);
    rctx *sc = sy_ctx_get(r);
    if (!sc) return sy_rerr(r, SYNAPT_E_NOMEM, clip, stream, chunk, "out of memory");
    chunkdata cd;
    rc = sy_load_chunk(&cd, r, &st, &ck, &sc->rec, r->verify_checksums);
    if (!rc) memcpy(buf, cd.body, (size_t)blen);
    sy_ctx_put(r, sc);
    return rc;
}
