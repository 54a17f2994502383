/* synapt-audit: measure a dataset's biases, leaks and composition and
 * write a report directory (report.json, report.html, CSV tables, a
 * contact sheet of duplicate pairs), or one shard's feature file and the
 * merge of such files into the report. The substance is in tools/audit/,
 * the clip selection in tools/select/. */
#include "audit/audit.h"
#include "cli/cli.h"
#include "select/select.h"
#include "synapt.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
"Usage: synapt-audit [options] IN... -o REPORT_DIR\n"
"       synapt-audit [options] --shard K/N IN... -o FEATURES\n"
"       synapt-audit --merge FEATURES... -o REPORT_DIR\n"
"Measure a dataset's static (scene) bias, temporal dependence, split leaks,\n"
"duplicates, label/factor association and composition, and write a report.\n"
"IN is a .synapt file, a dataset manifest (NAME.synapt.json) or a split list\n"
"(.txt/.lst: 'Class/clip.avi [label]' per line, split from the file name:\n"
"train/test/val).\n"
"\n"
"Output:\n"
"  -o, --output DIR        report directory: report.json (schema synapt-audit/1),\n"
"                          report.html, *.csv, pairs.png. Built in a folder\n"
"                          beside DIR and put in place when complete; replaces\n"
"                          DIR only if a synapt tool wrote it (or it is empty)\n"
"      --fail-on LIST      checks whose flag makes the exit status 3: ids,\n"
"                          'prefix*', 'all' (default) or 'none'\n"
"\n"
"Inputs:\n"
"      --real FILE         a real-data input (domain-gap checks); repeatable\n"
"      --synthetic FILE    a synthetic input (domain-gap checks); repeatable\n"
"                          (--synthetic yes|no is the selection filter below;\n"
"                          write ./yes for a file named yes)\n"
"      --embeddings FILE   per-clip embeddings for the static-bias and domain\n"
"                          checks: a .npy array (clips x values), or an HDF5\n"
"                          file: a 2-D dataset, or a group of 1-D datasets\n"
"                          named by clip id\n"
"      --embedding-ids F   the clip id of each row (text, one a line, or a .npy\n"
"                          of strings); without it and without a group, rows\n"
"                          follow the audit's clip order\n"
"      --embedding-object NAME  the HDF5 dataset or group (default embeddings)\n"
"\n"
SEL_HELP
"      (--seed also seeds the method below; without it the selection uses 0\n"
"      and the method 1, as synapt-subset and synapt-audit always did)\n"
"\n"
"Sharded runs (the same inputs and options on every worker):\n"
"      --shard K/N         compute the features of the clips with\n"
"                          xxh3(id) %% N == K only, and write them to the file\n"
"                          -o names (a feature file, spec/audit-features.md)\n"
"      --merge             the inputs are the N feature files of one sharded\n"
"                          run: write the report, identical to a single run's\n"
"\n"
"Method:\n"
"      --seed S            seed of folds, bootstrap and permutations (default 1)\n"
"      --folds K           stratified group k-fold of the probe (default 5)\n"
"      --group-key KEY     group kept whole across folds (default: first key)\n"
"      --epochs N          probe training epochs (default 30; capped at 600,000\n"
"                          sample visits per fold on big sets)\n"
"      --bootstrap N       resamples for intervals (default 1000)\n"
"      --permutations N    label permutations for p values (default 1000)\n"
"      --hamming B         near-duplicate frame distance in bits, 0..7 (default 4)\n"
"      --near-frames M     matching frame pairs that make a near-duplicate (default 4)\n"
"      --bias-threshold X  flag static bias when B's 95%% interval is above X (default 0.5)\n"
"      --leak-threshold X  flag dup.cross_split above this share (default 0.01)\n"
"\n"
"Run:\n"
"      --threads N         worker threads (default: the cores this process may run on,\n"
"                          its CPU affinity); results do not depend on it\n"
"  -q, --quiet             no summary, no progress bar\n"
"  -v, --verbose           more detail\n"
"  -h, --help              this text\n"
"      --version           version\n"
"\n"
"Exit status: 0 no selected check flagged (a shard: its file written), 3 some\n"
"flagged, 1 error, 2 usage.\n"
"Check ids and formulas: man synapt-audit.\n";

enum {
    OPT_FAIL_ON = 0x2000, OPT_REAL, OPT_FOLDS, OPT_GROUP_KEY, OPT_EPOCHS, OPT_BOOT, OPT_PERM,
    OPT_HAMMING, OPT_NEAR, OPT_BIAS_T, OPT_LEAK_T, OPT_THREADS, OPT_SHARD, OPT_MERGE, OPT_EMB,
    OPT_EMB_IDS, OPT_EMB_OBJECT
};

/* --seed and --synthetic come from SEL_LONGOPTS: the selection's meaning
 * and the audit's are told apart in main() */
static const struct option opts[] = {
    CLI_COMMON_OPTIONS,
    { "output", required_argument, NULL, 'o' },
    { "fail-on", required_argument, NULL, OPT_FAIL_ON },
    { "real", required_argument, NULL, OPT_REAL },
    { "embeddings", required_argument, NULL, OPT_EMB },
    { "embedding-ids", required_argument, NULL, OPT_EMB_IDS },
    { "embedding-object", required_argument, NULL, OPT_EMB_OBJECT },
    { "folds", required_argument, NULL, OPT_FOLDS },
    { "group-key", required_argument, NULL, OPT_GROUP_KEY },
    { "epochs", required_argument, NULL, OPT_EPOCHS },
    { "bootstrap", required_argument, NULL, OPT_BOOT },
    { "permutations", required_argument, NULL, OPT_PERM },
    { "hamming", required_argument, NULL, OPT_HAMMING },
    { "near-frames", required_argument, NULL, OPT_NEAR },
    { "bias-threshold", required_argument, NULL, OPT_BIAS_T },
    { "leak-threshold", required_argument, NULL, OPT_LEAK_T },
    { "threads", required_argument, NULL, OPT_THREADS },
    { "shard", required_argument, NULL, OPT_SHARD },
    { "merge", no_argument, NULL, OPT_MERGE },
    SEL_LONGOPTS,
    { NULL, 0, NULL, 0 },
};

static double parse_real(const char *s, const char *opt)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !isfinite(v))
        cli_usage_error("%s needs a number, not '%s'", opt, s);
    return v;
}

typedef struct input { const char *path; int domain; } input;

/* the selection plugs into the audit's loop over inputs */
static int select_clips(void *user, const char *path, synapt_dataset *ds, uint8_t *keep,
                        char *err, size_t errsz)
{
    uint64_t kept;
    (void)path;
    return sel_run(keep, &kept, ds, user, err, errsz) == 0 ? 0 : -1;
}

static void progress_cb(void *user, uint64_t done, uint64_t total)
{
    cli_progress *p = user;
    (void)total;
    cli_progress_update(p, done, 0);
}

static void warn_cb(const char *file, const char *msg)
{
    cli_warn(file, "%s", msg);
}

/* the path of one report file inside the folder being built, NULL when too long */
static const char *at(char *buf, size_t cap, const cli_outdir *od, const char *name)
{
    return snprintf(buf, cap, "%s/%s", od->tmp, name) < (int)cap ? buf : NULL;
}

static int write_report(const cli_outdir *od, const char *out, const audit_report *rep,
                        const audit_dataset *ds, const audit_options *opt)
{
    char p[4400];
    const char *bad = NULL;
    if (!at(p, sizeof p, od, "report.json") || audit_write_json(p, rep, ds, opt) != 0) bad = "report.json";
    if (!bad && (!at(p, sizeof p, od, "report.html") || audit_write_html(p, rep, ds, opt) != 0)) bad = "report.html";
    for (size_t t = 0; !bad && t < rep->ntables; t++) {
        char name[96];
        snprintf(name, sizeof name, "%s.csv", rep->tables[t].name);
        audit_buf b = { rep->tables[t].csv, strlen(rep->tables[t].csv), 0, 0 };
        if (!at(p, sizeof p, od, name) || audit_buf_save(&b, p) != 0) bad = rep->tables[t].name;
    }
    if (!bad && rep->npairs && (!at(p, sizeof p, od, "pairs.png") || audit_write_sheet(p, rep, ds, opt) != 0))
        bad = "pairs.png";
    if (bad) {
        cli_error(out, "cannot write %s of the report", bad);
        return -1;
    }
    return 0;
}

static void summary(const audit_report *rep, const char *out)
{
    printf("synapt-audit: %zu clips, %zu classes, splits %s -> %s/\n", rep->clips, rep->classes,
           rep->splits, out);
    for (size_t i = 0; i < rep->nchecks; i++) {
        const audit_check *ch = &rep->checks[i];
        if (!ch->flag && cli_verbosity() < 1 && strncmp(ch->id, "static_bias.", 12) != 0 &&
            strncmp(ch->id, "dup.cross", 9) != 0)
            continue;
        printf("  %-34s %10.4g", ch->id, ch->value);
        if (isfinite(ch->ci_lo)) printf("  [%.4g, %.4g]", ch->ci_lo, ch->ci_hi);
        printf("%s\n", ch->flag ? "  FLAG" : "");
    }
    size_t nf = 0;
    for (size_t i = 0; i < rep->nchecks; i++) nf += rep->checks[i].flag;
    printf("  %zu of %zu checks flagged%s\n", nf, rep->nchecks,
           cli_verbosity() < 1 ? " (-v lists every check)" : "");
}

static input *in;

int main(int argc, char **argv)
{
    cli_init("synapt-audit", usage);
    audit_options opt = AUDIT_OPTIONS_INIT;
    const char *out = NULL, *fail_on = NULL, *method = NULL, *selected = NULL;
    const char *emb = NULL, *emb_ids = NULL, *emb_object = NULL;
    /* at file scope: a usage error exits with the list still in use, and
     * LeakSanitizer would count a list held only by main's frame as lost */
    in = calloc((size_t)argc + 1, sizeof *in);
    size_t nin = 0;
    uint32_t shard_k = 0, shard_n = 0;
    int merge = 0;
    sel_criteria crit;
    sel_init(&crit);
    if (!in) { cli_error(NULL, "out of memory"); return 1; }
    static const char shortopts[] = ":" CLI_COMMON_SHORT "o:";
    int c;
    opterr = 0;
    cli_refuse_abbrev(argc, argv, shortopts, opts);
    while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
        if (cli_common_option(c, argv)) continue;
        switch (c) {
        case 'o': out = optarg; continue;
        case OPT_FAIL_ON: fail_on = optarg; continue;
        case OPT_REAL: in[nin++] = (input){ optarg, 1 }; continue;
        case SEL_OPT_SYNTHETIC:
            if (strcmp(optarg, "yes") != 0 && strcmp(optarg, "no") != 0) {
                in[nin++] = (input){ optarg, 2 };
                continue;
            }
            break;
        case SEL_OPT_SEED: {
            uint64_t v;
            if (cli_parse_u64(&v, optarg) != 0) cli_usage_error("--seed needs a whole number, not '%s'", optarg);
            opt.seed = v;
            method = "--seed";
            break;
        }
        case OPT_EMB: emb = optarg; continue;
        case OPT_EMB_IDS: emb_ids = optarg; continue;
        case OPT_EMB_OBJECT: emb_object = optarg; continue;
        case OPT_FOLDS: opt.folds = cli_parse_uint(optarg, "--folds", 2, 50); method = "--folds"; continue;
        case OPT_GROUP_KEY: opt.group_key = optarg; method = "--group-key"; continue;
        case OPT_EPOCHS: opt.epochs = cli_parse_uint(optarg, "--epochs", 1, 10000); method = "--epochs"; continue;
        case OPT_BOOT: opt.bootstrap = cli_parse_uint(optarg, "--bootstrap", 0, 1000000); method = "--bootstrap"; continue;
        case OPT_PERM: opt.permutations = cli_parse_uint(optarg, "--permutations", 0, 1000000); method = "--permutations"; continue;
        case OPT_HAMMING: opt.hamming = cli_parse_uint(optarg, "--hamming", 0, 7); method = "--hamming"; continue;
        case OPT_NEAR: opt.near_frames = cli_parse_uint(optarg, "--near-frames", 1, AUDIT_K * AUDIT_K); method = "--near-frames"; continue;
        case OPT_BIAS_T: opt.bias_threshold = parse_real(optarg, "--bias-threshold"); method = "--bias-threshold"; continue;
        case OPT_LEAK_T: opt.leak_threshold = parse_real(optarg, "--leak-threshold"); method = "--leak-threshold"; continue;
        case OPT_THREADS: opt.threads = cli_parse_uint(optarg, "--threads", 1, 256); continue;
        case OPT_SHARD: cli_parse_shard(optarg, &shard_k, &shard_n); continue;
        case OPT_MERGE: merge = 1; continue;
        default: break;
        }
        /* what is left is the selection (a bad value exits through usage) */
        if (!sel_option(&crit, c, optarg)) cli_usage_error("unknown option '%s'", argv[optind - 1]);
        if (c != SEL_OPT_SEED) selected = argv[optind - 1];
    }
    for (int i = optind; i < argc; i++) in[nin++] = (input){ argv[i], 0 };
    if (!out) cli_usage_error("no output (-o DIR, or with --shard -o FEATURES)");
    if (!nin) cli_usage_error(merge ? "no feature files to merge" : "no input files");
    if (merge) {
        if (shard_n) cli_usage_error("--merge joins the shards' files: not with --shard");
        if (method) cli_usage_error("%s: the method was fixed by the --shard runs; --merge takes their "
                                    "options from the feature files", method);
        if (selected) cli_usage_error("%s: the clips were chosen by the --shard runs, not by --merge", selected);
        if (emb || emb_ids || emb_object) cli_usage_error("embeddings go to the --shard runs, not to --merge");
        for (size_t i = 0; i < nin; i++)
            if (in[i].domain) cli_usage_error("--merge takes feature files, not --real/--synthetic inputs");
    }
    if (shard_n && fail_on) cli_usage_error("--fail-on goes with a report (a single run or --merge), not --shard");
    if ((emb_ids || emb_object) && !emb) cli_usage_error("--embedding-ids and --embedding-object go with --embeddings");
    if (!fail_on) fail_on = "all";
    cli_route_ffmpeg_log();

    int status = 1;
    char err[1024] = "", *group_key = NULL;
    audit_dataset ds;
    audit_report rep;
    cli_outdir od;
    cli_outfile of;
    memset(&rep, 0, sizeof rep);
    memset(&od, 0, sizeof od);
    memset(&of, 0, sizeof of);
    of.fd = -1;
    audit_dataset_init(&ds);
    const char **paths = calloc(nin + 4, sizeof *paths);
    size_t npaths = 0;
    if (!paths) { cli_error(NULL, "out of memory"); goto done; }
    for (size_t i = 0; i < nin; i++) {
        if (cli_check_input(in[i].path) != 0) goto done;
        paths[npaths++] = in[i].path;
    }
    if (crit.ids_path) paths[npaths++] = crit.ids_path;
    if (emb) {
        if (cli_check_input(emb) != 0 || (emb_ids && cli_check_input(emb_ids) != 0)) goto done;
        paths[npaths++] = emb;
        if (emb_ids) paths[npaths++] = emb_ids;
    }
    if (merge) {
        if (audit_shard_merge(&ds, &opt, &group_key, paths, nin, err, sizeof err) != 0) {
            cli_error(NULL, "%s", err);
            goto done;
        }
        if (cli_outdir_open(&od, out, paths, npaths) != 0) goto done;
    } else {
        /* the one loop over inputs: the clip selection plugs in as the select hook */
        for (size_t i = 0; i < nin; i++)
            if (audit_dataset_add_path(&ds, in[i].path, in[i].domain, selected ? select_clips : NULL,
                                       &crit, err, sizeof err) != 0) {
                cli_error(NULL, "%s", err);
                goto done;
            }
        if (emb) {
            uint64_t missing = 0;
            if (audit_embed_load(&ds, emb, emb_object, emb_ids, &missing, err, sizeof err) != 0) {
                cli_error(NULL, "%s", err);
                goto done;
            }
            if (missing && cli_verbosity() >= 0)
                cli_warn(emb_ids ? emb_ids : emb, "%llu of %zu clips have no embedding row; they are "
                         "left out of the embedding checks", (unsigned long long)missing, ds.n);
        }
        if (shard_n)
            for (size_t i = 0; i < ds.n; i++) ds.clips[i].skip = !cli_in_shard(ds.clips[i].id, shard_k, shard_n);
        if (shard_n ? !cli_out_open(&of, out, paths, npaths) : cli_outdir_open(&od, out, paths, npaths) != 0)
            goto done;
        cli_progress prog;
        cli_progress_start(&prog, "audit", "clips", ds.n);
        int frc = audit_features_compute(&ds, &opt, progress_cb, &prog, warn_cb, err, sizeof err);
        cli_progress_end(&prog);
        if (frc != 0) {
            cli_error(NULL, "%s", err);
            goto done;
        }
    }
    if (shard_n) {
        if (audit_shard_write(of.f, &ds, &opt, shard_k, shard_n) != 0) {
            cli_error(out, "cannot write the feature file");
            goto done;
        }
        if (cli_out_commit(&of) != 0) goto done;
        size_t mine = 0;
        for (size_t i = 0; i < ds.n; i++) mine += !ds.clips[i].skip;
        if (cli_verbosity() >= 0)
            printf("synapt-audit: shard %u/%u: features of %zu of %zu clips -> %s\n", shard_k, shard_n,
                   mine, ds.n, out);
        status = 0;
        goto done;
    }
    if (audit_run(&rep, &ds, &opt) != 0) {
        cli_error(NULL, "out of memory while running the checks");
        goto done;
    }
    if (write_report(&od, out, &rep, &ds, &opt) != 0) goto done;
    if (cli_outdir_commit(&od) != 0) goto done;
    int flagged = 0;
    for (size_t i = 0; i < rep.nchecks; i++)
        flagged |= rep.checks[i].flag && audit_fail_match(fail_on, rep.checks[i].id);
    if (cli_verbosity() >= 0) summary(&rep, out);
    status = flagged ? 3 : 0;
done:
    cli_outdir_abort(&od);
    cli_out_abort(&of);
    free(paths);
    free(group_key);
    audit_report_free(&rep);
    audit_dataset_free(&ds);
    sel_free(&crit);
    free(in);
    return status;
}
