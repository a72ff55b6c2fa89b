/*
 * The binary heap the engine's retry queue and the tail plan share: over
 * random pushes and pops, interleaved, every pop gives what a sorted list of
 * the elements then held would give first, ties broken by the caller's order
 * too (a sequence number), and the heap ends empty.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "harness/base/heap.h"

struct item {
	int key;
	unsigned seq;
};

static int item_first(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;
	return a->key < b->key || (a->key == b->key && a->seq < b->seq);
}

Test(heap, pops_in_order_over_random_pushes_and_pops)
{
	srand(7);
	for (int round = 0; round < 200; round++) {
		struct heap h;
		heap_init(&h, sizeof(struct item), item_first);
		struct item held[256];
		size_t n = 0;
		unsigned seq = 0;
		for (int step = 0; step < 400; step++) {
			if (n < 256 && (n == 0 || rand() % 3)) {
				struct item it = {rand() % 16, seq++};
				heap_push(&h, &it);
				held[n++] = it;
				continue;
			}
			size_t best = 0;
			for (size_t i = 1; i < n; i++)
				if (item_first(&held[i], &held[best]))
					best = i;
			struct item *top = heap_top(&h), got;
			cr_assert_not_null(top);
			cr_assert(top->key == held[best].key && top->seq == held[best].seq);
			heap_pop(&h, &got);
			cr_assert(got.key == held[best].key && got.seq == held[best].seq,
				  "round %d step %d: popped (%d, %u), expected (%d, %u)", round, step,
				  got.key, got.seq, held[best].key, held[best].seq);
			held[best] = held[--n];
			cr_assert_eq(h.n, n);
		}
		while (n) {
			struct item got;
			heap_pop(&h, &got);
			n--;
		}
		cr_assert_null(heap_top(&h));
		heap_release(&h);
	}
}
