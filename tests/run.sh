#!/bin/sh
# Run every test: the C test programs in $SYNAPT_BUILD/tests and the shell
# tests tests/t_*.sh. Each prints PASS/FAIL/SKIP lines; this script counts
# them and ends with "N passed, N failed". Exit 0 only when nothing failed.
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
status=0
for t in "$SYNAPT_BUILD"/tests/test_* tests/t_*.sh; do
    [ -e "$t" ] || continue
    name=$(basename "$t")
    echo "== $name"
    case "$t" in
        *.sh) sh "$t" > "$SYNAPT_TEST_TMP/$name.out" 2>&1; rc=$? ;;
        *)    "$t" > "$SYNAPT_TEST_TMP/$name.out" 2>&1; rc=$? ;;
    esac
    cat "$SYNAPT_TEST_TMP/$name.out"
    cat "$SYNAPT_TEST_TMP/$name.out" >> "$log"
    if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$SYNAPT_TEST_TMP/$name.out"; then
        # a crash or an early exit without a FAIL line still counts as a failure
        echo "FAIL $name: exited with status $rc"
        echo "FAIL $name: exited with status $rc" >> "$log"
    fi
done
passed=$(grep -c '^PASS ' "$log")
failed=$(grep -c '^FAIL ' "$log")
skipped=$(grep -c '^SKIP ' "$log")
if [ "$failed" -ne 0 ]; then
    echo "failures:"; grep '^FAIL ' "$log"
fi
rm -rf "$SYNAPT_TEST_TMP"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
