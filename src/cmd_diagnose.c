/*
 * cmd_diagnose.c - `hvclock diagnose`: probe the environment, sample the
 * clocks against NTP for a minute, and say how fast this clock drifts,
 * whether it stepped, and what the kernel and the daemon do about it.
 *
 * Exit codes follow the monitoring-plugins convention (0 OK, 1 WARNING,
 * 2 CRITICAL, 3 UNKNOWN), usage errors included (3), so the command can
 * run as a Nagios/Icinga check unchanged.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analysis.h"
#include "cli.h"
#include "cmds.h"
#include "env.h"
#include "envfmt.h"
#include "json.h"
#include "logscan.h"
#include "report.h"
#include "rules.h"
#include "sample.h"
#include "sntp.h"
#include "strbuf.h"
#include "sysroot.h"
#include "util.h"

#define DIAG_MAX_SERVERS 8
#define DIAG_SCHEMA_VERSION 1

enum diag_state { DIAG_OK = 0, DIAG_WARNING = 1, DIAG_CRITICAL = 2, DIAG_UNKNOWN = 3 };

const char cmd_diagnose_help[] =
	"Usage: hvclock diagnose [-s SERVER]... [-d DURATION] [-i INTERVAL] [-b N]\n"
	"                        [--no-ntp | --samples FILE] [--json] [--quiet]\n"
	"                        [--warn-offset T] [--crit-offset T]\n"
	"                        [--warn-drift R] [--crit-drift R]\n"
	"\n"
	"Measures how fast this machine's clock drifts against NTP and whether\n"
	"it steps. Probes the environment, then for DURATION reads every clock\n"
	"(REALTIME, MONOTONIC, MONOTONIC_RAW, BOOTTIME, TSC) every 10 ms to catch\n"
	"steps the moment they happen, and queries the NTP server every INTERVAL.\n"
	"Reports the offset, the drift of the system clock and of the raw\n"
	"clocksource (robust fit, with its standard error), the kernel's own\n"
	"frequency correction, every step, and what one read of each clock\n"
	"costs. The clock is never changed.\n"
	"\n"
	"Options:\n"
	"  -s, --server SERVER  HOST, HOST:PORT or [IPV6]:PORT; repeatable (up to\n"
	"                       8): the first that answers is the reference.\n"
	"                       Default: the servers of the running time daemon,\n"
	"                       else pool.ntp.org\n"
	"  -d, --duration TIME  how long to sample, e.g. 30s, 5m (default 60s)\n"
	"  -i, --interval TIME  between NTP queries (default 2s; below 2s per\n"
	"                       query only for servers on this machine,\n"
	"                       127.0.0.0/8 or ::1)\n"
	"  -b, --burst N        N queries back to back at each INTERVAL, the one\n"
	"                       with the lowest delay kept (1-8, default 1)\n"
	"      --no-ntp         local clocks only: steps, read costs, kernel state\n"
	"      --json           every number as one JSON object (README: json)\n"
	"  -q, --quiet          only the one-line status (monitoring plugins)\n"
	"      --warn-offset T  |offset| or a backward step beyond T: WARNING\n"
	"                       (default 100ms)\n"
	"      --crit-offset T  ... CRITICAL (default 1s)\n"
	"      --warn-drift R   |drift| beyond R: WARNING (default 100ppm)\n"
	"      --crit-drift R   ... CRITICAL (default 500ppm, ntpd's limit)\n"
	"      --samples FILE   judge a sample log written by 'hvclock log'\n"
	"                       instead of sampling (the latest segment with a\n"
	"                       drift fit stands for now; every step counts)\n"
	"      --sysroot DIR    read the environment under DIR; needs --no-ntp\n"
	"                       or --samples\n"
	"                       and measures nothing live\n"
	"  -h, --help           show this help\n"
	"\n"
	"Offset: server minus this clock, s (positive: this clock is behind).\n"
	"Drift: ppm, positive = this clock runs fast. The drift judged is the\n"
	"larger of the system clock's and the raw clocksource's.\n"
	"\n"
	"The findings (what the facts mean, with remedies) come from the rule\n"
	"table over the environment, the measurement and the system's logs.\n"
	"\n"
	"Exit status (monitoring plugins): 0 OK, 1 WARNING, 2 CRITICAL: the\n"
	"worse of the thresholds and the findings; 3 UNKNOWN: no NTP comparison\n"
	"could be made (no server answered), or a usage error. Ctrl-C ends the\n"
	"sampling early and reports what was seen.\n";

struct diag_opts {
	struct sntp_server servers[DIAG_MAX_SERVERS];
	int n_servers;
	bool servers_given, no_ntp, json, quiet;
	const char *samples;  /* --samples FILE: judge a recorded log instead */
	const char *samples_what;  /* ... and what it held (after reading) */
	long burst;           /* queries per INTERVAL, lowest delay kept */
	struct sample_opts so;
	double warn_offset_s, crit_offset_s, warn_drift_ppm, crit_drift_ppm;
};

/* The query hook's state: the servers in order, the one in use. */
struct diag_ntp {
	struct sntp_client *client;
	const struct diag_opts *o;
	char names[DIAG_MAX_SERVERS][300];
	char errors[DIAG_MAX_SERVERS][UTIL_ERRMAX];
	bool answered[DIAG_MAX_SERVERS], kissed[DIAG_MAX_SERVERS];
	char kod[DIAG_MAX_SERVERS][5];
	int cur;              /* the reference, -1 before any answer */
	int next;             /* first server still worth trying */
	bool quiet;
};

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static bool diag_stop(void *ctx)
{
	(void)ctx;
	return interrupted;
}

static int try_server(struct diag_ntp *d, int i, struct sntp_sample *out,
		      char *err)
{
	int ok = d->o->burst > 1 ?
		 sntp_burst(d->client, &d->o->servers[i], (int)d->o->burst, out, d->errors[i]) > 0 :
		 sntp_query(d->client, &d->o->servers[i], out, d->errors[i]) == 0;

	if (ok) {
		d->answered[i] = true;
		return 0;
	}
	if (sntp_server_kissed(d->client, &d->o->servers[i], d->kod[i]))
		d->kissed[i] = true;
	return util_err(err, "%s", d->errors[i]);
}

/*
 * Until a server has answered, each call tries the servers in order; from
 * then on only that one, so the offset series has a single reference.
 * A Kiss-o'-Death moves to the next server for good.
 */
static int diag_query(void *ctx, struct sntp_sample *out, int *source, char *err)
{
	struct diag_ntp *d = ctx;

	if (d->cur >= 0) {
		if (!d->kissed[d->cur]) {
			*source = d->cur;
			return try_server(d, d->cur, out, err);
		}
		d->next = d->cur + 1;
		d->cur = -1;
	}
	for (int i = d->next; i < d->o->n_servers; i++) {
		if (d->kissed[i])
			continue;
		if (try_server(d, i, out, err) == 0) {
			d->cur = i;
			*source = i;
			return 0;
		}
	}
	return util_err(err, "no NTP server answered");
}

struct diag_progress {
	double total_s;
	bool ntp;             /* NTP queried at all */
};

static void diag_progress(void *ctx, const struct sample_result *r,
			  double elapsed_s)
{
	const struct diag_progress *p = ctx;

	if (!p->ntp)
		cli_progress("sampling the local clocks: %.0f/%.0f s, %zu polls, %zu steps",
			     elapsed_s, p->total_s, r->n_polls, r->n_steps);
	else if (r->n_ntp)
		cli_progress("sampling: %zu NTP samples, %.0f/%.0f s, last offset %+.6f s",
			     r->n_ntp, elapsed_s, p->total_s,
			     r->ntp[r->n_ntp - 1].offset_s);
	else
		cli_progress("sampling: %zu NTP samples (%zu failed), %.0f/%.0f s",
			     r->n_ntp, r->n_ntp_failed, elapsed_s, p->total_s);
}

/* Both hooks need a context: progress gets the totals, the rest the NTP state. */
struct diag_ctx {
	struct diag_ntp ntp;
	struct diag_progress prog;
	struct strbuf samples_what;  /* --samples: what was read */
};

static int ctx_query(void *ctx, struct sntp_sample *out, int *source, char *err)
{
	return diag_query(&((struct diag_ctx *)ctx)->ntp, out, source, err);
}

static void ctx_progress(void *ctx, const struct sample_result *r, double e)
{
	diag_progress(&((struct diag_ctx *)ctx)->prog, r, e);
}

static bool is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (!strcmp(host, "localhost"))
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

/* ------------------------------------------------------------ judging */

struct verdict {
	enum diag_state state;
	enum diag_state thr_state;  /* from the thresholds (and NTP reachability) alone */
	struct strbuf why;      /* "offset +0.25 s beyond 100 ms; ..." */
	double drift_judged_ppm;
	bool have_drift;
};

static void raise_state(struct verdict *v, enum diag_state s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void raise_state(struct verdict *v, enum diag_state s, const char *fmt, ...)
{
	va_list ap;

	/* Worst wins, by number: UNKNOWN (no NTP comparison when one was
	 * asked for) over CRITICAL over WARNING. */
	if (s > v->state)
		v->state = s;
	if (v->why.len)
		strbuf_addstr(&v->why, "; ");
	va_start(ap, fmt);
	strbuf_vaddf(&v->why, fmt, ap);
	va_end(ap);
}

/* The worst finding of the rules raises the state (never to UNKNOWN:
 * that stays "no comparison could be made"). */
static void judge_findings(const struct rules_result *rr, struct verdict *v)
{
	for (int i = 0; i < rr->n; i++) {
		const struct rules_finding *f = &rr->findings[i];

		if (f->advice || f->severity == RULES_OK || f->severity == RULES_UNKNOWN)
			continue;
		raise_state(v, f->severity == RULES_CRITICAL ? DIAG_CRITICAL : DIAG_WARNING,
			    "finding %s", f->rule_id);
	}
}

static void judge(const struct diag_opts *o, const struct measurement *m,
		  bool measured, const struct rules_result *rr, struct verdict *v)
{
	const struct analysis_step *wb = measurement_worst_backward(m);
	double a;

	v->state = DIAG_OK;
	strbuf_init(&v->why);
	v->have_drift = false;
	if (!measured) {
		/* Another system's files: the findings are the whole verdict. */
		v->thr_state = DIAG_OK;
		judge_findings(rr, v);
		return;
	}
	if (m->have_ntp) {
		a = fabs(m->offset_s);
		if (a > o->crit_offset_s)
			raise_state(v, DIAG_CRITICAL, "offset %+.6f s beyond %g s", m->offset_s, o->crit_offset_s);
		else if (a > o->warn_offset_s)
			raise_state(v, DIAG_WARNING, "offset %+.6f s beyond %g s", m->offset_s, o->warn_offset_s);
	}
	/* The raw drift is what a daemon has to correct (ntpd cannot beyond
	 * 500 ppm); the system drift is what it leaves. Judge the worse. */
	if (m->drift_system.valid) {
		v->drift_judged_ppm = m->drift_system.drift_ppm;
		v->have_drift = true;
	}
	if (m->drift_raw.valid && (!v->have_drift ||
				   fabs(m->drift_raw.drift_ppm) > fabs(v->drift_judged_ppm))) {
		v->drift_judged_ppm = m->drift_raw.drift_ppm;
		v->have_drift = true;
	}
	if (v->have_drift) {
		a = fabs(v->drift_judged_ppm);
		if (a > o->crit_drift_ppm)
			raise_state(v, DIAG_CRITICAL, "drift %+.3f ppm beyond %g ppm",
				    v->drift_judged_ppm, o->crit_drift_ppm);
		else if (a > o->warn_drift_ppm)
			raise_state(v, DIAG_WARNING, "drift %+.3f ppm beyond %g ppm",
				    v->drift_judged_ppm, o->warn_drift_ppm);
	}
	if (wb) {
		a = -wb->size_s;
		if (a > o->crit_offset_s)
			raise_state(v, DIAG_CRITICAL, "backward step of %.6f s", a);
		else if (a > o->warn_offset_s)
			raise_state(v, DIAG_WARNING, "backward step of %.6f s", a);
	}
	if (!m->have_ntp && !o->no_ntp)
		raise_state(v, DIAG_UNKNOWN, "no NTP comparison: %s", m->ntp_why);
	v->thr_state = v->state;
	judge_findings(rr, v);
}

static const char *state_name(enum diag_state s)
{
	static const char *const n[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

	return n[s];
}

/* ------------------------------------------------------------ text */

#define LABEL_W 14

static void label(struct strbuf *out, const char *l)
{
	strbuf_addf(out, "  %-*s", LABEL_W, l);
}

static void fmt_real(clock_real_ns ns, char *buf, size_t len)
{
	time_t s = (time_t)(ns / 1000000000);
	struct tm tm;

	if (gmtime_r(&s, &tm))
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			 tm.tm_min, tm.tm_sec, (long)((ns % 1000000000) / 1000));
	else
		snprintf(buf, len, "?");
}

static void text_drift(struct strbuf *out, const char *l,
		       const struct analysis_fit *f, const char *what)
{
	label(out, l);
	if (!f->valid) {
		strbuf_addf(out, "not measured (%s)\n", what);
		return;
	}
	strbuf_addf(out, "%+.3f ppm +/- %.3f (%s): %+.3f s/hour, %+.2f s/day\n",
		    f->drift_ppm, f->drift_se_ppm,
		    f->drift_ppm > 0 ? "fast" : f->drift_ppm < 0 ? "slow" : "exact",
		    f->drift_ppm * 1e-6 * 3600, f->drift_ppm * 1e-6 * 86400);
	/* Two lines, so that the report stays within 80 columns. */
	strbuf_addf(out, "  %-*s%s;\n", LABEL_W, "", what);
	strbuf_addf(out, "  %-*s%zu of %zu samples used over %.0f s, residual %.1f us\n",
		    LABEL_W, "", f->n_used, f->n_total, f->span_s,
		    f->residual_rms_s * 1e6);
}

static void text_report(const struct diag_opts *o, const struct env *e,
			const struct sample_result *r, const struct measurement *m,
			bool measured, const struct rules_result *rr, struct strbuf *out)
{
	char buf[128];
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(out, "Environment\n");
	envfmt_summary(e, &sb);
	for (char *line = sb.buf, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		strbuf_addstr(out, "  ");
		strbuf_add(out, line, nl ? (size_t)(nl - line + 1) : strlen(line));
		if (!nl)
			break;
	}
	strbuf_release(&sb);

	strbuf_addstr(out, "\nMeasurements\n");
	if (!measured) {
		strbuf_addstr(out, "  none: under --sysroot the live clocks are not sampled\n");
		goto findings;
	}
	if (o->samples) {
		label(out, "Recorded");
		strbuf_addf(out, "%s\n", o->samples_what);
	}
	label(out, "Reference");
	if (m->have_ntp && o->samples)
		strbuf_addf(out, "%s, %zu samples over %.1f h\n", m->server[0] ?
			    m->server : "(not named in the log)", m->n_ntp,
			    m->duration_s / 3600);
	else if (m->have_ntp)
		strbuf_addf(out, "%s, %zu samples in %.0f s (%zu failed, %zu dropped)\n",
			    m->server, m->n_ntp, m->duration_s, r->n_ntp_failed,
			    r->n_ntp_discarded);
	else
		strbuf_addf(out, "no NTP comparison was made: %s\n", m->ntp_why);
	label(out, "Offset now");
	if (m->have_ntp)
		strbuf_addf(out, "%+.6f s (server - this clock; delay %.6f s)\n",
			    m->offset_s, m->offset_delay_s);
	else
		strbuf_addstr(out, "unknown (no NTP comparison)\n");
	text_drift(out, "System drift", &m->drift_system,
		   m->have_ntp ? "REALTIME against the reference, steps taken out"
			       : "needs NTP");
	snprintf(buf, sizeof(buf), "%s against the reference%s",
		 *m->raw_clock ? m->raw_clock : "no raw clock",
		 !strcmp(m->raw_clock, "tsc") ? " (TSC rate, kernel correction taken out)" : "");
	text_drift(out, "Raw drift", &m->drift_raw,
		   !*m->raw_clock ? "no MONOTONIC_RAW and no TSC" :
		   m->have_ntp ? buf : "needs NTP");
	label(out, "Kernel freq");
	if (o->samples) {
		if (m->kernel_freq_known)
			strbuf_addf(out, "%+.3f ppm (adjtimex, last record)\n",
				    m->kernel_freq_ppm);
		else
			strbuf_addstr(out, "unknown (not in the log)\n");
	} else if (r->kstate_known) {
		strbuf_addf(out, "%+.3f ppm (adjtimex), tick %ld us, %s",
			    r->kstate_end.freq_ppm, r->kstate_end.tick_us,
			    clock_kstate_state_name(r->kstate_end.state));
		if (r->kstate_end.status) {
			strbuf_addstr(out, ", status ");
			clock_kstate_status_names(r->kstate_end.status, out);
		}
		strbuf_addch(out, '\n');
	} else {
		strbuf_addf(out, "unknown (%s)\n", r->kstate_why);
	}
	label(out, "Steps");
	if (o->samples)
		strbuf_addf(out, "%zu between or during the recorded runs\n", m->n_steps);
	else if (!m->n_steps)
		strbuf_addf(out, "none in %zu polls (every %.0f ms, longest gap %.1f ms)\n",
			    r->n_polls, o->so.poll_s * 1e3, r->max_gap_s * 1e3);
	else
		strbuf_addf(out, "%zu in %zu polls (every %.0f ms, longest gap %.1f ms)\n",
			    m->n_steps, r->n_polls, o->so.poll_s * 1e3, r->max_gap_s * 1e3);
	for (size_t i = 0; i < m->n_steps && i < MEASUREMENT_MAX_STEPS; i++) {
		const struct analysis_step *s = &m->steps[i];

		char unc[32];

		fmt_real(s->at_real, buf, sizeof(buf));
		util_human_duration(s->uncertainty_s, unc, sizeof(unc));
		strbuf_addf(out, "  %-*s%+.6f s %s at %s, +/- %s\n", LABEL_W, "",
			    s->size_s, s->size_s < 0 ? "BACKWARD" : "forward", buf, unc);
	}
	if (o->samples)
		goto findings; /* clocks and read costs were not measured here */
	label(out, "Clocks");
	for (int id = 0, first = 1; id < CLOCK_ID_COUNT; id++)
		if (r->present & (1u << id)) {
			strbuf_addf(out, "%s%s", first ? "" : ", ", clock_name((enum clock_id)id));
			first = 0;
		}
	strbuf_addstr(out, " present");
	for (int id = 0, first = 1; id < CLOCK_ID_COUNT; id++)
		if (!(r->present & (1u << id))) {
			strbuf_addf(out, "%s%s", first ? "; ABSENT: " : ", ",
				    clock_name((enum clock_id)id));
			first = 0;
		}
	strbuf_addch(out, '\n');
	label(out, "Read cost");
	strbuf_addstr(out, "median (fastest) per read\n");
	for (int id = 0; id < CLOCK_ID_COUNT; id++) {
		strbuf_addf(out, "  %-*s%-15s", LABEL_W, "", clock_name((enum clock_id)id));
		if (m->read_cost_ns[id] < 0)
			strbuf_addstr(out, "absent\n");
		else
			strbuf_addf(out, "%8.0f ns (%.0f ns)\n", m->read_cost_ns[id],
				    m->read_cost_min_ns[id]);
	}

findings:
	/* What the facts mean: the rule table (rules.c). */
	strbuf_addch(out, '\n');
	rules_format_text(rr, out);
}

/* One line, monitoring-plugins style, with performance data. */
static void status_line(const struct diag_opts *o, const struct measurement *m,
			bool measured, const struct verdict *v, struct strbuf *out)
{
	const struct analysis_step *wb = measured ? measurement_worst_backward(m) : NULL;

	strbuf_addf(out, "DIAGNOSE %s: ", state_name(v->state));
	if (v->why.len)
		strbuf_addstr(out, v->why.buf);
	else if (m->have_ntp)
		strbuf_addf(out, "offset %+.6f s, drift %+.3f ppm, no backward step",
			    m->offset_s, v->have_drift ? v->drift_judged_ppm : 0.0);
	else
		strbuf_addstr(out, "no backward step (local clocks only)");
	strbuf_addstr(out, " |");
	if (measured && m->have_ntp)
		strbuf_addf(out, " offset=%.9fs;%g;%g;", m->offset_s, o->warn_offset_s,
			    o->crit_offset_s);
	if (v->have_drift)
		strbuf_addf(out, " drift=%.4fppm;%g;%g;", v->drift_judged_ppm,
			    o->warn_drift_ppm, o->crit_drift_ppm);
	if (measured)
		strbuf_addf(out, " steps=%zu backward_step=%.6fs;%g;%g;", m->n_steps,
			    wb ? -wb->size_s : 0.0, o->warn_offset_s, o->crit_offset_s);
	strbuf_addch(out, '\n');
}

/* ------------------------------------------------------------ JSON */

static void json_fit(struct json *j, const char *key, const struct analysis_fit *f)
{
	json_begin_object(j, key);
	json_bool(j, "valid", f->valid);
	if (f->valid) {
		json_double(j, "ppm", f->drift_ppm, 9);
		json_double(j, "se_ppm", f->drift_se_ppm, 6);
		json_double(j, "s_per_hour", f->drift_ppm * 1e-6 * 3600, 9);
		json_double(j, "s_per_day", f->drift_ppm * 1e-6 * 86400, 9);
		json_double(j, "offset_at_end_s", f->offset_at_end_s, 12);
		json_double(j, "residual_rms_s", f->residual_rms_s, 6);
		json_double(j, "span_s", f->span_s, 6);
	}
	json_int(j, "n_total", (int64_t)f->n_total);
	json_int(j, "n_used", (int64_t)f->n_used);
	json_end_object(j);
}

static void json_report(const struct diag_opts *o, const struct env *e,
			const struct sample_result *r, const struct measurement *m,
			bool measured, const struct verdict *v,
			const struct rules_result *rr, struct strbuf *out)
{
	struct json j;

	json_init(&j, out, true);
	json_begin_object(&j, NULL);
	json_int(&j, "schema", DIAG_SCHEMA_VERSION);
	json_string(&j, "status", state_name(v->state));
	json_int(&j, "exit_code", v->state);
	json_string(&j, "status_text", v->why.buf);
	json_string(&j, "thresholds_status", state_name(v->thr_state));
	json_bool(&j, "measured", measured);
	json_begin_object(&j, "options");
	json_double(&j, "duration_s", o->so.duration_s, 6);
	json_double(&j, "interval_s", o->so.interval_s, 6);
	json_double(&j, "poll_s", o->so.poll_s, 6);
	json_int(&j, "burst", o->burst);
	json_double(&j, "step_threshold_s", o->so.step_threshold_s, 6);
	json_bool(&j, "ntp", !o->no_ntp);
	json_string_or_null(&j, "samples", o->samples);
	json_begin_array(&j, "servers");
	for (int i = 0; i < o->n_servers; i++) {
		char name[300];

		sntp_server_str(&o->servers[i], name, sizeof(name));
		json_string(&j, NULL, name);
	}
	json_end_array(&j);
	json_double(&j, "warn_offset_s", o->warn_offset_s, 9);
	json_double(&j, "crit_offset_s", o->crit_offset_s, 9);
	json_double(&j, "warn_drift_ppm", o->warn_drift_ppm, 9);
	json_double(&j, "crit_drift_ppm", o->crit_drift_ppm, 9);
	json_end_object(&j);
	envfmt_json(e, &j, "environment");
	if (!measured) {
		json_null(&j, "measurement");
		rules_to_json(rr, &j, "findings");
		json_end_object(&j);
		return;
	}
	json_begin_object(&j, "measurement");
	json_string(&j, "source", o->samples ? "samples" : "live");
	json_string_or_null(&j, "samples_file", o->samples);
	json_double(&j, "elapsed_s", m->duration_s, 9);
	json_begin_object(&j, "ntp");
	json_bool(&j, "compared", m->have_ntp);
	json_string_or_null(&j, "why_not", m->have_ntp ? NULL : m->ntp_why);
	json_string_or_null(&j, "server", m->have_ntp ? m->server : NULL);
	if (m->have_ntp && !o->samples) {
		json_string(&j, "address", r->last_sntp.addr);
		json_int(&j, "stratum", r->last_sntp.stratum);
		json_string(&j, "refid", r->last_sntp.refid);
		json_bool(&j, "kernel_rx_ts", r->last_sntp.kernel_rx_ts);
		json_double(&j, "root_distance_s", r->last_sntp.root_distance_s, 9);
	}
	json_int(&j, "samples", (int64_t)m->n_ntp);
	json_int(&j, "failed", (int64_t)r->n_ntp_failed);
	json_int(&j, "dropped", (int64_t)r->n_ntp_discarded);
	json_string_or_null(&j, "last_error", *r->ntp_error ? r->ntp_error : NULL);
	if (m->have_ntp) {
		json_double(&j, "offset_s", m->offset_s, 12);
		json_double(&j, "delay_s", m->offset_delay_s, 12);
	} else {
		json_null(&j, "offset_s");
		json_null(&j, "delay_s");
	}
	{
		struct analysis_point *p = xcalloc(r->n_ntp ? r->n_ntp : 1, sizeof(*p));
		struct analysis_point *q = xcalloc(r->n_ntp ? r->n_ntp : 1, sizeof(*q));
		size_t n = sample_series(r, -1, false, p);
		size_t nq = sample_series(r, -1, true, q);

		/* The series the fits saw: t, offset (steps out), delay, and
		 * the raw clock's offset (relative to its first sample). */
		json_begin_array(&j, "series");
		for (size_t i = 0; i < n; i++) {
			json_begin_object(&j, NULL);
			json_double(&j, "t_s", p[i].t_s, 12);
			json_double(&j, "offset_s", p[i].offset_s, 12);
			json_double(&j, "delay_s", p[i].delay_s, 9);
			if (nq == n)
				json_double(&j, "raw_offset_s", q[i].offset_s, 12);
			json_end_object(&j);
		}
		json_end_array(&j);
		free(p);
		free(q);
	}
	json_end_object(&j);
	json_begin_object(&j, "drift");
	json_fit(&j, "system", &m->drift_system);
	json_fit(&j, "raw", &m->drift_raw);
	json_string_or_null(&j, "raw_clock", *m->raw_clock ? m->raw_clock : NULL);
	if (sample_tsc_hz(r) > 0)
		json_double(&j, "tsc_hz", sample_tsc_hz(r), 12);
	else
		json_null(&j, "tsc_hz");
	if (v->have_drift)
		json_double(&j, "judged_ppm", v->drift_judged_ppm, 9);
	else
		json_null(&j, "judged_ppm");
	json_end_object(&j);
	json_begin_object(&j, "kernel");
	json_bool(&j, "known", r->kstate_known);
	if (r->kstate_known) {
		struct strbuf st = STRBUF_INIT;

		json_double(&j, "freq_ppm", r->kstate_end.freq_ppm, 9);
		json_double(&j, "freq_start_ppm", r->kstate_start.freq_ppm, 9);
		json_int(&j, "tick_us", r->kstate_end.tick_us);
		json_string(&j, "state", clock_kstate_state_name(r->kstate_end.state));
		clock_kstate_status_names(r->kstate_end.status, &st);
		json_string(&j, "status", st.buf);
		strbuf_release(&st);
		json_double(&j, "offset_s", r->kstate_end.offset_s, 9);
		json_double(&j, "maxerror_s", r->kstate_end.maxerror_s, 9);
		json_double(&j, "esterror_s", r->kstate_end.esterror_s, 9);
	} else {
		json_string(&j, "why", r->kstate_why);
	}
	json_end_object(&j);
	json_begin_object(&j, "steps");
	json_int(&j, "count", (int64_t)m->n_steps);
	json_int(&j, "polls", (int64_t)r->n_polls);
	json_double(&j, "max_gap_s", r->max_gap_s, 9);
	{
		const struct analysis_step *wb = measurement_worst_backward(m);

		if (wb)
			json_double(&j, "worst_backward_s", wb->size_s, 12);
		else
			json_null(&j, "worst_backward_s");
	}
	json_begin_array(&j, "list");
	for (size_t i = 0; i < m->n_steps && i < MEASUREMENT_MAX_STEPS; i++) {
		char buf[64];

		fmt_real(m->steps[i].at_real, buf, sizeof(buf));
		json_begin_object(&j, NULL);
		json_double(&j, "t_s", m->steps[i].t_s, 9);
		json_string(&j, "realtime", buf);
		json_double(&j, "size_s", m->steps[i].size_s, 12);
		json_string(&j, "direction", m->steps[i].size_s < 0 ? "backward" : "forward");
		json_double(&j, "uncertainty_s", m->steps[i].uncertainty_s, 6);
		json_double(&j, "gap_s", m->steps[i].gap_s, 6);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_end_object(&j);
	json_begin_object(&j, "read_cost");
	for (int id = 0; id < CLOCK_ID_COUNT; id++) {
		json_begin_object(&j, clock_name((enum clock_id)id));
		json_bool(&j, "present", m->read_cost_ns[id] >= 0);
		if (m->read_cost_ns[id] >= 0) {
			json_double(&j, "median_ns", m->read_cost_ns[id], 6);
			json_double(&j, "min_ns", m->read_cost_min_ns[id], 6);
		}
		json_end_object(&j);
	}
	json_end_object(&j);
	json_end_object(&j);
	rules_to_json(rr, &j, "findings");
	json_end_object(&j);
}

/* ------------------------------------------------------------ options */

static int parse_opts(const struct cli_cmd *cmd, int argc, char **argv,
		      struct diag_opts *o)
{
	enum { OPT_JSON = 0x2000, OPT_NO_NTP, OPT_WO, OPT_CO, OPT_WD, OPT_CD,
	       OPT_SAMPLES };
	static const struct option longopts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 'd' },
		{ "interval", required_argument, NULL, 'i' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "burst", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "no-ntp", no_argument, NULL, OPT_NO_NTP },
		{ "samples", required_argument, NULL, OPT_SAMPLES },
		{ "warn-offset", required_argument, NULL, OPT_WO },
		{ "crit-offset", required_argument, NULL, OPT_CO },
		{ "warn-drift", required_argument, NULL, OPT_WD },
		{ "crit-drift", required_argument, NULL, OPT_CD },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	char err[UTIL_ERRMAX];
	bool interval_given = false, duration_given = false;
	int opt, r;

	memset(o, 0, sizeof(*o));
	sample_opts_default(&o->so);
	o->warn_offset_s = 0.1;
	o->crit_offset_s = 1;
	o->warn_drift_ppm = 100;
	o->crit_drift_ppm = 500;
	optind = 1;
	o->burst = 1;
	while ((opt = getopt_long(argc, argv, ":s:d:i:qb:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			if (util_parse_long(optarg, 1, 8, &o->burst, err))
				return cli_usage(cmd, "option '--burst': %s", err);
			break;
		case 's':
			if (o->n_servers == DIAG_MAX_SERVERS)
				return cli_usage(cmd, "too many servers (at most %d): '%s'",
						 DIAG_MAX_SERVERS, optarg);
			if (sntp_parse_server(optarg, &o->servers[o->n_servers], err))
				return cli_usage(cmd, "%s", err);
			o->n_servers++;
			o->servers_given = true;
			break;
		case 'd':
			if (util_parse_duration(optarg, 1, 7 * 86400, &o->so.duration_s, err))
				return cli_usage(cmd, "option '--duration': %s", err);
			duration_given = true;
			break;
		case 'i':
			if (util_parse_duration(optarg, 0.05, 3600, &o->so.interval_s, err))
				return cli_usage(cmd, "option '--interval': %s", err);
			interval_given = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_NO_NTP:
			o->no_ntp = true;
			break;
		case OPT_SAMPLES:
			if (!*optarg)
				return cli_usage(cmd, "option '--samples': empty file name");
			o->samples = optarg;
			break;
		case OPT_WO:
		case OPT_CO:
			if (util_parse_duration(optarg, 0, 1e9, opt == OPT_WO ? &o->warn_offset_s
									    : &o->crit_offset_s, err))
				return cli_usage(cmd, "option '--%s-offset': %s",
						 opt == OPT_WO ? "warn" : "crit", err);
			break;
		case OPT_WD:
		case OPT_CD:
			if (util_parse_ppm(optarg, 0, 1e6, opt == OPT_WD ? &o->warn_drift_ppm
									 : &o->crit_drift_ppm, err))
				return cli_usage(cmd, "option '--%s-drift': %s",
						 opt == OPT_WD ? "warn" : "crit", err);
			break;
		default:
			if ((r = cli_common_option(cmd, opt, argv)) >= 0)
				return r;
		}
	}
	if ((r = cli_no_operands(cmd, argc, argv)) >= 0)
		return r;
	if (o->warn_offset_s > o->crit_offset_s)
		return cli_usage(cmd, "--warn-offset %g s is above --crit-offset %g s",
				 o->warn_offset_s, o->crit_offset_s);
	if (o->warn_drift_ppm > o->crit_drift_ppm)
		return cli_usage(cmd, "--warn-drift %g ppm is above --crit-drift %g ppm",
				 o->warn_drift_ppm, o->crit_drift_ppm);
	if (o->no_ntp && o->servers_given)
		return cli_usage(cmd, "--no-ntp and '-s %s' contradict each other",
				 o->servers[0].host);
	if (o->json && o->quiet)
		return cli_usage(cmd, "--json and --quiet contradict each other");
	if (o->samples && (o->servers_given || o->no_ntp || interval_given ||
			   duration_given || o->burst != 1))
		return cli_usage(cmd, "--samples judges a recorded log: it takes no %s",
				 o->servers_given ? "-s" : o->no_ntp ? "--no-ntp" :
				 interval_given ? "--interval" : duration_given ?
				 "--duration" : "--burst");
	if (!sysroot_is_live() && !o->no_ntp && !o->samples)
		return cli_usage(cmd, "--sysroot needs --no-ntp or --samples: the live clocks "
				 "of this machine must not be mixed with another system's files");
	if (interval_given && o->no_ntp)
		return cli_usage(cmd, "--interval has no use with --no-ntp");
	if (o->so.interval_s < 2 * (double)o->burst) {
		/* Polite polling: public servers rate-limit (ntpd's discard
		 * minimum is 2 s); only our own loopback servers may be asked
		 * more often than once per 2 s on average. */
		for (int i = 0; i < o->n_servers; i++)
			if (!is_loopback(o->servers[i].host))
				return cli_usage(cmd, "interval below 2s per query (%ld per burst) is only "
						 "allowed for servers on this machine, not '%s'",
						 o->burst, o->servers[i].host);
		if (!o->servers_given && !o->no_ntp)
			return cli_usage(cmd, "interval below 2s per query needs -s with a loopback server");
	}
	return -1;
}

/* ------------------------------------------------------------ samples */

/*
 * --samples FILE: the measurement the report module reconstructs from an
 * `hvclock log` file (report_measurement), so that the rules can judge a
 * guest from days of evidence without sampling here. what receives one
 * line saying what was read.
 */
static int read_samples(const char *file, struct measurement *m,
			struct strbuf *what, char *err)
{
	struct report_opts ro;
	struct report *r;
	const struct report_summary *sum;
	int fd, rc = -1;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return util_errno(err, errno, "cannot open '%s'", file);
	report_opts_default(&ro);
	r = report_new(&ro);
	if (report_read_fd(r, fd, file, err))
		goto out;
	report_finish(r);
	for (size_t i = 0; i < report_nwarnings(r); i++)
		cli_warning("%s: %s", file, report_warning(r, i));
	sum = report_summary(r);
	if (!report_measurement(r, m)) {
		util_err(err, "no sample records in '%s'", file);
		goto out;
	}
	strbuf_addf(what, "%s: %zu records of %s over %.1f h, %zu segments",
		    file, sum->n_records, sum->host[0] ? sum->host : "an unnamed host",
		    (double)(sum->last_ns - sum->first_ns) * 1e-9 / 3600,
		    report_nsegments(r));
	rc = 0;
out:
	close(fd);
	report_free(r);
	return rc;
}

/* ------------------------------------------------------------ main */

int cmd_diagnose(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct diag_opts *o = xcalloc(1, sizeof(*o));
	struct env *e = xcalloc(1, sizeof(*e));
	struct measurement *m = xcalloc(1, sizeof(*m));
	struct diag_ctx *ctx = xcalloc(1, sizeof(*ctx));
	struct logscan *ls = xcalloc(1, sizeof(*ls));
	struct rules_result *rr = xcalloc(1, sizeof(*rr));
	struct sample_result r;
	struct sample_hooks h;
	struct sntp_opts so;
	struct verdict v;
	struct strbuf out = STRBUF_INIT;
	char err[UTIL_ERRMAX];
	bool measured;
	struct sigaction sa, old_sa;
	int rc;

	memset(&r, 0, sizeof(r));
	strbuf_init(&ctx->samples_what);
	rc = parse_opts(cmd, argc, argv, o);
	if (rc >= 0)
		goto out_free;
	/* Another system's files say nothing about this machine's clocks. */
	measured = sysroot_is_live();

	env_probe(e);
	if (!o->no_ntp && !o->servers_given && !o->samples)
		o->n_servers = sntp_servers_from_env(e, o->servers, DIAG_MAX_SERVERS);

	if (o->samples) {
		if (read_samples(o->samples, m, &ctx->samples_what, err)) {
			cli_error("%s", err);
			rc = DIAG_UNKNOWN;
			goto out_free;
		}
		o->samples_what = ctx->samples_what.buf;
		measured = true;
	} else if (measured) {
		sntp_opts_default(&so);
		if (o->so.interval_s < so.min_interval_s)
			so.min_interval_s = o->so.interval_s;
		ctx->ntp.o = o;
		ctx->ntp.cur = -1;
		ctx->prog.total_s = o->so.duration_s;
		ctx->prog.ntp = !o->no_ntp;
		for (int i = 0; i < o->n_servers; i++)
			sntp_server_str(&o->servers[i], ctx->ntp.names[i], sizeof(ctx->ntp.names[i]));
		if (!o->no_ntp)
			ctx->ntp.client = sntp_new(&so);
		memset(&h, 0, sizeof(h));
		h.query = o->no_ntp ? NULL : ctx_query;
		h.progress = o->json || o->quiet ? NULL : ctx_progress;
		h.stop = diag_stop;
		h.ctx = ctx;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_sigint;
		sigaction(SIGINT, &sa, &old_sa);
		if (sample_run(&o->so, &h, &r, err)) {
			cli_progress_done();
			cli_error("%s", err);
			sigaction(SIGINT, &old_sa, NULL);
			rc = DIAG_UNKNOWN;
			goto out_free;
		}
		sigaction(SIGINT, &old_sa, NULL);
		cli_progress_done();
		sample_measure(&r, -1, m);
		if (m->have_ntp) {
			int src = r.ntp[r.n_ntp - 1].source;

			snprintf(m->server, sizeof(m->server), "%s", ctx->ntp.names[src]);
		} else if (o->no_ntp) {
			snprintf(m->ntp_why, sizeof(m->ntp_why), "--no-ntp was given");
		} else {
			/* Say why, per server: the last thing each one did. */
			struct strbuf why = STRBUF_INIT;

			for (int i = 0; i < o->n_servers; i++) {
				if (why.len)
					strbuf_addstr(&why, "; ");
				if (ctx->ntp.kissed[i])
					strbuf_addf(&why, "%s sent Kiss-o'-Death %s", ctx->ntp.names[i],
						    ctx->ntp.kod[i]);
				else
					strbuf_addstr(&why, *ctx->ntp.errors[i] ? ctx->ntp.errors[i]
										 : ctx->ntp.names[i]);
			}
			if (!o->n_servers)
				strbuf_addstr(&why, "no server to ask");
			snprintf(m->ntp_why, sizeof(m->ntp_why), "%s", why.buf);
			strbuf_release(&why);
		}
		for (int i = 0; i < o->n_servers; i++)
			if (ctx->ntp.kissed[i])
				cli_warning("%s sent Kiss-o'-Death %s: not querying it again",
					    ctx->ntp.names[i], ctx->ntp.kod[i]);
		if (interrupted)
			cli_warning("interrupted: %.0f of %.0f s sampled", r.elapsed_s,
				    o->so.duration_s);
	}

	/* Evidence already on the machine, then the rule table over it all. */
	logscan_scan(e->daemons[DAEMON_NTPD].conf.driftfile,
		     e->daemons[DAEMON_CHRONYD].conf.driftfile, ls);
	rules_evaluate(e, measured ? m : NULL, ls, rr);
	judge(o, m, measured, rr, &v);
	if (o->json)
		json_report(o, e, &r, m, measured, &v, rr, &out);
	else if (!o->quiet)
		text_report(o, e, &r, m, measured, rr, &out);
	if (!o->json) {
		if (!o->quiet)
			strbuf_addch(&out, '\n');
		status_line(o, m, measured, &v, &out);
	}
	fwrite(out.buf, 1, out.len, stdout);
	if (o->json)
		fputc('\n', stdout);
	rc = fflush(stdout) ? DIAG_UNKNOWN : (int)v.state;
	strbuf_release(&v.why);

out_free:
	if (ctx->ntp.client)
		sntp_free(ctx->ntp.client);
	strbuf_release(&ctx->samples_what);
	sample_result_release(&r);
	strbuf_release(&out);
	free(ctx);
	free(ls);
	free(rr);
	free(m);
	free(e);
	free(o);
	return rc;
}
