#!/bin/sh
# --depth-codec on the copying tools: synapt-subset and synapt-merge store
# u16 depth with compression 3 (depth_ans) or back with the default zstd
# path, decoding and writing again only depth stored the other way; every
# other stream, and every stream without the option, is copied as stored.
# The frames are the source's (npy byte for byte), crops included, and the
# files pass a full verification. Options that copy nothing refuse it.
# 'med' writes depth_med on every chunk: no feature bits, for old readers.
. "$(dirname "$0")/../lib.sh"
need_built bin/synapt-subset bin/synapt-merge bin/synapt-synth bin/synapt-inspect bin/synapt-convert

synapt-synth -q -o "$T/z.synapt" --classes 2 --clips-per-class 2 --frames 12 --size 160x120 --threads 1 ||
    fatal depth_codec_setup "synapt-synth failed"
ids() { synapt-inspect --clips --json "$1" | sed 's/.*"id":"\([^"]*\)".*/\1/'; }
# comp FILE CLIP STREAM: the compression synapt-inspect shows for the stream
comp() { synapt-inspect --clip "$2" -v "$1" | sed -n "/\\] $3:/,/chunk 0/s/.*compression \\([a-z_]*\\),.*/\\1/p" | head -n 1; }
# same_npy A B STREAM [A0:B0]: every clip's STREAM in A equals B's (frames A0..B0-1 of A)
same_npy() {
    bad=0
    for id in $(ids "$2"); do
        synapt-convert -q "$1" --to npy --clip "$id" --stream "$3" -o "$T/x.npy" &&
        synapt-convert -q "$2" --to npy --clip "$id" --stream "$3" -o "$T/y.npy" || { bad=$((bad + 1)); continue; }
        if [ -n "${4:-}" ]; then
            "$PY" -c 'import sys, numpy as np
a, b = np.load(sys.argv[1]), np.load(sys.argv[2]); lo, hi = map(int, sys.argv[3].split(":"))
sys.exit(0 if np.array_equal(a[lo:hi], b) else 1)' "$T/x.npy" "$T/y.npy" "$4" || bad=$((bad + 1))
        else
            cmp -s "$T/x.npy" "$T/y.npy" || bad=$((bad + 1))
        fi
    done
    return $bad
}
first=$(ids "$T/z.synapt" | head -n 1)

# 1. subset to depth_ans: depth recoded, the other streams copied as stored
run ans synapt-subset -q --depth-codec ans -o "$T/a.synapt" "$T/z.synapt"
if expect_rc ans 0 && [ "$(comp "$T/a.synapt" "$first" depth)" = depth_ans ] &&
   [ "$(comp "$T/a.synapt" "$first" mask)" = "$(comp "$T/z.synapt" "$first" mask)" ] &&
   synapt-inspect --verify "$T/a.synapt" > /dev/null && same_npy "$T/z.synapt" "$T/a.synapt" depth &&
   same_npy "$T/z.synapt" "$T/a.synapt" mask; then
    pass subset_depth_ans
else
    fail subset_depth_ans "depth $(comp "$T/a.synapt" "$first" depth), or frames differ"
fi

# 2. and back to the default zstd path, the same frames again
run back synapt-subset -q --depth-codec zstd -o "$T/b.synapt" "$T/a.synapt"
if expect_rc back 0 && [ "$(comp "$T/b.synapt" "$first" depth)" = zstd_frame ] &&
   synapt-inspect --verify "$T/b.synapt" > /dev/null && same_npy "$T/z.synapt" "$T/b.synapt" depth; then
    pass subset_depth_back_to_zstd
else
    fail subset_depth_back_to_zstd "depth $(comp "$T/b.synapt" "$first" depth), or frames differ"
fi

# 3. without the option every chunk is copied as stored: depth_ans stays
run keep synapt-subset -q -o "$T/k.synapt" "$T/a.synapt"
if expect_rc keep 0 && [ "$(comp "$T/k.synapt" "$first" depth)" = depth_ans ] &&
   same_npy "$T/a.synapt" "$T/k.synapt" depth; then
    pass subset_copies_as_stored
else
    fail subset_copies_as_stored "depth became $(comp "$T/k.synapt" "$first" depth)"
fi

# 4. a crop with the option: frames 3..8 of the source, as depth_ans
run cut synapt-subset -q --depth-codec ans --frames 3:9 -o "$T/c.synapt" "$T/z.synapt"
if expect_rc cut 0 && [ "$(comp "$T/c.synapt" "$first" depth)" = depth_ans ] &&
   synapt-inspect --verify "$T/c.synapt" > /dev/null; then
    if py_has numpy; then
        if same_npy "$T/z.synapt" "$T/c.synapt" depth 3:9; then pass subset_crop_depth_ans
        else fail subset_crop_depth_ans "cropped depth_ans frames differ from the source's 3:9"; fi
    else
        skip subset_crop_depth_ans "/usr/bin/python3 with numpy not available"
    fi
else
    fail subset_crop_depth_ans "exit $rc, depth $(comp "$T/c.synapt" "$first" depth)"
fi

# 5. merge with the option, two inputs: every clip's depth as depth_ans
synapt-subset -q --label walk -o "$T/w.synapt" "$T/z.synapt" && synapt-subset -q --label run -o "$T/r.synapt" "$T/z.synapt" ||
    fatal depth_codec_setup "subset by label failed"
run merge synapt-merge -q --depth-codec ans -o "$T/m.synapt" "$T/w.synapt" "$T/r.synapt"
bad=0
for id in $(ids "$T/m.synapt"); do [ "$(comp "$T/m.synapt" "$id" depth)" = depth_ans ] || bad=$((bad + 1)); done
if expect_rc merge 0 && [ $bad -eq 0 ] && [ "$(ids "$T/m.synapt" | wc -l)" -eq 4 ] &&
   synapt-inspect --verify "$T/m.synapt" > /dev/null && same_npy "$T/z.synapt" "$T/m.synapt" depth; then
    pass merge_depth_ans
else
    fail merge_depth_ans "exit $rc, $bad clips not depth_ans"
fi

# 6. options that copy nothing refuse it; a bad value is a usage error
run virt synapt-subset --virtual --depth-codec ans -o "$T/v.synapt.json" "$T/z.synapt"
run monly synapt-merge --manifest-only --depth-codec ans -o "$T/mo.synapt.json" "$T/w.synapt" "$T/r.synapt"
run badv synapt-subset --depth-codec png -o "$T/bad.synapt" "$T/z.synapt"
if expect_rc virt 2 && has "$T/virt.err" "not with --list or --virtual" && expect_rc monly 2 &&
   has "$T/monly.err" "depth-codec need a copying merge" && expect_rc badv 2 &&
   has "$T/badv.err" "depth-codec wants zstd, ans, strip or med" && [ ! -e "$T/v.synapt.json" ] && [ ! -e "$T/bad.synapt" ]; then
    pass depth_codec_usage_errors
else
    fail depth_codec_usage_errors "exit codes $(cat "$T/virt.rc" 2>/dev/null) / $(cat "$T/monly.rc" 2>/dev/null) / $(cat "$T/badv.rc" 2>/dev/null)"
fi

# 7. --depth-codec med: a file any 1.x reader reads. The source's depth
# (the default per-chunk filters: depth_up, depth_rank; and a depth_ans
# copy) is written again with depth_med on every chunk, the header
# requires no feature, and the frames are the source's.
# filters FILE: the distinct chunk filters of every depth stream
# (the chunk lines name it in a depth_rank stream, the stream line otherwise)
filters() {
    for id in $(ids "$1"); do
        synapt-inspect --clip "$id" -v "$1" | sed -n '/\] depth:/,/^  \[/p' > "$T/blk.txt"
        if grep -q 'chunk [0-9]*: .*filter ' "$T/blk.txt"; then
            sed -n 's/.*chunk [0-9]*: .*filter \([a-z_]*\)$/\1/p' "$T/blk.txt"
        else
            sed -n 's/.*compression [a-z_]*, filter \([a-z_]*\),.*/\1/p' "$T/blk.txt"
        fi
    done | sort -u | tr '\n' ' '
}
run med synapt-subset -q --depth-codec med -o "$T/med.synapt" "$T/z.synapt"
med_rc=$rc
run meda synapt-merge -q --depth-codec med -o "$T/meda.synapt" "$T/a.synapt"
if expect_rc meda 0 && rc=$med_rc && expect_rc med 0 && [ "$(filters "$T/med.synapt")" = "depth_med " ] &&
   [ "$(filters "$T/meda.synapt")" = "depth_med " ] &&
   synapt-inspect "$T/med.synapt" | grep -q '^requires *nothing past format 1.0' &&
   synapt-inspect --json "$T/meda.synapt" | grep -q '"required_features":\[\]' &&
   synapt-inspect --verify "$T/med.synapt" > /dev/null && synapt-inspect --verify "$T/meda.synapt" > /dev/null &&
   same_npy "$T/z.synapt" "$T/med.synapt" depth && same_npy "$T/z.synapt" "$T/meda.synapt" depth &&
   same_npy "$T/z.synapt" "$T/med.synapt" mask; then
    pass depth_codec_med_for_old_readers "source filters: $(filters "$T/z.synapt")"
else
    fail depth_codec_med_for_old_readers "filters '$(filters "$T/med.synapt")' / '$(filters "$T/meda.synapt")', or frames differ"
fi

# 8. synapt-synth writes it directly; the dir layout refuses it
run smed synapt-synth -q -o "$T/smed.synapt" --classes 1 --clips-per-class 1 --frames 6 --size 96x64 --threads 1 --depth-codec med
smed_rc=$rc
run sdir synapt-synth -q -o "$T/sdir" --layout dir --classes 1 --clips-per-class 1 --frames 6 --depth-codec med
if [ "$smed_rc" -eq 0 ] && [ "$(filters "$T/smed.synapt")" = "depth_med " ] &&
   synapt-inspect "$T/smed.synapt" | grep -q '^requires *nothing past format 1.0' &&
   expect_rc sdir 2 && has "$T/sdir.err" "depth-codec med needs --layout synapt" && [ ! -e "$T/sdir" ]; then
    pass synth_depth_codec_med
else
    fail synth_depth_codec_med "exit $smed_rc, filters '$(filters "$T/smed.synapt")'"
fi
# 9. --depth-codec strip (compression 4): the depth_ans copy becomes
# depth_strip streams (each chunk depth_strip or, where smaller, the zstd
# default), the header requires depth_strip, the frames are the source's;
# and back to the zstd path with --depth-codec zstd
run strip synapt-subset -q --depth-codec strip -o "$T/s.synapt" "$T/a.synapt"
strip_rc=$rc
run unstrip synapt-merge -q --depth-codec zstd -o "$T/u.synapt" "$T/s.synapt"
if [ "$strip_rc" -eq 0 ] && expect_rc unstrip 0 && [ "$(comp "$T/s.synapt" "$first" depth)" = depth_strip ] &&
   synapt-inspect "$T/s.synapt" | grep -q '^requires.*depth_strip' &&
   [ "$(comp "$T/u.synapt" "$first" depth)" = zstd_frame ] &&
   ! synapt-inspect "$T/u.synapt" | grep -q '^requires.*depth_strip' &&
   synapt-inspect --verify "$T/s.synapt" > /dev/null && synapt-inspect --verify "$T/u.synapt" > /dev/null &&
   same_npy "$T/z.synapt" "$T/s.synapt" depth && same_npy "$T/z.synapt" "$T/u.synapt" depth &&
   same_npy "$T/z.synapt" "$T/s.synapt" mask; then
    pass depth_codec_strip_and_back
else
    fail depth_codec_strip_and_back "exit $strip_rc/$rc, depth $(comp "$T/s.synapt" "$first" depth) / $(comp "$T/u.synapt" "$first" depth)"
fi
finish
