/*
 * env.c - the environment probe.
 *
 * Each probe_* function fills one part of struct env and records, for
 * every fact, where it came from or why it is unknown. Nothing here fails:
 * a guest with half its /sys missing (a 2.6.18 kernel) or a fixture with
 * garbage in it still gets a full report.
 *
 * Under a sysroot, sources that only exist on the live machine (CPUID,
 * adjtimex, running programs for their --version) are reported as "not
 * available under sysroot" and never mixed in.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bootargs.h"
#include "cpuprobe.h"
#include "env.h"
#include "strbuf.h"
#include "sysroot.h"
#include "util.h"

#define NOT_UNDER_SYSROOT "not available under sysroot"
/* Bytes of a system log scanned for kernel messages. */
#define KLOG_MAX (16u << 20)

extern char **environ;

/* ---------------------------------------------------------------- facts */

static void fact_set(struct env_fact *f, const char *value, const char *source)
{
	f->known = true;
	snprintf(f->value, sizeof(f->value), "%s", value);
	snprintf(f->source, sizeof(f->source), "%s", source);
	util_sanitize(f->value);
	util_sanitize(f->source);
	f->why[0] = '\0';
}

static void fact_unknown(struct env_fact *f, const char *why)
{
	f->known = false;
	f->value[0] = '\0';
	snprintf(f->why, sizeof(f->why), "%s", why);
	util_sanitize(f->why);
}

static void flag_set(struct env_flag *f, int value, const char *source)
{
	f->value = value;
	snprintf(f->source, sizeof(f->source), "%s", source);
}

/* Reads a one-line sysfs/proc file into a fact. */
static bool read_fact(struct env_fact *f, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char err[UTIL_ERRMAX];
	bool ok = !sysroot_read_line(path, &sb, err);

	if (ok && !sb.len) {
		snprintf(err, sizeof(err), "'%s' is empty", path);
		ok = false;
	}
	if (ok)
		fact_set(f, sb.buf, path);
	else
		fact_unknown(f, err);
	strbuf_release(&sb);
	return ok;
}

static void add_evidence(struct env *e, const char *source, enum hv_vendor says,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void add_evidence(struct env *e, const char *source, enum hv_vendor says,
			 const char *fmt, ...)
{
	struct hv_evidence *ev;
	va_list ap;

	if (e->n_hv_evidence >= ENV_MAX_EVIDENCE)
		return;
	ev = &e->hv_evidence[e->n_hv_evidence++];
	snprintf(ev->source, sizeof(ev->source), "%s", source);
	ev->says = says;
	va_start(ap, fmt);
	vsnprintf(ev->detail, sizeof(ev->detail), fmt, ap);
	va_end(ap);
	util_sanitize(ev->detail);
}

/* --------------------------------------------------------------- kernel */

static void probe_kernel(struct env *e)
{
	struct strbuf sb = STRBUF_INIT;
	char err[UTIL_ERRMAX];
	struct bootarg *args = NULL;
	size_t n = 0;

	if (read_fact(&e->kernel_release, "/proc/sys/kernel/osrelease") &&
	    kver_parse(e->kernel_release.value, &e->kver, err))
		fact_unknown(&e->kernel_release, err);

	if (sysroot_read("/proc/cmdline", 64 * 1024, &sb, err)) {
		fact_unknown(&e->cmdline, err);
		goto out;
	}
	strbuf_rtrim(&sb);
	if (memchr(sb.buf, '\0', sb.len)) {
		fact_unknown(&e->cmdline, "cannot parse '/proc/cmdline': NUL byte");
		goto out;
	}
	fact_set(&e->cmdline, sb.buf, "/proc/cmdline");
	if (bootargs_split(sb.buf, sb.len, &args, &n, NULL, err)) {
		fact_unknown(&e->cmdline, err);
		goto out;
	}
	for (size_t i = 0; i < n && e->n_time_args < ENV_MAX_TIME_ARGS; i++) {
		struct env_bootarg *a = &e->time_args[e->n_time_args];
		const char *s = sb.buf + args[i].start;

		snprintf(a->key, sizeof(a->key), "%.*s", (int)args[i].keylen, s);
		if (!bootargs_is_time_related(a->key))
			continue;
		a->has_value = args[i].has_value;
		if (a->has_value)
			snprintf(a->value, sizeof(a->value), "%.*s",
				 (int)(args[i].len - args[i].keylen - 1),
				 s + args[i].keylen + 1);
		e->n_time_args++;
	}
out:
	free(args);
	strbuf_release(&sb);
}

const struct env_bootarg *env_time_arg(const struct env *e, const char *key)
{
	const struct env_bootarg *found = NULL;

	for (int i = 0; i < e->n_time_args; i++) {
		struct bootarg b = { 0, strlen(e->time_args[i].key),
				     strlen(e->time_args[i].key), false };

		if (bootargs_key_is(e->time_args[i].key, &b, key))
			found = &e->time_args[i]; /* the kernel takes the last */
	}
	return found;
}

/* ------------------------------------------------------------------ CPU */

/* Whether the blank-separated flag list holds flag. */
HV_TESTABLE bool has_flag(const char *flags, const char *flag)
{
	size_t n = strlen(flag);

	for (const char *p = flags; (p = strstr(p, flag)); p += n)
		if ((p == flags || isspace((unsigned char)p[-1])) &&
		    (!p[n] || isspace((unsigned char)p[n])))
			return true;
	return false;
}

/* The value of the first "KEY<blanks>: value" line of cpuinfo text. */
static bool cpuinfo_value(const char *buf, const char *key, char *out, size_t n)
{
	size_t kl = strlen(key);

	for (const char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *q = p + kl, *e;

		if (strncmp(p, key, kl))
			continue;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q != ':')
			continue;
		e = strchr(++q, '\n');
		while (*q == ' ' || *q == '\t')
			q++;
		snprintf(out, n, "%.*s", (int)(e ? (size_t)(e - q) : strlen(q)), q);
		util_trim(out); /* the trailing blanks */
		return out[0] != '\0';
	}
	return false;
}

static void probe_cpu(struct env *e)
{
	struct strbuf sb = STRBUF_INIT;
	char err[UTIL_ERRMAX];
	const char *flags = NULL;
	struct env_flag *cpuinfo_flags[] = { &e->tsc, &e->constant_tsc,
		&e->nonstop_tsc, &e->tsc_reliable, &e->tsc_known_freq,
		&e->hypervisor_flag };
	static const char *const names[] = { "tsc", "constant_tsc",
		"nonstop_tsc", "tsc_reliable", "tsc_known_freq", "hypervisor" };
	struct cpuprobe cp;

	for (size_t i = 0; i < UTIL_ARRAY_SIZE(cpuinfo_flags); i++)
		flag_set(cpuinfo_flags[i], -1, "");
	if (!sysroot_read("/proc/cpuinfo", SYSROOT_READ_MAX, &sb, err)) {
		char *line, v[256];

		/*
		 * The first CPU's model name stands in for libcpuid's brand
		 * string under a sysroot, or where libcpuid cannot be loaded.
		 */
		if (cpuinfo_value(sb.buf, "vendor_id", v, sizeof(v)))
			fact_set(&e->cpu_vendor, v, "/proc/cpuinfo");
		if (cpuinfo_value(sb.buf, "model name", v, sizeof(v)))
			fact_set(&e->cpu_brand, v, "/proc/cpuinfo");
		line = util_startswith(sb.buf, "flags") ? sb.buf : strstr(sb.buf, "\nflags");
		if (line) {
			char *colon = strchr(line, ':');
			char *nl = colon ? strchr(colon, '\n') : NULL;

			if (nl)
				*nl = '\0';
			flags = colon ? colon + 1 : NULL;
		}
		if (flags)
			for (size_t i = 0; i < UTIL_ARRAY_SIZE(names); i++)
				flag_set(cpuinfo_flags[i], has_flag(flags, names[i]),
					 "/proc/cpuinfo");
	}
	strbuf_release(&sb);
	if (!e->live) {
		if (!e->cpu_vendor.known)
			fact_unknown(&e->cpu_vendor, NOT_UNDER_SYSROOT " (CPUID) and not in /proc/cpuinfo");
		if (!e->cpu_brand.known)
			fact_unknown(&e->cpu_brand, NOT_UNDER_SYSROOT " (CPUID) and not in /proc/cpuinfo");
		fact_unknown(&e->cpuid_signature, NOT_UNDER_SYSROOT " (CPUID)");
		return;
	}

	cpuprobe_read(&cp);
	if (!cp.ok) {
		if (!e->cpu_vendor.known)
			fact_unknown(&e->cpu_vendor, cp.why);
		if (!e->cpu_brand.known)
			fact_unknown(&e->cpu_brand, cp.why);
		fact_unknown(&e->cpuid_signature, cp.why);
		return;
	}
	fact_set(&e->cpu_vendor, cp.vendor, "libcpuid");
	fact_set(&e->cpu_brand, cp.brand, "libcpuid");
	/* CPUID is the authority for the CPU's own features. */
	if (cp.invariant_tsc >= 0)
		flag_set(&e->nonstop_tsc, cp.invariant_tsc, "cpuid 0x80000007 edx[8]");
	if (e->tsc.value < 0)
		flag_set(&e->tsc, cp.tsc, "libcpuid");
	if (e->constant_tsc.value < 0)
		flag_set(&e->constant_tsc, cp.constant_tsc, "libcpuid");
	if (cp.hypervisor_bit == 0)
		add_evidence(e, "cpuid leaf 1", HV_NONE,
			     "hypervisor-present bit (ecx[31]) clear");
	if (cp.hv_leaf) {
		char sig[13];

		/* Show NULs as blanks ("KVMKVMKVM\0\0\0"). */
		for (int i = 0; i < 12; i++)
			sig[i] = isprint((unsigned char)cp.hv_signature[i]) ?
				cp.hv_signature[i] : ' ';
		sig[12] = '\0';
		fact_set(&e->cpuid_signature, sig, "cpuid 0x40000000");
		add_evidence(e, "cpuid 0x40000000",
			     hypervisor_from_cpuid_signature(cp.hv_signature),
			     "signature '%s', max leaf 0x%x%s", sig, cp.hv_max_leaf,
			     cp.hyperv_features_ok ?
			     ((cp.hyperv_features & CPUPROBE_HV_REFERENCE_TSC) ?
			      ", reference TSC page offered" :
			      ", no reference TSC page") : "");
		add_evidence(e, "libcpuid", hypervisor_from_id(
				     !strcmp(cp.libcpuid_hv, "none") ? "unknown" :
				     cp.libcpuid_hv),
			     "cpuid_get_hypervisor() says %s", cp.libcpuid_hv);
	} else {
		fact_unknown(&e->cpuid_signature, "no hypervisor-present bit");
	}
}

/* ----------------------------------------------------------- kernel log */

struct hint_def {
	const char *id, *what;
	const char *needles[3];
};

static const struct hint_def hint_defs[] = {
	{ "clocksource-unstable", "the kernel found a clocksource unstable",
	  { "unstable (delta", "as unstable because the skew", "Clocksource unstable" } },
	{ "tsc-unstable", "the TSC was marked unstable",
	  { "Marking TSC unstable", "TSC found unstable", NULL } },
	{ "clocksource-switch", "the kernel switched clocksource",
	  { "Switched to clocksource", NULL, NULL } },
	{ "lost-ticks", "timer ticks were lost (tick-counting guest under load)",
	  { "Losing some ticks", "Losing too many ticks", "many lost ticks" } },
	{ "hv-timesync", "Hyper-V time synchronization service is active",
	  { "TimeSync IC version", NULL, NULL } },
	{ "hypervisor-detected", "the kernel identified the hypervisor",
	  { "Hypervisor detected:", NULL, NULL } },
	{ "clock-deprecated", "the obsolete clock= boot option was used",
	  { "clock= boot option is deprecated", NULL, NULL } },
	{ "gtod-timer", "x86_64 2.6.18 time source (vxtime)",
	  { "time.c: Using", NULL, NULL } },
	{ "watchdog-skew", "the clocksource watchdog measured a skew",
	  { "timekeeping watchdog on CPU", "skewed", NULL } },
	{ "kvm-clock", "kvm-clock paravirtual clock in use",
	  { "kvm-clock: Using msrs", "kvm-clock: cpu", NULL } },
	{ "time-jump", "the clock was stepped while running",
	  { "Time has been changed", "clock: time jumped", NULL } },
};

static void hint_add(struct env *e, const struct hint_def *d, const char *line)
{
	struct env_hint *h = NULL;

	for (int i = 0; i < e->n_hints; i++)
		if (!strcmp(e->hints[i].id, d->id))
			h = &e->hints[i];
	if (!h) {
		if (e->n_hints >= ENV_MAX_HINTS)
			return;
		h = &e->hints[e->n_hints++];
		snprintf(h->id, sizeof(h->id), "%s", d->id);
		snprintf(h->what, sizeof(h->what), "%s", d->what);
		snprintf(h->first, sizeof(h->first), "%s", line);
		util_sanitize(h->first);
	}
	h->count++;
}


/* What the kernel log told so far. */
struct klog_state {
	bool boot_seen;            /* a "Linux version" line */
	char gtod[200];            /* x86_64 2.6.18 "time.c: Using ..." line */
	char switched[64];         /* last "Switched to clocksource X" */
	bool hv_detected;
};

static void klog_line(struct env *e, struct klog_state *st, const char *line,
		      const char *source)
{
	const char *p;

	/* Drop the "[    0.000000] " timestamp if there is one. */
	if (line[0] == '[' && (p = strchr(line, ']')) && p - line < 20)
		line = p + 1 + (p[1] == ' ');
	if (util_startswith(line, "Linux version"))
		st->boot_seen = true;
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(hint_defs); i++)
		for (int k = 0; k < 3 && hint_defs[i].needles[k]; k++)
			if (strstr(line, hint_defs[i].needles[k])) {
				hint_add(e, &hint_defs[i], line);
				break;
			}
	if ((p = strstr(line, "Hypervisor detected: "))) {
		char name[64];

		snprintf(name, sizeof(name), "%s", p + 21);
		util_trim(name);
		if (!st->hv_detected)
			add_evidence(e, "kernel log", hypervisor_from_klog_name(name),
				     "'Hypervisor detected: %s' (%s)", name, source);
		st->hv_detected = true;
	} else if (strstr(line, "HyperV: features") ||
		   strstr(line, "Hyper-V: features") ||
		   strstr(line, "Hyper-V Host Build")) {
		if (!st->hv_detected)
			add_evidence(e, "kernel log", HV_HYPERV, "'%.100s'", line);
		st->hv_detected = true;
	} else if (strstr(line, "Booting paravirtualized kernel on KVM")) {
		if (!st->hv_detected)
			add_evidence(e, "kernel log", HV_KVM, "'%.100s'", line);
		st->hv_detected = true;
	}
	if ((p = strstr(line, "time.c: Using ")) && strstr(p, "GTOD"))
		snprintf(st->gtod, sizeof(st->gtod), "%s", p);
	if ((p = strstr(line, "Switched to clocksource "))) {
		snprintf(st->switched, sizeof(st->switched), "%s", p + 24);
		util_trim(st->switched);
	}
}

HV_TESTABLE void klog_text(struct env *e, const char *text, const char *source)
{
	struct klog_state st = { 0 };
	char line[2048];

	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) ? n : sizeof(line) - 1), p);
		klog_line(e, &st, line, source);
		p = nl ? nl + 1 : NULL;
	}
}

/* /dev/kmsg: one record per read(), "pri,seq,usec,flags;text". */
static int read_kmsg(struct env *e, struct klog_state *st, char *err)
{
	char rec[8192];
	int fd = sysroot_open("/dev/kmsg", O_NONBLOCK, err);
	int lines = 0;

	if (fd < 0)
		return -1;
	/* Bounded: the ring buffer holds at most a few hundred thousand. */
	for (int i = 0; i < 500000; i++) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		char *text, *nl;

		if (n < 0 && errno == EPIPE)
			continue; /* overwritten while we read: skip ahead */
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		text = strchr(rec, ';');
		if (!text)
			continue;
		text++;
		if ((nl = strchr(text, '\n')))
			*nl = '\0';
		klog_line(e, st, text, "/dev/kmsg");
		lines++;
	}
	if (!lines && errno != EAGAIN && errno != 0) {
		util_errno(err, errno, "cannot read '/dev/kmsg'");
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * A saved log file. In syslog files only kernel lines count; their text
 * follows "kernel: ".
 */
static int read_klog_file(struct env *e, struct klog_state *st, const char *path,
			  bool syslog_format, char *err)
{
	FILE *f = sysroot_fopen(path, err);
	char line[2048];
	size_t total = 0;

	if (!f)
		return -1;
	while (total < KLOG_MAX && fgets(line, sizeof(line), f)) {
		const char *text = line;

		total += strlen(line);
		line[strcspn(line, "\n")] = '\0';
		if (syslog_format) {
			const char *k = strstr(line, " kernel: ");
			if (!k)
				continue;
			text = k + 9;
		}
		klog_line(e, st, text, path);
	}
	fclose(f);
	return 0;
}

static void probe_klog(struct env *e, struct klog_state *st)
{
	char err[UTIL_ERRMAX], kmsg_err[UTIL_ERRMAX] = "";
	struct strbuf src = STRBUF_INIT;

	if (e->live) {
		if (!read_kmsg(e, st, kmsg_err))
			strbuf_addstr(&src, "/dev/kmsg");
	}
	/*
	 * The ring buffer may have wrapped since boot (or be unreadable without
	 * root); RHEL saves the boot messages in /var/log/dmesg.
	 */
	if (!st->boot_seen && !read_klog_file(e, st, "/var/log/dmesg", false, err))
		strbuf_addf(&src, "%s/var/log/dmesg", src.len ? ", " : "");
	if (!src.len && !read_klog_file(e, st, "/var/log/messages", true, err))
		strbuf_addstr(&src, "/var/log/messages");
	if (src.len)
		fact_set(&e->klog, src.buf, src.buf);
	else
		fact_unknown(&e->klog, kmsg_err[0] ? kmsg_err :
			     "no kernel log: /var/log/dmesg and /var/log/messages missing");
	strbuf_release(&src);
}

/* ---------------------------------------------------------- clocksource */

/* "time.c: Using 1861.998 MHz WALL PIT GTOD PIT/TSC timer." -> "tsc". */
HV_TESTABLE const char *gtod_clocksource(const char *line)
{
	const char *g = strstr(line, "GTOD ");
	char what[32];

	if (!g)
		return NULL;
	snprintf(what, sizeof(what), "%s", g + 5);
	what[strcspn(what, " ")] = '\0';
	/* PIT/TSC and HPET/TSC: gettimeofday interpolates with the TSC. */
	if (strstr(what, "TSC"))
		return "tsc";
	if (strstr(what, "HPET"))
		return "hpet";
	if (strstr(what, "PM"))
		return "acpi_pm";
	if (strstr(what, "PIT"))
		return "pit";
	return NULL;
}

static void probe_clocksource(struct env *e, const struct klog_state *st)
{
	const char *cur = "/sys/devices/system/clocksource/clocksource0/current_clocksource";
	const char *avail = "/sys/devices/system/clocksource/clocksource0/available_clocksource";
	char src[160];

	read_fact(&e->clocksources_available, avail);
	if (read_fact(&e->clocksource, cur))
		return;
	/* x86_64 2.6.18 keeps time with vxtime and has no clocksource sysfs. */
	if (st->gtod[0] && gtod_clocksource(st->gtod)) {
		snprintf(src, sizeof(src), "boot log: %.110s", st->gtod);
		fact_set(&e->clocksource, gtod_clocksource(st->gtod), src);
		if (!e->clocksources_available.known)
			fact_unknown(&e->clocksources_available,
				     "kernel has no clocksource sysfs (x86_64 2.6.18 vxtime)");
	} else if (st->switched[0]) {
		fact_set(&e->clocksource, st->switched,
			 "boot log: last 'Switched to clocksource'");
	}
}

/* ------------------------------------------------------------- adjtimex */

static void probe_kstate(struct env *e)
{
	char err[UTIL_ERRMAX];

	if (!e->live) {
		snprintf(e->kstate_why, sizeof(e->kstate_why), NOT_UNDER_SYSROOT " (adjtimex)");
		return;
	}
	if (clock_kstate_read(&e->kstate, err)) {
		snprintf(e->kstate_why, sizeof(e->kstate_why), "%s", err);
		return;
	}
	e->kstate_known = true;
}

/* ---------------------------------------------------------------- distro */

/* Value of KEY= in an os-release style text, unquoted, or NULL. */
HV_TESTABLE bool osrel_get(const char *text, const char *key, char *out, size_t len)
{
	size_t kl = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		const char *v;
		size_t n;

		if (strncmp(p, key, kl) || p[kl] != '=')
			continue;
		v = p + kl + 1;
		n = strcspn(v, "\n");
		if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
			v++;
			n -= 2;
		}
		snprintf(out, len, "%.*s", (int)n, v);
		return true;
	}
	return false;
}

static enum env_family family_of(const char *id)
{
	static const struct {
		const char *id;
		enum env_family f;
	} t[] = {
		{ "rhel", ENV_FAMILY_RHEL }, { "centos", ENV_FAMILY_RHEL },
		{ "rocky", ENV_FAMILY_RHEL }, { "almalinux", ENV_FAMILY_RHEL },
		{ "ol", ENV_FAMILY_RHEL }, { "fedora", ENV_FAMILY_RHEL },
		{ "amzn", ENV_FAMILY_RHEL }, { "scientific", ENV_FAMILY_RHEL },
		{ "debian", ENV_FAMILY_DEBIAN }, { "ubuntu", ENV_FAMILY_DEBIAN },
		{ "linuxmint", ENV_FAMILY_DEBIAN }, { "raspbian", ENV_FAMILY_DEBIAN },
		{ "sles", ENV_FAMILY_SUSE }, { "opensuse", ENV_FAMILY_SUSE },
		{ "suse", ENV_FAMILY_SUSE },
	};

	for (size_t i = 0; i < UTIL_ARRAY_SIZE(t); i++)
		if (!strcmp(id, t[i].id) ||
		    (t[i].f == ENV_FAMILY_SUSE && util_startswith(id, t[i].id)))
			return t[i].f;
	return ENV_FAMILY_UNKNOWN;
}

const char *env_family_id(enum env_family f)
{
	switch (f) {
	case ENV_FAMILY_RHEL: return "rhel";
	case ENV_FAMILY_DEBIAN: return "debian";
	case ENV_FAMILY_SUSE: return "suse";
	case ENV_FAMILY_OTHER: return "other";
	default: return "unknown";
	}
}

/* "CentOS release 5.5 (Final)" -> id centos, version 5.5. */
HV_TESTABLE void parse_redhat_release(struct env *e, const char *line)
{
	const char *rel = strstr(line, "release ");
	char lower[64];

	snprintf(lower, sizeof(lower), "%s", line);
	for (char *p = lower; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (util_startswith(lower, "centos"))
		snprintf(e->distro_id, sizeof(e->distro_id), "centos");
	else if (util_startswith(lower, "red hat"))
		snprintf(e->distro_id, sizeof(e->distro_id), "rhel");
	else if (util_startswith(lower, "fedora"))
		snprintf(e->distro_id, sizeof(e->distro_id), "fedora");
	else if (util_startswith(lower, "scientific"))
		snprintf(e->distro_id, sizeof(e->distro_id), "scientific");
	else if (util_startswith(lower, "rocky"))
		snprintf(e->distro_id, sizeof(e->distro_id), "rocky");
	else if (util_startswith(lower, "almalinux"))
		snprintf(e->distro_id, sizeof(e->distro_id), "almalinux");
	else if (util_startswith(lower, "oracle") || util_startswith(lower, "enterprise linux"))
		snprintf(e->distro_id, sizeof(e->distro_id), "ol");
	else
		snprintf(e->distro_id, sizeof(e->distro_id), "rhel");
	if (rel) {
		snprintf(e->distro_version, sizeof(e->distro_version), "%s", rel + 8);
		e->distro_version[strcspn(e->distro_version, " ")] = '\0';
	}
}

static void probe_distro(struct env *e)
{
	struct strbuf sb = STRBUF_INIT, rh = STRBUF_INIT;
	char err[UTIL_ERRMAX], buf[256], rh_err[UTIL_ERRMAX];
	bool have_rh = !sysroot_read_line("/etc/redhat-release", &rh, rh_err);

	e->el_minor = -1;
	if (!sysroot_read("/etc/os-release", 64 * 1024, &sb, err) ||
	    !sysroot_read("/usr/lib/os-release", 64 * 1024, &sb, NULL)) {
		if (!osrel_get(sb.buf, "PRETTY_NAME", buf, sizeof(buf)) &&
		    !osrel_get(sb.buf, "NAME", buf, sizeof(buf)))
			snprintf(buf, sizeof(buf), "unnamed");
		fact_set(&e->distro, buf, "/etc/os-release");
		osrel_get(sb.buf, "ID", e->distro_id, sizeof(e->distro_id));
		osrel_get(sb.buf, "VERSION_ID", e->distro_version,
			  sizeof(e->distro_version));
		e->family = family_of(e->distro_id);
		if (e->family == ENV_FAMILY_UNKNOWN &&
		    osrel_get(sb.buf, "ID_LIKE", buf, sizeof(buf))) {
			char *w, *save = NULL;

			for (w = strtok_r(buf, " ", &save); w && !e->family;
			     w = strtok_r(NULL, " ", &save))
				e->family = family_of(w);
		}
		if (e->family == ENV_FAMILY_UNKNOWN)
			e->family = ENV_FAMILY_OTHER;
	} else if (have_rh) {
		fact_set(&e->distro, rh.buf, "/etc/redhat-release");
		parse_redhat_release(e, rh.buf);
		e->family = ENV_FAMILY_RHEL;
	} else if (!sysroot_read_line("/etc/debian_version", &sb, NULL)) {
		snprintf(buf, sizeof(buf), "Debian %s", sb.buf);
		fact_set(&e->distro, buf, "/etc/debian_version");
		snprintf(e->distro_id, sizeof(e->distro_id), "debian");
		snprintf(e->distro_version, sizeof(e->distro_version), "%s", sb.buf);
		e->family = ENV_FAMILY_DEBIAN;
	} else {
		fact_unknown(&e->distro, err);
	}
	if (e->family == ENV_FAMILY_RHEL && strcmp(e->distro_id, "fedora") &&
	    strcmp(e->distro_id, "amzn")) {
		/* redhat-release carries the point release os-release may omit. */
		struct env tmp;
		const char *v = e->distro_version;

		if (have_rh) {
			memset(&tmp, 0, sizeof(tmp));
			parse_redhat_release(&tmp, rh.buf);
			if (strchr(tmp.distro_version, '.'))
				v = tmp.distro_version;
			snprintf(buf, sizeof(buf), "%s", v);
			v = buf;
		}
		if (isdigit((unsigned char)v[0])) {
			e->el_major = atoi(v);
			e->el_minor = strchr(v, '.') ? atoi(strchr(v, '.') + 1) : -1;
		}
	}
	/* Without a release file, a RHEL kernel still says its release. */
	if (!e->el_major && e->kver.valid && e->kver.el_major &&
	    (e->family == ENV_FAMILY_RHEL || e->family == ENV_FAMILY_UNKNOWN)) {
		e->el_major = e->kver.el_major;
		e->el_minor = e->kver.el_minor;
		if (e->family == ENV_FAMILY_UNKNOWN)
			e->family = ENV_FAMILY_RHEL;
	}
	strbuf_release(&sb);
	strbuf_release(&rh);
}

/* -------------------------------------------------------------- daemons */

struct proc_scan {
	struct env *e;
	int seen;
};

/* comm from "/proc/PID/stat": between the first '(' and the last ')'. */
HV_TESTABLE bool stat_comm(const char *stat, char *comm, size_t len)
{
	const char *a = strchr(stat, '('), *b = strrchr(stat, ')');

	if (!a || !b || b < a)
		return false;
	snprintf(comm, len, "%.*s", (int)(b - a - 1), a + 1);
	return true;
}

static int scan_proc(const char *abs, void *arg)
{
	struct proc_scan *ps = arg;
	struct strbuf sb = STRBUF_INIT;
	char path[64], comm[64];
	const char *pid = strrchr(abs, '/') + 1;

	if (strspn(pid, "0123456789") != strlen(pid))
		return 0;
	ps->seen++;
	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	if (sysroot_read(path, 4096, &sb, NULL) || !stat_comm(sb.buf, comm, sizeof(comm)))
		goto out;
	for (int k = 0; k < DAEMON_COUNT; k++) {
		struct env_daemon *d = &ps->e->daemons[k];

		if (k == DAEMON_OPENNTPD || strcmp(comm, daemons_process_name(k)))
			continue;
		if (d->running)
			break; /* the first (lowest pid) one is the daemon */
		d->running = true;
		d->pid = atoi(pid);
		snprintf(path, sizeof(path), "/proc/%s/cmdline", pid);
		if (!sysroot_read(path, 64 * 1024, &sb, NULL)) {
			for (size_t i = 0; i + 1 < sb.len; i++)
				if (sb.buf[i] == '\0')
					sb.buf[i] = ' ';
			snprintf(d->args, sizeof(d->args), "%s", sb.buf);
		}
		break;
	}
out:
	strbuf_release(&sb);
	return 0;
}

/* The value following opt ("-f") in a blank-separated argument list. */
static bool arg_value(const char *args, const char *opt, char *out, size_t len)
{
	char buf[256], *w, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", args);
	for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
		if (!strcmp(w, opt)) {
			w = strtok_r(NULL, " ", &save);
			if (!w)
				return false;
			snprintf(out, len, "%s", w);
			return true;
		}
	return false;
}

/* ntpd -x (possibly bundled: "-gx"). */
HV_TESTABLE bool has_short_flag(const char *args, char flag)
{
	char buf[512], *w, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", args);
	for (w = strtok_r(buf, " \"'", &save); w; w = strtok_r(NULL, " \"'", &save))
		if (w[0] == '-' && w[1] != '-' &&
		    strspn(w + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") == strlen(w + 1) &&
		    strchr(w + 1, flag))
			return true;
	return false;
}

/* Appends the files of a chrony confdir/include/sourcedir directive. */
static int append_file(const char *abs, void *arg)
{
	struct strbuf *text = arg, sb = STRBUF_INIT;

	if (!sysroot_read(abs, 1 << 20, &sb, NULL)) {
		strbuf_addch(text, '\n');
		strbuf_addstr(text, sb.buf);
	}
	strbuf_release(&sb);
	return 0;
}

static void chrony_includes(struct strbuf *text)
{
	struct strbuf extra = STRBUF_INIT;
	const char *p = text->buf;

	while (p && *p) {
		char line[512], *w[3] = { NULL }, *save = NULL;
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		snprintf(line, sizeof(line), "%.*s", (int)(n < 511 ? n : 511), p);
		w[0] = strtok_r(line, " \t", &save);
		w[1] = w[0] ? strtok_r(NULL, " \t", &save) : NULL;
		if (w[0] && w[1] && w[1][0] == '/') {
			if (!strcmp(w[0], "confdir"))
				sysroot_list(w[1], "*.conf", append_file, &extra, NULL);
			else if (!strcmp(w[0], "sourcedir"))
				sysroot_list(w[1], "*.sources", append_file, &extra, NULL);
			else if (!strcmp(w[0], "include")) {
				char dir[256];
				const char *slash = strrchr(w[1], '/');

				snprintf(dir, sizeof(dir), "%.*s", (int)(slash - w[1]), w[1]);
				sysroot_list(dir[0] ? dir : "/", slash + 1, append_file,
					     &extra, NULL);
			}
		}
		p = nl ? nl + 1 : NULL;
	}
	strbuf_addstr(text, extra.buf);
	strbuf_release(&extra);
}

/* Reads the first existing config among paths; true when found. */
static bool read_config(struct env_daemon *d, const char *const *paths,
			struct strbuf *text)
{
	for (int i = 0; paths[i]; i++) {
		if (!paths[i][0] || sysroot_read(paths[i], 1 << 20, text, NULL))
			continue;
		d->config_found = true;
		snprintf(d->config_path, sizeof(d->config_path), "%s", paths[i]);
		return true;
	}
	return false;
}

static void probe_daemons(struct env *e)
{
	struct proc_scan ps = { e, 0 };
	struct strbuf text = STRBUF_INIT;
	char err[UTIL_ERRMAX], given[128] = "";
	struct env_daemon *d;

	if (sysroot_list("/proc", "[0-9]*", scan_proc, &ps, err) < 0)
		snprintf(e->procs_why, sizeof(e->procs_why), "%s", err);
	else if (!ps.seen)
		snprintf(e->procs_why, sizeof(e->procs_why), "%s",
			 e->live ? "no processes in /proc" :
			 NOT_UNDER_SYSROOT " (no proc/<pid> entries)");
	else
		e->procs_known = true;

	/* chronyd */
	d = &e->daemons[DAEMON_CHRONYD];
	given[0] = '\0';
	arg_value(d->args, "-f", given, sizeof(given));
	{
		const char *paths[] = { given, "/etc/chrony.conf",
					"/etc/chrony/chrony.conf", NULL };

		if (read_config(d, paths, &text)) {
			chrony_includes(&text);
			daemons_parse_chrony(text.buf, &d->conf);
		}
		/* chronyd(8): -x disables the control of the system clock. */
		d->hands_off = d->running && has_short_flag(d->args, 'x');
	}

	/* ntpd (ntp.org or ntpsec); openntpd also runs as "ntpd". */
	d = &e->daemons[DAEMON_NTPD];
	given[0] = '\0';
	arg_value(d->args, "-c", given, sizeof(given));
	{
		const char *paths[] = { given, "/etc/ntp.conf", "/etc/ntpsec/ntp.conf",
					NULL };
		const char *opts[] = { "/etc/sysconfig/ntpd", "/etc/default/ntp",
				       "/etc/default/ntpsec", NULL };
		const char *onpaths[] = { "/etc/openntpd/ntpd.conf", "/etc/ntpd.conf",
					  NULL };
		struct env_daemon *o = &e->daemons[DAEMON_OPENNTPD];

		if (read_config(d, paths, &text))
			daemons_parse_ntp(text.buf, &d->conf);
		if (read_config(o, onpaths, &text))
			daemons_parse_openntpd(text.buf, &o->conf);
		if (d->running && !d->config_found && o->config_found) {
			/* The "ntpd" running is OpenNTPD. */
			o->running = true;
			o->pid = d->pid;
			snprintf(o->args, sizeof(o->args), "%s", d->args);
			memset(d, 0, sizeof(*d));
		}
		if (d->running)
			d->slew_only = has_short_flag(d->args, 'x');
		else
			/* Not running (or unknown): what the init script would pass. */
			for (int i = 0; opts[i]; i++)
				if (!sysroot_read(opts[i], 64 * 1024, &text, NULL) &&
				    has_short_flag(text.buf, 'x'))
					d->slew_only = true;
	}

	/* systemd-timesyncd */
	d = &e->daemons[DAEMON_TIMESYNCD];
	{
		const char *paths[] = { "/etc/systemd/timesyncd.conf", NULL };

		if (read_config(d, paths, &text)) {
			sysroot_list("/etc/systemd/timesyncd.conf.d", "*.conf",
				     append_file, &text, NULL);
			daemons_parse_timesyncd(text.buf, &d->conf);
		}
	}
	strbuf_release(&text);
}

int env_active_daemon(const struct env *e)
{
	static const enum daemon_kind order[] = { DAEMON_CHRONYD, DAEMON_NTPD,
		DAEMON_TIMESYNCD, DAEMON_OPENNTPD };

	for (size_t i = 0; i < UTIL_ARRAY_SIZE(order); i++)
		if (e->daemons[order[i]].running && !e->daemons[order[i]].hands_off)
			return order[i];
	if (e->procs_known)
		return -1;
	/* No process list (a sysroot): the configured daemon is the best guess. */
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(order); i++)
		if (e->daemons[order[i]].config_found &&
		    e->daemons[order[i]].conf.nservers)
			return order[i];
	return -1;
}

/* ---------------------------------------------------- Hyper-V integration */

static int module_loaded(const char *modules, const char *name)
{
	char sys[96];
	size_t n = strlen(name);

	for (const char *p = modules; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, name, n) && p[n] == ' ')
			return 1;
	/* Built into the kernel: no /proc/modules line, but /sys/module/NAME. */
	snprintf(sys, sizeof(sys), "/sys/module/%s", name);
	return sysroot_exists(sys) ? 1 : 0;
}

struct ptp_scan {
	struct env *e;
};

static int scan_ptp(const char *abs, void *arg)
{
	struct ptp_scan *ps = arg;
	struct strbuf sb = STRBUF_INIT;
	char path[160];

	snprintf(path, sizeof(path), "%s/clock_name", abs);
	if (!sysroot_read_line(path, &sb, NULL) && !strcmp(sb.buf, "hyperv")) {
		flag_set(&ps->e->ptp_hyperv, 1, path);
		snprintf(ps->e->ptp_hyperv_device, sizeof(ps->e->ptp_hyperv_device),
			 "/dev/%s", strrchr(abs, '/') + 1);
	}
	strbuf_release(&sb);
	return 0;
}

static void probe_hyperv(struct env *e)
{
	struct strbuf sb = STRBUF_INIT;
	char err[UTIL_ERRMAX];
	struct ptp_scan ps = { e };

	if (!sysroot_read("/proc/modules", SYSROOT_READ_MAX, &sb, err)) {
		flag_set(&e->hv_vmbus, module_loaded(sb.buf, "hv_vmbus"), "/proc/modules");
		flag_set(&e->hv_utils, module_loaded(sb.buf, "hv_utils"), "/proc/modules");
	} else {
		/* No module support (or no /proc/modules): /sys/module still
		 * lists built-in drivers that have parameters. */
		bool sysmod = sysroot_exists("/sys/module");
		int v = sysroot_exists("/sys/module/hv_vmbus");
		int u = sysroot_exists("/sys/module/hv_utils");

		flag_set(&e->hv_vmbus, v ? 1 : sysmod ? 0 : -1, sysmod ? "/sys/module" : "");
		flag_set(&e->hv_utils, u ? 1 : sysmod ? 0 : -1, sysmod ? "/sys/module" : "");
	}
	flag_set(&e->ptp_hyperv, -1, "");
	if (sysroot_list("/sys/class/ptp", "ptp*", scan_ptp, &ps, NULL) >= 0) {
		if (e->ptp_hyperv.value < 0)
			flag_set(&e->ptp_hyperv, 0, "/sys/class/ptp");
	} else if (e->kver.valid && kver_cmp(&e->kver, 3, 0, 0) < 0) {
		flag_set(&e->ptp_hyperv, 0, "kernel predates PTP clocks (3.0)");
	} else if (sysroot_exists("/sys/class")) {
		flag_set(&e->ptp_hyperv, 0, "/sys/class (no ptp class)");
	}
	if (e->ptp_hyperv.value == 1 && sysroot_exists("/dev/ptp_hyperv")) {
		char dev[64];

		snprintf(dev, sizeof(dev), "%s", e->ptp_hyperv_device);
		snprintf(e->ptp_hyperv_device, sizeof(e->ptp_hyperv_device),
			 "/dev/ptp_hyperv (%s)", dev);
	}
	strbuf_release(&sb);
}

/* ------------------------------------------------------------- packages */

static void pkg_add(struct env *e, const char *name, const char *version,
		    const char *source)
{
	struct env_pkg *p;

	if (env_pkg(e, name) || e->n_pkgs >= ENV_MAX_PKGS || !*version)
		return;
	p = &e->pkgs[e->n_pkgs++];
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->version, sizeof(p->version), "%s", version);
	snprintf(p->source, sizeof(p->source), "%s", source);
}

const struct env_pkg *env_pkg(const struct env *e, const char *name)
{
	for (int i = 0; i < e->n_pkgs; i++)
		if (!strcmp(e->pkgs[i].name, name))
			return &e->pkgs[i];
	return NULL;
}

/* Debian version -> upstream: drop the epoch and the packaging suffixes. */
HV_TESTABLE void upstream_version(const char *v, char *out, size_t len)
{
	const char *colon = strchr(v, ':');

	if (colon)
		v = colon + 1;
	snprintf(out, len, "%.*s", (int)strcspn(v, "+-~ "), v);
}

/* Which package names count for which software. */
static const struct {
	const char *pkg, *name;
} pkg_names[] = {
	{ "dovecot-core", "dovecot" }, { "dovecot", "dovecot" },
	{ "ntp", "ntp" }, { "ntpsec", "ntpsec" }, { "chrony", "chrony" },
};

static void scan_dpkg(struct env *e)
{
	char err[UTIL_ERRMAX], line[512], pkg[64] = "", ver[64] = "";
	bool installed = false;
	FILE *f = sysroot_fopen("/var/lib/dpkg/status", err);
	long lines = 0;

	if (!f)
		return;
	/* Bounded: a real status file has well under a million lines. */
	while (lines++ < 2000000) {
		bool end = !fgets(line, sizeof(line), f);

		if (end || line[0] == '\n') {
			for (size_t i = 0; installed && i < UTIL_ARRAY_SIZE(pkg_names); i++)
				if (!strcmp(pkg, pkg_names[i].pkg)) {
					char up[40];

					upstream_version(ver, up, sizeof(up));
					pkg_add(e, pkg_names[i].name, up,
						"/var/lib/dpkg/status");
				}
			pkg[0] = ver[0] = '\0';
			installed = false;
			if (end)
				break;
			continue;
		}
		line[strcspn(line, "\n")] = '\0';
		if (util_startswith(line, "Package: "))
			snprintf(pkg, sizeof(pkg), "%s", line + 9);
		else if (util_startswith(line, "Version: "))
			snprintf(ver, sizeof(ver), "%s", line + 9);
		else if (util_startswith(line, "Status: "))
			installed = strstr(line, " installed") != NULL;
	}
	fclose(f);
}

struct docdir_scan {
	struct env *e;
	const char *name;
};

/* RPM-based releases up to RHEL 7 name doc dirs NAME-VERSION. */
static int scan_docdir(const char *abs, void *arg)
{
	struct docdir_scan *ds = arg;
	const char *base = strrchr(abs, '/') + 1;

	pkg_add(ds->e, ds->name, base + strlen(ds->name) + 1, abs);
	return 1;
}

/* Runs "prog --version" (live only) and returns its first line. */
static bool run_version(const char *prog, char *out, size_t len)
{
	char *argv[] = { (char *)prog, "--version", NULL };
	posix_spawn_file_actions_t fa;
	int pfd[2], status;
	pid_t pid;
	ssize_t n = 0;
	struct pollfd p;

	if (access(prog, X_OK) || pipe2(pfd, O_CLOEXEC))
		return false;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, prog, &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		close(pfd[0]);
		close(pfd[1]);
		return false;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	p.fd = pfd[0];
	p.events = POLLIN;
	/* A --version that hangs must not hang the probe: 1 s at most. */
	if (poll(&p, 1, 1000) > 0)
		n = read(pfd[0], out, len - 1);
	close(pfd[0]);
	if (waitpid(pid, &status, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	if (n <= 0)
		return false;
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
	return true;
}

static void probe_pkgs(struct env *e)
{
	static const char *const names[] = { "dovecot", "ntp", "chrony" };
	char out[256];

	scan_dpkg(e);
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(names); i++) {
		struct docdir_scan ds = { e, names[i] };
		char pat[64];

		if (env_pkg(e, names[i]))
			continue;
		snprintf(pat, sizeof(pat), "%s-[0-9]*", names[i]);
		sysroot_list("/usr/share/doc", pat, scan_docdir, &ds, NULL);
	}
	if (!e->live)
		return;
	/* Live and still unknown: ask the programs themselves. */
	if (!env_pkg(e, "dovecot") &&
	    (run_version("/usr/sbin/dovecot", out, sizeof(out)) ||
	     run_version("/usr/bin/dovecot", out, sizeof(out)))) {
		out[strcspn(out, " ")] = '\0';
		pkg_add(e, "dovecot", out, "dovecot --version");
	}
	if (!env_pkg(e, "ntp") && !env_pkg(e, "ntpsec") &&
	    run_version("/usr/sbin/ntpd", out, sizeof(out))) {
		/* "ntpd 4.2.8p15@1.3728-o ..." or "ntpd ntpsec-1.2.2 ..." */
		const char *v = strchr(out, ' ');

		if (v) {
			bool sec = util_startswith(v + 1, "ntpsec-");
			const char *s = v + 1 + (sec ? 7 : 0);
			char ver[40];

			snprintf(ver, sizeof(ver), "%.*s", (int)strcspn(s, "@ "), s);
			pkg_add(e, sec ? "ntpsec" : "ntp", ver, "ntpd --version");
		}
	}
	if (!env_pkg(e, "chrony") &&
	    run_version("/usr/sbin/chronyd", out, sizeof(out))) {
		/* "chronyd (chrony) version 4.3 (+CMDMON ...)" */
		const char *v = strstr(out, "version ");

		if (v) {
			char ver[40];

			snprintf(ver, sizeof(ver), "%.*s", (int)strcspn(v + 8, " "), v + 8);
			pkg_add(e, "chrony", ver, "chronyd --version");
		}
	}
}

/* ------------------------------------------------------------ hypervisor */

static void probe_hypervisor(struct env *e)
{
	struct env_fact vendor = { 0 }, product = { 0 }, type = { 0 };
	int v;

	read_fact(&vendor, "/sys/class/dmi/id/sys_vendor");
	read_fact(&product, "/sys/class/dmi/id/product_name");
	if (vendor.known || product.known)
		add_evidence(e, "dmi sys_vendor/product_name",
			     hypervisor_from_dmi(vendor.known ? vendor.value : NULL,
						 product.known ? product.value : NULL),
			     "'%s' / '%s'", vendor.known ? vendor.value : "?",
			     product.known ? product.value : "?");
	else
		add_evidence(e, "dmi sys_vendor/product_name", HV_UNKNOWN,
			     "absent (/sys/class/dmi/id is missing on old kernels)");
	if (sysroot_exists("/sys/bus/vmbus"))
		add_evidence(e, "/sys/bus/vmbus", HV_HYPERV,
			     "VMBus present: Hyper-V integration services loaded");
	if (read_fact(&type, "/sys/hypervisor/type"))
		add_evidence(e, "/sys/hypervisor/type", hypervisor_from_sys_type(type.value),
			     "'%s'", type.value);
	if (sysroot_exists("/proc/xen"))
		add_evidence(e, "/proc/xen", HV_XEN, "present");
	if (e->hv_vmbus.value == 1 || e->hv_utils.value == 1)
		add_evidence(e, "kernel modules", HV_HYPERV, "%s%s%s loaded",
			     e->hv_vmbus.value == 1 ? "hv_vmbus" : "",
			     e->hv_vmbus.value == 1 && e->hv_utils.value == 1 ? ", " : "",
			     e->hv_utils.value == 1 ? "hv_utils" : "");
	v = e->hypervisor_flag.value;
	if (v == 1)
		add_evidence(e, "cpuinfo flags", HV_OTHER, "'hypervisor' flag set");
	else if (v == 0 && e->kver.valid && kver_cmp(&e->kver, 2, 6, 28) >= 0)
		add_evidence(e, "cpuinfo flags", HV_NONE,
			     "no 'hypervisor' flag (kernel %s sets it in every guest)",
			     e->kernel_release.value);
	else if (v == 0)
		add_evidence(e, "cpuinfo flags", HV_UNKNOWN,
			     "no 'hypervisor' flag, but this kernel predates it");
	e->hv = hypervisor_verdict(e->hv_evidence, (size_t)e->n_hv_evidence,
				   e->hv_why, sizeof(e->hv_why));
}

/* ----------------------------------------------------------------- arch */

/*
 * Live: uname(2). Under a sysroot: the release string (RHEL kernels carry
 * the arch: 2.6.32-754.el6.x86_64, 2.6.18-8.el5PAE), else the 2.6.18
 * "time.c: Using ... GTOD" boot line, which only x86_64's time.c prints
 * (arch/x86_64/kernel/time.c; timekeeping.md section 4).
 */
static void probe_arch(struct env *e)
{
	const char *r = e->kernel_release.known ? e->kernel_release.value : "";
	struct utsname u;

	if (e->live && !uname(&u)) {
		fact_set(&e->arch, u.machine, "uname");
		return;
	}
	if (strstr(r, "x86_64") || strstr(r, "amd64"))
		fact_set(&e->arch, "x86_64", "kernel release");
	else if (strstr(r, "i686") || strstr(r, "i586") || strstr(r, "i386") ||
		 strstr(r, "PAE") || strstr(r, "-686"))
		fact_set(&e->arch, "i686", "kernel release");
	else if (strstr(r, "aarch64") || strstr(r, "arm64"))
		fact_set(&e->arch, "aarch64", "kernel release");
	else {
		for (int i = 0; i < e->n_hints; i++)
			if (!strcmp(e->hints[i].id, "gtod-timer")) {
				fact_set(&e->arch, "x86_64",
					 "boot log: x86_64-only time.c GTOD line");
				return;
			}
		fact_unknown(&e->arch, e->live ? "uname failed" :
			     "not in the kernel release nor the boot log (uname is "
			     NOT_UNDER_SYSROOT ")");
	}
}

/* ------------------------------------------------------------------ main */

void env_probe(struct env *e)
{
	struct klog_state st;

	memset(e, 0, sizeof(*e));
	memset(&st, 0, sizeof(st));
	e->live = sysroot_is_live();
	probe_kernel(e);
	probe_cpu(e);
	probe_klog(e, &st);
	probe_arch(e);
	probe_clocksource(e, &st);
	probe_kstate(e);
	probe_distro(e);
	probe_daemons(e);
	probe_hyperv(e);
	probe_pkgs(e);
	probe_hypervisor(e);
}
