"""synapt: read .synapt action-recognition datasets into numpy and PyTorch.

    import synapt
    f = synapt.open("demo-out/demo.synapt")
    clip = f[0]
    clip.id, clip.labels, clip.split, clip.groups, clip.camera
    rgb = clip.read("rgb", 0, 16)            # (16, H, W, 3) uint8

    from synapt.data import ClipDataset      # needs torch
    ds = ClipDataset(f, streams="rgb", frames=16, sampling="random")

From a checkout, after `make`:  PYTHONPATH=python python3 ...
The package finds build/lib/libsynapt.so.1 itself (see synapt._lib).
"""

import builtins
import os

from . import _lib
from .collection import Collection, Manifest
from .errors import SynaptError
from .reader import Camera, Clip, File, Skeleton, Stream, skeleton

__all__ = ["open", "File", "Collection", "Manifest", "Clip", "Stream", "Skeleton", "Camera", "skeleton",
           "SynaptError", "library_version", "set_ffmpeg_log_level", "write_movie"]


def library_version():
    """Version string of the libsynapt that was loaded."""
    return _lib.text(_lib.version())


def set_ffmpeg_log_level(level):
    """Set FFmpeg's log level for the whole process ("quiet", "error",
    "warning", "info"...; FFmpeg's default prints warnings to stderr, e.g.
    a note per decoder opened on some MPEG-4 files). Forked DataLoader
    workers inherit it; spawned ones need their own call (worker_init_fn)."""
    if level not in _lib.AV_LOG_LEVELS:
        raise ValueError("level must be one of %s" % ", ".join(_lib.AV_LOG_LEVELS))
    _lib.av_log_set_level(_lib.AV_LOG_LEVELS[level])


def write_movie(path, frames, fps=30):
    """Write RGB frames, a uint8 array (T, H, W, 3) with even H and W, as a
    video file: H.264 (libx264, CRF 20) in the container the extension of
    `path` names (.mp4, .mkv), through libsynapt's synapt_movie_*. `fps` is
    a number or a (num, den) pair. The file is written under a temporary
    name beside `path` and renamed over it when complete, so a failure
    leaves an earlier file at `path` as it was. Raises ValueError for a bad
    array, SynaptError for what the library refuses (no encoder, FFmpeg's
    libraries missing, I/O)."""
    import ctypes
    import fractions
    import numpy as np
    if not _lib.HAVE_MOVIE:
        raise SynaptError("write_movie needs libsynapt 0.6 or later, not %s" % library_version(), -15)
    a = np.ascontiguousarray(frames)
    if a.dtype != np.uint8 or a.ndim != 4 or a.shape[3] != 3:
        raise ValueError("frames must be uint8 (T, H, W, 3), not %s %s" % (a.dtype, a.shape))
    t, h, w = a.shape[:3]
    if h % 2 or w % 2 or not h or not w:
        raise ValueError("frame size %dx%d: width and height must be even" % (w, h))
    if isinstance(fps, (tuple, list)):
        num, den = int(fps[0]), int(fps[1])
    else:
        q = fractions.Fraction(fps).limit_denominator(1001000)
        num, den = q.numerator, q.denominator
    if num <= 0 or den <= 0 or num >= 2 ** 31 or den >= 2 ** 31:
        raise ValueError("fps must be positive, not %r" % (fps,))
    path = os.fspath(path)
    head, tail = os.path.split(path)
    stem, ext = os.path.splitext(tail)
    tmp = os.path.join(head, ".%s.tmp-%d%s" % (stem, os.getpid(), ext))
    err = ctypes.create_string_buffer(1024)
    m = ctypes.c_void_p()
    rc = _lib.movie_open(ctypes.byref(m), os.fsencode(tmp), None, w, h, num, den, err, len(err))
    try:
        for i in range(t if rc == 0 else 0):
            rc = _lib.movie_write(m, a[i].ctypes.data, err, len(err))
            if rc:
                break
        if rc == 0:
            rc = _lib.movie_close(m, err, len(err))
            m = None
        if rc:
            raise SynaptError(_lib.text(err.value).replace(tmp, path) or "%s: error %d" % (path, rc), rc)
        os.replace(tmp, path)
        tmp = None
    finally:
        if m:
            _lib.movie_abort(m)
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)


def open(source, verify_checksums=True, video_threads=1, map_file=False):
    """Open a dataset.

    `source` is a .synapt path, a dataset manifest (NAME.synapt.json, read
    as libsynapt reads it: a Manifest), or a list of paths read as one
    numbering of clips (a Collection). verify_checksums=False skips each chunk's XXH3
    check when reading (the index is still checked at open). video_threads
    is each video decoder's FFmpeg thread count (frame threading): more
    windows/s for one reader, where DataLoader workers do not already use
    the cores. map_file=True has the library map each whole file and read
    chunks from the mapping instead of one pread each: about 20% faster
    for streams of many small chunks (pose), but pages read count in the
    process's RSS, the file must not be rewritten in place while open, and
    a file truncated while open, or a disk error, ends the process with
    SIGBUS instead of an exception.
    Raises SynaptError with the library's message when a file cannot be
    opened."""
    if isinstance(source, (File, Collection)):  # a Manifest is a Collection
        return source
    if isinstance(source, (list, tuple)):
        return Collection(source, verify_checksums, video_threads, map_file)
    path = os.fspath(source)
    if _is_manifest(path):
        return Manifest(path, verify_checksums, video_threads, map_file)
    return File(path, verify_checksums, video_threads, map_file)


def _is_manifest(path):
    """A dataset manifest is JSON (spec/dataset.md); a .synapt file starts
    with its magic bytes, never with '{'."""
    try:
        with builtins.open(path, "rb") as fh:
            head = fh.read(64).lstrip()
    except OSError:
        return False
    return head.startswith(b"{")
