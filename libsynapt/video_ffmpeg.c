/* video_ffmpeg.c - loading libavcodec, libavformat and libswscale on first
 * use (see video_ffmpeg.h for why). The sonames are the major versions of
 * the headers this library was built with, so a table entry always has the
 * prototype the caller was compiled against; the loaded libraries are then
 * asked for their own version, and a different major is refused. */
#define VID_FF_DIRECT /* the table's own names, not the macros */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "video_ffmpeg.h"

vid_ff_table vid_ff;

#define SONAME(lib, major) "lib" lib ".so." AV_STRINGIFY(major)

static const char *const sonames[3] = {
    SONAME("avcodec", LIBAVCODEC_VERSION_MAJOR),
    SONAME("avformat", LIBAVFORMAT_VERSION_MAJOR),
    SONAME("swscale", LIBSWSCALE_VERSION_MAJOR),
};
/* Debian names a library's package after it and its major: libavcodec59 */
#define PACKAGE(lib, major) "lib" lib AV_STRINGIFY(major)
static const char *const packages[3] = {
    PACKAGE("avcodec", LIBAVCODEC_VERSION_MAJOR),
    PACKAGE("avformat", LIBAVFORMAT_VERSION_MAJOR),
    PACKAGE("swscale", LIBSWSCALE_VERSION_MAJOR),
};
static const unsigned majors[3] = { LIBAVCODEC_VERSION_MAJOR, LIBAVFORMAT_VERSION_MAJOR,
                                    LIBSWSCALE_VERSION_MAJOR };

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_rc;
static char load_msg[320];

static void *sym(void *h, int lib, const char *name)
{
    void *p = dlsym(h, name);
    if (!p && !load_rc) {
        load_rc = SYNAPT_E_UNSUPPORTED;
        snprintf(load_msg, sizeof load_msg, "video needs FFmpeg's %s, but the one loaded has no function %s",
                 sonames[lib], name);
    }
    return p;
}

static void load(void)
{
    static const char *const vfn[3] = { "avcodec_version", "avformat_version", "swscale_version" };
    void *h[3];
    for (int i = 0; i < 3; i++) {
        /* in a program that links FFmpeg itself, these are the same objects */
        h[i] = dlopen(sonames[i], RTLD_NOW);
        if (!h[i]) {
            const char *e = dlerror();
            load_rc = SYNAPT_E_UNSUPPORTED;
            snprintf(load_msg, sizeof load_msg,
                     "video needs FFmpeg's %s (Debian package %s), which could not be loaded: %s",
                     sonames[i], packages[i], e ? e : "unknown error");
            return;
        }
        /* each one checked before the next is loaded, which depends on it */
        unsigned (*version)(void) = (unsigned (*)(void))sym(h[i], i, vfn[i]);
        if (!version)
            return;
        unsigned v = version();
        if (v >> 16 != majors[i]) {
            load_rc = SYNAPT_E_UNSUPPORTED;
            snprintf(load_msg, sizeof load_msg, "%s reports version %u.%u.%u; this library was built for major %u",
                     sonames[i], v >> 16, v >> 8 & 0xff, v & 0xff, majors[i]);
            return;
        }
    }
    vid_ff_table t;
#define VID_FF_LOAD(lib, fn) *(void **)&t.fn = sym(h[lib], lib, #fn);
    VID_FF_FUNCTIONS(VID_FF_LOAD)
#undef VID_FF_LOAD
    if (!load_rc)
        vid_ff = t; /* all or nothing: a half-filled table is never seen */
}

int vid_ff_load(char *err, size_t errsz)
{
    pthread_once(&once, load);
    if (load_rc && err && errsz)
        snprintf(err, errsz, "%s", load_msg);
    return load_rc;
}
