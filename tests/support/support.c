/* Shared helpers for the suites (no tests of its own); see support.h. */
#include "tests/support/support.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/base/json.h"

extern char **environ;

const char *support_root(void)
{
	const char *r = getenv("REVAL_ROOT");
	return r && *r ? r : ".";
}

char *support_path(const char *rel)
{
	return path_join(support_root(), rel);
}

const char *support_scratch(void)
{
	const char *d = getenv(SUPPORT_TMP_ENV);
	return d && *d ? d : "/tmp";
}

char *support_tmpdir(const char *tag)
{
	char *tmpl = xasprintf("%s/reval-test-%s-XXXXXX", support_scratch(), tag);
	if (!mkdtemp(tmpl))
		die("mkdtemp: %s", strerror(errno));
	return tmpl;
}

static const char *reval_bin(void)
{
	const char *b = getenv("REVAL_BIN");
	return b && *b ? b : "build/reval";
}

static char **make_argv(const char *const *args)
{
	size_t n = 0;
	while (args[n])
		n++;
	char **argv = xcalloc(n + 2, sizeof(char *));
	argv[0] = (char *)reval_bin();
	for (size_t i = 0; i < n; i++)
		argv[i + 1] = (char *)args[i];
	return argv;
}

static void slurp(int fd, struct strbuf *sb)
{
	char buf[65536];
	ssize_t n;
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		strbuf_add(sb, buf, (size_t)n);
}

void support_run(struct proc_result *r, const char *const *argv, char *const *envp)
{
	strbuf_init(&r->out);
	strbuf_init(&r->err);
	char outp[] = "/tmp/reval-out-XXXXXX", errp[] = "/tmp/reval-err-XXXXXX";
	int ofd = mkstemp(outp), efd = mkstemp(errp);
	unlink(outp);
	unlink(errp);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, ofd, 1);
	posix_spawn_file_actions_adddup2(&fa, efd, 2);
	pid_t pid;
	int rc = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, envp ? envp : environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		r->status = -1;
		close(ofd);
		close(efd);
		return;
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	slurp(ofd, &r->out);
	slurp(efd, &r->err);
	close(ofd);
	close(efd);
}

void support_reval(struct proc_result *r, const char *const *args)
{
	char **argv = make_argv(args);
	support_run(r, (const char *const *)argv, NULL);
	free(argv);
}

pid_t support_reval_spawn(const char *const *args)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	char **argv = make_argv(args);
	pid_t pid = -1;
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ))
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	free(argv);
	return pid;
}

void proc_result_release(struct proc_result *r)
{
	strbuf_release(&r->out);
	strbuf_release(&r->err);
}

cJSON *support_json_file(const char *path)
{
	char *text;
	if (read_file(path, 1u << 30, &text, NULL))
		return NULL;
	cJSON *v = cJSON_Parse(text);
	free(text);
	return v;
}

double support_metric(const cJSON *results, const char *task, const char *metric)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(results, "tasks"), task);
	const cJSON *m =
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(t, "metrics"), metric);
	return json_num(m, "value", NAN);
}

long support_count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	long n = 0;
	int c;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

int support_write(const char *path, const char *text)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		mkdir_p(dir);
	}
	free(dir);
	return write_file_atomic(path, text, strlen(text));
}

int support_nonempty_lines(const char *s)
{
	int n = 0;
	for (const char *p = s; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (sv_trim((struct strview){p, len}).len)
			n++;
		p += len + (nl ? 1 : 0);
	}
	return n;
}

int support_count_uid(uid_t uid)
{
	DIR *d = opendir("/proc");
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		char path[300], line[256];
		snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
		FILE *f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			unsigned long r;
			if (sscanf(line, "Uid: %lu", &r) == 1) {
				n += r == (unsigned long)uid;
				break;
			}
		}
		fclose(f);
	}
	if (d)
		closedir(d);
	return n;
}
