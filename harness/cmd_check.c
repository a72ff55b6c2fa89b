/* reval check: grade standalone cases with one checker, JSONL in and out. */
#include <string.h>

#include "cmd.h"
#include "util.h"

static const struct {
	const char *name;
	enum reval_err (*fn)(int, char **);
} checkers[] = {
	{"math", cmd_check_math},
	{"code", cmd_check_code},
};

enum reval_err cmd_check(int argc, char **argv)
{
	if (argc < 2) {
		diag("usage: reval check math|code --in FILE.jsonl");
		return RV_EUSAGE;
	}
	for (size_t i = 0; i < ARRAY_SIZE(checkers); i++)
		if (!strcmp(argv[1], checkers[i].name))
			return checkers[i].fn(argc - 1, argv + 1);
	diag("unknown checker '%s' (math, code)", argv[1]);
	return RV_EUSAGE;
}
