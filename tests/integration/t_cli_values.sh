#!/bin/bash
# t_cli_values.sh - every option with a value, given a missing, empty,
# negative, huge, non-numeric or badly-unitted value: the exit code
# (2 for usage errors; diagnose 3 = UNKNOWN, the monitoring-plugins
# convention) and a message that names the option or the bad word.
# Values that must be accepted (units, ranges' ends) are checked too:
# they are followed by a deliberate later usage error (a stray operand,
# or diagnose's --json with --quiet), so the run stops right after the
# options were parsed and nothing is measured or queried.
#
# Table: EXIT <tab> REGEX (on stderr+stdout) <tab> ARGS (shell words:
# '' is an empty value). Lines starting with # are comments.
. "$(dirname "$0")/lib.sh"

G=$FIXTURES/grub/corpus
LEGACY=$G/augeasproviders-grub-full.conf
[ -f "$LEGACY" ] || fail "fixture $LEGACY missing"
LONG=$(printf 'a%.0s' $(seq 300))
MANY=$(for i in $(seq 17); do printf -- '-s 127.0.0.1 '; done)
MANYD=$(for i in $(seq 9); do printf -- '-s 127.0.0.1 '; done)
S=$TOP/data/sample/hyperv-guest.log
[ -f "$S" ] || fail "sample log $S missing"
touch "$T/file"
mkdir "$T/dir"

n=0
while IFS=$'\t' read -r want re args; do
	case $want in ''|'#'*) continue ;; esac
	n=$((n + 1))
	eval "set -- $args"
	timeout 20 "$HVCLOCK" "$@" </dev/null >"$T/out" 2>&1; rc=$?
	if [ "$rc" = "$want" ] && grep -Eq -- "$re" "$T/out"; then
		pass "$args -> $rc"
	else
		fail "$args -> exit $rc (wanted $want), message /$re/"
		sed 's/^/       | /' "$T/out" | head -n 5
	fi
	# A usage error never reaches the measurement: no stack trace, no
	# sanitizer report, one line of message plus the hint at most.
	if [ "$want" != 0 ] && [ "$(wc -l <"$T/out")" -gt 3 ]; then
		fail "$args: more than a short message"
	fi
done <<EOF
# ---- global options (before the command)
2	option '--sysroot' needs a value	--sysroot
2	option '--sysroot' needs a directory, not ''	--sysroot '' env
2	option '--sysroot' needs a directory, not ''	--sysroot= env
2	cannot use sysroot '$T/none'	--sysroot $T/none env
2	'$T/file': Not a directory	--sysroot $T/file env
2	unknown option '--frob'	--frob env
# ---- options every command takes
2	option '--help' takes no value	env --help=1
2	option '--sysroot' needs a value	env --sysroot
2	option '--sysroot' needs a directory, not ''	env --sysroot ''
2	option '--sysroot' needs a directory, not ''	env --sysroot=
2	cannot use sysroot '$T/none': No such file	env --sysroot $T/none
2	'$T/file': Not a directory	query --sysroot $T/file -s 127.0.0.1
3	'$T/none'	diagnose --sysroot $T/none
2	'$T/none'	grub --sysroot $T/none --args x
# ---- env
2	option '--json' takes no value	env --json=yes
2	unknown option '-x'	env -x
2	unknown option '--jsonx'	env --jsonx
2	unexpected argument 'extra'	env extra
# ---- query -s/--server
2	option '-s' needs a value	query -s
2	option '--server' needs a value	query --server
2	bad server '': empty	query -s ''
2	bad server '': empty	query --server=
2	bad server 'host:': missing port	query -s host:
2	bad server 'host:0': port '0' out of range	query -s host:0
2	bad server 'host:-1'	query -s host:-1
2	bad server 'host:65536': port '65536' out of range	query -s host:65536
2	bad server 'host:99999999999999999999999'	query -s host:99999999999999999999999
2	bad server 'host:abc': bad port 'abc'	query -s host:abc
2	bad server 'host:12x'	query -s host:12x
2	bad server '\[::1': missing '\]'	query -s '[::1'
2	bad server '\[::1\]x': expected ':PORT'	query -s '[::1]x'
2	bad server '\[\]:123': empty host	query -s '[]:123'
2	bad server ':123': empty host	query -s :123
2	bad server 'a b': unexpected character	query -s 'a b'
2	bad server 'a{300}': host name too long	query -s $LONG
2	too many servers \(at most 16\)	query $MANY
# ---- query -n/--count
2	option '-n' needs a value	query -n
2	option '--count' needs a value	query --count
2	option '-n': empty number	query -n ''
2	option '-n': number '-1' out of range \(1 to 8\)	query -n -1
2	option '-n': number '0' out of range	query -n 0
2	option '-n': number '9' out of range	query -n 9
2	option '-n': number '99999999999999999999' out of range	query -n 99999999999999999999
2	option '-n': invalid number 'four'	query -n four
2	option '-n': invalid number '4x'	query -n 4x
2	option '-n': invalid number '4.0'	query -n 4.0
2	option '-n': invalid number '0x4'	query -n 0x4
2	option '-n': invalid number ' 4': blanks	query -n ' 4'
2	option '-n': invalid number '4 ': blanks	query -n '4 '
2	unexpected argument 'extra'	query -n 8 extra
2	unexpected argument 'extra'	query -n 1 extra
# ---- query -t/--timeout
2	option '-t' needs a value	query -t
2	option '--timeout' needs a value	query --timeout
2	option '-t': empty duration	query -t ''
2	option '-t': invalid duration '-1s': must not be signed	query -t -1s
2	option '-t': invalid duration '\+1s': must not be signed	query -t +1s
2	option '-t': duration '0' out of range \(0.001 s to 60 s\)	query -t 0
2	option '-t': duration '61s' out of range	query -t 61s
2	option '-t': duration '2m' out of range	query -t 2m
2	option '-t': duration '10us' out of range	query -t 10us
2	option '-t': invalid duration '1e999'	query -t 1e999
2	option '-t': invalid duration '1e-400'	query -t 1e-400
2	option '-t': invalid duration 'soon'	query -t soon
2	option '-t': invalid duration '5mn': unknown unit 'mn'	query -t 5mn
2	option '-t': invalid duration '100 ms': unknown unit ' ms'	query -t '100 ms'
2	option '-t': invalid duration '1S': unknown unit 'S'	query -t 1S
2	option '-t': invalid duration 'nan'	query -t nan
2	option '-t': invalid duration 'inf'	query -t inf
2	option '-t': invalid duration '0x10'	query -t 0x10
2	option '-t': invalid duration '1,5'	query -t 1,5
2	option '-t': invalid duration 's'	query -t s
2	unexpected argument 'extra'	query -t 100ms extra
2	unexpected argument 'extra'	query -t 1.5s extra
2	unexpected argument 'extra'	query -t 1m extra
2	unexpected argument 'extra'	query -t 1ms extra
2	unexpected argument 'extra'	query -t 2e1 extra
2	option '--json' takes no value	query --json=1
# ---- diagnose -s/--server (exit 3: UNKNOWN)
3	option '-s' needs a value	diagnose -s
3	bad server '': empty	diagnose -s ''
3	bad server 'host:0'	diagnose -s host:0
3	bad server 'host:x'	diagnose -s host:x
3	too many servers \(at most 8\)	diagnose $MANYD
3	--no-ntp and '-s 127.0.0.1' contradict	diagnose --no-ntp -s 127.0.0.1
# ---- diagnose -d/--duration
3	option '-d' needs a value	diagnose -d
3	option '--duration' needs a value	diagnose --duration
3	option '--duration': empty duration	diagnose -d ''
3	option '--duration': invalid duration '-5m': must not be signed	diagnose -d -5m
3	option '--duration': duration '0' out of range \(1 s to 604800 s\)	diagnose -d 0
3	option '--duration': duration '500ms' out of range	diagnose -d 500ms
3	option '--duration': duration '8d' out of range	diagnose -d 8d
3	option '--duration': duration '1e308' out of range	diagnose -d 1e308
3	option '--duration': invalid duration '1e999'	diagnose -d 1e999
3	option '--duration': invalid duration 'long'	diagnose -d long
3	option '--duration': invalid duration '30x': unknown unit 'x'	diagnose -d 30x
3	option '--duration': invalid duration '5M': unknown unit 'M'	diagnose -d 5M
3	option '--duration': invalid duration '5 m'	diagnose -d '5 m'
3	option '--duration': invalid duration ' 5m': blanks	diagnose -d ' 5m'
3	option '--duration': invalid duration '0x1p3'	diagnose -d 0x1p3
3	--json and --quiet contradict	diagnose -d 30s --json -q
3	--json and --quiet contradict	diagnose -d 30 --json -q
3	--json and --quiet contradict	diagnose -d 5m --json -q
3	--json and --quiet contradict	diagnose -d 1h --json -q
3	--json and --quiet contradict	diagnose -d 7d --json -q
3	--json and --quiet contradict	diagnose -d 1s --json -q
# ---- diagnose -i/--interval
3	option '-i' needs a value	diagnose -i
3	option '--interval': empty duration	diagnose -i ''
3	option '--interval': invalid duration '-1s': must not be signed	diagnose -i -1s
3	option '--interval': duration '10ms' out of range \(0.05 s to 3600 s\)	diagnose -i 10ms
3	option '--interval': duration '2h' out of range	diagnose -i 2h
3	option '--interval': invalid duration 'often'	diagnose -i often
3	option '--interval': invalid duration '5mn': unknown unit	diagnose -i 5mn
3	--interval has no use with --no-ntp	diagnose -i 10s --no-ntp
3	interval below 2s per query .* not '192.0.2.1'	diagnose -i 100ms -s 192.0.2.1
3	interval below 2s per query needs -s with a loopback server	diagnose -i 1s
3	--json and --quiet contradict	diagnose -i 100ms -s 127.0.0.1 --json -q
3	--json and --quiet contradict	diagnose -i 1h --json -q
# ---- diagnose -b/--burst
3	option '-b' needs a value	diagnose -b
3	option '--burst': empty number	diagnose -b ''
3	option '--burst': number '0' out of range \(1 to 8\)	diagnose -b 0
3	option '--burst': number '-2' out of range	diagnose -b -2
3	option '--burst': number '9' out of range	diagnose -b 9
3	option '--burst': number '99999999999999999999' out of range	diagnose -b 99999999999999999999
3	option '--burst': invalid number '1.5'	diagnose -b 1.5
3	option '--burst': invalid number 'x'	diagnose -b x
3	interval below 2s per query \(8 per burst\)	diagnose -b 8 -i 10s -s 192.0.2.1
3	--json and --quiet contradict	diagnose -b 8 --json -q
# ---- diagnose thresholds: offsets (durations) and drifts (rates)
3	option '--warn-offset' needs a value	diagnose --warn-offset
3	option '--warn-offset': empty duration	diagnose --warn-offset ''
3	option '--warn-offset': invalid duration '-1': must not be signed	diagnose --warn-offset -1
3	option '--warn-offset': invalid duration 'x'	diagnose --warn-offset x
3	option '--warn-offset': duration '1e10' out of range	diagnose --warn-offset 1e10
3	option '--warn-offset': invalid duration '5mn': unknown unit	diagnose --warn-offset 5mn
3	option '--warn-offset': invalid duration '1ppm': unknown unit 'ppm'	diagnose --warn-offset 1ppm
3	option '--crit-offset' needs a value	diagnose --crit-offset
3	option '--crit-offset': empty duration	diagnose --crit-offset=
3	option '--crit-offset': invalid duration '-0.5s': must not be signed	diagnose --crit-offset -0.5s
3	option '--crit-offset': duration '1e10' out of range	diagnose --crit-offset 1e10
3	option '--crit-offset': invalid duration 'nan'	diagnose --crit-offset nan
3	--warn-offset 0.1 s is above --crit-offset 0.05 s	diagnose --warn-offset 100ms --crit-offset 50ms
3	--warn-offset 2 s is above --crit-offset 1 s	diagnose --warn-offset 2s
3	--json and --quiet contradict	diagnose --warn-offset 100ms --crit-offset 1.5s --json -q
3	--json and --quiet contradict	diagnose --warn-offset 0 --crit-offset 0 --json -q
3	option '--warn-drift' needs a value	diagnose --warn-drift
3	option '--warn-drift': empty rate	diagnose --warn-drift ''
3	option '--warn-drift': rate '-1ppm' out of range \(0 to 1e\+06 ppm\)	diagnose --warn-drift -1ppm
3	option '--warn-drift': invalid rate 'x'	diagnose --warn-drift x
3	option '--warn-drift': invalid rate 'ppm'	diagnose --warn-drift ppm
3	option '--warn-drift': invalid rate '5kppm': unknown unit 'kppm'	diagnose --warn-drift 5kppm
3	option '--warn-drift': invalid rate '1.5 ppm': unknown unit	diagnose --warn-drift '1.5 ppm'
3	option '--warn-drift': invalid rate '1.5PPM': unknown unit 'PPM'	diagnose --warn-drift 1.5PPM
3	option '--warn-drift': invalid rate '10s': unknown unit 's'	diagnose --warn-drift 10s
3	option '--warn-drift': rate '2e6' out of range	diagnose --warn-drift 2e6
3	option '--warn-drift': invalid rate '1e999'	diagnose --warn-drift 1e999
3	option '--crit-drift' needs a value	diagnose --crit-drift
3	option '--crit-drift': empty rate	diagnose --crit-drift ''
3	option '--crit-drift': rate '-5' out of range	diagnose --crit-drift -5
3	option '--crit-drift': rate '200%' out of range	diagnose --crit-drift 200%
3	option '--crit-drift': invalid rate 'inf'	diagnose --crit-drift inf
3	--warn-drift 200 ppm is above --crit-drift 100 ppm	diagnose --warn-drift 200 --crit-drift 100ppm
3	--warn-drift 100 ppm is above --crit-drift 50 ppm	diagnose --crit-drift 0.005%
3	--json and --quiet contradict	diagnose --warn-drift 1.5ppm --json -q
3	--json and --quiet contradict	diagnose --warn-drift 500ppb --crit-drift 0.05% --json -q
3	--json and --quiet contradict	diagnose --warn-drift 0 --crit-drift 1e6 --json -q
# ---- diagnose flags
3	option '--json' takes no value	diagnose --json=1
3	option '--no-ntp' takes no value	diagnose --no-ntp=yes
3	option '--quiet' takes no value	diagnose --quiet=1
3	unexpected argument 'extra'	diagnose extra
3	--sysroot needs --no-ntp	diagnose --sysroot $T/dir
# ---- grub
2	option '--args' needs a value	grub --args
2	empty --args	grub --args ''
2	empty --remove-args	grub --remove-args ''
2	option '--remove-args' needs a value	grub --remove-args
2	invalid argument list 'a="b': unbalanced double quote	grub --args 'a="b' --config $LEGACY
2	invalid argument list '--': '--' is not a kernel argument	grub --args -- --config $LEGACY
2	'x' is both added and removed	grub --args x --remove-args x --config $LEGACY
2	option '--entry' needs a value	grub --entry
2	empty --entry	grub --entry '' --args x
2	option '--config' needs a value	grub --config
2	empty --config	grub --config '' --args x
2	cannot open '$T/none': No such file or directory	grub --config $T/none --args x
2	cannot open '$T/dir': Is a directory	grub --config $T/dir --args x
2	cannot open '/dev/null': not a regular file	grub --config /dev/null --args x
2	option '--format' needs a value	grub --format
2	unknown format '' \(legacy, grub2, bls\)	grub --format '' --args x
2	unknown format 'lilo'	grub --format lilo --args x
2	option '--backup-suffix' needs a value	grub --backup-suffix
2	invalid --backup-suffix ''	grub --backup-suffix '' --args x
2	invalid --backup-suffix 'a/b'	grub --backup-suffix a/b --args x
2	--backup-suffix and --no-backup exclude	grub --backup-suffix .bak --no-backup --args x
2	option '--profile' needs a value	grub --profile
2	unknown profile ''	grub --profile ''
2	unknown profile 'nosuch'	grub --profile nosuch
2	--profile excludes --args	grub --profile el5-pit --args x
2	choose one of --check, --diff, --apply, --stdout	grub --check --diff --args x
2	option '--apply' takes no value	grub --apply=now --args x
2	option '--check' takes no value	grub --check=1 --args x
2	unexpected argument 'extra'	grub --args x extra
0	divider=10	grub --args 'clock=pit divider=10' --config $LEGACY --stdout
0	acpi_osi="Windows 2015"	grub --args 'acpi_osi="Windows 2015"' --config $LEGACY --stdout
# ---- log (a usage error comes before anything is measured or written)
2	empty --output	log -o '' --no-ntp
2	option '-o' needs a value	log -o
2	option '--output' needs a value	log --output
2	empty --textfile	log --textfile '' --no-ntp -o $T/x.log
2	option '--textfile' needs a value	log --textfile
2	bad server '': empty	log -s ''
2	bad server 'h:0'	log -s h:0
2	at most 8 servers	log $MANYD
2	--no-ntp and --server exclude	log --no-ntp -s 127.0.0.1
2	--burst: empty number	log -n ''
2	--burst: number '0' out of range \(1 to 8\)	log -n 0
2	--burst: number '-1' out of range	log --burst -1
2	--burst: number '9' out of range	log -n 9
2	--burst: number '99999999999999999999' out of range	log -n 99999999999999999999
2	--burst: invalid number 'x'	log -n x
2	--timeout: empty duration	log --timeout ''
2	--timeout: duration '0' out of range	log --timeout 0
2	--timeout: invalid duration '-1s': must not be signed	log --timeout -1s
2	--timeout: duration '2m' out of range	log --timeout 2m
2	--timeout: invalid duration '1e999'	log --timeout 1e999
2	--timeout: invalid duration 'x'	log --timeout x
2	--timeout: invalid duration '5mn': unknown unit 'mn'	log --timeout 5mn
2	--step-threshold: empty duration	log --step-threshold ''
2	--step-threshold: duration '0' out of range	log --step-threshold 0
2	--step-threshold: invalid duration '-1': must not be signed	log --step-threshold -1
2	--step-threshold: duration '2e6' out of range	log --step-threshold 2e6
2	--step-threshold: invalid duration '50 ms'	log --step-threshold '50 ms'
2	option '--json' takes no value	log --json=1
2	option '--syslog' takes no value	log --syslog=yes
2	unexpected argument 'extra'	log -n 8 --timeout 100ms --step-threshold 50ms extra
2	unexpected argument 'extra'	log --timeout 1.5s --step-threshold 1us extra
2	unexpected argument 'extra'	log --timeout 1m --step-threshold 11d extra
# ---- watch
2	empty --output	watch -o ''
2	option '-o' needs a value	watch -o
2	empty --exec	watch --exec ''
2	option '--exec' needs a value	watch --exec
2	--poll: empty duration	watch --poll ''
2	--poll: duration '0' out of range \(0.01 s to 3600 s\)	watch --poll 0
2	--poll: duration '5ms' out of range	watch --poll 5ms
2	--poll: duration '2h' out of range	watch --poll 2h
2	--poll: invalid duration '-1s': must not be signed	watch --poll -1s
2	--poll: invalid duration 'often'	watch --poll often
2	--min-step: empty duration	watch --min-step ''
2	--min-step: duration '0' out of range	watch --min-step 0
2	--min-step: duration '2h' out of range	watch --min-step 2h
2	--min-step: invalid duration '1e999'	watch --min-step 1e999
2	--min-step: invalid duration '10 ms'	watch --min-step '10 ms'
2	option '--json' takes no value	watch --json=1
2	unexpected argument 'extra'	watch --poll 100ms --min-step 1ms extra
2	unexpected argument 'extra'	watch --poll 1h --min-step 1h extra
# ---- report
2	option '--since' needs a value	report --since
2	--since: bad time ''	report --since '' $S
2	--since: bad time 'yesterday'	report --since yesterday $S
2	--since: bad time '2026-02-31': no such date	report --since 2026-02-31 $S
2	--since: bad time '2026-13-01'	report --since 2026-13-01 $S
2	--since: bad time '2026-03-02 25:00'	report --since '2026-03-02 25:00' $S
2	--since: time '9999-01-01' out of range	report --since 9999-01-01 $S
2	--until: time '2262-04-12' out of range	report --until 2262-04-12 $S
2	--since: time '1677-09-21' out of range	report --since 1677-09-21 $S
2	--since: empty number	report --since @ $S
2	--since: invalid number 'x'	report --since @x $S
2	--since: number '1e10' out of range	report --since @1e10 $S
2	--until: number '-1e19' out of range	report --until @-1e19 $S
2	--since: empty duration	report --since - $S
2	--since: invalid duration '-6h': must not be signed	report --since --6h $S
2	--since: invalid duration '6x': unknown unit	report --since -6x $S
2	--since: duration '2e9s' out of range	report --since -2e9s $S
2	--until is before --since	report --since 2026-03-03 --until 2026-03-02 $S
2	--plot: cannot tell the picture format of ''	report --plot '' $S
2	--plot: cannot tell the picture format of 'x.gif'	report --plot x.gif $S
2	--plot-size: bad size ''	report --plot-size '' $S
2	--plot-size: bad size '0x0'	report --plot-size 0x0 $S
2	--plot-size: bad size '319x200'	report --plot-size 319x200 $S
2	--plot-size: bad size '4001x600'	report --plot-size 4001x600 $S
2	--plot-size: bad size '-800x600'	report --plot-size -800x600 $S
2	--plot-size: bad size ' 800x600'	report --plot-size ' 800x600' $S
2	--plot-size: bad size '800x 600'	report --plot-size '800x 600' $S
2	--plot-size: bad size '800x\+600'	report --plot-size 800x+600 $S
2	--plot-size: bad size '99999999999999999999x600'	report --plot-size 99999999999999999999x600 $S
2	--plot-size: bad size '800'	report --plot-size 800 $S
2	--plot-size: bad size '800x600x2'	report --plot-size 800x600x2 $S
2	empty --host	report --host '' $S
2	--gap: empty duration	report --gap '' $S
2	--gap: duration '0' out of range	report --gap 0 $S
2	--gap: invalid duration '-5m': must not be signed	report --gap -5m $S
2	--gap: invalid duration 'x'	report --gap x $S
2	--step-threshold: duration '0' out of range	report --step-threshold 0 $S
2	--step-threshold: invalid duration '-1': must not be signed	report --step-threshold -1 $S
2	--step-threshold: invalid duration '1ppm'	report --step-threshold 1ppm $S
2	option '--json' takes no value	report --json=1 $S
2	unexpected argument 'extra'	report --since 2024-02-29 --until '2262-04-11 23:00' $S extra
2	unexpected argument 'extra'	report --since @-9223372035 --until -1e9s $S extra
2	unexpected argument 'extra'	report --since '2026-03-02 10:00' --until 2026-03-02T10:00:30Z $S extra
2	unexpected argument 'extra'	report --plot-size 320x200 --plot $T/a.svg --gap 2m --step-threshold 1us $S extra
2	unexpected argument 'extra'	report --plot-size 4000x4000 --gap 1e9 $S extra
1	cannot open '$T/none': No such file	report $T/none
1	no records in '$T/file'	report $T/file
# ---- help
2	unknown option '--x'	help --x
2	unexpected argument 'b'	help a b
2	unknown command 'frobnicate'	help frobnicate
EOF
[ "$n" -ge 290 ] && pass "$n cases in the table" || fail "only $n cases in the table"
finish
