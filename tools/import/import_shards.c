/* import_shards.c - the dataset manifest synapt-pack --max-shard-bytes
 * writes beside its shards (spec/dataset.md), so the shards open as one
 * dataset without a separate synapt-merge --manifest-only run. */
#include "import.h"
#include "cli/cli.h"
#include "merge/merge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *import_shard_path(const char *out, uint32_t k)
{
    size_t n = strlen(out);
    const char *ext = n > 7 && strcmp(out + n - 7, ".synapt") == 0 ? ".synapt" : "";
    size_t stem = n - strlen(ext);
    char *p = malloc(n + 16);
    if (p)
        snprintf(p, n + 16, "%.*s-%05u%s", (int)stem, out, k, *ext ? ext : ".synapt");
    return p;
}

char *import_manifest_path(const char *out)
{
    size_t n = strlen(out);
    char *p = malloc(n + 16);
    if (p)
        snprintf(p, n + 16, "%s%s", out, n > 7 && strcmp(out + n - 7, ".synapt") == 0 ? ".json" : ".synapt.json");
    return p;
}

static const char *base_of(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

int import_shards_manifest(cli_staged *stage, const char *out, uint32_t shards, const import_list *l,
                           const char *const *inputs, size_t ninputs, char *err, size_t errsz)
{
    char *target = import_manifest_path(out);
    merge_member *m = calloc(shards ? shards : 1, sizeof *m);
    char **names = calloc(shards ? shards : 1, sizeof *names);
    char **files = calloc(shards ? shards : 1, sizeof *files);
    const char **labels = malloc((l->class_count + l->count * 4 + 1) * sizeof *labels);
    merge_strset seen = { 0 };
    size_t nl = 0;
    int rc = SYNAPT_E_NOMEM;
    if (!target || !m || !names || !files || !labels) {
        import_errf(err, errsz, out, 0, "out of memory");
        goto done;
    }
    /* the vocabulary every shard was given (open_output): classes first,
     * then the list's labels in order of first use */
    for (size_t i = 0; i < l->class_count; i++)
        if (merge_strset_add(&seen, l->classes[i])) labels[nl++] = l->classes[i];
    for (size_t i = 0; i < l->count; i++)
        for (size_t k = 0; k < l->clips[i].label_count; k++) {
            if (!merge_strset_has(&seen, l->clips[i].labels[k])) {
                const char **v = realloc(labels, (nl + l->count * 4 + 1) * sizeof *labels);
                if (!v) {
                    import_errf(err, errsz, out, 0, "out of memory");
                    goto done;
                }
                labels = v;
                merge_strset_add(&seen, l->clips[i].labels[k]);
                labels[nl++] = l->clips[i].labels[k];
            }
        }
    rc = SYNAPT_E_IO;
    if (cli_output_check(target, inputs, ninputs) != 0) {
        import_errf(err, errsz, target, 0, "refusing to write the manifest");
        goto done;
    }
    for (uint32_t k = 0; k < shards; k++) {
        names[k] = import_shard_path(out, k);
        const char *staged = names[k] ? cli_staged_path(stage, names[k]) : NULL;
        if (!staged || !(files[k] = strdup(staged))) {
            import_errf(err, errsz, out, 0, "out of memory");
            goto done;
        }
        m[k].file = files[k];
        m[k].rel = base_of(names[k]);
        if (merge_member_from_file(&m[k])) {
            import_errf(err, errsz, names[k], 0, "cannot read the shard back for the manifest");
            goto done;
        }
    }
    const char *path = cli_staged_path(stage, target);
    FILE *f = path ? fopen(path, "w") : NULL;
    if (!f) {
        import_errf(err, errsz, target, 0, "cannot write the manifest");
        goto done;
    }
    int wrc = merge_manifest_write(f, target, NULL, "synapt-pack " SYNAPT_VERSION_STRING, labels, nl, m, shards);
    if (fclose(f) != 0 || wrc) {
        import_errf(err, errsz, target, 0, "cannot write the manifest");
        goto done;
    }
    rc = 0;
done:
    for (uint32_t k = 0; names && files && k < shards; k++) {
        free(names[k]);
        free(files[k]);
    }
    free(names);
    free(files);
    free(m);
    free((void *)labels);
    merge_strset_free(&seen);
    free(target);
    return rc;
}
