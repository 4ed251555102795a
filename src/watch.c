/*
 * watch.c - step detector and clock-set event source (see watch.h).
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "watch.h"

#ifndef TFD_TIMER_CANCEL_ON_SET
#define TFD_TIMER_CANCEL_ON_SET (1 << 1)
#endif

void watch_opts_default(struct watch_opts *o)
{
	o->set_min_s = WATCH_SET_MIN_S;
	o->tick_min_s = WATCH_TICK_MIN_S;
	o->slew_ppm = WATCH_SLEW_PPM;
}

void watch_detector_init(struct watch_detector *d)
{
	memset(d, 0, sizeof(*d));
}

static bool has(const struct clock_snap *s, enum clock_id id)
{
	return s->present & (1u << id);
}

bool watch_detect(struct watch_detector *d, const struct watch_opts *o,
		  const struct watch_event *ev, struct watch_step *out)
{
	const struct clock_snap *s = &ev->snap;
	bool boot = has(s, CLOCK_ID_BOOTTIME);
	int64_t mono, diff;
	double change, elapsed, thr;
	bool step;

	if (!has(s, CLOCK_ID_REALTIME) || (!boot && !has(s, CLOCK_ID_MONOTONIC)))
		return false;
	mono = s->v[boot ? CLOCK_ID_BOOTTIME : CLOCK_ID_MONOTONIC];
	diff = s->v[CLOCK_ID_REALTIME] - mono;
	if (!d->have_ref || d->ref_boot != boot) {
		/* First event, or BOOTTIME came or went: a new reference. */
		d->have_ref = true;
		d->ref_boot = boot;
		d->ref_diff_ns = diff;
		d->ref_mono_ns = mono;
		d->ref_width_ns = s->width_ns;
		return false;
	}
	change = (double)(diff - d->ref_diff_ns) * 1e-9;
	elapsed = fabs((double)(mono - d->ref_mono_ns) * 1e-9);
	if (ev->kind == WATCH_CLOCK_SET)
		thr = o->set_min_s;
	else
		thr = o->tick_min_s + o->slew_ppm * 1e-6 * elapsed;
	thr += (double)(d->ref_width_ns + s->width_ns) * 1e-9;
	step = fabs(change) > thr;
	if (step) {
		out->size_s = change;
		out->unc_s = (double)(d->ref_width_ns + s->width_ns) * 1e-9;
		out->at_real = s->v[CLOCK_ID_REALTIME];
		out->kernel_said = ev->kind == WATCH_CLOCK_SET;
	}
	d->ref_diff_ns = diff;
	d->ref_mono_ns = mono;
	d->ref_width_ns = s->width_ns;
	return step;
}

/* ------------------------------------------------------------- source */

struct watch_source {
	int tfd;            /* -1 when polling */
	double poll_s;
};

/* Arms the timerfd ten years ahead: it should only ever be cancelled. */
static int arm(int tfd)
{
	struct itimerspec its;
	int64_t now;

	memset(&its, 0, sizeof(its));
	if (clock_read(CLOCK_ID_REALTIME, &now))
		return -1;
	its.it_value.tv_sec = (time_t)(now / 1000000000) + 10 * 366 * 86400L;
	return timerfd_settime(tfd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its,
			       NULL);
}

int watch_source_open(enum watch_mode mode, double poll_s,
		      struct watch_source **out, char *why_fallback, char *err)
{
	struct watch_source *s = xcalloc(1, sizeof(*s));
	char why[UTIL_ERRMAX] = "";

	s->tfd = -1;
	s->poll_s = poll_s > 0 ? poll_s : 10;
	if (mode != WATCH_POLL) {
		int fd = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC | TFD_NONBLOCK);

		if (fd < 0) {
			util_errno(why, errno, "timerfd_create");
		} else if (arm(fd) && errno != ECANCELED) {
			/* EINVAL: a kernel before 3.0 without CANCEL_ON_SET. */
			util_errno(why, errno, "timerfd_settime(TFD_TIMER_CANCEL_ON_SET)");
			close(fd);
		} else {
			s->tfd = fd;
		}
		if (s->tfd < 0 && mode == WATCH_TIMERFD) {
			free(s);
			return util_err(err, "%s", why);
		}
	}
	if (why_fallback)
		snprintf(why_fallback, UTIL_ERRMAX, "%s", why);
	*out = s;
	return 0;
}

void watch_source_close(struct watch_source *s)
{
	if (!s)
		return;
	if (s->tfd >= 0)
		close(s->tfd);
	free(s);
}

const char *watch_source_kind(const struct watch_source *s)
{
	return s->tfd >= 0 ? "timerfd" : "poll";
}

int watch_source_wait(struct watch_source *s, const sigset_t *sigmask,
		      struct watch_event *ev, char *err)
{
	struct pollfd pfd = { .fd = s->tfd, .events = POLLIN };
	struct timespec ts;
	int n;

	if (s->tfd < 0) {
		ts.tv_sec = (time_t)s->poll_s;
		ts.tv_nsec = (long)((s->poll_s - (double)ts.tv_sec) * 1e9);
		n = ppoll(NULL, 0, &ts, sigmask);
		if (n < 0 && errno == EINTR)
			return 0;
		if (n < 0)
			return util_errno(err, errno, "ppoll");
		ev->kind = WATCH_TICK;
	} else {
		uint64_t expirations;
		ssize_t r;

		n = ppoll(&pfd, 1, NULL, sigmask);
		if (n < 0 && errno == EINTR)
			return 0;
		if (n < 0)
			return util_errno(err, errno, "ppoll");
		r = read(s->tfd, &expirations, sizeof(expirations));
		if (r < 0 && errno == ECANCELED) {
			ev->kind = WATCH_CLOCK_SET;
		} else if (r == (ssize_t)sizeof(expirations)) {
			ev->kind = WATCH_TICK;   /* ten years passed, or so it seems */
		} else if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
			return 0;
		} else {
			return util_errno(err, r < 0 ? errno : EIO, "read(timerfd)");
		}
		/* Cancelled or expired: arm again (this also clears the cancel). */
		if (arm(s->tfd) && errno != ECANCELED)
			return util_errno(err, errno, "timerfd_settime");
	}
	if (clock_snap_read(&ev->snap, 3))
		return util_errno(err, errno, "cannot read the clocks");
	return 1;
}
