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
smallest index. A manifest file (NAME.synapt.json) is read by libsynapt's
dataset handle, which checks it and resolves its members, selections and
label maps; `Manifest` presents it with this same interface (len, [],
clip(), labels, label_id, read, files), so the torch datasets on top need
no change.
"""

import bisect
import ctypes
import operator

import numpy as np

from . import _lib
from .errors import SynaptError
from .reader import Clip, ClipSequence, File


class Collection(ClipSequence):
    """Clips of several files, numbered 0..len-1 in file order."""

    def __init__(self, paths, verify_checksums=True, video_threads=1, map_file=False):
        self.files = [p if isinstance(p, File) else File(p, verify_checksums, video_threads, map_file)
                      for p in paths]
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
        """As File.read, `clip` being a collection index or a Clip. A
        frame_labels stream holds label ids of its own file: they come back
        as ids into this collection's `labels` (-1 where a manifest's
        label_map drops the label), as libsynapt's dataset reads give them."""
        if not isinstance(clip, Clip):
            clip = self.clip(clip)
        a = clip.file.read(clip.local, stream, start, stop, metres, out, persons)
        if clip.file._plan(clip.local, stream).kind != "frame_labels" or a.dtype != np.int32:
            return a
        k = self.locate(clip.index)[0]
        lut = np.array([-1 if d is None else d for d in self._maps[k]] or [-1], dtype=np.int32)
        bad = a >= len(self._maps[k])
        if bad.any():
            raise SynaptError("%s: clip '%s' stream '%s': frame label %d is not one of the file's %d labels"
                              % (clip.file.path, clip.id, stream, int(a[bad].flat[0]), len(self._maps[k])),
                              -7)
        keep = a >= 0
        a[keep] = lut[a[keep]]
        return a

    def close(self):
        for f in self.files:
            f.close()

    def __getstate__(self):
        return {"files": self.files}

    def __setstate__(self, state):
        self.__init__(state["files"])

    def __repr__(self):
        return "synapt.Collection(%d files, %d clips)" % (len(self.files), self._count)


class Manifest(Collection):
    """A dataset manifest (spec/dataset.md): the clips its members
    contribute, numbered as libsynapt numbers them, with its vocabulary.
    The manifest is parsed and checked by libsynapt; every member is opened
    here and must be the file the manifest pins (uuid, size, clip count)."""

    def __init__(self, path, verify_checksums=True, video_threads=1, map_file=False):
        self.path = path
        self.manifest = path
        self._opts = (verify_checksums, video_threads, map_file)
        h = ctypes.c_void_p()
        err = ctypes.create_string_buffer(1024)
        rc = _lib.dataset_open(ctypes.byref(h), path.encode(), None, err, len(err))
        if rc:
            raise SynaptError(_lib.text(err.value) or path, rc)
        try:
            self.labels = [_lib.text(_lib.dataset_label_name(h, i))
                           for i in range(_lib.dataset_label_count(h))]
            self._ids = {n: i for i, n in enumerate(self.labels)}
            self.files, self._starts, self._select, self._maps = [], [], [], []
            for m in range(_lib.dataset_member_count(h)):
                info = _lib.DatasetMember()
                rc = _lib.dataset_member_info(ctypes.byref(info), h, m)
                if rc:
                    raise SynaptError(_lib.text(_lib.dataset_errmsg(h)), rc)
                f = File(_lib.text(info.resolved_path), verify_checksums, video_threads, map_file)
                want = bytes(info.uuid).hex()
                if f.uuid != want or f.size != info.size or len(f) != info.clips:
                    raise SynaptError("%s: member %s is not the file the manifest names (uuid %s, "
                                      "%d bytes, %d clips expected)" % (path, _lib.text(info.path),
                                                                        want, info.size, info.clips))
                remap = {_lib.text(info.label_map_keys[k]):
                         (_lib.text(info.label_map_values[k]) if info.label_map_values[k] is not None
                          else None) for k in range(info.label_map_count)}
                # member label id -> dataset label id; None: dropped by the map
                m_ids = []
                for name in f.labels:
                    to = remap.get(name, name)
                    m_ids.append(self._ids.get(to) if to is not None else None)
                self.files.append(f)
                self._starts.append(int(info.base))
                self._select.append([info.select[k] for k in range(info.selected)]
                                    if info.has_select else None)
                self._maps.append(m_ids)
            self._count = int(_lib.dataset_clip_count(h))
        finally:
            _lib.dataset_close(h)
        self._clips = {}

    def locate(self, i):
        if not 0 <= i < self._count:
            raise IndexError("clip %d outside 0..%d" % (i, self._count - 1))
        k = bisect.bisect_right(self._starts, i) - 1
        sel = self._select[k]
        local = i - self._starts[k]
        return k, (sel[local] if sel is not None else local)

    def clip(self, which):
        if isinstance(which, str):
            for g in range(self._count):
                if self.clip(g).id == which:
                    return self.clip(g)
            raise SynaptError("%s: no clip with id '%s'" % (self.path, which), -6)
        which = operator.index(which)
        c = self._clips.get(which)
        if c is None:
            k, local = self.locate(which)
            f = self.files[k]
            c = f._make_clip(f._reader(), local, index=which)
            m = self._maps[k]
            ids = []
            for local_id in c.label_ids:  # member ids: mapped, dropped removed, repeats once
                d = m[local_id]
                if d is not None and d not in ids:
                    ids.append(d)
            c.labels = tuple(self.labels[d] for d in ids)
            c.label_ids = tuple(ids)
            c.owner = self
            self._clips[which] = c
        return c

    def __getstate__(self):
        # the reader options travel too: a DataLoader worker reopens the
        # members the way the main process opened them
        return {"manifest": self.manifest, "opts": self._opts}

    def __setstate__(self, state):
        self.__init__(state["manifest"], *state.get("opts", ()))

    def __repr__(self):
        return "synapt.Manifest(%s: %d members, %d clips)" % (self.manifest, len(self.files),
                                                             self._count)
