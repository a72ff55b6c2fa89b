/*
 * fold: the rules that fold a journal's lines into one outcome per sample,
 * shared by everything that reads a journal (tally for results.json,
 * runset for reports and the gate), so they cannot drift apart.
 *
 * Which line of a sample counts: a journal may hold several lines for one
 * sample (an infrastructure error retried on resume, a regrade).  A graded
 * line wins over an infrastructure failure, and a later line over an
 * earlier one of the same kind.
 *
 * Answer classes: graded samples vote with their canonical answer; equal
 * canonical texts are one class, in order of first appearance, and a class
 * is correct when any of its votes was judged correct.
 */
#ifndef REVAL_FOLD_H
#define REVAL_FOLD_H

/* Does a line (an infrastructure failure or not) replace what a slot holds (graded or not)? */
static inline int fold_line_counts(int slot_graded, int line_is_infra)
{
	return !line_is_infra || !slot_graded;
}

struct answer_classes {
	char **keys;            /* canonical answers, by first appearance (owned) */
	unsigned char *correct; /* per class: some vote for it was judged correct */
	int n;
	int cap;
};

/* The class of key (added when new), with correct folded in. */
int answer_class(struct answer_classes *c, const char *key, int correct);

/* Bytes held, for memory accounting. */
unsigned long answer_classes_bytes(const struct answer_classes *c);

void answer_classes_release(struct answer_classes *c);

#endif
