#include "harness/model/grade.h"

#include <stdlib.h>
#include <string.h>

void grade_release(struct grade *g)
{
	free(g->extracted);
	free(g->canonical);
	free(g->reason);
	free(g->detail);
	memset(g, 0, sizeof(*g));
}

const char *grade_status_name(enum grade_status s)
{
	switch (s) {
	case GRADE_OK: return "ok";
	case GRADE_NO_ANSWER: return "no_answer";
	case GRADE_TRUNCATED: return "truncated";
	case GRADE_UNDECIDED: return "undecided";
	case GRADE_INFRA: return "infra_error";
	}
	return "unknown";
}
