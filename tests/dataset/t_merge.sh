#!/bin/sh
# CLI tests for synapt-merge and manifests in synapt-inspect: a merge copies
# chunks byte for byte (same chunk checksums as the source), is
# deterministic, keeps provenance; --manifest-only joins files that read as
# the merged file; --map/--unmapped, --on-duplicate, --dedupe, --per-class
# --balance-sources counts; refusals write nothing.
. "$(dirname "$0")/../lib.sh"
need_built bin/synapt-merge bin/synapt-subset bin/synapt-synth bin/synapt-inspect bin/synapt-convert bin/synapt-pack
mkdir -p "$T/data"
# verdict NAME STATUS WHY: PASS when STATUS (of the condition before) is 0
verdict() { if [ "$2" -eq 0 ]; then pass "$1"; else fail "$1" "$3"; fi; }

synth() { synapt-synth -q -o "$1" --classes 3 --clips-per-class 2 --frames 4 --size 32x32 \
    --rgb raw --threads 1 --seed "$2"; }
synth "$T/data/s1.synapt" 1 && synth "$T/data/s2.synapt" 2 || fatal merge_setup "synapt-synth failed"

# every chunk of every clip, without offset and checksum (a copy moves the
# chunk and rewrites its clip number, which the checksum covers): "id chunk..."
sums() {
    synapt-inspect --clips --json "$1" | sed 's/.*"id":"\([^"]*\)".*/\1/' | while read -r id; do
        synapt-inspect -v --clip "$id" "$1" | grep 'chunk [0-9]*:' |
            sed -e 's/offset [0-9]*, //' -e 's/, xxh3 .*//' -e "s/^/$id /"
    done
}

# 1. plain merge: renamed duplicates, chunks identical, deterministic
run m1 synapt-merge -o "$T/m1.synapt" --on-duplicate rename "$T/data/s1.synapt" "$T/data/s2.synapt"
verdict merge_rename "$rc" "exit $rc: $(cat "$T/m1.err")"
run m1b synapt-merge -o "$T/m1b.synapt" --on-duplicate rename "$T/data/s1.synapt" "$T/data/s2.synapt"
cmp -s "$T/m1.synapt" "$T/m1b.synapt"
verdict merge_deterministic $? "two runs gave different bytes"
n=$(synapt-inspect --clips --json "$T/m1.synapt" | wc -l)
[ "$n" -eq 12 ]
verdict merge_count $? "expected 12 clips, got $n"
sums "$T/data/s2.synapt" | awk '{$1=""; print}' > "$T/s2.sums"
sums "$T/m1.synapt" | grep '~2 ' | awk '{$1=""; print}' > "$T/m1tail.sums"
[ -s "$T/s2.sums" ] && cmp -s "$T/s2.sums" "$T/m1tail.sums"
verdict merge_chunks_identical $? "chunk table of the renamed clips differs from s2's"
synapt-convert "$T/data/s2.synapt" --to npy --clip run_0001 --stream rgb -o "$T/a.npy" &&
    synapt-convert "$T/m1.synapt" --to npy --clip run_0001~2 --stream rgb -o "$T/b.npy" && cmp -s "$T/a.npy" "$T/b.npy"
verdict merge_frames_identical $? "rgb frames of run_0001 differ after the merge"
synapt-inspect --clip walk_0000~2 "$T/m1.synapt" | grep -q '"provenance":{"id":"walk_0000","source_uuid":"[0-9a-f]\{32\}","labels":\["walk"\]}'
verdict merge_provenance $? "no provenance in meta"

# 2. duplicate ids refused by default, nothing written
run dup synapt-merge -o "$T/dup.synapt" "$T/data/s1.synapt" "$T/data/s2.synapt"
[ "$rc" -eq 1 ] && [ ! -e "$T/dup.synapt" ] && grep -q "already taken" "$T/dup.err" &&
    [ -z "$(ls "$T" | grep tmp-)" ]
verdict merge_dup_refused $? "rc=$rc $(head -c 200 "$T/dup.err")"

# 3. exact duplicates: the same file twice under --on-duplicate rename
run dd synapt-merge -v -o "$T/dd.synapt" --on-duplicate rename --dedupe "$T/data/s1.synapt" "$T/m1.synapt"
n=$(synapt-inspect --clips --json "$T/dd.synapt" | wc -l)
[ "$rc" -eq 0 ] && [ "$n" -eq 12 ] && grep -q "6 exact duplicate clips dropped" "$T/dd.err"
verdict merge_dedupe $? "rc=$rc n=$n $(head -c 300 "$T/dd.err")"

# 4. manifest-only join reads like the merged file
cp "$T/data/s1.synapt" "$T/data/x1.synapt"
run j synapt-merge --manifest-only -o "$T/data/j.synapt.json" "$T/data/s1.synapt" "$T/data/s2.synapt"
head -c 28 "$T/data/j.synapt.json" | grep -q '^{"schema":"synapt-dataset/1"$'
verdict manifest_prefix $? "manifest does not start with the spec's prefix"
run jv synapt-inspect --verify "$T/data/j.synapt.json"
[ "$rc" -eq 1 ] && grep -q 'clip id "[a-z]*_000[01]" is used by dataset clips [0-5] and [0-9]*' "$T/jv.err"
verdict manifest_verify_duplicate_ids $? "rc=$rc $(cat "$T/jv.err")"
synapt-inspect --clips "$T/data/j.synapt.json" | awk 'NR>1 {print $2, $6}' > "$T/j.list"
synapt-inspect --clips "$T/m1.synapt" | awk 'NR>1 {sub(/~2$/, "", $2); print $2, $8}' > "$T/m1.list"
cmp -s "$T/j.list" "$T/m1.list"
verdict manifest_reads_as_merge $? "clip lists differ: $(diff "$T/j.list" "$T/m1.list" | head -3)"
run jo synapt-merge --manifest-only -o "$T/outside.synapt.json" "$T/data/s1.synapt"
run jx synapt-merge --manifest-only -o "$T/data/sub.synapt.json" "$T/m1.synapt"
[ "$rc" -eq 1 ] && grep -q "not inside" "$T/jx.err" && [ ! -e "$T/data/sub.synapt.json" ]
verdict manifest_refuses_outside $? "rc=$rc $(cat "$T/jx.err")"
# a merge through the manifest gives the same bytes as through the files
run mj synapt-merge -o "$T/mj.synapt" --on-duplicate rename "$T/data/j.synapt.json"
cmp -s "$T/mj.synapt" "$T/m1.synapt"
verdict merge_from_manifest_identical $? "merge of the manifest differs from merge of the files"

# 5. the map: unmapped labels listed, then dropped
printf 'source,label,target\n*,walk,move\nsynapt-synth,jump,hello\n' > "$T/map.csv"
run um synapt-merge -o "$T/um.synapt" --map "$T/map.csv" "$T/data/s1.synapt"
[ "$rc" -eq 1 ] && grep -q "no target for source,label 'synapt-synth," "$T/um.err" && [ ! -e "$T/um.synapt" ]
verdict map_unmapped_error $? "rc=$rc $(cat "$T/um.err")"
run ud synapt-merge -o "$T/ud.synapt" --map "$T/map.csv" --unmapped drop "$T/data/s1.synapt"
synapt-inspect --clips "$T/ud.synapt" | awk 'NR>1 {print $8}' | sort | uniq -c | tr -s ' ' > "$T/ud.labels"
[ "$rc" -eq 0 ] && grep -q '^ 2 move$' "$T/ud.labels" && grep -q '^ 2 hello$' "$T/ud.labels" &&
    [ "$(wc -l < "$T/ud.labels")" -eq 2 ]
verdict map_drop $? "rc=$rc $(cat "$T/ud.labels" "$T/ud.err")"
printf '[{"source":"*","label":"walk","target":"move"},{"source":"*","label":"jump","target":null}]' > "$T/map.json"
run uj synapt-merge -o "$T/uj.synapt" --map "$T/map.json" --unmapped keep "$T/data/s1.synapt"
n=$(synapt-inspect --clips "$T/uj.synapt" | awk 'NR>1 && $8 == "-"' | wc -l)
[ "$rc" -eq 0 ] && [ "$n" -eq 2 ]
verdict map_json_null_drops_label $? "rc=$rc unlabelled=$n"

# 6. per-class with balanced sources: files whose clips come from sources
# a and b, made as a user would (synth folder, manifest edited, pack)
src() { # NAME SOURCE SEED CLASSES SED
    synapt-synth -q -o "$T/$1.d" --layout dir --classes "$4" --clips-per-class "$5" --frames 4 \
        --size 32x32 --rgb raw --threads 1 --seed "$3" &&
    sed -e "s/\"source\":\"synapt-synth\"/\"source\":\"$2\"/" -e "s/\"id\":\"/\"id\":\"$1_/" $6 \
        "$T/$1.d/manifest.jsonl" > "$T/$1.d/m.jsonl" &&
    synapt-pack -q -o "$T/data/$1.synapt" "$T/$1.d/m.jsonl"
}
if src a a 3 2 3 "" && src b b 4 3 2 "-e s/\"label\":\"walk\"/\"label\":\"jog\"/ -e s/\"label\":\"jump\"/\"label\":\"sit\"/"; then
    printf 'source,label,target\na,walk,move\n*,run,move\nb,jog,move\nb,sit,rest\n' > "$T/ab.csv"
    run pc synapt-merge -o "$T/pc.synapt" --map "$T/ab.csv" --unmapped drop --per-class 3 \
        --balance-sources --seed 1 "$T/data/a.synapt" "$T/data/b.synapt"
    printf 'class\tsource\tavailable\tkept\nmove\ta\t6\t2\nmove\tb\t4\t1\nrest\tb\t2\t2\n' > "$T/pc.want"
    [ "$rc" -eq 0 ] && cmp -s "$T/pc.out" "$T/pc.want"
    verdict per_class_balance $? "rc=$rc $(cat "$T/pc.out" "$T/pc.err")"
    n=$(synapt-inspect --clips "$T/pc.synapt" | awk 'NR>1' | wc -l)
    [ "$n" -eq 5 ]
    verdict per_class_written $? "$n clips in the output, 5 expected"
else
    fail per_class_setup "synth + pack of the sources a and b failed"
fi

# 7. synapt-subset: the renamed half of the merge gives back s2's chunks
synapt-inspect --clips --json "$T/m1.synapt" | sed -n 's/.*"id":"\([^"]*~2\)".*/\1/p' > "$T/ids.txt"
run sb synapt-subset --ids "$T/ids.txt" -o "$T/sb.synapt" "$T/m1.synapt"
sums "$T/sb.synapt" | awk '{$1=""; print}' > "$T/sb.sums"
[ "$rc" -eq 0 ] && cmp -s "$T/s2.sums" "$T/sb.sums"
verdict subset_round_trip_chunks $? "rc=$rc $(head -c 200 "$T/sb.err")"
# a virtual subset reads as the materialised one
run vv synapt-subset --split train --per-class 1 --seed 2 --virtual -o "$T/data/v.synapt.json" "$T/data/j.synapt.json"
run vm synapt-subset --split train --per-class 1 --seed 2 -o "$T/vm.synapt" "$T/data/j.synapt.json"
synapt-inspect --clips "$T/data/v.synapt.json" | awk 'NR>1 {print $2, $6}' > "$T/v.list"
synapt-inspect --clips "$T/vm.synapt" | awk 'NR>1 {print $2, $8}' > "$T/vm.list"
grep -q '"select":\[' "$T/data/v.synapt.json" && [ "$(wc -l < "$T/v.list")" -eq 3 ] && cmp -s "$T/v.list" "$T/vm.list"
verdict subset_virtual_equals_copy $? "$(cat "$T/v.list" "$T/vm.list" "$T/vv.err" "$T/vm.err")"
id=$(awk 'NR==1 {print $1}' "$T/v.list")
echo "$id" > "$T/one.txt"
synapt-subset --ids "$T/one.txt" -o "$T/v1.synapt" "$T/data/v.synapt.json"
synapt-convert "$T/v1.synapt" --to npy --clip "$id" --stream pose3d -o "$T/v1.npy" &&
    synapt-convert "$T/vm.synapt" --to npy --clip "$id" --stream pose3d -o "$T/vm.npy" && cmp -s "$T/v1.npy" "$T/vm.npy"
verdict subset_virtual_same_bytes $? "pose3d of $id differs between virtual and copied subsets"
synapt-convert "$T/data/v.synapt.json" --to npy --clip "$id" --stream pose3d -o "$T/vc.npy" && cmp -s "$T/vc.npy" "$T/vm.npy"
verdict convert_reads_manifest $? "pose3d of $id differs between virtual and copied subsets"
run ls synapt-subset --list --label walk,jump "$T/data/s1.synapt"
[ "$rc" -eq 0 ] && grep -q "^# class	walk	2$" "$T/ls.out" && grep -q "^# split	train	4$" "$T/ls.out" &&
    [ "$(grep -vc '^#' "$T/ls.out")" -eq 4 ]
verdict subset_list $? "$(cat "$T/ls.out" "$T/ls.err")"
a=$(synapt-inspect --clip walk_0000 "$T/data/s1.synapt" | sed -n 's/^groups *actor=\([^ ]*\).*/\1/p')
want=$(for i in $(synapt-inspect --clips --json "$T/data/s1.synapt" | sed 's/.*"id":"\([^"]*\)".*/\1/'); do
    synapt-inspect --clip "$i" "$T/data/s1.synapt" | grep -c "actor=$a "; done | grep -c 1)
got=$(synapt-subset --list --group "actor=$a" "$T/data/s1.synapt" | grep -vc '^#')
[ -n "$a" ] && [ "$got" -eq "$want" ]
verdict subset_group $? "actor $a: $got listed, $want expected"

# 8. usage: abbreviations and contradictions refused with exit 2
run ab synapt-merge --manif -o "$T/x" "$T/data/s1.synapt"
[ "$rc" -eq 2 ] && grep -q "unknown option '--manif'" "$T/ab.err"
verdict merge_no_abbrev $? "rc=$rc"
run io synapt-merge -o "$T/data/s1.synapt" "$T/data/s1.synapt"
[ "$rc" -eq 1 ] && grep -q "is also an input file" "$T/io.err"
verdict merge_never_over_input $? "rc=$rc $(cat "$T/io.err")"

# 10. shards: --max-shard-bytes writes STEM-NNNNN.synapt and STEM.synapt.json,
# which reads exactly as the unsharded merge (clips, labels, chunks, frames)
mkdir -p "$T/sh"
run shm synapt-merge --on-duplicate rename --max-shard-bytes 20K -o "$T/sh/m.synapt" \
    "$T/data/s1.synapt" "$T/data/s2.synapt"
ns=$(ls "$T/sh" | grep -c '^m-[0-9]\{5\}\.synapt$')
[ "$rc" -eq 0 ] && [ "$ns" -ge 3 ] && [ -f "$T/sh/m.synapt.json" ] && [ ! -e "$T/sh/m.synapt" ] &&
    [ "$(ls -A "$T/sh" | wc -l)" -eq $((ns + 1)) ]
verdict shards_written $? "rc=$rc $ns shards: $(ls -A "$T/sh" | tr '\n' ' ') $(cat "$T/shm.err")"
synapt-inspect --clips "$T/sh/m.synapt.json" | awk 'NR>1 {print $2, $6}' > "$T/sh.list"
synapt-inspect --clips "$T/m1.synapt" | awk 'NR>1 {print $2, $8}' > "$T/m1full.list"
cmp -s "$T/sh.list" "$T/m1full.list"
verdict shards_read_as_unsharded $? "$(diff "$T/sh.list" "$T/m1full.list" | head -4)"
# the manifest carries the vocabulary (spec/dataset.md 7), the one-file
# merge's labels in id order, so opening it opens no shard
want=$(synapt-inspect --json "$T/m1.synapt" | grep -o '"labels":\[[^]]*\]' | head -n 1 | grep -o '"name":"[^"]*"' |
       sed 's/"name"://' | tr '\n' ',' | sed 's/,$//')
grep -qF "\"labels\":[$want]" "$T/sh/m.synapt.json"
verdict shards_manifest_labels $? "want labels [$want] in $(head -c 300 "$T/sh/m.synapt.json")"
sums "$T/sh/m.synapt.json" > "$T/sh.sums"
sums "$T/m1.synapt" > "$T/m1full.sums"
[ -s "$T/sh.sums" ] && cmp -s "$T/sh.sums" "$T/m1full.sums"
verdict shards_same_chunks $? "chunk tables differ"
synapt-convert "$T/sh/m.synapt.json" --to npy --clip run_0001~2 --stream rgb -o "$T/c.npy" && cmp -s "$T/b.npy" "$T/c.npy"
verdict shards_same_frames $? "rgb of run_0001~2 differs between the sharded and the one-file merge"
# a rerun replaces the shards and the manifest with identical bytes
cat "$T"/sh/* | md5sum > "$T/sh.md5"
run shm2 synapt-merge --on-duplicate rename --max-shard-bytes 20K -o "$T/sh/m.synapt" \
    "$T/data/s1.synapt" "$T/data/s2.synapt"
[ "$rc" -eq 0 ] && [ "$(cat "$T"/sh/* | md5sum)" = "$(cat "$T/sh.md5")" ]
verdict shards_deterministic $? "rc=$rc"
run shs synapt-subset --source synapt-synth --max-shard-bytes 20K -o "$T/sh/sub.synapt.json" "$T/sh/m.synapt.json"
synapt-inspect --clips "$T/sh/sub.synapt.json" | awk 'NR>1 {print $2, $6}' > "$T/shs.list"
[ "$rc" -eq 0 ] && [ -f "$T/sh/sub-00000.synapt" ] && cmp -s "$T/shs.list" "$T/m1full.list"
verdict subset_shards $? "rc=$rc $(cat "$T/shs.err")"

# 11. --streams: only the named streams, their frames as in the source
run st synapt-subset --streams pose2d,rgb --label walk -o "$T/st.synapt" "$T/data/s1.synapt"
synapt-inspect --clips --json "$T/st.synapt" | grep -o '"streams":[^]]*]' | sort -u > "$T/st.streams"
synapt-convert "$T/st.synapt" --to npy --clip walk_0000 --stream pose2d -o "$T/st_p.npy" &&
    synapt-convert "$T/data/s1.synapt" --to npy --clip walk_0000 --stream pose2d -o "$T/s1_p.npy" &&
    synapt-convert "$T/st.synapt" --to npy --clip walk_0000 --stream rgb -o "$T/st_r.npy" &&
    synapt-convert "$T/data/s1.synapt" --to npy --clip walk_0000 --stream rgb -o "$T/s1_r.npy"
[ "$rc" -eq 0 ] && [ "$(cat "$T/st.streams")" = '"streams":["rgb","pose2d"]' ] &&
    cmp -s "$T/st_p.npy" "$T/s1_p.npy" && cmp -s "$T/st_r.npy" "$T/s1_r.npy"
verdict subset_streams $? "rc=$rc $(cat "$T/st.streams" "$T/st.err")"
run stm synapt-subset --streams rgb,nosuch -o "$T/stm.synapt" "$T/data/s1.synapt"
[ "$rc" -eq 1 ] && grep -q "has no stream 'nosuch'" "$T/stm.err" && [ ! -e "$T/stm.synapt" ] &&
    [ "$(wc -l < "$T/stm.err")" -eq 1 ]
verdict subset_streams_missing $? "rc=$rc $(cat "$T/stm.err")"
run stv synapt-subset --streams rgb --virtual -o "$T/data/stv.synapt.json" "$T/data/s1.synapt"
[ "$rc" -eq 2 ]
verdict subset_streams_not_virtual $? "rc=$rc"

# 9. outputs never replace an input: through a symlink, a hard link, a
# member of an input manifest, the map, the --ids file; nothing is left
# beside the refused output
ln -s s1.synapt "$T/data/link.synapt"
ln "$T/data/s2.synapt" "$T/data/hard.synapt"
cp "$T/data/s1.synapt" "$T/s1.before"
bad=""
for out in "$T/data/link.synapt" "$T/data/hard.synapt"; do
    run lk synapt-merge --on-duplicate rename -o "$out" "$T/data/s1.synapt" "$T/data/s2.synapt"
    [ "$rc" -eq 1 ] && grep -q "input" "$T/lk.err" || bad="$bad merge:$out"
    run lk synapt-subset --label walk -o "$out" "$T/data/s1.synapt" "$T/data/s2.synapt"
    [ "$rc" -eq 1 ] || bad="$bad subset:$out"
done
run mm synapt-subset --label walk -o "$T/data/s2.synapt" "$T/data/j.synapt.json"
[ "$rc" -eq 1 ] || bad="$bad member"
run mv synapt-subset --virtual --label walk -o "$T/data/s2.synapt" "$T/data/j.synapt.json"
[ "$rc" -eq 1 ] || bad="$bad virtual-member"
run mp synapt-merge --map "$T/map.csv" --unmapped keep -o "$T/map.csv" "$T/data/s1.synapt"
[ "$rc" -eq 1 ] || bad="$bad map"
run mi synapt-subset --ids "$T/ids.txt" -o "$T/ids.txt" "$T/m1.synapt"
[ "$rc" -eq 1 ] || bad="$bad ids"
run mo synapt-merge --manifest-only -o "$T/data/j.synapt.json" "$T/data/j.synapt.json"
[ "$rc" -eq 1 ] || bad="$bad manifest"
cmp -s "$T/data/s1.synapt" "$T/s1.before" || bad="$bad s1-changed"
[ -L "$T/data/link.synapt" ] || bad="$bad link-replaced"
left=$(find "$T" -name '*.tmp-*' | head -3)
[ -z "$bad" ] && [ -z "$left" ]
verdict outputs_never_inputs $? "not refused:$bad; left: $left"
run fifo synapt-merge -o "$T/f.synapt" /dev/stdin < /dev/null
[ "$rc" -eq 1 ] && [ ! -e "$T/f.synapt" ]
verdict inputs_regular_files $? "rc=$rc $(cat "$T/fifo.err")"

finish
