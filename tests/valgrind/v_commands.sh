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
	--suppressions="$TOP/tests/valgrind/libplot.supp" --log-file="$T/vg.%p")

# vg WANT-RC DESCRIPTION ARGS...: hvclock ARGS under memcheck; WANT-RC
# is a case pattern ("[01]" where the verdict depends on this machine).
vg() {
	local want=$1 d=$2 rc; shift 2
	rm -f "$T"/vg.*
	"${VG[@]}" "$HVCLOCK" "$@" >"$T/out" 2>&1; rc=$?
	if [ "$rc" = 99 ] || [ -n "$(cat "$T"/vg.* 2>/dev/null)" ]; then
		fail "$d: memcheck reports"; cat "$T"/vg.* | head -n 40
	elif ! case $rc in $want) true ;; *) false ;; esac; then
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
# (live verdicts depend on this machine: a missing time daemon is a WARNING)
vg "[012]" "diagnose --no-ntp -d 2 (live)" diagnose --no-ntp -d 2
vg "[012]" "diagnose --no-ntp --json" diagnose --no-ntp -d 1 --json
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
vg "[012]" "diagnose against chronyd" diagnose -s "$A:$P" -d 3 -i 1s --json
contains "$T/out" '"thresholds_status": "OK"' "diagnose against chronyd: offset and drift measured, within limits"
vg 0 "log against chronyd, with the textfile" log -s "$A:$P" -o "$T/s.log" --textfile "$T" --json
stop_pid "$CHRONYD_PID"

# log, report, watch on this machine's clocks and the shipped sample log.
for i in 1 2 3; do
	vg 0 "log --no-ntp --textfile (run $i)" log --no-ntp -o "$T/s.log" --textfile "$T" -v
done
vg 2 "log usage error" log --timeout 5mn
vg 1 "log into a FIFO" log --no-ntp -o "$(mkfifo "$T/fifo" && echo "$T/fifo")"
S=$TOP/data/sample/hyperv-guest.log
vg 0 "report on the sample log" report "$S"
vg 0 "report --json --since --until" report --json --since 2026-03-02T12:00:00Z --until 2026-03-03 "$S"
vg 0 "report --plot PNG" report --plot "$T/r.png" "$S"
vg 0 "report --plot SVG" report --plot "$T/r.svg" --plot-size 800x400 "$S"
vg 0 "report on this machine's log" report "$T/s.log"
printf 'garbage\n2026-01-01T00:00:00Z 1 - - - - step step -1 - - - &- - - - - - -\n' >"$T/bad.log"
vg 1 "report on damaged lines only" report "$T/bad.log"
rm -f "$T"/vg.*
timeout --preserve-status -s TERM 3 "${VG[@]}" "$HVCLOCK" watch -o "$T/w.log" --poll 0.2s --min-step 1ms >"$T/out" 2>&1; rc=$?
if [ -n "$(cat "$T"/vg.* 2>/dev/null)" ] || [ "$rc" = 99 ]; then
	fail "watch, stopped by SIGTERM: memcheck reports"; cat "$T"/vg.* | head -n 40
elif [ "$rc" != 0 ]; then
	fail "watch, stopped by SIGTERM: exit $rc"; head -n 5 "$T/out"
else
	pass "watch, stopped by SIGTERM after 3 s"
fi

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
