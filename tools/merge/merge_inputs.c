/* merge_inputs.c - opening the inputs of a merge or subset, and the list of
 * every file they read, which no output may replace (see merge.h). */
#include "merge.h"
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

/* The tools stop on an allocation failure: there is nothing to salvage
 * halfway through a plan, and the staged output is removed at exit. */
void *merge_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        cli_error(NULL, "out of memory");
        cli_cleanup_all();
        exit(CLI_EXIT_ERROR);
    }
    return p;
}

void *merge_xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        cli_error(NULL, "out of memory");
        cli_cleanup_all();
        exit(CLI_EXIT_ERROR);
    }
    return p;
}

char *merge_xstrdup(const char *s)
{
    size_t n = strlen(s ? s : "") + 1;
    char *d = merge_xmalloc(n);
    memcpy(d, s ? s : "", n);
    return d;
}

int merge_inputs_open(merge_inputs *in, const char *const *paths, size_t n)
{
    memset(in, 0, sizeof *in);
    in->v = calloc(n ? n : 1, sizeof *in->v);
    if (!in->v) {
        cli_error(NULL, "out of memory");
        return -1;
    }
    for (size_t k = 0; k < n; k++) {
        char err[1024];
        merge_input *x = &in->v[k];
        x->path = paths[k];
        if (cli_check_input(paths[k])) return -1;
        if (synapt_dataset_open(&x->ds, paths[k], NULL, err, sizeof err)) {
            cli_error_msg(paths[k], err);
            return -1;
        }
        in->n = k + 1;
        /* the input itself (a manifest or a file) and, for a manifest,
         * every member: an output may replace none of them */
        uint32_t nm = synapt_dataset_member_count(x->ds);
        in->files = merge_xrealloc(in->files, (in->nfiles + 1 + nm) * sizeof *in->files);
        in->files[in->nfiles++] = paths[k];
        for (uint32_t m = 0; m < nm && synapt_dataset_is_manifest(x->ds); m++) {
            synapt_dataset_member mi;
            if (synapt_dataset_member_info(&mi, x->ds, m) == 0)
                in->files[in->nfiles++] = mi.resolved_path;   /* borrowed until close */
        }
    }
    return 0;
}

void merge_inputs_close(merge_inputs *in)
{
    if (!in) return;
    for (size_t k = 0; k < in->n; k++) {
        synapt_dataset_close(in->v[k].ds);
        free(in->v[k].keep);
        free(in->v[k].new_split);
    }
    free(in->v);
    free(in->files);
    memset(in, 0, sizeof *in);
}

static size_t str_hash(const char *k)
{
    /* FNV-1a: ids and labels are short, and the set only needs spread */
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *p = (const unsigned char *)k; *p; p++) h = (h ^ *p) * 1099511628211ull;
    return (size_t)(h ^ (h >> 29));
}

int merge_strset_has(const merge_strset *s, const char *k)
{
    if (!s->cap) return 0;
    for (size_t i = str_hash(k) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (!s->v[i]) return 0;
        if (!strcmp(s->v[i], k)) return 1;
    }
}

int merge_strset_add(merge_strset *s, const char *k)
{
    if (merge_strset_has(s, k)) return 0;
    if ((s->n + 1) * 2 > s->cap) {
        merge_strset t = { NULL, s->cap ? s->cap * 2 : 1024, 0 };
        t.v = calloc(t.cap, sizeof *t.v);
        if (!t.v) {
            cli_error(NULL, "out of memory");
            cli_cleanup_all();
            exit(CLI_EXIT_ERROR);
        }
        for (size_t i = 0; i < s->cap; i++)
            if (s->v[i]) merge_strset_add(&t, s->v[i]);
        free(s->v);
        *s = t;
    }
    size_t i = str_hash(k) & (s->cap - 1);
    while (s->v[i]) i = (i + 1) & (s->cap - 1);
    s->v[i] = k;
    s->n++;
    return 1;
}

void merge_strset_free(merge_strset *s)
{
    free(s->v);
    memset(s, 0, sizeof *s);
}

void merge_inputs_add_file(merge_inputs *in, const char *path)
{
    in->files = merge_xrealloc(in->files, (in->nfiles + 1) * sizeof *in->files);
    in->files[in->nfiles++] = path;
}
