/*
 * check_record.c - the sample-log record format: round trip, damaged
 * lines, headers and versions, event detection between records.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "sysroot.h"
#include "testutil.h"
#include "util.h"

static void full_record(struct record *r)
{
	memset(r, 0, sizeof(*r));
	r->kind = RECORD_SAMPLE;
	r->have = RECORD_HAVE_BOOT | RECORD_HAVE_MONO | RECORD_HAVE_RAW |
		  RECORD_HAVE_NTP | RECORD_HAVE_KSTATE;
	r->real_ns = INT64_C(1767225600123456000);
	r->boot_ns = INT64_C(86400250000000);
	r->mono_ns = INT64_C(86400000000000);
	r->raw_ns = INT64_C(86399999000000);
	r->unc_s = 312e-9;
	r->offset_s = -0.012345678;
	r->delay_s = 0.000123456;
	r->stratum = 2;
	snprintf(r->server, sizeof(r->server), "127.0.0.1");
	snprintf(r->clocksource, sizeof(r->clocksource), "hyperv_clocksource_tsc_page");
	r->freq_ppm = -12.5;
	r->sync = 1;
	r->maxerror_s = 0.0125;
	snprintf(r->boot_id, sizeof(r->boot_id), "8f3e5f0a-1b2c-4d5e-8f9a-0b1c2d3e4f5a");
	snprintf(r->host, sizeof(r->host), "web01");
}

static void assert_same(const struct record *a, const struct record *b)
{
	ck_assert_int_eq(a->kind, b->kind);
	ck_assert_uint_eq(a->events, b->events);
	ck_assert_uint_eq(a->have, b->have);
	/* Clocks are written to the microsecond. */
	ck_assert_int_eq(a->real_ns / 1000, b->real_ns / 1000);
	if (a->have & RECORD_HAVE_BOOT)
		ck_assert_int_eq(a->boot_ns / 1000, b->boot_ns / 1000);
	if (a->have & RECORD_HAVE_MONO)
		ck_assert_int_eq(a->mono_ns / 1000, b->mono_ns / 1000);
	if (a->have & RECORD_HAVE_RAW)
		ck_assert_int_eq(a->raw_ns / 1000, b->raw_ns / 1000);
	ck_assert_double_eq_tol(a->unc_s, b->unc_s, 1e-9);
	if (a->have & RECORD_HAVE_STEP)
		ck_assert_double_eq_tol(a->step_s, b->step_s, 1e-6);
	if (a->have & RECORD_HAVE_NTP) {
		ck_assert_double_eq_tol(a->offset_s, b->offset_s, 1e-9);
		ck_assert_double_eq_tol(a->delay_s, b->delay_s, 1e-9);
		ck_assert_int_eq(a->stratum, b->stratum);
		ck_assert_str_eq(a->server, b->server);
	}
	ck_assert_str_eq(a->clocksource, b->clocksource);
	if (a->have & RECORD_HAVE_KSTATE) {
		ck_assert_double_eq_tol(a->freq_ppm, b->freq_ppm, 1e-3);
		ck_assert_int_eq(a->sync, b->sync);
		ck_assert_double_eq_tol(a->maxerror_s, b->maxerror_s, 1e-6);
	}
	ck_assert_str_eq(a->boot_id, b->boot_id);
	ck_assert_str_eq(a->host, b->host);
}

static void round_trip(const struct record *in)
{
	struct strbuf sb = STRBUF_INIT;
	struct record out;
	char err[UTIL_ERRMAX] = "";

	record_format(in, &sb);
	ck_assert_msg(sb.len > 0 && sb.buf[sb.len - 1] == '\n', "no newline");
	ck_assert_ptr_null(memchr(sb.buf, '\n', sb.len - 1));
	ck_assert_msg(!record_parse(sb.buf, sb.len - 1, &out, err),
		      "%s: %s", sb.buf, err);
	assert_same(in, &out);
	strbuf_release(&sb);
}

START_TEST(test_round_trip_full)
{
	struct record r;

	full_record(&r);
	round_trip(&r);
}
END_TEST

START_TEST(test_round_trip_sparse)
{
	struct record r;

	/* The local part only: NTP unreachable, no kernel state, no BOOTTIME. */
	full_record(&r);
	r.have = RECORD_HAVE_MONO;
	r.server[0] = 0;
	r.clocksource[0] = 0;
	r.boot_id[0] = 0;
	r.host[0] = 0;
	round_trip(&r);

	/* A watch step record, negative step, several events. */
	full_record(&r);
	r.kind = RECORD_STEP;
	r.have |= RECORD_HAVE_STEP;
	r.have &= ~RECORD_HAVE_NTP;
	r.step_s = -5.250001;
	r.events = RECORD_EV_STEP | RECORD_EV_CLOCKSOURCE;
	round_trip(&r);

	/* Before 1970 and negative offsets around zero. */
	full_record(&r);
	r.real_ns = -INT64_C(1250000000);
	r.offset_s = -0.000000001;
	round_trip(&r);
}
END_TEST

START_TEST(test_round_trip_random)
{
	unsigned seed = (unsigned)_i * 7919u + 17u;

	for (int k = 0; k < 500; k++) {
		struct record r;

		full_record(&r);
		r.have = (unsigned)rand_r(&seed) & 0x3f;
		r.kind = rand_r(&seed) & 1 ? RECORD_STEP : RECORD_SAMPLE;
		r.events = (unsigned)rand_r(&seed) & 7;
		r.real_ns = ((int64_t)rand_r(&seed) << 31) ^ rand_r(&seed);
		r.boot_ns = (int64_t)rand_r(&seed) * 1000003;
		r.offset_s = ((double)rand_r(&seed) / RAND_MAX - 0.5) * 1000;
		r.offset_s = round(r.offset_s * 1e9) / 1e9;
		r.step_s = round(((double)rand_r(&seed) / RAND_MAX - 0.5) * 1e6) / 1e6;
		r.freq_ppm = round(((double)rand_r(&seed) / RAND_MAX - 0.5) * 1e3) / 1e3;
		r.sync = rand_r(&seed) & 1;
		if (rand_r(&seed) & 1)
			snprintf(r.host, sizeof(r.host), "h%d", rand_r(&seed));
		round_trip(&r);
	}
	ck_assert_msg(1, "seed %u", seed);
}
END_TEST

START_TEST(test_blanks_in_strings)
{
	struct strbuf sb = STRBUF_INIT;
	struct record r, out;
	char err[UTIL_ERRMAX];

	full_record(&r);
	snprintf(r.host, sizeof(r.host), "my host\tname");
	snprintf(r.clocksource, sizeof(r.clocksource), "-");
	record_format(&r, &sb);
	ck_assert_int_eq(record_parse(sb.buf, sb.len - 1, &out, err), 0);
	ck_assert_str_eq(out.host, "my_host_name");
	/* A string that is just "-" reads back as no value. */
	ck_assert_str_eq(out.clocksource, "");
	strbuf_release(&sb);
}
END_TEST

static const char good_line[] =
	"2026-01-01T00:00:00Z 1767225600.123456 86400.250000 86400.000000 "
	"86399.999000 0.000000312 sample - - -0.012345678 0.000123456 2 "
	"127.0.0.1 tsc -12.500 1 0.012500 8f3e5f0a-1b2c-4d5e-8f9a-0b1c2d3e4f5a web01";

START_TEST(test_parse_fields)
{
	struct record r;
	char err[UTIL_ERRMAX];

	ck_assert_msg(!record_parse(good_line, strlen(good_line), &r, err), "%s", err);
	ck_assert_int_eq(r.real_ns, INT64_C(1767225600123456000));
	ck_assert_int_eq(r.boot_ns, INT64_C(86400250000000));
	ck_assert_double_eq_tol(r.offset_s, -0.012345678, 1e-15);
	ck_assert_double_eq_tol(r.freq_ppm, -12.5, 1e-12);
	ck_assert_str_eq(r.clocksource, "tsc");
	/* Spreadsheets may add a CR, tabs, several blanks: still read. */
	{
		char buf[512];

		snprintf(buf, sizeof(buf), "%s\r", good_line);
		ck_assert_int_eq(record_parse(buf, strlen(buf), &r, err), 0);
		snprintf(buf, sizeof(buf), "%s", good_line);
		for (char *p = buf; *p; p++)
			if (*p == ' ')
				*p = '\t';
		ck_assert_int_eq(record_parse(buf, strlen(buf), &r, err), 0);
	}
	/* Exponent forms from other tools are accepted. */
	{
		char buf[512];
		char *p;

		snprintf(buf, sizeof(buf), "%s", good_line);
		p = strstr(buf, "-0.012345678");
		memcpy(p, "-1.23456e-02", 12);
		ck_assert_msg(!record_parse(buf, strlen(buf), &r, err), "%s", err);
		ck_assert_double_eq_tol(r.offset_s, -0.0123456, 1e-15);
	}
}
END_TEST

/* Replaces the n-th field (from 0) of good_line with val. */
static void with_field(char *buf, size_t size, int n, const char *val)
{
	const char *p = good_line;
	size_t k = 0;

	buf[0] = 0;
	for (int i = 0; *p; i++) {
		size_t len = strcspn(p, " ");

		k += (size_t)snprintf(buf + k, size - k, "%s%.*s", i ? " " : "",
				      i == n ? (int)strlen(val) : (int)len,
				      i == n ? val : p);
		p += len;
		if (*p)
			p++;
	}
}

START_TEST(test_damaged_lines)
{
	static const struct {
		int field;
		const char *val;
		const char *why;
	} bad[] = {
		{ 0, "yesterday", "bad time" },
		{ 0, "2026-01-01 00:00:00", "expected 19" },
		{ 1, "17672x5600.1", "bad unix_s" },
		{ 1, "99999999999999999999", "bad unix_s" },
		{ 2, "-1.0", "bad boot_s" },
		{ 2, "nan", "bad boot_s" },
		{ 6, "sampel", "bad kind" },
		{ 9, "nan", "bad offset_s" },
		{ 9, "inf", "bad offset_s" },
		{ 9, "0x10", "bad offset_s" },
		{ 9, "1e999", "bad offset_s" },
		{ 9, "-", "both be given" },
		{ 10, "1e7", "bad delay_s" },
		{ 11, "17", "bad stratum" },
		{ 15, "2", "bad sync" },
		{ 15, "-", "all be given" },
		{ 18, "a-host-name-that-is-far-too-long-to-be-a-real-short-host-name-xx", "bad host" },
		{ 18, "ho\x01st", "bad host" },
		{ 17, "da3e\x7f", "bad boot_id" },
	};
	char buf[512], err[UTIL_ERRMAX];
	struct record r;

	for (size_t i = 0; i < UTIL_ARRAY_SIZE(bad); i++) {
		with_field(buf, sizeof(buf), bad[i].field, bad[i].val);
		err[0] = 0;
		ck_assert_msg(record_parse(buf, strlen(buf), &r, err) == -1,
			      "accepted: %s", buf);
		ck_assert_msg(strstr(err, bad[i].why) != NULL, "%s: %s", bad[i].val, err);
	}
	/* Torn at every length: never accepted as a complete record that
	 * differs from the original, never a crash. */
	for (size_t n = 0; n < strlen(good_line); n++) {
		if (!record_parse(good_line, n, &r, err))
			ck_assert_msg(n > strlen(good_line) - 6,
				      "torn line of %zu bytes parsed", n);
	}
	/* Garbage bytes. */
	{
		unsigned seed = 1;

		for (int k = 0; k < 2000; k++) {
			size_t n = (size_t)rand_r(&seed) % sizeof(buf);

			for (size_t j = 0; j < n; j++)
				buf[j] = (char)rand_r(&seed);
			(void)record_parse(buf, n, &r, err);
		}
	}
}
END_TEST

/* Found by fuzz_record: a server (or stratum) without an NTP result was
 * accepted, and format() then dropped it (it writes them only with one),
 * so the record did not read back the same. */
START_TEST(test_ntp_group)
{
	static const char *const bad[] = {
		"2026-01-01T00:00:00Z 1 - - - - step step -1 - - - &- - - - - - -",
		"2026-01-01T00:00:00Z 1 - - - - sample - - - - 3 - - - - - - -",
	};
	const char *ok = "1970-01-01T00:00:01Z 1.000000 - - - 0.000000000 sample - - "
			 "0.500000000 0.001000000 3 - - - - - - -\n";
	struct strbuf sb = STRBUF_INIT;
	char err[UTIL_ERRMAX];
	struct record r;

	for (size_t i = 0; i < UTIL_ARRAY_SIZE(bad); i++) {
		ck_assert_msg(record_parse(bad[i], strlen(bad[i]), &r, err) == -1,
			      "accepted: %s", bad[i]);
		ck_assert_str_eq(err, "stratum and server need offset_s and delay_s");
	}
	/* An NTP result without a server name reads and writes back as is. */
	ck_assert_int_eq(record_parse(ok, strlen(ok) - 1, &r, err), 0);
	record_format(&r, &sb);
	ck_assert_str_eq(sb.buf, ok);
	strbuf_release(&sb);
}
END_TEST

START_TEST(test_reader_headers_versions)
{
	struct record_reader rd;
	struct record r;
	char err[UTIL_ERRMAX];
	char v2[] = "#hvclock-log/2 time unix_s something_new";

	record_reader_init(&rd);
	ck_assert_int_eq(record_reader_line(&rd, record_header, strlen(record_header),
					    true, &r, err), RECORD_LINE_SKIP);
	ck_assert_int_eq(record_reader_line(&rd, good_line, strlen(good_line),
					    true, &r, err), RECORD_LINE_RECORD);
	ck_assert_int_eq(record_reader_line(&rd, "# a comment", 11, true, &r, err),
			 RECORD_LINE_SKIP);
	ck_assert_int_eq(record_reader_line(&rd, "", 0, true, &r, err), RECORD_LINE_SKIP);
	ck_assert_int_eq(record_reader_line(&rd, "garbage", 7, true, &r, err),
			 RECORD_LINE_BAD);
	ck_assert_int_eq(rd.lineno, 5);
	/* A torn last line is damaged even when it happens to parse. */
	ck_assert_int_eq(record_reader_line(&rd, good_line, strlen(good_line),
					    false, &r, err), RECORD_LINE_BAD);
	ck_assert_ptr_nonnull(strstr(err, "torn"));
	/* A newer format: its records are skipped, naming the version. */
	ck_assert_int_eq(record_reader_line(&rd, v2, strlen(v2), true, &r, err),
			 RECORD_LINE_SKIP);
	ck_assert_int_eq(record_reader_line(&rd, good_line, strlen(good_line),
					    true, &r, err), RECORD_LINE_BAD);
	ck_assert_msg(strstr(err, "version 2 is newer") != NULL, "%s", err);
	/* Back to version 1. */
	ck_assert_int_eq(record_reader_line(&rd, record_header, strlen(record_header),
					    true, &r, err), RECORD_LINE_SKIP);
	ck_assert_int_eq(record_reader_line(&rd, good_line, strlen(good_line),
					    true, &r, err), RECORD_LINE_RECORD);
	ck_assert_int_eq(record_reader_line(&rd, "#hvclock-log/x", 14, true, &r, err),
			 RECORD_LINE_BAD);
}
END_TEST

START_TEST(test_compare)
{
	struct record a, b;
	struct record_cmp_opts o;
	double step = 0;

	record_cmp_opts_default(&o);
	full_record(&a);
	a.unc_s = 1e-6;
	b = a;
	/* A minute later, nothing happened. */
	b.real_ns += INT64_C(60000000000);
	b.boot_ns += INT64_C(60000000000);
	ck_assert_uint_eq(record_compare(&a, &b, &o, &step), 0);
	/* The clock was stepped back 2 s. */
	b.real_ns -= INT64_C(2000000000);
	ck_assert_uint_eq(record_compare(&a, &b, &o, &step), RECORD_EV_STEP);
	ck_assert_double_eq_tol(step, -2.0, 1e-9);
	/* A 30 ms change in a minute is within the allowance. */
	b.real_ns += INT64_C(1970000000);
	ck_assert_uint_eq(record_compare(&a, &b, &o, &step), 0);
	/* Forward 0.1 s, and a clocksource change. */
	b.real_ns += INT64_C(130000000);
	snprintf(b.clocksource, sizeof(b.clocksource), "acpi_pm");
	ck_assert_uint_eq(record_compare(&a, &b, &o, &step),
			  RECORD_EV_STEP | RECORD_EV_CLOCKSOURCE);
	ck_assert_double_eq_tol(step, 0.1, 1e-9);
	/* A new boot id is a reboot, whatever the clocks say. */
	snprintf(b.boot_id, sizeof(b.boot_id), "another");
	ck_assert_uint_eq(record_compare(&a, &b, &o, &step), RECORD_EV_REBOOT);
	/* Without boot ids, BOOTTIME going back is a reboot. */
	a.boot_id[0] = b.boot_id[0] = 0;
	b = a;
	b.boot_ns = 5000000000;
	b.real_ns += INT64_C(600000000000);
	ck_assert_uint_eq(record_compare(&a, &b, &o, &step), RECORD_EV_REBOOT);
	/* Without BOOTTIME (2.6.18), MONOTONIC is used. */
	b = a;
	a.have &= ~RECORD_HAVE_BOOT;
	b.have &= ~RECORD_HAVE_BOOT;
	b.mono_ns += INT64_C(60000000000);
	b.real_ns += INT64_C(60000000000) + INT64_C(700000000);
	ck_assert_uint_eq(record_compare(&a, &b, &o, &step), RECORD_EV_STEP);
	ck_assert_double_eq_tol(step, 0.7, 1e-9);
	/* Neither: no step can be said. */
	a.have &= ~RECORD_HAVE_MONO;
	ck_assert_uint_eq(record_compare(&a, &b, &o, &step), 0);
}
END_TEST

/* Whatever the writer is given, what it writes reads back. */
START_TEST(test_written_always_reads)
{
	static const double wild[] = { 1e300, -1e300, NAN, INFINITY, -INFINITY, 1e12, -5 };
	struct strbuf sb = STRBUF_INIT;
	struct record r, out;
	char err[UTIL_ERRMAX];

	for (size_t i = 0; i < UTIL_ARRAY_SIZE(wild); i++) {
		full_record(&r);
		r.have |= RECORD_HAVE_STEP;
		r.unc_s = r.step_s = r.offset_s = r.delay_s = wild[i];
		r.freq_ppm = r.maxerror_s = wild[i];
		r.stratum = 99;
		strbuf_reset(&sb);
		record_format(&r, &sb);
		ck_assert_msg(!record_parse(sb.buf, sb.len - 1, &out, err), "%g: %s: %s",
			      wild[i], err, sb.buf);
		ck_assert(out.have == r.have);
	}
	strbuf_release(&sb);
}
END_TEST

/* The local part from the fake clocks and a sysroot tree. */
START_TEST(test_fill_local)
{
	char *root = testutil_mkdtemp();
	struct strbuf p = STRBUF_INIT;
	struct clock_fake f;
	struct clock_snap snap;
	struct record r;
	char err[UTIL_ERRMAX];

	strbuf_addf(&p, "%s/proc/sys/kernel/random/boot_id", root);
	testutil_write(p.buf, "0f1e2d3c-0000-4000-8000-00000000abcd\n", 37);
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/sys/devices/system/clocksource/clocksource0/current_clocksource", root);
	testutil_write(p.buf, "hyperv_clocksource_tsc_page\n", 28);
	ck_assert_msg(!sysroot_set(root, err), "%s", err);
	clock_fake_init(&f);
	f.missing[CLOCK_ID_BOOTTIME] = true;   /* a 2.6.18 kernel */
	f.kstate.freq_ppm = -500;
	f.kstate.maxerror_s = 16;
	f.kstate.status |= 0x40;               /* STA_UNSYNC */
	clock_use_fake(&f);
	ck_assert_int_eq(clock_snap_read(&snap, 1), 0);
	memset(&r, 0, sizeof(r));
	record_fill_local(&r, &snap);
	ck_assert_int_eq(r.real_ns, snap.v[CLOCK_ID_REALTIME]);
	ck_assert_uint_eq(r.have, RECORD_HAVE_MONO | RECORD_HAVE_RAW | RECORD_HAVE_KSTATE);
	ck_assert_str_eq(r.boot_id, "0f1e2d3c-0000-4000-8000-00000000abcd");
	ck_assert_str_eq(r.clocksource, "hyperv_clocksource_tsc_page");
	ck_assert_double_eq(r.freq_ppm, -500);
	ck_assert_int_eq(r.sync, 0);
	/* adjtimex unavailable: no kernel state, the rest still there. */
	f.kstate_ok = false;
	record_fill_local(&r, &snap);
	ck_assert_uint_eq(r.have & RECORD_HAVE_KSTATE, 0);
	ck_assert_str_eq(r.clocksource, "hyperv_clocksource_tsc_page");
	clock_use_fake(NULL);
	sysroot_set(NULL, err);
	strbuf_release(&p);
	testutil_rmtree(root);
	free(root);
}
END_TEST

START_TEST(test_iso_time)
{
	static const struct {
		int64_t s;
		const char *want;
	} c[] = {
		{ 0, "1970-01-01T00:00:00Z" },
		{ -1, "1969-12-31T23:59:59Z" },
		{ 951782400, "2000-02-29T00:00:00Z" },
		{ 1767225599, "2025-12-31T23:59:59Z" },
		{ 4107542400, "2100-03-01T00:00:00Z" },
		{ -2208988800, "1900-01-01T00:00:00Z" },
		{ 9000000000, "2255-03-14T16:00:00Z" },
	};
	char buf[32];

	for (size_t i = 0; i < UTIL_ARRAY_SIZE(c); i++) {
		record_iso_time(c[i].s * 1000000000, buf,
				sizeof(buf));
		ck_assert_str_eq(buf, c[i].want);
	}
	/* A fraction below a whole second belongs to that second. */
	record_iso_time(-1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1969-12-31T23:59:59Z");
	record_iso_time(INT64_C(1767225599999999999), buf, sizeof(buf));
	ck_assert_str_eq(buf, "2025-12-31T23:59:59Z");
}
END_TEST

Suite *record_suite(void)
{
	Suite *s = suite_create("record");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_round_trip_full);
	tcase_add_test(tc, test_round_trip_sparse);
	tcase_add_loop_test(tc, test_round_trip_random, 0, 4);
	tcase_add_test(tc, test_blanks_in_strings);
	tcase_add_test(tc, test_parse_fields);
	tcase_add_test(tc, test_damaged_lines);
	tcase_add_test(tc, test_ntp_group);
	tcase_add_test(tc, test_reader_headers_versions);
	tcase_add_test(tc, test_compare);
	tcase_add_test(tc, test_iso_time);
	tcase_add_test(tc, test_fill_local);
	tcase_add_test(tc, test_written_always_reads);
	suite_add_tcase(s, tc);
	return s;
}
