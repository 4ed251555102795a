#!/bin/bash
# main-job.sh - what `make run` runs: the environment, then a diagnosis.
#
# With NTP=HOST[:PORT] the diagnosis measures against that server. Without
# it, a chronyd started here on loopback serves this machine's own clock
# (-x: it never touches the clock), so the run shows the local part (clock
# consistency, steps, read costs, kernel state) and the measurement
# machinery end to end without sending a packet off this machine.
# Exits 0 when the tool ran, whatever it found.
set -u
: "${HVCLOCK:?}" "${RUN_DURATION:=20s}"
"$HVCLOCK" env || exit 1
echo
if [ -n "${NTP:-}" ]; then
	"$HVCLOCK" diagnose -s "$NTP" -d "$RUN_DURATION"
	rc=$?
else
	d=$(mktemp -d /tmp/hvclock-run.XXXXXX)
	port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	cat >"$d/chrony.conf" <<EOC
local stratum 8
allow 127.0.0.0/8
bindaddress 127.0.0.1
port $port
cmdport 0
bindcmdaddress /
pidfile $d/chronyd.pid
driftfile $d/drift
EOC
	chronyd -x -d -u root -f "$d/chrony.conf" >"$d/log" 2>&1 &
	pid=$!
	trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$d"' EXIT
	sleep 0.5
	echo "(reference: a chronyd on 127.0.0.1:$port serving this machine's clock;"
	echo " run 'make run NTP=your.ntp.server' to measure against a real one)"
	echo
	"$HVCLOCK" diagnose -s "127.0.0.1:$port" -d "$RUN_DURATION"
	rc=$?
fi
# 0-3 are findings (OK, WARNING, CRITICAL, UNKNOWN), not failures to run.
[ "$rc" -le 3 ] && exit 0 || exit "$rc"
