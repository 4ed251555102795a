#!/bin/bash
# run.sh - runs every tests/integration/t_*.sh and prints the tally.
# A test script that is missing what it needs fails; nothing is skipped.
set -u
here=$(cd "$(dirname "$0")" && pwd)
total=0 failed=0 names=()
for t in "$here"/t_*.sh; do
	[ -e "$t" ] || continue
	total=$((total + 1))
	echo "-- $(basename "$t" .sh)"
	t0=$SECONDS
	if ! timeout 900 bash "$t"; then
		failed=$((failed + 1))
		names+=("$(basename "$t" .sh)")
	fi
	echo "   ($(basename "$t" .sh): $((SECONDS - t0)) s)"
done
echo "integration: $((total - failed)) of $total scripts passed"
if [ "$failed" != 0 ]; then
	echo "failed: ${names[*]}"
	exit 1
fi
