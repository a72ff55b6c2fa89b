/*
 * sandbox_pool: a fixed set of sandbox workers shared by threads.
 *
 * One worker per core by default, each on its own CPU.
 * sandbox_pool_acquire blocks until a worker is free and hands it to the
 * caller alone until sandbox_pool_release.  The pool owns the workers;
 * sandbox_pool_free ends them all (NULL is a no-op).  When the sandbox is
 * degraded on this kernel, sandbox_pool_new says so once on stderr, loudly,
 * and sandbox_pool_layers tells the results.
 */
#ifndef REVAL_SANDBOX_POOL_H
#define REVAL_SANDBOX_POOL_H

#include "graders/code/sandbox/sandbox.h"

struct sandbox_pool;

/* n <= 0: one worker per online CPU.  NULL with a reason in err. */
struct sandbox_pool *sandbox_pool_new(int n, struct strbuf *err);
void sandbox_pool_free(struct sandbox_pool *p);
struct sandbox *sandbox_pool_acquire(struct sandbox_pool *p);
void sandbox_pool_release(struct sandbox_pool *p, struct sandbox *sb);
int sandbox_pool_size(const struct sandbox_pool *p);
const char *sandbox_pool_layers(const struct sandbox_pool *p);
int sandbox_pool_degraded(const struct sandbox_pool *p);

#endif
