#!/bin/sh
# The whole synapt workflow on built-in synthetic data, no downloads:
# generate clips with synapt-synth (SURREACT-like folder), pack them with
# synapt-pack, inspect and verify the result, export a stream, and say what
# was made, where, and what to try next. `make demo` runs this after
# installing dependencies and building.
#
# Environment (all optional):
#   SYNAPT_BUILD   build directory holding bin/ (default: build)
#   DEMO_OUT       output folder (default: demo-out in the repository)
#   DEMO_CLASSES, DEMO_CLIPS, DEMO_FRAMES, DEMO_SIZE, DEMO_THREADS
#                  dataset shape (default 12 classes x 20 clips x 32 frames
#                  at 112x112, threads = cores)
set -eu
cd "$(dirname "$0")/.."
BUILD=${SYNAPT_BUILD:-build}
BIN=$(pwd)/$BUILD/bin
OUT=${DEMO_OUT:-$(pwd)/demo-out}
CLASSES=${DEMO_CLASSES:-12}
CLIPS=${DEMO_CLIPS:-20}
FRAMES=${DEMO_FRAMES:-32}
SIZE=${DEMO_SIZE:-112x112}
THREADS=${DEMO_THREADS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}

say() { printf '\n== %s\n' "$*"; }
have() { [ -x "$BIN/$1" ]; }
now() { date +%s; }

if ! have synapt-synth; then
    echo "demo: $BIN/synapt-synth not found; build first (make all, or make demo)" >&2
    exit 1
fi
mkdir -p "$OUT"
FOLDER=$OUT/synth
DATA=$OUT/demo.synapt
rm -rf "$FOLDER" "$DATA"
t0=$(now)

say "1. generate: $CLASSES actions x $CLIPS clips x $FRAMES frames at $SIZE (synapt-synth)"
# --scene-bias 0.5 plants a known shortcut: half of each class's clips are
# filmed in that class's own room, so an audit has something real to find.
"$BIN/synapt-synth" -o "$FOLDER" --layout dir --classes "$CLASSES" \
    --clips-per-class "$CLIPS" --frames "$FRAMES" --size "$SIZE" --seed 1 \
    --scene-bias 0.5 --threads "$THREADS"
echo "   SURREACT-like folder: $FOLDER"
echo "   (clips/ID/ID.mp4, ID_info.json, ID_pose2d.npy, ID_pose3d.npy, depth/, mask/; manifest.jsonl)"

if have synapt-pack; then
    say "2. pack the folder through its manifest (synapt-pack)"
    "$BIN/synapt-pack" -o "$DATA" --threads "$THREADS" "$FOLDER/manifest.jsonl"
    packed_by="synapt-pack from $FOLDER/manifest.jsonl"
else
    say "2. synapt-pack is not built: writing the .synapt directly with synapt-synth instead"
    "$BIN/synapt-synth" -o "$DATA" --classes "$CLASSES" --clips-per-class "$CLIPS" \
        --frames "$FRAMES" --size "$SIZE" --seed 1 --scene-bias 0.5 --threads "$THREADS"
    packed_by="synapt-synth directly (no synapt-pack in $BIN)"
fi

if have synapt-inspect; then
    say "3. inspect (synapt-inspect)"
    "$BIN/synapt-inspect" "$DATA"
    say "4. verify every checksum (synapt-inspect --verify)"
    "$BIN/synapt-inspect" --verify "$DATA" && echo "   sound"
    first=$("$BIN/synapt-inspect" --clips "$DATA" | awk 'NR == 2 { print $2 }')
else
    say "3. synapt-inspect is not built: skipping inspection"
    first=""
fi

exported=""
if have synapt-convert && [ -n "$first" ]; then
    say "5. export one clip's 3D joints to NumPy (synapt-convert)"
    if "$BIN/synapt-convert" "$DATA" --to npy --clip "$first" --stream pose3d \
        -o "$OUT/$first.pose3d.npy"; then
        exported="$OUT/$first.pose3d.npy"
        echo "   $exported: (frames, persons, 24 joints, xyz) float32, camera frame, metres"
    else
        echo "   warning: synapt-convert failed; the dataset above is unaffected" >&2
    fi
fi

# Tools that later issues add are run when present.
step=6
for tool in synapt-audit synapt-subset; do
    if have $tool; then
        say "$step. $tool"
        case $tool in
        synapt-audit)
            # exit 3 means a check flagged something: expected, the bias is planted
            arc=0
            "$BIN/synapt-audit" "$DATA" -o "$OUT/audit" || arc=$?
            if { [ $arc -eq 0 ] || [ $arc -eq 3 ]; } && [ -f "$OUT/audit/report.html" ]; then
                echo "   $OUT/audit/report.html: the audit report (open it in a browser)"
            else
                echo "   warning: synapt-audit failed; the dataset above is unaffected" >&2
            fi ;;
        synapt-subset)
            "$BIN/synapt-subset" -o "$OUT/val.synapt" --split val "$DATA" &&
                echo "   $OUT/val.synapt: the val split alone" ||
                echo "   warning: synapt-subset failed; the dataset above is unaffected" >&2 ;;
        esac
        step=$((step + 1))
    fi
done

t1=$(now)
size_of() { du -sh "$1" 2>/dev/null | cut -f1; }
say "done in $((t1 - t0)) s"
cat <<EOF
   made:
     $FOLDER  ($(size_of "$FOLDER"))  the generated folder + manifest.jsonl
     $DATA  ($(size_of "$DATA"))  one .synapt file, packed by $packed_by
EOF
[ -n "$exported" ] && echo "     $exported"
cat <<EOF
   each clip: rgb (H.264), depth (u16 mm), mask (SMPL parts 1..24), pose2d (px, visibility),
   pose3d (metres, camera frame); labels = action names; groups actor / scene / view;
   camera intrinsics and every generator parameter in the clip metadata.

   next:
     $BIN/synapt-inspect --clips $DATA | head
     $BIN/synapt-inspect --clip ${first:-walk_0000} $DATA
     $BIN/synapt-convert $DATA --to npy --clip ${first:-walk_0000} --stream rgb -o rgb.npy
     $BIN/synapt-synth --help      (more classes, bigger frames, --view-bias, --seed)
EOF
