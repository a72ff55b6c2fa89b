/*
 * Output files named by the user: '-' is stdout, a new path gets its
 * directories, a regular file is replaced atomically, and a symlink, FIFO or
 * character device is written through, never renamed over.  Every special
 * file here is made in a fresh temporary directory; the machine's own
 * /dev/stdout is never touched.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "harness/base/outfile.h"
#include "tests/support/support.h"

static const char TEXT[] = "task,metric,value\nt,avg@1,0.5\n";

static char *slurp_file(const char *path)
{
	size_t len = 0;
	char *s = NULL;
	return read_file(path, 1 << 20, &s, &len) ? NULL : s;
}

static mode_t lmode(const char *path)
{
	struct stat st;
	cr_assert_eq(lstat(path, &st), 0, "lstat %s", path);
	return st.st_mode;
}

/* Drains a FIFO into a buffer, as a reader on the other end of a pipe would. */
struct drain {
	const char *path;
	struct strbuf got;
};

static void *drain_fifo(void *arg)
{
	struct drain *d = arg;
	int fd = open(d->path, O_RDONLY);
	if (fd < 0)
		return NULL;
	char buf[4096];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		strbuf_add(&d->got, buf, (size_t)n);
	close(fd);
	return NULL;
}

Test(outfile, new_path_gets_its_parent_directories)
{
	char *dir = support_tmpdir("outfile-new");
	char *path = xasprintf("%s/a/b/report.csv", dir);
	cr_assert_eq(outfile_write(path, TEXT, strlen(TEXT)), RV_OK);
	char *got = slurp_file(path);
	cr_assert_str_eq(got, TEXT);
	free(got);
	free(path);
	free(dir);
}

Test(outfile, regular_file_is_replaced_whole)
{
	char *dir = support_tmpdir("outfile-reg");
	char *path = xasprintf("%s/r.csv", dir);
	cr_assert_eq(support_write(path, "an older and much longer content than the new one\n"), 0);
	cr_assert_eq(outfile_write(path, TEXT, strlen(TEXT)), RV_OK);
	char *got = slurp_file(path);
	cr_assert_str_eq(got, TEXT);
	cr_expect(S_ISREG(lmode(path)));
	free(got);
	free(path);
	free(dir);
}

Test(outfile, symlink_to_a_file_keeps_the_link_and_updates_the_target)
{
	char *dir = support_tmpdir("outfile-link");
	char *target = xasprintf("%s/target.csv", dir);
	char *link = xasprintf("%s/link.csv", dir);
	cr_assert_eq(support_write(target, "old\n"), 0);
	cr_assert_eq(symlink("target.csv", link), 0);
	cr_assert_eq(outfile_write(link, TEXT, strlen(TEXT)), RV_OK);
	cr_expect(S_ISLNK(lmode(link)), "the link was replaced by a file");
	char *got = slurp_file(target);
	cr_assert_str_eq(got, TEXT);
	free(got);
	free(link);
	free(target);
	free(dir);
}

static void check_fifo(const char *fifo, const char *write_to)
{
	struct drain d = {fifo, STRBUF_INIT};
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, drain_fifo, &d), 0);
	cr_assert_eq(outfile_write(write_to, TEXT, strlen(TEXT)), RV_OK);
	pthread_join(t, NULL);
	cr_expect_str_eq(d.got.buf ? d.got.buf : "", TEXT);
	cr_expect(S_ISFIFO(lmode(fifo)), "the FIFO was replaced");
	strbuf_release(&d.got);
}

Test(outfile, fifo_is_written_in_place, .timeout = 20)
{
	char *dir = support_tmpdir("outfile-fifo");
	char *fifo = xasprintf("%s/pipe", dir);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	check_fifo(fifo, fifo);
	free(fifo);
	free(dir);
}

Test(outfile, symlink_to_a_fifo_is_written_through, .timeout = 20)
{
	char *dir = support_tmpdir("outfile-fifolink");
	char *fifo = xasprintf("%s/pipe", dir);
	char *link = xasprintf("%s/stdout", dir);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	cr_assert_eq(symlink(fifo, link), 0);
	check_fifo(fifo, link);
	cr_expect(S_ISLNK(lmode(link)), "the link was replaced by a file");
	free(link);
	free(fifo);
	free(dir);
}

/* A node with /dev/null's numbers, made in a temporary directory. */
static char *make_null_node(const char *dir)
{
	char *node = xasprintf("%s/null", dir);
	if (mknod(node, S_IFCHR | 0666, makedev(1, 3)) != 0) {
		free(node);
		cr_skip_test("cannot make a character device here (needs CAP_MKNOD)");
	}
	return node;
}

Test(outfile, character_device_and_a_link_to_it_are_written_in_place)
{
	char *dir = support_tmpdir("outfile-chr");
	char *node = make_null_node(dir);
	char *link = xasprintf("%s/out", dir);
	cr_assert_eq(symlink(node, link), 0);
	cr_assert_eq(outfile_write(node, TEXT, strlen(TEXT)), RV_OK);
	cr_assert_eq(outfile_write(link, TEXT, strlen(TEXT)), RV_OK);
	cr_expect(S_ISCHR(lmode(node)), "the device node was replaced");
	cr_expect(S_ISLNK(lmode(link)), "the link was replaced");
	char *tmp = xasprintf("%s.tmp", node);
	cr_expect_neq(access(tmp, F_OK), 0, "a temporary file was left next to the device");
	free(tmp);
	free(link);
	free(node);
	free(dir);
}

Test(outfile, dangling_link_and_directory_are_refused_untouched)
{
	char *dir = support_tmpdir("outfile-refuse");
	char *link = xasprintf("%s/dangling", dir);
	cr_assert_eq(symlink("nowhere/at/all", link), 0);
	cr_expect_eq(outfile_write(link, TEXT, strlen(TEXT)), RV_EIO);
	cr_expect(S_ISLNK(lmode(link)));
	char *sub = xasprintf("%s/sub", dir);
	cr_assert_eq(mkdir(sub, 0755), 0);
	cr_expect_eq(outfile_write(sub, TEXT, strlen(TEXT)), RV_EIO);
	cr_expect(S_ISDIR(lmode(sub)));
	free(sub);
	free(link);
	free(dir);
}
