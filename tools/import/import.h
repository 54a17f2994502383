/*
 * import.h - dataset importers behind synapt-pack (tools-internal API).
 *
 * Every dataset layout is parsed into one common shape: a list of
 * import_clip descriptors, each what one line of a synapt-pack manifest says
 * (a video or an image-frames folder, id, labels, split, source, groups, an
 * optional half-open frame range, sidecar pose/depth/mask files and JSON
 * metadata). Sidecar readers then turn a sidecar into dense per-frame arrays
 * (import_pose) or a frame-by-frame source (import_frames).
 *
 * Conventions:
 *   - Functions return 0 or a negative SYNAPT_E_* code (SYNAPT_E_INPUT for a
 *     malformed annotation or sidecar, _IO, _NOMEM, _LIMIT, _NOT_FOUND).
 *   - On failure `err` (may be NULL) receives one line naming the file and,
 *     where known, the line: "ucf101/trainlist01.txt:37: unknown class 'Foo'".
 *   - Inputs are untrusted: files are read with a size cap, lines are capped
 *     at IMPORT_MAX_LINE bytes, numbers are range-checked, and allocations are
 *     bounded by IMPORT_MAX_* caps below.
 *   - Nothing here installs process-global state except the HDF5 readers,
 *     which switch HDF5's automatic error printing off for the whole process
 *     (H5Eset_auto2(H5E_DEFAULT, NULL, NULL)): acceptable in a command-line
 *     tool, and the reason this module is not part of libsynapt.
 *   - Not thread-safe across calls that share an import_list; separate lists
 *     and separate readers may be used from separate threads, except the HDF5
 *     readers (the HDF5 library here is built without thread safety), which
 *     serialise on an internal mutex.
 */
#ifndef SYNAPT_IMPORT_H
#define SYNAPT_IMPORT_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include "cli/cli.h"
#include "synapt.h"

#define IMPORT_MAX_FILE_BYTES   (1ull << 30)  /* one annotation or sidecar file */
#define IMPORT_MAX_LINE         65536u        /* one annotation line */
#define IMPORT_MAX_CLIPS        50000000u
#define IMPORT_MAX_LABELS       4096u         /* labels of one clip */
#define IMPORT_MAX_FRAMES       10000000u     /* frames of one sidecar */
#define IMPORT_MAX_PERSONS      64u
#define IMPORT_MAX_JOINTS       1024u
#define IMPORT_MAX_POSE_FLOATS  (256u << 20)  /* 1 GiB of f32 */
#define IMPORT_MAX_IMAGE_SIDE   32768u
#define IMPORT_MAX_FRAME_BYTES  (512ull << 20) /* one depth/mask/image frame */

/* ---------------------------------------------------------------------
 * Sidecars
 * ------------------------------------------------------------------- */

/** What a sidecar file is; recognised from extension or content by
 *  import_sidecar_detect(). */
typedef enum import_sidecar_kind {
    IMPORT_SC_NONE = 0,
    IMPORT_SC_NTU_SKELETON,  /* NTU RGB+D .skeleton text */
    IMPORT_SC_OPENPOSE_DIR,  /* folder of OpenPose *_keypoints.json, one per frame */
    IMPORT_SC_KINETICS_SKEL, /* st-gcn Kinetics-skeleton per-video .json */
    IMPORT_SC_NPY,           /* .npy array; `inner` unused */
    IMPORT_SC_NPZ,           /* .npz archive; `inner` = array name */
    IMPORT_SC_HDF5,          /* "file.h5:/path/to/dataset"; `inner` = dataset path */
    IMPORT_SC_MAT,           /* MATLAB .mat: SURREAL _info/_depth/_segm; `inner` = variable */
    IMPORT_SC_PNG_DIR,       /* folder of PNG frames (16-bit depth, 8-bit mask or RGB) */
    IMPORT_SC_IMAGE_DIR,     /* folder or glob of PNG/JPEG frames (RGB) */
    IMPORT_SC_JSON_ARRAY     /* frame_labels given inline as a JSON array of ints */
} import_sidecar_kind;

/** Short name of a sidecar kind ("ntu-skeleton", "openpose", ...). Static. */
const char *import_sidecar_kind_name(int kind);

typedef struct import_sidecar {
    char *path;      /* file or folder (for HDF5: the file part); NULL = none */
    char *inner;     /* dataset path, npz member or .mat variable; NULL = default */
    int kind;        /* import_sidecar_kind */
    int skeleton;    /* synapt_skeleton; 0 = unknown/as the reader finds it */
    double scale;    /* depth: metres per stored unit; 0 = reader default */
} import_sidecar;

/** Fill sc->kind (and sc->inner for "file.h5:/path") from `spec`, a manifest
 *  value already joined with the manifest's folder. Looks at the extension
 *  first, then at a folder's contents (OpenPose JSON, PNG or JPEG frames) or
 *  a .json file's first bytes ("people": one OpenPose frame; "data":
 *  Kinetics-skeleton). Takes ownership of nothing;
 *  copies `spec`. Errors: _INPUT (unrecognised, message names the path), _NOMEM. */
int import_sidecar_detect(import_sidecar *sc, const char *spec, char *err, size_t errsz);
void import_sidecar_clear(import_sidecar *sc);

/* ---------------------------------------------------------------------
 * Clips and lists
 * ------------------------------------------------------------------- */

typedef struct import_clip {
    char *video;          /* video file (extension may be missing: see resolve) */
    char *video_alt;      /* second place to look (flat layout), NULL = none */
    char *frames;         /* image folder or glob instead of a video; NULL = none */
    char *id;             /* unique clip id */
    char **labels;        /* label names, label_count of them */
    size_t label_count;
    char *split;          /* "train", "val", "test", ... or NULL */
    char *source;         /* dataset name ("ucf101", "surreact"), or NULL */
    int synthetic;
    char **group_keys, **group_values; /* group_count pairs, e.g. ("group","g08") */
    size_t group_count;
    int64_t start_frame, end_frame;    /* half-open range; -1 = unset */
    int cut;              /* 1: pack keeps only frames [start_frame, end_frame)
                             (a manifest's columns); 0: the range is provenance
                             only (Diving48's released clips are already cut
                             to theirs) */
    import_sidecar pose2d, pose3d, depth, mask, frame_labels;
    uint64_t label_vocab;        /* set by import_pack_run: the output's label count,
                                    which frame label ids must stay below */
    int label_vocab_known;       /* label_vocab was set (else ids are unchecked) */
    int resolved;                /* import_clip_resolve found the media on disk */
    char *meta_json;      /* a JSON object text, or NULL for {} */
    char *ann_file;       /* annotation file the clip came from */
    uint64_t ann_line;    /* 1-based line (0 = whole file / JSON element) */
} import_clip;

/** A problem with one annotation entry, kept when keep_going is set. */
typedef struct import_skip {
    char *file;
    uint64_t line;
    char *id;             /* clip id when known, else NULL */
    char *reason;         /* one line */
} import_skip;

typedef struct import_list {
    import_clip *clips;
    size_t count, cap;
    /* The dataset's own class vocabulary in its official order (classInd,
     * labels.json, vocab...), so label ids can match published indices.
     * Empty when the layout has none. */
    char **classes;
    size_t class_count;
    import_skip *skipped;
    size_t skipped_count, skipped_cap;
    /* Things the user should know that do not stop the import ("no class
     * names: labels are numeric ids"), one line each, in the order found. */
    char **warnings;
    size_t warning_count;
} import_list;

void import_list_init(import_list *l);
void import_list_free(import_list *l);

/* Small mutators used by the parsers and by tests; strings are copied. */
int import_clip_add_label(import_clip *c, const char *label);
int import_clip_add_group(import_clip *c, const char *key, const char *value);
/** Append a zeroed clip (start/end -1) with id, file and line set; *out
 *  points into l->clips and stays valid until the next append. */
int import_list_append(import_clip **out, import_list *l, const char *id,
                       const char *file, uint64_t line);
int import_list_add_class(import_list *l, const char *name);
/** Remove and free the last clip (a parser dropping a half-built entry). */
void import_list_pop(import_list *l);
/** Add a warning line (printf-style, copied). Errors: _NOMEM, _LIMIT (over 1000). */
int import_list_warn(import_list *l, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/** Record a skipped entry (keep-going mode). */
int import_list_skip(import_list *l, const char *file, uint64_t line,
                     const char *id, const char *reason);

/** Find the video of a clip on disk: the path as given, then with .mp4,
 *  .avi, .webm, .mkv, .mov appended, then the same for video_alt; a folder
 *  at one of those places is taken as image frames. On success replaces
 *  c->video (or sets c->frames). Errors: _NOT_FOUND naming the path tried. */
int import_clip_resolve(import_clip *c, char *err, size_t errsz);

/* ---------------------------------------------------------------------
 * Parsing annotation layouts
 * ------------------------------------------------------------------- */

typedef struct import_options {
    const char *format;       /* layout name (see import_format_names) or NULL to detect */
    const char *root;         /* where videos live; NULL = beside the annotations */
    int split_id;             /* ucf101/hmdb51 split 1..3; 0 = 1 */
    const char *labels_file;  /* list: class names, one per line (index = line) */
    const char *missing_list; /* ntu: official missing-skeleton sample list */
    int keep_going;           /* 1: record bad entries in list->skipped and go on */
    int allow_outside_paths;  /* 1: media/sidecar paths in annotation files may be
                                 absolute or climb out with '..' (see import_path_escapes) */
} import_options;
#define IMPORT_OPTIONS_INIT { NULL, NULL, 0, NULL, NULL, 0, 0 }

/** Space-separated layout names: "manifest ucf101 hmdb51 ...". Static. */
const char *import_format_names(void);

/** Guess the layout of `input` (a file or folder): a folder with classInd.txt
 *  is ucf101, *_test_split1.txt files hmdb51, .skeleton files ntu, *_info.mat
 *  surreact, one holding video files (or class folders of them) folder;
 *  a .jsonl file manifest; a .csv whose header has youtube_id
 *  kinetics, one with video/frames manifest; Diving48_V2_*.json diving48;
 *  a JSON array of {id,template} ssv2; anything else line-based list.
 *  Returns the static name or NULL when it cannot tell. */
const char *import_detect_format(const char *input);

/** Parse annotation inputs into `out` (which must be initialised and may
 *  already hold clips: new ones are appended). `inputs` are files or
 *  folders as the layout expects. Errors: _INPUT (first bad entry unless
 *  keep_going), _IO, _NOMEM, _LIMIT, _INVALID_ARG (unknown format). */
int import_parse(import_list *out, const import_options *opts,
                 const char *const *inputs, size_t n_inputs,
                 char *err, size_t errsz);

/* One entry point per layout; same contract as import_parse(). */
int import_parse_manifest(import_list *out, const import_options *o, const char *path,
                          char *err, size_t errsz);
int import_parse_ucf101(import_list *out, const import_options *o, const char *dir,
                        char *err, size_t errsz);
int import_parse_hmdb51(import_list *out, const import_options *o, const char *dir,
                        char *err, size_t errsz);
int import_parse_kinetics(import_list *out, const import_options *o, const char *csv,
                          char *err, size_t errsz);
/** `path` is the SSv2 folder (labels.json + train/validation/test .json, and
 *  test-answers.csv when present) or one of its .json files. */
int import_parse_ssv2(import_list *out, const import_options *o, const char *path,
                      char *err, size_t errsz);
int import_parse_diving48(import_list *out, const import_options *o, const char *path,
                          char *err, size_t errsz);
int import_parse_list(import_list *out, const import_options *o, const char *path,
                      char *err, size_t errsz);
/** A folder of videos, as downloaded: files in it, or in one level of class
 *  folders (root/<class>/<video>: the folder name is the label, classes in
 *  alphabetical order). Ids are the relative paths without extension. */
int import_parse_folder(import_list *out, const import_options *o, const char *path,
                        char *err, size_t errsz);
/** A folder of .skeleton files (or one file): one clip per sample, pose3d and
 *  pose2d sidecars set to the file, video <name>_rgb.avi beside it or under root. */
int import_parse_ntu(import_list *out, const import_options *o, const char *path,
                     char *err, size_t errsz);
/** A folder (searched recursively, depth 4) of SURREAL/SURREACT clips: each
 *  <name>.mp4 with <name>_info.mat; _segm.mat/_depth.mat when present. */
/** The SynAPT downstream split lists (see layout_split_set below):
 *  uav-human (label = the name's A###, group subject P###, other name
 *  fields in the metadata), ikea-fa (12 classes, group the GoPro video,
 *  frame range in the metadata and applied when only the untrimmed
 *  GOPR<video>.MP4 is on disk), mini-ssv2 (87 classes named by
 *  mini_ssv2.txt or --labels). */
int import_parse_uav_human(import_list *out, const import_options *o, const char *path,
                           char *err, size_t errsz);
int import_parse_ikea_fa(import_list *out, const import_options *o, const char *path,
                         char *err, size_t errsz);
int import_parse_mini_ssv2(import_list *out, const import_options *o, const char *path,
                           char *err, size_t errsz);
int import_parse_surreact(import_list *out, const import_options *o, const char *path,
                          char *err, size_t errsz);

/* ---------------------------------------------------------------------
 * NTU RGB+D
 * ------------------------------------------------------------------- */

/** Official NTU RGB+D 120 action name of action 1..120, NULL outside. */
const char *import_ntu_action_name(int action);

/** Fields of an "SsssCcccPpppRrrrAaaa" sample name (the name may carry a
 *  suffix such as "_rgb.avi" or ".skeleton"). Returns 0 or _INPUT. */
typedef struct import_ntu_name { int setup, camera, performer, replication, action; } import_ntu_name;
int import_ntu_parse_name(import_ntu_name *out, const char *name);

/** Values per joint in import_ntu_skeleton.joints: x y z (metres, camera
 *  space), depthX depthY, colorX colorY (pixels), orientation w x y z,
 *  trackingState (0 not tracked, 1 inferred, 2 tracked). */
#define IMPORT_NTU_VALUES 12
#define IMPORT_NTU_JOINTS 25

typedef struct import_ntu_skeleton {
    uint64_t frames;
    uint32_t max_bodies;     /* most bodies in any frame */
    uint32_t *body_count;    /* per frame */
    uint64_t *body_ids;      /* frames * max_bodies, 0 where absent */
    float *joints;           /* frames * max_bodies * 25 * 12, NaN where absent */
} import_ntu_skeleton;

int import_ntu_read(import_ntu_skeleton *out, const char *path, char *err, size_t errsz);
void import_ntu_free(import_ntu_skeleton *s);

/* ---------------------------------------------------------------------
 * Pose sidecars: dense arrays
 * ------------------------------------------------------------------- */

typedef struct import_pose {
    uint64_t frames;
    uint32_t persons;     /* the dense person axis: most persons in any frame */
    uint32_t joints;
    uint32_t channels;    /* values per joint: 2, 3 or 4 */
    int layout;           /* synapt_channels (XY, XYC, XYZ, XYZC) */
    int skeleton;         /* synapt_skeleton */
    uint32_t *present;    /* per frame: persons present (filling slots 0..present-1) */
    float *data;          /* frames*persons*joints*channels; NaN where absent */
    int64_t first_index;  /* frame number of data[0] in the file's numbering (st-gcn: 1) */
} import_pose;

void import_pose_free(import_pose *p);

/** Read a pose sidecar. `want3d` picks pose3d from sources that hold both
 *  (NTU .skeleton: xyz metres vs colour-image pixels; SURREAL _info.mat:
 *  joints3D vs joints2D). Supported: NTU .skeleton, OpenPose JSON folder
 *  (BODY-25 x,y,c; every person), Kinetics-skeleton JSON (OpenPose-18,
 *  x,y normalised + score), .npy/.npz/HDF5 arrays shaped (T,J,C), (T,P,J,C)
 *  or the st-gcn (C,T,J,P), and .mat variables joints2D/joints3D (C,J,T).
 *  Errors: _INPUT naming the file (and frame/line), _IO, _NOMEM, _LIMIT. */
int import_pose_read(import_pose *out, const import_sidecar *sc, int want3d,
                     char *err, size_t errsz);

/** OpenPose: pose_keypoints_2d of every *_keypoints.json in `dir`, in name
 *  order; frames with no person have present 0. */
int import_openpose_read(import_pose *out, const char *dir, char *err, size_t errsz);
/** Kinetics-skeleton (st-gcn) JSON; label/label_index copied to *label_out
 *  (malloc'd, may be NULL) when non-NULL. Frames are numbered by
 *  frame_index; gaps become frames with no person. */
int import_kinetics_skeleton_read(import_pose *out, const char *path, char **label_out,
                                  char *err, size_t errsz);

/* ---------------------------------------------------------------------
 * Frame sources: depth, mask, image folders (one frame at a time)
 * ------------------------------------------------------------------- */

typedef struct import_frames import_frames;

typedef struct import_frames_info {
    uint64_t frames;
    uint32_t height, width, channels; /* channels 1 (depth, mask) or 3 (RGB) */
    int dtype;            /* SYNAPT_DTYPE_U8, _U16 or _F32 */
    double scale;         /* depth u16: metres per unit (0.001 for mm PNGs) */
} import_frames_info;

/** Open a frame source: PNG folder (8/16-bit gray, RGB), image folder/glob
 *  (PNG, JPEG via FFmpeg's mjpeg decoder), HDF5 dataset (T,H,W[,C]), .npy
 *  (T,H,W[,C]), or SURREAL _depth.mat/_segm.mat (depth_1..N / segm_1..N).
 *  Every frame must have the first frame's size and type.
 *  Errors: _INPUT, _IO, _NOMEM, _LIMIT, _UNSUPPORTED (e.g. 16-bit JPEG). */
int import_frames_open(import_frames **out, const import_sidecar *sc,
                       char *err, size_t errsz);
const import_frames_info *import_frames_get_info(const import_frames *f);
/** Read frame `t` (0-based) into buf (height*width*channels*dtype size bytes,
 *  rows top to bottom, channels interleaved, little-endian). */
int import_frames_read(import_frames *f, uint64_t t, void *buf, size_t size,
                       char *err, size_t errsz);
void import_frames_close(import_frames *f);

/** Frame labels from a sidecar (.npy, .txt one int per line, inline JSON
 *  array). *out gets a malloc'd array of *n values. */
int import_frame_labels_read(int32_t **out, uint64_t *n, const import_sidecar *sc,
                             char *err, size_t errsz);

/* ---------------------------------------------------------------------
 * SURREAL / SURREACT _info.mat
 * ------------------------------------------------------------------- */

/** Read joints2D/joints3D of an _info.mat and every other variable with at
 *  most 4096 elements into a JSON object (*meta_json, malloc'd): numbers as
 *  arrays, char arrays as strings. Either pose output may be NULL. */
int import_surreal_info_read(import_pose *pose2d, import_pose *pose3d, char **meta_json,
                             const char *path, char *err, size_t errsz);

/* ---------------------------------------------------------------------
 * Shared text helpers (used by every parser; exposed for tests)
 * ------------------------------------------------------------------- */

/** The one rule for paths written inside annotation files (manifests,
 *  lists, split files): they are relative to the annotation's folder (or
 *  --root) and stay below it. 1 when `rel` is absolute or has a '..'
 *  component (so a downloaded manifest cannot make a pack read
 *  /home/user/.ssh/... into a dataset), else 0. Layouts refuse such an entry
 *  unless import_options.allow_outside_paths is set. */
int import_path_escapes(const char *rel);

/** 0 when `path` is a regular file; else one line in `err` ("PATH: is a
 *  FIFO, not a regular file", "... is a directory ...") and _INPUT, or _IO
 *  when it cannot be stat'ed. For libraries that open by name (libhdf5,
 *  matio, FFmpeg): checked first so a FIFO or device never blocks them. */
int import_check_regular(const char *path, char *err, size_t errsz);
/** fopen(path, "rb") of a regular file only, without ever blocking on a
 *  FIFO (opened O_NONBLOCK, then fstat'ed). NULL with *rc = _IO/_INPUT and
 *  one line in `err` otherwise. */
FILE *import_fopen_regular(const char *path, int *rc, char *err, size_t errsz);

/** The first n-1 bytes of a regular file, NUL-terminated; the count read,
 *  or -1 (missing, unreadable, not a regular file). */
int import_file_head(const char *path, char *buf, size_t n);

/** Read a whole file, at most `cap` bytes (0 = IMPORT_MAX_FILE_BYTES), adding
 *  a NUL. Errors: _IO, _LIMIT (file larger than cap), _NOMEM. */
int import_read_file(char **out, size_t *len, const char *path, size_t cap,
                     char *err, size_t errsz);

/** Line cursor over a buffer: handles LF, CRLF and a missing final newline;
 *  rejects lines over IMPORT_MAX_LINE and NUL bytes. */
typedef struct import_lines {
    const char *buf; size_t len, pos; uint64_t lineno;
} import_lines;
/** Next line (NUL-terminated copy in `line`, IMPORT_MAX_LINE+1 bytes, CR
 *  stripped). Returns 1 with a line, 0 at the end, _INPUT on a bad line. */
int import_lines_next(import_lines *it, char *line);

/** Split a CSV line (RFC 4180 quoting within one line) on `sep` in place;
 *  fields[] point into `line`. Returns the field count, or _INPUT for an
 *  unterminated quote, or _LIMIT for more than max fields. */
int import_csv_split(char *line, char sep, char **fields, int max);

/** Parse a decimal integer in [lo, hi]; the whole string must be consumed
 *  (surrounding spaces allowed). Returns 0 or _INPUT. */
int import_parse_int(int64_t *out, const char *s, int64_t lo, int64_t hi);

/** Join a directory and a relative path ("a/b" + "c" -> "a/b/c"; an
 *  absolute rel is returned as is). malloc'd; NULL on allocation failure. */
char *import_path_join(const char *dir, const char *rel);
/** The folder part of a path ("a/b.txt" -> "a", "b.txt" -> "."), malloc'd. */
char *import_path_dir(const char *path);

/** Report a bad annotation entry: with o->keep_going, record it in
 *  l->skipped and return 0 so the parser goes on; otherwise format
 *  "file:line: message" into err and return SYNAPT_E_INPUT. */
int import_bad_entry(import_list *l, const import_options *o, char *err, size_t errsz,
                     const char *file, uint64_t line, const char *id, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 8, 9)))
#endif
    ;

/** Format "file:line: message" into err (line 0 = "file: message"). */
void import_errf(char *err, size_t errsz, const char *file, uint64_t line,
                 const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* ---------------------------------------------------------------------
 * Packing: clips into .synapt files (the engine of synapt-pack)
 * ------------------------------------------------------------------- */

/** What to do when a sidecar's frame count differs from the video's. */
typedef enum import_mismatch {
    IMPORT_MISMATCH_ERROR = 0,   /* the clip fails, naming both counts */
    IMPORT_MISMATCH_TRUNCATE,    /* longer sidecars are cut to the video's length;
                                    shorter ones are kept and the clip meta says
                                    how many frames all streams share */
    IMPORT_MISMATCH_PAD          /* sidecars are cut or padded to the video's length:
                                    pose with frames of no person, depth/mask with
                                    zeros (invalid), frame labels with -1 */
} import_mismatch;
/** "error", "truncate", "pad" -> value; -1 when unknown. */
int import_mismatch_from_name(const char *name);

typedef struct import_pack_options {
    const char *out;              /* output path; shards insert -00000 before .synapt */
    const char *report;           /* keep-going JSON report path; NULL = OUT.report.json */
    const char *tmp_dir;          /* per-clip scratch files; NULL = beside OUT */
    synapt_video_import_options video; /* mode, gop, resize... (stream_name is set here) */
    int on_mismatch;              /* import_mismatch */
    int keep_going;               /* skip bad clips, write the report, return 3 */
    uint32_t shard_k, shard_n;    /* keep clips with xxh3(id) % n == k; n 0 = all */
    uint64_t max_shard_bytes;     /* roll over to OUT-00001.synapt past this; 0 = never */
    int threads;                  /* clips packed at once; 0 = online cores */
    int progress;                 /* draw the cli progress bar (still only on a tty) */
    int no_video;                 /* sidecars only (skeleton datasets): no rgb stream;
                                     the first sidecar's frame count is the reference */
    int zstd_level;               /* 0 = writer default */
    int depth_codec;              /* CLI_DEPTH_ value for u16 depth; 0 = writer default */
    const char *resume;           /* a salvaged earlier run (synapt-recover's output):
                                     its clips are copied, not imported again */
    /* copy-mode clips whose inputs total at most memory_inputs bytes are
     * packed in memory rather than into a scratch file, each image at most
     * memory_limit bytes (past it: packed again into a file). 0 = the
     * defaults (8 MiB, 32 MiB); memory_inputs -1 = never in memory. */
    int64_t memory_inputs;
    uint64_t memory_limit;
} import_pack_options;

typedef struct import_pack_stats {
    uint64_t selected;            /* clips in this shard */
    uint64_t packed, skipped;     /* skipped includes annotation entries the parser skipped */
    uint64_t resumed;             /* of packed: copied from o->resume */
    uint64_t frames;              /* video/image frames stored */
    uint64_t input_bytes;         /* bytes of the video files read */
    uint64_t output_bytes;        /* bytes of the .synapt files written */
    uint32_t shards;              /* output files written */
    double seconds;
} import_pack_stats;

/** Write one clip (video or image frames, then every sidecar as its
 *  standard stream: rgb, pose2d, pose3d, depth, mask, frame_labels) into
 *  the writer `w`, which must have no open clip. The clip's media path is
 *  resolved on disk first (import_clip_resolve), which is why `c` is not
 *  const. On failure the writer may be poisoned; callers write each clip
 *  to a scratch writer (import_pack_run does). *frames_out may be NULL. */
int import_pack_clip(synapt_writer *w, import_clip *c, const import_pack_options *o,
                     uint64_t *frames_out, char *err, size_t errsz);

/** --max-shard-bytes names: OUT-00000.synapt, ... (OUT without .synapt
 *  when it ends so), and the manifest joining them, OUT.json when OUT ends
 *  in .synapt, else OUT.synapt.json. malloc'd; NULL when out of memory. */
char *import_shard_path(const char *out, uint32_t k);
char *import_manifest_path(const char *out);
/** Write the manifest of shards 0..shards-1 (staged in `stage`, not yet
 *  renamed) into `stage` too, so they are committed together. The shards
 *  share the list's vocabulary, which the manifest's labels repeat. The
 *  manifest must be none of `inputs` (every file the run reads). */
struct cli_staged;
int import_shards_manifest(struct cli_staged *stage, const char *out, uint32_t shards, const import_list *l,
                           const char *const *inputs, size_t ninputs, char *err, size_t errsz);

/** Pack the clips of `l` (those of shard k/n) into o->out, o->threads at a
 *  time, each into a scratch file that is then copied whole into the
 *  output in list order: the output bytes do not depend on the thread
 *  count. Returns 0 (all packed), 3 (keep_going and some skipped: the
 *  report was written), or a negative SYNAPT_E_* code (nothing is left at
 *  the output paths). */
int import_pack_run(import_pack_stats *stats, import_list *l, const import_pack_options *o,
                    char *err, size_t errsz);

/* ---------------------------------------------------------------------
 * Shared between the import modules
 * ------------------------------------------------------------------- */

/** The HDF5 library here is not thread-safe: every HDF5 call in the import
 *  modules runs between enter and leave (one process-wide mutex; a thread
 *  may nest them). enter also switches HDF5's error printing off
 *  (process-global, see top). */
void import_h5_enter(void);
void import_h5_leave(void);
/** cli_sandboxed for HDF5 ("the HDF5 reader crashed on this file"):
 *  forks inside enter/leave, so fn may itself call enter and leave. */
int import_h5_sandboxed(cli_sandbox_fn fn, void *arg, const char *path, char *err, size_t errsz);
/** Read a whole numeric HDF5 dataset (1..4 dims) as floats; *out malloc'd. */
int import_h5_read_floats(float **out, unsigned *ndim, uint64_t *shape, const char *file,
                          const char *dset, char *err, size_t errsz);

/** Member `key` of a .npz (NULL/"" = the only member; several members
 *  without a key is _INPUT naming them). `out` is an npy_array (npy.h). */
struct npy_array;
int import_npz_read(struct npy_array *out, const char *path, const char *key, char *err,
                    size_t errsz);

/** SURREAL _depth.mat/_segm.mat: per-frame variables PREFIX_1..PREFIX_N
 *  (H x W). The handle is a matio file; used by import_frames_open(). */
int import_mat_frames_open(void **out, uint64_t *frames, uint32_t *h, uint32_t *w, int *dtype,
                           const char *path, const char *prefix, char *err, size_t errsz);
int import_mat_frames_read(void *handle, uint64_t t, void *buf, uint32_t h, uint32_t w, int dtype,
                           const char *path, const char *prefix, char *err, size_t errsz);
void import_mat_frames_close(void *handle);

/* Strict JSON for everything tools/import reads (import_json.c). */
struct cJSON;
/** Parse `len` bytes of JSON text strictly: one value and nothing after it,
 *  no NUL byte (raw or \u0000), no leading zeros, no integer beyond +-2^53.
 *  NULL on failure with a bare reason in `why` and the 1-based line of the
 *  problem in *line (0 unknown). Caller deletes. */
struct cJSON *import_json_parse(const char *text, size_t len, uint64_t *line, char *why, size_t whysz);
/** Replace, in place, every number of `j` whose cJSON print would not read
 *  back as the same double by a raw node that does (cJSON prints 15 digits
 *  when they come within a tolerance: 2^53 became 9.00719925474099e+15).
 *  Call before cJSON_Print* of metadata. Errors: _NOMEM. */
int import_json_exact_numbers(struct cJSON *j);

#endif /* SYNAPT_IMPORT_H */
