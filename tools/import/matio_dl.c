/* matio_dl.c - libmatio loaded on first use (see matio_dl.h). The soname
 * is the one the build's linker recorded for pkg-config's matio
 * (scripts/soname.sh: libmatio.so.11 on Debian 12); the library's version
 * must then have the major.minor of the headers built against. */
#define IMPORT_MAT_DIRECT /* the table's own names, not the macros */
#include "matio_dl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "synapt.h"

#ifndef IMPORT_MATIO_SONAME
#error "IMPORT_MATIO_SONAME (the soname of libmatio) must come from the Makefile"
#endif
_Static_assert(sizeof IMPORT_MATIO_SONAME > 1, "scripts/soname.sh found no soname for matio");

import_mat_table import_mat;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_rc;
static char load_msg[320];

static void load(void)
{
    load_rc = SYNAPT_E_UNSUPPORTED;
    void *h = dlopen(IMPORT_MATIO_SONAME, RTLD_NOW);
    if (!h) {
        const char *e = dlerror();
        snprintf(load_msg, sizeof load_msg, "reading .mat files needs %s, which could not be loaded: %s",
                 IMPORT_MATIO_SONAME, e ? e : "unknown error");
        return;
    }
#define IMPORT_MAT_LOAD(name)                                                                  \
    if (!(*(void **)&import_mat.name = dlsym(h, #name))) {                                     \
        snprintf(load_msg, sizeof load_msg, "reading .mat files needs %s, but the one loaded " \
                 "has no %s", IMPORT_MATIO_SONAME, #name);                                     \
        return;                                                                                \
    }
    IMPORT_MAT_FUNCTIONS(IMPORT_MAT_LOAD)
#undef IMPORT_MAT_LOAD
    int maj = 0, min = 0, rel = 0;
    import_mat.Mat_GetLibraryVersion(&maj, &min, &rel);
    if (maj != MATIO_MAJOR_VERSION || min != MATIO_MINOR_VERSION) {
        snprintf(load_msg, sizeof load_msg, "%s is matio %d.%d.%d; the tools were built for %d.%d",
                 IMPORT_MATIO_SONAME, maj, min, rel, MATIO_MAJOR_VERSION, MATIO_MINOR_VERSION);
        return;
    }
    load_rc = 0;
}

int import_mat_load(char *err, size_t errsz)
{
    pthread_once(&once, load);
    if (load_rc && err && errsz)
        snprintf(err, errsz, "%s", load_msg);
    return load_rc;
}
