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
           "SynaptError", "library_version", "set_ffmpeg_log_level"]


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
