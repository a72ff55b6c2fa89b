#include <stdlib.h>
#include <string.h>

#include "graders/grader.h"

extern const struct grader_ops grader_exact;
extern const struct grader_ops grader_regex;
extern const struct grader_ops grader_choice;
extern const struct grader_ops grader_rg;
extern const struct grader_ops grader_math;
extern const struct grader_ops grader_code;

/* One line per grader. */
const struct grader_ops *const grader_table[] = {
	&grader_exact,
	&grader_regex,
	&grader_choice,
	&grader_rg,
	&grader_math,
	&grader_code,
	NULL,
};

const struct grader_ops *grader_find(const char *name)
{
	for (size_t i = 0; grader_table[i]; i++)
		if (!strcmp(grader_table[i]->name, name))
			return grader_table[i];
	return NULL;
}
