"""bench_python.py - random 16-frame RGB windows per second through the
Python package, against PyAV seeking in the source files, and the Python
layer's cost over the C library's own rate; measured in one run.

For each source video (two made here with the ffmpeg CLI, 112x112 and
340x256 with a long GOP and B-frames, then the real samples of
../shared/realdata/videos when present) the source is packed twice with
synapt-pack: copy mode (packets byte for byte) and --rgb h264 --gop 8.
Every row reads the same windows (clip, start) in the same order:

  PyAV       the source file kept open, container.seek() to the start
             frame's pts (backward to a keyframe), decode forward, 16
             frames to RGB24 numpy arrays (what torchvision's and most
             PyTorch video datasets do)
  C call     synapt_video_read() through ctypes into one reused buffer:
             the library's own rate (one foreign call per window)
  File.read  synapt.File.read(): a new numpy array per window, and
             with out= into one reused array (the Python call alone)
  Dataset    synapt.data.ClipDataset[i]: torch tensor and label

One decoder thread on every side. Times are CPU time of the process (so
other jobs on a shared machine do not distort the ratios), best of 3
rounds with the rows interleaved. Prints markdown.
Usage: bench_python.py [--quick]; run by bench/run.sh (make bench).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

import synapt
from synapt import _lib
from synapt.data import ClipDataset

try:
    import av
    import av.logging
except ImportError:
    av = None

QUICK = "--quick" in sys.argv[1:]
WINDOW = 16
BIN = os.path.join(os.environ.get("SYNAPT_BUILD", "build"), "bin")


def sh(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def best(fn, rounds=3):
    out = None
    for _ in range(rounds):
        t0 = time.process_time()
        fn()
        dt = time.process_time() - t0
        out = dt if out is None else min(out, dt)
    return out


class PyAVSource:
    """The baseline loader: frame index -> pts table built by decoding once
    at open (as loaders build theirs), then seek + decode per window."""

    def __init__(self, path):
        self.c = av.open(path)
        self.s = self.c.streams.video[0]
        self.s.thread_type = "SLICE"
        self.s.thread_count = 1
        self.pts = [f.pts for f in self.c.decode(self.s)]
        self.pts.sort()  # presentation order

    def window(self, start, n):
        target = self.pts[start]
        self.c.seek(target, stream=self.s, backward=True, any_frame=False)
        out = []
        for f in self.c.decode(self.s):
            if f.pts is None or f.pts < target:
                continue
            out.append(f.to_ndarray(format="rgb24"))
            if len(out) == n:
                break
        return np.stack(out)


def bench_source(name, src, tmp, count):
    rows = []
    files = {}
    for label, args in (("copy", []), ("h264 --gop 8", ["--rgb", "h264", "--gop", "8"])):
        dst = os.path.join(tmp, "%s.%s.synapt" % (name, label.split()[0]))
        try:
            sh(os.path.join(BIN, "synapt-pack"), "-q", "-o", dst, *args, src)
            files[label] = dst
        except subprocess.CalledProcessError as e:
            why = e.stderr.decode(errors="replace").strip().splitlines()[-1:]
            rows.append("(%s: synapt-pack %s failed: %s)" % (name, label, " ".join(why)[:160]))
    if not files:
        return rows, None
    f0 = synapt.open(next(iter(files.values())))
    st = f0[0].stream("rgb")
    n, (h, w, _) = st.frame_count, st.shape
    if n < WINDOW:
        return ["(%s: %d frames, fewer than a window)" % (name, n)], None
    ds0 = ClipDataset(f0, "rgb", frames=WINDOW, sampling="random", seed=11)
    starts = []
    for e in range(count):
        ds0.set_epoch(e)
        starts.append(ds0.window(0)[1])

    results = {}
    base = PyAVSource(src) if av is not None else None
    if base is not None and len(base.pts) != n:
        rows.append("(%s: PyAV decodes %d frames, synapt %d: windows compared by index)"
                    % (name, len(base.pts), n))
    if base is not None:
        ref = base.window(starts[0], WINDOW)
        if not np.array_equal(ref, f0.read(0, "rgb", starts[0], starts[0] + WINDOW)):
            rows.append("(%s: PyAV's RGB differs from synapt's for window %d:%d; rates still "
                        "compared)" % (name, starts[0], starts[0] + WINDOW))

        def run_pyav():
            for s in starts:
                base.window(s, WINDOW)

    per = {}
    for label, path in files.items():
        f = synapt.open(path)
        ds = ClipDataset(f, "rgb", frames=WINDOW, sampling="random", seed=11)
        rd = f._reader()
        sidx = f[0].stream("rgb").index
        buf = np.empty((WINDOW, h, w, 3), np.uint8)
        ptr = buf.__array_interface__["data"][0]
        got = _lib.ctypes.c_size_t()

        # buf is bound as a default so it lives as long as the closure that
        # hands its address to C
        def run_c(rd=rd, sidx=sidx, buf=buf, ptr=ptr, nb=buf.nbytes, got=got):
            for s in starts:
                rc = _lib.video_read(ptr, nb, _lib.ctypes.byref(got), rd.ptr, 0, sidx, s,
                                     WINDOW, _lib.PIXFMT_RGB24)
                if rc:
                    rd.check(rc)

        def run_read(f=f):
            for s in starts:
                f.read(0, "rgb", s, s + WINDOW)

        def run_into(f=f, buf=buf):
            for s in starts:
                f.read(0, "rgb", s, s + WINDOW, out=buf)

        def run_ds(ds=ds):
            for e in range(count):
                ds.set_epoch(e)
                ds[0]

        per[label] = (run_c, run_into, run_read, run_ds)
    # interleave the rows round by round so that load from other jobs
    # spreads over all of them
    for r in range(3):
        if base is not None:
            results.setdefault("pyav", []).append(best(run_pyav, 1))
        for label, runs in per.items():
            # the order rotates each round: no row always runs first
            keyed = list(zip(("c", "into", "read", "ds"), runs))
            for key, fn in keyed[r % 4:] + keyed[:r % 4]:
                results.setdefault((label, key), []).append(best(fn, 1))
    t = {k: min(v) for k, v in results.items()}
    rate = {k: count / v for k, v in t.items()}
    pyav = rate.get("pyav")
    rows.append("| %s | %dx%d, %d frames | PyAV seek + decode (source file) | %s | 1.00 | |"
                % (name, w, h, n, "%.0f" % pyav if pyav else "n/a"))
    over = {}
    for label in files:
        tc = t[(label, "c")]
        over[label] = t[(label, "ds")] / tc - 1
        for what, key in (("C call (synapt_video_read)", "c"),
                          ("File.read(out=buffer)", "into"), ("File.read", "read"),
                          ("**Dataset**", "ds")):
            v = rate[(label, key)]
            extra = "" if key == "c" else "%+.1f%%" % (100 * (t[(label, key)] / tc - 1))
            if key == "ds":
                extra = "**%s**" % extra
            rows.append("| | %s | %s | %.0f | %s | %s |"
                        % (label, what, v, "%.2f" % (v / pyav) if pyav else "n/a", extra))
    return rows, (w, h, over)


def main():
    if av is None:
        print("(PyAV not installed: python3-av; the baseline column is n/a)\n")
    synapt.set_ffmpeg_log_level("quiet")
    if av is not None:
        # PyAV routes FFmpeg's log through Python at its own level
        av.logging.set_level(av.logging.PANIC)
    tmp = tempfile.mkdtemp(prefix="synapt-bench-python.")
    try:
        made = []
        for name, size, secs in (("made_112x112", "112x112", 10), ("made_340x256", "340x256", 10)):
            p = os.path.join(tmp, name + ".mp4")
            sh("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
               "testsrc2=size=%s:rate=30" % size, "-t", str(secs), "-c:v", "libx264",
               "-preset", "fast", "-bf", "3", "-g", "250", "-pix_fmt", "yuv420p", p)
            made.append((name, p))
        real = os.environ.get("SYNAPT_REALDATA") or os.path.join("..", "shared", "realdata")
        vids = os.path.join(real, "videos")
        if os.path.isdir(vids):
            for v in sorted(os.listdir(vids)):
                made.append((os.path.splitext(v)[0], os.path.join(vids, v)))
        print("## bench_python (synapt %s, numpy %s, torch %s, PyAV %s)\n"
              % (synapt.library_version(), np.__version__, _torch_version(),
                 av.__version__ if av else "absent"))
        print("Random %d-frame RGB windows per second, one clip per file, the same windows "
              "(random starts) in every row; CPU time, best of 3 interleaved rounds; one "
              "decoder thread everywhere. PyAV keeps the source file open and seeks "
              "(container.seek to the start frame's pts, decode forward, to_ndarray rgb24). "
              "The last column is the Python layer's cost over the C call on the same "
              "file and windows (target: Dataset at most +15%% at 112x112).\n" % WINDOW)
        print("| source | storage | path | windows/s | x PyAV | Python cost over C |")
        print("|---|---|---|---:|---:|---:|")
        summary = []
        for name, p in made:
            count = 60 if name.startswith("made") else 30
            if QUICK:
                count //= 4
            rows, s = bench_source(name, p, tmp, count)
            for r in rows:
                print(r)
            if s:
                summary.append((name, s))
        print()
        for name, (w, h, over) in summary:
            if (w, h) == (112, 112):
                print("Python layer at 112x112 (%s): Dataset %s over the C call (target <= +15%%).\n"
                      % (name, ", ".join("%s %+.1f%%" % (k, 100 * v) for k, v in over.items())))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _torch_version():
    import torch
    return torch.__version__


if __name__ == "__main__":
    main()
