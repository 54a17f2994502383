/* audit_shard.c: per-shard feature files (spec/audit-features.md) and the
 * merge that rebuilds the whole audit's dataset from them.
 *
 * A shard run lists every clip of the audit (cheap: descriptions only),
 * computes features for its own clips and writes them with their place in
 * the whole list. The merge puts each record back in its place, so the
 * dataset it hands to audit_run() is the one a single run would have built,
 * byte for byte: every float is stored as its bits, and nothing in a
 * record depends on which machine or shard computed it. */
#include "audit.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAGIC "SYNAPTAF"
#define VERSION 1
/* a string in the file: ids, splits, labels, group keys and values, paths */
#define MAX_STR (1u << 20)
#define MAX_GROUPS 4096
#define MAX_INPUTS 65536
/* the fixed part of a record (ordinal .. flags, hashes) is at least this
 * long, so a file's size bounds the clip count it may claim */
#define MIN_RECORD 100

enum { F_PIXELS = 1, F_ERROR = 2, F_MASKED = 4, F_POSE = 8, F_EMB = 16 };

static void seterr(char *err, size_t errsz, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errsz, fmt, ap);
    va_end(ap);
}

/* ---- writing ------------------------------------------------------------- */

typedef struct wr { FILE *f; uint64_t fnv; int failed; } wr;

static void put(wr *w, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) w->fnv = (w->fnv ^ b[i]) * 1099511628211ull;
    if (!w->failed && n && fwrite(p, 1, n, w->f) != n) w->failed = 1;
}

static void put_u8(wr *w, unsigned v) { uint8_t b = (uint8_t)v; put(w, &b, 1); }

static void put_u32(wr *w, uint32_t v)
{
    uint8_t b[4];
    for (int i = 0; i < 4; i++) b[i] = (uint8_t)(v >> (8 * i));
    put(w, b, 4);
}

static void put_u64(wr *w, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)(v >> (8 * i));
    put(w, b, 8);
}

static void put_f64(wr *w, double v) { uint64_t u; memcpy(&u, &v, 8); put_u64(w, u); }

static void put_f32s(wr *w, const float *v, size_t n)
{
    for (size_t i = 0; i < n; i++) { uint32_t u; memcpy(&u, &v[i], 4); put_u32(w, u); }
}

/* NULL is written as the length 0xFFFFFFFF */
static void put_str(wr *w, const char *s)
{
    if (!s) { put_u32(w, UINT32_MAX); return; }
    size_t n = strlen(s);
    if (n > MAX_STR) { w->failed = 1; return; }
    put_u32(w, (uint32_t)n);
    put(w, s, n);
}

/* the options and inputs every shard of one audit must share; the merge
 * compares their bytes */
static void put_settings(wr *w, const audit_dataset *ds, const audit_options *opt)
{
    put_u64(w, opt->seed);
    put_u32(w, opt->folds);
    put_u32(w, opt->epochs);
    put_u32(w, opt->bootstrap);
    put_u32(w, opt->permutations);
    put_u32(w, opt->hamming);
    put_u32(w, opt->near_frames);
    put_u32(w, opt->sheet_pairs);
    put_f64(w, opt->l2);
    put_f64(w, opt->bias_threshold);
    put_f64(w, opt->leak_threshold);
    put_f64(w, opt->factor_threshold);
    put_str(w, opt->group_key);
    uint32_t dims[] = { AUDIT_K, AUDIT_COLOUR_DIM, AUDIT_MOTION_DIM, AUDIT_PERSON_DIM,
                        AUDIT_POSE_DIM, AUDIT_POSEVEL_DIM };
    for (size_t i = 0; i < sizeof dims / sizeof *dims; i++) put_u32(w, dims[i]);
    put_u32(w, ds->emb_dim);
    put_str(w, ds->emb_dim ? ds->emb_source : NULL);
    put_u32(w, (uint32_t)ds->nfiles);
    for (size_t f = 0; f < ds->nfiles; f++) {
        put_str(w, ds->files[f].path);
        put_u8(w, (unsigned)ds->files[f].kind);
        put_u8(w, (unsigned)ds->files[f].domain);
        put_u64(w, ds->files[f].fingerprint);
    }
    put_u64(w, ds->n);
}

static void put_clip(wr *w, const audit_dataset *ds, const audit_clip *c, uint64_t ordinal)
{
    put_u64(w, ordinal);
    put_str(w, c->id);
    put_str(w, c->split);
    put_str(w, c->label >= 0 ? ds->classes[c->label] : NULL);
    put_u8(w, (unsigned)c->domain);
    put_u32(w, c->file);
    put_u64(w, c->index);
    put_u32(w, c->group_count);
    for (uint32_t g = 0; g < c->group_count; g++) {
        put_str(w, c->groups[g].key);
        put_str(w, c->groups[g].value);
    }
    put_u64(w, c->frames);
    put_f64(w, c->fps);
    put_u32(w, c->width);
    put_u32(w, c->height);
    unsigned flags = (c->has_pixels ? F_PIXELS : 0) | (c->feature_error ? F_ERROR : 0) |
                     (c->masked ? F_MASKED : 0) | (c->pose ? F_POSE : 0) |
                     (c->emb && ds->emb_dim ? F_EMB : 0);
    put_u8(w, flags);
    for (unsigned k = 0; k < AUDIT_K; k++) put_u64(w, c->dhash[k]);
    put_u64(w, c->exact);
    if (c->has_pixels) {
        put_f32s(w, c->colour, AUDIT_COLOUR_DIM);
        put_f32s(w, c->motion, AUDIT_MOTION_DIM);
        put_f32s(w, c->shuffled, AUDIT_MOTION_DIM);
    }
    if (c->masked) {
        put_f32s(w, c->masked->background, AUDIT_COLOUR_DIM);
        put_f32s(w, c->masked->person, AUDIT_PERSON_DIM);
    }
    if (c->pose) {
        const audit_pose *p = c->pose;
        put_u32(w, (uint32_t)p->skeleton);
        put_u32(w, p->joints);
        put_u32(w, p->dims);
        put_f32s(w, p->mean, AUDIT_POSE_DIM);
        put_f32s(w, p->vel, AUDIT_POSEVEL_DIM);
        put_f64(w, p->energy);
        put_f64(w, p->visible);
        put_f64(w, p->framed);
        put_f64(w, p->azimuth);
        put_f64(w, p->elevation);
    }
    if (flags & F_EMB) put_f32s(w, c->emb, ds->emb_dim);
}

int audit_shard_write(FILE *f, const audit_dataset *ds, const audit_options *opt,
                      uint32_t shard_k, uint32_t shard_n)
{
    wr w = { f, 1469598103934665603ull, 0 };
    uint64_t count = 0;
    for (size_t i = 0; i < ds->n; i++) count += !ds->clips[i].skip;
    put(&w, MAGIC, 8);
    put_u32(&w, VERSION);
    put_u32(&w, shard_k);
    put_u32(&w, shard_n);
    put_u64(&w, count);
    put_settings(&w, ds, opt);
    for (size_t i = 0; i < ds->n; i++)
        if (!ds->clips[i].skip) put_clip(&w, ds, &ds->clips[i], i);
    uint64_t sum = w.fnv;
    put_u64(&w, sum);
    put(&w, MAGIC, 8);
    return w.failed ? -1 : 0;
}

/* ---- reading ------------------------------------------------------------- */

typedef struct rd {
    FILE *f;
    const char *path;
    uint64_t fnv, pos, size;
    char *err; size_t errsz;
    int failed;
    /* the settings' bytes, kept to compare shards */
    int keep; uint8_t *kept; size_t nkept, capkept;
} rd;

static int get(rd *r, void *p, size_t n)
{
    if (r->failed) return -1;
    if (n > r->size - r->pos || (n && fread(p, 1, n, r->f) != n)) {
        seterr(r->err, r->errsz, "%s: truncated at byte %llu (not a whole feature file)", r->path,
               (unsigned long long)r->pos);
        r->failed = 1;
        memset(p, 0, n);
        return -1;
    }
    r->pos += n;
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) r->fnv = (r->fnv ^ b[i]) * 1099511628211ull;
    if (r->keep) {
        if (r->nkept + n > r->capkept) {
            size_t cap = (r->nkept + n) * 2;
            uint8_t *nk = realloc(r->kept, cap);
            if (!nk) { seterr(r->err, r->errsz, "%s: out of memory", r->path); r->failed = 1; return -1; }
            r->kept = nk;
            r->capkept = cap;
        }
        memcpy(r->kept + r->nkept, p, n);
        r->nkept += n;
    }
    return 0;
}

static void bad(rd *r, const char *fmt, ...)
{
    if (r->failed) return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    seterr(r->err, r->errsz, "%s: byte %llu: %s", r->path, (unsigned long long)r->pos, msg);
    r->failed = 1;
}

static unsigned get_u8(rd *r) { uint8_t b = 0; get(r, &b, 1); return b; }

static uint32_t get_u32(rd *r)
{
    uint8_t b[4] = { 0 };
    get(r, b, 4);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t get_u64(rd *r)
{
    uint8_t b[8] = { 0 };
    get(r, b, 8);
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | b[i];
    return v;
}

static double get_f64(rd *r) { uint64_t u = get_u64(r); double v; memcpy(&v, &u, 8); return v; }

static void get_f32s(rd *r, float *v, size_t n)
{
    for (size_t i = 0; i < n; i++) { uint32_t u = get_u32(r); memcpy(&v[i], &u, 4); }
}

/* *ok 0 on failure; a NULL string (0xFFFFFFFF) comes back as NULL with *ok 1 */
static char *get_str(rd *r, int *ok)
{
    uint32_t n = get_u32(r);
    *ok = 0;
    if (r->failed) return NULL;
    if (n == UINT32_MAX) { *ok = 1; return NULL; }
    if (n > MAX_STR || n > r->size - r->pos) { bad(r, "string of %u bytes", n); return NULL; }
    char *s = malloc((size_t)n + 1);
    if (!s) { bad(r, "out of memory"); return NULL; }
    if (get(r, s, n) != 0) { free(s); return NULL; }
    s[n] = 0;
    if (strlen(s) != n) { bad(r, "string with a NUL byte"); free(s); return NULL; }
    *ok = 1;
    return s;
}

static char *get_str_req(rd *r)
{
    int ok;
    char *s = get_str(r, &ok);
    if (ok && !s) bad(r, "a required string is null");
    return s;
}

static int check_floats(rd *r, const float *v, size_t n, int finite)
{
    if (!finite) return 0;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) { bad(r, "a feature is not a finite number"); return -1; }
    return 0;
}

/* the whole file's checksum and end magic before any record is trusted */
static int verify_file(FILE *f, const char *path, uint64_t *size, char *err, size_t errsz)
{
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        seterr(err, errsz, "%s: not a regular file", path);
        return -1;
    }
    *size = (uint64_t)st.st_size;
    if (*size < 8 + 4 + 4 + 4 + 8 + 16) {
        seterr(err, errsz, "%s: too short to be a synapt-audit feature file", path);
        return -1;
    }
    uint8_t head[12];
    rewind(f);
    if (fread(head, 1, 12, f) != 12 || memcmp(head, MAGIC, 8) != 0) {
        seterr(err, errsz, "%s: not a synapt-audit feature file (written by synapt-audit --shard)", path);
        return -1;
    }
    uint32_t ver = (uint32_t)head[8] | (uint32_t)head[9] << 8 | (uint32_t)head[10] << 16 |
                   (uint32_t)head[11] << 24;
    if (ver != VERSION) {
        seterr(err, errsz, "%s: feature file version %u; this synapt-audit reads version %d", path,
               ver, VERSION);
        return -1;
    }
    rewind(f);
    uint64_t fnv = 1469598103934665603ull, body = *size - 16;
    uint8_t buf[65536];
    for (uint64_t done = 0; done < body;) {
        size_t want = body - done < sizeof buf ? (size_t)(body - done) : sizeof buf;
        if (fread(buf, 1, want, f) != want) {
            seterr(err, errsz, "%s: read error: %s", path, strerror(errno));
            return -1;
        }
        for (size_t i = 0; i < want; i++) fnv = (fnv ^ buf[i]) * 1099511628211ull;
        done += want;
    }
    uint8_t tail[16];
    if (fread(tail, 1, 16, f) != 16) {
        seterr(err, errsz, "%s: read error", path);
        return -1;
    }
    uint64_t sum = 0;
    for (int i = 7; i >= 0; i--) sum = sum << 8 | tail[i];
    if (memcmp(tail + 8, MAGIC, 8) != 0 || sum != fnv) {
        seterr(err, errsz, "%s: checksum mismatch (the file is damaged or was cut short)", path);
        return -1;
    }
    rewind(f);
    return 0;
}

/* one shard's header, read and kept for comparison with the others */
typedef struct shard_head {
    uint32_t k, n;
    uint64_t count, total;
    uint8_t *settings; size_t nsettings;
} shard_head;

static int read_settings(rd *r, audit_dataset *ds, audit_options *opt, char **group_key,
                         uint64_t *total)
{
    opt->seed = get_u64(r);
    opt->folds = get_u32(r);
    opt->epochs = get_u32(r);
    opt->bootstrap = get_u32(r);
    opt->permutations = get_u32(r);
    opt->hamming = get_u32(r);
    opt->near_frames = get_u32(r);
    opt->sheet_pairs = get_u32(r);
    opt->l2 = get_f64(r);
    opt->bias_threshold = get_f64(r);
    opt->leak_threshold = get_f64(r);
    opt->factor_threshold = get_f64(r);
    int ok;
    *group_key = get_str(r, &ok);
    opt->group_key = *group_key;
    uint32_t want[] = { AUDIT_K, AUDIT_COLOUR_DIM, AUDIT_MOTION_DIM, AUDIT_PERSON_DIM,
                        AUDIT_POSE_DIM, AUDIT_POSEVEL_DIM };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        if (get_u32(r) != want[i] && !r->failed) {
            bad(r, "features of another layout (written by a different synapt-audit)");
            return -1;
        }
    if (opt->folds < 2 || opt->folds > 50 || opt->epochs < 1 || opt->epochs > 10000 ||
        opt->hamming > 7 || opt->near_frames < 1 || opt->near_frames > AUDIT_K * AUDIT_K ||
        opt->bootstrap > 1000000 || opt->permutations > 1000000 || opt->sheet_pairs > 1000 ||
        !isfinite(opt->l2) || !isfinite(opt->bias_threshold) || !isfinite(opt->leak_threshold) ||
        !isfinite(opt->factor_threshold)) {
        bad(r, "method settings out of range");
        return -1;
    }
    ds->emb_dim = get_u32(r);
    if (ds->emb_dim > AUDIT_MAX_EMB_DIM) { bad(r, "embedding of %u dims", ds->emb_dim); return -1; }
    ds->emb_source = get_str(r, &ok);
    if (!ok || (ds->emb_dim && !ds->emb_source)) { bad(r, "embedding source missing"); return -1; }
    uint32_t nf = get_u32(r);
    if (r->failed) return -1;
    if (!nf || nf > MAX_INPUTS) { bad(r, "%u inputs", nf); return -1; }
    ds->files = calloc(nf, sizeof *ds->files);
    if (!ds->files) { bad(r, "out of memory"); return -1; }
    for (uint32_t f = 0; f < nf && !r->failed; f++) {
        ds->files[f].path = get_str_req(r);
        ds->files[f].kind = (int)get_u8(r);
        ds->files[f].domain = (int)get_u8(r);
        ds->files[f].fingerprint = get_u64(r);
        ds->nfiles = f + 1;
        if (ds->files[f].kind > AUDIT_INPUT_LIST || ds->files[f].domain > 2) bad(r, "input %u kind", f);
    }
    *total = get_u64(r);
    return r->failed ? -1 : 0;
}

static int read_clip(rd *r, audit_dataset *ds, uint8_t *filled, char **labels)
{
    uint64_t ord = get_u64(r);
    if (r->failed) return -1;
    if (ord >= ds->n) { bad(r, "clip number %llu of %zu", (unsigned long long)ord, ds->n); return -1; }
    if (filled[ord]) {
        bad(r, "clip number %llu is in two feature files (the same shard given twice?)",
            (unsigned long long)ord);
        return -1;
    }
    filled[ord] = 1;
    audit_clip *c = &ds->clips[ord];
    int ok;
    c->label = -1;
    c->id = get_str_req(r);
    c->split = get_str_req(r);
    labels[ord] = get_str(r, &ok);
    c->domain = (int)get_u8(r);
    c->file = get_u32(r);
    c->index = get_u64(r);
    uint32_t ng = get_u32(r);
    if (r->failed) return -1;
    if (c->domain > 2 || c->file >= ds->nfiles || ng > MAX_GROUPS) { bad(r, "clip %s: bad fields", c->id); return -1; }
    if (ng) {
        c->groups = calloc(ng, sizeof *c->groups);
        if (!c->groups) { bad(r, "out of memory"); return -1; }
    }
    for (uint32_t g = 0; g < ng && !r->failed; g++) {
        c->groups[g].key = get_str_req(r);
        c->groups[g].value = get_str_req(r);
        c->group_count = g + 1;
    }
    c->frames = get_u64(r);
    c->fps = get_f64(r);
    c->width = get_u32(r);
    c->height = get_u32(r);
    unsigned flags = get_u8(r);
    for (unsigned k = 0; k < AUDIT_K; k++) c->dhash[k] = get_u64(r);
    c->exact = get_u64(r);
    if (r->failed) return -1;
    if (flags & ~31u || ((flags & F_EMB) && !ds->emb_dim) || ((flags & F_MASKED) && !(flags & F_PIXELS))) {
        bad(r, "clip %s: flags 0x%x", c->id, flags);
        return -1;
    }
    c->has_pixels = !!(flags & F_PIXELS);
    c->feature_error = !!(flags & F_ERROR);
    if (c->has_pixels) {
        get_f32s(r, c->colour, AUDIT_COLOUR_DIM);
        get_f32s(r, c->motion, AUDIT_MOTION_DIM);
        get_f32s(r, c->shuffled, AUDIT_MOTION_DIM);
    }
    if (flags & F_MASKED) {
        if (!(c->masked = malloc(sizeof *c->masked))) { bad(r, "out of memory"); return -1; }
        get_f32s(r, c->masked->background, AUDIT_COLOUR_DIM);
        get_f32s(r, c->masked->person, AUDIT_PERSON_DIM);
    }
    if (flags & F_POSE) {
        audit_pose *p = c->pose = calloc(1, sizeof *c->pose);
        if (!p) { bad(r, "out of memory"); return -1; }
        p->skeleton = (int)get_u32(r);
        p->joints = get_u32(r);
        p->dims = get_u32(r);
        get_f32s(r, p->mean, AUDIT_POSE_DIM);
        get_f32s(r, p->vel, AUDIT_POSEVEL_DIM);
        p->energy = get_f64(r);
        p->visible = get_f64(r);
        p->framed = get_f64(r);
        p->azimuth = get_f64(r);
        p->elevation = get_f64(r);
        if (!r->failed && (p->joints > AUDIT_MAX_JOINTS || (p->dims != 2 && p->dims != 3))) {
            bad(r, "clip %s: pose of %u joints in %u dims", c->id, p->joints, p->dims);
            return -1;
        }
    }
    if (flags & F_EMB) {
        if (!(c->emb = malloc((size_t)ds->emb_dim * sizeof *c->emb))) { bad(r, "out of memory"); return -1; }
        get_f32s(r, c->emb, ds->emb_dim);
        if (check_floats(r, c->emb, ds->emb_dim, 1) != 0) return -1;
    }
    return r->failed ? -1 : 0;
}


int audit_shard_merge(audit_dataset *ds, audit_options *opt, char **group_key,
                      const char *const *paths, size_t npaths, char *err, size_t errsz)
{
    audit_dataset_init(ds);
    *group_key = NULL;
    shard_head *h = calloc(npaths ? npaths : 1, sizeof *h);
    FILE **files = calloc(npaths ? npaths : 1, sizeof *files);
    uint8_t *filled = NULL;
    char **labels = NULL;
    int ret = -1;
    if (!h || !files) { seterr(err, errsz, "out of memory"); goto done; }
    /* first every header: that the shards belong together is cheaper to
     * find out before any record is read */
    uint64_t sum = 0;
    for (size_t i = 0; i < npaths; i++) {
        uint64_t size;
        if (!(files[i] = fopen(paths[i], "rb"))) {
            seterr(err, errsz, "%s: %s", paths[i], strerror(errno));
            goto done;
        }
        if (verify_file(files[i], paths[i], &size, err, errsz) != 0) goto done;
        rd r = { files[i], paths[i], 1469598103934665603ull, 0, size - 16, err, errsz, 0, 0, NULL, 0, 0 };
        char magic[8];
        get(&r, magic, 8);
        (void)get_u32(&r);
        h[i].k = get_u32(&r);
        h[i].n = get_u32(&r);
        h[i].count = get_u64(&r);
        r.keep = 1;
        audit_dataset scratch;
        audit_options o = AUDIT_OPTIONS_INIT;
        char *gk = NULL;
        audit_dataset_init(&scratch);
        int rc = read_settings(&r, &scratch, &o, &gk, &h[i].total);
        audit_dataset_free(&scratch);
        free(gk);
        h[i].settings = r.kept;
        h[i].nsettings = r.nkept;
        if (rc != 0) goto done;
        if (!h[i].n || h[i].k >= h[i].n) {
            seterr(err, errsz, "%s: shard %u/%u is not a shard", paths[i], h[i].k, h[i].n);
            goto done;
        }
        if (h[i].count > (size - r.pos) / MIN_RECORD) {
            seterr(err, errsz, "%s: claims %llu clips, more than its %llu bytes can hold", paths[i],
                   (unsigned long long)h[i].count, (unsigned long long)size);
            goto done;
        }
        if (i && (h[i].n != h[0].n || h[i].nsettings != h[0].nsettings ||
                  memcmp(h[i].settings, h[0].settings, h[0].nsettings) != 0)) {
            seterr(err, errsz, "%s: another audit than %s (inputs, selection, options or shard "
                   "count differ)", paths[i], paths[0]);
            goto done;
        }
        for (size_t j = 0; j < i; j++)
            if (h[j].k == h[i].k) {
                seterr(err, errsz, "%s: shard %u/%u is also %s", paths[i], h[i].k, h[i].n, paths[j]);
                goto done;
            }
        sum += h[i].count;
    }
    if (npaths && npaths != h[0].n) {
        uint32_t missing = 0;
        for (uint32_t k = 0; k < h[0].n; k++) {
            size_t j = 0;
            while (j < npaths && h[j].k != k) j++;
            if (j == npaths) { missing = k; break; }
        }
        seterr(err, errsz, "%zu of %u shards given: shard %u/%u is missing (run synapt-audit "
               "--shard %u/%u with the same inputs and options)", npaths, h[0].n, missing, h[0].n,
               missing, h[0].n);
        goto done;
    }
    if (!npaths || sum != h[0].total) {
        seterr(err, errsz, "the shards hold %llu clips, the audit %llu", (unsigned long long)sum,
               npaths ? (unsigned long long)h[0].total : 0ull);
        goto done;
    }
    ds->n = ds->cap = (size_t)sum;
    ds->clips = calloc(ds->n ? ds->n : 1, sizeof *ds->clips);
    filled = calloc(ds->n ? ds->n : 1, 1);
    labels = calloc(ds->n ? ds->n : 1, sizeof *labels);
    if (!ds->clips || !filled || !labels) { seterr(err, errsz, "out of memory"); goto done; }
    for (size_t i = 0; i < ds->n; i++) ds->clips[i].label = -1;
    for (size_t i = 0; i < npaths; i++) {
        uint64_t size;
        if (verify_file(files[i], paths[i], &size, err, errsz) != 0) goto done;
        rd r = { files[i], paths[i], 1469598103934665603ull, 0, size - 16, err, errsz, 0, 0, NULL, 0, 0 };
        char magic[8];
        get(&r, magic, 8);
        (void)get_u32(&r);
        (void)get_u32(&r);
        (void)get_u32(&r);
        (void)get_u64(&r);
        uint64_t total;
        if (i == 0) {
            if (read_settings(&r, ds, opt, group_key, &total) != 0) goto done;
        } else {
            audit_dataset scratch;
            audit_options o = AUDIT_OPTIONS_INIT;
            char *gk = NULL;
            audit_dataset_init(&scratch);
            int rc = read_settings(&r, &scratch, &o, &gk, &total);
            audit_dataset_free(&scratch);
            free(gk);
            if (rc != 0) goto done;
        }
        for (uint64_t c = 0; c < h[i].count; c++)
            if (read_clip(&r, ds, filled, labels) != 0) goto done;
        if (r.pos != r.size) {
            seterr(err, errsz, "%s: %llu bytes after the last clip", paths[i],
                   (unsigned long long)(r.size - r.pos));
            goto done;
        }
    }
    /* classes numbered as a single run numbers them: by first appearance
     * in clip order */
    for (size_t i = 0; i < ds->n; i++) {
        if (!labels[i]) continue;
        int li = audit_class_index(ds, labels[i]);
        if (li < 0) { seterr(err, errsz, "out of memory"); goto done; }
        ds->clips[i].label = li;
    }
    ret = 0;
done:
    for (size_t i = 0; i < npaths; i++) {
        if (files && files[i]) fclose(files[i]);
        if (h) free(h[i].settings);
    }
    if (labels) for (size_t i = 0; i < ds->n; i++) free(labels[i]);
    free(labels);
    free(filled);
    free(h);
    free(files);
    if (ret != 0) {
        audit_dataset_free(ds);
        free(*group_key);
        *group_key = NULL;
    }
    return ret;
}
