/* bench_hdf5.c - synapt against the HDF5 export of the same data, in one
 * run, printed as markdown (bench/run.sh collects it):
 *
 *   1. random 16-frame windows (image u8 and depth u16 streams): synapt's
 *      reader vs the HDF5 C API reading the file `synapt-convert --to hdf5`
 *      writes (deflate, the default; zstd too when filter 32015 loads)
 *   2. bytes on disk of both
 *   3. export throughput: h5layout_export (read synapt + write HDF5) vs the
 *      HDF5 C API writing the same arrays, already in memory, with the
 *      same chunking and filters (the floor any exporter pays)
 *
 * Data: synapt-synth clips with raw RGB (arrays, so both sides hold the
 * same frames), depth and masks. CPU time of the process, medians of
 * repeats, files in $TMPDIR (page cache warm). Usage: bench_hdf5 [--quick] */
#include <hdf5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define H5DL_DIRECT /* calls HDF5 itself and links it (the Makefile's DL_LIBS) */
#include "h5/h5.h"
#include "synapt.h"
#include "synth/synth.h"
#include "bench_util.h"

static int g_quick;




static void die(const char *what, const char *msg)
{
    fprintf(stderr, "bench_hdf5: %s: %s\n", what, msg);
    exit(1);
}


static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void) { return bench_rng64(&rng_state); }

/* ---- random windows --------------------------------------------------- */

typedef struct win {
    uint64_t clip;
    int which;          /* 0 rgb, 1 depth */
    uint64_t first;
} win;

#define WIN 16

static double synapt_windows(const synapt_reader *r, const win *w, int n, void *buf, size_t cap)
{
    double t0 = bench_cpu_s();
    for (int i = 0; i < n; i++) {
        uint32_t s;
        size_t got;
        synapt_reader_find_stream(&s, r, w[i].clip, w[i].which ? "depth" : "rgb");
        if (synapt_reader_read_frames(buf, cap, &got, r, w[i].clip, s, w[i].first, WIN))
            die("synapt read", synapt_reader_errmsg(r));
    }
    return bench_cpu_s() - t0;
}

/* The rgb and depth datasets of every clip, opened with HDF5's default
 * chunk cache (1 MiB of decompressed chunks per dataset) or with none.
 * Only one set is open at a time: HDF5 shares one chunk cache between all
 * open handles of a dataset, whatever each handle's access properties,
 * so a cacheless handle opened beside a cached one reads through the
 * cache (an earlier version of this bench did that, and its "cache off"
 * row was in fact cached). */
static hid_t *open_sets(hid_t f, const synapt_reader *r, int cache)
{
    uint64_t clips = synapt_reader_clip_count(r);
    hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
    if (!cache) H5Pset_chunk_cache(dapl, H5D_CHUNK_CACHE_NSLOTS_DEFAULT, 0, H5D_CHUNK_CACHE_W0_DEFAULT);
    hid_t *ds = malloc(clips * 2 * sizeof *ds);
    for (uint64_t c = 0; c < clips; c++) {
        synapt_clip_info ci;
        synapt_reader_clip(&ci, r, c);
        char p[512];
        for (int which = 0; which < 2; which++) {
            snprintf(p, sizeof p, "clips/%s/%s/data", ci.id, which ? "depth" : "rgb");
            if ((ds[c * 2 + (uint64_t)which] = H5Dopen2(f, p, dapl)) < 0) die(p, "no such dataset");
        }
    }
    H5Pclose(dapl);
    return ds;
}

/* CPU time of the windows w read through HDF5 (datasets opened and closed
 * around the timed loop) */
static double hdf5_windows(hid_t f, const synapt_reader *r, int cache, const win *w, int n, void *buf)
{
    hid_t *ds = open_sets(f, r, cache);
    double t0 = bench_cpu_s();
    for (int i = 0; i < n; i++) {
        hid_t d = ds[w[i].clip * 2 + (uint64_t)w[i].which];
        hsize_t dims[4], start[4] = { 0 }, count[4];
        hid_t fs = H5Dget_space(d);
        int rank = H5Sget_simple_extent_dims(fs, dims, NULL);
        start[0] = w[i].first;
        count[0] = WIN;
        for (int k = 1; k < rank; k++) count[k] = dims[k];
        hid_t ms = H5Screate_simple(rank, count, NULL);
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
        hid_t t = H5Dget_type(d);
        if (H5Dread(d, t, ms, fs, H5P_DEFAULT, buf) < 0) die("H5Dread", "failed");
        H5Tclose(t);
        H5Sclose(ms);
        H5Sclose(fs);
    }
    double dt = bench_cpu_s() - t0;
    for (uint64_t c = 0; c < synapt_reader_clip_count(r) * 2; c++) H5Dclose(ds[c]);
    free(ds);
    return dt;
}

/* ---- direct HDF5 write baseline -------------------------------------- */

/* Every array stream of every clip, read into memory once. */
typedef struct held {
    char name[256];
    hid_t type;
    int rank;
    hsize_t dims[5];
    void *data;
    size_t bytes;
} held;

static held *hold_all(const synapt_reader *r, size_t *count)
{
    size_t n = 0, cap = 64;
    held *h = malloc(cap * sizeof *h);
    for (uint64_t c = 0; c < synapt_reader_clip_count(r); c++) {
        synapt_clip_info ci;
        synapt_reader_clip(&ci, r, c);
        for (uint32_t s = 0; s < ci.stream_count; s++) {
            synapt_stream_info si;
            synapt_reader_stream(&si, r, c, s);
            if (si.codec != SYNAPT_CODEC_RAW || !si.frame_bytes || si.kind == SYNAPT_KIND_POSE2D ||
                si.kind == SYNAPT_KIND_POSE3D)
                continue;
            if (n == cap) h = realloc(h, (cap *= 2) * sizeof *h);
            held *x = &h[n++];
            snprintf(x->name, sizeof x->name, "c%llu_%s", (unsigned long long)c, si.name);
            x->type = si.dtype == SYNAPT_DTYPE_U16 ? H5T_STD_U16LE : si.dtype == SYNAPT_DTYPE_F32 ? H5T_IEEE_F32LE : H5T_STD_U8LE;
            x->rank = 1 + (int)si.ndim;
            x->dims[0] = si.frame_count;
            for (uint32_t d = 0; d < si.ndim; d++) x->dims[1 + d] = si.shape[d];
            x->bytes = (size_t)(si.frame_bytes * si.frame_count);
            x->data = malloc(x->bytes + 1);
            size_t got;
            if (synapt_reader_read_frames(x->data, x->bytes, &got, r, c, s, 0, si.frame_count))
                die("hold", synapt_reader_errmsg(r));
        }
    }
    *count = n;
    return h;
}

static double direct_write(const held *h, size_t n, const char *path, int zstd)
{
    double t0 = bench_cpu_s();
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    for (size_t i = 0; i < n; i++) {
        hsize_t chunk[5];
        chunk[0] = 1;
        for (int d = 1; d < h[i].rank; d++) chunk[d] = h[i].dims[d];
        hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
        H5Pset_chunk(dcpl, h[i].rank, chunk);
        if (H5Tget_size(h[i].type) > 1) H5Pset_shuffle(dcpl);
        if (zstd) {
            unsigned level = 3;
            H5Pset_filter(dcpl, H5LAYOUT_ZSTD_FILTER, H5Z_FLAG_MANDATORY, 1, &level);
        } else {
            H5Pset_deflate(dcpl, 4);
        }
        hid_t sp = H5Screate_simple(h[i].rank, h[i].dims, NULL);
        hid_t d = H5Dcreate2(f, h[i].name, h[i].type, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
        if (d < 0 || H5Dwrite(d, h[i].type, H5S_ALL, H5S_ALL, H5P_DEFAULT, h[i].data) < 0)
            die("direct write", h[i].name);
        H5Dclose(d);
        H5Sclose(sp);
        H5Pclose(dcpl);
    }
    H5Fclose(f);
    return bench_cpu_s() - t0;
}

/* ---- main -------------------------------------------------------------- */

static void run_codec(const char *src, const char *dir, int zstd, uint64_t raw_bytes, const held *h,
                      size_t nh)
{
    char h5[512], direct[512], err[1024];
    snprintf(h5, sizeof h5, "%s/x%s.h5", dir, zstd ? "-zstd" : "");
    snprintf(direct, sizeof direct, "%s/direct%s.h5", dir, zstd ? "-zstd" : "");
    synapt_reader *r;
    synapt_dataset *dset;
    if (synapt_reader_open2(&r, src, NULL, err, sizeof err)) die(src, err);
    if (synapt_dataset_open(&dset, src, NULL, err, sizeof err)) die(src, err);
    int reps = g_quick ? 1 : 3;
    double te[3], td[3];
    for (int k = 0; k < reps; k++) {
        h5layout_export_options o = H5LAYOUT_EXPORT_OPTIONS_INIT;
        o.zstd = zstd;
        double t0 = bench_cpu_s();
        if (h5layout_export(NULL, dset, h5, &o, err, sizeof err)) die("export", err);
        te[k] = bench_cpu_s() - t0;
        td[k] = direct_write(h, nh, direct, zstd);
    }
    double e = bench_median(te, reps), d = bench_median(td, reps);

    /* windows: the same random list for both sides */
    uint64_t clips = synapt_reader_clip_count(r);
    int n = g_quick ? 100 : 600;
    win *w = malloc((size_t)n * sizeof *w);
    hid_t f = H5Fopen(h5, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) die(h5, "cannot open");
    for (int i = 0; i < n; i++) {
        w[i].clip = rnd() % clips;
        w[i].which = (int)(rnd() % 2);
        synapt_clip_info ci;
        synapt_reader_clip(&ci, r, w[i].clip);
        w[i].first = rnd() % (ci.frame_count - WIN + 1);
    }
    size_t cap = 64u << 20;
    void *buf = malloc(cap);
    const char *codec = zstd ? "zstd (32015)" : "deflate";
    double ts[3], th[3], tn[3];
    for (int k = 0; k < reps; k++) {
        ts[k] = synapt_windows(r, w, n, buf, cap);
        th[k] = hdf5_windows(f, r, 1, w, n, buf);
        tn[k] = hdf5_windows(f, r, 0, w, n, buf);
    }
    double s = bench_median(ts, reps), hh = bench_median(th, reps), hn = bench_median(tn, reps);
    printf("| %s, HDF5 chunk cache off | %.0f | %.0f | **%.2fx** | %.1f MB | %.1f MB | %.0f MB/s | %.0f MB/s | **%.2fx** |\n",
           codec, n / s, n / hn, hn / s, bench_file_bytes(src) / 1e6, bench_file_bytes(h5) / 1e6,
           raw_bytes / 1e6 / e, raw_bytes / 1e6 / d, d / e);
    printf("| %s, HDF5 default chunk cache | %.0f | %.0f | %.2fx | | | | | |\n", codec, n / s, n / hh, hh / s);
    /* the same windows split by stream: where the mix's ratio comes from */
    win *part = malloc((size_t)n * sizeof *part);
    for (int which = 0; which < 2; which++) {
        int m = 0;
        for (int i = 0; i < n; i++)
            if (w[i].which == which) part[m++] = w[i];
        for (int k = 0; k < reps; k++) {
            ts[k] = synapt_windows(r, part, m, buf, cap);
            th[k] = hdf5_windows(f, r, 1, part, m, buf);
            tn[k] = hdf5_windows(f, r, 0, part, m, buf);
        }
        s = bench_median(ts, reps);
        hh = bench_median(th, reps);
        hn = bench_median(tn, reps);
        printf("| %s, %s windows only: cache off / default | %.0f | %.0f / %.0f | %.2fx / %.2fx | | | | | |\n",
               codec, which ? "depth" : "rgb", m / s, m / hn, m / hh, hn / s, hh / s);
    }
    free(part);
    H5Fclose(f);
    free(w);
    free(buf);
    synapt_reader_close(r);
    unlink(h5);
    unlink(direct);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) g_quick = 1;
        else {
            fprintf(stderr, "usage: bench_hdf5 [--quick]\n");
            return 2;
        }
    }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const char *tmpdir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char dir[512], src[600], err[1024];
    snprintf(dir, sizeof dir, "%s/bench_hdf5.XXXXXX", tmpdir);
    if (!mkdtemp(dir)) die(dir, "cannot create");
    snprintf(src, sizeof src, "%s/synth.synapt", dir);
    synth_config cfg = SYNTH_CONFIG_INIT;
    cfg.classes = g_quick ? 2 : 4;
    cfg.clips_per_class = g_quick ? 2 : 4;
    cfg.frames = 48;
    synth_output_options so = SYNTH_OUTPUT_OPTIONS_INIT;
    so.path = src;
    so.rgb_h264 = 0;
    so.threads = 2;
    if (synth_generate(&cfg, &so, err, sizeof err)) die("synth", err);
    synapt_reader *r;
    if (synapt_reader_open2(&r, src, NULL, err, sizeof err)) die(src, err);
    size_t nh;
    held *h = hold_all(r, &nh);
    uint64_t raw = 0;
    for (size_t i = 0; i < nh; i++) raw += h[i].bytes;
    printf("## synapt vs its HDF5 export (bench_hdf5)\n\n");
    printf("%u clips x %u frames, %ux%u, raw RGB + u16 depth + u8 mask (%.1f MB of arrays). "
           "Windows: %d random 16-frame reads of rgb or depth, same list both sides; "
           "HDF5 datasets opened outside the timed loop, in two passes, one set of handles "
           "open at a time (HDF5 shares a dataset's chunk cache between its handles): with "
           "the chunk cache off (every window decompresses its frames, as random windows over "
           "a dataset larger than the caches do; the target row, as h5py with rdcc_nbytes=0) "
           "and with HDF5's default chunk cache (1 MiB of decompressed chunks per dataset, "
           "which holds most of a 48-frame clip here). synapt caches nothing. CPU time, "
           "median of 3. "
           "Export: h5layout_export (synapt read + HDF5 write) "
           "vs H5Dwrite of the same arrays from memory, same chunks and filters; pose "
           "streams are in the export but not the baseline.\n\n",
           cfg.classes * cfg.clips_per_class, cfg.frames, cfg.width, cfg.height, raw / 1e6,
           g_quick ? 100 : 600);
    printf("| HDF5 codec | synapt windows/s | HDF5 windows/s | synapt / HDF5 | synapt bytes | HDF5 bytes "
           "| export | direct HDF5 write | export / direct |\n|---|---|---|---|---|---|---|---|---|\n");
    run_codec(src, dir, 0, raw, h, nh);
    if (h5layout_zstd_available()) run_codec(src, dir, 1, raw, h, nh);
    else printf("| zstd (32015) | not measured: this HDF5 cannot load the zstd filter plugin | | | | | | | |\n");
    printf("\n");
    for (size_t i = 0; i < nh; i++) free(h[i].data);
    free(h);
    synapt_reader_close(r);
    unlink(src);
    rmdir(dir);
    return 0;
}
