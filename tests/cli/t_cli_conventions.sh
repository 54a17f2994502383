#!/bin/sh
# The CLI conventions every shipped tool ($SYNAPT_BUILD/bin/synapt-*) keeps,
# checked generically so a new tool is covered the day it is added:
# --help on stdout with exit 0, --version, -q/-v accepted, an unknown option
# gives a usage error on stderr (only in the tool's own format) with exit 2,
# a missing input gives one line naming the file with exit 1, and an output
# that cannot be written leaves nothing behind and never replaces a
# non-regular file (a FIFO stands in for /dev/null or /dev/stdout).
# Prints PASS/FAIL/SKIP lines; tests/run.sh counts them.
. "$(dirname "$0")/../lib.sh"

tools=$(ls "$B"/bin/synapt-* 2>/dev/null)
[ -n "$tools" ] || fatal t_cli_conventions "no tools in $B/bin (make B=$B all)"

for exe in $tools; do
    t=$(basename "$exe")

    run "$t-help" "$exe" --help
    if [ $rc -eq 0 ] && [ -s "$T/$t-help.out" ] && [ ! -s "$T/$t-help.err" ] &&
       grep -qi '^usage' "$T/$t-help.out"; then pass "$t --help"
    else fail "$t --help" "exit $rc, want 0, usage on stdout and nothing on stderr"; fi

    run "$t-version" "$exe" --version
    if [ $rc -eq 0 ] && [ "$(lines "$T/$t-version.out")" = 1 ] &&
       grep -q "^$t [0-9]" "$T/$t-version.out"; then pass "$t --version"
    else fail "$t --version" "exit $rc, stdout '$(head -c 100 "$T/$t-version.out")'"; fi

    run "$t-qv" "$exe" -q -v --help
    if [ $rc -eq 0 ]; then pass "$t -q -v"; else fail "$t -q -v" "exit $rc"; fi

    # getopt's own "unrecognized option" line would start with the full path
    for bad in --no-such-option -Z; do
        run "$t-bad" "$exe" "$bad"
        if [ $rc -eq 2 ] && [ ! -s "$T/$t-bad.out" ] &&
           grep -q -- "^$t: .*$bad" "$T/$t-bad.err" &&
           ! grep -qv -e "^$t: " -e "^Try '$t --help'" "$T/$t-bad.err"; then
            pass "$t $bad is a usage error"
        else
            fail "$t $bad is a usage error" "exit $rc, stderr '$(tr '\n' '|' < "$T/$t-bad.err" | head -c 300)'"
        fi
    done

    # a missing input: the command line each tool needs around it
    miss="$T/no-such-dir/missing.synapt"
    case $t in
        synapt-synth)   continue ;;   # has no input file
        synapt-convert) set -- "$miss" --to npy --clip c --stream s -o "$T/out.npy" ;;
        synapt-merge|synapt-subset) set -- -o "$T/out.synapt" "$miss" ;;
        synapt-pack)    miss="$T/no-such-dir/missing.mp4"; set -- -o "$T/out.synapt" "$miss" ;;
        synapt-audit)   set -- "$miss" -o "$T/out.audit" ;;
        synapt-recover) set -- "$miss" -o "$T/out.synapt" ;;
        *)              set -- "$miss" ;;
    esac
    run "$t-missing" "$exe" "$@"
    if [ $rc -eq 1 ] && [ "$(lines "$T/$t-missing.err")" = 1 ] &&
       grep -q "^$t: .*$miss" "$T/$t-missing.err"; then pass "$t missing input"
    else fail "$t missing input" "exit $rc, stderr '$(tr '\n' '|' < "$T/$t-missing.err" | head -c 300)'"; fi
    if ls "$T" | grep -q '^out\.'; then
        fail "$t missing input" "left an output behind: $(ls "$T" | grep '^out\.')"
        rm -f "$T"/out.*
    fi
done

# ---- outputs that cannot be written ------------------------------------
need_built bin/synapt-synth bin/synapt-convert bin/synapt-inspect
SY=$B/bin/synapt-synth
CV=$B/bin/synapt-convert
mkdir -p "$T/o"
if ! "$SY" -q -o "$T/s.synapt" --classes 1 --clips-per-class 1 --frames 3 --rgb raw 2> "$T/synth.err"; then
    fatal "synth fixture" "$(head -c 300 "$T/synth.err")"
fi
clip=$("$B"/bin/synapt-inspect --clips --json "$T/s.synapt" | sed -n '1s/.*"id":"\([^"]*\)".*/\1/p')

mkfifo "$T/o/fifo"
run fifo-npy "$CV" "$T/s.synapt" --to npy --clip "$clip" --stream depth -o "$T/o/fifo"
if [ $rc -eq 1 ] && [ -p "$T/o/fifo" ] && grep -q "fifo" "$T/fifo-npy.err"; then pass "convert npy refuses a FIFO output"
else fail "convert npy refuses a FIFO output" "exit $rc, fifo replaced: $(ls -l "$T/o/fifo")"; fi

run fifo-synth "$SY" -q -o "$T/o/fifo" --classes 1 --clips-per-class 1 --frames 2 --rgb raw
if [ $rc -eq 1 ] && [ -p "$T/o/fifo" ] && grep -q "fifo" "$T/fifo-synth.err"; then pass "synth refuses a FIFO output"
else fail "synth refuses a FIFO output" "exit $rc, fifo replaced: $(ls -l "$T/o/fifo")"; fi
rm -f "$T/o/fifo"

run nodir "$CV" "$T/s.synapt" --to npy --clip "$clip" --stream depth -o "$T/no-such-dir/d.npy"
if [ $rc -eq 1 ] && [ "$(lines "$T/nodir.err")" = 1 ] && grep -q "no-such-dir/d.npy" "$T/nodir.err"; then
    pass "convert into a missing folder"
else fail "convert into a missing folder" "exit $rc, stderr '$(head -c 300 "$T/nodir.err")'"; fi

# a failed export leaves an existing output untouched and no temporary file
printf 'keep' > "$T/o/d.npy"
run badclip "$CV" "$T/s.synapt" --to npy --clip no_such_clip --stream depth -o "$T/o/d.npy"
if [ $rc -eq 1 ] && [ "$(cat "$T/o/d.npy")" = keep ] && [ "$(ls "$T/o")" = d.npy ]; then
    pass "failed convert leaves the old output"
else fail "failed convert leaves the old output" "exit $rc, folder: $(ls "$T/o" | tr '\n' ' ')"; fi

run badstream "$CV" "$T/s.synapt" --to npy --clip "$clip" --stream no_such_stream -o "$T/o/d.npy"
if [ $rc -eq 1 ] && [ "$(cat "$T/o/d.npy")" = keep ] && [ "$(ls "$T/o")" = d.npy ] &&
   grep -q "no_such_stream" "$T/badstream.err"; then
    pass "convert of a missing stream names it"
else fail "convert of a missing stream names it" "exit $rc, stderr '$(head -c 300 "$T/badstream.err")'"; fi

finish
