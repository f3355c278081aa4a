/* A minimal fork-join helper for the addon's own loops (convolutions, pooling, optimiser updates).
 * OpenBLAS keeps its own thread pool for sgemm; these threads only run between sgemm calls. */
#ifndef DISTILLERY_PARALLEL_H
#define DISTILLERY_PARALLEL_H

#include <stddef.h>

/* Multiply-adds per thread below which the kernels keep work on fewer threads: starting a thread
 * costs ~20-50 us, and on a busy machine its scheduling delay can cost more. */
#define DN_MACS_PER_THREAD ((size_t)1 << 19)

/* The work [0, n) is cut into chunks that depend only on n and grain (see dn_chunk_count); fn(ctx,
 * begin, end, chunk) runs once per chunk, on the calling thread or a helper that takes chunks as it
 * frees up. So a helper the OS schedules late costs at most one chunk's wait, and per-chunk results
 * (summed in chunk order by the caller) are the same bits whatever the thread count or timing.
 * Threads are used only when n holds at least two `grain`s of work. */
typedef void (*dn_range_fn)(void *ctx, size_t begin, size_t end, size_t chunk);
void dn_parallel_for(size_t n, size_t grain, dn_range_fn fn, void *ctx);
/* How many chunks dn_parallel_for cuts n into for this grain (at most DN_MAX_CHUNKS). */
size_t dn_chunk_count(size_t n, size_t grain);
#define DN_MAX_CHUNKS 64

/* How many threads dn_parallel_for may use (>= 1); starts at the number of online cores, at most
 * DN_MAX_WORKERS. */
#define DN_MAX_WORKERS 8
int dn_workers(void);
void dn_set_workers(int workers);

#endif
