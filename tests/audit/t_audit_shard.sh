#!/bin/sh
# synapt-audit over manifests and a clip selection (the subset options),
# with external embeddings (.npy by order, .npy + ids, HDF5 group by clip
# id), and as N shards merged into a report byte-identical to one run's.
# Tiny inputs: 24 clips of 32x32, few probe epochs and resamples.
. "$(dirname "$0")/../lib.sh"
need_built bin/synapt-audit bin/synapt-synth bin/synapt-subset
py=$PY
fast="--epochs 5 --bootstrap 50 --permutations 50"
synapt-synth -q -o "$T/s.synapt" --classes 4 --clips-per-class 6 --frames 8 --size 32x32 \
    --rgb raw --seed 2 --scene-bias 1 || fatal "synapt-synth"
synapt-synth -q -o "$T/o.synapt" --classes 4 --clips-per-class 6 --frames 8 --size 32x32 \
    --rgb raw --seed 5 || fatal "synapt-synth"
# the checks of a report, without the inputs (a manifest and a file differ there)
checks() { $py -c "import json,sys; print(json.dumps(json.load(open(sys.argv[1]))['checks']))" "$1"; }
value() { $py -c "
import json,sys
c={x['id']:x for x in json.load(open(sys.argv[1]))['checks']}.get(sys.argv[2])
print('missing' if c is None else '%r %s' % (c['value'], 'true' if c['flag'] else 'false'))" "$1" "$2"; }

# ---- shards and merge ------------------------------------------------------
embed_py='
import numpy as np, sys
n, k = int(sys.argv[2]), 4
rng = np.random.default_rng(7)
lab = np.arange(n) // (n // k)                  # synapt-synth writes clips class by class
x = rng.normal(size=(n, 16)).astype(np.float32)
x[np.arange(n), lab] += 4                       # the class shows in the embedding
np.save(sys.argv[1], x)'
$py -c "$embed_py" "$T/e.npy" 24 || fatal "numpy"
synapt-audit -q $fast --embeddings "$T/e.npy" "$T/s.synapt" -o "$T/one"
rc=$?
[ $rc -eq 3 ] && [ -f "$T/one/report.json" ] || fatal "single run" "exit $rc"
# a sanitizer build checks memory, not more shard counts: 2 shards there
counts="2 3"
sanitized && counts=2
ok=1
for n in $counts; do
    files=""
    k=$((n - 1))
    # the shards run in reverse order, with other thread counts
    while [ $k -ge 0 ]; do
        synapt-audit -q $fast --threads $((k + 1)) --embeddings "$T/e.npy" --shard $k/$n \
            "$T/s.synapt" -o "$T/f$k-$n.feat" || ok=0
        files="$files $T/f$k-$n.feat"
        k=$((k - 1))
    done
    synapt-audit -q --merge $files -o "$T/m$n"
    rc=$?
    if [ $rc -eq 3 ] && cmp -s "$T/one/report.json" "$T/m$n/report.json" && diff -r "$T/one" "$T/m$n" > /dev/null; then :
    else ok=0; echo "# $n shards: merge exit $rc"; diff "$T/one/report.json" "$T/m$n/report.json" | head -5; fi
done
[ $ok = 1 ] && pass "$(echo $counts | sed 's/ / and /') shards merged: report.json (and every report file) byte-identical to the single run" \
    || fail "sharded report differs from the single run"
ls "$T"/*.tmp* "$T"/.*synapt* > /dev/null 2>&1 && fail "temporaries left beside the feature files"
# the docs/cluster.md recipe: GNU parallel workers, then the merge
if sanitized; then skip "GNU parallel recipe" "sanitizer build (the shards are tested above)"
elif command -v parallel > /dev/null 2>&1; then
    mkdir -p "$T/feats"
    seq 0 1 | parallel -j 2 synapt-audit -q $fast --threads 1 --embeddings "$T/e.npy" --shard {}/2 \
        "$T/s.synapt" -o "$T/feats/audit-{}.feat"
    synapt-audit -q --merge "$T"/feats/audit-*.feat -o "$T/mp"
    cmp -s "$T/one/report.json" "$T/mp/report.json" \
        && pass "docs/cluster.md recipe (GNU parallel, 2 workers): the single run's report.json" \
        || fail "GNU parallel shards differ from the single run"
else skip "GNU parallel recipe" "no parallel"; fi

# two of three shards (written here when the sanitizer build skipped 3)
[ -f "$T/f0-3.feat" ] || synapt-audit -q $fast --embeddings "$T/e.npy" --shard 0/3 "$T/s.synapt" -o "$T/f0-3.feat"
[ -f "$T/f2-3.feat" ] || synapt-audit -q $fast --embeddings "$T/e.npy" --shard 2/3 "$T/s.synapt" -o "$T/f2-3.feat"
run merge_missing synapt-audit -q --merge "$T/f0-3.feat" "$T/f2-3.feat" -o "$T/bad1"
expect_rc merge_missing 1 && [ "$(lines "$T/merge_missing.err")" = 1 ] && has "$T/merge_missing.err" 'shard 1/3 is missing' \
    && [ ! -e "$T/bad1" ] && pass "a missing shard: exit 1, one line naming it, no report"
run merge_twice synapt-audit -q --merge "$T/f0-2.feat" "$T/f0-2.feat" -o "$T/bad2"
expect_rc merge_twice 1 && [ "$(lines "$T/merge_twice.err")" = 1 ] && pass "the same shard twice: exit 1, one line"
synapt-audit -q $fast --seed 9 --shard 1/2 "$T/s.synapt" -o "$T/seed9.feat" || fail "shard with --seed 9"
run merge_other synapt-audit -q --merge "$T/f0-2.feat" "$T/seed9.feat" -o "$T/bad3"
expect_rc merge_other 1 && has "$T/merge_other.err" 'another audit' && pass "shards of another audit (other seed) refused"
# a worker rerun after its input changed under the same path
mkdir -p "$T/x"
cp "$T/s.synapt" "$T/x/in.synapt"
synapt-audit -q $fast --shard 0/2 "$T/x/in.synapt" -o "$T/x0.feat" || fail "shard 0/2 of x"
cp "$T/o.synapt" "$T/x/in.synapt"
synapt-audit -q $fast --shard 1/2 "$T/x/in.synapt" -o "$T/x1.feat" || fail "shard 1/2 of x"
run merge_changed synapt-audit -q --merge "$T/x0.feat" "$T/x1.feat" -o "$T/bad3"
expect_rc merge_changed 1 && has "$T/merge_changed.err" 'another audit' \
    && pass "shards that read different data under one path refused (input fingerprint)"
head -c 3000 "$T/f1-2.feat" > "$T/cut.feat"
cp "$T/f1-2.feat" "$T/flip.feat"
printf 'X' | dd of="$T/flip.feat" bs=1 seek=2000 conv=notrunc 2> /dev/null
ok=1
for f in cut flip; do
    run merge_$f synapt-audit -q --merge "$T/f0-2.feat" "$T/$f.feat" -o "$T/bad4"
    [ $rc -eq 1 ] && [ "$(lines "$T/merge_$f.err")" = 1 ] && has "$T/merge_$f.err" "$f.feat" || ok=0
done
run merge_junk synapt-audit -q --merge "$T/s.synapt" -o "$T/bad5"
[ $ok = 1 ] && [ $rc -eq 1 ] && has "$T/merge_junk.err" 'not a synapt-audit feature file' && [ ! -e "$T/bad4" ] \
    && pass "a truncated, a damaged and a foreign feature file: exit 1, one line naming it" \
    || fail "damaged feature files" "$(cat "$T/merge_cut.err" "$T/merge_flip.err" "$T/merge_junk.err")"
run shard_bad synapt-audit --shard 2/2 "$T/s.synapt" -o "$T/x.feat"
expect_rc shard_bad 2 && has "$T/shard_bad.err" '--shard wants K/N with 0 <= K < N, e.g. 0/4' \
    && pass "--shard 2/2: exit 2 with synapt-pack's message"
run merge_method synapt-audit --merge --folds 3 "$T/f0-2.feat" "$T/f1-2.feat" -o "$T/bad6"
expect_rc merge_method 2 && pass "--merge refuses a method option (the shards fixed it): exit 2"

# ---- manifests and the selection ------------------------------------------
synapt-subset -q --per-class 3 --seed 3 --virtual -o "$T/sub.synapt.json" "$T/s.synapt" || fail "subset --virtual"
synapt-audit -q $fast --seed 3 "$T/sub.synapt.json" -o "$T/rm"; rc1=$?
synapt-audit -q $fast --per-class 3 --seed 3 "$T/s.synapt" -o "$T/rs"; rc2=$?
n=$($py -c "import json,sys; print(json.load(open(sys.argv[1]))['summary']['clips'])" "$T/rm/report.json" 2>/dev/null)
if [ $rc1 -ne 1 ] && [ $rc2 -ne 1 ] && [ "$n" = 12 ] && [ "$(checks "$T/rm/report.json")" = "$(checks "$T/rs/report.json")" ] \
    && has "$T/rm/report.json" '"kind": "manifest"'; then
    pass "a manifest of synapt-subset --per-class 3 --seed 3 and synapt-audit --per-class 3 --seed 3 audit the same 12 clips alike"
else fail "manifest vs selection" "clips $n, exit $rc1/$rc2"; fi
# a manifest with a selection, in 2 shards
for k in 0 1; do
    synapt-audit -q $fast --seed 3 --fraction 0.8 --shard $k/2 "$T/sub.synapt.json" -o "$T/sm$k.feat" || fail "shard $k of the manifest"
done
synapt-audit -q $fast --seed 3 --fraction 0.8 "$T/sub.synapt.json" -o "$T/rsm1"
synapt-audit -q --merge "$T/sm1.feat" "$T/sm0.feat" -o "$T/rsm2"
[ -f "$T/rsm1/report.json" ] && cmp -s "$T/rsm1/report.json" "$T/rsm2/report.json" \
    && pass "a manifest with --fraction 0.8 --seed 3 in 2 shards: the single run's report.json" \
    || fail "sharded manifest audit differs"
synapt-audit -q $fast --split val --label walk,run "$T/s.synapt" -o "$T/rsel"
n=$($py -c "import json,sys; print(json.load(open(sys.argv[1]))['summary']['clips'])" "$T/rsel/report.json" 2>/dev/null)
want=$(synapt-subset --split val --label walk,run --list "$T/s.synapt" | grep -vc '^#')
[ -n "$n" ] && [ "$n" = "$want" ] && pass "--split val --label walk,run: the clips synapt-subset --list chooses ($n)" \
    || fail "selection" "audit $n clips, subset $want"
ok=1
for r in one rm; do
    $py tests/audit/audit_schema_check.py spec/audit-report.schema.json "$T/$r/report.json" || ok=0
done
has "$T/one/report.json" '"embeddings": {"source": ' || ok=0
[ $ok = 1 ] && pass "reports of a manifest and with embeddings validate against spec/audit-report.schema.json" \
    || fail "report.json schema (manifest input, embeddings)"
printf 'a/b.avi\n' > "$T/l_train.txt"
run sel_list synapt-audit --split train "$T/l_train.txt" -o "$T/bad7"
expect_rc sel_list 1 && has "$T/sel_list.err" 'l_train.txt' && pass "a split list with a selection: exit 1 naming the list"

# ---- embeddings --------------------------------------------------------------
set -- $(value "$T/one/report.json" static_bias.embedding)
e_val=$1
[ "$2" = true ] && pass "an embedding that carries the class: static_bias.embedding flagged (B = $1)" \
    || fail "static_bias.embedding" "$*"
# the same rows keyed by clip id: an HDF5 group (h5py) in shuffled order, and .npy + an ids file
synapt-subset --list "$T/s.synapt" | grep -v '^#' | cut -f 1 > "$T/ids.txt"
$py - "$T" <<'PYEOF' || fail "h5py"
import numpy as np, h5py, sys
t = sys.argv[1]
x = np.load(t + '/e.npy')
ids = open(t + '/ids.txt').read().split()
with h5py.File(t + '/e.h5', 'w') as f:
    g = f.create_group('emb')
    for i in np.random.default_rng(1).permutation(len(ids)):
        g.create_dataset(ids[i], data=x[i].astype(np.float64))
    f.create_dataset('flat', data=x)
    f.create_dataset('cube', data=x.reshape(24, 4, 4))
p = np.random.default_rng(2).permutation(len(ids))
np.save(t + '/p.npy', x[p])
open(t + '/pids.txt', 'w').write(''.join(ids[i] + '\n' for i in p))
y = x.copy(); y[5, 3] = np.nan; np.save(t + '/nan.npy', y)
np.save(t + '/short.npy', x[:20])
np.save(t + '/cube.npy', x.reshape(24, 4, 4))
# a header that claims 2 GiB (version 2.0 has a 4-byte length)
open(t + '/huge.npy', 'wb').write(b'\x93NUMPY\x02\x00' + (2**31).to_bytes(4, 'little') + b'{')
PYEOF
ok=1
for how in "--embeddings $T/e.h5 --embedding-object emb" "--embeddings $T/p.npy --embedding-ids $T/pids.txt" \
           "--embeddings $T/e.h5 --embedding-object flat"; do
    synapt-audit -q $fast $how "$T/s.synapt" -o "$T/re"
    set -- $(value "$T/re/report.json" static_bias.embedding)
    [ "$1" = "$e_val" ] || { ok=0; echo "# $how: $1, expected $e_val"; }
done
[ $ok = 1 ] && pass "embeddings by clip id (HDF5 group, .npy + ids) and an HDF5 2-D dataset give the .npy's result"
ok=1
for bad in nan short cube huge; do
    run emb_$bad synapt-audit -q $fast --embeddings "$T/$bad.npy" "$T/s.synapt" -o "$T/bad8"
    if [ $rc -ne 1 ] || [ "$(lines "$T/emb_$bad.err")" != 1 ] || ! has "$T/emb_$bad.err" "$bad.npy" || [ -e "$T/bad8" ]; then
        ok=0; echo "# $bad.npy: exit $rc: $(cat "$T/emb_$bad.err")"
    fi
done
run emb_h5cube synapt-audit -q $fast --embeddings "$T/e.h5" --embedding-object cube "$T/s.synapt" -o "$T/bad8"
[ $rc -eq 1 ] && [ "$(lines "$T/emb_h5cube.err")" = 1 ] || ok=0
[ $ok = 1 ] && pass "NaN, too few rows, a 3-D array, a 2 GiB header, a 3-D HDF5 dataset: exit 1, one line naming the file" \
    || fail "hostile embeddings"
cat "$T/emb_nan.err" "$T/emb_huge.err" | sed 's/^/# /'
# the domain gap on embeddings: one set against another
$py -c "$embed_py" "$T/e2.npy" 48 || fail "numpy"
synapt-audit -q $fast --embeddings "$T/e2.npy" --real "$T/s.synapt" --synthetic "$T/o.synapt" -o "$T/rd"
set -- $(value "$T/rd/report.json" domain.auc.embedding)
[ "$1" != missing ] && set -- $(value "$T/rd/report.json" domain.kid.embedding) && [ "$1" != missing ] \
    && pass "domain.auc.embedding and domain.kid.embedding reported for --real/--synthetic" \
    || fail "domain checks on embeddings missing"
finish
