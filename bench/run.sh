#!/bin/sh
# Run every benchmark binary $B/bench/bench_* (built by `make bench`; this
# script builds nothing) and bench/bench_python.py, print their markdown and
# write each one's into its own file, $DIR/NAME.md, headed by the date, the
# machine, the load average and the commit (bench/RESULTS.md lists them).
#
# Environment:
#   B / SYNAPT_BUILD  build directory (default build)
#   BENCH_ARGS        arguments for every benchmark (e.g. --quick)
#   BENCH_DIR         folder of the result files (default bench/results)
# Arguments: benchmark names (bench_pack bench_python ...) to run only those;
# none runs them all. An unknown name is an error before anything runs.
# Exit status: 0 when every benchmark ran, 1 otherwise (a failed one's file
# still holds what it printed, after a line saying it failed).
cd "$(dirname "$0")/.." || exit 1
B=${B:-${SYNAPT_BUILD:-build}}
DIR=${BENCH_DIR:-bench/results}

found=0
for b in "$B"/bench/bench_*; do [ -x "$b" ] && found=1; done
if [ "$found" = 0 ]; then
    echo "bench/run.sh: no benchmarks in $B/bench (run 'make bench' or 'make B=$B bench-build')" >&2
    exit 1
fi
mkdir -p "$DIR" || exit 1

# wanted NAME: 0 when NAME is to run
wanted() {
    [ $# -gt 0 ] || return 1
    [ -z "$only" ] && return 0
    case " $only " in *" $1 "*) return 0 ;; esac
    return 1
}
only="$*"
for n in $only; do
    if [ "$n" != bench_python ] && [ ! -x "$B/bench/$n" ]; then
        echo "bench/run.sh: no benchmark '$n' in $B/bench" >&2
        exit 2
    fi
done

cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo 2>/dev/null | head -n 1)

# run NAME COMMAND...: the command's markdown into $DIR/NAME.md, written
# under a temporary name and renamed, so an interrupted run keeps the
# previous file
run() {
    name=$1
    shift
    echo "== $name" >&2
    tmp=$(mktemp "$DIR/.$name.XXXXXX") || return 1
    {
        echo "<!-- written by bench/run.sh -->"
        echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
        echo "- machine: ${cpu:-unknown CPU}, $(nproc) cores, $(uname -sr)"
        # other jobs share the CPU on a busy machine; most timings are CPU
        # time for that reason, but wall-clock rows (threads, fsync, open)
        # feel it
        echo "- load average at start: $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo unknown)"
        echo "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
        echo
    } > "$tmp"
    rc=0
    "$@" > "$tmp.one" || rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "**$name failed** (exit status $rc); its partial output follows." >> "$tmp"
        echo >> "$tmp"
        status=1
    fi
    cat "$tmp.one"
    cat "$tmp.one" >> "$tmp"
    rm -f "$tmp.one"
    chmod 644 "$tmp"
    mv "$tmp" "$DIR/$name.md"
}
trap 'rm -f "$DIR"/.bench_*.* ; exit 130' INT TERM

status=0
for b in "$B"/bench/bench_*; do
    [ -x "$b" ] || continue
    wanted "$(basename "$b")" || continue
    # shellcheck disable=SC2086
    run "$(basename "$b")" "$b" ${BENCH_ARGS:-}
done
# the Python package's benchmark, when Debian's python3 has numpy and torch
if ! wanted bench_python; then
    :
elif /usr/bin/python3 -c 'import numpy, torch' 2> /dev/null; then
    # shellcheck disable=SC2086
    run bench_python env PYTHONPATH="$(pwd)/python" SYNAPT_BUILD="$B" /usr/bin/python3 bench/bench_python.py \
        ${BENCH_ARGS:-}
else
    echo "bench/run.sh: bench_python.py skipped: /usr/bin/python3 lacks numpy or torch" >&2
fi
echo "bench/run.sh: results written to $DIR/" >&2
exit $status
