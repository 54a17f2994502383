/* merge_sink.c - where merged and subset clips go: one .synapt, or shards
 * and the manifest that joins them, all staged in one temporary folder
 * beside the target and renamed into place at the very end (see merge.h).
 *
 * Nothing here writes at a target path before the run succeeded: the
 * library's writer gets a path inside the staging folder, the manifest is
 * written there too, and cli_staged_commit moves the finished files. A
 * signal removes the folder (cli.h), so the previous output survives. */
#include "merge.h"
#include "cli/cli.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

static char *shard_target(const char *stem, uint32_t k)
{
    size_t n = strlen(stem) + 24;
    char *p = merge_xmalloc(n);
    snprintf(p, n, "%s-%05u.synapt", stem, k);
    return p;
}

int merge_sink_open(merge_sink *s, const char *out, uint64_t max_shard_bytes,
                    const char *writer_name, const merge_inputs *in)
{
    memset(s, 0, sizeof *s);
    s->out = out;
    s->writer_name = writer_name;
    s->max_shard_bytes = max_shard_bytes;
    s->in = in;
    cli_staged *st = calloc(1, sizeof *st);
    if (!st) {
        cli_error(NULL, "out of memory");
        return -1;
    }
    s->stage = st;
    const char *first = out;
    if (max_shard_bytes) {
        /* all.synapt -> all-00000.synapt ... + all.synapt.json;
         * all.synapt.json -> the same names */
        size_t n = strlen(out);
        if (ends_with(out, ".json")) {
            s->manifest = merge_xstrdup(out);
            n -= 5;
        } else {
            s->manifest = merge_xmalloc(n + 6);
            memcpy(s->manifest, out, n);
            memcpy(s->manifest + n, ".json", 6);
        }
        if (n >= 7 && !strncmp(out + n - 7, ".synapt", 7)) n -= 7;
        s->stem = merge_xmalloc(n + 1);
        memcpy(s->stem, out, n);
        s->stem[n] = 0;
        first = s->manifest;
    }
    if (cli_staged_open(st, first, in->files, in->nfiles)) {
        free(st);
        s->stage = NULL;
        return -1;
    }
    return 0;
}

/* The writer's messages name the file it writes, which is inside the
 * staging folder; the user knows the target. */
static void writer_error(const merge_sink *s, const char *msg)
{
    const char *target = s->max_shard_bytes ? s->shards[s->nshards - 1] : s->out;
    size_t n = strlen(s->wpath);
    if (n && !strncmp(msg, s->wpath, n) && msg[n] == ':') {
        msg += n + 1;
        while (*msg == ' ') msg++;
    }
    cli_error(target, "%s", msg);
}

static int open_writer(merge_sink *s)
{
    cli_staged *st = s->stage;
    const char *path;
    if (s->max_shard_bytes) {
        char *t = shard_target(s->stem, s->nshards);
        s->shards = merge_xrealloc(s->shards, (s->nshards + 1) * sizeof *s->shards);
        s->shards[s->nshards++] = t;
        if (cli_output_check(t, s->in->files, s->in->nfiles)) return -1;
        path = cli_staged_path(st, t);
    } else {
        path = cli_staged_path(st, s->out);
    }
    if (!path) return -1;
    snprintf(s->wpath, sizeof s->wpath, "%s", path);
    synapt_writer_options wo = SYNAPT_WRITER_OPTIONS_INIT;
    wo.writer_name = s->writer_name;
    /* same inputs and options, same bytes (uuid and times included) */
    wo.deterministic = 1;
    cli_depth_codec_apply(&wo, s->depth_codec);
    char err[1024];
    if (synapt_writer_create(&s->w, path, &wo, err, sizeof err)) {
        writer_error(s, err);
        s->w = NULL;
        return -1;
    }
    s->cur_bytes = 0;
    return 0;
}

static int close_writer(merge_sink *s)
{
    if (!s->w) return 0;
    char err[1024];
    int rc = synapt_writer_close(s->w, err, sizeof err);
    s->w = NULL;
    if (rc) writer_error(s, err);
    return rc ? -1 : 0;
}

int merge_sink_copy(merge_sink *s, const synapt_reader *r, uint64_t clip,
                    const synapt_clip_desc *d, uint64_t bytes, const uint32_t *streams, size_t n,
                    const uint64_t *win, synapt_label_rename_fn relabel, void *relabel_ctx)
{
    /* a clip larger than the limit still gets a shard of its own */
    if (s->w && s->max_shard_bytes && s->cur_bytes > 0 && s->cur_bytes + bytes > s->max_shard_bytes)
        if (close_writer(s)) return -1;
    if (!s->w && open_writer(s)) return -1;
    synapt_writer_set_label_rename(s->w, relabel, relabel_ctx);
    s->last_rc = win ? synapt_writer_copy_clip_frames(s->w, r, clip, d, streams, n, win[0], win[1])
                 : streams ? synapt_writer_copy_clip_streams(s->w, r, clip, d, streams, n)
                 : synapt_writer_copy_clip_as(s->w, r, clip, d);
    synapt_writer_set_label_rename(s->w, NULL, NULL);
    if (s->last_rc) {
        writer_error(s, synapt_writer_errmsg(s->w));
        return -1;
    }
    s->cur_bytes += bytes;
    s->clips++;
    return 0;
}

/* Append the labels of shard file `path` not yet in `seen` to labels[],
 * in the file's label-id order. 0 / -1 (line printed). */
static int shard_labels(const char *path, merge_strset *seen, char ***labels, size_t *nl)
{
    synapt_reader *r;
    char e[1024];
    if (synapt_reader_open2(&r, path, NULL, e, sizeof e)) {
        cli_error_msg(path, e);
        return -1;
    }
    uint64_t n = synapt_reader_label_count(r);
    for (uint64_t l = 0; l < n; l++) {
        const char *name = synapt_reader_label_name(r, (uint32_t)l);
        if (!name || merge_strset_has(seen, name)) continue;
        char *copy = merge_xstrdup(name);
        merge_strset_add(seen, copy);
        *labels = merge_xrealloc(*labels, (*nl + 1) * sizeof **labels);
        (*labels)[(*nl)++] = copy;
    }
    synapt_reader_close(r);
    return 0;
}

/* The manifest of the shards: relative names (they sit beside it), the
 * finished files' uuids and sizes, and `labels`: the vocabulary the spec
 * builds from the members in order when `labels` is absent (spec/dataset.md
 * section 7: every member's labels in id order, new names appended), which
 * is the order of first use over the clips, as in the unsharded file.
 * Written out, it lets a reader open the dataset without opening every
 * shard (150,000 clips in 64 shards: 0.3 ms instead of 200 ms). */
static int write_shard_manifest(merge_sink *s)
{
    cli_staged *st = s->stage;
    merge_member *m = calloc(s->nshards ? s->nshards : 1, sizeof *m);
    char **files = calloc(s->nshards ? s->nshards : 1, sizeof *files);
    char **labels = NULL;
    size_t nl = 0;
    merge_strset seen = { 0 };
    int rc = -1;
    if (!m || !files) {
        cli_error(NULL, "out of memory");
        goto done;
    }
    for (uint32_t k = 0; k < s->nshards; k++) {
        const char *p = cli_staged_path(st, s->shards[k]);
        if (!p) goto done;
        files[k] = merge_xstrdup(p);
        m[k].file = files[k];
        const char *b = strrchr(s->shards[k], '/');
        m[k].rel = b ? b + 1 : s->shards[k];
        if (merge_member_from_file(&m[k]) || shard_labels(files[k], &seen, &labels, &nl)) goto done;
    }
    const char *mp = cli_staged_path(st, s->manifest);
    if (!mp) goto done;
    /* a new name in a folder this run created with mkdtemp: no link to follow */
    FILE *f = fopen(mp, "wx");
    if (!f) {
        cli_error(s->manifest, "cannot write the manifest in the staging folder");
        goto done;
    }
    rc = merge_manifest_write(f, s->manifest, NULL, s->writer_name, (const char *const *)labels, nl, m,
                              s->nshards);
    if (fflush(f) || ferror(f)) {
        cli_error(s->manifest, "write failed");
        rc = -1;
    }
    if (fclose(f)) rc = -1;
done:
    for (uint32_t k = 0; files && k < s->nshards; k++) free(files[k]);
    for (size_t i = 0; i < nl; i++) free(labels[i]);
    free(labels);
    merge_strset_free(&seen);
    free(files);
    free(m);
    return rc;
}

int merge_sink_close(merge_sink *s)
{
    /* an empty result is still a valid output: a file with no clips */
    if (!s->w && (!s->max_shard_bytes || !s->nshards) && open_writer(s)) goto fail;
    if (close_writer(s)) goto fail;
    if (s->max_shard_bytes && write_shard_manifest(s)) goto fail;
    /* Shards and their manifest are several renames: a signal between two
     * of them would leave new shards beside the old manifest. Held until
     * the renames are done, it then finds nothing left to remove and ends
     * the process with the complete new output in place. */
    sigset_t hold, old;
    sigemptyset(&hold);
    sigaddset(&hold, SIGINT);
    sigaddset(&hold, SIGTERM);
    sigaddset(&hold, SIGHUP);
    sigaddset(&hold, SIGPIPE);
    sigprocmask(SIG_BLOCK, &hold, &old);
    int rc = cli_staged_commit(s->stage);
    sigprocmask(SIG_SETMASK, &old, NULL);
    free(s->stage);
    s->stage = NULL;
    merge_sink_abort(s);
    return rc;
fail:
    merge_sink_abort(s);
    return -1;
}

void merge_sink_abort(merge_sink *s)
{
    if (!s) return;
    if (s->w) synapt_writer_abort(s->w);
    s->w = NULL;
    if (s->stage) cli_staged_abort(s->stage);
    free(s->stage);
    s->stage = NULL;
    for (uint32_t k = 0; k < s->nshards; k++) free(s->shards[k]);
    free(s->shards);
    s->shards = NULL;
    s->nshards = 0;
    free(s->manifest);
    free(s->stem);
    s->manifest = s->stem = NULL;
}

int merge_clip_bytes(uint64_t *out, const synapt_reader *r, uint64_t clip)
{
    synapt_clip_info ci;
    uint64_t total = 0;
    int rc = synapt_reader_clip(&ci, r, clip);
    for (uint32_t s = 0; !rc && s < ci.stream_count; s++) {
        synapt_stream_info si;
        if ((rc = synapt_reader_stream(&si, r, clip, s))) break;
        for (uint64_t c = 0; c < si.chunk_count && !rc; c++) {
            synapt_chunk_info ch;
            if (!(rc = synapt_reader_chunk(&ch, r, clip, s, c))) total += ch.stored_bytes;
        }
    }
    *out = total;
    return rc ? -1 : 0;
}
