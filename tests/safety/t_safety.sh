#!/bin/sh
# Nothing is lost: the data-safety promises of the commands, checked from the
# outside with real signals, a really full disk and a real kill -9.
#  - a command never writes over one of its inputs, also not through a
#    symbolic or hard link;
#  - SIGINT, SIGTERM, SIGHUP and a file-size limit (SIGXFSZ) in the middle
#    of a run leave the previous output byte-identical and no temporary
#    file or folder behind;
#  - a full disk (a small tmpfs; SKIP when mounting is not allowed) is one
#    error line naming the file, exit 1, previous output untouched, nothing
#    left;
#  - a writer killed with SIGKILL (synth and pack, at 10 seeded moments)
#    leaves its staging folder, and synapt-recover salvages every clip whose
#    CLIP record reached the file into one synapt-inspect --verify accepts.
# Prints PASS/FAIL/SKIP lines; tests/run.sh counts them.
. "$(dirname "$0")/../lib.sh"
need_built bin/synapt-synth bin/synapt-pack bin/synapt-recover bin/synapt-convert bin/synapt-inspect
sum() { md5sum < "$1" | cut -d' ' -f1; }
# the names in a folder other than the ones given: temporaries left behind
leftovers() { d=$1; shift; ls -A "$d" | grep -v -x -F "$(printf '%s\n' "$@")"; }

# a small previous output and a job big enough to be interrupted (~4 s)
D=$T/run
mkdir -p "$D"
"$BIN/synapt-synth" -q -o "$D/small.synapt" --classes 2 --clips-per-class 2 --frames 8 --threads 1 ||
    fatal safety_setup "cannot make the small file"
big="--classes 14 --clips-per-class 20 --threads 2"

# ---- never over an input ----
cp "$D/small.synapt" "$D/in.synapt"
ln -s in.synapt "$D/sym.synapt"
ln "$D/in.synapt" "$D/hard.synapt"
before=$(sum "$D/in.synapt")
for out in in.synapt sym.synapt hard.synapt; do
    "$BIN/synapt-recover" -q "$D/in.synapt" -o "$D/$out" 2> "$T/self.err"
    rc=$?
    if [ $rc -eq 1 ] && [ "$(sum "$D/in.synapt")" = "$before" ] &&
       [ "$(wc -l < "$T/self.err")" -eq 1 ] && grep -q 'input' "$T/self.err" &&
       [ -z "$(leftovers "$D" small.synapt in.synapt sym.synapt hard.synapt)" ]; then
        pass "recover refuses output $out (the input)"
    else fail "recover refuses output $out (the input)" "exit $rc: $(cat "$T/self.err")"; fi
done
"$BIN/synapt-convert" "$D/in.synapt" --to framemd5 --clip "$("$BIN/synapt-inspect" --clips --json "$D/in.synapt" |
    head -1 | sed 's/.*"id":"\([^"]*\)".*/\1/')" -o "$D/sym.synapt" 2> "$T/conv.err"
rc=$?
if [ $rc -eq 1 ] && [ "$(sum "$D/in.synapt")" = "$before" ]; then pass "convert refuses output through a link to its input"
else fail "convert refuses output through a link to its input" "exit $rc: $(cat "$T/conv.err")"; fi
rm -f "$D/in.synapt" "$D/sym.synapt" "$D/hard.synapt"

# a folder output replaces only a folder a synapt tool wrote (or an empty one)
mkdir -p "$D/mine"
echo precious > "$D/mine/notes.txt"
"$BIN/synapt-synth" -q -o "$D/mine" --layout dir --classes 1 --clips-per-class 1 --frames 4 2> "$T/mine.err"
rc=$?
if [ $rc -eq 1 ] && [ "$(cat "$D/mine/notes.txt")" = precious ] && [ "$(ls -A "$D/mine")" = notes.txt ] &&
   grep -q 'did not write' "$T/mine.err" && [ -z "$(leftovers "$D" small.synapt mine)" ]; then
    pass "a folder of the user's own files is never replaced"
else fail "a folder of the user's own files is never replaced" "exit $rc: $(cat "$T/mine.err")"; fi
"$BIN/synapt-synth" -q -o "$D/mine2" --layout dir --classes 1 --clips-per-class 1 --frames 4 &&
"$BIN/synapt-synth" -q -o "$D/mine2" --layout dir --classes 1 --clips-per-class 2 --frames 4
rc=$?
if [ $rc -eq 0 ] && [ -f "$D/mine2/.synapt-output" ] && [ -z "$(leftovers "$D" small.synapt mine mine2)" ]; then
    pass "a folder a synapt tool wrote is replaced whole"
else fail "a folder a synapt tool wrote is replaced whole" "exit $rc"; fi
rm -rf "$D/mine" "$D/mine2"

# ---- signals in the middle of a run ----
for sig in INT TERM HUP; do
    cp "$D/small.synapt" "$D/out.synapt"
    before=$(sum "$D/out.synapt")
    # a background job of a non-interactive shell starts with SIGINT ignored
    # (env --default-signal gives it back: the tool must catch it itself)
    env --default-signal=INT "$BIN/synapt-synth" -q -o "$D/out.synapt" $big 2> "$T/sig.err" &
    pid=$!
    sleep 1
    kill -"$sig" $pid
    { wait $pid; } 2> /dev/null
    rc=$?
    left=$(leftovers "$D" small.synapt out.synapt)
    if [ $rc -ne 0 ] && [ "$(sum "$D/out.synapt")" = "$before" ] && [ -z "$left" ]; then
        pass "SIG$sig mid-run keeps the previous output, leaves nothing (exit $rc)"
    else fail "SIG$sig mid-run keeps the previous output, leaves nothing" "exit $rc, left: $left"; fi
done

# the same for pack, whose scratch files live in its staging folder
"$BIN/synapt-synth" -q -o "$D/tree" --layout dir --rgb raw --classes 14 --clips-per-class 8 --threads 2 ||
    fail "synth --layout dir" "cannot make the pack input"
cp "$D/small.synapt" "$D/packed.synapt"
before=$(sum "$D/packed.synapt")
"$BIN/synapt-pack" -q -o "$D/packed.synapt" "$D/tree/manifest.jsonl" --threads 2 2> "$T/pack.err" &
pid=$!
sleep 1
kill -TERM $pid
{ wait $pid; } 2> /dev/null
rc=$?
left=$(leftovers "$D" small.synapt out.synapt packed.synapt tree)
if [ $rc -ne 0 ] && [ "$(sum "$D/packed.synapt")" = "$before" ] && [ -z "$left" ]; then
    pass "SIGTERM mid-pack keeps the previous output, leaves nothing (exit $rc)"
else fail "SIGTERM mid-pack keeps the previous output, leaves nothing" "exit $rc, left: $left"; fi
rm -f "$D/packed.synapt"

# pack killed with SIGKILL, salvaged, resumed: the same bytes as a run that
# was never interrupted, and only the missing clips are imported again
"$BIN/synapt-pack" -q -o "$D/whole.synapt" "$D/tree/manifest.jsonl" --threads 2 ||
    fail "pack the whole tree" "exit $?"
"$BIN/synapt-pack" -q -o "$D/again.synapt" "$D/tree/manifest.jsonl" --threads 2 2> /dev/null &
pid=$!
# kill it once some clips are in its staged output (not after a fixed time:
# on a loaded machine pack may not have written anything by then), or
# after 30 s at most
n=0
while [ $n -lt 300 ]; do
    sz=$(cat "$D"/.again.synapt.tmp-*/again.synapt* 2> /dev/null | wc -c)
    [ "$sz" -gt 2000000 ] && break
    sleep 0.1
    n=$((n + 1))
done
kill -KILL $pid
{ wait $pid; } 2> /dev/null
stage=$(ls -A "$D" | grep '^\.again\.synapt\.tmp-' | head -1)
rrc=1
[ -n "$stage" ] && { "$BIN/synapt-recover" -q "$D/$stage" -o "$D/part.synapt" 2> "$T/part.err"; rrc=$?; }
# (3: the clip being written when the kill came is lost, as it should be)
if [ $rrc -eq 0 ] || [ $rrc -eq 3 ]; then
    "$BIN/synapt-pack" -o "$D/again.synapt" --resume "$D/part.synapt" "$D/tree/manifest.jsonl" \
        --threads 2 2> "$T/resume.err"
    rc=$?
    if [ $rc -eq 0 ] && cmp -s "$D/whole.synapt" "$D/again.synapt" && grep -q 'copied from --resume' "$T/resume.err"; then
        pass "pack --resume after kill -9 gives the uninterrupted bytes ($(sed -n 's/.*(\(.*\) copied.*/\1/p' "$T/resume.err") clips copied)"
    else fail "pack --resume after kill -9" "exit $rc: $(cat "$T/resume.err")"; fi
    # a salvage of another run is refused, and nothing is written
    # (ids walk_0008 and walk_0009 are not in the 8-per-class tree)
    "$BIN/synapt-synth" -q -o "$D/other.synapt" --classes 1 --clips-per-class 10 --frames 4 --threads 1
    "$BIN/synapt-pack" -q -o "$D/third.synapt" --resume "$D/other.synapt" "$D/tree/manifest.jsonl" 2> "$T/other.err"
    rc=$?
    if [ $rc -eq 1 ] && [ ! -e "$D/third.synapt" ] && grep -q 'not an earlier run' "$T/other.err"; then
        pass "pack --resume refuses the salvage of another run"
    else fail "pack --resume refuses the salvage of another run" "exit $rc: $(cat "$T/other.err")"; fi
    rm -rf "${D:?}/$stage" "$D/part.synapt" "$D/again.synapt" "$D/other.synapt" "$D/whole.synapt"
else
    fail "pack killed with SIGKILL leaves a salvageable staging folder" "found '$stage': $(cat "$T/part.err" 2>/dev/null)"
    rm -rf "${D:?}/$stage" "$D/part.synapt" "$D/whole.synapt"
fi

# a file-size limit: the kernel sends SIGXFSZ on the write past it
cp "$D/small.synapt" "$D/out.synapt"
before=$(sum "$D/out.synapt")
# (an outer shell so that the signal report goes to /dev/null, not the log)
sh -c 'ulimit -f 4096; exec "$@"' sh "$BIN/synapt-synth" -q -o "$D/out.synapt" $big 2> /dev/null
rc=$?
left=$(leftovers "$D" small.synapt out.synapt tree)
if [ $rc -ne 0 ] && [ "$(sum "$D/out.synapt")" = "$before" ] && [ -z "$left" ]; then
    pass "file-size limit keeps the previous output, leaves nothing (exit $rc)"
else fail "file-size limit keeps the previous output, leaves nothing" "exit $rc, left: $left"; fi

# ---- a full disk ----
M=$T/full
mkdir -p "$M"
if mount -t tmpfs -o size=3m tmpfs "$M" 2> /dev/null; then
    cp "$D/small.synapt" "$M/out.synapt"
    before=$(sum "$M/out.synapt")
    "$BIN/synapt-synth" -q -o "$M/out.synapt" $big 2> "$T/full.err"
    rc=$?
    left=$(leftovers "$M" out.synapt)
    if [ $rc -eq 1 ] && [ "$(sum "$M/out.synapt")" = "$before" ] && [ -z "$left" ] &&
       [ "$(wc -l < "$T/full.err")" -eq 1 ] && grep -q "out.synapt" "$T/full.err" &&
       grep -qi 'space' "$T/full.err"; then
        pass "disk full: one line naming the file, previous output kept, nothing left"
    else fail "disk full" "exit $rc, left: $left, stderr: $(cat "$T/full.err")"; fi
    rm -f "$M/out.synapt"
    "$BIN/synapt-synth" -q -o "$M/tree" --layout dir $big 2> "$T/fulldir.err"
    rc=$?
    left=$(ls -A "$M")
    if [ $rc -eq 1 ] && [ -z "$left" ] && [ "$(wc -l < "$T/fulldir.err")" -eq 1 ]; then
        pass "disk full writing a folder: one line, nothing left"
    else fail "disk full writing a folder" "exit $rc, left: $left, stderr: $(cat "$T/fulldir.err")"; fi
    umount "$M"
else
    skip "disk full" "cannot mount a tmpfs here (needs root)"
fi

# ---- kill -9 at seeded moments, then recover ----
# The writer writes each clip's chunks and CLIP record to its temporary at
# end_clip (write-through), so whatever moment the kill comes, every clip
# whose CLIP record is in the temporary must come back. The oracle counts
# complete CLIP records (type 3) with a plain forward walk over the record
# prefixes, independent of the library; synapt-recover must keep exactly
# that many clips, and its output must pass --verify.
clip_records() {
    "$PY" -c '
import struct, sys
b = open(sys.argv[1], "rb").read()
pos, n = 8, 0
while pos + 16 <= len(b):
    t, _, blen = struct.unpack_from("<IIQ", b, pos)
    end = pos + 16 + blen + 8
    if end > len(b):
        break
    n += t == 3
    pos = end
print(n)' "$1"
}
SEED=${SYNAPT_TEST_SEED:-13}
# 5 moments for synth (short clips, so that several finish early) from 0.3 s
# to 1.5 s after the start, 5 for pack from 0.8 s to 2 s (it reads its
# manifest and probes the tree before it stages its output)
nk=10
sanitized && nk=4   # (fewer rounds under a sanitizer: it checks memory errors, not statistics)
moments=$(awk -v s="$SEED" -v n=$nk 'BEGIN { srand(s); for (i = 0; i < n; i++) printf "%.2f ", (i < n / 2 ? 0.3 : 0.8) + rand() * 1.2 }')
i=0
for at in $moments; do
    i=$((i + 1))
    rm -f "$D/out.synapt" "$D/saved.synapt"
    if [ $i -le $((nk / 2)) ]; then what=synth; "$BIN/synapt-synth" -q -o "$D/out.synapt" $big --frames 8 2> /dev/null &
    else what=pack; "$BIN/synapt-pack" -q -o "$D/out.synapt" "$D/tree/manifest.jsonl" --threads 2 2> /dev/null &
    fi
    pid=$!
    sleep "$at"
    kill -KILL $pid 2> /dev/null
    { wait $pid; } 2> /dev/null
    stage=$(ls -A "$D" | grep '^\.out\.synapt\.tmp-' | head -1)
    name="kill -9 of $what at ${at}s (seed $SEED)"
    if [ -z "$stage" ] && [ ! -e "$D/out.synapt" ]; then
        # killed before the output was staged (pack reads its manifest first)
        pass "$name: killed before any output, nothing left"
        continue
    fi
    if [ -z "$stage" ] && [ -e "$D/out.synapt" ]; then
        # an idle machine finished the job before the kill: a complete file
        if "$BIN/synapt-inspect" -q --verify "$D/out.synapt"; then
            pass "$name: finished before the kill, the output is complete"
        else fail "$name: finished before the kill" "the output does not verify"; fi
        rm -f "$D/out.synapt"
        continue
    fi
    if [ -z "$stage" ] || [ ! -d "$D/$stage" ] || [ -e "$D/out.synapt" ]; then
        fail "$name leaves a staging folder with the partial file" "found '$stage'"
        [ -n "$stage" ] && rm -rf "${D:?}/$stage"
        rm -f "$D/out.synapt"
        continue
    fi
    tmpf=$(find "$D/$stage" -maxdepth 1 -type f | head -1)
    want=$(clip_records "$tmpf")
    "$BIN/synapt-recover" --json "$D/$stage" -o "$D/saved.synapt" > "$T/rec.json" 2> "$T/rec.err"
    rc=$?
    kept=$(sed -n 's/.*"clips_kept":\([0-9]*\).*/\1/p' "$T/rec.json")
    if [ "${want:-0}" -eq 0 ]; then
        # nothing finished yet: nothing to save, and no output claims otherwise
        if [ "${kept:-0}" -eq 0 ] && { [ $rc -eq 1 ] || [ $rc -eq 3 ]; }; then
            pass "$name: no clip finished, none claimed (exit $rc)"
        else fail "$name: no clip finished" "exit $rc, kept '$kept': $(cat "$T/rec.err")"; fi
    elif { [ $rc -eq 0 ] || [ $rc -eq 3 ]; } && [ "$kept" = "$want" ] &&
         "$BIN/synapt-inspect" -q --verify "$D/saved.synapt" &&
         [ "$("$BIN/synapt-inspect" --clips --json "$D/saved.synapt" | wc -l)" -eq "$kept" ]; then
        pass "$name: all $want written clips recovered and verified (exit $rc)"
    else fail "$name" "exit $rc, $want CLIP records, kept '$kept': $(cat "$T/rec.json" "$T/rec.err")"; fi
    rm -rf "${D:?}/$stage" "$D/saved.synapt"
done

finish
