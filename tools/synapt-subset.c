/* synapt-subset - choose clips of .synapt files or manifests (tools/select)
 * and copy them into a new file (chunks copied, never re-encoded), write a
 * virtual subset (a manifest with `select`), or only list them
 * (tools/merge). */
#include "cli/cli.h"
#include "merge/merge.h"
#include "select/select.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: synapt-subset [OPTIONS] (-o OUT | --list) IN...\n"
    "Choose clips of .synapt files or dataset manifests (IN) and copy them into\n"
    "OUT (chunks copied, never re-encoded), or write OUT as a virtual subset.\n"
    "\n"
    "Output:\n"
    "  -o, --output OUT          the subset .synapt (with --virtual: a manifest)\n"
    "      --virtual             write a dataset manifest selecting the clips in the\n"
    "                            inputs' files (no byte copied); OUT's directory must\n"
    "                            contain them\n"
    "      --max-shard-bytes B   write shards of at most B bytes of clips each and a\n"
    "                            manifest joining them (as synapt-merge)\n"
    "      --streams NAMES       copy only these streams of each clip (rgb,pose2d);\n"
    "                            a chosen clip without one of them is an error\n"
    "      --frames A:B          keep frames A..B-1 of each chosen clip (A: to its\n"
    "                            end); a clip too short for them is an error\n"
    "      --max-frames T        cut a clip longer than T frames to T frames, at the\n"
    "                            place --crop says; shorter clips are kept whole\n"
    "      --crop WHERE          start (default), center or random: random is drawn\n"
    "                            from --seed and the clip id, so the same clip gets\n"
    "                            the same window in every run\n"
    "                            Crops are frame-exact for every stream: array\n"
    "                            streams are cut at their frames, encoded video\n"
    "                            keeps its packets (from the start point before the\n"
    "                            window, the extra ones marked discard)\n"
    "      --depth-codec C       store u16 depth as zstd (the default path), ans\n"
    "                            (compression 3, smaller, format 1.2), strip\n"
    "                            (compression 4, as small, fast to decode, format\n"
    "                            1.4) or med (zstd with depth_med only, for any\n"
    "                            1.x reader): depth\n"
    "                            stored another way is decoded and written again;\n"
    "                            without it every stream is copied as stored\n"
    "      --make-splits SPEC    give the chosen clips new splits, e.g.\n"
    "                            train=0.7,val=0.1,test=0.2, so that no group of\n"
    "                            --group-by is in two splits and each class comes\n"
    "                            as close to the shares as whole groups allow\n"
    "                            (seeded by --seed); prints '# made', '# groups' and\n"
    "                            '# missing CLASS SPLIT' lines; with -o or --list\n"
    "      --group-by KEY        the group key for --make-splits (actor, scene, ...)\n"
    "      --stratify MODE       label (default: per-class shares) or none\n"
    "      --list                print the chosen clips (id, label, source, split)\n"
    "                            and their counts per class, source and split; write\n"
    "                            nothing\n"
    "\n"
    SEL_HELP
    "\n"
    "  -q, --quiet               no progress or summary on stderr\n"
    "  -v, --verbose             more detail\n"
    "  -h, --help                show this help and exit\n"
    "      --version             show the version and exit\n"
    "\n"
    "Labels are the inputs' dataset labels (a manifest's label_map applied).\n"
    "The same inputs and options give the same bytes.\n"
    "\n"
    "Exit status: 0 ok, 1 error (nothing written), 2 usage error.\n"
    "\n"
    "Examples:\n"
    "  synapt-subset --source phav --per-class 50 --seed 3 -o phav50.synapt all.synapt\n"
    "  synapt-subset --split val --virtual -o val.synapt.json all.synapt\n"
    "  synapt-subset --group actor=P001 --list all.synapt.json\n"
    "  synapt-subset --max-frames 64 --crop random --seed 7 -o short.synapt all.synapt\n"
    "  synapt-subset --make-splits train=0.8,val=0.2 --group-by actor --seed 1 -o split.synapt all.synapt\n";

int main(int argc, char **argv)
{
    enum { OPT_VIRTUAL = 0x2000, OPT_LIST, OPT_MAX_SHARD, OPT_MAKE_SPLITS, OPT_GROUP_BY, OPT_STRATIFY,
           OPT_STREAMS, OPT_FRAMES, OPT_MAX_FRAMES, OPT_CROP, OPT_DEPTH_CODEC };
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' },
        { "virtual", no_argument, NULL, OPT_VIRTUAL },
        { "list", no_argument, NULL, OPT_LIST },
        { "max-shard-bytes", required_argument, NULL, OPT_MAX_SHARD },
        { "make-splits", required_argument, NULL, OPT_MAKE_SPLITS },
        { "group-by", required_argument, NULL, OPT_GROUP_BY },
        { "stratify", required_argument, NULL, OPT_STRATIFY },
        { "streams", required_argument, NULL, OPT_STREAMS },
        { "frames", required_argument, NULL, OPT_FRAMES },
        { "max-frames", required_argument, NULL, OPT_MAX_FRAMES },
        { "crop", required_argument, NULL, OPT_CROP },
        { "depth-codec", required_argument, NULL, OPT_DEPTH_CODEC },
        SEL_LONGOPTS,
        CLI_COMMON_OPTIONS,
        { NULL, 0, NULL, 0 }
    };
    cli_init("synapt-subset", usage);
    cli_refuse_abbrev(argc, argv, ":o:" CLI_COMMON_SHORT, longopts);
    sel_criteria crit;
    sel_init(&crit);
    const char *out = NULL;
    uint64_t max_shard = 0;
    int virt = 0, list = 0, c, stratify = 1, have_splits = 0;
    const char *group_by = NULL;
    char **streams = NULL;
    size_t nstreams = 0;
    sel_splits splits;
    merge_crop crop = { MERGE_CROP_NONE, 0, 0, 0, MERGE_CROP_START, 0 };
    int have_where = 0, depth_comp = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:" CLI_COMMON_SHORT, longopts, NULL)) != -1) {
        if (cli_common_option(c, argv)) continue;
        if (sel_option(&crit, c, optarg)) continue;
        switch (c) {
        case 'o': out = optarg; break;
        case OPT_VIRTUAL: virt = 1; break;
        case OPT_LIST: list = 1; break;
        case OPT_MAX_SHARD:
            if (cli_parse_size(&max_shard, optarg))
                cli_usage_error("--max-shard-bytes wants a size such as 4G or 500000000 (got '%s')", optarg);
            break;
        case OPT_MAKE_SPLITS:
            if (sel_parse_splits(&splits, optarg))
                cli_usage_error("--make-splits wants NAME=FRACTION,... summing to 1, e.g. "
                                "train=0.7,val=0.1,test=0.2 (got '%s')", optarg);
            have_splits = 1;
            break;
        case OPT_GROUP_BY: group_by = optarg; break;
        case OPT_STREAMS:
            for (const char *p = optarg;;) {
                size_t n = strcspn(p, ",");
                if (!n) cli_usage_error("--streams wants stream names, comma-separated (got '%s')", optarg);
                char **v = realloc(streams, (nstreams + 1) * sizeof *v);
                if (!v || !(v[nstreams] = strndup(p, n))) {
                    cli_error(NULL, "out of memory");
                    return CLI_EXIT_ERROR;
                }
                streams = v;
                for (size_t i = 0; i < nstreams; i++)
                    if (!strcmp(streams[i], streams[nstreams]))
                        cli_usage_error("--streams: '%s' is named twice", streams[i]);
                nstreams++;
                if (!p[n]) break;
                p += n + 1;
            }
            break;
        case OPT_FRAMES:
            if (crop.mode == MERGE_CROP_MAX) cli_usage_error("--frames and --max-frames do not go together");
            if (merge_crop_parse_frames(&crop, optarg))
                cli_usage_error("--frames wants A:B with A < B, or A: (got '%s')", optarg);
            break;
        case OPT_MAX_FRAMES: {
            char *e;
            if (crop.mode == MERGE_CROP_FRAMES) cli_usage_error("--frames and --max-frames do not go together");
            errno = 0;
            unsigned long long v = optarg[0] >= '0' && optarg[0] <= '9' ? strtoull(optarg, &e, 10) : 0;
            if (!v || errno || *e) cli_usage_error("--max-frames wants a frame count above 0 (got '%s')", optarg);
            crop.mode = MERGE_CROP_MAX;
            crop.max = v;
            break;
        }
        case OPT_CROP:
            if (merge_crop_parse_where(&crop, optarg))
                cli_usage_error("--crop is start, center or random, not '%s'", optarg);
            have_where = 1;
            break;
        case OPT_DEPTH_CODEC: depth_comp = cli_parse_depth_codec(optarg); break;
        case OPT_STRATIFY:
            if (!strcmp(optarg, "label")) stratify = 1;
            else if (!strcmp(optarg, "none")) stratify = 0;
            else cli_usage_error("--stratify is 'label' or 'none', not '%s'", optarg);
            break;
        default: cli_usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (have_where && crop.mode != MERGE_CROP_MAX) cli_usage_error("--crop goes with --max-frames T");
    if (crop.mode != MERGE_CROP_NONE && (list || virt))
        cli_usage_error("--frames and --max-frames cut a copy (-o): not with --list or --virtual");
    crop.seed = crit.seed;
    if (streams && (list || virt))
        cli_usage_error("--streams keeps streams in a copy (-o): not with --list or --virtual");
    if (depth_comp && (list || virt))
        cli_usage_error("--depth-codec stores depth in a copy (-o): not with --list or --virtual");
    if (have_splits && !group_by)
        cli_usage_error("--make-splits needs --group-by KEY (the group no split may share, e.g. actor)");
    if (!have_splits && group_by) cli_usage_error("--group-by goes with --make-splits");
    if (have_splits && virt)
        cli_usage_error("--make-splits rewrites splits: a copy (-o) or --list, not --virtual");
    if (list && (out || virt)) cli_usage_error("--list writes nothing: no -o or --virtual with it");
    if (!list && !out) cli_usage_error("no output given (-o OUT, or --list)");
    if (max_shard && (list || virt)) cli_usage_error("--max-shard-bytes shards a copy: not with --list or --virtual");
    if (optind >= argc) cli_usage_error("no input given");
    merge_inputs in;
    int ret = CLI_EXIT_ERROR;
    uint64_t total = 0;
    if (merge_inputs_open(&in, (const char *const *)argv + optind, (size_t)(argc - optind))) goto done;
    if (crit.ids_path) merge_inputs_add_file(&in, crit.ids_path);
    for (size_t k = 0; k < in.n; k++) {
        char err[1024];
        merge_input *x = &in.v[k];
        uint64_t n = synapt_dataset_clip_count(x->ds);
        x->keep = malloc(n ? n : 1);
        if (!x->keep) {
            cli_error(NULL, "out of memory");
            goto done;
        }
        if (sel_run(x->keep, &x->kept, x->ds, &crit, err, sizeof err)) {
            cli_error_msg(x->path, err);
            goto done;
        }
        total += x->kept;
    }
    if (have_splits) {
        char err[1024];
        synapt_dataset **ds = malloc((in.n ? in.n : 1) * sizeof *ds);
        const uint8_t **keep = malloc((in.n ? in.n : 1) * sizeof *keep);
        uint8_t **split_of = malloc((in.n ? in.n : 1) * sizeof *split_of);
        const char *names[SEL_MAX_SPLITS];
        if (!ds || !keep || !split_of) {
            cli_error(NULL, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < splits.n; i++) names[i] = splits.names[i];
        for (size_t k = 0; k < in.n; k++) {
            uint64_t n = synapt_dataset_clip_count(in.v[k].ds);
            ds[k] = in.v[k].ds;
            keep[k] = in.v[k].keep;
            in.v[k].new_split = split_of[k] = malloc(n ? n : 1);
            in.v[k].split_names = names;
            if (!split_of[k]) {
                cli_error(NULL, "out of memory");
                goto done;
            }
        }
        int r = sel_split_datasets(split_of, ds, keep, in.n, &splits, group_by, stratify, crit.seed,
                                   stdout, err, sizeof err);
        free(ds);
        free(keep);
        free(split_of);
        if (r) {
            cli_error(NULL, "%s", err);
            goto done;
        }
        if (list) ret = merge_subset_list(&in);
        else ret = merge_subset_copy(&in, out, max_shard, (const char *const *)streams, nstreams, &crop, depth_comp);
        goto done;
    }
    if (list) ret = merge_subset_list(&in);
    else if (virt) ret = merge_subset_virtual(&in, out);
    else ret = merge_subset_copy(&in, out, max_shard, (const char *const *)streams, nstreams, &crop, depth_comp);
    if (ret == CLI_EXIT_OK && !list && cli_verbosity() >= 0 && !total)
        cli_warn(out, "no clip matched: the output holds no clips");
done:
    merge_inputs_close(&in);
    sel_free(&crit);
    for (size_t i = 0; i < nstreams; i++) free(streams[i]);
    free(streams);
    return ret;
}
