/*
 * reval report: load run directories and write the reports asked for.
 * Each renderer in renderer_table is offered as a flag named after it
 * (--html F, --csv F, --problems-csv F, --md F); F "-" is stdout.  With no
 * output flag the Markdown summary goes to stdout.  When the runs' settings
 * differ, stderr says how (reports/results/settings.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cli/cmd.h"
#include "harness/cli/cmdopt.h"
#include "reports/render/leaderboard.h"
#include "reports/render/render.h"
#include "reports/results/runset.h"
#include "reports/results/settings.h"
#include "harness/base/outfile.h"
#include "harness/base/util.h"

#define MAX_RENDERERS 16

struct report_args {
	const char *out[MAX_RENDERERS]; /* output file per renderer, by table position */
	long max_failures;
	long clip;
	long text_budget;
};

static size_t build_opts(struct report_args *a, struct cmdopt *opts)
{
	size_t n = 0;
	for (size_t i = 0; renderer_table[i] && i < MAX_RENDERERS; i++)
		opts[n++] = (struct cmdopt){renderer_table[i]->name, CMDOPT_STR, &a->out[i], "F",
					    renderer_table[i]->help, 0};
	opts[n++] = (struct cmdopt){"max-failures", CMDOPT_LONG, &a->max_failures, "N",
				    "failing samples kept per problem for the drill-down, the "
				    "lowest-numbered (default 2)",
				    0};
	opts[n++] = (struct cmdopt){"clip", CMDOPT_LONG, &a->clip, "CHARS",
				    "keep at most this much of each text, head and tail (default 2000)",
				    0};
	opts[n++] = (struct cmdopt){"text-budget", CMDOPT_LONG, &a->text_budget, "BYTES",
				    "sample text in the HTML over all runs and tasks (default 1000000)", 0};
	return n;
}

void cmd_report_options(void)
{
	struct report_args a;
	struct cmdopt opts[MAX_RENDERERS + 4];
	size_t n = build_opts(&a, opts);
	cmdopt_print_help(opts, n);
}

/* Where the numbers come from: on stderr, each run whose settings differ from the first's. */
static void say_settings(const struct runset *rs, const struct setting_diffs *d)
{
	if (!d->n)
		return;
	diag("the runs differ in settings (each against the first, '%s'):", rs->runs[0].label);
	for (size_t r = 1; r < rs->nruns; r++) {
		struct strbuf sb = STRBUF_INIT;
		settings_describe_run(d, r, &sb);
		if (sb.len)
			diag("  '%s': %s", rs->runs[r].label, sb.buf);
		strbuf_release(&sb);
	}
}

enum reval_err cmd_report(int argc, char **argv)
{
	struct report_args a;
	memset(&a, 0, sizeof(a));
	a.max_failures = 2;
	a.clip = 2000;
	a.text_budget = 1000000;
	struct cmdopt opts[MAX_RENDERERS + 4];
	size_t nopts = build_opts(&a, opts);
	struct runset rs;
	struct leaderboard lb;
	struct setting_diffs settings = {0};
	memset(&rs, 0, sizeof(rs));
	memset(&lb, 0, sizeof(lb));
	char **pos = NULL;
	int npos = 0;
	enum reval_err err = cmdopt_parse(opts, nopts, "report", argc, argv, &pos, &npos);
	if (err)
		goto out;
	if (!npos) {
		diag("'reval report' needs at least one run directory");
		err = RV_EUSAGE;
		goto out;
	}
	if (a.max_failures > 100) {
		diag("--max-failures must be at most 100");
		err = RV_EUSAGE;
		goto out;
	}
	int any = 0, html = 0;
	for (size_t i = 0; renderer_table[i]; i++) {
		any |= a.out[i] != NULL;
		html |= a.out[i] && renderer_table[i] == &html_renderer;
	}
	struct runset_opts ro = {(int)a.max_failures, (size_t)a.clip, html};
	if (!html)
		ro.max_failures = 0; /* only the HTML shows samples */
	if ((err = runset_load(&rs, pos, (size_t)npos, &ro)))
		goto out;
	leaderboard_build(&lb, &rs);
	settings_compare(&rs, &settings);
	say_settings(&rs, &settings);
	struct report rep = {&rs, &lb, "", (size_t)a.text_budget, &settings};
	utc_timestamp(rep.generated);
	for (size_t i = 0; renderer_table[i] && !err; i++) {
		const char *path = a.out[i];
		if (!path && !any && renderer_table[i] == &md_renderer)
			path = "-";
		if (!path)
			continue;
		struct strbuf sb = STRBUF_INIT;
		renderer_table[i]->render(&rep, &sb);
		err = outfile_write(path, sb.buf, sb.len);
		strbuf_release(&sb);
	}
out:
	settings_diffs_release(&settings);
	leaderboard_release(&lb);
	runset_release(&rs);
	free(pos);
	return err;
}
