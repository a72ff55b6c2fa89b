/* cmd_check_math: `reval check math --in FILE.jsonl` (the work is graders/math/check.c). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "graders/math/check.h"
#include "harness/base/util.h"
#include "harness/cli/cmd.h"

enum reval_err cmd_check_math(int argc, char **argv)
{
	const char *in = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--in") && i + 1 < argc) {
			in = argv[++i];
		} else if (!strncmp(argv[i], "--in=", 5)) {
			in = argv[i] + 5;
		} else {
			diag("check math: unknown argument '%s' (usage: reval check math --in FILE.jsonl)", argv[i]);
			return RV_EUSAGE;
		}
	}
	if (!in) {
		diag("check math: missing --in FILE.jsonl");
		return RV_EUSAGE;
	}
	struct check_math_stats st = {0};
	enum reval_err err = check_math_file(in, stdout, stderr, &st);
	check_math_stats_release(&st);
	if (!err && fflush(stdout)) {
		diag("cannot write the results: %s", strerror(errno));
		err = RV_EIO;
	}
	return err;
}
