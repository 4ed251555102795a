#!/bin/bash
# t_grub_grubby.sh - hvclock grub against Red Hat's grubby: the same bytes
# as grubby's own expected results on ordinary configs, and the documented
# differences where grubby is wrong (README, section grub).
. "$(dirname "$0")/lib.sh"

F=$FIXTURES/grub/grubby
C=$FIXTURES/grub/corpus
g() { "$HVCLOCK" grub --stdout "$@" 2>"$T/err"; }

# --- same result as grubby ------------------------------------------------------
g --config "$F/grub.3" --entry default --args hdd=notide-scsi >"$T/o"
check "grubby updargs/g3.1 (--update-kernel=DEFAULT --args hdd=notide-scsi)" cmp "$T/o" "$F/updargs-g3.1"
g --config "$F/grub.3" --remove-args hdd >"$T/o"
check "grubby updargs/g3.4 (--update-kernel=ALL --remove-args hdd)" cmp "$T/o" "$F/updargs-g3.4"
g --config "$F/grub.3" --remove-args hdd=ide-scsi >"$T/o"
check "grubby updargs/g3.4 (--remove-args hdd=ide-scsi)" cmp "$T/o" "$F/updargs-g3.4"

# --- where grubby is wrong -----------------------------------------------------------
g --config "$F/grub.3" --remove-args hdd=foobar >"$T/o"
check "remove hdd=foobar removes nothing (grubby removes hdd=ide-scsi)" cmp "$T/o" "$F/grub.3"
g --config "$C/synthetic-default-trailing-comment.conf" --args notsc >"$T/o"
contains "$T/o" "^default=1 # 0 is the broken new kernel$" "default= line kept with its comment (grubby rewrites it)"
contains "$T/o" "^fallback=0$" "fallback= line kept"
g --config "$C/synthetic-directives.conf" --args notsc >"$T/o"
contains "$T/o" "^fallback 1 2$" "a fallback list is kept (grubby writes one number)"
contains "$T/o" "^default saved$" "'default saved' kept"
g --config "$C/synthetic-crlf.conf" --args notsc >"$T/o"
[ "$(grep -c $'\r$' "$T/o")" = "$(grep -c '' "$T/o")" ] && pass "CRLF file stays CRLF on every line (grubby writes LF lines into it)" || fail "line endings mixed"
g --config "$C/synthetic-whitespace.conf" --args notsc >"$T/o"
[ "$(tail -c 1 "$T/o")" != "" ] && [ "$(tail -c 4 "$T/o")" = ".img" ] && pass "no final newline added (grubby adds one)" || fail "final newline changed"
contains "$T/o" "rhgb quiet notsc $" "trailing blank after the arguments kept"
contains "$T/o" "rhgb  quiet notsc	$(printf '\t')$" "tab separators and trailing tabs kept"
g --config "$C/synthetic-el5-existing-args.conf" --args clock=pit >"$T/o"
contains "$T/o" "2.6.18-410.el5 ro root=/dev/VolGroup00/LogVol00 quiet clock=pit notsc notsc$" "duplicate clock= collapsed to one, the kernel's last (grubby replaces the first and keeps clock=hpet)"
g --config "$C/grub.14" --args notsc >"$T/o"
contains "$T/o" "^	kernel /elf-memtest86\+-4.20$" "memtest entry untouched (grubby --update-kernel=ALL edits it)"
g --config "$C/gnu-grub-legacy-sample-menu.lst" --args notsc >"$T/o"
contains "$T/o" "^kernel --type=netbsd /netbsd$" "NetBSD entry untouched (grubby: 'could find netbsd etc, though')"
printf 'title a\n\tkernel /vmlinuz-2.6.18-419.el5 ro no_kvmclock\n' >"$T/dash.conf"
g --config "$T/dash.conf" --args no-kvmclock >"$T/o"
check "'-' and '_' alike in names (grubby compares names with strcmp)" cmp "$T/o" "$T/dash.conf"
finish
