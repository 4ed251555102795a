/*
 * daemons.h - time daemons and what their configuration files say.
 *
 * Pure parsers over file contents: chrony.conf, ntp.conf (ntpd, ntpsec),
 * systemd timesyncd.conf and OpenNTPD's ntpd.conf. Only what matters for
 * predicting how the daemon treats a drifting clock is kept: servers,
 * chrony's makestep/maxslewrate and PHC refclocks, ntpd's tinker knobs
 * and drift file.
 */
#ifndef HV_DAEMONS_H
#define HV_DAEMONS_H

#include <stdbool.h>

enum daemon_kind {
	DAEMON_CHRONYD,
	DAEMON_NTPD,        /* ntp.org ntpd or ntpsec */
	DAEMON_TIMESYNCD,   /* systemd-timesyncd */
	DAEMON_OPENNTPD,
	DAEMON_PTP4L,
	DAEMON_PHC2SYS,
	DAEMON_COUNT
};

/* Process names as in /proc/PID/stat: "chronyd", "ntpd", ... */
const char *daemons_process_name(enum daemon_kind k);
/* Stable ids for JSON and rules: "chronyd", "ntpd", "timesyncd", ... */
const char *daemons_id(enum daemon_kind k);

#define DAEMONS_MAX_SERVERS 16

struct daemon_conf {
	int nservers;
	char servers[DAEMONS_MAX_SERVERS][128]; /* "host" or "host:port" */
	/* chrony */
	bool has_makestep;
	double makestep_threshold_s;   /* s */
	int makestep_limit;            /* updates; negative = always */
	bool has_maxslewrate;
	double maxslewrate_ppm;        /* chrony default 83333.333 */
	bool refclock_phc;             /* a "refclock PHC" line */
	char refclock_device[64];      /* its device ("/dev/ptp_hyperv") */
	/* ntpd: tinker knobs (has_* false = daemon default) */
	bool has_tinker_panic, has_tinker_step, has_tinker_stepout;
	double tinker_panic_s, tinker_step_s, tinker_stepout_s;
	char driftfile[256];
};

/*
 * Each parser fills c from the text of one file (c is cleared first).
 * Unknown directives are ignored; malformed values of the directives we
 * keep are skipped (the daemon would refuse them). Never fails.
 */
void daemons_parse_chrony(const char *text, struct daemon_conf *c);
void daemons_parse_ntp(const char *text, struct daemon_conf *c);
void daemons_parse_timesyncd(const char *text, struct daemon_conf *c);
void daemons_parse_openntpd(const char *text, struct daemon_conf *c);

/* chrony's default maxslewrate on Linux, ppm. */
#define DAEMONS_CHRONY_MAXSLEWRATE_PPM 83333.333
/* ntpd's and the kernel's frequency tolerance, ppm. */
#define DAEMONS_NTPD_MAXFREQ_PPM 500.0

#endif
