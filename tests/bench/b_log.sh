#!/bin/bash
# b_log.sh - one `hvclock log` run, process start to exit, side by side in
# one run with the bare C SNTP query (tests/tools/bareq.c, the 1x
# baseline) against the same loopback chronyd, and with what a cron line
# would otherwise run: rdate (C) and Debian's sntp (Python) appending
# their answer to a file.
#
# Targets (issue 5): one run within 1.5x of the bare query, and under
# 2 MiB peak RSS. Measured with tests/tools/rusage (fork/exec/wait4):
# wall and CPU of the whole process, peak RSS; ROUNDS interleaved rounds
# of RUNS runs each (this machine is shared: its load drifts), medians.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$HERE/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
HVCLOCK=${HVCLOCK:-$TOP/hvclock}
. "$TOP/tests/integration/lib.sh"
ROUNDS=${ROUNDS:-10}
RUNS=${RUNS:-20}
RUSAGE=$BUILD/tools/rusage
BAREQ=$BUILD/tools/bareq
for x in "$RUSAGE" "$BAREQ" "$HVCLOCK"; do
	[ -x "$x" ] || { echo "b_log: missing $x (make all build/tools/rusage build/tools/bareq)"; exit 1; }
done
for c in chronyd rdate sntp; do
	command -v $c >/dev/null || { echo "b_log: missing $c (make deps-bench)"; exit 1; }
done
A=$(loopback_addr); P=$(free_port)
start_chronyd srv "$A" "$P" || exit 1
# sntp (ntpsec's ntpdig) only talks to port 123.
A123=$(loopback_addr)
while [ "$A123" = "$A" ]; do A123=$(loopback_addr); done
start_chronyd srv123 "$A123" 123 || exit 1
mkdir -p "$T/tf"

names=("bareq (1 query)" "hvclock log -n 1" "hvclock log (burst 3)" "hvclock log --no-ntp"
       "hvclock log --textfile" "rdate -p >> file" "sntp >> file")
cmds=("$BAREQ $A $P"
      "$HVCLOCK log -s $A:$P -n 1 -o $T/a.log"
      "$HVCLOCK log -s $A:$P -o $T/b.log"
      "$HVCLOCK log --no-ntp -o $T/c.log"
      "$HVCLOCK log -s $A:$P -o $T/d.log --textfile $T/tf"
      "sh -c 'rdate -n -p -o $P $A >>$T/rdate.log'"
      "sh -c 'sntp $A123 >>$T/sntp.log'")
for r in $(seq "$ROUNDS"); do
	for i in "${!cmds[@]}"; do
		n=$RUNS
		[ $i = 6 ] && n=$(( (RUNS + 9) / 10 ))    # sntp: ~50 ms each
		eval "set -- ${cmds[$i]}"
		"$RUSAGE" -n "$n" -- "$@" >>"$T/r$i"
	done
done
med() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
field() { grep -o "$1=[0-9.]*" "$2" | cut -d= -f2 | med; }
maxf() { grep -o "$1=[0-9.]*" "$2" | cut -d= -f2 | sort -n | tail -n1; }
echo "$ROUNDS interleaved rounds of $RUNS runs (sntp: fewer); medians of the round medians"
printf '%-24s %9s %7s %9s %7s %9s %6s\n' "command" "wall/ms" "x bare" "cpu/ms" "x bare" "RSS/KiB" "fails"
bw=$(field wall_median_ms "$T/r0"); bc=$(field cpu_median_ms "$T/r0")
for i in "${!cmds[@]}"; do
	w=$(field wall_median_ms "$T/r$i"); c=$(field cpu_median_ms "$T/r$i"); m=$(maxf maxrss_kib "$T/r$i")
	f=$(grep -o 'fail=[0-9]*' "$T/r$i" | cut -d= -f2 | awk '{ s += $1 } END { print s + 0 }')
	awk -v n="${names[$i]}" -v w="$w" -v c="$c" -v bw="$bw" -v bc="$bc" -v m="$m" -v f="$f" \
		'BEGIN { printf "%-24s %9.2f %7.2f %9.2f %7.2f %9d %6d\n", n, w, w / bw, c, c / bc, m, f }'
	eval "w$i=$w; m$i=$m"
done
echo
for i in 1 2; do
	awk -v n="${names[$i]}" -v w="$(eval echo \$w$i)" -v b="$bw" -v m="$(eval echo \$m$i)" 'BEGIN {
		printf "target wall <= 1.5x bare, %s: %.2fx %s\n", n, w / b, w <= 1.5 * b ? "MET" : "MISSED"
		printf "target RSS < 2 MiB, %s: %d KiB %s\n", n, m, m < 2048 ? "MET" : "MISSED" }'
done
v=$("$HVCLOCK" --version >/dev/null; "$RUSAGE" -n 20 -- "$HVCLOCK" --version | grep -o 'maxrss_kib=[0-9]*' | cut -d= -f2)
echo "(for scale: hvclock --version alone peaks at $v KiB: libc and the binary's own pages; libcpuid and libplot are loaded only by the commands that use them)"
grep -vc '^#' "$T/b.log" | sed 's/^/records appended by the burst-3 runs: /'
