/* hash_avx2.c - XXH3-64 compiled for AVX2, for sy_xxh3 (hash.c) to call on
 * CPUs that have it. xxHash's header holds the whole implementation
 * (XXH_INLINE_ALL keeps it static, apart from libxxhash's symbols) and
 * picks its AVX2 code from __AVX2__, which GCC's target pragma defines for
 * this file only (clang, used for the sanitizer and fuzz builds, has no
 * such pragma: there sy_xxh3 calls libxxhash). */
#include "internal.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC target("avx2")
#define XXH_INLINE_ALL
#include <xxhash.h>

uint64_t sy_xxh3_avx2(const void *p, size_t n)
{
    return XXH3_64bits(p, n);
}
#pragma GCC pop_options
#endif
