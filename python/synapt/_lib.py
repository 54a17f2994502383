"""ctypes view of libsynapt: the only module that knows the C ABI.

Everything the package needs from synapt.h is declared here once: the
structs it reads, the functions it calls with their argument types, the
constants it uses, and `Reader`, a small owner of one `synapt_reader *`.
When the public header changes (struct layout, argument order, enum
names), this file is what changes; the modules above it see Python values.

Finding the library, first hit wins:
  1. $SYNAPT_LIBRARY, a path to libsynapt.so (for odd layouts);
  2. a checkout: ../../build/lib next to this package (`make` puts it
     there), or $SYNAPT_BUILD/lib when that is set (e.g. build-asan);
  3. an install: the LIBDIR `make install` recorded in _install.py, then
     the lib/ directory this package sits under
     ($(PREFIX)/lib/python3/dist-packages/synapt -> $(PREFIX)/lib; this
     is what a DESTDIR stage has);
  4. the dynamic loader's own search (ld.so.cache, LD_LIBRARY_PATH): what
     `pip install ./python` relies on.
"""

import ctypes
import os

from .errors import SynaptError

SONAME = "libsynapt.so.1"

# --- constants (synapt.h sections 2, 3 and 7) -------------------------------
E_BUFFER = -18

KIND_VIDEO, KIND_IMAGE, KIND_DEPTH, KIND_POSE2D, KIND_POSE3D = 1, 2, 3, 4, 5
KIND_MASK, KIND_FRAME_LABELS, KIND_CUSTOM = 6, 7, 8
KIND_NAMES = {1: "video", 2: "image", 3: "depth", 4: "pose2d", 5: "pose3d",
              6: "mask", 7: "frame_labels", 8: "custom"}

CODEC_RAW = 0

# synapt_dtype -> numpy dtype string (little-endian, as stored)
DTYPES = {1: "u1", 2: "i1", 3: "<u2", 4: "<i2", 5: "<u4", 6: "<i4", 7: "<f4",
          8: "<f8", 9: "<u8", 10: "<i8", 11: "<f2"}

PIXFMT_RGB24 = 0  # SYNAPT_PIXFMT_RGB24

# default of synapt_limits.max_frame_bytes: the package refuses to size an
# array frame beyond it, as the library does for what it reads
MAX_FRAME_BYTES = 512 << 20


# --- structs -----------------------------------------------------------------
# Each info struct ends in synapt.h's reserved[SYNAPT_INFO_RESERVED] words:
# the library writes sizeof of the 0.3.0 struct, so the buffer must be as large.
class Limits(ctypes.Structure):
    _fields_ = [("max_index_bytes", ctypes.c_uint64),
                ("max_chunk_bytes", ctypes.c_uint64),
                ("max_frame_bytes", ctypes.c_uint64),
                ("max_string_bytes", ctypes.c_uint64),
                ("max_streams_per_clip", ctypes.c_uint32),
                ("max_labels_per_clip", ctypes.c_uint32)]


class ReaderOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint),
                ("allocator", ctypes.c_void_p),
                ("limits", Limits),
                ("verify_checksums", ctypes.c_int),
                ("verify_index", ctypes.c_int),
                ("use_mmap", ctypes.c_int),
                ("video_threads", ctypes.c_int),
                ("map_file", ctypes.c_int)]


def reader_options(verify_checksums=True, video_threads=1, map_file=False):
    """SYNAPT_READER_OPTIONS_INIT (version 3) with the knobs the package exposes."""
    o = ReaderOptions()
    o.version = 3
    o.allocator = None
    o.limits = Limits(2 << 30, 1 << 30, MAX_FRAME_BYTES, 64 << 20, 256, 4096)
    o.verify_checksums = 1 if verify_checksums else 0
    o.verify_index = 1
    o.use_mmap = 1
    o.video_threads = int(video_threads)
    o.map_file = 1 if map_file else 0
    return o


class FileInfo(ctypes.Structure):
    _fields_ = [("format_major", ctypes.c_uint16), ("format_minor", ctypes.c_uint16),
                ("uuid", ctypes.c_uint8 * 16),
                ("writer", ctypes.c_char_p),
                ("required_features", ctypes.c_uint64),
                ("optional_features", ctypes.c_uint64),
                ("created_unix", ctypes.c_uint64),
                ("clip_count", ctypes.c_uint64),
                ("label_count", ctypes.c_uint64),
                ("stream_count", ctypes.c_uint64),
                ("chunk_count", ctypes.c_uint64),
                ("file_bytes", ctypes.c_uint64),
                ("index_bytes", ctypes.c_uint64),
                ("reserved", ctypes.c_uint64 * 8)]


class ClipInfo(ctypes.Structure):
    _fields_ = [("index", ctypes.c_uint64),
                ("id", ctypes.c_char_p),
                ("split", ctypes.c_char_p),
                ("source", ctypes.c_char_p),
                ("synthetic", ctypes.c_int),
                ("label_count", ctypes.c_uint32),
                ("first_label", ctypes.c_uint32),
                ("group_count", ctypes.c_uint32),
                ("group", ctypes.c_char_p),
                ("stream_count", ctypes.c_uint32),
                ("frame_count", ctypes.c_uint64),
                ("meta_json", ctypes.c_void_p),
                ("meta_len", ctypes.c_size_t),
                ("fps_num", ctypes.c_uint32), ("fps_den", ctypes.c_uint32),
                ("width", ctypes.c_uint32), ("height", ctypes.c_uint32),
                ("reserved", ctypes.c_uint64 * 8)]


class StreamInfo(ctypes.Structure):
    _fields_ = [("index", ctypes.c_uint32),
                ("name", ctypes.c_char_p),
                ("kind", ctypes.c_int),
                ("dtype", ctypes.c_int),
                ("codec", ctypes.c_int),
                ("ndim", ctypes.c_uint32),
                ("shape", ctypes.c_uint64 * 4),
                ("fps_num", ctypes.c_uint32), ("fps_den", ctypes.c_uint32),
                ("scale", ctypes.c_double),
                ("units", ctypes.c_char_p),
                ("skeleton", ctypes.c_int),
                ("channels", ctypes.c_int),
                ("compression", ctypes.c_int),
                ("filter", ctypes.c_int),
                ("has_pts", ctypes.c_int),
                ("frame_count", ctypes.c_uint64),
                ("chunk_count", ctypes.c_uint64),
                ("stored_bytes", ctypes.c_uint64),
                ("raw_bytes", ctypes.c_uint64),
                ("extradata", ctypes.c_void_p),
                ("extradata_size", ctypes.c_size_t),
                ("codec_config", ctypes.c_char_p),
                ("frame_bytes", ctypes.c_uint64),
                ("packet_count", ctypes.c_uint64),
                ("max_persons", ctypes.c_uint32),
                ("reserved", ctypes.c_uint64 * 8)]


class VideoInfo(ctypes.Structure):
    _fields_ = [("width", ctypes.c_uint32), ("height", ctypes.c_uint32),
                ("codec", ctypes.c_int),
                ("codec_name", ctypes.c_char_p),
                ("mode", ctypes.c_int),
                ("pix_fmt", ctypes.c_char_p),
                ("bits_per_sample", ctypes.c_uint32),
                ("frame_count", ctypes.c_uint64),
                ("packet_count", ctypes.c_uint64),
                ("sync_points", ctypes.c_uint64),
                ("fps_num", ctypes.c_uint32), ("fps_den", ctypes.c_uint32),
                ("time_base_num", ctypes.c_uint32), ("time_base_den", ctypes.c_uint32),
                ("first_pts", ctypes.c_int64),
                ("rgb_frame_bytes", ctypes.c_size_t),
                ("native_frame_bytes", ctypes.c_size_t),
                ("reserved", ctypes.c_uint64 * 8)]


class SkeletonInfo(ctypes.Structure):
    _fields_ = [("id", ctypes.c_int),
                ("name", ctypes.c_char_p),
                ("joint_count", ctypes.c_uint32),
                ("joints", ctypes.POINTER(ctypes.c_char_p)),
                ("parents", ctypes.POINTER(ctypes.c_int)),
                ("reserved", ctypes.c_uint64 * 8)]


# --- loading -------------------------------------------------------------------
def _candidates():
    env = os.environ.get("SYNAPT_LIBRARY")
    if env:
        # an explicit choice is not second-guessed by falling back elsewhere
        return [env]
    here = os.path.dirname(os.path.abspath(__file__))
    checkout = os.path.normpath(os.path.join(here, "..", ".."))
    build = os.environ.get("SYNAPT_BUILD", "build")
    out = [os.path.join(checkout, build, "lib", SONAME)]
    try:
        from ._install import libdir
        out.append(os.path.join(libdir, SONAME))
    except ImportError:
        pass
    # dist-packages/synapt -> dist-packages -> python3 -> lib
    out.append(os.path.normpath(os.path.join(here, "..", "..", "..", SONAME)))
    out.append(SONAME)
    return out


def _load():
    tried = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(path)
            continue
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
    raise ImportError("synapt: libsynapt not found; build it with `make` in the checkout, "
                      "install it, or set SYNAPT_LIBRARY. Tried: " + "; ".join(tried))


lib = _load()


def text(b):
    """A borrowed C string as str (the library's strings are UTF-8)."""
    return b.decode("utf-8", "replace") if b is not None else ""


_u32, _u64, _i64, _int = ctypes.c_uint32, ctypes.c_uint64, ctypes.c_int64, ctypes.c_int
_vp, _cp, _sz = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t
_P = ctypes.POINTER


def _fn(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


version = _fn("synapt_version", _cp)
strerror = _fn("synapt_strerror", _cp, _int)
reader_open2 = _fn("synapt_reader_open2", _int, _P(_vp), _cp, _P(ReaderOptions), _cp, _sz)
reader_close = _fn("synapt_reader_close", None, _vp)
reader_errmsg = _fn("synapt_reader_errmsg", _cp, _vp)
reader_file_info = _fn("synapt_reader_file_info", _int, _P(FileInfo), _vp)
reader_clip_count = _fn("synapt_reader_clip_count", _u64, _vp)
reader_label_count = _fn("synapt_reader_label_count", _u64, _vp)
reader_label_name = _fn("synapt_reader_label_name", _cp, _vp, _u32)
reader_clip = _fn("synapt_reader_clip", _int, _P(ClipInfo), _vp, _u64)
reader_find_clip = _fn("synapt_reader_find_clip", _int, _P(_u64), _vp, _cp)
reader_clip_labels = _fn("synapt_reader_clip_labels", _int, _P(_u32), _sz, _P(_sz), _vp, _u64)
reader_clip_group = _fn("synapt_reader_clip_group", _int, _P(_cp), _P(_cp), _vp, _u64, _u32)
reader_stream = _fn("synapt_reader_stream", _int, _P(StreamInfo), _vp, _u64, _u32)
reader_find_stream = _fn("synapt_reader_find_stream", _int, _P(_u32), _vp, _u64, _cp)


def _version_tuple():
    v = text(version()).split(".")
    try:
        return int(v[0]), int(v[1])
    except (IndexError, ValueError):
        return (-1, -1)


# The structs and calls above and below follow the 0.4 header, which 0.5
# only extends with a writer call the package does not use and 0.6 with the
# movie writer (looked up below only from 0.6 on) (0.4.0 added
# video_threads to the reader options; 0.3.0 added the reserved words at the
# end of the info structs; 0.2.0 put the output buffer of the read calls
# first). ctypes cannot check a prototype or a struct size, and a mismatch
# writes to a wrong address, so other versions are refused, not guessed at.
LIB_VERSION = _version_tuple()
if LIB_VERSION not in ((0, 4), (0, 5), (0, 6)):
    raise ImportError("synapt: %s is libsynapt %s; this package is written for 0.4 to 0.6"
                      % (lib._name, text(version())))

class DatasetMember(ctypes.Structure):
    _fields_ = [("path", _cp), ("resolved_path", _cp), ("uuid", ctypes.c_uint8 * 16),
                ("clips", _u64), ("size", _u64), ("selected", _u64), ("base", _u64),
                ("has_select", _int), ("select", _P(_u64)), ("label_map_count", _sz),
                ("label_map_keys", _P(_cp)), ("label_map_values", _P(_cp))]


# the dataset-manifest handle (spec/dataset.md): parsed and checked by the
# C library, so the package follows exactly the same rules
dataset_open = _fn("synapt_dataset_open", _int, _P(_vp), _cp, _vp, _cp, _sz)
dataset_close = _fn("synapt_dataset_close", None, _vp)
dataset_errmsg = _fn("synapt_dataset_errmsg", _cp, _vp)
dataset_is_manifest = _fn("synapt_dataset_is_manifest", _int, _vp)
dataset_clip_count = _fn("synapt_dataset_clip_count", _u64, _vp)
dataset_member_count = _fn("synapt_dataset_member_count", _u32, _vp)
dataset_member_info = _fn("synapt_dataset_member_info", _int, _P(DatasetMember), _vp, _u32)
dataset_label_count = _fn("synapt_dataset_label_count", _u64, _vp)
dataset_label_name = _fn("synapt_dataset_label_name", _cp, _vp, _u32)

reader_read_frames = _fn("synapt_reader_read_frames", _int, _vp, _sz, _P(_sz), _vp, _u64, _u32,
                         _u64, _u64)
reader_read_pose = _fn("synapt_reader_read_pose", _int, _vp, _sz, _vp, _u64, _u32, _u64, _u64,
                       _u32)
video_read = _fn("synapt_video_read", _int, _vp, _sz, _P(_sz), _vp, _u64, _u32, _u64, _u64, _int)
reader_pose_max_persons = _fn("synapt_reader_pose_max_persons", _int, _P(_u32), _vp, _u64, _u32)
video_get_info = _fn("synapt_video_get_info", _int, _P(VideoInfo), _vp, _u64, _u32)
skeleton_get = _fn("synapt_skeleton_get", _int, _P(SkeletonInfo), _int)
# the movie writer, from libsynapt 0.6 (None before: write_movie says so)
HAVE_MOVIE = LIB_VERSION >= (0, 6)
movie_open = movie_write = movie_close = movie_abort = None
if HAVE_MOVIE:
    movie_open = _fn("synapt_movie_open", _int, _P(_vp), _cp, _cp, _u32, _u32, _u32, _u32, _vp, _sz)
    movie_write = _fn("synapt_movie_write", _int, _vp, _vp, _vp, _sz)
    movie_close = _fn("synapt_movie_close", _int, _vp, _vp, _sz)
    movie_abort = _fn("synapt_movie_abort", None, _vp)
skeleton_from_name = _fn("synapt_skeleton_from_name", _int, _cp)


class Reader:
    """One open `synapt_reader *`, closed with the object.

    Not shared across processes: the layers above open one per process
    (see reader.File), because a handle's decoder caches and locks do not
    survive fork() in a usable state.
    """

    __slots__ = ("ptr", "path")

    def __init__(self, path, verify_checksums=True, video_threads=1, map_file=False):
        self.ptr = None
        self.path = path
        h = _vp()
        err = ctypes.create_string_buffer(512)
        opts = reader_options(verify_checksums, video_threads, map_file)
        rc = reader_open2(ctypes.byref(h), os.fsencode(path), ctypes.byref(opts), err, len(err))
        if rc != 0:
            msg = text(err.value) or "%s: %s" % (path, text(strerror(rc)))
            raise SynaptError(msg, rc)
        self.ptr = h.value

    def check(self, rc):
        """Raise the handle's one-line message when rc is a failure."""
        if rc != 0:
            msg = text(reader_errmsg(self.ptr)) or "%s: %s" % (self.path, text(strerror(rc)))
            raise SynaptError(msg, rc)

    def close(self):
        if self.ptr:
            reader_close(self.ptr)
            self.ptr = None

    def __del__(self):
        # during interpreter shutdown the module globals may be gone already
        if self.ptr and reader_close is not None:
            reader_close(self.ptr)
            self.ptr = None


# FFmpeg's log level is process-wide state that the library leaves alone
# (it installs no global hooks); an application may set it. The libavutil
# to talk to is the one libsynapt pulled into this process.
AV_LOG_LEVELS = {"quiet": -8, "panic": 0, "fatal": 8, "error": 16, "warning": 24, "info": 32,
                 "verbose": 40, "debug": 48}


def av_log_set_level(level):
    path = None
    with open("/proc/self/maps") as maps:
        for line in maps:
            name = line.rsplit(None, 1)[-1]
            if os.path.basename(name).startswith("libavutil.so"):
                path = name
                break
    if path is None:
        raise OSError("libavutil is not loaded in this process")
    avutil = ctypes.CDLL(path)
    avutil.av_log_set_level.argtypes = [ctypes.c_int]
    avutil.av_log_set_level.restype = None
    avutil.av_log_set_level(level)
