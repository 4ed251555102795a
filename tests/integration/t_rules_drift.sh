# t_rules_drift.sh - a measured drift judged end to end: against a chronyd
# whose clock libfaketime runs 5% slow ("+0 x0.95"), this machine's
# clock looks 5% fast (+50000 ppm, 3 minutes per hour: the motivating
# case's rate), and `hvclock diagnose` must carry that drift into the
# findings: the forecast for the time daemon found on this machine, the
# matching rule, the exit code of the worst finding.
. "$(dirname "$0")/lib.sh"

D=$HVCLOCK
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }

S=$(loopback_addr); SP=$(free_port)
start_chronyd slow "$S" "$SP" "+0 x0.95" || finish

"$D" diagnose -s "$S:$SP" -d 15s -i 0.5s -b 4 --warn-offset 1h --crit-offset 2h \
	--warn-drift 1e6ppm --crit-drift 1e6ppm --json >"$T/d.json" 2>"$T/d.err"
rc=$?
check "--json parses" python3 -m json.tool "$T/d.json"
near "$(json "$T/d.json" "d['findings']['drift_ppm']")" 50000 500 "the drift judged by the rules is +5% (within 1%)"
[ "$(json "$T/d.json" "d['thresholds_status']")" = OK ] && pass "thresholds out of the way" || fail "thresholds $(json "$T/d.json" "d['thresholds_status']")"
[ "$rc" = "$(json "$T/d.json" "d['findings']['exit_code']")" ] && pass "exit $rc = worst finding" \
	|| fail "exit $rc, worst finding $(json "$T/d.json" "d['findings']['exit_code']")"

# Which daemon disciplines this machine decides the forecast and the rule.
# A chronyd run with -x (as this test's own server is) leaves the clock
# alone, so it does not count (chronyd(8)); the next running one does.
active=$(python3 - "$T/d.json" <<'EOP'
import json, re, sys
d = json.load(open(sys.argv[1]))['environment']['daemons']
run = {x['name']: x for x in d['list'] if x.get('running')}
def hands_off(x):
    return any(re.fullmatch(r'-[A-Za-z]*x[A-Za-z]*', w) for w in (x.get('args') or '').split())
a = d['active']
if a == 'chronyd' and hands_off(run['chronyd']):
    a = next((n for n in ('ntpd', 'timesyncd', 'openntpd') if n in run), None)
print(a)
EOP
)
outcome=$(json "$T/d.json" "(d['findings']['prediction'] or {}).get('outcome')")
ids=$(json "$T/d.json" "' '.join(d['findings']['rule_ids'])")
echo "  active daemon: $active; forecast: $outcome; rules: $ids"
case $active in
chronyd)
	[ "$outcome" = keeps-up ] && pass "chronyd keeps up with 5% (Linux driver 100000 ppm)" || fail "chronyd forecast $outcome"
	case " $ids " in *" drift-high "*) pass "drift-high: the clock source is wrong" ;; *) fail "drift-high missing: $ids" ;; esac
	[ "$rc" -ge 1 ] && pass "exit $rc (WARNING or worse)" || fail "exit $rc" ;;
ntpd)
	case $outcome in steps|exits) pass "ntpd cannot keep up: $outcome" ;; *) fail "ntpd forecast $outcome" ;; esac
	case " $ids " in *" drift-beyond-daemon "*) pass "drift-beyond-daemon" ;; *) fail "drift-beyond-daemon missing: $ids" ;; esac
	[ "$rc" = 2 ] && pass "CRITICAL" || fail "exit $rc" ;;
None)
	[ "$outcome" = no-daemon ] && pass "no daemon: drifts freely" || fail "forecast $outcome"
	case " $ids " in *" no-time-daemon "*) pass "no-time-daemon" ;; *) fail "no-time-daemon missing: $ids" ;; esac
	[ "$rc" = 2 ] && pass "CRITICAL past 500 ppm" || fail "exit $rc" ;;
*)
	[ -n "$outcome" ] && pass "a forecast for $active" || fail "no forecast for $active" ;;
esac
sentence=$(json "$T/d.json" "(d['findings']['prediction'] or {}).get('sentence')")
echo "  forecast: $sentence"
[ -n "$sentence" ] && [ "$sentence" != None ] && pass "the forecast in plain words" || fail "no forecast sentence"

# The text report has the same findings under "Findings" and a "Remedy".
"$D" diagnose -s "$S:$SP" -d 5s -i 0.5s -b 4 --warn-drift 1e6ppm --crit-drift 1e6ppm \
	--warn-offset 1h --crit-offset 2h >"$T/d.out" 2>&1
contains "$T/d.out" "^Findings$" "text: Findings"
contains "$T/d.out" "^Remedy$" "text: Remedy"
# (the report wraps lines: join them before matching a phrase)
tr -s '\n ' '  ' <"$T/d.out" >"$T/d.flat"
contains "$T/d.flat" "drift \+(4[89]|5[0-2])[0-9]{3} ppm \(fast by 3\.[0-9] minutes per hour\)" "text: the drift in words"
finish
