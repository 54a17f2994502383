/* fuzz_import.c - libFuzzer targets for the importers behind synapt-pack
 * (tools/import, tools/npy): one source, one binary per importer, chosen at
 * build time with -DFZ_IMPORTER=<n> (scripts/fuzz.sh names them). The
 * importers take paths, so each input is written to a scratch file (or
 * folder) under /dev/shm with the name the importer expects, then parsed
 * and every value the parser hands back is touched, so a read past what it
 * allocated shows up under ASan. Inputs that should fail must fail with a
 * message: an error code with an empty `err` is a bug too (abort()).
 *
 *   1 fuzz_imp_manifest  manifest, JSONL (first byte even) or CSV (odd)
 *   2 fuzz_imp_layouts   first byte picks list, ssv2, diving48, kinetics csv
 *   3 fuzz_imp_skeleton  NTU .skeleton as pose3d and pose2d
 *   4 fuzz_imp_posejson  Kinetics-skeleton .json, or (odd first byte) a
 *                        folder holding one OpenPose *_keypoints.json
 *   5 fuzz_imp_npy       .npy as pose / frames / labels, or (odd) a .npz
 *   6 fuzz_imp_png       one PNG in a depth/mask folder, every frame read
 *   7 fuzz_imp_mat       SURREAL _info.mat (pose + metadata), then as _depth.mat
 *   8 fuzz_imp_hdf5      an HDF5 file's /p as pose, /f as frames */
#include <dirent.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "import/import.h"
#include "npy/npy.h"

#ifndef FZ_IMPORTER
#define FZ_IMPORTER 1
#endif

#if defined(__GNUC__)
#define FZ_UNUSED __attribute__((unused))
#else
#define FZ_UNUSED
#endif

static char fz_dir[64];

static int fz_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    remove(path);
    return 0;
}

static void fz_cleanup(void)
{
    nftw(fz_dir, fz_rm, 8, FTW_DEPTH | FTW_PHYS);
}

static const char *fz_scratch(void)
{
    if (!fz_dir[0]) {
        snprintf(fz_dir, sizeof fz_dir, "/dev/shm/synapt-fz-%d", (int)getpid());
        mkdir(fz_dir, 0700);
        atexit(fz_cleanup);
    }
    return fz_dir;
}

/* write data to <scratch>/<name>; returns the path (static buffer per slot) */
static const char *fz_put(int slot, const char *name, const uint8_t *data, size_t size)
{
    static char paths[4][256];
    snprintf(paths[slot], sizeof paths[slot], "%s/%s", fz_scratch(), name);
    char *p = paths[slot];
    char *sl = strrchr(p, '/');
    if (sl && sl != p) {
        *sl = 0;
        mkdir(p, 0700);
        *sl = '/';
    }
    FILE *f = fopen(p, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
    return p;
}

/* every failure says why; touching each value finds reads past the arrays */
FZ_UNUSED static void fz_check(int rc, const char *err)
{
    if (rc && !err[0])
        abort();
}

static volatile float fz_sink;

FZ_UNUSED static void fz_touch_pose(const import_pose *p)
{
    size_t n = (size_t)p->frames * p->persons * p->joints * p->channels;
    float s = 0;
    for (size_t i = 0; i < n; i++)
        s += p->data[i];
    for (uint64_t t = 0; t < p->frames; t++)
        s += (float)p->present[t];
    fz_sink = s;
}

FZ_UNUSED static void fz_touch_list(const import_list *l)
{
    size_t s = 0;
    for (size_t i = 0; i < l->count; i++) {
        const import_clip *c = &l->clips[i];
        s += strlen(c->id);
        for (size_t k = 0; k < c->label_count; k++)
            s += strlen(c->labels[k]);
        for (size_t k = 0; k < c->group_count; k++)
            s += strlen(c->group_keys[k]) + strlen(c->group_values[k]);
        if (c->meta_json)
            s += strlen(c->meta_json);
        if (c->video)
            s += strlen(c->video);
    }
    for (size_t i = 0; i < l->class_count; i++)
        s += strlen(l->classes[i]);
    fz_sink = (float)s;
}

#if defined(FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION) && FZ_IMPORTER == 8
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <sys/wait.h>
#define H5DL_DIRECT /* the child below calls libhdf5 itself (linked) */
#include "h5/h5.h"
/* libhdf5 1.10 itself dies on some damaged files (a SIGSEGV in its
 * symbol-table lookup, found by this target in two runs). synapt-pack and
 * synapt-audit read HDF5 in a sandboxed child first (tools/cli/cli_sandbox.c),
 * which turns that into one error line; this target calls the importer
 * in-process so that the fuzzer sees our code's faults, and skips the
 * inputs on which a forked child doing only libhdf5's part (open, look up
 * and read the two datasets, after h5_guard's checks) dies. A sanitizer
 * report in the child is an exit status, a crash a signal: both skip. */
static int fz_hdf5_survives(const char *path)
{
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        int dn = open("/dev/null", O_WRONLY);
        if (dn >= 0)
            dup2(dn, STDERR_FILENO);
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
        hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
        const char *names[2] = { "/p", "/f" };
        for (int i = 0; f >= 0 && i < 2; i++) {
            if (H5Lexists(f, names[i], H5P_DEFAULT) <= 0)
                continue;
            hid_t d = H5Dopen2(f, names[i], h5guard_dapl());
            if (d < 0)
                continue;
            char err[512];
            if (h5guard_dataset(d, path, names[i], err, sizeof err) == 0) {
                hid_t sp = H5Dget_space(d);
                hssize_t np = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
                void *b = np > 0 && np <= (1 << 22) ? malloc((size_t)np * sizeof(double)) : NULL;
                if (b)
                    H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, b);
                free(b);
                if (sp >= 0)
                    H5Sclose(sp);
            }
            H5Dclose(d);
        }
        if (f >= 0)
            H5Fclose(f);
        _exit(0);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}
#endif

FZ_UNUSED static void fz_pose(import_sidecar *sc, int want3d)
{
    char err[512] = "";
    import_pose p;
    int rc = import_pose_read(&p, sc, want3d, err, sizeof err);
    fz_check(rc, err);
    if (!rc) {
        fz_touch_pose(&p);
        import_pose_free(&p);
    }
}

FZ_UNUSED static void fz_frames(import_sidecar *sc)
{
    char err[512] = "";
    import_frames *f = NULL;
    int rc = import_frames_open(&f, sc, err, sizeof err);
    fz_check(rc, err);
    if (rc)
        return;
    const import_frames_info *fi = import_frames_get_info(f);
    size_t es = fi->dtype == SYNAPT_DTYPE_U8 ? 1 : fi->dtype == SYNAPT_DTYPE_U16 ? 2 : 4;
    size_t size = (size_t)fi->height * fi->width * fi->channels * es;
    /* a harness limit, not the importer's: keeps each run fast */
    if (size <= (16u << 20)) {
        uint8_t *buf = malloc(size ? size : 1);
        for (uint64_t t = 0; buf && t < fi->frames && t < 8; t++) {
            err[0] = 0;
            fz_check(import_frames_read(f, t, buf, size, err, sizeof err), err);
        }
        free(buf);
    }
    import_frames_close(f);
}

FZ_UNUSED static void fz_parse(int (*fn)(import_list *, const import_options *, const char *, char *, size_t),
                     const char *path, int keep_going)
{
    char err[512] = "";
    import_list l;
    import_list_init(&l);
    import_options o = IMPORT_OPTIONS_INIT;
    o.keep_going = keep_going;
    int rc = fn(&l, &o, path, err, sizeof err);
    fz_check(rc, err);
    fz_touch_list(&l);
    import_list_free(&l);
}

/* one importer (the numbers above) over one input: the fuzz targets call it
 * with their FZ_IMPORTER, tests/import/test_fuzz_import.c with each in turn
 * to replay the committed corpora in `make test` */
FZ_UNUSED static int fz_import_run(int importer, const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned sel = data[0];
    const uint8_t *d = data + 1;
    size_t n = size - 1;
    import_sidecar sc;
    memset(&sc, 0, sizeof sc);
    char err[512] = "";
    switch (importer) {
    case 1:
        fz_parse(import_parse_manifest, fz_put(0, sel & 1 ? "m.csv" : "m.jsonl", d, n), (sel >> 1) & 1);
        break;
    case 2:
        switch (sel % 4) {
        case 0: fz_parse(import_parse_list, fz_put(0, "list.txt", d, n), (sel >> 2) & 1); break;
        case 1: fz_parse(import_parse_ssv2, fz_put(0, "something-something-v2-train.json", d, n), (sel >> 2) & 1); break;
        case 2: fz_parse(import_parse_diving48, fz_put(0, "Diving48_V2_train.json", d, n), (sel >> 2) & 1); break;
        default: fz_parse(import_parse_kinetics, fz_put(0, "train.csv", d, n), (sel >> 2) & 1); break;
        }
        break;
    case 3:
        sc.path = (char *)fz_put(0, "S001C001P001R001A001.skeleton", d, n);
        sc.kind = IMPORT_SC_NTU_SKELETON;
        fz_pose(&sc, sel & 1);
        break;
    case 4:
        if (sel & 1) {
            sc.path = (char *)fz_put(0, "op/f_000000000000_keypoints.json", d, n);
            *strrchr(sc.path, '/') = 0;
            sc.kind = IMPORT_SC_OPENPOSE_DIR;
        } else {
            sc.path = (char *)fz_put(0, "ks.json", d, n);
            sc.kind = IMPORT_SC_KINETICS_SKEL;
        }
        fz_pose(&sc, 0);
        break;
    case 5:
        if (sel & 1) {
            sc.path = (char *)fz_put(0, "a.npz", d, n);
            sc.kind = IMPORT_SC_NPZ;
            fz_pose(&sc, (sel >> 1) & 1);
            npz_archive *z = NULL;
            int rc = npz_open(&z, sc.path, 64u << 20, err, sizeof err);
            fz_check(rc, err);
            for (size_t i = 0; !rc && i < npz_count(z) && i < 4; i++) {
                npy_array a;
                err[0] = 0;
                if (npz_read(&a, z, npz_key(z, i), err, sizeof err) == 0)
                    npy_array_free(&a);
                else
                    fz_check(1, err);
            }
            npz_close(z);
        } else {
            sc.path = (char *)fz_put(0, "a.npy", d, n);
            sc.kind = IMPORT_SC_NPY;
            if (sel & 2)
                fz_frames(&sc);
            else
                fz_pose(&sc, (sel >> 2) & 1);
            int32_t *lab = NULL;
            uint64_t nl = 0;
            int rc = import_frame_labels_read(&lab, &nl, &sc, err, sizeof err);
            fz_check(rc, err);
            free(lab);
        }
        break;
    case 6:
        sc.path = (char *)fz_put(0, "png/000001.png", d, n);
        *strrchr(sc.path, '/') = 0;
        sc.kind = IMPORT_SC_PNG_DIR;
        fz_frames(&sc);
        break;
    case 7: {
        const char *p = fz_put(0, "c_info.mat", d, n);
        import_pose p2, p3;
        char *meta = NULL;
        int rc = import_surreal_info_read(&p2, &p3, &meta, p, err, sizeof err);
        fz_check(rc, err);
        if (!rc) {
            fz_touch_pose(&p2);
            fz_touch_pose(&p3);
            import_pose_free(&p2);
            import_pose_free(&p3);
            fz_sink = (float)strlen(meta);
            free(meta);
        }
        sc.path = (char *)fz_put(1, "c_depth.mat", d, n);
        sc.kind = IMPORT_SC_MAT;
        fz_frames(&sc);
        break;
    }
    case 8:
        sc.path = (char *)fz_put(0, "a.h5", d, n);
#if defined(FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION) && FZ_IMPORTER == 8
        if (!fz_hdf5_survives(sc.path))
            break;
#endif
        sc.kind = IMPORT_SC_HDF5;
        sc.inner = (char *)"/p";
        fz_pose(&sc, sel & 1);
        sc.inner = (char *)"/f";
        fz_frames(&sc);
        break;
    }
    (void)sel; (void)err;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fz_import_run(FZ_IMPORTER, data, size);
}
