/*
 * tests/layers/check.sh (make layers): a tree whose includes all point
 * down passes; each kind of wrong arrow fails, naming the file and line.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "harness/base/util.h"
#include "tests/support/support.h"

/* Write FILE (a path inside root, folders made) with TEXT. */
static void put(const char *root, const char *file, const char *text)
{
	char *path = path_join(root, file);
	char *dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	cr_assert(!mkdir_p(dir), "mkdir %s", dir);
	cr_assert(!support_write(path, text));
	free(dir);
	free(path);
}

/* Run the check on root; returns its exit status and what it printed. */
static int check(const char *root, struct strbuf *out)
{
	char *script = support_path("tests/layers/check.sh");
	char *cmd = xasprintf("sh '%s' '%s' 2>&1", script, root);
	FILE *p = popen(cmd, "r");
	cr_assert(p);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		strbuf_add(out, buf, n);
	int st = pclose(p);
	free(cmd);
	free(script);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A small tree that keeps every rule. */
static char *good_tree(const char *tag)
{
	char *root = support_tmpdir(tag);
	put(root, "harness/base/util.h", "int util(void);\n");
	put(root, "harness/model/task.c", "#include \"harness/base/util.h\"\n");
	put(root, "harness/net/http.c", "#include <curl/curl.h>\n#include \"harness/base/util.h\"\n");
	put(root, "graders/math/lex.c", "#include \"harness/model/task.h\"\n#include \"graders/grader.h\"\n");
	put(root, "reports/render/html.c", "#include \"reports/stats/metrics.h\"\n");
	put(root, "harness/serve/server.c", "#include \"graders/code/sandbox/pool.h\"\n#include \"harness/model/think.h\"\n");
	put(root, "harness/cli/main.c", "#include \"harness/cli/cmd.h\"\n#include \"reports/render/html.h\"\n");
	return root;
}

Test(layers, a_tree_whose_includes_point_down_passes)
{
	char *root = good_tree("layers-good");
	struct strbuf out = STRBUF_INIT;
	cr_assert_eq(check(root, &out), 0, "%s", out.buf);
	cr_assert(strstr(out.buf, "every include points down"), "%s", out.buf);
	strbuf_release(&out);
	free(root);
}

/* Each wrong arrow, alone in an otherwise good tree, fails the check and is named. */
Test(layers, every_kind_of_wrong_arrow_fails)
{
	static const struct {
		const char *file, *text, *says;
	} bad[] = {
		{"harness/base/json.c", "#include \"harness/model/task.h\"\n", "harness/base/json.c:1: includes harness/model/task.h"},
		{"harness/model/sample.h", "\n#include \"harness/engine/engine.h\"\n", "harness/model/sample.h:2: includes harness/engine/engine.h"},
		{"graders/math/parse.c", "#include \"harness/pipeline/run.h\"\n", "graders/math/parse.c:1: includes harness/pipeline/run.h"},
		{"reports/stats/metrics.c", "#include \"reports/results/tally.h\"\n", "reports/stats/metrics.c:1: includes reports/results/tally.h"},
		{"reports/results/tally.c", "#include \"graders/grader.h\"\n", "reports/results/tally.c:1: includes graders/grader.h"},
		{"harness/engine/openai.c", "#include <curl/curl.h>\n", "harness/engine/openai.c:1: includes libcurl"},
		{"harness/pipeline/run.c", "#include \"harness/cli/cmd.h\"\n", "nothing but harness/cli includes harness/cli"},
		{"graders/choice.c", "#include \"grader.h\"\n", "without its path from the root"},
		{"harness/serve/reward.c", "#include \"harness/engine/engine.h\"\n", "harness/serve/reward.c:1: includes harness/engine/engine.h"},
		{"harness/serve/server.c", "#include \"reports/results/tally.h\"\n", "harness/serve/server.c:1: includes reports/results/tally.h"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *tag = xasprintf("layers-bad-%zu", i);
		char *root = good_tree(tag);
		put(root, bad[i].file, bad[i].text);
		struct strbuf out = STRBUF_INIT;
		cr_expect_eq(check(root, &out), 1, "%s: %s", bad[i].file, out.buf);
		cr_expect(strstr(out.buf, bad[i].says), "%s: wanted '%s' in: %s", bad[i].file,
			  bad[i].says, out.buf);
		strbuf_release(&out);
		free(root);
		free(tag);
	}
}

/* The product's own tree keeps the rules (make test also runs make layers first). */
Test(layers, the_product_tree_passes)
{
	struct strbuf out = STRBUF_INIT;
	cr_assert_eq(check(support_root(), &out), 0, "%s", out.buf);
	strbuf_release(&out);
}
