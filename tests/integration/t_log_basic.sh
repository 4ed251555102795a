# t_log_basic.sh - hvclock log against a real chronyd on loopback: the
# record and its header, exit codes (no server: 3; no log: 1; usage: 2),
# a missing directory created, an unwritable one refused as nobody, a
# symbolic link refused, a torn last line ended, another version's header,
# the JSON and text outputs, events from one run to the next.
. "$(dirname "$0")/lib.sh"

addr=$(loopback_addr)
port=$(free_port)
start_chronyd srv "$addr" "$port" || finish
L=$T/new/dir/samples.log

# A first record: the directory is created, a header goes first.
expect_rc 0 "log against chronyd" "$HVCLOCK" log -s "$addr:$port" -o "$L"
check "missing directories created" test -f "$L"
[ "$(stat -c %a "$T/new/dir")" = 755 ] && pass "directory mode 755" || fail "directory mode $(stat -c %a "$T/new/dir")"
[ "$(stat -c %a "$L")" = 644 ] && pass "log mode 644" || fail "log mode $(stat -c %a "$L")"
head -n1 "$L" >"$T/h"
contains "$T/h" '^#hvclock-log/1 time unix_s boot_s mono_s raw_s unc_s kind events step_s offset_s delay_s stratum server clocksource freq_ppm sync maxerr_s boot_id host$' "header names the columns and the version"
[ "$(wc -l <"$L")" = 2 ] && pass "header + one record" || fail "$(wc -l <"$L") lines"
tail -n1 "$L" >"$T/r"
awk '{ exit !(NF == 19) }' "$T/r" && pass "19 columns" || fail "columns: $(awk '{print NF}' "$T/r")"
awk -v a="$addr" '{ exit !($7 == "sample" && $8 == "-" && $10 != "-" && $11 != "-" && index($13, a) == 1) }' "$T/r" &&
	pass "a sample with an NTP offset from $addr" || fail "record: $(cat "$T/r")"
off=$(awk '{print $10}' "$T/r")
near "$off" 0 0.01 "offset against a chronyd serving this clock"
bootid=$(cat /proc/sys/kernel/random/boot_id)
awk -v b="$bootid" '{ exit !($18 == b) }' "$T/r" && pass "boot id recorded" || fail "boot id: $(awk '{print $18}' "$T/r")"
cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null || echo -)
awk -v c="$cs" '{ exit !($14 == c) }' "$T/r" && pass "clocksource recorded ($cs)" || fail "clocksource: $(awk '{print $14}' "$T/r")"
# The numbers read back with awk match the clocks: unix_s is REALTIME now.
now=$(date +%s.%N)
awk -v n="$now" '{ d = n - $2; exit !(d >= 0 && d < 60) }' "$T/r" && pass "unix_s is REALTIME" || fail "unix_s $(awk '{print $2}' "$T/r") vs $now"

# Second run: no events; the text line with -v; JSON.
expect_rc 0 "second run, -v" "$HVCLOCK" log -s "$addr:$port" -o "$L" -v
contains "$T/.out" "offset [+-][0-9.]+ s  delay [0-9.]+ s  server $addr" "-v prints the sample"
expect_rc 0 "--json" "$HVCLOCK" log -s "$addr:$port" -o "$L" --json
python3 - "$T/.out" <<'EOP' && pass "JSON parses, events empty, ntp filled" || fail "JSON: $(cat "$T/.out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["events"] == [] and d["first_record"] is False
assert abs(d["ntp"]["offset_s"]) < 0.01 and d["ntp"]["delay_s"] >= 0
assert d["step_s"] is None
EOP
[ "$(grep -vc '^#' "$L")" = 3 ] && pass "three records" || fail "$(grep -vc '^#' "$L") records"

# No server answers: the record is still written, NTP fields '-', exit 3.
noaddr=$(loopback_addr)
expect_rc 3 "unreachable server: exit 3" "$HVCLOCK" log -s "$noaddr:$(free_port)" --timeout 200ms -o "$L"
contains "$T/.out" "no NTP server answered" "the warning says why"
tail -n1 "$L" | awk '{ exit !($10 == "-" && $11 == "-" && $12 == "-" && $13 == "-" && $2 != "-") }' &&
	pass "local part written, NTP fields '-'" || fail "record: $(tail -n1 "$L")"
expect_rc 3 "--quiet: exit 3 without a warning" "$HVCLOCK" log -s "$noaddr:$(free_port)" --timeout 100ms -o "$L" --quiet
[ ! -s "$T/.out" ] && pass "--quiet is quiet" || fail "--quiet printed: $(cat "$T/.out")"
# The second server is used when the first does not answer.
expect_rc 0 "first server down, second answers" "$HVCLOCK" log -s "$noaddr:$(free_port)" -s "$addr:$port" --timeout 200ms -o "$L"
expect_rc 0 "--no-ntp: exit 0" "$HVCLOCK" log --no-ntp -o "$L"
tail -n1 "$L" | awk '{ exit !($10 == "-") }' && pass "--no-ntp record has no offset" || fail "$(tail -n1 "$L")"

# Usage errors.
expect_rc 2 "bad server" "$HVCLOCK" log -s "host:99999" -o "$L"
contains "$T/.out" "99999" "the bad server is named"
expect_rc 2 "--no-ntp with -s" "$HVCLOCK" log --no-ntp -s "$addr:$port" -o "$L"
expect_rc 2 "bad burst" "$HVCLOCK" log --burst 0 -o "$L" --no-ntp
expect_rc 2 "stray operand" "$HVCLOCK" log --no-ntp -o "$L" extra

# Unwritable: as nobody into a root-owned directory; clear error, exit 1.
mkdir -p "$T/ro" && chmod 755 "$T/ro" "$T"
expect_rc 1 "unwritable directory: exit 1" setpriv --reuid=65534 --regid=65534 --clear-groups "$HVCLOCK" log --no-ntp -o "$T/ro/samples.log"
contains "$T/.out" "cannot open '$T/ro/samples.log' for appending: Permission denied" "the error names the file and the cause"
expect_rc 1 "uncreatable directory: exit 1" setpriv --reuid=65534 --regid=65534 --clear-groups "$HVCLOCK" log --no-ntp -o "$T/ro/sub/samples.log"
contains "$T/.out" "cannot create directory '$T/ro/sub': Permission denied" "the error names the directory"
check "nothing created" test ! -e "$T/ro/samples.log" -a ! -e "$T/ro/sub"
# A symbolic link at the log's place, in a directory others can write
# (world-writable and sticky, like /tmp), is refused (t_fs_faults has the
# rest of the policy).
mkdir -m 1777 "$T/pub"
ln -s "$T/elsewhere" "$T/pub/link.log"
expect_rc 1 "symbolic link refused" "$HVCLOCK" log --no-ntp -o "$T/pub/link.log"
contains "$T/.out" "symbolic link" "the refusal says why"
check "link target not created" test ! -e "$T/elsewhere"

# A torn last line (a writer cut short) is ended, the new record intact.
L2=$T/torn.log
printf '%s\n' "$(head -n1 "$L")" >"$L2"
sed -n 2p "$L" >>"$L2"
sed -n 3p "$L" | head -c 60 >>"$L2"
expect_rc 0 "append after a torn line" "$HVCLOCK" log --no-ntp -o "$L2"
[ "$(wc -l <"$L2")" = 4 ] && pass "torn line ended with a newline" || fail "$(wc -l <"$L2") lines"
tail -n1 "$L2" | awk '{ exit !(NF == 19 && $7 == "sample") }' && pass "new record on its own line" || fail "$(tail -n1 "$L2")"
"$HVCLOCK" report "$L2" >"$T/rep" 2>"$T/rep.err"
contains "$T/rep.err" "line 3: torn|line 3: expected 19 fields" "report names the damaged line"
contains "$T/rep" "Records:  2 " "report uses both good records"

# A log begun by a newer hvclock: our records get our header first.
L3=$T/v2.log
printf '#hvclock-log/2 time something new\n2026-01-01T00:00:00Z future record\n' >"$L3"
expect_rc 0 "append to a version 2 log" "$HVCLOCK" log --no-ntp -o "$L3"
sed -n 3p "$L3" | grep -q '^#hvclock-log/1 ' && pass "version 1 header written before the record" || fail "$(cat "$L3")"
"$HVCLOCK" report "$L3" >"$T/rep" 2>"$T/rep.err"
contains "$T/rep.err" "line 2: format version 2 is newer" "the future record is skipped, named"
contains "$T/rep" "Records:  1 " "our record is read"

# Events: a new boot id and a clocksource change in the previous record
# (edited as they would be on another boot) are found by the next run.
L4=$T/events.log
"$HVCLOCK" log --no-ntp -o "$L4" >/dev/null
awk 'NR == 2 { $18 = "00000000-0000-4000-8000-000000000000" } { print }' OFS=' ' "$L4" >"$L4.t" && mv "$L4.t" "$L4"
expect_rc 0 "run after a reboot" "$HVCLOCK" log --no-ntp -o "$L4" --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["events"] == ["reboot"], d' "$T/.out" &&
	pass "reboot found" || fail "events: $(cat "$T/.out")"
tail -n1 "$L4" | awk '{ exit !($8 == "reboot") }' && pass "reboot in the events column" || fail "$(tail -n1 "$L4")"
awk 'NR == 3 { $14 = "acpi_pm" } { print }' OFS=' ' "$L4" >"$L4.t" && mv "$L4.t" "$L4"
expect_rc 0 "run after a clocksource change" "$HVCLOCK" log --no-ntp -o "$L4" --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["events"] == ["clocksource"], d' "$T/.out" &&
	pass "clocksource change found" || fail "events: $(cat "$T/.out")"
# REALTIME - BOOTTIME of the previous record 3 s larger: the clock went back 3 s.
awk 'NR == 4 { $2 = sprintf("%.6f", $2 + 3) } { print }' OFS=' ' "$L4" >"$L4.t" && mv "$L4.t" "$L4"
expect_rc 0 "run after a backward step" "$HVCLOCK" log --no-ntp -o "$L4" --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["events"] == ["step"] and abs(d["step_s"] + 3) < 0.01, d' "$T/.out" &&
	pass "backward step of 3 s found" || fail "events: $(cat "$T/.out")"
tail -n1 "$L4" | awk '{ exit !($8 == "step" && $9 + 3 < 0.01 && $9 + 3 > -0.01) }' && pass "step size in the log" || fail "$(tail -n1 "$L4")"
finish
