/*
 * Samples against the samples after them: every attacker under
 * tests/data/code/isolation/ (NN-name-a) runs on a fresh worker, then the
 * innocent sample NN-name-b on the same worker, each through the code judge
 * as `reval check code --workers 1` would run them.  Both must get the
 * verdicts their headers name -- the attacker its own verdict, never an
 * infra_error it caused, the innocent the verdict its own program earns --
 * every outcome must print as valid UTF-8, and after each one nothing of the
 * candidate may be left on the host: no process of its uid, no file in the
 * host's /tmp, no SysV IPC object under the attacker's keys.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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

/* The rest of the line after "key:" in the first lines of src, or NULL;
 * caller frees. */
static char *header(const char *src, const char *key)
{
	const char *p = strstr(src, key);
	if (!p || p - src > 400)
		return NULL;
	p += strlen(key);
	while (*p == ' ')
		p++;
	size_t n = strcspn(p, "\n");
	while (n && strchr(" */", p[n - 1]))
		n--;
	return xstrndup(p, n);
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

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
static int valid_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
			 : (c & 0xF8) == 0xF0 ? 4 : 0;
		if (!k || i + k > n)
			return 0;
		unsigned cp = k == 1 ? c : c & (0x7F >> k);
		for (size_t j = 1; j < k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + j] & 0x3F);
		}
		static const unsigned min[] = {0, 0, 0x80, 0x800, 0x10000};
		if (cp < min[k] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += k;
	}
	return 1;
}

static int host_has_ipc_key(const char *kind, const char *key)
{
	char path[64], *text;
	size_t len;
	snprintf(path, sizeof(path), "/proc/sysvipc/%s", kind);
	if (read_file(path, 1 << 20, &text, &len))
		return 0;
	int found = strstr(text, key) != NULL;
	free(text);
	return found;
}

static void judge_file(struct sandbox *sb, const char *dir, const char *name)
{
	char *file = xasprintf("%s/%s", dir, name), *src;
	size_t len;
	cr_assert_eq(read_file(file, 1 << 20, &src, &len), 0);
	char *expect = header(src, "expect:"), *kind = header(src, "kind:");
	char *lang = header(src, "language:"), *detail = header(src, "detail:");
	cr_assert(expect && kind, "%s: header needs expect: and kind:", name);
	cJSON *line = cJSON_CreateObject();
	cJSON_AddStringToObject(line, "id", name);
	cJSON_AddStringToObject(line, "kind", kind);
	cJSON_AddStringToObject(line, "language", lang ? lang : "python");
	cJSON *lim = cJSON_AddObjectToObject(line, "limits");
	cJSON_AddNumberToObject(lim, "time_s", 1);
	cJSON_AddNumberToObject(lim, "memory_mb", 256);
	cJSON_AddNumberToObject(lim, "output_mb", 1);
	cJSON_AddStringToObject(line, "program", src);
	if (!strcmp(kind, "function")) {
		cJSON_AddStringToObject(line, "entry_point", "add");
		cJSON_AddStringToObject(line, "tests", add_check);
	} else {
		cJSON_AddItemToObject(line, "tests", cJSON_Parse(add_tests));
	}
	struct code_case c;
	struct strbuf err = STRBUF_INIT;
	cr_assert_eq(code_case_from_check_line(line, &c, &err), 0, "%s: %s", name, err.buf);
	struct code_outcome out;
	code_judge(sb, &c, &out);
	char *text = cJSON_PrintUnformatted(out.detail);
	cr_expect(verdict_allowed(expect, out.verdict), "%s: verdict %s, expected %s: %.600s", name,
		  code_verdict_name(out.verdict), expect, text);
	cr_expect(valid_utf8((const unsigned char *)text, strlen(text)),
		  "%s: the outcome is not valid UTF-8", name);
	if (detail)
		cr_expect(strstr(text, detail), "%s: the detail does not say '%s': %.600s", name,
			  detail, text);
	int left = support_count_uid(sandbox_candidate_uid(sb));
	cr_expect_eq(left, 0, "%s: %d processes of the candidate uid survive", name, left);
	int in_cg = sandbox_cgroup_count(sb), resident = sandbox_resident(sb);
	cr_expect(in_cg == -1 || (in_cg >= 1 && in_cg <= resident),
		  "%s: the worker cgroup holds %d processes, not %d", name, in_cg, resident);
	static const char *const host[] = {"/tmp/reval-iso-planted.py", "/tmp/reval-iso-fill0",
					   "/tmp/reval-iso-note", "/tmp/.reval-iso-hidden", "/tmp/j0"};
	for (size_t i = 0; i < ARRAY_SIZE(host); i++)
		cr_expect_neq(access(host[i], F_OK), 0, "%s: '%s' appeared on the host", name, host[i]);
	cr_expect(!host_has_ipc_key("shm", " 518049 ") && !host_has_ipc_key("sem", " 518050 ") &&
		  !host_has_ipc_key("msg", " 518051 "),
		  "%s: an IPC object of the candidate is on the host", name);
	free(text);
	code_outcome_release(&out);
	code_case_release(&c);
	cJSON_Delete(line);
	strbuf_release(&err);
	free(expect);
	free(kind);
	free(lang);
	free(detail);
	free(src);
	free(file);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int not_readme(const struct dirent *e)
{
	return e->d_name[0] != '.' && strcmp(e->d_name, "README.md");
}

Test(code_isolation, no_sample_sees_or_decides_a_later_one, .timeout = 1200)
{
	char *dir = tl_path("tests/data/code/isolation");
	struct dirent **names;
	int n = scandir(dir, &names, not_readme, by_name);
	cr_assert_gt(n, 0, "no %s", dir);
	int pairs = 0;
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		const char *dash = strrchr(name, '-');
		if (!dash || strncmp(dash, "-a.", 3))
			continue;
		/* The attacker on a fresh worker, then the innocent on the same. */
		cr_assert(i + 1 < n && !strncmp(names[i + 1]->d_name, name, (size_t)(dash - name) + 1) &&
				  !strncmp(names[i + 1]->d_name + (dash - name), "-b.", 3),
			  "%s has no innocent partner", name);
		struct strbuf err = STRBUF_INIT;
		struct sandbox_opts o = {.index = 11};
		struct sandbox *sb;
		cr_assert_eq(sandbox_new(&sb, &o, &err), 0, "%s", err.buf);
		judge_file(sb, dir, name);
		judge_file(sb, dir, names[i + 1]->d_name);
		uid_t cand = sandbox_candidate_uid(sb);
		sandbox_free(sb);
		cr_expect_eq(support_count_uid(cand), 0);
		strbuf_release(&err);
		pairs++;
	}
	cr_expect_geq(pairs, 15, "only %d pairs", pairs);
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(dir);
}

/* ---- Failures of the sandbox itself ---- */

extern const struct grader_ops grader_code;

static int open_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	cr_assert_not_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static struct grade grade_sum(void *st, const char *program)
{
	char *content = xasprintf("```python\n%s```\n", program);
	cJSON *rec = cJSON_Parse("{\"tests\":[{\"input\":\"1 2\\n\",\"output\":\"3\\n\"}]}");
	struct grade_input in = {.problem_id = "sum", .record = rec, .content = content};
	struct grade g;
	int rc = grader_code.grade(st, &in, &g);
	g.score = rc; /* the return code, for the caller to check */
	cJSON_Delete(rec);
	free(content);
	return g;
}

/* A run the sandbox cannot set up, even on a fresh worker (here: no
 * descriptors left for a worker's channels), is no sample's verdict: the
 * grader fails, so that the run stops, instead of quietly filing samples as
 * infra_error.  Once descriptors are back, it grades again. */
Test(code_isolation, a_setup_that_fails_on_a_fresh_worker_stops_the_grader, .timeout = 120)
{
	void *st;
	struct strbuf err = STRBUF_INIT;
	cJSON *opts = cJSON_Parse("{\"kind\":\"stdio\",\"workers\":1}");
	cr_assert_eq(grader_code.init(&st, opts, &err), 0, "%s", err.buf);
	const char *sum = "a, b = map(int, input().split())\nprint(a + b)\n";
	struct grade g = grade_sum(st, sum);
	cr_assert_eq(g.score, 0);
	cr_assert(g.correct, "%s", g.reason);
	grade_release(&g);
	struct rlimit saved, low;
	cr_assert_eq(getrlimit(RLIMIT_NOFILE, &saved), 0);
	low = saved;
	low.rlim_cur = (rlim_t)open_fds() + 1;
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	g = grade_sum(st, sum);
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &saved), 0);
	cr_expect_neq(g.score, 0, "the grader went on: %s", g.reason);
	cr_expect_eq(g.status, GRADE_INFRA);
	cr_expect(g.detail && strstr(g.detail, "even on a fresh worker"), "%s", g.detail);
	grade_release(&g);
	g = grade_sum(st, sum);
	cr_expect_eq(g.score, 0);
	cr_expect(g.correct, "%s: %s", g.reason, g.detail);
	grade_release(&g);
	grader_code.free(st);
	cJSON_Delete(opts);
	strbuf_release(&err);
}

/* `reval check code` with this process's limit on resource res set to k. */
static void check_code_limited(struct proc_result *r, const char *const *args, int res, rlim_t k)
{
	struct rlimit saved, low;
	cr_assert_eq(getrlimit(res, &saved), 0);
	low = saved;
	low.rlim_cur = k < saved.rlim_max ? k : saved.rlim_max;
	cr_assert_eq(setrlimit(res, &low), 0);
	support_reval(r, args);
	cr_assert_eq(setrlimit(res, &saved), 0);
}

/* The same through `reval check code`: under every limit on descriptors it
 * either judges every case or cannot start, and never prints an
 * infrastructure error as a case's verdict with exit 0; a limit well below
 * the sandbox's own (64 per candidate) still leaves it working, the
 * candidate's own limit the tighter one.  Where the fork server cannot fork
 * (a limit of one process for the user), it stops at the first case, exit
 * 1, saying so. */
Test(code_isolation, check_code_stops_where_the_sandbox_cannot_set_up_a_run, .timeout = 300)
{
	char *dir = support_tmpdir("checkstop");
	char *in = path_join(dir, "cases.jsonl");
	struct strbuf cases = STRBUF_INIT;
	for (int i = 0; i < 3; i++)
		strbuf_addf(&cases,
			    "{\"id\":\"c%d\",\"kind\":\"stdio\",\"program\":\"a, b = map(int, "
			    "input().split())\\nprint(a + b)\\n\",\"tests\":[{\"input\":\"1 2\\n\","
			    "\"output\":\"3\\n\"}]}\n",
			    i);
	cr_assert_eq(support_write(in, cases.buf), 0);
	const char *args[] = {"check", "code", "--in", in, "--workers", "1", NULL};
	int base = open_fds(), judged = 0;
	for (int k = base + 8; k <= base + 80; k += 6) {
		struct proc_result r;
		check_code_limited(&r, args, RLIMIT_NOFILE, (rlim_t)k);
		cr_expect(!strstr(r.out.buf, "infra_error"), "limit %d: an infrastructure error "
			  "printed as a verdict:\n%s", k, r.out.buf);
		if (r.status == 0) {
			judged++;
			cr_expect_eq(support_nonempty_lines(r.out.buf), 3, "limit %d: %s", k, r.out.buf);
		} else {
			cr_expect_eq(r.status, 1, "limit %d: %s", k, r.err.buf);
			cr_expect(strstr(r.err.buf, "cannot start the code sandbox") ||
					  strstr(r.err.buf, "3 of 3 cases not judged"),
				  "limit %d: %s", k, r.err.buf);
		}
		proc_result_release(&r);
	}
	cr_expect_gt(judged, 0, "no limit let it judge the cases");
	struct proc_result r;
	check_code_limited(&r, args, RLIMIT_NOFILE, (rlim_t)(base + 40));
	cr_expect_eq(r.status, 0, "%d descriptors, below the candidate's own 64: %s", base + 40,
		     r.err.buf);
	proc_result_release(&r);
	check_code_limited(&r, args, RLIMIT_NPROC, 1);
	cr_expect(!strstr(r.out.buf, "infra_error"), "%s", r.out.buf);
	cr_expect_eq(r.status, 1, "%s", r.err.buf);
	if (geteuid() == 0)
		/* Root starts its workers whatever the limit; the fork server cannot fork. */
		cr_expect(strstr(r.err.buf, "stopped at case 'c0'") &&
				  strstr(r.err.buf, "even on a fresh worker") &&
				  strstr(r.err.buf, "3 of 3 cases not judged"),
			  "%s", r.err.buf);
	proc_result_release(&r);
	strbuf_release(&cases);
	free(in);
	free(dir);
}
