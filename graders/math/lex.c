/*
 * math_lex: see math_lex.h.  The scanner is a loop over bytes; commands,
 * unicode sequences and numbers each have a helper.  Text inside \text{}
 * and friends is scanned by the same loop in "text mode", where every run
 * of two or more letters is a word rather than a product of variables.
 */
#include <gmp.h>
#include <stdlib.h>
#include <string.h>

#include "graders/math/lex.h"
#include "graders/math/uni.h"

struct scan {
	struct math_lex *lx;
	const char *s; /* input */
	size_t n;      /* input length */
	size_t i;      /* cursor */
	int text;      /* text mode: letter runs are words */
	int depth;     /* bracket depth, for the thousands rule */
	int matrix;    /* nesting of matrix environments */
	int pending;   /* TeX one-digit arguments still expected */
	int space;     /* white space seen since the last token */
	int err;
};

/* Something was not understood: the answer can only be compared as text. */
static void opaque(struct scan *sc, const char *why)
{
	if (!sc->lx->opaque)
		sc->lx->opaque = why;
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void push(struct scan *sc, enum mtok type, char op, const char *name, size_t len)
{
	struct math_lex *lx = sc->lx;
	if (lx->n + 2 > MATH_LEX_MAX_TOKENS) {
		sc->err = 1;
		return;
	}
	GROW(lx->tok, lx->cap, lx->n + 2);
	struct mtoken *t = &lx->tok[lx->n++];
	t->type = type;
	t->op = op;
	t->space = sc->space;
	t->off = lx->text.len;
	t->len = len;
	if (len)
		strbuf_add(&lx->text, name, len);
	strbuf_addch(&lx->text, '\0');
	sc->space = 0;
	if (!(type == MT_NUM && len == 1))
		sc->pending = 0;
}

static void push_op(struct scan *sc, char op)
{
	push(sc, MT_OP, op, NULL, 0);
}

/* ---- Words and commands ---- */

static const char *const func_names[] = {
	"sin", "cos", "tan", "sec", "csc", "cot", "arcsin", "arccos", "arctan",
	"sinh", "cosh", "tanh", "ln", "log", "exp", "lg", "cosec", "cotan", "tg", "ctg",
};

static const char *const greek[] = {
	"alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta",
	"theta", "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "rho",
	"sigma", "tau", "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma",
	"Delta", "Theta", "Lambda", "Xi", "Sigma", "Phi", "Psi", "Omega", "ell",
};

/* Two-letter runs read as a unit word rather than a product. */
static const char *const units2[] = {
	"cm", "mm", "km", "kg", "mg", "ml", "mL", "ft", "yd", "mi", "hr", "oz", "lb",
	"dm", "Hz", "kW", "kJ", "ms", "pm", "am", "gr",
};

static int name_in(const char *p, size_t n, const char *const *list, size_t count)
{
	for (size_t k = 0; k < count; k++)
		if (strlen(list[k]) == n && !memcmp(list[k], p, n))
			return 1;
	return 0;
}

static int name_is(const char *p, size_t n, const char *w)
{
	return strlen(w) == n && !memcmp(p, w, n);
}

/* A run of letters outside a command: a word, a function or variables. */
static void letters(struct scan *sc, const char *p, size_t n)
{
	if (name_in(p, n, func_names, ARRAY_SIZE(func_names))) {
		push(sc, MT_FUNC, 0, p, n);
		return;
	}
	if (name_is(p, n, "sqrt")) {
		push(sc, MT_SQRT, 0, NULL, 0);
		return;
	}
	if (name_is(p, n, "pi")) {
		push(sc, MT_PI, 0, NULL, 0);
		return;
	}
	if (name_is(p, n, "inf") || name_is(p, n, "infty") || name_is(p, n, "infinity")) {
		push(sc, MT_INF, 0, NULL, 0);
		return;
	}
	if (name_is(p, n, "and") || name_is(p, n, "or")) {
		push(sc, MT_AND, 0, NULL, 0);
		return;
	}
	if (name_is(p, n, "mod")) {
		push(sc, MT_MOD, 0, NULL, 0);
		return;
	}
	if (name_is(p, n, "percent") || name_is(p, n, "pct") || name_is(p, n, "percentage")) {
		push(sc, MT_PERCENT, 0, NULL, 0);
		return;
	}
	int capitalised = n == 2 && p[0] >= 'A' && p[0] <= 'Z' && p[1] >= 'a' && p[1] <= 'z';
	/* \mathrm{m} after a quantity: a one-letter unit that is a whole text group */
	int unit1 = n == 1 && sc->text && p == sc->s && n == sc->n && strchr("msghLJNW", p[0]);
	if (n >= 3 || (n == 2 && (sc->text || capitalised || name_in(p, n, units2, ARRAY_SIZE(units2)))) ||
	    (n == 1 && sc->text && p > sc->s && is_space(p[-1])) || unit1) {
		/* words; in \text{ m} a spaced single letter is a unit */
		push(sc, MT_WORD, 0, p, n);
		return;
	}
	for (size_t k = 0; k < n; k++)
		push(sc, MT_SYM, 0, p + k, 1);
}

static void scan_span(struct scan *sc, const char *s, size_t n, int text);
static void command(struct scan *sc);

/* Skip spaces, then return the extent of a {...} group at sc->i, or 0. */
static int braced(struct scan *sc, size_t *beg, size_t *end)
{
	size_t j = sc->i;
	while (j < sc->n && is_space(sc->s[j]))
		j++;
	if (j >= sc->n || sc->s[j] != '{')
		return 0;
	int d = 0;
	for (size_t k = j; k < sc->n; k++) {
		if (sc->s[k] == '\\' && k + 1 < sc->n) {
			k++;
			continue;
		}
		if (sc->s[k] == '{')
			d++;
		else if (sc->s[k] == '}' && --d == 0) {
			*beg = j + 1;
			*end = k;
			return 1;
		}
	}
	return 0;
}

/* \text{...} and friends: the group is scanned in text mode. */
static void text_group(struct scan *sc)
{
	size_t b, e;
	if (!braced(sc, &b, &e)) {
		opaque(sc, "a text command without its {group}");
		return;
	}
	int sp = sc->space;
	sc->i = e + 1;
	sc->space = sp;
	scan_span(sc, sc->s + b, e - b, 1);
}

/* Skip a {...} argument entirely (\hspace{1em}, array column specs). */
static void skip_group(struct scan *sc)
{
	size_t b, e;
	if (braced(sc, &b, &e))
		sc->i = e + 1;
}

static int env_is_matrix(const char *p, size_t n)
{
	static const char *const envs[] = {
		"pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix", "matrix", "smallmatrix", "array",
	};
	return name_in(p, n, envs, ARRAY_SIZE(envs));
}

static void environment(struct scan *sc, int begin)
{
	size_t b, e;
	if (!braced(sc, &b, &e)) {
		opaque(sc, "\\begin or \\end without a name");
		return;
	}
	sc->i = e + 1;
	const char *p = sc->s + b;
	size_t n = e - b;
	if (!env_is_matrix(p, n) || name_is(p, n, "Vmatrix")) {
		opaque(sc, "an environment that is not a matrix");
		return;
	}
	if (begin) {
		if (name_is(p, n, "array"))
			skip_group(sc);
		sc->matrix++;
		push(sc, MT_BEGIN_MAT, name_is(p, n, "vmatrix") ? 'v' : 0, NULL, 0);
	} else {
		if (sc->matrix)
			sc->matrix--;
		push(sc, MT_END_MAT, 0, NULL, 0);
	}
}

struct cmd_map {
	const char *name;
	enum mtok type;
	char op;
};

static const struct cmd_map cmd_table[] = {
	{"frac", MT_FRAC, 0}, {"dfrac", MT_FRAC, 0}, {"tfrac", MT_FRAC, 0}, {"cfrac", MT_FRAC, 0},
	{"nicefrac", MT_FRAC, 0}, {"sfrac", MT_FRAC, 0}, {"over", MT_OVER, 0}, {"choose", MT_CHOOSE, 0},
	{"sqrt", MT_SQRT, 0}, {"cdot", MT_OP, '*'}, {"times", MT_OP, '*'}, {"ast", MT_OP, '*'},
	{"div", MT_OP, '/'}, {"pm", MT_PM, 0}, {"mp", MT_MP, 0}, {"le", MT_LE, 0},
	{"leq", MT_LE, 0}, {"leqslant", MT_LE, 0}, {"ge", MT_GE, 0}, {"geq", MT_GE, 0},
	{"geqslant", MT_GE, 0}, {"ne", MT_NE, 0}, {"neq", MT_NE, 0}, {"lt", MT_OP, '<'},
	{"gt", MT_OP, '>'}, {"approx", MT_APPROX, 0}, {"simeq", MT_APPROX, 0},
	{"approxeq", MT_APPROX, 0}, {"equiv", MT_OP, '='}, {"cup", MT_CUP, 0},
	{"cap", MT_CAP, 0}, {"in", MT_IN, 0}, {"circ", MT_DEGREE, 0}, {"degree", MT_DEGREE, 0},
	{"textdegree", MT_DEGREE, 0}, {"infty", MT_INF, 0}, {"infin", MT_INF, 0}, {"pi", MT_PI, 0},
	{"lbrace", MT_LSET, 0}, {"rbrace", MT_RSET, 0}, {"langle", MT_LP, 0}, {"rangle", MT_RP, 0},
	{"lvert", MT_OP, '|'}, {"rvert", MT_OP, '|'}, {"vert", MT_OP, '|'}, {"mid", MT_OP, '|'},
	{"Vert", MT_NORM, 0}, {"lVert", MT_NORM, 0}, {"rVert", MT_NORM, 0}, 
	{"int", MT_SUM, 0}, {"colon", MT_OP, ':'}, {"to", MT_OP, '='},
	{"land", MT_AND, 0}, {"lor", MT_AND, 0}, {"wedge", MT_AND, 0}, {"vee", MT_AND, 0},
	{"percent", MT_PERCENT, 0}, {"binom", MT_BINOM, 0}, {"dbinom", MT_BINOM, 0},
	{"tbinom", MT_BINOM, 0}, {"lfloor", MT_LFLOOR, 0}, {"rfloor", MT_RFLOOR, 0},
	{"lceil", MT_LCEIL, 0}, {"rceil", MT_RCEIL, 0}, {"dots", MT_DOTS, 0}, {"ldots", MT_DOTS, 0},
	{"cdots", MT_DOTS, 0}, {"dotsc", MT_DOTS, 0}, {"dotsb", MT_DOTS, 0}, {"emptyset", MT_EMPTY, 0},
	{"varnothing", MT_EMPTY, 0}, {"O", MT_EMPTY, 0}, {"bmod", MT_MOD, 0}, {"mod", MT_MOD, 0},
	{"pmod", MT_PMOD, 0}, {"prime", MT_OP, '\''},
};

/* Accents are operators of their own (conjugate, mean, vector), never the bare letter. */
static const struct {
	const char *name, *as;
} accent_table[] = {
	{"bar", "bar"}, {"overline", "bar"}, {"hat", "hat"}, {"widehat", "hat"}, {"vec", "vec"},
	{"overrightarrow", "vec"}, {"tilde", "tilde"}, {"widetilde", "tilde"}, {"dot", "dot"},
	{"ddot", "ddot"}, {"underline", "underline"}, {"overarc", "arc"}, {"arc", "arc"},
	{"check", "check"}, {"breve", "breve"}, {"acute", "acute"}, {"grave", "grave"},
	{"overleftarrow", "lvec"},
};

static const char *const text_cmds[] = {
	"text", "textbf", "textit", "textnormal", "textrm", "mbox", "mathrm", "mathbf",
	"mathit", "mathsf", "mathtt", "operatorname", "boldsymbol", "bm", "hbox", "textsf",
	"emph", "mathcal", "textup", "texttt", "mathnormal",
};

/* Layout only: these change how the answer looks, never what it says. */
static const char *const skip_cmds[] = {
	"left", "right", "bigl", "bigr", "Bigl", "Bigr", "big", "Big", "bigg", "Bigg",
	"biggl", "biggr", "middle", "displaystyle", "textstyle", "scriptstyle", "limits",
	"nolimits", "quad", "qquad", "enspace", "thinspace", "negthinspace", "boxed", "fbox",
	"mathstrut", "strut", "nonumber", "notag", "it", "rm", "bf", "centering", "noindent",
	"cdotp", "hline", "medspace", "thickspace", "negmedspace", "relax",
};

/* Names that read as a symbol of their own: \angle ABC is not ABC. */
static const char *const name_cmds[] = {"angle", "triangle", "measuredangle", "square", "odot"};

/* Functions of a list of arguments: \gcd(4, 6), \max\{a, b\}. */
static const char *const list_funcs[] = {"gcd", "lcm", "max", "min", "det"};

/* \mathbb{R} is the real line; other blackboard letters are names of their own. */
static void blackboard(struct scan *sc)
{
	size_t b, e;
	if (!braced(sc, &b, &e)) {
		opaque(sc, "\\mathbb without its {group}");
		return;
	}
	sc->i = e + 1;
	if (e - b == 1 && sc->s[b] == 'R') {
		push(sc, MT_LP, 0, NULL, 0);
		push_op(sc, '-');
		push(sc, MT_INF, 0, NULL, 0);
		push_op(sc, ',');
		push(sc, MT_INF, 0, NULL, 0);
		push(sc, MT_RP, 0, NULL, 0);
		return;
	}
	struct strbuf name = STRBUF_INIT;
	strbuf_adds(&name, "\\mathbb{");
	strbuf_add(&name, sc->s + b, e - b);
	strbuf_addch(&name, '}');
	push(sc, MT_SYM, 0, name.buf, name.len);
	strbuf_release(&name);
}

/* A backslash followed by a non-letter. */
static void command_symbol(struct scan *sc, size_t j)
{
	char c = j < sc->n ? sc->s[j] : 0;
	sc->i = j + (c ? 1 : 0);
	switch (c) {
	case '{': push(sc, MT_LSET, 0, NULL, 0); sc->depth++; break;
	case '}': push(sc, MT_RSET, 0, NULL, 0); sc->depth--; break;
	case '%': push(sc, MT_PERCENT, 0, NULL, 0); break;
	case '|': push(sc, MT_NORM, 0, NULL, 0); break;
	case '\\':
		/* A doubled backslash before a command is over-escaping. */
		if (j + 1 < sc->n && is_alpha(sc->s[j + 1])) {
			sc->i = j;
			command(sc);
		} else if (sc->matrix) {
			push(sc, MT_ROWSEP, 0, NULL, 0);
		} else {
			opaque(sc, "a line break \\\\ outside a matrix");
		}
		break;
	case ',': case ';': case '!': case ':': case '>': case ' ': case '\t': case '\n':
	case '$': case '(': case ')': case '[': case ']': case '"': case 0:
		sc->space = 1; /* spacing, currency, math delimiters */
		break;
	default:
		opaque(sc, "an unknown control symbol");
		sc->space = 1;
		break;
	}
}

static void command(struct scan *sc)
{
	size_t j = sc->i + 1;
	size_t b = j;
	while (j < sc->n && is_alpha(sc->s[j]))
		j++;
	const char *p = sc->s + b;
	size_t n = j - b;
	if (n == 0) {
		command_symbol(sc, j);
		return;
	}
	sc->i = j;
	if (name_is(p, n, "begin") || name_is(p, n, "end")) {
		environment(sc, p[0] == 'b');
		return;
	}
	if (name_is(p, n, "mathbb")) {
		blackboard(sc);
		return;
	}
	if (name_in(p, n, text_cmds, ARRAY_SIZE(text_cmds))) {
		text_group(sc);
		return;
	}
	if (name_is(p, n, "hspace") || name_is(p, n, "vspace") || name_is(p, n, "phantom") ||
	    name_is(p, n, "label") || name_is(p, n, "tag")) {
		skip_group(sc);
		return;
	}
	if (name_in(p, n, skip_cmds, ARRAY_SIZE(skip_cmds))) {
		/* \left. and \right. are invisible delimiters. */
		if ((name_is(p, n, "left") || name_is(p, n, "right")) && sc->i < sc->n &&
		    sc->s[sc->i] == '.')
			sc->i++;
		sc->space = 1;
		return;
	}
	if (name_is(p, n, "sum") || name_is(p, n, "prod")) {
		push(sc, MT_SUM, 0, p, n);
		return;
	}
	for (size_t k = 0; k < ARRAY_SIZE(cmd_table); k++) {
		if (!name_is(p, n, cmd_table[k].name))
			continue;
		enum mtok t = cmd_table[k].type;
		if (t == MT_LSET)
			sc->depth++;
		if (t == MT_RSET)
			sc->depth--;
		push(sc, t, cmd_table[k].op, NULL, 0);
		if (t == MT_FRAC || t == MT_BINOM)
			sc->pending = 2;
		else if (t == MT_SQRT || t == MT_PMOD)
			sc->pending = 1;
		return;
	}
	for (size_t k = 0; k < ARRAY_SIZE(accent_table); k++) {
		if (name_is(p, n, accent_table[k].name)) {
			push(sc, MT_ACCENT, 0, accent_table[k].as, strlen(accent_table[k].as));
			sc->pending = 1;
			return;
		}
	}
	if (name_in(p, n, func_names, ARRAY_SIZE(func_names))) {
		push(sc, MT_FUNC, 0, p, n);
		return;
	}
	if (name_in(p, n, list_funcs, ARRAY_SIZE(list_funcs))) {
		push(sc, MT_WORD, 0, p, n);
		return;
	}
	if (name_in(p, n, greek, ARRAY_SIZE(greek))) {
		push(sc, MT_SYM, 0, p, n);
		return;
	}
	if (name_in(p, n, name_cmds, ARRAY_SIZE(name_cmds))) {
		push(sc, MT_SYM, 0, p - 1, n + 1);
		return;
	}
	/* \quadx in scraped text: a layout command glued to the letters after it */
	for (size_t k = 0; k < ARRAY_SIZE(skip_cmds); k++) {
		size_t m = strlen(skip_cmds[k]);
		if (m >= 4 && m < n && !memcmp(p, skip_cmds[k], m) && p[0] != 'l' && p[0] != 'r') {
			sc->i = b + m;
			sc->space = 1;
			return;
		}
	}
	/* Anything else (\zeta, \setminus, \implies, \Re ...) is not understood. */
	sc->lx->unknown++;
	push(sc, MT_SYM, '?', p - 1, n + 1);
}

/* ---- Numbers ---- */

/*
 * Length of a thousands separator at s[j] followed by exactly three digits
 * and then no further digit, or 0.  A bare comma separates thousands only
 * outside brackets (so (1,000) stays a pair) unless the number already had
 * a group; a single space only outside brackets.
 */
static size_t thousands_sep(const struct scan *sc, size_t j, int groups)
{
	static const char *const seps[] = {"{,}", ",\\!", ",\\,", "\\,", "\\!", ",", " ", "\\ "};
	for (size_t k = 0; k < ARRAY_SIZE(seps); k++) {
		size_t m = strlen(seps[k]);
		if (j + m > sc->n || memcmp(sc->s + j, seps[k], m))
			continue;
		if ((!strcmp(seps[k], ",") || !strcmp(seps[k], " ")) && sc->depth > 0 && !groups)
			continue;
		if (!strcmp(seps[k], " ") && sc->text)
			continue;
		size_t q = j + m;
		if (!strcmp(seps[k], ",\\!") && q < sc->n && sc->s[q] == ' ')
			q++;
		if (q + 3 > sc->n || !is_digit(sc->s[q]) || !is_digit(sc->s[q + 1]) ||
		    !is_digit(sc->s[q + 2]))
			continue;
		if (q + 3 < sc->n && is_digit(sc->s[q + 3]))
			continue;
		return q - j;
	}
	return 0;
}

/* The digits of a group "{27}" or a single digit at j; returns the end or 0. */
static size_t digit_arg(const struct scan *sc, size_t j, size_t *beg, size_t *len)
{
	if (j < sc->n && sc->s[j] == '{') {
		size_t k = j + 1;
		while (k < sc->n && sc->s[k] == ' ')
			k++;
		size_t d = k;
		while (k < sc->n && is_digit(sc->s[k]))
			k++;
		size_t dend = k;
		while (k < sc->n && sc->s[k] == ' ')
			k++;
		if (dend == d || k >= sc->n || sc->s[k] != '}')
			return 0;
		*beg = d;
		*len = dend - d;
		return k + 1;
	}
	if (j < sc->n && is_digit(sc->s[j])) {
		*beg = j;
		*len = 1;
		return j + 1;
	}
	return 0;
}

static int starts(const struct scan *sc, size_t j, const char *w)
{
	size_t m = strlen(w);
	return j + m <= sc->n && !memcmp(sc->s + j, w, m) && !(j + m < sc->n && is_alpha(sc->s[j + m]));
}

/*
 * The repeating part of a decimal at j: \overline{27}, \bar{3}, \dot{3}
 * (one digit) or (27) right after the digits.  Returns the end, or 0.
 */
static size_t repetend(const struct scan *sc, size_t j, size_t *beg, size_t *len)
{
	if (j < sc->n && sc->s[j] == '(') {
		size_t k = j + 1;
		while (k < sc->n && is_digit(sc->s[k]))
			k++;
		if (k > j + 1 && k < sc->n && sc->s[k] == ')') {
			*beg = j + 1;
			*len = k - j - 1;
			return k + 1;
		}
		return 0;
	}
	static const char *const marks[] = {"\\overline", "\\bar", "\\dot"};
	for (size_t m = 0; m < ARRAY_SIZE(marks); m++) {
		if (!starts(sc, j, marks[m]))
			continue;
		size_t k = j + strlen(marks[m]);
		while (k < sc->n && sc->s[k] == ' ')
			k++;
		size_t end = digit_arg(sc, k, beg, len);
		if (end && (m < 2 || *len == 1))
			return end;
	}
	return 0;
}

/* d holds digits with an optional '.'; multiply by 10^e in place, as plain decimal text. */
static void shift_decimal(struct strbuf *d, long e)
{
	struct strbuf m = STRBUF_INIT;
	long point = -1;
	for (size_t k = 0; k < d->len; k++) {
		if (d->buf[k] == '.')
			point = (long)m.len;
		else
			strbuf_addch(&m, d->buf[k]);
	}
	if (point < 0)
		point = (long)m.len;
	point += e;
	strbuf_reset(d);
	if (point <= 0) {
		strbuf_adds(d, "0.");
		for (long k = point; k < 0; k++)
			strbuf_addch(d, '0');
		strbuf_add(d, m.buf, m.len);
	} else if ((size_t)point >= m.len) {
		strbuf_add(d, m.buf, m.len);
		for (size_t k = m.len; k < (size_t)point; k++)
			strbuf_addch(d, '0');
	} else {
		strbuf_add(d, m.buf, (size_t)point);
		strbuf_addch(d, '.');
		strbuf_add(d, m.buf + point, m.len - (size_t)point);
	}
	if (strchr(d->buf, '.')) {
		while (d->buf[d->len - 1] == '0')
			d->buf[--d->len] = '\0';
		if (d->buf[d->len - 1] == '.')
			d->buf[--d->len] = '\0';
	}
	strbuf_release(&m);
}

/* 1.9e4, 1.9E-4, 1.9e+4 at j (no letter may follow); returns the end or 0. */
static size_t exponent(const struct scan *sc, size_t j, long *e)
{
	if (j >= sc->n || (sc->s[j] != 'e' && sc->s[j] != 'E'))
		return 0;
	size_t k = j + 1;
	int neg = 0;
	if (k < sc->n && (sc->s[k] == '+' || sc->s[k] == '-'))
		neg = sc->s[k++] == '-';
	size_t d = k;
	long v = 0;
	while (k < sc->n && is_digit(sc->s[k]) && k - d < 6)
		v = v * 10 + (sc->s[k++] - '0');
	if (k == d || (k < sc->n && (is_alpha(sc->s[k]) || is_digit(sc->s[k]))) ||
	    (k + 1 < sc->n && sc->s[k] == '.' && is_digit(sc->s[k + 1])))
		return 0;
	*e = neg ? -v : v;
	return k;
}

static void number(struct scan *sc)
{
	struct strbuf d = STRBUF_INIT;
	size_t j = sc->i;
	if (sc->s[j] == '.')
		strbuf_addch(&d, '0');
	size_t first = j;
	while (j < sc->n && is_digit(sc->s[j]))
		strbuf_addch(&d, sc->s[j++]);
	size_t lead = j - first;
	if (lead >= 1 && lead <= 3 && !(lead > 1 && sc->s[first] == '0')) {
		int groups = 0;
		size_t m;
		while (j < sc->n && (m = thousands_sep(sc, j, groups)) > 0) {
			strbuf_add(&d, sc->s + j + m, 3);
			j += m + 3;
			groups++;
		}
	}
	size_t rb = 0, rl = 0, end;
	int repeating = 0, fraction = 0;
	if (j + 1 < sc->n && sc->s[j] == '.' && (end = repetend(sc, j + 1, &rb, &rl)) > 0) {
		strbuf_addch(&d, '.');
		j = end;
		repeating = 1;
	} else if (j + 1 < sc->n && sc->s[j] == '.' && is_digit(sc->s[j + 1])) {
		strbuf_addch(&d, '.');
		j++;
		while (j < sc->n && is_digit(sc->s[j]))
			strbuf_addch(&d, sc->s[j++]);
		fraction = 1;
		if ((end = repetend(sc, j, &rb, &rl)) > 0) {
			j = end;
			repeating = 1;
		}
	}
	if (repeating) {
		/* "2.|27": the digits after '|' repeat for ever */
		strbuf_addch(&d, '|');
		strbuf_add(&d, sc->s + rb, rl);
	}
	long e10;
	if (!repeating && (end = exponent(sc, j, &e10)) > 0) {
		if (e10 > MATH_LEX_MAX_EXP10 || e10 < -MATH_LEX_MAX_EXP10)
			opaque(sc, "a power of ten too large to spell out");
		else
			shift_decimal(&d, e10);
		j = end;
	}
	sc->i = j;
	if (!repeating && !fraction && j + 1 < sc->n && sc->s[j] == 'C' && is_digit(sc->s[j + 1])) {
		/* 7C3 is the binomial coefficient */
		size_t k = j + 1;
		while (k < sc->n && is_digit(sc->s[k]))
			k++;
		push(sc, MT_BINOM, 0, NULL, 0);
		push(sc, MT_NUM, 0, d.buf, d.len);
		push(sc, MT_NUM, 0, sc->s + j + 1, k - j - 1);
		sc->i = k;
		strbuf_release(&d);
		return;
	}
	push(sc, MT_NUM, 0, d.buf, d.len);
	strbuf_release(&d);
	/* "1.9 x 10^4": the letter x between a number and 10^ is a times sign */
	size_t k = sc->i;
	while (k < sc->n && sc->s[k] == ' ')
		k++;
	if (k < sc->n && sc->s[k] == 'x') {
		size_t q = k + 1;
		while (q < sc->n && sc->s[q] == ' ')
			q++;
		if (q + 3 <= sc->n && !memcmp(sc->s + q, "10^", 3)) {
			push_op(sc, '*');
			sc->i = q;
		}
	}
}

/*
 * A numeral in another base: 1011_2, 1011_{2}, FF_{16}, (1011)_2.  The digits
 * must all be valid in the base (2..36); a run of letters alone needs two of
 * them and a base above ten, so F_{16} and a_{10} stay names.  On a match
 * the decimal value is pushed and 1 returned.
 */
static int base_numeral(struct scan *sc)
{
	size_t i = sc->i, j, paren = sc->s[i] == '(';
	if (paren)
		i++;
	j = i;
	int digits = 0;
	while (j < sc->n && (is_digit(sc->s[j]) || (sc->s[j] >= 'A' && sc->s[j] <= 'Z'))) {
		digits += is_digit(sc->s[j]);
		j++;
	}
	size_t run = j - i;
	if (run == 0 || run > 200 || (paren && (j >= sc->n || sc->s[j++] != ')')))
		return 0;
	if (j >= sc->n || sc->s[j] != '_')
		return 0;
	size_t bb, bl, end = digit_arg(sc, j + 1, &bb, &bl);
	if (!end || bl > 2)
		return 0;
	int base = 0;
	for (size_t k = 0; k < bl; k++)
		base = base * 10 + (sc->s[bb + k] - '0');
	if (base < 2 || base > 36 || (!digits && (run < 2 || base <= 10)))
		return 0;
	for (size_t k = i; k < i + run; k++) {
		char c = sc->s[k];
		int v = is_digit(c) ? c - '0' : c - 'A' + 10;
		if (v >= base)
			return 0;
	}
	char buf[208];
	memcpy(buf, sc->s + i, run);
	buf[run] = '\0';
	mpz_t z;
	mpz_init(z);
	int ok = mpz_set_str(z, buf, base) == 0;
	if (ok) {
		char *dec = mpz_get_str(NULL, 10, z);
		sc->i = end;
		push(sc, MT_NUM, 0, dec, strlen(dec));
		free(dec);
	}
	mpz_clear(z);
	return ok;
}

/* {}^{n}C_{k}, ^nC_k: the binomial coefficient written with scripts. */
static int prescript_binom(struct scan *sc)
{
	size_t j = sc->i;
	if (j + 1 < sc->n && sc->s[j] == '{' && sc->s[j + 1] == '}')
		j += 2;
	if (j >= sc->n || sc->s[j] != '^')
		return 0;
	size_t nb, nl, kb, kl, end = digit_arg(sc, j + 1, &nb, &nl);
	if (!end || end + 1 >= sc->n || sc->s[end] != 'C' || sc->s[end + 1] != '_')
		return 0;
	end = digit_arg(sc, end + 2, &kb, &kl);
	if (!end)
		return 0;
	push(sc, MT_BINOM, 0, NULL, 0);
	push(sc, MT_NUM, 0, sc->s + nb, nl);
	push(sc, MT_NUM, 0, sc->s + kb, kl);
	sc->i = end;
	return 1;
}

/* ---- Unicode ---- */

struct uni_map {
	const char *utf8;
	enum mtok type;
	char op;
};

static const struct uni_map uni_table[] = {
	{"\xe2\x88\x9a", MT_SQRT, 0},   /* √ */
	{"\xcf\x80", MT_PI, 0},         /* π */
	{"\xe2\x88\x9e", MT_INF, 0},    /* ∞ */
	{"\xe2\x88\x92", MT_OP, '-'},   /* − */
	{"\xe2\x80\x93", MT_OP, '-'},   /* – */
	{"\xc3\x97", MT_OP, '*'},       /* × */
	{"\xc2\xb7", MT_OP, '*'},       /* · */
	{"\xe2\x8b\x85", MT_OP, '*'},   /* ⋅ */
	{"\xe2\x88\x99", MT_OP, '*'},   /* ∙ */
	{"\xc3\xb7", MT_OP, '/'},       /* ÷ */
	{"\xe2\x89\xa4", MT_LE, 0},     /* ≤ */
	{"\xe2\xa9\xbd", MT_LE, 0},     /* ⩽ */
	{"\xe2\x89\xa5", MT_GE, 0},     /* ≥ */
	{"\xe2\xa9\xbe", MT_GE, 0},     /* ⩾ */
	{"\xe2\x89\xa0", MT_NE, 0},     /* ≠ */
	{"\xc2\xb1", MT_PM, 0},         /* ± */
	{"\xe2\x88\x93", MT_MP, 0},     /* ∓ */
	{"\xc2\xb0", MT_DEGREE, 0},     /* ° */
	{"\xe2\x88\xaa", MT_CUP, 0},    /* ∪ */
	{"\xe2\x88\xa9", MT_CAP, 0},    /* ∩ */
	{"\xe2\x88\x88", MT_IN, 0},     /* ∈ */
	{"\xe2\x89\x88", MT_APPROX, 0}, /* ≈ */
	{"\xe2\x80\x99", MT_OP, '\''},  /* ’ */
};

static int unicode(struct scan *sc)
{
	const char *p = sc->s + sc->i;
	size_t left = sc->n - sc->i;
	for (size_t k = 0; k < ARRAY_SIZE(uni_table); k++) {
		size_t m = strlen(uni_table[k].utf8);
		if (m <= left && !memcmp(p, uni_table[k].utf8, m)) {
			sc->i += m;
			push(sc, uni_table[k].type, uni_table[k].op, NULL, 0);
			if (uni_table[k].type == MT_SQRT)
				sc->pending = 1;
			return 1;
		}
	}
	static const char *const sups[] = {"\xc2\xb2", "\xc2\xb3"}; /* ² ³ */
	for (size_t k = 0; k < 2; k++) {
		if (left >= 2 && !memcmp(p, sups[k], 2)) {
			sc->i += 2;
			push_op(sc, '^');
			push(sc, MT_NUM, 0, k ? "3" : "2", 1);
			return 1;
		}
	}
	static const char *const blanks[] = {
		"\xc2\xa0", "\xe2\x80\xaf", "\xe2\x80\x89", "\xe2\x80\xa6", /* nbsp, thin, … */
		"\xe2\x82\xac", "\xc2\xa3", "\xc2\xa5",                     /* € £ ¥ */
	};
	for (size_t k = 0; k < ARRAY_SIZE(blanks); k++) {
		size_t m = strlen(blanks[k]);
		if (m <= left && !memcmp(p, blanks[k], m)) {
			sc->i += m;
			sc->space = 1;
			return 1;
		}
	}
	return 0;
}

/* Any other non-ASCII character run is a word (names in other scripts). */
static void foreign(struct scan *sc)
{
	size_t j = sc->i;
	while (j < sc->n && ((unsigned char)sc->s[j] >= 0x80 || is_alpha(sc->s[j])))
		j++;
	push(sc, MT_WORD, 0, sc->s + sc->i, j - sc->i);
	sc->i = j;
}

/* ---- The loop ---- */

static void caret(struct scan *sc)
{
	size_t j = sc->i + 1;
	while (j < sc->n && is_space(sc->s[j]))
		j++;
	static const char *const degs[] = {"\\circ", "{\\circ}", "{ \\circ }", "{\\circ }", "\\degree"};
	for (size_t k = 0; k < ARRAY_SIZE(degs); k++) {
		size_t m = strlen(degs[k]);
		if (j + m <= sc->n && !memcmp(sc->s + j, degs[k], m) &&
		    !(j + m < sc->n && is_alpha(sc->s[j + m]))) {
			sc->i = j + m;
			push(sc, MT_DEGREE, 0, NULL, 0);
			return;
		}
	}
	sc->i++;
	push_op(sc, '^');
	sc->pending = 1;
}

/* Only blanks, '$' or the end of the text follow j. */
static int at_end(const struct scan *sc, size_t j)
{
	while (j < sc->n && (is_space(sc->s[j]) || sc->s[j] == '$'))
		j++;
	return j >= sc->n;
}

/* '[' that closes an interval written ]a,b[ or [a,b[: what follows ends an item. */
static int closes_interval(const struct scan *sc, size_t j)
{
	while (j < sc->n && is_space(sc->s[j]))
		j++;
	return sc->depth > 0 && (at_end(sc, j) || sc->s[j] == ',' || sc->s[j] == ';' || sc->s[j] == '.' ||
				 sc->s[j] == '}' || starts(sc, j, "\\cup") || starts(sc, j, "\\quad") ||
				 starts(sc, j, "\\)") || starts(sc, j, "\\]"));
}

/* sc->i is just past a '.'. */
static void dot(struct scan *sc)
{
	if (sc->i < sc->n && sc->s[sc->i] == '.') {
		while (sc->i < sc->n && sc->s[sc->i] == '.')
			sc->i++;
		push(sc, MT_DOTS, 0, NULL, 0);
		return;
	}
	/* a full stop ends the answer; anywhere else a lone dot is not understood (3.\,5) */
	if (!at_end(sc, sc->i))
		opaque(sc, "a dot that is neither a decimal point nor a full stop");
	sc->space = 1;
}

static void ascii(struct scan *sc, char c)
{
	char next = sc->i + 1 < sc->n ? sc->s[sc->i + 1] : 0;
	sc->i++;
	switch (c) {
	case '(': push(sc, MT_LP, 0, NULL, 0); sc->depth++; return;
	case ')': push(sc, MT_RP, 0, NULL, 0); sc->depth--; return;
	case '[':
		if (closes_interval(sc, sc->i)) {
			push(sc, MT_RP, 0, NULL, 0);
			sc->depth--;
		} else {
			push(sc, MT_LB, 0, NULL, 0);
			sc->depth++;
		}
		return;
	case ']':
		if (sc->depth <= 0) {
			/* ]a, b[ and ]a, b]: the French open end */
			push(sc, MT_LP, 0, NULL, 0);
			sc->depth++;
		} else {
			push(sc, MT_RB, 0, NULL, 0);
			sc->depth--;
		}
		return;
	case '{': push(sc, MT_LC, 0, NULL, 0); sc->depth++; return;
	case '}': push(sc, MT_RC, 0, NULL, 0); sc->depth--; return;
	case '&': push(sc, MT_AMP, 0, NULL, 0); return;
	case '%': push(sc, MT_PERCENT, 0, NULL, 0); return;
	case '<':
		if (next == '=') {
			sc->i++;
			push(sc, MT_LE, 0, NULL, 0);
		} else {
			push_op(sc, '<');
		}
		return;
	case '>':
		if (next == '=') {
			sc->i++;
			push(sc, MT_GE, 0, NULL, 0);
		} else {
			push_op(sc, '>');
		}
		return;
	case '!':
		if (next == '=') {
			sc->i++;
			push(sc, MT_NE, 0, NULL, 0);
		} else {
			push_op(sc, '!');
		}
		return;
	case '*':
		if (next == '*') {
			sc->i++;
			push_op(sc, '^');
		} else {
			push_op(sc, '*');
		}
		return;
	case '^': sc->i--; caret(sc); return;
	case '_': push_op(sc, '_'); sc->pending = 1; return;
	case '+': case '-': case '/': case ',': case ';': case ':': case '=': case '|': case '\'':
		push_op(sc, c);
		return;
	case '.':
		dot(sc);
		return;
	case '$': case '~': case '"':
		sc->space = 1; /* math wrappers, TeX's tie, quotes */
		return;
	default:
		opaque(sc, "a character outside the grammar");
		sc->space = 1;
		return;
	}
}

static void scan_span(struct scan *sc, const char *s, size_t n, int text)
{
	const char *os = sc->s;
	size_t on = sc->n, oi = sc->i;
	int otext = sc->text;
	sc->s = s;
	sc->n = n;
	sc->i = 0;
	sc->text = text;
	while (sc->i < sc->n && !sc->err) {
		char c = sc->s[sc->i];
		if (is_space(c)) {
			sc->space = 1;
			sc->i++;
		} else if (c == '\\') {
			command(sc);
		} else if ((is_digit(c) || (c >= 'A' && c <= 'Z') || c == '(') && !sc->pending &&
			   !sc->text && base_numeral(sc)) {
			continue;
		} else if ((c == '^' || (c == '{' && sc->i + 1 < sc->n && sc->s[sc->i + 1] == '}')) &&
			   !sc->text && prescript_binom(sc)) {
			continue;
		} else if (is_digit(c)) {
			if (sc->pending > 0) {
				push(sc, MT_NUM, 0, &sc->s[sc->i], 1);
				sc->pending--;
				sc->i++;
			} else {
				number(sc);
			}
		} else if (c == '.' && sc->i + 1 < sc->n && is_digit(sc->s[sc->i + 1])) {
			number(sc);
		} else if (is_alpha(c)) {
			size_t j = sc->i;
			while (j < sc->n && is_alpha(sc->s[j]))
				j++;
			const char *p = sc->s + sc->i;
			sc->i = j;
			letters(sc, p, (size_t)(sc->s + j - p));
		} else if ((unsigned char)c >= 0x80) {
			if (!unicode(sc))
				foreign(sc);
		} else {
			ascii(sc, c);
		}
	}
	sc->s = os;
	sc->n = on;
	sc->i = oi;
	sc->text = otext;
}

void math_lex_init(struct math_lex *lx)
{
	lx->tok = NULL;
	lx->n = lx->cap = 0;
	lx->opaque = NULL;
	strbuf_init(&lx->text);
	strbuf_init(&lx->uni);
}

void math_lex_release(struct math_lex *lx)
{
	free(lx->tok);
	strbuf_release(&lx->text);
	strbuf_release(&lx->uni);
	math_lex_init(lx);
}

int math_lex_run(struct math_lex *lx, struct strview v)
{
	lx->n = 0;
	lx->opaque = NULL;
	lx->unknown = 0;
	strbuf_reset(&lx->text);
	if (v.len > MATH_LEX_MAX_INPUT)
		return -1;
	if (math_uni_needed(v)) {
		strbuf_reset(&lx->uni);
		math_uni_rewrite(v, &lx->uni);
		v.ptr = lx->uni.buf;
		v.len = lx->uni.len;
	}
	struct scan sc = {.lx = lx};
	scan_span(&sc, v.ptr, v.len, 0);
	if (sc.depth != 0)
		opaque(&sc, "brackets that do not balance");
	sc.space = 1;
	push(&sc, MT_END, 0, NULL, 0);
	if (sc.err) {
		/* push refused the end token too: make room for it. */
		GROW(lx->tok, lx->cap, lx->n + 1);
		lx->tok[lx->n].type = MT_END;
		lx->tok[lx->n].len = 0;
		lx->tok[lx->n].off = 0;
		lx->n++;
		return -1;
	}
	return 0;
}

struct strview math_tok_text(const struct math_lex *lx, const struct mtoken *t)
{
	struct strview v = {lx->text.buf + t->off, t->len};
	return v;
}
