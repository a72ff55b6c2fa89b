/*
 * exact: the normalised final answer equals the normalised gold.
 *
 * Options (all optional):
 *   "after": "So the answer is "  take the text after the last marker; when
 *                                   the marker is missing the whole content is
 *                                   the answer (as BIG-Bench Hard's scorer does)
 *                                   unless "require_marker" is true
 *   "strip_end": "."               characters dropped from the end
 *   "fold_case": false, "collapse_space": true
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "graders/grader.h"
#include "graders/options.h"
#include "graders/textnorm.h"

/* The task's options, read through exact_options. */
struct exact_settings {
	char *after;
	char *strip_end;
	int require_marker;
	int fold_case;
	int collapse_space;
};

#define SET(f) offsetof(struct exact_settings, f)
static const struct grader_option exact_options[] = {
	{.name = "after", .type = GOPT_STRING, .off = SET(after), .def = "none",
	 .help = "take the text after the last occurrence of this marker"},
	{.name = "require_marker", .type = GOPT_BOOL, .off = SET(require_marker), .def = "false",
	 .help = "without the marker there is no answer (else the whole content is the answer)"},
	{.name = "strip_end", .type = GOPT_STRING, .off = SET(strip_end), .def = "none",
	 .help = "characters dropped from the end"},
	{.name = "fold_case", .type = GOPT_BOOL, .off = SET(fold_case), .def = "false",
	 .help = "compare case-insensitively"},
	{.name = "collapse_space", .type = GOPT_BOOL, .off = SET(collapse_space), .def = "true",
	 .help = "runs of white space compare as one space"},
};
#undef SET

struct exact_state {
	struct exact_settings set;
	struct textnorm tn;
};

static void exact_free(void *state)
{
	struct exact_state *st = state;
	if (!st)
		return;
	grader_options_release(exact_options, ARRAY_SIZE(exact_options), &st->set);
	free(st);
}

static int exact_init(void **state, const cJSON *opts, struct strbuf *err)
{
	struct exact_state *st = xcalloc(1, sizeof(*st));
	st->set.collapse_space = 1;
	if (grader_options_read(exact_options, ARRAY_SIZE(exact_options), opts, &st->set, err)) {
		exact_free(st);
		return 1;
	}
	st->tn.fold_case = st->set.fold_case;
	st->tn.collapse_space = st->set.collapse_space;
	st->tn.strip_end = st->set.strip_end;
	*state = st;
	return 0;
}

static int exact_grade(void *state, const struct grade_input *in, struct grade *out)
{
	struct exact_state *st = state;
	struct strview v = sv_from(in->content);
	if (st->set.after) {
		int found;
		v = text_after_last(v, st->set.after, &found);
		if (!found && st->set.require_marker) {
			out->status = GRADE_NO_ANSWER;
			out->reason = xasprintf("no \"%s\" in the output", st->set.after);
			return 0;
		}
	}
	char *pred = textnorm_apply(&st->tn, v);
	char *gold = textnorm_apply(&st->tn, sv_from(in->gold));
	out->status = *pred ? GRADE_OK : GRADE_NO_ANSWER;
	out->correct = *pred && !strcmp(pred, gold);
	out->score = out->correct;
	out->extracted = sv_dup(sv_trim(v));
	out->canonical = *pred ? pred : NULL;
	if (!*pred)
		free(pred);
	free(gold);
	return 0;
}

const struct grader_ops grader_exact = {
	.name = "exact",
	.version = "1",
	.init = exact_init,
	.grade = exact_grade,
	.free = exact_free,
	.options = exact_options,
	.noptions = ARRAY_SIZE(exact_options),
};
