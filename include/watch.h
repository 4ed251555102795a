/*
 * watch.h - catching clock steps as they happen (hvclock watch).
 *
 * Two halves, so the logic is testable without stepping a clock:
 *
 *   - the detector, a pure function over events: each event carries a
 *     clock snap; a step is a change of REALTIME - BOOTTIME (MONOTONIC
 *     where BOOTTIME is missing) since the previous event. The kernel
 *     slews all these clocks alike, so only a set of the clock moves the
 *     difference; BOOTTIME rather than MONOTONIC so that a resume from
 *     suspend (which advances REALTIME and BOOTTIME, not MONOTONIC) is no
 *     step.
 *
 *   - the event source: a timerfd on CLOCK_REALTIME armed far in the
 *     future with TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, whose
 *     read() fails with ECANCELED as soon as anyone sets the clock (Linux
 *     3.0 and later); where timerfd or the flag is missing (EINVAL,
 *     ENOSYS: CentOS 5 and 6 kernels) it falls back to waking every poll
 *     interval. Waits use ppoll() with the caller's signal mask, so
 *     signals are taken only while waiting, never in the middle of
 *     writing a record.
 *
 * Units: steps in seconds, positive = the clock jumped forward.
 */
#ifndef HV_WATCH_H
#define HV_WATCH_H

#include <signal.h>
#include <stdbool.h>

#include "clock.h"

enum watch_event_kind {
	WATCH_CLOCK_SET,   /* the kernel said the realtime clock was set */
	WATCH_TICK         /* a poll interval passed (or the far timer expired) */
};

struct watch_event {
	enum watch_event_kind kind;
	struct clock_snap snap;     /* read just after the wake-up */
};

struct watch_opts {
	/*
	 * Smallest change reported after WATCH_CLOCK_SET, s: the kernel
	 * told us the clock was set, so only read noise needs allowing for.
	 */
	double set_min_s;
	/* Smallest change reported on a tick, s, plus slew_ppm of the time
	 * since the previous event (REALTIME virtualised apart, libfaketime). */
	double tick_min_s;
	double slew_ppm;
};
#define WATCH_SET_MIN_S 0.001
#define WATCH_TICK_MIN_S 0.05
#define WATCH_SLEW_PPM 100.0
void watch_opts_default(struct watch_opts *o);

struct watch_detector {
	bool have_ref;
	int64_t ref_diff_ns;        /* REALTIME - BOOTTIME at the previous event */
	int64_t ref_mono_ns;        /* its BOOTTIME (or MONOTONIC) */
	int64_t ref_width_ns;       /* its read uncertainty */
	bool ref_boot;              /* the difference is against BOOTTIME */
};

struct watch_step {
	double size_s;              /* s, positive = forward */
	double unc_s;               /* read uncertainty of the two snaps, s */
	clock_real_ns at_real;      /* REALTIME just after the step */
	bool kernel_said;           /* found on WATCH_CLOCK_SET (else by polling) */
};

void watch_detector_init(struct watch_detector *d);
/*
 * Feeds one event. Returns true with *out when it shows a step since the
 * previous event; the reference moves to this event either way (the
 * first event only sets it). A snap without REALTIME, or without both
 * BOOTTIME and MONOTONIC, is ignored.
 */
bool watch_detect(struct watch_detector *d, const struct watch_opts *o,
		  const struct watch_event *ev, struct watch_step *out);

/* ---- the event source ------------------------------------------------ */

enum watch_mode {
	WATCH_AUTO,      /* timerfd, else polling */
	WATCH_TIMERFD,   /* timerfd only: fail where it is missing */
	WATCH_POLL       /* polling only */
};

struct watch_source;

/*
 * Opens the source. poll_s is the polling interval (fallback or forced).
 * Returns 0, or -1 with err (WATCH_TIMERFD on a kernel without it).
 * *why_fallback (may be NULL) gets the reason when AUTO fell back to
 * polling, "" otherwise.
 */
int watch_source_open(enum watch_mode mode, double poll_s,
		      struct watch_source **out, char *why_fallback, char *err);
void watch_source_close(struct watch_source *s);
/* "timerfd" or "poll". */
const char *watch_source_kind(const struct watch_source *s);
/*
 * Waits for the next event, taking signals only while waiting (with
 * sigmask as the mask, as ppoll does). Returns 1 with *ev, 0 when a
 * signal interrupted the wait (nothing read), -1 with err.
 */
int watch_source_wait(struct watch_source *s, const sigset_t *sigmask,
		      struct watch_event *ev, char *err);

#endif
