/*
 * check_grub.c - the boot-config parsers and the planner on in-memory
 * files: entry kinds, where arguments go, shell quoting, grubenv size,
 * shared spans, refusals.
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argedit.h"
#include "bootcfg.h"
#include "grubcfg.h"
#include "util.h"

struct doc {
	struct bootcfg bc;
	struct argedit_req *req;
	char err[UTIL_ERRMAX];
	int rc;
};

/* Loads files (format, text pairs, NULL-terminated) and plans add/rm. */
static void run(struct doc *d, enum bootcfg_format main_fmt, const char *add,
		const char *rm, const struct bootcfg_select *sel, ...)
{
	va_list ap;
	const char *t;

	bootcfg_init(&d->bc);
	d->bc.format = main_fmt;
	d->err[0] = '\0';
	va_start(ap, sel);
	while ((t = va_arg(ap, const char *))) {
		enum bootcfg_format f = (enum bootcfg_format)va_arg(ap, int);
		const char *text = va_arg(ap, const char *);
		size_t i = bootcfg_add_file(&d->bc, t, f);

		d->bc.files[i].shown = xstrdup(t);
		strbuf_addstr(&d->bc.files[i].old, text);
	}
	va_end(ap);
	ck_assert_msg(!argedit_req_new(add, rm, NULL, false, &d->req, d->err), "%s", d->err);
	d->rc = bootcfg_parse_files(&d->bc, d->err);
	if (!d->rc)
		d->rc = bootcfg_plan(&d->bc, d->req, sel, NULL, NULL, d->err);
}

static void done(struct doc *d)
{
	bootcfg_release(&d->bc);
	argedit_req_free(d->req);
}

static const struct bootcfg_entry *entry(struct doc *d, const char *title)
{
	for (size_t i = 0; i < d->bc.nentries; i++)
		if (strstr(d->bc.entries[i].title, title))
			return &d->bc.entries[i];
	ck_abort_msg("no entry '%s'", title);
	return NULL;
}

START_TEST(test_legacy_kinds)
{
	static const char conf[] =
		"default=1 # the second\n"
		"title Xen\n\tkernel /xen.gz-2.6.18-419.el5 dom0_mem=512M\n"
		"\tmodule /vmlinuz-2.6.18-419.el5xen ro root=/dev/sda1\n\tmodule /initrd-x.img\n"
		"title TXT\n\tkernel /tboot.gz logging=vga\n\tmodule /xen.gz-3.4 iommu=1\n"
		"\tmodule /vmlinuz-2.6.18-419.el5xen ro\n"
		"title Memtest\n\tkernel /memtest86+-1.65\n"
		"title Windows\n\trootnoverify (hd0,1)\n\tchainloader +1\n"
		"title Hurd\n\tkernel /boot/gnumach.gz root=hd0s1\n\tmodule /boot/serverboot.gz\n"
		"title NetBSD\n\tkernel --type=netbsd /netbsd\n"
		"title Odd\n\tkernel /mykernel\n"
		"title Plain\n\tkernel=/vmlinuz-2.6.18-398.el5 ro\n";
	struct doc d;
	const struct bootcfg_file *f;

	run(&d, BOOTCFG_LEGACY, "notsc", NULL, NULL, "/g", BOOTCFG_LEGACY, conf, NULL);
	ck_assert_msg(!d.rc, "%s", d.err);
	ck_assert_str_eq(entry(&d, "Xen")->kind, "xen");
	ck_assert(entry(&d, "TXT")->is_default);
	ck_assert(!entry(&d, "Xen")->is_default);
	ck_assert_str_eq(entry(&d, "TXT")->kind, "tboot");
	ck_assert_str_eq(entry(&d, "TXT")->kernel, "/vmlinuz-2.6.18-419.el5xen");
	ck_assert_str_eq(entry(&d, "Memtest")->kind, "memtest");
	ck_assert(entry(&d, "Memtest")->skip);
	ck_assert_str_eq(entry(&d, "Windows")->kind, "chainloader");
	ck_assert_str_eq(entry(&d, "Hurd")->kind, "hurd");
	ck_assert_str_eq(entry(&d, "NetBSD")->kind, "bsd");
	ck_assert(entry(&d, "Odd")->guess);
	ck_assert(entry(&d, "Odd")->not_applied);
	ck_assert_str_eq(entry(&d, "Plain")->version, "2.6.18-398.el5");
	f = &d.bc.files[0];
	ck_assert(strstr(f->new.buf, "\tkernel /xen.gz-2.6.18-419.el5 dom0_mem=512M\n"));
	ck_assert(strstr(f->new.buf, "module /vmlinuz-2.6.18-419.el5xen ro root=/dev/sda1 notsc\n"));
	ck_assert(strstr(f->new.buf, "module /xen.gz-3.4 iommu=1\n"));
	ck_assert(strstr(f->new.buf, "module /vmlinuz-2.6.18-419.el5xen ro notsc\n"));
	ck_assert(strstr(f->new.buf, "kernel /memtest86+-1.65\n"));
	ck_assert(strstr(f->new.buf, "kernel /mykernel\n"));
	ck_assert(strstr(f->new.buf, "kernel=/vmlinuz-2.6.18-398.el5 ro notsc\n"));
	ck_assert(strstr(f->new.buf, "default=1 # the second\n"));
	done(&d);
}
END_TEST

START_TEST(test_legacy_select)
{
	static const char conf[] =
		"default=0\n"
		"title A (2.6.18-419.el5)\n\tkernel /vmlinuz-2.6.18-419.el5 ro\n"
		"title B (2.6.32-754.el6)\n\tkernel (hd0,0)/vmlinuz-2.6.32-754.el6 ro\n"
		"title C\n\tkernel /mykernel\n";
	const char *def[] = { "default" }, *glob[] = { "B*" }, *path[] = { "/vmlinuz-2.6.32*" },
		   *odd[] = { "C" };
	struct bootcfg_select s1 = { def, 1 }, s2 = { glob, 1 }, s3 = { path, 1 }, s4 = { odd, 1 };
	struct doc d;

	run(&d, BOOTCFG_LEGACY, "notsc", NULL, &s1, "/g", BOOTCFG_LEGACY, conf, NULL);
	ck_assert(strstr(d.bc.files[0].new.buf, "419.el5 ro notsc\n"));
	ck_assert(strstr(d.bc.files[0].new.buf, "754.el6 ro\n"));
	done(&d);
	run(&d, BOOTCFG_LEGACY, "notsc", NULL, &s2, "/g", BOOTCFG_LEGACY, conf, NULL);
	ck_assert(strstr(d.bc.files[0].new.buf, "419.el5 ro\n"));
	ck_assert(strstr(d.bc.files[0].new.buf, "754.el6 ro notsc\n"));
	done(&d);
	/* a kernel path glob also matches without the (hd0,0) device */
	run(&d, BOOTCFG_LEGACY, "notsc", NULL, &s3, "/g", BOOTCFG_LEGACY, conf, NULL);
	ck_assert(strstr(d.bc.files[0].new.buf, "754.el6 ro notsc\n"));
	done(&d);
	/* an unrecognised kernel is edited when named */
	run(&d, BOOTCFG_LEGACY, "notsc", NULL, &s4, "/g", BOOTCFG_LEGACY, conf, NULL);
	ck_assert(strstr(d.bc.files[0].new.buf, "kernel /mykernel notsc\n"));
	done(&d);
}
END_TEST

START_TEST(test_kopt)
{
	static const char conf[] =
		"### BEGIN AUTOMAGIC KERNELS LIST\n"
		"# kopt=root=/dev/sda1 ro\n"
		"# kopt_2_6_8=root=/dev/sda1 ro\n"
		"# groot=(hd0,0)\n"
		"title Debian, kernel 2.6.26-2-686\n"
		"kernel /boot/vmlinuz-2.6.26-2-686 root=/dev/sda1 ro\n"
		"### END DEBIAN AUTOMAGIC KERNELS LIST\n"
		"# kopt=not in the block\n";
	struct doc d;

	run(&d, BOOTCFG_LEGACY, "notsc", NULL, NULL, "/g", BOOTCFG_LEGACY, conf, NULL);
	ck_assert_msg(!d.rc, "%s", d.err);
	ck_assert(strstr(d.bc.files[0].new.buf, "# kopt=root=/dev/sda1 ro notsc\n"));
	ck_assert(strstr(d.bc.files[0].new.buf, "# kopt_2_6_8=root=/dev/sda1 ro notsc\n"));
	ck_assert(strstr(d.bc.files[0].new.buf, "# kopt=not in the block\n"));
	ck_assert(strstr(d.bc.files[0].new.buf, "2.6.26-2-686 root=/dev/sda1 ro notsc\n"));
	ck_assert_str_eq(entry(&d, "kopt=")->version, "2.6.26-2-686");
	done(&d);
}
END_TEST

static const char *defaults_patch(const char *text, const char *add, const char *rm,
				  char *err)
{
	static char out[4096];
	struct doc d;

	run(&d, BOOTCFG_GRUB2, add, rm, NULL, "/etc/default/grub", BOOTCFG_GRUB2, text, NULL);
	if (d.rc) {
		snprintf(err, UTIL_ERRMAX, "%s", d.err);
		done(&d);
		return NULL;
	}
	snprintf(out, sizeof(out), "%s", d.bc.files[0].new.buf);
	done(&d);
	return out;
}

START_TEST(test_grub2_defaults)
{
	static const struct { const char *in, *add, *want; } ok[] = {
		{ "GRUB_CMDLINE_LINUX=\"quiet\"\n", "notsc", "GRUB_CMDLINE_LINUX=\"quiet notsc\"\n" },
		{ "GRUB_CMDLINE_LINUX='quiet'\n", "notsc", "GRUB_CMDLINE_LINUX='quiet notsc'\n" },
		{ "GRUB_CMDLINE_LINUX=quiet\n", "notsc", "GRUB_CMDLINE_LINUX=\"quiet notsc\"\n" },
		{ "GRUB_CMDLINE_LINUX=\n", "notsc", "GRUB_CMDLINE_LINUX=notsc\n" },
		{ "GRUB_CMDLINE_LINUX=\n", "notsc divider=10", "GRUB_CMDLINE_LINUX=\"notsc divider=10\"\n" },
		{ "  export GRUB_CMDLINE_LINUX=\"a\" # comment\n", "notsc",
		  "  export GRUB_CMDLINE_LINUX=\"a notsc\" # comment\n" },
		/* escapes inside double quotes are decoded, and inserted text escaped */
		{ "GRUB_CMDLINE_LINUX=\"a=\\\"x y\\\"\"\n", "acpi_osi=\"!Windows 2006\"",
		  "GRUB_CMDLINE_LINUX=\"a=\\\"x y\\\" acpi_osi=\\\"!Windows 2006\\\"\"\n" },
		/* single quotes cannot hold a quote: closed and reopened */
		{ "GRUB_CMDLINE_LINUX='a'\n", "x='y'", "GRUB_CMDLINE_LINUX='a x='\\''y'\\'''\n" },
		/* no assignment: a new line, in the file's line endings */
		{ "GRUB_TIMEOUT=5\r\n", "notsc", "GRUB_TIMEOUT=5\r\nGRUB_CMDLINE_LINUX=\"notsc\"\r\n" },
		{ "GRUB_TIMEOUT=5", "notsc", "GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX=\"notsc\"\n" },
		/* the later assignment extends the earlier */
		{ "GRUB_CMDLINE_LINUX=\"clock=hpet\"\nGRUB_CMDLINE_LINUX=\"${GRUB_CMDLINE_LINUX} quiet\"\n",
		  "clock=pit", "GRUB_CMDLINE_LINUX=\"clock=pit\"\nGRUB_CMDLINE_LINUX=\"${GRUB_CMDLINE_LINUX} quiet\"\n" },
		/* a plain later assignment replaces: the earlier is dead */
		{ "GRUB_CMDLINE_LINUX=\"clock=hpet\"\nGRUB_CMDLINE_LINUX=\"quiet\"\n",
		  "clock=pit", "GRUB_CMDLINE_LINUX=\"clock=hpet\"\nGRUB_CMDLINE_LINUX=\"quiet clock=pit\"\n" },
		/* an added key in _DEFAULT would win (it comes last): removed there */
		{ "GRUB_CMDLINE_LINUX=\"quiet\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"clock=hpet splash\"\n",
		  "clock=pit", "GRUB_CMDLINE_LINUX=\"quiet clock=pit\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"splash\"\n" },
		{ "#GRUB_CMDLINE_LINUX=\"clock=hpet\"\nGRUB_CMDLINE_LINUX=\"\"\n", "clock=pit",
		  "#GRUB_CMDLINE_LINUX=\"clock=hpet\"\nGRUB_CMDLINE_LINUX=\"clock=pit\"\n" },
	};
	static const char *const bad[] = {
		"GRUB_CMDLINE_LINUX=\"$(cat /etc/x)\"\n",
		"GRUB_CMDLINE_LINUX=\"$OTHER quiet\"\n",
		"GRUB_CMDLINE_LINUX=\"`x`\"\n",
		"GRUB_CMDLINE_LINUX=\"quiet\n splash\"\n",
		"GRUB_CMDLINE_LINUX=\"quiet\"; echo\n",
		"GRUB_CMDLINE_LINUX+=\" quiet\"\n",
		"GRUB_CMDLINE_LINUX=a$b\n",
	};
	char err[UTIL_ERRMAX];

	for (size_t i = 0; i < UTIL_ARRAY_SIZE(ok); i++) {
		const char *got = defaults_patch(ok[i].in, ok[i].add, NULL, err);

		ck_assert_msg(got, "case %zu: %s", i, err);
		ck_assert_msg(!strcmp(got, ok[i].want), "case %zu: got '%s' want '%s'", i, got,
			      ok[i].want);
	}
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(bad); i++) {
		ck_assert_msg(!defaults_patch(bad[i], "notsc", NULL, err), "bad case %zu accepted", i);
		ck_assert_msg(strstr(err, "by hand") || strstr(err, "safely"), "bad %zu: %s", i, err);
	}
}
END_TEST

static char *env_block(const char *vars, size_t size)
{
	char *b = xmalloc(size + 1);
	size_t n = strlen("# GRUB Environment Block\n") + strlen(vars);

	snprintf(b, size + 1, "# GRUB Environment Block\n%s", vars);
	memset(b + n, '#', size - n);
	b[size] = '\0';
	return b;
}

START_TEST(test_grubenv)
{
	char *env = env_block("saved_entry=x\nkernelopts=root=/dev/sda1 ro \n", 1024);
	char *tiny = env_block("kernelopts=root=/dev/sda1 ro\n", 60);
	static const char bls[] =
		"title A\nversion 4.18.0-553.el8_10.x86_64\nlinux /vmlinuz-4.18.0-553.el8_10.x86_64\n"
		"options $kernelopts $tuned_params\n";
	static const char bls2[] =
		"title B\nversion 4.18.0-513.el8_9.x86_64\nlinux /vmlinuz-4.18.0-513.el8_9.x86_64\n"
		"options $kernelopts\n";
	static const char bls3[] =
		"title C\nversion 4.18.0-500.el8_9.x86_64\nlinux /vmlinuz-4.18.0-500.el8_9.x86_64\n"
		"options clock=hpet $kernelopts\n";
	struct doc d;

	/* two entries share kernelopts: one edit; the block keeps its size */
	run(&d, BOOTCFG_BLS, "notsc", NULL, NULL, "/boot/grub2/grubenv", BOOTCFG_GRUBENV, env,
	    "/e/a.conf", BOOTCFG_BLS, bls, "/e/b.conf", BOOTCFG_BLS, bls2, NULL);
	ck_assert_msg(!d.rc, "%s", d.err);
	ck_assert_int_eq(d.bc.files[0].new.len, 1024);
	ck_assert(strstr(d.bc.files[0].new.buf, "kernelopts=root=/dev/sda1 ro notsc \n"));
	ck_assert(!d.bc.files[1].changed && !d.bc.files[2].changed);
	ck_assert(entry(&d, "A")->is_default); /* newest when no saved_entry matches */
	done(&d);

	/* entries needing different edits to the shared variable: refused */
	run(&d, BOOTCFG_BLS, "clock=pit notsc", NULL, NULL, "/boot/grub2/grubenv", BOOTCFG_GRUBENV,
	    env, "/e/b.conf", BOOTCFG_BLS, bls2, "/e/c.conf", BOOTCFG_BLS, bls3, NULL);
	ck_assert_int_eq(d.rc, -1);
	ck_assert_msg(strstr(d.err, "different changes"), "%s", d.err);
	done(&d);

	/* too long for the block: refused */
	run(&d, BOOTCFG_GRUBENV, "clock=pit notsc divider=10", NULL, NULL, "/env", BOOTCFG_GRUBENV,
	    tiny, NULL);
	ck_assert_int_eq(d.rc, -1);
	ck_assert_msg(strstr(d.err, "environment block holds 60"), "%s", d.err);
	done(&d);

	/* no kernelopts in grubenv: the entry is skipped with the reason */
	free(tiny);
	tiny = env_block("saved_entry=x\n", 1024);
	run(&d, BOOTCFG_BLS, "notsc", NULL, NULL, "/boot/grub2/grubenv", BOOTCFG_GRUBENV, tiny,
	    "/e/b.conf", BOOTCFG_BLS, bls2, NULL);
	ck_assert(!d.rc);
	ck_assert(strstr(entry(&d, "B")->skip, "no kernelopts"));
	done(&d);
	free(env);
	free(tiny);
}
END_TEST

START_TEST(test_grubenv_damaged)
{
	struct doc d;

	run(&d, BOOTCFG_GRUBENV, "notsc", NULL, NULL, "/env", BOOTCFG_GRUBENV,
	    "# GRUB Environment Block\nkernelopts=ro\nxx##", NULL);
	ck_assert_int_eq(d.rc, -1);
	done(&d);
	run(&d, BOOTCFG_GRUBENV, "notsc", NULL, NULL, "/env", BOOTCFG_GRUBENV,
	    "not a block\n", NULL);
	ck_assert_int_eq(d.rc, -1);
	ck_assert(strstr(d.err, "not a GRUB environment block"));
	done(&d);
}
END_TEST

START_TEST(test_bls_options)
{
	static const char two[] =
		"title T\nlinux /vmlinuz-5.14.0-427.el9.x86_64\n"
		"options root=/dev/sda1 ro\noptions clock=hpet quiet\n";
	static const char none[] = "title R\nlinux /vmlinuz-0-rescue-abc\n";
	static const char efi[] = "title W\nefi /EFI/Microsoft/Boot/bootmgfw.efi\n";
	struct doc d;

	run(&d, BOOTCFG_BLS, "clock=pit notsc", NULL, NULL, "/e/t.conf", BOOTCFG_BLS, two,
	    "/e/r.conf", BOOTCFG_BLS, none, "/e/w.conf", BOOTCFG_BLS, efi, NULL);
	ck_assert_msg(!d.rc, "%s", d.err);
	ck_assert_str_eq(d.bc.files[0].new.buf,
			 "title T\nlinux /vmlinuz-5.14.0-427.el9.x86_64\n"
			 "options root=/dev/sda1 ro\noptions clock=pit quiet notsc\n");
	ck_assert(strstr(entry(&d, "R")->skip, "no 'options' line"));
	ck_assert(strstr(entry(&d, "W")->skip, "not a Linux entry"));
	done(&d);
}
END_TEST

/*
 * Inputs fuzz_grub found (each once crashed, leaked or broke the
 * patch-then-remove invariant): a kernel line without a file name, a Xen
 * entry whose module names no file, a BLS entry with more options lines
 * than the parser keeps (its error path leaked the entry's strings).
 */
START_TEST(test_fuzz_findings)
{
	static const char legacy[] =
		"title Bare\n\tkernel\n"
		"title BareArgs\n\tkernel   \n\tinitrd /initrd.img\n"
		"title XenNoModulePath\n\tkernel /xen.gz-3.1\n\tmodule\n"
		"title Good\n\tkernel /vmlinuz-2.6.18-398.el5 ro\n";
	struct strbuf many = STRBUF_INIT;
	struct doc d;

	run(&d, BOOTCFG_LEGACY, "notsc", NULL, NULL, "/g", BOOTCFG_LEGACY, legacy, NULL);
	ck_assert_msg(!d.rc, "%s", d.err);
	ck_assert_str_eq(entry(&d, "Bare")->skip, "kernel line without a file name");
	ck_assert_str_eq(entry(&d, "BareArgs")->skip, "kernel line without a file name");
	ck_assert_str_eq(entry(&d, "XenNoModulePath")->kind, "xen");
	ck_assert(strstr(entry(&d, "XenNoModulePath")->skip, "without a Linux kernel module"));
	ck_assert_str_eq(d.bc.files[0].new.buf,
			 "title Bare\n\tkernel\n"
			 "title BareArgs\n\tkernel   \n\tinitrd /initrd.img\n"
			 "title XenNoModulePath\n\tkernel /xen.gz-3.1\n\tmodule\n"
			 "title Good\n\tkernel /vmlinuz-2.6.18-398.el5 ro notsc\n");
	done(&d);

	strbuf_addstr(&many, "title T\nlinux /vmlinuz-5.14.0\nversion 5.14.0\n");
	for (int i = 0; i < 17; i++)
		strbuf_addf(&many, "options a%d\n", i);
	run(&d, BOOTCFG_BLS, "notsc", NULL, NULL, "/e/t.conf", BOOTCFG_BLS, many.buf, NULL);
	ck_assert_int_eq(d.rc, -1);
	ck_assert_msg(strstr(d.err, "'/e/t.conf': too many options lines"), "%s", d.err);
	done(&d);
	strbuf_release(&many);
}
END_TEST

START_TEST(test_kernel_kind)
{
	ck_assert_str_eq(grubcfg_kernel_kind("/vmlinuz-2.6.18-419.el5"), "linux");
	ck_assert_str_eq(grubcfg_kernel_kind("(hd0,0)/bzImage"), "linux");
	ck_assert_str_eq(grubcfg_kernel_kind("/boot/xen.gz-4.1"), "xen");
	ck_assert_str_eq(grubcfg_kernel_kind("/tboot.gz"), "tboot");
	ck_assert_str_eq(grubcfg_kernel_kind("/elf-memtest86+-4.20"), "memtest");
	ck_assert_str_eq(grubcfg_kernel_kind("/boot/loader"), "bsd");
	ck_assert_str_eq(grubcfg_kernel_kind("/boot/gnumach.gz"), "hurd");
	ck_assert_str_eq(grubcfg_kernel_kind("/initrd-2.6.18.img"), "initrd");
	ck_assert_str_eq(grubcfg_kernel_kind("/gittest"), "unknown");
}
END_TEST

START_TEST(test_versions)
{
	char v[128];

	bootcfg_version_from_path("/vmlinuz-2.6.18-419.el5xen", v, sizeof(v));
	ck_assert_str_eq(v, "2.6.18-419.el5xen");
	bootcfg_version_from_path("(hd0,0)/vmlinuz-2.6.18-419.el5", v, sizeof(v));
	ck_assert_str_eq(v, "2.6.18-419.el5");
	bootcfg_version_from_path("/vmlinuz-0-rescue-4b74", v, sizeof(v));
	ck_assert_str_eq(v, "");
	bootcfg_version_from_path("/vmlinuz", v, sizeof(v));
	ck_assert_str_eq(v, "");
	bootcfg_version_from_title("Fedora 20 Rescue 4b74 (3.10.0-0.rc4.git0.1.fc20.x86_64)", v,
				   sizeof(v));
	ck_assert_str_eq(v, "3.10.0-0.rc4.git0.1.fc20.x86_64");
	bootcfg_version_from_title("Windows (C:)", v, sizeof(v));
	ck_assert_str_eq(v, "");
}
END_TEST

Suite *grub_suite(void)
{
	Suite *s = suite_create("grub");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_legacy_kinds);
	tcase_add_test(tc, test_legacy_select);
	tcase_add_test(tc, test_kopt);
	tcase_add_test(tc, test_grub2_defaults);
	tcase_add_test(tc, test_grubenv);
	tcase_add_test(tc, test_grubenv_damaged);
	tcase_add_test(tc, test_bls_options);
	tcase_add_test(tc, test_fuzz_findings);
	tcase_add_test(tc, test_kernel_kind);
	tcase_add_test(tc, test_versions);
	suite_add_tcase(s, tc);
	return s;
}
