/*
 * math_uni: see uni.h.  One pass over the UTF-8 text; runs (√ digits,
 * superscripts, subscripts) are gathered by small loops, single characters
 * come from the table.
 */
#include <string.h>

#include "graders/math/uni.h"

/* Decode one UTF-8 sequence at s (n bytes left); *len gets its length.  A
 * malformed sequence is returned as its first byte with *len = 1. */
static unsigned decode(const unsigned char *s, size_t n, size_t *len)
{
	unsigned c = s[0];
	size_t k = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	if (k == 1 || k > n) {
		*len = 1;
		return c;
	}
	unsigned cp = c & (0x3f >> (k - 1));
	for (size_t j = 1; j < k; j++) {
		if ((s[j] & 0xc0) != 0x80) {
			*len = 1;
			return c;
		}
		cp = (cp << 6) | (s[j] & 0x3f);
	}
	*len = k;
	return cp;
}

struct uni_rule {
	unsigned cp;
	const char *latex;
};

static const struct uni_rule rules[] = {
	{0x00a0, " "}, {0x1680, " "}, {0x202f, " "}, {0x205f, " "}, {0x3000, " "},
	{0x200b, ""}, {0x200c, ""}, {0x200d, ""}, {0x2060, ""}, {0xfeff, ""},
	{0x2010, "-"}, {0x2011, "-"}, {0x2012, "-"}, {0x2013, "-"}, {0x2014, "-"}, {0x2015, "-"},
	{0x2212, "-"}, {0xfe63, "-"}, {0x2044, "/"}, {0x2215, "/"}, {0x2032, "'"}, {0x2033, "''"},
	{0x27e8, "\\langle "}, {0x27e9, "\\rangle "}, {0x2329, "\\langle "}, {0x232a, "\\rangle "},
	{0x2205, "\\emptyset "}, {0x211d, "\\mathbb{R}"}, {0x2124, "\\mathbb{Z}"}, {0x2115, "\\mathbb{N}"},
	{0x211a, "\\mathbb{Q}"}, {0x2102, "\\mathbb{C}"}, {0x2261, "\\equiv "}, {0x2216, "\\setminus "},
	{0x230a, "\\lfloor "}, {0x230b, "\\rfloor "}, {0x2308, "\\lceil "}, {0x2309, "\\rceil "},
	{0x2026, "\\ldots "}, {0x22ef, "\\cdots "}, {0x2016, "\\| "}, {0x2225, "\\| "},
	{0x03b1, "\\alpha "}, {0x03b2, "\\beta "}, {0x03b3, "\\gamma "}, {0x03b4, "\\delta "},
	{0x03b8, "\\theta "}, {0x03bb, "\\lambda "}, {0x03bc, "\\mu "}, {0x03c3, "\\sigma "},
	{0x03c6, "\\phi "}, {0x03c9, "\\omega "}, {0x0394, "\\Delta "}, {0x03b5, "\\epsilon "},
	{0x1d70b, "\\pi "}, {0x1d6d1, "\\pi "}, {0x1d745, "\\pi "}, {0x1d77f, "\\pi "}, {0x1d7b9, "\\pi "},
	{0x2148, "i"}, {0x2147, "e"}, {0x212f, "e"},
};

static const struct {
	unsigned cp;
	unsigned num, den;
} vulgar[] = {
	{0x00bd, 1, 2}, {0x2153, 1, 3}, {0x2154, 2, 3}, {0x00bc, 1, 4}, {0x00be, 3, 4},
	{0x2155, 1, 5}, {0x2156, 2, 5}, {0x2157, 3, 5}, {0x2158, 4, 5}, {0x2159, 1, 6},
	{0x215a, 5, 6}, {0x2150, 1, 7}, {0x215b, 1, 8}, {0x215c, 3, 8}, {0x215d, 5, 8},
	{0x215e, 7, 8}, {0x2151, 1, 9}, {0x2152, 1, 10},
};

/* The ASCII character a superscript (sup) or subscript code point stands for, or 0. */
static char script_char(unsigned cp, int sup)
{
	if (sup) {
		switch (cp) {
		case 0x2070: return '0';
		case 0x00b9: return '1';
		case 0x00b2: return '2';
		case 0x00b3: return '3';
		case 0x207a: return '+';
		case 0x207b: return '-';
		case 0x207c: return '=';
		case 0x207d: return '(';
		case 0x207e: return ')';
		case 0x207f: return 'n';
		case 0x2071: return 'i';
		default: return cp >= 0x2074 && cp <= 0x2079 ? (char)('4' + (cp - 0x2074)) : 0;
		}
	}
	if (cp >= 0x2080 && cp <= 0x2089)
		return (char)('0' + (cp - 0x2080));
	switch (cp) {
	case 0x208a: return '+';
	case 0x208b: return '-';
	case 0x208c: return '=';
	case 0x208d: return '(';
	case 0x208e: return ')';
	default: return 0;
	}
}

/* Mathematical alphanumerics (U+1D400..U+1D7FF) and fullwidth forms as ASCII, or 0. */
static char plain_char(unsigned cp)
{
	if (cp >= 0xff01 && cp <= 0xff5e)
		return (char)(cp - 0xfee0);
	if (cp >= 0x1d400 && cp <= 0x1d6a3) {
		unsigned k = (cp - 0x1d400) % 52;
		return (char)(k < 26 ? 'A' + k : 'a' + (k - 26));
	}
	if (cp >= 0x1d7ce && cp <= 0x1d7ff)
		return (char)('0' + (cp - 0x1d7ce) % 10);
	return 0;
}

int math_uni_needed(struct strview s)
{
	for (size_t k = 0; k < s.len; k++)
		if ((unsigned char)s.ptr[k] >= 0x80)
			return 1;
	return 0;
}

/* A run of super- or subscript characters starting at i, written as ^{...} or _{...}. */
static size_t script_run(const unsigned char *s, size_t n, size_t i, int sup, struct strbuf *out)
{
	size_t j = i, len;
	struct strbuf run = STRBUF_INIT;
	while (j < n) {
		unsigned cp = decode(s + j, n - j, &len);
		char c = script_char(cp, sup);
		if (!c)
			break;
		strbuf_addch(&run, c);
		j += len;
	}
	if (run.len) {
		strbuf_addf(out, "%c{%s}", sup ? '^' : '_', run.buf);
	}
	strbuf_release(&run);
	return j - i;
}

void math_uni_rewrite(struct strview sv, struct strbuf *out)
{
	const unsigned char *s = (const unsigned char *)sv.ptr;
	size_t n = sv.len, i = 0, len;
	while (i < n) {
		if (s[i] < 0x80) {
			strbuf_addch(out, (char)s[i++]);
			continue;
		}
		unsigned cp = decode(s + i, n - i, &len);
		size_t adv;
		if (script_char(cp, 1) && (adv = script_run(s, n, i, 1, out)) > 0) {
			i += adv;
			continue;
		}
		if (script_char(cp, 0) && (adv = script_run(s, n, i, 0, out)) > 0) {
			i += adv;
			continue;
		}
		i += len;
		if (cp == 0x221a || cp == 0x221b || cp == 0x221c) {
			/* √ ∛ ∜: the radical covers the whole run of digits after it */
			strbuf_adds(out, cp == 0x221a ? "\\sqrt" : cp == 0x221b ? "\\sqrt[3]" : "\\sqrt[4]");
			size_t j = i;
			while (j < n && s[j] >= '0' && s[j] <= '9')
				j++;
			if (j > i) {
				strbuf_addch(out, '{');
				strbuf_add(out, (const char *)s + i, j - i);
				strbuf_addch(out, '}');
				i = j;
			} else {
				strbuf_addch(out, ' ');
			}
			continue;
		}
		int done = 0;
		for (size_t k = 0; k < ARRAY_SIZE(vulgar) && !done; k++) {
			if (vulgar[k].cp != cp)
				continue;
			/* after a whole number this is a mixed number, which \frac already reads */
			strbuf_addf(out, "\\frac{%u}{%u}", vulgar[k].num, vulgar[k].den);
			done = 1;
		}
		for (size_t k = 0; k < ARRAY_SIZE(rules) && !done; k++) {
			if (rules[k].cp == cp) {
				strbuf_adds(out, rules[k].latex);
				done = 1;
			}
		}
		if (!done && cp >= 0x2000 && cp <= 0x200a) {
			strbuf_addch(out, ' ');
			done = 1;
		}
		char c;
		if (!done && (c = plain_char(cp)) != 0) {
			strbuf_addch(out, c);
			done = 1;
		}
		if (!done)
			strbuf_add(out, (const char *)s + i - len, len);
	}
}
