#!/bin/bash
# b_report.sh - hvclock report on a year of per-minute records (525,600
# lines, ~120 MB, from tests/tools/genlog --profile year), side by side in
# one run with gnuplot drawing the same PNG from the same file and with an
# awk one-liner doing the same least-squares drift over it.
#
# Target (issue 5): analysed and plotted in under 1 s and 64 MB RSS.
# Measured whole-process (tests/tools/rusage: fork/exec/wait4), interleaved
# rounds, medians; the file is read once first so every tool finds it in
# the page cache.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$HERE/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
HVCLOCK=${HVCLOCK:-$TOP/hvclock}
RUSAGE=$BUILD/tools/rusage
GEN=$BUILD/tools/genlog
ROUNDS=${ROUNDS:-5}
for x in "$RUSAGE" "$GEN" "$HVCLOCK"; do
	[ -x "$x" ] || { echo "b_report: missing $x (make all build/tools/rusage build/tools/genlog)"; exit 1; }
done
command -v gnuplot >/dev/null || { echo "b_report: gnuplot missing (make deps-bench)"; exit 1; }
T=$(mktemp -d /tmp/hvclock-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
export TZ=UTC LC_ALL=C

L=$T/year.log
"$GEN" --profile year >"$L" || exit 1
lines=$(wc -l <"$L")
size=$(du -m "$L" | cut -f1)
cat "$L" >/dev/null

# gnuplot: the same picture's substance (offset over time, 1200x600 PNG).
cat >"$T/plot.gp" <<EOG
set terminal pngcairo size 1200,600
set output '$T/gnuplot.png'
set datafile missing '-'
set xdata time
set timefmt '%s'
set format x '%b %d'
set ylabel 'offset, server - local [s]'
set title 'mail01: clock offset against NTP'
plot '$L' using 2:10 with lines title 'offset'
EOG
# awk: the drift (least squares of offset against time), as a script would.
cat >"$T/fit.awk" <<'EOA'
!/^#/ && $10 != "-" { x = $2 - 1772409600; y = $10; n++; sx += x; sy += y; sxx += x * x; sxy += x * y }
END { b = (n * sxy - sx * sy) / (n * sxx - sx * sx); printf "drift %.3f ppm over %d records\n", -b * 1e6, n }
EOA

names=("hvclock report" "hvclock report --plot PNG" "hvclock report --plot SVG" "hvclock report --json" "gnuplot PNG" "awk drift fit")
cmds=("$HVCLOCK report $L"
      "$HVCLOCK report $L --plot $T/hv.png"
      "$HVCLOCK report $L --plot $T/hv.svg"
      "$HVCLOCK report --json $L"
      "gnuplot $T/plot.gp"
      "awk -f $T/fit.awk $L")
for r in $(seq "$ROUNDS"); do
	for i in "${!cmds[@]}"; do
		# shellcheck disable=SC2086
		"$RUSAGE" -n 1 -- ${cmds[$i]} >>"$T/r$i"
	done
done
med() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
field() { grep -o "$1=[0-9.]*" "$2" | cut -d= -f2 | med; }
echo "input: $lines lines, $size MB (a year of per-minute records); $ROUNDS interleaved rounds, medians"
printf '%-28s %9s %9s %9s %10s\n' "command" "wall/ms" "cpu/ms" "x gnuplot" "RSS/MiB"
gw=$(field wall_mean_ms "$T/r4")
for i in "${!cmds[@]}"; do
	w=$(field wall_mean_ms "$T/r$i"); c=$(field cpu_mean_ms "$T/r$i"); m=$(field maxrss_kib "$T/r$i")
	fails=$(grep -o 'fail=[0-9]*' "$T/r$i" | cut -d= -f2 | awk '{ s += $1 } END { print s + 0 }')
	awk -v n="${names[$i]}" -v w="$w" -v c="$c" -v g="$gw" -v m="$m" -v f="$fails" \
		'BEGIN { printf "%-28s %9.1f %9.1f %9.2f %10.1f%s\n", n, w, c, w / g, m / 1024, f ? "  (FAILED " f ")" : "" }'
done
w=$(field wall_mean_ms "$T/r1"); m=$(field maxrss_kib "$T/r1")
awk -v w="$w" -v m="$m" 'BEGIN {
	printf "\ntarget analysed + plotted < 1 s: %.0f ms %s\n", w, w < 1000 ? "MET" : "MISSED"
	printf "target RSS < 64 MB: %.1f MiB %s\n", m / 1024, m < 65536 ? "MET" : "MISSED" }'
"$HVCLOCK" report "$L" | sed -n '/^Summary/,/^  gaps/p'
awk -f "$T/fit.awk" "$L" | sed 's/^/awk (one line over all segments): /'
