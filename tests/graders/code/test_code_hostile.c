/*
 * The hostile suite: every program under tests/data/code/hostile/ runs
 * through the code judge and must get one of the verdicts its header names.
 * After each one: no process of the candidate's uid is left on the host, the
 * worker's cgroup holds only its fork server and test runner, no marker file
 * appeared in the host's /tmp or /usr/bin, and no connection reached the
 * loopback listener.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "graders/code/code.h"
#include "tests/graders/code/code_testlib.h"
#include "tests/support/support.h"

static const char add_check[] = "def check(candidate):\n"
				"    assert candidate(2, 3) == 5\n"
				"    assert candidate(-1, 1) == 0\n"
				"    assert candidate(10, 20) == 30\n";
static const char add_tests[] = "[{\"input\":\"1 2\\n\",\"output\":\"3\\n\"},"
				"{\"input\":\"10 -4\\n\",\"output\":\"6\\n\"}]";

/* The value of "key:" in the first lines of src, or NULL; caller frees. */
static char *header(const char *src, const char *key)
{
	const char *p = strstr(src, key);
	if (!p || p - src > 400)
		return NULL;
	p += strlen(key);
	while (*p == ' ')
		p++;
	size_t n = strcspn(p, " \n*");
	return xstrndup(p, n);
}

static int listener(int *port)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	cr_assert(s >= 0 && !bind(s, (struct sockaddr *)&a, sizeof(a)) && !listen(s, 8));
	getsockname(s, (struct sockaddr *)&a, &al);
	*port = ntohs(a.sin_port);
	return s;
}

static char *substitute_port(const char *src, int port)
{
	const char *p = strstr(src, "{PORT}");
	if (!p)
		return xstrdup(src);
	return xasprintf("%.*s%d%s", (int)(p - src), src, port, p + 6);
}

static int verdict_allowed(const char *list, enum code_verdict v)
{
	const char *name = code_verdict_name(v);
	size_t n = strlen(name);
	for (const char *p = list; *p;) {
		size_t k = strcspn(p, "|");
		if (k == n && !strncmp(p, name, n))
			return 1;
		p += k + (p[k] == '|');
	}
	return 0;
}

static void run_one(struct sandbox *sb, const char *dir, const char *name, int lsock, int port)
{
	char *file = xasprintf("%s/%s", dir, name), *raw;
	size_t len;
	cr_assert_eq(read_file(file, 1 << 20, &raw, &len), 0);
	char *src = substitute_port(raw, port);
	char *expect = header(src, "expect:");
	char *kind = header(src, "kind:");
	char *lang = header(src, "language:");
	cr_assert(expect && kind, "%s: header needs expect: and kind:", name);
	cJSON *line = cJSON_CreateObject();
	cJSON_AddStringToObject(line, "id", name);
	cJSON_AddStringToObject(line, "kind", kind);
	cJSON_AddStringToObject(line, "language", lang ? lang : "python");
	cJSON *lim = cJSON_AddObjectToObject(line, "limits");
	cJSON_AddNumberToObject(lim, "time_s", 1);
	cJSON_AddNumberToObject(lim, "memory_mb", 256);
	cJSON_AddNumberToObject(lim, "output_mb", 1);
	if (!strcmp(kind, "function")) {
		cJSON_AddStringToObject(line, "entry_point", "add");
		cJSON_AddStringToObject(line, "program", src);
		cJSON_AddStringToObject(line, "tests", add_check);
	} else {
		cJSON_AddStringToObject(line, "program", src);
		cJSON_AddItemToObject(line, "tests", cJSON_Parse(add_tests));
	}
	struct code_case c;
	struct strbuf err = STRBUF_INIT;
	cr_assert_eq(code_case_from_check_line(line, &c, &err), 0, "%s: %s", name, err.buf);
	struct code_outcome out;
	code_judge(sb, &c, &out);
	cr_expect(verdict_allowed(expect, out.verdict), "%s: verdict %s, expected %s", name,
		  code_verdict_name(out.verdict), expect);
	/* Nothing survives. */
	int left = support_count_uid(sandbox_candidate_uid(sb));
	cr_expect_eq(left, 0, "%s: %d processes of the candidate uid %u survive", name, left,
		     (unsigned)sandbox_candidate_uid(sb));
	int in_cg = sandbox_cgroup_count(sb);
	int resident = sandbox_resident(sb);
	cr_expect(in_cg == -1 || (in_cg >= 1 && in_cg <= resident),
		  "%s: the worker cgroup holds %d processes, not %d", name, in_cg, resident);
	/* Nothing written outside. */
	cr_expect_neq(access("/tmp/reval-hostile-marker", F_OK), 0, "%s: wrote to the host /tmp", name);
	cr_expect_neq(access("/tmp/reval-hostile-fill", F_OK), 0, "%s: filled the host /tmp", name);
	cr_expect_neq(access("/usr/bin/reval-hostile-marker", F_OK), 0, "%s: wrote to /usr/bin", name);
	/* No connection. */
	int conn = accept(lsock, NULL, NULL);
	cr_expect(conn < 0 && (errno == EAGAIN || errno == EWOULDBLOCK), "%s: a connection arrived",
		  name);
	if (conn >= 0)
		close(conn);
	code_outcome_release(&out);
	code_case_release(&c);
	cJSON_Delete(line);
	strbuf_release(&err);
	free(expect);
	free(kind);
	free(lang);
	free(src);
	free(raw);
	free(file);
}

Test(code_hostile, every_attack_fails_and_leaves_nothing, .timeout = 900)
{
	char *dir = tl_path("tests/data/code/hostile");
	DIR *d = opendir(dir);
	cr_assert_not_null(d, "no %s", dir);
	struct strbuf err = STRBUF_INIT;
	struct sandbox_opts o = {.index = 7};
	struct sandbox *sb;
	cr_assert_eq(sandbox_new(&sb, &o, &err), 0, "%s", err.buf);
	int port, lsock = listener(&port);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "README.md"))
			continue;
		run_one(sb, dir, e->d_name, lsock, port);
		n++;
	}
	closedir(d);
	cr_expect_geq(n, 29, "only %d hostile programs", n);
	close(lsock);
	pid_t worker = sandbox_pid(sb);
	uid_t cand = sandbox_candidate_uid(sb);
	sandbox_free(sb);
	cr_expect_neq(kill(worker, 0), 0, "the worker outlived its teardown");
	cr_expect_eq(support_count_uid(cand), 0);
	strbuf_release(&err);
	free(dir);
}
