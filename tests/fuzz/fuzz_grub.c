/*
 * fuzz_grub.c - the boot-config editor on arbitrary files.
 * The first byte picks the format (GRUB legacy, /etc/default/grub, a BLS
 * entry, a grubenv block, /etc/kernel/cmdline: byte % 5) and the arguments
 * (the EL5 remedy, a conflicting clocksource=, a quoted value with a blank
 * and a repeatable key: byte / 5 % 3); the rest is the file.
 * Invariants: no crash; patching the result again changes nothing; when
 * the patch only added arguments, removing them gives the input back byte
 * for byte (except where a GRUB_CMDLINE_LINUX line or quotes had to be
 * created); a grubenv block keeps its size.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "argedit.h"
#include "bootcfg.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const enum bootcfg_format formats[] = {
	BOOTCFG_LEGACY, BOOTCFG_GRUB2, BOOTCFG_BLS, BOOTCFG_GRUBENV, BOOTCFG_CMDLINE,
};

/* Parses text as fmt and plans req; returns the new text or NULL. */
static char *patch(enum bootcfg_format fmt, const char *text, size_t len,
		   const struct argedit_req *req, size_t *outlen, bool *only_added)
{
	struct bootcfg bc;
	char err[UTIL_ERRMAX];
	char *res = NULL;
	size_t i;

	bootcfg_init(&bc);
	bc.format = fmt;
	i = bootcfg_add_file(&bc, "/fuzz", fmt);
	bc.files[i].shown = xstrdup("/fuzz");
	strbuf_add(&bc.files[i].old, text, len);
	if (!bootcfg_parse_files(&bc, err) && !bootcfg_plan(&bc, req, NULL, NULL, NULL, err)) {
		res = xmalloc(bc.files[i].new.len + 1);
		memcpy(res, bc.files[i].new.buf, bc.files[i].new.len + 1);
		*outlen = bc.files[i].new.len;
		if (fmt == BOOTCFG_GRUBENV && *outlen != len)
			abort();
		if (only_added) {
			/*
			 * A new GRUB_CMDLINE_LINUX line, or quotes put around a
			 * plain word, stay after a removal (the original form
			 * is not known then): no byte-exact round trip there.
			 */
			*only_added = true;
			for (size_t e = 0; e < bc.nentries; e++)
				for (size_t s = 0; s < bc.entries[e].nspans; s++)
					if (bc.entries[e].spans[s].enc == BOOTCFG_ENC_SHELL_NEW ||
					    bc.entries[e].spans[s].enc == BOOTCFG_ENC_SHELL_BARE)
						*only_added = false;
			for (size_t e = 0; e < bc.nentries; e++)
				for (size_t n = 0; bc.entries[e].planned && n < bc.entries[e].plan.n_notes; n++)
					if (bc.entries[e].plan.notes[n].kind != ARGEDIT_ADDED)
						*only_added = false;
		}
	}
	bootcfg_release(&bc);
	return res;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const sets[] = {
		"clock=pit notsc divider=10",
		"clocksource=acpi_pm",
		"acpi_osi=\"Windows 2015\" console=ttyS0,115200",
	};
	static struct argedit_req *add[UTIL_ARRAY_SIZE(sets)], *rm[UTIL_ARRAY_SIZE(sets)];
	enum bootcfg_format fmt;
	size_t set;
	const char *text = (const char *)data + 1;
	size_t len, l1 = 0, l2 = 0, l3 = 0;
	char *once, *twice, *back;
	bool only_added = false;

	if (!size)
		return 0;
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(sets); i++)
		if (!add[i] && (argedit_req_new(sets[i], NULL, NULL, false, &add[i], NULL) ||
				argedit_req_new(NULL, sets[i], NULL, false, &rm[i], NULL)))
			abort();
	fmt = formats[data[0] % UTIL_ARRAY_SIZE(formats)];
	set = (size_t)(data[0] / UTIL_ARRAY_SIZE(formats)) % UTIL_ARRAY_SIZE(sets);
	len = size - 1;
	once = patch(fmt, text, len, add[set], &l1, &only_added);
	if (!once)
		return 0;
	twice = patch(fmt, once, l1, add[set], &l2, NULL);
	if (!twice || l2 != l1 || memcmp(once, twice, l1))
		abort();
	if (only_added && l1 != len) {
		back = patch(fmt, once, l1, rm[set], &l3, NULL);
		if (!back || l3 != len || memcmp(back, text, len))
			abort();
		free(back);
	}
	free(once);
	free(twice);
	return 0;
}
