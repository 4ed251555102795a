/*
 * fakentp.c - a scripted, hostile NTP server on loopback for the faults a
 * real server will not produce.
 *
 *   fakentp -a ADDR [-p PORT] [-A OTHERADDR] [-n MAXREQ] [-T SECONDS]
 *           [-o OFFSET] BEHAVIOUR...
 *
 * Request i (from 0) gets BEHAVIOUR i; the last one repeats. It serves
 * real time (clock_read) shifted by OFFSET seconds, so "normal" replies
 * are correct; every hostile packet carries a time 1000 s off, so a
 * client that used one as a sample would show it. A behaviour followed
 * by "+good" (e.g. "otherport+good") sends a normal reply after it.
 *
 *   normal        a correct reply
 *   none          no reply
 *   late:S        a correct reply after S seconds
 *   otherport     a reply from another port of ADDR
 *   otheraddr     a reply from OTHERADDR (-A), same port
 *   dup           the correct reply twice
 *   stale         a reply to the previous request (old origin), then a correct one
 *   flood:N       N junk datagrams from ADDR:PORT, then a correct reply
 *   storm:S       junk for S seconds without pause (random bytes, and
 *                 well-formed replies with a wrong origin, some from the
 *                 other port), no reply
 *   kod:CODE      Kiss-o'-Death (stratum 0, LI 3, refid CODE: RATE, DENY, RSTR, ...)
 *   stratum16     stratum 16
 *   li3           leap indicator 3 (unsynchronised)
 *   zerotx        transmit timestamp 0
 *   zerorx        receive timestamp 0
 *   rootdist      root dispersion 2 s
 *   short         a 47-byte reply
 *   mode3         a client-mode packet
 *   version:N     version N (0..7)
 *   badorigin     origin that is not the request's transmit timestamp
 *   ext           a correct reply followed by an extension field and a MAC
 *
 * With -p 0 it picks a free port. It prints "listening ADDR PORT" once
 * bound and one line per request ("req N BEHAVIOUR mono_ns T"), flushed,
 * and exits after MAXREQ requests (default 100) or SECONDS (default 30).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "net.h"
#include "ntp.h"
#include "util.h"

#define MAX_BEHAVIOURS 64
#define HOSTILE_SHIFT_NS (INT64_C(1000) * 1000000000)

static double offset_s;

static void die(const char *msg)
{
	fprintf(stderr, "fakentp: %s\n", msg);
	exit(2);
}

static int bind_udp(const char *addr, const char *port, struct net_addr *bound)
{
	char err[UTIL_ERRMAX];
	struct net_addr a;
	int fd;

	if (net_resolve(addr, port, &a, 1, err) < 1)
		die(err);
	fd = socket(a.ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a.ss, a.len)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	bound->len = sizeof(bound->ss);
	getsockname(fd, (struct sockaddr *)&bound->ss, &bound->len);
	return fd;
}

static int64_t now_real(void)
{
	int64_t v = 0;

	clock_read(CLOCK_ID_REALTIME, &v);
	return v + (int64_t)(offset_s * 1e9);
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	nanosleep(&ts, NULL);
}

/* A correct reply to req (received at t2), or one shifted by shift_ns. */
static void make_reply(const struct ntp_packet *req, int64_t t2, int64_t shift_ns,
		       struct ntp_packet *p)
{
	memset(p, 0, sizeof(*p));
	p->leap = 0;
	p->version = req->version >= 1 && req->version <= 4 ? req->version : 4;
	p->mode = NTP_MODE_SERVER;
	p->stratum = 2;
	p->poll = req->poll;
	p->precision = -24;
	p->root_delay = 0x00000100;      /* ~4 ms */
	p->root_dispersion = 0x00000100;
	p->refid = 0x7f000001;
	p->ref_ts = ntp_ts_from_unix_ns(t2 + shift_ns - INT64_C(16) * 1000000000);
	p->origin_ts = req->transmit_ts;
	p->receive_ts = ntp_ts_from_unix_ns(t2 + shift_ns);
	p->transmit_ts = ntp_ts_from_unix_ns(now_real() + shift_ns);
}

static void send_pkt(int fd, const struct net_addr *to, const void *buf, size_t len)
{
	if (sendto(fd, buf, len, 0, (const struct sockaddr *)&to->ss, to->len) < 0)
		fprintf(stderr, "fakentp: sendto: %s\n", strerror(errno));
}

static void send_reply(int fd, const struct net_addr *to, struct ntp_packet *p)
{
	uint8_t b[NTP_HEADER_LEN];

	ntp_encode(p, b);
	send_pkt(fd, to, b, sizeof(b));
}

static void send_good(int fd, const struct net_addr *to,
		      const struct ntp_packet *req, int64_t t2)
{
	struct ntp_packet p;

	make_reply(req, t2, 0, &p);
	send_reply(fd, to, &p);
}

/* Receives with the kernel's timestamp as T2 (user space when refused),
 * so that scheduling delays on a busy machine do not bias the offset. */
static ssize_t recv_ts(int fd, void *buf, size_t cap, struct net_addr *from,
		       int64_t *t2)
{
	union {
		char b[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { buf, cap };
	struct msghdr mh;
	ssize_t n;

	memset(&mh, 0, sizeof(mh));
	mh.msg_name = &from->ss;
	mh.msg_namelen = sizeof(from->ss);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.b;
	mh.msg_controllen = sizeof(ctl.b);
	n = recvmsg(fd, &mh, 0);
	*t2 = now_real();
	from->len = mh.msg_namelen;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); n >= 0 && c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			*t2 = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec +
			      (int64_t)(offset_s * 1e9);
		}
	return n;
}

static uint32_t refid_code(const char *s)
{
	uint8_t b[4] = { 0 };

	for (int i = 0; i < 4 && s[i]; i++)
		b[i] = (uint8_t)s[i];
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

int main(int argc, char **argv)
{
	const char *addr = NULL, *port = "0", *other = NULL;
	struct net_addr me, other_bound;
	double max_s = 30;
	long maxreq = 100;
	char hbuf[80];
	uint64_t prev_origin = 0;
	int64_t end, now;
	int fd, ofd, xfd = -1, opt, nb;
	const char *const *beh;

	while ((opt = getopt(argc, argv, "a:p:A:n:T:o:")) != -1) {
		switch (opt) {
		case 'a': addr = optarg; break;
		case 'p': port = optarg; break;
		case 'A': other = optarg; break;
		case 'n': maxreq = atol(optarg); break;
		case 'T': max_s = atof(optarg); break;
		case 'o': offset_s = atof(optarg); break;
		default: die("usage: fakentp -a ADDR [-p PORT] [-A OTHERADDR] [-n N] [-T S] [-o OFFSET] BEHAVIOUR...");
		}
	}
	if (!addr || optind >= argc || argc - optind > MAX_BEHAVIOURS)
		die("usage: fakentp -a ADDR [-p PORT] [-A OTHERADDR] [-n N] [-T S] [-o OFFSET] BEHAVIOUR...");
	beh = (const char *const *)argv + optind;
	nb = argc - optind;

	fd = bind_udp(addr, port, &me);
	if (fd < 0)
		die("cannot bind the server address");
	{
		int on = 1;

		setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));
	}
	/* The "other port" socket: same address, an ephemeral port. */
	{
		struct net_addr tmp;

		ofd = bind_udp(addr, "0", &tmp);
		if (ofd < 0)
			die("cannot bind a second port");
	}
	if (other) {
		char p[16];

		snprintf(p, sizeof(p), "%u", ntohs(me.ss.ss_family == AF_INET
			? ((struct sockaddr_in *)&me.ss)->sin_port
			: ((struct sockaddr_in6 *)&me.ss)->sin6_port));
		xfd = bind_udp(other, p, &other_bound);
		if (xfd < 0)
			xfd = bind_udp(other, "0", &other_bound);
		if (xfd < 0)
			die("cannot bind the other address");
	}
	net_addr_host(&me, hbuf, sizeof(hbuf));
	printf("listening %s %u\n", hbuf, ntohs(me.ss.ss_family == AF_INET
		? ((struct sockaddr_in *)&me.ss)->sin_port
		: ((struct sockaddr_in6 *)&me.ss)->sin6_port));
	fflush(stdout);

	clock_read(CLOCK_ID_MONOTONIC, &now);
	end = now + (int64_t)(max_s * 1e9);
	srand((unsigned)getpid());
	for (long i = 0; i < maxreq;) {
		uint8_t in[1024];
		struct net_addr from;
		struct ntp_packet req, p;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		char name[64], *param, *plus;
		bool good_after;
		const char *b;
		int64_t t2;
		ssize_t n;

		clock_read(CLOCK_ID_MONOTONIC, &now);
		if (now >= end)
			break;
		if (poll(&pfd, 1, (int)((end - now) / 1000000) + 1) <= 0)
			continue;
		n = recv_ts(fd, in, sizeof(in), &from, &t2);
		if (n < 0 || ntp_decode(in, (size_t)n, &req))
			continue;

		b = beh[i < nb ? i : nb - 1];
		snprintf(name, sizeof(name), "%s", b);
		plus = strstr(name, "+good");
		good_after = plus != NULL;
		if (plus)
			*plus = 0;
		param = strchr(name, ':');
		if (param)
			*param++ = 0;
		clock_read(CLOCK_ID_MONOTONIC, &now);
		printf("req %ld %s mono_ns %lld\n", i, b, (long long)now);
		fflush(stdout);

		make_reply(&req, t2, HOSTILE_SHIFT_NS, &p);
		if (!strcmp(name, "normal")) {
			send_good(fd, &from, &req, t2);
		} else if (!strcmp(name, "none")) {
			;
		} else if (!strcmp(name, "late")) {
			sleep_s(param ? atof(param) : 2);
			send_good(fd, &from, &req, t2);
		} else if (!strcmp(name, "otherport")) {
			send_reply(ofd, &from, &p);
		} else if (!strcmp(name, "otheraddr")) {
			if (xfd < 0)
				die("otheraddr needs -A");
			send_reply(xfd, &from, &p);
		} else if (!strcmp(name, "dup")) {
			send_good(fd, &from, &req, t2);
			send_good(fd, &from, &req, t2);
		} else if (!strcmp(name, "stale")) {
			p.origin_ts = prev_origin ? prev_origin : req.transmit_ts ^ 1;
			send_reply(fd, &from, &p);
			send_good(fd, &from, &req, t2);
		} else if (!strcmp(name, "flood")) {
			long k = param ? atol(param) : 100;

			for (long j = 0; j < k; j++) {
				uint8_t junk[100];
				size_t len = (size_t)(rand() % (int)sizeof(junk));

				for (size_t q = 0; q < len; q++)
					junk[q] = (uint8_t)rand();
				/* Half of it well-formed enough to reach the origin test. */
				if (j % 2 && len >= NTP_HEADER_LEN) {
					p.origin_ts = ((uint64_t)rand() << 32) | (uint64_t)rand();
					ntp_encode(&p, junk);
				}
				send_pkt(fd, &from, junk, len);
			}
			send_good(fd, &from, &req, t2);
		} else if (!strcmp(name, "storm")) {
			int64_t until, t;
			long sent = 0;

			clock_read(CLOCK_ID_MONOTONIC, &t);
			until = t + (int64_t)((param ? atof(param) : 2) * 1e9);
			/* Bounded by the time given: a clock read every 64 packets. */
			while (t < until) {
				uint8_t junk[100];
				size_t len = (size_t)(rand() % (int)sizeof(junk));

				for (size_t q = 0; q < len; q++)
					junk[q] = (uint8_t)rand();
				if (sent % 2 && len >= NTP_HEADER_LEN) {
					p.origin_ts = ((uint64_t)rand() << 32) | (uint64_t)rand();
					ntp_encode(&p, junk);
				}
				send_pkt(sent % 8 == 7 ? ofd : fd, &from, junk, len);
				if (++sent % 64 == 0)
					clock_read(CLOCK_ID_MONOTONIC, &t);
			}
			printf("storm sent %ld\n", sent);
			fflush(stdout);
		} else if (!strcmp(name, "kod")) {
			p.stratum = 0;
			p.leap = 3;
			p.refid = refid_code(param ? param : "RATE");
			send_reply(fd, &from, &p);
		} else if (!strcmp(name, "stratum16")) {
			p.stratum = 16;
			send_reply(fd, &from, &p);
		} else if (!strcmp(name, "li3")) {
			p.leap = 3;
			send_reply(fd, &from, &p);
		} else if (!strcmp(name, "zerotx")) {
			p.transmit_ts = 0;
			send_reply(fd, &from, &p);
		} else if (!strcmp(name, "zerorx")) {
			p.receive_ts = 0;
			send_reply(fd, &from, &p);
		} else if (!strcmp(name, "rootdist")) {
			p.root_dispersion = 2u << 16;
			send_reply(fd, &from, &p);
		} else if (!strcmp(name, "short")) {
			uint8_t o[NTP_HEADER_LEN];

			ntp_encode(&p, o);
			send_pkt(fd, &from, o, NTP_HEADER_LEN - 1);
		} else if (!strcmp(name, "mode3")) {
			p.mode = NTP_MODE_CLIENT;
			send_reply(fd, &from, &p);
		} else if (!strcmp(name, "version")) {
			p.version = param ? (unsigned)atoi(param) & 7 : 0;
			send_reply(fd, &from, &p);
		} else if (!strcmp(name, "badorigin")) {
			p.origin_ts = req.transmit_ts + 0x10000;
			send_reply(fd, &from, &p);
		} else if (!strcmp(name, "ext")) {
			uint8_t o[NTP_HEADER_LEN + 16 + 20];

			make_reply(&req, t2, 0, &p);
			memset(o, 0xa5, sizeof(o));
			ntp_encode(&p, o);
			/* Extension field: type 0x0104, length 16; then a MAC. */
			o[48] = 0x01; o[49] = 0x04; o[50] = 0x00; o[51] = 0x10;
			send_pkt(fd, &from, o, sizeof(o));
		} else {
			fprintf(stderr, "fakentp: unknown behaviour '%s'\n", b);
			exit(2);
		}
		if (good_after)
			send_good(fd, &from, &req, t2);
		prev_origin = req.transmit_ts;
		i++;
	}
	close(fd);
	close(ofd);
	if (xfd >= 0)
		close(xfd);
	return 0;
}
