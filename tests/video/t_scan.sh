#!/bin/sh
# Copy-mode import without decoding (libsynapt/video_scan.c). For every
# stream the header scan accepts, synapt-pack must write the same file as
# --full-decode (which decodes every packet and checks every keyframe with a
# second decoder); streams it must not accept (open GOP, edit lists, AVI
# without presentation times) must fall back to decoding. The frame count is
# checked against ffprobe -count_frames and the frames against ffmpeg's
# framemd5. H.264 from libx264 in many shapes: B-pyramids, no B-frames (POC
# type 2), slices, scaling matrices, 4:4:4, 10-bit, MBAFF, all-intra, in
# mp4, mkv and MPEG-TS (Annex B); MJPEG in AVI; VP9 (superframes with
# hidden alt-ref frames, lossless 4:4:4); MPEG-4 Part 2 (repeated VOL
# headers, quarter-pel, B-VOPs in closed GOPs, DivX packed B-frames
# unpacked at import); the real samples.
. "$(dirname "$0")/../lib.sh"
need_cmd ffmpeg ffprobe

SRC="-nostdin -v error -y -f lavfi -i testsrc2=size=160x120:rate=25:duration=2"
make_clip() { # NAME ARGS...: the clip $T/NAME from testsrc2
    n=$1; shift
    # shellcheck disable=SC2086
    ffmpeg $SRC "$@" "$T/$n" 2> "$T/$n.ffmpeg" || { skip "scan_$n" "ffmpeg cannot make it: $(head -c 200 "$T/$n.ffmpeg")"; return 1; }
}

# same NAME FILE WAY [PARAMS]: pack twice, compare, check the way the map
# was built (WAY: scan or decode) and the frames against ffmpeg; PARAMS
# (hdr or probe) is where the stream parameters must have come from: the
# bitstream headers and the container (libsynapt/video_probe.c) or
# avformat_find_stream_info, which --full-decode always runs
same() {
    name=$1 f=$2 way=$3 params=${4:-}
    if ! synapt-pack -v -o "$T/$name.scan.synapt" "$f" > /dev/null 2> "$T/$name.log"; then
        fail "scan_$name" "synapt-pack: $(tail -n 1 "$T/$name.log")"
        return
fi
    if ! synapt-pack -q --full-decode -o "$T/$name.full.synapt" "$f" 2> "$T/$name.err"; then
        fail "scan_$name" "synapt-pack --full-decode: $(cat "$T/$name.err")"
        return
fi
    case $way in
        scan) pat="frame map from a scan" ;;
        decode) pat="frame map by decoding" ;;
    esac
    if ! grep -q "$pat" "$T/$name.log"; then
        fail "scan_$name" "expected '$pat' in: $(grep 'frame map' "$T/$name.log")"
        return
fi
    if [ "$params" = hdr ] && ! grep -q "stream parameters from the headers" "$T/$name.log"; then
        fail "scan_$name" "the stream parameters did not come from the headers: $(grep -v 'ignoring' "$T/$name.log" | head -n 3)"
        return
fi
    if [ "$params" = probe ] && grep -q "stream parameters from the headers" "$T/$name.log"; then
        fail "scan_$name" "the stream parameters came from the headers, not the probe"
        return
fi
    if ! cmp -s "$T/$name.scan.synapt" "$T/$name.full.synapt"; then
        fail "scan_$name" "the scanned and the fully decoded import differ"
        return
fi
    clip=$(basename "$f"); clip=${clip%.*}
    want=$(ffprobe -v error -select_streams v:0 -count_frames -show_entries stream=nb_read_frames -of csv=p=0 "$f" | head -n 1)
    have=$(synapt-inspect "$T/$name.scan.synapt" --clip "$clip" | sed -n 's/.*, \([0-9]*\) frames from.*/\1/p')
    if [ "$want" != "$have" ]; then
        fail "scan_$name" "ffprobe counts $want frames, the import $have"
        return
fi
    ffmpeg -nostdin -v error -i "$f" -map 0:v:0 -f framemd5 - | grep -v '^#' |
        awk -F, '{ gsub(/ /, "", $NF); print $NF }' > "$T/$name.ff"
    synapt-convert "$T/$name.scan.synapt" --clip "$clip" --to framemd5 2> "$T/$name.err" |
        cut -d' ' -f2 > "$T/$name.sy"
    if ! cmp -s "$T/$name.ff" "$T/$name.sy"; then
        fail "scan_$name" "frames differ from ffmpeg's framemd5 ($(lines "$T/$name.ff") vs $(lines "$T/$name.sy") lines) $(cat "$T/$name.err")"
        return
fi
    pass "scan_$name ($way, $have frames)"
}

# windows NAME SRC FILE A:B...: frames A..B-1 read from FILE (a fresh read
# each, so a B-VOP before the window may be skipped) are ffmpeg's frames of SRC
windows() {
    name=$1 src=$2 file=$3; shift 3
    clip=$(basename "$src"); clip=${clip%.*}
    ffmpeg -nostdin -v error -i "$src" -map 0:v:0 -f framemd5 - | grep -v '^#' |
        awk -F, '{ gsub(/ /, "", $NF); print NR - 1, $NF }' > "$T/$name.ff"
    : > "$T/$name.err"
    for w in "$@"; do
        a=${w%:*} b=${w#*:}
        synapt-convert "$file" --clip "$clip" --to framemd5 --frames "$w" > "$T/$name.got" 2>> "$T/$name.err" ||
            echo "window $w: synapt-convert failed" >> "$T/$name.err"
        awk -v a="$a" -v b="$b" '$1 >= a && $1 < b' "$T/$name.ff" > "$T/$name.want"
        cmp -s "$T/$name.want" "$T/$name.got" || echo "window $w differs from ffmpeg's framemd5" >> "$T/$name.err"
    done
    if [ -s "$T/$name.err" ]; then fail "$name" "$(head -n 3 "$T/$name.err")"; else pass "$name ($# windows)"; fi
}

X="-c:v libx264 -g 12"
# shellcheck disable=SC2086
{
make_clip bpyr.mp4 $X -x264-params b-pyramid=normal && same bpyr "$T/bpyr.mp4" scan hdr
make_clip nob.mp4 $X -bf 0 && same nob "$T/nob.mp4" scan hdr
# stream parameters read from the SPS instead of a probe decode: each must
# come out as avformat_find_stream_info has it (aspect ratios from the
# table and extended, full range and its pixel format, colour from the VUI
# over the container's colr box, chroma siting, a crop to an odd size,
# parameter sets repeated in the packets); with picture timing SEI the
# field order needs the probe
make_clip full.mp4 $X -vf scale=out_range=full -pix_fmt yuvj420p -colorspace bt709 -color_primaries bt709 \
    -color_trc bt709 -movflags +write_colr && same full_range "$T/full.mp4" scan hdr
make_clip sar.mp4 $X -profile:v baseline -vf scale=162:118,setsar=7/5 -x264-params chromaloc=2 &&
    same sar_crop_baseline "$T/sar.mp4" scan hdr
make_clip extra.mp4 $X -profile:v main -vf setsar=4/3 -bsf:v dump_extra && same inband_sps "$T/extra.mp4" scan hdr
make_clip pics.mp4 $X -x264-params pic-struct=1 && same pic_struct "$T/pics.mp4" scan probe
# the scan reads the main demuxer and keeps a short clip's packets for the
# copy; past 2 MiB the file is read again (noise makes these 5-6 MB)
BIG="-nostdin -v error -y -f lavfi -i testsrc2=size=320x240:rate=25:duration=2 -vf noise=alls=50:allf=t"
ffmpeg $BIG -c:v libx264 -g 12 -qp 4 "$T/big.mp4" 2> /dev/null && same big_mp4 "$T/big.mp4" scan hdr
# Under ASan/UBSan (the same scanner code; fuzz_vscan covers its memory
# safety) the rarer H.264 shapes are left to the plain build's run, which
# keeps the sanitizer job inside CI's time budget.
if ! sanitized; then
    make_clip deep.mp4 $X -x264-params bframes=5:b-pyramid=strict:weightp=2 && same deep "$T/deep.mp4" scan
    make_clip slices.mp4 $X -x264-params slices=4 && same slices "$T/slices.mp4" scan
    make_clip cqm.mp4 $X -x264-params cqm=jvt && same cqm "$T/cqm.mp4" scan
    make_clip p444.mp4 $X -pix_fmt yuv444p && same p444 "$T/p444.mp4" scan
    make_clip p10.mp4 $X -pix_fmt yuv420p10le && same p10 "$T/p10.mp4" scan
    make_clip mbaff.mp4 $X -flags +ildct+ilme -x264-params tff=1 && same mbaff "$T/mbaff.mp4" scan
    make_clip intra.mp4 -c:v libx264 -g 1 && same intra "$T/intra.mp4" scan
    make_clip vp9ll.mkv -c:v libvpx-vp9 -g 12 -lossless 1 -pix_fmt yuv444p -deadline realtime -cpu-used 8 &&
        same vp9_lossless "$T/vp9ll.mkv" scan
    make_clip m4q.avi -c:v mpeg4 -vtag DX50 -g 12 -flags +qpel+mv4 && same mpeg4_qpel "$T/m4q.avi" scan
    make_clip m4.mp4 -c:v mpeg4 -g 12 && same mpeg4_mp4 "$T/m4.mp4" scan
    ffmpeg $BIG -c:v mpeg4 -vtag xvid -g 12 -q:v 1 "$T/big.avi" 2> /dev/null && same big_avi "$T/big.avi" scan
fi
make_clip mkv.mkv $X && same mkv "$T/mkv.mkv" scan
make_clip annexb.ts $X && same annexb "$T/annexb.ts" scan
make_clip mjpeg.avi -c:v mjpeg && same mjpeg "$T/mjpeg.avi" scan
make_clip vp9.webm -c:v libvpx-vp9 -g 12 -deadline realtime -cpu-used 8 && same vp9 "$T/vp9.webm" scan hdr
# VP9's profile, pixel format and colour from the first key frame instead
# of a probe decode: 10-bit (profile 2), and 4:2:2 with full range and
# BT.709 (profile 1)
make_clip vp9p10.webm -c:v libvpx-vp9 -g 12 -deadline realtime -cpu-used 8 -pix_fmt yuv420p10le &&
    same vp9_10bit "$T/vp9p10.webm" scan hdr
make_clip vp9422.mkv -c:v libvpx-vp9 -g 12 -deadline realtime -cpu-used 8 -pix_fmt yuv422p -color_range pc \
    -colorspace bt709 && same vp9_422_full_range "$T/vp9422.mkv" scan hdr
make_clip vp9arf.webm -c:v libvpx-vp9 -g 25 -deadline good -cpu-used 5 -auto-alt-ref 1 -lag-in-frames 16 &&
    same vp9_altref "$T/vp9arf.webm" scan
make_clip m4.avi -c:v mpeg4 -vtag xvid -g 12 && same mpeg4_avi "$T/m4.avi" scan
# MPEG-4 B-VOPs, closed GOPs: the decoder holds each I/P-VOP back by one
make_clip m4bc.avi -c:v mpeg4 -vtag xvid -bf 2 -g 12 -flags +cgop -sc_threshold 1000000000 &&
    same mpeg4_bframes_cgop "$T/m4bc.avi" scan
make_clip m4bc.mp4 -c:v mpeg4 -bf 1 -g 10 -flags +cgop -sc_threshold 1000000000 &&
    same mpeg4_bframes_cgop_mp4 "$T/m4bc.mp4" scan
# not provable from headers: the import decodes (open GOPs: B-VOPs after a
# keyframe that refer to the GOP before it)
make_clip m4b.avi -c:v mpeg4 -vtag xvid -bf 2 -g 12 && same mpeg4_bframes "$T/m4b.avi" decode
# B-VOPs already one per packet go through the unpacker unchanged and are
# marked, so windows skip the B-VOPs before them, across open-GOP restarts
for pair in m4b:mpeg4_bframes m4bc:mpeg4_bframes_cgop; do
    n=${pair%:*} f="$T/${pair#*:}.scan.synapt"
    [ -f "$f" ] || continue
    if synapt-inspect "$f" --clip "$n" --json | grep -q '"bsf":"mpeg4_unpack_bframes"'; then
        pass "scan_${n}_marked"
    else
        fail "scan_${n}_marked" "no bsf member in codec_config"
    fi
    windows "scan_${n}_windows" "$T/$n.avi" "$f" 0:16 5:21 13:29 30:46 47:50 49:50
done
make_clip opengop.mp4 -c:v libx264 -x264-params open-gop=1:keyint=12 && same opengop "$T/opengop.mp4" decode
make_clip avi.avi $X && same avi_h264 "$T/avi.avi" decode
if [ -f "$T/mkv.mkv" ]; then
    # an edit list that starts inside a GOP: the leading packets are discarded
    ffmpeg -nostdin -v error -y -ss 0.5 -i "$T/mkv.mkv" -c copy "$T/edit.mp4" 2> /dev/null &&
        same edit "$T/edit.mp4" decode
fi
}

# Damage inside slice data (bytes zeroed mid-file, headers intact) is what
# the scan cannot see: the stream still packs either way, and only
# --full-decode's keyframe check can refuse a start point whose concealed
# frame differs from the sequential decode's (the documented trade).
if [ -f "$T/nob.mp4" ]; then
    cp "$T/nob.mp4" "$T/dmg.mp4"
    size=$(wc -c < "$T/dmg.mp4")
    dd if=/dev/zero of="$T/dmg.mp4" bs=1 seek=$((size / 2)) count=600 conv=notrunc 2> /dev/null
    run scan_damaged_packs synapt-pack -q -o "$T/dmg.synapt" "$T/dmg.mp4"
    expect_rc scan_damaged_packs 0 && pass scan_damaged_packs
    run scan_damaged_full synapt-pack --full-decode -o "$T/dmg2.synapt" "$T/dmg.mp4"
    expect_rc scan_damaged_full 0 && pass scan_damaged_full
fi

# --full-decode outside copy mode is refused, not ignored
run scan_full_decode_needs_copy synapt-pack --full-decode --rgb h264 -o "$T/x.synapt" "$T/nob.mp4"
expect_rc scan_full_decode_needs_copy 2 && pass scan_full_decode_needs_copy

if realdata scan_real videos; then
    for f in "$R"/videos/*; do
        n=$(basename "$f"); n=${n%.*}
        case $n in
            mmpose_h264_5frames|openpose_mp4_named_avi_aac|stub_mjpeg|ssv2_vp9_427x240|paddle_example_xvid|ucf_style_xvid_mp3)
                same "real_$n" "$f" scan ;;
            *) same "real_$n" "$f" decode ;;
        esac
    done
    # DivX packed B-frames (a P-VOP and a B-VOP in one AVI chunk): stored
    # as mpeg4_unpack_bframes gives them, one VOP per packet, which the
    # reader may skip; windows read that way are ffmpeg's frames
    u="$T/real_ucf_style_xvid_mp3.scan.synapt"
    if [ -f "$u" ]; then
        if grep -q 'B-frames unpacked' "$T/real_ucf_style_xvid_mp3.log" &&
            synapt-inspect "$u" --clip ucf_style_xvid_mp3 --json | grep -q '"bsf":"mpeg4_unpack_bframes"'; then
            pass scan_unpack_marked
        else
            fail scan_unpack_marked "no unpacking recorded: $(grep 'frame map' "$T/real_ucf_style_xvid_mp3.log")"
        fi
        windows scan_unpack_windows "$R/videos/ucf_style_xvid_mp3.avi" "$u" 0:16 37:53 100:116 150:164 163:164
        # damaged copies (cut in half; 3 KB zeroed; 20 KB of noise): each
        # packs, unpacked or not, to exactly the frames ffmpeg decodes
        f="$R/videos/ucf_style_xvid_mp3.avi"
        size=$(wc -c < "$f")
        mkdir -p "$T/dmg"
        head -c $((size / 2)) "$f" > "$T/dmg/cut.avi"
        cp "$f" "$T/dmg/zeroed.avi"; chmod u+w "$T/dmg/zeroed.avi"
        dd if=/dev/zero of="$T/dmg/zeroed.avi" bs=1 seek=$((size / 3)) count=3000 conv=notrunc 2> /dev/null
        cp "$f" "$T/dmg/noise.avi"; chmod u+w "$T/dmg/noise.avi"
        awk 'BEGIN { srand(7); for (i = 0; i < 20000; i++) printf "%c", int(rand() * 255) + 1 }' |
            dd of="$T/dmg/noise.avi" bs=1 seek=$((size / 4)) conv=notrunc 2> /dev/null
        for d in cut zeroed noise; do
            if ! synapt-pack -q -o "$T/dmg/$d.synapt" "$T/dmg/$d.avi" 2> "$T/dmg/$d.err"; then
                fail "scan_unpack_damaged_$d" "synapt-pack: $(tail -n 1 "$T/dmg/$d.err")"
                continue
            fi
            ffmpeg -nostdin -v quiet -i "$T/dmg/$d.avi" -map 0:v:0 -f framemd5 - | grep -v '^#' |
                awk -F, '{ gsub(/ /, "", $NF); print $NF }' > "$T/dmg/$d.ff"
            synapt-convert "$T/dmg/$d.synapt" --clip "$d" --to framemd5 2> /dev/null | cut -d' ' -f2 > "$T/dmg/$d.sy"
            if [ -s "$T/dmg/$d.ff" ] && cmp -s "$T/dmg/$d.ff" "$T/dmg/$d.sy"; then
                pass "scan_unpack_damaged_$d ($(lines "$T/dmg/$d.sy") frames)"
            else
                fail "scan_unpack_damaged_$d" "frames differ from ffmpeg's ($(lines "$T/dmg/$d.ff") vs $(lines "$T/dmg/$d.sy"))"
            fi
        done
    fi
fi
finish
