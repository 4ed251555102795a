/*
 * atomicfile.c - replace a file atomically (see atomicfile.h for the
 * guarantees). Modelled on git's lockfile.c and chrony's
 * UTI_RenameTempFile, with a directory flock instead of a ".lock" file so
 * that a writer killed with SIGKILL leaves no lock behind to block the
 * next provisioning run.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "atomicfile.h"
#include "util.h"

#define TMP_TAG ".hvclock-tmp-"

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Resolves symbolic links in the final components of path. */
static int resolve_target(const char *path, bool no_follow, struct strbuf *out,
			  char *err)
{
	char buf[PATH_MAX];
	struct stat st;
	int hops = 0;

	strbuf_reset(out);
	strbuf_addstr(out, path);
	while (lstat(out->buf, &st) == 0 && S_ISLNK(st.st_mode)) {
		ssize_t n;

		if (no_follow)
			return util_err(err, "refusing to write '%s': it is a symbolic link",
					path);
		if (++hops > 40)
			return util_err(err, "cannot write '%s': Too many levels of symbolic links",
					path);
		n = readlink(out->buf, buf, sizeof(buf) - 1);
		if (n < 0)
			return util_errno(err, errno, "cannot read link '%s'", out->buf);
		buf[n] = '\0';
		if (buf[0] == '/') {
			strbuf_reset(out);
			strbuf_addstr(out, buf);
		} else {
			char *slash = strrchr(out->buf, '/');

			if (slash)
				strbuf_setlen(out, (size_t)(slash - out->buf + 1));
			else
				strbuf_reset(out);
			strbuf_addstr(out, buf);
		}
	}
	return 0;
}

static void split_dir(const char *path, struct strbuf *dir, const char **base)
{
	const char *slash = strrchr(path, '/');

	strbuf_reset(dir);
	if (!slash) {
		strbuf_addstr(dir, ".");
		*base = path;
	} else if (slash == path) {
		strbuf_addstr(dir, "/");
		*base = slash + 1;
	} else {
		strbuf_add(dir, path, (size_t)(slash - path));
		*base = slash + 1;
	}
}

/* Copies extended attributes (SELinux label, ACLs) from src to fd. */
static int copy_xattrs(const char *src, int fd, char *err)
{
	ssize_t n = llistxattr(src, NULL, 0);
	char *names, *value = NULL;
	size_t vcap = 0;
	int ret = 0;

	if (n <= 0)
		return 0; /* none, or no xattr support: nothing to copy */
	names = xmalloc((size_t)n);
	n = llistxattr(src, names, (size_t)n);
	for (ssize_t off = 0; n > 0 && off < n; off += (ssize_t)strlen(names + off) + 1) {
		const char *name = names + off;
		ssize_t vlen = lgetxattr(src, name, NULL, 0);

		if (vlen < 0)
			continue;
		util_grow((void **)&value, &vcap, (size_t)vlen + 1, 1);
		vlen = lgetxattr(src, name, value, vcap);
		if (vlen < 0)
			continue;
		if (fsetxattr(fd, name, value, (size_t)vlen, 0) && errno != ENOTSUP &&
		    errno != EPERM) {
			ret = util_errno(err, errno, "cannot copy attribute '%s' of '%s'",
					 name, src);
			break;
		}
	}
	free(names);
	free(value);
	return ret;
}

/* Removes temporary files a killed writer left next to base (under lock). */
static void remove_stale(const char *dir, const char *base)
{
	char prefix[NAME_MAX + 32];
	struct strbuf p = STRBUF_INIT;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	snprintf(prefix, sizeof(prefix), ".%s" TMP_TAG, base);
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/%s", dir, de->d_name);
		unlink(p.buf);
	}
	closedir(d);
	strbuf_release(&p);
}

/*
 * Creates path.suffix (or path.suffix.N) holding data, never overwriting.
 * The copy is written to a temporary file first and link()ed to its name
 * (link fails when the name exists), so a writer killed at any point
 * leaves either a complete backup or none (its temporary file is removed
 * as stale by the next writer).
 */
static int make_backup(const char *path, const char *dir, const char *base,
		       const char *suffix, const char *data, size_t len,
		       const struct stat *st, struct strbuf *out, char *err)
{
	struct strbuf tmp = STRBUF_INIT;
	int fd, ret = -1;

	strbuf_addf(&tmp, "%s/.%s" TMP_TAG "XXXXXX", dir, base);
	fd = mkostemp(tmp.buf, O_CLOEXEC);
	if (fd < 0) {
		util_errno(err, errno, "cannot create backup of '%s' in '%s'", path, dir);
		goto out;
	}
	if (write_all(fd, data, len) || fchmod(fd, st->st_mode & 07777) || fsync(fd)) {
		util_errno(err, errno, "cannot write backup of '%s'", path);
		close(fd);
		goto out_unlink;
	}
	if (fchown(fd, st->st_uid, st->st_gid) && errno != EPERM) {
		/* best effort: keep going with our own ownership */
	}
	close(fd);
	for (int i = 0; i < 1000; i++) {
		strbuf_reset(out);
		strbuf_addf(out, "%s%s", path, suffix);
		if (i)
			strbuf_addf(out, ".%d", i);
		if (!link(tmp.buf, out->buf)) {
			ret = 0;
			goto out_unlink;
		}
		if (errno != EEXIST) {
			util_errno(err, errno, "cannot create backup '%s'", out->buf);
			goto out_unlink;
		}
	}
	util_err(err, "cannot create backup of '%s': too many backups", path);
out_unlink:
	unlink(tmp.buf);
out:
	if (ret)
		strbuf_reset(out);
	strbuf_release(&tmp);
	return ret;
}

static int read_fd(int fd, struct strbuf *out)
{
	char buf[8192];
	ssize_t n;

	strbuf_reset(out);
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		strbuf_add(out, buf, (size_t)n);
	}
	return 0;
}

static int rewrite_in_place(const char *target, const void *data, size_t len,
			    char *err)
{
	int fd = open(target, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return util_errno(err, errno, "cannot open '%s'", target);
	/* Grow first so that ENOSPC shows up before anything is overwritten. */
	if (len && posix_fallocate(fd, 0, (off_t)len) && errno != EOPNOTSUPP &&
	    errno != EINVAL) {
		int e = errno;
		close(fd);
		return util_errno(err, e, "cannot write '%s'", target);
	}
	if (write_all(fd, data, len) || ftruncate(fd, (off_t)len) || fsync(fd)) {
		int e = errno;
		close(fd);
		return util_errno(err, e, "cannot write '%s' (in place)", target);
	}
	if (close(fd))
		return util_errno(err, errno, "cannot write '%s'", target);
	return 0;
}

int atomicfile_replace(const char *path, const void *data, size_t len,
		       const struct atomicfile_opts *opts,
		       struct strbuf *written_out, struct strbuf *backup_out,
		       char *err)
{
	static const struct atomicfile_opts defaults = { .mode_if_new = 0644 };
	struct strbuf target = STRBUF_INIT, dir = STRBUF_INIT, tmp = STRBUF_INIT;
	struct strbuf old = STRBUF_INIT, backup = STRBUF_INIT;
	const char *base;
	struct stat st;
	bool exists;
	int dfd = -1, fd = -1, ret = -1;

	if (!opts)
		opts = &defaults;
	if (backup_out)
		strbuf_reset(backup_out);
	if (resolve_target(path, opts->no_follow, &target, err))
		goto out;
	if (written_out) {
		strbuf_reset(written_out);
		strbuf_addstr(written_out, target.buf);
	}
	split_dir(target.buf, &dir, &base);
	dfd = open(dir.buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		util_errno(err, errno, "cannot open directory '%s'", dir.buf);
		goto out;
	}
	if (!opts->lock_held && flock(dfd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK) {
			util_errno(err, errno, "cannot lock directory '%s'", dir.buf);
			goto out;
		}
		/* Another hvclock writes here: wait for it (bounded by it). */
		if (flock(dfd, LOCK_EX)) {
			util_errno(err, errno, "cannot lock directory '%s'", dir.buf);
			goto out;
		}
	}
	remove_stale(dir.buf, base);

	exists = lstat(target.buf, &st) == 0;
	if (!exists && errno != ENOENT) {
		util_errno(err, errno, "cannot read '%s'", target.buf);
		goto out;
	}
	if (exists && !S_ISREG(st.st_mode)) {
		util_err(err, "cannot write '%s': not a regular file", target.buf);
		goto out;
	}
	if (exists && opts->backup_suffix && *opts->backup_suffix) {
		int ofd = open(target.buf, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

		if (ofd < 0 || read_fd(ofd, &old)) {
			util_errno(err, errno, "cannot read '%s'", target.buf);
			if (ofd >= 0)
				close(ofd);
			goto out;
		}
		close(ofd);
		if (make_backup(target.buf, dir.buf, base, opts->backup_suffix,
				old.buf, old.len, &st, &backup, err))
			goto out;
	}
	if (exists && st.st_nlink > 1) {
		if (!opts->in_place) {
			util_err(err,
				 "refusing to replace '%s': it has %lu hard links and a rename would split them (use --in-place)",
				 target.buf, (unsigned long)st.st_nlink);
			goto out_unbackup;
		}
		if (rewrite_in_place(target.buf, data, len, err))
			goto out_unbackup;
		if (backup_out)
			strbuf_addstr(backup_out, backup.buf);
		ret = 0;
		goto out;
	}

	strbuf_addf(&tmp, "%s/.%s" TMP_TAG "XXXXXX", dir.buf, base);
	fd = mkostemp(tmp.buf, O_CLOEXEC);
	if (fd < 0) {
		util_errno(err, errno, "cannot create a temporary file in '%s'", dir.buf);
		goto out_unbackup;
	}
	if (write_all(fd, data, len)) {
		util_errno(err, errno, "cannot write '%s'", target.buf);
		goto out_tmp;
	}
	if (exists) {
		if (fchown(fd, st.st_uid, st.st_gid) && errno != EPERM) {
			util_errno(err, errno, "cannot set the owner of '%s'", tmp.buf);
			goto out_tmp;
		}
		if (copy_xattrs(target.buf, fd, err))
			goto out_tmp;
	}
	if (fchmod(fd, exists ? (st.st_mode & 07777) : opts->mode_if_new)) {
		util_errno(err, errno, "cannot set the mode of '%s'", tmp.buf);
		goto out_tmp;
	}
	if (fsync(fd)) {
		util_errno(err, errno, "cannot write '%s'", target.buf);
		goto out_tmp;
	}
	if (close(fd)) {
		fd = -1;
		util_errno(err, errno, "cannot write '%s'", target.buf);
		goto out_tmp;
	}
	fd = -1;
	if (rename(tmp.buf, target.buf)) {
		util_errno(err, errno, "cannot replace '%s'", target.buf);
		goto out_tmp;
	}
	if (fsync(dfd) && errno != EINVAL) {
		/* The rename happened; the file is new but may not be durable. */
		util_errno(err, errno, "cannot sync directory '%s'", dir.buf);
		goto out;
	}
	if (backup_out)
		strbuf_addstr(backup_out, backup.buf);
	ret = 0;
	goto out;

out_tmp:
	if (fd >= 0)
		close(fd);
	fd = -1;
	unlink(tmp.buf);
out_unbackup:
	/* A failed run leaves nothing behind, not even its backup. */
	if (backup.len)
		unlink(backup.buf);
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd); /* releases the flock */
	strbuf_release(&target);
	strbuf_release(&dir);
	strbuf_release(&tmp);
	strbuf_release(&old);
	strbuf_release(&backup);
	return ret;
}

int atomicfile_lock(const char *dir, int timeout_ms, char *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return util_errno(err, errno, "cannot open directory '%s'", dir);
	/* Polled so that the wait is bounded (flock has no timeout). */
	for (int waited = 0; flock(fd, LOCK_EX | LOCK_NB); waited += 50) {
		struct timespec ts = { 0, 50 * 1000000L };

		if (errno != EWOULDBLOCK && errno != EINTR) {
			int e = errno;

			close(fd);
			return util_errno(err, e, "cannot lock directory '%s'", dir);
		}
		if (waited >= timeout_ms) {
			close(fd);
			return util_err(err, "cannot lock directory '%s': another hvclock is writing there (waited %d s)",
					dir, timeout_ms / 1000);
		}
		nanosleep(&ts, NULL);
	}
	return fd;
}

void atomicfile_cleanup(const char *path)
{
	struct strbuf dir = STRBUF_INIT;
	const char *base;

	split_dir(path, &dir, &base);
	remove_stale(dir.buf, base);
	strbuf_release(&dir);
}

void atomicfile_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

bool atomicfile_is_hardlinked(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink > 1;
}
