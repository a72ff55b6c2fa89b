/*
 * metrics: estimators over per-problem outcomes.
 *
 * Pure functions of counts and votes; nothing here reads files.  pass@k is
 * the unbiased estimator of Chen et al. (2021), 1 - C(n-c, k) / C(n, k),
 * computed as a product so it stays exact-to-rounding for n in the
 * thousands.  avg is the mean of per-problem correctness rates (each problem
 * weighs the same, whatever its number of graded samples).
 */
#ifndef REVAL_METRICS_H
#define REVAL_METRICS_H

#include <stddef.h>

/* Unbiased pass@k for one problem with n graded samples of which c are correct; needs k <= n. */
double metrics_pass_at_k(int n, int c, int k);

/*
 * Majority vote over answer classes: keys[i] is the class of sample i
 * (-1: no answer, no vote), correct_key[class] says whether that class is
 * correct.  Ties go to the class whose first vote came earliest (lowest
 * sample index).  Returns 1 when the winning class is correct, 0 otherwise
 * (also when nobody voted).
 */
int metrics_majority(const int *keys, size_t n, const unsigned char *class_correct, int nclasses);

#endif
