/*
 * reval tasks: list the tasks with their sizes and defaults, verify the
 * bundled data, check one task file, or print every grader's options.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cli/cmd.h"
#include "harness/pipeline/grading.h"
#include "harness/pipeline/config.h"
#include "harness/base/json.h"
#include "harness/base/sha256.h"
#include "harness/model/task.h"
#include "graders/grader.h"
#include "graders/options.h"

#define SUMS_MAX_FILE (16u << 20) /* bytes of SHA256SUMS accepted */

static enum reval_err verify(const char *data_dir)
{
	char *sums = path_join(data_dir, "SHA256SUMS"), *text, why[128];
	size_t len;
	if (read_text_file(sums, SUMS_MAX_FILE, &text, &len, why, sizeof(why))) {
		diag("cannot read checksum list '%s': %s", sums, why);
		free(sums);
		return RV_EINPUT;
	}
	long ok = 0, bad = 0;
	enum reval_err err = RV_OK;
	struct lines it;
	struct strview l;
	lines_init(&it, text, len);
	while (lines_next(&it, &l)) {
		if (!sv_trim(l).len)
			continue;
		char want[65], name[4096];
		if (sscanf(l.ptr, "%64s %4095[^\n]", want, name) != 2 || strlen(want) != 64) {
			diag("cannot read checksum list '%s' line %zu: want \"SHA256  PATH\"", sums,
			     it.no);
			err = RV_EINPUT;
			break;
		}
		const char *rel = name[0] == '*' || name[0] == ' ' ? name + 1 : name;
		char *path = path_join(data_dir, rel), have[65];
		int e = sha256_file(path, have);
		if (e) {
			printf("MISSING  %s (%s)\n", rel, strerror(e));
			bad++;
		} else if (strcmp(have, want)) {
			printf("CHANGED  %s\n", rel);
			bad++;
		} else {
			ok++;
		}
		free(path);
	}
	free(text);
	free(sums);
	if (err)
		return err;
	printf("%ld files verified, %ld bad\n", ok, bad);
	return bad ? RV_EFAIL : RV_OK;
}

static void fmt_num(char *out, size_t n, double v)
{
	if (isnan(v))
		snprintf(out, n, "-");
	else
		snprintf(out, n, "%g", v);
}

/*
 * The listing as a table: every row is kept until the end so that each
 * column is as wide as its widest cell (a 50-character subtask id does not
 * push the rest of its row out of line).  Numbers are right-aligned.
 */
#define NCOLS 8
static const char *const heads[NCOLS] = {"TASK",  "PROBLEMS", "GRADER", "N",
					 "TEMP",  "TOP_P",    "MAXTOK", "METRICS"};
static const int right[NCOLS] = {0, 1, 0, 1, 1, 1, 1, 0};

struct table {
	char **cells; /* NCOLS per row, owned */
	size_t nrows, cap;
};

static void table_add(struct table *tb, char *const *row)
{
	GROW(tb->cells, tb->cap, (tb->nrows + 1) * NCOLS);
	for (int c = 0; c < NCOLS; c++)
		tb->cells[tb->nrows * NCOLS + c] = xstrdup(row[c]);
	tb->nrows++;
}

static void table_print(struct table *tb)
{
	size_t w[NCOLS];
	for (int c = 0; c < NCOLS; c++) {
		w[c] = strlen(heads[c]);
		for (size_t r = 0; r < tb->nrows; r++) {
			size_t len = strlen(tb->cells[r * NCOLS + c]);
			w[c] = len > w[c] ? len : w[c];
		}
	}
	for (size_t r = 0; r <= tb->nrows; r++) {
		for (int c = 0; c < NCOLS; c++) {
			const char *cell = r ? tb->cells[(r - 1) * NCOLS + c] : heads[c];
			if (c == NCOLS - 1)
				printf("%s\n", cell);
			else
				printf(right[c] ? "%*s  " : "%-*s  ", (int)w[c], cell);
		}
	}
	for (size_t i = 0; i < tb->nrows * NCOLS; i++)
		free(tb->cells[i]);
	free(tb->cells);
}

/* "avg@N pass@K... cons@K...", the metrics a task reports by default. */
static void metrics_text(const struct task *t, struct strbuf *m)
{
	strbuf_addf(m, "avg@%d", t->sampling.n);
	for (size_t k = 0; k < t->npass_k; k++)
		strbuf_addf(m, " pass@%d", t->pass_k[k]);
	for (size_t k = 0; k < t->ncons_k; k++)
		strbuf_addf(m, " cons@%d", t->cons_k[k]);
}

/* One row; returns non-zero when the task's data cannot be loaded. */
static int list_task(struct task *t, const struct task_catalog *cat, struct table *tb)
{
	char probs[32], temp[32], topp[32], maxtok[32];
	const cJSON *us = cJSON_GetObjectItemCaseSensitive(t->def, "user_supplied");
	int bad = 0;
	if (us) {
		snprintf(probs, sizeof(probs), "yours");
	} else if (!grading_bind(t) && !task_load(t, cat, NULL)) {
		snprintf(probs, sizeof(probs), "%zu", t->nproblems);
	} else {
		snprintf(probs, sizeof(probs), "ERROR");
		bad = 1;
	}
	fmt_num(temp, sizeof(temp), t->sampling.temperature);
	fmt_num(topp, sizeof(topp), t->sampling.top_p);
	if (t->sampling.max_tokens < 0)
		snprintf(maxtok, sizeof(maxtok), "-");
	else
		snprintf(maxtok, sizeof(maxtok), "%ld", t->sampling.max_tokens);
	struct strbuf m = STRBUF_INIT;
	metrics_text(t, &m);
	char n[16];
	snprintf(n, sizeof(n), "%d", t->sampling.n);
	char *const row[NCOLS] = {t->id, probs, t->grader_name, n, temp, topp, maxtok,
				  m.buf};
	table_add(tb, row);
	strbuf_release(&m);
	return bad;
}

/*
 * Every grader's options, from the tables the graders read them with
 * (graders/options.h): docs/custom-tasks.md holds this text verbatim.
 */
static enum reval_err grader_options(void)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; grader_table[i]; i++) {
		const struct grader_ops *g = grader_table[i];
		strbuf_addf(&sb, "%s### `%s`\n\n", i ? "\n" : "", g->name);
		if (g->noptions)
			grader_options_markdown(g->options, g->noptions, &sb);
		else
			strbuf_adds(&sb, "No options.\n");
	}
	int bad = fputs(sb.buf, stdout) < 0 || fflush(stdout);
	strbuf_release(&sb);
	return bad ? RV_EIO : RV_OK;
}

/*
 * reval tasks --check FILE: load one task file as a run would (its shape,
 * grader and options, dataset and prompts, against the catalogue for a
 * clashing id) and report every error found, each naming the file and the
 * key or the dataset line; on success one line of what it defines.
 */
static enum reval_err check_file(const char *path, const char *extra_dir)
{
	if (!task_spec_is_path(path)) {
		diag("reval tasks --check: '%s' is not a task file (a path ending in .json)", path);
		return RV_EUSAGE;
	}
	struct task_catalog cat;
	enum reval_err err = task_catalog_open(&cat, extra_dir, NULL);
	cat.every_error = 1;
	if (!err)
		err = task_catalog_add_file(&cat, path);
	struct task **tasks = NULL;
	size_t ntasks = 0, problems = 0;
	int yours = 0;
	if (!err)
		err = task_select(&cat, path, &tasks, &ntasks);
	for (size_t i = 0; !err && i < ntasks; i++) {
		/* The grader and the data are checked both, whichever fails first. */
		enum reval_err terr = grading_bind(tasks[i]), lerr = RV_OK;
		if (cJSON_GetObjectItemCaseSensitive(tasks[i]->def, "user_supplied"))
			yours = 1; /* data the user passes at run time: nothing to read here */
		else
			lerr = task_load(tasks[i], &cat, NULL);
		if (!terr)
			terr = lerr;
		problems += tasks[i]->nproblems;
		if (terr && !err)
			err = terr;
		/* Subtasks share the grader and data: one of them failing says it all. */
		if (terr && ntasks > 1)
			break;
	}
	if (!err && cat.errors)
		err = RV_EINPUT;
	if (!err) {
		const struct task *t = tasks[0];
		struct strbuf m = STRBUF_INIT;
		metrics_text(t, &m);
		if (ntasks == 1)
			printf("%s: ok: task %s, grader %s, ", path, t->id, t->grader_name);
		else
			printf("%s: ok: %zu tasks %s ... %s, grader %s, ", path, ntasks, t->id,
			       tasks[ntasks - 1]->id, t->grader_name);
		if (yours)
			printf("problems from --user-data, ");
		else
			printf("%zu problems, ", problems);
		printf("metrics %s\n", m.buf);
		strbuf_release(&m);
	}
	for (size_t i = 0; i < ntasks; i++)
		task_free(tasks[i]);
	free(tasks);
	task_catalog_release(&cat);
	return err;
}

/* Take a switch of this command's own out of argv; its value, if it takes one, into *val. */
static int take_switch(int *argc, char **argv, const char *name, const char **val,
		       enum reval_err *err)
{
	for (int i = 1; i < *argc; i++) {
		if (strcmp(argv[i], name))
			continue;
		int n = val ? 2 : 1;
		if (val && i + 1 >= *argc) {
			diag("%s wants a value (see 'reval help tasks')", name);
			*err = RV_EUSAGE;
			return 0;
		}
		if (val)
			*val = argv[i + 1];
		memmove(&argv[i], &argv[i + n], (size_t)(*argc - i - n + 1) * sizeof(char *));
		*argc -= n;
		return 1;
	}
	return 0;
}

enum reval_err cmd_tasks(int argc, char **argv)
{
	struct config cfg;
	char **pos = NULL;
	int npos = 0;
	const char *check = NULL;
	enum reval_err err = RV_OK;
	config_init(&cfg);
	/* These are this command's own switches; everything else goes through the table. */
	int do_verify = take_switch(&argc, argv, "--verify", NULL, &err);
	int do_options = take_switch(&argc, argv, "--grader-options", NULL, &err);
	take_switch(&argc, argv, "--check", &check, &err);
	if (!err)
		err = config_parse_args(&cfg, "tasks", argc, argv, &pos, &npos);
	if (!err && (do_verify + do_options + !!check > 1 ||
		     ((do_options || check) && npos))) {
		diag("reval tasks: --verify, --check FILE and --grader-options go alone (see 'reval "
		     "help tasks')");
		err = RV_EUSAGE;
	}
	char *data = task_find_data_dir(cfg.data_dir);
	if (!err && do_verify) {
		err = verify(data);
		goto out;
	}
	if (!err && do_options) {
		err = grader_options();
		goto out;
	}
	if (!err && check) {
		err = check_file(check, cfg.data_dir);
		goto out;
	}
	struct task_catalog cat;
	struct strbuf spec = STRBUF_INIT;
	for (int i = 0; i < npos; i++)
		strbuf_addf(&spec, "%s%s", i ? "," : "", pos[i]);
	if (!err && (err = task_catalog_open(&cat, cfg.data_dir, spec.buf)))
		task_catalog_release(&cat);
	strbuf_release(&spec);
	if (err)
		goto out;
	struct strbuf names = STRBUF_INIT;
	for (size_t i = 0; i < cat.ndefs; i++)
		strbuf_addf(&names, "%s%s", i ? "," : "", json_str(cat.defs[i], "id"));
	if (npos) {
		strbuf_reset(&names);
		for (int i = 0; i < npos; i++)
			strbuf_addf(&names, "%s%s", i ? "," : "", pos[i]);
	}
	struct table tb = {0};
	/* One task at a time, so one broken task file does not hide the others. */
	char *save = NULL;
	for (char *name = strtok_r(names.buf, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		struct task **tasks = NULL;
		size_t ntasks = 0;
		enum reval_err terr = task_select(&cat, name, &tasks, &ntasks);
		if (terr) {
			err = terr;
			continue;
		}
		for (size_t i = 0; i < ntasks; i++) {
			if (list_task(tasks[i], &cat, &tb))
				err = RV_EINPUT;
			task_free(tasks[i]);
		}
		free(tasks);
	}
	table_print(&tb);
	strbuf_release(&names);
	task_catalog_release(&cat);
out:
	free(data);
	free(pos);
	config_release(&cfg);
	return err;
}
