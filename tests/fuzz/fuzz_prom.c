/*
 * fuzz_prom.c - the Prometheus text writer's escaping, and the finder
 * that reads its own output back (hvclock log keeps its counters there).
 *
 * Input: 8 bytes of a double, then a label value and a HELP text
 * separated by a NUL byte (arbitrary bytes otherwise).
 * Invariants: a family is exactly two lines and a sample exactly one,
 * whatever the text holds; the output is valid UTF-8 (node_exporter
 * rejects a textfile whose label values are not); the sample is found
 * again with its label value (as written: invalid UTF-8 bytes become
 * '?') and the same value, NaN included; a family with a hostile HELP
 * before it does not hide it. Then the rest of the input, as a file,
 * goes through prom_find for a few names.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prom.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t count(const struct strbuf *sb, char c)
{
	size_t n = 0;

	for (size_t i = 0; i < sb->len; i++)
		n += sb->buf[i] == c;
	return n;
}

static void valid_utf8(const struct strbuf *sb)
{
	for (size_t i = 0; i < sb->len;) {
		size_t k = util_utf8_len((const unsigned char *)sb->buf + i);

		if (!k)
			__builtin_trap();
		i += k;
	}
}

/* The label as the writer puts it: invalid UTF-8 bytes become '?'. */
static void utf8_fix(char *s)
{
	unsigned char *p = (unsigned char *)s;

	while (*p) {
		size_t n = util_utf8_len(p);

		if (!n)
			*p = '?', n = 1;
		p += n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf out = STRBUF_INIT;
	const char *labels[3] = { "clocksource", NULL, NULL };
	char *label, *help, *san;
	const uint8_t *nul;
	double v = 0, got;

	if (size < 8)
		return 0;
	memcpy(&v, data, 8);
	data += 8;
	size -= 8;
	nul = memchr(data, 0, size);
	label = xstrndup((const char *)data, nul ? (size_t)(nul - data) : size);
	help = xstrndup(nul ? (const char *)nul + 1 : "",
			nul ? size - (size_t)(nul - data) - 1 : 0);
	labels[1] = label;

	prom_family(&out, "hvclock_fuzz_info", "gauge", help);
	if (count(&out, '\n') != 2)
		__builtin_trap();
	prom_sample(&out, "hvclock_fuzz_info", labels, v);
	if (count(&out, '\n') != 3 || out.buf[out.len - 1] != '\n')
		__builtin_trap();
	valid_utf8(&out);

	/* What the reader gets back is the label as written. */
	san = xstrdup(label);
	utf8_fix(san);
	labels[1] = san;
	if (strlen(san) < 200) {
		if (!prom_find(out.buf, "hvclock_fuzz_info", labels, &got))
			__builtin_trap();
		if (isnan(v) ? !isnan(got) : got != v)
			__builtin_trap();
	}
	free(san);
	strbuf_release(&out);

	(void)prom_find(help, "hvclock_steps_total", NULL, &got);
	{
		static const char *const l[] = { "direction", "backward", NULL };

		(void)prom_find(help, "hvclock_steps_total", l, &got);
		(void)prom_find(label, "a", l, &got);
	}
	free(label);
	free(help);
	return 0;
}
