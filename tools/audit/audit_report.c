/* audit_report.c: report.json and the contact sheet PNG. */
#include "audit.h"

#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void json_check(audit_buf *b, const audit_check *c)
{
    audit_buf_printf(b, "    {\"id\": ");
    audit_buf_json(b, c->id);
    audit_buf_printf(b, ", \"title\": ");
    audit_buf_json(b, c->title);
    audit_buf_printf(b, ",\n     \"value\": ");
    audit_buf_num(b, c->value);
    audit_buf_printf(b, ", \"ci\": ");
    if (isfinite(c->ci_lo) && isfinite(c->ci_hi)) {
        audit_buf_printf(b, "[");
        audit_buf_num(b, c->ci_lo);
        audit_buf_printf(b, ", ");
        audit_buf_num(b, c->ci_hi);
        audit_buf_printf(b, "]");
    } else audit_buf_printf(b, "null");
    audit_buf_printf(b, ", \"p\": ");
    audit_buf_num(b, c->p);
    audit_buf_printf(b, ", \"n\": %llu, \"threshold\": ", (unsigned long long)c->n);
    audit_buf_num(b, c->threshold);
    audit_buf_printf(b, ", \"flag\": %s,\n     \"method\": ", c->flag ? "true" : "false");
    audit_buf_json(b, c->method);
    audit_buf_printf(b, ",\n     \"details\": %s}", c->details ? c->details : "null");
}

int audit_write_json(const char *path, const audit_report *rep, const audit_dataset *ds,
                     const audit_options *opt)
{
    audit_buf b = { 0 };
    size_t flagged = 0;
    for (size_t i = 0; i < rep->nchecks; i++) flagged += rep->checks[i].flag;
    audit_buf_printf(&b, "{\n  \"schema\": \"%s\",\n  \"tool\": \"synapt-audit\",\n", AUDIT_SCHEMA);
    audit_buf_printf(&b, "  \"inputs\": [");
    for (size_t f = 0; f < ds->nfiles; f++) {
        audit_buf_printf(&b, "%s{\"path\": ", f ? ", " : "");
        audit_buf_json(&b, ds->files[f].path);
        audit_buf_printf(&b, ", \"kind\": \"%s\", \"domain\": \"%s\"}",
                         ds->files[f].kind == AUDIT_INPUT_LIST ? "list" :
                         ds->files[f].kind == AUDIT_INPUT_MANIFEST ? "manifest" : "synapt",
                         ds->files[f].domain == 1 ? "real" : ds->files[f].domain == 2 ? "synthetic" : "auto");
    }
    audit_buf_printf(&b, "],\n  \"parameters\": {\"seed\": %llu, \"folds\": %u, \"epochs\": %u, "
                     "\"l2\": ", (unsigned long long)opt->seed, opt->folds, opt->epochs);
    audit_buf_num(&b, opt->l2);
    audit_buf_printf(&b, ", \"bootstrap\": %u, \"permutations\": %u, \"frames_per_clip\": %d, "
                     "\"hamming\": %u, \"near_frames\": %u, \"embeddings\": ", opt->bootstrap,
                     opt->permutations, AUDIT_K, opt->hamming, opt->near_frames);
    if (ds->emb_dim) {
        audit_buf_printf(&b, "{\"source\": ");
        audit_buf_json(&b, ds->emb_source ? ds->emb_source : "");
        audit_buf_printf(&b, ", \"dims\": %u}", ds->emb_dim);
    } else audit_buf_printf(&b, "null");
    audit_buf_printf(&b, "},\n");
    audit_buf_printf(&b, "  \"summary\": {\"clips\": %zu, \"classes\": %zu, \"splits\": ",
                     rep->clips, rep->classes);
    audit_buf_json(&b, rep->splits);
    audit_buf_printf(&b, ", \"checks\": %zu, \"flagged\": %zu},\n", rep->nchecks, flagged);
    audit_buf_printf(&b, "  \"checks\": [\n");
    for (size_t i = 0; i < rep->nchecks; i++) {
        json_check(&b, &rep->checks[i]);
        audit_buf_printf(&b, "%s\n", i + 1 < rep->nchecks ? "," : "");
    }
    audit_buf_printf(&b, "  ],\n  \"plots\": [");
    for (size_t i = 0; i < rep->nplots; i++) {
        audit_buf_printf(&b, "%s\n    {\"id\": ", i ? "," : "");
        audit_buf_json(&b, rep->plots[i].id);
        audit_buf_printf(&b, ", \"title\": ");
        audit_buf_json(&b, rep->plots[i].title);
        audit_buf_printf(&b, "}");
    }
    audit_buf_printf(&b, "%s],\n  \"tables\": [", rep->nplots ? "\n  " : "");
    for (size_t i = 0; i < rep->ntables; i++) {
        char name[80];
        snprintf(name, sizeof name, "%s.csv", rep->tables[i].name);
        audit_buf_printf(&b, "%s", i ? ", " : "");
        audit_buf_json(&b, name);
    }
    audit_buf_printf(&b, "],\n  \"contact_sheet\": %s\n}\n",
                     rep->npairs ? "\"pairs.png\"" : "null");
    int rc = audit_buf_save(&b, path);
    free(b.s);
    return rc;
}

int audit_write_sheet(const char *path, const audit_report *rep, const audit_dataset *ds,
                      const audit_options *opt)
{
    const unsigned side = 64, gap = 8;
    size_t rows = rep->npairs < opt->sheet_pairs ? rep->npairs : opt->sheet_pairs;
    if (!rows) return 0;
    unsigned w = 2 * AUDIT_K * side + gap, h = (unsigned)rows * (side + 2) ;
    uint8_t *img = calloc((size_t)w * h * 3, 1);
    uint8_t *th = malloc((size_t)AUDIT_K * side * side * 3);
    FILE *f = NULL;
    png_structp png = NULL;
    png_infop info = NULL;
    volatile int ret = -1;
    if (!img || !th) goto done;
    memset(img, 255, (size_t)w * h * 3);
    /* cross-split pairs first: they are the ones that inflate test scores */
    size_t drawn = 0;
    for (int pass = 0; pass < 2 && drawn < rows; pass++)
        for (size_t i = 0; i < rep->npairs && drawn < rows; i++) {
            const audit_pair *p = &rep->pairs[i];
            int cross = strcmp(ds->clips[p->a].split, ds->clips[p->b].split) != 0;
            if (cross != (pass == 0)) continue;
            for (int side_ab = 0; side_ab < 2; side_ab++) {
                size_t clip = side_ab ? p->b : p->a;
                if (audit_clip_thumbs(th, ds, clip, side) != 0) memset(th, 128, (size_t)AUDIT_K * side * side * 3);
                for (unsigned k = 0; k < AUDIT_K; k++)
                    for (unsigned y = 0; y < side; y++) {
                        unsigned x0 = side_ab * (AUDIT_K * side + gap) + k * side;
                        memcpy(img + ((size_t)(drawn * (side + 2) + y) * w + x0) * 3,
                               th + ((size_t)k * side * side + (size_t)y * side) * 3, side * 3);
                    }
            }
            drawn++;
        }
    f = fopen(path, "wb");
    if (!f) goto done;
    png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    if (!png) goto done;
    info = png_create_info_struct(png);
    if (!info) goto done;
    if (setjmp(png_jmpbuf(png))) goto done;
    png_init_io(png, f);
    png_set_IHDR(png, info, w, h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (unsigned y = 0; y < h; y++) png_write_row(png, img + (size_t)y * w * 3);
    png_write_end(png, NULL);
    ret = 0;
done:
    if (png) png_destroy_write_struct(&png, info ? &info : NULL);
    if (f && fclose(f) != 0) ret = -1;
    free(img);
    free(th);
    return ret;
}
