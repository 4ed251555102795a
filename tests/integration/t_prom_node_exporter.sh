# t_prom_node_exporter.sh - hvclock log --textfile DIR against a real
# prometheus-node-exporter on loopback (textfile collector only): scrape
# it with curl and find the metrics with the right values; counters carry
# over from run to run; promtool lints the file.
. "$(dirname "$0")/lib.sh"

command -v prometheus-node-exporter >/dev/null || { fail "prometheus-node-exporter not installed"; finish; }
[ -n "$LIBFAKETIME" ] || { fail "libfaketime not installed"; finish; }
addr=$(loopback_addr)
port=$(free_port)
start_chronyd srv "$addr" "$port" || finish
D=$T/textfile
mkdir -p "$D"
L=$T/samples.log
P=$D/hvclock.prom

nport=$(free_port)
prometheus-node-exporter --web.listen-address="127.0.0.1:$nport" \
	--collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$D" >"$T/ne.log" 2>&1 &
_pids+=("$!")
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$nport/metrics" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$nport/metrics" >/dev/null && pass "node_exporter up on 127.0.0.1:$nport" ||
	{ fail "node_exporter did not start"; cat "$T/ne.log"; finish; }

scrape() { curl -sf "http://127.0.0.1:$nport/metrics" >"$T/m"; }
# metric NAME_WITH_LABELS: its value in the scrape ("" when absent).
metric() { awk -v m="$1" '$1 == m { print $2 }' "$T/m"; }
prom() { awk -v m="$1" '$1 == m { print $2 }' "$P"; }

# Ten runs over two seconds: enough for the drift fit of the segment.
for i in $(seq 10); do
	"$HVCLOCK" log -s "$addr:$port" -o "$L" --textfile "$D" || echo "run $i: $?" >>"$T/err"
	sleep 0.2
done
check "ten runs with --textfile" test ! -s "$T/err"
check "hvclock.prom written" test -s "$P"
[ "$(stat -c %a "$P")" = 644 ] && pass "mode 644 (node_exporter may run as another user)" || fail "mode $(stat -c %a "$P")"
ls "$D" | grep -v '^hvclock.prom$' >"$T/extra"
check "no temporary files left" test ! -s "$T/extra"
promtool check metrics <"$P" >"$T/lint" 2>&1 && pass "promtool check metrics: clean" || { fail "promtool lint"; cat "$T/lint"; }
scrape
check "scraped" test -s "$T/m"
[ "$(metric node_textfile_scrape_error)" = 0 ] && pass "node_textfile_scrape_error 0" || fail "scrape error: $(grep hvclock "$T/ne.log" | head -3)"
for m in hvclock_ntp_reachable hvclock_offset_seconds hvclock_ntp_delay_seconds hvclock_drift_ppm \
	 'hvclock_steps_total{direction="backward"}' 'hvclock_steps_total{direction="forward"}' \
	 hvclock_reboots_total hvclock_clocksource_changes_total hvclock_last_run_timestamp_seconds \
	 hvclock_kernel_frequency_ppm hvclock_kernel_synchronized; do
	v=$(metric "$m")
	f=$(prom "$m")
	# node_exporter prints numbers its own way: compare them as numbers.
	[ -n "$v" ] && awk -v a="$v" -v b="$f" 'BEGIN { d = a - b; if (d < 0) d = -d; m = b < 0 ? -b : b; exit !(d <= 1e-12 * m) }' &&
		pass "$m = $v (as in the file)" || fail "$m: scraped '$v', file '$f'"
done
contains "$T/m" '^# HELP hvclock_offset_seconds NTP offset, server minus local' "HELP line served"
contains "$T/m" '^# TYPE hvclock_steps_total counter' "TYPE counter served"
contains "$T/m" '^# TYPE hvclock_offset_seconds gauge' "TYPE gauge served"
cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)
[ "$(metric "hvclock_clocksource_info{clocksource=\"$cs\"}")" = 1 ] && pass "clocksource_info{clocksource=\"$cs\"} 1" || fail "clocksource info: $(grep clocksource_info "$T/m")"
[ "$(metric hvclock_ntp_reachable)" = 1 ] && pass "ntp reachable" || fail "reachable $(metric hvclock_ntp_reachable)"
near "$(metric hvclock_offset_seconds)" "$(tail -n1 "$L" | awk '{print $10}')" 1e-9 "offset = the last record's"
near "$(metric hvclock_drift_ppm)" 0 2 "drift of a chronyd serving this very clock is about 0"
now=$(date +%s)
near "$(metric hvclock_last_run_timestamp_seconds)" "$now" 60 "last run timestamp is now"
[ "$(metric 'hvclock_steps_total{direction="backward"}')" = 0 ] && pass "no steps yet" || fail "steps: $(grep steps_total "$T/m")"
[ -z "$(metric hvclock_last_step_seconds)" ] && pass "no last step yet" || fail "last step: $(metric hvclock_last_step_seconds)"

# A backward step of 5 s (the clock faked 5 s back), then no step, then
# forward again: the counters count and carry over.
faked() { LD_PRELOAD="$LIBFAKETIME:$SHIM_NOTS" FAKETIME="-5" FAKETIME_DONT_FAKE_MONOTONIC=1 "$@"; }
faked "$HVCLOCK" log -s "$addr:$port" -o "$L" --textfile "$D"
faked "$HVCLOCK" log -s "$addr:$port" -o "$L" --textfile "$D"
scrape
[ "$(metric 'hvclock_steps_total{direction="backward"}')" = 1 ] && pass "steps_total{backward} 1" || fail "$(grep steps_total "$T/m")"
[ "$(metric 'hvclock_steps_total{direction="forward"}')" = 0 ] && pass "steps_total{forward} 0" || fail "$(grep steps_total "$T/m")"
near "$(metric hvclock_last_step_seconds)" -5 0.01 "last_step_seconds -5"
near "$(metric hvclock_offset_seconds)" 5 0.01 "offset +5 s while the clock is 5 s behind"
"$HVCLOCK" log -s "$addr:$port" -o "$L" --textfile "$D"
scrape
[ "$(metric 'hvclock_steps_total{direction="backward"}')" = 1 ] && pass "backward still 1" || fail "$(grep steps_total "$T/m")"
[ "$(metric 'hvclock_steps_total{direction="forward"}')" = 1 ] && pass "steps_total{forward} 1" || fail "$(grep steps_total "$T/m")"
near "$(metric hvclock_last_step_seconds)" 5 0.01 "last_step_seconds +5"

# No server: reachable 0, no offset sample, exit 3; the counters stay.
expect_rc 3 "no server: exit 3" "$HVCLOCK" log -s "$(loopback_addr):$(free_port)" --timeout 100ms -o "$L" --textfile "$D" -q
scrape
[ "$(metric hvclock_ntp_reachable)" = 0 ] && pass "ntp_reachable 0" || fail "reachable $(metric hvclock_ntp_reachable)"
[ -z "$(metric hvclock_offset_seconds)" ] && pass "no offset sample" || fail "offset $(metric hvclock_offset_seconds)"
[ "$(metric 'hvclock_steps_total{direction="backward"}')" = 1 ] && pass "counters kept" || fail "$(grep steps_total "$T/m")"

# A textfile directory that is missing: exit 4, the record still written.
n=$(grep -vc '^#' "$L")
expect_rc 4 "missing textfile dir: exit 4" "$HVCLOCK" log --no-ntp -o "$L" --textfile "$T/nodir"
contains "$T/.out" "cannot use textfile directory '$T/nodir': No such file or directory" "says so"
[ "$(grep -vc '^#' "$L")" = $((n + 1)) ] && pass "the record was written anyway" || fail "records $(grep -vc '^#' "$L")"
finish
