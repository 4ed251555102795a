/*
 * rules.c - the rule table, its evaluator and the two renderings.
 *
 * Each rule is one row of `table`: conditions as columns (hypervisor,
 * kernel range, RHEL release of the kernel, clocksource, boot arguments
 * present or absent, time daemon, measured drift, evidence from the logs),
 * plus a `when` function only for what columns cannot say. A row carries
 * its finding as a template, its remedy (a profile from remedy.c and/or
 * exact configuration lines) and its source. Conditions are strict: a rule
 * that cannot tell (clocksource unknown, no process list) stays silent.
 *
 * Consequences come from predict.c (what the daemon will do with the
 * drift) and impact.c (who is hurt by steps of that size); evidence from
 * logscan.c and the environment's kernel-log hints.
 *
 * Facts and their sources: /work/shared/reference/timekeeping.md.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "util.h"

#define HVM(v) (1u << (v))
#define EVM(k) (1u << (k))
#define D_ANY (-2)
#define D_NONE (-1)

/* What every rule looks at, worked out once. */
struct ctx {
	const struct env *e;
	const struct measurement *m;
	const struct logscan *ev;
	int daemon;                  /* active daemon kind, -1 none */
	bool drift_known;
	double drift_ppm;            /* ppm, positive = fast */
	const char *drift_kind;      /* "raw clock" or "system clock" */
	bool pred_valid;
	struct predict_result pred;
	const char *arch;            /* "x86_64", "i686", NULL unknown */
	int el_major, el_minor;      /* the kernel's RHEL-family release */
	int log_back_n;              /* backward steps the daemons logged */
	double log_back_max;         /* s */
	int run_back_n;              /* backward steps seen during the run */
	double run_back_max;         /* s */
	struct rules_result *out;
};

enum conseq { C_NONE, C_DRIFT, C_LOG_STEPS, C_RUN_STEPS };

struct rule {
	const char *id;
	enum rules_severity severity;
	bool advice;                 /* an OK-level suggestion */
	const char *summary;
	unsigned hv;                 /* HVM() mask; 0 = any */
	int kmin[3], kmax[3];        /* kernel range, inclusive; {0} = open */
	int el_major;                /* kernel's RHEL release; 0 = any */
	const char *cs_in;           /* current clocksource one of these */
	const char *cs_not_in;       /* current clocksource known, none of these */
	const char *args_any;        /* at least one of these boot args */
	const char *args_none;       /* none of these boot args */
	int daemon;                  /* D_ANY, D_NONE or enum daemon_kind */
	unsigned ev_shown;           /* logscan kinds shown as evidence */
	const char *hints_shown;     /* env kernel-log hints shown as evidence */
	const char *unless;          /* silent when one of these rules fired */
	bool (*when)(const struct ctx *c);
	enum rules_severity (*grade)(const struct ctx *c, enum rules_severity base);
	const char *finding;         /* template, see expand() */
	void (*remedy)(const struct ctx *c, struct rules_finding *f);
	const char *config;          /* exact lines (template), or NULL */
	enum conseq conseq;
	const char *source;
};

/* ------------------------------------------------------------ helpers */

static bool word_in(const char *list, const char *w)
{
	size_t n = strlen(w);

	if (!list || !n)
		return false;
	for (const char *p = list; *p;) {
		size_t k;

		p += strspn(p, " ");
		k = strcspn(p, " ");
		if (k == n && !strncmp(p, w, n))
			return true;
		p += k;
	}
	return false;
}

static const struct env_bootarg *arg(const struct ctx *c, const char *key)
{
	return env_time_arg(c->e, key);
}

/* Whether every "key" / "key=value" of list is on the kernel line. */
static bool args_satisfy(const struct ctx *c, const char *list)
{
	char tok[96];

	if (!list)
		return true;
	for (const char *p = list; *p;) {
		size_t k;
		const struct env_bootarg *a;
		char *eq;

		p += strspn(p, " ");
		k = strcspn(p, " ");
		if (!k)
			break;
		snprintf(tok, sizeof(tok), "%.*s", (int)k, p);
		p += k;
		eq = strchr(tok, '=');
		if (eq)
			*eq = '\0';
		a = arg(c, tok);
		if (!a)
			return false;
		if (eq && (!a->has_value || strcmp(a->value, eq + 1)))
			return false;
	}
	return true;
}

static bool args_any(const struct ctx *c, const char *list)
{
	char tok[64];

	for (const char *p = list; p && *p;) {
		size_t k;

		p += strspn(p, " ");
		k = strcspn(p, " ");
		if (!k)
			break;
		snprintf(tok, sizeof(tok), "%.*s", (int)k, p);
		p += k;
		if (arg(c, tok))
			return true;
	}
	return false;
}

static const char *cs(const struct ctx *c)
{
	return c->e->clocksource.known ? c->e->clocksource.value : NULL;
}

static const struct env_hint *hint(const struct ctx *c, const char *id)
{
	for (int i = 0; i < c->e->n_hints; i++)
		if (!strcmp(c->e->hints[i].id, id))
			return &c->e->hints[i];
	return NULL;
}

static int evc(const struct ctx *c, enum logscan_kind k)
{
	return c->ev ? c->ev->kinds[k].count : 0;
}

static bool kernel_has_divider(const struct ctx *c)
{
	/* RHEL 4.7+ and 5.1+ only (Red Hat virtualization guides). */
	return (c->el_major == 4 && c->el_minor >= 7) ||
	       (c->el_major == 5 && c->el_minor >= 1);
}

static bool kernel_in(const struct ctx *c, const int kmin[3], const int kmax[3])
{
	const struct kver *k = &c->e->kver;
	bool open_min = !kmin[0] && !kmin[1] && !kmin[2];
	bool open_max = !kmax[0] && !kmax[1] && !kmax[2];

	if (open_min && open_max)
		return true;
	if (!c->e->kernel_release.known || !k->valid)
		return false;
	if (!open_min && kver_cmp(k, kmin[0], kmin[1], kmin[2]) < 0)
		return false;
	if (!open_max && kver_cmp(k, kmax[0], kmax[1], kmax[2]) > 0)
		return false;
	return true;
}

static void drift_words(double ppm, char *buf, size_t len)
{
	double per_h = fabs(ppm) * 1e-6 * 3600;
	const char *dir = ppm >= 0 ? "fast" : "slow";

	if (per_h >= 120)
		snprintf(buf, len, "%+.0f ppm (%s by %.1f minutes per hour)", ppm, dir,
			 per_h / 60);
	else if (per_h >= 1)
		snprintf(buf, len, "%+.0f ppm (%s by %.1f s per hour)", ppm, dir, per_h);
	else
		snprintf(buf, len, "%+.1f ppm (%s by %.2f s per day)", ppm, dir,
			 fabs(ppm) * 1e-6 * 86400);
}

static const char *daemon_label(const struct ctx *c)
{
	if (c->pred_valid)
		return c->pred.daemon;
	return c->daemon >= 0 ? daemons_id((enum daemon_kind)c->daemon) : "no time daemon";
}

/*
 * Template expansion: {kernel} {el} {hv} {cs} {daemon} {drift} {arch}
 * {ptp} {capacity} {arg:KEY} (as on the kernel line).
 */
static void expand(const struct ctx *c, const char *t, char *out, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	char tmp[128];

	for (const char *p = t; *p;) {
		const char *close;
		size_t n;

		if (*p != '{' || !(close = strchr(p, '}'))) {
			strbuf_addch(&sb, *p++);
			continue;
		}
		n = (size_t)(close - p - 1);
		snprintf(tmp, sizeof(tmp), "%.*s", (int)(n < sizeof(tmp) - 1 ? n : sizeof(tmp) - 1), p + 1);
		p = close + 1;
		if (!strcmp(tmp, "kernel"))
			strbuf_addstr(&sb, c->e->kernel_release.known ?
				      c->e->kernel_release.value : "(unknown kernel)");
		else if (!strcmp(tmp, "el")) {
			if (c->el_minor >= 0)
				strbuf_addf(&sb, "%d.%d", c->el_major, c->el_minor);
			else
				strbuf_addf(&sb, "%d", c->el_major);
		} else if (!strcmp(tmp, "hv"))
			strbuf_addstr(&sb, hypervisor_name(c->e->hv));
		else if (!strcmp(tmp, "cs"))
			strbuf_addstr(&sb, cs(c) ? cs(c) : "(unknown)");
		else if (!strcmp(tmp, "daemon"))
			strbuf_addstr(&sb, daemon_label(c));
		else if (!strcmp(tmp, "drift")) {
			char d[96];

			drift_words(c->drift_ppm, d, sizeof(d));
			strbuf_addstr(&sb, c->drift_known ? d : "(not measured)");
		} else if (!strcmp(tmp, "capacity"))
			strbuf_addf(&sb, "%.0f ppm", c->pred.capacity_ppm);
		else if (!strcmp(tmp, "arch"))
			strbuf_addstr(&sb, c->arch ? c->arch : "unknown architecture");
		else if (!strcmp(tmp, "ptp"))
			strbuf_addstr(&sb, "/dev/ptp_hyperv");
		else if (util_startswith(tmp, "arg:")) {
			const struct env_bootarg *a = arg(c, tmp + 4);

			if (a && a->has_value)
				strbuf_addf(&sb, "%s=%s", a->key, a->value);
			else
				strbuf_addstr(&sb, a ? a->key : tmp + 4);
		} else
			strbuf_addf(&sb, "{%s}", tmp);
	}
	snprintf(out, len, "%s", sb.buf);
	strbuf_release(&sb);
}

static bool fired(const struct ctx *c, const char *id)
{
	for (int i = 0; i < c->out->n; i++)
		if (!strcmp(c->out->findings[i].rule_id, id))
			return true;
	return false;
}

/* The clock is visibly going wrong: the daemon cannot keep up, or the logs
 * show it hitting its limits, stepping back again and again, or Dovecot
 * dying of it. */
static bool happening(const struct ctx *c)
{
	if (c->pred_valid && (c->pred.outcome == PREDICT_STEPS ||
			      c->pred.outcome == PREDICT_EXITS ||
			      c->pred.outcome == PREDICT_RUNS_AWAY ||
			      c->pred.outcome == PREDICT_CANNOT_KEEP_UP))
		return true;
	if (!c->ev)
		return false;
	return evc(c, LOGSCAN_NTPD_FREQ_LIMIT) || evc(c, LOGSCAN_NTPD_PANIC) ||
	       c->ev->ntp_drift_at_limit || c->log_back_n >= 2 ||
	       evc(c, LOGSCAN_DOVECOT_FATAL);
}

static enum rules_severity grade_happening(const struct ctx *c, enum rules_severity base)
{
	return happening(c) ? RULES_CRITICAL : base;
}

static const char *dovecot_version(const struct ctx *c)
{
	const struct env_pkg *p = env_pkg(c->e, "dovecot");

	return p ? p->version : NULL;
}

/* A backward step that kills installed software is critical. */
static enum rules_severity grade_step(const struct ctx *c, double back)
{
	char text[400];

	if (impact_dovecot(dovecot_version(c), back, text, sizeof(text)) ==
	    IMPACT_FAILS && dovecot_version(c))
		return RULES_CRITICAL;
	return RULES_WARNING;
}

static enum rules_severity grade_log_steps(const struct ctx *c, enum rules_severity base)
{
	(void)base;
	return grade_step(c, c->log_back_max);
}

static enum rules_severity grade_run_steps(const struct ctx *c, enum rules_severity base)
{
	(void)base;
	return grade_step(c, c->run_back_max);
}

/* ------------------------------------------------------ remedy pickers */

static const struct remedy *first_applying(const struct ctx *c, const char *prefix,
					   const char *arch, bool variants)
{
	size_t n;
	const struct remedy *t = remedy_table(&n);

	if (!c->e->kernel_release.known)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (!util_startswith(t[i].id, prefix))
			continue;
		if (!variants && util_endswith(t[i].id, "-nodivider"))
			continue;
		if (arch && t[i].arch && strcmp(t[i].arch, arch))
			continue;
		if (remedy_applies_to_kernel(&t[i], &c->e->kver, arch))
			return &t[i];
	}
	return NULL;
}

/* Offers r's variant without divider= when this kernel is one BZ 698842
 * can panic. */
static void offer_variant(const struct ctx *c, struct rules_finding *f)
{
	const struct remedy *v;

	if (!f->remedy || !f->remedy->variant || !remedy_list_has(f->remedy->add_args, "divider"))
		return;
	v = remedy_find(f->remedy->variant);
	if (!v || !remedy_applies_to_kernel(v, &c->e->kver, c->arch))
		return;
	if (c->el_major == 4 || (c->el_major == 5 && c->el_minor < 8)) {
		f->alt_remedy = v;
		snprintf(f->remedy_note, sizeof(f->remedy_note),
			 "This kernel is RHEL/CentOS %d.%d (build %d): divider= can panic "
			 "it (Red Hat BZ 698842, fixed in 5.8). To avoid that risk use the "
			 "variant without divider=: %s.", c->el_major, c->el_minor,
			 c->e->kver.el_build, v->add_args ? v->add_args : "(none)");
	}
}

static void remedy_el5_hyperv(const struct ctx *c, struct rules_finding *f)
{
	if (c->el_minor >= 1) {
		f->remedy = remedy_find("el5-hyperv");
		offer_variant(c, f);
		return;
	}
	f->remedy = remedy_find("el5-hyperv-nodivider");
	snprintf(f->remedy_note, sizeof(f->remedy_note), "%s",
		 c->el_minor == 0 ? "RHEL/CentOS 5.0 kernels have no divider= option: "
		 "the variant without it is the one for this kernel." :
		 "The point release of this kernel is unknown, so the variant "
		 "without divider= (which can panic kernels before 5.8, BZ 698842) "
		 "is the safe choice.");
}

static void remedy_vmware(const struct ctx *c, struct rules_finding *f)
{
	if (c->arch) {
		f->remedy = first_applying(c, "vmware-", c->arch, false);
	} else {
		/* Which row depends on the kernel's architecture. */
		f->remedy = first_applying(c, "vmware-", "x86_64", false);
		f->alt_remedy = first_applying(c, "vmware-", "i686", false);
		if (f->remedy && f->alt_remedy && f->remedy != f->alt_remedy) {
			snprintf(f->remedy_note, sizeof(f->remedy_note),
				 "The kernel's architecture is not known here (uname -m): "
				 "the first profile is for x86_64 kernels, the second (%s) "
				 "for 32-bit ones.", f->alt_remedy->add_args ?
				 f->alt_remedy->add_args : "no arguments");
			return;
		}
		f->alt_remedy = NULL;
	}
	offer_variant(c, f);
}

static void remedy_kvm(const struct ctx *c, struct rules_finding *f)
{
	if (c->el_major == 6) {
		f->remedy = remedy_find("kvm-el6");
		return;
	}
	if (c->el_major == 5) {
		if (c->arch) {
			f->remedy = first_applying(c, "kvm-el5", c->arch, false);
		} else {
			f->remedy = first_applying(c, "kvm-el5", "x86_64", false);
			f->alt_remedy = first_applying(c, "kvm-el5", "i686", false);
			if (f->alt_remedy)
				snprintf(f->remedy_note, sizeof(f->remedy_note),
					 "The kernel's architecture is not known here "
					 "(uname -m): the first profile is for x86_64 kernels, "
					 "the second for 32-bit ones.");
		}
		if (f->remedy)
			return;
	}
	if (args_any(c, "no-kvmclock clocksource clock notsc"))
		snprintf(f->remedy_text, sizeof(f->remedy_text),
			 "Remove what keeps kvm-clock away from the kernel line (%s%s%s%s).",
			 arg(c, "no-kvmclock") ? "no-kvmclock " : "",
			 arg(c, "clocksource") ? "clocksource= " : "",
			 arg(c, "clock") ? "clock= " : "", arg(c, "notsc") ? "notsc" : "");
	else
		snprintf(f->remedy_text, sizeof(f->remedy_text),
			 "Check that the host offers kvm-clock (KVM paravirtual clock) "
			 "and why the kernel did not pick it (clocksource messages in "
			 "the kernel log).");
}

static void remedy_modern(const struct ctx *c, struct rules_finding *f)
{
	const struct remedy *r = remedy_find("modern");

	if (r && remedy_applies_to_kernel(r, &c->e->kver, c->arch))
		f->remedy = r;
	else
		expand(c, arg(c, "divider") ? "Remove `{arg:divider}` from the kernel line." :
		       "Remove `{arg:clock}` from the kernel line.", f->remedy_text,
		       sizeof(f->remedy_text));
}

static void remedy_divider(const struct ctx *c, struct rules_finding *f)
{
	if (c->e->hv == HV_HYPERV && c->el_major == 5) {
		f->remedy = remedy_find("el5-hyperv-nodivider");
		return;
	}
	if (c->e->hv == HV_VMWARE) {
		const struct remedy *r = first_applying(c, "vmware-", c->arch, true);

		/* The row's variant without divider=, when it has one. */
		if (r && r->variant)
			r = remedy_find(r->variant);
		if (r && remedy_list_has(r->remove_args, "divider")) {
			f->remedy = r;
			return;
		}
	}
	snprintf(f->remedy_text, sizeof(f->remedy_text),
		 "Remove divider=%s from the kernel line.",
		 arg(c, "divider") && arg(c, "divider")->has_value ?
		 arg(c, "divider")->value : "");
}

static bool when_el5_hyperv(const struct ctx *c);
static bool when_vmware(const struct ctx *c);
static bool when_kvm(const struct ctx *c);

/* The boot remedy for the guest's hypervisor and kernel, for findings
 * about the drift itself: the same profile the hypervisor rule gives. */
static void remedy_for_guest(const struct ctx *c, struct rules_finding *f)
{
	if (c->e->hv == HV_HYPERV && c->el_major == 5 && kernel_in(c,
	    (const int[3]){ 2, 6, 18 }, (const int[3]){ 2, 6, 18 }) && when_el5_hyperv(c)) {
		remedy_el5_hyperv(c, f);
		return;
	}
	if (c->e->hv == HV_VMWARE && when_vmware(c)) {
		remedy_vmware(c, f);
		if (f->remedy)
			return;
	}
	if (c->e->hv == HV_KVM && when_kvm(c)) {
		remedy_kvm(c, f);
		if (f->remedy)
			return;
		f->alt_remedy = NULL;
		f->remedy_note[0] = '\0';
	}
	snprintf(f->remedy_text, sizeof(f->remedy_text),
		 "A clock this far off means the guest's clock source is wrong: fix "
		 "that (see the other findings; on %s the paravirtual clock is the "
		 "one to use) rather than tuning the daemon around it.",
		 hypervisor_name(c->e->hv));
}

static void remedy_dovecot(const struct ctx *c, struct rules_finding *f)
{
	(void)c;
	snprintf(f->remedy_text, sizeof(f->remedy_text),
		 "Fix the clock (see the other findings). Dovecot's own advice: keep "
		 "time with ntpd or chrony, not ntpdate from cron, and start it (or "
		 "ntp-wait) before Dovecot.");
}

static void remedy_no_daemon(const struct ctx *c, struct rules_finding *f)
{
	if (c->e->hv == HV_HYPERV && c->e->ptp_hyperv.value == 1)
		snprintf(f->remedy_text, sizeof(f->remedy_text),
			 "Install chrony and add to chrony.conf:\n"
			 "refclock PHC /dev/ptp_hyperv poll 3 dpoll -2 offset 0 stratum 2\n"
			 "makestep 1.0 -1");
	else
		snprintf(f->remedy_text, sizeof(f->remedy_text),
			 "Install and enable chrony (or ntpd) with at least one NTP server.");
}

static void remedy_clocksource_hyperv(const struct ctx *c, struct rules_finding *f)
{
	if (arg(c, "clock")) {
		remedy_modern(c, f);
		return;
	}
	if (args_any(c, "clocksource notsc"))
		snprintf(f->remedy_text, sizeof(f->remedy_text),
			 "Remove %s%sfrom the kernel line so the kernel can use Hyper-V's "
			 "reference clock.", arg(c, "clocksource") ? "clocksource= " : "",
			 arg(c, "notsc") ? "notsc " : "");
	else
		snprintf(f->remedy_text, sizeof(f->remedy_text),
			 "Find out why the kernel left Hyper-V's clock (the clocksource "
			 "messages shown); the reference TSC page is the one to run on.");
}

static void remedy_unstable(const struct ctx *c, struct rules_finding *f)
{
	snprintf(f->remedy_text, sizeof(f->remedy_text),
		 "Check which clocksource the kernel fell back to "
		 "(/sys/devices/system/clocksource/clocksource0/current_clocksource); "
		 "on %s the paravirtual clock is the one to run on.",
		 hypervisor_name(c->e->hv));
}

/* ----------------------------------------------------- rule conditions */

/* CentOS/RHEL 5 on Hyper-V without the boot arguments: on x86_64 notsc
 * is the working part; on 32-bit clock=pit (or clocksource=) too. */
static bool when_el5_hyperv(const struct ctx *c)
{
	if (!arg(c, "notsc"))
		return true;
	if (c->arch && !strcmp(c->arch, "x86_64"))
		return false;
	return !arg(c, "clock") && !arg(c, "clocksource");
}

static bool when_divider_risk(const struct ctx *c)
{
	return kernel_has_divider(c) && (c->el_major == 4 || c->el_minor < 8);
}

static bool when_divider_useless(const struct ctx *c)
{
	return c->e->kernel_release.known && !kernel_has_divider(c) &&
	       !(c->el_major == 5 && c->el_minor < 0);
}

static bool when_vmware(const struct ctx *c)
{
	struct rules_finding f;

	if (c->el_major != 4 && c->el_major != 5)
		return false;
	memset(&f, 0, sizeof(f));
	remedy_vmware(c, &f);
	for (int i = 0; i < 2; i++) {
		const struct remedy *r = i ? f.alt_remedy : f.remedy;
		const struct remedy *v;

		if (!r)
			continue;
		if (args_satisfy(c, r->add_args))
			return false;
		/* The variant without divider= counts as done. */
		v = r->variant ? remedy_find(r->variant) : NULL;
		if (v && args_satisfy(c, v->add_args) && !arg(c, "divider"))
			return false;
	}
	return f.remedy && (f.remedy->add_args || (f.alt_remedy && f.alt_remedy->add_args));
}

static bool when_kvm(const struct ctx *c)
{
	const char *s = cs(c);

	if (!s || !strcmp(s, "kvm-clock") || hint(c, "kvm-clock"))
		return false;
	/* tsc is only known bad on the old kernels Red Hat's table covers. */
	if (!strcmp(s, "tsc") && !(c->el_major == 5 || c->el_major == 6))
		return false;
	return true;
}

static bool when_hyperv_phc(const struct ctx *c)
{
	const struct daemon_conf *k = &c->e->daemons[DAEMON_CHRONYD].conf;

	return c->e->ptp_hyperv.value == 1 && !k->refclock_phc;
}

static bool when_hyperv_makestep(const struct ctx *c)
{
	const struct daemon_conf *k = &c->e->daemons[DAEMON_CHRONYD].conf;

	return k->refclock_phc && !(k->has_makestep && k->makestep_limit < 0);
}

static bool when_xen(const struct ctx *c)
{
	const struct env_bootarg *a = arg(c, "xen.independent_wallclock");
	bool xenified = strstr(c->e->kver.local, "xen") != NULL ||
		(c->e->kver.valid && kver_cmp(&c->e->kver, 2, 6, 26) <= 0);

	if (!xenified || (c->daemon != DAEMON_NTPD && c->daemon != DAEMON_CHRONYD))
		return false;
	if (!(cs(c) && !strcmp(cs(c), "xen")) && !strstr(c->e->kver.local, "xen"))
		return false;
	return !a || !a->has_value || strcmp(a->value, "1");
}

/* The TSC marked unstable on purpose (Hyper-V guests of some kernel
 * versions; tsc=unstable on the kernel line), not found wrong. */
static bool benign_hint(const struct env_hint *h)
{
	return strstr(h->first, "running on Hyper-V") != NULL ||
	       strstr(h->first, "due to boot parameter") != NULL;
}

static bool when_unstable(const struct ctx *c)
{
	const struct env_hint *h;

	if (evc(c, LOGSCAN_CLOCKSOURCE_UNSTABLE) || evc(c, LOGSCAN_TSC_UNSTABLE))
		return true;
	if ((h = hint(c, "clocksource-unstable")) && !benign_hint(h))
		return true;
	return (h = hint(c, "tsc-unstable")) && !benign_hint(h);
}

static bool when_beyond(const struct ctx *c)
{
	return c->pred_valid && (c->pred.outcome == PREDICT_STEPS ||
				 c->pred.outcome == PREDICT_EXITS ||
				 c->pred.outcome == PREDICT_RUNS_AWAY ||
				 c->pred.outcome == PREDICT_CANNOT_KEEP_UP);
}

static bool when_drift_high(const struct ctx *c)
{
	return c->pred_valid && c->pred.outcome == PREDICT_KEEPS_UP &&
	       fabs(c->drift_ppm) > DAEMONS_NTPD_MAXFREQ_PPM;
}

static bool when_no_daemon(const struct ctx *c)
{
	return c->e->procs_known && c->daemon < 0 &&
	       !c->e->daemons[DAEMON_PHC2SYS].running;
}

/* Unbounded either way, but past 500 ppm the clock is off by more than
 * half a minute a day. */
static enum rules_severity grade_no_daemon(const struct ctx *c, enum rules_severity base)
{
	return c->drift_known && fabs(c->drift_ppm) > DAEMONS_NTPD_MAXFREQ_PPM ?
		RULES_CRITICAL : base;
}

static bool when_ntpd_limit(const struct ctx *c)
{
	if (!c->ev)
		return false;
	return evc(c, LOGSCAN_NTPD_FREQ_LIMIT) || evc(c, LOGSCAN_NTPD_PANIC) ||
	       c->ev->ntp_drift_at_limit || c->ev->kinds[LOGSCAN_NTPD_STEP].n_back >= 2;
}

static bool when_log_steps(const struct ctx *c)
{
	return c->log_back_n >= 1 && c->log_back_max >= 1.0;
}

static bool when_dovecot(const struct ctx *c)
{
	return evc(c, LOGSCAN_DOVECOT_FATAL) || evc(c, LOGSCAN_DOVECOT_BACKWARDS);
}

static enum rules_severity grade_dovecot(const struct ctx *c, enum rules_severity base)
{
	return evc(c, LOGSCAN_DOVECOT_FATAL) ? RULES_CRITICAL : base;
}

static bool when_run_steps(const struct ctx *c)
{
	return c->run_back_n >= 1;
}

/* --------------------------------------------------------------- table */

#define EV_DAEMON (EVM(LOGSCAN_NTPD_STEP) | EVM(LOGSCAN_NTPD_FREQ_LIMIT) | \
	EVM(LOGSCAN_NTPD_PANIC) | EVM(LOGSCAN_CHRONY_WRONG) | \
	EVM(LOGSCAN_CHRONY_STEPPED) | EVM(LOGSCAN_CHRONY_JUMP))
#define EV_VICTIMS (EVM(LOGSCAN_DOVECOT_FATAL) | EVM(LOGSCAN_DOVECOT_BACKWARDS) | \
	EVM(LOGSCAN_POSTFIX_JUMP))
#define EV_KERNEL (EVM(LOGSCAN_CLOCKSOURCE_UNSTABLE) | EVM(LOGSCAN_TSC_UNSTABLE) | \
	EVM(LOGSCAN_CLOCKSOURCE_SWITCH))

#define SRC_HV_EL5 "Microsoft KB 918461 (clock=pit); Ben Armstrong, \"Time " \
	"Synchronization in Hyper-V\" (drift rises with host load); Red Hat RHEL 6 " \
	"Virtualization Guide 14.2 (notsc, divider=, BZ 698842); arch/x86_64/kernel/" \
	"time.c of 2.6.18 (notsc moves the time source) [timekeeping.md 3, 4]"
#define SRC_NTPD "ntp ntpd/ntp_loopfilter.c (NTP_MAXFREQ 500 ppm, CLOCK_MAX 0.128 s, " \
	"CLOCK_MINSTEP 900/300 s, CLOCK_PANIC 1000 s); Linux kernel/time/ntp.c " \
	"(MAXFREQ); chrony sys_generic.c, doc/chrony.conf.adoc [timekeeping.md 3]"

static const struct rule table[] = {
	{
		.id = "el5-hyperv-clock",
		.severity = RULES_WARNING,
		.summary = "CentOS/RHEL 5 on Hyper-V without clock=pit notsc divider=10",
		.hv = HVM(HV_HYPERV),
		.kmin = { 2, 6, 18 }, .kmax = { 2, 6, 18 }, .el_major = 5,
		.daemon = D_ANY,
		.ev_shown = EVM(LOGSCAN_NTPD_FREQ_LIMIT),
		.hints_shown = "lost-ticks gtod-timer hv-timesync",
		.when = when_el5_hyperv,
		.grade = grade_happening,
		.finding = "CentOS/RHEL {el} kernel {kernel} on Hyper-V boots without "
			"`clock=pit notsc divider=10`: a 2.6.18 guest keeps time by "
			"counting timer ticks, so its clock runs fast when the host is "
			"busy (minutes per hour have been reported), far beyond the 500 "
			"ppm ntpd can correct. On x86_64 `notsc` is the part that moves "
			"the time source off the TSC.",
		.remedy = remedy_el5_hyperv,
		.source = SRC_HV_EL5,
	},
	{
		.id = "drift-beyond-daemon",
		.severity = RULES_CRITICAL,
		.summary = "the measured drift is more than the time daemon can correct",
		.daemon = D_ANY,
		.ev_shown = EV_DAEMON | EV_VICTIMS,
		.when = when_beyond,
		.finding = "This clock drifts {drift}, more than {daemon} can correct "
			"({capacity}): it cannot stay in time.",
		.remedy = remedy_for_guest,
		.conseq = C_DRIFT,
		.source = SRC_NTPD,
	},
	{
		.id = "ntpd-limit-logged",
		.severity = RULES_CRITICAL,
		.summary = "ntpd's logs or drift file show it at its 500 ppm limit or stepping back",
		.daemon = D_ANY,
		.ev_shown = EV_DAEMON | EV_VICTIMS,
		.unless = "drift-beyond-daemon",
		.when = when_ntpd_limit,
		.finding = "ntpd's own records show this clock drifting beyond what it "
			"can correct (500 ppm): it hit its frequency limit or kept stepping "
			"the clock back.",
		.remedy = remedy_for_guest,
		.conseq = C_LOG_STEPS,
		.source = SRC_NTPD,
	},
	{
		.id = "dovecot-time-backwards",
		.severity = RULES_WARNING,
		.summary = "Dovecot logged that time moved backwards",
		.daemon = D_ANY,
		.ev_shown = EVM(LOGSCAN_DOVECOT_FATAL) | EVM(LOGSCAN_DOVECOT_BACKWARDS),
		.when = when_dovecot,
		.grade = grade_dovecot,
		.finding = "Dovecot has already seen time move backwards on this "
			"machine; before 2.0 a step over 5 s kills it, master included.",
		.remedy = remedy_dovecot,
		.source = "dovecot/core src/lib/ioloop.c, src/master/main.c; "
			"dovecot/documentation docs/core/admin/errors.md [timekeeping.md 1]",
	},
	{
		.id = "steps-observed",
		.severity = RULES_WARNING,
		.summary = "the clock was stepped back during the run",
		.daemon = D_ANY,
		.when = when_run_steps,
		.grade = grade_run_steps,
		.finding = "The clock was stepped back during the measurement.",
		.conseq = C_RUN_STEPS,
		.source = "measured: CLOCK_REALTIME against CLOCK_MONOTONIC [timekeeping.md 6]",
	},
	{
		.id = "daemon-steps-logged",
		.severity = RULES_WARNING,
		.summary = "the time daemon's logs show backward steps of 1 s or more",
		.daemon = D_ANY,
		.ev_shown = EV_DAEMON | EV_VICTIMS,
		.unless = "drift-beyond-daemon ntpd-limit-logged",
		.when = when_log_steps,
		.grade = grade_log_steps,
		.finding = "The time daemon's logs show the clock stepped backwards.",
		.remedy = remedy_for_guest,
		.conseq = C_LOG_STEPS,
		.source = "ntpd time reset / clock_step; chronyd reference.c, local.c, "
			"sched.c [timekeeping.md 3]",
	},
	{
		.id = "divider-panic-risk",
		.severity = RULES_WARNING,
		.summary = "divider= on a RHEL 4 or RHEL/CentOS 5 kernel before 5.8",
		.args_any = "divider",
		.daemon = D_ANY,
		.when = when_divider_risk,
		.finding = "The kernel line has `{arg:divider}` and this is a RHEL/CentOS "
			"{el} kernel ({kernel}): Red Hat found divider= can panic RHEL 4 "
			"and RHEL 5 guests before 5.8 (BZ 698842) and no longer "
			"recommends it there.",
		.remedy = remedy_divider,
		.source = "Red Hat RHEL 6 Virtualization Host Configuration and Guest "
			"Installation Guide 14.2 (BZ 698842) [timekeeping.md 4]",
	},
	{
		.id = "obsolete-clock-arg",
		.severity = RULES_WARNING,
		.summary = "clock= on a kernel of 2.6.32 or later",
		.kmin = { 2, 6, 32 },
		.args_any = "clock",
		.daemon = D_ANY,
		.hints_shown = "clock-deprecated",
		.finding = "The kernel line has `{arg:clock}`, but on kernel {kernel} "
			"clock= is deprecated and only maps to clocksource=: at best it "
			"does nothing, at worst it forces an old timer in place of "
			"{hv}'s clock. Remove it.",
		.remedy = remedy_modern,
		.source = "Linux kernel/time/clocksource.c boot_override_clock; "
			"Documentation/kernel-parameters.txt [timekeeping.md 4]",
	},
	{
		.id = "obsolete-divider-arg",
		.severity = RULES_WARNING,
		.summary = "divider= on a kernel that has no such option",
		.args_any = "divider",
		.daemon = D_ANY,
		.when = when_divider_useless,
		.finding = "The kernel line has `{arg:divider}`, but divider= exists only "
			"on RHEL/CentOS 4.7+ and 5.1+ kernels; on {kernel} it does "
			"nothing. Remove it.",
		.remedy = remedy_modern,
		.source = "Red Hat RHEL 6 Virtualization Host Configuration and Guest "
			"Installation Guide 14.2 [timekeeping.md 4]",
	},
	{
		.id = "vmware-el-args",
		.severity = RULES_WARNING,
		.summary = "RHEL/CentOS 4/5 on VMware without the KB 1006427 boot arguments",
		.hv = HVM(HV_VMWARE),
		.daemon = D_ANY,
		.ev_shown = EV_KERNEL,
		.hints_shown = "lost-ticks gtod-timer",
		.when = when_vmware,
		.grade = grade_happening,
		.finding = "RHEL/CentOS {el} kernel {kernel} ({arch}) on VMware lacks the "
			"boot arguments VMware's timekeeping guide (KB 1006427) gives for "
			"this release.",
		.remedy = remedy_vmware,
		.source = "VMware KB 1006427 / Broadcom KB 310053, Timekeeping best "
			"practices for Linux guests [timekeeping.md 4]",
	},
	{
		.id = "kvm-no-pvclock",
		.severity = RULES_WARNING,
		.summary = "KVM guest not on kvm-clock",
		.hv = HVM(HV_KVM),
		.daemon = D_ANY,
		.ev_shown = EV_KERNEL,
		.when = when_kvm,
		.grade = grade_happening,
		.finding = "KVM guest with kernel {kernel} runs on clocksource {cs}, not "
			"the paravirtual kvm-clock.",
		.remedy = remedy_kvm,
		.source = "Red Hat RHEL 5/6 Virtualization Guides, KVM guest timing "
			"[timekeeping.md 4]",
	},
	{
		.id = "hyperv-clocksource",
		.severity = RULES_WARNING,
		.summary = "modern Hyper-V guest not on Hyper-V's clock",
		.hv = HVM(HV_HYPERV),
		.kmin = { 2, 6, 32 },
		.cs_not_in = "hyperv_clocksource_tsc_page hyperv_clocksource_msr "
			"hyperv_clocksource tsc",
		.daemon = D_ANY,
		.ev_shown = EV_KERNEL,
		.grade = grade_happening,
		.finding = "Hyper-V guest with kernel {kernel} runs on clocksource {cs} "
			"instead of Hyper-V's reference clock "
			"(hyperv_clocksource_tsc_page).",
		.remedy = remedy_clocksource_hyperv,
		.source = "Linux Documentation/virt/hyperv/clocks.rst [timekeeping.md 4]",
	},
	{
		.id = "clocksource-unstable",
		.severity = RULES_WARNING,
		.summary = "the kernel marked its clocksource unstable",
		.daemon = D_ANY,
		.ev_shown = EV_KERNEL,
		.hints_shown = "clocksource-unstable tsc-unstable",
		.unless = "hyperv-clocksource kvm-no-pvclock",
		.when = when_unstable,
		.finding = "The kernel found its clocksource unstable (the watchdog saw "
			"it disagree with another clock) and may have fallen back to a "
			"slower one; now on {cs}.",
		.remedy = remedy_unstable,
		.source = "Linux kernel/time/clocksource.c (watchdog) [timekeeping.md 6]",
	},
	{
		.id = "drift-high",
		.severity = RULES_WARNING,
		.summary = "chronyd keeps up with a drift over 500 ppm",
		.daemon = D_ANY,
		.when = when_drift_high,
		.finding = "This clock drifts {drift}. {daemon} keeps up (it compensates "
			"up to 100000 ppm on Linux) but ntpd could not, and no healthy "
			"clock is that far off: the clock source is wrong.",
		.remedy = remedy_for_guest,
		.conseq = C_DRIFT,
		.source = "chrony sys_generic.c, sys_linux.c; timekeeping.md 3 (the "
			"motivating case)",
	},
	{
		.id = "no-time-daemon",
		.severity = RULES_WARNING,
		.summary = "no time daemon runs",
		.daemon = D_NONE,
		.when = when_no_daemon,
		.grade = grade_no_daemon,
		.finding = "No time daemon runs (chronyd, ntpd, systemd-timesyncd, "
			"OpenNTPD): nothing keeps this clock in time.",
		.remedy = remedy_no_daemon,
		.conseq = C_DRIFT,
		.source = "chronyd(8) (-x leaves the clock alone); a clock nothing "
			"disciplines keeps its raw drift [timekeeping.md 3]",
	},
	{
		.id = "xen-pv-wallclock",
		.severity = RULES_OK,
		.advice = true,
		.summary = "Xen PV guest runs a time daemon while following dom0's clock",
		.hv = HVM(HV_XEN),
		.daemon = D_ANY,
		.when = when_xen,
		.finding = "Xen PV guest with kernel {kernel} runs {daemon}, but unless "
			"xen.independent_wallclock is 1 its clock follows dom0 and cannot "
			"be set here.",
		.config = "echo 1 > /proc/sys/xen/independent_wallclock  (or "
			"xen.independent_wallclock = 1 in /etc/sysctl.conf); or keep "
			"time with ntpd in dom0 only",
		.source = "Oracle VM docs (vmadm-tshoot-vm-clock); Dovecot wiki (Xen) "
			"[timekeeping.md 4]",
	},
	{
		.id = "hyperv-chrony-phc",
		.severity = RULES_OK,
		.advice = true,
		.summary = "chrony on Hyper-V without the host's PTP clock",
		.hv = HVM(HV_HYPERV),
		.daemon = DAEMON_CHRONYD,
		.when = when_hyperv_phc,
		.finding = "chronyd does not use Hyper-V's host clock (PTP device "
			"'hyperv' is present); Microsoft recommends it as the reference.",
		.config = "refclock PHC /dev/ptp_hyperv poll 3 dpoll -2 offset 0 stratum 2\n"
			"makestep 1.0 -1",
		.source = "Microsoft, Time sync for Linux VMs in Azure "
			"(azure-compute-docs time-sync.md) [timekeeping.md 4]",
	},
	{
		.id = "hyperv-chrony-makestep",
		.severity = RULES_OK,
		.advice = true,
		.summary = "chrony on Hyper-V with a PHC refclock but makestep limited",
		.hv = HVM(HV_HYPERV),
		.daemon = DAEMON_CHRONYD,
		.when = when_hyperv_makestep,
		.finding = "chronyd may step the clock only at start; Hyper-V can pause "
			"a VM for up to 30 s during host maintenance, so Microsoft "
			"recommends allowing a step whenever the offset passes 1 s.",
		.config = "makestep 1.0 -1",
		.source = "Microsoft, Time sync for Linux VMs in Azure "
			"(azure-compute-docs time-sync.md) [timekeeping.md 4]",
	},
};

static struct rules_info infos[UTIL_ARRAY_SIZE(table)];

const struct rules_info *rules_list(size_t *n)
{
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(table); i++) {
		infos[i].id = table[i].id;
		infos[i].severity = table[i].severity;
		infos[i].summary = table[i].summary;
		infos[i].source = table[i].source;
	}
	*n = UTIL_ARRAY_SIZE(table);
	return infos;
}

size_t rules_count(void)
{
	return UTIL_ARRAY_SIZE(table);
}

const char *rules_severity_name(enum rules_severity s)
{
	switch (s) {
	case RULES_OK: return "OK";
	case RULES_WARNING: return "WARNING";
	case RULES_CRITICAL: return "CRITICAL";
	case RULES_UNKNOWN: return "UNKNOWN";
	}
	return "UNKNOWN";
}

/* ----------------------------------------------------------- evaluator */

static bool applies(const struct ctx *c, const struct rule *r)
{
	const char *s = cs(c);

	if (r->hv && !(r->hv & HVM(c->e->hv)))
		return false;
	if (!kernel_in(c, r->kmin, r->kmax))
		return false;
	if (r->el_major && c->el_major != r->el_major)
		return false;
	if (r->cs_in && (!s || !word_in(r->cs_in, s)))
		return false;
	if (r->cs_not_in && (!s || word_in(r->cs_not_in, s)))
		return false;
	if (r->args_any && !args_any(c, r->args_any))
		return false;
	if (r->args_none && args_any(c, r->args_none))
		return false;
	if (r->daemon == D_NONE && c->daemon >= 0)
		return false;
	if (r->daemon >= 0 && c->daemon != r->daemon)
		return false;
	if (r->unless) {
		char tok[64];

		for (const char *p = r->unless; *p;) {
			size_t k;

			p += strspn(p, " ");
			k = strcspn(p, " ");
			if (!k)
				break;
			snprintf(tok, sizeof(tok), "%.*s", (int)k, p);
			p += k;
			if (fired(c, tok))
				return false;
		}
	}
	return !r->when || r->when(c);
}

static void add_evidence(struct rules_finding *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_evidence(struct rules_finding *f, const char *fmt, ...)
{
	va_list ap;

	if (f->n_evidence >= RULES_MAX_EVIDENCE)
		return;
	char *dst = f->evidence[f->n_evidence++];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(dst, sizeof(f->evidence[0]), fmt, ap);
	va_end(ap);
	/* Say where a long line was cut. */
	if (n >= (int)sizeof(f->evidence[0]))
		memcpy(dst + sizeof(f->evidence[0]) - 4, "...", 4);
}

static void evidence(const struct ctx *c, const struct rule *r, struct rules_finding *f)
{
	if (r->conseq == C_DRIFT && c->drift_known && c->m) {
		char d[96];
		const struct analysis_fit *fit = c->m->drift_raw.valid ?
			&c->m->drift_raw : &c->m->drift_system;

		drift_words(c->drift_ppm, d, sizeof(d));
		add_evidence(f, "measured: %s drift %s +/- %.2g ppm over %.0f s against %s",
			     c->drift_kind, d, fit->drift_se_ppm, fit->span_s,
			     *c->m->server ? c->m->server : "the reference");
	}
	if (r->conseq == C_RUN_STEPS && c->m) {
		for (size_t i = 0; i < c->m->n_steps; i++)
			if (c->m->steps[i].size_s < 0)
				add_evidence(f, "measured: stepped %+.3f s (+/- %.3f s) at "
					     "t = %.0f s", c->m->steps[i].size_s,
					     c->m->steps[i].uncertainty_s, c->m->steps[i].t_s);
	}
	if (r->daemon == D_NONE && c->e->daemons[DAEMON_CHRONYD].hands_off)
		add_evidence(f, "chronyd runs with -x (pid %d), which leaves the system "
			     "clock alone (chronyd(8))", c->e->daemons[DAEMON_CHRONYD].pid);
	for (int k = 0; c->ev && k < LOGSCAN_KIND_COUNT; k++) {
		char line[600];

		if (!(r->ev_shown & EVM(k)) || !c->ev->kinds[k].count)
			continue;
		logscan_describe(c->ev, (enum logscan_kind)k, line, sizeof(line));
		add_evidence(f, "log: %s", line);
	}
	if (c->ev && (r->ev_shown & EVM(LOGSCAN_NTPD_FREQ_LIMIT)) && c->ev->ntp_drift_at_limit)
		add_evidence(f, "ntpd's drift file %s holds %.3f ppm: its frequency "
			     "correction is pinned at the 500 ppm limit",
			     c->ev->ntp_drift_path, c->ev->ntp_drift_ppm);
	for (int i = 0; r->hints_shown && i < c->e->n_hints; i++) {
		const struct env_hint *h = &c->e->hints[i];

		if (word_in(r->hints_shown, h->id) && !benign_hint(h))
			add_evidence(f, "kernel log (%s): %s (%dx): \"%s\"",
				     c->e->klog.known ? c->e->klog.value : "boot log",
				     h->what, h->count, h->first);
	}
}

/* Who is hurt, from what the clock does. */
static void consequences(const struct ctx *c, const struct rule *r, struct rules_finding *f)
{
	struct impact_input in;
	struct impact_result ir;
	const struct predict_result *p = &c->pred;
	int shown = 0;

	memset(&in, 0, sizeof(in));
	in.pkgs = c->e->pkgs;
	in.n_pkgs = c->e->n_pkgs;
	switch (r->conseq) {
	case C_NONE:
		return;
	case C_DRIFT:
		if (!c->pred_valid)
			return;
		snprintf(f->consequence, sizeof(f->consequence), "%s.", p->sentence);
		if (p->outcome == PREDICT_STEPS) {
			in.back_s = p->step_s < 0 ? -p->step_s : 0;
			in.fwd_s = p->step_s > 0 ? p->step_s : 0;
			in.offset_s = fabs(p->step_s);
			in.interval_s = p->interval_s;
		} else if (p->outcome == PREDICT_EXITS) {
			/* It gives up at the panic threshold; the clock then
			 * runs free. */
			in.offset_s = PREDICT_NTPD_PANIC_S;
		} else if (p->outcome == PREDICT_RUNS_AWAY || p->outcome == PREDICT_NO_DAEMON) {
			in.offset_s = fabs(p->gain_per_day_s);   /* after a day */
		} else if (p->outcome == PREDICT_CANNOT_KEEP_UP) {
			in.offset_s = p->net_ppm * 1e-6 * 3600;  /* after an hour */
		} else {
			return;
		}
		break;
	case C_LOG_STEPS:
		in.back_s = c->log_back_max;
		in.offset_s = c->log_back_max;
		if (c->log_back_max > 0)
			snprintf(f->consequence, sizeof(f->consequence),
				 "The logs show %d backward step%s, the largest %.1f s.",
				 c->log_back_n, c->log_back_n == 1 ? "" : "s", c->log_back_max);
		break;
	case C_RUN_STEPS:
		in.back_s = c->run_back_max;
		in.offset_s = c->run_back_max;
		snprintf(f->consequence, sizeof(f->consequence),
			 "%d backward step%s during the run, the largest %.3f s.",
			 c->run_back_n, c->run_back_n == 1 ? "" : "s", c->run_back_max);
		break;
	}
	impact_assess(&in, &ir);
	/* Installed software first, then what would be hurt if used here;
	 * notes about unconfirmed software only while there is room. */
	for (int i = 0; i < ir.n && shown < RULES_MAX_IMPACT; i++) {
		if (!ir.hits[i].installed && ir.hits[i].level == IMPACT_NOTE &&
		    ir.n > RULES_MAX_IMPACT)
			continue;
		snprintf(f->impact[shown++], sizeof(f->impact[0]), "%s", ir.hits[i].text);
	}
	f->n_impact = shown;
}

static void fire(struct ctx *c, const struct rule *r)
{
	struct rules_result *out = c->out;
	struct rules_finding *f;

	if (out->n >= RULES_MAX_FINDINGS)
		return;
	f = &out->findings[out->n++];
	memset(f, 0, sizeof(*f));
	f->rule_id = r->id;
	f->advice = r->advice;
	f->severity = r->grade ? r->grade(c, r->severity) : r->severity;
	f->source = r->source;
	expand(c, r->finding, f->text, sizeof(f->text));
	if (r->remedy)
		r->remedy(c, f);
	if (r->config)
		expand(c, r->config, f->remedy_text, sizeof(f->remedy_text));
	consequences(c, r, f);
	evidence(c, r, f);
	if (f->severity > out->worst && f->severity != RULES_UNKNOWN)
		out->worst = f->severity;
}

static void summary(const struct ctx *c, struct rules_result *out)
{
	struct strbuf sb = STRBUF_INIT;
	const struct env *e = c->e;

	if (e->hv == HV_NONE)
		strbuf_addstr(&sb, "bare metal");
	else if (e->hv == HV_UNKNOWN)
		strbuf_addstr(&sb, "platform unknown");
	else if (e->hv == HV_OTHER)
		strbuf_addstr(&sb, "guest of an unlisted hypervisor");
	else
		strbuf_addf(&sb, "%s guest", hypervisor_name(e->hv));
	strbuf_addf(&sb, ", kernel %s", e->kernel_release.known ? e->kernel_release.value : "unknown");
	if (e->distro.known)
		strbuf_addf(&sb, " (%s)", e->distro.value);
	strbuf_addf(&sb, ", clocksource %s", cs(c) ? cs(c) : "unknown");
	if (c->daemon >= 0) {
		strbuf_addf(&sb, ", %s", daemons_id((enum daemon_kind)c->daemon));
		if (c->daemon == DAEMON_CHRONYD && e->daemons[DAEMON_CHRONYD].conf.refclock_phc)
			strbuf_addf(&sb, " with PHC refclock %s",
				    e->daemons[DAEMON_CHRONYD].conf.refclock_device);
	} else {
		strbuf_addstr(&sb, e->procs_known ? ", no time daemon" : ", time daemon unknown");
	}
	if (c->drift_known) {
		char d[96];

		drift_words(c->drift_ppm, d, sizeof(d));
		strbuf_addf(&sb, ", drift %s", d);
	} else {
		strbuf_addstr(&sb, ", drift not measured");
	}
	snprintf(out->summary, sizeof(out->summary), "%s", sb.buf);
	strbuf_release(&sb);
}

static int finding_cmp(const void *a, const void *b)
{
	const struct rules_finding *x = a, *y = b;

	if (x->advice != y->advice)
		return x->advice ? 1 : -1;
	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	return 0;
}

void rules_evaluate(const struct env *e, const struct measurement *m,
		    const struct logscan *ev, struct rules_result *out)
{
	struct ctx c;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.e = e;
	c.m = m;
	c.ev = ev;
	c.out = out;
	c.daemon = env_active_daemon(e);
	c.arch = e->arch.known ? e->arch.value : NULL;
	if (e->kernel_release.known)
		remedy_el_release(&e->kver, &c.el_major, &c.el_minor);
	else
		c.el_minor = -1;
	if (m && m->drift_raw.valid) {
		c.drift_known = true;
		c.drift_ppm = m->drift_raw.drift_ppm;
		c.drift_kind = "raw clock";
	} else if (m && m->drift_system.valid) {
		c.drift_known = true;
		c.drift_ppm = m->drift_system.drift_ppm;
		c.drift_kind = "system clock";
	}
	if (!isfinite(c.drift_ppm))
		c.drift_known = false;
	if (c.drift_known) {
		const struct env_daemon *d = c.daemon >= 0 ? &e->daemons[c.daemon] : NULL;
		const struct env_pkg *pkg = NULL;
		struct predict_daemon pd = { c.daemon, d ? &d->conf : NULL,
					     d && c.daemon == DAEMON_NTPD && d->slew_only,
					     NULL, false };

		if (c.daemon == DAEMON_NTPD) {
			pkg = env_pkg(e, "ntpsec");
			pd.ntpsec = pkg != NULL;
			if (!pkg)
				pkg = env_pkg(e, "ntp");
		} else if (c.daemon == DAEMON_CHRONYD) {
			pkg = env_pkg(e, "chrony");
		}
		pd.version = pkg ? pkg->version : NULL;
		predict_daemon(&pd, c.drift_ppm, &c.pred);
		c.pred_valid = c.pred.outcome != PREDICT_NO_DATA;
		out->drift_known = true;
		out->drift_ppm = c.drift_ppm;
		out->have_prediction = c.pred_valid;
		out->prediction = c.pred;
	}
	if (ev) {
		const struct logscan_entry *s[] = { &ev->kinds[LOGSCAN_NTPD_STEP],
			&ev->kinds[LOGSCAN_CHRONY_STEPPED] };

		for (size_t i = 0; i < UTIL_ARRAY_SIZE(s); i++) {
			c.log_back_n += s[i]->n_back;
			if (s[i]->max_back_s > c.log_back_max)
				c.log_back_max = s[i]->max_back_s;
		}
		/* chronyd's jump detector fires on steps over 10 s by others. */
		if (ev->kinds[LOGSCAN_CHRONY_JUMP].count) {
			c.log_back_n += ev->kinds[LOGSCAN_CHRONY_JUMP].count;
			if (c.log_back_max < 10)
				c.log_back_max = 10;
		}
	}
	for (size_t i = 0; m && i < m->n_steps && i < MEASUREMENT_MAX_STEPS; i++)
		if (m->steps[i].size_s < 0) {
			c.run_back_n++;
			if (-m->steps[i].size_s > c.run_back_max)
				c.run_back_max = -m->steps[i].size_s;
		}
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(table); i++)
		if (applies(&c, &table[i]))
			fire(&c, &table[i]);
	qsort(out->findings, (size_t)out->n, sizeof(out->findings[0]), finding_cmp);
	summary(&c, out);
}

/* ---------------------------------------------------------- rendering */

static void indent_lines(struct strbuf *out, const char *pfx, const char *text)
{
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");

		strbuf_addf(out, "%s%.*s\n", pfx, (int)n, p);
		p += n + (p[n] == '\n');
	}
}

/* Words wrapped at width, each line prefixed. */
static void wrap(struct strbuf *out, const char *first, const char *pfx,
		 const char *text, size_t width)
{
	const char *p = text;
	const char *lead = first;

	while (*p) {
		size_t room = width > strlen(lead) ? width - strlen(lead) : 20;
		size_t n = strlen(p), cut;

		if (n <= room) {
			strbuf_addf(out, "%s%s\n", lead, p);
			return;
		}
		cut = room;
		while (cut > 0 && p[cut] != ' ')
			cut--;
		if (!cut)
			cut = strcspn(p, " ");
		strbuf_addf(out, "%s%.*s\n", lead, (int)cut, p);
		p += cut;
		while (*p == ' ')
			p++;
		lead = pfx;
	}
}

static void remedy_block(struct strbuf *out, const struct remedy *r)
{
	strbuf_addf(out, "  %s: %s\n", r->id, r->summary);
	if (r->add_args)
		strbuf_addf(out, "    add to the kernel line:      %s\n", r->add_args);
	if (r->remove_args)
		strbuf_addf(out, "    remove from the kernel line: %s\n", r->remove_args);
	strbuf_addf(out, "    apply: hvclock grub --profile %s --apply\n", r->id);
	if (r->caveat)
		wrap(out, "    caveat: ", "      ", r->caveat, 78);
	wrap(out, "    source: ", "      ", r->source, 78);
}

void rules_format_text(const struct rules_result *r, struct strbuf *out)
{
	bool any_fault = false, any_remedy = false;
	const struct remedy *done[2 * RULES_MAX_FINDINGS];
	size_t ndone = 0;

	strbuf_addstr(out, "Findings\n");
	for (int i = 0; i < r->n; i++)
		if (!r->findings[i].advice)
			any_fault = true;
	if (!any_fault)
		wrap(out, "  OK        nothing to change: ", "            ", r->summary, 78);
	for (int i = 0; i < r->n; i++) {
		const struct rules_finding *f = &r->findings[i];
		char head[48];

		snprintf(head, sizeof(head), "  %-9s ", f->advice ? "NOTE" :
			 rules_severity_name(f->severity));
		strbuf_addf(out, "%s[%s]\n", head, f->rule_id);
		wrap(out, "            ", "            ", f->text, 78);
		if (*f->consequence)
			wrap(out, "            what happens: ", "              ",
			     f->consequence, 78);
		for (int k = 0; k < f->n_impact; k++)
			wrap(out, k ? "              " : "            hurts: ",
			     "                ", f->impact[k], 78);
		for (int k = 0; k < f->n_evidence; k++)
			wrap(out, k ? "              " : "            evidence: ",
			     "                ", f->evidence[k], 78);
		wrap(out, "            source: ", "              ", f->source, 78);
	}
	if (any_fault)
		wrap(out, "  judged:   ", "            ", r->summary, 78);

	strbuf_addstr(out, "\nRemedy\n");
	for (int i = 0; i < r->n; i++) {
		const struct rules_finding *f = &r->findings[i];
		const struct remedy *pair[2] = { f->remedy, f->alt_remedy };

		for (int k = 0; k < 2; k++) {
			bool seen = false;

			if (!pair[k])
				continue;
			for (size_t d = 0; d < ndone; d++)
				seen |= done[d] == pair[k];
			if (seen)
				continue;
			done[ndone++] = pair[k];
			any_remedy = true;
			if (k == 1)
				strbuf_addstr(out, "  or\n");
			remedy_block(out, pair[k]);
			/* The note says why this kernel gets this profile, or
			 * why the second one is offered. */
			if (*f->remedy_note && (k == 1 || !f->alt_remedy))
				wrap(out, "    why: ", "      ", f->remedy_note, 78);
		}
	}
	for (int i = 0; i < r->n; i++) {
		const struct rules_finding *f = &r->findings[i];
		bool dup = false;

		if (!*f->remedy_text)
			continue;
		for (int j = 0; j < i; j++)
			dup |= !strcmp(r->findings[j].remedy_text, f->remedy_text);
		if (dup)
			continue;
		any_remedy = true;
		strbuf_addf(out, "  [%s]%s\n", f->rule_id, f->advice ? " (suggested)" : "");
		if (strchr(f->remedy_text, '\n'))
			indent_lines(out, "    ", f->remedy_text);
		else
			wrap(out, "    ", "    ", f->remedy_text, 78);
	}
	if (!any_remedy)
		strbuf_addstr(out, "  nothing to change\n");
}

static void remedy_json(struct json *j, const char *key, const struct remedy *r)
{
	char cmd[128];

	if (!r) {
		json_null(j, key);
		return;
	}
	snprintf(cmd, sizeof(cmd), "hvclock grub --profile %s --apply", r->id);
	json_begin_object(j, key);
	json_string(j, "id", r->id);
	json_string(j, "summary", r->summary);
	json_string_or_null(j, "add_args", r->add_args);
	json_string_or_null(j, "remove_args", r->remove_args);
	json_string(j, "command", cmd);
	json_string_or_null(j, "caveat", r->caveat);
	json_bool(j, "unconfirmed", r->unconfirmed);
	json_string(j, "source", r->source);
	json_end_object(j);
}

void rules_to_json(const struct rules_result *r, struct json *j, const char *key)
{
	json_begin_object(j, key);
	json_string(j, "worst", rules_severity_name(r->worst));
	json_int(j, "exit_code", r->worst);
	json_string(j, "summary", r->summary);
	if (r->drift_known)
		json_double(j, "drift_ppm", r->drift_ppm, 6);
	else
		json_null(j, "drift_ppm");
	if (r->have_prediction) {
		const struct predict_result *p = &r->prediction;

		json_begin_object(j, "prediction");
		json_string(j, "daemon", p->daemon);
		json_string(j, "outcome", p->outcome == PREDICT_KEEPS_UP ? "keeps-up" :
			    p->outcome == PREDICT_STEPS ? "steps" :
			    p->outcome == PREDICT_EXITS ? "exits" :
			    p->outcome == PREDICT_RUNS_AWAY ? "runs-away" :
			    p->outcome == PREDICT_NO_DAEMON ? "no-daemon" :
			    p->outcome == PREDICT_CANNOT_KEEP_UP ? "cannot-keep-up" : "unknown");
		json_double(j, "capacity_ppm", p->capacity_ppm, 6);
		json_double(j, "step_s", p->step_s, 6);
		json_double(j, "interval_s", p->interval_s, 6);
		json_double(j, "exit_after_s", p->exit_after_s, 6);
		json_string(j, "sentence", p->sentence);
		json_end_object(j);
	} else {
		json_null(j, "prediction");
	}
	json_begin_array(j, "rule_ids");
	for (int i = 0; i < r->n; i++)
		json_string(j, NULL, r->findings[i].rule_id);
	json_end_array(j);
	json_begin_array(j, "remedy_ids");
	for (int i = 0; i < r->n; i++) {
		const struct remedy *pair[2] = { r->findings[i].remedy, r->findings[i].alt_remedy };

		for (int k = 0; k < 2; k++) {
			bool seen = false;

			if (!pair[k])
				continue;
			for (int a = 0; a <= i; a++)
				for (int b = 0; b < (a == i ? k : 2); b++)
					seen |= (b ? r->findings[a].alt_remedy :
						 r->findings[a].remedy) == pair[k];
			if (!seen)
				json_string(j, NULL, pair[k]->id);
		}
	}
	json_end_array(j);
	json_begin_array(j, "findings");
	for (int i = 0; i < r->n; i++) {
		const struct rules_finding *f = &r->findings[i];

		json_begin_object(j, NULL);
		json_string(j, "id", f->rule_id);
		json_string(j, "severity", rules_severity_name(f->severity));
		json_bool(j, "advice", f->advice);
		json_string(j, "text", f->text);
		json_string(j, "consequence", f->consequence);
		json_begin_array(j, "impact");
		for (int k = 0; k < f->n_impact; k++)
			json_string(j, NULL, f->impact[k]);
		json_end_array(j);
		json_begin_array(j, "evidence");
		for (int k = 0; k < f->n_evidence; k++)
			json_string(j, NULL, f->evidence[k]);
		json_end_array(j);
		remedy_json(j, "remedy", f->remedy);
		remedy_json(j, "alt_remedy", f->alt_remedy);
		json_string(j, "remedy_note", f->remedy_note);
		json_string(j, "config", f->remedy_text);
		json_string(j, "source", f->source);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
}
