# t_diagnose_drift.sh - the drift claim of issue 3: against a chronyd whose
# clock libfaketime runs 500 ppm fast ("+0 x1.0005"), this machine's clock
# looks 500 ppm slow, so a 60 s diagnose must report -500 ppm within 1 ppm,
# for the system clock and the raw clocksource, and the drift thresholds
# must pick the exit code.
. "$(dirname "$0")/lib.sh"

D=$HVCLOCK
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }

F=$(loopback_addr); FP=$(free_port)
start_chronyd fast "$F" "$FP" "+0 x1.0005" || finish

"$D" diagnose -s "$F:$FP" -d 60s -i 0.5s -b 4 --warn-offset 1s --crit-offset 2s \
	--warn-drift 100ppm --crit-drift 1000ppm --json >"$T/drift.json" 2>&1 & p1=$!
# The drift thresholds on a short run, side by side (the verdict needs
# only the sign and size, not the last decimal).
"$D" diagnose -s "$F:$FP" -d 5s -i 0.5s -b 4 --warn-offset 1s --crit-offset 2s \
	--warn-drift 100ppm --crit-drift 400ppm >"$T/crit.out" 2>&1 & p2=$!
"$D" diagnose -s "$F:$FP" -d 5s -i 0.5s -b 4 --warn-offset 1s --crit-offset 2s \
	--warn-drift 600ppm --crit-drift 1000ppm >"$T/ok.out" 2>&1 & p3=$!

wait $p2; rc=$?
[ $rc = 2 ] && pass "-500 ppm with --crit-drift 400ppm -> CRITICAL" || fail "--crit-drift 400ppm -> exit $rc"
contains "$T/crit.out" "^DIAGNOSE CRITICAL: drift -(49[0-9]|50[0-9])\.[0-9]+ ppm beyond 400 ppm" "status line names the drift"
wait $p3; rc=$?
[ $rc = 0 ] && pass "-500 ppm with --warn-drift 600ppm -> OK" || fail "--warn-drift 600ppm -> exit $rc"

wait $p1; rc=$?
[ $rc = 1 ] && pass "60 s run: -500 ppm -> WARNING (exit 1)" || fail "60 s run -> exit $rc"
check "--json parses" python3 -m json.tool "$T/drift.json"
near "$(json "$T/drift.json" "d['measurement']['drift']['system']['ppm']")" -500 1 "system drift within 1 ppm of -500 ppm after 60 s"
near "$(json "$T/drift.json" "d['measurement']['drift']['raw']['ppm']")" -500 1 "raw drift within 1 ppm of -500 ppm after 60 s"
near "$(json "$T/drift.json" "d['measurement']['drift']['system']['s_per_day']")" -43.2 0.1 "-43.2 s/day"
near "$(json "$T/drift.json" "d['measurement']['elapsed_s']")" 60 0.5 "ran 60 s"
echo "  measured: system $(json "$T/drift.json" "d['measurement']['drift']['system']['ppm']") +/- $(json "$T/drift.json" "d['measurement']['drift']['system']['se_ppm']") ppm"
finish
