/* audit_dup.c: exact and near-duplicate clips without comparing all pairs.
 *
 * Each clip carries AUDIT_K 64-bit frame hashes. Cut a hash into T+1 bands:
 * two hashes within T bits agree exactly on at least one band (pigeonhole),
 * so sorting (band, value) entries and comparing only inside equal runs
 * finds every frame pair within T bits. */
#include "audit.h"

#include <stdlib.h>
#include <string.h>

typedef struct entry { uint32_t value, clip; uint8_t frame; } entry;
typedef struct fpair { uint32_t a, b; uint8_t fa, fb, dist; } fpair;

static int cmp_entry(const void *pa, const void *pb)
{
    const entry *a = pa, *b = pb;
    if (a->value != b->value) return a->value < b->value ? -1 : 1;
    if (a->clip != b->clip) return a->clip < b->clip ? -1 : 1;
    return (a->frame > b->frame) - (a->frame < b->frame);
}

static int cmp_fpair(const void *pa, const void *pb)
{
    const fpair *a = pa, *b = pb;
    if (a->a != b->a) return a->a < b->a ? -1 : 1;
    if (a->b != b->b) return a->b < b->b ? -1 : 1;
    if (a->fa != b->fa) return a->fa < b->fa ? -1 : 1;
    return (a->fb > b->fb) - (a->fb < b->fb);
}

static int push(fpair **v, size_t *n, size_t *cap, fpair p)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 1024;
        fpair *nv = realloc(*v, nc * sizeof *nv);
        if (!nv) return -1;
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = p;
    return 0;
}

int audit_find_pairs(audit_pair **out, size_t *count, size_t *skipped,
                     const audit_dataset *ds, unsigned hamming, unsigned near_frames,
                     size_t max_bucket)
{
    *out = NULL;
    *count = 0;
    *skipped = 0;
    if (hamming > 7) hamming = 7;
    unsigned bands = hamming + 1;
    size_t n = ds->n;
    entry *e = malloc((n * AUDIT_K + 1) * sizeof *e);
    fpair *fp = NULL;
    size_t nfp = 0, capfp = 0;
    audit_pair *pairs = NULL;
    size_t np = 0;
    int ret = -1;
    if (!e) goto done;
    for (unsigned b = 0; b < bands; b++) {
        unsigned lo = b * 64 / bands, hi = (b + 1) * 64 / bands;
        uint64_t mask = (hi - lo == 64) ? ~0ull : ((1ull << (hi - lo)) - 1);
        size_t ne = 0;
        for (size_t i = 0; i < n; i++) {
            if (!ds->clips[i].has_pixels) continue;
            for (unsigned k = 0; k < AUDIT_K; k++)
                e[ne++] = (entry){ (uint32_t)((ds->clips[i].dhash[k] >> lo) & mask),
                                   (uint32_t)i, (uint8_t)k };
        }
        qsort(e, ne, sizeof *e, cmp_entry);
        for (size_t s = 0; s < ne;) {
            size_t t = s + 1;
            while (t < ne && e[t].value == e[s].value) t++;
            if (t - s > max_bucket) {
                (*skipped)++;
                s = t;
                continue;
            }
            for (size_t x = s; x < t; x++)
                for (size_t y = x + 1; y < t; y++) {
                    if (e[x].clip == e[y].clip) continue;
                    uint64_t hx = ds->clips[e[x].clip].dhash[e[x].frame];
                    uint64_t hy = ds->clips[e[y].clip].dhash[e[y].frame];
                    unsigned dist = (unsigned)__builtin_popcountll(hx ^ hy);
                    if (dist > hamming) continue;
                    fpair p = e[x].clip < e[y].clip
                        ? (fpair){ e[x].clip, e[y].clip, e[x].frame, e[y].frame, (uint8_t)dist }
                        : (fpair){ e[y].clip, e[x].clip, e[y].frame, e[x].frame, (uint8_t)dist };
                    if (push(&fp, &nfp, &capfp, p) != 0) goto done;
                }
            s = t;
        }
    }
    if (nfp > 1) qsort(fp, nfp, sizeof *fp, cmp_fpair); /* fp is NULL when nothing matched */
    /* a frame pair found through several bands counts once */
    for (size_t s = 0; s < nfp;) {
        size_t t = s;
        unsigned matches = 0, best = 64;
        while (t < nfp && fp[t].a == fp[s].a && fp[t].b == fp[s].b) {
            if (t == s || fp[t].fa != fp[t - 1].fa || fp[t].fb != fp[t - 1].fb) matches++;
            if (fp[t].dist < best) best = fp[t].dist;
            t++;
        }
        const audit_clip *ca = &ds->clips[fp[s].a], *cb = &ds->clips[fp[s].b];
        if (matches >= near_frames) {
            audit_pair *nv = realloc(pairs, (np + 1) * sizeof *nv);
            if (!nv) goto done;
            pairs = nv;
            pairs[np++] = (audit_pair){ fp[s].a, fp[s].b, (uint16_t)matches, (uint16_t)best,
                                        ca->exact == cb->exact };
        }
        s = t;
    }
    ret = 0;
    *out = pairs;
    *count = np;
    pairs = NULL;
done:
    free(e);
    free(fp);
    free(pairs);
    return ret;
}
