/*
 * kver.h - kernel release strings: "2.6.18-194.el5" -> 2.6.18, build 194,
 * distro suffix "el5", RHEL point release 5.5.
 *
 * The RHEL point release matters: divider= can panic RHEL/CentOS 5 before
 * 5.8 (Red Hat bug 698842), and a guest's /etc/redhat-release is not always
 * there (a sysroot of /boot only). Red Hat keeps one kernel build number
 * range per point release, so the build number says which release it is.
 */
#ifndef HV_KVER_H
#define HV_KVER_H

#include <stdbool.h>

struct kver {
	bool valid;
	int major, minor, patch;  /* 2.6.18; missing parts are 0 */
	int sub;                  /* fourth number (2.6.32.27), else 0 */
	char local[96];           /* after the first '-': "194.el5", "5-amd64" */
	char distro[24];          /* "el5", "el7_9", "fc42", "" when none */
	int el_major;             /* 5 for *.el5 (and *.el5xen...), else 0 */
	int el_build;             /* 194 for 2.6.18-194.el5, else 0 */
	int el_minor;             /* RHEL point release from the build, -1 if unknown */
	char release[128];        /* the string as given */
};

/* Parses a `uname -r` string. Returns 0, or -1 (err) when it has no
 * leading MAJOR.MINOR. */
int kver_parse(const char *release, struct kver *out, char *err);
/* Compares the version numbers with major.minor.patch: <0, 0, >0. */
int kver_cmp(const struct kver *k, int major, int minor, int patch);
/* RHEL point release (minor) of a RHEL-family kernel build, -1 if unknown. */
int kver_el_minor(int el_major, int el_build);

#endif
