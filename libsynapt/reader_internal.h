/*
 * reader_internal.h - what the files of the read path share (reader.c,
 * reader_index.c, reader_frames.c, reader_verify.c); private to them.
 *
 * The reader handle itself and sy_stream are in internal.h, because the
 * video files use them too. Everything here returns 0 or a SYNAPT_E_*
 * code with the reader's message set, unless it says otherwise.
 */
#ifndef SYNAPT_READER_INTERNAL_H
#define SYNAPT_READER_INTERNAL_H

#include <stdint.h>
#include <zstd.h>

#include "internal.h"
#include "chunk.h"

/* Entry i of index section id (the section's own entry size). */
#define ENTRY(r, id, i) ((r)->sec[id].p + (size_t)(i) * (r)->sec[id].esize)
/* An error about the whole file, no clip/stream/chunk named. */
#define ERR0(r, code, ...) sy_rerr(r, code, SY_NO_CLIP, SY_NO_STREAM, SY_NO_CHUNK, __VA_ARGS__)

/* ---- reader.c ---- */

/* Resolve a StrRef: 0 and the NUL-terminated text, or _CORRUPT when it is
 * out of bounds, unterminated or (text) holds an inner NUL, _LIMIT when too
 * long. No message is set. */
int sy_ref_bytes(const synapt_reader *r, const uint8_t *ref, const char **out, size_t *len, int text);
/* Read n bytes at off: 0, _IO, or _TRUNCATED. No message is set. */
int sy_rd_at(const synapt_reader *r, void *buf, uint64_t off, size_t n);
/* Bytes at [off, off+n): into the memory image, or read into *scratch. No
 * message is set. */
int sy_fetch(const synapt_reader *r, const uint8_t **out, sy_buf *scratch, uint64_t off, size_t n);
/* Replace the handle's message with `text` as it is. */
void sy_reader_set_msg(const synapt_reader *r, const char *text);
/* Text for an sy_rd_at/sy_fetch failure (reads errno for _IO). */
const char *sy_rd_why(int rc);

/* Working state of one call: taken from the reader's pool, returned after.
 * Only taking and returning hold the lock. */
typedef struct sy_rctx {
    ZSTD_DCtx *dctx;
    sy_buf rec, whole, ftmp, chunkraw, frame, dans;
} rctx;
rctx *sy_ctx_get(const synapt_reader *r);            /* NULL: out of memory */
void sy_ctx_put(const synapt_reader *r, rctx *c);    /* accepts NULL */
ZSTD_DCtx *sy_ctx_dctx(const synapt_reader *r, rctx *c);  /* NULL: out of memory */

/* ---- reader_index.c ---- */

typedef struct clipview {
    const uint8_t *e;
    const char *id, *split, *source, *meta;
    size_t meta_len;
    uint32_t label_first, label_count, group_first, group_count, stream_first, stream_count;
} clipview;
/* A clip entry's ranges, checked against the sections and the limits. */
int sy_load_clip_ranges(clipview *cv, const synapt_reader *r, uint64_t clip);
/* The same plus its four strings. */
int sy_load_clip(clipview *cv, const synapt_reader *r, uint64_t clip);
int sy_clip_label(uint32_t *out, const synapt_reader *r, uint64_t clip, const clipview *cv, uint32_t i);
int sy_group_pair(const char **k, const char **v, const synapt_reader *r, uint64_t clip, const clipview *cv, uint32_t i);

/* One ChunkEntry, checked against the stream and the file (rules 26, 27). */
typedef struct chunkent {
    uint64_t k;                 /* within the stream */
    uint64_t offset, record, first, raw, checksum;
    uint32_t count;
} chunkent;
int sy_load_chunkent(chunkent *ck, const synapt_reader *r, const sy_stream *st, uint64_t k);
/* The entry of the chunk holding frame (packet) `frame`. */
int sy_find_chunkent(chunkent *ck, const synapt_reader *r, const sy_stream *st, uint64_t frame);

/* ---- reader_frames.c ---- */

/* A chunk record read and checked against its index entry. */
typedef struct chunkdata {
    const uint8_t *body;
    uint64_t body_len;
    sy_chunk c;
} chunkdata;
#define FE_STORED(cd, i) sy_chunk_stored(&(cd)->c, (i))
#define FE_RAW(cd, i) sy_chunk_raw(&(cd)->c, (i))
/* Read the record of ck into *scratch (or point into the memory image),
 * check its checksum when `verify`, its header and frame table (rules 29
 * to 35). cd borrows *scratch. */
int sy_load_chunk(chunkdata *cd, const synapt_reader *r, const sy_stream *st, const chunkent *ck, sy_buf *scratch,
                  int verify);

/* Where decoded frames go: dst() gives the place for frame `idx` (stream
 * position) of `size` bytes, or NULL to skip it; done() runs after. A
 * place must stay intact until the following frame has been decoded
 * (xor_prev reads the previous frame from it). */
typedef struct sink {
    uint8_t *(*dst)(void *u, uint64_t idx, uint32_t size);
    int (*done)(void *u, uint64_t idx, const uint8_t *data, uint32_t size);
    void *u;
    /* optional: room for frames idx, idx+1, ... laid end to end, `size`
     * bytes in all, taken as dst() would take them one by one; NULL when
     * the sink cannot give it (then dst() is asked frame by frame) */
    uint8_t *(*span)(void *u, uint64_t idx, uint64_t size);
} sink;
/* Decode frames [lo, hi) of a chunk loaded by sy_load_chunk into the
 * sink (each zstd frame checked to be exactly one frame of the announced
 * size, rule 36). */
int sy_decode_chunk(const synapt_reader *r, const sy_stream *st, const chunkent *ck, const chunkdata *cd, uint32_t lo,
                    uint32_t hi, const sink *sk, rctx *sc);
typedef int (*meta_fn)(void *u, uint64_t idx, const uint8_t *entry, uint32_t esz);
/* Walk frames [first, first+n) chunk by chunk. With a sink the frames are
 * decoded; meta() (if any) sees each frame table entry. */
int sy_walk(const synapt_reader *r, const sy_stream *st, uint64_t first, uint64_t n, const sink *sk, meta_fn meta,
            void *mu);

#endif /* SYNAPT_READER_INTERNAL_H */
