/* merge_crop.c - synapt-subset's temporal crops: which frames of a clip
 * --frames A:B or --max-frames T --crop start|center|random keep (see
 * merge.h). The cut itself is the library's (synapt_writer_copy_clip_frames). */
#include "merge.h"
#include "cli/cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

static int parse_u64(uint64_t *out, const char *s, const char *end)
{
    if (s == end || *s < '0' || *s > '9') return -1;
    errno = 0;
    char *e;
    unsigned long long v = strtoull(s, &e, 10);
    if (errno || e != end) return -1;
    *out = v;
    return 0;
}

int merge_crop_parse_frames(merge_crop *c, const char *s)
{
    const char *colon = strchr(s, ':');
    if (!colon || parse_u64(&c->a, s, colon)) return -1;
    c->b = 0;
    if (colon[1] && (parse_u64(&c->b, colon + 1, colon + strlen(colon)) || c->b <= c->a)) return -1;
    c->mode = MERGE_CROP_FRAMES;
    return 0;
}

int merge_crop_parse_where(merge_crop *c, const char *s)
{
    if (!strcmp(s, "start")) c->where = MERGE_CROP_START;
    else if (!strcmp(s, "center")) c->where = MERGE_CROP_CENTER;
    else if (!strcmp(s, "random")) c->where = MERGE_CROP_RANDOM;
    else return -1;
    return 0;
}

int merge_crop_window(uint64_t win[2], const merge_crop *c, const char *file, const char *id,
                      uint64_t frames)
{
    if (c->mode == MERGE_CROP_FRAMES) {
        uint64_t b = c->b ? c->b : frames;
        if (c->a >= frames || b > frames) {
            if (c->b)
                cli_error(file, "clip %s has %" PRIu64 " frames: --frames %" PRIu64 ":%" PRIu64
                          " passes its end", cli_disp(id), frames, c->a, c->b);
            else
                cli_error(file, "clip %s has %" PRIu64 " frames: --frames %" PRIu64 ": starts past its end",
                          cli_disp(id), frames, c->a);
            return -1;
        }
        win[0] = c->a;
        win[1] = b - c->a;
        return c->a == 0 && b == frames;
    }
    if (c->mode != MERGE_CROP_MAX || frames <= c->max) return 1;
    uint64_t slack = frames - c->max;
    if (c->where == MERGE_CROP_START) win[0] = 0;
    else if (c->where == MERGE_CROP_CENTER) win[0] = slack / 2;
    else win[0] = XXH3_64bits_withSeed(id, strlen(id), c->seed) % (slack + 1);
    win[1] = c->max;
    return 0;
}
