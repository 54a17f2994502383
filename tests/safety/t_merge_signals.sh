#!/bin/sh
# synapt-merge and synapt-subset under signals and limits: SIGINT, SIGTERM
# and SIGHUP at seeded moments of a copy merge, a sharded merge (shards and
# manifest), a --dedupe --per-class merge, a subset copy and a virtual
# subset. Afterwards the target holds either the previous output, byte for
# byte (for shards: the previous set of files), or the complete new one,
# equal to an uninterrupted run's, nothing else is in the folder, and the
# inputs are untouched. Then a file-size limit (SIGXFSZ) mid-copy, and a
# run killed with SIGKILL leaves only its staging folder, which
# synapt-recover salvages.
. "$(dirname "$0")/../lib.sh"
need_built bin/synapt-synth bin/synapt-merge bin/synapt-subset bin/synapt-recover bin/synapt-inspect
SEED=${SYNAPT_SIGNAL_SEED:-20261205}
W=$T/w
mkdir -p "$W"
# the state of an output: its bytes, or for "shards" every m-*.synapt and
# m.synapt.json with their names
state() {
    case $1 in
        shards) (cd "$W" && ls | grep -E '^m(-[0-9]{5}\.synapt|\.synapt\.json)$' | xargs md5sum 2> /dev/null | md5sum | cut -c1-32) ;;
        *) md5sum < "$W/$1" 2> /dev/null | cut -c1-32 ;;
    esac
}
now_ms() { date +%s%3N; }

opts="-q --classes 4 --clips-per-class 8 --frames 32 --size 96x96 --rgb raw --threads 2"
# shellcheck disable=SC2086
synapt-synth $opts -o "$W/a.synapt" && synapt-synth $opts --seed 2 -o "$W/b.synapt" &&
synapt-synth -q --classes 1 --clips-per-class 1 --frames 2 --size 16x16 -o "$T/old.synapt" ||
    fatal merge_signals_setup "cannot make the inputs"
inputs=$(cat "$W/a.synapt" "$W/b.synapt" | md5sum)

# command N of the cycle: its output name and its arguments
cmd() {
    case $1 in
        0) out=out.synapt;  set -- synapt-merge -q --on-duplicate rename -o "$W/out.synapt" "$W/a.synapt" "$W/b.synapt" ;;
        1) out=shards;      set -- synapt-merge -q --on-duplicate rename --max-shard-bytes 6M -o "$W/m.synapt" "$W/a.synapt" "$W/b.synapt" ;;
        2) out=out.synapt;  set -- synapt-merge -q --on-duplicate rename --dedupe --per-class 5 --seed 3 -o "$W/out.synapt" "$W/a.synapt" "$W/b.synapt" ;;  # table on stdout
        3) out=out.synapt;  set -- synapt-subset -q --split train --per-class 6 -o "$W/out.synapt" "$W/a.synapt" ;;
        4) out=v.synapt.json; set -- synapt-subset -q --label walk,run --virtual -o "$W/v.synapt.json" "$W/a.synapt" ;;
    esac
    args=$*
}
# the previous output of command N: something else at the same names
old() {
    rm -f "$W"/out.synapt "$W"/m-*.synapt "$W"/m.synapt.json "$W"/v.synapt.json
    case $1 in
        1) cp "$T/old.synapt" "$W/old-in.synapt" &&
           synapt-merge -q --max-shard-bytes 6M -o "$W/m.synapt" "$W/old-in.synapt" && rm "$W/old-in.synapt" ;;
        4) synapt-subset -q --label walk --virtual -o "$W/v.synapt.json" "$W/b.synapt" ;;
        *) cp "$T/old.synapt" "$W/out.synapt" ;;
    esac
}
only() { # the folder holds the inputs and the outputs of this command, nothing else
    ls -A "$W" | grep -v -E '^(a|b)\.synapt$' | grep -v -E "$1"
}

# uninterrupted runs: the reference states and durations
i=0
while [ $i -lt 5 ]; do
    old $i
    eval "prev_$i=$(state "$(cmd $i; echo $out)")"
    cmd $i
    t0=$(now_ms)
    # shellcheck disable=SC2086
    $args > /dev/null || fatal merge_signals_setup "reference run failed: $args"
    eval "dur_$i=$(( $(now_ms) - t0 ))"
    eval "ref_$i=$(state $out)"
    i=$((i + 1))
done

rounds=30
sanitized && rounds=10
awk -v s="$SEED" -v n=$rounds 'BEGIN { srand(s); for (i = 0; i < n; i++) printf "%.4f\n", rand() }' > "$T/moments"
i=0 bad=0 kept=0 done_=0
while read -r r; do
    n=$((i % 5))
    case $((i % 3)) in 0) sig=INT ;; 1) sig=TERM ;; *) sig=HUP ;; esac
    old $n
    cmd $n
    eval "dur=\$dur_$n prev=\$prev_$n ref=\$ref_$n"
    # a moment in the first 1.3 run lengths (at least 5 ms of it)
    delay=$(awk -v r="$r" -v d="$dur" 'BEGIN { if (d < 5) d = 5; printf "%.4f", r * d * 1.3 / 1000 }')
    # shellcheck disable=SC2086
    env --default-signal=INT $args > /dev/null 2> "$T/err" &
    pid=$!
    sleep "$delay"
    kill -"$sig" $pid 2> /dev/null
    { wait $pid; } 2> /dev/null
    st=$(state $out)
    case $out in shards) pat='^m(-[0-9]{5}\.synapt|\.synapt\.json)$' ;; *) pat="^${out}\$" ;; esac
    left=$(only "$pat")
    if [ -n "$left" ]; then
        bad=$((bad + 1)); fail "SIG$sig after ${delay}s of $args" "left behind: $left"
    elif [ "$st" = "$prev" ]; then
        kept=$((kept + 1))
    elif [ "$st" = "$ref" ]; then
        done_=$((done_ + 1))
    else
        bad=$((bad + 1)); fail "SIG$sig after ${delay}s of $args" "the output is neither the old nor the complete new one"
    fi
    i=$((i + 1))
done < "$T/moments"
[ "$(cat "$W/a.synapt" "$W/b.synapt" | md5sum)" = "$inputs" ] || { bad=$((bad + 1)); fail merge_signals_inputs "an input changed"; }
[ $bad -eq 0 ] && pass "$rounds seeded SIGINT/SIGTERM/SIGHUP over merge and subset (seed $SEED): $kept kept the old output, $done_ finished, none left anything"

# a file-size limit: the write past it gets SIGXFSZ
old 0
prev=$(state out.synapt)
sh -c 'ulimit -f 8192; exec "$@"' sh "$BIN/synapt-merge" -q --on-duplicate rename -o "$W/out.synapt" \
    "$W/a.synapt" "$W/b.synapt" 2> /dev/null
rc=$?
left=$(only '^out\.synapt$')
if [ $rc -ne 0 ] && [ "$(state out.synapt)" = "$prev" ] && [ -z "$left" ]; then
    pass "merge past a file-size limit keeps the previous output, leaves nothing (exit $rc)"
else fail "merge past a file-size limit" "exit $rc, left: $left"; fi

# a full disk: one line naming the output, the previous output kept,
# nothing left (for the sharded merge too)
M=$T/full
mkdir -p "$M"
if mount -t tmpfs -o size=8m tmpfs "$M" 2> /dev/null; then
    cp "$T/old.synapt" "$M/out.synapt"
    prev=$(md5sum < "$M/out.synapt")
    synapt-merge -q --on-duplicate rename -o "$M/out.synapt" "$W/a.synapt" "$W/b.synapt" 2> "$T/full.err"
    rc=$?
    left=$(ls -A "$M" | grep -v -x out.synapt)
    if [ $rc -eq 1 ] && [ "$(md5sum < "$M/out.synapt")" = "$prev" ] && [ -z "$left" ] &&
       [ "$(wc -l < "$T/full.err")" -eq 1 ] && grep -q "out.synapt" "$T/full.err" && grep -qi space "$T/full.err"; then
        pass "merge on a full disk: one line naming the file, previous output kept, nothing left"
    else fail "merge on a full disk" "exit $rc, left: $left, stderr: $(cat "$T/full.err")"; fi
    synapt-merge -q --on-duplicate rename --max-shard-bytes 3M -o "$M/m.synapt" "$W/a.synapt" "$W/b.synapt" 2> "$T/fulls.err"
    rc=$?
    left=$(ls -A "$M" | grep -v -x out.synapt)
    if [ $rc -eq 1 ] && [ -z "$left" ] && [ "$(wc -l < "$T/fulls.err")" -eq 1 ]; then
        pass "sharded merge on a full disk: one line, no shard or manifest left"
    else fail "sharded merge on a full disk" "exit $rc, left: $left, stderr: $(cat "$T/fulls.err")"; fi
    umount "$M"
else
    skip "merge on a full disk" "cannot mount a tmpfs here (needs root)"
fi

# SIGKILL cannot be caught: the staging folder stays, with the writer's
# partial file, and synapt-recover salvages the clips it finished. The kill
# comes once the partial file has passed 4 MB (polled, not timed).
old 0
prev=$(state out.synapt)
synapt-merge -q --on-duplicate rename -o "$W/out.synapt" "$W/a.synapt" "$W/b.synapt" 2> /dev/null &
pid=$!
while kill -0 $pid 2> /dev/null && [ -z "$(find "$W" -path '*/.out.synapt.tmp-*/*' -size +4M 2> /dev/null)" ]; do :; done
kill -KILL $pid 2> /dev/null
{ wait $pid; } 2> /dev/null
stage=$(ls -A "$W" | grep '^\.out\.synapt\.tmp-' | head -1)
if [ "$(state out.synapt)" != "$prev" ]; then
    skip "merge killed with SIGKILL" "it finished before the kill (${dur_0} ms)"
elif [ -n "$stage" ] && [ -d "$W/$stage" ]; then
    synapt-recover --json "$W/$stage" -o "$T/saved.synapt" > "$T/rec.json" 2> "$T/rec.err"
    rc=$?
    kept=$(sed 's/.*"clips_kept":\([0-9]*\).*/\1/' "$T/rec.json")
    if { [ $rc -eq 0 ] || [ $rc -eq 3 ]; } && [ "${kept:-0}" -gt 0 ] && synapt-inspect -q --verify "$T/saved.synapt"; then
        pass "merge killed with SIGKILL: previous output kept, staging folder salvaged (${kept:-0} clips)"
    else fail "merge killed with SIGKILL, then synapt-recover" "exit $rc: $(cat "$T/rec.err")"; fi
    rm -rf "${W:?}/$stage"
else
    fail "merge killed with SIGKILL leaves its staging folder" "found '$stage'"
fi
finish
