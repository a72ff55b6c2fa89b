#include "graders/code/sandbox/pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

struct sandbox_pool {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	struct sandbox **all;  /* every worker, for teardown */
	struct sandbox **idle; /* stack of free workers */
	int n, nidle;
};

struct sandbox_pool *sandbox_pool_new(int n, struct strbuf *err)
{
	if (n <= 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		n = c > 0 ? (int)c : 1;
	}
	struct sandbox_pool *p = xcalloc(1, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->freed, NULL);
	p->all = xcalloc((size_t)n, sizeof(*p->all));
	p->idle = xcalloc((size_t)n, sizeof(*p->idle));
	for (int i = 0; i < n; i++) {
		struct sandbox_opts o = {.index = i};
		if (sandbox_new(&p->all[i], &o, err)) {
			sandbox_pool_free(p);
			return NULL;
		}
		p->n++;
		p->idle[p->nidle++] = p->all[i];
	}
	if (sandbox_degraded(p->all[0]))
		diag("WARNING: the code sandbox is degraded on this system: %s",
		     sandbox_layers(p->all[0]));
	return p;
}

void sandbox_pool_free(struct sandbox_pool *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->n; i++)
		sandbox_free(p->all[i]);
	free(p->all);
	free(p->idle);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->freed);
	free(p);
}

struct sandbox *sandbox_pool_acquire(struct sandbox_pool *p)
{
	pthread_mutex_lock(&p->lock);
	while (!p->nidle)
		pthread_cond_wait(&p->freed, &p->lock);
	struct sandbox *sb = p->idle[--p->nidle];
	pthread_mutex_unlock(&p->lock);
	return sb;
}

void sandbox_pool_release(struct sandbox_pool *p, struct sandbox *sb)
{
	pthread_mutex_lock(&p->lock);
	p->idle[p->nidle++] = sb;
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
}

int sandbox_pool_size(const struct sandbox_pool *p)
{
	return p->n;
}

const char *sandbox_pool_layers(const struct sandbox_pool *p)
{
	return sandbox_layers(p->all[0]);
}

int sandbox_pool_degraded(const struct sandbox_pool *p)
{
	return sandbox_degraded(p->all[0]);
}
