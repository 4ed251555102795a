/*
 * sntp.h - SNTP client (RFC 4330 / RFC 5905 client side) over net.h and
 * ntp.h: one exchange, or a short burst keeping the lowest-delay reply.
 *
 * Signs and units: offset_s = server - local in seconds (positive: the
 * reference is ahead of this clock), the NTP convention; delay_s is the
 * round trip minus the server's processing time.
 *
 * Every reply is validated (ntp.h); a rejected reply is never a sample,
 * and the reason is named. A Kiss-o'-Death (RATE, DENY, RSTR) marks the
 * server so that this client stops querying it, and says so.
 */
#ifndef HV_SNTP_H
#define HV_SNTP_H

#include <stdbool.h>
#include <stddef.h>

#include "clock.h"
#include "ntp.h"

/*
 * A server as given by the user: HOST, HOST:PORT, [v6addr]:PORT, [v6addr]
 * or a bare IPv6 literal (more than one ':', no port). PORT is numeric,
 * 1-65535. Returns 0, or -1 with err quoting the bad spec.
 */
struct sntp_server {
	char host[256];
	char port[8];                /* "123" by default */
};
int sntp_parse_server(const char *spec, struct sntp_server *out, char *err);
/* "host:port", "[v6]:port" for messages. */
void sntp_server_str(const struct sntp_server *s, char *buf, size_t len);

struct env;
/*
 * Default servers: those of the running time daemon (env_probe's
 * daemons[k].running, chronyd first), else of the first daemon whose
 * configuration names servers, else "pool.ntp.org". Entries that do not
 * parse are skipped. Returns the count (1..max).
 */
int sntp_servers_from_env(const struct env *e, struct sntp_server *out, int max);

/*
 * Polite polling: a client never sends to one server address more often
 * than once per min_interval_s (default 2 s, chrony's iburst spacing);
 * sntp_query() sleeps for the rest of the interval when asked sooner
 * (retries after a timeout included). Only the members of one burst
 * after its first go back to back.
 */
struct sntp_opts {
	double timeout_s;            /* per query; default 1 s */
	int retries;                 /* extra tries after a timeout; default 1 */
	double min_interval_s;       /* polite polling per server; default 2 s */
};
void sntp_opts_default(struct sntp_opts *o);

struct sntp_sample {
	double offset_s;             /* server - local, s */
	double delay_s;              /* s */
	double root_distance_s;      /* root delay / 2 + root dispersion, s */
	int stratum, leap, version, poll;
	char refid[16];              /* "GPS", "127.127.1.1" or a KoD code */
	char addr[64];               /* numeric address that answered */
	clock_real_ns t1_real;       /* local REALTIME just before send */
	clock_real_ns t4_real;       /* local REALTIME at receive (kernel) */
	bool kernel_rx_ts;           /* t4 from SO_TIMESTAMPNS, else user space */
	/* All local clocks just before send and just after receive. */
	struct clock_snap before, after;
};

struct sntp_client;
struct sntp_client *sntp_new(const struct sntp_opts *o);
void sntp_free(struct sntp_client *c);

/*
 * One exchange with s (every address of the name tried in turn until one
 * answers validly). Waits as needed to respect min_interval_s for this
 * server. Returns 0 with *out filled, or -1 with err naming the server and
 * the reason (timeout, each validation failure, KoD, resolution error).
 */
int sntp_query(struct sntp_client *c, const struct sntp_server *s,
	       struct sntp_sample *out, char *err);
/*
 * A burst of n exchanges (1..8) keeping the one with the lowest delay,
 * the least disturbed by queueing. The first goes like sntp_query()
 * (polite wait, every address, retries); the rest follow back to back,
 * one try each, to the address that answered (like ntpd's iburst without
 * the waits). Stops early on a Kiss-o'-Death. Returns the number of
 * valid replies (>= 1), or -1 with err when the first found none.
 */
int sntp_burst(struct sntp_client *c, const struct sntp_server *s, int n,
	       struct sntp_sample *best, char *err);
/* Whether s sent a Kiss-o'-Death and is no longer queried; code in kod. */
bool sntp_server_kissed(const struct sntp_client *c,
			const struct sntp_server *s, char kod[5]);

/*
 * What the client saw since sntp_new() or the last sntp_stats_reset():
 * requests sent, valid replies, exchanges that timed out, and every
 * refused packet by reason (junk, stale, spoofed and hostile replies
 * included; none of them was used as a sample).
 */
struct sntp_stats {
	unsigned sent, valid, timeouts;
	unsigned rejected[NTP_REJECT_COUNT];
	unsigned kernel_ts;          /* valid replies with a kernel T4 */
};
void sntp_stats_get(const struct sntp_client *c, struct sntp_stats *out);
void sntp_stats_reset(struct sntp_client *c);

#endif
