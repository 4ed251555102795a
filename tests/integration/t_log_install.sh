# t_log_install.sh - `make install-log-data` (part of `make install`) into
# a staging root: every file where it belongs with mode 644, @BINDIR@
# replaced, the cron line well formed, the units valid for systemd, the
# rules valid for promtool; `make uninstall-log-data` removes them all.
. "$(dirname "$0")/lib.sh"

R=$T/root
expect_rc 0 "make install-log-data" make -s -C "$TOP" install-log-data DESTDIR="$R" PREFIX=/usr
for f in etc/cron.d/hvclock etc/logrotate.d/hvclock lib/systemd/system/hvclock-log.service \
	 lib/systemd/system/hvclock-log.timer lib/systemd/system/hvclock-watch.service \
	 usr/share/hvclock/prometheus/hvclock-alerts.yml usr/share/hvclock/sample/hyperv-guest.log; do
	[ -f "$R/$f" ] && [ "$(stat -c %a "$R/$f")" = 644 ] && pass "/$f (644)" || fail "/$f missing or wrong mode"
done
if grep -rq '@BINDIR@' "$R"; then fail "@BINDIR@ left: $(grep -rl '@BINDIR@' "$R")"; else pass "@BINDIR@ replaced"; fi
grep -v '^#' "$R/etc/cron.d/hvclock" | grep -v '^[A-Z]*=' | grep -v '^$' >"$T/cron"
[ "$(wc -l <"$T/cron")" = 1 ] && pass "one cron line" || fail "cron lines: $(cat "$T/cron")"
awk '{ exit !($1 == "*" && $2 == "*" && $3 == "*" && $4 == "*" && $5 == "*" && $6 == "root" && $7 == "/usr/bin/hvclock" && $8 == "log") }' "$T/cron" &&
	pass "cron: every minute, as root, /usr/bin/hvclock log" || fail "cron: $(cat "$T/cron")"
grep -q '^ExecStart=/usr/bin/hvclock log$' "$R/lib/systemd/system/hvclock-log.service" && pass "log service runs /usr/bin/hvclock log" || fail "ExecStart"
grep -q '^ExecStart=/usr/bin/hvclock watch --syslog$' "$R/lib/systemd/system/hvclock-watch.service" && pass "watch service" || fail "watch ExecStart"
grep -q '^OnCalendar=minutely$' "$R/lib/systemd/system/hvclock-log.timer" && pass "timer every minute" || fail "timer"
if command -v systemd-analyze >/dev/null; then
	# verify wants the binary the units name: point them at this build.
	mkdir -p "$T/units"
	for u in hvclock-log.service hvclock-log.timer hvclock-watch.service; do
		sed "s|/usr/bin/hvclock|$HVCLOCK|" "$R/lib/systemd/system/$u" >"$T/units/$u"
	done
	expect_rc 0 "systemd-analyze verify accepts the units" systemd-analyze verify --man=no "$T/units/"*.service "$T/units/"*.timer
else
	fail "systemd-analyze not installed"
fi
expect_rc 0 "installed rules pass promtool" promtool check rules "$R/usr/share/hvclock/prometheus/hvclock-alerts.yml"
cmp -s "$R/usr/share/hvclock/sample/hyperv-guest.log" "$TOP/data/sample/hyperv-guest.log" && pass "sample log installed as is" || fail "sample log differs"
# The logrotate stanza names the default log and never copytruncate.
grep -q '^/var/log/hvclock/samples.log {' "$R/etc/logrotate.d/hvclock" && pass "logrotate: the default log" || fail "logrotate path"
if grep -q '^[[:space:]]*copytruncate' "$R/etc/logrotate.d/hvclock"; then fail "copytruncate would lose records"; else pass "logrotate: create, not copytruncate"; fi
expect_rc 0 "make uninstall-log-data" make -s -C "$TOP" uninstall-log-data DESTDIR="$R" PREFIX=/usr
n=$(find "$R" -type f | wc -l)
[ "$n" = 0 ] && pass "everything removed" || fail "left: $(find "$R" -type f)"
finish
