/*
 * logfile.c - locked, durable appends (see logfile.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "logfile.h"
#include "util.h"

struct logfile {
	int fd;
	char *path;       /* as given, for messages */
	char *real;       /* after following trusted symbolic links */
	off_t size;
	bool created;     /* by us: its directory entry needs an fsync too */
};

/* mkdir -p of the directories above path. */
static int make_parents(const char *path, char *err)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return util_err(err, "path too long: '%s'", path);
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		struct stat st;

		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) && errno != EEXIST)
			return util_errno(err, errno, "cannot create directory '%s'", buf);
		if (stat(buf, &st))
			return util_errno(err, errno, "cannot stat '%s'", buf);
		if (!S_ISDIR(st.st_mode))
			return util_err(err, "'%s' is not a directory", buf);
		*p = '/';
	}
	return 0;
}

#define OPEN_FLAGS (O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC)

static int open_file(const char *path, bool *created, char *err)
{
	int fd;

	*created = false;
	for (int i = 0; i < 2; i++) {
		fd = open(path, OPEN_FLAGS);
		if (fd >= 0 || errno != ENOENT)
			break;
		fd = open(path, OPEN_FLAGS | O_CREAT | O_EXCL, 0644);
		if (fd >= 0) {
			*created = true;
			break;
		}
		if (errno == ENOENT && make_parents(path, err))
			return -1;
		/* EEXIST: another writer created it just now; open that one. */
	}
	if (fd < 0 && errno == ELOOP)
		return util_err(err, "refusing to write through the symbolic link '%s'",
				path);
	if (fd < 0)
		return util_errno(err, errno, "cannot open '%s' for appending", path);
	return fd;
}

/*
 * Symbolic links at the log's name. Root appending to a name that someone
 * else controls would put our lines into any file it points to
 * (/etc/shadow): the attack the kernel's protected_symlinks stops in
 * sticky world-writable directories, a setting we do not rely on. So a
 * link is followed only where nobody else can have put it: the link is
 * owned by root or by us, and so is the directory holding it, which
 * nobody else may write (group or others). Every hop is checked the same
 * way; the final name is then opened with O_NOFOLLOW, so a link swapped
 * in after the check is refused (ELOOP), never followed. A link in /tmp,
 * or in a group-writable /var/log, is refused: give its target instead.
 */
static bool trusted_owner(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

static int resolve_trusted(const char *path, struct strbuf *out, char *err)
{
	char target[PATH_MAX];

	strbuf_reset(out);
	strbuf_addstr(out, path);
	for (int hops = 0; ; hops++) {
		struct stat lst, dst;
		struct strbuf dir = STRBUF_INIT;
		char *slash;
		ssize_t n;
		bool ok;

		if (lstat(out->buf, &lst) || !S_ISLNK(lst.st_mode))
			return 0;   /* missing or not a link: open() says what it is */
		if (hops == 8)
			return util_err(err, "cannot open '%s': too many levels of symbolic links",
					path);
		slash = strrchr(out->buf, '/');
		if (!slash)
			strbuf_addstr(&dir, ".");
		else if (slash == out->buf)
			strbuf_addstr(&dir, "/");
		else
			strbuf_add(&dir, out->buf, (size_t)(slash - out->buf));
		ok = !stat(dir.buf, &dst) && trusted_owner(dst.st_uid) &&
		     !(dst.st_mode & (S_IWGRP | S_IWOTH)) && trusted_owner(lst.st_uid);
		if (!ok) {
			util_err(err, "refusing to write through the symbolic link '%s': "
				 "'%s' can be written by others (give the link's target instead)",
				 out->buf, dir.buf);
			strbuf_release(&dir);
			return -1;
		}
		n = readlink(out->buf, target, sizeof(target) - 1);
		if (n < 0) {
			strbuf_release(&dir);
			return util_errno(err, errno, "cannot read the symbolic link '%s'",
					  out->buf);
		}
		target[n] = '\0';
		strbuf_reset(out);
		if (target[0] != '/' && strcmp(dir.buf, "."))
			strbuf_addf(out, "%s/", strcmp(dir.buf, "/") ? dir.buf : "");
		strbuf_addstr(out, target);
		strbuf_release(&dir);
	}
}

/* Makes a new file's name durable (the file's own fsync does not). */
static void sync_dir(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

/* flock with a deadline: overlapping cron runs wait, a hung holder fails us. */
static int lock_file(int fd, const char *path, double timeout_s, char *err)
{
	struct timespec nap = { 0, 5000000 }; /* 5 ms */
	long tries = (long)(timeout_s / 0.005) + 1;

	for (long i = 0; i < tries; i++) {
		if (!flock(fd, LOCK_EX | LOCK_NB))
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return util_errno(err, errno, "cannot lock '%s'", path);
		nanosleep(&nap, NULL);
	}
	return util_err(err, "cannot lock '%s': another writer holds it for over %g s",
			path, timeout_s);
}

int logfile_open(const char *path, double lock_timeout_s,
		 struct logfile **out, char *err)
{
	struct strbuf real = STRBUF_INIT;

	/* Rotation can rename the file under us more than once; bounded. */
	for (int attempt = 0; attempt < 5; attempt++) {
		struct stat fst, pst;
		bool created;
		int fd;

		if (resolve_trusted(path, &real, err))
			break;
		fd = open_file(real.buf, &created, err);
		if (fd < 0)
			break;
		if (lock_file(fd, path, lock_timeout_s, err)) {
			close(fd);
			break;
		}
		if (fstat(fd, &fst)) {
			util_errno(err, errno, "cannot stat '%s'", path);
			close(fd);
			break;
		}
		if (!S_ISREG(fst.st_mode)) {
			close(fd);
			util_err(err, "'%s' is not a regular file", path);
			break;
		}
		if (lstat(real.buf, &pst) || pst.st_ino != fst.st_ino ||
		    pst.st_dev != fst.st_dev) {
			close(fd); /* rotated away while we waited: the new one */
			if (attempt == 4)
				util_err(err, "cannot open '%s': it keeps being replaced", path);
			continue;
		}
		*out = xcalloc(1, sizeof(**out));
		(*out)->fd = fd;
		(*out)->path = xstrdup(path);
		(*out)->real = strbuf_detach(&real, NULL);
		(*out)->size = fst.st_size;
		(*out)->created = created;
		return 0;
	}
	strbuf_release(&real);
	return -1;
}

void logfile_close(struct logfile *lf)
{
	if (!lf)
		return;
	close(lf->fd); /* releases the lock */
	free(lf->path);
	free(lf->real);
	free(lf);
}

off_t logfile_size(const struct logfile *lf)
{
	return lf->size;
}

static int pread_all(struct logfile *lf, void *buf, size_t n, off_t at, char *err)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(lf->fd, (char *)buf + got, n - got, at + (off_t)got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return util_errno(err, errno, "cannot read '%s'", lf->path);
		if (r == 0)
			return util_err(err, "cannot read '%s': file shrank", lf->path);
		got += (size_t)r;
	}
	return 0;
}

int logfile_tail(struct logfile *lf, size_t max, struct strbuf *out, char *err)
{
	size_t n = (off_t)max < lf->size ? max : (size_t)lf->size;
	off_t at = lf->size - (off_t)n;
	char *start, *end;

	strbuf_reset(out);
	if (!n)
		return 0;
	strbuf_grow(out, n);
	if (pread_all(lf, out->buf, n, at, err))
		return -1;
	strbuf_setlen(out, n);
	/* Drop a torn last line, then a partial first line. */
	end = memrchr(out->buf, '\n', n);
	if (!end) {
		strbuf_reset(out);
		return 0;
	}
	n = (size_t)(end - out->buf) + 1;
	start = out->buf;
	if (at > 0) {
		char *nl = memchr(out->buf, '\n', n);

		start = nl + 1;
	}
	memmove(out->buf, start, n - (size_t)(start - out->buf));
	strbuf_setlen(out, n - (size_t)(start - out->buf));
	return 0;
}

int logfile_head(struct logfile *lf, size_t max, struct strbuf *out, char *err)
{
	size_t n = (off_t)max < lf->size ? max : (size_t)lf->size;
	char *nl;

	strbuf_reset(out);
	if (!n)
		return 0;
	strbuf_grow(out, n);
	if (pread_all(lf, out->buf, n, 0, err))
		return -1;
	strbuf_setlen(out, n);
	nl = memchr(out->buf, '\n', n);
	if (nl)
		strbuf_setlen(out, (size_t)(nl - out->buf));
	return 0;
}

int logfile_append(struct logfile *lf, const void *data, size_t len, char *err)
{
	struct strbuf buf = STRBUF_INIT;
	const char *p = data;
	char last = '\n';
	ssize_t w;

	if (lf->size > 0 && pread_all(lf, &last, 1, lf->size - 1, err))
		return -1;
	if (last != '\n') {
		strbuf_addch(&buf, '\n');
		strbuf_add(&buf, data, len);
		p = buf.buf;
		len = buf.len;
	}
	/* One write: a reader or a kill sees the whole line or none of it. */
	do
		w = write(lf->fd, p, len);
	while (w < 0 && errno == EINTR);
	if (w < 0) {
		strbuf_release(&buf);
		return util_errno(err, errno, "cannot write to '%s'", lf->path);
	}
	lf->size += w;
	if ((size_t)w != len) {
		/* Cut short (a full disk): once more for the rest, which either
		 * completes the line (we hold the lock) or says why. */
		ssize_t w2;

		do
			w2 = write(lf->fd, p + w, len - (size_t)w);
		while (w2 < 0 && errno == EINTR);
		if (w2 < 0 || (size_t)w2 != len - (size_t)w) {
			int e = w2 < 0 ? errno : EIO;

			if (w2 > 0)
				lf->size += w2;
			strbuf_release(&buf);
			return util_errno(err, e, "cannot write to '%s' (%zu of %zu bytes written)",
					  lf->path, (size_t)w + (w2 > 0 ? (size_t)w2 : 0), len);
		}
		lf->size += w2;
	}
	strbuf_release(&buf);
	if (fsync(lf->fd))
		return util_errno(err, errno, "cannot fsync '%s'", lf->path);
	if (lf->created) {
		sync_dir(lf->real);
		lf->created = false;
	}
	return 0;
}
