/*
 * check_env.c - the environment probe on whole fixture trees, field by
 * field (tests/fixtures/env/<machine>/), and its renderings.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "envfmt.h"
#include "sysroot.h"
#include "testutil.h"
#include "util.h"

static struct env e;

static void probe(const char *fixture)
{
	char err[UTIL_ERRMAX];

	ck_assert_msg(!sysroot_set(testutil_fixture(fixture), err), "%s", err);
	env_probe(&e);
	sysroot_set(NULL, NULL);
}

static bool has_evidence(enum hv_vendor v, const char *source)
{
	for (int i = 0; i < e.n_hv_evidence; i++)
		if (e.hv_evidence[i].says == v &&
		    util_startswith(e.hv_evidence[i].source, source))
			return true;
	return false;
}

static const struct env_hint *hint(const char *id)
{
	for (int i = 0; i < e.n_hints; i++)
		if (!strcmp(e.hints[i].id, id))
			return &e.hints[i];
	return NULL;
}

START_TEST(test_centos55_hyperv)
{
	const struct env_daemon *ntpd;

	probe("env/centos55-hyperv");
	ck_assert(!e.live);
	ck_assert_int_eq(e.hv, HV_HYPERV);
	ck_assert(has_evidence(HV_HYPERV, "/sys/bus/vmbus"));
	ck_assert(has_evidence(HV_HYPERV, "kernel modules"));
	/* 2.6.18 has neither DMI sysfs nor the cpuinfo hypervisor flag. */
	ck_assert(has_evidence(HV_UNKNOWN, "dmi"));
	ck_assert(has_evidence(HV_UNKNOWN, "cpuinfo"));
	ck_assert(!e.cpuid_signature.known);
	ck_assert_ptr_nonnull(strstr(e.cpuid_signature.why, "not available under sysroot"));

	ck_assert(e.kernel_release.known);
	ck_assert_str_eq(e.kernel_release.value, "2.6.18-194.el5");
	ck_assert_int_eq(e.kver.major, 2);
	ck_assert_int_eq(e.kver.minor, 6);
	ck_assert_int_eq(e.kver.patch, 18);
	ck_assert_str_eq(e.kver.distro, "el5");
	ck_assert_int_eq(e.kver.el_build, 194);
	ck_assert_int_eq(e.kver.el_minor, 5);
	ck_assert_int_eq(e.n_time_args, 0);
	ck_assert_str_eq(e.arch.value, "x86_64"); /* the x86_64-only GTOD line */

	ck_assert_int_eq(e.tsc.value, 1);
	ck_assert_int_eq(e.constant_tsc.value, 1);
	ck_assert_int_eq(e.nonstop_tsc.value, 0);
	ck_assert_int_eq(e.hypervisor_flag.value, 0);
	ck_assert_str_eq(e.cpu_vendor.value, "GenuineIntel");

	/* No clocksource sysfs: from the boot log's vxtime line. */
	ck_assert(e.clocksource.known);
	ck_assert_str_eq(e.clocksource.value, "tsc");
	ck_assert_ptr_nonnull(strstr(e.clocksource.source, "GTOD PIT/TSC"));
	ck_assert(!e.clocksources_available.known);

	ck_assert(!e.kstate_known);
	ck_assert_ptr_nonnull(strstr(e.kstate_why, "not available under sysroot"));

	ck_assert(e.procs_known);
	ntpd = &e.daemons[DAEMON_NTPD];
	ck_assert(ntpd->running);
	ck_assert_int_eq(ntpd->pid, 2345);
	ck_assert(!ntpd->slew_only);
	ck_assert_str_eq(ntpd->config_path, "/etc/ntp.conf");
	ck_assert_int_eq(ntpd->conf.nservers, 3); /* 127.127.1.0 is a refclock */
	ck_assert_str_eq(ntpd->conf.servers[0], "0.centos.pool.ntp.org");
	ck_assert_str_eq(ntpd->conf.driftfile, "/var/lib/ntp/drift");
	ck_assert(!e.daemons[DAEMON_CHRONYD].running);
	ck_assert_int_eq(env_active_daemon(&e), DAEMON_NTPD);

	ck_assert_int_eq(e.hv_vmbus.value, 1);
	ck_assert_int_eq(e.hv_utils.value, 1);
	ck_assert_int_eq(e.ptp_hyperv.value, 0);

	ck_assert_str_eq(e.distro.value, "CentOS release 5.5 (Final)");
	ck_assert_str_eq(e.distro_id, "centos");
	ck_assert_int_eq(e.family, ENV_FAMILY_RHEL);
	ck_assert_int_eq(e.el_major, 5);
	ck_assert_int_eq(e.el_minor, 5);

	ck_assert_str_eq(e.klog.value, "/var/log/dmesg");
	ck_assert_ptr_nonnull(hint("lost-ticks"));
	ck_assert_ptr_nonnull(hint("hv-timesync"));
	ck_assert_ptr_null(hint("hypervisor-detected"));

	ck_assert_ptr_nonnull(env_pkg(&e, "dovecot"));
	ck_assert_str_eq(env_pkg(&e, "dovecot")->version, "1.0.7");
	ck_assert_str_eq(env_pkg(&e, "ntp")->version, "4.2.2p1");
}
END_TEST

START_TEST(test_ubuntu2204_hyperv)
{
	const struct env_daemon *c;

	probe("env/ubuntu2204-hyperv");
	ck_assert_int_eq(e.hv, HV_HYPERV);
	ck_assert(has_evidence(HV_HYPERV, "dmi"));
	ck_assert(has_evidence(HV_HYPERV, "kernel log"));
	ck_assert(has_evidence(HV_OTHER, "cpuinfo"));
	ck_assert_str_eq(e.kernel_release.value, "5.15.0-1051-azure");
	ck_assert(!e.arch.known); /* nothing says, and uname is live only */
	ck_assert_int_eq(e.kver.el_major, 0);
	ck_assert_str_eq(e.clocksource.value, "hyperv_clocksource_tsc_page");
	ck_assert_str_eq(e.clocksources_available.value,
			 "hyperv_clocksource_tsc_page tsc hyperv_clocksource_msr");
	ck_assert_int_eq(e.tsc_reliable.value, 1);
	ck_assert_int_eq(e.tsc_known_freq.value, 1);
	c = &e.daemons[DAEMON_CHRONYD];
	ck_assert(c->running);
	ck_assert_str_eq(c->config_path, "/etc/chrony/chrony.conf");
	/* confdir /etc/chrony/conf.d is followed: the Azure refclock and makestep. */
	ck_assert(c->conf.refclock_phc);
	ck_assert_str_eq(c->conf.refclock_device, "/dev/ptp_hyperv");
	ck_assert(c->conf.has_makestep);
	ck_assert_double_eq_tol(c->conf.makestep_threshold_s, 1.0, 1e-9);
	ck_assert_int_eq(c->conf.makestep_limit, -1);
	ck_assert_str_eq(c->conf.servers[0], "ntp.ubuntu.com");
	ck_assert_int_eq(env_active_daemon(&e), DAEMON_CHRONYD);
	ck_assert_int_eq(e.hv_vmbus.value, 1); /* built in: /sys/module */
	ck_assert_int_eq(e.hv_utils.value, 1);
	ck_assert_int_eq(e.ptp_hyperv.value, 1);
	ck_assert_str_eq(e.ptp_hyperv_device, "/dev/ptp_hyperv (/dev/ptp0)");
	ck_assert_int_eq(e.family, ENV_FAMILY_DEBIAN);
	ck_assert_str_eq(e.distro_version, "22.04");
	ck_assert_ptr_nonnull(hint("hypervisor-detected"));
	ck_assert_ptr_nonnull(env_pkg(&e, "chrony"));
	ck_assert_str_eq(env_pkg(&e, "chrony")->version, "4.2");
	/* dovecot-core is only "deinstall ok config-files": not installed. */
	ck_assert_ptr_null(env_pkg(&e, "dovecot"));
}
END_TEST

START_TEST(test_rhel9_kvm)
{
	probe("env/rhel9-kvm");
	ck_assert_int_eq(e.hv, HV_KVM);
	ck_assert(has_evidence(HV_KVM, "dmi"));
	ck_assert(has_evidence(HV_KVM, "kernel log"));
	ck_assert_str_eq(e.clocksource.value, "kvm-clock");
	ck_assert_int_eq(e.kver.el_major, 9);
	ck_assert_int_eq(e.kver.el_minor, 3); /* from the ".el9_3" tag */
	ck_assert_str_eq(e.arch.value, "x86_64"); /* from the release */
	ck_assert_int_eq(e.el_major, 9);
	ck_assert_int_eq(e.el_minor, 3);
	ck_assert_str_eq(e.distro_id, "rhel");
	ck_assert_str_eq(e.klog.value, "/var/log/messages");
	ck_assert_ptr_nonnull(hint("kvm-clock"));
	ck_assert_int_eq(e.ptp_hyperv.value, 0);
	ck_assert_int_eq(e.hv_vmbus.value, 0);
	ck_assert(e.daemons[DAEMON_CHRONYD].running);
	ck_assert_int_eq(e.daemons[DAEMON_CHRONYD].conf.makestep_limit, 3);
	ck_assert_int_eq(e.n_time_args, 0); /* crashkernel, rhgb... are not time args */
}
END_TEST

START_TEST(test_vmware_rhel53)
{
	probe("env/vmware-rhel53");
	ck_assert_int_eq(e.hv, HV_VMWARE);
	ck_assert_int_eq(e.kver.el_minor, 3);
	ck_assert_str_eq(e.clocksource.value, "tsc"); /* HPET/TSC GTOD */
	ck_assert(e.daemons[DAEMON_NTPD].running);
	ck_assert(e.daemons[DAEMON_NTPD].slew_only);
	ck_assert(e.daemons[DAEMON_NTPD].conf.has_tinker_panic);
	ck_assert_double_eq_tol(e.daemons[DAEMON_NTPD].conf.tinker_panic_s, 0, 1e-12);
	ck_assert_int_eq(e.el_major, 5);
	ck_assert_int_eq(e.el_minor, 3);
	ck_assert_str_eq(e.distro_id, "rhel");
	ck_assert_ptr_null(env_pkg(&e, "dovecot"));
}
END_TEST

START_TEST(test_baremetal)
{
	probe("env/baremetal-debian12");
	ck_assert_int_eq(e.hv, HV_NONE);
	ck_assert(has_evidence(HV_NONE, "cpuinfo"));
	ck_assert_str_eq(e.clocksource.value, "tsc");
	ck_assert_int_eq(e.nonstop_tsc.value, 1);
	ck_assert(e.daemons[DAEMON_TIMESYNCD].running);
	/* The drop-in's NTP= wins over the commented defaults. */
	ck_assert_int_eq(e.daemons[DAEMON_TIMESYNCD].conf.nservers, 2);
	ck_assert_str_eq(e.daemons[DAEMON_TIMESYNCD].conf.servers[1], "time.example.net");
	ck_assert_int_eq(env_active_daemon(&e), DAEMON_TIMESYNCD);
	ck_assert_int_eq(e.hv_vmbus.value, 0);
	ck_assert_int_eq(e.family, ENV_FAMILY_DEBIAN);
}
END_TEST

START_TEST(test_broken_tree)
{
	struct strbuf sb = STRBUF_INIT;
	struct json j;

	probe("env/broken");
	/* Garbage makes single facts unknown, with the reason; nothing crashes. */
	ck_assert(!e.kernel_release.known);
	ck_assert_ptr_nonnull(strstr(e.kernel_release.why, "invalid kernel release"));
	for (const char *p = e.kernel_release.why; *p; p++)
		ck_assert_msg((unsigned char)*p >= 0x20, "control character in message");
	ck_assert(!e.cmdline.known);
	ck_assert_ptr_nonnull(strstr(e.cmdline.why, "unbalanced double quote"));
	ck_assert(!e.clocksource.known);
	ck_assert_ptr_nonnull(strstr(e.clocksource.why, "is empty"));
	ck_assert(!e.clocksources_available.known);
	ck_assert_ptr_nonnull(strstr(e.clocksources_available.why, "symbolic links"));
	/* The link to /../../../../etc/shadow stays inside the root. */
	ck_assert(!has_evidence(HV_HYPERV, "dmi"));
	ck_assert_int_eq(e.tsc.value, -1);
	ck_assert_int_eq(e.hv_vmbus.value, -1); /* /proc/modules is a directory */
	ck_assert_int_eq(e.hv, HV_UNKNOWN);
	ck_assert_int_eq(e.daemons[DAEMON_CHRONYD].conf.nservers, 0);
	ck_assert(!e.daemons[DAEMON_CHRONYD].conf.has_makestep);
	ck_assert(!e.daemons[DAEMON_NTPD].running); /* "(ntpd" without ')' */
	/* Renderings still work and stay valid. */
	envfmt_text(&e, &sb);
	ck_assert_ptr_nonnull(strstr(sb.buf, "unknown (invalid kernel release"));
	strbuf_reset(&sb);
	json_init(&j, &sb, false);
	envfmt_json(&e, &j, NULL);
	ck_assert_int_eq(j.depth, 0);
	ck_assert_ptr_nonnull(strstr(sb.buf, "\"verdict\":\"unknown\""));
	strbuf_release(&sb);
}
END_TEST

START_TEST(test_missing_root)
{
	struct strbuf sb = STRBUF_INIT;
	char *dir = testutil_mkdtemp();

	ck_assert_int_eq(sysroot_set(dir, NULL), 0);
	env_probe(&e);
	sysroot_set(NULL, NULL);
	ck_assert(!e.kernel_release.known);
	ck_assert_ptr_nonnull(strstr(e.kernel_release.why, "No such file"));
	ck_assert(!e.procs_known);
	ck_assert_int_eq(env_active_daemon(&e), -1);
	ck_assert_int_eq(e.hv, HV_UNKNOWN);
	envfmt_text(&e, &sb);
	for (char *line = sb.buf; *line;) {
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		/* Readable in 80 columns (long unbreakable words excepted). */
		if (len > 80)
			ck_assert_msg(!memchr(line + 20, ' ', len - 20) ||
				      strstr(line, "/sys/devices"),
				      "line over 80 columns: %.*s", (int)len, line);
		line = nl ? nl + 1 : line + len;
	}
	strbuf_release(&sb);
	testutil_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_chronyd_hands_off)
{
	char *dir = testutil_mkdtemp();
	char path[512];
	static const char stat_c[] = "55 (chronyd) S 1 55 55 0 -1 0\n";
	static const char stat_n[] = "60 (ntpd) S 1 60 60 0 -1 0\n";

	snprintf(path, sizeof(path), "%s/proc/55/stat", dir);
	testutil_write(path, stat_c, strlen(stat_c));
	snprintf(path, sizeof(path), "%s/proc/55/cmdline", dir);
	testutil_write(path, "chronyd\0-x\0-d\0", 15);
	ck_assert_int_eq(sysroot_set(dir, NULL), 0);
	env_probe(&e);
	ck_assert(e.daemons[DAEMON_CHRONYD].running);
	ck_assert(e.daemons[DAEMON_CHRONYD].hands_off);
	/* chronyd -x leaves the clock alone: no daemon disciplines it. */
	ck_assert_int_eq(env_active_daemon(&e), -1);
	snprintf(path, sizeof(path), "%s/proc/60/stat", dir);
	testutil_write(path, stat_n, strlen(stat_n));
	snprintf(path, sizeof(path), "%s/proc/60/cmdline", dir);
	testutil_write(path, "ntpd\0-g\0", 9);
	env_probe(&e);
	sysroot_set(NULL, NULL);
	ck_assert_int_eq(env_active_daemon(&e), DAEMON_NTPD);
	ck_assert(!e.daemons[DAEMON_NTPD].slew_only);
	testutil_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_time_args)
{
	char *dir = testutil_mkdtemp();
	char path[512];
	const struct env_bootarg *a;
	static const char cmdline[] =
		"ro root=/dev/sda1 clock=hpet quiet clock=pit notsc divider=10 "
		"no-kvmclock no_kvmclock_vsyscall hpet=disable lpj=4000000 "
		"acpi_osi=\"!Windows 2006\" -- single\n";

	snprintf(path, sizeof(path), "%s/proc/cmdline", dir);
	testutil_write(path, cmdline, strlen(cmdline));
	ck_assert_int_eq(sysroot_set(dir, NULL), 0);
	env_probe(&e);
	sysroot_set(NULL, NULL);
	ck_assert(e.cmdline.known);
	a = env_time_arg(&e, "clock");
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->value, "pit"); /* the kernel takes the last */
	ck_assert_ptr_nonnull(env_time_arg(&e, "notsc"));
	ck_assert(!env_time_arg(&e, "notsc")->has_value);
	ck_assert_str_eq(env_time_arg(&e, "divider")->value, "10");
	ck_assert_ptr_nonnull(env_time_arg(&e, "no_kvmclock")); /* '-' == '_' */
	ck_assert_ptr_nonnull(env_time_arg(&e, "no-kvmclock-vsyscall"));
	ck_assert_str_eq(env_time_arg(&e, "hpet")->value, "disable");
	ck_assert_ptr_null(env_time_arg(&e, "root"));
	ck_assert_ptr_null(env_time_arg(&e, "single")); /* after "--" */
	ck_assert_int_eq(e.n_time_args, 8);
	testutil_rmtree(dir);
	free(dir);
}
END_TEST

Suite *env_suite(void)
{
	Suite *s = suite_create("env");
	TCase *tc = tcase_create("fixtures");

	tcase_add_test(tc, test_centos55_hyperv);
	tcase_add_test(tc, test_ubuntu2204_hyperv);
	tcase_add_test(tc, test_rhel9_kvm);
	tcase_add_test(tc, test_vmware_rhel53);
	tcase_add_test(tc, test_baremetal);
	tcase_add_test(tc, test_broken_tree);
	tcase_add_test(tc, test_missing_root);
	tcase_add_test(tc, test_time_args);
	tcase_add_test(tc, test_chronyd_hands_off);
	suite_add_tcase(s, tc);
	return s;
}
