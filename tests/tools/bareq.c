/*
 * bareq.c - the bare minimum SNTP query in C, the baseline for the query
 * benchmark: one socket, one request, one reply, print the offset.
 *
 *   bareq ADDR PORT     (IPv4 only; prints offset in seconds, server - local)
 *
 * No validation beyond the origin, no kernel timestamps, no resolver, no
 * retries: what the cheapest possible client costs. Deliberately
 * self-contained (it calls clock_gettime itself and uses nothing from
 * libhvclock) so that its cost is that of the query alone.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static double ts_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* NTP timestamp at b to Unix seconds (era 0 or 1 around now). */
static double ntp_to_unix(const uint8_t *b)
{
	uint32_t s = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	uint32_t f = (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7];
	double u = (double)s - 2208988800.0;

	if (s < 0x80000000u)
		u += 4294967296.0;
	return u + (double)f / 4294967296.0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timeval tv = { 1, 0 };
	uint8_t req[48] = { 0x23 }, rep[512];
	double t1, t2, t3, t4;
	int fd;

	if (argc != 3 || inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "usage: bareq ADDR PORT\n");
		return 2;
	}
	sa.sin_port = htons((uint16_t)atoi(argv[2]));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	srand((unsigned)getpid());
	for (int i = 40; i < 48; i++)
		req[i] = (uint8_t)rand();
	t1 = ts_now();
	if (sendto(fd, req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) != 48)
		return 1;
	if (recv(fd, rep, sizeof(rep), 0) < 48 || memcmp(rep + 24, req + 40, 8))
		return 1;
	t4 = ts_now();
	t2 = ntp_to_unix(rep + 32);
	t3 = ntp_to_unix(rep + 40);
	printf("%+.9f\n", ((t2 - t1) + (t3 - t4)) / 2);
	return 0;
}
