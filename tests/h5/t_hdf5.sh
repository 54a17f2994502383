#!/bin/sh
# synapt-convert --to hdf5 and synapt-pack --format hdf5 (spec/hdf5.md).
# Oracle: h5py (Debian's /usr/bin/python3) reads every exported dataset and
# attribute and compares it with `synapt-convert --to npy` output and with
# the fixtures' known metadata; no synapt code reads the HDF5 side. Then the
# packet-preserving round trip synapt -> HDF5 -> synapt -> HDF5 must give
# identical datasets, and damaged or foreign HDF5 files must fail with one
# line naming the file and the object, exit 1, and leave nothing behind.
. "$(dirname "$0")/../lib.sh"
one_line() { [ "$(wc -l < "$1")" -eq 1 ]; }
leftovers() { ls -a "$1" | grep -c 'tmp-' ; }

py_has h5py numpy || skip_all "/usr/bin/python3 has no h5py (apt install python3-h5py)"
need_built tests/cli/test_cli_fixtures
"$B/tests/cli/test_cli_fixtures" --write "$T" > "$T/fixtures.log" 2>&1 ||
    fatal hdf5_fixtures "test_cli_fixtures --write failed"
F=$T/small.synapt
S=$T/syn.synapt
if ! synapt-synth -q -o "$S" --classes 2 --clips-per-class 2 --frames 12 --size 64x48 \
        > "$T/synth.log" 2>&1; then
    fatal hdf5_synth "synapt-synth failed: $(head -c 300 "$T/synth.log")"
fi

# --- export, read with h5py, compare with --to npy ---------------------
# every stream of every clip as .npy, the reference h5py compares against
for f in "$F" "$S"; do
    base=$(basename "$f" .synapt)
    mkdir -p "$T/npy_$base"
    synapt-inspect --clips --json "$f" > "$T/$base.json" 2>/dev/null
    $PY - "$T/$base.json" > "$T/$base.pairs" <<'PYEOF'
import json, sys
for line in open(sys.argv[1]):
    c = json.loads(line)
    for s in c["streams"]:
        print(c["id"], s)
PYEOF
    [ -s "$T/$base.pairs" ] || fail hdf5_list_$base "synapt-inspect --clips --json listed no streams"
    while read -r clip stream; do
        synapt-convert "$f" --to npy --clip "$clip" --stream "$stream" \
            -o "$T/npy_$base/$clip.$stream.npy" 2>> "$T/npy.err"
    done < "$T/$base.pairs"
done

for f in "$F" "$S"; do
    base=$(basename "$f" .synapt)
    run export_$base synapt-convert "$f" --to hdf5 -o "$T/$base.h5"
    if [ $rc -ne 0 ] || [ ! -s "$T/$base.h5" ]; then
        fail hdf5_export_$base "status $rc: $(cat "$T/export_$base.err")"; continue
    fi
    if $PY - "$T/$base.h5" "$T/npy_$base" "$T/$base.pairs" > "$T/cmp_$base.log" 2>&1 <<'PYEOF'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
bad = []
assert f.attrs["synapt_hdf5"] == 1
assert f.attrs["compression"] == "deflate" and f.attrs["video"] == "decode"
n = 0
for line in open(sys.argv[3]):
    clip, stream = line.split()
    g = f["clips"][clip][stream]
    ref = np.load(f"{sys.argv[2]}/{clip}.{stream}.npy")
    x = g["data"][...]
    if x.shape != ref.shape:
        x = x.reshape(ref.shape)  # frame labels (T, 1) are (T,) in .npy
    if x.dtype != ref.dtype or not np.array_equal(x, ref, equal_nan=True):
        bad.append(f"{clip}/{stream}")
    if g.attrs["frame_count"] != ref.shape[0]:
        bad.append(f"{clip}/{stream} frame_count")
    ds = g["data"]
    if ds.size and (ds.chunks[0] != 1 or ds.compression != "gzip"):
        bad.append(f"{clip}/{stream} chunks {ds.chunks} {ds.compression}")
    n += 1
if bad:
    print("differ:", bad); sys.exit(1)
print(n, "streams equal")
PYEOF
    then pass hdf5_h5py_equals_npy_$base; else fail hdf5_h5py_equals_npy_$base "$(tail -3 "$T/cmp_$base.log")"; fi
done

# metadata of the fixture, known from tests/cli/test_cli_fixtures.c
if $PY - "$T/small.h5" > "$T/meta.log" 2>&1 <<'PYEOF'
import sys, json, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
assert [s.decode() for s in f["labels"][...]] == ["walk", "run", "jump"]
assert [s.decode() for s in f["clip_ids"][...]] == ["walk_000", "run_001", "jump_002"]
assert len(f.attrs["source_uuid"]) == 32 and f.attrs["source_writer"].startswith("libsynapt")
w = f["clips/walk_000"]
assert w.attrs["split"] == "train" and w.attrs["source"] == "synthA" and w.attrs["synthetic"] == 1
assert list(w.attrs["labels"]) == [0]
assert list(w.attrs["group_keys"]) == ["actor", "scene"] and list(w.attrs["group_values"]) == ["a01", "s1"]
assert json.loads(w.attrs["meta_json"])["camera"]["fx"] == 500.5
r = f["clips/run_001"]
assert list(r.attrs["labels"]) == [1, 0] and r.attrs["synthetic"] == 0 and r.attrs["split"] == "val"
assert list(r["depth"].attrs["fps"]) == [30000, 1001]
d = w["depth"]
assert d.attrs["kind"] == "depth" and d.attrs["units"] == "m" and abs(d.attrs["scale"] - 0.001) < 1e-12
p = w["pose2d"]
assert p.attrs["skeleton"] == "coco17" and p.attrs["channels"] == "xyc"
assert list(p.attrs["joint_names"])[:3] == ["nose", "left_eye", "right_eye"]
assert p.attrs["joint_parents"][0] == -1 and len(p.attrs["joint_parents"]) == 17
per = p["persons"][...]
data = p["data"][...]
for t in range(len(per)):
    assert not np.isnan(data[t, :per[t]]).all() or per[t] == 0
    assert np.isnan(data[t, per[t]:]).all()
print("metadata ok")
PYEOF
then pass hdf5_metadata; else fail hdf5_metadata "$(tail -3 "$T/meta.log")"; fi

# --- round trips --------------------------------------------------------
run back_small synapt-pack --format hdf5 "$T/small.h5" -o "$T/small_back.synapt"
ok=$([ $rc -eq 0 ] && echo 1 || echo 0)
while [ $ok -eq 1 ] && read -r clip stream; do
    synapt-convert "$T/small_back.synapt" --to npy --clip "$clip" --stream "$stream" -o "$T/rt.npy" 2>/dev/null &&
        cmp -s "$T/rt.npy" "$T/npy_small/$clip.$stream.npy" || { ok=0; fail hdf5_roundtrip_arrays "$clip/$stream differs"; }
done < "$T/small.pairs"
[ $ok -eq 1 ] && pass hdf5_roundtrip_arrays
[ $rc -ne 0 ] && fail hdf5_roundtrip_arrays "status $rc: $(cat "$T/back_small.err")"

run exp_p synapt-convert "$S" --to hdf5 --video packets -o "$T/p1.h5"
run back_p synapt-pack --format hdf5 "$T/p1.h5" -o "$T/p_back.synapt"
run exp_p2 synapt-convert "$T/p_back.synapt" --to hdf5 --video packets -o "$T/p2.h5"
if [ $rc -eq 0 ] && $PY - "$T/p1.h5" "$T/p2.h5" > "$T/rt.log" 2>&1 <<'PYEOF'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
bad = []
def cmp(name, o):
    o2 = b.get(name)
    if o2 is None: bad.append(name); return
    for k, v in o.attrs.items():
        if name == "" : continue
        if not np.array_equal(np.asarray(v), np.asarray(o2.attrs[k])): bad.append(name + "@" + k)
    if isinstance(o, h5py.Dataset) and not np.array_equal(o[...], o2[...], equal_nan=o.dtype.kind == "f"):
        bad.append(name)
a.visititems(cmp)
v = a["clips"][a["clip_ids"][0].decode()]["rgb"]
assert v.attrs["encoding"] == "packets" and v.attrs["codec"] == "h264"
assert v["sizes"][...].sum() == v["packets"].shape[0]
if bad: print("differ:", bad[:10]); sys.exit(1)
print("identical")
PYEOF
then pass hdf5_roundtrip_packets_identical; else fail hdf5_roundtrip_packets_identical "$(tail -3 "$T/rt.log") $(cat "$T/back_p.err")"; fi

# the video decoded from the rebuilt file is the original's, frame for frame
clip=$(head -1 "$T/syn.pairs" | cut -d' ' -f1)
synapt-convert "$S" --to framemd5 --clip "$clip" > "$T/md5_a" 2>/dev/null
synapt-convert "$T/p_back.synapt" --to framemd5 --clip "$clip" > "$T/md5_b" 2>/dev/null
if [ -s "$T/md5_a" ] && cmp -s "$T/md5_a" "$T/md5_b"; then pass hdf5_roundtrip_framemd5
else fail hdf5_roundtrip_framemd5 "framemd5 of clip $clip differs after the round trip"; fi

# decoded video resized: shape, source_size, and the same picture on average
run small_side synapt-convert "$S" --to hdf5 --short-side 24 -o "$T/ss.h5"
if [ $rc -eq 0 ] && $PY - "$T/ss.h5" "$T/syn.h5" > "$T/ss.log" 2>&1 <<'PYEOF'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
cid = a["clip_ids"][0].decode()
g, full = a["clips"][cid]["rgb"], b["clips"][cid]["rgb"]["data"][...]
small = g["data"][...]
assert small.shape == (full.shape[0], 24, 32, 3), small.shape
assert list(g.attrs["source_size"]) == [full.shape[2], full.shape[1]]
assert abs(small.mean() - full.mean()) < 2.0, (small.mean(), full.mean())
print("resized ok")
PYEOF
then pass hdf5_decode_short_side; else fail hdf5_decode_short_side "$(tail -2 "$T/ss.log") $(cat "$T/small_side.err")"; fi

# --- options and safe output ---------------------------------------------
ok=1
for args in "--to hdf5" "--to hdf5 -o $T/u.h5 --video nope" "--to npy --video packets -o $T/u.npy" \
            "--to hdf5 -o $T/u.h5 --clip walk_000" "--to hdf5 -o $T/u.h5 --hdf5-zst" \
            "--to hdf5 -o $T/u.h5 --video packets --size 8x8" "--to npy --clip walk_000 --stream rgb --short-side 8 -o $T/u.npy"; do
    # shellcheck disable=SC2086
    run usage synapt-convert "$F" $args
    [ $rc -eq 2 ] || { ok=0; fail hdf5_usage "'$args' gave status $rc"; }
done
[ -e "$T/u.h5" ] && { ok=0; fail hdf5_usage "a usage error wrote u.h5"; }
[ $ok -eq 1 ] && pass hdf5_usage

mkdir -p "$T/z"
run zstd synapt-convert "$F" --to hdf5 --hdf5-zstd -o "$T/z/z.h5"
if $PY -c 'import h5py,sys; sys.exit(0 if h5py.h5z.filter_avail(32015) else 1)' 2>/dev/null; then
    echo "SKIP hdf5_zstd_refused: the zstd filter is installed here"
elif [ $rc -eq 1 ] && has "$T/zstd.err" "32015" && one_line "$T/zstd.err" && [ -z "$(ls -A "$T/z")" ]; then
    pass hdf5_zstd_refused
else fail hdf5_zstd_refused "status $rc, dir: $(ls -A "$T/z"): $(cat "$T/zstd.err")"; fi

mkdir -p "$T/keep"
printf 'old contents\n' > "$T/keep/out.h5"
run badin synapt-convert "$T/truncated.synapt" --to hdf5 -o "$T/keep/out.h5"
if [ $rc -eq 1 ] && [ "$(cat "$T/keep/out.h5")" = "old contents" ] && [ "$(leftovers "$T/keep")" -eq 0 ]; then
    pass hdf5_failed_export_keeps_old_output
else fail hdf5_failed_export_keeps_old_output "status $rc: $(cat "$T/badin.err")"; fi

run self synapt-convert "$F" --to hdf5 -o "$F"
if [ $rc -eq 1 ] && "$B/bin/synapt-inspect" "$F" > /dev/null 2>&1; then pass hdf5_refuses_own_input
else fail hdf5_refuses_own_input "status $rc"; fi

# Ctrl-C in the middle: no temporary left, the old output untouched
synapt-synth -q -o "$T/big.synapt" --classes 4 --clips-per-class 4 --frames 48 > /dev/null 2>&1
printf 'old contents\n' > "$T/keep/big.h5"
# (env gives SIGINT back its default: a background job starts with it ignored)
env --default-signal=INT synapt-convert "$T/big.synapt" --to hdf5 -o "$T/keep/big.h5" 2> /dev/null &
pid=$!
sleep 0.3
kill -INT $pid 2> /dev/null
{ wait $pid; } 2> /dev/null
if [ "$(leftovers "$T/keep")" -eq 0 ] &&
   { [ "$(cat "$T/keep/big.h5")" = "old contents" ] || $PY -c "import h5py; h5py.File('$T/keep/big.h5','r')['clip_ids']"; }; then
    pass hdf5_interrupt_leaves_nothing
else fail hdf5_interrupt_leaves_nothing "left: $(ls -a "$T/keep")"; fi

# --- bad HDF5 input --------------------------------------------------------
cp "$T/small.h5" "$T/good.h5"
head -c 3000 "$T/good.h5" > "$T/truncated.h5"
$PY - "$T" <<'PYEOF'
import sys, shutil, h5py, numpy as np
T = sys.argv[1]
with h5py.File(f"{T}/foreign.h5", "w") as f:
    f["x"] = np.arange(10)
def variant(name, edit):
    shutil.copy(f"{T}/good.h5", f"{T}/{name}.h5")
    with h5py.File(f"{T}/{name}.h5", "r+") as f:
        edit(f)
def rank(f):
    del f["clips/walk_000/depth/data"]
    f["clips/walk_000/depth/data"] = np.zeros((5, 48), np.uint16)
def dtype(f):
    del f["clips/walk_000/depth/data"]
    f["clips/walk_000/depth/data"] = np.zeros((5, 6, 8), np.float32)
def attr(f):
    del f["clips/walk_000/mask"].attrs["kind"]
variant("rank", rank)
variant("dtype", dtype)
variant("attr", attr)
PYEOF
for bad in "truncated:truncated" "foreign:synapt_hdf5" "rank:/clips/walk_000/depth/data" \
            "dtype:/clips/walk_000/depth/data" "attr:/clips/walk_000/mask: missing attribute 'kind'" \
            "not-synapt:not an HDF5 file"; do
    name=${bad%%:*}; want=${bad#*:}
    src=$T/$name.h5
    [ "$name" = not-synapt ] && src=$T/not-synapt.txt
    mkdir -p "$T/out_$name"
    run bad_$name synapt-pack --format hdf5 "$src" -o "$T/out_$name/x.synapt"
    if [ $rc -eq 1 ] && one_line "$T/bad_$name.err" && has "$T/bad_$name.err" "$src" &&
       has "$T/bad_$name.err" "$want" && [ -z "$(ls -A "$T/out_$name")" ]; then
        pass hdf5_bad_input_$name
    else fail hdf5_bad_input_$name "status $rc, left: $(ls -A "$T/out_$name"): $(cat "$T/bad_$name.err")"; fi
done

finish
