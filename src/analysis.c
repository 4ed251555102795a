/*
 * analysis.c - robust drift fits and step detection over sample arrays.
 *
 * The drift fit follows what NTP practice teaches about offset samples:
 * the error of an offset is bounded by half the round-trip delay, and the
 * sample with the smallest delay is the most trustworthy (Mills' clock
 * filter, chrony's distance weighting). So points whose delay is far above
 * the minimum are dropped, the rest are weighted by their extra delay, and
 * what is left is fitted by weighted least squares. Offsets can still be
 * wrong without a delay to show it (a server hiccup, a descheduled reader
 * between two clock reads), so the fit starts from a Theil-Sen line (the
 * median of pairwise slopes, which ignores up to 29% wild points) and
 * rejects points beyond a few robust sigmas, iterating until the set of
 * points used no longer changes.
 *
 * Pure: data in, data out; no clock is read here.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "util.h"

/* MAD -> sigma for normally distributed residuals. */
#define MAD_TO_SIGMA 1.4826
/* Smallest robust sigma, s: below this, residuals are rounding noise. */
#define SIGMA_FLOOR_S 1e-9
/* A point is dropped when its extra delay exceeds this many times the
 * median extra delay, DELAY_FLOOR_S, and what the scatter explains. */
#define DELAY_KEEP_FACTOR 4.0
#define DELAY_FLOOR_S 1e-6
/* Theil-Sen on at most this many points (pairs grow with the square). */
#define THEILSEN_MAX 128
/* Points that set the base scatter: the best quarter by delay, at least. */
#define LOW_DELAY_MIN 8
#define MAX_ITER 30

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Median-of-three pivot: the fits take a median at every iteration, so
 * this is on the report's hot path (a year of records, thousands of fits).
 */
double analysis_select_kth(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, i = lo, j = hi;
		double a = v[lo], b = v[mid], c = v[hi], pivot;

		pivot = a < b ? (b < c ? b : (a < c ? c : a))
			      : (a < c ? a : (b < c ? c : b));
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				double t = v[i];

				v[i] = v[j];
				v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return v[k];
}

/* Median of v[0..n) (reorders v). n > 0. */
HV_TESTABLE double median(double *v, size_t n);
HV_TESTABLE double median(double *v, size_t n)
{
	double hi = analysis_select_kth(v, n, n / 2), lo;

	if (n % 2)
		return hi;
	/* v[0..n/2) now holds the lower half: its largest is the other middle. */
	lo = v[0];
	for (size_t i = 1; i < n / 2; i++)
		if (v[i] > lo)
			lo = v[i];
	return 0.5 * (lo + hi);
}

static bool point_ok(const struct analysis_point *p)
{
	return isfinite(p->t_s) && isfinite(p->offset_s) && isfinite(p->delay_s);
}

struct line {
	double tc;     /* centre of the time axis, s */
	double a;      /* offset at tc, s */
	double b;      /* slope, s/s */
	double se_b;   /* standard error of b */
	bool ok;
};

static double line_at(const struct line *l, double t)
{
	return l->a + l->b * (t - l->tc);
}

/* Weighted least squares over the points with use[i]; w may be NULL. */
static void wls(const struct analysis_point *p, size_t n, const bool *use,
		const double *w, struct line *l)
{
	double sw = 0, st = 0, sy = 0, stt = 0, sty = 0, ssr = 0;
	size_t m = 0;

	memset(l, 0, sizeof(*l));
	for (size_t i = 0; i < n; i++) {
		double wi = w ? w[i] : 1.0;

		if (!use[i])
			continue;
		sw += wi;
		st += wi * p[i].t_s;
		sy += wi * p[i].offset_s;
		m++;
	}
	if (m < 2 || sw <= 0)
		return;
	l->tc = st / sw;
	sy /= sw;
	for (size_t i = 0; i < n; i++) {
		double wi = w ? w[i] : 1.0, dt;

		if (!use[i])
			continue;
		dt = p[i].t_s - l->tc;
		stt += wi * dt * dt;
		sty += wi * dt * (p[i].offset_s - sy);
	}
	if (!(stt > 0))
		return;
	l->b = sty / stt;
	l->a = sy;
	l->ok = true;
	if (m < 3)
		return;
	/*
	 * Weights are relative, so scale them to a mean of 1: the residual
	 * variance then estimates a unit-weight point's variance and the
	 * slope's variance is that over the weighted spread of t.
	 */
	for (size_t i = 0; i < n; i++) {
		double wi = w ? w[i] : 1.0, r;

		if (!use[i])
			continue;
		r = p[i].offset_s - line_at(l, p[i].t_s);
		ssr += wi * r * r;
	}
	l->se_b = sqrt((ssr / sw * (double)m / (double)(m - 2)) /
		       (stt / sw * (double)m));
}

/* Theil-Sen line over (an even subsample of) the points with use[i]. */
static void theil_sen(const struct analysis_point *p, size_t n,
		      const bool *use, struct line *l)
{
	size_t *idx = xmalloc(n * sizeof(*idx));
	size_t m = 0, k = 0, np = 0;
	double *slopes, *icpt;

	memset(l, 0, sizeof(*l));
	for (size_t i = 0; i < n; i++)
		if (use[i])
			idx[m++] = i;
	if (m < 2) {
		free(idx);
		return;
	}
	/* Even subsample by index: keeps the time span, bounds the pairs. */
	if (m > THEILSEN_MAX) {
		for (size_t j = 0; j < THEILSEN_MAX; j++)
			idx[j] = idx[j * (m - 1) / (THEILSEN_MAX - 1)];
		m = THEILSEN_MAX;
	}
	slopes = xmalloc(m * (m - 1) / 2 * sizeof(*slopes));
	for (size_t i = 0; i < m; i++)
		for (size_t j = i + 1; j < m; j++) {
			double dt = p[idx[j]].t_s - p[idx[i]].t_s;

			if (dt != 0)
				slopes[np++] = (p[idx[j]].offset_s -
						p[idx[i]].offset_s) / dt;
		}
	if (np == 0) {
		free(slopes);
		free(idx);
		return;
	}
	l->b = median(slopes, np);
	free(slopes);
	icpt = xmalloc(m * sizeof(*icpt));
	l->tc = p[idx[0]].t_s;
	for (size_t i = 0; i < m; i++)
		icpt[k++] = p[idx[i]].offset_s - l->b * (p[idx[i]].t_s - l->tc);
	l->a = median(icpt, k);
	l->ok = true;
	free(icpt);
	free(idx);
}

static void fill_out(const struct analysis_point *p, size_t n,
		     const bool *use, const struct line *l,
		     struct analysis_fit *out)
{
	double tmin = INFINITY, tmax = -INFINITY, tlast = -INFINITY, ss = 0;
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		if (point_ok(&p[i]) && p[i].t_s > tlast)
			tlast = p[i].t_s;
		if (!use[i])
			continue;
		double r = p[i].offset_s - line_at(l, p[i].t_s);

		ss += r * r;
		m++;
		if (p[i].t_s < tmin)
			tmin = p[i].t_s;
		if (p[i].t_s > tmax)
			tmax = p[i].t_s;
	}
	out->n_used = m;
	if (!l->ok || m < 3)
		return;
	out->valid = true;
	out->drift_ppm = -l->b * 1e6;
	out->drift_se_ppm = l->se_b * 1e6;
	out->offset_at_end_s = line_at(l, tlast);
	out->residual_rms_s = sqrt(ss / (double)m);
	out->span_s = tmax - tmin;
}

void analysis_fit_ols(const struct analysis_point *p, size_t n,
		      struct analysis_fit *out)
{
	bool *use = xcalloc(n ? n : 1, sizeof(*use));
	struct line l;

	memset(out, 0, sizeof(*out));
	out->n_total = n;
	for (size_t i = 0; i < n; i++)
		use[i] = point_ok(&p[i]);
	wls(p, n, use, NULL, &l);
	fill_out(p, n, use, &l, out);
	free(use);
}

/*
 * Extra delay of each point over the smallest (0 when no delays are
 * known) into ex[]; returns the median extra delay of the points in use.
 */
static double delay_excess(const struct analysis_point *p, size_t n,
			   const bool *use, double *ex, double *tmp)
{
	double dmin = INFINITY;
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		if (use[i] && p[i].delay_s > 0 && p[i].delay_s < dmin)
			dmin = p[i].delay_s;
	for (size_t i = 0; i < n; i++) {
		ex[i] = use[i] && isfinite(dmin) && p[i].delay_s > 0 ?
			p[i].delay_s - dmin : 0;
		if (use[i])
			tmp[m++] = ex[i];
	}
	return m ? median(tmp, m) : 0;
}

/*
 * The extra delay below which lie the best quarter of the points in use,
 * but at least LOW_DELAY_MIN points (all of them when there are fewer).
 */
static double low_quantile(const double *ex, const bool *use, size_t n,
			   double *tmp)
{
	size_t m = 0, k;

	for (size_t i = 0; i < n; i++)
		if (use[i])
			tmp[m++] = ex[i];
	if (!m)
		return 0;
	qsort(tmp, m, sizeof(*tmp), cmp_double);
	k = m / 4 > LOW_DELAY_MIN ? m / 4 : LOW_DELAY_MIN;
	return tmp[(k < m ? k : m) - 1];
}

/* 1.4826 * median |residual| of the points with use[i] against l. */
static double robust_sigma(const struct analysis_point *p, size_t n,
			   const bool *use, const struct line *l, double *tmp)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		if (use[i])
			tmp[m++] = fabs(p[i].offset_s - line_at(l, p[i].t_s));
	return m ? util_fmax(MAD_TO_SIGMA * median(tmp, m), SIGMA_FLOOR_S)
		 : SIGMA_FLOOR_S;
}

void analysis_fit(const struct analysis_point *p, size_t n,
		  struct analysis_fit *out)
{
	size_t nn = n ? n : 1;
	bool *cand = xcalloc(nn, sizeof(*cand));   /* passed the delay filter */
	bool *use = xcalloc(nn, sizeof(*use));     /* currently fitted */
	bool *next = xcalloc(nn, sizeof(*next));
	double *ex = xcalloc(nn, sizeof(*ex));
	double *w = xcalloc(nn, sizeof(*w));
	double *tmp = xmalloc(nn * sizeof(*tmp));
	double s0, med_e, low_e, thr;
	size_t ncand;
	struct line l;

	memset(out, 0, sizeof(*out));
	out->n_total = n;
	for (size_t i = 0; i < n; i++)
		cand[i] = point_ok(&p[i]);
	/*
	 * s0: the scatter of the points with the shortest delays (the best
	 * quarter, at least LOW_DELAY_MIN of them) around a Theil-Sen line
	 * through them: the noise every point has, without the queueing some
	 * have on top. An extra delay e can
	 * shift an offset by up to e/2: a point whose e/2 is far beyond s0 is
	 * dropped, the others weighted by 1 / (s0^2 + (e/2)^2). Where the
	 * scatter dominates the weights are nearly equal.
	 */
	med_e = delay_excess(p, n, cand, ex, tmp);
	low_e = low_quantile(ex, cand, n, tmp);
	for (size_t i = 0; i < n; i++)
		next[i] = cand[i] && ex[i] <= low_e;
	memset(&l, 0, sizeof(l));
	theil_sen(p, n, next, &l);
	s0 = l.ok ? robust_sigma(p, n, next, &l, tmp) : SIGMA_FLOOR_S;
	thr = util_fmax(util_fmax(DELAY_KEEP_FACTOR * med_e, DELAY_FLOOR_S),
		   2 * ANALYSIS_REJECT_SIGMAS * s0);
	ncand = 0;
	for (size_t i = 0; i < n; i++) {
		if (cand[i] && ex[i] > thr)
			cand[i] = false;
		ncand += cand[i];
	}
	if (ncand >= 2)
		theil_sen(p, n, cand, &l);
	else
		l.ok = false;
	for (size_t i = 0; i < n; i++)
		w[i] = 1.0 / (s0 * s0 + 0.25 * ex[i] * ex[i]);
	memcpy(use, cand, n * sizeof(*use));
	for (int iter = 0; l.ok && iter < MAX_ITER; iter++) {
		double lim = ANALYSIS_REJECT_SIGMAS * robust_sigma(p, n, cand, &l, tmp);
		size_t kept = 0;
		bool same = true;

		for (size_t i = 0; i < n; i++) {
			next[i] = cand[i] &&
				  fabs(p[i].offset_s - line_at(&l, p[i].t_s)) <= lim;
			kept += next[i];
		}
		/* At least half the points lie within one MAD, so kept only
		 * falls short on degenerate input: keep what we had. */
		if (kept < 3)
			break;
		for (size_t i = 0; i < n; i++)
			same &= next[i] == use[i];
		if (same && iter > 0)
			break;
		memcpy(use, next, n * sizeof(*use));
		wls(p, n, use, w, &l);
	}
	fill_out(p, n, use, &l, out);
	if (!l.ok)
		out->n_used = 0;
	free(cand);
	free(use);
	free(next);
	free(ex);
	free(w);
	free(tmp);
}

size_t analysis_find_steps(const struct clock_snap *s, size_t n,
			   double threshold_s, struct analysis_step *out,
			   size_t max)
{
	const unsigned need = (1u << CLOCK_ID_REALTIME) | (1u << CLOCK_ID_MONOTONIC);
	const struct clock_snap *prev = NULL;
	size_t found = 0;

	for (size_t i = 0; i < n && found < max; i++) {
		int64_t d;
		double unc_s, size_s;

		if ((s[i].present & need) != need)
			continue;
		if (!prev) {
			prev = &s[i];
			continue;
		}
		/* Differences of differences in int64 ns: wall-clock values
		 * near 1.8e18 ns would lose their nanoseconds in a double. */
		d = (s[i].v[CLOCK_ID_REALTIME] - s[i].v[CLOCK_ID_MONOTONIC]) -
		    (prev->v[CLOCK_ID_REALTIME] - prev->v[CLOCK_ID_MONOTONIC]);
		size_s = (double)d * 1e-9;
		unc_s = 0.5 * (double)(llabs(s[i].width_ns) + llabs(prev->width_ns)) * 1e-9;
		if (fabs(size_s) > threshold_s + unc_s) {
			struct analysis_step *st = &out[found++];

			st->t_s = 0.5 * ((double)prev->v[CLOCK_ID_MONOTONIC] +
					 (double)s[i].v[CLOCK_ID_MONOTONIC]) * 1e-9;
			st->at_real = s[i].v[CLOCK_ID_REALTIME];
			st->size_s = size_s;
			st->uncertainty_s = unc_s;
			st->gap_s = (double)(s[i].v[CLOCK_ID_MONOTONIC] -
					     prev->v[CLOCK_ID_MONOTONIC]) * 1e-9;
		}
		prev = &s[i];
	}
	return found;
}

const struct analysis_step *measurement_worst_backward(const struct measurement *m)
{
	const struct analysis_step *worst = NULL;
	size_t n = m->n_steps < MEASUREMENT_MAX_STEPS ? m->n_steps
						       : MEASUREMENT_MAX_STEPS;

	for (size_t i = 0; i < n; i++)
		if (m->steps[i].size_s < 0 &&
		    (!worst || m->steps[i].size_s < worst->size_s))
			worst = &m->steps[i];
	return worst;
}
