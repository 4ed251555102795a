/*
 * check_impact.c - software tolerances, each at and around its threshold.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "impact.h"

static const struct impact_hit *find(const struct impact_result *r, const char *id)
{
	for (int i = 0; i < r->n; i++)
		if (!strcmp(r->hits[i].id, id))
			return &r->hits[i];
	return NULL;
}

static void assess(double back, double fwd, double off, double interval,
		   const char *dovecot, struct impact_result *r)
{
	struct env_pkg p = { "dovecot", "", "test" };
	struct impact_input in = { back, fwd, off, interval, dovecot ? &p : NULL,
				   dovecot ? 1 : 0 };

	if (dovecot)
		snprintf(p.version, sizeof(p.version), "%s", dovecot);
	impact_assess(&in, r);
}

START_TEST(test_dovecot_by_version)
{
	static const struct {
		const char *ver;
		double back;
		enum impact_level want;
		const char *says;
	} t[] = {
		/* 1.x: > 5 s kills everything, <= 5 s sleeps, < 1 s unseen */
		{ "1.0.7", 45, IMPACT_FAILS, "master included" },
		{ "1.0.7", 5.5, IMPACT_FAILS, "kill myself" },
		{ "1.0.7", 5.0, IMPACT_DEGRADED, "sleeps 6 s" },
		{ "1.0.7", 1.0, IMPACT_DEGRADED, "sleeps 2 s" },
		{ "1.0.7", 0.9, IMPACT_NONE, "not seen" },
		{ "1.2.17", 6, IMPACT_FAILS, "before 2.0" },
		/* 2.0 - 2.3.8: mail processes exit, master throttles <= 180 s */
		{ "2.0.0", 45, IMPACT_DEGRADED, "for 46 s" },
		{ "2.2.36", 600, IMPACT_DEGRADED, "for 180 s" },
		{ "2.3.8", 3, IMPACT_DEGRADED, "sleep 4 s" },
		{ "2.3.8", 0.5, IMPACT_NONE, "whole seconds" },
		/* 2.3.9+: any step */
		{ "2.3.9", 0.5, IMPACT_NOTE, "0.500000 seconds" },
		{ "2.3.16", 3, IMPACT_DEGRADED, "sleep 3.0 s" },
		{ "2.4.1", 45, IMPACT_DEGRADED, "exit" },
		/* unknown version: the versions at risk */
		{ NULL, 45, IMPACT_FAILS, "before 2.0" },
		{ NULL, 3, IMPACT_DEGRADED, "every version" },
		{ NULL, 0.2, IMPACT_NOTE, "2.3.9 and later" },
		{ "1.0.7", 0, IMPACT_NONE, "no backward step" },
	};
	char text[400];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		enum impact_level l = impact_dovecot(t[i].ver, t[i].back, text, sizeof(text));

		ck_assert_msg(l == t[i].want, "%s %.1f: %s, wanted %s", t[i].ver,
			      t[i].back, impact_level_name(l), impact_level_name(t[i].want));
		ck_assert_msg(strstr(text, t[i].says), "%s %.1f: '%s' lacks '%s'",
			      t[i].ver, t[i].back, text, t[i].says);
	}
}
END_TEST

START_TEST(test_motivating_case)
{
	struct impact_result r;
	const struct impact_hit *h;

	/* 45 s back every 15 min, clock 45 s ahead at worst, Dovecot 1.0.7 */
	assess(44.7, 0, 44.7, 902, "1.0.7", &r);
	ck_assert_int_eq(r.worst_installed, IMPACT_FAILS);
	ck_assert_str_eq(r.hits[0].id, "dovecot");   /* installed first */
	ck_assert(r.hits[0].installed);
	ck_assert_ptr_nonnull(strstr(r.hits[0].text, "Dovecot 1.0.7"));
	/* 45 s of skew: TOTP yes, Kerberos no */
	ck_assert_ptr_nonnull(find(&r, "totp"));
	ck_assert_ptr_null(find(&r, "kerberos"));
	/* journald rotates ~96 times a day */
	h = find(&r, "journald");
	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(h->level, IMPACT_DEGRADED);
	ck_assert_ptr_nonnull(strstr(h->text, "about 96 a day"));
	ck_assert_ptr_nonnull(find(&r, "postfix"));
	ck_assert_ptr_null(find(&r, "cron"));   /* under a minute: harmless */
	for (int i = 1; i < r.n; i++)
		ck_assert(!r.hits[i].installed);
}
END_TEST

START_TEST(test_thresholds)
{
	struct impact_result r;

	/* Kerberos at 300 s skew */
	assess(0, 0, 300, 0, NULL, &r);
	ck_assert_ptr_null(find(&r, "kerberos"));
	assess(0, 0, 301, 0, NULL, &r);
	ck_assert_ptr_nonnull(find(&r, "kerberos"));
	ck_assert_ptr_null(find(&r, "dovecot"));   /* no step, no Dovecot */
	/* cron's 3 h */
	assess(3 * 3600 + 1, 0, 0, 0, NULL, &r);
	ck_assert_int_eq(find(&r, "cron")->level, IMPACT_DEGRADED);
	assess(3 * 3600, 0, 0, 0, NULL, &r);
	ck_assert_int_eq(find(&r, "cron")->level, IMPACT_NOTE);
	assess(10, 0, 0, 0, NULL, &r);
	ck_assert_ptr_null(find(&r, "cron"));
	/* CockroachDB 500 ms offset, 50 ms backward jump */
	assess(0, 0, 0.4, 0, NULL, &r);
	ck_assert_ptr_null(find(&r, "cockroachdb"));
	assess(0, 0, 0.6, 0, NULL, &r);
	ck_assert_int_eq(find(&r, "cockroachdb")->level, IMPACT_FAILS);
	assess(0.06, 0, 0.06, 0, NULL, &r);
	ck_assert_int_eq(find(&r, "cockroachdb")->level, IMPACT_NOTE);
	/* Dovecot 2.x forward jump warning over 10 s */
	assess(0, 11, 0, 0, "2.2.36", &r);
	ck_assert_ptr_nonnull(find(&r, "dovecot"));
	assess(0, 9, 0, 0, "2.2.36", &r);
	ck_assert_ptr_null(find(&r, "dovecot"));
	/* nothing happens: nothing is hurt */
	assess(0, 0, 0.001, 0, "1.0.7", &r);
	ck_assert_int_eq(r.n, 0);
	ck_assert_int_eq(r.worst, IMPACT_NONE);
}
END_TEST

Suite *impact_suite(void)
{
	Suite *s = suite_create("impact");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_dovecot_by_version);
	tcase_add_test(tc, test_motivating_case);
	tcase_add_test(tc, test_thresholds);
	suite_add_tcase(s, tc);
	return s;
}
