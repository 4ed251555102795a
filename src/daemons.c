/*
 * daemons.c - parse time-daemon configuration files.
 *
 * Only the directives that decide how a daemon treats a clock that drifts
 * are kept. Parsing is line based and forgiving (a daemon's own parser is
 * the authority); values we cannot read are skipped rather than guessed.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemons.h"
#include "strbuf.h"
#include "util.h"

static const struct {
	const char *proc, *id;
} kinds[DAEMON_COUNT] = {
	[DAEMON_CHRONYD] = { "chronyd", "chronyd" },
	[DAEMON_NTPD] = { "ntpd", "ntpd" },
	/* /proc/PID/stat truncates comm to 15 characters. */
	[DAEMON_TIMESYNCD] = { "systemd-timesyn", "timesyncd" },
	[DAEMON_OPENNTPD] = { "ntpd", "openntpd" },
	[DAEMON_PTP4L] = { "ptp4l", "ptp4l" },
	[DAEMON_PHC2SYS] = { "phc2sys", "phc2sys" },
};

const char *daemons_process_name(enum daemon_kind k)
{
	return (unsigned)k < DAEMON_COUNT ? kinds[k].proc : "?";
}

const char *daemons_id(enum daemon_kind k)
{
	return (unsigned)k < DAEMON_COUNT ? kinds[k].id : "?";
}

/* Splits a line into at most max blank-separated words (in place). */
static int words(char *line, char **w, int max)
{
	int n = 0;
	char *p = line;

	while (n < max) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		w[n++] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (*p)
			*p++ = '\0';
	}
	return n;
}

/* Calls fn for each line with comments (starting with any of cmt) cut. */
static void each_line(const char *text, const char *cmt,
		      void (*fn)(char **w, int n, struct daemon_conf *c),
		      struct daemon_conf *c)
{
	const char *p = text;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[1024], *w[16];
		int n;

		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		for (char *q = line; *q; q++)
			if (strchr(cmt, *q)) {
				*q = '\0';
				break;
			}
		n = words(line, w, 16);
		if (n)
			fn(w, n, c);
		p = nl ? nl + 1 : NULL;
	}
}

static void add_server(struct daemon_conf *c, const char *host,
		       const char *port)
{
	if (c->nservers >= DAEMONS_MAX_SERVERS || !*host)
		return;
	if (port && strchr(host, ':'))
		snprintf(c->servers[c->nservers++], sizeof(c->servers[0]),
			 "[%s]:%s", host, port);
	else if (port)
		snprintf(c->servers[c->nservers++], sizeof(c->servers[0]),
			 "%s:%s", host, port);
	else
		snprintf(c->servers[c->nservers++], sizeof(c->servers[0]), "%s",
			 host);
}

static bool num(const char *s, double *v)
{
	return !util_parse_double(s, -1e12, 1e12, v, NULL);
}

static void chrony_line(char **w, int n, struct daemon_conf *c)
{
	double a, b;

	if ((!strcmp(w[0], "server") || !strcmp(w[0], "pool") ||
	     !strcmp(w[0], "peer")) && n >= 2) {
		const char *port = NULL;

		for (int i = 2; i + 1 < n; i++)
			if (!strcmp(w[i], "port"))
				port = w[i + 1];
		add_server(c, w[1], port);
	} else if (!strcmp(w[0], "makestep") && n >= 3 && num(w[1], &a) &&
		   num(w[2], &b) && b >= -2147483647.0 && b <= 2147483647.0) {
		/* chronyd reads the limit as an int; beyond that it refuses. */
		c->has_makestep = true;
		c->makestep_threshold_s = a;
		c->makestep_limit = (int)b;
	} else if (!strcmp(w[0], "maxslewrate") && n >= 2 && num(w[1], &a)) {
		c->has_maxslewrate = true;
		c->maxslewrate_ppm = a;
	} else if (!strcmp(w[0], "refclock") && n >= 3 && !strcmp(w[1], "PHC")) {
		c->refclock_phc = true;
		/* "PHC /dev/ptp0:extpps:pin=0": the device ends at ':'. */
		snprintf(c->refclock_device, sizeof(c->refclock_device), "%.*s",
			 (int)strcspn(w[2], ":"), w[2]);
	} else if (!strcmp(w[0], "driftfile") && n >= 2) {
		snprintf(c->driftfile, sizeof(c->driftfile), "%s", w[1]);
	}
}

void daemons_parse_chrony(const char *text, struct daemon_conf *c)
{
	memset(c, 0, sizeof(*c));
	each_line(text, "#;!%", chrony_line, c);
}

static void ntp_line(char **w, int n, struct daemon_conf *c)
{
	double v;

	if ((!strcmp(w[0], "server") || !strcmp(w[0], "pool") ||
	     !strcmp(w[0], "peer")) && n >= 2) {
		/* 127.127.t.u addresses are reference clock drivers. */
		if (util_startswith(w[1], "127.127."))
			return;
		add_server(c, w[1], NULL);
	} else if (!strcmp(w[0], "tinker")) {
		for (int i = 1; i + 1 < n; i += 2) {
			if (!num(w[i + 1], &v))
				continue;
			if (!strcmp(w[i], "panic")) {
				c->has_tinker_panic = true;
				c->tinker_panic_s = v;
			} else if (!strcmp(w[i], "step")) {
				c->has_tinker_step = true;
				c->tinker_step_s = v;
			} else if (!strcmp(w[i], "stepout")) {
				c->has_tinker_stepout = true;
				c->tinker_stepout_s = v;
			}
		}
	} else if (!strcmp(w[0], "driftfile") && n >= 2) {
		snprintf(c->driftfile, sizeof(c->driftfile), "%s", w[1]);
	}
}

void daemons_parse_ntp(const char *text, struct daemon_conf *c)
{
	memset(c, 0, sizeof(*c));
	each_line(text, "#", ntp_line, c);
}

/*
 * timesyncd.conf is an INI file: NTP= and FallbackNTP= in [Time], each a
 * blank-separated list; a later NTP= replaces an earlier one.
 */
void daemons_parse_timesyncd(const char *text, struct daemon_conf *c)
{
	const char *p = text;
	bool in_time = false;
	char fallback[DAEMONS_MAX_SERVERS][128];
	int nfallback = 0;

	memset(c, 0, sizeof(*c));
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[1024], *l, *w[DAEMONS_MAX_SERVERS];
		int n;

		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl ? nl + 1 : NULL;
		l = util_trim(line);
		if (*l == '#' || *l == ';' || !*l)
			continue;
		if (*l == '[') {
			in_time = !strncmp(l, "[Time]", 6);
			continue;
		}
		if (!in_time)
			continue;
		if (util_startswith(l, "NTP=")) {
			c->nservers = 0;
			n = words(l + 4, w, DAEMONS_MAX_SERVERS);
			for (int i = 0; i < n; i++)
				add_server(c, w[i], NULL);
		} else if (util_startswith(l, "FallbackNTP=")) {
			n = words(l + 12, w, DAEMONS_MAX_SERVERS);
			nfallback = 0;
			for (int i = 0; i < n; i++)
				snprintf(fallback[nfallback++], sizeof(fallback[0]), "%s", w[i]);
		}
	}
	/* FallbackNTP= counts only when no NTP= names a server. */
	if (!c->nservers)
		for (int i = 0; i < nfallback; i++)
			add_server(c, fallback[i], NULL);
}

static void openntpd_line(char **w, int n, struct daemon_conf *c)
{
	if ((!strcmp(w[0], "server") || !strcmp(w[0], "servers")) && n >= 2)
		add_server(c, w[1], NULL);
}

void daemons_parse_openntpd(const char *text, struct daemon_conf *c)
{
	memset(c, 0, sizeof(*c));
	each_line(text, "#", openntpd_line, c);
}
