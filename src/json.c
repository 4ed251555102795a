/*
 * json.c - streaming JSON writer.
 *
 * Strings come from files we do not control (DMI, boot logs, config files),
 * so the writer, not the caller, guarantees the output is valid JSON.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "util.h"

void json_init(struct json *j, struct strbuf *out, bool pretty)
{
	j->out = out;
	j->depth = 0;
	j->first[0] = true;
	j->pretty = pretty;
}

static void indent(struct json *j)
{
	if (!j->pretty)
		return;
	strbuf_addch(j->out, '\n');
	for (int i = 0; i < j->depth; i++)
		strbuf_addstr(j->out, "  ");
}

void json_quote(struct strbuf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	strbuf_addch(out, '"');
	while (*p) {
		size_t n;

		switch (*p) {
		case '"': strbuf_addstr(out, "\\\""); p++; continue;
		case '\\': strbuf_addstr(out, "\\\\"); p++; continue;
		case '\n': strbuf_addstr(out, "\\n"); p++; continue;
		case '\r': strbuf_addstr(out, "\\r"); p++; continue;
		case '\t': strbuf_addstr(out, "\\t"); p++; continue;
		default: break;
		}
		if (*p < 0x20 || *p == 0x7f) {
			strbuf_addf(out, "\\u%04x", *p);
			p++;
			continue;
		}
		n = util_utf8_len(p);
		if (!n) {
			strbuf_addstr(out, "\\ufffd");
			p++;
			continue;
		}
		strbuf_add(out, p, n);
		p += n;
	}
	strbuf_addch(out, '"');
}

static void key(struct json *j, const char *k)
{
	if (!j->first[j->depth])
		strbuf_addch(j->out, ',');
	j->first[j->depth] = false;
	if (j->depth)
		indent(j);
	if (k) {
		json_quote(j->out, k);
		strbuf_addstr(j->out, j->pretty ? ": " : ":");
	}
}

static void open_(struct json *j, const char *k, char c)
{
	key(j, k);
	strbuf_addch(j->out, c);
	if (++j->depth >= JSON_MAXDEPTH)
		abort();
	j->first[j->depth] = true;
}

static void close_(struct json *j, char c)
{
	bool empty = j->first[j->depth];

	if (j->depth <= 0)
		abort();
	j->depth--;
	if (!empty)
		indent(j);
	strbuf_addch(j->out, c);
	if (!j->depth && j->pretty)
		strbuf_addch(j->out, '\n');
}

void json_begin_object(struct json *j, const char *k) { open_(j, k, '{'); }
void json_end_object(struct json *j) { close_(j, '}'); }
void json_begin_array(struct json *j, const char *k) { open_(j, k, '['); }
void json_end_array(struct json *j) { close_(j, ']'); }

void json_string(struct json *j, const char *k, const char *val)
{
	key(j, k);
	json_quote(j->out, val);
}

void json_string_or_null(struct json *j, const char *k, const char *val)
{
	if (val)
		json_string(j, k, val);
	else
		json_null(j, k);
}

void json_int(struct json *j, const char *k, int64_t val)
{
	key(j, k);
	strbuf_addf(j->out, "%lld", (long long)val);
}

void json_double(struct json *j, const char *k, double val, int prec)
{
	char buf[64];

	if (!isfinite(val)) {
		json_null(j, k);
		return;
	}
	key(j, k);
	snprintf(buf, sizeof(buf), "%.*g", prec, val);
	strbuf_addstr(j->out, buf);
}

void json_bool(struct json *j, const char *k, bool val)
{
	key(j, k);
	strbuf_addstr(j->out, val ? "true" : "false");
}

void json_tristate(struct json *j, const char *k, int val)
{
	if (val < 0)
		json_null(j, k);
	else
		json_bool(j, k, val != 0);
}

void json_null(struct json *j, const char *k)
{
	key(j, k);
	strbuf_addstr(j->out, "null");
}
