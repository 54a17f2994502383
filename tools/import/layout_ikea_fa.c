/* layout_ikea_fa.c - annotation layout: IKEA Furniture Assembly action
 * segments as SynAPT lists them
 * ("ikea_furniture/videos/<class>/GOPR<video>_<start>_<end>_<NN>.MP4;<id>"). */
#include "layout_common.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const ikea_classes[12] = {
    "attach_leg_1", "attach_leg_2", "attach_leg_3", "attach_leg_4",
    "detach_leg_1", "detach_leg_2", "detach_leg_3", "detach_leg_4",
    "flip_over", "pick_leg", "spin_in", "spin_out",
};

#define IKEA_PATTERN "<class>/GOPR<video>_<start>_<end>_<NN>.MP4"

static int digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)p[i]))
            return 0;
    return n > 0;
}

static int ikea_entry(layout_split_entry *e, const char *path, int64_t label, const char *root,
                      char *why, size_t whysz)
{
    const char *b = strrchr(path, '/');
    if (!b || b == path) {
        snprintf(why, whysz, "'%s' does not match the IKEA-FA path " IKEA_PATTERN, path);
        return -1;
    }
    const char *c0 = b - 1;
    while (c0 > path && c0[-1] != '/')
        c0--;
    size_t cl = (size_t)(b - c0);
    b++;
    /* GOPR<digits>_<digits>_<digits>_<digits>.<ext> */
    const char *f[4];
    size_t fl[4];
    const char *p = b;
    int ok = strncmp(p, "GOPR", 4) == 0;
    p += 4;
    for (int i = 0; ok && i < 4; i++) {
        f[i] = p;
        fl[i] = strspn(p, "0123456789");
        p += fl[i];
        ok = digits(f[i], fl[i]) && fl[i] <= 9 && (i < 3 ? *p == '_' : (*p == '.' || !*p));
        p++;
    }
    if (!ok || cl >= sizeof e->cls) {
        snprintf(why, whysz, "'%s' does not match the IKEA-FA name " IKEA_PATTERN, path);
        return -1;
    }
    memcpy(e->cls, c0, cl);
    e->cls[cl] = 0;
    long start = strtol(f[1], NULL, 10), end = strtol(f[2], NULL, 10);
    if (end < start) {
        snprintf(why, whysz, "'%s': end frame %ld before start frame %ld", b, end, start);
        return -1;
    }
    (void)label; /* the class folder is checked against the id by the caller */
    snprintf(e->group_key, sizeof e->group_key, "video");
    snprintf(e->group, sizeof e->group, "GOPR%.*s", (int)fl[0], f[0]);
    snprintf(e->meta, sizeof e->meta,
             "{\"gopro_video\":\"GOPR%.*s\",\"first_frame\":%ld,\"last_frame\":%ld,\"segment\":%ld}",
             (int)fl[0], f[0], start, end, strtol(f[3], NULL, 10));
    /* Names give the segment's first and last frame of the untrimmed
     * GoPro recording. When the trimmed segment is not on disk but the
     * recording is (as GOPR<video>.MP4 beside the class folders), the clip
     * is that recording with the range [first, last + 1) (the name's last
     * frame is inclusive), which synapt-pack records for readers to apply. */
    char *seg = import_path_join(root, path);
    int have_seg = seg && layout_is_file(seg);
    free(seg);
    if (!have_seg) {
        int dl = (int)(c0 - path);
        int n = snprintf(e->video, sizeof e->video, "%.*sGOPR%.*s.MP4", dl, path, (int)fl[0], f[0]);
        char *full = n > 0 && (size_t)n < sizeof e->video ? import_path_join(root, e->video) : NULL;
        if (full && layout_is_file(full)) {
            e->start = start;
            e->end = end + 1;
        } else {
            e->video[0] = 0;
        }
        free(full);
    }
    return 0;
}

static const layout_split_set ikea_set = { "ikea-fa", 12, ikea_classes, NULL, NULL, NULL, ikea_entry };

int import_parse_ikea_fa(import_list *out, const import_options *o, const char *path,
                         char *err, size_t errsz)
{
    return layout_split_parse(out, o, path, &ikea_set, err, errsz);
}
