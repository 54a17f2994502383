#!/bin/sh
# HDF5 round trips of the edge cases issue 10 names that t_hdf5.sh's
# fixtures lack: 10-bit video in packet mode (ffmpeg makes it; ffmpeg's own
# framemd5 is the oracle) and an empty clip (h5py writes it: 0-frame
# streams, no labels). 0-person pose frames and u16 depth with a scale are
# in t_hdf5.sh's small.synapt round trip.
. "$(dirname "$0")/../lib.sh"
py_has h5py numpy || skip_all "/usr/bin/python3 has no h5py (apt install python3-h5py)"
need_cmd ffmpeg
need_built bin/synapt-pack bin/synapt-convert tests/cli/test_cli_fixtures

# --- 10-bit H.264, packets: synapt -> HDF5 -> synapt, frame for frame -------
mkdir -p "$T/ten/cls"
if ! ffmpeg -v error -f lavfi -i testsrc=size=64x48:rate=10 -frames:v 6 -pix_fmt yuv420p10le \
        -c:v libx264 "$T/ten/cls/a.mp4" 2> "$T/ff.err"; then
    skip hdf5_10bit_packets "this ffmpeg cannot encode 10-bit H.264: $(head -c 200 "$T/ff.err")"
else
    synapt-pack -q -o "$T/ten.synapt" "$T/ten" 2> "$T/ten.err" &&
        synapt-convert -q "$T/ten.synapt" --to hdf5 --video packets -o "$T/ten.h5" 2>> "$T/ten.err" &&
        synapt-pack -q --format hdf5 "$T/ten.h5" -o "$T/ten_back.synapt" 2>> "$T/ten.err" &&
        synapt-convert "$T/ten_back.synapt" --to framemd5 --clip cls/a > "$T/back.md5" 2>> "$T/ten.err"
    ffmpeg -v error -i "$T/ten/cls/a.mp4" -map 0:v -f framemd5 - 2> /dev/null |
        awk -F', *' '!/^#/ { print n++, $NF }' > "$T/ff.md5"
    if [ -s "$T/back.md5" ] && [ "$(lines "$T/back.md5")" = 6 ] && cmp -s "$T/back.md5" "$T/ff.md5"; then
        pass hdf5_10bit_packets
    else fail hdf5_10bit_packets "framemd5 after the round trip differs from ffmpeg's: $(head -c 300 "$T/ten.err")"; fi
    check hdf5_10bit_packets_h5py $PY -c "
import h5py
v = h5py.File('$T/ten.h5', 'r')['clips/cls%2Fa/rgb']
assert v.attrs['encoding'] == 'packets' and v.attrs['codec'] == 'h264', dict(v.attrs)
assert v['sizes'][()].sum() == v['packets'].shape[0] and len(v['sizes']) == 6
"
fi

# --- an empty clip: 0-frame streams and no labels, both ways ----------------
"$B/tests/cli/test_cli_fixtures" --write "$T" > "$T/fix.log" 2>&1 || fatal hdf5_fixtures "test_cli_fixtures --write failed"
synapt-convert -q "$T/small.synapt" --to hdf5 -o "$T/small.h5" 2> "$T/e.err" ||
    fatal hdf5_edges_export "$(head -c 300 "$T/e.err")"
# h5py adds clip "empty" as a copy of jump_002 with every dataset cut to 0
# frames, no labels and frame_count 0
if ! $PY - "$T/small.h5" "$T/empty.h5" > "$T/mk.log" 2>&1 <<'PYEOF'
import sys, shutil
import h5py, numpy as np
shutil.copy(sys.argv[1], sys.argv[2])
f = h5py.File(sys.argv[2], "r+")
src = f["clips/jump_002"]
g = f["clips"].create_group("empty")
for k, v in src.attrs.items():
    g.attrs[k] = v
g.attrs["id"] = "empty"
g.attrs["labels"] = np.zeros(0, dtype="<i4")
for s in src:
    gs = g.create_group(s)
    for k, v in src[s].attrs.items():
        gs.attrs[k] = v
    gs.attrs["frame_count"] = np.uint64(0)
    for d in src[s]:
        x = src[s][d]
        gs.create_dataset(d, shape=(0,) + x.shape[1:], dtype=x.dtype)
ids = [v.decode() for v in f["clip_ids"][()]] + ["empty"]
del f["clip_ids"]
f.create_dataset("clip_ids", data=ids, dtype=h5py.string_dtype())
PYEOF
then fail hdf5_empty_clip "h5py could not write the input: $(tail -2 "$T/mk.log")"
else
    run back synapt-pack --format hdf5 "$T/empty.h5" -o "$T/empty.synapt"
    synapt-convert -q "$T/empty.synapt" --to hdf5 -o "$T/empty2.h5" 2>> "$T/back.err"
    if [ $rc -eq 0 ] && $PY - "$T/empty.h5" "$T/empty2.h5" > "$T/cmp.log" 2>&1 <<'PYEOF'
import sys
import h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
assert [v.decode() for v in b["clip_ids"][()]][-1] == "empty"
ga, gb = a["clips/empty"], b["clips/empty"]
assert len(gb.attrs["labels"]) == 0
for s in ga:
    assert int(gb[s].attrs["frame_count"]) == 0, s
    for d in ga[s]:
        assert gb[s][d].shape == ga[s][d].shape, (s, d, gb[s][d].shape)
# the other clips are untouched by the empty one
for s in a["clips/jump_002"]:
    assert np.array_equal(a["clips/jump_002"][s]["data"][()], b["clips/jump_002"][s]["data"][()])
PYEOF
    then pass hdf5_empty_clip
    else fail hdf5_empty_clip "status $rc: $(head -c 300 "$T/back.err") $(tail -2 "$T/cmp.log")"; fi
fi
finish
