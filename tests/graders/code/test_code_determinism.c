/*
 * The code checker's verdicts do not depend on the worker or the run: the
 * worker's Python has a fixed hash seed, candidates start from one random
 * state, and tests that draw inputs from random draw the same ones for
 * every sample.  Expected values come from a host python3 run with the same
 * seeds, independently of the sandbox.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/support.h"

/* What host python3 prints for code, run with PYTHONHASHSEED=0 after
 * random.seed(0); the trailing newline stripped.  Caller frees. */
static char *host_python(const char *code)
{
	char *cmd = xasprintf("PYTHONHASHSEED=0 /usr/bin/python3 -c 'import random\n"
			      "random.seed(0)\n%s'",
			      code);
	FILE *p = popen(cmd, "r");
	cr_assert(p, "cannot run %s", cmd);
	char buf[4096];
	size_t n = fread(buf, 1, sizeof(buf) - 1, p);
	cr_assert_eq(pclose(p), 0, "host python3 failed: %s", cmd);
	free(cmd);
	while (n && buf[n - 1] == '\n')
		n--;
	buf[n] = 0;
	return xstrdup(buf);
}

/* A JSON string literal of s (the cases file is JSON). */
static char *json_str(const char *s)
{
	cJSON *j = cJSON_CreateString(s);
	char *out = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return out;
}

#define COPIES 6

Test(code_determinism, same_verdict_in_every_worker_and_run, .timeout = 300)
{
	/* Set and dict order of strings (the hash seed) and the candidate's
	 * random state. */
	const char *prog = "print(hash(\"reval\"), list({\"apple\", \"banana\", \"cherry\", "
			   "\"date\", \"elder\"}), random.random())";
	char *want = host_python(prog);
	/* A test that draws its input: the candidate echoes it, the test
	 * expects the first draw after seed 0. */
	char *draw = host_python("print(repr(random.random()))");
	char *dir = support_tmpdir("determinism");
	char *path = xasprintf("%s/cases.jsonl", dir);
	char *program = xasprintf("import random\n%s\n", prog);
	char *jprog = json_str(program), *jwant = json_str(want);
	char *test = xasprintf("import random\ndef check(c):\n    x = random.random()\n"
			       "    assert c(x) == %s, repr(x)\n",
			       draw);
	char *jtest = json_str(test);
	struct strbuf cases = STRBUF_INIT;
	for (int i = 0; i < COPIES; i++) {
		strbuf_addf(&cases,
			    "{\"id\":\"s%d\",\"kind\":\"stdio\",\"language\":\"python\",\"program\":%s,"
			    "\"tests\":[{\"input\":\"\",\"output\":%s}]}\n",
			    i, jprog, jwant);
		strbuf_addf(&cases,
			    "{\"id\":\"f%d\",\"kind\":\"function\",\"language\":\"python\","
			    "\"prompt\":\"def echo(x):\\n    \\\"\\\"\\\"x\\\"\\\"\\\"\\n\","
			    "\"completion\":\"    return x\\n\",\"entry_point\":\"echo\",\"tests\":%s}\n",
			    i, jtest);
	}
	cr_assert_eq(support_write(path, cases.buf), 0);
	for (int run = 0; run < 2; run++) {
		struct proc_result r;
		const char *args[] = {"check", "code", "--in", path, NULL};
		support_reval(&r, args);
		cr_assert_eq(r.status, 0, "run %d: %s", run, r.err.buf);
		int seen = 0;
		for (const char *line = r.out.buf; line && *line; seen++) {
			const char *nl = strchr(line, '\n');
			cJSON *j = cJSON_ParseWithLength(line, nl ? (size_t)(nl - line) : strlen(line));
			cr_assert(j, "run %d: not JSON: %s", run, line);
			const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id");
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "verdict");
			cr_expect_str_eq(cJSON_IsString(v) ? v->valuestring : "?", "pass",
					 "run %d, %s: %.400s", run,
					 cJSON_IsString(id) ? id->valuestring : "?", line);
			cJSON_Delete(j);
			line = nl ? nl + 1 : NULL;
		}
		cr_expect_eq(seen, 2 * COPIES, "run %d", run);
		proc_result_release(&r);
	}
	strbuf_release(&cases);
	free(jtest);
	free(test);
	free(jwant);
	free(jprog);
	free(program);
	free(path);
	free(dir);
	free(draw);
	free(want);
}
