/*
 * check_logfile.c - locked appends: creation, tail/head, torn tails,
 * symbolic links, lock waits, rotation while waiting, unwritable places.
 */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "logfile.h"
#include "testutil.h"
#include "util.h"

static char *dir;

static void setup(void)
{
	dir = testutil_mkdtemp();
}

static void teardown(void)
{
	testutil_rmtree(dir);
	free(dir);
}

/* Paths live on the stack: the forked children _exit() without freeing. */
#define PATH_IN(var, rel) \
	char var[PATH_MAX]; \
	snprintf(var, sizeof(var), "%s/%s", dir, rel)

static void slurp(const char *path, struct strbuf *out)
{
	strbuf_reset(out);
	testutil_read(path, out);
}

START_TEST(test_create_append_tail)
{
	PATH_IN(p, "a/b/samples.log");
	char err[UTIL_ERRMAX];
	struct logfile *lf;
	struct strbuf sb = STRBUF_INIT;
	struct stat st;

	ck_assert_msg(!logfile_open(p, 1, &lf, err), "%s", err);
	ck_assert_int_eq(logfile_size(lf), 0);
	ck_assert_int_eq(logfile_tail(lf, 100, &sb, err), 0);
	ck_assert_uint_eq(sb.len, 0);
	ck_assert_int_eq(logfile_append(lf, "one\n", 4, err), 0);
	ck_assert_int_eq(logfile_append(lf, "two\nthree\n", 10, err), 0);
	ck_assert_int_eq(logfile_size(lf), 14);
	ck_assert_int_eq(logfile_tail(lf, 100, &sb, err), 0);
	ck_assert_str_eq(sb.buf, "one\ntwo\nthree\n");
	/* A window that starts mid-line keeps only whole lines. */
	ck_assert_int_eq(logfile_tail(lf, 8, &sb, err), 0);
	ck_assert_str_eq(sb.buf, "three\n");
	ck_assert_int_eq(logfile_tail(lf, 3, &sb, err), 0);
	ck_assert_str_eq(sb.buf, "");
	ck_assert_int_eq(logfile_head(lf, 100, &sb, err), 0);
	ck_assert_str_eq(sb.buf, "one");
	logfile_close(lf);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0644);
	slurp(p, &sb);
	ck_assert_str_eq(sb.buf, "one\ntwo\nthree\n");
	strbuf_release(&sb);
}
END_TEST

START_TEST(test_torn_tail_is_ended)
{
	PATH_IN(p, "samples.log");
	char err[UTIL_ERRMAX];
	struct logfile *lf;
	struct strbuf sb = STRBUF_INIT;

	/* A writer cut short (ENOSPC) left half a line. */
	testutil_write(p, "good 1\ngood 2\nhalf a li", 23);
	ck_assert_int_eq(logfile_open(p, 1, &lf, err), 0);
	ck_assert_int_eq(logfile_tail(lf, 1000, &sb, err), 0);
	ck_assert_str_eq(sb.buf, "good 1\ngood 2\n");
	ck_assert_int_eq(logfile_append(lf, "good 3\n", 7, err), 0);
	logfile_close(lf);
	slurp(p, &sb);
	ck_assert_str_eq(sb.buf, "good 1\ngood 2\nhalf a li\ngood 3\n");
	strbuf_release(&sb);
}
END_TEST

/* A link in a directory others can write (here world-writable, sticky,
 * like /tmp) is refused, whoever owns it. */
START_TEST(test_symlink_refused)
{
	PATH_IN(sub, "pub");
	PATH_IN(p, "pub/samples.log");
	PATH_IN(target, "elsewhere");
	char err[UTIL_ERRMAX];
	struct logfile *lf;
	struct stat st;

	ck_assert_int_eq(mkdir(sub, 0755), 0);
	ck_assert_int_eq(chmod(sub, 01777), 0);
	testutil_write(target, "", 0);
	ck_assert_int_eq(symlink(target, p), 0);
	ck_assert_int_eq(logfile_open(p, 1, &lf, err), -1);
	ck_assert_msg(strstr(err, "symbolic link") && strstr(err, p) &&
		      strstr(err, "can be written by others"), "%s", err);
	ck_assert_int_eq(stat(target, &st), 0);
	ck_assert_int_eq(st.st_size, 0);
	/* Group-writable is not enough either. */
	ck_assert_int_eq(chmod(sub, 0775), 0);
	ck_assert_int_eq(logfile_open(p, 1, &lf, err), -1);
	ck_assert_int_eq(stat(target, &st), 0);
	ck_assert_int_eq(st.st_size, 0);
}
END_TEST

/* In a directory only its owner (we) can write, the admin's link is
 * followed, through a relative hop too; the link stays a link. */
START_TEST(test_symlink_trusted_followed)
{
	PATH_IN(p, "samples.log");
	PATH_IN(mid, "mid.log");
	PATH_IN(target, "real/samples.log");
	PATH_IN(realdir, "real");
	char err[UTIL_ERRMAX];
	struct logfile *lf;
	struct strbuf sb = STRBUF_INIT;
	struct stat st;

	ck_assert_int_eq(chmod(dir, 0755), 0);
	ck_assert_int_eq(mkdir(realdir, 0755), 0);
	ck_assert_int_eq(symlink("mid.log", p), 0);
	ck_assert_int_eq(symlink("real/samples.log", mid), 0);
	ck_assert_msg(!logfile_open(p, 1, &lf, err), "%s", err);
	ck_assert_int_eq(logfile_append(lf, "one\n", 4, err), 0);
	logfile_close(lf);
	ck_assert_msg(!logfile_open(p, 1, &lf, err), "%s", err);
	ck_assert_int_eq(logfile_size(lf), 4);
	ck_assert_int_eq(logfile_append(lf, "two\n", 4, err), 0);
	logfile_close(lf);
	slurp(target, &sb);
	ck_assert_str_eq(sb.buf, "one\ntwo\n");
	ck_assert_int_eq(lstat(p, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	/* A loop is an error, not a hang. */
	ck_assert_int_eq(unlink(mid), 0);
	ck_assert_int_eq(symlink("samples.log", mid), 0);
	ck_assert_int_eq(logfile_open(p, 1, &lf, err), -1);
	ck_assert_msg(strstr(err, "symbolic links"), "%s", err);
	strbuf_release(&sb);
}
END_TEST

START_TEST(test_not_a_directory)
{
	PATH_IN(file, "file");
	PATH_IN(p, "file/sub/samples.log");
	char err[UTIL_ERRMAX];
	struct logfile *lf;

	testutil_write(file, "x", 1);
	ck_assert_int_eq(logfile_open(p, 1, &lf, err), -1);
	ck_assert_msg(strstr(err, "Not a directory") || strstr(err, "not a directory"),
		      "%s", err);
}
END_TEST

START_TEST(test_unwritable_directory)
{
	PATH_IN(sub, "ro");
	PATH_IN(p, "ro/samples.log");
	PATH_IN(p2, "ro/new/samples.log");
	int status;
	pid_t pid;

	ck_assert_int_eq(mkdir(sub, 0755), 0);
	ck_assert_int_eq(chmod(dir, 0755), 0);
	/* As nobody, in a child: root could write anywhere. */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char err[UTIL_ERRMAX];
		struct logfile *lf;
		int bad = 0;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		if (logfile_open(p, 1, &lf, err) != -1 ||
		    !strstr(err, "Permission denied") || !strstr(err, p))
			bad |= 1;
		if (logfile_open(p2, 1, &lf, err) != -1 ||
		    !strstr(err, "cannot create directory"))
			bad |= 2;
		_exit(bad);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "child status %d", status);
}
END_TEST

START_TEST(test_lock_wait_and_timeout)
{
	PATH_IN(p, "samples.log");
	char err[UTIL_ERRMAX];
	struct logfile *lf;
	int fds[2];
	char c;
	pid_t pid;

	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct logfile *held;

		if (logfile_open(p, 1, &held, err))
			_exit(1);
		if (write(fds[1], "L", 1) != 1)
			_exit(2);
		pause(); /* holds the lock until killed */
		_exit(0);
	}
	ck_assert_int_eq(read(fds[0], &c, 1), 1);
	ck_assert_int_eq(logfile_open(p, 0.05, &lf, err), -1);
	ck_assert_msg(strstr(err, "another writer"), "%s", err);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* A killed holder leaves no lock behind. */
	ck_assert_msg(!logfile_open(p, 0.05, &lf, err), "%s", err);
	logfile_close(lf);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

START_TEST(test_rotated_while_waiting)
{
	PATH_IN(p, "samples.log");
	PATH_IN(rotated, "samples.log.1");
	char err[UTIL_ERRMAX];
	struct logfile *lf;
	struct strbuf sb = STRBUF_INIT;
	int fds[2];
	char c;
	pid_t pid;

	testutil_write(p, "old\n", 4);
	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct logfile *held;

		if (logfile_open(p, 1, &held, err))
			_exit(1);
		if (write(fds[1], "L", 1) != 1)
			_exit(2);
		usleep(200000);
		/* logrotate's "create": rename, then the new file. */
		if (rename(p, rotated))
			_exit(3);
		close(open(p, O_CREAT | O_WRONLY, 0644));
		logfile_close(held);
		_exit(0);
	}
	ck_assert_int_eq(read(fds[0], &c, 1), 1);
	ck_assert_msg(!logfile_open(p, 5, &lf, err), "%s", err);
	ck_assert_int_eq(logfile_size(lf), 0);
	ck_assert_int_eq(logfile_append(lf, "new\n", 4, err), 0);
	logfile_close(lf);
	waitpid(pid, NULL, 0);
	slurp(p, &sb);
	ck_assert_str_eq(sb.buf, "new\n");
	slurp(rotated, &sb);
	ck_assert_str_eq(sb.buf, "old\n");
	strbuf_release(&sb);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

Suite *logfile_suite(void)
{
	Suite *s = suite_create("logfile");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_create_append_tail);
	tcase_add_test(tc, test_torn_tail_is_ended);
	tcase_add_test(tc, test_symlink_refused);
	tcase_add_test(tc, test_symlink_trusted_followed);
	tcase_add_test(tc, test_not_a_directory);
	tcase_add_test(tc, test_unwritable_directory);
	tcase_add_test(tc, test_lock_wait_and_timeout);
	tcase_add_test(tc, test_rotated_while_waiting);
	suite_add_tcase(s, tc);
	return s;
}
