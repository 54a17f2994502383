/* Regression tests for the tools' shared conventions found by the QA pass.
 *
 * ffmpeg_log_follows_verbosity: FFmpeg calls a custom log callback for every
 * message whatever av_log_set_level() says, so cli_route_ffmpeg_log's callback
 * must check the level itself. It did not, and a damaged H.264 stream made
 * synapt-convert print dozens of "ffmpeg: decode_slice_header error" lines
 * before its one-line error, without -v.
 *
 * convert_checks_max_persons: --to npy sizes a pose array's P by the index's
 * max_persons. A damaged index (checksums made consistent) claiming 65536
 * persons turned a 2 KiB file into a 25 MiB array of NaN with exit 0. */
#include "testutil.h"
#include "cli/cli.h"
#include "synapt.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>
#include <libavutil/log.h>

/* Run one av_log at `level` with verbosity `v`; return the bytes it wrote
 * to stderr (captured through a scratch file). */
static long logged_bytes(int v, int level)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/test_qa_cli.stderr", tu_tmp_dir());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return -1;
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    cli_set_verbosity(v);
    cli_route_ffmpeg_log();
    av_log(NULL, level, "qa test message %d\n", level);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    long n = (long)lseek(fd, 0, SEEK_END);
    close(fd);
    unlink(path);
    return n;
}

static void ffmpeg_log_follows_verbosity(void)
{
    CHECK_EQ_INT(logged_bytes(0, AV_LOG_ERROR), 0);
    CHECK_EQ_INT(logged_bytes(0, AV_LOG_WARNING), 0);
    CHECK_EQ_INT(logged_bytes(-1, AV_LOG_FATAL), 0);
    CHECK(logged_bytes(1, AV_LOG_ERROR) > 0);
    CHECK(logged_bytes(1, AV_LOG_WARNING) > 0);
    CHECK_EQ_INT(logged_bytes(1, AV_LOG_INFO), 0);
    CHECK(logged_bytes(2, AV_LOG_INFO) > 0);
    CHECK_EQ_INT(logged_bytes(2, AV_LOG_DEBUG), 0);
    cli_set_verbosity(0);
    cli_route_ffmpeg_log();
}

static void le32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void le64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static uint64_t rd64(const uint8_t *p) { uint64_t v = 0; for (int i = 7; i >= 0; i--) v = (v << 8) | p[i]; return v; }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

/* Write a one-clip file with a 2D pose stream of one person a frame. */
static int write_pose_file(const char *path)
{
    synapt_writer_options o = SYNAPT_WRITER_OPTIONS_INIT;
    o.fsync = 0;
    synapt_writer *w;
    char err[512];
    if (synapt_writer_create(&w, path, &o, err, sizeof err)) return -1;
    synapt_clip_desc c = SYNAPT_CLIP_DESC_INIT;
    c.id = "c0";
    int rc = synapt_writer_begin_clip(w, &c);
    synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
    d.name = "pose"; d.kind = SYNAPT_KIND_POSE2D; d.dtype = SYNAPT_DTYPE_F32;
    d.ndim = 3; d.shape[1] = 17; d.shape[2] = 3;
    if (!rc) rc = synapt_writer_add_stream(NULL, w, &d);
    float pose[17 * 3];
    for (int f = 0; f < 8 && !rc; f++) {
        for (int k = 0; k < 17 * 3; k++) pose[k] = (float)(k + f);
        rc = synapt_writer_write_pose(w, 0, pose, 1, f);
    }
    if (!rc) rc = synapt_writer_end_clip(w);
    if (rc) { synapt_writer_abort(w); return -1; }
    return synapt_writer_close(w, err, sizeof err) ? -1 : 0;
}

/* Set the first stream entry's max_persons and re-checksum the index. */
static int patch_max_persons(const char *path, uint32_t persons)
{
    FILE *f = fopen(path, "r+b");
    if (!f) return -1;
    static uint8_t img[1 << 20];
    size_t n = fread(img, 1, sizeof img, f);
    if (n < 64 || n == sizeof img) { fclose(f); return -1; }
    uint64_t io = rd64(img + n - 32), blen = rd64(img + io + 8);
    uint8_t *b = img + io + 16;
    int found = 0;
    for (uint32_t i = 0; i < rd32(b + 4); i++) {
        const uint8_t *d = b + 8 + 24 * i;
        if (rd32(d) == 3) { le32(b + rd64(d + 8) + 140, persons); found = 1; }
    }
    le64(b + blen, XXH3_64bits(b, blen));
    int rc = found && fseek(f, 0, SEEK_SET) == 0 && fwrite(img, 1, n, f) == n ? 0 : -1;
    return fclose(f) || rc ? -1 : 0;
}

static void convert_checks_max_persons(void)
{
    char path[4096], out[4200], cmd[16384];
    snprintf(path, sizeof path, "%s/test_qa_cli_pose.synapt", tu_tmp_dir());
    snprintf(out, sizeof out, "%s/test_qa_cli_pose.npy", tu_tmp_dir());
    CHECK_OK(write_pose_file(path));
    snprintf(cmd, sizeof cmd, "'%s/bin/synapt-convert' '%s' --to npy --clip c0 --stream pose -o '%s' 2>/dev/null",
             tu_build_dir(), path, out);
    int st = system(cmd);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_OK(patch_max_persons(path, 65536));
    unlink(out);
    st = system(cmd);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1);
    struct stat sb;
    CHECK(stat(out, &sb) != 0);
    synapt_reader *r;
    char err[512];
    CHECK_OK(synapt_reader_open2(&r, path, NULL, err, sizeof err));
    if (r) {
        CHECK_EQ_INT(synapt_reader_verify(r, NULL, NULL), SYNAPT_E_CORRUPT);
        synapt_reader_close(r);
    }
    unlink(out);
    unlink(path);
}

int main(void)
{
    cli_init("test_qa_cli", "usage\n");
    RUN(ffmpeg_log_follows_verbosity);
    RUN(convert_checks_max_persons);
    TEST_MAIN_END();
}
