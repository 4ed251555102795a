/*
 * check_textdiff.c - the unified diff: exact output for small cases, and
 * random texts whose diff, applied back, gives the new text.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "textdiff.h"
#include "util.h"

/* Applies a unified diff made by textdiff to a; returns the result. */
static char *apply(const char *a, const char *diff)
{
	struct strbuf out = STRBUF_INIT;
	const char *p = diff, *ap = a;
	size_t aline = 1;

	/* skip headers */
	p = strchr(p, '\n') + 1;
	p = strchr(p, '\n') + 1;
	while (*p) {
		size_t as = 0;
		const char *nl;

		ck_assert(!strncmp(p, "@@ -", 4));
		as = strtoul(p + 4, NULL, 10);
		if (strstr(p, ",0 +") && strstr(p, ",0 +") < strchr(p, '\n'))
			as++; /* empty old range: the number is the line before */
		while (aline < as) {
			nl = strchr(ap, '\n');
			strbuf_add(&out, ap, (size_t)(nl - ap + 1));
			ap = nl + 1;
			aline++;
		}
		p = strchr(p, '\n') + 1;
		while (*p && *p != '@') {
			char tag = *p;
			const char *e = strchr(p, '\n');
			size_t n = (size_t)(e - p);
			bool nonl = !strncmp(e + 1, "\\ No newline", 12);

			if (tag == ' ' || tag == '-') {
				ap += n - 1 + (nonl ? 0 : 1);
				aline++;
			}
			if (tag == ' ' || tag == '+')
				strbuf_add(&out, p + 1, n - 1 + (nonl ? 0 : 1));
			p = e + 1;
			if (nonl)
				p = strchr(p, '\n') + 1;
		}
	}
	strbuf_addstr(&out, ap);
	return strbuf_detach(&out, NULL);
}

START_TEST(test_exact)
{
	struct strbuf d = STRBUF_INIT;

	ck_assert_int_eq(textdiff_unified("a\nb\n", 4, "a\nb\n", 4, "x", "y", 3, &d), 0);
	ck_assert_int_eq(d.len, 0);
	ck_assert_int_eq(textdiff_unified("a\nb\nc\n", 6, "a\nB\nc\n", 6, "a/f", "b/f", 3, &d), 1);
	ck_assert_str_eq(d.buf, "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
	strbuf_reset(&d);
	ck_assert_int_eq(textdiff_unified("a\r\n", 3, "a\n", 2, "x", "y", 3, &d), 1);
	ck_assert_str_eq(d.buf, "--- x\n+++ y\n@@ -1 +1 @@\n-a\r\n+a\n");
	strbuf_reset(&d);
	ck_assert_int_eq(textdiff_unified("a", 1, "b", 1, "x", "y", 3, &d), 1);
	ck_assert_str_eq(d.buf, "--- x\n+++ y\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n");
	strbuf_reset(&d);
	ck_assert_int_eq(textdiff_unified("", 0, "a\n", 2, "x", "y", 3, &d), 1);
	ck_assert_str_eq(d.buf, "--- x\n+++ y\n@@ -0,0 +1 @@\n+a\n");
	strbuf_release(&d);
}
END_TEST

START_TEST(test_random_apply)
{
	unsigned seed = 12345;

	for (int round = 0; round < 300; round++) {
		struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, d = STRBUF_INIT;
		int na = rand_r(&seed) % 40, nb;
		char *got;

		for (int i = 0; i < na; i++)
			strbuf_addf(&a, "l%d\n", rand_r(&seed) % 6);
		nb = 0;
		for (size_t i = 0; i < a.len; i++)
			if (a.buf[i] == '\n')
				nb++;
		/* b: a with random edits */
		{
			const char *p = a.buf;

			while (*p) {
				const char *e = strchr(p, '\n') + 1;
				int r = rand_r(&seed) % 10;

				if (r == 0)
					strbuf_addf(&b, "new%d\n", rand_r(&seed) % 4);
				if (r != 1)
					strbuf_add(&b, p, (size_t)(e - p));
				p = e;
			}
			if (rand_r(&seed) % 3 == 0)
				strbuf_addstr(&b, "tail");
		}
		textdiff_unified(a.buf, a.len, b.buf, b.len, "a", "b", rand_r(&seed) % 4, &d);
		if (d.len) {
			got = apply(a.buf, d.buf);
			ck_assert_msg(!strcmp(got, b.buf), "round %d:\n%s\n---\n%s\n--- diff\n%s",
				      round, a.buf, b.buf, d.buf);
			free(got);
		} else {
			ck_assert_str_eq(a.buf, b.buf);
		}
		strbuf_release(&a);
		strbuf_release(&b);
		strbuf_release(&d);
	}
}
END_TEST

Suite *textdiff_suite(void)
{
	Suite *s = suite_create("textdiff");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_exact);
	tcase_add_test(tc, test_random_apply);
	suite_add_tcase(s, tc);
	return s;
}
