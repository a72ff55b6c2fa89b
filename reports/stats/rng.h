/*
 * rng: small seeded pseudo-random numbers for the statistics.
 *
 * The bootstrap and the Monte Carlo estimates must be reproducible from the
 * run seed alone, on every machine, so the generator is spelled out here
 * (splitmix64) rather than taken from the C library.  Seeds for a task, a
 * problem or a k are derived by hashing their names into the run seed.
 * struct rng is a plain value; there is nothing to free.
 */
#ifndef REVAL_RNG_H
#define REVAL_RNG_H

#include <stdint.h>

struct rng {
	uint64_t state;
};

void rng_init(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, bound); bound > 0.  Unbiased (rejection of the short tail). */
uint64_t rng_below(struct rng *r, uint64_t bound);

/* A seed derived from a parent seed and a name (FNV-1a of the name, mixed in). */
uint64_t rng_derive(uint64_t parent, const char *name);
/* A seed derived from a parent seed and a number. */
uint64_t rng_derive_int(uint64_t parent, uint64_t value);

#endif
