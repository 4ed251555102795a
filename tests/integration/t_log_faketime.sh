# t_log_faketime.sh - hvclock log run under libfaketime: a clock with a
# known rate (500 ppm fast) and a backward step of 5 s between two runs.
# The report must find the rate within 1 ppm and the step with its size:
#   - with --no-ntp, from REALTIME against MONOTONIC_RAW (not faked);
#   - against a real chronyd on loopback, from the NTP offsets. Kernel
#     receive timestamps are real time, not faked: the shim that refuses
#     them (as for the faked chronyd in lib.sh) keeps the client on the
#     faked clock for all four timestamps.
#
# The runs of each half go under one `faketime` wrapper, whose shared
# memory (FAKETIME_SHARED) carries one start time to every process: the
# faked clock then runs at the rate continuously from run to run. The
# second half's wrapper starts 5 s back; the step the logger sees is that
# plus the rate times the time between the two wrappers' starts.
. "$(dirname "$0")/lib.sh"

[ -n "$LIBFAKETIME" ] || { fail "libfaketime not installed"; finish; }
command -v faketime >/dev/null || { fail "faketime (the wrapper) not installed"; finish; }
RATE=1.0005
RATE_PPM=500
N=30            # runs per half

# half LOG OFFSET ARGS...: N runs under one faked clock.
half() {
	local log=$1 off=$2
	shift 2
	SHIM_NOTS=$SHIM_NOTS FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "$off x$RATE" bash -c '
		log=$1; n=$2; shift 2
		for i in $(seq "$n"); do
			LD_PRELOAD="$LD_PRELOAD:$SHIM_NOTS" \
				"$HVCLOCK" log -o "$log" "$@" >/dev/null || echo "run $i: exit $?"
			sleep 0.2
		done' half "$log" "$N" "$@" >>"$T/runs.err" 2>&1
}

check_report() {   # check_report JSON FIELD EXPECTED_STEP
	python3 - "$1" "$RATE_PPM" "$3" "$2" <<'EOP'
import json, sys
d = json.load(open(sys.argv[1]))
rate, step, field = float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
segs, ev = d["segments"], d["events"]
steps = [e for e in ev if e["type"] == "step"]
assert d["damaged_lines"] == 0, d["warnings"]
assert len(segs) == 2, "segments: %d" % len(segs)
assert len(steps) == 1, "steps: %s" % steps
for s in segs:
    v = s[field]["drift_ppm"] if field == "drift" else s[field]
    print("  segment from %s: %s %.4f ppm" % (s["start"], field, v))
print("  step %.6f s (%s), expected %.6f s" % (steps[0]["size_s"], steps[0]["direction"], step))
assert steps[0]["direction"] == "backward"
assert abs(steps[0]["size_s"] - step) < 0.002, "step size"
for s in segs:
    v = s[field]["drift_ppm"] if field == "drift" else s[field]
    assert abs(v - rate) < 1.0, "%s %.4f ppm" % (field, v)
EOP
}

# expected_step T1 T2: -5 s plus the rate over the time between the halves.
expected_step() {
	awk -v a="$1" -v b="$2" -v r="$RATE_PPM" 'BEGIN { printf "%.6f", -5 - r * 1e-6 * (b - a) / 1e6 }'
}

for mode in local ntp; do
	if [ $mode = ntp ]; then
		addr=$(loopback_addr)
		port=$(free_port)
		start_chronyd srv "$addr" "$port" || finish
		set -- -s "$addr:$port"
		field=drift
	else
		set -- --no-ntp
		field=realtime_vs_raw_ppm
	fi
	: >"$T/runs.err"
	t1=${EPOCHREALTIME/./}
	half "$T/$mode.log" +0 "$@"
	t2=${EPOCHREALTIME/./}
	half "$T/$mode.log" -5 "$@"
	check "$mode: every faked run succeeded" test ! -s "$T/runs.err"
	[ "$(grep -vc '^#' "$T/$mode.log")" = $((2 * N)) ] && pass "$mode: $((2 * N)) records" ||
		fail "$mode: $(grep -vc '^#' "$T/$mode.log") records"
	want=$(expected_step "$t1" "$t2")
	awk -v w="$want" '!/^#/ && $8 == "step" { n++; s = $9 } END { d = s - w; exit !(n == 1 && d < 0.002 && d > -0.002) }' "$T/$mode.log" &&
		pass "$mode: the logger marked the step in the log" ||
		fail "$mode: events: $(awk '!/^#/ {print $8, $9}' "$T/$mode.log" | sort | uniq -c), want $want"
	"$HVCLOCK" report --json "$T/$mode.log" >"$T/$mode.json" 2>"$T/$mode.err"
	check "$mode: rate within 1 ppm of $RATE_PPM, step $want s" check_report "$T/$mode.json" "$field" "$want"
	sed 's/^/       | /' "$T/.out"
done
"$HVCLOCK" report "$T/ntp.log" --plot "$T/ntp.png" >/dev/null 2>&1
check "the picture is drawn" test -s "$T/ntp.png"
finish
