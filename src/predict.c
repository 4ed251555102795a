/*
 * predict.c - the daemons' documented limits turned into a forecast.
 *
 * ntpd, from ntp_loopfilter.c as summarised in timekeeping.md section 3:
 * the frequency correction saturates at 500 ppm, so the offset of a clock
 * drifting faster grows at |drift| - 500 ppm. Once it passes the step
 * threshold every sample is a spike; when spikes have lasted the stepout
 * the clock is stepped by the offset it has reached, and the cycle starts
 * again: a sawtooth with period threshold/rate + stepout. An offset past
 * the panic threshold before that makes ntpd exit ("set clock manually").
 * The poll interval adds up to one poll to each period, hence "about".
 *
 * chronyd (sys_generic.c update_slew): the drift compensation (base
 * frequency) is clamped to the driver's maximum, 100000 ppm on Linux;
 * maxslewrate only limits the correction of an accumulated offset on top.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "predict.h"
#include "util.h"

/* One component of a version: leading number, then a suffix. */
struct vpart {
	bool has_num;
	long num;
	const char *suf;
	size_t suflen;
};

static const char *vpart_next(const char *p, struct vpart *v)
{
	v->has_num = isdigit((unsigned char)*p);
	v->num = 0;
	while (isdigit((unsigned char)*p)) {
		if (v->num < 100000000)
			v->num = v->num * 10 + (*p - '0');
		p++;
	}
	v->suf = p;
	while (*p && *p != '.' && *p != ' ' && *p != '-' && *p != '(')
		p++;
	v->suflen = (size_t)(p - v->suf);
	return *p == '.' ? p + 1 : NULL;
}

/* Pre-release tags sort before the release itself. */
static bool prerelease(const char *s, size_t n)
{
	return (n >= 2 && !strncmp(s, "rc", 2)) ||
	       (n >= 4 && !strncmp(s, "beta", 4)) ||
	       (n >= 5 && !strncmp(s, "alpha", 5)) || (n >= 1 && *s == '~');
}

static int vpart_cmp(const struct vpart *a, const struct vpart *b)
{
	int c;

	/* "rc26" (no number) is a pre-release of the component: below 0. */
	if (a->has_num != b->has_num)
		return a->has_num ? 1 : -1;
	if (a->num != b->num)
		return a->num < b->num ? -1 : 1;
	if (!a->suflen || !b->suflen) {
		if (a->suflen == b->suflen)
			return 0;
		if (a->suflen)
			return prerelease(a->suf, a->suflen) ? -1 : 1;
		return prerelease(b->suf, b->suflen) ? 1 : -1;
	}
	/* Two suffixes: compare the letters, then the number in them. */
	{
		size_t la = strcspn(a->suf, "0123456789"), lb = strcspn(b->suf, "0123456789");
		size_t l = la < lb ? la : lb;

		if (la > a->suflen)
			la = a->suflen;
		if (lb > b->suflen)
			lb = b->suflen;
		c = strncmp(a->suf, b->suf, l < la ? l : la);
		if (c || la != lb)
			return c ? c : (la < lb ? -1 : 1);
		c = atoi(a->suf + la) - atoi(b->suf + lb);
		return c < 0 ? -1 : c > 0;
	}
}

int predict_version_cmp(const char *a, const char *b)
{
	if (!a || !*a || !b || !*b)
		return (a && *a) - (b && *b);
	/* Bounded by the string lengths: each round consumes a component. */
	while (a || b) {
		struct vpart va = { true, 0, "", 0 }, vb = { true, 0, "", 0 };
		int c;

		if (a)
			a = vpart_next(a, &va);
		if (b)
			b = vpart_next(b, &vb);
		c = vpart_cmp(&va, &vb);
		if (c)
			return c;
	}
	return 0;
}

double predict_ntpd_stepout(const char *version, bool ntpsec)
{
	if (ntpsec)
		return PREDICT_NTPD_STEPOUT_NEW_S;
	if (!version || !isdigit((unsigned char)*version))
		return 0;
	if (predict_version_cmp(version, "4.2.7") < 0)
		return PREDICT_NTPD_STEPOUT_OLD_S;
	if (predict_version_cmp(version, "4.2.8") >= 0)
		return PREDICT_NTPD_STEPOUT_NEW_S;
	return 0;  /* 4.2.7 development: the change is in there somewhere */
}

/* "15 minutes", "3.4 hours": words for people, not unit symbols. */
static void words_duration(double s, char *buf, size_t len)
{
	if (s < 120)
		snprintf(buf, len, "%.0f seconds", s);
	else if (s < 2 * 3600)
		snprintf(buf, len, "%.0f minutes", s / 60);
	else if (s < 2 * 86400)
		snprintf(buf, len, "%.1f hours", s / 3600);
	else
		snprintf(buf, len, "%.1f days", s / 86400);
}

static void every(double s, char *buf, size_t len)
{
	char h[32];

	words_duration(s, h, sizeof(h));
	snprintf(buf, len, "every %s", h);
}

static void size_words(double s, char *buf, size_t len)
{
	double a = fabs(s);

	if (a >= 10)
		snprintf(buf, len, "%.0f s", a);
	else if (a >= 1)
		snprintf(buf, len, "%.1f s", a);
	else
		snprintf(buf, len, "%.0f ms", a * 1e3);
}

static void predict_ntpd(const struct predict_daemon *d, struct predict_result *r)
{
	const struct daemon_conf *c = d->conf;
	double rate, threshold, stepout, panic, cycle, peak;
	char sz[32], ev[48], tmp[32];
	const char *dir = r->drift_ppm > 0 ? "back" : "forward";

	r->capacity_ppm = DAEMONS_NTPD_MAXFREQ_PPM;
	if (fabs(r->drift_ppm) <= r->capacity_ppm) {
		r->outcome = PREDICT_KEEPS_UP;
		snprintf(r->sentence, sizeof(r->sentence),
			 "%s can keep up: %.0f ppm is within the %.0f ppm it and "
			 "the kernel can correct%s", r->daemon, fabs(r->drift_ppm),
			 r->capacity_ppm, fabs(r->drift_ppm) > 0.8 * r->capacity_ppm ?
			 ", but with little margin" : "");
		return;
	}
	rate = (fabs(r->drift_ppm) - r->capacity_ppm) * 1e-6;
	r->net_ppm = rate * 1e6;
	threshold = d->slew_only ? PREDICT_NTPD_STEP_SLEW_S : PREDICT_NTPD_STEP_S;
	if (c && c->has_tinker_step)
		threshold = c->tinker_step_s;
	stepout = predict_ntpd_stepout(d->version, d->ntpsec);
	r->stepout_known = stepout > 0;
	if (!r->stepout_known)
		stepout = PREDICT_NTPD_STEPOUT_OLD_S;
	if (c && c->has_tinker_stepout) {
		stepout = c->tinker_stepout_s;
		r->stepout_known = true;
	}
	panic = PREDICT_NTPD_PANIC_S;
	if (c && c->has_tinker_panic)
		panic = c->tinker_panic_s;
	r->threshold_s = threshold;
	r->stepout_s = stepout;

	if (threshold <= 0) {
		/* tinker step 0: slew only, forever. */
		if (panic > 0) {
			r->outcome = PREDICT_EXITS;
			r->exit_after_s = panic / rate;
			words_duration(r->exit_after_s, tmp, sizeof(tmp));
			snprintf(r->sentence, sizeof(r->sentence),
				 "%s never steps (tinker step 0) and corrects only %.0f ppm "
				 "of %.0f ppm: the offset grows %.0f s per hour and after "
				 "about %s passes %.0f s, when ntpd exits", r->daemon,
				 r->capacity_ppm, fabs(r->drift_ppm), rate * 3600, tmp, panic);
		} else {
			r->outcome = PREDICT_RUNS_AWAY;
			r->gain_per_day_s = rate * 86400 * (r->drift_ppm > 0 ? 1 : -1);
			snprintf(r->sentence, sizeof(r->sentence),
				 "%s never steps (tinker step 0) and never gives up (tinker "
				 "panic 0): the clock runs %s by %.0f s per day without bound",
				 r->daemon, r->drift_ppm > 0 ? "ahead" : "behind", rate * 86400);
		}
		return;
	}
	cycle = threshold / rate + stepout;
	peak = rate * cycle;
	if (panic > 0 && peak > panic) {
		r->outcome = PREDICT_EXITS;
		r->exit_after_s = panic / rate;
		words_duration(r->exit_after_s, tmp, sizeof(tmp));
		snprintf(r->sentence, sizeof(r->sentence),
			 "%s cannot keep up (%.0f ppm, it corrects %.0f ppm); the offset "
			 "passes its %.0f s panic threshold after about %s, before it "
			 "would step (threshold %.0f s), and ntpd exits", r->daemon,
			 fabs(r->drift_ppm), r->capacity_ppm, panic, tmp, threshold);
		return;
	}
	r->outcome = PREDICT_STEPS;
	r->interval_s = cycle;
	r->step_s = r->drift_ppm > 0 ? -peak : peak;
	size_words(peak, sz, sizeof(sz));
	every(cycle, ev, sizeof(ev));
	if (r->stepout_known)
		snprintf(r->sentence, sizeof(r->sentence),
			 "%s will step this clock %s by about %s %s (it corrects at "
			 "most %.0f ppm of the %.0f ppm drift; step threshold %g s, "
			 "stepout %.0f s)", r->daemon, dir, sz, ev, r->capacity_ppm,
			 fabs(r->drift_ppm), threshold, stepout);
	else {
		double alt = rate * (threshold / rate + PREDICT_NTPD_STEPOUT_NEW_S);
		char sz2[32], ev2[48];

		size_words(alt, sz2, sizeof(sz2));
		every(threshold / rate + PREDICT_NTPD_STEPOUT_NEW_S, ev2, sizeof(ev2));
		snprintf(r->sentence, sizeof(r->sentence),
			 "%s will step this clock %s by about %s %s (stepout 900 s, "
			 "ntp 4.2.6 and older), or by about %s %s (300 s, ntp 4.2.8 "
			 "and NTPsec); it corrects at most %.0f ppm of the %.0f ppm drift",
			 r->daemon, dir, sz, ev, sz2, ev2, r->capacity_ppm,
			 fabs(r->drift_ppm));
	}
}

static void predict_chronyd(const struct predict_daemon *d, struct predict_result *r)
{
	const struct daemon_conf *c = d->conf;
	double slew = DAEMONS_CHRONY_MAXSLEWRATE_PPM, rate;
	bool makestep = c && c->has_makestep, always;
	char sz[32];

	if (c && c->has_maxslewrate)
		slew = c->maxslewrate_ppm;
	if (slew > PREDICT_CHRONY_DRIVER_MAX_PPM)
		slew = PREDICT_CHRONY_DRIVER_MAX_PPM;
	r->capacity_ppm = PREDICT_CHRONY_DRIVER_MAX_PPM;
	if (fabs(r->drift_ppm) < r->capacity_ppm) {
		r->outcome = PREDICT_KEEPS_UP;
		if (fabs(r->drift_ppm) > DAEMONS_NTPD_MAXFREQ_PPM)
			snprintf(r->sentence, sizeof(r->sentence),
				 "%s can keep up: it compensates up to %.0f ppm on Linux "
				 "(ntpd only 500), and slews offsets at up to %.0f ppm on top; "
				 "but a clock %.0f ppm off means the clock source itself "
				 "is wrong", r->daemon, r->capacity_ppm, slew,
				 fabs(r->drift_ppm));
		else
			snprintf(r->sentence, sizeof(r->sentence),
				 "%s can keep up: %.0f ppm is well within the %.0f ppm it "
				 "compensates on Linux", r->daemon, fabs(r->drift_ppm),
				 r->capacity_ppm);
		return;
	}
	rate = (fabs(r->drift_ppm) - r->capacity_ppm) * 1e-6;
	r->net_ppm = rate * 1e6;
	always = makestep && c->makestep_limit < 0;
	if (always && c->makestep_threshold_s > 0) {
		/* It steps at the first clock update past the threshold. */
		r->outcome = PREDICT_STEPS;
		r->threshold_s = c->makestep_threshold_s;
		r->interval_s = c->makestep_threshold_s / rate;
		r->step_s = r->drift_ppm > 0 ? -c->makestep_threshold_s :
			c->makestep_threshold_s;
		size_words(c->makestep_threshold_s, sz, sizeof(sz));
		{
			char ev[48];

			every(r->interval_s, ev, sizeof(ev));
			snprintf(r->sentence, sizeof(r->sentence),
				 "%s cannot keep up (%.0f ppm, the Linux driver allows "
				 "%.0f ppm) and will step this clock %s by a little over %s "
				 "about %s (makestep %g %d)", r->daemon,
				 fabs(r->drift_ppm), r->capacity_ppm,
				 r->drift_ppm > 0 ? "back" : "forward", sz, ev,
				 c->makestep_threshold_s, c->makestep_limit);
		}
		return;
	}
	r->outcome = PREDICT_RUNS_AWAY;
	r->gain_per_day_s = rate * 86400 * (r->drift_ppm > 0 ? 1 : -1);
	snprintf(r->sentence, sizeof(r->sentence),
		 "%s cannot keep up (%.0f ppm, the Linux driver allows %.0f ppm) and "
		 "%s: the clock runs %s by %.0f s per day", r->daemon,
		 fabs(r->drift_ppm), r->capacity_ppm,
		 makestep ? "steps only during its first updates (makestep limit)" :
		 "has no makestep, so it never steps",
		 r->drift_ppm > 0 ? "ahead" : "behind", rate * 86400);
}

void predict_daemon(const struct predict_daemon *d, double drift_ppm,
		    struct predict_result *r)
{
	memset(r, 0, sizeof(*r));
	r->drift_ppm = drift_ppm;
	if (!isfinite(drift_ppm)) {
		r->outcome = PREDICT_NO_DATA;
		snprintf(r->daemon, sizeof(r->daemon), "%s",
			 d && d->kind >= 0 && d->kind < DAEMON_COUNT ?
			 daemons_id((enum daemon_kind)d->kind) : "no time daemon");
		snprintf(r->sentence, sizeof(r->sentence), "no drift was measured");
		return;
	}
	if (!d || d->kind < 0 || d->kind >= DAEMON_COUNT) {
		r->outcome = PREDICT_NO_DAEMON;
		snprintf(r->daemon, sizeof(r->daemon), "no time daemon");
		r->gain_per_day_s = drift_ppm * 1e-6 * 86400;
		/* Two decimals where a tenth would read "0.0 s" (0.2 ppm). */
		snprintf(r->sentence, sizeof(r->sentence),
			 "no time daemon corrects this clock: it runs %s by %.*f s per day",
			 drift_ppm >= 0 ? "ahead" : "behind",
			 fabs(r->gain_per_day_s) < 10 ? 2 : 1, fabs(r->gain_per_day_s));
		return;
	}
	if (d->kind == DAEMON_NTPD)
		snprintf(r->daemon, sizeof(r->daemon), "%s%s%s",
			 d->ntpsec ? "ntpd (NTPsec)" : "ntpd",
			 d->version ? " " : "", d->version ? d->version : "");
	else
		snprintf(r->daemon, sizeof(r->daemon), "%s%s%s",
			 daemons_process_name((enum daemon_kind)d->kind),
			 d->version ? " " : "", d->version ? d->version : "");
	switch (d->kind) {
	case DAEMON_NTPD:
		predict_ntpd(d, r);
		return;
	case DAEMON_CHRONYD:
		predict_chronyd(d, r);
		return;
	default:
		break;
	}
	/* timesyncd (kernel frequency) and OpenNTPD (adjtime): 500 ppm. */
	r->capacity_ppm = DAEMONS_NTPD_MAXFREQ_PPM;
	if (d->kind != DAEMON_TIMESYNCD && d->kind != DAEMON_OPENNTPD) {
		r->outcome = PREDICT_NO_DATA;
		snprintf(r->sentence, sizeof(r->sentence),
			 "how %s handles a drifting clock is not modelled", r->daemon);
		return;
	}
	if (fabs(drift_ppm) <= r->capacity_ppm) {
		r->outcome = PREDICT_KEEPS_UP;
		snprintf(r->sentence, sizeof(r->sentence),
			 "%s can keep up: %.0f ppm is within the %.0f ppm the kernel "
			 "corrects", r->daemon, fabs(drift_ppm), r->capacity_ppm);
		return;
	}
	r->outcome = PREDICT_CANNOT_KEEP_UP;
	r->net_ppm = fabs(drift_ppm) - r->capacity_ppm;
	snprintf(r->sentence, sizeof(r->sentence),
		 "%s cannot keep up: it corrects through the kernel, at most %.0f "
		 "ppm of the %.0f ppm drift, so the offset grows %.0f s per hour "
		 "until it steps or gives up", r->daemon, r->capacity_ppm,
		 fabs(drift_ppm), r->net_ppm * 1e-6 * 3600);
}
