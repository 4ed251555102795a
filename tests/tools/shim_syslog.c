/*
 * shim_syslog.c - LD_PRELOAD shim that sends syslog(3) lines to the file
 * named by SHIM_SYSLOG_FILE instead of /dev/log, as "PRIORITY IDENT: MSG",
 * so tests can check what hvclock logs without a syslog daemon.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

static char ident[64] = "?";

void openlog(const char *id, int option, int facility)
{
	(void)option;
	(void)facility;
	snprintf(ident, sizeof(ident), "%s", id ? id : "?");
}

void closelog(void)
{
}

void vsyslog(int pri, const char *fmt, va_list ap)
{
	const char *path = getenv("SHIM_SYSLOG_FILE");
	FILE *f;

	if (!path || !(f = fopen(path, "a")))
		return;
	fprintf(f, "%d %s: ", pri & LOG_PRIMASK, ident);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	fclose(f);
}

void syslog(int pri, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsyslog(pri, fmt, ap);
	va_end(ap);
}

/* What glibc's fortified headers turn syslog() into. */
void __syslog_chk(int pri, int flag, const char *fmt, ...);
void __syslog_chk(int pri, int flag, const char *fmt, ...)
{
	va_list ap;

	(void)flag;
	va_start(ap, fmt);
	vsyslog(pri, fmt, ap);
	va_end(ap);
}
