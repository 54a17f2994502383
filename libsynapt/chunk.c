/* chunk.c - the chunk body codec (see chunk.h). */
#include "chunk.h"

void sy_chunk_hdr_get(sy_chunk_hdr *out, const uint8_t *b)
{
    out->clip = sy_rd32(b + SY_CH_CLIP);
    out->stream = sy_rd32(b + SY_CH_STREAM);
    out->first = sy_rd64(b + SY_CH_FIRST);
    out->count = sy_rd32(b + SY_CH_COUNT);
    out->compression = sy_rd16(b + SY_CH_COMPRESSION);
    out->filter = sy_rd16(b + SY_CH_FILTER);
    out->entry_size = sy_rd16(b + SY_CH_ENTRY_SIZE);
    out->elem = sy_rd16(b + SY_CH_ELEM);
    out->width = sy_rd32(b + SY_CH_WIDTH);
    out->stored = sy_rd64(b + SY_CH_STORED);
    out->raw = sy_rd64(b + SY_CH_RAW);
}

void sy_chunk_hdr_put(uint8_t *b, const sy_chunk_hdr *h)
{
    sy_chunk_renumber(b, h->clip, h->stream);
    sy_wr64(b + SY_CH_FIRST, h->first);
    sy_wr32(b + SY_CH_COUNT, h->count);
    sy_wr16(b + SY_CH_COMPRESSION, h->compression);
    sy_wr16(b + SY_CH_FILTER, h->filter);
    sy_wr16(b + SY_CH_ENTRY_SIZE, h->entry_size);
    sy_wr16(b + SY_CH_ELEM, h->elem);
    sy_wr32(b + SY_CH_WIDTH, h->width);
    sy_wr64(b + SY_CH_STORED, h->stored);
    sy_wr64(b + SY_CH_RAW, h->raw);
}

void sy_chunk_renumber(uint8_t *b, uint32_t clip, uint32_t stream)
{
    sy_wr32(b + SY_CH_CLIP, clip);
    sy_wr32(b + SY_CH_STREAM, stream);
}

int sy_chunk_parse(sy_chunk *out, const uint8_t *body, uint64_t body_len)
{
    memset(out, 0, sizeof *out);
    if (body_len < SY_CHUNK_HDR) return SYNAPT_E_CORRUPT;
    sy_chunk_hdr_get(&out->h, body);
    if (out->h.entry_size < SY_ENTRY_ARRAY) return SYNAPT_E_CORRUPT;
    /* count < 2^32 and entry_size < 2^16: the product cannot overflow */
    uint64_t tab = (uint64_t)out->h.count * out->h.entry_size;
    if (tab > body_len - SY_CHUNK_HDR || body_len - SY_CHUNK_HDR - tab != out->h.stored) return SYNAPT_E_CORRUPT;
    out->table = body + SY_CHUNK_HDR;
    out->payload = out->table + tab;
    return 0;
}

void sy_frame_ent_get(sy_frame_ent *out, const uint8_t *e, uint32_t esz)
{
    out->stored = sy_rd32(e + SY_FE_STORED);
    out->raw = sy_rd32(e + SY_FE_RAW);
    out->flags = sy_rd32(e + SY_FE_FLAGS);
    out->pts = (out->flags & SYNAPT_FRAME_HAS_PTS) ? (int64_t)sy_rd64(e + SY_FE_PTS) : SYNAPT_PTS_NONE;
    out->dts = esz >= SY_ENTRY_PACKET ? (int64_t)sy_rd64(e + SY_FE_DTS) : SYNAPT_PTS_NONE;
}

void sy_frame_ent_put(uint8_t *e, uint32_t esz, const sy_frame_ent *f)
{
    memset(e, 0, esz);
    sy_wr32(e + SY_FE_STORED, f->stored);
    sy_wr32(e + SY_FE_RAW, f->raw);
    sy_wr32(e + SY_FE_FLAGS, f->flags);
    sy_wr64(e + SY_FE_PTS, (uint64_t)f->pts);
    if (esz >= SY_ENTRY_PACKET) sy_wr64(e + SY_FE_DTS, (uint64_t)f->dts);
}
