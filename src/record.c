/*
 * record.c - format and parse sample-log records (see record.h).
 *
 * The parser is on the report's hot path (a year of per-minute records is
 * 525,600 lines, over 100 MB), so numbers are parsed by hand: fixed-point
 * clock readings straight into integer nanoseconds (exact, where a double
 * would lose the last digits of an epoch time), decimals through one
 * integer mantissa and one division by an exact power of ten.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#include "record.h"
#include "sysroot.h"
#include "util.h"

const char record_header[] =
	"#hvclock-log/1 time unix_s boot_s mono_s raw_s unc_s kind events"
	" step_s offset_s delay_s stratum server clocksource freq_ppm sync"
	" maxerr_s boot_id host";

enum {
	F_TIME, F_UNIX, F_BOOT, F_MONO, F_RAW, F_UNC, F_KIND, F_EVENTS, F_STEP,
	F_OFFSET, F_DELAY, F_STRATUM, F_SERVER, F_CLOCKSOURCE, F_FREQ, F_SYNC,
	F_MAXERR, F_BOOTID, F_HOST
};

static const char *const field_names[RECORD_NFIELDS] = {
	"time", "unix_s", "boot_s", "mono_s", "raw_s", "unc_s", "kind",
	"events", "step_s", "offset_s", "delay_s", "stratum", "server",
	"clocksource", "freq_ppm", "sync", "maxerr_s", "boot_id", "host"
};

static const struct {
	unsigned bit;
	const char *name;
} event_names[] = {
	{ RECORD_EV_REBOOT, "reboot" },
	{ RECORD_EV_STEP, "step" },
	{ RECORD_EV_CLOCKSOURCE, "clocksource" },
};

const char *record_kind_name(enum record_kind k)
{
	return k == RECORD_STEP ? "step" : "sample";
}

/*
 * Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
 * Done here rather than with gmtime_r(), which reads /etc/localtime
 * (tzset) even for UTC, on every run of hvclock log.
 */
static void civil(int64_t days, int64_t *y, int *m, int *d)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

void record_iso_time(clock_real_ns t, char *buf, size_t len)
{
	/* Floor division, so times before 1970 format correctly too. */
	int64_t s = t / 1000000000 - (t % 1000000000 < 0);
	int64_t days = s / 86400 - (s % 86400 < 0), sod = s - days * 86400, y;
	int m, d;

	civil(days, &y, &m, &d);
	snprintf(buf, len, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02dZ", y, m, d,
		 (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
}

/* Fixed-point seconds with 6 decimals, from nanoseconds (truncated). */
static void add_secs_us(struct strbuf *out, int64_t ns)
{
	uint64_t us = ns < 0 ? (uint64_t)-(ns / 1000) : (uint64_t)(ns / 1000);

	strbuf_addf(out, " %s%" PRIu64 ".%06" PRIu64, ns <= -1000 ? "-" : "",
		    us / 1000000, us % 1000000);
}

static void add_str(struct strbuf *out, const char *s)
{
	strbuf_addch(out, ' ');
	if (!*s) {
		strbuf_addch(out, '-');
		return;
	}
	for (; *s; s++)
		strbuf_addch(out, (unsigned char)*s <= ' ' || *s == 0x7f ? '_' : *s);
}

static void add_dash(struct strbuf *out)
{
	strbuf_addstr(out, " -");
}

/* Values as the reader accepts them, so every record written reads back. */
static double clampd(double v, double lo, double hi)
{
	if (!(v >= lo))
		return isnan(v) ? 0 : lo;
	return v > hi ? hi : v;
}

void record_format(const struct record *r, struct strbuf *out)
{
	char t[32];
	bool any = false;

	record_iso_time(r->real_ns, t, sizeof(t));
	strbuf_addstr(out, t);
	add_secs_us(out, r->real_ns);
	if (r->have & RECORD_HAVE_BOOT)
		add_secs_us(out, r->boot_ns);
	else
		add_dash(out);
	if (r->have & RECORD_HAVE_MONO)
		add_secs_us(out, r->mono_ns);
	else
		add_dash(out);
	if (r->have & RECORD_HAVE_RAW)
		add_secs_us(out, r->raw_ns);
	else
		add_dash(out);
	strbuf_addf(out, " %.9f %s ", clampd(r->unc_s, 0, RECORD_MAX_S),
		    record_kind_name(r->kind));
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(event_names); i++) {
		if (!(r->events & event_names[i].bit))
			continue;
		if (any)
			strbuf_addch(out, ',');
		strbuf_addstr(out, event_names[i].name);
		any = true;
	}
	if (!any)
		strbuf_addch(out, '-');
	if (r->have & RECORD_HAVE_STEP)
		strbuf_addf(out, " %.6f",
			    clampd(r->step_s, -RECORD_MAX_OFFSET_S, RECORD_MAX_OFFSET_S));
	else
		add_dash(out);
	if (r->have & RECORD_HAVE_NTP) {
		strbuf_addf(out, " %.9f %.9f %d",
			    clampd(r->offset_s, -RECORD_MAX_OFFSET_S, RECORD_MAX_OFFSET_S),
			    clampd(r->delay_s, -RECORD_MAX_S, RECORD_MAX_S),
			    r->stratum >= 0 && r->stratum <= 16 ? r->stratum : 16);
		add_str(out, r->server);
	} else {
		strbuf_addstr(out, " - - - -");
	}
	add_str(out, r->clocksource);
	if (r->have & RECORD_HAVE_KSTATE)
		strbuf_addf(out, " %.3f %d %.6f",
			    clampd(r->freq_ppm, -RECORD_MAX_PPM, RECORD_MAX_PPM), r->sync ? 1 : 0,
			    clampd(r->maxerror_s, 0, RECORD_MAX_S));
	else
		strbuf_addstr(out, " - - -");
	add_str(out, r->boot_id);
	add_str(out, r->host);
	strbuf_addch(out, '\n');
}

/* ------------------------------------------------------------- parsing */

struct field {
	const char *p;
	size_t n;
};

static bool is_dash(const struct field *f)
{
	return f->n == 1 && f->p[0] == '-';
}

static bool isdig(char c)
{
	return c >= '0' && c <= '9';
}

/* "[-]digits[.digits]" into ns, exactly (fraction digits past 9 dropped). */
static int parse_ns(const struct field *f, int64_t *out)
{
	const char *s = f->p;
	size_t n = f->n, i = 0, nd = 0;
	int64_t ip = 0, fp = 0;
	int fd = 0;
	bool neg = false;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	for (; i < n && isdig(s[i]); i++, nd++) {
		if (ip > INT64_MAX / 1000000000 / 10)
			return -1;
		ip = ip * 10 + (s[i] - '0');
	}
	if (i < n && s[i] == '.')
		for (i++; i < n && isdig(s[i]); i++, nd++)
			if (fd < 9) {
				fp = fp * 10 + (s[i] - '0');
				fd++;
			}
	if (i != n || !nd || ip > INT64_MAX / 1000000000 - 1)
		return -1;
	for (; fd < 9; fd++)
		fp *= 10;
	*out = ip * 1000000000 + fp;
	if (neg)
		*out = -*out;
	return 0;
}

/* A finite decimal number. Exponent forms go through strtod. */
static int parse_num(const struct field *f, double *out)
{
	static const double p10[] = {
		1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18
	};
	const char *s = f->p;
	size_t n = f->n, i = 0;
	uint64_t m = 0;
	int sig = 0, nd = 0, frac = 0;
	bool neg = false, dot = false;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	for (; i < n; i++) {
		if (isdig(s[i])) {
			if (m || s[i] != '0')
				sig++;
			if (sig > 18 || frac >= 18)
				goto slow;
			m = m * 10 + (uint64_t)(s[i] - '0');
			frac += dot;
			nd++;
		} else if (s[i] == '.' && !dot) {
			dot = true;
		} else {
			goto slow;
		}
	}
	if (!nd)
		return -1;
	*out = (double)m / p10[frac];
	if (neg)
		*out = -*out;
	return 0;
slow:
	{
		char buf[64];
		char *end;

		if (n >= sizeof(buf))
			return -1;
		memcpy(buf, s, n);
		buf[n] = 0;
		/* strtod would take "nan", "inf" and hex; a record never has them. */
		for (size_t k = 0; k < n; k++)
			if (!isdig(buf[k]) && !strchr("+-.eE", buf[k]))
				return -1;
		errno = 0;
		*out = strtod(buf, &end);
		if (end != buf + n || errno || !isfinite(*out))
			return -1;
		return 0;
	}
}

static int parse_int(const struct field *f, int min, int max, int *out)
{
	long v = 0;
	size_t i = 0;
	bool neg = false;

	if (f->n && f->p[0] == '-' && f->n > 1)
		neg = true, i++;
	if (i == f->n || f->n > 10)
		return -1;
	for (; i < f->n; i++) {
		if (!isdig(f->p[i]))
			return -1;
		v = v * 10 + (f->p[i] - '0');
	}
	if (neg)
		v = -v;
	if (v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

static int copy_str(const struct field *f, char *dst, size_t size)
{
	if (is_dash(f)) {
		dst[0] = 0;
		return 0;
	}
	if (f->n >= size)
		return -1;
	/* The writer never puts control characters (or NUL) in a field. */
	for (size_t i = 0; i < f->n; i++)
		if ((unsigned char)f->p[i] < ' ' || f->p[i] == 0x7f)
			return -1;
	memcpy(dst, f->p, f->n);
	dst[f->n] = 0;
	return 0;
}

/* YYYY-MM-DDTHH:MM:SS[.fff]Z: the shape only; unix_s is authoritative. */
static bool iso_shape(const struct field *f)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:dd";
	size_t i;

	if (f->n < sizeof(pat) || f->p[f->n - 1] != 'Z')
		return false;
	for (i = 0; i < sizeof(pat) - 1; i++)
		if (pat[i] == 'd' ? !isdig(f->p[i]) : f->p[i] != pat[i])
			return false;
	if (i < f->n - 1) {
		if (f->p[i++] != '.' || i == f->n - 1)
			return false;
		for (; i < f->n - 1; i++)
			if (!isdig(f->p[i]))
				return false;
	}
	return true;
}

static int bad_field(char *err, int i, const struct field *f)
{
	return util_err(err, "bad %s '%.*s'", field_names[i],
			(int)(f->n > 40 ? 40 : f->n), f->p);
}

int record_parse(const char *line, size_t len, struct record *r, char *err)
{
	struct field f[RECORD_NFIELDS];
	size_t i = 0;
	int nf = 0;
	int64_t v;

	if (len && line[len - 1] == '\r')
		len--;
	if (!memchr(line, '\t', len)) {
		/* The usual case, single blanks: let memchr find them. */
		while (i < len) {
			size_t start;

			while (i < len && line[i] == ' ')
				i++;
			if (i == len)
				break;
			start = i;
			/* Fields are short: a plain loop beats memchr's setup. */
			while (i < len && line[i] != ' ')
				i++;
			if (nf < RECORD_NFIELDS) {
				f[nf].p = line + start;
				f[nf].n = i - start;
			}
			nf++;
		}
	} else while (i < len) {
		size_t start;

		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && line[i] != ' ' && line[i] != '\t')
			i++;
		if (nf < RECORD_NFIELDS) {
			f[nf].p = line + start;
			f[nf].n = i - start;
		}
		nf++;
	}
	if (nf != RECORD_NFIELDS)
		return util_err(err, "expected %d fields, found %d",
				RECORD_NFIELDS, nf);

	r->events = r->have = 0;
	r->boot_ns = r->mono_ns = r->raw_ns = 0;
	r->unc_s = r->step_s = r->offset_s = r->delay_s = 0;
	r->stratum = r->sync = 0;
	r->freq_ppm = r->maxerror_s = 0;
	if (!iso_shape(&f[F_TIME]))
		return bad_field(err, F_TIME, &f[F_TIME]);
	if (parse_ns(&f[F_UNIX], &r->real_ns))
		return bad_field(err, F_UNIX, &f[F_UNIX]);
	static const struct {
		int field;
		unsigned bit;
	} clocks[] = {
		{ F_BOOT, RECORD_HAVE_BOOT }, { F_MONO, RECORD_HAVE_MONO },
		{ F_RAW, RECORD_HAVE_RAW },
	};
	for (size_t c = 0; c < UTIL_ARRAY_SIZE(clocks); c++) {
		const struct field *x = &f[clocks[c].field];

		if (is_dash(x))
			continue;
		if (parse_ns(x, &v) || v < 0)
			return bad_field(err, clocks[c].field, x);
		r->have |= clocks[c].bit;
		if (clocks[c].bit == RECORD_HAVE_BOOT)
			r->boot_ns = v;
		else if (clocks[c].bit == RECORD_HAVE_MONO)
			r->mono_ns = v;
		else
			r->raw_ns = v;
	}
	if (!is_dash(&f[F_UNC]) &&
	    (parse_num(&f[F_UNC], &r->unc_s) || r->unc_s < 0 || r->unc_s > RECORD_MAX_S))
		return bad_field(err, F_UNC, &f[F_UNC]);

	if (f[F_KIND].n == 6 && !memcmp(f[F_KIND].p, "sample", 6))
		r->kind = RECORD_SAMPLE;
	else if (f[F_KIND].n == 4 && !memcmp(f[F_KIND].p, "step", 4))
		r->kind = RECORD_STEP;
	else
		return bad_field(err, F_KIND, &f[F_KIND]);

	if (!is_dash(&f[F_EVENTS])) {
		const char *p = f[F_EVENTS].p, *end = p + f[F_EVENTS].n;

		while (p < end) {
			const char *c = memchr(p, ',', (size_t)(end - p));
			size_t n = (size_t)((c ? c : end) - p);

			/* Unknown names are left for newer readers. */
			for (size_t k = 0; k < UTIL_ARRAY_SIZE(event_names); k++)
				if (strlen(event_names[k].name) == n &&
				    !memcmp(event_names[k].name, p, n))
					r->events |= event_names[k].bit;
			p += n + 1;
		}
	}
	if (!is_dash(&f[F_STEP])) {
		if (parse_num(&f[F_STEP], &r->step_s) || fabs(r->step_s) > RECORD_MAX_OFFSET_S)
			return bad_field(err, F_STEP, &f[F_STEP]);
		r->have |= RECORD_HAVE_STEP;
	}
	if (is_dash(&f[F_OFFSET]) != is_dash(&f[F_DELAY]))
		return util_err(err, "offset_s and delay_s must both be given or both be '-'");
	if (!is_dash(&f[F_OFFSET])) {
		if (parse_num(&f[F_OFFSET], &r->offset_s) || fabs(r->offset_s) > RECORD_MAX_OFFSET_S)
			return bad_field(err, F_OFFSET, &f[F_OFFSET]);
		/* A delay can come out negative (timestamps from two clocks,
		 * coarse clocks): recorded as measured, judged by the reader. */
		if (parse_num(&f[F_DELAY], &r->delay_s) || fabs(r->delay_s) > RECORD_MAX_S)
			return bad_field(err, F_DELAY, &f[F_DELAY]);
		r->have |= RECORD_HAVE_NTP;
	}
	/* The writer puts stratum and server only with an NTP result: a
	 * record with them but no offset would not write back the same. */
	if (is_dash(&f[F_OFFSET]) && (!is_dash(&f[F_STRATUM]) || !is_dash(&f[F_SERVER])))
		return util_err(err, "stratum and server need offset_s and delay_s");
	if (!is_dash(&f[F_STRATUM]) &&
	    parse_int(&f[F_STRATUM], 0, 16, &r->stratum))
		return bad_field(err, F_STRATUM, &f[F_STRATUM]);
	if (copy_str(&f[F_SERVER], r->server, sizeof(r->server)))
		return bad_field(err, F_SERVER, &f[F_SERVER]);
	if (copy_str(&f[F_CLOCKSOURCE], r->clocksource, sizeof(r->clocksource)))
		return bad_field(err, F_CLOCKSOURCE, &f[F_CLOCKSOURCE]);
	if (is_dash(&f[F_FREQ]) != is_dash(&f[F_SYNC]) ||
	    is_dash(&f[F_FREQ]) != is_dash(&f[F_MAXERR]))
		return util_err(err, "freq_ppm, sync and maxerr_s must all be given or all be '-'");
	if (!is_dash(&f[F_FREQ])) {
		if (parse_num(&f[F_FREQ], &r->freq_ppm) || fabs(r->freq_ppm) > RECORD_MAX_PPM)
			return bad_field(err, F_FREQ, &f[F_FREQ]);
		if (parse_int(&f[F_SYNC], 0, 1, &r->sync))
			return bad_field(err, F_SYNC, &f[F_SYNC]);
		if (parse_num(&f[F_MAXERR], &r->maxerror_s) || r->maxerror_s < 0 ||
		    r->maxerror_s > RECORD_MAX_S)
			return bad_field(err, F_MAXERR, &f[F_MAXERR]);
		r->have |= RECORD_HAVE_KSTATE;
	}
	if (copy_str(&f[F_BOOTID], r->boot_id, sizeof(r->boot_id)))
		return bad_field(err, F_BOOTID, &f[F_BOOTID]);
	if (copy_str(&f[F_HOST], r->host, sizeof(r->host)))
		return bad_field(err, F_HOST, &f[F_HOST]);
	return 0;
}

void record_reader_init(struct record_reader *rd)
{
	rd->lineno = 0;
	rd->version = RECORD_VERSION;
}

enum record_line record_reader_line(struct record_reader *rd, const char *line,
				    size_t len, bool terminated,
				    struct record *r, char *err)
{
	const size_t plen = sizeof(RECORD_HEADER_PREFIX) - 1;

	rd->lineno++;
	if (len >= plen && !memcmp(line, RECORD_HEADER_PREFIX, plen)) {
		long v = 0;
		size_t i = plen;

		for (; i < len && isdig(line[i]) && v < 100000; i++)
			v = v * 10 + (line[i] - '0');
		if (i == plen || (i < len && line[i] != ' ')) {
			util_err(err, "bad header line");
			return RECORD_LINE_BAD;
		}
		rd->version = (int)v;
		return RECORD_LINE_SKIP;
	}
	if (len == 0 || line[0] == '#' ||
	    (len == 1 && line[0] == '\r'))
		return terminated ? RECORD_LINE_SKIP : RECORD_LINE_BAD;
	if (!terminated) {
		util_err(err, "torn record (no end of line)");
		return RECORD_LINE_BAD;
	}
	if (rd->version != RECORD_VERSION) {
		util_err(err, "format version %d %s", rd->version,
			 rd->version > RECORD_VERSION ?
			 "is newer than this hvclock reads (1)" : "is unknown");
		return RECORD_LINE_BAD;
	}
	if (record_parse(line, len, r, err))
		return RECORD_LINE_BAD;
	return RECORD_LINE_RECORD;
}

/* ------------------------------------------------------------- compare */

void record_cmp_opts_default(struct record_cmp_opts *o)
{
	o->step_min_s = RECORD_STEP_MIN_S;
	o->slew_ppm = RECORD_SLEW_PPM;
}

bool record_real_minus_mono(const struct record *r, int64_t *out_ns)
{
	if (r->have & RECORD_HAVE_BOOT)
		*out_ns = r->real_ns - r->boot_ns;
	else if (r->have & RECORD_HAVE_MONO)
		*out_ns = r->real_ns - r->mono_ns;
	else
		return false;
	return true;
}

unsigned record_compare(const struct record *prev, const struct record *cur,
			const struct record_cmp_opts *o, double *step_s)
{
	unsigned ev = 0;
	unsigned both = prev->have & cur->have;
	int64_t a, b, elapsed;
	double thr;

	if (prev->boot_id[0] && cur->boot_id[0]) {
		if (strcmp(prev->boot_id, cur->boot_id))
			return RECORD_EV_REBOOT;
	} else if ((both & RECORD_HAVE_BOOT) && cur->boot_ns < prev->boot_ns) {
		/* No boot ids: BOOTTIME going back means a new boot. */
		return RECORD_EV_REBOOT;
	}
	if (prev->clocksource[0] && cur->clocksource[0] &&
	    strcmp(prev->clocksource, cur->clocksource))
		ev |= RECORD_EV_CLOCKSOURCE;
	if (both & RECORD_HAVE_BOOT) {
		a = prev->real_ns - prev->boot_ns;
		b = cur->real_ns - cur->boot_ns;
		elapsed = cur->boot_ns - prev->boot_ns;
	} else if (both & RECORD_HAVE_MONO) {
		a = prev->real_ns - prev->mono_ns;
		b = cur->real_ns - cur->mono_ns;
		elapsed = cur->mono_ns - prev->mono_ns;
	} else {
		return ev;
	}
	thr = o->step_min_s + o->slew_ppm * 1e-6 * fabs((double)elapsed * 1e-9) +
	      prev->unc_s + cur->unc_s;
	if (fabs((double)(b - a) * 1e-9) > thr) {
		ev |= RECORD_EV_STEP;
		if (step_s)
			*step_s = (double)(b - a) * 1e-9;
	}
	return ev;
}

/* ------------------------------------------------------------ sampling */

void record_short_hostname(char *buf, size_t len)
{
	char *dot;

	if (gethostname(buf, len))
		buf[0] = 0;
	buf[len - 1] = 0;
	dot = strchr(buf, '.');
	if (dot)
		*dot = 0;
}

void record_fill_local(struct record *r, const struct clock_snap *snap)
{
	static const struct {
		enum clock_id id;
		unsigned bit;
	} clocks[] = {
		{ CLOCK_ID_BOOTTIME, RECORD_HAVE_BOOT },
		{ CLOCK_ID_MONOTONIC, RECORD_HAVE_MONO },
		{ CLOCK_ID_MONOTONIC_RAW, RECORD_HAVE_RAW },
	};
	struct clock_kstate ks;
	struct strbuf sb = STRBUF_INIT;
	char err[UTIL_ERRMAX];

	r->real_ns = snap->v[CLOCK_ID_REALTIME];
	r->unc_s = (double)snap->width_ns * 1e-9;
	r->have &= ~(RECORD_HAVE_BOOT | RECORD_HAVE_MONO | RECORD_HAVE_RAW |
		     RECORD_HAVE_KSTATE);
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(clocks); i++) {
		int64_t v = snap->v[clocks[i].id];

		if (!(snap->present & (1u << clocks[i].id)))
			continue;
		r->have |= clocks[i].bit;
		if (clocks[i].bit == RECORD_HAVE_BOOT)
			r->boot_ns = v;
		else if (clocks[i].bit == RECORD_HAVE_MONO)
			r->mono_ns = v;
		else
			r->raw_ns = v;
	}
	if (!clock_kstate_read(&ks, err)) {
		r->have |= RECORD_HAVE_KSTATE;
		r->freq_ppm = ks.freq_ppm;
		r->maxerror_s = ks.maxerror_s;
		r->sync = ks.state != TIME_ERROR && !(ks.status & STA_UNSYNC);
	}
	r->clocksource[0] = r->boot_id[0] = 0;
	if (!sysroot_read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource",
			       &sb, err))
		snprintf(r->clocksource, sizeof(r->clocksource), "%s", sb.buf);
	if (!sysroot_read_line("/proc/sys/kernel/random/boot_id", &sb, err))
		snprintf(r->boot_id, sizeof(r->boot_id), "%s", sb.buf);
	strbuf_release(&sb);
	record_short_hostname(r->host, sizeof(r->host));
}
