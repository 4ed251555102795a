# t_diagnose_samples.sh - `diagnose --samples FILE`: the rules judge days of
# recorded evidence (an `hvclock log` file) on a fixture tree, end to end:
# the CentOS 5.5 / Hyper-V 2008 R2 guest gaining minutes per hour under
# ntpd 4.2.2 with Dovecot 1.0.7.
. "$(dirname "$0")/lib.sh"

el5=$FIXTURES/env/centos55-hyperv
# The simulated guest's log up to the reboot that applied the remedy.
awk '/^2026-03-03T02:0[6-9]/ { exit } { print }' "$TOP/data/sample/hyperv-guest.log" >"$T/drifting.log"

expect_rc 2 "CentOS 5.5 with its recorded drift: CRITICAL" \
	"$HVCLOCK" --sysroot "$el5" diagnose --samples "$T/drifting.log"
cp "$T/.out" "$T/el5.txt"
# Wrapped sentences, joined for matching.
tr -s ' \n' '  ' <"$T/el5.txt" >"$T/el5.flat"
contains "$T/el5.txt" "^  Recorded +$T/drifting.log: 1468 records of mail01" "says what was read"
contains "$T/el5.txt" "System drift +\+29984\.[0-9]+ ppm" "the latest segment's drift (+30000 ppm)"
contains "$T/el5.txt" "Steps +5 between or during" "the five backward steps of the log"
contains "$T/el5.txt" "\[drift-beyond-daemon\]" "drift beyond what ntpd corrects"
contains "$T/el5.flat" "ntpd 4\.2\.2p1 will step this clock back by about [0-9]+ s every 15 minutes" \
	"the steps are predicted in plain words"
contains "$T/el5.flat" "Dovecot 1\.0\.7 \(before 2\.0\): every process, the master" "Dovecot 1.0.7 is named"
contains "$T/el5.txt" "clock=pit notsc divider=10" "the classic remedy"
contains "$T/el5.txt" "hvclock grub --profile el5-hyperv --apply" "with the command that applies it"
contains "$T/el5.flat" "divider= can panic" "with the pre-5.8 divider caveat"

"$HVCLOCK" --sysroot "$el5" diagnose --samples "$T/drifting.log" --json >"$T/el5.json"
python3 - "$T/el5.json" <<'EOP' && pass "JSON: source, drift, rule ids" || fail "JSON"
import json, sys
d = json.load(open(sys.argv[1]))
m = d["measurement"]
assert m["source"] == "samples" and m["samples_file"].endswith("drifting.log"), m["source"]
assert abs(m["drift"]["system"]["ppm"] - 29985) < 5, m["drift"]
assert d["status"] == "CRITICAL" and d["exit_code"] == 2
ids = d["findings"]["rule_ids"]
assert "el5-hyperv-clock" in ids and "drift-beyond-daemon" in ids, ids
EOP

# The whole log ends after the fix (12 ppm): judged on that, with the
# steps it recorded still counted.
expect_rc 2 "whole log: the recorded 618 s steps still count" \
	"$HVCLOCK" --sysroot "$el5" diagnose --samples "$TOP/data/sample/hyperv-guest.log"
contains "$T/.out" "System drift +[-+]0\.0[0-9]* ppm" "whole log: judged on the healthy last segment"

# Usage and input errors: UNKNOWN (3), the bad input named.
expect_rc 3 "--samples with a missing file" "$HVCLOCK" diagnose --samples "$T/none.log"
contains "$T/.out" "cannot open '$T/none.log'" "missing file named"
: >"$T/empty.log"
expect_rc 3 "--samples with an empty file" "$HVCLOCK" diagnose --samples "$T/empty.log"
contains "$T/.out" "no sample records in '$T/empty.log'" "empty log named"
expect_rc 3 "--samples with -s" "$HVCLOCK" diagnose --samples "$T/drifting.log" -s 127.0.0.1
contains "$T/.out" "takes no -s" "contradiction named"
expect_rc 3 "--samples with --duration" "$HVCLOCK" diagnose --samples "$T/drifting.log" -d 5s
expect_rc 3 "--samples ''" "$HVCLOCK" diagnose --samples ""
expect_rc 3 "--sysroot without --no-ntp or --samples" "$HVCLOCK" --sysroot "$el5" diagnose
contains "$T/.out" "needs --no-ntp or --samples" "says what --sysroot needs"
finish
