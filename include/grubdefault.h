/*
 * grubdefault.h - GRUB_CMDLINE_LINUX in /etc/default/grub (a shell file
 * that grub-mkconfig sources) as one global bootcfg entry.
 *
 * The kernel line grub-mkconfig writes is "... $GRUB_CMDLINE_LINUX
 * $GRUB_CMDLINE_LINUX_DEFAULT" (the second only for normal, not recovery,
 * entries). So new arguments go into GRUB_CMDLINE_LINUX, and an added
 * key found in GRUB_CMDLINE_LINUX_DEFAULT is removed there (it would come
 * last and win). Successive assignments are followed the way the shell
 * runs them: `X="$X more"` extends the previous value, a plain assignment
 * replaces it. Values must be one double-quoted, single-quoted or plain
 * word; any other expansion ($(...), `...`, other variables) is refused
 * rather than guessed. Quoting stays valid: inserted text is escaped for
 * its quotes, and a plain word is put in double quotes when it needs them.
 */
#ifndef HV_GRUBDEFAULT_H
#define HV_GRUBDEFAULT_H

#include "bootcfg.h"

/* Parses bc->files[file].old into one global entry. 0 or -1 (err). */
int grubdefault_parse(struct bootcfg *bc, size_t file, char *err);

#endif
