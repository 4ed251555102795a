/*
 * cpuprobe.h - the libcpuid wrapper: CPU vendor and brand, TSC features
 * and the hypervisor CPUID leaves. Live only (CPUID describes the CPU this
 * process runs on, never a sysroot).
 */
#ifndef HV_CPUPROBE_H
#define HV_CPUPROBE_H

#include <stdbool.h>
#include <stdint.h>

struct cpuprobe {
	bool ok;                 /* CPUID could be executed */
	char why[128];           /* reason when !ok */
	char vendor[32];         /* "GenuineIntel" */
	char brand[64];          /* brand string, trimmed */
	int tsc;                 /* leaf 1 EDX bit 4; -1 unknown */
	int constant_tsc;        /* libcpuid's CPU_FEATURE_CONSTANT_TSC */
	int invariant_tsc;       /* leaf 0x80000007 EDX bit 8; -1 unknown */
	int hypervisor_bit;      /* leaf 1 ECX bit 31 */
	bool hv_leaf;            /* leaf 0x40000000 was read */
	char hv_signature[13];   /* EBX, ECX, EDX of 0x40000000, NUL-ended */
	uint32_t hv_max_leaf;
	const char *libcpuid_hv; /* libcpuid's own verdict, e.g. "hyperv" */
	/* Hyper-V feature leaf 0x40000003 EAX (when signed "Microsoft Hv"). */
	bool hyperv_features_ok;
	uint32_t hyperv_features;
};

/* Fills p from the CPU this process runs on. */
void cpuprobe_read(struct cpuprobe *p);

/* Hyper-V 0x40000003 EAX bits that matter for time (hyperv-tlfs.h). */
#define CPUPROBE_HV_TIME_REF_COUNT (1u << 1)
#define CPUPROBE_HV_SYNTH_TIMERS (1u << 3)
#define CPUPROBE_HV_REFERENCE_TSC (1u << 9)

#endif
