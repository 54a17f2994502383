#!/bin/sh
# synapt-subset --make-splits: on synth data with actor groups, no actor is
# in two splits of the written file (read back with synapt-inspect, not the
# tool's own report), the report's counts match the file, the same seed
# gives the same bytes, --list shows the same assignment, and bad
# combinations are usage errors. (UCF101's lists: tests/dataset/test_splits.)
. "$(dirname "$0")/../lib.sh"
need_built bin/synapt-subset bin/synapt-synth bin/synapt-inspect
synapt-synth -q -o "$T/in.synapt" --classes 4 --clips-per-class 12 --actors 9 --frames 2 --size 16x16 \
    --rgb raw --threads 2 || fatal splits_setup "synapt-synth failed"

run mk synapt-subset --make-splits train=0.6,val=0.2,test=0.2 --group-by actor --seed 4 -o "$T/s.synapt" "$T/in.synapt"
expect_rc mk 0 && pass splits_written
synapt-inspect --clips --json "$T/s.synapt" > "$T/s.clips"
# actor -> splits it appears in, from the file itself
"$PY" - "$T/s.clips" "$T/mk.out" <<'PYEOF' > "$T/check.txt" 2>&1
import json, sys, collections
sp = collections.defaultdict(set); per = collections.Counter(); n = 0
for l in open(sys.argv[1]):
    c = json.loads(l); n += 1
    a = dict(c["groups"])["actor"]; sp[a].add(c["split"]); per[c["split"]] += 1
bad = [a for a, s in sp.items() if len(s) > 1]
made = {f[1]: int(f[2]) for f in (l.rstrip("\n").split("\t") for l in open(sys.argv[2])) if f[0] == "# made"}
print("actors", len(sp), "across", len(bad), "per", dict(per), "report", made)
sys.exit(1 if bad or made != dict(per) or n != 48 or len(sp) != 9 else 0)
PYEOF
[ $? -eq 0 ] && pass splits_no_actor_across || fail splits_no_actor_across "$(cat "$T/check.txt")"
grep -q "^# groups	actor	9	0 across splits	0 clips without the key$" "$T/mk.out" &&
    pass splits_report_groups || fail splits_report_groups "$(cat "$T/mk.out")"

run mk2 synapt-subset --make-splits train=0.6,val=0.2,test=0.2 --group-by actor --seed 4 -o "$T/s2.synapt" "$T/in.synapt"
cmp -s "$T/s.synapt" "$T/s2.synapt" && pass splits_deterministic || fail splits_deterministic "two runs differ"
run ls synapt-subset --make-splits train=0.6,val=0.2,test=0.2 --group-by actor --seed 4 --list "$T/in.synapt"
grep -v '^#' "$T/ls.out" | cut -f1,4 | sort > "$T/ls.ids"
"$PY" -c 'import json,sys; [print(c["id"] + "\t" + c["split"]) for c in map(json.loads, open(sys.argv[1]))]' "$T/s.clips" | sort > "$T/s.ids"
cmp -s "$T/ls.ids" "$T/s.ids" && pass splits_list_matches_copy || fail splits_list_matches_copy "$(diff "$T/ls.ids" "$T/s.ids" | head -3)"

# no group key: every clip is its own group, still one split each
run ng synapt-subset --make-splits train=0.5,test=0.5 --group-by nosuchkey --list "$T/in.synapt"
[ "$rc" -eq 0 ] && grep -q "0 across splits	48 clips without the key" "$T/ng.out" &&
    pass splits_without_key || fail splits_without_key "rc=$rc $(grep '^#' "$T/ng.out" | head -3)"

bad=""
for args in "--make-splits train=0.7,val=0.2" "--make-splits train=0.5,test=0.5" \
            "--group-by actor" "--make-splits train=1 --group-by actor --virtual" \
            "--make-splits train=1 --group-by actor --stratify sometimes" "--make-split train=1 --group-by actor"; do
    # shellcheck disable=SC2086
    synapt-subset $args -o "$T/u.synapt" "$T/in.synapt" > /dev/null 2>&1
    [ $? -eq 2 ] || bad="$bad [$args]"
done
[ -z "$bad" ] && [ ! -e "$T/u.synapt" ] && pass splits_usage_errors || fail splits_usage_errors "not exit 2:$bad"
finish
