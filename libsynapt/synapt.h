/*
 * synapt.h - the public interface of libsynapt.
 *
 * libsynapt reads and writes `.synapt` files: chunked, compressed, checksummed,
 * indexed containers for video action-recognition datasets. A file holds clips;
 * a clip holds frame-aligned streams (RGB video or images, depth, 2D/3D pose,
 * masks, per-frame labels) plus labels, split, source, group keys and JSON
 * metadata. The byte layout is specified normatively in spec/format.md.
 *
 * This header reads like a tutorial, in order:
 *   1. versions                          5. reading frames and chunks
 *   2. error codes                       6. the write path
 *   3. enumerations (kinds, dtypes...)   7. encoded video (FFmpeg)
 *   4. opening a file, clips, streams    8. skeleton registry
 *                                        9. recovery of damaged files
 *
 * Conventions that hold for every function below:
 *   - Functions return int: 0 (SYNAPT_OK) on success, a negative SYNAPT_E_*
 *     code on failure. Codes are only ever appended, never renumbered.
 *   - The output parameter comes first and is named `out`.
 *   - After a failure, synapt_reader_errmsg()/synapt_writer_errmsg() give a
 *     one-line message naming the file and, where known, clip, stream and chunk.
 *   - Every close, free and abort function accepts NULL.
 *   - Borrowed pointers (const char * in info structs) stay valid until the
 *     handle they came from is closed.
 *   - Bytes from a file are never trusted: every length is checked against the
 *     data present and against synapt_limits; a corrupt file yields
 *     SYNAPT_E_CORRUPT / _CHECKSUM / _TRUNCATED, never a crash.
 *   - No dependency types (zstd, FFmpeg, HDF5, cJSON) appear here; the header
 *     compiles as C99 and as C++.
 */
#ifndef SYNAPT_H
#define SYNAPT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#  define SYNAPT_API
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define SYNAPT_API __attribute__((visibility("default")))
#else
#  define SYNAPT_API
#endif

/* ======================================================================
 * 1. Versions
 *
 * The library version and the file format version are independent. A reader
 * of format major N reads every file of major N whatever its minor; it
 * refuses other majors with SYNAPT_E_VERSION.
 * ====================================================================== */
#define SYNAPT_VERSION_MAJOR 0
#define SYNAPT_VERSION_MINOR 2
#define SYNAPT_VERSION_PATCH 0
#define SYNAPT_VERSION_STRING "0.2.0"

#define SYNAPT_FORMAT_MAJOR 1
#define SYNAPT_FORMAT_MINOR 1

/** Library version string, e.g. "0.1.0". Static storage. Thread-safe. */
SYNAPT_API const char *synapt_version(void);

/* ======================================================================
 * 2. Error codes. Fixed values; new codes are appended, never renumbered.
 * ====================================================================== */
#define SYNAPT_OK              0
#define SYNAPT_E_INVALID_ARG  -1  /* a caller bug: NULL handle, bad enum, n too big */
#define SYNAPT_E_NOMEM        -2  /* an allocation failed */
#define SYNAPT_E_IO           -3  /* open/read/write/rename/fsync failed (errno in message) */
#define SYNAPT_E_NOT_SYNAPT   -4  /* the magic bytes are absent: not a .synapt file */
#define SYNAPT_E_VERSION      -5  /* format major version this library does not read */
#define SYNAPT_E_FEATURE      -6  /* the file needs a required feature bit we do not know */
#define SYNAPT_E_CORRUPT      -7  /* a structure is inconsistent (bad length, bad reference) */
#define SYNAPT_E_CHECKSUM     -8  /* an XXH3-64 checksum does not match */
#define SYNAPT_E_TRUNCATED    -9  /* the file ends before a structure it announces */
#define SYNAPT_E_LIMIT       -10  /* a size exceeds the configured synapt_limits */
#define SYNAPT_E_NOT_FOUND   -11  /* no clip/stream/label of that name */
#define SYNAPT_E_RANGE       -12  /* index or frame range outside what exists */
#define SYNAPT_E_STATE       -13  /* call out of order (write_frames with no open clip) */
#define SYNAPT_E_CODEC       -14  /* compression or decoding failed (zstd, FFmpeg) */
#define SYNAPT_E_UNSUPPORTED -15  /* valid request this build cannot do (e.g. codec) */
#define SYNAPT_E_EXISTS      -16  /* duplicate clip id or stream name */
#define SYNAPT_E_INPUT       -17  /* an input file being imported is malformed */
#define SYNAPT_E_BUFFER      -18  /* caller's buffer too small; size needed is reported */

/** Static text for an error code ("checksum mismatch"). Never NULL. Thread-safe. */
SYNAPT_API const char *synapt_strerror(int code);

/* ======================================================================
 * 3. Enumerations. Numeric values are part of the file format
 *    (spec/registry.md) and never change.
 * ====================================================================== */

/** What a stream's frames are. */
typedef enum synapt_kind {
    SYNAPT_KIND_VIDEO        = 1, /* encoded video packets (h264, vp9, ...) */
    SYNAPT_KIND_IMAGE        = 2, /* decoded images, (H, W, C) u8 */
    SYNAPT_KIND_DEPTH        = 3, /* (H, W) u16 with scale metres/unit, or f32 metres */
    SYNAPT_KIND_POSE2D       = 4, /* (P, J, C) f32, C = x,y[,conf] */
    SYNAPT_KIND_POSE3D       = 5, /* (P, J, C) f32, C = x,y,z[,conf] */
    SYNAPT_KIND_MASK         = 6, /* (H, W) u8 or u16 segmentation */
    SYNAPT_KIND_FRAME_LABELS = 7, /* (K,) i32 per-frame label ids */
    SYNAPT_KIND_CUSTOM       = 8  /* any dtype and shape */
} synapt_kind;

/** Element type of array frames. Stored little-endian. */
typedef enum synapt_dtype {
    SYNAPT_DTYPE_NONE = 0, /* encoded video: no element type */
    SYNAPT_DTYPE_U8   = 1,
    SYNAPT_DTYPE_I8   = 2,
    SYNAPT_DTYPE_U16  = 3,
    SYNAPT_DTYPE_I16  = 4,
    SYNAPT_DTYPE_U32  = 5,
    SYNAPT_DTYPE_I32  = 6,
    SYNAPT_DTYPE_F32  = 7,
    SYNAPT_DTYPE_F64  = 8,
    SYNAPT_DTYPE_U64  = 9,
    SYNAPT_DTYPE_I64  = 10,
    SYNAPT_DTYPE_F16  = 11
} synapt_dtype;

/** Size in bytes of one element of `dtype`, 0 for SYNAPT_DTYPE_NONE/unknown. */
SYNAPT_API size_t synapt_dtype_size(int dtype);
/** Short name ("u16", "f32"), "?" when unknown. Static storage. */
SYNAPT_API const char *synapt_dtype_name(int dtype);
/** Kind name ("video", "depth", ...), "?" when unknown. Static storage. */
SYNAPT_API const char *synapt_kind_name(int kind);
/** Parse a kind or dtype name; returns the value or 0 when unknown. */
SYNAPT_API int synapt_kind_from_name(const char *name);
SYNAPT_API int synapt_dtype_from_name(const char *name);

/** What a stream's frames are encoded as. RAW = array frames (optionally
 *  filtered and zstd-compressed); the others are video codecs whose frames
 *  are packets stored byte for byte. */
typedef enum synapt_codec {
    SYNAPT_CODEC_RAW   = 0,
    SYNAPT_CODEC_H264  = 1,
    SYNAPT_CODEC_HEVC  = 2,
    SYNAPT_CODEC_MPEG4 = 3,
    SYNAPT_CODEC_VP8   = 4,
    SYNAPT_CODEC_VP9   = 5,
    SYNAPT_CODEC_AV1   = 6,
    SYNAPT_CODEC_MJPEG = 7,
    SYNAPT_CODEC_FFV1  = 8,
    SYNAPT_CODEC_RAWVIDEO = 9, /* decoded video frames in a native pixel format */
    SYNAPT_CODEC_PNG   = 10,
    SYNAPT_CODEC_OTHER = 255  /* an FFmpeg codec named in codec_config */
} synapt_codec;
SYNAPT_API const char *synapt_codec_name(int codec);
SYNAPT_API int synapt_codec_from_name(const char *name); /* -1 when unknown */

/** How a chunk's bytes are compressed. */
typedef enum synapt_compression {
    SYNAPT_COMPRESSION_AUTO       = -1, /* writer picks per kind (stream desc only) */
    SYNAPT_COMPRESSION_NONE       = 0,
    SYNAPT_COMPRESSION_ZSTD_FRAME = 1, /* each frame its own zstd frame: one frame cut out alone */
    SYNAPT_COMPRESSION_ZSTD_CHUNK = 2  /* the whole chunk one zstd frame: best for tiny frames */
} synapt_compression;

/** Reversible prefilter applied before compression. */
typedef enum synapt_filter {
    SYNAPT_FILTER_AUTO       = -1, /* writer picks per kind and dtype (stream desc only) */
    SYNAPT_FILTER_NONE       = 0,
    SYNAPT_FILTER_SHUFFLE    = 1, /* byte planes by element size */
    SYNAPT_FILTER_DEPTH_MED  = 2, /* u16 2D: MED (LOCO-I) prediction, zigzag, byte planes */
    SYNAPT_FILTER_XOR_PREV   = 3, /* XOR with the previous frame, then byte planes */
    SYNAPT_FILTER_DEPTH_RANK = 4  /* u16 2D: values to ranks, vertical prediction, varints (format 1.1);
                                     asked of a writer: per chunk the smallest of
                                     depth_rank, depth_med and none */
} synapt_filter;

/** Channel layout of pose frames (last axis). */
typedef enum synapt_channels {
    SYNAPT_CHANNELS_NONE = 0,
    SYNAPT_CHANNELS_XY   = 1,
    SYNAPT_CHANNELS_XYC  = 2, /* c = confidence */
    SYNAPT_CHANNELS_XYZ  = 3,
    SYNAPT_CHANNELS_XYZC = 4
} synapt_channels;
/** Number of values per joint for a layout (2, 3, 3, 4), 0 when unknown. */
SYNAPT_API unsigned synapt_channels_count(int channels);

/** Skeleton layouts (spec/registry.md lists joints and parents). */
typedef enum synapt_skeleton {
    SYNAPT_SKELETON_NONE    = 0,
    SYNAPT_SKELETON_COCO17  = 1,
    SYNAPT_SKELETON_BODY25  = 2, /* OpenPose BODY-25 */
    SYNAPT_SKELETON_NTU25   = 3, /* Kinect v2, NTU RGB+D */
    SYNAPT_SKELETON_SMPL24  = 4, /* SMPL, SURREAL/SURREACT */
    SYNAPT_SKELETON_H36M17  = 5, /* Human3.6M 17-joint */
    SYNAPT_SKELETON_OPENPOSE18 = 6 /* OpenPose COCO-18, Kinetics-skeleton */
} synapt_skeleton;

/** Per-frame flags (frame table entries). */
#define SYNAPT_FRAME_KEY      0x1u  /* video: packet is a keyframe */
#define SYNAPT_FRAME_HAS_PTS  0x2u  /* pts carries a timestamp */
#define SYNAPT_FRAME_DISCARD  0x4u  /* video: packet decoded but its output is not a frame */

#define SYNAPT_PTS_NONE INT64_MIN

/* ======================================================================
 * 4. Opening a file; clips and streams
 * ====================================================================== */

typedef struct synapt_reader synapt_reader;
typedef struct synapt_writer synapt_writer;

/** Allocator hooks, per handle. All three set or the struct not given.
 *  realloc_fn(ptr=NULL) must behave like malloc_fn. */
typedef struct synapt_allocator {
    void *(*malloc_fn)(void *opaque, size_t size);
    void *(*realloc_fn)(void *opaque, void *ptr, size_t size);
    void  (*free_fn)(void *opaque, void *ptr);
    void *opaque;
} synapt_allocator;

/** Caps applied to every size read from a file. Exceeding one gives
 *  SYNAPT_E_LIMIT, never an attempt to allocate. */
typedef struct synapt_limits {
    uint64_t max_index_bytes;   /* default 2 GiB */
    uint64_t max_chunk_bytes;   /* stored or raw bytes of one chunk; default 1 GiB */
    uint64_t max_frame_bytes;   /* raw bytes of one frame; default 512 MiB */
    uint64_t max_string_bytes;  /* one string or JSON blob; default 64 MiB */
    uint32_t max_streams_per_clip; /* default 256 */
    uint32_t max_labels_per_clip;  /* default 4096 */
} synapt_limits;
#define SYNAPT_LIMITS_DEFAULT_INIT \
    { 2ull << 30, 1ull << 30, 512ull << 20, 64ull << 20, 256, 4096 }

#define SYNAPT_READER_OPTIONS_VERSION 1
typedef struct synapt_reader_options {
    unsigned version;                 /* SYNAPT_READER_OPTIONS_VERSION */
    const synapt_allocator *allocator;/* NULL = malloc/realloc/free; copied at open */
    synapt_limits limits;
    int verify_checksums;             /* check each chunk's XXH3-64 when read (default 1) */
    int verify_index;                 /* check the index checksum at open (default 1) */
    int use_mmap;                     /* map the index instead of reading it (default 1) */
} synapt_reader_options;
#define SYNAPT_READER_OPTIONS_INIT \
    { SYNAPT_READER_OPTIONS_VERSION, NULL, SYNAPT_LIMITS_DEFAULT_INIT, 1, 1, 1 }

/** Open a .synapt file for reading.
 *  Reads the footer, the header and the index (three reads); no per-clip work.
 *  @param out   receives the handle; set to NULL on failure.
 *  @param path  file to open (borrowed for the call).
 *  @param opts  NULL for SYNAPT_READER_OPTIONS_INIT.
 *  @return 0, or SYNAPT_E_IO, _NOT_SYNAPT, _VERSION, _FEATURE, _CORRUPT,
 *          _CHECKSUM, _TRUNCATED, _LIMIT, _NOMEM, _INVALID_ARG.
 *  On failure, if `errbuf` matters to you, use synapt_reader_open2().
 *  Thread-safety: the returned handle may be used by many threads at once for
 *  every read function in sections 4, 5 and 7 (pread, no global lock).
 *  With use_mmap the index stays mapped: the file must not be truncated or
 *  rewritten in place while open (replacing it by rename is fine). */
SYNAPT_API int synapt_reader_open(synapt_reader **out, const char *path,
                                  const synapt_reader_options *opts);

/** As synapt_reader_open(), writing a one-line message into errbuf (may be
 *  NULL) when it fails, since no handle exists to carry it. */
SYNAPT_API int synapt_reader_open2(synapt_reader **out, const char *path,
                                   const synapt_reader_options *opts,
                                   char *errbuf, size_t errbuf_size);

/** Open a file image held in memory. `data` is borrowed: it must stay valid
 *  and unchanged until synapt_reader_close(). `name` is used in messages
 *  (NULL = "<memory>"). Same errors as synapt_reader_open2() but never _IO. */
SYNAPT_API int synapt_reader_open_memory(synapt_reader **out, const void *data,
                                         size_t size, const char *name,
                                         const synapt_reader_options *opts,
                                         char *errbuf, size_t errbuf_size);

/** Close and free. Accepts NULL. Not thread-safe with concurrent reads. */
SYNAPT_API void synapt_reader_close(synapt_reader *r);

/** One-line description of the last failure on this handle ("" if none).
 *  Valid until the next failing call on the handle. When several threads fail
 *  at once the text may describe another thread's failure; codes are exact. */
SYNAPT_API const char *synapt_reader_errmsg(const synapt_reader *r);

/** The path given at open (or the memory name). Borrowed. */
SYNAPT_API const char *synapt_reader_path(const synapt_reader *r);

typedef struct synapt_file_info {
    uint16_t format_major, format_minor;
    uint8_t  uuid[16];
    const char *writer;          /* writer name and version, e.g. "libsynapt 0.1.0" */
    uint64_t required_features;
    uint64_t optional_features;
    uint64_t created_unix;       /* seconds; 0 when the writer made it deterministic */
    uint64_t clip_count;
    uint64_t label_count;
    uint64_t stream_count;       /* over all clips */
    uint64_t chunk_count;
    uint64_t file_bytes;
    uint64_t index_bytes;
} synapt_file_info;
SYNAPT_API int synapt_reader_file_info(synapt_file_info *out, const synapt_reader *r);

/** Number of clips (O(1)). */
SYNAPT_API uint64_t synapt_reader_clip_count(const synapt_reader *r);

/** Label vocabulary: `count` names, ids 0..count-1. */
SYNAPT_API uint64_t synapt_reader_label_count(const synapt_reader *r);
/** Name of label `id`, borrowed; NULL when out of range or corrupt
 *  (then errmsg says why). */
SYNAPT_API const char *synapt_reader_label_name(const synapt_reader *r, uint32_t id);
/** Label id of a name: 0 and *out set, or SYNAPT_E_NOT_FOUND. O(log n). */
SYNAPT_API int synapt_reader_find_label(uint32_t *out, const synapt_reader *r,
                                        const char *name);

typedef struct synapt_clip_info {
    uint64_t index;              /* position in the file, 0-based */
    const char *id;              /* unique in the file */
    const char *split;           /* "" when none */
    const char *source;          /* source dataset name, "" when none */
    int synthetic;               /* 1 for generated data */
    uint32_t label_count;        /* read ids with synapt_reader_clip_labels() */
    uint32_t first_label;        /* the first label id, UINT32_MAX when none */
    uint32_t group_count;        /* read pairs with synapt_reader_clip_group() */
    const char *group;           /* value of the first group key, "" when none */
    uint32_t stream_count;
    uint64_t frame_count;        /* frames of the clip (max over its streams) */
    const char *meta_json;       /* JSON object text, "{}" when none */
    size_t meta_len;
    uint32_t fps_num, fps_den;   /* of the first stream; 0/0 when none */
    uint32_t width, height;      /* of the first video/image stream; 0 when none */
} synapt_clip_info;

/** Describe clip `index`. O(1). Errors: _RANGE, _CORRUPT. */
SYNAPT_API int synapt_reader_clip(synapt_clip_info *out, const synapt_reader *r,
                                  uint64_t index);
/** Find a clip by id. O(log n). Errors: _NOT_FOUND, _CORRUPT. */
SYNAPT_API int synapt_reader_find_clip(uint64_t *out, const synapt_reader *r,
                                       const char *id);
/** Copy up to `cap` label ids of a clip into out; *count gets the total. */
SYNAPT_API int synapt_reader_clip_labels(uint32_t *out, size_t cap, size_t *count,
                                         const synapt_reader *r, uint64_t clip);
/** Group key/value pair `i` of a clip (e.g. "actor" / "P001"). Borrowed. */
SYNAPT_API int synapt_reader_clip_group(const char **key, const char **value,
                                        const synapt_reader *r, uint64_t clip,
                                        uint32_t i);

typedef struct synapt_stream_info {
    uint32_t index;              /* within the clip */
    const char *name;            /* "rgb", "depth", "pose2d", ... */
    int kind;                    /* synapt_kind */
    int dtype;                   /* synapt_dtype */
    int codec;                   /* synapt_codec */
    uint32_t ndim;               /* 0..4 */
    uint64_t shape[4];           /* per-frame shape; pose: (max persons, J, C),
                                    max persons 0 = not bounded */
    uint32_t fps_num, fps_den;   /* timebase: frame i at i*fps_den/fps_num s */
    double scale;                /* depth: metres per stored unit; else 1 */
    const char *units;           /* "m", "mm", "px", "" */
    int skeleton;                /* synapt_skeleton */
    int channels;                /* synapt_channels */
    int compression;             /* synapt_compression in use */
    int filter;                  /* synapt_filter in use */
    int has_pts;                 /* frames carry timestamps */
    uint64_t frame_count;
    uint64_t chunk_count;
    uint64_t stored_bytes;       /* chunk record bytes on disk */
    uint64_t raw_bytes;          /* bytes of the frames as written */
    const void *extradata;       /* video codec extradata, NULL when none */
    size_t extradata_size;
    const char *codec_config;    /* JSON object (video codec parameters), "" when none */
    uint64_t frame_bytes;        /* fixed raw frame size; 0 when frames vary (pose, video) */
    uint64_t packet_count;       /* frame table entries: = frame_count for array streams;
                                    for packet streams (codec != RAW) the packets, while
                                    frame_count is the decoded frame count */
    uint32_t max_persons;        /* pose: most persons in any frame; else 0 */
} synapt_stream_info;

SYNAPT_API int synapt_reader_stream(synapt_stream_info *out, const synapt_reader *r,
                                    uint64_t clip, uint32_t stream);
/** Find a stream of a clip by name. Errors: _NOT_FOUND, _RANGE. */
SYNAPT_API int synapt_reader_find_stream(uint32_t *out, const synapt_reader *r,
                                         uint64_t clip, const char *name);

/* ======================================================================
 * 5. Reading frames and chunks
 *
 * Frame positions in this section index the stream's frame table entries:
 * for array streams these are the frames; for packet streams (codec != RAW,
 * e.g. encoded video) they are the packets, 0 .. packet_count-1.
 * ====================================================================== */

/** Raw size in bytes of each frame in [first, first+n) into out[0..n).
 *  For fixed-size streams this is frame_bytes for all (no reads); otherwise
 *  the chunks' frame tables are read. Errors: _RANGE, and for variable-size
 *  streams the chunk errors of synapt_reader_read_frames(). Thread-safe. */
SYNAPT_API int synapt_reader_frame_sizes(uint64_t *out, const synapt_reader *r,
                                         uint64_t clip, uint32_t stream,
                                         uint64_t first, uint64_t n);

/** Read frames [first, first+n) of an array stream (codec RAW) into `out`,
 *  frames packed one after another exactly as written.
 *  @param written  receives the bytes written (may be NULL).
 *  Reads and decompresses only the chunks that hold the range; with
 *  ZSTD_FRAME compression only the frames asked for are decompressed
 *  (with the xor_prev filter, also the frames before them in their chunk).
 *  Each chunk is read with one pread, its checksum checked (when enabled)
 *  and its header and frame table checked against the index.
 *  @return 0, or _RANGE, _BUFFER (out_size too small; *written = size needed),
 *          _UNSUPPORTED (encoded video: use section 7), _IO, _CORRUPT,
 *          _CHECKSUM, _TRUNCATED, _CODEC, _LIMIT, _NOMEM.
 *  Thread-safe. */
SYNAPT_API int synapt_reader_read_frames(void *out, size_t out_size, size_t *written,
                                         const synapt_reader *r, uint64_t clip,
                                         uint32_t stream, uint64_t first, uint64_t n);

/** Read pose frames [first, first+n) as a dense (n, persons, J, C) f32 array,
 *  NaN where a person is absent in a frame; persons beyond `persons` are
 *  dropped. `out` holds n*persons*J*C floats (_BUFFER when out_count is
 *  smaller). Errors: _INVALID_ARG (not a pose stream, NULL out with a
 *  nonzero count), _BUFFER, _RANGE and the chunk errors of
 *  synapt_reader_read_frames(). Thread-safe. */
SYNAPT_API int synapt_reader_read_pose(float *out, size_t out_count,
                                       const synapt_reader *r, uint64_t clip,
                                       uint32_t stream, uint64_t first, uint64_t n,
                                       uint32_t persons);

/** Largest number of persons in any frame of a pose stream. */
SYNAPT_API int synapt_reader_pose_max_persons(uint32_t *out, const synapt_reader *r,
                                              uint64_t clip, uint32_t stream);

/** Per-frame timestamps (stream timebase units) for [first, first+n);
 *  SYNAPT_PTS_NONE where a frame has none. */
SYNAPT_API int synapt_reader_frame_pts(int64_t *out, const synapt_reader *r,
                                       uint64_t clip, uint32_t stream,
                                       uint64_t first, uint64_t n);

/** One frame table entry. */
typedef struct synapt_frame_entry {
    uint64_t size;               /* raw bytes of the frame or packet */
    uint32_t flags;              /* SYNAPT_FRAME_* */
    int64_t pts;                 /* SYNAPT_PTS_NONE when none */
    int64_t dts;                 /* packets only; SYNAPT_PTS_NONE for array frames */
} synapt_frame_entry;

/** Frame table entries [first, first+n) of any stream into out[0..n)
 *  (reads the chunks' tables, decompresses nothing). Errors: _RANGE, _IO,
 *  _CORRUPT, _CHECKSUM, _TRUNCATED, _LIMIT, _NOMEM. Thread-safe. */
SYNAPT_API int synapt_reader_frame_entries(synapt_frame_entry *out, const synapt_reader *r,
                                           uint64_t clip, uint32_t stream,
                                           uint64_t first, uint64_t n);

/** As synapt_reader_read_frames() for any stream: entries [first, first+n)
 *  packed as stored (for packet streams, the packets byte for byte; sizes
 *  from synapt_reader_frame_entries()). Thread-safe. */
SYNAPT_API int synapt_reader_read_packets(const synapt_reader *r, uint64_t clip,
                                          uint32_t stream, uint64_t first, uint64_t n,
                                          void *buf, size_t buf_size, size_t *written);

typedef struct synapt_chunk_info {
    uint64_t index;              /* within the stream */
    uint64_t file_offset;        /* of the chunk record */
    uint64_t record_bytes;       /* whole record: prefix, body, checksum */
    uint64_t first_frame;
    uint32_t frame_count;
    int compression, filter;
    uint64_t stored_bytes;       /* compressed payload bytes */
    uint64_t raw_bytes;
    uint64_t checksum;           /* XXH3-64 of the record body */
} synapt_chunk_info;

SYNAPT_API int synapt_reader_chunk(synapt_chunk_info *out, const synapt_reader *r,
                                   uint64_t clip, uint32_t stream, uint64_t chunk);
/** The chunk holding `frame`. O(log chunks). */
SYNAPT_API int synapt_reader_find_chunk(uint64_t *out, const synapt_reader *r,
                                        uint64_t clip, uint32_t stream, uint64_t frame);

/** Read a chunk record's body exactly as stored (chunk header, frame table
 *  and payload; see spec), after checking its checksum when enabled. For
 *  copying without recompression. `*size` gets the body size; _BUFFER when
 *  `cap` is too small. */
SYNAPT_API int synapt_reader_read_chunk_body(void *buf, size_t cap, size_t *size,
                                             const synapt_reader *r, uint64_t clip,
                                             uint32_t stream, uint64_t chunk);

/** Callback for synapt_reader_verify(): called after each clip; return
 *  nonzero to stop. May be NULL. */
typedef int (*synapt_progress_fn)(void *user, uint64_t done, uint64_t total);

/** Check every checksum, every reference in the index and every chunk header
 *  against its index entry. Returns 0 when sound, else the first error, with
 *  errmsg naming the clip, stream and chunk. */
SYNAPT_API int synapt_reader_verify(synapt_reader *r, synapt_progress_fn progress,
                                    void *user);

/* ======================================================================
 * 6. The write path
 *
 *   synapt_writer_create()          file is written under PATH.tmp-XXXXXX
 *   for each clip:
 *     synapt_writer_begin_clip()
 *     synapt_writer_add_stream()    any number, before or between frames
 *     synapt_writer_write_frames()  / write_pose / write_packet
 *     synapt_writer_end_clip()      writes the clip record (recoverable)
 *   synapt_writer_close()           index + footer, fsync, rename to PATH
 *
 * A writer handle is used by one thread at a time. A call refused by its
 * argument checks (_INVALID_ARG, _STATE, _EXISTS: a bad description, a call
 * out of order, a duplicate id or name) changes nothing and leaves the
 * handle usable, so a converter can rename a duplicate clip and go on. Any
 * other failure (_IO, _NOMEM, _CODEC, _LIMIT, a failed copy_clip read)
 * poisons the handle: later calls return that code, and close() removes the
 * temporary file, leaving nothing at PATH. synapt_writer_abort() discards.
 * synapt_writer_errmsg() names the path (and clip/stream) of the last failure.
 *
 * Streams with compression/filter AUTO get, by kind:
 *   image, mask u8, custom 1-byte     zstd per frame, no filter
 *   depth u16 (H, W) or (H, W, 1)     zstd per frame, depth_rank: each chunk
 *                                     takes the smallest of depth_rank,
 *                                     depth_med and none (format 1.1; a file
 *                                     with depth_rank chunks sets required
 *                                     feature bit 0). Ask for DEPTH_MED to
 *                                     write files 1.0 readers can read.
 *   depth f32, mask u16, other custom zstd per frame, shuffle
 *   pose2d / pose3d (f32)             zstd whole chunk, xor_prev
 *   frame_labels                      zstd whole chunk, shuffle
 *   encoded packets (codec != RAW)    no compression, no filter
 * Pose and frame_labels chunks hold up to 4 x chunk_max_frames frames
 * (tiny frames compress better together).
 * ====================================================================== */

#define SYNAPT_WRITER_OPTIONS_VERSION 1
typedef struct synapt_writer_options {
    unsigned version;                 /* SYNAPT_WRITER_OPTIONS_VERSION */
    const synapt_allocator *allocator;/* NULL = malloc/realloc/free */
    const char *writer_name;          /* recorded in the header; NULL = "libsynapt" */
    const char *writer_version;       /* NULL = SYNAPT_VERSION_STRING */
    const uint8_t *uuid;              /* 16 bytes; NULL = random */
    int deterministic;                /* 1: created time 0 and, with uuid NULL, a UUID
                                         derived from the content: XXH3-128 of the
                                         checksums of every record after the header,
                                         patched into the header (same size) at close,
                                         before the rename. Same input (same calls,
                                         options and library version) gives identical
                                         bytes, whatever the path */
    int zstd_level;                   /* default 3 */
    uint64_t chunk_target_bytes;      /* close a chunk at this many raw bytes; default 1 MiB */
    uint32_t chunk_max_frames;        /* and at this many frames; default 64 */
    int fsync;                        /* fsync file and directory at close (default 1) */
    int overwrite;                    /* replace an existing PATH (default 1) */
} synapt_writer_options;
#define SYNAPT_WRITER_OPTIONS_INIT \
    { SYNAPT_WRITER_OPTIONS_VERSION, NULL, NULL, NULL, NULL, 0, 3, 1u << 20, 64, 1, 1 }

/** Create a writer for `path`. Errors: _IO (also when path exists and is
 *  not a regular file: the finished file is renamed over PATH, which must
 *  not replace a device, FIFO or directory), _NOMEM, _INVALID_ARG, _EXISTS
 *  (path exists and overwrite is 0). errbuf as in synapt_reader_open2(). */
SYNAPT_API int synapt_writer_create(synapt_writer **out, const char *path,
                                    const synapt_writer_options *opts,
                                    char *errbuf, size_t errbuf_size);

SYNAPT_API const char *synapt_writer_errmsg(const synapt_writer *w);

/** Add a name to the label vocabulary (or find it); *out gets its id.
 *  Ids are given in order of first use. `out` may be NULL. */
SYNAPT_API int synapt_writer_add_label(uint32_t *out, synapt_writer *w, const char *name);

#define SYNAPT_CLIP_DESC_VERSION 1
typedef struct synapt_clip_desc {
    unsigned version;                 /* SYNAPT_CLIP_DESC_VERSION */
    const char *id;                   /* required, unique in the file */
    const char *const *labels;        /* label names, added to the vocabulary */
    size_t label_count;
    const char *split;                /* NULL = "" */
    const char *source;               /* NULL = "" */
    int synthetic;
    const char *const *group_keys;    /* e.g. {"actor","scene"} */
    const char *const *group_values;  /* e.g. {"P001","kitchen"} */
    size_t group_count;
    const char *meta_json;            /* a JSON object, NULL = "{}"; must parse */
} synapt_clip_desc;
#define SYNAPT_CLIP_DESC_INIT { SYNAPT_CLIP_DESC_VERSION, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0, NULL }

/** Start a clip. Errors: _STATE (a clip is open), _EXISTS (id used),
 *  _INVALID_ARG (id empty/NULL, meta_json not a JSON object). */
SYNAPT_API int synapt_writer_begin_clip(synapt_writer *w, const synapt_clip_desc *clip);

#define SYNAPT_STREAM_DESC_VERSION 1
typedef struct synapt_stream_desc {
    unsigned version;                 /* SYNAPT_STREAM_DESC_VERSION */
    const char *name;                 /* unique within the clip */
    int kind;                         /* synapt_kind */
    int dtype;                        /* synapt_dtype (NONE for encoded video) */
    int codec;                        /* synapt_codec (RAW for arrays) */
    uint32_t ndim;
    uint64_t shape[4];                /* per-frame; pose: (max persons or 0, J, C) */
    uint32_t fps_num, fps_den;        /* default 30/1 when 0 */
    double scale;                     /* 0 = 1.0 */
    const char *units;                /* NULL = "" */
    int skeleton, channels;
    int compression;                  /* SYNAPT_COMPRESSION_AUTO by default */
    int filter;                       /* SYNAPT_FILTER_AUTO by default */
    int zstd_level;                   /* 0 = the writer's level */
    const void *extradata;            /* video codec extradata, copied */
    size_t extradata_size;
    const char *codec_config;         /* JSON object text, copied; NULL = none */
} synapt_stream_desc;
#define SYNAPT_STREAM_DESC_INIT { SYNAPT_STREAM_DESC_VERSION, NULL, 0, 0, 0, 0, {0,0,0,0}, \
    0, 0, 0.0, NULL, 0, 0, SYNAPT_COMPRESSION_AUTO, SYNAPT_FILTER_AUTO, 0, NULL, 0, NULL }

/** Add a stream to the open clip; *out gets its index (may be NULL).
 *  Errors: _STATE, _EXISTS, _INVALID_ARG (bad kind/dtype/shape combination). */
SYNAPT_API int synapt_writer_add_stream(uint32_t *out, synapt_writer *w,
                                        const synapt_stream_desc *stream);

/** Append `n` fixed-size frames (size = n * frame bytes) to an array stream.
 *  `pts` may be NULL or hold n timestamps. Errors: _INVALID_ARG (size not
 *  n * frame bytes, or a pose stream: use write_pose), _STATE, _IO, _CODEC,
 *  _NOMEM, _LIMIT. Frames are buffered; a chunk is compressed and written
 *  when it reaches chunk_target_bytes or its frame cap. */
SYNAPT_API int synapt_writer_write_frames(synapt_writer *w, uint32_t stream,
                                          const void *data, size_t size, uint64_t n,
                                          const int64_t *pts);

/** Append one pose frame holding `persons` people: persons*J*C f32 values
 *  (persons may be 0). pts may be SYNAPT_PTS_NONE. */
SYNAPT_API int synapt_writer_write_pose(synapt_writer *w, uint32_t stream,
                                        const float *data, uint32_t persons,
                                        int64_t pts);

/** Append one encoded packet (stored byte for byte) to a stream whose codec
 *  is not RAW. flags: SYNAPT_FRAME_KEY / _DISCARD (HAS_PTS is set from pts).
 *  Chunks begin at key packets: a key packet starts a new chunk when the
 *  current one holds a non-key packet (so chunks = GOPs) or is full (frame
 *  cap or target bytes; this groups all-intra streams). A GOP longer than
 *  8 x chunk_target_bytes is split mid-GOP; readers then decode from the
 *  chunk holding the preceding key packet. Errors: _INVALID_ARG (not a
 *  packet stream, size > 4 GiB), _STATE, _IO, _NOMEM. */
SYNAPT_API int synapt_writer_write_packet(synapt_writer *w, uint32_t stream,
                                          const void *data, size_t size,
                                          int64_t pts, int64_t dts, uint32_t flags);

/** Set a video stream's decoded frame count and replace its codec_config
 *  (known only after the last packet; NULL keeps it). Call before end_clip.
 *  Without it the frame count is the packets not flagged DISCARD. */
SYNAPT_API int synapt_writer_set_video_info(synapt_writer *w, uint32_t stream,
                                            uint64_t frame_count,
                                            const char *codec_config);

/** Close the current chunk of a stream now. */
SYNAPT_API int synapt_writer_flush_chunk(synapt_writer *w, uint32_t stream);

/** Finish the clip: flush its chunks and write its clip record. Every stream's
 *  frames are kept as written; frame counts may differ between streams. */
SYNAPT_API int synapt_writer_end_clip(synapt_writer *w);

/** Copy clip `clip` of `src` into this writer without recompressing: chunk
 *  bodies are copied (checked against their checksums when `src` verifies
 *  them), only their clip numbers change and checksums are recomputed.
 *  Metadata, split, source, groups and streams are copied; labels are
 *  mapped by name into this writer's vocabulary. `new_id` NULL keeps the
 *  id. No clip may be open. Errors: _STATE, _EXISTS (id already written;
 *  handle still usable), _RANGE (no such clip), and any read error of
 *  `src` (then the message quotes the source's). */
SYNAPT_API int synapt_writer_copy_clip(synapt_writer *w, const synapt_reader *src,
                                       uint64_t clip, const char *new_id);

/** Finish the file: end an open clip, write the index and footer, fsync,
 *  rename to the final path, free the handle. On any failure the temporary
 *  file is removed and nothing appears at the path. Always frees `w`.
 *  errbuf receives the message on failure (may be NULL). */
SYNAPT_API int synapt_writer_close(synapt_writer *w, char *errbuf, size_t errbuf_size);

/** Discard: remove the temporary file and free. Accepts NULL. */
SYNAPT_API void synapt_writer_abort(synapt_writer *w);

/* ======================================================================
 * 7. Encoded video (FFmpeg). Implemented in libsynapt/video*.c.
 * ====================================================================== */
/*
 * A video stream (kind VIDEO) stores encoded packets in decode order; its
 * frames are the frames FFmpeg's decoder outputs when those packets are
 * decoded from the first one: frame i here is frame i of
 * `ffmpeg -i SRC -f framemd5 -`, and the frame count equals
 * `ffprobe -count_frames`. The stream's frame table (section 5) counts
 * packets; synapt_video_get_info() gives the decoded frame count.
 *
 *   synapt_video_import()    demux a file, store its first video stream in
 *                            the open clip (copy or re-encode)
 *   synapt_video_read()      decoded frames [first, first+n) as RGB24 or in
 *                            the decoder's native pixel format
 *   synapt_video_export()    remux the stored packets to .mp4/.mkv
 */

/** How an imported video is stored (SYNAPT_VSTORE_*; the read formats are
 *  synapt_pixfmt, a separate type). */
typedef enum synapt_vstore {
    SYNAPT_VSTORE_COPY  = 0, /* source packets byte for byte (default) */
    SYNAPT_VSTORE_H264  = 1, /* re-encode with libx264, no B-frames, fixed GOP, tuned
                               for fast decoding (no CABAC, no deblocking) */
    SYNAPT_VSTORE_HEVC  = 2, /* re-encode with libx265, no B-frames, fixed GOP */
    SYNAPT_VSTORE_MJPEG = 3, /* re-encode, intra only */
    SYNAPT_VSTORE_FFV1  = 4, /* re-encode, lossless, intra only */
    SYNAPT_VSTORE_RAW   = 5  /* decoded frames, native pixel format, zstd: bit-exact */
} synapt_vstore;

/** "copy", "h264", "hevc", "mjpeg", "ffv1", "raw"; "?" when unknown. Static. */
SYNAPT_API const char *synapt_video_mode_name(int mode);
/** Parse a mode name; -1 when unknown. */
SYNAPT_API int synapt_video_mode_from_name(const char *name);

/** Message callback: level 0 = warning, 1 = information (verbose). */
typedef void (*synapt_log_fn)(void *user, int level, const char *msg);

#define SYNAPT_VIDEO_IMPORT_OPTIONS_VERSION 1
typedef struct synapt_video_import_options {
    unsigned version;          /* SYNAPT_VIDEO_IMPORT_OPTIONS_VERSION */
    const char *stream_name;   /* NULL = "rgb" */
    int mode;                  /* synapt_vstore */
    uint32_t gop;              /* re-encode keyframe interval; 0 = 32 (mjpeg/ffv1/raw: 1) */
    int quality;               /* h264/hevc CRF (0 = 20/24), mjpeg qscale 2..31 (0 = 3) */
    uint32_t width, height;    /* re-encode to exactly WxH (both even for 4:2:0); 0 = keep */
    uint32_t short_side;       /* or scale so the short side is this, aspect kept; 0 = keep */
    int threads;               /* FFmpeg threads for decode/encode; 0 = automatic */
    synapt_log_fn log;         /* NULL = silent */
    void *log_user;
} synapt_video_import_options;
#define SYNAPT_VIDEO_IMPORT_OPTIONS_INIT \
    { SYNAPT_VIDEO_IMPORT_OPTIONS_VERSION, NULL, SYNAPT_VSTORE_COPY, 0, 0, 0, 0, 0, 0, NULL, NULL }

typedef struct synapt_video_import_result {
    uint32_t stream;           /* index of the stream added to the clip */
    uint64_t frames;           /* decoded frames stored */
    uint64_t packets;          /* packets stored */
    uint64_t bytes;            /* packet bytes stored */
    uint32_t width, height;    /* as stored (after a resize) */
    uint32_t src_width, src_height;
    const char *src_codec;     /* FFmpeg codec name of the source, static */
    uint32_t ignored_streams;  /* audio, subtitles, extra video streams */
    uint64_t decode_errors;    /* packets the decoder rejected (kept, as ffmpeg does) */
    int damaged;               /* reading stopped at unreadable data: frames so far kept */
} synapt_video_import_result;

/** Import the first video stream of `path` (anything libavformat demuxes)
 *  into the clip open in `w`, as a new stream of kind VIDEO.
 *  The input is opened and its first frame decoded before the writer is
 *  touched, so an unreadable input leaves `w` usable. The whole stream is
 *  decoded once (to count frames and map packets to frames), and in copy
 *  mode each keyframe is checked with a fresh decoder over its first 16
 *  frames: only keyframes that reproduce the sequential decode become
 *  start points for random access.
 *  @param out     result (may be NULL).
 *  @param errbuf  receives a one-line message naming `path` on failure,
 *                 and on success a warning when `damaged` (may be NULL).
 *  @return 0; _INPUT (not a video, no video stream, nothing decodable:
 *          writer untouched); _UNSUPPORTED (no decoder/encoder in this
 *          FFmpeg); _INVALID_ARG (bad options); _STATE (no open clip);
 *          writer errors (_IO, _NOMEM, _LIMIT...: the writer is poisoned).
 *  Not thread-safe with respect to `w`. */
SYNAPT_API int synapt_video_import(synapt_video_import_result *out, synapt_writer *w,
                                   const char *path,
                                   const synapt_video_import_options *opts,
                                   char *errbuf, size_t errbuf_size);

typedef struct synapt_video_info {
    uint32_t width, height;       /* of every frame read */
    int codec;                    /* synapt_codec */
    const char *codec_name;       /* FFmpeg codec name, static */
    int mode;                     /* synapt_vstore it was stored with */
    const char *pix_fmt;          /* native pixel format name ("yuv420p10le"), static */
    uint32_t bits_per_sample;     /* 8, 10, 12 ... */
    uint64_t frame_count;         /* decoded frames */
    uint64_t packet_count;        /* stored packets (the stream's frame table) */
    uint64_t sync_points;         /* packets decoding may start from */
    uint32_t fps_num, fps_den;    /* nominal frame rate */
    uint32_t time_base_num, time_base_den; /* unit of pts */
    int64_t first_pts;            /* pts of frame 0, SYNAPT_PTS_NONE when unknown */
    size_t rgb_frame_bytes;       /* width*height*3 */
    size_t native_frame_bytes;    /* planes packed without padding */
} synapt_video_info;

/** Describe a video stream. Errors: _RANGE, _INVALID_ARG (not a video
 *  stream), _CORRUPT (bad codec_config). Thread-safe. */
SYNAPT_API int synapt_video_get_info(synapt_video_info *out, const synapt_reader *r,
                                     uint64_t clip, uint32_t stream);

/** Output pixel formats of synapt_video_read(). A type of its own, apart
 *  from synapt_vstore, so that a storage mode passed as a read format is
 *  caught by the reader of the code (and by C++ compilers). */
typedef enum synapt_pixfmt {
    SYNAPT_PIXFMT_RGB24  = 0, /* height*width*3 bytes per frame, libswscale bicubic with
                                 the stream's matrix and range (BT.601 when untagged):
                                 byte for byte what `ffmpeg -pix_fmt rgb24` gives */
    SYNAPT_PIXFMT_NATIVE = 1  /* decoder's pixel format, planes packed without padding */
} synapt_pixfmt;

/** Decode frames [first, first+n) of a video stream into `out`, frames one
 *  after another (rgb_frame_bytes or native_frame_bytes each).
 *  Decoding starts at the nearest stored start point at or before `first`
 *  (never a container seek); a read that continues where the previous read
 *  of this stream stopped carries on decoding instead. Decoder contexts
 *  are cached in the reader and reused; concurrent calls each get their own.
 *  @param written  bytes written (may be NULL); with _BUFFER the size needed.
 *  @return 0, _RANGE, _BUFFER, _INVALID_ARG (not video, bad format),
 *          _UNSUPPORTED (no decoder in this FFmpeg), _CODEC (decoding
 *          failed), _IO, _CORRUPT, _CHECKSUM, _TRUNCATED, _NOMEM.
 *  Thread-safe. */
SYNAPT_API int synapt_video_read(void *out, size_t out_size, size_t *written,
                                 const synapt_reader *r, uint64_t clip, uint32_t stream,
                                 uint64_t first, uint64_t n, synapt_pixfmt format);

/** MD5 of each frame of [first, first+n) in the native format, planes
 *  packed (what `ffmpeg -f framemd5` prints): out receives n strings of
 *  32 hex digits and a NUL, 33 bytes each. Errors as synapt_video_read(). */
SYNAPT_API int synapt_video_frame_md5(char *out, const synapt_reader *r, uint64_t clip,
                                      uint32_t stream, uint64_t first, uint64_t n);

/** Presentation timestamp of each decoded frame of [first, first+n), in
 *  time_base units; SYNAPT_PTS_NONE where the source had none. */
SYNAPT_API int synapt_video_frame_pts(int64_t *out, const synapt_reader *r, uint64_t clip,
                                      uint32_t stream, uint64_t first, uint64_t n);

/** Write a video stream to `path` (.mp4, .mkv, anything libavformat muxes
 *  by extension): the stored packets remuxed without re-encoding; a raw
 *  stream is encoded (ffv1 in .mkv, libx264 CRF 16 otherwise).
 *  @return 0, _IO, _UNSUPPORTED (container refuses the codec), _CODEC,
 *          reader errors. errbuf gets the message (may be NULL). */
SYNAPT_API int synapt_video_export(const synapt_reader *r, uint64_t clip, uint32_t stream,
                                   const char *path, char *errbuf, size_t errbuf_size);

/* ======================================================================
 * 8. Skeleton registry
 * ====================================================================== */
typedef struct synapt_skeleton_info {
    int id;                      /* synapt_skeleton */
    const char *name;            /* "coco17", "body25", "ntu25", "smpl24", "h36m17",
                                    "openpose18" */
    uint32_t joint_count;
    const char *const *joints;   /* joint_count names, static */
    const int *parents;          /* joint_count parent indices, -1 for the root */
} synapt_skeleton_info;

/** Describe skeleton `id` (a synapt_skeleton value); *out points at static
 *  data valid for the life of the process. (Named _get because the enum type
 *  synapt_skeleton takes the plain name.)
 *  Errors: _INVALID_ARG (out NULL), _NOT_FOUND (unknown id; *out zeroed).
 *  Thread-safe. */
SYNAPT_API int synapt_skeleton_get(synapt_skeleton_info *out, int id);
/** Parse a skeleton name ("coco17", "ntu25", ...); 0 when unknown. */
SYNAPT_API int synapt_skeleton_from_name(const char *name);

/* ======================================================================
 * 9. Recovery
 * ====================================================================== */

/** What synapt_recover() found. */
typedef struct synapt_recover_report {
    uint64_t clips_kept;        /* complete clips written to the new file */
    uint64_t clips_dropped;     /* CLIP records whose chunks were missing or
                                   damaged, or that the writer refused */
    uint64_t orphan_chunks;     /* chunks of clips whose CLIP record never came
                                   (the clip being written when the writer died) */
    uint64_t records_scanned;   /* sound records read, HEADER included */
    uint64_t bytes_scanned;     /* offset where the scan stopped */
    uint64_t file_bytes;
    int stopped_early;          /* a damaged or torn record ended the scan
                                   before the end of the file */
    int had_index;              /* an INDEX record was found (the file was
                                   finished; only its end was lost) */
} synapt_recover_report;

/** Salvage the complete clips of an unfinished or damaged .synapt file
 *  (e.g. the PATH.tmp-XXXXXX a crashed writer left) into a new file at
 *  `dst_path`, by the forward scan of spec/format.md section 13: records
 *  are read from the HEADER on until one is torn or fails its checksum;
 *  each CLIP record whose chunks tile every stream is kept, its chunk
 *  bodies copied without recompression. The new file is written like any
 *  other (temporary name, rename; `opts` as for synapt_writer_create, NULL
 *  for defaults). `log` (may be NULL) receives one line per dropped clip
 *  (level 0) and per kept clip (level 1).
 *  @param report  receives the counts (may be NULL); filled on failure too.
 *  @return 0 when the new file was written (check report->clips_dropped,
 *          orphan_chunks and stopped_early to know whether anything was
 *          lost), or _IO, _NOT_SYNAPT, _VERSION, _FEATURE, _CORRUPT or
 *          _TRUNCATED (no usable HEADER: nothing recoverable), _NOMEM,
 *          _EXISTS (dst exists and opts->overwrite is 0), _INVALID_ARG;
 *          on failure nothing is left at dst_path and errbuf says why. */
SYNAPT_API int synapt_recover(synapt_recover_report *report, const char *src_path,
                              const char *dst_path, const synapt_writer_options *opts,
                              synapt_log_fn log, void *log_user,
                              char *errbuf, size_t errbuf_size);

#ifdef __cplusplus
}
#endif
#endif /* SYNAPT_H */
