#!/usr/bin/env bash
# Golden test against an independent decoder: Open vSwitch's ovs-ofctl must
# parse every message we encode, without complaint, into exactly the text
# recorded in expected/ (raw bytes in, decoded text out).
# Usage: check_ovs_ofctl.sh GOLDEN_GEN_BINARY GOLDEN_DIR  [--update]
set -euo pipefail
gen=$1 golden=$2 update=${3:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$gen" "$work"
fail=0 count=0
for bin in "$work"/of10/*.bin "$work"/of13/*.bin; do
  v=$(basename "$(dirname "$bin")") name=$(basename "$bin" .bin)
  out=$(ovs-ofctl ofp-parse "$bin" 2>&1)
  expected="$golden/expected/$v/$name.txt"
  count=$((count + 1))
  if [ "$update" = "--update" ]; then printf '%s\n' "$out" > "$expected"; continue; fi
  if grep -qE '\|(WARN|ERR|EMER)\||decode error|\*\*\*' <<<"$out"; then
    echo "FAIL $v/$name: ovs-ofctl complained:"; echo "$out"; fail=1; continue
  fi
  if [ ! -f "$expected" ] || ! diff -u "$expected" <(printf '%s\n' "$out"); then
    echo "FAIL $v/$name: differs from $expected"; fail=1
  fi
done
[ "$count" -gt 40 ] || { echo "FAIL: only $count messages generated"; exit 1; }
[ $fail -eq 0 ] && echo "ovs-ofctl parsed all $count messages as recorded"
exit $fail
