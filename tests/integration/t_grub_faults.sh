#!/bin/bash
# t_grub_faults.sh - `hvclock grub --apply` when writing fails (no space,
# read-only filesystem, no permission, immutable file), through a
# symlinked config, and killed with SIGKILL at 200 random instants: the
# config is always the old or the new one, never partial, the symlinks
# stay symlinks, every backup is complete, and errors name file and cause.
# Needs root (mount, chattr), like the rest of the suite.
. "$(dirname "$0")/lib.sh"

ARGS="clock=pit notsc divider=10"
SRC=$TOP/grub/el5
MOUNTS=()
cleanup_mounts() {
	local m
	for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null; done
	chattr -i "$T"/*/boot/grub/grub.conf 2>/dev/null
}
trap 'cleanup_mounts; _cleanup' EXIT

orig=$T/orig.conf
cp "$SRC/boot/grub/grub.conf" "$orig"
patched=$T/patched.conf
"$HVCLOCK" grub --config "$orig" --stdout --args "$ARGS" >"$patched"

# unchanged DIR: the config under DIR is still the original, no temp left
unchanged() {
	if cmp -s "$1/boot/grub/grub.conf" "$orig" && [ -L "$1/etc/grub.conf" ] &&
	   ! ls -a "$1/boot/grub" | grep -q 'hvclock-tmp'; then
		pass "$2: original untouched, no temporary file left"
	else
		fail "$2: config changed or temporary file left"; ls -la "$1/boot/grub"
	fi
}

# --- ENOSPC: a tmpfs too small for the new file ------------------------------
for backup in --no-backup ""; do
	d=$T/full$backup
	mkdir -p "$d"
	mount -t tmpfs -o size=64k tmpfs "$d" && MOUNTS+=("$d") || { fail "mount tmpfs"; continue; }
	cp -a "$SRC/." "$d/"
	# Fill the filesystem up.
	dd if=/dev/zero of="$d/filler" bs=4k 2>/dev/null
	expect_rc 2 "ENOSPC ${backup:-with backup}: fails" "$HVCLOCK" --sysroot "$d" grub --apply $backup --args "$ARGS"
	contains "$T/.out" "grub\.conf.*No space left on device" "ENOSPC ${backup:-with backup}: error names the file and the cause"
	unchanged "$d" "ENOSPC ${backup:-with backup}"
	ls "$d/boot/grub" | grep -q hvclock-2 && fail "ENOSPC: a backup was left" || pass "ENOSPC: no backup left behind"
done

# --- EROFS: a read-only bind mount --------------------------------------------
d=$T/rosrc; mkdir -p "$d" "$T/ro"; cp -a "$SRC/." "$d/"
mount --bind "$d" "$T/ro" && MOUNTS+=("$T/ro") && mount -o remount,bind,ro "$T/ro" || fail "read-only bind mount"
expect_rc 2 "EROFS: fails" "$HVCLOCK" --sysroot "$T/ro" grub --apply --args "$ARGS"
contains "$T/.out" "Read-only file system" "EROFS: error says read-only"
contains "$T/.out" "grub\.conf" "EROFS: error names the file"
unchanged "$T/ro" "EROFS"
expect_rc 1 "EROFS: --check still works (read only)" "$HVCLOCK" --sysroot "$T/ro" grub --check --args "$ARGS"

# --- EPERM: an immutable file (root ignores permission bits) ------------------
d=$T/immutable; mkdir -p "$d"; cp -a "$SRC/." "$d/"
if chattr +i "$d/boot/grub/grub.conf"; then
	expect_rc 2 "immutable file: fails" "$HVCLOCK" --sysroot "$d" grub --apply --no-backup --args "$ARGS"
	contains "$T/.out" "grub\.conf.*Operation not permitted" "immutable file: error names the file and the cause"
	chattr -i "$d/boot/grub/grub.conf"
	unchanged "$d" "immutable file"
else
	fail "chattr +i not supported here"
fi

# --- EACCES: a user who may not write there ------------------------------------
d=$(mktemp -d /tmp/hvclock-it-nobody.XXXXXX)
chmod 755 "$d"; cp -a "$SRC/." "$d/"
expect_rc 2 "no permission (user nobody): fails" runuser -u nobody -- "$HVCLOCK" --sysroot "$d" grub --apply --args "$ARGS"
contains "$T/.out" "grub\.conf.*Permission denied" "no permission: error names the file and the cause"
unchanged "$d" "no permission"
rm -rf "$d"

# --- the symlinked config and backups -------------------------------------------
d=$T/link; mkdir -p "$d"; cp -a "$SRC/." "$d/"
check "via /etc/grub.conf: --apply" "$HVCLOCK" --sysroot "$d" grub --apply --config /etc/grub.conf --args "$ARGS"
[ -L "$d/etc/grub.conf" ] && [ "$(readlink "$d/etc/grub.conf")" = ../boot/grub/grub.conf ] &&
	pass "/etc/grub.conf is still the same symlink" || fail "/etc/grub.conf is no longer a symlink"
[ -L "$d/boot/grub/menu.lst" ] && pass "menu.lst is still a symlink" || fail "menu.lst replaced"
cmp -s "$d/boot/grub/grub.conf" "$patched" && pass "the link's target was patched" || fail "target not patched"
b=$(ls "$d"/boot/grub/grub.conf.hvclock-* 2>/dev/null)
[ "$(echo "$b" | wc -w)" = 1 ] && cmp -s "$b" "$orig" && pass "one backup, holding the original" || fail "backup: '$b'"
case $(basename "$b") in grub.conf.hvclock-[0-9]*T[0-9]*) pass "backup named grub.conf.hvclock-YYYYmmddTHHMMSS" ;; *) fail "backup name $b" ;; esac
check "remove again" "$HVCLOCK" --sysroot "$d" grub --apply --backup-suffix .keep --remove-args "$ARGS"
check "second run with the same suffix" "$HVCLOCK" --sysroot "$d" grub --apply --backup-suffix .keep --args "$ARGS"
[ -f "$d/boot/grub/grub.conf.keep" ] && [ -f "$d/boot/grub/grub.conf.keep.1" ] &&
	cmp -s "$d/boot/grub/grub.conf.keep" "$patched" && cmp -s "$d/boot/grub/grub.conf.keep.1" "$orig" &&
	pass "an earlier backup is never overwritten (.keep, .keep.1)" || fail "backups overwritten"

# --- hard links: refused unless --in-place ------------------------------------------
d=$T/hard; mkdir -p "$d"; cp -a "$SRC/." "$d/"; ln "$d/boot/grub/grub.conf" "$d/grub.conf.hardlink"
expect_rc 2 "hard-linked config: refused" "$HVCLOCK" --sysroot "$d" grub --apply --args "$ARGS"
contains "$T/.out" "hard links" "hard-linked config: the error says why"
unchanged "$d" "hard-linked config"
check "hard-linked config: --in-place" "$HVCLOCK" --sysroot "$d" grub --apply --in-place --args "$ARGS"
cmp -s "$d/grub.conf.hardlink" "$patched" && pass "--in-place kept the hard link" || fail "--in-place split the link"

# --- SIGKILL at random instants, 200 times -------------------------------------------
d=$T/kill; mkdir -p "$d"; cp -a "$SRC/." "$d/"
KILLER=$BUILD/tools/killer
killed=0 done=0 bad=0
RANDOM=4242
# Delays from 0 to 1.5 times the duration of one run (a few ms, mostly
# fsync; more under sanitizers) land before, during and after the write.
t0=$(date +%s%N)
for i in 1 2 3; do
	"$HVCLOCK" --sysroot "$d" grub --apply --no-backup --args "$ARGS" >/dev/null
	"$HVCLOCK" --sysroot "$d" grub --apply --no-backup --remove-args "$ARGS" >/dev/null
done
span=$(( ($(date +%s%N) - t0) / 6 * 3 / 2 / 1000 ))
[ "$span" -lt 1000 ] && span=1000
for i in $(seq 200); do
	if cmp -s "$d/boot/grub/grub.conf" "$orig"; then what=--args; else what=--remove-args; fi
	out=$("$KILLER" $(( (RANDOM * 32768 + RANDOM) % span )) "$HVCLOCK" --sysroot "$d" grub --apply "$what" "$ARGS")
	[ "$out" = killed ] && killed=$((killed + 1))
	[ "$out" = "exited 0" ] && done=$((done + 1))
	if ! cmp -s "$d/boot/grub/grub.conf" "$orig" && ! cmp -s "$d/boot/grub/grub.conf" "$patched"; then
		bad=$((bad + 1)); echo "  run $i ($out): partial config"; fi
	if [ ! -L "$d/etc/grub.conf" ] || [ ! -L "$d/boot/grub/menu.lst" ]; then
		bad=$((bad + 1)); echo "  run $i ($out): symlink replaced"; fi
done
[ "$bad" = 0 ] && pass "200 SIGKILLs: always the old or the new config, symlinks intact ($killed killed mid-run)" ||
	fail "200 SIGKILLs: $bad bad states"
[ "$killed" -ge 10 ] && [ "$done" -ge 10 ] && pass "kills landed before, during and after writes ($killed killed, $done finished)" ||
	fail "timing too coarse: $killed killed, $done finished"
nb=0
for b in "$d"/boot/grub/grub.conf.hvclock-*; do
	[ -e "$b" ] || continue
	cmp -s "$b" "$orig" || cmp -s "$b" "$patched" || nb=$((nb + 1))
done
[ "$nb" = 0 ] && pass "every backup left is complete" || fail "$nb partial backups"
check "a run after the kills succeeds" "$HVCLOCK" --sysroot "$d" grub --apply --no-backup --args "$ARGS"
ls -a "$d/boot/grub" | grep -q hvclock-tmp && fail "stale temporary files left" || pass "stale temporary files cleaned up"
finish
