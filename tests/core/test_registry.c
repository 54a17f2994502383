/* test_registry.c - spec/registry.md, spec/format.md, synapt.h and the
 * library agree.
 *
 * The registry is the normative list of numbers and names and format.md the
 * normative byte layout; the header and the library are one implementation
 * of them. Rather than trusting someone to edit both, this test reads the
 * markdown tables and checks every row against the C constants, the
 * library's name/size/skeleton functions and the library's private layout
 * constants (internal.h), checks that every layout table is contiguous and
 * of its stated size, and that each skeleton is a well-formed tree. */
#include <ctype.h>
#include <errno.h>

#include "synapt.h"
#include "internal.h" /* the private record sizes (SY_*) checked against the spec tables */
#include "testutil.h"

/* ---- the header's constants, by name ------------------------------------ */

struct constant { const char *name; long long value; int api_only; int seen; };
#define C_(x) { #x, (long long)(x), 0, 0 }
#define API_(x) { #x, (long long)(x), 1, 0 }
static struct constant constants[] = {
    C_(SYNAPT_KIND_VIDEO), C_(SYNAPT_KIND_IMAGE), C_(SYNAPT_KIND_DEPTH),
    C_(SYNAPT_KIND_POSE2D), C_(SYNAPT_KIND_POSE3D), C_(SYNAPT_KIND_MASK),
    C_(SYNAPT_KIND_FRAME_LABELS), C_(SYNAPT_KIND_CUSTOM),
    C_(SYNAPT_DTYPE_NONE), C_(SYNAPT_DTYPE_U8), C_(SYNAPT_DTYPE_I8),
    C_(SYNAPT_DTYPE_U16), C_(SYNAPT_DTYPE_I16), C_(SYNAPT_DTYPE_U32),
    C_(SYNAPT_DTYPE_I32), C_(SYNAPT_DTYPE_F32), C_(SYNAPT_DTYPE_F64),
    C_(SYNAPT_DTYPE_U64), C_(SYNAPT_DTYPE_I64), C_(SYNAPT_DTYPE_F16),
    C_(SYNAPT_CODEC_RAW), C_(SYNAPT_CODEC_H264), C_(SYNAPT_CODEC_HEVC),
    C_(SYNAPT_CODEC_MPEG4), C_(SYNAPT_CODEC_VP8), C_(SYNAPT_CODEC_VP9),
    C_(SYNAPT_CODEC_AV1), C_(SYNAPT_CODEC_MJPEG), C_(SYNAPT_CODEC_FFV1),
    C_(SYNAPT_CODEC_RAWVIDEO), C_(SYNAPT_CODEC_PNG), C_(SYNAPT_CODEC_OTHER),
    API_(SYNAPT_COMPRESSION_AUTO), C_(SYNAPT_COMPRESSION_NONE),
    C_(SYNAPT_COMPRESSION_ZSTD_FRAME), C_(SYNAPT_COMPRESSION_ZSTD_CHUNK), C_(SYNAPT_COMPRESSION_DEPTH_ANS),
    C_(SYNAPT_COMPRESSION_DEPTH_STRIP),
    API_(SYNAPT_FILTER_AUTO), C_(SYNAPT_FILTER_NONE), C_(SYNAPT_FILTER_SHUFFLE),
    C_(SYNAPT_FILTER_DEPTH_MED), C_(SYNAPT_FILTER_XOR_PREV), C_(SYNAPT_FILTER_DEPTH_RANK), C_(SYNAPT_FILTER_DEPTH_UP),
    C_(SYNAPT_CHANNELS_NONE), C_(SYNAPT_CHANNELS_XY), C_(SYNAPT_CHANNELS_XYC),
    C_(SYNAPT_CHANNELS_XYZ), C_(SYNAPT_CHANNELS_XYZC),
    C_(SYNAPT_SKELETON_NONE), C_(SYNAPT_SKELETON_COCO17), C_(SYNAPT_SKELETON_BODY25),
    C_(SYNAPT_SKELETON_NTU25), C_(SYNAPT_SKELETON_SMPL24), C_(SYNAPT_SKELETON_H36M17),
    C_(SYNAPT_SKELETON_OPENPOSE18),
    C_(SYNAPT_FRAME_KEY), C_(SYNAPT_FRAME_HAS_PTS), C_(SYNAPT_FRAME_DISCARD),
};
#define N_CONSTANTS (sizeof constants / sizeof constants[0])

static struct constant *find_constant(const char *name)
{
    for (size_t i = 0; i < N_CONSTANTS; i++)
        if (strcmp(constants[i].name, name) == 0)
            return &constants[i];
    return NULL;
}

/* ---- a small reader for the markdown tables ----------------------------- */

#define MAX_CELLS 8
#define MAX_ROWS 512
struct row {
    int doc;              /* 0 registry.md, 1 format.md */
    char section[96];     /* the enclosing "## " heading */
    char sub[64];         /* the enclosing "### " heading, "" when none */
    char head[MAX_CELLS][160];
    char cell[MAX_CELLS][160];
    int ncell;
    int line;
};
static struct row rows[MAX_ROWS];
static int nrows;
static char *registry_text;

static void trim_copy(char *dst, size_t cap, const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s)) { s++; n--; }
    while (n && isspace((unsigned char)s[n - 1])) n--;
    /* `code` spans: the value is what is inside the backticks */
    if (n >= 2 && s[0] == '`' && s[n - 1] == '`') { s++; n -= 2; }
    if (n >= cap) n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = 0;
}

/* Split "| a | b |" into cells; returns the count. */
static int split_cells(const char *line, char out[][160], int max)
{
    int n = 0;
    const char *p = strchr(line, '|');
    if (!p) return 0;
    p++;
    while (*p && n < max) {
        const char *q = strchr(p, '|');
        if (!q) break;
        trim_copy(out[n++], 160, p, (size_t)(q - p));
        p = q + 1;
    }
    return n;
}

/* Read a whole file; NULL (and a message) when it cannot. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("  cannot open %s: %s (run from the source tree)\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap + 1);
    size_t got;
    while (text && (got = fread(text + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            char *bigger = realloc(text, cap * 2 + 1);
            if (!bigger) { free(text); text = NULL; break; }
            text = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (text) text[len] = 0;
    return text;
}

/* Parse every table of a markdown text into rows[], tagged with `doc`. */
static int load_tables(const char *text, int doc)
{
    char section[96] = "", sub[64] = "";
    char head[MAX_CELLS][160];
    int nhead = 0, in_table = 0, lineno = 0;
    char *save = NULL, *copy = strdup(text);
    if (!copy) return -1;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        if (strncmp(line, "## ", 3) == 0) {
            trim_copy(section, sizeof section, line + 3, strlen(line + 3));
            sub[0] = 0; in_table = 0;
            continue;
        }
        if (strncmp(line, "### ", 4) == 0) {
            trim_copy(sub, sizeof sub, line + 4, strlen(line + 4));
            in_table = 0;
            continue;
        }
        if (line[0] != '|') { in_table = 0; continue; }
        if (!in_table) {
            nhead = split_cells(line, head, MAX_CELLS);
            in_table = 1;
            continue;
        }
        if (strncmp(line, "|---", 4) == 0) continue;
        if (nrows == MAX_ROWS) { printf("  too many table rows\n"); free(copy); return -1; }
        struct row *r = &rows[nrows++];
        memset(r, 0, sizeof *r);
        r->doc = doc;
        snprintf(r->section, sizeof r->section, "%s", section);
        snprintf(r->sub, sizeof r->sub, "%s", sub);
        r->ncell = split_cells(line, r->cell, MAX_CELLS);
        for (int i = 0; i < nhead && i < MAX_CELLS; i++)
            snprintf(r->head[i], sizeof r->head[i], "%.159s", head[i]);
        r->line = lineno;
    }
    free(copy);
    return 0;
}

static const char *col(const struct row *r, const char *name)
{
    for (int i = 0; i < r->ncell; i++)
        if (strcmp(r->head[i], name) == 0)
            return r->cell[i];
    return NULL;
}

/* Decimal or 0x-hex integer; -1 on anything else (no registry value is -1
 * in a table: the API-only -1 values are described in prose). */
static long long num(const char *s)
{
    if (!s || !*s) return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 0);
    if (errno || *end) return -1;
    return v;
}

/* ---- the checks ---------------------------------------------------------- */

static void registry_parses(void)
{
    CHECK(nrows > 100);
}

/* Every row naming a C constant carries that constant's value, and every
 * constant of the header appears in the registry. */
static void constants_match_header(void)
{
    for (int i = 0; i < nrows; i++) {
        const char *cname = col(&rows[i], "C constant");
        if (!cname || strncmp(cname, "SYNAPT_", 7) != 0) continue;
        struct constant *c = find_constant(cname);
        if (!c) {
            printf("  registry.md:%d: %s is not a known header constant\n", rows[i].line, cname);
            CHECK(c != NULL);
            continue;
        }
        c->seen = 1;
        const char *v = col(&rows[i], "value");
        if (!v) v = col(&rows[i], "id");
        long long val = num(v);
        if (val != c->value) {
            printf("  registry.md:%d: %s is %s in the registry, %lld in synapt.h\n",
                   rows[i].line, cname, v ? v : "(none)", c->value);
            CHECK(val == c->value);
        }
    }
    for (size_t i = 0; i < N_CONSTANTS; i++) {
        int ok = constants[i].api_only ? strstr(registry_text, constants[i].name) != NULL
                                       : constants[i].seen;
        if (!ok) printf("  %s missing from registry.md\n", constants[i].name);
        CHECK(ok);
    }
}

static void kinds_match_library(void)
{
    int n = 0;
    for (int i = 0; i < nrows; i++) {
        if (strcmp(rows[i].section, "Stream kinds") != 0) continue;
        long long v = num(col(&rows[i], "value"));
        const char *name = col(&rows[i], "name");
        CHECK(v > 0 && name);
        if (v <= 0 || !name) continue;
        n++;
        if (strcmp(synapt_kind_name((int)v), name) != 0)
            printf("  kind %lld: registry says %s, library %s\n", v, name, synapt_kind_name((int)v));
        CHECK(strcmp(synapt_kind_name((int)v), name) == 0);
        CHECK_EQ_INT(synapt_kind_from_name(name), v);
    }
    CHECK_EQ_INT(n, 8);
    CHECK(strcmp(synapt_kind_name(0), "?") == 0);
    CHECK_EQ_INT(synapt_kind_from_name("no_such_kind"), 0);
}

static void dtypes_match_library(void)
{
    int n = 0;
    for (int i = 0; i < nrows; i++) {
        if (strcmp(rows[i].section, "Element types (dtypes)") != 0) continue;
        long long v = num(col(&rows[i], "value"));
        const char *name = col(&rows[i], "name");
        long long bytes = num(col(&rows[i], "bytes"));
        CHECK(v >= 0 && name && bytes >= 0);
        if (v < 0 || !name) continue;
        n++;
        CHECK_EQ_INT(synapt_dtype_size((int)v), bytes);
        if (v == 0) continue; /* "none" is not an element type to parse */
        if (strcmp(synapt_dtype_name((int)v), name) != 0)
            printf("  dtype %lld: registry says %s, library %s\n", v, name, synapt_dtype_name((int)v));
        CHECK(strcmp(synapt_dtype_name((int)v), name) == 0);
        CHECK_EQ_INT(synapt_dtype_from_name(name), v);
    }
    CHECK_EQ_INT(n, 12);
    CHECK_EQ_INT(synapt_dtype_size(99), 0);
}

static void codecs_match_library(void)
{
    int n = 0;
    for (int i = 0; i < nrows; i++) {
        if (strcmp(rows[i].section, "Codecs") != 0) continue;
        long long v = num(col(&rows[i], "value"));
        const char *name = col(&rows[i], "name");
        CHECK(v >= 0 && name);
        if (v < 0 || !name) continue;
        n++;
        if (strcmp(synapt_codec_name((int)v), name) != 0)
            printf("  codec %lld: registry says %s, library %s\n", v, name, synapt_codec_name((int)v));
        CHECK(strcmp(synapt_codec_name((int)v), name) == 0);
        CHECK_EQ_INT(synapt_codec_from_name(name), v);
    }
    CHECK_EQ_INT(n, 12);
    CHECK_EQ_INT(synapt_codec_from_name("no_such_codec"), -1);
}

static void channels_match_library(void)
{
    int n = 0;
    for (int i = 0; i < nrows; i++) {
        if (strcmp(rows[i].section, "Pose channel layouts") != 0) continue;
        long long v = num(col(&rows[i], "value"));
        long long c = num(col(&rows[i], "channels"));
        CHECK(v >= 0 && c >= 0);
        n++;
        CHECK_EQ_INT(synapt_channels_count((int)v), c);
    }
    CHECK_EQ_INT(n, 5);
}

/* A skeleton is usable for bone drawing and kinematics only if its parent
 * list is a tree: one root, parents in range, every joint reaches the root. */
static int check_tree(const synapt_skeleton_info *sk)
{
    int ok = 1, roots = 0;
    for (uint32_t j = 0; j < sk->joint_count; j++) {
        int p = sk->parents[j];
        if (p == -1) { roots++; continue; }
        if (p < 0 || (uint32_t)p >= sk->joint_count || (uint32_t)p == j) {
            printf("  %s: joint %u has parent %d\n", sk->name, j, p);
            ok = 0;
            continue;
        }
        /* walking up more than joint_count steps means a cycle */
        uint32_t steps = 0;
        int k = (int)j;
        while (k != -1 && steps <= sk->joint_count) {
            k = sk->parents[k];
            if (k < -1 || k >= (int)sk->joint_count) break;
            steps++;
        }
        if (k != -1) { printf("  %s: joint %u does not reach the root\n", sk->name, j); ok = 0; }
    }
    if (roots != 1) { printf("  %s: %d roots\n", sk->name, roots); ok = 0; }
    for (uint32_t a = 0; a < sk->joint_count; a++) {
        for (const char *c = sk->joints[a]; *c; c++)
            if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_')) {
                printf("  %s: joint name %s is not snake_case\n", sk->name, sk->joints[a]);
                ok = 0;
                break;
            }
        for (uint32_t b = a + 1; b < sk->joint_count; b++)
            if (strcmp(sk->joints[a], sk->joints[b]) == 0) {
                printf("  %s: joint name %s twice\n", sk->name, sk->joints[a]);
                ok = 0;
            }
    }
    return ok;
}

static void skeletons_are_trees(void)
{
    static const struct { int id; const char *name; uint32_t joints; } want[] = {
        { SYNAPT_SKELETON_COCO17, "coco17", 17 },  { SYNAPT_SKELETON_BODY25, "body25", 25 },
        { SYNAPT_SKELETON_NTU25, "ntu25", 25 },    { SYNAPT_SKELETON_SMPL24, "smpl24", 24 },
        { SYNAPT_SKELETON_H36M17, "h36m17", 17 },  { SYNAPT_SKELETON_OPENPOSE18, "openpose18", 18 },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        synapt_skeleton_info sk;
        CHECK_OK(synapt_skeleton_get(&sk, want[i].id));
        CHECK_EQ_INT(sk.id, want[i].id);
        CHECK(sk.name && strcmp(sk.name, want[i].name) == 0);
        CHECK_EQ_INT(sk.joint_count, want[i].joints);
        CHECK(check_tree(&sk));
        CHECK_EQ_INT(synapt_skeleton_from_name(want[i].name), want[i].id);
    }
    synapt_skeleton_info sk;
    CHECK_EQ_INT(synapt_skeleton_get(&sk, SYNAPT_SKELETON_NONE), SYNAPT_E_NOT_FOUND);
    CHECK_EQ_INT(synapt_skeleton_get(&sk, 1000), SYNAPT_E_NOT_FOUND);
    CHECK_EQ_INT(synapt_skeleton_get(NULL, 1), SYNAPT_E_INVALID_ARG);
    CHECK_EQ_INT(synapt_skeleton_from_name("coco"), 0);
    CHECK_EQ_INT(synapt_skeleton_from_name(""), 0);
    CHECK_EQ_INT(synapt_skeleton_from_name(NULL), 0);
}

/* Well-known joints at their documented places: a guard against a table
 * that is a valid tree but in the wrong order. */
static void skeleton_spot_checks(void)
{
    synapt_skeleton_info sk;
    if (synapt_skeleton_get(&sk, SYNAPT_SKELETON_NTU25) == 0) {
        CHECK(strcmp(sk.joints[3], "head") == 0);          /* NTU joint 4 */
        CHECK(strcmp(sk.joints[20], "spine_shoulder") == 0); /* NTU joint 21 */
        CHECK(strcmp(sk.joints[24], "right_thumb") == 0);  /* NTU joint 25 */
    }
    if (synapt_skeleton_get(&sk, SYNAPT_SKELETON_SMPL24) == 0) {
        CHECK(strcmp(sk.joints[1], "left_hip") == 0);
        CHECK(strcmp(sk.joints[15], "head") == 0);
        CHECK_EQ_INT(sk.parents[12], 9);  /* neck hangs off spine3 */
        CHECK_EQ_INT(sk.parents[23], 21); /* right hand off right wrist */
    }
    if (synapt_skeleton_get(&sk, SYNAPT_SKELETON_BODY25) == 0) {
        CHECK(strcmp(sk.joints[8], "mid_hip") == 0);
        CHECK(strcmp(sk.joints[24], "right_heel") == 0);
    }
    if (synapt_skeleton_get(&sk, SYNAPT_SKELETON_COCO17) == 0) {
        CHECK(strcmp(sk.joints[5], "left_shoulder") == 0);
        CHECK(strcmp(sk.joints[16], "right_ankle") == 0);
    }
    if (synapt_skeleton_get(&sk, SYNAPT_SKELETON_OPENPOSE18) == 0) {
        CHECK(strcmp(sk.joints[1], "neck") == 0);
        CHECK(strcmp(sk.joints[8], "right_hip") == 0);
    }
    if (synapt_skeleton_get(&sk, SYNAPT_SKELETON_H36M17) == 0) {
        CHECK(strcmp(sk.joints[10], "head") == 0);
        CHECK_EQ_INT(sk.parents[14], 8); /* right shoulder off the thorax */
    }
}

/* The summary table and the per-skeleton joint tables say exactly what the
 * library's static tables say. */
static void skeleton_tables_match_markdown(void)
{
    int summaries = 0, subsections = 0;
    for (int i = 0; i < nrows; i++) {
        if (strcmp(rows[i].section, "Skeleton layouts") != 0 || rows[i].sub[0]) continue;
        long long id = num(col(&rows[i], "id"));
        const char *name = col(&rows[i], "name");
        long long joints = num(col(&rows[i], "joints"));
        const char *root = col(&rows[i], "root");
        CHECK(id >= 0 && name && joints >= 0 && root);
        if (id <= 0 || !name || !root) continue;
        summaries++;
        synapt_skeleton_info sk;
        CHECK_OK(synapt_skeleton_get(&sk, (int)id));
        if (synapt_skeleton_get(&sk, (int)id) != 0) continue;
        CHECK(strcmp(sk.name, name) == 0);
        CHECK_EQ_INT(sk.joint_count, joints);
        for (uint32_t j = 0; j < sk.joint_count; j++)
            if (sk.parents[j] == -1)
                CHECK(strcmp(sk.joints[j], root) == 0);
    }
    CHECK_EQ_INT(summaries, 6);

    /* per-skeleton tables: rows grouped under "### name" */
    for (int id = 1; id <= 6; id++) {
        synapt_skeleton_info sk;
        if (synapt_skeleton_get(&sk, id) != 0) { CHECK(0); continue; }
        uint32_t seen = 0;
        for (int i = 0; i < nrows; i++) {
            if (strcmp(rows[i].section, "Skeleton layouts") != 0 || strcmp(rows[i].sub, sk.name) != 0)
                continue;
            long long j = num(col(&rows[i], "joint"));
            const char *name = col(&rows[i], "name");
            const char *ptext = col(&rows[i], "parent");
            long long parent = ptext && strcmp(ptext, "-1") == 0 ? -1 : num(ptext);
            if (j != (long long)seen || !name) {
                printf("  registry.md:%d: %s joint %lld out of order\n", rows[i].line, sk.name, j);
                CHECK(0);
                break;
            }
            if (seen >= sk.joint_count) { CHECK(seen < sk.joint_count); break; }
            if (strcmp(name, sk.joints[seen]) != 0 || parent != sk.parents[seen]) {
                printf("  registry.md:%d: %s joint %u is %s (parent %lld); library says %s (parent %d)\n",
                       rows[i].line, sk.name, seen, name, parent, sk.joints[seen], sk.parents[seen]);
                CHECK(0);
            }
            seen++;
        }
        if (seen != sk.joint_count)
            printf("  registry.md: %s lists %u joints, library %u\n", sk.name, seen, sk.joint_count);
        CHECK_EQ_INT(seen, sk.joint_count);
        subsections += seen == sk.joint_count;
    }
    CHECK_EQ_INT(subsections, 6);
}

/* ---- format.md layout tables against the library's layout ------------- */

/* The first `code` span of a cell ("`label_first` (u32)" -> "label_first"). */
static void code_span(char *dst, size_t cap, const char *cell)
{
    const char *a = strchr(cell, '`'), *b = a ? strchr(a + 1, '`') : NULL;
    if (!a || !b) { snprintf(dst, cap, "%s", cell); return; }
    snprintf(dst, cap, "%.*s", (int)(b - a - 1), a + 1);
}

/* Every "| off | size | field |" table: numeric rows follow each other
 * without gaps or overlaps, and the fixed structures end at their size. */
static void layout_tables_contiguous(void)
{
    static const struct { const char *sub; long long size; } sizes[] = {
        { "6.1 Chunk header", SY_CHUNK_HDR }, { "6.2 Frame table entry", SY_ENTRY_PACKET },
        { "9.1 ClipEntry (80 bytes)", SY_CLIP_ENTRY }, { "9.2 StreamEntry (160 bytes)", SY_STREAM_ENTRY },
        { "9.3 ChunkEntry (48 bytes)", SY_CHUNK_ENTRY }, { "10. Footer", SY_FOOTER },
    };
    int tables = 0;
    for (int i = 0; i < nrows; i++) {
        if (rows[i].doc != 1 || strcmp(rows[i].head[0], "off") || strcmp(rows[i].head[1], "size")) continue;
        /* rows[i] starts a table when the previous row is not of the same table */
        if (i > 0 && rows[i - 1].doc == 1 && rows[i - 1].line == rows[i].line - 1) continue;
        tables++;
        long long end = 0;
        int j = i;
        for (; j < nrows && rows[j].doc == 1 && rows[j].line == rows[i].line + (j - i); j++) {
            long long off = num(rows[j].cell[0]), size = num(rows[j].cell[1]);
            if (off < 0 || size < 0) { end = -1; continue; }   /* variable-length fields */
            if (end >= 0 && off != end) {
                printf("  format.md:%d: field at %lld, expected %lld\n", rows[j].line, off, end);
                CHECK(off == end);
            }
            end = off + size;
        }
        /* the table's heading: the subsection, or the section when it has none */
        const char *title = rows[i].sub[0] ? rows[i].sub : rows[i].section;
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
            if (!strcmp(title, sizes[k].sub)) {
                if (end != sizes[k].size)
                    printf("  format.md:%d: %s ends at %lld, not %lld\n", rows[i].line, title, end, sizes[k].size);
                CHECK_EQ_INT(end, sizes[k].size);
            }
    }
    CHECK(tables >= 10);
}

/* Field offsets of the index entries, as format.md states them, equal the
 * offsets the library reads and writes. */
static void layout_offsets_match_library(void)
{
    static const struct { const char *sub, *field; long long off; } want[] = {
        { "9.1", "id", SY_CE_ID }, { "9.1", "split", SY_CE_SPLIT }, { "9.1", "source", SY_CE_SOURCE },
        { "9.1", "meta", SY_CE_META }, { "9.1", "label_first", SY_CE_LABEL_FIRST },
        { "9.1", "label_count", SY_CE_LABEL_COUNT }, { "9.1", "group_first", SY_CE_GROUP_FIRST },
        { "9.1", "group_count", SY_CE_GROUP_COUNT }, { "9.1", "stream_first", SY_CE_STREAM_FIRST },
        { "9.1", "stream_count", SY_CE_STREAM_COUNT }, { "9.1", "frame_count", SY_CE_FRAMES },
        { "9.1", "clip_record_offset", SY_CE_RECORD }, { "9.1", "flags", SY_CE_FLAGS },
        { "9.2", "name", SY_SE_NAME }, { "9.2", "kind", SY_SE_KIND }, { "9.2", "dtype", SY_SE_DTYPE },
        { "9.2", "codec", SY_SE_CODEC }, { "9.2", "ndim", SY_SE_NDIM }, { "9.2", "shape[4]", SY_SE_SHAPE },
        { "9.2", "fps_num", SY_SE_FPS_NUM }, { "9.2", "fps_den", SY_SE_FPS_DEN }, { "9.2", "scale", SY_SE_SCALE },
        { "9.2", "units", SY_SE_UNITS }, { "9.2", "skeleton", SY_SE_SKELETON },
        { "9.2", "channels", SY_SE_CHANNELS }, { "9.2", "compression", SY_SE_COMPRESSION },
        { "9.2", "filter", SY_SE_FILTER }, { "9.2", "frame_count", SY_SE_FRAMES },
        { "9.2", "chunk_first", SY_SE_CHUNK_FIRST }, { "9.2", "chunk_count", SY_SE_CHUNK_COUNT },
        { "9.2", "stored_bytes", SY_SE_STORED }, { "9.2", "raw_bytes", SY_SE_RAW },
        { "9.2", "extradata", SY_SE_EXTRADATA }, { "9.2", "codec_config", SY_SE_CODEC_CONFIG },
        { "9.2", "flags", SY_SE_FLAGS }, { "9.2", "max_persons", SY_SE_MAX_PERSONS },
        { "9.2", "packet_count", SY_SE_PACKETS },
        { "9.3", "file_offset", SY_KE_OFFSET }, { "9.3", "record_size", SY_KE_RECORD },
        { "9.3", "first_frame", SY_KE_FIRST }, { "9.3", "frame_count", SY_KE_COUNT },
        { "9.3", "raw_size", SY_KE_RAW }, { "9.3", "checksum", SY_KE_CHECKSUM },
    };
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        int found = 0;
        for (int i = 0; i < nrows && !found; i++) {
            if (rows[i].doc != 1 || strncmp(rows[i].sub, want[k].sub, 3) != 0) continue;
            const char *f = col(&rows[i], "field");
            char name[64];
            if (!f) continue;
            code_span(name, sizeof name, f);
            if (strcmp(name, want[k].field)) continue;
            found = 1;
            if (num(rows[i].cell[0]) != want[k].off)
                printf("  format.md:%d: %s %s at %s, the library uses %lld\n", rows[i].line, want[k].sub,
                       want[k].field, rows[i].cell[0], want[k].off);
            CHECK_EQ_INT(num(rows[i].cell[0]), want[k].off);
        }
        if (!found) printf("  format.md: no field %s in section %s\n", want[k].field, want[k].sub);
        CHECK(found);
    }
}

/* Record types and index sections in the registry equal the library's. */
static void records_and_sections_match_library(void)
{
    static const struct { const char *name; long long value, esize; } recs[] = {
        { "HEADER", SY_REC_HEADER, 0 }, { "CHUNK", SY_REC_CHUNK, 0 },
        { "CLIP", SY_REC_CLIP, 0 }, { "INDEX", SY_REC_INDEX, 0 },
    }, secs[] = {
        { "CLIPS", SY_SEC_CLIPS, SY_CLIP_ENTRY }, { "CLIP_IDS", SY_SEC_CLIP_IDS, SY_HASH_ENTRY },
        { "STREAMS", SY_SEC_STREAMS, SY_STREAM_ENTRY }, { "CHUNKS", SY_SEC_CHUNKS, SY_CHUNK_ENTRY },
        { "LABELS", SY_SEC_LABELS, SY_STRREF }, { "LABEL_IDS", SY_SEC_LABEL_IDS, SY_HASH_ENTRY },
        { "CLIP_LABELS", SY_SEC_CLIP_LABELS, SY_CLIP_LABEL }, { "GROUPS", SY_SEC_GROUPS, SY_GROUP_ENTRY },
        { "STRINGS", SY_SEC_STRINGS, 1 },
    };
    int nrec = 0, nsec = 0;
    for (int i = 0; i < nrows; i++) {
        if (rows[i].doc != 0) continue;
        const char *name = col(&rows[i], "name");
        if (!name) continue;
        if (!strcmp(rows[i].section, "Record types")) {
            for (size_t k = 0; k < 4; k++)
                if (!strcmp(name, recs[k].name)) { nrec++; CHECK_EQ_INT(num(col(&rows[i], "value")), recs[k].value); }
        } else if (!strcmp(rows[i].section, "Index sections")) {
            for (size_t k = 0; k < 9; k++)
                if (!strcmp(name, secs[k].name)) {
                    nsec++;
                    CHECK_EQ_INT(num(col(&rows[i], "id")), secs[k].value);
                    CHECK_EQ_INT(num(col(&rows[i], "entry size")), secs[k].esize);
                }
        }
    }
    CHECK_EQ_INT(nrec, 4);
    CHECK_EQ_INT(nsec, 9);
}

int main(void)
{
    const char *reg = getenv("SYNAPT_REGISTRY"), *fmt = getenv("SYNAPT_FORMAT_SPEC");
    registry_text = slurp(reg && *reg ? reg : "spec/registry.md");
    char *format_text = slurp(fmt && *fmt ? fmt : "spec/format.md");
    if (!registry_text || !format_text || load_tables(registry_text, 0) || load_tables(format_text, 1)) {
        printf("FAIL registry_load: spec/registry.md or spec/format.md unreadable\n");
        return 1;
    }
    RUN(registry_parses);
    RUN(constants_match_header);
    RUN(kinds_match_library);
    RUN(dtypes_match_library);
    RUN(codecs_match_library);
    RUN(channels_match_library);
    RUN(skeletons_are_trees);
    RUN(skeleton_spot_checks);
    RUN(skeleton_tables_match_markdown);
    RUN(layout_tables_contiguous);
    RUN(layout_offsets_match_library);
    RUN(records_and_sections_match_library);
    free(registry_text);
    free(format_text);
    TEST_MAIN_END();
}
