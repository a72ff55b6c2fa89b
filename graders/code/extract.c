#include "graders/code/extract.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

int code_lang_parse(const char *name)
{
	static const struct {
		const char *name;
		enum code_lang lang;
	} names[] = {
		{"python", CODE_PYTHON}, {"python3", CODE_PYTHON}, {"py", CODE_PYTHON},
		{"c", CODE_C},           {"cpp", CODE_CPP},        {"c++", CODE_CPP},
		{"cc", CODE_CPP},        {"cxx", CODE_CPP},
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcasecmp(name, names[i].name))
			return (int)names[i].lang;
	return -1;
}

const char *code_lang_name(enum code_lang lang)
{
	switch (lang) {
	case CODE_PYTHON: return "python";
	case CODE_C: return "c";
	case CODE_CPP: return "cpp";
	}
	return "unknown";
}

struct line {
	const char *p;
	size_t len; /* without the newline */
};

static int next_line(struct strview s, size_t *off, struct line *l)
{
	if (*off >= s.len)
		return 0;
	const char *p = s.ptr + *off;
	const char *nl = memchr(p, '\n', s.len - *off);
	l->p = p;
	l->len = nl ? (size_t)(nl - p) : s.len - *off;
	*off += l->len + (nl ? 1 : 0);
	return 1;
}

/* A fence line: up to three spaces, then ``` or ~~~; sets the info word. */
static int is_fence(struct line l, char *mark, struct strview *info)
{
	size_t i = 0;
	while (i < l.len && i < 3 && l.p[i] == ' ')
		i++;
	if (i + 3 > l.len || (l.p[i] != '`' && l.p[i] != '~'))
		return 0;
	char c = l.p[i];
	size_t n = 0;
	while (i + n < l.len && l.p[i + n] == c)
		n++;
	if (n < 3)
		return 0;
	*mark = c;
	size_t j = i + n;
	while (j < l.len && (l.p[j] == ' ' || l.p[j] == '\t'))
		j++;
	size_t k = j;
	while (k < l.len && !isspace((unsigned char)l.p[k]) && l.p[k] != '{' && l.p[k] != '`')
		k++;
	info->ptr = l.p + j;
	info->len = k - j;
	return 1;
}

static int tag_matches(struct strview tag, enum code_lang lang)
{
	char word[16];
	if (!tag.len || tag.len >= sizeof(word))
		return 0;
	memcpy(word, tag.ptr, tag.len);
	word[tag.len] = '\0';
	int l = code_lang_parse(word);
	return l >= 0 && (enum code_lang)l == lang;
}

static int looks_like_code(struct strview s, enum code_lang lang)
{
	static const char *const py[] = {"def ", "class ", "import ", "from ", "    ", "\t", "print(",
					 "if __name__"};
	static const char *const cc[] = {"#include", "int main", "using namespace"};
	size_t off = 0;
	struct line l;
	while (next_line(s, &off, &l)) {
		const char *const *keys = lang == CODE_PYTHON ? py : cc;
		size_t n = lang == CODE_PYTHON ? ARRAY_SIZE(py) : ARRAY_SIZE(cc);
		for (size_t i = 0; i < n; i++)
			if (l.len >= strlen(keys[i]) && !memcmp(l.p, keys[i], strlen(keys[i])))
				return 1;
	}
	return 0;
}

int code_extract(struct strview answer, enum code_lang lang, struct strview *out)
{
	struct strview tagged = {NULL, 0}, untagged = {NULL, 0};
	int have_tagged = 0, have_untagged = 0, any_fence = 0;
	size_t off = 0;
	struct line l;
	while (next_line(answer, &off, &l)) {
		char mark;
		struct strview info;
		if (!is_fence(l, &mark, &info))
			continue;
		any_fence = 1;
		const char *body = answer.ptr + off;
		const char *end = answer.ptr + answer.len;
		struct line m;
		while (next_line(answer, &off, &m)) {
			char mk;
			struct strview inf;
			if (is_fence(m, &mk, &inf) && mk == mark && inf.len == 0) {
				end = m.p;
				break;
			}
		}
		struct strview block = {body, (size_t)(end - body)};
		if (tag_matches(info, lang)) {
			tagged = block;
			have_tagged = 1;
		} else if (info.len == 0) {
			untagged = block;
			have_untagged = 1;
		}
	}
	if (have_tagged || have_untagged) {
		*out = have_tagged ? tagged : untagged;
		return sv_trim(*out).len > 0;
	}
	if (any_fence || !sv_trim(answer).len || !looks_like_code(answer, lang))
		return 0;
	*out = answer;
	return 1;
}
