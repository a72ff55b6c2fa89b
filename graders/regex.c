/*
 * regex: extract the answer with a PCRE2 pattern from the task file, then
 * compare it with the gold as the exact grader would.
 *
 * Options: "pattern" (required), "flags" ("i", "s", "m"), "match": "last"
 * (default) or "first", "group": capture group number (default 1 when the
 * pattern has groups, else 0), "fold_case", "collapse_space", "strip_end".
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "graders/grader.h"
#include "graders/options.h"
#include "graders/textnorm.h"
#include "harness/base/re.h"

/* The task's options, read through regex_options. */
struct regex_settings {
	char *pattern;
	char *flags;
	int match_first; /* index in match_choices: 0 "last", 1 "first" */
	long group;	 /* -1: 1 when the pattern has groups, else 0 */
	int fold_case;
	int collapse_space;
	char *strip_end;
};

static const char *const match_choices[] = {"last", "first", NULL};

#define SET(f) offsetof(struct regex_settings, f)
static const struct grader_option regex_options[] = {
	{.name = "pattern", .type = GOPT_STRING, .off = SET(pattern), .def = "required",
	 .help = "PCRE2 pattern that finds the answer"},
	{.name = "flags", .type = GOPT_STRING, .off = SET(flags), .def = "none",
	 .help = "pattern flags: \"i\", \"s\", \"m\""},
	{.name = "match", .type = GOPT_ENUM, .off = SET(match_first), .def = "\"last\"",
	 .help = "which match counts", .choices = match_choices},
	{.name = "group", .type = GOPT_INT, .off = SET(group), .def = "1 with groups, else 0",
	 .help = "the capture group holding the answer", .min = 0, .max = 9},
	{.name = "fold_case", .type = GOPT_BOOL, .off = SET(fold_case), .def = "false",
	 .help = "compare case-insensitively"},
	{.name = "collapse_space", .type = GOPT_BOOL, .off = SET(collapse_space), .def = "true",
	 .help = "runs of white space compare as one space"},
	{.name = "strip_end", .type = GOPT_STRING, .off = SET(strip_end), .def = "none",
	 .help = "characters dropped from the end"},
};
#undef SET

struct regex_state {
	struct regex_settings set;
	struct re *re;
	int group;
	struct textnorm tn;
};

static void regex_free(void *state)
{
	struct regex_state *st = state;
	if (!st)
		return;
	re_free(st->re);
	grader_options_release(regex_options, ARRAY_SIZE(regex_options), &st->set);
	free(st);
}

static int regex_init(void **state, const cJSON *opts, struct strbuf *err)
{
	struct regex_state *st = xcalloc(1, sizeof(*st));
	st->set.group = -1;
	st->set.collapse_space = 1;
	if (grader_options_read(regex_options, ARRAY_SIZE(regex_options), opts, &st->set, err))
		goto fail;
	if (!st->set.pattern) {
		strbuf_adds(err, "grader \"regex\" needs a string option \"pattern\"");
		goto fail;
	}
	st->re = re_compile(st->set.pattern, st->set.flags ? st->set.flags : "", err);
	if (!st->re)
		goto fail;
	st->group = re_groups(st->re) > 0 ? 1 : 0;
	if (st->set.group >= 0) {
		if (st->set.group > re_groups(st->re)) {
			strbuf_addf(err, "option \"group\" must be between 0 and %d",
				    re_groups(st->re));
			goto fail;
		}
		st->group = (int)st->set.group;
	}
	st->tn.fold_case = st->set.fold_case;
	st->tn.collapse_space = st->set.collapse_space;
	st->tn.strip_end = st->set.strip_end;
	*state = st;
	return 0;
fail:
	regex_free(st);
	return 1;
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
		if (st->set.match_first && found.ptr)
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

const struct grader_ops grader_regex = {
	.name = "regex",
	.version = "1",
	.init = regex_init,
	.grade = regex_grade,
	.free = regex_free,
	.options = regex_options,
	.noptions = ARRAY_SIZE(regex_options),
};
