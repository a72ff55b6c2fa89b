/*
 * regex: extract the answer with a PCRE2 pattern from the task file, then
 * compare it with the gold as the exact grader would.
 *
 * Options: "pattern" (required), "flags" ("i", "s", "m"), "match": "last"
 * (default) or "first", "group": capture group number (default 1 when the
 * pattern has groups, else 0), "fold_case", "collapse_space", "strip_end".
 */
#include <stdlib.h>
#include <string.h>

#include "graders/grader.h"
#include "harness/base/re.h"
#include "graders/textnorm.h"

struct regex_state {
	struct re *re;
	int group;
	int last;
	struct textnorm tn;
	char *strip_end;
};

static int regex_init(void **state, const cJSON *opts, struct strbuf *err)
{
	const cJSON *pat = cJSON_GetObjectItemCaseSensitive(opts, "pattern");
	const cJSON *flags = cJSON_GetObjectItemCaseSensitive(opts, "flags");
	const cJSON *match = cJSON_GetObjectItemCaseSensitive(opts, "match");
	const cJSON *group = cJSON_GetObjectItemCaseSensitive(opts, "group");
	const cJSON *strip = cJSON_GetObjectItemCaseSensitive(opts, "strip_end");
	if (!cJSON_IsString(pat)) {
		strbuf_adds(err, "grader \"regex\" needs a string option \"pattern\"");
		return 1;
	}
	if (match && (!cJSON_IsString(match) || (strcmp(match->valuestring, "first") &&
						  strcmp(match->valuestring, "last")))) {
		strbuf_adds(err, "option \"match\" must be \"first\" or \"last\"");
		return 1;
	}
	struct re *re = re_compile(pat->valuestring, cJSON_IsString(flags) ? flags->valuestring : "",
				   err);
	if (!re)
		return 1;
	struct regex_state *st = xcalloc(1, sizeof(*st));
	st->re = re;
	st->last = !match || !strcmp(match->valuestring, "last");
	st->group = re_groups(re) > 0 ? 1 : 0;
	if (group) {
		if (!cJSON_IsNumber(group) || group->valueint < 0 || group->valueint > re_groups(re)) {
			strbuf_addf(err, "option \"group\" must be between 0 and %d", re_groups(re));
			re_free(re);
			free(st);
			return 1;
		}
		st->group = group->valueint;
	}
	const cJSON *fc = cJSON_GetObjectItemCaseSensitive(opts, "fold_case");
	const cJSON *cs = cJSON_GetObjectItemCaseSensitive(opts, "collapse_space");
	st->tn.fold_case = cJSON_IsTrue(fc);
	st->tn.collapse_space = cs ? cJSON_IsTrue(cs) : 1;
	st->strip_end = cJSON_IsString(strip) ? xstrdup(strip->valuestring) : NULL;
	st->tn.strip_end = st->strip_end;
	*state = st;
	return 0;
}

static int regex_grade(void *state, const struct grade_input *in, struct grade *out)
{
	struct regex_state *st = state;
	struct strview subject = sv_from(in->content);
	struct strview groups[10], found = {NULL, 0};
	int n = st->group + 1 > 10 ? 10 : st->group + 1;
	size_t off = 0;
	while (re_next(st->re, subject, &off, groups, n)) {
		if (groups[st->group].ptr)
			found = groups[st->group];
		if (!st->last && found.ptr)
			break;
	}
	if (!found.ptr) {
		out->status = GRADE_NO_ANSWER;
		out->reason = xstrdup("the pattern did not match");
		return 0;
	}
	char *pred = textnorm_apply(&st->tn, found);
	char *gold = textnorm_apply(&st->tn, sv_from(in->gold));
	out->status = GRADE_OK;
	out->correct = !strcmp(pred, gold);
	out->score = out->correct;
	out->extracted = sv_dup(found);
	out->canonical = pred;
	free(gold);
	return 0;
}

static void regex_free(void *state)
{
	struct regex_state *st = state;
	if (!st)
		return;
	re_free(st->re);
	free(st->strip_end);
	free(st);
}

const struct grader_ops grader_regex = {
	.name = "regex",
	.version = "1",
	.init = regex_init,
	.grade = regex_grade,
	.free = regex_free,
};
