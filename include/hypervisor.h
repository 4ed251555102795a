/*
 * hypervisor.h - which hypervisor a guest runs on, from several pieces of
 * evidence, each kept with what it said (after systemd's detect_vm()).
 *
 * Pure functions: the evidence is gathered by env.c.
 */
#ifndef HV_HYPERVISOR_H
#define HV_HYPERVISOR_H

#include <stddef.h>

enum hv_vendor {
	HV_UNKNOWN = 0,  /* no evidence either way */
	HV_NONE,         /* bare metal */
	HV_HYPERV,
	HV_KVM,
	HV_VMWARE,
	HV_XEN,
	HV_VIRTUALBOX,
	HV_OTHER         /* a hypervisor, but none of the above (bhyve, ...) */
};

/* "Hyper-V", "KVM", "VMware", "Xen", "VirtualBox", "bare metal", "unknown",
 * "other". */
const char *hypervisor_name(enum hv_vendor v);
/* Stable JSON/rule identifiers: "hyperv", "kvm", "vmware", "xen",
 * "virtualbox", "none", "unknown", "other". */
const char *hypervisor_id(enum hv_vendor v);
/* Inverse of hypervisor_id; HV_UNKNOWN for anything else. */
enum hv_vendor hypervisor_from_id(const char *id);

struct hv_evidence {
	char source[48];   /* "cpuid 0x40000000", "dmi sys_vendor", ... */
	enum hv_vendor says;
	char detail[160];  /* what was seen, e.g. the signature or line */
};

/* CPUID leaf 0x40000000 signature (EBX, ECX, EDX as 12 bytes). */
enum hv_vendor hypervisor_from_cpuid_signature(const char sig[12]);
/* DMI sys_vendor / product_name (either may be NULL). */
enum hv_vendor hypervisor_from_dmi(const char *sys_vendor,
				   const char *product_name);
/* /sys/hypervisor/type contents ("xen"). */
enum hv_vendor hypervisor_from_sys_type(const char *type);
/* A "Hypervisor detected: NAME" name ("Microsoft HyperV", "Microsoft
 * Hyper-V", "KVM", "VMware", "Xen HVM", "Xen PV", ...). */
enum hv_vendor hypervisor_from_klog_name(const char *name);

/*
 * The verdict from all evidence. Hyper-V's CPUID signature is also shown by
 * KVM/QEMU with Hyper-V enlightenments, so a "Microsoft Hv" signature that
 * DMI contradicts (e.g. DMI says QEMU/KVM) yields KVM. Writes a one-line
 * reason into why.
 */
enum hv_vendor hypervisor_verdict(const struct hv_evidence *ev, size_t n,
				  char *why, size_t whylen);

#endif
