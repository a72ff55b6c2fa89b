/*
 * reval gate: compare a candidate run with a baseline and set the exit
 * code (0 pass, 1 regression, 2 usage or input error).  The decision is
 * reports/results/gate.c's; this file reads flags, loads the two runs and writes
 * the table to stdout, --md, --junit and $GITHUB_STEP_SUMMARY.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cli/cmd.h"
#include "harness/cli/cmdopt.h"
#include "reports/results/gate.h"
#include "reports/render/junit.h"
#include "reports/render/markdown.h"
#include "reports/results/runset.h"
#include "harness/base/outfile.h"
#include "harness/base/util.h"

struct gate_args {
	const char *baseline;
	const char *candidate;
	struct cmdopt_list tasks;
	struct cmdopt_list floors;
	struct cmdopt_list drops;
	double alpha;
	double max_infra;
	const char *junit;
	const char *md;
	int force;
};

#define GATE_OPTS(a)                                                                               \
	{                                                                                          \
		{"baseline", CMDOPT_STR, &(a).baseline, "DIR", "the reference run directory", 0},  \
		{"candidate", CMDOPT_STR, &(a).candidate, "DIR", "the run under test", 0},         \
		{"task", CMDOPT_LIST, &(a).tasks, "T[,T...]",                                      \
		 "gate only these tasks (default: every task of the baseline)", 1},                \
		{"max-drop", CMDOPT_LIST, &(a).drops, "[TASK:]POINTS",                             \
		 "tolerated drop in percentage points (default 1.0); TASK: for one task "         \
		 "(repeatable)", 0},                                                               \
		{"alpha", CMDOPT_DOUBLE, &(a).alpha, "A",                                          \
		 "significance level of the one-sided paired test (default 0.05)", 0},             \
		{"min", CMDOPT_LIST, &(a).floors, "[TASK:]METRIC=V",                               \
		 "absolute floor, e.g. avg@8=0.5 or aime24:pass@1=40% (repeatable)", 0},           \
		{"max-infra-errors", CMDOPT_DOUBLE, &(a).max_infra, "RATE",                        \
		 "tolerated fraction of infrastructure failures in the candidate (default 0)", 0}, \
		{"junit", CMDOPT_STR, &(a).junit, "F", "also write JUnit XML, one test case per task", \
		 0},                                                                               \
		{"md", CMDOPT_STR, &(a).md, "F", "also write the Markdown table to a file", 0},    \
		{"force", CMDOPT_FLAG, &(a).force, NULL,                                           \
		 "compare even when tasks, datasets, graders or sampling differ", 0},              \
	}

void cmd_gate_options(void)
{
	struct gate_args a;
	const struct cmdopt opts[] = GATE_OPTS(a);
	cmdopt_print_help(opts, ARRAY_SIZE(opts));
}

static enum reval_err append_file(const char *path, const struct strbuf *sb)
{
	FILE *f = fopen(path, "a");
	if (!f || fwrite(sb->buf, 1, sb->len, f) != sb->len || fputc('\n', f) == EOF) {
		diag("cannot append to '%s': %s", path, strerror(errno));
		if (f)
			fclose(f);
		return RV_EIO;
	}
	if (fclose(f)) {
		diag("cannot append to '%s': %s", path, strerror(errno));
		return RV_EIO;
	}
	return RV_OK;
}

static enum reval_err check_args(const struct gate_args *a, int npos)
{
	if (npos) {
		diag("'reval gate' takes no positional arguments; use --baseline and --candidate");
		return RV_EUSAGE;
	}
	if (!a->baseline || !a->candidate) {
		diag("'reval gate' needs --baseline DIR and --candidate DIR");
		return RV_EUSAGE;
	}
	if (!(a->alpha > 0 && a->alpha < 1)) {
		diag("--alpha must be between 0 and 1");
		return RV_EUSAGE;
	}
	if (!(a->max_infra >= 0 && a->max_infra <= 1)) {
		diag("--max-infra-errors must be a fraction from 0 to 1");
		return RV_EUSAGE;
	}
	return RV_OK;
}

static enum reval_err write_outputs(const struct gate_args *a, const struct gate_result *g)
{
	struct strbuf md = STRBUF_INIT;
	enum reval_err err = RV_OK;
	markdown_gate(&md, g);
	fputs(md.buf, stdout);
	if (fflush(stdout)) {
		diag("cannot write to stdout: %s", strerror(errno));
		err = RV_EIO;
	}
	if (!err && a->md)
		err = outfile_write(a->md, md.buf, md.len);
	if (!err && a->junit)
		err = junit_write_gate(a->junit, g);
	const char *summary = getenv("GITHUB_STEP_SUMMARY");
	if (!err && summary && *summary)
		err = append_file(summary, &md);
	strbuf_release(&md);
	return err;
}

enum reval_err cmd_gate(int argc, char **argv)
{
	struct gate_args a;
	memset(&a, 0, sizeof(a));
	a.alpha = GATE_DEFAULT_ALPHA;
	const struct cmdopt opts[] = GATE_OPTS(a);
	struct gate_opts go;
	struct gate_result g;
	struct runset rs;
	struct runset_opts ro = {0, 0, 0};
	memset(&go, 0, sizeof(go));
	memset(&g, 0, sizeof(g));
	memset(&rs, 0, sizeof(rs));
	char **pos = NULL;
	int npos = 0;
	enum reval_err err = cmdopt_parse(opts, ARRAY_SIZE(opts), "gate", argc, argv, &pos, &npos);
	if (!err)
		err = check_args(&a, npos);
	if (err)
		goto out;
	go.floors = xcalloc(a.floors.n + 1, sizeof(struct gate_floor));
	for (size_t i = 0; i < a.floors.n && !err; i++)
		if (!(err = gate_parse_floor(a.floors.v[i], &go.floors[i])))
			go.nfloors++;
	if (err)
		goto out;
	go.max_drop = GATE_DEFAULT_MAX_DROP;
	go.drops = xcalloc(a.drops.n + 1, sizeof(struct gate_drop));
	int have_default = 0;
	for (size_t i = 0; i < a.drops.n && !err; i++) {
		struct gate_drop d;
		if ((err = gate_parse_drop(a.drops.v[i], &d)))
			break;
		if (d.task) {
			go.drops[go.ndrops++] = d;
		} else if (have_default++) {
			diag("--max-drop without a task is given twice");
			err = RV_EUSAGE;
		} else {
			go.max_drop = d.points;
		}
	}
	if (err)
		goto out;
	go.tasks = (char **)a.tasks.v;
	go.ntasks = a.tasks.n;
	go.alpha = a.alpha;
	go.max_infra = a.max_infra;
	go.force = a.force;
	char *dirs[2] = {(char *)a.baseline, (char *)a.candidate};
	if ((err = runset_load(&rs, dirs, 2, &ro)))
		goto out;
	if ((err = gate_check(&rs.runs[0], &rs.runs[1], &go, &g)))
		goto out;
	if ((err = write_outputs(&a, &g)))
		goto out;
	if (g.failures) {
		static const char *const why[3] = {"regressed", "missed a --min floor",
						   "had too many infrastructure errors"};
		struct strbuf sb = STRBUF_INIT;
		for (int k = 0; k < 3; k++)
			if (g.failed_by[k])
				strbuf_addf(&sb, "%s%zu %s", sb.len ? ", " : "", g.failed_by[k],
					    why[k]);
		diag("gate failed against '%s': %zu of %zu tasks failed (%s)", a.baseline,
		     g.failures, g.ntasks, sb.buf);
		strbuf_release(&sb);
		err = RV_EREGRESS;
	}
out:
	gate_result_release(&g);
	runset_release(&rs);
	for (size_t i = 0; i < go.nfloors; i++) {
		free(go.floors[i].task);
		free(go.floors[i].metric);
	}
	free(go.floors);
	for (size_t i = 0; i < go.ndrops; i++)
		free(go.drops[i].task);
	free(go.drops);
	cmdopt_list_release(&a.tasks);
	cmdopt_list_release(&a.floors);
	cmdopt_list_release(&a.drops);
	free(pos);
	return err;
}
