/* mini_reader.c - a complete .synapt reader written from spec/format.md
 * alone, with libzstd and libxxhash and nothing of libsynapt.
 *
 * It exists to prove the spec is enough: it opens a file in three reads
 * (footer, header, index), checks what section 12 of the spec says a reader
 * MUST check, looks every clip and label up through the hash sections,
 * then reads every chunk of every stream, verifies its checksum, undoes
 * the compression and the filter, and prints an XXH3 of each stream's raw
 * frames. tests/golden/t_golden.sh compares this output with the same description
 * produced through libsynapt (tests/golden/gen_golden.c dump).
 *
 *   mini_reader FILE        exit 0 when the file is sound, 1 otherwise
 *   mini_reader --scan FILE walk the records front to back as a recovery
 *                           tool would (spec section 13), without the
 *                           index: exit 0 when every clip is complete and
 *                           the index is present, 3 when the file is
 *                           incomplete or damaged, 1 when even the HEADER
 *                           is unreadable
 *
 * Deliberately simple: one file, no threads, whole chunks in memory. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>
#include <zstd.h>

/* Caps on what a file can make us allocate (spec section 16). */
#define MAX_INDEX   (256u << 20)
#define MAX_CHUNK   (256u << 20)
#define HEADER_READ 4096u

static const uint8_t MAGIC[8] = { 0x89, 'S', 'Y', 'N', 'A', 'P', 'T', 1 };

static const char *g_path;
static FILE *g_file;
static uint64_t g_size;

static void fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "mini_reader: %s: ", g_path);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static uint16_t u16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t u64(const uint8_t *p) { return (uint64_t)u32(p) | (uint64_t)u32(p + 4) << 32; }

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) fail("out of memory (%zu bytes)", n);
    return p;
}

/* Read exactly n bytes at off; the caller has checked off + n <= file size. */
static void read_at(void *buf, uint64_t off, size_t n)
{
    if (fseeko(g_file, (off_t)off, SEEK_SET) != 0 || fread(buf, 1, n, g_file) != n)
        fail("read of %zu bytes at %" PRIu64 " failed: %s", n, off, strerror(errno));
}

/* ---- the index ---------------------------------------------------------- */

enum { S_CLIPS = 1, S_CLIP_IDS, S_STREAMS, S_CHUNKS, S_LABELS, S_LABEL_IDS, S_CLIP_LABELS, S_GROUPS, S_STRINGS };
static const uint32_t min_entry[10] = { 0, 80, 16, 160, 48, 8, 16, 4, 16, 1 };

struct section { const uint8_t *p; uint64_t count; uint32_t esize; };
static struct section sec[10];
static uint8_t *g_index;

static const uint8_t *entry(int id, uint64_t i, const char *what)
{
    if (i >= sec[id].count) fail("%s %" PRIu64 " is outside its section (%" PRIu64 " entries)", what, i, sec[id].count);
    return sec[id].p + i * sec[id].esize;
}

/* A StrRef's bytes; the terminating 0 is checked, and for text the
 * absence of a 0 inside (spec section 2). */
static const char *strref_bytes(const uint8_t *ref, uint32_t *len_out, int text)
{
    uint64_t off = u32(ref), len = u32(ref + 4);
    if (off + len + 1 > sec[S_STRINGS].count) fail("string reference %" PRIu64 "+%" PRIu64 " beyond STRINGS", off, len);
    const char *s = (const char *)sec[S_STRINGS].p + off;
    if (s[len] != 0) fail("string at %" PRIu64 " is not terminated", off);
    if (text && memchr(s, 0, (size_t)len)) fail("string at %" PRIu64 " holds a 0 byte", off);
    if (len_out) *len_out = (uint32_t)len;
    return s;
}

static const char *strref(const uint8_t *ref, uint32_t *len_out) { return strref_bytes(ref, len_out, 1); }

static const char *orna(const char *s) { return *s ? s : "-"; }

static void open_file(void)
{
    g_file = fopen(g_path, "rb");
    if (!g_file) fail("%s", strerror(errno));
    if (fseeko(g_file, 0, SEEK_END) != 0) fail("cannot seek");
    g_size = (uint64_t)ftello(g_file);

    /* read 1: the footer */
    uint8_t head[8];
    if (g_size < 8) fail("not a .synapt file (%" PRIu64 " bytes)", g_size);
    read_at(head, 0, 8);
    if (memcmp(head, MAGIC, 7) != 0) fail("not a .synapt file (bad magic)");
    if (head[7] != 1) fail("format major %u is not 1", head[7]);
    if (g_size < 8 + 24 + 50 + 32) fail("truncated: %" PRIu64 " bytes", g_size);
    uint8_t foot[32];
    read_at(foot, g_size - 32, 32);
    if (memcmp(foot + 24, MAGIC, 8) != 0) fail("truncated: no magic at the end (the writer did not finish)");
    if (XXH3_64bits(foot, 16) != u64(foot + 16)) fail("footer checksum mismatch");
    uint64_t index_at = u64(foot), index_size = u64(foot + 8);
    if (index_at < 8 || index_size < 24 || index_size > g_size - 32 || index_at != g_size - 32 - index_size)
        fail("footer: index at %" PRIu64 " size %" PRIu64 " does not end at the footer", index_at, index_size);

    /* read 2: the header */
    uint8_t hb[HEADER_READ];
    size_t hn = g_size < HEADER_READ ? (size_t)g_size : HEADER_READ;
    read_at(hb, 0, hn);
    uint64_t hlen = u64(hb + 16);
    if (u32(hb + 8) != 1) fail("the first record is not a HEADER");
    if (hlen < 50 || hlen > hn - 8 - 24) fail("HEADER length %" PRIu64 " is wrong", hlen);
    const uint8_t *h = hb + 24;
    if (XXH3_64bits(h, (size_t)hlen) != u64(h + hlen)) fail("HEADER checksum mismatch");
    if (u16(h) != head[7]) fail("HEADER major %u differs from the magic", u16(h));
    uint16_t wlen = u16(h + 48);
    if (wlen > 255 || 50u + wlen > hlen) fail("HEADER writer length %u is wrong", wlen);
    /* bit 0 (format 1.1): depth_rank chunks; bit 1 (1.2): depth_ans
     * chunks; bit 2 (1.3): depth_up chunks; bit 3 (1.4): depth_strip
     * chunks; this reader decodes all four */
    if (u64(h + 24) & ~UINT64_C(15)) fail("file requires unknown features 0x%" PRIx64, u64(h + 24) & ~UINT64_C(15));

    /* read 3: the index */
    if (index_size > MAX_INDEX) fail("index of %" PRIu64 " bytes exceeds the limit", index_size);
    g_index = xmalloc((size_t)index_size);
    read_at(g_index, index_at, (size_t)index_size);
    uint64_t blen = u64(g_index + 8);
    if (u32(g_index) != 4 || blen != index_size - 24) fail("the record at the footer's offset is not the INDEX");
    const uint8_t *body = g_index + 16;
    if (XXH3_64bits(body, (size_t)blen) != u64(body + blen)) fail("INDEX checksum mismatch");
    if (blen < 8 || u32(body) != 1) fail("INDEX version is not 1");
    uint64_t nsec = u32(body + 4);
    if (nsec > (blen - 8) / 24) fail("INDEX directory of %" PRIu64 " entries exceeds the index", nsec);
    for (uint64_t i = 0; i < nsec; i++) {
        const uint8_t *d = body + 8 + 24 * i;
        uint32_t id = u32(d), es = u32(d + 4);
        uint64_t off = u64(d + 8), cnt = u64(d + 16);
        if (id < 1 || id > 9) continue;               /* unknown sections are ignored */
        if (sec[id].p) fail("INDEX section %u appears twice", id);
        if (es < min_entry[id]) fail("INDEX section %u entry size %u is too small", id, es);
        if (off > blen || cnt > (blen - off) / es) fail("INDEX section %u lies outside the index", id);
        sec[id] = (struct section){ body + off, cnt, es };
    }
    if (sec[S_CLIP_IDS].count != sec[S_CLIPS].count || sec[S_LABEL_IDS].count != sec[S_LABELS].count)
        fail("INDEX: the id hash sections do not have one entry per clip and per label");
    static const uint8_t empty_string[1] = { 0 };
    if (!sec[S_STRINGS].p) sec[S_STRINGS] = (struct section){ empty_string, 1, 1 };
    printf("format %u.%u writer %.*s", u16(h), u16(h + 2), (int)wlen, (const char *)h + 50);
    printf(" clips %" PRIu64 " labels %" PRIu64 " streams %" PRIu64 " chunks %" PRIu64 "\n", sec[S_CLIPS].count,
           sec[S_LABELS].count, sec[S_STREAMS].count, sec[S_CHUNKS].count);
}

/* Binary search of a {u64 hash; u32 value} section for `name`; `same`
 * confirms a candidate, since hashes can collide (spec 11.2). */
static uint64_t hash_lookup(int id, const char *name, int (*same)(uint32_t, const char *))
{
    uint64_t h = XXH3_64bits(name, strlen(name)), lo = 0, hi = sec[id].count;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (u64(entry(id, mid, "hash entry")) < h) lo = mid + 1;
        else hi = mid;
    }
    for (; lo < sec[id].count && u64(entry(id, lo, "hash entry")) == h; lo++) {
        uint32_t v = u32(entry(id, lo, "hash entry") + 8);
        if (same(v, name)) return v;
    }
    return UINT64_MAX;
}

static int clip_is(uint32_t c, const char *id) { return !strcmp(strref(entry(S_CLIPS, c, "clip"), NULL), id); }
static int label_is(uint32_t l, const char *n) { return !strcmp(strref(entry(S_LABELS, l, "label"), NULL), n); }

/* ---- filters (spec section 7) ------------------------------------------- */

static void unshuffle(uint8_t *dst, const uint8_t *src, size_t n, size_t e)
{
    if (e <= 1) { memcpy(dst, src, n); return; }
    size_t m = n / e;
    for (size_t b = 0; b < e; b++)
        for (size_t i = 0; i < m; i++) dst[i * e + b] = src[b * m + i];
    memcpy(dst + m * e, src + m * e, n - m * e);
}

static uint16_t pixel(const uint8_t *v, size_t i) { return u16(v + 2 * i); }

static uint16_t med(const uint8_t *v, size_t i, size_t w)
{
    size_t x = i % w;
    if (i < w) return x > 0 ? pixel(v, i - 1) : 0;
    if (x == 0) return pixel(v, i - w);
    unsigned a = pixel(v, i - 1), b = pixel(v, i - w), c = pixel(v, i - w - 1);
    unsigned mx = a > b ? a : b, mn = a < b ? a : b;
    if (c >= mx) return (uint16_t)mn;
    if (c <= mn) return (uint16_t)mx;
    return (uint16_t)(a + b - c);
}

static void undepth_med(uint8_t *dst, const uint8_t *src, size_t n, size_t w)
{
    size_t N = n / 2;
    for (size_t i = 0; i < N; i++) {
        unsigned z = src[i] | (unsigned)src[N + i] << 8;
        unsigned r = (z >> 1) ^ ((z & 1) ? 0xFFFFu : 0);
        unsigned v = (r + med(dst, i, w)) & 0xFFFFu;
        dst[2 * i] = (uint8_t)v;
        dst[2 * i + 1] = (uint8_t)(v >> 8);
    }
}

/* depth_up (7.6): depth_med's planes with the pixel above as the
 * prediction (the left neighbour on the first row, 0 for pixel 0) */
static void undepth_up(uint8_t *dst, const uint8_t *src, size_t n, size_t w)
{
    size_t N = n / 2;
    for (size_t i = 0; i < N; i++) {
        unsigned z = src[i] | (unsigned)src[N + i] << 8;
        unsigned r = (z >> 1) ^ ((z & 1) ? 0xFFFFu : 0);
        unsigned p = i >= w ? pixel(dst, i - w) : i > 0 ? pixel(dst, i - 1) : 0;
        unsigned v = (r + p) & 0xFFFFu;
        dst[2 * i] = (uint8_t)v;
        dst[2 * i + 1] = (uint8_t)(v >> 8);
    }
}

/* depth_rank (7.5): palette, then one varint per pixel of rank residuals
 * (predicted from above, or from the left on the first row);
 * the ranks are decoded into dst first, then replaced by palette values.
 * Returns 0, or -1 when the frame breaks a rule of 7.5. */
static int undepth_rank(uint8_t *dst, const uint8_t *src, size_t n, size_t w)
{
    if (n % 2 || n < 4) return -1;
    uint64_t P = u32(src);
    if (P == 0 || P > 65536 || 4 + 2 * P > n) return -1;
    size_t N = n / 2, pos = 4 + 2 * (size_t)P;
    for (size_t i = 0; i < N; i++) {
        unsigned z = 0;
        for (int k = 0;; k++) {
            if (pos >= n) return -1;
            unsigned byte = src[pos++];
            if (k == 2 && byte > 3) return -1;
            z |= (byte & 0x7Fu) << (7 * k);
            if (!(byte & 0x80)) break;
        }
        unsigned r = (z >> 1) ^ ((z & 1) ? 0xFFFFu : 0);
        unsigned pred = i >= w ? pixel(dst, i - w) : i > 0 ? pixel(dst, i - 1) : 0;
        unsigned t = (r + pred) & 0xFFFFu;
        if (t >= P) return -1;
        dst[2 * i] = (uint8_t)t;
        dst[2 * i + 1] = (uint8_t)(t >> 8);
    }
    for (size_t i = 0; i < N; i++) {
        const uint8_t *v = src + 4 + 2 * (size_t)pixel(dst, i);
        dst[2 * i] = v[0];
        dst[2 * i + 1] = v[1];
    }
    return 0;
}


/* depth_ans (compression 3, 6.4), decoded the plain way: ranks into a
 * scratch array in visit order, then values. Returns 0, or -1 when the
 * frame breaks a rule of 6.4. */
struct ans_in {
    const uint8_t *p, *end;
};

static int leb(struct ans_in *in, uint32_t *v)
{
    *v = 0;
    for (int k = 0; k < 3; k++) {
        if (in->p >= in->end) return -1;
        unsigned byte = *in->p++;
        *v |= (uint32_t)(byte & 0x7F) << (7 * k);
        if (!(byte & 0x80)) return 0;
    }
    return -1;
}

/* The palette of depth_ans and depth_strip (6.4, 6.5): P-1, then the
 * first value and the gaps; -1 when a value passes 65535. */
static int read_palette(struct ans_in *in, uint32_t *pal, uint32_t *P)
{
    uint32_t v;
    if (leb(in, &v) || v > 65535) return -1;
    *P = v + 1;
    for (uint32_t k = 0; k < *P; k++) {
        if (leb(in, &v)) return -1;
        uint32_t val = k ? pal[k - 1] + v + 1 : v;
        if (val > 65535) return -1;
        pal[k] = val;
    }
    return 0;
}

static int iabs(int v) { return v < 0 ? -v : v; }

static int undepth_ans(uint8_t *dst, const uint8_t *src, size_t len, size_t n, size_t w)
{
    static const int thr[11] = { 1, 2, 3, 5, 8, 12, 20, 40, 80, 200, 1000 };
    static uint32_t pal[65536];
    static uint32_t f[24][42];
    static int has[24];
    struct ans_in in = { src, src + len };
    if (w == 0 || n == 0 || n % (2 * w)) return -1;
    size_t h = n / (2 * w), N = n / 2;
    if (len < 1 || src[0] > 3) return -1;
    int mode = *in.p++, identity = mode & 1, smooth = mode & 2;
    uint32_t P = 65536;
    if (!identity && read_palette(&in, pal, &P)) return -1;
    for (int c = 0; c < 24; c++) {
        uint32_t nc, sum = 0;
        if (leb(&in, &nc) || nc > 42) return -1;
        for (uint32_t t = 0; t < 42; t++) {
            f[c][t] = 0;
            if (t < nc && leb(&in, &f[c][t])) return -1;
            sum += f[c][t];
        }
        has[c] = nc > 0;
        if (nc && sum != 4096) return -1;
    }
    uint32_t E;
    if (leb(&in, &E) || E > (size_t)(in.end - in.p)) return -1;
    const uint8_t *bits = in.p;
    uint64_t bitpos = 0;
    in.p += E;
    if (in.end - in.p < 16 || (in.end - in.p) % 2) return -1;
    uint32_t s[4];
    for (int j = 0; j < 4; j++) s[j] = u32(in.p + 4 * j);
    in.p += 16;
    int32_t *t = xmalloc(N * sizeof *t);
    int bad = 0;
    for (size_t y0 = 0; y0 < h && !bad; y0 += 4) {
        size_t G = h - y0 < 4 ? h - y0 : 4;
        for (size_t k = 0; k < w + 2 * (G - 1) && !bad; k++)
            for (size_t j = 0; j < G && !bad; j++) {
                if (k < 2 * j || k - 2 * j >= w) continue;
                size_t x = k - 2 * j, y = y0 + j, i = y * w + x;
                int a, b, c, d;
                if (y == 0) {
                    a = x > 0 ? t[i - 1] : 0;
                    b = c = d = a;
                } else {
                    b = t[i - w];
                    a = x > 0 ? t[i - 1] : b;
                    c = x > 0 ? t[i - w - 1] : b;
                    d = x < w - 1 ? t[i - w + 1] : b;
                }
                int g, q = 0;
                if (smooth)
                    g = iabs(d - 2 * b + c) + (iabs(a - c) < iabs(b - c) ? iabs(a - c) : iabs(b - c));
                else
                    g = iabs(a - c) + iabs(b - c) + iabs(d - b);
                while (q < 11 && thr[q] <= g) q++;
                int ctx = 2 * q + (a == 0 || b == 0);
                if (!has[ctx]) { bad = 1; break; }
                uint32_t x0 = s[j], slot = x0 % 4096, cum = 0, tok = 0;
                while (!(cum <= slot && slot < cum + f[ctx][tok])) cum += f[ctx][tok++];
                x0 = f[ctx][tok] * (x0 / 4096) + slot - cum;
                if (x0 < 65536) {
                    if (in.p >= in.end) { bad = 1; break; }
                    x0 = x0 * 65536 + u16(in.p);
                    in.p += 2;
                }
                s[j] = x0;
                uint32_t z = tok;
                if (tok >= 16) {
                    uint32_t m = 4 + (tok - 16) / 2, raw = 0;
                    for (uint32_t q2 = 0; q2 < m - 1; q2++, bitpos++) {
                        if (bitpos >= 8ull * E) { bad = 1; break; }
                        raw |= (uint32_t)(bits[bitpos / 8] >> (bitpos % 8) & 1) << q2;
                    }
                    z = (1u << m) | ((tok & 1) << (m - 1)) | raw;
                }
                int pred;
                if (smooth) {
                    pred = a + b - c;
                    if (pred < 0) pred = 0;
                    if (pred > (int)P - 1) pred = (int)P - 1;
                } else {
                    pred = c >= (a > b ? a : b) ? (a < b ? a : b) : c <= (a < b ? a : b) ? (a > b ? a : b) : a + b - c;
                }
                int r = z % 2 ? -(int)((z + 1) / 2) : (int)(z / 2);
                t[i] = pred + r;
                if (t[i] < 0 || (uint32_t)t[i] >= P) bad = 1;
            }
    }
    if (!bad && (in.p != in.end || (bitpos + 7) / 8 != E)) bad = 1;
    for (int j = 0; j < 4 && !bad; j++)
        if (s[j] != 65536) bad = 1;
    for (size_t i = 0; i < N && !bad; i++) {
        uint32_t val = identity ? (uint32_t)t[i] : pal[t[i]];
        dst[2 * i] = (uint8_t)val;
        dst[2 * i + 1] = (uint8_t)(val >> 8);
    }
    free(t);
    return bad ? -1 : 0;
}

/* depth_strip (compression 4, 6.5), decoded one pixel at a time in the
 * spec's visit order (no lanes side by side). Returns 0, or -1 when the
 * frame breaks a rule of 6.5. */
static int bits_of(uint32_t v)
{
    int n = 0;
    while (v) { n++; v >>= 1; }
    return n;
}

static int strip_ctx_l(uint32_t v) { return bits_of(v) < 5 ? bits_of(v) : 5; }

static int undepth_strip(uint8_t *dst, const uint8_t *src, size_t len, size_t n, size_t w)
{
    static uint32_t pal[65536];
    static uint32_t f[108][256];
    static int has[108];
    struct ans_in in = { src, src + len };
    if (w == 0 || n == 0 || n % (2 * w)) return -1;
    size_t h = n / (2 * w), N = n / 2;
    if (len < 1 || src[0] > 1) return -1;
    int identity = *in.p++;
    uint32_t P = 65536, v;
    if (!identity && read_palette(&in, pal, &P)) return -1;
    /* each table: u_c, then per symbol of non-zero frequency an entry e
     * (and e' when e mod 4 is 3): f = e / 4 + 1, and g symbols of
     * frequency 0 skipped before it */
    for (int c = 0; c < 108; c++) {
        uint32_t uc, sum = 0, z = 0, e, e2;
        if (leb(&in, &uc) || uc > 256) return -1;
        memset(f[c], 0, sizeof f[c]);
        for (uint32_t k = 0; k < uc; k++) {
            if (leb(&in, &e)) return -1;
            uint32_t g = e % 4, fz = e / 4 + 1;
            if (g == 3) {
                if (leb(&in, &e2)) return -1;
                g = 3 + e2;
            }
            z = k ? z + 1 + g : g;
            if (z > 255 || fz > 2048) return -1;
            f[c][z] = fz;
            sum += fz;
        }
        has[c] = uc > 0;
        if (uc && sum != 2048) return -1;
    }
    if (in.end - in.p < 4) return -1;
    uint32_t X = u32(in.p);
    in.p += 4;
    if (X > (size_t)(in.end - in.p)) return -1;
    struct ans_in esc = { in.p, in.p + X };
    in.p += X;
    if (in.end - in.p < 256 || (in.end - in.p) % 2) return -1;
    uint32_t s[4][16];
    for (int r = 0; r < 4; r++)
        for (int j = 0; j < 16; j++) s[r][j] = u32(in.p + 4 * (16 * r + j));
    in.p += 256;

    /* the strips: n_j columns from column x_j */
    size_t q = w / 16, m = w % 16, nj[16], xj[16];
    for (size_t j = 0; j < 16; j++) {
        nj[j] = q + (j < m ? 1 : 0);
        xj[j] = j * q + (j < m ? j : m);
    }
    size_t S = nj[0];

    int32_t *t = xmalloc(N * sizeof *t);
    int bad = 0;
    for (size_t y0 = 0; y0 < h && !bad; y0 += 4) {
        size_t G = h - y0 < 4 ? h - y0 : 4;
        for (size_t k = 0; k < S + 2 * (G - 1) && !bad; k++)
            for (size_t r = 0; r < G && !bad; r++) {
                if (k < 2 * r || k - 2 * r >= S) continue;
                size_t st = k - 2 * r, y = y0 + r;
                for (size_t j = 0; j < 16 && !bad; j++) {
                    if (st >= nj[j]) continue;
                    size_t x = xj[j] + st, i = y * w + x;
                    int b = y > 0 ? t[i - w] : 0;
                    int a = st > 0 ? t[i - 1] : b;
                    int c = st > 0 && y > 0 ? t[i - w - 1] : b;
                    int d = st + 1 < nj[j] && y > 0 ? t[i - w + 1] : b;
                    int mx = a > b ? a : b, mn = a < b ? a : b;
                    int pred = c >= mx ? mn : c <= mn ? mx : a + b - c;
                    int ctx = 3 * (6 * strip_ctx_l((uint32_t)iabs(b - a)) +
                                   strip_ctx_l((uint32_t)(iabs(d - b) + iabs(b - c)))) +
                              (b > a ? 1 : b < a ? 2 : 0);
                    if (!has[ctx]) { bad = 1; break; }
                    uint64_t x0 = s[r][j];
                    uint32_t slot = (uint32_t)(x0 % 2048), cum = 0, z = 0;
                    while (!(cum <= slot && slot < cum + f[ctx][z])) cum += f[ctx][z++];
                    x0 = f[ctx][z] * (x0 / 2048) + slot - cum;
                    if (x0 < 65536) {
                        if (in.end - in.p < 2) { bad = 1; break; }
                        x0 = x0 * 65536 + u16(in.p);
                        in.p += 2;
                    }
                    s[r][j] = (uint32_t)x0;
                    if (z == 255) {
                        if (leb(&esc, &v)) { bad = 1; break; }
                        z = 255 + v;
                    }
                    int res = z % 2 ? -(int)((z + 1) / 2) : (int)(z / 2);
                    t[i] = pred + res;
                    if (t[i] < 0 || (uint32_t)t[i] >= P) bad = 1;
                }
            }
    }
    if (!bad && (in.p != in.end || esc.p != esc.end)) bad = 1;
    for (int r = 0; r < 4 && !bad; r++)
        for (int j = 0; j < 16 && !bad; j++)
            if (s[r][j] != 65536) bad = 1;
    for (size_t i = 0; i < N && !bad; i++) {
        uint32_t val = identity ? (uint32_t)t[i] : pal[t[i]];
        dst[2 * i] = (uint8_t)val;
        dst[2 * i + 1] = (uint8_t)(val >> 8);
    }
    free(t);
    return bad ? -1 : 0;
}

/* ---- chunks ------------------------------------------------------------- */

struct stream_ctx {
    uint64_t stored, raw;        /* sums over the chunks */
    uint64_t clip;
    uint32_t index;
    int array;                   /* codec raw */
    uint64_t frame_bytes;        /* fixed size, 0 when frames vary */
    uint64_t pose_unit;          /* J*C*4 for pose, else 0 */
    uint64_t next_packet;        /* chunks must tile the packets */
    uint64_t frames;             /* raw frames decoded (array streams) */
    XXH3_state_t *data, *pts;
};

static uint64_t g_chunks_checked;

static void read_chunk(struct stream_ctx *s, const uint8_t *ke, uint64_t k)
{
    uint64_t off = u64(ke), rsize = u64(ke + 8), first = u64(ke + 16), raw_total = u64(ke + 32);
    uint32_t nframes = u32(ke + 24);
    char where[96];
    snprintf(where, sizeof where, "clip %" PRIu64 " stream %u chunk %" PRIu64, s->clip, s->index, k);
    if (off < 8 || rsize < 24 + 48 || rsize > MAX_CHUNK || off > g_size - 32 || rsize > g_size - 32 - off)
        fail("%s: record at %" PRIu64 " size %" PRIu64 " lies outside the file", where, off, rsize);
    if (first != s->next_packet) fail("%s: starts at packet %" PRIu64 ", expected %" PRIu64, where, first, s->next_packet);
    uint8_t *rec = xmalloc((size_t)rsize);
    read_at(rec, off, (size_t)rsize);
    uint64_t blen = u64(rec + 8);
    if (u32(rec) != 2 || blen != rsize - 24) fail("%s: not a CHUNK record of the indexed size", where);
    const uint8_t *b = rec + 16;
    uint64_t sum = XXH3_64bits(b, (size_t)blen);
    if (sum != u64(b + blen) || sum != u64(ke + 40)) fail("%s: checksum mismatch", where);
    g_chunks_checked++;

    uint32_t n = u32(b + 16);
    unsigned comp = u16(b + 20), filt = u16(b + 22), esize = u16(b + 24), elem = u16(b + 26);
    uint32_t width = u32(b + 28);
    uint64_t stored = u64(b + 32), raw = u64(b + 40);
    if (u32(b) != s->clip || u32(b + 4) != s->index || u64(b + 8) != first || n != nframes || raw != raw_total)
        fail("%s: chunk header disagrees with the index", where);
    int depth_comp = comp == 3 || comp == 4;
    if (n == 0 || esize < 24 || comp > 4 || filt > 5 || elem == 0 ||
        ((filt == 2 || filt == 4) && (elem != 2 || width == 0)) || (depth_comp && (elem != 2 || width == 0 || filt)))
        fail("%s: bad chunk header", where);
    if ((uint64_t)n * esize > blen - 48 || stored != blen - 48 - (uint64_t)n * esize)
        fail("%s: frame table and payload do not fill the record", where);
    const uint8_t *tab = b + 48, *payload = tab + (uint64_t)n * esize;

    uint64_t sum_stored = 0, sum_raw = 0;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = tab + (uint64_t)i * esize;
        uint64_t fs = u32(e), fr = u32(e + 4);
        sum_stored += fs;
        sum_raw += fr;
        if (comp == 0 && fs != fr) fail("%s: frame %u stored and raw sizes differ", where, i);
        if (comp == 2 && fs != 0) fail("%s: frame %u has a stored size in a whole-chunk frame", where, i);
        if (s->frame_bytes && fr != s->frame_bytes) fail("%s: frame %u is %" PRIu64 " bytes", where, i, fr);
        if (s->pose_unit && fr % s->pose_unit) fail("%s: pose frame %u is not whole persons", where, i);
        if ((filt == 2 || filt == 4 || depth_comp) && fr % (2ull * width)) fail("%s: frame %u is not whole rows", where, i);
        if (depth_comp && fr == 0) fail("%s: %s frame %u is empty", where, comp == 3 ? "depth_ans" : "depth_strip", i);
    }
    if (sum_raw != raw || (comp != 2 && sum_stored != stored)) fail("%s: frame sizes do not add up", where);
    if (raw > MAX_CHUNK) fail("%s: %" PRIu64 " raw bytes exceed this reader's limit", where, raw);

    /* decompress: whole chunk at once, or frame by frame */
    uint8_t *filtered = xmalloc((size_t)raw), *out = xmalloc((size_t)raw);
    if (comp == 2) {
        if (ZSTD_getFrameContentSize(payload, (size_t)stored) != raw)
            fail("%s: the zstd frame does not declare the chunk's raw size", where);
        size_t got = ZSTD_decompress(filtered, (size_t)raw, payload, (size_t)stored);
        if (ZSTD_isError(got) || got != raw) fail("%s: zstd: %s", where, ZSTD_isError(got) ? ZSTD_getErrorName(got) : "wrong size");
    } else {
        uint64_t ip = 0, op = 0;
        for (uint32_t i = 0; i < n; i++) {
            const uint8_t *e = tab + (uint64_t)i * esize;
            uint64_t fs = u32(e), fr = u32(e + 4);
            if (comp == 0) {
                memcpy(filtered + op, payload + ip, (size_t)fs);
            } else if (comp == 3) {
                if (undepth_ans(filtered + op, payload + ip, (size_t)fs, (size_t)fr, width))
                    fail("%s frame %u: invalid depth_ans data", where, i);
            } else if (comp == 4) {
                if (undepth_strip(filtered + op, payload + ip, (size_t)fs, (size_t)fr, width))
                    fail("%s frame %u: invalid depth_strip data", where, i);
            } else {
                size_t got = ZSTD_decompress(filtered + op, (size_t)fr, payload + ip, (size_t)fs);
                if (ZSTD_isError(got) || got != fr)
                    fail("%s frame %u: zstd: %s", where, i, ZSTD_isError(got) ? ZSTD_getErrorName(got) : "wrong size");
            }
            ip += fs;
            op += fr;
        }
    }

    /* unfilter each frame; xor_prev needs the previous raw frame */
    uint64_t op = 0, prev = 0, prev_len = 0;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = tab + (uint64_t)i * esize;
        size_t fr = u32(e + 4);
        uint8_t *dst = out + op;
        const uint8_t *src = filtered + op;
        switch (filt) {
        case 0: memcpy(dst, src, fr); break;
        case 1: unshuffle(dst, src, fr, elem); break;
        case 2: undepth_med(dst, src, fr, width); break;
        case 5: undepth_up(dst, src, fr, width); break;
        case 4:
            if (undepth_rank(dst, src, fr, width)) fail("%s frame %u: invalid depth_rank data", where, i);
            break;
        case 3:
            unshuffle(dst, src, fr, elem);
            if (i > 0) {
                size_t m = fr < prev_len ? fr : (size_t)prev_len;
                for (size_t q = 0; q < m; q++) dst[q] ^= out[prev + q];
            }
            break;
        }
        XXH3_64bits_update(s->data, dst, fr);
        uint8_t pts[8];
        uint64_t p = (u32(e + 8) & 2) ? u64(e + 16) : UINT64_C(0x8000000000000000);
        for (int q = 0; q < 8; q++) pts[q] = (uint8_t)(p >> 8 * q);
        XXH3_64bits_update(s->pts, pts, 8);
        prev = op;
        prev_len = fr;
        op += fr;
    }
    s->next_packet += n;
    s->frames += n;
    s->stored += rsize;
    s->raw += raw;
    free(filtered);
    free(out);
    free(rec);
}

/* ---- clips and streams --------------------------------------------------- */

static const char *const kinds[] = { "?", "video", "image", "depth", "pose2d", "pose3d", "mask", "frame_labels", "custom" };
static const char *const dtypes[] = { "none", "u8", "i8", "u16", "i16", "u32", "i32", "f32", "f64", "u64", "i64", "f16" };
static const unsigned dsize[] = { 0, 1, 1, 2, 2, 4, 4, 4, 8, 8, 8, 2 };
static const char *const codecs[] = { "raw", "h264", "hevc", "mpeg4", "vp8", "vp9", "av1", "mjpeg", "ffv1", "rawvideo", "png" };
static const char *const skeletons[] = { "-", "coco17", "body25", "ntu25", "smpl24", "h36m17", "openpose18" };
static const char *const channels[] = { "-", "xy", "xyc", "xyz", "xyzc" };
#define NAME(tab, v) ((v) < sizeof tab / sizeof tab[0] ? tab[v] : "?")

static uint64_t read_stream(uint64_t c, uint32_t si, uint64_t sidx)
{
    const uint8_t *e = entry(S_STREAMS, sidx, "stream");
    unsigned kind = u16(e + 8), dtype = u16(e + 10), codec = u16(e + 12), ndim = u16(e + 14);
    if (ndim > 4) fail("clip %" PRIu64 " stream %u: ndim %u", c, si, ndim);
    uint32_t fn = u32(e + 48), fd = u32(e + 52);
    if (!fn || !fd) fail("clip %" PRIu64 " stream %u: zero frame rate", c, si);
    double scale;
    uint64_t sbits = u64(e + 56);
    memcpy(&scale, &sbits, 8);
    uint64_t frames = u64(e + 80), cfirst = u64(e + 88), ccount = u64(e + 96), packets = u64(e + 144);
    printf("  stream %u %s kind %s dtype %s codec %s shape", si, strref(e, NULL), NAME(kinds, kind),
           NAME(dtypes, dtype), codec == 255 ? "other" : NAME(codecs, codec));
    if (!ndim) printf(" -");
    for (unsigned k = 0; k < ndim; k++) printf("%s%" PRIu64, k ? "x" : " ", u64(e + 16 + 8 * k));
    printf(" fps %u/%u scale %.17g units %s skeleton %s channels %s\n", fn, fd, scale, orna(strref(e + 64, NULL)),
           NAME(skeletons, u16(e + 72)), NAME(channels, u16(e + 74)));
    printf("    compression %u filter %u frames %" PRIu64 " chunks %" PRIu64 " stored %" PRIu64 " raw %" PRIu64 "\n",
           u16(e + 76), u16(e + 78), frames, ccount, u64(e + 104), u64(e + 112));
    strref_bytes(e + 120, NULL, 0);   /* extradata is binary */
    strref(e + 128, NULL);
    /* spec 12, rows 23-24: a stream the reader cannot interpret is an error */
    if (kind < 1 || kind > 8 || dtype > 11 || (codec > 10 && codec != 255) || u16(e + 76) > 4 || u16(e + 78) > 5)
        fail("clip %" PRIu64 " stream %u: unknown kind, dtype, codec, compression or filter", c, si);
    if ((ccount == 0) != (packets == 0)) fail("clip %" PRIu64 " stream %u: %" PRIu64 " chunks for %" PRIu64 " packets", c, si, ccount, packets);
    if (codec == 0) {
        if (kind == 1 || dtype == 0 || frames != packets || ndim == 0)
            fail("clip %" PRIu64 " stream %u: not a valid array stream", c, si);
        for (unsigned k = (kind == 4 || kind == 5) ? 1 : 0; k < ndim; k++)
            if (u64(e + 16 + 8 * k) == 0) fail("clip %" PRIu64 " stream %u: a zero dimension", c, si);
        if ((kind == 4 || kind == 5) && (ndim != 3 || dtype != 7)) fail("clip %" PRIu64 " stream %u: pose is not (P, J, C) f32", c, si);
    }

    struct stream_ctx s = { .clip = c, .index = si, .array = codec == 0 };
    int pose = kind == 4 || kind == 5;
    if (s.array && dtype < sizeof dsize / sizeof dsize[0] && dsize[dtype]) {
        if (pose) {
            uint64_t j = u64(e + 24), ch = u64(e + 32);
            if (!j || !ch || j > 65536 || ch > 64) fail("clip %" PRIu64 " stream %u: bad pose shape", c, si);
            s.pose_unit = j * ch * 4;
        } else {
            s.frame_bytes = dsize[dtype];
            for (unsigned k = 0; k < ndim; k++) {
                uint64_t d = u64(e + 16 + 8 * k);
                if (d && s.frame_bytes > UINT64_MAX / d) fail("clip %" PRIu64 " stream %u: shape overflows", c, si);
                s.frame_bytes *= d;
            }
        }
    } else if (s.array) {
        fail("clip %" PRIu64 " stream %u: unknown dtype %u", c, si, dtype);
    }
    s.data = XXH3_createState();
    s.pts = XXH3_createState();
    XXH3_64bits_reset(s.data);
    XXH3_64bits_reset(s.pts);
    if (cfirst > sec[S_CHUNKS].count || ccount > sec[S_CHUNKS].count - cfirst)
        fail("clip %" PRIu64 " stream %u: chunk range outside CHUNKS", c, si);
    for (uint64_t k = 0; k < ccount; k++) read_chunk(&s, entry(S_CHUNKS, cfirst + k, "chunk"), k);
    if (s.next_packet != packets) fail("clip %" PRIu64 " stream %u: chunks hold %" PRIu64 " packets, index says %" PRIu64,
                                       c, si, s.next_packet, packets);
    if (s.array && s.frames != frames) fail("clip %" PRIu64 " stream %u: frame count mismatch", c, si);
    if (s.stored != u64(e + 104) || s.raw != u64(e + 112))
        fail("clip %" PRIu64 " stream %u: stored or raw bytes differ from the sums over its chunks", c, si);
    printf("    data %016" PRIx64 " pts ", XXH3_64bits_digest(s.data));
    if (s.array) printf("%016" PRIx64 "\n", XXH3_64bits_digest(s.pts));
    else printf("-\n");
    XXH3_freeState(s.data);
    XXH3_freeState(s.pts);
    return frames;
}

static void read_clip(uint64_t c)
{
    const uint8_t *e = entry(S_CLIPS, c, "clip");
    const char *id = strref(e, NULL);
    if (hash_lookup(S_CLIP_IDS, id, clip_is) != c) fail("clip %" PRIu64 " (%s) is not found by its id", c, id);
    printf("clip %" PRIu64 " id %s split %s source %s synthetic %u frames %" PRIu64 " labels", c, id,
           orna(strref(e + 8, NULL)), orna(strref(e + 16, NULL)), u32(e + 72) & 1, u64(e + 56));
    uint64_t lf = u32(e + 32), lc = u32(e + 36), gf0 = u32(e + 40), gc0 = u32(e + 44);
    if (lf + lc > sec[S_CLIP_LABELS].count || gf0 + gc0 > sec[S_GROUPS].count)
        fail("clip %" PRIu64 ": label or group range outside the index", c);
    if (!lc) printf(" -");
    for (uint64_t i = 0; i < lc; i++) {
        uint32_t l = u32(entry(S_CLIP_LABELS, lf + i, "clip label"));
        printf("%s%s", i ? "," : " ", strref(entry(S_LABELS, l, "label"), NULL));
    }
    uint64_t gf = u32(e + 40), gc = u32(e + 44);
    printf(" groups");
    if (!gc) printf(" -");
    for (uint64_t i = 0; i < gc; i++) {
        const uint8_t *g = entry(S_GROUPS, gf + i, "group");
        printf("%s%s=%s", i ? "," : " ", strref(g, NULL), strref(g + 8, NULL));
    }
    uint32_t mlen;
    const char *meta = strref(e + 24, &mlen);
    printf("\n  meta %.*s\n", (int)mlen, meta);

    /* the CLIP record: present, of its type, intact (spec 12, full verify) */
    uint64_t at = u64(e + 64);
    uint8_t pre[16];
    if (at < 8 || at > g_size - 32 - 24) fail("clip %" PRIu64 ": CLIP record offset outside the file", c);
    read_at(pre, at, 16);
    uint64_t blen = u64(pre + 8);
    if (u32(pre) != 3 || blen > MAX_CHUNK || blen > g_size - 32 - 24 - at) fail("clip %" PRIu64 ": no CLIP record at %" PRIu64, c, at);
    uint8_t *body = xmalloc((size_t)blen + 8);
    read_at(body, at + 16, (size_t)blen + 8);
    if (XXH3_64bits(body, (size_t)blen) != u64(body + blen)) fail("clip %" PRIu64 ": CLIP record checksum mismatch", c);
    free(body);

    uint64_t sf = u32(e + 48), sc = u32(e + 52);
    if (sf > sec[S_STREAMS].count || sc > sec[S_STREAMS].count - sf) fail("clip %" PRIu64 ": stream range outside STREAMS", c);
    uint64_t most = 0;
    for (uint32_t s = 0; s < sc; s++) {
        uint64_t f = read_stream(c, s, sf + s);
        if (f > most) most = f;
    }
    if (most != u64(e + 56)) fail("clip %" PRIu64 ": frame count %" PRIu64 " is not its longest stream's %" PRIu64, c, u64(e + 56), most);
}

/* ---- forward scan (spec section 13) ---------------------------------------- */

/* Walk records from offset 8, trusting nothing but each record's own
 * checksum. A CLIP record is complete when the chunks before it with its
 * clip_index tile every stream from packet 0 without a gap; the stream
 * lengths live in the CLIP record's JSON, which this reader does not parse,
 * so it reports the chunk runs it found. */
static int scan(void)
{
    g_file = fopen(g_path, "rb");
    if (!g_file) fail("%s", strerror(errno));
    if (fseeko(g_file, 0, SEEK_END) != 0) fail("cannot seek");
    g_size = (uint64_t)ftello(g_file);
    uint8_t head[8];
    if (g_size < 8 + 24) fail("no HEADER: nothing to recover");
    read_at(head, 0, 8);
    if (memcmp(head, MAGIC, 7) != 0 || head[7] != 1) fail("not a .synapt file of major 1");
    enum { MAX_RUNS = 4096 };
    struct run { uint32_t clip, stream; uint64_t next; int broken; };
    static struct run runs[MAX_RUNS];
    size_t nruns = 0;
    uint64_t pos = 8, records = 0, chunks = 0, clips = 0, clips_ok = 0;
    int index_seen = 0;
    const char *stop = "end of file";
    while (pos + 24 <= g_size) {
        uint8_t pre[16];
        read_at(pre, pos, 16);
        uint32_t type = u32(pre);
        uint64_t blen = u64(pre + 8);
        if (blen > g_size - pos - 24) { stop = "a record runs past the end (torn write)"; break; }
        if (blen > MAX_CHUNK) { stop = "a record larger than this reader's limit"; break; }
        uint8_t *body = xmalloc((size_t)blen + 8);
        read_at(body, pos + 16, (size_t)blen + 8);
        if (XXH3_64bits(body, (size_t)blen) != u64(body + blen)) { free(body); stop = "a record with a bad checksum"; break; }
        if (records == 0 && type != 1) { free(body); fail("the first record is not a HEADER"); }
        records++;
        if (type == 2 && blen >= 48) {
            uint32_t c = u32(body), st = u32(body + 4);
            uint64_t first = u64(body + 8), n = u32(body + 16);
            size_t k = 0;
            while (k < nruns && (runs[k].clip != c || runs[k].stream != st)) k++;
            if (k == nruns && nruns < MAX_RUNS) runs[nruns++] = (struct run){ c, st, 0, 0 };
            if (k < nruns) {
                if (first != runs[k].next) runs[k].broken = 1;
                runs[k].next = first + n;
            }
            chunks++;
        } else if (type == 3) {
            /* clip indices follow the order of CLIP records (spec 15); a
             * full recovery tool reads clip_index and every stream's
             * packet count from the JSON, this demo checks the runs */
            clips++;
            int ok = 1;
            uint64_t streams = 0;
            for (size_t k = 0; k < nruns; k++)
                if (runs[k].clip == clips - 1) { streams++; if (runs[k].broken) ok = 0; }
            clips_ok += ok;
            printf("scan: CLIP record at %" PRIu64 ": %" PRIu64 " streams with chunks%s\n", pos, streams,
                   ok ? "" : ", a stream has a gap");
        } else if (type == 4) {
            index_seen = 1;
        }
        free(body);
        pos += 24 + blen;
        if (index_seen) { stop = "the INDEX"; break; }
    }
    printf("scan: %" PRIu64 " records, %" PRIu64 " chunks, %" PRIu64 " clips (%" PRIu64 " without gaps); stopped at %s\n",
           records, chunks, clips, clips_ok, stop);
    fclose(g_file);
    if (!records) fail("no HEADER record: nothing to recover");
    return index_seen && clips_ok == clips ? 0 : 3;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--scan")) {
        g_path = argv[2];
        return scan();
    }
    if (argc != 2) {
        fprintf(stderr, "usage: mini_reader FILE.synapt | mini_reader --scan FILE.synapt\n");
        return 2;
    }
    g_path = argv[1];
    open_file();
    for (uint64_t l = 0; l < sec[S_LABELS].count; l++) {
        const char *name = strref(entry(S_LABELS, l, "label"), NULL);
        if (hash_lookup(S_LABEL_IDS, name, label_is) != l) fail("label %" PRIu64 " (%s) is not found by name", l, name);
        printf("label %" PRIu64 " %s\n", l, name);
    }
    for (uint64_t c = 0; c < sec[S_CLIPS].count; c++) read_clip(c);
    printf("verified\n");
    fclose(g_file);
    free(g_index);
    return 0;
}
