# t_watch_steps.sh - hvclock watch.
#
# This machine's clock is never stepped, so the timerfd path (woken by
# the kernel on a set of the clock) is covered by the detector's unit
# tests on injected events and here by its start, idle cost and stop. The
# polling path and the step measurement run for real under libfaketime,
# whose clock file is rewritten while watch runs (libfaketime does not
# cancel timerfds); and the fallback from timerfd to polling is forced
# with a shim that plays a kernel without TFD_TIMER_CANCEL_ON_SET.
. "$(dirname "$0")/lib.sh"

SHIM_SYSLOG=$BUILD/tools/shim_syslog.so
SHIM_OLD=$BUILD/tools/shim_nocancelonset.so
L=$T/samples.log

# wait_for FILE REGEX: bounded (10 s).
wait_for() {
	for _ in $(seq 100); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# --- timerfd: start, no CPU while idle, clean stop on SIGTERM and SIGINT.
for sig in TERM INT; do
	"$HVCLOCK" watch -o "$L" >"$T/w.out" 2>&1 &
	w=$!
	_pids+=("$w")
	check "SIG$sig run: started with the timerfd" wait_for "$T/w.out" 'waiting for clock steps \(timerfd, TFD_TIMER_CANCEL_ON_SET\)'
	sleep 1
	t1=$(awk '{print $14 + $15}' /proc/$w/stat)
	sleep 2
	t2=$(awk '{print $14 + $15}' /proc/$w/stat)
	[ $((t2 - t1)) -le 1 ] && pass "SIG$sig run: no CPU while idle ($((t2 - t1)) ticks in 2 s)" ||
		fail "SIG$sig run: $((t2 - t1)) ticks of CPU in 2 s idle"
	grep -q '^State:.*S (sleeping)' /proc/$w/status && pass "SIG$sig run: asleep" || fail "not asleep: $(grep State /proc/$w/status)"
	kill -$sig $w
	rc=; for _ in $(seq 50); do kill -0 $w 2>/dev/null || break; sleep 0.1; done
	wait $w; rc=$?
	[ "$rc" = 0 ] && pass "SIG$sig: exit 0" || fail "SIG$sig: exit $rc"
done
check "no record without a step" test ! -s "$L"

# --- polling under libfaketime: steps measured, recorded, run through --exec.
[ -n "$LIBFAKETIME" ] || { fail "libfaketime not installed"; finish; }
FT=$T/faketime
echo "+0" >"$FT"
hook='printf "%s %s %s %s %s\n" "$HVCLOCK_STEP_SECONDS" "$HVCLOCK_STEP_DIRECTION" "$HVCLOCK_STEP_TIME" "$HVCLOCK_STEP_UNIX" "$HVCLOCK_LOG" >>'"$T/hook.txt"
LD_PRELOAD="$LIBFAKETIME:$SHIM_SYSLOG" FAKETIME_TIMESTAMP_FILE=$FT FAKETIME_NO_CACHE=1 \
	FAKETIME_DONT_FAKE_MONOTONIC=1 SHIM_SYSLOG_FILE=$T/syslog \
	"$HVCLOCK" watch --poll 100ms -o "$L" --syslog --exec "$hook" >"$T/p.out" 2>&1 &
w=$!
_pids+=("$w")
check "polling watch started" wait_for "$T/p.out" 'waiting for clock steps \(poll\)'
echo "-2.5" >"$FT"
check "a backward step is seen" wait_for "$T/p.out" 'clock stepped backward by 2\.(5|49)'
echo "+1" >"$FT"
check "a forward step is seen" wait_for "$T/p.out" 'clock stepped forward by 3\.(5|49)'
check "the hook ran twice" wait_for "$T/hook.txt" 'forward'
kill -TERM $w
wait $w; rc=$?
[ "$rc" = 0 ] && pass "SIGTERM: exit 0" || fail "SIGTERM: exit $rc"
[ "$(grep -c '^#hvclock-log/1 ' "$L")" = 1 ] && pass "one header" || fail "headers: $(grep -c '^#' "$L")"
awk '!/^#/ { n++; if ($7 != "step" || $8 != "step" || NF != 19) bad++ } END { exit !(n == 2 && !bad) }' "$L" &&
	pass "two step records" || fail "records: $(grep -v '^#' "$L")"
awk '!/^#/ { s[++n] = $9 } END { exit !(s[1] > -2.501 && s[1] < -2.499 && s[2] > 3.499 && s[2] < 3.501) }' "$L" &&
	pass "step sizes -2.5 s and +3.5 s in the log" || fail "sizes: $(awk '!/^#/ {print $9}' "$L")"
awk -v L="$L" 'NR == 1 { exit !($1 + 2.5 < 0.001 && $1 + 2.5 > -0.001 && $2 == "backward" && $3 ~ /^20[0-9-]+T[0-9:]+Z$/ && $4 ~ /^[0-9]+\.[0-9]+$/ && $5 == L) }' "$T/hook.txt" &&
	pass "--exec got HVCLOCK_STEP_* and HVCLOCK_LOG" || fail "hook saw: $(cat "$T/hook.txt")"
awk 'NR == 2 { exit !($1 - 3.5 < 0.001 && $1 - 3.5 > -0.001 && $2 == "forward") }' "$T/hook.txt" && pass "second hook: forward 3.5 s" || fail "hook: $(cat "$T/hook.txt")"
contains "$T/syslog" '^4 hvclock: clock stepped backward by 2\.(5|49)' "syslog: backward step at LOG_WARNING"
contains "$T/syslog" '^5 hvclock: clock stepped forward by 3\.(5|49)' "syslog: forward step at LOG_NOTICE"
contains "$T/syslog" '^6 hvclock: watching for clock steps \(poll\)' "syslog: start line"
contains "$T/syslog" 'stopped by signal 15' "syslog: stop line"
"$HVCLOCK" report --json "$L" >"$T/r.json" 2>"$T/r.err"
python3 - "$T/r.json" <<'EOP' && pass "report: two live steps" || fail "report: $(cat "$T/r.err") $(head -c 400 "$T/r.json")"
import json, sys
d = json.load(open(sys.argv[1]))
st = [e for e in d["events"] if e["type"] == "step"]
assert [round(e["size_s"], 3) for e in st] == [-2.5, 3.5], st
assert all(e["seen_live"] for e in st)
EOP

# --- the fallback: a kernel without CANCEL_ON_SET, then without timerfd.
for what in "no CANCEL_ON_SET" "no timerfd"; do
	: >"$T/f.out"
	echo "+0" >"$FT"
	extra=; [ "$what" = "no timerfd" ] && extra=1
	SHIM_NO_TIMERFD=$extra LD_PRELOAD="$LIBFAKETIME:$SHIM_OLD" FAKETIME_TIMESTAMP_FILE=$FT \
		FAKETIME_NO_CACHE=1 FAKETIME_DONT_FAKE_MONOTONIC=1 \
		"$HVCLOCK" watch --json -o "$T/f.log" >"$T/f.out" 2>"$T/f.err" &
	w=$!
	_pids+=("$w")
	sleep 0.5
	contains "$T/f.err" 'polling every 10 s instead' "$what: falls back to polling, says why"
	kill -TERM $w
	wait $w; rc=$?
	[ "$rc" = 0 ] && pass "$what: stops on SIGTERM" || fail "$what: exit $rc"
done
contains "$T/f.err" 'timerfd_create: Function not implemented' "ENOSYS named"

# --- a log it cannot write: exit 1 at once, not at the first step.
mkdir -p "$T/ro" && chmod 755 "$T/ro" "$T"
expect_rc 1 "unwritable log: exit 1" setpriv --reuid=65534 --regid=65534 --clear-groups timeout 5 "$HVCLOCK" watch -o "$T/ro/x.log"
contains "$T/.out" "Permission denied" "the cause is named"
expect_rc 2 "bad --poll" "$HVCLOCK" watch --poll 0 -o "$L"

# --- SIGTERM at random moments while steps are being written: only whole
# records, ever (signals are taken only in the wait).
R=$T/race.log
for i in $(seq 15); do
	echo "+0" >"$FT"
	LD_PRELOAD="$LIBFAKETIME" FAKETIME_TIMESTAMP_FILE=$FT FAKETIME_NO_CACHE=1 \
		FAKETIME_DONT_FAKE_MONOTONIC=1 "$HVCLOCK" watch --poll 10ms -o "$R" >/dev/null 2>&1 &
	w=$!
	sleep 0.1
	for k in 1 2 3 4 5; do echo "-$k" >"$FT"; sleep 0.02; done
	kill -TERM $w
	wait $w || echo "exit $?" >>"$T/race.err"
done
check "every watcher exited 0" test ! -s "$T/race.err"
awk '!/^#/ && NF != 19 { bad++ } END { exit bad > 0 }' "$R" && pass "race: only whole records ($(grep -vc '^#' "$R") of them)" ||
	fail "race: partial records"
"$HVCLOCK" report --json "$R" >"$T/race.json" 2>/dev/null
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["damaged_lines"] == 0 and d["records"] > 0' "$T/race.json" &&
	pass "race: report finds no damaged line" || fail "race: damaged lines"
finish
