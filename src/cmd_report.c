/*
 * cmd_report.c - `hvclock report [FILE] [--since T] [--until T]
 * [--plot OUT.png|OUT.svg] [--json]`: what a sample log says, as text or
 * JSON, and as a picture.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cmds.h"
#include "env.h"
#include "json.h"
#include "logscan.h"
#include "plot.h"
#include "record.h"
#include "report.h"
#include "rules.h"
#include "strbuf.h"
#include "sysroot.h"
#include "util.h"

#define DEFAULT_LOG "/var/log/hvclock/samples.log"

const char cmd_report_help[] =
	"Usage: hvclock report [FILE] [--since T] [--until T] [--host NAME]\n"
	"                      [--plot OUT.png|OUT.svg] [--json]\n"
	"\n"
	"Read a sample log written by 'hvclock log' and 'hvclock watch' and show\n"
	"how the clock behaved: the log cut into segments at reboots and clock\n"
	"steps, each with its drift against NTP (ppm and seconds per hour, by\n"
	"least squares), the offset range, the drift of the raw clocksource and\n"
	"the kernel's correction; every step with its time and size, reboots,\n"
	"clocksource changes and gaps in logging; and a summary.\n"
	"\n"
	"FILE defaults to " DEFAULT_LOG " (under --sysroot when given);\n"
	"'-' reads standard input. Damaged lines (a torn last line, garbage, a\n"
	"newer format) are skipped with a warning naming the line.\n"
	"\n"
	"Options:\n"
	"  --since T, --until T  only records in this period (REALTIME, UTC):\n"
	"                  2026-03-02, '2026-03-02 10:00', 2026-03-02T10:00:30Z,\n"
	"                  @UNIX_SECONDS, or -DURATION before now (-6h, -7d)\n"
	"  --host NAME     records of this host only (default: the first one's)\n"
	"  --plot FILE     draw the offset over time with steps, reboots and the\n"
	"                  fitted drift per segment; PNG or SVG by the extension\n"
	"  --plot-size WxH picture size in pixels (default 1200x600)\n"
	"  --gap DURATION  a pause in logging longer than this is a gap\n"
	"                  (default: 3 times the usual interval, at least 2 min)\n"
	"  --step-threshold DURATION\n"
	"                  smallest change of REALTIME - BOOTTIME between two\n"
	"                  records taken as a step (default 50ms)\n"
	"  --json          one JSON object (schema in README.md)\n"
	"  --sysroot DIR   read the default log under DIR\n"
	"  -h, --help      show this help\n"
	"\n"
	"Exit status: 0 report made, 1 the log cannot be read, has no records\n"
	"or the picture cannot be written, 2 usage error.\n";

/*
 * Parses a --since/--until value into REALTIME ns. Dates and times are
 * UTC; "-DURATION" counts back from now_ns. Times must fit the log's
 * nanosecond clock (1677-09-22 to 2262-04-11) and dates must exist (strptime
 * takes 2026-02-31; timegm would quietly make it March 3).
 */
static int parse_time(const char *s, clock_real_ns now_ns, clock_real_ns *out,
		      char *err)
{
	static const char *const fmts[] = {
		"%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
		"%Y-%m-%dT%H:%MZ", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d",
	};
	/* INT64_MAX ns: 2262-04-11T23:47:16Z (and as far before 1970). */
	const double max_s = (double)(INT64_MAX / 1000000000 - 1);
	double v;

	if (s[0] == '@') {
		if (util_parse_double(s + 1, -max_s, max_s, &v, err))
			return -1;
		*out = (clock_real_ns)llround(v * 1e9);
		return 0;
	}
	if (s[0] == '-') {
		if (util_parse_duration(s + 1, 0, 1e9, &v, err))
			return -1;
		*out = now_ns - (clock_real_ns)llround(v * 1e9);
		return 0;
	}
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(fmts); i++) {
		struct tm tm, back;
		const char *end;
		time_t t;

		memset(&tm, 0, sizeof(tm));
		end = strptime(s, fmts[i], &tm);
		if (!end || *end)
			continue;
		back = tm;
		t = timegm(&back);
		if (back.tm_mday != tm.tm_mday || back.tm_mon != tm.tm_mon ||
		    back.tm_hour != tm.tm_hour || back.tm_min != tm.tm_min ||
		    back.tm_sec != tm.tm_sec)
			return util_err(err, "bad time '%s': no such date or time", s);
		if (t < -(time_t)max_s || t > (time_t)max_s)
			return util_err(err, "time '%s' out of range (1677-09-22 to 2262-04-11)", s);
		*out = (clock_real_ns)t * 1000000000;
		return 0;
	}
	return util_err(err, "bad time '%s' (want 2026-03-02, '2026-03-02 10:00', "
			"@UNIX_SECONDS or -DURATION)", s);
}

static void fmt_time(clock_real_ns t, char *buf, size_t len)
{
	time_t s = (time_t)(t / 1000000000 - (t % 1000000000 < 0));
	struct tm tm;

	if (gmtime_r(&s, &tm))
		strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	else
		snprintf(buf, len, "?");
}

static const char *cut_name(enum report_cut c)
{
	return c == REPORT_CUT_REBOOT ? "reboot" : c == REPORT_CUT_STEP ? "step" : "start";
}

/* "+49500.0 ppm" with a precision that suits the size. */
static void fmt_ppm(double ppm, char *buf, size_t len)
{
	if (fabs(ppm) < 0.005)
		ppm = 0;   /* no "-0.00" */
	snprintf(buf, len, fabs(ppm) >= 1000 ? "%+.0f" : fabs(ppm) >= 10 ? "%+.1f" : "%+.2f",
		 ppm);
}

static void fmt_secs(double s, char *buf, size_t len)
{
	double a = fabs(s);

	if (a >= 10)
		snprintf(buf, len, "%+.1f s", s);
	else if (a >= 0.1)
		snprintf(buf, len, "%+.3f s", s);
	else if (a >= 1e-4)
		snprintf(buf, len, "%+.3f ms", s * 1e3);
	else
		snprintf(buf, len, "%+.1f us", s * 1e6);
}

static void short_id(const char *id, char *buf, size_t len)
{
	snprintf(buf, len, "%.8s", id[0] ? id : "?");
}

/* ------------------------------------------------------------- verdict */

struct verdict {
	bool judged;                /* the log had records to measure */
	bool env_probed;            /* this machine's facts (or --sysroot's) */
	char env_why[200];          /* why not */
	struct rules_result rr;
};

/*
 * The environment of a log written elsewhere is not this machine's: every
 * fact unknown, so only the rules that need the measurement alone fire.
 */
static void env_unknown(struct env *e)
{
	struct env_flag *flags[] = {
		&e->tsc, &e->constant_tsc, &e->nonstop_tsc, &e->tsc_reliable,
		&e->tsc_known_freq, &e->hypervisor_flag, &e->hv_vmbus, &e->hv_utils,
		&e->ptp_hyperv,
	};

	memset(e, 0, sizeof(*e));
	e->hv = HV_UNKNOWN;
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(flags); i++)
		flags[i]->value = -1;
	e->el_minor = -1;
}

/* Judges the log the way diagnose judges a measurement (rules.h). */
static void judge(const struct report *r, struct verdict *v)
{
	struct measurement *m = xmalloc(sizeof(*m));
	struct env *e = xmalloc(sizeof(*e));
	struct logscan *ls = NULL;
	const char *host = report_summary(r)->host;
	char me[64];

	memset(v, 0, sizeof(*v));
	v->judged = report_measurement(r, m);
	record_short_hostname(me, sizeof(me));
	if (!sysroot_is_live() || !host[0] || !strcmp(host, me)) {
		env_probe(e);
		ls = xmalloc(sizeof(*ls));
		logscan_scan(e->daemons[DAEMON_NTPD].conf.driftfile,
			     e->daemons[DAEMON_CHRONYD].conf.driftfile, ls);
		v->env_probed = true;
	} else {
		size_t ns = report_nsegments(r);

		env_unknown(e);
		/* What the log itself says about that machine. */
		if (ns && report_segment(r, ns - 1)->clocksource[0]) {
			e->clocksource.known = true;
			snprintf(e->clocksource.value, sizeof(e->clocksource.value), "%s",
				 report_segment(r, ns - 1)->clocksource);
			snprintf(e->clocksource.source, sizeof(e->clocksource.source),
				 "the sample log");
		}
		snprintf(v->env_why, sizeof(v->env_why),
			 "the log is from %s, this is %s: judged on the log alone", host, me);
	}
	rules_evaluate(e, v->judged ? m : NULL, ls, &v->rr);
	free(ls);
	free(e);
	free(m);
}

static void text_verdict(const struct verdict *v, struct strbuf *o)
{
	strbuf_addf(o, "\nVerdict:  %s", rules_severity_name(v->rr.worst));
	if (v->rr.summary[0])
		strbuf_addf(o, " (%s)", v->rr.summary);
	strbuf_addch(o, '\n');
	if (!v->env_probed)
		strbuf_addf(o, "          %s\n", v->env_why);
	if (v->rr.n) {
		strbuf_addch(o, '\n');
		rules_format_text(&v->rr, o);
	}
}

/* ---------------------------------------------------------------- text */

static void text_report(const struct report *r, const char *name,
			const struct verdict *v, struct strbuf *o)
{
	const struct report_summary *s = report_summary(r);
	char a[32], b[32], d[32], x[32], y[32];

	fmt_time(s->first_ns, a, sizeof(a));
	fmt_time(s->last_ns, b, sizeof(b));
	util_human_duration((double)(s->last_ns - s->first_ns) * 1e-9, d, sizeof(d));
	strbuf_addf(o, "Log:      %s\n", name);
	strbuf_addf(o, "Host:     %s\n", s->host[0] ? s->host : "(unknown)");
	strbuf_addf(o, "Period:   %s to %s UTC (%s)\n", a, b, d);
	strbuf_addf(o, "Records:  %zu (%zu with NTP), one every %.0f s typically",
		    s->n_records, s->n_ntp, s->median_interval_s);
	if (s->n_damaged)
		strbuf_addf(o, "; %zu damaged line%s skipped", s->n_damaged,
			    s->n_damaged == 1 ? "" : "s");
	if (s->n_other_hosts)
		strbuf_addf(o, "; %zu of other hosts skipped", s->n_other_hosts);
	strbuf_addstr(o, "\n\nSegments (cut at reboots and steps; drift > 0 = clock fast):\n");
	strbuf_addstr(o, "   #  from (UTC)           length    recs  drift ppm   per hour"
		      "  offset range              raw ppm  kernel ppm  clocksource\n");
	for (size_t i = 0; i < report_nsegments(r); i++) {
		const struct report_segment *g = report_segment(r, i);
		char dr[24] = "-", sh[24] = "-", rng[48] = "no NTP", raw[24] = "-",
		     kf[24] = "-";

		fmt_time(g->start_ns, a, sizeof(a));
		util_human_duration((double)(g->end_ns - g->start_ns) * 1e-9, d, sizeof(d));
		if (g->fit.valid) {
			fmt_ppm(g->fit.drift_ppm, dr, sizeof(dr));
			fmt_secs(g->fit.drift_ppm * 3600e-6, sh, sizeof(sh));
		}
		if (g->n_ntp) {
			fmt_secs(g->offset_min_s, x, sizeof(x));
			fmt_secs(g->offset_max_s, y, sizeof(y));
			snprintf(rng, sizeof(rng), "%s .. %s", x, y);
		}
		if (g->fit_raw.valid)
			fmt_ppm(g->fit_raw.drift_ppm, raw, sizeof(raw));
		if (g->local_rate_valid)
			fmt_ppm(g->local_rate_ppm, kf, sizeof(kf));
		strbuf_addf(o, "%4zu  %s  %-8s %6zu  %9s %10s  %-24s %9s %10s  %s%s\n",
			    i + 1, a, d, g->n, dr, sh, rng, raw, kf,
			    g->clocksource[0] ? g->clocksource : "-",
			    g->cut == REPORT_CUT_START ? "" :
			    g->cut == REPORT_CUT_REBOOT ? "  (after reboot)" : "  (after step)");
	}
	if (report_nevents(r)) {
		strbuf_addstr(o, "\nEvents (log order; a backward step sets the times back):\n");
		for (size_t i = 0; i < report_nevents(r); i++) {
			const struct report_event *e = report_event(r, i);

			fmt_time(e->at_ns, a, sizeof(a));
			switch (e->kind) {
			case REPORT_STEP:
				fmt_secs(e->size_s, x, sizeof(x));
				strbuf_addf(o, "  %s  step %-8s  %s%s\n", a,
					    e->size_s < 0 ? "backward" : "forward", x,
					    e->live ? " (seen live by hvclock watch)" : "");
				break;
			case REPORT_REBOOT:
				short_id(e->from, x, sizeof(x));
				short_id(e->to, y, sizeof(y));
				util_human_duration(e->size_s, d, sizeof(d));
				strbuf_addf(o, "  %s  reboot         boot %s -> %s, %s without records\n",
					    a, x, y, d);
				break;
			case REPORT_CLOCKSOURCE:
				strbuf_addf(o, "  %s  clocksource    %s -> %s\n", a,
					    e->from, e->to);
				break;
			case REPORT_GAP:
				fmt_time(e->before_ns, b, sizeof(b));
				util_human_duration(e->size_s, d, sizeof(d));
				strbuf_addf(o, "  %s  gap            no records for %s (since %s)\n",
					    a, d, b);
				break;
			}
		}
	}
	strbuf_addstr(o, "\nSummary:\n");
	if (s->worst_segment >= 0) {
		const struct report_segment *g = report_segment(r, (size_t)s->worst_segment);

		fmt_ppm(s->worst_drift_ppm, x, sizeof(x));
		fmt_secs(s->worst_drift_ppm * 3600e-6, y, sizeof(y));
		fmt_secs(s->worst_drift_ppm * 86400e-6, d, sizeof(d));
		strbuf_addf(o, "  worst drift:        %s ppm (%s per hour, %s per day) in segment %d\n",
			    x, y, d, s->worst_segment + 1);
		if (g->fit_raw.valid) {
			fmt_ppm(g->fit_raw.drift_ppm, x, sizeof(x));
			strbuf_addf(o, "  raw clocksource:    %s ppm in that segment (before the kernel's correction)\n",
				    x);
		}
	} else if (s->worst_local_segment >= 0) {
		fmt_ppm(s->worst_local_rate_ppm, x, sizeof(x));
		strbuf_addf(o, "  worst drift:        unknown (no NTP offsets); REALTIME ran %s ppm\n"
			    "                      against MONOTONIC_RAW in segment %d\n",
			    x, s->worst_local_segment + 1);
	} else {
		strbuf_addstr(o, "  worst drift:        unknown (too few records)\n");
	}
	if (s->n_steps_back) {
		fmt_secs(s->largest_back_s, x, sizeof(x));
		fmt_time(s->largest_back_at_ns, a, sizeof(a));
		strbuf_addf(o, "  backward steps:     %zu, largest %s at %s\n",
			    s->n_steps_back, x, a);
	} else {
		strbuf_addstr(o, "  backward steps:     none\n");
	}
	if (s->n_steps_fwd) {
		fmt_secs(s->largest_fwd_s, x, sizeof(x));
		strbuf_addf(o, "  forward steps:      %zu, largest %s\n", s->n_steps_fwd, x);
	} else {
		strbuf_addstr(o, "  forward steps:      none\n");
	}
	strbuf_addf(o, "  reboots:            %zu\n", s->n_reboots);
	strbuf_addf(o, "  clocksource changes: %zu\n", s->n_clocksource_changes);
	util_human_duration(s->gap_total_s, d, sizeof(d));
	strbuf_addf(o, "  gaps in logging:    %zu%s%s\n", s->n_gaps,
		    s->n_gaps ? ", " : "", s->n_gaps ? d : "");
	text_verdict(v, o);
}

/* ---------------------------------------------------------------- json */

static void json_fit(struct json *j, const char *key, const struct analysis_fit *f)
{
	if (!f->valid) {
		json_null(j, key);
		return;
	}
	json_begin_object(j, key);
	json_double(j, "drift_ppm", f->drift_ppm, 6);
	json_double(j, "drift_s_per_hour", f->drift_ppm * 3600e-6, 6);
	json_double(j, "drift_se_ppm", f->drift_se_ppm, 3);
	json_double(j, "residual_rms_s", f->residual_rms_s, 3);
	json_int(j, "points", (int64_t)f->n_used);
	json_end_object(j);
}

static void json_time(struct json *j, const char *key, clock_real_ns t)
{
	char buf[32];

	record_iso_time(t, buf, sizeof(buf));
	json_string(j, key, buf);
}

static void json_report(const struct report *r, const char *name,
			const struct verdict *v, struct strbuf *o)
{
	const struct report_summary *s = report_summary(r);
	struct json j;

	json_init(&j, o, true);
	json_begin_object(&j, NULL);
	json_string(&j, "log", name);
	json_string(&j, "host", s->host);
	json_time(&j, "first", s->first_ns);
	json_time(&j, "last", s->last_ns);
	json_int(&j, "lines", (int64_t)s->n_lines);
	json_int(&j, "records", (int64_t)s->n_records);
	json_int(&j, "records_with_ntp", (int64_t)s->n_ntp);
	json_int(&j, "damaged_lines", (int64_t)s->n_damaged);
	json_int(&j, "other_host_records", (int64_t)s->n_other_hosts);
	json_begin_array(&j, "warnings");
	for (size_t i = 0; i < report_nwarnings(r); i++)
		json_string(&j, NULL, report_warning(r, i));
	json_end_array(&j);
	json_double(&j, "median_interval_s", s->median_interval_s, 6);
	json_double(&j, "gap_threshold_s", s->gap_threshold_s, 6);
	json_begin_array(&j, "segments");
	for (size_t i = 0; i < report_nsegments(r); i++) {
		const struct report_segment *g = report_segment(r, i);

		json_begin_object(&j, NULL);
		json_string(&j, "starts_at", cut_name(g->cut));
		json_time(&j, "start", g->start_ns);
		json_time(&j, "end", g->end_ns);
		json_double(&j, "span_s", g->span_s, 9);
		json_int(&j, "records", (int64_t)g->n);
		json_int(&j, "records_with_ntp", (int64_t)g->n_ntp);
		json_string(&j, "boot_id", g->boot_id);
		json_string(&j, "clocksource", g->clocksource);
		json_double(&j, "offset_min_s", g->offset_min_s, 9);
		json_double(&j, "offset_max_s", g->offset_max_s, 9);
		json_fit(&j, "drift", &g->fit);
		json_fit(&j, "drift_raw", &g->fit_raw);
		if (g->local_rate_valid)
			json_double(&j, "realtime_vs_raw_ppm", g->local_rate_ppm, 6);
		else
			json_null(&j, "realtime_vs_raw_ppm");
		if (g->kfreq_valid)
			json_double(&j, "kernel_freq_ppm", g->kfreq_ppm, 6);
		else
			json_null(&j, "kernel_freq_ppm");
		json_end_object(&j);
	}
	json_end_array(&j);
	json_begin_array(&j, "events");
	for (size_t i = 0; i < report_nevents(r); i++) {
		const struct report_event *e = report_event(r, i);

		json_begin_object(&j, NULL);
		json_string(&j, "type", report_event_name(e->kind));
		json_time(&j, "at", e->at_ns);
		json_double(&j, "at_unix", (double)e->at_ns * 1e-9, 16);
		json_int(&j, "line", e->line);
		json_int(&j, "segment", e->segment + 1);
		switch (e->kind) {
		case REPORT_STEP:
			json_double(&j, "size_s", e->size_s, 9);
			json_string(&j, "direction", e->size_s < 0 ? "backward" : "forward");
			json_bool(&j, "seen_live", e->live);
			break;
		case REPORT_REBOOT:
			json_string(&j, "from_boot_id", e->from);
			json_string(&j, "to_boot_id", e->to);
			json_double(&j, "without_records_s", e->size_s, 6);
			break;
		case REPORT_CLOCKSOURCE:
			json_string(&j, "from", e->from);
			json_string(&j, "to", e->to);
			break;
		case REPORT_GAP:
			json_time(&j, "since", e->before_ns);
			json_double(&j, "length_s", e->size_s, 6);
			break;
		}
		json_end_object(&j);
	}
	json_end_array(&j);
	json_begin_object(&j, "summary");
	if (s->worst_segment >= 0) {
		json_double(&j, "worst_drift_ppm", s->worst_drift_ppm, 6);
		json_double(&j, "worst_drift_s_per_hour", s->worst_drift_ppm * 3600e-6, 6);
		json_int(&j, "worst_drift_segment", s->worst_segment + 1);
	} else {
		json_null(&j, "worst_drift_ppm");
		json_null(&j, "worst_drift_s_per_hour");
		json_null(&j, "worst_drift_segment");
	}
	if (s->worst_local_segment >= 0)
		json_double(&j, "worst_realtime_vs_raw_ppm", s->worst_local_rate_ppm, 6);
	else
		json_null(&j, "worst_realtime_vs_raw_ppm");
	json_int(&j, "backward_steps", (int64_t)s->n_steps_back);
	if (s->n_steps_back) {
		json_double(&j, "largest_backward_step_s", s->largest_back_s, 9);
		json_time(&j, "largest_backward_step_at", s->largest_back_at_ns);
	} else {
		json_null(&j, "largest_backward_step_s");
		json_null(&j, "largest_backward_step_at");
	}
	json_int(&j, "forward_steps", (int64_t)s->n_steps_fwd);
	json_int(&j, "reboots", (int64_t)s->n_reboots);
	json_int(&j, "clocksource_changes", (int64_t)s->n_clocksource_changes);
	json_int(&j, "gaps", (int64_t)s->n_gaps);
	json_double(&j, "gap_total_s", s->gap_total_s, 6);
	json_end_object(&j);
	rules_to_json(&v->rr, &j, "verdict");
	json_bool(&j, "verdict_env_probed", v->env_probed);
	json_end_object(&j);
	strbuf_addch(o, '\n');
}

/* ---------------------------------------------------------------- plot */

/*
 * The picture's time axis is the reference's (REALTIME + offset): a clock
 * ten minutes off would otherwise draw its segments over each other.
 * Records without an offset take the segment's fitted one.
 */
static double ref_time(const struct report *r, int seg, clock_real_ns t, double off)
{
	if (isnan(off) && seg >= 0)
		off = report_fit_at(r, (size_t)seg, t);
	return (double)t * 1e-9 + (isnan(off) ? 0 : off);
}

static struct plot *build_plot(const struct report *r, enum plot_format fmt,
			       int w, int h, const struct report_opts *ro)
{
	const struct report_summary *s = report_summary(r);
	struct strbuf title = STRBUF_INIT, sub = STRBUF_INIT;
	struct plot_opts po;
	struct plot *p;
	double tmin = INFINITY, tmax = -INFINITY;
	char a[32], b[32], d[32], x[32];

	for (size_t i = 0; i < report_nsegments(r); i++) {
		const struct report_segment *g = report_segment(r, i);

		for (size_t k = 0; k < g->n; k++) {
			clock_real_ns t;
			double off, rt;

			report_point(r, g->first + k, &t, &off);
			rt = ref_time(r, (int)i, t, off);
			tmin = util_fmin(tmin, rt);
			tmax = util_fmax(tmax, rt);
		}
	}
	if (ro->have_since)
		tmin = (double)ro->since_ns * 1e-9;
	if (ro->have_until)
		tmax = (double)ro->until_ns * 1e-9;
	if (!(tmax > tmin))
		tmax = tmin + 60;

	strbuf_addf(&title, "%s: clock offset against NTP",
		    s->host[0] ? s->host : "unknown host");
	fmt_time((clock_real_ns)(tmin * 1e9), a, sizeof(a));
	fmt_time((clock_real_ns)(tmax * 1e9), b, sizeof(b));
	a[16] = b[16] = 0;   /* to the minute */
	util_human_duration(tmax - tmin, d, sizeof(d));
	strbuf_addf(&sub, "%s to %s UTC (%s, %zu records)", a, b, d, s->n_records);
	if (s->worst_segment >= 0) {
		fmt_ppm(s->worst_drift_ppm, x, sizeof(x));
		strbuf_addf(&sub, "  |  worst drift %s ppm (", x);
		fmt_secs(s->worst_drift_ppm * 3600e-6, x, sizeof(x));
		strbuf_addf(&sub, "%s/h)", x);
	}
	if (s->n_steps_back) {
		fmt_secs(s->largest_back_s, x, sizeof(x));
		strbuf_addf(&sub, "  |  %zu backward step%s, largest %s", s->n_steps_back,
			    s->n_steps_back == 1 ? "" : "s", x);
	}
	if (s->n_reboots)
		strbuf_addf(&sub, "  |  %zu reboot%s", s->n_reboots, s->n_reboots == 1 ? "" : "s");

	memset(&po, 0, sizeof(po));
	po.format = fmt;
	po.width = w;
	po.height = h;
	po.title = title.buf;
	po.subtitle = sub.buf;
	po.y_quantity = "offset, server - local";
	po.x_quantity = "time (UTC, as the NTP server keeps it)";
	po.t_min = tmin;
	po.t_max = tmax;
	po.empty_text = "no NTP offsets in this period (no server answered, or --no-ntp)";
	p = plot_new(&po);
	strbuf_release(&title);
	strbuf_release(&sub);

	for (size_t i = 0; i < report_nsegments(r); i++) {
		const struct report_segment *g = report_segment(r, i);

		double prev = 0;

		for (size_t k = 0; k < g->n; k++) {
			clock_real_ns t;
			double off, rt;

			report_point(r, g->first + k, &t, &off);
			rt = ref_time(r, (int)i, t, off);
			/* Not joined across a gap in logging. */
			plot_add_point(p, rt, off, k == 0 || rt - prev > s->gap_threshold_s);
			prev = rt;
		}
		if (g->fit.valid) {
			double y0 = report_fit_at(r, i, g->start_ns);
			double y1 = report_fit_at(r, i, g->end_ns);

			char lab[48];

			fmt_ppm(g->fit.drift_ppm, x, sizeof(x));
			snprintf(lab, sizeof(lab), "%s ppm", x);
			plot_add_fit(p, (double)g->start_ns * 1e-9 + y0, y0,
				     (double)g->end_ns * 1e-9 + y1, y1, lab);
		}
	}
	for (size_t i = 0; i < report_nevents(r); i++) {
		const struct report_event *e = report_event(r, i);
		double t = ref_time(r, e->segment, e->at_ns, e->offset_s);

		switch (e->kind) {
		case REPORT_STEP:
			fmt_secs(e->size_s, x, sizeof(x));
			plot_add_marker(p, e->size_s < 0 ? PLOT_STEP_BACK : PLOT_STEP_FWD, t, x,
					fabs(e->size_s));
			break;
		case REPORT_REBOOT:
			plot_add_marker(p, PLOT_REBOOT, t, "reboot", 0);
			break;
		case REPORT_CLOCKSOURCE:
			plot_add_marker(p, PLOT_CLOCKSOURCE, t, e->to, 0);
			break;
		case REPORT_GAP:
			plot_add_gap(p, ref_time(r, e->segment, e->before_ns, e->before_offset_s), t);
			break;
		}
	}
	return p;
}

/* WIDTHxHEIGHT, strictly (sscanf's %d would take blanks, signs, and
 * overflow without a word). */
static int parse_size(const char *s, int *w, int *h, char *err)
{
	const char *x = strchr(s, 'x');
	char wbuf[16];
	long lw, lh;

	if (!x || (size_t)(x - s) >= sizeof(wbuf))
		goto bad;
	memcpy(wbuf, s, (size_t)(x - s));
	wbuf[x - s] = '\0';
	if (util_parse_long(wbuf, 320, 4000, &lw, NULL) ||
	    !isdigit((unsigned char)wbuf[0]) || !isdigit((unsigned char)x[1]) ||
	    util_parse_long(x + 1, 200, 4000, &lh, NULL))
		goto bad;
	*w = (int)lw;
	*h = (int)lh;
	return 0;
bad:
	return util_err(err, "bad size '%s' (WIDTHxHEIGHT, 320x200 to 4000x4000)", s);
}

int cmd_report(const struct cli_cmd *cmd, int argc, char **argv)
{
	enum { O_SINCE = 1, O_UNTIL, O_PLOT, O_JSON, O_HOST, O_GAP, O_STEP, O_SIZE };
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, O_SINCE },
		{ "until", required_argument, NULL, O_UNTIL },
		{ "plot", required_argument, NULL, O_PLOT },
		{ "plot-size", required_argument, NULL, O_SIZE },
		{ "json", no_argument, NULL, O_JSON },
		{ "host", required_argument, NULL, O_HOST },
		{ "gap", required_argument, NULL, O_GAP },
		{ "step-threshold", required_argument, NULL, O_STEP },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct report_opts ro;
	struct strbuf out = STRBUF_INIT;
	const char *file = NULL, *plot_path = NULL, *name;
	char err[UTIL_ERRMAX];
	bool as_json = false;
	enum plot_format pfmt = PLOT_PNG;
	int pw = 1200, ph = 600;
	clock_real_ns now = 0;
	struct report *r = NULL;
	struct plot *p = NULL;
	struct verdict *verdict;
	int opt, rc, fd;

	/*
	 * Keep big blocks on the heap and freed memory in the process: the
	 * records freed before drawing then hold libplot's canvas, instead of
	 * the kernel faulting in fresh pages for it (a year's log: ~6000
	 * page faults fewer).
	 */
	mallopt(M_MMAP_THRESHOLD, 256 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	report_opts_default(&ro);
	clock_read(CLOCK_ID_REALTIME, &now);
	while ((opt = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (opt) {
		case O_SINCE:
		case O_UNTIL:
			if (parse_time(optarg, now, opt == O_SINCE ? &ro.since_ns : &ro.until_ns,
				       err))
				return cli_usage(cmd, "--%s: %s", opt == O_SINCE ? "since" : "until",
						 err);
			*(opt == O_SINCE ? &ro.have_since : &ro.have_until) = true;
			break;
		case O_PLOT:
			if (plot_format_of(optarg, &pfmt, err))
				return cli_usage(cmd, "--plot: %s", err);
			plot_path = optarg;
			break;
		case O_SIZE:
			if (parse_size(optarg, &pw, &ph, err))
				return cli_usage(cmd, "--plot-size: %s", err);
			break;
		case O_JSON:
			as_json = true;
			break;
		case O_HOST:
			if (!*optarg)
				return cli_usage(cmd, "empty --host");
			ro.host = optarg;
			break;
		case O_GAP:
			if (util_parse_duration(optarg, 1, 1e9, &ro.gap_s, err))
				return cli_usage(cmd, "--gap: %s", err);
			break;
		case O_STEP:
			if (util_parse_duration(optarg, 1e-6, 1e6, &ro.cmp.step_min_s, err))
				return cli_usage(cmd, "--step-threshold: %s", err);
			break;
		default:
			if ((rc = cli_common_option(cmd, opt, argv)) >= 0)
				return rc;
		}
	}
	if (optind < argc)
		file = argv[optind++];
	if ((rc = cli_no_operands(cmd, argc, argv)) >= 0)
		return rc;
	if (ro.have_since && ro.have_until && ro.until_ns < ro.since_ns)
		return cli_usage(cmd, "--until is before --since");

	if (file && !strcmp(file, "-")) {
		fd = STDIN_FILENO;
		name = "(standard input)";
	} else if (file) {
		fd = open(file, O_RDONLY | O_CLOEXEC);
		name = file;
		if (fd < 0) {
			cli_error("cannot open '%s': %s", file, strerror(errno));
			return CLI_EXIT_FAILURE;
		}
	} else {
		name = DEFAULT_LOG;
		fd = sysroot_open(DEFAULT_LOG, 0, err);
		if (fd < 0) {
			cli_error("%s", err);
			return CLI_EXIT_FAILURE;
		}
	}
	r = report_new(&ro);
	cli_progress("reading %s", name);
	rc = report_read_fd(r, fd, name, err);
	if (fd != STDIN_FILENO)
		close(fd);
	if (rc) {
		cli_error("%s", err);
		report_free(r);
		return CLI_EXIT_FAILURE;
	}
	cli_progress("analysing %zu records", report_summary(r)->n_records);
	report_finish(r);
	cli_progress_done();
	for (size_t i = 0; i < report_nwarnings(r); i++)
		cli_warning("%s: %s", name, report_warning(r, i));
	if (report_summary(r)->n_damaged > report_nwarnings(r))
		cli_warning("%s: %zu more damaged lines skipped", name,
			    report_summary(r)->n_damaged - report_nwarnings(r));
	if (!report_summary(r)->n_records) {
		cli_error("no records in '%s'%s", name,
			  ro.have_since || ro.have_until ? " in that period" : "");
		report_free(r);
		return CLI_EXIT_FAILURE;
	}
	verdict = xmalloc(sizeof(*verdict));
	cli_progress("judging");
	judge(r, verdict);
	cli_progress_done();
	if (as_json)
		json_report(r, name, verdict, &out);
	else
		text_report(r, name, verdict, &out);
	free(verdict);
	if (plot_path)
		p = build_plot(r, pfmt, pw, ph, &ro);
	/* The picture is decimated already: free the records before drawing. */
	report_free(r);
	rc = CLI_EXIT_OK;
	if (p) {
		cli_progress("drawing %s", plot_path);
		if (plot_write(p, plot_path, err)) {
			cli_progress_done();
			cli_error("%s", err);
			rc = CLI_EXIT_FAILURE;
		} else if (!as_json) {
			strbuf_addf(&out, "\nPicture:  %s\n", plot_path);
		}
		cli_progress_done();
		plot_free(p);
	}
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
	if (fflush(stdout))
		return CLI_EXIT_FAILURE;
	return rc;
}
