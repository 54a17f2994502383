#!/bin/sh
# scale.sh - build a SynAPT-shaped dataset the way a cluster would, with N
# workers under GNU parallel, and report what every step costs.
#
#   sh scripts/scale.sh [-j N] [-c CLIPS_PER_CLASS] [-k CLASSES] [-o DIR]
#                       [--frames T] [--size WxH] [--baseline] [--keep]
#
# Steps (each timed; per worker /usr/bin/time gives peak RSS and CPU time):
#   synth   N x synapt-synth --threads 1 --shard K/N, one part per worker
#   join    synapt-merge --manifest-only: one dataset manifest, no byte copied
#   open    the manifest opened and its last clip's info read: in process
#           (bench_dataset --manifest, when make bench-build made it; the
#           issue's target) and as a whole synapt-inspect --clip ID process
#   subset  synapt-subset --per-class, the train split (actor-disjoint), virtual
#   audit   N x synapt-audit --threads 1 --shard K/N of the joined set, each
#           writing a feature file, then --merge into the report
#   epoch   one epoch of a PyTorch DataLoader (N worker processes) over
#           every clip; the loop alone is timed inside Python (importing
#           torch and opening the parts are reported apart as start-up)
# DIR/scale.txt gets one line per step: wall time, clips/s, clips/s per core
# (wall clips/s divided by N), clips per CPU-second (CPU = user + system of
# every worker process), the cores the workers obtained (CPU / wall: below
# N when other processes held the cores), bytes on disk, peak RSS/worker.
#
# --baseline (with N > 1) runs synth, audit and epoch again with 1 worker in
# the same run and prints, per step, the per-core ratio N workers / 1 worker
# by wall time (the issue's target: at least 0.8) and by CPU time (clips per
# CPU-second; insensitive to other load on a shared machine), with the cores
# obtained, and beside them the machine's ceiling for the same ratio
# (bench/bench_cores: a loop that shares nothing, run alone and N at once).
# Defaults: 150 classes x 10 clips (1,500 clips, 1/100 of
# SynAPT), 16 frames of 64x64, N = cores. `make scale` runs it at 1,500
# clips (with --baseline), 15,000 and 150,000 clips.
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
BASE=0
while [ $# -gt 0 ]; do
    case $1 in
        -j) N=$2; shift 2 ;;
        -c) CPC=$2; shift 2 ;;
        -k) CLASSES=$2; shift 2 ;;
        -o) OUT=$2; shift 2 ;;
        --frames) FRAMES=$2; shift 2 ;;
        --size) SIZE=$2; shift 2 ;;
        --baseline) BASE=1; shift ;;
        --keep) KEEP=1; shift ;;
        -h|--help) sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "scale.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
for c in parallel /usr/bin/time synapt-synth synapt-merge synapt-subset synapt-inspect; do
    command -v "$c" > /dev/null 2>&1 || { echo "scale.sh: needs $c (make deps all)" >&2; exit 1; }
done
CLIPS=$((CLASSES * CPC))
[ -n "$OUT" ] || OUT=$(mktemp -d "${TMPDIR:-/tmp}/synapt-scale.XXXXXX")
mkdir -p "$OUT/parts" "$OUT/logs" || exit 1
REPORT=$OUT/scale.txt
: > "$REPORT"
now() { date +%s.%N; }
dt() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
# step NAME WORKERS SECONDS CLIPS BYTES RSS_KB CPU_S: one report line
step() {
    awk -v n="$1" -v j="$2" -v s="$3" -v c="$4" -v b="$5" -v r="$6" -v cpu="$7" 'BEGIN {
        rate = s > 0 ? c / s : 0
        printf "%-7s %7d clips  %9.2f s  %9.0f clips/s  %8.0f clips/s/core  %8.0f clips/CPU-s  %4.2f of %d cores  %8.1f MiB  peak RSS/worker %6.1f MiB\n",
               n, c, s, rate, rate / j, (cpu > 0 ? c / cpu : 0), (s > 0 ? cpu / s : 0), j, b / 1048576, r / 1024 }' |
        tee -a "$REPORT"
}
# /usr/bin/time logs hold "RSS <KiB> CPU <user s> <system s>"
max_rss() { cat "$@" 2> /dev/null | awk '$1 == "RSS" && $2 > m { m = $2 } END { print m + 0 }'; }
sum_cpu() { cat "$@" 2> /dev/null | awk '$1 == "RSS" { c += $4 + $5 } END { printf "%.2f", c }'; }
TIMEFMT="RSS %M CPU %U %S"
echo "scale: $CLIPS clips ($CLASSES classes x $CPC), $FRAMES frames of $SIZE, $N workers, in $OUT" | tee -a "$REPORT"
echo "scale: $(uptime | sed 's/.*load/load/') at the start" | tee -a "$REPORT"

# run_synth J DIR TAG: J workers write DIR/part-K.synapt; sets WALL
run_synth() {
    mkdir -p "$2" || return 1
    t0=$(now)
    seq 0 $(($1 - 1)) | parallel -j "$1" --halt now,fail=1 \
        /usr/bin/time -f "'$TIMEFMT'" -o "$OUT/logs/$3-{}.time" \
        synapt-synth -q --classes "$CLASSES" --clips-per-class "$CPC" --frames "$FRAMES" --size "$SIZE" \
        --rgb h264 --split-by actor --actors 40 --threads 1 --shard "{}/$1" -o "$2/part-{}.synapt" ||
        return 1
    WALL=$(dt "$t0" "$(now)")
}
# run_audit J TAG: J shards of the joined set then the merge; sets WALL, WALL_SHARDS
run_audit() {
    t0=$(now)
    seq 0 $(($1 - 1)) | parallel -j "$1" --halt now,fail=1 \
        /usr/bin/time -f "'$TIMEFMT'" -o "$OUT/logs/$2-{}.time" \
        synapt-audit -q --threads 1 --shard "{}/$1" -o "$OUT/$2-part-{}.feat" \
        "$OUT/synapt.synapt.json" || return 1
    t1=$(now)
    /usr/bin/time -f "$TIMEFMT" -o "$OUT/logs/$2-merge.time" \
        synapt-audit -q --fail-on none --merge "$OUT"/"$2"-part-*.feat -o "$OUT/$2"
    rc=$?
    [ $rc -eq 0 ] || [ $rc -eq 3 ] || return 1
    WALL_SHARDS=$(dt "$t0" "$t1")
    WALL=$(dt "$t0" "$(now)")
}
# run_epoch J TAG: one epoch with J DataLoader workers; writes logs/TAG.out
# "clips loop_wall loop_cpu startup_wall" (CPU of the main process and its
# joined workers during the loop); sets WALL (whole process)
run_epoch() {
    t0=$(now)
    PYTHONPATH=$ROOT/python SYNAPT_BUILD=$B /usr/bin/time -f "$TIMEFMT" -o "$OUT/logs/$2.time" \
        "$PY" - "$OUT" "$1" "$FRAMES" > "$OUT/logs/$2.out" <<'PYEOF' || return 1
import glob, resource, sys, time
t_start = time.monotonic()
import torch
import synapt
from synapt.data import ClipDataset
out, workers, frames = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
parts = sorted(glob.glob(out + "/parts/*.synapt"))
ds = ClipDataset(synapt.open(parts), streams="rgb", frames=frames, sampling="uniform")
dl = torch.utils.data.DataLoader(ds, batch_size=64, num_workers=workers, shuffle=True)

def cpu():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime

t0, c0 = time.monotonic(), cpu()
n = 0
for x, y in dl:  # at the end the iterator joins its workers: their CPU is counted
    n += x.shape[0]
print(n, "%.3f" % (time.monotonic() - t0), "%.3f" % (cpu() - c0), "%.3f" % (t0 - t_start))
PYEOF
    WALL=$(dt "$t0" "$(now)")
}
# ratio NAME WALL_N CPU_N WALL_1 CPU_1: per-core N workers / 1 worker
ratio() {
    awk -v n="$1" -v j="$N" -v wn="$2" -v cn="$3" -v w1="$4" -v c1="$5" 'BEGIN {
        printf "ratio   %-6s per core %d workers / 1 worker: %.2f by wall time (1 worker %.2f s, %d workers %.2f s), %.2f by CPU time (%.2f CPU-s vs %.2f); cores obtained %.2f of 1, %.2f of %d\n",
               n, j, w1 / (j * wn), w1, j, wn, c1 / cn, c1, cn, c1 / w1, cn / wn, j }' | tee -a "$REPORT"
}

# ---- synth: one part per worker ----
run_synth "$N" "$OUT/parts" synth || { echo "scale.sh: synth failed" >&2; exit 1; }
SYNTH_WALL=$WALL
bytes=$(cat "$OUT"/parts/*.synapt | wc -c)
step synth "$N" "$WALL" "$CLIPS" "$bytes" "$(max_rss "$OUT"/logs/synth-*.time)" "$(sum_cpu "$OUT"/logs/synth-*.time)"

# ---- join: one manifest over the parts ----
t0=$(now)
/usr/bin/time -f "$TIMEFMT" -o "$OUT/logs/join.time" \
    synapt-merge -q --manifest-only -o "$OUT/synapt.synapt.json" "$OUT"/parts/*.synapt ||
    { echo "scale.sh: join failed" >&2; exit 1; }
t1=$(now)
step join 1 "$(dt "$t0" "$t1")" "$CLIPS" "$(wc -c < "$OUT/synapt.synapt.json")" "$(max_rss "$OUT/logs/join.time")" \
    "$(sum_cpu "$OUT/logs/join.time")"

# ---- open: the manifest and its last clip's info, in process (the target)
# and as a whole synapt-inspect --clip ID process (which looks the id up in
# every member, and pays the process start-up: synapt-inspect --version) ----
if [ -x "$ROOT/$B/bench/bench_dataset" ]; then
    "$ROOT/$B/bench/bench_dataset" --manifest "$OUT/synapt.synapt.json" > "$OUT/logs/open.bench" ||
        { echo "scale.sh: bench_dataset failed on the manifest" >&2; exit 1; }
    # the row: | PATH: C clips, M members | open + last clip X ms | open + a clip of every member Y ms |
    awk -F'|' '/ members \| open/ {
        n = split($2, w, " "); split($3, l, " "); split($4, e, " ")
        printf "open    in process: manifest opened and the last clip'"'"'s info read in %s ms (median of 7; %s clips in %s members; a clip of every member read: %s ms)\n",
               l[5], w[n - 3], w[n - 1], e[8] }' "$OUT/logs/open.bench" | tee -a "$REPORT"
else
    echo "open    in process: skipped ($B/bench/bench_dataset not built: make bench-build)" | tee -a "$REPORT"
fi
last=$(synapt-inspect --clips --json "$OUT/synapt.synapt.json" | tail -1 | sed 's/.*"id":"\([^"]*\)".*/\1/')
# median of 5 wall times of a command
median5() {
    for i in 1 2 3 4 5; do
        t0=$(now)
        "$@" > /dev/null || { echo "scale.sh: $* failed" >&2; exit 1; }
        dt "$t0" "$(now)"; echo
    done | sort -n | sed -n 3p
}
tw=$(median5 synapt-inspect --clip "$last" "$OUT/synapt.synapt.json") || exit 1
tv=$(median5 synapt-inspect --version) || exit 1
awk -v s="$tw" -v v="$tv" 'BEGIN { printf "open    whole process: synapt-inspect --clip (last id) %.1f ms, of which process start-up %.1f ms (--version; medians of 5)\n", s * 1000, v * 1000 }' |
    tee -a "$REPORT"

# ---- subset: per-class cap of the train split, virtual ----
cap=$((CPC / 2))
[ "$cap" -ge 1 ] || cap=1
t0=$(now)
/usr/bin/time -f "$TIMEFMT" -o "$OUT/logs/subset.time" \
    synapt-subset -q --split train --per-class "$cap" --seed 1 --virtual \
    -o "$OUT/train.synapt.json" "$OUT/synapt.synapt.json" || { echo "scale.sh: subset failed" >&2; exit 1; }
t1=$(now)
step subset 1 "$(dt "$t0" "$t1")" "$CLIPS" "$(wc -c < "$OUT/train.synapt.json")" "$(max_rss "$OUT/logs/subset.time")" \
    "$(sum_cpu "$OUT/logs/subset.time")"

# ---- audit: N shards writing feature files, then the merge ----
AUDIT_OK=0
if command -v synapt-audit > /dev/null 2>&1; then
    if run_audit "$N" audit; then
        AUDIT_OK=1
        AUDIT_SH=$WALL_SHARDS
        step audit "$N" "$WALL" "$CLIPS" "$(cat "$OUT"/audit/* 2> /dev/null | wc -c)" \
            "$(max_rss "$OUT"/logs/audit-*.time)" "$(sum_cpu "$OUT"/logs/audit-*.time)"
        awk -v j="$N" -v s="$WALL_SHARDS" -v m="$(sum_cpu "$OUT/logs/audit-merge.time")" 'BEGIN {
            printf "audit   of which the %d shards %.2f s wall, the merge %.2f CPU-s\n", j, s, m }' | tee -a "$REPORT"
    else
        echo "audit   failed" | tee -a "$REPORT"
    fi
else
    echo "audit   skipped: synapt-audit not built" | tee -a "$REPORT"
fi

# ---- epoch: a PyTorch DataLoader over every clip ----
EPOCH_OK=0
if "$PY" -c 'import torch, numpy' 2> /dev/null; then
    run_epoch "$N" epoch || { echo "scale.sh: epoch failed" >&2; cat "$OUT/logs/epoch.out" >&2; exit 1; }
    EPOCH_OK=1
    set -- $(cat "$OUT/logs/epoch.out")
    step epoch "$N" "$2" "$1" 0 "$(max_rss "$OUT/logs/epoch.time")" "$3"
    awk -v w="$WALL" -v s="$4" 'BEGIN { printf "epoch   the loop above; the whole process %.2f s, of which %.2f s start-up (import torch, open the parts)\n", w, s }' |
        tee -a "$REPORT"
else
    echo "epoch   skipped: $PY has no torch" | tee -a "$REPORT"
fi

# ---- baseline: the same steps with 1 worker, and the per-core ratios ----
if [ "$BASE" -eq 1 ] && [ "$N" -gt 1 ]; then
    echo "baseline: synth, audit shards and epoch loop again with 1 worker ($(uptime | sed 's/.*load/load/'))" |
        tee -a "$REPORT"
    # the machine's own ceiling for the same ratio: a register-only loop in
    # N processes at once against one alone (bench/bench_cores.c); virtual
    # CPUs that share a physical core stay below 1.00 whatever runs on them
    if [ -x "$ROOT/$B/bench/bench_cores" ]; then
        "$ROOT/$B/bench/bench_cores" "$N" | sed 's/^cores /ratio   machine: a CPU-only loop in /' | tee -a "$REPORT"
    else
        echo "ratio   machine: not measured ($B/bench/bench_cores not built: make bench-build)" | tee -a "$REPORT"
    fi
    run_synth 1 "$OUT/base" base-synth || { echo "scale.sh: baseline synth failed" >&2; exit 1; }
    ratio synth "$SYNTH_WALL" "$(sum_cpu "$OUT"/logs/synth-*.time)" "$WALL" "$(sum_cpu "$OUT"/logs/base-synth-*.time)"
    rm -rf "$OUT/base"
    if [ "$AUDIT_OK" -eq 1 ]; then
        run_audit 1 base-audit || { echo "scale.sh: baseline audit failed" >&2; exit 1; }
        ratio audit "$AUDIT_SH" "$(sum_cpu "$OUT"/logs/audit-[0-9]*.time)" "$WALL_SHARDS" \
            "$(sum_cpu "$OUT"/logs/base-audit-[0-9]*.time)"
        cmp -s "$OUT/audit/report.json" "$OUT/base-audit/report.json" 2> /dev/null ||
            echo "audit   note: the 1-shard report differs from the $N-shard one" | tee -a "$REPORT"
    fi
    if [ "$EPOCH_OK" -eq 1 ]; then
        run_epoch 1 base-epoch || { echo "scale.sh: baseline epoch failed" >&2; exit 1; }
        set -- $(cat "$OUT/logs/epoch.out")
        ew=$2 ec=$3
        set -- $(cat "$OUT/logs/base-epoch.out")
        ratio epoch "$ew" "$ec" "$2" "$3"
    fi
fi

echo "scale: report in $REPORT"
[ "$KEEP" -eq 1 ] || rm -rf "$OUT/parts" "$OUT"/audit-part-* "$OUT"/base-audit-part-*
