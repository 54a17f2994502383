#!/bin/sh
# Odd-sized 4:2:0 video re-encoded with --rgb h264 (libx264 codes whole
# chroma samples, so the writer pads a column and a row; readers crop
# them). Oracle: ffmpeg decodes the remuxed stream (the coded, padded
# size), numpy crops the planes to the visible size, and ffmpeg's framemd5
# of the cropped frames must equal synapt-convert --to framemd5, frame for
# frame. On a made 65x37 clip, then on the real Something-Something v2
# sample (427x240) when ../shared/realdata is there.
. "$(dirname "$0")/../lib.sh"
need_cmd ffmpeg ffprobe
py_has numpy || skip_all "needs /usr/bin/python3 with numpy"

# crop_md5 MEDIA CODED_W CODED_H W H: ffmpeg's framemd5 of the cropped frames
crop_md5() {
    ffmpeg -nostdin -v error -i "$1" -f rawvideo -pix_fmt yuv420p - |
    $PY -c "
import sys
import numpy as np
W, H, w, h = map(int, sys.argv[1:5])
cw, ch, vw, vh = (W + 1) // 2, (H + 1) // 2, (w + 1) // 2, (h + 1) // 2
size = W * H + 2 * cw * ch
inp, out = sys.stdin.buffer, sys.stdout.buffer
while True:
    b = inp.read(size)
    if len(b) < size:
        break
    a = np.frombuffer(b, np.uint8)
    y = a[:W * H].reshape(H, W)[:h, :w]
    u = a[W * H:W * H + cw * ch].reshape(ch, cw)[:vh, :vw]
    v = a[W * H + cw * ch:].reshape(ch, cw)[:vh, :vw]
    out.write(y.tobytes() + u.tobytes() + v.tobytes())
" "$2" "$3" "$4" "$5" |
    ffmpeg -nostdin -v error -f rawvideo -pix_fmt yuv420p -s "$4x$5" -i - -f framemd5 - |
    grep -v '^#' | awk -F, '{ gsub(/ /, "", $NF); print NR - 1, $NF }'
}

# check NAME SRC CLIP W H: pack, compare sizes and every frame's md5
check_pad() {
    name=$1 src=$2 clip=$3 w=$4 h=$5
    if ! synapt-pack -q -o "$T/$name.synapt" --rgb h264 --gop 4 "$src" 2> "$T/$name.err"; then
        fail "$name" "synapt-pack --rgb h264: $(cat "$T/$name.err")"
        return
    fi
    synapt-convert "$T/$name.synapt" --to framemd5 --clip "$clip" > "$T/$name.sy" 2>> "$T/$name.err"
    synapt-convert "$T/$name.synapt" --to video --clip "$clip" -o "$T/$name.mp4" 2>> "$T/$name.err"
    size=$(ffprobe -v error -show_entries stream=width,height -of csv=p=0:s=x "$T/$name.mp4")
    cw=$(( (w + 1) / 2 * 2 )) ch=$(( (h + 1) / 2 * 2 ))
    if [ "$size" != "${cw}x$ch" ]; then
        fail "$name" "the remuxed stream is '$size', not the padded ${cw}x$ch: $(cat "$T/$name.err")"
        return
    fi
    crop_md5 "$T/$name.mp4" "$cw" "$ch" "$w" "$h" > "$T/$name.ff"
    n=$(lines "$T/$name.sy")
    if [ "$n" -gt 0 ] && cmp -s "$T/$name.sy" "$T/$name.ff" &&
       [ "$n" = "$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames \
                   -of csv=p=0 "$src")" ]; then
        pass "$name"
    else
        fail "$name" "$n frames; synapt's md5 differ from ffmpeg's cropped decode: $(diff "$T/$name.sy" "$T/$name.ff" | head -3)"
    fi
}

ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=66x38:rate=12 -vf scale=65:37,format=yuv420p \
    -frames:v 10 -c:v libvpx-vp9 -deadline realtime -cpu-used 8 "$T/odd.webm" ||
    fatal odd_pad_made "ffmpeg could not make a 65x37 VP9 clip"
check_pad odd_pad_made_65x37 "$T/odd.webm" odd 65 37

if realdata odd_pad_ssv2 videos/ssv2_vp9_427x240.webm; then
    check_pad odd_pad_ssv2_427x240 "$R/videos/ssv2_vp9_427x240.webm" ssv2_vp9_427x240 427 240
fi
finish
