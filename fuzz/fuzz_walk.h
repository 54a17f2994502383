/* fuzz_walk.h - walk everything a reader handle exposes, the way a data
 * loader or synapt-inspect would, checking the API's promises on success:
 * lengths agree, strings are NUL-terminated, frames fit a buffer sized from
 * frame_sizes, undersized buffers and out-of-range requests are refused.
 * Shared by the fuzz targets (static, include-guarded; see fuzz_common.h). */
#ifndef SYNAPT_FUZZ_WALK_H
#define SYNAPT_FUZZ_WALK_H
#include <sys/mman.h>
#include "fuzz_common.h"

/* Bound the work per input so the fuzzer stays fast on files that announce
 * millions of clips or frames. */
#define FZ_MAX_CLIPS   64
#define FZ_MAX_STREAMS 16
#define FZ_MAX_FRAMES  64
#define FZ_MAX_BYTES   (4u << 20)

/* Successful whole-stream reads (frames or packets) and verifies: the replay test checks that
 * valid inputs really get this far. */
static unsigned long fz_stat_reads, fz_stat_verified;

static inline void fz_touch(const char *s)
{
    /* strlen lets ASan catch a string that is not NUL-terminated in bounds */
    if (!s) abort();
    volatile size_t n = strlen(s);
    (void)n;
}

static inline void fz_read_stream(synapt_reader *r, uint64_t c, uint32_t s, const synapt_stream_info *si)
{
    uint64_t n = si->frame_count < FZ_MAX_FRAMES ? si->frame_count : FZ_MAX_FRAMES;
    uint64_t sizes[FZ_MAX_FRAMES];
    int64_t pts[FZ_MAX_FRAMES];
    if (n == 0) return;
    (void)synapt_reader_frame_pts(pts, r, c, s, 0, n);
    if (synapt_reader_frame_sizes(sizes, r, c, s, 0, n) == 0) {
        uint64_t total = 0;
        for (uint64_t i = 0; i < n; i++) {
            if (sizes[i] > FZ_MAX_BYTES) { total = UINT64_MAX; break; }
            total += sizes[i];
        }
        if (total <= FZ_MAX_BYTES) {
            size_t cap = (size_t)total ? (size_t)total : 1;
            uint8_t *buf = (uint8_t *)malloc(cap);
            size_t written = 0;
            if (!buf) abort();
            if (synapt_reader_read_frames(buf, cap, &written, r, c, s, 0, n) == 0) {
                if (written != total) abort(); /* read_frames disagrees with frame_sizes */
                fz_stat_reads++;
            }
            /* single frames: ranges that start mid-chunk, and the path that
             * cuts one zstd frame out without decoding its neighbours */
            for (uint64_t i = 0; i < n && i < 8; i++) {
                uint64_t k = i < 4 ? i : n - 1 - (i - 4);
                (void)synapt_reader_read_frames(buf, (size_t)sizes[k], &written, r, c, s, k, 1);
            }
            /* a buffer one byte short must be refused, not overrun */
            if (total > 0)
                (void)synapt_reader_read_frames(buf, (size_t)total - 1, &written, r, c, s, 0, n);
            free(buf);
        }
    }
    if (si->kind == SYNAPT_KIND_POSE2D || si->kind == SYNAPT_KIND_POSE3D) {
        uint32_t persons = 0;
        if (synapt_reader_pose_max_persons(&persons, r, c, s) == 0 && persons > 0 && persons <= 8
            && si->ndim == 3 && si->shape[1] <= 128 && si->shape[2] <= 4) {
            size_t count = (size_t)n * persons * (size_t)si->shape[1] * (size_t)si->shape[2];
            float *pose = (float *)malloc(count ? count * sizeof(float) : 1);
            if (!pose) abort();
            (void)synapt_reader_read_pose(pose, count, r, c, s, 0, n, persons);
            free(pose);
        }
    }
    /* out-of-range requests must be refused cleanly */
    uint8_t one;
    (void)synapt_reader_read_frames(&one, 1, NULL, r, c, s, si->frame_count, 1);
    (void)synapt_reader_frame_sizes(sizes, r, c, s, UINT64_MAX, 2);
}

static inline void fz_walk_chunks(synapt_reader *r, uint64_t c, uint32_t s, const synapt_stream_info *si)
{
    uint64_t nch = si->chunk_count < 8 ? si->chunk_count : 8;
    for (uint64_t k = 0; k < nch; k++) {
        synapt_chunk_info ci;
        if (synapt_reader_chunk(&ci, r, c, s, k) != 0) continue;
        uint64_t found;
        if (ci.frame_count > 0)
            (void)synapt_reader_find_chunk(&found, r, c, s, ci.first_frame);
        /* size the buffer from the index, then once more from what the
         * library says it needs: both paths must be safe */
        size_t cap = ci.record_bytes < FZ_MAX_BYTES ? (size_t)ci.record_bytes : FZ_MAX_BYTES;
        for (int attempt = 0; attempt < 2 && cap > 0; attempt++) {
            uint8_t *body = (uint8_t *)malloc(cap);
            size_t got = 0;
            if (!body) abort();
            int rc = synapt_reader_read_chunk_body(body, cap, &got, r, c, s, k);
            free(body);
            if (rc == 0 && got > cap) abort();
            if (rc != SYNAPT_E_BUFFER || got <= cap || got > FZ_MAX_BYTES) break;
            cap = got;
        }
    }
    uint64_t found;
    (void)synapt_reader_find_chunk(&found, r, c, s, UINT64_MAX);
}

/* Frame table entries and the stored bytes behind them (any stream; for
 * encoded video these are the packets), and a video stream's description,
 * which parses its codec_config. Nothing is decoded. */
static inline void fz_read_entries(synapt_reader *r, uint64_t c, uint32_t s, const synapt_stream_info *si)
{
    synapt_frame_entry e[FZ_MAX_FRAMES];
    uint64_t n = si->frame_count < FZ_MAX_FRAMES ? si->frame_count : FZ_MAX_FRAMES;
    if (si->kind == SYNAPT_KIND_VIDEO || si->codec != SYNAPT_CODEC_RAW) {
        synapt_video_info vi;
        if (synapt_video_get_info(&vi, r, c, s) == 0) {
            fz_touch(vi.codec_name);
            fz_touch(vi.pix_fmt);
            if (vi.packet_count < n) n = vi.packet_count;
        }
    }
    if (n == 0 || synapt_reader_frame_entries(e, r, c, s, 0, n) != 0) return;
    uint64_t total = 0;
    for (uint64_t i = 0; i < n; i++) {
        if (e[i].size > FZ_MAX_BYTES) return;
        total += e[i].size;
    }
    if (total > FZ_MAX_BYTES) return;
    uint8_t *buf = (uint8_t *)malloc(total ? (size_t)total : 1);
    size_t written = 0;
    if (!buf) abort();
    if (synapt_reader_read_packets(r, c, s, 0, n, buf, (size_t)total, &written) == 0) {
        if (written != total) abort(); /* read_packets disagrees with frame_entries */
        fz_stat_reads++;
    }
    free(buf);
}

static inline void fz_walk(synapt_reader *r)
{
    synapt_file_info fi;
    if (synapt_reader_file_info(&fi, r) == 0) fz_touch(fi.writer);
    fz_touch(synapt_reader_path(r));

    uint64_t nl = synapt_reader_label_count(r);
    for (uint64_t l = 0; l < nl && l < 256; l++) {
        const char *name = synapt_reader_label_name(r, (uint32_t)l);
        uint32_t id;
        if (name) {
            fz_touch(name);
            (void)synapt_reader_find_label(&id, r, name);
        }
    }
    (void)synapt_reader_label_name(r, UINT32_MAX);

    uint64_t nc = synapt_reader_clip_count(r);
    for (uint64_t c = 0; c < nc && c < FZ_MAX_CLIPS; c++) {
        synapt_clip_info ci;
        if (synapt_reader_clip(&ci, r, c) != 0) continue;
        fz_touch(ci.id);
        fz_touch(ci.split);
        fz_touch(ci.source);
        fz_touch(ci.group);
        fz_touch(ci.meta_json);
        if (strlen(ci.meta_json) != ci.meta_len) abort();
        uint64_t found;
        (void)synapt_reader_find_clip(&found, r, ci.id);

        uint32_t labels[16];
        size_t count = 0;
        if (synapt_reader_clip_labels(labels, 16, &count, r, c) == 0)
            for (size_t i = 0; i < count && i < 16; i++) (void)synapt_reader_label_name(r, labels[i]);
        for (uint32_t g = 0; g < ci.group_count && g < 16; g++) {
            const char *k, *v;
            if (synapt_reader_clip_group(&k, &v, r, c, g) == 0) { fz_touch(k); fz_touch(v); }
        }

        for (uint32_t s = 0; s < ci.stream_count && s < FZ_MAX_STREAMS; s++) {
            synapt_stream_info si;
            if (synapt_reader_stream(&si, r, c, s) != 0) continue;
            fz_touch(si.name);
            fz_touch(si.units);
            fz_touch(si.codec_config);
            if (si.extradata_size) {
                volatile uint8_t x = ((const uint8_t *)si.extradata)[si.extradata_size - 1];
                (void)x;
            }
            uint32_t idx;
            (void)synapt_reader_find_stream(&idx, r, c, si.name);
            fz_walk_chunks(r, c, s, &si);
            fz_read_entries(r, c, s, &si);
            if (si.codec == SYNAPT_CODEC_RAW) fz_read_stream(r, c, s, &si);
        }
    }
    synapt_clip_info none;
    (void)synapt_reader_clip(&none, r, nc);
    uint64_t found;
    (void)synapt_reader_find_clip(&found, r, "no such clip");
}

/* Open an image from memory, walk it, verify it, close it. Returns the code
 * of the open (the walk's own failures are expected on hostile input). */
static inline int fz_open_walk(const uint8_t *data, size_t size, int verify_index, int verify_chunks)
{
    synapt_reader_options o;
    synapt_reader *r = NULL;
    char err[256];
    err[0] = 0;
    fz_reader_options(&o, verify_chunks);
    o.verify_index = verify_index;
    int rc = synapt_reader_open_memory(&r, data, size, "fuzz", &o, err, sizeof err);
    if (rc != 0) {
        if (r) abort();           /* a failed open must not hand out a handle */
        fz_touch(err);
        return rc;
    }
    fz_walk(r);
    if (synapt_reader_verify(r, NULL, NULL) == 0) fz_stat_verified++;
    fz_touch(synapt_reader_errmsg(r));
    synapt_reader_close(r);
    return 0;
}

/* The same through the path API, which reads with pread and maps the index,
 * with every check on: the input goes into an anonymous memory file opened
 * by its /proc name, so no disk is touched. Returns the open's code, or 1
 * when no memfd exists. */
static inline int fz_open_walk_file(const uint8_t *data, size_t size, int use_mmap)
{
    int fd = memfd_create("synapt-fuzz", 0);
    if (fd < 0) return 1;
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(fd, data + done, size - done);
        if (n <= 0) { close(fd); return 1; }
        done += (size_t)n;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    synapt_reader_options o;
    synapt_reader *r = NULL;
    char err[256];
    err[0] = 0;
    fz_reader_options(&o, 1);
    o.use_mmap = use_mmap;
    int rc = synapt_reader_open2(&r, path, &o, err, sizeof err);
    if (rc != 0) {
        if (r) abort();
        fz_touch(err);
    } else {
        fz_walk(r);
        (void)synapt_reader_verify(r, NULL, NULL);
        synapt_reader_close(r);
    }
    close(fd);
    return rc;
}

#endif
