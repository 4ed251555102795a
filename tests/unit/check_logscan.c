/*
 * check_logscan.c - log evidence from sysroot fixture trees
 * (tests/fixtures/rules/logscan-*), and single-line matching.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "logscan.h"
#include "strbuf.h"
#include "sysroot.h"
#include "testutil.h"
#include "util.h"

static struct logscan ls;

static void use_root(const char *rel)
{
	char err[UTIL_ERRMAX];

	ck_assert_msg(!sysroot_set(testutil_fixture(rel), err), "%s", err);
}

static void teardown(void)
{
	sysroot_set(NULL, NULL);
}

static bool noted(const char *what)
{
	for (int i = 0; i < ls.n_notes; i++)
		if (strstr(ls.notes[i], what))
			return true;
	return false;
}

START_TEST(test_match_lines)
{
	static const struct {
		const char *line;
		int kind;
		double value;
	} t[] = {
		{ "Nov 22 04:17:12 mail ntpd[2345]: time reset -45.130208 s",
		  LOGSCAN_NTPD_STEP, -45.130208 },
		{ "Jan  4 02:20:00 deb ntpd[777]: 0.0.0.0 061c 0c clock_step +0.512 s",
		  LOGSCAN_NTPD_STEP, 0.512 },
		{ "ntpd[2345]: frequency error 512 PPM exceeds tolerance 500 PPM",
		  LOGSCAN_NTPD_FREQ_LIMIT, 512 },
		{ "ntpd[1]: time correction of 1200 seconds exceeds sanity limit (1000); set clock manually to the correct UTC time.",
		  LOGSCAN_NTPD_PANIC, NAN },
		{ "chronyd[840]: System clock wrong by -32400.283303 seconds",
		  LOGSCAN_CHRONY_WRONG, -32400.283303 },
		{ "chronyd[840]: System clock was stepped by 4.005564 seconds",
		  LOGSCAN_CHRONY_STEPPED, 4.005564 },
		{ "chronyd[1]: Backward time jump detected!", LOGSCAN_CHRONY_JUMP, NAN },
		{ "dovecot: Time just moved backwards by 45 seconds. This might cause a lot of problems, so I'll just kill myself now.",
		  LOGSCAN_DOVECOT_FATAL, -45 },
		{ "dovecot: auth(default): Time just moved backwards by 3 seconds. I'll sleep now until we're back in present.",
		  LOGSCAN_DOVECOT_BACKWARDS, -3 },
		{ "dovecot: master: Time moved backwards by 12.500000 seconds, waiting for 12.500000 secs",
		  LOGSCAN_DOVECOT_BACKWARDS, -12.5 },
		{ "postfix/qmgr[2710]: warning: backward time jump detected -- slewing clock",
		  LOGSCAN_POSTFIX_JUMP, NAN },
		{ "kernel: Clocksource tsc unstable (delta = -136422212 ns)",
		  LOGSCAN_CLOCKSOURCE_UNSTABLE, NAN },
		{ "clocksource: timekeeping watchdog on CPU1: Marking clocksource 'tsc' as unstable because the skew is too large:",
		  LOGSCAN_CLOCKSOURCE_UNSTABLE, NAN },
		{ "tsc: Marking TSC unstable due to clocksource watchdog", LOGSCAN_TSC_UNSTABLE, NAN },
		{ "TSC found unstable after boot, most likely due to broken BIOS. Use 'tsc=unstable'.",
		  LOGSCAN_TSC_UNSTABLE, NAN },
		{ "clocksource: Switched to clocksource hpet", LOGSCAN_CLOCKSOURCE_SWITCH, NAN },
		/* near misses */
		{ "tsc: Marking TSC unstable due to running on Hyper-V", -1, NAN },
		{ "tsc: Marking TSC unstable due to boot parameter", -1, NAN },
		{ "cron[1]: time reset requested by admin", -1, NAN },
		{ "CockroachDB: backward time jump detected (50 ms)", -1, NAN },
		{ "chronyd[1]: Forward time jump detected!", -1, NAN },
		{ "Time moved forwards by 11 seconds - adjusting timeouts.", -1, NAN },
		{ "", -1, NAN },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		double v;
		int k = logscan_match(t[i].line, &v);

		ck_assert_msg(k == t[i].kind, "'%s': kind %d, wanted %d", t[i].line, k, t[i].kind);
		if (isnan(t[i].value))
			ck_assert_msg(isnan(v), "'%s': value %g", t[i].line, v);
		else
			ck_assert_double_eq_tol(v, t[i].value, 1e-9);
	}
}
END_TEST

START_TEST(test_debian_tree)
{
	const struct logscan_entry *e;
	char line[600];

	use_root("rules/logscan-debian");
	logscan_scan(NULL, NULL, &ls);
	/* syslog.1, syslog, kern.log, mail.log, dmesg; the .gz skipped and
	 * syslog-ng.conf is not a rotation */
	ck_assert_int_eq(ls.n_files, 5);
	ck_assert_str_eq(ls.files[0], "/var/log/syslog.1");  /* oldest first */
	ck_assert_str_eq(ls.files[4], "/var/log/dmesg");
	ck_assert(noted("compressed rotations skipped"));
	/* kern.log, mail.log and dmesg repeat syslog: counted once */
	ck_assert_int_eq(ls.kinds[LOGSCAN_TSC_UNSTABLE].count, 1);   /* Hyper-V one excluded */
	ck_assert_int_eq(ls.kinds[LOGSCAN_DOVECOT_BACKWARDS].count, 1);
	ck_assert_int_eq(ls.kinds[LOGSCAN_POSTFIX_JUMP].count, 1);
	/* hpet at 61 s (syslog.1), hpet at 36000 s (syslog = kern.log =
	 * dmesg), tsc at 36100 s (dmesg only) */
	ck_assert_int_eq(ls.kinds[LOGSCAN_CLOCKSOURCE_SWITCH].count, 3);
	e = &ls.kinds[LOGSCAN_DOVECOT_BACKWARDS];
	ck_assert_int_eq(e->n_back, 1);
	ck_assert_double_eq_tol(e->max_back_s, 12.5, 1e-9);
	e = &ls.kinds[LOGSCAN_CHRONY_STEPPED];
	ck_assert_int_eq(e->count, 1);
	ck_assert_double_eq_tol(e->max_back_s, 1.70773, 1e-9);
	ck_assert_str_eq(e->first_date, "Jan  3 14:30:00");
	ck_assert_int_eq(ls.kinds[LOGSCAN_CHRONY_JUMP].count, 1);
	e = &ls.kinds[LOGSCAN_NTPD_STEP];
	ck_assert_int_eq(e->count, 1);
	ck_assert_str_eq(e->first_date, "2024-01-04T02:20:00.123456+00:00");
	ck_assert_int_eq(ls.kinds[LOGSCAN_NTPD_PANIC].count, 1);
	ck_assert_int_eq(ls.kinds[LOGSCAN_NTPD_FREQ_LIMIT].count, 0);
	/* drift files: chrony's default path, no ntpd one */
	ck_assert(ls.chrony_drift_known);
	ck_assert_double_eq_tol(ls.chrony_drift_ppm, -52341.10234, 1e-6);
	ck_assert(!ls.ntp_drift_known);
	ck_assert(!ls.ntp_drift_at_limit);
	ck_assert(logscan_any(&ls));
	logscan_describe(&ls, LOGSCAN_CHRONY_STEPPED, line, sizeof(line));
	ck_assert_msg(strstr(line, "chronyd stepped the clock: 1 time (Jan  3 14:30:00), "
			     "1 backward, largest 1.71 s"), "%s", line);
	logscan_describe(&ls, LOGSCAN_NTPD_FREQ_LIMIT, line, sizeof(line));
	ck_assert_str_eq(line, "");
}
END_TEST

START_TEST(test_rhel_tree)
{
	const struct logscan_entry *e;
	char line[600];

	use_root("rules/logscan-rhel");
	logscan_scan("/srv/ntp/ntp.drift", NULL, &ls);
	/* dateext rotations oldest first, then messages, maillog, dmesg */
	ck_assert_int_eq(ls.n_files, 5);
	ck_assert_str_eq(ls.files[0], "/var/log/messages-20231224");
	ck_assert_str_eq(ls.files[1], "/var/log/messages-20231231");
	e = &ls.kinds[LOGSCAN_NTPD_STEP];
	ck_assert_int_eq(e->count, 3);
	ck_assert_int_eq(e->n_back, 2);
	ck_assert_int_eq(e->n_fwd, 1);
	ck_assert_double_eq_tol(e->max_back_s, 45.1, 1e-9);
	ck_assert_double_eq_tol(e->max_fwd_s, 0.612345, 1e-9);
	ck_assert_str_eq(e->first_date, "Dec 20 10:00:00");
	ck_assert_str_eq(e->last_date, "Jan  2 10:00:00");
	ck_assert_ptr_nonnull(strstr(e->last_line, "time reset -44.900000 s"));
	ck_assert_int_eq(ls.kinds[LOGSCAN_NTPD_FREQ_LIMIT].count, 1);
	/* the same kernel line in messages and dmesg counts once */
	ck_assert_int_eq(ls.kinds[LOGSCAN_CLOCKSOURCE_UNSTABLE].count, 1);
	ck_assert_int_eq(ls.kinds[LOGSCAN_DOVECOT_FATAL].count, 1);
	ck_assert_int_eq(ls.kinds[LOGSCAN_DOVECOT_BACKWARDS].count, 1);
	/* the configured drift file, at ntpd's limit */
	ck_assert(ls.ntp_drift_known);
	ck_assert(ls.ntp_drift_at_limit);
	ck_assert_str_eq(ls.ntp_drift_path, "/srv/ntp/ntp.drift");
	ck_assert_double_eq_tol(ls.ntp_drift_ppm, -500, 1e-9);
	logscan_describe(&ls, LOGSCAN_NTPD_STEP, line, sizeof(line));
	ck_assert_msg(strstr(line, "3 times (Dec 20 10:00:00 .. Jan  2 10:00:00), 2 backward, "
			     "largest 45.1 s, 1 forward"), "%s", line);
	/* a configured path is the only one tried */
	logscan_scan("/var/lib/ntp/nothing", NULL, &ls);
	ck_assert(!ls.ntp_drift_known);
}
END_TEST

START_TEST(test_no_logs_and_json)
{
	struct strbuf sb = STRBUF_INIT;
	struct json j;

	use_root("rules/rhel9-kvm-acpipm");
	logscan_scan(NULL, NULL, &ls);
	ck_assert_int_eq(ls.n_files, 1);
	ck_assert_int_eq(ls.kinds[LOGSCAN_CLOCKSOURCE_SWITCH].count, 1);
	ck_assert(logscan_any(&ls));
	json_init(&j, &sb, false);
	logscan_to_json(&ls, &j, NULL);
	ck_assert_ptr_nonnull(strstr(sb.buf, "\"clocksource-switch\":{\"count\":1"));
	strbuf_release(&sb);
	/* a tree without /var/log at all: a note, nothing found */
	{
		char *dir = testutil_mkdtemp(), err[UTIL_ERRMAX];

		ck_assert(!sysroot_set(dir, err));
		logscan_scan(NULL, NULL, &ls);
		ck_assert_int_eq(ls.n_files, 0);
		ck_assert(!logscan_any(&ls));
		ck_assert(!ls.ntp_drift_known && !ls.chrony_drift_known);
		ck_assert(noted("/var/log"));
		sysroot_set(NULL, NULL);
		testutil_rmtree(dir);
		free(dir);
	}
}
END_TEST

START_TEST(test_long_and_big_files)
{
	char *dir = testutil_mkdtemp(), path[512];
	struct strbuf sb = STRBUF_INIT;
	char err[UTIL_ERRMAX];

	/* A 5000-byte line (cut, not split in two) and a matching line after */
	strbuf_addstr(&sb, "Jan  1 00:00:00 h x: ");
	for (int i = 0; i < 5000; i++)
		strbuf_addch(&sb, 'a');
	strbuf_addstr(&sb, " ntpd time reset -1.0 s\n");
	strbuf_addstr(&sb, "Jan  1 00:00:01 h ntpd[1]: time reset -2.5 s\n");
	snprintf(path, sizeof(path), "%s/var/log/messages", dir);
	testutil_write(path, sb.buf, sb.len);
	ck_assert(!sysroot_set(dir, err));
	logscan_scan(NULL, NULL, &ls);
	ck_assert_int_eq(ls.kinds[LOGSCAN_NTPD_STEP].count, 1);
	ck_assert_double_eq_tol(ls.kinds[LOGSCAN_NTPD_STEP].max_back_s, 2.5, 1e-9);
	strbuf_release(&sb);
	sysroot_set(NULL, NULL);
	testutil_rmtree(dir);
	free(dir);
}
END_TEST

Suite *logscan_suite(void)
{
	Suite *s = suite_create("logscan");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_match_lines);
	tcase_add_test(tc, test_debian_tree);
	tcase_add_test(tc, test_rhel_tree);
	tcase_add_test(tc, test_no_logs_and_json);
	tcase_add_test(tc, test_long_and_big_files);
	suite_add_tcase(s, tc);
	return s;
}
