/*
 * sntp.c - the SNTP client: server specs, polite polling, one exchange
 * with validation, bursts, Kiss-o'-Death bookkeeping.
 *
 * One exchange: fresh socket, random nonce as transmit timestamp, T1 just
 * before sendto(), then receive until the deadline. Packets that cannot be
 * tied to our request (wrong source, too short, bad version or mode,
 * wrong origin) are counted and dropped while we keep waiting: they may
 * be junk or spoofs, and the real reply may still come. A reply that
 * carries our nonce from the right source is the server's answer, so a
 * refusal after that point (KoD, unsynchronised, zero timestamps, root
 * distance) ends the exchange at once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "env.h"
#include "net.h"
#include "ntp.h"
#include "sntp.h"
#include "util.h"

/* Most a burst may hold, and most packets examined in one exchange. */
#define BURST_MAX 8
#define RX_MAX_PACKETS 512
#define RX_BUF 1024

struct peer {
	struct net_addr addr;
	char server[300];            /* the spec it was reached through */
	clock_mono_ns last_send;
	bool sent;
	bool kissed;
	char kod[5];
};

struct sntp_client {
	struct sntp_opts o;
	struct peer *peers;
	size_t npeers, cap;
	struct sntp_stats st;
};

void sntp_opts_default(struct sntp_opts *o)
{
	o->timeout_s = 1.0;
	o->retries = 1;
	o->min_interval_s = 2.0;
}

struct sntp_client *sntp_new(const struct sntp_opts *o)
{
	struct sntp_client *c = xcalloc(1, sizeof(*c));

	if (o)
		c->o = *o;
	else
		sntp_opts_default(&c->o);
	return c;
}

void sntp_free(struct sntp_client *c)
{
	if (!c)
		return;
	free(c->peers);
	free(c);
}

void sntp_stats_get(const struct sntp_client *c, struct sntp_stats *out)
{
	*out = c->st;
}

void sntp_stats_reset(struct sntp_client *c)
{
	memset(&c->st, 0, sizeof(c->st));
}

/* ------------------------------------------------------- server specs */

static bool host_char_ok(char ch, bool v6)
{
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '.' || ch == '-')
		return true;
	if (!v6)
		return ch == '_';
	return ch == ':' || ch == '%' || ch == '_';
}

static int set_host(const char *spec, const char *h, size_t n, bool v6,
		    struct sntp_server *out, char *err)
{
	if (n == 0)
		return util_err(err, "bad server '%s': empty host", spec);
	if (n >= sizeof(out->host))
		return util_err(err, "bad server '%s': host name too long", spec);
	for (size_t i = 0; i < n; i++)
		if (!host_char_ok(h[i], v6))
			return util_err(err, "bad server '%s': unexpected character '%c' in host",
					spec, h[i] >= 0x20 && h[i] < 0x7f ? h[i] : '?');
	if (v6 && !memchr(h, ':', n))
		return util_err(err, "bad server '%s': '%.*s' is not an IPv6 address",
				spec, (int)n, h);
	memcpy(out->host, h, n);
	out->host[n] = 0;
	return 0;
}

static int set_port(const char *spec, const char *p, struct sntp_server *out,
		    char *err)
{
	char e[UTIL_ERRMAX];
	long v;

	if (!*p)
		return util_err(err, "bad server '%s': missing port after ':'", spec);
	/* Digits only: util_parse_long would take "+1" or " 1". */
	for (const char *q = p; *q; q++)
		if (*q < '0' || *q > '9')
			return util_err(err, "bad server '%s': bad port '%s'", spec, p);
	if (util_parse_long(p, 1, 65535, &v, e))
		return util_err(err, "bad server '%s': port '%s' out of range 1-65535",
				spec, p);
	snprintf(out->port, sizeof(out->port), "%ld", v);
	return 0;
}

int sntp_parse_server(const char *spec, struct sntp_server *out, char *err)
{
	const char *colon;

	memset(out, 0, sizeof(*out));
	strcpy(out->port, "123");
	if (!spec || !*spec)
		return util_err(err, "bad server '': empty");
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');

		if (!close)
			return util_err(err, "bad server '%s': missing ']'", spec);
		if (set_host(spec, spec + 1, (size_t)(close - spec - 1), true, out, err))
			return -1;
		if (!close[1])
			return 0;
		if (close[1] != ':')
			return util_err(err, "bad server '%s': expected ':PORT' after ']'",
					spec);
		return set_port(spec, close + 2, out, err);
	}
	colon = strchr(spec, ':');
	if (colon && strchr(colon + 1, ':'))  /* a bare IPv6 literal */
		return set_host(spec, spec, strlen(spec), true, out, err);
	if (!colon)
		return set_host(spec, spec, strlen(spec), false, out, err);
	if (set_host(spec, spec, (size_t)(colon - spec), false, out, err))
		return -1;
	return set_port(spec, colon + 1, out, err);
}

void sntp_server_str(const struct sntp_server *s, char *buf, size_t len)
{
	if (strchr(s->host, ':'))
		snprintf(buf, len, "[%s]:%s", s->host, s->port);
	else
		snprintf(buf, len, "%s:%s", s->host, s->port);
}

static int add_conf_servers(const struct daemon_conf *dc,
			    struct sntp_server *out, int max)
{
	char e[UTIL_ERRMAX];
	int n = 0;

	for (int i = 0; i < dc->nservers && i < DAEMONS_MAX_SERVERS && n < max; i++)
		if (!sntp_parse_server(dc->servers[i], &out[n], e))
			n++;
	return n;
}

int sntp_servers_from_env(const struct env *e, struct sntp_server *out, int max)
{
	char err[UTIL_ERRMAX];
	int n = 0;

	if (max < 1)
		return 0;
	/* The enum lists chronyd first, then ntpd, timesyncd, openntpd. */
	for (int k = 0; k < DAEMON_COUNT && !n; k++)
		if (e->daemons[k].running && e->daemons[k].config_found)
			n = add_conf_servers(&e->daemons[k].conf, out, max);
	for (int k = 0; k < DAEMON_COUNT && !n; k++)
		if (e->daemons[k].config_found)
			n = add_conf_servers(&e->daemons[k].conf, out, max);
	if (!n && !sntp_parse_server("pool.ntp.org", &out[0], err))
		n = 1;
	return n;
}

/* ------------------------------------------------------------ peers */

static struct peer *peer_get(struct sntp_client *c, const struct net_addr *a,
			     const char *server)
{
	for (size_t i = 0; i < c->npeers; i++)
		if (net_addr_equal(&c->peers[i].addr, a))
			return &c->peers[i];
	util_grow((void **)&c->peers, &c->cap, c->npeers + 1, sizeof(*c->peers));
	memset(&c->peers[c->npeers], 0, sizeof(*c->peers));
	c->peers[c->npeers].addr = *a;
	snprintf(c->peers[c->npeers].server, sizeof(c->peers[0].server), "%s", server);
	return &c->peers[c->npeers++];
}

bool sntp_server_kissed(const struct sntp_client *c,
			const struct sntp_server *s, char kod[5])
{
	char key[300];

	sntp_server_str(s, key, sizeof(key));
	for (size_t i = 0; i < c->npeers; i++)
		if (c->peers[i].kissed && !strcmp(c->peers[i].server, key)) {
			if (kod)
				memcpy(kod, c->peers[i].kod, 5);
			return true;
		}
	return false;
}

static int mono_now(clock_mono_ns *now, char *err)
{
	if (clock_read(CLOCK_ID_MONOTONIC, now))
		return util_errno(err, errno, "cannot read the monotonic clock");
	return 0;
}

/* Sleeps until min_interval_s has passed since the last send to p. */
static int polite_wait(const struct sntp_client *c, const struct peer *p,
		       char *err)
{
	clock_mono_ns now, until;

	if (!p->sent || c->o.min_interval_s <= 0)
		return 0;
	until = p->last_send + (clock_mono_ns)(c->o.min_interval_s * 1e9);
	/* Bounded: each nanosleep either finishes or is interrupted. */
	for (int i = 0; i < 1000; i++) {
		struct timespec ts;
		int64_t left;

		if (mono_now(&now, err))
			return -1;
		if (now >= until)
			return 0;
		left = until - now;
		ts.tv_sec = (time_t)(left / 1000000000);
		ts.tv_nsec = (long)(left % 1000000000);
		nanosleep(&ts, NULL);
	}
	return 0;
}

/* ---------------------------------------------------------- exchange */

enum xresult {
	X_OK,
	X_TIMEOUT,     /* nothing valid before the deadline (junk dropped) */
	X_REFUSED,     /* the server's own reply, refused (reason in *why) */
	X_ERROR        /* local failure (socket, send) */
};

static void fill_sample(struct sntp_sample *out, const struct ntp_packet *p,
			const struct net_addr *a, clock_real_ns t1,
			const struct net_rx *rx)
{
	out->stratum = (int)p->stratum;
	out->leap = (int)p->leap;
	out->version = (int)p->version;
	out->poll = p->poll;
	out->root_distance_s = ntp_root_distance(p);
	ntp_refid_str(p, out->refid);
	net_addr_str(a, out->addr, sizeof(out->addr));
	out->t1_real = t1;
	out->t4_real = rx->t4;
	out->kernel_rx_ts = rx->kernel_ts;
	ntp_offset_delay(t1, p->receive_ts, p->transmit_ts, rx->t4,
			 &out->offset_s, &out->delay_s);
}

static enum xresult exchange(struct sntp_client *c, struct peer *peer,
			     struct sntp_sample *out, enum ntp_reject *why,
			     int *dropped, struct ntp_packet *refused, char *err)
{
	uint8_t req[NTP_HEADER_LEN], buf[RX_BUF];
	uint64_t nonce = ntp_make_nonce();
	struct clock_snap before, after;
	clock_mono_ns now, deadline;
	struct net_sock *sock;
	enum xresult res = X_TIMEOUT;
	clock_real_ns t1;

	*why = NTP_OK;
	*dropped = 0;
	sock = net_open(&peer->addr, err);
	if (!sock)
		return X_ERROR;
	ntp_request(nonce, req);
	if (clock_snap_read(&before, 3) || mono_now(&now, err)) {
		net_close(sock);
		util_err(err, "cannot read the clocks");
		return X_ERROR;
	}
	deadline = now + (clock_mono_ns)(c->o.timeout_s * 1e9);
	peer->last_send = now;
	peer->sent = true;
	if (net_send(sock, &peer->addr, req, sizeof(req), &t1, err)) {
		net_close(sock);
		return X_ERROR;
	}
	c->st.sent++;
	for (int i = 0; i < RX_MAX_PACKETS; i++) {
		struct ntp_packet p;
		enum ntp_reject r;
		struct net_rx rx;
		int got = net_recv(sock, buf, sizeof(buf), t1, deadline, &rx, err);

		if (got < 0) {
			res = X_ERROR;
			break;
		}
		if (got == 0)
			break;
		if (!net_addr_equal(&rx.from, &peer->addr)) {
			c->st.rejected[NTP_REJECT_SOURCE]++;
			*why = NTP_REJECT_SOURCE;
			(*dropped)++;
			continue;
		}
		r = ntp_validate(buf, rx.len, nonce, &p);
		if (r != NTP_OK)
			c->st.rejected[r]++;
		if (r == NTP_REJECT_SHORT || r == NTP_REJECT_VERSION ||
		    r == NTP_REJECT_MODE || r == NTP_REJECT_ORIGIN) {
			*why = r;
			(*dropped)++;
			continue;
		}
		if (r != NTP_OK) {
			*why = r;
			*refused = p;
			res = X_REFUSED;
			break;
		}
		if (clock_snap_read(&after, 3)) {
			res = X_ERROR;
			util_err(err, "cannot read the clocks");
			break;
		}
		memset(out, 0, sizeof(*out));
		fill_sample(out, &p, &peer->addr, t1, &rx);
		out->before = before;
		out->after = after;
		c->st.valid++;
		if (rx.kernel_ts)
			c->st.kernel_ts++;
		res = X_OK;
		break;
	}
	if (res == X_TIMEOUT)
		c->st.timeouts++;
	net_close(sock);
	return res;
}

/*
 * Tries the addresses of s in turn (retrying each after a timeout) until
 * one answers validly. With only_peer set, sends one request to it and no
 * more (the later members of a burst). Returns 0, or -1 with err.
 */
static int query(struct sntp_client *c, const struct sntp_server *s,
		 int only_peer, bool polite, struct sntp_sample *out,
		 int *answered, char *err)
{
	struct net_addr addrs[NET_MAX_ADDRS];
	struct strbuf why = STRBUF_INIT;
	char name[300], a[80], e[UTIL_ERRMAX];
	int n;

	sntp_server_str(s, name, sizeof(name));
	if (only_peer >= 0) {
		addrs[0] = c->peers[only_peer].addr;
		n = 1;
	} else {
		n = net_resolve(s->host, s->port, addrs, NET_MAX_ADDRS, e);
		if (n < 0)
			return util_err(err, "%s: %s", name, e);
	}
	for (int i = 0; i < n; i++) {
		struct peer *p = peer_get(c, &addrs[i], name);
		int tries = only_peer >= 0 ? 1 : 1 + (c->o.retries > 0 ? c->o.retries : 0);
		int timeouts = 0, dropped_all = 0;
		enum ntp_reject last_drop = NTP_OK;
		struct strbuf one = STRBUF_INIT;

		net_addr_str(&addrs[i], a, sizeof(a));
		if (p->kissed) {
			strbuf_addf(&one, "sent Kiss-o'-Death %s earlier, not queried again",
				    p->kod);
		}
		for (int t = 0; t < tries && !p->kissed; t++) {
			struct ntp_packet refused;
			enum ntp_reject r;
			enum xresult x;
			int dropped;

			if (polite && polite_wait(c, p, e)) {
				strbuf_release(&one);
				strbuf_release(&why);
				return util_err(err, "%s: %s", name, e);
			}
			x = exchange(c, p, out, &r, &dropped, &refused, e);
			if (x == X_OK) {
				strbuf_release(&one);
				strbuf_release(&why);
				if (answered)
					*answered = (int)(p - c->peers);
				return 0;
			}
			if (x == X_ERROR) {
				strbuf_addstr(&one, e);
				break;
			}
			if (x == X_REFUSED && r == NTP_REJECT_KOD) {
				enum ntp_kod k = ntp_kod_of(&refused);
				char code[16];

				ntp_refid_str(&refused, code);
				strbuf_addf(&one, "Kiss-o'-Death %s (%s)", code, ntp_kod_desc(k));
				if (ntp_kod_stops(k)) {
					p->kissed = true;
					/* stratum 0: at most four characters */
					memcpy(p->kod, code, sizeof(p->kod) - 1);
					p->kod[sizeof(p->kod) - 1] = 0;
					strbuf_addstr(&one, ": not querying it again");
				}
				break;
			}
			if (x == X_REFUSED) {
				strbuf_addf(&one, "%s: %s", ntp_reject_name(r),
					    ntp_reject_desc(r));
				break;
			}
			timeouts++;
			dropped_all += dropped;
			if (dropped)
				last_drop = r;
		}
		if (timeouts && !one.len) {
			strbuf_addf(&one, "timeout: no valid reply within %g s", c->o.timeout_s);
			if (timeouts > 1)
				strbuf_addf(&one, " (%d tries)", timeouts);
			if (dropped_all)
				strbuf_addf(&one, "; dropped %d invalid packet%s, last %s",
					    dropped_all, dropped_all == 1 ? "" : "s",
					    ntp_reject_name(last_drop));
		}
		/* The address is worth naming only when it says something
		 * the server spec does not. */
		if (why.len)
			strbuf_addstr(&why, "; ");
		if (n > 1 || strcmp(a, name))
			strbuf_addf(&why, "%s: ", a);
		strbuf_addstr(&why, one.buf);
		strbuf_release(&one);
	}
	util_err(err, "%s: %s", name, why.buf);
	strbuf_release(&why);
	return -1;
}

int sntp_query(struct sntp_client *c, const struct sntp_server *s,
	       struct sntp_sample *out, char *err)
{
	return query(c, s, -1, true, out, NULL, err);
}

int sntp_burst(struct sntp_client *c, const struct sntp_server *s, int n,
	       struct sntp_sample *best, char *err)
{
	struct sntp_sample cur;
	char e[UTIL_ERRMAX];
	int good = 0, p = -1;

	if (n < 1)
		n = 1;
	if (n > BURST_MAX)
		n = BURST_MAX;
	/* The first member finds an address that answers (politely, with
	 * retries); the rest go to that address back to back, one try each. */
	if (query(c, s, -1, true, best, &p, err))
		return -1;
	good = 1;
	for (int i = 1; i < n; i++) {
		if (c->peers[p].kissed)
			break;
		if (query(c, s, p, false, &cur, NULL, e))
			continue;
		good++;
		if (cur.delay_s < best->delay_s)
			*best = cur;
	}
	return good;
}
