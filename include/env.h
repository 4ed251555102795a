/*
 * env.h - the environment probe: every timekeeping-relevant fact about this
 * machine (or the sysroot being replayed), each with where it came from.
 *
 * A fact that could not be read is not an error: it is "unknown" with the
 * reason (missing file, permission, "not available under sysroot"), and the
 * rest of the probe goes on. The struct is plain data (fixed-size fields,
 * no pointers), so it can be copied, compared in tests and built by hand
 * for rule tests.
 */
#ifndef HV_ENV_H
#define HV_ENV_H

#include <stdbool.h>

#include "clock.h"
#include "daemons.h"
#include "hypervisor.h"
#include "kver.h"
#include "util.h"

#define ENV_MAX_EVIDENCE 12
#define ENV_MAX_TIME_ARGS 24
#define ENV_MAX_HINTS 16
#define ENV_MAX_PKGS 8

/* A string fact. known false -> value is empty and why says why. */
struct env_fact {
	bool known;
	char value[256];
	char source[128];  /* file or mechanism it came from */
	char why[160];     /* reason it is unknown */
};

/* A yes/no fact: -1 unknown, 0 no, 1 yes. */
struct env_flag {
	int value;
	char source[64];
};

struct env_bootarg {
	char key[48];
	char value[96];
	bool has_value;
};

struct env_daemon {
	bool running;
	int pid;
	char args[256];          /* its command line, blank separated */
	bool slew_only;          /* ntpd -x: steps only beyond 600 s */
	bool hands_off;          /* chronyd -x: does not control the clock */
	bool config_found;
	char config_path[128];
	struct daemon_conf conf;
};

/* A known kernel-log message seen in the kernel log. */
struct env_hint {
	char id[32];             /* "tsc-unstable", "clocksource-switch", ... */
	char what[96];           /* what it means, one line */
	int count;
	char first[200];         /* the first line that matched */
};

/* An installed package version (dovecot, ntp, chrony). */
struct env_pkg {
	char name[24];
	char version[40];        /* "1.0.7" */
	char source[128];        /* "/usr/share/doc/dovecot-1.0.7", "dovecot --version" */
};

enum env_family {
	ENV_FAMILY_UNKNOWN = 0,
	ENV_FAMILY_RHEL,         /* RHEL, CentOS, Rocky, Alma, Oracle, Fedora */
	ENV_FAMILY_DEBIAN,       /* Debian, Ubuntu */
	ENV_FAMILY_SUSE,
	ENV_FAMILY_OTHER
};

struct env {
	bool live;                       /* false under --sysroot */

	/* Hypervisor: verdict and the evidence behind it. */
	enum hv_vendor hv;
	char hv_why[256];
	int n_hv_evidence;
	struct hv_evidence hv_evidence[ENV_MAX_EVIDENCE];
	struct env_fact cpuid_signature; /* leaf 0x40000000, raw */

	/* CPU */
	struct env_fact cpu_vendor, cpu_brand;
	struct env_flag tsc, constant_tsc, nonstop_tsc, tsc_reliable,
		tsc_known_freq, hypervisor_flag;

	/* Kernel */
	struct env_fact kernel_release;
	struct kver kver;                /* valid only if kernel_release.known */
	struct env_fact arch;            /* "x86_64", "i686", "aarch64"... */
	struct env_fact cmdline;
	int n_time_args;
	struct env_bootarg time_args[ENV_MAX_TIME_ARGS];

	/* Clocksource: current and available. source is sysfs or the boot log. */
	struct env_fact clocksource, clocksources_available;

	/* Kernel NTP discipline (adjtimex, live only). */
	bool kstate_known;
	struct clock_kstate kstate;
	char kstate_why[160];

	/* Time daemons */
	bool procs_known;
	char procs_why[160];
	struct env_daemon daemons[DAEMON_COUNT];

	/* Hyper-V integration */
	struct env_flag hv_vmbus, hv_utils, ptp_hyperv;
	char ptp_hyperv_device[64];      /* "/dev/ptp0" when found */

	/* Distribution */
	struct env_fact distro;          /* pretty name */
	char distro_id[32];              /* "centos", "ubuntu", "rhel" ... */
	char distro_version[32];         /* "5.5", "22.04" */
	enum env_family family;
	int el_major, el_minor;          /* RHEL-family release, 0/-1 unknown */

	/* Kernel log hints */
	struct env_fact klog;            /* which log was read, or why none */
	int n_hints;
	struct env_hint hints[ENV_MAX_HINTS];

	/* Installed software whose version matters (dovecot, ntp, chrony). */
	int n_pkgs;
	struct env_pkg pkgs[ENV_MAX_PKGS];
};

/*
 * Probes everything through sysroot and clock. Never fails: unknown facts
 * carry their reason.
 */
void env_probe(struct env *e);
/* Text and JSON renderings of the model are in envfmt.h. */
/*
 * The daemon disciplining the clock, or -1: the running one (chronyd first;
 * a chronyd -x leaves the clock alone and does not count), else, when the
 * process list is unknown (a sysroot), the configured one.
 */
int env_active_daemon(const struct env *e);
/* The boot argument with that key (last occurrence), or NULL. */
const struct env_bootarg *env_time_arg(const struct env *e, const char *key);
/* An installed package's version, or NULL. */
const struct env_pkg *env_pkg(const struct env *e, const char *name);
/* "rhel", "debian", "suse", "other", "unknown". */
const char *env_family_id(enum env_family f);

#ifdef HV_TESTING
/* Parsing helpers of env.c, visible to unit tests and fuzz targets only. */
/* Feeds text (kernel log lines) through the kernel-log scanner. */
void klog_text(struct env *e, const char *text, const char *source);
bool osrel_get(const char *text, const char *key, char *out, size_t len);
void parse_redhat_release(struct env *e, const char *line);
bool stat_comm(const char *stat, char *comm, size_t len);
const char *gtod_clocksource(const char *line);
bool has_short_flag(const char *args, char flag);
void upstream_version(const char *v, char *out, size_t len);
bool has_flag(const char *flags, const char *flag);
#endif

#endif
