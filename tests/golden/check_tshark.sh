#!/usr/bin/env bash
# Golden test against an independent decoder: Wireshark's OpenFlow
# dissectors (tshark) read every message we encode, in both versions, as the
# message type we meant, with no malformed-packet or error-level expert info.
#
# One known dissector limitation is tolerated and reported: Wireshark 4.0's
# OpenFlow 1.0 dissector reads an action header even when a FLOW_MOD has no
# actions (a valid delete or drop flow, length 72), and flags that as malformed.
# Usage: check_tshark.sh GOLDEN_GEN_BINARY
set -euo pipefail
gen=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$gen" "$work"
export HOME=$work  # keep tshark's profile writes out of the real home
fields=$(tshark -r "$work/all.pcap" -T fields -E separator=, -e frame.number -e openflow.version \
  -e openflow_1_0.type -e openflow_v4.type -e openflow.length -e _ws.expert.severity 2>/dev/null)
total=$(wc -l <<<"$fields")
[ "$total" -gt 40 ] || { echo "FAIL: tshark read only $total frames"; exit 1; }
fail=0
while IFS=, read -r frame version type10 type13 length severity; do
  if [ -z "$type10$type13" ]; then echo "FAIL frame $frame: not dissected as OpenFlow"; fail=1; fi
  if tshark -r "$work/all.pcap" -Y "frame.number == $frame && (_ws.malformed || _ws.expert.severity >= 8388608)" 2>/dev/null | grep -q .; then
    if [ "$version" = "0x01" ] && [ "$type10" = "14" ] && [ "$length" = "72" ]; then
      echo "known dissector limitation: frame $frame (OF1.0 FLOW_MOD without actions)"
      continue
    fi
    echo "FAIL frame $frame: tshark reports it malformed or in error:"
    tshark -r "$work/all.pcap" -V -Y "frame.number == $frame" 2>/dev/null | sed -n '/OpenFlow/,$p'
    fail=1
  fi
done <<<"$fields"
[ $fail -eq 0 ] && echo "tshark decoded all $total messages without malformed-packet errors"
exit $fail
