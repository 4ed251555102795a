# t_manpage.sh - data/hvclock.1 renders without warnings and covers every
# command the tool lists.
. "$(dirname "$0")/lib.sh"

man1=$TOP/data/hvclock.1
groff -ww -man -z "$man1" >"$T/warn" 2>&1
[ ! -s "$T/warn" ] && pass "groff -ww: no warnings" || { fail "groff warnings"; cat "$T/warn"; }
MANWIDTH=80 man -l "$man1" >"$T/man.txt" 2>/dev/null
for c in $("$HVCLOCK" --help | awk '/^Commands:/{on=1; next} on && /^  [a-z]/{print $1} on && /^$/{exit}'); do
	contains "$T/man.txt" "^       $c( |$)" "command '$c' described"
done
for s in "EXIT STATUS" "FILES" "EXAMPLES" "UNITS AND SIGNS"; do
	contains "$T/man.txt" "^$s" "section $s"
done
finish
