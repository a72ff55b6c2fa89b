/* See heap.h. */
#include "harness/base/heap.h"

#include <stdlib.h>
#include <string.h>

#include "harness/base/util.h"

static void *at(const struct heap *h, size_t i)
{
	return h->v + i * h->size;
}

void heap_init(struct heap *h, size_t size, int (*first)(const void *a, const void *b))
{
	memset(h, 0, sizeof(*h));
	h->size = size;
	h->first = first;
}

void heap_release(struct heap *h)
{
	free(h->v);
	h->v = NULL;
	h->n = h->cap = 0;
}

void heap_push(struct heap *h, const void *e)
{
	grow_array((void **)&h->v, &h->cap, h->n + 1, h->size);
	size_t i = h->n++;
	while (i && h->first(e, at(h, (i - 1) / 2))) {
		memcpy(at(h, i), at(h, (i - 1) / 2), h->size);
		i = (i - 1) / 2;
	}
	memcpy(at(h, i), e, h->size);
}

void *heap_top(const struct heap *h)
{
	return h->n ? at(h, 0) : NULL;
}

void heap_pop(struct heap *h, void *out)
{
	memcpy(out, at(h, 0), h->size);
	/* The last element, at index n once n is one less, is moved down from
	 * the top; the hole it sinks through never reaches its own slot. */
	const void *last = at(h, --h->n);
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->first(at(h, c + 1), at(h, c)))
			c++;
		if (!h->first(at(h, c), last))
			break;
		memcpy(at(h, i), at(h, c), h->size);
		i = c;
	}
	if (h->n)
		memcpy(at(h, i), last, h->size);
}
