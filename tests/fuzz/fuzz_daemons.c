/*
 * fuzz_daemons.c - the time-daemon configuration parsers (chrony.conf,
 * ntp.conf, timesyncd.conf, OpenNTPD). Invariants: no crash, bounded
 * server lists, NUL-terminated fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemons.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct daemon_conf *c)
{
	if (c->nservers < 0 || c->nservers > DAEMONS_MAX_SERVERS)
		abort();
	for (int i = 0; i < c->nservers; i++)
		if (!memchr(c->servers[i], '\0', sizeof(c->servers[i])))
			abort();
	if (!memchr(c->refclock_device, '\0', sizeof(c->refclock_device)) ||
	    !memchr(c->driftfile, '\0', sizeof(c->driftfile)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct daemon_conf c;

	memcpy(s, data, size);
	s[size] = '\0';
	daemons_parse_chrony(s, &c);
	check(&c);
	daemons_parse_ntp(s, &c);
	check(&c);
	daemons_parse_timesyncd(s, &c);
	check(&c);
	daemons_parse_openntpd(s, &c);
	check(&c);
	free(s);
	return 0;
}
