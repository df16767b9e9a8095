#!/usr/bin/env bash
# OpenFlow over TLS with mutual certificate authentication, against Open
# vSwitch's `ssl:` controller target, certificates made by ovs-pki:
#   a switch with a certificate the controller's CA signed connects and its
#   hosts ping through the learning switch; plain TCP to the TLS port and a
#   switch whose certificate another CA signed are refused and logged; the
#   switch connects again once it has a good certificate back.
# Usage: ovs_tls.sh FMC_CONTROLLER_BINARY   (as root)
set -euo pipefail
controller_bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../scripts/lib/ovs.sh"
source "$here/../../scripts/lib/controller.sh"

id=$(( $$ % 10000 ))
br="ftlsbr$id" h1="ftl${id}a" h2="ftl${id}b"
work=$(mktemp -d)
ctl_pid="" ssl_ours=""
cleanup() {
  [ -n "$ctl_pid" ] && kill "$ctl_pid" 2>/dev/null && wait "$ctl_pid" 2>/dev/null || true
  ovs-vsctl --timeout=5 --if-exists del-br "$br" || true
  [ -n "$ssl_ours" ] && ovs-vsctl --timeout=5 del-ssl 2>/dev/null || true
  ip link del "$br" 2>/dev/null || true
  host_del "$h1"; host_del "$h2"
  rm -rf "$work"
}
trap cleanup EXIT

step() { echo "--- $*"; }
fail() { echo "FAIL: $*"; echo "controller log:"; tail -n 30 "$work/controller.log" 2>/dev/null || true; exit 1; }
refusals() { grep -c "refused: TLS handshake failed" "$work/controller.log" || true; }
wait_refusals_above() {
  for _ in $(seq 100); do [ "$(refusals)" -gt "$1" ] && return 0; sleep 0.1; done
  return 1
}
ping_ok() { ip netns exec "$h1" ping -c 3 -i 0.2 -W 2 10.78.0.2 >/dev/null; }

ovs_ensure_running
if [ -n "$(ovs-vsctl --timeout=5 get-ssl)" ]; then
  fail "this Open vSwitch already has an SSL configuration (ovs-vsctl get-ssl): the test will not replace it"
fi

step "certificates: the operator's PKI (controller and switch CAs) and a rogue one"
(cd "$work" && ovs-pki --dir="$work/pki" init >/dev/null 2>&1 \
  && ovs-pki --dir="$work/pki" req+sign ctl controller >/dev/null 2>&1 \
  && ovs-pki --dir="$work/pki" req+sign sw switch >/dev/null 2>&1 \
  && ovs-pki --dir="$work/rogue" init >/dev/null 2>&1 \
  && ovs-pki --dir="$work/rogue" req+sign rogue switch >/dev/null 2>&1) || fail "ovs-pki"

controller_start "$controller_bin" "$work" --of-tls-cert "$work/ctl-cert.pem" --of-tls-key "$work/ctl-privkey.pem" \
  --of-tls-ca "$work/pki/switchca/cacert.pem" || fail "controller did not start"
grep -q "listening (TLS, switch certificates required)" "$work/controller.log" || fail "controller did not say it listens in TLS"

step "a switch with a certificate the switch CA signed connects over ssl:"
ssl_ours=1
ovs-vsctl --timeout=5 set-ssl "$work/sw-privkey.pem" "$work/sw-cert.pem" "$work/pki/controllerca/cacert.pem"
ovs-vsctl --timeout=5 add-br "$br" -- set bridge "$br" datapath_type=netdev protocols=OpenFlow13 \
  fail_mode=secure -- set-controller "$br" "ssl:127.0.0.1:$port"
host_add "$h1" 10.78.0.1/24 "$br"
host_add "$h2" 10.78.0.2/24 "$br"
ovs_wait_connected "$br" || fail "TLS handshake with OVS"
grep -q "TLS peer .*CN=sw id:" "$work/controller.log" || fail "the switch's certificate subject was not logged"
ping_ok || fail "ping through the learning switch over TLS"
[ "$(refusals)" -eq 0 ] || fail "a refusal was logged for a good certificate"

step "plain TCP to the TLS port: no OpenFlow in the clear, refused and logged"
python3 - "$port" <<'PY' || fail "the TLS port answered plain OpenFlow"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"\x04\x00\x00\x08\x00\x00\x00\x01")  # an OpenFlow 1.3 HELLO, in the clear
data = b""
try:
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
except OSError:
    pass
sys.exit(1 if data.startswith(b"\x04\x00") else 0)
PY
wait_refusals_above 0 || fail "the plain TCP peer was not logged as refused"

step "a switch whose certificate another CA signed is refused, and comes back with a good one"
before=$(refusals)
ovs-vsctl --timeout=5 set-ssl "$work/rogue-privkey.pem" "$work/rogue-cert.pem" "$work/pki/controllerca/cacert.pem"
ovs-vsctl --timeout=5 del-controller "$br"
ovs-vsctl --timeout=5 set-controller "$br" "ssl:127.0.0.1:$port"
wait_refusals_above "$before" || fail "the rogue certificate was not refused"
[ "$(ovs-vsctl --timeout=2 get controller "$br" is_connected)" = false ] || fail "the rogue switch is connected"
kill -0 "$ctl_pid" || fail "controller died"
ovs-vsctl --timeout=5 set-ssl "$work/sw-privkey.pem" "$work/sw-cert.pem" "$work/pki/controllerca/cacert.pem"
ovs-vsctl --timeout=5 del-controller "$br"
ovs-vsctl --timeout=5 set-controller "$br" "ssl:127.0.0.1:$port"
ovs_wait_connected "$br" || fail "the switch did not reconnect with its good certificate"
ping_ok || fail "ping after the reconnect"
echo "integration: OpenFlow over TLS with OVS OK ($(refusals) refusals logged)"
