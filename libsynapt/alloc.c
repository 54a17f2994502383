/* alloc.c - allocator hooks and growable buffers. Every allocation the
 * library makes for a handle goes through that handle's synapt_allocator. */
#include <stdlib.h>
#include "internal.h"

static void *def_malloc(void *o, size_t n) { (void)o; return malloc(n ? n : 1); }
static void *def_realloc(void *o, void *p, size_t n) { (void)o; return realloc(p, n ? n : 1); }
static void def_free(void *o, void *p) { (void)o; free(p); }

void sy_mem_init(sy_mem *m, const synapt_allocator *user)
{
    if (user && user->malloc_fn && user->realloc_fn && user->free_fn) {
        *m = *user;
    } else {
        m->malloc_fn = def_malloc;
        m->realloc_fn = def_realloc;
        m->free_fn = def_free;
        m->opaque = NULL;
    }
}

void *sy_malloc(const sy_mem *m, size_t n) { return m->malloc_fn(m->opaque, n ? n : 1); }
void *sy_calloc(const sy_mem *m, size_t n)
{
    void *p = sy_malloc(m, n);
    if (p) memset(p, 0, n);
    return p;
}
void *sy_realloc(const sy_mem *m, void *p, size_t n) { return m->realloc_fn(m->opaque, p, n ? n : 1); }
void sy_free(const sy_mem *m, void *p) { if (p) m->free_fn(m->opaque, p); }

void *sy_memdup(const sy_mem *m, const void *p, size_t n)
{
    void *q = sy_malloc(m, n);
    if (q && n) memcpy(q, p, n);
    return q;
}

char *sy_strdup(const sy_mem *m, const char *s)
{
    if (!s) return NULL;
    return sy_memdup(m, s, strlen(s) + 1);
}

int sy_grow(const sy_mem *m, void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) return 0;
    size_t nc = *cap ? *cap : 16;
    while (nc < need) {
        if (nc > SIZE_MAX / 2) { nc = need; break; }
        nc *= 2;
    }
    if (nc > SIZE_MAX / size) return SYNAPT_E_NOMEM;
    void *q = sy_realloc(m, *p, nc * size);
    if (!q) return SYNAPT_E_NOMEM;
    *p = q;
    *cap = nc;
    return 0;
}

int sy_buf_reserve(const sy_mem *m, sy_buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len) return SYNAPT_E_NOMEM;
    void *p = b->data;
    /* data is never NULL after a reserve, so empty frames still have an
     * address for memcpy and friends */
    size_t need = b->len + extra ? b->len + extra : 1;
    int rc = sy_grow(m, &p, &b->cap, need, 1);
    b->data = p;
    return rc;
}

int sy_buf_append(const sy_mem *m, sy_buf *b, const void *p, size_t n)
{
    int rc = sy_buf_reserve(m, b, n);
    if (rc) return rc;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

uint8_t *sy_buf_extend(const sy_mem *m, sy_buf *b, size_t n)
{
    if (sy_buf_reserve(m, b, n)) return NULL;
    uint8_t *q = b->data + b->len;
    if (n) memset(q, 0, n);
    b->len += n;
    return q;
}

void sy_buf_free(const sy_mem *m, sy_buf *b)
{
    sy_free(m, b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
