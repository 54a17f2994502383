/* merge_manifest.c - writing a synapt-dataset/1 manifest (spec/dataset.md
 * section 12): relative member paths, one member per line (see merge.h). */
#include "merge.h"
#include "cli/cli.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

int merge_member_from_file(merge_member *m)
{
    synapt_reader *r;
    char e[1024];
    if (synapt_reader_open2(&r, m->file, NULL, e, sizeof e)) {
        cli_error_msg(m->file, e);
        return -1;
    }
    synapt_file_info fi;
    int rc = synapt_reader_file_info(&fi, r);
    if (!rc) {
        memcpy(m->uuid, fi.uuid, 16);
        m->clips = fi.clip_count;
        m->size = fi.file_bytes;
    } else {
        cli_error_msg(m->file, synapt_reader_errmsg(r));
    }
    synapt_reader_close(r);
    return rc ? -1 : 0;
}

/* The folder of `path`, made absolute. */
static int dir_real(char *out, const char *path)
{
    char d[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(d, sizeof d, ".");
    else if (slash == path) snprintf(d, sizeof d, "/");
    else snprintf(d, sizeof d, "%.*s", (int)(slash - path), path);
    return realpath(d, out) ? 0 : -1;
}

/* `file` relative to the absolute folder `dir`, or -1 when it is not below
 * it: a manifest names only files of its own tree (spec section 5), so it
 * can be moved with them. */
static int rel_path(char *out, size_t cap, const char *dir, const char *file)
{
    char fr[PATH_MAX];
    if (!realpath(file, fr)) return -1;
    size_t dl = strcmp(dir, "/") ? strlen(dir) : 0;
    if (strncmp(fr, dir, dl) || fr[dl] != '/') return -1;
    snprintf(out, cap, "%s", fr + dl + 1);
    return 0;
}

int merge_manifest_write(FILE *f, const char *out, const char *name, const char *writer,
                         const char *const *labels, size_t nlabels,
                         const merge_member *members, size_t nmembers)
{
    char dir[PATH_MAX];
    if (dir_real(dir, out)) {
        cli_error(out, "cannot resolve its folder: %s", strerror(errno));
        return -1;
    }
    /* the 28-byte prefix readers may look for (spec section 1) */
    fputs("{\"schema\":\"synapt-dataset/1\"", f);
    if (name) { fputs(",\n \"name\":", f); cli_json_str(f, name); }
    if (writer) { fputs(",\n \"writer\":", f); cli_json_str(f, writer); }
    if (labels) {
        fputs(",\n \"labels\":[", f);
        for (size_t i = 0; i < nlabels; i++) {
            if (i) fputc(',', f);
            cli_json_str(f, labels[i]);
        }
        fputc(']', f);
    }
    fputs(",\n \"members\":[", f);
    for (size_t i = 0; i < nmembers; i++) {
        const merge_member *m = &members[i];
        char rel[PATH_MAX];
        if (m->rel) {
            snprintf(rel, sizeof rel, "%s", m->rel);
        } else if (rel_path(rel, sizeof rel, dir, m->file)) {
            cli_error(out, "member %s is not inside the manifest's folder %s (member paths are "
                      "relative and stay below it)", m->file, dir);
            return -1;
        }
        fprintf(f, "%s\n  {\"path\":", i ? "," : "");
        cli_json_str(f, rel);
        fputs(",\"uuid\":\"", f);
        for (int k = 0; k < 16; k++) fprintf(f, "%02x", m->uuid[k]);
        fprintf(f, "\",\"clips\":%llu,\"size\":%llu", (unsigned long long)m->clips,
                (unsigned long long)m->size);
        if (m->select) {
            fputs(",\"select\":[", f);
            for (uint64_t k = 0; k < m->nselect; k++)
                fprintf(f, "%s%llu", k ? "," : "", (unsigned long long)m->select[k]);
            fputc(']', f);
        }
        if (m->nmap) {
            fputs(",\"label_map\":{", f);
            for (size_t k = 0; k < m->nmap; k++) {
                if (k) fputc(',', f);
                cli_json_str(f, m->map_keys[k]);
                fputc(':', f);
                if (m->map_vals[k]) cli_json_str(f, m->map_vals[k]);
                else fputs("null", f);
            }
            fputc('}', f);
        }
        fputc('}', f);
    }
    fputs("]}\n", f);
    return 0;
}

int merge_manifest_save(const char *out, const merge_inputs *in, const char *writer,
                        const char *const *labels, size_t nlabels,
                        const merge_member *members, size_t nmembers)
{
    cli_outfile o;
    FILE *f = cli_out_open(&o, out, in->files, in->nfiles);
    if (!f) return -1;
    if (merge_manifest_write(f, out, NULL, writer, labels, nlabels, members, nmembers)) {
        cli_out_abort(&o);
        return -1;
    }
    return cli_out_commit(&o);
}

static int cmp_uuid(const void *a, const void *b)
{
    const merge_member *x = *(const merge_member *const *)a, *y = *(const merge_member *const *)b;
    int c = memcmp(x->uuid, y->uuid, 16);
    return c ? c : (x < y ? -1 : x > y);
}

int merge_members_unique(const merge_member *m, size_t n, const char *out)
{
    const merge_member **v = merge_xmalloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < n; i++) v[i] = &m[i];
    qsort(v, n, sizeof *v, cmp_uuid);
    int rc = 0;
    for (size_t i = 1; i < n && !rc; i++)
        if (!memcmp(v[i - 1]->uuid, v[i]->uuid, 16)) {
            cli_error(out, "%s and %s are the same file (uuid); a manifest lists a file once",
                      v[i - 1]->file, v[i]->file);
            rc = -1;
        }
    free(v);
    return rc;
}

static int cmp_key(const void *k, const void *e)
{
    return strcmp((const char *)k, *(const char *const *)e);
}

const char *merge_member_label(const synapt_dataset_member *m, const char *name)
{
    if (!m->label_map_count) return name;
    const char *const *hit = bsearch(name, m->label_map_keys, m->label_map_count, sizeof *m->label_map_keys, cmp_key);
    return hit ? m->label_map_values[hit - m->label_map_keys] : name;
}
