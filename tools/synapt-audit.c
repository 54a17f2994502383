/* synapt-audit: measure a dataset's biases, leaks and composition and
 * write a report directory (report.json, report.html, CSV tables, a
 * contact sheet of duplicate pairs). The substance is in tools/audit/. */
#include "audit/audit.h"
#include "cli/cli.h"
#include "synapt.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
"Usage: synapt-audit [options] IN... -o REPORT_DIR\n"
"Measure a dataset's static (scene) bias, temporal dependence, split leaks,\n"
"duplicates, label/factor association and composition, and write a report.\n"
"IN is a .synapt file or a split list (.txt/.lst: 'Class/clip.avi [label]'\n"
"per line, split from the file name: train/test/val).\n"
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
"      --threads N         worker threads (default: cores); results do not depend on it\n"
"  -q, --quiet             no summary, no progress bar\n"
"  -v, --verbose           more detail\n"
"  -h, --help              this text\n"
"      --version           version\n"
"\n"
"Exit status: 0 no selected check flagged, 3 some flagged, 1 error, 2 usage.\n"
"Check ids and formulas: man synapt-audit.\n";

enum {
    OPT_FAIL_ON = 0x2000, OPT_REAL, OPT_SYNTH, OPT_SEED, OPT_FOLDS, OPT_GROUP_KEY, OPT_EPOCHS,
    OPT_BOOT, OPT_PERM, OPT_HAMMING, OPT_NEAR, OPT_BIAS_T, OPT_LEAK_T, OPT_THREADS
};

static const struct option opts[] = {
    CLI_COMMON_OPTIONS,
    { "output", required_argument, NULL, 'o' },
    { "fail-on", required_argument, NULL, OPT_FAIL_ON },
    { "real", required_argument, NULL, OPT_REAL },
    { "synthetic", required_argument, NULL, OPT_SYNTH },
    { "seed", required_argument, NULL, OPT_SEED },
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

int main(int argc, char **argv)
{
    cli_init("synapt-audit", usage);
    audit_options opt = AUDIT_OPTIONS_INIT;
    const char *out = NULL, *fail_on = "all";
    input *in = calloc((size_t)argc + 1, sizeof *in);
    size_t nin = 0;
    if (!in) { cli_error(NULL, "out of memory"); return 1; }
    static const char shortopts[] = ":" CLI_COMMON_SHORT "o:";
    int c;
    opterr = 0;
    cli_refuse_abbrev(argc, argv, shortopts, opts);
    while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
        if (cli_common_option(c, argv)) continue;
        switch (c) {
        case 'o': out = optarg; break;
        case OPT_FAIL_ON: fail_on = optarg; break;
        case OPT_REAL: in[nin++] = (input){ optarg, 1 }; break;
        case OPT_SYNTH: in[nin++] = (input){ optarg, 2 }; break;
        case OPT_SEED: {
            uint64_t v;
            if (cli_parse_u64(&v, optarg) != 0) cli_usage_error("--seed needs a whole number, not '%s'", optarg);
            opt.seed = v;
            break;
        }
        case OPT_FOLDS: opt.folds = cli_parse_uint(optarg, "--folds", 2, 50); break;
        case OPT_GROUP_KEY: opt.group_key = optarg; break;
        case OPT_EPOCHS: opt.epochs = cli_parse_uint(optarg, "--epochs", 1, 10000); break;
        case OPT_BOOT: opt.bootstrap = cli_parse_uint(optarg, "--bootstrap", 0, 1000000); break;
        case OPT_PERM: opt.permutations = cli_parse_uint(optarg, "--permutations", 0, 1000000); break;
        case OPT_HAMMING: opt.hamming = cli_parse_uint(optarg, "--hamming", 0, 7); break;
        case OPT_NEAR: opt.near_frames = cli_parse_uint(optarg, "--near-frames", 1, AUDIT_K * AUDIT_K); break;
        case OPT_BIAS_T: opt.bias_threshold = parse_real(optarg, "--bias-threshold"); break;
        case OPT_LEAK_T: opt.leak_threshold = parse_real(optarg, "--leak-threshold"); break;
        case OPT_THREADS: opt.threads = cli_parse_uint(optarg, "--threads", 1, 256); break;
        default: cli_usage_error("unexpected option");
        }
    }
    for (int i = optind; i < argc; i++) in[nin++] = (input){ argv[i], 0 };
    if (!out) cli_usage_error("no output directory (-o DIR)");
    if (!nin) cli_usage_error("no input files");
    cli_route_ffmpeg_log();

    int status = 1;
    char err[1024] = "";
    audit_dataset ds;
    audit_report rep;
    cli_outdir od;
    memset(&rep, 0, sizeof rep);
    memset(&od, 0, sizeof od);
    audit_dataset_init(&ds);
    const char **paths = calloc(nin + 1, sizeof *paths);
    if (!paths) { cli_error(NULL, "out of memory"); goto done; }
    for (size_t i = 0; i < nin; i++) {
        if (cli_check_input(in[i].path) != 0) goto done;
        paths[i] = in[i].path;
    }
    /* the one loop over inputs: a clip selection plugs in as the select hook */
    for (size_t i = 0; i < nin; i++)
        if (audit_dataset_add_path(&ds, in[i].path, in[i].domain, NULL, NULL, err, sizeof err) != 0) {
            cli_error(NULL, "%s", err);
            goto done;
        }
    if (cli_outdir_open(&od, out, (const char *const *)paths, nin) != 0) goto done;
    cli_progress prog;
    cli_progress_start(&prog, "audit", "clips", ds.n);
    int frc = audit_features_compute(&ds, &opt, progress_cb, &prog, warn_cb, err, sizeof err);
    cli_progress_end(&prog);
    if (frc != 0) {
        cli_error(NULL, "%s", err);
        goto done;
    }
    if (audit_run(&rep, &ds, &opt) != 0) {
        cli_error(NULL, "out of memory while running the checks");
        goto done;
    }
    char p[4400];
    const char *bad = NULL;
    if (!at(p, sizeof p, &od, "report.json") || audit_write_json(p, &rep, &ds, &opt) != 0) bad = "report.json";
    if (!bad && (!at(p, sizeof p, &od, "report.html") || audit_write_html(p, &rep, &ds, &opt) != 0)) bad = "report.html";
    for (size_t t = 0; !bad && t < rep.ntables; t++) {
        char name[96];
        snprintf(name, sizeof name, "%s.csv", rep.tables[t].name);
        audit_buf b = { rep.tables[t].csv, strlen(rep.tables[t].csv), 0, 0 };
        if (!at(p, sizeof p, &od, name) || audit_buf_save(&b, p) != 0) bad = rep.tables[t].name;
    }
    if (!bad && rep.npairs && (!at(p, sizeof p, &od, "pairs.png") || audit_write_sheet(p, &rep, &ds, &opt) != 0))
        bad = "pairs.png";
    if (bad) {
        cli_error(out, "cannot write %s of the report", bad);
        goto done;
    }
    if (cli_outdir_commit(&od) != 0) goto done;
    int flagged = 0;
    for (size_t i = 0; i < rep.nchecks; i++)
        flagged |= rep.checks[i].flag && audit_fail_match(fail_on, rep.checks[i].id);
    if (cli_verbosity() >= 0) {
        printf("synapt-audit: %zu clips, %zu classes, splits %s -> %s/\n", rep.clips, rep.classes,
               rep.splits, out);
        for (size_t i = 0; i < rep.nchecks; i++) {
            const audit_check *ch = &rep.checks[i];
            if (!ch->flag && cli_verbosity() < 1 && strncmp(ch->id, "static_bias.", 12) != 0 &&
                strncmp(ch->id, "dup.cross", 9) != 0)
                continue;
            printf("  %-34s %10.4g", ch->id, ch->value);
            if (isfinite(ch->ci_lo)) printf("  [%.4g, %.4g]", ch->ci_lo, ch->ci_hi);
            printf("%s\n", ch->flag ? "  FLAG" : "");
        }
        size_t nf = 0;
        for (size_t i = 0; i < rep.nchecks; i++) nf += rep.checks[i].flag;
        printf("  %zu of %zu checks flagged%s\n", nf, rep.nchecks,
               cli_verbosity() < 1 ? " (-v lists every check)" : "");
    }
    status = flagged ? 3 : 0;
done:
    cli_outdir_abort(&od);
    free(paths);
    audit_report_free(&rep);
    audit_dataset_free(&ds);
    free(in);
    return status;
}
