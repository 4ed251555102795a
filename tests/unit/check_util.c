/*
 * check_util.c - util, strbuf and json.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "strbuf.h"
#include "util.h"

START_TEST(test_durations)
{
	static const struct { const char *in; double want; } ok[] = {
		{ "30s", 30 }, { "5m", 300 }, { "100ms", 0.1 }, { "1.5", 1.5 },
		{ "2h", 7200 }, { "1d", 86400 }, { "250us", 250e-6 },
		{ "10ns", 10e-9 }, { "1e3ms", 1 }, { "3min", 180 },
	};
	static const char *const bad[] = {
		"", " 5s", "5s ", "5 s", "s", "5x", "-5s", "+5s", "0x10", "inf",
		"nan", "5mn", "1e", ".", "5..s", "1e999",
	};
	char err[UTIL_ERRMAX];
	double v;

	for (size_t i = 0; i < UTIL_ARRAY_SIZE(ok); i++) {
		ck_assert_msg(!util_parse_duration(ok[i].in, 0, 1e9, &v, err),
			      "%s: %s", ok[i].in, err);
		ck_assert_double_eq_tol(v, ok[i].want, 1e-12);
	}
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(bad); i++) {
		err[0] = 0;
		ck_assert_msg(util_parse_duration(bad[i], 0, 1e9, &v, err) == -1,
			      "'%s' accepted", bad[i]);
		if (*bad[i] && strcmp(bad[i], "1e999"))
			ck_assert_msg(strstr(err, bad[i]) != NULL,
				      "error for '%s' does not name it: %s", bad[i], err);
	}
	ck_assert_int_eq(util_parse_duration("2h", 0, 3600, &v, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "out of range"));
}
END_TEST

START_TEST(test_rates_and_numbers)
{
	char err[UTIL_ERRMAX];
	double v;
	long l;

	ck_assert_int_eq(util_parse_ppm("1.5ppm", -1e6, 1e6, &v, err), 0);
	ck_assert_double_eq_tol(v, 1.5, 1e-12);
	ck_assert_int_eq(util_parse_ppm("500", -1e6, 1e6, &v, err), 0);
	ck_assert_double_eq_tol(v, 500, 1e-12);
	ck_assert_int_eq(util_parse_ppm("5%", -1e6, 1e6, &v, err), 0);
	ck_assert_double_eq_tol(v, 50000, 1e-9);
	ck_assert_int_eq(util_parse_ppm("200ppb", -1e6, 1e6, &v, err), 0);
	ck_assert_double_eq_tol(v, 0.2, 1e-12);
	ck_assert_int_eq(util_parse_ppm("-3ppm", -1e6, 1e6, &v, err), 0);
	ck_assert_double_eq_tol(v, -3, 1e-12);
	ck_assert_int_eq(util_parse_ppm("3ppx", -1e6, 1e6, &v, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "3ppx"));
	ck_assert_int_eq(util_parse_long("42", 0, 100, &l, err), 0);
	ck_assert_int_eq(l, 42);
	ck_assert_int_eq(util_parse_long("101", 0, 100, &l, err), -1);
	ck_assert_int_eq(util_parse_long("4 2", 0, 100, &l, err), -1);
	ck_assert_int_eq(util_parse_long("", 0, 100, &l, err), -1);
	ck_assert_int_eq(util_parse_long("99999999999999999999", 0, 100, &l, err), -1);
	ck_assert_int_eq(util_parse_offset("-2s", -10, 10, &v, err), 0);
	ck_assert_double_eq_tol(v, -2, 1e-12);
}
END_TEST

START_TEST(test_strbuf)
{
	struct strbuf sb = STRBUF_INIT;
	char *s;
	size_t n;

	ck_assert_str_eq(sb.buf, "");
	strbuf_rtrim(&sb);
	for (int i = 0; i < 1000; i++)
		strbuf_addf(&sb, "%d,", i);
	ck_assert_uint_eq(sb.len, strlen(sb.buf));
	ck_assert(util_startswith(sb.buf, "0,1,2,"));
	ck_assert(util_endswith(sb.buf, "998,999,"));
	strbuf_reset(&sb);
	strbuf_add(&sb, "a\0b", 3);
	ck_assert_uint_eq(sb.len, 3);
	strbuf_addstr(&sb, " \t\r\n");
	strbuf_rtrim(&sb);
	ck_assert_uint_eq(sb.len, 3);
	s = strbuf_detach(&sb, &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(s[2], 'b');
	free(s);
	ck_assert_uint_eq(sb.len, 0);
	strbuf_release(&sb);
}
END_TEST

START_TEST(test_json)
{
	struct strbuf sb = STRBUF_INIT;
	struct json j;

	json_init(&j, &sb, false);
	json_begin_object(&j, NULL);
	json_string(&j, "s", "a\"b\\c\n\x01\xff\xc3\xa9");
	json_double(&j, "d", 1.5, 6);
	json_double(&j, "nan", NAN, 6);
	json_tristate(&j, "t", -1);
	json_begin_array(&j, "a");
	json_int(&j, NULL, -3);
	json_bool(&j, NULL, true);
	json_end_array(&j);
	json_begin_object(&j, "empty");
	json_end_object(&j);
	json_end_object(&j);
	ck_assert_str_eq(sb.buf,
			 "{\"s\":\"a\\\"b\\\\c\\n\\u0001\\ufffd\xc3\xa9\",\"d\":1.5,"
			 "\"nan\":null,\"t\":null,\"a\":[-3,true],\"empty\":{}}");
	strbuf_release(&sb);
}
END_TEST

Suite *util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_durations);
	tcase_add_test(tc, test_rates_and_numbers);
	tcase_add_test(tc, test_strbuf);
	tcase_add_test(tc, test_json);
	suite_add_tcase(s, tc);
	return s;
}
