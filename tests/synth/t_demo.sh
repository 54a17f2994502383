#!/bin/sh
# t_demo.sh - `make demo` at a tiny size (scripts/demo.sh end to end) and
# synapt-synth's command line: exit codes, messages, what it writes.
. "$(dirname "$0")/../lib.sh"
need_built bin/synapt-synth bin/synapt-inspect

# ---- the demo, reduced ----
if SYNAPT_BUILD=$B DEMO_OUT=$T/demo DEMO_CLASSES=3 DEMO_CLIPS=3 DEMO_FRAMES=6 \
   DEMO_SIZE=48x40 DEMO_THREADS=2 sh scripts/demo.sh > "$T/demo.log" 2>&1; then
    pass demo_runs
else
    fail demo_runs "scripts/demo.sh exited non-zero; log follows"
    sed 's/^/    /' "$T/demo.log"
fi
check demo_manifest [ -s "$T/demo/synth/manifest.jsonl" ]
check demo_manifest_lines [ "$(wc -l < "$T/demo/synth/manifest.jsonl")" -eq 9 ]
check demo_synapt [ -s "$T/demo/demo.synapt" ]
check demo_mp4 [ -s "$T/demo/synth/clips/walk_0000/walk_0000.mp4" ]
check demo_depth_png [ -s "$T/demo/synth/clips/walk_0000/depth/000005.png" ]
check demo_says_next grep -q "next:" "$T/demo.log"
check demo_verify "$BIN/synapt-inspect" -q --verify "$T/demo/demo.synapt"
n=$("$BIN/synapt-inspect" --clips "$T/demo/demo.synapt" | awk 'NR > 1' | wc -l)
check demo_clip_count [ "$n" -eq 9 ]
"$BIN/synapt-inspect" --clip run_0001 "$T/demo/demo.synapt" > "$T/clip.txt" 2>&1
check demo_streams grep -q "pose3d" "$T/clip.txt"
check demo_camera_meta grep -q '"camera":{"fx"' "$T/clip.txt"
check demo_groups grep -q "actor=actor" "$T/clip.txt"

# ---- synapt-synth command line ----
S=$BIN/synapt-synth
"$S" --help > "$T/help.txt" 2>&1
check cli_help [ $? -eq 0 ]
check cli_help_text grep -q -- "--scene-bias" "$T/help.txt"
"$S" --list-classes > "$T/classes.txt"
check cli_list_classes [ "$(wc -l < "$T/classes.txt")" -eq 154 ]
check cli_list_classes_order grep -qx "14 walk_slow" "$T/classes.txt"
"$S" -o "$T/x.synapt" --classes 0 > /dev/null 2> "$T/err.txt"
check cli_bad_classes_exit2 [ $? -eq 2 ]
check cli_bad_classes_msg grep -q "synapt-synth: .*--classes" "$T/err.txt"
"$S" -o "$T/x.synapt" --size 12x > /dev/null 2>&1
check cli_bad_size_exit2 [ $? -eq 2 ]
"$S" -o "$T/x.synapt" --scene-bias 2 > /dev/null 2>&1
check cli_bad_bias_exit2 [ $? -eq 2 ]
"$S" --classes 2 > /dev/null 2>&1
check cli_no_output_exit2 [ $? -eq 2 ]
"$S" -q -o "$T/no/such/dir/x.synapt" --classes 1 --clips-per-class 1 --frames 2 \
    --size 32x32 > /dev/null 2> "$T/err.txt"
check cli_unwritable_exit1 [ $? -eq 1 ]
check cli_unwritable_names_path grep -q "no/such/dir" "$T/err.txt"
check cli_unwritable_one_line [ "$(wc -l < "$T/err.txt")" -eq 1 ]
# quiet success prints nothing; raw RGB and a seed give identical reruns
"$S" -q -o "$T/a.synapt" --rgb raw --classes 2 --clips-per-class 2 --frames 4 --size 32x24 \
    --seed 9 --threads 1 > "$T/out.txt" 2>&1
check cli_quiet_silent [ ! -s "$T/out.txt" ]
"$S" -q -o "$T/b.synapt" --rgb raw --classes 2 --clips-per-class 2 --frames 4 --size 32x24 \
    --seed 9 --threads 3
check cli_rerun_identical cmp -s "$T/a.synapt" "$T/b.synapt"
# odd sizes still encode (libx264 takes 4:4:4 there)
"$S" -q -o "$T/odd.synapt" --classes 1 --clips-per-class 1 --frames 3 --size 33x27
check cli_odd_size_h264 [ $? -eq 0 ]

finish
