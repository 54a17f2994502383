#!/bin/sh
# Two --to video fixes checked with ffmpeg/ffprobe as the oracle:
# - image streams (synapt-synth --rgb raw) are encoded instead of refused:
#   .mkv (ffv1, bgr0) decodes to exactly the frames --to npy gives, .mp4
#   (H.264) has every frame;
# - a full-range source packed with --rgb ffv1 keeps its full range (it
#   used to be squeezed into 16..235 while still tagged full range).
. "$(dirname "$0")/../lib.sh"
need_cmd ffmpeg ffprobe
py_has numpy || skip_all "needs /usr/bin/python3 with numpy"

synapt-synth -q -o "$T/raw.synapt" --rgb raw --classes 1 --clips-per-class 1 --frames 8 --size 64x48
synapt-convert "$T/raw.synapt" --to npy --clip walk_0000 --stream rgb -o "$T/rgb.npy"
if synapt-convert "$T/raw.synapt" --to video --clip walk_0000 -o "$T/raw.mkv" 2> "$T/mkv.err" &&
   ffmpeg -v error -i "$T/raw.mkv" -f rawvideo -pix_fmt rgb24 - > "$T/mkv.rgb" &&
   $PY -c "
import numpy as np, sys
a = np.load('$T/rgb.npy')
b = np.fromfile('$T/mkv.rgb', np.uint8)
sys.exit(0 if b.size == a.size and np.array_equal(a.ravel(), b) else 1)"; then
    pass video_image_stream_mkv_lossless
else fail video_image_stream_mkv_lossless "$(cat "$T/mkv.err")"; fi
n=$(synapt-convert "$T/raw.synapt" --to video --clip walk_0000 -o "$T/raw.mp4" 2> "$T/mp4.err" &&
    ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$T/raw.mp4")
if [ "$n" = 8 ]; then pass video_image_stream_mp4; else fail video_image_stream_mp4 "ffprobe counts '$n' frames: $(cat "$T/mp4.err")"; fi

ffmpeg -nostdin -v error -y -f lavfi -i testsrc=size=128x96:rate=25 -frames:v 10 -c:v libx264 \
    -pix_fmt yuvj420p "$T/full.mp4"
if synapt-pack -q -o "$T/full.synapt" --rgb ffv1 "$T/full.mp4" 2> "$T/full.err" &&
   synapt-convert "$T/full.synapt" --to video --clip full -o "$T/full.mkv" 2>> "$T/full.err" &&
   [ "$(ffmpeg -v error -i "$T/full.mp4" -f rawvideo -pix_fmt rgb24 - | md5sum)" = \
     "$(ffmpeg -v error -i "$T/full.mkv" -f rawvideo -pix_fmt rgb24 - | md5sum)" ] &&
   ffprobe -v error -show_entries stream=color_range -of csv=p=0 "$T/full.mkv" | grep -q pc; then
    pass video_ffv1_keeps_full_range
else fail video_ffv1_keeps_full_range "the ffv1 copy does not decode to the source's RGB: $(cat "$T/full.err")"; fi
finish
