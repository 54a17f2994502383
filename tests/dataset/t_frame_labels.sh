#!/bin/sh
# Frame labels are ids into the file's label vocabulary (spec/registry.md,
# kind 7). Copies into another vocabulary must keep the NAMES each frame
# carries: synapt-merge of files whose vocabularies differ, with --map
# (and --unmapped), synapt-subset of a manifest whose member has a
# label_map, and crops. Names are compared through --to jsonl's label_name.
. "$(dirname "$0")/../lib.sh"
need_cmd ffmpeg
need_built bin/synapt-pack bin/synapt-merge bin/synapt-subset bin/synapt-convert bin/synapt-inspect
verdict() { if [ "$2" -eq 0 ]; then pass "$1"; else fail "$1" "$3"; fi; }

for i in 0 1 2 3; do
    ffmpeg -nostdin -loglevel error -y -f lavfi -i "testsrc=size=32x32:rate=10" -frames:v 4 \
        -c:v libx264 -pix_fmt yuv420p "$T/v$i.mp4" || fatal frame_labels_setup "ffmpeg could not make the videos"
done
# file A: vocabulary walk=0 run=1; file B: jump=0 walk=1 (first use order)
printf '%s\n' '{"video":"v0.mp4","id":"a0","label":"walk","source":"gen","frame_labels":[0,1,1,-1]}' \
    '{"video":"v1.mp4","id":"a1","label":"run","source":"gen","frame_labels":[1,1,0,0]}' > "$T/a.jsonl"
printf '%s\n' '{"video":"v2.mp4","id":"b0","label":"jump","source":"cam","frame_labels":[1,0,0,1]}' \
    '{"video":"v3.mp4","id":"b1","label":"walk","source":"cam","frame_labels":[0,0,1,1]}' > "$T/b.jsonl"
synapt-pack -q -o "$T/a.synapt" "$T/a.jsonl" && synapt-pack -q -o "$T/b.synapt" "$T/b.jsonl" ||
    fatal frame_labels_setup "synapt-pack failed"

# "clip frame name" rows of every frame label of a file or manifest
names() {
    synapt-convert "$1" --to jsonl --all -o "$T/rows.jsonl" 2> "$T/names.err" || { cat "$T/names.err"; return 1; }
    sed 's/.*"clip":"\([^"]*\)".*"frame":\([0-9]*\).*"label_name":\(null\|"[^"]*"\).*/\1 \2 \3/' "$T/rows.jsonl" |
        tr -d '"' | sort
}
names "$T/a.synapt" > "$T/a.names" && names "$T/b.synapt" > "$T/b.names" && sort "$T/a.names" "$T/b.names" > "$T/ab.names"
grep -q '^b0 0 walk$' "$T/ab.names" && grep -q '^a0 3 null$' "$T/ab.names"
verdict frame_labels_source $? "the packed files do not carry the expected names: $(head -3 "$T/ab.names")"

# 1. merge of two vocabularies: every frame keeps its name
synapt-merge -q -o "$T/m.synapt" "$T/a.synapt" "$T/b.synapt" 2> "$T/m.err" && names "$T/m.synapt" > "$T/m.names" &&
    cmp -s "$T/ab.names" "$T/m.names"
verdict merge_keeps_names $? "$(cat "$T/m.err"; diff "$T/ab.names" "$T/m.names" | head -5)"
# a copy into the same vocabulary stays a chunk copy: A alone merges to A's bytes of frame labels
synapt-merge -q -o "$T/a2.synapt" "$T/a.synapt" && names "$T/a2.synapt" > "$T/a2.names" && cmp -s "$T/a.names" "$T/a2.names"
verdict merge_same_vocabulary $? "merging A alone changed its frame labels"

# 2. --map renames frame labels as it renames clip labels
printf 'source,label,target\n*,walk,locomotion\n*,run,locomotion\ncam,jump,leap\n' > "$T/map.csv"
synapt-merge -q -o "$T/mm.synapt" --map "$T/map.csv" "$T/a.synapt" "$T/b.synapt" 2> "$T/mm.err" &&
    names "$T/mm.synapt" > "$T/mm.names" &&
    sed -e 's/ walk$/ locomotion/' -e 's/ run$/ locomotion/' -e 's/ jump$/ leap/' "$T/ab.names" | sort > "$T/mm.want" &&
    cmp -s "$T/mm.want" "$T/mm.names"
verdict merge_map_renames_frames $? "$(cat "$T/mm.err"; diff "$T/mm.want" "$T/mm.names" | head -5)"

# 3. a frame label the map does not know: an error naming it, nothing written;
#    --unmapped keep keeps the name
printf 'source,label,target\n*,walk,walk\n*,run,run\n*,jump,jump\n' > "$T/full.csv"
printf '%s\n' '{"video":"v0.mp4","id":"c0","label":"walk","source":"gen","frame_labels":[0,0,0,0]}' \
    '{"video":"v1.mp4","id":"c1","label":"run","source":"gen","frame_labels":[0,0,1,1]}' > "$T/c.jsonl"
synapt-pack -q -o "$T/c.synapt" "$T/c.jsonl" || fatal frame_labels_setup "pack c"
printf 'source,label,target\n*,walk,walk\n' > "$T/part.csv"
run um synapt-merge -q -o "$T/um.synapt" --map "$T/part.csv" --unmapped drop "$T/c.synapt"
# c1 is dropped (its clip label is unmapped); c0's frames all say walk
[ "$rc" = 0 ] && names "$T/um.synapt" > "$T/um.names" && [ "$(grep -c ' walk$' "$T/um.names")" = 4 ]
verdict merge_unmapped_drop $? "exit $rc: $(cat "$T/um.err")"
printf '%s\n' '{"video":"v0.mp4","id":"d0","label":"walk","source":"gen","frame_labels":[0,1,1,0]}' \
    '{"video":"v1.mp4","id":"d1","label":"run","source":"other","frame_labels":[1,1,1,1]}' > "$T/d.jsonl"
synapt-pack -q -o "$T/d.synapt" "$T/d.jsonl" || fatal frame_labels_setup "pack d"
printf 'source,label,target\ngen,walk,walk\nother,run,run\n' > "$T/src.csv"
run ue synapt-merge -q -o "$T/ue.synapt" --map "$T/src.csv" "$T/d.synapt"
[ "$rc" = 1 ] && has "$T/ue.err" "no target for source,label 'gen,run' (a frame label of clip d0" && [ ! -e "$T/ue.synapt" ]
verdict merge_unmapped_frame_error $? "exit $rc: $(cat "$T/ue.err")"
run uk synapt-merge -q -o "$T/uk.synapt" --map "$T/src.csv" --unmapped keep "$T/d.synapt"
[ "$rc" = 0 ] && names "$T/uk.synapt" > "$T/uk.names" && names "$T/d.synapt" > "$T/d.names" && cmp -s "$T/d.names" "$T/uk.names"
verdict merge_unmapped_keep $? "exit $rc: $(cat "$T/uk.err")"

# 4. subset of a manifest whose member renames a label: frames follow the label_map
mkdir -p "$T/man" && cp "$T/a.synapt" "$T/man/a.synapt" &&
    synapt-merge -q --manifest-only -o "$T/man/all.synapt.json" "$T/man/a.synapt" || fatal frame_labels_setup "join"
sed 's/"labels":\["walk","run"\]/"labels":["walk","jog"]/; s/"uuid"/"label_map":{"run":"jog"},"uuid"/' "$T/man/all.synapt.json" > "$T/man/ren.synapt.json"
synapt-subset -q -o "$T/sub.synapt" "$T/man/ren.synapt.json" 2> "$T/sub.err" && names "$T/sub.synapt" > "$T/sub.names" &&
    sed 's/ run$/ jog/' "$T/a.names" | sort > "$T/sub.want" && cmp -s "$T/sub.want" "$T/sub.names"
verdict subset_member_label_map $? "$(cat "$T/sub.err"; head -3 "$T/man/ren.synapt.json"; diff "$T/sub.want" "$T/sub.names" | head -5)"

# 5. a crop of the merged file keeps names too
synapt-subset -q -o "$T/crop.synapt" --frames 1:3 "$T/m.synapt" 2> "$T/crop.err" && names "$T/crop.synapt" > "$T/crop.names" &&
    awk '$2 == 1 || $2 == 2 { print $1, $2 - 1, $3 }' "$T/ab.names" | sort > "$T/crop.want" && cmp -s "$T/crop.want" "$T/crop.names"
verdict crop_keeps_names $? "$(cat "$T/crop.err"; diff "$T/crop.want" "$T/crop.names" | head -5)"

# 6. synapt-pack: a frame label id past the vocabulary names nothing: refused
#    with the annotation's line; --labels gives the vocabulary ids index
printf '%s\n' '{"video":"v0.mp4","id":"e0","label":"walk","frame_labels":[0,0,3,0]}' > "$T/e.jsonl"
run pe synapt-pack -q -o "$T/e.synapt" "$T/e.jsonl"
[ "$rc" = 1 ] && has "$T/pe.err" "e.jsonl:1: clip e0: frame label 3 at frame 2 is not a label id: the vocabulary has 1 labels" &&
    [ ! -e "$T/e.synapt" ]
verdict pack_frame_label_range $? "exit $rc: $(cat "$T/pe.err")"
printf 'walk\nrun\njump\nsit\n' > "$T/classes.txt"
run pl synapt-pack -q --labels "$T/classes.txt" -o "$T/e.synapt" "$T/e.jsonl"
[ "$rc" = 0 ] && names "$T/e.synapt" | grep -q '^e0 2 sit$'
verdict pack_frame_labels_vocabulary $? "exit $rc: $(cat "$T/pl.err")"
# 7. through a manifest (A: walk run, B: jump walk; dataset labels walk run
#    jump) every read gives DATASET label ids: --to jsonl's "label" is the
#    position of its name, --to hdf5 indexes /labels, --to npy and npz, the
#    Python package; all name what the packed files say (ab.names)
mkdir -p "$T/j" && cp "$T/a.synapt" "$T/b.synapt" "$T/j/" &&
    synapt-merge -q --manifest-only -o "$T/j/ab.synapt.json" "$T/j/a.synapt" "$T/j/b.synapt" &&
    synapt-convert "$T/j/ab.synapt.json" --to jsonl --all -o "$T/j/rows.jsonl" &&
    synapt-convert "$T/j/ab.synapt.json" --to hdf5 -o "$T/j/ab.h5" &&
    synapt-convert "$T/j/ab.synapt.json" --to npy --all --stream frame_labels -o "$T/j/npy" &&
    synapt-convert "$T/j/ab.synapt.json" --to npz --all -o "$T/j/npz" &&
    synapt-convert "$T/j/ab.synapt.json" --to npy --clip b0 --stream frame_labels -o "$T/j/b0.npy" ||
    fatal frame_labels_manifest "the exports of the manifest failed"
if py_has h5py numpy; then
    PYTHONPATH=$ROOT/python SYNAPT_BUILD=$B "$PY" - "$T" > "$T/j/py.out" 2>&1 <<'PYEOF'
import json, sys
import h5py, numpy as np
t = sys.argv[1]
want = {}
for line in open(t + "/ab.names"):
    c, f, n = line.split()
    want[(c, int(f))] = None if n == "null" else n
h = h5py.File(t + "/j/ab.h5", "r")
V = [x.decode() if isinstance(x, bytes) else x for x in h["labels"][()]]
bad = []
def check(what, clip, values):
    for f, v in enumerate(np.asarray(values).ravel().tolist()):
        got = V[v] if v >= 0 else None
        if got != want[(clip, f)]:
            bad.append("%s %s frame %d: %r (id %d), want %r" % (what, clip, f, got, v, want[(clip, f)]))
for clip in ("a0", "a1", "b0", "b1"):
    check("hdf5", clip, h["clips"][clip]["frame_labels"]["data"][()])
    check("npy --all", clip, np.load("%s/j/npy/%s.npy" % (t, clip)))
    check("npz", clip, np.load("%s/j/npz/%s.npz" % (t, clip))["frame_labels"])
check("npy --clip", "b0", np.load(t + "/j/b0.npy"))
for line in open(t + "/j/rows.jsonl"):
    r = json.loads(line)
    if (V[r["label"]] if r["label"] >= 0 else None) != r["label_name"]:
        bad.append("jsonl: label %d is not %r in %r" % (r["label"], r["label_name"], V))
try:
    import synapt
    m = synapt.open(t + "/j/ab.synapt.json")
    if list(m.labels) != V:
        bad.append("python labels %r, hdf5 %r" % (m.labels, V))
    for clip in ("a0", "a1", "b0", "b1"):
        check("python", clip, m.clip(clip).read("frame_labels"))
    col = synapt.open([t + "/j/a.synapt", t + "/j/b.synapt"])
    check("python list", "b0", col.read(col.clip("b0"), "frame_labels"))
except ImportError as e:
    print("no python package: %s" % e)
print("\n".join(bad[:5]) if bad else "ok")
PYEOF
    grep -qx ok "$T/j/py.out"
    verdict manifest_reads_dataset_ids $? "$(head -5 "$T/j/py.out")"
else
    skip manifest_reads_dataset_ids "h5py or numpy not importable by $PY"
fi
# and back: synapt-pack --format hdf5 names every frame as the packed files did
synapt-pack -q --format hdf5 -o "$T/j/back.synapt" "$T/j/ab.h5" 2> "$T/j/back.err" &&
    names "$T/j/back.synapt" > "$T/j/back.names" && cmp -s "$T/ab.names" "$T/j/back.names"
verdict hdf5_back_keeps_names $? "$(cat "$T/j/back.err"; diff "$T/ab.names" "$T/j/back.names" | head -5)"
# a frame label no clip carries ('sit' of section 6) survives the round trip
synapt-convert "$T/e.synapt" --to hdf5 -o "$T/j/e.h5" && synapt-pack -q --format hdf5 -o "$T/j/e_back.synapt" "$T/j/e.h5" &&
    names "$T/j/e_back.synapt" | grep -q '^e0 2 sit$'
verdict hdf5_back_unused_label $? "$(names "$T/j/e_back.synapt" 2>&1 | head -4)"
finish
