/*
 * impact.h - which software is hurt by the clock's behaviour, with each
 * one's documented tolerance (timekeeping.md sections 1 and 2).
 *
 * Backward steps hurt software that compares wall-clock readings
 * (Dovecot, cron, journald, Postfix, ID generators); the offset itself
 * (how far the clock is from true time at its worst) hurts software that
 * compares clocks between machines (Kerberos, TOTP, etcd, CockroachDB).
 * Where the installed version is known (env->pkgs) the verdict is for
 * that version; otherwise the versions at risk are listed.
 *
 * Units: seconds; step sizes are magnitudes (>= 0).
 */
#ifndef HV_IMPACT_H
#define HV_IMPACT_H

#include <stdbool.h>

#include "env.h"

enum impact_level {
	IMPACT_NONE = 0,   /* not affected */
	IMPACT_NOTE,       /* handles it, but leaves a trace (warnings, rotations) */
	IMPACT_DEGRADED,   /* keeps running but misbehaves (sleeps, throttles, rejects) */
	IMPACT_FAILS       /* exits or stops serving */
};
const char *impact_level_name(enum impact_level l); /* "none", "note", ... */

/* What the clock does (from a prediction, a measurement or the logs). */
struct impact_input {
	double back_s;      /* largest backward step, s (magnitude); 0 = none */
	double fwd_s;       /* largest forward step, s (magnitude); 0 = none */
	double offset_s;    /* largest |offset| from true time before a step, s */
	double interval_s;  /* time between steps, s; 0 = once or unknown */
	const struct env_pkg *pkgs;  /* installed versions (may be NULL) */
	int n_pkgs;
};

#define IMPACT_MAX_HITS 16

struct impact_hit {
	const char *id;         /* "dovecot", "kerberos", "cron", ... */
	enum impact_level level;
	bool installed;         /* its version is known to be installed */
	char text[400];         /* who is hurt and how, plain words */
	const char *source;     /* where the tolerance is documented */
};

struct impact_result {
	int n;
	struct impact_hit hits[IMPACT_MAX_HITS];
	enum impact_level worst;            /* over all hits */
	enum impact_level worst_installed;  /* over software known installed */
};

/* Fills out with every piece of software the input hurts, worst first. */
void impact_assess(const struct impact_input *in, struct impact_result *out);

/*
 * Dovecot alone, for one version (NULL = unknown): the level for a backward
 * step of back_s and a sentence. Used for the "Dovecot named" judgement of
 * steps seen in the logs or during the run.
 */
enum impact_level impact_dovecot(const char *version, double back_s,
				 char *text, size_t len);

#endif
