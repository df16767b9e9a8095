# Shared helpers for scripts that drive Open vSwitch (sourced, not run).

# Starts ovsdb-server and ovs-vswitchd if they are not running. This machine
# has no openvswitch kernel module: bridges must use datapath_type=netdev.
ovs_ensure_running() {
  if ovs-vsctl --timeout=2 show >/dev/null 2>&1 && [ -e /var/run/openvswitch/ovs-vswitchd.pid ] \
     && kill -0 "$(cat /var/run/openvswitch/ovs-vswitchd.pid)" 2>/dev/null; then
    return 0
  fi
  /usr/share/openvswitch/scripts/ovs-ctl start --system-id=random >/dev/null 2>&1 || true
  ovs-vsctl --timeout=5 show >/dev/null || { echo "Open vSwitch did not start" >&2; return 1; }
}

# Waits until bridge $1's controller reports a connection.
ovs_wait_connected() {
  local bridge=$1 deadline=$((SECONDS + ${2:-20}))
  while [ $SECONDS -lt $deadline ]; do
    if [ "$(ovs-vsctl --timeout=2 get controller "$bridge" is_connected 2>/dev/null)" = true ]; then
      return 0
    fi
    sleep 0.2
  done
  echo "bridge $bridge did not connect to its controller" >&2
  return 1
}

# Creates a host namespace $1 with address $2 attached to bridge $3 as port $1.
host_add() {
  local ns=$1 addr=$2 bridge=$3
  ip netns add "$ns"
  ip link add "$ns" type veth peer name "${ns}p"
  ip link set "${ns}p" netns "$ns"
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "$addr" dev "${ns}p"
  ip -n "$ns" link set "${ns}p" up
  ip link set "$ns" up
  ovs-vsctl --timeout=5 add-port "$bridge" "$ns"
}

host_del() {
  ip netns del "$1" 2>/dev/null || true
  ip link del "$1" 2>/dev/null || true
}
