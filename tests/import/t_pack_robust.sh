#!/bin/sh
# t_pack_robust.sh - synapt-pack's run behaviour: --keep-going with a corrupt
# video and a malformed manifest line (exit 3 + JSON report; without it exit
# 1 and no output), identical bytes whatever --threads, --shard K/N whose
# union is the whole with no overlap, --max-shard-bytes roll-over, and the
# --on-mismatch policies.
. "$(dirname "$0")/../lib.sh"
need_cmd ffmpeg
need_built bin/synapt-pack bin/synapt-inspect
nclips() { synapt-inspect --json "$1" | grep -o '"clips":[0-9]*' | head -n 1 | cut -d: -f2; }
ids() { for f in "$@"; do synapt-inspect --clips --json "$f"; done | grep -o '"id":"[^"]*"' | sort; }

# eight 12-frame clips, each a different picture
i=0
: > "$T/all.jsonl"
while [ $i -lt 8 ]; do
    ffmpeg -nostdin -loglevel error -y -f lavfi -i "testsrc=size=64x48:rate=10" -vf "hue=h=$((i * 40))" \
        -frames:v 12 -c:v libx264 -pix_fmt yuv420p "$T/v$i.mp4" || fatal t_pack_robust "ffmpeg could not make the test videos"
    echo "{\"video\":\"v$i.mp4\",\"label\":\"c$((i % 3))\",\"split\":\"train\"}" >> "$T/all.jsonl"
    i=$((i + 1))
done

# ---- keep-going ----------------------------------------------------------
head -c 5000 /dev/urandom > "$T/corrupt.mp4"
{
    echo '{"video":"v0.mp4","label":"a"}'
    echo '{"video":"corrupt.mp4","label":"a"}'
    echo '{"video":"v1.mp4","label":"b"'
    echo '{"video":"v2.mp4","label":"b"}'
} > "$T/kg.jsonl"
synapt-pack -q -o "$T/kg.synapt" "$T/kg.jsonl" 2> "$T/kg.err"
rc=$?
if [ $rc = 1 ] && [ ! -e "$T/kg.synapt" ] && grep -q 'kg.jsonl:3: not valid JSON' "$T/kg.err"; then
    pass stop_at_first_bad_entry
else
    fail stop_at_first_bad_entry "exit $rc (want 1), message: $(cat "$T/kg.err")"
fi
sed -i '3d' "$T/kg.jsonl"
synapt-pack -q -o "$T/kg.synapt" "$T/kg.jsonl" 2> "$T/kg.err"
rc=$?
if [ $rc = 1 ] && [ ! -e "$T/kg.synapt" ] && grep -q 'corrupt.mp4' "$T/kg.err"; then
    pass stop_at_corrupt_video
else
    fail stop_at_corrupt_video "exit $rc (want 1, no output, message naming corrupt.mp4): $(cat "$T/kg.err")"
fi
echo '{"video":"v1.mp4","label":"b"' >> "$T/kg.jsonl"
synapt-pack -q -k -o "$T/kg.synapt" "$T/kg.jsonl" 2> "$T/kg.err"
rc=$?
rep=$T/kg.synapt.report.json
if [ $rc = 3 ] && [ "$(nclips "$T/kg.synapt")" = 2 ] && [ -s "$rep" ] &&
   grep -q '"schema":"synapt-pack-report/1"' "$rep" && grep -q '"skipped":2' "$rep" &&
   grep -q '"stage":"annotation".*"line":4.*"reason":"not valid JSON"' "$rep" &&
   grep -q '"stage":"pack".*"line":2,"id":"corrupt","reason":"[^"]*corrupt.mp4' "$rep"; then
    pass keep_going_report
else
    fail keep_going_report "exit $rc (want 3), report: $(cat "$rep" 2>/dev/null)"
fi

# ---- two entries with one id ------------------------------------------------
printf '%s\n' '{"video":"v0.mp4"}' '{"video":"v1.mp4","id":"v0"}' '{"video":"v2.mp4"}' > "$T/dup.jsonl"
synapt-pack -q -o "$T/dup.synapt" "$T/dup.jsonl" 2> "$T/dup.err"
rc=$?
synapt-pack -q -k -o "$T/dup.synapt" "$T/dup.jsonl" 2>/dev/null
rck=$?
if [ $rc = 1 ] && grep -q "dup.jsonl:2: clip id 'v0' already used at .*dup.jsonl:1" "$T/dup.err" &&
   [ $rck = 3 ] && [ "$(nclips "$T/dup.synapt")" = 2 ] && grep -q 'already used' "$T/dup.synapt.report.json"; then
    pass duplicate_ids
else
    fail duplicate_ids "exit $rc/$rck: $(cat "$T/dup.err")"
fi
# video arguments have no line: the message names the two files alone
mkdir -p "$T/dupa" "$T/dupb"
cp "$T/v0.mp4" "$T/dupa/same.mp4"
cp "$T/v1.mp4" "$T/dupb/same.mp4"
synapt-pack -q -o "$T/dupargs.synapt" "$T/dupa/same.mp4" "$T/dupb/same.mp4" 2> "$T/dupargs.err"
rc=$?
if [ $rc = 1 ] && grep -q "dupb/same.mp4: clip id 'same' already used at [^ ]*dupa/same.mp4\$" "$T/dupargs.err"; then
    pass duplicate_ids_arguments
else
    fail duplicate_ids_arguments "exit $rc: $(cat "$T/dupargs.err")"
fi

# ---- determinism over thread counts --------------------------------------
for j in 1 2 4; do
    synapt-pack -q -j $j -o "$T/j$j.synapt" "$T/all.jsonl" || fail "threads_$j" "pack failed"
done
if cmp -s "$T/j1.synapt" "$T/j2.synapt" && cmp -s "$T/j1.synapt" "$T/j4.synapt" &&
   [ "$(nclips "$T/j1.synapt")" = 8 ]; then
    pass threads_identical_bytes
else
    fail threads_identical_bytes "-j 1, 2 and 4 gave different files"
fi

# re-encoding too: x264's output depends on its own thread count, so the
# engine gives every clip one encoder thread whatever -j
synapt-pack -q -j 1 --rgb h264 -o "$T/h1.synapt" "$T/all.jsonl"
synapt-pack -q -j 3 --rgb h264 -o "$T/h3.synapt" "$T/all.jsonl"
if [ -s "$T/h1.synapt" ] && cmp -s "$T/h1.synapt" "$T/h3.synapt"; then
    pass threads_identical_bytes_h264
else
    fail threads_identical_bytes_h264 "--rgb h264 with -j 1 and -j 3 gave different files"
fi

# ---- shards: union is the whole, no overlap -------------------------------
for k in 0 1 2; do
    synapt-pack -q --shard $k/3 -o "$T/s$k.synapt" "$T/all.jsonl" || fail shard "shard $k/3 failed"
done
ids "$T/j1.synapt" > "$T/whole.ids"
ids "$T/s0.synapt" "$T/s1.synapt" "$T/s2.synapt" > "$T/union.ids"
if cmp -s "$T/whole.ids" "$T/union.ids" && [ "$(sort -u "$T/union.ids" | wc -l)" = 8 ]; then
    pass shard_union
else
    fail shard_union "shards 0..2 of 3 do not partition the 8 clips"
fi
# every shard carries the whole vocabulary in one order: label ids agree
lab() { synapt-inspect --json "$1" | grep -o '"labels":\[[^]]*\]' | head -n 1 | sed 's/"clips":[0-9]*//g'; }
if [ "$(lab "$T/s0.synapt")" = "$(lab "$T/j1.synapt")" ] && [ "$(lab "$T/s2.synapt")" = "$(lab "$T/j1.synapt")" ]; then
    pass shard_vocabulary
else
    fail shard_vocabulary "shards list different label vocabularies"
fi
synapt-pack -q --shard 1/3 -o "$T/s1b.synapt" "$T/all.jsonl"
if cmp -s "$T/s1.synapt" "$T/s1b.synapt"; then pass shard_repeatable; else fail shard_repeatable "same shard twice differs"; fi
if synapt-pack -q --shard 3/3 -o "$T/x.synapt" "$T/all.jsonl" 2>/dev/null; [ $? = 2 ]; then
    pass shard_usage
else
    fail shard_usage "--shard 3/3 must be a usage error (K is 0..N-1)"
fi

# ---- roll-over ---------------------------------------------------------------
synapt-pack -q --max-shard-bytes 20000 -o "$T/roll.synapt" "$T/all.jsonl"
set -- "$T"/roll-*.synapt
if [ -e "$T/roll-00000.synapt" ] && [ -e "$T/roll-00001.synapt" ] && [ ! -e "$T/roll.synapt" ] &&
   [ "$(ids "$@" | wc -l)" = 8 ] && cmp -s "$T/whole.ids" "$(ids "$@" > "$T/roll.ids"; echo "$T/roll.ids")"; then
    pass max_shard_bytes
else
    fail max_shard_bytes "expected roll-00000.synapt, roll-00001.synapt, ... holding the 8 clips"
fi
# ... and roll.synapt.json, the manifest that reads them as one dataset
if [ -e "$T/roll.synapt.json" ] && synapt-inspect -q --verify "$T/roll.synapt.json" &&
   [ "$(synapt-inspect --clips --json "$T/roll.synapt.json" | wc -l)" = 8 ] &&
   [ "$(synapt-inspect "$T/roll.synapt.json" | grep -c '^roll-0000[0-9].synapt ')" = "$#" ]; then
    pass max_shard_bytes_manifest
else
    fail max_shard_bytes_manifest "roll.synapt.json missing, or not the $# shards and their 8 clips"
fi

# ---- image folders --------------------------------------------------------------
# a numbered JPEG sequence is stored as an MJPEG stream, JPEG files byte for
# byte; a folder of other names is stored as decoded images
mkdir -p "$T/seq" "$T/loose"
ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc=size=64x48:rate=10 -frames:v 6 -start_number 1 "$T/seq/%05d.jpg"
ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc=size=64x48:rate=10 -frames:v 1 "$T/loose/first.png"
cp "$T/loose/first.png" "$T/loose/second.png"
printf '%s\n' '{"frames":"seq","label":"a"}' '{"frames":"loose","label":"b"}' > "$T/img.jsonl"
if synapt-pack -q -o "$T/img.synapt" "$T/img.jsonl" &&
   synapt-inspect --clip seq "$T/img.synapt" | grep -q 'rgb: video .*codec mjpeg, 6 frames' &&
   synapt-inspect --clip loose "$T/img.synapt" | grep -q 'rgb: image u8 (48, 64, 3).* 2 frames'; then
    pass image_folders
else
    fail image_folders "JPEG sequence as mjpeg (copy), other folders as decoded images"
fi

# ---- a folder of class folders of videos -----------------------------------------
mkdir -p "$T/tree/walk" "$T/tree/run"
cp "$T/v0.mp4" "$T/tree/walk/a.mp4"
cp "$T/v1.mp4" "$T/tree/run/b.mp4"
cp "$T/v2.mp4" "$T/tree/c.mp4"
if synapt-pack -q -o "$T/tree.synapt" "$T/tree" &&
   synapt-inspect --clips --json "$T/tree.synapt" | grep -q '"id":"run/b","labels":\["run"\],"label_ids":\[0\]' &&
   synapt-inspect --clips --json "$T/tree.synapt" | grep -q '"id":"c","labels":\[\]'; then
    pass video_folder
else
    fail video_folder "class folders give labels (alphabetical ids), loose videos none"
fi

# ---- frame alignment -------------------------------------------------------
echo '{"video":"v0.mp4","label":"a","frame_labels":[0,0,-1,-1,0]}' > "$T/mis.jsonl"
synapt-pack -q -o "$T/mis.synapt" "$T/mis.jsonl" 2> "$T/mis.err"
rc=$?
if [ $rc = 1 ] && grep -q 'clip v0: frame_labels has 5 frames but the video has 12' "$T/mis.err" &&
   [ ! -e "$T/mis.synapt" ]; then
    pass mismatch_error
else
    fail mismatch_error "exit $rc: $(cat "$T/mis.err")"
fi
if synapt-pack -q --on-mismatch pad -o "$T/mis.synapt" "$T/mis.jsonl" &&
   synapt-inspect --clip v0 "$T/mis.synapt" | grep -q 'frame_labels: frame_labels i32 (1,*), codec raw, 12 frames' &&
   synapt-inspect --clip v0 "$T/mis.synapt" | grep -q '"alignment":{"policy":"pad","sidecar_frames":{"frame_labels":5}}'; then
    pass mismatch_pad
else
    fail mismatch_pad "padded to 12 frames with the policy in the clip meta"
fi
if synapt-pack -q --on-mismatch truncate -o "$T/mis.synapt" "$T/mis.jsonl" &&
   synapt-inspect --clip v0 "$T/mis.synapt" | grep -q '"policy":"truncate"'; then
    pass mismatch_truncate
else
    fail mismatch_truncate "truncate policy recorded"
fi
finish
