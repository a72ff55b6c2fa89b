/*
 * prompt: rendering a task's template for each problem.
 *
 * Placeholders: {question}, {choices} ("(A) ...\n(B) ..."), {fewshot} (the
 * task's few-shot file), {subtask}, {field:NAME} or {NAME} (a top-level
 * field of the record; the names above come first) and {{ / }} for literal
 * braces.  Few-shot files may open with a canary line and a "-----" rule,
 * which are dropped; "fewshot_style": "answer_only" turns chain-of-thought
 * exemplars ("A: Let's think step by step. ... So the answer is X.") into
 * answer-only ones ("A: X").
 *
 * A few-shot file is a pool: the text before its first line starting "Q:"
 * is a preamble (the task's description), and each "Q:" line opens an
 * exemplar that runs to the next.  With prompt_options.num_fewshot = N,
 * {fewshot} is the preamble and the first N exemplars in the file's order,
 * skipping one whose question is the problem's own.
 *
 * A run may replace the task's system message, template and few-shot count
 * (struct prompt_options in task.h); the prompt fingerprint covers all three.
 */
#ifndef REVAL_PROMPT_H
#define REVAL_PROMPT_H

#include "harness/model/task.h"

/* Render t->system and every problem's prompt; sets t->prompt_sha256. */
enum reval_err prompt_render_all(struct task *t, const char *data_dir);

/* What a template's placeholders read for one problem. */
struct prompt_vars {
	const cJSON *record;  /* {field:NAME} and {NAME} */
	const char *question; /* {question} */
	const char *fewshot;  /* {fewshot}; NULL: empty */
	const char *subtask;  /* {subtask}; NULL: empty */
	int *fewshot_used;    /* when not NULL, set to 1 once {fewshot} is rendered */
};

/* Why and where a template could not be rendered. */
struct prompt_error {
	const char *why;     /* static text */
	struct strview name; /* the placeholder at fault, inside the template */
	long line;           /* its line in the template, from 1 */
};

/* Render one template for one problem; NULL with *e filled when it cannot be. */
char *prompt_render(const char *tmpl, const struct prompt_vars *v, struct prompt_error *e);

/* The few-shot text after dropping a canary header and, for answer_only, the reasoning. */
char *prompt_fewshot_clean(const char *text, int answer_only);

/*
 * The text of a --system-prompt value: the value itself, or with a leading
 * '@' the contents of the file it names ("@@" stands for a literal '@').
 * One final newline of a file is dropped.  Errors name the file (exit 2).
 */
enum reval_err prompt_system_from_flag(const char *value, char **text);

/* text as a --system-prompt value that reads back as text (a leading '@' doubled). */
char *prompt_system_to_flag(const char *text);

/* A --prompt-template file's text, one final newline dropped; errors name the file. */
enum reval_err prompt_template_read(const char *path, char **text);

#endif
