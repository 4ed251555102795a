#!/bin/bash
# t_query_cli.sh - `hvclock query` command line: usage errors exit 2 and
# name the bad word; --help; no network needed.
. "$(dirname "$0")/lib.sh"

# bad DESCRIPTION REGEX ARGS...: exit 2 and REGEX on stderr.
bad() {
	local d=$1 re=$2; shift 2
	expect_rc 2 "$d: exit 2" "$HVCLOCK" query "$@"
	contains "$T/.out" "$re" "$d: names it"
}

expect_rc 0 "--help" "$HVCLOCK" query --help
contains "$T/.out" "^Usage: hvclock query \[-s SERVER\]" "help text"
contains "$T/.out" "every 2 s" "help documents polite polling"
expect_rc 0 "help query" "$HVCLOCK" help query
contains "$T/.out" "^Usage: hvclock query" "help query text"
"$HVCLOCK" help >"$T/help.out"
contains "$T/help.out" "^  query +one-shot SNTP" "listed in the overview"

# No -s: the servers of the configured time daemon. A sysroot whose
# chrony.conf names a loopback chronyd keeps this test on loopback.
addr=$(loopback_addr); port=$(free_port)
start_chronyd q "$addr" "$port"
mkdir -p "$T/root/etc" "$T/root/proc"
printf 'server %s port %s iburst\nmakestep 1 3\n' "$addr" "$port" >"$T/root/etc/chrony.conf"
expect_rc 0 "no -s: the daemon's configured server" "$HVCLOCK" --sysroot "$T/root" query -n 1
contains "$T/.out" "^$addr:$port " "no -s: queried $addr:$port from chrony.conf"
bad "empty server" "bad server '': empty" -s ""
bad "space in host" "bad server 'a b': unexpected character ' '" -s "a b"
bad "port 0" "bad server 'h:0': port '0' out of range 1-65535" -s h:0
bad "port too big" "bad server 'h:70000': port '70000' out of range" -s h:70000
bad "port not numeric" "bad server 'h:ntpx': bad port 'ntpx'" -s h:ntpx
bad "missing port" "bad server 'h:': missing port" -s h:
bad "missing ]" "bad server '\[::1:123': missing '\]'" -s "[::1:123"
bad "junk after ]" "bad server '\[::1\]x': expected ':PORT'" -s "[::1]x"
bad "not v6 in brackets" "bad server '\[host\]:1': 'host' is not an IPv6 address" -s "[host]:1"
bad "second server bad" "bad server 'x y'" -s 127.0.0.1 -s "x y"
bad "too many servers" "too many servers \(at most 16\): 's17'" \
	$(for i in $(seq 17); do echo "-s s$i"; done)

bad "-n 0" "option '-n': number '0' out of range \(1 to 8\)" -s h -n 0
bad "-n 9" "option '-n': number '9' out of range \(1 to 8\)" -s h -n 9
bad "-n -1" "option '-n': number '-1' out of range" -s h -n -1
bad "-n abc" "option '-n': invalid number 'abc'" -s h -n abc
bad "-n empty" "option '-n': empty number" -s h -n ""
bad "-n huge" "option '-n': number '99999999999999999999' out of range" -s h -n 99999999999999999999
bad "-n 1.5" "option '-n': invalid number '1.5'" -s h -n 1.5
bad "--count=x" "option '-n': invalid number 'x'" -s h --count=x
bad "-t 0" "option '-t': duration '0' out of range" -s h -t 0
bad "-t -1s" "option '-t': invalid duration '-1s': must not be signed" -s h -t -1s
bad "-t 5x" "option '-t': invalid duration '5x': unknown unit 'x'" -s h -t 5x
bad "-t 61s" "option '-t': duration '61s' out of range" -s h -t 61s
bad "-t empty" "option '-t': empty duration" -s h -t ""
bad "-t nan" "option '-t': invalid duration 'nan'" -s h -t nan
bad "-t missing value" "option '-t' needs a value" -s h -t
bad "-s missing value" "option '-s' needs a value" -s
bad "unknown option" "unknown option '--bogus'" -s h --bogus
bad "unknown short option" "unknown option '-x'" -s h -x
bad "operand" "unexpected argument 'extra'" -s h extra
finish
