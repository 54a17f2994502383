#!/bin/sh
# synapt-synth --shard K/N: N workers given the same options write disjoint
# parts that together hold exactly the clips of one whole run, each clip the
# same data (decoded RGB frames by framemd5, depth, mask and joints as .npy)
# as in the whole run; bad --shard values are usage errors; --depth-codec
# ans stores the same depth.
. "$(dirname "$0")/../lib.sh"
need_built bin/synapt-synth bin/synapt-inspect bin/synapt-convert
opts="--classes 3 --clips-per-class 4 --frames 8 --size 64x48 -q"
# shellcheck disable=SC2086
synapt-synth -o "$T/all.synapt" $opts || fatal synth_whole "exit $?"
for k in 0 1 2; do
    # shellcheck disable=SC2086
    synapt-synth -o "$T/s$k.synapt" $opts --shard $k/3 --threads 1 || fatal synth_shard "shard $k: exit $?"
done
ids() { synapt-inspect --clips --json "$1" | sed 's/.*"id":"\([^"]*\)".*/\1/'; }
ids "$T/all.synapt" | sort > "$T/all.ids"
for k in 0 1 2; do ids "$T/s$k.synapt"; done | sort > "$T/parts.ids"
if [ "$(lines "$T/all.ids")" -eq 12 ] && cmp -s "$T/all.ids" "$T/parts.ids"; then
    pass "3 shards partition the 12 clips of the whole run"
else fail "3 shards partition the 12 clips of the whole run" "$(diff "$T/all.ids" "$T/parts.ids" | head -5)"; fi

same=0 diff=0
for k in 0 1 2; do
    for id in $(ids "$T/s$k.synapt"); do
        for f in all "s$k"; do
            synapt-convert "$T/$f.synapt" --to framemd5 --clip "$id" -o "$T/$f.md5" &&
            for s in depth mask pose2d pose3d; do
                synapt-convert -q "$T/$f.synapt" --to npy --clip "$id" --stream $s -o "$T/$f.$s.npy" || exit 1
            done
        done
        if cmp -s "$T/all.md5" "$T/s$k.md5" && cmp -s "$T/all.depth.npy" "$T/s$k.depth.npy" &&
           cmp -s "$T/all.mask.npy" "$T/s$k.mask.npy" && cmp -s "$T/all.pose2d.npy" "$T/s$k.pose2d.npy" &&
           cmp -s "$T/all.pose3d.npy" "$T/s$k.pose3d.npy"; then same=$((same + 1)); else diff=$((diff + 1)); fi
    done
done
if [ $same -eq 12 ] && [ $diff -eq 0 ]; then pass "every clip of a shard equals the same clip of the whole run"
else fail "every clip of a shard equals the same clip of the whole run" "$same same, $diff different"; fi

# the SURREACT-like folder: the manifest lists exactly the shard's clips
# shellcheck disable=SC2086
synapt-synth -o "$T/d1" --layout dir $opts --shard 1/3 &&
if [ "$(lines "$T/d1/manifest.jsonl")" -eq "$(ids "$T/s1.synapt" | wc -l)" ]; then
    pass "--layout dir --shard writes the shard's clips"
else fail "--layout dir --shard writes the shard's clips" "$(lines "$T/d1/manifest.jsonl") lines"; fi

ok=1
for bad in 3/3 1/0 x 1/2/3 -1/2 "1/2 "; do
    run badshard synapt-synth -o "$T/x.synapt" --shard "$bad"
    if [ "$rc" -ne 2 ] || [ -e "$T/x.synapt" ]; then
        ok=0; fail "--shard '$bad' is a usage error" "exit $rc"
    fi
done
[ $ok -eq 1 ] && pass "bad --shard values are usage errors"

# --depth-codec ans: the same depth as the default run, stored with
# compression 3; the dir layout (PNG depth) refuses it
# shellcheck disable=SC2086
if synapt-synth -o "$T/ans.synapt" $opts --depth-codec ans && synapt-inspect --verify "$T/ans.synapt" > /dev/null &&
   synapt-inspect --clip "$(ids "$T/all.synapt" | head -1)" -v "$T/ans.synapt" | grep -q 'compression depth_ans'; then
    bad=0
    for id in $(ids "$T/all.synapt"); do
        synapt-convert -q "$T/all.synapt" --to npy --clip "$id" --stream depth -o "$T/a.npy" &&
        synapt-convert -q "$T/ans.synapt" --to npy --clip "$id" --stream depth -o "$T/b.npy" &&
        cmp -s "$T/a.npy" "$T/b.npy" || bad=$((bad + 1))
    done
    if [ $bad -eq 0 ]; then pass "--depth-codec ans stores the same depth as the default"
    else fail "--depth-codec ans stores the same depth as the default" "$bad clips differ"; fi
else
    fail "--depth-codec ans stores the same depth as the default" "synth, verify or inspect failed"
fi
run dirans synapt-synth -o "$T/dirans" --layout dir --depth-codec ans --classes 1 --clips-per-class 1
if expect_rc dirans 2 && has "$T/dirans.err" "needs --layout synapt" && [ ! -e "$T/dirans" ]; then
    pass "--depth-codec ans with --layout dir is a usage error"
fi

# the default thread count is the CPUs the process may run on (its affinity,
# as Slurm and Kubernetes set it), so N workers on N cores do not each start
# one thread per core of the machine
if command -v taskset > /dev/null 2>&1 && taskset -c 0 true 2> /dev/null; then
    run aff taskset -c 0 synapt-synth -o "$T/aff.synapt" --classes 2 --clips-per-class 1 --frames 2 --size 32x32
    if [ "$rc" -eq 0 ] && grep -q '(.* 1 threads)' "$T/aff.out" "$T/aff.err" 2> /dev/null; then
        pass "under taskset -c 0 the default is 1 render thread"
    else fail "under taskset -c 0 the default is 1 render thread" "exit $rc: $(cat "$T/aff.err" 2> /dev/null)"; fi
else
    skip "default threads follow the CPU affinity" "no taskset"
fi
finish
