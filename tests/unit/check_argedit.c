/*
 * check_argedit.c - the argument editor: byte-exact edits, idempotence,
 * duplicates, conflicts, round trips.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "argedit.h"
#include "util.h"

static char *edit(const char *add, const char *rm, const char *conf,
		  bool replace, const char *in, bool sep, struct argedit_plan *keep)
{
	struct argedit_req *r;
	struct argedit_plan p;
	struct strbuf out = STRBUF_INIT;
	char err[UTIL_ERRMAX];

	ck_assert_msg(!argedit_req_new(add, rm, conf, replace, &r, err), "%s", err);
	ck_assert_msg(!argedit_line(r, in, strlen(in), sep, &out, &p, err), "%s", err);
	if (keep)
		*keep = p;
	else
		argedit_plan_free(&p);
	argedit_req_free(r);
	return strbuf_detach(&out, NULL);
}

static const struct {
	const char *add, *rm, *in, *want;
	bool sep;
} cases[] = {
	/* appended after the last argument, trailing blanks kept */
	{ "clock=pit notsc divider=10", NULL, " ro root=/dev/sda1", " ro root=/dev/sda1 clock=pit notsc divider=10", true },
	{ "clock=pit", NULL, " ro quiet ", " ro quiet clock=pit ", true },
	{ "clock=pit", NULL, "\tro\troot=x\trhgb  quiet\t\t", "\tro\troot=x\trhgb  quiet clock=pit\t\t", true },
	{ "clock=pit", NULL, "", " clock=pit", true },
	{ "clock=pit", NULL, "   ", " clock=pit   ", true },
	{ "clock=pit", NULL, "", "clock=pit", false },
	{ "clock=pit", NULL, "quiet", "quiet clock=pit", false },
	/* before init's arguments */
	{ "notsc", NULL, " ro -- single", " ro notsc -- single", true },
	{ "notsc", NULL, " -- single", " notsc -- single", true },
	/* found by fuzz_grub: nothing before init's, where "notsc--" was one word */
	{ "notsc", NULL, "-- single", "notsc -- single", false },
	{ "notsc", NULL, "--", "notsc --", false },
	{ NULL, "notsc", "notsc -- single", "-- single", false },
	{ NULL, "notsc", "notsc\t--", "--", false },
	/* present: nothing changes */
	{ "clock=pit notsc", NULL, " ro clock=pit notsc", " ro clock=pit notsc", true },
	{ "no_kvmclock", NULL, " ro no-kvmclock", " ro no-kvmclock", true },
	/* same key, other value: replaced in place */
	{ "clock=pit", NULL, " ro clock=hpet rhgb", " ro clock=pit rhgb", true },
	{ "divider=10", NULL, " notsc divider=100 quiet", " notsc divider=10 quiet", true },
	{ "clock=pit", NULL, " clock quiet", " clock=pit quiet", true },
	{ "notsc", NULL, " notsc=1 quiet", " notsc quiet", true },
	/* duplicates collapse to one, the last kept */
	{ "clock=pit notsc divider=10", NULL,
	  " ro root=/dev/V/L clock=tsc quiet clock=hpet notsc notsc",
	  " ro root=/dev/V/L quiet clock=pit notsc divider=10", true },
	{ "clock=pit", NULL, " clock=pit clock=pit", " clock=pit", true },
	/* look-alike names are different keys */
	{ "notsc divider=10", NULL, " notsc_ignored=1 xdivider=4", " notsc_ignored=1 xdivider=4 notsc divider=10", true },
	/* repeating keys: only the exact value counts */
	{ "console=ttyS0", NULL, " console=tty0", " console=tty0 console=ttyS0", true },
	{ "console=tty0", NULL, " console=tty0 console=ttyS0", " console=tty0 console=ttyS0", true },
	/* removal: bare key = every value; key=value = that value */
	{ NULL, "clock", " ro clock=pit quiet clock=hpet", " ro quiet", true },
	{ NULL, "console=tty0", " console=tty0 console=ttyS0", " console=ttyS0", true },
	{ NULL, "notsc", " notsc", "", true },
	{ NULL, "a", "a b c", "b c", false },
	{ NULL, "a b", "a b c", "c", false },
	{ NULL, "c", " a b c ", " a b ", true },
	{ NULL, "absent", " ro quiet", " ro quiet", true },
	/* quoted values */
	{ "acpi_osi=\"!Windows 2006\"", NULL, " ro", " ro acpi_osi=\"!Windows 2006\"", true },
	{ "acpi_osi=Linux", NULL, " acpi_osi=\"Linux\"", " acpi_osi=\"Linux\"", true },
	{ NULL, "acpi_osi", " ro acpi_osi=\"!Windows 2006\" vga=0x317", " ro vga=0x317", true },
};

START_TEST(test_table)
{
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(cases); i++) {
		char *got = edit(cases[i].add, cases[i].rm, NULL, false, cases[i].in,
				 cases[i].sep, NULL);

		ck_assert_msg(!strcmp(got, cases[i].want), "case %zu: '%s' -> '%s', want '%s'",
			      i, cases[i].in, got, cases[i].want);
		free(got);
	}
}
END_TEST

START_TEST(test_round_trip_and_idempotent)
{
	static const char *const ins[] = {
		" ro root=/dev/sda1", " ro quiet ", "", "   ", "\tro\tquiet\t",
		" ro -- single", " ro  root=x  rhgb", " -- s", "  --",
	};
	/* Nothing before init's: only where no path or keyword precedes
	 * (GRUB_CMDLINE_LINUX, /etc/kernel/cmdline, grubenv's kernelopts). */
	static const char *const bare[] = { "-- s", "--", "\t--\ts" };
	const char *args = "clock=pit notsc divider=10";

	for (size_t i = 0; i < UTIL_ARRAY_SIZE(ins); i++) {
		for (int sep = 0; sep < 2; sep++) {
			char *once = edit(args, NULL, NULL, false, ins[i], sep, NULL);
			char *twice = edit(args, NULL, NULL, false, once, sep, NULL);
			char *back = edit(NULL, args, NULL, false, once, sep, NULL);

			ck_assert_str_eq(twice, once);
			ck_assert_msg(!strcmp(back, ins[i]), "'%s' -> '%s' -> '%s'", ins[i],
				      once, back);
			free(once);
			free(twice);
			free(back);
		}
	}
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(bare); i++) {
		char *once = edit(args, NULL, NULL, false, bare[i], false, NULL);
		char *twice = edit(args, NULL, NULL, false, once, false, NULL);
		char *back = edit(NULL, args, NULL, false, once, false, NULL);

		ck_assert_str_eq(twice, once);
		ck_assert_msg(!strcmp(back, bare[i]), "'%s' -> '%s' -> '%s'", bare[i], once, back);
		free(once);
		free(twice);
		free(back);
	}
}
END_TEST

START_TEST(test_conflicts)
{
	struct argedit_plan p;
	char *got;

	got = edit("clock=pit notsc", NULL, NULL, false, " ro clocksource=tsc quiet", true, &p);
	ck_assert_str_eq(got, " ro clocksource=tsc quiet");
	ck_assert(p.conflict_left);
	ck_assert_int_eq(p.notes[0].kind, ARGEDIT_CONFLICT);
	ck_assert_str_eq(p.notes[0].old, "clocksource=tsc");
	argedit_plan_free(&p);
	free(got);

	got = edit("clock=pit notsc", NULL, NULL, true, " ro clocksource=tsc quiet", true, &p);
	ck_assert_str_eq(got, " ro clock=pit quiet notsc");
	ck_assert(!p.conflict_left);
	argedit_plan_free(&p);
	free(got);

	got = edit("notsc", NULL, NULL, true, " tsc=reliable quiet tsc=unstable", true, NULL);
	ck_assert_str_eq(got, " quiet notsc");
	free(got);

	/* request-level conflicts (a remedy's) */
	got = edit("divider=10", NULL, "lpj", false, " lpj=1234 quiet", true, &p);
	ck_assert_str_eq(got, " lpj=1234 quiet");
	ck_assert(p.conflict_left);
	argedit_plan_free(&p);
	free(got);
}
END_TEST

START_TEST(test_multi_segment)
{
	/* GRUB_CMDLINE_LINUX then GRUB_CMDLINE_LINUX_DEFAULT (secondary). */
	struct argedit_seg segs[2] = {
		{ "quiet", 5, false, true },
		{ "rhgb clock=hpet", 15, false, false },
	};
	struct argedit_req *r;
	struct argedit_plan p;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	char err[UTIL_ERRMAX];

	ck_assert(!argedit_req_new("clock=pit", NULL, NULL, false, &r, err));
	ck_assert(!argedit_plan(r, segs, 2, 0, &p, err));
	argedit_apply(&p, 0, segs[0].text, segs[0].len, &a);
	argedit_apply(&p, 1, segs[1].text, segs[1].len, &b);
	ck_assert_str_eq(a.buf, "quiet clock=pit");
	ck_assert_str_eq(b.buf, "rhgb");
	argedit_plan_free(&p);

	/* "--" before the last segment is refused */
	segs[0].text = "a -- b";
	segs[0].len = 6;
	ck_assert_int_eq(argedit_plan(r, segs, 2, 0, &p, err), -1);
	argedit_req_free(r);
	strbuf_release(&a);
	strbuf_release(&b);
}
END_TEST

START_TEST(test_bad_requests)
{
	struct argedit_req *r;
	char err[UTIL_ERRMAX];

	ck_assert_int_eq(argedit_req_new("a=\"b", NULL, NULL, false, &r, err), -1);
	ck_assert_int_eq(argedit_req_new("", "", NULL, false, &r, err), -1);
	ck_assert_int_eq(argedit_req_new("a -- b", NULL, NULL, false, &r, err), -1);
	ck_assert_int_eq(argedit_req_new("clock=pit", "clock", NULL, false, &r, err), -1);
	ck_assert(strstr(err, "both added and removed"));
	ck_assert_int_eq(argedit_req_new("=x", NULL, NULL, false, &r, err), -1);
	ck_assert_int_eq(argedit_req_new("clock=pit", "clock=hpet", NULL, false, &r, err), 0);
	argedit_req_free(r);
	/* the later of two values wins */
	ck_assert_int_eq(argedit_req_new("clock=hpet clock=pit", NULL, NULL, false, &r, err), 0);
	ck_assert_str_eq(argedit_req_add_text(r), "clock=pit");
	argedit_req_free(r);
}
END_TEST

START_TEST(test_unbalanced_input)
{
	struct argedit_req *r;
	struct argedit_plan p;
	struct strbuf out = STRBUF_INIT;
	char err[UTIL_ERRMAX];

	ck_assert(!argedit_req_new("notsc", NULL, NULL, false, &r, err));
	ck_assert_int_eq(argedit_line(r, " ro a=\"b c", 10, true, &out, &p, err), -1);
	ck_assert(strstr(err, "unbalanced"));
	argedit_req_free(r);
	strbuf_release(&out);
}
END_TEST

Suite *argedit_suite(void)
{
	Suite *s = suite_create("argedit");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_round_trip_and_idempotent);
	tcase_add_test(tc, test_conflicts);
	tcase_add_test(tc, test_multi_segment);
	tcase_add_test(tc, test_bad_requests);
	tcase_add_test(tc, test_unbalanced_input);
	suite_add_tcase(s, tc);
	return s;
}
