/*
 * clock.h - the one seam through which hvclock reads clocks.
 *
 * Only clock.c calls clock_gettime(), rdtsc and adjtimex(); and it calls
 * adjtimex() with modes = 0 only (a read-only query any user may make).
 * Nothing in hvclock ever sets a clock.
 *
 * Two backends: the live one, and a fake one for tests whose clocks have a
 * settable offset and rate against a "true" time that the test advances,
 * scheduled steps, missing clocks and a read cost (after chrony's
 * sys_null.c and test drivers).
 *
 * Units: readings are int64_t nanoseconds (TSC: ticks). Monotonic readings
 * use clock_mono_ns so they are not mixed up with wall time.
 */
#ifndef HV_CLOCK_H
#define HV_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "strbuf.h"

/* Nanoseconds on a monotonic clock (MONOTONIC, MONOTONIC_RAW, BOOTTIME). */
typedef int64_t clock_mono_ns;
/* Nanoseconds since the Unix epoch on CLOCK_REALTIME. */
typedef int64_t clock_real_ns;

enum clock_id {
	CLOCK_ID_REALTIME,
	CLOCK_ID_MONOTONIC,
	CLOCK_ID_MONOTONIC_RAW,
	CLOCK_ID_BOOTTIME,
	CLOCK_ID_TSC,
	CLOCK_ID_COUNT
};

/* "realtime", "monotonic", "monotonic_raw", "boottime", "tsc". */
const char *clock_name(enum clock_id id);

/*
 * Reads one clock. Returns 0, or -1 with errno: EINVAL when the kernel
 * lacks the clock (MONOTONIC_RAW before 2.6.28, BOOTTIME before 2.6.39),
 * ENOTSUP for the TSC on non-x86.
 */
int clock_read(enum clock_id id, int64_t *out);
/* Whether the clock can be read (probed once per backend). */
bool clock_available(enum clock_id id);

/*
 * Kernel NTP discipline state from adjtimex(modes = 0), converted to SI
 * units. freq_ppm positive = the kernel speeds the clock up.
 */
struct clock_kstate {
	int state;           /* TIME_OK .. TIME_ERROR (adjtimex return) */
	int status;          /* STA_* bits */
	double offset_s;     /* PLL residual offset, s */
	double freq_ppm;     /* frequency correction, ppm */
	double maxerror_s;   /* s */
	double esterror_s;   /* s */
	long constant;       /* PLL time constant */
	double precision_s;  /* s */
	double tolerance_ppm;/* max frequency error, ppm */
	long tick_us;        /* microseconds per tick */
	int tai;             /* TAI - UTC, s */
};
/* Returns 0, or -1 with err (e.g. when adjtimex is unavailable). */
int clock_kstate_read(struct clock_kstate *ks, char *err);
/* "TIME_OK", "TIME_INS", ... "TIME_ERROR", or "unknown(N)". */
const char *clock_kstate_state_name(int state);
/* Appends the names of the set STA_* bits, space separated ("PLL NANO"). */
void clock_kstate_status_names(int status, struct strbuf *out);

/*
 * All clocks read as one "sandwich": every present clock is read between
 * two CLOCK_MONOTONIC reads, and the tightest of `tries` attempts is kept
 * (the kernel selftest raw_skew.c idiom). v[CLOCK_ID_MONOTONIC] is the
 * midpoint of the bracket; width_ns (the bracket) is the uncertainty of
 * the set. A clock that is missing has its bit clear in present.
 */
struct clock_snap {
	unsigned present;            /* 1u << clock_id for each clock read */
	int64_t v[CLOCK_ID_COUNT];   /* ns (TSC: ticks) */
	int64_t width_ns;            /* MONOTONIC bracket width, ns */
};
/* Returns 0, or -1 when even MONOTONIC cannot be read. tries >= 1. */
int clock_snap_read(struct clock_snap *s, int tries);

/* ---- fake backend (tests and simulations) ------------------------------ */

#define CLOCK_FAKE_MAX_STEPS 16

struct clock_fake {
	/* True time in ns, advanced by the test (and by read_cost_ns per read). */
	int64_t true_ns;
	/* Per clock: reading = base + (true_ns - 0) * (1 + rate_ppm * 1e-6) + offset. */
	int64_t base_ns[CLOCK_ID_COUNT];
	double rate_ppm[CLOCK_ID_COUNT];
	bool missing[CLOCK_ID_COUNT];
	/* Cost of one read: true time advanced by each clock_read(). */
	int64_t read_cost_ns;
	/* Steps of REALTIME: at true time at_ns, REALTIME jumps by delta_ns. */
	struct { int64_t at_ns, delta_ns; } steps[CLOCK_FAKE_MAX_STEPS];
	int nsteps;
	/* adjtimex answer; kstate_ok false makes clock_kstate_read() fail. */
	bool kstate_ok;
	struct clock_kstate kstate;
};

/* Fills f with a plausible machine: all clocks present, rate 0, realtime
 * starting at 2026-01-01T00:00:00Z, TSC at 2 GHz counted in ticks. */
void clock_fake_init(struct clock_fake *f);
/* Routes every clock_read()/clock_kstate_read() to f (NULL = live again). */
void clock_use_fake(struct clock_fake *f);
void clock_fake_advance(struct clock_fake *f, int64_t ns);

#endif
