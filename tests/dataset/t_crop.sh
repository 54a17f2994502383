#!/bin/sh
# Temporal crops (issue 9): synapt-subset --frames / --max-frames --crop and
# synapt-pack's start_frame/end_frame. Video is checked against ffmpeg
# itself: framemd5 of the cropped clip equals `ffmpeg -vf trim` of the source
# over the same frames, on a copy-mode H.264 source with B-frames and a GOP
# longer than the windows (cuts inside a GOP and across its open start), and
# on the real videos when present. Array streams equal the source's slice.
. "$(dirname "$0")/../lib.sh"
need_built bin/synapt-subset bin/synapt-synth bin/synapt-inspect bin/synapt-convert bin/synapt-pack
need_cmd ffmpeg
verdict() { if [ "$2" -eq 0 ]; then pass "$1"; else fail "$1" "$3"; fi; }

# md5 column of a framemd5 listing (ffmpeg's or synapt-convert's)
md5s() { grep -v '^#' | awk '{print $NF}' | sed 's/.*,//' | tr -d ' '; }

# framemd5_same NAME SRC.media CROP.synapt CLIP A B: the crop decodes to
# exactly frames A..B-1 of the source, as ffmpeg decodes them
framemd5_same() {
    synapt-convert "$3" --to framemd5 --clip "$4" | md5s > "$T/got.md5"
    ffmpeg -v error -i "$2" -map 0:v:0 -vf "trim=start_frame=$5:end_frame=$6" -f framemd5 - | md5s > "$T/want.md5"
    n=$(lines "$T/want.md5")
    [ "$n" -eq $(($6 - $5)) ] && cmp -s "$T/got.md5" "$T/want.md5"
    verdict "$1" $? "frames $5:$6 of $(basename "$2"): $(lines "$T/got.md5") frames, ffmpeg $n, md5s differ"
}

# 1. copy-mode H.264 with B-frames (3 between references) and a 20-frame GOP
ffmpeg -v error -f lavfi -i testsrc=size=32x32:rate=25 -frames:v 48 -c:v libx264 -bf 3 -g 20 \
    -pix_fmt yuv420p "$T/src.mp4" || fatal crop_setup "ffmpeg could not make the source"
run pack synapt-pack -q -o "$T/v.synapt" "$T/src.mp4"
expect_rc pack 0
for w in 5:17 20:21 19:41 47:48; do
    run "sub_$w" synapt-subset -q --frames "$w" -o "$T/c.synapt" "$T/v.synapt"
    expect_rc "crop_video_rc_$w" 0
    framemd5_same "crop_video_framemd5_$w" "$T/src.mp4" "$T/c.synapt" src "${w%:*}" "${w#*:}"
done
synapt-inspect -q --verify "$T/c.synapt"
verdict crop_video_verify $? "the cropped file does not verify"
# exported to a media file the crop shows exactly its frames (the lead-in
# packets are not remuxed): ffv1 in mkv is lossless, so the pixels equal
# ffmpeg's trim of the source; mp4 gets H.264, so the frame count is checked
synapt-subset -q --frames 5:17 -o "$T/c5.synapt" "$T/v.synapt"
synapt-convert "$T/c5.synapt" --to video --clip src -o "$T/c5.mkv" &&
    ffmpeg -v error -i "$T/c5.mkv" -f framemd5 - | md5s > "$T/got.md5" &&
    ffmpeg -v error -i "$T/src.mp4" -vf trim=start_frame=5:end_frame=17 -f framemd5 - | md5s > "$T/want.md5" &&
    [ "$(lines "$T/want.md5")" -eq 12 ] && cmp -s "$T/got.md5" "$T/want.md5"
verdict crop_video_export_mkv $? "the exported mkv is not frames 5..16 of the source"
if command -v ffprobe > /dev/null; then
    synapt-convert "$T/c5.synapt" --to video --clip src -o "$T/c5.mp4" &&
        [ "$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames \
              -of csv=p=0 "$T/c5.mp4")" = 12 ]
    verdict crop_video_export_mp4 $? "ffprobe does not count 12 frames in the exported mp4"
fi
# a window inside a GOP keeps packets from its keyframe only: fewer bytes
synapt-subset -q --frames 24:30 -o "$T/small.synapt" "$T/v.synapt"
[ "$(wc -c < "$T/small.synapt")" -lt "$(wc -c < "$T/v.synapt")" ]
verdict crop_video_smaller $? "a 6-frame window is not smaller than the whole clip"

# 2. every stream kind of a synthetic clip (H.264 GOP 4, depth, mask, poses)
synapt-synth -q -o "$T/s.synapt" --classes 2 --clips-per-class 2 --frames 12 --size 32x32 --gop 4 \
    --threads 1 --seed 5 || fatal crop_setup "synapt-synth failed"
run sub_arr synapt-subset -q --frames 3:10 -o "$T/s3.synapt" "$T/s.synapt"
expect_rc crop_arrays_rc 0
id=$(synapt-inspect --clips --json "$T/s.synapt" | head -n 1 | sed 's/.*"id":"\([^"]*\)".*/\1/')
synapt-convert "$T/s.synapt" --to framemd5 --clip "$id" --frames 3:10 | md5s > "$T/want.md5"
synapt-convert "$T/s3.synapt" --to framemd5 --clip "$id" | md5s > "$T/got.md5"
[ "$(lines "$T/got.md5")" -eq 7 ] && cmp -s "$T/got.md5" "$T/want.md5"
verdict crop_synth_video $? "rgb of the crop is not frames 3..9 of the source"
if py_has numpy; then
    synapt-convert "$T/s.synapt" --to npz --clip "$id" -o "$T/full.npz" &&
        synapt-convert "$T/s3.synapt" --to npz --clip "$id" -o "$T/crop.npz"
    "$PY" - "$T/full.npz" "$T/crop.npz" 3 10 > "$T/npz.out" 2>&1 <<'EOF'
import sys, numpy as np
full, crop = np.load(sys.argv[1]), np.load(sys.argv[2])
a, b = int(sys.argv[3]), int(sys.argv[4])
bad = [k for k in full.files if k != "rgb" and not np.array_equal(full[k][a:b], crop[k], equal_nan=True)]
print("streams", sorted(full.files), "differ", bad)
sys.exit(1 if bad or sorted(full.files) != sorted(crop.files) else 0)
EOF
    verdict crop_synth_arrays $? "$(cat "$T/npz.out")"
else
    skip crop_synth_arrays "numpy missing"
fi

# 3. --max-frames: center is (12-5)/2 = 3; random is seeded and repeatable
run sub_center synapt-subset -q --max-frames 5 --crop center -o "$T/mc.synapt" "$T/s.synapt"
synapt-convert "$T/mc.synapt" --to framemd5 --clip "$id" | md5s > "$T/got.md5"
synapt-convert "$T/s.synapt" --to framemd5 --clip "$id" --frames 3:8 | md5s > "$T/want.md5"
cmp -s "$T/got.md5" "$T/want.md5"
verdict crop_max_center $? "--max-frames 5 --crop center is not frames 3..7"
synapt-subset -q --max-frames 5 --crop random --seed 9 -o "$T/r1.synapt" "$T/s.synapt" &&
    synapt-subset -q --max-frames 5 --crop random --seed 9 -o "$T/r2.synapt" "$T/s.synapt" &&
    cmp -s "$T/r1.synapt" "$T/r2.synapt"
verdict crop_random_deterministic $? "two seeded random crops differ"
n=$(synapt-inspect --clips --json "$T/r1.synapt" | grep -c '"frames":5')
[ "$n" -eq 4 ]
verdict crop_random_length $? "expected 4 clips of 5 frames, got $n"
run sub_long synapt-subset -q --max-frames 50 -o "$T/ml.synapt" "$T/s.synapt"
synapt-convert "$T/ml.synapt" --to framemd5 --clip "$id" | md5s > "$T/got.md5"
synapt-convert "$T/s.synapt" --to framemd5 --clip "$id" | md5s > "$T/want.md5"
cmp -s "$T/got.md5" "$T/want.md5"
verdict crop_max_shorter_whole $? "a clip shorter than --max-frames was changed"

# 4. refusals: nothing written, one line naming the clip
run bad_end synapt-subset -q --frames 4:13 -o "$T/bad.synapt" "$T/s.synapt"
expect_rc crop_past_end_rc 1
has "$T/bad_end.err" "clip .* has 12 frames"
[ ! -e "$T/bad.synapt" ]
verdict crop_past_end_nothing $? "an output was left"
run bad_rev synapt-subset --frames 5:3 -o "$T/bad.synapt" "$T/s.synapt"
expect_rc crop_usage_reversed 2
run bad_crop synapt-subset --crop center -o "$T/bad.synapt" "$T/s.synapt"
expect_rc crop_usage_crop_alone 2
run bad_virt synapt-subset --frames 0:4 --virtual -o "$T/bad.synapt.json" "$T/s.synapt"
expect_rc crop_usage_virtual 2
run bad_both synapt-subset --frames 0:4 --max-frames 3 -o "$T/bad.synapt" "$T/s.synapt"
expect_rc crop_usage_both 2

# 5. synapt-pack applies a manifest's start_frame/end_frame
synapt-synth -q -o "$T/sd" --layout dir --classes 1 --clips-per-class 1 --frames 12 --size 32x32 --gop 4 \
    --threads 1 --seed 3 || fatal crop_setup "synapt-synth --layout dir failed"
sed 's/^{/{"start_frame":2,"end_frame":9,/' "$T/sd/manifest.jsonl" > "$T/sd/cut.jsonl"
run pack_full synapt-pack -q -o "$T/pfull.synapt" "$T/sd/manifest.jsonl"
run pack_cut synapt-pack -q -o "$T/pcut.synapt" "$T/sd/cut.jsonl"
expect_rc pack_range_rc 0
pid=$(synapt-inspect --clips --json "$T/pfull.synapt" | head -n 1 | sed 's/.*"id":"\([^"]*\)".*/\1/')
synapt-subset -q --frames 2:9 -o "$T/psub.synapt" "$T/pfull.synapt"
for s in rgb depth pose2d; do
    if [ "$s" = rgb ]; then
        synapt-convert "$T/pcut.synapt" --to framemd5 --clip "$pid" | md5s > "$T/a.out"
        synapt-convert "$T/pfull.synapt" --to framemd5 --clip "$pid" --frames 2:9 | md5s > "$T/b.out"
    else
        synapt-convert "$T/pcut.synapt" --to npy --clip "$pid" --stream $s -o "$T/a.out" &&
            synapt-convert "$T/psub.synapt" --to npy --clip "$pid" --stream $s -o "$T/b.out"
    fi
    [ -s "$T/a.out" ] && cmp -s "$T/a.out" "$T/b.out"
    verdict "pack_range_$s" $? "packed $s with start_frame 2, end_frame 9 is not frames 2..8"
done
sed 's/^{/{"start_frame":2,"end_frame":40,/' "$T/sd/manifest.jsonl" > "$T/sd/long.jsonl"
run pack_long synapt-pack -q -o "$T/plong.synapt" "$T/sd/long.jsonl"
expect_rc pack_range_past_end 1
has "$T/pack_long.err" "has 12"

# 6. real videos: a middle third of each, framemd5 against ffmpeg
if realdata crop_real videos; then
    for v in "$R"/videos/*; do
        b=$(basename "$v")
        # under a sanitizer two videos suffice (the plain run checks all)
        if sanitized; then case "$b" in mmpose*|ssv2*) ;; *) continue ;; esac; fi
        synapt-pack -q -o "$T/real.synapt" "$v" 2>/dev/null || { skip "crop_real_$b" "not packable"; continue; }
        # the frame count the file records equals ffprobe -count_frames (t_video)
        synapt-inspect --clips --json "$T/real.synapt" | head -n 1 > "$T/real.json"
        rid=$(sed 's/.*"id":"\([^"]*\)".*/\1/' "$T/real.json")
        n=$(sed 's/.*"frames":\([0-9]*\).*/\1/' "$T/real.json")
        [ "$n" -ge 3 ] || { skip "crop_real_$b" "$n frames"; continue; }
        a=$((n / 3)); e=$((2 * n / 3 + 1))
        synapt-subset -q --frames "$a:$e" -o "$T/realc.synapt" "$T/real.synapt"
        framemd5_same "crop_real_$b" "$v" "$T/realc.synapt" "$rid" "$a" "$e"
    done
fi
finish
