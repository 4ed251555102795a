/*
 * fuzz_record.c - the sample log's record line: parse, format, parse.
 *
 * The input is a log file; every line goes through the reader (headers,
 * versions, comments, torn last line). For every line it accepts as a
 * record, format(parse(line)) must parse again, to the same record (the
 * clocks to the microsecond, the numbers to the precision written, the
 * strings and flags exactly), and formatting that again must give the
 * same bytes: what hvclock reads it can write, and what it writes it
 * reads back unchanged. Nothing may crash on any line.
 * (fuzz_report runs the same lines through the report as a whole.)
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void near(double a, double b, double quantum)
{
	if (!(fabs(a - b) <= quantum / 2 + 1e-15 * fabs(a)))
		__builtin_trap();
}

static void same_record(const struct record *a, const struct record *b)
{
	if (a->kind != b->kind || a->events != b->events || a->have != b->have ||
	    strcmp(a->server, b->server) || strcmp(a->clocksource, b->clocksource) ||
	    strcmp(a->boot_id, b->boot_id) || strcmp(a->host, b->host))
		__builtin_trap();
	/* Written as microseconds, truncated toward zero. */
	if (a->real_ns / 1000 != b->real_ns / 1000 ||
	    ((a->have & RECORD_HAVE_BOOT) && a->boot_ns / 1000 != b->boot_ns / 1000) ||
	    ((a->have & RECORD_HAVE_MONO) && a->mono_ns / 1000 != b->mono_ns / 1000) ||
	    ((a->have & RECORD_HAVE_RAW) && a->raw_ns / 1000 != b->raw_ns / 1000))
		__builtin_trap();
	near(a->unc_s, b->unc_s, 1e-9);
	if (a->have & RECORD_HAVE_STEP)
		near(a->step_s, b->step_s, 1e-6);
	if (a->have & RECORD_HAVE_NTP) {
		near(a->offset_s, b->offset_s, 1e-9);
		near(a->delay_s, b->delay_s, 1e-9);
		if (a->stratum != b->stratum)
			__builtin_trap();
	}
	if (a->have & RECORD_HAVE_KSTATE) {
		near(a->freq_ppm, b->freq_ppm, 1e-3);
		near(a->maxerror_s, b->maxerror_s, 1e-6);
		if (a->sync != b->sync)
			__builtin_trap();
	}
}

static void round_trip(const struct record *a)
{
	struct strbuf f1 = STRBUF_INIT, f2 = STRBUF_INIT;
	struct record b, c;
	char err[UTIL_ERRMAX];

	record_format(a, &f1);
	if (!f1.len || f1.buf[f1.len - 1] != '\n' || memchr(f1.buf, '\n', f1.len - 1) ||
	    record_parse(f1.buf, f1.len - 1, &b, err))
		__builtin_trap();
	same_record(a, &b);
	record_format(&b, &f2);
	if (f1.len != f2.len || memcmp(f1.buf, f2.buf, f1.len) ||
	    record_parse(f2.buf, f2.len - 1, &c, err))
		__builtin_trap();
	strbuf_release(&f1);
	strbuf_release(&f2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct record_reader rd;
	char err[UTIL_ERRMAX];

	record_reader_init(&rd);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);
		struct record r;

		if (record_reader_line(&rd, p, len, nl != NULL, &r, err) ==
		    RECORD_LINE_RECORD)
			round_trip(&r);
		else if (!memchr(err, '\0', sizeof(err)))
			__builtin_trap();
		/* The bare parser too, whatever the reader's version. */
		if (!record_parse(p, len, &r, err))
			round_trip(&r);
		p = nl ? nl + 1 : end;
	}
	return 0;
}
