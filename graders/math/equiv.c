/*
 * math_equiv: see math_equiv.h.  cmp() dispatches on the shape of the two
 * trees; values end in cmp_value(), which evaluates through math_num.
 */
#include <stdlib.h>
#include <string.h>

#include "graders/math/equiv.h"

#define MAX_IV 16 /* intervals in one union */

void math_equiv_init(struct math_equiv *e, struct math_num *num, const struct math_equiv_opts *o)
{
	e->num = num;
	e->opts = o;
	e->undecided = 0;
	math_tree_init(&e->scratch);
}

void math_equiv_release(struct math_equiv *e)
{
	math_tree_release(&e->scratch);
}

static int cmp(struct math_equiv *e, const struct mnode *g, const struct mnode *p);

/* ---- Shapes ---- */

static int is_inf(const struct mnode *n, int *sign)
{
	int s = 1;
	while (n->kind == MK_NEG) {
		s = -s;
		n = n->kid[0];
	}
	if (n->kind == MK_CONST && !strcmp(n->text, "inf")) {
		*sign = s;
		return 1;
	}
	return 0;
}

static int has_kind(const struct mnode *n, enum mkind k)
{
	if (n->kind == k)
		return 1;
	for (int i = 0; i < n->n; i++)
		if (has_kind(n->kid[i], k))
			return 1;
	return 0;
}

static int has_vars(const struct mnode *n)
{
	if ((n->kind == MK_SYM && strcmp(n->text, "e") && strcmp(n->text, "i")) || n->kind == MK_APPLY)
		return 1;
	for (int i = 0; i < n->n; i++)
		if (has_vars(n->kid[i]))
			return 1;
	return 0;
}

int math_equiv_is_collection(const struct mnode *n)
{
	return n && (n->kind == MK_TUPLE || n->kind == MK_SET || n->kind == MK_LIST ||
		     n->kind == MK_UNION) && n->n >= 2;
}

static int interval_like(const struct mnode *n)
{
	int s;
	if (n->kind == MK_UNION)
		return 1;
	if (n->kind != MK_TUPLE || n->n != 2)
		return 0;
	if ((n->open == '(') != (n->close == ')'))
		return 1;
	return is_inf(n->kid[0], &s) || is_inf(n->kid[1], &s);
}

/* A quantity's name rather than a value: x, f(x), |AB|, (p,q), A:B, NO/BO. */
static int name_like(const struct mnode *n)
{
	if (n->kind == MK_ADD || n->kind == MK_NEG || n->kind == MK_PM || n->kind == MK_REL ||
	    n->kind == MK_CONST || n->kind == MK_TEXT)
		return 0;
	if (has_kind(n, MK_NUM) && n->kind != MK_APPLY)
		return 0;
	return has_vars(n);
}

static int all_eq(const struct mnode *n)
{
	if (n->kind != MK_REL)
		return 0;
	for (int i = 0; i + 1 < n->n; i++)
		if (n->rel[i] != MR_EQ)
			return 0;
	return 1;
}

/* The name and value of an equation chain: x = 5+5+1 = 11 is (x, 11). */
static void eq_parts(const struct mnode *n, const struct mnode **lhs, const struct mnode **rhs)
{
	*rhs = n->kid[n->n - 1];
	*lhs = n->kid[0];
	if (!name_like(*lhs) && n->n > 2 && name_like(n->kid[n->n - 2]))
		*lhs = n->kid[n->n - 2];
}

static int has_unknown(const struct mnode *n)
{
	if (n->kind == MK_SYM && (n->flags & MF_UNKNOWN))
		return 1;
	for (int i = 0; i < n->n; i++)
		if (has_unknown(n->kid[i]))
			return 1;
	return 0;
}

int math_equiv_unknown_unread(const struct mnode *n)
{
	if (!has_unknown(n))
		return 1;
	if (!all_eq(n) || n->n < 3)
		return 0;
	const struct mnode *lhs, *rhs;
	eq_parts(n, &lhs, &rhs);
	return name_like(lhs) && !has_unknown(lhs) && !has_unknown(rhs);
}

static const struct mnode *unwrap(const struct mnode *n)
{
	for (;;) {
		if (n->kind == MK_IN)
			n = n->kid[1];
		else if ((n->kind == MK_SET || n->kind == MK_LIST) && n->n == 1)
			n = n->kid[0];
		else
			return n;
	}
}

/* ---- Scalars ---- */

static void collect_vars(struct math_equiv *e, const struct mnode *n)
{
	if (n->kind == MK_SYM && strcmp(n->text, "e") && strcmp(n->text, "i")) {
		if (math_num_add_var(e->num, n->text))
			e->undecided = 1;
	}
	for (int i = 0; i < n->n; i++)
		collect_vars(e, n->kid[i]);
}

/* Digits after the point when n is a decimal literal such as -0.25, else 0. */
static int decimal_digits(const struct mnode *n)
{
	while (n->kind == MK_NEG)
		n = n->kid[0];
	if (n->kind != MK_NUM || strchr(n->text, '|'))
		return 0; /* a repeating decimal is exact */
	const char *dot = strchr(n->text, '.');
	return dot ? (int)strlen(dot + 1) : 0;
}

static int value_match(struct math_equiv *e, const struct mnode *g, const struct mnode *p,
		       const struct mval *gv, const struct mval *pv)
{
	struct math_num *m = e->num;
	if (math_num_equal(m, gv, pv))
		return 1;
	int dg = decimal_digits(g), dp = decimal_digits(p);
	if (dp > 0 && dg == 0 && !math_num_is_terminating(gv))
		return math_num_approximates(m, pv, gv, e->opts->precision);
	if (dg > 0 && dp == 0 && !math_num_is_terminating(pv))
		return math_num_rounds_to(m, pv, gv, dg);
	return 0;
}

static int cmp_value(struct math_equiv *e, const struct mnode *g, const struct mnode *p)
{
	struct math_num *m = e->num;
	m->nvars = 0;
	collect_vars(e, g);
	int gvars = m->nvars;
	collect_vars(e, p);
	if (e->undecided)
		return 0;
	if (!e->opts->strict_vars && gvars == 1 && m->nvars == 2)
		m->alias = 1; /* f(x) and f(y): the second name takes the first's values */
	int points = m->nvars ? MATH_NUM_POINTS : 1;
	int agreed = 0, result = 1;
	struct mval *gv = math_val_new(m), *pv = math_val_new(m);
	for (int k = 0; k < points && result; k++) {
		m->point = k;
		m->lost = 0;
		int rg = math_num_eval(m, g, gv);
		int rp = math_num_eval(m, p, pv);
		if (m->lost && rg == MATH_NUM_OK && rp == MATH_NUM_OK && !(gv->exact && pv->exact)) {
			result = 0; /* a term vanished below the precision: equality not shown */
			break;
		}
		if (rg == MATH_NUM_UNDECIDED || rp == MATH_NUM_UNDECIDED) {
			e->undecided = 1;
			result = 0;
		} else if (rg != rp) {
			result = 0;
		} else if (rg == MATH_NUM_OK) {
			result = value_match(e, g, p, gv, pv);
			agreed++;
		}
	}
	math_val_free(m, pv);
	math_val_free(m, gv);
	m->alias = 0;
	return result && agreed > 0;
}

static int strip_percent(const struct mnode **n)
{
	if ((*n)->kind == MK_PERCENT) {
		*n = (*n)->kid[0];
		return 1;
	}
	return 0;
}

static int cmp_scalar(struct math_equiv *e, const struct mnode *g, const struct mnode *p)
{
	const struct mnode *g0 = g, *p0 = p;
	int gp = strip_percent(&g), pp = strip_percent(&p);
	if (gp == pp)
		return cmp_value(e, g, p);
	/* One side carries %: it reads as X or as X/100. */
	return cmp_value(e, g, p) || cmp_value(e, g0, p0);
}

/* ---- Collections ---- */

struct elems {
	const struct mnode *v[256];
	int n;
	int over;
};

static const struct mnode *pm_variant(struct math_equiv *e, const struct mnode *n, int sign);

static void elem_push(struct math_equiv *e, struct elems *s, const struct mnode *n)
{
	if (n->kind != MK_PM && n->kind != MK_REL && has_kind(n, MK_PM)) {
		elem_push(e, s, pm_variant(e, n, 1));
		elem_push(e, s, pm_variant(e, n, -1));
		return;
	}
	/* a ± b stands for both values */
	if (n->kind == MK_PM) {
		struct mnode *a = math_node_new(&e->scratch, MK_ADD, 2);
		struct mnode *b = math_node_new(&e->scratch, MK_ADD, 2);
		struct mnode *neg = math_node_new(&e->scratch, MK_NEG, 1);
		struct mnode *zero = math_node_new(&e->scratch, MK_NUM, 0);
		if (!a || !b || !neg || !zero) {
			e->undecided = 1;
			return;
		}
		zero->text = "0";
		const struct mnode *base = n->n == 2 ? n->kid[0] : zero;
		const struct mnode *d = n->kid[n->n - 1];
		neg->kid[0] = (struct mnode *)d;
		a->kid[0] = (struct mnode *)base;
		a->kid[1] = (struct mnode *)d;
		b->kid[0] = (struct mnode *)base;
		b->kid[1] = neg;
		elem_push(e, s, a);
		elem_push(e, s, b);
		return;
	}
	if (s->n >= (int)ARRAY_SIZE(s->v)) {
		s->over = 1;
		return;
	}
	s->v[s->n++] = n;
}

static void elems_of(struct math_equiv *e, const struct mnode *n, struct elems *s)
{
	s->n = 0;
	s->over = 0;
	if (n->kind == MK_TUPLE || n->kind == MK_SET || n->kind == MK_LIST) {
		for (int i = 0; i < n->n; i++)
			elem_push(e, s, unwrap(n->kid[i]));
	} else {
		elem_push(e, s, n);
	}
}

static int cmp_unordered(struct math_equiv *e, const struct elems *a, const struct elems *b)
{
	for (int i = 0; i < a->n; i++) {
		int found = 0;
		for (int j = 0; j < b->n && !found; j++)
			found = cmp(e, a->v[i], b->v[j]);
		if (!found)
			return 0;
	}
	for (int j = 0; j < b->n; j++) {
		int found = 0;
		for (int i = 0; i < a->n && !found; i++)
			found = cmp(e, a->v[i], b->v[j]);
		if (!found)
			return 0;
	}
	return 1;
}

/* ---- Intervals ---- */

struct iv {
	const struct mnode *lo, *hi; /* NULL for an infinite end */
	int lopen, hopen;
};

struct rset {
	struct iv iv[MAX_IV];
	int n;
};

static int add_interval(struct rset *s, const struct mnode *lo, const struct mnode *hi, int lopen, int hopen)
{
	if (s->n >= MAX_IV)
		return 0;
	int sign;
	struct iv *v = &s->iv[s->n++];
	v->lo = lo && is_inf(lo, &sign) ? NULL : lo;
	v->hi = hi && is_inf(hi, &sign) ? NULL : hi;
	v->lopen = v->lo ? lopen : 1;
	v->hopen = v->hi ? hopen : 1;
	return 1;
}

static int ineq_to_rset(struct math_equiv *e, const struct mnode *n, struct rset *s, const struct mnode **var);
static int same_name(struct math_equiv *e, const struct mnode *a, const struct mnode *b);

/* An interval, a union of them, a finite set, or solved inequalities in one
 * variable joined by "or" (x < 1 or x > 3), as a list of intervals. */
static int to_rset(struct math_equiv *e, const struct mnode *n, struct rset *s)
{
	if (n->kind == MK_IN)
		n = n->kid[1];
	if (n->kind == MK_UNION) {
		for (int i = 0; i < n->n; i++)
			if (!to_rset(e, n->kid[i], s))
				return 0;
		return 1;
	}
	if (n->kind == MK_LIST && n->n >= 2 && n->kid[0]->kind == MK_REL) {
		const struct mnode *first = NULL;
		for (int i = 0; i < n->n; i++) {
			const struct mnode *var = NULL;
			if (n->kid[i]->kind != MK_REL || !ineq_to_rset(e, n->kid[i], s, &var))
				return 0;
			if (first && !same_name(e, first, var))
				return 0;
			first = var;
		}
		return 1;
	}
	if (n->kind == MK_TUPLE && n->n == 2)
		return add_interval(s, n->kid[0], n->kid[1], n->open == '(', n->close == ')');
	if (n->kind == MK_SET) {
		for (int i = 0; i < n->n; i++)
			if (!add_interval(s, n->kid[i], n->kid[i], 0, 0))
				return 0;
		return 1;
	}
	if (n->kind == MK_LIST || n->kind == MK_TUPLE || n->kind == MK_REL || n->kind == MK_MATRIX)
		return 0;
	return add_interval(s, n, n, 0, 0);
}

static int cmp_end(struct math_equiv *e, const struct mnode *a, const struct mnode *b)
{
	if (!a || !b)
		return !a && !b;
	return cmp(e, a, b);
}

static int cmp_rset(struct math_equiv *e, const struct rset *a, const struct rset *b)
{
	if (a->n != b->n)
		return 0;
	for (int i = 0; i < a->n; i++) {
		int found = 0;
		for (int j = 0; j < b->n && !found; j++) {
			const struct iv *x = &a->iv[i], *y = &b->iv[j];
			found = x->lopen == y->lopen && x->hopen == y->hopen && cmp_end(e, x->lo, y->lo) &&
				cmp_end(e, x->hi, y->hi);
		}
		if (!found)
			return 0;
	}
	return 1;
}

static enum mrel flip(enum mrel r)
{
	switch (r) {
	case MR_LT: return MR_GT;
	case MR_GT: return MR_LT;
	case MR_LE: return MR_GE;
	case MR_GE: return MR_LE;
	default: return r;
	}
}

static const struct mnode *negated(struct math_equiv *e, const struct mnode *n)
{
	struct mnode *neg = math_node_new(&e->scratch, MK_NEG, 1);
	if (!neg) {
		e->undecided = 1;
		return n;
	}
	neg->kid[0] = (struct mnode *)n;
	return neg;
}

/* x op c as an interval; the variable part comes back in *var. */
static int bound(struct math_equiv *e, const struct mnode *x, enum mrel r, const struct mnode *c,
		 struct rset *s, const struct mnode **var)
{
	if (has_vars(c))
		return 0;
	if (x->kind == MK_NEG) {
		x = x->kid[0];
		c = negated(e, c);
		r = flip(r);
	}
	*var = x;
	switch (r) {
	case MR_LT: return add_interval(s, NULL, c, 1, 1);
	case MR_LE: return add_interval(s, NULL, c, 1, 0);
	case MR_GT: return add_interval(s, c, NULL, 1, 1);
	case MR_GE: return add_interval(s, c, NULL, 0, 1);
	case MR_NE: return add_interval(s, NULL, c, 1, 1) && add_interval(s, c, NULL, 1, 1);
	default: return 0;
	}
}

/* A solved inequality (x >= 5, -2 <= x <= 7, 5 > x) as a set of x. */
static int ineq_to_rset(struct math_equiv *e, const struct mnode *n, struct rset *s, const struct mnode **var)
{
	if (n->kind != MK_REL)
		return 0;
	for (int i = 0; i + 1 < n->n; i++)
		if (n->rel[i] == MR_EQ)
			return 0;
	if (n->n == 2) {
		if (has_vars(n->kid[0]) && !has_vars(n->kid[1]))
			return bound(e, n->kid[0], n->rel[0], n->kid[1], s, var);
		if (has_vars(n->kid[1]) && !has_vars(n->kid[0]))
			return bound(e, n->kid[1], flip(n->rel[0]), n->kid[0], s, var);
		return 0;
	}
	if (n->n == 3 && !has_vars(n->kid[0]) && !has_vars(n->kid[2]) && has_vars(n->kid[1])) {
		enum mrel a = n->rel[0], b = n->rel[1];
		*var = n->kid[1];
		if (n->kid[1]->kind == MK_ABS && (a == MR_LT || a == MR_LE) && (b == MR_LT || b == MR_LE)) {
			/* lo <= |z| <= hi (lo >= 0): [-hi, -lo] and [lo, hi] */
			*var = n->kid[1]->kid[0];
			return add_interval(s, negated(e, n->kid[2]), negated(e, n->kid[0]), b == MR_LT, a == MR_LT) &&
			       add_interval(s, n->kid[0], n->kid[2], a == MR_LT, b == MR_LT);
		}
		if ((a == MR_LT || a == MR_LE) && (b == MR_LT || b == MR_LE))
			return add_interval(s, n->kid[0], n->kid[2], a == MR_LT, b == MR_LT);
		if ((a == MR_GT || a == MR_GE) && (b == MR_GT || b == MR_GE))
			return add_interval(s, n->kid[2], n->kid[0], b == MR_GT, a == MR_GT);
	}
	return 0;
}

static int same_name(struct math_equiv *e, const struct mnode *a, const struct mnode *b)
{
	if (a->kind == MK_SYM && b->kind == MK_SYM)
		return !strcmp(a->text, b->text);
	if (a->kind == MK_APPLY && b->kind == MK_APPLY && !e->opts->strict_vars)
		return !strcmp(a->text, b->text);
	struct strbuf ka = STRBUF_INIT, kb = STRBUF_INIT;
	math_equiv_key(e, a, &ka);
	math_equiv_key(e, b, &kb);
	int same = !strcmp(ka.buf, kb.buf);
	strbuf_release(&ka);
	strbuf_release(&kb);
	return same;
}

/* ---- Relations ---- */

static struct mnode *difference(struct math_equiv *e, const struct mnode *l, const struct mnode *r)
{
	struct mnode *d = math_node_new(&e->scratch, MK_ADD, 2);
	if (!d) {
		e->undecided = 1;
		return NULL;
	}
	d->kid[0] = (struct mnode *)l;
	d->kid[1] = (struct mnode *)negated(e, r);
	return d;
}

/* Two equations agree when lhs - rhs of one is a constant non-zero multiple of the other. */
static int cmp_proportional(struct math_equiv *e, const struct mnode *g, const struct mnode *p)
{
	struct mnode *dg = difference(e, g->kid[0], g->kid[g->n - 1]);
	struct mnode *dp = difference(e, p->kid[0], p->kid[p->n - 1]);
	if (!dg || !dp)
		return 0;
	struct math_num *m = e->num;
	m->nvars = 0;
	collect_vars(e, dg);
	collect_vars(e, dp);
	if (e->undecided || m->nvars == 0)
		return 0;
	struct mval *a = math_val_new(m), *b = math_val_new(m), *ratio = math_val_new(m);
	int have_ratio = 0, ok = 1;
	for (int k = 0; k < MATH_NUM_POINTS && ok; k++) {
		m->point = k;
		int ra = math_num_eval(m, dg, a), rb = math_num_eval(m, dp, b);
		if (ra == MATH_NUM_UNDECIDED || rb == MATH_NUM_UNDECIDED) {
			e->undecided = 1;
			ok = 0;
		} else if (ra || rb) {
			ok = 0;
		} else if (!have_ratio) {
			struct mval *zero = math_val_new(m);
			if (math_num_equal(m, b, zero)) {
				ok = math_num_equal(m, a, zero);
			} else {
				/* ratio = a / b, via a * b^-1 computed by eval on the fly */
				struct mnode *q = math_node_new(&e->scratch, MK_DIV, 2);
				if (!q) {
					ok = 0;
				} else {
					q->kid[0] = dg;
					q->kid[1] = dp;
					ok = math_num_eval(m, q, ratio) == MATH_NUM_OK && !math_num_equal(m, ratio, zero);
					have_ratio = ok;
				}
			}
			math_val_free(m, zero);
		} else {
			struct mnode *q = math_node_new(&e->scratch, MK_DIV, 2);
			struct mval *r2 = math_val_new(m);
			if (!q) {
				ok = 0;
			} else {
				q->kid[0] = dg;
				q->kid[1] = dp;
				ok = math_num_eval(m, q, r2) == MATH_NUM_OK && math_num_equal(m, r2, ratio);
			}
			math_val_free(m, r2);
		}
	}
	math_val_free(m, ratio);
	math_val_free(m, b);
	math_val_free(m, a);
	return ok && have_ratio;
}

static int cmp_rel(struct math_equiv *e, const struct mnode *g, const struct mnode *p)
{
	int gr = g->kind == MK_REL, pr = p->kind == MK_REL;
	const struct mnode *gl, *grh, *pl, *prh;
	if (gr && all_eq(g) && !pr) {
		eq_parts(g, &gl, &grh);
		return name_like(gl) && cmp(e, grh, p);
	}
	if (pr && all_eq(p) && !gr) {
		/* x = 5, or a computation ending in its result: 1/2 $ = 10/9; but a lone
		 * number on the left offers a second answer: 5 = 8 is not 8 */
		eq_parts(p, &pl, &prh);
		int literal = pl->kind == MK_NUM || (pl->kind == MK_NEG && pl->kid[0]->kind == MK_NUM);
		return (name_like(pl) || (!has_vars(pl) && !literal)) && cmp(e, g, prh);
	}
	if (gr && pr && all_eq(g) && all_eq(p)) {
		eq_parts(g, &gl, &grh);
		eq_parts(p, &pl, &prh);
		if (name_like(gl) && name_like(pl) && same_name(e, gl, pl))
			return cmp(e, grh, prh);
		if (g->n == 2 && p->n == 2)
			return cmp_proportional(e, g, p);
		return 0;
	}
	struct rset gs = {0}, ps = {0};
	const struct mnode *gv = NULL, *pv = NULL;
	int gi = gr && ineq_to_rset(e, g, &gs, &gv);
	int pi = pr && ineq_to_rset(e, p, &ps, &pv);
	if (gi && pi)
		return same_name(e, gv, pv) && cmp_rset(e, &gs, &ps);
	if (gi && !pr)
		return to_rset(e, p, &ps) && cmp_rset(e, &gs, &ps);
	if (pi && !gr)
		return e->opts->allow_set_relation && to_rset(e, g, &gs) && cmp_rset(e, &gs, &ps);
	if (gr && pr && g->n == p->n) {
		int same = 1;
		for (int i = 0; i + 1 < g->n && same; i++)
			same = g->rel[i] == p->rel[i];
		for (int i = 0; i < g->n && same; i++)
			same = cmp(e, g->kid[i], p->kid[i]);
		if (same)
			return 1;
		same = 1;
		for (int i = 0; i + 1 < g->n && same; i++)
			same = g->rel[i] == flip(p->rel[g->n - 2 - i]);
		for (int i = 0; i < g->n && same; i++)
			same = cmp(e, g->kid[i], p->kid[g->n - 1 - i]);
		return same;
	}
	return 0;
}

/* ---- Dispatch ---- */

static int cmp_collection(struct math_equiv *e, const struct mnode *g, const struct mnode *p)
{
	if (interval_like(g) || interval_like(p)) {
		struct rset gs = {0}, ps = {0};
		return to_rset(e, g, &gs) && to_rset(e, p, &ps) && cmp_rset(e, &gs, &ps);
	}
	if (g->kind == MK_UNION || p->kind == MK_UNION)
		return 0;
	struct elems *a = xmalloc(sizeof(*a)), *b = xmalloc(sizeof(*b));
	elems_of(e, g, a);
	elems_of(e, p, b);
	int r = 0;
	if (a->over || b->over) {
		e->undecided = 1;
	} else if (g->kind == MK_TUPLE || p->kind == MK_TUPLE) {
		int brackets_ok = !(g->kind == MK_TUPLE && p->kind == MK_TUPLE && g->n == 2 &&
				    (g->open != p->open || g->close != p->close));
		r = brackets_ok && a->n == b->n;
		for (int i = 0; i < a->n && r; i++)
			r = cmp(e, a->v[i], b->v[i]);
	} else {
		r = cmp_unordered(e, a, b);
	}
	free(a);
	free(b);
	return r;
}

static int cmp_matrix(struct math_equiv *e, const struct mnode *g, const struct mnode *p)
{
	if (g->kind != MK_MATRIX || p->kind != MK_MATRIX) {
		/* a column or row vector may be written as a tuple */
		const struct mnode *mx = g->kind == MK_MATRIX ? g : p;
		const struct mnode *t = g->kind == MK_MATRIX ? p : g;
		if (t->kind != MK_TUPLE || (mx->rows != 1 && mx->cols != 1) || mx->n != t->n)
			return 0;
		for (int i = 0; i < t->n; i++)
			if (!cmp(e, g == mx ? mx->kid[i] : t->kid[i], g == mx ? t->kid[i] : mx->kid[i]))
				return 0;
		return 1;
	}
	if (g->rows != p->rows || g->cols != p->cols)
		return 0;
	for (int i = 0; i < g->n; i++)
		if (!cmp(e, g->kid[i], p->kid[i]))
			return 0;
	return 1;
}

static void squash(const char *s, struct strbuf *out)
{
	for (; *s; s++)
		if (*s != ' ')
			strbuf_addch(out, *s);
}

static int cmp_text(const struct mnode *g, const struct mnode *p)
{
	if (g->kind != p->kind)
		return 0;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	squash(g->text, &a);
	squash(p->text, &b);
	int same = !strcmp(a.buf, b.buf);
	strbuf_release(&a);
	strbuf_release(&b);
	return same;
}

/* A copy of n with every a ± b replaced by a + sign * b. */
static const struct mnode *pm_variant(struct math_equiv *e, const struct mnode *n, int sign)
{
	if (!has_kind(n, MK_PM))
		return n;
	if (n->kind == MK_PM) {
		int s = n->flags & MF_MP ? -sign : sign;
		const struct mnode *d = pm_variant(e, n->kid[n->n - 1], sign);
		if (s < 0)
			d = negated(e, d);
		if (n->n == 1)
			return d;
		struct mnode *a = math_node_new(&e->scratch, MK_ADD, 2);
		if (!a) {
			e->undecided = 1;
			return n;
		}
		a->kid[0] = (struct mnode *)pm_variant(e, n->kid[0], sign);
		a->kid[1] = (struct mnode *)d;
		return a;
	}
	struct mnode *c = math_node_new(&e->scratch, n->kind, n->n);
	if (!c) {
		e->undecided = 1;
		return n;
	}
	struct mnode **kids = c->kid;
	*c = *n;
	c->kid = kids;
	for (int i = 0; i < n->n; i++)
		c->kid[i] = (struct mnode *)pm_variant(e, n->kid[i], sign);
	return c;
}

/* Sums and products of matrices, worked out cell by cell (as trees). */
static const struct mnode *matrix_fold(struct math_equiv *e, const struct mnode *n)
{
	if (n->kind != MK_ADD && n->kind != MK_MUL)
		return n;
	const struct mnode *acc = matrix_fold(e, n->kid[0]);
	for (int i = 1; i < n->n; i++) {
		const struct mnode *b = matrix_fold(e, n->kid[i]);
		struct mnode *r = NULL;
		if (acc->kind == MK_MATRIX && b->kind == MK_MATRIX && n->kind == MK_ADD &&
		    acc->rows == b->rows && acc->cols == b->cols) {
			r = math_node_new(&e->scratch, MK_MATRIX, acc->n);
			for (int k = 0; r && k < acc->n; k++) {
				struct mnode *c = math_node_new(&e->scratch, MK_ADD, 2);
				if (!c)
					return n;
				c->kid[0] = acc->kid[k];
				c->kid[1] = b->kid[k];
				r->kid[k] = c;
			}
		} else if (acc->kind == MK_MATRIX && b->kind == MK_MATRIX && n->kind == MK_MUL &&
			   acc->cols == b->rows && acc->rows * b->cols <= 64) {
			r = math_node_new(&e->scratch, MK_MATRIX, acc->rows * b->cols);
			for (int row = 0; r && row < acc->rows; row++) {
				for (int col = 0; col < b->cols; col++) {
					struct mnode *s = math_node_new(&e->scratch, MK_ADD, acc->cols);
					if (!s)
						return n;
					for (int k = 0; k < acc->cols; k++) {
						struct mnode *m = math_node_new(&e->scratch, MK_MUL, 2);
						if (!m)
							return n;
						m->kid[0] = acc->kid[row * acc->cols + k];
						m->kid[1] = b->kid[k * b->cols + col];
						s->kid[k] = m;
					}
					r->kid[row * b->cols + col] = s;
				}
			}
			if (r)
				r->cols = b->cols;
		} else {
			return n;
		}
		if (!r) {
			e->undecided = 1;
			return n;
		}
		r->rows = acc->rows;
		if (n->kind == MK_ADD)
			r->cols = acc->cols;
		acc = r;
	}
	return acc;
}

static int cmp(struct math_equiv *e, const struct mnode *g, const struct mnode *p)
{
	if (e->undecided)
		return 0;
	g = unwrap(g);
	p = unwrap(p);
	if (g->kind == MK_REL || p->kind == MK_REL)
		return cmp_rel(e, g, p);
	if (has_kind(g, MK_MATRIX) || has_kind(p, MK_MATRIX)) {
		g = matrix_fold(e, g);
		p = matrix_fold(e, p);
		if (g->kind == MK_MATRIX || p->kind == MK_MATRIX)
			return cmp_matrix(e, g, p);
	}
	if (g->kind == MK_TUPLE || g->kind == MK_SET || g->kind == MK_LIST || g->kind == MK_UNION ||
	    p->kind == MK_TUPLE || p->kind == MK_SET || p->kind == MK_LIST || p->kind == MK_UNION)
		return cmp_collection(e, g, p);
	if (g->kind == MK_TEXT || p->kind == MK_TEXT || g->kind == MK_OPAQUE || p->kind == MK_OPAQUE)
		return cmp_text(g, p);
	if (g->kind == MK_RATIO || p->kind == MK_RATIO) {
		if (g->kind != p->kind || g->n != p->n)
			return 0;
		for (int i = 0; i < g->n; i++)
			if (!cmp(e, g->kid[i], p->kid[i]))
				return 0;
		return 1;
	}
	if (has_kind(g, MK_PM) || has_kind(p, MK_PM)) {
		struct elems *a = xmalloc(sizeof(*a)), *b = xmalloc(sizeof(*b));
		a->n = b->n = a->over = b->over = 0;
		elem_push(e, a, pm_variant(e, g, 1));
		if (has_kind(g, MK_PM))
			elem_push(e, a, pm_variant(e, g, -1));
		elem_push(e, b, pm_variant(e, p, 1));
		if (has_kind(p, MK_PM))
			elem_push(e, b, pm_variant(e, p, -1));
		int r = cmp_unordered(e, a, b);
		free(a);
		free(b);
		return r;
	}
	if (has_kind(g, MK_CONST) || has_kind(p, MK_CONST)) {
		int sg, sp;
		if (is_inf(g, &sg) || is_inf(p, &sp))
			return is_inf(g, &sg) && is_inf(p, &sp) && sg == sp;
	}
	/* 30° against a bare 30: the degree sign is read as a unit (a leniency) */
	if (g->kind == MK_DEGREE && !has_kind(p, MK_DEGREE) && !has_kind(p, MK_CONST))
		return cmp_scalar(e, g->kid[0], p) || cmp_scalar(e, g, p);
	if (p->kind == MK_DEGREE && !has_kind(g, MK_DEGREE) && !has_kind(g, MK_CONST))
		return cmp_scalar(e, g, p->kid[0]) || cmp_scalar(e, g, p);
	return cmp_scalar(e, g, p);
}

int math_equiv_cmp(struct math_equiv *e, const struct mnode *gold, const struct mnode *pred)
{
	e->undecided = 0;
	return cmp(e, gold, pred);
}

/* ---- Keys ---- */

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void key_scalar(struct math_equiv *e, const struct mnode *n, struct strbuf *out)
{
	struct math_num *m = e->num;
	m->nvars = 0;
	collect_vars(e, n);
	qsort(m->vars, (size_t)m->nvars, sizeof(m->vars[0]), name_cmp);
	int points = m->nvars ? MATH_NUM_POINTS : 1;
	if (m->nvars) {
		strbuf_adds(out, "f[");
		for (int j = 0; j < m->nvars; j++)
			strbuf_addf(out, "%s%s", j ? "," : "", m->vars[j]);
		strbuf_adds(out, "]");
	}
	struct mval *v = math_val_new(m);
	for (int k = 0; k < points; k++) {
		m->point = k;
		int rc = math_num_eval(m, n, v);
		if (k)
			strbuf_addch(out, ';');
		if (rc == MATH_NUM_OK) {
			math_num_key(v, out);
		} else {
			if (rc == MATH_NUM_UNDECIDED)
				e->undecided = 1;
			strbuf_adds(out, "?");
		}
	}
	math_val_free(m, v);
}

static void key_list(struct math_equiv *e, const struct mnode *n, struct strbuf *out, int sorted)
{
	struct elems *s = xmalloc(sizeof(*s));
	elems_of(e, n, s);
	char **keys = xcalloc((size_t)s->n + 1, sizeof(*keys));
	for (int i = 0; i < s->n; i++) {
		struct strbuf k = STRBUF_INIT;
		math_equiv_key(e, s->v[i], &k);
		keys[i] = strbuf_detach(&k);
	}
	if (sorted)
		qsort(keys, (size_t)s->n, sizeof(*keys), key_cmp);
	for (int i = 0; i < s->n; i++) {
		if (sorted && i && !strcmp(keys[i], keys[i - 1]))
			continue;
		if (i)
			strbuf_addch(out, ',');
		strbuf_adds(out, keys[i]);
	}
	for (int i = 0; i < s->n; i++)
		free(keys[i]);
	free(keys);
	free(s);
}

void math_equiv_key(struct math_equiv *e, const struct mnode *n, struct strbuf *out)
{
	n = unwrap(n);
	const struct mnode *lhs, *rhs;
	int sign;
	switch (n->kind) {
	case MK_REL:
		if (all_eq(n)) {
			eq_parts(n, &lhs, &rhs);
			if (name_like(lhs)) {
				math_equiv_key(e, rhs, out);
				return;
			}
		}
		strbuf_adds(out, "rel(");
		for (int i = 0; i < n->n; i++) {
			if (i)
				strbuf_addf(out, " %d ", (int)n->rel[i - 1]);
			math_equiv_key(e, n->kid[i], out);
		}
		strbuf_addch(out, ')');
		return;
	case MK_PERCENT:
		math_equiv_key(e, n->kid[0], out);
		return;
	case MK_TUPLE:
		strbuf_addch(out, n->n == 2 ? n->open : '(');
		key_list(e, n, out, 0);
		strbuf_addch(out, n->n == 2 ? n->close : ')');
		return;
	case MK_SET:
	case MK_LIST:
	case MK_PM:
		strbuf_addch(out, '{');
		key_list(e, n, out, 1);
		strbuf_addch(out, '}');
		return;
	case MK_UNION:
	case MK_INTER:
	case MK_RATIO:
		strbuf_adds(out, n->kind == MK_UNION ? "U(" : n->kind == MK_INTER ? "I(" : "R(");
		for (int i = 0; i < n->n; i++) {
			if (i)
				strbuf_addch(out, ',');
			math_equiv_key(e, n->kid[i], out);
		}
		strbuf_addch(out, ')');
		return;
	case MK_MATRIX:
		strbuf_addf(out, "M%dx%d[", n->rows, n->cols);
		for (int i = 0; i < n->n; i++) {
			if (i)
				strbuf_addch(out, ',');
			math_equiv_key(e, n->kid[i], out);
		}
		strbuf_addch(out, ']');
		return;
	case MK_TEXT:
		strbuf_adds(out, "t:");
		squash(n->text, out);
		return;
	case MK_OPAQUE:
		strbuf_adds(out, "o:");
		strbuf_adds(out, n->text);
		return;
	default:
		if (is_inf(n, &sign)) {
			strbuf_adds(out, sign > 0 ? "inf" : "-inf");
			return;
		}
		key_scalar(e, n, out);
		return;
	}
}
