/*
 * cmd_log.c - `hvclock log`: one sample per run, appended to the sample
 * log (cron every minute, or the systemd timer), optionally a
 * node_exporter textfile and syslog lines.
 *
 * Order of work: measure first (NTP burst and the local clocks), then
 * take the log's lock only for the short read-compare-append, so that a
 * slow or absent server never holds up another run.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "atomicfile.h"
#include "cli.h"
#include "clock.h"
#include "cmds.h"
#include "env.h"
#include "json.h"
#include "logfile.h"
#include "prom.h"
#include "record.h"
#include "report.h"
#include "sntp.h"
#include "strbuf.h"
#include "sysroot.h"
#include "util.h"

#define DEFAULT_LOG "/var/log/hvclock/samples.log"
#define MAX_SERVERS 8
/* How much of the log's end is read: the previous record, and for the
 * textfile's drift the current segment's last few hours. */
#define TAIL_SMALL 4096
#define TAIL_DRIFT (96 * 1024)

/* Exit codes (documented in the help and the README). */
#define EXIT_NO_NTP 3
#define EXIT_TEXTFILE 4

const char cmd_log_help[] =
	"Usage: hvclock log [-s SERVER]... [-o FILE] [--textfile DIR] [--syslog]\n"
	"                   [--no-ntp] [-v|--json]\n"
	"\n"
	"Take one sample and append it to the sample log: the offset and delay\n"
	"against an NTP server (a short burst, the lowest-delay reply kept), the\n"
	"clocks (REALTIME, BOOTTIME, MONOTONIC, MONOTONIC_RAW), the kernel's NTP\n"
	"state (adjtimex, read only), the clocksource and the boot id. What\n"
	"happened since the previous record is marked: a clock step (a change of\n"
	"REALTIME - BOOTTIME on the same boot), a reboot, a clocksource change.\n"
	"Meant to run from cron every minute, or from hvclock-log.timer.\n"
	"\n"
	"Appends are safe: an exclusive lock, one write per record, fsync; a run\n"
	"killed at any moment leaves every earlier record intact. A missing log\n"
	"directory is created.\n"
	"\n"
	"Options:\n"
	"  -s, --server SERVER  NTP server (HOST, HOST:PORT, [V6]:PORT); may be\n"
	"                  repeated, the first that answers is used. Default: the\n"
	"                  servers of the running time daemon's configuration\n"
	"  -o, --output FILE  the log (default " DEFAULT_LOG ")\n"
	"  --textfile DIR  also write DIR/hvclock.prom for node_exporter's textfile\n"
	"                  collector (replaced atomically)\n"
	"  --syslog        one line per run, and one per event, to syslog\n"
	"  --no-ntp        the local part only, no NTP query\n"
	"  -n, --burst N   exchanges per server, 1-8 (default 3)\n"
	"  --timeout DURATION  per exchange (default 1s)\n"
	"  --step-threshold DURATION\n"
	"                  smallest change of REALTIME - BOOTTIME taken as a step\n"
	"                  (default 50ms, plus 100 ppm of the time since the\n"
	"                  previous record)\n"
	"  -q, --quiet     no warning when no server answers\n"
	"  -v, --verbose   print the sample as a line of text\n"
	"  --json          print the sample as JSON\n"
	"  -h, --help      show this help\n"
	"\n"
	"Exit status: 0 record written; 1 the record could not be written;\n"
	"2 usage error; 3 record written without NTP (no server answered);\n"
	"4 record written but the textfile could not be (wins over 3).\n";

struct sample {
	struct record rec;
	bool ntp_tried;
	char ntp_why[UTIL_ERRMAX];    /* why there is no offset */
	unsigned events;
	double step_s;
	bool have_prev;
	struct record prev;
	/* for the textfile */
	bool drift_valid, raw_drift_valid;
	double drift_ppm, raw_drift_ppm;
};

/* The NTP part: servers in turn until one answers. */
static bool sample_ntp(struct sample *s, const struct sntp_server *srv, int nsrv,
		       const struct sntp_opts *so, int burst, struct clock_snap *snap)
{
	struct sntp_client *c = sntp_new(so);
	struct strbuf why = STRBUF_INIT;
	bool ok = false;

	for (int i = 0; i < nsrv && !ok; i++) {
		struct sntp_sample best;
		char err[UTIL_ERRMAX];

		if (sntp_burst(c, &srv[i], burst, &best, err) > 0) {
			s->rec.have |= RECORD_HAVE_NTP;
			s->rec.offset_s = best.offset_s;
			s->rec.delay_s = best.delay_s;
			s->rec.stratum = best.stratum;
			snprintf(s->rec.server, sizeof(s->rec.server), "%s", best.addr);
			/* The clocks as they were at that exchange. */
			if (best.after.present & (1u << CLOCK_ID_REALTIME))
				*snap = best.after;
			ok = true;
		} else {
			if (why.len)
				strbuf_addstr(&why, "; ");
			strbuf_addstr(&why, err);
		}
	}
	snprintf(s->ntp_why, sizeof(s->ntp_why), "%s", why.buf);
	strbuf_release(&why);
	sntp_free(c);
	return ok;
}

/* The last record of this host in the lines of tail. */
static bool last_record(const struct strbuf *tail, const char *host,
			struct record *out)
{
	const char *end = tail->buf + tail->len;
	char err[UTIL_ERRMAX];

	while (end > tail->buf) {
		const char *start = end - 1;

		while (start > tail->buf && start[-1] != '\n')
			start--;
		if (end - start > 1 && start[0] != '#' &&
		    !record_parse(start, (size_t)(end - start - 1), out, err) &&
		    !strcmp(out->host, host))
			return true;
		end = start;
	}
	return false;
}

/*
 * Drift of the current segment from the log's tail plus the new record:
 * the same maths as hvclock report.
 */
static void tail_drift(struct sample *s, const struct strbuf *tail,
		       const struct record_cmp_opts *cmp)
{
	struct report_opts ro;
	struct report *r;
	struct strbuf line = STRBUF_INIT;
	const char *p = tail->buf, *end = tail->buf + tail->len;
	const struct report_segment *g;

	report_opts_default(&ro);
	ro.cmp = *cmp;
	ro.host = s->rec.host;
	r = report_new(&ro);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			break;
		report_add_line(r, p, (size_t)(nl - p), true);
		p = nl + 1;
	}
	record_format(&s->rec, &line);
	report_add_line(r, line.buf, line.len - 1, true);
	report_finish(r);
	if (report_nsegments(r)) {
		g = report_segment(r, report_nsegments(r) - 1);
		if (g->fit.valid && g->fit.n_used >= 5) {
			s->drift_valid = true;
			s->drift_ppm = g->fit.drift_ppm;
		}
		if (g->fit_raw.valid && g->fit_raw.n_used >= 5) {
			s->raw_drift_valid = true;
			s->raw_drift_ppm = g->fit_raw.drift_ppm;
		}
	}
	report_free(r);
	strbuf_release(&line);
}

/* Writes the record under the log's lock; fills the events. */
static int append(struct sample *s, const char *path, bool want_tail,
		  const struct record_cmp_opts *cmp, char *err)
{
	struct logfile *lf;
	struct strbuf tail = STRBUF_INIT, out = STRBUF_INIT, head = STRBUF_INIT;
	int rc = -1;

	if (logfile_open(path, 10, &lf, err))
		return -1;
	if (logfile_tail(lf, want_tail ? TAIL_DRIFT : TAIL_SMALL, &tail, err))
		goto out;
	s->have_prev = last_record(&tail, s->rec.host, &s->prev);
	if (s->have_prev)
		s->events = record_compare(&s->prev, &s->rec, cmp, &s->step_s);
	s->rec.events = s->events;
	if (s->events & RECORD_EV_STEP) {
		s->rec.have |= RECORD_HAVE_STEP;
		s->rec.step_s = s->step_s;
	}
	/* A header first in a new file, or after another version's. */
	if (logfile_size(lf) == 0) {
		strbuf_addf(&out, "%s\n", record_header);
	} else {
		const size_t plen = sizeof(RECORD_HEADER_PREFIX) - 1;

		if (logfile_head(lf, 64, &head, err))
			goto out;
		if (head.len > plen && !memcmp(head.buf, RECORD_HEADER_PREFIX, plen) &&
		    strncmp(head.buf + plen, "1 ", 2))
			strbuf_addf(&out, "%s\n", record_header);
	}
	record_format(&s->rec, &out);
	if (logfile_append(lf, out.buf, out.len, err))
		goto out;
	if (want_tail)
		tail_drift(s, &tail, cmp);
	rc = 0;
out:
	logfile_close(lf);
	strbuf_release(&tail);
	strbuf_release(&out);
	strbuf_release(&head);
	return rc;
}

/* ------------------------------------------------------------ textfile */

static double old_value(const char *text, const char *name,
			const char *const *labels, double dflt)
{
	double v;

	return text && prom_find(text, name, labels, &v) && isfinite(v) ? v : dflt;
}

static int write_textfile(const struct sample *s, const char *dir, char *err)
{
	static const char *const back[] = { "direction", "backward", NULL };
	static const char *const fwd[] = { "direction", "forward", NULL };
	struct atomicfile_opts ao = { .mode_if_new = 0644, .no_follow = true };
	struct strbuf path = STRBUF_INIT, old = STRBUF_INIT, o = STRBUF_INIT;
	const char *prev = NULL;
	const struct record *r = &s->rec;
	double nback, nfwd, last_step, last_step_at, reboots, cschanges;
	const char *cs[] = { "clocksource", r->clocksource[0] ? r->clocksource : "unknown",
			     NULL };
	struct stat st;
	int rc;

	if (stat(dir, &st)) {
		rc = util_errno(err, errno, "cannot use textfile directory '%s'", dir);
		goto done;
	}
	if (!S_ISDIR(st.st_mode)) {
		rc = util_err(err, "cannot use textfile directory '%s': Not a directory", dir);
		goto done;
	}
	strbuf_addf(&path, "%s/hvclock.prom", dir);
	/*
	 * Counters live on in the file itself (a reset if it is removed).
	 * Read only a regular file of ours: not through a symbolic link, and
	 * not a FIFO someone put there (an open would wait for a writer).
	 */
	{
		int fd = open(path.buf, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		struct stat fst;

		if (fd >= 0 && !fstat(fd, &fst) && S_ISREG(fst.st_mode)) {
			char buf[4096];
			ssize_t n;

			while (old.len < 1 << 20 && (n = read(fd, buf, sizeof(buf))) > 0)
				strbuf_add(&old, buf, (size_t)n);
			prev = old.buf;
		}
		if (fd >= 0)
			close(fd);
	}
	nback = old_value(prev, "hvclock_steps_total", back, 0);
	nfwd = old_value(prev, "hvclock_steps_total", fwd, 0);
	last_step = old_value(prev, "hvclock_last_step_seconds", NULL, NAN);
	last_step_at = old_value(prev, "hvclock_last_step_timestamp_seconds", NULL, NAN);
	reboots = old_value(prev, "hvclock_reboots_total", NULL, 0);
	cschanges = old_value(prev, "hvclock_clocksource_changes_total", NULL, 0);
	if (s->events & RECORD_EV_STEP) {
		if (s->step_s < 0)
			nback++;
		else
			nfwd++;
		last_step = s->step_s;
		last_step_at = (double)r->real_ns * 1e-9;
	}
	if (s->events & RECORD_EV_REBOOT)
		reboots++;
	if (s->events & RECORD_EV_CLOCKSOURCE)
		cschanges++;

	prom_family(&o, "hvclock_ntp_reachable", "gauge",
		    "Whether an NTP server answered this run (1) or not (0).");
	prom_sample(&o, "hvclock_ntp_reachable", NULL, (r->have & RECORD_HAVE_NTP) ? 1 : 0);
	if (r->have & RECORD_HAVE_NTP) {
		prom_family(&o, "hvclock_offset_seconds", "gauge",
			    "NTP offset, server minus local clock, seconds (positive: the clock is behind).");
		prom_sample(&o, "hvclock_offset_seconds", NULL, r->offset_s);
		prom_family(&o, "hvclock_ntp_delay_seconds", "gauge",
			    "Round-trip delay of the NTP exchange used, seconds.");
		prom_sample(&o, "hvclock_ntp_delay_seconds", NULL, r->delay_s);
		prom_family(&o, "hvclock_ntp_stratum", "gauge", "Stratum of the NTP server used.");
		prom_sample(&o, "hvclock_ntp_stratum", NULL, r->stratum);
	}
	if (s->drift_valid) {
		prom_family(&o, "hvclock_drift_ppm", "gauge",
			    "Drift of the system clock against NTP since the last step or reboot, ppm (positive: runs fast).");
		prom_sample(&o, "hvclock_drift_ppm", NULL, s->drift_ppm);
	}
	if (s->raw_drift_valid) {
		prom_family(&o, "hvclock_raw_drift_ppm", "gauge",
			    "Drift of the clocksource (MONOTONIC_RAW, before the kernel's correction) against NTP, ppm.");
		prom_sample(&o, "hvclock_raw_drift_ppm", NULL, s->raw_drift_ppm);
	}
	prom_family(&o, "hvclock_steps_total", "counter",
		    "Clock steps found between runs (changes of REALTIME - BOOTTIME), by direction.");
	prom_sample(&o, "hvclock_steps_total", back, nback);
	prom_sample(&o, "hvclock_steps_total", fwd, nfwd);
	if (isfinite(last_step)) {
		prom_family(&o, "hvclock_last_step_seconds", "gauge",
			    "Size of the most recent clock step, seconds (negative: backward).");
		prom_sample(&o, "hvclock_last_step_seconds", NULL, last_step);
		prom_family(&o, "hvclock_last_step_timestamp_seconds", "gauge",
			    "When the most recent clock step was found, seconds since the epoch.");
		prom_sample(&o, "hvclock_last_step_timestamp_seconds", NULL, last_step_at);
	}
	prom_family(&o, "hvclock_reboots_total", "counter", "Reboots found between runs (new boot id).");
	prom_sample(&o, "hvclock_reboots_total", NULL, reboots);
	prom_family(&o, "hvclock_clocksource_changes_total", "counter",
		    "Clocksource changes found between runs on the same boot.");
	prom_sample(&o, "hvclock_clocksource_changes_total", NULL, cschanges);
	prom_family(&o, "hvclock_clocksource_info", "gauge", "The current clocksource (value 1).");
	prom_sample(&o, "hvclock_clocksource_info", cs, 1);
	if (r->have & RECORD_HAVE_KSTATE) {
		prom_family(&o, "hvclock_kernel_frequency_ppm", "gauge",
			    "Frequency correction the kernel applies (adjtimex freq), ppm.");
		prom_sample(&o, "hvclock_kernel_frequency_ppm", NULL, r->freq_ppm);
		prom_family(&o, "hvclock_kernel_synchronized", "gauge",
			    "Whether the kernel considers the clock synchronised (no STA_UNSYNC, not TIME_ERROR).");
		prom_sample(&o, "hvclock_kernel_synchronized", NULL, r->sync);
		prom_family(&o, "hvclock_kernel_maxerror_seconds", "gauge",
			    "The kernel's maximum error estimate (adjtimex maxerror), seconds.");
		prom_sample(&o, "hvclock_kernel_maxerror_seconds", NULL, r->maxerror_s);
	}
	prom_family(&o, "hvclock_last_run_timestamp_seconds", "gauge",
		    "When hvclock log last ran, seconds since the epoch.");
	prom_sample(&o, "hvclock_last_run_timestamp_seconds", NULL, (double)r->real_ns * 1e-9);
	rc = atomicfile_replace(path.buf, o.buf, o.len, &ao, NULL, NULL, err);
done:
	strbuf_release(&path);
	strbuf_release(&old);
	strbuf_release(&o);
	return rc;
}

/* -------------------------------------------------------------- output */

static void to_syslog(const struct sample *s, const char *log_path)
{
	const struct record *r = &s->rec;

	openlog("hvclock", LOG_PID, LOG_DAEMON);
	if (r->have & RECORD_HAVE_NTP)
		syslog(LOG_INFO, "offset %+.6f s, delay %.6f s, server %s (stratum %d), "
		       "clocksource %s, kernel %s; logged to %s", r->offset_s, r->delay_s,
		       r->server, r->stratum, r->clocksource[0] ? r->clocksource : "unknown",
		       !(r->have & RECORD_HAVE_KSTATE) ? "state unknown" :
		       r->sync ? "synchronised" : "not synchronised", log_path);
	else
		syslog(s->ntp_tried ? LOG_WARNING : LOG_INFO,
		       "local sample only (%s), clocksource %s; logged to %s",
		       s->ntp_tried ? s->ntp_why : "--no-ntp",
		       r->clocksource[0] ? r->clocksource : "unknown", log_path);
	if (s->events & RECORD_EV_REBOOT)
		syslog(LOG_NOTICE, "new boot since the previous sample (boot id %s)", r->boot_id);
	if (s->events & RECORD_EV_STEP)
		syslog(s->step_s < 0 ? LOG_WARNING : LOG_NOTICE,
		       "clock stepped %s by %.6f s since the previous sample",
		       s->step_s < 0 ? "backward" : "forward", fabs(s->step_s));
	if (s->events & RECORD_EV_CLOCKSOURCE)
		syslog(LOG_WARNING, "clocksource changed from %s to %s",
		       s->prev.clocksource, r->clocksource);
	closelog();
}

static void print_text(const struct sample *s, const char *path)
{
	const struct record *r = &s->rec;
	char t[32];

	record_iso_time(r->real_ns, t, sizeof(t));
	printf("%s  ", t);
	if (r->have & RECORD_HAVE_NTP)
		printf("offset %+.6f s  delay %.6f s  server %s", r->offset_s, r->delay_s,
		       r->server);
	else
		printf("no NTP offset");
	printf("  clocksource %s", r->clocksource[0] ? r->clocksource : "unknown");
	if (s->events & RECORD_EV_REBOOT)
		printf("  [reboot]");
	if (s->events & RECORD_EV_STEP)
		printf("  [step %+.6f s]", s->step_s);
	if (s->events & RECORD_EV_CLOCKSOURCE)
		printf("  [clocksource was %s]", s->prev.clocksource);
	printf("  -> %s\n", path);
}

static void print_json(const struct sample *s, const char *path, const char *textfile,
		       int textfile_ok)
{
	const struct record *r = &s->rec;
	struct strbuf o = STRBUF_INIT;
	struct json j;
	char t[32];

	record_iso_time(r->real_ns, t, sizeof(t));
	json_init(&j, &o, true);
	json_begin_object(&j, NULL);
	json_string(&j, "log", path);
	json_string(&j, "time", t);
	json_double(&j, "unix_s", (double)r->real_ns * 1e-9, 16);
	if (r->have & RECORD_HAVE_NTP) {
		json_begin_object(&j, "ntp");
		json_string(&j, "server", r->server);
		json_double(&j, "offset_s", r->offset_s, 9);
		json_double(&j, "delay_s", r->delay_s, 9);
		json_int(&j, "stratum", r->stratum);
		json_end_object(&j);
	} else {
		json_null(&j, "ntp");
		json_string(&j, "ntp_why", s->ntp_tried ? s->ntp_why : "--no-ntp");
	}
	json_string(&j, "clocksource", r->clocksource);
	json_string(&j, "boot_id", r->boot_id);
	json_string(&j, "host", r->host);
	if (r->have & RECORD_HAVE_KSTATE) {
		json_double(&j, "kernel_freq_ppm", r->freq_ppm, 6);
		json_bool(&j, "kernel_synchronized", r->sync);
	}
	json_bool(&j, "first_record", !s->have_prev);
	json_begin_array(&j, "events");
	if (s->events & RECORD_EV_REBOOT)
		json_string(&j, NULL, "reboot");
	if (s->events & RECORD_EV_STEP)
		json_string(&j, NULL, "step");
	if (s->events & RECORD_EV_CLOCKSOURCE)
		json_string(&j, NULL, "clocksource");
	json_end_array(&j);
	if (s->events & RECORD_EV_STEP)
		json_double(&j, "step_s", s->step_s, 9);
	else
		json_null(&j, "step_s");
	if (textfile)
		json_bool(&j, "textfile_written", textfile_ok);
	json_end_object(&j);
	strbuf_addch(&o, '\n');
	fwrite(o.buf, 1, o.len, stdout);
	strbuf_release(&o);
}

int cmd_log(const struct cli_cmd *cmd, int argc, char **argv)
{
	enum { O_TEXTFILE = 1, O_SYSLOG, O_NONTP, O_TIMEOUT, O_STEP, O_JSON };
	static const struct option longopts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "textfile", required_argument, NULL, O_TEXTFILE },
		{ "syslog", no_argument, NULL, O_SYSLOG },
		{ "no-ntp", no_argument, NULL, O_NONTP },
		{ "burst", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "step-threshold", required_argument, NULL, O_STEP },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, O_JSON },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct sntp_server srv[MAX_SERVERS];
	struct sntp_opts so;
	struct record_cmp_opts cmp;
	struct sample *s = xcalloc(1, sizeof(*s));
	struct strbuf path = STRBUF_INIT;
	struct clock_snap snap;
	const char *out = NULL, *textfile = NULL;
	char err[UTIL_ERRMAX];
	bool use_syslog = false, no_ntp = false, quiet = false, verbose = false,
	     as_json = false;
	int nsrv = 0, opt, rc, burst = 3, textfile_ok = 1;
	long l;

	sntp_opts_default(&so);
	record_cmp_opts_default(&cmp);
	while ((opt = getopt_long(argc, argv, ":s:o:n:qv", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (nsrv == MAX_SERVERS) {
				rc = cli_usage(cmd, "at most %d servers", MAX_SERVERS);
				goto done;
			}
			if (sntp_parse_server(optarg, &srv[nsrv], err)) {
				rc = cli_usage(cmd, "%s", err);
				goto done;
			}
			nsrv++;
			break;
		case 'o':
			if (!*optarg) {
				rc = cli_usage(cmd, "empty --output");
				goto done;
			}
			out = optarg;
			break;
		case O_TEXTFILE:
			if (!*optarg) {
				rc = cli_usage(cmd, "empty --textfile");
				goto done;
			}
			textfile = optarg;
			break;
		case O_SYSLOG:
			use_syslog = true;
			break;
		case O_NONTP:
			no_ntp = true;
			break;
		case 'n':
			if (util_parse_long(optarg, 1, 8, &l, err)) {
				rc = cli_usage(cmd, "--burst: %s", err);
				goto done;
			}
			burst = (int)l;
			break;
		case O_TIMEOUT:
			if (util_parse_duration(optarg, 0.001, 60, &so.timeout_s, err)) {
				rc = cli_usage(cmd, "--timeout: %s", err);
				goto done;
			}
			break;
		case O_STEP:
			if (util_parse_duration(optarg, 1e-6, 1e6, &cmp.step_min_s, err)) {
				rc = cli_usage(cmd, "--step-threshold: %s", err);
				goto done;
			}
			break;
		case 'q':
			quiet = true;
			break;
		case 'v':
			verbose = true;
			break;
		case O_JSON:
			as_json = true;
			break;
		default:
			if ((rc = cli_common_option(cmd, opt, argv)) >= 0)
				goto done;
		}
	}
	if ((rc = cli_no_operands(cmd, argc, argv)) >= 0)
		goto done;
	if (no_ntp && nsrv) {
		rc = cli_usage(cmd, "--no-ntp and --server exclude each other");
		goto done;
	}
	if (out) {
		strbuf_addstr(&path, out);
	} else if (sysroot_path(DEFAULT_LOG, &path, err)) {
		cli_error("%s", err);
		rc = CLI_EXIT_FAILURE;
		goto done;
	}

	/* Measure. */
	if (!no_ntp && !nsrv) {
		struct env *e = xmalloc(sizeof(*e));

		env_probe(e);
		nsrv = sntp_servers_from_env(e, srv, MAX_SERVERS);
		free(e);
	}
	if (clock_snap_read(&snap, 3)) {
		cli_error("cannot read the clocks: %s", strerror(errno));
		rc = CLI_EXIT_FAILURE;
		goto done;
	}
	if (!no_ntp) {
		s->ntp_tried = true;
		sample_ntp(s, srv, nsrv, &so, burst, &snap);
	}
	s->rec.kind = RECORD_SAMPLE;
	record_fill_local(&s->rec, &snap);

	/* Record. */
	if (append(s, path.buf, textfile != NULL, &cmp, err)) {
		cli_error("%s", err);
		rc = CLI_EXIT_FAILURE;
		goto done;
	}
	rc = CLI_EXIT_OK;
	if (s->ntp_tried && !(s->rec.have & RECORD_HAVE_NTP)) {
		if (!quiet)
			cli_warning("no NTP server answered (%s); the record has the local part only",
				    s->ntp_why);
		rc = EXIT_NO_NTP;
	}
	if (textfile && write_textfile(s, textfile, err)) {
		cli_error("%s", err);
		textfile_ok = 0;
		rc = EXIT_TEXTFILE;
	}
	if (use_syslog)
		to_syslog(s, path.buf);
	if (as_json)
		print_json(s, path.buf, textfile, textfile_ok);
	else if (verbose || isatty(STDOUT_FILENO))
		print_text(s, path.buf);
	if (fflush(stdout) && rc == CLI_EXIT_OK)
		rc = CLI_EXIT_FAILURE;
done:
	strbuf_release(&path);
	free(s);
	return rc;
}
