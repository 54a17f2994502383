/* test_splits.c - group-aware split generation (tools/select) on UCF101's
 * own lists: the official split 1 keeps every gNN group on one side, and
 * so must a generated train/val/test split, with per-class proportions
 * near the targets; the same seed gives the same split. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "select/select.h"
#include "testutil.h"

#define MAXC 20000
static uint32_t g_cls[MAXC], g_grp[MAXC], g_grp_cls[MAXC], g_off[MAXC];
static size_t g_n;
static uint32_t g_ncls;
static char g_names[128][64];

/* "Class/v_Class_gNN_cNN.avi [label]": class index, gNN; side 0 train, 1 test */
static int load(const char *path, uint32_t side)
{
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char line[512];
    while (fgets(line, sizeof line, f) && g_n < MAXC) {
        char *slash = strchr(line, '/'), *g = strstr(line, "_g");
        if (!slash || !g) continue;
        *slash = 0;
        uint32_t c = 0;
        while (c < g_ncls && strcmp(g_names[c], line)) c++;
        if (c == g_ncls) {
            if (g_ncls == 128) break;
            snprintf(g_names[g_ncls++], sizeof g_names[0], "%.63s", line);
        }
        unsigned gn = (unsigned)atoi(g + 2);
        g_cls[g_n] = c;
        g_grp[g_n] = gn;                       /* gNN across classes: 25 groups */
        g_grp_cls[g_n] = c * 32 + gn;          /* gNN within a class */
        g_off[g_n] = side;
        g_n++;
    }
    fclose(f);
    return 1;
}

static int have_lists(void)
{
    static int state = -1;
    if (state >= 0) return state;
    const char *r = tu_realdata();
    char a[1024], b[1024];
    snprintf(a, sizeof a, "%s/annotations/ucf101/trainlist01.txt", r ? r : "../shared/realdata");
    snprintf(b, sizeof b, "%s/annotations/ucf101/testlist01.txt", r ? r : "../shared/realdata");
    state = load(a, 0) && load(b, 1) && g_n > 10000;
    return state;
}

static void official_split1_keeps_groups(void)
{
    CHECK_EQ_INT(g_n, 13320);
    CHECK_EQ_INT(g_ncls, 101);
    CHECK_EQ_INT(sel_groups_across(g_off, g_grp, g_n, 32), 0);
    CHECK_EQ_INT(sel_groups_across(g_off, g_grp_cls, g_n, 101 * 32), 0);
    /* the checker does see a group split in two */
    g_off[0] ^= 1;
    CHECK(sel_groups_across(g_off, g_grp, g_n, 32) == 1);
    g_off[0] ^= 1;
}

/* largest deviation of a class's share in split s from the target */
static double worst_class(const uint32_t *sp, const sel_splits *spec, size_t s)
{
    double worst = 0;
    for (uint32_t c = 0; c < g_ncls; c++) {
        size_t in = 0, all = 0;
        for (size_t i = 0; i < g_n; i++)
            if (g_cls[i] == c) { all++; in += sp[i] == s; }
        double d = (double)in / (double)all - spec->frac[s];
        if (d < 0) d = -d;
        if (d > worst) worst = d;
    }
    return worst;
}

static void generated_splits_keep_groups(void)
{
    sel_splits spec;
    CHECK_OK(sel_parse_splits(&spec, "train=0.7,val=0.1,test=0.2"));
    static uint32_t a[MAXC], b[MAXC], c[MAXC];
    /* gNN within a class: 2,525 groups of 4-7 clips */
    CHECK_OK(sel_make_splits(a, g_cls, g_grp_cls, g_n, g_ncls, 101 * 32, &spec, 1));
    CHECK_EQ_INT(sel_groups_across(a, g_grp_cls, g_n, 101 * 32), 0);
    for (size_t s = 0; s < 3; s++) {
        double w = worst_class(a, &spec, s);
        if (w > 0.12 || getenv("SPLITS_VERBOSE")) printf("  split %s: a class is %.3f off its share\n", spec.names[s], w);
        CHECK(w <= 0.12);
    }
    CHECK_OK(sel_make_splits(b, g_cls, g_grp_cls, g_n, g_ncls, 101 * 32, &spec, 1));
    CHECK(!memcmp(a, b, g_n * sizeof *a));
    CHECK_OK(sel_make_splits(c, g_cls, g_grp_cls, g_n, g_ncls, 101 * 32, &spec, 2));
    CHECK(memcmp(a, c, g_n * sizeof *a) != 0);
    CHECK_EQ_INT(sel_groups_across(c, g_grp_cls, g_n, 101 * 32), 0);
    /* gNN across classes (UCF101's own rule: a group number is one set of
     * actors and scenes): 25 groups, so shares are coarse but whole */
    CHECK_OK(sel_make_splits(a, g_cls, g_grp, g_n, g_ncls, 32, &spec, 1));
    CHECK_EQ_INT(sel_groups_across(a, g_grp, g_n, 32), 0);
    size_t per[3] = { 0, 0, 0 };
    for (size_t i = 0; i < g_n; i++) per[a[i]]++;
    for (size_t s = 0; s < 3; s++) {
        double d = (double)per[s] / (double)g_n - spec.frac[s];
        CHECK(d < 0.05 && d > -0.05);
    }
}

static void parse_refusals(void)
{
    sel_splits s;
    CHECK(sel_parse_splits(&s, "train=0.7,val=0.2") != 0);          /* sums to 0.9 */
    CHECK(sel_parse_splits(&s, "train=0.5,train=0.5") != 0);        /* twice */
    CHECK(sel_parse_splits(&s, "train=x,val=1") != 0);
    CHECK(sel_parse_splits(&s, "=1") != 0);
    CHECK(sel_parse_splits(&s, "") != 0);
    CHECK_OK(sel_parse_splits(&s, "train=0.8,val=0.2"));
    CHECK_EQ_INT(s.n, 2);
}

int main(void)
{
    RUN(parse_refusals);
    if (!have_lists()) {
        tu_skip("ucf101_split_groups", "UCF101 lists not found: set SYNAPT_REALDATA or provide "
                "../shared/realdata/annotations/ucf101");
    } else {
        RUN(official_split1_keeps_groups);
        RUN(generated_splits_keep_groups);
    }
    TEST_MAIN_END();
}
