/* fuzz_dstrip.c - libFuzzer target for the depth_strip decoders
 * (compression 4, spec/format.md 6.5): palette, the 108 context tables,
 * the escape stream, the 64 rANS states, words and the end checks, fed
 * with arbitrary payloads for frames of every small shape (widths under
 * 16 with empty strips, strips of unequal length, group remainders). The
 * portable decoder, the AVX2 one and the AVX-512 one (rows out with and
 * without VBMI), where the CPU has them, must agree: all reject, or all
 * give the same frame.
 * Through a file a payload reaches the decoder only with a matching record
 * checksum; the chunk-level path is fuzz_chunk's.
 *
 * The decoders are internal to the library, so this harness includes
 * internal.h directly.
 *
 *   input = u8 width-1 (mod 160) | u8 height-1 (mod 64) | payload */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h" /* white box: the depth_strip decoders (sy_dstrip_*) are private */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static void *scratch;
    if (size < 2) return 0;
    if (!scratch && !(scratch = malloc(sy_dstrip_dec_scratch(160)))) abort();
    size_t w = 1 + data[0] % 160, h = 1 + data[1] % 64, n = 2 * w * h;
    uint8_t *a = malloc(n), *b = malloc(n);
    if (!a || !b) abort();
    int ra = sy_dstrip_decode_isa(a, n, w, data + 2, size - 2, scratch, 0);
    int rb = sy_dstrip_decode_isa(b, n, w, data + 2, size - 2, scratch, 3);
    if (ra != rb || (!ra && memcmp(a, b, n))) abort();
    sy_dstrip_no_vbmi = 1;   /* AVX-512, rows out as without VBMI */
    rb = sy_dstrip_decode_isa(b, n, w, data + 2, size - 2, scratch, 3);
    sy_dstrip_no_vbmi = 0;
    if (ra != rb || (!ra && memcmp(a, b, n))) abort();
    rb = sy_dstrip_decode_isa(b, n, w, data + 2, size - 2, scratch, 2);   /* AVX2 */
    if (ra != rb || (!ra && memcmp(a, b, n))) abort();
    free(a);
    free(b);
    return 0;
}
