/*
 * util.c - allocation, error buffers, strict parsing of numbers with units.
 *
 * The parsers are strict because a typo in a cron line ("-d 5mn") must fail
 * loudly instead of silently meaning something else.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

static void oom(size_t n)
{
	fprintf(stderr, "hvclock: out of memory (%zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		oom(nmemb * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *r = xmalloc(len + 1);

	memcpy(r, s, len);
	r[len] = '\0';
	return r;
}

void util_grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t c;

	if (need <= *cap)
		return;
	c = *cap ? *cap : 8;
	while (c < need) {
		if (c > ((size_t)-1 / 2) / elem)
			oom(need * elem);
		c *= 2;
	}
	*p = xrealloc(*p, c * elem);
	*cap = c;
}

int util_verr(char *err, const char *fmt, va_list ap)
{
	if (err)
		vsnprintf(err, UTIL_ERRMAX, fmt, ap);
	return -1;
}

int util_err(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	util_verr(err, fmt, ap);
	va_end(ap);
	return -1;
}

int util_errno(char *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err, UTIL_ERRMAX, fmt, ap);
	va_end(ap);
	n = strlen(err);
	if (n < UTIL_ERRMAX - 1)
		snprintf(err + n, UTIL_ERRMAX - n, ": %s", strerror(errnum));
	return -1;
}

/* Rejects what strtod/strtol would quietly accept around a number. */
static int plain_number(const char *s, const char *what, char *err)
{
	if (!s || !*s)
		return util_err(err, "empty %s", what);
	if (isspace((unsigned char)s[0]) ||
	    isspace((unsigned char)s[strlen(s) - 1]))
		return util_err(err, "invalid %s '%s': blanks around the value",
				what, s);
	return 0;
}

int util_parse_long(const char *s, long min, long max, long *out, char *err)
{
	char *end;
	long v;

	if (plain_number(s, "number", err))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end)
		return util_err(err, "invalid number '%s'", s);
	if (errno == ERANGE || v < min || v > max)
		return util_err(err, "number '%s' out of range (%ld to %ld)", s,
				min, max);
	*out = v;
	return 0;
}

/*
 * Parses the leading plain decimal number of s ([+-]digits[.digits][e[+-]digits]);
 * *end points at what follows (the unit). strtod alone would also take hex,
 * "inf" and "nan", none of which is a sensible time value.
 */
static int leading_double(const char *s, const char *what, double *v,
			  const char **end, char *err)
{
	const char *p = s;
	size_t digits = 0;
	char *e;

	if (plain_number(s, what, err))
		return -1;
	if (*p == '+' || *p == '-')
		p++;
	for (; isdigit((unsigned char)*p); p++)
		digits++;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			digits++;
	if (!digits)
		return util_err(err, "invalid %s '%s'", what, s);
	if ((*p == 'e' || *p == 'E') &&
	    (isdigit((unsigned char)p[1]) ||
	     ((p[1] == '+' || p[1] == '-') && isdigit((unsigned char)p[2])))) {
		p += 2;
		while (isdigit((unsigned char)*p))
			p++;
	}
	errno = 0;
	*v = strtod(s, &e);
	if (e != p || !isfinite(*v) || errno == ERANGE)
		return util_err(err, "invalid %s '%s'", what, s);
	*end = p;
	return 0;
}

static int parse_time(const char *s, double min_s, double max_s, double *out,
		      const char *what, char *err)
{
	static const struct {
		const char *unit;
		double scale;
	} units[] = {
		{ "", 1 }, { "s", 1 }, { "ns", 1e-9 }, { "us", 1e-6 },
		{ "ms", 1e-3 }, { "m", 60 }, { "min", 60 }, { "h", 3600 },
		{ "d", 86400 },
	};
	const char *unit;
	double v;
	size_t i;

	if (leading_double(s, what, &v, &unit, err))
		return -1;
	for (i = 0; i < UTIL_ARRAY_SIZE(units); i++)
		if (!strcmp(unit, units[i].unit))
			break;
	if (i == UTIL_ARRAY_SIZE(units))
		return util_err(err,
				"invalid %s '%s': unknown unit '%s' (use ns, us, ms, s, m, h or d)",
				what, s, unit);
	v *= units[i].scale;
	if (v < min_s || v > max_s)
		return util_err(err, "%s '%s' out of range (%g s to %g s)", what,
				s, min_s, max_s);
	*out = v;
	return 0;
}

int util_parse_duration(const char *s, double min_s, double max_s,
			double *out_s, char *err)
{
	if (s && (s[0] == '-' || s[0] == '+') && min_s >= 0)
		return util_err(err, "invalid duration '%s': must not be signed", s);
	return parse_time(s, min_s, max_s, out_s, "duration", err);
}

int util_parse_offset(const char *s, double min_s, double max_s,
		      double *out_s, char *err)
{
	return parse_time(s, min_s, max_s, out_s, "offset", err);
}

int util_parse_ppm(const char *s, double min_ppm, double max_ppm,
		   double *out_ppm, char *err)
{
	const char *unit;
	double v;

	if (leading_double(s, "rate", &v, &unit, err))
		return -1;
	if (!*unit || !strcmp(unit, "ppm"))
		;
	else if (!strcmp(unit, "ppb"))
		v /= 1000.0;
	else if (!strcmp(unit, "%"))
		v *= 10000.0;
	else
		return util_err(err,
				"invalid rate '%s': unknown unit '%s' (use ppm, ppb or %%)",
				s, unit);
	if (v < min_ppm || v > max_ppm)
		return util_err(err, "rate '%s' out of range (%g to %g ppm)", s,
				min_ppm, max_ppm);
	*out_ppm = v;
	return 0;
}

int util_parse_double(const char *s, double min, double max, double *out,
		      char *err)
{
	const char *end;
	double v;

	if (leading_double(s, "number", &v, &end, err))
		return -1;
	if (*end)
		return util_err(err, "invalid number '%s'", s);
	if (v < min || v > max)
		return util_err(err, "number '%s' out of range (%g to %g)", s,
				min, max);
	*out = v;
	return 0;
}

size_t util_utf8_len(const unsigned char *p)
{
	size_t n;
	unsigned int cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

char *util_sanitize(char *s)
{
	unsigned char *p = (unsigned char *)s;

	while (*p) {
		size_t n = util_utf8_len(p);

		if (!n || (n == 1 && (*p < 0x20 || *p == 0x7f))) {
			*p++ = '?';
			continue;
		}
		p += n;
	}
	return s;
}

char *util_trim(char *s)
{
	char *e;

	while (*s && isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	*e = '\0';
	return s;
}

bool util_startswith(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

bool util_endswith(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

const char *util_strcasestr(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return hay;
	return n ? NULL : hay;
}

void util_human_duration(double s, char *buf, size_t len)
{
	double a = fabs(s);

	if (a < 1e-3)
		snprintf(buf, len, "%.0f us", s * 1e6);
	else if (a < 1)
		snprintf(buf, len, "%.0f ms", s * 1e3);
	else if (a < 120)
		snprintf(buf, len, "%.0f s", s);
	else if (a < 2 * 3600)
		snprintf(buf, len, "%.0f min", s / 60);
	else if (a < 2 * 86400)
		snprintf(buf, len, "%.1f h", s / 3600);
	else
		snprintf(buf, len, "%.1f days", s / 86400);
}
