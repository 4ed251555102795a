/*
 * grubcfg.h - GRUB legacy configs (grub.conf, menu.lst) as bootcfg entries.
 *
 * Each `title` starts an entry. A Linux entry's arguments are on its
 * `kernel` line; in a multiboot entry (`kernel /xen.gz` + `module
 * /vmlinuz...`) they are on the Linux kernel's `module` line, and with
 * tboot (`kernel /tboot.gz`) the Linux kernel is the module after Xen's
 * (or the first module without Xen). Entries booting something else
 * (memtest86, BSD, Hurd/Mach, chainloader, no kernel at all) are entries
 * with a skip reason. A Debian `# kopt=` line inside the AUTOMAGIC block
 * (what update-grub regenerates kernel lines from) is a global entry.
 * Nothing else is touched: this parser only finds spans.
 */
#ifndef HV_GRUBCFG_H
#define HV_GRUBCFG_H

#include "bootcfg.h"

/* Parses bc->files[file].old into entries. Returns 0 or -1 (err). */
int grubcfg_parse(struct bootcfg *bc, size_t file, char *err);

/*
 * Kind of kernel a GRUB legacy kernel/module path names: "linux", "xen",
 * "tboot", "memtest", "bsd", "hurd", "initrd", "unknown" (basename based).
 */
const char *grubcfg_kernel_kind(const char *path);

#endif
