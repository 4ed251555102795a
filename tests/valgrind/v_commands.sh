#!/bin/bash
# v_commands.sh - real command runs under valgrind memcheck (run by
# `make valgrind`, after the unit tests): env live and on fixtures,
# diagnose without NTP and against a loopback chronyd, grub on fixture
# trees (plan, diff, apply, JSON), query against chronyd and fakentp's
# hostile replies. Each must end with no memcheck error and no definite
# leak (valgrind's own exit code 99); the command's exit code is checked
# too, so a run that failed early does not pass as clean.
. "$(dirname "$0")/../integration/lib.sh"

VG=(valgrind -q --error-exitcode=99 --leak-check=full
	--errors-for-leak-kinds=definite --show-leak-kinds=definite
	--log-file="$T/vg.%p")

# vg WANT-RC DESCRIPTION ARGS...: hvclock ARGS under memcheck.
vg() {
	local want=$1 d=$2 rc; shift 2
	rm -f "$T"/vg.*
	"${VG[@]}" "$HVCLOCK" "$@" >"$T/out" 2>&1; rc=$?
	if [ "$rc" = 99 ] || [ -n "$(cat "$T"/vg.* 2>/dev/null)" ]; then
		fail "$d: memcheck reports"; cat "$T"/vg.* | head -n 40
	elif [ "$rc" != "$want" ]; then
		fail "$d: exit $rc, wanted $want"; sed 's/^/       | /' "$T/out" | head -n 10
	else
		pass "$d"
	fi
}

E=$FIXTURES/env
R=$FIXTURES/rules
vg 0 "env (live)" env
vg 0 "env --json (live)" env --json
for f in centos55-hyperv ubuntu2204-hyperv vmware-rhel53 broken; do
	vg 0 "env --json on $f" --sysroot "$E/$f" env --json
done
vg 1 "diagnose --no-ntp -d 2 (live: no time daemon here is a warning)" diagnose --no-ntp -d 2
vg 1 "diagnose --no-ntp --json" diagnose --no-ntp -d 1 --json
vg 2 "diagnose on centos55-hyperv (critical finding)" --sysroot "$R/centos55-hyperv" diagnose --no-ntp -d 1
vg 2 "diagnose on centos55-hyperv, JSON" --sysroot "$R/centos55-hyperv" diagnose --no-ntp -d 1 --json
vg 3 "diagnose usage error" diagnose -d 5mn

for t in el5 el5-xen rhel6; do
	cp -a "$FIXTURES/grub/expected/trees/$t" "$T/tree-$t"
	vg 0 "grub plan on $t" --sysroot "$T/tree-$t" grub --profile el5-hyperv
	vg 0 "grub --diff --json on $t" --sysroot "$T/tree-$t" grub --profile el5-hyperv --diff --json
	vg 0 "grub --apply on $t" --sysroot "$T/tree-$t" grub --profile el5-hyperv --apply
	vg 0 "grub --remove-args --apply on $t" --sysroot "$T/tree-$t" grub --remove-args 'clock notsc divider' --apply --no-backup
done
for f in "$FIXTURES"/grub/corpus/*.conf "$FIXTURES"/grub/corpus/*.default; do
	vg 0 "grub --stdout on $(basename "$f")" grub --config "$f" --args 'clock=pit notsc divider=10' --stdout
done
vg 2 "grub on a directory" grub --config "$T" --args x

A=$(loopback_addr); P=$(free_port)
start_chronyd vg "$A" "$P" || finish
vg 0 "query against chronyd" query -s "$A:$P" -n 4 -t 2s
vg 0 "query --json against chronyd" query -s "$A:$P" -n 2 --json
vg 1 "query a dead port" query -s "$A:$(free_port)" -n 1 -t 100ms
vg 0 "diagnose against chronyd" diagnose -s "$A:$P" -d 3 -i 1s --json
stop_pid "$CHRONYD_PID"

FAKENTP=$BUILD/tools/fakentp
for b in kod:RATE flood:100+good badorigin+good short+good; do
	FLOG=$T/fake.log
	"$FAKENTP" -a 127.0.0.1 -p 0 -n 20 -T 20 "$b" >"$FLOG" 2>&1 &
	FPID=$!; _pids+=($FPID)
	for _ in $(seq 50); do grep -q '^listening' "$FLOG" && break; sleep 0.05; done
	FP=$(awk '/^listening/ { print $3 }' "$FLOG")
	case $b in kod:*) want=1 ;; *) want=0 ;; esac
	vg $want "query against fakentp $b" query -s "127.0.0.1:$FP" -n 1 -t 2s --json
	stop_pid "$FPID"
done
finish
