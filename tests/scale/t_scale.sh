#!/bin/sh
# The cluster recipes of docs/cluster.md at 1/100 of SynAPT's clip count
# (150 classes x 10 clips, small frames), checked against one machine:
# - GNU parallel with 2 workers (synapt-synth --shard K/2) and a manifest
#   join give exactly the clips of the single-worker run, every stream of
#   every clip equal (read back through the Python package);
# - the manifest opens as one dataset; a virtual subset of it has the
#   expected per-class counts;
# - the Slurm scripts run with SLURM_ARRAY_TASK_ID/COUNT set by hand (a real
#   one-node Slurm runs them in t_slurm.sh), the join names the task to
#   rerun when a part is gone, and a rerun array needs N;
# - the Kubernetes Job's command runs with JOB_COMPLETION_INDEX set;
# - docs/cluster/ddp_train.py under torchrun (2 processes, gloo) sees every
#   clip once per epoch.
. "$(dirname "$0")/../lib.sh"
need_built bin/synapt-synth bin/synapt-merge bin/synapt-subset bin/synapt-inspect
need_cmd parallel
# the orchestration is what is tested here; under a sanitizer build the
# commands' own tests cover them, and 3,000 clips would take minutes
if nm "$B/lib/libsynapt.a" 2> /dev/null | grep -q '__asan_\|__ubsan_'; then
    skip_all "$B is a sanitizer build (the commands are covered by their own tests there)"
fi
OPTS="-q --classes 150 --clips-per-class 10 --frames 8 --size 32x32 --split-by actor --actors 40"

# ---- GNU parallel, 2 workers, against one worker ----
mkdir -p "$T/parts"
# shellcheck disable=SC2086
seq 0 1 | parallel -j 2 --halt now,fail=1 synapt-synth $OPTS --threads 1 --shard {}/2 -o "$T/parts/part-{}.synapt" ||
    fatal scale_parallel "the 2 workers failed"
# shellcheck disable=SC2086
synapt-synth $OPTS --threads 2 -o "$T/one.synapt" || fatal scale_single "the single run failed"
run join synapt-merge -q --manifest-only -o "$T/all.synapt.json" "$T/parts/part-0.synapt" "$T/parts/part-1.synapt"
expect_rc join 0 && pass "the 2 parts joined by a manifest"
n=$(synapt-inspect --clips --json "$T/all.synapt.json" 2> /dev/null | wc -l)
if [ "$n" -eq 1500 ]; then pass "the manifest opens as one dataset of 1,500 clips"
else fail "the manifest opens as one dataset of 1,500 clips" "$n clips"; fi

if py_has numpy torch; then
    PYTHONPATH=$ROOT/python SYNAPT_BUILD=$B absorb "$PY" - "$T" <<'EOF'
import hashlib, sys
import synapt
t = sys.argv[1]
one = synapt.open(t + "/one.synapt")
parts = synapt.open([t + "/parts/part-0.synapt", t + "/parts/part-1.synapt"])

def digest(f):
    out = {}
    for i in range(len(f)):
        c = f[i]
        h = hashlib.sha1()
        h.update(repr((c.labels, c.split, sorted(c.groups.items()))).encode())
        for s in ("rgb", "depth", "mask", "pose2d", "pose3d"):
            h.update(c.read(s).tobytes())
        out[c.id] = h.hexdigest()
    return out

a, b = digest(one), digest(parts)
if a == b:
    print("PASS 2 workers give the clips of one run, every stream equal (%d clips)" % len(a))
else:
    diff = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    print("FAIL 2 workers give the clips of one run: %d differ, e.g. %s" % (len(diff), diff[:3]))
EOF
else
    skip "2 workers give the clips of one run" "/usr/bin/python3 has no numpy/torch"
fi

run sub synapt-subset -q --per-class 4 --split train --seed 1 --virtual -o "$T/sub.synapt.json" "$T/all.synapt.json"
m=$(synapt-inspect --clips --json "$T/sub.synapt.json" 2> /dev/null | wc -l)
if expect_rc sub 0 && [ "$m" -le 600 ] && [ "$m" -ge 450 ]; then
    pass "a virtual per-class subset of the manifest ($m clips, at most 4 per class)"
else fail "a virtual per-class subset of the manifest" "$m clips: $(cat "$T/sub.err")"; fi

# ---- the Slurm scripts, with the array variables set by hand ----
mkdir -p "$T/slurm"
ok=1
for k in 0 1; do
    (cd "$T/slurm" && SLURM_ARRAY_TASK_ID=$k SLURM_ARRAY_TASK_COUNT=2 CLASSES=3 CLIPS_PER_CLASS=2 \
        sh "$ROOT/docs/cluster/slurm-synth.sh") || ok=0
done
if [ $ok -eq 1 ] && (cd "$T/slurm" && N=2 sh "$ROOT/docs/cluster/slurm-join.sh") &&
   [ "$(synapt-inspect --clips --json "$T/slurm/synapt.synapt.json" | wc -l)" -eq 6 ]; then
    pass "Slurm array scripts (task ids set by hand) build and join 6 clips"
else fail "Slurm array scripts (task ids set by hand) build and join 6 clips" "see $T/slurm"; fi
rm -f "$T/slurm/parts/part-1.synapt"
(cd "$T/slurm" && N=2 sh "$ROOT/docs/cluster/slurm-join.sh") > "$T/rejoin.out" 2> "$T/rejoin.err"
rc=$?
if [ $rc -ne 0 ] && grep -q -- '--array=1 --export=ALL,N=2 ' "$T/rejoin.err"; then
    pass "the Slurm join names the task to rerun"
else fail "the Slurm join names the task to rerun" "exit $rc: $(cat "$T/rejoin.err")"; fi

# a rerun array (--array=1) has COUNT 1: without N the script refuses, not
# cutting the clips into 1 part
(cd "$T/slurm" && SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=1 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_MAX=1 \
    CLASSES=3 CLIPS_PER_CLASS=2 sh "$ROOT/docs/cluster/slurm-synth.sh") > /dev/null 2> "$T/rerun.err"
rc=$?
if [ $rc -eq 2 ] && grep -q 'N=' "$T/rerun.err" && [ ! -e "$T/slurm/parts/part-1.synapt" ]; then
    pass "the Slurm task refuses an array that is not 0-(N-1) without N"
else fail "the Slurm task refuses an array that is not 0-(N-1) without N" "exit $rc: $(cat "$T/rerun.err")"; fi
(cd "$T/slurm" && SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=1 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_MAX=1 \
    N=2 CLASSES=3 CLIPS_PER_CLASS=2 sh "$ROOT/docs/cluster/slurm-synth.sh") &&
    (cd "$T/slurm" && N=2 sh "$ROOT/docs/cluster/slurm-join.sh")
rc=$?
if [ $rc -eq 0 ] && [ "$(synapt-inspect --clips --json "$T/slurm/synapt.synapt.json" | wc -l)" -eq 6 ]; then
    pass "the rerun of task 1 with N=2 mends the set"
else fail "the rerun of task 1 with N=2 mends the set" "exit $rc"; fi

# ---- the Kubernetes Job's command, with the index set by hand ----
cmd=$(sed -n '/- >-/,/resources:/p' docs/cluster/k8s-synth-job.yaml | sed '1d;$d' | tr -s ' \n' ' ' |
      sed 's/--classes 150/--classes 2/; s/--clips-per-class 1000/--clips-per-class 2/; s|/data/|'"$T"'/k8s/|g')
mkdir -p "$T/k8s/parts"
if [ -n "$cmd" ] && JOB_COMPLETION_INDEX=3 sh -c "$cmd" && [ -f "$T/k8s/parts/part-3.synapt" ]; then
    pass "the Kubernetes Job's command runs with JOB_COMPLETION_INDEX"
else fail "the Kubernetes Job's command runs with JOB_COMPLETION_INDEX" "command: $cmd"; fi

# ---- DDP over the parts: 2 processes, every clip once per epoch ----
# Debian 12's torchrun (torch 1.13 on Python 3.11) fails inside its elastic
# agent before starting any worker, so the two processes are started here
# the way torchrun would: RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT.
if py_has torch; then
    src="$T/slurm/parts/part-0.synapt,$T/k8s/parts/part-3.synapt"
    port=$((29500 + $$ % 1000))
    for rank in 1 0; do
        env PYTHONPATH="$ROOT/python" SYNAPT_BUILD="$B" OMP_NUM_THREADS=1 RANK=$rank WORLD_SIZE=2 \
            LOCAL_RANK=$rank MASTER_ADDR=127.0.0.1 MASTER_PORT=$port \
            "$PY" docs/cluster/ddp_train.py "$src" > "$T/ddp$rank.out" 2> "$T/ddp$rank.err" &
        eval "pid$rank=\$!"
    done
    wait "$pid0"; rc0=$?
    wait "$pid1"; rc1=$?
    want=$(( $(synapt-inspect --clips --json "$T/slurm/parts/part-0.synapt" | wc -l) +
             $(synapt-inspect --clips --json "$T/k8s/parts/part-3.synapt" | wc -l) ))
    # (DistributedSampler pads the last round to equal shares: one repeat at most)
    if [ $rc0 -eq 0 ] && [ $rc1 -eq 0 ] &&
       grep -Eq "clips seen per epoch: ($want|$((want + 1))) of $want" "$T/ddp0.out"; then
        pass "DDP with 2 processes sees each of the $want clips once per epoch"
    else fail "DDP with 2 processes sees every clip once per epoch" \
        "exit $rc0/$rc1: $(cat "$T/ddp0.out"; tail -n 3 "$T/ddp0.err" "$T/ddp1.err")"; fi
else
    skip "DDP with 2 processes" "needs torch"
fi
finish
