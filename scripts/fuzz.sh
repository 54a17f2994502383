#!/bin/sh
# Build the libFuzzer targets in fuzz/ with clang (ASan + UBSan) into
# build-fuzz/ and run each for $FUZZ_SECONDS seconds (default 600), one after
# another. `make fuzz` calls this.
#
# Environment:
#   FUZZ_SECONDS   seconds per target (default 600)
#   FUZZ_TARGETS   targets to run (default: the four reader targets, the video
#                  header scan (fuzz_vscan), the depth_ans decoder (fuzz_dans),
#                  the depth_strip decoders (fuzz_dstrip), then the
#                  eight importer targets fuzz_imp_* built from fuzz/fuzz_import.c)
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
IMP_TARGETS="fuzz_imp_manifest fuzz_imp_layouts fuzz_imp_skeleton fuzz_imp_posejson fuzz_imp_npy fuzz_imp_png fuzz_imp_mat fuzz_imp_hdf5"
FUZZ_TARGETS=${FUZZ_TARGETS:-"fuzz_open fuzz_index fuzz_chunk fuzz_recover fuzz_vscan fuzz_dans fuzz_dstrip $IMP_TARGETS"}
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
# the importer targets also need the tool libraries they go through
# (tools/import and what it calls), instrumented the same way
imp_lib="$OUT/libsynapt-import-fuzz.a"
case " $FUZZ_TARGETS " in
*" fuzz_imp_"*)
    IMP_PKGS=$(sed -n 's/^import_PKGS *= *//p; s/^h5_PKGS *= *//p; s/^cli_PKGS *= *//p' Makefile | tr '\n' ' ')
    # FUZZING_BUILD_MODE_...: the matio/HDF5 dry run stays in-process
    # (tools/cli/cli_sandbox.c) so the fuzzer sees what it finds
    # the sonames tools/h5 and tools/import dlopen (the Makefile's TOOL_DEFS);
    # the harness links both libraries too, as the tests do
    IMP_CFLAGS="$(pkg-config --cflags $IMP_PKGS) -DSYNAPT_HAVE_ZLIB -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -Itools"
    IMP_CFLAGS="$IMP_CFLAGS -DH5DL_SONAME=\"$(sh scripts/soname.sh "$CC" hdf5 hdf5)\""
    IMP_CFLAGS="$IMP_CFLAGS -DIMPORT_MATIO_SONAME=\"$(sh scripts/soname.sh "$CC" matio matio)\""
    IMP_LIBS="$(pkg-config --libs $IMP_PKGS) -lmatio -lz -ldl"
    iobjs=""
    irebuilt=0
    for src in tools/import/*.c tools/npy/*.c tools/h5/*.c tools/cli/*.c; do
        obj="$OUT/obj/tool_$(basename "$src" .c).o"
        iobjs="$iobjs $obj"
        stale=0
        [ -e "$obj" ] || stale=1
        # a folder may hold several headers (tools/import: import.h, layout_common.h)
        for dep in "$src" "$(dirname "$src")"/*.h; do
            [ "$stale" = 1 ] || [ "$dep" -ot "$obj" ] || stale=1
        done
        if [ "$stale" = 1 ]; then
            $CC $CFLAGS $SAN -fsanitize=fuzzer-no-link $PKG_CFLAGS $IMP_CFLAGS -c "$src" -o "$obj"
            irebuilt=1
        fi
    done
    if [ "$irebuilt" = 1 ] || [ ! -e "$imp_lib" ]; then
        rm -f "$imp_lib"
        ar rcs "$imp_lib" $iobjs
    fi
    ;;
esac
imp_number() {
    n=0
    for x in $IMP_TARGETS; do n=$((n + 1)); [ "$x" = "$1" ] && echo $n && return; done
}
for t in $FUZZ_TARGETS; do
    case $t in
    fuzz_imp_*)
        $CC $CFLAGS $SAN -fsanitize=fuzzer $PKG_CFLAGS $IMP_CFLAGS -DFZ_IMPORTER="$(imp_number "$t")" \
            fuzz/fuzz_import.c "$imp_lib" "$lib" $IMP_LIBS $PKG_LIBS -o "$OUT/$t" ;;
    *)
        $CC $CFLAGS $SAN -fsanitize=fuzzer $PKG_CFLAGS "fuzz/$t.c" "$lib" $PKG_LIBS -o "$OUT/$t" ;;
    esac
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
    # libmatio and libhdf5 are not instrumented: they leak on damaged files
    # and allocate what headers claim, which is not ours to report; their
    # crashes and our code's errors still are (fuzz/README.md)
    extra="" asan=${ASAN_OPTIONS:-} rss=2048
    case $t in
    fuzz_imp_mat|fuzz_imp_hdf5)
        extra="-malloc_limit_mb=65536 -detect_leaks=0" rss=4096
        asan="${asan:+$asan:}allocator_may_return_null=1:max_allocation_size_mb=256:detect_leaks=0" ;;
    esac
    ASAN_OPTIONS=$asan "$OUT/$t" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=$rss -timeout=20 \
        -print_final_stats=1 -artifact_prefix="$OUT/artifacts/$t/" $extra \
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
