/*
 * check_watch.c - hvclock watch's step detector on injected events (the
 * clock of this machine is never stepped), the fake clock backend driving
 * it, and the event source's polling and signal handling.
 */
#include <check.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "util.h"
#include "watch.h"

#define S INT64_C(1000000000)

/* An event whose clocks are given in seconds (NAN = absent). */
static struct watch_event ev_at(enum watch_event_kind k, double real, double boot,
				double mono)
{
	struct watch_event e;

	memset(&e, 0, sizeof(e));
	e.kind = k;
	e.snap.width_ns = 200;
	if (!isnan(real)) {
		e.snap.present |= 1u << CLOCK_ID_REALTIME;
		e.snap.v[CLOCK_ID_REALTIME] = (int64_t)(real * 1e9) + INT64_C(1767225600) * S;
	}
	if (!isnan(boot)) {
		e.snap.present |= 1u << CLOCK_ID_BOOTTIME;
		e.snap.v[CLOCK_ID_BOOTTIME] = (int64_t)(boot * 1e9);
	}
	if (!isnan(mono)) {
		e.snap.present |= 1u << CLOCK_ID_MONOTONIC;
		e.snap.v[CLOCK_ID_MONOTONIC] = (int64_t)(mono * 1e9);
	}
	return e;
}

START_TEST(test_injected_events)
{
	static const struct {
		enum watch_event_kind kind;
		double real, boot, mono;   /* clocks at the event, s */
		bool step;
		double size;
		const char *what;
	} seq[] = {
		{ WATCH_TICK, 100, 1000, 1000, false, 0, "first event: the reference" },
		{ WATCH_TICK, 110, 1010, 1010, false, 0, "ten seconds, nothing" },
		{ WATCH_CLOCK_SET, 107.5, 1010.5, 1010.5, true, -3.0, "set back 3 s" },
		{ WATCH_CLOCK_SET, 108.0004, 1011, 1011, false, 0, "set, by 0.1 ms: noise" },
		{ WATCH_CLOCK_SET, 109.0054, 1012, 1012, true, 0.005, "set forward 5 ms" },
		{ WATCH_TICK, 119.0354, 1022, 1022, false, 0, "30 ms on a tick: slew room" },
		{ WATCH_TICK, 129.1154, 1032, 1032, true, 0.08, "80 ms on a tick" },
		/* Suspend for an hour: REALTIME and BOOTTIME move, MONOTONIC not. */
		{ WATCH_CLOCK_SET, 3729.1154, 4632, 1033, false, 0, "resume from suspend" },
		/* BOOTTIME gone: a new reference on MONOTONIC, no step claimed. */
		{ WATCH_TICK, 3739.1154, NAN, 1043, false, 0, "new reference" },
		{ WATCH_CLOCK_SET, 3749.1154 - 7200, NAN, 1053, true, -7200, "2 h back on MONOTONIC" },
		{ WATCH_TICK, NAN, NAN, 1060, false, 0, "no REALTIME: ignored" },
		{ WATCH_TICK, 3750.1154 - 7200, NAN, 1054, false, 0, "reference unchanged" },
	};
	struct watch_detector d;
	struct watch_opts o;

	watch_opts_default(&o);
	watch_detector_init(&d);
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(seq); i++) {
		struct watch_event e = ev_at(seq[i].kind, seq[i].real, seq[i].boot, seq[i].mono);
		struct watch_step st;
		bool got;

		memset(&st, 0, sizeof(st));
		got = watch_detect(&d, &o, &e, &st);
		ck_assert_msg(got == seq[i].step, "event %zu (%s): step %d", i, seq[i].what, got);
		if (got) {
			ck_assert_msg(fabs(st.size_s - seq[i].size) < 1e-6,
				      "event %zu (%s): size %.9f", i, seq[i].what, st.size_s);
			ck_assert(st.kernel_said == (seq[i].kind == WATCH_CLOCK_SET));
			ck_assert_double_eq_tol(st.unc_s, 400e-9, 1e-12);
			ck_assert_int_eq(st.at_real, e.snap.v[CLOCK_ID_REALTIME]);
		}
	}
}
END_TEST

/* The fake clock backend with scheduled steps, read through clock_snap_read. */
START_TEST(test_fake_backend_steps)
{
	struct clock_fake f;
	struct watch_detector d;
	struct watch_opts o;
	struct watch_event e;
	struct watch_step st;
	int found = 0;
	double sizes[4];

	clock_fake_init(&f);
	f.read_cost_ns = 40;
	f.rate_ppm[CLOCK_ID_REALTIME] = 50000;   /* 5% fast: not a step */
	f.rate_ppm[CLOCK_ID_BOOTTIME] = 50000;
	f.rate_ppm[CLOCK_ID_MONOTONIC] = 50000;
	f.steps[0].at_ns = 30 * S;
	f.steps[0].delta_ns = -45 * S;
	f.steps[1].at_ns = 61 * S;
	f.steps[1].delta_ns = 250000000;
	f.nsteps = 2;
	clock_use_fake(&f);
	watch_opts_default(&o);
	watch_detector_init(&d);
	for (int i = 0; i < 100; i++) {
		e.kind = WATCH_CLOCK_SET;
		ck_assert_int_eq(clock_snap_read(&e.snap, 3), 0);
		if (watch_detect(&d, &o, &e, &st))
			sizes[found++ < 4 ? found - 1 : 3] = st.size_s;
		clock_fake_advance(&f, S);
	}
	clock_use_fake(NULL);
	ck_assert_int_eq(found, 2);
	ck_assert_double_eq_tol(sizes[0], -45.0, 1e-6);
	ck_assert_double_eq_tol(sizes[1], 0.25, 1e-6);
}
END_TEST

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

START_TEST(test_source_poll_and_signal)
{
	struct watch_source *src;
	struct watch_event e;
	char err[UTIL_ERRMAX], why[UTIL_ERRMAX];
	struct timespec a, b;
	struct sigaction sa;
	sigset_t block, orig, during;

	ck_assert_int_eq(watch_source_open(WATCH_POLL, 0.05, &src, why, err), 0);
	ck_assert_str_eq(watch_source_kind(src), "poll");
	sigemptyset(&during);
	clock_gettime(CLOCK_MONOTONIC, &a);
	ck_assert_int_eq(watch_source_wait(src, &during, &e, err), 1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ck_assert_int_eq(e.kind, WATCH_TICK);
	ck_assert(e.snap.present & (1u << CLOCK_ID_REALTIME));
	ck_assert((b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6 >= 45);

	/* A signal pending while blocked is taken in the wait, which returns 0. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &orig);
	during = orig;
	sigdelset(&during, SIGUSR1);
	raise(SIGUSR1);
	ck_assert_int_eq(got_usr1, 0);
	ck_assert_int_eq(watch_source_wait(src, &during, &e, err), 0);
	ck_assert_int_eq(got_usr1, 1);
	watch_source_close(src);

	/* This kernel has TFD_TIMER_CANCEL_ON_SET: AUTO takes the timerfd. */
	ck_assert_msg(!watch_source_open(WATCH_AUTO, 10, &src, why, err), "%s", err);
	ck_assert_str_eq(watch_source_kind(src), "timerfd");
	ck_assert_str_eq(why, "");
	got_usr1 = 0;
	raise(SIGUSR1);
	ck_assert_int_eq(watch_source_wait(src, &during, &e, err), 0);
	ck_assert_int_eq(got_usr1, 1);
	watch_source_close(src);
	ck_assert_int_eq(watch_source_open(WATCH_TIMERFD, 10, &src, why, err), 0);
	watch_source_close(src);
	sigprocmask(SIG_SETMASK, &orig, NULL);
	signal(SIGUSR1, SIG_DFL);
}
END_TEST

Suite *watch_suite(void)
{
	Suite *s = suite_create("watch");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_injected_events);
	tcase_add_test(tc, test_fake_backend_steps);
	tcase_add_test(tc, test_source_poll_and_signal);
	suite_add_tcase(s, tc);
	return s;
}
