#!/bin/bash
# t_grub_fixtures.sh - every boot-config fixture patched and compared with
# its expected result byte for byte, patched again (no change), and, where
# the original held none of the arguments, un-patched back to the original.
#
#   grub/<tree>/            sysroot trees (CentOS 5 with and without Xen,
#                           RHEL 6, GRUB 2 defaults, RHEL 8/9 BLS)
#   tests/fixtures/grub/corpus/        single files from the shared corpus
#   tests/fixtures/grub/expected/...   what they must become
# GRUB_REGEN=1 rewrites the expected files instead (review the diff!).
. "$(dirname "$0")/lib.sh"

ARGS="clock=pit notsc divider=10"
EXP=$FIXTURES/grub/expected
# Originals that already hold some of the arguments: no byte-exact way back.
NO_ROUNDTRIP=" augeasproviders-grub-full.conf augeasproviders-grub2-full.default synthetic-el5-existing-args.conf synthetic-el5-xen-dom0.conf "

same() { # same FILE1 FILE2 DESCRIPTION
	if cmp -s "$1" "$2"; then pass "$3"; else
		fail "$3"; diff -u "$2" "$1" | head -n 20 | sed 's/^/       | /'; fi
}

# --- sysroot trees -------------------------------------------------------
for tree in "$TOP"/grub/*/; do
	name=$(basename "$tree")
	w=$T/tree-$name
	rm -rf "$w"; cp -a "$tree" "$w"
	expect_rc 1 "$name: --check sees changes" "$HVCLOCK" --sysroot "$w" grub --check --args "$ARGS"
	check "$name: --apply" "$HVCLOCK" --sysroot "$w" grub --apply --no-backup --args "$ARGS"
	if [ "${GRUB_REGEN:-}" = 1 ]; then
		rm -rf "$EXP/trees/$name"
		(cd "$w" && find . -type f | while read -r f; do
			cmp -s "$f" "$tree/$f" || { mkdir -p "$EXP/trees/$name/$(dirname "$f")"; cp "$f" "$EXP/trees/$name/$f"; }
		done)
	fi
	# Every file: the expected one if there is one, else unchanged.
	n=0
	while read -r f; do
		if [ -f "$EXP/trees/$name/$f" ]; then
			cmp -s "$w/$f" "$EXP/trees/$name/$f" || { fail "$name: $f differs from expected"; diff -u "$EXP/trees/$name/$f" "$w/$f" | head -20; n=$((n + 1)); }
		else
			cmp -s "$w/$f" "$tree/$f" || { fail "$name: $f changed but should not"; n=$((n + 1)); }
		fi
	done < <(cd "$tree" && find . -type f | sed 's|^\./||')
	[ "$n" = 0 ] && pass "$name: every file as expected"
	[ -d "$EXP/trees/$name" ] && pass "$name: has expected files" || fail "$name: no expected files"
	# Symbolic links stay links, pointing where they did.
	while read -r l; do
		if [ -L "$w/$l" ] && [ "$(readlink "$w/$l")" = "$(readlink "$tree/$l")" ]; then
			pass "$name: $l still a symlink"
		else
			fail "$name: $l is no longer the same symlink"
		fi
	done < <(cd "$tree" && find . -type l | sed 's|^\./||')
	expect_rc 0 "$name: --check after --apply: nothing to change" "$HVCLOCK" --sysroot "$w" grub --check --args "$ARGS"
	cp -a "$w" "$T/twice"
	check "$name: second --apply" "$HVCLOCK" --sysroot "$w" grub --apply --args "$ARGS"
	check "$name: patching twice equals patching once" diff -r "$T/twice" "$w"
	rm -rf "$T/twice"
	check "$name: --remove-args" "$HVCLOCK" --sysroot "$w" grub --apply --no-backup --remove-args "$ARGS"
	check "$name: removal restores the original byte for byte" diff -r --no-dereference "$tree" "$w"
done

# --- single files from the corpus ------------------------------------------
for f in "$FIXTURES"/grub/corpus/*; do
	name=$(basename "$f")
	case $name in *.md) continue ;; esac
	"$HVCLOCK" grub --config "$f" --stdout --args "$ARGS" >"$T/once" 2>"$T/err"
	rc=$?
	if [ "${GRUB_REGEN:-}" = 1 ]; then mkdir -p "$EXP/corpus"; cp "$T/once" "$EXP/corpus/$name"; fi
	[ "$rc" = 0 ] && pass "$name: patched" || { fail "$name: exit $rc"; cat "$T/err"; continue; }
	same "$T/once" "$EXP/corpus/$name" "$name: as expected"
	cmp -s "$T/once" "$f" && fail "$name: patching changed nothing"
	cp "$T/once" "$T/in"
	"$HVCLOCK" grub --config "$T/in" --stdout --args "$ARGS" >"$T/twice" 2>/dev/null
	same "$T/twice" "$T/once" "$name: patching twice equals patching once"
	expect_rc 0 "$name: --check on the result: nothing to change" "$HVCLOCK" grub --config "$T/in" --check --args "$ARGS"
	case $NO_ROUNDTRIP in *" $name "*) continue ;; esac
	"$HVCLOCK" grub --config "$T/in" --stdout --remove-args "$ARGS" >"$T/back" 2>/dev/null
	same "$T/back" "$f" "$name: --remove-args restores the original"
done

# --- profile: per entry on the kernel version --------------------------------
w=$T/profile; rm -rf "$w"; cp -a "$TOP/grub/el5" "$w"
check "el5: --profile el5-hyperv --apply" "$HVCLOCK" --sysroot "$w" grub --apply --no-backup --profile el5-hyperv
[ "${GRUB_REGEN:-}" = 1 ] && { mkdir -p "$EXP/profile"; cp "$w/boot/grub/grub.conf" "$EXP/profile/el5-grub.conf"; }
same "$w/boot/grub/grub.conf" "$EXP/profile/el5-grub.conf" "el5: profile applied to the 2.6.18 entries only"
contains "$w/boot/grub/grub.conf" '2\.6\.32-400\.37\.15\.el5uek ro root=/dev/VolGroup00/LogVol00 rhgb quiet$' "el5: UEK 2.6.32 entry left without clock="
finish
