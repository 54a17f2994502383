/*
 * chunk.h - the one codec for record prefixes and CHUNK bodies
 * (spec/format.md sections 4 and 6), private to the library.
 *
 * Every module that touches a chunk's bytes (reader, writer, recover, the
 * video read path) goes through these names, so a field's position is
 * written down once, next to the spec's table, and nowhere else.
 *
 * Parsing here is structural only: sy_chunk_parse checks that a body is
 * long enough and that header, frame table and payload add up to it.
 * Checks that need context (the index entry, the stream, the limits) stay
 * with the caller, which knows what to name in its message.
 */
#ifndef SYNAPT_CHUNK_H
#define SYNAPT_CHUNK_H

#include <stdint.h>

#include "internal.h"

/* Record prefix (section 4). */
#define SY_RP_TYPE        0
#define SY_RP_FLAGS       4
#define SY_RP_BODY_LEN    8

/* Chunk header fields (section 6.1), offsets into the record body. */
#define SY_CH_CLIP        0
#define SY_CH_STREAM      4
#define SY_CH_FIRST       8
#define SY_CH_COUNT      16
#define SY_CH_COMPRESSION 20
#define SY_CH_FILTER     22
#define SY_CH_ENTRY_SIZE 24
#define SY_CH_ELEM       26
#define SY_CH_WIDTH      28
#define SY_CH_STORED     32
#define SY_CH_RAW        40

/* Frame table entry fields (section 6.2); DTS only when entry_size >= 32. */
#define SY_FE_STORED      0
#define SY_FE_RAW         4
#define SY_FE_FLAGS       8
#define SY_FE_PTS        16
#define SY_FE_DTS        24

/* A record prefix. */
static inline void sy_rec_prefix_get(uint32_t *type, uint64_t *body_len, const uint8_t *p)
{
    *type = sy_rd32(p + SY_RP_TYPE);
    *body_len = sy_rd64(p + SY_RP_BODY_LEN);
}
static inline void sy_rec_prefix_put(uint8_t *p, uint32_t type, uint64_t body_len)
{
    sy_wr32(p + SY_RP_TYPE, type);
    sy_wr32(p + SY_RP_FLAGS, 0);
    sy_wr64(p + SY_RP_BODY_LEN, body_len);
}

/* The chunk header, as stored. */
typedef struct sy_chunk_hdr {
    uint32_t clip, stream;
    uint64_t first;
    uint32_t count;
    uint16_t compression, filter, entry_size, elem;
    uint32_t width;
    uint64_t stored, raw;
} sy_chunk_hdr;

/* Read / write the header; `body` holds at least SY_CHUNK_HDR bytes. */
void sy_chunk_hdr_get(sy_chunk_hdr *out, const uint8_t *body);
void sy_chunk_hdr_put(uint8_t *body, const sy_chunk_hdr *h);
/* Rewrite only the clip and stream numbers (copying a chunk elsewhere). */
void sy_chunk_renumber(uint8_t *body, uint32_t clip, uint32_t stream);

/* A chunk body split into its three parts. Pointers borrow `body`. */
typedef struct sy_chunk {
    sy_chunk_hdr h;
    const uint8_t *table;      /* h.count entries of h.entry_size bytes */
    const uint8_t *payload;    /* h.stored bytes */
} sy_chunk;

/* Split a body of body_len bytes. 0 when the header fits, entry_size is at
 * least SY_ENTRY_ARRAY and 48 + count * entry_size + stored == body_len;
 * SYNAPT_E_CORRUPT otherwise (*out then holds what could be read). */
int sy_chunk_parse(sy_chunk *out, const uint8_t *body, uint64_t body_len);

/* One frame table entry, decoded. dts is SYNAPT_PTS_NONE for array entries. */
typedef struct sy_frame_ent {
    uint32_t stored, raw, flags;
    int64_t pts, dts;
} sy_frame_ent;

static inline const uint8_t *sy_chunk_entry(const sy_chunk *c, uint32_t i)
{
    return c->table + (size_t)i * c->h.entry_size;
}
static inline uint32_t sy_chunk_stored(const sy_chunk *c, uint32_t i) { return sy_rd32(sy_chunk_entry(c, i) + SY_FE_STORED); }
static inline uint32_t sy_chunk_raw(const sy_chunk *c, uint32_t i) { return sy_rd32(sy_chunk_entry(c, i) + SY_FE_RAW); }
/* Decode the entry at e, of esz bytes (>= SY_ENTRY_ARRAY). */
void sy_frame_ent_get(sy_frame_ent *out, const uint8_t *e, uint32_t esz);
/* Encode an entry into esz zeroed-or-not bytes; reserved bytes become 0. */
void sy_frame_ent_put(uint8_t *e, uint32_t esz, const sy_frame_ent *f);

#endif /* SYNAPT_CHUNK_H */
