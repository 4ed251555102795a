/*
 * fuzzroot.h - a sysroot tree written from one fuzz input, for the targets
 * that run the probe end to end (fuzz_env, fuzz_rules).
 *
 * The input is cut at "\n--\n" into the contents of a fixed list of files.
 * Writing a sysroot per input is what makes those targets slow, so:
 *   - the tree lives on tmpfs (/dev/shm) when there is one: on ext4 an
 *     O_TRUNC rewrite forces a writeback on close, which cost most of the
 *     time;
 *   - the directories are made once;
 *   - a file is rewritten only when its contents differ from what the
 *     previous input left there (kept in memory), which is the common case
 *     for libFuzzer's small mutations.
 * The probe still reads every file through sysroot exactly as before.
 * The tree is removed at exit.
 *
 * Header-only (static functions): each target is one translation unit.
 */
#ifndef HV_FUZZROOT_H
#define HV_FUZZROOT_H

#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define FUZZROOT_MAX_FILES 24

struct fuzzroot {
	char dir[96];
	const char *const *files;
	size_t nfiles;
	char *prev[FUZZROOT_MAX_FILES];   /* last contents written */
	size_t prevlen[FUZZROOT_MAX_FILES];
	bool written[FUZZROOT_MAX_FILES];
};

static struct fuzzroot *fuzzroot_active;

static int fuzzroot_rm1(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

static void fuzzroot_rm(const char *dir)
{
	nftw(dir, fuzzroot_rm1, 8, FTW_DEPTH | FTW_PHYS);
}

static void fuzzroot_atexit(void)
{
	if (fuzzroot_active) {
		fuzzroot_rm(fuzzroot_active->dir);
		for (size_t i = 0; i < fuzzroot_active->nfiles; i++)
			free(fuzzroot_active->prev[i]);
		fuzzroot_active = NULL;
	}
}

static void fuzzroot_mkdirs(const char *path)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0755);
			*p = '/';
		}
}

/* Makes the tree (once per process) for the files listed (relative paths). */
static void fuzzroot_init(struct fuzzroot *fr, const char *name,
			  const char *const *files, size_t nfiles)
{
	struct stat st;
	const char *base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
		access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	char path[256];

	if (nfiles > FUZZROOT_MAX_FILES)
		abort();
	memset(fr, 0, sizeof(*fr));
	fr->files = files;
	fr->nfiles = nfiles;
	snprintf(fr->dir, sizeof(fr->dir), "%s/hvclock-fuzz-%s-%d", base, name,
		 (int)getpid());
	if (mkdir(fr->dir, 0755))
		abort();
	for (size_t i = 0; i < nfiles; i++) {
		snprintf(path, sizeof(path), "%s/%s", fr->dir, files[i]);
		fuzzroot_mkdirs(path);
	}
	fuzzroot_active = fr;
	atexit(fuzzroot_atexit);
}

/*
 * Splits data at "\n--\n" into the files, in order; missing pieces are
 * empty files; text after the last file's piece is ignored.
 */
static void fuzzroot_write(struct fuzzroot *fr, const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	char path[256];

	for (size_t i = 0; i < fr->nfiles; i++) {
		const uint8_t *sep = p < end ? memmem(p, (size_t)(end - p), "\n--\n", 4) : NULL;
		size_t len = p < end ? (size_t)((sep ? sep : end) - p) : 0;
		int fd;

		if (!fr->written[i] || len != fr->prevlen[i] ||
		    (len && memcmp(p, fr->prev[i], len))) {
			snprintf(path, sizeof(path), "%s/%s", fr->dir, fr->files[i]);
			fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd < 0 || (len && write(fd, p, len) != (ssize_t)len))
				abort();
			close(fd);
			free(fr->prev[i]);
			fr->prev[i] = xmalloc(len + 1);
			if (len)
				memcpy(fr->prev[i], p, len);
			fr->prevlen[i] = len;
			fr->written[i] = true;
		}
		p = sep ? sep + 4 : end;
	}
}

#endif
