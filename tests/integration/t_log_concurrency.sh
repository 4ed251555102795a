# t_log_concurrency.sh - appends under load: two loggers writing 1,000
# records each at the same time give 2,000 intact records and one header;
# a logger killed with SIGKILL at random moments, 200 times, leaves every
# complete record parseable and never a half line before a good one.
. "$(dirname "$0")/lib.sh"

L=$T/samples.log
writer() {
	local i
	for i in $(seq 1000); do
		"$HVCLOCK" log --no-ntp -o "$L" || echo "run $i failed" >>"$T/failures"
	done
}
writer & w1=$!
writer & w2=$!
wait $w1 $w2
check "no run failed" test ! -s "$T/failures"
[ "$(grep -c '^#hvclock-log/' "$L")" = 1 ] && pass "exactly one header" || fail "$(grep -c '^#hvclock-log/' "$L") headers"
[ "$(grep -vc '^#' "$L")" = 2000 ] && pass "2000 records" || fail "$(grep -vc '^#' "$L") records"
awk '!/^#/ && NF != 19 { bad++ } END { exit bad > 0 }' "$L" && pass "every record has 19 columns" || fail "short records"
"$HVCLOCK" report --json "$L" >"$T/rep.json" 2>"$T/rep.err"
python3 - "$T/rep.json" <<'EOP' && pass "report: 2000 records, none damaged, no steps" || fail "report: $(head -c 600 "$T/rep.json") $(cat "$T/rep.err")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["records"] == 2000, d["records"]
assert d["damaged_lines"] == 0, d["warnings"]
assert d["summary"]["backward_steps"] == 0 and d["summary"]["forward_steps"] == 0
EOP

# SIGKILL at random moments: anywhere from the start to 1.5 times a
# run's length (measured here: a few ms, more under a sanitizer).
K=$T/killed.log
exec 7< <(sleep 1000)
_pids+=("$!")
t0=${EPOCHREALTIME/./}
for i in 1 2 3 4 5; do "$HVCLOCK" log --no-ntp -o "$K" >/dev/null; done
run_us=$(( (${EPOCHREALTIME/./} - t0) / 5 ))
for i in $(seq 200); do
	"$HVCLOCK" log --no-ntp -o "$K" >/dev/null 2>&1 &
	p=$!
	d=$(( (RANDOM * 32768 + RANDOM) % (run_us * 3 / 2 + 1) ))
	# read -t on a pipe that never delivers: a delay without a child process.
	read -r -t "$((d / 1000000)).$(printf %06d $((d % 1000000)))" -u 7
	kill -9 $p 2>/dev/null
	wait $p 2>/dev/null
done
n=$(grep -vc '^#' "$K")
[ "$n" -ge 5 ] && [ "$n" -le 205 ] && pass "$((n - 5)) of 200 killed runs completed their record (a run: $run_us us)" || fail "$n records"
awk '!/^#/ && NF != 19 { bad++ } END { exit bad > 0 }' "$K" && pass "every line is a whole record" || fail "partial lines: $(awk '!/^#/ && NF != 19' "$K" | head -3)"
[ -z "$(tail -c1 "$K")" ] && pass "the file ends with a newline" || fail "torn end"
"$HVCLOCK" report --json "$K" >"$T/k.json" 2>"$T/k.err"
python3 - "$T/k.json" "$n" <<'EOP' && pass "report reads all $n, none damaged" || fail "$(cat "$T/k.err")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["records"] == int(sys.argv[2]) and d["damaged_lines"] == 0, (d["records"], d["warnings"])
EOP
# The lock does not outlive a killed holder: a run right after still writes.
expect_rc 0 "a run after the kills" "$HVCLOCK" log --no-ntp -o "$K"
finish
