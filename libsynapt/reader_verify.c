/* reader_verify.c - verification of an open file (spec section 12.2).
 *
 * The quick pass checks what the index and the record checksums can tell
 * without decoding anything: every index entry and reference, the hash
 * tables, every record checksum, every chunk header and frame table against
 * the index, the stream totals. The full pass adds what only decoding and
 * a walk over the records can find: every payload decompressed and
 * unfiltered, the records between HEADER and INDEX laid end to end with
 * each indexed record among them, each CLIP record equal in value to the
 * index, frame flags and timestamps, video codec_configs.
 *
 * A failure is reported and verification carries on with whatever the
 * failure leaves checkable (the next chunk, stream or clip), so a caller
 * with an on_error callback gets one line per fault. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <xxhash.h>
#include "internal.h"
#include "chunk.h"
#include "reader_internal.h"

typedef struct vrec {
    uint64_t off;
    uint32_t type;
    uint32_t used;          /* referenced by the index already */
} vrec;

typedef struct vctx {
    synapt_reader *r;
    const synapt_verify_options *o;
    int deep;
    int first;              /* code of the first failure, 0 while none */
    int stop;
    int uses_rank;          /* some chunk uses depth_rank (feature bit 0) */
    int uses_ans;           /* some chunk uses depth_ans (feature bit 1) */
    int uses_strip;         /* some chunk uses depth_strip (feature bit 3) */
    int uses_up;            /* some chunk uses depth_up (feature bit 2) */
    rctx *sc;
    vrec *rec;              /* full pass: records between HEADER and INDEX */
    size_t nrec;
    sy_buf fa, fb;          /* decoded frames: two, xor_prev reads the one before */
    int flip, nomem;
    char first_msg[SY_MSG_MAX];
} vctx;

/* A failure whose message is on the reader. Returns 1 for the caller's
 * convenience (`return fail(...)` marks "this part failed"). */
static int fail(vctx *v, int code)
{
    if (!v->first) {
        v->first = code;
        sy_fmt(v->first_msg, sizeof v->first_msg, "%s", synapt_reader_errmsg(v->r));
    }
    if (!v->o->on_error || v->o->on_error(v->o->error_user, code, synapt_reader_errmsg(v->r))) v->stop = 1;
    return 1;
}

/* ---- the hash tables (rules 18, 28 and the full-verification list) ---- */

static void verify_ids(vctx *v, int ids_sec, int target_sec, size_t ref_off, const char *what)
{
    const synapt_reader *r = v->r;
    const sy_section *ids = &r->sec[ids_sec];
    uint64_t n = r->sec[target_sec].count, run = 0;
    for (uint64_t i = 0; i < ids->count && !v->stop; i++) {
        const uint8_t *e = ids->p + (size_t)i * ids->esize;
        uint64_t h = sy_rd64(e);
        uint32_t t = sy_rd32(e + 8);
        const char *s;
        size_t len;
        if (t >= n || sy_ref_bytes(r, ENTRY(r, target_sec, t) + ref_off, &s, &len, 1) || XXH3_64bits(s, len) != h) {
            fail(v, ERR0(r, SYNAPT_E_CORRUPT, "%s hash table entry %llu does not hash its entry", what,
                         (unsigned long long)i));
            continue;
        }
        if (i) {
            const uint8_t *p = e - ids->esize;
            uint64_t ph = sy_rd64(p);
            if (h < ph || (h == ph && t <= sy_rd32(p + 8)))
                fail(v, ERR0(r, SYNAPT_E_CORRUPT, "%s hash table is not sorted by (hash, entry) at %llu", what,
                             (unsigned long long)i));
            if (h != ph) run = i;
        }
        /* equal names hash alike: a duplicate sits in this entry's run */
        for (uint64_t j = run; j < i; j++) {
            const uint8_t *q = ids->p + (size_t)j * ids->esize;
            uint32_t u = sy_rd32(q + 8);
            const char *s2;
            size_t l2;
            if (u < n && !sy_ref_bytes(r, ENTRY(r, target_sec, u) + ref_off, &s2, &l2, 1) && l2 == len &&
                !memcmp(s, s2, len)) {
                fail(v, ERR0(r, SYNAPT_E_CORRUPT, "%s \"%.200s\" is used twice (entries %u and %u)", what, s, u, t));
                break;
            }
        }
    }
}

/* ---- full pass: the records between HEADER and INDEX (spec 3, 4) ---- */

static int walk_records(vctx *v)
{
    synapt_reader *r = v->r;
    uint8_t pre[SY_REC_PREFIX];
    size_t cap = 0;
    if (sy_rd_at(r, pre, SY_MAGIC_LEN, sizeof pre)) return fail(v, ERR0(r, SYNAPT_E_IO, "cannot read the HEADER"));
    uint64_t pos = SY_MAGIC_LEN + SY_REC_OVERHEAD + sy_rd64(pre + SY_RP_BODY_LEN);
    while (pos < r->index_offset && !v->stop) {
        uint64_t left = r->index_offset - pos;
        int rc;
        if (left < SY_REC_OVERHEAD)
            return fail(v, ERR0(r, SYNAPT_E_CORRUPT, "%llu bytes at offset %llu before the INDEX are not a record",
                                (unsigned long long)left, (unsigned long long)pos));
        if ((rc = sy_rd_at(r, pre, pos, sizeof pre)))
            return fail(v, ERR0(r, rc, "record at offset %llu: %s", (unsigned long long)pos, sy_rd_why(rc)));
        uint32_t type;
        uint64_t blen;
        sy_rec_prefix_get(&type, &blen, pre);
        if (blen > left - SY_REC_OVERHEAD)
            return fail(v, ERR0(r, SYNAPT_E_CORRUPT, "record at offset %llu (type %u, %llu bytes) runs into the INDEX",
                                (unsigned long long)pos, type, (unsigned long long)blen));
        if (type == 0 || type == SY_REC_HEADER || type == SY_REC_INDEX)
            fail(v, ERR0(r, SYNAPT_E_CORRUPT, "record of type %u at offset %llu (only one HEADER, first, and one INDEX, "
                                "last)", type, (unsigned long long)pos));
        if (v->nrec == cap) {
            size_t nc = cap ? 2 * cap : 256;
            vrec *p = sy_realloc(&r->mem, v->rec, nc * sizeof *p);
            if (!p) return fail(v, ERR0(r, SYNAPT_E_NOMEM, "out of memory"));
            v->rec = p;
            cap = nc;
        }
        v->rec[v->nrec++] = (vrec){ pos, type, 0 };
        pos += SY_REC_OVERHEAD + blen;
    }
    return 0;
}

/* The walked record at `off`, or NULL (no walk, or not a record start). */
static vrec *record_at(vctx *v, uint64_t off)
{
    size_t lo = 0, hi = v->nrec;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->rec[mid].off < off) lo = mid + 1;
        else hi = mid;
    }
    return lo < v->nrec && v->rec[lo].off == off ? &v->rec[lo] : NULL;
}

/* Mark an indexed record as used; the message names its clip/stream/chunk. */
static int claim(vctx *v, uint64_t off, uint32_t type, uint64_t clip, uint32_t stream, uint64_t chunk)
{
    vrec *x = record_at(v, off);
    const char *why = !x ? "is not the start of a record" : x->type != type ? "holds a record of another type"
                    : x->used ? "is indexed twice" : NULL;
    if (why)
        return fail(v, sy_rerr(v->r, SYNAPT_E_CORRUPT, clip, stream, chunk, "the record at offset %llu %s",
                               (unsigned long long)off, why));
    x->used = 1;
    return 0;
}

/* Records no index entry points at: a CHUNK or CLIP record is part of a
 * clip the index lost (a writer writes each for one indexed clip, spec 15),
 * so the file says less than it holds; records of other types are skipped
 * by readers but still checksummed. */
static void check_unreferenced(vctx *v)
{
    synapt_reader *r = v->r;
    for (size_t i = 0; i < v->nrec && !v->stop; i++) {
        if (v->rec[i].used) continue;
        if (v->rec[i].type == SY_REC_CHUNK || v->rec[i].type == SY_REC_CLIP) {
            fail(v, ERR0(r, SYNAPT_E_CORRUPT, "%s record at offset %llu is not named by the index",
                         v->rec[i].type == SY_REC_CHUNK ? "CHUNK" : "CLIP", (unsigned long long)v->rec[i].off));
            continue;
        }
        uint64_t off = v->rec[i].off, end = i + 1 < v->nrec ? v->rec[i + 1].off : r->index_offset;
        uint64_t blen = end - off - SY_REC_OVERHEAD;
        XXH3_state_t *hs = XXH3_createState();
        if (!hs) { fail(v, ERR0(r, SYNAPT_E_NOMEM, "out of memory")); return; }
        XXH3_64bits_reset(hs);
        uint8_t buf[1 << 16], sum[8];
        int rc = 0;
        for (uint64_t at = 0; at < blen && !rc; at += sizeof buf) {
            size_t k = blen - at < sizeof buf ? (size_t)(blen - at) : sizeof buf;
            if (!(rc = sy_rd_at(r, buf, off + SY_REC_PREFIX + at, k))) XXH3_64bits_update(hs, buf, k);
        }
        if (!rc) rc = sy_rd_at(r, sum, off + SY_REC_PREFIX + blen, 8);
        uint64_t h = XXH3_64bits_digest(hs);
        XXH3_freeState(hs);
        if (rc) fail(v, ERR0(r, rc, "record at offset %llu: %s", (unsigned long long)off, sy_rd_why(rc)));
        else if (h != sy_rd64(sum))
            fail(v, ERR0(r, SYNAPT_E_CHECKSUM, "record at offset %llu (type %u, not indexed): checksum mismatch",
                         (unsigned long long)off, v->rec[i].type));
    }
}

/* ---- streams ---- */

static uint8_t *verify_dst(void *u, uint64_t idx, uint32_t size)
{
    vctx *v = u;
    (void)idx;
    sy_buf *b = (v->flip ^= 1) ? &v->fa : &v->fb;
    b->len = 0;
    if (sy_buf_reserve(&v->r->mem, b, size ? size : 1)) {
        v->nomem = 1;
        return NULL;
    }
    return b->data;
}

/* The frame table of a loaded chunk: flags, timestamps, whole persons. */
/* Rule V6: a chunk's compression and filter against its stream's. A
 * depth_rank stream's chunks take depth_rank, depth_med, depth_up or none;
 * a depth_ans (depth_strip) stream's chunks are depth_ans (depth_strip)
 * unfiltered, or zstd per frame with one of those four filters. */
static int chunk_codec_ok(const sy_stream *st, const sy_chunk_hdr *h)
{
    int any_depth = h->filter == SYNAPT_FILTER_DEPTH_RANK || h->filter == SYNAPT_FILTER_DEPTH_MED ||
                    h->filter == SYNAPT_FILTER_DEPTH_UP || h->filter == SYNAPT_FILTER_NONE;
    if (st->compression == SYNAPT_COMPRESSION_DEPTH_ANS || st->compression == SYNAPT_COMPRESSION_DEPTH_STRIP)
        return h->compression == st->compression ? h->filter == SYNAPT_FILTER_NONE
                                                 : h->compression == SYNAPT_COMPRESSION_ZSTD_FRAME && any_depth;
    if (h->compression != st->compression) return 0;
    return st->filter == SYNAPT_FILTER_DEPTH_RANK ? any_depth : h->filter == st->filter;
}

static int check_frames(vctx *v, const sy_stream *st, const chunkent *ck, const chunkdata *cd, const int64_t *pkt_out,
                        uint64_t *persons, int *has_pts)
{
    const synapt_reader *r = v->r;
    int pose = st->codec == SYNAPT_CODEC_RAW && (st->kind == SYNAPT_KIND_POSE2D || st->kind == SYNAPT_KIND_POSE3D);
    uint64_t pb = pose ? st->shape[1] * st->shape[2] * 4 : 0;
    for (uint32_t i = 0; i < ck->count; i++) {
        sy_frame_ent f;
        sy_frame_ent_get(&f, sy_chunk_entry(&cd->c, i), cd->c.h.entry_size);
        unsigned long long at = (unsigned long long)(ck->first + i);
#define BAD(...) return fail(v, sy_rerr(r, SYNAPT_E_CORRUPT, st->clip, st->index, ck->k, __VA_ARGS__))
        if (pose && f.raw % pb) BAD("pose frame %llu is not whole persons", at);
        if (pose && f.raw / pb > *persons) *persons = f.raw / pb;
        if (!v->deep) continue;
        if (st->codec == SYNAPT_CODEC_RAW && (f.flags & ~SYNAPT_FRAME_HAS_PTS))
            BAD("frame %llu has flags 0x%x (array frames have has_pts only)", at, f.flags);
        if (!(f.flags & SYNAPT_FRAME_HAS_PTS) && f.pts != SYNAPT_PTS_NONE)
            BAD("frame %llu has a pts but not the has_pts flag", at);
        if (f.flags & SYNAPT_FRAME_HAS_PTS) *has_pts = 1;
        if (pkt_out && (f.flags & SYNAPT_FRAME_DISCARD) && pkt_out[ck->first + i] >= 0)
            BAD("packet %llu is marked discard but the map gives it frame %lld", at, (long long)pkt_out[ck->first + i]);
#undef BAD
    }
    return 0;
}

/* Does this stream name the synapt-video/1 profile? A reader without the
 * profile verifies the container only (spec 14.1). */
static int has_video_profile(const char *codec_config)
{
    cJSON *o = codec_config && *codec_config ? cJSON_Parse(codec_config) : NULL;
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, "schema");
    int yes = cJSON_IsString(s) && !strcmp(s->valuestring, "synapt-video/1");
    cJSON_Delete(o);
    return yes;
}

static void verify_stream(vctx *v, uint64_t clip, uint32_t si, uint64_t clip_rec, uint64_t *frames)
{
    synapt_reader *r = v->r;
    synapt_stream_info info;
    sy_stream st;
    int rc = synapt_reader_stream(&info, r, clip, si);
    if (rc || (rc = sy_reader_stream(&st, r, clip, si))) { fail(v, rc); return; }
    *frames = st.frames;
#define BAD(...) fail(v, sy_rerr(r, SYNAPT_E_CORRUPT, clip, si, SY_NO_CHUNK, __VA_ARGS__))
    if (st.codec != SYNAPT_CODEC_RAW && (st.ndim != 3 || st.shape[2] != 3 || st.frames > st.packets)) {
        BAD("encoded stream with shape not (height, width, 3) or more frames than packets");
        return;
    }
    int64_t *pkt_out = NULL;
    if (v->deep) {
        if (*info.codec_config && !sy_json_is_object(info.codec_config)) BAD("codec_config is not a JSON object");
        else if (st.kind == SYNAPT_KIND_VIDEO && has_video_profile(info.codec_config) &&
                 (rc = sy_video_check(r, clip, si, &pkt_out)) && rc != SYNAPT_E_UNSUPPORTED)
            fail(v, rc);
    }
    uint64_t f = 0, stored = 0, raw = 0, persons = 0;
    int broken = 0, has_pts = 0;
    for (uint64_t k = 0; k < st.chunk_count && !v->stop; k++) {
        chunkent ck;
        chunkdata cd;
        if ((rc = sy_load_chunkent(&ck, r, &st, k))) { fail(v, rc); broken = 1; break; }
        if (ck.first != f) {
            fail(v, sy_rerr(r, SYNAPT_E_CORRUPT, clip, si, k, "starts at frame %llu, expected %llu",
                            (unsigned long long)ck.first, (unsigned long long)f));
            broken = 1;
            break;
        }
        f += ck.count;
        stored += ck.record;
        raw += ck.raw;
        if (v->deep) {
            if (claim(v, ck.offset, SY_REC_CHUNK, clip, si, k)) { broken = 1; continue; }
            if (ck.offset > clip_rec) {
                fail(v, sy_rerr(r, SYNAPT_E_CORRUPT, clip, si, k, "chunk record after its clip's CLIP record"));
                broken = 1;
            }
        }
        if ((rc = sy_load_chunk(&cd, r, &st, &ck, &v->sc->rec, 1))) { fail(v, rc); broken = 1; continue; }
        if (cd.c.h.filter == SYNAPT_FILTER_DEPTH_RANK) v->uses_rank = 1;
        if (cd.c.h.compression == SYNAPT_COMPRESSION_DEPTH_ANS) v->uses_ans = 1;
        if (cd.c.h.compression == SYNAPT_COMPRESSION_DEPTH_STRIP) v->uses_strip = 1;
        if (cd.c.h.filter == SYNAPT_FILTER_DEPTH_UP) v->uses_up = 1;
        if (v->deep && !chunk_codec_ok(&st, &cd.c.h)) {
            fail(v, sy_rerr(r, SYNAPT_E_CORRUPT, clip, si, k, "compression %u / filter %u, the stream says %d / %d",
                            cd.c.h.compression, cd.c.h.filter, st.compression, st.filter));
            broken = 1;
            continue;
        }
        if (check_frames(v, &st, &ck, &cd, pkt_out, &persons, &has_pts)) { broken = 1; continue; }
        if (v->deep) {
            sink sk = { verify_dst, NULL, v, NULL };
            v->nomem = 0;
            if (!(rc = sy_decode_chunk(r, &st, &ck, &cd, 0, ck.count, &sk, v->sc)) && v->nomem)
                rc = sy_rerr(r, SYNAPT_E_NOMEM, clip, si, k, "out of memory");
            if (rc) { fail(v, rc); broken = 1; }
        }
    }
    sy_free(&r->mem, pkt_out);
    if (broken || v->stop) return;
    if (f != st.packets || stored != info.stored_bytes || raw != info.raw_bytes)
        BAD("chunk totals (%llu frames, %llu stored, %llu raw bytes) differ from the stream entry (%llu, %llu, %llu)",
            (unsigned long long)f, (unsigned long long)stored, (unsigned long long)raw,
            (unsigned long long)st.packets, (unsigned long long)info.stored_bytes, (unsigned long long)info.raw_bytes);
    /* readers size pose arrays by max_persons: a wrong one is not harmless */
    if (st.codec == SYNAPT_CODEC_RAW && (st.kind == SYNAPT_KIND_POSE2D || st.kind == SYNAPT_KIND_POSE3D) &&
        persons != st.max_persons)
        BAD("the stream entry says %u persons at most, the frames hold %llu", (unsigned)st.max_persons,
            (unsigned long long)persons);
    if (v->deep && !has_pts != !(st.flags & SY_STREAM_HAS_PTS))
        BAD("the stream entry's has_pts (%d) disagrees with its frames", (st.flags & SY_STREAM_HAS_PTS) != 0);
#undef BAD
}

/* ---- clips ---- */

/* The clip as the index describes it, for comparison with its CLIP record. */
static int index_clip(vctx *v, uint64_t c, const clipview *cv, sy_json_clip *out, sy_json_stream *js, const char **labels,
                      const char **keys, const char **vals)
{
    synapt_reader *r = v->r;
    memset(out, 0, sizeof *out);
    out->clip_index = c;
    out->id = cv->id;
    out->split = cv->split;
    out->source = cv->source;
    out->meta_json = cv->meta;
    out->synthetic = (sy_rd32(cv->e + SY_CE_FLAGS) & 1) != 0;
    for (uint32_t i = 0; i < cv->label_count; i++) {
        uint32_t l;
        int rc = sy_clip_label(&l, r, c, cv, i);
        if (rc || !(labels[i] = synapt_reader_label_name(r, l))) return rc ? rc : SYNAPT_E_CORRUPT;
    }
    for (uint32_t i = 0; i < cv->group_count; i++) {
        int rc = sy_group_pair(&keys[i], &vals[i], r, c, cv, i);
        if (rc) return rc;
    }
    out->labels = labels;
    out->label_count = cv->label_count;
    out->group_keys = keys;
    out->group_values = vals;
    out->group_count = cv->group_count;
    for (uint32_t i = 0; i < cv->stream_count; i++) {
        synapt_stream_info s;
        int rc = synapt_reader_stream(&s, r, c, i);
        if (rc) return rc;
        sy_json_stream *j = &js[i];
        j->name = s.name; j->kind = s.kind; j->dtype = s.dtype; j->codec = s.codec; j->ndim = s.ndim;
        memcpy(j->shape, s.shape, sizeof j->shape);
        j->fps_num = s.fps_num; j->fps_den = s.fps_den; j->scale = s.scale; j->units = s.units;
        j->skeleton = s.skeleton; j->channels = s.channels; j->compression = s.compression; j->filter = s.filter;
        j->frames = s.frame_count; j->packets = s.packet_count; j->has_pts = s.has_pts;
        j->max_persons = s.max_persons; j->extradata = s.extradata; j->extradata_size = s.extradata_size;
        j->codec_config = s.codec_config;
    }
    out->streams = js;
    out->stream_count = cv->stream_count;
    return 0;
}

/* Spec 8: the CLIP record and the index agree in value. */
static void compare_clip_record(vctx *v, uint64_t c, const clipview *cv, const uint8_t *body, uint64_t blen)
{
    synapt_reader *r = v->r;
    sy_clip_parsed pc;
    char why[256];
    int rc = sy_clip_json_parse(&r->mem, &pc, body, (size_t)blen, r->limits.max_streams_per_clip, why, sizeof why);
    if (rc) {
        fail(v, sy_rerr(r, rc, c, SY_NO_STREAM, SY_NO_CHUNK, "CLIP record: %s", why));
        return;
    }
    size_t nl = cv->label_count ? cv->label_count : 1, ng = cv->group_count ? cv->group_count : 1;
    size_t ns = cv->stream_count ? cv->stream_count : 1;
    const char **labels = sy_calloc(&r->mem, nl * sizeof *labels);
    const char **keys = sy_calloc(&r->mem, ng * sizeof *keys), **vals = sy_calloc(&r->mem, ng * sizeof *vals);
    sy_json_stream *js = sy_calloc(&r->mem, ns * sizeof *js);
    sy_json_clip ix;
    if (!labels || !keys || !vals || !js) rc = fail(v, sy_rerr(r, SYNAPT_E_NOMEM, c, SY_NO_STREAM, SY_NO_CHUNK, "out of memory"));
    else if ((rc = index_clip(v, c, cv, &ix, js, labels, keys, vals))) fail(v, rc);
    else if (sy_clip_json_diff(&pc.clip, &ix, why, sizeof why))
        fail(v, sy_rerr(r, SYNAPT_E_CORRUPT, c, SY_NO_STREAM, SY_NO_CHUNK, "CLIP record disagrees with the index: %s", why));
    sy_free(&r->mem, labels);
    sy_free(&r->mem, keys);
    sy_free(&r->mem, vals);
    sy_free(&r->mem, js);
    sy_clip_json_free(&r->mem, &pc);
}

static void verify_clip(vctx *v, uint64_t c, uint64_t *prev_rec)
{
    synapt_reader *r = v->r;
    clipview cv;
    int rc;
    if ((rc = sy_load_clip(&cv, r, c))) { fail(v, rc); return; }
    uint32_t l;
    const char *k, *val;
    for (uint32_t i = 0; i < cv.label_count; i++)
        if ((rc = sy_clip_label(&l, r, c, &cv, i))) { fail(v, rc); return; }
    for (uint32_t i = 0; i < cv.group_count; i++)
        if ((rc = sy_group_pair(&k, &val, r, c, &cv, i))) { fail(v, rc); return; }
#define BAD(code, ...) fail(v, sy_rerr(r, code, c, SY_NO_STREAM, SY_NO_CHUNK, __VA_ARGS__))
    if (v->deep && !sy_json_is_object(cv.meta)) BAD(SYNAPT_E_CORRUPT, "meta is not a JSON object");
    /* the CLIP record the entry points at */
    uint64_t at = sy_rd64(cv.e + SY_CE_RECORD), blen = 0, end;
    uint8_t pre[SY_REC_PREFIX];
    const uint8_t *rec = NULL;
    int readable = at >= SY_MAGIC_LEN && at < r->index_offset && !sy_rd_at(r, pre, at, sizeof pre);
    if (readable) blen = sy_rd64(pre + SY_RP_BODY_LEN);
    if (!readable) {
        BAD(SYNAPT_E_CORRUPT, "clip record offset %llu is invalid", (unsigned long long)at);
    } else if (sy_rd32(pre) != SY_REC_CLIP || !sy_add_ok(at, blen, &end) || end + SY_REC_OVERHEAD > r->index_offset ||
               blen > r->limits.max_string_bytes) {
        BAD(SYNAPT_E_CORRUPT, "no CLIP record at offset %llu", (unsigned long long)at);
    } else if ((rc = sy_fetch(r, &rec, &v->sc->rec, at, (size_t)(blen + SY_REC_OVERHEAD)))) {
        BAD(rc, "cannot read the clip record");
        rec = NULL;
    } else if (sy_xxh3(rec + SY_REC_PREFIX, (size_t)blen) != sy_rd64(rec + SY_REC_PREFIX + blen)) {
        BAD(SYNAPT_E_CHECKSUM, "clip record checksum mismatch");
        rec = NULL;
    } else if (v->deep) {
        /* spec 15: clip indices follow the order of the CLIP records */
        if (claim(v, at, SY_REC_CLIP, c, SY_NO_STREAM, SY_NO_CHUNK)) rec = NULL;
        else if (c && at <= *prev_rec) BAD(SYNAPT_E_CORRUPT, "CLIP record before the previous clip's");
        if (rec) compare_clip_record(v, c, &cv, rec + SY_REC_PREFIX, blen);
    }
    *prev_rec = at;
    uint64_t maxf = 0;
    for (uint32_t i = 0; i < cv.stream_count && !v->stop; i++) {
        uint64_t fr = sy_rd64(ENTRY(r, SY_SEC_STREAMS, (uint64_t)cv.stream_first + i) + SY_SE_FRAMES);
        verify_stream(v, c, i, at, &fr);
        if (fr > maxf) maxf = fr;
    }
    if (!v->stop && maxf != sy_rd64(cv.e + SY_CE_FRAMES))
        BAD(SYNAPT_E_CORRUPT, "clip frame count %llu, its longest stream has %llu",
            (unsigned long long)sy_rd64(cv.e + SY_CE_FRAMES), (unsigned long long)maxf);
#undef BAD
}

int synapt_reader_verify2(synapt_reader *r, const synapt_verify_options *opts)
{
    synapt_verify_options def = SYNAPT_VERIFY_OPTIONS_INIT;
    if (!opts) opts = &def;
    if (!r || opts->version != SYNAPT_VERIFY_OPTIONS_VERSION) return SYNAPT_E_INVALID_ARG;
    vctx v;
    memset(&v, 0, sizeof v);
    v.r = r;
    v.o = opts;
    v.deep = !(opts->flags & SYNAPT_VERIFY_QUICK);
    if (!(v.sc = sy_ctx_get(r))) return ERR0(r, SYNAPT_E_NOMEM, "out of memory");
    verify_ids(&v, SY_SEC_CLIP_IDS, SY_SEC_CLIPS, SY_CE_ID, "clip id");
    if (!v.stop) verify_ids(&v, SY_SEC_LABEL_IDS, SY_SEC_LABELS, 0, "label");
    if (!v.stop && v.deep) walk_records(&v);
    uint64_t nclips = r->sec[SY_SEC_CLIPS].count, prev = 0, c = 0;
    for (; c < nclips && !v.stop; c++) {
        verify_clip(&v, c, &prev);
        if (!v.stop && opts->progress && opts->progress(opts->progress_user, c + 1, nclips)) { c++; break; }
    }
    if (v.deep && !v.stop && c == nclips) {
        check_unreferenced(&v);
        /* format 1.1 feature bit 0: a 1.0 reader must refuse such a file up front */
        if (!v.stop && v.uses_rank && !(r->required_features & SY_FEATURE_DEPTH_RANK))
            fail(&v, ERR0(r, SYNAPT_E_CORRUPT, "chunks use depth_rank but the header does not require feature 0"));
        /* format 1.2 feature bit 1, likewise for 1.1 readers */
        if (!v.stop && v.uses_ans && !(r->required_features & SY_FEATURE_DEPTH_ANS))
            fail(&v, ERR0(r, SYNAPT_E_CORRUPT, "chunks use depth_ans but the header does not require feature 1"));
        /* format 1.3 feature bit 2, likewise for 1.2 readers */
        if (!v.stop && v.uses_up && !(r->required_features & SY_FEATURE_DEPTH_UP))
            fail(&v, ERR0(r, SYNAPT_E_CORRUPT, "chunks use depth_up but the header does not require feature 2"));
        /* format 1.4 feature bit 3, likewise for 1.3 readers */
        if (!v.stop && v.uses_strip && !(r->required_features & SY_FEATURE_DEPTH_STRIP))
            fail(&v, ERR0(r, SYNAPT_E_CORRUPT, "chunks use depth_strip but the header does not require feature 3"));
    }
    sy_ctx_put(r, v.sc);
    sy_free(&r->mem, v.rec);
    sy_buf_free(&r->mem, &v.fa);
    sy_buf_free(&r->mem, &v.fb);
    /* errmsg tells the first failure, as the return code does */
    if (v.first) sy_reader_set_msg(r, v.first_msg);
    return v.first;
}

int synapt_reader_verify(synapt_reader *r, synapt_progress_fn progress, void *user)
{
    synapt_verify_options o = SYNAPT_VERIFY_OPTIONS_INIT;
    o.progress = progress;
    o.progress_user = user;
    return synapt_reader_verify2(r, &o);
}
