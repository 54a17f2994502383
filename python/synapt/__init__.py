"""synapt: read .synapt action-recognition datasets into numpy and PyTorch.

    import synapt
    f = synapt.open("demo-out/demo.synapt")
    clip = f[0]
    clip.id, clip.labels, clip.split, clip.groups, clip.camera
    rgb = clip.read("rgb", 0, 16)            # (16, H, W, 3) uint8

    from synapt.data import ClipDataset      # needs torch
    ds = ClipDataset(f, streams="rgb", frames=16, sampling="random")

From a checkout, after `make`:  PYTHONPATH=python python3 ...
The package finds build/lib/libsynapt.so.0 itself (see synapt._lib).
"""

import os

from . import _lib
from .collection import Collection
from .errors import SynaptError
from .reader import Camera, Clip, File, Skeleton, Stream, skeleton

__all__ = ["open", "File", "Collection", "Clip", "Stream", "Skeleton", "Camera", "skeleton",
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


def open(source, verify_checksums=True):
    """Open a dataset.

    `source` is a .synapt path, or a list of paths read as one numbering of
    clips (a Collection). verify_checksums=False skips each chunk's XXH3
    check when reading (the index is still checked at open).
    Raises SynaptError with the library's message when a file cannot be
    opened."""
    if isinstance(source, (File, Collection)):
        return source
    if isinstance(source, (list, tuple)):
        return Collection(source, verify_checksums)
    return File(os.fspath(source), verify_checksums)
