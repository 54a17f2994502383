#!/bin/sh
# The SynAPT-style build of README.md on stand-in sources: the map derived
# from SynAPT's own list (../shared/realdata/annotations/synapt/
# sim150_val.txt) by scripts/synapt150-map.sh, four files named and
# labelled like SynAPT's sources (made the way a user would: synapt-synth
# folder, manifest edited, synapt-pack), merged with --per-class and
# --balance-sources; the per-class per-source counts are checked against
# what the list and the stand-ins imply, and against the written file.
. "$(dirname "$0")/../lib.sh"
need_built bin/synapt-merge bin/synapt-subset bin/synapt-synth bin/synapt-pack bin/synapt-inspect
realdata synapt_list annotations/synapt/sim150_val.txt || finish
py_has json || skip_all "needs $PY"
LIST=$R/annotations/synapt/sim150_val.txt

# 1. the map, and what the list says about SynAPT: 150 classes from 4
# sources, 182 (source action, class) pairs, 22 classes fed by several
# sources
run map sh scripts/synapt150-map.sh "$LIST"
expect_rc map 0 && cp "$T/map.out" "$T/synapt150.csv"
rows=$(tail -n +2 "$T/synapt150.csv" | wc -l)
classes=$(tail -n +2 "$T/synapt150.csv" | cut -d, -f3 | sort -u | wc -l)
listed=$(awk -F/ 'NF > 1 { print $1 }' "$LIST" | sort -u | wc -l)
sources=$(tail -n +2 "$T/synapt150.csv" | cut -d, -f1 | sort -u | tr '\n' ' ')
multi=$(tail -n +2 "$T/synapt150.csv" | awk -F, '{ k[$3 "," $1] = 1 } END { for (x in k) { split(x, a, ","); n[a[1]]++ } for (c in n) if (n[c] > 1) m++; print m }')
if [ "$rows" -eq 182 ] && [ "$classes" -eq 150 ] && [ "$listed" -eq 150 ] && [ "$multi" -eq 22 ] &&
   [ "$sources" = "eldersim phav surreact-ntu surreact-uestc " ]; then
    pass synapt150_map
else
    fail synapt150_map "rows $rows classes $classes/$listed multi-source $multi sources '$sources'"
fi

# 2. stand-ins: every source action of the map gets 1-3 clips in its
# source's file (ids SOURCE-LABEL-K, the synth clips relabelled)
synapt-synth -q -o "$T/synth" --layout dir --classes 1 --clips-per-class 360 --frames 2 --size 16x16 \
    --rgb raw --threads 2 --seed 5 || fatal synapt150_standins "synapt-synth failed"
"$PY" - "$T/synapt150.csv" "$T/synth/manifest.jsonl" "$T/synth" <<'PYEOF' || fatal synapt150_standins "relabelling failed"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
keys = []
for r in rows:
    k = (r["source"], r["label"])
    if k not in keys: keys.append(k)
clips = [json.loads(l) for l in open(sys.argv[2])]
out = {}
n = 0
for i, (src, label) in enumerate(keys):
    for k in range(1 + i % 3):
        c = dict(clips[n]); n += 1
        c["id"] = "%s-%s-%d" % (src, label, k)
        c["label"] = label
        c["source"] = src
        out.setdefault(src, []).append(c)
for src, cs in out.items():
    with open("%s/%s.jsonl" % (sys.argv[3], src), "w") as f:
        for c in cs: f.write(json.dumps(c) + "\n")
PYEOF
mkdir -p "$T/src"
for s in eldersim phav surreact-ntu surreact-uestc; do
    synapt-pack -q -o "$T/src/$s.synapt" "$T/synth/$s.jsonl" || fatal synapt150_standins "synapt-pack $s failed"
done
pass synapt150_standins

# 3. the merge of the README, as written, then with 2 per class
cd "$T/src" || fatal synapt150_cd "no $T/src"
cp "$T/synapt150.csv" .
run readme synapt-merge --map synapt150.csv --unmapped drop --per-class 1000 --balance-sources --seed 1 \
    -o synapt150.synapt eldersim.synapt phav.synapt surreact-ntu.synapt surreact-uestc.synapt
expect_rc readme 0 && pass synapt150_readme_merge
run two synapt-merge --map synapt150.csv --unmapped drop --per-class 2 --balance-sources --seed 1 \
    -o two.synapt eldersim.synapt phav.synapt surreact-ntu.synapt surreact-uestc.synapt
expect_rc two 0 && pass synapt150_merge_per_class
cd "$ROOT" || exit 1
synapt-inspect --clips --json "$T/src/two.synapt" > "$T/two.clips"
synapt-inspect --clips --json "$T/src/synapt150.synapt" > "$T/all.clips"

# the oracle: per class, the clips of each source whose label's first map
# row names the class (5 classes get clips only through a second row: NTU
# actions SynAPT split over two classes count for the first); with N per class and balanced sources, every
# source gets an equal share and the rest comes from those that have more
"$PY" - "$T/synapt150.csv" "$T/two.out" "$T/two.clips" "$T/readme.out" "$T/all.clips" <<'PYEOF' > "$T/oracle.txt" 2>&1
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
first = {}
for r in rows: first.setdefault((r["source"], r["label"]), r["target"])
keys = []
for r in rows:
    k = (r["source"], r["label"])
    if k not in keys: keys.append(k)
order = ["eldersim", "phav", "surreact-ntu", "surreact-uestc"]
avail = {}
for src in order:
    for i, k in enumerate(keys):
        if k[0] != src: continue
        c = first[k]
        d = avail.setdefault(c, {})
        d[src] = d.get(src, 0) + 1 + i % 3
def balance(d, n):
    want = min(n, sum(d.values())); take = {s: 0 for s in d}; rem = want
    while rem:
        open_ = [s for s in d if take[s] < d[s]]
        if not open_: break
        share = max(rem // len(open_), 1)
        for s in d:
            if not rem: break
            add = min(d[s] - take[s], share, rem); take[s] += add; rem -= add
    return take
bad = 0
def table(path):
    lines = open(path).read().splitlines()
    assert lines[0] == "class\tsource\tavailable\tkept", lines[0]
    return {(c, s): (int(a), int(k)) for c, s, a, k in (l.split("\t") for l in lines[1:])}
def written(path):
    n = {}
    for l in open(path):
        c = json.loads(l)
        k = (c["labels"][0], c["source"])
        n[k] = n.get(k, 0) + 1
    return n
for N, tab, clips in ((2, sys.argv[2], sys.argv[3]), (1000, sys.argv[4], sys.argv[5])):
    got = table(tab); w = written(clips); want = {}
    for c, d in avail.items():
        t = balance(d, N)
        for s in d: want[(c, s)] = (d[s], t[s])
    if got != want:
        bad = 1; print("N=%d: table differs in %d rows" % (N, len(set(got.items()) ^ set(want.items()))))
    kept = {k: v[1] for k, v in want.items() if v[1]}
    if w != kept:
        bad = 1; print("N=%d: written clips differ from the table: %s" % (N, sorted(set(w.items()) ^ set(kept.items()))[:5]))
    print("N=%d: %d classes, %d clips kept" % (N, len(avail), sum(kept.values())))
sys.exit(bad)
PYEOF
if [ $? -eq 0 ] && grep -q "^N=2: 1[0-9][0-9] classes" "$T/oracle.txt"; then
    pass synapt150_balance_counts
else
    fail synapt150_balance_counts "$(head -5 "$T/oracle.txt")"
fi

# 4. the third command: the val split as a virtual subset, read back
run val synapt-subset --split val --virtual -o "$T/src/synapt150-val.synapt.json" "$T/src/synapt150.synapt"
n=$(synapt-inspect --clips --json "$T/src/synapt150-val.synapt.json" | wc -l)
want=$(grep -c '"split":"val"' "$T/all.clips")
[ "$rc" -eq 0 ] && [ "$n" -eq "$want" ] && [ "$n" -gt 0 ] && pass synapt150_val_subset ||
    fail synapt150_val_subset "rc=$rc $n clips, $want val clips in the merge"
finish
