# t_cli.sh - the command line contract: help, version, usage errors naming
# the bad word with exit 2, and --help for every listed command.
. "$(dirname "$0")/lib.sh"

expect_rc 0 "--version" "$HVCLOCK" --version
contains "$T/.out" '^hvclock [0-9]+\.[0-9]+' "--version prints the version"
expect_rc 0 "--help" "$HVCLOCK" --help
contains "$T/.out" 'Commands:' "--help lists the commands"
expect_rc 2 "no command" "$HVCLOCK"
expect_rc 2 "unknown command" "$HVCLOCK" frobnicate
contains "$T/.out" "unknown command 'frobnicate'" "unknown command is named"
expect_rc 2 "unknown global option" "$HVCLOCK" --frob env
contains "$T/.out" "unknown option '--frob'" "unknown global option is named"
expect_rc 2 "--sysroot without a value" "$HVCLOCK" --sysroot
expect_rc 2 "--sysroot to a missing dir" "$HVCLOCK" --sysroot "$T/none" env
contains "$T/.out" "$T/none" "missing sysroot is named"
expect_rc 2 "HVCLOCK_SYSROOT to a missing dir" env HVCLOCK_SYSROOT="$T/none" "$HVCLOCK" env
expect_rc 0 "help help" "$HVCLOCK" help help
expect_rc 2 "help for an unknown command" "$HVCLOCK" help frobnicate

# Every listed command has --help (exit 0) and `hvclock help CMD` gives the
# same text; an unknown option is named.
cmds=$("$HVCLOCK" --help | awk '/^Commands:/{on=1; next} on && /^  [a-z]/{print $1} on && /^$/{exit}')
[ -n "$cmds" ] && pass "commands listed: $(echo $cmds)" || fail "no commands listed"
for c in $cmds; do
	"$HVCLOCK" "$c" --help >"$T/h1" 2>&1; rc=$?
	[ $rc = 0 ] && pass "$c --help exits 0" || fail "$c --help exits $rc"
	contains "$T/h1" '^Usage: hvclock' "$c --help shows usage"
	"$HVCLOCK" help "$c" >"$T/h2" 2>&1
	cmp -s "$T/h1" "$T/h2" && pass "help $c = $c --help" || fail "help $c differs from $c --help"
	"$HVCLOCK" "$c" --no-such-option >"$T/h3" 2>&1; rc=$?
	# diagnose follows the monitoring-plugins convention (usage = UNKNOWN, 3)
	case $c in diagnose) want=3 ;; *) want=2 ;; esac
	[ $rc = $want ] && pass "$c: unknown option exits $want" || fail "$c: unknown option exits $rc"
	contains "$T/h3" "unknown option '--no-such-option'" "$c: unknown option is named"
done
expect_rc 2 "env: stray operand" "$HVCLOCK" env extra
contains "$T/.out" "unexpected argument 'extra'" "stray operand is named"
finish
