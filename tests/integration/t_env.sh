# t_env.sh - `hvclock env` live on this machine (itself a virtual machine)
# and on the fixture trees, text and JSON.
. "$(dirname "$0")/lib.sh"

# Live: completes, exit 0, sane values.
expect_rc 0 "env runs live" "$HVCLOCK" env
cp "$T/.out" "$T/live.txt"
contains "$T/live.txt" '^Hypervisor +[A-Za-z]' "live: hypervisor verdict shown"
contains "$T/live.txt" "^Kernel +$(uname -r | sed 's/[.+]/\\&/g')" "live: kernel release is uname -r"
cur=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)
[ -n "$cur" ] && contains "$T/live.txt" "^Clocksource +$cur" "live: clocksource matches sysfs ($cur)"
contains "$T/live.txt" '^Kernel NTP +TIME_' "live: adjtimex state read"
contains "$T/live.txt" '^CPU +[A-Za-z]+' "live: CPU vendor from libcpuid"
# Lines over 80 columns are allowed only for one unbreakable word (a path).
awk 'length > 80 { sub(/^ +/, ""); if (index($0, " ")) bad = 1 } END { exit bad }' "$T/live.txt" \
	&& pass "live: text fits 80 columns" || fail "live: text wider than 80 columns"

expect_rc 0 "env --json live" "$HVCLOCK" env --json
python3 - "$T/.out" <<'EOP' >"$T/j" 2>&1 && pass "live JSON is valid and sane" || { fail "live JSON"; cat "$T/j"; }
import json, os, sys
d = json.load(open(sys.argv[1]))
assert d["live"] is True and d["sysroot"] is None
assert d["kernel"]["release"]["value"] == os.uname().release
assert d["hypervisor"]["verdict"] in ("hyperv", "kvm", "vmware", "xen", "virtualbox", "none", "other", "unknown")
assert d["kernel_ntp"]["state"].startswith("TIME_")
assert isinstance(d["kernel_ntp"]["freq_ppm"], (int, float))
assert isinstance(d["daemons"]["list"], list)
cs = open("/sys/devices/system/clocksource/clocksource0/current_clocksource").read().strip()
assert d["clocksource"]["current"] == cs, (d["clocksource"], cs)
EOP

# Fixtures: each verdict and its key facts, text and JSON.
check_fixture() { # NAME HV CLOCKSOURCE DAEMON
	local f=$FIXTURES/env/$1
	"$HVCLOCK" --sysroot "$f" env --json >"$T/f.json" 2>"$T/f.err"; local rc=$?
	[ $rc = 0 ] && pass "$1: exit 0" || fail "$1: exit $rc"
	python3 - "$T/f.json" "$2" "$3" "$4" <<'EOP' && pass "$1: verdict $2, clocksource $3, daemon $4" || fail "$1: JSON facts"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["live"] is False, d["live"]
assert d["hypervisor"]["verdict"] == sys.argv[2], d["hypervisor"]
assert (d["clocksource"]["current"] or "") == sys.argv[3], d["clocksource"]
assert (d["daemons"]["active"] or "") == sys.argv[4], d["daemons"]
assert d["kernel_ntp"]["state"] is None and "sysroot" in d["kernel_ntp"]["why"]
EOP
	HVCLOCK_SYSROOT=$f "$HVCLOCK" env >"$T/f.txt" 2>&1
	contains "$T/f.txt" "^Sysroot +$f" "$1: text names the sysroot (HVCLOCK_SYSROOT)"
}
check_fixture centos55-hyperv hyperv tsc ntpd
check_fixture ubuntu2204-hyperv hyperv hyperv_clocksource_tsc_page chronyd
check_fixture rhel9-kvm kvm kvm-clock chronyd
check_fixture vmware-rhel53 vmware tsc ntpd
check_fixture baremetal-debian12 none tsc timesyncd
check_fixture broken unknown "" ""

# The global option and the per-command option are the same thing.
"$HVCLOCK" env --sysroot "$FIXTURES/env/rhel9-kvm" >"$T/a" 2>&1
"$HVCLOCK" --sysroot "$FIXTURES/env/rhel9-kvm" env >"$T/b" 2>&1
cmp -s "$T/a" "$T/b" && pass "--sysroot before and after the command agree" || fail "--sysroot placement changes output"

# libcpuid is loaded when the probe runs: where it cannot be, env says so
# and takes the CPU from /proc/cpuinfo; the other commands never load it.
NOLIB=(env SHIM_NOLIB=libcpuid LD_PRELOAD="$(preload "$BUILD/tools/shim_nolib.so")")
expect_rc 0 "env without libcpuid" "${NOLIB[@]}" "$HVCLOCK" env --json
contains "$T/.out" '"why": "cannot load libcpuid\.so\.[0-9]+: .*refused by shim_nolib"' "without libcpuid: the CPUID signature says why it is unknown"
contains "$T/.out" '"source": "/proc/cpuinfo"' "without libcpuid: the CPU from /proc/cpuinfo"
expect_rc 0 "env with libcpuid" "$HVCLOCK" env --json
contains "$T/.out" '"source": "libcpuid"' "with libcpuid: the CPU from libcpuid"
not_contains "$T/.out" 'cannot load libcpuid' "with libcpuid: loaded"
expect_rc 0 "log without libcpuid (it never loads it)" "${NOLIB[@]}" "$HVCLOCK" log --no-ntp -o "$T/s.log"
if command -v ldd >/dev/null; then
	ldd "$HVCLOCK" >"$T/ldd" 2>&1
	not_contains "$T/ldd" 'libcpuid|libplot' "the binary links neither libcpuid nor libplot (loaded by the commands that use them)"
fi
finish
