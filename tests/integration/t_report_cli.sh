# t_report_cli.sh - hvclock report on the shipped sample log (a simulated
# Hyper-V guest: 5% fast, ntpd -x stepping it back 600 s, a clocksource
# switch, a gap, a reboot with a forward step) and on generated logs: text,
# JSON, the window, damaged lines, pictures (PNG, SVG), exit codes.
. "$(dirname "$0")/lib.sh"

S=$TOP/data/sample/hyperv-guest.log
GEN=$BUILD/tools/genlog

expect_rc 0 "report on the sample log" "$HVCLOCK" report "$S"
cp "$T/.out" "$T/text"
contains "$T/text" '^Host: +mail01$' "host"
contains "$T/text" '^Period: +2026-03-02 00:01:02 to 2026-03-03 23:59:59 UTC' "period"
contains "$T/text" 'backward steps: +5, largest -617\.7 s' "5 backward steps, the largest"
contains "$T/text" 'forward steps: +1, largest \+2\.28' "the forward step at boot"
contains "$T/text" 'reboots: +1$' "one reboot"
contains "$T/text" 'clocksource changes: 1$' "one clocksource change"
contains "$T/text" 'gaps in logging: +1, 9[0-9] min' "the 90-minute gap"
contains "$T/text" 'clocksource +tsc -> acpi_pm' "the clocksource change named"
contains "$T/text" 'worst drift: +\+499[0-9][0-9] ppm \(\+1[78][0-9]\.[0-9] s per hour' "worst drift about 50000 ppm (3 min/h)"
contains "$T/text" 'raw clocksource: +\+50500 ppm' "the raw clocksource's drift"

expect_rc 0 "--json" "$HVCLOCK" report --json "$S"
python3 - "$T/.out" <<'EOP' && pass "JSON: segments, events and summary as simulated" || fail "JSON: $(head -c 800 "$T/.out")"
import json, sys
d = json.load(open(sys.argv[1]))
s = d["summary"]
assert d["host"] == "mail01" and d["damaged_lines"] == 0
assert s["backward_steps"] == 5 and s["forward_steps"] == 1 and s["reboots"] == 1
assert abs(s["worst_drift_ppm"] - 49975) < 5, s["worst_drift_ppm"]
assert abs(s["largest_backward_step_s"] + 617.7) < 0.2
kinds = [e["type"] for e in d["events"]]
assert kinds.count("step") == 6 and kinds.count("reboot") == 1 and kinds.count("gap") == 1 and kinds.count("clocksource") == 1, kinds
segs = d["segments"]
assert [g["starts_at"] for g in segs][:2] == ["start", "step"]
assert abs(segs[0]["drift"]["drift_ppm"] - 49975) < 5
assert abs(segs[0]["drift_raw"]["drift_ppm"] - 50500) < 5
assert abs(segs[0]["realtime_vs_raw_ppm"] + 500) < 1
last = segs[-1]
assert last["starts_at"] == "step" and abs(last["drift_raw"]["drift_ppm"] - 12) < 0.5
reb = [e for e in d["events"] if e["type"] == "reboot"][0]
assert 300 < reb["without_records_s"] < 500, reb
EOP

# The verdict, as diagnose would judge it (rules.h).
contains "$T/text" '^Verdict:  WARNING' "verdict WARNING"
contains "$T/text" 'judged on the log alone' "a log from another host is judged on the log alone"
contains "$T/text" '\[steps-observed\]' "the backward steps are a finding"
python3 - "$T/.out" <<'EOP' && pass "JSON verdict with rule ids" || fail "verdict: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verdict"])' "$T/.out")"
import json, sys
v = json.load(open(sys.argv[1]))["verdict"]
assert v["worst"] == "WARNING" and "steps-observed" in v["rule_ids"], v
EOP
# A log of this very machine: its environment is probed for the verdict.
"$HVCLOCK" log --no-ntp -o "$T/here.log" && "$HVCLOCK" log --no-ntp -o "$T/here.log"
expect_rc 0 "report on this machine's log" "$HVCLOCK" report "$T/here.log"
contains "$T/.out" '^Verdict:  ' "a verdict"
if grep -q 'judged on the log alone' "$T/.out"; then fail "this machine's log judged without its environment"; else pass "this machine's environment probed"; fi

# The window.
expect_rc 0 "--since/--until" "$HVCLOCK" report --json --since "2026-03-03 03:00" --until 2026-03-03T12:00:00Z "$S"
python3 - "$T/.out" <<'EOP' && pass "window: only records in it, no steps" || fail "window: $(head -c 400 "$T/.out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["first"] >= "2026-03-03T03:00:00Z" and d["last"] <= "2026-03-03T12:00:00Z", (d["first"], d["last"])
assert 530 < d["records"] < 545, d["records"]
assert d["summary"]["backward_steps"] == 0 and len(d["segments"]) == 1
EOP
expect_rc 0 "--since @unix" "$HVCLOCK" report --since @1772496000 "$S"
contains "$T/.out" 'Period: +2026-03-03 00:0' "@UNIX_SECONDS"
expect_rc 1 "a window with no records" "$HVCLOCK" report --since 2030-01-01 "$S"
contains "$T/.out" "no records in '$S' in that period" "says so"
expect_rc 2 "bad --since" "$HVCLOCK" report --since yesterday "$S"
contains "$T/.out" "bad time 'yesterday'" "the bad time is named"
expect_rc 2 "--until before --since" "$HVCLOCK" report --since 2026-03-03 --until 2026-03-02 "$S"

# Standard input, the default path under --sysroot, missing files.
expect_rc 0 "standard input" sh -c "\"$HVCLOCK\" report - < \"$S\""
contains "$T/.out" '\(standard input\)' "named as standard input"
mkdir -p "$T/root/var/log/hvclock" && cp "$S" "$T/root/var/log/hvclock/samples.log"
expect_rc 0 "default log under --sysroot" "$HVCLOCK" --sysroot "$T/root" report
contains "$T/.out" 'Log: +/var/log/hvclock/samples.log' "default path"
expect_rc 1 "missing log" "$HVCLOCK" report "$T/none.log"
contains "$T/.out" "cannot open '$T/none.log': No such file or directory" "missing log named"
: >"$T/empty.log"
expect_rc 1 "empty log" "$HVCLOCK" report "$T/empty.log"

# Damaged lines: skipped with the line number, the rest used.
D=$T/damaged.log
head -n 100 "$S" >"$D"
printf 'garbage line\n' >>"$D"
sed -n 101,200p "$S" >>"$D"
printf '#hvclock-log/9 future columns\n2026-03-02T02:00:00Z something\n#hvclock-log/1 back\n' >>"$D"
sed -n 201,300p "$S" >>"$D"
sed -n 301p "$S" | head -c 50 >>"$D"
expect_rc 0 "damaged log" "$HVCLOCK" report "$D"
contains "$T/.out" "warning: $D: line 101: expected 19 fields, found 2" "garbage named with its line"
contains "$T/.out" "line 203: format version 9 is newer than this hvclock reads" "future version named"
contains "$T/.out" "line 305: torn record" "torn last line named"
contains "$T/.out" 'Records:  299 .*3 damaged lines skipped' "the other 299 records used"

# Pictures.
expect_rc 0 "--plot PNG" "$HVCLOCK" report "$S" --plot "$T/r.png"
file "$T/r.png" | grep -q 'PNG image data, 1200 x 600, 8-bit/color RGB' && pass "a 1200x600 PNG" || fail "$(file "$T/r.png")"
contains "$T/.out" "Picture:  $T/r.png" "the picture is named"
pngtopnm "$T/r.png" >"$T/r.ppm" 2>"$T/png.err" && pass "PNG decodes (CRCs, zlib)" || fail "$(cat "$T/png.err")"
# Colours that must be there: the trace, a backward-step red, the fit band.
python3 - "$T/r.ppm" <<'EOP' && pass "trace, backward steps and fit band drawn" || fail "colours missing"
import sys
d = open(sys.argv[1], 'rb').read()
parts = d.split(b'\n', 3)
w, h = map(int, parts[1].split())
px = parts[3]
cols = set(px[i:i+3] for i in range(0, len(px), 3))
def near(c, t, tol=12): return all(abs(a - b) <= tol for a, b in zip(c, t))
need = {"trace": (0x1f, 0x6f, 0xb4), "red": (0xd6, 0x27, 0x28), "band": (0xff, 0xc6, 0x80)}
for name, t in need.items():
    assert any(near(c, t) for c in cols), name
EOP
expect_rc 0 "--plot SVG" "$HVCLOCK" report "$S" --plot "$T/r.svg" --plot-size 1000x500
python3 - "$T/r.svg" <<'EOP' && pass "SVG parses, 10in x 5in, has the title" || fail "SVG: $(head -c 300 "$T/r.svg")"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.get("width") == "10in" and root.get("height") == "5in", root.attrib
texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
assert any(t and "mail01: clock offset against NTP" in t for t in texts), texts[:5]
assert any(t and "-617.7 s" in t for t in texts)
EOP
expect_rc 2 "--plot with another extension" "$HVCLOCK" report "$S" --plot "$T/r.jpg"
contains "$T/.out" "name it .png or .svg" "says which"
expect_rc 1 "--plot into a missing directory" "$HVCLOCK" report "$S" --plot "$T/no/dir/r.png"
expect_rc 2 "bad --plot-size" "$HVCLOCK" report "$S" --plot "$T/r.png" --plot-size 10x10
# libplot is loaded only to draw: without it the picture fails, named.
rm -f "$T/r.png"
expect_rc 1 "--plot without libplot" env SHIM_NOLIB=libplot LD_PRELOAD="$(preload "$BUILD/tools/shim_nolib.so")" \
	"$HVCLOCK" report "$S" --plot "$T/r.png"
contains "$T/.out" "cannot load libplot\.so\.2 \(GNU plotutils\): .*refused by shim_nolib" "without libplot: says which library"
[ ! -e "$T/r.png" ] && pass "without libplot: no picture left behind" || fail "without libplot: a picture was written"
expect_rc 0 "report (text) without libplot" env SHIM_NOLIB=libplot LD_PRELOAD="$(preload "$BUILD/tools/shim_nolib.so")" \
	"$HVCLOCK" report "$S"

# A generated sawtooth (ntpd 4.2.6 stepping every 15 min) and its picture.
"$GEN" --profile sawtooth --hours 6 >"$T/saw.log"
expect_rc 0 "sawtooth report" "$HVCLOCK" report --json "$T/saw.log" --plot "$T/saw.png"
python3 - "$T/.out" <<'EOP' && pass "sawtooth: a backward step every ~15 min, 5% drift per segment" || fail "$(head -c 500 "$T/.out")"
import json, sys
d = json.load(open(sys.argv[1]))
s = d["summary"]
assert 20 <= s["backward_steps"] <= 26, s["backward_steps"]
fits = [g["drift"]["drift_ppm"] for g in d["segments"] if g["drift"]]
assert len(fits) >= 20 and all(abs(f - 49975) < 50 for f in fits), fits[:5]
EOP
finish
