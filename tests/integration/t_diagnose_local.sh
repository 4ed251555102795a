# t_diagnose_local.sh - diagnose without a reachable reference: usage
# errors (exit 3, the bad word named), --no-ntp, a dead server (exit 3 with
# the reason, the local part still done), missing clocks (2.6.18 shim),
# a backward step injected with libfaketime, --sysroot.
. "$(dirname "$0")/lib.sh"

D=$HVCLOCK
SHIM_OLD=$BUILD/tools/shim_oldkernel.so
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }

# --- usage errors: UNKNOWN (3), naming the bad word
expect_rc 0 "--help" "$D" diagnose --help
contains "$T/.out" "3 UNKNOWN" "--help documents exit 3"
expect_rc 3 "bad duration" "$D" diagnose -d 5x
contains "$T/.out" "'5x'" "bad duration named"
expect_rc 3 "bad interval" "$D" diagnose -i fast -s 127.0.0.1:1
contains "$T/.out" "'fast'" "bad interval named"
expect_rc 3 "bad drift threshold" "$D" diagnose --warn-drift 5parsecs
contains "$T/.out" "'5parsecs'" "bad drift threshold named"
expect_rc 3 "bad offset threshold" "$D" diagnose --crit-offset -1s
contains "$T/.out" "'-1s'" "bad offset threshold named"
expect_rc 3 "warn above crit" "$D" diagnose --warn-drift 600ppm
contains "$T/.out" "warn-drift" "warn above crit named"
expect_rc 3 "unknown option" "$D" diagnose --bogus
contains "$T/.out" "'--bogus'" "unknown option named"
expect_rc 3 "bad server" "$D" diagnose -s '[::1'
contains "$T/.out" "\[::1" "bad server named"
expect_rc 3 "fast polling of a public server refused" "$D" diagnose -s pool.ntp.org -i 0.5s
contains "$T/.out" "'pool.ntp.org'" "the public server is named"
expect_rc 3 "stray operand" "$D" diagnose extra
contains "$T/.out" "'extra'" "stray operand named"
expect_rc 3 "--sysroot without --no-ntp" "$D" diagnose --sysroot "$FIXTURES/env/centos55-hyperv"
contains "$T/.out" "needs --no-ntp" "--sysroot needs --no-ntp"

# --- the slower runs go side by side
DEAD=$(free_port)
"$D" diagnose -s "127.0.0.1:$DEAD" -d 3s >"$T/dead.out" 2>"$T/dead.err" & p_dead=$!
"$D" diagnose --no-ntp -d 2s --json >"$T/local.json" 2>"$T/local.err" & p_local=$!
LD_PRELOAD=$SHIM_OLD "$D" diagnose --no-ntp -d 2s >"$T/old.out" 2>&1 & p_old=$!
LD_PRELOAD=$SHIM_OLD "$D" diagnose --no-ntp -d 2s --json >"$T/old.json" 2>&1 & p_oldj=$!
# A backward step of 2 s: hvclock itself runs under libfaketime, whose
# offset comes from a file re-read every second (FAKETIME_CACHE_DURATION);
# MONOTONIC stays real, so REALTIME - MONOTONIC jumps.
echo "+0" >"$T/faketime.rc"
LD_PRELOAD=$LIBFAKETIME FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_TIMESTAMP_FILE="$T/faketime.rc" \
	FAKETIME_CACHE_DURATION=1 "$D" diagnose --no-ntp -d 5s --json >"$T/step.json" 2>"$T/step.err" & p_step=$!
sleep 2
echo "-2" >"$T/faketime.rc"

wait $p_dead; rc=$?
[ $rc = 3 ] && pass "dead server -> exit 3" || fail "dead server -> exit $rc, wanted 3"
contains "$T/dead.out" "no NTP comparison was made: .*127\.0\.0\.1:$DEAD" "says no comparison was made, names the server"
contains "$T/dead.out" "^  Steps +none in [0-9]+ polls" "local part still done (steps)"
contains "$T/dead.out" "^  Kernel freq" "local part still done (kernel state)"
contains "$T/dead.out" "^DIAGNOSE UNKNOWN: no NTP comparison" "status line UNKNOWN with the reason"

wait $p_local; rc=$?
[ $rc = 0 ] && pass "--no-ntp, no step -> exit 0" || fail "--no-ntp -> exit $rc"
check "--no-ntp --json parses" python3 -m json.tool "$T/local.json"
[ "$(json "$T/local.json" "d['measurement']['ntp']['compared']")" = False ] && pass "json: ntp.compared false" || fail "json: ntp.compared"
[ "$(json "$T/local.json" "d['measurement']['read_cost']['monotonic']['present']")" = True ] && pass "json: read cost of monotonic" || fail "json: read cost"
check "no progress line when stderr is not a terminal" test ! -s "$T/local.err"

wait $p_old; rc=$?
[ $rc = 0 ] && pass "2.6.18 clocks: still works" || fail "2.6.18 clocks: exit $rc"
contains "$T/old.out" "ABSENT: monotonic_raw, boottime" "2.6.18 clocks: MONOTONIC_RAW and BOOTTIME reported absent"
contains "$T/old.out" "monotonic_raw +absent" "2.6.18 clocks: no read cost for MONOTONIC_RAW"
wait $p_oldj
[ "$(json "$T/old.json" "d['measurement']['read_cost']['monotonic_raw']['present']")" = False ] && pass "json: monotonic_raw absent" || fail "json: monotonic_raw present?"

wait $p_step; rc=$?
[ $rc = 2 ] && pass "2 s backward step -> CRITICAL (exit 2)" || fail "backward step -> exit $rc"
[ "$(json "$T/step.json" "d['measurement']['steps']['count']")" = 1 ] && pass "one step found" || fail "step count $(json "$T/step.json" "d['measurement']['steps']['count']")"
near "$(json "$T/step.json" "d['measurement']['steps']['list'][0]['size_s']")" -2 0.001 "step size within 1 ms"
[ "$(json "$T/step.json" "d['measurement']['steps']['list'][0]['direction']")" = backward ] && pass "step direction backward" || fail "step direction"

# --- --sysroot: the environment of another system, no live sampling
expect_rc 3 "--sysroot --no-ntp: nothing measured -> UNKNOWN" "$D" diagnose --no-ntp --sysroot "$FIXTURES/env/centos55-hyperv"
contains "$T/.out" "none: under --sysroot the live clocks are not sampled" "says nothing was sampled"
contains "$T/.out" "Hypervisor +Hyper-V" "the sysroot's environment is reported"
contains "$T/.out" "Kernel +2\.6\.18-194" "the sysroot's kernel is reported"
"$D" diagnose --no-ntp --json --sysroot "$FIXTURES/env/centos55-hyperv" >"$T/sysroot.json" 2>&1; rc=$?
[ $rc = 3 ] && pass "--sysroot --json -> exit 3" || fail "--sysroot --json -> exit $rc"
check "--sysroot --json parses" python3 -m json.tool "$T/sysroot.json"
[ "$(json "$T/sysroot.json" "d['measurement']")" = None ] && pass "json: measurement null under --sysroot" || fail "json: measurement under --sysroot"
finish
