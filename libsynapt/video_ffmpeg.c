/* video_ffmpeg.c - loading libavcodec, libswscale and libavformat on first
 * use (see video_ffmpeg.h for why). Two steps, because libavformat alone
 * brings about 35 more libraries (Blu-ray, game-music, SRT, SSH, ZeroMQ,
 * TLS ...): decoding and encoding stored streams need only libavcodec and
 * libswscale; importing and exporting files also load libavformat.
 *
 * The sonames are the major versions of the headers this library was built
 * with, so a table entry always has the prototype its caller was compiled
 * against; each library is then asked for its own version, and a different
 * major is refused. */
#define VID_FF_DIRECT /* the table's own names, not the macros */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "video_ffmpeg.h"

vid_ff_table vid_ff;

enum { CODEC = 0, FORMAT = 1, SCALE = 2 }; /* the library numbers of VID_FF_FUNCTIONS */

#define SONAME(lib, major) "lib" lib ".so." AV_STRINGIFY(major)
/* Debian names a library's package after it and its major: libavcodec59 */
#define PACKAGE(lib, major) "lib" lib AV_STRINGIFY(major)
static const struct {
    const char *soname, *package, *version_fn;
    unsigned major;
} libs[3] = {
    { SONAME("avcodec", LIBAVCODEC_VERSION_MAJOR), PACKAGE("avcodec", LIBAVCODEC_VERSION_MAJOR),
      "avcodec_version", LIBAVCODEC_VERSION_MAJOR },
    { SONAME("avformat", LIBAVFORMAT_VERSION_MAJOR), PACKAGE("avformat", LIBAVFORMAT_VERSION_MAJOR),
      "avformat_version", LIBAVFORMAT_VERSION_MAJOR },
    { SONAME("swscale", LIBSWSCALE_VERSION_MAJOR), PACKAGE("swscale", LIBSWSCALE_VERSION_MAJOR),
      "swscale_version", LIBSWSCALE_VERSION_MAJOR },
};

/* one loading step: its result is final for the process */
typedef struct step {
    pthread_once_t once;
    int rc;
    char msg[320];
} step;

static step codec_step = { PTHREAD_ONCE_INIT, 0, "" }, format_step = { PTHREAD_ONCE_INIT, 0, "" };

/* dlopen library `lib` and check its major; NULL with st's message set */
static void *open_lib(step *st, int lib)
{
    /* in a program that links FFmpeg itself, these are the same objects */
    void *h = dlopen(libs[lib].soname, RTLD_NOW);
    if (!h) {
        const char *e = dlerror();
        st->rc = SYNAPT_E_UNSUPPORTED;
        snprintf(st->msg, sizeof st->msg, "video needs FFmpeg's %s (Debian package %s), which could not be loaded: %s",
                 libs[lib].soname, libs[lib].package, e ? e : "unknown error");
        return NULL;
    }
    unsigned (*version)(void) = (unsigned (*)(void))dlsym(h, libs[lib].version_fn);
    if (!version) {
        st->rc = SYNAPT_E_UNSUPPORTED;
        snprintf(st->msg, sizeof st->msg, "video needs FFmpeg's %s, but the one loaded has no function %s",
                 libs[lib].soname, libs[lib].version_fn);
        return NULL;
    }
    unsigned v = version();
    if (v >> 16 != libs[lib].major) {
        st->rc = SYNAPT_E_UNSUPPORTED;
        snprintf(st->msg, sizeof st->msg, "%s reports version %u.%u.%u; this library was built for major %u",
                 libs[lib].soname, v >> 16, v >> 8 & 0xff, v & 0xff, libs[lib].major);
        return NULL;
    }
    return h;
}

/* Fill the table entries of the libraries in `want` (a bit per library)
 * from the handles h. The entries are written before the step reports
 * success, and pthread_once orders them before any caller's use. */
static void fill(step *st, void *const *h, unsigned want)
{
#define VID_FF_LOAD(lib, fn)                                                                   \
    if (!st->rc && (want >> (lib) & 1u)) {                                                     \
        void *p = dlsym(h[lib], #fn);                                                          \
        if (!p) {                                                                              \
            st->rc = SYNAPT_E_UNSUPPORTED;                                                     \
            snprintf(st->msg, sizeof st->msg,                                                  \
                     "video needs FFmpeg's %s, but the one loaded has no function %s",         \
                     libs[lib].soname, #fn);                                                   \
        }                                                                                      \
        *(void **)&vid_ff.fn = p;                                                              \
    }
    VID_FF_FUNCTIONS(VID_FF_LOAD)
#undef VID_FF_LOAD
}

static void load_codec(void)
{
    void *h[3] = { NULL, NULL, NULL };
    if (!(h[CODEC] = open_lib(&codec_step, CODEC)) || !(h[SCALE] = open_lib(&codec_step, SCALE)))
        return;
    fill(&codec_step, h, 1u << CODEC | 1u << SCALE);
}

static void load_format(void)
{
    void *h[3] = { NULL, NULL, NULL };
    if ((h[FORMAT] = open_lib(&format_step, FORMAT)))
        fill(&format_step, h, 1u << FORMAT);
}

static int report(const step *st, char *err, size_t errsz)
{
    if (st->rc && err && errsz)
        snprintf(err, errsz, "%s", st->msg);
    return st->rc;
}

int vid_ff_load(char *err, size_t errsz)
{
    pthread_once(&codec_step.once, load_codec);
    return report(&codec_step, err, errsz);
}

int vid_ff_load_format(char *err, size_t errsz)
{
    int rc = vid_ff_load(err, errsz);
    if (rc)
        return rc;
    pthread_once(&format_step.once, load_format);
    return report(&format_step, err, errsz);
}
