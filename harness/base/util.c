#include "harness/base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

char strbuf_empty[1];

static NORETURN void oom(size_t n)
{
	fprintf(stderr, "reval: out of memory allocating %zu bytes\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		oom(count * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("bad format string '%s'", fmt);
	strbuf_grow(&sb, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(sb.buf, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb.len = (size_t)n;
	return strbuf_detach(&sb);
}

void grow_array(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return;
	size_t n = *cap ? *cap : 8;
	while (n < need)
		n *= 2;
	*arr = xrealloc(*arr, n * elem);
	*cap = n;
}

void vdiag(const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n > 0) {
		strbuf_grow(&sb, (size_t)n);
		vsnprintf(sb.buf, (size_t)n + 1, fmt, ap);
		sb.len = (size_t)n;
	}
	/* One write, so lines from concurrent processes do not interleave. */
	fprintf(stderr, "reval: %s\n", sb.buf);
	strbuf_release(&sb);
}

void diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(fmt, ap);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(fmt, ap);
	va_end(ap);
	exit(1);
}

/* ---- strbuf ---- */

void strbuf_init(struct strbuf *sb)
{
	sb->buf = strbuf_empty;
	sb->len = 0;
	sb->cap = 0;
}

void strbuf_release(struct strbuf *sb)
{
	if (sb->cap)
		free(sb->buf);
	strbuf_init(sb);
}

char *strbuf_detach(struct strbuf *sb)
{
	char *p = sb->cap ? sb->buf : xstrdup("");
	strbuf_init(sb);
	return p;
}

void strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;
	if (need <= sb->cap)
		return;
	size_t n = sb->cap ? sb->cap : 64;
	while (n < need)
		n *= 2;
	if (sb->cap) {
		sb->buf = xrealloc(sb->buf, n);
	} else {
		sb->buf = xmalloc(n);
		sb->buf[0] = '\0';
	}
	sb->cap = n;
}

void strbuf_add(struct strbuf *sb, const void *p, size_t n)
{
	strbuf_grow(sb, n);
	memcpy(sb->buf + sb->len, p, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void strbuf_adds(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_addch(struct strbuf *sb, char c)
{
	strbuf_add(sb, &c, 1);
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	strbuf_grow(sb, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->cap)
		sb->buf[0] = '\0';
}

void strbuf_trim(struct strbuf *sb)
{
	struct strview v = sv_trim((struct strview){sb->buf, sb->len});
	if (!sb->cap)
		return;
	memmove(sb->buf, v.ptr, v.len);
	sb->len = v.len;
	sb->buf[sb->len] = '\0';
}

/* ---- strview ---- */

struct strview sv_from(const char *s)
{
	return (struct strview){s, s ? strlen(s) : 0};
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

struct strview sv_trim(struct strview v)
{
	while (v.len && is_space(v.ptr[0])) {
		v.ptr++;
		v.len--;
	}
	while (v.len && is_space(v.ptr[v.len - 1]))
		v.len--;
	return v;
}

int sv_eq(struct strview v, const char *s)
{
	size_t n = strlen(s);
	return v.len == n && memcmp(v.ptr, s, n) == 0;
}

char *sv_dup(struct strview v)
{
	return xstrndup(v.ptr, v.len);
}

/* ---- files ---- */

int read_file(const char *path, size_t cap, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	struct strbuf sb = STRBUF_INIT;
	int err = 0;
	for (;;) {
		strbuf_grow(&sb, 65536);
		ssize_t n = read(fd, sb.buf + sb.len, sb.cap - sb.len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		if (n == 0)
			break;
		sb.len += (size_t)n;
		sb.buf[sb.len] = '\0';
		if (sb.len > cap) {
			err = ERANGE;
			break;
		}
	}
	close(fd);
	if (err) {
		strbuf_release(&sb);
		return err;
	}
	if (len)
		*len = sb.len;
	*out = strbuf_detach(&sb);
	return 0;
}

int read_text_file(const char *path, size_t cap, char **out, size_t *len, char *why,
		   size_t whylen)
{
	size_t n;
	int e = read_file(path, cap, out, &n);
	const char *nul = e ? NULL : memchr(*out, '\0', n);
	if (nul) {
		size_t line = 1;
		for (const char *p = *out; p < nul; p++)
			line += *p == '\n';
		free(*out);
		*out = NULL;
		snprintf(why, whylen, "line %zu holds a NUL byte (not a text file)", line);
		return EILSEQ;
	}
	if (e == ERANGE)
		snprintf(why, whylen, "larger than the %zu MiB this kind of file may have", cap >> 20);
	else if (e)
		snprintf(why, whylen, "%s", strerror(e));
	else if (len)
		*len = n;
	return e;
}

void lines_init(struct lines *it, char *text, size_t len)
{
	it->p = text;
	it->end = text + len;
	it->no = 0;
}

int lines_next(struct lines *it, struct strview *line)
{
	if (it->p >= it->end)
		return 0;
	char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
	if (nl)
		*nl = '\0';
	*line = (struct strview){it->p, (size_t)((nl ? nl : it->end) - it->p)};
	it->p = nl ? nl + 1 : it->end;
	it->no++;
	return 1;
}

int write_full(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int write_file_atomic(const char *path, const void *data, size_t len)
{
	/* A name of its own, so two writers of one file never share a temporary. */
	char *tmp = xasprintf("%s.tmp.XXXXXX", path);
	int err = 0;
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		goto out;
	}
	if (fchmod(fd, 0644) < 0)
		err = errno;
	if (!err)
		err = write_full(fd, data, len);
	if (!err && fsync(fd) < 0)
		err = errno;
	if (close(fd) < 0 && !err)
		err = errno;
	if (!err && rename(tmp, path) < 0)
		err = errno;
	if (err)
		unlink(tmp);
out:
	free(tmp);
	return err;
}

int mkdir_p(const char *path)
{
	char *p = xstrdup(path);
	int err = 0;
	for (char *s = p + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, 0755) < 0 && errno != EEXIST) {
				err = errno;
				break;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	return err;
}

/* ---- numbers, clocks, hashing ---- */

int parse_long(const char *s, long *out)
{
	if (!s || !*s)
		return EINVAL;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno)
		return errno;
	if (*end)
		return EINVAL;
	*out = v;
	return 0;
}

int parse_double(const char *s, double *out)
{
	if (!s || !*s)
		return EINVAL;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno)
		return errno;
	if (*end || !isfinite(v))
		return EINVAL;
	*out = v;
	return 0;
}

double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void utc_timestamp(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

uint64_t hash64(const void *data, size_t len, uint64_t seed)
{
	/* FNV-1a over the bytes, then one splitmix round to spread the bits. */
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ULL ^ mix64(seed);
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return mix64(h);
}

const char *path_base(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	if (n && dir[n - 1] == '/')
		return xasprintf("%s%s", dir, name);
	return xasprintf("%s/%s", dir, name);
}

char *url_redact(const char *url)
{
	const char *scheme = strstr(url, "://");
	const char *host = scheme ? scheme + 3 : url;
	const char *at = strchr(host, '@');
	const char *slash = strchr(host, '/');
	if (!at || (slash && at > slash))
		return xstrdup(url);
	return xasprintf("%.*s%s", (int)(host - url), url, at + 1);
}
