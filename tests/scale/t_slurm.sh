#!/bin/sh
# docs/cluster.md's Slurm recipe against a real Slurm: a one-node cluster
# (munged, slurmctld and slurmd from Debian's packages) started here with a
# private configuration, key, ports and state in $T, stopped at the end.
# - `sbatch --array=0-1 docs/cluster/slurm-synth.sh`, then the join submitted
#   with `--dependency=afterany`, as the recipe shows: the parts are byte for
#   byte those of `synapt-synth --shard K/2` run by hand, and the manifest
#   holds every clip;
# - a lost part: the join job fails and its log names the task to rerun;
#   `sbatch --array=K` reruns it alone and the join then succeeds.
# Needs root (slurmd runs jobs as their owner) and the packages slurmctld,
# slurmd, slurm-client and munge, which `make deps` installs.
. "$(dirname "$0")/../lib.sh"
need_built bin/synapt-synth bin/synapt-merge bin/synapt-inspect
if sanitized; then
    skip_all "$B is a sanitizer build (the commands are covered by their own tests there)"
fi
for c in munged slurmctld slurmd sbatch scontrol sinfo; do
    command -v "$c" > /dev/null 2>&1 ||
        PATH="$PATH:/usr/sbin" command -v "$c" > /dev/null 2>&1 ||
        skip_all "no $c (Debian's slurmctld, slurmd, slurm-client and munge; make deps installs them)"
done
PATH="$PATH:/usr/sbin"
[ "$(id -u)" = 0 ] || skip_all "a Slurm node needs root to start its daemons"

C=$T/cluster
mkdir -p "$C/state" "$C/spool" "$C/run" "$T/job/logs"

# two free TCP ports, starting from one that depends on this process
port_free() {
    hex=$(printf '%04X' "$1")
    ! grep -q ":$hex " /proc/net/tcp /proc/net/tcp6 2> /dev/null
}
p=$((20000 + ($$ % 5000) * 2))
while ! port_free "$p" || ! port_free $((p + 1)); do p=$((p + 2)); done

# stop the daemons and wait until they are gone: they write their state
# while stopping, which must be over before $T is removed
slurm_down() {
    pids=""
    for f in "$C/run/slurmd.pid" "$C/run/slurmctld.pid" "$C/munged.pid"; do
        [ -f "$f" ] && pids="$pids $(cat "$f")"
    done
    [ -f "$C/slurm.conf" ] && SLURM_CONF=$C/slurm.conf timeout 10 scontrol shutdown > /dev/null 2>&1
    # shellcheck disable=SC2086
    [ -n "$pids" ] && kill $pids 2> /dev/null
    i=0
    for pid in $pids; do
        while kill -0 "$pid" 2> /dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
        kill -9 "$pid" 2> /dev/null
    done
    return 0
}
trap 'tl_st=$?; slurm_down; (exit $tl_st); tl_exit' EXIT

# munge: its own key and socket, so a site's munged is left alone
dd if=/dev/urandom of="$C/munge.key" bs=1024 count=1 2> /dev/null
chmod 600 "$C/munge.key"
munged --force --socket="$C/munge.sock" --key-file="$C/munge.key" --log-file="$C/munged.log" \
    --pid-file="$C/munged.pid" --seed-file="$C/munged.seed" 2> "$C/munged.err" ||
    fatal slurm_munge "munged did not start: $(cat "$C/munged.err")"

H=$(hostname -s)
mem=$(awk '/MemTotal/ { print int($2 / 2048) }' /proc/meminfo)
cat > "$C/slurm.conf" << EOF
ClusterName=synapttest
SlurmctldHost=$H(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$p
SlurmdPort=$((p + 1))
AuthType=auth/munge
AuthInfo=socket=$C/munge.sock
CredType=cred/munge
StateSaveLocation=$C/state
SlurmdSpoolDir=$C/spool
SlurmctldPidFile=$C/run/slurmctld.pid
SlurmdPidFile=$C/run/slurmd.pid
SlurmctldLogFile=$C/slurmctld.log
SlurmdLogFile=$C/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/builtin
ReturnToService=2
MpiDefault=none
NodeName=$H NodeAddr=127.0.0.1 CPUs=2 RealMemory=$mem State=UNKNOWN
PartitionName=synapt Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$C/slurm.conf"
slurmctld -i > "$C/ctld.err" 2>&1 || fatal slurm_ctld "slurmctld did not start: $(tail -n 3 "$C/ctld.err" "$C/slurmctld.log")"
slurmd > "$C/d.err" 2>&1 || fatal slurm_d "slurmd did not start: $(tail -n 3 "$C/d.err" "$C/slurmd.log")"
i=0
until [ "$(sinfo -h -o %T 2> /dev/null)" = idle ]; do
    i=$((i + 1))
    [ $i -le 60 ] || fatal slurm_node "the node never became idle: $(sinfo 2>&1; tail -n 5 "$C/slurmctld.log")"
    sleep 0.5
done
pass "a one-node Slurm cluster is up (node $H idle)"

# submit ARGS...: sbatch ARGS, then wait (up to 2 minutes) for the job to
# end; its exit status is the job's. `sbatch --wait` would do, but it
# polls every few seconds, this every tenth.
submit() {
    id=$(sbatch --parsable "$@") || return 125
    k=0
    while [ $k -lt 1200 ]; do
        st=$(scontrol show job -o "$id" 2> /dev/null | sed -n 's/.* JobState=\([A-Z_]*\) .*/\1/p')
        case $st in
        COMPLETED) return 0 ;;
        FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | BOOT_FAIL | DEADLINE | PREEMPTED) return 1 ;;
        esac
        sleep 0.1
        k=$((k + 1))
    done
    echo "job $id still ${st:-unknown} after 2 minutes" >&2
    return 124
}

# The recipe of docs/cluster.md at toy size. The scripts ask for 4 CPUs and
# 4 GB per task; this node has 2 CPUs, so the command line narrows that,
# as a user of a small partition would.
J="--cpus-per-task=1 --mem=500M"
export CLASSES=3 CLIPS_PER_CLASS=2
cd "$T/job" || fatal slurm_cd "cannot enter $T/job"
# shellcheck disable=SC2086
jid=$(sbatch --parsable --array=0-1 $J "$ROOT/docs/cluster/slurm-synth.sh" 2> "$T/sbatch.err")
[ -n "$jid" ] || fatal slurm_array "sbatch --array refused the script: $(cat "$T/sbatch.err")"
# shellcheck disable=SC2086
submit --dependency=afterany:"$jid" --export=ALL,N=2 -o join-%j.out $J \
    "$ROOT/docs/cluster/slurm-join.sh" 2> "$T/join.err"
rc=$?
n=$(synapt-inspect --clips --json synapt.synapt.json 2> /dev/null | wc -l)
if [ $rc -eq 0 ] && [ "$n" -eq 6 ]; then
    pass "sbatch --array=0-1 then the join (afterany): a manifest of all 6 clips"
else fail "sbatch --array=0-1 then the join (afterany)" \
    "exit $rc, $n clips: $(cat "$T/join.err" join-*.out logs/synth-*.log 2> /dev/null | tail -n 5)"; fi

# the parts are those of synapt-synth --shard K/2 by hand, to the byte
same=1
for k in 0 1; do
    synapt-synth -q --classes 3 --clips-per-class 2 --frames 16 --size 64x64 --split-by actor --actors 40 \
        --threads 1 --shard $k/2 -o "$T/hand-$k.synapt" && cmp -s "parts/part-$k.synapt" "$T/hand-$k.synapt" || same=0
done
if [ $same -eq 1 ]; then pass "each array task's part equals synapt-synth --shard K/2 byte for byte"
else fail "each array task's part equals synapt-synth --shard K/2 byte for byte" "see $T/job/parts"; fi

# a lost part: the join fails and names the task; rerunning that task alone mends it
rm -f parts/part-1.synapt synapt.synapt.json
# shellcheck disable=SC2086
submit --export=ALL,N=2 -o rejoin-%j.out $J "$ROOT/docs/cluster/slurm-join.sh" \
    2> "$T/rejoin.err"
rc=$?
if [ $rc -ne 0 ] && grep -q -- '--array=1 --export=ALL,N=2 ' rejoin-*.out && [ ! -e synapt.synapt.json ]; then
    pass "with part 1 lost the join job fails and its log names the rerun, --array=1 with N=2"
else fail "with part 1 lost the join job fails and its log names the rerun" \
    "exit $rc: $(cat rejoin-*.out "$T/rejoin.err" 2> /dev/null)"; fi
# shellcheck disable=SC2086
jid=$(sbatch --parsable --array=1 --export=ALL,N=2 $J "$ROOT/docs/cluster/slurm-synth.sh" 2> "$T/sbatch2.err")
# shellcheck disable=SC2086
submit --dependency=afterany:"$jid" --export=ALL,N=2 -o join2-%j.out $J \
    "$ROOT/docs/cluster/slurm-join.sh" 2> "$T/join2.err"
rc=$?
n=$(synapt-inspect --clips --json synapt.synapt.json 2> /dev/null | wc -l)
if [ -n "$jid" ] && [ $rc -eq 0 ] && [ "$n" -eq 6 ] && cmp -s parts/part-1.synapt "$T/hand-1.synapt"; then
    pass "sbatch --array=1 (N=2) reruns the lost task alone, the same bytes; the join then holds all 6 clips"
else fail "sbatch --array=1 reruns the lost task alone" \
    "exit $rc, $n clips: $(cat "$T/sbatch2.err" "$T/join2.err" join2-*.out 2> /dev/null | tail -n 5)"; fi
cd "$ROOT" || true
finish
