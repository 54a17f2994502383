#!/bin/sh
# t_sets_pack.sh - the six SynAPT downstream sets packed end to end from
# their real split lists (a few lines of each): stand-in videos (ffmpeg
# testsrc) are put at every listed path, the lines are packed with the
# layout detected from the list, and each clip's label name, label id,
# split, source and group are checked against the list line by line.
# Also: a missing class-name file warns (and says how to fix it), a bad
# line stops with one line naming file and line and exit 1, and an IKEA
# segment comes from its untrimmed GoPro recording with its frame range.
. "$(dirname "$0")/../lib.sh"
realdata t_sets_pack annotations/synapt/ppma_splits || finish
S=$R/annotations/synapt
need_cmd ffmpeg
[ -x "$PY" ] || skip_all "needs $PY"
need_built bin/synapt-pack bin/synapt-inspect

ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc=size=64x48:rate=10 -frames:v 30 \
    -c:v libx264 -pix_fmt yuv420p "$T/src.mp4" || fatal t_sets_pack "ffmpeg could not make a stand-in video"

# sample SET DIR NAMES...: the first 3 and last 2 lines of each list named,
# CRLF and missing final newline kept as they are; a video at each path
# (lists without an extension get .mp4, which synapt-pack finds)
sample() {
    set_dir=$1 out=$2
    shift 2
    mkdir -p "$out/lists" "$out/videos"
    for f in "$@"; do
        { head -n 3 "$S/ppma_splits/$set_dir/$f"; tail -n 2 "$S/ppma_splits/$set_dir/$f"; } > "$out/lists/$f"
        tr -d '\r' < "$out/lists/$f" | sed 's/;[0-9]*$//' | while IFS= read -r p || [ -n "$p" ]; do
            case $p in *.*) v=$out/videos/$p ;; *) v=$out/videos/$p.mp4 ;; esac
            mkdir -p "$(dirname "$v")" && cp "$T/src.mp4" "$v"
        done
    done
}

# check_clips NAME OUT.synapt LISTDIR GROUPKEY SOURCE: every line of the lists is one
# clip with that label id, the split of its file and a group (or none)
check_clips() {
    name=$1 file=$2 lists=$3 key=$4 src=$5
    synapt-inspect --clips --json "$file" > "$T/$name.json" 2> "$T/$name.inspect.err" || {
        fail "$name" "synapt-inspect failed: $(cat "$T/$name.inspect.err")"; return; }
    if "$PY" - "$T/$name.json" "$lists" "$key" "$src" > "$T/$name.py.out" 2>&1 <<'PYEOF'
import json, os, sys
lists, key = sys.argv[2], sys.argv[3]
clips = {c["id"]: c for c in map(json.loads, open(sys.argv[1]))}
seen = 0
for f in sorted(os.listdir(lists)):
    split = f[:-4]
    for line in open(os.path.join(lists, f), newline="").read().replace("\r", "").split("\n"):
        if not line:
            continue
        path, label = line.rsplit(";", 1)
        stem = os.path.basename(path)
        for ext in (".avi", ".mp4", ".webm", ".MP4"):
            if stem.endswith(ext):
                stem = stem[: -len(ext)]
        c = clips[stem]
        assert c["label_ids"] == [int(label)], (stem, c["label_ids"], label)
        assert c["split"] == split, (stem, c["split"])
        assert c["source"] == sys.argv[4], (stem, c["source"])
        groups = dict(map(tuple, c.get("groups", [])))
        if key != "-":
            assert key in groups and groups[key], (stem, groups)
        seen += 1
assert seen == len(clips), (seen, len(clips))
print(seen)
PYEOF
    then pass "$name"; else fail "$name" "$(tail -n 1 "$T/$name.py.out")"; fi
}

# ---- UAV-Human: label A###, group subject P### ---------------------------
sample uav "$T/uav" train.csv val.csv
run uav_pack synapt-pack -q -o "$T/uav.synapt" --root "$T/uav/videos" "$T/uav/lists"
expect_rc uav_pack 0
check_clips uav_clips "$T/uav.synapt" "$T/uav/lists" subject uav-human
check uav_names grep -q '"id":"P090S02G10B00H10UC032000LC021000A000R0_09201601","labels":\["A000"\]' "$T/uav_clips.json"

# ---- IKEA-FA: 12 named classes, group the GoPro video -------------------
sample ikea_furniture "$T/ikea" train.csv val.csv
run ikea_pack synapt-pack -q -o "$T/ikea.synapt" --root "$T/ikea/videos" "$T/ikea/lists"
expect_rc ikea_pack 0
check_clips ikea_clips "$T/ikea.synapt" "$T/ikea/lists" video ikea-fa
check ikea_names grep -q '"id":"GOPR0086_00117_00294_05","labels":\["spin_in"\],"label_ids":\[10\]' "$T/ikea_clips.json"

# ---- Mini-SSV2: names from mini_ssv2.txt (--labels), no groups -----------
sample mini_ssv2 "$T/ssv2" val.csv
run ssv2_pack synapt-pack -q -o "$T/ssv2.synapt" --labels "$S/mini_ssv2.txt" --root "$T/ssv2/videos" "$T/ssv2/lists"
expect_rc ssv2_pack 0
check_clips ssv2_clips "$T/ssv2.synapt" "$T/ssv2/lists" - mini-ssv2
name71=$(grep . "$S/mini_ssv2.txt" | sed -n 72p)
check ssv2_names grep -qF "\"id\":\"169362\",\"labels\":[\"$name71\"],\"label_ids\":[71]" "$T/ssv2_clips.json"

# ---- Diving48 (vocab names), UCF101 (gNN), HMDB51 (source video) ---------
sample diving48 "$T/d48" train.csv val.csv
run d48_pack synapt-pack -o "$T/d48.synapt" --labels "$R/annotations/diving48/Diving48_vocab.json" \
    --root "$T/d48/videos" "$T/d48/lists"
expect_rc d48_pack 0
check_clips d48_clips "$T/d48.synapt" "$T/d48/lists" video diving48
check d48_absent_id has "$T/d48_pack.err" "class id(s) have no clip"
sample ucf101 "$T/ucf" train.csv val.csv
run ucf_pack synapt-pack -q -o "$T/ucf.synapt" --root "$T/ucf/videos" "$T/ucf/lists"
expect_rc ucf_pack 0
check_clips ucf_clips "$T/ucf.synapt" "$T/ucf/lists" group ucf101
sample hmdb51 "$T/hmdb" train.csv val.csv
run hmdb_pack synapt-pack -q -o "$T/hmdb.synapt" --root "$T/hmdb/videos" "$T/hmdb/lists"
expect_rc hmdb_pack 0
check_clips hmdb_clips "$T/hmdb.synapt" "$T/hmdb/lists" video hmdb51

# ---- a list with no class names: numeric labels and a warning saying how --
run ssv2_nonames synapt-pack -o "$T/ssv2n.synapt" --format mini-ssv2 --root "$T/ssv2/videos" "$T/ssv2/lists/val.csv"
expect_rc ssv2_nonames 0
check ssv2_nonames_warns has "$T/ssv2_nonames.err" "give --labels FILE"

# ---- a bad line: one line naming file and line, exit 1, no output ---------
mkdir -p "$T/bad"
{ head -n 2 "$T/uav/lists/train.csv"
  printf 'uav_human/videos/P001S00G20B40H20UC072000LC021000A000R0_08241838.avi;200\r\n'; } > "$T/bad/train.csv"
run bad_line synapt-pack -o "$T/bad.synapt" --format uav-human --root "$T/uav/videos" "$T/bad/train.csv"
expect_rc bad_line 1
check bad_line_msg has "$T/bad_line.err" "train.csv:3: label '200' is not a class id 0..154"
check bad_line_one [ "$(lines "$T/bad_line.err")" = 1 ]
check bad_line_no_output [ ! -e "$T/bad.synapt" ]

# ---- IKEA: a segment taken from its untrimmed recording -------------------
# Only GOPR0999.MP4 is on disk: the clip is that video with the name's
# frames 3..10 (inclusive) recorded as the half-open range [3, 11), which
# readers apply (synapt-pack keeps ranges rather than cutting copied video).
mkdir -p "$T/gopro/lists" "$T/gopro/videos/ikea_furniture/videos"
cp "$T/src.mp4" "$T/gopro/videos/ikea_furniture/videos/GOPR0999.MP4"
printf 'ikea_furniture/videos/flip_over/GOPR0999_00003_00010_01.MP4;8\r\n' > "$T/gopro/lists/val.csv"
run gopro_pack synapt-pack -q -o "$T/gopro.synapt" --root "$T/gopro/videos" "$T/gopro/lists/val.csv"
expect_rc gopro_pack 0
run gopro_clip synapt-inspect --json --clip GOPR0999_00003_00010_01 "$T/gopro.synapt"
check gopro_range has "$T/gopro_clip.out" '"media":"GOPR0999.MP4","frame_range":\[3,11\]'
check gopro_meta has "$T/gopro_clip.out" '"first_frame":3,"last_frame":10'
finish
