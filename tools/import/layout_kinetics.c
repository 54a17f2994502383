/* layout_kinetics.c - annotation layout: Kinetics CSV. */
#include "layout_common.h"
#include <cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define OOM(err, errsz, file) \
    (import_errf((err), (errsz), (file), 0, "out of memory"), SYNAPT_E_NOMEM)


int import_parse_kinetics(import_list *out, const import_options *o, const char *path,
                          char *err, size_t errsz)
{
    import_options def = IMPORT_OPTIONS_INIT;
    if (!o)
        o = &def;
    char *dir = import_path_dir(path);
    char *root = dir ? layout_root_for(o, dir) : NULL;
    char *buf = NULL, *line = malloc(IMPORT_MAX_LINE + 1);
    char **labels = NULL;
    size_t nlabels = 0, labcap = 0;
    int rc = 0;
    if (!dir || !root || !line) {
        rc = OOM(err, errsz, path);
        goto done;
    }
    size_t len;
    if ((rc = import_read_file(&buf, &len, path, 0, err, errsz)))
        goto done;
    import_lines it = { buf, len, 0, 0 };
    int r = import_lines_next(&it, line);
    if (r <= 0) {
        import_errf(err, errsz, path, 1, "missing header row");
        rc = SYNAPT_E_INPUT;
        goto done;
    }
    char *f[16];
    int nf = import_csv_split(line, ',', f, 16);
    int c_label = -1, c_yt = -1, c_ts = -1, c_te = -1, c_split = -1, c_cc = -1;
    for (int i = 0; i < nf; i++) {
        if (strcmp(f[i], "label") == 0) c_label = i;
        else if (strcmp(f[i], "youtube_id") == 0) c_yt = i;
        else if (strcmp(f[i], "time_start") == 0) c_ts = i;
        else if (strcmp(f[i], "time_end") == 0) c_te = i;
        else if (strcmp(f[i], "split") == 0) c_split = i;
        else if (strcmp(f[i], "is_cc") == 0) c_cc = i;
    }
    if (nf < 0 || c_yt < 0 || c_ts < 0 || c_te < 0) {
        import_errf(err, errsz, path, 1,
                    "header must name youtube_id, time_start and time_end columns");
        rc = SYNAPT_E_INPUT;
        goto done;
    }
    while ((r = import_lines_next(&it, line)) != 0) {
        if (r < 0) {
            if ((rc = import_bad_entry(out, o, err, errsz, path, it.lineno, NULL,
                                       "line too long or holds a NUL byte")))
                goto done;
            continue;
        }
        if (!*layout_trim(line))
            continue;
        int n = import_csv_split(line, ',', f, 16);
        if (n != nf) {
            if ((rc = import_bad_entry(out, o, err, errsz, path, it.lineno, NULL,
                                       n < 0 ? "unterminated quote" :
                                       "expected %d fields, got %d", nf, n)))
                goto done;
            continue;
        }
        int64_t ts, te, cc = 0;
        const char *yt = f[c_yt];
        int okid = *yt && strlen(yt) <= 64;
        for (const char *p = yt; *p && okid; p++)
            okid = isalnum((unsigned char)*p) || *p == '-' || *p == '_';
        if (!okid) {
            if ((rc = import_bad_entry(out, o, err, errsz, path, it.lineno, NULL,
                                       "bad youtube_id '%s'", yt)))
                goto done;
            continue;
        }
        if (import_parse_int(&ts, f[c_ts], 0, 999999) || import_parse_int(&te, f[c_te], 0, 999999) ||
            te < ts || (c_cc >= 0 && import_parse_int(&cc, f[c_cc], 0, 1))) {
            if ((rc = import_bad_entry(out, o, err, errsz, path, it.lineno, yt,
                                       "time_start/time_end must be integers 0..999999 with start <= end%s",
                                       c_cc >= 0 ? ", is_cc 0 or 1" : "")))
                goto done;
            continue;
        }
        const char *label = c_label >= 0 ? f[c_label] : "";
        if (c_label >= 0 && (!*label || strchr(label, '/'))) {
            if ((rc = import_bad_entry(out, o, err, errsz, path, it.lineno, yt,
                                       "bad label '%s'", label)))
                goto done;
            continue;
        }
        char id[96], meta[256];
        snprintf(id, sizeof id, "%s_%06lld_%06lld", yt, (long long)ts, (long long)te);
        if (layout_video_leaves_root(o, label, id)) {
            if ((rc = import_bad_entry(out, o, err, errsz, path, it.lineno, id, LAYOUT_LEAVES_ROOT,
                                       label, *label ? "/" : "", id)))
                goto done;
            continue;
        }
        snprintf(meta, sizeof meta,
                 "{\"youtube_id\":\"%s\",\"time_start\":%lld,\"time_end\":%lld%s%s}", yt,
                 (long long)ts, (long long)te, c_cc >= 0 ? ",\"is_cc\":" : "",
                 c_cc >= 0 ? (cc ? "true" : "false") : "");
        import_clip *c;
        rc = import_list_append(&c, out, id, path, it.lineno);
        if (!rc && *label)
            rc = import_clip_add_label(c, label);
        if (!rc && c_split >= 0 && *f[c_split])
            rc = layout_set_str(&c->split, f[c_split]);
        if (!rc)
            rc = layout_set_str(&c->source, "kinetics");
        if (!rc)
            rc = layout_set_str(&c->meta_json, meta);
        if (!rc)
            rc = layout_set_video(c, root, label, id);
        if (!rc && *label && (nlabels == 0 || strcmp(labels[nlabels - 1], label) != 0)) {
            /* collect distinct labels; CSVs are grouped by label so this stays short */
            int seen = 0;
            for (size_t k = 0; k < nlabels && !seen; k++)
                seen = strcmp(labels[k], label) == 0;
            if (!seen) {
                if (nlabels == labcap) {
                    labcap = labcap ? labcap * 2 : 64;
                    char **nl = realloc(labels, labcap * sizeof *nl);
                    if (!nl)
                        rc = SYNAPT_E_NOMEM;
                    else
                        labels = nl;
                }
                if (!rc && !(labels[nlabels++] = strdup(label)))
                    rc = SYNAPT_E_NOMEM;
            }
        }
        if (rc) {
            import_errf(err, errsz, path, it.lineno, "%s", synapt_strerror(rc));
            goto done;
        }
    }
    /* Kinetics class ids are the alphabetical order of the names */
    if (nlabels)
        qsort(labels, nlabels, sizeof *labels, layout_cmp_str);
    for (size_t k = 0; k < nlabels && !rc; k++)
        rc = import_list_add_class(out, labels[k]);
done:
    for (size_t k = 0; k < nlabels; k++)
        free(labels[k]);
    free(labels);
    free(line);
    free(buf);
    free(root);
    free(dir);
    return rc;
}
