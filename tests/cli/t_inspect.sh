#!/bin/sh
# CLI tests for synapt-inspect: human and --json output of the summary,
# --clips, --clip and --verify on the fixtures written by
# test_cli_fixtures, exit codes (0 ok, 1 error, 2 usage), --help on stdout,
# usage errors on stderr, and error messages that name the file.
# Prints PASS/FAIL/SKIP lines; tests/run.sh counts them.
. "$(dirname "$0")/../lib.sh"
need_built tests/cli/test_cli_fixtures bin/synapt-inspect
if ! "$B/tests/cli/test_cli_fixtures" --write "$T" > "$T/fixtures.log" 2>&1; then
    fatal inspect_fixtures "test_cli_fixtures --write failed: $(head -c 300 "$T/fixtures.log")"
fi
F=$T/small.synapt

# --- conventions: help, version, usage errors ---------------------------
run help synapt-inspect --help
if expect_rc help 0 && has "$T/help.out" "Usage: synapt-inspect" && has "$T/help.out" "--verify" &&
   empty "$T/help.err"; then pass inspect_help_stdout; else fail inspect_help_stdout "help not on stdout"; fi

run version synapt-inspect --version
if expect_rc version 0 && has "$T/version.out" "^synapt-inspect [0-9]"; then
    pass inspect_version; else fail inspect_version "$(cat "$T/version.out")"; fi

ok=1
for args in "" "--bogus $F" "$F $F" "--clip" "--clips --verify $F" "--clip x --clips $F" "-x $F"; do
    # shellcheck disable=SC2086
    run usage synapt-inspect $args
    if [ "$rc" -ne 2 ] || ! empty "$T/usage.out" || ! has "$T/usage.err" "^synapt-inspect: " ||
       ! has "$T/usage.err" "--help"; then
        ok=0; fail inspect_usage_errors "'synapt-inspect $args' gave status $rc: $(cat "$T/usage.err")"
    fi
done
[ $ok -eq 1 ] && pass inspect_usage_errors

# every long option --help shows is documented in the man page, for every
# tool that has one (man/*.1)
ok=1
for m in man/*.1; do
    [ -e "$m" ] || continue
    tool=$(basename "$m" .1)
    [ -x "$B/bin/$tool" ] || continue
    for o in $("$B/bin/$tool" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
        esc=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
        if ! grep -q -- "$esc" "$m"; then ok=0; fail man_pages_match_help "$tool: $o not in $m"; fi
    done
done
[ $ok -eq 1 ] && pass man_pages_match_help

# --- unreadable files: exit 1, one message naming the file ---------------
ok=1
for f in "$T/missing.synapt" "$T/not-synapt.txt" "$T/truncated.synapt"; do
    run bad synapt-inspect "$f"
    if [ "$rc" -ne 1 ] || ! has "$T/bad.err" "^synapt-inspect: $f" || ! empty "$T/bad.out" ||
       [ "$(wc -l < "$T/bad.err")" -ne 1 ]; then
        ok=0; fail inspect_bad_files "$f: status $rc: $(cat "$T/bad.err")"
    fi
done
[ $ok -eq 1 ] && pass inspect_bad_files

# --- human summary -------------------------------------------------------
run summary synapt-inspect "$F"
if expect_rc summary 0 && has "$T/summary.out" "^clips *3$" && has "$T/summary.out" "^frames *10$" &&
   has "$T/summary.out" "^  depth  *depth  *raw  *u16  *3  *10 " &&
   has "$T/summary.out" "^  pose2d  *pose2d " && has "$T/summary.out" "walk  *2  *#" &&
   has "$T/summary.out" "synthA  *synthetic  *2 clips" && has "$T/summary.out" "val  *1 clips" &&
   empty "$T/summary.err"; then
    pass inspect_summary_human
else
    fail inspect_summary_human "unexpected output: $(cat "$T/summary.out")"
fi

if ! py_has json; then
    skip inspect_json "no $PY"
    finish
fi

# --- summary --json against the contract ---------------------------------
run json synapt-inspect --json "$F"
if expect_rc json 0 && "$PY" - "$T/json.out" "$F" > "$T/json.check" 2>&1 <<'EOF'
import json, os, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "synapt-inspect/1", d["schema"]
assert d["format_version"] == "1.4"
assert d["clips"] == 3 and d["frames"] == 10, (d["clips"], d["frames"])
assert d["file_bytes"] == os.path.getsize(sys.argv[2])
names = [s["name"] for s in d["streams"]]
assert names == ["rgb", "depth", "pose2d", "mask", "labels", "feat"], names
s = {x["name"]: x for x in d["streams"]}
assert s["depth"]["kind"] == "depth" and s["depth"]["codec"] == "raw" and s["depth"]["dtype"] == "u16"
assert s["depth"]["clips"] == 3 and s["depth"]["frames"] == 10
assert s["depth"]["raw_bytes"] == 5 * 96 + 3 * 64 + 2 * 96, s["depth"]["raw_bytes"]
assert s["rgb"]["clips"] == 2 and s["rgb"]["raw_bytes"] == 7 * 144
assert s["pose2d"]["kind"] == "pose2d" and s["pose2d"]["dtype"] == "f32"
for x in d["streams"]:
    for k in ("name", "kind", "codec", "dtype", "clips", "frames", "stored_bytes", "raw_bytes"):
        assert k in x, k
    assert x["stored_bytes"] > 0
assert d["labels"] == [{"id": 0, "name": "walk", "clips": 2}, {"id": 1, "name": "run", "clips": 1},
                       {"id": 2, "name": "jump", "clips": 1}], d["labels"]
assert d["sources"] == [{"name": "synthA", "synthetic": True, "clips": 2},
                        {"name": "ucf101", "synthetic": False, "clips": 1}], d["sources"]
assert d["splits"] == [{"name": "train", "clips": 2}, {"name": "val", "clips": 1}], d["splits"]
EOF
then pass inspect_json_contract; else fail inspect_json_contract "$(tail -n 3 "$T/json.check")"; fi

run json2 synapt-inspect --json "$F"
if cmp -s "$T/json.out" "$T/json2.out"; then pass inspect_json_deterministic
else fail inspect_json_deterministic "two runs differ"; fi

# --- --clips ---------------------------------------------------------------
run clips synapt-inspect --clips "$F"
if expect_rc clips 0 && [ "$(wc -l < "$T/clips.out")" -eq 4 ] &&
   has "$T/clips.out" "^ *1  run_001  *3  30000/1001 " && has "$T/clips.out" "run,walk"; then
    pass inspect_clips_human
else
    fail inspect_clips_human "$(cat "$T/clips.out")"
fi

run clipsj synapt-inspect --clips --json "$F"
if expect_rc clipsj 0 && "$PY" - "$T/clipsj.out" > "$T/clipsj.check" 2>&1 <<'EOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 3, len(lines)
c = [json.loads(l) for l in lines]
for o in c:
    for k in ("index", "id", "labels", "frames", "fps", "width", "height", "split", "source",
              "synthetic", "group", "streams"):
        assert k in o, k
assert [o["index"] for o in c] == [0, 1, 2]
a, b = c[0], c[1]
assert a["id"] == "walk_000" and a["labels"] == ["walk"] and a["frames"] == 5
assert a["fps"] == "30/1" and a["width"] == 8 and a["height"] == 6, (a["fps"], a["width"], a["height"])
assert a["split"] == "train" and a["source"] == "synthA" and a["synthetic"] is True
assert a["group"] == "a01" and a["groups"] == [["actor", "a01"], ["scene", "s1"]]
assert a["streams"] == ["rgb", "depth", "pose2d", "mask", "labels", "feat"]
assert b["id"] == "run_001" and b["labels"] == ["run", "walk"] and b["fps"] == "30000/1001"
assert b["synthetic"] is False and b["source"] == "ucf101" and b["streams"] == ["depth"]
assert c[2]["group"] == "" and c[2]["groups"] == []
EOF
then pass inspect_clips_json; else fail inspect_clips_json "$(tail -n 3 "$T/clipsj.check")"; fi

# --- --clip ID -------------------------------------------------------------
run clip synapt-inspect --clip walk_000 "$F"
if expect_rc clip 0 && has "$T/clip.out" "^clip  *walk_000 (index 0)" &&
   has "$T/clip.out" "actor=a01 scene=s1" && has "$T/clip.out" "skeleton coco17" &&
   has "$T/clip.out" '"seed":42'; then
    pass inspect_clip_human
else
    fail inspect_clip_human "$(cat "$T/clip.out")"
fi

run clipv synapt-inspect -v --clip walk_000 "$F"
if expect_rc clipv 0 && [ "$(grep -c "chunk [0-9]*: frames" "$T/clipv.out")" -ge 6 ]; then
    pass inspect_clip_verbose_chunks
else
    fail inspect_clip_verbose_chunks "no chunk lines with -v"
fi

run clipj synapt-inspect --clip walk_000 --json "$F"
if expect_rc clipj 0 && "$PY" - "$T/clipj.out" "$T/clipsj.out" > "$T/clipj.check" 2>&1 <<'EOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1
o = json.loads(lines[0])
first = json.loads(open(sys.argv[2]).readline())
for k, v in first.items():
    assert o[k] == v, (k, o[k], v)
assert o["meta"] == {"camera": {"fx": 500.5, "fy": 500.5}, "seed": 42}, o["meta"]
si = {s["name"]: s for s in o["stream_info"]}
assert [s["name"] for s in o["stream_info"]] == o["streams"]
for s in o["stream_info"]:
    for k in ("name", "kind", "dtype", "shape", "codec", "frames", "stored_bytes", "raw_bytes"):
        assert k in s, k
d = si["depth"]
assert d["kind"] == "depth" and d["dtype"] == "u16" and d["shape"] == [6, 8] and d["frames"] == 5
assert d["scale"] == 0.001 and d["units"] == "m" and d["chunks"] == 3 and d["raw_bytes"] == 480
p = si["pose2d"]
assert p["shape"][1:] == [17, 3] and p["skeleton"] == "coco17" and p["channels"] == "xyc"
assert si["rgb"]["shape"] == [6, 8, 3] and si["rgb"]["fps"] == "30/1"
assert si["labels"]["kind"] == "frame_labels" and si["labels"]["dtype"] == "i32"
assert si["feat"]["kind"] == "custom" and si["feat"]["shape"] == [2, 3]
EOF
then pass inspect_clip_json; else fail inspect_clip_json "$(tail -n 3 "$T/clipj.check")"; fi

run noclip synapt-inspect --clip no_such_clip "$F"
if expect_rc noclip 1 && has "$T/noclip.err" "^synapt-inspect: $F: .*no_such_clip" && empty "$T/noclip.out"; then
    pass inspect_clip_unknown
else
    fail inspect_clip_unknown "$(cat "$T/noclip.err")"
fi

# --- names that need escaping: JSON stays valid, human output one line each ---
run oddj synapt-inspect --clips --json "$T/odd.synapt"
run oddsum synapt-inspect --json "$T/odd.synapt"
if "$PY" - "$T/oddj.out" "$T/oddsum.out" > "$T/odd.check" 2>&1 <<'EOF'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) == 1, lines
o = json.loads(lines[0])
assert o["id"] == 'odd "clip"\\1\t\ufffd', repr(o["id"])
assert o["labels"] == ["caf\u00e9 \u2713"] and o["split"] == "tr\nain" and o["source"] == "src/\x01"
assert o["groups"] == [['k"ey', 'v\\al']] and o["streams"] == ['d"epth']
d = json.load(open(sys.argv[2], encoding="utf-8"))
assert d["streams"][0]["name"] == 'd"epth' and d["splits"][0]["name"] == "tr\nain"
EOF
then pass inspect_json_escaping; else fail inspect_json_escaping "$(tail -n 3 "$T/odd.check")"; fi

odd_id=$(printf 'odd "clip"\\1\t\377')
run oddclip synapt-inspect --clip "$odd_id" --json "$T/odd.synapt"
oddrc=$rc
run oddh synapt-inspect --clips "$T/odd.synapt"
if [ $oddrc -eq 0 ] && [ $rc -eq 0 ] && [ "$(wc -l < "$T/oddh.out")" -eq 2 ] &&
   grep -q 'tr\\nain' "$T/oddh.out" && ! grep -q "$(printf '\001')" "$T/oddh.out" && "$PY" -c '
import json, sys
o = json.load(open(sys.argv[1]))
assert o["meta"] == {"note": "line\nbreak \"q\" \u00e9", "n": [1, 2.5e-3, 12345678901234567890]}, o["meta"]
' "$T/oddclip.out" 2> "$T/oddclip.check"; then
    pass inspect_human_escaping
else
    fail inspect_human_escaping "$(cat "$T/oddh.out" "$T/oddclip.err" "$T/oddclip.check")"
fi

# --- --verify --------------------------------------------------------------
run verify synapt-inspect --verify "$F"
if expect_rc verify 0 && has "$T/verify.out" ": ok (3 clips" && empty "$T/verify.err"; then
    pass inspect_verify_sound
else
    fail inspect_verify_sound "$(cat "$T/verify.out" "$T/verify.err")"
fi
run verifyq synapt-inspect -q --verify "$F"
if expect_rc verifyq 0 && empty "$T/verifyq.out" && empty "$T/verifyq.err"; then
    pass inspect_verify_quiet; else fail inspect_verify_quiet "output with -q"; fi

run verifybad synapt-inspect --verify "$T/bad-chunk.synapt"
if expect_rc verifybad 1 && has "$T/verifybad.err" "^synapt-inspect: $T/bad-chunk.synapt" &&
   has "$T/verifybad.err" "walk_000" && has "$T/verifybad.err" "depth" &&
   has "$T/verifybad.err" "chunk 0" && [ "$(wc -l < "$T/verifybad.err")" -eq 1 ]; then
    pass inspect_verify_names_bad_chunk
else
    fail inspect_verify_names_bad_chunk "$(cat "$T/verifybad.err")"
fi

run verifybj synapt-inspect --verify --json "$T/bad-chunk.synapt"
if expect_rc verifybj 1 && "$PY" -c '
import json, sys
o = json.load(open(sys.argv[1]))
assert o["schema"] == "synapt-inspect-verify/1" and o["ok"] is False and "walk_000" in o["error"]
' "$T/verifybj.out" 2> "$T/verifybj.check"; then
    pass inspect_verify_json
else
    fail inspect_verify_json "$(cat "$T/verifybj.out" "$T/verifybj.check")"
fi

run verifytr synapt-inspect --verify "$T/truncated.synapt"
if expect_rc verifytr 1 && has "$T/verifytr.err" "^synapt-inspect: $T/truncated.synapt"; then
    pass inspect_verify_truncated; else fail inspect_verify_truncated "$(cat "$T/verifytr.err")"; fi

finish
