#!/bin/sh
# t_pack_datasets.sh - synapt-pack --format on samples of the real annotation
# files in $SYNAPT_REALDATA: the videos are not available, so a tiny stand-in
# video (ffmpeg testsrc) is copied to every path the sample lists, then the
# sample is packed and the result checked with synapt-inspect --json.
# Also the sidecar layouts: NTU .skeleton, SURREAL _info.mat, OpenPose JSON,
# Kinetics-skeleton JSON and a depth PNG folder, through --format and a manifest.
. "$(dirname "$0")/../lib.sh"
realdata t_pack_datasets annotations || finish
A=$R/annotations
need_cmd ffmpeg
[ -x "$PY" ] || skip_all "needs $PY"
need_built bin/synapt-pack bin/synapt-inspect bin/synapt-convert
# top-level "clips" of synapt-inspect --json (the first "clips" key)
nclips() { synapt-inspect --json "$1" | grep -o '"clips":[0-9]*' | head -n 1 | cut -d: -f2; }
# stand-in videos: N frames of testsrc, 64x48, 10 fps
video() { ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc=size=64x48:rate=10 -frames:v "$1" \
          -c:v libx264 -pix_fmt yuv420p "$2"; }
place() { mkdir -p "$(dirname "$1")" && cp "$T/src.mp4" "$1"; }

video 12 "$T/src.mp4" || fatal t_pack_datasets "ffmpeg could not make a stand-in video"

# ---- UCF101: 4 train lines, 2 test lines (CRLF kept) --------------------
U=$T/ucf
mkdir -p "$U"
cp "$A/ucf101/classInd.txt" "$U/"
head -n 4 "$A/ucf101/trainlist01.txt" > "$U/trainlist01.txt"
sed -n '1p;500p' "$A/ucf101/testlist01.txt" > "$U/testlist01.txt"
cat "$U/trainlist01.txt" "$U/testlist01.txt" | tr -d '\r' | cut -d' ' -f1 |
    while read -r p; do place "$U/videos/$p"; done
if synapt-pack -q -j 2 -o "$T/ucf.synapt" --format ucf101 --root "$U/videos" "$U" &&
   [ "$(nclips "$T/ucf.synapt")" = 6 ] &&
   synapt-inspect --clips --json "$T/ucf.synapt" | grep -q '"id":"v_ApplyEyeMakeup_g08_c01","labels":\["ApplyEyeMakeup"\],"label_ids":\[0\].*"split":"train".*"groups":\[\["group","g08"\]\]'; then
    pass ucf101_sample
else
    fail ucf101_sample "6 clips with labels, split and gNN group expected"
fi

# ---- HMDB51: two classes of split 1 (tags 1 and 2 packed, 0 left out) ---
H=$T/hmdb
mkdir -p "$H"
cp "$A/hmdb51/wave_test_split1.txt" "$A/hmdb51/chew_test_split1.txt" "$H/"
want=$(awk '$2==1||$2==2' "$H"/*_split1.txt | wc -l | tr -d ' ')
for f in "$H"/*_test_split1.txt; do
    cls=$(basename "$f" _test_split1.txt)
    awk '$2==1||$2==2 {print $1}' "$f" | while read -r v; do place "$H/videos/$cls/$v"; done
done
if synapt-pack -q -o "$T/hmdb.synapt" --format hmdb51 --root "$H/videos" "$H" &&
   [ "$(nclips "$T/hmdb.synapt")" = "$want" ] &&
   [ "$(synapt-inspect --clips --json "$T/hmdb.synapt" | grep -c '"split":"test"')" -gt 0 ]; then
    pass hmdb51_sample
else
    fail hmdb51_sample "expected $want clips"
fi

# ---- Kinetics-400 val CSV: header + 3 rows, videos under <label>/ -------
K=$T/kin
mkdir -p "$K"
head -n 4 "$A/kinetics/kinetics-400_val.csv" > "$K/val.csv"
tail -n 3 "$K/val.csv" | awk -F, '{printf "%s/%s_%06d_%06d.mp4\n", $1, $2, $3, $4}' |
    while read -r p; do place "$K/$p"; done
if synapt-pack -q -o "$T/kin.synapt" --format kinetics "$K/val.csv" &&
   [ "$(nclips "$T/kin.synapt")" = 3 ] &&
   synapt-inspect --clips --json "$T/kin.synapt" | grep -q '"id":"0wR5jVB-WPk_000417_000427","labels":\["abseiling"\]'; then
    pass kinetics_sample
else
    fail kinetics_sample "3 clips named <youtube_id>_<start:06d>_<end:06d> expected"
fi

# ---- SSv2: labels.json + 3 validation entries, <id>.webm ----------------
S=$T/ssv2
mkdir -p "$S"
cp "$A/ssv2/something-something-v2-labels.json" "$S/labels.json"
"$PY" - "$A/ssv2/something-something-v2-validation.json" "$S/validation.json" <<'EOF'
import json, sys
json.dump(json.load(open(sys.argv[1]))[:3], open(sys.argv[2], "w"))
EOF
for id in $("$PY" -c 'import json,sys; print(" ".join(e["id"] for e in json.load(open(sys.argv[1]))))' "$S/validation.json"); do
    place "$S/$id.webm"
done
if synapt-pack -q -o "$T/ssv2.synapt" --format ssv2 "$S" &&
   [ "$(nclips "$T/ssv2.synapt")" = 3 ] &&
   synapt-inspect --clip 74225 "$T/ssv2.synapt" | grep -q 'Spinning something that quickly stops spinning' &&
   synapt-inspect --clip 74225 "$T/ssv2.synapt" | grep -q '"placeholders":\["cube"\]'; then
    pass ssv2_sample
else
    fail ssv2_sample "3 clips, class = template without brackets, placeholders in meta"
fi

# ---- Diving48: vocab + 3 train entries -----------------------------------
D=$T/d48
mkdir -p "$D"
cp "$A/diving48/Diving48_vocab.json" "$D/"
"$PY" - "$A/diving48/Diving48_V2_train.json" "$D/Diving48_V2_train.json" <<'EOF'
import json, sys
json.dump(json.load(open(sys.argv[1]))[:3], open(sys.argv[2], "w"))
EOF
for v in $("$PY" -c 'import json,sys; print(" ".join(e["vid_name"] for e in json.load(open(sys.argv[1]))))' "$D/Diving48_V2_train.json"); do
    place "$D/$v.mp4"
done
if synapt-pack -q -o "$T/d48.synapt" --format diving48 "$D" &&
   [ "$(nclips "$T/d48.synapt")" = 3 ] &&
   synapt-inspect --clips --json "$T/d48.synapt" |
       grep -q '"id":"-mmq0PT-u8k_00155","labels":\["Back+15som+05Twis+FREE"\]'; then
    pass diving48_sample
else
    fail diving48_sample "3 clips with takeoff+somersault+twist+flight class names"
fi

# ---- SynAPT lists: class/clip lines, and class names from a labels file --
L=$T/list
mkdir -p "$L"
head -n 3 "$A/synapt/sim150_val.txt" > "$L/sim150_val.txt"
head -n 2 "$A/synapt/kinetics150_val.txt" > "$L/kinetics150_val.txt"
cat "$L/sim150_val.txt" "$L/kinetics150_val.txt" | while read -r p; do place "$L/$p.mp4"; done
if synapt-pack -q -o "$T/sim.synapt" --format list "$L/sim150_val.txt" &&
   [ "$(nclips "$T/sim.synapt")" = 3 ] &&
   synapt-pack -q -o "$T/k150.synapt" --format list --labels "$A/synapt/kinetics_labels.txt" "$L/kinetics150_val.txt" &&
   synapt-inspect --clips --json "$T/k150.synapt" | grep -q '"labels":\["peeling apples"\]'; then
    pass synapt_list_sample
else
    fail synapt_list_sample "class/clip lines with and without a labels file"
fi

# ---- NTU: .skeleton + a 103-frame video; label and performer from the name
N=$T/ntu
mkdir -p "$N"
cp "$R/pose/ntu/S001C001P001R001A001.skeleton" "$N/"
video 103 "$N/S001C001P001R001A001_rgb.avi"
if synapt-pack -q -o "$T/ntu.synapt" --format ntu "$N" &&
   synapt-inspect --clips --json "$T/ntu.synapt" | grep -q '"labels":\["drink water"\].*"frames":103.*\["performer","P001"\].*"streams":\["rgb","pose2d","pose3d","ntu_joints"\]' &&
   synapt-inspect --clip S001C001P001R001A001 "$T/ntu.synapt" | grep -q 'pose3d f32 (1, 25, 3).*103 frames' &&
   synapt-inspect --clip S001C001P001R001A001 "$T/ntu.synapt" | grep -q 'ntu_joints: custom f32 (1, 25, 7).*103 frames'; then
    pass ntu_layout
else
    fail ntu_layout "one clip: rgb + pose2d + pose3d (25 joints, 103 frames) + ntu_joints, label 'drink water'"
fi
# skeletons without the RGB videos
mkdir -p "$T/ntu_only"
cp "$R/pose/ntu/S001C001P001R001A001.skeleton" "$T/ntu_only/"
if synapt-pack -q --no-video -o "$T/ntu_only.synapt" --format ntu "$T/ntu_only" &&
   synapt-inspect --clips --json "$T/ntu_only.synapt" | grep -q '"frames":103.*"streams":\["pose2d","pose3d","ntu_joints"\]'; then
    pass ntu_no_video
else
    fail ntu_no_video "pose-only clip of 103 frames"
fi
# what went in comes out: every pose value read back through synapt-convert
# --to npy equals the .skeleton text parsed here independently
if py_has numpy; then
    for st in pose3d pose2d ntu_joints; do
        synapt-convert "$T/ntu_only.synapt" --to npy --clip S001C001P001R001A001 --stream $st -o "$T/ntu_$st.npy"
    done
    if "$PY" - "$N/S001C001P001R001A001.skeleton" "$T" <<'EOF2'
import sys, numpy as np
t = open(sys.argv[1]).read().split()
i = 1; rows = []
for f in range(int(t[0])):
    nb = int(t[i]); i += 1
    assert nb == 1
    i += 10; nj = int(t[i]); i += 1
    rows.append([[float(x) for x in t[i + k * 12:i + k * 12 + 12]] for k in range(nj)]); i += nj * 12
ref = np.array(rows, dtype=np.float32)              # (T, 25, 12)
p3 = np.load(sys.argv[2] + "/ntu_pose3d.npy")[:, 0]  # (T, 25, 3)
p2 = np.load(sys.argv[2] + "/ntu_pose2d.npy")[:, 0]
ex = np.load(sys.argv[2] + "/ntu_ntu_joints.npy")[:, 0]
assert np.array_equal(p3, ref[:, :, 0:3]) and np.array_equal(p2, ref[:, :, 5:7])
assert np.array_equal(ex, ref[:, :, [3, 4, 7, 8, 9, 10, 11]])
EOF2
    then pass ntu_values_round_trip; else fail ntu_values_round_trip "stored pose differs from the .skeleton text"; fi
else
    skip ntu_values_round_trip "/usr/bin/python3 with numpy not available"
fi
# the issue's manifest line "just works"
printf '%s\n' '{"video": "S001C001P001R001A001_rgb.avi", "pose3d": "S001C001P001R001A001.skeleton", "skeleton": "ntu25", "label": "drink water"}' > "$N/m.jsonl"
if synapt-pack -q -o "$T/ntu_m.synapt" "$N/m.jsonl" &&
   synapt-inspect --clip S001C001P001R001A001_rgb "$T/ntu_m.synapt" | grep -q 'skeleton ntu25'; then
    pass ntu_manifest
else
    fail ntu_manifest "manifest with a .skeleton pose3d sidecar"
fi

# ---- SURREAL: _info.mat + a 100-frame mp4 ---------------------------------
Q=$T/surreal
mkdir -p "$Q"
cp "$R/pose/surreal/01_01_c0001_info.mat" "$Q/"
video 100 "$Q/01_01_c0001.mp4"
if synapt-pack -q -o "$T/surreal.synapt" --format surreact "$Q" &&
   synapt-inspect --clip 01_01_c0001 "$T/surreal.synapt" > "$T/surreal.txt" &&
   grep -q 'pose2d: pose2d f32 (1, 24, 2).*100 frames' "$T/surreal.txt" &&
   grep -q 'skeleton smpl24' "$T/surreal.txt" && grep -q '"camDist":7.69' "$T/surreal.txt" &&
   synapt-inspect --clips --json "$T/surreal.synapt" | grep -q '"synthetic":true'; then
    pass surreact_layout
else
    fail surreact_layout "joints2D/joints3D as pose streams, camera fields in meta, synthetic"
fi

# joints read back equal the .mat's, parsed here with a small MAT v5 reader
if py_has numpy; then
    for st in pose2d pose3d; do
        synapt-convert "$T/surreal.synapt" --to npy --clip 01_01_c0001 --stream $st -o "$T/sur_$st.npy"
    done
    if "$PY" - "$Q/01_01_c0001_info.mat" "$T" <<'EOF2'
import sys, struct, zlib, numpy as np
b = open(sys.argv[1], "rb").read()
types = {1: "i1", 2: "u1", 3: "<i2", 4: "<u2", 5: "<i4", 6: "<u4", 7: "<f4", 9: "<f8", 12: "<i8", 13: "<u8"}
def elem(buf, p):
    t, n = struct.unpack_from("<II", buf, p)
    if t >> 16:                                   # small data element
        return t & 0xffff, buf[p + 4:p + 4 + (t >> 16)], p + 8
    q = p + 8 + n
    if t != 15 and n % 8:
        q += 8 - n % 8
    return t, buf[p + 8:p + 8 + n], q
pos, arrays = 128, {}
while pos < len(b):
    t, d, pos = elem(b, pos)
    if t == 15:
        t, d, _ = elem(zlib.decompress(d), 0)
    if t != 14:
        continue
    _, flags, q = elem(d, 0); _, dims, q = elem(d, q); _, name, q = elem(d, q)
    if flags[0] in (6, 7, 8, 9, 10, 11, 12, 13):
        tt, re, q = elem(d, q)
        arrays[name.decode()] = np.frombuffer(re, types[tt]).reshape(np.frombuffer(dims, "<i4"), order="F")
j2 = np.transpose(arrays["joints2D"], (2, 1, 0)).astype(np.float32)   # (T, 24, 2)
j3 = np.transpose(arrays["joints3D"], (2, 1, 0)).astype(np.float32)
assert np.array_equal(np.load(sys.argv[2] + "/sur_pose2d.npy")[:, 0], j2)
assert np.array_equal(np.load(sys.argv[2] + "/sur_pose3d.npy")[:, 0], j3)
EOF2
    then pass surreal_values_round_trip; else fail surreal_values_round_trip "stored joints differ from the .mat"; fi
else
    skip surreal_values_round_trip "/usr/bin/python3 with numpy not available"
fi

# ---- OpenPose folder (10 frames), Kinetics-skeleton (189), depth PNG (1) --
P=$T/side
mkdir -p "$P"
video 10 "$P/op.mp4"
video 189 "$P/ks.mp4"
video 1 "$P/depth.mp4"
cat > "$P/m.jsonl" <<EOF
{"video":"op.mp4","pose2d":"$R/pose/openpose","label":"dance"}
{"video":"ks.mp4","pose2d":"$R/pose/kinetics_skeleton/--33Lscn6sk.json","label":"flipping pancake"}
{"video":"depth.mp4","depth":"$R/depth/open3d/depth","label":"room"}
EOF
if synapt-pack -q --allow-outside-paths -o "$T/side.synapt" "$P/m.jsonl" &&
   synapt-inspect --clip op "$T/side.synapt" | grep -q 'pose2d: pose2d f32 (12, 25, 3).*10 frames.*' &&
   synapt-inspect --clip ks "$T/side.synapt" | grep -q 'pose2d: pose2d f32 (3, 18, 3).*189 frames' &&
   synapt-inspect --clip depth "$T/side.synapt" | grep -q 'depth: depth u16 (480, 640).*1 frames'; then
    pass sidecar_manifest
else
    fail sidecar_manifest "OpenPose BODY-25 x12 persons, st-gcn 18 joints x3, 640x480 u16 depth"
fi
# read back: OpenPose keypoints, st-gcn poses and the depth PNG's pixels
# (decoded here by a small PNG reader) equal the source files
if py_has numpy; then
    synapt-convert "$T/side.synapt" --to npy --clip op --stream pose2d -o "$T/op.npy" &&
    synapt-convert "$T/side.synapt" --to npy --clip ks --stream pose2d -o "$T/ks.npy" &&
    synapt-convert "$T/side.synapt" --to npy --clip depth --stream depth -o "$T/depth.npy"
    if "$PY" - "$R" "$T" <<'EOF2'
import sys, os, json, struct, zlib, numpy as np
R, T = sys.argv[1], sys.argv[2]
# OpenPose: one file per frame, people in file order, NaN past the last
op = np.load(T + "/op.npy")
files = sorted(f for f in os.listdir(R + "/pose/openpose") if f.endswith("_keypoints.json"))
assert op.shape == (len(files), 12, 25, 3)
for t, f in enumerate(files):
    people = json.load(open(R + "/pose/openpose/" + f))["people"]
    for p, person in enumerate(people):
        assert np.array_equal(op[t, p], np.array(person["pose_keypoints_2d"], np.float32).reshape(25, 3))
    assert np.isnan(op[t, len(people):]).all()
# st-gcn: frame_index 1 is frame 0; (x, y) from pose, c from score
ks = np.load(T + "/ks.npy")
doc = json.load(open(R + "/pose/kinetics_skeleton/--33Lscn6sk.json"))
for fr in doc["data"]:
    for p, sk in enumerate(fr["skeleton"]):
        want = np.concatenate([np.array(sk["pose"], np.float32).reshape(18, 2),
                               np.array(sk["score"], np.float32)[:, None]], axis=1)
        assert np.array_equal(ks[fr["frame_index"] - 1, p], want)
# 16-bit grey PNG, non-interlaced: inflate, undo the per-row filters
b = open(R + "/depth/open3d/depth/00000.png", "rb").read()
pos, idat, hdr = 8, b"", None
while pos < len(b):
    n, kind = struct.unpack(">I4s", b[pos:pos + 8])
    if kind == b"IHDR":
        hdr = struct.unpack(">IIBBBBB", b[pos + 8:pos + 8 + 13])
    elif kind == b"IDAT":
        idat += b[pos + 8:pos + 8 + n]
    pos += 12 + n
w, h, depth, ctype, _, _, interlace = hdr
assert depth == 16 and ctype == 0 and interlace == 0
raw, bpp, stride = zlib.decompress(idat), 2, w * 2
out, prev = bytearray(), bytearray(stride)
for y in range(h):
    ft, row = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for x in range(stride):
        a = row[x - bpp] if x >= bpp else 0
        c = prev[x - bpp] if x >= bpp else 0
        up = prev[x]
        if ft == 1: row[x] = (row[x] + a) & 255
        elif ft == 2: row[x] = (row[x] + up) & 255
        elif ft == 3: row[x] = (row[x] + ((a + up) >> 1)) & 255
        elif ft == 4:
            pa, pb, pc = abs(up - c), abs(a - c), abs(a + up - 2 * c)
            row[x] = (row[x] + (a if pa <= pb and pa <= pc else up if pb <= pc else c)) & 255
    out += row
    prev = row
png = np.frombuffer(bytes(out), ">u2").reshape(h, w)
assert np.array_equal(np.load(T + "/depth.npy")[0], png.astype(np.uint16))
EOF2
    then pass sidecar_values_round_trip; else fail sidecar_values_round_trip "stored OpenPose/st-gcn/depth values differ from the files"; fi
else
    skip sidecar_values_round_trip "/usr/bin/python3 with numpy not available"
fi

# ---- --depth-codec ans and strip: the real depth PNG through compressions 3 and 4
echo '{"video":"depth.mp4","depth":"'"$R"'/depth/open3d/depth","label":"room"}' > "$P/d.jsonl"
# pack_depth_codec CODEC NAME: packs d.jsonl with --depth-codec CODEC; the
# chunk is NAME, the file format 1.4 and verified, its record at most half
# the PNG's size (issue 14), its pixels those of the zstd pack (depth.npy)
pack_depth_codec() {
    if synapt-pack -q --allow-outside-paths --depth-codec "$1" -o "$T/$1.synapt" "$P/d.jsonl" &&
       synapt-inspect --clip depth -v "$T/$1.synapt" > "$T/$1.txt" &&
       grep -q "compression $2, filter none" "$T/$1.txt" &&
       synapt-inspect "$T/$1.synapt" | grep -q '^format *1\.4' &&
       synapt-inspect --verify "$T/$1.synapt" > /dev/null; then
        rec=$(sed -n '/\] depth:/,$s/.*chunk 0: .* record \([0-9]*\) B.*/\1/p' "$T/$1.txt" | head -1)
        png=$(wc -c < "$R/depth/open3d/depth/00000.png")
        if [ -n "$rec" ] && [ $((rec * 2)) -le "$png" ]; then
            pass "pack_$2" "chunk record $rec B, PNG $png B"
        else
            fail "pack_$2" "chunk record '$rec' B is not half the PNG's $png B"
        fi
    else
        fail "pack_$2" "synapt-pack --depth-codec $1: $(head -2 "$T/$1.txt" 2>/dev/null)"
    fi
    if py_has numpy && synapt-convert "$T/$1.synapt" --to npy --clip depth --stream depth -o "$T/$1.npy" &&
       "$PY" -c 'import sys, numpy as np; sys.exit(0 if np.array_equal(np.load(sys.argv[1]), np.load(sys.argv[2])) else 1)' \
           "$T/$1.npy" "$T/depth.npy"; then
        pass "pack_$2_values"
    elif py_has numpy; then
        fail "pack_$2_values" "$2 pixels differ from the PNG's (zstd pack)"
    else
        skip "pack_$2_values" "/usr/bin/python3 with numpy not available"
    fi
}
pack_depth_codec ans depth_ans
pack_depth_codec strip depth_strip
run badcodec synapt-pack -q --allow-outside-paths --depth-codec jxl -o "$T/bad.synapt" "$P/d.jsonl"
if expect_rc badcodec 2 && grep -q "depth-codec wants zstd, ans, strip or med" "$T/badcodec.err" && [ ! -e "$T/bad.synapt" ]; then
    pass pack_depth_codec_usage
else
    fail pack_depth_codec_usage "an unknown --depth-codec must be a usage error (exit 2) naming the choices"
fi
finish
