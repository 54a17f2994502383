/* import_pack.c - the engine of synapt-pack: the parallel, deterministic,
 * sharded driver over a whole clip list (import_pack_run); one clip with its
 * sidecars is import_pack_clip.c. */
#include "import.h"
#include "cli/cli.h"

#include <cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
#include <libavformat/avformat.h>
#include <ctype.h>
#include <dirent.h>
#include <strings.h>

/* ---------------------------------------------------------------- driver */

enum { JOB_PENDING = 0, JOB_RUNNING, JOB_OK, JOB_FAILED };
#define NOT_RESUMED UINT64_MAX

typedef struct job {
    size_t clip;           /* index into the list */
    uint64_t resumed;      /* clip number in the resume file, or NOT_RESUMED */
    int state;
    int rc;
    uint64_t frames, in_bytes;
    char *err;             /* failure message */
    int in_memory;         /* packed into img (scratch_in_memory), not a scratch file */
    void *img;             /* the packed clip's file image */
    size_t img_size;
} job;

/* The output's label vocabulary: distinct names in id order (vocab_build). */
typedef struct vocab {
    char **names;
    size_t n;
} vocab;

typedef struct pool {
    import_list *l;
    const import_pack_options *o;
    job *jobs;
    size_t njobs;
    char scratch[4200];    /* folder of per-clip scratch files, registered for cleanup */
    vocab vocab;           /* the output's label vocabulary */
} pool;

static void tmp_path_for(char *out, size_t n, const pool *p, size_t j)
{
    snprintf(out, n, "%s/clip-%zu.synapt", p->scratch, j);
}

/* The output's vocabulary: the dataset's classes in their official order,
 * so label ids match the published class indices; then every label of the
 * whole list (not only this shard) in order of first use, so the shards of
 * one dataset packed on different machines share one vocabulary. Scratch
 * copies of clips with frame labels get it too: those ids index it, and a
 * copy into the same vocabulary keeps their chunks as they are.
 *
 * Built once as a list of distinct names in id order (a memory writer
 * dedupes them, a reader of its image lists them): giving it to a writer
 * then costs the vocabulary's size, where walking the whole clip list for
 * each clip with frame labels made a run quadratic in its clips. */
static void vocab_free(vocab *v)
{
    for (size_t i = 0; v->names && i < v->n; i++)
        free(v->names[i]);
    free(v->names);
    v->names = NULL;
    v->n = 0;
}

static int vocab_build(vocab *v, const import_list *l, char *err, size_t errsz)
{
    memset(v, 0, sizeof *v);
    synapt_writer *w = NULL;
    int rc = synapt_writer_create_memory(&w, "the label vocabulary", 0, NULL, err, errsz);
    for (size_t i = 0; !rc && i < l->class_count; i++)
        rc = synapt_writer_add_label(NULL, w, l->classes[i]);
    for (size_t i = 0; !rc && i < l->count; i++)
        for (size_t k = 0; !rc && k < l->clips[i].label_count; k++)
            rc = synapt_writer_add_label(NULL, w, l->clips[i].labels[k]);
    void *img = NULL;
    size_t size = 0;
    if (rc) {
        import_errf(err, errsz, NULL, 0, "%s", synapt_writer_errmsg(w));
        synapt_writer_abort(w);
        return rc;
    }
    if ((rc = synapt_writer_close_memory(w, &img, &size, err, errsz)))
        return rc;
    synapt_reader *r = NULL;
    if ((rc = synapt_reader_open_memory(&r, img, size, "the label vocabulary", NULL, err, errsz))) {
        free(img);
        return rc;
    }
    uint64_t n = synapt_reader_label_count(r);
    v->names = calloc(n ? (size_t)n : 1, sizeof *v->names);
    for (uint64_t i = 0; v->names && i < n && !rc; i++, v->n++)
        if (!(v->names[i] = strdup(synapt_reader_label_name(r, (uint32_t)i))))
            rc = SYNAPT_E_NOMEM;
    if (!v->names || rc) {
        import_errf(err, errsz, NULL, 0, "out of memory");
        rc = SYNAPT_E_NOMEM;
        vocab_free(v);
    }
    synapt_reader_close(r);
    free(img);
    return rc;
}

/* Give writer w the vocabulary (ids 0..n-1 in order); *count (may be NULL)
 * gets its size. */
static int add_vocabulary(synapt_writer *w, const vocab *v, uint64_t *count)
{
    int rc = 0;
    for (size_t i = 0; !rc && i < v->n; i++)
        rc = synapt_writer_add_label(NULL, w, v->names[i]);
    if (count) *count = v->n;
    return rc;
}

/* Small copy-mode clips are packed in memory, not into a scratch file.
 * A scratch file costs its create, rename, read back and unlink: about 20
 * system calls, about a third of the CPU per clip when a folder of tiny
 * clips is packed. Memory stays bounded: every input a regular file, all of
 * them together at most SCRATCH_MEM_INPUT bytes, and copy mode, which
 * stores the source's packets (the clip is about as big as its inputs); a
 * clip that still grows past SCRATCH_MEM_LIMIT is packed again into a file.
 * The window of cli_pool_run holds at most 2 x threads images. Resolves
 * c->video; *video_bytes gets its size when it was looked at. */
#define SCRATCH_MEM_INPUT (8u << 20)
#define SCRATCH_MEM_LIMIT (32u << 20)
static uint64_t memory_limit(const import_pack_options *o)
{
    return o->memory_limit ? o->memory_limit : SCRATCH_MEM_LIMIT;
}

static int scratch_in_memory(import_clip *c, const import_pack_options *o, uint64_t *video_bytes)
{
    if (o->video.mode != SYNAPT_VSTORE_COPY || c->frames || o->memory_inputs < 0)
        return 0;
    char e[8];
    if (!o->no_video && (!c->video || import_clip_resolve(c, e, sizeof e)))
        return 0;   /* import_pack_clip reports it */
    const import_sidecar *sc[] = { NULL, &c->pose2d, &c->pose3d, &c->depth, &c->mask, &c->frame_labels };
    uint64_t total = 0;
    for (size_t i = 0; i < sizeof sc / sizeof *sc; i++) {
        const char *path = i == 0 ? (o->no_video ? NULL : c->video) : sc[i]->path;
        struct stat st;
        if (!path)
            continue;
        if (i > 0 && sc[i]->kind == IMPORT_SC_JSON_ARRAY) {   /* given in the manifest line itself */
            total += sc[i]->inner ? strlen(sc[i]->inner) : 0;
            continue;
        }
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            return 0;
        if (i == 0)
            *video_bytes = (uint64_t)st.st_size;
        total += (uint64_t)st.st_size;
    }
    return total <= (o->memory_inputs ? (uint64_t)o->memory_inputs : SCRATCH_MEM_INPUT);
}

/* Cut the packed clip (in scratch file `path`, or jb->img) to its
 * annotation's start_frame/end_frame (half-open; frame-exact for every
 * stream, video included: synapt_writer_copy_clip_frames). An end beyond
 * the clip is an error naming it. *frames gets the frames kept. */
static int clip_cut(job *jb, const char *path, const import_clip *c, const vocab *voc,
                    const import_pack_options *o, uint64_t *frames, char *err, size_t errsz)
{
    synapt_reader *rd = NULL;
    synapt_writer *w = NULL;
    synapt_clip_info ci;
    char cut[4400];
    snprintf(cut, sizeof cut, "%s.cut", path);
    int rc = jb->img ? synapt_reader_open_memory(&rd, jb->img, jb->img_size, c->id, NULL, err, errsz)
                     : synapt_reader_open2(&rd, path, NULL, err, errsz);
    if (rc) return rc;
    if ((rc = synapt_reader_clip(&ci, rd, 0))) {
        import_errf(err, errsz, NULL, 0, "%s", synapt_reader_errmsg(rd));
        synapt_reader_close(rd);
        return rc;
    }
    uint64_t a = c->start_frame >= 0 ? (uint64_t)c->start_frame : 0;
    uint64_t b = c->end_frame >= 0 ? (uint64_t)c->end_frame : ci.frame_count;
    if (b > ci.frame_count || a >= b) {
        import_errf(err, errsz, c->ann_file, c->ann_line, "clip %s: frames %llu..%llu asked (start_frame, "
                    "end_frame) but the clip has %llu", c->id, (unsigned long long)a, (unsigned long long)b,
                    (unsigned long long)ci.frame_count);
        synapt_reader_close(rd);
        return SYNAPT_E_RANGE;
    }
    synapt_writer_options wo = SYNAPT_WRITER_OPTIONS_INIT;
    wo.deterministic = 1;
    wo.fsync = 0;
    wo.writer_name = "synapt-pack";
    if (o->zstd_level) wo.zstd_level = o->zstd_level;
    cli_depth_codec_apply(&wo, o->depth_codec);
    void *img = NULL;
    size_t img_size = 0;
    /* the cut of an image keeps at most the image's packets: no limit */
    rc = jb->img ? synapt_writer_create_memory(&w, c->id, 0, &wo, err, errsz)
                 : synapt_writer_create(&w, cut, &wo, err, errsz);
    if (!rc) {
        rc = c->frame_labels.path ? add_vocabulary(w, voc, NULL) : 0;
        if (!rc) rc = synapt_writer_copy_clip_frames(w, rd, 0, NULL, NULL, 0, a, b - a);
        if (rc) {
            import_errf(err, errsz, NULL, 0, "clip %s: %s", c->id, synapt_writer_errmsg(w));
            synapt_writer_abort(w);
        } else {
            rc = jb->img ? synapt_writer_close_memory(w, &img, &img_size, err, errsz)
                         : synapt_writer_close(w, err, errsz);
        }
    }
    synapt_reader_close(rd);
    if (jb->img) {
        if (!rc) {
            free(jb->img);
            jb->img = img;
            jb->img_size = img_size;
            *frames = b - a;
        }
        return rc;
    }
    if (!rc && rename(cut, path) != 0) {
        import_errf(err, errsz, path, 0, "cannot replace the scratch file: %s", strerror(errno));
        rc = SYNAPT_E_IO;
    }
    if (rc) unlink(cut);
    else *frames = b - a;
    return rc;
}

/* One clip into its own scratch file, on a worker thread. */
static int pack_work(void *user, uint64_t jj, size_t slot)
{
    (void)slot;
    pool *p = *(pool **)user; /* run's first member: work never touches the rest */
    size_t j = (size_t)jj;
    job *jb = &p->jobs[j];
    if (jb->state == JOB_FAILED) /* refused before the run (a duplicate id) */
        return jb->rc;
    if (jb->resumed != NOT_RESUMED) /* copied from the resume file by pack_done */
        return 0;
    import_clip *c = &p->l->clips[jb->clip];
    char path[4300], err[1024] = "";
    tmp_path_for(path, sizeof path, p, j);
    synapt_writer_options wo = SYNAPT_WRITER_OPTIONS_INIT;
    wo.deterministic = 1;
    wo.fsync = 0; /* scratch: the final output is fsynced */
    wo.writer_name = "synapt-pack";
    if (p->o->zstd_level)
        wo.zstd_level = p->o->zstd_level;
    cli_depth_codec_apply(&wo, p->o->depth_codec);
    uint64_t video_bytes = UINT64_MAX, frames = 0;
    int in_memory = scratch_in_memory(c, p->o, &video_bytes), rc;
again:;
    synapt_writer *w = NULL;
    rc = in_memory ? synapt_writer_create_memory(&w, c->id, memory_limit(p->o), &wo, err, sizeof err)
                   : synapt_writer_create(&w, path, &wo, err, sizeof err);
    if (!rc) {
        if (c->frame_labels.path) {
            if ((rc = add_vocabulary(w, &p->vocab, &c->label_vocab)))
                snprintf(err, sizeof err, "%s", synapt_writer_errmsg(w));
            c->label_vocab_known = 1;
        }
        if (!rc)
            rc = import_pack_clip(w, c, p->o, &frames, err, sizeof err);
        if (rc)
            synapt_writer_abort(w);
        else if (in_memory)
            rc = synapt_writer_close_memory(w, &jb->img, &jb->img_size, err, sizeof err);
        else
            rc = synapt_writer_close(w, err, sizeof err);
        if (rc == SYNAPT_E_LIMIT && in_memory) {
            in_memory = 0;   /* larger than its inputs promised: a file after all */
            *err = 0;
            goto again;
        }
        jb->in_memory = in_memory;
        if (!rc && c->cut)
            rc = clip_cut(jb, path, c, &p->vocab, p->o, &frames, err, sizeof err);
    }
    struct stat st;
    jb->frames = frames;
    if (video_bytes == UINT64_MAX)
        video_bytes = c->video && stat(c->video, &st) == 0 ? (uint64_t)st.st_size : 0;
    jb->in_bytes = video_bytes;
    jb->rc = rc;
    if (rc)
        jb->err = strdup(*err ? err : synapt_strerror(rc));
    jb->state = rc ? JOB_FAILED : JOB_OK;
    return rc;
}

/* Every file the run reads: an output must be none of them. */
typedef struct inputs {
    const char **v;
    size_t n;
} inputs;

static int inputs_collect(inputs *in, const import_list *l)
{
    size_t cap = 1 + l->count * 6;
    in->v = malloc(cap * sizeof *in->v);
    in->n = 0;
    if (!in->v)
        return SYNAPT_E_NOMEM;
    for (size_t i = 0; i < l->count; i++) {
        const import_clip *c = &l->clips[i];
        const char *cand[] = { c->ann_file, c->video, c->pose2d.path, c->pose3d.path, c->depth.path,
                               c->mask.path };
        for (size_t k = 0; k < sizeof cand / sizeof *cand && in->n < cap; k++) {
            if (!cand[k])
                continue;
            /* annotation files repeat for every clip: keep one */
            if (k == 0 && in->n && in->v[in->n - 1] && i > 0 && l->clips[i - 1].ann_file &&
                strcmp(l->clips[i - 1].ann_file, cand[k]) == 0)
                continue;
            in->v[in->n++] = cand[k];
        }
    }
    return 0;
}

typedef struct run {
    pool *p;               /* first: pack_work reads only this */
    const import_pack_options *o;
    const import_list *l;
    cli_staged stage;
    const inputs *in;
    synapt_writer *w;
    synapt_reader *resume;  /* o->resume, open for the whole run */
    uint32_t shards;
    int sharded;
    uint64_t cur_bytes;
    import_pack_stats *st;
    cli_progress bar;
    char *err;
    size_t errsz;
    int rc;
} run;

static int open_output(run *r)
{
    const import_pack_options *o = r->o;
    char *target = r->sharded ? import_shard_path(o->out, r->shards) : strdup(o->out);
    if (!target) {
        import_errf(r->err, r->errsz, o->out, 0, "out of memory");
        return SYNAPT_E_NOMEM;
    }
    const char *dest = NULL;
    int rc = 0;
    if (r->shards > 0 && cli_output_check(target, r->in->v, r->in->n) != 0) {
        import_errf(r->err, r->errsz, target, 0, "refusing to write this shard");
        rc = SYNAPT_E_IO;
    } else if (!(dest = cli_staged_path(&r->stage, target))) {
        import_errf(r->err, r->errsz, target, 0, "output path too long");
        rc = SYNAPT_E_INVALID_ARG;
    }
    if (rc) {
        free(target);
        return rc;
    }
    r->shards++;
    synapt_writer_options wo = SYNAPT_WRITER_OPTIONS_INIT;
    wo.deterministic = 1;
    wo.writer_name = "synapt-pack";
    /* clips come as written (or from --resume): depth already stored
     * another way is written again the asked way */
    cli_depth_codec_apply(&wo, r->o->depth_codec);
    rc = synapt_writer_create(&r->w, dest, &wo, r->err, r->errsz);
    if (rc) {
        free(target);
        return rc;
    }
    rc = add_vocabulary(r->w, &r->p->vocab, NULL);
    if (rc) {
        import_errf(r->err, r->errsz, target, 0, "%s", synapt_writer_errmsg(r->w));
        synapt_writer_abort(r->w);
        r->w = NULL;
    }
    free(target);
    return rc;
}

/* A finished clip, in list order on the calling thread: copied from its
 * scratch file into the output without recompression. */
static int pack_done(void *user, uint64_t jj, size_t slot, int work_rc)
{
    (void)slot;
    run *r = user;
    size_t j = (size_t)jj;
    job *jb = &r->p->jobs[j];
    const import_pack_options *o = r->o;
    char path[4300];
    tmp_path_for(path, sizeof path, r->p, j);
    int rc = 0;
    if (work_rc) {
        r->st->skipped++;
        if (!o->keep_going) {
            import_errf(r->err, r->errsz, NULL, 0, "%s", jb->err ? jb->err : "failed");
            r->rc = jb->rc ? jb->rc : work_rc;
            return 1;
        }
    } else if (jb->resumed != NOT_RESUMED) {
        /* the clip an earlier run finished: its chunks as they were written
         * (a resumed run and an uninterrupted one give the same bytes) */
        rc = synapt_writer_copy_clip(r->w, r->resume, jb->resumed, NULL);
        if (rc) {
            import_errf(r->err, r->errsz, o->resume, 0, "clip %s: %s", r->l->clips[jb->clip].id,
                        synapt_writer_errmsg(r->w));
            r->rc = rc;
            return 1;
        }
        r->st->packed++;
        r->st->resumed++;
        synapt_clip_info ci;
        if (synapt_reader_clip(&ci, r->resume, jb->resumed) == 0)
            r->st->frames += ci.frame_count;
    } else {
        struct stat sb;
        uint64_t clip_bytes = jb->img ? jb->img_size : stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
        if (r->sharded && r->cur_bytes > 0 && r->cur_bytes + clip_bytes > o->max_shard_bytes) {
            rc = synapt_writer_close(r->w, r->err, r->errsz);
            r->w = NULL;
            if (rc || (rc = open_output(r))) {
                r->rc = rc;
                return 1;
            }
            r->cur_bytes = 0;
        }
        synapt_reader *rd = NULL;
        char rerr[512];
        rc = jb->img ? synapt_reader_open_memory(&rd, jb->img, jb->img_size, r->l->clips[jb->clip].id, NULL,
                                                 rerr, sizeof rerr)
                     : synapt_reader_open2(&rd, path, NULL, rerr, sizeof rerr);
        if (!rc) {
            rc = synapt_writer_copy_clip(r->w, rd, 0, NULL);
            if (rc)
                import_errf(r->err, r->errsz, NULL, 0, "%s", synapt_writer_errmsg(r->w));
        } else {
            import_errf(r->err, r->errsz, NULL, 0, "%s", rerr);
        }
        synapt_reader_close(rd);
        if (rc) {
            r->rc = rc;
            return 1;
        }
        r->cur_bytes += clip_bytes;
        r->st->packed++;
        r->st->frames += jb->frames;
        r->st->input_bytes += jb->in_bytes;
    }
    if (jb->in_memory) {
        free(jb->img);
        jb->img = NULL;
    } else {
        unlink(path);
    }
    cli_progress_update(&r->bar, j + 1, r->st->skipped);
    return 0;
}

static int write_report(const char *path, const import_list *l, const pool *p,
                        const import_pack_stats *st, const inputs *in, char *err, size_t errsz)
{
    cli_outfile of;
    FILE *f = cli_out_open(&of, path, in->v, in->n);
    if (!f) {
        import_errf(err, errsz, path, 0, "cannot write the report");
        return SYNAPT_E_IO;
    }
    fprintf(f, "{\"schema\":\"synapt-pack-report/1\",\"selected\":%llu,\"packed\":%llu,\"skipped\":%llu,"
               "\"entries\":[",
            (unsigned long long)st->selected, (unsigned long long)st->packed,
            (unsigned long long)st->skipped);
    int first = 1;
    for (size_t i = 0; i < l->skipped_count; i++) {
        const import_skip *s = &l->skipped[i];
        fprintf(f, "%s\n{\"stage\":\"annotation\",\"file\":", first ? "" : ",");
        cli_json_str(f, s->file);
        fprintf(f, ",\"line\":%llu,\"id\":", (unsigned long long)s->line);
        if (s->id)
            cli_json_str(f, s->id);
        else
            fputs("null", f);
        fputs(",\"reason\":", f);
        cli_json_str(f, s->reason);
        fputc('}', f);
        first = 0;
    }
    for (size_t j = 0; p && j < p->njobs; j++) {
        const job *jb = &p->jobs[j];
        if (jb->state != JOB_FAILED)
            continue;
        const import_clip *c = &l->clips[jb->clip];
        fprintf(f, "%s\n{\"stage\":\"pack\",\"file\":", first ? "" : ",");
        cli_json_str(f, c->ann_file);
        fprintf(f, ",\"line\":%llu,\"id\":", (unsigned long long)c->ann_line);
        cli_json_str(f, c->id);
        fputs(",\"reason\":", f);
        cli_json_str(f, jb->err);
        fputc('}', f);
        first = 0;
    }
    fputs("\n]}\n", f);
    if (cli_out_commit(&of) != 0) {
        import_errf(err, errsz, path, 0, "cannot write the report");
        return SYNAPT_E_IO;
    }
    return 0;
}

static const import_list *g_sort_list; /* qsort has no context argument */

static int cmp_job_id(const void *a, const void *b)
{
    const job *x = a, *y = b;
    int c = strcmp(g_sort_list->clips[x->clip].id, g_sort_list->clips[y->clip].id);
    return c ? c : (x->clip > y->clip) - (x->clip < y->clip);
}

static int cmp_job_clip(const void *a, const void *b)
{
    const job *x = a, *y = b;
    return (x->clip > y->clip) - (x->clip < y->clip);
}

/* Two entries with one id cannot both go in a file. Found before any work
 * (sorting a copy of the job list by id); the later entry is the bad one:
 * an error, or with keep_going a failed job the report names. */
static int check_duplicates(pool *p, const import_list *l, const import_pack_options *o,
                            char *err, size_t errsz)
{
    if (p->njobs < 2)
        return 0;
    job *tmp = malloc(p->njobs * sizeof *tmp);
    if (!tmp) {
        import_errf(err, errsz, o->out, 0, "out of memory");
        return SYNAPT_E_NOMEM;
    }
    memcpy(tmp, p->jobs, p->njobs * sizeof *tmp);
    static pthread_mutex_t sort_mu = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&sort_mu);
    g_sort_list = l;
    qsort(tmp, p->njobs, sizeof *tmp, cmp_job_id);
    pthread_mutex_unlock(&sort_mu);
    int rc = 0;
    for (size_t i = 1; i < p->njobs && !rc; i++) {
        const import_clip *a = &l->clips[tmp[i - 1].clip], *b = &l->clips[tmp[i].clip];
        if (strcmp(a->id, b->id) != 0)
            continue;
        /* "file:line" for annotation entries, "file" for video arguments */
        char msg[1024], at_a[600], at_b[600];
        snprintf(at_a, sizeof at_a, "%s", a->ann_file ? a->ann_file : "");
        snprintf(at_b, sizeof at_b, "%s", b->ann_file ? b->ann_file : "");
        if (a->ann_line)
            snprintf(at_a + strlen(at_a), sizeof at_a - strlen(at_a), ":%llu", (unsigned long long)a->ann_line);
        if (b->ann_line)
            snprintf(at_b + strlen(at_b), sizeof at_b - strlen(at_b), ":%llu", (unsigned long long)b->ann_line);
        snprintf(msg, sizeof msg, "%s: clip id '%s' already used at %s", at_b, b->id, at_a);
        if (!o->keep_going) {
            import_errf(err, errsz, NULL, 0, "%s", msg);
            rc = SYNAPT_E_INPUT;
            break;
        }
        /* mark the job (tmp is a copy: find it in the real list by clip index) */
        job key = { .clip = tmp[i].clip };
        job *j = bsearch(&key, p->jobs, p->njobs, sizeof *p->jobs, cmp_job_clip);
        if (j) {
            j->state = JOB_FAILED;
            j->rc = SYNAPT_E_EXISTS;
            free(j->err);
            j->err = strdup(msg);
        }
        tmp[i].clip = tmp[i - 1].clip; /* a third copy is compared with the first */
    }
    free(tmp);
    return rc;
}

/* --resume: the clips of an earlier, salvaged run are matched to this run's
 * by id. The file is an input like any other (never the output), it must be
 * sound (a torn file is what synapt-recover is for), and a clip it holds that
 * this run does not select is an error: resuming a different command. */
static int resume_open(run *r, inputs *in, char *err, size_t errsz)
{
    const import_pack_options *o = r->o;
    if (cli_check_input(o->resume))
        return SYNAPT_E_IO;
    in->v[in->n++] = o->resume;
    char rerr[512] = "";
    int rc = synapt_reader_open2(&r->resume, o->resume, NULL, rerr, sizeof rerr);
    if (rc) {
        import_errf(err, errsz, NULL, 0, "%s (salvage a torn file with synapt-recover first)",
                    *rerr ? rerr : synapt_strerror(rc));
        return rc;
    }
    synapt_file_info fi;
    if ((rc = synapt_reader_file_info(&fi, r->resume)))
        return rc;
    uint64_t matched = 0;
    for (size_t j = 0; j < r->p->njobs; j++) {
        job *jb = &r->p->jobs[j];
        uint64_t idx;
        if (jb->state == JOB_FAILED)
            continue;
        if (synapt_reader_find_clip(&idx, r->resume, r->l->clips[jb->clip].id) == 0) {
            jb->resumed = idx;
            matched++;
        }
    }
    if (matched != fi.clip_count) {
        import_errf(err, errsz, o->resume, 0,
                    "holds %" PRIu64 " clips that this run does not pack (of %" PRIu64
                    "): it is not an earlier run of the same command", fi.clip_count - matched,
                    fi.clip_count);
        return SYNAPT_E_INVALID_ARG;
    }
    return 0;
}

int import_pack_run(import_pack_stats *stats, import_list *l, const import_pack_options *o,
                    char *err, size_t errsz)
{
    import_pack_stats st;
    memset(&st, 0, sizeof st);
    double t0 = cli_now();
    pool p;
    memset(&p, 0, sizeof p);
    p.l = l;
    p.o = o;
    inputs in = { NULL, 0 };
    run r;
    memset(&r, 0, sizeof r);
    r.p = &p;
    r.o = o;
    r.l = l;
    r.in = &in;
    r.st = &st;
    r.err = err;
    r.errsz = errsz;
    r.sharded = o->max_shard_bytes > 0;
    int staged = 0, rc = 0;
    int nthreads = o->threads > 0 ? o->threads : (int)cli_cores(256);
    if (nthreads < 1)
        nthreads = 1;
    if (nthreads > 256)
        nthreads = 256;

    /* the shard: a clip belongs to shard k when xxh3(id) % n == k, which
     * does not depend on the order or the number of annotation files */
    p.jobs = calloc(l->count ? l->count : 1, sizeof *p.jobs);
    if (!p.jobs || inputs_collect(&in, l)) {
        import_errf(err, errsz, o->out, 0, "out of memory");
        rc = SYNAPT_E_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < l->count; i++) {
        const char *id = l->clips[i].id;
        if (o->shard_n > 1 && XXH3_64bits(id, strlen(id)) % o->shard_n != o->shard_k)
            continue;
        p.jobs[p.njobs++].clip = i;
    }
    st.selected = p.njobs;
    for (size_t j = 0; j < p.njobs; j++)
        p.jobs[j].resumed = NOT_RESUMED;
    if ((rc = check_duplicates(&p, l, o, err, errsz)) || (rc = vocab_build(&p.vocab, l, err, errsz)))
        goto done;
    if (o->resume && (rc = resume_open(&r, &in, err, errsz)))
        goto done;
    /* every output goes into a folder beside OUT and is renamed into place
     * only at the end: a failed or interrupted run leaves what was there */
    {
        char *first = r.sharded ? import_shard_path(o->out, 0) : strdup(o->out);
        int bad = !first || cli_staged_open(&r.stage, first, in.v, in.n) != 0;
        free(first);
        if (bad) {
            import_errf(err, errsz, o->out, 0, "cannot write the output here");
            rc = SYNAPT_E_IO;
            goto done;
        }
        staged = 1;
    }
    if (o->report && o->keep_going) {
        const char *one[1] = { o->out };
        if (cli_output_check(o->report, in.v, in.n) || cli_output_check(o->report, one, 1)) {
            import_errf(err, errsz, o->report, 0, "cannot write the report here");
            rc = SYNAPT_E_IO;
            goto done;
        }
    }
    /* scratch files: inside the staging folder, or in a folder of their own
     * under --tmp-dir (registered for cleanup too) */
    if (o->tmp_dir) {
        snprintf(p.scratch, sizeof p.scratch, "%s/.synapt-pack-XXXXXX", o->tmp_dir);
        if (!cli_mkdtemp(p.scratch)) {
            import_errf(err, errsz, o->tmp_dir, 0, "cannot create a scratch folder: %s", strerror(errno));
            p.scratch[0] = 0;
            rc = SYNAPT_E_IO;
            goto done;
        }
    } else {
        if (snprintf(p.scratch, sizeof p.scratch, "%.4100s/.scratch", r.stage.dir) >= (int)sizeof p.scratch ||
            mkdir(p.scratch, 0700) != 0) {
            import_errf(err, errsz, o->out, 0, "cannot create a scratch folder: %s", strerror(errno));
            rc = SYNAPT_E_IO;
            goto done;
        }
    }
    if ((rc = open_output(&r)))
        goto done;
    cli_progress_start(&r.bar, "pack", "clips", p.njobs);
    if (!o->progress)
        r.bar.enabled = 0;
    int prc = cli_pool_run(p.njobs, (unsigned)nthreads, (size_t)nthreads * 2, pack_work, pack_done, &r);
    cli_progress_end(&r.bar);
    if (prc == CLI_POOL_NOMEM || prc == CLI_POOL_NOTHREAD) {
        import_errf(err, errsz, o->out, 0, "cannot start worker threads");
        rc = SYNAPT_E_NOMEM;
        goto done;
    }
    if (prc) {
        rc = r.rc ? r.rc : SYNAPT_E_IO;
        goto done;
    }
    rc = synapt_writer_close(r.w, err, errsz);
    r.w = NULL;
    if (rc)
        goto done;
    st.shards = r.shards;
    if (r.sharded && (rc = import_shards_manifest(&r.stage, o->out, r.shards, l, in.v, in.n, err, errsz)))
        goto done;
    st.skipped += l->skipped_count;
    if (o->keep_going && st.skipped) {
        char *rp = NULL;
        const char *report = o->report;
        if (!report) {
            size_t n = strlen(o->out);
            rp = malloc(n + 16);
            if (rp)
                snprintf(rp, n + 16, "%s.report.json", o->out);
            report = rp;
        }
        rc = report ? write_report(report, l, &p, &st, &in, err, errsz) : SYNAPT_E_NOMEM;
        free(rp);
        if (rc)
            goto done;
    }
    /* sizes before the rename, of what this run wrote */
    for (uint32_t k = 0; k < r.shards; k++) {
        char *t = r.sharded ? import_shard_path(o->out, k) : strdup(o->out);
        const char *f = t ? cli_staged_path(&r.stage, t) : NULL;
        struct stat sb;
        if (f && stat(f, &sb) == 0)
            st.output_bytes += (uint64_t)sb.st_size;
        free(t);
    }
    if (o->tmp_dir) {
        cli_cleanup_remove(p.scratch);
        p.scratch[0] = 0;
    } else {
        rmdir(p.scratch);
    }
    staged = 0;
    if (cli_staged_commit(&r.stage) != 0) {
        import_errf(err, errsz, o->out, 0, "cannot rename the finished output into place");
        rc = SYNAPT_E_IO;
        goto done;
    }
    if (o->keep_going && st.skipped)
        rc = 3;
done:
    if (r.w)
        synapt_writer_abort(r.w);
    synapt_reader_close(r.resume);
    if (o->tmp_dir && p.scratch[0])
        cli_cleanup_remove(p.scratch);
    if (staged)
        cli_staged_abort(&r.stage);
    for (size_t j = 0; p.jobs && j < p.njobs; j++) {
        free(p.jobs[j].err);
        free(p.jobs[j].img);   /* finished clips a failed run never copied */
    }
    free(p.jobs);
    vocab_free(&p.vocab);
    free(in.v);
    st.seconds = cli_now() - t0;
    if (stats)
        *stats = st;
    return rc;
}
