/* fuzz_dans.c - libFuzzer target for the depth_ans decoder (compression 3,
 * spec/format.md 6.4): palette, context tables, the raw-bit stream, the
 * four interleaved rANS states and the end checks, fed with arbitrary
 * payloads for frames of every small shape (group remainders, one row, one
 * column). Through a file, a payload reaches the decoder only with a
 * matching record checksum, which libFuzzer would rarely produce; the
 * chunk-level path is fuzz_chunk's.
 *
 * The decoder is internal to the library, so this harness includes
 * internal.h directly.
 *
 *   input = u8 width-1 (mod 96) | u8 height-1 (mod 96) | payload
 *
 * A payload that decodes must decode again to the same frame (the decoder
 * keeps no state between calls). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h" /* white box: the depth_ans decoder (sy_dans_*) is private */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static void *tables;
    if (size < 2) return 0;
    if (!tables && !(tables = malloc(sy_dans_dec_scratch()))) abort();
    size_t w = 1 + data[0] % 96, h = 1 + data[1] % 96, n = 2 * w * h;
    uint8_t *a = malloc(n), *b = malloc(n);
    if (!a || !b) abort();
    if (sy_dans_decode(a, n, w, data + 2, size - 2, tables) == 0) {
        if (sy_dans_decode(b, n, w, data + 2, size - 2, tables) != 0 || memcmp(a, b, n)) abort();
    }
    free(a);
    free(b);
    return 0;
}
