/*
 * prom.h - the Prometheus text exposition format (version 0.0.4), as read
 * by node_exporter's textfile collector: "# HELP", "# TYPE", then samples
 * "name{label="value"} number".
 *
 * Writing escapes what the format requires (HELP: backslash and newline;
 * label values: backslash, double quote and newline) and checks names,
 * so a bad name is our bug (assert), never a broken file. Reading finds
 * one sample's value again: hvclock log keeps its counters (steps seen so
 * far) in the .prom file it wrote last time.
 */
#ifndef HV_PROM_H
#define HV_PROM_H

#include <stdbool.h>

#include "strbuf.h"

/* Whether s is a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*). */
bool prom_valid_name(const char *s);

/* Writes the HELP and TYPE lines of a family ("gauge", "counter"...). */
void prom_family(struct strbuf *out, const char *name, const char *type,
		 const char *help);
/*
 * Writes one sample. labels: NULL-terminated name/value pairs, or NULL
 * for none ({"direction", "backward", NULL}). NaN and infinities are
 * written as NaN, +Inf, -Inf.
 */
void prom_sample(struct strbuf *out, const char *name,
		 const char *const *labels, double value);

/*
 * Finds the value of sample name{labels} (labels as above; the sample's
 * labels must match exactly, in any order) in a text in the exposition
 * format. Returns true and sets *value when found; malformed lines are
 * skipped.
 */
bool prom_find(const char *text, const char *name,
	       const char *const *labels, double *value);

#endif
