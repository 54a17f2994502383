/* import_layouts.c - the table of annotation layouts: names, detection
 * from a path, and import_parse(), which hands each input to its layout
 * parser (layout_*.c). */
#include "layout_common.h"
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static int ends_with_ci(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int path_kind(const char *p) /* 0 none, 1 file, 2 dir */
{
    struct stat st;
    if (stat(p, &st) != 0)
        return 0;
    return S_ISDIR(st.st_mode) ? 2 : 1;
}


typedef int (*layout_parse_fn)(import_list *out, const import_options *o, const char *path,
                               char *err, size_t errsz);

/* Every layout synapt-pack knows; --format takes these names, and `auto`
 * asks import_detect_format() below. A new layout is one file and one row. */
static const struct layout {
    const char *name;
    layout_parse_fn parse;
} layouts[] = {
    { "manifest", import_parse_manifest },
    { "ucf101",   import_parse_ucf101 },
    { "hmdb51",   import_parse_hmdb51 },
    { "kinetics", import_parse_kinetics },
    { "ssv2",     import_parse_ssv2 },
    { "diving48", import_parse_diving48 },
    { "uav-human", import_parse_uav_human },
    { "ikea-fa",  import_parse_ikea_fa },
    { "mini-ssv2", import_parse_mini_ssv2 },
    { "list",     import_parse_list },
    { "ntu",      import_parse_ntu },
    { "surreact", import_parse_surreact },
    { "folder",   import_parse_folder },
};
#define N_LAYOUTS (sizeof layouts / sizeof layouts[0])

const char *import_format_names(void)
{
    static char names[256];
    if (!names[0]) {
        size_t o = 0;
        for (size_t i = 0; i < N_LAYOUTS && o < sizeof names; i++)
            o += (size_t)snprintf(names + o, sizeof names - o, "%s%s", i ? " " : "", layouts[i].name);
    }
    return names;
}

static int dir_has_suffix(const char *dir, const char *suffix, int depth)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int found = 0, seen = 0;
    struct dirent *e;
    while (!found && (e = readdir(d)) && seen++ < 100000) {
        if (e->d_name[0] == '.')
            continue;
        if (ends_with_ci(e->d_name, suffix)) {
            found = 1;
            break;
        }
        if (depth > 0) {
            char *sub = import_path_join(dir, e->d_name);
            if (sub && is_dir(sub))
                found = dir_has_suffix(sub, suffix, depth - 1);
            free(sub);
        }
    }
    closedir(d);
    return found;
}

/* train.csv / val.csv of SynAPT's split lists: the set from the first entry */
static const char *detect_split_list(const char *input)
{
    char head[4096];
    const char *const names[] = { "train.csv", "val.csv", "test.csv", NULL };
    char *f = is_dir(input) ? layout_find_in_dir(input, names) : NULL;
    int got = import_file_head(f ? f : input, head, sizeof head);
    free(f);
    if (got <= 0)
        return NULL;
    head[strcspn(head, "\r\n")] = 0;
    return layout_split_detect(head);
}

const char *import_detect_format(const char *input)
{
    if (layout_split_is_input(input)) {
        const char *set = detect_split_list(input);
        if (set)
            return set;
    }
    if (is_dir(input)) {
        char *p = import_path_join(input, "classInd.txt");
        int ucf = p && path_kind(p) == 1;
        free(p);
        if (ucf)
            return "ucf101";
        if (dir_has_suffix(input, "_test_split1.txt", 0))
            return "hmdb51";
        if (dir_has_suffix(input, ".skeleton", 0))
            return "ntu";
        if (dir_has_suffix(input, "_vocab.json", 0))
            return "diving48";
        char *lj = import_path_join(input, "labels.json");
        int ssv2 = (lj && path_kind(lj) == 1) || dir_has_suffix(input, "-labels.json", 0);
        free(lj);
        if (ssv2)
            return "ssv2";
        if (dir_has_suffix(input, "_info.mat", 4))
            return "surreact";
        static const char *const vexts[] = { ".mp4", ".avi", ".webm", ".mkv", ".mov", NULL };
        for (int i = 0; vexts[i]; i++)
            if (dir_has_suffix(input, vexts[i], 1))
                return "folder";
        return NULL;
    }
    const char *base = strrchr(input, '/');
    base = base ? base + 1 : input;
    if (ends_with_ci(base, ".jsonl"))
        return "manifest";
    if (ends_with_ci(base, ".skeleton"))
        return "ntu";
    if (strncasecmp(base, "Diving48", 8) == 0 && ends_with_ci(base, ".json"))
        return "diving48";
    char head[4096];
    if (import_file_head(input, head, sizeof head) < 0)
        return NULL;
    if (ends_with_ci(base, ".csv")) {
        char *nl = strchr(head, '\n');
        if (nl)
            *nl = 0;
        if (strstr(head, "youtube_id"))
            return "kinetics";
        if (strstr(head, "video") || strstr(head, "frames"))
            return "manifest";
        return "list";
    }
    if (ends_with_ci(base, ".json")) {
        if (strstr(head, "\"template\"") || strstr(head, "\"id\""))
            return "ssv2";
        if (strstr(head, "\"vid_name\""))
            return "diving48";
        return NULL;
    }
    if (ends_with_ci(base, ".txt")) {
        if (strstr(base, "_test_split"))
            return "hmdb51";
        if (strncasecmp(base, "trainlist", 9) == 0 || strncasecmp(base, "testlist", 8) == 0 ||
            strcasecmp(base, "classInd.txt") == 0)
            return "ucf101";
        return "list";
    }
    return NULL;
}

int import_parse(import_list *out, const import_options *opts,
                 const char *const *inputs, size_t n_inputs, char *err, size_t errsz)
{
    import_options def = IMPORT_OPTIONS_INIT;
    if (!opts)
        opts = &def;
    for (size_t i = 0; i < n_inputs; i++) {
        const char *fmt = opts->format;
        if (!fmt || !*fmt || strcmp(fmt, "auto") == 0) {
            fmt = import_detect_format(inputs[i]);
            if (!fmt) {
                import_errf(err, errsz, inputs[i], 0,
                            "cannot tell the annotation layout; give --format (one of: %s)",
                            import_format_names());
                return SYNAPT_E_INPUT;
            }
        }
        size_t k = 0;
        while (k < N_LAYOUTS && strcmp(layouts[k].name, fmt) != 0) k++;
        if (k == N_LAYOUTS) {
            import_errf(err, errsz, NULL, 0, "unknown format '%s' (one of: %s)", fmt,
                        import_format_names());
            return SYNAPT_E_INVALID_ARG;
        }
        /* layouts with no class list of their own never read --labels */
        if (opts->labels_file && (!strcmp(fmt, "ntu") || !strcmp(fmt, "surreact") || !strcmp(fmt, "folder"))) {
            import_errf(err, errsz, NULL, 0, "--labels does not apply to the %s layout", fmt);
            return SYNAPT_E_INVALID_ARG;
        }
        int rc = layouts[k].parse(out, opts, inputs[i], err, errsz);
        if (rc)
            return rc;
    }
    return 0;
}
