/*
 * fuzz_env.c - the whole environment probe over a fuzzed sysroot: the
 * input is cut at "\n--\n" into the contents of the files the probe
 * parses most (cmdline, cpuinfo, osrelease, os-release, redhat-release,
 * chrony.conf, ntp.conf, dmesg, a daemon's stat, dpkg status). Both
 * renderings must run and the JSON must come out balanced.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "env.h"
#include "envfmt.h"
#include "sysroot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const files[] = {
	"proc/cmdline", "proc/cpuinfo", "proc/sys/kernel/osrelease",
	"etc/os-release", "etc/redhat-release", "etc/chrony.conf",
	"etc/ntp.conf", "var/log/dmesg", "proc/42/stat", "var/lib/dpkg/status",
};
static char root[64];

static void mkdirs(const char *path)
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct strbuf sb = STRBUF_INIT;
	struct json j;
	static struct env e;
	char path[256];

	if (!root[0]) {
		snprintf(root, sizeof(root), "/tmp/hvclock-fuzz-env-%d", (int)getpid());
		mkdir(root, 0755);
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const uint8_t *sep = p < end ? memmem(p, (size_t)(end - p), "\n--\n", 4) : NULL;
		size_t len = p < end ? (size_t)((sep ? sep : end) - p) : 0;
		int fd;

		snprintf(path, sizeof(path), "%s/%s", root, files[i]);
		mkdirs(path);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			if (len && write(fd, p, len) < 0)
				abort();
			close(fd);
		}
		p = sep ? sep + 4 : end;
	}
	if (sysroot_set(root, NULL))
		abort();
	env_probe(&e);
	sysroot_set(NULL, NULL);
	envfmt_text(&e, &sb);
	strbuf_reset(&sb);
	json_init(&j, &sb, false);
	envfmt_json(&e, &j, NULL);
	if (j.depth != 0)
		abort();
	strbuf_release(&sb);
	return 0;
}
