/*
 * envfmt.h - renderings of the environment model: the aligned text report
 * of `hvclock env`, the short summary that heads `hvclock diagnose`, and
 * the JSON object (schema in README.md, "env").
 */
#ifndef HV_ENVFMT_H
#define HV_ENVFMT_H

#include "env.h"
#include "json.h"
#include "strbuf.h"

/* The full report, each fact with its evidence; fits 80 columns. */
void envfmt_text(const struct env *e, struct strbuf *out);
/* Four or five lines: hypervisor, kernel, clocksource, daemon, distro. */
void envfmt_summary(const struct env *e, struct strbuf *out);
/* The whole model as one JSON object under key (NULL inside arrays). */
void envfmt_json(const struct env *e, struct json *j, const char *key);

#endif
