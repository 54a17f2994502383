/* test_verify_sweep.c - mutation sweep of the golden files (spec 12).
 *
 * Every structural field of basic.synapt, video.synapt and empty.synapt
 * (header, record prefixes, chunk headers, frame tables, index directory and
 * entries, footer) and a sample of payload and CLIP record bytes is altered
 * in memory, one at a time, and the checksums over it are recomputed (record,
 * ChunkEntry, INDEX, footer) so that the damage reaches the checks behind
 * them. For each mutant:
 *   - a field the spec constrains must make open or full verification fail,
 *     with one of the spec's error classes and a one-line message;
 *   - whatever verification says, every reader call runs without crashing
 *     (ASan build: `make asan`) and no single allocation exceeds a cap;
 *   - when the full verification passes, the quick one passes too, and every
 *     read of every stream succeeds: verification promises readability.
 * Then the faults the issue names (duplicate ids, a filtered video chunk,
 * encoded streams of other kinds or dtypes, a CLIP record that disagrees,
 * has_pts, elem_size, trailing zstd bytes, ...) are planted one by one and
 * must be rejected with their class.
 *
 * `test_verify_sweep --all` mutates every byte of each file with several
 * values instead of sampling payloads (minutes; not part of make test).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include <libavutil/log.h>

#include "synapt.h"
#include "testutil.h"

static int g_all;
/* sanitizer builds (make asan) run a lighter sweep: fewer values per field */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
static const int g_light = 1;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
static const int g_light = 1;
#else
static const int g_light = 0;
#endif
#else
static const int g_light = 0;
#endif

/* ---- little-endian helpers (the spec's layout, no library internals) ---- */
static uint64_t rd(const uint8_t *p, int w) { uint64_t v = 0; for (int i = w - 1; i >= 0; i--) v = v << 8 | p[i]; return v; }
static void wr(uint8_t *p, int w, uint64_t v) { for (int i = 0; i < w; i++) p[i] = (uint8_t)(v >> 8 * i); }

/* ---- a capped, counting allocator ---- */
#define CAP_BYTES (64u << 20)
static size_t g_biggest;
static void *cap_malloc(void *o, size_t n) { (void)o; if (n > g_biggest) g_biggest = n; return n > CAP_BYTES ? NULL : malloc(n); }
static void *cap_realloc(void *o, void *p, size_t n) { (void)o; if (n > g_biggest) g_biggest = n; return n > CAP_BYTES ? NULL : realloc(p, n); }
static void cap_free(void *o, void *p) { (void)o; free(p); }
static const synapt_allocator g_alloc = { cap_malloc, cap_realloc, cap_free, NULL };

static synapt_reader_options reader_opts(void)
{
    synapt_reader_options o = SYNAPT_READER_OPTIONS_INIT;
    o.allocator = &g_alloc;
    o.limits.max_index_bytes = 16u << 20;
    o.limits.max_chunk_bytes = 16u << 20;
    o.limits.max_frame_bytes = 8u << 20;
    o.limits.max_string_bytes = 1u << 20;
    return o;
}

/* ---- the structure of a sound file ---- */
typedef struct rec { size_t off, blen; uint32_t type; } rec;
typedef struct layout {
    const uint8_t *f;
    size_t n, index_at, nrec;
    rec r[512];
} layout;

static int parse_layout(layout *L, const uint8_t *f, size_t n)
{
    memset(L, 0, sizeof *L);
    L->f = f;
    L->n = n;
    L->index_at = rd(f + n - 32, 8);
    for (size_t pos = 8; pos < n - 32 && L->nrec < 512;) {
        rec x = { pos, rd(f + pos + 8, 8), (uint32_t)rd(f + pos, 4) };
        L->r[L->nrec++] = x;
        pos += 24 + x.blen;
    }
    return L->nrec > 0 && L->r[L->nrec - 1].off == L->index_at;
}

static const rec *record_of(const layout *L, size_t off)
{
    for (size_t i = 0; i < L->nrec; i++)
        if (off >= L->r[i].off && off < L->r[i].off + 24 + L->r[i].blen) return &L->r[i];
    return NULL;
}

/* Recompute what a byte changed at `off` invalidates: its record's checksum
 * (not when the byte is in the prefix or the checksum itself), a chunk's
 * ChunkEntry checksums, the INDEX checksum, the footer checksum. */
static void fix_checksums(const layout *L, uint8_t *m, size_t off)
{
    size_t n = L->n;
    const rec *x = record_of(L, off);
    const rec *ix = &L->r[L->nrec - 1];
    if (x && off >= x->off + 16 && off < x->off + 16 + x->blen) {
        uint64_t sum = XXH3_64bits(m + x->off + 16, x->blen);
        wr(m + x->off + 16 + x->blen, 8, sum);
        if (x->type == 2) {
            const uint8_t *ib = m + ix->off + 16;
            uint32_t ns = (uint32_t)rd(ib + 4, 4);
            for (uint32_t i = 0; i < ns && 8 + 24 * (size_t)(i + 1) <= ix->blen; i++) {
                const uint8_t *d = ib + 8 + 24 * i;
                uint64_t so = rd(d + 8, 8), cnt = rd(d + 16, 8), es = rd(d + 4, 4);
                if (rd(d, 4) != 4 || es < 48 || so > ix->blen || cnt > (ix->blen - so) / es) continue;
                for (uint64_t k = 0; k < cnt; k++)
                    if (rd(m + ix->off + 16 + so + k * es, 8) == x->off) wr(m + ix->off + 16 + so + k * es + 40, 8, sum);
            }
        }
    }
    if (!(x == ix && off >= ix->off + 16 + ix->blen))
        wr(m + ix->off + 16 + ix->blen, 8, XXH3_64bits(m + ix->off + 16, ix->blen));
    if (off < n - 16 || off >= n - 8) wr(m + n - 16, 8, XXH3_64bits(m + n - 32, 16));
}

/* ---- reading everything ---- */

/* Read every stream of every clip through the public calls. Returns the
 * first failure (0 when all succeed). Used on every mutant (the result is
 * only asserted on mutants that passed verification). */
static int read_all(synapt_reader *r, char *why, size_t wn)
{
    int first = 0;
#define NOTE(call, what) do { int rc_ = (call); if (rc_ && !first) { first = rc_; \
    snprintf(why, wn, "%s: %s", what, synapt_reader_errmsg(r)); } } while (0)
    uint64_t nc = synapt_reader_clip_count(r);
    for (uint64_t c = 0; c < nc && c < 64; c++) {
        synapt_clip_info ci;
        NOTE(synapt_reader_clip(&ci, r, c), "clip");
        if (synapt_reader_clip(&ci, r, c)) continue;
        uint64_t back;
        NOTE(synapt_reader_find_clip(&back, r, ci.id), "find_clip");
        uint32_t labels[64];
        size_t nl;
        NOTE(synapt_reader_clip_labels(labels, 64, &nl, r, c), "clip_labels");
        for (uint32_t g = 0; g < ci.group_count && g < 64; g++) {
            const char *k, *v;
            NOTE(synapt_reader_clip_group(&k, &v, r, c, g), "clip_group");
        }
        for (uint32_t s = 0; s < ci.stream_count && s < 64; s++) {
            synapt_stream_info si;
            NOTE(synapt_reader_stream(&si, r, c, s), "stream");
            if (synapt_reader_stream(&si, r, c, s)) continue;
            uint64_t np = si.packet_count < 4096 ? si.packet_count : 4096;
            synapt_frame_entry *fe = malloc((np ? np : 1) * sizeof *fe);
            NOTE(synapt_reader_frame_entries(fe, r, c, s, 0, np), "frame_entries");
            for (uint64_t k = 0; k < si.chunk_count && k < 4096; k++) {
                synapt_chunk_info ck;
                NOTE(synapt_reader_chunk(&ck, r, c, s, k), "chunk");
                size_t bs;
                (void)synapt_reader_read_chunk_body(NULL, 0, &bs, r, c, s, k);
            }
            size_t need = 0;
            if (si.codec != SYNAPT_CODEC_RAW) {
                (void)synapt_reader_read_packets(r, c, s, 0, np, NULL, 0, &need);
                void *buf = malloc(need ? need : 1);
                NOTE(synapt_reader_read_packets(r, c, s, 0, np, buf, need, &need), "read_packets");
                free(buf);
                synapt_video_info vi;
                if (si.kind == SYNAPT_KIND_VIDEO && *si.codec_config && !synapt_video_get_info(&vi, r, c, s) &&
                    vi.frame_count && vi.frame_count < 256 && vi.rgb_frame_bytes < (4u << 20)) {
                    void *rgb = malloc(vi.rgb_frame_bytes * vi.frame_count);
                    /* verification checks the container and the profile's
                     * metadata, not that FFmpeg decodes the packets: a
                     * damaged packet only has to fail cleanly here */
                    (void)synapt_video_read(rgb, vi.rgb_frame_bytes * vi.frame_count, NULL, r, c, s, 0,
                                            vi.frame_count, SYNAPT_PIXFMT_RGB24);
                    free(rgb);
                    int64_t *pts = malloc(vi.frame_count * sizeof *pts);
                    NOTE(synapt_video_frame_pts(pts, r, c, s, 0, vi.frame_count), "video_frame_pts");
                    free(pts);
                }
            } else if (si.kind == SYNAPT_KIND_POSE2D || si.kind == SYNAPT_KIND_POSE3D) {
                uint32_t mp = 0;
                NOTE(synapt_reader_pose_max_persons(&mp, r, c, s), "pose_max_persons");
                size_t cnt = (size_t)np * (mp ? mp : 1) * (size_t)si.shape[1] * (size_t)si.shape[2];
                if (cnt < (1u << 22)) {
                    float *pb = malloc((cnt ? cnt : 1) * sizeof *pb);
                    NOTE(synapt_reader_read_pose(pb, cnt, r, c, s, 0, np, mp), "read_pose");
                    free(pb);
                }
            } else if (si.frame_bytes && si.frame_bytes * np < (16u << 20)) {
                void *buf = malloc(si.frame_bytes * np + 1);
                NOTE(synapt_reader_read_frames(buf, si.frame_bytes * np, NULL, r, c, s, 0, np), "read_frames");
                free(buf);
            }
            int64_t *pts = malloc((np ? np : 1) * sizeof *pts);
            if (si.codec == SYNAPT_CODEC_RAW) NOTE(synapt_reader_frame_pts(pts, r, c, s, 0, np), "frame_pts");
            free(pts);
            free(fe);
        }
    }
#undef NOTE
    return first;
}

/* ---- one mutant ---- */

typedef struct stats { unsigned mutants, must, caught, any_caught, any; } stats;

static int spec_class(int rc)
{
    return rc == SYNAPT_E_CORRUPT || rc == SYNAPT_E_CHECKSUM || rc == SYNAPT_E_LIMIT || rc == SYNAPT_E_VERSION ||
           rc == SYNAPT_E_FEATURE || rc == SYNAPT_E_TRUNCATED || rc == SYNAPT_E_NOT_SYNAPT;
}

/* Verify a mutant image: open, full and quick verification, every read.
 * Returns the code of open or full verification; *msg the message. */
static int judge(const uint8_t *m, size_t n, const char *what, char *msg, size_t mn, int *bad)
{
    synapt_reader_options o = reader_opts();
    synapt_reader *r = NULL;
    g_biggest = 0;
    int rc = synapt_reader_open_memory(&r, m, n, "mutant.synapt", &o, msg, mn);
    if (!rc) {
        synapt_verify_options q = SYNAPT_VERIFY_OPTIONS_INIT;
        q.flags = SYNAPT_VERIFY_QUICK;
        int qrc = synapt_reader_verify2(r, &q);
        rc = synapt_reader_verify2(r, NULL);
        snprintf(msg, mn, "%s", rc ? synapt_reader_errmsg(r) : "");
        char why[600];
        int rrc = read_all(r, why, sizeof why);
        if (!rc && qrc) {
            printf("  %s: full verification passes, the quick one fails (%d)\n", what, qrc);
            *bad = 1;
        }
        if (!rc && rrc) {
            printf("  %s: verification passes but a read fails: %s\n", what, why);
            *bad = 1;
        }
        synapt_reader_close(r);
    }
    if (g_biggest > CAP_BYTES) {
        printf("  %s: an allocation of %zu bytes was asked for\n", what, g_biggest);
        *bad = 1;
    }
    if (rc && (!spec_class(rc) || !*msg || strchr(msg, '\n') || !strstr(msg, "mutant.synapt"))) {
        printf("  %s: code %d, message \"%s\" (want a spec class and one line naming the file)\n", what, rc, msg);
        *bad = 1;
    }
    return rc;
}

/* must: 1 the field is constrained (the mutant must be rejected), 0 any,
 * 2 feature bits: rejected unless only bit 0 (depth_rank, known) is set,
 * 3 rejected when smaller (a count whose extra entries may be ignored). */
static void mutate(const layout *L, uint8_t *m, size_t off, int w, int must, const char *name, stats *st, int *bad)
{
    uint64_t v0 = rd(L->f + off, w);
    uint64_t top = 1ull << (8 * w - 1), ones = w == 8 ? UINT64_MAX : (1ull << 8 * w) - 1;
    uint64_t vals[] = { v0 ^ 1, v0 ^ top, v0 ? 0 : 1, ones, (v0 + 2) & ones, v0 ^ 0x10 };
    int nv = g_all ? 6 : must ? 4 - 2 * g_light : 2 - g_light;
    for (int k = 0; k < nv; k++) {
        if (vals[k] == v0) continue;
        memcpy(m, L->f, L->n);
        wr(m + off, w, vals[k]);
        fix_checksums(L, m, off);
        char what[160], msg[1024];
        snprintf(what, sizeof what, "%s at %zu: %llu -> %llu", name, off, (unsigned long long)v0,
                 (unsigned long long)vals[k]);
        int rc = judge(m, L->n, what, msg, sizeof msg, bad);
        st->mutants++;
        int need = must == 2 ? (vals[k] & ~1ull) != 0 || ((v0 & 1) && !(vals[k] & 1)) : must == 3 ? vals[k] < v0 : must;
        if (need) {
            st->must++;
            if (rc) st->caught++;
            else {
                printf("  %s: accepted by open and full verification\n", what);
                *bad = 1;
            }
        } else {
            st->any++;
            if (rc) st->any_caught++;
        }
    }
}

/* ---- the fields of a sound file ---- */

static size_t dir_find(const uint8_t *ib, uint32_t id, uint64_t *off, uint64_t *count, uint32_t *es)
{
    uint32_t ns = (uint32_t)rd(ib + 4, 4);
    for (uint32_t i = 0; i < ns; i++)
        if (rd(ib + 8 + 24 * i, 4) == id) {
            *es = (uint32_t)rd(ib + 8 + 24 * i + 4, 4);
            *off = rd(ib + 8 + 24 * i + 8, 8);
            *count = rd(ib + 8 + 24 * i + 16, 8);
            return 1;
        }
    return 0;
}

static void sweep_file(const char *path)
{
    tu_begin(path);
    FILE *fp = fopen(path, "rb");
    if (!fp) { printf("  cannot open %s\n", path); tu_case_failed_ = 1; tu_end(); return; }
    static uint8_t f[1 << 20], m[1 << 20];
    size_t n = fread(f, 1, sizeof f, fp);
    fclose(fp);
    static layout L;
    int bad = 0;
    stats st = { 0, 0, 0, 0, 0 };
    if (!parse_layout(&L, f, n)) { printf("  %s: not a sound golden file\n", path); tu_case_failed_ = 1; tu_end(); return; }
    /* magic, HEADER */
    for (size_t i = 0; i < 8; i++) mutate(&L, m, i, 1, 1, "magic", &st, &bad);
    size_t h = 8 + 16;
    mutate(&L, m, 8, 4, 1, "HEADER type", &st, &bad);
    mutate(&L, m, 16, 8, 1, "HEADER body_len", &st, &bad);
    mutate(&L, m, h, 2, 1, "format_major", &st, &bad);
    mutate(&L, m, h + 2, 2, 0, "format_minor", &st, &bad);
    mutate(&L, m, h + 8, 8, 0, "uuid", &st, &bad);
    mutate(&L, m, h + 24, 8, 2, "required_features", &st, &bad);
    mutate(&L, m, h + 32, 8, 0, "optional_features", &st, &bad);
    mutate(&L, m, h + 40, 8, 0, "created_unix", &st, &bad);
    /* a shorter writer string leaves reserved bytes, which readers ignore */
    mutate(&L, m, h + 48, 2, 0, "writer_len", &st, &bad);
    mutate(&L, m, 8 + 16 + L.r[0].blen, 8, 1, "HEADER checksum", &st, &bad);
    /* records between HEADER and INDEX */
    for (size_t i = 1; i + 1 < L.nrec; i++) {
        const rec *x = &L.r[i];
        const uint8_t *b = f + x->off + 16;
        mutate(&L, m, x->off, 4, 1, "record type", &st, &bad);
        mutate(&L, m, x->off + 4, 4, 0, "record flags", &st, &bad);
        mutate(&L, m, x->off + 8, 8, 1, "record body_len", &st, &bad);
        mutate(&L, m, x->off + 16 + x->blen, 8, 1, "record checksum", &st, &bad);
        size_t step = g_all ? 1 : x->blen / 6 + 1;
        if (x->type == 3) {
            /* JSON text: most changes alter a value or the syntax, some
             * (a key renamed to an unknown one whose value was empty) not */
            for (size_t k = 0; k < x->blen; k += step) mutate(&L, m, x->off + 16 + k, 1, 0, "CLIP record byte", &st, &bad);
            continue;
        }
        if (x->type != 2) continue;
        static const struct { int off, w, must; const char *name; } ch[] = {
            { 0, 4, 1, "chunk clip_index" }, { 4, 4, 1, "chunk stream_index" }, { 8, 8, 1, "chunk first_frame" },
            { 16, 4, 1, "chunk frame_count" }, { 20, 2, 1, "chunk compression" }, { 22, 2, 1, "chunk filter" },
            { 24, 2, 1, "chunk entry_size" }, { 26, 2, 1, "chunk elem_size" }, { 28, 4, 0, "chunk width" },
            { 32, 8, 1, "chunk stored_size" }, { 40, 8, 1, "chunk raw_size" },
        };
        for (size_t k = 0; k < sizeof ch / sizeof ch[0]; k++) {
            /* a depth_rank stream's chunks may each be stored with depth_rank,
             * depth_med, depth_up or no filter (spec 7.4): a change among
             * them decodes to other values, none of them wrong in form */
            uint64_t cf = rd(b + 22, 2);
            int must = ch[k].must && !(ch[k].off == 22 && (cf == 2 || cf == 4 || cf == 5));
            mutate(&L, m, x->off + 16 + ch[k].off, ch[k].w, must, ch[k].name, &st, &bad);
        }
        uint32_t cnt = (uint32_t)rd(b + 16, 4), es = (uint32_t)rd(b + 24, 2);
        uint16_t comp = (uint16_t)rd(b + 20, 2);
        for (uint32_t j = 0; j < cnt; j++) {
            size_t e = x->off + 16 + 48 + (size_t)j * es;
            /* compression 2 stores 0 here: any other value is caught, but 0
             * -> 0 is no mutation; its sizes are otherwise all checked */
            mutate(&L, m, e, 4, 1, "frame stored_size", &st, &bad);
            mutate(&L, m, e + 4, 4, 1, "frame raw_size", &st, &bad);
            mutate(&L, m, e + 8, 4, 0, "frame flags", &st, &bad);
            mutate(&L, m, e + 16, 8, 0, "frame pts", &st, &bad);
            (void)comp;
        }
        size_t pay = 48 + (size_t)cnt * es;
        for (size_t k = pay; k < x->blen; k += step) mutate(&L, m, x->off + 16 + k, 1, 0, "payload byte", &st, &bad);
    }
    /* INDEX */
    const rec *ix = &L.r[L.nrec - 1];
    size_t ib = ix->off + 16;
    mutate(&L, m, ix->off + 8, 8, 1, "INDEX body_len", &st, &bad);
    mutate(&L, m, ib, 4, 1, "index_version", &st, &bad);
    /* the directory: many changes are legal (a larger entry_size over one
     * entry, an extra entry nobody references, sections an empty file does
     * not need), so it is held to the readability oracle only */
    uint64_t nclips = 0, so0;
    uint32_t es0;
    dir_find(f + ib, 1, &so0, &nclips, &es0);
    /* more directory entries read section data as entries of unknown
     * sections, which readers ignore; fewer lose a section */
    mutate(&L, m, ib + 4, 4, nclips > 0 ? 3 : 0, "section_count", &st, &bad);
    uint32_t ns = (uint32_t)rd(f + ib + 4, 4);
    for (uint32_t i = 0; i < ns; i++) {
        size_t d = ib + 8 + 24 * (size_t)i;
        mutate(&L, m, d, 4, 0, "directory section_id", &st, &bad);
        mutate(&L, m, d + 4, 4, 0, "directory entry_size", &st, &bad);
        mutate(&L, m, d + 8, 8, 0, "directory offset", &st, &bad);
        mutate(&L, m, d + 16, 8, 0, "directory count", &st, &bad);
    }
    static const struct { uint32_t sec; int off, w, must; const char *name; } ent[] = {
        { 1, 0, 8, 1, "ClipEntry id" }, { 1, 8, 8, 1, "ClipEntry split" }, { 1, 16, 8, 1, "ClipEntry source" },
        { 1, 24, 8, 1, "ClipEntry meta" }, { 1, 32, 4, 0, "ClipEntry label_first" }, { 1, 36, 4, 1, "ClipEntry label_count" },
        { 1, 40, 4, 0, "ClipEntry group_first" }, { 1, 44, 4, 1, "ClipEntry group_count" },
        { 1, 48, 4, 1, "ClipEntry stream_first" }, { 1, 52, 4, 1, "ClipEntry stream_count" },
        { 1, 56, 8, 1, "ClipEntry frame_count" }, { 1, 64, 8, 1, "ClipEntry clip_record_offset" },
        { 1, 72, 4, 0, "ClipEntry flags" }, { 1, 76, 4, 0, "ClipEntry reserved" },
        { 2, 0, 8, 1, "CLIP_IDS hash" }, { 2, 8, 4, 1, "CLIP_IDS clip" },
        { 3, 0, 8, 1, "StreamEntry name" }, { 3, 8, 2, 1, "StreamEntry kind" }, { 3, 10, 2, 1, "StreamEntry dtype" },
        { 3, 12, 2, 1, "StreamEntry codec" }, { 3, 14, 2, 1, "StreamEntry ndim" }, { 3, 16, 8, 1, "StreamEntry shape[0]" },
        { 3, 24, 8, 1, "StreamEntry shape[1]" }, { 3, 48, 4, 1, "StreamEntry fps_num" }, { 3, 52, 4, 1, "StreamEntry fps_den" },
        { 3, 56, 8, 1, "StreamEntry scale" }, { 3, 64, 8, 1, "StreamEntry units" }, { 3, 72, 2, 1, "StreamEntry skeleton" },
        { 3, 74, 2, 1, "StreamEntry channels" }, { 3, 76, 2, 1, "StreamEntry compression" },
        { 3, 78, 2, 1, "StreamEntry filter" }, { 3, 80, 8, 1, "StreamEntry frame_count" },
        { 3, 88, 8, 1, "StreamEntry chunk_first" }, { 3, 96, 8, 1, "StreamEntry chunk_count" },
        { 3, 104, 8, 1, "StreamEntry stored_bytes" }, { 3, 112, 8, 1, "StreamEntry raw_bytes" },
        { 3, 120, 8, 1, "StreamEntry extradata" }, { 3, 128, 8, 1, "StreamEntry codec_config" },
        { 3, 136, 4, 0, "StreamEntry flags" }, { 3, 140, 4, 1, "StreamEntry max_persons" },
        { 3, 144, 8, 1, "StreamEntry packet_count" }, { 3, 152, 8, 0, "StreamEntry reserved" },
        { 4, 0, 8, 1, "ChunkEntry file_offset" }, { 4, 8, 8, 1, "ChunkEntry record_size" },
        { 4, 16, 8, 1, "ChunkEntry first_frame" }, { 4, 24, 4, 1, "ChunkEntry frame_count" },
        { 4, 28, 4, 0, "ChunkEntry reserved" }, { 4, 32, 8, 1, "ChunkEntry raw_size" }, { 4, 40, 8, 1, "ChunkEntry checksum" },
        { 5, 0, 8, 1, "LABELS name" }, { 6, 0, 8, 1, "LABEL_IDS hash" }, { 6, 8, 4, 1, "LABEL_IDS label" },
        { 7, 0, 4, 1, "CLIP_LABELS id" }, { 8, 0, 8, 1, "GROUPS key" }, { 8, 8, 8, 1, "GROUPS value" },
    };
    for (size_t k = 0; k < sizeof ent / sizeof ent[0]; k++) {
        uint64_t so, cnt;
        uint32_t es;
        if (!dir_find(f + ib, ent[k].sec, &so, &cnt, &es)) continue;
        for (uint64_t j = 0; j < cnt && j < (g_all ? cnt : 4); j++) {
            const uint8_t *e = f + ib + so + j * es;
            int must = ent[k].must;
            /* a StreamEntry's shape dimensions past ndim are 0 and unused by
             * readers; max_persons of a stream that is not pose is 0 */
            if (ent[k].sec == 3 && ent[k].off == 24 && rd(e + 14, 2) < 2) must = 0;
            /* an empty string's StrRef may point at any 0 byte of STRINGS */
            int strref = (ent[k].sec == 1 && ent[k].off < 32) || ent[k].sec == 5 || ent[k].sec == 8 ||
                         (ent[k].sec == 3 && (ent[k].off == 0 || ent[k].off == 64 || ent[k].off == 120 || ent[k].off == 128));
            if (strref && rd(e + ent[k].off + 4, 4) == 0) must = 0;
            mutate(&L, m, ib + so + j * es + ent[k].off, ent[k].w, must, ent[k].name, &st, &bad);
        }
    }
    /* STRINGS: ids, names and JSON text; a sample of the bytes */
    uint64_t so, cnt;
    uint32_t es;
    if (dir_find(f + ib, 9, &so, &cnt, &es))
        for (uint64_t k = 0; k < cnt; k += g_all ? 1 : cnt / 24 + 1)
            mutate(&L, m, ib + so + k, 1, 0, "STRINGS byte", &st, &bad);
    /* footer */
    mutate(&L, m, n - 32, 8, 1, "footer index_offset", &st, &bad);
    mutate(&L, m, n - 24, 8, 1, "footer index_record_size", &st, &bad);
    mutate(&L, m, n - 16, 8, 1, "footer checksum", &st, &bad);
    for (size_t i = n - 8; i < n; i++) mutate(&L, m, i, 1, 1, "footer magic", &st, &bad);
    printf("  %s: %u mutants; %u of %u in constrained fields rejected; %u of %u elsewhere rejected\n", path,
           st.mutants, st.caught, st.must, st.any_caught, st.any);
    if (bad) tu_case_failed_ = 1;
    tu_end();
}

/* ---- planted faults with their class ---- */

static uint8_t g_basic[1 << 16], g_video[1 << 16];
static size_t g_basic_n, g_video_n;

static size_t slurp(const char *path, uint8_t *buf, size_t cap)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return 0;
    size_t n = fread(buf, 1, cap, fp);
    fclose(fp);
    return n;
}

/* Section `id` of the image's INDEX: start of entries (absolute), count, entry size. */
static size_t section(uint8_t *m, size_t n, uint32_t id, uint64_t *count, uint32_t *es)
{
    size_t ib = rd(m + n - 32, 8) + 16;
    uint64_t so;
    if (!dir_find(m + ib, id, &so, count, es)) return 0;
    return ib + so;
}

static void reindex(uint8_t *m, size_t n)
{
    size_t ix = rd(m + n - 32, 8);
    uint64_t bl = rd(m + ix + 8, 8);
    wr(m + ix + 16 + bl, 8, XXH3_64bits(m + ix + 16, bl));
    wr(m + n - 16, 8, XXH3_64bits(m + n - 32, 16));
}

/* The n-th record of type `type` (absolute offset). */
static size_t nth_record(const uint8_t *m, size_t n, uint32_t type, int nth)
{
    size_t ix = rd(m + n - 32, 8);
    for (size_t pos = 8; pos < ix; pos += 24 + rd(m + pos + 8, 8))
        if (rd(m + pos, 4) == type && nth-- == 0) return pos;
    return 0;
}

/* Rewrite a chunk body's checksum and its ChunkEntry's. */
static void rechunk(uint8_t *m, size_t n, size_t at)
{
    uint64_t bl = rd(m + at + 8, 8), sum = XXH3_64bits(m + at + 16, bl);
    wr(m + at + 16 + bl, 8, sum);
    uint64_t cnt;
    uint32_t es;
    size_t s = section(m, n, 4, &cnt, &es);
    for (uint64_t k = 0; k < cnt; k++)
        if (rd(m + s + k * es, 8) == at) wr(m + s + k * es + 40, 8, sum);
    reindex(m, n);
}

static void expect(const uint8_t *m, size_t n, const char *what, int want, int quick_passes, const char *text)
{
    char msg[1024];
    int bad = 0;
    int rc = judge(m, n, what, msg, sizeof msg, &bad);
    if (rc != want) { printf("  %s: code %d (%s), want %d\n", what, rc, msg, want); bad = 1; }
    else if (text && !strstr(msg, text)) { printf("  %s: message \"%s\" lacks \"%s\"\n", what, msg, text); bad = 1; }
    if (quick_passes >= 0) {
        synapt_reader_options o = reader_opts();
        synapt_reader *r;
        if (!synapt_reader_open_memory(&r, m, n, "mutant.synapt", &o, msg, sizeof msg)) {
            synapt_verify_options q = SYNAPT_VERIFY_OPTIONS_INIT;
            q.flags = SYNAPT_VERIFY_QUICK;
            int qrc = synapt_reader_verify2(r, &q);
            if ((qrc == 0) != quick_passes) {
                printf("  %s: the quick verification gives %d, documented to %s\n", what, qrc,
                       quick_passes ? "pass" : "fail");
                bad = 1;
            }
            synapt_reader_close(r);
        }
    }
    if (bad) { tu_case_failed_ = 1; printf("  (in %s)\n", what); }
}

static int cmp_ids(const void *a, const void *b)
{
    uint64_t x = rd(a, 8), y = rd(b, 8);
    uint32_t p = (uint32_t)rd((const uint8_t *)a + 8, 4), q = (uint32_t)rd((const uint8_t *)b + 8, 4);
    return x < y ? -1 : x > y ? 1 : p < q ? -1 : p > q;
}

static void planted_faults(void)
{
    static uint8_t m[1 << 16];
    uint64_t cnt;
    uint32_t es;
    size_t s;
    /* 1. a clip id used twice, behind a consistent hash table */
    memcpy(m, g_basic, g_basic_n);
    s = section(m, g_basic_n, 1, &cnt, &es);
    memcpy(m + s + es, m + s, 8);                          /* clip 1 takes clip 0's id */
    {
        uint64_t sc;
        uint32_t se;
        size_t si = section(m, g_basic_n, 2, &sc, &se);
        size_t strs = section(m, g_basic_n, 9, &cnt, &es);
        for (uint64_t k = 0; k < sc; k++) {
            uint8_t *e = m + si + k * se;
            uint32_t c = (uint32_t)rd(e + 8, 4);
            size_t ce = section(m, g_basic_n, 1, &cnt, &es) + c * es;
            wr(e, 8, XXH3_64bits(m + strs + rd(m + ce, 4), rd(m + ce + 4, 4)));
        }
        qsort(m + si, sc, se, cmp_ids);
    }
    reindex(m, g_basic_n);
    expect(m, g_basic_n, "duplicate clip id", SYNAPT_E_CORRUPT, 0, "used twice");

    /* 2. a CLIP record that disagrees with the index: split -> source string */
    memcpy(m, g_basic, g_basic_n);
    s = section(m, g_basic_n, 1, &cnt, &es);
    memcpy(m + s + 8, m + s + 16, 8);
    reindex(m, g_basic_n);
    expect(m, g_basic_n, "CLIP record vs index", SYNAPT_E_CORRUPT, 1, "disagrees with the index");

    /* 3. has_pts of a stream flipped */
    memcpy(m, g_basic, g_basic_n);
    s = section(m, g_basic_n, 3, &cnt, &es);
    m[s + 136] ^= 1;
    reindex(m, g_basic_n);
    expect(m, g_basic_n, "has_pts flipped", SYNAPT_E_CORRUPT, 1, NULL);

    /* 4. a shape whose frame size overflows: limit, not corrupt (rule 25) */
    memcpy(m, g_basic, g_basic_n);
    wr(m + s + 16, 8, 1ull << 62);
    reindex(m, g_basic_n);
    expect(m, g_basic_n, "shape overflow", SYNAPT_E_LIMIT, -1, NULL);

    /* 5. elem_size that disagrees with the dtype (rule 32) */
    memcpy(m, g_basic, g_basic_n);
    size_t c0 = nth_record(m, g_basic_n, 2, 0);
    wr(m + c0 + 16 + 26, 2, rd(m + c0 + 16 + 26, 2) == 1 ? 2 : 1);
    rechunk(m, g_basic_n, c0);
    expect(m, g_basic_n, "elem_size vs dtype", SYNAPT_E_CORRUPT, 0, "element size");

    /* 6. wrong max_persons of a pose stream; 7. clip frame_count */
    memcpy(m, g_basic, g_basic_n);
    for (uint64_t k = 0; k < cnt; k++)
        if (rd(m + s + k * es + 8, 2) == SYNAPT_KIND_POSE2D) { m[s + k * es + 140] += 1; break; }
    reindex(m, g_basic_n);
    expect(m, g_basic_n, "max_persons", SYNAPT_E_CORRUPT, 0, "persons");
    memcpy(m, g_basic, g_basic_n);
    s = section(m, g_basic_n, 1, &cnt, &es);
    m[s + 56] += 1;
    reindex(m, g_basic_n);
    expect(m, g_basic_n, "clip frame_count", SYNAPT_E_CORRUPT, 0, "frame count");

    /* 8. a CLIP record offset pointing at clip 1's record */
    memcpy(m, g_basic, g_basic_n);
    memcpy(m + s + 64, m + s + es + 64, 8);
    reindex(m, g_basic_n);
    expect(m, g_basic_n, "CLIP record indexed twice", SYNAPT_E_CORRUPT, 1, NULL);

    /* 9. trailing bytes after a zstd frame: frame 0 of a per-frame chunk
     * takes the first byte of frame 1 */
    memcpy(m, g_basic, g_basic_n);
    for (int i = 0; (c0 = nth_record(m, g_basic_n, 2, i)); i++)
        if (rd(m + c0 + 16 + 20, 2) == 1 && rd(m + c0 + 16 + 16, 4) > 1) break;
    if (c0) {
        size_t e = c0 + 16 + 48;
        wr(m + e, 4, rd(m + e, 4) + 1);
        size_t e1 = e + rd(m + c0 + 16 + 24, 2);
        wr(m + e1, 4, rd(m + e1, 4) - 1);
        rechunk(m, g_basic_n, c0);
        expect(m, g_basic_n, "bytes after a zstd frame", SYNAPT_E_CORRUPT, 1, "bytes after the zstd frame");
    } else {
        printf("  no zstd-per-frame chunk of 2+ frames in basic.synapt\n");
        tu_case_failed_ = 1;
    }

    /* 10. depth_rank chunks without feature bit 0 */
    memcpy(m, g_basic, g_basic_n);
    wr(m + 8 + 16 + 24, 8, 0);
    wr(m + 8 + 16 + rd(m + 16, 8), 8, XXH3_64bits(m + 24, rd(m + 16, 8)));
    expect(m, g_basic_n, "feature bit", SYNAPT_E_CORRUPT, 1, "feature 0");

    /* video: a filtered chunk, kinds and dtypes of encoded streams, discard */
    memcpy(m, g_video, g_video_n);
    c0 = nth_record(m, g_video_n, 2, 0);
    wr(m + c0 + 16 + 22, 2, 1);
    rechunk(m, g_video_n, c0);
    expect(m, g_video_n, "video chunk with a filter", SYNAPT_E_CORRUPT, 0, "filter");
    memcpy(m, g_video, g_video_n);
    s = section(m, g_video_n, 3, &cnt, &es);
    size_t vs = 0;
    for (uint64_t k = 0; k < cnt; k++)
        if (rd(m + s + k * es + 12, 2) != SYNAPT_CODEC_RAW) { vs = s + k * es; break; }
    if (!vs) { printf("  video.synapt has no encoded stream\n"); tu_case_failed_ = 1; return; }
    wr(m + vs + 8, 2, SYNAPT_KIND_DEPTH);
    reindex(m, g_video_n);
    expect(m, g_video_n, "encoded stream of kind depth", SYNAPT_E_CORRUPT, 0, "encoded stream");
    memcpy(m, g_video, g_video_n);
    wr(m + vs + 10, 2, SYNAPT_DTYPE_U8);
    reindex(m, g_video_n);
    expect(m, g_video_n, "encoded stream of dtype u8", SYNAPT_E_CORRUPT, 0, "encoded stream");
    memcpy(m, g_video, g_video_n);
    c0 = nth_record(m, g_video_n, 2, 0);
    wr(m + c0 + 16 + 48 + 8, 4, rd(m + c0 + 16 + 48 + 8, 4) | SYNAPT_FRAME_DISCARD);
    rechunk(m, g_video_n, c0);
    expect(m, g_video_n, "discard packet that gives a frame", SYNAPT_E_CORRUPT, 1, "discard");
    memcpy(m, g_video, g_video_n);
    wr(m + vs + 24, 8, rd(m + vs + 24, 8) + 2);   /* width in the shape */
    reindex(m, g_video_n);
    expect(m, g_video_n, "video shape vs codec_config", SYNAPT_E_CORRUPT, 1, NULL);
}

int main(int argc, char **argv)
{
    g_all = argc > 1 && !strcmp(argv[1], "--all");
    av_log_set_level(AV_LOG_QUIET);    /* damaged packets make FFmpeg talk */
    g_basic_n = slurp("tests/golden/basic.synapt", g_basic, sizeof g_basic);
    g_video_n = slurp("tests/golden/video.synapt", g_video, sizeof g_video);
    if (!g_basic_n || !g_video_n) {
        tu_skip("verify_sweep", "tests/golden/*.synapt not found (run from the source tree)");
        return 0;
    }
    RUN(planted_faults);
    sweep_file("tests/golden/basic.synapt");
    sweep_file("tests/golden/video.synapt");
    sweep_file("tests/golden/empty.synapt");
    TEST_MAIN_END();
}
