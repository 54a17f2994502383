#!/bin/sh
# libhdf5 and libmatio are loaded on first use (tools/h5/h5.h,
# tools/import/matio_dl.h): no command links them. With stand-ins that
# cannot serve (empty libraries of those sonames first on LD_LIBRARY_PATH),
# packing a video, converting to npy and auditing work as before, and a
# command that must read or write HDF5 (or a .mat file) stops with a line
# naming the file and the library, and leaves nothing behind.
. "$(dirname "$0")/../lib.sh"
need_built bin/synapt-synth bin/synapt-pack bin/synapt-convert bin/synapt-audit bin/synapt-inspect
command -v cc > /dev/null 2>&1 || skip_all "needs cc to build stand-in libraries"
command -v readelf > /dev/null 2>&1 || skip_all "needs readelf (binutils)"

# the sonames the build dlopens are in the binaries as strings
h5so=$(sh "$ROOT/scripts/soname.sh" cc hdf5 hdf5)
matso=$(sh "$ROOT/scripts/soname.sh" cc matio matio)
[ -n "$h5so" ] && [ -n "$matso" ] || fatal sonames "scripts/soname.sh found no soname for hdf5 or matio"

linked=""
for b in synapt-pack synapt-convert synapt-audit synapt-synth synapt-inspect; do
    readelf -d "$B/bin/$b" | grep -q "NEEDED.*\(libhdf5\|libmatio\)" && linked="$linked $b"
done
if [ -z "$linked" ]; then pass no_command_links_hdf5_or_matio; else fail no_command_links_hdf5_or_matio "$linked"; fi
if strings "$B/bin/synapt-pack" | grep -qx "$h5so" && strings "$B/bin/synapt-pack" | grep -qx "$matso"; then
    pass pack_knows_the_sonames
else
    fail pack_knows_the_sonames "$h5so / $matso not in synapt-pack"
fi

mkdir -p "$T/fake"
echo 'int synapt_test_not_hdf5;' > "$T/fake/f.c"
cc -shared -fPIC -o "$T/fake/$h5so" "$T/fake/f.c" && cc -shared -fPIC -o "$T/fake/$matso" "$T/fake/f.c" ||
    fatal fake_libs "could not build the stand-ins"
noh5() { LD_LIBRARY_PATH="$T/fake" "$@"; }

synapt-synth -q -o "$T/in.synapt" --classes 2 --clips-per-class 1 --frames 8 --size 32x32 ||
    fatal synth "synapt-synth failed"
synapt-convert "$T/in.synapt" --to video --clip walk_0000 -o "$T/v.mp4" 2> "$T/video.err" ||
    fatal video "synapt-convert --to video failed: $(cat "$T/video.err")"

# no HDF5 touched: a video packed, a stream to npy, an audit
run pack noh5 synapt-pack -q -o "$T/p.synapt" "$T/v.mp4"
expect_rc pack 0 && synapt-inspect --verify "$T/p.synapt" > /dev/null 2>&1 && pass pack_without_hdf5
run npy noh5 synapt-convert "$T/in.synapt" --to npy --clip walk_0000 --stream depth -o "$T/d.npy"
expect_rc npy 0 && [ -s "$T/d.npy" ] && pass convert_npy_without_hdf5
run audit noh5 synapt-audit "$T/in.synapt" -o "$T/audit" --fail-on none
expect_rc audit 0 && [ -f "$T/audit/report.json" ] && pass audit_without_hdf5

# HDF5 out: one line naming the output and the library, nothing left
run h5out noh5 synapt-convert "$T/in.synapt" --to hdf5 -o "$T/x.h5"
if [ "$rc" != 0 ] && [ "$(lines "$T/h5out.err")" = 1 ] && has "$T/h5out.err" "x.h5" &&
   has "$T/h5out.err" "$h5so"; then
    pass hdf5_export_names_missing_library
else
    fail hdf5_export_names_missing_library "rc $rc; stderr: $(cat "$T/h5out.err")"
fi
if [ ! -e "$T/x.h5" ] && [ -z "$(ls -a "$T" | grep 'tmp-')" ]; then
    pass hdf5_export_leaves_nothing
else
    fail hdf5_export_leaves_nothing "$(ls -a "$T")"
fi

# HDF5 in: the real library writes the file, the stand-in cannot read it
synapt-convert "$T/in.synapt" --to hdf5 -o "$T/in.h5" 2> "$T/h5.err" ||
    fatal h5_export "synapt-convert --to hdf5 failed: $(cat "$T/h5.err")"
run h5in noh5 synapt-pack -q --format hdf5 -o "$T/back.synapt" "$T/in.h5"
if [ "$rc" != 0 ] && [ "$(lines "$T/h5in.err")" = 1 ] && has "$T/h5in.err" "in.h5" &&
   has "$T/h5in.err" "$h5so" && [ ! -e "$T/back.synapt" ]; then
    pass hdf5_import_names_missing_library
else
    fail hdf5_import_names_missing_library "rc $rc; stderr: $(cat "$T/h5in.err")"
fi
run h5real synapt-pack -q --format hdf5 -o "$T/back.synapt" "$T/in.h5"
expect_rc h5real 0 && synapt-inspect --verify "$T/back.synapt" > /dev/null 2>&1 && pass hdf5_import_with_library

# an HDF5 sidecar of a clip: the line names the sidecar and the library
$PY - "$T/side.h5" <<'PYEOF' 2> "$T/py.err" || skip hdf5_sidecar_names_missing_library "no h5py"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    f["pose"] = np.zeros((8, 17, 2), dtype=np.float32)
PYEOF
if [ -s "$T/side.h5" ]; then
    printf '{"id": "c0", "video": "v.mp4", "pose2d": "side.h5:/pose"}\n' > "$T/m.jsonl"
    run side noh5 synapt-pack -q -o "$T/side.synapt" "$T/m.jsonl"
    if [ "$rc" != 0 ] && has "$T/side.err" "side.h5" && has "$T/side.err" "$h5so" &&
       [ ! -e "$T/side.synapt" ]; then
        pass hdf5_sidecar_names_missing_library
    else
        fail hdf5_sidecar_names_missing_library "rc $rc; stderr: $(cat "$T/side.err")"
    fi
    run side_real synapt-pack -q -o "$T/side.synapt" "$T/m.jsonl"
    expect_rc side_real 0 && pass hdf5_sidecar_with_library
fi

# HDF5 embeddings for the audit: the line names the file and the library
$PY - "$T/emb.h5" <<'PYEOF' 2> "$T/py2.err" || skip audit_embeddings_names_missing_library "no h5py"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    f["embeddings"] = np.random.default_rng(0).random((2, 8), dtype=np.float32)
PYEOF
if [ -s "$T/emb.h5" ]; then
    run emb noh5 synapt-audit "$T/in.synapt" -o "$T/audit2" --fail-on none --embeddings "$T/emb.h5"
    if has "$T/emb.err" "emb.h5" && has "$T/emb.err" "$h5so"; then
        pass audit_embeddings_names_missing_library
    else
        fail audit_embeddings_names_missing_library "rc $rc; stderr: $(cat "$T/emb.err")"
    fi
    run emb_real synapt-audit "$T/in.synapt" -o "$T/audit3" --fail-on none --embeddings "$T/emb.h5"
    expect_rc emb_real 0 && pass audit_embeddings_with_library
fi

# a SURREAL _info.mat (real data only): the line names the file and matio
mat=${SYNAPT_REALDATA:-/nonexistent}/pose/surreal
mat=$(ls "$mat"/*_info.mat 2>/dev/null | head -n 1)
if [ -n "$mat" ]; then
    cp "$mat" "$T/c1_info.mat"
    printf '{"id": "c1", "video": "v.mp4", "pose2d": "c1_info.mat"}\n' > "$T/mm.jsonl"
    run mat noh5 synapt-pack -q -o "$T/mat.synapt" "$T/mm.jsonl"
    if [ "$rc" != 0 ] && has "$T/mat.err" "c1_info.mat" && has "$T/mat.err" "$matso"; then
        pass mat_names_missing_library
    else
        fail mat_names_missing_library "rc $rc; stderr: $(cat "$T/mat.err")"
    fi
else
    skip mat_names_missing_library "no SURREAL _info.mat under \$SYNAPT_REALDATA/pose/surreal"
fi
finish
