/*
 * heap: a binary heap of fixed-size elements in one growing array, the
 * element that comes first (by the caller's order) on top.  Elements are
 * copied in and out by value.
 */
#ifndef REVAL_HEAP_H
#define REVAL_HEAP_H

#include <stddef.h>

struct heap {
	unsigned char *v; /* n elements of size bytes */
	size_t n, cap, size;
	int (*first)(const void *a, const void *b); /* 1 when a comes before b */
};

void heap_init(struct heap *h, size_t size, int (*first)(const void *a, const void *b));
void heap_release(struct heap *h);

/* Add a copy of the element at e. */
void heap_push(struct heap *h, const void *e);
/* The element on top, or NULL when the heap is empty; it stays in the heap. */
void *heap_top(const struct heap *h);
/* Take the element on top into out; the heap must not be empty. */
void heap_pop(struct heap *h, void *out);

#endif
