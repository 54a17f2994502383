#!/bin/sh
# t_sidecar_sizes.sh - sizes claimed by a sidecar's header are checked
# against the bytes it holds before anything is allocated or read:
# a 232-byte .mat whose joints2D claims 2 x 24 x 10^8 doubles (or far more),
# a _depth.mat whose depth_1 claims 30000 x 30000, and .npy files whose
# dtype or shape disagree with their data (too few or too many bytes). Each
# is one line naming the file, exit 1, quickly and in little memory.
. "$(dirname "$0")/../lib.sh"
need_cmd ffmpeg
need_built bin/synapt-pack
py_has numpy || skip_all "numpy not importable by $PY"
M="$PY tests/hostile/mat5.py"

ffmpeg -nostdin -loglevel error -y -f lavfi -i "testsrc=size=32x32:rate=10" -frames:v 4 \
    -c:v libx264 -pix_fmt yuv420p "$T/v.mp4" || fatal sidecar_sizes "ffmpeg could not make the test video"
$M "$T/ok_info.mat" joints2D:2x24x4 && $M "$T/big_info.mat" joints2D:2x24x100000000:4 &&
$M "$T/huge_info.mat" joints2D:2x24x2000000000:4 &&
$M "$T/ok_depth.mat" depth_1:32x32 depth_2:32x32 depth_3:32x32 depth_4:32x32 &&
$M "$T/big_depth.mat" depth_1:30000x30000:4 depth_2:32x32 depth_3:32x32 depth_4:32x32 &&
$M "$T/lie_depth.mat" depth_1:32x32 depth_2:32x32 depth_3:32x32:1 depth_4:32x32 || fatal sidecar_sizes "could not write the .mat files"
(cd "$T" && "$PY" - <<'PYEOF'
import numpy as np
np.save('ok.npy', np.zeros((4, 2, 2), 'f4'))
b = open('ok.npy', 'rb').read()
open('short.npy', 'wb').write(b[:-4])
open('trailing.npy', 'wb').write(b + b'\0' * 8)
open('f2.npy', 'wb').write(b.replace(b"'<f4'", b"'<f2'"))   # header: half the bytes
open('f8.npy', 'wb').write(b.replace(b"'<f4'", b"'<f8'"))   # header: twice the bytes
open('shape.npy', 'wb').write(b.replace(b'(4, 2, 2)', b'(9, 2, 2)'))
PYEOF
) || fatal sidecar_sizes "numpy could not write the test arrays"

# found by fuzz_imp_mat: matio asks for 4 GiB while listing this file's
# variables; read first in the sandboxed child, it is one line and exit 1
cp tests/hostile/inputs/matio_4gib_info.mat "$T/fz_info.mat"

# name | manifest key and value | exit | what the one line must say ("" = success)
while IFS='|' read -r name kv want_rc want; do
    echo "{\"video\":\"v.mp4\",\"id\":\"a\",$kv}" > "$T/$name.jsonl"
    run "$name" synapt-pack -q -o "$T/$name.synapt" "$T/$name.jsonl"
    if [ "$rc" = "$want_rc" ] && { [ -z "$want" ] || { grep -q "$want" "$T/$name.err" &&
         [ "$(lines "$T/$name.err")" = 1 ] && [ ! -e "$T/$name.synapt" ]; }; }; then
        pass "$name"
    else
        fail "$name" "exit $rc (want $want_rc): $(cat "$T/$name.err")"
    fi
done <<'LIST'
mat_ok|"pose2d":"ok_info.mat"|0|
mat_big|"pose2d":"big_info.mat"|1|big_info.mat: variable 'joints2D' claims more data than the 232-byte file can hold
mat_huge|"pose2d":"huge_info.mat"|1|huge_info.mat: variable 'joints2D' claims more data than
mat_depth_ok|"depth":"ok_depth.mat"|0|
mat_depth_big|"depth":"big_depth.mat"|1|big_depth.mat: depth_1 claims more data than the file can hold
mat_depth_lie|"depth":"lie_depth.mat"|1|lie_depth.mat: its variables claim 32768 bytes of data but the file has
mat_fuzz_4gib|"pose2d":"fz_info.mat"|1|fz_info.mat: 
npy_ok|"pose2d":"ok.npy"|0|
npy_short|"pose2d":"short.npy"|1|short.npy: .npy data truncated: 60 of 64 bytes present
npy_trailing|"pose2d":"trailing.npy"|1|trailing.npy: .npy data is 72 bytes but dtype and shape say 64
npy_dtype_small|"pose2d":"f2.npy"|1|f2.npy: .npy data is 64 bytes but dtype and shape say 32
npy_dtype_large|"pose2d":"f8.npy"|1|f8.npy: .npy data truncated: 64 of 128 bytes present
npy_shape|"pose2d":"shape.npy"|1|shape.npy: .npy data truncated: 64 of 144 bytes present
LIST
finish
