#!/bin/sh
# synapt-inspect --verify and --verify --quick (spec 12.2): damage behind
# recomputed checksums that only the full pass finds, one line per fault,
# several faults in one file, manifests (a member that is not the pinned
# file, a damaged member), --quick refused without --verify, --json.
. "$(dirname "$0")/../lib.sh"
need_built bin/synapt-inspect bin/synapt-merge tests/golden/gen_golden
GEN=$B/tests/golden/gen_golden
G=tests/golden

# 1. the zstd magic of the first compressed frame destroyed, checksums fixed
break_zstd() {
    "$PY" - "$1" <<'PYEOF' || fatal verify_setup "could not plant the fault in $1"
import struct, sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read())
pos = 8 + 24 + struct.unpack_from("<Q", b, 16)[0]          # first record after the HEADER
while True:
    t, _, n = struct.unpack_from("<IIQ", b, pos)
    body = pos + 16
    if t == 2 and struct.unpack_from("<H", b, body + 20)[0] == 1:   # zstd per frame
        count, es = struct.unpack_from("<I", b, body + 16)[0], struct.unpack_from("<H", b, body + 24)[0]
        b[body + 48 + count * es] ^= 0xFF                  # 0x28 of the zstd magic
        break
    pos += 24 + n
open(p, "wb").write(b)
PYEOF
    "$GEN" fix "$1"
}
cp "$G/basic.synapt" "$T/zstd.synapt"
break_zstd "$T/zstd.synapt"
run quick synapt-inspect --verify --quick "$T/zstd.synapt"
expect_rc quick 0 && pass verify_quick_passes_payload_damage
run full synapt-inspect --verify "$T/zstd.synapt"
expect_rc full 1 && pass verify_full_finds_payload_damage
if [ "$(wc -l < "$T/full.err")" -eq 1 ] && has "$T/full.err" 'zstd.synapt: clip 0 (clip_a) stream rgb chunk 0: .*zstd'; then
    pass verify_one_line_names_file_clip_stream_chunk
else
    fail verify_one_line_names_file_clip_stream_chunk "$(cat "$T/full.err")"
fi

# 2. two faults in one file: both reported, each on its line
cp "$T/zstd.synapt" "$T/two.synapt"
"$PY" - "$T/two.synapt" <<'PYEOF'
import struct, sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read()); n = len(b)
ix = struct.unpack_from("<Q", b, n - 32)[0] + 16
ns = struct.unpack_from("<I", b, ix + 4)[0]
for i in range(ns):
    sid, es, off, cnt = struct.unpack_from("<IIQQ", b, ix + 8 + 24 * i)
    if sid == 1:                                           # ClipEntry 2: frame_count + 1
        struct.pack_into("<Q", b, ix + off + 2 * es + 56, struct.unpack_from("<Q", b, ix + off + 2 * es + 56)[0] + 1)
open(p, "wb").write(b)
PYEOF
"$GEN" fix "$T/two.synapt"
run two synapt-inspect --verify --json "$T/two.synapt"
expect_rc two 1 && pass verify_two_faults_exit
if [ "$(wc -l < "$T/two.err")" -eq 2 ] && has "$T/two.err" 'clip 2 (clip_c): clip frame count' &&
   "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not (d["ok"] is False and d["quick"] is False and len(d["errors"]) == 2 and d["code"] == -7))' "$T/two.out"; then
    pass verify_every_fault_reported
else
    fail verify_every_fault_reported "$(cat "$T/two.err" "$T/two.out")"
fi

# 3. usage: --quick belongs to --verify
run usage synapt-inspect --quick "$G/basic.synapt"
expect_rc usage 2 && pass verify_quick_needs_verify

# 4. a manifest: one member replaced by another file, one damaged member
need_built bin/synapt-synth
mkdir -p "$T/m"
k=0
for m in a b; do
    synapt-synth -q --classes 2 --clips-per-class 4 --frames 4 --size 32x32 --rgb raw --seed 3 --shard $k/2 \
        -o "$T/m/$m.synapt" 2> "$T/synth.err" || fatal verify_manifest_setup "$(cat "$T/synth.err")"
    k=$((k + 1))
done
synapt-merge -q --manifest-only -o "$T/m/all.synapt.json" "$T/m/a.synapt" "$T/m/b.synapt" \
    2> "$T/merge.err" || fatal verify_manifest_setup "$(cat "$T/merge.err")"
run mok synapt-inspect --verify --quick "$T/m/all.synapt.json"
expect_rc mok 0 && pass verify_manifest_sound
break_zstd "$T/m/a.synapt"                               # same header and size: the pin holds
cp "$G/empty.synapt" "$T/m/b.synapt"                      # not the pinned member
run mbad synapt-inspect --verify "$T/m/all.synapt.json"
expect_rc mbad 1 && pass verify_manifest_faults_exit
if has "$T/mbad.err" 'a.synapt: clip 0 .* chunk 0: .*zstd' && has "$T/mbad.err" 'b.synapt'; then
    pass verify_manifest_names_each_member
else
    fail verify_manifest_names_each_member "$(cat "$T/mbad.err")"
fi
finish
