#!/bin/sh
# Run every benchmark binary $B/bench/bench_* (built by `make bench`; this
# script builds nothing) and bench/bench_python.py, print their markdown and
# collect it, with the date and the machine, into bench/RESULTS.md.
#
# Environment:
#   B / SYNAPT_BUILD  build directory (default build)
#   BENCH_ARGS        arguments for every benchmark (e.g. --quick)
#   BENCH_OUT         results file (default bench/RESULTS.md)
# Exit status: 0 when every benchmark ran, 1 otherwise (the file still lists
# what did run).
cd "$(dirname "$0")/.." || exit 1
B=${B:-${SYNAPT_BUILD:-build}}
OUT=${BENCH_OUT:-bench/RESULTS.md}

found=0
for b in "$B"/bench/bench_*; do [ -x "$b" ] && found=1; done
if [ "$found" = 0 ]; then
    echo "bench/run.sh: no benchmarks in $B/bench (run 'make bench' or 'make B=$B bench-build')" >&2
    exit 1
fi

cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo 2>/dev/null | head -n 1)
tmp=$(mktemp "${TMPDIR:-/tmp}/synapt-bench-results.XXXXXX") || exit 1
{
    echo "# Benchmark results"
    echo
    echo "Produced by \`make bench\` (bench/run.sh); every number is measured in the same"
    echo "run as its baseline, so ratios carry over between machines better than absolutes."
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- machine: ${cpu:-unknown CPU}, $(nproc) cores, $(uname -sr)"
    # other jobs share the CPU on a busy machine; most timings are CPU time
    # for that reason, but wall-clock rows (threads, fsync, open) feel it
    echo "- load average at start: $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo unknown)"
    echo "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo
} > "$tmp"

status=0
for b in "$B"/bench/bench_*; do
    [ -x "$b" ] || continue
    echo "== $(basename "$b")" >&2
    # shellcheck disable=SC2086
    rc=0
    "$b" ${BENCH_ARGS:-} > "$tmp.one" || rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "**$(basename "$b") failed** (exit status $rc); its partial output follows." >> "$tmp"
        echo >> "$tmp"
        status=1
    fi
    cat "$tmp.one"
    cat "$tmp.one" >> "$tmp"
done
# the Python package's benchmark, when Debian's python3 has numpy and torch
if /usr/bin/python3 -c 'import numpy, torch' 2> /dev/null; then
    echo "== bench_python.py" >&2
    rc=0
    # shellcheck disable=SC2086
    PYTHONPATH="$(pwd)/python" SYNAPT_BUILD="$B" /usr/bin/python3 bench/bench_python.py \
        ${BENCH_ARGS:-} > "$tmp.one" || rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "**bench_python.py failed** (exit status $rc); its partial output follows." >> "$tmp"
        echo >> "$tmp"
        status=1
    fi
    cat "$tmp.one"
    cat "$tmp.one" >> "$tmp"
else
    echo "(bench_python.py skipped: /usr/bin/python3 lacks numpy or torch)" >> "$tmp"
fi
rm -f "$tmp.one"
mv "$tmp" "$OUT"
echo "bench/run.sh: results written to $OUT" >&2
exit $status
