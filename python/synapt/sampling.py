"""Which frames to read, and in which order: torch-free, so it can be tested
and reused by other loaders.

A *window* is `frames` frames taken every `step` frames from `start`. A
clip gives one or more windows according to the sampling mode:

  random    one window per clip, its start drawn anew each epoch
            (a pure function of seed, epoch and clip: same in any worker)
  uniform   `windows_per_clip` windows with evenly spaced starts (one:
            the centred window); the same every epoch, for evaluation
  all       every window whose start is a multiple of `stride`

A clip shorter than a window gives one window from frame 0, padded by
repeating its last frame (pad="repeat"), or no window (pad="skip").

The iterable order of an epoch is a permutation of the windows drawn from
(seed, epoch); rank r of W takes every W-th item (padded by wrapping so
that every rank gets as many), skips the items it already consumed when
resuming, and its DataLoader workers take alternate blocks of
`batch_size` items, so the loader yields the rank's sequence in order.
"""

import numpy as np

MODES = ("random", "uniform", "all")
_M64 = (1 << 64) - 1


def mix(*values):
    """A 64-bit hash of non-negative ints (splitmix64 chained): a cheap,
    stateless random number keyed by (seed, epoch, clip, ...)."""
    h = 0x9E3779B97F4A7C15
    for v in values:
        h = (h + (v & _M64) + 0x9E3779B97F4A7C15) & _M64
        h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & _M64
        h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & _M64
        h ^= h >> 31
    return h


class Windows:
    """The sampling parameters, checked once."""

    def __init__(self, frames=16, sampling="random", step=1, stride=None, windows_per_clip=1,
                 pad="repeat", seed=0):
        if sampling not in MODES:
            raise ValueError("sampling must be one of %s, not %r" % (", ".join(MODES), sampling))
        if pad not in ("repeat", "skip"):
            raise ValueError("pad must be 'repeat' or 'skip', not %r" % (pad,))
        for name, v in (("frames", frames), ("step", step), ("windows_per_clip",
                                                             windows_per_clip)):
            if not isinstance(v, int) or v < 1:
                raise ValueError("%s must be a positive int, not %r" % (name, v))
        if stride is None:
            stride = frames * step
        if not isinstance(stride, int) or stride < 1:
            raise ValueError("stride must be a positive int, not %r" % (stride,))
        self.frames, self.sampling, self.step, self.stride = frames, sampling, step, stride
        self.windows_per_clip, self.pad, self.seed = windows_per_clip, pad, seed
        self.span = (frames - 1) * step + 1

    def count(self, length):
        """How many windows a clip of `length` frames gives (per epoch)."""
        if length < self.span:
            return 1 if self.pad == "repeat" and length > 0 else 0
        if self.sampling == "random":
            return 1
        if self.sampling == "uniform":
            return self.windows_per_clip
        return (length - self.span) // self.stride + 1

    def start(self, length, clip, k, epoch):
        """Start frame of window k of clip number `clip` (length frames)."""
        room = length - self.span
        if room <= 0:
            return 0
        if self.sampling == "random":
            return mix(self.seed, epoch, clip) % (room + 1)
        if self.sampling == "uniform":
            if self.windows_per_clip == 1:
                return room // 2
            return (k * room + (self.windows_per_clip - 1) // 2) // (self.windows_per_clip - 1)
        return k * self.stride

    def frame_range(self, length, start):
        """(first, stop, take): read frames [first, stop), then keep every
        `step`-th; `take` frames result, to be padded up to `frames`."""
        stop = min(length, start + self.span)
        take = (stop - start + self.step - 1) // self.step
        return start, stop, take


def read_window(source, clip, stream, w, length, start, persons=None):
    """A window of one stream as (frames,) + frame shape, padded by repeating
    the last frame when the clip is shorter than the window."""
    first, stop, take = w.frame_range(length, start)
    a = source.read(clip, stream, first, stop, persons=persons)
    if w.step > 1:
        a = a[::w.step]
    if take < w.frames:
        a = np.concatenate([a, np.repeat(a[-1:], w.frames - take, axis=0)])
    return a


def epoch_order(n, seed, epoch, shuffle=True):
    """Item numbers 0..n-1 in this epoch's order."""
    if not shuffle:
        return np.arange(n, dtype=np.int64)
    return np.random.Generator(np.random.PCG64([seed & _M64, epoch])).permutation(n)


def shard(order, rank, world, pad=True):
    """Rank `rank` of `world`'s share of an order: every world-th item. With
    pad, the order is first extended by wrapping around so that all ranks
    get the same count (as torch's DistributedSampler does; unequal counts
    stall a distributed step); without, the tail is dropped instead."""
    n = len(order)
    if world < 1 or not 0 <= rank < world:
        raise ValueError("rank %r outside 0..world-1 (world %r)" % (rank, world))
    if n == 0:
        return order
    if pad:
        per = -(-n // world)
        if per * world > n:
            order = np.concatenate([order, np.resize(order, per * world - n)])
    else:
        order = order[:n - n % world]
    return order[rank::world]


def worker_share(seq, worker, workers, batch_size=1):
    """Worker `worker` of `workers`'s blocks of a sequence: blocks of
    batch_size items, dealt round robin. A DataLoader with the same
    batch_size takes batches from its workers in that same round robin, so
    it yields `seq` in order."""
    if workers <= 1:
        return seq
    n = len(seq)
    idx = np.arange(n)
    keep = (idx // batch_size) % workers == worker
    return seq[keep]
