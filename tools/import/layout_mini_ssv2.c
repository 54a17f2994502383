/* layout_mini_ssv2.c - annotation layout: Mini-SSV2 (87 Something-Something
 * v2 classes) as SynAPT lists it ("something2something-v2/videos/<id>.webm;<id>"),
 * class names from mini_ssv2.txt (one template a line, in id order). */
#include "layout_common.h"
#include <stdio.h>
#include <string.h>

static int ssv2_entry(layout_split_entry *e, const char *path, int64_t label, const char *root,
                      char *why, size_t whysz)
{
    (void)label;
    (void)root;
    (void)e;
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t d = strspn(b, "0123456789");
    /* SSv2 videos are numbered: <video id>.webm */
    if (d == 0 || d > 9 || (b[d] && strcmp(b + d, ".webm") != 0)) {
        snprintf(why, whysz, "'%s' is not a Something-Something v2 video name (<number>.webm)", b);
        return -1;
    }
    return 0;
}

static const layout_split_set mini_ssv2_set = { "mini-ssv2", 87, NULL, NULL, "mini_ssv2.txt", NULL,
                                                ssv2_entry };

int import_parse_mini_ssv2(import_list *out, const import_options *o, const char *path,
                           char *err, size_t errsz)
{
    return layout_split_parse(out, o, path, &mini_ssv2_set, err, errsz);
}
