#!/bin/sh
# tsan.sh - the threaded parts of synapt under ThreadSanitizer (make tsan).
#
# Runs, from a build made with -fsanitize=thread ($SYNAPT_BUILD, default
# build-tsan): the C tests named in $TSAN_TESTS (one reader handle shared by
# threads), then the commands whose work goes through cli_pool_run with
# several workers: synapt-synth --threads 4, synapt-pack -j 4 (h264
# re-encoding and raw), synapt-audit --threads 4, each on a few tiny clips.
# A data race makes TSan print a report and the run exit 66: that is a FAIL.
# Ends with "N passed, N failed" like tests/run.sh; exit 0 only when clean.
cd "$(dirname "$0")/.." || exit 1
B=${SYNAPT_BUILD:-build-tsan}
TSAN_TESTS=${TSAN_TESTS:-core/test_threads core/test_core video/test_video}
# halt at the first race with a distinct status; second_deadlock_stack for
# lock-order reports; tests/tsan.supp silences races inside FFmpeg's own
# (uninstrumented) decoder threads, and only those
TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 suppressions=$(pwd)/tests/tsan.supp ${TSAN_OPTIONS:-}"
export TSAN_OPTIONS SYNAPT_BUILD=$B
SYNAPT_TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/synapt-tsan.XXXXXX")
export SYNAPT_TEST_TMP
trap 'rm -rf "$SYNAPT_TEST_TMP"' EXIT
T=$SYNAPT_TEST_TMP
BIN=$(pwd)/$B/bin
passed=0 failed=0
ok() { echo "PASS $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }
run() { # NAME CMD...: PASS when CMD exits 0 (or 3) and TSan said nothing
    name=$1; shift
    "$@" > "$T/out" 2> "$T/err"
    rc=$?
    if grep -q 'WARNING: ThreadSanitizer' "$T/err"; then
        bad "$name (ThreadSanitizer report)"; sed -n '1,40p' "$T/err"
    elif [ $rc -ne 0 ] && [ $rc -ne 3 ]; then
        bad "$name (exit $rc)"; tail -5 "$T/err"; tail -5 "$T/out"
    else
        ok "$name"
    fi
}

for t in $TSAN_TESTS; do
    if [ -x "$B/tests/$t" ]; then run "tsan $t" "$B/tests/$t"
    else bad "tsan $t (not built: make tsan builds it)"; fi
done

small="--classes 3 --clips-per-class 4 --frames 8 --size 32x32 --seed 5"
run "tsan synapt-synth --threads 4" "$BIN/synapt-synth" -q --threads 4 $small --rgb raw -o "$T/s.synapt"
run "tsan synapt-synth --threads 4 --rgb h264" "$BIN/synapt-synth" -q --threads 4 $small --rgb h264 -o "$T/h.synapt"
run "tsan synapt-inspect --verify (threaded writer's output)" "$BIN/synapt-inspect" -q --verify "$T/s.synapt"
run "tsan synapt-audit --threads 4" "$BIN/synapt-audit" -q --threads 4 "$T/s.synapt" -o "$T/audit"
if command -v ffmpeg > /dev/null 2>&1; then
    : > "$T/all.jsonl"
    for i in 0 1 2 3 4 5; do
        ffmpeg -nostdin -loglevel error -y -f lavfi -i "testsrc=size=32x24:rate=10" -vf "hue=h=$((i * 50))" \
            -frames:v 6 -c:v libx264 -pix_fmt yuv420p "$T/v$i.mp4" &&
        echo "{\"video\":\"v$i.mp4\",\"label\":\"c$((i % 2))\"}" >> "$T/all.jsonl"
    done
    run "tsan synapt-pack -j 4" "$BIN/synapt-pack" -q -j 4 -o "$T/p.synapt" "$T/all.jsonl"
    run "tsan synapt-pack -j 4 --rgb h264" "$BIN/synapt-pack" -q -j 4 --rgb h264 -o "$T/p264.synapt" "$T/all.jsonl"
    run "tsan synapt-pack -j 4 --rgb raw" "$BIN/synapt-pack" -q -j 4 --rgb raw -o "$T/praw.synapt" "$T/all.jsonl"
else
    echo "SKIP tsan synapt-pack: ffmpeg not found"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
