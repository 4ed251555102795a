# t_prom_rules.sh - the Prometheus alerting rules shipped in data/: promtool
# checks them, and promtool's rule unit tests show each alert firing on a
# bad guest's series (and not on a good one's), annotations included.
. "$(dirname "$0")/lib.sh"

command -v promtool >/dev/null || { fail "promtool not installed"; finish; }
R=$TOP/data/prometheus/hvclock-alerts.yml
expect_rc 0 "promtool check rules" promtool check rules "$R"
contains "$T/.out" 'SUCCESS: 7 rules found' "seven rules"
# Every metric the rules use is one hvclock log writes.
for m in $(grep -o 'hvclock_[a-z_]*' "$R" | sort -u); do
	grep -q "\"$m\"" "$TOP/src/cmd_log.c" && pass "$m is written by hvclock log" || fail "$m is not written by hvclock log"
done
cp "$TOP/tests/fixtures/prom/hvclock-alerts.test.yml" "$T/"
mkdir -p "$T/data/prometheus" && cp "$R" "$T/data/prometheus/"
sed -i 's|\.\./\.\./\.\./data/|data/|' "$T/hvclock-alerts.test.yml"
expect_rc 0 "promtool test rules" sh -c "cd '$T' && promtool test rules hvclock-alerts.test.yml"
contains "$T/.out" 'SUCCESS' "every alert fires as expected"
# The tests can fail: a rule with the wrong threshold is caught.
sed -i 's/abs(hvclock_offset_seconds) > 0.5/abs(hvclock_offset_seconds) > 50/' "$T/data/prometheus/hvclock-alerts.yml"
expect_rc 1 "a broken rule fails the tests" sh -c "cd '$T' && promtool test rules hvclock-alerts.test.yml"
contains "$T/.out" 'HvclockClockOffsetHigh' "the broken alert is named"
finish
