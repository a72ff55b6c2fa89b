/*
 * math_num: see math_num.h.  The elementary functions use argument
 * reduction and a fixed number of series terms, which bounds their cost and
 * makes the result depend only on GMP's integer arithmetic.
 */
#include <stdlib.h>
#include <string.h>

#include "graders/math/num.h"

#define TOL_BITS 100 /* the imaginary part of a real value is negligible below 2^-100 */

/* ---- Values and the pool ---- */

struct mval *math_val_new(struct math_num *m)
{
	if (m->used == m->cap) {
		GROW(m->pool, m->cap, m->used + 1);
		for (size_t k = m->used; k < m->cap; k++)
			m->pool[k] = NULL;
	}
	struct mval *v = m->pool[m->used];
	if (!v) {
		v = xmalloc(sizeof(*v));
		mpq_init(v->q);
		mpf_init2(v->re, MATH_NUM_BITS);
		mpf_init2(v->im, MATH_NUM_BITS);
		m->pool[m->used] = v;
	}
	m->used++;
	v->exact = 1;
	mpq_set_ui(v->q, 0, 1);
	return v;
}

void math_val_free(struct math_num *m, struct mval *v)
{
	(void)v;
	if (m->used)
		m->used--;
}

static void to_approx(struct mval *v)
{
	if (!v->exact)
		return;
	mpf_set_q(v->re, v->q);
	mpf_set_ui(v->im, 0);
	v->exact = 0;
}

static void copy_val(struct mval *dst, const struct mval *src)
{
	dst->exact = src->exact;
	if (src->exact) {
		mpq_set(dst->q, src->q);
	} else {
		mpf_set(dst->re, src->re);
		mpf_set(dst->im, src->im);
	}
}

static size_t q_bits(const mpq_t q)
{
	return mpz_sizeinbase(mpq_numref(q), 2) + mpz_sizeinbase(mpq_denref(q), 2);
}

static int charge(struct math_num *m, long n)
{
	m->steps += n;
	return m->steps > m->budget ? MATH_NUM_UNDECIDED : MATH_NUM_OK;
}

/* ---- Series for the elementary functions ---- */

/* atanh(z) for |z| <= 1/3 (also atan when alternate is set): fixed term count. */
static void series_atan(mpf_t r, const mpf_t z, int alternate, int terms)
{
	mpf_t p, z2, t;
	mpf_init2(p, MATH_NUM_BITS);
	mpf_init2(z2, MATH_NUM_BITS);
	mpf_init2(t, MATH_NUM_BITS);
	mpf_set(p, z);
	mpf_mul(z2, z, z);
	mpf_set(r, z);
	for (int k = 1; k <= terms; k++) {
		mpf_mul(p, p, z2);
		mpf_div_ui(t, p, (unsigned long)(2 * k + 1));
		if (alternate && (k & 1))
			mpf_sub(r, r, t);
		else
			mpf_add(r, r, t);
	}
	mpf_clear(p);
	mpf_clear(z2);
	mpf_clear(t);
}

void math_num_init(struct math_num *m)
{
	memset(m, 0, sizeof(*m));
	mpf_init2(m->pi, MATH_NUM_BITS);
	mpf_init2(m->ln2, MATH_NUM_BITS);
	mpf_init2(m->e, MATH_NUM_BITS);
	mpf_t z, a;
	mpf_init2(z, MATH_NUM_BITS);
	mpf_init2(a, MATH_NUM_BITS);
	/* ln 2 = 2 atanh(1/3) */
	mpf_set_ui(z, 1);
	mpf_div_ui(z, z, 3);
	series_atan(a, z, 0, 80);
	mpf_mul_ui(m->ln2, a, 2);
	/* pi = 16 atan(1/5) - 4 atan(1/239) */
	mpf_set_ui(z, 1);
	mpf_div_ui(z, z, 5);
	series_atan(a, z, 1, 60);
	mpf_mul_ui(m->pi, a, 16);
	mpf_set_ui(z, 1);
	mpf_div_ui(z, z, 239);
	series_atan(a, z, 1, 20);
	mpf_mul_ui(a, a, 4);
	mpf_sub(m->pi, m->pi, a);
	/* e = sum 1/k! */
	mpf_set_ui(m->e, 1);
	mpf_set_ui(a, 1);
	for (unsigned long k = 1; k < 60; k++) {
		mpf_div_ui(a, a, k);
		mpf_add(m->e, m->e, a);
	}
	mpf_clear(z);
	mpf_clear(a);
	m->budget = 1000000;
}

void math_num_release(struct math_num *m)
{
	for (size_t k = 0; k < m->cap; k++) {
		struct mval *v = m->pool[k];
		if (!v)
			continue;
		mpq_clear(v->q);
		mpf_clear(v->re);
		mpf_clear(v->im);
		free(v);
	}
	free(m->pool);
	mpf_clear(m->pi);
	mpf_clear(m->ln2);
	mpf_clear(m->e);
	memset(m, 0, sizeof(*m));
}

static int f_exp(struct math_num *m, mpf_t r, const mpf_t x)
{
	if (mpf_cmp_si(x, 100000) > 0 || mpf_cmp_si(x, -100000) < 0)
		return MATH_NUM_UNDECIDED;
	mpf_t t, s, term;
	mpf_init2(t, MATH_NUM_BITS);
	mpf_init2(s, MATH_NUM_BITS);
	mpf_init2(term, MATH_NUM_BITS);
	mpf_div(t, x, m->ln2);
	mpf_floor(t, t);
	long n = mpf_get_si(t);
	mpf_mul(t, t, m->ln2);
	mpf_sub(t, x, t);          /* t in [0, ln 2) */
	mpf_div_2exp(t, t, 12);
	mpf_set_ui(s, 1);
	mpf_set_ui(term, 1);
	for (unsigned long k = 1; k <= 22; k++) {
		mpf_mul(term, term, t);
		mpf_div_ui(term, term, k);
		mpf_add(s, s, term);
	}
	for (int k = 0; k < 12; k++)
		mpf_mul(s, s, s);
	if (n >= 0)
		mpf_mul_2exp(r, s, (mp_bitcnt_t)n);
	else
		mpf_div_2exp(r, s, (mp_bitcnt_t)-n);
	mpf_clear(t);
	mpf_clear(s);
	mpf_clear(term);
	return MATH_NUM_OK;
}

static int f_log(struct math_num *m, mpf_t r, const mpf_t x)
{
	if (mpf_sgn(x) <= 0)
		return MATH_NUM_FAIL;
	long e;
	mpf_get_d_2exp(&e, x);
	mpf_t y, z, d;
	mpf_init2(y, MATH_NUM_BITS);
	mpf_init2(z, MATH_NUM_BITS);
	mpf_init2(d, MATH_NUM_BITS);
	if (e >= 0)
		mpf_div_2exp(y, x, (mp_bitcnt_t)e);
	else
		mpf_mul_2exp(y, x, (mp_bitcnt_t)-e);
	/* y in [0.5, 1): ln y = 2 atanh((y - 1) / (y + 1)) */
	mpf_sub_ui(z, y, 1);
	mpf_add_ui(d, y, 1);
	mpf_div(z, z, d);
	series_atan(d, z, 0, 75);
	mpf_mul_ui(d, d, 2);
	mpf_set_si(y, e);
	mpf_mul(y, y, m->ln2);
	mpf_add(r, d, y);
	mpf_clear(y);
	mpf_clear(z);
	mpf_clear(d);
	return MATH_NUM_OK;
}

static int f_sincos(struct math_num *m, mpf_t s, mpf_t c, const mpf_t x)
{
	if (mpf_cmp_si(x, 1000000) > 0 || mpf_cmp_si(x, -1000000) < 0)
		return MATH_NUM_UNDECIDED;
	mpf_t t, two_pi, term, x2;
	mpf_init2(t, MATH_NUM_BITS);
	mpf_init2(two_pi, MATH_NUM_BITS);
	mpf_init2(term, MATH_NUM_BITS);
	mpf_init2(x2, MATH_NUM_BITS);
	mpf_mul_ui(two_pi, m->pi, 2);
	mpf_div(t, x, two_pi);
	mpf_floor(t, t);
	mpf_mul(t, t, two_pi);
	mpf_sub(t, x, t); /* [0, 2 pi) */
	mpf_div_2exp(t, t, 10);
	mpf_mul(x2, t, t);
	/* sin and cos of the reduced angle */
	mpf_set(s, t);
	mpf_set(term, t);
	for (unsigned long k = 1; k <= 14; k++) {
		mpf_mul(term, term, x2);
		mpf_div_ui(term, term, (2 * k) * (2 * k + 1));
		if (k & 1)
			mpf_sub(s, s, term);
		else
			mpf_add(s, s, term);
	}
	mpf_set_ui(c, 1);
	mpf_set_ui(term, 1);
	for (unsigned long k = 1; k <= 14; k++) {
		mpf_mul(term, term, x2);
		mpf_div_ui(term, term, (2 * k - 1) * (2 * k));
		if (k & 1)
			mpf_sub(c, c, term);
		else
			mpf_add(c, c, term);
	}
	for (int k = 0; k < 10; k++) {
		/* sin 2a = 2 sin a cos a, cos 2a = cos^2 a - sin^2 a */
		mpf_mul(term, s, c);
		mpf_mul_ui(term, term, 2);
		mpf_mul(x2, c, c);
		mpf_mul(t, s, s);
		mpf_sub(c, x2, t);
		mpf_set(s, term);
	}
	mpf_clear(t);
	mpf_clear(two_pi);
	mpf_clear(term);
	mpf_clear(x2);
	return MATH_NUM_OK;
}

static void f_atan(struct math_num *m, mpf_t r, const mpf_t x)
{
	mpf_t y, t;
	mpf_init2(y, MATH_NUM_BITS);
	mpf_init2(t, MATH_NUM_BITS);
	int neg = mpf_sgn(x) < 0, inv = 0;
	mpf_abs(y, x);
	if (mpf_cmp_ui(y, 1) > 0) {
		mpf_ui_div(y, 1, y);
		inv = 1;
	}
	for (int k = 0; k < 4; k++) {
		/* atan y = 2 atan(y / (1 + sqrt(1 + y^2))) */
		mpf_mul(t, y, y);
		mpf_add_ui(t, t, 1);
		mpf_sqrt(t, t);
		mpf_add_ui(t, t, 1);
		mpf_div(y, y, t);
	}
	series_atan(t, y, 1, 40);
	mpf_mul_2exp(r, t, 4);
	if (inv) {
		mpf_div_2exp(t, m->pi, 1);
		mpf_sub(r, t, r);
	}
	if (neg)
		mpf_neg(r, r);
	mpf_clear(y);
	mpf_clear(t);
}

/* ---- Arithmetic ---- */

/* |re| + |im| of v into out. */
static void magnitude(const struct mval *v, mpf_t out)
{
	if (v->exact) {
		mpf_set_q(out, v->q);
		mpf_abs(out, out);
		return;
	}
	mpf_t t;
	mpf_init2(t, MATH_NUM_BITS);
	mpf_abs(out, v->re);
	mpf_abs(t, v->im);
	mpf_add(out, out, t);
	mpf_clear(t);
}

/* a += b.  See math_num.h for the rules on cancellation and absorption. */
static int v_add(struct math_num *m, struct mval *a, const struct mval *b)
{
	if (a->exact && b->exact) {
		mpq_add(a->q, a->q, b->q);
		return MATH_NUM_OK;
	}
	mpf_t ma, mb, t;
	mpf_init2(ma, MATH_NUM_BITS);
	mpf_init2(mb, MATH_NUM_BITS);
	mpf_init2(t, MATH_NUM_BITS);
	magnitude(a, ma);
	magnitude(b, mb);
	to_approx(a);
	if (b->exact) {
		mpf_set_q(t, b->q);
		mpf_add(a->re, a->re, t);
	} else {
		mpf_add(a->re, a->re, b->re);
		mpf_add(a->im, a->im, b->im);
	}
	/* the smaller addend, scaled up by the precision, against the larger */
	int small_b = mpf_cmp(ma, mb) >= 0;
	mpf_mul_2exp(t, small_b ? mb : ma, MATH_NUM_TOL_BITS);
	if (mpf_sgn(small_b ? mb : ma) != 0 && mpf_cmp(t, small_b ? ma : mb) < 0)
		m->lost = 1;
	magnitude(a, t);
	mpf_mul_2exp(t, t, MATH_NUM_TOL_BITS);
	if (mpf_cmp(t, small_b ? ma : mb) <= 0) {
		a->exact = 1; /* the terms cancel to within the precision */
		mpq_set_ui(a->q, 0, 1);
	}
	mpf_clear(ma);
	mpf_clear(mb);
	mpf_clear(t);
	return MATH_NUM_OK;
}

static void v_neg(struct mval *a)
{
	if (a->exact) {
		mpq_neg(a->q, a->q);
	} else {
		mpf_neg(a->re, a->re);
		mpf_neg(a->im, a->im);
	}
}

static int v_mul(struct mval *a, const struct mval *b)
{
	if (a->exact && b->exact) {
		if (q_bits(a->q) + q_bits(b->q) > MATH_NUM_MAX_BITS)
			return MATH_NUM_UNDECIDED;
		mpq_mul(a->q, a->q, b->q);
		return MATH_NUM_OK;
	}
	to_approx(a);
	mpf_t br, bi, t1, t2;
	mpf_init2(br, MATH_NUM_BITS);
	mpf_init2(bi, MATH_NUM_BITS);
	mpf_init2(t1, MATH_NUM_BITS);
	mpf_init2(t2, MATH_NUM_BITS);
	if (b->exact) {
		mpf_set_q(br, b->q);
		mpf_set_ui(bi, 0);
	} else {
		mpf_set(br, b->re);
		mpf_set(bi, b->im);
	}
	mpf_mul(t1, a->re, br);
	mpf_mul(t2, a->im, bi);
	mpf_sub(t1, t1, t2);
	mpf_mul(t2, a->re, bi);
	mpf_mul(a->im, a->im, br);
	mpf_add(a->im, a->im, t2);
	mpf_set(a->re, t1);
	mpf_clear(br);
	mpf_clear(bi);
	mpf_clear(t1);
	mpf_clear(t2);
	return MATH_NUM_OK;
}

static int is_zero(const struct mval *v)
{
	if (v->exact)
		return mpq_sgn(v->q) == 0;
	return mpf_sgn(v->re) == 0 && mpf_sgn(v->im) == 0;
}

static int v_inv(struct mval *a)
{
	if (is_zero(a))
		return MATH_NUM_FAIL;
	if (a->exact) {
		mpq_inv(a->q, a->q);
		return MATH_NUM_OK;
	}
	mpf_t d, t;
	mpf_init2(d, MATH_NUM_BITS);
	mpf_init2(t, MATH_NUM_BITS);
	mpf_mul(d, a->re, a->re);
	mpf_mul(t, a->im, a->im);
	mpf_add(d, d, t);
	if (mpf_sgn(d) == 0) {
		mpf_clear(d);
		mpf_clear(t);
		return MATH_NUM_FAIL;
	}
	mpf_div(a->re, a->re, d);
	mpf_div(a->im, a->im, d);
	mpf_neg(a->im, a->im);
	mpf_clear(d);
	mpf_clear(t);
	return MATH_NUM_OK;
}

/* The tolerance below which a part of an approximate value counts as zero. */
static void zero_tolerance(const struct mval *v, mpf_t tol)
{
	mpf_abs(tol, v->re);
	mpf_add_ui(tol, tol, 1);
	mpf_div_2exp(tol, tol, TOL_BITS);
}

/* Real part only, failing when the imaginary part is not negligible. */
static int real_of(const struct mval *v, mpf_t out)
{
	if (v->exact) {
		mpf_set_q(out, v->q);
		return MATH_NUM_OK;
	}
	mpf_t a, b;
	mpf_init2(a, MATH_NUM_BITS);
	mpf_init2(b, MATH_NUM_BITS);
	mpf_abs(a, v->im);
	zero_tolerance(v, b);
	int ok = mpf_cmp(a, b) <= 0;
	mpf_set(out, v->re);
	mpf_clear(a);
	mpf_clear(b);
	return ok ? MATH_NUM_OK : MATH_NUM_FAIL;
}

static int v_pow_int(struct math_num *m, struct mval *a, long e)
{
	if (e > MATH_NUM_MAX_EXP || e < -MATH_NUM_MAX_EXP)
		return MATH_NUM_UNDECIDED;
	if (a->exact) {
		if (q_bits(a->q) * (size_t)(e < 0 ? -e : e) > MATH_NUM_MAX_BITS)
			return MATH_NUM_UNDECIDED;
		unsigned long ue = (unsigned long)(e < 0 ? -e : e);
		mpz_pow_ui(mpq_numref(a->q), mpq_numref(a->q), ue);
		mpz_pow_ui(mpq_denref(a->q), mpq_denref(a->q), ue);
		if (e < 0)
			return v_inv(a);
		return MATH_NUM_OK;
	}
	struct mval *base = math_val_new(m);
	copy_val(base, a);
	unsigned long ue = (unsigned long)(e < 0 ? -e : e);
	mpq_set_ui(a->q, 1, 1);
	a->exact = 1;
	int rc = MATH_NUM_OK;
	while (ue && rc == MATH_NUM_OK) {
		if (ue & 1)
			rc = v_mul(a, base);
		ue >>= 1;
		if (ue && rc == MATH_NUM_OK)
			rc = v_mul(base, base);
	}
	math_val_free(m, base);
	if (rc == MATH_NUM_OK && e < 0)
		rc = v_inv(a);
	return rc;
}

/* a = a^(1/k) exactly when a is a perfect k-th power of a rational. */
static int exact_root(mpq_t a, unsigned long k)
{
	if (mpq_sgn(a) < 0 && !(k & 1))
		return 0;
	mpz_t n, d;
	mpz_init(n);
	mpz_init(d);
	int ok = mpz_root(n, mpq_numref(a), k) && mpz_root(d, mpq_denref(a), k);
	if (ok) {
		mpq_set_num(a, n);
		mpq_set_den(a, d);
		mpq_canonicalize(a);
	}
	mpz_clear(n);
	mpz_clear(d);
	return ok;
}

/* a = a^b for a general exponent. */
static int v_pow(struct math_num *m, struct mval *a, const struct mval *b)
{
	if (b->exact && mpz_cmp_ui(mpq_denref(b->q), 1) == 0) {
		if (!mpz_fits_slong_p(mpq_numref(b->q)))
			return MATH_NUM_UNDECIDED;
		long e = mpz_get_si(mpq_numref(b->q));
		if (e < 0 && is_zero(a))
			return MATH_NUM_FAIL;
		return v_pow_int(m, a, e);
	}
	if (b->exact && a->exact && mpz_cmp_ui(mpq_denref(b->q), 64) <= 0 &&
	    mpz_fits_slong_p(mpq_numref(b->q))) {
		unsigned long k = mpz_get_ui(mpq_denref(b->q));
		mpq_t t;
		mpq_init(t);
		mpq_set(t, a->q);
		int ok = exact_root(t, k);
		if (ok)
			mpq_set(a->q, t);
		mpq_clear(t);
		if (ok)
			return v_pow_int(m, a, mpz_get_si(mpq_numref(b->q)));
		if (mpq_sgn(a->q) < 0) {
			if (!(k & 1))
				return MATH_NUM_FAIL;
			/* odd root of a negative number: the real root */
			long p = mpz_get_si(mpq_numref(b->q));
			mpq_neg(a->q, a->q);
			struct mval *rb = math_val_new(m);
			copy_val(rb, b);
			int rc = v_pow(m, a, rb);
			math_val_free(m, rb);
			if (rc == MATH_NUM_OK && (p & 1))
				v_neg(a);
			return rc;
		}
	}
	if (charge(m, 200))
		return MATH_NUM_UNDECIDED;
	mpf_t x, y;
	mpf_init2(x, MATH_NUM_BITS);
	mpf_init2(y, MATH_NUM_BITS);
	int rc = real_of(a, x);
	if (rc == MATH_NUM_OK)
		rc = real_of(b, y);
	if (rc == MATH_NUM_OK && mpf_sgn(x) == 0) {
		rc = mpf_sgn(y) > 0 ? MATH_NUM_OK : MATH_NUM_FAIL;
		a->exact = 1;
		mpq_set_ui(a->q, 0, 1);
	} else if (rc == MATH_NUM_OK) {
		rc = f_log(m, x, x);
		if (rc == MATH_NUM_OK) {
			mpf_mul(x, x, y);
			rc = f_exp(m, x, x);
		}
		if (rc == MATH_NUM_OK) {
			a->exact = 0;
			mpf_set(a->re, x);
			mpf_set_ui(a->im, 0);
		}
	}
	mpf_clear(x);
	mpf_clear(y);
	return rc;
}

static int v_sqrt(struct math_num *m, struct mval *a)
{
	if (a->exact) {
		if (exact_root(a->q, 2))
			return MATH_NUM_OK;
		if (mpq_sgn(a->q) < 0) {
			mpq_neg(a->q, a->q);
			int rc = v_sqrt(m, a);
			if (rc)
				return rc;
			to_approx(a);
			mpf_swap(a->re, a->im);
			return MATH_NUM_OK;
		}
		to_approx(a);
		mpf_sqrt(a->re, a->re);
		return MATH_NUM_OK;
	}
	mpf_t x;
	mpf_init2(x, MATH_NUM_BITS);
	int rc = real_of(a, x);
	if (rc == MATH_NUM_OK) {
		if (mpf_sgn(x) >= 0) {
			mpf_sqrt(a->re, x);
			mpf_set_ui(a->im, 0);
		} else {
			mpf_neg(x, x);
			mpf_sqrt(a->im, x);
			mpf_set_ui(a->re, 0);
		}
	}
	mpf_clear(x);
	return rc;
}

/* ---- Functions ---- */

static int v_func(struct math_num *m, const char *name, struct mval *a, const struct mval *base)
{
	if (charge(m, 300))
		return MATH_NUM_UNDECIDED;
	mpf_t x, s, c;
	mpf_init2(x, MATH_NUM_BITS);
	mpf_init2(s, MATH_NUM_BITS);
	mpf_init2(c, MATH_NUM_BITS);
	int rc = real_of(a, x);
	if (rc)
		goto out;
	if (!strcmp(name, "sin") || !strcmp(name, "cos") || !strcmp(name, "tan") ||
	    !strcmp(name, "sec") || !strcmp(name, "csc") || !strcmp(name, "cot") ||
	    !strcmp(name, "cosec") || !strcmp(name, "cotan") || !strcmp(name, "tg") ||
	    !strcmp(name, "ctg")) {
		rc = f_sincos(m, s, c, x);
		if (rc)
			goto out;
		if (!strcmp(name, "sin"))
			mpf_set(x, s);
		else if (!strcmp(name, "cos"))
			mpf_set(x, c);
		else if (!strcmp(name, "tan") || !strcmp(name, "tg"))
			rc = mpf_sgn(c) ? (mpf_div(x, s, c), 0) : MATH_NUM_FAIL;
		else if (!strcmp(name, "sec"))
			rc = mpf_sgn(c) ? (mpf_ui_div(x, 1, c), 0) : MATH_NUM_FAIL;
		else if (!strcmp(name, "csc") || !strcmp(name, "cosec"))
			rc = mpf_sgn(s) ? (mpf_ui_div(x, 1, s), 0) : MATH_NUM_FAIL;
		else
			rc = mpf_sgn(s) ? (mpf_div(x, c, s), 0) : MATH_NUM_FAIL;
		/* sin(pi) and cos(pi/2) are 0, not the rounding noise of the series */
		mpf_abs(s, x);
		mpf_mul_2exp(s, s, MATH_NUM_TOL_BITS);
		if (rc == MATH_NUM_OK && mpf_cmp_ui(s, 1) < 0) {
			a->exact = 1;
			mpq_set_ui(a->q, 0, 1);
			goto out;
		}
	} else if (!strcmp(name, "arctan")) {
		f_atan(m, x, x);
	} else if (!strcmp(name, "arcsin") || !strcmp(name, "arccos")) {
		mpf_abs(s, x);
		if (mpf_cmp_ui(s, 1) > 0) {
			rc = MATH_NUM_FAIL;
			goto out;
		}
		mpf_mul(s, x, x);
		mpf_ui_sub(s, 1, s);
		if (mpf_sgn(s) == 0) {
			mpf_div_2exp(s, m->pi, 1);
			if (mpf_sgn(x) < 0)
				mpf_neg(s, s);
			mpf_set(x, s);
		} else {
			mpf_sqrt(s, s);
			mpf_div(x, x, s);
			f_atan(m, x, x);
		}
		if (!strcmp(name, "arccos")) {
			mpf_div_2exp(s, m->pi, 1);
			mpf_sub(x, s, x);
		}
	} else if (!strcmp(name, "exp")) {
		rc = f_exp(m, x, x);
	} else if (!strcmp(name, "sinh") || !strcmp(name, "cosh") || !strcmp(name, "tanh")) {
		rc = f_exp(m, s, x);
		if (rc)
			goto out;
		mpf_ui_div(c, 1, s);
		if (!strcmp(name, "sinh")) {
			mpf_sub(x, s, c);
			mpf_div_2exp(x, x, 1);
		} else if (!strcmp(name, "cosh")) {
			mpf_add(x, s, c);
			mpf_div_2exp(x, x, 1);
		} else {
			mpf_sub(x, s, c);
			mpf_add(s, s, c);
			mpf_div(x, x, s);
		}
	} else if (!strcmp(name, "ln") || !strcmp(name, "log") || !strcmp(name, "lg")) {
		rc = f_log(m, x, x);
		if (rc)
			goto out;
		if (base || !strcmp(name, "lg")) {
			if (base)
				rc = real_of(base, s);
			else
				mpf_set_ui(s, 10);
			if (!rc)
				rc = f_log(m, s, s);
			if (!rc)
				rc = mpf_sgn(s) ? (mpf_div(x, x, s), 0) : MATH_NUM_FAIL;
		}
	} else {
		rc = MATH_NUM_FAIL;
	}
	if (rc == MATH_NUM_OK) {
		a->exact = 0;
		mpf_set(a->re, x);
		mpf_set_ui(a->im, 0);
	}
out:
	mpf_clear(x);
	mpf_clear(s);
	mpf_clear(c);
	return rc;
}

/*
 * An unknown function f(x) is replaced by a fixed rational function whose
 * coefficients come from the name, so f(1) = f(1) and f(x) != g(x).
 */
static int v_apply(struct math_num *m, const char *name, struct mval *a)
{
	uint64_t h = hash64(name, strlen(name), 0x5eed);
	struct mval *t = math_val_new(m);
	int rc = MATH_NUM_OK;
	copy_val(t, a);
	if ((rc = v_mul(t, a)) == MATH_NUM_OK) { /* t = a^2 */
		struct mval *c = math_val_new(m);
		mpq_set_si(c->q, (long)(h % 97) + 3, 7);
		struct mval *num = math_val_new(m);
		copy_val(num, t);
		rc = v_mul(num, c); /* c1 a^2 */
		mpq_set_si(c->q, (long)((h >> 8) % 89) - 40, 11);
		struct mval *lin = math_val_new(m);
		copy_val(lin, a);
		if (!rc)
			rc = v_mul(lin, c);
		if (!rc)
			rc = v_add(m, num, lin);
		mpq_set_si(c->q, (long)((h >> 16) % 83) + 1, 13);
		if (!rc)
			rc = v_add(m, num, c);
		mpq_set_si(c->q, (long)((h >> 24) % 79) + 2, 5);
		if (!rc)
			rc = v_add(m, t, c); /* a^2 + c4, never zero for real a */
		if (!rc)
			rc = v_inv(t);
		if (!rc)
			rc = v_mul(num, t);
		if (!rc)
			copy_val(a, num);
		math_val_free(m, lin);
		math_val_free(m, num);
		math_val_free(m, c);
	}
	math_val_free(m, t);
	return rc;
}

/* ---- Evaluation ---- */

int math_num_add_var(struct math_num *m, const char *name)
{
	for (int k = 0; k < m->nvars; k++)
		if (!strcmp(m->vars[k], name))
			return 0;
	if (m->nvars >= MATH_NUM_MAX_VARS)
		return -1;
	m->vars[m->nvars++] = name;
	return 0;
}

static int var_value(struct math_num *m, const char *name, struct mval *out)
{
	for (int j = 0; j < m->nvars; j++) {
		if (strcmp(m->vars[j], name))
			continue;
		if (m->alias && j == 1)
			j = 0;
		/* a positive rational between 1 and 4 with a 20-bit denominator: small
		 * enough that e^{xy} keeps every term, random enough that no
		 * polynomial is built to vanish there */
		uint32_t key[2] = {(uint32_t)j, (uint32_t)m->point};
		uint64_t h = hash64(key, sizeof(key), MATH_NUM_SEED);
		unsigned long den = 1000003 + (unsigned long)((h >> 40) % 48000);
		mpq_set_ui(out->q, den + (unsigned long)(h % (3 * den)), den);
		mpq_canonicalize(out->q);
		out->exact = 1;
		return MATH_NUM_OK;
	}
	return MATH_NUM_FAIL;
}

int math_num_set_decimal(struct mval *v, const char *s)
{
	const char *bar = strchr(s, '|');
	if (bar) {
		/* A.B|R = A.B + R / (10^len(B) (10^len(R) - 1)) */
		char head[4100];
		size_t hn = (size_t)(bar - s), rn = strlen(bar + 1);
		if (hn >= sizeof(head) || rn == 0 || rn > 4000)
			return MATH_NUM_UNDECIDED;
		memcpy(head, s, hn);
		head[hn] = '\0';
		int rc = math_num_set_decimal(v, head);
		if (rc)
			return rc;
		const char *dot = strchr(head, '.');
		size_t frac = dot ? strlen(dot + 1) : 0;
		mpq_t r;
		mpq_init(r);
		rc = mpz_set_str(mpq_numref(r), bar + 1, 10) ? MATH_NUM_FAIL : MATH_NUM_OK;
		mpz_ui_pow_ui(mpq_denref(r), 10, rn);
		mpz_sub_ui(mpq_denref(r), mpq_denref(r), 1);
		mpz_t p10;
		mpz_init(p10);
		mpz_ui_pow_ui(p10, 10, frac);
		mpz_mul(mpq_denref(r), mpq_denref(r), p10);
		mpz_clear(p10);
		mpq_canonicalize(r);
		if (!rc)
			mpq_add(v->q, v->q, r);
		mpq_clear(r);
		return rc;
	}
	size_t n = strlen(s);
	if (n > 4000)
		return MATH_NUM_UNDECIDED;
	const char *dot = strchr(s, '.');
	char buf[4100];
	size_t frac = 0, w = 0;
	for (size_t k = 0; k < n; k++) {
		if (s[k] == '.')
			continue;
		buf[w++] = s[k];
	}
	buf[w] = '\0';
	if (dot)
		frac = n - (size_t)(dot - s) - 1;
	if (w == 0 || mpz_set_str(mpq_numref(v->q), buf, 10))
		return MATH_NUM_FAIL;
	mpz_ui_pow_ui(mpq_denref(v->q), 10, frac);
	mpq_canonicalize(v->q);
	v->exact = 1;
	return MATH_NUM_OK;
}

static int eval_kids_fold(struct math_num *m, const struct mnode *n, struct mval *out, int mul)
{
	int rc = math_num_eval(m, n->kid[0], out);
	struct mval *t = math_val_new(m);
	for (int k = 1; k < n->n && rc == MATH_NUM_OK; k++) {
		rc = math_num_eval(m, n->kid[k], t);
		if (rc == MATH_NUM_OK)
			rc = mul ? v_mul(out, t) : v_add(m, out, t);
	}
	math_val_free(m, t);
	return rc;
}

/* The arguments of an unknown function as one value, each weighted by its
 * place, (7/3)^i: f(1, 2) is not f(2, 1). */
static int eval_args(struct math_num *m, const struct mnode *n, struct mval *out)
{
	int rc = math_num_eval(m, n->kid[0], out);
	struct mval *t = math_val_new(m), *w = math_val_new(m), *step = math_val_new(m);
	mpq_set_ui(step->q, 7, 3);
	mpq_set_ui(w->q, 1, 1);
	for (int k = 1; k < n->n && rc == MATH_NUM_OK; k++) {
		rc = v_mul(w, step);
		if (rc == MATH_NUM_OK)
			rc = math_num_eval(m, n->kid[k], t);
		if (rc == MATH_NUM_OK)
			rc = v_mul(t, w);
		if (rc == MATH_NUM_OK)
			rc = v_add(m, out, t);
	}
	math_val_free(m, step);
	math_val_free(m, w);
	math_val_free(m, t);
	return rc;
}

/* n choose k, exactly: k a whole number (k < 0 gives 0), n any exact value,
 * through the falling product n (n - 1) ... (n - k + 1) / k!, which is the
 * binomial polynomial in n where n is a variable's sample point.  A whole n
 * takes the shorter side, min(k, n - k).  Where k is not a whole number (a
 * variable), the binomial is an unknown function of (n, k), the same on both
 * sides only for the same arguments in the same order. */
static int v_binom(struct math_num *m, const struct mnode *node, struct mval *out)
{
	int rc = math_num_eval(m, node->kid[0], out);
	if (rc)
		return rc;
	struct mval *k = math_val_new(m);
	rc = math_num_eval(m, node->kid[1], k);
	if (rc)
		goto done;
	if (!out->exact || !k->exact || mpz_cmp_ui(mpq_denref(k->q), 1)) {
		struct mval *c = math_val_new(m);
		mpq_set_ui(c->q, 7, 3);
		rc = v_mul(k, c); /* n + 7k/3 tells (n, k) from (k, n) */
		if (!rc)
			rc = v_add(m, out, k);
		if (!rc)
			rc = v_apply(m, "\\binom", out);
		math_val_free(m, c);
		goto done;
	}
	if (mpq_sgn(k->q) < 0) {
		mpq_set_ui(out->q, 0, 1);
		goto done;
	}
	mpz_t kk;
	mpz_init_set(kk, mpq_numref(k->q));
	int whole = !mpz_cmp_ui(mpq_denref(out->q), 1) && mpq_sgn(out->q) >= 0;
	if (whole && mpz_cmp(kk, mpq_numref(out->q)) > 0) {
		mpq_set_ui(out->q, 0, 1);
	} else {
		if (whole) {
			mpz_t rest;
			mpz_init(rest);
			mpz_sub(rest, mpq_numref(out->q), kk);
			if (mpz_cmp(rest, kk) < 0)
				mpz_swap(rest, kk);
			mpz_clear(rest);
		}
		if (mpz_cmp_ui(kk, 2000) > 0) {
			rc = MATH_NUM_UNDECIDED;
		} else {
			unsigned long kn = mpz_get_ui(kk);
			rc = charge(m, (long)kn + 1);
			mpq_t acc, term;
			mpq_init(acc);
			mpq_init(term);
			mpq_set_ui(acc, 1, 1);
			for (unsigned long j = 0; !rc && j < kn; j++) {
				/* acc *= (n - j) / (j + 1) */
				mpq_set_ui(term, j, 1);
				mpq_sub(term, out->q, term);
				mpq_mul(acc, acc, term);
				mpq_set_ui(term, 1, j + 1);
				mpq_mul(acc, acc, term);
				if (q_bits(acc) > MATH_NUM_MAX_BITS)
					rc = MATH_NUM_UNDECIDED;
			}
			if (!rc)
				mpq_set(out->q, acc);
			mpq_clear(acc);
			mpq_clear(term);
		}
	}
	mpz_clear(kk);
done:
	math_val_free(m, k);
	return rc;
}

static int node_has_vars(const struct mnode *n)
{
	if ((n->kind == MK_SYM && strcmp(n->text, "e") && strcmp(n->text, "i")) || n->kind == MK_APPLY)
		return 1;
	for (int i = 0; i < n->n; i++)
		if (node_has_vars(n->kid[i]))
			return 1;
	return 0;
}

static int is_integer(const struct mval *v)
{
	return v->exact && mpz_cmp_ui(mpq_denref(v->q), 1) == 0;
}

/* floor or ceil; an approximate value too close to a whole number to tell is undecided. */
static int v_round(struct mval *a, int up)
{
	if (a->exact) {
		if (up)
			mpz_cdiv_q(mpq_numref(a->q), mpq_numref(a->q), mpq_denref(a->q));
		else
			mpz_fdiv_q(mpq_numref(a->q), mpq_numref(a->q), mpq_denref(a->q));
		mpz_set_ui(mpq_denref(a->q), 1);
		return MATH_NUM_OK;
	}
	mpf_t x, r, t;
	mpf_init2(x, MATH_NUM_BITS);
	mpf_init2(r, MATH_NUM_BITS);
	mpf_init2(t, MATH_NUM_BITS);
	int rc = real_of(a, x);
	if (rc == MATH_NUM_OK) {
		mpf_set_d(t, 0.5);
		mpf_add(r, x, t);
		mpf_floor(r, r); /* nearest whole number */
		mpf_sub(t, x, r);
		mpf_abs(t, t);
		mpf_mul_2exp(t, t, 150);
		mpf_abs(r, x);
		mpf_add_ui(r, r, 1);
		if (mpf_cmp(t, r) <= 0) {
			rc = MATH_NUM_UNDECIDED;
		} else {
			if (up)
				mpf_ceil(x, x);
			else
				mpf_floor(x, x);
			a->exact = 1;
			mpq_set_f(a->q, x);
		}
	}
	mpf_clear(x);
	mpf_clear(r);
	mpf_clear(t);
	return rc;
}

/* The real part of v for ordering, failing for a complex value. */
static int v_cmp(const struct mval *a, const struct mval *b, int *out)
{
	if (a->exact && b->exact) {
		*out = mpq_cmp(a->q, b->q);
		return MATH_NUM_OK;
	}
	mpf_t x, y;
	mpf_init2(x, MATH_NUM_BITS);
	mpf_init2(y, MATH_NUM_BITS);
	int rc = real_of(a, x);
	if (rc == MATH_NUM_OK)
		rc = real_of(b, y);
	*out = mpf_cmp(x, y);
	mpf_clear(x);
	mpf_clear(y);
	return rc;
}

/* gcd, lcm, max, min of the arguments; a mod b; a (mod n). */
static int v_funcn(struct math_num *m, const struct mnode *n, struct mval *out)
{
	if (n->n == 0)
		return MATH_NUM_FAIL;
	if (!strcmp(n->text, "sum") || !strcmp(n->text, "prod")) {
		int rc = eval_args(m, n, out);
		return rc ? rc : v_apply(m, n->text, out);
	}
	int rc = math_num_eval(m, n->kid[0], out);
	struct mval *t = math_val_new(m);
	int whole = !strcmp(n->text, "gcd") || !strcmp(n->text, "lcm") || !strcmp(n->text, "mod") ||
		    !strcmp(n->text, "pmod");
	if (rc == MATH_NUM_OK && whole && !is_integer(out))
		rc = MATH_NUM_FAIL;
	for (int k = 1; k < n->n && rc == MATH_NUM_OK; k++) {
		rc = math_num_eval(m, n->kid[k], t);
		if (rc)
			break;
		if (whole && !is_integer(t)) {
			rc = MATH_NUM_FAIL;
			break;
		}
		mpz_ptr a = mpq_numref(out->q), b = mpq_numref(t->q);
		if (!strcmp(n->text, "gcd")) {
			mpz_gcd(a, a, b);
		} else if (!strcmp(n->text, "lcm")) {
			mpz_lcm(a, a, b);
		} else if (!strcmp(n->text, "mod") || !strcmp(n->text, "pmod")) {
			if (mpz_sgn(b) == 0) {
				rc = MATH_NUM_FAIL;
				break;
			}
			mpz_fdiv_r(a, a, b);
			if (mpz_sgn(a) < 0)
				mpz_add(a, a, b);
			if (!strcmp(n->text, "pmod")) {
				/* a class modulo n: the same residue and modulus, as an unknown function */
				struct mval *c = math_val_new(m);
				mpq_set_ui(c->q, 7, 3);
				rc = v_mul(t, c);
				if (!rc)
					rc = v_add(m, out, t);
				if (!rc)
					rc = v_apply(m, "\\pmod", out);
				math_val_free(m, c);
			}
		} else {
			int c;
			rc = v_cmp(t, out, &c);
			if (!rc && ((!strcmp(n->text, "max") && c > 0) || (!strcmp(n->text, "min") && c < 0)))
				copy_val(out, t);
		}
	}
	math_val_free(m, t);
	return rc;
}

/* The determinant of the square matrix mx over the rows from r on and the columns in mask. */
static int v_det(struct math_num *m, const struct mnode *mx, int r, unsigned mask, struct mval *out)
{
	int size = mx->cols;
	if (r == size) {
		out->exact = 1;
		mpq_set_ui(out->q, 1, 1);
		return MATH_NUM_OK;
	}
	struct mval *cell = math_val_new(m), *minor = math_val_new(m);
	out->exact = 1;
	mpq_set_ui(out->q, 0, 1);
	int rc = MATH_NUM_OK, sign = 1;
	for (int c = 0; c < size && rc == MATH_NUM_OK; c++) {
		if (!(mask & (1u << c)))
			continue;
		rc = math_num_eval(m, mx->kid[r * size + c], cell);
		if (!rc)
			rc = v_det(m, mx, r + 1, mask & ~(1u << c), minor);
		if (!rc)
			rc = v_mul(cell, minor);
		if (!rc && sign < 0)
			v_neg(cell);
		if (!rc)
			rc = v_add(m, out, cell);
		sign = -sign;
	}
	math_val_free(m, minor);
	math_val_free(m, cell);
	return rc;
}

int math_num_eval(struct math_num *m, const struct mnode *n, struct mval *out)
{
	if (charge(m, 1))
		return MATH_NUM_UNDECIDED;
	out->exact = 1;
	mpq_set_ui(out->q, 0, 1);
	int rc;
	struct mval *t;
	switch (n->kind) {
	case MK_NUM:
		return math_num_set_decimal(out, n->text);
	case MK_SYM:
		if (!strcmp(n->text, "e")) {
			out->exact = 0;
			mpf_set(out->re, m->e);
			mpf_set_ui(out->im, 0);
			return MATH_NUM_OK;
		}
		if (!strcmp(n->text, "i")) {
			out->exact = 0;
			mpf_set_ui(out->re, 0);
			mpf_set_ui(out->im, 1);
			return MATH_NUM_OK;
		}
		return var_value(m, n->text, out);
	case MK_CONST:
		if (!strcmp(n->text, "pi")) {
			out->exact = 0;
			mpf_set(out->re, m->pi);
			mpf_set_ui(out->im, 0);
			return MATH_NUM_OK;
		}
		return MATH_NUM_FAIL;
	case MK_ADD:
		return eval_kids_fold(m, n, out, 0);
	case MK_MUL:
		return eval_kids_fold(m, n, out, 1);
	case MK_NEG:
		rc = math_num_eval(m, n->kid[0], out);
		if (rc == MATH_NUM_OK)
			v_neg(out);
		return rc;
	case MK_DIV:
	case MK_POW:
		rc = math_num_eval(m, n->kid[0], out);
		if (rc)
			return rc;
		t = math_val_new(m);
		rc = math_num_eval(m, n->kid[1], t);
		if (rc == MATH_NUM_OK && n->kind == MK_DIV) {
			rc = v_inv(t);
			if (rc == MATH_NUM_OK)
				rc = v_mul(out, t);
		} else if (rc == MATH_NUM_OK) {
			rc = v_pow(m, out, t);
		}
		math_val_free(m, t);
		return rc;
	case MK_SQRT:
		rc = math_num_eval(m, n->kid[0], out);
		if (rc || n->n == 1)
			return rc ? rc : v_sqrt(m, out);
		t = math_val_new(m);
		rc = math_num_eval(m, n->kid[1], t);
		if (rc == MATH_NUM_OK)
			rc = v_inv(t);
		if (rc == MATH_NUM_OK)
			rc = v_pow(m, out, t);
		math_val_free(m, t);
		return rc;
	case MK_FACT:
		rc = math_num_eval(m, n->kid[0], out);
		if (rc)
			return rc;
		if (!out->exact || mpz_cmp_ui(mpq_denref(out->q), 1) || mpq_sgn(out->q) < 0)
			return MATH_NUM_FAIL;
		if (mpz_cmp_ui(mpq_numref(out->q), 2000) > 0)
			return MATH_NUM_UNDECIDED;
		mpz_fac_ui(mpq_numref(out->q), mpz_get_ui(mpq_numref(out->q)));
		return MATH_NUM_OK;
	case MK_BINOM:
		return v_binom(m, n, out);
	case MK_ABS:
		rc = math_num_eval(m, n->kid[0], out);
		if (rc)
			return rc;
		if (out->exact) {
			mpq_abs(out->q, out->q);
		} else {
			mpf_mul(out->re, out->re, out->re);
			mpf_mul(out->im, out->im, out->im);
			mpf_add(out->re, out->re, out->im);
			mpf_sqrt(out->re, out->re);
			mpf_set_ui(out->im, 0);
		}
		return MATH_NUM_OK;
	case MK_PERCENT:
		rc = math_num_eval(m, n->kid[0], out);
		if (rc)
			return rc;
		t = math_val_new(m);
		mpq_set_ui(t->q, 1, 100);
		rc = v_mul(out, t);
		math_val_free(m, t);
		return rc;
	case MK_FUNC:
		if (!strcmp(n->text, "det")) {
			const struct mnode *mx = n->kid[0];
			if (mx->kind != MK_MATRIX || mx->rows != mx->cols || mx->rows > 5)
				return MATH_NUM_FAIL;
			return v_det(m, mx, 0, (1u << mx->cols) - 1, out);
		}
		rc = math_num_eval(m, n->kid[0], out);
		if (rc)
			return rc;
		if (!strcmp(n->text, "floor") || !strcmp(n->text, "ceil"))
			return v_round(out, n->text[0] == 'c');
		if (n->n == 2) {
			t = math_val_new(m);
			rc = math_num_eval(m, n->kid[1], t);
			if (rc == MATH_NUM_OK)
				rc = v_func(m, n->text, out, t);
			math_val_free(m, t);
			return rc;
		}
		return v_func(m, n->text, out, NULL);
	case MK_FUNCN:
		return v_funcn(m, n, out);
	case MK_DEGREE:
		rc = math_num_eval(m, n->kid[0], out);
		if (rc)
			return rc;
		t = math_val_new(m);
		t->exact = 0;
		mpf_div_ui(t->re, m->pi, 180);
		mpf_set_ui(t->im, 0);
		rc = v_mul(out, t);
		math_val_free(m, t);
		return rc;
	case MK_FACT2:
		rc = math_num_eval(m, n->kid[0], out);
		if (rc)
			return rc;
		if (!is_integer(out) || mpq_sgn(out->q) < 0)
			return MATH_NUM_FAIL;
		if (mpz_cmp_ui(mpq_numref(out->q), 4000) > 0)
			return MATH_NUM_UNDECIDED;
		mpz_2fac_ui(mpq_numref(out->q), mpz_get_ui(mpq_numref(out->q)));
		return MATH_NUM_OK;
	case MK_APPLY:
		if (n->n == 0)
			return MATH_NUM_FAIL;
		if (!strcmp(n->text, "\\bar") && n->n == 1 && !node_has_vars(n->kid[0])) {
			/* the complex conjugate of a number */
			rc = math_num_eval(m, n->kid[0], out);
			if (rc == MATH_NUM_OK && !out->exact)
				mpf_neg(out->im, out->im);
			return rc;
		}
		rc = eval_args(m, n, out);
		return rc ? rc : v_apply(m, n->text, out);
	default:
		return MATH_NUM_FAIL;
	}
}

/* ---- Comparison and keys ---- */

static void approx_parts(const struct mval *v, mpf_t re, mpf_t im)
{
	if (v->exact) {
		mpf_set_q(re, v->q);
		mpf_set_ui(im, 0);
	} else {
		mpf_set(re, v->re);
		mpf_set(im, v->im);
	}
}

/* |a - b| <= tol * scale, where scale = 1 + |a| (componentwise sums). */
static int within(const struct mval *a, const struct mval *b, const mpf_t tol, int relative)
{
	mpf_t ar, ai, br, bi, d, s;
	mpf_init2(ar, MATH_NUM_BITS);
	mpf_init2(ai, MATH_NUM_BITS);
	mpf_init2(br, MATH_NUM_BITS);
	mpf_init2(bi, MATH_NUM_BITS);
	mpf_init2(d, MATH_NUM_BITS);
	mpf_init2(s, MATH_NUM_BITS);
	approx_parts(a, ar, ai);
	approx_parts(b, br, bi);
	mpf_sub(br, ar, br);
	mpf_sub(bi, ai, bi);
	mpf_abs(br, br);
	mpf_abs(bi, bi);
	mpf_add(d, br, bi);
	if (relative) {
		/* of the larger magnitude: no absolute slack near zero */
		approx_parts(b, br, bi);
		mpf_abs(ar, ar);
		mpf_abs(ai, ai);
		mpf_add(s, ar, ai);
		mpf_abs(br, br);
		mpf_abs(bi, bi);
		mpf_add(br, br, bi);
		if (mpf_cmp(br, s) > 0)
			mpf_set(s, br);
		mpf_mul(s, s, tol);
	} else {
		mpf_set(s, tol);
	}
	int ok = mpf_cmp(d, s) <= 0;
	mpf_clear(ar);
	mpf_clear(ai);
	mpf_clear(br);
	mpf_clear(bi);
	mpf_clear(d);
	mpf_clear(s);
	return ok;
}

int math_num_equal(struct math_num *m, const struct mval *a, const struct mval *b)
{
	(void)m;
	if (a->exact && b->exact)
		return mpq_equal(a->q, b->q);
	mpf_t tol;
	mpf_init2(tol, MATH_NUM_BITS);
	mpf_set_ui(tol, 1);
	mpf_div_2exp(tol, tol, MATH_NUM_TOL_BITS);
	int ok = within(a, b, tol, 1);
	mpf_clear(tol);
	return ok;
}

/* 10^k as a float, k may be negative. */
static void pow10(mpf_t r, long k)
{
	mpf_set_ui(r, 10);
	if (k >= 0) {
		mpf_pow_ui(r, r, (unsigned long)k);
	} else {
		mpf_pow_ui(r, r, (unsigned long)-k);
		mpf_ui_div(r, 1, r);
	}
}

int math_num_approximates(struct math_num *m, const struct mval *d, const struct mval *x, int sig)
{
	(void)m;
	mpf_t xr, xi, tol;
	mpf_init2(xr, MATH_NUM_BITS);
	mpf_init2(xi, MATH_NUM_BITS);
	mpf_init2(tol, MATH_NUM_BITS);
	approx_parts(x, xr, xi);
	int ok = 0;
	if (mpf_sgn(xi) == 0 && mpf_sgn(xr) != 0) {
		long e10;
		char *digits = mpf_get_str(NULL, &e10, 10, 40, xr);
		free(digits);
		/* x = 0.d1d2... * 10^e10: half a unit in the sig-th digit */
		pow10(tol, e10 - sig);
		mpf_div_2exp(tol, tol, 1);
		ok = within(d, x, tol, 0);
	}
	mpf_clear(xr);
	mpf_clear(xi);
	mpf_clear(tol);
	return ok;
}

int math_num_rounds_to(struct math_num *m, const struct mval *x, const struct mval *d, int frac_digits)
{
	(void)m;
	mpf_t tol;
	mpf_init2(tol, MATH_NUM_BITS);
	pow10(tol, -frac_digits);
	mpf_div_2exp(tol, tol, 1);
	int ok = within(d, x, tol, 0);
	mpf_clear(tol);
	return ok;
}

int math_num_is_terminating(const struct mval *v)
{
	if (!v->exact)
		return 0;
	mpz_t d;
	mpz_init_set(d, mpq_denref(v->q));
	while (mpz_divisible_ui_p(d, 2))
		mpz_divexact_ui(d, d, 2);
	while (mpz_divisible_ui_p(d, 5))
		mpz_divexact_ui(d, d, 5);
	int ok = mpz_cmp_ui(d, 1) == 0;
	mpz_clear(d);
	return ok;
}

static void key_float(const mpf_t x, struct strbuf *out)
{
	long e10;
	char *digits = mpf_get_str(NULL, &e10, 10, 24, x);
	if (!digits[0] || !strcmp(digits, "0") || !strcmp(digits, "-0"))
		strbuf_adds(out, "0");
	else
		strbuf_addf(out, "%se%ld", digits, e10);
	free(digits);
}

void math_num_key(const struct mval *v, struct strbuf *out)
{
	if (v->exact) {
		char *s = mpq_get_str(NULL, 10, v->q);
		strbuf_adds(out, s);
		free(s);
		return;
	}
	mpf_t a, b;
	mpf_init2(a, MATH_NUM_BITS);
	mpf_init2(b, MATH_NUM_BITS);
	zero_tolerance(v, b);
	strbuf_adds(out, "~");
	/* Values within the tolerance of zero print as 0 so that they group. */
	mpf_abs(a, v->re);
	if (mpf_cmp(a, b) <= 0)
		strbuf_adds(out, "0");
	else
		key_float(v->re, out);
	mpf_abs(a, v->im);
	if (mpf_cmp(a, b) > 0) {
		strbuf_adds(out, "+i");
		key_float(v->im, out);
	}
	mpf_clear(a);
	mpf_clear(b);
}
