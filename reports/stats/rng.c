#include "reports/stats/rng.h"

static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rng_init(struct rng *r, uint64_t seed)
{
	r->state = seed;
}

uint64_t rng_next(struct rng *r)
{
	r->state += 0x9e3779b97f4a7c15ULL;
	return mix(r->state);
}

uint64_t rng_below(struct rng *r, uint64_t bound)
{
	/* Values below 2^64 mod bound would make the low residues more likely. */
	uint64_t floor = (0 - bound) % bound;
	for (;;) {
		uint64_t x = rng_next(r);
		if (x >= floor)
			return x % bound;
	}
}

uint64_t rng_derive(uint64_t parent, const char *name)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	return mix(mix(parent) ^ h);
}

uint64_t rng_derive_int(uint64_t parent, uint64_t value)
{
	return mix(mix(parent) ^ mix(value + 0x9e3779b97f4a7c15ULL));
}
