/*
 * Where a test run's scratch files go: one directory the runner makes before
 * the first test (its path in REVAL_TEST_TMP, which every test process
 * inherits) and removes after the last one when every test passed.  A run
 * with a failure or a crash keeps it and prints where; so does any run with
 * REVAL_KEEP_TEST_TMP set.
 */
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/support.h"

static char root[64];

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
	(void)set;
	snprintf(root, sizeof(root), "/tmp/reval-tests-XXXXXX");
	if (!mkdtemp(root)) {
		fprintf(stderr, "reval tests: cannot make a scratch directory in /tmp: %s\n",
			strerror(errno));
		root[0] = '\0';
		return;
	}
	setenv(SUPPORT_TMP_ENV, root, 1);
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	if (remove(path) && errno != ENOENT)
		fprintf(stderr, "reval tests: cannot remove %s: %s\n", path, strerror(errno));
	return 0;
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	if (!root[0])
		return;
	if (stats->tests_failed || stats->tests_crashed || getenv("REVAL_KEEP_TEST_TMP")) {
		fprintf(stderr, "reval tests: scratch files kept in %s\n", root);
		return;
	}
	nftw(root, remove_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}
