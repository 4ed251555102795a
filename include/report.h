/*
 * report.h - what a sample log says: the log cut into segments between
 * reboots and clock steps, each with its drift; the steps, reboots,
 * clocksource changes and gaps in logging; a summary; and the measurement
 * the rules judge (the same input diagnose gives them).
 *
 * Lines are fed in file order (hvclock log and hvclock watch append in
 * the order things happen). Damaged lines are counted and the first
 * REPORT_MAX_WARNINGS are kept as "line N: why" for the caller to show.
 *
 * Units and signs as in record.h: times as REALTIME ns; offsets in s,
 * positive = the NTP server is ahead of this clock; drift in ppm,
 * positive = this clock runs fast (its offsets fall); steps in s,
 * positive = forward.
 */
#ifndef HV_REPORT_H
#define HV_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis.h"
#include "clock.h"
#include "record.h"

#define REPORT_MAX_WARNINGS 20

struct report_opts {
	bool have_since, have_until;
	clock_real_ns since_ns, until_ns;  /* REALTIME window (inclusive), ns */
	const char *host;                  /* only this host; NULL = the first seen */
	struct record_cmp_opts cmp;        /* step detection between records */
	/*
	 * A pause in logging longer than this is a gap, s; 0 = automatic:
	 * 3 times the median interval, at least 120 s.
	 */
	double gap_s;
};
void report_opts_default(struct report_opts *o);

enum report_event_kind {
	REPORT_STEP,
	REPORT_REBOOT,
	REPORT_CLOCKSOURCE,
	REPORT_GAP
};
/* "step", "reboot", "clocksource", "gap". */
const char *report_event_name(enum report_event_kind k);

struct report_event {
	enum report_event_kind kind;
	clock_real_ns at_ns;        /* REALTIME of the record that shows it, ns */
	clock_real_ns before_ns;    /* REALTIME of the record before it, ns */
	/* NTP offsets of those two records, s (NaN = none): REALTIME plus
	 * offset is the reference's time, right even when the clock was off. */
	double offset_s, before_offset_s;
	/*
	 * Steps: size, s, positive = forward. Gaps: length, s. Reboots:
	 * time without records across the reboot, s (on the reference's
	 * clock when both records have an NTP offset).
	 */
	double size_s;
	bool live;                  /* a step seen as it happened (hvclock watch) */
	char from[40], to[40];      /* boot ids or clocksources */
	long line;                  /* line number of the record that shows it */
	int segment;                /* segment it starts or lies in */
};

/* Why a segment starts where it does. */
enum report_cut { REPORT_CUT_START, REPORT_CUT_REBOOT, REPORT_CUT_STEP };

struct report_segment {
	enum report_cut cut;
	size_t first, n;            /* its records: report_point(first .. first+n-1) */
	clock_real_ns start_ns, end_ns;  /* REALTIME of its first and last record */
	double span_s;              /* monotonic time it covers, s */
	char boot_id[40];
	char clocksource[32];       /* at its end */
	size_t n_ntp;               /* records with an NTP offset */
	double offset_min_s, offset_max_s;  /* of those, s */
	struct analysis_fit fit;    /* NTP offset against time: the drift */
	struct analysis_fit fit_raw;/* the same for MONOTONIC_RAW (no daemon) */
	/* REALTIME against MONOTONIC_RAW, ppm, positive = REALTIME faster:
	 * the correction the kernel applies (it equals the drift when a
	 * local clock is faked or when no NTP data exist). */
	bool local_rate_valid;
	double local_rate_ppm;
	bool kfreq_valid;
	double kfreq_ppm;           /* mean adjtimex frequency, ppm */
};

struct report_summary {
	size_t n_lines, n_records, n_damaged, n_other_hosts, n_ntp;
	char host[64];
	clock_real_ns first_ns, last_ns;  /* REALTIME of the first and last record */
	double median_interval_s, gap_threshold_s;
	int worst_segment;          /* largest |drift| with a valid fit, -1 = none */
	double worst_drift_ppm;
	int worst_local_segment;    /* largest |local rate|, -1 = none */
	double worst_local_rate_ppm;
	size_t n_steps_back, n_steps_fwd;
	double largest_back_s;      /* most negative step, s (0 when none) */
	clock_real_ns largest_back_at_ns;
	double largest_fwd_s;
	size_t n_reboots, n_clocksource_changes, n_gaps;
	double gap_total_s;
};

struct report;

struct report *report_new(const struct report_opts *o);
void report_free(struct report *r);

/*
 * Feeds the next line (len bytes, without '\n'; terminated false for a
 * last line that has none).
 */
void report_add_line(struct report *r, const char *line, size_t len,
		     bool terminated);
/* Reads the whole of fd through report_add_line. -1 with err on a read error. */
int report_read_fd(struct report *r, int fd, const char *name, char *err);
/* Closes the last segment, fits every segment, finds gaps. Call once. */
void report_finish(struct report *r);

const struct report_summary *report_summary(const struct report *r);
size_t report_nsegments(const struct report *r);
const struct report_segment *report_segment(const struct report *r, size_t i);
size_t report_nevents(const struct report *r);
const struct report_event *report_event(const struct report *r, size_t i);
size_t report_nwarnings(const struct report *r);
const char *report_warning(const struct report *r, size_t i);

/* The records kept, in order: REALTIME and NTP offset (NaN when none). */
size_t report_npoints(const struct report *r);
void report_point(const struct report *r, size_t i, clock_real_ns *at_ns,
		  double *offset_s);
/*
 * The fitted offset line of segment i at REALTIME t, s (NaN when the fit
 * is not valid). Within a segment REALTIME has no steps, so it stands in
 * for the monotonic time of the fit.
 */
double report_fit_at(const struct report *r, size_t i, clock_real_ns t);

/*
 * The measurement the rules judge, as diagnose builds it: the latest
 * segment with a valid drift fit stands for "now", with every step of
 * the window. false when the log has no records.
 */
bool report_measurement(const struct report *r, struct measurement *m);

#endif
