/*
 * impact.c - software tolerances to clock steps and offsets.
 *
 * Each judgement names its source (timekeeping.md sections 1 and 2, which
 * cite the code). Entries the reference marks UNCONFIRMED (Java, Cassandra,
 * TLS/JWT, Active Directory's 5-minute default) are left out rather than
 * guessed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impact.h"
#include "predict.h"
#include "util.h"

#define SRC_DOVECOT_1 "dovecot/core src/lib/ioloop.c (1.0-1.2: IOLOOP_MAX_TIME_BACKWARDS_SLEEP 5); NEWS v1.0.rc26"
#define SRC_DOVECOT_2 "dovecot/core@2.0.0 src/lib-storage/mail-storage-service.c (MAX_TIME_BACKWARDS_SLEEP 5), src/master/main.c (throttle up to 180 s)"
#define SRC_DOVECOT_239 "dovecot/core@2.3.9 commit 692fc18b4b (millisecond resolution): mail-storage-service.c, src/master/main.c"

const char *impact_level_name(enum impact_level l)
{
	switch (l) {
	case IMPACT_NONE: return "none";
	case IMPACT_NOTE: return "note";
	case IMPACT_DEGRADED: return "degraded";
	case IMPACT_FAILS: return "fails";
	}
	return "?";
}

static void secs(double s, char *buf, size_t len)
{
	if (s >= 10)
		snprintf(buf, len, "%.0f s", s);
	else if (s >= 1)
		snprintf(buf, len, "%.1f s", s);
	else
		snprintf(buf, len, "%.0f ms", s * 1e3);
}

enum impact_level impact_dovecot(const char *version, double back, char *text,
				 size_t len)
{
	char b[32];
	double whole = floor(back);

	secs(back, b, sizeof(b));
	if (back <= 0) {
		snprintf(text, len, "Dovecot is not affected: no backward step");
		return IMPACT_NONE;
	}
	if (!version) {
		if (back > 5) {
			snprintf(text, len, "Dovecot, if installed: a %s backward step "
				 "kills every process of Dovecot before 2.0, the master "
				 "included (\"Time just moved backwards ... kill myself\"), "
				 "so mail stays down until restarted; from 2.0 on it kills "
				 "the imap/pop3/lmtp processes and the master stops "
				 "launching them for up to 180 s", b);
			return IMPACT_FAILS;
		}
		if (back >= 1) {
			snprintf(text, len, "Dovecot, if installed: every version sleeps "
				 "through a %s backward step (all processes before 2.0, mail "
				 "processes from 2.0 on, plus a pause in launching new ones)", b);
			return IMPACT_DEGRADED;
		}
		snprintf(text, len, "Dovecot, if installed: only 2.3.9 and later see a "
			 "%s backward step (they log it and sleep that long); older "
			 "versions compare whole seconds", b);
		return IMPACT_NOTE;
	}
	if (predict_version_cmp(version, "2.0") < 0) {
		if (back > 5) {
			snprintf(text, len, "Dovecot %s (before 2.0): every process, the "
				 "master included, exits on a backward step over 5 s (this "
				 "one is %s): \"Time just moved backwards by %.0f seconds. "
				 "... I'll just kill myself now.\"; mail stays down until "
				 "Dovecot is restarted", version, b, whole);
			return IMPACT_FAILS;
		}
		if (back >= 1) {
			snprintf(text, len, "Dovecot %s (before 2.0): every process logs "
				 "\"Time just moved backwards\" and sleeps %.0f s, blocking "
				 "mail for that long; a step over 5 s would kill it", version,
				 whole + 1);
			return IMPACT_DEGRADED;
		}
		snprintf(text, len, "Dovecot %s compares whole seconds only: a %s "
			 "backward step is not seen (over 5 s would kill it)", version, b);
		return IMPACT_NONE;
	}
	if (predict_version_cmp(version, "2.3.9") < 0) {
		double thr = whole + 1 > 180 ? 180 : whole + 1;

		if (back > 5) {
			snprintf(text, len, "Dovecot %s: imap, pop3 and lmtp processes exit "
				 "on a backward step over 5 s (this one is %s), and the master "
				 "stops launching them for %.0f s (\"Time moved backwards\")",
				 version, b, thr);
			return IMPACT_DEGRADED;
		}
		if (back >= 1) {
			snprintf(text, len, "Dovecot %s: imap, pop3 and lmtp processes "
				 "sleep %.0f s and the master pauses launching them for as "
				 "long; a step over 5 s would make them exit", version, thr);
			return IMPACT_DEGRADED;
		}
		snprintf(text, len, "Dovecot %s compares whole seconds only: a %s "
			 "backward step is not seen", version, b);
		return IMPACT_NONE;
	}
	if (back > 5) {
		snprintf(text, len, "Dovecot %s: imap, pop3 and lmtp processes exit on "
			 "a backward step over 5 s (this one is %s), and the master stops "
			 "launching them for %s", version, b, back > 180 ? "180 s" : b);
		return IMPACT_DEGRADED;
	}
	if (back >= 1) {
		snprintf(text, len, "Dovecot %s: mail processes sleep %s and the master "
			 "pauses launching them as long (2.3.9+ sees any step)", version, b);
		return IMPACT_DEGRADED;
	}
	snprintf(text, len, "Dovecot %s (2.3.9+ sees any step): mail processes log "
		 "\"Time moved backwards by %.6f seconds\" and sleep that long", version,
		 back);
	return IMPACT_NOTE;
}

static struct impact_hit *add(struct impact_result *r, const char *id,
			      enum impact_level level, bool installed,
			      const char *source)
{
	struct impact_hit *h;

	if (level == IMPACT_NONE || r->n >= IMPACT_MAX_HITS)
		return NULL;
	h = &r->hits[r->n++];
	h->id = id;
	h->level = level;
	h->installed = installed;
	h->source = source;
	if (level > r->worst)
		r->worst = level;
	if (installed && level > r->worst_installed)
		r->worst_installed = level;
	return h;
}

static const char *pkg_version(const struct impact_input *in, const char *name)
{
	for (int i = 0; in->pkgs && i < in->n_pkgs; i++)
		if (!strcmp(in->pkgs[i].name, name))
			return in->pkgs[i].version;
	return NULL;
}

static int hit_cmp(const void *a, const void *b)
{
	const struct impact_hit *x = a, *y = b;

	if (x->installed != y->installed)
		return x->installed ? -1 : 1;
	if (x->level != y->level)
		return x->level > y->level ? -1 : 1;
	return strcmp(x->id, y->id);
}

void impact_assess(const struct impact_input *in, struct impact_result *r)
{
	double back = in->back_s > 0 ? in->back_s : 0;
	double fwd = in->fwd_s > 0 ? in->fwd_s : 0;
	double off = fabs(in->offset_s);
	const char *dv = pkg_version(in, "dovecot");
	struct impact_hit *h;
	char b[32], o[32];

	memset(r, 0, sizeof(*r));
	secs(back, b, sizeof(b));
	secs(off, o, sizeof(o));

	/* Dovecot (section 1). */
	if (back > 0) {
		char text[400];
		enum impact_level l = impact_dovecot(dv, back, text, sizeof(text));
		const char *src = !dv || predict_version_cmp(dv, "2.0") < 0 ? SRC_DOVECOT_1 :
			predict_version_cmp(dv, "2.3.9") < 0 ? SRC_DOVECOT_2 : SRC_DOVECOT_239;

		if ((h = add(r, "dovecot", l, dv != NULL, src)))
			snprintf(h->text, sizeof(h->text), "%s", text);
	}
	if (fwd > 10 && dv && predict_version_cmp(dv, "2.0") >= 0 &&
	    (h = add(r, "dovecot", IMPACT_NOTE, true, SRC_DOVECOT_2)))
		snprintf(h->text, sizeof(h->text), "Dovecot %s logs \"Time jumped "
			 "forwards\" on forward steps over 10 s", dv);

	/* Kerberos: the skew, not the step, is what fails. */
	if (off > 300 && (h = add(r, "kerberos", IMPACT_DEGRADED, false,
				   "krb5.conf(5) clockskew, default 300 s (MIT/Heimdal)")))
		snprintf(h->text, sizeof(h->text), "Kerberos, if used (AD logins, "
			 "NFS/krb5, SSSD): the clock gets %s from true time, past the "
			 "300 s clockskew, so tickets and logins are rejected", o);
	/* TOTP: 30 s time step, usually +/-1 step accepted. */
	if (off > 30 && (h = add(r, "totp", IMPACT_DEGRADED, false,
				  "RFC 6238 (30 s time step)")))
		snprintf(h->text, sizeof(h->text), "TOTP two-factor codes, if "
			 "checked or made here: a skew of %s passes the 30 s time step "
			 "(usually +/-1 step is accepted), so codes fail", o);
	/* Distributed databases compare clocks between nodes. */
	if (off > 0.5 && (h = add(r, "cockroachdb", IMPACT_FAILS, false,
				   "cockroachlabs.com docs v1.1 common-errors (--max-offset 500 ms)")))
		snprintf(h->text, sizeof(h->text), "CockroachDB, if a node runs here: "
			 "%s off is past --max-offset (500 ms), so the node stops with "
			 "\"clock synchronization error\"", o);
	if (off > 1 && (h = add(r, "etcd", IMPACT_NOTE, false,
				 "etcd rafthttp/probing_status.go (1 s)")))
		snprintf(h->text, sizeof(h->text), "etcd, if a member runs here: warns "
			 "\"the clock difference against peer ... is too high\" past 1 s");

	if (back > 0) {
		/* cron: backward jumps up to 3 h are absorbed. */
		if (back > 3 * 3600) {
			if ((h = add(r, "cron", IMPACT_DEGRADED, false,
				     "cronie src/cron.c (enum timejump, 3 h)")))
				snprintf(h->text, sizeof(h->text), "cron: a %s backward "
					 "jump is over 3 h, so cron resets its time: fixed-time "
					 "jobs can run twice or be skipped", b);
		} else if (back >= 60 && (h = add(r, "cron", IMPACT_NOTE, false,
						  "cronie src/cron.c (enum timejump, 3 h)"))) {
			snprintf(h->text, sizeof(h->text), "cron: after a %s backward "
				 "jump only every-minute (wildcard) jobs run until the clock "
				 "catches up; fixed-time jobs are not repeated", b);
		}
		if (back >= 1 && (h = add(r, "postfix", IMPACT_NOTE, false,
					  "Postfix src/util/sane_time.c")))
			snprintf(h->text, sizeof(h->text), "Postfix logs \"backward time "
				 "jump detected -- slewing clock\" and runs its own clock at "
				 "half speed until it catches up");
		if (in->interval_s > 0 && in->interval_s < 3600) {
			if ((h = add(r, "journald", IMPACT_DEGRADED, false,
				     "systemd journald-server.c")))
				snprintf(h->text, sizeof(h->text), "systemd-journald, if "
					 "used: rotates its files on every backward step (\"Time "
					 "jumped backwards, rotating.\"), about %.0f a day, which "
					 "shortens what SystemMaxFiles keeps", 86400 / in->interval_s);
		} else if ((h = add(r, "journald", IMPACT_NOTE, false,
				    "systemd journald-server.c"))) {
			snprintf(h->text, sizeof(h->text), "systemd-journald, if used: "
				 "rotates its files on each backward step");
		}
		if ((h = add(r, "snowflake-ids", IMPACT_FAILS, false,
			     "twitter-archive/snowflake IdWorker.scala (0 ms tolerance)")))
			snprintf(h->text, sizeof(h->text), "Snowflake-style ID generators, "
				 "if used: refuse to issue IDs for %s (\"Clock moved "
				 "backwards. Refusing to generate id\")", b);
		if (back > 0.05 && off <= 0.5 && (h = add(r, "cockroachdb", IMPACT_NOTE, false,
					    "cockroachdb pkg/util/hlc/hlc.go (max-offset/10)")))
			snprintf(h->text, sizeof(h->text), "CockroachDB, if a node runs "
				 "here: warns \"backward time jump detected\" (over 50 ms)");
		if ((h = add(r, "make", IMPACT_NOTE, false, "GNU make (Clock skew detected)")))
			snprintf(h->text, sizeof(h->text), "builds (make), if run here: "
				 "files written before the step are dated in the future "
				 "(\"Clock skew detected\") and rebuild decisions go wrong");
	}
	if (fwd >= 300 && fwd <= 3 * 3600 &&
	    (h = add(r, "cron", IMPACT_NOTE, false, "cronie src/cron.c (enum timejump)")))
		snprintf(h->text, sizeof(h->text), "cron: after a forward jump of 5 "
			 "min to 3 h it runs the fixed-time jobs it skipped");
	qsort(r->hits, (size_t)r->n, sizeof(r->hits[0]), hit_cmp);
}
