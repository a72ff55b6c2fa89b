/*
 * sandbox_cpu: which CPU a worker runs on.
 *
 * A worker and the thread that drives its runs share one CPU: each run is
 * a chain of hand-overs between them, and a wake-up across CPUs costs more
 * than the work handed over.  So each worker claims a CPU of its own -- a
 * lock (flock) on a file per CPU in a directory every reval process on the
 * machine shares, held for the worker's life -- so that two reval processes
 * pin their workers to different CPUs while free ones remain.  Worker i
 * tries the i-th CPU this process may use first, then the next ones; when
 * every one is claimed, it shares the i-th, unclaimed.  With a single usable
 * CPU nothing is pinned.
 */
#ifndef REVAL_SANDBOX_CPU_H
#define REVAL_SANDBOX_CPU_H

/* Where the claims live: $REVAL_CPU_CLAIMS, or /tmp. */
#define SBX_CPU_CLAIMS_ENV "REVAL_CPU_CLAIMS"

struct sbx_cpu {
	int cpu; /* -1: any */
	int fd; /* the claim's lock, -1 when none is held */
};

/* Pick the CPU for worker index. */
void sbx_cpu_claim(struct sbx_cpu *c, int index);
/* Give the claim up (the CPU may then go to another worker). */
void sbx_cpu_release(struct sbx_cpu *c);
/* Pin the calling thread to cpu (>= 0): 0, or -1 with errno. */
int sbx_cpu_pin(int cpu);

#endif
