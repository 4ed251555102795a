#!/bin/bash
# t_fs_faults.sh - every file hvclock writes, when writing it fails or
# someone plays tricks with it: the sample log (hvclock log -o), the
# node_exporter textfile (--textfile DIR) and the boot configs (hvclock
# grub; t_grub_faults.sh has their ENOSPC/EROFS/EACCES/SIGKILL cases).
#
# Faults: no space left (a small tmpfs, nearly or completely full), a
# read-only bind mount, no permission (user nobody: root ignores mode
# bits), a directory or a FIFO where the file should be, and symbolic
# links: planted before the run, or swapped in between the checks and the
# write (tests/tools/shim_swap.c). Each case: a clear error naming the
# file and the cause, the documented exit code (log: 1 the record was
# not written, 4 the textfile was not; grub: 2), and nothing lost: the
# earlier records and the old textfile intact, no file written through a
# link that someone else could have planted.
#
# The log's policy on symbolic links: followed only where nobody else
# can have put one (link and directory owned by root or by us, the
# directory writable by its owner alone); refused in /tmp-like
# (world-writable, sticky) and group-writable directories.
# Needs root (mount, setpriv), like the rest of the suite.
. "$(dirname "$0")/lib.sh"

MOUNTS=()
cleanup_mounts() {
	local m
	for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null; done
}
trap 'cleanup_mounts; _cleanup' EXIT
chmod 755 "$T"

SHIM=$BUILD/tools/shim_swap.so
[ -f "$SHIM" ] || fail "shim_swap.so not built"
# Under ASan (make check SANITIZE=1) its runtime must come first.
ASAN=$(ldd "$HVCLOCK" 2>/dev/null | awk '/libasan/ { print $3 }')
[ -n "$ASAN" ] && SHIM=$ASAN:$SHIM
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
ncases=0

# A log with three records and a textfile from the same runs.
mkdir -p "$T/seed/tf"
for i in 1 2 3; do
	"$HVCLOCK" log --no-ntp -o "$T/seed/samples.log" --textfile "$T/seed/tf" || fail "seed run $i"
done
SEEDLOG=$T/seed/samples.log
SEEDPROM=$T/seed/tf/hvclock.prom
nrec() { grep -vc '^#' "$1"; }
[ "$(nrec "$SEEDLOG")" = 3 ] && pass "seed log has 3 records" || fail "seed log"

# log_case NAME WANT-RC REGEX LOG [ARGS...]: hvclock log into LOG; the
# exit code, the message; the log's old bytes are a prefix of its new
# ones (compared with $LOG.before, saved here).
log_case() {
	local name=$1 want=$2 re=$3 log=$4; shift 4
	ncases=$((ncases + 1))
	[ -f "$log" ] && cp "$log" "$T/before"
	expect_rc "$want" "log, $name: exit $want" "$HVCLOCK" log --no-ntp -o "$log" "$@"
	[ -n "$re" ] && contains "$T/.out" "$re" "log, $name: error names the file and the cause"
	if [ -f "$T/before" ]; then
		if [ "$(head -c "$(stat -c %s "$T/before")" "$log" | cmp - "$T/before" && echo same)" = same ]; then
			pass "log, $name: earlier records intact"
		else
			fail "log, $name: earlier records changed"
		fi
		rm -f "$T/before"
	fi
}

# prom_case NAME WANT-RC REGEX DIR [ENV...]: hvclock log --textfile DIR
# (the log itself elsewhere, writable); the old textfile must be intact.
prom_case() {
	local name=$1 want=$2 re=$3 dir=$4 n; shift 4
	ncases=$((ncases + 1))
	n=$(nrec "$T/ok.log" 2>/dev/null || echo 0)
	[ -f "$dir/hvclock.prom" ] && [ ! -L "$dir/hvclock.prom" ] && cp "$dir/hvclock.prom" "$T/prom.before"
	expect_rc "$want" "textfile, $name: exit $want" env "$@" timeout 20 "$HVCLOCK" log --no-ntp -o "$T/ok.log" --textfile "$dir"
	contains "$T/.out" "$re" "textfile, $name: error names the file and the cause"
	[ "$(nrec "$T/ok.log")" = $((n + 1)) ] && pass "textfile, $name: the record was written anyway" ||
		fail "textfile, $name: no record"
	if [ -f "$T/prom.before" ]; then
		cmp -s "$dir/hvclock.prom" "$T/prom.before" && pass "textfile, $name: old textfile intact" ||
			fail "textfile, $name: old textfile changed"
		rm -f "$T/prom.before"
	fi
	ls -a "$dir" 2>/dev/null | grep -q 'hvclock-tmp' && fail "textfile, $name: temporary file left" ||
		pass "textfile, $name: no temporary file left"
}

echo "# ENOSPC: a 64k tmpfs"
d=$T/full; mkdir -p "$d"
if mount -t tmpfs -o size=64k tmpfs "$d"; then
	MOUNTS+=("$d")
	mkdir "$d/tf"
	cp "$SEEDPROM" "$d/tf/"
	# The log padded with comment lines to 40 bytes short of a page
	# boundary: the next record fits only in part (a short write), then
	# the filesystem is full.
	cp "$SEEDLOG" "$d/samples.log"
	size=$(stat -c %s "$d/samples.log")
	pad=$(( (size / 4096 + 1) * 4096 - 40 - size ))
	{ printf '#'; head -c $((pad - 2)) /dev/zero | tr '\0' 'x'; printf '\n'; } >>"$d/samples.log"
	dd if=/dev/zero of="$d/filler" bs=4k 2>/dev/null
	log_case "ENOSPC, short write" 1 "cannot write to '$d/samples.log' \(40 of [0-9]+ bytes written\): No space left on device" "$d/samples.log"
	log_case "ENOSPC, full" 1 "'$d/samples.log'.*No space left on device" "$d/samples.log"
	prom_case "ENOSPC" 4 "'$d/tf/hvclock.prom'.*No space left on device" "$d/tf"
	rm -f "$d/filler"
	log_case "space again" 0 "" "$d/samples.log"
	"$HVCLOCK" report --json "$d/samples.log" >"$T/rep.json" 2>"$T/rep.err"
	contains "$T/rep.json" '"records": 4' "after ENOSPC: the 3 old records and the new one read back"
	contains "$T/rep.json" '"damaged_lines": [01],' "after ENOSPC: at most the torn line is damaged"
else
	fail "mount tmpfs"
fi

echo "# EROFS: a read-only bind mount"
d=$T/rosrc; mkdir -p "$d/tf" "$T/ro"
cp "$SEEDLOG" "$d/samples.log"; cp "$SEEDPROM" "$d/tf/"
if mount --bind "$d" "$T/ro" && MOUNTS+=("$T/ro") && mount -o remount,bind,ro "$T/ro"; then
	log_case "EROFS" 1 "cannot open '$T/ro/samples.log' for appending: Read-only file system" "$T/ro/samples.log"
	log_case "EROFS, new file" 1 "cannot open '$T/ro/new.log' for appending: Read-only file system" "$T/ro/new.log"
	prom_case "EROFS" 4 "'$T/ro/tf/hvclock.prom'.*Read-only file system|'$T/ro/tf'.*Read-only file system" "$T/ro/tf"
	cmp -s "$d/samples.log" "$SEEDLOG" && pass "EROFS: log untouched" || fail "EROFS: log changed"
else
	fail "read-only bind mount"
fi

echo "# EACCES: user nobody"
d=$T/root755; mkdir -p "$d/tf"; chmod 755 "$d" "$d/tf"
cp "$SEEDLOG" "$d/samples.log"; cp "$SEEDPROM" "$d/tf/"
mkdir -p "$T/nobody"; chown nobody "$T/nobody"
ncases=$((ncases + 1))
expect_rc 1 "log, EACCES: exit 1" "${NOBODY[@]}" "$HVCLOCK" log --no-ntp -o "$d/samples.log"
contains "$T/.out" "cannot open '$d/samples.log' for appending: Permission denied" "log, EACCES: error names the file and the cause"
cmp -s "$d/samples.log" "$SEEDLOG" && pass "log, EACCES: untouched" || fail "log, EACCES: changed"
ncases=$((ncases + 1))
expect_rc 4 "textfile, EACCES: exit 4" "${NOBODY[@]}" "$HVCLOCK" log --no-ntp -o "$T/nobody/n.log" --textfile "$d/tf"
contains "$T/.out" "'$d/tf.*Permission denied" "textfile, EACCES: error names the file and the cause"
cmp -s "$d/tf/hvclock.prom" "$SEEDPROM" && pass "textfile, EACCES: old textfile intact" || fail "textfile, EACCES: changed"
[ "$(nrec "$T/nobody/n.log")" = 1 ] && pass "textfile, EACCES: the record was written anyway" || fail "textfile, EACCES: no record"

echo "# a directory, a FIFO, a file where another kind should be"
mkdir -p "$T/isdir/samples.log" "$T/promdir/tf/hvclock.prom"
log_case "a directory at the log's name" 1 "'$T/isdir/samples.log'.*(Is a directory|not a regular file)" "$T/isdir/samples.log"
log_case "a file where a directory should be" 1 "cannot open '$SEEDLOG/samples.log' for appending: Not a directory" "$SEEDLOG/samples.log"
prom_case "a directory at hvclock.prom" 4 "cannot write '$T/promdir/tf/hvclock.prom': not a regular file" "$T/promdir/tf"
prom_case "--textfile naming a file" 4 "cannot use textfile directory '$SEEDLOG': Not a directory" "$SEEDLOG"
mkdir -p "$T/fifo/tf"; mkfifo "$T/fifo/tf/hvclock.prom" "$T/fifo/samples.log"
t0=$SECONDS
prom_case "a FIFO at hvclock.prom" 4 "cannot write '$T/fifo/tf/hvclock.prom': not a regular file" "$T/fifo/tf"
log_case "a FIFO at the log's name" 1 "'$T/fifo/samples.log' is not a regular file" "$T/fifo/samples.log"
[ $((SECONDS - t0)) -lt 10 ] && pass "FIFOs: no wait for a writer" || fail "FIFOs: hung for $((SECONDS - t0)) s"
[ -p "$T/fifo/tf/hvclock.prom" ] && [ -p "$T/fifo/samples.log" ] && pass "FIFOs left as they were" || fail "FIFO replaced"

echo "# symbolic links at the log's name"
echo "precious" >"$T/victim"
mkdir -m 1777 "$T/sticky"
"${NOBODY[@]}" ln -s "$T/victim" "$T/sticky/samples.log"
log_case "link planted by nobody in a sticky world-writable dir" 1 "refusing to write through the symbolic link '$T/sticky/samples.log': '$T/sticky' can be written by others" "$T/sticky/samples.log"
rm -f "$T/sticky/samples.log"; ln -s "$T/victim" "$T/sticky/samples.log"
log_case "root's own link in a sticky world-writable dir" 1 "refusing to write through the symbolic link '$T/sticky/samples.log'" "$T/sticky/samples.log"
mkdir -m 775 "$T/grpw"; chgrp nogroup "$T/grpw" 2>/dev/null || chgrp 65534 "$T/grpw"
ln -s "$T/victim" "$T/grpw/samples.log"
log_case "link in a group-writable dir" 1 "refusing to write through the symbolic link '$T/grpw/samples.log': '$T/grpw' can be written by others" "$T/grpw/samples.log"
[ "$(cat "$T/victim")" = precious ] && pass "the links' target untouched" || fail "the victim was written"
# Root's link in a directory only root can write: the admin meant it.
mkdir -m 755 "$T/rootdir" "$T/realdir"
cp "$SEEDLOG" "$T/realdir/samples.log"
ln -s ../realdir/samples.log "$T/rootdir/samples.log"
log_case "root's link in a root-only dir: followed" 0 "" "$T/rootdir/samples.log"
[ -L "$T/rootdir/samples.log" ] && [ "$(nrec "$T/realdir/samples.log")" = 4 ] &&
	pass "followed: the record went to the target, the link stays a link" || fail "followed: wrong"
"${NOBODY[@]}" ln -s "$T/victim" "$T/nobody/samples.log"
chmod 755 "$T/nobody"
log_case "a link owned by another user, in that user's dir" 1 "refusing to write through the symbolic link '$T/nobody/samples.log'" "$T/nobody/samples.log"

echo "# the log replaced by a link between open and lock (shim_swap)"
cp "$SEEDLOG" "$T/sticky/race.log"
ncases=$((ncases + 1))
expect_rc 1 "log, swapped to a link at the lock: refused" env LD_PRELOAD="$SHIM" \
	HVCLOCK_SWAP="flock:$T/sticky/race.log:$T/victim" "$HVCLOCK" log --no-ntp -o "$T/sticky/race.log"
contains "$T/.out" "refusing to write through the symbolic link '$T/sticky/race.log'" "log, swapped: says why"
[ -L "$T/sticky/race.log" ] && pass "log, swapped: the shim did swap" || fail "log, swapped: no swap happened"
[ "$(cat "$T/victim")" = precious ] && pass "log, swapped: the link's target untouched" || fail "log, swapped: victim written"
cmp -s "$T/sticky/race.log.swapped" "$SEEDLOG" && pass "log, swapped: the moved log's records intact, nothing half-written" ||
	fail "log, swapped: the moved log changed"

echo "# symbolic links at the textfile's name"
mkdir -m 1777 "$T/ptf"
"${NOBODY[@]}" ln -s "$T/victim" "$T/ptf/hvclock.prom"
prom_case "a planted link" 4 "refusing to write '$T/ptf/hvclock.prom': it is a symbolic link" "$T/ptf"
[ "$(cat "$T/victim")" = precious ] && pass "textfile link: target untouched" || fail "textfile link: victim written"
rm -f "$T/ptf/hvclock.prom"; cp "$SEEDPROM" "$T/ptf/hvclock.prom"
ncases=$((ncases + 1))
expect_rc 0 "textfile swapped to a link at the rename: the link is replaced, not followed" env LD_PRELOAD="$SHIM" \
	HVCLOCK_SWAP="rename:$T/ptf/hvclock.prom:$T/victim" "$HVCLOCK" log --no-ntp -o "$T/ok.log" --textfile "$T/ptf"
[ -f "$T/ptf/hvclock.prom" ] && [ ! -L "$T/ptf/hvclock.prom" ] && grep -q '^hvclock_last_run_timestamp_seconds' "$T/ptf/hvclock.prom" &&
	pass "textfile swapped: a regular file with the new metrics" || fail "textfile swapped: wrong result"
[ -f "$T/ptf/hvclock.prom.swapped" ] && pass "textfile swapped: the shim did swap" || fail "textfile swapped: no swap"
[ "$(cat "$T/victim")" = precious ] && pass "textfile swapped: the link's target untouched" || fail "textfile swapped: victim written"

echo "# boot configs: a directory at the config's name, a link swapped in at the rename"
G=$TOP/grub/el5
d=$T/gdir; mkdir -p "$d"; cp -a "$G/." "$d/"
rm "$d/boot/grub/grub.conf"; mkdir "$d/boot/grub/grub.conf"
ncases=$((ncases + 1))
expect_rc 2 "grub, a directory at grub.conf: exit 2" "$HVCLOCK" --sysroot "$d" grub --apply --config /boot/grub/grub.conf --args notsc
contains "$T/.out" "cannot open '/boot/grub/grub.conf': Is a directory" "grub, directory: error names the file and the cause"
d=$T/gswap; mkdir -p "$d"; cp -a "$G/." "$d/"
cp "$d/boot/grub/grub.conf" "$T/grub.orig"
ncases=$((ncases + 1))
expect_rc 0 "grub, grub.conf swapped to a link at the rename" env LD_PRELOAD="$SHIM" \
	HVCLOCK_SWAP="rename:$d/boot/grub/grub.conf:$T/victim" "$HVCLOCK" --sysroot "$d" grub --apply --no-backup --args notsc
[ "$(cat "$T/victim")" = precious ] && pass "grub, swapped: the link's target untouched" || fail "grub, swapped: victim written"
[ -f "$d/boot/grub/grub.conf" ] && [ ! -L "$d/boot/grub/grub.conf" ] && grep -q notsc "$d/boot/grub/grub.conf" &&
	pass "grub, swapped: grub.conf is the patched regular file" || fail "grub, swapped: wrong result"
cmp -s "$d/boot/grub/grub.conf.swapped" "$T/grub.orig" && pass "grub, swapped: the moved config unchanged" ||
	fail "grub, swapped: moved config changed"

echo "  $ncases fault cases"
finish
