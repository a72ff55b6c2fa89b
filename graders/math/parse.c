/*
 * math_parse: a recursive-descent parser over math_lex tokens; see
 * math_parse.h.  Precedence, loosest first: lists (, ; and or), relations
 * (= < <= > >= != \in \approx), ratios (a:b), unions, sums (+ - ±),
 * products (explicit or implicit), unary signs, powers, postfix (! % °),
 * primaries.
 */
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
static struct mnode *primary(struct parser *p);

static int is_separator(const struct mtoken *t)
{
	return is_op(t, ',') || is_op(t, ';') || t->type == MT_AND;
}

static int is_closer(const struct mtoken *t)
{
	return t->type == MT_RP || t->type == MT_RB || t->type == MT_RC || t->type == MT_RSET ||
	       t->type == MT_END || t->type == MT_AMP || t->type == MT_ROWSEP ||
	       t->type == MT_END_MAT;
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
 * by ';' that have several items each become tuples: p=5,q=2;p=7,q=2.
 * Inside brackets ';' is just another comma: (0;-2;6).
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
	int semis = 0, wide = 0;
	for (;;) {
		const struct mtoken *t = peek(p);
		if (is_separator(t)) {
			if (is_op(t, ';') && !inner && group.n) {
				semis++;
				wide |= group.n > 1;
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
	if (semis && group.n) {
		wide |= group.n > 1;
		kids_push(&groups, close_group(p, &group));
	}
	free(group.v);
	if (wide) {
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
				skip_rest(p);
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
	case MT_LP: case MT_LC: case MT_BEGIN_MAT: case MT_INF: case MT_LSET:
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

static void skip_units(struct parser *p)
{
	while (peek(p)->type == MT_WORD) {
		p->pos++;
		if (is_op(peek(p), '^') && peek2(p)->type == MT_NUM)
			p->pos += 2;
	}
}

static struct mnode *term(struct parser *p)
{
	struct mnode *acc = unary(p);
	int single = 1;
	while (acc && !p->err) {
		const struct mtoken *t = peek(p);
		if (t->type == MT_WORD && acc->kind != MK_TEXT) {
			skip_units(p); /* a unit word after a quantity */
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
			a = unary_node(p, MK_FACT, a);
		} else if (t->type == MT_PERCENT) {
			p->pos++;
			a = unary_node(p, MK_PERCENT, a);
		} else if (t->type == MT_DEGREE) {
			p->pos++;
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

/* \sum and friends are not evaluated: the rest of the item is kept as text. */
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
	case MT_WORD: return text_run(p);
	case MT_SUM: return opaque(p);
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
		struct mnode *g = group(p, MT_RC);
		if (g && g->kind == MK_LIST)
			g->kind = MK_SET;
		return g;
	}
	case MT_LSET: {
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
	case MT_BEGIN_MAT: p->pos++; return matrix(p);
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
	"fact", "abs", "pm", "percent", "tuple", "set", "list", "union", "inter", "rel",
	"in", "matrix", "text", "ratio", "opaque",
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
