#!/bin/bash
# t_sntp_chronyd.sh - hvclock query against real chronyd servers on
# loopback: a healthy one (same clock: offset near zero) and one whose
# clock libfaketime puts 0.25 s ahead (offset +0.25 s, server ahead ->
# positive). chronyd runs with -x and never touches this machine's clock.
. "$(dirname "$0")/lib.sh"

# json_num FILE KEY: the first numeric value of "KEY" in hvclock's JSON.
json_num() { sed -n "s/.*\"$2\": \([-0-9.e+]*\).*/\1/p" "$1" | head -n1; }

A=$(loopback_addr); P=$(free_port)
start_chronyd healthy "$A" "$P" || finish
expect_rc 0 "query healthy chronyd" "$HVCLOCK" query -s "$A:$P" --json
cp "$T/.out" "$T/healthy.json"
off=$(json_num "$T/healthy.json" offset_s)
del=$(json_num "$T/healthy.json" delay_s)
near "$off" 0 100e-6 "healthy offset near zero"
near "$del" 0 1e-3 "healthy delay small"
contains "$T/healthy.json" '"kernel_rx_ts": true' "T4 is a kernel timestamp"
contains "$T/healthy.json" '"replies": 4' "default burst of 4 all answered"
contains "$T/healthy.json" '"stratum": 8' "stratum of 'local stratum 8'"

# Text output: one row with the server, its address and the columns.
expect_rc 0 "text output" "$HVCLOCK" query -s "$A:$P" -n 2
contains "$T/.out" "^SERVER +ADDRESS +ST +REFID +OFFSET/s +DELAY/s +ROOTDIST/s +RX-TS +REPLIES" "text header"
contains "$T/.out" "^$A:$P +$A:$P +8 +[0-9.]+ +[-+]0\.0000[0-9]{5} +0\.[0-9]{9} +0\.[0-9]{6} +kernel +2/2$" "text row"

# The faked server: 0.25 s ahead of us.
A2=$(loopback_addr); P2=$(free_port)
start_chronyd ahead "$A2" "$P2" "+0.25" || finish
expect_rc 0 "query chronyd 0.25 s ahead" "$HVCLOCK" query -s "$A2:$P2" --json
off=$(json_num "$T/.out" offset_s)
near "$off" 0.25 100e-6 "injected +0.25 s measured"

# Both servers in one run, and a dead third: exit 1, the dead one named.
DEAD=$(free_port)
expect_rc 1 "one dead server of three -> exit 1" \
	"$HVCLOCK" query -s "$A:$P" -s "$A2:$P2" -s "127.0.0.1:$DEAD" -t 200ms -n 1
contains "$T/.out" "^hvclock: 127\.0\.0\.1:$DEAD: timeout: no valid reply within 0\.2 s \(2 tries\)$" "dead server named with its reason"
contains "$T/.out" "^$A2:$P2 .* \+0\.250" "the live servers still reported"
contains "$T/.out" "^$A:$P .* [-+]0\.000" "the healthy server too"

# A server given by name resolves (localhost -> 127.0.0.1 here).
LP=$(free_port)
start_chronyd local 127.0.0.1 "$LP" || finish
expect_rc 0 "server by name" "$HVCLOCK" query -s "localhost:$LP" -n 1
contains "$T/.out" "^localhost:$LP +127\.0\.0\.1:$LP " "name and numeric address shown"
finish
