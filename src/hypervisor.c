/*
 * hypervisor.c - classify evidence and reach a verdict.
 *
 * The order of trust follows systemd's detect_vm(): DMI first for the
 * vendors that may run on KVM underneath (VirtualBox, Xen), then CPUID,
 * then the rest. CPUID is not taken at its word for "Microsoft Hv",
 * because QEMU/KVM with Hyper-V enlightenments shows that signature too.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "hypervisor.h"
#include "util.h"

static const struct {
	enum hv_vendor v;
	const char *id, *name;
} names[] = {
	{ HV_UNKNOWN, "unknown", "unknown" },
	{ HV_NONE, "none", "bare metal" },
	{ HV_HYPERV, "hyperv", "Hyper-V" },
	{ HV_KVM, "kvm", "KVM" },
	{ HV_VMWARE, "vmware", "VMware" },
	{ HV_XEN, "xen", "Xen" },
	{ HV_VIRTUALBOX, "virtualbox", "VirtualBox" },
	{ HV_OTHER, "other", "other hypervisor" },
};

const char *hypervisor_name(enum hv_vendor v)
{
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(names); i++)
		if (names[i].v == v)
			return names[i].name;
	return "unknown";
}

const char *hypervisor_id(enum hv_vendor v)
{
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(names); i++)
		if (names[i].v == v)
			return names[i].id;
	return "unknown";
}

enum hv_vendor hypervisor_from_id(const char *id)
{
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(names); i++)
		if (!strcmp(names[i].id, id))
			return names[i].v;
	return HV_UNKNOWN;
}

enum hv_vendor hypervisor_from_cpuid_signature(const char sig[12])
{
	static const struct {
		const char sig[13];
		enum hv_vendor v;
	} sigs[] = {
		{ "Microsoft Hv", HV_HYPERV },
		{ "KVMKVMKVM\0\0\0", HV_KVM },
		{ "Linux KVM Hv", HV_KVM },
		{ "TCGTCGTCGTCG", HV_OTHER },   /* QEMU without KVM */
		{ "VMwareVMware", HV_VMWARE },
		{ "XenVMMXenVMM", HV_XEN },
		{ "VBoxVBoxVBox", HV_VIRTUALBOX },
	};

	for (size_t i = 0; i < UTIL_ARRAY_SIZE(sigs); i++)
		if (!memcmp(sig, sigs[i].sig, 12))
			return sigs[i].v;
	/* Any other printable signature is some hypervisor (bhyve, ACRN...). */
	for (int i = 0; i < 12; i++)
		if (sig[i] && sig[i] != ' ')
			return HV_OTHER;
	return HV_UNKNOWN;
}

/* Prefix table after systemd's dmi_vendor_table. */
static enum hv_vendor dmi_one(const char *s)
{
	static const struct {
		const char *prefix;
		enum hv_vendor v;
	} t[] = {
		{ "KVM", HV_KVM }, { "OpenStack", HV_KVM }, { "KubeVirt", HV_KVM },
		{ "Amazon EC2", HV_KVM }, { "QEMU", HV_KVM }, { "Google Compute Engine", HV_KVM },
		{ "VMware", HV_VMWARE }, { "VMW", HV_VMWARE },
		{ "innotek GmbH", HV_VIRTUALBOX }, { "VirtualBox", HV_VIRTUALBOX },
		{ "Oracle Corporation", HV_VIRTUALBOX },
		{ "Xen", HV_XEN },
		{ "Bochs", HV_OTHER }, { "Parallels", HV_OTHER }, { "BHYVE", HV_OTHER },
		{ "Apple Virtualization", HV_OTHER },
		{ "Microsoft Corporation", HV_HYPERV }, { "Hyper-V", HV_HYPERV },
	};

	if (!s)
		return HV_UNKNOWN;
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(t); i++)
		if (!strncmp(s, t[i].prefix, strlen(t[i].prefix)))
			return t[i].v;
	return HV_UNKNOWN;
}

enum hv_vendor hypervisor_from_dmi(const char *sys_vendor,
				   const char *product_name)
{
	enum hv_vendor v = dmi_one(sys_vendor);

	/*
	 * "Microsoft Corporation" alone is also a Surface laptop; a Hyper-V
	 * guest says product "Virtual Machine".
	 */
	if (v == HV_HYPERV && sys_vendor &&
	    !strncmp(sys_vendor, "Microsoft Corporation", 21))
		return product_name && !strncmp(product_name, "Virtual Machine", 15) ?
			HV_HYPERV : HV_UNKNOWN;
	if (v == HV_UNKNOWN)
		v = dmi_one(product_name);
	return v;
}

enum hv_vendor hypervisor_from_sys_type(const char *type)
{
	if (type && !strncmp(type, "xen", 3))
		return HV_XEN;
	return HV_UNKNOWN;
}

enum hv_vendor hypervisor_from_klog_name(const char *name)
{
	static const struct {
		const char *prefix;
		enum hv_vendor v;
	} t[] = {
		{ "Microsoft HyperV", HV_HYPERV }, { "Microsoft Hyper-V", HV_HYPERV },
		{ "KVM", HV_KVM }, { "VMware", HV_VMWARE }, { "Xen", HV_XEN },
	};

	for (size_t i = 0; i < UTIL_ARRAY_SIZE(t); i++)
		if (!strncmp(name, t[i].prefix, strlen(t[i].prefix)))
			return t[i].v;
	return *name ? HV_OTHER : HV_UNKNOWN;
}

enum hv_vendor hypervisor_verdict(const struct hv_evidence *ev, size_t n,
				  char *why, size_t whylen)
{
	enum hv_vendor cpuid = HV_UNKNOWN, dmi = HV_UNKNOWN;
	int votes[HV_OTHER + 1] = { 0 };
	const struct hv_evidence *other = NULL, *none = NULL;
	enum hv_vendor best = HV_UNKNOWN;
	int best_votes = 0;

	for (size_t i = 0; i < n; i++) {
		const struct hv_evidence *e = &ev[i];

		if (!strncmp(e->source, "cpuid", 5) && e->says != HV_UNKNOWN &&
		    cpuid == HV_UNKNOWN)
			cpuid = e->says;
		if (!strncmp(e->source, "dmi", 3) && e->says != HV_UNKNOWN &&
		    dmi == HV_UNKNOWN)
			dmi = e->says;
		if (e->says == HV_NONE && !none)
			none = e;
		else if (e->says == HV_OTHER && !other)
			other = e;
		else if (e->says > HV_NONE && e->says < HV_OTHER)
			votes[e->says]++;
	}
	/* DMI first for vendors that run on KVM underneath. */
	if (dmi == HV_VIRTUALBOX || dmi == HV_XEN) {
		snprintf(why, whylen, "DMI names %s", hypervisor_name(dmi));
		return dmi;
	}
	/* QEMU/KVM with Hyper-V enlightenments also signs "Microsoft Hv". */
	if (cpuid == HV_HYPERV && dmi == HV_KVM) {
		snprintf(why, whylen,
			 "CPUID says Hyper-V but DMI says KVM/QEMU: KVM with Hyper-V enlightenments");
		return HV_KVM;
	}
	if (cpuid > HV_NONE && cpuid < HV_OTHER) {
		snprintf(why, whylen, "CPUID hypervisor signature names %s%s",
			 hypervisor_name(cpuid),
			 votes[cpuid] > 1 ? ", corroborated by other evidence" : "");
		return cpuid;
	}
	for (int v = HV_HYPERV; v < HV_OTHER; v++)
		if (votes[v] > best_votes) {
			best_votes = votes[v];
			best = (enum hv_vendor)v;
		}
	if (best != HV_UNKNOWN) {
		int rivals = 0;

		for (int v = HV_HYPERV; v < HV_OTHER; v++)
			if (v != (int)best && votes[v])
				rivals++;
		snprintf(why, whylen, "%d piece%s of evidence name %s%s", best_votes,
			 best_votes > 1 ? "s" : "", hypervisor_name(best),
			 rivals ? " (some evidence disagrees)" : "");
		return best;
	}
	if (other) {
		snprintf(why, whylen, "a hypervisor that is none of the known ones (%s: %s)",
			 other->source, other->detail);
		return HV_OTHER;
	}
	if (none) {
		snprintf(why, whylen, "no hypervisor: %s", none->detail);
		return HV_NONE;
	}
	snprintf(why, whylen, "no evidence either way");
	return HV_UNKNOWN;
}
