/*
 * check_rules.c - every rule on a case where it fires and a close one
 * where it must not (hand-built environments), then whole scenarios from
 * the sysroot fixture trees in tests/fixtures/rules/ through env_probe(),
 * logscan_scan() and rules_evaluate().
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "json.h"
#include "logscan.h"
#include "rules.h"
#include "strbuf.h"
#include "sysroot.h"
#include "testutil.h"
#include "util.h"

/* Big structs live here, not on the stack. */
static struct env E;
static struct measurement M;
static struct logscan L;
static struct rules_result R;

/* ------------------------------------------------------------ builders */

static void guest(enum hv_vendor hv, const char *release, const char *cs)
{
	char err[UTIL_ERRMAX];

	memset(&E, 0, sizeof(E));
	E.hv = hv;
	E.kernel_release.known = true;
	snprintf(E.kernel_release.value, sizeof(E.kernel_release.value), "%s", release);
	ck_assert_msg(!kver_parse(release, &E.kver, err), "%s", err);
	if (cs) {
		E.clocksource.known = true;
		snprintf(E.clocksource.value, sizeof(E.clocksource.value), "%s", cs);
	}
	E.procs_known = true;
	E.ptp_hyperv.value = -1;
	E.hv_vmbus.value = -1;
	E.hv_utils.value = -1;
	E.el_minor = -1;
}

static void bootarg(const char *key, const char *value)
{
	struct env_bootarg *a = &E.time_args[E.n_time_args++];

	snprintf(a->key, sizeof(a->key), "%s", key);
	if (value) {
		a->has_value = true;
		snprintf(a->value, sizeof(a->value), "%s", value);
	}
}

static struct env_daemon *run_daemon(enum daemon_kind k)
{
	struct env_daemon *d = &E.daemons[k];

	d->running = true;
	d->pid = 100 + (int)k;
	d->config_found = true;
	d->conf.nservers = 1;
	snprintf(d->conf.servers[0], sizeof(d->conf.servers[0]), "192.0.2.1");
	return d;
}

static void pkg(const char *name, const char *version)
{
	struct env_pkg *p = &E.pkgs[E.n_pkgs++];

	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->version, sizeof(p->version), "%s", version);
	snprintf(p->source, sizeof(p->source), "test");
}

/* The kernel's architecture, as the env probe gives it. */
static void arch(const char *a)
{
	E.arch.known = true;
	snprintf(E.arch.value, sizeof(E.arch.value), "%s", a);
}

static void khint(const char *id, const char *first)
{
	struct env_hint *h = &E.hints[E.n_hints++];

	snprintf(h->id, sizeof(h->id), "%s", id);
	snprintf(h->what, sizeof(h->what), "%s", id);
	snprintf(h->first, sizeof(h->first), "%s", first);
	h->count = 1;
}

static struct measurement *drift(double ppm)
{
	memset(&M, 0, sizeof(M));
	M.have_ntp = true;
	snprintf(M.server, sizeof(M.server), "127.0.0.1:123");
	M.duration_s = 600;
	M.drift_raw.valid = true;
	M.drift_raw.drift_ppm = ppm;
	M.drift_raw.drift_se_ppm = 0.1;
	M.drift_raw.span_s = 600;
	M.drift_system = M.drift_raw;
	return &M;
}

static void step(double size)
{
	M.steps[M.n_steps].size_s = size;
	M.steps[M.n_steps].t_s = 100.0 * (double)(M.n_steps + 1);
	M.steps[M.n_steps].uncertainty_s = 0.001;
	M.n_steps++;
}

static struct logscan *logs(void)
{
	memset(&L, 0, sizeof(L));
	return &L;
}

static void logged(enum logscan_kind k, int count, int n_back, double max_back)
{
	L.kinds[k].count = count;
	L.kinds[k].n_back = n_back;
	L.kinds[k].max_back_s = max_back;
	snprintf(L.kinds[k].first_date, sizeof(L.kinds[k].first_date), "Nov 22 04:17:12");
	snprintf(L.kinds[k].last_date, sizeof(L.kinds[k].last_date), "Nov 22 04:32:14");
	snprintf(L.kinds[k].last_line, sizeof(L.kinds[k].last_line), "a %s line",
		 logscan_kind_id(k));
}

static const struct rules_finding *finding(const char *id)
{
	for (int i = 0; i < R.n; i++)
		if (!strcmp(R.findings[i].rule_id, id))
			return &R.findings[i];
	return NULL;
}

/* --------------------------------------------------------- rule cases */

struct rcase {
	const char *name;
	void (*setup)(const struct measurement **m, const struct logscan **ev);
	const char *rule;
	bool fires;
	enum rules_severity severity;   /* when it fires */
	const char *remedy;             /* expected profile id, or NULL */
	const char *says;               /* a phrase in text/consequence/remedy, or NULL */
};

#define SETUP(name) static void name(const struct measurement **m, const struct logscan **ev)

/* el5-hyperv-clock */
SETUP(el55_hyperv)
{
	(void)m; (void)ev;
	guest(HV_HYPERV, "2.6.18-194.el5", "tsc");
	khint("gtod-timer", "time.c: Using 3.579545 MHz WALL PM GTOD PIT/TSC timer.");
	arch("x86_64"); /* env: the GTOD line is x86_64-only */
	run_daemon(DAEMON_NTPD);
}
SETUP(el55_hyperv_drifting)
{
	el55_hyperv(m, ev);
	pkg("ntp", "4.2.2p1");
	pkg("dovecot", "1.0.7");
	*m = drift(50000);
}
SETUP(el55_hyperv_notsc_x64)
{
	el55_hyperv(m, ev);
	bootarg("notsc", NULL);
}
SETUP(el55_hyperv_pae_notsc)
{
	(void)ev; (void)m;
	guest(HV_HYPERV, "2.6.18-194.el5PAE", NULL);
	bootarg("notsc", NULL);
}
SETUP(el55_hyperv_pae_fixed)
{
	el55_hyperv_pae_notsc(m, ev);
	bootarg("clock", "pit");
}
SETUP(el55_kvm)
{
	el55_hyperv(m, ev);
	E.hv = HV_KVM;
	khint("kvm-clock", "kvm-clock: cpu 0, msr 0:1");
}
SETUP(el58_hyperv)
{
	(void)m; (void)ev;
	guest(HV_HYPERV, "2.6.18-308.el5", "tsc");
}
SETUP(el50_hyperv)
{
	(void)m; (void)ev;
	guest(HV_HYPERV, "2.6.18-8.el5", "tsc");
}
SETUP(el6_hyperv)
{
	(void)m; (void)ev;
	guest(HV_HYPERV, "2.6.32-754.el6.x86_64", "hyperv_clocksource");
}

/* drift-beyond-daemon, drift-high */
SETUP(ntpd_400)
{
	el55_hyperv(m, ev);
	*m = drift(400);
}
SETUP(modern_chrony)
{
	(void)ev;
	guest(HV_HYPERV, "5.15.0-1051-azure", "hyperv_clocksource_tsc_page");
	run_daemon(DAEMON_CHRONYD);
	*m = drift(2);
}
SETUP(chrony_50000)
{
	modern_chrony(m, ev);
	*m = drift(50000);
}
SETUP(chrony_120000)
{
	struct env_daemon *d;

	modern_chrony(m, ev);
	d = &E.daemons[DAEMON_CHRONYD];
	d->conf.has_makestep = true;
	d->conf.makestep_threshold_s = 1;
	d->conf.makestep_limit = -1;
	*m = drift(120000);
}
SETUP(chrony_400)
{
	modern_chrony(m, ev);
	*m = drift(400);
}

/* ntpd-limit-logged */
SETUP(el55_freq_logged)
{
	el55_hyperv(m, ev);
	*ev = logs();
	logged(LOGSCAN_NTPD_FREQ_LIMIT, 1, 0, 0);
}
SETUP(el55_freq_logged_measured)
{
	el55_freq_logged(m, ev);
	*m = drift(50000);
}
SETUP(el55_driftfile_only)
{
	el55_hyperv(m, ev);
	*ev = logs();
	L.ntp_drift_known = L.ntp_drift_at_limit = true;
	L.ntp_drift_ppm = 500;
	snprintf(L.ntp_drift_path, sizeof(L.ntp_drift_path), "/var/lib/ntp/drift");
}
SETUP(el55_steps_logged)
{
	el55_driftfile_only(m, ev);
	logged(LOGSCAN_NTPD_STEP, 2, 2, 45.13);
}
SETUP(el55_driftfile_normal)
{
	el55_driftfile_only(m, ev);
	L.ntp_drift_at_limit = false;
	L.ntp_drift_ppm = 12.3;
}

/* dovecot-time-backwards */
SETUP(dovecot_fatal)
{
	modern_chrony(m, ev);
	*m = NULL;
	*ev = logs();
	logged(LOGSCAN_DOVECOT_FATAL, 1, 1, 45);
}
SETUP(dovecot_sleep)
{
	modern_chrony(m, ev);
	*m = NULL;
	*ev = logs();
	logged(LOGSCAN_DOVECOT_BACKWARDS, 3, 3, 3);
}
SETUP(postfix_only)
{
	modern_chrony(m, ev);
	*m = NULL;
	*ev = logs();
	logged(LOGSCAN_POSTFIX_JUMP, 1, 0, 0);
}

/* steps-observed */
SETUP(run_step_back_dovecot1)
{
	modern_chrony(m, ev);
	pkg("dovecot", "1.0.7");
	step(-45.0);
}
SETUP(run_step_back_small)
{
	modern_chrony(m, ev);
	step(-0.5);
}
SETUP(run_step_forward)
{
	modern_chrony(m, ev);
	step(3.0);
}

/* daemon-steps-logged */
SETUP(chrony_step_logged)
{
	modern_chrony(m, ev);
	*m = NULL;
	*ev = logs();
	logged(LOGSCAN_CHRONY_STEPPED, 1, 1, 12.0);
}
SETUP(chrony_step_logged_small)
{
	chrony_step_logged(m, ev);
	L.kinds[LOGSCAN_CHRONY_STEPPED].max_back_s = 0.4;
}
SETUP(chrony_step_logged_fwd)
{
	chrony_step_logged(m, ev);
	L.kinds[LOGSCAN_CHRONY_STEPPED].n_back = 0;
	L.kinds[LOGSCAN_CHRONY_STEPPED].max_back_s = 0;
	L.kinds[LOGSCAN_CHRONY_STEPPED].n_fwd = 1;
	L.kinds[LOGSCAN_CHRONY_STEPPED].max_fwd_s = 1.2;
}

/* divider-panic-risk, obsolete-divider-arg */
SETUP(el55_divider)
{
	el55_hyperv(m, ev);
	bootarg("clock", "pit");
	bootarg("notsc", NULL);
	bootarg("divider", "10");
}
SETUP(el58_divider)
{
	el58_hyperv(m, ev);
	bootarg("clock", "pit");
	bootarg("notsc", NULL);
	bootarg("divider", "10");
}
SETUP(el50_divider)
{
	el50_hyperv(m, ev);
	bootarg("divider", "10");
}
SETUP(vmw53_divider)
{
	(void)m; (void)ev;
	guest(HV_VMWARE, "2.6.18-128.el5", "tsc");
	khint("gtod-timer", "time.c: Using 1.193182 MHz WALL HPET GTOD HPET/TSC timer.");
	arch("x86_64"); /* env: the GTOD line is x86_64-only */
	bootarg("divider", "10");
	bootarg("notsc", NULL);
}
SETUP(modern_divider)
{
	modern_chrony(m, ev);
	bootarg("divider", "10");
}

/* obsolete-clock-arg */
SETUP(modern_clockpit)
{
	modern_chrony(m, ev);
	bootarg("clock", "pit");
}
SETUP(el55_clockpit)
{
	el55_hyperv(m, ev);
	bootarg("clock", "pit");
}

/* vmware-el-args */
SETUP(vmw53)
{
	(void)m; (void)ev;
	guest(HV_VMWARE, "2.6.18-128.el5", "tsc");
	khint("gtod-timer", "time.c: Using 1.193182 MHz WALL HPET GTOD HPET/TSC timer.");
	arch("x86_64"); /* env: the GTOD line is x86_64-only */
	run_daemon(DAEMON_NTPD)->slew_only = true;
}
SETUP(vmw53_notsc)
{
	vmw53(m, ev);
	bootarg("notsc", NULL);
}
SETUP(vmw53_full)
{
	vmw53(m, ev);
	bootarg("divider", "10");
	bootarg("notsc", NULL);
}
SETUP(vmw54)
{
	vmw53(m, ev);
	guest(HV_VMWARE, "2.6.18-164.el5", "tsc");
	run_daemon(DAEMON_NTPD);
}
SETUP(vmw53_noarch)
{
	(void)m; (void)ev;
	guest(HV_VMWARE, "2.6.18-128.el5", NULL);
	run_daemon(DAEMON_NTPD);
}
SETUP(vmw53_pae)
{
	vmw53_noarch(m, ev);
	guest(HV_VMWARE, "2.6.18-128.el5PAE", NULL);
	arch("i686"); /* env: from the PAE kernel's release */
}
SETUP(vmw53_pae_full)
{
	vmw53_pae(m, ev);
	bootarg("divider", "10");
	bootarg("clocksource", "acpi_pm");
}
SETUP(vmw53_drifting)
{
	vmw53(m, ev);
	pkg("ntp", "4.2.2p1");
	*m = drift(2000);
}

/* kvm-no-pvclock */
SETUP(el9_kvm)
{
	(void)ev;
	guest(HV_KVM, "5.14.0-362.8.1.el9_3.x86_64", "kvm-clock");
	run_daemon(DAEMON_CHRONYD);
	*m = drift(2);
}
SETUP(el9_kvm_acpipm)
{
	el9_kvm(m, ev);
	snprintf(E.clocksource.value, sizeof(E.clocksource.value), "acpi_pm");
	bootarg("no-kvmclock", NULL);
}
SETUP(el9_kvm_tsc)
{
	el9_kvm(m, ev);
	snprintf(E.clocksource.value, sizeof(E.clocksource.value), "tsc");
}
SETUP(el6_kvm_tsc)
{
	(void)m; (void)ev;
	guest(HV_KVM, "2.6.32-754.el6.x86_64", "tsc");
}
SETUP(el55_kvm_kvmclock)
{
	el55_kvm(m, ev);
}

/* hyperv-clocksource, clocksource-unstable */
SETUP(modern_hyperv_acpipm)
{
	modern_chrony(m, ev);
	snprintf(E.clocksource.value, sizeof(E.clocksource.value), "acpi_pm");
}
SETUP(modern_hyperv_nocs)
{
	modern_chrony(m, ev);
	E.clocksource.known = false;
	E.clocksource.value[0] = '\0';
}
SETUP(modern_tsc_unstable)
{
	modern_chrony(m, ev);
	E.hv = HV_NONE;
	khint("tsc-unstable", "tsc: Marking TSC unstable due to clocksource watchdog");
}
SETUP(modern_tsc_unstable_hyperv)
{
	modern_chrony(m, ev);
	khint("tsc-unstable", "tsc: Marking TSC unstable due to running on Hyper-V");
}
SETUP(modern_tsc_unstable_param)
{
	modern_chrony(m, ev);
	E.hv = HV_OTHER;
	bootarg("tsc", "unstable");
	khint("tsc-unstable", "tsc: Marking TSC unstable due to boot parameter");
}
SETUP(modern_unstable_logged_acpipm)
{
	modern_hyperv_acpipm(m, ev);
	*ev = logs();
	logged(LOGSCAN_CLOCKSOURCE_UNSTABLE, 1, 0, 0);
}

/* no-time-daemon */
SETUP(no_daemon)
{
	(void)ev;
	guest(HV_KVM, "5.14.0-362.8.1.el9_3.x86_64", "kvm-clock");
	*m = drift(20);
}
SETUP(no_daemon_fast)
{
	no_daemon(m, ev);
	*m = drift(50000);
}
SETUP(chronyd_x_only)
{
	struct env_daemon *d;

	no_daemon(m, ev);
	d = run_daemon(DAEMON_CHRONYD);
	snprintf(d->args, sizeof(d->args), "chronyd -x -d -u root -f /tmp/c.conf");
	d->hands_off = true; /* env: chronyd -x */
}
SETUP(chronyd_dx_and_ntpd)
{
	struct env_daemon *d;

	chronyd_x_only(m, ev);
	snprintf(E.daemons[DAEMON_CHRONYD].args, sizeof(E.daemons[0].args), "chronyd -dx");
	d = run_daemon(DAEMON_NTPD);
	snprintf(d->args, sizeof(d->args), "ntpd -u ntp:ntp -f /x-files");
}
SETUP(chronyd_file_x)
{
	chronyd_x_only(m, ev);
	snprintf(E.daemons[DAEMON_CHRONYD].args, sizeof(E.daemons[0].args),
		 "chronyd -f /etc/x-chrony.conf -u x");
	E.daemons[DAEMON_CHRONYD].hands_off = false;
}
SETUP(no_daemon_procs_unknown)
{
	no_daemon(m, ev);
	E.procs_known = false;
}
SETUP(no_daemon_phc2sys)
{
	no_daemon(m, ev);
	E.daemons[DAEMON_PHC2SYS].running = true;
}

/* xen-pv-wallclock */
SETUP(xen_pv)
{
	(void)m; (void)ev;
	guest(HV_XEN, "2.6.18-194.el5xen", "xen");
	run_daemon(DAEMON_NTPD);
}
SETUP(xen_pv_independent)
{
	xen_pv(m, ev);
	bootarg("xen.independent_wallclock", "1");
}
SETUP(xen_hvm_modern)
{
	(void)m; (void)ev;
	guest(HV_XEN, "5.14.0-362.8.1.el9_3.x86_64", "xen");
	run_daemon(DAEMON_CHRONYD);
}

/* hyperv-chrony-phc, hyperv-chrony-makestep */
SETUP(hyperv_ptp_no_refclock)
{
	modern_chrony(m, ev);
	E.ptp_hyperv.value = 1;
}
SETUP(hyperv_ptp_refclock)
{
	struct env_daemon *d;

	hyperv_ptp_no_refclock(m, ev);
	d = &E.daemons[DAEMON_CHRONYD];
	d->conf.refclock_phc = true;
	snprintf(d->conf.refclock_device, sizeof(d->conf.refclock_device), "/dev/ptp_hyperv");
	d->conf.has_makestep = true;
	d->conf.makestep_threshold_s = 1;
	d->conf.makestep_limit = -1;
}
SETUP(hyperv_ptp_absent)
{
	modern_chrony(m, ev);
	E.ptp_hyperv.value = 0;
}
SETUP(hyperv_ptp_makestep3)
{
	hyperv_ptp_refclock(m, ev);
	E.daemons[DAEMON_CHRONYD].conf.makestep_limit = 3;
}

static const struct rcase cases[] = {
	{ "CentOS 5.5 Hyper-V, no args", el55_hyperv, "el5-hyperv-clock", true,
	  RULES_WARNING, "el5-hyperv", "boots without `clock=pit notsc divider=10`" },
	{ "... drifting 5%", el55_hyperv_drifting, "el5-hyperv-clock", true,
	  RULES_CRITICAL, "el5-hyperv", "698842" },
	{ "... x86_64 with notsc", el55_hyperv_notsc_x64, "el5-hyperv-clock", false, 0, NULL, NULL },
	{ "... PAE with notsc only", el55_hyperv_pae_notsc, "el5-hyperv-clock", true,
	  RULES_WARNING, "el5-hyperv", NULL },
	{ "... PAE with notsc clock=pit", el55_hyperv_pae_fixed, "el5-hyperv-clock", false, 0, NULL, NULL },
	{ "... on KVM", el55_kvm, "el5-hyperv-clock", false, 0, NULL, NULL },
	{ "5.8 Hyper-V", el58_hyperv, "el5-hyperv-clock", true, RULES_WARNING, "el5-hyperv", NULL },
	{ "5.0 Hyper-V", el50_hyperv, "el5-hyperv-clock", true, RULES_WARNING,
	  "el5-hyperv-nodivider", "no divider= option" },
	{ "RHEL 6 Hyper-V", el6_hyperv, "el5-hyperv-clock", false, 0, NULL, NULL },

	{ "ntpd 4.2.2 at 5%", el55_hyperv_drifting, "drift-beyond-daemon", true,
	  RULES_CRITICAL, "el5-hyperv", "step this clock back by about 45 s every 15 minutes" },
	{ "... Dovecot named", el55_hyperv_drifting, "drift-beyond-daemon", true,
	  RULES_CRITICAL, NULL, "Dovecot 1.0.7 (before 2.0): every process, the master included" },
	{ "ntpd at 400 ppm", ntpd_400, "drift-beyond-daemon", false, 0, NULL, NULL },
	{ "chrony at 5%", chrony_50000, "drift-beyond-daemon", false, 0, NULL, NULL },
	{ "chrony at 12%", chrony_120000, "drift-beyond-daemon", true, RULES_CRITICAL,
	  NULL, "makestep 1 -1" },
	{ "chrony at 5% (high)", chrony_50000, "drift-high", true, RULES_WARNING, NULL,
	  "clock source is wrong" },
	{ "chrony at 400 ppm", chrony_400, "drift-high", false, 0, NULL, NULL },
	{ "chrony at 2 ppm", modern_chrony, "drift-high", false, 0, NULL, NULL },

	{ "frequency limit logged", el55_freq_logged, "ntpd-limit-logged", true,
	  RULES_CRITICAL, "el5-hyperv", NULL },
	{ "... but drift measured", el55_freq_logged_measured, "ntpd-limit-logged", false, 0, NULL, NULL },
	{ "drift file at 500", el55_driftfile_only, "ntpd-limit-logged", true,
	  RULES_CRITICAL, NULL, "pinned at the 500 ppm limit" },
	{ "steps logged", el55_steps_logged, "ntpd-limit-logged", true, RULES_CRITICAL,
	  NULL, "2 backward steps, the largest 45.1 s" },
	{ "drift file normal", el55_driftfile_normal, "ntpd-limit-logged", false, 0, NULL, NULL },

	{ "Dovecot killed itself", dovecot_fatal, "dovecot-time-backwards", true,
	  RULES_CRITICAL, NULL, "ntp-wait" },
	{ "Dovecot slept", dovecot_sleep, "dovecot-time-backwards", true, RULES_WARNING, NULL, NULL },
	{ "only Postfix", postfix_only, "dovecot-time-backwards", false, 0, NULL, NULL },

	{ "45 s back in the run, Dovecot 1.0.7", run_step_back_dovecot1, "steps-observed",
	  true, RULES_CRITICAL, NULL, "Dovecot 1.0.7" },
	{ "0.5 s back in the run", run_step_back_small, "steps-observed", true,
	  RULES_WARNING, NULL, "the largest 0.500 s" },
	{ "3 s forward in the run", run_step_forward, "steps-observed", false, 0, NULL, NULL },

	{ "chrony stepped back 12 s", chrony_step_logged, "daemon-steps-logged", true,
	  RULES_WARNING, NULL, "largest 12.0 s" },
	{ "chrony stepped back 0.4 s", chrony_step_logged_small, "daemon-steps-logged",
	  false, 0, NULL, NULL },
	{ "chrony stepped forward", chrony_step_logged_fwd, "daemon-steps-logged", false,
	  0, NULL, NULL },
	{ "ntpd steps (covered by ntpd-limit-logged)", el55_steps_logged,
	  "daemon-steps-logged", false, 0, NULL, NULL },

	{ "5.5 with divider=10", el55_divider, "divider-panic-risk", true, RULES_WARNING,
	  "el5-hyperv-nodivider", "`divider=10`" },
	{ "5.8 with divider=10", el58_divider, "divider-panic-risk", false, 0, NULL, NULL },
	{ "5.0 with divider=10", el50_divider, "divider-panic-risk", false, 0, NULL, NULL },
	{ "VMware 5.3 with divider", vmw53_divider, "divider-panic-risk", true,
	  RULES_WARNING, "vmware-el5.1-x86_64-nodivider", NULL },

	{ "5.15 with clock=pit", modern_clockpit, "obsolete-clock-arg", true,
	  RULES_WARNING, "modern", "`clock=pit`" },
	{ "5.15 without", modern_chrony, "obsolete-clock-arg", false, 0, NULL, NULL },
	{ "2.6.18 with clock=pit", el55_clockpit, "obsolete-clock-arg", false, 0, NULL, NULL },

	{ "5.15 with divider=10", modern_divider, "obsolete-divider-arg", true,
	  RULES_WARNING, "modern", NULL },
	{ "5.0 with divider=10 (obsolete)", el50_divider, "obsolete-divider-arg", true,
	  RULES_WARNING, NULL, "Remove `divider=10`" },
	{ "5.5 with divider=10 (exists)", el55_divider, "obsolete-divider-arg", false, 0, NULL, NULL },

	{ "VMware RHEL 5.3 x86_64", vmw53, "vmware-el-args", true, RULES_WARNING,
	  "vmware-el5.1-x86_64", "(x86_64)" },
	{ "... drifting past ntpd", vmw53_drifting, "vmware-el-args", true, RULES_CRITICAL,
	  "vmware-el5.1-x86_64", NULL },
	{ "... with notsc (variant)", vmw53_notsc, "vmware-el-args", false, 0, NULL, NULL },
	{ "... with divider=10 notsc", vmw53_full, "vmware-el-args", false, 0, NULL, NULL },
	{ "VMware RHEL 5.4", vmw54, "vmware-el-args", false, 0, NULL, NULL },
	{ "VMware 5.3, arch unknown", vmw53_noarch, "vmware-el-args", true, RULES_WARNING,
	  "vmware-el5.1-x86_64", "32-bit" },
	{ "VMware 5.3 PAE", vmw53_pae, "vmware-el-args", true, RULES_WARNING,
	  "vmware-el5.1-i686", NULL },
	{ "VMware 5.3 PAE with its args", vmw53_pae_full, "vmware-el-args", false, 0, NULL, NULL },

	{ "RHEL 9 KVM on acpi_pm", el9_kvm_acpipm, "kvm-no-pvclock", true, RULES_WARNING,
	  NULL, "no-kvmclock" },
	{ "RHEL 9 KVM on kvm-clock", el9_kvm, "kvm-no-pvclock", false, 0, NULL, NULL },
	{ "RHEL 9 KVM on tsc", el9_kvm_tsc, "kvm-no-pvclock", false, 0, NULL, NULL },
	{ "RHEL 6 KVM on tsc", el6_kvm_tsc, "kvm-no-pvclock", true, RULES_WARNING,
	  "kvm-el6", NULL },
	{ "RHEL 5.5 KVM with kvm-clock in the log", el55_kvm_kvmclock, "kvm-no-pvclock",
	  false, 0, NULL, NULL },

	{ "modern Hyper-V on acpi_pm", modern_hyperv_acpipm, "hyperv-clocksource", true,
	  RULES_WARNING, NULL, "acpi_pm" },
	{ "modern Hyper-V on the TSC page", modern_chrony, "hyperv-clocksource", false, 0, NULL, NULL },
	{ "modern Hyper-V, clocksource unknown", modern_hyperv_nocs, "hyperv-clocksource",
	  false, 0, NULL, NULL },
	{ "CentOS 5.5 Hyper-V (old kernel)", el55_hyperv, "hyperv-clocksource", false, 0, NULL, NULL },

	{ "TSC marked unstable", modern_tsc_unstable, "clocksource-unstable", true,
	  RULES_WARNING, NULL, "unstable" },
	{ "TSC unstable because Hyper-V", modern_tsc_unstable_hyperv, "clocksource-unstable",
	  false, 0, NULL, NULL },
	{ "TSC unstable because tsc=unstable", modern_tsc_unstable_param,
	  "clocksource-unstable", false, 0, NULL, NULL },
	{ "unstable, explained by hyperv-clocksource", modern_unstable_logged_acpipm,
	  "clocksource-unstable", false, 0, NULL, NULL },

	{ "no daemon", no_daemon, "no-time-daemon", true, RULES_WARNING, NULL, "1.73 s per day" },
	{ "no daemon, 5% fast", no_daemon_fast, "no-time-daemon", true, RULES_CRITICAL,
	  NULL, "runs ahead by 4320.0 s per day" },
	{ "only chronyd -x", chronyd_x_only, "no-time-daemon", true, RULES_WARNING,
	  NULL, "chronyd runs with -x" },
	{ "chronyd -dx and ntpd", chronyd_dx_and_ntpd, "no-time-daemon", false, 0, NULL, NULL },
	{ "chronyd -f x-chrony.conf", chronyd_file_x, "no-time-daemon", false, 0, NULL, NULL },
	{ "no process list", no_daemon_procs_unknown, "no-time-daemon", false, 0, NULL, NULL },
	{ "phc2sys runs", no_daemon_phc2sys, "no-time-daemon", false, 0, NULL, NULL },
	{ "chrony runs", modern_chrony, "no-time-daemon", false, 0, NULL, NULL },

	{ "Xen PV el5xen with ntpd", xen_pv, "xen-pv-wallclock", true, RULES_OK, NULL,
	  "independent_wallclock" },
	{ "... independent_wallclock=1", xen_pv_independent, "xen-pv-wallclock", false, 0, NULL, NULL },
	{ "Xen modern", xen_hvm_modern, "xen-pv-wallclock", false, 0, NULL, NULL },

	{ "Hyper-V PTP, no refclock", hyperv_ptp_no_refclock, "hyperv-chrony-phc", true,
	  RULES_OK, NULL, "refclock PHC /dev/ptp_hyperv poll 3 dpoll -2 offset 0 stratum 2" },
	{ "Hyper-V PTP with refclock", hyperv_ptp_refclock, "hyperv-chrony-phc", false, 0, NULL, NULL },
	{ "Hyper-V without PTP", hyperv_ptp_absent, "hyperv-chrony-phc", false, 0, NULL, NULL },
	{ "refclock, makestep 1 3", hyperv_ptp_makestep3, "hyperv-chrony-makestep", true,
	  RULES_OK, NULL, "makestep 1.0 -1" },
	{ "refclock, makestep 1 -1", hyperv_ptp_refclock, "hyperv-chrony-makestep", false, 0, NULL, NULL },
};

static bool finding_says(const struct rules_finding *f, const char *what)
{
	if (strstr(f->text, what) || strstr(f->consequence, what) ||
	    strstr(f->remedy_text, what) || strstr(f->remedy_note, what))
		return true;
	for (int i = 0; i < f->n_impact; i++)
		if (strstr(f->impact[i], what))
			return true;
	for (int i = 0; i < f->n_evidence; i++)
		if (strstr(f->evidence[i], what))
			return true;
	return false;
}

START_TEST(test_rule_cases)
{
	const struct rcase *c = &cases[_i];
	const struct measurement *m = NULL;
	const struct logscan *ev = NULL;
	const struct rules_finding *f;

	c->setup(&m, &ev);
	rules_evaluate(&E, m, ev, &R);
	f = finding(c->rule);
	if (!c->fires) {
		ck_assert_msg(f == NULL, "%s: %s fired: %s", c->name, c->rule, f ? f->text : "");
		return;
	}
	ck_assert_msg(f != NULL, "%s: %s did not fire", c->name, c->rule);
	ck_assert_msg(f->severity == c->severity, "%s: %s is %s, wanted %s", c->name,
		      c->rule, rules_severity_name(f->severity),
		      rules_severity_name(c->severity));
	ck_assert_msg(R.worst >= c->severity, "%s: worst below the finding", c->name);
	if (c->remedy)
		ck_assert_msg(f->remedy && !strcmp(f->remedy->id, c->remedy),
			      "%s: remedy %s, wanted %s", c->name,
			      f->remedy ? f->remedy->id : "none", c->remedy);
	if (c->says)
		ck_assert_msg(finding_says(f, c->says), "%s: '%s' not said in: %s / %s / %s",
			      c->name, c->says, f->text, f->consequence, f->remedy_text);
	ck_assert_ptr_nonnull(f->source);
	ck_assert(*f->text);
}
END_TEST

/* Every rule has a case where it fires and one where it must not. */
START_TEST(test_every_rule_covered)
{
	size_t n;
	const struct rules_info *info = rules_list(&n);

	ck_assert_uint_eq(n, rules_count());
	for (size_t i = 0; i < n; i++) {
		bool yes = false, no = false;

		for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++)
			if (!strcmp(cases[k].rule, info[i].id)) {
				yes |= cases[k].fires;
				no |= !cases[k].fires;
			}
		ck_assert_msg(yes && no, "rule %s lacks a %s case", info[i].id,
			      yes ? "must-not-fire" : "firing");
		ck_assert(info[i].summary && info[i].source);
	}
	/* and no case names a rule that does not exist */
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		bool found = false;

		for (size_t i = 0; i < n; i++)
			found |= !strcmp(cases[k].rule, info[i].id);
		ck_assert_msg(found, "case '%s' names unknown rule %s", cases[k].name, cases[k].rule);
	}
}
END_TEST

START_TEST(test_healthy_guest_gets_nothing)
{
	const struct measurement *m = NULL;
	const struct logscan *ev = NULL;
	struct strbuf sb = STRBUF_INIT;

	hyperv_ptp_refclock(&m, &ev);
	rules_evaluate(&E, m, logs(), &R);
	ck_assert_int_eq(R.n, 0);
	ck_assert_int_eq(R.worst, RULES_OK);
	rules_format_text(&R, &sb);
	ck_assert_ptr_nonnull(strstr(sb.buf, "OK        nothing to change: Hyper-V guest"));
	ck_assert_ptr_nonnull(strstr(sb.buf, "Remedy\n  nothing to change\n"));
	strbuf_release(&sb);
	/* no measurement and no logs at all: still nothing */
	rules_evaluate(&E, NULL, NULL, &R);
	ck_assert_int_eq(R.n, 0);
	ck_assert(!R.drift_known);
}
END_TEST

START_TEST(test_render_and_json)
{
	const struct measurement *m = NULL;
	const struct logscan *ev = NULL;
	struct strbuf sb = STRBUF_INIT;
	struct json j;

	el55_hyperv_drifting(&m, &ev);
	rules_evaluate(&E, m, ev, &R);
	ck_assert_int_eq(R.worst, RULES_CRITICAL);
	/* worst first */
	for (int i = 1; i < R.n; i++)
		ck_assert(R.findings[i - 1].advice <= R.findings[i].advice &&
			  (R.findings[i - 1].advice != R.findings[i].advice ||
			   R.findings[i - 1].severity >= R.findings[i].severity));
	rules_format_text(&R, &sb);
	ck_assert_ptr_nonnull(strstr(sb.buf, "Findings\n  CRITICAL  [el5-hyperv-clock]"));
	ck_assert_ptr_nonnull(strstr(sb.buf, "\nRemedy\n  el5-hyperv: "));
	ck_assert_ptr_nonnull(strstr(sb.buf, "add to the kernel line:      clock=pit notsc divider=10"));
	ck_assert_ptr_nonnull(strstr(sb.buf, "apply: hvclock grub --profile el5-hyperv --apply"));
	ck_assert_ptr_nonnull(strstr(sb.buf, "apply: hvclock grub --profile el5-hyperv-nodivider --apply"));
	/* the profile is listed once though two findings name it */
	ck_assert_ptr_null(strstr(strstr(sb.buf, "--profile el5-hyperv --apply") + 1,
				  "--profile el5-hyperv --apply"));
	strbuf_reset(&sb);
	json_init(&j, &sb, false);
	rules_to_json(&R, &j, NULL);
	ck_assert_ptr_nonnull(strstr(sb.buf, "\"worst\":\"CRITICAL\",\"exit_code\":2"));
	ck_assert_ptr_nonnull(strstr(sb.buf, "\"rule_ids\":[\"el5-hyperv-clock\",\"drift-beyond-daemon\"]"));
	ck_assert_ptr_nonnull(strstr(sb.buf, "\"remedy_ids\":[\"el5-hyperv\",\"el5-hyperv-nodivider\"]"));
	ck_assert_ptr_nonnull(strstr(sb.buf, "\"command\":\"hvclock grub --profile el5-hyperv --apply\""));
	ck_assert_ptr_nonnull(strstr(sb.buf, "\"outcome\":\"steps\""));
	strbuf_release(&sb);
}
END_TEST

/* ------------------------------------------------ scenarios from trees */

static void scenario(const char *rel, double ppm)
{
	char err[UTIL_ERRMAX];

	ck_assert_msg(!sysroot_set(testutil_fixture(rel), err), "%s", err);
	env_probe(&E);
	logscan_scan(E.daemons[DAEMON_NTPD].conf.driftfile,
		     E.daemons[DAEMON_CHRONYD].conf.driftfile, &L);
	rules_evaluate(&E, isnan(ppm) ? NULL : drift(ppm), &L, &R);
	sysroot_set(NULL, NULL);
}

static void text_of(struct strbuf *sb)
{
	strbuf_reset(sb);
	rules_format_text(&R, sb);
}

START_TEST(test_scenario_centos55_hyperv)
{
	struct strbuf sb = STRBUF_INIT;
	const struct rules_finding *f;

	/* gaining 3 minutes per hour */
	scenario("rules/centos55-hyperv", 180.0 / 3600 * 1e6);
	ck_assert_int_eq(R.worst, RULES_CRITICAL);
	f = finding("drift-beyond-daemon");
	ck_assert_ptr_nonnull(f);
	ck_assert_msg(strstr(f->consequence, "ntpd 4.2.2p1 will step this clock back by "
			     "about 45 s every 15 minutes"), "%s", f->consequence);
	ck_assert(finding_says(f, "Dovecot 1.0.7 (before 2.0): every process, the master included, exits"));
	f = finding("el5-hyperv-clock");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->severity, RULES_CRITICAL);
	ck_assert_str_eq(f->remedy->id, "el5-hyperv");
	ck_assert_str_eq(f->remedy->add_args, "clock=pit notsc divider=10");
	ck_assert_str_eq(f->alt_remedy->id, "el5-hyperv-nodivider");
	ck_assert_ptr_nonnull(strstr(f->remedy_note, "RHEL/CentOS 5.5"));
	ck_assert_ptr_nonnull(strstr(f->remedy_note, "BZ 698842"));
	ck_assert(finding_says(f, "lost ticks"));   /* kernel log evidence */
	ck_assert_ptr_nonnull(finding("dovecot-time-backwards"));
	ck_assert_ptr_null(finding("ntpd-limit-logged"));  /* measured instead */
	text_of(&sb);
	ck_assert_ptr_nonnull(strstr(sb.buf, "apply: hvclock grub --profile el5-hyperv --apply"));
	ck_assert_ptr_nonnull(strstr(sb.buf, "On x86_64 2.6.18 `notsc` is the part"));
	ck_assert_ptr_nonnull(strstr(sb.buf, "log: ntpd stepped the clock: 3 times"));
	strbuf_release(&sb);

	/* the same machine without a measurement: the logs alone say it */
	scenario("rules/centos55-hyperv", NAN);
	ck_assert_int_eq(R.worst, RULES_CRITICAL);
	ck_assert_ptr_nonnull(finding("ntpd-limit-logged"));
	ck_assert_int_eq(finding("el5-hyperv-clock")->severity, RULES_CRITICAL);
}
END_TEST

START_TEST(test_scenario_centos55_near_misses)
{
	scenario("rules/centos55-hyperv-fixed", 20);
	ck_assert_int_eq(R.n, 0);
	ck_assert_int_eq(R.worst, RULES_OK);
	scenario("rules/centos55-hyperv-divider", 20);
	ck_assert_int_eq(R.n, 1);
	ck_assert_str_eq(R.findings[0].rule_id, "divider-panic-risk");
	ck_assert_str_eq(R.findings[0].remedy->id, "el5-hyperv-nodivider");
	scenario("rules/centos58-hyperv-divider", 20);
	ck_assert_int_eq(R.n, 0);
}
END_TEST

START_TEST(test_scenario_modern_ok)
{
	struct strbuf sb = STRBUF_INIT;

	scenario("rules/ubuntu2204-hyperv-ptp", 2);
	ck_assert_msg(R.n == 0, "%d findings, first %s", R.n, R.n ? R.findings[0].rule_id : "");
	ck_assert_int_eq(R.worst, RULES_OK);
	text_of(&sb);
	ck_assert_ptr_nonnull(strstr(sb.buf, "nothing to change: Hyper-V guest, kernel "
				     "5.15.0-1051-azure"));
	ck_assert_ptr_nonnull(strstr(sb.buf, "hyperv_clocksource_tsc_page"));
	scenario("rules/rhel9-kvm", 2);
	ck_assert_int_eq(R.n, 0);
	ck_assert_int_eq(R.worst, RULES_OK);
	/* without the refclock: advice, still OK */
	scenario("rules/ubuntu2204-hyperv-nophc", 2);
	ck_assert_int_eq(R.worst, RULES_OK);
	ck_assert_int_eq(R.n, 1);
	ck_assert(R.findings[0].advice);
	strbuf_release(&sb);
}
END_TEST

START_TEST(test_scenario_modern_clock_pit)
{
	const struct rules_finding *f;

	scenario("rules/ubuntu2204-hyperv-clockpit", 2);
	ck_assert_int_eq(R.worst, RULES_WARNING);
	ck_assert_int_eq(R.n, 1);
	f = finding("obsolete-clock-arg");
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->remedy->id, "modern");
	ck_assert(finding_says(f, "clock= boot option is deprecated"));
}
END_TEST

START_TEST(test_scenario_vmware_rhel5)
{
	const struct rules_finding *f;
	struct strbuf sb = STRBUF_INIT;

	scenario("rules/vmware-rhel53", NAN);
	ck_assert_int_eq(R.worst, RULES_WARNING);
	f = finding("vmware-el-args");
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->remedy->id, "vmware-el5.1-x86_64");
	ck_assert(f->remedy->unconfirmed);
	ck_assert_str_eq(f->alt_remedy->id, "vmware-el5.1-x86_64-nodivider");
	text_of(&sb);
	ck_assert_ptr_nonnull(strstr(sb.buf, "UNCONFIRMED"));
	/* ntpd -x at 2000 ppm: a slow sawtooth of 600+ s steps */
	scenario("rules/vmware-rhel53", 2000);
	ck_assert_int_eq(R.worst, RULES_CRITICAL);
	ck_assert_ptr_nonnull(strstr(finding("drift-beyond-daemon")->consequence, "600"));
	scenario("rules/vmware-rhel53-fixed", NAN);
	ck_assert_int_eq(R.n, 0);
	strbuf_release(&sb);
}
END_TEST

START_TEST(test_scenario_clocksources)
{
	scenario("rules/rhel9-kvm-acpipm", 2);
	ck_assert_int_eq(R.worst, RULES_WARNING);
	ck_assert_ptr_nonnull(finding("kvm-no-pvclock"));
	scenario("rules/ubuntu2204-hyperv-acpipm", 2);
	ck_assert_ptr_nonnull(finding("hyperv-clocksource"));
	ck_assert(finding_says(finding("hyperv-clocksource"), "as unstable because the skew"));
}
END_TEST

Suite *rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("cases");
	TCase *sc = tcase_create("scenarios");

	tcase_add_loop_test(tc, test_rule_cases, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_every_rule_covered);
	tcase_add_test(tc, test_healthy_guest_gets_nothing);
	tcase_add_test(tc, test_render_and_json);
	suite_add_tcase(s, tc);
	tcase_add_test(sc, test_scenario_centos55_hyperv);
	tcase_add_test(sc, test_scenario_centos55_near_misses);
	tcase_add_test(sc, test_scenario_modern_ok);
	tcase_add_test(sc, test_scenario_modern_clock_pit);
	tcase_add_test(sc, test_scenario_vmware_rhel5);
	tcase_add_test(sc, test_scenario_clocksources);
	suite_add_tcase(s, sc);
	return s;
}
