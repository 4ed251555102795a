/*
 * check_report.c - segmentation and report maths on synthetic logs with
 * known drift, steps, reboots, clocksource changes and gaps; damaged
 * lines; the window; the measurement handed to the rules.
 *
 * The simulated guest: true time advances by the interval; the guest's
 * clocks (REALTIME, BOOTTIME) run fast by drift_ppm; MONOTONIC_RAW runs
 * at the clocksource rate, which the kernel corrects by kfreq_ppm; NTP
 * offsets are true - REALTIME plus seeded Gaussian noise.
 */
#include <check.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "testutil.h"
#include "util.h"

struct sim {
	double true_s;        /* true time since the start, s */
	double real_s;        /* guest REALTIME - start, s */
	double boot_s;        /* guest BOOTTIME, s */
	double raw_s;         /* guest MONOTONIC_RAW, s */
	double drift_ppm;     /* guest clock fast by, ppm */
	double kfreq_ppm;     /* REALTIME faster than RAW by, ppm */
	double noise_s;       /* NTP offset noise (sigma), s */
	bool ntp;
	char boot_id[40];
	char cs[32];
	char host[16];
	unsigned seed;
	struct strbuf log;
};

#define EPOCH INT64_C(1767225600)  /* 2026-01-01T00:00:00Z */

static double gauss(unsigned *seed)
{
	double u = (rand_r(seed) + 1.0) / (RAND_MAX + 2.0);
	double v = (rand_r(seed) + 1.0) / (RAND_MAX + 2.0);

	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static void sim_init(struct sim *s, double drift_ppm, unsigned seed)
{
	memset(s, 0, sizeof(*s));
	s->drift_ppm = drift_ppm;
	s->boot_s = 1000;
	s->raw_s = 990;
	s->noise_s = 50e-6;
	s->ntp = true;
	s->seed = seed;
	snprintf(s->boot_id, sizeof(s->boot_id), "boot-1");
	snprintf(s->cs, sizeof(s->cs), "hyperv_clocksource_tsc_page");
	snprintf(s->host, sizeof(s->host), "guest");
	strbuf_init(&s->log);
	strbuf_addf(&s->log, "%s\n", record_header);
}

static void sim_advance(struct sim *s, double dt_true)
{
	double local = dt_true * (1 + s->drift_ppm * 1e-6);

	s->true_s += dt_true;
	s->real_s += local;
	s->boot_s += local;
	s->raw_s += local / (1 + s->kfreq_ppm * 1e-6);
}

static void sim_record(struct sim *s, enum record_kind kind, double step)
{
	struct record r;

	memset(&r, 0, sizeof(r));
	r.kind = kind;
	r.real_ns = EPOCH * 1000000000 + (int64_t)llround(s->real_s * 1e9);
	r.boot_ns = (int64_t)llround(s->boot_s * 1e9);
	r.mono_ns = r.boot_ns;
	r.raw_ns = (int64_t)llround(s->raw_s * 1e9);
	r.have = RECORD_HAVE_BOOT | RECORD_HAVE_MONO | RECORD_HAVE_RAW |
		 RECORD_HAVE_KSTATE;
	r.unc_s = 1e-6;
	if (kind == RECORD_STEP) {
		r.have |= RECORD_HAVE_STEP;
		r.step_s = step;
	}
	if (s->ntp && kind == RECORD_SAMPLE) {
		r.have |= RECORD_HAVE_NTP;
		r.offset_s = s->true_s - s->real_s + s->noise_s * gauss(&s->seed);
		r.delay_s = 200e-6;
		r.stratum = 2;
		snprintf(r.server, sizeof(r.server), "127.0.0.1");
	}
	r.freq_ppm = s->kfreq_ppm;
	r.sync = 1;
	snprintf(r.clocksource, sizeof(r.clocksource), "%s", s->cs);
	snprintf(r.boot_id, sizeof(r.boot_id), "%s", s->boot_id);
	snprintf(r.host, sizeof(r.host), "%s", s->host);
	record_format(&r, &s->log);
}

/* n samples, one every dt_true seconds. */
static void sim_run(struct sim *s, int n, double dt_true)
{
	for (int i = 0; i < n; i++) {
		sim_advance(s, dt_true);
		sim_record(s, RECORD_SAMPLE, 0);
	}
}

static struct report *run_report(const struct strbuf *log, const struct report_opts *o)
{
	struct report_opts def;
	struct report *r;
	const char *p = log->buf, *end = log->buf + log->len;

	report_opts_default(&def);
	r = report_new(o ? o : &def);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		report_add_line(r, p, (size_t)((nl ? nl : end) - p), nl != NULL);
		p = nl ? nl + 1 : end;
	}
	report_finish(r);
	return r;
}

START_TEST(test_one_segment_drift)
{
	static const double drifts[] = { 50, -12.5, 0, 500, 50000 };
	struct sim s;

	for (size_t k = 0; k < UTIL_ARRAY_SIZE(drifts); k++) {
		const struct report_summary *sum;
		const struct report_segment *seg;
		struct report *r;

		sim_init(&s, drifts[k], 42 + (unsigned)k);
		s.kfreq_ppm = 20;
		sim_run(&s, 24 * 60, 60);
		r = run_report(&s.log, NULL);
		sum = report_summary(r);
		ck_assert_uint_eq(sum->n_records, 24 * 60);
		ck_assert_uint_eq(sum->n_damaged, 0);
		ck_assert_uint_eq(report_nsegments(r), 1);
		ck_assert_uint_eq(report_nevents(r), 0);
		seg = report_segment(r, 0);
		ck_assert(seg->fit.valid);
		/* 50 us noise over a day: the drift to well under 0.1 ppm. */
		ck_assert_msg(fabs(seg->fit.drift_ppm - drifts[k]) < 0.1,
			      "drift %g, want %g (seed %u)", seg->fit.drift_ppm,
			      drifts[k], 42 + (unsigned)k);
		ck_assert(seg->local_rate_valid);
		ck_assert_double_eq_tol(seg->local_rate_ppm, 20, 0.01);
		ck_assert(seg->kfreq_valid);
		ck_assert_double_eq_tol(seg->kfreq_ppm, 20, 1e-9);
		ck_assert_double_eq_tol(sum->median_interval_s, 60 * (1 + drifts[k] * 1e-6), 1e-3);
		ck_assert_int_eq(sum->worst_segment, 0);
		ck_assert_str_eq(sum->host, "guest");
		ck_assert_str_eq(seg->clocksource, "hyperv_clocksource_tsc_page");
		/* The fitted line meets the offsets at both ends. */
		ck_assert_double_eq_tol(report_fit_at(r, 0, seg->start_ns), 0 - 60e-6 * drifts[k], 1e-4);
		report_free(r);
		strbuf_release(&s.log);
	}
}
END_TEST

/*
 * The motivating case: a guest 5% fast, ntpd stepping it back every 15
 * minutes (45 s each time).
 */
START_TEST(test_sawtooth_steps)
{
	struct sim s;
	struct report *r;
	const struct report_summary *sum;
	struct measurement m;
	int nsteps = 0;

	sim_init(&s, 50000, 7);
	for (int k = 0; k < 8; k++) {
		sim_run(&s, 15, 60);
		/* ntpd steps the clock to the true time. */
		double back = s.true_s - s.real_s;

		s.real_s += back;
		s.true_s += 1;
		s.real_s += 1 * 1.05;
		s.boot_s += 1 * 1.05;
		s.raw_s += 1 * 1.05;
	}
	sim_run(&s, 15, 60);
	r = run_report(&s.log, NULL);
	sum = report_summary(r);
	ck_assert_uint_eq(report_nsegments(r), 9);
	ck_assert_uint_eq(sum->n_steps_back, 8);
	ck_assert_uint_eq(sum->n_steps_fwd, 0);
	ck_assert_double_eq_tol(sum->largest_back_s, -45.0, 0.1);
	for (size_t i = 0; i < report_nevents(r); i++) {
		const struct report_event *e = report_event(r, i);

		ck_assert_int_eq(e->kind, REPORT_STEP);
		ck_assert_double_eq_tol(e->size_s, -45.05, 0.1);
		ck_assert(!e->live);
		ck_assert_int_eq(e->segment, (int)i + 1);
		nsteps++;
	}
	ck_assert_int_eq(nsteps, 8);
	for (size_t i = 0; i < report_nsegments(r); i++) {
		const struct report_segment *seg = report_segment(r, i);

		ck_assert_int_eq(seg->cut, i ? REPORT_CUT_STEP : REPORT_CUT_START);
		ck_assert_uint_eq(seg->n, 15);
		ck_assert(seg->fit.valid);
		ck_assert_msg(fabs(seg->fit.drift_ppm - 50000) < 5, "drift %g", seg->fit.drift_ppm);
		ck_assert(seg->offset_min_s < -44 && seg->offset_max_s > -4);
	}
	ck_assert_msg(fabs(sum->worst_drift_ppm - 50000) < 5, "%g", sum->worst_drift_ppm);
	/* No gaps: the interval across a step is on the monotonic clock. */
	ck_assert_uint_eq(sum->n_gaps, 0);
	ck_assert(report_measurement(r, &m));
	ck_assert_uint_eq(m.n_steps, 8);
	ck_assert(m.have_ntp);
	ck_assert(m.drift_system.valid);
	ck_assert_double_eq_tol(measurement_worst_backward(&m)->size_s, -45.05, 0.1);
	report_free(r);
	strbuf_release(&s.log);
}
END_TEST

START_TEST(test_reboot_clocksource_gap)
{
	struct sim s;
	struct report *r;
	const struct report_summary *sum;
	const struct report_event *e;

	sim_init(&s, 100, 3);
	sim_run(&s, 60, 60);
	/* The clocksource watchdog switches to acpi_pm. */
	snprintf(s.cs, sizeof(s.cs), "acpi_pm");
	sim_run(&s, 60, 60);
	/* Cron stops for 30 minutes (a stuck host). */
	sim_advance(&s, 30 * 60);
	sim_run(&s, 60, 60);
	/* Reboot: 10 minutes down; new boot id; clocks restart. */
	sim_advance(&s, 600);
	s.boot_s = 30;
	s.raw_s = 29;
	snprintf(s.boot_id, sizeof(s.boot_id), "boot-2");
	sim_run(&s, 60, 60);
	r = run_report(&s.log, NULL);
	sum = report_summary(r);
	ck_assert_uint_eq(report_nsegments(r), 2);
	ck_assert_int_eq(report_segment(r, 1)->cut, REPORT_CUT_REBOOT);
	ck_assert_str_eq(report_segment(r, 1)->boot_id, "boot-2");
	ck_assert_uint_eq(report_nevents(r), 3);
	e = report_event(r, 0);
	ck_assert_int_eq(e->kind, REPORT_CLOCKSOURCE);
	ck_assert_str_eq(e->from, "hyperv_clocksource_tsc_page");
	ck_assert_str_eq(e->to, "acpi_pm");
	ck_assert_int_eq(e->line, 1 + 61);
	e = report_event(r, 1);
	ck_assert_int_eq(e->kind, REPORT_GAP);
	ck_assert_double_eq_tol(e->size_s, 30 * 60 + 60, 1);
	ck_assert_int_eq(e->line, 1 + 121);
	e = report_event(r, 2);
	ck_assert_int_eq(e->kind, REPORT_REBOOT);
	ck_assert_str_eq(e->from, "boot-1");
	ck_assert_str_eq(e->to, "boot-2");
	ck_assert_double_eq_tol(e->size_s, 660, 1);
	ck_assert_uint_eq(sum->n_reboots, 1);
	ck_assert_uint_eq(sum->n_clocksource_changes, 1);
	ck_assert_uint_eq(sum->n_gaps, 1);
	ck_assert_uint_eq(sum->n_steps_back + sum->n_steps_fwd, 0);
	/* The drift is the same on both sides of the reboot. */
	ck_assert_double_eq_tol(report_segment(r, 0)->fit.drift_ppm, 100, 0.5);
	ck_assert_double_eq_tol(report_segment(r, 1)->fit.drift_ppm, 100, 0.5);
	report_free(r);
	strbuf_release(&s.log);
}
END_TEST

START_TEST(test_watch_step_records)
{
	struct sim s;
	struct report *r;
	const struct report_event *e;

	sim_init(&s, 0, 5);
	sim_run(&s, 10, 60);
	/* hvclock watch sees a 2.5 s backward step as it happens. */
	sim_advance(&s, 20);
	s.real_s -= 2.5;
	s.true_s -= 0; /* true time unaffected: the offset jumps by +2.5 */
	sim_record(&s, RECORD_STEP, -2.5);
	sim_run(&s, 10, 60);
	/* The logger ran between another step and the watcher's record. */
	sim_advance(&s, 20);
	s.real_s += 1.5;
	sim_record(&s, RECORD_SAMPLE, 0);
	sim_record(&s, RECORD_STEP, 1.5);
	sim_run(&s, 10, 60);
	/* A small step that only the watcher can see (below the log threshold). */
	sim_advance(&s, 20);
	s.real_s -= 0.01;
	sim_record(&s, RECORD_STEP, -0.01);
	sim_run(&s, 10, 60);

	r = run_report(&s.log, NULL);
	ck_assert_uint_eq(report_nevents(r), 3);
	e = report_event(r, 0);
	ck_assert_int_eq(e->kind, REPORT_STEP);
	ck_assert_double_eq_tol(e->size_s, -2.5, 1e-6);
	ck_assert(e->live);
	e = report_event(r, 1);
	ck_assert_double_eq_tol(e->size_s, 1.5, 1e-3);
	ck_assert(e->live);     /* found by the logger, confirmed by watch */
	e = report_event(r, 2);
	ck_assert_double_eq_tol(e->size_s, -0.01, 1e-6);
	ck_assert(e->live);
	ck_assert_uint_eq(report_summary(r)->n_steps_back, 2);
	ck_assert_uint_eq(report_summary(r)->n_steps_fwd, 1);
	ck_assert_uint_eq(report_nsegments(r), 4);
	report_free(r);
	strbuf_release(&s.log);
}
END_TEST

START_TEST(test_no_ntp_local_rate)
{
	struct sim s;
	struct report *r;
	const struct report_segment *seg;
	struct measurement m;

	/* --no-ntp under a faked clock 250 ppm fast against RAW. */
	sim_init(&s, 0, 9);
	s.ntp = false;
	s.kfreq_ppm = 250;
	sim_run(&s, 30, 1);
	r = run_report(&s.log, NULL);
	seg = report_segment(r, 0);
	ck_assert(!seg->fit.valid);
	ck_assert_uint_eq(seg->n_ntp, 0);
	ck_assert(isnan(seg->offset_min_s));
	ck_assert(seg->local_rate_valid);
	ck_assert_double_eq_tol(seg->local_rate_ppm, 250, 0.05); /* us records, 30 s */
	ck_assert_int_eq(report_summary(r)->worst_segment, -1);
	ck_assert_int_eq(report_summary(r)->worst_local_segment, 0);
	ck_assert(report_measurement(r, &m));
	ck_assert(!m.have_ntp);
	ck_assert_ptr_nonnull(strstr(m.ntp_why, "no NTP"));
	report_free(r);
	strbuf_release(&s.log);
}
END_TEST

START_TEST(test_window_and_hosts)
{
	struct sim s, other;
	struct report_opts o;
	struct report *r;
	struct strbuf mixed = STRBUF_INIT;
	const char *p, *q;

	sim_init(&s, 10, 11);
	sim_run(&s, 120, 60);   /* two hours */
	report_opts_default(&o);
	o.have_since = o.have_until = true;
	o.since_ns = (EPOCH + 30 * 60) * 1000000000;
	o.until_ns = (EPOCH + 90 * 60) * 1000000000;
	r = run_report(&s.log, &o);
	ck_assert_uint_eq(report_summary(r)->n_records, 60);
	ck_assert_uint_eq(report_nsegments(r), 1);
	ck_assert_int_eq(report_segment(r, 0)->cut, REPORT_CUT_START);
	ck_assert(report_summary(r)->first_ns >= o.since_ns);
	ck_assert(report_summary(r)->last_ns <= o.until_ns);
	report_free(r);

	/* Two hosts' logs interleaved: the first host's records only. */
	sim_init(&other, -10, 12);
	snprintf(other.host, sizeof(other.host), "other");
	snprintf(other.boot_id, sizeof(other.boot_id), "boot-x");
	sim_run(&other, 120, 60);
	p = s.log.buf;
	q = other.log.buf;
	while (*p || *q) {
		const char *e1 = *p ? strchr(p, '\n') + 1 : p;
		const char *e2 = *q ? strchr(q, '\n') + 1 : q;

		strbuf_add(&mixed, p, (size_t)(e1 - p));
		strbuf_add(&mixed, q, (size_t)(e2 - q));
		p = e1;
		q = e2;
	}
	r = run_report(&mixed, NULL);
	ck_assert_uint_eq(report_summary(r)->n_records, 120);
	ck_assert_uint_eq(report_summary(r)->n_other_hosts, 120);
	ck_assert_uint_eq(report_nevents(r), 0);
	ck_assert_double_eq_tol(report_segment(r, 0)->fit.drift_ppm, 10, 0.5);
	report_free(r);
	report_opts_default(&o);
	o.host = "other";
	r = run_report(&mixed, &o);
	ck_assert_str_eq(report_summary(r)->host, "other");
	ck_assert_uint_eq(report_nevents(r), 0);
	ck_assert_double_eq_tol(report_segment(r, 0)->fit.drift_ppm, -10, 0.5);
	report_free(r);
	strbuf_release(&mixed);
	strbuf_release(&s.log);
	strbuf_release(&other.log);
}
END_TEST

START_TEST(test_damaged_lines)
{
	struct sim s;
	struct report *r;
	struct strbuf log = STRBUF_INIT;
	const struct report_summary *sum;
	const char *p;
	int line = 0;

	sim_init(&s, 20, 13);
	sim_run(&s, 50, 60);
	/* Garbage on line 6, a newer format from line 31 to 40, torn end. */
	for (p = s.log.buf; *p;) {
		const char *nl = strchr(p, '\n');

		line++;
		if (line == 6)
			strbuf_addstr(&log, "\x01\xff garbage \n");
		else if (line == 31)
			strbuf_addstr(&log, "#hvclock-log/2 time future columns\n");
		else if (line == 41)
			strbuf_addf(&log, "%s\n", record_header);
		strbuf_add(&log, p, (size_t)(nl - p) + 1);
		p = nl + 1;
	}
	strbuf_addstr(&log, "2026-01-02T00:00:00Z 1767312000.0000");
	r = run_report(&log, NULL);
	sum = report_summary(r);
	ck_assert_uint_eq(sum->n_damaged, 1 + 10 + 1);
	ck_assert_uint_eq(sum->n_records, 50 - 10);
	ck_assert_uint_eq(report_nwarnings(r), 12);
	ck_assert_msg(!strncmp(report_warning(r, 0), "line 6: expected 19 fields", 26),
		      "%s", report_warning(r, 0));
	ck_assert_msg(!strncmp(report_warning(r, 1), "line 33: format version 2 is newer", 34),
		      "%s", report_warning(r, 1));
	ck_assert_msg(strstr(report_warning(r, 11), "torn record") &&
		      !strncmp(report_warning(r, 11), "line 55:", 8),
		      "%s", report_warning(r, 11));
	/* The good records still give the drift. */
	ck_assert_double_eq_tol(report_segment(r, 0)->fit.drift_ppm, 20, 1);
	report_free(r);
	strbuf_release(&log);
	strbuf_release(&s.log);
}
END_TEST

START_TEST(test_read_fd)
{
	struct sim s;
	char *dir = testutil_mkdtemp();
	struct strbuf path = STRBUF_INIT, data = STRBUF_INIT;
	struct report_opts o;
	struct report *r;
	char err[UTIL_ERRMAX];
	int fd;

	/* Enough records to cross the 1 MiB read buffer several times, and
	 * one overlong garbage line in the middle. */
	sim_init(&s, -30, 17);
	sim_run(&s, 6000, 60);
	strbuf_add(&data, s.log.buf, s.log.len / 2);
	strbuf_addch(&data, '\n');
	for (int i = 0; i < 100000; i++)
		strbuf_addch(&data, 'x');
	strbuf_addch(&data, '\n');
	strbuf_add(&data, s.log.buf + s.log.len / 2, s.log.len - s.log.len / 2);
	strbuf_addf(&path, "%s/samples.log", dir);
	testutil_write(path.buf, data.buf, data.len);
	fd = open(path.buf, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	report_opts_default(&o);
	r = report_new(&o);
	ck_assert_int_eq(report_read_fd(r, fd, path.buf, err), 0);
	close(fd);
	report_finish(r);
	/* The record cut in two by the inserted newline is 2 damaged lines. */
	ck_assert_uint_eq(report_summary(r)->n_records, 5999);
	ck_assert_uint_eq(report_summary(r)->n_damaged, 3);
	ck_assert_ptr_nonnull(strstr(report_warning(r, 1), "line too long"));
	ck_assert_double_eq_tol(report_segment(r, 0)->fit.drift_ppm, -30, 0.1);
	report_free(r);
	strbuf_release(&path);
	strbuf_release(&data);
	strbuf_release(&s.log);
	testutil_rmtree(dir);
	free(dir);
}
END_TEST

Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_one_segment_drift);
	tcase_add_test(tc, test_sawtooth_steps);
	tcase_add_test(tc, test_reboot_clocksource_gap);
	tcase_add_test(tc, test_watch_step_records);
	tcase_add_test(tc, test_no_ntp_local_rate);
	tcase_add_test(tc, test_window_and_hosts);
	tcase_add_test(tc, test_damaged_lines);
	tcase_add_test(tc, test_read_fd);
	suite_add_tcase(s, tc);
	return s;
}
