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
#include "impact.h"
#include "json.h"
#include "logscan.h"
#include "predict.h"
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
#define RULES_MAX_IMPACT 6

struct rules_finding {
	const char *rule_id;              /* stable, for scripts: "el5-hyperv-clock" */
	enum rules_severity severity;
	bool advice;                      /* OK-level suggestion, not a fault */
	char text[600];                   /* the finding, plain words */
	char consequence[600];            /* what will break and when, or "" */
	int n_impact;                     /* who is hurt, one line each */
	char impact[RULES_MAX_IMPACT][400];
	int n_evidence;
	char evidence[RULES_MAX_EVIDENCE][240];
	const struct remedy *remedy;      /* boot-argument remedy, or NULL */
	const struct remedy *alt_remedy;  /* the variant offered beside it, or NULL */
	char remedy_note[400];            /* why the variant, for this kernel, or "" */
	char remedy_text[600];            /* exact lines to change, or "" */
	const char *source;               /* document title, section */
};

struct rules_result {
	enum rules_severity worst;        /* over the findings; OK when none */
	int n;
	struct rules_finding findings[RULES_MAX_FINDINGS];
	char summary[400];                /* what was judged, one line */
	bool drift_known;
	double drift_ppm;                 /* the drift judged, ppm, positive = fast */
	bool have_prediction;
	struct predict_result prediction; /* the daemon's forecast for that drift */
};

/* One rule of the table, for listing (`hvclock diagnose --list-rules`,
 * tests). */
struct rules_info {
	const char *id;
	enum rules_severity severity;     /* base severity (may escalate) */
	const char *summary;
	const char *source;
};
/* The rule table (n set to its length). */
const struct rules_info *rules_list(size_t *n);
size_t rules_count(void);

/*
 * Evaluates every rule against the environment, the measurement (NULL =
 * none: rules that need a drift stay silent) and the evidence from the
 * logs (NULL = not scanned). Findings come out worst first; a rule that
 * does not apply does not fire, so a healthy guest gets none.
 */
void rules_evaluate(const struct env *e, const struct measurement *m,
		    const struct logscan *ev, struct rules_result *out);

/* "Findings" and "Remedy" sections for people (with the exact
 * `hvclock grub --profile ID --apply` command where one applies). */
void rules_format_text(const struct rules_result *r, struct strbuf *out);
/* The result as one JSON object: worst, findings with rule ids, remedy
 * profile ids and commands, so scripts can act. */
void rules_to_json(const struct rules_result *r, struct json *j, const char *key);

#endif
