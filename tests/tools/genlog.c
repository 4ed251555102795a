/*
 * genlog.c - writes a sample log (record.h format) for a simulated guest,
 * for the demo log under data/, the README picture and the benchmarks.
 *
 *   genlog [--profile NAME] [--hours H] [--interval S] [--seed N]
 *          [--host NAME] [--start UNIX_S]
 *
 * The simulation: true time advances by the interval; the guest's
 * clocksource runs fast by raw_ppm; the kernel corrects REALTIME (and
 * BOOTTIME, MONOTONIC with it) by kfreq_ppm, which a daemon sets:
 *   - SLEW (ntpd within its 500 ppm): kfreq follows -raw_ppm with a slow
 *     wander and the phase error decays with a 20-minute time constant;
 *   - STEP (ntpd -x, or drift beyond 500 ppm): kfreq pinned at -500 ppm,
 *     the offset grows until it passes step_s, then the clock is stepped
 *     back (a backward step of the accumulated error);
 * NTP offsets are true - REALTIME plus noise; a few runs find no server.
 *
 * Profiles:
 *   hyperv  48 h, per minute: a CentOS 5 guest on Hyper-V 5% fast, ntpd -x
 *           stepping it back by 600 s every few hours; the clocksource
 *           watchdog switching tsc -> acpi_pm; cron stopped for 90 min;
 *           a reboot with the remedy, a forward step at boot, then ntpd
 *           keeping it within milliseconds.
 *   year    365 days, per minute: 300 ppm fast, ntpd slewing; a backward
 *           step of half a second every week, a reboot every 30 days.
 *   sawtooth 24 h: 5% fast, ntpd 4.2.6 stepping every 900 s.
 */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "strbuf.h"
#include "util.h"

enum mode { SLEW, STEP };

struct sim {
	int64_t epoch_s;        /* REALTIME origin, s since 1970 */
	double t;               /* true time since the start, s */
	double err;             /* REALTIME - true, s */
	double boot, raw;       /* guest BOOTTIME, MONOTONIC_RAW, s */
	double raw_ppm, kfreq_ppm, wander_ppm;
	enum mode mode;
	double step_s;          /* STEP: offset that triggers a step, s */
	double stepout_s;       /* STEP: how long it must persist, s */
	double over_since;      /* when |err| passed step_s, -1 = not */
	int boot_no;
	char cs[32];
	char host[64];
	unsigned seed;
	unsigned boot_seed;      /* for boot ids (seed moves) */
	bool down;              /* no records (cron stopped, rebooting) */
};

static double urand(struct sim *s)
{
	return (rand_r(&s->seed) + 0.5) / (RAND_MAX + 1.0);
}

static double gauss(struct sim *s)
{
	return sqrt(-2 * log(urand(s))) * cos(2 * M_PI * urand(s));
}

/* A random-looking but reproducible boot id per boot (splitmix64). */
static void boot_id(const struct sim *s, char *buf, size_t len)
{
	uint64_t x = (uint64_t)s->boot_seed * 0x9e3779b97f4a7c15u + (uint64_t)s->boot_no;
	uint64_t a, b;

	x += 0x9e3779b97f4a7c15u;
	a = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
	a = (a ^ (a >> 27)) * 0x94d049bb133111ebu;
	a ^= a >> 31;
	x += 0x9e3779b97f4a7c15u;
	b = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
	b = (b ^ (b >> 27)) * 0x94d049bb133111ebu;
	b ^= b >> 31;
	snprintf(buf, len, "%08" PRIx64 "-%04" PRIx64 "-4%03" PRIx64 "-%04" PRIx64 "-%012" PRIx64,
		 a >> 32, (a >> 16) & 0xffff, a & 0xfff, 0x8000 | ((b >> 48) & 0x3fff),
		 b & 0xffffffffffffu);
}

/* The events hvclock log would mark, from the previous record. */
static void mark_events(struct record *r)
{
	static struct record prev;
	static bool have_prev;
	struct record_cmp_opts o;
	double step = 0;

	record_cmp_opts_default(&o);
	if (have_prev) {
		r->events = record_compare(&prev, r, &o, &step);
		if (r->events & RECORD_EV_STEP) {
			r->have |= RECORD_HAVE_STEP;
			r->step_s = step;
		}
	}
	prev = *r;
	have_prev = true;
}

static void emit(struct sim *s, struct strbuf *out)
{
	struct record r;
	double real = s->t + s->err;

	memset(&r, 0, sizeof(r));
	r.kind = RECORD_SAMPLE;
	r.real_ns = s->epoch_s * 1000000000 + (int64_t)llround(real * 1e9);
	r.boot_ns = (int64_t)llround(s->boot * 1e9);
	r.mono_ns = r.boot_ns;
	r.raw_ns = (int64_t)llround(s->raw * 1e9);
	r.have = RECORD_HAVE_BOOT | RECORD_HAVE_MONO | RECORD_HAVE_RAW |
		 RECORD_HAVE_KSTATE;
	r.unc_s = 2e-7 + 1e-7 * urand(s);
	if (urand(s) > 0.002) {
		r.have |= RECORD_HAVE_NTP;
		r.delay_s = 0.0004 + 0.0003 * -log(urand(s));
		r.offset_s = -s->err + 80e-6 * gauss(s) + (r.delay_s - 0.0004) * (urand(s) - 0.5);
		r.stratum = 3;
		snprintf(r.server, sizeof(r.server), "10.0.0.1");
	}
	r.freq_ppm = s->kfreq_ppm;
	r.sync = s->mode == SLEW || fabs(s->err) < s->step_s;
	r.maxerror_s = r.sync ? 0.01 + 0.005 * urand(s) : 16;
	snprintf(r.clocksource, sizeof(r.clocksource), "%s", s->cs);
	boot_id(s, r.boot_id, sizeof(r.boot_id));
	snprintf(r.host, sizeof(r.host), "%s", s->host);
	mark_events(&r);
	record_format(&r, out);
}

/* Advances true time by dt; the daemon acts. */
static void advance(struct sim *s, double dt)
{
	double rate;

	if (s->mode == SLEW) {
		s->wander_ppm += 0.02 * gauss(s) * sqrt(dt / 60);
		s->wander_ppm *= 0.999;
		s->kfreq_ppm = -s->raw_ppm + s->wander_ppm;
	} else {
		s->kfreq_ppm = -500;
	}
	rate = (1 + s->raw_ppm * 1e-6) * (1 + s->kfreq_ppm * 1e-6);
	s->t += dt;
	s->err += dt * (rate - 1);
	s->boot += dt * rate;
	s->raw += dt * (1 + s->raw_ppm * 1e-6);
	if (s->mode == SLEW) {
		s->err -= s->err * fmin(1, dt / 1200);
	} else if (fabs(s->err) > s->step_s) {
		if (s->over_since < 0)
			s->over_since = s->t;
		else if (s->t - s->over_since >= s->stepout_s) {
			s->err = 0.002 * gauss(s);   /* stepped to the server's time */
			s->over_since = -1;
		}
	} else {
		s->over_since = -1;
	}
}

static void reboot(struct sim *s, double down_s, double rtc_err_s)
{
	s->t += down_s;
	s->boot_no++;
	s->boot = 25 + 5 * urand(s);
	s->raw = s->boot - 0.3;
	s->err = rtc_err_s;   /* set from the RTC at boot */
	s->wander_ppm = 0;
	s->over_since = -1;
}

static void run(struct sim *s, double until_h, double interval, struct strbuf *out)
{
	while (s->t < until_h * 3600) {
		advance(s, interval);
		if (!s->down)
			emit(s, out);
	}
}

static void profile_hyperv(struct sim *s, double interval, struct strbuf *out)
{
	/* A CentOS 5 guest with clock=pit on a busy host: 5% fast; ntpd -x. */
	snprintf(s->cs, sizeof(s->cs), "tsc");
	s->raw_ppm = 50500;
	s->mode = STEP;
	s->step_s = 600;
	s->stepout_s = 300;
	run(s, 10.2, interval, out);
	/* The clocksource watchdog gives up on the TSC. */
	snprintf(s->cs, sizeof(s->cs), "acpi_pm");
	s->raw_ppm = 30500;
	run(s, 18.0, interval, out);
	s->down = true;              /* cron stopped */
	run(s, 19.5, interval, out);
	s->down = false;
	run(s, 26.0, interval, out);
	/* Rebooted with the remedy; the RTC was 2.4 s behind. */
	reboot(s, 6 * 60, -2.4);
	s->raw_ppm = 12;
	s->mode = SLEW;
	advance(s, interval);
	emit(s, out);
	/* ntpdate -b at boot steps it forward, then ntpd slews. */
	s->err = 0.001;
	run(s, 48.0, interval, out);
}

static void profile_year(struct sim *s, double interval, double hours,
			 struct strbuf *out)
{
	snprintf(s->cs, sizeof(s->cs), "hyperv_clocksource_tsc_page");
	s->raw_ppm = 300;
	s->mode = SLEW;
	for (int day = 1; day * 24.0 <= hours; day++) {
		run(s, day * 24.0, interval, out);
		if (day % 30 == 0)
			reboot(s, 180, 0.8);
		else if (day % 7 == 0)
			s->err -= 0.5;       /* a host time sync steps it back */
	}
	run(s, hours, interval, out);
}

static void profile_sawtooth(struct sim *s, double interval, double hours,
			     struct strbuf *out)
{
	snprintf(s->cs, sizeof(s->cs), "tsc");
	s->raw_ppm = 50500;
	s->mode = STEP;
	s->step_s = 0.128;
	s->stepout_s = 900;
	run(s, hours, interval, out);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "hours", required_argument, NULL, 'H' },
		{ "interval", required_argument, NULL, 'i' },
		{ "seed", required_argument, NULL, 's' },
		{ "host", required_argument, NULL, 'n' },
		{ "start", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	const char *profile = "hyperv";
	double hours = 0, interval = 60;
	struct strbuf out = STRBUF_INIT;
	struct sim s;
	int opt;

	memset(&s, 0, sizeof(s));
	s.epoch_s = INT64_C(1772409600);  /* 2026-03-02T00:00:00Z, a Monday */
	s.seed = 1;
	s.boot = 3 * 86400 + 1234.5;
	s.raw = s.boot - 0.3;
	s.over_since = -1;
	snprintf(s.host, sizeof(s.host), "mail01");
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p': profile = optarg; break;
		case 'H': hours = atof(optarg); break;
		case 'i': interval = atof(optarg); break;
		case 's': s.seed = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'n': snprintf(s.host, sizeof(s.host), "%s", optarg); break;
		case 't': s.epoch_s = strtoll(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: genlog [--profile hyperv|year|sawtooth] "
				"[--hours H] [--interval S] [--seed N] [--host NAME] "
				"[--start UNIX_S]\n");
			return 2;
		}
	}
	s.boot_seed = s.seed * 2654435761u;
	if (interval <= 0) {
		fprintf(stderr, "genlog: bad interval\n");
		return 2;
	}
	strbuf_addf(&out, "%s\n", record_header);
	if (!strcmp(profile, "hyperv")) {
		profile_hyperv(&s, interval, &out);
	} else if (!strcmp(profile, "year")) {
		profile_year(&s, interval, hours > 0 ? hours : 365 * 24, &out);
	} else if (!strcmp(profile, "sawtooth")) {
		profile_sawtooth(&s, interval, hours > 0 ? hours : 24, &out);
	} else {
		fprintf(stderr, "genlog: unknown profile '%s'\n", profile);
		return 2;
	}
	if (fwrite(out.buf, 1, out.len, stdout) != out.len || fflush(stdout)) {
		perror("genlog: stdout");
		return 1;
	}
	strbuf_release(&out);
	return 0;
}
