#!/bin/sh
# synapt150-map.sh - the synapt-merge --map that rebuilds SynAPT's 150
# classes from its source datasets, read off SynAPT's own split lists.
#
#   sh scripts/synapt150-map.sh sim150_val.txt [sim150_train.txt] > synapt150.csv
#
# Each line of a list is CLASS/CLIP. SynAPT did not keep the source of a
# clip, but its name tells it, and the source's own action id with it:
#   SsssCcccPpppRrrrAaaa_v..._r..   SURREACT rendering of NTU: label Aaaa
#   [PRE_]aNN_dN_pNNN_cN...         SURREACT rendering of UESTC: label aNN
#   ANNN_PNNN_GNNN_CNNN             ElderSim: label ANNN
#   anything else                   PHAV, whose action is the class itself
# Output: the CSV synapt-merge reads (source,label,target), sources named
# surreact-ntu, surreact-uestc, eldersim and phav, one line per source
# action and class, sorted. SynAPT split a few NTU actions over two classes
# clip by clip; those actions get two lines (synapt-merge gives their clips
# both labels).
#
# Exit status: 0, 1 when a list cannot be read or has a line that is not
# CLASS/CLIP.
set -u
[ $# -ge 1 ] || { echo "usage: sh scripts/synapt150-map.sh LIST..." >&2; exit 2; }
for f in "$@"; do
    [ -f "$f" ] && [ -r "$f" ] || { echo "synapt150-map: $f: cannot read" >&2; exit 1; }
done
rows=$(LC_ALL=C awk '
    { sub(/\r$/, "") }
    /^[ \t]*$/ { next }
    {
        i = index($0, "/")
        if (i < 2 || i == length($0)) {
            printf "synapt150-map: %s:%d: not CLASS/CLIP\n", FILENAME, FNR > "/dev/stderr"
            bad = 1; exit 1
        }
        cls = substr($0, 1, i - 1); clip = substr($0, i + 1)
        if (cls ~ /,/) {
            printf "synapt150-map: %s:%d: a class name with a comma does not fit the CSV map\n", FILENAME, FNR > "/dev/stderr"
            bad = 1; exit 1
        }
        if (clip ~ /^S[0-9][0-9][0-9]C[0-9][0-9][0-9]P[0-9][0-9][0-9]R[0-9][0-9][0-9]A[0-9][0-9][0-9]/)
            print "surreact-ntu," substr(clip, 17, 4) "," cls
        else if (match(clip, /^(PRE_)*a[0-9]+_d[0-9]+_p[0-9]+_c[0-9]+/)) {
            sub(/^(PRE_)*/, "", clip); sub(/_.*/, "", clip)
            print "surreact-uestc," clip "," cls
        } else if (clip ~ /^A[0-9][0-9][0-9]_P[0-9][0-9][0-9]_G[0-9][0-9][0-9]_C[0-9][0-9][0-9]/)
            print "eldersim," substr(clip, 1, 4) "," cls
        else
            print "phav," cls "," cls
    }
    END { exit bad }
' "$@") || exit 1
echo "source,label,target"
printf '%s\n' "$rows" | LC_ALL=C sort -u
