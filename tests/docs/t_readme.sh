#!/bin/sh
# t_readme.sh - the commands README.md shows work as written. Every ```sh
# block is run in order in one scratch workspace laid out like the top of a
# checkout (libsynapt/, build/, python/, examples/, scripts/ link to the real
# ones), so later blocks see what earlier ones wrote (demo.synapt, ...), with
# `sh -e`: a block passes when every command in it succeeds. The ```c
# program README gives as list.c is written to list.c for the block that
# compiles it, and the ```python snippet runs after the block that names
# its file. Blocks that need data a checkout does not have are skipped with
# the test that covers them named. python/README.md's python blocks run
# there too.
. "$(dirname "$0")/../lib.sh"
need_built bin/synapt-synth bin/synapt-inspect bin/synapt-convert bin/synapt-merge bin/synapt-subset \
    lib/libsynapt.so
need_cmd cc
# the README's commands are a user's: the plain build, cc linking it, Python
# loading it; a sanitizer build cannot be linked or loaded that way
if nm "$B/lib/libsynapt.a" 2> /dev/null | grep -q '__asan_\|__ubsan_'; then
    skip_all "$B is a sanitizer build (the README's commands run against the plain build in make test)"
fi

W=$T/w
mkdir -p "$W" "$T/blocks" || fatal readme_workspace "cannot create $W"
for d in libsynapt python examples scripts; do ln -s "$ROOT/$d" "$W/$d"; done
ln -s "$BUILD" "$W/build"

# one file per fenced block: NNN.<lang>, the README line in its first line
awk -v dir="$T/blocks" '
    /^```[a-z]+$/ && !inb { inb = 1; n++; lang = substr($0, 4); f = sprintf("%s/%03d.%s", dir, n, lang)
                            printf "# README.md:%d\n", NR > f; next }
    /^```$/ && inb { inb = 0; close(f); next }
    inb { print > f }
' README.md
[ -n "$(ls "$T/blocks")" ] || fatal readme_blocks "no fenced blocks found in README.md"

# why a block is not run here (empty: run it)
why_skip() {
    if grep -q '^make demo' "$1"; then echo "make demo and make test are what CI runs (.ci/run)"
    elif grep -q 'synapt150-map.sh' "$1"; then echo "needs SynAPT's four source sets; tests/dataset/t_synapt150.sh runs these commands on stand-ins"
    elif grep -q 'DATA' "$1"; then echo "needs the six sets' videos; tests/sets/ checks the layouts on the real lists"
    fi
}

ran=0
for b in "$T"/blocks/*.sh; do
    where=$(head -n 1 "$b" | sed 's/^# //')
    why=$(why_skip "$b")
    if [ -n "$why" ]; then
        skip "$where" "$why"
        continue
    fi
    # the C program the block compiles: the ```c block that names list.c
    if grep -q 'list\.c' "$b"; then
        for c in "$T"/blocks/*.c; do
            if grep -q '^/\* list.c' "$c"; then tail -n +2 "$c" > "$W/list.c"; fi
        done
    fi
    # the file `make demo` leaves, from the same generator at a smaller size
    if grep -q 'demo-out/demo.synapt' "$b" && [ ! -e "$W/demo-out/demo.synapt" ]; then
        mkdir -p "$W/demo-out" && synapt-synth -q -o "$W/demo-out/demo.synapt" --classes 3 \
            --clips-per-class 10 --frames 16 --size 64x64 || fatal readme_demo_out "synapt-synth failed"
    fi
    # make all: the harness has built everything already (need_built above)
    if (cd "$W" && { echo 'make() { [ "$*" = all ]; }'; tail -n +2 "$b"; } > "$T/run.sh" &&
        sh -e "$T/run.sh") > "$T/block.out" 2>&1; then
        pass "$where"
    else
        fail "$where" "$(tail -n 5 "$T/block.out" | tr '\n' '|')"
    fi
    ran=$((ran + 1))
    # the python snippet after the block that runs examples/ on its file
    if grep -q 'PYTHONPATH=python' "$b"; then
        for p in "$T"/blocks/*.python; do
            where_p=$(head -n 1 "$p" | sed 's/^# //')
            if (cd "$W" && PYTHONPATH=python "$PY" "$p") > "$T/py.out" 2>&1; then
                pass "$where_p"
            else
                fail "$where_p" "$(tail -n 5 "$T/py.out" | tr '\n' '|')"
            fi
        done
    fi
done
check readme_blocks_ran [ "$ran" -ge 5 ]

# python/README.md: its python blocks, in the same workspace (demo.synapt
# and demo-out/demo.synapt are there by now)
py_has torch || { skip python_readme "torch not importable by $PY"; finish; }
mkdir -p "$T/pyblocks"
awk -v dir="$T/pyblocks" '
    /^```python$/ && !inb { inb = 1; n++; f = sprintf("%s/%03d.py", dir, n)
                            printf "# python/README.md:%d\n", NR > f; next }
    /^```$/ && inb { inb = 0; close(f); next }
    inb { print > f }
' python/README.md
for p in "$T"/pyblocks/*.py; do
    [ -e "$p" ] || { fail python_readme_blocks "no python blocks in python/README.md"; break; }
    where=$(head -n 1 "$p" | sed 's/^# //')
    if (cd "$W" && PYTHONPATH=python "$PY" "$p") > "$T/py.out" 2>&1; then
        pass "$where"
    else
        fail "$where" "$(tail -n 5 "$T/py.out" | tr '\n' '|')"
    fi
done
finish
