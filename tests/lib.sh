# tests/lib.sh - the one harness every shell test sources:
#
#     . "$(dirname "$0")/../lib.sh"
#
# It moves to the top of the checkout, puts $SYNAPT_BUILD/bin first on PATH,
# makes a scratch folder $T (removed at exit), and counts PASS/FAIL/SKIP
# lines. A script ends with `finish`, whose exit status is the verdict (1 as
# soon as one check failed); a script that exits any other way, with any
# status, is reported as a FAIL, so an early `exit 0` cannot hide a problem.
# The API is listed in tests/README.md.

# ---- where things are ----------------------------------------------------
TEST_NAME=$(basename "$0" .sh)
ROOT=$(cd "$(dirname "$0")" && while [ ! -f tests/lib.sh ] && [ "$(pwd)" != / ]; do cd ..; done; pwd)
cd "$ROOT" || { echo "FAIL $TEST_NAME: cannot enter the checkout"; exit 1; }
B=${SYNAPT_BUILD:-build}                      # as given, relative to $ROOT
case $B in /*) BUILD=$B ;; *) BUILD=$ROOT/$B ;; esac
BIN=$BUILD/bin
PATH="$BIN:$PATH"
export SYNAPT_BUILD="$B" PATH
# Debian's interpreter: it has numpy and h5py, a python3 earlier on PATH may not
PY=/usr/bin/python3
if [ -z "${SYNAPT_REALDATA:-}" ] && [ -d "$ROOT/../shared/realdata" ]; then
    SYNAPT_REALDATA=$(cd "$ROOT/../shared/realdata" && pwd)
fi
export SYNAPT_REALDATA

# ---- scratch folder --------------------------------------------------------
T=${SYNAPT_TEST_TMP:-${TMPDIR:-/tmp}}/$TEST_NAME.$$
rm -rf "$T"
mkdir -p "$T" || { echo "FAIL $TEST_NAME: cannot create $T"; exit 1; }

tl_passed=0 tl_failed=0 tl_skipped=0 tl_finished=""
tl_exit() {
    tl_status=$?
    [ -n "${SYNAPT_KEEP_TMP:-}" ] || rm -rf "$T"
    if [ -z "$tl_finished" ]; then
        echo "FAIL $TEST_NAME: stopped before finish (exit status $tl_status)"
        exit 1
    fi
}
trap tl_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- verdicts ----------------------------------------------------------------
pass() { echo "PASS $1"; tl_passed=$((tl_passed + 1)); }
fail() { echo "FAIL $1${2:+: $2}"; tl_failed=$((tl_failed + 1)); }
skip() { echo "SKIP $1${2:+: $2}"; tl_skipped=$((tl_skipped + 1)); }

# check NAME CMD...: PASS when CMD succeeds, else FAIL with the command and
# the first lines of what it printed
check() {
    tl_name=$1; shift
    if "$@" > "$T/.check.out" 2>&1; then
        pass "$tl_name"
    else
        fail "$tl_name" "$*"
        head -n 20 "$T/.check.out" | sed 's/^/    /'
    fi
}

# absorb CMD...: run a checker written in another language (python) that
# prints its own PASS/FAIL/SKIP lines; show them and count them as ours. A
# non-zero exit without a FAIL line is a FAIL of its own.
absorb() {
    "$@" > "$T/.absorb.out" 2>&1
    tl_rc=$?
    cat "$T/.absorb.out"
    tl_passed=$((tl_passed + $(grep -c '^PASS ' "$T/.absorb.out")))
    tl_failed=$((tl_failed + $(grep -c '^FAIL ' "$T/.absorb.out")))
    tl_skipped=$((tl_skipped + $(grep -c '^SKIP ' "$T/.absorb.out")))
    if [ $tl_rc -ne 0 ] && ! grep -q '^FAIL ' "$T/.absorb.out"; then
        fail "$1" "exited with status $tl_rc"
    fi
}

# finish: one summary line (not counted by run.sh), exit 1 if anything failed
finish() {
    echo "# $TEST_NAME: $tl_passed passed, $tl_failed failed, $tl_skipped skipped"
    tl_finished=1
    [ "$tl_failed" -eq 0 ] && exit 0
    exit 1
}
# fatal NAME WHY: a failure that makes the rest pointless
fatal() { fail "$1" "$2"; finish; }
# skip_all WHY: the whole script cannot run here (missing outside tool, ...)
skip_all() { skip "$TEST_NAME" "$1"; finish; }

# ---- running commands ------------------------------------------------------
# run NAME CMD...: stdout to $T/NAME.out, stderr to $T/NAME.err, status in $rc
run() {
    tl_name=$1; shift
    "$@" > "$T/$tl_name.out" 2> "$T/$tl_name.err"
    rc=$?
}
# expect_rc NAME WANT: after `run NAME`, FAIL NAME (with its stderr) unless
# $rc is WANT; the status says which
expect_rc() {
    [ "$rc" -eq "$2" ] && return 0
    fail "$1" "exit status $rc, expected $2 (stderr: $(head -c 300 "$T/$1.err" 2>/dev/null))"
    return 1
}
has() { grep -q -- "$2" "$1"; }         # has FILE PATTERN
empty() { [ ! -s "$1" ]; }              # empty FILE
lines() { wc -l < "$1" | tr -d ' '; }   # lines FILE

# ---- what a test needs -----------------------------------------------------
# need_built FILE...: every FILE (relative to $B) is built, else FAIL and
# finish (make test builds everything, so absence means a broken build)
need_built() {
    for tl_f in "$@"; do
        [ -x "$B/$tl_f" ] || fatal "$TEST_NAME" "$B/$tl_f not built (make B=$B all tests examples)"
    done
}
# need_cmd CMD...: outside programs (ffmpeg, pkg-config...), else SKIP all
need_cmd() {
    for tl_f in "$@"; do
        command -v "$tl_f" > /dev/null 2>&1 || skip_all "needs $tl_f, not installed"
    done
}
# py_has MODULE...: $PY exists and imports every MODULE (status only)
py_has() {
    [ -x "$PY" ] || return 1
    for tl_f in "$@"; do "$PY" -c "import $tl_f" 2> /dev/null || return 1; done
}
# sanitized: $B is an ASan/UBSan build (status only). Tests that repeat a
# scenario many times (seeded signal moments) run fewer rounds there: the
# sanitizer run checks memory errors, the plain run the statistics.
sanitized() { nm "$B/lib/libsynapt.a" 2> /dev/null | grep -q '__asan_\|__ubsan_'; }
# realdata NAME [SUBPATH]: sets $R to the real data folder and returns 0, or
# prints "SKIP NAME: ..." saying where it was looked for and returns 1
realdata() {
    R=${SYNAPT_REALDATA:-}
    if [ -n "$R" ] && [ -e "$R/${2:-}" ]; then return 0; fi
    skip "$1" "real data ${2:+($2) }not found: set SYNAPT_REALDATA or provide ../shared/realdata"
    return 1
}
