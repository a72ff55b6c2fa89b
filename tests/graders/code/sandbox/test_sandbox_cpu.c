/*
 * How workers claim CPUs: one each while free ones remain, across
 * processes, shared only when every CPU is taken, none with a single CPU.
 * Claims go to a private directory, so that other test processes' workers
 * do not take part.
 */
#include <criterion/criterion.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "graders/code/sandbox/sandbox.h"
#include "graders/code/sandbox/cpu.h"
#include "tests/support/support.h"

static int allowed_cpus(cpu_set_t *set)
{
	cr_assert_eq(sched_getaffinity(0, sizeof(*set), set), 0);
	return CPU_COUNT(set);
}

static void private_claims(void)
{
	char *dir = support_tmpdir("cpu-claims");
	cr_assert_eq(setenv(SBX_CPU_CLAIMS_ENV, dir, 1), 0);
	free(dir);
}

static void need_two_cpus(void)
{
	cpu_set_t set;
	if (allowed_cpus(&set) < 2)
		cr_skip_test("one usable CPU: nothing to claim");
}

TestSuite(sbx_cpu, .init = private_claims, .timeout = 60);

Test(sbx_cpu, claims_differ_until_every_cpu_is_taken)
{
	need_two_cpus();
	cpu_set_t set;
	int n = allowed_cpus(&set);
	struct sbx_cpu *c = calloc((size_t)n + 1, sizeof(*c));
	for (int i = 0; i < n; i++) {
		sbx_cpu_claim(&c[i], 0);
		cr_assert_geq(c[i].fd, 0, "claim %d of %d holds no lock", i, n);
		cr_assert(CPU_ISSET(c[i].cpu, &set), "claim %d: cpu %d is not usable", i, c[i].cpu);
		for (int k = 0; k < i; k++)
			cr_assert_neq(c[i].cpu, c[k].cpu, "claims %d and %d share a cpu", k, i);
	}
	/* All taken: worker 1 shares the second usable CPU, holding nothing. */
	sbx_cpu_claim(&c[n], 1);
	cr_expect_eq(c[n].fd, -1);
	int second = -1;
	for (int cpu = 0, seen = 0; cpu < CPU_SETSIZE && second < 0; cpu++)
		if (CPU_ISSET(cpu, &set) && seen++ == 1)
			second = cpu;
	cr_expect_eq(c[n].cpu, second);
	for (int i = 0; i <= n; i++)
		sbx_cpu_release(&c[i]);
	free(c);
}

Test(sbx_cpu, worker_i_tries_the_ith_cpu_first)
{
	need_two_cpus();
	cpu_set_t set;
	allowed_cpus(&set);
	int second = -1;
	for (int cpu = 0, seen = 0; cpu < CPU_SETSIZE && second < 0; cpu++)
		if (CPU_ISSET(cpu, &set) && seen++ == 1)
			second = cpu;
	struct sbx_cpu one, zero;
	sbx_cpu_claim(&one, 1);
	cr_expect_eq(one.cpu, second);
	cr_expect_geq(one.fd, 0);
	/* Worker 0 still finds the first CPU free. */
	sbx_cpu_claim(&zero, 0);
	cr_expect_neq(zero.cpu, second);
	cr_expect_geq(zero.fd, 0);
	sbx_cpu_release(&one);
	sbx_cpu_release(&zero);
}

Test(sbx_cpu, a_released_cpu_is_claimed_again)
{
	need_two_cpus();
	struct sbx_cpu a, b;
	sbx_cpu_claim(&a, 0);
	int first = a.cpu;
	sbx_cpu_release(&a);
	cr_assert_eq(a.fd, -1);
	sbx_cpu_claim(&b, 0);
	cr_expect_eq(b.cpu, first);
	cr_expect_geq(b.fd, 0);
	sbx_cpu_release(&b);
}

Test(sbx_cpu, another_process_takes_another_cpu)
{
	need_two_cpus();
	struct sbx_cpu mine;
	sbx_cpu_claim(&mine, 0);
	cr_assert_geq(mine.fd, 0);
	int p[2];
	cr_assert_eq(pipe(p), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		/* The child inherits the descriptor but not a claim of its own. */
		struct sbx_cpu theirs;
		sbx_cpu_claim(&theirs, 0);
		int got[2] = {theirs.cpu, theirs.fd >= 0};
		_exit(write(p[1], got, sizeof(got)) == sizeof(got) ? 0 : 1);
	}
	int got[2] = {-2, 0}, st;
	cr_assert_eq(read(p[0], got, sizeof(got)), (ssize_t)sizeof(got));
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_expect(got[1], "the other process holds no claim");
	cr_expect_neq(got[0], mine.cpu, "both processes on cpu %d", mine.cpu);
	sbx_cpu_release(&mine);
	close(p[0]);
	close(p[1]);
}

Test(sbx_cpu, one_cpu_pins_nothing)
{
	cpu_set_t set, one;
	allowed_cpus(&set);
	CPU_ZERO(&one);
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &set)) {
			CPU_SET(cpu, &one);
			break;
		}
	cr_assert_eq(sched_setaffinity(0, sizeof(one), &one), 0);
	struct sbx_cpu c;
	sbx_cpu_claim(&c, 0);
	cr_expect_eq(c.cpu, -1);
	cr_expect_eq(c.fd, -1);
	sbx_cpu_release(&c);
}

/* The worker's processes run on the CPU it claimed. */
Test(sbx_cpu, the_worker_runs_on_its_claim, .timeout = 120)
{
	need_two_cpus();
	struct sbx_cpu taken;
	sbx_cpu_claim(&taken, 0);
	struct sandbox *sb;
	struct strbuf err = STRBUF_INIT;
	struct sandbox_opts o = {.index = 5};
	cr_assert_eq(sandbox_new(&sb, &o, &err), 0, "%s", err.buf);
	int cpu = sandbox_cpu(sb);
	cr_expect_neq(cpu, taken.cpu, "the worker took a claimed cpu");
	char path[64], line[256], want[32];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)sandbox_pid(sb));
	snprintf(want, sizeof(want), "%d\n", cpu);
	FILE *f = fopen(path, "re");
	cr_assert(f, "%s", path);
	int found = 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Cpus_allowed_list:", 18)) {
			found = 1;
			const char *v = line + 18;
			while (*v == ' ' || *v == '\t')
				v++;
			cr_expect_str_eq(v, want);
		}
	fclose(f);
	cr_expect(found);
	sandbox_free(sb);
	sbx_cpu_release(&taken);
	strbuf_release(&err);
}
