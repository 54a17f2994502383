/* dsmanifest.c - write a synapt-dataset/1 manifest (see dsmanifest.h). */
#include "dsmanifest.h"
#include "cli.h"
#include "synapt.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int dsm_member_from_file(dsm_member *m, char *err, size_t errcap)
{
    synapt_reader *r;
    char e[512];
    if (synapt_reader_open2(&r, m->file, NULL, e, sizeof e)) {
        snprintf(err, errcap, "%s", e);
        return -1;
    }
    synapt_file_info fi;
    int rc = synapt_reader_file_info(&fi, r);
    if (!rc) {
        memcpy(m->uuid, fi.uuid, 16);
        m->clips = fi.clip_count;
        m->size = fi.file_bytes;
    } else {
        snprintf(err, errcap, "%s", synapt_reader_errmsg(r));
    }
    synapt_reader_close(r);
    return rc ? -1 : 0;
}

/* The directory part of `path` made absolute ("." when none). */
static int dir_real(char *out, const char *path)
{
    char d[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(d, sizeof d, ".");
    else if (slash == path) snprintf(d, sizeof d, "/");
    else snprintf(d, sizeof d, "%.*s", (int)(slash - path), path);
    return realpath(d, out) ? 0 : -1;
}

/* `file` relative to the directory `dir` (both made absolute), or NULL when
 * it is not below it: a manifest names only files in its own tree. */
static int rel_path(char *out, size_t cap, const char *dir, const char *file)
{
    char fr[PATH_MAX];
    if (!realpath(file, fr)) return -1;
    size_t dl = strlen(dir);
    if (!strcmp(dir, "/")) dl = 0;
    if (strncmp(fr, dir, dl) || fr[dl] != '/') return -1;
    snprintf(out, cap, "%s", fr + dl + 1);
    return 0;
}

int dsm_write(const char *out, const char *name, const char *writer,
              const char *const *labels, size_t nlabels,
              const dsm_member *members, size_t nmembers, char *err, size_t errcap)
{
    char dir[PATH_MAX], tmp[PATH_MAX + 32];
    if (dir_real(dir, out)) {
        snprintf(err, errcap, "%s: cannot resolve its directory: %s", out, strerror(errno));
        return -1;
    }
    snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", out);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errcap, "%s: cannot create a temporary file: %s", out, strerror(errno));
        return -1;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        unlink(tmp);
        snprintf(err, errcap, "%s: %s", out, strerror(errno));
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
    int rc = 0;
    for (size_t i = 0; i < nmembers && !rc; i++) {
        const dsm_member *m = &members[i];
        char rel[PATH_MAX];
        if (rel_path(rel, sizeof rel, dir, m->file)) {
            snprintf(err, errcap, "%s: member %s is not inside the manifest's directory %s", out,
                     m->file, dir);
            rc = -1;
            break;
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
    if (!rc && (fflush(f) || ferror(f) || fsync(fileno(f)))) {
        snprintf(err, errcap, "%s: write failed: %s", out, strerror(errno));
        rc = -1;
    }
    if (fclose(f) && !rc) {
        snprintf(err, errcap, "%s: write failed: %s", out, strerror(errno));
        rc = -1;
    }
    if (!rc && rename(tmp, out)) {
        snprintf(err, errcap, "%s: cannot rename into place: %s", out, strerror(errno));
        rc = -1;
    }
    if (rc) unlink(tmp);
    return rc;
}
