/* synapt-pack - build a .synapt file from videos or a manifest.
 *
 *   synapt-pack -o OUT.synapt MANIFEST.jsonl
 *   synapt-pack -o OUT.synapt VIDEO...
 *
 * The work is done by the import engine (tools/import_*.c): this file only
 * turns the command line into an import_list and import_pack_options. Plain
 * video arguments become one clip each (id = file name without extension);
 * anything else is an annotation input parsed by the layout --format names
 * (detected when not given). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libavutil/log.h>

#include "cli/cli.h"
#include "h5/h5.h"
#include "import/import.h"
#include "synapt.h"

static const char usage[] =
    "Usage: synapt-pack -o OUT.synapt [options] MANIFEST.jsonl | VIDEO... | DATASET...\n"
    "Pack videos (and their sidecars) into a .synapt file.\n"
    "\n"
    "Inputs:\n"
    "  VIDEO...               video files (mp4, avi, mkv, webm, mov, ...): one clip each,\n"
    "                         id = file name without extension\n"
    "  MANIFEST.jsonl         one JSON object a line: {\"video\": PATH, \"id\": ..., \"label\":\n"
    "                         NAME or [NAMES], \"split\", \"source\", \"synthetic\", \"group\"};\n"
    "                         paths are relative to the manifest and stay below it\n"
    "  --allow-outside-paths  accept absolute paths and '..' in manifests, lists and\n"
    "                         split files (refused by default: a manifest from\n"
    "                         elsewhere must not pull in other files of this machine)\n"
    "  --format NAME          annotation layout of the inputs (default: detected)\n"
    "  --root DIR             where the videos of an annotation layout live\n"
    "                         (default: beside the annotations)\n"
    "                         layouts: manifest (JSONL/CSV), ucf101, hmdb51, kinetics,\n"
    "                         ssv2, diving48, uav-human, ikea-fa, mini-ssv2, list,\n"
    "                         ntu, surreact, folder (videos, or\n"
    "                         class folders of videos: the folder name is the label),\n"
    "                         hdf5 (one file written by synapt-convert --to hdf5, in\n"
    "                         the layout of spec/hdf5.md: clips, labels, streams and\n"
    "                         video packets come back as they were)\n"
    "  --split-id N           ucf101/hmdb51: which official split (default 1)\n"
    "  --labels FILE          list, manifest, SynAPT split lists (train.csv/val.csv): class\n"
    "                         names, one a line (integer labels and frame labels index\n"
    "                         it); diving48: a vocab .json\n"
    "  --missing-list FILE    ntu: the official samples-with-missing-skeletons list\n"
    "  --no-video             pack the sidecars only (e.g. NTU skeletons without the\n"
    "                         RGB videos); the first sidecar sets the frame count\n"
    "\n"
    "Manifest columns (JSONL keys or CSV header): video | frames (folder or glob of\n"
    "PNG/JPEG), id, label (CSV: a|b), split, source, synthetic, group (k=v|k2=v2 or a\n"
    "JSON object), start_frame, end_frame (half-open: the clip keeps exactly those\n"
    "frames of every stream, video cut frame-exactly without re-encoding), pose2d,\n"
    "pose3d, skeleton\n"
    "(coco17 body25 ntu25 smpl24 h36m17 openpose18), depth, depth_scale (metres per\n"
    "unit; 16-bit PNG default 0.001), mask, frame_labels, meta (JSON object).\n"
    "Sidecar kinds come from the name: .skeleton (NTU), a folder of *_keypoints.json\n"
    "(OpenPose), .json (Kinetics-skeleton, or one OpenPose frame), .npy, file.npz:KEY,\n"
    "file.h5:/dataset, _info.mat/_depth.mat/_segm.mat (SURREAL), a folder of PNG\n"
    "frames or one PNG (depth, mask).\n"
    "\n"
    "Video storage (the rgb stream):\n"
    "  --rgb MODE             copy (default: source packets byte for byte), h264, hevc,\n"
    "                         mjpeg, ffv1 (lossless) or raw (decoded frames, zstd)\n"
    "  --gop N                keyframe interval when re-encoding h264/hevc (default 32)\n"
    "  --quality Q            h264/hevc CRF (default 20/24), mjpeg qscale (default 3)\n"
    "  --size WxH             re-encode to exactly WxH\n"
    "  --short-side N         re-encode so the short side is N pixels, aspect kept\n"
    "  --full-decode          copy: decode every packet to build the frame map even\n"
    "                         when a header scan (H.264, VP9, MPEG-4, MJPEG) proves\n"
    "                         it; slower, reports packets the decoder rejects\n"
    "\n"
    "Run:\n"
    "  -o, --output FILE      the .synapt file to write (required)\n"
    "  -j, --threads N        clips packed at once (default: usable cores)\n"
    "  -k, --keep-going       skip clips that fail, write OUT.report.json, exit 3\n"
    "  --report FILE          where --keep-going writes its JSON report\n"
    "  --on-mismatch POLICY   a sidecar whose frame count differs from the video's:\n"
    "                         error (default), truncate (cut longer sidecars to the\n"
    "                         video) or pad (cut or pad to the video: no person, zero\n"
    "                         depth/mask, label -1); the policy goes in the clip meta\n"
    "  --shard K/N            pack only clips with xxh3(id) % N == K (0 <= K < N), so\n"
    "                         N machines each pack their part of the same annotations\n"
    "  --max-shard-bytes B    roll over to OUT-00000.synapt, OUT-00001.synapt, ... when\n"
    "                         a file would pass B bytes (suffixes K, M, G: binary),\n"
    "                         with the manifest joining them (-o a.synapt: a.synapt.json)\n"
    "  --tmp-dir DIR          per-clip scratch files (default: beside OUT)\n"
    "  --resume FILE          continue a killed run: FILE is what synapt-recover\n"
    "                         salvaged from it; its clips are copied, not imported\n"
    "                         again, and the rest are packed (same arguments, same\n"
    "                         output bytes as an uninterrupted run)\n"
    "  --zstd-level N         zstd level for array streams (default 3)\n"
    "  --depth-codec C        u16 depth: zstd (default; fastest reads), ans (a\n"
    "                         context model with rANS: 1.5-1.8x smaller on sensor\n"
    "                         depth, 1.1-1.3x on rendered; decodes 6-7x slower;\n"
    "                         needs format 1.2 readers), strip (the same kind of\n"
    "                         model in 16 strips: as small on sensor depth,\n"
    "                         decodes at most 1.25x slower than zstd with\n"
    "                         AVX-512, 3x faster than ans with AVX2; format 1.4\n"
    "                         readers) or\n"
    "                         med (zstd with depth_med only: larger, files every\n"
    "                         1.x reader reads)\n"
    "  -q, --quiet            no progress, no warnings\n"
    "  -v, --verbose          say what each input holds and what is ignored\n"
    "                         (audio and other streams)\n"
    "  -h, --help             this text;  --version  the version\n"
    "\n"
    "Exit status: 0 all packed, 1 error (nothing written), 2 usage, 3 some clips skipped.\n";

enum { OPT_RGB = 0x2001, OPT_GOP, OPT_SIZE, OPT_SHORT, OPT_FORMAT, OPT_ROOT, OPT_OUTSIDE, OPT_QUALITY, OPT_ZSTD,
       OPT_SPLIT_ID, OPT_LABELS, OPT_MISSING, OPT_MISMATCH, OPT_SHARD, OPT_MAX_SHARD, OPT_REPORT,
       OPT_TMP, OPT_NO_VIDEO, OPT_RESUME, OPT_FULL_DECODE, OPT_DEPTH_CODEC };

static const char *resumed_note(char *buf, size_t n, uint64_t resumed)
{
    if (!resumed)
        return "";
    char c[32];
    snprintf(buf, n, " (%s copied from --resume)", cli_human_count(c, sizeof c, resumed));
    return buf;
}

static int is_video_name(const char *p)
{
    static const char *const ext[] = { ".mp4", ".avi", ".mkv", ".webm", ".mov", ".m4v", ".mpg",
                                       ".mpeg", ".flv", ".wmv", ".ts", ".3gp", ".ogv", ".y4m", NULL };
    const char *dot = strrchr(p, '.');
    if (!dot)
        return 0;
    for (int i = 0; ext[i]; i++)
        if (!strcasecmp(dot, ext[i]))
            return 1;
    return 0;
}

/* id = base name without the extension */
static char *video_id(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    char *id = strdup(b);
    if (id) {
        char *dot = strrchr(id, '.');
        if (dot && dot != id)
            *dot = 0;
    }
    return id;
}

static void log_cb(void *user, int level, const char *msg)
{
    (void)user;
    if (level == 0)
        cli_warn(NULL, "%s", msg);
    else
        cli_info("%s", msg);
}

typedef struct hdf5_job {
    const char *in, *out;
    const synapt_writer_options *wo;
    cli_progress *p;
    h5layout_stats st;
} hdf5_job;

static int hdf5_run(void *arg, char *err, size_t errsz)
{
    hdf5_job *j = arg;
    return h5layout_import(&j->st, j->in, j->out, j->wo, cli_progress_cb, j->p, err, errsz);
}

/* --format hdf5: the whole file is rebuilt by tools/h5; the options
 * that shape an import from videos and annotations do not apply. libhdf5
 * reads the untrusted file in a sandboxed child (tools/cli/cli_sandbox.c) that
 * writes the staged output itself, so a crash or a spin in the library is
 * one line about the file, not the end of this process. */
static int pack_hdf5(int n, char **in, const import_pack_options *po)
{
    if (n != 1) cli_usage_error("--format hdf5 reads one .h5 file (got %d inputs)", n);
    synapt_writer_options wo = SYNAPT_WRITER_OPTIONS_INIT;
    if (po->zstd_level) wo.zstd_level = po->zstd_level;
    cli_depth_codec_apply(&wo, po->depth_codec);
    cli_progress p;
    cli_progress_start(&p, "hdf5", "clips", 0);
    h5layout_stats st;
    char err[1024];
    if (cli_check_input(in[0])) return CLI_EXIT_ERROR;
    /* written inside a staging folder beside OUT, renamed at the end */
    cli_staged stage;
    const char *const inputs[1] = { in[0] };
    if (cli_staged_open(&stage, po->out, inputs, 1)) return CLI_EXIT_ERROR;
    /* CPU for the child: two minutes plus one second per MiB, far above
     * what an honest file needs */
    struct stat sb;
    uint64_t mib = stat(in[0], &sb) == 0 ? (uint64_t)sb.st_size >> 20 : 0;
    hdf5_job job = { in[0], stage.file, &wo, &p, { 0 } };
    int rc = cli_sandboxed_run(hdf5_run, &job, &job.st, sizeof job.st,
                                  (unsigned)(120 + (mib < 1000000 ? mib : 1000000)), in[0], "HDF5",
                                  err, sizeof err);
    st = job.st;
    cli_progress_end(&p);
    if (rc) {
        cli_staged_abort(&stage);
        cli_error_msg(in[0], err);
        return CLI_EXIT_ERROR;
    }
    if (cli_staged_commit(&stage)) return CLI_EXIT_ERROR;
    char b[32];
    if (cli_verbosity() >= 0)
        fprintf(stderr, "synapt-pack: %s: %" PRIu64 " clips, %" PRIu64 " streams, %" PRIu64 " frames, %s\n",
                po->out, st.clips, st.streams, st.frames, cli_human_bytes(b, sizeof b, st.bytes_written));
    return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
    cli_init("synapt-pack", usage);
    static const struct option longopts[] = {
        CLI_COMMON_OPTIONS,
        { "output", required_argument, NULL, 'o' },
        { "threads", required_argument, NULL, 'j' },
        { "keep-going", no_argument, NULL, 'k' },
        { "rgb", required_argument, NULL, OPT_RGB },
        { "gop", required_argument, NULL, OPT_GOP },
        { "quality", required_argument, NULL, OPT_QUALITY },
        { "size", required_argument, NULL, OPT_SIZE },
        { "short-side", required_argument, NULL, OPT_SHORT },
        { "format", required_argument, NULL, OPT_FORMAT },
        { "root", required_argument, NULL, OPT_ROOT },
        { "allow-outside-paths", no_argument, NULL, OPT_OUTSIDE },
        { "zstd-level", required_argument, NULL, OPT_ZSTD },
        { "split-id", required_argument, NULL, OPT_SPLIT_ID },
        { "labels", required_argument, NULL, OPT_LABELS },
        { "missing-list", required_argument, NULL, OPT_MISSING },
        { "on-mismatch", required_argument, NULL, OPT_MISMATCH },
        { "shard", required_argument, NULL, OPT_SHARD },
        { "max-shard-bytes", required_argument, NULL, OPT_MAX_SHARD },
        { "report", required_argument, NULL, OPT_REPORT },
        { "tmp-dir", required_argument, NULL, OPT_TMP },
        { "resume", required_argument, NULL, OPT_RESUME },
        { "no-video", no_argument, NULL, OPT_NO_VIDEO },
        { "full-decode", no_argument, NULL, OPT_FULL_DECODE },
        { "depth-codec", required_argument, NULL, OPT_DEPTH_CODEC },
        { NULL, 0, NULL, 0 }
    };
    import_pack_options po;
    memset(&po, 0, sizeof po);
    synapt_video_import_options vdef = SYNAPT_VIDEO_IMPORT_OPTIONS_INIT;
    po.video = vdef;
    import_options io = IMPORT_OPTIONS_INIT;
    uint64_t v;
    int c;
    opterr = 0; /* cli_common_option reports bad options once, in the tool's format */
    cli_refuse_abbrev(argc, argv, ":" CLI_COMMON_SHORT "o:j:k", longopts);
    while ((c = getopt_long(argc, argv, ":" CLI_COMMON_SHORT "o:j:k", longopts, NULL)) != -1) {
        if (cli_common_option(c, argv))
            continue;
        switch (c) {
        case 'o': po.out = optarg; break;
        case 'k': po.keep_going = 1; io.keep_going = 1; break;
        case 'j':
            if (cli_parse_u64(&v, optarg) || v > 256)
                cli_usage_error("-j wants a thread count (got '%s')", optarg);
            po.threads = (int)v;
            break;
        case OPT_RGB:
            if ((po.video.mode = synapt_video_mode_from_name(optarg)) < 0)
                cli_usage_error("--rgb wants copy, h264, hevc, mjpeg, ffv1 or raw (got '%s')", optarg);
            break;
        case OPT_GOP:
            if (cli_parse_u64(&v, optarg) || v < 1 || v > 100000)
                cli_usage_error("--gop wants a positive frame count (got '%s')", optarg);
            po.video.gop = (uint32_t)v;
            break;
        case OPT_QUALITY:
            if (cli_parse_u64(&v, optarg) || v < 1 || v > 51)
                cli_usage_error("--quality wants 1..51 (got '%s')", optarg);
            po.video.quality = (int)v;
            break;
        case OPT_SIZE: cli_parse_wxh(&po.video.width, &po.video.height, optarg, "--size"); break;
        case OPT_SHORT:
            if (cli_parse_u64(&v, optarg) || v < 2 || v > 16384)
                cli_usage_error("--short-side wants a pixel count (got '%s')", optarg);
            po.video.short_side = (uint32_t)v;
            break;
        case OPT_FORMAT: io.format = optarg; break;
        case OPT_ROOT: io.root = optarg; break;
        case OPT_OUTSIDE: io.allow_outside_paths = 1; break;
        case OPT_ZSTD:
            if (cli_parse_u64(&v, optarg) || v < 1 || v > 22)
                cli_usage_error("--zstd-level wants 1..22 (got '%s')", optarg);
            po.zstd_level = (int)v;
            break;
        case OPT_SPLIT_ID:
            if (cli_parse_u64(&v, optarg) || v < 1 || v > 9)
                cli_usage_error("--split-id wants 1..9 (got '%s')", optarg);
            io.split_id = (int)v;
            break;
        case OPT_LABELS: io.labels_file = optarg; break;
        case OPT_MISSING: io.missing_list = optarg; break;
        case OPT_MISMATCH:
            if ((po.on_mismatch = import_mismatch_from_name(optarg)) < 0)
                cli_usage_error("--on-mismatch wants error, truncate or pad (got '%s')", optarg);
            break;
        case OPT_SHARD: cli_parse_shard(optarg, &po.shard_k, &po.shard_n); break;
        case OPT_MAX_SHARD:
            if (cli_parse_size(&po.max_shard_bytes, optarg))
                cli_usage_error("--max-shard-bytes wants a size such as 4G or 500000000 (got '%s')", optarg);
            break;
        case OPT_REPORT: po.report = optarg; break;
        case OPT_TMP: po.tmp_dir = optarg; break;
        case OPT_RESUME: po.resume = optarg; break;
        case OPT_NO_VIDEO: po.no_video = 1; break;
        case OPT_FULL_DECODE: po.video.full_decode = 1; break;
        case OPT_DEPTH_CODEC: po.depth_codec = cli_parse_depth_codec(optarg); break;
        default:
            cli_usage_error("unknown option");
        }
    }
    if (!po.out)
        cli_usage_error("-o OUT.synapt is required");
    if (po.resume && po.max_shard_bytes)
        cli_usage_error("--resume continues one output file; with --max-shard-bytes, resume "
                        "each shard's run on its own (--shard K/N) instead");
    if (optind >= argc)
        cli_usage_error("give a manifest, videos or a dataset to pack");
    if (po.video.mode == SYNAPT_VSTORE_COPY && (po.video.width || po.video.short_side))
        cli_usage_error("--size/--short-side need a re-encode: add --rgb h264 (or hevc, mjpeg, ffv1, raw)");
    if (po.video.width && po.video.short_side)
        cli_usage_error("give --size or --short-side, not both");
    if (po.video.full_decode && (po.video.mode != SYNAPT_VSTORE_COPY || po.no_video))
        cli_usage_error("--full-decode is for --rgb copy (a re-encode decodes every packet anyway)");
    if (cli_verbosity() > 0) {
        po.video.log = log_cb;
        po.video.log_user = NULL;
    }
    po.progress = cli_verbosity() >= 0;
    /* the library reports problems itself, naming the file; FFmpeg's own
     * chatter (process-global, so set here in the tool) only with -v */
    av_log_set_level(cli_verbosity() > 0 ? AV_LOG_ERROR : AV_LOG_QUIET);

    if (io.format && strcmp(io.format, "hdf5") == 0)
        return pack_hdf5(argc - optind, argv + optind, &po);
    if (po.resume && cli_is_manifest(po.resume)) {
        cli_error(po.resume, "is a dataset manifest: --resume takes the .synapt file synapt-recover "
                  "salvaged from the killed run");
        return CLI_EXIT_ERROR;
    }
    for (int i = optind; i < argc; i++)
        if (cli_is_manifest(argv[i])) {
            cli_error(argv[i], "is a dataset manifest of .synapt files; synapt-pack imports videos "
                      "and annotations: copy its clips with synapt-subset or synapt-merge");
            return CLI_EXIT_ERROR;
        }

    import_list list;
    import_list_init(&list);
    char err[1024] = "";
    int rc = 0;
    /* plain videos: every argument a video file and no --format */
    int plain = !io.format;
    for (int i = optind; plain && i < argc; i++)
        if (!is_video_name(argv[i]))
            plain = 0;
    if (plain) {
        for (int i = optind; i < argc; i++) {
            char *id = video_id(argv[i]);
            import_clip *cl;
            if (!id || (rc = import_list_append(&cl, &list, id, argv[i], 0))) {
                free(id);
                cli_error(argv[i], "out of memory");
                import_list_free(&list);
                return CLI_EXIT_ERROR;
            }
            free(id);
            cl->video = strdup(argv[i]);
            if (!cl->video) {
                cli_error(argv[i], "out of memory");
                import_list_free(&list);
                return CLI_EXIT_ERROR;
            }
        }
    } else {
        rc = import_parse(&list, &io, (const char *const *)argv + optind, (size_t)(argc - optind),
                          err, sizeof err);
        if (rc) {
            cli_error_msg(argv[optind], err[0] ? err : synapt_strerror(rc));
            import_list_free(&list);
            return CLI_EXIT_ERROR;
        }
        for (size_t i = 0; i < list.warning_count; i++)
            cli_warn(NULL, "%s", list.warnings[i]);
    }
    if (list.count == 0 && list.skipped_count == 0) {
        cli_error(argv[optind], "no clips to pack");
        import_list_free(&list);
        return CLI_EXIT_ERROR;
    }
    import_pack_stats st;
    memset(&st, 0, sizeof st);
    rc = import_pack_run(&st, &list, &po, err, sizeof err);
    import_list_free(&list);
    if (rc < 0) {
        cli_error_msg(po.out, err[0] ? err : synapt_strerror(rc));
        return CLI_EXIT_ERROR;
    }
    char b1[32], b2[32], b3[32], b4[48];
    if (cli_verbosity() >= 0)
        fprintf(stderr, "synapt-pack: %s: %s clips%s, %s frames, %s in, %s out%s\n", po.out,
                cli_human_count(b3, sizeof b3, st.packed), resumed_note(b4, sizeof b4, st.resumed),
                cli_human_count(b1, sizeof b1, st.frames), cli_human_bytes(b2, sizeof b2, st.input_bytes),
                cli_human_bytes(err, sizeof err, st.output_bytes),
                st.skipped ? " (some clips skipped: see the report)" : "");
    if (cli_verbosity() > 0) {
        cli_info("%s shard file(s), %.2f s, %.1f clips/s, peak RSS %s", cli_human_count(b4, sizeof b4, st.shards),
                 st.seconds, st.seconds > 0 ? (double)st.packed / st.seconds : 0.0,
                 cli_human_bytes(b1, sizeof b1, cli_peak_rss()));
    }
    return rc == 3 ? CLI_EXIT_PROBLEMS : CLI_EXIT_OK;
}
