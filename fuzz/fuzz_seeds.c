/* fuzz_seeds.c - write the seed inputs of the fuzz targets from small
 * valid files written by the library: `fuzz_seeds DIR` fills
 * DIR/fuzz_open, DIR/fuzz_index, DIR/fuzz_chunk and DIR/fuzz_recover with
 * files named seed-*, DIR/fuzz_dans with depth_ans payloads of frames in
 * each mode and DIR/fuzz_dstrip with depth_strip payloads.
 * scripts/fuzz.sh runs it before fuzzing so the seeds always match the
 * current writer; the committed corpus in fuzz/corpus/ started from them. */
#include <errno.h>
#include <sys/stat.h>
#include "fuzz_common.h"
#include "internal.h" /* white box: the depth_ans and depth_strip encoders write fuzz_dans's and fuzz_dstrip's seeds */

static int fs_write(const char *dir, const char *target, const char *name,
                    const void *a, size_t alen, const void *b, size_t blen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, target);
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "fuzz_seeds: %s: %s\n", path, strerror(errno));
        return 1;
    }
    snprintf(path, sizeof path, "%s/%s/seed-%s", dir, target, name);
    FILE *fp = fopen(path, "wb");
    if (!fp || fwrite(a, 1, alen, fp) != alen || (blen && fwrite(b, 1, blen, fp) != blen)
        || fclose(fp) != 0) {
        fprintf(stderr, "fuzz_seeds: %s: %s\n", path, strerror(errno));
        return 1;
    }
    return 0;
}

static int fs_derived(const char *dir, const char *target, const char *name,
                      const fz_buf *b, int ok)
{
    if (!ok) {
        fprintf(stderr, "fuzz_seeds: %s/%s: sample not laid out as spec/format.md says\n",
                target, name);
        return 1;
    }
    return fs_write(dir, target, name, b->p, b->n, NULL, 0);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: fuzz_seeds DIR\n");
        return 2;
    }
    const char *dir = argv[1];
    int bad = 0;
    static const int multi[] = { 0, 1, 2, 5 };
    for (size_t i = 0; i < sizeof multi / sizeof multi[0]; i++) {
        char name[32];
        size_t n;
        uint8_t *f = fz_sample_file(multi[i], &n);
        if (!f) { bad = 1; continue; }
        snprintf(name, sizeof name, "clips%d", multi[i]);
        bad |= fs_write(dir, "fuzz_open", name, f, n, NULL, 0);
        fz_buf b = { 0 };
        bad |= fs_derived(dir, "fuzz_index", name, &b, fz_index_input(&b, f, n));
        free(b.p);
        /* fuzz_recover: what a crashed writer leaves (no index, or cut inside
         * a record) and a finished file; small ones only (corpus budget) */
        size_t ioff, ilen;
        if (multi[i] > 0 && multi[i] <= 2 && fz_index_record(f, n, &ioff, &ilen)) {
            char rname[48];
            snprintf(rname, sizeof rname, "%s-noindex", name);
            bad |= fs_write(dir, "fuzz_recover", rname, f, ioff, NULL, 0);
            snprintf(rname, sizeof rname, "%s-cut", name);
            bad |= fs_write(dir, "fuzz_recover", rname, f, ioff * 2 / 3, NULL, 0);
            bad |= fs_write(dir, "fuzz_recover", name, f, n, NULL, 0);
        }
        free(f);
    }
    for (size_t i = 0; i < FZ_NCFG; i++) {
        size_t n;
        uint8_t *f = fz_sample_file(-(int)i - 1, &n);
        if (!f) { bad = 1; continue; }
        bad |= fs_write(dir, "fuzz_open", fz_cfgs[i].name, f, n, NULL, 0);
        fz_buf b = { 0 };
        bad |= fs_derived(dir, "fuzz_index", fz_cfgs[i].name, &b, fz_index_input(&b, f, n));
        b.n = 0;
        /* fuzz_chunk picks its template by the first byte, in fz_cfgs order */
        bad |= fs_derived(dir, "fuzz_chunk", fz_cfgs[i].name, &b, fz_chunk_input(&b, i, f, n));
        free(b.p);
        free(f);
    }
    /* fuzz_dans: u8 width-1, u8 height-1, one frame's payload; shapes with a
     * group remainder, frames for the sensor and smooth models, with and
     * without a palette */
    static const uint8_t shapes[][2] = { { 24, 13 }, { 40, 9 }, { 1, 17 }, { 33, 1 } };
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int kind = 0; kind < 3; kind++) {
            size_t w = shapes[s][0], h = shapes[s][1], np = w * h, n = 2 * np;
            uint8_t *raw = malloc(n), *enc = malloc(sy_dans_bound(n) + 2);
            void *scr = malloc(sy_dans_scratch(n));
            if (!raw || !enc || !scr) return 1;
            uint32_t x = 2463534242u + (uint32_t)(s * 3 + (size_t)kind);
            for (size_t i = 0; i < np; i++) {
                x ^= x << 13; x ^= x >> 17; x ^= x << 5;
                size_t c = i % w, r = i / w;
                uint16_t v = kind == 0 ? (uint16_t)((x & 15) == 0 ? 0 : 900 + 7 * ((c + r) / 3 + (x >> 30)))
                           : kind == 1 ? (uint16_t)(3000 + 41 * c + 13 * r)
                                       : (uint16_t)(20000 + 97 * r + 3 * c + c * c / 4 + (x & 1));
                memcpy(raw + 2 * i, &v, 2);
            }
            size_t k = 0;
            enc[0] = (uint8_t)(w - 1);
            enc[1] = (uint8_t)(h - 1);
            if (sy_dans_encode(enc + 2, &k, raw, n, w, scr) == 0) {
                char name[32];
                snprintf(name, sizeof name, "%zux%zu-%d", w, h, kind);
                bad |= fs_write(dir, "fuzz_dans", name, enc, k + 2, NULL, 0);
            } else {
                bad = 1;
            }
            free(raw); free(enc); free(scr);
        }
    /* fuzz_dstrip: the same layout; widths with empty strips (5), strips of
     * unequal length (37, 150), whole strips (64); holes, planes with
     * noise, escapes, many values (no palette) */
    static const uint8_t sshapes[][2] = { { 5, 6 }, { 37, 9 }, { 64, 4 }, { 150, 7 } };
    for (size_t s = 0; s < sizeof sshapes / sizeof sshapes[0]; s++)
        for (int kind = 0; kind < 3; kind++) {
            size_t w = sshapes[s][0], h = sshapes[s][1], np = w * h, n = 2 * np;
            uint8_t *raw = malloc(n), *enc = malloc(sy_dstrip_bound(n) + 2);
            void *scr = malloc(sy_dstrip_scratch(n));
            if (!raw || !enc || !scr) return 1;
            uint32_t x = 88172645u + (uint32_t)(s * 3 + (size_t)kind);
            for (size_t i = 0; i < np; i++) {
                x ^= x << 13; x ^= x >> 17; x ^= x << 5;
                size_t c = i % w, r = i / w;
                uint16_t v = kind == 0 ? (uint16_t)((x & 15) == 0 ? 0 : 900 + 7 * ((c + r) / 3 + (x >> 30)))
                           : kind == 1 ? (uint16_t)((x & 7) == 0 ? 60000 + (x >> 20) % 999 : 100 + (x >> 29))
                                       : (uint16_t)(x >> 16);
                memcpy(raw + 2 * i, &v, 2);
            }
            size_t k = 0;
            enc[0] = (uint8_t)(w - 1);
            enc[1] = (uint8_t)(h - 1);
            if (sy_dstrip_encode(enc + 2, &k, raw, n, w, scr) == 0) {
                char name[32];
                snprintf(name, sizeof name, "%zux%zu-%d", w, h, kind);
                bad |= fs_write(dir, "fuzz_dstrip", name, enc, k + 2, NULL, 0);
            } else {
                bad = 1;
            }
            free(raw); free(enc); free(scr);
        }
    return bad;
}
