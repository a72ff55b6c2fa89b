/*
 * The manual pages of the binary: 'reval -V', and the man page and bash and
 * zsh completions that 'make install' installs, generated from the option
 * tables through 'reval help' -- every option the binary knows is in them.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/base/version.h"
#include "tests/support/regrade.h"
#include "tests/support/support.h"

Test(manual, dash_capital_v_prints_the_version)
{
	const char *args[] = {"-V", NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	char *want = xasprintf("reval %s\n", REVAL_VERSION);
	cr_assert_str_eq(r.out.buf, want);
	free(want);
	proc_result_release(&r);
}

/* Output of a shell command, asserting it exits 0. */
static char *sh(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		strbuf_add(&sb, buf, n);
	int st = pclose(p);
	cr_assert_eq(st, 0, "'%s' failed (%d): %s", cmd, st, sb.buf ? sb.buf : "");
	return strbuf_detach(&sb);
}

static void check_every_option_of(const char *cmd, const char *man, const char *zsh)
{
	const char *args[] = {"help", cmd, NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 0);
	const char *opts = strstr(r.out.buf, "\noptions:\n");
	cr_assert_not_null(opts);
	int seen = 0;
	for (const char *l = opts + 10; l && !strncmp(l, "  --", 4);
	     l = strchr(l, '\n'), l = l ? l + 1 : l) {
		size_t len = strcspn(l + 2, " \n");
		char *flag = xstrndup(l + 2, len);
		struct strbuf roff = STRBUF_INIT;
		for (const char *c = flag; *c; c++)
			strbuf_adds(&roff, *c == '-' ? "\\-" : (char[]){*c, 0});
		cr_expect(strstr(man, roff.buf), "the man page lacks %s %s", cmd, flag);
		if (!strncmp(flag, "--[no-]", 7)) /* zsh offers --x and --no-x */
			memmove(flag + 2, flag + 7, strlen(flag + 7) + 1);
		cr_expect(strstr(zsh, flag), "the zsh completion lacks %s %s", cmd, flag);
		strbuf_release(&roff);
		free(flag);
		seen++;
	}
	cr_assert_gt(seen, 0, "no options parsed from 'reval help %s'", cmd);
	proc_result_release(&r);
}

Test(manual, make_install_puts_man_page_and_completions_in_place, .timeout = 300)
{
	char *dir = support_tmpdir("install");
	const char *build = getenv("REVAL_BUILD");
	char *cmd = xasprintf("make -s -C '%s' install DESTDIR='%s' PREFIX=/usr BUILD='%s' 2>&1",
			      support_root(), dir, build && *build ? build : "build");
	free(sh(cmd));
	free(cmd);
	char *man_path = xasprintf("%s/usr/share/man/man1/reval.1", dir);
	char *bash_path = xasprintf("%s/usr/share/bash-completion/completions/reval", dir);
	char *zsh_path = xasprintf("%s/usr/share/zsh/site-functions/_reval", dir);
	char *man = regrade_slurp(man_path), *zsh = regrade_slurp(zsh_path);

	/* groff finds nothing to warn about in the page. */
	cmd = xasprintf("groff -ww -z -man '%s' 2>&1", man_path);
	char *warn = sh(cmd);
	cr_expect_str_eq(warn, "", "groff warnings: %s", warn);
	free(warn);
	free(cmd);
	cr_expect(!strncmp(zsh, "#compdef reval", 14));
	const char *cmds[] = {"run", "report", "gate", "tasks"};
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		check_every_option_of(cmds[i], man, zsh);

	/* bash completes commands and each command's own flags. */
	cmd = xasprintf("bash -c '. \"%s\"; c() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); "
			"_reval; echo \"${COMPREPLY[*]}\"; }; c reval rep; c reval report --h; "
			"c reval gate --ju; c reval run --no-pro'",
			bash_path);
	char *got = sh(cmd);
	cr_expect_str_eq(got, "report reproduce\n--html --help\n--junit\n--no-progress\n");
	free(got);
	free(cmd);
	free(man);
	free(zsh);
	free(man_path);
	free(bash_path);
	free(zsh_path);
	free(dir);
}
