#include "parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

static int workers = 0;

int dn_workers(void) {
  if (workers == 0) {
    const long online = sysconf(_SC_NPROCESSORS_ONLN);
    workers = online < 1 ? 1 : (online > DN_MAX_WORKERS ? DN_MAX_WORKERS : (int)online);
  }
  return workers;
}

void dn_set_workers(int count) { workers = count < 1 ? 1 : (count > DN_MAX_WORKERS ? DN_MAX_WORKERS : count); }

/* Chunks of about a quarter grain (at least one item, at most DN_MAX_CHUNKS chunks): small enough to
 * balance two threads, large enough that per-chunk setup stays negligible. */
static size_t chunk_size(size_t n, size_t grain) {
  size_t size = grain / 4;
  const size_t min_size = (n + DN_MAX_CHUNKS - 1) / DN_MAX_CHUNKS;
  if (size < min_size) size = min_size;
  return size < 1 ? 1 : size;
}

size_t dn_chunk_count(size_t n, size_t grain) {
  const size_t size = chunk_size(n, grain);
  return (n + size - 1) / size;
}

typedef struct {
  dn_range_fn fn;
  void *ctx;
  size_t n, size;
  atomic_size_t next;
} dn_pool_run;

static void *take_chunks(void *arg) {
  dn_pool_run *run = (dn_pool_run *)arg;
  for (;;) {
    const size_t begin = atomic_fetch_add(&run->next, run->size);
    if (begin >= run->n) break;
    const size_t end = begin + run->size < run->n ? begin + run->size : run->n;
    run->fn(run->ctx, begin, end, begin / run->size);
  }
  return NULL;
}

/* Threads are created per call: the kernels that use this run for a millisecond or more, against
 * ~20-50 us to start a thread, and nothing keeps spinning (or keeps Node alive) between calls. */
void dn_parallel_for(size_t n, size_t grain, dn_range_fn fn, void *ctx) {
  if (n == 0) return;
  dn_pool_run run = {.fn = fn, .ctx = ctx, .n = n, .size = chunk_size(n, grain)};
  atomic_init(&run.next, 0);
  size_t threads = grain == 0 ? (size_t)dn_workers() : n / grain;
  if (threads > (size_t)dn_workers()) threads = (size_t)dn_workers();
  pthread_t helpers[DN_MAX_WORKERS];
  size_t started = 0;
  for (size_t i = 1; i < threads; i++) {
    if (pthread_create(&helpers[started], NULL, take_chunks, &run) == 0) started++;
  }
  /* The calling thread takes chunks too; a helper that never started just leaves more for it. */
  take_chunks(&run);
  for (size_t i = 0; i < started; i++) pthread_join(helpers[i], NULL);
}
