/*
 * prompt: rendering a task's template for each problem.
 *
 * Placeholders: {question}, {choices} ("(A) ...\n(B) ..."), {fewshot} (the
 * task's few-shot file), {subtask}, {field:NAME} (any top-level field of
 * the record) and {{ / }} for literal braces.  Few-shot files may open with
 * a canary line and a "-----" rule, which are dropped; "fewshot_style":
 * "answer_only" turns chain-of-thought exemplars ("A: Let's think step by
 * step. ... So the answer is X.") into answer-only ones ("A: X").
 */
#ifndef REVAL_PROMPT_H
#define REVAL_PROMPT_H

#include "harness/model/task.h"

/* Render t->system and every problem's prompt; sets t->prompt_sha256. */
enum reval_err prompt_render_all(struct task *t, const char *data_dir);

/* Render one template against one record; *err names what is wrong, if anything. */
char *prompt_render(const char *tmpl, const cJSON *rec, const char *question, const char *fewshot,
		    const char *subtask, const char **err);

/* The few-shot text after dropping a canary header and, for answer_only, the reasoning. */
char *prompt_fewshot_clean(const char *text, int answer_only);

#endif
