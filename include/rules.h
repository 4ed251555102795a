/*
 * rules.h - what the measurements mean: findings with severity, the
 * evidence behind them, the consequences (what will break and when) and
 * the remedy. The rules themselves are one table in rules.c.
 *
 * Inputs are plain data (env.h, analysis.h's measurement, logscan.h's
 * evidence), so every rule can be evaluated on a fixture without a
 * machine or a network.
 */
#ifndef HV_RULES_H
#define HV_RULES_H

#include <stdbool.h>

#include "analysis.h"
#include "env.h"
#include "json.h"
#include "remedy.h"
#include "strbuf.h"

/* Monitoring-plugins states; also diagnose's exit codes. */
enum rules_severity {
	RULES_OK = 0,
	RULES_WARNING = 1,
	RULES_CRITICAL = 2,
	RULES_UNKNOWN = 3
};
const char *rules_severity_name(enum rules_severity s); /* "OK", ... */

#define RULES_MAX_FINDINGS 24
#define RULES_MAX_EVIDENCE 8

struct rules_finding {
	const char *rule_id;              /* stable, for scripts: "el5-hyperv-tsc" */
	enum rules_severity severity;
	char text[600];                   /* the finding, plain words */
	char consequence[600];            /* what will break and when, or "" */
	int n_evidence;
	char evidence[RULES_MAX_EVIDENCE][240];
	const struct remedy *remedy;      /* boot-argument remedy, or NULL */
	char remedy_text[600];            /* exact lines to change, or "" */
	const char *source;               /* document title, section */
};

struct rules_result {
	enum rules_severity worst;
	int n;
	struct rules_finding findings[RULES_MAX_FINDINGS];
};

#endif
