/*
 * fuzz_report.c - libFuzzer target: the sample-log reader and the report
 * over it, and the Prometheus sample finder.
 *
 * The input is a log file. Every line is parsed; a line that parses must
 * format back into a line that parses to the same record (what hvclock
 * reads it can write); the whole input then goes through the report
 * (segments, events, fits, gaps, the rules' measurement) and, as text,
 * through prom_find.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prom.h"
#include "record.h"
#include "report.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(const char *line, size_t len)
{
	struct record a, b;
	struct strbuf sb = STRBUF_INIT;
	char err[UTIL_ERRMAX];

	if (record_parse(line, len, &a, err))
		return;
	record_format(&a, &sb);
	if (!sb.len || sb.buf[sb.len - 1] != '\n' ||
	    record_parse(sb.buf, sb.len - 1, &b, err))
		__builtin_trap();
	/* Clocks to the microsecond, as written. */
	if (a.real_ns / 1000 != b.real_ns / 1000 && llabs(a.real_ns - b.real_ns) >= 1000)
		__builtin_trap();
	if (a.have != b.have || a.kind != b.kind || a.events != b.events ||
	    strcmp(a.host, b.host) || strcmp(a.boot_id, b.boot_id))
		__builtin_trap();
	strbuf_release(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report_opts o;
	struct report *r;
	struct measurement m;
	const char *p = (const char *)data, *end = p + size;
	char *text;
	double v;

	report_opts_default(&o);
	r = report_new(&o);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);

		round_trip(p, len);
		report_add_line(r, p, len, nl != NULL);
		p = nl ? nl + 1 : end;
	}
	report_finish(r);
	report_measurement(r, &m);
	for (size_t i = 0; i < report_nsegments(r); i++) {
		const struct report_segment *s = report_segment(r, i);

		(void)report_fit_at(r, i, s->start_ns);
		if (s->first + s->n > report_npoints(r))
			__builtin_trap();
	}
	report_free(r);

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	(void)prom_find(text, "hvclock_steps_total", NULL, &v);
	{
		static const char *const l[] = { "direction", "backward", NULL };

		(void)prom_find(text, "hvclock_steps_total", l, &v);
	}
	free(text);
	return 0;
}
