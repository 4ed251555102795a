/*
 * prom.c - Prometheus text exposition format, writer and sample finder.
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prom.h"
#include "util.h"

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == ':' || (!first && c >= '0' && c <= '9');
}

bool prom_valid_name(const char *s)
{
	if (!s || !*s)
		return false;
	for (const char *p = s; *p; p++)
		if (!name_char(*p, p == s))
			return false;
	return true;
}

static bool valid_label_name(const char *s)
{
	/* Label names have no ':' and "__" is reserved. */
	return prom_valid_name(s) && !strchr(s, ':') && strncmp(s, "__", 2);
}

/*
 * Text as the format wants it: backslash and newline escaped (and the
 * double quote in a label value). The format is UTF-8 and node_exporter
 * refuses a whole textfile over one label value that is not, so a byte
 * that does not start a valid UTF-8 sequence is written as '?'.
 */
static void add_escaped(struct strbuf *out, const char *s, bool label)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = util_utf8_len(p);

		if (!n) {
			strbuf_addch(out, '?');
			n = 1;
		} else if (*p == '\\' || (label && *p == '"')) {
			strbuf_addch(out, '\\');
			strbuf_addch(out, (char)*p);
		} else if (*p == '\n') {
			strbuf_addstr(out, "\\n");
		} else {
			strbuf_add(out, (const char *)p, n);
		}
		p += n;
	}
}

void prom_family(struct strbuf *out, const char *name, const char *type,
		 const char *help)
{
	assert(prom_valid_name(name));
	strbuf_addf(out, "# HELP %s ", name);
	add_escaped(out, help, false);
	strbuf_addf(out, "\n# TYPE %s %s\n", name, type);
}

/* Shortest of %.15g / %.17g that reads back as the same double. */
static void add_value(struct strbuf *out, double v)
{
	char buf[40];

	if (isnan(v)) {
		strbuf_addstr(out, "NaN");
		return;
	}
	if (isinf(v)) {
		strbuf_addstr(out, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	snprintf(buf, sizeof(buf), "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, sizeof(buf), "%.17g", v);
	strbuf_addstr(out, buf);
}

void prom_sample(struct strbuf *out, const char *name,
		 const char *const *labels, double value)
{
	assert(prom_valid_name(name));
	strbuf_addstr(out, name);
	if (labels && labels[0]) {
		strbuf_addch(out, '{');
		for (size_t i = 0; labels[i]; i += 2) {
			assert(valid_label_name(labels[i]) && labels[i + 1]);
			strbuf_addf(out, "%s%s=\"", i ? "," : "", labels[i]);
			add_escaped(out, labels[i + 1], true);
			strbuf_addch(out, '"');
		}
		strbuf_addch(out, '}');
	}
	strbuf_addch(out, ' ');
	add_value(out, value);
	strbuf_addch(out, '\n');
}

/* ------------------------------------------------------------- reading */

#define MAX_LABELS 16

struct parsed {
	int n;
	char name[MAX_LABELS][64];
	char value[MAX_LABELS][256];
};

/* Parses {a="x",b="y"} at *pp (after the '{'); false when malformed. */
static bool parse_labels(const char **pp, const char *end, struct parsed *pl)
{
	const char *p = *pp;

	pl->n = 0;
	for (;;) {
		size_t k = 0, v = 0;

		while (p < end && (*p == ' ' || *p == ','))
			p++;
		if (p < end && *p == '}') {
			*pp = p + 1;
			return true;
		}
		if (pl->n == MAX_LABELS)
			return false;
		while (p < end && name_char(*p, k == 0) && k < 63)
			pl->name[pl->n][k++] = *p++;
		pl->name[pl->n][k] = 0;
		if (!k || p + 1 >= end || p[0] != '=' || p[1] != '"')
			return false;
		for (p += 2; p < end && *p != '"'; p++) {
			char c = *p;

			if (c == '\\') {
				if (++p == end)
					return false;
				c = *p == 'n' ? '\n' : *p;
			}
			if (v == 255)
				return false;
			pl->value[pl->n][v++] = c;
		}
		if (p == end)
			return false;
		pl->value[pl->n][v] = 0;
		p++; /* closing quote */
		pl->n++;
	}
}

static bool labels_match(const struct parsed *pl, const char *const *want)
{
	int nwant = 0;

	for (size_t i = 0; want && want[i]; i += 2) {
		bool found = false;

		nwant++;
		for (int k = 0; k < pl->n && !found; k++)
			found = !strcmp(pl->name[k], want[i]) &&
				!strcmp(pl->value[k], want[i + 1]);
		if (!found)
			return false;
	}
	return nwant == pl->n;
}

bool prom_find(const char *text, const char *name,
	       const char *const *labels, double *value)
{
	size_t nlen = strlen(name);
	const char *line = text;
	struct parsed *pl = xmalloc(sizeof(*pl));
	bool found = false;

	while (!found && line && *line) {
		const char *end = strchr(line, '\n');
		const char *p = line;

		if (!end)
			end = line + strlen(line);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p < end && *p != '#' && (size_t)(end - p) > nlen &&
		    !memcmp(p, name, nlen) && !name_char(p[nlen], false)) {
			bool ok = true;

			p += nlen;
			pl->n = 0;
			if (*p == '{') {
				p++;
				ok = parse_labels(&p, end, pl);
			}
			if (ok && labels_match(pl, labels)) {
				char buf[64];
				size_t n;
				char *e;

				while (p < end && (*p == ' ' || *p == '\t'))
					p++;
				n = strcspn(p, " \t\n");
				if (n && n < sizeof(buf)) {
					memcpy(buf, p, n);
					buf[n] = 0;
					*value = strtod(buf, &e);
					found = *e == 0;
				}
			}
		}
		line = *end ? end + 1 : NULL;
	}
	free(pl);
	return found;
}
