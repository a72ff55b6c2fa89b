/* check: the engine of `reval check math`; see check.h. */
#include "graders/math/check.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "harness/base/json.h"
#include "graders/math/judge.h"
#include "harness/base/util.h"

void check_math_stats_release(struct check_math_stats *st)
{
	for (size_t k = 0; k < st->ncat; k++)
		free(st->cat[k].name);
	free(st->cat);
	memset(st, 0, sizeof(*st));
}

static struct check_math_cat *category(struct check_math_stats *st, const char *name)
{
	for (size_t k = 0; k < st->ncat; k++)
		if (!strcmp(st->cat[k].name, name))
			return &st->cat[k];
	GROW(st->cat, st->capcat, st->ncat + 1);
	struct check_math_cat *c = &st->cat[st->ncat++];
	memset(c, 0, sizeof(*c));
	c->name = xstrdup(name);
	return c;
}

static const char *str_field(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void tally(struct check_math_stats *st, const char *cat, int correct, int expected)
{
	struct check_math_cat *c = category(st, cat ? cat : "uncategorised");
	st->labelled++;
	c->total++;
	if (correct == expected) {
		st->agree++;
		c->agree++;
	} else if (correct) {
		st->false_pos++;
		c->false_pos++;
	} else {
		st->false_neg++;
		c->false_neg++;
	}
}

static int emit(FILE *out, const cJSON *id, const struct math_verdict *v)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "id", cJSON_Duplicate(id, 1));
	cJSON_AddBoolToObject(o, "correct", v->correct);
	if (v->extracted)
		cJSON_AddStringToObject(o, "extracted", v->extracted);
	else
		cJSON_AddNullToObject(o, "extracted");
	if (v->canonical)
		cJSON_AddStringToObject(o, "canonical", v->canonical);
	else
		cJSON_AddNullToObject(o, "canonical");
	cJSON_AddStringToObject(o, "status", v->no_answer ? "no_answer" : v->undecided ? "undecided" : "ok");
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!s)
		die("out of memory");
	int rc = fprintf(out, "%s\n", s) < 0;
	free(s);
	return rc;
}

static void summarise(FILE *f, const char *path, const struct check_math_stats *st)
{
	fprintf(f, "math check '%s': %d cases, %d labelled\n", path, st->cases, st->labelled);
	if (!st->labelled)
		return;
	fprintf(f, "accuracy %.2f%% (%d/%d), false positives %d, false negatives %d\n",
		100.0 * st->agree / st->labelled, st->agree, st->labelled, st->false_pos, st->false_neg);
	for (size_t k = 0; k < st->ncat; k++) {
		const struct check_math_cat *c = &st->cat[k];
		fprintf(f, "  %-28s %4d/%-4d  fp %d  fn %d\n", c->name, c->agree, c->total, c->false_pos,
			c->false_neg);
	}
}

static enum reval_err judge_line(const char *path, size_t lineno, const char *line, FILE *out,
				 struct check_math_stats *st)
{
	cJSON *o = json_parse_len(line, strlen(line));
	enum reval_err err = RV_EINPUT;
	if (!o || !cJSON_IsObject(o)) {
		diag("cannot read '%s' line %zu: not a JSON object", path, lineno);
		goto out;
	}
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
	const char *gold = str_field(o, "gold"), *pred = str_field(o, "pred");
	const char *kind = str_field(o, "pred_kind");
	const cJSON *expected = cJSON_GetObjectItemCaseSensitive(o, "expected");
	if (!id || !(cJSON_IsString(id) || cJSON_IsNumber(id))) {
		diag("cannot read '%s' line %zu: missing field \"id\"", path, lineno);
		goto out;
	}
	if (!gold || !pred) {
		diag("cannot read '%s' line %zu: missing field \"%s\"", path, lineno, gold ? "pred" : "gold");
		goto out;
	}
	if (kind && strcmp(kind, "answer") && strcmp(kind, "full_output")) {
		diag("cannot read '%s' line %zu: \"pred_kind\" must be \"answer\" or \"full_output\"", path, lineno);
		goto out;
	}
	if (expected && !cJSON_IsBool(expected)) {
		diag("cannot read '%s' line %zu: \"expected\" must be true or false", path, lineno);
		goto out;
	}
	struct math_opts opts;
	math_opts_from_case(&opts, cJSON_GetObjectItemCaseSensitive(o, "config"));
	struct math_checker *c = math_checker_new(&opts);
	struct math_verdict v;
	math_judge(c, gold, pred, kind && !strcmp(kind, "full_output"), &v);
	math_checker_free(c);
	st->cases++;
	if (expected)
		tally(st, str_field(o, "category"), v.correct, cJSON_IsTrue(expected));
	err = RV_OK;
	if (out && emit(out, id, &v)) {
		diag("cannot write the results: %s", strerror(errno));
		err = RV_EIO;
	}
	math_verdict_release(&v);
out:
	cJSON_Delete(o);
	return err;
}

enum reval_err check_math_file(const char *path, FILE *out, FILE *summary, struct check_math_stats *st)
{
	char *data = NULL, why[128];
	size_t len = 0;
	if (read_text_file(path, CHECK_MATH_MAX_FILE, &data, &len, why, sizeof(why))) {
		diag("cannot read '%s': %s", path, why);
		return RV_EINPUT;
	}
	enum reval_err err = RV_OK;
	struct lines it;
	struct strview line;
	lines_init(&it, data, len);
	while (!err && lines_next(&it, &line))
		if (sv_trim(line).len)
			err = judge_line(path, it.no, line.ptr, out, st);
	free(data);
	if (!err && summary)
		summarise(summary, path, st);
	return err;
}
