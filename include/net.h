/*
 * net.h - UDP for the SNTP client: name resolution, an unconnected socket
 * per exchange, send with the local send time, receive with the kernel's
 * receive timestamp (SO_TIMESTAMPNS) and a deadline.
 *
 * Time values: clock_real_ns are CLOCK_REALTIME Unix ns (read through
 * clock.h), deadlines are CLOCK_MONOTONIC ns (clock_mono_ns), so a step of
 * the wall clock during a query cannot stretch or cut a timeout.
 */
#ifndef HV_NET_H
#define HV_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "clock.h"

struct net_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* Upper bound on the addresses kept for one name. */
#define NET_MAX_ADDRS 16

/*
 * Resolves host and port (numeric or service name) through getaddrinfo,
 * IPv4 and IPv6, UDP. Fills up to max addresses in resolver order,
 * duplicates dropped. Returns the count (>= 1), or -1 with err:
 * "cannot resolve 'ntp.example': Name or service not known".
 */
int net_resolve(const char *host, const char *port, struct net_addr *out,
		int max, char *err);
/* Numeric "127.0.0.1:123" or "[::1]:123" into buf. */
void net_addr_str(const struct net_addr *a, char *buf, size_t len);
/* Numeric address alone: "127.0.0.1", "::1". */
void net_addr_host(const struct net_addr *a, char *buf, size_t len);
/* Same family, address and port (IPv6: and scope). */
bool net_addr_equal(const struct net_addr *a, const struct net_addr *b);

struct net_sock;
/*
 * An unconnected UDP socket for the family of to (bound to an ephemeral
 * port on the first send), asking the kernel for receive timestamps.
 * Returns NULL with err on failure.
 */
struct net_sock *net_open(const struct net_addr *to, char *err);
void net_close(struct net_sock *s);
/* Whether the kernel agreed to timestamp received packets. */
bool net_kernel_ts_enabled(const struct net_sock *s);

/*
 * Sends len bytes to to. *t1 is REALTIME read immediately before
 * sendto(), Unix ns. Returns 0, or -1 with err.
 */
int net_send(struct net_sock *s, const struct net_addr *to, const void *buf,
	     size_t len, clock_real_ns *t1, char *err);

struct net_rx {
	size_t len;                  /* bytes received (truncated to cap) */
	bool truncated;              /* the datagram was longer than cap */
	struct net_addr from;
	clock_real_ns t4;            /* receive time, Unix ns */
	bool kernel_ts;              /* t4 from the kernel, else user space */
};

/*
 * Waits for one datagram until deadline (MONOTONIC ns). The kernel
 * timestamp is used as t4 only when it lies between not_before (the send
 * time T1, REALTIME ns) and a REALTIME read just after recvmsg(); any
 * other value (e.g. the process runs under libfaketime, which fakes
 * clock_gettime but not kernel timestamps) gives the user-space read and
 * kernel_ts false. Returns 1 with *rx filled, 0 on timeout, -1 with err.
 */
int net_recv(struct net_sock *s, void *buf, size_t cap,
	     clock_real_ns not_before, clock_mono_ns deadline,
	     struct net_rx *rx, char *err);

#endif
