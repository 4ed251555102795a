/*
 * sysroot.c - prefix-aware access to the system's files.
 *
 * The root is process-wide state set once by main() before any command
 * runs; nothing else changes it. Resolution inside a root is done by hand
 * (component by component, like openat2's RESOLVE_IN_ROOT) because the
 * tool must also run on kernels far older than openat2.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sysroot.h"
#include "util.h"

#define MAX_LINKS 40

static char root[PATH_MAX] = "";

int sysroot_set(const char *dir, char *err)
{
	struct stat st;
	size_t n;

	if (!dir || !*dir || !strcmp(dir, "/")) {
		root[0] = '\0';
		return 0;
	}
	if (stat(dir, &st))
		return util_errno(err, errno, "cannot use sysroot '%s'", dir);
	if (!S_ISDIR(st.st_mode))
		return util_err(err, "cannot use sysroot '%s': Not a directory",
				dir);
	n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n >= sizeof(root))
		return util_err(err, "cannot use sysroot '%s': path too long", dir);
	memcpy(root, dir, n);
	root[n] = '\0';
	return 0;
}

const char *sysroot_dir(void)
{
	return root;
}

bool sysroot_is_live(void)
{
	return !root[0];
}

/*
 * Resolves abs inside the root into out (an absolute path relative to the
 * root, always starting with '/'). follow_last says whether a link in the
 * last component is followed.
 */
static int resolve(const char *abs, bool follow_last, struct strbuf *out,
		   char *err)
{
	struct strbuf todo = STRBUF_INIT, full = STRBUF_INIT;
	int links = 0, ret = 0;

	strbuf_reset(out);
	strbuf_addstr(&todo, abs);
	while (todo.len) {
		/* Take the first component off todo. */
		char *p = todo.buf, *slash;
		size_t clen;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		slash = strchr(p, '/');
		clen = slash ? (size_t)(slash - p) : strlen(p);
		{
			char comp[NAME_MAX + 1];
			bool last;
			struct stat st;
			size_t before = out->len;

			if (clen > NAME_MAX) {
				ret = util_err(err, "cannot resolve '%s': name too long", abs);
				break;
			}
			memcpy(comp, p, clen);
			comp[clen] = '\0';
			/* Remove the component from todo. */
			{
				size_t consumed = (size_t)(p - todo.buf) + clen;
				memmove(todo.buf, todo.buf + consumed,
					todo.len - consumed + 1);
				strbuf_setlen(&todo, todo.len - consumed);
			}
			last = strspn(todo.buf, "/") == todo.len;
			if (!strcmp(comp, "."))
				continue;
			if (!strcmp(comp, "..")) {
				char *s = strrchr(out->buf, '/');
				if (s)
					strbuf_setlen(out, (size_t)(s - out->buf));
				continue;
			}
			strbuf_addch(out, '/');
			strbuf_addstr(out, comp);
			if (last && !follow_last)
				break;
			strbuf_reset(&full);
			strbuf_addstr(&full, root);
			strbuf_addstr(&full, out->buf);
			if (lstat(full.buf, &st))
				continue; /* missing: keep the path as it is */
			if (!S_ISLNK(st.st_mode))
				continue;
			if (++links > MAX_LINKS) {
				ret = util_err(err,
					       "cannot resolve '%s': Too many levels of symbolic links",
					       abs);
				break;
			}
			{
				char target[PATH_MAX];
				ssize_t n = readlink(full.buf, target,
						     sizeof(target) - 1);
				struct strbuf rest = STRBUF_INIT;

				if (n < 0) {
					ret = util_errno(err, errno,
							 "cannot read link '%s'",
							 out->buf);
					break;
				}
				target[n] = '\0';
				strbuf_addstr(&rest, target);
				strbuf_addch(&rest, '/');
				strbuf_addstr(&rest, todo.buf);
				strbuf_reset(&todo);
				strbuf_addstr(&todo, rest.buf);
				strbuf_release(&rest);
				if (target[0] == '/')
					strbuf_reset(out);
				else
					strbuf_setlen(out, before);
			}
		}
	}
	if (!ret && !out->len)
		strbuf_addch(out, '/');
	strbuf_release(&todo);
	strbuf_release(&full);
	return ret;
}

static int full_path(const char *abs, bool follow_last, struct strbuf *out,
		     char *err)
{
	struct strbuf rel = STRBUF_INIT;

	if (sysroot_is_live()) {
		strbuf_reset(out);
		strbuf_addstr(out, abs);
		return 0;
	}
	if (resolve(abs, follow_last, &rel, err)) {
		strbuf_release(&rel);
		return -1;
	}
	strbuf_reset(out);
	strbuf_addstr(out, root);
	strbuf_addstr(out, rel.buf);
	strbuf_release(&rel);
	return 0;
}

int sysroot_path(const char *abs, struct strbuf *out, char *err)
{
	return full_path(abs, true, out, err);
}

int sysroot_realpath(const char *abs, struct strbuf *out, char *err)
{
	if (sysroot_is_live()) {
		char buf[PATH_MAX];

		if (!realpath(abs, buf)) {
			if (errno != ENOENT)
				return util_errno(err, errno, "cannot resolve '%s'", abs);
			strbuf_reset(out);
			strbuf_addstr(out, abs);
			return 0;
		}
		strbuf_reset(out);
		strbuf_addstr(out, buf);
		return 0;
	}
	return resolve(abs, true, out, err);
}

int sysroot_open(const char *abs, int extra_flags, char *err)
{
	struct strbuf p = STRBUF_INIT;
	int fd;

	if (full_path(abs, true, &p, err)) {
		strbuf_release(&p);
		return -1;
	}
	fd = open(p.buf, O_RDONLY | O_CLOEXEC | extra_flags);
	if (fd < 0)
		util_errno(err, errno, "cannot open '%s'", abs);
	strbuf_release(&p);
	return fd;
}

int sysroot_read(const char *abs, size_t max, struct strbuf *out, char *err)
{
	struct stat st;
	int fd = sysroot_open(abs, O_NONBLOCK, err);

	strbuf_reset(out);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return util_err(err, "cannot read '%s': Is a directory", abs);
	}
	for (;;) {
		ssize_t n;

		strbuf_grow(out, 4096);
		n = read(fd, out->buf + out->len, out->cap - out->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			strbuf_reset(out);
			return util_errno(err, e, "cannot read '%s'", abs);
		}
		if (!n)
			break;
		out->len += (size_t)n;
		out->buf[out->len] = '\0';
		if (out->len > max) {
			close(fd);
			strbuf_reset(out);
			return util_err(err,
					"cannot read '%s': file too large (over %zu bytes)",
					abs, max);
		}
	}
	close(fd);
	return 0;
}

int sysroot_read_line(const char *abs, struct strbuf *out, char *err)
{
	char *nl;

	if (sysroot_read(abs, SYSROOT_READ_MAX, out, err))
		return -1;
	nl = memchr(out->buf, '\n', out->len);
	if (nl)
		strbuf_setlen(out, (size_t)(nl - out->buf));
	strbuf_rtrim(out);
	return 0;
}

FILE *sysroot_fopen(const char *abs, char *err)
{
	int fd = sysroot_open(abs, 0, err);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "r");
	if (!f) {
		util_errno(err, errno, "cannot open '%s'", abs);
		close(fd);
	}
	return f;
}

DIR *sysroot_opendir(const char *abs, char *err)
{
	struct strbuf p = STRBUF_INIT;
	DIR *d = NULL;

	if (!full_path(abs, true, &p, err)) {
		d = opendir(p.buf);
		if (!d)
			util_errno(err, errno, "cannot open directory '%s'", abs);
	}
	strbuf_release(&p);
	return d;
}

int sysroot_stat(const char *abs, struct stat *st)
{
	struct strbuf p = STRBUF_INIT;
	int r = -1;

	if (!full_path(abs, true, &p, NULL))
		r = stat(p.buf, st);
	else
		errno = ELOOP;
	strbuf_release(&p);
	return r;
}

int sysroot_lstat(const char *abs, struct stat *st)
{
	struct strbuf p = STRBUF_INIT;
	int r = -1;

	if (!full_path(abs, false, &p, NULL))
		r = lstat(p.buf, st);
	else
		errno = ELOOP;
	strbuf_release(&p);
	return r;
}

bool sysroot_exists(const char *abs)
{
	struct stat st;

	return sysroot_stat(abs, &st) == 0;
}

int sysroot_readlink(const char *abs, struct strbuf *out, char *err)
{
	struct strbuf p = STRBUF_INIT;
	char target[PATH_MAX];
	ssize_t n = -1;

	if (!full_path(abs, false, &p, err)) {
		n = readlink(p.buf, target, sizeof(target) - 1);
		if (n < 0)
			util_errno(err, errno, "cannot read link '%s'", abs);
	}
	strbuf_release(&p);
	if (n < 0)
		return -1;
	target[n] = '\0';
	strbuf_reset(out);
	strbuf_addstr(out, target);
	return 0;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int sysroot_list(const char *dir, const char *pattern,
		 int (*fn)(const char *abs, void *arg), void *arg, char *err)
{
	DIR *d = sysroot_opendir(dir, err);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct strbuf path = STRBUF_INIT;
	int count = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fnmatch(pattern, de->d_name, 0))
			continue;
		util_grow((void **)&names, &cap, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmpstr);
	for (size_t i = 0; i < n; i++) {
		bool stop = false;

		if (!stop) {
			strbuf_reset(&path);
			strbuf_addstr(&path, dir);
			if (!util_endswith(dir, "/"))
				strbuf_addch(&path, '/');
			strbuf_addstr(&path, names[i]);
			count++;
			if (fn && fn(path.buf, arg))
				stop = true;
		}
		free(names[i]);
		if (stop) {
			for (size_t k = i + 1; k < n; k++)
				free(names[k]);
			break;
		}
	}
	free(names);
	strbuf_release(&path);
	return count;
}
