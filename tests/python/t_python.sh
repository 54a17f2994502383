#!/bin/sh
# t_python.sh - the Python package (python/synapt) with Debian's numpy and
# torch: every stream kind read through it equals `synapt-convert --to npy`,
# clip fields equal `synapt-inspect --json`, DataLoader workers over two
# files yield every clip once per epoch, DistributedSampler and the
# iterable's rank shards are disjoint, a worker's error reaches the main
# process. Fixtures are made here with synapt-synth and synapt-pack (and
# from ../shared/realdata when present); the checks are
# tests/python/python_checks.py, which prints the PASS/FAIL lines.
. "$(dirname "$0")/../lib.sh"
py_has numpy torch || skip_all "/usr/bin/python3 with numpy and torch not available (scripts/deps.sh installs them)"
need_built bin/synapt-pack bin/synapt-synth
[ -e "$B/lib/libsynapt.so.1" ] || fatal t_python "build $B/lib/libsynapt.so.1 first (make all)"
# a sanitizer build's library needs its runtime loaded first, which a
# plain python3 does not do
if nm "$B/lib/libsynapt.a" 2> /dev/null | grep -q '__asan_\|__ubsan_'; then
    skip_all "$B is a sanitizer build (python3 cannot load its library)"
fi

setup() {
    synapt-synth -q -o "$T/a.synapt" --classes 3 --clips-per-class 2 --frames 20 --size 64x48 --seed 1 &&
    synapt-synth -q -o "$T/b.synapt" --classes 3 --clips-per-class 2 --frames 12 --size 64x48 --seed 2 &&
    synapt-synth -q -o "$T/raw.synapt" --rgb raw --classes 2 --clips-per-class 1 --frames 10 --size 32x24
}
setup > "$T/setup.log" 2>&1 || fatal t_python_fixtures "synapt-synth failed: $(head -c 300 "$T/setup.log")"

R=${SYNAPT_REALDATA:-}
if [ -n "$R" ] && [ -d "$R/videos" ] && command -v ffmpeg > /dev/null; then
    # real sources: copy mode (VP9, MPEG-4 part 2 with B-frames), a GOP-8
    # re-encode, OpenPose with absent persons, st-gcn poses, a depth PNG,
    # frame labels and NTU joints (a custom stream)
    v() { ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc=size=64x48:rate=10 \
          -frames:v "$1" -c:v libx264 -pix_fmt yuv420p "$2"; }
    real() {
        synapt-pack -q -o "$T/copy.synapt" "$R/videos/ssv2_vp9_427x240.webm" \
            "$R/videos/ucf_style_xvid_mp3.avi" &&
        synapt-pack -q -o "$T/gop8.synapt" --rgb h264 --gop 8 "$R/videos/ucf_style_xvid_mp3.avi" &&
        mkdir -p "$T/side" && v 10 "$T/side/op.mp4" && v 189 "$T/side/ks.mp4" &&
        v 1 "$T/side/depth.mp4" &&
        cat > "$T/side/m.jsonl" <<EOF &&
{"video":"op.mp4","pose2d":"$R/pose/openpose","label":"dance","frame_labels":[0,0,1,1,1,2,2,2,2,-1]}
{"video":"ks.mp4","pose2d":"$R/pose/kinetics_skeleton/--33Lscn6sk.json","label":"flipping pancake"}
{"video":"depth.mp4","depth":"$R/depth/open3d/depth","label":"room"}
EOF
        synapt-pack -q --allow-outside-paths -o "$T/side.synapt" "$T/side/m.jsonl" &&
        mkdir -p "$T/ntu" && cp "$R/pose/ntu/S001C001P001R001A001.skeleton" "$T/ntu/" &&
        synapt-pack -q --no-video -o "$T/ntu.synapt" --format ntu "$T/ntu"
    }
    if ! real > "$T/real.log" 2>&1; then
        fail t_python_real_fixtures "packing the real samples failed: $(head -c 300 "$T/real.log")"
    fi
else
    skip t_python_real "SYNAPT_REALDATA or ffmpeg absent (copy-mode video, OpenPose, NTU checks)"
fi

PYTHONPATH="$ROOT/python" SYNAPT_BUILD="$B" absorb "$PY" tests/python/python_checks.py "$T"

# make install puts the package into Debian's path for the prefix, and the
# installed package loads the installed library, not the checkout's
D=$T/stage
if make -s --no-print-directory B="$B" install DESTDIR="$D" PREFIX=/usr > "$T/install.log" 2>&1 &&
   got=$(cd "$T" && PYTHONPATH="$D/usr/lib/python3/dist-packages" "$PY" -c \
         'import synapt; print(synapt._lib.lib._name, len(synapt.open("a.synapt")))') &&
   [ "$got" = "$D/usr/lib/libsynapt.so.1 6" ]; then
    pass python_make_install
else
    fail python_make_install "package under $D/usr/lib/python3/dist-packages loading $D/usr/lib/libsynapt.so.1 expected, got '${got:-}' $(tail -2 "$T/install.log" | tr '\n' '|')"
fi
# pip install ./python, from a copy so the checkout gets no build/ or
# egg-info; offline (no build isolation): needs Debian's pip and setuptools
if "$PY" -m pip --version > /dev/null 2>&1 && "$PY" -c 'import setuptools' 2> /dev/null; then
    mkdir -p "$T/pysrc" && cp python/pyproject.toml python/README.md "$T/pysrc/" &&
        mkdir -p "$T/pysrc/synapt" && cp python/synapt/*.py "$T/pysrc/synapt/"
    so="$(pwd)/$B/lib/libsynapt.so.1"
    if "$PY" -m pip install -q --no-build-isolation --no-deps --no-index --target "$T/pip" \
           "$T/pysrc" > "$T/pip.log" 2>&1 &&
       got=$(cd "$T" && PYTHONPATH="$T/pip" SYNAPT_LIBRARY="$so" "$PY" -c \
             'import synapt, os; print(os.path.dirname(synapt.__file__), len(synapt.open("a.synapt")))') &&
       [ "$got" = "$T/pip/synapt 6" ]; then
        pass python_pip_install
    else
        fail python_pip_install "pip install of python/ into $T/pip: '${got:-}' $(grep -v 'Running pip as' "$T/pip.log" | tail -2 | tr '\n' '|')"
    fi
else
    skip python_pip_install "no pip or setuptools for $PY"
fi
finish
