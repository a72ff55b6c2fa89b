/*
 * math_parse: a recursive-descent parser over math_lex tokens; see
 * math_parse.h.  Precedence, loosest first: lists (, ; and or), relations
 * (= < <= > >= != \in \approx), ratios (a:b), unions, sums (+ - ±),
 * products (explicit or implicit), unary signs, powers, postfix (! % °),
 * primaries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graders/math/parse.h"

/* ---- Arena ---- */

struct math_arena_block {
	struct math_arena_block *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

#define ARENA_BLOCK 16384

void math_tree_init(struct math_tree *t)
{
	t->root = NULL;
	t->nodes = 0;
	t->lenient = 0;
	t->skipped = 0;
	t->units = NULL;
	t->blocks = NULL;
}

void math_tree_release(struct math_tree *t)
{
	struct math_arena_block *b = t->blocks;
	while (b) {
		struct math_arena_block *next = b->next;
		free(b);
		b = next;
	}
	math_tree_init(t);
}

void *math_tree_alloc(struct math_tree *t, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	struct math_arena_block *b = t->blocks;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		b = xmalloc(sizeof(*b) + cap);
		b->next = t->blocks;
		b->used = 0;
		b->cap = cap;
		t->blocks = b;
	}
	void *p = b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

struct mnode *math_node_new(struct math_tree *t, enum mkind kind, int nkids)
{
	if (t->nodes >= MATH_MAX_NODES)
		return NULL;
	t->nodes++;
	struct mnode *n = math_tree_alloc(t, sizeof(*n));
	n->kind = kind;
	n->n = nkids;
	if (nkids)
		n->kid = math_tree_alloc(t, (size_t)nkids * sizeof(*n->kid));
	return n;
}

const char *math_tree_strdup(struct math_tree *t, const char *s, size_t n)
{
	char *p = math_tree_alloc(t, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* ---- Parser state ---- */

struct parser {
	const struct math_lex *lx;
	size_t pos;
	struct math_tree *t;
	int depth;
	int err;
};

/* A growable list of kids, moved into the arena when complete. */
struct kids {
	struct mnode **v;
	size_t n, cap;
};

static void kids_push(struct kids *k, struct mnode *n)
{
	GROW(k->v, k->cap, k->n + 1);
	k->v[k->n++] = n;
}

static struct mnode *kids_node(struct parser *p, struct kids *k, enum mkind kind)
{
	struct mnode *n = math_node_new(p->t, kind, (int)k->n);
	if (!n)
		p->err = 1;
	else if (k->n)
		memcpy(n->kid, k->v, k->n * sizeof(*n->kid));
	free(k->v);
	memset(k, 0, sizeof(*k));
	return n;
}

static const struct mtoken *peek(const struct parser *p)
{
	return &p->lx->tok[p->pos];
}

static const struct mtoken *peek2(const struct parser *p)
{
	if (p->lx->tok[p->pos].type == MT_END)
		return &p->lx->tok[p->pos];
	return &p->lx->tok[p->pos + 1];
}

static int is_op(const struct mtoken *t, char c)
{
	return t->type == MT_OP && t->op == c;
}

static struct mnode *node(struct parser *p, enum mkind kind, int nkids)
{
	struct mnode *n = math_node_new(p->t, kind, nkids);
	if (!n)
		p->err = 1;
	return n;
}

static struct mnode *leaf(struct parser *p, enum mkind kind, const char *s, size_t len)
{
	struct mnode *n = node(p, kind, 0);
	if (n)
		n->text = math_tree_strdup(p->t, s, len);
	return n;
}

static struct mnode *unary_node(struct parser *p, enum mkind kind, struct mnode *a)
{
	struct mnode *n = node(p, kind, 1);
	if (n)
		n->kid[0] = a;
	return n;
}

static struct mnode *binary_node(struct parser *p, enum mkind kind, struct mnode *a, struct mnode *b)
{
	struct mnode *n = node(p, kind, 2);
	if (n) {
		n->kid[0] = a;
		n->kid[1] = b;
	}
	return n;
}

static struct mnode *list(struct parser *p, int inner);
static struct mnode *relation(struct parser *p);
static struct mnode *sum(struct parser *p);
static struct mnode *unary(struct parser *p);
static struct mnode *power(struct parser *p);
static struct mnode *term(struct parser *p);
static struct mnode *primary(struct parser *p);
static struct mnode *argument(struct parser *p);

static int is_separator(const struct mtoken *t)
{
	return is_op(t, ',') || is_op(t, ';') || t->type == MT_AND;
}

static int is_closer(const struct mtoken *t)
{
	return t->type == MT_RP || t->type == MT_RB || t->type == MT_RC || t->type == MT_RSET ||
	       t->type == MT_END || t->type == MT_AMP || t->type == MT_ROWSEP ||
	       t->type == MT_END_MAT || t->type == MT_OVER || t->type == MT_CHOOSE;
}

/* Skip to the next separator or closer at this nesting level. */
static void skip_rest(struct parser *p)
{
	int d = 0;
	for (;;) {
		const struct mtoken *t = peek(p);
		if (t->type == MT_END)
			return;
		if (d == 0 && (is_separator(t) || is_closer(t)))
			return;
		if (t->type == MT_LP || t->type == MT_LB || t->type == MT_LC || t->type == MT_LSET)
			d++;
		if (t->type == MT_RP || t->type == MT_RB || t->type == MT_RC || t->type == MT_RSET)
			d--;
		p->pos++;
	}
}

/* ---- Lists ---- */

/*
 * Items separated by , ; "and" "or".  At the top level, groups separated
 * by ';' that have several items each become tuples: p=5,q=2;p=7,q=2, and
 * so do groups separated by "and" when they all have the same size:
 * p=5,q=2 and p=7,q=2 (but 1, 2 and 3 is three items).  Inside brackets
 * ';' is just another comma: (0;-2;6).
 */
static struct mnode *close_group(struct parser *p, struct kids *group)
{
	if (group->n == 1) {
		struct mnode *one = group->v[0];
		free(group->v);
		memset(group, 0, sizeof(*group));
		return one;
	}
	struct mnode *g = kids_node(p, group, MK_TUPLE);
	if (g) {
		g->open = '(';
		g->close = ')';
	}
	return g;
}

static struct mnode *list(struct parser *p, int inner)
{
	struct kids all = {0}, group = {0}, groups = {0};
	int semis = 0, ands = 0, wide = 0, size = -1, same = 1;
	for (;;) {
		const struct mtoken *t = peek(p);
		if (is_separator(t)) {
			if ((is_op(t, ';') || t->type == MT_AND) && !inner && group.n) {
				semis += is_op(t, ';');
				ands += t->type == MT_AND;
				wide |= group.n > 1;
				same &= size < 0 || (int)group.n == size;
				size = (int)group.n;
				kids_push(&groups, close_group(p, &group));
			}
			p->pos++;
			continue;
		}
		if (is_closer(t))
			break;
		struct mnode *it = relation(p);
		if (!it || p->err)
			goto fail;
		kids_push(&all, it);
		kids_push(&group, it);
	}
	if ((semis || ands) && group.n) {
		wide |= group.n > 1;
		same &= size < 0 || (int)group.n == size;
		kids_push(&groups, close_group(p, &group));
	}
	free(group.v);
	if (wide && (semis || same)) {
		free(all.v);
		return kids_node(p, &groups, MK_LIST);
	}
	free(groups.v);
	if (all.n == 0) {
		free(all.v);
		p->err = 1;
		return NULL;
	}
	if (all.n == 1) {
		struct mnode *one = all.v[0];
		free(all.v);
		return one;
	}
	return kids_node(p, &all, MK_LIST);
fail:
	free(all.v);
	free(group.v);
	free(groups.v);
	p->err = 1;
	return NULL;
}

/* ---- Relations, ratios, unions ---- */

static int rel_of(const struct mtoken *t, enum mrel *r)
{
	switch (t->type) {
	case MT_LE: *r = MR_LE; return 1;
	case MT_GE: *r = MR_GE; return 1;
	case MT_NE: *r = MR_NE; return 1;
	case MT_OP:
		if (t->op == '=') { *r = MR_EQ; return 1; }
		if (t->op == '<') { *r = MR_LT; return 1; }
		if (t->op == '>') { *r = MR_GT; return 1; }
		return 0;
	default: return 0;
	}
}

static struct mnode *ratio(struct parser *p);

static struct mnode *relation(struct parser *p)
{
	struct kids parts = {0};
	enum mrel rels[64];
	int nrel = 0;
	struct mnode *a = ratio(p);
	if (!a)
		goto fail;
	kids_push(&parts, a);
	for (;;) {
		const struct mtoken *t = peek(p);
		enum mrel r;
		if (t->type == MT_IN && nrel == 0 && parts.n == 1) {
			p->pos++;
			struct mnode *s = ratio(p);
			if (!s)
				goto fail;
			struct mnode *in = binary_node(p, MK_IN, parts.v[0], s);
			free(parts.v);
			return in;
		}
		if (t->type == MT_APPROX) {
			/* x \approx 11 reads as x = 11; an approximation after an
			 * exact answer is dropped. */
			if (nrel == 0 && parts.n == 1 && parts.v[0]->kind == MK_SYM) {
				p->pos++;
				r = MR_EQ;
			} else {
				size_t from = p->pos;
				skip_rest(p);
				p->t->skipped += (int)(p->pos - from);
				p->t->lenient |= ML_APPROX_TAIL;
				break;
			}
		} else if (rel_of(t, &r)) {
			p->pos++;
		} else {
			break;
		}
		if (nrel >= (int)ARRAY_SIZE(rels))
			goto fail;
		struct mnode *b = ratio(p);
		if (!b)
			goto fail;
		rels[nrel++] = r;
		kids_push(&parts, b);
	}
	if (nrel == 0) {
		free(parts.v);
		return a;
	}
	struct mnode *n = kids_node(p, &parts, MK_REL);
	if (!n)
		return NULL;
	n->rel = math_tree_alloc(p->t, (size_t)nrel * sizeof(*n->rel));
	memcpy(n->rel, rels, (size_t)nrel * sizeof(*n->rel));
	return n;
fail:
	free(parts.v);
	p->err = 1;
	return NULL;
}

static struct mnode *set_ops(struct parser *p);

static struct mnode *ratio(struct parser *p)
{
	struct mnode *a = set_ops(p);
	if (!a || !is_op(peek(p), ':'))
		return a;
	struct kids k = {0};
	kids_push(&k, a);
	while (is_op(peek(p), ':')) {
		p->pos++;
		struct mnode *b = set_ops(p);
		if (!b) {
			free(k.v);
			return NULL;
		}
		kids_push(&k, b);
	}
	return kids_node(p, &k, MK_RATIO);
}

static struct mnode *set_ops(struct parser *p)
{
	struct mnode *a = sum(p);
	if (!a)
		return NULL;
	enum mtok op = peek(p)->type;
	if (op != MT_CUP && op != MT_CAP)
		return a;
	struct kids k = {0};
	kids_push(&k, a);
	while (peek(p)->type == op) {
		p->pos++;
		struct mnode *b = sum(p);
		if (!b) {
			free(k.v);
			return NULL;
		}
		kids_push(&k, b);
	}
	return kids_node(p, &k, op == MT_CUP ? MK_UNION : MK_INTER);
}

/* ---- Sums and products ---- */

static struct mnode *term(struct parser *p);

static struct mnode *sum(struct parser *p)
{
	struct kids k = {0};
	struct mnode *pm = NULL; /* a pending a ± b */
	int first = 1;
	for (;;) {
		const struct mtoken *t = peek(p);
		int neg = 0, plusminus = 0;
		if (is_op(t, '+') || is_op(t, '-')) {
			neg = is_op(t, '-');
			p->pos++;
		} else if (t->type == MT_PM || t->type == MT_MP) {
			plusminus = t->type == MT_PM ? 1 : 2;
			p->pos++;
		} else if (!first) {
			break;
		}
		struct mnode *x = term(p);
		if (!x)
			goto fail;
		if (neg)
			x = unary_node(p, MK_NEG, x);
		if (plusminus) {
			struct mnode *base;
			if (k.n == 0)
				base = NULL;
			else if (k.n == 1)
				base = k.v[0];
			else
				base = kids_node(p, &k, MK_ADD);
			k.n = 0;
			pm = node(p, MK_PM, base ? 2 : 1);
			if (!pm)
				goto fail;
			if (base) {
				pm->kid[0] = base;
				pm->kid[1] = x;
			} else {
				pm->kid[0] = x;
			}
			pm->flags = plusminus == 2 ? MF_MP : 0;
			kids_push(&k, pm);
		} else {
			kids_push(&k, x);
		}
		first = 0;
		if (p->err)
			goto fail;
	}
	if (k.n == 1) {
		struct mnode *one = k.v[0];
		free(k.v);
		return one;
	}
	return kids_node(p, &k, MK_ADD);
fail:
	free(k.v);
	p->err = 1;
	return NULL;
}

static int starts_factor(const struct mtoken *t)
{
	switch (t->type) {
	case MT_NUM: case MT_SYM: case MT_FUNC: case MT_SQRT: case MT_FRAC: case MT_BINOM: case MT_PI:
	case MT_LP: case MT_LC: case MT_BEGIN_MAT: case MT_INF: case MT_LSET: case MT_LFLOOR:
	case MT_LCEIL: case MT_ACCENT:
		return 1;
	default:
		return 0;
	}
}

static int is_integer_num(const struct mnode *n)
{
	return n && n->kind == MK_NUM && !strchr(n->text, '.');
}

/* 2\frac{1}{3}: an integer followed by a fraction of integers. */
static int is_mixed(const struct mnode *whole, const struct mnode *frac, int was_frac)
{
	return was_frac && is_integer_num(whole) && frac->kind == MK_DIV &&
	       is_integer_num(frac->kid[0]) && is_integer_num(frac->kid[1]);
}

/* Units of measure: dropped after a quantity (docs/math-conventions.md). */
static const char *const unit_words[] = {
	"m", "cm", "mm", "km", "dm", "nm", "in", "inch", "inches", "ft", "feet", "foot", "yd", "yard",
	"yards", "mi", "mile", "miles", "meter", "meters", "metre", "metres", "centimeter",
	"centimeters", "millimeter", "millimeters", "kilometer", "kilometers", "g", "kg", "mg", "gram",
	"grams", "kilogram", "kilograms", "lb", "lbs", "pound", "pounds", "oz", "ounce", "ounces",
	"ton", "tons", "l", "ml", "liter", "liters", "litre", "litres", "gallon", "gallons", "cup",
	"cups", "s", "sec", "secs", "second", "seconds", "min", "mins", "minute", "minutes", "h", "hr",
	"hrs", "hour", "hours", "day", "days", "week", "weeks", "month", "months", "year", "years",
	"yr", "yrs", "deg", "degree", "degrees", "rad", "radian", "radians", "dollar", "dollars",
	"cent", "cents", "euro", "euros", "usd", "mph", "kmh", "unit", "units", "sq", "square",
	"cubic", "j", "joule", "joules", "n", "newton", "newtons", "w", "watt", "watts", "hz", "kw",
	"kj", "ms", "am", "pm", "gr", "m/s", "km/h", "pages", "page",
};

/* Words that are values: 36 million is 36000000. */
static const struct {
	const char *word;
	const char *value;
} multipliers[] = {
	{"thousand", "1000"}, {"million", "1000000"}, {"billion", "1000000000"},
	{"trillion", "1000000000000"}, {"hundred", "100"}, {"dozen", "12"},
};

static int word_in(struct strview v, const char *const *list, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		size_t m = strlen(list[k]);
		if (m != v.len)
			continue;
		size_t j = 0;
		while (j < m && (v.ptr[j] | 0x20) == list[k][j])
			j++;
		if (j == m)
			return 1;
	}
	return 0;
}

/* Unit words after a quantity (with ^2 after one): recorded, then passed over. */
static int skip_units(struct parser *p)
{
	struct strbuf u = STRBUF_INIT;
	if (p->t->units)
		strbuf_adds(&u, p->t->units);
	size_t from = p->pos;
	while (peek(p)->type == MT_WORD && word_in(math_tok_text(p->lx, peek(p)), unit_words, ARRAY_SIZE(unit_words))) {
		struct strview v = math_tok_text(p->lx, peek(p));
		if (u.len)
			strbuf_addch(&u, ' ');
		for (size_t k = 0; k < v.len; k++)
			strbuf_addch(&u, (char)(v.ptr[k] | 0x20));
		p->pos++;
		if (is_op(peek(p), '^') && peek2(p)->type == MT_NUM) {
			strbuf_addf(&u, "^%s", math_tok_text(p->lx, peek2(p)).ptr);
			p->pos += 2;
		}
	}
	int n = (int)(p->pos - from);
	if (n) {
		p->t->skipped += n;
		p->t->lenient |= ML_UNITS;
		p->t->units = math_tree_strdup(p->t, u.buf, u.len);
	}
	strbuf_release(&u);
	return n;
}

/* A number word after a quantity: 36 million, 3 dozen, 7 squared. */
static struct mnode *value_word(struct parser *p, struct mnode *acc)
{
	struct strview v = math_tok_text(p->lx, peek(p));
	for (size_t k = 0; k < ARRAY_SIZE(multipliers); k++) {
		const char *w = multipliers[k].word;
		if (v.len == strlen(w) && !memcmp(v.ptr, w, v.len)) {
			p->pos++;
			struct mnode *m = leaf(p, MK_NUM, multipliers[k].value, strlen(multipliers[k].value));
			return m ? binary_node(p, MK_MUL, acc, m) : NULL;
		}
	}
	const char *e = NULL;
	if (v.len == 7 && !memcmp(v.ptr, "squared", 7))
		e = "2";
	else if (v.len == 5 && !memcmp(v.ptr, "cubed", 5))
		e = "3";
	if (!e)
		return NULL;
	p->pos++;
	struct mnode *x = leaf(p, MK_NUM, e, 1);
	return x ? binary_node(p, MK_POW, acc, x) : NULL;
}

static struct mnode *funcn(struct parser *p, const char *name, struct mnode *a, struct mnode *b)
{
	struct mnode *n = binary_node(p, MK_FUNCN, a, b);
	if (n)
		n->text = name;
	return n;
}

static struct mnode *term(struct parser *p)
{
	struct mnode *acc = unary(p);
	int single = 1;
	while (acc && !p->err) {
		const struct mtoken *t = peek(p);
		if (t->type == MT_WORD && acc->kind != MK_TEXT) {
			struct mnode *v = value_word(p, acc);
			if (v) {
				acc = v;
				continue;
			}
			if (!skip_units(p)) {
				p->err = 1; /* "45 at most": a word we do not know */
				return NULL;
			}
			continue;
		}
		if (t->type == MT_MOD || t->type == MT_PMOD) {
			p->pos++;
			struct mnode *b = t->type == MT_MOD ? unary(p) : argument(p);
			if (!b)
				return NULL;
			acc = funcn(p, t->type == MT_MOD ? "mod" : "pmod", acc, b);
			single = 0;
			continue;
		}
		if (is_op(t, '*') || is_op(t, '/')) {
			p->pos++;
			struct mnode *b = unary(p);
			if (!b)
				return NULL;
			acc = binary_node(p, t->op == '*' ? MK_MUL : MK_DIV, acc, b);
			single = 0;
			continue;
		}
		if (!starts_factor(t) || acc->kind == MK_TEXT)
			break;
		if (t->type == MT_NUM && t->space && p->pos > 0 && p->lx->tok[p->pos - 1].type == MT_NUM) {
			p->err = 1; /* "2 5" is not a product */
			return NULL;
		}
		int was_frac = t->type == MT_FRAC;
		struct mnode *b = power(p);
		if (!b)
			return NULL;
		if (single && is_mixed(acc, b, was_frac))
			acc = binary_node(p, MK_ADD, acc, b);
		else
			acc = binary_node(p, MK_MUL, acc, b);
		single = 0;
	}
	if (p->err)
		return NULL;
	return acc;
}

static struct mnode *unary(struct parser *p)
{
	const struct mtoken *t = peek(p);
	if (is_op(t, '-') || is_op(t, '+')) {
		p->pos++;
		struct mnode *a = unary(p);
		if (!a)
			return NULL;
		return is_op(t, '-') ? unary_node(p, MK_NEG, a) : a;
	}
	if (t->type == MT_PM) {
		p->pos++;
		struct mnode *a = unary(p);
		return a ? unary_node(p, MK_PM, a) : NULL;
	}
	return power(p);
}

static struct mnode *postfix(struct parser *p, struct mnode *a)
{
	while (a && !p->err) {
		const struct mtoken *t = peek(p);
		if (is_op(t, '!') && !t->space) {
			p->pos++;
			int twice = is_op(peek(p), '!') && !peek(p)->space;
			p->pos += twice;
			a = unary_node(p, twice ? MK_FACT2 : MK_FACT, a);
		} else if (t->type == MT_PERCENT) {
			p->pos++;
			a = unary_node(p, MK_PERCENT, a);
		} else if (t->type == MT_DEGREE) {
			p->pos++;
			a = unary_node(p, MK_DEGREE, a);
		} else if (is_op(t, '\'') && a->kind == MK_SYM) {
			p->pos++;
			size_t n = strlen(a->text);
			char buf[64];
			if (n + 2 > sizeof(buf))
				return a;
			memcpy(buf, a->text, n);
			buf[n] = '\'';
			a = leaf(p, MK_SYM, buf, n + 1);
		} else {
			break;
		}
	}
	return a;
}

static struct mnode *power(struct parser *p)
{
	if (++p->depth > MATH_MAX_DEPTH) {
		p->err = 1;
		return NULL;
	}
	struct mnode *a = postfix(p, primary(p));
	if (a && is_op(peek(p), '^')) {
		p->pos++;
		struct mnode *e = unary(p);
		a = e ? postfix(p, binary_node(p, MK_POW, a, e)) : NULL;
	}
	p->depth--;
	return p->err ? NULL : a;
}

/* ---- Primaries ---- */

static struct mnode *group(struct parser *p, enum mtok closer)
{
	struct mnode *g = list(p, 1);
	if (!g || peek(p)->type != closer) {
		p->err = 1;
		return NULL;
	}
	p->pos++;
	return g;
}

/* A single-token or braced TeX argument. */
static struct mnode *argument(struct parser *p)
{
	if (peek(p)->type == MT_LC) {
		p->pos++;
		return group(p, MT_RC);
	}
	return postfix(p, primary(p));
}

static void sub_text(struct parser *p, struct strbuf *sb, int *plain)
{
	/* The subscript of a symbol: plain names and digits only, else *plain = 0. */
	const struct mtoken *t = peek(p);
	if (t->type == MT_NUM || t->type == MT_SYM || t->type == MT_WORD) {
		struct strview v = math_tok_text(p->lx, t);
		strbuf_add(sb, v.ptr, v.len);
		p->pos++;
		return;
	}
	if (t->type != MT_LC) {
		*plain = 0;
		return;
	}
	size_t save = p->pos;
	p->pos++;
	while (peek(p)->type == MT_NUM || peek(p)->type == MT_SYM || peek(p)->type == MT_WORD) {
		struct strview v = math_tok_text(p->lx, peek(p));
		strbuf_add(sb, v.ptr, v.len);
		p->pos++;
	}
	if (peek(p)->type == MT_RC) {
		p->pos++;
		return;
	}
	p->pos = save;
	*plain = 0;
}

static int applies_function(const char *name)
{
	static const char fnames[] = "fghFGHPQWpqSTRLN";
	return (strlen(name) == 1 && strchr(fnames, name[0])) || strchr(name, '_') != NULL;
}

static struct mnode *symbol(struct parser *p)
{
	const struct mtoken *t = peek(p);
	struct strview v = math_tok_text(p->lx, t);
	struct strbuf name = STRBUF_INIT;
	strbuf_add(&name, v.ptr, v.len);
	p->pos++;
	struct mnode *sub = NULL;
	if (is_op(peek(p), '_')) {
		p->pos++;
		int plain = 1;
		strbuf_addch(&name, '_');
		sub_text(p, &name, &plain);
		if (!plain) {
			sub = argument(p);
			if (!sub) {
				strbuf_release(&name);
				return NULL;
			}
		}
	}
	struct mnode *n;
	if (sub) {
		n = leaf(p, MK_APPLY, name.buf, name.len);
		if (n) {
			n->kid = math_tree_alloc(p->t, sizeof(*n->kid));
			n->kid[0] = sub;
			n->n = 1;
		}
	} else if (peek(p)->type == MT_LP && !peek(p)->space && !strcmp(name.buf, "C")) {
		/* C(n, k) is the binomial coefficient */
		p->pos++;
		struct mnode *args = group(p, MT_RP);
		n = NULL;
		if (args && args->kind == MK_LIST && args->n == 2)
			n = binary_node(p, MK_BINOM, args->kid[0], args->kid[1]);
		else
			p->err = 1;
	} else if (peek(p)->type == MT_LP && !peek(p)->space && applies_function(name.buf)) {
		p->pos++;
		struct mnode *args = group(p, MT_RP);
		n = args ? leaf(p, MK_APPLY, name.buf, name.len) : NULL;
		if (n) {
			int many = args->kind == MK_LIST;
			n->n = many ? args->n : 1;
			n->kid = many ? args->kid : math_tree_alloc(p->t, sizeof(*n->kid));
			if (!many)
				n->kid[0] = args;
		}
	} else {
		n = leaf(p, MK_SYM, name.buf, name.len);
		if (n && t->op == '?')
			n->flags |= MF_UNKNOWN;
	}
	strbuf_release(&name);
	return n;
}

static struct mnode *function(struct parser *p)
{
	struct strview v = math_tok_text(p->lx, peek(p));
	p->pos++;
	struct mnode *base = NULL, *exp = NULL;
	if (is_op(peek(p), '_')) {
		p->pos++;
		base = argument(p);
		if (!base)
			return NULL;
	}
	if (is_op(peek(p), '^')) {
		p->pos++;
		exp = argument(p);
		if (!exp)
			return NULL;
	}
	char inv[16];
	if (exp && exp->kind == MK_NEG && exp->kid[0]->kind == MK_NUM && !strcmp(exp->kid[0]->text, "1") &&
	    v.len == 3 && (!memcmp(v.ptr, "sin", 3) || !memcmp(v.ptr, "cos", 3) || !memcmp(v.ptr, "tan", 3))) {
		/* \sin^{-1} is arcsin, not 1/sin */
		snprintf(inv, sizeof(inv), "arc%.3s", v.ptr);
		v = sv_from(inv);
		exp = NULL;
	}
	struct mnode *arg;
	if (peek(p)->type == MT_LP) {
		p->pos++;
		arg = group(p, MT_RP);
	} else {
		arg = power(p);
		/* \sin 2x is sin(2x): glued variables join the argument */
		while (arg && peek(p)->type == MT_SYM && !peek(p)->space) {
			struct mnode *b = power(p);
			arg = b ? binary_node(p, MK_MUL, arg, b) : NULL;
		}
	}
	if (!arg)
		return NULL;
	struct mnode *f = node(p, MK_FUNC, base ? 2 : 1);
	if (!f)
		return NULL;
	f->text = math_tree_strdup(p->t, v.ptr, v.len);
	f->kid[0] = arg;
	if (base)
		f->kid[1] = base;
	return exp ? binary_node(p, MK_POW, f, exp) : f;
}

static struct mnode *matrix(struct parser *p)
{
	struct kids cells = {0};
	int rows = 0, cols = -1, col = 0;
	for (;;) {
		const struct mtoken *t = peek(p);
		if (t->type == MT_END_MAT || t->type == MT_ROWSEP || t->type == MT_END) {
			if (col > 0) {
				if (cols >= 0 && col != cols)
					goto fail;
				cols = col;
				rows++;
			}
			col = 0;
			if (t->type == MT_END)
				goto fail;
			p->pos++;
			if (t->type == MT_END_MAT)
				break;
			continue;
		}
		if (t->type == MT_AMP) {
			p->pos++;
			continue;
		}
		struct mnode *c = list(p, 1);
		if (!c)
			goto fail;
		kids_push(&cells, c);
		col++;
	}
	if (rows == 0 || cols <= 0)
		goto fail;
	struct mnode *m = kids_node(p, &cells, MK_MATRIX);
	if (m) {
		m->rows = rows;
		m->cols = cols;
	}
	return m;
fail:
	free(cells.v);
	p->err = 1;
	return NULL;
}

static struct mnode *text_run(struct parser *p)
{
	struct strbuf sb = STRBUF_INIT;
	while (peek(p)->type == MT_WORD || peek(p)->type == MT_SYM) {
		struct strview v = math_tok_text(p->lx, peek(p));
		if (sb.len)
			strbuf_addch(&sb, ' ');
		for (size_t k = 0; k < v.len; k++) {
			char c = v.ptr[k];
			strbuf_addch(&sb, c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c);
		}
		p->pos++;
	}
	struct mnode *n = leaf(p, MK_TEXT, sb.buf, sb.len);
	strbuf_release(&sb);
	return n;
}

/*
 * \sum_{k=a}^{b} body and \prod: not evaluated, but read as an unknown
 * function of (a, b, body), so the same bounds and an equal body (as a
 * function of k) are the same sum: F_k F_{n-k-1} = F_{n-k-1} F_k.
 */
static struct mnode *big_operator(struct parser *p)
{
	struct strview v = math_tok_text(p->lx, peek(p));
	p->pos++;
	struct mnode *lo = NULL, *hi = NULL;
	for (int k = 0; k < 2; k++) {
		if (is_op(peek(p), '_') && !lo) {
			p->pos++;
			lo = argument(p);
			if (!lo)
				return NULL;
			if (lo->kind == MK_REL && lo->n == 2 && lo->rel[0] == MR_EQ)
				lo = lo->kid[1];
		} else if (is_op(peek(p), '^') && !hi) {
			p->pos++;
			hi = argument(p);
			if (!hi)
				return NULL;
		}
	}
	struct mnode *body = term(p);
	struct mnode *f = body ? node(p, MK_FUNCN, 3) : NULL;
	if (!f)
		return NULL;
	f->text = v.len == 3 ? "sum" : "prod";
	f->kid[0] = lo ? lo : leaf(p, MK_NUM, "0", 1);
	f->kid[1] = hi ? hi : leaf(p, MK_NUM, "0", 1);
	f->kid[2] = body;
	return p->err ? NULL : f;
}

/* \int and friends are not evaluated: the rest of the item is kept as text. */
static struct mnode *opaque(struct parser *p)
{
	struct strbuf sb = STRBUF_INIT;
	int d = 0;
	for (;;) {
		const struct mtoken *t = peek(p);
		if (t->type == MT_END || (d == 0 && (is_separator(t) || is_closer(t))))
			break;
		if (t->type == MT_LP || t->type == MT_LB || t->type == MT_LC || t->type == MT_LSET)
			d++;
		if (t->type == MT_RP || t->type == MT_RB || t->type == MT_RC || t->type == MT_RSET)
			d--;
		struct strview v = math_tok_text(p->lx, t);
		strbuf_addf(&sb, "%d%c", (int)t->type, t->op ? t->op : '.');
		strbuf_add(&sb, v.ptr, v.len);
		p->pos++;
	}
	struct mnode *n = leaf(p, MK_OPAQUE, sb.buf, sb.len);
	strbuf_release(&sb);
	return n;
}

static struct mnode *named_func(struct parser *p, const char *name, struct mnode *a)
{
	struct mnode *f = unary_node(p, MK_FUNC, a);
	if (f)
		f->text = name;
	return f;
}

/* \lfloor x \rfloor, \lceil x \rceil, \| v \|: an operator between two brackets. */
static struct mnode *enclosed(struct parser *p, enum mtok closer, const char *name)
{
	p->pos++;
	struct mnode *a = sum(p);
	if (!a || peek(p)->type != closer) {
		p->err = 1;
		return NULL;
	}
	p->pos++;
	if (name[0] != '\\')
		return named_func(p, name, a);
	struct mnode *n = leaf(p, MK_APPLY, name, strlen(name));
	if (n) {
		n->kid = math_tree_alloc(p->t, sizeof(*n->kid));
		n->kid[0] = a;
		n->n = 1;
	}
	return n;
}

/*
 * gcd lcm max min of a bracketed list, det of a matrix: \gcd(4, 6),
 * \max\{a, b\}, \operatorname{lcm}(4,6), \det\begin{pmatrix}...  Returns
 * NULL without consuming anything when the word is not one of them.
 */
static struct mnode *list_function(struct parser *p)
{
	static const char *const names[] = {"gcd", "lcm", "max", "min", "det"};
	struct strview v = math_tok_text(p->lx, peek(p));
	const char *name = NULL;
	for (size_t k = 0; k < ARRAY_SIZE(names) && !name; k++) {
		size_t j = 0, m = strlen(names[k]);
		while (j < m && j < v.len && (v.ptr[j] | 0x20) == names[k][j])
			j++;
		if (j == m && v.len == m)
			name = names[k];
	}
	enum mtok next = peek2(p)->type;
	if (!name)
		return NULL;
	if (!strcmp(name, "det")) {
		if (next != MT_BEGIN_MAT && next != MT_LP)
			return NULL;
		p->pos++;
		struct mnode *m = primary(p);
		return m ? named_func(p, "det", m) : NULL;
	}
	if (next != MT_LP && next != MT_LSET)
		return NULL;
	p->pos += 2;
	struct mnode *args = list(p, 1);
	if (!args || peek(p)->type != (next == MT_LP ? MT_RP : MT_RSET)) {
		p->err = 1;
		return NULL;
	}
	p->pos++;
	int many = args->kind == MK_LIST;
	struct mnode *f = node(p, MK_FUNCN, many ? args->n : 1);
	if (!f)
		return NULL;
	f->text = name;
	if (many)
		memcpy(f->kid, args->kid, (size_t)args->n * sizeof(*f->kid));
	else
		f->kid[0] = args;
	return f;
}

static struct mnode *bracket(struct parser *p, char open)
{
	struct mnode *g = list(p, 1);
	const struct mtoken *t = peek(p);
	char close;
	if (t->type == MT_RP)
		close = ')';
	else if (t->type == MT_RB)
		close = ']';
	else
		close = 0;
	if (!g || !close) {
		p->err = 1;
		return NULL;
	}
	p->pos++;
	if (g->kind != MK_LIST) {
		if (open != (close == ')' ? '(' : '['))
			return NULL; /* "(0]" is not a group */
		return g;
	}
	g->kind = MK_TUPLE;
	g->open = open;
	g->close = close;
	return g;
}

static struct mnode *primary(struct parser *p)
{
	const struct mtoken *t = peek(p);
	if (p->err)
		return NULL;
	switch (t->type) {
	case MT_NUM: {
		struct strview v = math_tok_text(p->lx, t);
		p->pos++;
		return leaf(p, MK_NUM, v.ptr, v.len);
	}
	case MT_SYM: return symbol(p);
	case MT_PI: p->pos++; return leaf(p, MK_CONST, "pi", 2);
	case MT_INF: p->pos++; return leaf(p, MK_CONST, "inf", 3);
	case MT_FUNC: return function(p);
	case MT_WORD: {
		struct mnode *f = list_function(p);
		return f || p->err ? f : text_run(p);
	}
	case MT_SUM: return t->len ? big_operator(p) : opaque(p);
	case MT_SQRT: {
		p->pos++;
		struct mnode *idx = NULL;
		if (peek(p)->type == MT_LB) {
			p->pos++;
			idx = group(p, MT_RB);
			if (!idx)
				return NULL;
		}
		struct mnode *r = argument(p);
		if (!r)
			return NULL;
		struct mnode *s = node(p, MK_SQRT, idx ? 2 : 1);
		if (s) {
			s->kid[0] = r;
			if (idx)
				s->kid[1] = idx;
		}
		return s;
	}
	case MT_FRAC:
	case MT_BINOM: {
		enum mkind k = t->type == MT_FRAC ? MK_DIV : MK_BINOM;
		p->pos++;
		struct mnode *a = argument(p);
		struct mnode *b = a ? argument(p) : NULL;
		return b ? binary_node(p, k, a, b) : NULL;
	}
	case MT_LC: {
		p->pos++;
		struct mnode *g = list(p, 1);
		enum mtok mid = peek(p)->type;
		if (g && (mid == MT_OVER || mid == MT_CHOOSE)) {
			/* {a \over b}, {n \choose k} */
			p->pos++;
			struct mnode *h = group(p, MT_RC);
			return h ? binary_node(p, mid == MT_OVER ? MK_DIV : MK_BINOM, g, h) : NULL;
		}
		if (!g || peek(p)->type != MT_RC) {
			p->err = 1;
			return NULL;
		}
		p->pos++;
		if (g->kind == MK_LIST)
			g->kind = MK_SET;
		return g;
	}
	case MT_EMPTY: p->pos++; return node(p, MK_SET, 0);
	case MT_DOTS: p->pos++; return leaf(p, MK_TEXT, "...", 3);
	case MT_LFLOOR: return enclosed(p, MT_RFLOOR, "floor");
	case MT_LCEIL: return enclosed(p, MT_RCEIL, "ceil");
	case MT_NORM: return enclosed(p, MT_NORM, "\\norm");
	case MT_ACCENT: {
		struct strview v = math_tok_text(p->lx, t);
		char name[24];
		snprintf(name, sizeof(name), "\\%.*s", (int)v.len, v.ptr);
		p->pos++;
		struct mnode *a = argument(p);
		struct mnode *n = a ? leaf(p, MK_APPLY, name, strlen(name)) : NULL;
		if (n) {
			n->kid = math_tree_alloc(p->t, sizeof(*n->kid));
			n->kid[0] = a;
			n->n = 1;
		}
		return n;
	}
	case MT_LSET: {
		if (peek2(p)->type == MT_RSET) {
			p->pos += 2;
			return node(p, MK_SET, 0); /* \{\} */
		}
		p->pos++;
		struct mnode *g = list(p, 1);
		if (!g || peek(p)->type != MT_RSET) {
			p->err = 1;
			return NULL;
		}
		p->pos++;
		if (g->kind == MK_LIST) {
			g->kind = MK_SET;
			return g;
		}
		return unary_node(p, MK_SET, g);
	}
	case MT_LP: p->pos++; return bracket(p, '(');
	case MT_LB: p->pos++; return bracket(p, '[');
	case MT_BEGIN_MAT: {
		p->pos++;
		struct mnode *m = matrix(p);
		return m && t->op == 'v' ? named_func(p, "det", m) : m;
	}
	case MT_OP:
		if (t->op == '|') {
			p->pos++;
			struct mnode *a = sum(p);
			if (!a || !is_op(peek(p), '|')) {
				p->err = 1;
				return NULL;
			}
			p->pos++;
			return unary_node(p, MK_ABS, a);
		}
		break;
	default:
		break;
	}
	p->err = 1;
	return NULL;
}

int math_parse(struct math_tree *t, const struct math_lex *lx)
{
	struct parser p = {.lx = lx, .t = t};
	t->root = NULL;
	if (lx->n == 0)
		return -1;
	struct mnode *r = list(&p, 0);
	if (p.err || !r || peek(&p)->type != MT_END)
		return -1;
	t->root = r;
	return 0;
}

/* ---- Dump ---- */

static const char *const kind_names[] = {
	"num", "sym", "const", "add", "mul", "div", "neg", "pow", "func", "apply", "sqrt",
	"fact", "binom", "abs", "pm", "percent", "tuple", "set", "list", "union", "inter", "rel",
	"in", "matrix", "text", "ratio", "opaque", "funcn", "degree", "fact2",
};

void math_node_dump(const struct mnode *n, struct strbuf *out)
{
	if (!n) {
		strbuf_adds(out, "nil");
		return;
	}
	if (n->kind == MK_NUM || n->kind == MK_SYM || n->kind == MK_CONST || n->kind == MK_TEXT) {
		strbuf_adds(out, n->text);
		return;
	}
	strbuf_addf(out, "(%s", kind_names[n->kind]);
	if (n->text)
		strbuf_addf(out, ":%s", n->text);
	if (n->kind == MK_TUPLE)
		strbuf_addf(out, "%c%c", n->open, n->close);
	if (n->kind == MK_MATRIX)
		strbuf_addf(out, "%dx%d", n->rows, n->cols);
	for (int k = 0; k < n->n; k++) {
		strbuf_addch(out, ' ');
		if (n->kind == MK_REL && k > 0)
			strbuf_addf(out, "%s ", (const char *[]){"=", "<", "<=", ">", ">=", "!="}[n->rel[k - 1]]);
		math_node_dump(n->kid[k], out);
	}
	strbuf_addch(out, ')');
}
