/*
 * check_parse.c - the small pure parsers of the environment model:
 * kernel versions, kernel command lines, hypervisor evidence, daemon
 * configuration files.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootargs.h"
#include "daemons.h"
#include "hypervisor.h"
#include "kver.h"
#include "util.h"

START_TEST(test_kver)
{
	static const struct {
		const char *in;
		int maj, min, pat, el, elmin, build;
		const char *distro;
	} t[] = {
		{ "2.6.18-194.el5", 2, 6, 18, 5, 5, 194, "el5" },
		{ "2.6.18-308.1.1.el5", 2, 6, 18, 5, 8, 308, "el5" },
		{ "2.6.18-274.el5xen", 2, 6, 18, 5, 7, 274, "el5" },
		{ "2.6.18-8.el5PAE", 2, 6, 18, 5, 0, 8, "el5" },
		{ "2.6.9-89.ELsmp", 2, 6, 9, 0, -1, 0, "" },
		{ "2.6.32-754.el6.x86_64", 2, 6, 32, 6, 10, 754, "el6" },
		{ "3.10.0-1160.el7.x86_64", 3, 10, 0, 7, 9, 1160, "el7" },
		{ "4.18.0-553.el8_10.x86_64", 4, 18, 0, 8, 10, 553, "el8_10" },
		{ "5.14.0-362.8.1.el9_3.x86_64", 5, 14, 0, 9, 3, 362, "el9_3" },
		{ "6.15.9-201.fc42.x86_64", 6, 15, 9, 0, -1, 0, "fc42" },
		{ "5.15.0-1051-azure", 5, 15, 0, 0, -1, 0, "" },
		{ "6.1", 6, 1, 0, 0, -1, 0, "" },
	};
	struct kver k;
	char err[UTIL_ERRMAX];

	for (size_t i = 0; i < UTIL_ARRAY_SIZE(t); i++) {
		ck_assert_msg(!kver_parse(t[i].in, &k, err), "%s: %s", t[i].in, err);
		ck_assert_msg(k.major == t[i].maj && k.minor == t[i].min &&
			      k.patch == t[i].pat, "%s: %d.%d.%d", t[i].in,
			      k.major, k.minor, k.patch);
		ck_assert_msg(k.el_major == t[i].el && k.el_minor == t[i].elmin &&
			      k.el_build == t[i].build,
			      "%s: el %d.%d build %d", t[i].in, k.el_major,
			      k.el_minor, k.el_build);
		ck_assert_str_eq(k.distro, t[i].distro);
	}
	ck_assert_int_eq(kver_parse("", &k, err), -1);
	ck_assert_int_eq(kver_parse("linux", &k, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "'linux'"));
	ck_assert_int_eq(kver_parse("6", &k, err), -1);
	ck_assert_int_eq(kver_parse("99999999999.1", &k, err), -1);
	kver_parse("2.6.18-194.el5", &k, err);
	ck_assert_int_lt(kver_cmp(&k, 2, 6, 28), 0);
	ck_assert_int_eq(kver_cmp(&k, 2, 6, 18), 0);
	ck_assert_int_gt(kver_cmp(&k, 2, 6, 9), 0);
	ck_assert_int_eq(kver_el_minor(5, 307), 7);
	ck_assert_int_eq(kver_el_minor(5, 308), 8);
	ck_assert_int_eq(kver_el_minor(5, 7), -1);
	ck_assert_int_eq(kver_el_minor(3, 100), -1);
}
END_TEST

START_TEST(test_bootargs)
{
	static const char s[] = "  ro  root=/dev/sda1\tacpi_osi=\"!Windows 2006\" "
				"\"weird key\"=1 clock=pit notsc -- init=/bin/sh";
	struct bootarg *a;
	size_t n, end;
	char err[UTIL_ERRMAX], val[64];

	ck_assert_int_eq(bootargs_split(s, strlen(s), &a, &n, &end, err), 0);
	ck_assert_uint_eq(n, 6);
	ck_assert_uint_eq(a[0].start, 2);
	ck_assert_uint_eq(a[0].len, 2);
	ck_assert(!a[0].has_value);
	ck_assert(bootargs_key_is(s, &a[1], "root"));
	ck_assert(a[1].has_value);
	ck_assert(bootargs_key_is(s, &a[2], "acpi_osi"));
	ck_assert_uint_eq(a[2].len, strlen("acpi_osi=\"!Windows 2006\""));
	ck_assert(!bootargs_key_is(s, &a[3], "weird key"));
	ck_assert(bootargs_key_is(s, &a[5], "notsc"));
	ck_assert_str_eq(s + end, "-- init=/bin/sh");
	free(a);

	ck_assert_int_eq(bootargs_get(s, "acpi-osi", val, sizeof(val)), 1);
	ck_assert_str_eq(val, "!Windows 2006");
	ck_assert_int_eq(bootargs_get(s, "notsc", val, sizeof(val)), 2);
	ck_assert_int_eq(bootargs_get(s, "init", val, sizeof(val)), 0);
	ck_assert_int_eq(bootargs_get("clock=tsc clock=pit", "clock", val, sizeof(val)), 1);
	ck_assert_str_eq(val, "pit");

	ck_assert_int_eq(bootargs_split("a \"b", 4, &a, &n, NULL, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "unbalanced"));
	ck_assert_int_eq(bootargs_split("a\0b", 3, &a, &n, NULL, err), -1);
	ck_assert_int_eq(bootargs_split("", 0, &a, &n, NULL, err), 0);
	ck_assert_uint_eq(n, 0);
	free(a);

	ck_assert(bootargs_is_time_related("clock"));
	ck_assert(bootargs_is_time_related("no_kvmclock"));
	ck_assert(bootargs_is_time_related("processor.max_cstate"));
	ck_assert(bootargs_is_time_related("kvm-clock.vsyscall"));
	ck_assert(!bootargs_is_time_related("clocksourcex"));
	ck_assert(!bootargs_is_time_related("notsc_ignored"));
	ck_assert(!bootargs_is_time_related("xdivider"));
	ck_assert(!bootargs_is_time_related("root"));
}
END_TEST

static struct hv_evidence ev(const char *src, enum hv_vendor v)
{
	struct hv_evidence e = { .says = v };

	snprintf(e.source, sizeof(e.source), "%s", src);
	snprintf(e.detail, sizeof(e.detail), "test");
	return e;
}

START_TEST(test_hypervisor)
{
	char why[256];
	struct hv_evidence e[4];

	ck_assert_int_eq(hypervisor_from_cpuid_signature("Microsoft Hv"), HV_HYPERV);
	ck_assert_int_eq(hypervisor_from_cpuid_signature("KVMKVMKVM\0\0\0"), HV_KVM);
	ck_assert_int_eq(hypervisor_from_cpuid_signature("VMwareVMware"), HV_VMWARE);
	ck_assert_int_eq(hypervisor_from_cpuid_signature("XenVMMXenVMM"), HV_XEN);
	ck_assert_int_eq(hypervisor_from_cpuid_signature("bhyve bhyve "), HV_OTHER);
	ck_assert_int_eq(hypervisor_from_cpuid_signature("\0\0\0\0\0\0\0\0\0\0\0\0"), HV_UNKNOWN);
	ck_assert_int_eq(hypervisor_from_dmi("Microsoft Corporation", "Virtual Machine"), HV_HYPERV);
	ck_assert_int_eq(hypervisor_from_dmi("Microsoft Corporation", "Surface Pro"), HV_UNKNOWN);
	ck_assert_int_eq(hypervisor_from_dmi("QEMU", "Standard PC"), HV_KVM);
	ck_assert_int_eq(hypervisor_from_dmi("innotek GmbH", "VirtualBox"), HV_VIRTUALBOX);
	ck_assert_int_eq(hypervisor_from_dmi("Dell Inc.", "PowerEdge"), HV_UNKNOWN);
	ck_assert_int_eq(hypervisor_from_dmi(NULL, "KVM"), HV_KVM);
	ck_assert_int_eq(hypervisor_from_klog_name("Microsoft HyperV"), HV_HYPERV);
	ck_assert_int_eq(hypervisor_from_klog_name("Microsoft Hyper-V"), HV_HYPERV);
	ck_assert_int_eq(hypervisor_from_klog_name("Xen HVM"), HV_XEN);
	ck_assert_int_eq(hypervisor_from_klog_name("PVM"), HV_OTHER);
	ck_assert_int_eq(hypervisor_from_sys_type("xen"), HV_XEN);

	/* KVM exposing Hyper-V enlightenments: DMI decides. */
	e[0] = ev("cpuid 0x40000000", HV_HYPERV);
	e[1] = ev("dmi sys_vendor/product_name", HV_KVM);
	ck_assert_int_eq(hypervisor_verdict(e, 2, why, sizeof(why)), HV_KVM);
	ck_assert_ptr_nonnull(strstr(why, "enlightenments"));
	/* VirtualBox on KVM underneath: DMI first. */
	e[0] = ev("cpuid 0x40000000", HV_KVM);
	e[1] = ev("dmi sys_vendor/product_name", HV_VIRTUALBOX);
	ck_assert_int_eq(hypervisor_verdict(e, 2, why, sizeof(why)), HV_VIRTUALBOX);
	/* Majority without CPUID. */
	e[0] = ev("/sys/bus/vmbus", HV_HYPERV);
	e[1] = ev("kernel modules", HV_HYPERV);
	e[2] = ev("dmi sys_vendor/product_name", HV_UNKNOWN);
	ck_assert_int_eq(hypervisor_verdict(e, 3, why, sizeof(why)), HV_HYPERV);
	e[0] = ev("cpuinfo flags", HV_OTHER);
	ck_assert_int_eq(hypervisor_verdict(e, 1, why, sizeof(why)), HV_OTHER);
	e[0] = ev("cpuid leaf 1", HV_NONE);
	ck_assert_int_eq(hypervisor_verdict(e, 1, why, sizeof(why)), HV_NONE);
	ck_assert_int_eq(hypervisor_verdict(e, 0, why, sizeof(why)), HV_UNKNOWN);
	ck_assert_int_eq(hypervisor_from_id("hyperv"), HV_HYPERV);
	ck_assert_str_eq(hypervisor_id(HV_NONE), "none");
}
END_TEST

START_TEST(test_chrony_conf)
{
	struct daemon_conf c;

	daemons_parse_chrony(
		"# comment\n"
		"server ntp1.example.com iburst\n"
		"pool 2.pool.ntp.org iburst maxsources 4\n"
		"server 127.0.0.1 port 11123 minpoll 0\n"
		"server fe80::1 port 123\n"
		"makestep 1.0 -1   ! inline comment\n"
		"maxslewrate 500\n"
		"refclock PHC /dev/ptp_hyperv:extpps poll 3 dpoll -2 offset 0 stratum 2\n"
		"makestep x 3\n"
		"driftfile /var/lib/chrony/drift\n", &c);
	ck_assert_int_eq(c.nservers, 4);
	ck_assert_str_eq(c.servers[2], "127.0.0.1:11123");
	ck_assert_str_eq(c.servers[3], "[fe80::1]:123");
	ck_assert(c.has_makestep);
	ck_assert_int_eq(c.makestep_limit, -1);
	ck_assert_double_eq_tol(c.makestep_threshold_s, 1.0, 1e-12);
	ck_assert(c.has_maxslewrate);
	ck_assert_double_eq_tol(c.maxslewrate_ppm, 500, 1e-12);
	ck_assert(c.refclock_phc);
	ck_assert_str_eq(c.refclock_device, "/dev/ptp_hyperv");
	ck_assert_str_eq(c.driftfile, "/var/lib/chrony/drift");
	/* Found by fuzz_daemons: a limit beyond int was undefined behaviour. */
	daemons_parse_chrony("makestep 0 5555555555555555\nmakestep 1e300 1e300\n", &c);
	ck_assert(!c.has_makestep);
}
END_TEST

START_TEST(test_ntp_conf)
{
	struct daemon_conf c;

	daemons_parse_ntp(
		"tinker panic 0 step 0.5 stepout 900\n"
		"server 0.centos.pool.ntp.org iburst\n"
		"server 127.127.1.0 # local clock\n"
		"#server commented.example.com\n"
		"pool 2.debian.pool.ntp.org\n"
		"tinker step bogus\n"
		"driftfile /var/lib/ntp/ntp.drift\n", &c);
	ck_assert_int_eq(c.nservers, 2);
	ck_assert_str_eq(c.servers[1], "2.debian.pool.ntp.org");
	ck_assert(c.has_tinker_panic && c.has_tinker_step && c.has_tinker_stepout);
	ck_assert_double_eq_tol(c.tinker_panic_s, 0, 1e-12);
	ck_assert_double_eq_tol(c.tinker_step_s, 0.5, 1e-12);
	ck_assert_double_eq_tol(c.tinker_stepout_s, 900, 1e-12);
	ck_assert_str_eq(c.driftfile, "/var/lib/ntp/ntp.drift");

	daemons_parse_timesyncd("[Time]\nNTP=a b\nFallbackNTP=c\n[Other]\nNTP=z\n", &c);
	ck_assert_int_eq(c.nservers, 2);
	ck_assert_str_eq(c.servers[0], "a");
	daemons_parse_timesyncd("[Time]\n#NTP=x\nFallbackNTP=c d\n", &c);
	ck_assert_int_eq(c.nservers, 2);
	ck_assert_str_eq(c.servers[1], "d");
	daemons_parse_openntpd("servers pool.ntp.org\nsensor *\nserver 10.0.0.1\n", &c);
	ck_assert_int_eq(c.nservers, 2);
	ck_assert_str_eq(daemons_id(DAEMON_TIMESYNCD), "timesyncd");
	ck_assert_str_eq(daemons_process_name(DAEMON_TIMESYNCD), "systemd-timesyn");
}
END_TEST

Suite *parse_suite(void)
{
	Suite *s = suite_create("parse");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_kver);
	tcase_add_test(tc, test_bootargs);
	tcase_add_test(tc, test_hypervisor);
	tcase_add_test(tc, test_chrony_conf);
	tcase_add_test(tc, test_ntp_conf);
	suite_add_tcase(s, tc);
	return s;
}
