/*
 * check_sysroot.c - path resolution inside a root, reads, listings.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sysroot.h"
#include "testutil.h"
#include "util.h"

static char *root;

static void setup(void)
{
	char p[512];

	root = testutil_mkdtemp();
	snprintf(p, sizeof(p), "%s/etc/real.conf", root);
	testutil_write(p, "inside\n", 7);
	snprintf(p, sizeof(p), "%s/boot/grub/grub.conf", root);
	testutil_write(p, "default=0\n", 10);
	snprintf(p, sizeof(p), "%s/etc/abs-link", root);
	ck_assert_int_eq(symlink("/etc/real.conf", p), 0);
	snprintf(p, sizeof(p), "%s/etc/grub.conf", root);
	ck_assert_int_eq(symlink("../boot/grub/grub.conf", p), 0);
	snprintf(p, sizeof(p), "%s/etc/escape", root);
	ck_assert_int_eq(symlink("../../../../../../etc/hostname", p), 0);
	snprintf(p, sizeof(p), "%s/etc/loop1", root);
	ck_assert_int_eq(symlink("loop2", p), 0);
	snprintf(p, sizeof(p), "%s/etc/loop2", root);
	ck_assert_int_eq(symlink("loop1", p), 0);
	snprintf(p, sizeof(p), "%s/lib", root);
	ck_assert_int_eq(symlink("/etc", p), 0);
	for (int i = 3; i >= 1; i--) {
		snprintf(p, sizeof(p), "%s/var/log/messages.%d", root, i);
		testutil_write(p, "x\n", 2);
	}
	snprintf(p, sizeof(p), "%s/var/log/messages", root);
	testutil_write(p, "x\n", 2);
	ck_assert_int_eq(sysroot_set(root, NULL), 0);
}

static void teardown(void)
{
	sysroot_set(NULL, NULL);
	testutil_rmtree(root);
	free(root);
}

START_TEST(test_links_stay_inside)
{
	struct strbuf sb = STRBUF_INIT;
	char err[UTIL_ERRMAX];

	ck_assert(!sysroot_is_live());
	ck_assert_int_eq(sysroot_read("/etc/abs-link", 100, &sb, err), 0);
	ck_assert_str_eq(sb.buf, "inside\n");
	/* A relative link through a directory link. */
	ck_assert_int_eq(sysroot_read("/lib/grub.conf", 100, &sb, err), 0);
	ck_assert_str_eq(sb.buf, "default=0\n");
	ck_assert_int_eq(sysroot_realpath("/etc/grub.conf", &sb, err), 0);
	ck_assert_str_eq(sb.buf, "/boot/grub/grub.conf");
	ck_assert_int_eq(sysroot_realpath("/lib/abs-link", &sb, err), 0);
	ck_assert_str_eq(sb.buf, "/etc/real.conf");
	/* ".." stops at the root: this names <root>/etc/hostname, absent. */
	ck_assert_int_eq(sysroot_read("/etc/escape", 100, &sb, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "'/etc/escape'"));
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
	ck_assert_int_eq(sysroot_realpath("/etc/escape", &sb, err), 0);
	ck_assert_str_eq(sb.buf, "/etc/hostname");
	ck_assert_int_eq(sysroot_read("/etc/loop1", 100, &sb, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "Too many levels"));
	strbuf_release(&sb);
}
END_TEST

START_TEST(test_reads)
{
	struct strbuf sb = STRBUF_INIT;
	char err[UTIL_ERRMAX];
	struct stat st;

	ck_assert_int_eq(sysroot_read("/boot/grub/grub.conf", 5, &sb, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "too large"));
	ck_assert_int_eq(sysroot_read("/etc", 100, &sb, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "Is a directory"));
	ck_assert_int_eq(sysroot_read_line("/etc/real.conf", &sb, err), 0);
	ck_assert_str_eq(sb.buf, "inside");
	ck_assert(sysroot_exists("/etc/grub.conf"));
	ck_assert(!sysroot_exists("/etc/nothing"));
	ck_assert_int_eq(sysroot_lstat("/etc/grub.conf", &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_int_eq(sysroot_stat("/etc/grub.conf", &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(sysroot_readlink("/etc/grub.conf", &sb, err), 0);
	ck_assert_str_eq(sb.buf, "../boot/grub/grub.conf");
	ck_assert_int_eq(sysroot_path("/etc/real.conf", &sb, err), 0);
	ck_assert(util_startswith(sb.buf, root));
	strbuf_release(&sb);
}
END_TEST

static int collect(const char *abs, void *arg)
{
	struct strbuf *sb = arg;

	strbuf_addf(sb, "%s;", abs);
	return 0;
}

START_TEST(test_list)
{
	struct strbuf sb = STRBUF_INIT;
	char err[UTIL_ERRMAX];

	ck_assert_int_eq(sysroot_list("/var/log", "messages*", collect, &sb, err), 4);
	ck_assert_str_eq(sb.buf, "/var/log/messages;/var/log/messages.1;"
			 "/var/log/messages.2;/var/log/messages.3;");
	ck_assert_int_eq(sysroot_list("/nope", "*", collect, &sb, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "'/nope'"));
	strbuf_release(&sb);
}
END_TEST

START_TEST(test_set)
{
	char err[UTIL_ERRMAX];

	ck_assert_int_eq(sysroot_set("/nonexistent-hvclock", err), -1);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent-hvclock"));
	ck_assert_int_eq(sysroot_set("/etc/hostname", err), -1);
	ck_assert_ptr_nonnull(strstr(err, "Not a directory"));
	ck_assert_int_eq(sysroot_set("/", err), 0);
	ck_assert(sysroot_is_live());
	ck_assert_str_eq(sysroot_dir(), "");
}
END_TEST

Suite *sysroot_suite(void)
{
	Suite *s = suite_create("sysroot");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_links_stay_inside);
	tcase_add_test(tc, test_reads);
	tcase_add_test(tc, test_list);
	tcase_add_test(tc, test_set);
	suite_add_tcase(s, tc);
	return s;
}
