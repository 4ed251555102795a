/*
 * grubenv.h - the GRUB environment block (grubenv): a fixed-size file
 * (1024 bytes as grub-editenv makes it) holding "# GRUB Environment Block",
 * name=value lines, and '#' padding up to the size. GRUB reads the size
 * from the file, and on some setups writes it in place from the boot
 * loader (save_env), so the size must never change: an edit moves the
 * padding, and a value that no longer fits is refused.
 * Values escape '\' and newline with a backslash (grub_envblk_set).
 */
#ifndef HV_GRUBENV_H
#define HV_GRUBENV_H

#include "bootcfg.h"

#define GRUBENV_HEADER "# GRUB Environment Block\n"
#define GRUBENV_MAX (64u << 10)

/* Checks the block in bc->files[file].old and finds its padding. */
int grubenv_parse(struct bootcfg *bc, size_t file, char *err);
/* The decoded value of name into val; 0 when found, -1 when absent. */
int grubenv_get(const struct bootcfg_file *f, const char *name,
		struct strbuf *val);
/*
 * Adds to e a span over the value of name (decoded, with its map).
 * Returns 0, or -1 when name is not set in the block.
 */
int grubenv_add_span(struct bootcfg *bc, struct bootcfg_entry *e, size_t file,
		     const char *name);
/*
 * Restores the block's size after edits to f->new (which end before the
 * padding): pads with '#' or removes padding. -1 with err when the
 * variables no longer fit.
 */
int grubenv_fix_size(struct bootcfg_file *f, char *err);

#endif
