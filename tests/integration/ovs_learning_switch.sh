#!/usr/bin/env bash
# Real Open vSwitch (userspace datapath) with hosts in network namespaces,
# controlled by fmc-controller, in OpenFlow 1.3 and 1.0:
#   handshake, flows visible in ovs-ofctl, hosts ping through the learning
#   switch, garbage from a rogue peer does not disturb the switch, a
#   reconnect resyncs stale flows, and a restarted switch comes back.
# Usage: ovs_learning_switch.sh FMC_CONTROLLER_BINARY   (as root)
set -euo pipefail
controller_bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../scripts/lib/ovs.sh"
source "$here/../../scripts/lib/controller.sh"

id=$(( $$ % 10000 ))
br="fitbr$id" h1="fit${id}a" h2="fit${id}b"
work=$(mktemp -d)
ctl_pid=""
cleanup() {
  [ -n "$ctl_pid" ] && kill "$ctl_pid" 2>/dev/null && wait "$ctl_pid" 2>/dev/null || true
  ovs-vsctl --timeout=5 --if-exists del-br "$br" || true
  ip link del "$br" 2>/dev/null || true  # the netdev tap, if vswitchd was gone
  host_del "$h1"; host_del "$h2"
  rm -rf "$work"
}
trap cleanup EXIT

step() { echo "--- $*"; }
fail() { echo "FAIL: $*"; echo "controller log:"; tail -n 30 "$work/controller.log" || true; exit 1; }

ovs_ensure_running

start_controller() {
  controller_start "$controller_bin" "$work" --echo-interval 1000 --dead-after 3000 || fail "controller did not start"
}

# Waits until the controller has logged more switch-up events than $1.
wait_new_up() {
  for _ in $(seq 200); do
    [ "$(grep -c "up, OpenFlow 1.3" "$work/controller.log")" -gt "$1" ] && return 0
    sleep 0.1
  done
  return 1
}

ping_ok() { ip netns exec "$h1" ping -c 3 -i 0.2 -W 2 10.77.0.2 >/dev/null; }

for proto in OpenFlow13 OpenFlow10; do
  step "$proto: bridge, hosts, controller"
  start_controller
  ovs-vsctl --timeout=5 add-br "$br" -- set bridge "$br" datapath_type=netdev protocols="$proto" \
    fail_mode=secure -- set-controller "$br" "tcp:127.0.0.1:$port"
  host_add "$h1" 10.77.0.1/24 "$br"
  host_add "$h2" 10.77.0.2/24 "$br"
  ovs_wait_connected "$br" || fail "$proto handshake"
  want=$([ "$proto" = OpenFlow13 ] && echo 1.3 || echo 1.0)
  grep -q "up, OpenFlow $want" "$work/controller.log" || fail "controller did not report the switch up in $proto"

  step "$proto: hosts ping each other through the learning switch"
  ping_ok || fail "$proto ping"
  flows=$(ovs-ofctl -O "$proto" dump-flows "$br")
  echo "$flows"
  grep -q "priority=100,in_port=.*dl_dst=.*actions=output:" <<<"$flows" || fail "$proto learned flows not in dump-flows"
  grep -q "priority=0 actions=CONTROLLER:65535" <<<"$flows" || fail "$proto table-miss flow missing"

  step "$proto: a rogue peer sends garbage; the switch keeps working"
  python3 - "$port" <<'PY'
import socket, sys
port = int(sys.argv[1])
for payload in (b"\x04\x00\x00\x10garbage!" * 4, b"\x01\x63\x00\x08\x00\x00\x00\x01", b"\xff" * 64):
    s = socket.create_connection(("127.0.0.1", port), timeout=2)
    s.sendall(payload)
    try:
        s.recv(4096)
    except OSError:
        pass
    s.close()
PY
  kill -0 "$ctl_pid" || fail "controller died after garbage"
  ping_ok || fail "$proto ping after garbage"
  grep -q "rejected message" "$work/controller.log" || fail "garbage was not logged as rejected"

  if [ "$proto" = OpenFlow13 ]; then
    step "$proto: a reconnect resyncs stale flows"
    ovs-ofctl -O OpenFlow13 add-flow "$br" "cookie=0x1000000000000,priority=300,ip,actions=drop"
    ! ping_ok || fail "stale drop flow did not take effect"
    ovs-vsctl --timeout=5 del-controller "$br"
    ups_before=$(grep -c "up, OpenFlow 1.3" "$work/controller.log")
    ovs-vsctl --timeout=5 set-controller "$br" "tcp:127.0.0.1:$port"
    wait_new_up "$ups_before" || fail "controller did not see the reconnect"
    sleep 0.5
    ovs-ofctl -O OpenFlow13 dump-flows "$br" | grep -q "priority=300" && fail "stale flow survived the resync"
    ping_ok || fail "ping after resync"

    step "$proto: ovs-vswitchd restarts; the switch reconnects and is resynced"
    ups_before=$(grep -c "up, OpenFlow 1.3" "$work/controller.log")
    vswitchd_pid=$(cat /var/run/openvswitch/ovs-vswitchd.pid)
    ovs-appctl -t ovs-vswitchd exit
    for _ in $(seq 100); do kill -0 "$vswitchd_pid" 2>/dev/null || break; sleep 0.1; done
    /usr/share/openvswitch/scripts/ovs-ctl --no-ovsdb-server start --system-id=random >/dev/null 2>&1 || true
    wait_new_up "$ups_before" || fail "controller did not see the switch come back"
    ping_ok || fail "ping after switch restart"
  fi

  ovs-vsctl --timeout=5 del-br "$br"
  host_del "$h1"; host_del "$h2"
  kill "$ctl_pid"; wait "$ctl_pid" 2>/dev/null || true; ctl_pid=""
done
echo "integration: OVS learning switch OK in OpenFlow 1.3 and 1.0"
