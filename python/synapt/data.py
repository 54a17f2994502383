"""PyTorch datasets over .synapt files (needs torch).

    from synapt.data import ClipDataset, ClipIterable
    ds = ClipDataset("demo-out/demo.synapt", streams="rgb", frames=16,
                     sampling="random", split="train")
    loader = torch.utils.data.DataLoader(ds, batch_size=8, shuffle=True,
                                         num_workers=2)
    for epoch in range(E):
        ds.set_epoch(epoch)              # new random windows
        for x, y in loader: ...          # x (8, 16, H, W, 3) uint8, y (8,) int64

A sample is (x, y): x the window of the stream as a tensor (streams="rgb"),
or a dict of tensors by stream name (streams=("rgb", "pose3d")); y the
clip's first label id (labels="first", -1 when none) or a multi-hot float
vector over the vocabulary (labels="multi"). Arrays keep their dtype except
those torch lacks: uint16 depth or masks become int32 (same values).
`transform` is applied to x, `target_transform` to y. return_window=True
appends (clip index, start).

Both datasets are safe with DataLoader(num_workers > 0), forked or spawned:
each worker opens its own library handle on first use. With several
processes (DistributedDataParallel), ClipDataset goes with torch's
DistributedSampler; ClipIterable shards itself by rank and by worker.
"""

import numpy as np
import torch
import torch.utils.data as tud

from . import open as _open
from .sampling import Windows, epoch_order, read_window, shard, worker_share

LABEL_MODES = ("first", "multi")

# dtypes torch has no tensor type for, widened losslessly (u64 -> i64
# keeps values below 2**63 only)
_WIDEN = {np.dtype("<u2"): np.int32, np.dtype("<u4"): np.int64, np.dtype("<u8"): np.int64}


def _tensor(a):
    wide = _WIDEN.get(a.dtype)
    return torch.from_numpy(a if wide is None else a.astype(wide))


class _Plan:
    """What both datasets share: the source, the windows and the sample."""

    def __init__(self, source, streams, frames, sampling, step, stride, windows_per_clip, pad,
                 split, transform, target_transform, labels, seed, return_window,
                 verify_checksums, persons, clips):
        self.source = _open(source, verify_checksums)
        self.persons = persons
        self.single = isinstance(streams, str)
        self.streams = (streams,) if self.single else tuple(streams)
        if not self.streams:
            raise ValueError("choose at least one stream")
        if labels not in LABEL_MODES:
            raise ValueError("labels must be one of %s, not %r" % (", ".join(LABEL_MODES),
                                                                  labels))
        self.w = Windows(frames, sampling, step, stride, windows_per_clip, pad, seed)
        self.transform, self.target_transform = transform, target_transform
        self.labels, self.return_window = labels, return_window
        self.epoch = 0
        if clips is None:
            chosen = range(len(self.source))
        else:
            chosen = [self.source.clip(c).index if isinstance(c, str) else int(c) for c in clips]
        if split is not None:
            wanted = {split} if isinstance(split, str) else set(split)
            chosen = [i for i in chosen if self.source.clip(i).split in wanted]
        self.clips = np.array(chosen, dtype=np.int64)
        # windows per clip are fixed except for "all" (depends on lengths)
        # and pad="skip" (a short clip gives none): then list them up front
        self.windows = None
        if self.w.sampling == "all" or self.w.pad == "skip":
            rows = []
            for c in self.clips.tolist():
                length = self.length(c)
                for k in range(self.w.count(length)):
                    rows.append((c, k))
            self.windows = np.array(rows, dtype=np.int64).reshape(-1, 2)

    def length(self, c):
        """Frames every chosen stream of clip c has."""
        clip = self.source.clip(c)
        return min(clip.stream(s).frame_count for s in self.streams)

    def __len__(self):
        if self.windows is not None:
            return len(self.windows)
        return len(self.clips) * (self.w.windows_per_clip if self.w.sampling == "uniform" else 1)

    def item(self, i):
        """(clip index, window number) of item i."""
        if self.windows is not None:
            c, k = self.windows[i]
            return int(c), int(k)
        if self.w.sampling == "uniform":
            return int(self.clips[i // self.w.windows_per_clip]), i % self.w.windows_per_clip
        return int(self.clips[i]), 0

    def sample(self, i, epoch=None):
        if not 0 <= i < len(self):
            raise IndexError("item %d outside 0..%d" % (i, len(self) - 1))
        if epoch is None:
            epoch = self.epoch
        c, k = self.item(i)
        length = self.length(c)
        if length == 0:
            raise ValueError("clip %d (%s) has no frames in %s: nothing to pad from; "
                             "pad='skip' leaves such clips out"
                             % (c, self.source.clip(c).id, ", ".join(self.streams)))
        start = self.w.start(length, c, k, epoch)
        out = {s: _tensor(read_window(self.source, c, s, self.w, length, start, self.persons))
               for s in self.streams}
        x = out[self.streams[0]] if self.single else out
        if self.transform is not None:
            x = self.transform(x)
        clip = self.source.clip(c)
        if self.labels == "first":
            y = clip.label
        else:
            y = torch.zeros(len(self.source.labels), dtype=torch.float32)
            for lid in clip.label_ids:
                y[lid] = 1.0
        if self.target_transform is not None:
            y = self.target_transform(y)
        if self.return_window:
            return x, y, (c, start)
        return x, y


class ClipDataset(tud.Dataset):
    """Map-style dataset of T-frame windows (see the module doc).

    source     a path, a list of paths (one numbering), a synapt.File or
               Collection
    streams    a stream name, or several (the sample is then a dict)
    frames     T, frames per window; step: take every step-th frame
    sampling   "random" (one window per clip, new each set_epoch),
               "uniform" (windows_per_clip evenly spaced windows),
               "all" (every window starting at multiples of stride,
               default frames*step: non-overlapping)
    pad        "repeat" (short clips repeat their last frame) or "skip"
    split      keep clips of this split (or of any split in a list)
    clips      only these clips (indices or ids), in this order
    seed       seeds the random windows (a pure function of seed, epoch,
               clip: the same whatever the worker or the process)
    persons    pose streams: P of every sample (more persons dropped,
               fewer padded with NaN); None = each clip's own most, which
               batches only when all clips agree
    Batching stacks samples, so the clips of a batch need the same frame
    size too: resize in `transform` when a dataset mixes sizes.
    """

    def __init__(self, source, streams="rgb", frames=16, sampling="random", step=1, stride=None,
                 windows_per_clip=1, pad="repeat", split=None, transform=None,
                 target_transform=None, labels="first", seed=0, return_window=False,
                 verify_checksums=True, persons=None, clips=None):
        self.plan = _Plan(source, streams, frames, sampling, step, stride, windows_per_clip, pad,
                          split, transform, target_transform, labels, seed, return_window,
                          verify_checksums, persons, clips)

    @property
    def source(self):
        return self.plan.source

    def set_epoch(self, epoch):
        """Draw new random windows (call with the sampler's set_epoch).
        Forked workers see it only when the DataLoader starts its workers
        for the epoch, i.e. without persistent_workers; with them, use an
        EpochSampler, whose indices carry the epoch."""
        self.plan.epoch = int(epoch)

    def window(self, i):
        """(clip index, start frame) item i reads this epoch."""
        c, k = self.plan.item(i)
        return c, self.plan.w.start(self.plan.length(c), c, k, self.plan.epoch)

    def __len__(self):
        return len(self.plan)

    def __getitem__(self, key):
        # (item, epoch) from an EpochSampler, or a plain item number
        if isinstance(key, tuple):
            return self.plan.sample(int(key[0]), int(key[1]))
        return self.plan.sample(int(key))


class EpochSampler(tud.Sampler):
    """Wraps a sampler of item numbers (RandomSampler, DistributedSampler...)
    so that each index it yields carries the epoch: (item, epoch).

    ClipDataset draws random windows from its own epoch, which a DataLoader
    with persistent_workers=True never sends again to its workers. With
        sampler = EpochSampler(DistributedSampler(ds))   # or RandomSampler(ds)
        loader = DataLoader(ds, sampler=sampler, persistent_workers=True, ...)
        for epoch in ...: sampler.set_epoch(epoch)
    the epoch travels with every index instead. set_epoch is passed on to
    the wrapped sampler when it has one."""

    def __init__(self, sampler):
        self.sampler = sampler
        self.epoch = 0

    def set_epoch(self, epoch):
        self.epoch = int(epoch)
        if hasattr(self.sampler, "set_epoch"):
            self.sampler.set_epoch(epoch)

    def __iter__(self):
        e = self.epoch
        return ((int(i), e) for i in self.sampler)

    def __len__(self):
        return len(self.sampler)


class ClipIterable(tud.IterableDataset):
    """Iterable dataset of T-frame windows in a seeded order that is sharded
    across ranks and DataLoader workers and can be resumed.

    Takes the arguments of ClipDataset, and:
    shuffle     permute the windows each epoch (seeded by seed and epoch)
    rank, world_size
                this process's share; default: torch.distributed's when it
                is initialised, else 0 and 1
    batch_size  give the DataLoader's: workers then take alternate batches,
                so the loader yields this rank's order exactly
    pad_ranks   wrap around so every rank has as many items (default);
                False drops the tail instead
    An epoch of rank r yields len(self) items. set_epoch(e) starts epoch e;
    resume(epoch, consumed) starts epoch `epoch` after the `consumed` items
    this rank had already yielded (e.g. steps done * batch_size).
    """

    def __init__(self, source, streams="rgb", frames=16, sampling="random", step=1, stride=None,
                 windows_per_clip=1, pad="repeat", split=None, transform=None,
                 target_transform=None, labels="first", seed=0, return_window=False,
                 verify_checksums=True, persons=None, clips=None, shuffle=True, rank=None, world_size=None,
                 batch_size=1, pad_ranks=True):
        self.plan = _Plan(source, streams, frames, sampling, step, stride, windows_per_clip, pad,
                          split, transform, target_transform, labels, seed, return_window,
                          verify_checksums, persons, clips)
        if rank is None or world_size is None:
            dist = torch.distributed
            on = dist.is_available() and dist.is_initialized()
            rank = dist.get_rank() if on and rank is None else (rank or 0)
            world_size = dist.get_world_size() if on and world_size is None else (world_size or 1)
        if not 0 <= rank < world_size:
            raise ValueError("rank %r outside 0..world_size-1 (%r)" % (rank, world_size))
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError("batch_size must be a positive int, not %r" % (batch_size,))
        self.shuffle, self.rank, self.world_size = shuffle, rank, world_size
        self.batch_size, self.pad_ranks = batch_size, pad_ranks
        self.consumed = 0

    @property
    def source(self):
        return self.plan.source

    def set_epoch(self, epoch):
        self.plan.epoch = int(epoch)
        self.consumed = 0

    def resume(self, epoch, consumed):
        self.plan.epoch = int(epoch)
        self.consumed = int(consumed)

    def order(self):
        """This rank's item numbers for the current epoch, before resuming."""
        p = self.plan
        o = epoch_order(len(p), p.w.seed, p.epoch, self.shuffle)
        return shard(o, self.rank, self.world_size, self.pad_ranks)

    def __len__(self):
        """Items this rank still yields this epoch (after resume())."""
        n = len(self.plan)
        per = -(-n // self.world_size) if self.pad_ranks else n // self.world_size
        return max(0, per - self.consumed)

    def __iter__(self):
        seq = self.order()[self.consumed:]
        info = tud.get_worker_info()
        if info is not None:
            seq = worker_share(seq, info.id, info.num_workers, self.batch_size)
        for i in seq.tolist():
            yield self.plan.sample(i)
