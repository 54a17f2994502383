/* synapt-merge - merge .synapt files and dataset manifests into one file
 * (chunks copied, never re-encoded), relabelled through a map, or join them
 * with a manifest that copies nothing. The work is in tools/merge. */
#include "cli/cli.h"
#include "merge/merge.h"

#include <string.h>

static const char usage[] =
    "Usage: synapt-merge [OPTIONS] -o OUT IN...\n"
    "Merge .synapt files and dataset manifests (IN) into OUT. Chunks are copied,\n"
    "never re-encoded; the same inputs and options give the same bytes.\n"
    "\n"
    "Options:\n"
    "  -o, --output OUT          the merged .synapt (with --manifest-only: the manifest)\n"
    "      --map FILE            relabel: CSV with the header 'source,label,target' or\n"
    "                            a JSON array of {\"source\",\"label\",\"target\"}; source\n"
    "                            is the clip's source name, '*' any source; an empty or\n"
    "                            null target drops the label; several rows for one\n"
    "                            source,label give its clips every target (the first\n"
    "                            is their class)\n"
    "      --unmapped MODE       a label the map does not name: error (default, lists\n"
    "                            them and writes nothing), drop (leave the clip out) or\n"
    "                            keep (keep its name)\n"
    "      --on-duplicate MODE   a clip id already taken by an earlier clip: error\n"
    "                            (default), rename (ID~2, ID~3 ...) or skip\n"
    "      --dedupe              drop exact duplicates (same streams, same chunk\n"
    "                            checksums); without it they are only reported\n"
    "      --per-class N         keep at most N clips per class (first label), chosen\n"
    "                            with --seed; prints class, source, available, kept\n"
    "      --balance-sources     with --per-class: an equal share from each source of\n"
    "                            a class, the rest from sources that have more\n"
    "      --seed S              random seed for --per-class (default 0)\n"
    "      --manifest-only       write OUT as a dataset manifest joining the inputs'\n"
    "                            members (no byte copied); OUT's directory must contain\n"
    "                            them\n"
    "      --max-shard-bytes B   write shards of at most B bytes of clips each (4G,\n"
    "                            500M, 2000000; a larger clip gets a shard alone)\n"
    "                            and a manifest joining them: -o all.synapt gives\n"
    "                            all-00000.synapt, ... and all.synapt.json\n"
    "      --depth-codec C       store u16 depth as zstd (the default path), ans\n"
    "                            (compression 3, smaller, format 1.2), strip\n"
    "                            (compression 4, as small, fast to decode, format\n"
    "                            1.4) or med (zstd with depth_med only, for any\n"
    "                            1.x reader): depth\n"
    "                            stored another way is decoded and written again;\n"
    "                            without it every stream is copied as stored\n"
    "  -q, --quiet               no progress or summary on stderr\n"
    "  -v, --verbose             report every duplicate\n"
    "  -h, --help                show this help and exit\n"
    "      --version             show the version and exit\n"
    "\n"
    "Every merged clip keeps its original id, labels and source file uuid in its\n"
    "metadata under \"provenance\".\n"
    "\n"
    "Exit status: 0 ok, 1 error (nothing written), 2 usage error.\n"
    "\n"
    "Examples:\n"
    "  synapt-merge -o all.synapt a.synapt b.synapt\n"
    "  synapt-merge --map synapt150.csv --unmapped drop --per-class 1000 \\\n"
    "      --balance-sources --seed 1 -o synapt150.synapt eldersim.synapt phav.synapt\n"
    "  synapt-merge --manifest-only -o data/all.synapt.json data/shard-*.synapt\n";

static int mode_of(const char *opt, const char *v, const char *a, const char *b, const char *c)
{
    if (!strcmp(v, a)) return 0;
    if (!strcmp(v, b)) return 1;
    if (!strcmp(v, c)) return 2;
    cli_usage_error("%s: '%s' is not one of %s, %s, %s", opt, v, a, b, c);
}

int main(int argc, char **argv)
{
    enum { OPT_MAP = 0x2000, OPT_UNMAPPED, OPT_DUP, OPT_DEDUPE, OPT_PER_CLASS, OPT_BALANCE,
           OPT_SEED, OPT_MANIFEST_ONLY, OPT_MAX_SHARD, OPT_DEPTH_CODEC };
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' },
        { "map", required_argument, NULL, OPT_MAP },
        { "unmapped", required_argument, NULL, OPT_UNMAPPED },
        { "on-duplicate", required_argument, NULL, OPT_DUP },
        { "dedupe", no_argument, NULL, OPT_DEDUPE },
        { "per-class", required_argument, NULL, OPT_PER_CLASS },
        { "balance-sources", no_argument, NULL, OPT_BALANCE },
        { "seed", required_argument, NULL, OPT_SEED },
        { "manifest-only", no_argument, NULL, OPT_MANIFEST_ONLY },
        { "max-shard-bytes", required_argument, NULL, OPT_MAX_SHARD },
        { "depth-codec", required_argument, NULL, OPT_DEPTH_CODEC },
        CLI_COMMON_OPTIONS,
        { NULL, 0, NULL, 0 }
    };
    cli_init("synapt-merge", usage);
    cli_refuse_abbrev(argc, argv, ":o:" CLI_COMMON_SHORT, longopts);
    merge_options o;
    memset(&o, 0, sizeof o);
    int c, seeded = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:" CLI_COMMON_SHORT, longopts, NULL)) != -1) {
        if (cli_common_option(c, argv)) continue;
        switch (c) {
        case 'o': o.out = optarg; break;
        case OPT_MAP: o.map_path = optarg; break;
        case OPT_UNMAPPED:
            o.unmapped = mode_of("--unmapped", optarg, "error", "drop", "keep");
            break;
        case OPT_DUP:
            o.on_duplicate = mode_of("--on-duplicate", optarg, "error", "rename", "skip");
            break;
        case OPT_DEDUPE: o.dedupe = 1; break;
        case OPT_PER_CLASS:
            if (cli_parse_u64(&o.per_class, optarg) || !o.per_class)
                cli_usage_error("--per-class: '%s' is not a positive integer", optarg);
            break;
        case OPT_BALANCE: o.balance_sources = 1; break;
        case OPT_SEED:
            if (cli_parse_u64(&o.seed, optarg)) cli_usage_error("--seed: '%s' is not an integer", optarg);
            seeded = 1;
            break;
        case OPT_MANIFEST_ONLY: o.manifest_only = 1; break;
        case OPT_MAX_SHARD:
            if (cli_parse_size(&o.max_shard_bytes, optarg))
                cli_usage_error("--max-shard-bytes wants a size such as 4G or 500000000 (got '%s')", optarg);
            break;
        case OPT_DEPTH_CODEC: o.depth_codec = cli_parse_depth_codec(optarg); break;
        default:
            cli_usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (!o.out) cli_usage_error("no output given (-o OUT)");
    if (optind >= argc) cli_usage_error("no input given");
    if (o.balance_sources && !o.per_class) cli_usage_error("--balance-sources needs --per-class");
    if (seeded && !o.per_class) cli_usage_error("--seed needs --per-class");
    if (o.manifest_only && (o.map_path || o.per_class || o.dedupe || o.unmapped || o.on_duplicate ||
                            o.max_shard_bytes || o.depth_codec))
        cli_usage_error("--manifest-only copies nothing: --map, --unmapped, --on-duplicate, "
                        "--dedupe, --per-class, --max-shard-bytes and --depth-codec need a copying merge");
    if (o.unmapped && !o.map_path) cli_usage_error("--unmapped needs --map");
    o.inputs = (const char *const *)(argv + optind);
    o.ninputs = (size_t)(argc - optind);
    return merge_run(&o);
}
