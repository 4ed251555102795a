#!/bin/bash
# t_grub_cli.sh - `hvclock grub` as scripts see it: exit codes, usage
# errors, format detection, refusals, --entry, conflicts, JSON, modes.
. "$(dirname "$0")/lib.sh"

A="clock=pit notsc divider=10"
G=$TOP/grub
C=$FIXTURES/grub/corpus
cp -a "$G/el5" "$T/el5"
orig_sum=$(md5sum <"$T/el5/boot/grub/grub.conf")

# --- usage --------------------------------------------------------------------
expect_rc 0 "--help" "$HVCLOCK" grub --help
contains "$T/.out" "--remove-args" "--help lists the options"
expect_rc 0 "no arguments, nothing known about the kernel: nothing to do" "$HVCLOCK" --sysroot "$T/el5" grub
contains "$T/.out" "the rules find no boot-argument remedy for this system \(platform unknown, CentOS release 5.11 \(Final\), kernel unknown\)" "no arguments: says why nothing is done"
contains "$T/.out" "warning: the rules lack the platform and the running kernel; to apply a remedy anyway, name it: --profile NAME" "no arguments, facts missing: points at --profile"
expect_rc 2 "two modes" "$HVCLOCK" --sysroot "$T/el5" grub --check --apply --args notsc
expect_rc 2 "unknown option" "$HVCLOCK" grub --frobnicate
contains "$T/.out" "unknown option '--frobnicate'" "unknown option named"
expect_rc 2 "bad --format" "$HVCLOCK" grub --format lilo --args notsc
expect_rc 2 "unbalanced quote in --args" "$HVCLOCK" --sysroot "$T/el5" grub --args 'a="b'
expect_rc 2 "key added and removed" "$HVCLOCK" --sysroot "$T/el5" grub --args clock=pit --remove-args clock
contains "$T/.out" "both added and removed" "key added and removed: says so"
expect_rc 2 "unknown profile" "$HVCLOCK" --sysroot "$T/el5" grub --profile nosuch
expect_rc 2 "--profile with --args" "$HVCLOCK" --sysroot "$T/el5" grub --profile el5-hyperv --args notsc
expect_rc 0 "--profile list" "$HVCLOCK" grub --profile list
contains "$T/.out" "^el5-hyperv " "--profile list shows el5-hyperv"

# --- modes ----------------------------------------------------------------------
expect_rc 0 "default mode (plan + diff)" "$HVCLOCK" --sysroot "$T/el5" grub --args "$A"
contains "$T/.out" "^\+	kernel /vmlinuz-2.6.18-419.el5 .* clock=pit notsc divider=10$" "plan shows the diff"
[ "$(md5sum <"$T/el5/boot/grub/grub.conf")" = "$orig_sum" ] && pass "default mode changes nothing" || fail "default mode wrote"
expect_rc 1 "--check: changes pending -> 1" "$HVCLOCK" --sysroot "$T/el5" grub --check --args "$A"
contains "$T/.out" "added clock=pit" "--check prints what would change"
expect_rc 0 "--diff" "$HVCLOCK" --sysroot "$T/el5" grub --diff --args "$A"
head -n 1 "$T/.out" | grep -q '^--- a/boot/grub/grub.conf$' && pass "--diff is a unified diff with a/ b/ paths" || fail "--diff header"
expect_rc 0 "--stdout" "$HVCLOCK" --sysroot "$T/el5" grub --stdout --args "$A"
cp "$T/.out" "$T/stdout"
check "--stdout prints the patched file" cmp "$T/stdout" "$FIXTURES/grub/expected/trees/el5/boot/grub/grub.conf"
expect_rc 0 "--json" "$HVCLOCK" --sysroot "$T/el5" grub --json --args "$A"
cp "$T/.out" "$T/json"
check "--json parses, has files and entries" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "legacy" and d["changes"] is True
f = d["files"][0]
assert f["path"] == "/boot/grub/grub.conf" and f["changed"]
states = [e["state"] for e in f["entries"]]
assert states == ["change", "change", "change"], states
assert f["entries"][0]["changes"][0] == {"kind": "added", "old": None, "arg": "clock=pit"}' "$T/json"
expect_rc 2 "error exit 2 under --check (diff convention)" "$HVCLOCK" --sysroot "$T/nonexistent-root" grub --check --args notsc

# --- detection --------------------------------------------------------------------
for t in el5:legacy el5-xen:legacy rhel6:legacy el7-grub2:grub2 debian-grub2:grub2 rhel8-bls:bls rhel9-bls:bls; do
	tree=${t%%:*} fmt=${t#*:}
	expect_rc 1 "$tree: detected and has changes" "$HVCLOCK" --sysroot "$G/$tree" grub --check --args "$A"
	contains "$T/.out" "^format: $fmt$" "$tree: format $fmt"
done
"$HVCLOCK" --sysroot "$G/el7-grub2" grub --args "$A" >"$T/o" 2>&1
contains "$T/o" "run 'grub2-mkconfig -o /boot/grub2/grub.cfg'" "el7: tells the regeneration command"
"$HVCLOCK" --sysroot "$G/debian-grub2" grub --args "$A" >"$T/o" 2>&1
contains "$T/o" "run 'update-grub'" "debian: tells update-grub"
"$HVCLOCK" --sysroot "$G/rhel8-bls" grub --args "$A" >"$T/o" 2>&1
contains "$T/o" "^\+kernelopts=.* quiet clock=pit notsc divider=10 $" "rhel8: \$kernelopts -> grubenv kernelopts"
grep -q "grub.cfg" "$T/o" && grep -q "^+++ b/boot/grub2/grub.cfg" "$T/o" && fail "rhel8: grub.cfg edited" || pass "rhel8: grub.cfg never edited"
mkdir -p "$T/empty"
expect_rc 2 "nothing to patch: error" "$HVCLOCK" --sysroot "$T/empty" grub --check --args notsc
contains "$T/.out" "no boot loader configuration found" "nothing to patch: says what was looked for"
# A Debian box upgraded to GRUB 2 with an old menu.lst left behind.
cp -a "$G/debian-grub2" "$T/deb"; mkdir -p "$T/deb/boot/grub"
cp "$C/synthetic-debian-automagic.menu.lst" "$T/deb/boot/grub/menu.lst"
"$HVCLOCK" --sysroot "$T/deb" grub --args "$A" >"$T/o" 2>&1
contains "$T/o" "^format: grub2$" "GRUB 2 wins over a leftover menu.lst"
contains "$T/o" "GRUB legacy files exist too" "the leftover is mentioned"
"$HVCLOCK" --sysroot "$T/deb" grub --format legacy --args "$A" >"$T/o" 2>&1
contains "$T/o" "^format: legacy$" "--format legacy picks menu.lst"
# --config under --sysroot
expect_rc 1 "--config inside the sysroot" "$HVCLOCK" --sysroot "$G/el5" grub --check --config /etc/grub.conf --args "$A"
contains "$T/.out" "^/boot/grub/grub.conf " "--config through the symlink names the target"

# --- refusals -------------------------------------------------------------------
expect_rc 2 "generated grub.cfg refused" "$HVCLOCK" grub --config "$G/el7-grub2/boot/grub2/grub.cfg" --args notsc
contains "$T/.out" "generated by grub-mkconfig" "grub.cfg: says to edit /etc/default/grub"
head -c 2000000 /dev/zero | tr '\0' '#' >"$T/huge.conf"
expect_rc 2 "file over 1 MiB refused" "$HVCLOCK" grub --config "$T/huge.conf" --args notsc
contains "$T/.out" "file too large" "huge: says too large"
{ cat "$C/grub.10"; printf '\0\1\2'; } >"$T/nul.conf"
expect_rc 2 "NUL byte refused" "$HVCLOCK" grub --config "$T/nul.conf" --args notsc
contains "$T/.out" "binary data" "NUL: says binary"
printf 'title x\n\tkernel /vmlinuz-2.6.18-419.el5 ro a="b c\n' >"$T/quote.conf"
expect_rc 2 "unbalanced quote on a kernel line refused" "$HVCLOCK" grub --config "$T/quote.conf" --args notsc
contains "$T/.out" "line 2.*unbalanced double quote" "unbalanced: names the line"
printf 'GRUB_CMDLINE_LINUX="$(cat /proc/cmdline)"\n' >"$T/expand.default"
expect_rc 2 "shell expansion in GRUB_CMDLINE_LINUX refused" "$HVCLOCK" grub --config "$T/expand.default" --args notsc
contains "$T/.out" "edit it by hand" "expansion: says edit by hand"
expect_rc 2 "--entry on GRUB 2 refused" "$HVCLOCK" --sysroot "$G/el7-grub2" grub --entry default --args notsc

# --- entries, kernels, conflicts ------------------------------------------------------
"$HVCLOCK" --sysroot "$T/el5" grub --stdout --entry default --args notsc >"$T/o"
[ "$(grep -c ' notsc$' "$T/o")" = 1 ] && grep -q '419.el5 ro root=/dev/VolGroup00/LogVol00 rhgb quiet notsc$' "$T/o" &&
	pass "--entry default: only the default entry" || fail "--entry default"
"$HVCLOCK" --sysroot "$T/el5" grub --stdout --entry 'Oracle*' --entry '/vmlinuz-2.6.18-398*' --args notsc >"$T/o"
[ "$(grep -c ' notsc$' "$T/o")" = 2 ] && ! grep -q '419.el5 .*notsc' "$T/o" &&
	pass "--entry title glob + kernel path glob" || fail "--entry globs"
"$HVCLOCK" --sysroot "$G/el5-xen" grub --stdout --args "$A" >"$T/o"
grep -q '^	kernel /xen.gz-2.6.18-419.el5 dom0_mem=1024M$' "$T/o" && grep -q '^	module /vmlinuz-2.6.18-419.el5xen .* clock=pit notsc divider=10$' "$T/o" &&
	pass "Xen: arguments on the dom0 module line, not the hypervisor's" || fail "Xen placement"
grep -q '^	kernel /memtest86+-1.65$' "$T/o" && pass "memtest entry untouched" || fail "memtest edited"
"$HVCLOCK" grub --config "$C/synthetic-el5-existing-args.conf" --args "$A" >"$T/o" 2>"$T/e"
contains "$T/o" "clocksource=acpi_pm conflicts with clock=pit" "conflict reported"
contains "$T/e" "conflicting arguments left" "conflict warned on stderr"
"$HVCLOCK" grub --config "$C/synthetic-el5-existing-args.conf" --args "$A" --replace-conflicts --stdout >"$T/o"
contains "$T/o" "2.6.18-412.el5 ro root=/dev/VolGroup00/LogVol00 clock=pit nohpet notsc_ignored=1 xdivider=4 rhgb quiet notsc divider=10$" "--replace-conflicts: clocksource= replaced in place by clock=pit"
"$HVCLOCK" grub --config "$C/synthetic-el5-existing-args.conf" --args "$A" --stdout >"$T/o"
contains "$T/o" "2.6.18-410.el5 ro root=/dev/VolGroup00/LogVol00 quiet clock=pit notsc divider=10$" "duplicates collapse to one correct occurrence"
contains "$T/o" "2.6.18-419.el5 ro root=/dev/VolGroup00/LogVol00 clock=pit rhgb quiet notsc divider=10$" "clock=hpet replaced where it stands"
# Every entry the same, whatever an earlier entry holds (old grubby bug).
printf 'title a\n\tkernel /vmlinuz-2.6.18-419.el5 ro notsc\ntitle b\n\tkernel /vmlinuz-2.6.18-398.el5 ro\n' >"$T/two.conf"
"$HVCLOCK" grub --config "$T/two.conf" --args notsc --stdout >"$T/o"
[ "$(grep -c 'notsc' "$T/o")" = 2 ] && pass "an earlier entry with the argument does not stop the later" || fail "later entry skipped"
# Profile per kernel version, and the remove list of a profile.
"$HVCLOCK" --sysroot "$T/el5" grub --profile el5-hyperv-nodivider --stdout >"$T/o"
contains "$T/o" "2.6.18-419.el5 ro root=/dev/VolGroup00/LogVol00 rhgb quiet clock=pit notsc$" "profile el5-hyperv-nodivider applied"
# --- no arguments: the remedy the rules choose for this system --------------------
cp -a "$FIXTURES/env/centos55-hyperv" "$T/c55"
mkdir -p "$T/c55/boot/grub"
printf 'default=0\ntimeout=5\ntitle CentOS (2.6.18-194.el5)\n\troot (hd0,0)\n\tkernel /vmlinuz-2.6.18-194.el5 ro root=/dev/VolGroup00/LogVol00 rhgb quiet\n\tinitrd /initrd-2.6.18-194.el5.img\n' >"$T/c55/boot/grub/grub.conf"
expect_rc 1 "no arguments: the rules' remedy, --check" "$HVCLOCK" --sysroot "$T/c55" grub --check
contains "$T/.out" "remedy chosen by the rules: el5-hyperv \(rule " "says which remedy the rules chose"
contains "$T/.out" "divider= can panic kernel 2.6.18-194.el5 \(RHEL 5.5" "warns about divider= before 5.8"
check "no arguments: --apply" "$HVCLOCK" --sysroot "$T/c55" grub --apply
contains "$T/c55/boot/grub/grub.conf" "194.el5 ro root=/dev/VolGroup00/LogVol00 rhgb quiet clock=pit notsc divider=10$" "the rules' remedy applied"
expect_rc 0 "a healthy system: nothing to change" "$HVCLOCK" --sysroot "$FIXTURES/env/rhel9-kvm" grub --check
contains "$T/.out" "the rules find no boot-argument remedy for this system \(KVM, " "says no remedy applies, and for which platform"
not_contains "$T/.out" "the rules lack" "a known platform and kernel: no hint to name a profile"
finish
