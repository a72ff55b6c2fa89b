/*
 * choice: multiple-choice letters.
 *
 * The gold is a letter, optionally in parentheses ("B", "(B)").  The letter
 * is taken from the final content, in this order of trust:
 *   1. the last \boxed{...} holding a single letter (possibly "(B)" or \text{B});
 *   2. the last "answer is X" / "Answer: X" phrasing, X possibly wrapped in
 *      parentheses or bold;
 *   3. a content that is only a letter ("B", "(B).", "**B**");
 *   4. the last parenthesised letter "(B)" in the content.
 * Only letters among the first "n_choices" (default 10: A-J) count, so the
 * pronoun "I" or a stray capital is never read as an answer when the task has
 * fewer choices.  The canonical vote is the letter.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "graders/grader.h"
#include "graders/options.h"
#include "harness/base/re.h"

struct choice_state {
	struct re *boxed;
	struct re *phrase;
	struct re *paren;
	char max_letter;
};

struct choice_settings {
	long n_choices;
};

static const struct grader_option choice_options[] = {
	{.name = "n_choices", .type = GOPT_INT, .off = offsetof(struct choice_settings, n_choices),
	 .def = "10", .help = "letters that count as answers: A up to the n-th", .min = 2, .max = 26},
};

static int choice_init(void **state, const cJSON *opts, struct strbuf *err)
{
	struct choice_settings set = {.n_choices = 10};
	if (grader_options_read(choice_options, ARRAY_SIZE(choice_options), opts, &set, err))
		return 1;
	struct choice_state *st = xcalloc(1, sizeof(*st));
	st->max_letter = (char)('A' + set.n_choices - 1);
	st->boxed = re_compile("\\\\boxed\\s*\\{\\s*(?:\\\\text\\{)?\\s*\\(?([A-Z])\\)?\\s*\\}?\\s*\\}",
			       "", err);
	st->phrase = re_compile("answer(?:\\s+is|\\s*:)\\s*[:\\s]*(?:\\*\\*|\\$)?\\s*(?:option\\s+)?"
				"\\(?([A-Z])\\)?(?![A-Za-z0-9])",
				"i", err);
	st->paren = re_compile("\\(([A-Z])\\)", "", err);
	if (!st->boxed || !st->phrase || !st->paren) {
		re_free(st->boxed);
		re_free(st->phrase);
		re_free(st->paren);
		free(st);
		return 1;
	}
	*state = st;
	return 0;
}

/* The last match of re whose letter is a valid choice, or 0. */
static char last_letter(const struct choice_state *st, const struct re *re, struct strview s)
{
	struct strview g[2];
	size_t off = 0;
	char found = 0;
	while (re_next(re, s, &off, g, 2)) {
		if (g[1].len != 1)
			continue;
		char c = (char)toupper((unsigned char)g[1].ptr[0]);
		if (c >= 'A' && c <= st->max_letter)
			found = c;
	}
	return found;
}

static char bare_letter(const struct choice_state *st, struct strview v)
{
	v = sv_trim(v);
	while (v.len && strchr("*($`", v.ptr[0])) {
		v.ptr++;
		v.len--;
	}
	while (v.len && strchr("*).$`", v.ptr[v.len - 1]))
		v.len--;
	v = sv_trim(v);
	if (v.len == 1 && v.ptr[0] >= 'A' && v.ptr[0] <= st->max_letter)
		return v.ptr[0];
	return 0;
}

static int choice_grade(void *state, const struct grade_input *in, struct grade *out)
{
	struct choice_state *st = state;
	struct strview s = sv_from(in->content);
	char c = last_letter(st, st->boxed, s);
	if (!c)
		c = last_letter(st, st->phrase, s);
	if (!c)
		c = bare_letter(st, s);
	if (!c)
		c = last_letter(st, st->paren, s);
	char gold = bare_letter(st, sv_from(in->gold));
	if (!c) {
		out->status = GRADE_NO_ANSWER;
		out->reason = xstrdup("no choice letter found");
		return 0;
	}
	out->status = GRADE_OK;
	out->correct = gold && c == gold;
	out->score = out->correct;
	out->extracted = xasprintf("%c", c);
	out->canonical = xasprintf("%c", c);
	if (!gold)
		out->reason = xasprintf("gold '%s' is not a choice letter", in->gold);
	return 0;
}

static void choice_free(void *state)
{
	struct choice_state *st = state;
	if (!st)
		return;
	re_free(st->boxed);
	re_free(st->phrase);
	re_free(st->paren);
	free(st);
}

const struct grader_ops grader_choice = {
	.name = "choice",
	.version = "1",
	.init = choice_init,
	.grade = choice_grade,
	.free = choice_free,
	.options = choice_options,
	.noptions = ARRAY_SIZE(choice_options),
};
