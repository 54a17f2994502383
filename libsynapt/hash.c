/* hash.c - XXH3-64 of bulk data: chunk records as they are written, read
 * with checksums on, verified and recovered. Debian's libxxhash is built
 * for SSE2 (about 16 GB/s on the bench machine); the same hash from xxHash's
 * AVX2 code (hash_avx2.c) runs at about 56 GB/s, which matters when every
 * chunk read is checked: with the SSE2 code the checksum took 5% of
 * reading zstd-compressed pose. Small inputs (names, headers) keep
 * calling libxxhash directly. */
#include <xxhash.h>
#include "internal.h"

uint64_t sy_xxh3(const void *p, size_t n)
{
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
    if (n >= 256 && sy_simd_isa() >= 2) return sy_xxh3_avx2(p, n);
#endif
    return XXH3_64bits(p, n);
}
