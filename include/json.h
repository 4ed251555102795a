/*
 * json.h - a small streaming JSON writer into a strbuf.
 *
 * Keys are given with every value; inside arrays pass key = NULL. Commas,
 * escaping (RFC 8259: control characters, quotes, backslash; invalid UTF-8
 * is replaced by U+FFFD so the output always parses) and indentation are
 * handled here. Non-finite doubles are written as null, since JSON has no
 * NaN. Nesting deeper than JSON_MAXDEPTH is a programming error (abort).
 */
#ifndef HV_JSON_H
#define HV_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "strbuf.h"

#define JSON_MAXDEPTH 32

struct json {
	struct strbuf *out;
	int depth;
	bool first[JSON_MAXDEPTH];
	bool pretty;
};

void json_init(struct json *j, struct strbuf *out, bool pretty);
void json_begin_object(struct json *j, const char *key);
void json_end_object(struct json *j);
void json_begin_array(struct json *j, const char *key);
void json_end_array(struct json *j);
void json_string(struct json *j, const char *key, const char *val);
/* A NULL val writes null. */
void json_string_or_null(struct json *j, const char *key, const char *val);
void json_int(struct json *j, const char *key, int64_t val);
/* %.*g with prec significant digits; NaN/inf become null. */
void json_double(struct json *j, const char *key, double val, int prec);
void json_bool(struct json *j, const char *key, bool val);
/* -1 = unknown (null), 0 = false, 1 = true. */
void json_tristate(struct json *j, const char *key, int val);
void json_null(struct json *j, const char *key);
/* Appends s as a quoted, escaped JSON string (no key handling). */
void json_quote(struct strbuf *out, const char *s);

#endif
