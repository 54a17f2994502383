/* synapt-inspect - describe a .synapt file: summary, clip list, one clip,
 * or a full checksum verification. Read-only; uses only the public API. */
#include "cli/cli.h"
#include "export/export.h"
#include "synapt.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: synapt-inspect [OPTIONS] FILE\n"
    "Describe a .synapt file or a dataset manifest (NAME.synapt.json).\n"
    "\n"
    "Modes (default: a summary of the whole file):\n"
    "      --clips        one line per clip (with --json: one JSON object per line)\n"
    "      --clip ID      everything about one clip: labels, groups, streams, metadata\n"
    "      --preview OUT.png  with --clip: write a contact sheet of the clip instead\n"
    "                     (synapt-convert --to preview: skeleton over the frames,\n"
    "                     depth and mask beside them; OUT.mp4: a short movie)\n"
    "      --verify       full verification (spec section 12.2): every checksum and\n"
    "                     index reference, every payload decompressed and unfiltered,\n"
    "                     the record sequence, CLIP records against the index, frame\n"
    "                     flags, video codec_configs; a manifest: every member, its\n"
    "                     pinned uuid/size/clips, clip ids across members. One line\n"
    "                     per fault naming the file, clip, stream and chunk; exit 0\n"
    "                     when sound, 1 when anything is wrong\n"
    "      --quick        with --verify: the structural subset only (index, every\n"
    "                     checksum, chunk headers and frame tables against the index);\n"
    "                     payloads are not decompressed, CLIP records not compared\n"
    "\n"
    "Options:\n"
    "      --json         machine-readable output (schema \"synapt-inspect/1\")\n"
    "  -q, --quiet        no progress bar, no warnings; --verify prints nothing when sound\n"
    "  -v, --verbose      --clip also lists every chunk; --verify reports its speed\n"
    "                     and peak memory\n"
    "  -h, --help         show this help and exit\n"
    "      --version      show the version and exit\n"
    "\n"
    "Exit status: 0 ok, 1 error (unreadable or damaged file, unknown clip),\n"
    "2 usage error.\n"
    "\n"
    "Examples:\n"
    "  synapt-inspect data.synapt\n"
    "  synapt-inspect --json data.synapt\n"
    "  synapt-inspect --clips --json data.synapt | head\n"
    "  synapt-inspect --clip v_ApplyEyeMakeup_g08_c01 data.synapt\n"
    "  synapt-inspect --verify data.synapt\n"
    "  synapt-inspect --verify --quick shards.synapt.json\n";

/* ---- small helpers ------------------------------------------------- */

static const char *compression_name(int c)
{
    switch (c) {
    case SYNAPT_COMPRESSION_NONE: return "none";
    case SYNAPT_COMPRESSION_ZSTD_FRAME: return "zstd_frame";
    case SYNAPT_COMPRESSION_ZSTD_CHUNK: return "zstd_chunk";
    case SYNAPT_COMPRESSION_DEPTH_ANS: return "depth_ans";
    case SYNAPT_COMPRESSION_DEPTH_STRIP: return "depth_strip";
    default: return "?";
    }
}

/* The required feature bits of the registry (spec/registry.md), the
 * format minor that brought each: what a reader must support. */
static const struct { const char *name, *since; } feature_bits[] = {
    { "depth_rank", "1.1" }, { "depth_ans", "1.2" }, { "depth_up", "1.3" }, { "depth_strip", "1.4" },
};
#define NFEATURE_BITS (sizeof feature_bits / sizeof feature_bits[0])

/* The required features of `req`, comma-separated, to out: names with
 * (human) or without the format that brought them; unknown bits as "bit N". */
static void feature_list(char *out, size_t cap, uint64_t req, int human)
{
    size_t o = 0;
    out[0] = 0;
    for (unsigned b = 0; b < 64 && o < cap; b++) {
        if (!(req >> b & 1)) continue;
        const char *sep = o ? (human ? ", " : ",") : "";
        int k = b < NFEATURE_BITS ? (human ? snprintf(out + o, cap - o, "%s%s (format %s)", sep, feature_bits[b].name,
                                                      feature_bits[b].since)
                                           : snprintf(out + o, cap - o, "%s\"%s\"", sep, feature_bits[b].name))
                                  : snprintf(out + o, cap - o, human ? "%sbit %u" : "%s\"bit %u\"", sep, b);
        o += k > 0 ? (size_t)k : 0;
    }
}

static const char *filter_name(int f)
{
    switch (f) {
    case SYNAPT_FILTER_NONE: return "none";
    case SYNAPT_FILTER_SHUFFLE: return "shuffle";
    case SYNAPT_FILTER_DEPTH_MED: return "depth_med";
    case SYNAPT_FILTER_XOR_PREV: return "xor_prev";
    case SYNAPT_FILTER_DEPTH_RANK: return "depth_rank";
    case SYNAPT_FILTER_DEPTH_UP: return "depth_up";
    default: return "?";
    }
}

static const char *channels_name(int c)
{
    switch (c) {
    case SYNAPT_CHANNELS_XY: return "xy";
    case SYNAPT_CHANNELS_XYC: return "xyc";
    case SYNAPT_CHANNELS_XYZ: return "xyz";
    case SYNAPT_CHANNELS_XYZC: return "xyzc";
    default: return "";
    }
}

static const char *skeleton_name(int id)
{
    synapt_skeleton_info sk;
    if (id == SYNAPT_SKELETON_NONE || synapt_skeleton_get(&sk, id) != 0) return "";
    return sk.name;
}

static double ratio(uint64_t raw, uint64_t stored)
{
    return stored ? (double)raw / (double)stored : 0.0;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        cli_error(NULL, "out of memory");
        exit(CLI_EXIT_ERROR);
    }
    return p;
}

static void *xrealloc(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) { cli_error(NULL, "out of memory"); exit(CLI_EXIT_ERROR); }
    void *q = realloc(p, n * size != 0 ? n * size : 1);
    if (!q) {
        cli_error(NULL, "out of memory");
        exit(CLI_EXIT_ERROR);
    }
    return q;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = xrealloc(NULL, n, 1);
    memcpy(p, s, n);
    return p;
}

/* A grow-only table of named aggregates with a hash index, so files with
 * many distinct sources/splits/streams stay linear. Order = first seen. */
typedef struct agg {
    const char *name;    /* borrowed from the reader */
    int synthetic;       /* sources: part of the key */
    int kind, codec, dtype;
    uint64_t clips, frames, stored, raw;
} agg;

typedef struct aggtab {
    agg *v;
    size_t n, cap;
    size_t *slot;        /* hash slots holding index+1, 0 = empty */
    size_t nslot;
} aggtab;

static uint64_t hash_str(const char *s, int extra)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)extra;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static agg *agg_get(aggtab *t, const char *name, int extra)
{
    if (!name) name = "";
    if ((t->n + 1) * 2 > t->nslot) {
        size_t ns = t->nslot ? t->nslot * 2 : 64;
        free(t->slot);
        t->slot = xcalloc(ns, sizeof *t->slot);
        t->nslot = ns;
        for (size_t i = 0; i < t->n; i++) {
            size_t h = (size_t)hash_str(t->v[i].name, t->v[i].synthetic) & (ns - 1);
            while (t->slot[h]) h = (h + 1) & (ns - 1);
            t->slot[h] = i + 1;
        }
    }
    size_t h = (size_t)hash_str(name, extra) & (t->nslot - 1);
    while (t->slot[h]) {
        agg *a = &t->v[t->slot[h] - 1];
        if (a->synthetic == extra && strcmp(a->name, name) == 0) return a;
        h = (h + 1) & (t->nslot - 1);
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->v = xrealloc(t->v, t->cap, sizeof *t->v);
    }
    agg *a = &t->v[t->n];
    memset(a, 0, sizeof *a);
    a->name = name;
    a->synthetic = extra;
    t->slot[h] = ++t->n;
    return a;
}

static void agg_free(aggtab *t)
{
    free(t->v);
    free(t->slot);
}

static int open_file(synapt_reader **r, const char *path)
{
    char err[512] = "";
    int rc = synapt_reader_open2(r, path, NULL, err, sizeof err);
    if (rc != 0) {
        cli_error_msg(path, err[0] ? err : synapt_strerror(rc));
        return CLI_EXIT_ERROR;
    }
    return 0;
}

static int finish_stdout(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error(NULL, "error writing to standard output");
        return CLI_EXIT_ERROR;
    }
    return CLI_EXIT_OK;
}

/* Label ids of a clip into a reusable buffer. */
typedef struct labelbuf {
    uint32_t *ids;
    size_t cap, n;
} labelbuf;

static int clip_labels(labelbuf *lb, const synapt_reader *r, uint64_t clip, const char *path)
{
    size_t count = 0;
    for (;;) {
        int rc = synapt_reader_clip_labels(lb->ids, lb->cap, &count, r, clip);
        if (rc != 0) {
            cli_error_msg(path, synapt_reader_errmsg(r));
            return -1;
        }
        if (count <= lb->cap) break;
        lb->cap = count;
        lb->ids = xrealloc(lb->ids, lb->cap, sizeof *lb->ids);
    }
    lb->n = count;
    return 0;
}

static const char *label_or_unknown(const synapt_reader *r, uint32_t id)
{
    const char *n = synapt_reader_label_name(r, id);
    return n ? n : "?";
}

/* ---- summary ------------------------------------------------------- */

static int cmd_summary(const char *path, int json)
{
    synapt_reader *r;
    if (open_file(&r, path)) return CLI_EXIT_ERROR;
    int ret = CLI_EXIT_ERROR;
    synapt_file_info fi;
    aggtab streams = { 0 }, sources = { 0 }, splits = { 0 };
    labelbuf lb = { 0 };
    uint64_t nlabels = synapt_reader_label_count(r);
    uint64_t *label_clips = NULL, *stamp = NULL;
    if (synapt_reader_file_info(&fi, r) != 0) {
        cli_error_msg(path, synapt_reader_errmsg(r));
        goto done;
    }
    label_clips = xcalloc((size_t)nlabels, sizeof *label_clips);
    stamp = xcalloc((size_t)nlabels, sizeof *stamp);
    uint64_t nclips = synapt_reader_clip_count(r), frames = 0;
    double duration = 0;
    for (uint64_t c = 0; c < nclips; c++) {
        synapt_clip_info ci;
        if (synapt_reader_clip(&ci, r, c) != 0) {
            cli_error_msg(path, synapt_reader_errmsg(r));
            goto done;
        }
        frames += ci.frame_count;
        if (ci.fps_num && ci.fps_den)
            duration += (double)ci.frame_count * ci.fps_den / ci.fps_num;
        agg_get(&sources, ci.source, ci.synthetic ? 1 : 0)->clips++;
        agg_get(&splits, ci.split, 0)->clips++;
        if (clip_labels(&lb, r, c, path)) goto done;
        for (size_t i = 0; i < lb.n; i++) {
            uint32_t id = lb.ids[i];
            /* a label repeated within one clip still counts that clip once */
            if (id < nlabels && stamp[id] != c + 1) {
                stamp[id] = c + 1;
                label_clips[id]++;
            }
        }
        for (uint32_t s = 0; s < ci.stream_count; s++) {
            synapt_stream_info si;
            if (synapt_reader_stream(&si, r, c, s) != 0) {
                cli_error_msg(path, synapt_reader_errmsg(r));
                goto done;
            }
            agg *a = agg_get(&streams, si.name, 0);
            if (!a->clips) {
                a->kind = si.kind;
                a->codec = si.codec;
                a->dtype = si.dtype;
            }
            a->clips++;
            a->frames += si.frame_count;
            a->stored += si.stored_bytes;
            a->raw += si.raw_bytes;
        }
    }

    if (json) {
        char uuid[33];
        for (int i = 0; i < 16; i++) snprintf(uuid + 2 * i, 3, "%02x", fi.uuid[i]);
        printf("{\"schema\":\"synapt-inspect/1\",\"format_version\":\"%u.%u\",",
               fi.format_major, fi.format_minor);
        printf("\"writer\":");
        cli_json_str(stdout, fi.writer);
        printf(",\"uuid\":\"%s\",\"created_unix\":%" PRIu64 ",", uuid, fi.created_unix);
        char feats[512];
        feature_list(feats, sizeof feats, fi.required_features, 0);
        printf("\"required_features\":[%s],", feats);
        printf("\"clips\":%" PRIu64 ",\"frames\":%" PRIu64 ",\"duration_s\":", nclips, frames);
        cli_json_double(stdout, duration);
        printf(",\"file_bytes\":%" PRIu64 ",\"index_bytes\":%" PRIu64 ",\"chunks\":%" PRIu64,
               fi.file_bytes, fi.index_bytes, fi.chunk_count);
        printf(",\"streams\":[");
        for (size_t i = 0; i < streams.n; i++) {
            const agg *a = &streams.v[i];
            printf("%s{\"name\":", i ? "," : "");
            cli_json_str(stdout, a->name);
            printf(",\"kind\":\"%s\",\"codec\":\"%s\",\"dtype\":\"%s\",\"clips\":%" PRIu64
                   ",\"frames\":%" PRIu64 ",\"stored_bytes\":%" PRIu64 ",\"raw_bytes\":%" PRIu64
                   ",\"ratio\":",
                   synapt_kind_name(a->kind), synapt_codec_name(a->codec),
                   a->dtype ? synapt_dtype_name(a->dtype) : "", a->clips, a->frames, a->stored,
                   a->raw);
            cli_json_double(stdout, ratio(a->raw, a->stored));
            printf("}");
        }
        printf("],\"labels\":[");
        for (uint64_t i = 0; i < nlabels; i++) {
            printf("%s{\"id\":%" PRIu64 ",\"name\":", i ? "," : "", i);
            cli_json_str(stdout, label_or_unknown(r, (uint32_t)i));
            printf(",\"clips\":%" PRIu64 "}", label_clips[i]);
        }
        printf("],\"sources\":[");
        for (size_t i = 0; i < sources.n; i++) {
            printf("%s{\"name\":", i ? "," : "");
            cli_json_str(stdout, sources.v[i].name);
            printf(",\"synthetic\":%s,\"clips\":%" PRIu64 "}",
                   sources.v[i].synthetic ? "true" : "false", sources.v[i].clips);
        }
        printf("],\"splits\":[");
        for (size_t i = 0; i < splits.n; i++) {
            printf("%s{\"name\":", i ? "," : "");
            cli_json_str(stdout, splits.v[i].name);
            printf(",\"clips\":%" PRIu64 "}", splits.v[i].clips);
        }
        printf("]}\n");
    } else {
        char b1[32], b2[32], b3[32];
        printf("file        %s\n", path);
        printf("format      %u.%u, written by %s\n", fi.format_major, fi.format_minor,
               fi.writer && *fi.writer ? cli_disp(fi.writer) : "(unknown)");
        char feats[512];
        feature_list(feats, sizeof feats, fi.required_features, 1);
        printf("requires    %s\n", *feats ? feats : "nothing past format 1.0 (any 1.x reader)");
        printf("size        %s (index %s, %s chunks)\n",
               cli_human_bytes(b1, sizeof b1, fi.file_bytes),
               cli_human_bytes(b2, sizeof b2, fi.index_bytes),
               cli_human_count(b3, sizeof b3, fi.chunk_count));
        printf("clips       %s\n", cli_human_count(b1, sizeof b1, nclips));
        printf("frames      %s\n", cli_human_count(b1, sizeof b1, frames));
        printf("duration    %s\n", cli_human_duration(b1, sizeof b1, duration));

        /* column widths from the data, so long stream names stay aligned */
        int wn = 4;
        for (size_t i = 0; i < streams.n; i++) {
            int l = (int)strlen(cli_disp(streams.v[i].name));
            if (l > wn) wn = l > 40 ? 40 : l;
        }
        printf("\nstreams (%zu)\n", streams.n);
        if (streams.n)
            printf("  %-*s  %-12s  %-8s  %-5s  %7s  %10s  %10s  %10s  %7s\n", wn, "name", "kind",
                   "codec", "dtype", "clips", "frames", "stored", "raw", "ratio");
        for (size_t i = 0; i < streams.n; i++) {
            const agg *a = &streams.v[i];
            char s1[24], s2[24];
            printf("  %-*s  %-12s  %-8s  %-5s  %7" PRIu64 "  %10" PRIu64 "  %10s  %10s  %6.2fx\n",
                   wn, cli_disp(a->name), synapt_kind_name(a->kind), synapt_codec_name(a->codec),
                   a->dtype ? synapt_dtype_name(a->dtype) : "-", a->clips, a->frames,
                   cli_human_bytes(s1, sizeof s1, a->stored),
                   cli_human_bytes(s2, sizeof s2, a->raw), ratio(a->raw, a->stored));
        }

        printf("\nlabels (%" PRIu64 ")\n", nlabels);
        uint64_t maxc = 0;
        int wl = 4;
        for (uint64_t i = 0; i < nlabels; i++) {
            if (label_clips[i] > maxc) maxc = label_clips[i];
            int l = (int)strlen(cli_disp(label_or_unknown(r, (uint32_t)i)));
            if (l > wl) wl = l > 40 ? 40 : l;
        }
        for (uint64_t i = 0; i < nlabels; i++) {
            char bar[32];
            int len = maxc ? (int)((double)label_clips[i] / (double)maxc * 30 + 0.5) : 0;
            if (label_clips[i] && !len) len = 1;
            memset(bar, '#', (size_t)len);
            bar[len] = 0;
            printf("  %4" PRIu64 "  %-*s  %7" PRIu64 "  %s\n", i, wl, cli_disp(label_or_unknown(r, (uint32_t)i)),
                   label_clips[i], bar);
        }

        printf("\nsources (%zu)\n", sources.n);
        for (size_t i = 0; i < sources.n; i++)
            printf("  %-24s  %-9s  %7" PRIu64 " clips\n",
                   *sources.v[i].name ? cli_disp(sources.v[i].name) : "(none)",
                   sources.v[i].synthetic ? "synthetic" : "real", sources.v[i].clips);
        printf("\nsplits (%zu)\n", splits.n);
        for (size_t i = 0; i < splits.n; i++)
            printf("  %-24s  %7" PRIu64 " clips\n", *splits.v[i].name ? cli_disp(splits.v[i].name) : "(none)",
                   splits.v[i].clips);
    }
    ret = finish_stdout();
done:
    free(label_clips);
    free(stamp);
    free(lb.ids);
    agg_free(&streams);
    agg_free(&sources);
    agg_free(&splits);
    synapt_reader_close(r);
    return ret;
}

/* ---- one clip as JSON (shared by --clips --json and --clip --json) ---- */

static void fps_json(uint32_t num, uint32_t den)
{
    if (num && den) printf("\"%u/%u\"", num, den);
    else printf("null");
}

/* Print the contract object without its closing brace, so --clip can add
 * keys. Returns 0 or -1 after printing an error. */
static int clip_json_open(const synapt_reader *r, const synapt_clip_info *ci, labelbuf *lb,
                          const char *path)
{
    if (clip_labels(lb, r, ci->index, path)) return -1;
    printf("{\"index\":%" PRIu64 ",\"id\":", ci->index);
    cli_json_str(stdout, ci->id);
    printf(",\"labels\":[");
    for (size_t i = 0; i < lb->n; i++) {
        if (i) putchar(',');
        cli_json_str(stdout, label_or_unknown(r, lb->ids[i]));
    }
    printf("],\"label_ids\":[");
    for (size_t i = 0; i < lb->n; i++) printf("%s%u", i ? "," : "", lb->ids[i]);
    printf("],\"frames\":%" PRIu64 ",\"fps\":", ci->frame_count);
    fps_json(ci->fps_num, ci->fps_den);
    printf(",\"duration_s\":");
    cli_json_double(stdout, ci->fps_num && ci->fps_den
                                ? (double)ci->frame_count * ci->fps_den / ci->fps_num : 0.0);
    printf(",\"width\":%u,\"height\":%u,\"split\":", ci->width, ci->height);
    cli_json_str(stdout, ci->split);
    printf(",\"source\":");
    cli_json_str(stdout, ci->source);
    printf(",\"synthetic\":%s,\"group\":", ci->synthetic ? "true" : "false");
    cli_json_str(stdout, ci->group);
    printf(",\"groups\":[");
    for (uint32_t g = 0; g < ci->group_count; g++) {
        const char *k = NULL, *v = NULL;
        if (synapt_reader_clip_group(&k, &v, r, ci->index, g) != 0) {
            printf("]}\n");
            cli_error_msg(path, synapt_reader_errmsg(r));
            return -1;
        }
        printf("%s[", g ? "," : "");
        cli_json_str(stdout, k);
        putchar(',');
        cli_json_str(stdout, v);
        putchar(']');
    }
    printf("],\"streams\":[");
    for (uint32_t s = 0; s < ci->stream_count; s++) {
        synapt_stream_info si;
        if (synapt_reader_stream(&si, r, ci->index, s) != 0) {
            printf("]}\n");
            cli_error_msg(path, synapt_reader_errmsg(r));
            return -1;
        }
        if (s) putchar(',');
        cli_json_str(stdout, si.name);
    }
    printf("]");
    return 0;
}

static void shape_text(char *buf, size_t cap, const synapt_stream_info *si)
{
    size_t o = (size_t)snprintf(buf, cap, "(");
    for (uint32_t d = 0; d < si->ndim && d < 4 && o < cap; d++)
        o += (size_t)snprintf(buf + o, cap - o, d ? ", %" PRIu64 : "%" PRIu64, si->shape[d]);
    if (o < cap) snprintf(buf + o, cap - o, si->ndim == 1 ? ",)" : ")");
}

static void stream_json(const synapt_reader *r, uint64_t clip, const synapt_stream_info *si)
{
    printf("{\"index\":%u,\"name\":", si->index);
    cli_json_str(stdout, si->name);
    printf(",\"kind\":\"%s\",\"dtype\":\"%s\",\"shape\":[", synapt_kind_name(si->kind),
           si->dtype ? synapt_dtype_name(si->dtype) : "");
    for (uint32_t d = 0; d < si->ndim && d < 4; d++) printf("%s%" PRIu64, d ? "," : "", si->shape[d]);
    printf("],\"codec\":\"%s\",\"frames\":%" PRIu64 ",\"chunks\":%" PRIu64
           ",\"stored_bytes\":%" PRIu64 ",\"raw_bytes\":%" PRIu64 ",\"ratio\":",
           synapt_codec_name(si->codec), si->frame_count, si->chunk_count, si->stored_bytes,
           si->raw_bytes);
    cli_json_double(stdout, ratio(si->raw_bytes, si->stored_bytes));
    printf(",\"compression\":\"%s\",\"filter\":\"%s\",\"fps\":", compression_name(si->compression),
           filter_name(si->filter));
    fps_json(si->fps_num, si->fps_den);
    printf(",\"scale\":");
    cli_json_double(stdout, si->scale);
    printf(",\"units\":");
    cli_json_str(stdout, si->units);
    printf(",\"skeleton\":\"%s\",\"channels\":\"%s\",\"has_pts\":%s,\"frame_bytes\":%" PRIu64,
           skeleton_name(si->skeleton), channels_name(si->channels), si->has_pts ? "true" : "false",
           si->frame_bytes);
    synapt_video_info vi;
    if (si->kind == SYNAPT_KIND_VIDEO && synapt_video_get_info(&vi, r, clip, si->index) == 0) {
        printf(",\"video\":{\"codec\":");
        cli_json_str(stdout, vi.codec_name);
        printf(",\"mode\":\"%s\",\"pix_fmt\":", synapt_video_mode_name(vi.mode));
        cli_json_str(stdout, vi.pix_fmt);
        printf(",\"width\":%u,\"height\":%u,\"frames\":%" PRIu64 ",\"packets\":%" PRIu64
               ",\"sync_points\":%" PRIu64 ",\"fps\":",
               vi.width, vi.height, vi.frame_count, vi.packet_count, vi.sync_points);
        fps_json(vi.fps_num, vi.fps_den);
        char bsf[64];
        if (*cli_json_member_str(bsf, sizeof bsf, si->codec_config, "bsf")) {
            printf(",\"bsf\":");
            cli_json_str(stdout, bsf);
        }
        printf("}");
    }
    putchar('}');
}

/* ---- --clips ------------------------------------------------------- */

static void join_labels(char *buf, size_t cap, const synapt_reader *r, const labelbuf *lb)
{
    size_t o = 0;
    buf[0] = 0;
    for (size_t i = 0; i < lb->n && o + 1 < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? "," : "", cli_disp(label_or_unknown(r, lb->ids[i])));
    if (o >= cap && cap > 4) memcpy(buf + cap - 4, "...", 4);
}

static int cmd_clips(const char *path, int json)
{
    synapt_reader *r;
    if (open_file(&r, path)) return CLI_EXIT_ERROR;
    int ret = CLI_EXIT_ERROR;
    labelbuf lb = { 0 };
    uint64_t n = synapt_reader_clip_count(r);
    synapt_clip_info ci;
    /* widths from a first pass: clip info is O(1), so two passes are cheap */
    int wid = 2, wsplit = 5, wsrc = 6;
    if (!json) {
        for (uint64_t c = 0; c < n; c++) {
            if (synapt_reader_clip(&ci, r, c) != 0) {
                cli_error_msg(path, synapt_reader_errmsg(r));
                goto done;
            }
            int l = (int)strlen(cli_disp(ci.id));
            if (l > wid) wid = l > 60 ? 60 : l;
            l = (int)strlen(cli_disp(ci.split));
            if (l > wsplit) wsplit = l > 20 ? 20 : l;
            l = (int)strlen(cli_disp(ci.source)) + (ci.synthetic ? 1 : 0);
            if (l > wsrc) wsrc = l > 24 ? 24 : l;
        }
        printf("%6s  %-*s  %7s  %-11s  %-9s  %-*s  %-*s  %-24s  %s\n", "index", wid, "id", "frames",
               "fps", "size", wsplit, "split", wsrc, "source", "labels", "streams");
    }
    for (uint64_t c = 0; c < n; c++) {
        if (synapt_reader_clip(&ci, r, c) != 0) {
            cli_error_msg(path, synapt_reader_errmsg(r));
            goto done;
        }
        if (json) {
            if (clip_json_open(r, &ci, &lb, path)) goto done;
            printf("}\n");
            continue;
        }
        if (clip_labels(&lb, r, c, path)) goto done;
        char labels[256], fps[24], size[24], src[64], streams[512];
        join_labels(labels, sizeof labels, r, &lb);
        if (ci.fps_num && ci.fps_den) snprintf(fps, sizeof fps, "%u/%u", ci.fps_num, ci.fps_den);
        else snprintf(fps, sizeof fps, "-");
        if (ci.width) snprintf(size, sizeof size, "%ux%u", ci.width, ci.height);
        else snprintf(size, sizeof size, "-");
        snprintf(src, sizeof src, "%s%s", *ci.source ? cli_disp(ci.source) : "-", ci.synthetic ? "*" : "");
        size_t o = 0;
        streams[0] = 0;
        for (uint32_t s = 0; s < ci.stream_count && o + 1 < sizeof streams; s++) {
            synapt_stream_info si;
            if (synapt_reader_stream(&si, r, c, s) != 0) {
                cli_error_msg(path, synapt_reader_errmsg(r));
                goto done;
            }
            o += (size_t)snprintf(streams + o, sizeof streams - o, "%s%s", s ? "," : "", cli_disp(si.name));
        }
        printf("%6" PRIu64 "  %-*s  %7" PRIu64 "  %-11s  %-9s  %-*s  %-*s  %-24s  %s\n", c, wid, cli_disp(ci.id),
               ci.frame_count, fps, size, wsplit, *ci.split ? cli_disp(ci.split) : "-", wsrc, src,
               *labels ? labels : "-", streams);
    }
    ret = finish_stdout();
done:
    free(lb.ids);
    synapt_reader_close(r);
    return ret;
}

/* ---- --clip ID ----------------------------------------------------- */

static int cmd_clip(const char *path, const char *id, int json)
{
    synapt_reader *r;
    if (open_file(&r, path)) return CLI_EXIT_ERROR;
    int ret = CLI_EXIT_ERROR;
    labelbuf lb = { 0 };
    uint64_t idx;
    synapt_clip_info ci;
    int rc = synapt_reader_find_clip(&idx, r, id);
    if (rc == SYNAPT_E_NOT_FOUND) {
        cli_error(path, "no clip with id '%s'", id);
        goto done;
    }
    if (rc != 0 || synapt_reader_clip(&ci, r, idx) != 0) {
        cli_error_msg(path, synapt_reader_errmsg(r));
        goto done;
    }
    if (json) {
        if (clip_json_open(r, &ci, &lb, path)) goto done;
        printf(",\"meta\":");
        if (cli_json_embed(stdout, ci.meta_json, ci.meta_len) != 0) {
            /* the format requires an object; say so but still show the bytes */
            cli_warn(path, "clip '%s': stored metadata is not valid JSON", cli_disp(ci.id));
            printf("null,\"meta_text\":");
            cli_json_strn(stdout, ci.meta_json, ci.meta_len);
        }
        printf(",\"stream_info\":[");
        for (uint32_t s = 0; s < ci.stream_count; s++) {
            synapt_stream_info si;
            if (synapt_reader_stream(&si, r, idx, s) != 0) {
                printf("]}\n");
                cli_error_msg(path, synapt_reader_errmsg(r));
                goto done;
            }
            if (s) putchar(',');
            stream_json(r, idx, &si);
        }
        printf("]}\n");
        ret = finish_stdout();
        goto done;
    }

    if (clip_labels(&lb, r, idx, path)) goto done;
    char buf[256];
    printf("clip        %s (index %" PRIu64 ")\n", cli_disp(ci.id), idx);
    join_labels(buf, sizeof buf, r, &lb);
    printf("labels      %s\n", *buf ? buf : "(none)");
    if (ci.fps_num && ci.fps_den) {
        char d[32];
        printf("frames      %" PRIu64 " (%s at %u/%u fps)\n", ci.frame_count,
               cli_human_duration(d, sizeof d, (double)ci.frame_count * ci.fps_den / ci.fps_num),
               ci.fps_num, ci.fps_den);
    } else {
        printf("frames      %" PRIu64 "\n", ci.frame_count);
    }
    if (ci.width) printf("size        %ux%u\n", ci.width, ci.height);
    printf("split       %s\n", *ci.split ? cli_disp(ci.split) : "(none)");
    printf("source      %s (%s)\n", *ci.source ? cli_disp(ci.source) : "(none)",
           ci.synthetic ? "synthetic" : "real");
    printf("groups     ");
    if (!ci.group_count) printf(" (none)");
    for (uint32_t g = 0; g < ci.group_count; g++) {
        const char *k = NULL, *v = NULL;
        if (synapt_reader_clip_group(&k, &v, r, idx, g) != 0) {
            putchar('\n');
            cli_error_msg(path, synapt_reader_errmsg(r));
            goto done;
        }
        printf(" %s=%s", cli_disp(k), cli_disp(v));
    }
    printf("\n\nstreams (%u)\n", ci.stream_count);
    for (uint32_t s = 0; s < ci.stream_count; s++) {
        synapt_stream_info si;
        if (synapt_reader_stream(&si, r, idx, s) != 0) {
            cli_error_msg(path, synapt_reader_errmsg(r));
            goto done;
        }
        char shape[96], b1[24], b2[24];
        shape_text(shape, sizeof shape, &si);
        printf("  [%u] %s: %s %s %s, codec %s, %" PRIu64 " frames in %" PRIu64 " chunks\n", s, cli_disp(si.name),
               synapt_kind_name(si.kind), si.dtype ? synapt_dtype_name(si.dtype) : "-", shape,
               synapt_codec_name(si.codec), si.frame_count, si.chunk_count);
        printf("      stored %s, raw %s (%.2fx), compression %s, filter %s",
               cli_human_bytes(b1, sizeof b1, si.stored_bytes),
               cli_human_bytes(b2, sizeof b2, si.raw_bytes), ratio(si.raw_bytes, si.stored_bytes),
               compression_name(si.compression), filter_name(si.filter));
        if (si.fps_num && si.fps_den) printf(", %u/%u fps", si.fps_num, si.fps_den);
        if (si.kind == SYNAPT_KIND_DEPTH) printf(", scale %g %s per unit", si.scale,
                                                 *si.units ? cli_disp(si.units) : "m");
        else if (si.units && *si.units) printf(", units %s", cli_disp(si.units));
        if (si.skeleton) printf(", skeleton %s", skeleton_name(si.skeleton));
        if (si.channels) printf(", channels %s", channels_name(si.channels));
        if (si.has_pts) printf(", timestamps");
        putchar('\n');
        synapt_video_info vi;
        char bsf[64];
        cli_json_member_str(bsf, sizeof bsf, si.codec_config, "bsf");
        if (si.kind == SYNAPT_KIND_VIDEO && synapt_video_get_info(&vi, r, idx, s) == 0)
            printf("      video %s (%s%s%s), %s, %ux%u, %" PRIu64 " frames from %" PRIu64
                   " packets, %" PRIu64 " sync points\n",
                   cli_disp(vi.codec_name), synapt_video_mode_name(vi.mode),
                   *bsf ? ", " : "", cli_disp(bsf),
                   cli_disp(vi.pix_fmt), vi.width, vi.height, vi.frame_count, vi.packet_count, vi.sync_points);
        if (cli_verbosity() > 0) {
            for (uint64_t k = 0; k < si.chunk_count; k++) {
                synapt_chunk_info ch;
                if (synapt_reader_chunk(&ch, r, idx, s, k) != 0) {
                    cli_error_msg(path, synapt_reader_errmsg(r));
                    goto done;
                }
                printf("      chunk %" PRIu64 ": frames %" PRIu64 "..%" PRIu64 ", offset %" PRIu64
                       ", record %" PRIu64 " B, payload %" PRIu64 " B, raw %" PRIu64
                       " B, xxh3 %016" PRIx64 "%s%s\n",
                       k, ch.first_frame, ch.first_frame + ch.frame_count - (ch.frame_count ? 1 : 0),
                       ch.file_offset, ch.record_bytes, ch.stored_bytes, ch.raw_bytes, ch.checksum,
                       /* depth_rank streams pick the filter chunk by chunk */
                       si.filter == SYNAPT_FILTER_DEPTH_RANK ? ", filter " : "",
                       si.filter == SYNAPT_FILTER_DEPTH_RANK ? filter_name(ch.filter) : "");
            }
        }
    }
    printf("\nmeta        ");
    if (cli_json_embed(stdout, ci.meta_json, ci.meta_len) != 0) {
        cli_warn(path, "clip '%s': stored metadata is not valid JSON", cli_disp(ci.id));
        cli_json_strn(stdout, ci.meta_json, ci.meta_len);
    }
    putchar('\n');
    ret = finish_stdout();
done:
    free(lb.ids);
    synapt_reader_close(r);
    return ret;
}

/* ---- --verify ------------------------------------------------------ */

/* Every failure of a verification: printed at once as one line, and kept
 * for --json. */
typedef struct vfaults {
    const char *path;
    int json;
    size_t n, cap;
    char **msg;
    int *code;
} vfaults;

static int on_fault(void *u, int code, const char *message)
{
    vfaults *f = u;
    cli_error_msg(f->path, message);
    if (f->json) {
        if (f->n == f->cap) {
            f->cap = f->cap ? 2 * f->cap : 16;
            f->msg = xrealloc(f->msg, f->cap, sizeof *f->msg);
            f->code = xrealloc(f->code, f->cap, sizeof *f->code);
        }
        f->msg[f->n] = xstrdup(message);
        f->code[f->n] = code;
    }
    f->n++;
    return 0;
}

/* The JSON report shared by files and manifests (schema synapt-inspect-verify/1;
 * "quick" and "errors" were added to it without changing the older keys). */
static void verify_json(const vfaults *f, int quick, uint64_t clips, const uint64_t *chunks, int rc, const char *first)
{
    printf("{\"schema\":\"synapt-inspect-verify/1\",\"ok\":%s,\"quick\":%s,\"clips\":%" PRIu64,
           rc == 0 ? "true" : "false", quick ? "true" : "false", clips);
    if (chunks) printf(",\"chunks\":%" PRIu64, *chunks);
    printf(",\"error\":");
    if (rc == 0) printf("null");
    else cli_json_str(stdout, first);
    printf(",\"code\":%d,\"errors\":[", rc);
    for (size_t i = 0; i < f->n && f->msg; i++) {
        printf("%s{\"code\":%d,\"message\":", i ? "," : "", f->code[i]);
        cli_json_str(stdout, f->msg[i]);
        putchar('}');
    }
    printf("]}\n");
}

static void vfaults_free(vfaults *f)
{
    for (size_t i = 0; i < f->n && f->msg; i++) free(f->msg[i]);
    free(f->msg);
    free(f->code);
}

static int cmd_verify(const char *path, int json, int quick)
{
    synapt_reader *r;
    char err[1024] = "";
    double t0 = cli_now();
    vfaults f = { path, json, 0, 0, NULL, NULL };
    int rc = synapt_reader_open2(&r, path, NULL, err, sizeof err);
    if (rc == 0) {
        cli_progress p;
        cli_progress_start(&p, "verify", "clips", synapt_reader_clip_count(r));
        synapt_verify_options o = SYNAPT_VERIFY_OPTIONS_INIT;
        o.flags = quick ? SYNAPT_VERIFY_QUICK : 0;
        o.progress = cli_progress_cb;
        o.progress_user = &p;
        o.on_error = on_fault;
        o.error_user = &f;
        rc = synapt_reader_verify2(r, &o);
        cli_progress_end(&p);
        if (rc != 0) snprintf(err, sizeof err, "%s", synapt_reader_errmsg(r));
    } else {
        if (!err[0]) snprintf(err, sizeof err, "%s", synapt_strerror(rc));
        on_fault(&f, rc, err);
    }
    synapt_file_info fi;
    memset(&fi, 0, sizeof fi);
    if (r) synapt_reader_file_info(&fi, r);
    if (json) {
        verify_json(&f, quick, fi.clip_count, &fi.chunk_count, rc, err);
    } else if (rc == 0 && cli_verbosity() >= 0) {
        char b[32];
        printf("%s: ok%s (%" PRIu64 " clips, %" PRIu64 " chunks, %s)\n", path, quick ? ", quick check" : "",
               fi.clip_count, fi.chunk_count, cli_human_bytes(b, sizeof b, fi.file_bytes));
    }
    if (rc == 0 && cli_verbosity() > 0) {
        char b1[32], b2[32];
        double dt = cli_now() - t0;
        cli_info("%s: checked %s in %.2f s (%.0f MiB/s), peak memory %s", path,
                 cli_human_bytes(b1, sizeof b1, fi.file_bytes), dt,
                 dt > 0 ? (double)fi.file_bytes / dt / 1048576.0 : 0.0,
                 cli_human_bytes(b2, sizeof b2, cli_peak_rss()));
    }
    synapt_reader_close(r);
    vfaults_free(&f);
    int out = finish_stdout();
    return rc != 0 ? CLI_EXIT_ERROR : out;
}

/* ---- dataset manifests (spec/dataset.md) ---------------------------- */

static void uuid_hex(char out[33], const uint8_t *u)
{
    for (int i = 0; i < 16; i++) snprintf(out + 2 * i, 3, "%02x", u[i]);
}

/* A manifest: the summary lists the members from the manifest alone;
 * --clips and --verify read through the members; --clip describes the
 * member clip (member labels; the dataset's mapping is in --clips). */
static int cmd_manifest(synapt_dataset *ds, const char *path, int mode, const char *id, int json, int quick)
{
    int ret = CLI_EXIT_ERROR;
    uint64_t n = synapt_dataset_clip_count(ds);
    uint32_t nm = synapt_dataset_member_count(ds);
    uint32_t *ids = NULL;
    if (mode == 0) {
        if (json) {
            printf("{\"schema\":\"synapt-inspect-dataset/1\",\"path\":");
            cli_json_str(stdout, path);
            printf(",\"clips\":%" PRIu64 ",\"labels\":%" PRIu64 ",\"members\":[", n,
                   synapt_dataset_label_count(ds));
        } else {
            printf("dataset     %s (manifest, %u members)\nclips       %" PRIu64 "\nlabels      %" PRIu64 "\n\n",
                   path, nm, n, synapt_dataset_label_count(ds));
            printf("%-40s  %-32s  %10s  %10s  %12s\n", "member", "uuid", "clips", "selected", "bytes");
        }
        for (uint32_t m = 0; m < nm; m++) {
            synapt_dataset_member mi;
            synapt_dataset_member_info(&mi, ds, m);
            char hex[33];
            uuid_hex(hex, mi.uuid);
            if (json) {
                printf("%s{\"path\":", m ? "," : "");
                cli_json_str(stdout, mi.path);
                printf(",\"uuid\":\"%s\",\"clips\":%" PRIu64 ",\"selected\":%" PRIu64 ",\"size\":%" PRIu64 "}",
                       hex, mi.clips, mi.selected, mi.size);
            } else {
                printf("%-40s  %s  %10" PRIu64 "  %10" PRIu64 "  %12" PRIu64 "\n", cli_disp(mi.path), hex,
                       mi.clips, mi.selected, mi.size);
            }
        }
        if (json) printf("]}\n");
        ret = finish_stdout();
    } else if (mode == 1) {
        size_t cap = 16, cnt = 0;
        ids = xcalloc(cap, sizeof *ids);
        if (!json) printf("%8s  %-40s  %7s  %-9s  %-12s  %s\n", "index", "id", "frames", "split", "source", "labels");
        for (uint64_t g = 0; g < n; g++) {
            synapt_clip_info ci;
            int rc = synapt_dataset_clip(&ci, ds, g);
            while (!rc && (rc = synapt_dataset_clip_labels(ids, cap, &cnt, ds, g)) == SYNAPT_E_BUFFER) {
                cap = cnt;
                ids = xrealloc(ids, cap, sizeof *ids);
            }
            if (rc) {
                cli_error_msg(path, synapt_dataset_errmsg(ds));
                goto done;
            }
            if (json) {
                printf("{\"index\":%" PRIu64 ",\"id\":", g);
                cli_json_str(stdout, ci.id);
                printf(",\"frames\":%" PRIu64 ",\"split\":", ci.frame_count);
                cli_json_str(stdout, ci.split);
                printf(",\"source\":");
                cli_json_str(stdout, ci.source);
                printf(",\"labels\":[");
                for (size_t i = 0; i < cnt; i++) {
                    if (i) putchar(',');
                    cli_json_str(stdout, synapt_dataset_label_name(ds, ids[i]));
                }
                printf("]}\n");
            } else {
                char labels[256];
                size_t o = 0;
                labels[0] = 0;
                for (size_t i = 0; i < cnt && o + 1 < sizeof labels; i++)
                    o += (size_t)snprintf(labels + o, sizeof labels - o, "%s%s", i ? "," : "",
                                          cli_disp(synapt_dataset_label_name(ds, ids[i])));
                printf("%8" PRIu64 "  %-40s  %7" PRIu64 "  %-9s  %-12s  %s\n", g, cli_disp(ci.id),
                       ci.frame_count, *ci.split ? cli_disp(ci.split) : "-",
                       *ci.source ? cli_disp(ci.source) : "-", cnt ? labels : "-");
            }
        }
        ret = finish_stdout();
    } else if (mode == 2) {
        uint64_t g;
        uint32_t m;
        synapt_dataset_member mi;
        if (synapt_dataset_find_clip(&g, ds, id)) {
            cli_error_msg(path, synapt_dataset_errmsg(ds));
            goto done;
        }
        synapt_dataset_locate(&m, NULL, ds, g);
        synapt_dataset_member_info(&mi, ds, m);
        if (!json) printf("dataset clip %" PRIu64 " of %s, in member %s\n\n", g, path, cli_disp(mi.path));
        ret = cmd_clip(mi.resolved_path, id, json);
    } else {
        cli_progress p;
        vfaults f = { path, json, 0, 0, NULL, NULL };
        cli_progress_start(&p, "verify", "members", nm);
        synapt_verify_options o = SYNAPT_VERIFY_OPTIONS_INIT;
        o.flags = quick ? SYNAPT_VERIFY_QUICK : 0;
        o.progress = cli_progress_cb;
        o.progress_user = &p;
        o.on_error = on_fault;
        o.error_user = &f;
        int rc = synapt_dataset_verify2(ds, &o);
        cli_progress_end(&p);
        if (json) verify_json(&f, quick, n, NULL, rc, synapt_dataset_errmsg(ds));
        else if (!rc && cli_verbosity() >= 0)
            printf("%s: ok%s (%" PRIu64 " clips in %u members)\n", path, quick ? ", quick check" : "", n, nm);
        vfaults_free(&f);
        int out = finish_stdout();
        ret = rc ? CLI_EXIT_ERROR : out;
    }
done:
    free(ids);
    return ret;
}

/* --clip ID --preview OUT.png: the contact sheet of synapt-convert --to
 * preview, for a look while inspecting; written through the safe outputs */
static int cmd_preview(const char *path, const char *clip_id, const char *out)
{
    synapt_reader *r;
    char err[1024] = "";
    if (cli_check_input(path)) return CLI_EXIT_ERROR;
    int rc = synapt_reader_open2(&r, path, NULL, err, sizeof err);
    if (rc) {
        cli_error_msg(path, err[0] ? err : synapt_strerror(rc));
        return CLI_EXIT_ERROR;
    }
    uint64_t clip;
    if ((rc = synapt_reader_find_clip(&clip, r, clip_id)) != 0) {
        if (rc == SYNAPT_E_NOT_FOUND) cli_error(path, "no clip with id '%s'", clip_id);
        else cli_error_msg(path, synapt_reader_errmsg(r));
        synapt_reader_close(r);
        return CLI_EXIT_ERROR;
    }
    cli_staged st;
    if (cli_staged_open(&st, out, &path, 1)) {
        synapt_reader_close(r);
        return CLI_EXIT_ERROR;
    }
    export_options o = EXPORT_OPTIONS_INIT;
    o.clips = &clip;
    o.clip_count = 1;
    /* a movie preview runs the encoder: its chatter only with -v */
    cli_route_ffmpeg_log();
    rc = export_preview(r, st.file, &o, 0, err, sizeof err);
    synapt_reader_close(r);
    if (rc) {
        cli_staged_abort(&st);
        cli_error_msg(out, err[0] ? err : synapt_strerror(rc));
        return CLI_EXIT_ERROR;
    }
    if (cli_staged_commit(&st)) return CLI_EXIT_ERROR;
    cli_info("%s: contact sheet of clip %s", out, clip_id);
    return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
    enum { OPT_JSON = 0x2000, OPT_CLIPS, OPT_CLIP, OPT_VERIFY, OPT_PREVIEW, OPT_QUICK };
    static const struct option longopts[] = {
        { "json", no_argument, NULL, OPT_JSON },
        { "clips", no_argument, NULL, OPT_CLIPS },
        { "clip", required_argument, NULL, OPT_CLIP },
        { "verify", no_argument, NULL, OPT_VERIFY },
        { "quick", no_argument, NULL, OPT_QUICK },
        { "preview", required_argument, NULL, OPT_PREVIEW },
        CLI_COMMON_OPTIONS,
        { NULL, 0, NULL, 0 }
    };
    cli_init("synapt-inspect", usage);
    int json = 0, mode = 0, quick = 0, c;
    const char *clip_id = NULL, *preview = NULL;
    opterr = 0;
    cli_refuse_abbrev(argc, argv, ":" CLI_COMMON_SHORT, longopts);
    while ((c = getopt_long(argc, argv, ":" CLI_COMMON_SHORT, longopts, NULL)) != -1) {
        if (cli_common_option(c, argv)) continue;
        switch (c) {
        case OPT_JSON: json = 1; break;
        case OPT_PREVIEW: preview = optarg; break;
        case OPT_QUICK: quick = 1; break;
        case OPT_CLIPS: case OPT_CLIP: case OPT_VERIFY:
            if (mode && mode != c) cli_usage_error("--clips, --clip and --verify exclude each other");
            mode = c;
            if (c == OPT_CLIP) clip_id = optarg;
            break;
        default:
            cli_usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc) cli_usage_error("no FILE given");
    if (argc - optind > 1) cli_usage_error("one FILE at a time (got %d)", argc - optind);
    const char *path = argv[optind];
    if (quick && mode != OPT_VERIFY) cli_usage_error("--quick goes with --verify");
    if (preview) {
        if (mode != OPT_CLIP || json) cli_usage_error("--preview OUT.png goes with --clip ID (and no --json)");
        return cmd_preview(path, clip_id, preview);
    }
    /* a manifest is recognised by its content; a .synapt file keeps the
     * reader paths below (they report per-file details a dataset lacks) */
    synapt_dataset *ds = NULL;
    char err[512] = "";
    int rc = synapt_dataset_open(&ds, path, NULL, err, sizeof err);
    if (rc == 0 && synapt_dataset_is_manifest(ds)) {
        int m = mode == OPT_CLIPS ? 1 : mode == OPT_CLIP ? 2 : mode == OPT_VERIFY ? 3 : 0;
        int ret = cmd_manifest(ds, path, m, clip_id, json, quick);
        synapt_dataset_close(ds);
        return ret;
    }
    synapt_dataset_close(ds);
    if (rc != 0 && rc != SYNAPT_E_IO) {
        cli_error_msg(path, err);
        return CLI_EXIT_ERROR;
    }
    switch (mode) {
    case OPT_CLIPS: return cmd_clips(path, json);
    case OPT_CLIP: return cmd_clip(path, clip_id, json);
    case OPT_VERIFY: return cmd_verify(path, json, quick);
    default: return cmd_summary(path, json);
    }
}
