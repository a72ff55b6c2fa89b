/*
 * journal: samples.jsonl, the run's source of truth.
 *
 * One complete JSON line per finished sample, appended with a single
 * write(2) on an O_APPEND descriptor, so a process killed at any instant
 * leaves every earlier line intact and at most one torn line at the end.  A
 * torn line is one without its final newline: journal_open cuts it off
 * before appending, and journal_read never hands it out as data.  Lines are
 * flushed to disk (fdatasync) at most every sync_ms and at close.
 */
#ifndef REVAL_JOURNAL_H
#define REVAL_JOURNAL_H

#include <cjson/cJSON.h>

#include "harness/base/err.h"
#include "harness/base/util.h"

#define JOURNAL_MAX_LINE (64u << 20) /* a longer line is refused, never truncated */

struct journal {
	int fd;          /* O_APPEND, or -1 */
	char *path;
	double last_sync; /* now_ms() of the last fdatasync */
	double sync_ms;   /* interval between fdatasyncs */
	long appended;    /* lines written through this handle */
	int failed;       /* errno of a write that failed (a full disk), said once; 0: none */
};

/* Open (creating) for appending; a torn last line is cut off and *torn set. */
enum reval_err journal_open(struct journal *j, const char *path, int *torn);
/*
 * Append one line; line must not contain a newline, one is added.  After a
 * write fails (said once, naming the journal) every later append and the
 * close fail quietly with RV_EIO: the lines before it stay whole, a part
 * line it may have left is torn and cut off by the next journal_open.
 */
enum reval_err journal_append(struct journal *j, const char *line, size_t len);
enum reval_err journal_close(struct journal *j);

/*
 * Call fn for every complete line, in file order, with the parsed object
 * (borrowed: fn must not keep it) and its 1-based line number.  A missing
 * file is an empty journal.  A torn last line is skipped and counted in
 * *torn; a malformed complete line (a NUL byte in it, too) is an error
 * naming the line.  fn returns non-zero to stop with that error.
 */
typedef enum reval_err (*journal_fn)(void *ud, const cJSON *obj, long line);
enum reval_err journal_read(const char *path, journal_fn fn, void *ud, long *torn);

#endif
