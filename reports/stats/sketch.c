#include "reports/stats/sketch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/util.h"

#define NPOW (SKETCH_EMAX - SKETCH_EMIN + 1)

void sketch_init(struct sketch *s)
{
	memset(s, 0, sizeof(*s));
}

void sketch_release(struct sketch *s)
{
	free(s->exact);
	for (int p = 0; p < NPOW; p++)
		free(s->bins[p]);
	memset(s, 0, sizeof(*s));
}

int sketch_is_exact(const struct sketch *s)
{
	return s->n <= SKETCH_EXACT;
}

size_t sketch_bytes(const struct sketch *s)
{
	size_t b = s->cap * sizeof(double);
	for (int p = 0; p < NPOW; p++)
		b += s->bins[p] ? SKETCH_SUB * sizeof(struct sketch_bucket) : 0;
	return b;
}

/* The bucket of x > 0: power p (0-based from SKETCH_EMIN) and bucket k within it. */
static void bucket_of(double x, int *p, int *k)
{
	if (x < SKETCH_LOW) {
		*p = 0;
		*k = 0;
		return;
	}
	if (x >= SKETCH_HIGH) {
		*p = NPOW - 1;
		*k = SKETCH_SUB - 1;
		return;
	}
	int e;
	double m = frexp(x, &e); /* x = m 2^e, m in [0.5, 1): exact */
	*p = e - SKETCH_EMIN;
	*k = (int)((m - 0.5) * (2 * SKETCH_SUB));
}

static void hist_add(struct sketch *s, double x)
{
	if (x == 0) {
		s->zeros++;
		return;
	}
	int p, k;
	bucket_of(x, &p, &k);
	if (!s->bins[p])
		s->bins[p] = xcalloc(SKETCH_SUB, sizeof(struct sketch_bucket));
	struct sketch_bucket *b = &s->bins[p][k];
	if (!b->n || x < b->lo)
		b->lo = x;
	if (!b->n || x > b->hi)
		b->hi = x;
	b->n++;
}

/* Insert keeping the values sorted: a binary search and one move. */
static void exact_add(struct sketch *s, double x)
{
	size_t lo = 0, hi = (size_t)s->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->exact[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	GROW(s->exact, s->cap, (size_t)s->n + 1);
	memmove(&s->exact[lo + 1], &s->exact[lo], ((size_t)s->n - lo) * sizeof(double));
	s->exact[lo] = x;
}

void sketch_add(struct sketch *s, double x)
{
	if (!s->n || x < s->min)
		s->min = x;
	if (!s->n || x > s->max)
		s->max = x;
	if (s->n < SKETCH_EXACT) {
		exact_add(s, x);
	} else {
		if (s->exact) {
			for (long i = 0; i < s->n; i++)
				hist_add(s, s->exact[i]);
			free(s->exact);
			s->exact = NULL;
			s->cap = 0;
		}
		hist_add(s, x);
	}
	s->n++;
}

static double hist_rank(const struct sketch *s, long r)
{
	long seen = s->zeros;
	if (r <= seen)
		return 0;
	for (int p = 0; p < NPOW; p++) {
		if (!s->bins[p])
			continue;
		for (int k = 0; k < SKETCH_SUB; k++) {
			const struct sketch_bucket *b = &s->bins[p][k];
			seen += (long)b->n;
			/* The value is in [lo, hi], less than a bucket wide. */
			if (r <= seen)
				return b->lo == b->hi ? b->lo : b->lo + (b->hi - b->lo) / 2;
		}
	}
	return s->max;
}

double sketch_quantile(const struct sketch *s, double q)
{
	if (!s->n)
		return NAN;
	long r = (long)ceil(q * (double)s->n);
	if (r < 1)
		r = 1;
	if (r >= s->n)
		return s->max;
	if (r == 1)
		return s->min;
	if (s->exact)
		return s->exact[r - 1];
	return hist_rank(s, r);
}
