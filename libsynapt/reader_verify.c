/* reader_verify.c - full verification of an open file (spec section
 * 12, "A full verification"): every index entry, every record and its
 * checksum, and the totals that only a pass over all chunks can check. */
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

/* ---- verify ---- */

static int verify_stream(const synapt_reader *r, uint64_t clip, uint32_t si, rctx *sc)
{
    synapt_stream_info info;
    sy_stream st;
    int rc = synapt_reader_stream(&info, r, clip, si);
    if (rc || (rc = sy_reader_stream(&st, r, clip, si))) return rc;
    uint64_t f = 0, stored = 0, raw = 0, persons = 0;
    for (uint64_t k = 0; k < st.chunk_count; k++) {
        chunkent ck;
        chunkdata cd;
        if ((rc = sy_load_chunkent(&ck, r, &st, k))) return rc;
        if (ck.first != f)
            return sy_rerr(r, SYNAPT_E_CORRUPT, clip, si, k, "starts at frame %llu, expected %llu", (unsigned long long)ck.first,
                           (unsigned long long)f);
        if ((rc = sy_load_chunk(&cd, r, &st, &ck, &sc->rec, 1))) return rc;
        if (st.codec == SYNAPT_CODEC_RAW && (st.kind == SYNAPT_KIND_POSE2D || st.kind == SYNAPT_KIND_POSE3D)) {
            uint64_t pb = st.shape[1] * st.shape[2] * 4;
            for (uint32_t i = 0; i < ck.count; i++) {
                if (FE_RAW(&cd, i) % pb)
                    return sy_rerr(r, SYNAPT_E_CORRUPT, clip, si, k, "pose frame %llu is not whole persons",
                                   (unsigned long long)(ck.first + i));
                if (FE_RAW(&cd, i) / pb > persons) persons = FE_RAW(&cd, i) / pb;
            }
        }
        f += ck.count;
        stored += ck.record;
        raw += ck.raw;
    }
    if (f != st.packets || stored != info.stored_bytes || raw != info.raw_bytes)
        return sy_rerr(r, SYNAPT_E_CORRUPT, clip, si, SY_NO_CHUNK, "chunk totals differ from the stream entry");
    /* readers size pose arrays by max_persons: a wrong one is not harmless */
    if (st.codec == SYNAPT_CODEC_RAW && (st.kind == SYNAPT_KIND_POSE2D || st.kind == SYNAPT_KIND_POSE3D) &&
        persons != st.max_persons)
        return sy_rerr(r, SYNAPT_E_CORRUPT, clip, si, SY_NO_CHUNK, "the stream entry says %u persons at most, the frames hold %llu",
                       (unsigned)st.max_persons, (unsigned long long)persons);
    return 0;
}

int synapt_reader_verify(synapt_reader *r, synapt_progress_fn progress, void *user)
{
    if (!r) return SYNAPT_E_INVALID_ARG;
    int rc = 0;
    uint64_t nclips = r->sec[SY_SEC_CLIPS].count;
    uint64_t nlabels = r->sec[SY_SEC_LABELS].count;
    /* hash tables: sorted, pointing at entries whose names hash to them */
    const sy_section *ids = &r->sec[SY_SEC_CLIP_IDS], *lids = &r->sec[SY_SEC_LABEL_IDS];
    for (uint64_t i = 0; i < ids->count; i++) {
        const uint8_t *e = ids->p + (size_t)i * ids->esize;
        uint32_t c = sy_rd32(e + 8);
        const char *s;
        size_t n;
        if (c >= nclips || sy_ref_bytes(r, ENTRY(r, SY_SEC_CLIPS, c) + SY_CE_ID, &s, &n, 1) || XXH3_64bits(s, n) != sy_rd64(e) ||
            (i && sy_rd64(e) < sy_rd64(e - ids->esize)))
            return ERR0(r, SYNAPT_E_CORRUPT, "clip id hash table entry %llu is wrong", (unsigned long long)i);
    }
    for (uint64_t i = 0; i < lids->count; i++) {
        const uint8_t *e = lids->p + (size_t)i * lids->esize;
        uint32_t l = sy_rd32(e + 8);
        const char *s;
        size_t n;
        if (l >= nlabels || sy_ref_bytes(r, ENTRY(r, SY_SEC_LABELS, l), &s, &n, 1) || XXH3_64bits(s, n) != sy_rd64(e) ||
            (i && sy_rd64(e) < sy_rd64(e - lids->esize)))
            return ERR0(r, SYNAPT_E_CORRUPT, "label hash table entry %llu is wrong", (unsigned long long)i);
    }
    rctx *sc = sy_ctx_get(r);
    if (!sc) return ERR0(r, SYNAPT_E_NOMEM, "out of memory");
    for (uint64_t c = 0; c < nclips && !rc; c++) {
        clipview cv;
        if ((rc = sy_load_clip(&cv, r, c))) break;
        uint32_t l;
        const char *k, *v;
        for (uint32_t i = 0; i < cv.label_count && !rc; i++) rc = sy_clip_label(&l, r, c, &cv, i);
        for (uint32_t i = 0; i < cv.group_count && !rc; i++) rc = sy_group_pair(&k, &v, r, c, &cv, i);
        if (rc) break;
        /* the CLIP record the entry points at */
        uint64_t at = sy_rd64(cv.e + SY_CE_RECORD);
        uint8_t pre[SY_REC_PREFIX];
        if ((rc = sy_rd_at(r, pre, at, sizeof pre)) || at < SY_MAGIC_LEN || at >= r->index_offset) {
            rc = sy_rerr(r, SYNAPT_E_CORRUPT, c, SY_NO_STREAM, SY_NO_CHUNK, "clip record offset %llu is invalid",
                         (unsigned long long)at);
            break;
        }
        uint64_t blen = sy_rd64(pre + 8), end;
        if (sy_rd32(pre) != SY_REC_CLIP || !sy_add_ok(at, blen, &end) || end + SY_REC_OVERHEAD > r->index_offset ||
            blen > r->limits.max_string_bytes) {
            rc = sy_rerr(r, SYNAPT_E_CORRUPT, c, SY_NO_STREAM, SY_NO_CHUNK, "no CLIP record at offset %llu", (unsigned long long)at);
            break;
        }
        const uint8_t *rec;
        if ((rc = sy_fetch(r, &rec, &sc->rec, at, (size_t)(blen + SY_REC_OVERHEAD)))) {
            rc = sy_rerr(r, rc, c, SY_NO_STREAM, SY_NO_CHUNK, "cannot read the clip record");
            break;
        }
        if (XXH3_64bits(rec + SY_REC_PREFIX, (size_t)blen) != sy_rd64(rec + SY_REC_PREFIX + blen)) {
            rc = sy_rerr(r, SYNAPT_E_CHECKSUM, c, SY_NO_STREAM, SY_NO_CHUNK, "clip record checksum mismatch");
            break;
        }
        uint64_t maxf = 0;
        for (uint32_t i = 0; i < cv.stream_count && !rc; i++) {
            rc = verify_stream(r, c, i, sc);
            uint64_t fr = sy_rd64(ENTRY(r, SY_SEC_STREAMS, (uint64_t)cv.stream_first + i) + SY_SE_FRAMES);
            if (fr > maxf) maxf = fr;
        }
        if (!rc && maxf != sy_rd64(cv.e + SY_CE_FRAMES))
            rc = sy_rerr(r, SYNAPT_E_CORRUPT, c, SY_NO_STREAM, SY_NO_CHUNK, "clip frame count differs from its streams");
        if (!rc && progress && progress(user, c + 1, nclips)) break;
    }
    sy_ctx_put(r, sc);
    return rc;
}
