/*
 * main: parse the subcommand, dispatch it from the table, and turn its
 * error into the exit code (0 success, 1 failure, 2 usage or input error,
 * 3 a run that finished with samples failed outside the model).
 */
#include <stdio.h>
#include <string.h>

#include "harness/cli/cmd.h"
#include "harness/pipeline/config.h"
#include "harness/engine/engine.h"
#include "harness/base/err.h"
#include "graders/grader.h"
#include "harness/base/util.h"
#include "harness/base/version.h"

struct command {
	const char *name;
	enum reval_err (*fn)(int argc, char **argv);
	const char *usage;
	const char *summary;
	const char *help; /* the rest of 'reval help NAME' */
};

static const struct command commands[] = {
	{"run", cmd_run, "reval run --task T[,T...] --out DIR [options]",
	 "evaluate a model on tasks; rerun the same command to resume",
	 "Sends every (problem, sample) of the tasks to the engine, grades each completion as it\n"
	 "arrives and appends it to DIR/samples.jsonl, the journal. A run killed at any moment\n"
	 "loses no finished sample: rerunning the same command skips what is done and retries\n"
	 "infrastructure failures. A rerun whose settings would change results (model, sampling,\n"
	 "prompt, dataset, grader) is refused with what differs.\n\n"
	 "The prompt: --system-prompt TEXT|@FILE replaces every task's system message (\"\" for\n"
	 "none, @@ for a text starting with @), --prompt-template FILE its user message ({question},\n"
	 "{choices}, {fewshot}, a dataset field as {NAME}; {{ and }} are literal braces) and\n"
	 "--num-fewshot N takes the first N examples of the task's few-shot file, never the problem\n"
	 "itself. Each is recorded in config.json and part of the run's identity (docs/formats.md).\n\n"
	 "Writes DIR/config.json (resolved settings, never the API key), DIR/samples.jsonl,\n"
	 "DIR/results.json, DIR/problems.jsonl and DIR/results.csv (docs/results-schema.md).\n"
	 "Ends with a score table on stdout (task, primary metric, value, 95% interval,\n"
	 "problems, samples, infrastructure errors) and, on stderr, the samples that failed\n"
	 "outside the model by kind, with one example message each. The progress line shows\n"
	 "the running accuracy, errors and retries.\n\n"
	 "One process at a time works in a run directory (a lock on DIR/.lock): a second\n"
	 "'reval run' or 'reval grade' on it is refused with the holder's pid.\n"
	 "Text a server sends back is stored and printed with the API key (and anything shaped\n"
	 "like a 'Bearer' or 'sk-' token) replaced by [redacted].\n\n"
	 "Exit status:\n"
	 "  0  every sample was answered and graded\n"
	 "  1  the run could not start or was stopped (endpoint unusable, cannot write)\n"
	 "  2  bad usage or input, or settings that differ from the run being resumed\n"
	 "  3  the run finished, but some samples failed outside the model (network, server,\n"
	 "     timeout, malformed response); their count and kinds are printed, they are in no\n"
	 "     score, and rerunning the same command retries them\n"
	 "  130 stopped by SIGINT, SIGTERM or SIGHUP: nothing more is sent, requests in flight get\n"
	 "     20 s to finish, what finished is saved with results.json and the command that\n"
	 "     resumes is printed; a second signal ends the process at once\n"
	 "Base URLs are checked at start: http or https, a host, a port from 1 to 65535.\n"
	 "A circuit breaker takes an endpoint out after --breaker-failures failed attempts in a\n"
	 "row or --breaker-window seconds of failures without a success; with none left the run\n"
	 "stops (exit 1) naming the endpoint, its last error and how to resume.\n\n"
	 "Examples:\n"
	 "  reval run --task aime24 --base-url http://127.0.0.1:8000/v1 --model m --out runs/a\n"
	 "  reval run --task bbh --engine replay:datasets/recordings/bbh-codex-suzgun2022/"
	 "cot.samples.jsonl --out runs/bbh\n"
	 "  reval run --task gsm8k --shard 0/4 --out runs/g0   (then reval merge runs/g* --out runs/g)\n"
	 "  reval run --task gsm8k --shard auto --out runs/g   (in a Slurm array or Indexed Job:\n"
	 "                                    runs/g/shard-I-of-N; docs/scale-out.md)\n"},
	{"grade", cmd_grade, "reval grade DIR", "regrade a run's journal with today's graders",
	 "Rereads DIR/samples.jsonl, grades every sample again with the graders of this binary,\n"
	 "rewrites the journal atomically and recomputes DIR/results.json, problems.jsonl and\n"
	 "results.csv.\n"
	 "Refuses when a dataset changed since the run.\n"},
	{"merge", cmd_merge, "reval merge DIR... --out DIR [--wait SECONDS]",
	 "combine the shards of one run",
	 "Each DIR is a shard's run directory or an output holding shard-I-of-N directories\n"
	 "(what --shard auto writes). Checks that the shards are one run: the same settings, one\n"
	 "count N, every shard 0..N-1 exactly once and finished, no sample in two shards, and\n"
	 "names every shard that is missing, duplicated or unfinished. Then concatenates their\n"
	 "journals and writes the results of the whole run, equal to those of an unsharded run.\n"
	 "--wait SECONDS waits that long for missing or unfinished shards (a merge job started\n"
	 "beside its shards); a settings mismatch fails at once. docs/scale-out.md.\n\n"
	 "Examples:\n"
	 "  reval merge runs/g/shard-0-of-2 runs/g/shard-1-of-2 --out runs/g/merged\n"
	 "  reval merge runs/g --out runs/g/merged --wait 600\n"},
	{"tasks", cmd_tasks,
	 "reval tasks [T...] [--data-dir DIR] | --verify | --check FILE.json | --grader-options",
	 "list tasks with sizes and defaults; check a task file",
	 "Lists every task (or the named ones): problems, grader, default sampling and metrics.\n"
	 "The catalogue is the bundled tasks (datasets/tasks/, or where $REVAL_DATA points) and\n"
	 "those of --data-dir DIR (DIR/tasks/*.json, their data paths relative to DIR); an id\n"
	 "defined twice is an error naming both files. A name ending in .json is a task file,\n"
	 "its data paths relative to the file (as 'reval run --task FILE.json' takes it).\n"
	 "--verify checks every bundled data file against datasets/SHA256SUMS.\n"
	 "--check FILE.json loads one task file as a run would and reports every error (unknown\n"
	 "or mistyped key, unknown grader or grader option, bad dataset line), each naming the\n"
	 "file and the key or line (exit 2); on success one line: task, grader, problems,\n"
	 "metrics.\n"
	 "--grader-options prints every grader's options as Markdown, from the tables the\n"
	 "graders read them with.\n"
	 "Writing a task: docs/custom-tasks.md.\n\n"
	 "Examples:\n"
	 "  reval tasks --check arith/arith.json\n"
	 "  reval run --task ./arith/arith.json,gsm8k --base-url URL --model m --out runs/a\n"},
	{"check", cmd_check, "reval check math|code|choice|exact|regex|rg --in FILE.jsonl",
	 "grade standalone cases with one checker",
	 "Reads one case per line and prints one JSON verdict per line; where cases carry\n"
	 "\"expected\", a summary goes to stderr. See 'reval check math --help' and 'reval check\n"
	 "code --help'. Other graders take {\"id\", \"gold\", \"pred\"[, \"record\", \"expected\"]}\n"
	 "lines and their task options as --options JSON.\n"},
	{"report", cmd_report, "reval report DIR... [--html F] [--csv F] [--md F] [...]",
	 "HTML, CSV and Markdown reports of one run or a leaderboard of many",
	 "Reads each run directory (results.json, config.json, samples.jsonl) and writes the\n"
	 "reports asked for; with no output flag, the Markdown summary goes to stdout.\n"
	 "The HTML file is self-contained (inline CSS and SVG, no network): a sortable\n"
	 "leaderboard of runs x tasks with 95% intervals, differences that are significant in a\n"
	 "paired test over problems, and per task pass@k and cons@k curves, score bars, token\n"
	 "lengths of correct and wrong samples, truncation and error rates, a problem x run grid\n"
	 "and a drill-down to a few failing samples of each problem. Runs are ordered by their\n"
	 "mean score over the tasks they share; the first DIR is the reference for the lists of\n"
	 "problems that got better or worse.\n"
	 "When the runs differ in settings (model, engine, seed, sampling, prompt, dataset, grader\n"
	 "or its version), stderr lists what differs for each run against the first, and the\n"
	 "Markdown and HTML reports show the same list in their header.\n"
	 "Each F may be '-' for standard output. A new F's missing directories are created; a\n"
	 "regular file is replaced atomically; a symlink, FIFO or character device (/dev/stdout)\n"
	 "is written through, never replaced (docs/gate.md, \"Output files\").\n\n"
	 "Examples:\n"
	 "  reval report runs/a runs/b --html report.html --csv scores.csv --md summary.md\n"
	 "  reval report runs/a --problems-csv problems.csv\n"},
	{"gate", cmd_gate, "reval gate --baseline DIR --candidate DIR [options]",
	 "fail (exit 1) when a candidate run regresses against a baseline",
	 "Compares the candidate with the baseline task by task, problem by problem. A task\n"
	 "fails when its score drops by more than --max-drop points and a paired sign-flip\n"
	 "permutation test over problems finds the drop significant at --alpha, when a --min\n"
	 "floor is missed, or when the candidate has more infrastructure errors than allowed.\n"
	 "Runs with samples missing, or whose tasks, dataset checksums, graders or sampling\n"
	 "differ, are refused (exit 2) unless --force. Prints a Markdown table; appends it to\n"
	 "$GITHUB_STEP_SUMMARY when set; --junit F and --md F may be '-' for stdout.\n"
	 "Exit 0 pass, 1 regression, 2 usage or input error.\n"
	 "See docs/gate.md for the procedure and an example CI job.\n\n"
	 "Example:\n"
	 "  reval gate --baseline baselines/main --candidate runs/pr --junit gate.xml\n"},
	{"serve", cmd_serve, "reval serve [--listen ADDR:PORT] [--grader G] [options]",
	 "serve the graders as rewards to RL trainers (OpenRLHF, verl, TRL, SandboxFusion)",
	 "Answers POST /get_reward (OpenRLHF's remote reward model), POST /v1/rewards (batches\n"
	 "of items, one result and error per item), POST /run_code (SandboxFusion's run_code,\n"
	 "through the sandbox), GET /health and GET /metrics (Prometheus). A reward is\n"
	 "accuracy-weight x accuracy + format-weight x format, as docs/rewards.md defines them.\n"
	 "Items are scored by a thread per CPU (code: by the sandbox workers); a full queue\n"
	 "answers 429 with Retry-After; an item past --deadline scores 0 as \"timeout\".\n"
	 "SIGTERM answers the requests in flight, then exits 0.\n\n"
	 "Examples:\n"
	 "  reval serve --listen 127.0.0.1:5000 --grader math\n"
	 "  reval serve --grader code --partial --code-workers 8\n"},
	{"export", cmd_export, "reval export DIR --sft FILE [options]",
	 "rejection sampling: a run's correct samples as SFT data",
	 "Reads DIR/samples.jsonl and keeps the correct samples (infrastructure failures,\n"
	 "truncated and wrong ones are dropped; with options also those without closed\n"
	 "reasoning, outside token bounds, duplicates, and more than K per problem), each with\n"
	 "the prompt the run sent. Writes them to FILE, one JSON object per line: chat messages,\n"
	 "ShareGPT conversations or prompt-completion pairs, the reasoning inline in <think>\n"
	 "tags, as a \"thinking\" field, or dropped. Prints how many were kept and, per reason,\n"
	 "how many were dropped.\n\n"
	 "Examples:\n"
	 "  reval export runs/a --sft sft.jsonl --require-format --per-problem 4 --dedup\n"
	 "  reval export runs/a --sft sft.jsonl --format sharegpt --reasoning none\n"},
	{"reproduce", cmd_reproduce, "reval reproduce [--out DIR]",
	 "regrade the bundled recordings and compare with published scores",
	 "Runs every recording under datasets/recordings through the replay engine into\n"
	 "DIR/<recording>/<setting>/ (default build/reproduce) and prints reval's figure next to\n"
	 "the published one. Exits 1 on a difference not explained in\n"
	 "datasets/recordings/KNOWN_DIFFERENCES.json.\n"},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: reval <command> [options]\n\n"
		     "reval evaluates reasoning models: it sends benchmark prompts to an OpenAI-"
		     "compatible\nendpoint (or replays recorded outputs), grades every sample with "
		     "deterministic checkers,\nand reports avg@n, pass@k and cons@k.\n\ncommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'reval help <command>' for its options; 'reval -V' or 'reval --version'.\n");
}

static const struct command *find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static enum reval_err help(const char *name)
{
	const struct command *c = find(name);
	if (!c) {
		diag("no command '%s' (see 'reval --help')", name);
		return RV_EUSAGE;
	}
	printf("usage: %s\n\n%s\n", c->usage, c->help);
	printf("options:\n");
	config_print_help(c->name);
	if (!strcmp(c->name, "report"))
		cmd_report_options();
	if (!strcmp(c->name, "gate"))
		cmd_gate_options();
	if (!strcmp(c->name, "serve"))
		cmd_serve_options();
	if (!strcmp(c->name, "export"))
		cmd_export_options();
	if (!strcmp(c->name, "check"))
		cmd_check_options();
	if (!strcmp(c->name, "tasks")) {
		printf("  %-30s %s\n", "--verify", "check bundled files against their checksums");
		printf("  %-30s %s\n", "--check FILE", "check one task file, naming every error");
		printf("  %-30s %s\n", "--grader-options", "every grader's options, as Markdown");
	}
	if (!strcmp(c->name, "run")) {
		printf("\nengines:\n");
		for (size_t i = 0; engine_table[i]; i++)
			printf("  %s\n", engine_table[i]->help);
		printf("\ngraders:");
		for (size_t i = 0; grader_table[i]; i++)
			printf(" %s", grader_table[i]->name);
		printf("\n\nenvironment: OPENAI_API_KEY, OPENAI_BASE_URL, REVAL_DATA (datasets "
		       "directory)\n");
	}
	return RV_OK;
}

static int has_help_flag(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return reval_exit_code(RV_EUSAGE);
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V") || !strcmp(cmd, "version")) {
		printf("reval %s\n", REVAL_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "help")) {
		if (argc < 3) {
			usage(stdout);
			return 0;
		}
		return reval_exit_code(help(argv[2]));
	}
	const struct command *c = find(cmd);
	if (!c) {
		diag("unknown command '%s' (see 'reval --help')", cmd);
		return reval_exit_code(RV_EUSAGE);
	}
	/* 'reval check math --help' belongs to the checker. */
	if (strcmp(c->name, "check") && has_help_flag(argc - 1, argv + 1))
		return reval_exit_code(help(c->name));
	return reval_exit_code(c->fn(argc - 1, argv + 1));
}
