/*
 * taskfile: the shape of a task file, as one table of keys.
 *
 * Every key a task file may hold is a line in the table in taskfile.c:
 * its dotted name ("fields.question"), the JSON type it takes, and whether
 * it is required.  taskfile_check walks a definition as read from disk
 * (before "subtasks" are expanded) and reports every key that is unknown,
 * missing or of the wrong type, not only the first, so a misspelt key can
 * never be ignored and one pass over `reval tasks --check` shows all that
 * is wrong.  What the values mean (a grader's options, the sampling keys,
 * a dataset's records) is checked where they are used.
 */
#ifndef REVAL_TASKFILE_H
#define REVAL_TASKFILE_H

#include <cjson/cJSON.h>

#include "harness/base/util.h"

/*
 * Check def against the table.  Each problem is appended to errs as one
 * line, `field "KEY": what is wrong` (no file name: the caller adds it),
 * each ending in '\n'.  Returns the number of problems found.
 */
int taskfile_check(const cJSON *def, struct strbuf *errs);

#endif
