#!/usr/bin/env bash
# The scale harness's real-switch check (issue 12): the rewrite flows of a
# busy access switch installed on a real Open vSwitch bridge (userspace
# datapath) through the controller runtime, with barriers; then the same
# flows by `ovs-ofctl add-flows`, side by side; ovs-vswitchd's memory; and
# packets through the bridge for a sample of the rewritten endpoints.
#   bash bench/scale/ovs_check.sh [--flows N] [--smoke]
# Default 100,000 flows (more than the busiest switch of the 1M-user run);
# --smoke: 4,000, a functional check for the test suite.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/ovs.sh

flows=100000
while [ $# -gt 0 ]; do
  case $1 in
    --flows) flows=${2:?--flows takes a number}; shift 2 ;;
    --smoke) flows=4000; shift ;;
    *) echo "usage: $0 [--flows N] [--smoke]" >&2; exit 2 ;;
  esac
done
[[ $flows =~ ^[0-9]+$ && $flows -ge 8 ]] || { echo "--flows takes a number of at least 8" >&2; exit 2; }
visitors=$(( (flows + 3) / 4 ))  # four flows per visitor
installer=build/bench/scale/fmc-flow-install
[ -x "$installer" ] || { echo "$installer is missing: run scripts/setup.sh first" >&2; exit 1; }

br=fmcscale0 radio=fmcs-radio uplink=fmcs-up
work=$(mktemp -d)
pid=
remove_testbed() {  # what this script creates, by name
  ovs-vsctl --timeout=5 --if-exists del-br "$br" || true
  for ns in "$radio" "$uplink"; do ip netns del "$ns" 2>/dev/null || true; ip link del "$ns" 2>/dev/null || true; done
}
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  remove_testbed
  rm -rf "$work"
}
trap cleanup EXIT

ovs_ensure_running
remove_testbed  # left over from a run that was killed
ovs-vsctl --timeout=5 add-br "$br" -- set bridge "$br" datapath_type=netdev fail_mode=secure protocols=OpenFlow13 \
  other-config:disable-in-band=true
for spec in "$uplink:1" "$radio:2"; do
  ns=${spec%%:*} ofport=${spec##*:}
  ip netns add "$ns"
  ip link add "$ns" type veth peer name "${ns}p"
  ip link set "${ns}p" netns "$ns"
  ip -n "$ns" link set "${ns}p" up
  ip link set "$ns" up
  ovs-vsctl --timeout=5 add-port "$br" "$ns" -- set interface "$ns" ofport_request="$ofport"
done

vswitchd_kib() { awk '/^VmRSS/ {print $2}' "/proc/$(cat /var/run/openvswitch/ovs-vswitchd.pid)/status"; }
table_flows() { ovs-ofctl -O OpenFlow13 dump-aggregate "$br" | sed -n 's/.*flow_count=\([0-9]*\).*/\1/p'; }

rss0=$(vswitchd_kib)
timeout 600 "$installer" --visitors "$visitors" --port-file "$work/port" --sample-file "$work/sample" >"$work/install.log" &
pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { cat "$work/install.log"; echo "the installer did not start listening" >&2; exit 1; }
ovs-vsctl --timeout=5 set-controller "$br" "tcp:127.0.0.1:$(cat "$work/port")"
status=0; wait "$pid" || status=$?
pid=
cat "$work/install.log"
[ "$status" -eq 0 ] || { echo "the controller did not install every flow (exit $status)" >&2; exit 1; }
# (The controller stays configured: removing a secure bridge's last controller flushes its flows.)
expected=$(sed -n 's/.*the table holds \([0-9]*\) flows.*/\1/p' "$work/install.log")
rss1=$(vswitchd_kib)
held=$(table_flows)
[ "$held" = "$expected" ] || { echo "the bridge holds $held flows, not $expected" >&2; exit 1; }

python3 bench/scale/forwarding_check.py "$work/sample" "$radio" "${radio}p" "$uplink" "${uplink}p"

# The anchors: the very flows the bridge holds, again, by ovs-ofctl (each run ends with a barrier):
# one flow-mod after another as add-flows sends them, and as one bundle (--bundle: an atomic commit).
ovs-ofctl -O OpenFlow13 dump-flows --no-stats "$br" >"$work/flows.txt"
anchor() {  # $@: extra ovs-ofctl options; prints seconds
  ovs-ofctl -O OpenFlow13 del-flows "$br"
  local start end
  start=$(date +%s.%N)
  ovs-ofctl "$@" add-flows "$br" "$work/flows.txt"
  end=$(date +%s.%N)
  held=$(table_flows)
  [ "$held" = "$expected" ] || { echo "after ovs-ofctl $* add-flows the bridge holds $held flows, not $expected" >&2; exit 1; }
  python3 -c "print($end - $start)"
}
plain=$(anchor -O OpenFlow13)
bundle=$(anchor -O OpenFlow13 --bundle)
rss2=$(vswitchd_kib)
ours=$(sed -n 's/.*: \([0-9]*\) flows\/s.*/\1/p' "$work/install.log")
python3 - "$expected" "$plain" "$bundle" "$ours" "$rss0" "$rss1" "$rss2" <<'PY'
import sys
n, plain, bundle, ours = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
rss0, rss1, rss2 = map(int, sys.argv[5:])
print(f"{'installing ' + str(n) + ' flows on ovs-vswitchd (userspace)':<56} {'flows/s':>10} {'ratio':>7}")
print(f"{'  through the controller (windows of 1000, barriers)':<56} {ours:>10.0f} {1:>7.2f}")
for name, seconds in (("ovs-ofctl add-flows (same flows)", plain), ("ovs-ofctl --bundle add-flows (same flows)", bundle)):
    print(f"{'  ' + name:<56} {n / seconds:>10.0f} {n / seconds / ours:>7.2f}")
grown = rss1 - rss0
print(f"ovs-vswitchd resident memory: {rss0 / 1024:.0f} MiB before, {rss1 / 1024:.0f} MiB with the flows, "
      f"{rss2 / 1024:.0f} MiB after the re-installs: " +
      (f"{grown * 1024 / n:.0f} B per flow" if grown > 4096 else
       "too little growth to tell a cost per flow (a small table, or memory freed by earlier runs reused: "
       "a fresh ovs-vswitchd and --flows 100000 show it)"))
PY
