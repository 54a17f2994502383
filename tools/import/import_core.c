/* import_core.c - clip lists, bounded text helpers, sidecar detection and
 * the layout dispatcher shared by every importer (see import.h). */
#include "import.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void import_errf(char *err, size_t errsz, const char *file, uint64_t line,
                 const char *fmt, ...)
{
    if (!err || errsz == 0)
        return;
    int n;
    if (file && line)
        n = snprintf(err, errsz, "%s:%llu: ", file, (unsigned long long)line);
    else if (file)
        n = snprintf(err, errsz, "%s: ", file);
    else
        n = 0;
    if (n < 0)
        n = 0;
    if ((size_t)n >= errsz)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + n, errsz - (size_t)n, fmt, ap);
    va_end(ap);
    /* keep messages on one line whatever the input held */
    for (char *p = err; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}


/* ---------------------------------------------------------------- lists */

void import_sidecar_clear(import_sidecar *sc)
{
    if (!sc)
        return;
    free(sc->path);
    free(sc->inner);
    memset(sc, 0, sizeof *sc);
}

static void clip_free(import_clip *c)
{
    free(c->video);
    free(c->video_alt);
    free(c->frames);
    free(c->id);
    for (size_t i = 0; i < c->label_count; i++)
        free(c->labels[i]);
    free(c->labels);
    free(c->split);
    free(c->source);
    for (size_t i = 0; i < c->group_count; i++) {
        free(c->group_keys[i]);
        free(c->group_values[i]);
    }
    free(c->group_keys);
    free(c->group_values);
    import_sidecar_clear(&c->pose2d);
    import_sidecar_clear(&c->pose3d);
    import_sidecar_clear(&c->depth);
    import_sidecar_clear(&c->mask);
    import_sidecar_clear(&c->frame_labels);
    free(c->meta_json);
    free(c->ann_file);
}

void import_list_init(import_list *l)
{
    memset(l, 0, sizeof *l);
}

void import_list_free(import_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->count; i++)
        clip_free(&l->clips[i]);
    free(l->clips);
    for (size_t i = 0; i < l->class_count; i++)
        free(l->classes[i]);
    free(l->classes);
    for (size_t i = 0; i < l->skipped_count; i++) {
        free(l->skipped[i].file);
        free(l->skipped[i].id);
        free(l->skipped[i].reason);
    }
    free(l->skipped);
    for (size_t i = 0; i < l->warning_count; i++)
        free(l->warnings[i]);
    free(l->warnings);
    memset(l, 0, sizeof *l);
}

int import_list_warn(import_list *l, const char *fmt, ...)
{
    /* a parser warns once per condition, never per entry; the cap only
     * keeps a broken caller from growing the list without bound */
    if (l->warning_count >= 1000)
        return SYNAPT_E_LIMIT;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char **n = realloc(l->warnings, (l->warning_count + 1) * sizeof *n);
    if (!n)
        return SYNAPT_E_NOMEM;
    l->warnings = n;
    if (!(n[l->warning_count] = strdup(buf)))
        return SYNAPT_E_NOMEM;
    l->warning_count++;
    return 0;
}

static char *dupstr(const char *s)
{
    return s ? strdup(s) : NULL;
}

int import_clip_add_label(import_clip *c, const char *label)
{
    if (c->label_count >= IMPORT_MAX_LABELS)
        return SYNAPT_E_LIMIT;
    char **n = realloc(c->labels, (c->label_count + 1) * sizeof *n);
    if (!n)
        return SYNAPT_E_NOMEM;
    c->labels = n;
    if (!(n[c->label_count] = strdup(label)))
        return SYNAPT_E_NOMEM;
    c->label_count++;
    return 0;
}

int import_clip_add_group(import_clip *c, const char *key, const char *value)
{
    if (c->group_count >= 256)
        return SYNAPT_E_LIMIT;
    char **k = realloc(c->group_keys, (c->group_count + 1) * sizeof *k);
    if (!k)
        return SYNAPT_E_NOMEM;
    c->group_keys = k;
    char **v = realloc(c->group_values, (c->group_count + 1) * sizeof *v);
    if (!v)
        return SYNAPT_E_NOMEM;
    c->group_values = v;
    k[c->group_count] = strdup(key);
    v[c->group_count] = strdup(value);
    if (!k[c->group_count] || !v[c->group_count]) {
        free(k[c->group_count]);
        free(v[c->group_count]);
        return SYNAPT_E_NOMEM;
    }
    c->group_count++;
    return 0;
}

int import_list_append(import_clip **out, import_list *l, const char *id,
                       const char *file, uint64_t line)
{
    if (l->count >= IMPORT_MAX_CLIPS)
        return SYNAPT_E_LIMIT;
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        import_clip *n = realloc(l->clips, cap * sizeof *n);
        if (!n)
            return SYNAPT_E_NOMEM;
        l->clips = n;
        l->cap = cap;
    }
    import_clip *c = &l->clips[l->count];
    memset(c, 0, sizeof *c);
    c->start_frame = c->end_frame = -1;
    c->id = dupstr(id);
    c->ann_file = dupstr(file);
    c->ann_line = line;
    if ((id && !c->id) || (file && !c->ann_file)) {
        clip_free(c);
        return SYNAPT_E_NOMEM;
    }
    l->count++;
    *out = c;
    return 0;
}

void import_list_pop(import_list *l)
{
    if (l->count > 0)
        clip_free(&l->clips[--l->count]);
}

int import_list_add_class(import_list *l, const char *name)
{
    if (l->class_count >= (1u << 20))
        return SYNAPT_E_LIMIT;
    char **n = realloc(l->classes, (l->class_count + 1) * sizeof *n);
    if (!n)
        return SYNAPT_E_NOMEM;
    l->classes = n;
    if (!(n[l->class_count] = strdup(name)))
        return SYNAPT_E_NOMEM;
    l->class_count++;
    return 0;
}

int import_list_skip(import_list *l, const char *file, uint64_t line,
                     const char *id, const char *reason)
{
    if (l->skipped_count == l->skipped_cap) {
        size_t cap = l->skipped_cap ? l->skipped_cap * 2 : 16;
        import_skip *n = realloc(l->skipped, cap * sizeof *n);
        if (!n)
            return SYNAPT_E_NOMEM;
        l->skipped = n;
        l->skipped_cap = cap;
    }
    import_skip *s = &l->skipped[l->skipped_count];
    s->file = dupstr(file);
    s->line = line;
    s->id = dupstr(id);
    s->reason = dupstr(reason);
    if (!s->reason) {
        free(s->file);
        free(s->id);
        return SYNAPT_E_NOMEM;
    }
    l->skipped_count++;
    return 0;
}

/* ---------------------------------------------------------------- text */

static const char *not_regular(mode_t m)
{
    return S_ISDIR(m) ? "is a directory, not a file" : S_ISFIFO(m) ? "is a FIFO, not a regular file"
         : S_ISSOCK(m) ? "is a socket, not a regular file" : "is a device, not a regular file";
}

int import_check_regular(const char *path, char *err, size_t errsz)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        import_errf(err, errsz, path, 0, "cannot open: %s", strerror(errno));
        return SYNAPT_E_IO;
    }
    if (!S_ISREG(st.st_mode)) {
        import_errf(err, errsz, path, 0, "%s", not_regular(st.st_mode));
        return SYNAPT_E_INPUT;
    }
    return 0;
}

FILE *import_fopen_regular(const char *path, int *rc, char *err, size_t errsz)
{
    /* O_NONBLOCK: open() of a FIFO returns at once instead of waiting for
     * a writer; fstat then refuses it. Regular files ignore the flag for
     * reads, but it is cleared anyway so stdio sees a normal descriptor. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        import_errf(err, errsz, path, 0, "cannot open: %s", strerror(errno));
        *rc = SYNAPT_E_IO;
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        import_errf(err, errsz, path, 0, "%s", fstat(fd, &st) != 0 ? "cannot stat" : not_regular(st.st_mode));
        close(fd);
        *rc = SYNAPT_E_INPUT;
        return NULL;
    }
    int fl = fcntl(fd, F_GETFL);
    FILE *f = fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0 ? NULL : fdopen(fd, "rb");
    if (!f) {
        import_errf(err, errsz, path, 0, "cannot open: %s", strerror(errno));
        close(fd);
        *rc = SYNAPT_E_IO;
        return NULL;
    }
    *rc = 0;
    return f;
}

int import_read_file(char **out, size_t *len, const char *path, size_t cap,
                     char *err, size_t errsz)
{
    *out = NULL;
    if (len)
        *len = 0;
    if (cap == 0)
        cap = IMPORT_MAX_FILE_BYTES;
    int orc;
    FILE *f = import_fopen_regular(path, &orc, err, errsz);
    if (!f)
        return orc;
    size_t size = 0, alloc = 65536;
    char *buf = malloc(alloc + 1);
    int rc = 0;
    if (!buf) {
        rc = SYNAPT_E_NOMEM;
        goto done;
    }
    for (;;) {
        if (size == alloc) {
            if (alloc >= cap) {
                /* one byte more than the cap tells "too large" from "exactly cap" */
                int c = fgetc(f);
                if (c == EOF)
                    break;
                import_errf(err, errsz, path, 0, "file larger than the %zu-byte limit", cap);
                rc = SYNAPT_E_LIMIT;
                goto done;
            }
            size_t na = alloc * 2 > cap ? cap : alloc * 2;
            char *nb = realloc(buf, na + 1);
            if (!nb) {
                rc = SYNAPT_E_NOMEM;
                goto done;
            }
            buf = nb;
            alloc = na;
        }
        size_t got = fread(buf + size, 1, alloc - size, f);
        size += got;
        if (got == 0) {
            if (ferror(f)) {
                import_errf(err, errsz, path, 0, "read failed: %s", strerror(errno));
                rc = SYNAPT_E_IO;
                goto done;
            }
            break;
        }
    }
    buf[size] = 0;
    *out = buf;
    buf = NULL;
    if (len)
        *len = size;
done:
    if (rc == SYNAPT_E_NOMEM)
        import_errf(err, errsz, path, 0, "out of memory reading the file");
    free(buf);
    fclose(f);
    return rc;
}

int import_lines_next(import_lines *it, char *line)
{
    if (it->pos >= it->len)
        return 0;
    const char *s = it->buf + it->pos;
    size_t rem = it->len - it->pos;
    const char *nl = memchr(s, '\n', rem);
    size_t n = nl ? (size_t)(nl - s) : rem;
    it->pos += nl ? n + 1 : n;
    it->lineno++;
    if (n > 0 && s[n - 1] == '\r')
        n--;
    if (n > IMPORT_MAX_LINE)
        return SYNAPT_E_INPUT;
    if (memchr(s, 0, n))
        return SYNAPT_E_INPUT;
    memcpy(line, s, n);
    line[n] = 0;
    return 1;
}

int import_csv_split(char *line, char sep, char **fields, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n >= max)
            return SYNAPT_E_LIMIT;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '"') {
            /* quoted field: "" is a literal quote; compact in place */
            char *w = ++p, *start = p;
            for (;;) {
                if (*p == 0)
                    return SYNAPT_E_INPUT;
                if (*p == '"') {
                    if (p[1] == '"') {
                        *w++ = '"';
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                *w++ = *p++;
            }
            while (*p == ' ' || *p == '\t')
                p++;
            if (*p != 0 && *p != sep)
                return SYNAPT_E_INPUT;
            char end = *p;
            *w = 0;
            fields[n++] = start;
            if (end == 0)
                return n;
            p++;
        } else {
            char *start = p;
            while (*p && *p != sep)
                p++;
            char end = *p;
            char *e = p;
            while (e > start && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
            *e = 0;
            fields[n++] = start;
            if (end == 0)
                return n;
            p++;
        }
    }
}

int import_parse_int(int64_t *out, const char *s, int64_t lo, int64_t hi)
{
    while (*s == ' ' || *s == '\t')
        s++;
    int neg = 0;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    if (!isdigit((unsigned char)*s))
        return SYNAPT_E_INPUT;
    uint64_t v = 0;
    while (isdigit((unsigned char)*s)) {
        if (v > (UINT64_MAX - 9) / 10)
            return SYNAPT_E_INPUT;
        v = v * 10 + (uint64_t)(*s++ - '0');
        if (v > (uint64_t)INT64_MAX)
            return SYNAPT_E_INPUT;
    }
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s)
        return SYNAPT_E_INPUT;
    int64_t r = neg ? -(int64_t)v : (int64_t)v;
    if (r < lo || r > hi)
        return SYNAPT_E_INPUT;
    *out = r;
    return 0;
}

int import_path_escapes(const char *rel)
{
    if (rel[0] == '/')
        return 1;
    for (const char *p = rel; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return 1;
        p += n;
        p += *p == '/';
    }
    return 0;
}

char *import_path_join(const char *dir, const char *rel)
{
    if (!rel)
        return NULL;
    if (rel[0] == '/' || !dir || !*dir || strcmp(dir, ".") == 0)
        return strdup(rel);
    size_t a = strlen(dir), b = strlen(rel);
    char *p = malloc(a + b + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, a);
    size_t k = a;
    if (a > 0 && dir[a - 1] != '/')
        p[k++] = '/';
    memcpy(p + k, rel, b + 1);
    return p;
}

char *import_path_dir(const char *path)
{
    const char *s = strrchr(path, '/');
    if (!s)
        return strdup(".");
    if (s == path)
        return strdup("/");
    return strndup(path, (size_t)(s - path));
}

/* ---------------------------------------------------------------- sidecars */

const char *import_sidecar_kind_name(int kind)
{
    switch (kind) {
    case IMPORT_SC_NONE: return "none";
    case IMPORT_SC_NTU_SKELETON: return "ntu-skeleton";
    case IMPORT_SC_OPENPOSE_DIR: return "openpose";
    case IMPORT_SC_KINETICS_SKEL: return "kinetics-skeleton";
    case IMPORT_SC_NPY: return "npy";
    case IMPORT_SC_NPZ: return "npz";
    case IMPORT_SC_HDF5: return "hdf5";
    case IMPORT_SC_MAT: return "mat";
    case IMPORT_SC_PNG_DIR: return "png-folder";
    case IMPORT_SC_IMAGE_DIR: return "image-folder";
    case IMPORT_SC_JSON_ARRAY: return "json-array";
    default: return "?";
    }
}

static int ends_with_ci(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Classify a folder by the first regular entries it holds. */
static int classify_dir(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return IMPORT_SC_NONE;
    int kind = IMPORT_SC_NONE, seen = 0;
    struct dirent *e;
    while ((e = readdir(d)) && seen < 4096) {
        if (e->d_name[0] == '.')
            continue;
        seen++;
        if (ends_with_ci(e->d_name, "_keypoints.json")) {
            kind = IMPORT_SC_OPENPOSE_DIR;
            break;
        }
        if (ends_with_ci(e->d_name, ".png"))
            kind = IMPORT_SC_PNG_DIR;
        else if ((ends_with_ci(e->d_name, ".jpg") || ends_with_ci(e->d_name, ".jpeg"))
                 && kind == IMPORT_SC_NONE)
            kind = IMPORT_SC_IMAGE_DIR;
    }
    closedir(d);
    return kind;
}

int import_file_head(const char *path, char *buf, size_t n)
{
    int rc;
    FILE *f = import_fopen_regular(path, &rc, NULL, 0);
    if (!f)
        return -1;
    size_t got = fread(buf, 1, n - 1, f);
    fclose(f);
    buf[got] = 0;
    return (int)got;
}

int import_sidecar_detect(import_sidecar *sc, const char *spec, char *err, size_t errsz)
{
    import_sidecar_clear(sc);
    if (!spec || !*spec) {
        import_errf(err, errsz, NULL, 0, "empty sidecar path");
        return SYNAPT_E_INPUT;
    }
    /* "file.h5:/path/in/file" (also .hdf5/.he5); the colon after the
     * extension is what tells it from a plain file name */
    const char *colon = NULL;
    for (const char *p = spec; (p = strchr(p, ':')); p++) {
        size_t k = (size_t)(p - spec);
        if ((k >= 3 && strncasecmp(p - 3, ".h5", 3) == 0) ||
            (k >= 5 && strncasecmp(p - 5, ".hdf5", 5) == 0) ||
            (k >= 4 && strncasecmp(p - 4, ".he5", 4) == 0) ||
            (k >= 4 && strncasecmp(p - 4, ".npz", 4) == 0) ||
            (k >= 4 && strncasecmp(p - 4, ".mat", 4) == 0)) {
            colon = p;
            break;
        }
    }
    if (colon) {
        sc->path = strndup(spec, (size_t)(colon - spec));
        sc->inner = strdup(colon + 1);
    } else {
        sc->path = strdup(spec);
    }
    if (!sc->path || (colon && !sc->inner)) {
        import_sidecar_clear(sc);
        return SYNAPT_E_NOMEM;
    }
    const char *p = sc->path;
    if (ends_with_ci(p, ".skeleton"))
        sc->kind = IMPORT_SC_NTU_SKELETON;
    else if (ends_with_ci(p, ".npy"))
        sc->kind = IMPORT_SC_NPY;
    else if (ends_with_ci(p, ".npz"))
        sc->kind = IMPORT_SC_NPZ;
    else if (ends_with_ci(p, ".h5") || ends_with_ci(p, ".hdf5") || ends_with_ci(p, ".he5"))
        sc->kind = IMPORT_SC_HDF5;
    else if (ends_with_ci(p, ".mat"))
        sc->kind = IMPORT_SC_MAT;
    else if (ends_with_ci(p, ".json")) {
        /* by content: st-gcn files hold "data", OpenPose frames "people" */
        char head[4096];
        int n = import_file_head(p, head, sizeof head);
        if (n > 0 && strstr(head, "\"people\""))
            sc->kind = IMPORT_SC_OPENPOSE_DIR;
        else if (n > 0 && strstr(head, "\"data\""))
            sc->kind = IMPORT_SC_KINETICS_SKEL;
        else if (n < 0)
            sc->kind = IMPORT_SC_KINETICS_SKEL; /* missing: the reader names the file */
    }
    else if (is_dir(p))
        sc->kind = classify_dir(p);
    else if (ends_with_ci(p, ".png") || ends_with_ci(p, ".jpg") || ends_with_ci(p, ".jpeg"))
        /* a glob of frames, or one image file: a clip of one frame */
        sc->kind = ends_with_ci(p, ".png") ? IMPORT_SC_PNG_DIR : IMPORT_SC_IMAGE_DIR;
    if (sc->kind == IMPORT_SC_HDF5 && (!sc->inner || !*sc->inner)) {
        import_errf(err, errsz, sc->path, 0,
                    "HDF5 sidecar needs the dataset path: write file.h5:/path/to/dataset");
        import_sidecar_clear(sc);
        return SYNAPT_E_INPUT;
    }
    if (sc->kind == IMPORT_SC_NONE) {
        import_errf(err, errsz, spec, 0,
                    "cannot tell what this sidecar is (expected .skeleton, .npy, .npz, .mat, "
                    ".json, file.h5:/dataset, or a folder of *_keypoints.json, PNG or JPEG frames)");
        import_sidecar_clear(sc);
        return SYNAPT_E_INPUT;
    }
    return 0;
}

/* ---------------------------------------------------------------- resolve */

static int path_kind(const char *p) /* 0 none, 1 file, 2 dir */
{
    struct stat st;
    if (stat(p, &st) != 0)
        return 0;
    return S_ISDIR(st.st_mode) ? 2 : 1;
}

static const char *const video_exts[] = { ".mp4", ".avi", ".webm", ".mkv", ".mov", ".m4v", NULL };

static int try_base(import_clip *c, const char *base)
{
    int k = path_kind(base);
    if (k == 1 || k == 2) {
        char *d = strdup(base);
        if (!d)
            return SYNAPT_E_NOMEM;
        if (k == 1) {
            free(c->video);
            c->video = d;
        } else {
            free(c->video);
            c->video = NULL;
            free(c->frames);
            c->frames = d;
        }
        return 1;
    }
    size_t n = strlen(base);
    char *buf = malloc(n + 8);
    if (!buf)
        return SYNAPT_E_NOMEM;
    for (int i = 0; video_exts[i]; i++) {
        memcpy(buf, base, n);
        strcpy(buf + n, video_exts[i]);
        if (path_kind(buf) == 1) {
            free(c->video);
            c->video = buf;
            return 1;
        }
    }
    free(buf);
    return 0;
}

int import_clip_resolve(import_clip *c, char *err, size_t errsz)
{
    /* pack asks twice (where to keep the clip, then to pack it): look once */
    if (c->resolved || (c->frames && !c->video))
        return 0;
    if (!c->video) {
        import_errf(err, errsz, c->ann_file, c->ann_line, "clip '%s' names no video",
                    c->id ? c->id : "?");
        return SYNAPT_E_INPUT;
    }
    char *first = strdup(c->video);
    if (!first)
        return SYNAPT_E_NOMEM;
    int r = try_base(c, first);
    if (r == 0 && c->video_alt) {
        char *alt = strdup(c->video_alt);
        r = alt ? try_base(c, alt) : SYNAPT_E_NOMEM;
        free(alt);
    }
    if (r == 0) {
        import_errf(err, errsz, c->ann_file, c->ann_line,
                    "clip '%s': no video at %s (also tried .mp4/.avi/.webm/.mkv/.mov%s%s)",
                    c->id ? c->id : "?", first, c->video_alt ? " and " : "",
                    c->video_alt ? c->video_alt : "");
        r = SYNAPT_E_NOT_FOUND;
    }
    free(first);
    if (r > 0)
        c->resolved = 1;
    return r < 0 ? r : 0;
}

int import_bad_entry(import_list *l, const import_options *o, char *err, size_t errsz,
                     const char *file, uint64_t line, const char *id, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    if (o && o->keep_going) {
        int rc = import_list_skip(l, file, line, id, msg);
        if (rc)
            import_errf(err, errsz, file, line, "out of memory");
        return rc;
    }
    import_errf(err, errsz, file, line, "%s", msg);
    return SYNAPT_E_INPUT;
}

void import_pose_free(import_pose *p)
{
    if (!p)
        return;
    free(p->present);
    free(p->data);
    memset(p, 0, sizeof *p);
}
