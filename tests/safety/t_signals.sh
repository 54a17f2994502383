#!/bin/sh
# SIGINT and SIGTERM at seeded random moments (20 of each) during synth,
# synth --layout dir, pack, convert and recover: afterwards the target holds
# either the previous output, byte for byte, or the complete new one (equal
# to an uninterrupted run's), and nothing else is left in the folder.
. "$(dirname "$0")/../lib.sh"
need_built bin/synapt-synth bin/synapt-pack bin/synapt-convert bin/synapt-recover
SEED=${SYNAPT_SIGNAL_SEED:-20261204}
D=$T/w
mkdir -p "$D"
sum() { if [ -d "$1" ]; then (cd "$1" && find . -type f | sort | xargs md5sum | md5sum); else md5sum < "$1"; fi | cut -c1-32; }
leftovers() { d=$1; shift; ls -A "$d" | grep -v -x -F "$(printf '%s\n' "$@")"; }

# inputs, previous outputs and the reference outputs of uninterrupted runs
synth_opts="-q --classes 4 --clips-per-class 6 --frames 16 --size 96x96 --threads 2"
# shellcheck disable=SC2086
synapt-synth $synth_opts -o "$T/ref.synapt" &&
synapt-synth $synth_opts -o "$T/refdir" --layout dir &&
synapt-synth -q --classes 1 --clips-per-class 1 --frames 4 -o "$T/old.synapt" &&
synapt-synth -q --classes 1 --clips-per-class 1 --frames 4 -o "$T/olddir" --layout dir &&
synapt-pack -q -o "$T/refpack.synapt" "$T/refdir/manifest.jsonl" --threads 2 &&
id=$(synapt-inspect --clips --json "$T/ref.synapt" | head -1 | sed 's/.*"id":"\([^"]*\)".*/\1/') &&
synapt-convert -q "$T/ref.synapt" --to npy --clip "$id" --stream depth -o "$T/refconv.npy" &&
synapt-recover -q "$T/ref.synapt" -o "$T/refrec.synapt" ||
    fatal signals_setup "cannot make the inputs"
old=$(sum "$T/old.synapt")
olddir=$(sum "$T/olddir")

# the moments: 40 delays in [0, 1.2) s, from the seed (10 under a sanitizer)
rounds=40
sanitized && rounds=10
awk -v s="$SEED" -v n=$rounds 'BEGIN { srand(s); for (i = 0; i < n; i++) printf "%.3f\n", rand() * 1.2 }' > "$T/delays"
cmds="synth dir pack convert recover"
i=0 bad=0 kept=0 done_=0
while read -r delay; do
    sig=INT
    [ $((i % 2)) -eq 1 ] && sig=TERM
    c=$(echo $cmds | cut -d' ' -f$((i / 2 % 5 + 1)))
    rm -rf "$D" && mkdir -p "$D"
    case $c in
        dir) cp -r "$T/olddir" "$D/out"; prev=$olddir ;;
        *)   cp "$T/old.synapt" "$D/out"; prev=$old ;;
    esac
    case $c in
        synth)   ref=$T/ref.synapt;     set -- synapt-synth $synth_opts -o "$D/out" ;;
        dir)     ref=$T/refdir;         set -- synapt-synth $synth_opts -o "$D/out" --layout dir ;;
        pack)    ref=$T/refpack.synapt; set -- synapt-pack -q -o "$D/out" "$T/refdir/manifest.jsonl" --threads 2 ;;
        convert) ref=$T/refconv.npy;    set -- synapt-convert -q "$T/ref.synapt" --to npy --clip "$id" --stream depth -o "$D/out" ;;
        recover) ref=$T/refrec.synapt;  set -- synapt-recover -q "$T/ref.synapt" -o "$D/out" ;;
    esac
    # env gives SIGINT back its default: a background job starts with it ignored
    env --default-signal=INT "$@" 2> "$T/err" &
    pid=$!
    sleep "$delay"
    kill -"$sig" $pid 2> /dev/null
    { wait $pid; } 2> /dev/null
    now=$(sum "$D/out")
    left=$(leftovers "$D" out)
    if [ -n "$left" ]; then
        bad=$((bad + 1)); fail "SIG$sig after ${delay}s of $c" "left behind: $left"
    elif [ "$now" = "$prev" ]; then
        kept=$((kept + 1))
    elif [ "$now" = "$(sum "$ref")" ]; then
        done_=$((done_ + 1))
    else
        bad=$((bad + 1)); fail "SIG$sig after ${delay}s of $c" "the output is neither the old nor the complete new one"
    fi
    i=$((i + 1))
done < "$T/delays"
if [ $bad -eq 0 ]; then
    pass "$rounds seeded SIGINT/SIGTERM (seed $SEED): $kept kept the old output, $done_ finished, none left anything"
fi
finish
