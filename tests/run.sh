#!/bin/sh
# Run every test, subject by subject: for each folder tests/SUBJECT/, the C
# test programs $SYNAPT_BUILD/tests/SUBJECT/test_* and then the shell tests
# tests/SUBJECT/t_*.sh. Each prints PASS/FAIL/SKIP lines; this script counts
# them, prints a line per subject and ends with "N passed, N failed, N
# skipped". Exit 0 only when nothing failed. See tests/README.md.
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
log="$SYNAPT_TEST_TMP/all.log"
: > "$log"
count() { grep -c "^$1 " "$2"; }
summary=""
for dir in tests/*/; do
    subject=$(basename "$dir")
    slog="$SYNAPT_TEST_TMP/$subject.log"
    : > "$slog"
    for t in "$SYNAPT_BUILD/tests/$subject"/test_* "tests/$subject"/t_*.sh; do
        [ -f "$t" ] || continue
        name=$subject/$(basename "$t")
        out="$SYNAPT_TEST_TMP/$subject.$(basename "$t").out"
        echo "== $name"
        case "$t" in
            *.sh) sh "$t" > "$out" 2>&1; rc=$? ;;
            *)    "$t" > "$out" 2>&1; rc=$? ;;
        esac
        if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$out"; then
            # a crash or an early exit without a FAIL line still counts as a failure
            echo "FAIL $name: exited with status $rc" >> "$out"
        fi
        cat "$out"
        cat "$out" >> "$slog"
    done
    [ -s "$slog" ] || continue
    cat "$slog" >> "$log"
    summary="$summary$(printf '%-8s %4d passed, %d failed, %d skipped' "$subject:" \
        "$(count PASS "$slog")" "$(count FAIL "$slog")" "$(count SKIP "$slog")")
"
done
passed=$(count PASS "$log")
failed=$(count FAIL "$log")
skipped=$(count SKIP "$log")
printf '%s' "$summary"
if [ "$failed" -ne 0 ]; then
    echo "failures:"; grep '^FAIL ' "$log"
fi
rm -rf "$SYNAPT_TEST_TMP"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
