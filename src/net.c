/*
 * net.c - UDP sockets with kernel receive timestamps.
 *
 * One unconnected socket per exchange: a fresh ephemeral port makes a late
 * reply to an earlier request land on a closed port instead of in the
 * next exchange, and an unconnected socket lets us see (and name) replies
 * from the wrong source rather than have the kernel drop them silently.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "net.h"
#include "util.h"

struct net_sock {
	int fd;
	bool kts;
};

/*
 * A numeric address needs no resolver. getaddrinfo() would still load the
 * NSS modules and read nsswitch.conf and /etc/hosts, which costs a cron
 * job (hvclock log every minute) about a third of its memory.
 */
static bool numeric_addr(const char *host, const char *port, struct net_addr *a)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&a->ss;
	long p;

	if (util_parse_long(port, 1, 65535, &p, NULL))
		return false;
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)p);
		a->len = sizeof(*v4);
		return true;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)p);
		a->len = sizeof(*v6);
		return true;
	}
	return false;
}

int net_resolve(const char *host, const char *port, struct net_addr *out,
		int max, char *err)
{
	struct addrinfo hints, *res = NULL;
	int n = 0, r;

	if (max > 0 && numeric_addr(host, port, &out[0]))
		return 1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_protocol = IPPROTO_UDP;
	r = getaddrinfo(host, port, &hints, &res);
	if (r) {
		if (r == EAI_SYSTEM)
			return util_errno(err, errno, "cannot resolve '%s'", host);
		return util_err(err, "cannot resolve '%s': %s", host,
				gai_strerror(r));
	}
	for (struct addrinfo *ai = res; ai && n < max; ai = ai->ai_next) {
		struct net_addr a;
		bool dup = false;

		if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
		    ai->ai_addrlen > sizeof(a.ss))
			continue;
		memset(&a, 0, sizeof(a));
		memcpy(&a.ss, ai->ai_addr, ai->ai_addrlen);
		a.len = ai->ai_addrlen;
		for (int i = 0; i < n && !dup; i++)
			dup = net_addr_equal(&out[i], &a);
		if (!dup)
			out[n++] = a;
	}
	freeaddrinfo(res);
	if (!n)
		return util_err(err, "cannot resolve '%s': no IPv4 or IPv6 address", host);
	return n;
}

void net_addr_host(const struct net_addr *a, char *buf, size_t len)
{
	const void *src = NULL;

	if (a->ss.ss_family == AF_INET)
		src = &((const struct sockaddr_in *)&a->ss)->sin_addr;
	else if (a->ss.ss_family == AF_INET6)
		src = &((const struct sockaddr_in6 *)&a->ss)->sin6_addr;
	if (!src || !inet_ntop(a->ss.ss_family, src, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

static unsigned addr_port(const struct net_addr *a)
{
	if (a->ss.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
	if (a->ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
	return 0;
}

void net_addr_str(const struct net_addr *a, char *buf, size_t len)
{
	char h[INET6_ADDRSTRLEN];

	net_addr_host(a, h, sizeof(h));
	if (a->ss.ss_family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", h, addr_port(a));
	else
		snprintf(buf, len, "%s:%u", h, addr_port(a));
}

bool net_addr_equal(const struct net_addr *a, const struct net_addr *b)
{
	if (a->ss.ss_family != b->ss.ss_family)
		return false;
	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)&a->ss, *y = (const void *)&b->ss;

		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)&a->ss, *y = (const void *)&b->ss;

		return x->sin6_port == y->sin6_port &&
		       x->sin6_scope_id == y->sin6_scope_id &&
		       !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr));
	}
	return false;
}

struct net_sock *net_open(const struct net_addr *to, char *err)
{
	struct net_sock *s;
	int fd, on = 1;

	fd = socket(to->ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0) {
		util_errno(err, errno, "cannot open a UDP socket");
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->fd = fd;
	/* Refused by some sandboxes and LD_PRELOAD shims: then T4 is read in
	 * user space, a few microseconds later than the packet arrived. */
	s->kts = !setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));
	return s;
}

void net_close(struct net_sock *s)
{
	if (!s)
		return;
	close(s->fd);
	free(s);
}

bool net_kernel_ts_enabled(const struct net_sock *s)
{
	return s->kts;
}

int net_send(struct net_sock *s, const struct net_addr *to, const void *buf,
	     size_t len, clock_real_ns *t1, char *err)
{
	char a[80];
	ssize_t n;

	if (clock_read(CLOCK_ID_REALTIME, t1))
		return util_errno(err, errno, "cannot read the realtime clock");
	do
		n = sendto(s->fd, buf, len, 0, (const struct sockaddr *)&to->ss, to->len);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		net_addr_str(to, a, sizeof(a));
		return util_errno(err, errno, "cannot send to %s", a);
	}
	if ((size_t)n != len) {
		net_addr_str(to, a, sizeof(a));
		return util_err(err, "cannot send to %s: short write", a);
	}
	return 0;
}

static clock_real_ns kernel_ts(struct msghdr *mh, bool *found)
{
	*found = false;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		struct timespec ts;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS ||
		    c->cmsg_len < CMSG_LEN(sizeof(ts)))
			continue;
		memcpy(&ts, CMSG_DATA(c), sizeof(ts));
		*found = true;
		return (clock_real_ns)ts.tv_sec * 1000000000 + ts.tv_nsec;
	}
	return 0;
}

int net_recv(struct net_sock *s, void *buf, size_t cap,
	     clock_real_ns not_before, clock_mono_ns deadline,
	     struct net_rx *rx, char *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct timespec)) * 2];
		struct cmsghdr align;
	} ctl;
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
	clock_real_ns kt, ut;
	clock_mono_ns now;
	struct msghdr mh;
	struct iovec iov;
	bool have_kt;
	ssize_t n;
	int r;

	for (int spins = 0; spins < 1000; spins++) {
		if (clock_read(CLOCK_ID_MONOTONIC, &now))
			return util_errno(err, errno, "cannot read the monotonic clock");
		if (now >= deadline)
			return 0;
		/* Round up so that we never wake just before the deadline. */
		r = poll(&pfd, 1, (int)((deadline - now + 999999) / 1000000));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return util_errno(err, errno, "poll");
		if (r == 0)
			continue;

		memset(&mh, 0, sizeof(mh));
		memset(rx, 0, sizeof(*rx));
		iov.iov_base = buf;
		iov.iov_len = cap;
		mh.msg_name = &rx->from.ss;
		mh.msg_namelen = sizeof(rx->from.ss);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		n = recvmsg(s->fd, &mh, MSG_DONTWAIT);
		if (clock_read(CLOCK_ID_REALTIME, &ut))
			return util_errno(err, errno, "cannot read the realtime clock");
		if (n < 0) {
			/* ICMP errors (port unreachable) surface here on
			 * Linux: keep waiting for the deadline, like a
			 * lost packet. */
			if (errno == EINTR || errno == EAGAIN ||
			    errno == EWOULDBLOCK || errno == ECONNREFUSED ||
			    errno == EHOSTUNREACH || errno == ENETUNREACH)
				continue;
			return util_errno(err, errno, "cannot receive");
		}
		rx->from.len = mh.msg_namelen;
		rx->len = (size_t)n;
		rx->truncated = (mh.msg_flags & MSG_TRUNC) != 0;
		kt = kernel_ts(&mh, &have_kt);
		if (have_kt && kt >= not_before && kt <= ut) {
			rx->t4 = kt;
			rx->kernel_ts = true;
		} else {
			rx->t4 = ut;
			rx->kernel_ts = false;
		}
		return 1;
	}
	/* Only reached when poll keeps waking without data (e.g. a flood of
	 * ICMP errors): treat it as the deadline. */
	return 0;
}
