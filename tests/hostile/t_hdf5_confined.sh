#!/bin/sh
# t_hdf5_confined.sh - an HDF5 file must not make synapt read other local
# files: a sidecar dataset with external raw storage (H5Pset_external), a
# virtual dataset, an external link, and the same inside a synapt HDF5
# export read back by synapt-pack --format hdf5, are each refused with one
# line naming the file and the dataset, exit 1, no output.
. "$(dirname "$0")/../lib.sh"
need_cmd ffmpeg
need_built bin/synapt-pack bin/synapt-convert
py_has h5py || skip_all "h5py not importable by $PY"

ffmpeg -nostdin -loglevel error -y -f lavfi -i "testsrc=size=32x32:rate=10" -frames:v 4 \
    -c:v libx264 -pix_fmt yuv420p "$T/v.mp4" || fatal hdf5_confined "ffmpeg could not make the test video"
head -c 64 /dev/urandom > "$T/victim.bin"
(cd "$T" && "$PY" - <<'PYEOF'
import h5py, numpy as np
with h5py.File('ok.h5', 'w') as f:
    f.create_dataset('p', data=np.zeros((4, 2, 2), 'f4'))
with h5py.File('ext.h5', 'w') as f:
    f.create_dataset('p', shape=(4, 2, 2), dtype='f4', external=[('victim.bin', 0, 64)])
with h5py.File('vds.h5', 'w') as f:
    lay = h5py.VirtualLayout(shape=(4, 2, 2), dtype='f4')
    lay[:] = h5py.VirtualSource('ok.h5', 'p', shape=(4, 2, 2))
    f.create_virtual_dataset('p', lay)
with h5py.File('elink.h5', 'w') as f:
    f['p'] = h5py.ExternalLink('ok.h5', '/p')
PYEOF
) || fatal hdf5_confined "h5py could not write the test files"

for k in ok ext vds elink; do
    echo "{\"video\":\"v.mp4\",\"id\":\"ok\",\"pose2d\":\"$k.h5:/p\"}" > "$T/$k.jsonl"
done
run side_ok synapt-pack -q -o "$T/ok.synapt" "$T/ok.jsonl"
expect_rc side_ok 0
for k in ext vds elink; do
    run "side_$k" synapt-pack -q -o "$T/$k.synapt" "$T/$k.jsonl"
    case $k in
    ext) want="ext.h5: dataset '/p' keeps its data in external files" ;;
    vds) want="vds.h5: dataset '/p' is a virtual dataset" ;;
    elink) want="elink.h5: no dataset '/p' (external links are not followed)" ;;
    esac
    if grep -qF "$want" "$T/side_$k.err" && [ "$(lines "$T/side_$k.err")" = 1 ] && [ ! -e "$T/$k.synapt" ]; then
        pass "sidecar_$k"
    else
        fail "sidecar_$k" "$(cat "$T/side_$k.err")"
    fi
done

# found by fuzz_imp_hdf5: unfiltered chunks shorter than the chunk shape
# (libhdf5 1.10 copied past its chunk buffer); refused before any read
cp tests/hostile/inputs/hdf5_short_chunk.h5 "$T/short.h5"
echo '{"video":"v.mp4","id":"s","depth":"short.h5:/f"}' > "$T/short.jsonl"
run short_chunk synapt-pack -q --on-mismatch pad -o "$T/short.synapt" "$T/short.jsonl"
expect_rc short_chunk 1
check short_chunk_msg has "$T/short_chunk.err" "short.h5: dataset '/f' has chunks smaller than its chunk shape needs"

# the same inside a synapt HDF5 export (synapt-pack --format hdf5)
synapt-convert "$T/ok.synapt" --to hdf5 -o "$T/exp.h5" || fatal hdf5_confined "export failed"
head -c 64 /dev/urandom > "$T/victim64.bin"
cp "$T/exp.h5" "$T/exp_ext.h5" && cp "$T/exp.h5" "$T/exp_vds.h5"
(cd "$T" && "$PY" - <<'PYEOF'
import h5py
for name, kind in (('exp_ext.h5', 'ext'), ('exp_vds.h5', 'vds')):
    with h5py.File(name, 'r+') as f:
        g = f['clips/ok/pose2d']
        d = g['data']
        attrs, shape, dt = dict(d.attrs), d.shape, d.dtype
        del g['data']
        if kind == 'ext':
            n = g.create_dataset('data', shape=shape, dtype=dt, external=[('victim64.bin', 0, 64)])
        else:
            lay = h5py.VirtualLayout(shape=shape, dtype=dt)
            lay[:] = h5py.VirtualSource('exp.h5', 'clips/ok/pose2d/data', shape=shape)
            n = g.create_virtual_dataset('data', lay)
        for k, v in attrs.items():
            n.attrs[k] = v
PYEOF
) || fatal hdf5_confined "h5py could not rewrite the export"
run fmt_ok synapt-pack -q --format hdf5 -o "$T/back.synapt" "$T/exp.h5"
expect_rc fmt_ok 0
for k in ext vds; do
    run "fmt_$k" synapt-pack -q --format hdf5 -o "$T/back_$k.synapt" "$T/exp_$k.h5"
    expect_rc "fmt_$k" 1
    if grep -q "exp_$k.h5: dataset '/clips/ok/pose2d/data' .*refused" "$T/fmt_$k.err" &&
       [ "$(lines "$T/fmt_$k.err")" = 1 ] && [ ! -e "$T/back_$k.synapt" ]; then
        pass "format_hdf5_$k"
    else
        fail "format_hdf5_$k" "$(cat "$T/fmt_$k.err")"
    fi
done
finish
