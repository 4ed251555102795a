/*
 * check_prom.c - Prometheus text format: escaping, values, finding
 * samples again.
 */
#include <check.h>
#include <math.h>
#include <string.h>

#include "prom.h"
#include "util.h"

START_TEST(test_names)
{
	ck_assert(prom_valid_name("hvclock_offset_seconds"));
	ck_assert(prom_valid_name("a:b_c9"));
	ck_assert(!prom_valid_name("9abc"));
	ck_assert(!prom_valid_name("a-b"));
	ck_assert(!prom_valid_name(""));
	ck_assert(!prom_valid_name(NULL));
}
END_TEST

START_TEST(test_format)
{
	struct strbuf sb = STRBUF_INIT;
	static const char *const back[] = { "direction", "backward", NULL };
	static const char *const odd[] = { "a", "x\"y\\z\nw", "b", "", NULL };

	prom_family(&sb, "hvclock_steps_total", "counter",
		    "Clock steps seen\\counted.\nSecond line");
	prom_sample(&sb, "hvclock_steps_total", back, 3);
	prom_sample(&sb, "hvclock_offset_seconds", NULL, -0.0123456789);
	prom_sample(&sb, "x", odd, 0.1);
	prom_sample(&sb, "nan", NULL, NAN);
	prom_sample(&sb, "inf", NULL, -INFINITY);
	ck_assert_str_eq(sb.buf,
		"# HELP hvclock_steps_total Clock steps seen\\\\counted.\\nSecond line\n"
		"# TYPE hvclock_steps_total counter\n"
		"hvclock_steps_total{direction=\"backward\"} 3\n"
		"hvclock_offset_seconds -0.0123456789\n"
		"x{a=\"x\\\"y\\\\z\\nw\",b=\"\"} 0.1\n"
		"nan NaN\n"
		"inf -Inf\n");
	strbuf_release(&sb);
}
END_TEST

/* node_exporter refuses a textfile whose label values are not UTF-8
 * (a clocksource name read from a damaged sysfs or a fixture): the bytes
 * that do not start valid UTF-8 become '?', valid sequences stay. */
START_TEST(test_invalid_utf8)
{
	struct strbuf sb = STRBUF_INIT;
	static const char *const cs[] = { "clocksource", "caf\xc3\xa9\xff\xed\xa0\x80\xc3", NULL };
	static const char *const want[] = { "clocksource", "caf\xc3\xa9?????", NULL };
	double v;

	prom_family(&sb, "hvclock_clocksource_info", "gauge", "bad \xfe help");
	prom_sample(&sb, "hvclock_clocksource_info", cs, 1);
	ck_assert_str_eq(sb.buf,
		"# HELP hvclock_clocksource_info bad ? help\n"
		"# TYPE hvclock_clocksource_info gauge\n"
		"hvclock_clocksource_info{clocksource=\"caf\xc3\xa9?????\"} 1\n");
	ck_assert(prom_find(sb.buf, "hvclock_clocksource_info", want, &v));
	ck_assert(v == 1);
	strbuf_release(&sb);
}
END_TEST

START_TEST(test_values_round_trip)
{
	static const double v[] = { 0, 1, -1, 0.1, 1e-9, 123456789.123456789,
				    1.0 / 3, -2.5e-300, 1e300 };
	struct strbuf sb = STRBUF_INIT;
	double got;

	for (size_t i = 0; i < UTIL_ARRAY_SIZE(v); i++) {
		strbuf_reset(&sb);
		prom_sample(&sb, "m", NULL, v[i]);
		ck_assert(prom_find(sb.buf, "m", NULL, &got));
		ck_assert_msg(got == v[i], "%s", sb.buf);
	}
	strbuf_release(&sb);
}
END_TEST

START_TEST(test_find)
{
	static const char text[] =
		"# HELP hvclock_steps_total x\n"
		"# TYPE hvclock_steps_total counter\n"
		"hvclock_steps_total{direction=\"backward\"} 7\n"
		"hvclock_steps_total{direction=\"forward\"} 2 1767225600000\n"
		"hvclock_steps_total_other 99\n"
		"hvclock_steps_total{direction=\"backward\",x=\"1\"} 55\n"
		"broken{direction=\"backward\" 1\n"
		"  hvclock_offset_seconds   -0.5\n"
		"hvclock_last{a=\"q\\\"uote\"} 4";
	static const char *const back[] = { "direction", "backward", NULL };
	static const char *const fwd[] = { "direction", "forward", NULL };
	static const char *const both[] = { "x", "1", "direction", "backward", NULL };
	static const char *const quote[] = { "a", "q\"uote", NULL };
	double v;

	ck_assert(prom_find(text, "hvclock_steps_total", back, &v));
	ck_assert_double_eq(v, 7);
	ck_assert(prom_find(text, "hvclock_steps_total", fwd, &v));
	ck_assert_double_eq(v, 2);
	ck_assert(prom_find(text, "hvclock_steps_total", both, &v));
	ck_assert_double_eq(v, 55);
	ck_assert(!prom_find(text, "hvclock_steps_total", NULL, &v));
	ck_assert(prom_find(text, "hvclock_offset_seconds", NULL, &v));
	ck_assert_double_eq(v, -0.5);
	ck_assert(prom_find(text, "hvclock_last", quote, &v));
	ck_assert_double_eq(v, 4);
	ck_assert(!prom_find(text, "broken", back, &v));
	ck_assert(!prom_find("", "x", NULL, &v));
}
END_TEST

Suite *prom_suite(void)
{
	Suite *s = suite_create("prom");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_invalid_utf8);
	tcase_add_test(tc, test_values_round_trip);
	tcase_add_test(tc, test_find);
	suite_add_tcase(s, tc);
	return s;
}
