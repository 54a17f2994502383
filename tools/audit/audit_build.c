/* audit_build.c: the pieces every check file builds a report from —
 * checks, plots and tables appended to the report, string interning, group
 * lookup, and the --fail-on pattern match. */
#include "audit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- report building ------------------------------------------------- */

audit_check *audit_add_check(audit_report *r, const char *id, const char *title)
{
    audit_check *nc = realloc(r->checks, (r->nchecks + 1) * sizeof *nc);
    if (!nc) return NULL;
    r->checks = nc;
    audit_check *c = &nc[r->nchecks++];
    memset(c, 0, sizeof *c);
    snprintf(c->id, sizeof c->id, "%s", id);
    snprintf(c->title, sizeof c->title, "%s", title);
    c->value = c->ci_lo = c->ci_hi = c->p = c->threshold = NAN;
    return c;
}

audit_plot *audit_add_plot(audit_report *r, const char *id, const char *title,
                            const char *xl, const char *yl, size_t n)
{
    audit_plot *np = realloc(r->plots, (r->nplots + 1) * sizeof *np);
    if (!np) return NULL;
    r->plots = np;
    audit_plot *p = &np[r->nplots];
    memset(p, 0, sizeof *p);
    snprintf(p->id, sizeof p->id, "%s", id);
    snprintf(p->title, sizeof p->title, "%s", title);
    snprintf(p->xlabel, sizeof p->xlabel, "%s", xl);
    snprintf(p->ylabel, sizeof p->ylabel, "%s", yl);
    p->ref = NAN;
    p->names = calloc(n ? n : 1, sizeof *p->names);
    p->value = malloc((n ? n : 1) * sizeof *p->value);
    p->lo = malloc((n ? n : 1) * sizeof *p->lo);
    p->hi = malloc((n ? n : 1) * sizeof *p->hi);
    if (!p->names || !p->value || !p->lo || !p->hi) {
        free(p->names); free(p->value); free(p->lo); free(p->hi);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) p->value[i] = p->lo[i] = p->hi[i] = NAN;
    p->n = n;
    r->nplots++;
    return p;
}

int audit_add_table(audit_report *r, const char *name, audit_buf *b)
{
    if (b->failed) { free(b->s); return -1; }
    audit_table *nt = realloc(r->tables, (r->ntables + 1) * sizeof *nt);
    if (!nt) { free(b->s); return -1; }
    r->tables = nt;
    snprintf(nt[r->ntables].name, sizeof nt[r->ntables].name, "%s", name);
    nt[r->ntables].csv = b->s ? b->s : calloc(1, 1);
    r->ntables++;
    return 0;
}

char *audit_take(audit_buf *b)
{
    if (b->failed) { free(b->s); return NULL; }
    return b->s;
}

void audit_report_free(audit_report *rep)
{
    if (!rep) return;
    for (size_t i = 0; i < rep->nchecks; i++) free(rep->checks[i].details);
    free(rep->checks);
    for (size_t i = 0; i < rep->nplots; i++) {
        for (size_t j = 0; j < rep->plots[i].n; j++) free(rep->plots[i].names[j]);
        free(rep->plots[i].names); free(rep->plots[i].value);
        free(rep->plots[i].lo); free(rep->plots[i].hi);
    }
    free(rep->plots);
    for (size_t i = 0; i < rep->ntables; i++) free(rep->tables[i].csv);
    free(rep->tables);
    free(rep->pairs);
    memset(rep, 0, sizeof *rep);
}

int audit_find_check(const audit_report *rep, const char *id)
{
    for (size_t i = 0; i < rep->nchecks; i++)
        if (strcmp(rep->checks[i].id, id) == 0) return (int)i;
    return -1;
}

int audit_fail_match(const char *patterns, const char *id)
{
    if (!patterns || strcmp(patterns, "all") == 0) return 1;
    if (strcmp(patterns, "none") == 0) return 0;
    const char *p = patterns;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len && p[len - 1] == '*') {
            if (strncmp(id, p, len - 1) == 0) return 1;
        } else if (strlen(id) == len && strncmp(id, p, len) == 0) return 1;
        p += len + (e != NULL);
    }
    return 0;
}

/* ---- small helpers --------------------------------------------------- */

/* Interning of strings into dense ids; sorted so ids follow byte order
 * and the report does not depend on the order clips arrived in. */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int audit_strset_build(audit_strset *out, const char **vals, size_t n)
{
    out->s = malloc((n ? n : 1) * sizeof *out->s);
    out->n = 0;
    if (!out->s) return -1;
    memcpy(out->s, vals, n * sizeof *vals);
    qsort(out->s, n, sizeof *out->s, cmp_str);
    for (size_t i = 0; i < n; i++)
        if (!out->n || strcmp(out->s[out->n - 1], out->s[i]) != 0) out->s[out->n++] = out->s[i];
    return 0;
}

int audit_strset_find(const audit_strset *set, const char *v)
{
    size_t lo = 0, hi = set->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(set->s[mid], v);
        if (c == 0) return (int)mid;
        if (c < 0) lo = mid + 1; else hi = mid;
    }
    return -1;
}

const char *audit_group_value(const audit_clip *c, const char *key)
{
    for (uint32_t g = 0; g < c->group_count; g++)
        if (strcmp(c->groups[g].key, key) == 0) return c->groups[g].value;
    return NULL;
}

