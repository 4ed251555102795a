/*
 * predict.h - what the time daemon will do with a clock that drifts at a
 * measured rate: keep up by slewing, step it (direction, size, interval),
 * exit, or let it run away.
 *
 * Pure functions over plain data, from the daemons' documented limits
 * (timekeeping.md section 3):
 *   - ntpd and the kernel correct at most 500 ppm (NTP_MAXFREQ, MAXFREQ).
 *     Beyond that the offset grows at |drift| - 500 ppm; offsets over the
 *     step threshold (128 ms; 600 s with -x; tinker step) are spikes until
 *     they have lasted the stepout (900 s in ntp 4.2.6 and older, 300 s in
 *     4.2.8 and ntpsec; tinker stepout), then ntpd steps; an offset over the
 *     panic threshold (1000 s; tinker panic, 0 = off) makes it exit.
 *   - chronyd compensates a steady drift up to the Linux driver's limit
 *     (100000 ppm, tick +/-10%); maxslewrate (default 83333 ppm) caps the
 *     extra rate at which it removes an accumulated offset; it steps per
 *     makestep.
 *   - systemd-timesyncd and OpenNTPD correct through the kernel frequency
 *     or adjtime(), both capped at 500 ppm; their stepping is not modelled.
 *
 * Units and signs: drift in ppm, positive = the clock runs fast; step
 * sizes in seconds, positive = forward, negative = backward (a fast clock
 * is stepped back); intervals in seconds.
 */
#ifndef HV_PREDICT_H
#define HV_PREDICT_H

#include <stdbool.h>

#include "daemons.h"

/* The Linux chrony driver's frequency limit, ppm (tick +/-10%). */
#define PREDICT_CHRONY_DRIVER_MAX_PPM 100000.0
/* ntpd's default step threshold, stepouts and panic threshold, s. */
#define PREDICT_NTPD_STEP_S 0.128
#define PREDICT_NTPD_STEP_SLEW_S 600.0
#define PREDICT_NTPD_STEPOUT_OLD_S 900.0
#define PREDICT_NTPD_STEPOUT_NEW_S 300.0
#define PREDICT_NTPD_PANIC_S 1000.0

/* What the daemon is and how it is configured. */
struct predict_daemon {
	int kind;                      /* enum daemon_kind, or -1 = none runs */
	const struct daemon_conf *conf;/* its configuration, NULL = defaults */
	bool slew_only;                /* ntpd -x */
	const char *version;           /* "4.2.2p1", NULL = unknown */
	bool ntpsec;                   /* ntpd is NTPsec */
};

enum predict_outcome {
	PREDICT_NO_DATA = 0,   /* no drift measured */
	PREDICT_NO_DAEMON,     /* nothing corrects the clock: it drifts freely */
	PREDICT_KEEPS_UP,      /* within the daemon's range: slews, no steps */
	PREDICT_STEPS,         /* cannot keep up: steps again and again */
	PREDICT_EXITS,         /* ntpd: offset passes the panic threshold, exits */
	PREDICT_RUNS_AWAY,     /* cannot keep up and will not step or exit */
	PREDICT_CANNOT_KEEP_UP /* cannot keep up; what it does then not modelled */
};

struct predict_result {
	enum predict_outcome outcome;
	char daemon[48];         /* "ntpd 4.2.2p1", "chronyd", "no time daemon" */
	double drift_ppm;        /* ppm, positive = fast (the input) */
	double capacity_ppm;     /* largest steady drift it corrects, ppm */
	double net_ppm;          /* offset growth left over, ppm (>= 0) */
	double step_s;           /* each step, s (negative = backward); 0 = none */
	double interval_s;       /* time between steps, s */
	double threshold_s;      /* offset at which it steps, s (0 = never) */
	double stepout_s;        /* ntpd: how long offsets must persist, s */
	bool stepout_known;      /* false: ntpd version unknown, 900 s assumed */
	double exit_after_s;     /* PREDICT_EXITS: time to the panic exit, s */
	double gain_per_day_s;   /* PREDICT_NO_DAEMON/RUNS_AWAY: s per day */
	char sentence[400];      /* plain words, e.g. "ntpd 4.2.2p1 will step
				  * this clock back by about 45 s every 15
				  * minutes" */
};

/*
 * Predicts what the daemon d does with a clock whose raw (undisciplined)
 * drift is drift_ppm. Never fails; a non-finite drift gives NO_DATA.
 */
void predict_daemon(const struct predict_daemon *d, double drift_ppm,
		    struct predict_result *out);

/* ntpd's stepout for a version string, s: 900 for 4.2.6 and older, 300 for
 * 4.2.8 and later and for NTPsec; 0 when the version says nothing (4.2.7
 * development releases, unparsable). */
double predict_ntpd_stepout(const char *version, bool ntpsec);

/*
 * Compares dotted version strings numerically ("1.0.7" < "1.0.15" <
 * "2.0"; "4.2.2p1" > "4.2.2"; "1.0.rc26" < "1.0.0"; missing parts are 0).
 * Returns <0, 0 or >0. A NULL or empty string sorts first.
 */
int predict_version_cmp(const char *a, const char *b);

#endif
