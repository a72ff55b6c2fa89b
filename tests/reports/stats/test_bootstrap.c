/* reports/stats/bootstrap.c: the clustered standard error by hand, the interval's reproducibility. */
#include <criterion/criterion.h>
#include <math.h>

#include "reports/stats/bootstrap.h"

Test(bootstrap, standard_error_by_hand)
{
	/* Values 0, 1, 1, 0: mean 1/2, sample variance 1/3, se = sqrt(1/3 / 4). */
	double x[] = {0, 1, NAN, 1, 0};
	struct estimate e;
	bootstrap_mean(x, 5, 7, 500, &e);
	cr_assert_eq(e.problems, 4);
	cr_assert_float_eq(e.value, 0.5, 1e-15);
	cr_assert_float_eq(e.se, sqrt(1.0 / 12.0), 1e-15);
	cr_assert(e.lo <= e.value && e.value <= e.hi);
	cr_assert(e.lo >= 0 && e.hi <= 1);
}

Test(bootstrap, same_seed_same_interval_and_constant_values)
{
	double x[50];
	for (int i = 0; i < 50; i++)
		x[i] = (i * 37 % 11) / 10.0;
	struct estimate a, b, c;
	bootstrap_mean(x, 50, 99, 1000, &a);
	bootstrap_mean(x, 50, 99, 1000, &b);
	bootstrap_mean(x, 50, 100, 1000, &c);
	cr_assert(a.lo == b.lo && a.hi == b.hi);
	cr_assert(a.lo != c.lo || a.hi != c.hi, "another seed should move the interval");
	/* The percentile interval is about +-1.96 se for a mean of 50 values. */
	cr_assert(fabs((a.hi - a.lo) / (2 * 1.96 * a.se) - 1) < 0.2, "width %.4f se %.4f",
		  a.hi - a.lo, a.se);
	double k[] = {0.25, 0.25, 0.25};
	bootstrap_mean(k, 3, 1, 100, &a);
	cr_assert_eq(a.se, 0);
	cr_assert(a.lo == 0.25 && a.hi == 0.25);
}

Test(bootstrap, too_few_problems)
{
	double one[] = {0.5}, none[] = {NAN};
	struct estimate e;
	bootstrap_mean(one, 1, 1, 100, &e);
	cr_assert_float_eq(e.value, 0.5, 0);
	cr_assert(isnan(e.se) && isnan(e.lo) && isnan(e.hi));
	bootstrap_mean(none, 1, 1, 100, &e);
	cr_assert(isnan(e.value) && e.problems == 0);
}
