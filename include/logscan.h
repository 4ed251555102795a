/*
 * logscan.h - evidence already on the machine: the time daemons', Dovecot's,
 * Postfix's and the kernel's own messages in the system logs, and ntpd's
 * and chronyd's drift files.
 *
 * Reads through sysroot (live or a fixture tree): /var/log/messages*,
 * syslog*, maillog*, mail.log*, kern.log* and dmesg*, oldest rotation
 * first, so "first" and "last" are in time order. Compressed rotations are
 * skipped with a note. Bounded: at most LOGSCAN_MAX_FILES files, the last
 * LOGSCAN_MAX_BYTES of each, lines cut at LOGSCAN_MAX_LINE; per kind only
 * the count, the first and last line and the largest steps are kept. A line
 * seen in two files (Debian's syslog and kern.log/mail.log carry the same
 * lines; dmesg repeats the kernel's part of syslog) is counted once.
 *
 * Signs: step values as the daemons print them, positive = the clock was
 * set forward (ntpd "time reset -45.1 s" and chronyd "System clock was
 * stepped by -45.1 seconds" are backward steps).
 */
#ifndef HV_LOGSCAN_H
#define HV_LOGSCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"

#define LOGSCAN_MAX_FILES 48
#define LOGSCAN_MAX_BYTES (32u << 20)
#define LOGSCAN_MAX_LINE 2048
#define LOGSCAN_LINE_KEPT 240
#define LOGSCAN_MAX_NOTES 6

enum logscan_kind {
	LOGSCAN_NTPD_STEP = 0,       /* ntpd "time reset X s" / "clock_step X s" */
	LOGSCAN_NTPD_FREQ_LIMIT,     /* "frequency error N PPM exceeds tolerance 500 PPM" */
	LOGSCAN_NTPD_PANIC,          /* "... set clock manually ..." (ntpd exits) */
	LOGSCAN_CHRONY_WRONG,        /* "System clock wrong by X seconds" */
	LOGSCAN_CHRONY_STEPPED,      /* "System clock was stepped by X seconds" */
	LOGSCAN_CHRONY_JUMP,         /* "Backward time jump detected!" */
	LOGSCAN_DOVECOT_FATAL,       /* "Time just moved backwards ... kill myself" */
	LOGSCAN_DOVECOT_BACKWARDS,   /* "Time (just) moved backwards by N seconds" */
	LOGSCAN_POSTFIX_JUMP,        /* "backward time jump detected -- slewing clock" */
	LOGSCAN_CLOCKSOURCE_UNSTABLE,/* "Clocksource X unstable", "... as unstable" */
	LOGSCAN_TSC_UNSTABLE,        /* "Marking TSC unstable", "TSC found unstable" */
	LOGSCAN_CLOCKSOURCE_SWITCH,  /* "Switched to clocksource X" */
	LOGSCAN_KIND_COUNT
};

/* Stable ids for JSON and rules ("ntpd-step", ...). */
const char *logscan_kind_id(enum logscan_kind k);
/* What a message of that kind means, one line. */
const char *logscan_kind_what(enum logscan_kind k);

struct logscan_entry {
	int count;
	char first_date[40], last_date[40];  /* as the log prints them */
	char first_line[LOGSCAN_LINE_KEPT], last_line[LOGSCAN_LINE_KEPT];
	int n_back, n_fwd;                   /* steps with a value, by direction */
	double max_back_s, max_fwd_s;        /* largest magnitudes, s */
};

struct logscan {
	struct logscan_entry kinds[LOGSCAN_KIND_COUNT];
	int n_files;                         /* files read */
	char files[LOGSCAN_MAX_FILES][64];
	int n_notes;                         /* skipped, truncated, unreadable */
	char notes[LOGSCAN_MAX_NOTES][200];
	/* ntpd's drift file: the frequency correction it saved, ppm */
	bool ntp_drift_known;
	double ntp_drift_ppm;
	bool ntp_drift_at_limit;             /* |value| at ntpd's 500 ppm */
	char ntp_drift_path[128];
	/* chronyd's drift file (first number: frequency, ppm) */
	bool chrony_drift_known;
	double chrony_drift_ppm;
	char chrony_drift_path[128];
};

/*
 * Scans the logs and the drift files. ntp_driftfile / chrony_driftfile are
 * the paths the daemons' configurations name, NULL or "" for the defaults
 * (/var/lib/ntp/drift, /var/lib/ntp/ntp.drift; /var/lib/chrony/drift,
 * /var/lib/chrony/chrony.drift). Never fails: what cannot be read becomes
 * a note.
 */
void logscan_scan(const char *ntp_driftfile, const char *chrony_driftfile,
		  struct logscan *out);

/*
 * The kind of one log line, or -1. *value gets the step or offset it
 * carries (s, positive = forward, as printed), NAN when none.
 */
int logscan_match(const char *line, double *value);

#ifdef HV_TESTING
/* The date a syslog, ISO or dmesg line carries (into date, dlen bytes, ""
 * when none) and where its message starts (a pointer into l). */
const char *split_line(const char *l, char *date, size_t dlen);
#endif

/* Whether anything was found (any count, or a drift file at the limit). */
bool logscan_any(const struct logscan *ls);
/* One evidence line for kind k ("ntpd stepped the clock 14 times (Jan 26
 * 10:15:01 .. Jan 26 13:45:12), largest back 44.9 s"), "" when count 0. */
void logscan_describe(const struct logscan *ls, enum logscan_kind k,
		      char *buf, size_t len);
/* The whole scan as one JSON object. */
void logscan_to_json(const struct logscan *ls, struct json *j, const char *key);

#endif
