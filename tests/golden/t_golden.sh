#!/bin/sh
# Golden files: the byte layout of .synapt, pinned.
#
#   tests/golden/*.synapt         written by tests/golden/gen_golden.c through libsynapt
#   tests/golden/NAME.json        what `synapt-inspect --json` prints for NAME.synapt
#   tests/golden/NAME.dump        the file described clip by clip, stream by stream,
#                                 with an XXH3 of every stream's frames
#   tests/golden/errors.txt       the error libsynapt gives for each err_*/ok_* file
#   tests/golden/src_h264.mp4     the source of video.synapt (H.264 with B-frames)
#
# Checks: regenerating gives identical bytes (so a format change cannot slip
# in unnoticed); inspect --json matches; libsynapt and examples/mini_reader
# (written from spec/format.md alone, no libsynapt) both produce NAME.dump;
# every error file fails with its expected error in libsynapt, in
# synapt-inspect --verify (exit 1, message naming the file) and in
# mini_reader, and every ok_* file passes all three.
#
# After a deliberate format or writer change: sh tests/golden/t_golden.sh --update,
# review `git diff tests/golden`, and record the change in spec/format.md.
. "$(dirname "$0")/../lib.sh"
need_built tests/golden/gen_golden
GEN=$BUILD/tests/golden/gen_golden   # absolute: some steps run inside $G
MINI=$B/examples/mini_reader
G=tests/golden
INSPECT=$BIN/synapt-inspect
mkdir -p "$T/regen"

if [ "${1:-}" = "--update" ]; then
    rm -f "$G"/*.synapt "$G"/*.json "$G"/*.dump "$G"/errors.txt
    "$GEN" write "$G" "$G/src_h264.mp4" || fatal golden_update "gen_golden write failed"
    for f in "$G"/basic.synapt "$G"/empty.synapt "$G"/video.synapt; do
        n=$(basename "$f" .synapt)
        "$GEN" dump "$f" > "$G/$n.dump" || fatal golden_update "gen_golden dump $f failed"
        "$INSPECT" --json "$f" > "$G/$n.json" || fatal golden_update "synapt-inspect --json $f failed"
    done
    (cd "$G" && "$GEN" check err_*.synapt ok_*.synapt > errors.txt 2>/dev/null) || fatal golden_update "gen_golden check failed"
    echo "updated $G; review with: git diff --stat $G"
    finish
fi

# 1. determinism: the library writes the same bytes as when the goldens were made
if "$GEN" write "$T/regen" "$G/src_h264.mp4" 2> "$T/gen.err"; then
    changed="" nfiles=0
    for f in "$G"/*.synapt; do
        n=$(basename "$f")
        nfiles=$((nfiles + 1))
        cmp -s "$f" "$T/regen/$n" 2>/dev/null || changed="$changed $n"
    done
    for f in "$T"/regen/*.synapt; do
        [ -f "$G/$(basename "$f")" ] || changed="$changed $(basename "$f")(not committed)"
    done
    if [ -z "$changed" ]; then
        pass "golden_bytes ($nfiles files identical when regenerated)"
    else
        fail golden_bytes "the writer's output changed:$changed; if intended: sh tests/golden/t_golden.sh --update"
    fi
else
    fail golden_regenerate "$(head -1 "$T/gen.err")"
fi

# 2. each golden file read three ways: libsynapt, mini_reader, synapt-inspect
for f in "$G"/basic.synapt "$G"/empty.synapt "$G"/video.synapt; do
    n=$(basename "$f" .synapt)
    if "$GEN" dump "$f" > "$T/$n.lib" 2> "$T/$n.lib.err" && cmp -s "$T/$n.lib" "$G/$n.dump"; then
        pass "golden_libsynapt_$n"
    else
        fail "golden_libsynapt_$n" "$(head -1 "$T/$n.lib.err")"
        diff "$G/$n.dump" "$T/$n.lib" | head -10
    fi
    if [ ! -x "$MINI" ]; then
        skip "golden_mini_reader_$n" "$MINI not built (make B=$B examples)"
    elif "$MINI" "$f" > "$T/$n.mini" 2> "$T/$n.mini.err" && cmp -s "$T/$n.mini" "$G/$n.dump"; then
        pass "golden_mini_reader_$n"
    else
        fail "golden_mini_reader_$n" "$(head -1 "$T/$n.mini.err")"
        diff "$G/$n.dump" "$T/$n.mini" | head -10
    fi
    if [ ! -x "$INSPECT" ]; then
        skip "golden_inspect_json_$n" "synapt-inspect not built"
    elif "$INSPECT" --json "$f" > "$T/$n.json" 2> "$T/$n.json.err" && cmp -s "$T/$n.json" "$G/$n.json"; then
        pass "golden_inspect_json_$n"
    else
        fail "golden_inspect_json_$n" "$(head -1 "$T/$n.json.err")"
        diff "$G/$n.json" "$T/$n.json" | head -10
    fi
done

# 3. error files: the expected libsynapt error, inspect --verify, mini_reader
if (cd "$G" && "$GEN" check err_*.synapt ok_*.synapt > "$T/errors.txt" 2> "$T/errors.err") &&
   cmp -s "$T/errors.txt" "$G/errors.txt"; then
    pass golden_errors_libsynapt
else
    fail golden_errors_libsynapt "errors differ from $G/errors.txt"
    diff "$G/errors.txt" "$T/errors.txt" | head -20
fi
bad_inspect="" bad_mini=""
for f in "$G"/err_*.synapt "$G"/ok_*.synapt; do
    n=$(basename "$f")
    case "$n" in ok_*) want=0 ;; *) want=1 ;; esac
    if [ -x "$INSPECT" ]; then
        "$INSPECT" --verify "$f" > /dev/null 2> "$T/v.err"
        rc=$?
        if [ "$rc" -ne "$want" ]; then
            bad_inspect="$bad_inspect $n(exit $rc)"
        elif [ "$want" -eq 1 ] && ! grep -q "$n" "$T/v.err"; then
            bad_inspect="$bad_inspect $n(message does not name the file)"
        fi
    fi
    if [ -x "$MINI" ]; then
        "$MINI" "$f" > /dev/null 2>&1
        rc=$?
        [ "$rc" -eq "$want" ] || bad_mini="$bad_mini $n(exit $rc)"
    fi
done
if [ ! -x "$INSPECT" ]; then skip golden_errors_inspect "synapt-inspect not built"
elif [ -z "$bad_inspect" ]; then pass golden_errors_inspect
else fail golden_errors_inspect "$bad_inspect"; fi
if [ ! -x "$MINI" ]; then skip golden_errors_mini_reader "mini_reader not built"
elif [ -z "$bad_mini" ]; then pass golden_errors_mini_reader
else fail golden_errors_mini_reader "$bad_mini"; fi

# 4. forward scan (spec section 13) of complete and cut files: what a
#    recovery tool would find, from the spec alone
if [ -x "$MINI" ]; then
    bad=""
    for want in "basic 0 3 clips (3 without gaps); stopped at the INDEX" \
                "err_trunc_no_footer 0 3 clips (3 without gaps); stopped at the INDEX" \
                "err_trunc_index 3 3 clips (3 without gaps); stopped at a record runs past" \
                "err_trunc_half 3 2 clips (2 without gaps); stopped at a record runs past" \
                "err_chunk_flip 3 0 clips (0 without gaps); stopped at a record with a bad checksum"; do
        n=${want%% *}; rest=${want#* }; code=${rest%% *}; text=${rest#* }
        out=$("$MINI" --scan "$G/$n.synapt" 2>&1 | tail -1)
        rc=$("$MINI" --scan "$G/$n.synapt" > /dev/null 2>&1; echo $?)
        case "$out" in *"$text"*) [ "$rc" = "$code" ] || bad="$bad $n(exit $rc)" ;; *) bad="$bad $n($out)" ;; esac
    done
    if [ -z "$bad" ]; then pass golden_forward_scan; else fail golden_forward_scan "$bad"; fi
else
    skip golden_forward_scan "mini_reader not built"
fi

# 5. differential check: mutate the goldens behind valid checksums (gen_golden
#    fix), then libsynapt and mini_reader must agree on accept/reject and, when
#    both accept, on every byte they decode. A disagreement means the spec and
#    the library say different things. Fixed seed: the same files every run.
if [ -x "$MINI" ] && [ -x "$PY" ]; then
    if "$PY" - "$GEN" "$MINI" "$G" "$T" > "$T/diff.out" 2>&1 <<'PYEOF'
import random, struct, subprocess, sys
gen, mini, g, tmp = sys.argv[1:5]
rng = random.Random(20261126)
srcs = [open(g + "/basic.synapt", "rb").read(), open(g + "/video.synapt", "rb").read()]
bad = 0
for it in range(60):
    b = bytearray(rng.choice(srcs))
    n = len(b)
    index_at = struct.unpack_from("<Q", b, n - 32)[0]
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(index_at + 16, n - 40) if rng.random() < 0.5 else rng.randrange(8, index_at)
        w = rng.choice([1, 2, 4, 8]); i -= i % w
        v = rng.choice([0, 1, 2, 255, 65535, 2**31, 2**32 - 1, 2**63, rng.getrandbits(64)])
        b[i:i + w] = (v & ((1 << (8 * w)) - 1)).to_bytes(w, "little")
    path = "%s/mut%d.synapt" % (tmp, it)
    open(path, "wb").write(b)
    subprocess.run([gen, "fix", path], check=True)
    m = subprocess.run([mini, path], capture_output=True)
    d = subprocess.run([gen, "dump", path], capture_output=True)
    if m.returncode not in (0, 1) or d.returncode not in (0, 1) or m.returncode != d.returncode or \
       (m.returncode == 0 and m.stdout != d.stdout):
        bad += 1
        print("mutant %d: mini_reader %d (%s), libsynapt %d (%s)" % (it, m.returncode,
              m.stderr.decode(errors="replace").strip()[:120], d.returncode,
              d.stderr.decode(errors="replace").strip()[:120]))
sys.exit(1 if bad else 0)
PYEOF
    then pass golden_differential
    else fail golden_differential "$(head -3 "$T/diff.out" | tr '\n' ' ')"; fi
else
    skip golden_differential "needs mini_reader and $PY"
fi

# 6. the goldens stay small enough to read in a review
big=""
for f in "$G"/*.synapt; do
    [ "$(wc -c < "$f")" -lt 51200 ] || big="$big $(basename "$f")"
done
if [ -z "$big" ]; then pass golden_sizes; else fail golden_sizes "over 50 KiB:$big"; fi

finish
