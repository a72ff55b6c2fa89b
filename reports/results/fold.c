#include "reports/results/fold.h"

#include <stdlib.h>
#include <string.h>

#include "harness/base/util.h"

int answer_class(struct answer_classes *c, const char *key, int correct)
{
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->keys[i], key)) {
			c->correct[i] |= (unsigned char)correct;
			return i;
		}
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 4;
		c->keys = xrealloc(c->keys, (size_t)c->cap * sizeof(char *));
		c->correct = xrealloc(c->correct, (size_t)c->cap);
	}
	c->keys[c->n] = xstrdup(key);
	c->correct[c->n] = (unsigned char)correct;
	return c->n++;
}

unsigned long answer_classes_bytes(const struct answer_classes *c)
{
	unsigned long b = (unsigned long)c->cap * (sizeof(char *) + 1);
	for (int k = 0; k < c->n; k++)
		b += strlen(c->keys[k]) + 1;
	return b;
}

void answer_classes_release(struct answer_classes *c)
{
	for (int k = 0; k < c->n; k++)
		free(c->keys[k]);
	free(c->keys);
	free(c->correct);
	memset(c, 0, sizeof(*c));
}
