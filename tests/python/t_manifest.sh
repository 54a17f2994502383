#!/bin/sh
# The Python package opens a dataset manifest as libsynapt does: for a
# join, a virtual subset (select) and a hand-written manifest with label
# maps (rename, merge two classes, drop one), the clips, their order, ids
# and dataset labels equal `synapt-inspect --clips --json` on the same
# manifest; a torch DataLoader reads every clip; a member that is not the
# file the manifest pins is refused.
. "$(dirname "$0")/../lib.sh"
py_has numpy torch || skip_all "/usr/bin/python3 with numpy and torch not available"
need_built bin/synapt-synth bin/synapt-merge bin/synapt-subset bin/synapt-inspect
if nm "$B/lib/libsynapt.a" 2> /dev/null | grep -q '__asan_\|__ubsan_'; then
    skip_all "$B is a sanitizer build (python3 cannot load its library)"
fi
cd "$T" || exit 1
synapt-synth -q -o a.synapt --classes 3 --clips-per-class 2 --frames 6 --size 48x32 --seed 1 &&
synapt-synth -q -o b.synapt --classes 4 --clips-per-class 3 --frames 6 --size 48x32 --seed 2 --shard 1/2 &&
synapt-merge -q --manifest-only -o all.synapt.json a.synapt b.synapt &&
synapt-subset -q --per-class 1 --seed 3 --virtual -o sub.synapt.json all.synapt.json ||
    fatal manifest_setup "synth/merge/subset failed"
# label maps by hand: a's walk and run become locomotion; b drops jump
ua=$(synapt-inspect --json a.synapt | sed 's/.*"uuid":"\([0-9a-f]*\)".*/\1/')
ub=$(synapt-inspect --json b.synapt | sed 's/.*"uuid":"\([0-9a-f]*\)".*/\1/')
sa=$(wc -c < a.synapt); sb=$(wc -c < b.synapt)
na=$(synapt-inspect --clips --json a.synapt | wc -l); nb=$(synapt-inspect --clips --json b.synapt | wc -l)
cat > map.synapt.json <<JSON
{"schema":"synapt-dataset/1","labels":["locomotion","jump","squat"],
 "members":[
  {"path":"a.synapt","uuid":"$ua","clips":$na,"size":$sa,"label_map":{"walk":"locomotion","run":"locomotion"}},
  {"path":"b.synapt","uuid":"$ub","clips":$nb,"size":$sb,"label_map":{"jump":null,"walk":"locomotion","run":"locomotion"},"select":[0,2,4]}]}
JSON
for m in all sub map; do
    synapt-inspect --clips --json "$m.synapt.json" > "$m.c.jsonl" 2> "$m.c.err" ||
        fail "inspect $m" "$(cat "$m.c.err")"
done
PYTHONPATH="$ROOT/python" SYNAPT_BUILD="$BUILD" absorb "$PY" - <<'PYEOF'
import json, sys
import torch
import synapt
for m in ("all", "sub", "map"):
    want = [json.loads(l) for l in open(m + ".c.jsonl")]
    d = synapt.open(m + ".synapt.json")
    got = [{"index": c.index, "id": c.id, "labels": list(c.labels)} for c in d]
    exp = [{"index": w["index"], "id": w["id"], "labels": w["labels"]} for w in want]
    if got == exp and isinstance(d, synapt.Manifest):
        print("PASS python manifest %s: %d clips, ids and labels as libsynapt" % (m, len(got)))
    else:
        bad = [(g, e) for g, e in zip(got, exp) if g != e][:2]
        print("FAIL python manifest %s: %d vs %d clips, first differences %s" % (m, len(got), len(exp), bad))
d = synapt.open("map.synapt.json")
from synapt.data import ClipDataset
ds = ClipDataset(d, streams="depth", frames=4, sampling="uniform")
seen = 0
for x, y in torch.utils.data.DataLoader(ds, batch_size=4, num_workers=2):
    seen += x.shape[0]
print(("PASS" if seen == len(d) else "FAIL") +
      " DataLoader with 2 workers over a manifest: %d of %d clips" % (seen, len(d)))
PYEOF
# a member replaced by another file: refused with the library's rule
cp b.synapt b.keep && synapt-synth -q -o b.synapt --classes 1 --clips-per-class 1 --frames 2 --size 48x32
run pin env PYTHONPATH="$ROOT/python" SYNAPT_BUILD="$BUILD" "$PY" -c 'import synapt; synapt.open("all.synapt.json")'
if [ "$rc" -ne 0 ] && grep -q 'SynaptError' "$T/pin.err" && grep -q 'b.synapt' "$T/pin.err"; then
    pass "python refuses a member that is not the pinned file"
else fail "python refuses a member that is not the pinned file" "exit $rc: $(tail -2 "$T/pin.err")"; fi
mv b.keep b.synapt
finish
