/* synapt-convert - export data out of a .synapt file.
 *
 * One function per output format ("verb"), chosen with --to; every verb
 * shares the option parsing and the convert_args below, so adding a format
 * means adding one function and one line in `verbs`. */
#include "cli/cli.h"
#include "export/export.h"
#include "h5/h5.h"
#include "npy/npy.h"
#include "select/select.h"
#include "synapt.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
    "Usage: synapt-convert IN --to FORMAT [OPTIONS]\n"
    "Export data from a .synapt file or a dataset manifest (NAME.synapt.json,\n"
    "its label_map applied): one clip, every clip, or a selection.\n"
    "\n"
    "Formats:\n"
    "  --to npy     one stream of one clip as a NumPy .npy array:\n"
    "                 image/video   (T, H, W, 3) u8 RGB (T, H, W, C for other images)\n"
    "                 depth         (T, H, W) in its stored dtype (u16 or f32)\n"
    "                 pose2d/pose3d (T, P, J, C) f32, P = most persons in any frame\n"
    "                               of the clip, NaN where a person is absent\n"
    "                 mask          (T, H, W)\n"
    "                 frame_labels  (T,) i32, or (T, K) with K labels per frame\n"
    "                 custom        (T, ...) its stored dtype and shape\n"
    "               needs --clip, --stream and -o\n"
    "  --to framemd5  one line per decoded frame of a video stream, \"<index> <md5>\",\n"
    "               the md5 over the frame in the decoder's pixel format with planes\n"
    "               packed (what ffmpeg -f framemd5 hashes); to stdout or -o;\n"
    "               needs --clip; --stream defaults to rgb; --frames A:B\n"
    "  --to video   a video stream as a media file chosen by -o's extension (.mp4,\n"
    "               .mkv, ...): the stored packets remuxed without re-encoding (raw\n"
    "               streams are encoded: ffv1 in .mkv, H.264 otherwise);\n"
    "               needs --clip and -o; --stream defaults to rgb\n"
    "  --to hdf5    every clip (or the selection) as an HDF5 file in the layout of\n"
    "               spec/hdf5.md, read\n"
    "               with plain h5py: /clips/ID/STREAM/data (T, ...) per stream,\n"
    "               chunked one frame per chunk, deflate; labels, split, source,\n"
    "               groups, fps, units, scale, skeleton and JSON metadata as\n"
    "               attributes; needs -o; synapt-pack --format hdf5 reads it back\n"
    "  --to frames  image-like streams (image, video decoded to RGB, depth, mask) as\n"
    "               PNG folders DIR/CLIP/STREAM/%06d.png (depth: 16-bit, its scale\n"
    "               in frames.json); needs --clip or --all, -o DIR\n"
    "  --to csv     pose joints (one row per frame, person, joint; absent persons\n"
    "  --to jsonl   left out) and frame labels as a table; --clip or --all, -o FILE\n"
    "  --to npz     every array stream of a clip in one .npz (members as --to npy);\n"
    "               --clip ID -o OUT.npz, or --all -o DIR (one CLIP.npz each)\n"
    "  --to preview a contact sheet PNG of one clip to check an import by eye: frames\n"
    "               spread over the clip, the 2D skeleton drawn over the RGB frame,\n"
    "               depth colourised and the mask tinted beside it, labels and\n"
    "               frame numbers written on it; --clip ID -o OUT.png, or -o OUT.mp4\n"
    "               for a short H.264 movie with every frame (at most 600)\n"
    "  npy and video also take --all -o DIR: one CLIP.npy / CLIP.mkv per clip\n"
    "  that has the stream. Folder outputs are built beside DIR and put in place\n"
    "  at the end; an existing DIR is replaced only if it is empty or a synapt\n"
    "  tool wrote it.\n"
    "\n"
    "Options:\n"
    "      --to FORMAT       output format (see above)\n"
    "      --clip ID         the clip to export\n"
    "      --all             every clip of the file or manifest (npy, video, frames, csv,\n"
    "                        jsonl, npz)\n"
    "      --shard K/N       with --all, a selection or --to hdf5: only the clips with\n"
    "                        xxh3(id) % N == K (synapt-pack's rule), one worker's part\n"
    "                        of a job\n"
    "      --stream NAME     the stream of that clip (e.g. rgb, depth, pose2d)\n"
    "      --frames A:B      only frames A..B-1 (also A: to the end, :B, or A alone)\n"
    "  -o, --output FILE     where to write; written under a temporary name and\n"
    "                        renamed into place, so a failure leaves nothing behind\n"
    "      --video MODE      --to hdf5: encoded video as 'decode' (T, H, W, 3) u8 RGB,\n"
    "                        the default, or 'packets' (the stored packets byte for\n"
    "                        byte with their table, so it converts back identically)\n"
    "      --size WxH        --to hdf5 --video decode: resize decoded frames to WxH\n"
    "      --short-side N    --to hdf5 --video decode: scale so the shorter side is N\n"
    "      --hdf5-zstd       --to hdf5: compress with the zstd filter (32015) instead\n"
    "                        of deflate; refused when HDF5 cannot load that plugin\n"
    "\n"
    SEL_HELP
    "  A selection option works as --all over the chosen clips (the same choice\n"
    "  as synapt-subset with the same options); not with --clip, framemd5 or\n"
    "  preview.\n"
    "\n"
    "  -q, --quiet           no progress bar\n"
    "  -v, --verbose         report what was written, and FFmpeg's warnings\n"
    "  -h, --help            show this help and exit\n"
    "      --version         show the version and exit\n"
    "\n"
    "Exit status: 0 ok, 1 error, 2 usage error.\n"
    "\n"
    "Example:\n"
    "  synapt-convert data.synapt --to npy --clip c0 --stream depth -o depth.npy\n"
    "  synapt-convert data.synapt --to framemd5 --clip c0 --frames 10:20\n"
    "  synapt-convert data.synapt --to video --clip c0 -o c0.mkv\n"
    "  synapt-convert data.synapt --to hdf5 --video packets -o data.h5\n"
    "  synapt-convert all.synapt.json --to hdf5 --split val --per-class 20 -o val.h5\n"
    "  python3 -c \"import numpy; print(numpy.load('depth.npy').shape)\"\n";

typedef struct convert_args {
    const char *in;        /* the .synapt file */
    const char *to;        /* verb name */
    const char *clip;      /* --clip */
    const char *stream;    /* --stream */
    const char *frames;    /* --frames, NULL = all */
    const char *out;       /* -o, for messages */
    const char *dest;      /* where a verb writes: -o's name inside the staging
                              folder beside it, or the temporary folder that
                              becomes -o (folder outputs); main() puts it in
                              place only on success */
    const char *video;     /* --video decode|packets (hdf5) */
    uint32_t shard_k, shard_n; /* --shard K/N: only those clips (n 0 = all) */
    int hdf5_zstd;         /* --hdf5-zstd */
    int all;               /* --all: every clip */
    uint32_t width, height, short_side; /* --size, --short-side (hdf5 --video decode) */
    synapt_dataset *ds;    /* the input as a dataset (file or manifest): what the
                              multi-clip verbs read; NULL for single-clip verbs */
    int have_g;            /* a single-clip verb reading dataset clip g of ds from
                              its member file `in`: frame labels become dataset ids */
    uint64_t g;
    const sel_criteria *sel; /* the selection options (tools/select) */
} convert_args;

/* Read batches of about this many bytes: large enough to amortise chunk
 * decoding, small enough to keep memory flat for long clips. */
#define BATCH_BYTES (32u << 20)
/* Largest single frame converted: above the library's default frame limit
 * (512 MiB) so every readable frame fits, far below a runaway allocation. */
#define MAX_FRAME_BYTES (1ull << 30)

/* a*b, or 0 when it overflows (callers treat 0 from nonzero factors as too big) */
static uint64_t mul_or_zero(uint64_t a, uint64_t b)
{
    return b && a > UINT64_MAX / b ? 0 : a * b;
}

/* ---- shared steps -------------------------------------------------- */

static int open_input(synapt_reader **r, const char *path)
{
    char err[512] = "";
    int rc = synapt_reader_open2(r, path, NULL, err, sizeof err);
    if (rc != 0) {
        cli_error_msg(path, err[0] ? err : synapt_strerror(rc));
        return -1;
    }
    return 0;
}

/* Resolve --clip and --stream; on failure print why (naming the streams
 * that do exist) and return -1. */
static int find_clip_stream(uint64_t *clip, uint32_t *stream, synapt_stream_info *si,
                            const synapt_reader *r, const convert_args *a)
{
    int rc = synapt_reader_find_clip(clip, r, a->clip);
    if (rc == SYNAPT_E_NOT_FOUND) {
        cli_error(a->in, "no clip with id '%s'", a->clip);
        return -1;
    }
    if (rc != 0) {
        cli_error_msg(a->in, synapt_reader_errmsg(r));
        return -1;
    }
    rc = synapt_reader_find_stream(stream, r, *clip, a->stream);
    if (rc == SYNAPT_E_NOT_FOUND) {
        synapt_clip_info ci;
        char names[512] = "";
        size_t o = 0;
        if (synapt_reader_clip(&ci, r, *clip) == 0) {
            for (uint32_t s = 0; s < ci.stream_count && o + 1 < sizeof names; s++) {
                synapt_stream_info x;
                if (synapt_reader_stream(&x, r, *clip, s) == 0)
                    o += (size_t)snprintf(names + o, sizeof names - o, "%s%s", s ? ", " : "", cli_disp(x.name));
            }
        }
        cli_error(a->in, "clip '%s' has no stream '%s' (it has: %s)", a->clip, a->stream,
                  *names ? names : "no streams");
        return -1;
    }
    if (rc != 0 || synapt_reader_stream(si, r, *clip, *stream) != 0) {
        cli_error_msg(a->in, synapt_reader_errmsg(r));
        return -1;
    }
    return 0;
}

/* Apply --frames to a stream of `total` frames. */
static int frame_range(uint64_t *first, uint64_t *n, const convert_args *a, uint64_t total)
{
    uint64_t f = 0, e = total;
    int has_end = 1;
    if (a->frames) {
        if (cli_parse_range(&f, &e, &has_end, a->frames) != 0)
            cli_usage_error("--frames wants A:B, A:, :B or A (got '%s')", a->frames);
        if (!has_end) e = total;
        if (f > e) cli_usage_error("--frames %s: the start is after the end", a->frames);
        if (e > total) {
            cli_error(a->in, "clip '%s' stream '%s' has %" PRIu64 " frames; --frames %s is outside",
                      a->clip, a->stream, total, a->frames);
            return -1;
        }
    }
    *first = f;
    *n = e - f;
    return 0;
}

/* ---- --to npy ------------------------------------------------------ */

/* Most persons in any frame of a pose stream, from its frame tables (a
 * frame holds raw_size / person_bytes persons). */
static int pose_persons_held(uint32_t *out, synapt_reader *r, uint64_t clip, uint32_t stream,
                             uint64_t frames, uint64_t person_bytes)
{
    uint64_t sizes[1024], most = 0;
    *out = 0;
    if (!person_bytes) return 0;
    for (uint64_t f = 0; f < frames; f += 1024) {
        uint64_t k = frames - f < 1024 ? frames - f : 1024;
        int rc = synapt_reader_frame_sizes(sizes, r, clip, stream, f, k);
        if (rc) return rc;
        for (uint64_t i = 0; i < k; i++)
            if (sizes[i] / person_bytes > most) most = sizes[i] / person_bytes;
    }
    *out = most > UINT32_MAX ? UINT32_MAX : (uint32_t)most;
    return 0;
}

typedef enum { SRC_ARRAY, SRC_POSE, SRC_VIDEO } npy_source;

static int convert_npy(const convert_args *a)
{
    if (!a->clip) cli_usage_error("--to npy needs --clip ID");
    if (!a->stream) cli_usage_error("--to npy needs --stream NAME");
    if (!a->out) cli_usage_error("--to npy needs -o OUT.npy");

    synapt_reader *r = NULL;
    npy_writer *w = NULL;
    void *buf = NULL;
    int ret = CLI_EXIT_ERROR;
    uint64_t clip;
    uint32_t stream;
    synapt_stream_info si;
    if (open_input(&r, a->in) || find_clip_stream(&clip, &stream, &si, r, a)) goto done;

    npy_source src;
    int dtype = si.dtype;
    uint64_t total = si.frame_count, frame_bytes = 0;
    uint64_t shape[NPY_MAX_DIMS];
    unsigned ndim = 1;
    uint32_t persons = 0;
    if (si.kind == SYNAPT_KIND_VIDEO || si.codec != SYNAPT_CODEC_RAW) {
        /* encoded frames: decoded to RGB24 by the video API */
        synapt_video_info vi;
        if (synapt_video_get_info(&vi, r, clip, stream) != 0) {
            cli_error_msg(a->in, synapt_reader_errmsg(r));
            goto done;
        }
        src = SRC_VIDEO;
        dtype = SYNAPT_DTYPE_U8;
        total = vi.frame_count;
        frame_bytes = vi.rgb_frame_bytes;
        shape[1] = vi.height;
        shape[2] = vi.width;
        shape[3] = 3;
        ndim = 4;
    } else if (si.kind == SYNAPT_KIND_POSE2D || si.kind == SYNAPT_KIND_POSE3D) {
        if (si.ndim != 3 || si.dtype != SYNAPT_DTYPE_F32) {
            cli_error(a->in, "clip '%s' stream '%s': pose frames are not (P, J, C) f32", a->clip,
                      a->stream);
            goto done;
        }
        uint32_t held;
        if (synapt_reader_pose_max_persons(&persons, r, clip, stream) != 0 ||
            pose_persons_held(&held, r, clip, stream, si.frame_count,
                              mul_or_zero(mul_or_zero(si.shape[1], si.shape[2]), sizeof(float)))) {
            cli_error_msg(a->in, synapt_reader_errmsg(r));
            goto done;
        }
        /* P comes from the index; a damaged one would otherwise turn a small
         * file into a huge array of NaN */
        if (held != persons) {
            cli_error(a->in, "clip '%s' stream '%s': the index says %" PRIu32 " persons at most, "
                      "the frames hold %" PRIu32, a->clip, a->stream, persons, held);
            goto done;
        }
        src = SRC_POSE;
        shape[1] = persons;
        shape[2] = si.shape[1];
        shape[3] = si.shape[2];
        ndim = 4;
        frame_bytes = mul_or_zero(mul_or_zero(persons, si.shape[1]),
                                  mul_or_zero(si.shape[2], sizeof(float)));
        if (!frame_bytes && persons && si.shape[1] && si.shape[2]) frame_bytes = UINT64_MAX;
    } else {
        src = SRC_ARRAY;
        size_t es = synapt_dtype_size(dtype);
        if (!es || si.ndim > 4) {
            cli_error(a->in, "clip '%s' stream '%s': dtype %s cannot be exported as .npy", a->clip,
                      a->stream, synapt_dtype_name(dtype));
            goto done;
        }
        uint64_t expect = es;
        for (uint32_t d = 0; d < si.ndim; d++) {
            shape[ndim++] = si.shape[d];
            expect = mul_or_zero(expect, si.shape[d]);
        }
        /* frame labels with one label per frame read naturally as (T,) */
        if (si.kind == SYNAPT_KIND_FRAME_LABELS && si.ndim == 1 && si.shape[0] == 1) ndim = 1;
        frame_bytes = si.frame_bytes;
        if (!frame_bytes || frame_bytes != expect) {
            cli_error(a->in, "clip '%s' stream '%s': frames vary in size, so they do not form one "
                      "array", a->clip, a->stream);
            goto done;
        }
    }
    if (frame_bytes > MAX_FRAME_BYTES) {
        /* a shape from a damaged or hostile file must not become one huge
         * allocation */
        cli_error(a->in, "clip '%s' stream '%s': frames of %" PRIu64 " bytes exceed the %u MiB "
                  "limit", a->clip, a->stream, frame_bytes, (unsigned)(MAX_FRAME_BYTES >> 20));
        goto done;
    }
    uint64_t first, n;
    if (frame_range(&first, &n, a, total)) goto done;
    shape[0] = n;

    char err[512];
    if (npy_writer_open(&w, a->dest, dtype, shape, ndim, err, sizeof err) != 0) {
        cli_error_msg(a->out, err);
        goto done;
    }
    uint64_t batch = frame_bytes ? BATCH_BYTES / frame_bytes : n;
    if (batch == 0) batch = 1;
    if (batch > n) batch = n;
    if (frame_bytes && batch > SIZE_MAX / frame_bytes) batch = SIZE_MAX / frame_bytes;
    size_t cap = (size_t)(batch * frame_bytes);
    if (cap && !(buf = malloc(cap))) {
        cli_error(a->in, "out of memory for %" PRIu64 " frames of %" PRIu64 " bytes", batch,
                  frame_bytes);
        goto done;
    }
    cli_progress p;
    cli_progress_start(&p, "npy", "frames", n);
    for (uint64_t done = 0; done < n && frame_bytes;) {
        uint64_t k = n - done < batch ? n - done : batch;
        size_t bytes = (size_t)(k * frame_bytes), got = 0;
        int rc;
        if (src == SRC_VIDEO)
            rc = synapt_video_read(buf, cap, &got, r, clip, stream, first + done, k, SYNAPT_PIXFMT_RGB24);
        else if (src == SRC_POSE)
            rc = synapt_reader_read_pose(buf, bytes / sizeof(float), r, clip, stream, first + done, k, persons);
        else
            rc = synapt_reader_read_frames(buf, cap, &got, r, clip, stream, first + done, k);
        if (rc == 0 && src != SRC_POSE && got != bytes) {
            cli_progress_end(&p);
            cli_error(a->in, "clip '%s' stream '%s': frames %" PRIu64 "..%" PRIu64
                      " gave %zu bytes, expected %zu", a->clip, a->stream, first + done,
                      first + done + k - 1, got, bytes);
            goto done;
        }
        if (rc != 0) {
            cli_progress_end(&p);
            cli_error_msg(a->in, synapt_reader_errmsg(r));
            goto done;
        }
        /* a manifest's clip: its member's label ids -> the dataset's */
        if (a->have_g && si.kind == SYNAPT_KIND_FRAME_LABELS && si.dtype == SYNAPT_DTYPE_I32 &&
            synapt_dataset_map_frame_labels(a->ds, a->g, buf, got / sizeof(int32_t)) != 0) {
            cli_progress_end(&p);
            cli_error_msg(a->in, synapt_dataset_errmsg(a->ds));
            goto done;
        }
        if (npy_writer_write(w, buf, bytes) != 0) {
            cli_progress_end(&p);
            cli_error_msg(a->out, npy_writer_errmsg(w));
            goto done;
        }
        done += k;
        cli_progress_update(&p, done, 0);
    }
    cli_progress_end(&p);
    int rc = npy_writer_close(w, err, sizeof err);
    w = NULL;
    if (rc != 0) {
        cli_error_msg(a->out, err);
        goto done;
    }
    if (cli_verbosity() > 0) {
        char sh[160], b[24];
        size_t o = (size_t)snprintf(sh, sizeof sh, "(");
        for (unsigned d = 0; d < ndim && o < sizeof sh; d++)
            o += (size_t)snprintf(sh + o, sizeof sh - o, d ? ", %" PRIu64 : "%" PRIu64, shape[d]);
        if (o < sizeof sh) snprintf(sh + o, sizeof sh - o, ndim == 1 ? ",)" : ")");
        uint64_t bytes = synapt_dtype_size(dtype);
        for (unsigned d = 0; d < ndim; d++) bytes *= shape[d];
        cli_info("%s: %s %s (%s)", a->out, sh, synapt_dtype_name(dtype),
                 cli_human_bytes(b, sizeof b, bytes));
    }
    ret = CLI_EXIT_OK;
done:
    npy_writer_abort(w);
    free(buf);
    synapt_reader_close(r);
    return ret;
}

/* ---- --to framemd5 ------------------------------------------------ */

/* Per-frame md5 of a video stream, in batches so memory stays flat. */
static int convert_framemd5(const convert_args *a0)
{
    convert_args a = *a0;
    if (!a.clip) cli_usage_error("--to framemd5 needs --clip ID");
    if (!a.stream) a.stream = "rgb";
    synapt_reader *r;
    if (open_input(&r, a.in)) return CLI_EXIT_ERROR;
    uint64_t clip, first, n;
    uint32_t stream;
    synapt_stream_info si;
    synapt_video_info vi;
    int ret = CLI_EXIT_ERROR;
    FILE *f = NULL;
    char *md5 = malloc(256 * 33);
    if (!md5) {
        cli_error(a.in, "out of memory");
        goto done;
    }
    if (find_clip_stream(&clip, &stream, &si, r, &a)) goto done;
    if (synapt_video_get_info(&vi, r, clip, stream) != 0) {
        cli_error_msg(a.in, synapt_reader_errmsg(r));
        goto done;
    }
    if (frame_range(&first, &n, &a, vi.frame_count)) goto done;
    f = stdout;
    if (a.dest && !(f = fopen(a.dest, "w"))) {
        cli_error(a.out, "cannot create: %s", strerror(errno));
        goto done;
    }
    for (uint64_t at = first; at < first + n; at += 256) {
        uint64_t k = first + n - at < 256 ? first + n - at : 256;
        if (synapt_video_frame_md5(md5, r, clip, stream, at, k) != 0) {
            cli_error_msg(a.in, synapt_reader_errmsg(r));
            goto done;
        }
        for (uint64_t i = 0; i < k; i++)
            fprintf(f, "%" PRIu64 " %s\n", at + i, md5 + i * 33);
    }
    if (fflush(f) != 0 || ferror(f)) {
        cli_error(a.out ? a.out : "stdout", "write failed: %s", strerror(errno));
        goto done;
    }
    if (a.dest) {
        int bad = fsync(fileno(f)) != 0 && errno != EINVAL;
        if (fclose(f) != 0 || bad) {
            f = NULL;
            cli_error(a.out, "write failed: %s", strerror(errno));
            goto done;
        }
        f = NULL;
    }
    ret = CLI_EXIT_OK;
done:
    if (f && f != stdout) fclose(f);
    free(md5);
    synapt_reader_close(r);
    return ret;
}

/* ---- --to video ---------------------------------------------------- */

static int convert_video(const convert_args *a0)
{
    convert_args a = *a0;
    if (!a.clip) cli_usage_error("--to video needs --clip ID");
    if (!a.out) cli_usage_error("--to video needs -o OUT.mp4 or OUT.mkv");
    if (a.frames) cli_usage_error("--to video writes the whole stream; --frames is not supported here");
    if (!a.stream) a.stream = "rgb";
    synapt_reader *r;
    if (open_input(&r, a.in)) return CLI_EXIT_ERROR;
    uint64_t clip;
    uint32_t stream;
    synapt_stream_info si;
    int ret = CLI_EXIT_ERROR;
    /* the staged name keeps the extension, which picks the container */
    const char *slash = strrchr(a.out, '/');
    const char *dot = strrchr(a.out, '.');
    if (!dot || (slash && dot < slash)) cli_usage_error("-o %s: give an extension (.mp4, .mkv)", a.out);
    if (find_clip_stream(&clip, &stream, &si, r, &a)) goto done;
    char err[1024] = "";
    int rc = synapt_video_export(r, clip, stream, a.dest, err, sizeof err);
    if (rc != 0) {
        cli_error_msg(a.out, err[0] ? err : synapt_strerror(rc));
        goto done;
    }
    cli_info("%s: clip %s stream %s written", a.out, a.clip, a.stream);
    ret = CLI_EXIT_OK;
done:
    synapt_reader_close(r);
    return ret;
}

/* ---- --to hdf5 ----------------------------------------------------- */

static int select_clips(uint64_t **out, size_t *count, const convert_args *a);

static int convert_hdf5(const convert_args *a)
{
    if (!a->out) cli_usage_error("--to hdf5 needs -o OUT.h5");
    if (a->clip || a->stream || a->frames)
        cli_usage_error("--to hdf5 exports whole clips of the whole file or a selection; --clip, "
                        "--stream and --frames do not apply");
    h5layout_export_options o = H5LAYOUT_EXPORT_OPTIONS_INIT;
    if (a->video && strcmp(a->video, "decode") && strcmp(a->video, "packets"))
        cli_usage_error("--video wants decode or packets (got '%s')", a->video);
    o.video_packets = a->video && !strcmp(a->video, "packets");
    o.zstd = a->hdf5_zstd;
    if ((a->width || a->short_side) && o.video_packets)
        cli_usage_error("--size and --short-side resize decoded video; --video packets keeps the packets as stored");
    o.width = a->width;
    o.height = a->height;
    o.short_side = a->short_side;
    char writer[64];
    snprintf(writer, sizeof writer, "synapt-convert %s", synapt_version());
    o.writer = writer;
    /* the chosen clips: the whole dataset, or a selection and/or a shard */
    uint64_t *pick = NULL;
    size_t npick = 0;
    convert_args all = *a;
    all.all = 1;
    if (select_clips(&pick, &npick, &all)) return CLI_EXIT_ERROR;
    o.clips = pick;
    o.clip_count = npick;
    cli_progress p;
    cli_progress_start(&p, "hdf5", "clips", npick);
    o.progress = cli_progress_cb;
    o.progress_user = &p;
    h5layout_stats st;
    char err[1024];
    int rc = h5layout_export(&st, a->ds, a->dest, &o, err, sizeof err);
    cli_progress_end(&p);
    free(pick);
    if (rc) {
        cli_error_msg(a->out, err);
        return CLI_EXIT_ERROR;
    }
    char b[24];
    cli_info("%s: %" PRIu64 " clips, %" PRIu64 " frames, %s", a->out, st.clips, st.frames,
             cli_human_bytes(b, sizeof b, st.bytes_written));
    return CLI_EXIT_OK;
}

/* ---- several clips: frames, csv, jsonl, npz, and npy/video with --all -- */

/* The dataset clips a multi-clip verb works on: --clip, or with --all (set
 * too by any selection option) the selection of tools/select, shared with
 * synapt-subset, narrowed to --shard. */
static int select_clips(uint64_t **out, size_t *count, const convert_args *a)
{
    *out = NULL;
    *count = 0;
    if (a->all && a->clip) cli_usage_error("give --clip ID or --all (or selection options), not both");
    if (!a->all && !a->clip) cli_usage_error("--to %s needs --clip ID or --all", a->to);
    if (a->all) return sel_pick(out, count, a->ds, a->sel, a->shard_k, a->shard_n, a->in);
    uint64_t *v = malloc(sizeof *v);
    if (!v) {
        cli_error(a->in, "out of memory");
        return -1;
    }
    int rc = synapt_dataset_find_clip(&v[0], a->ds, a->clip);
    if (rc) {
        if (rc == SYNAPT_E_NOT_FOUND) cli_error(a->in, "no clip with id '%s'", a->clip);
        else cli_error_msg(a->in, synapt_dataset_errmsg(a->ds));
        free(v);
        return -1;
    }
    *out = v;
    *count = 1;
    return 0;
}

/* --to preview of dataset clip g, read from its member file. */
static int convert_preview(const convert_args *a, uint64_t g, char *err, size_t errsz)
{
    synapt_reader *r;
    uint64_t clip;
    synapt_clip_info ci;
    int rc = export_acquire(&r, &clip, &ci, a->ds, g, err, errsz);
    if (rc) return rc;
    export_options o = EXPORT_OPTIONS_INIT;
    o.clips = &clip;
    o.clip_count = 1;
    rc = export_preview(r, a->dest, &o, 0, err, errsz);
    synapt_dataset_release(a->ds, r);
    return rc;
}

static int convert_multi(const convert_args *a)
{
    if (!a->out) cli_usage_error("--to %s needs -o", a->to);
    if (a->frames) cli_usage_error("--to %s writes whole streams; --frames does not apply", a->to);
    if (!strcmp(a->to, "preview") && a->all) cli_usage_error("--to preview shows one clip: give --clip ID");
    uint64_t *clips;
    size_t n;
    if (select_clips(&clips, &n, a)) return CLI_EXIT_ERROR;
    export_options o = EXPORT_OPTIONS_INIT;
    o.clips = clips;
    o.clip_count = n;
    o.stream = a->stream;
    o.folder = a->all;
    cli_progress p;
    cli_progress_start(&p, a->to, "clips", n);
    o.progress = cli_progress_cb;
    o.progress_user = &p;
    char err[1024] = "";
    uint64_t count = 0;
    int rc;
    const char *what;
    if (!strcmp(a->to, "frames")) {
        rc = export_frames(&count, a->ds, a->dest, &o, err, sizeof err);
        what = "PNG files";
    } else if (!strcmp(a->to, "preview")) {
        rc = convert_preview(a, clips[0], err, sizeof err);
        count = 1;
        what = "preview";
    } else if (!strcmp(a->to, "npz")) {
        rc = export_npz(&count, a->ds, a->dest, &o, err, sizeof err);
        what = ".npz files";
    } else {
        rc = export_table(&count, a->ds, a->dest, !strcmp(a->to, "jsonl"), &o, err, sizeof err);
        what = "rows";
    }
    cli_progress_end(&p);
    free(clips);
    if (rc) {
        cli_error_msg(a->out, err[0] ? err : synapt_strerror(rc));
        return CLI_EXIT_ERROR;
    }
    cli_info("%s: %" PRIu64 " %s", a->out, count, what);
    return CLI_EXIT_OK;
}

/* --to npy/video --all: one file per clip in a folder (main() builds it
 * beside -o and puts it in place at the end). Clips without the stream are
 * skipped (and counted). */
static int convert_each(const convert_args *a, int (*one)(const convert_args *), const char *ext)
{
    if (!a->out) cli_usage_error("--to %s --all needs -o DIR", a->to);
    if (a->clip) cli_usage_error("give --clip ID or --all (or selection options), not both");
    uint64_t *clips;
    size_t n;
    if (select_clips(&clips, &n, a)) return CLI_EXIT_ERROR;
    uint64_t written = 0, skipped = 0;
    int ret = CLI_EXIT_OK;
    int verbosity = cli_verbosity();
    cli_progress p;
    cli_progress_start(&p, a->to, "clips", n);
    /* the per-clip exports stay quiet: one progress bar, one summary */
    cli_set_verbosity(-1);
    for (size_t i = 0; i < n && ret == CLI_EXIT_OK; i++) {
        synapt_clip_info ci;
        synapt_dataset_member mi;
        uint32_t s, m;
        if (synapt_dataset_clip(&ci, a->ds, clips[i]) || synapt_dataset_locate(&m, NULL, a->ds, clips[i]) ||
            synapt_dataset_member_info(&mi, a->ds, m)) {
            cli_set_verbosity(verbosity);
            cli_error_msg(a->in, synapt_dataset_errmsg(a->ds));
            ret = CLI_EXIT_ERROR;
            break;
        }
        if (synapt_dataset_find_stream(&s, a->ds, clips[i], a->stream) != 0) {
            skipped++;
            continue;
        }
        char *name = cli_escape_name(ci.id), *id = strdup(ci.id);
        size_t len = strlen(a->dest) + strlen(a->out) + (name ? strlen(name) : 0) + strlen(ext) + 2;
        char *path = name ? malloc(len) : NULL, *shown = name ? malloc(len) : NULL;
        if (!path || !shown || !id) {
            free(name);
            free(id);
            free(path);
            free(shown);
            cli_set_verbosity(verbosity);
            cli_error(a->in, "out of memory");
            ret = CLI_EXIT_ERROR;
            break;
        }
        snprintf(path, len, "%s/%s%s", a->dest, name, ext);
        snprintf(shown, len, "%s/%s%s", a->out, name, ext);
        /* the per-clip verbs read the clip's member file directly (a clip
         * id is unique within its file) */
        convert_args one_args = *a;
        one_args.in = mi.resolved_path;
        one_args.have_g = synapt_dataset_is_manifest(a->ds);
        one_args.g = clips[i];
        one_args.all = 0;
        one_args.clip = id;
        one_args.out = shown;
        one_args.dest = path;
        ret = one(&one_args);
        free(path);
        free(shown);
        free(name);
        free(id);
        if (ret == CLI_EXIT_OK) written++;
        cli_progress_update(&p, i + 1, 0);
    }
    cli_set_verbosity(verbosity);
    cli_progress_end(&p);
    free(clips);
    if (ret == CLI_EXIT_OK && written == 0) {
        cli_error(a->in, "no chosen clip has a stream '%s'", a->stream);
        ret = CLI_EXIT_ERROR;
    }
    if (ret == CLI_EXIT_OK)
        cli_info("%s: %" PRIu64 " files, %" PRIu64 " clips without stream '%s' skipped", a->out, written,
                 skipped, a->stream);
    return ret;
}

static int convert_npy_any(const convert_args *a)
{
    if (!a->all) return convert_npy(a);
    if (!a->stream) cli_usage_error("--to npy --all needs --stream NAME");
    return convert_each(a, convert_npy, ".npy");
}

static int convert_video_any(const convert_args *a0)
{
    convert_args a = *a0;
    if (!a.stream) a.stream = "rgb";
    if (!a.all) return convert_video(&a);
    if (a.frames) cli_usage_error("--to video writes the whole stream; --frames is not supported here");
    return convert_each(&a, convert_video, ".mkv");
}

/* ---- dispatch ------------------------------------------------------ */

typedef struct verb {
    const char *name;
    int (*run)(const convert_args *a);
} verb;

static const verb verbs[] = {
    { "npy", convert_npy_any },
    { "framemd5", convert_framemd5 },
    { "video", convert_video_any },
    { "hdf5", convert_hdf5 },
    { "frames", convert_multi },
    { "csv", convert_multi },
    { "jsonl", convert_multi },
    { "npz", convert_multi },
    { "preview", convert_multi },
};

int main(int argc, char **argv)
{
    enum { OPT_TO = 0x2000, OPT_CLIP, OPT_STREAM, OPT_FRAMES, OPT_VIDEO, OPT_HDF5_ZSTD, OPT_ALL,
           OPT_SIZE, OPT_SHORT, OPT_SHARD };
    static const struct option longopts[] = {
        { "to", required_argument, NULL, OPT_TO },
        { "clip", required_argument, NULL, OPT_CLIP },
        { "stream", required_argument, NULL, OPT_STREAM },
        { "frames", required_argument, NULL, OPT_FRAMES },
        { "output", required_argument, NULL, 'o' },
        { "video", required_argument, NULL, OPT_VIDEO },
        { "hdf5-zstd", no_argument, NULL, OPT_HDF5_ZSTD },
        { "all", no_argument, NULL, OPT_ALL },
        { "shard", required_argument, NULL, OPT_SHARD },
        { "size", required_argument, NULL, OPT_SIZE },
        { "short-side", required_argument, NULL, OPT_SHORT },
        SEL_LONGOPTS,
        CLI_COMMON_OPTIONS,
        { NULL, 0, NULL, 0 }
    };
    cli_init("synapt-convert", usage);
    convert_args a;
    memset(&a, 0, sizeof a);
    sel_criteria crit;
    sel_init(&crit);
    a.sel = &crit;
    int c;
    opterr = 0;
    cli_refuse_abbrev(argc, argv, ":o:" CLI_COMMON_SHORT, longopts);
    while ((c = getopt_long(argc, argv, ":o:" CLI_COMMON_SHORT, longopts, NULL)) != -1) {
        if (cli_common_option(c, argv)) continue;
        if (sel_option(&crit, c, optarg)) continue;
        switch (c) {
        case OPT_TO: a.to = optarg; break;
        case OPT_CLIP: a.clip = optarg; break;
        case OPT_STREAM: a.stream = optarg; break;
        case OPT_FRAMES: a.frames = optarg; break;
        case 'o': a.out = optarg; break;
        case OPT_VIDEO: a.video = optarg; break;
        case OPT_HDF5_ZSTD: a.hdf5_zstd = 1; break;
        case OPT_ALL: a.all = 1; break;
        case OPT_SHARD: cli_parse_shard(optarg, &a.shard_k, &a.shard_n); break;
        case OPT_SIZE: cli_parse_wxh(&a.width, &a.height, optarg, "--size"); break;
        case OPT_SHORT: {
            uint64_t v;
            if (cli_parse_u64(&v, optarg) || v < 2 || v > 16384)
                cli_usage_error("--short-side wants a pixel count (got '%s')", optarg);
            a.short_side = (uint32_t)v;
            break;
        }
        default: cli_usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc) cli_usage_error("no input file given");
    if (argc - optind > 1) cli_usage_error("one input file at a time (got %d)", argc - optind);
    a.in = argv[optind];
    cli_route_ffmpeg_log();
    char list[256];
    size_t o = 0;
    list[0] = 0;
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0] && o < sizeof list; i++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", verbs[i].name);
    if (!a.to) cli_usage_error("--to FORMAT is required (formats: %s)", list);
    size_t v = 0;
    while (v < sizeof verbs / sizeof verbs[0] && strcmp(verbs[v].name, a.to) != 0) v++;
    if (v == sizeof verbs / sizeof verbs[0])
        cli_usage_error("unknown format '%s' for --to (formats: %s)", a.to, list);
    /* a selection option chooses clips the way --all does */
    if (crit.any) {
        if (a.clip) cli_usage_error("give --clip ID or selection options, not both");
        if (!strcmp(a.to, "framemd5") || !strcmp(a.to, "preview"))
            cli_usage_error("--to %s works on one clip (--clip ID): the selection options do not apply", a.to);
        a.all = 1;
    }
    int folder = !strcmp(a.to, "frames") || (a.all && (!strcmp(a.to, "npy") || !strcmp(a.to, "video") ||
                                                      !strcmp(a.to, "npz")));
    if (a.all && !folder && strcmp(a.to, "csv") && strcmp(a.to, "jsonl") && strcmp(a.to, "hdf5"))
        cli_usage_error("--all applies to --to npy, video, frames, csv, jsonl, npz and hdf5");
    if ((a.video || a.hdf5_zstd || a.width || a.short_side) && strcmp(a.to, "hdf5") != 0)
        cli_usage_error("--video, --hdf5-zstd, --size and --short-side apply to --to hdf5 only");
    if (a.width && a.short_side) cli_usage_error("give --size or --short-side, not both");
    if (a.shard_n && !a.all && strcmp(a.to, "hdf5") != 0)
        cli_usage_error("--shard K/N splits whole-file exports: it goes with --all or --to hdf5");
    if (cli_check_input(a.in)) return CLI_EXIT_ERROR;
    /* every file read: no output may replace one (the input, a manifest's
     * members, the --ids list) */
    const char *inputs_fixed[2] = { a.in, crit.ids_path };
    const char **inputs = inputs_fixed;
    size_t ninputs = crit.ids_path ? 2 : 1;
    /* the input as a dataset (a .synapt file or a manifest); a file the
     * dataset cannot open is left to the reader, whose message is the one
     * users know */
    synapt_dataset *ds = NULL;
    char derr[1024] = "";
    int drc = synapt_dataset_open(&ds, a.in, NULL, derr, sizeof derr);
    if (drc != 0 && drc != SYNAPT_E_IO && drc != SYNAPT_E_NOT_SYNAPT && drc <= SYNAPT_E_MANIFEST) {
        cli_error_msg(a.in, derr);
        return CLI_EXIT_ERROR;
    }
    int single = !a.all && (!strcmp(a.to, "npy") || !strcmp(a.to, "video") || !strcmp(a.to, "framemd5"));
    if (drc != 0) {
        synapt_reader *r;
        if (open_input(&r, a.in) == 0) {
            synapt_reader_close(r);
            cli_error_msg(a.in, derr);
        }
        return CLI_EXIT_ERROR;
    }
    if (synapt_dataset_is_manifest(ds)) {
        uint32_t nm = synapt_dataset_member_count(ds);
        inputs = malloc((nm + 2) * sizeof *inputs);
        if (!inputs) {
            cli_error(a.in, "out of memory");
            return CLI_EXIT_ERROR;
        }
        ninputs = 0;
        inputs[ninputs++] = a.in;
        if (crit.ids_path) inputs[ninputs++] = crit.ids_path;
        for (uint32_t m = 0; m < nm; m++) {
            synapt_dataset_member mi;
            if (synapt_dataset_member_info(&mi, ds, m) == 0) inputs[ninputs++] = mi.resolved_path;
        }
    }
    if (single && synapt_dataset_is_manifest(ds)) {
        /* a one-clip verb reads that clip's member file (the clip keeps its
         * id there) */
        uint64_t g;
        uint32_t m;
        synapt_dataset_member mi;
        if (!a.clip) cli_usage_error("--to %s needs --clip ID", a.to);
        if (synapt_dataset_find_clip(&g, ds, a.clip) || synapt_dataset_locate(&m, NULL, ds, g) ||
            synapt_dataset_member_info(&mi, ds, m)) {
            cli_error_msg(a.in, synapt_dataset_errmsg(ds));
            synapt_dataset_close(ds);
            return CLI_EXIT_ERROR;
        }
        a.in = mi.resolved_path;
        a.have_g = 1;
        a.g = g;
    }
    a.ds = ds;
    /* every verb writes beside -o and main() puts the result in place only
     * on success (cli.h, "safe outputs"): a file output inside a staging
     * folder, a folder output as a temporary folder exchanged with -o */
    cli_staged st;
    cli_outdir od;
    int rc = CLI_EXIT_ERROR;
    if (a.out && folder) {
        if (cli_outdir_open(&od, a.out, inputs, ninputs)) goto out;
        a.dest = od.tmp;
    } else if (a.out) {
        if (cli_staged_open(&st, a.out, inputs, ninputs)) goto out;
        a.dest = st.file;
    }
    rc = verbs[v].run(&a);
    if (a.out) {
        int ok = rc == CLI_EXIT_OK || rc == CLI_EXIT_PROBLEMS;
        if (folder) {
            if (!ok) cli_outdir_abort(&od);
            else if (cli_outdir_commit(&od)) rc = CLI_EXIT_ERROR;
        } else {
            if (!ok) cli_staged_abort(&st);
            else if (cli_staged_commit(&st)) rc = CLI_EXIT_ERROR;
        }
    }
out:
    if (inputs != inputs_fixed) free(inputs);
    synapt_dataset_close(ds);
    sel_free(&crit);
    return rc;
}
