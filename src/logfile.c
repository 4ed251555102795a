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
	char *path;
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
	/* Rotation can rename the file under us more than once; bounded. */
	for (int attempt = 0; attempt < 5; attempt++) {
		struct stat fst, pst;
		bool created;
		int fd = open_file(path, &created, err);

		if (fd < 0)
			return -1;
		if (lock_file(fd, path, lock_timeout_s, err)) {
			close(fd);
			return -1;
		}
		if (fstat(fd, &fst)) {
			util_errno(err, errno, "cannot stat '%s'", path);
			close(fd);
			return -1;
		}
		if (!S_ISREG(fst.st_mode)) {
			close(fd);
			return util_err(err, "'%s' is not a regular file", path);
		}
		if (lstat(path, &pst) || pst.st_ino != fst.st_ino ||
		    pst.st_dev != fst.st_dev) {
			close(fd); /* rotated away while we waited: the new one */
			continue;
		}
		*out = xcalloc(1, sizeof(**out));
		(*out)->fd = fd;
		(*out)->path = xstrdup(path);
		(*out)->size = fst.st_size;
		(*out)->created = created;
		return 0;
	}
	return util_err(err, "cannot open '%s': it keeps being replaced", path);
}

void logfile_close(struct logfile *lf)
{
	if (!lf)
		return;
	close(lf->fd); /* releases the lock */
	free(lf->path);
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
	strbuf_release(&buf);
	if (w < 0)
		return util_errno(err, errno, "cannot write to '%s'", lf->path);
	lf->size += w;
	if ((size_t)w != len)
		return util_err(err, "cannot write to '%s': short write (%zd of %zu bytes)",
				lf->path, w, len);
	if (fsync(lf->fd))
		return util_errno(err, errno, "cannot fsync '%s'", lf->path);
	if (lf->created) {
		sync_dir(lf->path);
		lf->created = false;
	}
	return 0;
}
