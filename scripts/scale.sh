#!/bin/sh
# scale.sh - build a SynAPT-shaped dataset the way a cluster would, with N
# workers under GNU parallel, and report what every step costs.
#
#   sh scripts/scale.sh [-j N] [-c CLIPS_PER_CLASS] [-k CLASSES] [-o DIR]
#                       [--parts-per-worker P] [--ratio-to DIR1] [--keep]
#
# Steps (each timed; a worker's peak RSS and CPU time from /usr/bin/time):
#   synth   P x N parts (synapt-synth --shard K/(P*N)) on N workers: GNU
#           parallel hands the next part to whichever worker is free, so a
#           worker whose clips happen to be cheaper does not sit idle
#   join    synapt-merge --manifest-only: one dataset manifest, no byte copied
#   open    the manifest opened and its last clip described (median of 5)
#   subset  synapt-subset --per-class, the train split (actor-disjoint), virtual
#   audit   synapt-audit of the joined set (P x N shards on N workers, each
#           writing a feature file, then a merge into the report)
#   epoch   one epoch of a PyTorch DataLoader (N workers) over every clip;
#           a second line counts from the first batch (Python, torch and
#           the workers started)
# and writes DIR/scale.txt: one line per step with wall time, clips/s, clips/s
# per core, bytes on disk, peak RSS per worker and the CPU seconds of all its
# processes. --ratio-to DIR1 compares with the report of a run with 1 worker
# (same sizes): per-core throughput here over per-core throughput there, for
# synth, audit and epoch (issue 15 asks for >= 0.8 with 2 workers). Defaults: 150
# classes x 10 clips (1,500 clips, 1/100 of SynAPT), 16 frames of 64x64,
# N = cores, P = 4. With N below the core count the run is pinned to N
# cores. `make scale` runs it with 1 and N workers at 1,500 clips, then
# with N at 15,000 and 150,000.
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
B=${SYNAPT_BUILD:-build}
BIN=$ROOT/$B/bin
PATH="$BIN:$PATH"
export PATH
PY=/usr/bin/python3
N=$(nproc 2> /dev/null || echo 2)
CPC=10
CLASSES=150
FRAMES=16
SIZE=64x64
OUT=
KEEP=0
PPW=4
RATIO_TO=
while [ $# -gt 0 ]; do
    case $1 in
        -j) N=$2; shift 2 ;;
        -c) CPC=$2; shift 2 ;;
        -k) CLASSES=$2; shift 2 ;;
        -o) OUT=$2; shift 2 ;;
        --frames) FRAMES=$2; shift 2 ;;
        --size) SIZE=$2; shift 2 ;;
        --parts-per-worker) PPW=$2; shift 2 ;;
        --ratio-to) RATIO_TO=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "scale.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
for c in parallel /usr/bin/time synapt-synth synapt-merge synapt-subset synapt-inspect; do
    command -v "$c" > /dev/null 2>&1 || { echo "scale.sh: needs $c (make deps all)" >&2; exit 1; }
done
case "$N$PPW" in *[!0-9]*) echo "scale.sh: -j and --parts-per-worker take a positive number" >&2; exit 2 ;; esac
[ "$N" -ge 1 ] && [ "$PPW" -ge 1 ] || { echo "scale.sh: -j and --parts-per-worker take a positive number" >&2; exit 2; }
if [ -n "$RATIO_TO" ] && [ ! -f "$RATIO_TO/scale.txt" ]; then
    echo "scale.sh: --ratio-to $RATIO_TO: no scale.txt there" >&2; exit 2
fi
# Fewer workers than cores: the whole run is pinned to N cores (taskset),
# so per-core figures count every process a step starts (the DataLoader's
# main process, the audit merge's threads), not only the N workers.
CORES=$(nproc 2> /dev/null || echo "$N")
CLIPS=$((CLASSES * CPC))
PARTS=$((PPW * N))
[ -n "$OUT" ] || OUT=$(mktemp -d "${TMPDIR:-/tmp}/synapt-scale.XXXXXX")
if [ "$N" -lt "$CORES" ] && [ -z "${SCALE_PINNED:-}" ] && command -v taskset > /dev/null 2>&1; then
    [ "$KEEP" -eq 1 ] && keep=--keep || keep=
    SCALE_PINNED=1 exec taskset -c "0-$((N - 1))" sh scripts/scale.sh -j "$N" -c "$CPC" -k "$CLASSES" \
        --frames "$FRAMES" --size "$SIZE" --parts-per-worker "$PPW" -o "$OUT" \
        ${RATIO_TO:+--ratio-to "$RATIO_TO"} $keep
fi
mkdir -p "$OUT/parts" "$OUT/logs" || exit 1
REPORT=$OUT/scale.txt
: > "$REPORT"
now() { date +%s.%N; }
dt() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
# step NAME SECONDS CLIPS BYTES RSS_KB CPU_S: one report line
step() {
    awk -v n="$1" -v s="$2" -v c="$3" -v b="$4" -v r="$5" -v cpu="$6" -v j="$N" 'BEGIN {
        rate = s > 0 ? c / s : 0
        printf "%-7s %7d clips  %9.2f s  %9.0f clips/s  %8.0f clips/s/core  %8.1f MiB  peak RSS/worker %6.1f MiB  CPU %8.2f s\n",
               n, c, s, rate, rate / j, b / 1048576, r / 1024, cpu }' | tee -a "$REPORT"
}
# peak RSS (KiB) and summed CPU seconds (user + system) over the
# /usr/bin/time logs given
max_rss() { cat "$@" 2> /dev/null | awk '$1 == "RSS" && $2 > m { m = $2 } END { print m + 0 }'; }
cpu_sum() { cat "$@" 2> /dev/null | awk '$3 == "CPU" { t += $4 + $5 } END { printf "%.2f", t }'; }
TIMEFMT="RSS %M CPU %U %S"
echo "scale: $CLIPS clips ($CLASSES classes x $CPC), $FRAMES frames of $SIZE, $N workers, $PARTS parts, in $OUT" | tee -a "$REPORT"

# ---- synth: P parts per worker, handed out as workers free up ----
t0=$(now)
seq 0 $((PARTS - 1)) | parallel -j "$N" --halt now,fail=1 \
    /usr/bin/time -f "'$TIMEFMT'" -o "$OUT/logs/synth-{}.time" \
    synapt-synth -q --classes "$CLASSES" --clips-per-class "$CPC" --frames "$FRAMES" --size "$SIZE" \
    --rgb h264 --split-by actor --actors 40 --threads 1 --shard "{}/$PARTS" -o "$OUT/parts/part-{}.synapt" ||
    { echo "scale.sh: synth failed" >&2; exit 1; }
t1=$(now)
bytes=$(cat "$OUT"/parts/*.synapt | wc -c)
step synth "$(dt "$t0" "$t1")" "$CLIPS" "$bytes" "$(max_rss "$OUT"/logs/synth-*.time)" \
    "$(cpu_sum "$OUT"/logs/synth-*.time)"

# ---- join: one manifest over the parts ----
t0=$(now)
/usr/bin/time -f "$TIMEFMT" -o "$OUT/logs/join.time" \
    synapt-merge -q --manifest-only -o "$OUT/synapt.synapt.json" "$OUT"/parts/*.synapt ||
    { echo "scale.sh: join failed" >&2; exit 1; }
t1=$(now)
step join "$(dt "$t0" "$t1")" "$CLIPS" "$(wc -c < "$OUT/synapt.synapt.json")" "$(max_rss "$OUT/logs/join.time")" \
    "$(cpu_sum "$OUT/logs/join.time")"

# ---- open: the manifest, the last clip described; median of 5 ----
last=$(synapt-inspect --clips --json "$OUT/synapt.synapt.json" | tail -1 | sed 's/.*"id":"\([^"]*\)".*/\1/')
for i in 1 2 3 4 5; do
    t0=$(now)
    synapt-inspect --clip "$last" "$OUT/synapt.synapt.json" > /dev/null || { echo "scale.sh: open failed" >&2; exit 1; }
    t1=$(now)
    dt "$t0" "$t1"; echo
done | sort -n | sed -n 3p > "$OUT/logs/open.median"
awk -v s="$(cat "$OUT/logs/open.median")" 'BEGIN { printf "open    manifest opened, its last clip found by id and described in %.1f ms (median of 5, whole synapt-inspect process)\n", s * 1000 }' |
    tee -a "$REPORT"

# ---- subset: per-class cap of the train split, virtual ----
cap=$((CPC / 2))
[ "$cap" -ge 1 ] || cap=1
t0=$(now)
/usr/bin/time -f "$TIMEFMT" -o "$OUT/logs/subset.time" \
    synapt-subset -q --split train --per-class "$cap" --seed 1 --virtual \
    -o "$OUT/train.synapt.json" "$OUT/synapt.synapt.json" || { echo "scale.sh: subset failed" >&2; exit 1; }
t1=$(now)
step subset "$(dt "$t0" "$t1")" "$CLIPS" "$(wc -c < "$OUT/train.synapt.json")" "$(max_rss "$OUT/logs/subset.time")" \
    "$(cpu_sum "$OUT/logs/subset.time")"

# ---- audit: sharded with a merge step when the command can ----
if command -v synapt-audit > /dev/null 2>&1; then
    t0=$(now)
    if synapt-audit --help | grep -q -- '--shard'; then
        seq 0 $((PARTS - 1)) | parallel -j "$N" --halt now,fail=1 \
            /usr/bin/time -f "'$TIMEFMT'" -o "$OUT/logs/audit-{}.time" \
            synapt-audit -q --threads 1 --shard "{}/$PARTS" -o "$OUT/audit-part-{}.feat" \
            "$OUT/synapt.synapt.json" &&
        /usr/bin/time -f "$TIMEFMT" -o "$OUT/logs/audit-merge.time" \
            synapt-audit -q --fail-on none --merge "$OUT"/audit-part-*.feat -o "$OUT/audit"
    else
        /usr/bin/time -f "$TIMEFMT" -o "$OUT/logs/audit-0.time" \
            synapt-audit -q --threads "$N" --fail-on none -o "$OUT/audit" "$OUT/synapt.synapt.json"
    fi
    rc=$?
    t1=$(now)
    if [ $rc -eq 0 ] || [ $rc -eq 3 ]; then
        step audit "$(dt "$t0" "$t1")" "$CLIPS" "$(cat "$OUT"/audit/* 2> /dev/null | wc -c)" \
            "$(max_rss "$OUT"/logs/audit-*.time)" "$(cpu_sum "$OUT"/logs/audit-*.time)"
    else
        echo "audit   failed (exit $rc)" | tee -a "$REPORT"
    fi
else
    echo "audit   skipped: synapt-audit not built" | tee -a "$REPORT"
fi

# ---- epoch: a PyTorch DataLoader over every clip ----
if "$PY" -c 'import torch, numpy' 2> /dev/null; then
    t0=$(now)
    PYTHONPATH=$ROOT/python SYNAPT_BUILD=$B /usr/bin/time -f "$TIMEFMT" -o "$OUT/logs/epoch.time" \
        "$PY" - "$OUT" "$N" "$FRAMES" > "$OUT/logs/epoch.out" <<'EOF' || { echo "scale.sh: epoch failed" >&2; cat "$OUT/logs/epoch.out" >&2; exit 1; }
import glob, sys
import torch
import synapt
from synapt.data import ClipDataset
out, workers, frames = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
parts = sorted(glob.glob(out + "/parts/*.synapt"))
ds = ClipDataset(synapt.open(parts), streams="rgb", frames=frames, sampling="uniform")
dl = torch.utils.data.DataLoader(ds, batch_size=64, num_workers=workers, shuffle=True)
import time
n = 0
first = None
for batch in dl:
    x, y = batch
    if first is None:
        first, n0 = time.monotonic(), x.shape[0]
    n += x.shape[0]
steady = time.monotonic() - first if first is not None else 0.0
print(n, n - n0 if first is not None else 0, "%.3f" % steady)
EOF
    t1=$(now)
    read -r n_all n_steady t_steady < "$OUT/logs/epoch.out"
    step epoch "$(dt "$t0" "$t1")" "$n_all" 0 "$(max_rss "$OUT/logs/epoch.time")" "$(cpu_sum "$OUT/logs/epoch.time")"
    step epoch1 "$t_steady" "$n_steady" 0 "$(max_rss "$OUT/logs/epoch.time")" 0
else
    echo "epoch   skipped: $PY has no torch" | tee -a "$REPORT"
fi

# ---- per-core throughput against a 1-worker run ----
if [ -n "$RATIO_TO" ]; then
    awk -v j="$N" '
        # clips/s/core is the field before "clips/s/core"
        function rate(   i) { for (i = 2; i <= NF; i++) if ($i == "clips/s/core") return $(i - 1); return "" }
        FNR == 1 { file++ }
        $1 ~ /^(synth|join|subset|audit|epoch|epoch1)$/ { r = rate(); if (file == 1) base[$1] = r; else here[$1] = r; order[$1] = NR }
        END {
            n = split("synth audit epoch epoch1", names, " ")
            for (k = 1; k <= n; k++) {
                s = names[k]
                if (!(s in base) || !(s in here) || base[s] + 0 == 0) continue
                printf "per-core %-7s %d workers vs 1: %.2f (%s vs %s clips/s/core)\n", s, j, here[s] / base[s], here[s], base[s]
            }
        }' "$RATIO_TO/scale.txt" "$REPORT" | tee -a "$REPORT"
fi

echo "scale: report in $REPORT"
[ "$KEEP" -eq 1 ] || rm -rf "$OUT/parts" "$OUT"/audit-part-*
