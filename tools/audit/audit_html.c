/* audit_html.c: report.html — one file, inline SVG plots, no script and
 * no network, so it opens the same from a mail attachment or a CI page. */
#include "audit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void num_text(audit_buf *b, double v)
{
    if (!isfinite(v)) audit_buf_printf(b, "&ndash;");
    else if (v == floor(v) && fabs(v) < 1e15) audit_buf_printf(b, "%.0f", v);
    else audit_buf_printf(b, "%.4g", v);
}

/* Horizontal bar chart: one row per bar, so long class names stay legible. */
static void svg_bars(audit_buf *b, const audit_plot *p)
{
    const double row = 18, left = 170, width = 420, top = 28;
    double height = top + row * (double)p->n + 30;
    double mx = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (isfinite(p->value[i]) && p->value[i] > mx) mx = p->value[i];
        if (isfinite(p->hi[i]) && p->hi[i] > mx) mx = p->hi[i];
    }
    if (isfinite(p->ref) && p->ref > mx) mx = p->ref;
    if (mx <= 0) mx = 1;
    audit_buf_printf(b, "<svg id=\"");
    audit_buf_html(b, p->id);
    audit_buf_printf(b, "\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                     "role=\"img\" aria-label=\"", left + width + 70, height);
    audit_buf_html(b, p->title);
    audit_buf_printf(b, "\">\n<text x=\"4\" y=\"16\" class=\"t\">");
    audit_buf_html(b, p->title);
    audit_buf_printf(b, "</text>\n");
    for (size_t i = 0; i < p->n; i++) {
        double y = top + row * (double)i;
        double v = isfinite(p->value[i]) ? p->value[i] : 0;
        audit_buf_printf(b, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">", left - 6, y + 12);
        audit_buf_html(b, p->names[i] ? p->names[i] : "");
        audit_buf_printf(b, "</text><rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" "
                         "class=\"bar\"/>", left, y + 2, v / mx * width, row - 5);
        if (isfinite(p->lo[i]) && isfinite(p->hi[i]))
            audit_buf_printf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"ci\"/>",
                             left + p->lo[i] / mx * width, left + p->hi[i] / mx * width, y + 8.5, y + 8.5);
        audit_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\">", left + v / mx * width + 4, y + 12);
        num_text(b, p->value[i]);
        audit_buf_printf(b, "</text>\n");
    }
    if (isfinite(p->ref))
        audit_buf_printf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.1f\" class=\"ref\"/>\n",
                         left + p->ref / mx * width, left + p->ref / mx * width, top,
                         top + row * (double)p->n);
    audit_buf_printf(b, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" class=\"axis\"/>"
                     "<text x=\"%.0f\" y=\"%.1f\">0</text><text x=\"%.0f\" y=\"%.1f\" "
                     "text-anchor=\"end\">", left, left + width, top + row * (double)p->n + 2,
                     top + row * (double)p->n + 2, left, height - 12, left + width, height - 12);
    num_text(b, mx);
    audit_buf_printf(b, "</text><text x=\"%.0f\" y=\"%.1f\" text-anchor=\"middle\">",
                     left + width / 2, height - 12);
    audit_buf_html(b, p->ylabel);
    audit_buf_printf(b, "</text>\n</svg>\n");
}

int audit_write_html(const char *path, const audit_report *rep, const audit_dataset *ds,
                     const audit_options *opt)
{
    audit_buf b = { 0 };
    size_t flagged = 0;
    for (size_t i = 0; i < rep->nchecks; i++) flagged += rep->checks[i].flag;
    audit_buf_printf(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">\n"
        "<title>synapt-audit report</title>\n<style>\n"
        "body{font:14px/1.4 sans-serif;margin:2em;max-width:70em;color:#222}\n"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 6px;"
        "text-align:left;vertical-align:top}\n.flag{background:#fdd}.ok{background:#efe}\n"
        "svg{display:block;margin:1em 0}svg text{font:11px sans-serif}svg .t{font-weight:bold}\n"
        ".bar{fill:#4a7ab5}.ci{stroke:#000;stroke-width:1.5}.ref{stroke:#c33;stroke-dasharray:4 3}"
        ".axis{stroke:#888}\n.m{font-size:12px;color:#555}\n</style></head><body>\n"
        "<h1>synapt-audit report</h1>\n<p>Schema %s. %zu clips, %zu classes, splits: ",
        AUDIT_SCHEMA, rep->clips, rep->classes);
    audit_buf_html(&b, rep->splits);
    audit_buf_printf(&b, ". Seed %llu. <b>%zu of %zu checks flagged.</b></p>\n<p>Inputs:",
                     (unsigned long long)opt->seed, flagged, rep->nchecks);
    for (size_t f = 0; f < ds->nfiles; f++) {
        audit_buf_printf(&b, " <code>");
        audit_buf_html(&b, ds->files[f].path);
        audit_buf_printf(&b, "</code>");
    }
    audit_buf_printf(&b, "</p>\n<h2>Checks</h2>\n<table><tr><th>id</th><th>value</th><th>95%% CI"
                     "</th><th>p</th><th>n</th><th>threshold</th><th>flag</th><th>method</th></tr>\n");
    for (size_t i = 0; i < rep->nchecks; i++) {
        const audit_check *c = &rep->checks[i];
        audit_buf_printf(&b, "<tr class=\"%s\" id=\"check-", c->flag ? "flag" : "ok");
        audit_buf_html(&b, c->id);
        audit_buf_printf(&b, "\"><td><code>");
        audit_buf_html(&b, c->id);
        audit_buf_printf(&b, "</code><br>");
        audit_buf_html(&b, c->title);
        audit_buf_printf(&b, "</td><td>");
        num_text(&b, c->value);
        audit_buf_printf(&b, "</td><td>");
        if (isfinite(c->ci_lo)) {
            num_text(&b, c->ci_lo);
            audit_buf_printf(&b, " &ndash; ");
            num_text(&b, c->ci_hi);
        }
        audit_buf_printf(&b, "</td><td>");
        num_text(&b, c->p);
        audit_buf_printf(&b, "</td><td>%llu</td><td>", (unsigned long long)c->n);
        num_text(&b, c->threshold);
        audit_buf_printf(&b, "</td><td>%s</td><td class=\"m\">", c->flag ? "FLAG" : "");
        audit_buf_html(&b, c->method);
        if (c->details && strcmp(c->details, "[]") != 0) {
            audit_buf_printf(&b, "<br><code>");
            audit_buf_html(&b, c->details);
            audit_buf_printf(&b, "</code>");
        }
        audit_buf_printf(&b, "</td></tr>\n");
    }
    audit_buf_printf(&b, "</table>\n<h2>Plots</h2>\n");
    for (size_t i = 0; i < rep->nplots; i++) svg_bars(&b, &rep->plots[i]);
    audit_buf_printf(&b, "<h2>Files</h2>\n<p>");
    for (size_t i = 0; i < rep->ntables; i++)
        audit_buf_printf(&b, "<code>%s.csv</code> ", rep->tables[i].name);
    if (rep->npairs)
        audit_buf_printf(&b, "<code>pairs.png</code> (contact sheet: each row clip a's %d frames, "
                         "then clip b's; cross-split pairs first)", AUDIT_K);
    audit_buf_printf(&b, "</p>\n</body></html>\n");
    int rc = audit_buf_save(&b, path);
    free(b.s);
    return rc;
}
