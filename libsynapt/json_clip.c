/* json_clip.c - the CLIP record body: one JSON object per clip describing
 * the clip and its streams, so a forward scan of a damaged file can rebuild
 * the index without the index (spec/format.md, "CLIP body").
 *
 * cJSON allocates with its own (process-default) hooks: we never install
 * global hooks, and every cJSON object is freed before returning. The
 * results handed back to the library are copied into handle-allocated
 * memory. */
#include <stdio.h>
#include <math.h>
#include <cjson/cJSON.h>
#include "internal.h"

static const char *const channel_names[] = { "", "xy", "xyc", "xyz", "xyzc" };

/* The whole text must be one JSON object: cJSON_Parse alone would accept
 * "{} trailing junk", which embedding the text verbatim would then carry
 * into the CLIP record. */
static cJSON *parse_object(const char *text)
{
    const char *end = NULL;
    cJSON *j = text ? cJSON_ParseWithOpts(text, &end, 1) : NULL;
    if (j && !cJSON_IsObject(j)) { cJSON_Delete(j); j = NULL; }
    return j;
}

int sy_json_is_object(const char *text)
{
    cJSON *j = parse_object(text);
    cJSON_Delete(j);
    return j != NULL;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *b64_encode(const sy_mem *m, const uint8_t *p, size_t n)
{
    size_t outn = (n + 2) / 3 * 4;
    char *s = sy_malloc(m, outn + 1), *o = s;
    if (!s) return NULL;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n) v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n) v |= p[i + 2];
        *o++ = b64[(v >> 18) & 63];
        *o++ = b64[(v >> 12) & 63];
        *o++ = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        *o++ = i + 2 < n ? b64[v & 63] : '=';
    }
    *o = 0;
    return s;
}

static int b64_val(int c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Decode base64 (padding optional); NULL with *bad=1 on invalid text. */
static uint8_t *b64_decode(const sy_mem *m, const char *s, size_t *outn, int *bad)
{
    size_t n = strlen(s);
    while (n && s[n - 1] == '=') n--;
    uint8_t *out = sy_malloc(m, n * 3 / 4 + 1);
    if (!out) return NULL;
    size_t k = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64_val((unsigned char)s[i]);
        if (v < 0) { sy_free(m, out); *bad = 1; return NULL; }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) { bits -= 8; out[k++] = (uint8_t)(acc >> bits); }
    }
    *outn = k;
    return out;
}

#define SY_JSON_RAW_MAX 999999999999999LL   /* 15 digits: "%1.15g" prints them as they are */

cJSON *sy_json_i64(int64_t v)
{
    if (v < -SY_JSON_RAW_MAX || v > SY_JSON_RAW_MAX)
        return cJSON_CreateNumber((double)v);
    char b[24];
    snprintf(b, sizeof b, "%lld", (long long)v);
    return cJSON_CreateRaw(b);
}

cJSON *sy_json_u64(uint64_t v)
{
    return v > (uint64_t)SY_JSON_RAW_MAX ? cJSON_CreateNumber((double)v) : sy_json_i64((int64_t)v);
}

static cJSON *add_item(cJSON *o, const char *name, cJSON *x)
{
    if (!x || !cJSON_AddItemToObject(o, name, x)) {
        cJSON_Delete(x);
        return NULL;
    }
    return x;
}

cJSON *sy_json_add_i64(cJSON *o, const char *name, int64_t v) { return add_item(o, name, sy_json_i64(v)); }
cJSON *sy_json_add_u64(cJSON *o, const char *name, uint64_t v) { return add_item(o, name, sy_json_u64(v)); }

static cJSON *u64_array(const uint64_t *v, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < n; i++) {
        cJSON *x = sy_json_u64(v[i]);
        if (!x || !cJSON_AddItemToArray(a, x)) { cJSON_Delete(x); cJSON_Delete(a); return NULL; }
    }
    return a;
}

/* cJSON_Add* return NULL when they fail to allocate; fold that into one flag. */
#define ADD(expr) do { if (!(expr)) goto nomem; } while (0)

int sy_clip_json_build(const sy_mem *m, sy_buf *out, const sy_json_clip *c,
                       char *err, size_t errcap)
{
    int rc = SYNAPT_E_NOMEM;
    char *text = NULL;
    cJSON *root = cJSON_CreateObject(), *arr, *s, *x;
    if (!root) goto nomem;
    ADD(sy_json_add_u64(root, "clip_index", c->clip_index));
    ADD(cJSON_AddStringToObject(root, "id", c->id));
    ADD(arr = cJSON_AddArrayToObject(root, "labels"));
    for (size_t i = 0; i < c->label_count; i++) {
        ADD(x = cJSON_CreateString(c->labels[i]));
        cJSON_AddItemToArray(arr, x);
    }
    ADD(cJSON_AddStringToObject(root, "split", c->split ? c->split : ""));
    ADD(cJSON_AddStringToObject(root, "source", c->source ? c->source : ""));
    ADD(cJSON_AddBoolToObject(root, "synthetic", c->synthetic != 0));
    ADD(arr = cJSON_AddArrayToObject(root, "groups"));
    for (size_t i = 0; i < c->group_count; i++) {
        cJSON *pair;
        ADD(pair = cJSON_CreateArray());
        cJSON_AddItemToArray(arr, pair);
        ADD(x = cJSON_CreateString(c->group_keys[i]));
        cJSON_AddItemToArray(pair, x);
        ADD(x = cJSON_CreateString(c->group_values[i]));
        cJSON_AddItemToArray(pair, x);
    }
    /* meta and codec_config go in verbatim: re-printing them through
     * doubles would change large integers and formatting, and the index
     * keeps the caller's text too. The writer checked both when they were
     * given (begin_clip, add_stream, set_video_info), so they are not
     * parsed again here. */
    const char *mtext = c->meta_json ? c->meta_json : "{}";
    ADD(cJSON_AddRawToObject(root, "meta", mtext));
    ADD(arr = cJSON_AddArrayToObject(root, "streams"));
    for (size_t i = 0; i < c->stream_count; i++) {
        const sy_json_stream *st = &c->streams[i];
        ADD(s = cJSON_CreateObject());
        cJSON_AddItemToArray(arr, s);
        ADD(cJSON_AddStringToObject(s, "name", st->name));
        ADD(cJSON_AddStringToObject(s, "kind", synapt_kind_name(st->kind)));
        ADD(cJSON_AddStringToObject(s, "dtype", synapt_dtype_name(st->dtype)));
        ADD(cJSON_AddStringToObject(s, "codec", synapt_codec_name(st->codec)));
        ADD(x = u64_array(st->shape, st->ndim));
        cJSON_AddItemToObject(s, "shape", x);
        uint64_t fps[2] = { st->fps_num, st->fps_den };
        ADD(x = u64_array(fps, 2));
        cJSON_AddItemToObject(s, "fps", x);
        ADD(cJSON_AddNumberToObject(s, "scale", st->scale));
        ADD(cJSON_AddStringToObject(s, "units", st->units ? st->units : ""));
        /* registry names only (spec section 8): the writer refuses ids
         * without one, so the fallbacks are never taken for its streams */
        synapt_skeleton_info sk;
        const char *skname = st->skeleton && synapt_skeleton_get(&sk, st->skeleton) == 0 ? sk.name : "";
        ADD(cJSON_AddStringToObject(s, "skeleton", skname));
        ADD(cJSON_AddStringToObject(s, "channels",
                                    st->channels >= 0 && st->channels <= 4 ? channel_names[st->channels] : ""));
        ADD(sy_json_add_i64(s, "compression", st->compression));
        ADD(sy_json_add_i64(s, "filter", st->filter));
        ADD(sy_json_add_u64(s, "frames", st->frames));
        ADD(sy_json_add_u64(s, "packets", st->packets));
        ADD(cJSON_AddBoolToObject(s, "has_pts", st->has_pts != 0));
        ADD(sy_json_add_i64(s, "max_persons", st->max_persons));
        if (st->extradata_size) {
            char *e = b64_encode(m, st->extradata, st->extradata_size);
            if (!e) goto nomem;
            x = cJSON_AddStringToObject(s, "extradata", e);
            sy_free(m, e);
            if (!x) goto nomem;
        }
        if (st->codec_config && *st->codec_config)
            ADD(cJSON_AddRawToObject(s, "codec_config", st->codec_config));
    }
    text = cJSON_PrintUnformatted(root);
    if (!text) goto nomem;
    rc = sy_buf_append(m, out, text, strlen(text));
    if (rc) goto nomem;
    cJSON_free(text);
    cJSON_Delete(root);
    return 0;
nomem:
    rc = SYNAPT_E_NOMEM;
    sy_fmt(err, errcap, "out of memory building the clip record of %s", c->id);
    if (text) cJSON_free(text);
    cJSON_Delete(root);
    return rc;
}

/* ---- parsing (for recovery: rebuilding an index from CLIP records) ---- */

/* A tiny scanner over JSON text cJSON has already accepted, to recover the
 * exact bytes of "meta" and "codec_config" (cJSON would re-print them
 * through doubles). Every step is bounds-checked; on any surprise the
 * caller falls back to cJSON's printing. */
typedef struct jspan { const char *p; size_t n; } jspan;

static size_t js_ws(const char *t, size_t n, size_t i)
{
    while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r')) i++;
    return i;
}

/* Index just past the value starting at i (after whitespace), or n+1. */
static size_t js_skip(const char *t, size_t n, size_t i)
{
    i = js_ws(t, n, i);
    if (i >= n) return n + 1;
    if (t[i] == '"') {
        for (i++; i < n; i++) {
            if (t[i] == '\\') i++;
            else if (t[i] == '"') return i + 1;
        }
        return n + 1;
    }
    if (t[i] == '{' || t[i] == '[') {
        int depth = 0;
        for (; i < n; i++) {
            if (t[i] == '"') { i = js_skip(t, n, i) - 1; if (i >= n) return n + 1; }
            else if (t[i] == '{' || t[i] == '[') depth++;
            else if ((t[i] == '}' || t[i] == ']') && --depth == 0) return i + 1;
        }
        return n + 1;
    }
    while (i < n && t[i] != ',' && t[i] != '}' && t[i] != ']' && t[i] != ' ' && t[i] != '\n' && t[i] != '\t' &&
           t[i] != '\r')
        i++;
    return i;
}

/* The value of member `key` of the object starting at span o. */
static int js_member(jspan o, const char *key, jspan *out)
{
    const char *t = o.p;
    size_t n = o.n, i = js_ws(t, n, 0), kl = strlen(key);
    if (i >= n || t[i] != '{') return 0;
    for (i++;;) {
        i = js_ws(t, n, i);
        if (i >= n || t[i] != '"') return 0;
        size_t ks = i + 1, ke = js_skip(t, n, i);
        if (ke > n) return 0;
        i = js_ws(t, n, ke);
        if (i >= n || t[i] != ':') return 0;
        size_t vs = js_ws(t, n, i + 1), ve = js_skip(t, n, vs);
        if (ve > n) return 0;
        if (ke - 1 - ks == kl && !memcmp(t + ks, key, kl)) { out->p = t + vs; out->n = ve - vs; return 1; }
        i = js_ws(t, n, ve);
        if (i >= n || t[i] != ',') return 0;
        i++;
    }
}

/* Item k of the array starting at span a. */
static int js_item(jspan a, size_t k, jspan *out)
{
    const char *t = a.p;
    size_t n = a.n, i = js_ws(t, n, 0);
    if (i >= n || t[i] != '[') return 0;
    for (size_t j = 0;; j++) {
        size_t vs = js_ws(t, n, i + 1), ve = js_skip(t, n, vs);
        if (ve > n || (vs < n && t[vs] == ']')) return 0;
        if (j == k) { out->p = t + vs; out->n = ve - vs; return 1; }
        i = js_ws(t, n, ve);
        if (i >= n || t[i] != ',') return 0;
    }
}

/* Copy of the exact text of an object value, or of cJSON's printing of it. */
static char *raw_or_print(const sy_mem *m, const jspan *sp, int have, const cJSON *item)
{
    if (have && sp->n && sp->p[0] == '{') {
        char *r = sy_malloc(m, sp->n + 1);
        if (r) { memcpy(r, sp->p, sp->n); r[sp->n] = 0; }
        return r;
    }
    char *t = cJSON_PrintUnformatted(item);
    if (!t) return NULL;
    char *r = sy_strdup(m, t);
    cJSON_free(t);
    return r;
}

static const char *jstr(const cJSON *o, const char *key, int *bad)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!x) return "";
    if (!cJSON_IsString(x)) { *bad = 1; return ""; }
    return x->valuestring;
}

static double jnum(const cJSON *o, const char *key, double lo, double hi, int *bad)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!x) return 0;
    if (cJSON_IsBool(x)) return cJSON_IsTrue(x);
    if (!cJSON_IsNumber(x) || isnan(x->valuedouble) || x->valuedouble < lo || x->valuedouble > hi) {
        *bad = 1;
        return 0;
    }
    return x->valuedouble;
}

static int parse_enum(const cJSON *o, const char *key, int (*from)(const char *), int *bad)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!x) return 0;
    /* names only: a number is malformed (spec section 8), which also keeps
     * (int) away from values like 1e300 */
    if (!cJSON_IsString(x)) { *bad = 1; return 0; }
    if (!*x->valuestring) return 0;
    int v = from(x->valuestring);
    if (v <= 0) *bad = 1;
    return v;
}

static int channels_from_name(const char *s)
{
    for (int i = 1; i <= 4; i++)
        if (!strcmp(s, channel_names[i])) return i;
    return 0;
}

static int codec_from_name_pos(const char *s)
{
    int c = synapt_codec_from_name(s);
    return c < 0 ? -1 : c + 1;  /* parse_enum treats <= 0 as unknown */
}

void sy_clip_json_free(const sy_mem *m, sy_clip_parsed *p)
{
    size_t ns = p->clip.stream_count;
    for (size_t i = 0; p->labels && i < p->clip.label_count; i++) sy_free(m, p->labels[i]);
    for (size_t i = 0; p->gkeys && i < p->clip.group_count; i++) sy_free(m, p->gkeys[i]);
    for (size_t i = 0; p->gvals && i < p->clip.group_count; i++) sy_free(m, p->gvals[i]);
    for (size_t i = 0; p->strs && i < 3 * ns; i++) sy_free(m, p->strs[i]);
    for (size_t i = 0; p->extra && i < ns; i++) sy_free(m, p->extra[i]);
    sy_free(m, p->labels); sy_free(m, p->gkeys); sy_free(m, p->gvals);
    sy_free(m, p->strs); sy_free(m, p->extra); sy_free(m, p->streams);
    sy_free(m, p->id); sy_free(m, p->split); sy_free(m, p->source); sy_free(m, p->meta);
    memset(p, 0, sizeof *p);
}

int sy_clip_json_parse(const sy_mem *m, sy_clip_parsed *out, const void *body, size_t len,
                       uint32_t max_streams, char *err, size_t errcap)
{
    memset(out, 0, sizeof *out);
    int bad = 0, rc = SYNAPT_E_NOMEM;
    cJSON *root = cJSON_ParseWithLength(body, len);
    if (!root || !cJSON_IsObject(root)) {
        sy_fmt(err, errcap, "clip record is not a JSON object");
        cJSON_Delete(root);
        return SYNAPT_E_CORRUPT;
    }
    sy_json_clip *c = &out->clip;
    c->clip_index = (uint64_t)jnum(root, "clip_index", 0, 4294967295.0, &bad);
    if (!(out->id = sy_strdup(m, jstr(root, "id", &bad)))) goto fail;
    if (!(out->split = sy_strdup(m, jstr(root, "split", &bad)))) goto fail;
    if (!(out->source = sy_strdup(m, jstr(root, "source", &bad)))) goto fail;
    c->synthetic = jnum(root, "synthetic", 0, 1, &bad) != 0;
    const cJSON *labels = cJSON_GetObjectItemCaseSensitive(root, "labels");
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(root, "groups");
    const cJSON *streams = cJSON_GetObjectItemCaseSensitive(root, "streams");
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(root, "meta");
    if ((labels && !cJSON_IsArray(labels)) || (groups && !cJSON_IsArray(groups)) ||
        (streams && !cJSON_IsArray(streams)) || (meta && !cJSON_IsObject(meta)) || !*out->id) {
        bad = 1;
        goto done;
    }
    int nl = labels ? cJSON_GetArraySize(labels) : 0;
    int ng = groups ? cJSON_GetArraySize(groups) : 0;
    int ns = streams ? cJSON_GetArraySize(streams) : 0;
    if ((uint32_t)ns > max_streams) {
        sy_fmt(err, errcap, "clip record of %s: %d streams exceed the limit %u", out->id, ns, max_streams);
        rc = SYNAPT_E_LIMIT;
        goto fail;
    }
    if (!(out->labels = sy_calloc(m, (size_t)nl * sizeof(char *)))) goto fail;
    if (!(out->gkeys = sy_calloc(m, (size_t)ng * sizeof(char *)))) goto fail;
    if (!(out->gvals = sy_calloc(m, (size_t)ng * sizeof(char *)))) goto fail;
    if (!(out->streams = sy_calloc(m, (size_t)ns * sizeof(sy_json_stream)))) goto fail;
    if (!(out->strs = sy_calloc(m, (size_t)ns * 3 * sizeof(char *)))) goto fail;
    if (!(out->extra = sy_calloc(m, (size_t)ns * sizeof(uint8_t *)))) goto fail;
    c->label_count = (size_t)nl;
    c->group_count = (size_t)ng;
    c->stream_count = (size_t)ns;
    for (int i = 0; i < nl; i++) {
        const cJSON *x = cJSON_GetArrayItem(labels, i);
        if (!cJSON_IsString(x)) { bad = 1; goto done; }
        if (!(out->labels[i] = sy_strdup(m, x->valuestring))) goto fail;
    }
    for (int i = 0; i < ng; i++) {
        const cJSON *x = cJSON_GetArrayItem(groups, i);
        const cJSON *k = cJSON_GetArrayItem(x, 0), *v = cJSON_GetArrayItem(x, 1);
        if (!cJSON_IsArray(x) || !cJSON_IsString(k) || !cJSON_IsString(v)) { bad = 1; goto done; }
        if (!(out->gkeys[i] = sy_strdup(m, k->valuestring))) goto fail;
        if (!(out->gvals[i] = sy_strdup(m, v->valuestring))) goto fail;
    }
    jspan whole = { body, len }, sp;
    int have_meta = meta && js_member(whole, "meta", &sp);
    out->meta = meta ? raw_or_print(m, &sp, have_meta, meta) : sy_strdup(m, "{}");
    if (!out->meta) goto fail;
    jspan sarr;
    int have_streams = streams && js_member(whole, "streams", &sarr);
    for (int i = 0; i < ns; i++) {
        const cJSON *o = cJSON_GetArrayItem(streams, i);
        sy_json_stream *st = &out->streams[i];
        if (!cJSON_IsObject(o)) { bad = 1; goto done; }
        if (!(out->strs[3 * i] = sy_strdup(m, jstr(o, "name", &bad)))) goto fail;
        if (!(out->strs[3 * i + 1] = sy_strdup(m, jstr(o, "units", &bad)))) goto fail;
        st->name = out->strs[3 * i];
        st->units = out->strs[3 * i + 1];
        st->kind = parse_enum(o, "kind", synapt_kind_from_name, &bad);
        st->dtype = 0;
        const char *dt = jstr(o, "dtype", &bad);
        if (*dt && strcmp(dt, "none")) {
            st->dtype = synapt_dtype_from_name(dt);
            if (!st->dtype) bad = 1;
        }
        st->codec = parse_enum(o, "codec", codec_from_name_pos, &bad) - 1;
        if (st->codec < 0) st->codec = 0;
        st->skeleton = parse_enum(o, "skeleton", synapt_skeleton_from_name, &bad);
        st->channels = parse_enum(o, "channels", channels_from_name, &bad);
        const cJSON *shape = cJSON_GetObjectItemCaseSensitive(o, "shape");
        int nd = shape ? cJSON_GetArraySize(shape) : 0;
        if ((shape && !cJSON_IsArray(shape)) || nd > 4) { bad = 1; goto done; }
        st->ndim = (uint32_t)nd;
        for (int d = 0; d < nd; d++) {
            const cJSON *x = cJSON_GetArrayItem(shape, d);
            if (!cJSON_IsNumber(x) || x->valuedouble < 0 || x->valuedouble > 9007199254740992.0) { bad = 1; goto done; }
            st->shape[d] = (uint64_t)x->valuedouble;
        }
        const cJSON *fps = cJSON_GetObjectItemCaseSensitive(o, "fps");
        const cJSON *fn = cJSON_GetArrayItem(fps, 0), *fd = cJSON_GetArrayItem(fps, 1);
        if (fps) {
            if (!cJSON_IsNumber(fn) || !cJSON_IsNumber(fd) || fn->valuedouble < 0 || fd->valuedouble < 0 ||
                fn->valuedouble > 4294967295.0 || fd->valuedouble > 4294967295.0) { bad = 1; goto done; }
            st->fps_num = (uint32_t)fn->valuedouble;
            st->fps_den = (uint32_t)fd->valuedouble;
        }
        st->scale = jnum(o, "scale", -1e308, 1e308, &bad);
        st->compression = (int)jnum(o, "compression", 0, SYNAPT_COMPRESSION_DEPTH_STRIP, &bad);
        st->filter = (int)jnum(o, "filter", 0, 5, &bad);
        st->frames = (uint64_t)jnum(o, "frames", 0, 9007199254740992.0, &bad);
        st->packets = (uint64_t)jnum(o, "packets", 0, 9007199254740992.0, &bad);
        st->has_pts = jnum(o, "has_pts", 0, 1, &bad) != 0;
        st->max_persons = (uint32_t)jnum(o, "max_persons", 0, 4294967295.0, &bad);
        const char *ex = jstr(o, "extradata", &bad);
        if (*ex) {
            int b = 0;
            out->extra[i] = b64_decode(m, ex, &st->extradata_size, &b);
            if (b) { bad = 1; goto done; }
            if (!out->extra[i]) goto fail;
            st->extradata = out->extra[i];
        }
        const cJSON *cc = cJSON_GetObjectItemCaseSensitive(o, "codec_config");
        if (cc) {
            if (!cJSON_IsObject(cc)) { bad = 1; goto done; }
            jspan so, sc;
            int have_cc = have_streams && js_item(sarr, (size_t)i, &so) && js_member(so, "codec_config", &sc);
            if (!(out->strs[3 * i + 2] = raw_or_print(m, &sc, have_cc, cc))) goto fail;
            st->codec_config = out->strs[3 * i + 2];
        }
    }
done:
    if (bad) {
        sy_fmt(err, errcap, "clip record%s%s: malformed JSON fields", out->id ? " of " : "", out->id ? out->id : "");
        rc = SYNAPT_E_CORRUPT;
        goto fail;
    }
    c->id = out->id;
    c->split = out->split;
    c->source = out->source;
    c->meta_json = out->meta;
    c->labels = (const char *const *)out->labels;
    c->group_keys = (const char *const *)out->gkeys;
    c->group_values = (const char *const *)out->gvals;
    c->streams = out->streams;
    cJSON_Delete(root);
    return 0;
fail:
    if (rc == SYNAPT_E_NOMEM) sy_fmt(err, errcap, "out of memory parsing a clip record");
    cJSON_Delete(root);
    sy_clip_json_free(m, out);
    return rc;
}

/* Two JSON texts with the same value (spec 8: the CLIP record and the index
 * agree in value, not byte for byte). Empty text and "{}" are the same. */
static int json_same(const char *a, const char *b)
{
    if (!a || !*a) a = "{}";
    if (!b || !*b) b = "{}";
    if (!strcmp(a, b)) return 1;
    cJSON *x = cJSON_Parse(a), *y = cJSON_Parse(b);
    int same = x && y && cJSON_Compare(x, y, 1);
    cJSON_Delete(x);
    cJSON_Delete(y);
    return same;
}

static int str_same(const char *a, const char *b) { return !strcmp(a ? a : "", b ? b : ""); }

int sy_clip_json_diff(const sy_json_clip *a, const sy_json_clip *b, char *why, size_t n)
{
#define DIFF(...) do { sy_fmt(why, n, __VA_ARGS__); return 1; } while (0)
    if (a->clip_index != b->clip_index)
        DIFF("clip_index %llu, the index says %llu", (unsigned long long)a->clip_index, (unsigned long long)b->clip_index);
    if (!str_same(a->id, b->id)) DIFF("id differs");
    if (!str_same(a->split, b->split)) DIFF("split differs");
    if (!str_same(a->source, b->source)) DIFF("source differs");
    if (!a->synthetic != !b->synthetic) DIFF("synthetic differs");
    if (a->label_count != b->label_count) DIFF("%zu labels, the index has %zu", a->label_count, b->label_count);
    for (size_t i = 0; i < a->label_count; i++)
        if (!str_same(a->labels[i], b->labels[i])) DIFF("label %zu differs", i);
    if (a->group_count != b->group_count) DIFF("%zu groups, the index has %zu", a->group_count, b->group_count);
    for (size_t i = 0; i < a->group_count; i++)
        if (!str_same(a->group_keys[i], b->group_keys[i]) || !str_same(a->group_values[i], b->group_values[i]))
            DIFF("group %zu differs", i);
    if (!json_same(a->meta_json, b->meta_json)) DIFF("meta differs");
    if (a->stream_count != b->stream_count) DIFF("%zu streams, the index has %zu", a->stream_count, b->stream_count);
    for (size_t i = 0; i < a->stream_count; i++) {
        const sy_json_stream *x = &a->streams[i], *y = &b->streams[i];
        const char *f = NULL;
        if (!str_same(x->name, y->name)) f = "name";
        else if (x->kind != y->kind) f = "kind";
        else if (x->dtype != y->dtype) f = "dtype";
        else if (x->codec != y->codec) f = "codec";
        else if (x->ndim != y->ndim || memcmp(x->shape, y->shape, sizeof x->shape)) f = "shape";
        else if (x->fps_num != y->fps_num || x->fps_den != y->fps_den) f = "fps";
        else if (x->scale != y->scale && !(x->scale != x->scale && y->scale != y->scale)) f = "scale";
        else if (!str_same(x->units, y->units)) f = "units";
        else if (x->skeleton != y->skeleton) f = "skeleton";
        else if (x->channels != y->channels) f = "channels";
        else if (x->compression != y->compression) f = "compression";
        else if (x->filter != y->filter) f = "filter";
        else if (x->frames != y->frames) f = "frames";
        else if (x->packets != y->packets) f = "packets";
        else if (!x->has_pts != !y->has_pts) f = "has_pts";
        else if (x->max_persons != y->max_persons) f = "max_persons";
        else if (x->extradata_size != y->extradata_size ||
                 (x->extradata_size && memcmp(x->extradata, y->extradata, x->extradata_size)))
            f = "extradata";
        else if (!json_same(x->codec_config, y->codec_config)) f = "codec_config";
        if (f) DIFF("stream %zu (%.100s): %s differs from the index", i, y->name ? y->name : "", f);
    }
    return 0;
#undef DIFF
}
