#!/bin/bash
# t_grub_corpus.sh - every file of the shared boot-config corpus
# (shared/corpus/grub, beside the source tree) either patched sensibly or
# refused with a clear reason; never a crash. "Sensibly": the result
# parses again, patching it again changes nothing, and only lines holding
# kernel arguments changed. Prints the tally with the refusal reasons.
. "$(dirname "$0")/lib.sh"

CORPUS=
for d in "$TOP/../shared/corpus/grub" /work/shared/corpus/grub; do
	[ -d "$d/legacy" ] && { CORPUS=$d; break; }
done
[ -n "$CORPUS" ] || { fail "shared/corpus/grub not found beside $TOP"; finish; }

A="clock=pit notsc divider=10"
patched=0 unchanged=0 refused=0 crashed=0 bad=0
: >"$T/reasons"
while read -r f; do
	name=${f#"$CORPUS"/}
	"$HVCLOCK" grub --config "$f" --stdout --args "$A" >"$T/once" 2>"$T/err"
	rc=$?
	if [ "$rc" -gt 2 ]; then
		crashed=$((crashed + 1)); echo "  CRASH $name (exit $rc)"; continue
	fi
	if [ "$rc" = 2 ]; then
		if grep -q '^hvclock: ' "$T/err" && [ "$(wc -l <"$T/err")" -le 3 ]; then
			refused=$((refused + 1))
			sed -e "s|$CORPUS/||" -e 's/^hvclock: //' "$T/err" | head -n 1 | sed "s|^|  refused $name: |" >>"$T/reasons"
		else
			bad=$((bad + 1)); echo "  unclear refusal of $name:"; cat "$T/err"
		fi
		continue
	fi
	if cmp -s "$T/once" "$f"; then
		unchanged=$((unchanged + 1)); continue
	fi
	cp "$T/once" "$T/in"
	"$HVCLOCK" grub --config "$T/in" --stdout --args "$A" >"$T/twice" 2>/dev/null
	if ! cmp -s "$T/once" "$T/twice"; then
		bad=$((bad + 1)); echo "  $name: second patch changed it again"
	fi
	# Only argument lines may differ: same number of lines, and each
	# changed line starts the same (keyword and path) as before.
	if ! python3 - "$f" "$T/once" <<'EOP'
import sys
a = open(sys.argv[1], 'rb').read().split(b'\n')
b = open(sys.argv[2], 'rb').read().split(b'\n')
if len(a) != len(b):
    sys.exit(1)
for x, y in zip(a, b):
    if x != y and x.strip(b'#') == b'' and y.strip(b'#') == b'':
        continue  # grubenv padding, moved to keep the size
    if x != y:
        head = x.split(b'=', 1)[0] if x.lstrip().startswith((b'GRUB_', b'kernelopts', b'# kopt', b'#kopt')) else x.split()[0:2]
        if isinstance(head, list):
            if y.split()[0:2] != head:
                sys.exit(1)
        elif not y.startswith(x.split(b'=', 1)[0]):
            sys.exit(1)
EOP
	then
		bad=$((bad + 1)); echo "  $name: lines other than argument lines changed"
	fi
	patched=$((patched + 1))
done < <(find "$CORPUS" -type f ! -name README.md ! -name '*-mounts' | sort)
cat "$T/reasons"
echo "  corpus: $patched patched, $unchanged unchanged, $refused refused, $crashed crashed, $bad bad"
[ "$crashed" = 0 ] && pass "no crash over the corpus" || fail "$crashed crashes"
[ "$bad" = 0 ] && pass "every patch sensible, every refusal clear" || fail "$bad bad results"
[ "$patched" -ge 40 ] && pass "at least 40 corpus files patched ($patched)" || fail "only $patched patched"
finish
