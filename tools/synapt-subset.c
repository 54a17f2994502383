/* synapt-subset - choose clips of .synapt files or manifests (select.c)
 * and copy them into a new file (chunks copied, never re-encoded), write a
 * virtual subset (a manifest with `select`), or only list them. */
#include "cli.h"
#include "dsmanifest.h"
#include "select.h"
#include "synapt.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
    "  synapt-subset --group actor=P001 --list all.synapt.json\n";

static void refuse_abbrev(int argc, char **argv, const struct option *opts)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) break;
        if (strncmp(a, "--", 2)) continue;
        size_t n = strcspn(a + 2, "=");
        int ok = 0;
        for (const struct option *o = opts; o->name && !ok; o++)
            ok = strlen(o->name) == n && !strncmp(o->name, a + 2, n);
        if (!ok) cli_usage_error("unknown option '%.*s'", (int)(n + 2), a);
    }
}

typedef struct input { const char *path; synapt_dataset *ds; uint8_t *keep; uint64_t kept; } input;

typedef struct count { char *name; uint64_t n; } count;
static void count_add(count **c, size_t *n, const char *name)
{
    for (size_t i = 0; i < *n; i++) if (!strcmp((*c)[i].name, name)) { (*c)[i].n++; return; }
    *c = realloc(*c, (*n + 1) * sizeof **c);
    if (!*c || !((*c)[*n].name = strdup(name))) { cli_error(NULL, "out of memory"); exit(CLI_EXIT_ERROR); }
    (*c)[(*n)++].n = 1;
}
static void count_print(const char *what, count *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        printf("# %s\t%s\t%" PRIu64 "\n", what, *c[i].name ? c[i].name : "-", c[i].n);
        free(c[i].name);
    }
    free(c);
}

static int do_list(input *in, size_t nin)
{
    count *cl = NULL, *so = NULL, *sp = NULL;
    size_t ncl = 0, nso = 0, nsp = 0;
    for (size_t k = 0; k < nin; k++) {
        uint64_t n = synapt_dataset_clip_count(in[k].ds);
        for (uint64_t g = 0; g < n; g++) {
            if (!in[k].keep[g]) continue;
            synapt_clip_info ci;
            if (synapt_dataset_clip(&ci, in[k].ds, g)) {
                cli_error_msg(in[k].path, synapt_dataset_errmsg(in[k].ds));
                return CLI_EXIT_ERROR;
            }
            const char *label = ci.label_count ? synapt_dataset_label_name(in[k].ds, ci.first_label) : "";
            printf("%s\t%s\t%s\t%s\n", ci.id, *label ? label : "-", *ci.source ? ci.source : "-",
                   *ci.split ? ci.split : "-");
            count_add(&cl, &ncl, label);
            count_add(&so, &nso, ci.source);
            count_add(&sp, &nsp, ci.split);
        }
    }
    count_print("class", cl, ncl);
    count_print("source", so, nso);
    count_print("split", sp, nsp);
    return fflush(stdout) ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}

static int do_virtual(input *in, size_t nin, const char *out)
{
    size_t nm = 0;
    for (size_t k = 0; k < nin; k++) nm += synapt_dataset_member_count(in[k].ds);
    dsm_member *m = calloc(nm ? nm : 1, sizeof *m);
    uint64_t **sel = calloc(nm ? nm : 1, sizeof *sel);
    const char **labels = NULL;
    size_t nl = 0, used = 0;
    int rc = CLI_EXIT_ERROR;
    if (!m || !sel) { cli_error(NULL, "out of memory"); exit(CLI_EXIT_ERROR); }
    for (size_t k = 0; k < nin; k++) {
        synapt_dataset *ds = in[k].ds;
        for (uint32_t j = 0; j < synapt_dataset_member_count(ds); j++) {
            synapt_dataset_member mi;
            synapt_dataset_member_info(&mi, ds, j);
            uint64_t c = 0;
            for (uint64_t i = 0; i < mi.selected; i++) c += in[k].keep[mi.base + i];
            if (!c) continue;   /* a member contributing nothing is left out */
            dsm_member *d = &m[used];
            sel[used] = malloc(c * sizeof **sel);
            if (!sel[used]) { cli_error(NULL, "out of memory"); exit(CLI_EXIT_ERROR); }
            c = 0;
            for (uint64_t i = 0; i < mi.selected; i++)
                if (in[k].keep[mi.base + i]) sel[used][c++] = mi.select ? mi.select[i] : i;
            d->file = mi.resolved_path;
            memcpy(d->uuid, mi.uuid, 16);
            d->clips = mi.clips;
            d->size = mi.size;
            /* select only when the member gives fewer than all its clips */
            d->select = c < mi.clips ? sel[used] : NULL;
            d->nselect = c;
            d->map_keys = mi.label_map_keys;
            d->map_vals = mi.label_map_values;
            d->nmap = mi.label_map_count;
            for (size_t q = 0; q < used; q++)
                if (!memcmp(m[q].uuid, d->uuid, 16)) {
                    cli_error(out, "%s and %s are the same file (uuid); a manifest lists a file once",
                              m[q].file, d->file);
                    goto done;
                }
            used++;
        }
        for (uint64_t l = 0; l < synapt_dataset_label_count(ds); l++) {
            const char *name = synapt_dataset_label_name(ds, (uint32_t)l);
            size_t q = 0;
            while (q < nl && strcmp(labels[q], name)) q++;
            if (q < nl) continue;
            labels = realloc(labels, (nl + 1) * sizeof *labels);
            if (!labels) { cli_error(NULL, "out of memory"); exit(CLI_EXIT_ERROR); }
            labels[nl++] = name;
        }
    }
    char err[1024];
    if (dsm_write(out, NULL, "synapt-subset " SYNAPT_VERSION_STRING, labels, nl, m, used, err, sizeof err))
        cli_error(NULL, "%s", err);
    else
        rc = CLI_EXIT_OK;
done:
    for (size_t i = 0; i < nm; i++) free(sel[i]);
    free(sel);
    free(m);
    free(labels);
    return rc;
}

static int do_copy(input *in, size_t nin, const char *out, uint64_t total)
{
    synapt_writer_options wo = SYNAPT_WRITER_OPTIONS_INIT;
    wo.writer_name = "synapt-subset";
    wo.deterministic = 1;
    synapt_writer *w;
    char err[1024];
    if (synapt_writer_create(&w, out, &wo, err, sizeof err)) {
        cli_error_msg(out, err);
        return CLI_EXIT_ERROR;
    }
    cli_progress pr;
    cli_progress_start(&pr, "subset", "clips", total);
    uint64_t done = 0;
    int rc = 0;
    uint32_t *ids = NULL;
    const char **names = NULL;
    size_t cap = 0;
    for (size_t k = 0; k < nin && !rc; k++) {
        synapt_dataset *ds = in[k].ds;
        uint64_t n = synapt_dataset_clip_count(ds);
        for (uint64_t g = 0; g < n && !rc; g++) {
            if (!in[k].keep[g]) continue;
            synapt_clip_info dci;
            size_t nl = 0;
            rc = synapt_dataset_clip(&dci, ds, g);
            if (!rc && dci.label_count > cap) {
                cap = dci.label_count;
                ids = realloc(ids, cap * sizeof *ids);
                names = realloc(names, cap * sizeof *names);
                if (!ids || !names) { cli_error(NULL, "out of memory"); exit(CLI_EXIT_ERROR); }
            }
            if (!rc) rc = synapt_dataset_clip_labels(ids, cap, &nl, ds, g);
            synapt_reader *r = NULL;
            uint64_t mc;
            if (!rc) rc = synapt_dataset_acquire(&r, &mc, ds, g);
            if (rc) {
                cli_error_msg(in[k].path, synapt_dataset_errmsg(ds));
                break;
            }
            synapt_clip_info ci;
            const char **gk = NULL, **gv = NULL;
            rc = synapt_reader_clip(&ci, r, mc);
            if (!rc) {
                gk = malloc((ci.group_count + 1) * sizeof *gk);
                gv = malloc((ci.group_count + 1) * sizeof *gv);
                if (!gk || !gv) { cli_error(NULL, "out of memory"); exit(CLI_EXIT_ERROR); }
            }
            for (uint32_t i = 0; !rc && i < ci.group_count; i++)
                rc = synapt_reader_clip_group(&gk[i], &gv[i], r, mc, i);
            if (rc) {
                cli_error_msg(in[k].path, synapt_reader_errmsg(r));
            } else {
                for (size_t i = 0; i < nl; i++) names[i] = synapt_dataset_label_name(ds, ids[i]);
                synapt_clip_desc d = SYNAPT_CLIP_DESC_INIT;
                d.id = ci.id;
                d.labels = names;
                d.label_count = nl;
                d.split = ci.split;
                d.source = ci.source;
                d.synthetic = ci.synthetic;
                d.group_keys = gk;
                d.group_values = gv;
                d.group_count = ci.group_count;
                d.meta_json = ci.meta_json;
                if ((rc = synapt_writer_copy_clip_as(w, r, mc, &d))) {
                    const char *msg = synapt_writer_errmsg(w);
                    cli_error_msg(out, msg);
                    if (rc == SYNAPT_E_EXISTS)
                        cli_error(out, "clip ids must be unique: use synapt-merge --on-duplicate for inputs sharing ids");
                }
            }
            free(gk);
            free(gv);
            synapt_dataset_release(ds, r);
            cli_progress_update(&pr, ++done, 0);
        }
    }
    cli_progress_end(&pr);
    free(ids);
    free(names);
    if (rc) {
        synapt_writer_abort(w);
        return CLI_EXIT_ERROR;
    }
    if (synapt_writer_close(w, err, sizeof err)) {
        cli_error_msg(out, err);
        return CLI_EXIT_ERROR;
    }
    if (cli_verbosity() > 0) cli_info("%s: %" PRIu64 " clips written", out, total);
    return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
    enum { OPT_VIRTUAL = 0x2000, OPT_LIST };
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' },
        { "virtual", no_argument, NULL, OPT_VIRTUAL },
        { "list", no_argument, NULL, OPT_LIST },
        SEL_LONGOPTS,
        CLI_COMMON_OPTIONS,
        { NULL, 0, NULL, 0 }
    };
    cli_init("synapt-subset", usage);
    refuse_abbrev(argc, argv, longopts);
    sel_criteria crit;
    sel_init(&crit);
    const char *out = NULL;
    int virt = 0, list = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:" CLI_COMMON_SHORT, longopts, NULL)) != -1) {
        if (cli_common_option(c, argv)) continue;
        if (sel_option(&crit, c, optarg)) continue;
        switch (c) {
        case 'o': out = optarg; break;
        case OPT_VIRTUAL: virt = 1; break;
        case OPT_LIST: list = 1; break;
        default: cli_usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (list && (out || virt)) cli_usage_error("--list writes nothing: no -o or --virtual with it");
    if (!list && !out) cli_usage_error("no output given (-o OUT, or --list)");
    if (optind >= argc) cli_usage_error("no input given");
    size_t nin = (size_t)(argc - optind);
    input *in = calloc(nin, sizeof *in);
    if (!in) { cli_error(NULL, "out of memory"); return CLI_EXIT_ERROR; }
    int ret = CLI_EXIT_ERROR;
    uint64_t total = 0;
    struct stat so;
    int have_out = out && stat(out, &so) == 0;
    for (size_t k = 0; k < nin; k++) {
        char err[1024];
        in[k].path = argv[optind + (int)k];
        if (synapt_dataset_open(&in[k].ds, in[k].path, NULL, err, sizeof err)) {
            cli_error_msg(in[k].path, err);
            goto done;
        }
        for (uint32_t m = 0; have_out && m < synapt_dataset_member_count(in[k].ds); m++) {
            synapt_dataset_member mi;
            struct stat sm;
            synapt_dataset_member_info(&mi, in[k].ds, m);
            if (stat(mi.resolved_path, &sm) == 0 && sm.st_dev == so.st_dev && sm.st_ino == so.st_ino) {
                cli_error(out, "the output is one of the inputs (%s)", mi.resolved_path);
                goto done;
            }
        }
        struct stat si;
        if (have_out && stat(in[k].path, &si) == 0 && si.st_dev == so.st_dev && si.st_ino == so.st_ino) {
            cli_error(out, "the output is one of the inputs");
            goto done;
        }
        uint64_t n = synapt_dataset_clip_count(in[k].ds);
        in[k].keep = malloc(n ? n : 1);
        if (!in[k].keep) { cli_error(NULL, "out of memory"); goto done; }
        if (sel_run(in[k].keep, &in[k].kept, in[k].ds, &crit, err, sizeof err)) {
            cli_error_msg(in[k].path, err);
            goto done;
        }
        total += in[k].kept;
    }
    if (list) ret = do_list(in, nin);
    else if (virt) ret = do_virtual(in, nin, out);
    else ret = do_copy(in, nin, out, total);
    if (ret == CLI_EXIT_OK && !list && cli_verbosity() >= 0 && !total)
        cli_warn(out, "no clip matched: the output holds no clips");
done:
    for (size_t k = 0; k < nin; k++) {
        synapt_dataset_close(in[k].ds);
        free(in[k].keep);
    }
    free(in);
    sel_free(&crit);
    return ret;
}
