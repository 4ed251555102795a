# lib.sh - shared by the integration tests (sourced, bash).
#
# Each test script gets its own temporary directory ($T) with TZ=UTC and
# LC_ALL=C (after git's test-lib.sh), starts what it needs on loopback and
# stops it on exit. Assertions count; `finish` prints the tally and exits
# non-zero when anything failed.
#
# Environment from the Makefile: HVCLOCK (the binary), BUILD (build dir
# with tools/), TOP (source tree).

set -u
export TZ=UTC LC_ALL=C
: "${HVCLOCK:?HVCLOCK must name the hvclock binary}"
: "${BUILD:?}" "${TOP:?}"
unset HVCLOCK_SYSROOT

T=$(mktemp -d /tmp/hvclock-it.XXXXXX)
FIXTURES=$TOP/tests/fixtures
LIBFAKETIME=${LIBFAKETIME:-$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -n1)}
SHIM_NOTS=$BUILD/tools/shim_notimestamp.so
_pass=0
_fail=0
_pids=()
_name=$(basename "$0" .sh)

_cleanup() {
	local p
	for p in "${_pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${_pids[@]}"; do
		# bounded wait: 50 x 0.1 s
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap _cleanup EXIT

pass() { _pass=$((_pass + 1)); echo "  ok   $*"; }
fail() { _fail=$((_fail + 1)); echo "  FAIL $*"; }

# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
	local d=$1; shift
	if "$@" >"$T/.out" 2>&1; then pass "$d"; else
		fail "$d"; sed 's/^/       | /' "$T/.out" | head -n 20; fi
}
# expect_rc RC DESCRIPTION COMMAND...: passes when the command exits RC.
expect_rc() {
	local want=$1 d=$2 rc; shift 2
	"$@" >"$T/.out" 2>&1; rc=$?
	if [ "$rc" = "$want" ]; then pass "$d"; else
		fail "$d (exit $rc, wanted $want)"; sed 's/^/       | /' "$T/.out" | head -n 20; fi
}
# contains FILE REGEX DESCRIPTION
contains() {
	if grep -Eq -- "$2" "$1"; then pass "$3"; else
		fail "$3 (no /$2/ in $1)"; sed 's/^/       | /' "$1" | head -n 20; fi
}
# preload SHIM: an LD_PRELOAD value for SHIM; under ASan (make check
# SANITIZE=1) the sanitizer's runtime must come first.
preload() {
	local asan
	asan=$(ldd "$HVCLOCK" 2>/dev/null | awk '/libasan/ { print $3 }')
	echo "${asan:+$asan:}$1"
}
# not_contains FILE REGEX DESCRIPTION
not_contains() {
	if ! grep -Eq -- "$2" "$1"; then pass "$3"; else
		fail "$3 (/$2/ found in $1)"; grep -E -- "$2" "$1" | sed 's/^/       | /' | head -n 5; fi
}
# near ACTUAL EXPECTED TOLERANCE DESCRIPTION: |actual - expected| <= tol
near() {
	if awk -v a="$1" -v e="$2" -v t="$3" 'BEGIN { d = a - e; if (d < 0) d = -d; exit !(a != "" && d <= t) }'; then
		pass "$4 ($1 vs $2 +/- $3)"
	else
		fail "$4 ($1 vs $2 +/- $3)"
	fi
}
finish() {
	echo "  $_name: $_pass passed, $_fail failed"
	[ "$_fail" = 0 ]
	exit $?
}

# A free UDP/TCP port on loopback (bound and released by the kernel).
# (A port free for UDP can be taken for TCP: a few tries, bounded.)
free_port() {
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		python3 -c 'import socket,sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
t = socket.socket(); t.bind(("127.0.0.1", s.getsockname()[1])); print(s.getsockname()[1])' 2>/dev/null && return 0
	done
	echo "free_port: no free port on 127.0.0.1 after 10 tries" >&2
	return 1
}
# A random loopback address 127.0.0.2-127.0.0.250 (tests may run side by side).
loopback_addr() { echo "127.0.$((RANDOM % 200 + 10)).$((RANDOM % 240 + 2))"; }

# start_chronyd NAME ADDR PORT [FAKETIME-SPEC]
# A real chronyd serving NTP on ADDR:PORT with `local stratum 8`, never
# touching this machine's clock (-x). With a FAKETIME spec ("+0.25 x1.0005")
# its clock is given that offset and rate through libfaketime, and the shim
# keeps it off kernel timestamps so it uses the faked clock throughout.
# Sets CHRONYD_PID. Waits (bounded) until it answers.
start_chronyd() {
	local name=$1 addr=$2 port=$3 fake=${4:-} d=$T/chronyd-$1
	mkdir -p "$d"
	cat >"$d/chrony.conf" <<EOC
local stratum 8
allow 127.0.0.0/8
bindaddress $addr
port $port
cmdport 0
bindcmdaddress /
pidfile $d/chronyd.pid
driftfile $d/drift
EOC
	if [ -n "$fake" ]; then
		[ -n "$LIBFAKETIME" ] || { fail "libfaketime not installed"; return 1; }
		LD_PRELOAD="$LIBFAKETIME:$SHIM_NOTS" FAKETIME="$fake" \
			FAKETIME_DONT_RESET=1 \
			chronyd -x -d -u root -f "$d/chrony.conf" >"$d/log" 2>&1 &
	else
		chronyd -x -d -u root -f "$d/chrony.conf" >"$d/log" 2>&1 &
	fi
	CHRONYD_PID=$!
	_pids+=("$CHRONYD_PID")
	wait_ntp "$addr" "$port" || { fail "chronyd $name did not start"; cat "$d/log"; return 1; }
}

# wait_ntp ADDR PORT: until a server answers NTP (at most 5 s).
wait_ntp() {
	python3 - "$1" "$2" <<'EOP'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.2)
end = time.time() + 5
while time.time() < end:
    try:
        s.sendto(b'\x23' + b'\0' * 47, (sys.argv[1], int(sys.argv[2])))
        if len(s.recv(512)) >= 48: sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
EOP
}

# stop_pid PID: SIGTERM, bounded wait, SIGKILL.
stop_pid() {
	kill "$1" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
	kill -9 "$1" 2>/dev/null
}
