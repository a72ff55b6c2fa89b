/*
 * reval check: grade standalone cases with one checker, JSONL in and out.
 * math and code have checkers of their own; every other registered grader
 * goes through the generic one (cmd_check_grader.c).
 */
#include <stdio.h>
#include <string.h>

#include "harness/cli/cmd.h"
#include "graders/grader.h"
#include "harness/base/util.h"

static const struct {
	const char *name;
	enum reval_err (*fn)(int, char **);
	const char *help;
} checkers[] = {
	{"math", cmd_check_math,
	 "usage: reval check math --in FILE.jsonl\n\n"
	 "Each input line is one case: {\"id\", \"gold\", \"pred\", \"pred_kind\": \"answer\" |\n"
	 "\"full_output\"} (optional: \"expected\", \"category\", \"config\" with math grader options).\n"
	 "A full output has its answer extracted first (after the last </think>: the last \\boxed{},\n"
	 "\"final answer is\", \"Answer:\", \"####\", <answer>, a JSON \"answer\", ...).\n"
	 "Prints one line per case: {\"id\", \"correct\", \"extracted\", \"canonical\"}; with\n"
	 "\"expected\" on the cases, a summary on stderr: accuracy, false positives and negatives,\n"
	 "per category. Conventions: docs/math-conventions.md.\n"},
	{"code", cmd_check_code,
	 "usage: reval check code --in FILE.jsonl [--workers N]\n\n"
	 "Each input line is one case: {\"id\", \"kind\": \"function\" | \"stdio\", \"language\":\n"
	 "\"python\" | \"c\" | \"cpp\", ...}. function: \"prompt\", \"completion\", \"entry_point\" (or\n"
	 "\"program\"), \"tests\" = Python source defining check(candidate). stdio: \"program\",\n"
	 "\"tests\" = [{\"input\", \"output\"[, \"compare\": \"float_abs_or_rel:1e-6\"]}]. Optional\n"
	 "\"limits\": {\"time_s\", \"wall_s\", \"memory_mb\", \"output_mb\"}.\n"
	 "Prints one line per case: {\"id\", \"verdict\", \"tests_passed\", \"tests_total\", \"detail\"}\n"
	 "and a summary on stderr. Programs run only inside the sandbox. Where the sandbox cannot\n"
	 "set a run up even on a fresh worker, it stops: the cases judged so far are printed, no\n"
	 "infrastructure error is printed as a verdict, and it exits 1 saying why.\n"},
};

void cmd_check_options(void)
{
	static const char *const lines[][2] = {
		{"--in FILE.jsonl", "the cases, one JSON object a line (every checker)"},
		{"--workers N", "code: sandbox workers, 1 to 256 (default: one per CPU)"},
		{"--options JSON", "choice, exact, regex, rg: the task's grader options as a JSON "
				   "object ('reval check code --options' lists the code grader's)"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++)
		printf("  %-30s %s\n", lines[i][0], lines[i][1]);
}

enum reval_err cmd_check(int argc, char **argv)
{
	if (argc < 2) {
		diag("usage: reval check math|code|choice|exact|regex|rg --in FILE.jsonl");
		return RV_EUSAGE;
	}
	for (size_t i = 0; i < ARRAY_SIZE(checkers); i++) {
		if (strcmp(argv[1], checkers[i].name))
			continue;
		for (int a = 2; a < argc; a++)
			if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
				fputs(checkers[i].help, stdout);
				return RV_OK;
			}
		return checkers[i].fn(argc - 1, argv + 1);
	}
	const struct grader_ops *g = grader_find(argv[1]);
	if (g)
		return cmd_check_grader(g, argc - 1, argv + 1);
	diag("unknown checker '%s' (math, code, or a grader: choice, exact, regex, rg)", argv[1]);
	return RV_EUSAGE;
}
