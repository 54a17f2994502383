/* export.h - writers of synapt-convert's per-clip outputs: image folders
 * (--to frames), pose and frame-label tables (--to csv, --to jsonl), and
 * every stream of a clip in one .npz (--to npz).
 *
 * Every writer but the preview works on a clip selection of a dataset (a
 * .synapt file or a manifest of them, synapt_dataset): a list of dataset
 * clip indices the command fills from --clip, --all or the selection
 * options shared with synapt-subset (tools/select). Each clip is read from
 * its member file, acquired for the clip and released after it, so at most
 * the dataset's few open members and one batch of frames are in memory.
 *
 * Outputs never appear half-written: a folder output is built as a
 * staging folder beside the target and renamed into place at the end (the
 * target must not exist yet, or be an empty folder); a file output is
 * written under a temporary name and renamed. On error, or on SIGINT,
 * SIGTERM or SIGHUP (noticed between frames), the staging folder or
 * temporary file is removed and the call returns SYNAPT_E_IO with
 * "interrupted".
 *
 * Errors: negative SYNAPT_E_* codes with one line in `err` naming the file
 * (and clip/stream): _IO, _NOMEM, _LIMIT, _EXISTS (the target folder is
 * not empty), _INVALID_ARG (a stream that the format cannot hold), and any
 * reader error. Not thread-safe (signal flag, libpng error jumps). */
#ifndef SYNAPT_EXPORT_H
#define SYNAPT_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "synapt.h"

#define EXPORT_OPTIONS_VERSION 1
typedef struct export_options {
    unsigned version;            /* EXPORT_OPTIONS_VERSION */
    const uint64_t *clips;       /* the selection (dataset clips), in output order */
    size_t clip_count;
    const char *stream;          /* only this stream; NULL = every stream the format holds */
    int folder;                  /* npz: path is a folder of <clip>.npz (set with --all) */
    synapt_progress_fn progress; /* after each clip; may be NULL */
    void *progress_user;
} export_options;
#define EXPORT_OPTIONS_INIT { EXPORT_OPTIONS_VERSION, NULL, 0, NULL, 0, NULL, NULL }

/** --to frames: DIR/<clip>/<stream>/%06d.png for image, video (decoded
 *  RGB), depth (16-bit PNG; f32 metres stored as u16 millimetres) and mask
 *  streams, plus DIR/<clip>/<stream>/frames.json with the kind, frame
 *  count, fps and, for depth, `scale` (metres per PNG unit) and `units`.
 *  `*written` (may be NULL) gets the number of PNG files. */
int export_frames(uint64_t *written, synapt_dataset *ds, const char *dir,
                  const export_options *o, char *err, size_t errsz);

/** --to csv / --to jsonl: one row per frame, person and joint of the pose
 *  streams (absent persons skipped), and one row per frame and label of
 *  frame_labels streams. Columns: clip, stream, frame, person, joint,
 *  joint_name, x, y, z, c (empty when the layout has no such channel);
 *  frame labels: clip, stream, frame, label, label_name in the same file
 *  when no --stream narrows it (then the pose columns are empty and
 *  `label`/`label_name` filled). `*rows` may be NULL. */
int export_table(uint64_t *rows, synapt_dataset *ds, const char *path, int jsonl,
                 const export_options *o, char *err, size_t errsz);

/** --to npz: every array stream of one clip (decoded video as RGB) as
 *  members "<stream>.npy" of one uncompressed .npz, arrays as
 *  `synapt-convert --to npy` writes them (members are stored, not
 *  deflated, so numpy can memory-map them; each must stay below 4 GiB:
 *  _LIMIT). With o->folder, `path` is a folder and each clip goes to
 *  <path>/<clip>.npz; otherwise o->clip_count must be 1. */
int export_npz(uint64_t *files, synapt_dataset *ds, const char *path,
               const export_options *o, char *err, size_t errsz);

/** --to preview: a contact sheet PNG (path ending in .png) or a short
 *  movie (.mp4, .mkv, ...: every frame, at most 600, H.264) of one clip
 *  (o->clips[0]) for a person checking an import: `tiles` frames spread
 *  over the clip (the movie: each frame), one row each: the RGB frame (first video/image stream; a dark canvas when there
 *  is none) with the first 2D pose stream's skeleton drawn over it (bones
 *  from the registry's parents, absent persons and joints skipped), then
 *  the first depth stream colourised and the first mask stream tinted;
 *  the clip id, labels and frame numbers written on it. */
int export_preview(const synapt_reader *r, const char *path, const export_options *o,
                   unsigned tiles, char *err, size_t errsz);

/* ---- shared by the writers (export_stage.c, export_frames.c) ---- */

/** A video file from RGB24 canvases of w x h (even), through libsynapt's
 *  synapt_movie_*: the container from `path`'s extension, H.264 (MPEG-4
 *  part 2 without an H.264 encoder), fps_num/fps_den frames per second. Written under a temporary name
 *  beside `path`, renamed by close; abort (and a failed close) removes it.
 *  Errors: _INVALID_ARG (no container for the name), _UNSUPPORTED (no
 *  encoder), _IO, _NOMEM, with one line in err naming `path`. */
typedef struct export_movie export_movie;
int export_movie_open(export_movie **out, const char *path, int w, int h, uint32_t fps_num,
                      uint64_t fps_den, char *err, size_t errsz);
int export_movie_frame(export_movie *m, const uint8_t *rgb, char *err, size_t errsz);
int export_movie_close(export_movie *m, char *err, size_t errsz);
void export_movie_abort(export_movie *m);

/** Write one PNG: 8-bit with 1..4 channels, or 16-bit (native order
 *  samples). `why` gets libpng's or the system's reason on failure. */
int export_png_write(const char *path, const void *px, uint32_t w, uint32_t h, int channels,
                     int depth16, char *why, size_t whysz);


/** The folder a writer fills: `dir` must be absent (it is created) or an
 *  empty folder. The caller makes it safe (synapt-convert builds it beside
 *  -o through the cli's safe outputs, which remove it on error or signal),
 *  so open only checks and creates, and commit and abort only free. */
typedef struct export_stage {
    char *target;
    char *path;                  /* the folder: write here */
} export_stage;
int export_stage_open(export_stage *s, const char *dir, char *err, size_t errsz);
int export_stage_commit(export_stage *s, char *err, size_t errsz);
void export_stage_abort(export_stage *s);

/** The member reader and clip of dataset clip `g`, pinned until
 *  synapt_dataset_release(ds, *r), and its description in *ci. On failure
 *  *r is NULL, nothing is pinned and err names the file. */
int export_acquire(synapt_reader **r, uint64_t *clip, synapt_clip_info *ci, synapt_dataset *ds,
                   uint64_t g, char *err, size_t errsz);

/** Shape of one stream's frames as `synapt-convert --to npy` exports them:
 *  dtype, rank and dims (dims[0] = frames), and how to read them
 *  (EXPORT_READ_*). Pose P is the most persons in any frame. Returns 0,
 *  _INVALID_ARG (frames vary in size), or a reader error. */
#define EXPORT_READ_ARRAY 0
#define EXPORT_READ_POSE  1
#define EXPORT_READ_VIDEO 2
typedef struct export_array {
    int how, dtype;
    unsigned ndim;
    uint64_t dims[5];
    uint64_t frame_bytes;
} export_array;
int export_array_of(export_array *out, const synapt_reader *r, uint64_t clip, uint32_t stream);
/** Read frames [first, first+n) of that array into buf (n*frame_bytes). */
int export_array_read(void *buf, size_t cap, const export_array *a, const synapt_reader *r,
                      uint64_t clip, uint32_t stream, uint64_t first, uint64_t n);

#endif
