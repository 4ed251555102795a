/*
 * ntp.c - NTP header encode/decode/validate and the four-timestamp maths.
 *
 * No sockets and no clock reads except for the nonce fallback (through
 * clock.h). The offset/delay maths subtracts 64-bit fixed-point NTP
 * timestamps before converting to double: a double of an absolute time
 * (3.9e9 s) keeps only about 0.5 us, a double of a difference keeps the
 * full 2^-32 s.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ntp.h"
#include "util.h"

#define NS_PER_S INT64_C(1000000000)

static const struct {
	const char *name, *desc;
} rejects[NTP_REJECT_COUNT] = {
	[NTP_OK] = { "ok", "valid reply" },
	[NTP_REJECT_SHORT] = { "too-short", "packet shorter than 48 bytes" },
	[NTP_REJECT_VERSION] = { "bad-version", "NTP version not 1 to 4" },
	[NTP_REJECT_MODE] = { "wrong-mode", "not a server reply (mode 4)" },
	[NTP_REJECT_ORIGIN] = { "origin-mismatch",
		"origin timestamp does not match our request (stale or spoofed)" },
	[NTP_REJECT_KOD] = { "kiss-o-death", "Kiss-o'-Death (stratum 0)" },
	[NTP_REJECT_UNSYNC] = { "unsynchronised",
		"server not synchronised (stratum 16 or leap indicator 3)" },
	[NTP_REJECT_ZERO_TRANSMIT] = { "zero-transmit", "transmit timestamp is zero" },
	[NTP_REJECT_ZERO_RECEIVE] = { "zero-receive", "receive timestamp is zero" },
	[NTP_REJECT_ROOT_DISTANCE] = { "root-distance",
		"root distance over 1.5 s (server too far from its reference)" },
	[NTP_REJECT_SOURCE] = { "source-mismatch",
		"reply from another address or port than the one queried" },
};

const char *ntp_reject_name(enum ntp_reject r)
{
	return (unsigned)r < NTP_REJECT_COUNT ? rejects[r].name : "unknown";
}

const char *ntp_reject_desc(enum ntp_reject r)
{
	return (unsigned)r < NTP_REJECT_COUNT ? rejects[r].desc : "unknown";
}

enum ntp_kod ntp_kod_of(const struct ntp_packet *p)
{
	static const struct { const char code[5]; enum ntp_kod k; } codes[] = {
		{ "RATE", NTP_KOD_RATE }, { "DENY", NTP_KOD_DENY },
		{ "RSTR", NTP_KOD_RSTR },
	};
	char s[16];

	if (p->stratum != 0)
		return NTP_KOD_NONE;
	ntp_refid_str(p, s);
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(codes); i++)
		if (!strcmp(s, codes[i].code))
			return codes[i].k;
	return NTP_KOD_OTHER;
}

bool ntp_kod_stops(enum ntp_kod k)
{
	return k == NTP_KOD_RATE || k == NTP_KOD_DENY || k == NTP_KOD_RSTR;
}

const char *ntp_kod_desc(enum ntp_kod k)
{
	switch (k) {
	case NTP_KOD_NONE: return "not a Kiss-o'-Death";
	case NTP_KOD_RATE: return "rate exceeded: the server asks for fewer queries";
	case NTP_KOD_DENY: return "access denied by the server";
	case NTP_KOD_RSTR: return "access restricted by the server";
	case NTP_KOD_OTHER: break;
	}
	return "unknown kiss code (server not ready)";
}

void ntp_refid_str(const struct ntp_packet *p, char out[16])
{
	uint8_t b[4] = {
		(uint8_t)(p->refid >> 24), (uint8_t)(p->refid >> 16),
		(uint8_t)(p->refid >> 8), (uint8_t)p->refid
	};

	if (p->stratum <= 1) {
		int n = 4;

		while (n > 0 && b[n - 1] == 0)
			n--;
		for (int i = 0; i < n; i++)
			out[i] = (b[i] >= 0x20 && b[i] < 0x7f) ? (char)b[i] : '?';
		out[n] = 0;
		return;
	}
	snprintf(out, 16, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

static void put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static void put64(uint8_t *b, uint64_t v)
{
	put32(b, (uint32_t)(v >> 32));
	put32(b + 4, (uint32_t)v);
}

static uint32_t get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

static uint64_t get64(const uint8_t *b)
{
	return (uint64_t)get32(b) << 32 | get32(b + 4);
}

void ntp_encode(const struct ntp_packet *p, uint8_t buf[NTP_HEADER_LEN])
{
	buf[0] = (uint8_t)((p->leap & 3) << 6 | (p->version & 7) << 3 |
			   (p->mode & 7));
	buf[1] = (uint8_t)p->stratum;
	buf[2] = (uint8_t)(int8_t)p->poll;
	buf[3] = (uint8_t)(int8_t)p->precision;
	put32(buf + 4, p->root_delay);
	put32(buf + 8, p->root_dispersion);
	put32(buf + 12, p->refid);
	put64(buf + 16, p->ref_ts);
	put64(buf + 24, p->origin_ts);
	put64(buf + 32, p->receive_ts);
	put64(buf + 40, p->transmit_ts);
}

int ntp_decode(const uint8_t *buf, size_t len, struct ntp_packet *p)
{
	if (len < NTP_HEADER_LEN)
		return -1;
	p->leap = buf[0] >> 6;
	p->version = (buf[0] >> 3) & 7;
	p->mode = buf[0] & 7;
	p->stratum = buf[1];
	p->poll = (int8_t)buf[2];
	p->precision = (int8_t)buf[3];
	p->root_delay = get32(buf + 4);
	p->root_dispersion = get32(buf + 8);
	p->refid = get32(buf + 12);
	p->ref_ts = get64(buf + 16);
	p->origin_ts = get64(buf + 24);
	p->receive_ts = get64(buf + 32);
	p->transmit_ts = get64(buf + 40);
	return 0;
}

/* getrandom(2) by number: glibc before 2.25 has no wrapper, and a kernel
 * before 3.17 answers ENOSYS. Tests swap this to simulate the old kernel. */
static long sys_getrandom(void *buf, size_t len, unsigned flags)
{
#ifdef SYS_getrandom
	return syscall(SYS_getrandom, buf, len, flags);
#else
	(void)buf, (void)len, (void)flags;
	errno = ENOSYS;
	return -1;
#endif
}
HV_TESTABLE long (*ntp_getrandom_fn)(void *, size_t, unsigned) = sys_getrandom;

/* splitmix64's finaliser: spreads every input bit over the output. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

uint64_t ntp_make_nonce(void)
{
	static uint64_t counter;
	uint64_t v = 0;
	long n = -1;

	/* Without GRND_NONBLOCK: early at boot the pool may not be ready, and
	 * a short wait is better than a guessable nonce. EINTR retried. */
	for (int i = 0; i < 4 && n != (long)sizeof(v); i++) {
		n = ntp_getrandom_fn(&v, sizeof(v), 0);
		if (n < 0 && errno != EINTR)
			break;
	}
	if (n != (long)sizeof(v)) {
		/* No getrandom: not cryptographic, but unpredictable enough
		 * off-path (ns clocks, TSC, pid, a per-process counter). */
		int64_t r = 0, m = 0, t = 0;

		clock_read(CLOCK_ID_REALTIME, &r);
		clock_read(CLOCK_ID_MONOTONIC, &m);
		clock_read(CLOCK_ID_TSC, &t);
		v = mix64((uint64_t)r ^ mix64((uint64_t)m + (uint64_t)getpid()) ^
			  mix64((uint64_t)t + ++counter));
	}
	return v ? v : 1;
}

void ntp_request(uint64_t nonce, uint8_t buf[NTP_HEADER_LEN])
{
	struct ntp_packet p;

	memset(&p, 0, sizeof(p));
	p.version = 4;
	p.mode = NTP_MODE_CLIENT;
	/* A poll of 6 (64 s) and precision 2^-20 say nothing about us that
	 * matters; the transmit timestamp carries the nonce (RFC 5905 allows
	 * any value: the server only copies it into the reply's origin). */
	p.poll = 6;
	p.precision = -20;
	p.transmit_ts = nonce;
	ntp_encode(&p, buf);
}

double ntp_short_to_s(uint32_t v)
{
	return (double)v / 65536.0;
}

double ntp_root_distance(const struct ntp_packet *p)
{
	return ntp_short_to_s(p->root_delay) / 2 +
	       ntp_short_to_s(p->root_dispersion);
}

enum ntp_reject ntp_validate(const uint8_t *buf, size_t len, uint64_t nonce,
			     struct ntp_packet *p)
{
	if (ntp_decode(buf, len, p)) {
		memset(p, 0, sizeof(*p));
		return NTP_REJECT_SHORT;
	}
	if (p->version < 1 || p->version > 4)
		return NTP_REJECT_VERSION;
	if (p->mode != NTP_MODE_SERVER)
		return NTP_REJECT_MODE;
	if (p->origin_ts != nonce)
		return NTP_REJECT_ORIGIN;
	if (p->stratum == 0)
		return NTP_REJECT_KOD;
	if (p->stratum >= 16 || p->leap == 3)
		return NTP_REJECT_UNSYNC;
	if (p->transmit_ts == 0)
		return NTP_REJECT_ZERO_TRANSMIT;
	if (p->receive_ts == 0)
		return NTP_REJECT_ZERO_RECEIVE;
	if (ntp_root_distance(p) > NTP_MAX_ROOT_DISTANCE_S)
		return NTP_REJECT_ROOT_DISTANCE;
	return NTP_OK;
}

/* Floor division for the sign of pre-1970 times. */
static void split_ns(int64_t ns, int64_t *s, int64_t *rem)
{
	*s = ns / NS_PER_S;
	*rem = ns % NS_PER_S;
	if (*rem < 0) {
		*rem += NS_PER_S;
		(*s)--;
	}
}

uint64_t ntp_ts_from_unix_ns(clock_real_ns ns)
{
	int64_t s, rem;
	uint64_t frac;
	uint32_t sec;

	split_ns(ns, &s, &rem);
	/* rem < 1e9 < 2^30, so rem << 32 fits in 62 bits. */
	frac = (((uint64_t)rem << 32) + (uint64_t)NS_PER_S / 2) / (uint64_t)NS_PER_S;
	sec = (uint32_t)((uint64_t)s + (uint64_t)NTP_UNIX_EPOCH_S);
	if (frac >> 32) { /* rounded up to a whole second */
		frac = 0;
		sec++;
	}
	return (uint64_t)sec << 32 | frac;
}

clock_real_ns ntp_ts_to_unix_ns(uint64_t ts, clock_real_ns pivot)
{
	int64_t ps, prem, full_s;
	uint32_t sec = (uint32_t)(ts >> 32);
	uint64_t frac = ts & 0xffffffffu;
	int32_t d;

	split_ns(pivot, &ps, &prem);
	ps += NTP_UNIX_EPOCH_S;  /* pivot in NTP seconds, era included */
	/* The 32-bit difference taken as signed picks the era within
	 * +/- 2^31 s (68 years) of the pivot. */
	d = (int32_t)(uint32_t)(sec - (uint32_t)ps);
	full_s = ps + d - NTP_UNIX_EPOCH_S;
	/* Saturate instead of overflowing for a pivot near the int64 ends. */
	if (full_s >= INT64_MAX / NS_PER_S)
		return INT64_MAX;
	if (full_s <= INT64_MIN / NS_PER_S)
		return INT64_MIN;
	return full_s * NS_PER_S +
	       (int64_t)((frac * (uint64_t)NS_PER_S + (UINT64_C(1) << 31)) >> 32);
}

int64_t ntp_ts_diff(uint64_t a, uint64_t b)
{
	uint64_t d = a - b;

	/* Two's complement without relying on implementation-defined casts. */
	return d <= (uint64_t)INT64_MAX ? (int64_t)d
					: -(int64_t)(~d) - 1;
}

void ntp_offset_delay(clock_real_ns t1, uint64_t t2, uint64_t t3,
		      clock_real_ns t4, double *offset_s, double *delay_s)
{
	/* t1 and t4 come from a ns clock; in NTP fixed point they lose
	 * nothing (2^-32 s < 1 ns). */
	uint64_t f1 = ntp_ts_from_unix_ns(t1), f4 = ntp_ts_from_unix_ns(t4);
	const double unit = 1.0 / 4294967296.0;
	double a = (double)ntp_ts_diff(t2, f1), b = (double)ntp_ts_diff(t3, f4);
	double rtt = (double)ntp_ts_diff(f4, f1), srv = (double)ntp_ts_diff(t3, t2);

	*offset_s = (a + b) / 2 * unit;
	*delay_s = (rtt - srv) * unit;
}
