"""Checks of the synapt Python package, run by tests/python/t_python.sh with the
fixtures it made in sys.argv[1]. Prints one PASS/FAIL/SKIP line per check.
Oracles are outside the package: synapt-convert --to npy for values,
synapt-inspect --json for clip fields, torch's own DataLoader and
DistributedSampler for the parallel paths."""

import json
import os
import pickle
import shutil
import subprocess
import sys
import time
import traceback

import numpy as np
import torch
import torch.utils.data as tud

import synapt
from synapt.data import ClipDataset, ClipIterable, EpochSampler
from synapt import sampling

T = sys.argv[1] if len(sys.argv) > 1 else None
CHECKS = []


def check(name):
    """Register a check; main() runs them in order."""
    def wrap(fn):
        CHECKS.append((name, fn))
        return fn
    return wrap


def run(name, fn):
    """Run a check function: None passes, "SKIP why" skips, any other value
    or an exception is a FAIL with its reason. Returns 1 on FAIL."""
    t0 = time.time()
    try:
        r = fn()
    except Exception as e:
        last = traceback.format_exc().strip().splitlines()[-3:]
        r = "%s (%s)" % (str(e).splitlines()[0] if str(e) else type(e).__name__,
                         " | ".join(last))
    if r is None:
        print("PASS python_%s (%.1f s)" % (name, time.time() - t0))
    elif r.startswith("SKIP"):
        print("SKIP python_%s: %s" % (name, r[5:]))
    else:
        print("FAIL python_%s: %s" % (name, r))
    sys.stdout.flush()
    return 0 if r is None or r.startswith("SKIP") else 1


def have(name):
    return os.path.exists(os.path.join(T, name))


def convert(path, clip, stream, frames=None):
    out = os.path.join(T, "conv.npy")
    cmd = ["synapt-convert", path, "--to", "npy", "--clip", clip, "--stream", stream, "-o", out,
           "-q"]
    if frames:
        cmd += ["--frames", frames]
    subprocess.run(cmd, check=True, capture_output=True)
    return np.load(out)


def same(a, b):
    if a.shape != b.shape or a.dtype != b.dtype:
        return "shape/dtype %s %s vs synapt-convert's %s %s" % (a.shape, a.dtype, b.shape, b.dtype)
    if not np.array_equal(a, b, equal_nan=a.dtype.kind == "f"):
        return "values differ from synapt-convert's at %d places" % int(
            np.sum(~((a == b) | (np.isnan(a) & np.isnan(b)) if a.dtype.kind == "f" else a == b)))
    return None


def every_stream_equals_convert(fname, kinds_expected=None):
    path = os.path.join(T, fname)
    f = synapt.open(path)
    kinds = set()
    # the first two clips and the last: every stream of each (a convert run
    # per stream costs ~0.1 s, and the synthetic clips differ only in values)
    picks = sorted({0, min(1, len(f) - 1), len(f) - 1})
    for clip in (f[i] for i in picks):
        for name, st in clip.streams.items():
            kinds.add(st.kind)
            err = same(clip.read(name), convert(path, clip.id, name))
            if err:
                return "%s clip %s stream %s: %s" % (fname, clip.id, name, err)
    if kinds_expected and not set(kinds_expected) <= kinds:
        return "%s: stream kinds %s, expected %s among them" % (fname, sorted(kinds),
                                                                 sorted(kinds_expected))
    return None


@check("values_synth_equal_convert")
def _():
    # video (H.264), depth u16, mask u8, pose2d, pose3d
    return every_stream_equals_convert("a.synapt", ["video", "depth", "mask", "pose2d", "pose3d"])


@check("values_image_equal_convert")
def _():
    return every_stream_equals_convert("raw.synapt", ["image"])


@check("values_copy_mode_equal_convert")
def _():
    if not have("copy.synapt"):
        return "SKIP no real videos"
    return every_stream_equals_convert("copy.synapt", ["video"])


@check("values_gop8_equal_convert")
def _():
    if not have("gop8.synapt"):
        return "SKIP no real videos"
    return every_stream_equals_convert("gop8.synapt", ["video"])


@check("values_sidecars_equal_convert")
def _():
    # OpenPose (12 persons, NaN where absent), st-gcn poses, real depth PNG,
    # frame labels
    if not have("side.synapt"):
        return "SKIP no real annotations"
    err = every_stream_equals_convert("side.synapt", ["pose2d", "depth", "frame_labels"])
    if err:
        return err
    op = synapt.open(os.path.join(T, "side.synapt")).clip("op").read("pose2d")
    if op.shape[1] != 12 or not np.isnan(op).any():
        return "OpenPose clip: expected 12 persons with NaN for absent ones, got %s" % (op.shape,)
    fl = synapt.open(os.path.join(T, "side.synapt")).clip("op").read("frame_labels")
    if fl.tolist() != [0, 0, 1, 1, 1, 2, 2, 2, 2, -1]:
        return "frame labels %s" % fl.tolist()


@check("values_ntu_custom_equal_convert")
def _():
    if not have("ntu.synapt"):
        return "SKIP no NTU sample"
    return every_stream_equals_convert("ntu.synapt", ["pose3d", "custom"])


@check("random_access_ranges_equal_convert")
def _():
    # windows that start between keyframes, in a jumping order
    for fname, clip, stream in (("a.synapt", "walk_0001", "rgb"), ("a.synapt", "run_0000", "depth"),
                                ("gop8.synapt", None, "rgb"), ("copy.synapt", None, "rgb")):
        if not have(fname):
            continue
        path = os.path.join(T, fname)
        f = synapt.open(path)
        c = f.clip(clip) if clip else f[len(f) - 1]
        n = c.stream(stream).frame_count
        for a, b in ((n - 5, n), (3, 11), (1, 2), (n // 2, n // 2 + 7), (0, 4)):
            err = same(c.read(stream, a, b), convert(path, c.id, stream, "%d:%d" % (a, b)))
            if err:
                return "%s %s %s frames %d:%d: %s" % (fname, c.id, stream, a, b, err)


@check("clip_fields_equal_inspect")
def _():
    path = os.path.join(T, "a.synapt")
    out = subprocess.run(["synapt-inspect", "--clips", "--json", path], check=True,
                         capture_output=True, text=True).stdout
    f = synapt.open(path)
    rows = [json.loads(line) for line in out.splitlines() if line.startswith('{"index"')]
    if len(rows) != len(f):
        return "%d clips, synapt-inspect lists %d" % (len(f), len(rows))
    info = json.loads(subprocess.run(["synapt-inspect", "--json", path], check=True,
                                     capture_output=True, text=True).stdout)
    if f.uuid != info.get("uuid") or f.size != os.path.getsize(path):
        return "uuid %s / size %d, synapt-inspect says %s" % (f.uuid, f.size, info.get("uuid"))
    for r in rows:
        c = f[r["index"]]
        got = (c.id, list(c.labels), list(c.label_ids), c.frame_count, c.split, c.source,
               c.synthetic, sorted(c.groups.items()), list(c.streams), "%d/%d" % (
                   c.fps.numerator, c.fps.denominator))
        want = (r["id"], r["labels"], r["label_ids"], r["frames"], r["split"], r["source"],
                r["synthetic"], sorted(tuple(g) for g in r["groups"]), r["streams"], r["fps"])
        if got != want:
            return "clip %d: %s, synapt-inspect says %s" % (r["index"], got, want)


@check("camera_skeleton_depth_scale")
def _():
    c = synapt.open(os.path.join(T, "a.synapt"))[0]
    cam = c.camera
    m = c.meta["camera"]
    if cam is None or (cam.fx, cam.fy, cam.cx, cam.cy) != (m["fx"], m["fy"], m["cx"], m["cy"]):
        return "camera %r, meta %r" % (cam, m)
    if cam.K[0, 2] != m["cx"] or cam.K[2, 2] != 1:
        return "K %s" % cam.K
    sk = c.stream("pose3d").skeleton
    if sk is None or sk.name != "smpl24" or len(sk.joints) != 24 or sk.parents[0] != -1:
        return "pose3d skeleton %r" % (sk,)
    if synapt.skeleton("coco17").joints[0] != "nose" or len(synapt.skeleton("ntu25")) != 25:
        return "registry skeletons coco17/ntu25"
    raw = c.read("depth", 2, 5)
    metres = c.read("depth", 2, 5, metres=True)
    scale = c.stream("depth").scale
    if metres.dtype != np.float32 or not np.allclose(metres, raw * np.float32(scale)):
        return "depth in metres != stored * scale (%g)" % scale


@check("errors_carry_library_message")
def _():
    try:
        synapt.open("/etc/hostname")
        return "opening a non-synapt file did not raise"
    except synapt.SynaptError as e:
        if e.name != "NOT_SYNAPT" or "/etc/hostname" not in str(e):
            return "open: %r (%s)" % (str(e), e.name)
    c = synapt.open(os.path.join(T, "a.synapt")).clip("walk_0000")
    try:
        c.read("rgb", 15, 40)
        return "reading past the end did not raise"
    except synapt.SynaptError as e:
        if e.name != "RANGE" or "walk_0000" not in str(e) or "\n" in str(e):
            return "range: %r (%s)" % (str(e), e.name)
    try:
        c.read("audio")
        return "an unknown stream did not raise"
    except synapt.SynaptError as e:
        if "audio" not in str(e):
            return "stream: %r" % str(e)
    try:
        synapt.open(os.path.join(T, "a.synapt")).clip("no_such_clip")
        return "an unknown clip id did not raise"
    except synapt.SynaptError as e:
        if e.name != "NOT_FOUND" or "no_such_clip" not in str(e):
            return "clip id: %r (%s)" % (str(e), e.name)


@check("windows_random_uniform_all_pad")
def _():
    path = os.path.join(T, "a.synapt")
    full = synapt.open(path).clip(0).read("rgb")          # 20 frames
    ds = ClipDataset(path, "rgb", frames=8, sampling="all", stride=4, return_window=True)
    starts = [ds[i][2] for i in range(len(ds)) if ds[i][2][0] == 0]
    if [s for _, s in starts] != [0, 4, 8, 12]:
        return "all windows of clip 0 start at %s, expected 0 4 8 12" % starts
    x, _, (c, s) = ds[1]
    if not np.array_equal(x.numpy(), full[4:12]):
        return "window 4:12 differs from the clip's frames"
    u = ClipDataset(path, "rgb", frames=8, sampling="uniform", windows_per_clip=3, return_window=True)
    if [u[i][2][1] for i in range(3)] != [0, 6, 12]:
        return "uniform starts %s" % [u[i][2][1] for i in range(3)]
    r = ClipDataset(path, "rgb", frames=8, sampling="random", seed=5, return_window=True)
    e0 = [r.window(i) for i in range(len(r))]
    r.set_epoch(1)
    e1 = [r.window(i) for i in range(len(r))]
    r2 = ClipDataset(path, "rgb", frames=8, sampling="random", seed=5)
    r2.set_epoch(1)
    if e0 == e1 or e1 != [r2.window(i) for i in range(len(r2))]:
        return "random windows: not new per epoch or not reproducible from the seed"
    p = ClipDataset(path, ("rgb", "pose3d"), frames=24, step=1, sampling="uniform")
    x, _ = p[0]
    if x["rgb"].shape[0] != 24 or not torch.equal(x["rgb"][19], x["rgb"][23]):
        return "a 24-frame window of a 20-frame clip is not padded with the last frame"
    s2 = ClipDataset(path, "rgb", frames=4, step=3, sampling="all", stride=100)
    if not np.array_equal(s2[0][0].numpy(), full[0:10:3]):
        return "step 3 window != frames 0, 3, 6, 9"
    m = ClipDataset(path, "depth", frames=4, labels="multi")
    if m[0][0].dtype != torch.int32 or m[0][1].tolist() != [1.0, 0.0, 0.0]:
        return "u16 depth as int32 and multi-hot labels: %s %s" % (m[0][0].dtype, m[0][1])


@check("fixed_persons_for_batching")
def _():
    if not have("side.synapt"):
        return "SKIP no real annotations"
    path = os.path.join(T, "side.synapt")
    c = synapt.open(path).clip("op")
    full = c.read("pose2d")                          # 12 persons at most
    few, more = c.read("pose2d", persons=2), c.read("pose2d", persons=15)
    if not np.array_equal(few, full[:, :2], equal_nan=True):
        return "persons=2 is not the first two persons"
    if not (np.array_equal(more[:, :12], full, equal_nan=True) and np.isnan(more[:, 12:]).all()):
        return "persons=15 is not the 12 persons padded with NaN"
    if c.read("pose2d", 0, 4, persons=0).shape != (4, 0, 25, 3):
        return "persons=0 shape"
    # OpenPose BODY-25 with 12 persons and st-gcn's 18 joints with 3
    ds = ClipDataset(path, "pose2d", frames=8, sampling="uniform", persons=3,
                     clips=["op", "ks"])
    shapes = [tuple(ds[i][0].shape) for i in range(len(ds))]
    if shapes != [(8, 3, 25, 3), (8, 3, 18, 3)]:
        return "pose windows with persons=3: %s" % shapes


@check("collection_one_vocabulary")
def _():
    raw, a = os.path.join(T, "raw.synapt"), os.path.join(T, "a.synapt")
    col = synapt.open([raw, a])
    fr, fa = synapt.open(raw), synapt.open(a)
    want = fr.labels + [n for n in fa.labels if n not in fr.labels]
    if col.labels != want or len(col) != len(fr) + len(fa):
        return "labels %s, expected %s" % (col.labels, want)
    for i in range(len(col)):
        c = col[i]
        if [col.labels[k] for k in c.label_ids] != list(c.labels):
            return "clip %d: ids %s do not name %s" % (i, c.label_ids, c.labels)
    last = col[len(col) - 1]
    if last.file.path != a or last.local != len(fa) - 1 or last.id != fa[len(fa) - 1].id:
        return "the last clip is not the last of the second file"
    if not np.array_equal(col.read(len(fr), "mask"), fa.read(0, "mask")):
        return "reading through the collection"


@check("threads_share_one_file")
def _():
    # ctypes lets go of the GIL in each call and one handle serves many
    # threads: concurrent reads give what sequential ones give
    from concurrent.futures import ThreadPoolExecutor
    f = synapt.open(os.path.join(T, "a.synapt"))
    jobs = [(c, s, a) for c in range(len(f)) for s in ("rgb", "depth", "pose3d")
            for a in (0, 3, 9)]
    seq = [f.read(c, s, a, a + 8) for c, s, a in jobs]
    with ThreadPoolExecutor(4) as ex:
        par = list(ex.map(lambda j: f.read(j[0], j[1], j[2], j[2] + 8), jobs * 3))
    bad = [jobs[i % len(jobs)] for i, p in enumerate(par)
           if not np.array_equal(p, seq[i % len(jobs)], equal_nan=True)]
    if bad:
        return "threaded reads differ for %s" % bad[:3]


@check("package_version_is_library_version")
def _():
    # _lib accepts one library version; pyproject.toml says which
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "..", "python", "pyproject.toml")) as fh:
        v = [line.split('"')[1] for line in fh if line.startswith("version = ")]
    if v != [synapt.library_version()]:
        return "python/pyproject.toml version %s, libsynapt %s" % (v, synapt.library_version())


def two_files():
    return [os.path.join(T, "a.synapt"), os.path.join(T, "b.synapt")]


@check("dataloader_2_workers_2_files_each_clip_once")
def _():
    ds = ClipDataset(two_files(), ("rgb", "pose2d"), frames=8, sampling="random",
                     return_window=True)
    n = len(ds)
    if n != 12:
        return "%d clips in the two files, expected 12" % n
    dl = tud.DataLoader(ds, batch_size=3, shuffle=True, num_workers=2)
    for epoch in range(2):
        ds.set_epoch(epoch)
        seen = []
        for x, y, (c, s) in dl:
            seen += c.tolist()
            if x["rgb"].shape[1:] != (8, 48, 64, 3):
                return "batch shape %s" % (tuple(x["rgb"].shape),)
        if sorted(seen) != list(range(n)):
            return "epoch %d saw clips %s" % (epoch, sorted(seen))


@check("persistent_workers_new_windows_each_epoch")
def _():
    # with persistent workers the epoch reaches them through the sampler
    ds = ClipDataset(two_files(), "mask", frames=4, sampling="random", seed=9,
                     return_window=True)
    sampler = EpochSampler(tud.DistributedSampler(ds, num_replicas=1, rank=0, seed=2))
    dl = tud.DataLoader(ds, batch_size=4, sampler=sampler, num_workers=2,
                        persistent_workers=True)
    seen = []
    for epoch in range(2):
        sampler.set_epoch(epoch)
        got = sorted((c, s) for _, _, (cs, ss) in dl for c, s in zip(cs.tolist(), ss.tolist()))
        ds.set_epoch(epoch)  # only to compute the expected windows here
        want = sorted(ds.window(i) for i in range(len(ds)))
        if got != want:
            return "epoch %d: workers read %s, expected %s" % (epoch, got[:4], want[:4])
        seen.append(got)
    if seen[0] == seen[1]:
        return "the same windows in both epochs"


@check("iterable_2_workers_order_resume")
def _():
    files = two_files()
    it = ClipIterable(files, "rgb", frames=4, sampling="all", stride=4, seed=7, batch_size=4,
                      return_window=True)
    want = it.order().tolist()
    dl = tud.DataLoader(it, batch_size=4, num_workers=2)
    windows = [it.plan.item(i) for i in want]
    got = []
    for x, y, (c, s) in dl:
        got += c.tolist()
    if got != [c for c, _ in windows]:
        return "2 workers yielded %s, the rank's order is %s" % (got, [c for c, _ in windows])
    n = len(it.plan)
    if sorted(want) != list(range(n)):
        return "one rank, one epoch: every window once expected"
    it.resume(0, 9)
    rest = [c for x, y, (c, s) in tud.DataLoader(it, batch_size=4, num_workers=2)
            for c in c.tolist()]
    if rest != [c for c, _ in windows[9:]]:
        return "resume after 9 items yielded %s" % rest
    it.set_epoch(1)
    if it.order().tolist() == want:
        return "epoch 1 has the order of epoch 0"


@check("distributed_ranks_disjoint")
def _():
    ds = ClipDataset(two_files(), "pose3d", frames=4)
    seen = []
    for rank in range(2):
        smp = tud.DistributedSampler(ds, num_replicas=2, rank=rank, shuffle=True, seed=3)
        smp.set_epoch(1)
        seen.append(set(smp))
    if seen[0] & seen[1] or seen[0] | seen[1] != set(range(len(ds))):
        return "DistributedSampler ranks %s / %s" % (sorted(seen[0]), sorted(seen[1]))
    shards = [set(ClipIterable(two_files(), "pose3d", frames=4, rank=r, world_size=2,
                               seed=3).order().tolist()) for r in range(2)]
    if shards[0] & shards[1] or shards[0] | shards[1] != set(range(len(ds))):
        return "iterable ranks %s / %s" % (sorted(shards[0]), sorted(shards[1]))
    odd = [ClipIterable(two_files()[:1], "pose3d", frames=4, rank=r, world_size=4).order()
           for r in range(4)]
    if len({len(o) for o in odd}) != 1:
        return "padded rank shards of 6 items over 4 ranks differ in length"


@check("worker_error_reaches_main_process")
def _():
    bad = os.path.join(T, "damaged.synapt")
    shutil.copy(os.path.join(T, "a.synapt"), bad)
    size = os.path.getsize(bad)
    with open(bad, "r+b") as fh:
        # chunk bodies fill the file before the index; damage a byte in each
        # tenth so some read of every window below meets one
        for k in range(1, 6):
            fh.seek(size * k // 10)
            b = fh.read(1)
            fh.seek(size * k // 10)
            fh.write(bytes([b[0] ^ 0x5A]))
    ds = ClipDataset(bad, ("rgb", "depth", "mask", "pose2d", "pose3d"), frames=20, sampling="all")
    dl = tud.DataLoader(ds, batch_size=1, num_workers=2)
    try:
        for _ in dl:
            pass
        return "reading a damaged file through workers raised nothing"
    except synapt.SynaptError as e:
        text = str(e)
        if "damaged.synapt" not in text or "worker" not in text:
            return "message lacks the file or the worker: %r" % text[:300]
        if not any(w in text for w in ("checksum", "corrupt", "decod", "damaged")):
            return "message does not say what is wrong: %r" % text[:300]


@check("spawned_worker_pickles_path")
def _():
    ds = ClipDataset(os.path.join(T, "b.synapt"), "mask", frames=4, sampling="uniform",
                     return_window=True)
    dl = tud.DataLoader(ds, batch_size=6, num_workers=1, multiprocessing_context="spawn")
    got = [c for _, _, (c, s) in dl for c in c.tolist()]
    if got != list(range(6)):
        return "spawned worker yielded %s" % got


@check("map_file_reads_the_same")
def _():
    # reader option map_file: the whole file mapped, every stream of every
    # clip equal to the default pread reader's, in this process and in
    # DataLoader workers (the option travels with the pickled File and
    # Manifest)
    path = os.path.join(T, "a.synapt")
    a, b = synapt.open(path), synapt.open(path, map_file=True)
    for i in range(len(a)):
        for name in a[i].streams:
            err = same(b[i].read(name), a[i].read(name))
            if err:
                return "clip %d stream %s: %s" % (i, name, err)
    man = os.path.join(T, "map.synapt.json")
    subprocess.run(["synapt-merge", "-q", "--manifest-only", "-o", man, path,
                    os.path.join(T, "b.synapt")], check=True, capture_output=True)
    for obj in (b, synapt.open(man, map_file=True)):
        c = pickle.loads(pickle.dumps(obj))
        files = c.files if hasattr(c, "files") else [c]
        if not all(f.map_file for f in files):
            return "map_file lost when %s is pickled" % type(obj).__name__
    ds = ClipDataset(b, "depth", frames=4, sampling="uniform")
    got = [x.sum().item() for x, _ in tud.DataLoader(ds, batch_size=4, num_workers=2)]
    ref = [x.sum().item() for x, _ in tud.DataLoader(ClipDataset(a, "depth", frames=4, sampling="uniform"),
                                                    batch_size=4, num_workers=0)]
    if got != ref:
        return "DataLoader workers with map_file read other depth windows"


@check("sampling_helpers")
def _():
    o = sampling.epoch_order(10, 1, 0)
    sh = [sampling.shard(o, r, 3) for r in range(3)]
    if sorted(set(np.concatenate(sh).tolist())) != list(range(10)) or {len(s) for s in sh} != {4}:
        return "shard with padding"
    if [len(sampling.shard(o, r, 3, pad=False)) for r in range(3)] != [3, 3, 3]:
        return "shard without padding drops the tail"
    seq = np.arange(10)
    parts = [sampling.worker_share(seq, w, 2, 3).tolist() for w in range(2)]
    if parts != [[0, 1, 2, 6, 7, 8], [3, 4, 5, 9]]:
        return "worker blocks %s" % parts
    for bad in ({"sampling": "middle"}, {"frames": 0}, {"pad": "loop"}, {"stride": -1}):
        try:
            sampling.Windows(**bad)
            return "Windows(%s) accepted" % bad
        except ValueError:
            pass


@check("write_movie")
def _():
    # synapt.write_movie: every frame in the file (PyAV decodes it), close to
    # the frames given; bad arrays refused; a failure leaves an earlier file
    import numpy as np
    try:
        import av
    except ImportError:
        return "SKIP needs PyAV (python3-av)"
    t, h, w = 6, 32, 48
    a = np.zeros((t, h, w, 3), np.uint8)
    a[..., 0] = (np.arange(w) * 5)[None, None, :]
    a[..., 1] = (np.arange(h) * 7)[None, :, None]
    a[..., 2] = (np.arange(t) * 40)[:, None, None]
    out = os.path.join(T, "movie.mp4")
    synapt.write_movie(out, a, fps=(25, 1))
    with av.open(out) as c:
        got = np.stack([f.to_ndarray(format="rgb24") for f in c.decode(video=0)])
    if got.shape != a.shape:
        return "decoded %s, wrote %s" % (got.shape, a.shape)
    err = np.abs(got.astype(int) - a.astype(int)).mean()
    if err > 4:
        return "mean error %.2f per sample" % err
    for bad in (a[:, :31], a.astype(np.float32), a[..., :2]):
        try:
            synapt.write_movie(out, bad)
            return "accepted an array of %s %s" % (bad.dtype, bad.shape)
        except ValueError:
            pass
    before = open(out, "rb").read()
    try:
        synapt.write_movie(os.path.join(T, "movie.nosuchcontainer"), a)
        return "wrote a file of an unknown container"
    except synapt.SynaptError as e:
        if "movie.nosuchcontainer" not in str(e) or e.name != "INVALID_ARG":
            return "message %r (%s)" % (str(e), e.name)
    if open(out, "rb").read() != before or [n for n in os.listdir(T) if ".tmp-" in n]:
        return "a failed write changed files"


def main():
    # quiet FFmpeg's own stderr lines (e.g. mpeg4's "packed B-frames" note)
    # so the test log holds only the check lines
    synapt.set_ffmpeg_log_level("error")
    failures = 0
    for name, fn in CHECKS:
        failures += run(name, fn)
    print("python: %d checks, %d failed" % (len(CHECKS), failures))
    return 1 if failures else 0


# spawned DataLoader workers import this file again: only the parent runs
if __name__ == "__main__":
    sys.exit(main())
