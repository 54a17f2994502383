/* dataset_manifest.c - parse and check a synapt-dataset/1 manifest
 * (spec/dataset.md sections 2 to 9, checks D2 to D9), and the dataset's
 * label vocabulary (a name table with a hash index).
 *
 * Every byte is untrusted: the text was size-checked before it was read,
 * scan_text bounds its nesting depth and refuses what cJSON would let
 * through, and each count is checked against the limits before anything is
 * allocated from it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <xxhash.h>
#include "internal.h"
#include "dataset_internal.h"

#define MAX_INT53 9007199254740991.0

void sy_ds_set_msg(synapt_dataset *ds, const char *fmt, ...)
{
    char tmp[900];
    va_list ap;
    va_start(ap, fmt);
    sy_vfmt(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    sy_fmt(ds->msg, sizeof ds->msg, "%s: %s", ds->path ? ds->path : "?", tmp);
}

/* ---- the vocabulary ---- */

static uint64_t name_hash(const char *s) { return XXH3_64bits(s, strlen(s)); }

int sy_ds_label_find(const synapt_dataset *ds, const char *name, uint32_t *id)
{
    if (!ds->lhash_cap) return SYNAPT_E_NOT_FOUND;
    uint64_t mask = ds->lhash_cap - 1;
    for (uint64_t i = name_hash(name) & mask;; i = (i + 1) & mask) {
        uint32_t v = ds->lhash[i];
        if (!v) return SYNAPT_E_NOT_FOUND;
        if (!strcmp(ds->labels[v - 1], name)) {
            if (id) *id = v - 1;
            return 0;
        }
    }
}

static int rehash(synapt_dataset *ds, uint64_t cap)
{
    uint32_t *h = calloc(cap, sizeof *h);
    if (!h) return SYNAPT_E_NOMEM;
    for (uint64_t k = 0; k < ds->nlabels; k++) {
        uint64_t i = name_hash(ds->labels[k]) & (cap - 1);
        while (h[i]) i = (i + 1) & (cap - 1);
        h[i] = (uint32_t)(k + 1);
    }
    free(ds->lhash);
    ds->lhash = h;
    ds->lhash_cap = cap;
    return 0;
}

/* Add a name (or find it); *id gets its dataset id. */
int sy_ds_label_add(synapt_dataset *ds, const char *name, uint32_t *id)
{
    if (sy_ds_label_find(ds, name, id) == 0) return 0;
    if (ds->nlabels >= ds->opts.max_labels) {
        sy_ds_set_msg(ds, "more than %u labels", (unsigned)ds->opts.max_labels);
        return SYNAPT_E_LIMIT;
    }
    if (ds->nlabels == ds->labels_cap) {
        uint64_t cap = ds->labels_cap ? ds->labels_cap * 2 : 16;
        char **l = realloc(ds->labels, cap * sizeof *l);
        if (!l) return SYNAPT_E_NOMEM;
        ds->labels = l;
        ds->labels_cap = cap;
    }
    char *copy = strdup(name);
    if (!copy) return SYNAPT_E_NOMEM;
    ds->labels[ds->nlabels++] = copy;
    /* load factor at most 1/2 keeps probes short */
    if (ds->nlabels * 2 > ds->lhash_cap) {
        int rc = rehash(ds, ds->lhash_cap ? ds->lhash_cap * 2 : 64);
        if (rc) return rc;
    } else {
        uint64_t mask = ds->lhash_cap - 1, i = name_hash(copy) & mask;
        while (ds->lhash[i]) i = (i + 1) & mask;
        ds->lhash[i] = (uint32_t)ds->nlabels;
    }
    if (id) *id = (uint32_t)(ds->nlabels - 1);
    return 0;
}

/* ---- JSON checks ---- */

/* Section 2 on the raw text, where cJSON is lenient or silent: it turns the
 * escape \u0000 into an early end of string and would read past a raw NUL,
 * skips a byte-order mark, takes raw control characters inside strings and
 * numbers with leading zeros ("007"), and does not look at UTF-8. Nesting
 * is bounded here too (MAX_DEPTH, far above the 4 levels version 1 uses),
 * so no later walk recurses deeply. Returns the reason and sets *at to the
 * byte offset, or NULL when the text passes. */
#define MAX_DEPTH 32

static size_t utf8_len(const unsigned char *t, size_t left)
{
    unsigned c = t[0];
    size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (!n || n > left || (n == 2 && c < 0xC2) || (n == 4 && c > 0xF4)) return 0;
    for (size_t k = 1; k < n; k++)
        if ((t[k] & 0xC0) != 0x80) return 0;
    /* overlong 3/4-byte forms, UTF-16 surrogates, code points past U+10FFFF */
    if (n == 3 && ((c == 0xE0 && t[1] < 0xA0) || (c == 0xED && t[1] >= 0xA0))) return 0;
    if (n == 4 && ((c == 0xF0 && t[1] < 0x90) || (c == 0xF4 && t[1] >= 0x90))) return 0;
    return n;
}

static const char *scan_text(const char *text, size_t len, size_t *at)
{
    const unsigned char *t = (const unsigned char *)text;
    int depth = 0, in_str = 0;
    if (len >= 3 && t[0] == 0xEF && t[1] == 0xBB && t[2] == 0xBF) {
        *at = 0;
        return "starts with a byte-order mark";
    }
    for (size_t i = 0; i < len;) {
        unsigned c = t[i];
        *at = i;
        if (!c) return "contains a NUL character (raw or \\u0000)";
        if (c >= 0x80) {
            size_t n = utf8_len(t + i, len - i);
            if (!n) return "is not valid UTF-8";
            i += n;
            continue;
        }
        if (in_str) {
            if (c < 0x20) return "has a control character inside a string";
            if (c == '"') in_str = 0;
            else if (c == '\\' && i + 1 < len) {
                if (t[i + 1] == 'u' && i + 5 < len && !memcmp(t + i + 2, "0000", 4))
                    return "contains a NUL character (raw or \\u0000)";
                i++;
            }
            i++;
            continue;
        }
        if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            if (++depth > MAX_DEPTH) return "nests deeper than 32 levels";
        } else if (c == '}' || c == ']') {
            depth--;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            size_t d0 = i + (c == '-');
            if (d0 + 1 < len && t[d0] == '0' && t[d0 + 1] >= '0' && t[d0 + 1] <= '9')
                return "has a number with a leading zero (not JSON)";
            for (i = d0; i < len && ((t[i] >= '0' && t[i] <= '9') || t[i] == '.' || t[i] == 'e' ||
                                     t[i] == 'E' || t[i] == '+' || t[i] == '-'); i++)
                ;
            continue;
        }
        i++;
    }
    return NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A key used twice in any object, at any depth. Depth is bounded by
 * scan_text, so the recursion is too. */
static const char *dup_key(const cJSON *o)
{
    if (!o) return NULL;
    if (cJSON_IsObject(o)) {
        size_t n = 0;
        for (const cJSON *c = o->child; c; c = c->next) n++;
        if (n > 1) {
            const char **k = malloc(n * sizeof *k);
            if (!k) return "(out of memory)";
            size_t i = 0;
            for (const cJSON *c = o->child; c; c = c->next) k[i++] = c->string;
            qsort(k, n, sizeof *k, cmp_str);
            const char *d = NULL;
            for (i = 1; i < n && !d; i++)
                if (!strcmp(k[i - 1], k[i])) d = k[i];
            free(k);
            if (d) return d;
        }
    }
    if (cJSON_IsObject(o) || cJSON_IsArray(o))
        for (const cJSON *c = o->child; c; c = c->next) {
            const char *d = dup_key(c);
            if (d) return d;
        }
    return NULL;
}

static int get_int(uint64_t *out, const cJSON *v)
{
    if (!cJSON_IsNumber(v)) return 0;
    double d = v->valuedouble;
    if (!(d >= 0 && d <= MAX_INT53) || d != (double)(uint64_t)d) return 0;
    *out = (uint64_t)d;
    return 1;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* Section 5: the lexical path rules. Returns a reason, NULL when valid. */
static const char *bad_path(const char *p)
{
    size_t len = strlen(p);
    if (!len) return "is empty";
    if (len > 4096) return "is longer than 4096 bytes";
    if (p[0] == '/') return "is absolute";
    const char *c = p;
    for (;;) {
        const char *e = strchr(c, '/');
        size_t n = e ? (size_t)(e - c) : strlen(c);
        if (!n) return "has an empty component";
        if (n > 255) return "has a component longer than 255 bytes";
        if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
            return "has a '.' or '..' component";
        if (!e) break;
        c = e + 1;
    }
    for (const unsigned char *u = (const unsigned char *)p; *u; u++)
        if (*u == '\\' || *u == ':' || *u < 0x20 || *u == 0x7f)
            return "contains '\\', ':' or a control character";
    return NULL;
}

static int parse_member(synapt_dataset *ds, ds_member *m, const cJSON *e, uint32_t idx,
                        int have_labels)
{
#define BAD(...) do { sy_ds_set_msg(ds, __VA_ARGS__); return SYNAPT_E_MANIFEST; } while (0)
    if (!cJSON_IsObject(e)) BAD("members[%u] is not an object", idx);
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "path");
    if (!cJSON_IsString(p)) BAD("members[%u]: \"path\" missing or not a string", idx);
    const char *why = bad_path(p->valuestring);
    if (why) BAD("members[%u]: path \"%.200s\" %s", idx, p->valuestring, why);
    m->path = strdup(p->valuestring);
    if (!m->path) return SYNAPT_E_NOMEM;
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(e, "uuid");
    if (!cJSON_IsString(u) || strlen(u->valuestring) != 32)
        BAD("member %s: \"uuid\" is not 32 lowercase hex digits", m->path);
    for (int i = 0; i < 16; i++) {
        int a = hexval(u->valuestring[2 * i]), b = hexval(u->valuestring[2 * i + 1]);
        if (a < 0 || b < 0) BAD("member %s: \"uuid\" is not 32 lowercase hex digits", m->path);
        m->uuid[i] = (uint8_t)(a << 4 | b);
    }
    if (!get_int(&m->clips, cJSON_GetObjectItemCaseSensitive(e, "clips")) ||
        m->clips > UINT32_MAX)
        BAD("member %s: \"clips\" missing or not an integer from 0 to 2^32-1", m->path);
    if (!get_int(&m->size, cJSON_GetObjectItemCaseSensitive(e, "size")) || m->size < 8)
        BAD("member %s: \"size\" missing or not an integer of at least 8", m->path);
    m->n = m->clips;
    const cJSON *sel = cJSON_GetObjectItemCaseSensitive(e, "select");
    if (sel) {
        if (!cJSON_IsArray(sel)) BAD("member %s: \"select\" is not an array", m->path);
        /* the array is already parsed, so its length is bounded by the text */
        uint64_t n = (uint64_t)cJSON_GetArraySize(sel);
        if (n > m->clips) BAD("member %s: \"select\" has more entries than clips", m->path);
        m->select = malloc((n ? n : 1) * sizeof *m->select);
        if (!m->select) return SYNAPT_E_NOMEM;
        uint64_t i = 0;
        for (const cJSON *c = sel->child; c; c = c->next, i++) {
            uint64_t v;
            if (!get_int(&v, c)) BAD("member %s: select[%llu] is not an integer", m->path,
                                     (unsigned long long)i);
            if (v >= m->clips) BAD("member %s: select[%llu] = %llu is not below clips (%llu)",
                                   m->path, (unsigned long long)i, (unsigned long long)v,
                                   (unsigned long long)m->clips);
            if (i && v <= m->select[i - 1])
                BAD("member %s: select is not strictly increasing at [%llu]", m->path,
                    (unsigned long long)i);
            m->select[i] = v;
        }
        m->n = n;
    }
    const cJSON *lm = cJSON_GetObjectItemCaseSensitive(e, "label_map");
    if (lm) {
        if (!cJSON_IsObject(lm)) BAD("member %s: \"label_map\" is not an object", m->path);
        size_t n = (size_t)cJSON_GetArraySize(lm);
        if (n > ds->opts.max_labels) {
            sy_ds_set_msg(ds, "member %s: label_map has more than %u entries", m->path,
                          (unsigned)ds->opts.max_labels);
            return SYNAPT_E_LIMIT;
        }
        m->map_keys = calloc(n ? n : 1, sizeof *m->map_keys);
        m->map_vals = calloc(n ? n : 1, sizeof *m->map_vals);
        if (!m->map_keys || !m->map_vals) return SYNAPT_E_NOMEM;
        /* keys and values are sorted together: pair them in one array */
        struct kv { const char *k; const char *v; } *kv = malloc((n ? n : 1) * sizeof *kv);
        if (!kv) return SYNAPT_E_NOMEM;
        size_t i = 0;
        for (const cJSON *c = lm->child; c; c = c->next, i++) {
            kv[i].k = c->string;
            if (cJSON_IsNull(c)) kv[i].v = NULL;
            else if (cJSON_IsString(c)) {
                kv[i].v = c->valuestring;
                if (have_labels && sy_ds_label_find(ds, c->valuestring, NULL)) {
                    free(kv);
                    BAD("member %s: label_map value \"%.200s\" is not in \"labels\"",
                        m->path, c->valuestring);
                }
                if (!*c->valuestring) {
                    free(kv);
                    BAD("member %s: label_map value for \"%.200s\" is empty", m->path, c->string);
                }
            } else {
                free(kv);
                BAD("member %s: label_map value for \"%.200s\" is not a string or null",
                    m->path, c->string);
            }
        }
        qsort(kv, n, sizeof *kv, cmp_str);   /* k is the first field */
        for (i = 0; i < n; i++) {
            m->map_keys[i] = strdup(kv[i].k);
            m->map_vals[i] = kv[i].v ? strdup(kv[i].v) : NULL;
            m->nmap = i + 1;
            if (!m->map_keys[i] || (kv[i].v && !m->map_vals[i])) { free(kv); return SYNAPT_E_NOMEM; }
        }
        free(kv);
    }
    return 0;
#undef BAD
}

static int cmp_member_path(const void *a, const void *b)
{
    return strcmp((*(ds_member *const *)a)->path, (*(ds_member *const *)b)->path);
}
static int cmp_member_uuid(const void *a, const void *b)
{
    return memcmp((*(ds_member *const *)a)->uuid, (*(ds_member *const *)b)->uuid, 16);
}

static int check_unique(synapt_dataset *ds)
{
    if (ds->nm < 2) return 0;
    ds_member **p = malloc(ds->nm * sizeof *p);
    if (!p) return SYNAPT_E_NOMEM;
    for (uint32_t i = 0; i < ds->nm; i++) p[i] = &ds->m[i];
    int rc = 0;
    qsort(p, ds->nm, sizeof *p, cmp_member_path);
    for (uint32_t i = 1; i < ds->nm && !rc; i++)
        if (!cmp_member_path(&p[i - 1], &p[i])) {
            sy_ds_set_msg(ds, "member path %s is listed twice", p[i]->path);
            rc = SYNAPT_E_MANIFEST;
        }
    qsort(p, ds->nm, sizeof *p, cmp_member_uuid);
    for (uint32_t i = 1; i < ds->nm && !rc; i++)
        if (!cmp_member_uuid(&p[i - 1], &p[i])) {
            sy_ds_set_msg(ds, "members %s and %s have the same uuid", p[i - 1]->path, p[i]->path);
            rc = SYNAPT_E_MANIFEST;
        }
    free(p);
    return rc;
}

int sy_ds_parse_manifest(synapt_dataset *ds, const char *text, size_t len)
{
    size_t at = 0;
    const char *why = scan_text(text, len, &at);
    if (why) {
        /* only text that claims to be a manifest is a broken manifest */
        int looks = memmem(text, len < 256 ? len : 256, "synapt-dataset/", 15) != NULL;
        if (!looks) {
            sy_ds_set_msg(ds, "neither a .synapt file nor a dataset manifest");
            return SYNAPT_E_NOT_SYNAPT;
        }
        sy_ds_set_msg(ds, "manifest %s (byte %zu)", why, at);
        return SYNAPT_E_MANIFEST;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    int rc = 0;
    if (!root) {
        /* not JSON at all is "not a dataset"; cJSON cannot tell a broken
         * manifest from other bytes, so the schema prefix decides */
        int looks = len >= 9 && memmem(text, len < 256 ? len : 256, "synapt-dataset/", 15);
        size_t off = end ? (size_t)(end - text) : 0;
        sy_ds_set_msg(ds, looks ? "manifest is not valid JSON (near byte %zu)"
                                : "neither a .synapt file nor a dataset manifest", off);
        return looks ? SYNAPT_E_MANIFEST : SYNAPT_E_NOT_SYNAPT;
    }
    /* trailing bytes other than whitespace: not one JSON value */
    for (const char *t = end; t && t < text + len; t++)
        if (*t != ' ' && *t != '\t' && *t != '\n' && *t != '\r') {
            sy_ds_set_msg(ds, "manifest has bytes after its JSON object (byte %zu)",
                          (size_t)(t - text));
            rc = SYNAPT_E_MANIFEST;
            goto out;
        }
    const cJSON *schema = cJSON_GetObjectItemCaseSensitive(root, "schema");
    if (!cJSON_IsObject(root) || !cJSON_IsString(schema) ||
        strncmp(schema->valuestring, "synapt-dataset/", 15)) {
        sy_ds_set_msg(ds, "neither a .synapt file nor a dataset manifest (no \"schema\": \"synapt-dataset/...\")");
        rc = SYNAPT_E_NOT_SYNAPT;
        goto out;
    }
    if (strcmp(schema->valuestring + 15, "1")) {
        sy_ds_set_msg(ds, "manifest schema \"%.100s\" is not synapt-dataset/1", schema->valuestring);
        rc = SYNAPT_E_VERSION;
        goto out;
    }
    const char *dk = dup_key(root);
    if (dk) {
        sy_ds_set_msg(ds, "manifest has the key \"%.200s\" twice in one object", dk);
        rc = SYNAPT_E_MANIFEST;
        goto out;
    }
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(root, "requires");
    if (req) {
        if (!cJSON_IsArray(req)) {
            sy_ds_set_msg(ds, "\"requires\" is not an array");
            rc = SYNAPT_E_MANIFEST;
            goto out;
        }
        for (const cJSON *c = req->child; c; c = c->next) {
            if (!cJSON_IsString(c)) {
                sy_ds_set_msg(ds, "\"requires\" holds a non-string");
                rc = SYNAPT_E_MANIFEST;
                goto out;
            }
            /* version 1 defines no extension: any name is unknown */
            sy_ds_set_msg(ds, "manifest requires \"%.200s\", which this reader does not implement",
                          c->valuestring);
            rc = SYNAPT_E_FEATURE;
            goto out;
        }
    }
    static const char *strs[] = { "name", "writer" };
    for (int i = 0; i < 2; i++) {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(root, strs[i]);
        if (s && !cJSON_IsString(s)) {
            sy_ds_set_msg(ds, "\"%s\" is not a string", strs[i]);
            rc = SYNAPT_E_MANIFEST;
            goto out;
        }
    }
    const cJSON *labels = cJSON_GetObjectItemCaseSensitive(root, "labels");
    if (labels) {
        ds->have_labels = 1;
        if (!cJSON_IsArray(labels)) {
            sy_ds_set_msg(ds, "\"labels\" is not an array");
            rc = SYNAPT_E_MANIFEST;
            goto out;
        }
        if ((uint64_t)cJSON_GetArraySize(labels) > ds->opts.max_labels) {
            sy_ds_set_msg(ds, "\"labels\" has more than %u names", (unsigned)ds->opts.max_labels);
            rc = SYNAPT_E_LIMIT;
            goto out;
        }
        uint64_t i = 0;
        for (const cJSON *c = labels->child; c; c = c->next, i++) {
            if (!cJSON_IsString(c) || !*c->valuestring) {
                sy_ds_set_msg(ds, "labels[%llu] is not a non-empty string", (unsigned long long)i);
                rc = SYNAPT_E_MANIFEST;
                goto out;
            }
            if (strlen(c->valuestring) > 4096) {
                sy_ds_set_msg(ds, "labels[%llu] is longer than 4096 bytes", (unsigned long long)i);
                rc = SYNAPT_E_LIMIT;
                goto out;
            }
            if (sy_ds_label_find(ds, c->valuestring, NULL) == 0) {
                sy_ds_set_msg(ds, "label \"%.200s\" is listed twice in \"labels\"", c->valuestring);
                rc = SYNAPT_E_MANIFEST;
                goto out;
            }
            if ((rc = sy_ds_label_add(ds, c->valuestring, NULL))) goto out;
        }
    }
    const cJSON *mem = cJSON_GetObjectItemCaseSensitive(root, "members");
    if (!cJSON_IsArray(mem)) {
        sy_ds_set_msg(ds, "\"members\" missing or not an array");
        rc = SYNAPT_E_MANIFEST;
        goto out;
    }
    uint64_t nm = (uint64_t)cJSON_GetArraySize(mem);
    if (nm > ds->opts.max_members) {
        sy_ds_set_msg(ds, "manifest lists %llu members, more than the limit %u",
                      (unsigned long long)nm, (unsigned)ds->opts.max_members);
        rc = SYNAPT_E_LIMIT;
        goto out;
    }
    ds->m = calloc(nm ? nm : 1, sizeof *ds->m);
    if (!ds->m) { rc = SYNAPT_E_NOMEM; goto out; }
    uint32_t i = 0;
    for (const cJSON *c = mem->child; c; c = c->next, i++) {
        ds->nm = i + 1;
        if ((rc = parse_member(ds, &ds->m[i], c, i, labels != NULL))) goto out;
        ds->m[i].base = ds->nclips;
        ds->nclips += ds->m[i].n;   /* < 2^16 * 2^32: no overflow */
    }
    rc = check_unique(ds);
out:
    cJSON_Delete(root);
    return rc;
}
