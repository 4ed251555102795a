/*
 * cpuprobe.c - CPU facts through libcpuid.
 *
 * libcpuid decodes vendor, brand and feature flags; the hypervisor leaves
 * are read with its cpu_exec_cpuid() directly, because its own hypervisor
 * table is short (0.6.2 answers "unknown" for bhyve, ACRN...) and the raw
 * signature is the better evidence to show.
 */
#include <stdio.h>
#include <string.h>

#include <libcpuid.h>

#include "cpuprobe.h"
#include "util.h"

static const char *libcpuid_hv_name(hypervisor_vendor_t v)
{
	switch (v) {
	case HYPERVISOR_NONE: return "none";
	case HYPERVISOR_HYPERV: return "hyperv";
	case HYPERVISOR_KVM: return "kvm";
	case HYPERVISOR_VMWARE: return "vmware";
	case HYPERVISOR_XEN: return "xen";
	case HYPERVISOR_VIRTUALBOX: return "virtualbox";
	case HYPERVISOR_BHYVE: return "bhyve";
	case HYPERVISOR_PARALLELS: return "parallels";
	case HYPERVISOR_QEMU: return "qemu";
	default: return "unknown";
	}
}

void cpuprobe_read(struct cpuprobe *p)
{
	struct cpu_raw_data_t raw;
	struct cpu_id_t id;
	uint32_t r[4];

	memset(p, 0, sizeof(*p));
	p->tsc = p->constant_tsc = p->invariant_tsc = p->hypervisor_bit = -1;
	p->libcpuid_hv = "unknown";
	if (!cpuid_present()) {
		snprintf(p->why, sizeof(p->why), "the CPU has no CPUID instruction");
		return;
	}
	if (cpuid_get_raw_data(&raw) || cpu_identify(&raw, &id)) {
		snprintf(p->why, sizeof(p->why), "libcpuid: %s", cpuid_error());
		return;
	}
	p->ok = true;
	snprintf(p->vendor, sizeof(p->vendor), "%s", id.vendor_str);
	snprintf(p->brand, sizeof(p->brand), "%s", id.brand_str);
	util_trim(p->brand);
	p->tsc = id.flags[CPU_FEATURE_TSC] ? 1 : 0;
	p->constant_tsc = id.flags[CPU_FEATURE_CONSTANT_TSC] ? 1 : 0;
	p->hypervisor_bit = id.flags[CPU_FEATURE_HYPERVISOR] ? 1 : 0;

	cpu_exec_cpuid(0x80000000, r);
	if (r[0] >= 0x80000007) {
		cpu_exec_cpuid(0x80000007, r);
		p->invariant_tsc = (r[3] >> 8) & 1;
	}
	p->libcpuid_hv = libcpuid_hv_name(cpuid_get_hypervisor(&raw, &id));
	/*
	 * Leaf 0x40000000 means something only when the hypervisor bit is set;
	 * on bare metal it returns whatever the highest basic leaf holds.
	 */
	if (p->hypervisor_bit == 1) {
		cpu_exec_cpuid(0x40000000, r);
		p->hv_leaf = true;
		p->hv_max_leaf = r[0];
		memcpy(p->hv_signature, &r[1], 4);
		memcpy(p->hv_signature + 4, &r[2], 4);
		memcpy(p->hv_signature + 8, &r[3], 4);
		p->hv_signature[12] = '\0';
		if (!memcmp(p->hv_signature, "Microsoft Hv", 12) &&
		    p->hv_max_leaf >= 0x40000003) {
			cpu_exec_cpuid(0x40000003, r);
			p->hyperv_features_ok = true;
			p->hyperv_features = r[0];
		}
	}
}
