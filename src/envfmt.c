/*
 * envfmt.c - text and JSON renderings of struct env.
 *
 * The text report is for people at a terminal: one labelled block per
 * subject, values wrapped at 80 columns, every fact followed by where it
 * came from, unknown facts with their reason. The JSON keeps the same
 * facts under stable names for scripts.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "envfmt.h"
#include "sysroot.h"
#include "util.h"

#define LABEL_W 14
#define WIDTH 80

/* Appends "label" padded to LABEL_W, then text word-wrapped at WIDTH. */
static void field(struct strbuf *out, const char *label, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void field(struct strbuf *out, const char *label, const char *fmt, ...)
{
	struct strbuf text = STRBUF_INIT;
	va_list ap;
	size_t col, i = 0;

	va_start(ap, fmt);
	strbuf_vaddf(&text, fmt, ap);
	va_end(ap);
	strbuf_addf(out, "%-*s", LABEL_W, label);
	col = strlen(label) > LABEL_W ? strlen(label) : LABEL_W;
	if (col > LABEL_W) {
		strbuf_addch(out, '\n');
		strbuf_addf(out, "%*s", LABEL_W, "");
		col = LABEL_W;
	}
	while (i < text.len) {
		size_t w = strcspn(text.buf + i, " ");

		if (col > LABEL_W && col + 1 + w > WIDTH) {
			strbuf_addf(out, "\n%*s", LABEL_W + 2, "");
			col = LABEL_W + 2;
		} else if (col > LABEL_W) {
			strbuf_addch(out, ' ');
			col++;
		}
		strbuf_add(out, text.buf + i, w);
		col += w;
		i += w;
		while (i < text.len && text.buf[i] == ' ')
			i++;
	}
	strbuf_addch(out, '\n');
	strbuf_release(&text);
}

static const char *yn(int v)
{
	return v < 0 ? "?" : v ? "yes" : "no";
}

/* "value (source)" or "unknown (why)". */
static void fact_text(const struct env_fact *f, char *buf, size_t len,
		      bool with_source)
{
	if (!f->known)
		snprintf(buf, len, "unknown (%s)", f->why);
	else if (with_source && f->source[0])
		snprintf(buf, len, "%s  [%s]", f->value, f->source);
	else
		snprintf(buf, len, "%s", f->value);
}

static void kernel_desc(const struct env *e, char *buf, size_t len)
{
	const struct kver *k = &e->kver;

	if (!e->kernel_release.known) {
		fact_text(&e->kernel_release, buf, len, false);
		return;
	}
	if (k->el_major && k->el_minor >= 0)
		snprintf(buf, len, "%s  (%d.%d.%d, RHEL %d.%d kernel, build %d)",
			 k->release, k->major, k->minor, k->patch, k->el_major,
			 k->el_minor, k->el_build);
	else if (k->distro[0])
		snprintf(buf, len, "%s  (%d.%d.%d, %s)", k->release, k->major,
			 k->minor, k->patch, k->distro);
	else
		snprintf(buf, len, "%s  (%d.%d.%d)", k->release, k->major, k->minor,
			 k->patch);
}

static void daemon_text(const struct env *e, int k, struct strbuf *out,
			const char *label)
{
	const struct env_daemon *d = &e->daemons[k];
	const struct daemon_conf *c = &d->conf;
	struct strbuf s = STRBUF_INIT;

	if (d->running)
		strbuf_addf(&s, "%s running (pid %d)%s%s", daemons_id(k), d->pid,
			    d->slew_only ? ", -x (slew only to 600 s)" :
			    d->hands_off ? ", -x (does not control the clock)" : "",
			    d->args[0] ? ":" : "");
	else
		strbuf_addf(&s, "%s configured, %s", daemons_id(k),
			    e->procs_known ? "not running" : "running unknown");
	if (d->running && d->args[0])
		strbuf_addf(&s, " %s", d->args);
	field(out, label, "%s", s.buf);
	strbuf_reset(&s);
	if (d->config_found) {
		strbuf_addf(&s, "%s:", d->config_path);
		if (c->nservers) {
			strbuf_addstr(&s, " servers");
			for (int i = 0; i < c->nservers; i++)
				strbuf_addf(&s, " %s", c->servers[i]);
		} else {
			strbuf_addstr(&s, " no servers");
		}
		if (c->has_makestep)
			strbuf_addf(&s, "; makestep %g %d", c->makestep_threshold_s,
				    c->makestep_limit);
		if (c->has_maxslewrate)
			strbuf_addf(&s, "; maxslewrate %g ppm", c->maxslewrate_ppm);
		if (c->refclock_phc)
			strbuf_addf(&s, "; refclock PHC %s", c->refclock_device);
		if (c->has_tinker_panic)
			strbuf_addf(&s, "; tinker panic %g", c->tinker_panic_s);
		if (c->has_tinker_step)
			strbuf_addf(&s, "; tinker step %g", c->tinker_step_s);
		if (c->has_tinker_stepout)
			strbuf_addf(&s, "; tinker stepout %g", c->tinker_stepout_s);
		field(out, "", "%s", s.buf);
	} else if (d->running) {
		field(out, "", "no configuration file found");
	}
	strbuf_release(&s);
}

void envfmt_text(const struct env *e, struct strbuf *out)
{
	char buf[512], buf2[512];
	bool any;

	if (!e->live)
		field(out, "Sysroot", "%s (live-only sources not used)", sysroot_dir());

	field(out, "Hypervisor", "%s", hypervisor_name(e->hv));
	field(out, "", "%s", e->hv_why);
	for (int i = 0; i < e->n_hv_evidence; i++) {
		const struct hv_evidence *ev = &e->hv_evidence[i];

		field(out, i ? "" : "  evidence", "%s says %s: %s", ev->source,
		      hypervisor_id(ev->says), ev->detail);
	}

	fact_text(&e->cpu_vendor, buf, sizeof(buf), false);
	fact_text(&e->cpu_brand, buf2, sizeof(buf2), false);
	if (e->cpu_vendor.known && e->cpu_brand.known)
		field(out, "CPU", "%s, %s  [%s]", buf, buf2, e->cpu_brand.source);
	else
		field(out, "CPU", "%s", buf);
	field(out, "  TSC", "tsc %s, constant_tsc %s, invariant %s, tsc_reliable %s, tsc_known_freq %s",
	      yn(e->tsc.value), yn(e->constant_tsc.value), yn(e->nonstop_tsc.value),
	      yn(e->tsc_reliable.value), yn(e->tsc_known_freq.value));
	if (e->nonstop_tsc.source[0] || e->tsc_reliable.source[0])
		field(out, "", "[invariant: %s; flags: %s]",
		      e->nonstop_tsc.source[0] ? e->nonstop_tsc.source : "unknown",
		      e->tsc_reliable.source[0] ? e->tsc_reliable.source : "unknown");

	kernel_desc(e, buf, sizeof(buf));
	field(out, "Kernel", "%s", buf);
	fact_text(&e->arch, buf, sizeof(buf), true);
	field(out, "  arch", "%s", buf);
	if (!e->cmdline.known) {
		field(out, "  time args", "unknown (%s)", e->cmdline.why);
	} else if (!e->n_time_args) {
		field(out, "  time args", "none  [/proc/cmdline]");
	} else {
		struct strbuf s = STRBUF_INIT;

		for (int i = 0; i < e->n_time_args; i++)
			strbuf_addf(&s, "%s%s%s%s", i ? " " : "", e->time_args[i].key,
				    e->time_args[i].has_value ? "=" : "",
				    e->time_args[i].value);
		field(out, "  time args", "%s  [/proc/cmdline]", s.buf);
		strbuf_release(&s);
	}

	fact_text(&e->clocksource, buf, sizeof(buf), true);
	field(out, "Clocksource", "%s", buf);
	fact_text(&e->clocksources_available, buf, sizeof(buf), false);
	field(out, "  available", "%s", buf);

	if (e->kstate_known) {
		const struct clock_kstate *k = &e->kstate;
		struct strbuf s = STRBUF_INIT;

		clock_kstate_status_names(k->status, &s);
		field(out, "Kernel NTP", "%s, status %s  [adjtimex]",
		      clock_kstate_state_name(k->state), s.len ? s.buf : "none");
		field(out, "", "offset %+.6f s, freq %+.3f ppm, tick %ld us", k->offset_s,
		      k->freq_ppm, k->tick_us);
		field(out, "", "maxerror %.6f s, esterror %.6f s, time constant %ld",
		      k->maxerror_s, k->esterror_s, k->constant);
		strbuf_release(&s);
	} else {
		field(out, "Kernel NTP", "unknown (%s)", e->kstate_why);
	}

	any = false;
	for (int k = 0; k < DAEMON_COUNT; k++) {
		const struct env_daemon *d = &e->daemons[k];

		if (!d->running && !d->config_found)
			continue;
		daemon_text(e, k, out, any ? "" : "Time daemons");
		any = true;
	}
	if (!any)
		field(out, "Time daemons", "none %s",
		      e->procs_known ? "running or configured" :
		      "configured; running unknown");
	if (!e->procs_known)
		field(out, "", "(process list: %s)", e->procs_why);

	snprintf(buf, sizeof(buf), "hv_vmbus %s, hv_utils %s, PTP clock 'hyperv' %s",
		 yn(e->hv_vmbus.value), yn(e->hv_utils.value),
		 e->ptp_hyperv.value == 1 ? e->ptp_hyperv_device : yn(e->ptp_hyperv.value));
	field(out, "Hyper-V", "%s", buf);

	fact_text(&e->distro, buf, sizeof(buf), true);
	field(out, "Distribution", "%s", buf);
	if (e->el_major)
		field(out, "", "RHEL family, release %d%s%.0d", e->el_major,
		      e->el_minor >= 0 ? "." : "", e->el_minor >= 0 ? e->el_minor : 0);

	fact_text(&e->klog, buf, sizeof(buf), false);
	field(out, "Kernel log", "%s", buf);
	for (int i = 0; i < e->n_hints; i++)
		field(out, "", "%s (%dx): %s", e->hints[i].id, e->hints[i].count,
		      e->hints[i].first);

	if (!e->n_pkgs)
		field(out, "Software", "no dovecot, ntp or chrony version found");
	for (int i = 0; i < e->n_pkgs; i++)
		field(out, i ? "" : "Software", "%s %s  [%s]", e->pkgs[i].name,
		      e->pkgs[i].version, e->pkgs[i].source);
}

void envfmt_summary(const struct env *e, struct strbuf *out)
{
	char buf[512];
	int d = env_active_daemon(e);

	field(out, "Hypervisor", "%s (%s)", hypervisor_name(e->hv), e->hv_why);
	kernel_desc(e, buf, sizeof(buf));
	field(out, "Kernel", "%s", buf);
	fact_text(&e->clocksource, buf, sizeof(buf), false);
	field(out, "Clocksource", "%s", buf);
	if (d >= 0)
		field(out, "Time daemon", "%s%s", daemons_id(d),
		      e->daemons[d].running ? "" : " (configured)");
	else
		field(out, "Time daemon", "none");
	if (e->distro.known)
		field(out, "Distribution", "%s", e->distro.value);
}

/* ---------------------------------------------------------------- JSON */

static void json_fact(struct json *j, const char *key, const struct env_fact *f)
{
	json_begin_object(j, key);
	json_string_or_null(j, "value", f->known ? f->value : NULL);
	if (f->known)
		json_string(j, "source", f->source);
	else
		json_string(j, "why", f->why);
	json_end_object(j);
}

static void json_flag(struct json *j, const char *key, const struct env_flag *f)
{
	json_begin_object(j, key);
	json_tristate(j, "value", f->value);
	json_string_or_null(j, "source", f->source[0] ? f->source : NULL);
	json_end_object(j);
}

/* A blank-separated list as a JSON array. */
static void json_words(struct json *j, const char *key, const char *s)
{
	char buf[256];

	json_begin_array(j, key);
	snprintf(buf, sizeof(buf), "%s", s);
	for (char *save = NULL, *w = strtok_r(buf, " ", &save); w;
	     w = strtok_r(NULL, " ", &save))
		json_string(j, NULL, w);
	json_end_array(j);
}

static void json_daemon(struct json *j, const struct env *e, int k)
{
	const struct env_daemon *d = &e->daemons[k];
	const struct daemon_conf *c = &d->conf;

	json_begin_object(j, NULL);
	json_string(j, "name", daemons_id(k));
	if (e->procs_known)
		json_bool(j, "running", d->running);
	else
		json_null(j, "running");
	if (d->running) {
		json_int(j, "pid", d->pid);
		json_string(j, "args", d->args);
	}
	json_bool(j, "slew_only", d->slew_only);
	json_bool(j, "hands_off", d->hands_off);
	json_string_or_null(j, "config", d->config_found ? d->config_path : NULL);
	json_begin_array(j, "servers");
	for (int i = 0; i < c->nservers; i++)
		json_string(j, NULL, c->servers[i]);
	json_end_array(j);
	if (c->has_makestep) {
		json_begin_object(j, "makestep");
		json_double(j, "threshold_s", c->makestep_threshold_s, 9);
		json_int(j, "limit", c->makestep_limit);
		json_end_object(j);
	} else {
		json_null(j, "makestep");
	}
	if (c->has_maxslewrate)
		json_double(j, "maxslewrate_ppm", c->maxslewrate_ppm, 9);
	else
		json_null(j, "maxslewrate_ppm");
	json_string_or_null(j, "refclock_phc", c->refclock_phc ? c->refclock_device : NULL);
	json_begin_object(j, "tinker");
	if (c->has_tinker_panic)
		json_double(j, "panic_s", c->tinker_panic_s, 9);
	if (c->has_tinker_step)
		json_double(j, "step_s", c->tinker_step_s, 9);
	if (c->has_tinker_stepout)
		json_double(j, "stepout_s", c->tinker_stepout_s, 9);
	json_end_object(j);
	json_string_or_null(j, "driftfile", c->driftfile[0] ? c->driftfile : NULL);
	json_end_object(j);
}

void envfmt_json(const struct env *e, struct json *j, const char *key)
{
	json_begin_object(j, key);
	json_bool(j, "live", e->live);
	json_string_or_null(j, "sysroot", e->live ? NULL : sysroot_dir());

	json_begin_object(j, "hypervisor");
	json_string(j, "verdict", hypervisor_id(e->hv));
	json_string(j, "name", hypervisor_name(e->hv));
	json_string(j, "why", e->hv_why);
	json_fact(j, "cpuid_signature", &e->cpuid_signature);
	json_begin_array(j, "evidence");
	for (int i = 0; i < e->n_hv_evidence; i++) {
		json_begin_object(j, NULL);
		json_string(j, "source", e->hv_evidence[i].source);
		json_string(j, "says", hypervisor_id(e->hv_evidence[i].says));
		json_string(j, "detail", e->hv_evidence[i].detail);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);

	json_begin_object(j, "cpu");
	json_fact(j, "vendor", &e->cpu_vendor);
	json_fact(j, "brand", &e->cpu_brand);
	json_flag(j, "tsc", &e->tsc);
	json_flag(j, "constant_tsc", &e->constant_tsc);
	json_flag(j, "invariant_tsc", &e->nonstop_tsc);
	json_flag(j, "tsc_reliable", &e->tsc_reliable);
	json_flag(j, "tsc_known_freq", &e->tsc_known_freq);
	json_flag(j, "hypervisor_flag", &e->hypervisor_flag);
	json_end_object(j);

	json_begin_object(j, "kernel");
	json_fact(j, "release", &e->kernel_release);
	if (e->kernel_release.known) {
		json_begin_object(j, "version");
		json_int(j, "major", e->kver.major);
		json_int(j, "minor", e->kver.minor);
		json_int(j, "patch", e->kver.patch);
		json_string(j, "local", e->kver.local);
		json_string_or_null(j, "distro_tag", e->kver.distro[0] ? e->kver.distro : NULL);
		if (e->kver.el_major) {
			json_int(j, "el_major", e->kver.el_major);
			json_int(j, "el_build", e->kver.el_build);
			if (e->kver.el_minor >= 0)
				json_int(j, "el_minor", e->kver.el_minor);
			else
				json_null(j, "el_minor");
		}
		json_end_object(j);
	}
	json_fact(j, "arch", &e->arch);
	json_fact(j, "cmdline", &e->cmdline);
	json_begin_array(j, "time_args");
	for (int i = 0; i < e->n_time_args; i++) {
		json_begin_object(j, NULL);
		json_string(j, "key", e->time_args[i].key);
		json_string_or_null(j, "value", e->time_args[i].has_value ?
				    e->time_args[i].value : NULL);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);

	json_begin_object(j, "clocksource");
	json_string_or_null(j, "current", e->clocksource.known ? e->clocksource.value : NULL);
	json_string(j, e->clocksource.known ? "source" : "why",
		    e->clocksource.known ? e->clocksource.source : e->clocksource.why);
	if (e->clocksources_available.known)
		json_words(j, "available", e->clocksources_available.value);
	else
		json_null(j, "available");
	json_end_object(j);

	json_begin_object(j, "kernel_ntp");
	if (e->kstate_known) {
		const struct clock_kstate *k = &e->kstate;
		struct strbuf s = STRBUF_INIT;

		clock_kstate_status_names(k->status, &s);
		json_string(j, "state", clock_kstate_state_name(k->state));
		json_int(j, "status_bits", k->status);
		json_words(j, "status", s.buf);
		json_double(j, "offset_s", k->offset_s, 9);
		json_double(j, "freq_ppm", k->freq_ppm, 9);
		json_double(j, "maxerror_s", k->maxerror_s, 9);
		json_double(j, "esterror_s", k->esterror_s, 9);
		json_int(j, "constant", k->constant);
		json_int(j, "tick_us", k->tick_us);
		json_int(j, "tai_s", k->tai);
		strbuf_release(&s);
	} else {
		json_null(j, "state");
		json_string(j, "why", e->kstate_why);
	}
	json_end_object(j);

	json_begin_object(j, "daemons");
	if (e->procs_known)
		json_null(j, "processes_why");
	else
		json_string(j, "processes_why", e->procs_why);
	{
		int a = env_active_daemon(e);
		json_string_or_null(j, "active", a >= 0 ? daemons_id(a) : NULL);
	}
	json_begin_array(j, "list");
	for (int k = 0; k < DAEMON_COUNT; k++)
		if (e->daemons[k].running || e->daemons[k].config_found)
			json_daemon(j, e, k);
	json_end_array(j);
	json_end_object(j);

	json_begin_object(j, "hyperv");
	json_flag(j, "hv_vmbus", &e->hv_vmbus);
	json_flag(j, "hv_utils", &e->hv_utils);
	json_flag(j, "ptp_hyperv", &e->ptp_hyperv);
	json_string_or_null(j, "ptp_device", e->ptp_hyperv_device[0] ?
			    e->ptp_hyperv_device : NULL);
	json_end_object(j);

	json_begin_object(j, "distro");
	json_fact(j, "name", &e->distro);
	json_string_or_null(j, "id", e->distro_id[0] ? e->distro_id : NULL);
	json_string_or_null(j, "version", e->distro_version[0] ? e->distro_version : NULL);
	json_string(j, "family", env_family_id(e->family));
	if (e->el_major) {
		json_int(j, "el_major", e->el_major);
		if (e->el_minor >= 0)
			json_int(j, "el_minor", e->el_minor);
		else
			json_null(j, "el_minor");
	}
	json_end_object(j);

	json_begin_object(j, "kernel_log");
	json_fact(j, "source", &e->klog);
	json_begin_array(j, "hints");
	for (int i = 0; i < e->n_hints; i++) {
		json_begin_object(j, NULL);
		json_string(j, "id", e->hints[i].id);
		json_string(j, "what", e->hints[i].what);
		json_int(j, "count", e->hints[i].count);
		json_string(j, "first", e->hints[i].first);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);

	json_begin_array(j, "software");
	for (int i = 0; i < e->n_pkgs; i++) {
		json_begin_object(j, NULL);
		json_string(j, "name", e->pkgs[i].name);
		json_string(j, "version", e->pkgs[i].version);
		json_string(j, "source", e->pkgs[i].source);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
}
