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
#include <stdlib.h>
#include <string.h>

#include "graders/grader.h"
#include "graders/textnorm.h"

struct exact_state {
	struct textnorm tn;
	char *after;
	char *strip_end;
	int require_marker;
};

static int opt_bool(const cJSON *opts, const char *key, int def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(opts, key);
	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : def;
}

static int exact_init(void **state, const cJSON *opts, struct strbuf *err)
{
	struct exact_state *st = xcalloc(1, sizeof(*st));
	const cJSON *after = cJSON_GetObjectItemCaseSensitive(opts, "after");
	const cJSON *strip = cJSON_GetObjectItemCaseSensitive(opts, "strip_end");
	if ((after && !cJSON_IsString(after)) || (strip && !cJSON_IsString(strip))) {
		strbuf_adds(err, "\"after\" and \"strip_end\" must be strings");
		free(st);
		return 1;
	}
	st->after = after ? xstrdup(after->valuestring) : NULL;
	st->strip_end = strip ? xstrdup(strip->valuestring) : NULL;
	st->require_marker = opt_bool(opts, "require_marker", 0);
	st->tn.fold_case = opt_bool(opts, "fold_case", 0);
	st->tn.collapse_space = opt_bool(opts, "collapse_space", 1);
	st->tn.strip_end = st->strip_end;
	*state = st;
	return 0;
}

static int exact_grade(void *state, const struct grade_input *in, struct grade *out)
{
	struct exact_state *st = state;
	struct strview v = sv_from(in->content);
	if (st->after) {
		int found;
		v = text_after_last(v, st->after, &found);
		if (!found && st->require_marker) {
			out->status = GRADE_NO_ANSWER;
			out->reason = xasprintf("no \"%s\" in the output", st->after);
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

static void exact_free(void *state)
{
	struct exact_state *st = state;
	if (!st)
		return;
	free(st->after);
	free(st->strip_end);
	free(st);
}

const struct grader_ops grader_exact = {
	.name = "exact",
	.version = "1",
	.init = exact_init,
	.grade = exact_grade,
	.free = exact_free,
};
