/* audit_data.c: the clips an audit looks at, read from .synapt files and
 * split lists through the public API. */
#include "audit.h"
#include "synapt.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void seterr(char *err, size_t errsz, const char *fmt, ...)
{
    va_list ap;
    if (!err || !errsz) return;
    va_start(ap, fmt);
    vsnprintf(err, errsz, fmt, ap);
    va_end(ap);
}

void audit_dataset_init(audit_dataset *ds)
{
    memset(ds, 0, sizeof *ds);
}

static void clip_free(audit_clip *c)
{
    free(c->id);
    free(c->split);
    for (uint32_t g = 0; g < c->group_count; g++) {
        free(c->groups[g].key);
        free(c->groups[g].value);
    }
    free(c->groups);
    free(c->masked);
    free(c->pose);
    free(c->emb);
}

void audit_dataset_free(audit_dataset *ds)
{
    if (!ds) return;
    for (size_t i = 0; i < ds->n; i++) clip_free(&ds->clips[i]);
    free(ds->clips);
    for (size_t i = 0; i < ds->nclasses; i++) free(ds->classes[i]);
    free(ds->classes);
    for (size_t i = 0; i < ds->nfiles; i++) {
        free(ds->files[i].path);
        synapt_dataset_close(ds->files[i].handle);
    }
    free(ds->files);
    free(ds->emb_source);
    memset(ds, 0, sizeof *ds);
}

/* Classes are matched by name so that several files (or a list and a file)
 * share one label space whatever their own label ids. Linear search: the
 * class count is small next to the clip count, and the call runs once per
 * clip. */
int audit_class_index(audit_dataset *ds, const char *name)
{
    for (size_t i = 0; i < ds->nclasses; i++)
        if (strcmp(ds->classes[i], name) == 0) return (int)i;
    char **nc = realloc(ds->classes, (ds->nclasses + 1) * sizeof *nc);
    if (!nc) return -2;
    ds->classes = nc;
    if (!(nc[ds->nclasses] = strdup(name))) return -2;
    return (int)ds->nclasses++;
}

static audit_clip *new_clip(audit_dataset *ds)
{
    if (ds->n == ds->cap) {
        size_t cap = ds->cap ? ds->cap * 2 : 256;
        audit_clip *nc = realloc(ds->clips, cap * sizeof *nc);
        if (!nc) return NULL;
        ds->clips = nc;
        ds->cap = cap;
    }
    audit_clip *c = &ds->clips[ds->n];
    memset(c, 0, sizeof *c);
    c->label = -1;
    return c;
}

#define FNV_BASIS 1469598103934665603ull

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

/* little-endian bytes, so that shards on any machine agree */
static uint64_t fnv_u64(uint64_t h, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)(v >> (8 * i));
    return fnv(h, b, 8);
}

static int add_group(audit_clip *c, const char *key, const char *value)
{
    audit_group *ng = realloc(c->groups, (c->group_count + 1) * sizeof *ng);
    if (!ng) return -1;
    c->groups = ng;
    ng[c->group_count].key = strdup(key);
    ng[c->group_count].value = strdup(value);
    c->group_count++;
    return ng[c->group_count - 1].key && ng[c->group_count - 1].value ? 0 : -1;
}

static int add_file(audit_dataset *ds, const char *path, int kind, int domain)
{
    audit_file *nf = realloc(ds->files, (ds->nfiles + 1) * sizeof *nf);
    if (!nf) return -1;
    ds->files = nf;
    memset(&nf[ds->nfiles], 0, sizeof nf[ds->nfiles]);
    nf[ds->nfiles].path = strdup(path);
    nf[ds->nfiles].kind = kind;
    nf[ds->nfiles].domain = domain;
    if (!nf[ds->nfiles].path) return -1;
    ds->nfiles++;
    return 0;
}

/* A .synapt file or a dataset manifest, opened as a synapt_dataset and kept
 * open for the feature pass: clips are then read by dataset index, the
 * member files opened and closed by the library as they are needed. */
static int add_synapt(audit_dataset *ds, const char *path, int domain,
                      audit_select_fn select, void *user, char *err, size_t errsz)
{
    synapt_dataset *d = NULL;
    char derr[1024] = "";
    if (synapt_dataset_open(&d, path, NULL, derr, sizeof derr) != 0) {
        seterr(err, errsz, "%s", derr[0] ? derr : path);
        return -1;
    }
    int ret = -1;
    uint64_t n = synapt_dataset_clip_count(d);
    uint8_t *keep = NULL;
    if (select) {
        keep = malloc(n ? n : 1);
        if (!keep) goto nomem;
        if (select(user, path, d, keep, err, errsz) != 0) goto done;
    }
    uint32_t fidx = (uint32_t)ds->nfiles;
    if (add_file(ds, path, synapt_dataset_is_manifest(d) ? AUDIT_INPUT_MANIFEST : AUDIT_INPUT_SYNAPT,
                 domain) != 0)
        goto nomem;
    ds->files[fidx].handle = d;
    d = NULL;
    synapt_dataset *h = ds->files[fidx].handle;
    uint64_t fp = FNV_BASIS;
    for (uint32_t m = 0; m < synapt_dataset_member_count(h); m++) {
        synapt_dataset_member mi;
        if (synapt_dataset_member_info(&mi, h, m) != 0) continue;
        fp = fnv(fp, mi.uuid, sizeof mi.uuid);
        fp = fnv_u64(fp, mi.size);
        fp = fnv_u64(fp, mi.clips);
    }
    ds->files[fidx].fingerprint = fp;
    for (uint64_t i = 0; i < n; i++) {
        if (keep && !keep[i]) continue;
        synapt_clip_info ci;
        if (synapt_dataset_clip(&ci, h, i) != 0) {
            seterr(err, errsz, "%s: clip %llu: %s", path, (unsigned long long)i,
                   synapt_dataset_errmsg(h));
            goto done;
        }
        audit_clip *c = new_clip(ds);
        if (!c) goto nomem;
        ds->n++;
        c->file = fidx;
        c->index = i;
        c->domain = domain ? domain : (ci.synthetic ? 2 : 1);
        c->id = strdup(ci.id);
        c->split = strdup(ci.split);
        if (!c->id || !c->split) goto nomem;
        c->frames = ci.frame_count;
        c->fps = ci.fps_den ? (double)ci.fps_num / ci.fps_den : 0;
        c->width = ci.width;
        c->height = ci.height;
        if (ci.first_label != UINT32_MAX) {
            const char *name = synapt_dataset_label_name(h, ci.first_label);
            int li = audit_class_index(ds, name ? name : "?");
            if (li < -1) goto nomem;
            c->label = li;
        }
        for (uint32_t g = 0; g < ci.group_count; g++) {
            const char *k, *v;
            if (synapt_dataset_clip_group(&k, &v, h, i, g) != 0) continue;
            if (add_group(c, k, v) != 0) goto nomem;
        }
    }
    ret = 0;
    goto done;
nomem:
    seterr(err, errsz, "%s: out of memory", path);
done:
    synapt_dataset_close(d);
    free(keep);
    return ret;
}

static const char *split_from_name(const char *path, char *buf, size_t cap)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    static const char *known[] = { "train", "test", "val" };
    for (size_t i = 0; i < 3; i++)
        if (strstr(base, known[i])) return known[i];
    snprintf(buf, cap, "%s", base);
    char *dot = strrchr(buf, '.');
    if (dot && dot != buf) *dot = 0;
    return buf;
}

/* UCF101/HMDB-style lists name a clip "Class/v_Class_gNN_cNN.avi": the
 * folder is the class, gNN the group of clips cut from one long video of
 * one performer. Lines are bounded so a binary file gives one error line. */
static int add_list(audit_dataset *ds, const char *path, int domain,
                    audit_select_fn select, void *user, char *err, size_t errsz)
{
    if (select) {
        /* the selection options read a clip's labels, groups and frame
         * count, which a list line does not carry */
        seterr(err, errsz, "%s: a split list takes no clip selection (give .synapt files or "
               "manifests)", path);
        return -1;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        seterr(err, errsz, "%s: %s", path, strerror(errno));
        return -1;
    }
    char sbuf[128], line[4096];
    const char *split = split_from_name(path, sbuf, sizeof sbuf);
    uint32_t fidx = (uint32_t)ds->nfiles;
    int ret = -1;
    uint64_t lineno = 0;
    if (add_file(ds, path, AUDIT_INPUT_LIST, domain) != 0) goto nomem;
    uint64_t fp = FNV_BASIS;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        fp = fnv(fp, line, len);
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            seterr(err, errsz, "%s:%llu: line longer than %zu bytes", path,
                   (unsigned long long)lineno, sizeof line - 2);
            goto done;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
        char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (!*p || *p == '#') continue;
        char *sp = strpbrk(p, " \t");
        if (sp) *sp = 0;
        const char *slash = strrchr(p, '/');
        if (!slash || slash == p) {
            seterr(err, errsz, "%s:%llu: expected 'Class/clip', got '%.60s'", path,
                   (unsigned long long)lineno, p);
            goto done;
        }
        char cls[512], id[1024], src[1024];
        snprintf(cls, sizeof cls, "%.*s", (int)(slash - p), p);
        snprintf(id, sizeof id, "%s", slash + 1);
        char *dot = strrchr(id, '.');
        if (dot && dot != id) *dot = 0;
        audit_clip *c = new_clip(ds);
        if (!c) goto nomem;
        ds->n++;
        c->file = fidx;
        c->index = lineno;
        c->domain = domain ? domain : 1;
        c->id = strdup(id);
        c->split = strdup(split);
        if (!c->id || !c->split) goto nomem;
        int li = audit_class_index(ds, cls);
        if (li < -1) goto nomem;
        c->label = li;
        /* "_gNN_" marks the group; the part before "_c" the source video */
        const char *g = strstr(id, "_g");
        while (g && !(g[2] >= '0' && g[2] <= '9')) g = strstr(g + 2, "_g");
        if (g) {
            char gv[64];
            size_t k = 0;
            for (const char *q = g + 1; *q && *q != '_' && k < sizeof gv - 1; q++) gv[k++] = *q;
            gv[k] = 0;
            snprintf(src, sizeof src, "%s", id);
            char *cpos = strstr(src + (g - id) + 1, "_c");
            if (cpos) *cpos = 0;
            /* gNN alone is shared by all 101 classes; the group is per class */
            char key[600];
            snprintf(key, sizeof key, "%s_%s", cls, gv);
            if (add_group(c, "group", key) != 0 || add_group(c, "source", src) != 0)
                goto nomem;
        }
    }
    if (ferror(f)) {
        seterr(err, errsz, "%s: read error", path);
        goto done;
    }
    ds->files[fidx].fingerprint = fp;
    ret = 0;
    goto done;
nomem:
    seterr(err, errsz, "%s: out of memory", path);
done:
    fclose(f);
    return ret;
}

int audit_dataset_add_path(audit_dataset *ds, const char *path, int domain,
                           audit_select_fn select, void *user, char *err, size_t errsz)
{
    size_t len = strlen(path);
    if (len > 4 && (strcmp(path + len - 4, ".txt") == 0 || strcmp(path + len - 4, ".lst") == 0))
        return add_list(ds, path, domain, select, user, err, errsz);
    return add_synapt(ds, path, domain, select, user, err, errsz);
}
