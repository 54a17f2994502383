#!/bin/sh
# synapt-convert's whole-dataset exports from a dataset manifest, with the
# selection options of synapt-subset (tools/select). Oracle: exporting the
# selection directly must equal synapt-subset (same options) followed by an
# export of the copy. h5py compares the two HDF5 files with no synapt code
# involved; the other formats are compared byte for byte. The manifest has
# three members, a label_map (walk, run -> move) and a `select`, so labels,
# member order and skipped clips are all exercised.
. "$(dirname "$0")/../lib.sh"

py_has h5py numpy || skip_all "/usr/bin/python3 has no h5py (apt install python3-h5py)"
need_built bin/synapt-synth bin/synapt-subset bin/synapt-convert
synapt-synth -q -o "$T/s.synapt" --classes 3 --clips-per-class 3 --frames 4 --size 32x24 \
    > "$T/synth.log" 2>&1 || fatal select_synth "synapt-synth failed: $(head -c 300 "$T/synth.log")"
synapt-subset -q --max-shard-bytes 30000 -o "$T/ds.synapt.json" "$T/s.synapt" > "$T/shard.log" 2>&1 ||
    fatal select_shards "synapt-subset --max-shard-bytes failed: $(head -c 300 "$T/shard.log")"
# the same members, relabelled and thinned by hand
$PY - "$T/ds.synapt.json" "$T/m.synapt.json" <<'PYEOF' || fatal select_manifest "cannot write the manifest"
import json, sys
m = json.load(open(sys.argv[1]))
mem = m["members"]
assert len(mem) >= 2, mem
mem[0]["label_map"] = {"walk": "move", "run": "move"}
mem[1]["select"] = [i for i in range(mem[1]["clips"]) if i != 1]
json.dump({"schema": m["schema"], "members": mem}, open(sys.argv[2], "w"))
PYEOF
M=$T/m.synapt.json

# h5py: two exports hold the same clips, attributes and arrays; labels are
# compared by name (a copy has its own vocabulary) and `index` is left out
# (the position in each source). Prints the clip ids.
cat > "$T/cmp.py" <<'PYEOF'
import sys
import h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
def strs(x): return [v.decode() if isinstance(v, bytes) else v for v in x]
la, lb = strs(a["labels"][()]), strs(b["labels"][()])
ia, ib = strs(a["clip_ids"][()]), strs(b["clip_ids"][()])
assert ia == ib, (ia, ib)
def same(x, y):
    x, y = np.asarray(x), np.asarray(y)
    if x.dtype.kind == "f":
        return x.shape == y.shape and x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True)
    return x.shape == y.shape and np.array_equal(x, y)
def group(f, cid):
    for k in f["clips"]:
        if f["clips"][k].attrs["id"] == cid: return f["clips"][k]
    raise KeyError(cid)
for cid in ia:
    ga, gb = group(a, cid), group(b, cid)
    assert set(ga.attrs) == set(gb.attrs), cid
    for k in ga.attrs:
        if k == "index": continue
        if k == "labels":
            assert [la[i] for i in ga.attrs[k]] == [lb[i] for i in gb.attrs[k]], (cid, k)
        else:
            assert same(ga.attrs[k], gb.attrs[k]), (cid, k, ga.attrs[k], gb.attrs[k])
    assert set(ga) == set(gb), cid
    for s in ga:
        sa, sb = ga[s], gb[s]
        assert set(sa.attrs) == set(sb.attrs), (cid, s)
        for k in sa.attrs: assert same(sa.attrs[k], sb.attrs[k]), (cid, s, k)
        assert set(sa) == set(sb), (cid, s)
        for d in sa: assert same(sa[d][()], sb[d][()]), (cid, s, d)
print(" ".join(ia))
PYEOF

# --- --to hdf5: selection from the manifest == subset, then export ------
sels='"--label move,jump --per-class 2 --seed 3" "--split train --fraction 0.5"'
# a sanitizer build checks memory, not more selections
sanitized || sels="$sels"' "--group actor=a000 --synthetic yes" "--frame-count 4:5"'
eval "set -- $sels"
for sel in "$@"; do
    name=$(echo "$sel" | tr -c 'a-z0-9\n' '_' | cut -c1-40)
    # shellcheck disable=SC2086
    run sel_$name synapt-convert -q "$M" --to hdf5 $sel -o "$T/sel_$name.h5"
    # shellcheck disable=SC2086
    synapt-subset -q "$M" $sel -o "$T/sub_$name.synapt" 2> "$T/sub_$name.err" &&
        synapt-convert -q "$T/sub_$name.synapt" --to hdf5 -o "$T/ref_$name.h5" 2>> "$T/sub_$name.err"
    if [ $rc -ne 0 ] || [ ! -s "$T/ref_$name.h5" ]; then
        fail select_hdf5_$name "status $rc: $(head -c 300 "$T/sel_$name.err" "$T/sub_$name.err")"
    elif $PY "$T/cmp.py" "$T/sel_$name.h5" "$T/ref_$name.h5" > "$T/cmp_$name.log" 2>&1; then
        pass select_hdf5_$name
    else
        fail select_hdf5_$name "$(tail -n 3 "$T/cmp_$name.log")"
    fi
done

# the whole manifest: the label_map applied, provenance names the members
run whole synapt-convert -q "$M" --to hdf5 -o "$T/whole.h5"
check select_hdf5_manifest_whole $PY - "$T/whole.h5" "$M" <<'PYEOF'
import json, sys
import h5py
f = h5py.File(sys.argv[1], "r")
m = json.load(open(sys.argv[2]))
want = sum(len(x.get("select", range(x["clips"]))) for x in m["members"])
ids = [v.decode() for v in f["clip_ids"][()]]
assert len(ids) == want, (len(ids), want)
labels = [v.decode() for v in f["labels"][()]]
assert "move" in labels, labels
names = {f["clips"][k].attrs["id"]: [labels[i] for i in f["clips"][k].attrs["labels"]] for k in f["clips"]}
assert names["walk_0000"] == ["move"] and names["jump_0000"] == ["jump"], names
assert [int(f["clips"][k].attrs["index"]) for k in f["clips"]] and \
    sorted(int(f["clips"][k].attrs["index"]) for k in f["clips"]) == list(range(want))
assert f.attrs["source_uuid"] == ""
assert list(f.attrs["source_member_uuids"]) == [x["uuid"] for x in m["members"]]
PYEOF

# --shard K/N of a selection: the two parts together are the selection
sel="--label move --per-class 3 --seed 1"
# shellcheck disable=SC2086
synapt-convert -q "$M" --to hdf5 $sel -o "$T/all.h5" 2> "$T/shard.err"
for k in 0 1; do
    # shellcheck disable=SC2086
    synapt-convert -q "$M" --to hdf5 $sel --shard $k/2 -o "$T/part$k.h5" 2>> "$T/shard.err"
done
check select_hdf5_shards_partition $PY - "$T/all.h5" "$T/part0.h5" "$T/part1.h5" <<'PYEOF'
import sys
import h5py
ids = lambda p: [v.decode() for v in h5py.File(p, "r")["clip_ids"][()]]
whole, p0, p1 = ids(sys.argv[1]), ids(sys.argv[2]), ids(sys.argv[3])
assert len(whole) == 3 and sorted(p0 + p1) == sorted(whole) and not set(p0) & set(p1), (whole, p0, p1)
PYEOF

# --- the other whole-dataset exports: byte for byte ------------------------
sel="--label move,jump --per-class 2 --seed 5"
# shellcheck disable=SC2086
synapt-subset -q "$M" $sel -o "$T/sub.synapt" 2> "$T/sub.err" || fail select_subset "$(head -c 300 "$T/sub.err")"
for to in frames npz csv jsonl; do
    ext=; case $to in csv|jsonl) ext=.$to ;; esac
    # shellcheck disable=SC2086
    run to_$to synapt-convert -q "$M" --to $to $sel -o "$T/sel_$to$ext"
    synapt-convert -q "$T/sub.synapt" --to $to --all -o "$T/ref_$to$ext" 2> "$T/ref_$to.err"
    if [ $rc -ne 0 ]; then fail select_$to "status $rc: $(head -c 300 "$T/to_$to.err")"
    elif diff -r -x .synapt-output "$T/sel_$to$ext" "$T/ref_$to$ext" > "$T/diff_$to" 2>&1; then pass select_$to
    else fail select_$to "$(head -n 3 "$T/diff_$to")"; fi
done
for to in npy video; do
    # shellcheck disable=SC2086
    run to_$to synapt-convert -q "$M" --to $to --stream rgb $sel -o "$T/sel_$to"
    synapt-convert -q "$T/sub.synapt" --to $to --stream rgb --all -o "$T/ref_$to" 2> "$T/ref_$to.err"
    if [ $rc -ne 0 ]; then fail select_$to "status $rc: $(head -c 300 "$T/to_$to.err")"; continue; fi
    if [ $to = video ]; then
        # Matroska files carry a random segment UID: compare the packets
        # as ffmpeg reads them instead
        need_cmd ffmpeg || continue
        for d in sel ref; do
            for f in "$T/${d}_video"/*.mkv; do
                echo "$(basename "$f")"
                ffmpeg -v error -i "$f" -map 0:v -c copy -f framemd5 - | grep -v '^#'
            done > "$T/$d.framemd5"
        done
        diff "$T/sel.framemd5" "$T/ref.framemd5" > "$T/diff_$to" 2>&1 && [ -s "$T/sel.framemd5" ] &&
            pass select_$to || fail select_$to "$(head -n 3 "$T/diff_$to")"
    elif diff -r -x .synapt-output "$T/sel_$to" "$T/ref_$to" > "$T/diff_$to" 2>&1; then pass select_$to
    else fail select_$to "$(head -n 3 "$T/diff_$to")"; fi
done

# --ids FILE, and a selection that matches nothing
synapt-subset --list "$M" 2> /dev/null | grep -v '^#' | cut -f1 | sed -n '1p;$p' | sort > "$T/ids.txt"
run ids synapt-convert -q "$M" --to csv --ids "$T/ids.txt" -o "$T/ids.csv"
check select_ids sh -c "[ $rc -eq 0 ] && [ \"\$(cut -d, -f1 '$T/ids.csv' | sed 1d | sort -u)\" = \"\$(cat '$T/ids.txt')\" ]"
run none synapt-convert -q "$M" --to hdf5 --label nosuch -o "$T/none.h5"
check select_none_is_empty $PY -c "import h5py,sys; f=h5py.File('$T/none.h5','r'); sys.exit(len(f['clip_ids']) != 0)"

# --- usage -------------------------------------------------------------------
run u1 synapt-convert "$M" --to hdf5 --label jump --clip jump_0000 -o "$T/u1.h5"
expect_rc select_usage_clip_and_selection 2
run u2 synapt-convert "$M" --to framemd5 --label jump
expect_rc select_usage_framemd5 2
run u3 synapt-convert "$M" --to hdf5 --fraction 2 -o "$T/u3.h5"
expect_rc select_usage_bad_value 2
check select_usage_nothing_left sh -c "! ls '$T' | grep -q '^u[123]\\.h5'"
run u4 synapt-convert "$M" --to hdf5 -o "$T/ds-00000.synapt"
check select_refuses_member_as_output sh -c "[ $rc -eq 1 ] && grep -q . '$T/u4.err'"
finish
