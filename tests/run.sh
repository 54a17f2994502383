#!/bin/sh
# Run every test: for each folder tests/SUBJECT/, the C test programs
# $SYNAPT_BUILD/tests/SUBJECT/test_* and the shell tests tests/SUBJECT/t_*.sh.
# Each prints PASS/FAIL/SKIP lines; this script counts them, prints a line per
# subject and ends with "N passed, N failed, N skipped". Exit 0 only when
# nothing failed. See tests/README.md.
#
# Tests are independent (each has its own scratch folder), so they run
# SYNAPT_TEST_JOBS at a time (default: the number of cores), longest first
# when a previous run's times are known. Outputs are printed in the fixed
# order above once every test has ended, so a log reads the same whatever the
# job count; a "done" line per test shows progress while they run.
#
#   sh tests/run.sh                 every subject
#   sh tests/run.sh cli dataset     only these subjects
cd "$(dirname "$0")/.." || exit 1
SYNAPT_BUILD=${SYNAPT_BUILD:-build}
export SYNAPT_BUILD
SYNAPT_TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/synapt-test.XXXXXX")
export SYNAPT_TEST_TMP
if [ -z "${SYNAPT_REALDATA:-}" ] && [ -d ../shared/realdata ]; then
    SYNAPT_REALDATA=$(cd ../shared/realdata && pwd)
fi
export SYNAPT_REALDATA
[ -n "$SYNAPT_REALDATA" ] || echo "note: ../shared/realdata not found; tests that need it will SKIP"
PATH="$(pwd)/$SYNAPT_BUILD/bin:$PATH"
export PATH
jobs=${SYNAPT_TEST_JOBS:-$(nproc 2>/dev/null || echo 1)}
case $jobs in ''|*[!0-9]*|0) echo "run.sh: SYNAPT_TEST_JOBS wants a positive integer, not '$jobs'" >&2; exit 2 ;; esac
# per-test wall times of the last run in this build folder: the schedule's hint
times_file="$SYNAPT_BUILD/tests/.times"
hint=$times_file
# a sanitizer build's first run borrows the plain build's times: same tests
[ -f "$hint" ] || hint=build/tests/.times

subjects="$*"
[ -n "$subjects" ] || subjects=$(for d in tests/*/; do basename "$d"; done)
list="$SYNAPT_TEST_TMP/list"
: > "$list"
for subject in $subjects; do
    [ -d "tests/$subject" ] || { echo "run.sh: no test subject '$subject'" >&2; rm -rf "$SYNAPT_TEST_TMP"; exit 2; }
    for t in "$SYNAPT_BUILD/tests/$subject"/test_* "tests/$subject"/t_*.sh; do
        [ -f "$t" ] && echo "$subject $t" >> "$list"
    done
done

# schedule: known slow tests first (longest processing time first), new ones
# (no time yet) before the known fast ones
sched="$SYNAPT_TEST_TMP/sched"
if [ -f "$hint" ]; then
    awk -v b="$SYNAPT_BUILD/" 'NR == FNR { t[$1] = $2; next }
         { k = $2; if (index(k, b) == 1) k = substr(k, length(b) + 1)
           print ((k in t) ? t[k] : 1e9), $0 }' "$hint" "$list" |
        sort -k1,1gr | cut -d' ' -f2- > "$sched"
else
    cp "$list" "$sched"
fi

# one test: its output, status and wall time in files named after it
run_one() {
    subject=$1 t=$2
    key=$(echo "$t" | tr '/' '_')
    out="$SYNAPT_TEST_TMP/$key.out"
    t0=$(date +%s.%N)
    case "$t" in
        *.sh) sh "$t" > "$out" 2>&1; rc=$? ;;
        *)    "$t" > "$out" 2>&1; rc=$? ;;
    esac
    t1=$(date +%s.%N)
    if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$out"; then
        # a crash or an early exit without a FAIL line still counts as a failure
        echo "FAIL $subject/$(basename "$t"): exited with status $rc" >> "$out"
    fi
    secs=$(echo "$t0 $t1" | awk '{ printf "%.1f", $2 - $1 }')
    # keyed without the build folder, so build-asan can use build's times
    echo "${t#"$SYNAPT_BUILD"/} $secs" > "$SYNAPT_TEST_TMP/$key.time"
    printf 'done %-40s %6s s  %s\n' "$subject/$(basename "$t")" "$secs" \
        "$(grep -c '^PASS ' "$out") passed, $(grep -c '^FAIL ' "$out") failed"
}

# $jobs workers share the schedule: each takes the next test nobody has
# claimed yet, a claim being an atomic mkdir, so a long test never holds up
# the tests queued behind it on one worker
# Ctrl-C reaches the tests through the terminal's process group; the
# runner then stops its workers and removes its scratch folder
pids=""
trap 'kill $pids 2>/dev/null; wait; rm -rf "$SYNAPT_TEST_TMP"; exit 130' INT
trap 'kill $pids 2>/dev/null; wait; rm -rf "$SYNAPT_TEST_TMP"; exit 143' TERM
w=0
while [ $w -lt "$jobs" ]; do
    (
        i=0
        while read -r subject t; do
            i=$((i + 1))
            mkdir "$SYNAPT_TEST_TMP/claim.$i" 2>/dev/null || continue
            # stdin from /dev/null: a test that reads stdin must not eat the schedule
            run_one "$subject" "$t" < /dev/null
        done < "$sched"
    ) &
    pids="$pids $!"
    w=$((w + 1))
done
wait

log="$SYNAPT_TEST_TMP/all.log"
: > "$log"
count() { grep -c "^$1 " "$2"; }
summary=""
for subject in $subjects; do
    slog="$SYNAPT_TEST_TMP/$subject.log"
    : > "$slog"
    while read -r s t; do
        [ "$s" = "$subject" ] || continue
        key=$(echo "$t" | tr '/' '_')
        echo "== $subject/$(basename "$t")"
        cat "$SYNAPT_TEST_TMP/$key.out"
        cat "$SYNAPT_TEST_TMP/$key.out" >> "$slog"
    done < "$list"
    [ -s "$slog" ] || continue
    cat "$slog" >> "$log"
    summary="$summary$(printf '%-8s %4d passed, %d failed, %d skipped' "$subject:" \
        "$(count PASS "$slog")" "$(count FAIL "$slog")" "$(count SKIP "$slog")")
"
done
# keep the times for the next run's schedule (only for a whole run)
if [ -z "$*" ] && [ -d "$SYNAPT_BUILD/tests" ]; then
    cat "$SYNAPT_TEST_TMP"/*.time > "$times_file" 2>/dev/null
fi
passed=$(count PASS "$log")
failed=$(count FAIL "$log")
skipped=$(count SKIP "$log")
printf '%s' "$summary"
echo "slowest (wall s, $jobs at a time):"
cat "$SYNAPT_TEST_TMP"/*.time | sort -k2,2gr | head -n 5 | sed 's/^/  /'
if [ "$failed" -ne 0 ]; then
    echo "failures:"; grep '^FAIL ' "$log"
fi
rm -rf "$SYNAPT_TEST_TMP"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
