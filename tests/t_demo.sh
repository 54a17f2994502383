#!/bin/sh
# t_demo.sh - `make demo` at a tiny size (scripts/demo.sh end to end) and
# synapt-synth's command line: exit codes, messages, what it writes.
cd "$(dirname "$0")/.." || exit 1
BUILD=${SYNAPT_BUILD:-build}
BIN=$(pwd)/$BUILD/bin
TMP=${SYNAPT_TEST_TMP:-/tmp}/t_demo.$$
mkdir -p "$TMP"
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
check() { name=$1; shift; if "$@"; then pass "$name"; else fail "$name" "$*"; fi; }

if [ ! -x "$BIN/synapt-synth" ]; then
    echo "SKIP t_demo: $BIN/synapt-synth not built"
    exit 0
fi

# ---- the demo, reduced ----
if SYNAPT_BUILD=$BUILD DEMO_OUT=$TMP/demo DEMO_CLASSES=3 DEMO_CLIPS=3 DEMO_FRAMES=6 \
   DEMO_SIZE=48x40 DEMO_THREADS=2 sh scripts/demo.sh > "$TMP/demo.log" 2>&1; then
    pass demo_runs
else
    fail demo_runs "scripts/demo.sh exited non-zero; log follows"
    sed 's/^/    /' "$TMP/demo.log"
fi
check demo_manifest [ -s "$TMP/demo/synth/manifest.jsonl" ]
check demo_manifest_lines [ "$(wc -l < "$TMP/demo/synth/manifest.jsonl")" -eq 9 ]
check demo_synapt [ -s "$TMP/demo/demo.synapt" ]
check demo_mp4 [ -s "$TMP/demo/synth/clips/walk_0000/walk_0000.mp4" ]
check demo_depth_png [ -s "$TMP/demo/synth/clips/walk_0000/depth/000005.png" ]
check demo_says_next grep -q "next:" "$TMP/demo.log"
if [ -x "$BIN/synapt-inspect" ]; then
    check demo_verify "$BIN/synapt-inspect" -q --verify "$TMP/demo/demo.synapt"
    n=$("$BIN/synapt-inspect" --clips "$TMP/demo/demo.synapt" | awk 'NR > 1' | wc -l)
    check demo_clip_count [ "$n" -eq 9 ]
    "$BIN/synapt-inspect" --clip run_0001 "$TMP/demo/demo.synapt" > "$TMP/clip.txt" 2>&1
    check demo_streams grep -q "pose3d" "$TMP/clip.txt"
    check demo_camera_meta grep -q '"camera":{"fx"' "$TMP/clip.txt"
    check demo_groups grep -q "actor=actor" "$TMP/clip.txt"
else
    echo "SKIP demo_inspect: synapt-inspect not built"
fi

# ---- synapt-synth command line ----
S=$BIN/synapt-synth
"$S" --help > "$TMP/help.txt" 2>&1
check cli_help [ $? -eq 0 ]
check cli_help_text grep -q -- "--scene-bias" "$TMP/help.txt"
"$S" --list-classes > "$TMP/classes.txt"
check cli_list_classes [ "$(wc -l < "$TMP/classes.txt")" -eq 14 ]
"$S" -o "$TMP/x.synapt" --classes 0 > /dev/null 2> "$TMP/err.txt"
check cli_bad_classes_exit2 [ $? -eq 2 ]
check cli_bad_classes_msg grep -q "synapt-synth: .*--classes" "$TMP/err.txt"
"$S" -o "$TMP/x.synapt" --size 12x > /dev/null 2>&1
check cli_bad_size_exit2 [ $? -eq 2 ]
"$S" -o "$TMP/x.synapt" --scene-bias 2 > /dev/null 2>&1
check cli_bad_bias_exit2 [ $? -eq 2 ]
"$S" --classes 2 > /dev/null 2>&1
check cli_no_output_exit2 [ $? -eq 2 ]
"$S" -q -o "$TMP/no/such/dir/x.synapt" --classes 1 --clips-per-class 1 --frames 2 \
    --size 32x32 > /dev/null 2> "$TMP/err.txt"
check cli_unwritable_exit1 [ $? -eq 1 ]
check cli_unwritable_names_path grep -q "no/such/dir" "$TMP/err.txt"
check cli_unwritable_one_line [ "$(wc -l < "$TMP/err.txt")" -eq 1 ]
# quiet success prints nothing; raw RGB and a seed give identical reruns
"$S" -q -o "$TMP/a.synapt" --rgb raw --classes 2 --clips-per-class 2 --frames 4 --size 32x24 \
    --seed 9 --threads 1 > "$TMP/out.txt" 2>&1
check cli_quiet_silent [ ! -s "$TMP/out.txt" ]
"$S" -q -o "$TMP/b.synapt" --rgb raw --classes 2 --clips-per-class 2 --frames 4 --size 32x24 \
    --seed 9 --threads 3
check cli_rerun_identical cmp -s "$TMP/a.synapt" "$TMP/b.synapt"
# odd sizes still encode (libx264 takes 4:4:4 there)
"$S" -q -o "$TMP/odd.synapt" --classes 1 --clips-per-class 1 --frames 3 --size 33x27
check cli_odd_size_h264 [ $? -eq 0 ]

rm -rf "$TMP"
