/*
 * clock.c - live and fake clock backends.
 *
 * The live backend probes each clock id once: a kernel without
 * CLOCK_MONOTONIC_RAW (before 2.6.28) or CLOCK_BOOTTIME (before 2.6.39)
 * answers EINVAL, and the analysis then works with what exists.
 */
#include <errno.h>
#include <string.h>
#include <sys/timex.h>
#include <time.h>

#include "clock.h"
#include "util.h"

#ifndef CLOCK_MONOTONIC_RAW
#define CLOCK_MONOTONIC_RAW 4
#endif
#ifndef CLOCK_BOOTTIME
#define CLOCK_BOOTTIME 7
#endif

static struct clock_fake *fake;
/* 0 = not probed, 1 = present, -1 = absent (live backend). */
static int live_avail[CLOCK_ID_COUNT];

const char *clock_name(enum clock_id id)
{
	static const char *const names[CLOCK_ID_COUNT] = {
		"realtime", "monotonic", "monotonic_raw", "boottime", "tsc"
	};

	return (unsigned)id < CLOCK_ID_COUNT ? names[id] : "?";
}

static inline int rdtsc(int64_t *out)
{
#if defined(__x86_64__) || defined(__i386__)
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	*out = (int64_t)(((uint64_t)hi << 32) | lo);
	return 0;
#else
	(void)out;
	errno = ENOTSUP;
	return -1;
#endif
}

static int fake_read(enum clock_id id, int64_t *out)
{
	int64_t t;
	double v;

	if (fake->missing[id]) {
		errno = id == CLOCK_ID_TSC ? ENOTSUP : EINVAL;
		return -1;
	}
	t = fake->true_ns;
	v = (double)t * (fake->rate_ppm[id] * 1e-6);
	/* The fake TSC counts at 2 GHz: base_ns holds ticks for it. */
	*out = fake->base_ns[id] +
	       (id == CLOCK_ID_TSC ? 2 : 1) * (t + (int64_t)v);
	if (id == CLOCK_ID_REALTIME)
		for (int i = 0; i < fake->nsteps; i++)
			if (t >= fake->steps[i].at_ns)
				*out += fake->steps[i].delta_ns;
	fake->true_ns += fake->read_cost_ns;
	return 0;
}

int clock_read(enum clock_id id, int64_t *out)
{
	static const clockid_t ids[] = {
		[CLOCK_ID_REALTIME] = CLOCK_REALTIME,
		[CLOCK_ID_MONOTONIC] = CLOCK_MONOTONIC,
		[CLOCK_ID_MONOTONIC_RAW] = CLOCK_MONOTONIC_RAW,
		[CLOCK_ID_BOOTTIME] = CLOCK_BOOTTIME,
	};
	struct timespec ts;

	if ((unsigned)id >= CLOCK_ID_COUNT) {
		errno = EINVAL;
		return -1;
	}
	if (fake)
		return fake_read(id, out);
	if (id == CLOCK_ID_TSC)
		return rdtsc(out);
	if (clock_gettime(ids[id], &ts))
		return -1;
	*out = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	return 0;
}

bool clock_available(enum clock_id id)
{
	int64_t v;

	if ((unsigned)id >= CLOCK_ID_COUNT)
		return false;
	if (fake)
		return !fake->missing[id];
	if (!live_avail[id])
		live_avail[id] = clock_read(id, &v) ? -1 : 1;
	return live_avail[id] > 0;
}

static void kstate_from_timex(const struct timex *tx, int state,
			      struct clock_kstate *ks)
{
	/* STA_NANO says whether offset is in ns or us. */
	double offset_scale = (tx->status & STA_NANO) ? 1e-9 : 1e-6;

	memset(ks, 0, sizeof(*ks));
	ks->state = state;
	ks->status = tx->status;
	ks->offset_s = (double)tx->offset * offset_scale;
	/* freq, tolerance: ppm with a 16-bit binary fraction. */
	ks->freq_ppm = (double)tx->freq / 65536.0;
	ks->tolerance_ppm = (double)tx->tolerance / 65536.0;
	ks->maxerror_s = (double)tx->maxerror * 1e-6;
	ks->esterror_s = (double)tx->esterror * 1e-6;
	ks->constant = tx->constant;
	ks->precision_s = (double)tx->precision * 1e-6;
	ks->tick_us = tx->tick;
	ks->tai = tx->tai;
}

int clock_kstate_read(struct clock_kstate *ks, char *err)
{
	struct timex tx;
	int state;

	if (fake) {
		if (!fake->kstate_ok)
			return util_err(err, "adjtimex: not available");
		*ks = fake->kstate;
		return 0;
	}
	memset(&tx, 0, sizeof(tx));
	tx.modes = 0; /* read-only: never change the clock */
	state = adjtimex(&tx);
	if (state < 0)
		return util_errno(err, errno, "adjtimex");
	kstate_from_timex(&tx, state, ks);
	return 0;
}

const char *clock_kstate_state_name(int state)
{
	static const char *const names[] = {
		"TIME_OK", "TIME_INS", "TIME_DEL", "TIME_OOP", "TIME_WAIT",
		"TIME_ERROR"
	};

	if (state >= 0 && state < (int)UTIL_ARRAY_SIZE(names))
		return names[state];
	return "unknown";
}

void clock_kstate_status_names(int status, struct strbuf *out)
{
	static const struct {
		int bit;
		const char *name;
	} bits[] = {
		{ STA_PLL, "PLL" }, { STA_PPSFREQ, "PPSFREQ" },
		{ STA_PPSTIME, "PPSTIME" }, { STA_FLL, "FLL" },
		{ STA_INS, "INS" }, { STA_DEL, "DEL" },
		{ STA_UNSYNC, "UNSYNC" }, { STA_FREQHOLD, "FREQHOLD" },
		{ STA_PPSSIGNAL, "PPSSIGNAL" }, { STA_PPSJITTER, "PPSJITTER" },
		{ STA_PPSWANDER, "PPSWANDER" }, { STA_PPSERROR, "PPSERROR" },
		{ STA_CLOCKERR, "CLOCKERR" }, { STA_NANO, "NANO" },
		{ STA_MODE, "MODE" }, { STA_CLK, "CLK" },
	};
	bool any = false;

	for (size_t i = 0; i < UTIL_ARRAY_SIZE(bits); i++) {
		if (!(status & bits[i].bit))
			continue;
		if (any)
			strbuf_addch(out, ' ');
		strbuf_addstr(out, bits[i].name);
		any = true;
	}
}

int clock_snap_read(struct clock_snap *s, int tries)
{
	struct clock_snap cur;
	bool have = false;

	if (tries < 1)
		tries = 1;
	for (int t = 0; t < tries; t++) {
		int64_t m0, m1;

		memset(&cur, 0, sizeof(cur));
		if (clock_read(CLOCK_ID_MONOTONIC, &m0))
			return -1;
		for (int id = 0; id < CLOCK_ID_COUNT; id++) {
			if (id == CLOCK_ID_MONOTONIC || !clock_available(id))
				continue;
			if (!clock_read(id, &cur.v[id]))
				cur.present |= 1u << id;
		}
		if (clock_read(CLOCK_ID_MONOTONIC, &m1))
			return -1;
		cur.present |= 1u << CLOCK_ID_MONOTONIC;
		cur.v[CLOCK_ID_MONOTONIC] = m0 + (m1 - m0) / 2;
		cur.width_ns = m1 - m0;
		if (!have || cur.width_ns < s->width_ns)
			*s = cur;
		have = true;
	}
	return 0;
}

void clock_fake_init(struct clock_fake *f)
{
	memset(f, 0, sizeof(*f));
	/* 2026-01-01T00:00:00Z */
	f->base_ns[CLOCK_ID_REALTIME] = INT64_C(1767225600) * 1000000000;
	f->base_ns[CLOCK_ID_MONOTONIC] = INT64_C(1000) * 1000000000;
	f->base_ns[CLOCK_ID_MONOTONIC_RAW] = INT64_C(1000) * 1000000000;
	f->base_ns[CLOCK_ID_BOOTTIME] = INT64_C(1000) * 1000000000;
	f->base_ns[CLOCK_ID_TSC] = INT64_C(123456789);
	f->kstate_ok = true;
	f->kstate.state = 0;
	f->kstate.status = STA_PLL | STA_NANO;
	f->kstate.tick_us = 10000;
}

void clock_use_fake(struct clock_fake *f)
{
	fake = f;
}

void clock_fake_advance(struct clock_fake *f, int64_t ns)
{
	f->true_ns += ns;
}
