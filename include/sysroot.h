/*
 * sysroot.h - the one door to /proc, /sys, /etc, /boot, /var/log and /dev.
 *
 * Every read of the system's files goes through here, so `--sysroot DIR`
 * (or HVCLOCK_SYSROOT) can replay a whole machine from a fixture tree, the
 * way util-linux's lscpu -s does. Paths given to these functions are always
 * the absolute paths the live system would use ("/proc/cmdline").
 *
 * Under a sysroot, symbolic links are resolved inside DIR (an absolute link
 * target is taken relative to DIR, ".." stops at DIR), so a fixture never
 * reads the live machine by accident. Live, paths are used as they are.
 */
#ifndef HV_SYSROOT_H
#define HV_SYSROOT_H

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>

#include "strbuf.h"

/* Largest file sysroot_read() takes by default (config and /proc files). */
#define SYSROOT_READ_MAX (4u << 20)

/*
 * Sets the root. NULL, "" and "/" mean the live machine. Fails when DIR is
 * not a directory.
 */
int sysroot_set(const char *dir, char *err);
/* The root in use ("" when live). */
const char *sysroot_dir(void);
bool sysroot_is_live(void);

/*
 * The path to use for the system path abs: symbolic links resolved inside
 * the root when one is set. Fails (with the reason) only when a link loops
 * or a component cannot be read; a missing final file is not an error here.
 */
int sysroot_path(const char *abs, struct strbuf *out, char *err);
/*
 * Resolves abs to the absolute path it names inside the root, following
 * symbolic links (so /etc/grub.conf -> /boot/grub/grub.conf gives the
 * latter). Used by writers that must write the link's target.
 */
int sysroot_realpath(const char *abs, struct strbuf *out, char *err);

/*
 * Reads the whole file into out (replacing its contents). Fails for a file
 * larger than max bytes ("file too large"), a directory, or any open/read
 * error; err names the system path and the cause.
 */
int sysroot_read(const char *abs, size_t max, struct strbuf *out, char *err);
/* First line of the file, trailing blanks removed. */
int sysroot_read_line(const char *abs, struct strbuf *out, char *err);
/* Opens read-only (O_RDONLY|O_CLOEXEC|extra_flags); returns fd or -1. */
int sysroot_open(const char *abs, int extra_flags, char *err);
/* Opens for streaming reads of big files (logs). */
FILE *sysroot_fopen(const char *abs, char *err);
DIR *sysroot_opendir(const char *abs, char *err);
bool sysroot_exists(const char *abs);
/* stat()/lstat() of the path in the root; -1 with errno set on failure. */
int sysroot_stat(const char *abs, struct stat *st);
int sysroot_lstat(const char *abs, struct stat *st);
/* Target of the symbolic link at abs, as stored in the link. */
int sysroot_readlink(const char *abs, struct strbuf *out, char *err);

/*
 * Calls fn(abs_path, arg) for each directory entry of dir whose name matches
 * the fnmatch(3) pattern, in sorted order. Returns the number of matches, or
 * -1 when the directory cannot be opened (err says why). A non-zero return
 * from fn stops the walk.
 */
int sysroot_list(const char *dir, const char *pattern,
		 int (*fn)(const char *abs, void *arg), void *arg, char *err);

#endif
