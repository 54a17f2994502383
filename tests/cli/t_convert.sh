#!/bin/sh
# CLI tests for synapt-convert --to npy: every array stream kind of the
# fixtures written by test_cli_fixtures is exported and loaded with numpy
# (shape, dtype and every value checked against the generating formula),
# --frames ranges, exit codes (0 ok, 1 error, 2 usage), messages naming the
# file, and atomic output (a failed export leaves nothing / the old file).
. "$(dirname "$0")/../lib.sh"
need_built tests/cli/test_cli_fixtures bin/synapt-convert bin/synapt-inspect bin/synapt-synth
if ! "$B/tests/cli/test_cli_fixtures" --write "$T" > "$T/fixtures.log" 2>&1; then
    fatal convert_fixtures "test_cli_fixtures --write failed: $(head -c 300 "$T/fixtures.log")"
fi
F=$T/small.synapt

# --- conventions ---------------------------------------------------------
run help synapt-convert --help
if [ $rc -eq 0 ] && has "$T/help.out" "Usage: synapt-convert" && has "$T/help.out" "--to npy" &&
   empty "$T/help.err"; then pass convert_help_stdout; else fail convert_help_stdout "status $rc"; fi

run version synapt-convert --version
if [ $rc -eq 0 ] && has "$T/version.out" "^synapt-convert [0-9]"; then pass convert_version
else fail convert_version "status $rc"; fi

ok=1
for args in "" "$F" "$F --to" "$F --to tiff" "$F --to npy --stream depth -o $T/x.npy" \
            "$F --to npy --clip walk_000 -o $T/x.npy" "$F --to npy --clip walk_000 --stream depth" \
            "$F --to npy --clip walk_000 --stream depth -o $T/x.npy --frames 1:x" \
            "$F --to npy --clip walk_000 --stream depth -o $T/x.npy --frames 3:1" \
            "$F $F --to npy" "--nope $F"; do
    # shellcheck disable=SC2086
    run usage synapt-convert $args
    if [ $rc -ne 2 ] || ! empty "$T/usage.out" || ! has "$T/usage.err" "^synapt-convert: " ||
       ! has "$T/usage.err" "--help"; then
        ok=0; fail convert_usage_errors "'synapt-convert $args' gave status $rc: $(cat "$T/usage.err")"
    fi
done
[ -e "$T/x.npy" ] && { ok=0; fail convert_usage_errors "a usage error wrote $T/x.npy"; }
[ $ok -eq 1 ] && pass convert_usage_errors

if ! py_has numpy; then
    skip convert_npy_values "no numpy in $PY"
    finish
fi

# --- every stream kind, loaded by numpy ------------------------------------
ok=1
for s in rgb depth pose2d mask labels feat; do
    run "npy_$s" synapt-convert "$F" --to npy --clip walk_000 --stream "$s" -o "$T/$s.npy"
    if [ $rc -ne 0 ] || ! empty "$T/npy_$s.err" || ! empty "$T/npy_$s.out"; then
        ok=0; fail convert_npy_streams "$s: status $rc: $(cat "$T/npy_$s.err")"
    fi
done
run npy_f32 synapt-convert "$F" --to npy --clip run_001 --stream depth -o "$T/depthf.npy"
[ $rc -eq 0 ] || { ok=0; fail convert_npy_streams "run_001/depth: $(cat "$T/npy_f32.err")"; }
[ $ok -eq 1 ] && pass convert_npy_streams

if (cd "$T" && "$PY" - > npy.check 2>&1 <<'EOF'
import numpy as np
t, y, x, c = np.meshgrid(np.arange(5), np.arange(6), np.arange(8), np.arange(3), indexing="ij")
rgb = np.load("rgb.npy")
assert rgb.shape == (5, 6, 8, 3) and rgb.dtype == np.uint8, (rgb.shape, rgb.dtype)
assert (rgb == ((7 * t + 3 * y + 5 * x + c) & 255)).all()
t, y, x = np.meshgrid(np.arange(5), np.arange(6), np.arange(8), indexing="ij")
d = np.load("depth.npy")
assert d.shape == (5, 6, 8) and d.dtype == np.uint16, (d.shape, d.dtype)
assert (d == 1000 * t + 8 * y + x).all()
m = np.load("mask.npy")
assert m.shape == (5, 6, 8) and m.dtype == np.uint8 and (m == (x + y + t) % 4).all()
lab = np.load("labels.npy")
assert lab.shape == (5,) and lab.dtype == np.int32 and list(lab) == [-1, 0, 1, 2, -1], lab
f = np.load("feat.npy")
assert f.shape == (5, 2, 3) and f.dtype == np.float32
assert (f == (100 * np.arange(5)[:, None, None] + np.arange(6).reshape(2, 3))).all()
p = np.load("pose2d.npy")
assert p.shape == (5, 2, 17, 3) and p.dtype == np.float32, (p.shape, p.dtype)
for tt in range(5):
    for pp in range(2):
        want = 1000 * pp + 10 * np.arange(17)[:, None] + np.arange(3)[None, :] + 0.5 * tt
        if pp < tt % 3:
            assert np.allclose(p[tt, pp], want), (tt, pp)
        else:
            assert np.isnan(p[tt, pp]).all(), (tt, pp)
df = np.load("depthf.npy")
assert df.shape == (3, 4, 4) and df.dtype == np.float32
assert (df == np.arange(3)[:, None, None] + 0.25 * np.arange(16).reshape(4, 4)).all()
EOF
); then pass convert_npy_values; else fail convert_npy_values "$(tail -n 3 "$T/npy.check")"; fi

# an id and a stream name that need quoting on the command line
odd_id=$(printf 'odd "clip"\\1\t\377')
run odd synapt-convert "$T/odd.synapt" --to npy --clip "$odd_id" --stream 'd"epth' -o "$T/odd.npy"
if [ $rc -eq 0 ] && "$PY" -c '
import sys, numpy as np
a = np.load(sys.argv[1])
assert a.dtype == np.uint16 and a.shape == (1, 2, 2) and a.tolist() == [[[1, 2], [3, 65535]]], a
' "$T/odd.npy" 2> "$T/odd.check"; then
    pass convert_odd_names
else
    fail convert_odd_names "status $rc: $(cat "$T/odd.err" "$T/odd.check")"
fi

# --- --frames ----------------------------------------------------------------
ok=1
for spec in "1:3 1 2" "3: 3 2" ":2 0 2" "4 4 1" "0:5 0 5" "2:2 2 0"; do
    set -- $spec
    run frames synapt-convert "$F" --to npy --clip walk_000 --stream rgb --frames "$1" -o "$T/fr.npy"
    if [ $rc -ne 0 ] || ! "$PY" -c '
import sys, numpy as np
a = np.load(sys.argv[1]); first, n = int(sys.argv[2]), int(sys.argv[3])
assert a.shape == (n, 6, 8, 3), a.shape
t, y, x, c = np.meshgrid(np.arange(first, first + n), np.arange(6), np.arange(8), np.arange(3), indexing="ij")
assert (a == ((7 * t + 3 * y + 5 * x + c) & 255)).all()
' "$T/fr.npy" "$2" "$3" 2> "$T/frames.check"; then
        ok=0; fail convert_frames_range "--frames $1: status $rc $(cat "$T/frames.err" "$T/frames.check")"
    fi
done
run poser synapt-convert "$F" --to npy --clip walk_000 --stream pose2d --frames 2:4 -o "$T/pr.npy"
if [ $rc -ne 0 ] || ! "$PY" -c '
import sys, numpy as np
a = np.load(sys.argv[1])
assert a.shape == (2, 2, 17, 3), a.shape   # P is the clip maximum, not the range maximum
assert not np.isnan(a[0]).any() and np.isnan(a[1]).all()
' "$T/pr.npy" 2> "$T/poser.check"; then
    ok=0; fail convert_frames_range "pose --frames 2:4: $(cat "$T/poser.err" "$T/poser.check")"
fi
[ $ok -eq 1 ] && pass convert_frames_range

# --- errors: exit 1, message naming the file, nothing left behind -------------
run noclip synapt-convert "$F" --to npy --clip nope --stream depth -o "$T/e1.npy"
if [ $rc -eq 1 ] && has "$T/noclip.err" "^synapt-convert: $F: .*nope" && [ ! -e "$T/e1.npy" ]; then
    pass convert_unknown_clip; else fail convert_unknown_clip "status $rc: $(cat "$T/noclip.err")"; fi

run nostream synapt-convert "$F" --to npy --clip run_001 --stream rgb -o "$T/e2.npy"
if [ $rc -eq 1 ] && has "$T/nostream.err" "^synapt-convert: $F: .*rgb.*it has: depth" && [ ! -e "$T/e2.npy" ]; then
    pass convert_unknown_stream; else fail convert_unknown_stream "status $rc: $(cat "$T/nostream.err")"; fi

run range synapt-convert "$F" --to npy --clip walk_000 --stream depth --frames 3:9 -o "$T/e3.npy"
if [ $rc -eq 1 ] && has "$T/range.err" "^synapt-convert: $F: .*5 frames" && [ ! -e "$T/e3.npy" ]; then
    pass convert_range_outside; else fail convert_range_outside "status $rc: $(cat "$T/range.err")"; fi

ok=1
for f in "$T/missing.synapt" "$T/not-synapt.txt" "$T/truncated.synapt"; do
    run badin synapt-convert "$f" --to npy --clip walk_000 --stream depth -o "$T/e4.npy"
    if [ $rc -ne 1 ] || ! has "$T/badin.err" "^synapt-convert: $f" || [ -e "$T/e4.npy" ]; then
        fail convert_bad_input "$f: status $rc: $(cat "$T/badin.err")"
        ok=0
    fi
done
[ $ok -eq 1 ] && pass convert_bad_input

# a damaged chunk: the export fails and an existing output file is untouched
echo "previous contents" > "$T/keep.npy"
run badchunk synapt-convert "$T/bad-chunk.synapt" --to npy --clip walk_000 --stream depth -o "$T/keep.npy"
if [ $rc -eq 1 ] && has "$T/badchunk.err" "^synapt-convert: $T/bad-chunk.synapt" &&
   [ "$(cat "$T/keep.npy")" = "previous contents" ] && [ -z "$(ls "$T" | grep 'keep.npy.tmp')" ]; then
    pass convert_atomic_on_damage
else
    fail convert_atomic_on_damage "status $rc: $(cat "$T/badchunk.err")"
fi

# an index whose pose stream claims 65536 persons (checksums consistent):
# refused before the array is sized, where the sound file converts
run pose synapt-convert "$T/pose.synapt" --to npy --clip c0 --stream pose -o "$T/pose.npy"
poserc=$rc
run persons synapt-convert "$T/pose-persons.synapt" --to npy --clip c0 --stream pose -o "$T/persons.npy"
if [ $poserc -eq 0 ] && [ $rc -eq 1 ] && has "$T/persons.err" "^synapt-convert: $T/pose-persons.synapt" &&
   [ "$(lines "$T/persons.err")" = 1 ] && [ ! -e "$T/persons.npy" ]; then
    pass convert_checks_max_persons
else
    fail convert_checks_max_persons "status $poserc/$rc: $(cat "$T/pose.err" "$T/persons.err")"
fi

cp "$F" "$T/self.synapt"
run self synapt-convert "$T/self.synapt" --to npy --clip walk_000 --stream depth -o "$T/./self.synapt"
if [ $rc -eq 1 ] && has "$T/self.err" "input file" && cmp -s "$F" "$T/self.synapt"; then
    pass convert_refuses_own_input; else fail convert_refuses_own_input "status $rc: $(cat "$T/self.err")"; fi

run outdir synapt-convert "$F" --to npy --clip walk_000 --stream depth -o "$T/no/such/dir/x.npy"
if [ $rc -eq 1 ] && has "$T/outdir.err" "^synapt-convert: $T/no/such/dir/x.npy"; then
    pass convert_bad_output_path; else fail convert_bad_output_path "status $rc: $(cat "$T/outdir.err")"; fi

# --- encoded video: decoded to RGB, frame-exact ranges -------------------------
# synapt-synth writes the same clip as H.264 and as raw images; the decoded
# H.264 must be close to the raw frames, and a range must equal the same
# slice of a whole-clip decode.
synth="synapt-synth -q --classes 1 --clips-per-class 1 --frames 20 --size 64x48 --seed 7"
if $synth -o "$T/v264.synapt" 2> "$T/synth.err" && $synth --rgb raw -o "$T/vraw.synapt" 2>> "$T/synth.err"; then
    clip=$(synapt-inspect --clips --json "$T/v264.synapt" | "$PY" -c 'import json,sys; print(json.loads(sys.stdin.readline())["id"])')
    ok=1
    synapt-convert "$T/v264.synapt" --to npy --clip "$clip" --stream rgb -o "$T/v264.npy" 2> "$T/v.err" || ok=0
    synapt-convert "$T/vraw.synapt" --to npy --clip "$clip" --stream rgb -o "$T/vraw.npy" 2>> "$T/v.err" || ok=0
    synapt-convert "$T/v264.synapt" --to npy --clip "$clip" --stream rgb --frames 13:17 -o "$T/vpart.npy" 2>> "$T/v.err" || ok=0
    if [ $ok -eq 1 ] && "$PY" -c '
import sys, numpy as np
a, b, p = (np.load(sys.argv[i]) for i in (1, 2, 3))
assert a.shape == (20, 48, 64, 3) and a.dtype == np.uint8, a.shape
assert b.shape == a.shape and b.dtype == np.uint8
err = np.abs(a.astype(int) - b).mean()
assert err < 8, err
assert (p == a[13:17]).all()
' "$T/v264.npy" "$T/vraw.npy" "$T/vpart.npy" 2> "$T/v.check"; then
        pass convert_video_npy
    else
        fail convert_video_npy "$(cat "$T/v.err" "$T/v.check" | tail -n 3)"
    fi
else
    fail convert_video_npy "synapt-synth failed: $(head -c 300 "$T/synth.err")"
fi

# --- every verb refuses to rename over its input or over a non-regular file
cp "$F" "$T/self.synapt"
ok=1
for to in npy framemd5 video; do
    case $to in
        npy) extra="--stream depth" ;;
        framemd5) extra="" ;;
        video) extra="" ;;
    esac
    # shellcheck disable=SC2086
    run self synapt-convert "$T/self.synapt" --to $to --clip walk_000 $extra -o "$T/self.synapt"
    if [ $rc -ne 1 ] || ! cmp -s "$F" "$T/self.synapt" || ! has "$T/self.err" "input file"; then
        ok=0; fail convert_verbs_refuse_bad_outputs "--to $to: status $rc, $(cat "$T/self.err")"
    fi
done
mkfifo "$T/fifo" 2>/dev/null && for to in framemd5 video; do
    run fifo synapt-convert "$F" --to $to --clip walk_000 -o "$T/fifo"
    if [ $rc -ne 1 ] || [ ! -p "$T/fifo" ]; then
        ok=0; fail convert_verbs_refuse_bad_outputs "--to $to over a FIFO: status $rc"
    fi
done
[ $ok -eq 1 ] && pass convert_verbs_refuse_bad_outputs

finish
