/*
 * util: the few primitives every module leans on.
 *
 * Allocation never fails from the caller's point of view: xmalloc and
 * friends print one message and abort the process when memory runs out, so
 * the rest of the code does not check for NULL.  strbuf is a growable,
 * always NUL-terminated byte buffer owned by whoever embeds it
 * (strbuf_release frees it, strbuf_detach hands the bytes to the caller).
 * strview is a borrowed (ptr, len) slice that owns nothing.
 */
#ifndef REVAL_UTIL_H
#define REVAL_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define NORETURN __attribute__((noreturn))
#else
#define PRINTF_LIKE(f, a)
#define NORETURN
#endif

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* Exactly n bytes of s (which must hold them; unlike strndup, a NUL does not stop it) and a NUL. */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* Grow *arr (element size elem) so that it holds at least need elements. */
void grow_array(void **arr, size_t *cap, size_t need, size_t elem);
#define GROW(arr, cap, need) grow_array((void **)&(arr), &(cap), (need), sizeof(*(arr)))

/* One diagnostic line on stderr: "reval: <message>\n". */
void diag(const char *fmt, ...) PRINTF_LIKE(1, 2);
void vdiag(const char *fmt, va_list ap);
NORETURN void die(const char *fmt, ...) PRINTF_LIKE(1, 2);

struct strbuf {
	char *buf;  /* always NUL-terminated; never NULL after init */
	size_t len; /* bytes used, not counting the NUL */
	size_t cap; /* bytes allocated; 0 while buf points at the shared empty string */
};

#define STRBUF_INIT {strbuf_empty, 0, 0}
extern char strbuf_empty[];

void strbuf_init(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);
char *strbuf_detach(struct strbuf *sb); /* caller frees; sb is left empty */
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *p, size_t n);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) PRINTF_LIKE(2, 3);
void strbuf_reset(struct strbuf *sb);
void strbuf_trim(struct strbuf *sb);

struct strview {
	const char *ptr; /* not NUL-terminated in general */
	size_t len;
};

struct strview sv_from(const char *s);
struct strview sv_trim(struct strview v);
int sv_eq(struct strview v, const char *s);
char *sv_dup(struct strview v);

/*
 * Read a whole file into *out (NUL-terminated, caller frees).  Files larger
 * than cap bytes are refused with ERANGE rather than truncated.  Returns 0 or
 * an errno value.
 */
int read_file(const char *path, size_t cap, char **out, size_t *len);
/*
 * read_file for text (datasets, task files, case files): a NUL byte, which
 * no text file holds and which would silently end every C string made from
 * the text, is refused with EILSEQ.  On an error, why (whylen bytes) says
 * what went wrong for a diagnostic: the NUL byte's line, the cap the file
 * went over, or strerror.
 */
int read_text_file(const char *path, size_t cap, char **out, size_t *len, char *why,
		   size_t whylen);

/*
 * The lines of a text in memory (NUL-terminated at len, as read_file leaves
 * it), one at a time, numbered from 1: lines_next sets *line to the next
 * one, NUL-terminated in place (its '\n' becomes NUL), and returns 1, or 0
 * after the last.  A final line without '\n' counts; an empty text has no
 * lines.
 */
struct lines {
	char *p, *end;
	size_t no; /* the number of the line lines_next returned last */
};
void lines_init(struct lines *it, char *text, size_t len);
int lines_next(struct lines *it, struct strview *line);

/*
 * Write data to path atomically: path.tmp is written, flushed, fsynced and
 * renamed over path.  Returns 0 or an errno value.
 */
int write_file_atomic(const char *path, const void *data, size_t len);
/* Write all len bytes to fd despite short writes and signals: 0, or an errno. */
int write_full(int fd, const void *data, size_t len);

/* mkdir -p; returns 0 or an errno value. */
int mkdir_p(const char *path);

/* Strict number parsing: the whole string must be the number. */
int parse_long(const char *s, long *out);
int parse_double(const char *s, double *out);

/* Monotonic clock in milliseconds, and wall clock as an RFC 3339 UTC string. */
double now_ms(void);
void utc_timestamp(char out[32]);

/* splitmix64: the seed mixer behind per-sample seeds. */
uint64_t mix64(uint64_t x);
uint64_t hash64(const void *data, size_t len, uint64_t seed);

/* "a/b/c" -> pointer to "c". */
const char *path_base(const char *path);
/* Join a directory and a name with one '/'; caller frees. */
char *path_join(const char *dir, const char *name);
/* A URL without its user:password@; caller frees. */
char *url_redact(const char *url);

#endif
