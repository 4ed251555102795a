/*
 * remedy.c - the boot-argument profiles, one row per kernel family.
 *
 * Every row names its source; where the reference could not confirm a row
 * against a primary copy (VMware's 64-bit table) the row is marked
 * unconfirmed and its caveat says so. divider= is a RHEL-only option
 * (RHEL 4.7+ and 5.1+) that Red Hat later found can panic RHEL 4 and RHEL 5
 * guests before 5.8 (BZ 698842); every row that adds it says so and names
 * the variant without it.
 *
 * Facts: /work/shared/reference/timekeeping.md section 4.
 */
#include <ctype.h>
#include <string.h>

#include "remedy.h"
#include "util.h"

#define SRC_KB918461 "Microsoft KB 918461 (clock=pit for 2.6 guests that run too fast)"
#define SRC_RH_DIVIDER "Red Hat RHEL 6 Virtualization Host Configuration and Guest " \
	"Installation Guide, 14.2 Required parameters for RHEL guests (divider=, BZ 698842)"
#define SRC_VMW_32 "VMware KB 1006427 / Broadcom KB 310053, Timekeeping best " \
	"practices for Linux guests, 32-bit table"
#define SRC_VMW_64 "VMware KB 1006427 / Broadcom KB 310053, Timekeeping best " \
	"practices for Linux guests, 64-bit table (UNCONFIRMED: not visible in any copy)"
#define SRC_RH_KVM "Red Hat RHEL 6 Virtualization Host Configuration and Guest " \
	"Installation Guide, 14.2 (KVM guests without kvm-clock)"

#define DIVIDER_PANIC "divider= can panic RHEL 4 kernels and RHEL/CentOS 5 " \
	"kernels before 5.8 (Red Hat BZ 698842)"

static const struct remedy table[] = {
	/* --- Hyper-V, CentOS/RHEL 5 (2.6.18). The field fix of the
	 * 2008/2008 R2 era: KB 918461's clock=pit plus notsc and a 100 Hz
	 * tick. No Microsoft document recommends it for Hyper-V (the
	 * reference found none), so the source names what it rests on. */
	{
		.id = "el5-hyperv",
		.summary = "CentOS/RHEL 5 on Hyper-V: PIT/PM-timer time source, TSC off, 100 Hz tick",
		.add_args = "clock=pit notsc divider=10",
		.remove_args = NULL,
		.el_major = 5, .el_minor_min = 1, .el_minor_max = -1,
		.kmin = { 2, 6, 18 }, .kmax = { 2, 6, 18 },
		.arch = NULL,
		.conflicts = "clocksource",
		.caveat = "On x86_64 2.6.18 `notsc` is the part that moves "
			"gettimeofday off the TSC (to the HPET or PM timer); "
			"`clock=` is deprecated there and only maps to clocksource=. "
			DIVIDER_PANIC ": on those releases use the variant without "
			"it, el5-hyperv-nodivider. No Microsoft document prescribes "
			"these arguments for Hyper-V; they come from KB 918461 "
			"(clock=pit) and Red Hat's guest tables (notsc, divider=10).",
		.source = SRC_KB918461 "; " SRC_RH_DIVIDER,
		.variant = "el5-hyperv-nodivider",
	},
	{
		.id = "el5-hyperv-nodivider",
		.summary = "CentOS/RHEL 5 on Hyper-V without divider= (safe before 5.8)",
		.add_args = "clock=pit notsc",
		.remove_args = "divider",
		.el_major = 5, .el_minor_min = 0, .el_minor_max = -1,
		.kmin = { 2, 6, 18 }, .kmax = { 2, 6, 18 },
		.arch = NULL,
		.conflicts = "clocksource",
		.caveat = "Keeps the 1000 Hz tick: more timer interrupts for the "
			"host to deliver, so the clock may still drift somewhat "
			"more than with divider=10; ntpd has to absorb the rest "
			"(500 ppm at most). On x86_64 `notsc` is the part that "
			"moves the time source.",
		.source = SRC_KB918461 "; " SRC_RH_DIVIDER,
	},

	/* --- VMware KB 1006427, 32-bit table (later revision). */
	{
		.id = "vmware-el5.4-i686",
		.summary = "RHEL/CentOS 5.4+ 32-bit on VMware: no boot arguments",
		.el_major = 5, .el_minor_min = 4, .el_minor_max = -1,
		.kmin = { 2, 6, 18 }, .kmax = { 2, 6, 18 },
		.arch = "i686",
		.caveat = "VMware's table lists 5.4-5.8 with \"none\" and a note "
			"on optional divider=10; " DIVIDER_PANIC ".",
		.source = SRC_VMW_32,
	},
	{
		.id = "vmware-el5.1-i686",
		.summary = "RHEL/CentOS 5.1-5.3 32-bit on VMware: 100 Hz tick, ACPI PM timer",
		.add_args = "divider=10 clocksource=acpi_pm",
		.remove_args = "clock",
		.el_major = 5, .el_minor_min = 1, .el_minor_max = 3,
		.kmin = { 2, 6, 18 }, .kmax = { 2, 6, 18 },
		.arch = "i686",
		.conflicts = "clock",
		.caveat = DIVIDER_PANIC ": these releases are all before 5.8, so "
			"the variant vmware-el5.1-i686-nodivider avoids the risk.",
		.source = SRC_VMW_32 "; " SRC_RH_DIVIDER,
		.variant = "vmware-el5.1-i686-nodivider",
	},
	{
		.id = "vmware-el5.1-i686-nodivider",
		.summary = "RHEL/CentOS 5.1-5.3 32-bit on VMware without divider=",
		.add_args = "clocksource=acpi_pm",
		.remove_args = "clock divider",
		.el_major = 5, .el_minor_min = 1, .el_minor_max = 3,
		.kmin = { 2, 6, 18 }, .kmax = { 2, 6, 18 },
		.arch = "i686",
		.conflicts = "clock",
		.caveat = "Red Hat's KVM table gives the same clocksource=acpi_pm "
			"for 32-bit 5.3/5.4 guests without a paravirtual clock.",
		.source = SRC_VMW_32 "; " SRC_RH_KVM,
	},
	{
		.id = "vmware-el5.0-i686",
		.summary = "RHEL/CentOS 5.0 32-bit on VMware: ACPI PM timer",
		.add_args = "clocksource=acpi_pm",
		.remove_args = "clock",
		.el_major = 5, .el_minor_min = 0, .el_minor_max = 0,
		.kmin = { 2, 6, 18 }, .kmax = { 2, 6, 18 },
		.arch = "i686",
		.conflicts = "clock",
		.source = SRC_VMW_32,
	},
	{
		.id = "vmware-el4.7-i686",
		.summary = "RHEL/CentOS 4.7-4.9 32-bit on VMware: PM timer, 100 Hz tick",
		.add_args = "clock=pmtmr divider=10",
		.el_major = 4, .el_minor_min = 7, .el_minor_max = -1,
		.kmin = { 2, 6, 9 }, .kmax = { 2, 6, 9 },
		.arch = "i686",
		.conflicts = "clocksource",
		.caveat = DIVIDER_PANIC ": the variant vmware-el4.7-i686-nodivider "
			"avoids it. Later KB revisions also add hpet=disable.",
		.source = SRC_VMW_32 "; " SRC_RH_DIVIDER,
		.variant = "vmware-el4.7-i686-nodivider",
	},
	{
		.id = "vmware-el4.7-i686-nodivider",
		.summary = "RHEL/CentOS 4.7-4.9 32-bit on VMware without divider=",
		.add_args = "clock=pmtmr",
		.remove_args = "divider",
		.el_major = 4, .el_minor_min = 7, .el_minor_max = -1,
		.kmin = { 2, 6, 9 }, .kmax = { 2, 6, 9 },
		.arch = "i686",
		.conflicts = "clocksource",
		.caveat = "Later KB revisions also add hpet=disable.",
		.source = SRC_VMW_32 "; " SRC_RH_DIVIDER,
	},
	{
		.id = "vmware-el4.0-i686",
		.summary = "RHEL/CentOS 4.0-4.6 32-bit on VMware: PM timer",
		.add_args = "clock=pmtmr",
		.el_major = 4, .el_minor_min = 0, .el_minor_max = 6,
		.kmin = { 2, 6, 9 }, .kmax = { 2, 6, 9 },
		.arch = "i686",
		.conflicts = "clocksource",
		.caveat = "Later KB revisions also add hpet=disable.",
		.source = SRC_VMW_32,
	},
	{
		.id = "vmware-sles9-10-i686",
		.summary = "SLES 9/10 32-bit on VMware: PM timer",
		.add_args = "clock=pmtmr",
		.kmin = { 2, 6, 5 }, .kmax = { 2, 6, 16 },
		.arch = "i686",
		.conflicts = "clocksource",
		.caveat = "For SLES 10 SP2+ on ESX 3.5+ VMware suggests a VMI "
			"kernel instead. The kernel range (2.6.5-2.6.16) stands "
			"for SLES 9/10; check the distribution before applying.",
		.source = SRC_VMW_32,
	},

	/* --- VMware KB 1006427, 64-bit table: not visible in any copy the
	 * reference found, so every row is unconfirmed and says so. */
	{
		.id = "vmware-el5.4-x86_64",
		.summary = "RHEL/CentOS 5.4+ x86_64 on VMware: no boot arguments",
		.el_major = 5, .el_minor_min = 4, .el_minor_max = -1,
		.kmin = { 2, 6, 18 }, .kmax = { 2, 6, 18 },
		.arch = "x86_64",
		.caveat = "UNCONFIRMED: VMware's 64-bit table was not visible in "
			"any copy; this row is from memory.",
		.source = SRC_VMW_64,
		.unconfirmed = true,
	},
	{
		.id = "vmware-el5.1-x86_64",
		.summary = "RHEL/CentOS 5.1-5.3 x86_64 on VMware: 100 Hz tick, TSC off",
		.add_args = "divider=10 notsc",
		.el_major = 5, .el_minor_min = 1, .el_minor_max = 3,
		.kmin = { 2, 6, 18 }, .kmax = { 2, 6, 18 },
		.arch = "x86_64",
		.caveat = "UNCONFIRMED: VMware's 64-bit table was not visible in "
			"any copy; Red Hat's KVM table (notsc on x86_64) agrees in "
			"spirit. " DIVIDER_PANIC ": the variant "
			"vmware-el5.1-x86_64-nodivider avoids it.",
		.source = SRC_VMW_64 "; " SRC_RH_DIVIDER,
		.variant = "vmware-el5.1-x86_64-nodivider",
		.unconfirmed = true,
	},
	{
		.id = "vmware-el5.1-x86_64-nodivider",
		.summary = "RHEL/CentOS 5.1-5.3 x86_64 on VMware without divider=",
		.add_args = "notsc",
		.remove_args = "divider",
		.el_major = 5, .el_minor_min = 1, .el_minor_max = 3,
		.kmin = { 2, 6, 18 }, .kmax = { 2, 6, 18 },
		.arch = "x86_64",
		.caveat = "Red Hat's KVM table gives notsc for x86_64 5.3/5.4 "
			"guests without a paravirtual clock; the VMware row it "
			"derives from is UNCONFIRMED.",
		.source = SRC_RH_KVM "; " SRC_VMW_64,
		.unconfirmed = true,
	},
	{
		.id = "vmware-el5.0-x86_64",
		.summary = "RHEL/CentOS 5.0 x86_64 on VMware: TSC off",
		.add_args = "notsc",
		.el_major = 5, .el_minor_min = 0, .el_minor_max = 0,
		.kmin = { 2, 6, 18 }, .kmax = { 2, 6, 18 },
		.arch = "x86_64",
		.caveat = "UNCONFIRMED: VMware's 64-bit table was not visible in "
			"any copy; this row is from memory.",
		.source = SRC_VMW_64,
		.unconfirmed = true,
	},
	{
		.id = "vmware-el4.7-x86_64",
		.summary = "RHEL/CentOS 4.7-4.8 x86_64 on VMware: TSC off, 100 Hz tick",
		.add_args = "notsc divider=10",
		.el_major = 4, .el_minor_min = 7, .el_minor_max = 8,
		.kmin = { 2, 6, 9 }, .kmax = { 2, 6, 9 },
		.arch = "x86_64",
		.caveat = "UNCONFIRMED: VMware's 64-bit table was not visible in "
			"any copy. " DIVIDER_PANIC ": the variant "
			"vmware-el4.7-x86_64-nodivider avoids it.",
		.source = SRC_VMW_64 "; " SRC_RH_DIVIDER,
		.variant = "vmware-el4.7-x86_64-nodivider",
		.unconfirmed = true,
	},
	{
		.id = "vmware-el4.7-x86_64-nodivider",
		.summary = "RHEL/CentOS 4.7-4.8 x86_64 on VMware without divider=",
		.add_args = "notsc",
		.remove_args = "divider",
		.el_major = 4, .el_minor_min = 7, .el_minor_max = 8,
		.kmin = { 2, 6, 9 }, .kmax = { 2, 6, 9 },
		.arch = "x86_64",
		.caveat = "UNCONFIRMED: derived from VMware's 64-bit row, which "
			"was not visible in any copy.",
		.source = SRC_VMW_64 "; " SRC_RH_DIVIDER,
		.unconfirmed = true,
	},
	{
		.id = "vmware-el4.0-x86_64",
		.summary = "RHEL/CentOS 4.0-4.6 x86_64 on VMware: TSC off",
		.add_args = "notsc",
		.el_major = 4, .el_minor_min = 0, .el_minor_max = 6,
		.kmin = { 2, 6, 9 }, .kmax = { 2, 6, 9 },
		.arch = "x86_64",
		.caveat = "UNCONFIRMED: VMware's 64-bit table was not visible in "
			"any copy; this row is from memory.",
		.source = SRC_VMW_64,
		.unconfirmed = true,
	},

	/* --- KVM without kvm-clock (Red Hat's table, revised RHEL 6 guide).
	 * lpj=n is in Red Hat's rows but its value is per guest; Red Hat
	 * says to omit it when unknown, so it is in the caveat only. */
	{
		.id = "kvm-el5-x86_64",
		.summary = "RHEL/CentOS 5.3+ x86_64 on KVM without kvm-clock: TSC off",
		.add_args = "notsc",
		.remove_args = "divider",
		.el_major = 5, .el_minor_min = 3, .el_minor_max = -1,
		.kmin = { 2, 6, 18 }, .kmax = { 2, 6, 18 },
		.arch = "x86_64",
		.caveat = "Only when the guest does not use kvm-clock (5.5+ "
			"guests normally do, and then need nothing). Red Hat also "
			"lists lpj=n for 5.5; leave it out unless you know this "
			"guest's loops-per-jiffy. The older RHEL 5 guide added "
			"divider=10, withdrawn because " DIVIDER_PANIC ".",
		.source = SRC_RH_KVM,
	},
	{
		.id = "kvm-el5-i686",
		.summary = "RHEL/CentOS 5.3+ 32-bit on KVM without kvm-clock: ACPI PM timer",
		.add_args = "clocksource=acpi_pm",
		.remove_args = "clock divider",
		.el_major = 5, .el_minor_min = 3, .el_minor_max = -1,
		.kmin = { 2, 6, 18 }, .kmax = { 2, 6, 18 },
		.arch = "i686",
		.conflicts = "clock",
		.caveat = "Only when the guest does not use kvm-clock. Red Hat "
			"also lists lpj=n for 5.5; leave it out unless you know "
			"this guest's loops-per-jiffy. The older RHEL 5 guide added "
			"divider=10, withdrawn because " DIVIDER_PANIC ".",
		.source = SRC_RH_KVM,
	},
	{
		.id = "kvm-el6",
		.summary = "RHEL/CentOS 6 on KVM without kvm-clock: TSC off",
		.add_args = "notsc",
		.remove_args = "divider",
		.el_major = 6, .el_minor_min = 0, .el_minor_max = -1,
		.kmin = { 2, 6, 32 }, .kmax = { 2, 6, 32 },
		.arch = NULL,
		.caveat = "Only when the guest does not use kvm-clock (the "
			"default clocksource under KVM). Red Hat also lists lpj=n; "
			"leave it out unless you know this guest's value. RHEL 6 is "
			"tickless, so divider= is useless there.",
		.source = SRC_RH_KVM,
	},

	/* --- Modern kernels (2.6.32 and later: tickless, generic
	 * clocksources, paravirtual clocks). clock= is deprecated and only
	 * maps to clocksource=, forcing an old timer over the hypervisor's
	 * clock; divider= is not a parameter outside RHEL 4.7+/5.1+. */
	{
		.id = "modern",
		.summary = "Modern kernel: remove the obsolete clock= and divider=",
		.add_args = NULL,
		.remove_args = "clock divider",
		.el_major = 0, .el_minor_min = -1, .el_minor_max = -1,
		.kmin = { 2, 6, 32 }, .kmax = { 0, 0, 0 },
		.arch = NULL,
		.caveat = "clock= is deprecated and only maps to clocksource= "
			"(the kernel logs \"clock= boot option is deprecated\"); it "
			"can only force an older timer in place of the hypervisor's "
			"clock. divider= exists only on RHEL/CentOS 4.7+ and 5.1+ "
			"kernels; elsewhere it does nothing.",
		.source = "Linux kernel/time/clocksource.c boot_override_clock; "
			"Documentation/kernel-parameters.txt; " SRC_RH_DIVIDER,
	},
	{
		.id = "none",
		.summary = "No boot arguments needed (paravirtual clock: Hyper-V TSC page, kvm-clock, VMware/Xen)",
		.add_args = NULL,
		.remove_args = NULL,
		.el_major = 0, .el_minor_min = -1, .el_minor_max = -1,
		.kmin = { 0, 0, 0 }, .kmax = { 0, 0, 0 },
		.arch = NULL,
		.source = "Linux Documentation/virt/hyperv/clocks.rst; " SRC_RH_KVM
			"; " SRC_VMW_32 " (RHEL 6, SLES 11: none)",
	},
};

const struct remedy *remedy_table(size_t *n)
{
	*n = UTIL_ARRAY_SIZE(table);
	return table;
}

const struct remedy *remedy_find(const char *id)
{
	if (!id)
		return NULL;
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(table); i++)
		if (!strcmp(table[i].id, id))
			return &table[i];
	return NULL;
}

/* '-' and '_' alike, as the kernel's parameq() does. */
static bool same_key(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);

	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++) {
		char x = a[i] == '-' ? '_' : a[i], y = b[i] == '-' ? '_' : b[i];

		if (x != y)
			return false;
	}
	return true;
}

bool remedy_list_has(const char *list, const char *key)
{
	const char *p = list;

	if (!list || !key)
		return false;
	while (*p) {
		size_t n, k;

		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (!n)
			break;
		k = strcspn(p, "=");
		if (k > n)
			k = n;
		if (same_key(p, k, key))
			return true;
		p += n;
	}
	return false;
}

enum arch_family { ARCH_UNKNOWN, ARCH_X86_32, ARCH_X86_64, ARCH_OTHER };

static enum arch_family arch_of(const char *a)
{
	static const char *const x32[] = { "i386", "i486", "i586", "i686", "x86", "ia32" };

	if (!a || !*a)
		return ARCH_UNKNOWN;
	if (!strcmp(a, "x86_64") || !strcmp(a, "amd64"))
		return ARCH_X86_64;
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(x32); i++)
		if (!strcmp(a, x32[i]))
			return ARCH_X86_32;
	return ARCH_OTHER;
}

/* The architecture a release string names, if any: "3.10.0-1160.el7.x86_64",
 * "2.6.18-194.el5PAE" (PAE kernels are 32-bit only), "4.19.0-6-amd64",
 * "2.6.32-5-686". */
static enum arch_family arch_of_release(const char *rel)
{
	if (strstr(rel, "x86_64") || strstr(rel, "amd64"))
		return ARCH_X86_64;
	if (strstr(rel, "i686") || strstr(rel, "i586") || strstr(rel, "i386") ||
	    strstr(rel, "PAE") || strstr(rel, "-686") || strstr(rel, "-486"))
		return ARCH_X86_32;
	return ARCH_UNKNOWN;
}

/* RHEL 4 kernels say "2.6.9-89.0.16.ELsmp": an upper-case EL tag that
 * kver's ".elN" parser does not take. */
void remedy_el_release(const struct kver *k, int *major, int *minor)
{
	if (!k || !k->valid) {
		*major = 0;
		*minor = -1;
		return;
	}
	*major = k->el_major;
	*minor = k->el_minor;
	if (!*major && kver_cmp(k, 2, 6, 9) == 0 && strstr(k->local, ".EL") &&
	    isdigit((unsigned char)k->local[0])) {
		int build = 0;

		for (const char *p = k->local; isdigit((unsigned char)*p) &&
		     build < 1000000; p++)
			build = build * 10 + (*p - '0');
		*major = 4;
		*minor = kver_el_minor(4, build);
	}
}

static bool open_bound(const int v[3])
{
	return !v[0] && !v[1] && !v[2];
}

bool remedy_applies_to_kernel(const struct remedy *r, const struct kver *k,
			      const char *arch)
{
	enum arch_family want, have;
	int el_major, el_minor;

	if (!r || !k || !k->valid)
		return false;
	if (!open_bound(r->kmin) && kver_cmp(k, r->kmin[0], r->kmin[1], r->kmin[2]) < 0)
		return false;
	if (!open_bound(r->kmax) && kver_cmp(k, r->kmax[0], r->kmax[1], r->kmax[2]) > 0)
		return false;
	remedy_el_release(k, &el_major, &el_minor);
	if (r->el_major) {
		if (el_major != r->el_major)
			return false;
		if ((r->el_minor_min > 0 || r->el_minor_max >= 0) && el_minor < 0)
			return false;
		if (r->el_minor_min > 0 && el_minor < r->el_minor_min)
			return false;
		if (r->el_minor_max >= 0 && el_minor > r->el_minor_max)
			return false;
	}
	if (r->arch) {
		want = arch_of(r->arch);
		have = arch_of(arch);
		if (have == ARCH_UNKNOWN)
			have = arch_of_release(k->release);
		if (have != ARCH_UNKNOWN && have != want)
			return false;
	}
	return true;
}
