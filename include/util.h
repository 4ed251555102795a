/*
 * util.h - allocation, error buffers and strict number/duration parsing.
 *
 * Every module reports failure the same way: it returns -1 and writes one
 * line into a caller-supplied buffer of UTIL_ERRMAX bytes, worded like git's
 * messages (lowercase, no full stop, subject quoted):
 *     cannot open '/boot/grub/grub.conf': Permission denied
 * Only the cmd_* layer prints such a message, prefixed with "hvclock: ".
 *
 * xmalloc() and friends abort on exhaustion: an admin tool that runs out of
 * memory on a few kilobytes of input has nothing sensible left to do.
 */
#ifndef HV_UTIL_H
#define HV_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UTIL_ERRMAX 512

#define UTIL_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Test builds make private helpers visible (see curl's UNITTEST). */
#ifdef HV_TESTING
#define HV_TESTABLE
#else
#define HV_TESTABLE static __attribute__((unused))
#endif

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grows *p (of *cap elements of elem bytes) so that it holds at least need. */
void util_grow(void **p, size_t *cap, size_t need, size_t elem);

/* Formats into err (UTIL_ERRMAX bytes, may be NULL) and returns -1. */
int util_err(char *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int util_verr(char *err, const char *fmt, va_list ap);
/* Same, appending ": strerror(errnum)". */
int util_errno(char *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Strict parsers: the whole string must be consumed, no leading or trailing
 * blanks, no empty string, range-checked. Each returns 0 or -1 with a message
 * that quotes the bad text.
 */
int util_parse_long(const char *s, long min, long max, long *out, char *err);
int util_parse_double(const char *s, double min, double max, double *out,
		      char *err);
/*
 * Durations: a number with a unit: ns, us, ms, s, m (minutes), h, d; a bare
 * number means seconds. "1.5s", "100ms", "5m". Result in seconds.
 */
int util_parse_duration(const char *s, double min_s, double max_s,
			double *out_s, char *err);
/* Offsets: like durations (signed allowed when min_s < 0). */
int util_parse_offset(const char *s, double min_s, double max_s,
		      double *out_s, char *err);
/* Rates: "1.5ppm", "500ppm", "0.2ppb", "5%"; a bare number means ppm. */
int util_parse_ppm(const char *s, double min_ppm, double max_ppm,
		   double *out_ppm, char *err);

/*
 * Makes text from files safe to show: control characters and bytes that are
 * not valid UTF-8 become '?'. In place; returns s.
 */
char *util_sanitize(char *s);
/* Length of the valid UTF-8 sequence at p (1 for ASCII), 0 if invalid
 * (overlong forms, surrogates and code points past U+10FFFF included). */
size_t util_utf8_len(const unsigned char *p);

/* Whitespace helpers over NUL-terminated strings. */
char *util_trim(char *s);
bool util_startswith(const char *s, const char *prefix);
bool util_endswith(const char *s, const char *suffix);
/* Case-insensitive substring search (ASCII). */
const char *util_strcasestr(const char *hay, const char *needle);

/*
 * fmax()/fmin() with their NaN rule (a NaN argument loses), inline: the
 * binary does not link libm at all (see the Makefile's math flags), which
 * keeps a cron run of `hvclock log` small.
 */
static inline double util_fmax(double a, double b)
{
	return (a > b || b != b) ? a : b;
}

static inline double util_fmin(double a, double b)
{
	return (a < b || b != b) ? a : b;
}

/* Formats a duration in seconds for people: "45 s", "15 min", "3.3 h". */
void util_human_duration(double s, char *buf, size_t len);

#endif
