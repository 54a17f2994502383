#!/bin/sh
# A dataset manifest wherever a tool takes a .synapt (issue 9): inspect,
# convert, subset (crops too) and merge read it; recover and pack --resume,
# which want one torn .synapt, and pack, which imports media, refuse it with
# one line saying what to give instead, and write nothing.
. "$(dirname "$0")/../lib.sh"
need_built bin/synapt-merge bin/synapt-subset bin/synapt-synth bin/synapt-inspect bin/synapt-convert \
    bin/synapt-pack bin/synapt-recover
verdict() { if [ "$2" -eq 0 ]; then pass "$1"; else fail "$1" "$3"; fi; }
for s in 1 2; do
    synapt-synth -q -o "$T/s$s.synapt" --classes 2 --clips-per-class 1 --frames 8 --size 32x32 --gop 4 \
        --threads 1 --seed $s || fatal manifest_setup "synapt-synth failed"
done
synapt-merge -q --on-duplicate rename -o "$T/both.synapt" "$T/s1.synapt" "$T/s2.synapt" ||
    fatal manifest_setup "merge failed"
# two members with distinct ids: the merged file split in two
synapt-inspect --clips --json "$T/both.synapt" | sed 's/.*"id":"\([^"]*\)".*/\1/' > "$T/all.ids"
head -n 2 "$T/all.ids" > "$T/h.ids"
tail -n 2 "$T/all.ids" > "$T/t.ids"
synapt-subset -q --ids "$T/h.ids" -o "$T/m1.synapt" "$T/both.synapt" &&
    synapt-subset -q --ids "$T/t.ids" -o "$T/m2.synapt" "$T/both.synapt" &&
    synapt-merge -q --manifest-only -o "$T/all.synapt.json" "$T/m1.synapt" "$T/m2.synapt" ||
    fatal manifest_setup "manifest-only join failed"
id=$(tail -n 1 "$T/all.ids")

check manifest_inspect_verify synapt-inspect -q --verify "$T/all.synapt.json"
synapt-convert "$T/all.synapt.json" --to framemd5 --clip "$id" > "$T/a.md5" &&
    synapt-convert "$T/both.synapt" --to framemd5 --clip "$id" > "$T/b.md5" && cmp -s "$T/a.md5" "$T/b.md5"
verdict manifest_convert $? "framemd5 through the manifest differs from the file's"
# a crop of a manifest equals the crop of the same clips in one file
synapt-subset -q --frames 2:7 -o "$T/cm.synapt" "$T/all.synapt.json" &&
    synapt-subset -q --frames 2:7 -o "$T/cf.synapt" "$T/both.synapt" && cmp -s "$T/cm.synapt" "$T/cf.synapt"
verdict manifest_subset_crop $? "--frames 2:7 of the manifest and of the file differ"
synapt-merge -q -o "$T/mm.synapt" "$T/all.synapt.json" && cmp -s "$T/mm.synapt" "$T/both.synapt"
verdict manifest_merge $? "merging the manifest does not give back the file"

run rec synapt-recover "$T/all.synapt.json" -o "$T/rec.synapt"
expect_rc manifest_recover_refused 1
has "$T/rec.err" "is a dataset manifest"
verdict manifest_recover_message $? "$(cat "$T/rec.err")"
[ ! -e "$T/rec.synapt" ]
verdict manifest_recover_nothing $? "an output was written"
printf '{"id":"x","video":"none.mp4"}\n' > "$T/m.jsonl"
run res synapt-pack -o "$T/p.synapt" --resume "$T/all.synapt.json" "$T/m.jsonl"
expect_rc manifest_pack_resume_refused 1
has "$T/res.err" "is a dataset manifest: --resume"
verdict manifest_pack_resume_message $? "$(cat "$T/res.err")"
run pin synapt-pack -o "$T/p.synapt" "$T/all.synapt.json"
expect_rc manifest_pack_input_refused 1
has "$T/pin.err" "synapt-subset or synapt-merge"
verdict manifest_pack_input_message $? "$(cat "$T/pin.err")"
[ ! -e "$T/p.synapt" ]
verdict manifest_pack_nothing $? "an output was written"
finish
