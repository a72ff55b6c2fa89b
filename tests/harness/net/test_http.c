/*
 * The HTTP client against servers that misbehave below HTTP: here one that
 * accepts every TCP connection and never says a word, so no TLS handshake
 * ever completes.  Loopback only.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness/net/http.h"

struct mute {
	int fd, port;
	int open, most; /* connections open now, and at most */
	int stop;
	pthread_t th;
	pthread_mutex_t mu;
};

/* Accept and hold every connection; count how many are open at once. */
static void *mute_serve(void *arg)
{
	struct mute *m = arg;
	int conns[256], n = 0;
	while (!__atomic_load_n(&m->stop, __ATOMIC_SEQ_CST)) {
		struct pollfd p[257];
		p[0] = (struct pollfd){.fd = m->fd, .events = POLLIN};
		for (int i = 0; i < n; i++)
			p[i + 1] = (struct pollfd){.fd = conns[i], .events = POLLIN};
		if (poll(p, (nfds_t)n + 1, 50) <= 0)
			continue;
		for (int i = n - 1; i >= 0; i--) {
			char buf[4096];
			if (p[i + 1].revents && read(conns[i], buf, sizeof(buf)) <= 0) {
				close(conns[i]);
				conns[i] = conns[--n];
			}
		}
		if (p[0].revents && n < 256) {
			int c = accept(m->fd, NULL, NULL);
			if (c >= 0)
				conns[n++] = c;
		}
		pthread_mutex_lock(&m->mu);
		m->open = n;
		if (n > m->most)
			m->most = n;
		pthread_mutex_unlock(&m->mu);
	}
	for (int i = 0; i < n; i++)
		close(conns[i]);
	return NULL;
}

static void mute_start(struct mute *m)
{
	*m = (struct mute){0};
	pthread_mutex_init(&m->mu, NULL);
	m->fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_geq(m->fd, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	cr_assert_eq(bind(m->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(listen(m->fd, 64), 0);
	cr_assert_eq(getsockname(m->fd, (struct sockaddr *)&a, &len), 0);
	m->port = ntohs(a.sin_port);
	cr_assert_eq(pthread_create(&m->th, NULL, mute_serve, m), 0);
}

static void mute_stop(struct mute *m)
{
	__atomic_store_n(&m->stop, 1, __ATOMIC_SEQ_CST);
	pthread_join(m->th, NULL);
	close(m->fd);
	pthread_mutex_destroy(&m->mu);
}

static int done_count;

static void on_done(void *ud, struct http_xfer *x)
{
	(void)ud;
	(void)x;
	done_count++;
}

/* Six requests to a server that never completes a TLS handshake: they all
 * try at once, each ended by the connect limit, none waiting behind another
 * to share its connection. */
Test(http, a_server_that_never_completes_tls_does_not_serialise_requests, .timeout = 60)
{
	struct mute m;
	mute_start(&m);
	char url[64];
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/v1/chat/completions", m.port);
	struct http_client *c = http_client_new(NULL, 64);
	struct http_xfer x[6];
	done_count = 0;
	for (int i = 0; i < 6; i++) {
		http_xfer_init(&x[i]);
		x[i].url = url;
		x[i].body = "{}";
		x[i].body_len = 2;
		x[i].connect_ms = 1500;
		x[i].max_body = 1 << 20;
		x[i].on_done = on_done;
		http_submit(c, &x[i]);
	}
	while (done_count < 6)
		http_client_run(c, 100);
	for (int i = 0; i < 6; i++) {
		cr_expect_neq(x[i].result, HTTP_OK, "request %d", i);
		cr_expect_eq(x[i].status, 0, "request %d", i);
		http_xfer_release(&x[i]);
	}
	http_client_free(c);
	mute_stop(&m);
	cr_expect_eq(m.most, 6, "at most %d connections were open at once", m.most);
}
