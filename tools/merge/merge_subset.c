/* merge_subset.c - synapt-subset's three outputs for the clips a selection
 * chose (in->v[k].keep): a copy, a virtual subset, a list (see merge.h). */
#include "merge.h"
#include "cli/cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* counts per name; a linear scan is fine for classes, sources and splits */
typedef struct count { char *name; uint64_t n; } count;

static void count_add(count **c, size_t *n, const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*c)[i].name, name)) {
            (*c)[i].n++;
            return;
        }
    *c = merge_xrealloc(*c, (*n + 1) * sizeof **c);
    (*c)[*n].name = merge_xstrdup(name);
    (*c)[(*n)++].n = 1;
}

static void count_print(const char *what, count *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        printf("# %s\t%s\t%" PRIu64 "\n", what, *c[i].name ? c[i].name : "-", c[i].n);
        free(c[i].name);
    }
    free(c);
}

int merge_subset_list(const merge_inputs *in)
{
    count *cl = NULL, *so = NULL, *sp = NULL;
    size_t ncl = 0, nso = 0, nsp = 0;
    for (size_t k = 0; k < in->n; k++) {
        synapt_dataset *ds = in->v[k].ds;
        uint64_t n = synapt_dataset_clip_count(ds);
        for (uint64_t g = 0; g < n; g++) {
            if (!in->v[k].keep[g]) continue;
            synapt_clip_info ci;
            if (synapt_dataset_clip(&ci, ds, g)) {
                cli_error_msg(in->v[k].path, synapt_dataset_errmsg(ds));
                return CLI_EXIT_ERROR;
            }
            const char *label = ci.label_count ? synapt_dataset_label_name(ds, ci.first_label) : "";
            const char *split = in->v[k].new_split ? in->v[k].split_names[in->v[k].new_split[g]] : ci.split;
            printf("%s\t%s\t%s\t%s\n", ci.id, *label ? label : "-", *ci.source ? ci.source : "-",
                   *split ? split : "-");
            count_add(&cl, &ncl, label);
            count_add(&so, &nso, ci.source);
            count_add(&sp, &nsp, split);
        }
    }
    count_print("class", cl, ncl);
    count_print("source", so, nso);
    count_print("split", sp, nsp);
    return fflush(stdout) ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}

int merge_subset_virtual(const merge_inputs *in, const char *out)
{
    size_t nm = 0;
    for (size_t k = 0; k < in->n; k++) nm += synapt_dataset_member_count(in->v[k].ds);
    merge_member *m = calloc(nm ? nm : 1, sizeof *m);
    uint64_t **sel = calloc(nm ? nm : 1, sizeof *sel);
    const char **labels = NULL;
    size_t nl = 0, used = 0;
    merge_strset seen = { 0 };
    int rc = CLI_EXIT_ERROR;
    if (!m || !sel) {
        cli_error(NULL, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < in->n; k++) {
        synapt_dataset *ds = in->v[k].ds;
        const uint8_t *keep = in->v[k].keep;
        for (uint32_t j = 0; j < synapt_dataset_member_count(ds); j++) {
            synapt_dataset_member mi;
            synapt_dataset_member_info(&mi, ds, j);
            uint64_t c = 0;
            for (uint64_t i = 0; i < mi.selected; i++) c += keep[mi.base + i];
            if (!c) continue;   /* a member contributing nothing is left out */
            merge_member *d = &m[used];
            sel[used] = merge_xmalloc(c * sizeof **sel);
            c = 0;
            for (uint64_t i = 0; i < mi.selected; i++)
                if (keep[mi.base + i]) sel[used][c++] = mi.select ? mi.select[i] : i;
            d->file = mi.resolved_path;
            memcpy(d->uuid, mi.uuid, 16);
            d->clips = mi.clips;
            d->size = mi.size;
            /* select only when the member gives fewer than all its clips */
            d->select = c < mi.clips ? sel[used] : NULL;
            d->nselect = c;
            d->map_keys = mi.label_map_keys;
            d->map_vals = mi.label_map_values;
            d->nmap = mi.label_map_count;
            used++;
        }
        for (uint64_t l = 0; l < synapt_dataset_label_count(ds); l++) {
            const char *name = synapt_dataset_label_name(ds, (uint32_t)l);
            if (!merge_strset_add(&seen, name)) continue;
            labels = merge_xrealloc(labels, (nl + 1) * sizeof *labels);
            labels[nl++] = name;
        }
    }
    if (merge_members_unique(m, used, out)) goto done;
    if (merge_manifest_save(out, in, "synapt-subset " SYNAPT_VERSION_STRING, labels, nl, m, used) == 0)
        rc = CLI_EXIT_OK;
done:
    for (size_t i = 0; sel && i < nm; i++) free(sel[i]);
    free(sel);
    free(m);
    free(labels);
    merge_strset_free(&seen);
    return rc;
}

/* frame labels of a manifest member: its label_map, as for clip labels */
static const char *member_relabel(void *ctx, const char *name)
{
    return merge_member_label(ctx, name);
}

/* One chosen clip into the sink, with its dataset labels (a manifest's
 * label_map applied) and everything else as stored. */
static int copy_one(merge_sink *sink, const merge_input *x, uint64_t g, int sharded,
                    uint32_t **ids, const char ***names, size_t *cap,
                    const char *const *streams, uint32_t *sidx, size_t nstreams, const merge_crop *crop)
{
    synapt_dataset *ds = x->ds;
    synapt_clip_info dci;
    size_t nl = 0;
    int rc = synapt_dataset_clip(&dci, ds, g);
    if (!rc && dci.label_count > *cap) {
        *cap = dci.label_count;
        *ids = merge_xrealloc(*ids, *cap * sizeof **ids);
        *names = merge_xrealloc(*names, *cap * sizeof **names);
    }
    if (!rc) rc = synapt_dataset_clip_labels(*ids, *cap, &nl, ds, g);
    synapt_reader *r = NULL;
    uint64_t mc, bytes = 0;
    if (!rc) rc = synapt_dataset_acquire(&r, &mc, ds, g);
    if (rc) {
        cli_error_msg(x->path, synapt_dataset_errmsg(ds));
        return -1;
    }
    synapt_clip_info ci;
    const char **gk = NULL, **gv = NULL;
    rc = synapt_reader_clip(&ci, r, mc);
    if (!rc) {
        gk = merge_xmalloc((ci.group_count + 1) * sizeof *gk);
        gv = merge_xmalloc((ci.group_count + 1) * sizeof *gv);
    }
    for (uint32_t i = 0; !rc && i < ci.group_count; i++)
        rc = synapt_reader_clip_group(&gk[i], &gv[i], r, mc, i);
    if (!rc && sharded) rc = merge_clip_bytes(&bytes, r, mc);
    for (size_t i = 0; !rc && streams && i < nstreams; i++)
        if (synapt_reader_find_stream(&sidx[i], r, mc, streams[i])) {
            cli_error(x->path, "clip %s has no stream '%s' (--streams)", cli_disp(ci.id), cli_disp(streams[i]));
            free(gk);
            free(gv);
            synapt_dataset_release(ds, r);
            return -1;
        }
    uint64_t win[2];
    int whole = 1;
    if (!rc && crop && (whole = merge_crop_window(win, crop, x->path, ci.id, ci.frame_count)) < 0) {
        free(gk);
        free(gv);
        synapt_dataset_release(ds, r);
        return -1;
    }
    if (rc) {
        cli_error_msg(x->path, synapt_reader_errmsg(r));
        rc = -1;
    } else {
        for (size_t i = 0; i < nl; i++) (*names)[i] = synapt_dataset_label_name(ds, (*ids)[i]);
        synapt_clip_desc d = SYNAPT_CLIP_DESC_INIT;
        d.id = ci.id;
        d.labels = *names;
        d.label_count = nl;
        d.split = x->new_split ? x->split_names[x->new_split[g]] : ci.split;
        d.source = ci.source;
        d.synthetic = ci.synthetic;
        d.group_keys = gk;
        d.group_values = gv;
        d.group_count = ci.group_count;
        d.meta_json = ci.meta_json;
        synapt_dataset_member mi;
        uint32_t mem = 0;
        int mapped = !synapt_dataset_locate(&mem, NULL, ds, g) && !synapt_dataset_member_info(&mi, ds, mem) &&
                     mi.label_map_count;
        rc = merge_sink_copy(sink, r, mc, &d, bytes, streams ? sidx : NULL, nstreams, whole ? NULL : win,
                             mapped ? member_relabel : NULL, &mi);
        if (rc && sink->last_rc == SYNAPT_E_EXISTS)
            cli_error(sink->out, "clip ids must be unique: synapt-merge --on-duplicate handles "
                      "inputs sharing ids");
    }
    free(gk);
    free(gv);
    synapt_dataset_release(ds, r);
    return rc;
}

int merge_subset_copy(const merge_inputs *in, const char *out, uint64_t max_shard_bytes,
                      const char *const *streams, size_t nstreams, const merge_crop *crop,
                      int depth_codec)
{
    uint64_t total = 0;
    for (size_t k = 0; k < in->n; k++) total += in->v[k].kept;
    merge_sink sink;
    if (merge_sink_open(&sink, out, max_shard_bytes, "synapt-subset", in)) return CLI_EXIT_ERROR;
    sink.depth_codec = depth_codec;
    cli_progress pr;
    cli_progress_start(&pr, "subset", "clips", total);
    uint64_t done = 0;
    int rc = 0;
    uint32_t *ids = NULL;
    const char **names = NULL;
    size_t cap = 0;
    uint32_t *sidx = merge_xmalloc((nstreams ? nstreams : 1) * sizeof *sidx);
    for (size_t k = 0; k < in->n && !rc; k++) {
        uint64_t n = synapt_dataset_clip_count(in->v[k].ds);
        for (uint64_t g = 0; g < n && !rc; g++) {
            if (!in->v[k].keep[g]) continue;
            rc = copy_one(&sink, &in->v[k], g, max_shard_bytes > 0, &ids, &names, &cap, streams, sidx,
                          nstreams, crop);
            cli_progress_update(&pr, ++done, 0);
        }
    }
    cli_progress_end(&pr);
    free(ids);
    free(names);
    free(sidx);
    if (rc) {
        merge_sink_abort(&sink);
        return CLI_EXIT_ERROR;
    }
    uint32_t shards = sink.nshards;
    if (merge_sink_close(&sink)) return CLI_EXIT_ERROR;
    if (cli_verbosity() > 0) {
        if (max_shard_bytes)
            cli_info("%s: %" PRIu64 " clips written in %u shards", out, total, shards);
        else
            cli_info("%s: %" PRIu64 " clips written", out, total);
    }
    return CLI_EXIT_OK;
}
