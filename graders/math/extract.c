/*
 * math_extract: see math_extract.h.  Everything works on (ptr, len) views of
 * the content; only the final answer is copied.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "graders/math/extract.h"
#include "harness/model/think.h"

void math_extract_init(struct math_extract *x)
{
	strbuf_init(&x->answer);
	strbuf_init(&x->joined);
	x->how = MX_NONE;
	x->truncated = 0;
}

void math_extract_release(struct math_extract *x)
{
	strbuf_release(&x->answer);
	strbuf_release(&x->joined);
}

/* ---- Helpers ---- */

static const char *find_ci_last(struct strview v, const char *needle, size_t *at)
{
	size_t n = strlen(needle);
	const char *hit = NULL;
	for (size_t i = 0; i + n <= v.len; i++) {
		if (!strncasecmp(v.ptr + i, needle, n)) {
			hit = v.ptr + i;
			*at = i;
		}
	}
	return hit;
}

static int starts_with(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);
	return (size_t)(end - p) >= n && !memcmp(p, s, n);
}

/* The index just past the '}' matching the '{' at s[i], or 0. */
static size_t match_brace(const char *s, size_t len, size_t i)
{
	int d = 0;
	for (size_t k = i; k < len; k++) {
		if (s[k] == '\\' && k + 1 < len) {
			k++;
			continue;
		}
		if (s[k] == '{')
			d++;
		else if (s[k] == '}' && --d == 0)
			return k + 1;
	}
	return 0;
}

/* ---- Boxes ---- */

struct box {
	size_t start, end;       /* the whole \boxed{...} */
	size_t in_start, in_end; /* its content */
};

#define MAX_BOXES 64

/* Find the boxes in v; returns how many (the last MAX_BOXES), -1 if the last is unclosed. */
static int find_boxes(struct strview v, struct box *boxes)
{
	int n = 0, unclosed = 0;
	for (size_t i = 0; i < v.len; i++) {
		size_t m;
		if (starts_with(v.ptr + i, v.ptr + v.len, "\\boxed"))
			m = 6;
		else if (starts_with(v.ptr + i, v.ptr + v.len, "\\fbox"))
			m = 5;
		else
			continue;
		size_t j = i + m;
		if (j < v.len && isalpha((unsigned char)v.ptr[j]))
			continue;
		while (j < v.len && v.ptr[j] == ' ')
			j++;
		struct box b = {.start = i};
		if (j < v.len && v.ptr[j] == '{') {
			size_t e = match_brace(v.ptr, v.len, j);
			if (!e) {
				unclosed = 1;
				continue;
			}
			b.in_start = j + 1;
			b.in_end = e - 1;
			b.end = e;
		} else if (j > i + m) {
			size_t e = j;
			while (e < v.len && !isspace((unsigned char)v.ptr[e]) && v.ptr[e] != '$')
				e++;
			if (e == j)
				continue;
			b.in_start = j;
			b.in_end = e;
			b.end = e;
		} else {
			continue;
		}
		unclosed = 0;
		if (n == MAX_BOXES) {
			memmove(boxes, boxes + 1, (MAX_BOXES - 1) * sizeof(*boxes));
			n--;
		}
		boxes[n++] = b;
		i = b.end - 1;
	}
	return unclosed ? -1 : n;
}

/* The text between two boxes joins them into one list. */
static int connective(const char *p, size_t len)
{
	if (len > 80)
		return 0;
	int alnum = 0;
	char words[96];
	size_t w = 0;
	for (size_t k = 0; k < len; k++) {
		char c = p[k];
		if (p[k] == '\\') {
			/* commands (\quad, \text, \() are layout */
			k++;
			while (k < len && isalpha((unsigned char)p[k]))
				k++;
			k--;
			continue;
		}
		if (isalnum((unsigned char)c)) {
			alnum = 1;
			words[w++] = (char)tolower((unsigned char)c);
		} else if (w && words[w - 1] != ' ') {
			words[w++] = ' ';
		}
	}
	words[w] = '\0';
	if (!alnum)
		return 1;
	/* a connective word: "and", "or", "(1, 2) and (3, 4)" */
	return strstr(words, "and") != NULL || !strcmp(words, "or ") || !strcmp(words, "or") ||
	       strstr(words, " or ") != NULL;
}

static void join_boxes(struct math_extract *x, struct strview v, const struct box *b, int n)
{
	int first = n - 1;
	while (first > 0 && connective(v.ptr + b[first - 1].end, b[first].start - b[first - 1].end))
		first--;
	if (first == n - 1)
		return;
	for (int k = first; k < n; k++) {
		if (k > first)
			strbuf_adds(&x->joined, ", ");
		strbuf_add(&x->joined, v.ptr + b[k].in_start, b[k].in_end - b[k].in_start);
	}
}

/* ---- Phrases ---- */

static struct strview cut_sentence(struct strview v)
{
	size_t e = 0;
	while (e < v.len && v.ptr[e] != '\n')
		e++;
	v.len = e;
	for (size_t k = 0; k < v.len; k++) {
		if (v.ptr[k] == '.' && (k + 1 == v.len || v.ptr[k + 1] == ' ') &&
		    !(k + 1 < v.len && isdigit((unsigned char)v.ptr[k + 1]))) {
			/* keep a dot inside an open $...$ */
			size_t dollars = 0;
			for (size_t j = 0; j < k; j++)
				dollars += v.ptr[j] == '$';
			if (dollars % 2 == 0) {
				v.len = k;
				break;
			}
		}
	}
	return sv_trim(v);
}

static int region_in(struct strview v, struct strview *out);
static int last_number(struct math_extract *x, struct strview v);
static int number_span(struct strview v, int last, struct strview *out);
static int prose_around_regions(struct strview v);

static int count_regions(struct strview v)
{
	int d = 0;
	for (size_t k = 0; k < v.len; k++)
		d += v.ptr[k] == '$';
	return d / 2;
}

/* Three or more words of letters: a sentence rather than an answer. */
static int prose(struct strview v)
{
	int words = 0, run = 0;
	for (size_t k = 0; k <= v.len; k++) {
		if (k < v.len && isalpha((unsigned char)v.ptr[k]) && !(k > 0 && v.ptr[k - 1] == '\\' && !run)) {
			run++;
		} else {
			if (run >= 2)
				words++;
			run = 0;
		}
	}
	return words >= 3;
}

static int phrase(struct math_extract *x, struct strview v)
{
	static const char *const phrases[] = {
		"final answer is", "final answer:", "the answer is", "answer is:", "answer is",
		"answer:", "####",
	};
	size_t best = 0, at = 0, plen = 0;
	const char *hit = NULL;
	for (size_t k = 0; k < ARRAY_SIZE(phrases); k++) {
		const char *h = find_ci_last(v, phrases[k], &at);
		if (h && (!hit || at + strlen(phrases[k]) > best)) {
			hit = h;
			best = at + strlen(phrases[k]);
			plen = strlen(phrases[k]);
		}
	}
	/* "A: 18" at the start of a line (Q:/A: few-shot formats) */
	size_t la;
	if (find_ci_last(v, "\nA: ", &la) && la + 4 > best && !strncmp(v.ptr + la, "\nA: ", 4)) {
		hit = v.ptr + la;
		best = la + 4;
	} else if (!hit && v.len > 3 && !strncmp(v.ptr, "A: ", 3)) {
		hit = v.ptr;
		best = 3;
	}
	/* <answer>...</answer> */
	size_t a_at;
	if (find_ci_last(v, "<answer>", &a_at) && a_at + 8 >= best) {
		struct strview r = {v.ptr + a_at + 8, v.len - a_at - 8};
		size_t c_at;
		if (find_ci_last(r, "</answer>", &c_at))
			r.len = c_at;
		r = sv_trim(r);
		if (r.len) {
			strbuf_add(&x->answer, r.ptr, r.len);
			return 1;
		}
	}
	if (!hit)
		return 0;
	(void)plen;
	struct strview r = {v.ptr + best, v.len - best};
	while (r.len && (r.ptr[0] == ' ' || r.ptr[0] == ':' || r.ptr[0] == '*'))
		r.ptr++, r.len--;
	/* "**Final Answer:** $5$" puts the answer on the same or the next line */
	if (r.len && r.ptr[0] == '\n') {
		r = sv_trim(r);
	}
	r = cut_sentence(r);
	/* "The largest $n$ is 34": the answer follows the last " is " */
	size_t is_at;
	if (find_ci_last(r, " is ", &is_at)) {
		r.ptr += is_at + 4;
		r.len -= is_at + 4;
	}
	struct strview m;
	if (region_in(r, &m)) {
		/* "$12$ and $13$" is one answer; "the value of $x$ is $5$" is $5$ */
		if (prose_around_regions(r) || !strchr(m.ptr + m.len, '$') ||
		    count_regions(r) < 2)
			r = m;
	} else if (prose(r)) {
		/* "5 (but if we also count zero, 7)" offers two answers: no number is taken */
		struct strview first, last;
		if (number_span(r, 0, &first) && number_span(r, 1, &last) &&
		    (first.len != last.len || memcmp(first.ptr, last.ptr, first.len))) {
			strbuf_add(&x->answer, r.ptr, r.len);
			return 1;
		}
		struct math_extract tmp;
		math_extract_init(&tmp);
		int found = last_number(&tmp, r);
		if (found)
			strbuf_add(&x->answer, tmp.answer.buf, tmp.answer.len);
		math_extract_release(&tmp);
		return found;
	}
	while (r.len && (r.ptr[r.len - 1] == '*' || r.ptr[r.len - 1] == '.'))
		r.len--;
	r = sv_trim(r);
	if (!r.len)
		return 0;
	strbuf_add(&x->answer, r.ptr, r.len);
	return 1;
}

static int bold(struct math_extract *x, struct strview v)
{
	/* A short **...** in the last 300 bytes with a digit in it. */
	size_t at;
	struct strview tail = v;
	if (tail.len > 300) {
		tail.ptr += tail.len - 300;
		tail.len = 300;
	}
	if (!find_ci_last(tail, "**", &at) || at < 2)
		return 0;
	struct strview before = {tail.ptr, at};
	size_t open;
	if (!find_ci_last(before, "**", &open))
		return 0;
	struct strview b = sv_trim((struct strview){tail.ptr + open + 2, at - open - 2});
	int digit = 0;
	for (size_t k = 0; k < b.len; k++)
		digit |= isdigit((unsigned char)b.ptr[k]) != 0;
	if (!digit || b.len > 60 || b.len == 0)
		return 0;
	strbuf_add(&x->answer, b.ptr, b.len);
	return 1;
}

/* ---- Math regions ---- */

/* The last math region in v. */
static int last_region(struct strview v, struct strview *out)
{
	int found = 0;
	size_t i = 0;
	while (i < v.len) {
		const char *p = v.ptr + i, *end = v.ptr + v.len;
		const char *close = NULL;
		size_t open_len = 0;
		int no_newline = 0;
		if (starts_with(p, end, "$$")) {
			close = "$$";
			open_len = 2;
		} else if (p[0] == '$' && !(i > 0 && v.ptr[i - 1] == '\\')) {
			close = "$";
			open_len = 1;
			no_newline = 1;
		} else if (starts_with(p, end, "\\[")) {
			close = "\\]";
			open_len = 2;
		} else if (starts_with(p, end, "\\(")) {
			close = "\\)";
			open_len = 2;
			no_newline = 1;
		}
		if (!close) {
			i++;
			continue;
		}
		size_t cl = strlen(close);
		size_t j = i + open_len;
		int ok = 0;
		while (j + cl <= v.len) {
			if (v.ptr[j] == '\\' && close[0] == '$' && j + 1 < v.len && v.ptr[j + 1] == '$') {
				j += 2;
				continue;
			}
			if (!memcmp(v.ptr + j, close, cl)) {
				ok = 1;
				break;
			}
			if (no_newline && v.ptr[j] == '\n')
				break;
			j++;
		}
		if (ok) {
			struct strview r = sv_trim((struct strview){v.ptr + i + open_len, j - i - open_len});
			if (r.len) {
				*out = r;
				found = 1;
			}
			i = j + cl;
		} else {
			i += open_len;
		}
	}
	return found;
}

static int region_in(struct strview v, struct strview *out)
{
	return last_region(v, out);
}

/* Words other than "and"/"or" outside the $...$ regions: "Special matrix: $...$". */
static int prose_around_regions(struct strview v)
{
	int in = 0, regions = 0, run = 0, words = 0;
	char w[8];
	for (size_t k = 0; k <= v.len; k++) {
		char c = k < v.len ? v.ptr[k] : ' ';
		if (c == '$') {
			in = !in;
			regions++;
		}
		if (!in && isalpha((unsigned char)c) && c != '$') {
			if (run < 7)
				w[run] = (char)tolower((unsigned char)c);
			run++;
			continue;
		}
		if (run >= 2) {
			w[run < 7 ? run : 7] = '\0';
			if (strcmp(w, "and") && strcmp(w, "or") && strcmp(w, "text"))
				words++;
		}
		run = 0;
	}
	return regions >= 2 && words > 0;
}

/* ---- Last number ---- */

static int last_number(struct math_extract *x, struct strview v)
{
	struct strview n;
	if (!number_span(v, 1, &n))
		return 0;
	strbuf_add(&x->answer, n.ptr, n.len);
	return 1;
}

/* The first (last = 0) or last number in v, skipping <<calculator>> notes and digits glued to letters. */
static int number_span(struct strview v, int last, struct strview *out)
{
	size_t best_s = 0, best_e = 0;
	int found = 0;
	int in_calc = 0;
	for (size_t i = 0; i < v.len; i++) {
		if (i + 1 < v.len && v.ptr[i] == '<' && v.ptr[i + 1] == '<') {
			in_calc = 1;
			continue;
		}
		if (in_calc) {
			if (i + 1 < v.len && v.ptr[i] == '>' && v.ptr[i + 1] == '>') {
				in_calc = 0;
				i++;
			}
			continue;
		}
		if (!isdigit((unsigned char)v.ptr[i]))
			continue;
		if (i > 0 && isalpha((unsigned char)v.ptr[i - 1])) {
			while (i + 1 < v.len && isalnum((unsigned char)v.ptr[i + 1]))
				i++;
			continue;
		}
		size_t s = i;
		if (s > 0 && v.ptr[s - 1] == '.')
			s--;
		if (s > 0 && v.ptr[s - 1] == '-')
			s--;
		size_t e = i;
		while (e < v.len && (isdigit((unsigned char)v.ptr[e]) ||
				     ((v.ptr[e] == ',' || v.ptr[e] == '.' || v.ptr[e] == '/') && e + 1 < v.len &&
				      isdigit((unsigned char)v.ptr[e + 1]))))
			e++;
		if (e < v.len && v.ptr[e] == '%')
			e++;
		best_s = s;
		best_e = e;
		found = 1;
		i = e;
		if (!last)
			break;
	}
	if (!found)
		return 0;
	out->ptr = v.ptr + best_s;
	out->len = best_e - best_s;
	return 1;
}

/* ---- Entry ---- */

int math_extract_last_number(struct math_extract *x, const char *text)
{
	strbuf_reset(&x->answer);
	strbuf_reset(&x->joined);
	x->how = last_number(x, sv_from(text)) ? MX_NUMBER : MX_NONE;
	return x->how != MX_NONE;
}

/*
 * A reply that is, or ends with, one JSON object, bare or in a ```json
 * fence, with an "answer" member (ZeroEval's output format): that member
 * is the answer.
 * Models often write LaTeX escapes that are not valid JSON (\( inside a
 * string), so the member is read leniently: the last "answer" key, then a
 * string literal up to its closing quote, or a bare value up to , or }.
 */
static int json_answer(struct math_extract *x, struct strview v)
{
	v = sv_trim(v);
	size_t fence;
	if (v.len > 7 && v.ptr[v.len - 1] == '`' && find_ci_last(v, "```json", &fence)) {
		v.ptr += fence + 7;
		v.len -= fence + 7;
		while (v.len && v.ptr[v.len - 1] == '`')
			v.len--;
		v = sv_trim(v);
	}
	if (v.len < 2 || v.ptr[0] != '{' || v.ptr[v.len - 1] != '}')
		return 0;
	size_t at;
	if (!find_ci_last(v, "\"answer\"", &at))
		return 0;
	const char *p = v.ptr + at + 8, *end = v.ptr + v.len - 1;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	if (p >= end || *p++ != ':')
		return 0;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	struct strbuf a = STRBUF_INIT;
	if (p < end && *p == '"') {
		for (p++; p < end && *p != '"'; p++) {
			if (*p == '\\' && p + 1 < end) {
				char c = *++p;
				strbuf_addch(&a, c == 'n' ? '\n' : c == 't' ? '\t' : c);
			} else {
				strbuf_addch(&a, *p);
			}
		}
	} else {
		while (p < end && *p != ',' && *p != '}')
			strbuf_addch(&a, *p++);
	}
	struct strview t = sv_trim((struct strview){a.buf, a.len});
	int found = 0;
	if (prose(t))
		found = last_number(x, t); /* "John pays $31,800 per year." */
	else if (t.len) {
		strbuf_add(&x->answer, t.ptr, t.len);
		found = 1;
	}
	strbuf_release(&a);
	return found;
}

void math_extract_run(struct math_extract *x, const char *text, const struct math_extract_opts *o)
{
	strbuf_reset(&x->answer);
	strbuf_reset(&x->joined);
	x->how = MX_NONE;
	x->truncated = 0;
	struct think_parts tp;
	think_split(text, &tp);
	if (tp.unclosed) {
		x->truncated = 1;
		return;
	}
	struct strview v = tp.content;
	if (!o->whole_text && json_answer(x, v)) {
		x->how = MX_PHRASE;
		return;
	}
	struct box boxes[MAX_BOXES];
	int nb = find_boxes(v, boxes);
	if (nb < 0) {
		x->truncated = 1;
		if (!o->whole_text)
			return;
		nb = 0;
	}
	size_t pat;
	if (nb > 0 && find_ci_last(v, "final answer is", &pat) && pat > boxes[nb - 1].end && phrase(x, v)) {
		/* a closing "The final answer is ..." after the last box wins */
		x->how = MX_PHRASE;
		return;
	}
	if (nb > 0) {
		const struct box *b = &boxes[nb - 1];
		struct strview in = sv_trim((struct strview){v.ptr + b->in_start, b->in_end - b->in_start});
		strbuf_add(&x->answer, in.ptr, in.len);
		join_boxes(x, v, boxes, nb);
		x->how = MX_BOXED;
		return;
	}
	if (phrase(x, v)) {
		x->how = MX_PHRASE;
		return;
	}
	if (!o->whole_text && bold(x, v)) {
		x->how = MX_PHRASE;
		return;
	}
	struct strview r;
	if (!o->whole_text && o->latex_regions && last_region(v, &r)) {
		struct strview after = {r.ptr + r.len, (size_t)(v.ptr + v.len - (r.ptr + r.len))};
		while (after.len && (after.ptr[0] == '$' || after.ptr[0] == '\\' || after.ptr[0] == ')' || after.ptr[0] == ']'))
			after.ptr++, after.len--;
		if (o->last_number && prose(after) && last_number(x, after)) {
			/* "$d = 90/n$ ... Therefore, there are 12 sequences." */
			x->how = MX_NUMBER;
			return;
		}
		strbuf_add(&x->answer, r.ptr, r.len);
		x->how = MX_REGION;
		return;
	}
	if (o->whole_text && o->latex_regions && prose_around_regions(v) && last_region(v, &r)) {
		strbuf_add(&x->answer, r.ptr, r.len);
		x->how = MX_REGION;
		return;
	}
	if (o->whole_text) {
		struct strview w = sv_trim(v);
		if (w.len) {
			strbuf_add(&x->answer, w.ptr, w.len);
			x->how = MX_WHOLE;
		}
		return;
	}
	if (o->last_number && last_number(x, v))
		x->how = MX_NUMBER;
}

/* ---- Letters ---- */

static const char *skip_wrappers(const char *p)
{
	for (;;) {
		while (*p == ' ' || *p == '$' || *p == '{' || *p == '}' || *p == '\t' || *p == '\n')
			p++;
		if (*p == '\\' && (p[1] == '(' || p[1] == '[')) {
			p += 2;
			continue;
		}
		if (*p == '\\' && isalpha((unsigned char)p[1])) {
			static const char *const cmds[] = {"textbf", "text", "mathrm", "mathbf", "boxed", "textnormal", "mbox"};
			int hit = 0;
			for (size_t k = 0; k < ARRAY_SIZE(cmds) && !hit; k++) {
				size_t n = strlen(cmds[k]);
				if (!strncmp(p + 1, cmds[k], n) && !isalpha((unsigned char)p[1 + n])) {
					p += 1 + n;
					hit = 1;
				}
			}
			if (hit)
				continue;
		}
		return p;
	}
}

static int standalone(const char *s, size_t i, size_t n);
static char letter_at(const char *answer, const char **rest);

/*
 * Another choice letter joined to the one just read: "A, B", "(A) or (B)",
 * "A/B", "A and B" offer several answers.  s is the text after the letter;
 * "D, it can't be A or B" names one.
 */
static int other_letter(const char *s, char l)
{
	for (;;) {
		while (*s == ' ' || *s == ')' || *s == '$' || *s == '}')
			s++;
		const char *q = s;
		if (*q == ',' || *q == '/' || *q == ';')
			q++;
		else if (!strncmp(q, "or ", 3) || !strncmp(q, "and ", 4))
			q += q[0] == 'o' ? 3 : 4;
		else
			return 0;
		while (*q == ' ' || *q == '(' || *q == '$' || *q == '{')
			q++;
		if (*q < 'A' || *q > 'E' || (q[1] && (isalnum((unsigned char)q[1]) || q[1] == '\'')))
			return 0;
		if (*q != l)
			return 1;
		s = q + 1;
	}
}

char math_extract_letter(const char *answer)
{
	char l = 0;
	const char *rest = NULL;
	char got = letter_at(answer, &rest);
	if (got && !other_letter(rest, got))
		l = got;
	return l;
}

/* The letter math_extract_letter reads, before the hedge check; *rest is what follows it. */
static char letter_at(const char *answer, const char **rest)
{
	const char *p = skip_wrappers(answer);
	int paren = 0;
	if (*p == '(') {
		paren = 1;
		p++;
	}
	if (*p < 'A' || *p > 'E')
		return 0;
	char l = *p++;
	*rest = p;
	if (paren) {
		if (*p != ')')
			return 0;
		p++;
	}
	while (*p == '}' || *p == '$')
		p++;
	if (*p == '\\' && (p[1] == ')' || p[1] == ']'))
		p += 2;
	if (*p == 0 || *p == '.' || *p == ':' || *p == ',')
		return *p == 0 || !p[1] || p[1] == ' ' || p[1] == '\n' ? l : 0;
	if (paren)
		return l;
	/* "C Cecile", "A Peter": a letter and then a name, not "D = (0, 1)" */
	const char *q = p;
	while (*q == ' ' || *q == '\n')
		q++;
	return *q == 0 || (q > p && *q >= 'A' && *q <= 'Z') ? l : 0;
}

static int standalone(const char *s, size_t i, size_t n)
{
	if (s[i] < 'A' || s[i] > 'E')
		return 0;
	if (i > 0 && isalnum((unsigned char)s[i - 1]))
		return 0;
	if (i + 1 < n && (isalnum((unsigned char)s[i + 1]) || s[i + 1] == '\''))
		return 0;
	return 1;
}

char math_extract_letter_free(const char *text)
{
	size_t n = strlen(text), at;
	struct strview v = {text, n};
	if (find_ci_last(v, "answer", &at)) {
		for (size_t i = at + 6; i < n; i++)
			if (standalone(text, i, n))
				return other_letter(text + i + 1, text[i]) ? 0 : text[i];
	}
	char l = math_extract_letter(text);
	if (l)
		return l;
	for (size_t i = n; i-- > 0;)
		if (standalone(text, i, n))
			return text[i];
	return 0;
}
