/*
 * atomicfile.h - the only code that replaces whole files (appending to the
 * sample log has its own small writer, logfile.h).
 *
 * atomicfile_replace() leaves the destination either as it was or wholly
 * new, whatever happens (ENOSPC, EROFS, SIGKILL at any instruction):
 *   - a symbolic link is resolved and its target is written, so the link
 *     stays a link (under a sysroot, inside the root);
 *   - the new contents go to a temporary file created with O_EXCL in the
 *     same directory, with the old file's mode, owner, group and extended
 *     attributes (the SELinux label among them);
 *   - file and directory are fsync()ed around the rename();
 *   - a flock() on the directory keeps two hvclock writers apart, and
 *     temporary files left by a killed writer are removed under it;
 *   - a file with several hard links is refused (a rename would split
 *     them) unless in_place is set, which rewrites it in place instead
 *     (not atomic: said so in the docs).
 * Every failure leaves the original untouched and names the file and cause.
 */
#ifndef HV_ATOMICFILE_H
#define HV_ATOMICFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "strbuf.h"

struct atomicfile_opts {
	mode_t mode_if_new;        /* mode when the file does not exist yet */
	bool in_place;             /* allow rewriting a hard-linked file in place */
	/*
	 * Backup of the old contents before the rename, named
	 * path + backup_suffix; NULL or "" = no backup. An existing backup is
	 * never overwritten: a numbered name (".1", ".2"...) is taken instead.
	 */
	const char *backup_suffix;
	/* Refuse to write through a symbolic link in the final component. */
	bool no_follow;
	/*
	 * The caller already holds atomicfile_lock() on the file's directory
	 * (held across its read-modify-write), so do not lock again.
	 */
	bool lock_held;
};

/*
 * Takes the writers' lock on directory dir (the flock atomicfile_replace
 * takes), waiting at most timeout_ms for another writer. Returns a file
 * descriptor for atomicfile_unlock(), or -1 with err.
 */
int atomicfile_lock(const char *dir, int timeout_ms, char *err);
void atomicfile_unlock(int fd);
/*
 * Removes the temporary files a killed writer left next to path (call with
 * the directory's lock held). atomicfile_replace() does it itself; this is
 * for a locked run that ends up writing nothing.
 */
void atomicfile_cleanup(const char *path);

/*
 * Replaces the file at path (a real path, already under any sysroot) with
 * data. On success, *backup_out (if not NULL) receives the backup's path
 * (empty when none was made) and *written_out (if not NULL) the path that
 * was actually written (the symlink's target). Returns 0 or -1 with err.
 */
int atomicfile_replace(const char *path, const void *data, size_t len,
		       const struct atomicfile_opts *opts,
		       struct strbuf *written_out, struct strbuf *backup_out,
		       char *err);

/* Whether path is a regular file with more than one hard link. */
bool atomicfile_is_hardlinked(const char *path);

#endif
