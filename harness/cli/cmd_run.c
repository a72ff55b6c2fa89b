/* reval run: evaluate tasks into a run directory, resuming what it already holds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/cli/cmd.h"
#include "harness/pipeline/config.h"
#include "harness/pipeline/grading.h"
#include "harness/pipeline/preset.h"
#include "harness/model/journal.h"
#include "harness/base/json.h"
#include "harness/pipeline/run.h"
#include "harness/model/sample.h"
#include "reports/render/summary.h"

/*
 * The score table on stdout and the failures outside the model on stderr,
 * from the results.json the run wrote (nothing when it wrote none).
 */
static void print_summary(const char *dir)
{
	char *path = path_join(dir, "results.json");
	cJSON *res = NULL;
	enum reval_err err = json_load_file(path, "results", &res);
	free(path);
	if (err)
		return;
	struct strbuf sb = STRBUF_INIT;
	summary_infra(&sb, res);
	if (sb.len)
		fputs(sb.buf, stderr);
	strbuf_reset(&sb);
	summary_scores(&sb, res);
	fputs(sb.buf, stdout);
	strbuf_release(&sb);
	cJSON_Delete(res);
}

void cmd_print_run_outputs(const char *dir)
{
	print_summary(dir);
	printf("results: %s/results.json\n", dir);
	printf("table:   %s/results.csv\n", dir);
	printf("samples: %s/samples.jsonl\n", dir);
}

/* The command line as a shell would take it back: "reval run" and each argument quoted. */
static char *command_line(int argc, char **argv)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "reval");
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		strbuf_addch(&sb, ' ');
		if (*a && strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
				    "-_./=:,@%+") == strlen(a)) {
			strbuf_adds(&sb, a);
			continue;
		}
		strbuf_addch(&sb, '\'');
		for (; *a; a++) {
			if (*a == '\'')
				strbuf_adds(&sb, "'\\''");
			else
				strbuf_addch(&sb, *a);
		}
		strbuf_addch(&sb, '\'');
	}
	return strbuf_detach(&sb);
}

enum reval_err cmd_run(int argc, char **argv)
{
	struct config cfg;
	struct run r;
	char **pos;
	int npos;
	config_init(&cfg);
	enum reval_err err = config_parse_args(&cfg, "run", argc, argv, &pos, &npos);
	if (!err && npos) {
		diag("unexpected argument '%s' (see 'reval help run')", pos[0]);
		err = RV_EUSAGE;
	}
	if (!err)
		err = config_finish(&cfg);
	memset(&r, 0, sizeof(r));
	if (!err && !cfg.out) {
		diag("no run directory: --out DIR");
		err = RV_EUSAGE;
	}
	if (!err)
		err = run_setup(&r, &cfg);
	if (!err)
		preset_announce(&cfg);
	char *command = command_line(argc, argv);
	r.command = command;
	if (!err)
		err = run_execute(&r);
	if (!err || err == RV_EPARTIAL || err == RV_EINTERRUPTED)
		cmd_print_run_outputs(r.dir);
	run_release(&r);
	free(command);
	config_release(&cfg);
	free(pos);
	return err;
}
