/*
 * logfile.h - safe appends to a line-oriented log that several processes
 * write (hvclock log from cron, hvclock watch), and that must keep every
 * complete line whatever happens to a writer.
 *
 *   - an exclusive flock() held from open to close, so overlapping runs
 *     never interleave and each sees the previous run's last line;
 *   - each append is one write() on an O_APPEND descriptor, then fsync():
 *     a writer killed at any instruction leaves either its whole line or
 *     nothing (ENOSPC can still cut a write short: the torn tail is then
 *     ended with '\n' by the next append, so it stays one damaged line and
 *     never glues itself to a good one);
 *   - a symbolic link at the log's name is followed only where nobody
 *     else can have put it (link and directory owned by root or by us,
 *     the directory writable by its owner alone), so a link planted in
 *     /tmp or a group-writable log directory never redirects a root-owned
 *     writer; the final name is opened with O_NOFOLLOW, so a link swapped
 *     in after that check is refused too;
 *   - a log rotated (renamed) between open and lock is opened again;
 *   - missing directories are created (0755), the file with 0644.
 */
#ifndef HV_LOGFILE_H
#define HV_LOGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "strbuf.h"

struct logfile;

/*
 * Opens (creating) path for appending and takes the lock, waiting at most
 * lock_timeout_s for another writer. Returns 0 with *out, or -1 with err
 * naming the path and the cause.
 */
int logfile_open(const char *path, double lock_timeout_s,
		 struct logfile **out, char *err);
void logfile_close(struct logfile *lf);

/* Size in bytes when opened or after the last append. */
off_t logfile_size(const struct logfile *lf);

/*
 * The last complete lines: at most max bytes from the end, starting at a
 * line boundary, each line ending in '\n' (a torn last line is left out).
 * out is replaced.
 */
int logfile_tail(struct logfile *lf, size_t max, struct strbuf *out, char *err);
/* The first line (at most max bytes, without '\n'), "" for an empty file. */
int logfile_head(struct logfile *lf, size_t max, struct strbuf *out, char *err);

/*
 * Appends data (complete lines) with one write() and fsync()s. When the
 * file ends in a torn line, a '\n' is put in front in the same write.
 */
int logfile_append(struct logfile *lf, const void *data, size_t len, char *err);

#endif
