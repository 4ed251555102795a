/*
 * ntp.h - NTP packets (RFC 5905 header, client side): encode a request,
 * decode and validate a reply, timestamp conversion and the four-timestamp
 * maths. Pure: no sockets, no clocks (the caller passes every time in).
 *
 * Timestamps on the wire are the 64-bit NTP format: seconds since
 * 1900-01-01 in the high 32 bits (modulo 2^32: era 0 ends on
 * 2036-02-07T06:28:16Z), a binary fraction of a second in the low 32 bits
 * (units of 2^-32 s, about 0.23 ns). They are kept as uint64_t here.
 * Local times are Unix nanoseconds (clock_real_ns).
 */
#ifndef HV_NTP_H
#define HV_NTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"

/* The fixed header; extension fields and a MAC may follow and are ignored. */
#define NTP_HEADER_LEN 48
/* NTP seconds at the Unix epoch (1970-01-01 - 1900-01-01). */
#define NTP_UNIX_EPOCH_S INT64_C(2208988800)
/* Replies whose root delay / 2 + root dispersion exceed this are refused, s. */
#define NTP_MAX_ROOT_DISTANCE_S 1.5

enum ntp_mode {
	NTP_MODE_CLIENT = 3,
	NTP_MODE_SERVER = 4,
};

/* The 48-byte header, fields in host order. */
struct ntp_packet {
	unsigned leap;             /* LI, 0..3 (3 = unsynchronised) */
	unsigned version;          /* VN, 0..7 */
	unsigned mode;             /* 0..7 */
	unsigned stratum;          /* 0 = KoD, 1 = primary, 16 = unsynchronised */
	int poll;                  /* log2 s */
	int precision;             /* log2 s */
	uint32_t root_delay;       /* NTP short format, 16.16 s */
	uint32_t root_dispersion;  /* NTP short format, 16.16 s */
	uint32_t refid;            /* as on the wire, big-endian bytes in order */
	uint64_t ref_ts, origin_ts, receive_ts, transmit_ts; /* NTP timestamps */
};

/* Why a reply was refused. Stable names (ntp_reject_name) for messages and JSON. */
enum ntp_reject {
	NTP_OK = 0,
	NTP_REJECT_SHORT,          /* fewer than 48 bytes */
	NTP_REJECT_VERSION,        /* version not 1..4 */
	NTP_REJECT_MODE,           /* not mode 4 (server) */
	NTP_REJECT_ORIGIN,         /* origin != our nonce: stale or spoofed */
	NTP_REJECT_KOD,            /* stratum 0: Kiss-o'-Death, code in refid */
	NTP_REJECT_UNSYNC,         /* stratum >= 16 or leap indicator 3 */
	NTP_REJECT_ZERO_TRANSMIT,  /* transmit timestamp 0 */
	NTP_REJECT_ZERO_RECEIVE,   /* receive timestamp 0 */
	NTP_REJECT_ROOT_DISTANCE,  /* root delay / 2 + root dispersion > 1.5 s */
	NTP_REJECT_SOURCE,         /* from another address or port (checked by the caller) */
	NTP_REJECT_COUNT
};

/* "too-short", "bad-version", "wrong-mode", "origin-mismatch", "kiss-o-death",
 * "unsynchronised", "zero-transmit", "zero-receive", "root-distance",
 * "source-mismatch" ("ok" for NTP_OK). */
const char *ntp_reject_name(enum ntp_reject r);
/* One line for people: "origin timestamp does not match our request (stale or spoofed)". */
const char *ntp_reject_desc(enum ntp_reject r);

/* Kiss-o'-Death codes that matter (RFC 5905 7.4); others are informational. */
enum ntp_kod {
	NTP_KOD_NONE = 0,
	NTP_KOD_RATE,              /* poll less often */
	NTP_KOD_DENY,              /* access denied: stop */
	NTP_KOD_RSTR,              /* access restricted: stop */
	NTP_KOD_OTHER              /* any other code (INIT, STEP, ...) */
};
/* Classifies the refid of a stratum-0 packet. */
enum ntp_kod ntp_kod_of(const struct ntp_packet *p);
/* Whether the client must stop querying the server (RATE, DENY, RSTR). */
bool ntp_kod_stops(enum ntp_kod k);
/* What the code asks of the client, one line. */
const char *ntp_kod_desc(enum ntp_kod k);

/*
 * The refid as text into out (16 bytes): four ASCII characters for
 * stratum 0 and 1 (non-printable bytes as '?', trailing NULs dropped),
 * a dotted quad otherwise (an IPv4 address, or a hash for IPv6 servers).
 */
void ntp_refid_str(const struct ntp_packet *p, char out[16]);

/* Serialises p into the 48-byte header. */
void ntp_encode(const struct ntp_packet *p, uint8_t buf[NTP_HEADER_LEN]);
/* Parses the first 48 bytes of buf; -1 when len < 48. Bytes beyond are ignored. */
int ntp_decode(const uint8_t *buf, size_t len, struct ntp_packet *p);

/*
 * A client request (mode 3, version 4) whose transmit timestamp is the
 * nonce: 64 random bits, not the send time, so a reply can be matched to
 * its request and an off-path attacker cannot guess it (the real send
 * time T1 is kept by the caller). The nonce comes from getrandom(2); on a
 * kernel without it (ENOSYS, before 3.17) from REALTIME, MONOTONIC, the
 * TSC and the pid mixed together. Never 0.
 */
uint64_t ntp_make_nonce(void);
void ntp_request(uint64_t nonce, uint8_t buf[NTP_HEADER_LEN]);

/*
 * Decodes and validates a reply to the request that carried nonce. Checks
 * in this order: length, version, mode, origin, KoD, synchronisation,
 * transmit and receive timestamps, root distance (the origin comes before
 * KoD so that a spoofed KoD cannot silence a server). Fills *p whenever
 * the header could be decoded, so the caller can report the KoD code.
 */
enum ntp_reject ntp_validate(const uint8_t *buf, size_t len, uint64_t nonce,
			     struct ntp_packet *p);

/* NTP short format (16.16) to seconds. */
double ntp_short_to_s(uint32_t v);
/* root delay / 2 + root dispersion, s. */
double ntp_root_distance(const struct ntp_packet *p);

/* Unix ns to an NTP timestamp (rounded to the nearest 2^-32 s; era dropped). */
uint64_t ntp_ts_from_unix_ns(clock_real_ns ns);
/*
 * NTP timestamp to Unix ns, in the era that puts it nearest to pivot
 * (Unix ns, normally the local time): correct for any time within 68
 * years of the pivot, on both sides of 2036-02-07T06:28:16Z.
 */
clock_real_ns ntp_ts_to_unix_ns(uint64_t ts, clock_real_ns pivot);
/* Signed difference a - b of two NTP timestamps in units of 2^-32 s
 * (modular, so it is right across an era boundary when |a-b| < 68 years). */
int64_t ntp_ts_diff(uint64_t a, uint64_t b);

/*
 * Offset and delay of one exchange from the four timestamps:
 *   t1 local send (Unix ns), t2 server receive, t3 server transmit (NTP),
 *   t4 local receive (Unix ns).
 * offset = ((t2 - t1) + (t3 - t4)) / 2, s, positive = server ahead of us;
 * delay  = (t4 - t1) - (t3 - t2), s; may come out negative (a server that
 * lies, or clocks stepped during the exchange) and is returned as is.
 * Works on differences of 64-bit fixed-point values, so the resolution is
 * 2^-32 s whatever the absolute time and era.
 */
void ntp_offset_delay(clock_real_ns t1, uint64_t t2, uint64_t t3,
		      clock_real_ns t4, double *offset_s, double *delay_s);

#endif
