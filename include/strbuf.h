/*
 * strbuf.h - growable byte buffers, always NUL-terminated (after git's).
 *
 * A strbuf may hold NUL bytes (len counts them); buf[len] is always 0, so
 * text can be passed to C string functions directly. STRBUF_INIT is a valid
 * empty buffer that owns no memory.
 */
#ifndef HV_STRBUF_H
#define HV_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
};

extern char strbuf_empty[];
#define STRBUF_INIT { strbuf_empty, 0, 0 }

void strbuf_init(struct strbuf *sb);
/* Frees the memory and leaves an empty buffer. */
void strbuf_release(struct strbuf *sb);
/* Hands the string to the caller (who frees it) and leaves an empty buffer. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_reset(struct strbuf *sb);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_setlen(struct strbuf *sb, size_t len);
void strbuf_add(struct strbuf *sb, const void *data, size_t n);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* Removes trailing blanks (space, tab, CR, LF). */
void strbuf_rtrim(struct strbuf *sb);

#endif
