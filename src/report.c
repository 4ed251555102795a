/*
 * report.c - segmentation and report maths over a sample log (report.h).
 *
 * One pass over the lines finds the events (record_compare, the same
 * test hvclock log applies when it writes) and cuts segments at reboots
 * and steps; what a segment needs is kept compactly (40 bytes a record,
 * so a year of per-minute records stays near 20 MB). report_finish()
 * then fits each segment with analysis_fit and looks for gaps, whose
 * threshold depends on the median interval and so has to wait for the
 * end.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"
#include "util.h"

/* One record kept for the maths and the plot. */
struct pt {
	clock_real_ns real_ns;
	double t_s;        /* BOOTTIME (or MONOTONIC, or REALTIME), s */
	double offset_s;   /* NTP offset, s; NaN = none */
	double rawoff_s;   /* the offset MONOTONIC_RAW would have, s; NaN = none */
	float delay_s;
	uint32_t line;
};

/* Streaming least squares of REALTIME - RAW against RAW (Welford). */
struct ols {
	size_t n;
	double mx, my, sxx, sxy;
};

struct seg_state {
	int64_t rmr0_ns;           /* REALTIME - RAW at the first record with RAW */
	int64_t raw0_ns;
	bool have_rmr0;
	struct ols ols;
	double kfreq_sum;
	size_t kfreq_n;
};

struct report {
	struct report_opts o;
	struct record_reader rd;
	struct record recs[2];    /* the previous and the current record */
	struct record *prev, *cur;
	bool have_prev;
	bool prev_in_window;
	struct pt *pts;
	size_t npts, cap_pts;
	struct report_segment *segs;
	size_t nsegs, cap_segs;
	double *fit_tend;          /* per segment: guest time of the last fitted point, s */
	struct seg_state ss;
	struct report_event *ev;
	size_t nev, cap_ev;
	char *warn[REPORT_MAX_WARNINGS];
	size_t nwarn;
	struct report_summary sum;
	char last_server[64];
	bool last_kstate;
	double last_kfreq;
	bool finished;
};

void report_opts_default(struct report_opts *o)
{
	memset(o, 0, sizeof(*o));
	record_cmp_opts_default(&o->cmp);
}

const char *report_event_name(enum report_event_kind k)
{
	switch (k) {
	case REPORT_STEP: return "step";
	case REPORT_REBOOT: return "reboot";
	case REPORT_CLOCKSOURCE: return "clocksource";
	case REPORT_GAP: return "gap";
	}
	return "?";
}

struct report *report_new(const struct report_opts *o)
{
	struct report *r = xcalloc(1, sizeof(*r));

	r->o = *o;
	r->prev = &r->recs[0];
	r->cur = &r->recs[1];
	record_reader_init(&r->rd);
	r->sum.worst_segment = -1;
	r->sum.worst_local_segment = -1;
	return r;
}

void report_free(struct report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nwarn; i++)
		free(r->warn[i]);
	free(r->pts);
	free(r->segs);
	free(r->fit_tend);
	free(r->ev);
	free(r);
}

static void warn(struct report *r, long line, const char *why)
{
	struct strbuf sb = STRBUF_INIT;

	r->sum.n_damaged++;
	if (r->nwarn == REPORT_MAX_WARNINGS)
		return;
	strbuf_addf(&sb, "line %ld: %s", line, why);
	r->warn[r->nwarn++] = strbuf_detach(&sb, NULL);
}

static struct report_event *add_event(struct report *r, enum report_event_kind k,
				      const struct record *cur, long line)
{
	struct report_event *e;

	util_grow((void **)&r->ev, &r->cap_ev, r->nev + 1, sizeof(*r->ev));
	e = &r->ev[r->nev++];
	memset(e, 0, sizeof(*e));
	e->kind = k;
	e->at_ns = cur->real_ns;
	e->before_ns = r->have_prev ? r->prev->real_ns : cur->real_ns;
	e->offset_s = (cur->have & RECORD_HAVE_NTP) ? cur->offset_s : NAN;
	e->before_offset_s = r->have_prev && (r->prev->have & RECORD_HAVE_NTP) ?
			     r->prev->offset_s : NAN;
	e->line = line;
	e->segment = (int)r->nsegs - 1;
	return e;
}

static void close_segment(struct report *r)
{
	struct report_segment *s;
	struct ols *q = &r->ss.ols;

	if (!r->nsegs)
		return;
	s = &r->segs[r->nsegs - 1];
	if (q->n >= 3 && q->sxx > 0) {
		s->local_rate_valid = true;
		s->local_rate_ppm = q->sxy / q->sxx * 1e6;
	}
	if (r->ss.kfreq_n) {
		s->kfreq_valid = true;
		s->kfreq_ppm = r->ss.kfreq_sum / (double)r->ss.kfreq_n;
	}
}

static void open_segment(struct report *r, enum report_cut cut,
			 const struct record *c)
{
	struct report_segment *s;

	close_segment(r);
	util_grow((void **)&r->segs, &r->cap_segs, r->nsegs + 1, sizeof(*r->segs));
	s = &r->segs[r->nsegs++];
	memset(s, 0, sizeof(*s));
	s->cut = cut;
	s->first = r->npts;
	s->start_ns = c->real_ns;
	s->offset_min_s = INFINITY;
	s->offset_max_s = -INFINITY;
	snprintf(s->boot_id, sizeof(s->boot_id), "%s", c->boot_id);
	memset(&r->ss, 0, sizeof(r->ss));
}

static double mono_s(const struct record *c)
{
	if (c->have & RECORD_HAVE_BOOT)
		return (double)c->boot_ns * 1e-9;
	if (c->have & RECORD_HAVE_MONO)
		return (double)c->mono_ns * 1e-9;
	return (double)c->real_ns * 1e-9;
}

/* strcpy within size, without printf's cost (once per record). */
static void set_str(char *dst, const char *src, size_t size)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = 0;
}

static void keep_point(struct report *r, const struct record *c, long line)
{
	struct report_segment *s = &r->segs[r->nsegs - 1];
	struct seg_state *ss = &r->ss;
	struct pt *p;

	util_grow((void **)&r->pts, &r->cap_pts, r->npts + 1, sizeof(*r->pts));
	p = &r->pts[r->npts++];
	p->real_ns = c->real_ns;
	p->t_s = mono_s(c);
	p->offset_s = NAN;
	p->rawoff_s = NAN;
	p->delay_s = 0;
	p->line = (uint32_t)line;
	s->n++;
	s->end_ns = c->real_ns;
	set_str(s->clocksource, c->clocksource, sizeof(s->clocksource));
	if (c->have & RECORD_HAVE_RAW) {
		int64_t rmr = c->real_ns - c->raw_ns;
		struct ols *q = &ss->ols;
		double x, y, dx;

		if (!ss->have_rmr0) {
			ss->have_rmr0 = true;
			ss->rmr0_ns = rmr;
			ss->raw0_ns = c->raw_ns;
		}
		x = (double)(c->raw_ns - ss->raw0_ns) * 1e-9;
		y = (double)(rmr - ss->rmr0_ns) * 1e-9;
		q->n++;
		dx = x - q->mx;
		q->mx += dx / (double)q->n;
		q->my += (y - q->my) / (double)q->n;
		q->sxx += dx * (x - q->mx);
		q->sxy += dx * (y - q->my);
		if (c->have & RECORD_HAVE_NTP)
			p->rawoff_s = c->offset_s + y;
	}
	if (c->have & RECORD_HAVE_NTP) {
		p->offset_s = c->offset_s;
		p->delay_s = (float)c->delay_s;
		s->n_ntp++;
		r->sum.n_ntp++;
		if (c->offset_s < s->offset_min_s)
			s->offset_min_s = c->offset_s;
		if (c->offset_s > s->offset_max_s)
			s->offset_max_s = c->offset_s;
		set_str(r->last_server, c->server, sizeof(r->last_server));
	}
	if (c->have & RECORD_HAVE_KSTATE) {
		ss->kfreq_sum += c->freq_ppm;
		ss->kfreq_n++;
	}
	r->last_kstate = c->have & RECORD_HAVE_KSTATE;
	r->last_kfreq = c->freq_ppm;
	if (!r->sum.n_records)
		r->sum.first_ns = c->real_ns;
	r->sum.last_ns = c->real_ns;
	r->sum.n_records++;
}

static bool in_window(const struct report *r, clock_real_ns t)
{
	return (!r->o.have_since || t >= r->o.since_ns) &&
	       (!r->o.have_until || t <= r->o.until_ns);
}

/*
 * A step record from hvclock watch whose step hvclock log already saw
 * (the logger ran between the step and the watcher's append): the same
 * step, now known to have been seen live.
 */
static bool same_step_as_last(struct report *r, double size)
{
	for (size_t i = r->nev; i-- > 0;) {
		struct report_event *e = &r->ev[i];

		if (e->kind != REPORT_STEP)
			continue;
		if (fabs(e->size_s - size) <= util_fmax(0.01, 0.01 * fabs(size)) &&
		    r->have_prev && r->prev->real_ns - e->at_ns < INT64_C(120000000000)) {
			e->live = true;
			return true;
		}
		return false;
	}
	return false;
}

static void add_record(struct report *r, struct record *c, long line)
{
	unsigned ev = 0;
	double step = 0;
	bool live_step = false, keep;

	if (!r->sum.host[0] && !r->sum.n_other_hosts && !r->have_prev)
		snprintf(r->sum.host, sizeof(r->sum.host), "%s",
			 r->o.host ? r->o.host : c->host);
	if (strcmp(c->host, r->sum.host)) {
		r->sum.n_other_hosts++;
		return;
	}
	if (r->have_prev)
		ev = record_compare(r->prev, c, &r->o.cmp, &step);
	if (c->kind == RECORD_STEP && !(ev & RECORD_EV_REBOOT)) {
		double size = (c->have & RECORD_HAVE_STEP) ? c->step_s : step;

		if ((ev & RECORD_EV_STEP) || !same_step_as_last(r, size)) {
			ev |= RECORD_EV_STEP;
			step = size;
			live_step = true;
		}
	}
	keep = in_window(r, c->real_ns);
	if (keep) {
		if (!r->nsegs || !r->prev_in_window || (ev & RECORD_EV_REBOOT) ||
		    (ev & RECORD_EV_STEP))
			open_segment(r, (ev & RECORD_EV_REBOOT) ? REPORT_CUT_REBOOT :
					(ev & RECORD_EV_STEP) ? REPORT_CUT_STEP :
					REPORT_CUT_START, c);
		if (ev & RECORD_EV_REBOOT) {
			struct report_event *e = add_event(r, REPORT_REBOOT, c, line);

			e->size_s = (double)(c->real_ns - r->prev->real_ns) * 1e-9;
			/* The clock may have been far off before: use NTP's time. */
			if (!isnan(e->offset_s) && !isnan(e->before_offset_s))
				e->size_s += e->offset_s - e->before_offset_s;
			snprintf(e->from, sizeof(e->from), "%s", r->prev->boot_id);
			snprintf(e->to, sizeof(e->to), "%s", c->boot_id);
			r->sum.n_reboots++;
		}
		if (ev & RECORD_EV_STEP) {
			struct report_event *e = add_event(r, REPORT_STEP, c, line);

			e->size_s = step;
			e->live = live_step;
			if (step < 0) {
				r->sum.n_steps_back++;
				if (step < r->sum.largest_back_s) {
					r->sum.largest_back_s = step;
					r->sum.largest_back_at_ns = c->real_ns;
				}
			} else {
				r->sum.n_steps_fwd++;
				if (step > r->sum.largest_fwd_s)
					r->sum.largest_fwd_s = step;
			}
		}
		if (ev & RECORD_EV_CLOCKSOURCE) {
			struct report_event *e = add_event(r, REPORT_CLOCKSOURCE, c, line);

			snprintf(e->from, sizeof(e->from), "%s", r->prev->clocksource);
			snprintf(e->to, sizeof(e->to), "%s", c->clocksource);
			r->sum.n_clocksource_changes++;
		}
		keep_point(r, c, line);
	}
	
	r->have_prev = true;
	r->prev_in_window = keep;
	/* c is r->cur: it becomes the previous one without a copy. */
	r->cur = r->prev;
	r->prev = c;
}

void report_add_line(struct report *r, const char *line, size_t len,
		     bool terminated)
{
	char err[UTIL_ERRMAX];

	r->sum.n_lines++;
	switch (record_reader_line(&r->rd, line, len, terminated, r->cur, err)) {
	case RECORD_LINE_RECORD:
		add_record(r, r->cur, r->rd.lineno);
		break;
	case RECORD_LINE_BAD:
		warn(r, r->rd.lineno, err);
		break;
	case RECORD_LINE_SKIP:
		break;
	}
}

/*
 * Asks for transparent huge pages over a big array: a year's records are
 * 20 MB, 5000 page faults at 4 KB (slow in a VM), a dozen at 2 MB. Only
 * advice: where THP is off nothing changes.
 */
static void huge_pages(void *p, size_t len)
{
	const uintptr_t huge = 2u << 20;
	uintptr_t a = ((uintptr_t)p + huge - 1) & ~(huge - 1);
	uintptr_t b = ((uintptr_t)p + len) & ~(huge - 1);

	if (b > a)
		madvise((void *)a, b - a, MADV_HUGEPAGE);
}

/* Lines longer than this are garbage, not records (which are ~250 bytes). */
#define MAX_LINE (64 * 1024)

int report_read_fd(struct report *r, int fd, const char *name, char *err)
{
	const size_t bufsize = 1 << 20;
	char *buf = xmalloc(bufsize);
	size_t have = 0;
	bool skipping = false;   /* inside an overlong line */
	struct stat st;

	/* Records are about 230 bytes: size the array once, not by doubling. */
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0) {
		util_grow((void **)&r->pts, &r->cap_pts,
			  r->npts + (size_t)(st.st_size / 200) + 16, sizeof(*r->pts));
		huge_pages(r->pts, r->cap_pts * sizeof(*r->pts));
	}

	for (;;) {
		ssize_t n = read(fd, buf + have, bufsize - have);
		char *p, *end, *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return util_errno(err, errno, "cannot read '%s'", name);
		}
		if (n == 0)
			break;
		have += (size_t)n;
		p = buf;
		end = buf + have;
		while ((nl = memchr(p, '\n', (size_t)(end - p)))) {
			if (skipping || nl - p > MAX_LINE) {
				r->rd.lineno++;
				r->sum.n_lines++;
				warn(r, r->rd.lineno, "line too long");
				skipping = false;
			} else {
				report_add_line(r, p, (size_t)(nl - p), true);
			}
			p = nl + 1;
		}
		have = (size_t)(end - p);
		if (have > MAX_LINE) {
			skipping = true;
			have = 0;
		} else {
			memmove(buf, p, have);
		}
	}
	if (skipping) {
		r->rd.lineno++;
		r->sum.n_lines++;
		warn(r, r->rd.lineno, "line too long");
	} else if (have) {
		report_add_line(r, buf, have, false);
	}
	free(buf);
	return 0;
}

/* ------------------------------------------------------------- finish */

/*
 * The fits run on the reference's time axis: the guest's own clock runs
 * fast or slow by the very drift being measured (5% on a bad Hyper-V
 * guest), so its seconds would bias the slope by that much. Reference
 * time elapsed = guest time elapsed + change of offset.
 *
 * A long segment (a week at one record a minute is 10,080 points) is fed
 * to the fit as the lowest-delay record of each run of k consecutive ones,
 * at most REPORT_FIT_MAX points in all: ntpd's clock-filter idea, the
 * best-measured sample of each stretch. It keeps the robust fit (whose
 * medians are linear per iteration) fast on a year of records while
 * the time span, and so the drift's precision, stays the segment's.
 */
#define REPORT_FIT_MAX 512

static void add_fit_point(const struct pt *p, size_t i, double t0, double off0,
			  struct analysis_point *ap, size_t *n,
			  struct analysis_point *raw, size_t *nr)
{
	struct analysis_point *a = &ap[(*n)++];

	a->t_s = p[i].t_s - t0 + (p[i].offset_s - off0);
	a->offset_s = p[i].offset_s;
	a->delay_s = p[i].delay_s;
	if (!isnan(p[i].rawoff_s)) {
		/* The same records for the raw clock, in a second array. */
		raw[*nr] = *a;
		raw[(*nr)++].offset_s = p[i].rawoff_s;
	}
}

static void fit_segment(struct report *r, struct report_segment *s,
			struct analysis_point *ap, double *t_end)
{
	const struct pt *p = &r->pts[s->first];
	double t0 = p[0].t_s, off0 = NAN;
	size_t n = 0, nr = 0, k = (s->n_ntp + REPORT_FIT_MAX - 1) / REPORT_FIT_MAX;
	size_t in_bin = 0, best = 0;

	if (k < 1)
		k = 1;
	s->span_s = p[s->n - 1].t_s - t0;
	for (size_t i = 0; i < s->n; i++) {
		if (isnan(p[i].offset_s))
			continue;
		if (isnan(off0))
			off0 = p[i].offset_s;
		if (!in_bin || p[i].delay_s < p[best].delay_s)
			best = i;
		if (++in_bin == k) {
			add_fit_point(p, best, t0, off0, ap, &n, ap + s->n, &nr);
			in_bin = 0;
		}
	}
	if (in_bin)
		add_fit_point(p, best, t0, off0, ap, &n, ap + s->n, &nr);
	/* analysis_fit's offset_at_end_s is at the last point it was given. */
	*t_end = n ? ap[n - 1].t_s - (ap[n - 1].offset_s - off0) : 0;
	memset(&s->fit, 0, sizeof(s->fit));
	if (n)
		analysis_fit(ap, n, &s->fit);
	memset(&s->fit_raw, 0, sizeof(s->fit_raw));
	if (nr)
		analysis_fit(ap + s->n, nr, &s->fit_raw);
	if (!s->n_ntp)
		s->offset_min_s = s->offset_max_s = NAN;
}

static int cmp_event(const void *a, const void *b)
{
	const struct report_event *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return (int)x->kind - (int)y->kind;
}

static void find_gaps(struct report *r)
{
	double *dt = xmalloc((r->npts ? r->npts : 1) * sizeof(*dt));
	size_t n = 0, si = 0;
	double thr;

	/* Intervals on the monotonic clock, within one boot. */
	for (size_t s = 0; s < r->nsegs; s++)
		for (size_t i = r->segs[s].first + (r->segs[s].cut != REPORT_CUT_STEP || !s);
		     i < r->segs[s].first + r->segs[s].n; i++)
			dt[n++] = r->pts[i].t_s - r->pts[i - 1].t_s;
	r->sum.median_interval_s = n ? analysis_select_kth(dt, n, n / 2) : 0;
	thr = r->o.gap_s > 0 ? r->o.gap_s : util_fmax(3 * r->sum.median_interval_s, 120);
	r->sum.gap_threshold_s = thr;
	free(dt);

	for (size_t i = 1; i < r->npts; i++) {
		double d;

		while (si + 1 < r->nsegs && r->segs[si + 1].first <= i)
			si++;
		if (r->segs[si].first == i && r->segs[si].cut != REPORT_CUT_STEP)
			continue; /* across a reboot or a window edge */
		d = r->pts[i].t_s - r->pts[i - 1].t_s;
		if (d > thr) {
			struct report_event *e;

			util_grow((void **)&r->ev, &r->cap_ev, r->nev + 1, sizeof(*r->ev));
			e = &r->ev[r->nev++];
			memset(e, 0, sizeof(*e));
			e->kind = REPORT_GAP;
			e->at_ns = r->pts[i].real_ns;
			e->before_ns = r->pts[i - 1].real_ns;
			e->offset_s = r->pts[i].offset_s;
			e->before_offset_s = r->pts[i - 1].offset_s;
			e->size_s = d;
			e->line = r->pts[i].line;
			e->segment = (int)si;
			r->sum.n_gaps++;
			r->sum.gap_total_s += d;
		}
	}
}

void report_finish(struct report *r)
{
	struct analysis_point *ap;
	size_t maxn = 1;

	if (r->finished)
		return;
	r->finished = true;
	close_segment(r);
	for (size_t i = 0; i < r->nsegs; i++)
		if (r->segs[i].n > maxn)
			maxn = r->segs[i].n;
	ap = xmalloc(2 * maxn * sizeof(*ap));
	r->fit_tend = xcalloc(r->nsegs ? r->nsegs : 1, sizeof(*r->fit_tend));
	for (size_t i = 0; i < r->nsegs; i++) {
		struct report_segment *s = &r->segs[i];

		fit_segment(r, s, ap, &r->fit_tend[i]);
		if (s->fit.valid && (r->sum.worst_segment < 0 ||
				     fabs(s->fit.drift_ppm) > fabs(r->sum.worst_drift_ppm))) {
			r->sum.worst_segment = (int)i;
			r->sum.worst_drift_ppm = s->fit.drift_ppm;
		}
		if (s->local_rate_valid &&
		    (r->sum.worst_local_segment < 0 ||
		     fabs(s->local_rate_ppm) > fabs(r->sum.worst_local_rate_ppm))) {
			r->sum.worst_local_segment = (int)i;
			r->sum.worst_local_rate_ppm = s->local_rate_ppm;
		}
	}
	free(ap);
	find_gaps(r);
	if (r->nev > 1)
		qsort(r->ev, r->nev, sizeof(*r->ev), cmp_event);
}

/* ------------------------------------------------------------- access */

const struct report_summary *report_summary(const struct report *r)
{
	return &r->sum;
}

size_t report_nsegments(const struct report *r)
{
	return r->nsegs;
}

const struct report_segment *report_segment(const struct report *r, size_t i)
{
	return i < r->nsegs ? &r->segs[i] : NULL;
}

size_t report_nevents(const struct report *r)
{
	return r->nev;
}

const struct report_event *report_event(const struct report *r, size_t i)
{
	return i < r->nev ? &r->ev[i] : NULL;
}

size_t report_nwarnings(const struct report *r)
{
	return r->nwarn;
}

const char *report_warning(const struct report *r, size_t i)
{
	return i < r->nwarn ? r->warn[i] : NULL;
}

size_t report_npoints(const struct report *r)
{
	return r->npts;
}

void report_point(const struct report *r, size_t i, clock_real_ns *at_ns,
		  double *offset_s)
{
	*at_ns = r->pts[i].real_ns;
	*offset_s = r->pts[i].offset_s;
}

double report_fit_at(const struct report *r, size_t i, clock_real_ns t)
{
	const struct report_segment *s = report_segment(r, i);
	double slope, x;

	if (!s || !s->fit.valid || !r->fit_tend)
		return NAN;
	/*
	 * The fit's axis is reference time; the plot's is the guest's
	 * REALTIME, which within a segment moves with guest time. Slope per
	 * reference second s_r = -drift; a guest second is 1 - s_r reference
	 * seconds, so per guest second the slope is s_r / (1 - s_r).
	 */
	slope = -s->fit.drift_ppm * 1e-6;
	x = (double)(t - s->start_ns) * 1e-9;
	return s->fit.offset_at_end_s + slope / (1 - slope) * (x - r->fit_tend[i]);
}

/* The steps for the rules: the largest ones if there are too many. */
static int cmp_abs_size(const void *a, const void *b)
{
	const struct report_event *x = *(const struct report_event *const *)a;
	const struct report_event *y = *(const struct report_event *const *)b;
	double fx = fabs(x->size_s), fy = fabs(y->size_s);

	if (fx != fy)
		return fx > fy ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int cmp_line(const void *a, const void *b)
{
	const struct report_event *x = *(const struct report_event *const *)a;
	const struct report_event *y = *(const struct report_event *const *)b;

	return x->line < y->line ? -1 : x->line > y->line;
}

bool report_measurement(const struct report *r, struct measurement *m)
{
	const struct report_event **steps;
	size_t ns = 0;
	int latest = -1;

	memset(m, 0, sizeof(*m));
	for (int i = 0; i < CLOCK_ID_COUNT; i++)
		m->read_cost_ns[i] = m->read_cost_min_ns[i] = -1;
	if (!r->sum.n_records)
		return false;
	m->duration_s = (double)(r->sum.last_ns - r->sum.first_ns) * 1e-9;
	m->n_ntp = r->sum.n_ntp;
	m->have_ntp = r->sum.n_ntp > 0;
	if (!m->have_ntp)
		snprintf(m->ntp_why, sizeof(m->ntp_why),
			 "the log has no NTP offsets (server unreachable or --no-ntp)");
	snprintf(m->server, sizeof(m->server), "%s", r->last_server);
	for (size_t i = r->npts; i-- > 0;)
		if (!isnan(r->pts[i].offset_s)) {
			m->offset_s = r->pts[i].offset_s;
			m->offset_delay_s = r->pts[i].delay_s;
			break;
		}
	for (size_t i = r->nsegs; i-- > 0 && latest < 0;)
		if (r->segs[i].fit.valid)
			latest = (int)i;
	if (latest >= 0) {
		m->drift_system = r->segs[latest].fit;
		m->drift_raw = r->segs[latest].fit_raw;
		if (m->drift_raw.valid)
			snprintf(m->raw_clock, sizeof(m->raw_clock), "monotonic_raw");
	}
	m->kernel_freq_known = r->last_kstate;
	m->kernel_freq_ppm = r->last_kfreq;

	steps = xmalloc((r->nev ? r->nev : 1) * sizeof(*steps));
	for (size_t i = 0; i < r->nev; i++)
		if (r->ev[i].kind == REPORT_STEP)
			steps[ns++] = &r->ev[i];
	if (ns > MEASUREMENT_MAX_STEPS) {
		qsort(steps, ns, sizeof(*steps), cmp_abs_size);
		ns = MEASUREMENT_MAX_STEPS;
	}
	qsort(steps, ns, sizeof(*steps), cmp_line);
	for (size_t i = 0; i < ns; i++) {
		struct analysis_step *a = &m->steps[m->n_steps++];

		a->t_s = (double)(steps[i]->at_ns - r->sum.first_ns) * 1e-9;
		/* Found between two records: it happened somewhere in between. */
		a->gap_s = steps[i]->live ? 0 :
			   (double)(steps[i]->at_ns - steps[i]->before_ns) * 1e-9 -
			   steps[i]->size_s;
		if (a->gap_s < 0)
			a->gap_s = 0;
		a->at_real = steps[i]->at_ns;
		a->size_s = steps[i]->size_s;
		/* A live step is measured to the read uncertainty; one found
		 * between two runs only to the detection allowance. */
		a->uncertainty_s = steps[i]->live ? 1e-6 : r->o.cmp.step_min_s;
	}
	free(steps);
	return true;
}
