/*
 * libFuzzer target for the math checker: unicode rewriting, extraction,
 * tokenizing, parsing, evaluation and comparison.  The input is
 * "gold<newline>pred"; both readings of pred (answer and full output) are
 * judged and the voting key is computed.  Any crash, hang or sanitizer
 * report is a bug.
 *
 * It also asserts strictness on each side read as an answer: a side is
 * either opaque (or unparsed), or the parser read every token up to the end,
 * and the only tokens it passed over are those counted by a named leniency
 * (units, the \approx tail).  Nothing is parsed and partly dropped.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "graders/math/judge.h"
#include "graders/math/lex.h"
#include "graders/math/parse.h"
#include "harness/base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_side(struct math_lex *lx, const char *text)
{
	if (math_lex_run(lx, sv_from(text)) || lx->opaque)
		return;
	struct math_tree t;
	math_tree_init(&t);
	if (math_parse(&t, lx) == 0) {
		/* parsed: the last token is the end, and skips are all accounted for */
		if (lx->n == 0 || lx->tok[lx->n - 1].type != MT_END)
			abort();
		if ((t.skipped > 0) != (t.lenient != 0) || t.skipped > (int)lx->n)
			abort();
		if ((t.lenient & ML_UNITS) && !t.units)
			abort();
	} else if (t.root) {
		abort(); /* a failed parse leaves no tree */
	}
	math_tree_release(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct math_checker *c;
	static struct math_lex lx;
	if (!c) {
		struct math_opts o;
		math_opts_default(&o);
		o.fallback_last_number = 1;
		c = math_checker_new(&o);
		math_lex_init(&lx);
	}
	if (size > 8192)
		return 0;
	char *buf = xmalloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	char *pred = strchr(buf, '\n');
	if (pred)
		*pred++ = '\0';
	else
		pred = buf;
	check_side(&lx, buf);
	check_side(&lx, pred);
	struct math_verdict v;
	math_judge(c, buf, pred, 1, &v);
	math_verdict_release(&v);
	math_judge(c, buf, pred, 0, &v);
	math_verdict_release(&v);
	free(math_canonical_key(c, pred));
	free(buf);
	return 0;
}
