/*
 * libFuzzer target for the math checker: extraction, tokenizing, parsing,
 * evaluation and comparison.  The input is "gold<NUL or newline>pred"; both
 * readings of pred (answer and full output) are judged and the voting key
 * is computed.  Any crash, hang or sanitizer report is a bug.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "graders/math/judge.h"
#include "harness/base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct math_checker *c;
	if (!c) {
		struct math_opts o;
		math_opts_default(&o);
		o.fallback_last_number = 1;
		c = math_checker_new(&o);
	}
	if (size > 8192)
		return 0;
	char *buf = xmalloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	char *pred = strchr(buf, '\n');
	if (pred)
		*pred++ = '\0';
	else
		pred = buf;
	struct math_verdict v;
	math_judge(c, buf, pred, 1, &v);
	math_verdict_release(&v);
	math_judge(c, buf, pred, 0, &v);
	math_verdict_release(&v);
	free(math_canonical_key(c, pred));
	free(buf);
	return 0;
}
