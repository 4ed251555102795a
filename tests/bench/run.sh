#!/bin/bash
# run.sh - runs every tests/bench/b_*.sh; each prints its own table with
# ratios against the peer tools measured side by side in the same run.
set -u
here=$(cd "$(dirname "$0")" && pwd)
rc=0
for b in "$here"/b_*.sh; do
	[ -e "$b" ] || continue
	echo "== $(basename "$b" .sh)"
	bash "$b" || rc=1
done
exit $rc
