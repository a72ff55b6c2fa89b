/*
 * reval check GRADER: standalone cases for any registered grader without a
 * checker of its own (choice, exact, regex, rg).  Each line is {"id",
 * "gold", "pred"} with optional "record" (the dataset record the grader may
 * read) and "expected" (true/false); --options takes the grader options as
 * JSON.  One verdict line per case on stdout; with expectations, a summary
 * on stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cli/cmd.h"
#include "graders/grader.h"
#include "harness/base/json.h"

#define CHECK_GRADER_MAX_FILE (1u << 30) /* bytes of cases accepted */

struct check_counts {
	long cases, labelled, agree, false_pos, false_neg;
};

static enum reval_err check_line(const struct grader_ops *g, void *state, const char *path,
				 long lineno, const char *line, struct check_counts *n)
{
	cJSON *c = json_parse_len(line, strlen(line));
	const char *gold = json_str(c, "gold"), *pred = json_str(c, "pred");
	if (!cJSON_IsObject(c) || !gold || !pred) {
		diag("cannot read '%s' line %ld: %s", path, lineno,
		     cJSON_IsObject(c) ? "want string fields \"gold\" and \"pred\"" : "malformed JSON");
		cJSON_Delete(c);
		return RV_EINPUT;
	}
	struct grade_input in = {
		.problem_id = "case",
		.gold = gold,
		.record = cJSON_GetObjectItemCaseSensitive(c, "record"),
		.content = pred,
	};
	struct grade out = {0};
	if (g->grade(state, &in, &out)) {
		diag("grader '%s' failed on '%s' line %ld", g->name, path, lineno);
		cJSON_Delete(c);
		return RV_EINTERNAL;
	}
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "{\"id\":");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(c, "id");
	if (id)
		json_append(&sb, id);
	else
		strbuf_addf(&sb, "%ld", lineno);
	strbuf_addf(&sb, ",\"correct\":%s,\"status\":", out.correct ? "true" : "false");
	json_quote(&sb, grade_status_name(out.status));
	strbuf_adds(&sb, ",\"extracted\":");
	json_quote(&sb, out.extracted);
	strbuf_adds(&sb, ",\"canonical\":");
	json_quote(&sb, out.canonical);
	strbuf_adds(&sb, "}\n");
	fputs(sb.buf, stdout);
	strbuf_release(&sb);
	n->cases++;
	const cJSON *exp = cJSON_GetObjectItemCaseSensitive(c, "expected");
	if (cJSON_IsBool(exp)) {
		int want = cJSON_IsTrue(exp);
		n->labelled++;
		n->agree += want == out.correct;
		n->false_pos += out.correct && !want;
		n->false_neg += !out.correct && want;
	}
	grade_release(&out);
	cJSON_Delete(c);
	return RV_OK;
}

enum reval_err cmd_check_grader(const struct grader_ops *g, int argc, char **argv)
{
	const char *path = NULL, *options = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--in") && i + 1 < argc) {
			path = argv[++i];
		} else if (!strcmp(argv[i], "--options") && i + 1 < argc) {
			options = argv[++i];
		} else {
			diag("check %s: unknown argument '%s' (usage: reval check %s --in FILE.jsonl "
			     "[--options JSON])",
			     g->name, argv[i], g->name);
			return RV_EUSAGE;
		}
	}
	if (!path) {
		diag("usage: reval check %s --in FILE.jsonl [--options JSON]", g->name);
		return RV_EUSAGE;
	}
	cJSON *opts = options ? cJSON_Parse(options) : NULL;
	if (options && !cJSON_IsObject(opts)) {
		diag("check %s: --options wants a JSON object, not '%s'", g->name, options);
		cJSON_Delete(opts);
		return RV_EUSAGE;
	}
	void *state = NULL;
	struct strbuf msg = STRBUF_INIT;
	if (g->init(&state, opts, &msg)) {
		diag("check %s: bad grader options: %s", g->name, msg.buf);
		strbuf_release(&msg);
		cJSON_Delete(opts);
		return RV_EUSAGE;
	}
	strbuf_release(&msg);
	cJSON_Delete(opts);
	char *text, why[128];
	size_t len;
	if (read_text_file(path, CHECK_GRADER_MAX_FILE, &text, &len, why, sizeof(why))) {
		diag("cannot read '%s': %s", path, why);
		g->free(state);
		return RV_EINPUT;
	}
	struct check_counts n = {0};
	enum reval_err err = RV_OK;
	struct lines it;
	struct strview line;
	lines_init(&it, text, len);
	while (!err && lines_next(&it, &line))
		if (sv_trim(line).len)
			err = check_line(g, state, path, (long)it.no, line.ptr, &n);
	free(text);
	g->free(state);
	if (!err && fflush(stdout)) {
		diag("cannot write the verdicts: %s", strerror(errno));
		err = RV_EIO;
	}
	if (!err && n.labelled)
		fprintf(stderr,
			"reval: check %s: %ld cases; accuracy %.2f%% (%ld/%ld), false positives %ld, "
			"false negatives %ld\n",
			g->name, n.cases, 100.0 * (double)n.agree / (double)n.labelled, n.agree,
			n.labelled, n.false_pos, n.false_neg);
	return err;
}
