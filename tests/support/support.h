/*
 * support: what the Criterion suites share — running the reval binary as a
 * user would, scratch directories, and reading the files a run writes.
 * Paths come from the environment `make test` sets (REVAL_BIN, REVAL_ROOT).
 */
#ifndef REVAL_TEST_SUPPORT_H
#define REVAL_TEST_SUPPORT_H

#include <cjson/cJSON.h>
#include <sys/types.h>

#include "harness/base/util.h"

struct proc_result {
	int status;        /* exit code, or 128 + signal */
	struct strbuf out; /* stdout */
	struct strbuf err; /* stderr */
};

/* The repository root and a path inside it (caller frees). */
const char *support_root(void);
char *support_path(const char *rel);

/* The environment variable naming the run's scratch directory (scratch.c). */
#define SUPPORT_TMP_ENV "REVAL_TEST_TMP"

/* The run's scratch directory (see scratch.c), or /tmp outside a test run. */
const char *support_scratch(void);

/* A fresh directory in the run's scratch directory; caller frees the name.
 * It stays until the run ends, and after it if a test failed. */
char *support_tmpdir(const char *tag);

/* Run argv[0] (a path) with argv and envp (NULL: this environment), wait,
 * and keep what it printed. */
void support_run(struct proc_result *r, const char *const *argv, char *const *envp);
/* Run build/reval with argv (NULL-terminated, without argv[0]) and wait. */
void support_reval(struct proc_result *r, const char *const *args);
/* Start build/reval without waiting; stdout and stderr go to /dev/null. */
pid_t support_reval_spawn(const char *const *args);
void proc_result_release(struct proc_result *r);

/* Parse a JSON file; NULL on failure. */
cJSON *support_json_file(const char *path);
/* A metric's value from results.json, NAN when absent. */
double support_metric(const cJSON *results, const char *task, const char *metric);

/* Number of lines in a file, -1 when unreadable. */
long support_count_lines(const char *path);

/* Write text to a file, creating directories; returns 0 on success. */
int support_write(const char *path, const char *text);

/* Lines of stderr that are not empty. */
int support_nonempty_lines(const char *s);

/* Processes of the host whose real uid is uid (leftovers of a sandbox run). */
int support_count_uid(uid_t uid);

#endif
