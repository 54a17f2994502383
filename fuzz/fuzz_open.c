/* fuzz_open.c - libFuzzer target: the input is a whole .synapt file image.
 *
 * It is opened from memory twice: once with every checksum checked (what a
 * careful user does), once with checksums off so mutations get past them and
 * reach the index, clip, stream and chunk parsers. Every clip, label, group
 * and stream is then walked and frames are read (fuzz_walk.h). */
#include "fuzz_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_open_walk(data, size, 1, 1);
    fz_open_walk(data, size, 0, 0);
    return 0;
}
