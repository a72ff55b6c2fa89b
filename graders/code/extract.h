/*
 * code_extract: the program inside a model's answer.
 *
 * The answer is the final content, reasoning already removed.  The program is
 * the last fenced block (``` or ~~~) whose info string names the wanted
 * language (python: python, py, python3; c: c; cpp: cpp, c++, cc, cxx); when
 * no block is tagged with it, the last untagged block.  A final block left
 * open by a truncated answer counts.  An answer without fences is taken whole
 * when it looks like code (a line opening with def, class, import, from,
 * #include, int main, or an indented function body); otherwise there is no
 * code.  The result is a view into the content: nothing is copied or owned.
 */
#ifndef REVAL_CODE_EXTRACT_H
#define REVAL_CODE_EXTRACT_H

#include "harness/base/util.h"

enum code_lang {
	CODE_PYTHON,
	CODE_C,
	CODE_CPP,
};

/* "python", "c", "cpp" (also "c++", "py", "python3"); -1 when unknown. */
int code_lang_parse(const char *name);
const char *code_lang_name(enum code_lang lang);

/* 1 and the program in *out, or 0 when the answer holds no code. */
int code_extract(struct strview answer, enum code_lang lang, struct strview *out);

#endif
