/*
 * rg: reasoning-gym's per-item score.
 *
 * The answer is the text inside the last <answer>...</answer> pair (pairs
 * are matched left to right, each opening tag with the next closing tag; a
 * pair may be empty).  Without a pair there is no answer and the score is 0.
 * The answer is then scored by one of these rules, chosen with the option
 * "mode":
 *
 *   "exact"           reasoning-gym's default: 1 when the answer equals the
 *                     gold byte for byte; len(gold) / len(answer), counted in
 *                     characters, when the gold occurs inside a longer answer;
 *                     else 0.
 *   "integer"         bitwise_arithmetic: both sides read as integers with
 *                     Python's int(s, 0) syntax (sign, 0x / 0o / 0b prefix,
 *                     underscores between digits, surrounding white space);
 *                     1 when the values are equal, else 0.  Values are
 *                     unbounded (GMP).
 *   "knights_knaves"  both sides become sets of (name, role) pairs: lower
 *                     case, "." and "," removed, " and " made a space, the
 *                     words "is", "a", "an" skipped, a role word closing the
 *                     pair opened by the word before it.  Equal sets score 1;
 *                     sets of equal size sharing m of n pairs score
 *                     0.3 + 0.7 m / n; otherwise 0.01.  reasoning-gym's own
 *                     code skips only "is" and "a", but its recorded scores
 *                     count "Zoey is a altruist" as "Zoey is an altruist",
 *                     so "an" is skipped here too.
 *   "auto" (default)  the rule named by the record's "task" field:
 *                     "integer" for bitwise_arithmetic, "knights_knaves" for
 *                     knights_knaves, "exact" for any other task.
 *
 * A sample counts as correct only with score 1.  These rules reproduce
 * every recorded score of the 16 tasks in recordings/rg-eval-reasoning-models.
 */
#include <ctype.h>
#include <gmp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "graders/grader.h"
#include "graders/options.h"

enum rg_mode {
	RG_AUTO = 0,
	RG_EXACT,
	RG_INTEGER,
	RG_KNIGHTS,
};

/* Tasks whose rule is not "exact", for mode "auto". */
static const struct {
	const char *task;
	enum rg_mode mode;
} rg_task_rules[] = {
    {"bitwise_arithmetic", RG_INTEGER},
    {"knights_knaves", RG_KNIGHTS},
};

/* The role words of reasoning-gym's knights-and-knaves variants. */
static const char *const rg_roles[] = {
    "knight",  "knave", "pioneer", "laggard",  "saint",	 "sinner", "hero",
    "villain", "angel", "devil",   "altruist", "egoist", "sage",   "fool",
};

struct rg_state {
	enum rg_mode mode;
};

/* In the order of enum rg_mode. */
static const char *const rg_mode_names[] = {"auto", "exact", "integer", "knights_knaves", NULL};

struct rg_settings {
	int mode; /* index in rg_mode_names, an enum rg_mode */
};

static const struct grader_option rg_options[] = {
	{.name = "mode", .type = GOPT_ENUM, .off = offsetof(struct rg_settings, mode), .def = "\"auto\"",
	 .help = "the scoring rule; auto picks it from the record's task", .choices = rg_mode_names},
};

static int rg_init(void **state, const cJSON *opts, struct strbuf *err)
{
	struct rg_settings set = {.mode = RG_AUTO};
	if (grader_options_read(rg_options, ARRAY_SIZE(rg_options), opts, &set, err))
		return 1;
	enum rg_mode mode = (enum rg_mode)set.mode;
	struct rg_state *st = xcalloc(1, sizeof(*st));
	st->mode = mode;
	*state = st;
	return 0;
}

/* ---- Extraction ---- */

static int last_answer_tag(const char *s, struct strview *out)
{
	static const char open[] = "<answer>", close[] = "</answer>";
	int found = 0;
	const char *p = s;
	for (;;) {
		const char *a = strstr(p, open);
		if (!a)
			break;
		const char *b = strstr(a + sizeof(open) - 1, close);
		if (!b)
			break;
		out->ptr = a + sizeof(open) - 1;
		out->len = (size_t)(b - out->ptr);
		found = 1;
		p = b + sizeof(close) - 1;
	}
	return found;
}

/* ---- exact: reasoning-gym's default scorer ---- */

static size_t utf8_chars(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

static double score_exact(struct strview ans, const char *gold)
{
	size_t glen = strlen(gold);
	if (!ans.len)
		return 0.0;
	if (ans.len == glen && !memcmp(ans.ptr, gold, glen))
		return 1.0;
	if (!glen || glen > ans.len)
		return 0.0;
	for (size_t i = 0; i + glen <= ans.len; i++)
		if (!memcmp(ans.ptr + i, gold, glen))
			return (double)utf8_chars(gold, glen) /
			       (double)utf8_chars(ans.ptr, ans.len);
	return 0.0;
}

/* ---- integer: Python's int(s, 0) ---- */

/*
 * Parse v with int(s, 0) rules into z.  Returns 0 on success, -1 when the
 * text is not such an integer.
 */
static int parse_py_int(struct strview v, mpz_t z)
{
	v = sv_trim(v);
	const char *p = v.ptr, *end = v.ptr + v.len;
	int neg = 0, base = 10;
	if (p < end && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	if (end - p >= 2 && p[0] == '0' && strchr("xXoObB", p[1])) {
		base = strchr("xX", p[1]) ? 16 : strchr("oO", p[1]) ? 8 : 2;
		p += 2;
		if (p < end && *p == '_') /* "0x_1f" is valid */
			p++;
	}
	struct strbuf digits = STRBUF_INIT;
	int ok = p < end, prev_us = 0;
	for (; ok && p < end; p++) {
		int d;
		if (*p == '_') {
			ok = !prev_us && digits.len;
			prev_us = 1;
			continue;
		}
		prev_us = 0;
		if (isdigit((unsigned char)*p))
			d = *p - '0';
		else if (isalpha((unsigned char)*p))
			d = tolower((unsigned char)*p) - 'a' + 10;
		else
			d = 99;
		ok = d < base;
		strbuf_addch(&digits, *p);
	}
	ok = ok && !prev_us && digits.len;
	/* Decimal literals may not have leading zeros unless they are all zeros. */
	if (ok && base == 10 && digits.buf[0] == '0')
		ok = strspn(digits.buf, "0") == digits.len;
	if (ok)
		ok = mpz_set_str(z, digits.buf, base) == 0;
	if (ok && neg)
		mpz_neg(z, z);
	strbuf_release(&digits);
	return ok ? 0 : -1;
}

static double score_integer(struct strview ans, const char *gold, char **canonical)
{
	mpz_t a, g;
	double score = 0.0;
	mpz_inits(a, g, NULL);
	if (!parse_py_int(ans, a)) {
		char *dec = mpz_get_str(NULL, 10, a);
		*canonical = xstrdup(dec);
		free(dec);
		if (!parse_py_int(sv_from(gold), g) && !mpz_cmp(a, g))
			score = 1.0;
	}
	mpz_clears(a, g, NULL);
	return score;
}

/* ---- knights_knaves: sets of (name, role) ---- */

struct kk_pair {
	char *name;
	size_t role; /* index into rg_roles */
};

struct kk_set {
	struct kk_pair *v;
	size_t n, cap;
};

static void kk_release(struct kk_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].name);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int kk_cmp(const void *x, const void *y)
{
	const struct kk_pair *a = x, *b = y;
	int c = strcmp(a->name, b->name);
	return c ? c : (a->role > b->role) - (a->role < b->role);
}

static long kk_role(const char *w)
{
	for (size_t i = 0; i < ARRAY_SIZE(rg_roles); i++)
		if (!strcmp(rg_roles[i], w))
			return (long)i;
	return -1;
}

/* Normalise the text as reasoning-gym does: lower case, drop "." and ",", " and " -> " ". */
static char *kk_normalise(struct strview v)
{
	struct strbuf t = STRBUF_INIT, u = STRBUF_INIT;
	v = sv_trim(v);
	for (size_t i = 0; i < v.len; i++)
		if (v.ptr[i] != '.' && v.ptr[i] != ',')
			strbuf_addch(&t, (char)tolower((unsigned char)v.ptr[i]));
	for (size_t i = 0; i < t.len;) {
		if (!strncmp(t.buf + i, " and ", 5)) {
			strbuf_addch(&u, ' ');
			i += 5;
		} else {
			strbuf_addch(&u, t.buf[i++]);
		}
	}
	strbuf_release(&t);
	return strbuf_detach(&u);
}

/* Parse into a sorted set without duplicates. */
static void kk_parse(struct strview v, struct kk_set *out)
{
	char *text = kk_normalise(v), *save = NULL, *name = NULL;
	for (char *w = strtok_r(text, " \t\n\r\f\v", &save); w;
	     w = strtok_r(NULL, " \t\n\r\f\v", &save)) {
		long role;
		if (!strcmp(w, "is") || !strcmp(w, "a") || !strcmp(w, "an"))
			continue;
		role = kk_role(w);
		if (role < 0) {
			name = w;
			continue;
		}
		if (!name)
			continue;
		GROW(out->v, out->cap, out->n + 1);
		out->v[out->n].name = xstrdup(name);
		out->v[out->n].role = (size_t)role;
		out->n++;
		name = NULL;
	}
	free(text);
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), kk_cmp);
	size_t k = 0;
	for (size_t i = 0; i < out->n; i++) {
		if (k && !kk_cmp(&out->v[k - 1], &out->v[i])) {
			free(out->v[i].name);
			continue;
		}
		out->v[k++] = out->v[i];
	}
	out->n = k;
}

static double score_knights(struct strview ans, const char *gold, char **canonical)
{
	struct kk_set a = {0}, g = {0};
	double score;
	size_t common = 0, i = 0, j = 0;
	if (!ans.len)
		return 0.0;
	kk_parse(ans, &a);
	kk_parse(sv_from(gold), &g);
	while (i < a.n && j < g.n) {
		int c = kk_cmp(&a.v[i], &g.v[j]);
		common += !c;
		i += c <= 0;
		j += c >= 0;
	}
	if (a.n == g.n && common == g.n)
		score = 1.0;
	else if (a.n == g.n && common)
		score = 0.3 + 0.7 * (double)common / (double)g.n;
	else
		score = 0.01;
	if (a.n) {
		struct strbuf key = STRBUF_INIT;
		for (i = 0; i < a.n; i++)
			strbuf_addf(&key, "%s%s:%s", i ? "," : "", a.v[i].name,
				    rg_roles[a.v[i].role]);
		*canonical = strbuf_detach(&key);
	}
	kk_release(&a);
	kk_release(&g);
	return score;
}

/* ---- The grader ---- */

static enum rg_mode mode_for_record(const cJSON *record)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(record, "task");
	if (cJSON_IsString(t))
		for (size_t i = 0; i < ARRAY_SIZE(rg_task_rules); i++)
			if (!strcmp(rg_task_rules[i].task, t->valuestring))
				return rg_task_rules[i].mode;
	return RG_EXACT;
}

static int rg_grade(void *state, const struct grade_input *in, struct grade *out)
{
	struct rg_state *st = state;
	struct strview ans;
	enum rg_mode mode = st->mode == RG_AUTO ? mode_for_record(in->record) : st->mode;
	const char *gold = in->gold ? in->gold : "";
	if (!last_answer_tag(in->content, &ans)) {
		out->status = GRADE_NO_ANSWER;
		out->reason = xstrdup("no <answer>...</answer> in the output");
		return 0;
	}
	out->status = GRADE_OK;
	out->extracted = sv_dup(ans);
	switch (mode) {
	case RG_INTEGER: out->score = score_integer(ans, gold, &out->canonical); break;
	case RG_KNIGHTS: out->score = score_knights(ans, gold, &out->canonical); break;
	default:
		out->score = score_exact(ans, gold);
		out->canonical = ans.len ? sv_dup(ans) : NULL;
		break;
	}
	out->correct = out->score == 1.0;
	return 0;
}

static void rg_free(void *state)
{
	free(state);
}

const struct grader_ops grader_rg = {
	.name = "rg",
	.version = "1",
	.init = rg_init,
	.grade = rg_grade,
	.free = rg_free,
	.options = rg_options,
	.noptions = ARRAY_SIZE(rg_options),
};
