"""Several .synapt files presented as one numbering of clips.

    ds = synapt.open(["shard-000.synapt", "shard-001.synapt"])
    len(ds)            # clips of every file, file order then clip order
    ds[i].file         # the File that holds clip i; ds[i].local its index there
    ds.labels          # one vocabulary: the first file's names, then each
                       # later file's new names in order of appearance

These are the rules of a dataset manifest (spec/dataset.md sections 6 and
7) for a manifest that lists these files with no `select`, `label_map` or
`labels`: dataset order is member order then clip order, the vocabulary is
built by walking the members' labels, and a lookup by id returns the
smallest index. A manifest file itself is opened by libsynapt's dataset
handle (its own branch); when it lands, open() recognises a manifest by
content and returns an object with this same interface (len, [], clip(),
labels, label_id, read, files), so the torch datasets on top need no
change. Until then, `ClipDataset(..., clips=[...])` selects clips.
"""

import bisect
import operator

from .errors import SynaptError
from .reader import Clip, File


class Collection:
    """Clips of several files, numbered 0..len-1 in file order."""

    def __init__(self, paths, verify_checksums=True):
        self.files = [p if isinstance(p, File) else File(p, verify_checksums) for p in paths]
        if not self.files:
            raise ValueError("a collection needs at least one file")
        self.path = ", ".join(f.path for f in self.files)
        self.labels = []
        ids = {}
        self._maps = []
        for f in self.files:
            m = []
            for name in f.labels:
                if name not in ids:
                    ids[name] = len(self.labels)
                    self.labels.append(name)
                m.append(ids[name])
            self._maps.append(m)
        self._ids = ids
        self._starts = []
        n = 0
        for f in self.files:
            self._starts.append(n)
            n += len(f)
        self._count = n
        self._clips = {}

    def __len__(self):
        return self._count

    def __iter__(self):
        return (self.clip(i) for i in range(self._count))

    def __getitem__(self, i):
        if isinstance(i, str):
            return self.clip(i)
        i = operator.index(i)
        if i < 0:
            i += self._count
        return self.clip(i)

    def label_id(self, name):
        return self._ids[name]

    def locate(self, i):
        """(file number, clip index in that file) of clip i."""
        if not 0 <= i < self._count:
            raise IndexError("clip %d outside 0..%d" % (i, self._count - 1))
        k = bisect.bisect_right(self._starts, i) - 1
        return k, i - self._starts[k]

    def clip(self, which):
        """A clip by collection index, or by id (the first file holding it)."""
        if isinstance(which, str):
            for k, f in enumerate(self.files):
                try:
                    local = f.clip(which).local
                except SynaptError as e:
                    if e.name != "NOT_FOUND":
                        raise
                    continue
                return self.clip(self._starts[k] + local)
            # let the last file's lookup raise the library's message
            self.files[-1].clip(which)
        which = operator.index(which)
        c = self._clips.get(which)
        if c is None:
            k, local = self.locate(which)
            f = self.files[k]
            c = f._make_clip(f._reader(), local, index=which, label_map=self._maps[k])
            c.owner = self
            self._clips[which] = c
        return c

    def read(self, clip, stream, start=0, stop=None, metres=False, out=None, persons=None):
        """As File.read, `clip` being a collection index or a Clip."""
        if not isinstance(clip, Clip):
            clip = self.clip(clip)
        return clip.file.read(clip.local, stream, start, stop, metres, out, persons)

    def close(self):
        for f in self.files:
            f.close()

    def __getstate__(self):
        return {"files": self.files}

    def __setstate__(self, state):
        self.__init__(state["files"])

    def __repr__(self):
        return "synapt.Collection(%d files, %d clips)" % (len(self.files), self._count)
