/*
 * analysis.h - pure analysis over sample arrays: robust drift fits and step
 * detection, plus the measurement summary that diagnose, report and the
 * rules share.
 *
 * Units and signs: times in seconds on a monotonic axis; offsets in
 * seconds, positive = the reference is ahead of this clock; drift in ppm,
 * positive = this clock runs fast against the reference (so a fast clock
 * has an offset series with negative slope: drift_ppm = -slope * 1e6).
 */
#ifndef HV_ANALYSIS_H
#define HV_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>

#include "clock.h"

/* One point of an offset series. */
struct analysis_point {
	double t_s;        /* monotonic time of the sample, s */
	double offset_s;   /* reference - clock, s */
	double delay_s;    /* NTP round-trip delay, s (0 when not from NTP) */
};

struct analysis_fit {
	bool valid;        /* enough points (>= 3 used) */
	size_t n_total, n_used;
	double drift_ppm;      /* ppm, positive = clock fast */
	double drift_se_ppm;   /* standard error, ppm */
	double offset_at_end_s;/* fitted offset at the last point, s */
	double residual_rms_s; /* of the points used, s */
	double span_s;         /* time covered by the points used, s */
};

/*
 * Robust straight-line fit of offset against time: points whose delay is
 * far above the minimum are dropped (their offset error is up to half the
 * extra delay) and the rest weighted by their extra delay; a Theil-Sen
 * start, then weighted least squares with iterative rejection of points
 * beyond ANALYSIS_REJECT_SIGMAS robust sigmas (1.4826 * MAD of the
 * residuals). A single wild point does not move the result; up to about a
 * quarter of the points may be wild. Points with a non-finite value are
 * ignored; delay_s <= 0 means "no delay known" (no delay filtering).
 */
#define ANALYSIS_REJECT_SIGMAS 3.5
void analysis_fit(const struct analysis_point *p, size_t n,
		  struct analysis_fit *out);
/*
 * Plain unweighted least squares over every finite point: the naive fit,
 * for comparison in tests and benchmarks only.
 */
void analysis_fit_ols(const struct analysis_point *p, size_t n,
		      struct analysis_fit *out);

/*
 * The k-th smallest of v[0..n) (0-based; n > 0), by quickselect: v is
 * reordered so that v[0..k) <= v[k]. Linear on average (medians for the
 * fits and the report's typical interval).
 */
double analysis_select_kth(double *v, size_t n, size_t k);

/* A step of REALTIME against MONOTONIC between two local polls. */
struct analysis_step {
	double t_s;            /* monotonic time of the step (midpoint), s */
	clock_real_ns at_real; /* REALTIME just after it */
	double size_s;         /* s, positive = forward, negative = backward */
	double uncertainty_s;  /* from the read brackets, s */
	double gap_s;          /* time between the two polls, s (when = t_s +/- gap_s/2) */
};

/*
 * Scans consecutive snaps for changes of REALTIME - MONOTONIC beyond
 * threshold_s plus the read uncertainty of the two snaps (half of each
 * bracket width). The kernel slews MONOTONIC exactly as it slews REALTIME
 * (adjtime, adjtimex frequency and PLL), so only steps move the difference
 * (settimeofday, clock_settime, ADJ_SETOFFSET, a leap second): the
 * threshold only has to exceed the clocks' resolution. Returns the number
 * of steps written (at most max; more are not counted). Snaps lacking
 * REALTIME or MONOTONIC are skipped.
 */
size_t analysis_find_steps(const struct clock_snap *s, size_t n,
			   double threshold_s, struct analysis_step *out,
			   size_t max);

#define MEASUREMENT_MAX_STEPS 64

/* What diagnose measured (or report reconstructed); input to the rules. */
struct measurement {
	bool have_ntp;             /* an NTP comparison was made */
	char ntp_why[160];         /* why not, when have_ntp is false */
	char server[300];          /* the reference used */
	double duration_s;         /* s */
	size_t n_ntp;              /* NTP samples used */
	double offset_s;           /* offset now, s (reference - clock): the fit at the last sample */
	double offset_delay_s;     /* the last sample's delay, s */
	struct analysis_fit drift_system;  /* REALTIME vs reference */
	struct analysis_fit drift_raw;     /* raw clocksource vs reference */
	char raw_clock[16];        /* "monotonic_raw" or "tsc" or "" */
	bool kernel_freq_known;
	double kernel_freq_ppm;    /* adjtimex freq, ppm */
	size_t n_steps;
	struct analysis_step steps[MEASUREMENT_MAX_STEPS];
	double read_cost_ns[CLOCK_ID_COUNT]; /* per clock, median, ns; <0 = absent */
	double read_cost_min_ns[CLOCK_ID_COUNT]; /* per clock, fastest, ns; <0 = absent */
};

/* The largest backward step (most negative size), or NULL. */
const struct analysis_step *measurement_worst_backward(const struct measurement *m);

#endif
