/*
 * sample.h - the clock sampler behind diagnose: reads every clock as a
 * tight sandwich, measures what each read costs, polls the local clocks
 * cheaply between NTP queries so a step is caught when it happens, and
 * turns what it saw into the measurement (analysis.h) that the report and
 * the rules use.
 *
 * Every clock is read through clock.h, and waiting and NTP go through the
 * hooks, so unit tests drive the whole sampler with the fake clock backend
 * and a simulated reference.
 *
 * Units and signs: times t_s are seconds of CLOCK_MONOTONIC since the
 * start of the run; offsets are reference - clock in seconds; drifts are
 * ppm, positive = this clock runs fast (analysis.h).
 *
 * Memory is bounded: the poll history is only the previous poll (all the
 * step detector needs), at most MEASUREMENT_MAX_STEPS steps are kept (all
 * are counted), and at most max_ntp NTP samples.
 */
#ifndef HV_SAMPLE_H
#define HV_SAMPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis.h"
#include "clock.h"
#include "sntp.h"
#include "util.h"

struct sample_opts {
	double duration_s;       /* whole run, s (default 60) */
	double interval_s;       /* between NTP queries, s (default 2) */
	double poll_s;           /* between local polls, s (default 0.01) */
	/* A change of REALTIME - MONOTONIC beyond this (plus the read
	 * uncertainty) between two polls is a step, s (default 100 us). */
	double step_threshold_s;
	int snap_tries;          /* tightest of this many sandwiches (default 3) */
	size_t max_ntp;          /* NTP samples kept at most (default 100000) */
};
void sample_opts_default(struct sample_opts *o);

/* One NTP comparison, reduced to what the analysis needs. */
struct sample_ntp {
	double t_s;              /* MONOTONIC at the exchange's midpoint, s since start */
	double offset_s;         /* reference - REALTIME, s */
	double delay_s;          /* round-trip delay, s */
	double step_sum_s;       /* REALTIME steps seen before this sample, s */
	clock_real_ns real_ns;   /* REALTIME at the midpoint */
	int64_t raw;             /* raw clock at the midpoint: ns (MONOTONIC_RAW) or ticks (TSC) */
	bool have_raw;
	int source;              /* which reference answered (the query hook's index) */
};

struct sample_result;

struct sample_hooks {
	/*
	 * One NTP exchange. Fills *out (with its before/after snaps) and
	 * *source (an index naming the reference), returns 0; or -1 with err.
	 * NULL: no NTP, local clocks only.
	 */
	int (*query)(void *ctx, struct sntp_sample *out, int *source, char *err);
	/* Waits ns nanoseconds (NULL: nanosleep). The fake clock's tests
	 * advance the fake time here. */
	void (*sleep_ns)(void *ctx, int64_t ns);
	/* After every NTP attempt and about once a second otherwise. */
	void (*progress)(void *ctx, const struct sample_result *r,
			 double elapsed_s);
	/* Polled between reads: returns true to end the run early (SIGINT). */
	bool (*stop)(void *ctx);
	void *ctx;
};

struct sample_result {
	double duration_s;               /* what was asked, s */
	double elapsed_s;                /* MONOTONIC from first to last poll, s */
	unsigned present;                /* 1u << clock_id of every clock that exists */
	struct clock_snap first, last;   /* first and last polls */
	size_t n_polls;
	double max_gap_s;                /* longest time between two polls, s */

	/* Cost of one read per clock, ns; < 0 for an absent clock. */
	double cost_median_ns[CLOCK_ID_COUNT];
	double cost_min_ns[CLOCK_ID_COUNT];

	size_t n_steps;                  /* all steps seen */
	struct analysis_step steps[MEASUREMENT_MAX_STEPS]; /* the first ones; t_s since start */

	size_t n_ntp, n_ntp_failed, n_ntp_discarded; /* used, failed, dropped (stepped mid-exchange) */
	struct sample_ntp *ntp;          /* n_ntp samples, in time order */
	size_t ntp_cap;
	char ntp_error[UTIL_ERRMAX];     /* the last failure, or "" */
	struct sntp_sample last_sntp;    /* the last valid reply */

	bool kstate_known;               /* adjtimex readable */
	char kstate_why[UTIL_ERRMAX];
	struct clock_kstate kstate_start, kstate_end;
};

/*
 * Measures the cost of one read of every clock: batches of reads timed by
 * CLOCK_MONOTONIC, less the cost of the timing reads themselves; median
 * and minimum over the batches, ns (< 0: the clock is absent).
 */
void sample_read_cost(double median_ns[CLOCK_ID_COUNT],
		      double min_ns[CLOCK_ID_COUNT]);

/*
 * Runs the sampler for o->duration_s. Returns 0, or -1 with err when the
 * clocks cannot be read at all (no CLOCK_MONOTONIC). NTP failures are not
 * errors: they are counted, the last one kept in ntp_error. Free the
 * result with sample_result_release().
 */
int sample_run(const struct sample_opts *o, const struct sample_hooks *h,
	       struct sample_result *r, char *err);
void sample_result_release(struct sample_result *r);

/*
 * The measurement from a run: offset now (the robust line at the last
 * sample, else the last sample itself), drift of REALTIME (steps taken
 * out, so a step does not bend the line) and of the raw clock against the
 * reference `source` (-1: the one with the most samples), steps, kernel
 * frequency, read costs. The raw clock is MONOTONIC_RAW, else the TSC with
 * its frequency measured against MONOTONIC over the run and the kernel's
 * own correction (adjtimex freq and tick) taken back out, so that it
 * stands for the undisciplined clock as MONOTONIC_RAW would. Leaves
 * m->server and m->ntp_why to the caller.
 */
void sample_measure(const struct sample_result *r, int source,
		    struct measurement *m);
/*
 * The offset series of REALTIME (with steps taken out) or of the raw clock
 * against `source`, as fitted by sample_measure; returns the number of
 * points written to p (room for r->n_ntp). For --json and benchmarks.
 */
size_t sample_series(const struct sample_result *r, int source, bool raw,
		     struct analysis_point *p);
/* The TSC frequency used for the raw series, Hz (0 when not the TSC). */
double sample_tsc_hz(const struct sample_result *r);

#endif
