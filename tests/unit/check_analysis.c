/*
 * check_analysis.c - drift fits and step detection on synthetic series.
 *
 * Random series come from a seeded generator; the seed is printed once per
 * run ("analysis: seed N") and HVCLOCK_TEST_SEED=N replays it.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis.h"
#include "util.h"

static uint64_t rng_state;

static uint64_t seed_once(void)
{
	static uint64_t seed;
	const char *env;

	if (seed)
		return seed;
	env = getenv("HVCLOCK_TEST_SEED");
	seed = env ? strtoull(env, NULL, 10) : (uint64_t)time(NULL);
	if (!seed)
		seed = 1;
	fprintf(stderr, "analysis: seed %llu (HVCLOCK_TEST_SEED to replay)\n",
		(unsigned long long)seed);
	return seed;
}

/* Each test starts from the seed, so each one replays on its own. */
static void rng_reset(void)
{
	rng_state = seed_once();
}

static uint64_t rng_next(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static double rng_uniform(void)
{
	return ((double)(rng_next() >> 11) + 0.5) / 9007199254740992.0;
}

static double rng_gauss(void)
{
	return sqrt(-2 * log(rng_uniform())) * cos(2 * M_PI * rng_uniform());
}

/*
 * n points over span_s, offset = off0 - drift_ppm * 1e-6 * t + noise,
 * delay = delay_s + |jitter|.
 */
static struct analysis_point *series(size_t n, double span_s, double off0,
				     double drift_ppm, double noise_s,
				     double delay_s)
{
	struct analysis_point *p = xcalloc(n, sizeof(*p));

	for (size_t i = 0; i < n; i++) {
		p[i].t_s = 5000 + span_s * (double)i / (double)(n - 1);
		p[i].offset_s = off0 - drift_ppm * 1e-6 * (p[i].t_s - 5000) +
				noise_s * rng_gauss();
		p[i].delay_s = delay_s > 0 ? delay_s + fabs(noise_s * rng_gauss()) : 0;
	}
	return p;
}

START_TEST(test_exact_line)
{
	struct analysis_point *p;
	struct analysis_fit f;

	rng_reset();
	p = series(30, 58, 0.25, 500, 0, 40e-6);
	analysis_fit(p, 30, &f);
	ck_assert(f.valid);
	ck_assert_uint_eq(f.n_total, 30);
	ck_assert_uint_eq(f.n_used, 30);
	ck_assert_double_eq_tol(f.drift_ppm, 500, 1e-6);
	ck_assert_double_lt(f.drift_se_ppm, 1e-6);
	ck_assert_double_eq_tol(f.offset_at_end_s, 0.25 - 500e-6 * 58, 1e-9);
	ck_assert_double_eq_tol(f.span_s, 58, 1e-9);
	ck_assert_double_lt(f.residual_rms_s, 1e-9);
	free(p);
}
END_TEST

/* Known drift with Gaussian noise: the error is within a few standard
 * errors, and the standard error is what theory says it should be. */
START_TEST(test_noise_and_standard_error)
{
	const size_t n = 60;
	const double span = 60, noise = 20e-6;
	/* sigma_b = sigma / sqrt(sum (t - tbar)^2), sum = n (n+1) / (12 (n-1)) span^2 */
	const double sum_tt = (double)n * (double)(n + 1) / (12.0 * (double)(n - 1)) * span * span;
	const double theory_ppm = noise / sqrt(sum_tt) * 1e6;
	int within2 = 0, trials = 200;
	double se_sum = 0;

	rng_reset();
	for (int k = 0; k < trials; k++) {
		double drift = 1000 * (rng_uniform() - 0.5);
		struct analysis_point *p = series(n, span, 0.01, drift, noise, 0);
		struct analysis_fit f;

		analysis_fit(p, n, &f);
		ck_assert(f.valid);
		ck_assert_msg(fabs(f.drift_ppm - drift) < 6 * theory_ppm,
			      "trial %d: drift %.4f, wanted %.4f (theory se %.4f)",
			      k, f.drift_ppm, drift, theory_ppm);
		if (fabs(f.drift_ppm - drift) <= 2 * f.drift_se_ppm)
			within2++;
		se_sum += f.drift_se_ppm;
		free(p);
	}
	/* 95% for a Gaussian; outlier rejection trims the tails a little. */
	ck_assert_msg(within2 >= trials * 85 / 100, "only %d of %d within 2 se",
		      within2, trials);
	ck_assert_double_eq_tol(se_sum / trials, theory_ppm, 0.25 * theory_ppm);
}
END_TEST

/* One wild point: the robust fit does not move; the naive one does. */
START_TEST(test_single_outlier)
{
	const size_t n = 30;
	struct analysis_point *p;
	struct analysis_fit clean, robust, naive;

	rng_reset();
	p = series(n, 58, 0, -12.5, 2e-6, 50e-6);
	analysis_fit(p, n, &clean);
	/* A 1.5 ms error with an ordinary delay (a server hiccup): the delay
	 * filter cannot see it, only the residuals can. */
	p[n - 2].offset_s += 1.5e-3;
	analysis_fit(p, n, &robust);
	analysis_fit_ols(p, n, &naive);
	ck_assert(robust.valid);
	/* the outlier, and perhaps a point or two with the longest delays */
	ck_assert_uint_le(robust.n_used, n - 1);
	ck_assert_uint_ge(robust.n_used, n - 5);
	/* Without the point the estimate changes by its noise only: well
	 * inside the clean fit's standard error (0.02 ppm here). */
	ck_assert_msg(fabs(robust.drift_ppm - clean.drift_ppm) < 3 * clean.drift_se_ppm,
		      "robust moved: %.4f vs %.4f (se %.4f)", robust.drift_ppm,
		      clean.drift_ppm, clean.drift_se_ppm);
	ck_assert_msg(fabs(robust.drift_ppm - -12.5) < 0.5, "robust %.4f", robust.drift_ppm);
	ck_assert_msg(fabs(naive.drift_ppm - -12.5) > 3,
		      "naive did not move: %.4f", naive.drift_ppm);
	free(p);
}
END_TEST

/* Delay spikes: offsets wrong by up to half the extra delay. */
START_TEST(test_delay_spikes)
{
	const size_t n = 100;
	struct analysis_point *p;
	struct analysis_fit robust, naive;
	size_t spiked = 0;

	rng_reset();
	p = series(n, 99, -0.003, 250, 3e-6, 200e-6);
	/* Congestion in the second half: every fourth reply queued. */
	for (size_t i = n / 2; i < n; i += 4) {
		double extra = 2e-3 + 20e-3 * rng_uniform();

		p[i].delay_s += extra;
		/* All on one side: a queue on the way back. */
		p[i].offset_s += 0.5 * extra * (0.6 + 0.4 * rng_uniform());
		spiked++;
	}
	analysis_fit(p, n, &robust);
	analysis_fit_ols(p, n, &naive);
	ck_assert(robust.valid);
	ck_assert_uint_le(robust.n_used, n - spiked);
	ck_assert_msg(fabs(robust.drift_ppm - 250) < 0.2, "robust %.4f",
		      robust.drift_ppm);
	ck_assert_msg(fabs(naive.drift_ppm - 250) > 1, "naive %.4f", naive.drift_ppm);
	free(p);
}
END_TEST

/* Up to a quarter wild points without delays to warn of them. */
START_TEST(test_many_outliers)
{
	const size_t n = 80;
	struct analysis_point *p;
	struct analysis_fit f;

	rng_reset();
	p = series(n, 79, 1.5, 42, 5e-6, 0);
	for (size_t i = 0; i < n; i++)
		if (rng_uniform() < 0.2)
			p[i].offset_s += (rng_uniform() < 0.5 ? -1 : 1) *
					 (1e-3 + 0.1 * rng_uniform());
	analysis_fit(p, n, &f);
	ck_assert(f.valid);
	ck_assert_msg(fabs(f.drift_ppm - 42) < 0.5, "drift %.4f", f.drift_ppm);
	ck_assert_double_lt(f.residual_rms_s, 20e-6);
	free(p);
}
END_TEST

START_TEST(test_degenerate)
{
	struct analysis_point p[4] = {
		{ 1, 0.1, 0 }, { 2, 0.2, 0 }, { 3, 0.3, 0 }, { 4, 0.4, 0 },
	};
	struct analysis_fit f;

	analysis_fit(p, 0, &f);
	ck_assert(!f.valid);
	ck_assert_uint_eq(f.n_total, 0);
	analysis_fit(p, 2, &f);
	ck_assert(!f.valid);
	analysis_fit(p, 3, &f);
	ck_assert(f.valid);
	/* offset rises 0.1 s per s: the clock loses, drift -100000 ppm */
	ck_assert_double_eq_tol(f.drift_ppm, -1e5, 1e-6);
	/* all at one instant: no slope */
	for (int i = 0; i < 4; i++)
		p[i].t_s = 7;
	analysis_fit(p, 4, &f);
	ck_assert(!f.valid);
	analysis_fit_ols(p, 4, &f);
	ck_assert(!f.valid);
	/* non-finite points are ignored, not propagated */
	for (int i = 0; i < 4; i++)
		p[i].t_s = i;
	p[1].offset_s = NAN;
	p[2].delay_s = INFINITY;
	analysis_fit(p, 4, &f);
	ck_assert(!f.valid);
	ck_assert_uint_eq(f.n_total, 4);
	p[2].delay_s = 0;
	analysis_fit(p, 4, &f);
	ck_assert(f.valid);
	ck_assert_uint_eq(f.n_used, 3);
	ck_assert(isfinite(f.drift_ppm) && isfinite(f.drift_se_ppm));
}
END_TEST

/* Large offsets and late monotonic times keep their precision. */
START_TEST(test_large_values)
{
	struct analysis_point *p;
	struct analysis_fit f;

	rng_reset();
	p = series(50, 49, 3600.5, 0.05, 100e-9, 30e-6);
	for (size_t i = 0; i < 50; i++)
		p[i].t_s += 8.6e6; /* 100 days of uptime */
	analysis_fit(p, 50, &f);
	ck_assert(f.valid);
	ck_assert_msg(fabs(f.drift_ppm - 0.05) < 0.02, "drift %.5f", f.drift_ppm);
	free(p);
}
END_TEST

static void snap_at(struct clock_snap *s, double mono_s, double real_minus_mono_s,
		    int64_t width_ns)
{
	memset(s, 0, sizeof(*s));
	s->present = (1u << CLOCK_ID_REALTIME) | (1u << CLOCK_ID_MONOTONIC);
	s->v[CLOCK_ID_MONOTONIC] = (int64_t)llround(mono_s * 1e9);
	s->v[CLOCK_ID_REALTIME] = INT64_C(1767225600000000000) + s->v[CLOCK_ID_MONOTONIC] +
				  (int64_t)llround(real_minus_mono_s * 1e9);
	s->width_ns = width_ns;
}

START_TEST(test_steps)
{
	struct clock_snap s[400];
	struct analysis_step st[8];
	size_t n;

	rng_reset();
	for (int i = 0; i < 400; i++) {
		double rm = 0;

		if (i >= 100)
			rm -= 2.0;          /* backward 2 s */
		if (i >= 250)
			rm += 0.0005;       /* forward 500 us */
		/* read noise of a few hundred ns, within the bracket */
		rm += 200e-9 * (rng_uniform() - 0.5);
		snap_at(&s[i], 1000 + 0.01 * i, rm, 400);
	}
	n = analysis_find_steps(s, 400, 100e-6, st, 8);
	ck_assert_uint_eq(n, 2);
	ck_assert_double_eq_tol(st[0].size_s, -2.0, 1e-6);
	ck_assert_double_eq_tol(st[0].t_s, 1000 + 0.01 * 99.5, 1e-6);
	ck_assert_double_eq_tol(st[0].gap_s, 0.01, 1e-9);
	ck_assert_double_eq_tol(st[0].uncertainty_s, 400e-9, 1e-12);
	ck_assert_int_eq(st[0].at_real, s[100].v[CLOCK_ID_REALTIME]);
	ck_assert_double_eq_tol(st[1].size_s, 0.0005, 1e-6);
	/* max bounds the output */
	ck_assert_uint_eq(analysis_find_steps(s, 400, 100e-6, st, 1), 1);
	/* a threshold above the forward step hides it */
	ck_assert_uint_eq(analysis_find_steps(s, 400, 0.001, st, 8), 1);
	/* a wide bracket (the reader was preempted) raises the bar */
	s[250].width_ns = 2000000;
	ck_assert_uint_eq(analysis_find_steps(s, 400, 100e-6, st, 8), 1);
	/* snaps without REALTIME are skipped; the step is still seen across them */
	s[250].width_ns = 400;
	for (int i = 95; i < 105; i++)
		s[i].present &= ~(1u << CLOCK_ID_REALTIME);
	n = analysis_find_steps(s, 400, 100e-6, st, 8);
	ck_assert_uint_eq(n, 2);
	ck_assert_double_eq_tol(st[0].size_s, -2.0, 1e-6);
	ck_assert_double_eq_tol(st[0].gap_s, 0.11, 1e-9);
	ck_assert_uint_eq(analysis_find_steps(s, 0, 100e-6, st, 8), 0);
	ck_assert_uint_eq(analysis_find_steps(s, 1, 100e-6, st, 8), 0);
}
END_TEST

START_TEST(test_worst_backward)
{
	struct measurement *m = xcalloc(1, sizeof(*m));

	ck_assert_ptr_null(measurement_worst_backward(m));
	m->n_steps = 3;
	m->steps[0].size_s = 0.5;
	m->steps[1].size_s = -0.2;
	m->steps[2].size_s = -7;
	ck_assert_ptr_eq(measurement_worst_backward(m), &m->steps[2]);
	m->steps[2].size_s = 7;
	ck_assert_ptr_eq(measurement_worst_backward(m), &m->steps[1]);
	m->steps[1].size_s = 0.1;
	ck_assert_ptr_null(measurement_worst_backward(m));
	free(m);
}
END_TEST

double median(double *v, size_t n); /* HV_TESTABLE in analysis.c */

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Quickselect median against a full sort, on sizes and duplicates that
 * exercise every partition case. */
START_TEST(test_median_select)
{
	double v[257], w[257];
	unsigned seed = 12345;

	for (size_t n = 1; n <= 257; n += (n < 20 ? 1 : 17)) {
		for (int rep = 0; rep < 20; rep++) {
			double want;

			for (size_t i = 0; i < n; i++) {
				seed = seed * 1103515245u + 12345u;
				/* few distinct values on odd reps: many ties */
				v[i] = rep % 2 ? (double)((seed >> 16) % 5)
					       : (double)(seed >> 8) / 65536.0 - 100;
				w[i] = v[i];
			}
			qsort(w, n, sizeof(*w), cmp_d);
			want = n % 2 ? w[n / 2] : 0.5 * (w[n / 2 - 1] + w[n / 2]);
			ck_assert_double_eq(median(v, n), want);
		}
	}
}
END_TEST

Suite *analysis_suite(void)
{
	Suite *s = suite_create("analysis");

	seed_once(); /* in the parent, so it prints once */
	TCase *fit = tcase_create("fit");
	TCase *steps = tcase_create("steps");

	tcase_add_test(fit, test_exact_line);
	tcase_add_test(fit, test_noise_and_standard_error);
	tcase_add_test(fit, test_single_outlier);
	tcase_add_test(fit, test_delay_spikes);
	tcase_add_test(fit, test_many_outliers);
	tcase_add_test(fit, test_degenerate);
	tcase_add_test(fit, test_large_values);
	tcase_add_test(steps, test_steps);
	tcase_add_test(steps, test_worst_backward);
	tcase_add_test(fit, test_median_select);
	suite_add_tcase(s, fit);
	suite_add_tcase(s, steps);
	return s;
}
