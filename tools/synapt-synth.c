/* synapt-synth - generate a synthetic human-action dataset: procedural
 * actors performing parametric actions, rendered with RGB, depth, body-part
 * masks and 2D/3D joints, into a .synapt file or a SURREACT-like folder. */
#include "cli/cli.h"
#include "synapt.h"
#include "synth/synth.h"

#include <libavutil/log.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static const char usage[] =
"Usage: synapt-synth -o OUT [options]\n"
"Generate synthetic human-action clips with perfect labels: RGB, depth (u16 mm),\n"
"body-part masks (0 background, 1..24 SMPL parts), 2D joints (px, visibility)\n"
"and 3D joints (camera frame, metres, OpenCV axes), SMPL-24 skeleton.\n"
"\n"
"Output:\n"
"  -o, --output OUT        a .synapt file, or a folder with --layout dir\n"
"      --layout KIND       'synapt' (default) or 'dir': a SURREACT-like folder\n"
"                          (clips/ID/ID.mp4, ID_info.json, ID_pose2d.npy,\n"
"                          ID_pose3d.npy, depth/*.png 16-bit mm, mask/*.png)\n"
"                          plus manifest.jsonl for synapt-pack and classes.txt\n"
"      --rgb MODE          'h264' or 'raw' (u8 images; with --layout dir, PNG\n"
"                          frames). Default: h264\n"
"      --gop N             keyframe interval of H.264 RGB (default 16)\n"
"      --crf N             H.264 quality, 0..51, lower is better (default 18)\n"
"      --depth-codec C     'zstd' (default, fastest reads), 'ans' (1.1-1.3x\n"
"                          smaller on this rendered depth, 10-18x slower to\n"
"                          decode; needs a format 1.2 reader), 'strip' (the\n"
"                          same model in 16 strips, fast with AVX-512; format\n"
"                          1.4) or 'med' (zstd with depth_med only, for any\n"
"                          1.x reader); ans, strip and med not with --layout dir\n"
"\n"
"Dataset:\n"
"      --classes N         the first N classes (default 12): the 14 actions, then\n"
"                          the same 14 slow, fast, crouched, ... (154 in all;\n"
"                          --list-classes shows them)\n"
"      --clips-per-class M clips per class (default 20)\n"
"      --frames T          frames per clip (default 32)\n"
"      --size WxH          frame size (default 112x112)\n"
"      --fps N             frame rate of the motion (default 30)\n"
"      --seed S            random seed (default 1); same seed, same bytes\n"
"      --actors N          size of the actor pool, group 'actor' (default 10)\n"
"      --backgrounds N     procedural backgrounds, group 'scene' (default 16)\n"
"      --val-every K       clip k of each class is 'val' when k % K == K-1,\n"
"                          else 'train'; 0 = all train (default 5)\n"
"      --split-by KEY      'clip' (default) or 'actor': the --val-every rule on\n"
"                          the actor id, so no actor is in both splits\n"
"      --scene-bias P      probability a clip uses its class's own background\n"
"                          instead of a random one (default 0)\n"
"      --view-bias P       probability a clip uses its class's own camera\n"
"                          azimuth range instead of a random one (default 0)\n"
"      --list-classes      print the class names and exit\n"
"\n"
"Run:\n"
"      --threads N         render threads (default: the cores this process may\n"
"                          run on, its CPU affinity, e.g. Slurm --cpus-per-task);\n"
"                          the output does not depend on it\n"
"      --shard K/N         only the clips with xxh3(id) % N == K (0 <= K < N), as\n"
"                          synapt-pack: N workers with the same options write\n"
"                          disjoint parts, each clip byte-identical to the\n"
"                          same clip of one whole run\n"
"  -q, --quiet             no summary, no progress bar\n"
"  -v, --verbose           more detail\n"
"  -h, --help              this text\n"
"      --version           version\n"
"\n"
"Every clip records its camera intrinsics in its metadata as\n"
"\"camera\": {\"fx\",\"fy\",\"cx\",\"cy\",...} and all generator parameters under\n"
"\"synth\". Groups: actor, scene (background id), view (45-degree azimuth bin).\n"
"Exit status: 0 ok, 1 error, 2 usage error.\n";

enum {
    OPT_CLASSES = 0x2000, OPT_CPC, OPT_FRAMES, OPT_SIZE, OPT_SEED, OPT_SCENE_BIAS,
    OPT_VIEW_BIAS, OPT_LAYOUT, OPT_THREADS, OPT_RGB, OPT_GOP, OPT_CRF, OPT_ACTORS,
    OPT_BACKGROUNDS, OPT_FPS, OPT_VAL_EVERY, OPT_LIST, OPT_SPLIT_BY, OPT_SHARD, OPT_DEPTH_CODEC
};

static double parse_prob(const char *s, const char *opt)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= 0.0 && v <= 1.0))
        cli_usage_error("%s needs a probability in [0, 1], not '%s'", opt, s);
    return v;
}

int main(int argc, char **argv)
{
    cli_init("synapt-synth", usage);
    static const struct option opts[] = {
        CLI_COMMON_OPTIONS,
        { "output", required_argument, NULL, 'o' },
        { "classes", required_argument, NULL, OPT_CLASSES },
        { "clips-per-class", required_argument, NULL, OPT_CPC },
        { "frames", required_argument, NULL, OPT_FRAMES },
        { "size", required_argument, NULL, OPT_SIZE },
        { "seed", required_argument, NULL, OPT_SEED },
        { "scene-bias", required_argument, NULL, OPT_SCENE_BIAS },
        { "view-bias", required_argument, NULL, OPT_VIEW_BIAS },
        { "layout", required_argument, NULL, OPT_LAYOUT },
        { "threads", required_argument, NULL, OPT_THREADS },
        { "rgb", required_argument, NULL, OPT_RGB },
        { "gop", required_argument, NULL, OPT_GOP },
        { "crf", required_argument, NULL, OPT_CRF },
        { "actors", required_argument, NULL, OPT_ACTORS },
        { "backgrounds", required_argument, NULL, OPT_BACKGROUNDS },
        { "fps", required_argument, NULL, OPT_FPS },
        { "val-every", required_argument, NULL, OPT_VAL_EVERY },
        { "list-classes", no_argument, NULL, OPT_LIST },
        { "split-by", required_argument, NULL, OPT_SPLIT_BY },
        { "shard", required_argument, NULL, OPT_SHARD },
        { "depth-codec", required_argument, NULL, OPT_DEPTH_CODEC },
        { NULL, 0, NULL, 0 },
    };
    synth_config cfg = SYNTH_CONFIG_INIT;
    synth_output_options o = SYNTH_OUTPUT_OPTIONS_INIT;
    const char *rgb = NULL;
    o.threads = cli_cores(64);
    int c;
    opterr = 0; /* cli_common_option reports bad options once, in the tool's format */
    cli_refuse_abbrev(argc, argv, ":" CLI_COMMON_SHORT "o:", opts);
    while ((c = getopt_long(argc, argv, ":" CLI_COMMON_SHORT "o:", opts, NULL)) != -1) {
        if (cli_common_option(c, argv)) continue;
        switch (c) {
        case 'o': o.path = optarg; break;
        case OPT_CLASSES: cfg.classes = cli_parse_uint(optarg, "--classes", 1, SYNTH_CLASS_COUNT); break;
        case OPT_CPC: cfg.clips_per_class = cli_parse_uint(optarg, "--clips-per-class", 1, 1000000); break;
        case OPT_FRAMES: cfg.frames = cli_parse_uint(optarg, "--frames", 1, 100000); break;
        case OPT_SIZE: {
            unsigned w, h;
            char tail;
            if (sscanf(optarg, "%ux%u%c", &w, &h, &tail) != 2 || w < 8 || h < 8 ||
                w > SYNTH_MAX_SIDE || h > SYNTH_MAX_SIDE)
                cli_usage_error("--size needs WxH between 8x8 and %ux%u, not '%s'",
                                SYNTH_MAX_SIDE, SYNTH_MAX_SIDE, optarg);
            cfg.width = w;
            cfg.height = h;
            break;
        }
        case OPT_SEED:
            if (cli_parse_u64(&cfg.seed, optarg) != 0)
                cli_usage_error("--seed needs a whole number, not '%s'", optarg);
            break;
        case OPT_SCENE_BIAS: cfg.scene_bias = parse_prob(optarg, "--scene-bias"); break;
        case OPT_VIEW_BIAS: cfg.view_bias = parse_prob(optarg, "--view-bias"); break;
        case OPT_LAYOUT:
            if (!strcmp(optarg, "dir")) o.layout_dir = 1;
            else if (!strcmp(optarg, "synapt")) o.layout_dir = 0;
            else cli_usage_error("--layout is 'synapt' or 'dir', not '%s'", optarg);
            break;
        case OPT_THREADS: o.threads = cli_parse_uint(optarg, "--threads", 1, 256); break;
        case OPT_SHARD: cli_parse_shard(optarg, &o.shard_k, &o.shard_n); break;
        case OPT_RGB:
            if (strcmp(optarg, "h264") && strcmp(optarg, "raw"))
                cli_usage_error("--rgb is 'h264' or 'raw', not '%s'", optarg);
            rgb = optarg;
            break;
        case OPT_GOP: o.gop = cli_parse_uint(optarg, "--gop", 1, 100000); break;
        case OPT_CRF: o.crf = (int)cli_parse_uint(optarg, "--crf", 0, 51); break;
        case OPT_DEPTH_CODEC: o.depth_codec = cli_parse_depth_codec(optarg); break;
        case OPT_ACTORS: cfg.actors = cli_parse_uint(optarg, "--actors", 1, 100000); break;
        case OPT_BACKGROUNDS: cfg.backgrounds = cli_parse_uint(optarg, "--backgrounds", 1, 1000); break;
        case OPT_FPS: cfg.fps = cli_parse_uint(optarg, "--fps", 1, 1000); break;
        case OPT_VAL_EVERY: cfg.val_every = cli_parse_uint(optarg, "--val-every", 0, 1000000); break;
        case OPT_SPLIT_BY:
            if (!strcmp(optarg, "clip")) cfg.split_by_actor = 0;
            else if (!strcmp(optarg, "actor")) cfg.split_by_actor = 1;
            else cli_usage_error("--split-by is 'clip' or 'actor', not '%s'", optarg);
            break;
        case OPT_LIST:
            for (uint32_t k = 0; k < SYNTH_CLASS_COUNT; k++)
                printf("%u %s\n", k, synth_class_name(k));
            return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_ERROR;
        default:
            cli_usage_error("unexpected option");
        }
    }
    if (optind < argc)
        cli_usage_error("unexpected argument '%s'", argv[optind]);
    if (!o.path)
        cli_usage_error("-o OUT is required");
    if (!rgb) rgb = "h264";
    o.rgb_h264 = !strcmp(rgb, "h264");
    if ((o.depth_codec == CLI_DEPTH_ANS || o.depth_codec == CLI_DEPTH_MED || o.depth_codec == CLI_DEPTH_STRIP) &&
        o.layout_dir)
        cli_usage_error("--depth-codec %s needs --layout synapt (the dir layout writes depth as PNG)",
                        o.depth_codec == CLI_DEPTH_ANS ? "ans" : o.depth_codec == CLI_DEPTH_STRIP ? "strip" : "med");
    char err[PATH_MAX + 512];
    if (synth_config_check(&cfg, err, sizeof err) != 0)
        cli_usage_error("%s", err);
    o.progress = cli_verbosity() >= 0;
    /* libx264 reports statistics for every clip (info: shown with -vv);
     * through cli's router FFmpeg lines carry the tool's prefix */
    cli_route_ffmpeg_log();

    double t0 = cli_now();
    if (synth_generate(&cfg, &o, err, sizeof err) != 0) {
        /* an empty message: the safe-output code already printed its line */
        if (err[0]) cli_error_msg(o.path, err);
        return CLI_EXIT_ERROR;
    }
    double dt = cli_now() - t0;
    if (cli_verbosity() >= 0) {
        uint64_t clips = synth_shard_clip_count(&cfg, o.shard_k, o.shard_n);
        uint64_t frames = clips * cfg.frames;
        char tbuf[32], shard[48] = "";
        if (o.shard_n > 1)
            snprintf(shard, sizeof shard, ", shard %u/%u", o.shard_k, o.shard_n);
        fprintf(stderr, "synapt-synth: %s: %llu clips (%u classes x %u%s), %u frames of %ux%u each, "
                "RGB %s, in %s (%.0f frames/s, %u threads)\n",
                o.path, (unsigned long long)clips, cfg.classes, cfg.clips_per_class, shard, cfg.frames,
                cfg.width, cfg.height, rgb, cli_human_duration(tbuf, sizeof tbuf, dt),
                dt > 0 ? (double)frames / dt : 0.0, o.threads);
    }
    return CLI_EXIT_OK;
}
