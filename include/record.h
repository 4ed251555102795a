/*
 * record.h - the sample log's record format: one record per line, plain
 * text, space-separated columns, '-' for "no value", so awk, gnuplot and
 * spreadsheets read it as it is.
 *
 * The file starts with a header line naming the columns and the format
 * version:
 *
 *   #hvclock-log/1 time unix_s boot_s mono_s raw_s unc_s kind events ...
 *
 * A header may appear again further down (logs concatenated, a file
 * appended to by another version); it sets the version of the records
 * after it. Other lines starting with '#' are comments. Records of a
 * version newer than RECORD_VERSION are not guessed at: they are damaged
 * lines for this reader.
 *
 * Units and signs: REALTIME in ns since the epoch, monotonic clocks in ns;
 * offsets in seconds, positive = the NTP server is ahead of this clock;
 * steps in seconds, positive = the clock jumped forward; frequencies in
 * ppm, positive = the kernel speeds the clock up.
 */
#ifndef HV_RECORD_H
#define HV_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "clock.h"
#include "strbuf.h"

#define RECORD_VERSION 1
/* Bounds of the numbers a record holds (written clamped, read checked). */
#define RECORD_MAX_OFFSET_S 1e10   /* offsets and steps, |s| */
#define RECORD_MAX_S 1e6           /* delay, uncertainty, maxerror, |s| */
#define RECORD_MAX_PPM 1e7         /* kernel frequency, |ppm| */
#define RECORD_NFIELDS 19
/* The header line (without '\n'); also its prefix up to the version. */
#define RECORD_HEADER_PREFIX "#hvclock-log/"
extern const char record_header[];

enum record_kind {
	RECORD_SAMPLE,     /* a periodic sample (hvclock log) */
	RECORD_STEP        /* a step seen as it happened (hvclock watch) */
};

/* What happened since the previous record (the events column). */
#define RECORD_EV_REBOOT      0x1u  /* another boot id */
#define RECORD_EV_STEP        0x2u  /* REALTIME - BOOTTIME changed */
#define RECORD_EV_CLOCKSOURCE 0x4u  /* another clocksource, same boot */

/* Which optional groups a record has (the rest are '-'). */
#define RECORD_HAVE_BOOT   0x01u
#define RECORD_HAVE_MONO   0x02u
#define RECORD_HAVE_RAW    0x04u
#define RECORD_HAVE_STEP   0x08u
#define RECORD_HAVE_NTP    0x10u
#define RECORD_HAVE_KSTATE 0x20u

struct record {
	enum record_kind kind;
	unsigned events;            /* RECORD_EV_* */
	unsigned have;              /* RECORD_HAVE_* */
	clock_real_ns real_ns;      /* REALTIME, ns since the epoch (UTC) */
	clock_mono_ns boot_ns;      /* BOOTTIME at the same instant, ns */
	clock_mono_ns mono_ns;      /* MONOTONIC, ns */
	clock_mono_ns raw_ns;       /* MONOTONIC_RAW, ns */
	double unc_s;               /* read uncertainty of the clock set, s */
	double step_s;              /* step size, s, positive = forward */
	double offset_s;            /* NTP: server - local, s */
	double delay_s;             /* NTP: round-trip delay, s (as measured: may be < 0) */
	int stratum;                /* NTP: server stratum */
	char server[64];            /* NTP: address that answered */
	char clocksource[32];       /* current clocksource, "" = unknown */
	double freq_ppm;            /* adjtimex freq, ppm */
	int sync;                   /* kernel synchronised: 1, 0 */
	double maxerror_s;          /* adjtimex maxerror, s */
	char boot_id[40];           /* /proc/sys/kernel/random/boot_id, "" = unknown */
	char host[64];              /* short host name, "" = unknown */
};

/* "sample", "step". */
const char *record_kind_name(enum record_kind k);

/*
 * Appends r as one line ending in '\n'. Strings are written with blanks
 * and control characters replaced by '_' (a column never splits), empty
 * ones as '-'.
 */
void record_format(const struct record *r, struct strbuf *out);

/*
 * Parses one record line (len bytes, no '\n'). Returns 0 with r filled, or
 * -1 with err saying what is wrong ("expected 19 fields, found 7").
 * Never reads beyond len; any bytes are accepted as input.
 */
int record_parse(const char *line, size_t len, struct record *r, char *err);

/*
 * Reading a log line by line: tracks headers (the version in force) and
 * line numbers.
 */
struct record_reader {
	long lineno;          /* of the last line given, from 1 */
	int version;          /* of the records now being read */
};
enum record_line {
	RECORD_LINE_RECORD,   /* a record: r filled */
	RECORD_LINE_SKIP,     /* header, comment or blank line */
	RECORD_LINE_BAD       /* damaged: err says why (without the line number) */
};
void record_reader_init(struct record_reader *rd);
/*
 * Classifies the next line (len bytes, no '\n'); terminated is false for a
 * last line without '\n', which is a torn record (every record is written
 * with its '\n' by one write()).
 */
enum record_line record_reader_line(struct record_reader *rd, const char *line,
				    size_t len, bool terminated,
				    struct record *r, char *err);

/*
 * What changed between two consecutive records of one host (the pure core
 * of hvclock log's and hvclock report's event detection).
 *
 * A reboot is a new boot id. On the same boot, a step is a change of
 * REALTIME - BOOTTIME (REALTIME - MONOTONIC where BOOTTIME is missing):
 * the kernel applies NTP slewing to all these clocks alike, and BOOTTIME
 * also counts suspend, so the difference moves only when someone sets the
 * clock. The threshold is step_min_s plus slew_ppm of the time elapsed
 * (room for environments whose REALTIME is virtualised apart from the
 * monotonic clocks, libfaketime among them) plus both read uncertainties.
 */
struct record_cmp_opts {
	double step_min_s;    /* s; default RECORD_STEP_MIN_S */
	double slew_ppm;      /* ppm; default RECORD_SLEW_PPM */
};
#define RECORD_STEP_MIN_S 0.05
#define RECORD_SLEW_PPM 100.0
void record_cmp_opts_default(struct record_cmp_opts *o);
/*
 * Returns RECORD_EV_* for cur against prev; with RECORD_EV_STEP, *step_s
 * is the size (s, positive = forward).
 */
unsigned record_compare(const struct record *prev, const struct record *cur,
			const struct record_cmp_opts *o, double *step_s);
/* REALTIME - BOOTTIME (or - MONOTONIC), ns; false when neither is there. */
bool record_real_minus_mono(const struct record *r, int64_t *out_ns);

/*
 * Fills the local part of a record from a clock snap and the system, read
 * through the seams (clock.h's adjtimex, sysroot.h's files): clocks,
 * kernel state, clocksource, boot id, short host name. kind, events, step
 * and NTP fields are left as they are.
 */
void record_fill_local(struct record *r, const struct clock_snap *snap);
/* This machine's host name up to the first dot, as records carry it. */
void record_short_hostname(char *buf, size_t len);

/* Formats REALTIME as "2026-01-01T00:00:00Z" (UTC, whole seconds). */
void record_iso_time(clock_real_ns t, char *buf, size_t len);

#endif
