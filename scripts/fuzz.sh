#!/bin/sh
# Build the libFuzzer targets in fuzz/ with clang (ASan + UBSan) into
# build-fuzz/ and run each for $FUZZ_SECONDS seconds (default 600), one after
# another. `make fuzz` calls this.
#
# Environment:
#   FUZZ_SECONDS   seconds per target (default 600)
#   FUZZ_TARGETS   targets to run (default "fuzz_open fuzz_index fuzz_chunk fuzz_recover")
#   FUZZ_CC        compiler (default clang; needs -fsanitize=fuzzer)
#   FUZZ_BUILD     build directory (default build-fuzz)
#   FUZZ_MERGE=1   afterwards, merge new coverage into fuzz/corpus/<target>
#                  (libFuzzer -merge=1 on edges keeps only inputs that add
#                  coverage) and report the corpus size against its 2 MB budget
#
# Each target fuzzes a scratch copy of its committed corpus plus fresh seeds
# written by the current library (fuzz/fuzz_seeds.c), so the committed corpus
# only changes on request. A crash leaves its input in
# build-fuzz/artifacts/<target>/; reproduce it with
#   build-fuzz/<target> build-fuzz/artifacts/<target>/crash-...
# and shrink it with -minimize_crash=1 -runs=10000.
# Exit status: 0 when no target crashed, 1 otherwise.
set -eu
cd "$(dirname "$0")/.."

FUZZ_SECONDS=${FUZZ_SECONDS:-600}
FUZZ_TARGETS=${FUZZ_TARGETS:-"fuzz_open fuzz_index fuzz_chunk fuzz_recover"}
CC=${FUZZ_CC:-clang}
OUT=${FUZZ_BUILD:-build-fuzz}

# the library's pkg-config packages, kept in one place: the Makefile
PKGS=$(sed -n 's/^LIB_PKGS *= *//p' Makefile)
PKG_CFLAGS=$(pkg-config --cflags $PKGS)
PKG_LIBS="$(pkg-config --libs $PKGS) -lpthread -lm"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CFLAGS="-std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Wno-unused-parameter -Ilibsynapt"

mkdir -p "$OUT/obj"
echo "fuzz: building into $OUT with $CC"
objs=""
rebuilt=0
for src in libsynapt/*.c; do
    obj="$OUT/obj/$(basename "$src" .c).o"
    objs="$objs $obj"
    stale=0
    [ -e "$obj" ] || stale=1
    for dep in "$src" libsynapt/*.h; do
        [ "$stale" = 1 ] || [ "$dep" -ot "$obj" ] || stale=1
    done
    if [ "$stale" = 1 ]; then
        # fuzzer-no-link: coverage instrumentation without libFuzzer's main
        $CC $CFLAGS $SAN -fsanitize=fuzzer-no-link $PKG_CFLAGS -c "$src" -o "$obj"
        rebuilt=1
    fi
done
lib="$OUT/libsynapt-fuzz.a"
if [ "$rebuilt" = 1 ] || [ ! -e "$lib" ]; then
    rm -f "$lib"
    ar rcs "$lib" $objs
fi
for t in $FUZZ_TARGETS; do
    $CC $CFLAGS $SAN -fsanitize=fuzzer $PKG_CFLAGS "fuzz/$t.c" "$lib" $PKG_LIBS -o "$OUT/$t"
done
$CC $CFLAGS $SAN $PKG_CFLAGS fuzz/fuzz_seeds.c "$lib" $PKG_LIBS -o "$OUT/fuzz_seeds"

rm -rf "$OUT/seeds"
mkdir -p "$OUT/seeds"
"$OUT/fuzz_seeds" "$OUT/seeds"

status=0
summary="$OUT/summary.md"
{
    echo "| target | seconds | runs | exec/s | corpus files | result |"
    echo "|---|---:|---:|---:|---:|---|"
} > "$summary"
for t in $FUZZ_TARGETS; do
    corpus="$OUT/corpus/$t"
    mkdir -p "$corpus" "$OUT/artifacts/$t"
    [ -d "fuzz/corpus/$t" ] && cp -f fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null || true
    [ -d "$OUT/seeds/$t" ] && cp -f "$OUT/seeds/$t"/* "$corpus"/
    log="$OUT/$t.log"
    echo "fuzz: $t for ${FUZZ_SECONDS}s (log $log)"
    start=$(date +%s)
    rc=0
    "$OUT/$t" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -timeout=20 \
        -print_final_stats=1 -artifact_prefix="$OUT/artifacts/$t/" \
        "$corpus" > "$log" 2>&1 || rc=$?
    secs=$(( $(date +%s) - start ))
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    files=$(ls "$corpus" | wc -l)
    if [ "$rc" -eq 0 ]; then
        result="no crash"
    else
        result="CRASH (exit $rc), see $OUT/artifacts/$t/"
        status=1
        grep -m 1 -E 'ERROR: (AddressSanitizer|libFuzzer)|runtime error' "$log" || true
    fi
    echo "| $t | $secs | ${runs:-?} | ${eps:-?} | $files | $result |" >> "$summary"
    if [ "${FUZZ_MERGE:-0}" = 1 ] && [ "$rc" -eq 0 ]; then
        # edges only (no hit counters): counters keep hundreds of near-copies
        mkdir -p "fuzz/corpus/$t"
        "$OUT/$t" -merge=1 -use_counters=0 -rss_limit_mb=2048 -timeout=20 "fuzz/corpus/$t" "$corpus" \
            > "$OUT/$t.merge.log" 2>&1
        grep MERGE-OUTER "$OUT/$t.merge.log" | tail -n 1
    fi
done
cat "$summary"
if [ "${FUZZ_MERGE:-0}" = 1 ]; then
    bytes=$(cat fuzz/corpus/*/* | wc -c)
    echo "fuzz: committed corpus is now $bytes bytes"
    [ "$bytes" -le 2000000 ] || echo "fuzz: over the 2 MB budget: drop the largest non-seed inputs (see fuzz/README.md)"
fi
exit $status
