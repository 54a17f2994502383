/* Regression tests for the tools' shared conventions found by the QA pass.
 *
 * ffmpeg_log_follows_verbosity: FFmpeg calls a custom log callback for every
 * message whatever av_log_set_level() says, so cli_route_ffmpeg_log's callback
 * must check the level itself. It did not, and a damaged H.264 stream made
 * synapt-convert print dozens of "ffmpeg: decode_slice_header error" lines
 * before its one-line error, without -v. */
#include "testutil.h"
#include "cli.h"

#include <fcntl.h>
#include <unistd.h>
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

int main(void)
{
    cli_init("test_qa_cli", "usage\n");
    RUN(ffmpeg_log_follows_verbosity);
    TEST_MAIN_END();
}
