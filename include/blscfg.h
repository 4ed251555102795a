/*
 * blscfg.h - BootLoaderSpec entries (/boot/loader/entries/ *.conf) as
 * bootcfg entries: one entry per file, its arguments on the `options`
 * line(s) (several options lines are joined, as GRUB's blscfg and
 * systemd-boot do). An options line that says `$kernelopts` (RHEL 8,
 * Fedora 30-33) takes the kernelopts variable from the GRUB environment
 * block: that variable is then the place where new arguments go, shared
 * by every entry that uses it.
 */
#ifndef HV_BLSCFG_H
#define HV_BLSCFG_H

#include "bootcfg.h"

/*
 * Parses bc->files[file].old into one entry. env_file: index of the
 * grubenv file, or (size_t)-1 when there is none. Returns 0 or -1 (err).
 */
int blscfg_parse(struct bootcfg *bc, size_t file, size_t env_file, char *err);
/* The entry id: the file name without ".conf" (what saved_entry names). */
void blscfg_entry_id(const char *path, char *out, size_t n);

#endif
