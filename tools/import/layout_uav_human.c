/* layout_uav_human.c - annotation layout: UAV-Human action recognition, as
 * listed by SynAPT's split files (train.csv/val.csv of
 * "uav_human/videos/<name>.avi;<label id>"). */
#include "layout_common.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* P###S##G##B##H##UC######LC######A###R#_######## : fields and digit counts */
static const struct { char tag[3]; int digits; const char *key; } uav_fields[] = {
    { "P", 3, "subject" }, { "S", 2, "site" }, { "G", 2, "gender" }, { "B", 2, "backpack" },
    { "H", 2, "hat" }, { "UC", 6, "upper_clothing" }, { "LC", 6, "lower_clothing" },
    { "A", 3, "action" }, { "R", 1, "replicate" },
};
#define UAV_NFIELDS (sizeof uav_fields / sizeof uav_fields[0])
#define UAV_PATTERN "P###S##G##B##H##UC######LC######A###R#_########"

static int uav_entry(layout_split_entry *e, const char *path, int64_t label, const char *root,
                     char *why, size_t whysz)
{
    (void)root;
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    char val[UAV_NFIELDS][8];
    const char *p = b;
    for (size_t i = 0; i < UAV_NFIELDS; i++) {
        size_t tl = strlen(uav_fields[i].tag);
        int d = uav_fields[i].digits, ok = strncmp(p, uav_fields[i].tag, tl) == 0;
        for (int k = 0; ok && k < d; k++)
            ok = isdigit((unsigned char)p[tl + k]) != 0;
        if (!ok) {
            snprintf(why, whysz, "'%s' does not match the UAV-Human name " UAV_PATTERN, b);
            return -1;
        }
        memcpy(val[i], p + tl, (size_t)d);
        val[i][d] = 0;
        p += tl + (size_t)d;
    }
    size_t k = 0;
    if (*p == '_')
        while (isdigit((unsigned char)p[1 + k]))
            k++;
    if (k != 8 || (p[9] && p[9] != '.')) {
        snprintf(why, whysz, "'%s' does not match the UAV-Human name " UAV_PATTERN, b);
        return -1;
    }
    int action = (val[7][0] - '0') * 100 + (val[7][1] - '0') * 10 + (val[7][2] - '0');
    if (action != label) {
        snprintf(why, whysz, "label %lld but the name says action A%s", (long long)label, val[7]);
        return -1;
    }
    snprintf(e->cls, sizeof e->cls, "A%s", val[7]);
    snprintf(e->group_key, sizeof e->group_key, "subject");
    snprintf(e->group, sizeof e->group, "P%s", val[0]);
    /* the other fields are recording conditions: metadata, not groups */
    size_t n = (size_t)snprintf(e->meta, sizeof e->meta, "{");
    for (size_t i = 0; i < UAV_NFIELDS; i++)
        n += (size_t)snprintf(e->meta + n, sizeof e->meta - n, "\"%s\":\"%s%s\",", uav_fields[i].key,
                              uav_fields[i].tag, val[i]);
    snprintf(e->meta + n, sizeof e->meta - n, "\"timestamp\":\"%.8s\"}", p + 1);
    return 0;
}

/* UAV-Human's 155 actions are published as numbers (A000..A154); their
 * names are the A### codes the file names carry. */
static const layout_split_set uav_set = { "uav-human", 155, NULL, "A%03u", NULL, NULL, uav_entry };

int import_parse_uav_human(import_list *out, const import_options *o, const char *path,
                           char *err, size_t errsz)
{
    return layout_split_parse(out, o, path, &uav_set, err, errsz);
}
