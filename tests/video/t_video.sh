#!/bin/sh
# CLI tests for video: synapt-pack from plain videos and from a manifest,
# -v naming the ignored audio stream, re-encode options, usage errors (exit
# 2); synapt-convert --to framemd5 against ffmpeg's framemd5 (whole clip and
# --frames ranges) and --to video remuxing to .mkv/.mp4 with every frame
# unchanged. Sources are made with the ffmpeg CLI; real files are used when
# $SYNAPT_REALDATA is set.
. "$(dirname "$0")/../lib.sh"
mkdir -p "$T/media"
# ffmpeg's per-frame md5s, one per line
ffmd5() { ffmpeg -nostdin -v error -i "$1" -map 0:v:0 -f framemd5 - | grep -v '^#' | sed 's/.*, *//'; }

need_cmd ffmpeg
need_built bin/synapt-pack bin/synapt-convert bin/synapt-inspect

M="$T/media"
ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=128x96:rate=25 -f lavfi -i sine=d=2 -t 2 \
    -c:v libx264 -bf 3 -g 30 -pix_fmt yuv420p -c:a aac -shortest "$M/walk_a.mp4" &&
ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=96x64:rate=25 -t 2 -c:v mpeg4 -bf 2 -g 12 "$M/run_b.avi" &&
ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=96x64:rate=25 -t 1 -c:v libvpx-vp9 -deadline realtime "$M/jump_c.webm" ||
    fatal video_sources "ffmpeg could not make the test videos"

# ---- plain videos, -v says what is ignored
run pack_plain synapt-pack -v -o "$T/plain.synapt" "$M/walk_a.mp4" "$M/run_b.avi" "$M/jump_c.webm"
if [ $rc -eq 0 ] && grep -q "ignoring stream #1 (audio aac)" "$T/pack_plain.err"; then
    pass pack_plain_videos
else
    fail pack_plain_videos "rc=$rc $(head -c 400 "$T/pack_plain.err")"
fi

# ---- framemd5 of every clip equals ffmpeg's, and a --frames range
ok=1
for c in walk_a run_b jump_c; do
    src=$(ls "$M/$c".*)
    ffmd5 "$src" > "$T/$c.ff"
    synapt-convert "$T/plain.synapt" --to framemd5 --clip "$c" > "$T/$c.ours" 2> "$T/$c.err" || ok=0
    cut -d' ' -f2 "$T/$c.ours" | cmp -s - "$T/$c.ff" || { ok=0; echo "  $c: framemd5 differs"; }
    # the frame indices count from 0
    [ "$(head -n1 "$T/$c.ours" | cut -d' ' -f1)" = 0 ] || ok=0
done
[ $ok = 1 ] && pass convert_framemd5_matches_ffmpeg || fail convert_framemd5_matches_ffmpeg "see above"

run range synapt-convert "$T/plain.synapt" --to framemd5 --clip walk_a --stream rgb --frames 17:23
if [ $rc -eq 0 ] && [ "$(wc -l < "$T/range.out")" -eq 6 ] && [ "$(head -n1 "$T/range.out" | cut -d' ' -f1)" = 17 ] &&
   [ "$(cut -d' ' -f2 "$T/range.out")" = "$(sed -n 18,23p "$T/walk_a.ff")" ]; then
    pass convert_framemd5_range
else
    fail convert_framemd5_range "rc=$rc $(cat "$T/range.err")"
fi

# ---- --to video: remux keeps every frame
ok=1
for c in walk_a run_b; do
    for ext in mkv mp4; do
        synapt-convert "$T/plain.synapt" --to video --clip "$c" -o "$T/$c.out.$ext" 2> "$T/$c.$ext.err" || { ok=0; cat "$T/$c.$ext.err"; continue; }
        ffmd5 "$T/$c.out.$ext" | cmp -s - "$T/$c.ff" || { ok=0; echo "  $c -> $ext: frames differ"; }
    done
done
[ $ok = 1 ] && pass convert_video_remux || fail convert_video_remux "see above"
ls "$T"/*.tmp-* >/dev/null 2>&1 && fail convert_video_no_temp "temporary files left" || pass convert_video_no_temp

# ---- manifest with labels, re-encoded and resized
cat > "$T/media/list.jsonl" <<EOM
{"video": "walk_a.mp4", "id": "w1", "label": "walk", "split": "train", "source": "synthetic-test", "synthetic": true, "group": "g1"}
{"video": "run_b.avi", "id": "r1", "label": ["run", "fast"], "split": "val", "source": "synthetic-test", "synthetic": true, "group": "g2"}
EOM
run pack_manifest synapt-pack -q -o "$T/man.synapt" --rgb h264 --gop 8 --short-side 64 "$M/list.jsonl"
if [ $rc -eq 0 ] && synapt-inspect --clips --json "$T/man.synapt" > "$T/clips.json" 2>&1 &&
   grep -q '"id":"w1"' "$T/clips.json" && grep -q '"walk"' "$T/clips.json" && grep -q '"height":64' "$T/clips.json"; then
    pass pack_manifest_reencode
else
    fail pack_manifest_reencode "rc=$rc $(head -c 300 "$T/pack_manifest.err") $(head -c 300 "$T/clips.json")"
fi
# frame counts survive the re-encode
n1=$(synapt-convert "$T/man.synapt" --to framemd5 --clip w1 | wc -l)
[ "$n1" -eq "$(wc -l < "$T/walk_a.ff")" ] && pass pack_reencode_frame_count || fail pack_reencode_frame_count "$n1 frames"

# ---- usage errors exit 2; bad inputs exit 1 naming the file
run u1 synapt-pack -o "$T/x.synapt" --rgb nope "$M/walk_a.mp4"
[ $rc -eq 2 ] && pass pack_usage_bad_mode || fail pack_usage_bad_mode "rc=$rc"
run u2 synapt-pack -o "$T/x.synapt" --short-side 64 "$M/walk_a.mp4"
[ $rc -eq 2 ] && pass pack_usage_resize_needs_reencode || fail pack_usage_resize_needs_reencode "rc=$rc"
run u3 synapt-convert "$T/plain.synapt" --to video --clip walk_a
[ $rc -eq 2 ] && pass convert_video_needs_output || fail convert_video_needs_output "rc=$rc"
head -c 3000 /dev/urandom > "$M/junk.mp4"
run bad synapt-pack -o "$T/bad.synapt" "$M/junk.mp4"
if [ $rc -eq 1 ] && grep -q "junk.mp4" "$T/bad.err" && [ ! -e "$T/bad.synapt" ]; then
    pass pack_bad_video_names_file
else
    fail pack_bad_video_names_file "rc=$rc $(cat "$T/bad.err")"
fi

# ---- real files, when present
if realdata real_videos_framemd5 videos; then
    run real synapt-pack -q -o "$T/real.synapt" "$R"/videos/*
    ok=$([ $rc -eq 0 ] && echo 1 || echo 0)
    for f in "$R"/videos/*; do
        id=$(basename "$f"); id=${id%.*}
        ffmd5 "$f" > "$T/real.ff"
        synapt-convert "$T/real.synapt" --to framemd5 --clip "$id" 2>/dev/null | cut -d' ' -f2 | cmp -s - "$T/real.ff" ||
            { ok=0; echo "  $id: framemd5 differs"; }
    done
    [ $ok = 1 ] && pass real_videos_framemd5 || fail real_videos_framemd5 "rc=$rc $(head -c 300 "$T/real.err")"
fi

# ---- a file whose tail is gone: the frames before the cut, and a warning
ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=96x64:rate=25 -t 4 -c:v libvpx-vp9 \
    -deadline realtime "$M/long.webm" &&
head -c $(( $(wc -c < "$M/long.webm") * 6 / 10 )) "$M/long.webm" > "$M/cut.webm"
run cut synapt-pack -o "$T/cut.synapt" "$M/cut.webm"
frames=$(synapt-inspect --clips --json "$T/cut.synapt" 2>/dev/null | sed -n 's/.*"frames":\([0-9]*\).*/\1/p')
if [ $rc -eq 0 ] && grep -q "cut.webm: warning: unreadable data after" "$T/cut.err" &&
   [ -n "$frames" ] && [ "$frames" -gt 10 ] && [ "$frames" -lt 100 ]; then
    pass pack_cut_tail_warns
else
    fail pack_cut_tail_warns "rc=$rc frames=$frames $(head -c 300 "$T/cut.err")"
fi
run cutq synapt-pack -q -o "$T/cutq.synapt" "$M/cut.webm"
if [ $rc -eq 0 ] && [ ! -s "$T/cutq.err" ]; then pass pack_cut_tail_quiet
else fail pack_cut_tail_quiet "rc=$rc $(head -c 300 "$T/cutq.err")"; fi

finish
