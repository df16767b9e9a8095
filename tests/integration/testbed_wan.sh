#!/usr/bin/env bash
# The Fig. 1 testbed on real Open vSwitch: built from YAML, the WAN delays
# hold (near data center ~1 ms, far ~50 ms round trip), TCP crosses the
# router, a host moved by the migration emulator sits on its new switch, and
# `down` leaves nothing behind. The controller runs its learning switch here;
# the follow-me apps are exercised by their own tests.
# Usage: testbed_wan.sh FMC_CONTROLLER FMC_LINKEM   (as root)
set -euo pipefail
controller_bin=$(realpath "$1")
export FMC_LINKEM=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../scripts/lib/ovs.sh"
source "$here/../../scripts/lib/controller.sh"
testbed="$here/../../testbed/fmc_testbed.py"
config="$here/testbed.yaml"
prefix="t$(( $$ % 1000 ))"
work=$(mktemp -d)
ctl_pid=""
cleanup() {
  /usr/bin/python3 "$testbed" down "$config" --prefix "$prefix" || true
  [ -n "$ctl_pid" ] && kill "$ctl_pid" 2>/dev/null && wait "$ctl_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

ovs_ensure_running
controller_start "$controller_bin" "$work" || fail "controller did not start"

/usr/bin/python3 "$testbed" up "$config" --prefix "$prefix" --controller "tcp:127.0.0.1:$port"
for sw in s-dc1 s-dc2 s-wlan1 s-wlan2; do ovs_wait_connected "$prefix-$sw" || fail "$sw did not connect"; done

# Average RTT in ms of 5 pings from $1 to $2.
rtt() {
  ip netns exec "$prefix-$1" ping -c 5 -i 0.2 -W 2 "$2" | awk -F/ '/^rtt/ {print $5}'
}
ip netns exec "$prefix-client1" ping -c 2 -W 2 10.1.0.10 >/dev/null || fail "client1 cannot reach vm1"
ip netns exec "$prefix-client1" ping -c 2 -W 2 10.2.0.20 >/dev/null || fail "client1 cannot reach vm2"
near=$(rtt client1 10.1.0.10)
far=$(rtt client1 10.2.0.20)
echo "client1 (wlan1) -> vm1 (dc1, near): ${near} ms; -> vm2 (dc2, far): ${far} ms"
python3 -c "import sys; n, f = float('$near'), float('$far'); sys.exit(0 if n < 20 and 45 <= f <= 90 else 1)" ||
  fail "round trips are not ~1 ms near and ~50 ms far"

echo "--- TCP across the router"
ip netns exec "$prefix-vm2" python3 - <<'PY' &
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 5001)); s.listen(1); s.settimeout(10)
c, _ = s.accept(); n = 0
while True:
    d = c.recv(65536)
    if not d: break
    n += len(d)
c.sendall(str(n).encode()); c.close()
PY
server=$!
sleep 0.3
got=$(ip netns exec "$prefix-client1" python3 -c "
import socket; s = socket.create_connection(('10.2.0.20', 5001), timeout=10)
s.sendall(b'x' * 300000); s.shutdown(socket.SHUT_WR); print(s.recv(64).decode())")
wait $server
[ "$got" = 300000 ] || fail "TCP transfer: server counted '$got' bytes of 300000"

echo "--- migration emulator moves vm2 to dc1's switch"
/usr/bin/python3 "$testbed" migrate "$config" vm2 dc1 --prefix "$prefix" --downtime-ms 50
ovs-vsctl --timeout=5 port-to-br "${prefix}h-vm2" | grep -qx "$prefix-s-dc1" || fail "vm2 is not on s-dc1"
[ "$(ovs-vsctl --timeout=5 get interface "${prefix}h-vm2" ofport)" = 3 ] || fail "vm2 did not get its configured port"

/usr/bin/python3 "$testbed" down "$config" --prefix "$prefix"
# Namespace teardown is asynchronous in the kernel: give it a moment.
leftovers() { (ip netns list; ovs-vsctl --timeout=5 list-br; ip -o link | awk -F': ' '{print $2}') | grep "^$prefix[-a-z]" || true; }
for _ in $(seq 30); do [ -z "$(leftovers)" ] && break; sleep 0.1; done
[ -z "$(leftovers)" ] || fail "down left: $(leftovers | tr '\n' ' ')"
echo "testbed: WAN delays, TCP, migration emulator and teardown OK"
