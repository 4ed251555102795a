/*
 * check_atomicfile.c - atomic replacement: modes, xattrs, symlinks, hard
 * links, backups, failures leaving the original alone.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "atomicfile.h"
#include "testutil.h"
#include "util.h"

static char *dir;
static char path[512];

static void setup(void)
{
	dir = testutil_mkdtemp();
	snprintf(path, sizeof(path), "%s/grub.conf", dir);
	testutil_write(path, "old\n", 4);
}

static void teardown(void)
{
	testutil_rmtree(dir);
	free(dir);
}

static void expect(const char *p, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	testutil_read(p, &sb);
	ck_assert_str_eq(sb.buf, want);
	strbuf_release(&sb);
}

START_TEST(test_replace_keeps_mode_and_xattrs)
{
	char err[UTIL_ERRMAX], val[16];
	struct stat st;
	ssize_t n;

	ck_assert_int_eq(chmod(path, 0600), 0);
	ck_assert_int_eq(setxattr(path, "user.hvclock", "label", 5, 0), 0);
	ck_assert_int_eq(atomicfile_replace(path, "new\n", 4, NULL, NULL, NULL, err), 0);
	expect(path, "new\n");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	n = getxattr(path, "user.hvclock", val, sizeof(val));
	ck_assert_int_eq(n, 5);
	ck_assert(!memcmp(val, "label", 5));
}
END_TEST

START_TEST(test_new_file)
{
	struct atomicfile_opts o = { .mode_if_new = 0640 };
	char err[UTIL_ERRMAX], p[600];
	struct stat st;

	snprintf(p, sizeof(p), "%s/new.prom", dir);
	ck_assert_int_eq(atomicfile_replace(p, "x 1\n", 4, &o, NULL, NULL, err), 0);
	expect(p, "x 1\n");
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0640);
}
END_TEST

START_TEST(test_symlink_stays_link)
{
	struct strbuf written = STRBUF_INIT;
	struct atomicfile_opts nofollow = { .no_follow = true };
	char err[UTIL_ERRMAX], link[600], buf[600];
	struct stat st;
	ssize_t n;

	snprintf(link, sizeof(link), "%s/menu.lst", dir);
	ck_assert_int_eq(symlink("grub.conf", link), 0);
	ck_assert_int_eq(atomicfile_replace(link, "via link\n", 9, NULL, &written,
					    NULL, err), 0);
	ck_assert_int_eq(lstat(link, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	n = readlink(link, buf, sizeof(buf) - 1);
	ck_assert_int_eq(n, 9);
	expect(path, "via link\n");
	ck_assert_str_eq(written.buf, path);
	ck_assert_int_eq(atomicfile_replace(link, "x", 1, &nofollow, NULL, NULL, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "symbolic link"));
	expect(path, "via link\n");
	strbuf_release(&written);
}
END_TEST

START_TEST(test_hardlinks)
{
	struct atomicfile_opts inplace = { .in_place = true };
	char err[UTIL_ERRMAX], other[600];
	struct stat st;

	snprintf(other, sizeof(other), "%s/other-name", dir);
	ck_assert_int_eq(link(path, other), 0);
	ck_assert(atomicfile_is_hardlinked(path));
	ck_assert_int_eq(atomicfile_replace(path, "new\n", 4, NULL, NULL, NULL, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "hard links"));
	ck_assert_ptr_nonnull(strstr(err, path));
	expect(path, "old\n");
	ck_assert_int_eq(atomicfile_replace(path, "longer new\n", 11, &inplace, NULL,
					    NULL, err), 0);
	expect(other, "longer new\n");
	ck_assert_int_eq(atomicfile_replace(path, "s\n", 2, &inplace, NULL, NULL, err), 0);
	expect(other, "s\n");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_nlink, 2);
}
END_TEST

START_TEST(test_backups_never_overwritten)
{
	struct atomicfile_opts o = { .backup_suffix = ".hvclock-20260101T000000" };
	struct strbuf bk = STRBUF_INIT;
	char err[UTIL_ERRMAX], want[600];

	ck_assert_int_eq(atomicfile_replace(path, "v2\n", 3, &o, NULL, &bk, err), 0);
	snprintf(want, sizeof(want), "%s.hvclock-20260101T000000", path);
	ck_assert_str_eq(bk.buf, want);
	expect(want, "old\n");
	ck_assert_int_eq(atomicfile_replace(path, "v3\n", 3, &o, NULL, &bk, err), 0);
	ck_assert_str_eq(bk.buf, strcat(want, ".1"));
	expect(want, "v2\n");
	expect(path, "v3\n");
	strbuf_release(&bk);
}
END_TEST

START_TEST(test_failures_leave_original)
{
	char err[UTIL_ERRMAX], p[600], stale[600];
	struct stat st;

	snprintf(p, sizeof(p), "%s/missing-dir/file", dir);
	ck_assert_int_eq(atomicfile_replace(p, "x", 1, NULL, NULL, NULL, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "missing-dir"));
	snprintf(p, sizeof(p), "%s/sub", dir);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	ck_assert_int_eq(atomicfile_replace(p, "x", 1, NULL, NULL, NULL, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
	/* A temporary file left by a killed writer is cleaned up. */
	snprintf(stale, sizeof(stale), "%s/.grub.conf.hvclock-tmp-AbC123", dir);
	testutil_write(stale, "partial", 7);
	ck_assert_int_eq(atomicfile_replace(path, "new\n", 4, NULL, NULL, NULL, err), 0);
	ck_assert_int_eq(stat(stale, &st), -1);
	ck_assert_int_eq(errno, ENOENT);
	expect(path, "new\n");
}
END_TEST

Suite *atomicfile_suite(void)
{
	Suite *s = suite_create("atomicfile");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_replace_keeps_mode_and_xattrs);
	tcase_add_test(tc, test_new_file);
	tcase_add_test(tc, test_symlink_stays_link);
	tcase_add_test(tc, test_hardlinks);
	tcase_add_test(tc, test_backups_never_overwritten);
	tcase_add_test(tc, test_failures_leave_original);
	suite_add_tcase(s, tc);
	return s;
}
