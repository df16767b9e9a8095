#!/usr/bin/env bash
# DHCP benchmark, side by side in one run: leases/s of the controller's own
# DHCP server and of ISC Kea 2.2 from Debian (kea-dhcp4, memfile with
# persistence), under the same load generator (fmc-dhcp-loadgen: N new
# clients doing DORA with a window in flight), each measured --repeat times
# (median, min-max).
#
#  1. The way a deployment sees them: the clients' UDP frames on a link of a
#     real Open vSwitch access switch (userspace datapath) that the
#     controller runs. fmc serves them; or fmc relays them (giaddr, option 82)
#     out of the switch's uplink to Kea (1 and 2 threads), the controller's
#     relay mode.
#  2. Each server alone, in process: fmc reached as an emulated OpenFlow
#     switch (PACKET_INs coalesced on one TCP connection), Kea as a relay
#     agent one veth away. Not what a deployment sees; kept as its own line.
# Kea's perfdhcp is run against Kea as a cross-check. Prints leases/s and the ratios.
#
# Usage: bench/dhcp_bench.sh [--clients N] [--window N] [--repeat N] [--smoke]   (as root)
#   --smoke  500 clients through every path once; a functional check, not a benchmark
set -euo pipefail
cd "$(dirname "$0")/.."
clients=10000 window=64 repeat=5 smoke=0
while [ $# -gt 0 ]; do
  case $1 in
    --clients) clients=$2; shift 2 ;;
    --window) window=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --smoke) smoke=1; clients=500; repeat=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -x build/bench/fmc-dhcp-loadgen ] || bash scripts/setup.sh
source scripts/lib/ovs.sh
loadgen=$PWD/build/bench/fmc-dhcp-loadgen
work=$(mktemp -d)
srv=fmcb-kea gen=fmcb-gen cli=fmcb-cli up=fmcb-up bridge=fmcb-acc
pids=()
cleanup() {
  local code=$?
  if [ "$code" != 0 ]; then  # what the runs said, before it goes
    echo "dhcp_bench: failed; the runs so far:" >&2; cat "$work/details" >&2 2>/dev/null || true
    tail -n 20 "$work/fmc.log" "$work/kea.out" "$work/kea.log" >&2 2>/dev/null || true
  fi
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  ovs-vsctl --if-exists del-br "$bridge" 2>/dev/null || true
  for ns in "$srv" "$gen" "$cli" "$up"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
veth() {  # a b: a veth pair, both ends up
  ip link add "$1" type veth peer name "$2"; ip link set "$1" up; ip link set "$2" up
}
into() {  # link ns: moves the link into the namespace, up
  ip link set "$1" netns "$2"; ip -n "$2" link set "$1" up; ip -n "$2" link set lo up
}
for ns in "$srv" "$gen" "$cli" "$up"; do ip netns add "$ns"; done

# In process: Kea and the relay-side load generator, one veth apart.
veth fmcb-s fmcb-g; into fmcb-s "$srv"; into fmcb-g "$gen"
ip -n "$srv" addr add 192.0.2.1/24 dev fmcb-s; ip -n "$gen" addr add 192.0.2.2/24 dev fmcb-g

# Same transport: an OVS access switch (dpid 0xb1) with the clients' link on port 2
# and, on its uplink (port 1), the server side: the router's MAC and Kea's address,
# the access network (giaddr 10.200.0.2) on the link.
ovs_ensure_running
veth fmcb-c fmcb-co; into fmcb-c "$cli"
veth fmcb-u fmcb-uo; into fmcb-u "$up"
ip -n "$up" link set fmcb-u address 02:fe:00:00:c8:01
ip -n "$up" addr add 192.0.2.1/24 dev fmcb-u
ip -n "$up" route add 10.200.0.0/16 dev fmcb-u
ovs-vsctl add-br "$bridge" -- set bridge "$bridge" datapath_type=netdev fail-mode=secure protocols=OpenFlow13 \
  other-config:datapath-id=00000000000000b1 \
  -- add-port "$bridge" fmcb-uo -- set interface fmcb-uo ofport_request=1 \
  -- add-port "$bridge" fmcb-co -- set interface fmcb-co ofport_request=2

kea_conf() {  # threads interface giaddr -> config on stdout
  local mt=""
  [ "$1" -gt 1 ] && mt="\"multi-threading\": {\"enable-multi-threading\": true, \"thread-pool-size\": $1, \"packet-queue-size\": 64},"
  cat <<JSON
{"Dhcp4": { $mt
  "interfaces-config": {"interfaces": ["$2"], "dhcp-socket-type": "udp"},
  "lease-database": {"type": "memfile", "persist": true, "name": "$work/kea-leases.csv", "lfc-interval": 0},
  "valid-lifetime": 3600,
  "subnet4": [{"id": 1, "subnet": "10.200.0.0/16", "pools": [{"pool": "10.200.0.10 - 10.200.255.250"}],
               "relay": {"ip-addresses": ["$3"]}, "option-data": [{"name": "routers", "data": "10.200.0.1"}]}],
  "loggers": [{"name": "kea-dhcp4", "output_options": [{"output": "$work/kea.log"}], "severity": "WARN"}]
}}
JSON
}

start_kea() {  # threads namespace interface giaddr
  rm -f "$work"/kea-leases.csv*
  kea_conf "$1" "$3" "$4" >"$work/kea.json"
  KEA_PIDFILE_DIR=$work KEA_LOCKFILE_DIR=$work ip netns exec "$2" kea-dhcp4 -c "$work/kea.json" >>"$work/kea.out" 2>&1 &
  kea_pid=$!; pids+=("$kea_pid")
  for _ in $(seq 50); do ip netns exec "$2" ss -uln | grep -q '192.0.2.1:67' && return 0; sleep 0.1; done
  echo "kea-dhcp4 did not start:" >&2; cat "$work/kea.out" >&2; return 1
}
stop() { kill "$1"; wait "$1" 2>/dev/null || true; }

start_fmc() {  # network [connect]: with connect, the access switch is its
  rm -f "$work"/fmc.db* "$work/port"
  # All the clients are on one port: the PACKET_IN caps, made for real users, are off.
  build/src/cli/fmc-controller --listen 127.0.0.1 --port 0 --port-file "$work/port" --network "$1" \
    --db "$work/fmc.db" --log-level warn --packet-in-rate 0 --packet-in-port-rate 0 >>"$work/fmc.log" 2>&1 &
  fmc_pid=$!; pids+=("$fmc_pid")
  for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
  [ -s "$work/port" ] || { echo "fmc-controller did not start:" >&2; cat "$work/fmc.log" >&2; return 1; }
  if [ "${2:-}" = connect ]; then
    ovs-vsctl set-controller "$bridge" "tcp:127.0.0.1:$(cat "$work/port")"
    ovs_wait_connected "$bridge"
    # Its pipeline is in once the switch holds flows (the DHCP rules among them).
    for _ in $(seq 50); do [ "$(ovs-ofctl -O OpenFlow13 dump-flows "$bridge" | grep -c cookie=)" -gt 1 ] && return 0; sleep 0.1; done
    echo "the controller installed no flows on $bridge" >&2; return 1
  fi
}
stop_fmc() { stop "$fmc_pid"; ovs-vsctl del-controller "$bridge"; }

rate() { python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["leases_per_s"])'; }
gen() {  # namespace (- for this one) transport... -> leases/s; every run's JSON kept in details
  local ns=$1; shift
  if [ "$ns" = - ]; then "$loadgen" --clients "$clients" --window "$window" --json "$@"
  else ip netns exec "$ns" "$loadgen" --clients "$clients" --window "$window" --json "$@"; fi | tee -a "$work/details" | rate
}

# One sample of each case; a fresh server (no leases) every time.
sample() {
  case $1 in
    udp-fmc) start_fmc bench/dhcp_bench.yaml connect; gen "$cli" --raw fmcb-c; stop_fmc ;;
    udp-kea1|udp-kea2)
      start_kea "${1: -1}" "$up" fmcb-u 10.200.0.2; start_fmc bench/dhcp_bench_relay.yaml connect
      gen "$cli" --raw fmcb-c; stop_fmc; stop "$kea_pid" ;;
    inproc-fmc) start_fmc bench/dhcp_bench.yaml; gen - --openflow "127.0.0.1:$(cat "$work/port")"; stop "$fmc_pid" ;;
    inproc-kea1|inproc-kea2)
      start_kea "${1: -1}" "$srv" fmcb-s 192.0.2.2; gen "$gen" --relay 192.0.2.1 --giaddr 192.0.2.2; stop "$kea_pid" ;;
  esac
}

cases=(udp-fmc udp-kea1 udp-kea2 inproc-fmc inproc-kea1 inproc-kea2)
[ "$smoke" = 1 ] && cases=(udp-fmc udp-kea1 inproc-fmc inproc-kea1)
declare -A samples
echo "== $clients new clients, window $window, same load generator (fmc-dhcp-loadgen), $repeat runs of each, interleaved"
for r in $(seq "$repeat"); do
  for c in "${cases[@]}"; do
    sample "$c" >"$work/sample"  # not in a subshell: a failed run's servers are the trap's to stop
    v=$(cat "$work/sample")
    samples[$c]+="$v "
    echo "  run $r $c: $v leases/s" >&2
  done
done
if [ "$smoke" = 1 ]; then
  cat "$work/details"
  echo "smoke: every DHCP path bound every client (clients' UDP through OVS to fmc and, relayed, to Kea; in process)"
  exit 0
fi
stats() { python3 -c 'import statistics,sys; v=sorted(map(float,sys.argv[1:])); print(f"{statistics.median(v):.0f} {v[0]:.0f} {v[-1]:.0f}")' $1; }
start_kea 2 "$srv" fmcb-s 192.0.2.2
perf=$(ip netns exec "$gen" timeout 60 perfdhcp -4 -r 10000 -R "$clients" -n "$clients" -p 10 -l fmcb-g 192.0.2.1 2>&1 \
       | sed -n "s/^Rate: \([0-9.]*\) 4-way.*/\1/p" | head -1 || true)
stop "$kea_pid"
label() {
  case $1 in
    udp-fmc) echo "clients' UDP via OVS | fmc-controller serving" ;;
    udp-kea1) echo "clients' UDP via OVS | kea-dhcp4 1 thread, fmc relaying" ;;
    udp-kea2) echo "clients' UDP via OVS | kea-dhcp4 2 threads, fmc relaying" ;;
    inproc-fmc) echo "in process (no link) | fmc-controller, emulated switch" ;;
    inproc-kea1) echo "in process (no link) | kea-dhcp4 1 thread, relay on a veth" ;;
    inproc-kea2) echo "in process (no link) | kea-dhcp4 2 threads, relay on a veth" ;;
  esac
}
printf '\n%-62s %10s %17s %10s\n' "transport | server" "median/s" "min-max" "ours/peer"
for c in "${cases[@]}"; do
  read -r med lo hi <<<"$(stats "${samples[$c]}")"
  ours=$(stats "${samples[${c%-*}-fmc]}" | cut -d' ' -f1)
  printf '%-62s %10s %17s %9.1fx\n' "$(label "$c")" "$med" "$lo-$hi" "$(python3 -c "print($ours/$med)")"
done
echo "cross-check: perfdhcp against kea-dhcp4 (2 threads, in process, offered 10000/s): ${perf:-?} exchanges/s"
echo "details (one JSON line per run):"; cat "$work/details"
