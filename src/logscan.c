/*
 * logscan.c - the system logs and drift files, read for timekeeping
 * evidence.
 *
 * The messages matched are the daemons' own (timekeeping.md: section 3 for
 * ntpd's "time reset"/"clock_step", "frequency error ... exceeds
 * tolerance", "set clock manually" and chronyd's reference.c/local.c/
 * sched.c lines; section 1 for Dovecot; section 2 for Postfix's
 * sane_time.c; section 6 for the kernel's clocksource watchdog).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "logscan.h"
#include "strbuf.h"
#include "sysroot.h"
#include "util.h"

static const struct {
	const char *id, *what;
	bool kernel;     /* a kernel message (also in dmesg) */
} kinds[LOGSCAN_KIND_COUNT] = {
	[LOGSCAN_NTPD_STEP] = { "ntpd-step", "ntpd stepped the clock", false },
	[LOGSCAN_NTPD_FREQ_LIMIT] = { "ntpd-freq-limit",
		"ntpd's frequency estimate hit its 500 ppm tolerance", false },
	[LOGSCAN_NTPD_PANIC] = { "ntpd-panic",
		"ntpd found the offset past its panic threshold and exited", false },
	[LOGSCAN_CHRONY_WRONG] = { "chrony-wrong", "chronyd found the clock wrong", false },
	[LOGSCAN_CHRONY_STEPPED] = { "chrony-step", "chronyd stepped the clock", false },
	[LOGSCAN_CHRONY_JUMP] = { "chrony-jump",
		"chronyd saw the clock jump backwards (stepped by something else)", false },
	[LOGSCAN_DOVECOT_FATAL] = { "dovecot-fatal",
		"Dovecot killed itself because time moved backwards", false },
	[LOGSCAN_DOVECOT_BACKWARDS] = { "dovecot-backwards",
		"Dovecot saw time move backwards", false },
	[LOGSCAN_POSTFIX_JUMP] = { "postfix-jump",
		"Postfix saw a backward time jump", false },
	[LOGSCAN_CLOCKSOURCE_UNSTABLE] = { "clocksource-unstable",
		"the kernel found its clocksource unstable", true },
	[LOGSCAN_TSC_UNSTABLE] = { "tsc-unstable", "the kernel marked the TSC unstable", true },
	[LOGSCAN_CLOCKSOURCE_SWITCH] = { "clocksource-switch",
		"the kernel switched clocksource", true },
};

const char *logscan_kind_id(enum logscan_kind k)
{
	return (unsigned)k < LOGSCAN_KIND_COUNT ? kinds[k].id : "?";
}

const char *logscan_kind_what(enum logscan_kind k)
{
	return (unsigned)k < LOGSCAN_KIND_COUNT ? kinds[k].what : "?";
}

/* The number after needle in line ("time reset " -> "-45.123456"). */
static double number_after(const char *line, const char *needle)
{
	const char *p = strstr(line, needle);
	char *end;
	double v;

	if (!p)
		return NAN;
	p += strlen(needle);
	errno = 0;
	v = strtod(p, &end);
	if (end == p || errno || !isfinite(v))
		return NAN;
	return v;
}

int logscan_match(const char *line, double *value)
{
	double v = NAN;
	int k = -1;

	if (strstr(line, "time reset ") && strstr(line, "ntpd")) {
		k = LOGSCAN_NTPD_STEP;
		v = number_after(line, "time reset ");
	} else if (strstr(line, "clock_step ") && strstr(line, "ntpd")) {
		k = LOGSCAN_NTPD_STEP;
		v = number_after(line, "clock_step ");
	} else if (strstr(line, "frequency error") && strstr(line, "exceeds tolerance")) {
		k = LOGSCAN_NTPD_FREQ_LIMIT;
		v = number_after(line, "frequency error ");
	} else if (strstr(line, "set clock manually") && strstr(line, "ntpd")) {
		k = LOGSCAN_NTPD_PANIC;
	} else if (strstr(line, "System clock wrong by ")) {
		k = LOGSCAN_CHRONY_WRONG;
		v = number_after(line, "System clock wrong by ");
	} else if (strstr(line, "System clock was stepped by ")) {
		k = LOGSCAN_CHRONY_STEPPED;
		v = number_after(line, "System clock was stepped by ");
	} else if (strstr(line, "Backward time jump detected!")) {
		k = LOGSCAN_CHRONY_JUMP;
	} else if (strstr(line, "moved backwards by ") &&
		   (strstr(line, "Time just moved backwards") ||
		    strstr(line, "Time moved backwards"))) {
		k = strstr(line, "kill myself") ? LOGSCAN_DOVECOT_FATAL :
			LOGSCAN_DOVECOT_BACKWARDS;
		v = number_after(line, "moved backwards by ");
		if (isfinite(v))
			v = -v;
	} else if (strstr(line, "backward time jump detected") &&
		   (strstr(line, "postfix") || strstr(line, "slewing clock"))) {
		k = LOGSCAN_POSTFIX_JUMP;
	} else if (strstr(line, "Marking TSC unstable") || strstr(line, "TSC found unstable")) {
		/* Marked on purpose, not found wrong: Hyper-V guests of some
		 * kernel versions, and tsc=unstable on the kernel line. */
		if (!strstr(line, "running on Hyper-V") && !strstr(line, "boot parameter"))
			k = LOGSCAN_TSC_UNSTABLE;
	} else if ((strstr(line, "Clocksource") && strstr(line, "unstable")) ||
		   strstr(line, "as unstable because the skew")) {
		k = LOGSCAN_CLOCKSOURCE_UNSTABLE;
	} else if (strstr(line, "Switched to clocksource ")) {
		k = LOGSCAN_CLOCKSOURCE_SWITCH;
	}
	if (value)
		*value = v;
	return k;
}

/* ---------------------------------------------------------- dedupe */

/* Hashes of lines already counted; open addressing, 0 = empty. */
#define SEEN_CAP 8192

struct seen {
	uint64_t *h;
	size_t n;
	bool full;
};

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h ? h : 1;
}

/* Adds key; returns true if it was there already. */
static bool seen_add(struct seen *s, const char *key, bool insert)
{
	uint64_t h = fnv(key);
	size_t i = (size_t)(h % SEEN_CAP);

	for (size_t probes = 0; probes < SEEN_CAP; probes++, i = (i + 1) % SEEN_CAP) {
		if (s->h[i] == h)
			return true;
		if (!s->h[i]) {
			/* Keep a quarter free so probing stays short; past that,
			 * count without deduplicating. */
			if (insert && s->n < SEEN_CAP * 3 / 4) {
				s->h[i] = h;
				s->n++;
			} else if (insert) {
				s->full = true;
			}
			return false;
		}
	}
	return false;
}

/* ------------------------------------------------------- line parsing */

static bool classic_date(const char *l)
{
	/* "Jan 26 10:15:01" */
	return strnlen(l, 16) >= 16 && isupper((unsigned char)l[0]) &&
	       islower((unsigned char)l[1]) && islower((unsigned char)l[2]) &&
	       l[3] == ' ' && (l[4] == ' ' || isdigit((unsigned char)l[4])) &&
	       isdigit((unsigned char)l[5]) && l[6] == ' ' && l[9] == ':' &&
	       l[12] == ':' && l[15] == ' ';
}

static bool iso_date(const char *l)
{
	/* "2024-01-03T14:32:44..." */
	return strnlen(l, 11) >= 11 && isdigit((unsigned char)l[0]) &&
	       isdigit((unsigned char)l[3]) &&
	       l[4] == '-' && l[7] == '-' && l[10] == 'T';
}

/* The date a line carries, and where its message starts (after the
 * syslog header "DATE HOST " and any "kernel: " tag). */
HV_TESTABLE const char *split_line(const char *l, char *date, size_t dlen)
{
	const char *msg = l;
	size_t n;

	date[0] = '\0';
	if (classic_date(l)) {
		snprintf(date, dlen, "%.15s", l);
		msg = l + 16;
		msg += strcspn(msg, " ");       /* host */
		msg += *msg == ' ';
	} else if (iso_date(l)) {
		n = strcspn(l, " ");
		snprintf(date, dlen, "%.*s", (int)(n < dlen - 1 ? n : dlen - 1), l);
		msg = l + n;
		msg += *msg == ' ';
		msg += strcspn(msg, " ");
		msg += *msg == ' ';
	} else if (l[0] == '[' && (n = strcspn(l, "]")) < 20 && l[n] == ']') {
		/* dmesg: "[   12.345678] ..." -> "boot+12.345678" */
		const char *t = l + 1;

		while (*t == ' ')
			t++;
		snprintf(date, dlen, "boot+%.*ss", (int)(l + n - t), t);
	}
	if (util_startswith(msg, "kernel: "))
		msg += 8;
	return msg;
}

static void keep(char *dst, size_t len, const char *line)
{
	snprintf(dst, len, "%s", line);
}

static void record(struct logscan *ls, int k, double v, const char *line,
		   const char *date)
{
	struct logscan_entry *e = &ls->kinds[k];

	if (!e->count) {
		keep(e->first_line, sizeof(e->first_line), line);
		snprintf(e->first_date, sizeof(e->first_date), "%s", date);
	}
	keep(e->last_line, sizeof(e->last_line), line);
	snprintf(e->last_date, sizeof(e->last_date), "%s", date);
	e->count++;
	if (!isfinite(v) || k == LOGSCAN_NTPD_FREQ_LIMIT)
		return;
	if (v < 0) {
		e->n_back++;
		if (-v > e->max_back_s)
			e->max_back_s = -v;
	} else if (v > 0) {
		e->n_fwd++;
		if (v > e->max_fwd_s)
			e->max_fwd_s = v;
	}
}

static void note(struct logscan *ls, const char *fmt, const char *a)
{
	if (ls->n_notes < LOGSCAN_MAX_NOTES)
		snprintf(ls->notes[ls->n_notes++], sizeof(ls->notes[0]), fmt, a);
}

struct scan_state {
	struct logscan *ls;
	struct seen full, kmsg;
};

/* Reads one log file (the last LOGSCAN_MAX_BYTES of it). */
static void scan_file(struct scan_state *st, const char *abs, bool dmesg)
{
	struct logscan *ls = st->ls;
	char err[UTIL_ERRMAX], *line, date[40];
	struct stat sb;
	FILE *f;
	long lines = 0;

	f = sysroot_fopen(abs, err);
	if (!f) {
		note(ls, "%s", err);
		return;
	}
	if (!fstat(fileno(f), &sb) && S_ISREG(sb.st_mode) &&
	    sb.st_size > (off_t)LOGSCAN_MAX_BYTES) {
		if (fseeko(f, sb.st_size - (off_t)LOGSCAN_MAX_BYTES, SEEK_SET) == 0) {
			int c;

			/* Drop the partial first line. */
			while ((c = getc(f)) != EOF && c != '\n')
				;
		}
		note(ls, "read only the last 32 MiB of '%s'", abs);
	}
	if (ls->n_files < LOGSCAN_MAX_FILES)
		snprintf(ls->files[ls->n_files++], sizeof(ls->files[0]), "%s", abs);
	line = xmalloc(LOGSCAN_MAX_LINE);
	/* Bounded by the byte cap: each round consumes at least one byte. */
	while (fgets(line, LOGSCAN_MAX_LINE, f)) {
		size_t n = strlen(line);
		const char *msg;
		double v;
		int k;

		lines++;
		if (n && line[n - 1] != '\n' && !feof(f)) {
			int c;

			/* Longer than we keep: the rest of the line goes. */
			while ((c = getc(f)) != EOF && c != '\n')
				;
		}
		line[strcspn(line, "\r\n")] = '\0';
		k = logscan_match(line, &v);
		if (k < 0)
			continue;
		msg = split_line(line, date, sizeof(date));
		if (dmesg) {
			if (!kinds[k].kernel || seen_add(&st->kmsg, msg, false))
				continue;
		} else {
			if (seen_add(&st->full, line, true))
				continue;
			if (kinds[k].kernel)
				seen_add(&st->kmsg, msg, true);
		}
		record(ls, k, v, line, date);
	}
	if (ferror(f))
		note(ls, "read error in '%s'", abs);
	free(line);
	fclose(f);
}

/* ------------------------------------------------------ file discovery */

struct logfile {
	char path[128];
	double age;     /* larger = older */
	bool dmesg;
};

struct collect {
	struct logfile *v;
	size_t n, cap;
	const char *base;
	struct logscan *ls;
	int skipped;
};

static bool compressed(const char *name)
{
	return util_endswith(name, ".gz") || util_endswith(name, ".bz2") ||
	       util_endswith(name, ".xz") || util_endswith(name, ".zst") ||
	       util_endswith(name, ".Z");
}

/* Age of a rotation from its name: "messages" 0, "messages.3" 3,
 * "messages-20240101" newer dates smaller. -1 for names that are not
 * rotations of base ("syslog-ng.conf", "mail.logger"). */
static double rotation_age(const char *name, const char *base)
{
	const char *s = name + strlen(base);
	char *end;
	long v;

	if (!*s)
		return 0;
	if (*s != '.' && *s != '-')
		return -1;
	errno = 0;
	v = strtol(s + 1, &end, 10);
	if (end == s + 1 || errno || v < 0)
		return -1;
	if (*end && strcmp(end, ".gz") && strcmp(end, ".bz2") && strcmp(end, ".xz") &&
	    strcmp(end, ".zst") && strcmp(end, ".Z"))
		return -1;
	if (*s == '-' && v >= 19700101 && v <= 29991231)
		return 1e8 - (double)v;
	return (double)v;
}

static int collect_one(const char *abs, void *arg)
{
	struct collect *c = arg;
	const char *name = strrchr(abs, '/') + 1;
	double age = rotation_age(name, c->base);
	struct stat sb;

	if (age < 0 || sysroot_stat(abs, &sb) || !S_ISREG(sb.st_mode))
		return 0;
	if (compressed(name)) {
		if (!c->skipped++)
			note(c->ls, "compressed rotations skipped (e.g. '%s')", abs);
		return 0;
	}
	if (c->n >= LOGSCAN_MAX_FILES) {
		note(c->ls, "too many log files: stopped at '%s'", abs);
		return 1;
	}
	util_grow((void **)&c->v, &c->cap, c->n + 1, sizeof(c->v[0]));
	snprintf(c->v[c->n].path, sizeof(c->v[0].path), "%s", abs);
	c->v[c->n].age = age;
	c->v[c->n].dmesg = !strcmp(c->base, "dmesg");
	c->n++;
	return 0;
}

/* syslog-family files before dmesg; within each, oldest first. */
static int logfile_cmp(const void *a, const void *b)
{
	const struct logfile *x = a, *y = b;

	if (x->dmesg != y->dmesg)
		return x->dmesg ? 1 : -1;
	if (x->age != y->age)
		return x->age > y->age ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* ---------------------------------------------------------- drift files */

static bool read_drift(const char *path, double *ppm)
{
	struct strbuf sb = STRBUF_INIT;
	char *end;
	bool ok = false;

	if (!sysroot_read_line(path, &sb, NULL)) {
		errno = 0;
		*ppm = strtod(sb.buf, &end);
		ok = end != sb.buf && !errno && isfinite(*ppm);
	}
	strbuf_release(&sb);
	return ok;
}

static void drift_files(struct logscan *ls, const char *ntp, const char *chrony)
{
	const char *ntp_paths[] = { ntp, "/var/lib/ntp/drift", "/var/lib/ntp/ntp.drift" };
	const char *chrony_paths[] = { chrony, "/var/lib/chrony/drift",
				       "/var/lib/chrony/chrony.drift" };

	for (size_t i = 0; i < UTIL_ARRAY_SIZE(ntp_paths); i++) {
		/* A configured path is the only one ntpd uses. */
		if (i > 0 && ntp && *ntp)
			break;
		if (!ntp_paths[i] || !*ntp_paths[i] || *ntp_paths[i] != '/')
			continue;
		if (read_drift(ntp_paths[i], &ls->ntp_drift_ppm)) {
			ls->ntp_drift_known = true;
			/* ntpd clamps at 500 and writes "%.3f". */
			ls->ntp_drift_at_limit = fabs(ls->ntp_drift_ppm) >= 499.999;
			snprintf(ls->ntp_drift_path, sizeof(ls->ntp_drift_path), "%s",
				 ntp_paths[i]);
			break;
		}
	}
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(chrony_paths); i++) {
		if (i > 0 && chrony && *chrony)
			break;
		if (!chrony_paths[i] || !*chrony_paths[i] || *chrony_paths[i] != '/')
			continue;
		if (read_drift(chrony_paths[i], &ls->chrony_drift_ppm)) {
			ls->chrony_drift_known = true;
			snprintf(ls->chrony_drift_path, sizeof(ls->chrony_drift_path),
				 "%s", chrony_paths[i]);
			break;
		}
	}
}

void logscan_scan(const char *ntp_driftfile, const char *chrony_driftfile,
		  struct logscan *ls)
{
	static const char *const bases[] = { "messages", "syslog", "maillog",
		"mail.log", "kern.log", "dmesg" };
	struct collect c = { NULL, 0, 0, NULL, ls, 0 };
	struct scan_state st = { ls, { NULL, 0, false }, { NULL, 0, false } };
	char err[UTIL_ERRMAX];

	memset(ls, 0, sizeof(*ls));
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(bases); i++) {
		char pat[32];

		c.base = bases[i];
		snprintf(pat, sizeof(pat), "%s*", bases[i]);
		if (sysroot_list("/var/log", pat, collect_one, &c, err) < 0) {
			note(ls, "%s", err);
			break;
		}
	}
	if (c.n)
		qsort(c.v, c.n, sizeof(c.v[0]), logfile_cmp);
	st.full.h = xcalloc(SEEN_CAP, sizeof(uint64_t));
	st.kmsg.h = xcalloc(SEEN_CAP, sizeof(uint64_t));
	for (size_t i = 0; i < c.n; i++)
		scan_file(&st, c.v[i].path, c.v[i].dmesg);
	if (st.full.full || st.kmsg.full)
		note(ls, "%s", "too many matching lines to tell duplicates apart: "
		     "counts may include lines seen in two files");
	free(st.full.h);
	free(st.kmsg.h);
	free(c.v);
	drift_files(ls, ntp_driftfile, chrony_driftfile);
}

bool logscan_any(const struct logscan *ls)
{
	for (int k = 0; k < LOGSCAN_KIND_COUNT; k++)
		if (ls->kinds[k].count)
			return true;
	return ls->ntp_drift_at_limit;
}

void logscan_describe(const struct logscan *ls, enum logscan_kind k,
		      char *buf, size_t len)
{
	const struct logscan_entry *e = &ls->kinds[k];
	struct strbuf sb = STRBUF_INIT;

	buf[0] = '\0';
	if ((unsigned)k >= LOGSCAN_KIND_COUNT || !e->count)
		return;
	strbuf_addf(&sb, "%s: %d time%s", kinds[k].what, e->count,
		    e->count == 1 ? "" : "s");
	/* A range only between dates of one kind: dmesg's "boot+N s" and
	 * syslog's wall-clock dates do not order against each other. */
	if (*e->first_date && e->count > 1 && strcmp(e->first_date, e->last_date) &&
	    util_startswith(e->first_date, "boot+") == util_startswith(e->last_date, "boot+"))
		strbuf_addf(&sb, " (%s .. %s)", e->first_date, e->last_date);
	else if (*e->first_date && e->count == 1)
		strbuf_addf(&sb, " (%s)", e->first_date);
	if (e->n_back)
		strbuf_addf(&sb, ", %d backward, largest %.3g s", e->n_back, e->max_back_s);
	if (e->n_fwd)
		strbuf_addf(&sb, ", %d forward, largest %.3g s", e->n_fwd, e->max_fwd_s);
	{
		char date[40];

		/* The date is shown already: quote the message itself. */
		strbuf_addf(&sb, "; e.g. \"%s\"", split_line(e->last_line, date, sizeof(date)));
	}
	snprintf(buf, len, "%s", sb.buf);
	strbuf_release(&sb);
}

void logscan_to_json(const struct logscan *ls, struct json *j, const char *key)
{
	json_begin_object(j, key);
	json_begin_array(j, "files");
	for (int i = 0; i < ls->n_files; i++)
		json_string(j, NULL, ls->files[i]);
	json_end_array(j);
	json_begin_array(j, "notes");
	for (int i = 0; i < ls->n_notes; i++)
		json_string(j, NULL, ls->notes[i]);
	json_end_array(j);
	json_begin_object(j, "messages");
	for (int k = 0; k < LOGSCAN_KIND_COUNT; k++) {
		const struct logscan_entry *e = &ls->kinds[k];

		if (!e->count)
			continue;
		json_begin_object(j, kinds[k].id);
		json_int(j, "count", e->count);
		json_string(j, "first_date", e->first_date);
		json_string(j, "last_date", e->last_date);
		json_string(j, "first_line", e->first_line);
		json_string(j, "last_line", e->last_line);
		json_int(j, "backward", e->n_back);
		json_int(j, "forward", e->n_fwd);
		json_double(j, "max_backward_s", e->max_back_s, 6);
		json_double(j, "max_forward_s", e->max_fwd_s, 6);
		json_end_object(j);
	}
	json_end_object(j);
	json_begin_object(j, "ntp_drift");
	json_bool(j, "known", ls->ntp_drift_known);
	if (ls->ntp_drift_known) {
		json_string(j, "path", ls->ntp_drift_path);
		json_double(j, "ppm", ls->ntp_drift_ppm, 6);
		json_bool(j, "at_limit", ls->ntp_drift_at_limit);
	}
	json_end_object(j);
	json_begin_object(j, "chrony_drift");
	json_bool(j, "known", ls->chrony_drift_known);
	if (ls->chrony_drift_known) {
		json_string(j, "path", ls->chrony_drift_path);
		json_double(j, "ppm", ls->chrony_drift_ppm, 6);
	}
	json_end_object(j);
	json_end_object(j);
}
