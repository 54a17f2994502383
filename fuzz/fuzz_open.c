/* fuzz_open.c - libFuzzer target: the input is a whole .synapt file image.
 *
 * It is opened from memory twice: once with every checksum checked (what a
 * careful user does), once with checksums off so mutations get past them and
 * reach the index, clip, stream and chunk parsers; then, with every checksum
 * in the file recomputed (fz_fix_checksums), through the path API (pread,
 * index mapped or read, chosen by the input's length) with every check on,
 * so a mutated header, chunk, clip record or index is parsed in full. Every
 * clip, label, group and stream is walked and frames are read (fuzz_walk.h). */
#include "fuzz_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_open_walk(data, size, 1, 1);
    fz_open_walk(data, size, 0, 0);
    uint8_t *fixed = (uint8_t *)malloc(size ? size : 1);
    if (!fixed) abort();
    if (size) memcpy(fixed, data, size);
    fz_fix_checksums(fixed, size);
    fz_open_walk_file(fixed, size, (int)(size & 1));
    free(fixed);
    return 0;
}
