#!/bin/sh
# synapt-convert --to frames, csv, jsonl, npz and --all for npy/video.
# Oracles: ffmpeg decodes the PNGs (rgb24, gray, gray16le) and numpy loads
# the .npz; both are compared with `synapt-convert --to npy` of the same
# stream, and the csv/jsonl rows with the pose arrays. Folder outputs must
# never appear half-written nor replace a non-empty folder.
. "$(dirname "$0")/../lib.sh"
py_has numpy || skip_all "needs /usr/bin/python3 with numpy"
need_cmd ffmpeg
S=$T/syn.synapt
if ! synapt-synth -q -o "$S" --classes 2 --clips-per-class 2 --frames 10 --size 64x48 > "$T/synth.log" 2>&1; then
    fatal export_synth "synapt-synth failed"
fi
C=walk_0000
for s in rgb depth mask pose2d pose3d; do
    synapt-convert "$S" --to npy --clip $C --stream $s -o "$T/$s.npy" 2>> "$T/npy.err"
done

# --- frames ---------------------------------------------------------------
run frames synapt-convert "$S" --to frames --all -o "$T/fr"
if [ $rc -ne 0 ]; then fail export_frames "status $rc: $(cat "$T/frames.err")"
else
    ok=1
    for spec in "rgb rgb24" "depth gray16le" "mask gray"; do
        set -- $spec
        ffmpeg -v error -i "$T/fr/$C/$1/000003.png" -f rawvideo -pix_fmt "$2" - > "$T/$1.raw" 2>/dev/null
        $PY -c "
import numpy as np, sys
a = np.load('$T/$1.npy')[3]
b = np.fromfile('$T/$1.raw', dtype=a.dtype).reshape(a.shape)
sys.exit(0 if np.array_equal(a, b) else 1)" || { ok=0; fail export_frames_png_$1 "frame 3 differs from --to npy"; }
    done
    n=$(ls "$T/fr/$C/rgb" | grep -c '\.png$')
    [ "$n" -eq 10 ] || { ok=0; fail export_frames "rgb has $n PNGs, want 10"; }
    has "$T/fr/$C/depth/frames.json" '"scale": 0.001' || { ok=0; fail export_frames "depth frames.json lacks the scale"; }
    [ $ok -eq 1 ] && pass export_frames_equal_npy
fi

# --- csv / jsonl -------------------------------------------------------------
run csv synapt-convert "$S" --to csv --clip $C -o "$T/p.csv"
run jsonl synapt-convert "$S" --to jsonl --clip $C --stream pose3d -o "$T/p.jsonl"
if $PY - "$T" > "$T/table.log" 2>&1 <<'PYEOF'
import csv, json, sys, numpy as np
T = sys.argv[1]
p2, p3 = np.load(f"{T}/pose2d.npy"), np.load(f"{T}/pose3d.npy")
rows = list(csv.DictReader(open(f"{T}/p.csv")))
r2 = [r for r in rows if r["stream"] == "pose2d"]
want = int((~np.isnan(p2[..., 0])).sum())
assert len(r2) == want, (len(r2), want)
for r in r2:
    v = p2[int(r["frame"]), int(r["person"]), int(r["joint"])]
    assert np.float32(r["x"]) == v[0] and np.float32(r["y"]) == v[1], r
j = [json.loads(l) for l in open(f"{T}/p.jsonl")]
assert len(j) == int((~np.isnan(p3[..., 0])).sum())
for r in j:
    v = p3[r["frame"], r["person"], r["joint"]]
    assert np.float32(r["x"]) == v[0] and np.float32(r["z"]) == v[2], r
assert j[0]["joint_name"] == "pelvis"
print("tables ok")
PYEOF
then pass export_csv_jsonl_equal_pose; else fail export_csv_jsonl_equal_pose "$(tail -2 "$T/table.log") $(cat "$T/csv.err" "$T/jsonl.err")"; fi

# --- npz -----------------------------------------------------------------------
run npz synapt-convert "$S" --to npz --clip $C -o "$T/c.npz"
if [ $rc -eq 0 ] && $PY -c "
import numpy as np, sys
z = np.load('$T/c.npz')
for s in ['rgb', 'depth', 'mask', 'pose2d', 'pose3d']:
    a = np.load('$T/' + s + '.npy')
    assert z[s].dtype == a.dtype and np.array_equal(z[s], a, equal_nan=a.dtype.kind == 'f'), s
" 2> "$T/npz.log"; then pass export_npz_equal_npy; else fail export_npz_equal_npy "$(tail -2 "$T/npz.log") $(cat "$T/npz.err")"; fi

# --- --all for npy and video --------------------------------------------------------
run alln synapt-convert "$S" --to npy --all --stream depth -o "$T/alln"
if [ $rc -eq 0 ] && [ "$(ls "$T/alln" | wc -l)" -eq 4 ] && cmp -s "$T/alln/$C.npy" "$T/depth.npy"; then
    pass export_npy_all
else fail export_npy_all "status $rc: $(cat "$T/alln.err")"; fi
run allv synapt-convert "$S" --to video --all -o "$T/allv"
frames=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$T/allv/$C.mkv" 2>/dev/null)
if [ $rc -eq 0 ] && [ "$frames" = 10 ]; then pass export_video_all
else fail export_video_all "status $rc, ffprobe counts '$frames' frames: $(cat "$T/allv.err")"; fi

# --- preview: a PNG that ffmpeg decodes, with a row of tiles per frame -------------
run prev synapt-convert "$S" --to preview --clip $C -o "$T/prev.png"
dims=$(ffprobe -v error -show_entries stream=width,height -of csv=p=0 "$T/prev.png" 2>/dev/null)
if [ $rc -eq 0 ] && [ -n "$dims" ] && [ -z "$(ls "$T" | grep 'prev.png.tmp')" ]; then pass export_preview_png
else fail export_preview_png "status $rc, dims '$dims': $(cat "$T/prev.err")"; fi
run iprev synapt-inspect --clip $C --preview "$T/iprev.png" "$S"
if [ $rc -eq 0 ] && cmp -s "$T/iprev.png" "$T/prev.png"; then pass export_inspect_preview_shortcut
else fail export_inspect_preview_shortcut "status $rc: $(cat "$T/iprev.err")"; fi
# the movie: ffprobe decodes every frame at the canvas size; frame 3's RGB
# tile (at the sheet's offsets: margin 6, header 22, frame line 16) is the
# stored frame 3 scaled 5x, up to H.264's loss and the skeleton drawn on it
run prevm synapt-convert "$S" --to preview --clip $C -o "$T/prev.mp4"
probe=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=codec_name,width,height,nb_read_frames \
        -of csv=p=0 "$T/prev.mp4" 2>/dev/null)
if [ $rc -eq 0 ] && [ "$probe" = "h264,984,284,10" ] && [ -z "$(ls "$T" | grep -e 'prev.mp4.tmp' -e 'tmp-')" ]; then
    pass export_preview_mp4_frames
else fail export_preview_mp4_frames "status $rc, ffprobe '$probe' (want h264,984,284,10: RGB, depth and mask tiles): $(cat "$T/prevm.err")"; fi
ffmpeg -v error -i "$T/prev.mp4" -vf "select=eq(n\,3)" -vframes 1 -f rawvideo -pix_fmt rgb24 - > "$T/prev3.raw" 2>/dev/null
check export_preview_mp4_tile $PY -c "
import numpy as np
f = np.fromfile('$T/prev3.raw', dtype=np.uint8).reshape(284, 984, 3).astype(int)
src = np.load('$T/rgb.npy')[3].astype(int)
tile = f[38:38 + 240, 6:6 + 320]
want = src[np.arange(240) * 48 // 240][:, np.arange(320) * 64 // 320]
d = np.abs(tile - want)
assert np.median(d) < 8 and np.mean(d) < 16, (np.median(d), np.mean(d))
"
synapt-convert -q "$S" --to preview --clip $C -o "$T/prev2.mp4" 2> /dev/null
check export_preview_mp4_same_bytes cmp "$T/prev.mp4" "$T/prev2.mp4"
run prevall synapt-convert "$S" --to preview --all -o "$T/prev2.png"
[ $rc -eq 2 ] && [ ! -e "$T/prev2.png" ] && pass export_preview_one_clip || fail export_preview_one_clip "status $rc"

# --- safe folder output ---------------------------------------------------------------
mkdir -p "$T/full"
echo keep > "$T/full/x"
run full synapt-convert "$S" --to frames --all -o "$T/full"
if [ $rc -eq 1 ] && [ "$(ls "$T/full")" = x ] && [ -z "$(ls "$T" | grep 'tmp-')" ]; then pass export_refuses_nonempty_folder
else fail export_refuses_nonempty_folder "status $rc: $(cat "$T/full.err")"; fi
run nostream synapt-convert "$S" --to npy --all --stream nope -o "$T/nos"
if [ $rc -eq 1 ] && [ ! -e "$T/nos" ] && [ -z "$(ls "$T" | grep 'tmp-')" ]; then pass export_failure_leaves_nothing
else fail export_failure_leaves_nothing "status $rc, left: $(ls "$T" | grep -e nos -e tmp-)"; fi
ok=1
for args in "--to frames -o $T/u" "--to csv --clip $C --all -o $T/u.csv" "--to framemd5 --all" \
            "--to npz --all -o $T/u --frames 1:2"; do
    # shellcheck disable=SC2086
    run usage synapt-convert "$S" $args
    [ $rc -eq 2 ] || { ok=0; fail export_usage "'$args' gave status $rc"; }
done
[ $ok -eq 1 ] && pass export_usage

# --shard K/N: the parts of 3 workers are the whole export, file for file
run npzall synapt-convert "$S" --to npz --all -o "$T/sh_all"
ok=1
for k in 0 1 2; do
    synapt-convert -q "$S" --to npz --all --shard $k/3 -o "$T/sh_$k" 2> "$T/sh_$k.err" || ok=0
done
all=$(ls "$T/sh_all" | sort | tr '\n' ' ')
parts=$(ls "$T/sh_0" "$T/sh_1" "$T/sh_2" | grep '\.npz$' | sort | tr '\n' ' ')
for f in $(ls "$T/sh_all"); do
    found=0
    for k in 0 1 2; do [ -f "$T/sh_$k/$f" ] && cmp -s "$T/sh_$k/$f" "$T/sh_all/$f" && found=1; done
    [ $found -eq 1 ] || ok=0
done
if [ $ok -eq 1 ] && [ "$all" = "$parts" ]; then pass export_shards_partition_the_export
else fail export_shards_partition_the_export "all: $all parts: $parts"; fi
run shardclip synapt-convert "$S" --to npy --clip $C --stream depth --shard 0/2 -o "$T/x.npy"
expect_rc shardclip 2 && pass export_shard_needs_a_whole_file_export

finish
