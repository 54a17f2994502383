/* depth_files.h - what the depth-codec tests (test_depth_ans,
 * test_depth_strip) share: one clip of u16 (or other) depth frames
 * written to a scratch .synapt file with a given compression, filter and
 * writer option depth_compression, a file's size, and the size target on
 * the real samples. */
#ifndef SYNAPT_TESTS_DEPTH_FILES_H
#define SYNAPT_TESTS_DEPTH_FILES_H
#include <stdio.h>
#include "synapt.h"
#include "testutil.h"
#include "png16.h"

/* NAME.synapt under the test's scratch folder: nf frames (h, w) of dtype,
 * three frames a chunk, deterministic; its path, or NULL when the writer
 * refused or failed. */
static const char *depth_file_write(const char *name, const void *frames, size_t h, size_t w, uint32_t nf, int comp,
                                    int filter, int dtype, int wdepth)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s.synapt", tu_tmp_dir(), name);
    synapt_writer_options wo = SYNAPT_WRITER_OPTIONS_INIT;
    wo.deterministic = 1;
    wo.depth_compression = wdepth;
    wo.chunk_max_frames = 3;
    synapt_writer *wr = NULL;
    if (synapt_writer_create(&wr, path, &wo, NULL, 0)) return NULL;
    synapt_clip_desc cd = SYNAPT_CLIP_DESC_INIT;
    cd.id = "c";
    synapt_stream_desc sd = SYNAPT_STREAM_DESC_INIT;
    sd.name = "depth"; sd.kind = SYNAPT_KIND_DEPTH; sd.dtype = dtype; sd.codec = SYNAPT_CODEC_RAW;
    sd.ndim = 2; sd.shape[0] = h; sd.shape[1] = w; sd.scale = 0.001;
    sd.compression = comp;
    sd.filter = filter;
    uint32_t si;
    size_t fb = h * w * synapt_dtype_size(dtype);
    if (synapt_writer_begin_clip(wr, &cd) || synapt_writer_add_stream(&si, wr, &sd) ||
        synapt_writer_write_frames(wr, si, frames, fb * nf, nf, NULL) || synapt_writer_end_clip(wr)) {
        synapt_writer_abort(wr);
        return NULL;
    }
    return synapt_writer_close(wr, NULL, 0) ? NULL : path;
}

/* The size of file p, or -1. */
static long depth_file_size(const char *p)
{
    FILE *f = fopen(p, "rb");
    long n = -1;
    if (f && !fseek(f, 0, SEEK_END)) n = ftell(f);
    if (f) fclose(f);
    return n;
}

/* Issue 14's size target on the real samples of png16.h: each frame round
 * trips through `roundtrip` (which gives the payload length) at no more
 * than half its PNG file; `codec` names the rows printed. */
typedef int (*depth_roundtrip_fn)(const uint16_t *v, size_t npix, size_t width, size_t *len);
static void depth_real_samples(const char *codec, depth_roundtrip_fn roundtrip)
{
    const char *rd = tu_realdata();
    if (!rd) { tu_skip("test_real_samples", "../shared/realdata not found"); return; }
    for (size_t k = 0; k < REAL_DEPTH_COUNT; k++) {
        char p[1024];
        int w, h;
        uint16_t *v = load_real_depth(rd, k, &w, &h, p, sizeof p);
        if (!v) { CHECK(0); continue; }
        long png = depth_file_size(p);
        size_t len = 0;
        CHECK(roundtrip(v, (size_t)w * (size_t)h, (size_t)w, &len));
        printf("  %s: PNG %ld bytes, %s %zu (%.2fx smaller)\n", real_depth_files[k], png, codec, len,
               (double)png / (double)len);
        CHECK(png > 0 && (size_t)png >= 2 * len);
        free(v);
    }
}
#endif
