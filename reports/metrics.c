#include "metrics.h"

#include <stdlib.h>

#include "util.h"

double metrics_pass_at_k(int n, int c, int k)
{
	if (k <= 0 || k > n)
		return 0.0 / 0.0;
	if (n - c < k)
		return 1.0;
	/* C(n-c, k) / C(n, k) = prod_{i=n-c+1}^{n} (1 - k / i) */
	double keep = 1.0;
	for (int i = n - c + 1; i <= n; i++)
		keep *= 1.0 - (double)k / (double)i;
	return 1.0 - keep;
}

int metrics_majority(const int *keys, size_t n, const unsigned char *class_correct, int nclasses)
{
	if (nclasses <= 0)
		return 0;
	int *count = xcalloc((size_t)nclasses, sizeof(int));
	size_t *first = xcalloc((size_t)nclasses, sizeof(size_t));
	for (int i = 0; i < nclasses; i++)
		first[i] = n;
	for (size_t i = 0; i < n; i++) {
		if (keys[i] < 0 || keys[i] >= nclasses)
			continue;
		if (!count[keys[i]]++)
			first[keys[i]] = i;
	}
	int best = -1;
	for (int k = 0; k < nclasses; k++) {
		if (!count[k])
			continue;
		if (best < 0 || count[k] > count[best] ||
		    (count[k] == count[best] && first[k] < first[best]))
			best = k;
	}
	int ok = best >= 0 && class_correct[best];
	free(count);
	free(first);
	return ok;
}
