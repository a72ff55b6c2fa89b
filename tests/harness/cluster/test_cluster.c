/*
 * The schedulers themselves: a real Slurm started here (slurm.sh) running the
 * array and merge of docs/scale-out.md against the fake server, the
 * document's scheduler-free commands as written, and the Kubernetes
 * manifests read as Kubernetes would need them.  Where Slurm cannot start,
 * the test fails with the reason: it never skips.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "harness/base/json.h"
#include "tests/support/fake.h"
#include "tests/support/support.h"

/* Run a shell script with sh -c, stdout and stderr together into *out; the exit status. */
static int shell(const char *script, struct strbuf *out)
{
	FILE *p = popen(script, "r");
	cr_assert_not_null(p, "cannot start sh");
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		strbuf_add(out, buf, n);
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

Test(cluster, slurm_array_and_dependent_merge_equal_the_unsharded_run, .timeout = 1500)
{
	struct strbuf out = STRBUF_INIT;
	char *script = support_path("tests/harness/cluster/slurm.sh");
	char *cmd = xasprintf("sh '%s' 2>&1", script);
	int st = shell(cmd, &out);
	cr_assert_eq(st, 0, "the Slurm test failed (exit %d):\n%s", st, out.buf);
	cr_assert(strstr(out.buf, "slurm: ok:"), "%s", out.buf);
	free(cmd);
	free(script);
	strbuf_release(&out);
}

/* The fenced sh block after <!-- test: NAME --> in docs/scale-out.md. */
static char *doc_block(const char *name)
{
	char *path = support_path("docs/scale-out.md");
	char *text = NULL;
	cr_assert_eq(read_file(path, 1 << 20, &text, NULL), 0, "cannot read %s", path);
	char *marker = xasprintf("<!-- test: %s -->\n```sh\n", name);
	char *start = strstr(text, marker);
	cr_assert_not_null(start, "docs/scale-out.md has no block '%s'", name);
	start += strlen(marker);
	char *end = strstr(start, "\n```\n");
	cr_assert_not_null(end);
	char *block = xstrndup(start, (size_t)(end - start + 1));
	free(marker);
	free(text);
	free(path);
	return block;
}

Test(cluster, scale_out_doc_commands_run_as_written, .timeout = 300)
{
	char *dir = support_tmpdir("scaleout-doc");
	char *data = support_path("tests/data/toy");
	char *answers = path_join(dir, "answers.jsonl");
	cr_assert_eq(support_write(answers, "{\"prompt\": \"Q: 2+2\\nA:\", \"content\": \"4\"}\n"), 0);
	struct fake f;
	const char *args[] = {"--answers", answers, NULL};
	fake_start(&f, args);
	char *eps = path_join(dir, "endpoints.txt");
	char *text = xasprintf("%s\n", f.url);
	cr_assert_eq(support_write(eps, text), 0);
	free(text);
	/* reval on PATH, REVAL_ARGS as the document's setup block sets it. */
	char *bin = path_join(dir, "bin");
	char *link = xasprintf("mkdir -p '%s' && ln -sf \"$REVAL_BIN\" '%s/reval'", bin, bin);
	struct strbuf out = STRBUF_INIT;
	cr_assert_eq(shell(link, &out), 0, "%s", out.buf);
	char *path = xasprintf("%s:%s", bin, getenv("PATH"));
	setenv("PATH", path, 1);
	char *ra = xasprintf("--task toy --data-dir %s --model fake-model", data);
	setenv("REVAL_ARGS", ra, 1);
	unsetenv("JOB_COMPLETION_INDEX");
	unsetenv("SLURM_ARRAY_TASK_ID");
	char *block = doc_block("local");
	char *script = xasprintf("cd '%s' && set -e\n%s", dir, block);
	int st = shell(script, &out);
	cr_assert_eq(st, 0, "the document's commands failed:\n%s\n%s", block, out.buf);
	for (int i = 0; i < 4; i++) {
		char name[64];
		snprintf(name, sizeof(name), "runs/local/shard-%d-of-4/samples.jsonl", i);
		char *j = path_join(dir, name);
		cr_assert_eq(support_count_lines(j), 12, "%s", name);
		free(j);
	}
	char *res = path_join(dir, "runs/local/merged/results.json");
	cJSON *doc = support_json_file(res);
	cr_assert_not_null(doc, "%s", out.buf);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "tasks"), "toy");
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "complete")));
	/* One problem of twelve answered right, all four samples. */
	cr_assert_float_eq(support_metric(doc, "toy", "avg@4"), 1.0 / 12.0, 1e-12);
	cJSON_Delete(doc);
	free(res);
	free(script);
	free(block);
	free(ra);
	free(path);
	free(link);
	free(bin);
	strbuf_release(&out);
	fake_stop(&f);
	free(eps);
	free(answers);
	free(data);
	free(dir);
}

Test(cluster, kubernetes_manifests_are_an_indexed_job_and_a_merge_job)
{
	char *check = support_path("tests/harness/cluster/k8s_check.py");
	char *k8s = support_path("contrib/k8s");
	char *cmd = xasprintf("python3 '%s' '%s/reval-indexed-job.yaml' '%s/reval-merge-job.yaml' 2>&1",
			      check, k8s, k8s);
	struct strbuf out = STRBUF_INIT;
	int st = shell(cmd, &out);
	cr_assert_eq(st, 0, "%s", out.buf);
	cr_assert(strstr(out.buf, "indexed job reval-r1: 4 completions"), "%s", out.buf);
	strbuf_release(&out);
	free(cmd);
	free(k8s);
	free(check);
}
