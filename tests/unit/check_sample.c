/*
 * check_sample.c - the sampler driven by the fake clock backend and a
 * simulated reference (true time of the fake backend, with noise).
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sample.h"
#include "util.h"

struct sim {
	struct clock_fake f;
	double noise_s;          /* Gaussian noise on each offset */
	int64_t delay_ns;        /* round trip */
	int fail_every;          /* every Nth query times out (0: never) */
	int calls, progress_calls, stop_after;
	uint64_t rng;
};

static double sim_gauss(struct sim *s)
{
	double u[2];

	for (int i = 0; i < 2; i++) {
		s->rng ^= s->rng >> 12;
		s->rng ^= s->rng << 25;
		s->rng ^= s->rng >> 27;
		u[i] = ((double)((s->rng * UINT64_C(2685821657736338717)) >> 11) + 0.5) /
		       9007199254740992.0;
	}
	return sqrt(-2 * log(u[0])) * cos(2 * M_PI * u[1]);
}

/* The reference is the fake backend's true time on the REALTIME scale. */
static int sim_query(void *ctx, struct sntp_sample *out, int *source, char *err)
{
	struct sim *s = ctx;
	int64_t t0, t1, steps = 0;
	double mid;

	s->calls++;
	if (s->fail_every && s->calls % s->fail_every == 0)
		return util_err(err, "no reply from '127.0.0.1:123' within 1 s");
	clock_snap_read(&out->before, 3);
	t0 = s->f.true_ns;
	clock_fake_advance(&s->f, s->delay_ns);
	t1 = s->f.true_ns;
	clock_snap_read(&out->after, 3);
	mid = 0.5 * ((double)t0 + (double)t1);
	for (int i = 0; i < s->f.nsteps; i++)
		if (mid >= (double)s->f.steps[i].at_ns)
			steps += s->f.steps[i].delta_ns;
	/* reference - REALTIME at the midpoint */
	out->offset_s = -(mid * s->f.rate_ppm[CLOCK_ID_REALTIME] * 1e-6 +
			  (double)steps) * 1e-9 + s->noise_s * sim_gauss(s);
	out->delay_s = (double)s->delay_ns * 1e-9;
	out->stratum = 8;
	*source = 0;
	return 0;
}

static void sim_sleep(void *ctx, int64_t ns)
{
	clock_fake_advance(&((struct sim *)ctx)->f, ns);
}

static void sim_progress(void *ctx, const struct sample_result *r, double e)
{
	(void)r;
	(void)e;
	((struct sim *)ctx)->progress_calls++;
}

static bool sim_stop(void *ctx)
{
	struct sim *s = ctx;

	return s->stop_after && s->calls >= s->stop_after;
}

/*
 * A guest whose raw clock runs 80 ppm fast, which the kernel corrects by
 * 30 ppm: MONOTONIC and REALTIME then run (1 + 80e-6)(1 - 30e-6) fast,
 * about +50 ppm.
 */
static struct sim *sim_new(void)
{
	struct sim *s = xcalloc(1, sizeof(*s));
	const double kfreq = ((1 + 50e-6) / (1 + 80e-6) - 1) * 1e6;

	clock_fake_init(&s->f);
	s->f.rate_ppm[CLOCK_ID_REALTIME] = 50;
	s->f.rate_ppm[CLOCK_ID_MONOTONIC] = 50;
	s->f.rate_ppm[CLOCK_ID_BOOTTIME] = 50;
	s->f.rate_ppm[CLOCK_ID_MONOTONIC_RAW] = 80;
	s->f.rate_ppm[CLOCK_ID_TSC] = 80;
	s->f.kstate.freq_ppm = kfreq;
	s->f.kstate.tick_us = 10000;
	s->noise_s = 5e-6;
	s->delay_ns = 100000;
	s->rng = 0x9e3779b97f4a7c15u;
	clock_use_fake(&s->f);
	return s;
}

static void sim_free(struct sim *s)
{
	clock_use_fake(NULL);
	free(s);
}

static void run(struct sim *s, const struct sample_opts *o, bool ntp,
		struct sample_result *r, struct measurement *m)
{
	struct sample_hooks h = {
		ntp ? sim_query : NULL, sim_sleep, sim_progress, sim_stop, s
	};
	char err[UTIL_ERRMAX];

	ck_assert_msg(sample_run(o, &h, r, err) == 0, "%s", err);
	sample_measure(r, -1, m);
}

START_TEST(test_drift_system_and_raw)
{
	struct sim *s = sim_new();
	struct sample_opts o;
	struct sample_result r;
	struct measurement m;

	sample_opts_default(&o);
	run(s, &o, true, &r, &m);
	ck_assert_double_eq_tol(r.elapsed_s, 60, 0.02);
	/* one query per 2 s, a poll per 10 ms in between */
	ck_assert_uint_eq(r.n_ntp, 30);
	ck_assert_uint_ge(r.n_polls, 5900);
	ck_assert_uint_le(r.n_polls, 6100);
	ck_assert_double_le(r.max_gap_s, 0.0115);
	ck_assert(m.have_ntp);
	ck_assert_uint_eq(m.n_ntp, 30);
	ck_assert(m.drift_system.valid);
	ck_assert_msg(fabs(m.drift_system.drift_ppm - 50) < 0.3, "system %.4f +/- %.4f",
		      m.drift_system.drift_ppm, m.drift_system.drift_se_ppm);
	ck_assert_double_lt(m.drift_system.drift_se_ppm, 0.2);
	ck_assert_str_eq(m.raw_clock, "monotonic_raw");
	ck_assert(m.drift_raw.valid);
	ck_assert_msg(fabs(m.drift_raw.drift_ppm - 80) < 0.3, "raw %.4f",
		      m.drift_raw.drift_ppm);
	ck_assert(m.kernel_freq_known);
	ck_assert_double_eq_tol(m.kernel_freq_ppm, s->f.kstate.freq_ppm, 1e-9);
	/* the latest offset: the last query at 58 s, 50 ppm fast */
	ck_assert_double_eq_tol(m.offset_s, -50e-6 * 58, 30e-6);
	ck_assert_uint_eq(m.n_steps, 0);
	ck_assert_int_ge(s->progress_calls, 30);
	for (int id = 0; id < CLOCK_ID_COUNT; id++)
		ck_assert_double_ge(m.read_cost_ns[id], 0);
	sample_result_release(&r);
	sim_free(s);
}
END_TEST

/* No MONOTONIC_RAW (before 2.6.28): the TSC stands in. */
START_TEST(test_tsc_fallback)
{
	struct sim *s = sim_new();
	struct sample_opts o;
	struct sample_result r;
	struct measurement m;

	s->f.missing[CLOCK_ID_MONOTONIC_RAW] = true;
	sample_opts_default(&o);
	o.duration_s = 30;
	run(s, &o, true, &r, &m);
	ck_assert(!(r.present & (1u << CLOCK_ID_MONOTONIC_RAW)));
	ck_assert_double_lt(m.read_cost_ns[CLOCK_ID_MONOTONIC_RAW], 0);
	ck_assert_str_eq(m.raw_clock, "tsc");
	/* 2 GHz nominal, the kernel's 30 ppm taken back out */
	ck_assert_double_eq_tol(sample_tsc_hz(&r), 2e9, 2e9 * 0.05e-6);
	ck_assert(m.drift_raw.valid);
	ck_assert_msg(fabs(m.drift_raw.drift_ppm - 80) < 0.5, "raw %.4f",
		      m.drift_raw.drift_ppm);
	ck_assert_msg(fabs(m.drift_system.drift_ppm - 50) < 0.5, "system %.4f",
		      m.drift_system.drift_ppm);
	sample_result_release(&r);
	sim_free(s);
}
END_TEST

/* A 2.6.18 kernel on a machine without a TSC to read: REALTIME and
 * MONOTONIC only. Everything that can be measured still is. */
START_TEST(test_only_realtime_and_monotonic)
{
	struct sim *s = sim_new();
	struct sample_opts o;
	struct sample_result r;
	struct measurement m;

	s->f.missing[CLOCK_ID_MONOTONIC_RAW] = true;
	s->f.missing[CLOCK_ID_BOOTTIME] = true;
	s->f.missing[CLOCK_ID_TSC] = true;
	s->f.kstate_ok = false;
	s->f.steps[0].at_ns = INT64_C(7000000000);
	s->f.steps[0].delta_ns = -INT64_C(1500000000);
	s->f.nsteps = 1;
	sample_opts_default(&o);
	o.duration_s = 20;
	run(s, &o, true, &r, &m);
	ck_assert_uint_eq(r.present, (1u << CLOCK_ID_REALTIME) | (1u << CLOCK_ID_MONOTONIC));
	ck_assert_str_eq(m.raw_clock, "");
	ck_assert(!m.drift_raw.valid);
	ck_assert(!m.kernel_freq_known);
	ck_assert(!r.kstate_known);
	ck_assert_str_eq(r.kstate_why, "adjtimex: not available");
	ck_assert(m.drift_system.valid);
	ck_assert_double_eq_tol(m.drift_system.drift_ppm, 50, 0.6);
	ck_assert_uint_eq(m.n_steps, 1);
	ck_assert_double_eq_tol(m.steps[0].size_s, -1.5, 1e-6);
	ck_assert_double_lt(m.read_cost_ns[CLOCK_ID_BOOTTIME], 0);
	ck_assert_double_lt(m.read_cost_ns[CLOCK_ID_TSC], 0);
	ck_assert_double_ge(m.read_cost_ns[CLOCK_ID_REALTIME], 0);
	sample_result_release(&r);
	sim_free(s);
}
END_TEST

/* Steps are caught at the poll, sized to the read uncertainty, and do
 * not bend the drift line. */
START_TEST(test_steps)
{
	struct sim *s = sim_new();
	struct sample_opts o;
	struct sample_result r;
	struct measurement m;
	const struct analysis_step *worst;

	s->f.steps[0].at_ns = INT64_C(20000000000);
	s->f.steps[0].delta_ns = -INT64_C(2000000000);
	s->f.steps[1].at_ns = INT64_C(40003000000);
	s->f.steps[1].delta_ns = INT64_C(250000); /* 250 us forward */
	s->f.nsteps = 2;
	s->f.read_cost_ns = 30;
	sample_opts_default(&o);
	run(s, &o, true, &r, &m);
	ck_assert_uint_eq(m.n_steps, 2);
	ck_assert_double_eq_tol(m.steps[0].size_s, -2.0, 1e-6);
	/* MONOTONIC runs 50 ppm fast: true 20 s reads 20.001 s */
	ck_assert_double_eq_tol(m.steps[0].t_s, 20.001, 0.011);
	ck_assert_double_le(m.steps[0].gap_s, 0.011);
	ck_assert_double_lt(m.steps[0].uncertainty_s, 1e-6);
	ck_assert_double_eq_tol(m.steps[1].size_s, 250e-6, 1e-6);
	worst = measurement_worst_backward(&m);
	ck_assert_ptr_eq(worst, &m.steps[0]);
	ck_assert(m.drift_system.valid);
	ck_assert_msg(fabs(m.drift_system.drift_ppm - 50) < 0.3, "system %.4f",
		      m.drift_system.drift_ppm);
	ck_assert_msg(fabs(m.drift_raw.drift_ppm - 80) < 0.3, "raw %.4f",
		      m.drift_raw.drift_ppm);
	/* the offset now shows the step */
	ck_assert_double_eq_tol(m.offset_s, 2.0 - 250e-6 - 50e-6 * 58, 30e-6);
	ck_assert_uint_eq(m.n_ntp, 30);
	sample_result_release(&r);
	sim_free(s);
}
END_TEST

/* A step inside an NTP exchange: that reply is dropped. */
START_TEST(test_step_during_exchange)
{
	struct sim *s = sim_new();
	struct sample_opts o;
	struct sample_result r;
	struct measurement m;

	/* the 3rd query starts at true ~4 s and lasts 100 us */
	s->f.steps[0].at_ns = INT64_C(4000000000) + 50000;
	s->f.steps[0].delta_ns = INT64_C(1000000000);
	s->f.nsteps = 1;
	s->delay_ns = 100000;
	s->noise_s = 0;
	sample_opts_default(&o);
	o.duration_s = 10;
	/* an exact start keeps the query on the step */
	s->f.rate_ppm[CLOCK_ID_MONOTONIC] = 0;
	s->f.rate_ppm[CLOCK_ID_REALTIME] = 0;
	run(s, &o, true, &r, &m);
	ck_assert_uint_eq(r.n_ntp_discarded, 1);
	ck_assert_uint_eq(r.n_ntp, 4);
	ck_assert_uint_eq(m.n_steps, 1);
	sample_result_release(&r);
	sim_free(s);
}
END_TEST

START_TEST(test_read_cost)
{
	struct sim *s = sim_new();
	double med[CLOCK_ID_COUNT], min[CLOCK_ID_COUNT];

	s->f.read_cost_ns = 1250; /* a syscall-bound clocksource (hpet) */
	s->f.missing[CLOCK_ID_BOOTTIME] = true;
	sample_read_cost(med, min);
	for (int id = 0; id < CLOCK_ID_COUNT; id++) {
		if (id == CLOCK_ID_BOOTTIME) {
			ck_assert_double_lt(med[id], 0);
			ck_assert_double_lt(min[id], 0);
			continue;
		}
		ck_assert_double_eq_tol(med[id], 1250, 1);
		ck_assert_double_eq_tol(min[id], 1250, 1);
	}
	sim_free(s);
	/* the live clocks: something plausible, MONOTONIC always present */
	sample_read_cost(med, min);
	ck_assert_double_ge(med[CLOCK_ID_MONOTONIC], 0);
	ck_assert_double_lt(med[CLOCK_ID_MONOTONIC], 100000);
	ck_assert_double_le(min[CLOCK_ID_MONOTONIC], med[CLOCK_ID_MONOTONIC]);
}
END_TEST

/* Local clocks only: no NTP, the steps and costs still measured. */
START_TEST(test_no_ntp)
{
	struct sim *s = sim_new();
	struct sample_opts o;
	struct sample_result r;
	struct measurement m;

	s->f.steps[0].at_ns = INT64_C(3000000000);
	s->f.steps[0].delta_ns = -INT64_C(2000000000);
	s->f.nsteps = 1;
	sample_opts_default(&o);
	o.duration_s = 5;
	run(s, &o, false, &r, &m);
	ck_assert(!m.have_ntp);
	ck_assert_uint_eq(r.n_ntp, 0);
	ck_assert(!m.drift_system.valid);
	ck_assert(!m.drift_raw.valid);
	ck_assert_uint_eq(m.n_steps, 1);
	ck_assert_double_eq_tol(m.steps[0].size_s, -2.0, 1e-6);
	ck_assert_uint_ge(r.n_polls, 490);
	ck_assert_double_eq_tol(m.duration_s, 5, 0.011);
	/* progress about once a second even without queries */
	ck_assert_int_ge(s->progress_calls, 4);
	sample_result_release(&r);
	sim_free(s);
}
END_TEST

START_TEST(test_failures_cap_and_stop)
{
	struct sim *s = sim_new();
	struct sample_opts o;
	struct sample_result r;
	struct measurement m;

	s->fail_every = 3;
	sample_opts_default(&o);
	o.duration_s = 30;
	run(s, &o, true, &r, &m);
	ck_assert_uint_eq(r.n_ntp_failed, 5);
	ck_assert_uint_eq(r.n_ntp, 10);
	ck_assert_str_eq(r.ntp_error, "no reply from '127.0.0.1:123' within 1 s");
	ck_assert(m.drift_system.valid);
	sample_result_release(&r);

	/* the NTP history is capped */
	s->fail_every = 0;
	s->calls = 0;
	o.max_ntp = 4;
	run(s, &o, true, &r, &m);
	ck_assert_uint_eq(r.n_ntp, 4);
	ck_assert_uint_eq(r.n_ntp_discarded, 11);
	sample_result_release(&r);

	/* the stop hook ends the run early */
	s->calls = 0;
	s->stop_after = 3;
	o.max_ntp = 100;
	run(s, &o, true, &r, &m);
	ck_assert_uint_eq(r.n_ntp, 3);
	ck_assert_double_lt(r.elapsed_s, 5);
	sample_result_release(&r);
	sim_free(s);
}
END_TEST

/* The series sample_measure fits, as --json and the benchmark see it. */
START_TEST(test_series)
{
	struct sim *s = sim_new();
	struct sample_opts o;
	struct sample_result r;
	struct measurement m;
	struct analysis_point *p;
	size_t n;

	s->noise_s = 0;
	sample_opts_default(&o);
	o.duration_s = 10;
	run(s, &o, true, &r, &m);
	p = xcalloc(r.n_ntp, sizeof(*p));
	n = sample_series(&r, -1, false, p);
	ck_assert_uint_eq(n, 5);
	ck_assert_double_eq_tol(p[0].delay_s, 100e-6, 1e-12);
	ck_assert_double_lt(p[0].t_s, 0.01);
	ck_assert_double_eq_tol(p[4].t_s - p[0].t_s, 8, 0.001);
	n = sample_series(&r, -1, true, p);
	ck_assert_uint_eq(n, 5);
	/* relative to the first sample */
	ck_assert_double_eq_tol(p[0].offset_s, r.ntp[0].offset_s, 1e-9);
	ck_assert_uint_eq(sample_series(&r, 7, false, p), 0);
	free(p);
	sample_result_release(&r);
	sim_free(s);
}
END_TEST

Suite *sample_suite(void)
{
	Suite *s = suite_create("sample");
	TCase *tc = tcase_create("fake");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_drift_system_and_raw);
	tcase_add_test(tc, test_tsc_fallback);
	tcase_add_test(tc, test_only_realtime_and_monotonic);
	tcase_add_test(tc, test_steps);
	tcase_add_test(tc, test_step_during_exchange);
	tcase_add_test(tc, test_read_cost);
	tcase_add_test(tc, test_no_ntp);
	tcase_add_test(tc, test_failures_cap_and_stop);
	tcase_add_test(tc, test_series);
	suite_add_tcase(s, tc);
	return s;
}
