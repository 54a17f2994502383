#!/bin/sh
# What issue 12 asks of a sharded dataset, with torch's own DataLoader,
# RandomSampler and DistributedSampler as the oracle of who reads what:
# one dataset written as 2 shards (synapt-synth --shard 0/2 and 1/2) and
# joined by a manifest; over 3 epochs a 2-worker DataLoader with
# persistent_workers yields every clip exactly once per epoch (map-style
# through EpochSampler, and ClipIterable sharding itself by worker); two
# DistributedSampler ranks, each with 2 workers, see disjoint clips whose
# union is the dataset; a clip read through the manifest equals the same
# clip read from its shard file, and the ids are synapt-inspect's.
. "$(dirname "$0")/../lib.sh"
py_has numpy torch || skip_all "/usr/bin/python3 with numpy and torch not available"
need_built bin/synapt-synth bin/synapt-merge bin/synapt-inspect
if nm "$B/lib/libsynapt.a" 2> /dev/null | grep -q '__asan_\|__ubsan_'; then
    skip_all "$B is a sanitizer build (python3 cannot load its library)"
fi
cd "$T" || exit 1
for k in 0 1; do
    synapt-synth -q -o s$k.synapt --classes 4 --clips-per-class 3 --frames 8 --size 32x24 \
        --seed 5 --shard $k/2 || fatal shards_setup "synapt-synth --shard $k/2 failed"
done
synapt-merge -q --manifest-only -o ds.synapt.json s0.synapt s1.synapt ||
    fatal shards_setup "synapt-merge --manifest-only failed"
synapt-inspect --clips --json ds.synapt.json > ds.c.jsonl 2> ds.c.err ||
    fatal shards_setup "inspect: $(cat ds.c.err)"
PYTHONPATH="$ROOT/python" SYNAPT_BUILD="$BUILD" absorb "$PY" - <<'PYEOF'
import json
import numpy as np
import torch
import torch.utils.data as tud
import synapt
from synapt.data import ClipDataset, ClipIterable, EpochSampler

def verdict(ok, name, why=""):
    print(("PASS %s" % name) if ok else ("FAIL %s: %s" % (name, why)))

want = [json.loads(l)["id"] for l in open("ds.c.jsonl")]
d = synapt.open("ds.synapt.json")
n = len(d)
shards = [synapt.open("s0.synapt"), synapt.open("s1.synapt")]
verdict(len(shards[0]) > 0 and len(shards[1]) > 0 and n == len(shards[0]) + len(shards[1]),
        "2 non-empty shards joined: %d + %d = %d clips" % (len(shards[0]), len(shards[1]), n),
        "manifest has %d" % n)
verdict([c.id for c in d] == want, "manifest clip ids and order as synapt-inspect")

# the same clip through the manifest and from its shard file: same pixels
in0 = {c.id for c in shards[0]}
bad = []
for c in d:
    f = shards[0] if c.id in in0 else shards[1]
    a = d.read(c.index, "rgb")
    b = f.read(f.clip(c.id).index, "rgb")
    if a.shape != b.shape or not np.array_equal(a, b):
        bad.append(c.id)
verdict(not bad, "every clip read through the manifest equals its shard file's", bad[:3])

def ids_of(batches):
    return [d.clip(int(c)).id for _, _, (cs, _) in batches for c in cs]

kw = dict(streams="rgb", frames=4, sampling="random", return_window=True, seed=9)
ds = ClipDataset("ds.synapt.json", **kw)
sampler = EpochSampler(tud.RandomSampler(ds, generator=torch.Generator().manual_seed(1)))
loader = tud.DataLoader(ds, batch_size=3, sampler=sampler, num_workers=2, persistent_workers=True)
starts = []
for epoch in range(3):
    sampler.set_epoch(epoch)
    got = list(loader)
    ids = ids_of(got)
    verdict(sorted(ids) == sorted(want) and len(set(ids)) == n,
            "map-style epoch %d, 2 persistent workers: every clip once" % epoch,
            "%d items, %d distinct of %d" % (len(ids), len(set(ids)), n))
    starts.append(sorted((d.clip(int(c)).id, int(s)) for _, _, (cs, ss) in got
                         for c, s in zip(cs, ss)))
verdict(starts[0] != starts[1] or starts[1] != starts[2],
        "random windows change between epochs with persistent workers")

it = ClipIterable("ds.synapt.json", batch_size=3, **kw)
loader = tud.DataLoader(it, batch_size=3, num_workers=2, persistent_workers=True)
for epoch in range(3):
    it.set_epoch(epoch)
    ids = ids_of(list(loader))
    verdict(sorted(ids) == sorted(want),
            "iterable epoch %d, 2 persistent workers: every clip once" % epoch,
            "%d items, %d distinct of %d" % (len(ids), len(set(ids)), n))

seen = []
for rank in (0, 1):
    ds = ClipDataset("ds.synapt.json", **kw)
    ds_sampler = tud.DistributedSampler(ds, num_replicas=2, rank=rank, shuffle=True, seed=4,
                                        drop_last=n % 2 == 1)
    ds_sampler.set_epoch(2)
    seen.append(ids_of(tud.DataLoader(ds, batch_size=2, sampler=ds_sampler, num_workers=2)))
both = set(seen[0]) | set(seen[1])
verdict(not set(seen[0]) & set(seen[1]) and len(both) == n - n % 2
        and all(len(s) == len(set(s)) for s in seen),
        "DistributedSampler ranks 0 and 1 (2 workers each): disjoint, together the dataset",
        "rank clips %d and %d, union %d of %d" % (len(seen[0]), len(seen[1]), len(both), n))
PYEOF
finish
