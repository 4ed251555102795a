#!/bin/bash
# b_query.sh - one-shot query: hvclock against its peers, side by side,
# against the same loopback chronyd servers in one run.
#
# Peers: chronyd -Q (the precision reference, ~4 s), rdate -n -p -v (a
# small C client), Debian's sntp and ntpdate -q (ntpsec's Python ntpdig,
# port 123 only, so they get their own chronyd on a 127.x address at port
# 123), and bareq (the bare minimal C query, the 1x baseline).
#
# Measured: whole-process wall and CPU time and peak RSS for one query
# (tests/tools/rusage: fork/exec/wait4), offset spread (std dev) over
# RUNS runs, and the error against an injected offset (a chronyd whose
# clock libfaketime puts +0.25 s ahead).
#
# Targets (issue 3): spread no worse than chronyd -Q's; error < 10 us; one
# query's whole process within 1.5x of bareq and under 2 MiB RSS.
#
# RUNS (default 100) and CHRONYQ_RUNS (default 15; ~4 s each) size it.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$HERE/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
HVCLOCK=${HVCLOCK:-$TOP/hvclock}
. "$TOP/tests/integration/lib.sh"
RUNS=${RUNS:-100}
CQ_RUNS=${CHRONYQ_RUNS:-15}
RUSAGE=$BUILD/tools/rusage
BAREQ=$BUILD/tools/bareq
for x in "$RUSAGE" "$BAREQ" "$HVCLOCK"; do
	[ -x "$x" ] || { echo "b_query: missing $x (make all build/tools/rusage build/tools/bareq)"; exit 1; }
done
for c in chronyd rdate sntp ntpdate; do
	command -v $c >/dev/null || { echo "b_query: missing $c (make deps-bench)"; exit 1; }
done

# Servers: real clock at a high port and at port 123; +0.25 s likewise.
A=$(loopback_addr); P=$(free_port)
start_chronyd real "$A" "$P" || exit 1
A123=$(loopback_addr)
while [ "$A123" = "$A" ]; do A123=$(loopback_addr); done
start_chronyd real123 "$A123" 123 || exit 1
F=$(loopback_addr); FP=$(free_port)
start_chronyd fake "$F" "$FP" "+0.25" || exit 1
F123=$(loopback_addr)
while [ "$F123" = "$F" ] || [ "$F123" = "$A123" ]; do F123=$(loopback_addr); done
start_chronyd fake123 "$F123" 123 "+0.25" || exit 1

# Each tool: NAME | command for ADDR PORT (placeholders @A @P) | offset parser.
# Offsets in seconds, server - local (rdate's "adjust local clock by X" and
# chronyd's "System clock wrong by X" use the same sign).
tools=(hvclock-n1 hvclock-n4 bareq rdate sntp ntpdate-q chronyd-Q)
cmd_of() {
	case $1 in
	hvclock-n1) echo "$HVCLOCK query -s @A:@P -n 1" ;;
	hvclock-n4) echo "$HVCLOCK query -s @A:@P" ;;
	bareq) echo "$BAREQ @A @P" ;;
	rdate) echo "rdate -n -p -v -o @P @A" ;;
	sntp) echo "sntp @A" ;;
	ntpdate-q) echo "ntpdate -q @A" ;;
	chronyd-Q) echo "chronyd -Q -t 10 server_@A_port_@P_iburst" ;;
	esac
}
port123() { case $1 in sntp|ntpdate-q) return 0 ;; *) return 1 ;; esac; }
# run_one TOOL ADDR PORT: prints the offset or nothing.
run_one() {
	local t=$1 a=$2 p=$3 c
	c=$(cmd_of "$t"); c=${c//@A/$a}; c=${c//@P/$p}
	case $t in
	hvclock-*) $c 2>/dev/null | awk 'NR == 2 { print $5 }' ;;
	bareq) $c 2>/dev/null ;;
	rdate) $c 2>&1 | sed -n 's/.*adjust local clock by \([-+0-9.e]*\) seconds.*/\1/p' ;;
	sntp|ntpdate-q) $c 2>/dev/null | awk '{ print $4 }' | head -n1 ;;
	chronyd-Q) chronyd -Q -t 10 "server $a port $p iburst" 2>&1 |
		sed -n 's/.*System clock wrong by \([-+0-9.e]*\) seconds.*/\1/p' ;;
	esac
}
# stats FILE: "n mean sd" of the numbers in FILE.
stats() {
	awk '{ x[NR] = $1; s += $1 } END {
		if (NR == 0) { print 0, "nan", "nan"; exit }
		m = s / NR; for (i = 1; i <= NR; i++) v += (x[i] - m) ^ 2
		printf "%d %.9f %.9f\n", NR, m, (NR > 1 ? sqrt(v / (NR - 1)) : 0) }' "$1"
}

# The machine's load drifts (other jobs share it), so the tools take turns:
# ROUNDS rounds, each giving every tool a slice of its runs, rather than
# one tool's runs in a block.
ROUNDS=10
nruns() { case $1 in chronyd-Q) echo "$CQ_RUNS" ;; ntpdate-q) echo $(( RUNS / 2 )) ;; *) echo "$RUNS" ;; esac; }
addr_of() { if port123 "$1"; then echo "$A123 123"; else echo "$A $P"; fi; }
faddr_of() { if port123 "$1"; then echo "$F123 123"; else echo "$F $FP"; fi; }
for t in "${tools[@]}"; do : >"$T/cost.$t"; : >"$T/off.$t"; : >"$T/err.$t"; done
echo "  cost: $ROUNDS interleaved rounds..." >&2
for r in $(seq $ROUNDS); do
	for t in "${tools[@]}"; do
		read -r a p < <(addr_of "$t")
		if [ "$t" = chronyd-Q ]; then
			[ "$r" -le 3 ] || continue
			"$RUSAGE" -n 1 -- chronyd -Q -t 10 "server $a port $p iburst" >>"$T/cost.$t"
			continue
		fi
		k=$(( $(nruns "$t") / ROUNDS )); [ "$k" -ge 1 ] || k=1
		c=$(cmd_of "$t"); c=${c//@A/$a}; c=${c//@P/$p}
		# shellcheck disable=SC2086
		"$RUSAGE" -n "$k" -- $c >>"$T/cost.$t"
	done
done
echo "  offsets: $RUNS interleaved runs against the real clock, 30 against +0.25 s..." >&2
for i in $(seq "$RUNS"); do
	for t in "${tools[@]}"; do
		[ "$i" -le "$(nruns "$t")" ] || continue
		read -r a p < <(addr_of "$t")
		run_one "$t" "$a" "$p" >>"$T/off.$t"
		if [ "$i" -le 30 ]; then
			read -r a p < <(faddr_of "$t")
			run_one "$t" "$a" "$p" >>"$T/err.$t"
		fi
	done
done
# cost_of FILE: "fail= wall_median_ms= cpu_mean_ms= maxrss_kib=" over the rounds
# (median of the rounds' medians, mean of their means, max of their maxima).
cost_of() {
	awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		w[NR] = v["wall_median_ms"]; c += v["cpu_mean_ms"]; f += v["fail"]; r += v["runs"]
		if (v["maxrss_kib"] > m) m = v["maxrss_kib"] }
	END { n = asort_(w, NR); printf "runs=%d fail=%d wall_median_ms=%.3f cpu_mean_ms=%.3f maxrss_kib=%d\n",
		r, f, med, c / NR, m }
	function asort_(a, n,   i, j, t) {
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		med = (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2; return n }' "$1"
}
R=$T/results; : >"$R"
for t in "${tools[@]}"; do
	read -r sn smean ssd < <(stats "$T/off.$t")
	read -r en emean esd < <(stats "$T/err.$t")
	echo "$t $(cost_of "$T/cost.$t") spread_n=$sn spread_mean=$smean spread_sd=$ssd err_n=$en err_mean=$emean" >>"$R"
done

kv() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1"; }
base=$(grep '^bareq ' "$R")
bw=$(kv "$base" wall_median_ms); bc=$(kv "$base" cpu_mean_ms)
cq=$(grep '^chronyd-Q ' "$R"); cqsd=$(kv "$cq" spread_sd)
# bias: mean offset against the real-clock server (true offset 0, kernel
# timestamps on the server); error: mean offset against the +0.25 s server
# minus 0.25 (that server runs under libfaketime without kernel timestamps,
# so its own receive-time latency adds to every tool's error).
printf "\n%-11s %9s %7s %8s %7s %8s %11s %11s %9s %11s %s\n" tool "wall/ms" "x bare" "cpu/ms" "x bare" "RSS/KiB" "spread/us" "x chronyQ" "bias/us" "error/us" "runs"
while read -r line; do
	t=${line%% *}
	w=$(kv "$line" wall_median_ms); c=$(kv "$line" cpu_mean_ms); rss=$(kv "$line" maxrss_kib)
	sd=$(kv "$line" spread_sd); em=$(kv "$line" err_mean); sm=$(kv "$line" spread_mean); n=$(kv "$line" spread_n); f=$(kv "$line" fail)
	awk -v t="$t" -v w="$w" -v bw="$bw" -v c="$c" -v bc="$bc" -v rss="$rss" -v sd="$sd" \
	    -v cq="$cqsd" -v em="$em" -v sm="$sm" -v n="$n" -v f="$f" 'BEGIN {
		printf "%-11s %9.2f %7.2f %8.2f %7.2f %8d %11.3f %11.2f %9.2f %11.2f %d%s\n",
		t, w, w / bw, c, (bc > 0 ? c / bc : 0), rss, sd * 1e6, (cq > 0 ? sd / cq : 0),
		sm * 1e6, (em - 0.25) * 1e6, n, (f > 0 ? " (" f " failed)" : "") }'
done <"$R"

# Targets, judged on the default burst (what `hvclock query` does).
h=$(grep '^hvclock-n4 ' "$R"); h1=$(grep '^hvclock-n1 ' "$R")
echo
awk -v sd="$(kv "$h" spread_sd)" -v cq="$cqsd" -v em="$(kv "$h" err_mean)" \
    -v w1="$(kv "$h1" wall_median_ms)" -v w4="$(kv "$h" wall_median_ms)" -v bw="$bw" \
    -v r1="$(kv "$h1" maxrss_kib)" -v r4="$(kv "$h" maxrss_kib)" 'BEGIN {
	e = em - 0.25; if (e < 0) e = -e
	printf "target spread <= chronyd -Q (%.3f us): hvclock %.3f us  %s\n", cq * 1e6, sd * 1e6, (sd <= cq ? "MET" : "MISSED")
	printf "target error < 10 us: hvclock %.2f us  %s\n", e * 1e6, (e < 10e-6 ? "MET" : "MISSED")
	printf "target wall <= 1.5x bareq (%.2f ms): -n 1 %.2fx %s, burst of 4 %.2fx %s\n", bw,
		w1 / bw, (w1 <= 1.5 * bw ? "MET" : "MISSED"), w4 / bw, (w4 <= 1.5 * bw ? "MET" : "MISSED")
	printf "target RSS < 2 MiB: -n 1 %d KiB %s, burst %d KiB %s\n", r1, (r1 < 2048 ? "MET" : "MISSED"), r4, (r4 < 2048 ? "MET" : "MISSED")
}'
echo "hvclock shared libraries: $(ldd "$HVCLOCK" | awk '{ print $1 }' | tr '\n' ' ')"
echo "start-up alone (hvclock --version): $("$RUSAGE" -n "$RUNS" -- "$HVCLOCK" --version)"
