# t_rules_sysroot.sh - the findings of issue 4 end to end: for every
# fixture tree in tests/fixtures/rules/ (made by make-fixtures.sh),
# `hvclock diagnose --sysroot DIR --no-ntp` must give the expected exit
# code, fire the expected rules (text and --json) and stay silent where a
# rule does not apply.
. "$(dirname "$0")/lib.sh"

D=$HVCLOCK
R=$FIXTURES/rules
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }
# evidence CASE RULE REGEX DESCRIPTION: an evidence line of RULE (JSON, so
# not wrapped) matches
evidence() { said "$1" "$2" "$3" "$4" evidence; }
# said CASE RULE REGEX DESCRIPTION [FIELD]: RULE's text, consequence,
# impact lines or evidence (or only FIELD) match
said() {
	if python3 - "$T/$1.json" "$2" "$3" "${5:-}" <<'EOP'
import json, re, sys
d = json.load(open(sys.argv[1]))
fields = [sys.argv[4]] if sys.argv[4] else ['text', 'consequence', 'impact', 'evidence', 'remedy_note', 'config']
ev = []
for f in d['findings']['findings']:
    if f['id'] == sys.argv[2]:
        for k in fields:
            ev += f[k] if isinstance(f[k], list) else [f[k]]
sys.exit(0 if any(re.search(sys.argv[3], e) for e in ev) else 1)
EOP
	then pass "$4"; else fail "$4 (no /$3/ in the evidence of $2)"; fi
}

# run CASE: text into $T/CASE.out (exit in $T/CASE.rc), JSON into $T/CASE.json
run() {
	"$D" diagnose --sysroot "$R/$1" --no-ntp >"$T/$1.out" 2>&1
	echo $? >"$T/$1.rc"
	"$D" diagnose --sysroot "$R/$1" --no-ntp --json >"$T/$1.json" 2>"$T/$1.err"
	echo $? >"$T/$1.jrc"
}
# expect CASE RC "rule ids, space separated, in any order" (exactly these)
expect() {
	local c=$1 rc=$2 want=$3 got
	run "$c"
	[ "$(cat "$T/$c.rc")" = "$rc" ] && pass "$c: exit $rc" || {
		fail "$c: exit $(cat "$T/$c.rc"), wanted $rc"; sed 's/^/       | /' "$T/$c.out" | head -40; }
	[ "$(cat "$T/$c.jrc")" = "$rc" ] && pass "$c: --json exit $rc" || fail "$c: --json exit $(cat "$T/$c.jrc")"
	got=$(json "$T/$c.json" "' '.join(sorted(d['findings']['rule_ids']))" 2>&1)
	want=$(echo $want | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')
	[ "$got" = "$want" ] && pass "$c: rules [$want]" || fail "$c: rules [$got], wanted [$want]"
}

# --- the motivating case: CentOS 5.5 on Hyper-V 2008 R2, ntpd 4.2.2,
#     Dovecot 1.0.7; the logs show the sawtooth and Dovecot's death.
expect centos55-hyperv 2 "el5-hyperv-clock ntpd-limit-logged dovecot-time-backwards"
O=$T/centos55-hyperv.out
contains "$O" "^Findings$" "Findings section"
contains "$O" "CRITICAL +\[el5-hyperv-clock\]" "el5-hyperv-clock is CRITICAL (the logs show it happening)"
contains "$O" "^Remedy$" "Remedy section"
contains "$O" "add to the kernel line: +clock=pit notsc divider=10" "remedy clock=pit notsc divider=10"
contains "$O" "apply: hvclock grub --profile el5-hyperv --apply" "the grub command"
contains "$O" "apply: hvclock grub --profile el5-hyperv-nodivider --apply" "the variant without divider="
contains "$O" "RHEL/CentOS 5.5 \(build 194\): divider= can panic" "the pre-5.8 divider caveat, for this kernel"
contains "$O" "notsc. is the part that moves" "notsc caveat"
said centos55-hyperv ntpd-limit-logged "^Dovecot 1.0.7 \(before 2.0\): every process, the master included, exits" "Dovecot 1.0.7 named, with what happens" impact
evidence centos55-hyperv ntpd-limit-logged "ntpd stepped the clock: 3 times \(Nov 21 23:52:19 \.\. Nov 22 04:32:14\), 3 backward, largest 45.1 s" "ntpd's steps counted and dated from messages and messages.1"
evidence centos55-hyperv dovecot-time-backwards "Dovecot killed itself because time moved backwards: 2 times" "Dovecot's deaths from maillog"
evidence centos55-hyperv ntpd-limit-logged "Postfix saw a backward time jump: 2 times" "Postfix's warnings too"
evidence centos55-hyperv el5-hyperv-clock "drift file /var/lib/ntp/drift holds 500.000 ppm" "drift file stuck at 500 ppm"
evidence centos55-hyperv el5-hyperv-clock "timer ticks were lost" "kernel log evidence"
check "centos55 --json parses" python3 -m json.tool "$T/centos55-hyperv.json"
[ "$(json "$T/centos55-hyperv.json" "d['findings']['remedy_ids']")" = "['el5-hyperv', 'el5-hyperv-nodivider']" ] \
	&& pass "JSON remedy ids" || fail "JSON remedy ids: $(json "$T/centos55-hyperv.json" "d['findings']['remedy_ids']")"
[ "$(json "$T/centos55-hyperv.json" "[f['remedy']['command'] for f in d['findings']['findings'] if f['id']=='el5-hyperv-clock'][0]")" = "hvclock grub --profile el5-hyperv --apply" ] \
	&& pass "JSON carries the grub command" || fail "JSON grub command"
[ "$(json "$T/centos55-hyperv.json" "d['exit_code']")" = 2 ] && pass "JSON exit_code 2" || fail "JSON exit_code"

# --- near misses of the same machine
expect centos55-hyperv-fixed 0 ""
contains "$T/centos55-hyperv-fixed.out" "OK +nothing to change: Hyper-V guest, kernel 2.6.18-194.el5" "fixed: nothing to change"
expect centos55-hyperv-divider 1 "divider-panic-risk"
contains "$T/centos55-hyperv-divider.out" "apply: hvclock grub --profile el5-hyperv-nodivider --apply" "divider on 5.5: the variant"
expect centos58-hyperv-divider 0 ""

# --- modern guests
expect ubuntu2204-hyperv-ptp 0 ""
contains "$T/ubuntu2204-hyperv-ptp.out" "nothing to change: Hyper-V guest, kernel 5.15.0-1051-azure .*" "Ubuntu 22.04 Hyper-V with PTP: OK"
contains "$T/ubuntu2204-hyperv-ptp.out" "^  nothing to change$" "no remedy"
expect rhel9-kvm 0 ""
contains "$T/rhel9-kvm.out" "nothing to change: KVM guest" "RHEL 9 KVM: OK"
expect ubuntu2204-hyperv-nophc 0 "hyperv-chrony-phc"
contains "$T/ubuntu2204-hyperv-nophc.out" "NOTE +\[hyperv-chrony-phc\]" "advice, not a fault"
contains "$T/ubuntu2204-hyperv-nophc.out" "refclock PHC /dev/ptp_hyperv poll 3 dpoll -2 offset 0 stratum 2" "the refclock line"
contains "$T/ubuntu2204-hyperv-nophc.out" "makestep 1.0 -1" "makestep line"
expect ubuntu2204-hyperv-clockpit 1 "obsolete-clock-arg"
contains "$T/ubuntu2204-hyperv-clockpit.out" "WARNING +\[obsolete-clock-arg\]" "clock=pit on 5.15: WARNING"
contains "$T/ubuntu2204-hyperv-clockpit.out" "apply: hvclock grub --profile modern --apply" "remove it with the modern profile"
if grep -q "add to the kernel line:.*clock=" "$T/ubuntu2204-hyperv-clockpit.out"; then
	fail "clock= recommended on a modern kernel"; else pass "clock= never recommended on a modern kernel"; fi
expect ubuntu2204-hyperv-acpipm 1 "hyperv-clocksource"
contains "$T/ubuntu2204-hyperv-acpipm.out" "as unstable because the skew" "the watchdog line as evidence"
expect rhel9-kvm-acpipm 1 "kvm-no-pvclock"
contains "$T/rhel9-kvm-acpipm.out" "no-kvmclock" "names what keeps kvm-clock away"

# --- VMware RHEL 5.3 x86_64
expect vmware-rhel53 1 "vmware-el-args"
O=$T/vmware-rhel53.out
contains "$O" "apply: hvclock grub --profile vmware-el5.1-x86_64 --apply" "VMware KB row for 5.1-5.3 x86_64"
contains "$O" "add to the kernel line: +divider=10 notsc" "its arguments"
contains "$O" "UNCONFIRMED" "the 64-bit row is marked unconfirmed"
contains "$O" "vmware-el5.1-x86_64-nodivider" "and the variant without divider="
expect vmware-rhel53-fixed 0 ""

# --- log-only trees
expect logscan-rhel 2 "ntpd-limit-logged dovecot-time-backwards clocksource-unstable"
finish
