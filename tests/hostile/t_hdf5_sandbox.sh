#!/bin/sh
# t_hdf5_sandbox.sh - libhdf5 reads untrusted files in a sandboxed child
# (tools/cli/cli_sandbox.c): a damaged HDF5 sidecar or a damaged file
# given to synapt-pack --format hdf5 ends with one line naming the file,
# exit 1 and no output; a file on which libhdf5 1.10 spins forever
# (inputs/hdf5_spin.h5, found by mutating a 2-dataset file: an integer type
# of 1.6 GB per element) is refused before any read by h5_guard's type check
# and, with -k, only that clip is lost (the child's CPU limit itself is
# tested in tests/cli/test_cli.c). synapt-audit reads --embeddings HDF5 files the same way.
. "$(dirname "$0")/../lib.sh"
need_cmd ffmpeg
need_built bin/synapt-pack bin/synapt-convert bin/synapt-inspect
py_has h5py || skip_all "h5py not importable by $PY"

ffmpeg -nostdin -loglevel error -y -f lavfi -i "testsrc=size=32x32:rate=10" -frames:v 4 \
    -c:v libx264 -pix_fmt yuv420p "$T/v.mp4" || fatal hdf5_sandbox "ffmpeg could not make the test video"
cp tests/hostile/inputs/hdf5_spin.h5 "$T/spin.h5"
(cd "$T" && "$PY" - <<'PYEOF'
import h5py, numpy as np, random
with h5py.File('ok.h5', 'w') as f:
    f.create_dataset('f', data=np.arange(64, dtype='u2').reshape(4, 4, 4))
    f.create_dataset('p', data=np.ones((4, 2, 2), 'f4'))
raw = open('ok.h5', 'rb').read()
open('trunc.h5', 'wb').write(raw[:len(raw) // 2])
# the superblock intact, the object headers after it overwritten
rnd = random.Random(13)
b = bytearray(raw)
for i in range(96, min(len(b), 800)):
    b[i] = rnd.randrange(256)
open('noise.h5', 'wb').write(bytes(b))
PYEOF
) || fatal hdf5_sandbox "h5py could not write the test files"

# damaged sidecars, as depth frames and as pose: one line naming the file
for k in trunc noise; do
    for s in depth:f pose2d:p; do
        kind=${s%%:*}
        echo "{\"video\":\"v.mp4\",\"id\":\"a\",\"$kind\":\"$k.h5:/${s#*:}\"}" > "$T/$k-$kind.jsonl"
        run "${k}_$kind" synapt-pack -q --on-mismatch pad -o "$T/$k-$kind.synapt" "$T/$k-$kind.jsonl"
        if [ "$rc" = 1 ] && grep -qF "$k.h5: " "$T/${k}_$kind.err" && [ "$(lines "$T/${k}_$kind.err")" = 1 ] &&
           [ ! -e "$T/$k-$kind.synapt" ]; then
            pass "${k}_$kind"
        else
            fail "${k}_$kind" "exit $rc: $(cat "$T/${k}_$kind.err")"
        fi
    done
done

# found by fuzz_imp_hdf5: the chunks' total size is right but one chunk is
# short (libhdf5 1.10 read past it); refused before any read
cp tests/hostile/inputs/hdf5_short_chunk_one.h5 "$T/short1.h5"
echo '{"video":"v.mp4","id":"a","depth":"short1.h5:/f"}' > "$T/short1.jsonl"
run short_chunk_one synapt-pack -q --on-mismatch pad -o "$T/short1.synapt" "$T/short1.jsonl"
expect_rc short_chunk_one 1
check short_chunk_one_msg has "$T/short_chunk_one.err" "short1.h5: dataset '/f' has chunks smaller than its chunk shape needs"

# the spinning file: refused by its type, named, exit 1, no output
echo '{"video":"v.mp4","id":"a","depth":"spin.h5:/f"}' > "$T/spin.jsonl"
SYNAPT_SANDBOX_SECONDS=1 run spin synapt-pack -q --on-mismatch pad -o "$T/spin.synapt" "$T/spin.jsonl"
expect_rc spin 1
check spin_msg has "$T/spin.err" "spin.h5: dataset '/f' has a numeric type whose size or bit layout no machine number has; refused"
check spin_one_line test "$(lines "$T/spin.err")" = 1
check spin_no_output test ! -e "$T/spin.synapt"

# -k: the other clip is packed, the spinning one reported
printf '%s\n' '{"video":"v.mp4","id":"good","depth":"ok.h5:/f"}' \
    '{"video":"v.mp4","id":"bad","depth":"spin.h5:/f"}' > "$T/kg.jsonl"
SYNAPT_SANDBOX_SECONDS=1 run spin_keep_going synapt-pack -q -k --on-mismatch pad -o "$T/kg.synapt" "$T/kg.jsonl"
expect_rc spin_keep_going 3
check spin_keep_going_report has "$T/kg.synapt.report.json" "has a numeric type whose size or bit layout"
synapt-inspect --clips --json "$T/kg.synapt" > "$T/kg.json" 2>&1
check spin_keep_going_good has "$T/kg.json" '"id":"good"'

# synapt-pack --format hdf5: the good export packs, damaged copies do not
echo '{"video":"v.mp4","id":"a","depth":"ok.h5:/f","pose2d":"ok.h5:/p"}' > "$T/ok.jsonl"
synapt-pack -q -o "$T/ok.synapt" "$T/ok.jsonl" && synapt-convert "$T/ok.synapt" --to hdf5 -o "$T/exp.h5" ||
    fatal hdf5_sandbox "could not make the export"
run fmt_ok synapt-pack -q --format hdf5 -o "$T/back.synapt" "$T/exp.h5"
expect_rc fmt_ok 0
n=$(wc -c < "$T/exp.h5")
head -c $((n / 2)) "$T/exp.h5" > "$T/exp_trunc.h5"
run fmt_trunc synapt-pack -q --format hdf5 -o "$T/trunc.synapt" "$T/exp_trunc.h5"
expect_rc fmt_trunc 1
check fmt_trunc_msg has "$T/fmt_trunc.err" "exp_trunc.h5"
check fmt_trunc_one_line test "$(lines "$T/fmt_trunc.err")" = 1
check fmt_trunc_no_output sh -c "! ls -A '$T' | grep -q 'trunc.synapt'"
SYNAPT_SANDBOX_SECONDS=1 run fmt_spin synapt-pack -q --format hdf5 -o "$T/fspin.synapt" "$T/spin.h5"
expect_rc fmt_spin 1
check fmt_spin_msg has "$T/fmt_spin.err" "spin.h5"
check fmt_spin_no_output test ! -e "$T/fspin.synapt"
# a file on which libhdf5 1.10 itself dies (SIGSEGV in its symbol-table
# lookup; inputs/hdf5_segv.h5, from fuzz_imp_hdf5; h5py crashes on it too):
# the child dies, the run reports one line naming it (a sanitizer build's
# child exits instead of dying, hence no check of the wording)
cp tests/hostile/inputs/hdf5_segv.h5 "$T/segv.h5"
echo '{"video":"v.mp4","id":"a","pose2d":"segv.h5:/p"}' > "$T/segv.jsonl"
run segv synapt-pack -q --on-mismatch pad -o "$T/segv.synapt" "$T/segv.jsonl"
expect_rc segv 1
check segv_msg has "$T/segv.err" "segv.h5: the HDF5 reader"
check segv_one_line test "$(lines "$T/segv.err")" = 1
check segv_no_output test ! -e "$T/segv.synapt"

# synapt-audit --embeddings: the same child reads the user's HDF5 first, so
# a damaged file is one line naming it, exit 1, no report
if [ -x "$B/bin/synapt-audit" ]; then
    for k in trunc noise segv; do
        run audit_$k synapt-audit -q --embeddings "$T/$k.h5" --embedding-object f "$T/ok.synapt" -o "$T/audit_$k"
        expect_rc audit_$k 1
        check audit_${k}_msg has "$T/audit_$k.err" "$k.h5"
        check audit_${k}_one_line test "$(lines "$T/audit_$k.err")" = 1
        check audit_${k}_no_output test ! -e "$T/audit_$k"
    done
fi
finish
