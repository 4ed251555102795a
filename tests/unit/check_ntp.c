/*
 * check_ntp.c - ntp (packets, validation, eras, offset/delay maths),
 * net (addresses, kernel receive timestamps) and sntp (server specs,
 * default servers, a whole exchange against an in-process server).
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include "env.h"
#include "net.h"
#include "ntp.h"
#include "sntp.h"
#include "util.h"

extern long (*ntp_getrandom_fn)(void *, size_t, unsigned);

#define NS INT64_C(1000000000)
/* 2036-02-07T06:28:16Z, the end of NTP era 0, in Unix seconds. */
#define ERA1_UNIX_S INT64_C(2085978496)
/* 2026-01-01T00:00:00Z */
#define Y2026_S INT64_C(1767225600)

static const uint64_t NONCE = UINT64_C(0x0123456789abcdef);

/* A valid server reply to NONCE, server receive at unix time t2. */
static void good_reply(struct ntp_packet *p, int64_t t2_ns)
{
	memset(p, 0, sizeof(*p));
	p->version = 4;
	p->mode = NTP_MODE_SERVER;
	p->stratum = 2;
	p->poll = 6;
	p->precision = -23;
	p->root_delay = 0x00000200;
	p->root_dispersion = 0x00000300;
	p->refid = 0xc0000201;
	p->origin_ts = NONCE;
	p->ref_ts = ntp_ts_from_unix_ns(t2_ns - 64 * NS);
	p->receive_ts = ntp_ts_from_unix_ns(t2_ns);
	p->transmit_ts = ntp_ts_from_unix_ns(t2_ns + 10000);
}

static enum ntp_reject validate_pkt(const struct ntp_packet *p, size_t len)
{
	uint8_t buf[128];
	struct ntp_packet out;

	memset(buf, 0, sizeof(buf));
	ntp_encode(p, buf);
	return ntp_validate(buf, len, NONCE, &out);
}

START_TEST(test_encode_decode_roundtrip)
{
	struct ntp_packet p, q;
	uint8_t buf[NTP_HEADER_LEN];

	srand(42);
	for (int i = 0; i < 1000; i++) {
		memset(&p, 0, sizeof(p));
		p.leap = (unsigned)rand() & 3;
		p.version = (unsigned)rand() & 7;
		p.mode = (unsigned)rand() & 7;
		p.stratum = (unsigned)rand() & 255;
		p.poll = (rand() & 255) - 128;
		p.precision = (rand() & 255) - 128;
		p.root_delay = (uint32_t)rand();
		p.root_dispersion = (uint32_t)rand();
		p.refid = (uint32_t)rand();
		p.ref_ts = (uint64_t)rand() << 33 ^ (uint64_t)rand();
		p.origin_ts = (uint64_t)rand() << 31 ^ (uint64_t)rand() << 5;
		p.receive_ts = (uint64_t)rand() << 32 | (uint64_t)rand();
		p.transmit_ts = ~(uint64_t)rand();
		ntp_encode(&p, buf);
		memset(&q, 0, sizeof(q));
		ck_assert_int_eq(ntp_decode(buf, sizeof(buf), &q), 0);
		ck_assert_mem_eq(&p, &q, sizeof(p));
	}
	/* Byte layout: LI/VN/mode in byte 0, big-endian fields. */
	memset(&p, 0, sizeof(p));
	p.leap = 3;
	p.version = 4;
	p.mode = 4;
	p.stratum = 1;
	p.poll = -6;
	p.refid = 0x47505300; /* "GPS" */
	p.transmit_ts = UINT64_C(0x0102030405060708);
	ntp_encode(&p, buf);
	ck_assert_int_eq(buf[0], 0xe4);
	ck_assert_int_eq(buf[1], 1);
	ck_assert_int_eq(buf[2], 0xfa);
	ck_assert_int_eq(buf[12], 'G');
	ck_assert_int_eq(buf[40], 1);
	ck_assert_int_eq(buf[47], 8);
	ck_assert_int_eq(ntp_decode(buf, 47, &q), -1);
}
END_TEST

START_TEST(test_request)
{
	uint8_t buf[NTP_HEADER_LEN];
	struct ntp_packet p;

	ntp_request(NONCE, buf);
	ck_assert_int_eq(ntp_decode(buf, sizeof(buf), &p), 0);
	ck_assert_uint_eq(p.mode, 3);
	ck_assert_uint_eq(p.version, 4);
	ck_assert_uint_eq(p.leap, 0);
	ck_assert_uint_eq(p.stratum, 0);
	ck_assert(p.transmit_ts == NONCE);
	ck_assert(p.origin_ts == 0 && p.receive_ts == 0 && p.ref_ts == 0);
}
END_TEST

static long fake_enosys(void *buf, size_t len, unsigned flags)
{
	(void)buf, (void)len, (void)flags;
	errno = ENOSYS;
	return -1;
}

static long fake_zero(void *buf, size_t len, unsigned flags)
{
	(void)flags;
	memset(buf, 0, len);
	return (long)len;
}

START_TEST(test_nonce)
{
	long (*saved)(void *, size_t, unsigned) = ntp_getrandom_fn;
	uint64_t seen[64];

	for (int i = 0; i < 64; i++) {
		seen[i] = ntp_make_nonce();
		ck_assert(seen[i] != 0);
		for (int j = 0; j < i; j++)
			ck_assert(seen[i] != seen[j]);
	}
	/* A kernel without getrandom(2): the fallback still gives distinct,
	 * non-zero nonces with bits spread over the whole word. */
	ntp_getrandom_fn = fake_enosys;
	for (int i = 0; i < 64; i++) {
		seen[i] = ntp_make_nonce();
		ck_assert(seen[i] != 0);
		for (int j = 0; j < i; j++)
			ck_assert(seen[i] != seen[j]);
	}
	ck_assert(seen[0] >> 32 != seen[1] >> 32);
	/* Zero is never a nonce: it would match a server's empty origin. */
	ntp_getrandom_fn = fake_zero;
	ck_assert(ntp_make_nonce() != 0);
	ntp_getrandom_fn = saved;
}
END_TEST

START_TEST(test_validate_each_reason)
{
	int64_t t = Y2026_S * NS;
	struct ntp_packet p;
	uint8_t buf[NTP_HEADER_LEN + 40];
	struct ntp_packet out;

	good_reply(&p, t);
	ck_assert_int_eq(validate_pkt(&p, NTP_HEADER_LEN), NTP_OK);
	/* Extension fields and a MAC beyond 48 bytes are ignored. */
	ck_assert_int_eq(validate_pkt(&p, NTP_HEADER_LEN + 40), NTP_OK);
	ck_assert_int_eq(validate_pkt(&p, NTP_HEADER_LEN - 1), NTP_REJECT_SHORT);
	ck_assert_int_eq(ntp_validate(buf, 0, NONCE, &out), NTP_REJECT_SHORT);

	for (unsigned v = 0; v < 8; v++) {
		good_reply(&p, t);
		p.version = v;
		ck_assert_int_eq(validate_pkt(&p, 48),
				 v >= 1 && v <= 4 ? NTP_OK : NTP_REJECT_VERSION);
	}
	for (unsigned m = 0; m < 8; m++) {
		good_reply(&p, t);
		p.mode = m;
		ck_assert_int_eq(validate_pkt(&p, 48), m == 4 ? NTP_OK : NTP_REJECT_MODE);
	}
	good_reply(&p, t);
	p.origin_ts = NONCE ^ 1;
	ck_assert_int_eq(validate_pkt(&p, 48), NTP_REJECT_ORIGIN);
	p.origin_ts = 0;
	ck_assert_int_eq(validate_pkt(&p, 48), NTP_REJECT_ORIGIN);

	good_reply(&p, t);
	p.stratum = 0;
	p.leap = 3;
	p.refid = 0x52415445; /* RATE */
	ck_assert_int_eq(validate_pkt(&p, 48), NTP_REJECT_KOD);
	/* A KoD with the wrong origin is a spoof: dropped before KoD. */
	p.origin_ts = 42;
	ck_assert_int_eq(validate_pkt(&p, 48), NTP_REJECT_ORIGIN);

	good_reply(&p, t);
	p.stratum = 16;
	ck_assert_int_eq(validate_pkt(&p, 48), NTP_REJECT_UNSYNC);
	p.stratum = 200;
	ck_assert_int_eq(validate_pkt(&p, 48), NTP_REJECT_UNSYNC);
	good_reply(&p, t);
	p.leap = 3;
	ck_assert_int_eq(validate_pkt(&p, 48), NTP_REJECT_UNSYNC);
	p.leap = 1; /* a leap second pending is fine */
	ck_assert_int_eq(validate_pkt(&p, 48), NTP_OK);

	good_reply(&p, t);
	p.transmit_ts = 0;
	ck_assert_int_eq(validate_pkt(&p, 48), NTP_REJECT_ZERO_TRANSMIT);
	good_reply(&p, t);
	p.receive_ts = 0;
	ck_assert_int_eq(validate_pkt(&p, 48), NTP_REJECT_ZERO_RECEIVE);

	/* Root distance: 1 s / 2 + 1 s = 1.5 s is the limit, just above fails. */
	good_reply(&p, t);
	p.root_delay = 0x00010000;
	p.root_dispersion = 0x00010000;
	ck_assert_double_eq_tol(ntp_root_distance(&p), 1.5, 1e-12);
	ck_assert_int_eq(validate_pkt(&p, 48), NTP_OK);
	p.root_dispersion = 0x00010001;
	ck_assert_int_eq(validate_pkt(&p, 48), NTP_REJECT_ROOT_DISTANCE);
	p.root_delay = 0xffffffff;
	p.root_dispersion = 0;
	ck_assert_int_eq(validate_pkt(&p, 48), NTP_REJECT_ROOT_DISTANCE);
}
END_TEST

START_TEST(test_reject_names)
{
	for (int i = 0; i < NTP_REJECT_COUNT; i++) {
		const char *n = ntp_reject_name((enum ntp_reject)i);

		ck_assert_str_ne(n, "unknown");
		ck_assert_str_ne(ntp_reject_desc((enum ntp_reject)i), "unknown");
		for (int j = 0; j < i; j++)
			ck_assert_str_ne(n, ntp_reject_name((enum ntp_reject)j));
	}
	ck_assert_str_eq(ntp_reject_name(NTP_REJECT_ORIGIN), "origin-mismatch");
	ck_assert_str_eq(ntp_reject_name(NTP_REJECT_SOURCE), "source-mismatch");
	ck_assert_str_eq(ntp_reject_name(NTP_REJECT_COUNT), "unknown");
}
END_TEST

START_TEST(test_kod_and_refid)
{
	static const struct { uint32_t refid; enum ntp_kod k; bool stops; const char *s; } t[] = {
		{ 0x52415445, NTP_KOD_RATE, true, "RATE" },
		{ 0x44454e59, NTP_KOD_DENY, true, "DENY" },
		{ 0x52535452, NTP_KOD_RSTR, true, "RSTR" },
		{ 0x494e4954, NTP_KOD_OTHER, false, "INIT" },
		{ 0x53544550, NTP_KOD_OTHER, false, "STEP" },
		{ 0x52410000, NTP_KOD_OTHER, false, "RA" },
		{ 0x01ff4142, NTP_KOD_OTHER, false, "??AB" },
	};
	struct ntp_packet p;
	char s[16];

	memset(&p, 0, sizeof(p));
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(t); i++) {
		p.stratum = 0;
		p.refid = t[i].refid;
		ck_assert_int_eq(ntp_kod_of(&p), t[i].k);
		ck_assert_int_eq(ntp_kod_stops(t[i].k), t[i].stops);
		ntp_refid_str(&p, s);
		ck_assert_str_eq(s, t[i].s);
	}
	ck_assert_ptr_nonnull(strstr(ntp_kod_desc(NTP_KOD_RATE), "rate"));
	ck_assert_ptr_nonnull(strstr(ntp_kod_desc(NTP_KOD_DENY), "denied"));
	ck_assert_ptr_nonnull(strstr(ntp_kod_desc(NTP_KOD_RSTR), "restricted"));
	p.stratum = 1;
	p.refid = 0x47505300;
	ntp_refid_str(&p, s);
	ck_assert_str_eq(s, "GPS");
	ck_assert_int_eq(ntp_kod_of(&p), NTP_KOD_NONE);
	p.stratum = 3;
	p.refid = 0xc0a80001;
	ntp_refid_str(&p, s);
	ck_assert_str_eq(s, "192.168.0.1");
	p.refid = 0xffffffff;
	ntp_refid_str(&p, s);
	ck_assert_str_eq(s, "255.255.255.255");
}
END_TEST

START_TEST(test_timestamp_conversion)
{
	/* Unix epoch: NTP seconds 2208988800, fraction 0. */
	ck_assert(ntp_ts_from_unix_ns(0) == (uint64_t)NTP_UNIX_EPOCH_S << 32);
	/* Half a second is 0x80000000. */
	ck_assert(ntp_ts_from_unix_ns(NS / 2) ==
		  ((uint64_t)NTP_UNIX_EPOCH_S << 32 | 0x80000000u));
	/* 1 ns = 4.29 units, rounded to 4. */
	ck_assert((ntp_ts_from_unix_ns(1) & 0xffffffffu) == 4);
	/* 999999999 ns = 2^32 - 4.29 units, rounded to 2^32 - 4. */
	ck_assert(ntp_ts_from_unix_ns(NS - 1) ==
		  ((uint64_t)NTP_UNIX_EPOCH_S << 32 | 0xfffffffcu));
	/* Before 1970 (negative Unix time). */
	ck_assert(ntp_ts_from_unix_ns(-NS / 2) ==
		  ((uint64_t)(NTP_UNIX_EPOCH_S - 1) << 32 | 0x80000000u));
	ck_assert_int_eq(ntp_ts_to_unix_ns(ntp_ts_from_unix_ns(-NS / 2), 0), -NS / 2);

	/* Round trips are exact to the ns, near now and over a wide span. */
	srand(7);
	for (int i = 0; i < 20000; i++) {
		int64_t t = (int64_t)(((uint64_t)rand() << 31 ^ (uint64_t)rand()) %
				      (uint64_t)(INT64_C(4000000000) * NS)) - INT64_C(1000000000) * NS;

		ck_assert_int_eq(ntp_ts_to_unix_ns(ntp_ts_from_unix_ns(t), t), t);
		/* The pivot may be up to 68 years away. */
		ck_assert_int_eq(ntp_ts_to_unix_ns(ntp_ts_from_unix_ns(t),
						   t + INT64_C(2000000000) * NS), t);
		ck_assert_int_eq(ntp_ts_to_unix_ns(ntp_ts_from_unix_ns(t),
						   t - INT64_C(2000000000) * NS), t);
	}
}
END_TEST

START_TEST(test_era_2036)
{
	int64_t last0 = (ERA1_UNIX_S - 1) * NS + 999999999; /* 06:28:15.999999999 */
	int64_t first1 = ERA1_UNIX_S * NS;                  /* 06:28:16 */
	int64_t pivots[] = { Y2026_S * NS, first1 - NS, first1, first1 + NS,
			     (ERA1_UNIX_S + 10 * 365 * 86400) * NS };
	uint64_t ts0, ts1;

	ts0 = ntp_ts_from_unix_ns(last0);
	ts1 = ntp_ts_from_unix_ns(first1);
	/* On the wire: the last second of era 0, then seconds wrap to 0. */
	ck_assert_uint_eq((uint32_t)(ts0 >> 32), 0xffffffffu);
	ck_assert_uint_eq((uint32_t)(ts1 >> 32), 0);
	ck_assert(ts1 == 0);
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(pivots); i++) {
		ck_assert_int_eq(ntp_ts_to_unix_ns(ts0, pivots[i]), last0);
		ck_assert_int_eq(ntp_ts_to_unix_ns(ts1, pivots[i]), first1);
		ck_assert_int_eq(ntp_ts_to_unix_ns(ts1 + (UINT64_C(3600) << 32), pivots[i]),
				 first1 + 3600 * NS);
	}
	/* Era 0 times with a pivot in era 1 stay in era 0 and vice versa. */
	ck_assert_int_eq(ntp_ts_to_unix_ns(ntp_ts_from_unix_ns(Y2026_S * NS),
					   (ERA1_UNIX_S + 86400) * NS), Y2026_S * NS);
	ck_assert_int_eq(ntp_ts_to_unix_ns((uint64_t)1 << 32, Y2026_S * NS),
			 (ERA1_UNIX_S + 1) * NS);
	/* Difference across the boundary: 1 ns after (4 units) minus 1 ns
	 * before (-4 units). */
	ck_assert_int_eq(ntp_ts_diff(ntp_ts_from_unix_ns(first1 + 1),
				     ntp_ts_from_unix_ns(first1 - 1)), 8);
	ck_assert_int_eq(ntp_ts_diff(ntp_ts_from_unix_ns(first1 - 1),
				     ntp_ts_from_unix_ns(first1 + 1)), -8);
	/* Extremes saturate instead of overflowing. */
	ck_assert_int_eq(ntp_ts_to_unix_ns(UINT64_MAX, INT64_MAX), INT64_MAX);
	ck_assert_int_eq(ntp_ts_to_unix_ns(0, INT64_MIN), INT64_MIN);
}
END_TEST

START_TEST(test_offset_delay)
{
	/* Local times in ns become 2^-32 s units with up to 0.12 ns of
	 * rounding each, so results are exact to 1 ns. */
	int64_t T = Y2026_S * NS + 123456789;
	double off, del;

	/* Server 0.25 s ahead, 100 us each way, 20 us in the server. */
	ntp_offset_delay(T, ntp_ts_from_unix_ns(T + 100000 + 250000000),
			 ntp_ts_from_unix_ns(T + 120000 + 250000000), T + 220000,
			 &off, &del);
	ck_assert_double_eq_tol(off, 0.25, 1e-9);
	ck_assert_double_eq_tol(del, 200e-6, 1e-9);

	/* Server 3 s behind, asymmetric path (300 us out, 100 us back):
	 * offset = ((-3 + 300e-6) + (-3 - 100e-6)) / 2 = -3 + 100e-6. */
	ntp_offset_delay(T, ntp_ts_from_unix_ns(T + 300000 - 3 * NS),
			 ntp_ts_from_unix_ns(T + 300000 - 3 * NS), T + 400000,
			 &off, &del);
	ck_assert_double_eq_tol(off, -3 + 100e-6, 1e-9);
	ck_assert_double_eq_tol(del, 400e-6, 1e-9);

	/* A lying server (processing longer than the round trip): the
	 * delay comes out negative and is returned as is. */
	ntp_offset_delay(T, ntp_ts_from_unix_ns(T), ntp_ts_from_unix_ns(T + 1000000),
			 T + 500000, &off, &del);
	ck_assert_double_eq_tol(del, -500e-6, 1e-9);

	/* Sub-ns resolution: t2 and t3 one NTP unit (0.233 ns) apart around
	 * zero offset and zero delay. offset = 1 unit / 2, delay = -1 unit. */
	{
		uint64_t f = ntp_ts_from_unix_ns(T);

		ntp_offset_delay(T, f, f + 1, T, &off, &del);
		ck_assert_double_eq_tol(off, 0.5 / 4294967296.0, 1e-15);
		ck_assert_double_eq_tol(del, -1.0 / 4294967296.0, 1e-15);
		ck_assert(off > 0);
	}

	/* Across the 2036 rollover: client in era 0, server in era 1. */
	{
		int64_t c = ERA1_UNIX_S * NS - 50000; /* 50 us before the wrap */

		ntp_offset_delay(c, ntp_ts_from_unix_ns(c + 100000 + 1500000),
				 ntp_ts_from_unix_ns(c + 110000 + 1500000), c + 210000,
				 &off, &del);
		ck_assert_double_eq_tol(off, 1.5e-3, 1e-9);
		ck_assert_double_eq_tol(del, 200e-6, 1e-9);
	}
}
END_TEST

START_TEST(test_parse_server)
{
	static const struct { const char *in, *host, *port; } ok[] = {
		{ "pool.ntp.org", "pool.ntp.org", "123" },
		{ "127.0.0.1", "127.0.0.1", "123" },
		{ "127.0.0.1:11123", "127.0.0.1", "11123" },
		{ "ntp-1.example_x.org:123", "ntp-1.example_x.org", "123" },
		{ "[::1]:4123", "::1", "4123" },
		{ "[::1]", "::1", "123" },
		{ "::1", "::1", "123" },
		{ "2001:db8::1", "2001:db8::1", "123" },
		{ "[fe80::1%eth0]:123", "fe80::1%eth0", "123" },
		{ "h:65535", "h", "65535" },
		{ "h:007", "h", "7" },
	};
	static const struct { const char *in, *why; } bad[] = {
		{ "", "empty" },
		{ "host:", "missing port" },
		{ "host:0", "out of range" },
		{ "host:65536", "out of range" },
		{ "host:99999999999999999999", "out of range" },
		{ "host:-1", "bad port" },
		{ "host:+1", "bad port" },
		{ "host:12a", "bad port" },
		{ "host: 1", "bad port" },
		{ ":123", "empty host" },
		{ "[::1", "missing ']'" },
		{ "[::1]x", "expected ':PORT'" },
		{ "[::1]:", "missing port" },
		{ "[]:123", "empty host" },
		{ "[abc]:123", "not an IPv6 address" },
		{ "a b", "unexpected character ' '" },
		{ "a/b", "unexpected character '/'" },
		{ "host\n", "unexpected character '?'" },
		{ "[::1]:ntp", "bad port" },
	};
	struct sntp_server s;
	char err[UTIL_ERRMAX], buf[300], longname[400];

	for (size_t i = 0; i < UTIL_ARRAY_SIZE(ok); i++) {
		ck_assert_msg(!sntp_parse_server(ok[i].in, &s, err), "%s: %s", ok[i].in, err);
		ck_assert_str_eq(s.host, ok[i].host);
		ck_assert_str_eq(s.port, ok[i].port);
	}
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(bad); i++) {
		err[0] = 0;
		ck_assert_msg(sntp_parse_server(bad[i].in, &s, err) == -1, "'%s' accepted", bad[i].in);
		ck_assert_msg(strstr(err, bad[i].why) != NULL, "'%s': %s", bad[i].in, err);
		if (!strchr(bad[i].in, '\n')) {
			snprintf(buf, sizeof(buf), "'%s'", bad[i].in);
			ck_assert_msg(strstr(err, buf) != NULL, "does not quote '%s': %s",
				      bad[i].in, err);
		}
	}
	ck_assert_int_eq(sntp_parse_server(NULL, &s, err), -1);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	ck_assert_int_eq(sntp_parse_server(longname, &s, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "too long"));

	sntp_parse_server("[::1]:4123", &s, err);
	sntp_server_str(&s, buf, sizeof(buf));
	ck_assert_str_eq(buf, "[::1]:4123");
	sntp_parse_server("example.org", &s, err);
	sntp_server_str(&s, buf, sizeof(buf));
	ck_assert_str_eq(buf, "example.org:123");
}
END_TEST

START_TEST(test_servers_from_env)
{
	struct env *e = calloc(1, sizeof(*e));
	struct sntp_server out[8];
	int n;

	ck_assert_ptr_nonnull(e);
	/* Nothing known: the pool. */
	n = sntp_servers_from_env(e, out, 8);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(out[0].host, "pool.ntp.org");
	ck_assert_str_eq(out[0].port, "123");

	/* ntpd configured but not running, chronyd configured and running:
	 * the running one wins, bad entries are skipped. */
	e->daemons[DAEMON_NTPD].config_found = true;
	e->daemons[DAEMON_NTPD].conf.nservers = 1;
	strcpy(e->daemons[DAEMON_NTPD].conf.servers[0], "ntp.example.org");
	ck_assert_int_eq(sntp_servers_from_env(e, out, 8), 1);
	ck_assert_str_eq(out[0].host, "ntp.example.org");

	e->daemons[DAEMON_CHRONYD].running = true;
	e->daemons[DAEMON_CHRONYD].config_found = true;
	e->daemons[DAEMON_CHRONYD].conf.nservers = 3;
	strcpy(e->daemons[DAEMON_CHRONYD].conf.servers[0], "time.example.com");
	strcpy(e->daemons[DAEMON_CHRONYD].conf.servers[1], "bad host:x");
	strcpy(e->daemons[DAEMON_CHRONYD].conf.servers[2], "127.0.0.5:11123");
	n = sntp_servers_from_env(e, out, 8);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(out[0].host, "time.example.com");
	ck_assert_str_eq(out[1].host, "127.0.0.5");
	ck_assert_str_eq(out[1].port, "11123");
	/* max is honoured. */
	ck_assert_int_eq(sntp_servers_from_env(e, out, 1), 1);

	/* A running daemon whose config names no server: the configured one. */
	e->daemons[DAEMON_CHRONYD].conf.nservers = 0;
	n = sntp_servers_from_env(e, out, 8);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(out[0].host, "ntp.example.org");
	/* Running ntpd (no chronyd): its servers. */
	e->daemons[DAEMON_CHRONYD].running = false;
	e->daemons[DAEMON_NTPD].running = true;
	ck_assert_int_eq(sntp_servers_from_env(e, out, 8), 1);
	ck_assert_str_eq(out[0].host, "ntp.example.org");
	free(e);
}
END_TEST

START_TEST(test_net_addr)
{
	struct net_addr a[4], b;
	char err[UTIL_ERRMAX], s[80];

	ck_assert_int_eq(net_resolve("127.0.0.1", "123", a, 4, err), 1);
	net_addr_str(&a[0], s, sizeof(s));
	ck_assert_str_eq(s, "127.0.0.1:123");
	net_addr_host(&a[0], s, sizeof(s));
	ck_assert_str_eq(s, "127.0.0.1");
	ck_assert_int_eq(net_resolve("::1", "4123", a + 1, 3, err), 1);
	net_addr_str(&a[1], s, sizeof(s));
	ck_assert_str_eq(s, "[::1]:4123");
	ck_assert(!net_addr_equal(&a[0], &a[1]));
	ck_assert_int_eq(net_resolve("127.0.0.1", "124", &b, 1, err), 1);
	ck_assert(!net_addr_equal(&a[0], &b));
	ck_assert_int_eq(net_resolve("127.0.0.2", "123", &b, 1, err), 1);
	ck_assert(!net_addr_equal(&a[0], &b));
	ck_assert_int_eq(net_resolve("127.0.0.1", "123", &b, 1, err), 1);
	ck_assert(net_addr_equal(&a[0], &b));
	/* A bad service is refused locally (no name lookup leaves the host). */
	ck_assert_int_eq(net_resolve("127.0.0.1", "no-such-service-x", a, 4, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "cannot resolve '127.0.0.1'"));
}
END_TEST

/* Two loopback sockets: the kernel timestamp is taken when it lies
 * between the send and the user-space read, and refused otherwise. */
START_TEST(test_net_kernel_timestamp)
{
	struct net_addr dst;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	struct net_sock *rx_sock, *tx_sock;
	struct net_rx rx;
	char err[UTIL_ERRMAX];
	uint8_t buf[64] = "ping", in[64];
	int64_t t1, mono, after;
	int fd;

	/* A receiver bound to an ephemeral port: learn it with a probe
	 * socket, then let net_open's own socket send to it. */
	ck_assert_int_eq(net_resolve("127.0.0.1", "0", &dst, 1, err), 1);
	rx_sock = net_open(&dst, err);
	ck_assert_ptr_nonnull(rx_sock);
	tx_sock = net_open(&dst, err);
	ck_assert_ptr_nonnull(tx_sock);
	/* Bind the receiver through a send to itself is not possible: bind a
	 * plain socket and use it as the peer instead. */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	sin.sin_addr.s_addr = htonl(0x7f000001);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	getsockname(fd, (struct sockaddr *)&sin, &sl);
	memcpy(&dst.ss, &sin, sizeof(sin));
	dst.len = sizeof(sin);

	/* tx -> plain fd; plain fd echoes back to tx's address. */
	ck_assert_int_eq(net_send(tx_sock, &dst, buf, 4, &t1, err), 0);
	{
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, in, sizeof(in), 0, (struct sockaddr *)&from, &fl);

		ck_assert_int_eq(n, 4);
		ck_assert_int_eq(sendto(fd, in, 4, 0, (struct sockaddr *)&from, fl), 4);
		ck_assert_int_eq(sendto(fd, in, 4, 0, (struct sockaddr *)&from, fl), 4);
	}
	clock_read(CLOCK_ID_MONOTONIC, &mono);
	ck_assert_int_eq(net_recv(tx_sock, in, sizeof(in), t1, mono + NS, &rx, err), 1);
	clock_read(CLOCK_ID_REALTIME, &after);
	ck_assert_int_eq(rx.len, 4);
	ck_assert(net_addr_equal(&rx.from, &dst));
	ck_assert(net_kernel_ts_enabled(tx_sock));
	ck_assert(rx.kernel_ts);
	ck_assert(rx.t4 >= t1 && rx.t4 <= after);
	/* The same kind of packet with a "send time" in the future (what a
	 * libfaketime'd process would see): the kernel stamp is refused. */
	ck_assert_int_eq(net_recv(tx_sock, in, sizeof(in), after + 10 * NS, mono + NS, &rx, err), 1);
	ck_assert(!rx.kernel_ts);
	ck_assert(rx.t4 >= after);
	/* Nothing more: a timeout, bounded by the deadline. */
	clock_read(CLOCK_ID_MONOTONIC, &mono);
	ck_assert_int_eq(net_recv(tx_sock, in, sizeof(in), t1, mono + 50000000, &rx, err), 0);
	clock_read(CLOCK_ID_MONOTONIC, &after);
	ck_assert(after - mono >= 50000000 && after - mono < 1000000000);
	close(fd);
	net_close(rx_sock);
	net_close(tx_sock);
}
END_TEST

/* A minimal in-process server (child) answering n requests correctly. */
static pid_t serve(int n, struct sntp_server *srv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	pid_t pid;

	sin.sin_addr.s_addr = htonl(0x7f000001);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	getsockname(fd, (struct sockaddr *)&sin, &sl);
	sntp_parse_server("127.0.0.1", srv, NULL);
	snprintf(srv->port, sizeof(srv->port), "%u", ntohs(sin.sin_port));
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct timeval tv = { 5, 0 };

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		for (int i = 0; i < n; i++) {
			uint8_t b[NTP_HEADER_LEN];
			struct sockaddr_storage from;
			socklen_t fl = sizeof(from);
			struct ntp_packet req, p;
			int64_t t;

			if (recvfrom(fd, b, sizeof(b), 0, (struct sockaddr *)&from, &fl) < 48)
				_exit(1);
			clock_read(CLOCK_ID_REALTIME, &t);
			ntp_decode(b, sizeof(b), &req);
			good_reply(&p, t);
			p.origin_ts = req.transmit_ts;
			p.transmit_ts = ntp_ts_from_unix_ns(t);
			ntp_encode(&p, b);
			sendto(fd, b, sizeof(b), 0, (struct sockaddr *)&from, fl);
		}
		_exit(0);
	}
	close(fd);
	return pid;
}

START_TEST(test_sntp_exchange_and_polite)
{
	struct sntp_opts o;
	struct sntp_server srv;
	struct sntp_sample s, s2;
	struct sntp_stats st;
	struct sntp_client *c;
	char err[UTIL_ERRMAX], kod[5];
	pid_t pid = serve(6, &srv);
	int64_t m0, m1;
	int status;

	sntp_opts_default(&o);
	ck_assert_double_eq(o.timeout_s, 1.0);
	ck_assert_int_eq(o.retries, 1);
	ck_assert_double_eq(o.min_interval_s, 2.0);
	o.min_interval_s = 0.3;
	c = sntp_new(&o);
	ck_assert_msg(!sntp_query(c, &srv, &s, err), "%s", err);
	/* Same clock on both sides: offset within the delay. */
	ck_assert(fabs(s.offset_s) <= s.delay_s + 1e-3);
	ck_assert(s.delay_s >= 0 && s.delay_s < 0.1);
	ck_assert_int_eq(s.stratum, 2);
	ck_assert_str_eq(s.refid, "192.0.2.1");
	ck_assert(s.t1_real <= s.t4_real);
	ck_assert(s.before.present & (1u << CLOCK_ID_REALTIME));
	ck_assert(s.after.present & (1u << CLOCK_ID_REALTIME));
	ck_assert(s.before.v[CLOCK_ID_REALTIME] <= s.t1_real);
	ck_assert(s.after.v[CLOCK_ID_REALTIME] >= s.t4_real);
	ck_assert(s.after.v[CLOCK_ID_MONOTONIC] > s.before.v[CLOCK_ID_MONOTONIC]);
	ck_assert(!sntp_server_kissed(c, &srv, kod));

	/* Polite: the second query waits for the rest of 0.3 s. */
	clock_read(CLOCK_ID_MONOTONIC, &m0);
	ck_assert_msg(!sntp_query(c, &srv, &s2, err), "%s", err);
	clock_read(CLOCK_ID_MONOTONIC, &m1);
	ck_assert_msg(s2.t1_real - s.t1_real >= 290000000, "gap %lld ns",
		      (long long)(s2.t1_real - s.t1_real));
	ck_assert(m1 - m0 >= 200000000);

	/* A burst goes back to back after its first member (which waits). */
	ck_assert_int_eq(sntp_burst(c, &srv, 4, &s2, err), 4);
	sntp_stats_get(c, &st);
	ck_assert_uint_eq(st.sent, 6);
	ck_assert_uint_eq(st.valid, 6);
	ck_assert_uint_eq(st.timeouts, 0);
	sntp_stats_reset(c);
	sntp_stats_get(c, &st);
	ck_assert_uint_eq(st.sent, 0);
	sntp_free(c);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

Suite *ntp_suite(void)
{
	Suite *s = suite_create("ntp");
	TCase *tc = tcase_create("packets");
	TCase *tn = tcase_create("net");

	tcase_add_test(tc, test_encode_decode_roundtrip);
	tcase_add_test(tc, test_request);
	tcase_add_test(tc, test_nonce);
	tcase_add_test(tc, test_validate_each_reason);
	tcase_add_test(tc, test_reject_names);
	tcase_add_test(tc, test_kod_and_refid);
	tcase_add_test(tc, test_timestamp_conversion);
	tcase_add_test(tc, test_era_2036);
	tcase_add_test(tc, test_offset_delay);
	tcase_add_test(tc, test_parse_server);
	tcase_add_test(tc, test_servers_from_env);
	suite_add_tcase(s, tc);
	tcase_add_test(tn, test_net_addr);
	tcase_add_test(tn, test_net_kernel_timestamp);
	tcase_add_test(tn, test_sntp_exchange_and_polite);
	tcase_set_timeout(tn, 20);
	suite_add_tcase(s, tn);
	return s;
}
