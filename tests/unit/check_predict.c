/*
 * check_predict.c - daemon forecasts against the reference's worked
 * example (3 min/h = 5% = 50000 ppm, timekeeping.md section 3).
 */
#include <check.h>
#include <math.h>
#include <string.h>

#include "daemons.h"
#include "predict.h"

static void run(int kind, const struct daemon_conf *c, bool x,
		const char *ver, bool sec, double ppm, struct predict_result *r)
{
	struct predict_daemon d = { kind, c, x, ver, sec };

	predict_daemon(&d, ppm, r);
}

START_TEST(test_ntpd_422_sawtooth)
{
	struct predict_result r;
	double rate = 49500e-6;

	/* The motivating case: 180 s per 3600 s. */
	run(DAEMON_NTPD, NULL, false, "4.2.2p1", false, 180.0 / 3600 * 1e6, &r);
	ck_assert_int_eq(r.outcome, PREDICT_STEPS);
	ck_assert_double_eq_tol(r.capacity_ppm, 500, 1e-9);
	ck_assert_double_eq_tol(r.net_ppm, 49500, 1e-6);
	ck_assert(r.stepout_known);
	ck_assert_double_eq_tol(r.stepout_s, 900, 1e-9);
	/* period = 0.128 / rate + 900; step = rate * period, backwards */
	ck_assert_double_eq_tol(r.interval_s, 0.128 / rate + 900, 1e-6);
	ck_assert_double_eq_tol(r.step_s, -(0.128 + rate * 900), 1e-6);
	ck_assert(r.step_s < -44 && r.step_s > -46);  /* "about 45 s" */
	ck_assert_msg(strstr(r.sentence, "ntpd 4.2.2p1 will step this clock back "
			     "by about 45 s every 15 minutes"), "%s", r.sentence);
}
END_TEST

START_TEST(test_ntpd_versions_and_knobs)
{
	struct predict_result r;
	struct daemon_conf c;

	/* 4.2.8 / NTPsec: 300 s stepout -> about 15 s */
	run(DAEMON_NTPD, NULL, false, "4.2.8p15", false, 50000, &r);
	ck_assert_int_eq(r.outcome, PREDICT_STEPS);
	ck_assert_double_eq_tol(r.stepout_s, 300, 1e-9);
	ck_assert(fabs(r.step_s + 15) < 0.5);
	ck_assert_ptr_nonnull(strstr(r.sentence, "every 5 minutes"));
	run(DAEMON_NTPD, NULL, false, "1.2.2", true, 50000, &r);
	ck_assert_double_eq_tol(r.stepout_s, 300, 1e-9);
	ck_assert_ptr_nonnull(strstr(r.sentence, "NTPsec"));
	/* unknown version: both forecasts, 900 assumed */
	run(DAEMON_NTPD, NULL, false, NULL, false, 50000, &r);
	ck_assert(!r.stepout_known);
	ck_assert_double_eq_tol(r.stepout_s, 900, 1e-9);
	ck_assert_ptr_nonnull(strstr(r.sentence, "about 15 s every 5 minutes"));
	/* a slow clock is stepped forward */
	run(DAEMON_NTPD, NULL, false, "4.2.6p5", false, -50000, &r);
	ck_assert(r.step_s > 44);
	ck_assert_ptr_nonnull(strstr(r.sentence, "forward"));
	/* -x: threshold 600 s; 600/0.0495 = 3.4 h, + stepout -> ~645 s step */
	run(DAEMON_NTPD, NULL, true, "4.2.2p1", false, 50000, &r);
	ck_assert_int_eq(r.outcome, PREDICT_STEPS);
	ck_assert_double_eq_tol(r.threshold_s, 600, 1e-9);
	ck_assert_double_eq_tol(r.step_s, -(600 + 49500e-6 * 900), 1e-6);
	ck_assert_double_eq_tol(r.interval_s, 600 / 49500e-6 + 900, 1e-6);
	ck_assert_ptr_nonnull(strstr(r.sentence, "hours"));
	/* tinker step 0: slew only -> panic exit after 1000 s of offset */
	memset(&c, 0, sizeof(c));
	c.has_tinker_step = true;
	c.tinker_step_s = 0;
	run(DAEMON_NTPD, &c, false, "4.2.2p1", false, 50000, &r);
	ck_assert_int_eq(r.outcome, PREDICT_EXITS);
	ck_assert_double_eq_tol(r.exit_after_s, 1000 / 49500e-6, 1e-6);
	ck_assert_ptr_nonnull(strstr(r.sentence, "exits"));
	/* ... and with tinker panic 0 it runs away */
	c.has_tinker_panic = true;
	c.tinker_panic_s = 0;
	run(DAEMON_NTPD, &c, false, "4.2.2p1", false, 50000, &r);
	ck_assert_int_eq(r.outcome, PREDICT_RUNS_AWAY);
	ck_assert_double_eq_tol(r.gain_per_day_s, 49500e-6 * 86400, 1e-6);
	/* a step threshold so high that the panic comes first */
	memset(&c, 0, sizeof(c));
	c.has_tinker_step = true;
	c.tinker_step_s = 990;
	run(DAEMON_NTPD, &c, false, "4.2.2p1", false, 50000, &r);
	ck_assert_int_eq(r.outcome, PREDICT_EXITS);
	/* tinker stepout wins over the version */
	memset(&c, 0, sizeof(c));
	c.has_tinker_stepout = true;
	c.tinker_stepout_s = 60;
	run(DAEMON_NTPD, &c, false, "4.2.2p1", false, 50000, &r);
	ck_assert_double_eq_tol(r.stepout_s, 60, 1e-9);
	ck_assert(r.stepout_known);
}
END_TEST

START_TEST(test_ntpd_keeps_up)
{
	struct predict_result r;

	run(DAEMON_NTPD, NULL, false, "4.2.2p1", false, 2, &r);
	ck_assert_int_eq(r.outcome, PREDICT_KEEPS_UP);
	ck_assert(r.step_s == 0);
	ck_assert_ptr_null(strstr(r.sentence, "margin"));
	run(DAEMON_NTPD, NULL, false, "4.2.2p1", false, -499, &r);
	ck_assert_int_eq(r.outcome, PREDICT_KEEPS_UP);
	ck_assert_ptr_nonnull(strstr(r.sentence, "little margin"));
	run(DAEMON_NTPD, NULL, false, "4.2.2p1", false, 501, &r);
	ck_assert_int_eq(r.outcome, PREDICT_STEPS);
}
END_TEST

START_TEST(test_chrony)
{
	struct predict_result r;
	struct daemon_conf c;

	/* 5%: chrony compensates it (driver 100000 ppm) but says the clock
	 * source is wrong */
	run(DAEMON_CHRONYD, NULL, false, NULL, false, 50000, &r);
	ck_assert_int_eq(r.outcome, PREDICT_KEEPS_UP);
	ck_assert_double_eq_tol(r.capacity_ppm, 100000, 1e-9);
	ck_assert_ptr_nonnull(strstr(r.sentence, "clock source"));
	run(DAEMON_CHRONYD, NULL, false, NULL, false, 2, &r);
	ck_assert_int_eq(r.outcome, PREDICT_KEEPS_UP);
	ck_assert_ptr_null(strstr(r.sentence, "clock source"));
	/* beyond the driver with makestep 1 -1: steps of ~1 s */
	memset(&c, 0, sizeof(c));
	c.has_makestep = true;
	c.makestep_threshold_s = 1.0;
	c.makestep_limit = -1;
	run(DAEMON_CHRONYD, &c, false, NULL, false, 120000, &r);
	ck_assert_int_eq(r.outcome, PREDICT_STEPS);
	ck_assert_double_eq_tol(r.step_s, -1.0, 1e-9);
	ck_assert_double_eq_tol(r.interval_s, 1.0 / 0.02, 1e-6);
	/* makestep 1 3: only at start -> runs away */
	c.makestep_limit = 3;
	run(DAEMON_CHRONYD, &c, false, NULL, false, 120000, &r);
	ck_assert_int_eq(r.outcome, PREDICT_RUNS_AWAY);
	ck_assert_double_eq_tol(r.gain_per_day_s, 0.02 * 86400, 1e-6);
}
END_TEST

START_TEST(test_others)
{
	struct predict_result r;

	run(-1, NULL, false, NULL, false, 50000, &r);
	ck_assert_int_eq(r.outcome, PREDICT_NO_DAEMON);
	ck_assert_double_eq_tol(r.gain_per_day_s, 4320, 1e-6);
	ck_assert_str_eq(r.sentence, "no time daemon corrects this clock: it runs ahead by 4320.0 s per day");
	run(-1, NULL, false, NULL, false, -0.24, &r);
	ck_assert_str_eq(r.sentence, "no time daemon corrects this clock: it runs behind by 0.02 s per day");
	run(DAEMON_NTPD, NULL, false, NULL, false, NAN, &r);
	ck_assert_int_eq(r.outcome, PREDICT_NO_DATA);
	run(DAEMON_TIMESYNCD, NULL, false, NULL, false, 50000, &r);
	ck_assert_int_eq(r.outcome, PREDICT_CANNOT_KEEP_UP);
	run(DAEMON_TIMESYNCD, NULL, false, NULL, false, 20, &r);
	ck_assert_int_eq(r.outcome, PREDICT_KEEPS_UP);
	run(DAEMON_PTP4L, NULL, false, NULL, false, 20, &r);
	ck_assert_int_eq(r.outcome, PREDICT_NO_DATA);
}
END_TEST

START_TEST(test_versions)
{
	static const struct { const char *a, *b; int want; } t[] = {
		{ "1.0.7", "2.0", -1 }, { "1.0.7", "1.0.15", -1 },
		{ "2.3.9", "2.3.16", -1 }, { "2.3.9", "2.3.9", 0 },
		{ "2.0", "2.0.0", 0 }, { "4.2.2p1", "4.2.2", 1 },
		{ "4.2.8p15", "4.2.8", 1 }, { "4.2.8p15", "4.2.8p2", 1 },
		{ "1.0.rc26", "1.0.0", -1 }, { "1.0.rc25", "1.0.rc26", -1 },
		{ "2.0.beta1", "2.0.0", -1 }, { "2.3.16 (7e2e900c1a)", "2.3.16", 0 },
		{ "", "1", -1 }, { NULL, NULL, 0 }, { "10.0", "9.9", 1 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int c = predict_version_cmp(t[i].a, t[i].b);
		int s = (c > 0) - (c < 0);

		ck_assert_msg(s == t[i].want, "%s vs %s: %d", t[i].a, t[i].b, c);
		c = predict_version_cmp(t[i].b, t[i].a);
		ck_assert_int_eq((c > 0) - (c < 0), -t[i].want);
	}
	ck_assert_double_eq(predict_ntpd_stepout("4.2.2p1", false), 900);
	ck_assert_double_eq(predict_ntpd_stepout("4.2.6p5", false), 900);
	ck_assert_double_eq(predict_ntpd_stepout("4.2.8", false), 300);
	ck_assert_double_eq(predict_ntpd_stepout("4.2.7p300", false), 0);
	ck_assert_double_eq(predict_ntpd_stepout(NULL, true), 300);
	ck_assert_double_eq(predict_ntpd_stepout("garbage", false), 0);
}
END_TEST

Suite *predict_suite(void)
{
	Suite *s = suite_create("predict");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_ntpd_422_sawtooth);
	tcase_add_test(tc, test_ntpd_versions_and_knobs);
	tcase_add_test(tc, test_ntpd_keeps_up);
	tcase_add_test(tc, test_chrony);
	tcase_add_test(tc, test_others);
	tcase_add_test(tc, test_versions);
	suite_add_tcase(s, tc);
	return s;
}
