#!/bin/sh
# t_manifest_rules.sh - the documented rules for hostile annotation text
# (man synapt-pack, MANIFEST): NUL bytes (raw, \u0000, in a frame-labels
# file), integers beyond 2^53, leading zeros, concatenated JSON values,
# duplicate keys, nesting deeper than 64 levels, and
# media/sidecar paths that are absolute or climb out with '..' (accepted only
# with --allow-outside-paths). Each case: exit 1, one line naming the file
# and line, no output; with -k the entry is skipped and reported.
. "$(dirname "$0")/../lib.sh"
need_cmd ffmpeg
need_built bin/synapt-pack bin/synapt-inspect

mkdir -p "$T/m/sub" "$T/out"
ffmpeg -nostdin -loglevel error -y -f lavfi -i "testsrc=size=32x32:rate=10" -frames:v 4 \
    -c:v libx264 -pix_fmt yuv420p "$T/m/v.mp4" || fatal manifest_rules "ffmpeg could not make the test video"
cp "$T/m/v.mp4" "$T/outside.mp4"
printf '0\n-1\n-1\n0\n' > "$T/m/fl.txt"
printf '0\n1\0001\n0\n' > "$T/m/fl_nul.txt"

# name | manifest line | what the one error line must say
while IFS='|' read -r name line want; do
    printf '%s\n' '{"video":"v.mp4","id":"first"}' "$line" > "$T/m/$name.jsonl"
    run "$name" synapt-pack -q -o "$T/out/$name.synapt" "$T/m/$name.jsonl"
    if [ "$rc" = 1 ] && grep -qF -- "$name.jsonl:2: $want" "$T/$name.err" &&
       [ "$(lines "$T/$name.err")" = 1 ] && [ ! -e "$T/out/$name.synapt" ]; then
        pass "$name"
    else
        fail "$name" "exit $rc: $(cat "$T/$name.err")"
    fi
done <<'LIST'
id_nul|{"video":"v.mp4","id":"a\u0000b"}|\u0000 (a NUL character) in a JSON string
label_nul|{"video":"v.mp4","id":"a","label":"x\u0000"}|\u0000 (a NUL character)
meta_2_53|{"video":"v.mp4","id":"a","meta":{"n":9007199254740993}}|integer 9007199254740993 is beyond 2^53
meta_neg_2_53|{"video":"v.mp4","id":"a","meta":{"n":-90071992547409930}}|integer -90071992547409930 is beyond 2^53
leading_zero|{"video":"v.mp4","id":"a","start_frame":01}|number with a leading zero ('01')
flabels_zero|{"video":"v.mp4","id":"a","frame_labels":[0,1,01,0]}|number with a leading zero ('01')
concatenated|{"video":"v.mp4","id":"a"}{"video":"v.mp4","id":"b"}|text after the JSON value
dup_key|{"video":"v.mp4","id":"a","id":"b"}|key "id" twice in one JSON object
dup_key_meta|{"video":"v.mp4","id":"a","meta":{"n":1,"n":2}}|key "n" twice in one JSON object
deep|{"video":"v.mp4","id":"a","meta":{"x":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}|JSON nested deeper than 64 levels
abs_video|{"video":"/etc/hostname","id":"a"}|path '/etc/hostname' leaves the manifest's folder
dotdot_video|{"video":"../outside.mp4","id":"a"}|path '../outside.mp4' leaves the manifest's folder
dotdot_inner|{"video":"sub/../../outside.mp4","id":"a"}|path 'sub/../../outside.mp4' leaves
dotdot_sidecar|{"video":"v.mp4","id":"a","pose2d":"../p.npy"}|path '../p.npy' leaves the manifest's folder
abs_flabels|{"video":"v.mp4","id":"a","frame_labels":"/etc/hostname"}|path '/etc/hostname' leaves
LIST

# what stays accepted: 2^53 itself, a quoted big number, an escaped
# backslash before u0000, "..." inside a name, a ".." in no component
printf '%s\n' '{"video":"v.mp4","id":"a\\u0000b","meta":{"n":9007199254740992,"big":"9007199254740993","x":1.5e300}}' \
    '{"video":"./sub/../v.mp4","id":"b..c","label":"x","frame_labels":"fl.txt"}' > "$T/m/fine.jsonl"
sed -i 's|"./sub/../v.mp4"|"v.mp4"|' "$T/m/fine.jsonl"
run fine synapt-pack -q -o "$T/out/fine.synapt" "$T/m/fine.jsonl"
expect_rc fine 0
synapt-inspect --clips --json "$T/out/fine.synapt" > "$T/fine.json" 2>&1
check fine_id_kept has "$T/fine.json" 'a\\\\u0000b'
synapt-inspect --clip "a\\u0000b" --json "$T/out/fine.synapt" > "$T/fine_clip.json" 2>&1
check fine_big_kept has "$T/fine_clip.json" "\"n\":9007199254740992,"

# the escape hatch
printf '%s\n' '{"video":"../outside.mp4","id":"o"}' > "$T/m/out.jsonl"
run outside_allowed synapt-pack -q --allow-outside-paths -o "$T/out/o.synapt" "$T/m/out.jsonl"
expect_rc outside_allowed 0
check outside_allowed_out test -s "$T/out/o.synapt"

# -k: the bad entry is skipped and reported, the good one packed
printf '%s\n' '{"video":"v.mp4","id":"good"}' '{"video":"../outside.mp4","id":"bad"}' > "$T/m/kg.jsonl"
run keep_going synapt-pack -q -k -o "$T/out/kg.synapt" "$T/m/kg.jsonl"
expect_rc keep_going 3
check keep_going_report has "$T/out/kg.synapt.report.json" "leaves the manifest's folder"

# frame labels: a NUL byte in the text file
printf '%s\n' '{"video":"v.mp4","id":"a","frame_labels":"fl_nul.txt"}' > "$T/m/flnul.jsonl"
run flabels_nul synapt-pack -q -o "$T/out/flnul.synapt" "$T/m/flnul.jsonl"
expect_rc flabels_nul 1
check flabels_nul_msg has "$T/flabels_nul.err" "fl_nul.txt: NUL byte at offset 3"

# list layout: the same rule
printf 'v.mp4;a\n../outside.mp4;b\n' > "$T/m/list.txt"
run list_dotdot synapt-pack -q --format list -o "$T/out/list.synapt" "$T/m/list.txt"
expect_rc list_dotdot 1
check list_dotdot_msg has "$T/list_dotdot.err" "list.txt:2: path '../outside.mp4' leaves the root"

# dataset ids and class folders that become paths: the same rule
printf 'label,youtube_id,time_start,time_end,split\n..,abc,0,10,val\n' > "$T/m/kval.csv"
run kinetics_dotdot synapt-pack -q --format kinetics -o "$T/out/kin.synapt" "$T/m/kval.csv"
expect_rc kinetics_dotdot 1
check kinetics_dotdot_msg has "$T/kinetics_dotdot.err" "kval.csv:2: video path '../abc_000000_000010' leaves the root"
check kinetics_dotdot_none test ! -e "$T/out/kin.synapt"
printf '[{"vid_name":"..","label":1,"start_frame":0,"end_frame":4}]' > "$T/m/d48_test.json"
run diving48_dotdot synapt-pack -q --format diving48 -o "$T/out/d48.synapt" "$T/m/d48_test.json"
expect_rc diving48_dotdot 1
check diving48_dotdot_msg has "$T/diving48_dotdot.err" "d48_test.json:1: video path '..' leaves the root"
finish
