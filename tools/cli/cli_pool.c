/* cli_pool.c - the ordered worker pool every long-running command shares
 * (see cli.h, "ordered work"). Workers take jobs in index order and may run
 * at most `window` jobs ahead of the consumer, which sees results strictly
 * in job order on the calling thread: the output is the same bytes whatever
 * the thread count, and memory is bounded by the window. */
#include "cli.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

unsigned cli_cores(unsigned max)
{
    long n = 0;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) n = CPU_COUNT(&set);
    if (n < 1) n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1) n = 1;
    if (max > 0 && (unsigned long)n > max) n = (long)max;
    return (unsigned)n;
}

typedef struct pool {
    uint64_t njobs, next, consumed;
    size_t window;
    int stop;
    cli_pool_work_fn work;
    void *user;
    int *rc;            /* per slot */
    uint64_t *done_job; /* per slot: the job whose result is in it, UINT64_MAX none */
    pthread_mutex_t mu;
    pthread_cond_t cv;
} pool;

static void *worker(void *arg)
{
    pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (!p->stop && p->next < p->njobs && p->next >= p->consumed + p->window)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->stop || p->next >= p->njobs) {
            pthread_mutex_unlock(&p->mu);
            return NULL;
        }
        uint64_t j = p->next++;
        pthread_mutex_unlock(&p->mu);

        size_t slot = (size_t)(j % p->window);
        int rc = p->work(p->user, j, slot);

        pthread_mutex_lock(&p->mu);
        p->rc[slot] = rc;
        p->done_job[slot] = j;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
}

int cli_pool_run(uint64_t njobs, unsigned threads, size_t window, cli_pool_work_fn work,
                 cli_pool_done_fn done, void *user)
{
    if (window == 0) window = 1;
    if (threads <= 1) {
        /* no thread at all: the same order, the same results, simpler to debug */
        for (uint64_t j = 0; j < njobs; j++) {
            int rc = work(user, j, (size_t)(j % window));
            int stop = done(user, j, (size_t)(j % window), rc);
            if (stop) return stop;
        }
        return 0;
    }
    if (threads > 256) threads = 256;
    pool p = { .njobs = njobs, .window = window, .work = work, .user = user };
    p.rc = calloc(window, sizeof *p.rc);
    p.done_job = malloc(window * sizeof *p.done_job);
    pthread_t *th = calloc(threads, sizeof *th);
    if (!p.rc || !p.done_job || !th) {
        free(p.rc);
        free(p.done_job);
        free(th);
        return CLI_POOL_NOMEM;
    }
    for (size_t i = 0; i < window; i++) p.done_job[i] = UINT64_MAX;
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    unsigned started = 0;
    for (; started < threads; started++)
        if (pthread_create(&th[started], NULL, worker, &p) != 0) break;
    int ret = 0;
    if (started == 0) {
        ret = CLI_POOL_NOTHREAD;
        goto out;
    }
    for (uint64_t j = 0; j < njobs; j++) {
        size_t slot = (size_t)(j % window);
        pthread_mutex_lock(&p.mu);
        while (p.done_job[slot] != j)
            pthread_cond_wait(&p.cv, &p.mu);
        int rc = p.rc[slot];
        pthread_mutex_unlock(&p.mu);
        int stop = done(user, j, slot, rc);
        pthread_mutex_lock(&p.mu);
        p.done_job[slot] = UINT64_MAX;
        p.consumed = j + 1;
        if (stop) p.stop = 1;
        pthread_cond_broadcast(&p.cv);
        pthread_mutex_unlock(&p.mu);
        if (stop) {
            ret = stop;
            break;
        }
    }
out:
    pthread_mutex_lock(&p.mu);
    p.stop = 1;
    pthread_cond_broadcast(&p.cv);
    pthread_mutex_unlock(&p.mu);
    for (unsigned i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.cv);
    free(th);
    free(p.rc);
    free(p.done_job);
    return ret;
}
