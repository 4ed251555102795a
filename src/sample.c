/*
 * sample.c - the clock sampler: read costs, local polls with step
 * detection, NTP samples, and the reduction of a run to a measurement.
 *
 * Why poll at all between NTP queries: a step of the system clock shows at
 * the next NTP query only as an offset jump, mixed with the drift and the
 * network noise, and its moment is lost. REALTIME - MONOTONIC changes only
 * when the clock is stepped (the kernel slews both alike), so comparing it
 * between two cheap polls 10 ms apart finds a step, its size to the read
 * uncertainty (tens of ns), and its moment to the poll interval.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sample.h"
#include "util.h"

#define COST_BATCHES 64
#define COST_READS 16
#define BIT(id) (1u << (id))

void sample_opts_default(struct sample_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->duration_s = 60;
	o->interval_s = 2;
	o->poll_s = 0.01;
	o->step_threshold_s = 100e-6;
	o->snap_tries = 3;
	o->max_ntp = 100000;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void sample_read_cost(double median_ns[CLOCK_ID_COUNT],
		      double min_ns[CLOCK_ID_COUNT])
{
	double per[COST_BATCHES];
	int64_t overhead = INT64_MAX;

	/* The cost of the two timing reads themselves: nothing between them. */
	for (int b = 0; b < COST_BATCHES; b++) {
		int64_t m0, m1;

		if (clock_read(CLOCK_ID_MONOTONIC, &m0) ||
		    clock_read(CLOCK_ID_MONOTONIC, &m1))
			break;
		if (m1 - m0 < overhead)
			overhead = m1 - m0;
	}
	if (overhead == INT64_MAX)
		overhead = 0;
	for (int id = 0; id < CLOCK_ID_COUNT; id++) {
		int nb = 0;

		median_ns[id] = min_ns[id] = -1;
		if (!clock_available((enum clock_id)id))
			continue;
		for (int b = 0; b < COST_BATCHES; b++) {
			int64_t m0, m1, v;
			bool ok = true;

			if (clock_read(CLOCK_ID_MONOTONIC, &m0))
				break;
			for (int k = 0; k < COST_READS; k++)
				ok &= !clock_read((enum clock_id)id, &v);
			if (clock_read(CLOCK_ID_MONOTONIC, &m1) || !ok)
				break;
			per[nb++] = util_fmax(0, (double)(m1 - m0 - overhead) / COST_READS);
		}
		if (!nb)
			continue;
		qsort(per, (size_t)nb, sizeof(per[0]), cmp_double);
		min_ns[id] = per[0];
		median_ns[id] = nb % 2 ? per[nb / 2] : 0.5 * (per[nb / 2 - 1] + per[nb / 2]);
	}
}

static void live_sleep(int64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };

	/* EINTR: a signal; the caller's stop hook decides, not us. */
	nanosleep(&ts, NULL);
}

static double rel_s(const struct sample_result *r, int64_t mono)
{
	return (double)(mono - r->first.v[CLOCK_ID_MONOTONIC]) * 1e-9;
}

static void add_steps(struct sample_result *r, const struct clock_snap *a,
		      const struct clock_snap *b, double threshold_s)
{
	struct clock_snap pair[2] = { *a, *b };
	struct analysis_step st;

	if (!analysis_find_steps(pair, 2, threshold_s, &st, 1))
		return;
	st.t_s -= (double)r->first.v[CLOCK_ID_MONOTONIC] * 1e-9;
	if (r->n_steps < MEASUREMENT_MAX_STEPS)
		r->steps[r->n_steps] = st;
	r->n_steps++;
}

static double steps_before(const struct sample_result *r, double t_s)
{
	double sum = 0;
	size_t n = r->n_steps < MEASUREMENT_MAX_STEPS ? r->n_steps
						      : MEASUREMENT_MAX_STEPS;

	for (size_t i = 0; i < n; i++)
		if (r->steps[i].t_s < t_s)
			sum += r->steps[i].size_s;
	return sum;
}

static enum clock_id raw_clock(unsigned present)
{
	if (present & BIT(CLOCK_ID_MONOTONIC_RAW))
		return CLOCK_ID_MONOTONIC_RAW;
	if (present & BIT(CLOCK_ID_TSC))
		return CLOCK_ID_TSC;
	return CLOCK_ID_COUNT;
}

/* REALTIME - MONOTONIC of a snap, ns. */
static int64_t real_minus_mono(const struct clock_snap *s)
{
	return s->v[CLOCK_ID_REALTIME] - s->v[CLOCK_ID_MONOTONIC];
}

/*
 * Adds one NTP reply. Its before/after snaps place it on the MONOTONIC
 * axis and tie it to the raw clock; when the SNTP layer did not fill them,
 * the sampler's own snaps around the call stand in (coarser: they include
 * name resolution and retries). A reply during which the clock stepped is
 * dropped: its offset belongs to neither side of the step.
 */
static void add_ntp(struct sample_result *r, const struct sample_opts *o,
		    const struct sntp_sample *s, int source,
		    const struct clock_snap *pre, const struct clock_snap *post)
{
	const unsigned need = BIT(CLOCK_ID_REALTIME) | BIT(CLOCK_ID_MONOTONIC);
	const struct clock_snap *a = &s->before, *b = &s->after;
	enum clock_id raw = raw_clock(r->present);
	struct sample_ntp *n;
	double unc;

	if ((a->present & need) != need || (b->present & need) != need) {
		a = pre;
		b = post;
	}
	unc = 0.5 * (double)(a->width_ns + b->width_ns) * 1e-9;
	if (fabs((double)(real_minus_mono(b) - real_minus_mono(a)) * 1e-9) >
	    o->step_threshold_s + unc) {
		r->n_ntp_discarded++;
		return;
	}
	if (r->n_ntp >= o->max_ntp) {
		r->n_ntp_discarded++;
		return;
	}
	util_grow((void **)&r->ntp, &r->ntp_cap, r->n_ntp + 1, sizeof(*r->ntp));
	n = &r->ntp[r->n_ntp++];
	memset(n, 0, sizeof(*n));
	n->t_s = rel_s(r, a->v[CLOCK_ID_MONOTONIC] +
			  (b->v[CLOCK_ID_MONOTONIC] - a->v[CLOCK_ID_MONOTONIC]) / 2);
	n->offset_s = s->offset_s;
	n->delay_s = s->delay_s;
	n->real_ns = a->v[CLOCK_ID_REALTIME] +
		     (b->v[CLOCK_ID_REALTIME] - a->v[CLOCK_ID_REALTIME]) / 2;
	if (raw != CLOCK_ID_COUNT && (a->present & b->present & BIT(raw))) {
		n->raw = a->v[raw] + (b->v[raw] - a->v[raw]) / 2;
		n->have_raw = true;
	}
	n->source = source;
	n->step_sum_s = steps_before(r, n->t_s);
	r->last_sntp = *s;
}

static bool stopping(const struct sample_hooks *h)
{
	return h && h->stop && h->stop(h->ctx);
}

int sample_run(const struct sample_opts *o, const struct sample_hooks *h,
	       struct sample_result *r, char *err)
{
	const int64_t poll_ns = (int64_t)llround(util_fmax(o->poll_s, 1e-4) * 1e9);
	const double interval = util_fmax(o->interval_s, 1e-3);
	struct clock_snap prev, cur;
	double next_query = 0, next_progress = 1;
	/* Bounded in count as well as in time: every iteration sleeps a poll
	 * or makes a query, so this many cannot be reached by a sane clock. */
	const double max_iter = 4 * (o->duration_s / util_fmax(o->poll_s, 1e-4) +
				     o->duration_s / interval) + 1000;

	memset(r, 0, sizeof(*r));
	r->duration_s = o->duration_s;
	for (int id = 0; id < CLOCK_ID_COUNT; id++)
		if (clock_available((enum clock_id)id))
			r->present |= BIT(id);
	if (!(r->present & BIT(CLOCK_ID_MONOTONIC)))
		return util_err(err, "cannot read CLOCK_MONOTONIC");
	sample_read_cost(r->cost_median_ns, r->cost_min_ns);
	r->kstate_known = !clock_kstate_read(&r->kstate_start, r->kstate_why);
	if (clock_snap_read(&prev, o->snap_tries))
		return util_errno(err, errno, "cannot read CLOCK_MONOTONIC");
	r->first = r->last = prev;
	r->n_polls = 1;

	for (double iter = 0; iter < max_iter && !stopping(h); iter++) {
		double now = rel_s(r, prev.v[CLOCK_ID_MONOTONIC]), wait;
		bool queried = false;

		if (now >= o->duration_s)
			break;
		if (h && h->query && now >= next_query) {
			struct sntp_sample s;
			struct clock_snap pre = prev, post;
			char qerr[UTIL_ERRMAX] = "";
			int source = 0;

			memset(&s, 0, sizeof(s));
			if (h->query(h->ctx, &s, &source, qerr) == 0) {
				if (clock_snap_read(&post, o->snap_tries))
					return util_errno(err, errno, "cannot read CLOCK_MONOTONIC");
				add_ntp(r, o, &s, source, &pre, &post);
			} else {
				r->n_ntp_failed++;
				memcpy(r->ntp_error, qerr, sizeof(r->ntp_error));
			}
			/* Keep the schedule; after a long timeout skip the
			 * slots that passed rather than firing them at once. */
			next_query += interval;
			queried = true;
		} else {
			wait = util_fmin(o->duration_s - now, o->poll_s);
			if (h && h->query)
				wait = util_fmin(wait, next_query - now);
			if (wait > 0) {
				int64_t ns = (int64_t)llround(wait * 1e9);

				ns = ns < poll_ns ? ns : poll_ns;
				if (h && h->sleep_ns)
					h->sleep_ns(h->ctx, ns);
				else
					live_sleep(ns);
			}
		}
		if (clock_snap_read(&cur, o->snap_tries))
			return util_errno(err, errno, "cannot read CLOCK_MONOTONIC");
		add_steps(r, &prev, &cur, o->step_threshold_s);
		r->max_gap_s = util_fmax(r->max_gap_s, (double)(cur.v[CLOCK_ID_MONOTONIC] -
							    prev.v[CLOCK_ID_MONOTONIC]) * 1e-9);
		r->n_polls++;
		prev = cur;
		r->last = cur;
		r->elapsed_s = rel_s(r, cur.v[CLOCK_ID_MONOTONIC]);
		while (queried && next_query <= r->elapsed_s)
			next_query += interval;
		if (h && h->progress && (queried || r->elapsed_s >= next_progress)) {
			h->progress(h->ctx, r, r->elapsed_s);
			while (next_progress <= r->elapsed_s)
				next_progress += 1;
		}
	}
	if (r->kstate_known)
		r->kstate_known = !clock_kstate_read(&r->kstate_end, r->kstate_why);
	return 0;
}

void sample_result_release(struct sample_result *r)
{
	free(r->ntp);
	r->ntp = NULL;
	r->n_ntp = r->ntp_cap = 0;
}

/* The reference with the most samples, for source < 0. */
static int pick_source(const struct sample_result *r, int source)
{
	int best = -1;
	size_t best_n = 0;

	if (source >= 0)
		return source;
	for (size_t i = 0; i < r->n_ntp; i++) {
		size_t c = 0;

		for (size_t j = 0; j < r->n_ntp; j++)
			c += r->ntp[j].source == r->ntp[i].source;
		if (c > best_n) {
			best_n = c;
			best = r->ntp[i].source;
		}
	}
	return best;
}

/*
 * The kernel's correction of MONOTONIC over the raw clock, as a fraction:
 * adjtimex freq plus the tick's departure from its nominal length
 * (averaged over the start and end of the run).
 */
static double kernel_correction(const struct sample_result *r)
{
	long hz = sysconf(_SC_CLK_TCK);
	double nominal_us = 1e6 / (double)(hz > 0 ? hz : 100), c = 0;
	const struct clock_kstate *k[2] = { &r->kstate_start, &r->kstate_end };

	if (!r->kstate_known)
		return 0;
	for (int i = 0; i < 2; i++) {
		c += k[i]->freq_ppm * 1e-6;
		if (k[i]->tick_us > 0)
			c += ((double)k[i]->tick_us - nominal_us) / nominal_us;
	}
	return c / 2;
}

double sample_tsc_hz(const struct sample_result *r)
{
	int64_t dt, dm;

	if (raw_clock(r->present) != CLOCK_ID_TSC ||
	    !(r->first.present & r->last.present & BIT(CLOCK_ID_TSC)))
		return 0;
	dt = r->last.v[CLOCK_ID_TSC] - r->first.v[CLOCK_ID_TSC];
	dm = r->last.v[CLOCK_ID_MONOTONIC] - r->first.v[CLOCK_ID_MONOTONIC];
	if (dt <= 0 || dm <= 0)
		return 0;
	/* MONOTONIC runs (1 + correction) times as fast as the raw clock. */
	return (double)dt / ((double)dm * 1e-9 / (1 + kernel_correction(r)));
}

size_t sample_series(const struct sample_result *r, int source, bool raw,
		     struct analysis_point *p)
{
	enum clock_id rid = raw_clock(r->present);
	double tsc_hz = rid == CLOCK_ID_TSC ? sample_tsc_hz(r) : 0;
	const struct sample_ntp *first = NULL;
	size_t m = 0;

	source = pick_source(r, source);
	if (raw && (rid == CLOCK_ID_COUNT || (rid == CLOCK_ID_TSC && tsc_hz <= 0)))
		return 0;
	for (size_t i = 0; i < r->n_ntp; i++) {
		const struct sample_ntp *s = &r->ntp[i];

		if (s->source != source)
			continue;
		p[m].t_s = s->t_s;
		p[m].delay_s = s->delay_s;
		if (!raw) {
			p[m++].offset_s = s->offset_s + s->step_sum_s;
			continue;
		}
		if (!s->have_raw)
			continue;
		if (!first)
			first = s;
		/*
		 * reference - raw = (reference - REALTIME) + (REALTIME - raw),
		 * less a constant. A REALTIME step is in both terms and cancels.
		 * Differences in int64 first: wall-clock ns lose precision in
		 * a double.
		 */
		if (rid == CLOCK_ID_MONOTONIC_RAW)
			p[m].offset_s = s->offset_s +
				(double)((s->real_ns - first->real_ns) - (s->raw - first->raw)) * 1e-9;
		else
			p[m].offset_s = s->offset_s +
				(double)(s->real_ns - first->real_ns) * 1e-9 -
				(double)(s->raw - first->raw) / tsc_hz;
		m++;
	}
	return m;
}

void sample_measure(const struct sample_result *r, int source,
		    struct measurement *m)
{
	struct analysis_point *p = xmalloc((r->n_ntp ? r->n_ntp : 1) * sizeof(*p));
	enum clock_id rid = raw_clock(r->present);
	size_t n;

	memset(m, 0, sizeof(*m));
	source = pick_source(r, source);
	m->duration_s = r->elapsed_s;
	for (size_t i = r->n_ntp; i-- > 0;)
		if (r->ntp[i].source == source) {
			m->have_ntp = true;
			m->offset_s = r->ntp[i].offset_s;
			m->offset_delay_s = r->ntp[i].delay_s;
			break;
		}
	n = sample_series(r, source, false, p);
	m->n_ntp = n;
	analysis_fit(p, n, &m->drift_system);
	/*
	 * Offset now: the fitted line at the last sample, steps put back (the
	 * series has them taken out). One reply can be off by half its extra
	 * delay; the line through all of them is not.
	 */
	if (m->drift_system.valid)
		for (size_t i = r->n_ntp; i-- > 0;)
			if (r->ntp[i].source == source) {
				m->offset_s = m->drift_system.offset_at_end_s -
					      r->ntp[i].step_sum_s;
				break;
			}
	n = sample_series(r, source, true, p);
	analysis_fit(p, n, &m->drift_raw);
	if (rid != CLOCK_ID_COUNT)
		snprintf(m->raw_clock, sizeof(m->raw_clock), "%s", clock_name(rid));
	if (r->kstate_known) {
		m->kernel_freq_known = true;
		m->kernel_freq_ppm = r->kstate_end.freq_ppm;
	}
	m->n_steps = r->n_steps;
	memcpy(m->steps, r->steps, sizeof(m->steps));
	memcpy(m->read_cost_ns, r->cost_median_ns, sizeof(m->read_cost_ns));
	memcpy(m->read_cost_min_ns, r->cost_min_ns, sizeof(m->read_cost_min_ns));
	free(p);
}
