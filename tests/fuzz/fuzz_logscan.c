/*
 * fuzz_logscan.c - the log-line classifier of logscan (ntpd, chronyd,
 * Dovecot, Postfix and kernel messages) and its syslog/ISO/dmesg date
 * splitter, line by line over arbitrary text. Fast: no files (fuzz_rules
 * runs the whole scan over files).
 * Invariants: a kind in range with a stable id; the value NaN or finite,
 * never a step from a line that carries none; the date NUL-terminated and
 * the message a suffix of the line.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *line, *next, date[40];

	memcpy(s, data, size);
	s[size] = '\0';
	for (line = s; line; line = next) {
		const char *msg;
		double v;
		int k;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		k = logscan_match(line, &v);
		if (k < -1 || k >= LOGSCAN_KIND_COUNT)
			abort();
		if (k < 0 && !isnan(v))
			abort();
		if (k >= 0 && (!logscan_kind_id(k) || !logscan_kind_what(k) ||
			       (!isnan(v) && !isfinite(v))))
			abort();
		memset(date, 'x', sizeof(date));
		msg = split_line(line, date, sizeof(date));
		if (!memchr(date, '\0', sizeof(date)) || msg < line ||
		    msg > line + strlen(line))
			abort();
	}
	free(s);
	return 0;
}
