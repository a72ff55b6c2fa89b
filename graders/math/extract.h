/*
 * math_extract: finding the final answer in a model's output.
 *
 * Only the text after the last </think> is looked at; an unclosed <think>
 * has no answer.  In order of priority: the last balanced \boxed{...} or
 * \fbox{...} (also "\boxed 5"); a last box that never closes means the
 * output was truncated and there is no answer.  Then "final answer is",
 * "the answer is", "Answer:", GSM8K's "#### ", <answer>...</answer> and a
 * bold **...** at the end; then the last math region ($...$ without a line
 * break, $$...$$, \[...\], \(...\)); then, when the task allows it, the
 * last number.  For text that is already an answer (a dataset's gold, or
 * pred_kind "answer") the whole text replaces the math-region step.
 *
 * Boxes next to each other, separated only by connectives (",", "and",
 * "or", \quad, punctuation), are also offered joined as one list, for
 * golds that are lists.
 *
 * Ownership: struct math_extract owns its two strbufs
 * (math_extract_init / math_extract_release).
 */
#ifndef REVAL_MATH_EXTRACT_H
#define REVAL_MATH_EXTRACT_H

#include "harness/base/util.h"

struct math_extract_opts {
	int whole_text;      /* the text is an answer: use all of it as a last resort */
	int latex_regions;   /* look at $...$, \[...\] regions */
	int last_number;     /* fall back to the last number */
};

enum math_extract_how {
	MX_NONE = 0, MX_BOXED, MX_PHRASE, MX_REGION, MX_NUMBER, MX_WHOLE,
};

struct math_extract {
	struct strbuf answer; /* the extracted answer text */
	struct strbuf joined; /* adjacent boxes joined by ", "; empty when < 2 boxes */
	enum math_extract_how how;
	int truncated;        /* an unclosed <think> or \boxed{ */
};

void math_extract_init(struct math_extract *x);
void math_extract_release(struct math_extract *x);
/* Extract from text; x->how is MX_NONE when there is no answer. */
void math_extract_run(struct math_extract *x, const char *text, const struct math_extract_opts *o);

/* Replace x's answer by the last number in text; returns 0 when there is none. */
int math_extract_last_number(struct math_extract *x, const char *text);

/*
 * A multiple-choice letter A-E written as an answer: "B", "(B)",
 * "\text{(B)}", "\textbf{(B)}\ 12", "(D) Alina".  Returns the letter or 0.
 */
char math_extract_letter(const char *answer);
/* The chosen letter in free text ("the answer is C", "... it's B"), or 0. */
char math_extract_letter_free(const char *text);

#endif
