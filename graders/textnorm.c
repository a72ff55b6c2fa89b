#include "graders/textnorm.h"

#include <ctype.h>
#include <string.h>

char *textnorm_apply(const struct textnorm *tn, struct strview v)
{
	v = sv_trim(v);
	if (tn->strip_end && *tn->strip_end) {
		while (v.len && strchr(tn->strip_end, v.ptr[v.len - 1]))
			v.len--;
		v = sv_trim(v);
	}
	struct strbuf sb = STRBUF_INIT;
	int in_space = 0;
	for (size_t i = 0; i < v.len; i++) {
		unsigned char c = (unsigned char)v.ptr[i];
		if (tn->collapse_space && isspace(c)) {
			in_space = 1;
			continue;
		}
		if (in_space) {
			strbuf_addch(&sb, ' ');
			in_space = 0;
		}
		strbuf_addch(&sb, tn->fold_case ? (char)tolower(c) : (char)c);
	}
	return strbuf_detach(&sb);
}

struct strview text_after_last(struct strview v, const char *marker, int *found)
{
	size_t m = strlen(marker);
	*found = 0;
	if (!m || m > v.len)
		return v;
	for (size_t i = v.len - m + 1; i-- > 0;) {
		if (!memcmp(v.ptr + i, marker, m)) {
			*found = 1;
			return (struct strview){v.ptr + i + m, v.len - i - m};
		}
	}
	return v;
}
