/* export_movie.c - the preview movie: libsynapt's movie writer
 * (synapt_movie_*) into a temporary file beside the target, renamed over
 * it when complete. The temporary keeps the target's extension, which
 * names the container. */
#include "export.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct export_movie {
    const char *target;
    char *tmp;
    synapt_movie *movie;
};

void export_movie_abort(export_movie *m)
{
    if (!m) return;
    synapt_movie_abort(m->movie);
    if (m->tmp) {
        unlink(m->tmp);
        free(m->tmp);
    }
    free(m);
}

/* a library message about the temporary, told of the target */
static int fail(export_movie *m, int rc, const char *why, char *err, size_t errsz)
{
    const char *tail = strncmp(why, m->tmp, strlen(m->tmp)) == 0 ? why + strlen(m->tmp) : why;
    snprintf(err, errsz, "%s%s%s", m->target, tail == why ? ": " : "", tail);
    return rc;
}

int export_movie_open(export_movie **out, const char *path, int w, int h, uint32_t fps_num,
                      uint64_t fps_den, char *err, size_t errsz)
{
    *out = NULL;
    export_movie *m = calloc(1, sizeof *m);
    if (!m) return SYNAPT_E_NOMEM;
    m->target = path;
    /* "DIR/NAME.EXT" -> "DIR/NAME.tmp-XXXXXX.EXT" */
    const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
    if (!dot || (slash && dot < slash)) dot = path + strlen(path);
    size_t pl = strlen(path), stem = (size_t)(dot - path);
    if (!(m->tmp = malloc(pl + 16))) {
        free(m);
        return SYNAPT_E_NOMEM;
    }
    snprintf(m->tmp, pl + 16, "%.*s.tmp-XXXXXX%s", (int)stem, path, dot);
    int fd = mkstemps(m->tmp, (int)strlen(dot));
    if (fd < 0) {
        snprintf(err, errsz, "%s: cannot create a temporary file beside it: %s", path, strerror(errno));
        free(m->tmp);
        free(m);
        return SYNAPT_E_IO;
    }
    mode_t um = umask(0);
    umask(um);
    fchmod(fd, 0666 & ~um);
    close(fd);
    if (fps_den > UINT32_MAX) fps_num = fps_den = 0; /* the library's default rate */
    char why[512];
    int rc = synapt_movie_open(&m->movie, m->tmp, NULL, (uint32_t)w, (uint32_t)h, fps_num, (uint32_t)fps_den,
                               why, sizeof why);
    if (rc) {
        fail(m, rc, why, err, errsz);
        export_movie_abort(m);
        return rc;
    }
    *out = m;
    return 0;
}

int export_movie_frame(export_movie *m, const uint8_t *rgb, char *err, size_t errsz)
{
    char why[512];
    int rc = synapt_movie_write(m->movie, rgb, why, sizeof why);
    return rc ? fail(m, rc, why, err, errsz) : 0;
}

int export_movie_close(export_movie *m, char *err, size_t errsz)
{
    char why[512];
    int rc = synapt_movie_close(m->movie, why, sizeof why);
    m->movie = NULL;
    if (rc) {
        fail(m, rc, why, err, errsz);
    } else if (rename(m->tmp, m->target) != 0) {
        snprintf(err, errsz, "%s: cannot write: %s", m->target, strerror(errno));
        rc = SYNAPT_E_IO;
    } else {
        free(m->tmp);
        m->tmp = NULL;
    }
    export_movie_abort(m);
    return rc;
}
