/* fuzz_index.c - libFuzzer target for the index parser.
 *
 * A mutated whole file almost never gets past the index checksum, so here the
 * input is only the variable part of a file and the harness supplies what a
 * valid file needs around it:
 *
 *   input = u32 region_len | region (records between header and index)
 *           | index body (the rest)
 *   file  = magic + HEADER record (from a file the library wrote)
 *           + region + INDEX record(body, correct XXH3) + footer(correct XXH3)
 *
 * The region carries the chunk and clip records the index points into, so
 * mutations of ChunkEntry offsets and sizes land on real records. The file is
 * opened with the index checksum checked (it is right by construction) and
 * chunk checksums off, so mutated chunk records reach the decoders too. */
#include "fuzz_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *fi_head;      /* magic + HEADER record */
static size_t fi_head_len;

static void fi_init(void)
{
    size_t n = 0;
    uint8_t *f = fz_sample_file(0, &n);
    size_t rl;
    size_t off = f ? fz_find_record(f, n, FZ_REC_HEADER, 0, &rl) : SIZE_MAX;
    if (off == FZ_MAGIC_LEN) {
        /* regions come from every sample, some with depth_rank, depth_ans
         * or depth_up chunks: the header requires those features (spec 5),
         * or a full verification rightly refuses the file */
        uint64_t blen = fz_get64(f + off + 8);
        fz_put64(f + off + 16 + 24, fz_get64(f + off + 16 + 24) | 7);
        fz_put64(f + off + 16 + blen, XXH3_64bits(f + off + 16, (size_t)blen));
        fi_head = f;
        fi_head_len = off + rl;
        return;
    }
    /* the library could not write a file: build the header from the spec */
    static const uint8_t magic[FZ_MAGIC_LEN] = { 0x89, 'S', 'Y', 'N', 'A', 'P', 'T', 1 };
    uint8_t body[50 + 4];
    memset(body, 0, sizeof body);
    body[0] = 1;                          /* format 1.0 */
    body[48] = 4;                         /* writer_len */
    memcpy(body + 50, "fuzz", 4);
    fz_buf b = { 0 };
    fz_append(&b, magic, sizeof magic);
    fz_append_record(&b, FZ_REC_HEADER, body, sizeof body);
    free(f);
    fi_head = b.p;
    fi_head_len = b.n;
}

/* Returns the code of the open, so the replay test can check that seeds built
 * from valid files open cleanly (else the harness is fuzzing nothing). */
static int fi_run(const uint8_t *data, size_t size)
{
    if (!fi_head) fi_init();
    if (size < 4) return SYNAPT_E_TRUNCATED;
    size_t region = fz_get32(data);
    if (region > size - 4) region = size - 4;
    const uint8_t *idx = data + 4 + region;
    size_t idx_len = size - 4 - region;

    fz_buf b = { 0 };
    fz_append(&b, fi_head, fi_head_len);
    fz_append(&b, data + 4, region);
    uint64_t index_off = b.n;
    fz_append_record(&b, FZ_REC_INDEX, idx, idx_len);
    fz_append_footer(&b, index_off, b.n - index_off, fi_head);
    int rc = fz_open_walk(b.p, b.n, 1, 0);
    free(b.p);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)fi_run(data, size);
    return 0;
}
