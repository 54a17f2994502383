/* fuzz_chunk.c - libFuzzer target for chunk decoding: the chunk header, the
 * frame table, decompression (none / zstd per frame / zstd per chunk) and the
 * unfilters (shuffle, depth MED, xor with the previous frame, depth_rank, depth_up),
 * and the depth_ans decoder (compression 3).
 *
 * At start-up the library writes one small file per stream configuration in
 * fuzz_common.h (image, u16 and f32 depth, pose, mask, custom, frame labels),
 * each holding a single chunk. The input is
 *
 *   input = u8 template | chunk body bytes
 *
 * and the body bytes overwrite that template's chunk body (the record keeps
 * its length; missing bytes keep the template's). The harness then fixes the
 * record checksum and the index's copy of it, so the file opens with every
 * check on and the mutated body reaches read_frames, read_pose,
 * read_chunk_body and verify. */
#include "fuzz_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fc_template {
    uint8_t *file;
    size_t size;
    size_t chunk_off, chunk_len;  /* the chunk record */
} fc_template;

/* indexed like fz_cfgs so a corpus entry keeps meaning the same stream
 * configuration; an entry the library could not write stays NULL */
static fc_template fc_tpl[FZ_NCFG];
static int fc_ready;

static void fc_init(void)
{
    fc_ready = 1;
    for (size_t i = 0; i < FZ_NCFG; i++) {
        fc_template *t = &fc_tpl[i];
        t->file = fz_sample_file(-(int)i - 1, &t->size);
        if (!t->file) continue;
        t->chunk_off = fz_find_record(t->file, t->size, FZ_REC_CHUNK, 0, &t->chunk_len);
        if (t->chunk_off == SIZE_MAX) { free(t->file); t->file = NULL; }
    }
}

/* Returns the code of the open (see fi_run in fuzz_index.c). */
static int fc_run(const uint8_t *data, size_t size)
{
    if (!fc_ready) fc_init();
    if (size < 1) return SYNAPT_E_TRUNCATED;
    const fc_template *t = &fc_tpl[data[0] % FZ_NCFG];
    if (!t->file) return SYNAPT_E_NOT_FOUND;
    uint8_t *f = (uint8_t *)malloc(t->size);
    if (!f) abort();
    memcpy(f, t->file, t->size);

    uint8_t *body = f + t->chunk_off + FZ_PREFIX_LEN;
    size_t body_len = t->chunk_len - FZ_PREFIX_LEN - 8;
    size_t n = size - 1 < body_len ? size - 1 : body_len;
    memcpy(body, data + 1, n);
    uint64_t sum = XXH3_64bits(body, body_len);
    fz_put64(body + body_len, sum);
    fz_patch_chunk_checksum(f, t->size, t->chunk_off, sum);

    int rc = fz_open_walk(f, t->size, 1, 1);
    free(f);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)fc_run(data, size);
    return 0;
}
