#!/usr/bin/env bash
# The main job. Until the follow-me testbed lands (issues 3 and 5) this runs
# the controller against an emulated network: one Open vSwitch bridge
# (userspace datapath), three hosts in network namespaces, and shows them
# pinging each other through the controller's learning switch.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/lib/ovs.sh
ovs_ensure_running

br=fmcdemo0 hosts=(fmcdemo-h1 fmcdemo-h2 fmcdemo-h3)
work=$(mktemp -d)
ctl_pid=""
cleanup() {
  [ -n "$ctl_pid" ] && kill "$ctl_pid" 2>/dev/null && wait "$ctl_pid" 2>/dev/null || true
  ovs-vsctl --timeout=5 --if-exists del-br "$br" || true
  for h in "${hosts[@]}"; do host_del "$h"; done
  rm -rf "$work"
}
trap cleanup EXIT

echo "== starting fmc-controller"
build/src/cli/fmc-controller --listen 127.0.0.1 --port 0 --port-file "$work/port" >"$work/controller.log" 2>&1 &
ctl_pid=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")

echo "== building the emulated network: bridge $br, hosts ${hosts[*]}"
ovs-vsctl --timeout=5 add-br "$br" -- set bridge "$br" datapath_type=netdev protocols=OpenFlow13 \
  fail_mode=secure -- set-controller "$br" "tcp:127.0.0.1:$port"
for i in 1 2 3; do host_add "${hosts[$((i - 1))]}" "10.66.0.$i/24" "$br"; done
ovs_wait_connected "$br"

echo "== hosts ping each other through the controller's learning switch"
status=0
for i in 1 2 3; do
  for j in 1 2 3; do
    [ "$i" = "$j" ] && continue
    if out=$(ip netns exec "${hosts[$((i - 1))]}" ping -c 3 -i 0.2 -W 2 "10.66.0.$j"); then
      echo "h$i -> h$j: $(tail -1 <<<"$out")"
    else
      echo "h$i -> h$j: FAILED"; status=1
    fi
  done
done

echo "== flows the controller installed (ovs-ofctl -O OpenFlow13 dump-flows $br)"
ovs-ofctl -O OpenFlow13 dump-flows "$br" --no-stats
echo "== controller log"
cat "$work/controller.log"
[ $status -eq 0 ] && echo "demo: all hosts reached each other through fmc-controller"
exit $status
