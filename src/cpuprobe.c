/*
 * cpuprobe.c - CPU facts through libcpuid.
 *
 * libcpuid decodes vendor, brand and feature flags; the hypervisor leaves
 * are read with its cpu_exec_cpuid() directly, because its own hypervisor
 * table is short (0.6.2 answers "unknown" for bhyve, ACRN...) and the raw
 * signature is the better evidence to show.
 *
 * The library is loaded with dlopen() when the probe runs, not linked:
 * only env and diagnose identify the CPU, and a linked libcpuid costs
 * every process ~190 KiB of resident memory (relocated tables), which
 * the cron-run `log` and `query` must not carry (their target is 2 MiB).
 * Its header still gives the types, so the ABI is the soname's.
 */
#include <dlfcn.h>
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

/* The build names the soname it compiled against (Makefile). */
#ifndef HV_LIBCPUID_SONAME
#define HV_LIBCPUID_SONAME "libcpuid.so.16"
#endif

/* The header's own prototypes give the pointers' types. */
static struct {
	bool loaded;
	__typeof__(&cpuid_present) present;
	__typeof__(&cpuid_get_raw_data) get_raw_data;
	__typeof__(&cpu_identify) identify;
	__typeof__(&cpuid_error) error;
	__typeof__(&cpu_exec_cpuid) exec_cpuid;
	__typeof__(&cpuid_get_hypervisor) get_hypervisor;
} lc;

static int load_libcpuid(char *why, size_t n)
{
	static const char lib[] = HV_LIBCPUID_SONAME;
	void *h;

	if (lc.loaded)
		return 0;
	h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(why, n, "cannot load %s: %s", lib, dlerror());
		return -1;
	}
#define SYM(slot, name)							\
	do {								\
		void *f = dlsym(h, name);				\
		if (!f) {						\
			snprintf(why, n, "cannot find '%s' in %s", name, lib); \
			return -1;					\
		}							\
		memcpy(&lc.slot, &f, sizeof(f));			\
	} while (0)
	SYM(present, "cpuid_present");
	SYM(get_raw_data, "cpuid_get_raw_data");
	SYM(identify, "cpu_identify");
	SYM(error, "cpuid_error");
	SYM(exec_cpuid, "cpu_exec_cpuid");
	SYM(get_hypervisor, "cpuid_get_hypervisor");
#undef SYM
	lc.loaded = true;
	return 0;
}

void cpuprobe_read(struct cpuprobe *p)
{
	struct cpu_raw_data_t raw;
	struct cpu_id_t id;
	uint32_t r[4];

	memset(p, 0, sizeof(*p));
	p->tsc = p->constant_tsc = p->invariant_tsc = p->hypervisor_bit = -1;
	p->libcpuid_hv = "unknown";
	if (load_libcpuid(p->why, sizeof(p->why)))
		return;
	if (!lc.present()) {
		snprintf(p->why, sizeof(p->why), "the CPU has no CPUID instruction");
		return;
	}
	if (lc.get_raw_data(&raw) || lc.identify(&raw, &id)) {
		snprintf(p->why, sizeof(p->why), "libcpuid: %s", lc.error());
		return;
	}
	p->ok = true;
	snprintf(p->vendor, sizeof(p->vendor), "%s", id.vendor_str);
	snprintf(p->brand, sizeof(p->brand), "%s", id.brand_str);
	util_trim(p->brand);
	p->tsc = id.flags[CPU_FEATURE_TSC] ? 1 : 0;
	p->constant_tsc = id.flags[CPU_FEATURE_CONSTANT_TSC] ? 1 : 0;
	p->hypervisor_bit = id.flags[CPU_FEATURE_HYPERVISOR] ? 1 : 0;

	lc.exec_cpuid(0x80000000, r);
	if (r[0] >= 0x80000007) {
		lc.exec_cpuid(0x80000007, r);
		p->invariant_tsc = (r[3] >> 8) & 1;
	}
	p->libcpuid_hv = libcpuid_hv_name(lc.get_hypervisor(&raw, &id));
	/*
	 * Leaf 0x40000000 means something only when the hypervisor bit is set;
	 * on bare metal it returns whatever the highest basic leaf holds.
	 */
	if (p->hypervisor_bit == 1) {
		lc.exec_cpuid(0x40000000, r);
		p->hv_leaf = true;
		p->hv_max_leaf = r[0];
		memcpy(p->hv_signature, &r[1], 4);
		memcpy(p->hv_signature + 4, &r[2], 4);
		memcpy(p->hv_signature + 8, &r[3], 4);
		p->hv_signature[12] = '\0';
		if (!memcmp(p->hv_signature, "Microsoft Hv", 12) &&
		    p->hv_max_leaf >= 0x40000003) {
			lc.exec_cpuid(0x40000003, r);
			p->hyperv_features_ok = true;
			p->hyperv_features = r[0];
		}
	}
}
