"""Reading a .synapt file: clips as objects, streams as numpy arrays.

    import synapt
    f = synapt.open("demo-out/demo.synapt")
    clip = f.clip("walk_0000")            # or f[0]
    rgb = clip.read("rgb", 0, 16)          # (16, H, W, 3) uint8
    pose = clip.read("pose3d")             # (T, P, J, C) float32, NaN = absent
    depth_m = clip.read("depth", metres=True)

A File opens its library handle lazily in each process that uses it, so a
File (or anything holding one, like a torch Dataset) may be built in the
main process and used in forked or spawned DataLoader workers; pickling
keeps only the path and options.
"""

import ctypes
import json
import operator
import os
from fractions import Fraction

import numpy as np

from . import _lib
from .errors import SynaptError


class Skeleton:
    """A skeleton layout of the registry: joint names and parent indices
    (-1 for the root), in the order pose frames store the joints."""

    __slots__ = ("id", "name", "joints", "parents")

    def __init__(self, ident, name, joints, parents):
        self.id, self.name, self.joints, self.parents = ident, name, joints, parents

    @property
    def edges(self):
        """(child, parent) index pairs, for drawing bones or building a graph."""
        return [(j, p) for j, p in enumerate(self.parents) if p >= 0]

    def __len__(self):
        return len(self.joints)

    def __repr__(self):
        return "Skeleton(%r, %d joints)" % (self.name, len(self.joints))


_skeletons = {}


def skeleton(which):
    """The registry skeleton named `which` ("coco17", "smpl24"...) or with that
    numeric id. Raises SynaptError (NOT_FOUND) for an unknown one."""
    ident = which if isinstance(which, int) else _lib.skeleton_from_name(str(which).encode())
    if ident in _skeletons:
        return _skeletons[ident]
    info = _lib.SkeletonInfo()
    rc = _lib.skeleton_get(ctypes.byref(info), ident)
    if rc != 0:
        raise SynaptError("unknown skeleton %r" % (which,), rc)
    n = info.joint_count
    sk = Skeleton(info.id, _lib.text(info.name),
                  tuple(_lib.text(info.joints[i]) for i in range(n)),
                  tuple(int(info.parents[i]) for i in range(n)))
    _skeletons[ident] = sk
    return sk


class Camera:
    """Pinhole intrinsics from a clip's metadata ("camera": {"fx", "fy",
    "cx", "cy", ...}). `extra` keeps the other keys (size, extrinsics...)."""

    __slots__ = ("fx", "fy", "cx", "cy", "width", "height", "extra")

    def __init__(self, d):
        self.fx, self.fy = float(d["fx"]), float(d["fy"])
        self.cx, self.cy = float(d["cx"]), float(d["cy"])
        self.width, self.height = d.get("width"), d.get("height")
        self.extra = {k: v for k, v in d.items() if k not in ("fx", "fy", "cx", "cy")}

    @property
    def K(self):
        """The 3x3 intrinsic matrix."""
        return np.array([[self.fx, 0, self.cx], [0, self.fy, self.cy], [0, 0, 1]], np.float64)

    def __repr__(self):
        return "Camera(fx=%g, fy=%g, cx=%g, cy=%g)" % (self.fx, self.fy, self.cx, self.cy)


class Stream:
    """One stream of a clip, described as read() returns it: `shape` is the
    per-frame shape of the array (video: (H, W, 3); pose: (P, J, C) with P
    the most persons in any frame), `dtype` its numpy dtype."""

    __slots__ = ("index", "name", "kind", "dtype", "shape", "frame_count", "fps", "scale",
                 "units", "skeleton", "channels", "codec", "_mode")

    def __repr__(self):
        return "Stream(%r, %s, %s %s, %d frames)" % (self.name, self.kind, self.dtype,
                                                     self.shape, self.frame_count)


def _stream(rd, clip, sidx):
    si = _lib.StreamInfo()
    rd.check(_lib.reader_stream(ctypes.byref(si), rd.ptr, clip, sidx))
    s = Stream()
    s.index = sidx
    s.name = _lib.text(si.name)
    s.kind = _lib.KIND_NAMES.get(si.kind, "unknown")
    s.fps = Fraction(si.fps_num, si.fps_den) if si.fps_num and si.fps_den else None
    s.scale = si.scale
    s.units = _lib.text(si.units)
    s.skeleton = skeleton(si.skeleton) if si.skeleton else None
    s.channels = si.channels
    s.codec = si.codec
    where = "%s: clip %d stream '%s'" % (rd.path, clip, s.name)
    if si.kind == _lib.KIND_VIDEO or si.codec != _lib.CODEC_RAW:
        vi = _lib.VideoInfo()
        rd.check(_lib.video_get_info(ctypes.byref(vi), rd.ptr, clip, sidx))
        s.dtype = np.dtype("u1")
        s.shape = (vi.height, vi.width, 3)
        s.frame_count = vi.frame_count
        s._mode = "video"
    elif si.kind in (_lib.KIND_POSE2D, _lib.KIND_POSE3D):
        if si.ndim != 3 or si.dtype != 7:
            raise SynaptError(where + ": pose frames are not (P, J, C) f32")
        persons = ctypes.c_uint32()
        rd.check(_lib.reader_pose_max_persons(ctypes.byref(persons), rd.ptr, clip, sidx))
        s.dtype = np.dtype("<f4")
        s.shape = (persons.value, int(si.shape[1]), int(si.shape[2]))
        s.frame_count = si.frame_count
        s._mode = "pose"
    else:
        if si.dtype not in _lib.DTYPES or si.ndim > 4:
            raise SynaptError(where + ": dtype %d cannot be read as an array" % si.dtype)
        s.dtype = np.dtype(_lib.DTYPES[si.dtype])
        shape = tuple(int(si.shape[d]) for d in range(si.ndim))
        # one label per frame reads naturally as (T,), as synapt-convert does
        if si.kind == _lib.KIND_FRAME_LABELS and shape == (1,):
            shape = ()
        if si.frame_bytes == 0 or si.frame_bytes != s.dtype.itemsize * int(np.prod(shape)):
            raise SynaptError(where + ": frames vary in size, so they do not form one array")
        s.shape = shape
        s.frame_count = si.frame_count
        s._mode = "array"
    nbytes = s.dtype.itemsize * int(np.prod(s.shape))
    if nbytes > _lib.MAX_FRAME_BYTES:
        # a shape from a damaged file must not become one huge allocation
        raise SynaptError(where + ": frames of %d bytes exceed the %d MiB limit"
                          % (nbytes, _lib.MAX_FRAME_BYTES >> 20))
    return s


class Clip:
    """A clip: identity, labels, split, source, groups, metadata, streams.

    `index` is the clip's position in what it was opened from (a File or a
    Collection); `label_ids` index that object's `labels` vocabulary."""

    __slots__ = ("owner", "file", "local", "index", "id", "labels", "label_ids", "split",
                 "source", "synthetic", "groups", "frame_count", "fps", "width", "height",
                 "_meta_json", "_meta", "_streams", "_some")

    @property
    def label(self):
        """The first label id, -1 when the clip has none."""
        return self.label_ids[0] if self.label_ids else -1

    @property
    def meta(self):
        """The metadata JSON object as a dict."""
        if self._meta is None:
            self._meta = json.loads(self._meta_json) if self._meta_json else {}
        return self._meta

    @property
    def camera(self):
        """Camera intrinsics from the metadata, None when it has none."""
        cam = self.meta.get("camera")
        if isinstance(cam, dict) and all(k in cam for k in ("fx", "fy", "cx", "cy")):
            return Camera(cam)
        return None

    @property
    def streams(self):
        """Streams by name, in file order."""
        if self._streams is None:
            self._streams = self.file._streams_of(self.local)
        return self._streams

    def stream(self, name):
        # one stream is built alone when the others were not asked for: a
        # loader reading "rgb" of every clip once per epoch would otherwise
        # describe every stream of every clip (video configs parsed, pose
        # chunks scanned for their person count) to use one
        if self._streams is None and isinstance(name, str):
            s = self._some.get(name) if self._some is not None else None
            if s is None:
                s = self.file._stream_named(self.local, name)
                if s is not None:
                    if self._some is None:
                        self._some = {}
                    self._some[name] = s
            if s is not None:
                return s
        try:
            return self.streams[name]
        except KeyError:
            raise SynaptError("%s: clip '%s' has no stream '%s' (streams: %s)"
                              % (self.file.path, self.id, name, ", ".join(self.streams)),
                              -11) from None

    def read(self, stream, start=0, stop=None, metres=False, out=None, persons=None):
        """Frames [start, stop) of a stream; see File.read. frame_labels
        values are ids into the `labels` of what the clip was opened from."""
        if self.owner is not None and self.owner is not self.file:
            return self.owner.read(self, stream, start, stop, metres, out, persons)
        return self.file.read(self.local, stream, start, stop, metres, out, persons)

    def __repr__(self):
        return "Clip(%d, %r, labels=%r, %d frames)" % (self.index, self.id, list(self.labels),
                                                       self.frame_count)


class ClipSequence:
    """len(x) clips; x[i] (negative i from the end) or x[id]; iteration in
    order. Shared by File and Collection, which provide _count and clip()."""

    __slots__ = ()

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


class File(ClipSequence):
    """An open .synapt file. len(f) clips; f[i], f.clip(id), iteration.
    `labels` is the vocabulary (label id = position); `uuid` (32 hex
    digits), `size` (bytes), `format_version` and `writer` come from the
    header."""

    def __init__(self, path, verify_checksums=True, video_threads=1, map_file=False):
        self.path = os.fspath(path)
        self.verify_checksums = verify_checksums
        self.video_threads = video_threads
        self.map_file = map_file
        self._rd = None
        self._pid = None
        self._init()

    def _init(self):
        rd = self._reader()
        self._count = int(_lib.reader_clip_count(rd.ptr))
        n = int(_lib.reader_label_count(rd.ptr))
        labels = []
        for i in range(n):
            name = _lib.reader_label_name(rd.ptr, i)
            if name is None:
                rd.check(-7)
            labels.append(_lib.text(name))
        self.labels = labels
        fi = _lib.FileInfo()
        rd.check(_lib.reader_file_info(ctypes.byref(fi), rd.ptr))
        # what a dataset manifest pins a member by (spec/dataset.md section 4)
        self.uuid = bytes(fi.uuid).hex()
        self.size = int(fi.file_bytes)
        self.format_version = (fi.format_major, fi.format_minor)
        self.writer = _lib.text(fi.writer)
        self._clips = {}
        self._plans = {}

    def _reader(self):
        pid = os.getpid()
        if self._pid != pid:
            if self._rd is not None:
                # inherited through fork: the parent owns it; closing it here
                # could wait on a lock some parent thread held at fork time
                self._rd.ptr = None
            self._rd = _lib.Reader(self.path, self.verify_checksums, self.video_threads, self.map_file)
            self._pid = pid
        return self._rd

    def __getstate__(self):
        return {"path": self.path, "verify_checksums": self.verify_checksums,
                "video_threads": self.video_threads, "map_file": self.map_file}

    def __setstate__(self, state):
        self.path = state["path"]
        self.verify_checksums = state["verify_checksums"]
        self.video_threads = state.get("video_threads", 1)
        self.map_file = state.get("map_file", False)
        self._rd = None
        self._pid = None
        self._init()

    def close(self):
        """Release the handle now (it reopens if the File is used again)."""
        if self._rd is not None and self._pid == os.getpid():
            self._rd.close()
        self._rd = None
        self._pid = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def files(self):
        """The files behind this object (one; a Collection lists several)."""
        return [self]

    def label_id(self, name):
        """Id of a label name in `labels`, KeyError when absent."""
        return self.labels.index(name)

    def clip(self, which):
        """A clip by index or by id. Raises SynaptError (RANGE, NOT_FOUND)."""
        rd = self._reader()
        if isinstance(which, str):
            idx = ctypes.c_uint64()
            rd.check(_lib.reader_find_clip(ctypes.byref(idx), rd.ptr, which.encode()))
            which = idx.value
        which = operator.index(which)  # numpy integers too
        c = self._clips.get(which)
        if c is None:
            if which < 0:
                raise IndexError("clip index %d is negative" % which)
            c = self._make_clip(rd, which)
            self._clips[which] = c
        return c

    def _make_clip(self, rd, i, index=None, label_map=None):
        info = _lib.ClipInfo()
        rd.check(_lib.reader_clip(ctypes.byref(info), rd.ptr, i))
        c = Clip()
        c.owner = self
        c.file = self
        c.local = i
        c.index = i if index is None else index
        c.id = _lib.text(info.id)
        ids = (ctypes.c_uint32 * max(1, info.label_count))()
        got = ctypes.c_size_t()
        rd.check(_lib.reader_clip_labels(ids, info.label_count, ctypes.byref(got), rd.ptr, i))
        local_ids = [ids[k] for k in range(min(got.value, info.label_count))]
        c.labels = tuple(self.labels[k] for k in local_ids)
        c.label_ids = tuple(local_ids if label_map is None else (label_map[k] for k in local_ids))
        c.split = _lib.text(info.split)
        c.source = _lib.text(info.source)
        c.synthetic = bool(info.synthetic)
        groups = {}
        for g in range(info.group_count):
            k, v = ctypes.c_char_p(), ctypes.c_char_p()
            rd.check(_lib.reader_clip_group(ctypes.byref(k), ctypes.byref(v), rd.ptr, i, g))
            groups[_lib.text(k.value)] = _lib.text(v.value)
        c.groups = groups
        c.frame_count = int(info.frame_count)
        c.fps = Fraction(info.fps_num, info.fps_den) if info.fps_num and info.fps_den else None
        c.width, c.height = info.width, info.height
        c._meta_json = (ctypes.string_at(info.meta_json, info.meta_len).decode("utf-8", "replace")
                        if info.meta_json else "")
        c._meta = None
        c._streams = None
        c._some = None
        return c

    def _stream_named(self, i, name):
        """The stream called `name` of clip i, None when there is none."""
        rd = self._reader()
        idx = ctypes.c_uint32()
        rc = _lib.reader_find_stream(ctypes.byref(idx), rd.ptr, i, name.encode("utf-8"))
        if rc == -11:  # NOT_FOUND: the caller's message lists the streams
            return None
        rd.check(rc)
        return _stream(rd, i, idx.value)

    def _streams_of(self, i):
        rd = self._reader()
        info = _lib.ClipInfo()
        rd.check(_lib.reader_clip(ctypes.byref(info), rd.ptr, i))
        out = {}
        for s in range(info.stream_count):
            st = _stream(rd, i, s)
            out[st.name] = st
        return out

    def _plan(self, clip, stream):
        key = (clip, stream)
        p = self._plans.get(key)
        if p is None:
            p = self.clip(clip).stream(stream)
            self._plans[key] = p
        return p

    def read(self, clip, stream, start=0, stop=None, metres=False, out=None, persons=None):
        """Frames [start, stop) of `stream` (a name) of `clip` (index, id or
        Clip) as a numpy array of shape (stop - start,) + Stream.shape:

          video          (T, H, W, 3) uint8 RGB, decoded (what
                         `ffmpeg -pix_fmt rgb24` gives for the same frames)
          image          (T, H, W, C) uint8 as stored
          depth          (T, H, W) stored dtype; Stream.scale metres per unit;
                         metres=True returns float32 metres instead
          pose2d/pose3d  (T, P, J, C) float32, NaN where a person is absent,
                         P = the most persons in any frame of the clip, or
                         `persons` when given (more are dropped, fewer
                         padded with NaN: a fixed P for batching)
          mask           (T, H, W)
          frame_labels   (T,) int32, or (T, K) for K labels per frame
          custom         (T, ...) stored dtype and shape

        stop=None reads to the end. `out`, a C-contiguous array of that shape
        and dtype, is filled and returned instead of a new array (saves the
        allocation and page faults of big frames when reading in a loop).
        Raises SynaptError with the library's
        message (RANGE for frames outside the stream, NOT_FOUND for an
        unknown stream, CHECKSUM/CORRUPT/... for damaged data)."""
        if isinstance(clip, Clip):
            clip = clip.local
        elif isinstance(clip, str):
            clip = self.clip(clip).local
        else:
            clip = operator.index(clip)
        s = self._plan(clip, stream)
        if stop is None:
            stop = s.frame_count
        if start < 0 or stop < start:
            raise ValueError("frame range %d:%d is not a range of frames" % (start, stop))
        n = stop - start
        rd = self._reader()
        shape = (n,) + s.shape
        if s._mode == "pose" and persons is not None:
            if not isinstance(persons, int) or persons < 0:
                raise ValueError("persons must be a non-negative int, not %r" % (persons,))
            shape = (n, persons) + s.shape[1:]
        if out is None:
            out = np.empty(shape, s.dtype)
        elif (out.shape != shape or out.dtype != s.dtype or not out.flags.c_contiguous
              or not out.flags.writeable):
            raise ValueError("out must be a writeable C-contiguous %s array of shape %s"
                             % (s.dtype, shape))
        ptr = out.__array_interface__["data"][0]
        got = ctypes.c_size_t()
        if out.size == 0 and n > 0:
            # frames of zero persons: nothing to read, but the range must exist
            if stop > s.frame_count:
                raise SynaptError("%s: clip %d stream '%s': frames %d:%d outside the %d frames"
                                  % (self.path, clip, stream, start, stop, s.frame_count), -12)
            return out
        if s._mode == "video":
            rc = _lib.video_read(ptr, out.nbytes, ctypes.byref(got), rd.ptr, clip, s.index,
                                 start, n, _lib.PIXFMT_RGB24)
        elif s._mode == "pose":
            rc = _lib.reader_read_pose(ptr, out.size, rd.ptr, clip, s.index, start, n,
                                       shape[1])
        else:
            rc = _lib.reader_read_frames(ptr, out.nbytes, ctypes.byref(got), rd.ptr, clip,
                                         s.index, start, n)
        if rc != 0:
            rd.check(rc)
        if s._mode != "pose" and got.value != out.nbytes:
            raise SynaptError("%s: clip %d stream '%s': frames %d:%d gave %d bytes, expected %d"
                              % (self.path, clip, stream, start, stop, got.value, out.nbytes))
        if metres and s.kind == "depth":
            out = out.astype(np.float32)
            if s.scale != 1.0:
                out *= np.float32(s.scale)
        return out

    def __repr__(self):
        return "synapt.File(%r, %d clips)" % (self.path, self._count)
