/*
 * check_remedy.c - the boot-argument profiles and their per-kernel ranges.
 */
#include <check.h>
#include <string.h>

#include "kver.h"
#include "remedy.h"
#include "util.h"

static bool applies(const char *id, const char *release, const char *arch)
{
	const struct remedy *r = remedy_find(id);
	struct kver k;
	char err[UTIL_ERRMAX];

	ck_assert_msg(r != NULL, "no remedy '%s'", id);
	ck_assert_msg(!kver_parse(release, &k, err), "%s", err);
	return remedy_applies_to_kernel(r, &k, arch);
}

START_TEST(test_table_is_sound)
{
	size_t n;
	const struct remedy *t = remedy_table(&n);

	ck_assert_uint_ge(n, 10);
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(t[i].id && *t[i].id, "row %zu has no id", i);
		ck_assert_msg(t[i].summary && t[i].source, "%s: summary/source", t[i].id);
		ck_assert_ptr_eq(remedy_find(t[i].id), &t[i]);
		for (size_t j = i + 1; j < n; j++)
			ck_assert_msg(strcmp(t[i].id, t[j].id), "duplicate id %s", t[i].id);
		/* Every divider= row warns about BZ 698842 and names a variant
		 * without it that exists and covers the same kernels. */
		if (remedy_list_has(t[i].add_args, "divider")) {
			const struct remedy *v = remedy_find(t[i].variant);

			ck_assert_msg(t[i].caveat && strstr(t[i].caveat, "698842"),
				      "%s: no divider caveat", t[i].id);
			ck_assert_msg(v != NULL, "%s: no variant", t[i].id);
			ck_assert(!remedy_list_has(v->add_args, "divider"));
			ck_assert(remedy_list_has(v->remove_args, "divider"));
			ck_assert_int_eq(v->el_major, t[i].el_major);
			ck_assert(v->el_minor_min <= t[i].el_minor_min);
		}
		/* Unconfirmed rows say so where people read it. */
		if (t[i].unconfirmed)
			ck_assert_msg(t[i].caveat && strstr(t[i].caveat, "UNCONFIRMED"),
				      "%s: unconfirmed without saying so", t[i].id);
		/* clock= is never added to a kernel of 2.6.32 or later. */
		if (remedy_list_has(t[i].add_args, "clock"))
			ck_assert_msg(t[i].kmax[0] == 2 && t[i].kmax[2] < 32 &&
				      t[i].kmax[1] == 6, "%s adds clock= to new kernels", t[i].id);
	}
	ck_assert_ptr_null(remedy_find("no-such-profile"));
	ck_assert_ptr_null(remedy_find(NULL));
}
END_TEST

START_TEST(test_el5_hyperv)
{
	const struct remedy *r = remedy_find("el5-hyperv");

	ck_assert_str_eq(r->add_args, "clock=pit notsc divider=10");
	ck_assert_str_eq(r->variant, "el5-hyperv-nodivider");
	/* CentOS 5.5, 5.8, 5.11, both arches */
	ck_assert(applies("el5-hyperv", "2.6.18-194.el5", "x86_64"));
	ck_assert(applies("el5-hyperv", "2.6.18-194.el5", "i686"));
	ck_assert(applies("el5-hyperv", "2.6.18-308.el5", NULL));
	ck_assert(applies("el5-hyperv", "2.6.18-398.el5", NULL));
	ck_assert(applies("el5-hyperv", "2.6.18-194.el5PAE", NULL));
	/* 5.0 has no divider=: only the variant */
	ck_assert(!applies("el5-hyperv", "2.6.18-8.el5", NULL));
	ck_assert(applies("el5-hyperv-nodivider", "2.6.18-8.el5", NULL));
	ck_assert(applies("el5-hyperv-nodivider", "2.6.18-194.el5", "x86_64"));
	/* not for other kernels */
	ck_assert(!applies("el5-hyperv", "2.6.32-754.el6.x86_64", NULL));
	ck_assert(!applies("el5-hyperv", "2.6.18-92.1.10.fc8", NULL));
	ck_assert(!applies("el5-hyperv", "5.15.0-91-generic", NULL));
	ck_assert(!applies("el5-hyperv-nodivider", "3.10.0-1160.el7.x86_64", NULL));
	/* unknown point release: no range can be confirmed */
	ck_assert(!applies("el5-hyperv", "2.6.18-custom", NULL));
}
END_TEST

START_TEST(test_vmware_rows)
{
	/* 32-bit by release */
	ck_assert(applies("vmware-el5.0-i686", "2.6.18-8.el5", "i686"));
	ck_assert(!applies("vmware-el5.0-i686", "2.6.18-53.el5", "i686"));
	ck_assert(applies("vmware-el5.1-i686", "2.6.18-53.el5", "i686"));
	ck_assert(applies("vmware-el5.1-i686", "2.6.18-128.el5", "i686"));
	ck_assert(!applies("vmware-el5.1-i686", "2.6.18-164.el5", "i686"));
	ck_assert(applies("vmware-el5.4-i686", "2.6.18-164.el5", "i686"));
	ck_assert(applies("vmware-el5.4-i686", "2.6.18-398.el5", "i386"));
	/* arch decides between the tables */
	ck_assert(!applies("vmware-el5.1-i686", "2.6.18-53.el5", "x86_64"));
	ck_assert(applies("vmware-el5.1-x86_64", "2.6.18-53.el5", "x86_64"));
	ck_assert(applies("vmware-el5.1-x86_64", "2.6.18-53.el5", "amd64"));
	ck_assert(!applies("vmware-el5.1-x86_64", "2.6.18-53.el5PAE", NULL));
	ck_assert(applies("vmware-el5.1-i686", "2.6.18-53.el5PAE", NULL));
	ck_assert(!applies("vmware-el5.0-x86_64", "2.6.18-8.el5", "ppc64"));
	/* the 64-bit rows are marked */
	ck_assert(remedy_find("vmware-el5.1-x86_64")->unconfirmed);
	ck_assert(!remedy_find("vmware-el5.1-i686")->unconfirmed);
	/* RHEL 4's upper-case tag */
	ck_assert(applies("vmware-el4.7-i686", "2.6.9-78.ELsmp", "i686"));
	ck_assert(applies("vmware-el4.7-i686", "2.6.9-89.0.16.ELsmp", "i686"));
	ck_assert(!applies("vmware-el4.7-i686", "2.6.9-67.ELsmp", "i686"));
	ck_assert(applies("vmware-el4.0-i686", "2.6.9-67.ELsmp", "i686"));
	ck_assert(applies("vmware-el4.0-x86_64", "2.6.9-42.EL", "x86_64"));
	ck_assert(!applies("vmware-el4.0-x86_64", "2.6.18-8.el5", "x86_64"));
	ck_assert(applies("vmware-sles9-10-i686", "2.6.16.60-0.21-default", "i686"));
	ck_assert(!applies("vmware-sles9-10-i686", "2.6.27.19-5-default", "i686"));
}
END_TEST

START_TEST(test_kvm_modern_none)
{
	ck_assert(applies("kvm-el5-x86_64", "2.6.18-194.el5", "x86_64"));
	ck_assert(!applies("kvm-el5-x86_64", "2.6.18-92.el5", "x86_64"));
	ck_assert(applies("kvm-el5-i686", "2.6.18-164.el5", "i686"));
	ck_assert(applies("kvm-el6", "2.6.32-754.el6.x86_64", NULL));
	ck_assert(!applies("kvm-el6", "3.10.0-1160.el7.x86_64", NULL));
	/* modern: from 2.6.32 on, never on the 2.6.18 family */
	ck_assert(applies("modern", "5.15.0-91-generic", NULL));
	ck_assert(applies("modern", "5.14.0-362.8.1.el9_3.x86_64", NULL));
	ck_assert(applies("modern", "2.6.32-754.el6.x86_64", NULL));
	ck_assert(!applies("modern", "2.6.18-194.el5", NULL));
	ck_assert(!applies("modern", "2.6.9-89.ELsmp", NULL));
	ck_assert(remedy_list_has(remedy_find("modern")->remove_args, "clock"));
	ck_assert(remedy_list_has(remedy_find("modern")->remove_args, "divider"));
	ck_assert_ptr_null(remedy_find("modern")->add_args);
	ck_assert_ptr_null(remedy_find("none")->add_args);
	ck_assert_ptr_null(remedy_find("none")->remove_args);
	ck_assert(applies("none", "6.8.0-1-generic", NULL));
	ck_assert(applies("none", "2.6.18-194.el5", NULL));
}
END_TEST

START_TEST(test_list_has)
{
	ck_assert(remedy_list_has("clock=pit notsc divider=10", "clock"));
	ck_assert(remedy_list_has("clock=pit notsc divider=10", "notsc"));
	ck_assert(remedy_list_has("clock=pit notsc divider=10", "divider"));
	ck_assert(!remedy_list_has("clock=pit notsc divider=10", "clocksource"));
	ck_assert(!remedy_list_has("clocksource=acpi_pm", "clock"));
	ck_assert(remedy_list_has("no-kvmclock", "no_kvmclock"));
	ck_assert(!remedy_list_has("", "clock"));
	ck_assert(!remedy_list_has(NULL, "clock"));
	ck_assert(!remedy_list_has("  ", "clock"));
}
END_TEST

Suite *remedy_suite(void)
{
	Suite *s = suite_create("remedy");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_table_is_sound);
	tcase_add_test(tc, test_el5_hyperv);
	tcase_add_test(tc, test_vmware_rows);
	tcase_add_test(tc, test_kvm_modern_none);
	tcase_add_test(tc, test_list_has);
	suite_add_tcase(s, tc);
	return s;
}
