/*
 * math: the judge and the grader descriptor "math"; the API is in
 * math_judge.h (not math.h, which would shadow the C library header).
 */
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "graders/grader.h"
#include "graders/options.h"
#include "graders/math/judge.h"
#include "graders/math/equiv.h"
#include "graders/math/extract.h"
#include "graders/math/lex.h"
#include "graders/math/num.h"
#include "graders/math/parse.h"

struct math_checker {
	struct math_opts opts;
	struct math_equiv_opts eopts;
	struct math_num num;
	struct math_lex lex;
	struct math_extract gx, px;
};

void math_opts_default(struct math_opts *o)
{
	o->fallback_last_number = 0;
	o->latex_regions = 1;
	o->precision = 6;
	o->allow_set_relation = 1;
	o->strict_vars = 1;
	o->budget = 200000;
}

/*
 * Every option of the math grader: math_opts_from_json reads a task's
 * options through this table (graders/options.h), which refuses any other
 * key, and 'reval tasks --grader-options' prints it for the documentation.
 */
struct math_settings {
	int fallback_last_number, latex_regions, allow_set_relation, strict;
	long precision, budget;
};

#define SET(f) offsetof(struct math_settings, f)
static const struct grader_option math_options[] = {
	{.name = "fallback_last_number", .type = GOPT_BOOL, .off = SET(fallback_last_number),
	 .def = "false", .help = "take the last number when no boxed or stated answer is found"},
	{.name = "latex_regions", .type = GOPT_BOOL, .off = SET(latex_regions), .def = "true",
	 .help = "take the last `$...$` region when no boxed or stated answer is found"},
	{.name = "allow_set_relation_comp", .type = GOPT_BOOL, .off = SET(allow_set_relation),
	 .def = "true", .help = "an interval gold also matches the inequality it describes"},
	{.name = "strict", .type = GOPT_BOOL, .off = SET(strict), .def = "true",
	 .help = "variables are compared by name: `f(x)` and `f(y)` differ"},
	{.name = "precision", .type = GOPT_INT, .off = SET(precision), .def = "6",
	 .help = "significant digits a decimal approximation must match", .min = 1, .max = 30},
	{.name = "budget", .type = GOPT_INT, .off = SET(budget), .def = "200000",
	 .help = "evaluation steps per judgment; past it the verdict is undecided", .min = 1000,
	 .max = 1000000000},
};
#undef SET

int math_opts_from_json(struct math_opts *o, const cJSON *j, struct strbuf *err)
{
	math_opts_default(o);
	struct math_settings set = {
		.fallback_last_number = o->fallback_last_number,
		.latex_regions = o->latex_regions,
		.allow_set_relation = o->allow_set_relation,
		.strict = o->strict_vars,
		.precision = o->precision,
		.budget = o->budget,
	};
	if (grader_options_read(math_options, ARRAY_SIZE(math_options), j, &set, err))
		return 1;
	o->fallback_last_number = set.fallback_last_number;
	o->latex_regions = set.latex_regions;
	o->allow_set_relation = set.allow_set_relation;
	o->strict_vars = set.strict;
	o->precision = (int)set.precision;
	o->budget = set.budget;
	return 0;
}

void math_opts_from_case(struct math_opts *o, const cJSON *config)
{
	math_opts_default(o);
	if (!cJSON_IsObject(config))
		return;
	const cJSON *mt = cJSON_GetObjectItemCaseSensitive(config, "match_types");
	const cJSON *it;
	cJSON_ArrayForEach(it, mt)
	{
		if (cJSON_IsString(it) && !strcmp(it->valuestring, "expr"))
			o->fallback_last_number = 1;
	}
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(config, "precision");
	if (cJSON_IsNumber(p) && p->valuedouble >= 1 && p->valuedouble <= 30)
		o->precision = (int)p->valuedouble;
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(config, "strict");
	if (cJSON_IsBool(s))
		o->strict_vars = cJSON_IsTrue(s);
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(config, "allow_set_relation_comp");
	if (cJSON_IsBool(a))
		o->allow_set_relation = cJSON_IsTrue(a);
}

void math_verdict_release(struct math_verdict *v)
{
	free(v->extracted);
	free(v->canonical);
	memset(v, 0, sizeof(*v));
}

struct math_checker *math_checker_new(const struct math_opts *o)
{
	struct math_checker *c = xcalloc(1, sizeof(*c));
	c->opts = *o;
	c->eopts.precision = o->precision;
	c->eopts.allow_set_relation = o->allow_set_relation;
	c->eopts.strict_vars = o->strict_vars;
	math_num_init(&c->num);
	math_lex_init(&c->lex);
	math_extract_init(&c->gx);
	math_extract_init(&c->px);
	return c;
}

void math_checker_free(struct math_checker *c)
{
	if (!c)
		return;
	math_num_release(&c->num);
	math_lex_release(&c->lex);
	math_extract_release(&c->gx);
	math_extract_release(&c->px);
	free(c);
}

/* ---- Judging ---- */

/* Read s into t; -1 when it cannot be read or was not fully understood (opaque). */
static int parse_text(struct math_checker *c, const char *s, struct math_tree *t)
{
	if (math_lex_run(&c->lex, sv_from(s)) || c->lex.opaque)
		return -1;
	c->num.steps += (long)c->lex.n;
	if (math_parse(t, &c->lex))
		return -1;
	if (c->lex.unknown && !math_equiv_unknown_unread(t->root)) {
		t->root = NULL;
		return -1;
	}
	return 0;
}

/* A plain quantity: no names, relations, collections or text. */
static int bare_number(const struct mnode *n)
{
	switch (n->kind) {
	case MK_SYM:
		return !strcmp(n->text, "e") || !strcmp(n->text, "i");
	case MK_APPLY: case MK_REL: case MK_TUPLE: case MK_SET: case MK_LIST: case MK_UNION:
	case MK_INTER: case MK_IN: case MK_MATRIX: case MK_TEXT: case MK_RATIO: case MK_OPAQUE:
		return 0;
	default:
		for (int i = 0; i < n->n; i++)
			if (!bare_number(n->kid[i]))
				return 0;
		return 1;
	}
}

/*
 * The unit leniency: a side whose unit words were dropped ("6 m") matches
 * only a bare number or a side with the same units, never "6 s" or "x = 6".
 */
static int units_allowed(const struct math_tree *a, const struct math_tree *b)
{
	if (!a->units && !b->units)
		return 1;
	if (a->units && b->units)
		return !strcmp(a->units, b->units);
	return bare_number(a->units ? b->root : a->root);
}

/* "1,22" and "1000,99": a decimal comma, tried when the comma reading fails. */
static char *decimal_comma(const char *s)
{
	struct strview v = sv_trim(sv_from(s));
	while (v.len && v.ptr[0] == '$')
		v.ptr++, v.len--;
	while (v.len && v.ptr[v.len - 1] == '$')
		v.len--;
	size_t k = 0, commas = 0, digits_after = 0;
	if (k < v.len && v.ptr[k] == '-')
		k++;
	if (k >= v.len || !isdigit((unsigned char)v.ptr[k]))
		return NULL;
	for (; k < v.len; k++) {
		if (v.ptr[k] == ',')
			commas++;
		else if (!isdigit((unsigned char)v.ptr[k]))
			return NULL;
		else if (commas)
			digits_after++;
	}
	if (commas != 1 || !digits_after)
		return NULL;
	char *out = sv_dup(v);
	*strchr(out, ',') = '.';
	return out;
}

/*
 * Plain-text comparison for answers we cannot parse: case, $, braces and
 * backslashes do not count, and white space only where it separates two
 * letters or digits ("a_1 0" is not "a_{10}", "2 5" is not "25").
 */
static void text_norm(const char *s, struct strbuf *out)
{
	/* commands that never change what an answer says: layout and text wrappers */
	static const char *const quiet[] = {
		"displaystyle", "textstyle", "left", "right", "quad", "qquad", "text", "mathrm", "textbf",
		"mbox", "mathbf", "textit", "textrm", "operatorname",
	};
	int gap = 0;
	size_t len = strlen(s);
	while (len && (isspace((unsigned char)s[len - 1]) || s[len - 1] == '.' || s[len - 1] == '$'))
		len--; /* a final full stop */
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '\\' && i + 1 < len && isalpha((unsigned char)s[i + 1])) {
			size_t j = i + 1;
			while (j < len && isalpha((unsigned char)s[j]))
				j++;
			int q = 0;
			for (size_t k = 0; k < ARRAY_SIZE(quiet) && !q; k++)
				q = strlen(quiet[k]) == j - i - 1 && !strncmp(s + i + 1, quiet[k], j - i - 1);
			if (q) {
				i = j - 1;
				gap = 1;
				continue;
			}
		} else if (ch == '\\' && i + 1 < len && strchr(",;!()[] ", s[i + 1])) {
			i++;
			gap = 1;
			continue;
		}
		if (isspace(ch) || ch == '~') {
			gap = 1;
			continue;
		}
		if (ch == '$' || ch == '{' || ch == '}' || ch == '\\')
			continue;
		if (gap && out->len && isalnum((unsigned char)out->buf[out->len - 1]) && isalnum(ch))
			strbuf_addch(out, ' ');
		gap = 0;
		strbuf_addch(out, (char)tolower(ch));
	}
}

static int text_equal(const char *a, const char *b)
{
	struct strbuf x = STRBUF_INIT, y = STRBUF_INIT;
	text_norm(a, &x);
	text_norm(b, &y);
	int same = x.len && !strcmp(x.buf, y.buf);
	strbuf_release(&x);
	strbuf_release(&y);
	return same;
}

static int has_text(const struct mnode *n)
{
	if (n->kind == MK_TEXT)
		return 1;
	for (int i = 0; i < n->n; i++)
		if (has_text(n->kid[i]))
			return 1;
	return 0;
}

static int compare_texts(struct math_checker *c, const char *gold, const char *pred, int *undecided,
			 int *pred_unreadable)
{
	struct math_tree gt, pt;
	struct math_equiv eq;
	math_tree_init(&gt);
	math_tree_init(&pt);
	math_equiv_init(&eq, &c->num, &c->eopts);
	int result = 0;
	int gok = parse_text(c, gold, &gt) == 0;
	int pok = parse_text(c, pred, &pt) == 0;
	if (pred_unreadable)
		*pred_unreadable = !pok || has_text(pt.root);
	if (gok && pok && units_allowed(&gt, &pt)) {
		result = math_equiv_cmp(&eq, gt.root, pt.root);
		if (eq.undecided)
			*undecided = 1;
	}
	if (!result && !*undecided && (!gok || !pok))
		result = text_equal(gold, pred);
	math_equiv_release(&eq);
	math_tree_release(&gt);
	math_tree_release(&pt);
	return result;
}

char *math_canonical_key(struct math_checker *c, const char *answer)
{
	struct math_tree t;
	struct math_equiv eq;
	math_tree_init(&t);
	math_equiv_init(&eq, &c->num, &c->eopts);
	c->num.steps = 0;
	c->num.budget = c->opts.budget;
	char *key = NULL;
	char l = math_extract_letter(answer);
	if (l) {
		key = xasprintf("choice:%c", l);
	} else if (parse_text(c, answer, &t) == 0) {
		struct strbuf sb = STRBUF_INIT;
		math_equiv_key(&eq, t.root, &sb);
		if (eq.undecided)
			strbuf_release(&sb);
		else
			key = strbuf_detach(&sb);
	} else {
		struct strbuf sb = STRBUF_INIT;
		strbuf_adds(&sb, "s:");
		text_norm(answer, &sb);
		key = strbuf_detach(&sb);
	}
	math_equiv_release(&eq);
	math_tree_release(&t);
	return key;
}

static int judge_letters(const char *gold, const char *pred, const char *full, int *decided)
{
	char gl = math_extract_letter(gold);
	*decided = 0;
	if (!gl)
		return 0;
	char pl = math_extract_letter(pred);
	if (!pl && full)
		pl = math_extract_letter_free(full);
	if (!pl)
		return 0;
	*decided = 1;
	return gl == pl;
}

static const char *extraction_name(enum math_extract_how how)
{
	switch (how) {
	case MX_BOXED: return "boxed";
	case MX_PHRASE: return "phrase";
	case MX_REGION: return "region";
	case MX_NUMBER: return "last_number";
	case MX_WHOLE: return "whole";
	default: return "none";
	}
}

void math_judge(struct math_checker *c, const char *gold, const char *pred, int pred_is_full_output,
		struct math_verdict *out)
{
	memset(out, 0, sizeof(*out));
	c->num.steps = 0;
	c->num.budget = c->opts.budget;
	struct math_extract_opts gopt = {.whole_text = 1, .latex_regions = 1};
	struct math_extract_opts popt = {
		.whole_text = !pred_is_full_output,
		.latex_regions = c->opts.latex_regions || !pred_is_full_output,
		.last_number = c->opts.fallback_last_number,
	};
	math_extract_run(&c->gx, gold, &gopt);
	math_extract_run(&c->px, pred, &popt);
	out->extraction = extraction_name(c->px.how);
	if (c->px.how == MX_NONE) {
		out->no_answer = 1;
		out->truncated = c->px.truncated;
		if (pred_is_full_output) {
			int decided;
			if (judge_letters(c->gx.answer.buf, "", pred, &decided) && decided)
				out->correct = 1;
			if (decided) {
				out->no_answer = 0;
				char l = math_extract_letter_free(pred);
				out->extracted = xasprintf("%c", l);
				out->extraction = "letter";
				out->canonical = xasprintf("choice:%c", l);
			}
		}
		return;
	}
	const char *g = c->gx.joined.len ? c->gx.joined.buf : c->gx.answer.buf;
	/* Several boxes side by side are one list: right for a list gold, and for a
	 * single gold only when every box holds it (a hedge is wrong). */
	const char *p = c->px.joined.len ? c->px.joined.buf : c->px.answer.buf;
	out->extracted = xstrdup(p);
	p = out->extracted;
	int decided, unreadable = 0;
	int r = judge_letters(g, p, pred_is_full_output ? pred : NULL, &decided);
	if (!decided) {
		r = compare_texts(c, g, p, &out->undecided, &unreadable);
		if (!r && !out->undecided) {
			char *gd = decimal_comma(g), *pd = decimal_comma(p);
			if (gd || pd)
				r = compare_texts(c, gd ? gd : g, pd ? pd : p, &out->undecided, NULL);
			free(gd);
			free(pd);
		}
	}
	if (!r && !out->undecided && unreadable && c->opts.fallback_last_number && c->px.how != MX_BOXED &&
	    math_extract_last_number(&c->px, p) && strcmp(c->px.answer.buf, p)) {
		/* an answer in words: "it's 1,000.99m²" */
		r = compare_texts(c, g, c->px.answer.buf, &out->undecided, NULL);
		out->extraction = "last_number";
	}
	out->correct = r && !out->undecided;
	if (out->undecided)
		out->correct = 0;
	long steps = c->num.steps;
	out->canonical = math_canonical_key(c, p);
	c->num.steps = steps;
}

/* ---- The grader ---- */

static int math_init(void **state, const cJSON *opts, struct strbuf *err)
{
	struct math_opts o;
	if (math_opts_from_json(&o, opts, err))
		return 1;
	*state = math_checker_new(&o);
	return 0;
}

static int math_grade(void *state, const struct grade_input *in, struct grade *out)
{
	struct math_verdict v;
	math_judge(state, in->gold ? in->gold : "", in->content, 1, &v);
	out->correct = v.correct;
	out->score = v.correct;
	out->extracted = v.extracted;
	out->canonical = v.canonical;
	out->detail = xasprintf("{\"extraction\":\"%s\"}", v.extraction ? v.extraction : "none");
	if (v.no_answer) {
		out->status = GRADE_NO_ANSWER;
		out->reason = xstrdup(v.truncated ? "the output was cut off (unclosed <think> or \\boxed{)"
					       : "no answer found in the output");
	} else if (v.undecided) {
		out->status = GRADE_UNDECIDED;
		out->reason = xstrdup("the comparison ran out of its step budget");
	} else {
		out->status = GRADE_OK;
	}
	return 0;
}

static void math_free(void *state)
{
	math_checker_free(state);
}

const struct grader_ops grader_math = {
	.name = "math",
	.version = "2",
	.init = math_init,
	.grade = math_grade,
	.free = math_free,
	.options = math_options,
	.noptions = ARRAY_SIZE(math_options),
};
