/* synapt-recover - salvage the complete clips of an unfinished or damaged
 * .synapt file into a new, valid one.
 *
 * The work is synapt_recover() (spec/format.md section 13); this command
 * adds the conventions: the output is staged beside the target and renamed
 * into place, the input is never written, and the exit status says whether
 * anything was lost (0 nothing, 3 some clips, 1 nothing recoverable). */
#include "cli/cli.h"
#include "synapt.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] =
    "Usage: synapt-recover [OPTIONS] IN -o OUT.synapt\n"
    "Salvage the complete clips of an unfinished or damaged .synapt file.\n"
    "\n"
    "IN may be a finished file whose end or index was damaged, the temporary\n"
    "file a killed writer left (OUT.tmp-XXXXXX), or the .OUT.tmp-XXXXXX/ folder\n"
    "a killed synapt command left (the partial file in it is used). Records are\n"
    "read from the start until one is torn or fails its checksum; every clip\n"
    "whose CLIP record and chunks were all written is copied into OUT without\n"
    "recompression.\n"
    "\n"
    "Options:\n"
    "  -o, --output FILE     the recovered file; written under a temporary name\n"
    "                        beside it and renamed into place, never over IN\n"
    "      --json            print the report as one JSON object on stdout\n"
    "  -q, --quiet           print nothing but errors\n"
    "  -v, --verbose         name every clip kept as well as every clip lost\n"
    "  -h, --help            show this help and exit\n"
    "      --version         show the version and exit\n"
    "\n"
    "Exit status: 0 every clip recovered (nothing lost), 3 some clips or chunks\n"
    "lost, 1 nothing recoverable or an error, 2 usage error.\n"
    "\n"
    "Example:\n"
    "  synapt-recover .big.synapt.tmp-Ab12Cd -o big.synapt\n"
    "  synapt-inspect --verify big.synapt\n";

enum { OPT_JSON = 0x2001 };

typedef struct logctx {
    const char *in;
} logctx;

static void on_log(void *user, int level, const char *msg)
{
    logctx *c = user;
    /* the library's lines already start with the file name */
    size_t n = strlen(c->in);
    const char *file = strncmp(msg, c->in, n) == 0 && msg[n] == ':' ? NULL : c->in;
    if (level == 0) cli_warn(file, "%s", msg);
    else if (cli_verbosity() >= 1) cli_error(file, "%s", msg);
}

/* IN given as the staging folder a killed command left (.OUT.tmp-XXXXXX/):
 * the partial file is the one regular file in it, not hidden, whose name
 * holds ".synapt" (OUT itself, or the writer's own OUT.tmp-XXXXXX). */
static int file_in_folder(const char *dir, char *path, size_t cap)
{
    DIR *d = opendir(dir);
    if (!d) {
        cli_error(dir, "cannot list the folder: %s", strerror(errno));
        return -1;
    }
    int found = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !strstr(e->d_name, ".synapt")) continue;
        char p[PATH_MAX];
        struct stat st;
        if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= (int)sizeof p) continue;
        if (lstat(p, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (++found == 1 && snprintf(path, cap, "%s", p) >= (int)cap) found = 99;
    }
    closedir(d);
    if (found == 1) return 0;
    if (found == 0) cli_error(dir, "is a folder without a .synapt file in it; give the file to recover");
    else cli_error(dir, "is a folder with several .synapt files in it; give the one to recover");
    return -1;
}

int main(int argc, char **argv)
{
    cli_init("synapt-recover", usage);
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' },
        { "json",   no_argument,       NULL, OPT_JSON },
        CLI_COMMON_OPTIONS,
        { NULL, 0, NULL, 0 }
    };
    const char *out = NULL;
    int json = 0, c;
    cli_refuse_abbrev(argc, argv, ":o:" CLI_COMMON_SHORT, longopts);
    while ((c = getopt_long(argc, argv, ":o:" CLI_COMMON_SHORT, longopts, NULL)) != -1) {
        if (cli_common_option(c, argv)) continue;
        switch (c) {
        case 'o': out = optarg; break;
        case OPT_JSON: json = 1; break;
        default: cli_usage_error("unexpected option");
        }
    }
    if (optind == argc) cli_usage_error("no input file");
    if (optind + 1 < argc) cli_usage_error("one input file at a time (got %d)", argc - optind);
    if (!out) cli_usage_error("no output: give -o OUT.synapt");
    const char *in = argv[optind];
    struct stat ist;
    static char inbuf[PATH_MAX];
    if (stat(in, &ist) == 0 && S_ISDIR(ist.st_mode)) {
        if (file_in_folder(in, inbuf, sizeof inbuf)) return CLI_EXIT_ERROR;
        in = inbuf;
    }
    if (cli_check_input(in)) return CLI_EXIT_ERROR;
    if (cli_is_manifest(in)) {
        /* a manifest holds no clips to salvage; its members are files */
        cli_error(in, "is a dataset manifest, not a .synapt file: recover the member file that "
                  "needs it (synapt-inspect --verify names it)");
        return CLI_EXIT_ERROR;
    }

    cli_staged st;
    if (cli_staged_open(&st, out, &in, 1)) return CLI_EXIT_ERROR;
    synapt_recover_report r;
    memset(&r, 0, sizeof r);
    char err[1024] = "";
    logctx lc = { in };
    /* the same damaged file always gives the same bytes (uuid from the
     * content, no creation time), as every other synapt command does */
    synapt_writer_options wo = SYNAPT_WRITER_OPTIONS_INIT;
    wo.deterministic = 1;
    wo.writer_name = "synapt-recover";
    int rc = synapt_recover(&r, in, st.file, &wo, on_log, &lc, err, sizeof err);
    if (rc) {
        cli_staged_abort(&st);
        cli_error_msg(in, err[0] ? err : synapt_strerror(rc));
        if (json)
            printf("{\"schema\":\"synapt-recover/1\",\"ok\":false,\"clips_kept\":0,\"error\":"),
            cli_json_str(stdout, err), printf("}\n");
        return CLI_EXIT_ERROR;
    }
    if (r.clips_kept == 0) {
        /* an empty file is no recovery: keep whatever is at OUT */
        cli_staged_abort(&st);
        cli_error(in, "no complete clip to recover (%" PRIu64 " lost, %" PRIu64
                  " chunks without a clip record)", r.clips_dropped, r.orphan_chunks);
        if (json)
            printf("{\"schema\":\"synapt-recover/1\",\"ok\":false,\"clips_kept\":0,"
                   "\"clips_lost\":%" PRIu64 ",\"orphan_chunks\":%" PRIu64 ",\"error\":\"no complete clip\"}\n",
                   r.clips_dropped, r.orphan_chunks);
        return CLI_EXIT_ERROR;
    }
    if (cli_staged_commit(&st)) return CLI_EXIT_ERROR;
    int lost = r.clips_dropped > 0 || r.orphan_chunks > 0 || r.stopped_early;
    if (json) {
        printf("{\"schema\":\"synapt-recover/1\",\"ok\":true,\"input\":");
        cli_json_str(stdout, in);
        printf(",\"output\":");
        cli_json_str(stdout, out);
        printf(",\"clips_kept\":%" PRIu64 ",\"clips_lost\":%" PRIu64 ",\"orphan_chunks\":%" PRIu64
               ",\"records_scanned\":%" PRIu64 ",\"bytes_scanned\":%" PRIu64 ",\"file_bytes\":%" PRIu64
               ",\"stopped_early\":%s,\"had_index\":%s,\"lost\":%s}\n",
               r.clips_kept, r.clips_dropped, r.orphan_chunks, r.records_scanned, r.bytes_scanned,
               r.file_bytes, r.stopped_early ? "true" : "false", r.had_index ? "true" : "false",
               lost ? "true" : "false");
    } else if (cli_verbosity() >= 0) {
        char a[32], b[32];
        printf("%s: kept %" PRIu64 " clips, lost %" PRIu64 " clips and %" PRIu64
               " chunks of an unfinished clip; scanned %s of %s bytes%s\n",
               out, r.clips_kept, r.clips_dropped, r.orphan_chunks,
               cli_human_count(a, sizeof a, r.bytes_scanned), cli_human_count(b, sizeof b, r.file_bytes),
               r.stopped_early ? " (a damaged or torn record ended the scan)" : "");
    }
    if (fflush(stdout) != 0) return CLI_EXIT_ERROR;
    return lost ? CLI_EXIT_PROBLEMS : CLI_EXIT_OK;
}
