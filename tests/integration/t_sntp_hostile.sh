#!/bin/bash
# t_sntp_hostile.sh - network faults and hostile replies from fakentp:
# each one refused with its named reason, in bounded time, never used as
# a sample (hostile packets carry a time 1000 s off, so a used one would
# show as an offset near 1000 s).
. "$(dirname "$0")/lib.sh"

FAKENTP=$BUILD/tools/fakentp
[ -x "$FAKENTP" ] || { fail "fakentp not built"; finish; }

# fake ADDR BEHAVIOUR...: starts fakentp on ADDR, an ephemeral port; sets
# FP (port) and FLOG (its log). Waits (bounded) for its "listening" line.
fake() {
	local addr=$1; shift
	FLOG=$T/fake.$RANDOM.log
	"$FAKENTP" -a "$addr" -p 0 -n 20 -T 20 "$@" >"$FLOG" 2>&1 &
	_pids+=($!)
	FPID=$!
	for _ in $(seq 50); do grep -q '^listening' "$FLOG" && break; sleep 0.05; done
	FP=$(awk '/^listening/ { print $3 }' "$FLOG")
	[ -n "$FP" ] || { fail "fakentp $* did not start"; cat "$FLOG"; }
}

# run_q MAXSEC ARGS...: hvclock query with timing; output in $T/q.out,
# stderr in $T/q.err, exit code in RC; fails when it took over MAXSEC.
run_q() {
	local max=$1 t0 t1; shift
	t0=$EPOCHREALTIME
	"$HVCLOCK" query "$@" >"$T/q.out" 2>"$T/q.err"; RC=$?
	t1=$EPOCHREALTIME
	ELAPSED=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
	if awk -v e="$ELAPSED" -v m="$max" 'BEGIN { exit !(e <= m) }'; then :; else
		fail "query $* took $ELAPSED s (bound $max s)"; fi
}

# refused BEHAVIOUR REGEX [JSON-REASON]: the reply is refused (exit 1) with
# REGEX on stderr and, when given, the reason counted in the JSON.
refused() {
	local b=$1 re=$2 key=${3:-}
	fake 127.0.0.1 "$b"
	run_q 4 -s "127.0.0.1:$FP" -n 1 -t 300ms --json
	if [ "$RC" = 1 ]; then pass "$b: exit 1"; else fail "$b: exit $RC, wanted 1"; cat "$T/q.err"; fi
	contains "$T/q.err" "$re" "$b: reason named"
	if [ -n "$key" ]; then
		contains "$T/q.out" "\"$key\": [1-9]" "$b: counted as $key"
	fi
	if grep -q '"offset_s"' "$T/q.out"; then fail "$b: a sample was reported"; else pass "$b: no sample"; fi
	stop_pid "$FPID"
}

# accepted BEHAVIOUR [JSON-REASON]: a correct reply got through despite the
# hostile packets around it, and the offset is near zero (not 1000 s).
accepted() {
	local b=$1 key=${2:-} off
	fake 127.0.0.1 "$b"
	run_q 3 -s "127.0.0.1:$FP" -n 1 -t 500ms --json
	if [ "$RC" = 0 ]; then pass "$b: exit 0"; else fail "$b: exit $RC, wanted 0"; cat "$T/q.err"; fi
	off=$(sed -n 's/.*"offset_s": \([-0-9.e+]*\).*/\1/p' "$T/q.out")
	# Loose: a busy machine delays fakentp; a used hostile packet would be 1000 s off.
	near "$off" 0 10e-3 "$b: offset from the good reply"
	[ -n "$key" ] && contains "$T/q.out" "\"$key\": [1-9]" "$b: hostile packet counted as $key"
	stop_pid "$FPID"
}

echo "# refused outright (the server's own reply, so no retry)"
refused stratum16 "127\.0\.0\.1:[0-9]+: unsynchronised: server not synchronised" unsynchronised
refused li3 "unsynchronised: server not synchronised \(stratum 16 or leap indicator 3\)" unsynchronised
refused zerotx "zero-transmit: transmit timestamp is zero" zero-transmit
refused zerorx "zero-receive: receive timestamp is zero" zero-receive
refused rootdist "root-distance: root distance over 1\.5 s" root-distance
refused kod:INIT "Kiss-o'-Death INIT \(unknown kiss code" kiss-o-death

echo "# dropped while waiting (cannot be tied to our request): timeout naming them"
refused none "timeout: no valid reply within 0\.3 s \(2 tries\)$"
refused short "timeout: .*dropped 2 invalid packets, last too-short" too-short
refused mode3 "timeout: .*last wrong-mode" wrong-mode
refused version:0 "timeout: .*last bad-version" bad-version
refused version:5 "timeout: .*last bad-version" bad-version
refused badorigin "timeout: .*last origin-mismatch" origin-mismatch
refused otherport "timeout: .*last source-mismatch" source-mismatch
OTHER=$(loopback_addr)
# The reply comes from another 127.x address (same port), twice; the
# retry's "+good" then answers from the right one.
fake 127.0.0.1 -A "$OTHER" otheraddr otheraddr+good
run_q 4 -s "127.0.0.1:$FP" -n 1 -t 300ms --json
[ "$RC" = 0 ] && pass "otheraddr then otheraddr+good: exit 0" || { fail "otheraddr: exit $RC"; cat "$T/q.err"; }
contains "$T/q.out" '"source-mismatch": 2' "otheraddr: both foreign replies counted"
contains "$T/q.out" '"timeouts": 1' "otheraddr: first try timed out"
stop_pid "$FPID"

echo "# hostile packets around a good reply: the good one is used"
accepted otherport+good source-mismatch
accepted stale origin-mismatch
accepted badorigin+good origin-mismatch
accepted short+good too-short
accepted mode3+good wrong-mode
accepted flood:100 origin-mismatch
accepted dup
accepted ext
accepted normal

echo "# replies out of order: the reply to the timed-out request reaches the retry first"
fake 127.0.0.1 none stale
run_q 4 -s "127.0.0.1:$FP" -n 1 -t 300ms --json
[ "$RC" = 0 ] && pass "none then stale: exit 0" || { fail "none stale: exit $RC"; cat "$T/q.err"; }
contains "$T/q.out" '"timeouts": 1' "reorder: first try timed out"
contains "$T/q.out" '"origin-mismatch": 1' "reorder: the old reply dropped as origin-mismatch"
off=$(sed -n 's/.*"offset_s": \([-0-9.e+]*\).*/\1/p' "$T/q.out")
near "$off" 0 10e-3 "reorder: offset from the retry's own reply"
stop_pid "$FPID"

echo "# duplicated and reordered replies through a whole burst"
for b in dup stale; do
	fake 127.0.0.1 "$b"
	run_q 3 -s "127.0.0.1:$FP" -n 4 -t 500ms --json
	[ "$RC" = 0 ] && pass "$b burst of 4: exit 0" || { fail "$b burst: exit $RC"; cat "$T/q.err"; }
	contains "$T/q.out" '"replies": 4' "$b: 4 of 4 answered"
	contains "$T/q.out" '"requests": 4,' "$b: no retry"
	off=$(sed -n 's/.*"offset_s": \([-0-9.e+]*\).*/\1/p' "$T/q.out")
	near "$off" 0 10e-3 "$b: offset from good replies only"
	stop_pid "$FPID"
done
contains "$T/q.out" '"origin-mismatch": 4' "stale: every old reply dropped"

echo "# a storm of junk (3 s, without pause) during the query: bounded, named, nothing used"
fake 127.0.0.1 storm:3
run_q 4 -s "127.0.0.1:$FP" -n 1 -t 300ms --json
[ "$RC" = 1 ] && pass "storm: exit 1" || { fail "storm: exit $RC"; cat "$T/q.err"; }
contains "$T/q.err" "timeout: no valid reply within 0\.3 s \(2 tries\); dropped [0-9]+ invalid packets" "storm: timeout naming the junk dropped"
for k in too-short origin-mismatch source-mismatch; do
	contains "$T/q.out" "\"$k\": [1-9]" "storm: $k counted"
done
if grep -q '"offset_s"' "$T/q.out"; then fail "storm: a sample was reported"; else pass "storm: no sample"; fi
# (the storm outlasts the query; its count comes at its end, within 2 s)
for _ in $(seq 40); do grep -q '^storm sent' "$FLOG" && break; sleep 0.1; done
contains "$FLOG" '^storm sent [0-9]{4,}' "storm: thousands of packets sent"
stop_pid "$FPID"

echo "# a late reply: the retry (after the polite 2 s) gets the answer"
fake 127.0.0.1 late:0.8 normal
run_q 4 -s "127.0.0.1:$FP" -n 1 -t 300ms --json
[ "$RC" = 0 ] && pass "late then normal: exit 0" || { fail "late: exit $RC"; cat "$T/q.err"; }
contains "$T/q.out" '"timeouts": 1' "late: first try timed out"
contains "$T/q.out" '"requests": 2' "late: one retry"
gap=$(awk '/^req 0/ { a = $5 } /^req 1/ { b = $5 } END { printf "%.3f", (b - a) / 1e9 }' "$FLOG")
near "$gap" 2.0 0.15 "late: retry waited for the polite interval"
stop_pid "$FPID"

echo "# Kiss-o'-Death: stop querying and say so"
for code in RATE DENY RSTR; do
	fake 127.0.0.1 "kod:$code"
	run_q 2 -s "127.0.0.1:$FP" -n 4 -t 300ms --json
	[ "$RC" = 1 ] && pass "kod:$code: exit 1" || fail "kod:$code: exit $RC"
	contains "$T/q.err" "Kiss-o'-Death $code \(.*\): not querying it again" "kod:$code: said so"
	contains "$T/q.out" "\"kod\": \"$code\"" "kod:$code: in JSON"
	contains "$T/q.out" '"requests": 1,' "kod:$code: no retry, no more burst"
	stop_pid "$FPID"
done
fake 127.0.0.1 normal kod:RATE normal normal
run_q 2 -s "127.0.0.1:$FP" -n 4 -t 300ms --json
[ "$RC" = 0 ] && pass "KoD mid-burst: the earlier reply stands (exit 0)" || fail "KoD mid-burst: exit $RC"
contains "$T/q.err" "warning: 127\.0\.0\.1:$FP: sent Kiss-o'-Death RATE during the burst: not querying it again" "KoD mid-burst: said so"
contains "$T/q.out" '"requests": 2,' "KoD mid-burst: burst stopped"
stop_pid "$FPID"
# The same server twice in one run: the second is not queried at all.
fake 127.0.0.1 kod:DENY normal
run_q 2 -s "127.0.0.1:$FP" -s "127.0.0.1:$FP" -n 1 -t 300ms
[ "$RC" = 1 ] && pass "kissed server given twice: exit 1" || fail "kissed twice: exit $RC"
contains "$T/q.err" "sent Kiss-o'-Death DENY earlier, not queried again" "kissed server skipped"
n=$(grep -c '^req' "$FLOG")
[ "$n" = 1 ] && pass "kissed server got exactly 1 request" || fail "kissed server got $n requests"
stop_pid "$FPID"

echo "# polite polling: the same server twice waits 2 s between queries"
fake 127.0.0.1 normal
run_q 4 -s "127.0.0.1:$FP" -s "127.0.0.1:$FP" -n 1
[ "$RC" = 0 ] && pass "same server twice: exit 0" || fail "same server twice: exit $RC"
gap=$(awk '/^req 0/ { a = $5 } /^req 1/ { b = $5 } END { printf "%.3f", (b - a) / 1e9 }' "$FLOG")
near "$gap" 2.0 0.15 "second query 2 s after the first"
stop_pid "$FPID"
# ...but a burst goes back to back.
fake 127.0.0.1 normal
run_q 1 -s "127.0.0.1:$FP" -n 8
[ "$RC" = 0 ] && pass "burst of 8: exit 0" || fail "burst of 8: exit $RC"
contains "$T/q.out" " 8/8$" "burst of 8 all answered"
span=$(awk '/^req 0/ { a = $5 } /^req 7/ { b = $5 } END { printf "%.3f", (b - a) / 1e9 }' "$FLOG")
near "$span" 0 0.5 "burst of 8 within half a second"
stop_pid "$FPID"

echo "# every address of a name is tried (shim: multi.test -> dead, then live)"
DEADA=$(loopback_addr)
LIVEA=$(loopback_addr)
while [ "$LIVEA" = "$DEADA" ]; do LIVEA=$(loopback_addr); done
FLOG=$T/fake.multi.log
"$FAKENTP" -a "$LIVEA" -p 0 -n 20 -T 20 normal >"$FLOG" 2>&1 &
FPID=$!; _pids+=($FPID)
for _ in $(seq 50); do grep -q '^listening' "$FLOG" && break; sleep 0.05; done
FP=$(awk '/^listening/ { print $3 }' "$FLOG")
export HVCLOCK_TEST_NAME=multi.test
# Under ASan (make check SANITIZE=1) its runtime must come first in LD_PRELOAD.
SHIM=$BUILD/tools/shim_resolve.so
ASAN=$(ldd "$HVCLOCK" 2>/dev/null | awk '/libasan/ { print $3 }')
[ -n "$ASAN" ] && SHIM=$ASAN:$SHIM
HVCLOCK_TEST_ADDRS="$DEADA,$LIVEA" LD_PRELOAD=$SHIM \
	run_q 3 -s "multi.test:$FP" -n 2 -t 300ms --json
[ "$RC" = 0 ] && pass "multi-address name: exit 0" || { fail "multi-address: exit $RC"; cat "$T/q.err"; }
contains "$T/q.out" "\"address\": \"$LIVEA:$FP\"" "answered by the second address"
contains "$T/q.out" '"requests": 4,' "dead address tried twice, live one twice (burst)"
HVCLOCK_TEST_ADDRS="$DEADA,::1" LD_PRELOAD=$SHIM \
	run_q 6 -s "multi.test:$FP" -n 1 -t 200ms
[ "$RC" = 1 ] && pass "all addresses dead: exit 1" || fail "all dead: exit $RC"
contains "$T/q.err" "^hvclock: multi\.test:$FP: $DEADA:$FP: timeout: .*; \[::1\]:$FP: timeout: " "each address named with its reason"
unset HVCLOCK_TEST_NAME
stop_pid "$FPID"

echo "# IPv6 hostile server"
fake ::1 badorigin+good
run_q 3 -s "[::1]:$FP" -n 1 --json
[ "$RC" = 0 ] && pass "IPv6 fakentp: exit 0" || { fail "IPv6 fakentp: exit $RC"; cat "$T/q.err"; }
contains "$T/q.out" "\"address\": \"\[::1\]:$FP\"" "IPv6 address"
contains "$T/q.out" '"origin-mismatch": 1' "IPv6: spoof dropped"
stop_pid "$FPID"
finish
