/* h5_dl.c - libhdf5 loaded on first use (see h5.h for why).
 *
 * The soname is the one the build's linker recorded for pkg-config's hdf5
 * (scripts/soname.sh: libhdf5_serial.so.103 on Debian 12), so every table
 * entry has the prototype its caller was compiled against; the library is
 * then asked for its version and a different major.minor is refused, as
 * HDF5's own H5check_version() would (it aborts the process instead). */
#define H5DL_DIRECT /* the table's own names, not the macros */
#include <hdf5.h>

#include "h5.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#ifndef H5DL_SONAME
#error "H5DL_SONAME (the soname of libhdf5) must come from the Makefile"
#endif
_Static_assert(sizeof H5DL_SONAME > 1, "scripts/soname.sh found no soname for hdf5");

h5dl_table h5dl;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_rc;
static char load_msg[320];

static void load(void)
{
    load_rc = SYNAPT_E_UNSUPPORTED;
    /* in a program that links libhdf5 itself (tests), this is that object */
    void *h = dlopen(H5DL_SONAME, RTLD_NOW);
    if (!h) {
        const char *e = dlerror();
        snprintf(load_msg, sizeof load_msg, "HDF5 needs %s, which could not be loaded: %s", H5DL_SONAME,
                 e ? e : "unknown error");
        return;
    }
#define H5DL_LOAD(name, where)                                                                 \
    if (!(*(void **)&h5dl.name = (where))) {                                                   \
        snprintf(load_msg, sizeof load_msg, "HDF5 needs %s, but the one loaded has no %s",     \
                 H5DL_SONAME, #name);                                                          \
        return;                                                                                \
    }
#define H5DL_FUNCTION(name) H5DL_LOAD(name, dlsym(h, #name))
    /* A program that links libhdf5 itself (the tests) holds the globals it
     * uses in copies of its own (copy relocations), and the library updates
     * those, not its own: the global scope finds such a copy first. The
     * tools link no HDF5, so there it is the library's own. */
#define H5DL_VARIABLE(name) H5DL_LOAD(name, dlsym(RTLD_DEFAULT, #name) ? dlsym(RTLD_DEFAULT, #name) : dlsym(h, #name))
    H5DL_FUNCTIONS(H5DL_FUNCTION)
    H5DL_VARIABLES(H5DL_VARIABLE)
#undef H5DL_VARIABLE
#undef H5DL_FUNCTION
#undef H5DL_LOAD
    unsigned maj = 0, min = 0, rel = 0;
    if (h5dl.H5get_libversion(&maj, &min, &rel) < 0 || maj != H5_VERS_MAJOR || min != H5_VERS_MINOR) {
        snprintf(load_msg, sizeof load_msg, "%s is HDF5 %u.%u.%u; the tools were built for %d.%d", H5DL_SONAME,
                 maj, min, rel, H5_VERS_MAJOR, H5_VERS_MINOR);
        return;
    }
    load_rc = 0;
}

int h5dl_load(char *err, size_t errsz)
{
    pthread_once(&once, load);
    if (load_rc && err && errsz)
        snprintf(err, errsz, "%s", load_msg);
    return load_rc;
}
