/*
 * sketch: order statistics of a stream of non-negative values in bounded
 * memory.
 *
 * The first SKETCH_EXACT values are kept, sorted, and percentiles are exact.
 * Beyond that the values move into a log-linear histogram: each power of two
 * [2^(e-1), 2^e) is cut into SKETCH_SUB equal buckets, and a bucket keeps
 * its count and the least and greatest value it received.  A percentile
 * falling in a bucket is the middle of that range, which is within
 * 1/(2 SKETCH_SUB) = 1/128 (0.8%) of the exact value, relative, for values
 * from SKETCH_LOW to SKETCH_HIGH, and exact when the bucket saw one distinct
 * value (small token counts, repeated figures); zeros are counted exactly.  Buckets are allocated a
 * power of two at a time, as values reach it, so a sketch of token counts or latencies holds a few
 * kilobytes however many values it has seen.  The count, the minimum and the maximum are always
 * exact.  Bucket boundaries are exact binary fractions (frexp, no logarithm), so the same values
 * give the same figures in any order and on any machine.
 *
 * struct sketch is embedded: sketch_init, then sketch_release frees what it
 * allocated.
 */
#ifndef REVAL_SKETCH_H
#define REVAL_SKETCH_H

#include <stddef.h>
#include <stdint.h>

#define SKETCH_EXACT 2048 /* values kept exactly before the histogram takes over */
#define SKETCH_SUB 64	  /* buckets per power of two: relative error <= 1/128 */
#define SKETCH_EMIN (-9)  /* lowest power: values from 2^-10 (SKETCH_LOW) ... */
#define SKETCH_EMAX 41	  /* ... below 2^41 (SKETCH_HIGH) have the error bound */
#define SKETCH_LOW 0x1p-10
#define SKETCH_HIGH 0x1p41
#define SKETCH_REL_ERROR (1.0 / (2 * SKETCH_SUB))

struct sketch_bucket {
	uint64_t n;
	double lo, hi; /* least and greatest value counted here */
};

struct sketch {
	long n;		 /* values added */
	double min, max; /* exact; 0 when empty */
	double *exact;	 /* sorted values while n <= SKETCH_EXACT, then NULL */
	size_t cap;
	long zeros; /* histogram: values equal to 0 */
	struct sketch_bucket *bins[SKETCH_EMAX - SKETCH_EMIN + 1]; /* SKETCH_SUB per power */
};

void sketch_init(struct sketch *s);
void sketch_release(struct sketch *s);

/* Add a value; x must be finite and >= 0 (callers filter unknowns). */
void sketch_add(struct sketch *s, double x);

/*
 * The nearest-rank q-quantile (0 < q <= 1): the smallest value with at
 * least a fraction q of the values at or below it.  Exact while n <=
 * SKETCH_EXACT and for the first and last rank; beyond, within
 * SKETCH_REL_ERROR of the exact value, relative.  NAN when empty.
 */
double sketch_quantile(const struct sketch *s, double q);

/* Heap bytes held, for benchmarks. */
size_t sketch_bytes(const struct sketch *s);

/* 1 while every percentile is exact. */
int sketch_is_exact(const struct sketch *s);

#endif
