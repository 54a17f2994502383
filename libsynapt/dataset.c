/* dataset.c - a dataset handle over a manifest's members or one file
 * (spec/dataset.md sections 6 to 8): lazy member opening with the checks
 * D10-D15, a bounded number of open members, label mapping, and the
 * reader's read calls by dataset clip index. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"
#include "dataset_internal.h"

/* ---- member opening ---- */

static void member_fail(synapt_dataset *ds, ds_member *m, int code, const char *fmt, ...)
{
    char tmp[800];
    va_list ap;
    va_start(ap, fmt);
    sy_vfmt(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    sy_ds_set_msg(ds, "member %s: %s", m->path, tmp);
    free(m->fail_msg);
    m->fail_msg = strdup(ds->msg);
    m->fail_code = code;
}

static void member_close(synapt_dataset *ds, ds_member *m)
{
    if (!m->r) return;
    synapt_reader_close(m->r);
    m->r = NULL;
    ds->open_count--;
}

/* Close least recently used unpinned members until one more fits. */
static void evict(synapt_dataset *ds)
{
    while (ds->open_count >= ds->opts.max_open_members) {
        ds_member *lru = NULL;
        for (uint32_t i = 0; i < ds->nm; i++) {
            ds_member *m = &ds->m[i];
            if (m->r && !m->refs && (!lru || m->last_use < lru->last_use)) lru = m;
        }
        if (!lru) return;      /* every open member is pinned: go over the bound */
        member_close(ds, lru);
    }
}

static int find_key(const ds_member *m, const char *name)
{
    size_t lo = 0, hi = m->nmap;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(m->map_keys[mid], name);
        if (!c) return (int)mid;
        if (c < 0) lo = mid + 1; else hi = mid;
    }
    return -1;
}

/* The member's label -> dataset id table. `grow`: append unknown names
 * to V (the manifest has no `labels`: V is built from the members). */
static int build_lmap(synapt_dataset *ds, ds_member *m, int grow)
{
    uint64_t n = synapt_reader_label_count(m->r);
    uint32_t *lmap = malloc((n ? n : 1) * sizeof *lmap);
    if (!lmap) return SYNAPT_E_NOMEM;
    for (uint64_t j = 0; j < n; j++) {
        const char *name = synapt_reader_label_name(m->r, (uint32_t)j);
        if (!name) {
            member_fail(ds, m, SYNAPT_E_CORRUPT, "%s", synapt_reader_errmsg(m->r));
            free(lmap);
            return SYNAPT_E_CORRUPT;
        }
        int k = find_key(m, name);
        if (k >= 0) name = m->map_vals[k];
        if (!name) { lmap[j] = DS_LABEL_DROP; continue; }
        uint32_t id;
        int rc = grow ? sy_ds_label_add(ds, name, &id) : sy_ds_label_find(ds, name, &id);
        if (rc == SYNAPT_E_NOT_FOUND) id = DS_LABEL_UNKNOWN;
        else if (rc) { free(lmap); return rc; }
        lmap[j] = id;
    }
    free(m->lmap);
    m->lmap = lmap;
    m->nlabels = n;
    return 0;
}

/* Open member m with the checks D10-D15, in the spec's order. Lock held. */
static int member_open(synapt_dataset *ds, ds_member *m, int grow_labels)
{
    if (m->r) return 0;
    if (m->fail_code) {
        sy_fmt(ds->msg, sizeof ds->msg, "%s", m->fail_msg ? m->fail_msg : "member failed");
        return m->fail_code;
    }
    evict(ds);
    int fd = open(m->full, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT || e == ENOTDIR) {
            member_fail(ds, m, SYNAPT_E_MEMBER_MISSING, "file %s does not exist", m->full);
            return SYNAPT_E_MEMBER_MISSING;
        }
        member_fail(ds, m, SYNAPT_E_IO, "cannot open %s: %s", m->full, strerror(e));
        /* running out of descriptors is not a property of the member */
        if (e == EMFILE || e == ENFILE) m->fail_code = 0;
        return SYNAPT_E_IO;
    }
    struct stat st;
    int rc = fstat(fd, &st);
    close(fd);
    if (rc) {
        member_fail(ds, m, SYNAPT_E_IO, "cannot stat %s", m->full);
        return SYNAPT_E_IO;
    }
    if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size != m->size) {
        member_fail(ds, m, SYNAPT_E_MEMBER_SIZE, "size is %llu bytes, the manifest says %llu",
                    (unsigned long long)st.st_size, (unsigned long long)m->size);
        return SYNAPT_E_MEMBER_SIZE;
    }
    char err[600];
    synapt_reader *r = NULL;
    rc = synapt_reader_open2(&r, m->full, &ds->opts.reader, err, sizeof err);
    if (rc) {
        member_fail(ds, m, rc, "%s", err);
        return rc;
    }
    synapt_file_info fi;
    if ((rc = synapt_reader_file_info(&fi, r))) {
        member_fail(ds, m, rc, "%s", synapt_reader_errmsg(r));
        synapt_reader_close(r);
        return rc;
    }
    /* the size again, from the reader's own descriptor: the file may have
     * been replaced between the stat and the open */
    if (fi.file_bytes != m->size) {
        member_fail(ds, m, SYNAPT_E_MEMBER_SIZE, "size is %llu bytes, the manifest says %llu",
                    (unsigned long long)fi.file_bytes, (unsigned long long)m->size);
        synapt_reader_close(r);
        return SYNAPT_E_MEMBER_SIZE;
    }
    if (memcmp(fi.uuid, m->uuid, 16)) {
        char hex[33];
        for (int i = 0; i < 16; i++) sprintf(hex + 2 * i, "%02x", fi.uuid[i]);
        member_fail(ds, m, SYNAPT_E_MEMBER_UUID, "uuid is %s, not the manifest's", hex);
        synapt_reader_close(r);
        return SYNAPT_E_MEMBER_UUID;
    }
    if (fi.clip_count != m->clips) {
        member_fail(ds, m, SYNAPT_E_MEMBER_CLIPS, "has %llu clips, the manifest says %llu",
                    (unsigned long long)fi.clip_count, (unsigned long long)m->clips);
        synapt_reader_close(r);
        return SYNAPT_E_MEMBER_CLIPS;
    }
    for (size_t k = 0; k < m->nmap; k++) {
        uint32_t id;
        if (synapt_reader_find_label(&id, r, m->map_keys[k])) {
            member_fail(ds, m, SYNAPT_E_MEMBER_LABEL, "label_map key \"%.200s\" is not one of its labels",
                        m->map_keys[k]);
            synapt_reader_close(r);
            return SYNAPT_E_MEMBER_LABEL;
        }
    }
    m->r = r;
    ds->open_count++;
    if (!m->lmap && (rc = build_lmap(ds, m, grow_labels))) {
        member_close(ds, m);
        return rc;
    }
    return 0;
}

/* Pin the member of clip g; *mc gets the member clip index. */
static int pin(synapt_dataset *ds, uint64_t g, ds_member **out, uint64_t *mc)
{
    *out = NULL;
    uint32_t mi;
    uint64_t k;
    int rc = synapt_dataset_locate(&mi, &k, ds, g);
    if (rc) {
        pthread_mutex_lock(&ds->lock);
        sy_ds_set_msg(ds, "clip %llu is out of range (%llu clips)", (unsigned long long)g,
                      (unsigned long long)ds->nclips);
        pthread_mutex_unlock(&ds->lock);
        return rc;
    }
    ds_member *m = &ds->m[mi];
    pthread_mutex_lock(&ds->lock);
    rc = member_open(ds, m, 0);
    if (!rc) {
        m->refs++;
        m->last_use = ++ds->tick;
    }
    pthread_mutex_unlock(&ds->lock);
    if (rc) return rc;
    *out = m;
    *mc = k;
    return 0;
}

static void unpin(synapt_dataset *ds, ds_member *m)
{
    pthread_mutex_lock(&ds->lock);
    m->refs--;
    pthread_mutex_unlock(&ds->lock);
}

/* A failed member read: its message, named by the member, on the handle. */
static int read_fail(synapt_dataset *ds, ds_member *m, uint64_t g, int rc)
{
    if (rc == SYNAPT_E_BUFFER) return rc;   /* a caller's buffer, not the data */
    pthread_mutex_lock(&ds->lock);
    sy_ds_set_msg(ds, "member %s, dataset clip %llu: %s", m->path, (unsigned long long)g,
                  synapt_reader_errmsg(m->r));
    pthread_mutex_unlock(&ds->lock);
    return rc;
}

/* ---- open and close ---- */

static int read_whole(synapt_dataset *ds, int fd, uint64_t size, char **out)
{
    char *buf = malloc(size + 1);
    if (!buf) return SYNAPT_E_NOMEM;
    uint64_t got = 0;
    while (got < size) {
        ssize_t n = pread(fd, buf + got, size - got, (off_t)got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            sy_ds_set_msg(ds, "cannot read: %s", n < 0 ? strerror(errno) : "file shrank");
            free(buf);
            return SYNAPT_E_IO;
        }
        got += (uint64_t)n;
    }
    buf[size] = 0;
    *out = buf;
    return 0;
}

static int open_single(synapt_dataset *ds, const char *path)
{
    ds->m = calloc(1, sizeof *ds->m);
    if (!ds->m) return SYNAPT_E_NOMEM;
    ds->nm = 1;
    ds_member *m = &ds->m[0];
    if (!(m->path = strdup(path)) || !(m->full = strdup(path))) return SYNAPT_E_NOMEM;
    char err[600];
    int rc = synapt_reader_open2(&m->r, path, &ds->opts.reader, err, sizeof err);
    if (rc) {
        sy_fmt(ds->msg, sizeof ds->msg, "%s", err);
        return rc;
    }
    ds->open_count = 1;
    synapt_file_info fi;
    if ((rc = synapt_reader_file_info(&fi, m->r))) {
        sy_fmt(ds->msg, sizeof ds->msg, "%s", synapt_reader_errmsg(m->r));
        return rc;
    }
    memcpy(m->uuid, fi.uuid, 16);
    m->clips = m->n = ds->nclips = fi.clip_count;
    m->size = fi.file_bytes;
    return build_lmap(ds, m, 1);
}

/* synapt_dataset_options version 1, as 0.3's header laid it out (its
 * reader options ended at use_mmap). */
typedef struct reader_options_v1 {
    unsigned version;
    const synapt_allocator *allocator;
    synapt_limits limits;
    int verify_checksums, verify_index, use_mmap;
} reader_options_v1;
typedef struct dataset_options_v1 {
    unsigned version;
    reader_options_v1 reader;
    uint64_t max_manifest_bytes;
    uint32_t max_members, max_labels, max_open_members;
} dataset_options_v1;

int synapt_dataset_open(synapt_dataset **out, const char *path,
                        const synapt_dataset_options *opts, char *errbuf, size_t errbuf_size)
{
    if (out) *out = NULL;
    if (!out || !path) {
        sy_errbuf_set(errbuf, errbuf_size, "synapt_dataset_open: NULL argument");
        return SYNAPT_E_INVALID_ARG;
    }
    synapt_dataset_options def = SYNAPT_DATASET_OPTIONS_INIT;
    if (!opts) opts = &def;
    if (opts->version == 1) {
        /* a program built against 0.3 passes the shorter layout: read it
         * as such, never past its end */
        const dataset_options_v1 *o1 = (const dataset_options_v1 *)(const void *)opts;
        def.reader.version = 1;
        def.reader.allocator = o1->reader.allocator;
        def.reader.limits = o1->reader.limits;
        def.reader.verify_checksums = o1->reader.verify_checksums;
        def.reader.verify_index = o1->reader.verify_index;
        def.reader.use_mmap = o1->reader.use_mmap;
        def.max_manifest_bytes = o1->max_manifest_bytes;
        def.max_members = o1->max_members;
        def.max_labels = o1->max_labels;
        def.max_open_members = o1->max_open_members;
        opts = &def;
    } else if (opts->version != SYNAPT_DATASET_OPTIONS_VERSION) {
        opts = NULL;
    }
    if (!opts || !opts->max_open_members) {
        sy_errbuf_set(errbuf, errbuf_size, "synapt_dataset_open: bad options");
        return SYNAPT_E_INVALID_ARG;
    }
    synapt_dataset *ds = calloc(1, sizeof *ds);
    if (!ds) return SYNAPT_E_NOMEM;
    ds->opts = *opts;
    pthread_mutex_init(&ds->lock, NULL);
    int rc = 0, fd = -1;
    char *text = NULL;
    if (!(ds->path = strdup(path))) { rc = SYNAPT_E_NOMEM; goto fail; }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st)) {
        sy_ds_set_msg(ds, "cannot open: %s", strerror(errno));
        rc = SYNAPT_E_IO;
        goto fail;
    }
    uint8_t head[SY_MAGIC_LEN];
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size >= SY_MAGIC_LEN &&
        pread(fd, head, SY_MAGIC_LEN, 0) == SY_MAGIC_LEN && !memcmp(head, sy_magic, SY_MAGIC_LEN)) {
        close(fd);
        fd = -1;
        rc = open_single(ds, path);
        if (rc) goto fail;
        *out = ds;
        return 0;
    }
    if (!S_ISREG(st.st_mode)) {
        sy_ds_set_msg(ds, "not a regular file");
        rc = SYNAPT_E_IO;
        goto fail;
    }
    if ((uint64_t)st.st_size > opts->max_manifest_bytes) {
        sy_ds_set_msg(ds, "neither a .synapt file nor a manifest within the %llu-byte limit",
                      (unsigned long long)opts->max_manifest_bytes);
        rc = SYNAPT_E_LIMIT;
        goto fail;
    }
    if ((rc = read_whole(ds, fd, (uint64_t)st.st_size, &text))) goto fail;
    close(fd);
    fd = -1;
    ds->is_manifest = 1;
    if ((rc = sy_ds_parse_manifest(ds, text, (size_t)st.st_size))) goto fail;
    /* member paths are relative to the manifest's directory */
    const char *slash = strrchr(path, '/');
    size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
    for (uint32_t i = 0; i < ds->nm; i++) {
        ds_member *m = &ds->m[i];
        size_t pl = strlen(m->path);
        if (!(m->full = malloc(dlen + pl + 1))) { rc = SYNAPT_E_NOMEM; goto fail; }
        memcpy(m->full, path, dlen);
        memcpy(m->full + dlen, m->path, pl + 1);
    }
    if (!ds->have_labels) {
        /* no `labels`: V is every member's names, in member order */
        for (uint32_t i = 0; i < ds->nm; i++) {
            if ((rc = member_open(ds, &ds->m[i], 1))) goto fail;
            ds->m[i].last_use = ++ds->tick;
        }
    }
    free(text);
    *out = ds;
    return 0;
fail:
    sy_errbuf_set(errbuf, errbuf_size, ds->msg);
    if (fd >= 0) close(fd);
    free(text);
    synapt_dataset_close(ds);
    return rc;
}

void synapt_dataset_close(synapt_dataset *ds)
{
    if (!ds) return;
    for (uint32_t i = 0; i < ds->nm; i++) {
        ds_member *m = &ds->m[i];
        synapt_reader_close(m->r);
        free(m->path);
        free(m->full);
        free(m->select);
        for (size_t k = 0; k < m->nmap; k++) { free(m->map_keys[k]); free(m->map_vals[k]); }
        free(m->map_keys);
        free(m->map_vals);
        free(m->lmap);
        free(m->fail_msg);
    }
    free(ds->m);
    for (uint64_t i = 0; i < ds->nlabels; i++) free(ds->labels[i]);
    free(ds->labels);
    free(ds->lhash);
    free(ds->path);
    pthread_mutex_destroy(&ds->lock);
    free(ds);
}

/* ---- plain queries ---- */

const char *synapt_dataset_errmsg(const synapt_dataset *ds) { return ds ? ds->msg : ""; }
int synapt_dataset_is_manifest(const synapt_dataset *ds) { return ds ? ds->is_manifest : 0; }
uint64_t synapt_dataset_clip_count(const synapt_dataset *ds) { return ds ? ds->nclips : 0; }
uint32_t synapt_dataset_member_count(const synapt_dataset *ds) { return ds ? ds->nm : 0; }
uint64_t synapt_dataset_label_count(const synapt_dataset *ds) { return ds ? ds->nlabels : 0; }

const char *synapt_dataset_label_name(const synapt_dataset *ds, uint32_t id)
{
    return ds && id < ds->nlabels ? ds->labels[id] : NULL;
}

int synapt_dataset_find_label(uint32_t *out, const synapt_dataset *ds, const char *name)
{
    if (!ds || !name) return SYNAPT_E_INVALID_ARG;
    return sy_ds_label_find(ds, name, out);
}

int synapt_dataset_member_info(synapt_dataset_member *out, const synapt_dataset *ds, uint32_t i)
{
    if (!out || !ds) return SYNAPT_E_INVALID_ARG;
    if (i >= ds->nm) return SYNAPT_E_RANGE;
    const ds_member *m = &ds->m[i];
    out->path = m->path;
    out->resolved_path = m->full;
    memcpy(out->uuid, m->uuid, 16);
    out->clips = m->clips;
    out->size = m->size;
    out->selected = m->n;
    out->base = m->base;
    out->has_select = m->select != NULL;
    out->select = m->select;
    out->label_map_count = m->nmap;
    out->label_map_keys = (const char *const *)m->map_keys;
    out->label_map_values = (const char *const *)m->map_vals;
    return 0;
}

int synapt_dataset_locate(uint32_t *member, uint64_t *member_clip, const synapt_dataset *ds,
                          uint64_t g)
{
    if (!ds) return SYNAPT_E_INVALID_ARG;
    if (g >= ds->nclips) return SYNAPT_E_RANGE;
    /* last member whose base <= g and that contributes clips */
    uint32_t lo = 0, hi = ds->nm;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (ds->m[mid].base <= g) lo = mid; else hi = mid;
    }
    while (ds->m[lo].n == 0 || g - ds->m[lo].base >= ds->m[lo].n) lo++;  /* empty members share a base */
    const ds_member *m = &ds->m[lo];
    uint64_t k = g - m->base;
    if (member) *member = lo;
    if (member_clip) *member_clip = m->select ? m->select[k] : k;
    return 0;
}

int synapt_dataset_acquire(synapt_reader **out, uint64_t *member_clip, synapt_dataset *ds,
                           uint64_t g)
{
    if (!out || !ds) return SYNAPT_E_INVALID_ARG;
    *out = NULL;
    ds_member *m;
    uint64_t k;
    int rc = pin(ds, g, &m, &k);
    if (rc) return rc;
    *out = m->r;
    if (member_clip) *member_clip = k;
    return 0;
}

void synapt_dataset_release(synapt_dataset *ds, synapt_reader *r)
{
    if (!ds || !r) return;
    pthread_mutex_lock(&ds->lock);
    for (uint32_t i = 0; i < ds->nm; i++)
        if (ds->m[i].r == r && ds->m[i].refs) { ds->m[i].refs--; break; }
    pthread_mutex_unlock(&ds->lock);
}

/* ---- labels of a clip ---- */

/* Mapped, deduplicated dataset ids of member clip k into a malloc'd array. */
static int mapped_labels(synapt_dataset *ds, ds_member *m, uint64_t g, uint64_t k,
                         uint32_t **ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    size_t cnt = 0;
    int rc = synapt_reader_clip_labels(NULL, 0, &cnt, m->r, k);
    if (rc && rc != SYNAPT_E_BUFFER) return read_fail(ds, m, g, rc);
    uint32_t *v = malloc((cnt ? cnt : 1) * sizeof *v);
    if (!v) return SYNAPT_E_NOMEM;
    if ((rc = synapt_reader_clip_labels(v, cnt, &cnt, m->r, k))) {
        free(v);
        return read_fail(ds, m, g, rc);
    }
    size_t o = 0;
    for (size_t i = 0; i < cnt; i++) {
        if (v[i] >= m->nlabels) { free(v); return read_fail(ds, m, g, SYNAPT_E_CORRUPT); }
        uint32_t d = m->lmap[v[i]];
        if (d == DS_LABEL_DROP) continue;
        if (d == DS_LABEL_UNKNOWN) {
            pthread_mutex_lock(&ds->lock);
            sy_ds_set_msg(ds, "member %s, dataset clip %llu: label \"%.200s\" is not in the dataset's labels",
                          m->path, (unsigned long long)g, synapt_reader_label_name(m->r, v[i]));
            pthread_mutex_unlock(&ds->lock);
            free(v);
            return SYNAPT_E_MEMBER_LABEL;
        }
        size_t j = 0;
        while (j < o && v[j] != d) j++;
        if (j == o) v[o++] = d;
    }
    *ids = v;
    *n = o;
    return 0;
}

int synapt_dataset_clip_labels(uint32_t *out, size_t cap, size_t *count, synapt_dataset *ds,
                               uint64_t g)
{
    if (!ds || (cap && !out)) return SYNAPT_E_INVALID_ARG;
    ds_member *m;
    uint64_t k;
    int rc = pin(ds, g, &m, &k);
    if (rc) return rc;
    uint32_t *ids;
    size_t n;
    rc = mapped_labels(ds, m, g, k, &ids, &n);
    if (!rc) {
        if (count) *count = n;
        if (n) memcpy(out, ids, (n < cap ? n : cap) * sizeof *ids);
        if (n > cap) rc = SYNAPT_E_BUFFER;
        free(ids);
    }
    unpin(ds, m);
    return rc;
}

int synapt_dataset_clip(synapt_clip_info *out, synapt_dataset *ds, uint64_t g)
{
    if (!out || !ds) return SYNAPT_E_INVALID_ARG;
    ds_member *m;
    uint64_t k;
    int rc = pin(ds, g, &m, &k);
    if (rc) return rc;
    if ((rc = synapt_reader_clip(out, m->r, k))) {
        rc = read_fail(ds, m, g, rc);
    } else {
        uint32_t *ids;
        size_t n;
        if (!(rc = mapped_labels(ds, m, g, k, &ids, &n))) {
            out->index = g;
            out->label_count = (uint32_t)n;
            out->first_label = n ? ids[0] : UINT32_MAX;
            free(ids);
        }
    }
    unpin(ds, m);
    return rc;
}

int synapt_dataset_find_clip(uint64_t *out, synapt_dataset *ds, const char *id)
{
    if (!ds || !id) return SYNAPT_E_INVALID_ARG;
    for (uint32_t i = 0; i < ds->nm; i++) {
        ds_member *m = &ds->m[i];
        if (!m->n) continue;
        uint64_t k;
        int rc = pin(ds, m->base, &m, &k);
        if (rc) return rc;
        uint64_t idx;
        rc = synapt_reader_find_clip(&idx, m->r, id);
        uint64_t g = 0;
        int found = 0;
        if (!rc) {
            if (!m->select) { g = m->base + idx; found = 1; }
            else {
                uint64_t lo = 0, hi = m->n;
                while (lo < hi) {
                    uint64_t mid = lo + (hi - lo) / 2;
                    if (m->select[mid] < idx) lo = mid + 1; else hi = mid;
                }
                if (lo < m->n && m->select[lo] == idx) { g = m->base + lo; found = 1; }
            }
        } else if (rc != SYNAPT_E_NOT_FOUND) {
            rc = read_fail(ds, m, m->base, rc);
            unpin(ds, m);
            return rc;
        }
        unpin(ds, m);
        if (found) {
            if (out) *out = g;
            return 0;
        }
    }
    pthread_mutex_lock(&ds->lock);
    sy_ds_set_msg(ds, "no clip with id \"%.200s\"", id);
    pthread_mutex_unlock(&ds->lock);
    return SYNAPT_E_NOT_FOUND;
}

/* ---- forwarded reads ---- */

#define FORWARD(call) do { \
    if (!ds) return SYNAPT_E_INVALID_ARG; \
    ds_member *m_; uint64_t k; \
    int rc_ = pin(ds, g, &m_, &k); \
    if (rc_) return rc_; \
    synapt_reader *r = m_->r; \
    rc_ = (call); \
    if (rc_) rc_ = read_fail(ds, m_, g, rc_); \
    unpin(ds, m_); \
    return rc_; } while (0)

int synapt_dataset_clip_group(const char **key, const char **value, synapt_dataset *ds,
                              uint64_t g, uint32_t i)
{
    FORWARD(synapt_reader_clip_group(key, value, r, k, i));
}

int synapt_dataset_stream(synapt_stream_info *out, synapt_dataset *ds, uint64_t g,
                          uint32_t stream)
{
    FORWARD(synapt_reader_stream(out, r, k, stream));
}

int synapt_dataset_find_stream(uint32_t *out, synapt_dataset *ds, uint64_t g, const char *name)
{
    FORWARD(synapt_reader_find_stream(out, r, k, name));
}

/* Member label ids -> dataset ids, in place (m pinned). */
static int map_values(synapt_dataset *ds, ds_member *m, uint64_t g, int32_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int32_t x;
        memcpy(&x, v + i, sizeof x); /* the caller's buffer need not be aligned */
        if (x < 0) continue;
        uint32_t d = (uint64_t)x < m->nlabels ? m->lmap[x] : DS_LABEL_UNKNOWN;
        if (d == DS_LABEL_UNKNOWN) {
            pthread_mutex_lock(&ds->lock);
            if ((uint64_t)x >= m->nlabels)
                sy_ds_set_msg(ds, "member %s, dataset clip %llu: frame label %ld is not one of the member's "
                              "%llu labels", m->path, (unsigned long long)g, (long)x,
                              (unsigned long long)m->nlabels);
            else
                sy_ds_set_msg(ds, "member %s, dataset clip %llu: frame label \"%.200s\" is not in the "
                              "dataset's labels", m->path, (unsigned long long)g,
                              synapt_reader_label_name(m->r, (uint32_t)x));
            pthread_mutex_unlock(&ds->lock);
            return (uint64_t)x >= m->nlabels ? SYNAPT_E_CORRUPT : SYNAPT_E_MEMBER_LABEL;
        }
        x = d == DS_LABEL_DROP ? -1 : (int32_t)d;
        memcpy(v + i, &x, sizeof x);
    }
    return 0;
}

int synapt_dataset_map_frame_labels(synapt_dataset *ds, uint64_t g, int32_t *values, size_t n)
{
    if (!ds || (!values && n)) return SYNAPT_E_INVALID_ARG;
    ds_member *m;
    uint64_t k;
    int rc = pin(ds, g, &m, &k);
    if (rc) return rc;
    rc = map_values(ds, m, g, values, n);
    unpin(ds, m);
    return rc;
}

int synapt_dataset_read_frames(void *out, size_t out_size, size_t *written, synapt_dataset *ds,
                               uint64_t g, uint32_t stream, uint64_t first, uint64_t n)
{
    if (!ds) return SYNAPT_E_INVALID_ARG;
    ds_member *m;
    uint64_t k;
    int rc = pin(ds, g, &m, &k);
    if (rc) return rc;
    size_t got = 0;
    rc = synapt_reader_read_frames(out, out_size, &got, m->r, k, stream, first, n);
    if (rc) {
        rc = read_fail(ds, m, g, rc);
    } else {
        /* frame_labels hold the member's label ids: give dataset ids */
        synapt_stream_info st;
        rc = synapt_reader_stream(&st, m->r, k, stream);
        if (rc) rc = read_fail(ds, m, g, rc);
        else if (st.kind == SYNAPT_KIND_FRAME_LABELS && st.dtype == SYNAPT_DTYPE_I32 && out)
            rc = map_values(ds, m, g, out, got / sizeof(int32_t));
    }
    if (written) *written = got;
    unpin(ds, m);
    return rc;
}

int synapt_dataset_read_pose(float *out, size_t out_count, synapt_dataset *ds, uint64_t g,
                             uint32_t stream, uint64_t first, uint64_t n, uint32_t persons)
{
    FORWARD(synapt_reader_read_pose(out, out_count, r, k, stream, first, n, persons));
}

int synapt_dataset_read_packets(synapt_dataset *ds, uint64_t g, uint32_t stream,
                                uint64_t first, uint64_t n, void *buf, size_t buf_size,
                                size_t *written)
{
    FORWARD(synapt_reader_read_packets(r, k, stream, first, n, buf, buf_size, written));
}

int synapt_dataset_frame_entries(synapt_frame_entry *out, synapt_dataset *ds, uint64_t g,
                                 uint32_t stream, uint64_t first, uint64_t n)
{
    FORWARD(synapt_reader_frame_entries(out, r, k, stream, first, n));
}

/* ---- full verification ---- */

static int cmp_idpos(const void *a, const void *b)
{
    const struct { char *id; uint64_t g; } *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->g < y->g ? -1 : x->g > y->g);
}

/* Verification failures of a dataset: the first is kept (code and
 * message on the handle); with on_error each one is passed on. */
typedef struct dsv {
    synapt_dataset *ds;
    const synapt_verify_options *o;
    int first, stop;
    char first_msg[sizeof ((synapt_dataset *)0)->msg];
} dsv;

static void dsv_fail(dsv *v, int code, const char *msg)
{
    if (!v->first) {
        v->first = code;
        sy_fmt(v->first_msg, sizeof v->first_msg, "%s", msg);
    }
    if (!v->o->on_error || v->o->on_error(v->o->error_user, code, msg)) v->stop = 1;
}

/* a member's own failures, already named by the member's path */
static int dsv_member_error(void *u, int code, const char *msg)
{
    dsv *v = u;
    dsv_fail(v, code, msg);
    return v->stop;
}

int synapt_dataset_verify2(synapt_dataset *ds, const synapt_verify_options *opts)
{
    synapt_verify_options def = SYNAPT_VERIFY_OPTIONS_INIT;
    if (!opts) opts = &def;
    if (!ds || opts->version != SYNAPT_VERIFY_OPTIONS_VERSION) return SYNAPT_E_INVALID_ARG;
    dsv v = { ds, opts, 0, 0, "" };
    for (uint32_t i = 0; i < ds->nm && !v.stop; i++) {
        ds_member *m = &ds->m[i];
        int rc;
        if (!m->n) {
            /* a member that contributes nothing is still checked (D10-D15) */
            pthread_mutex_lock(&ds->lock);
            rc = member_open(ds, m, 0);
            pthread_mutex_unlock(&ds->lock);
            if (rc) dsv_fail(&v, rc, ds->msg);
        } else {
            uint64_t k;
            if ((rc = pin(ds, m->base, &m, &k))) {
                dsv_fail(&v, rc, ds->msg);
            } else {
                synapt_verify_options mo = *opts;
                mo.progress = NULL;
                mo.on_error = opts->on_error ? dsv_member_error : NULL;
                mo.error_user = &v;
                rc = synapt_reader_verify2(m->r, &mo);
                if (rc && !opts->on_error) {
                    read_fail(ds, m, m->base, rc);
                    dsv_fail(&v, rc, ds->msg);
                }
                unpin(ds, m);
            }
        }
        if (!v.stop && opts->progress && opts->progress(opts->progress_user, i + 1, ds->nm)) break;
    }
    /* clip ids across members (D16) */
    struct idpos { char *id; uint64_t g; } *ids = NULL;
    uint64_t n = 0;
    if (!v.stop && !(ids = malloc((ds->nclips ? ds->nclips : 1) * sizeof *ids))) dsv_fail(&v, SYNAPT_E_NOMEM, "out of memory");
    for (uint64_t g = 0; ids && g < ds->nclips && !v.stop; g++) {
        synapt_clip_info ci;
        int rc = synapt_dataset_clip(&ci, ds, g);
        if (rc) { dsv_fail(&v, rc, ds->msg); continue; }
        if (!(ids[n].id = strdup(ci.id))) { dsv_fail(&v, SYNAPT_E_NOMEM, "out of memory"); break; }
        ids[n++].g = g;
    }
    if (ids && !v.stop) {
        qsort(ids, n, sizeof *ids, cmp_idpos);
        for (uint64_t i = 1; i < n && !v.stop; i++)
            if (!strcmp(ids[i - 1].id, ids[i].id)) {
                sy_ds_set_msg(ds, "clip id \"%.200s\" is used by dataset clips %llu and %llu",
                              ids[i].id, (unsigned long long)ids[i - 1].g,
                              (unsigned long long)ids[i].g);
                dsv_fail(&v, SYNAPT_E_EXISTS, ds->msg);
            }
    }
    for (uint64_t i = 0; ids && i < n; i++) free(ids[i].id);
    free(ids);
    if (v.first) sy_fmt(ds->msg, sizeof ds->msg, "%s", v.first_msg);
    return v.first;
}

int synapt_dataset_verify(synapt_dataset *ds, synapt_progress_fn progress, void *user)
{
    synapt_verify_options o = SYNAPT_VERIFY_OPTIONS_INIT;
    o.progress = progress;
    o.progress_user = user;
    return synapt_dataset_verify2(ds, &o);
}
