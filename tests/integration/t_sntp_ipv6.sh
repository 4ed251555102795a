#!/bin/bash
# t_sntp_ipv6.sh - IPv6: [::1]:PORT against a chronyd bound to ::1.
. "$(dirname "$0")/lib.sh"

P=$(free_port)
d=$T/chronyd6; mkdir -p "$d"
cat >"$d/chrony.conf" <<EOC
local stratum 8
allow ::1
bindaddress ::1
port $P
cmdport 0
bindcmdaddress /
pidfile $d/chronyd.pid
driftfile $d/drift
EOC
chronyd -x -d -u root -f "$d/chrony.conf" >"$d/log" 2>&1 &
_pids+=($!)
# Bounded wait: the query itself retries; give chronyd up to 5 s.
ok=0
for _ in $(seq 25); do
	if "$HVCLOCK" query -s "[::1]:$P" -n 1 -t 200ms >/dev/null 2>&1; then ok=1; break; fi
	sleep 0.2
done
[ $ok = 1 ] && pass "chronyd on ::1 answers" || { fail "chronyd on ::1 answers"; cat "$d/log"; }
expect_rc 0 "query [::1]:$P" "$HVCLOCK" query -s "[::1]:$P" --json
contains "$T/.out" "\"address\": \"\[::1\]:$P\"" "IPv6 address reported"
contains "$T/.out" '"kernel_rx_ts": true' "kernel timestamp over IPv6"
off=$(sed -n 's/.*"offset_s": \([-0-9.e+]*\).*/\1/p' "$T/.out")
near "$off" 0 100e-6 "IPv6 offset near zero"
finish
