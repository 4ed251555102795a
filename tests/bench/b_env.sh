# b_env.sh - `hvclock env` wall time and peak RSS, side by side with the
# tools an admin would otherwise run for the same facts (systemd-detect-virt,
# lscpu), live and on a fixture tree. Target: under 50 ms.
set -u
: "${HVCLOCK:?}" "${TOP:?}"
out=$(mktemp -d /tmp/hvclock-bench.XXXXXX)
trap 'rm -rf "$out"' EXIT

cmds=("$HVCLOCK env" "$HVCLOCK env --json" "$HVCLOCK --sysroot $TOP/tests/fixtures/env/centos55-hyperv env")
names=("hvclock env" "hvclock env --json" "hvclock env (sysroot)")
for peer in systemd-detect-virt lscpu; do
	command -v "$peer" >/dev/null && { cmds+=("$peer"); names+=("$peer"); }
done
hyperfine -N --warmup 5 --runs 50 --export-json "$out/h.json" "${cmds[@]}" >/dev/null 2>&1 ||
	hyperfine --warmup 5 --runs 50 --export-json "$out/h.json" "${cmds[@]}" >/dev/null
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n1; }
printf '%-28s %10s %10s %10s %9s\n' "command" "mean ms" "stddev" "max RSS KB" "vs env"
python3 - "$out/h.json" <<'EOP' >"$out/t"
import json, sys
r = json.load(open(sys.argv[1]))["results"]
base = r[0]["mean"]
for x in r:
    print("%.3f %.3f %.2f" % (x["mean"] * 1e3, x["stddev"] * 1e3, x["mean"] / base))
EOP
i=0
while read -r mean sd ratio; do
	printf '%-28s %10s %10s %10s %8sx\n' "${names[$i]}" "$mean" "$sd" "$(rss ${cmds[$i]})" "$ratio"
	i=$((i + 1))
done <"$out/t"
mean=$(head -n1 "$out/t" | cut -d' ' -f1)
awk -v m="$mean" 'BEGIN { exit !(m < 50) }' && echo "target: hvclock env under 50 ms: met ($mean ms)" ||
	{ echo "target: hvclock env under 50 ms: MISSED ($mean ms)"; exit 1; }
