/*
 * libFuzzer target for the code grader's text handling: the program out of
 * a model's answer for each language (the view must lie inside the answer),
 * and output comparison under every compare kind, the input split at its
 * first NUL byte into the program's output and the expected output (output
 * is bytes: later NUL bytes stay in it).  Any crash, hang or sanitizer report
 * is a bug.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "graders/code/compare.h"
#include "graders/code/extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	struct strview all = {(const char *)data, size};
	for (int lang = CODE_PYTHON; lang <= CODE_CPP; lang++) {
		struct strview code;
		if (code_extract(all, (enum code_lang)lang, &code) &&
		    (code.ptr < all.ptr || code.ptr + code.len > all.ptr + all.len))
			abort();
	}
	const char *nul = memchr(data, 0, size);
	size_t cut = nul ? (size_t)(nul - (const char *)data) : size / 2;
	struct strview got = {(const char *)data, cut};
	struct strview want = {(const char *)data + cut + (nul ? 1 : 0),
			       size - cut - (nul ? 1 : 0)};
	static const char *const specs[] = {"exact", "float_abs_or_rel:1e-6", "float_abs:1e-9",
					    "float_rel:1e-6"};
	for (size_t i = 0; i < sizeof(specs) / sizeof(*specs); i++) {
		struct code_cmp cmp;
		if (code_cmp_parse(specs[i], &cmp))
			abort();
		struct strbuf why = STRBUF_INIT;
		int same = code_compare(got, want, &cmp, &why);
		/* Anything equals itself. */
		if (!code_compare(got, got, &cmp, NULL))
			abort();
		if (same && why.len)
			abort();
		strbuf_release(&why);
	}
	return 0;
}
