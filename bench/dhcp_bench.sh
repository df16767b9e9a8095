#!/usr/bin/env bash
# DHCP benchmark, side by side in one run: leases/s of the controller's own
# DHCP server (fmc-controller, reached as an OpenFlow access switch) and of
# ISC Kea 2.2 from Debian (kea-dhcp4, memfile with persistence, single- and
# multi-threaded, reached as a relay agent over a veth pair between two
# namespaces), under the same load generator (fmc-dhcp-loadgen: N new
# clients doing DORA with a window in flight). Kea's own perfdhcp is run
# against Kea as a cross-check. Prints leases/s and the ratios.
#
# Usage: bench/dhcp_bench.sh [--clients N] [--window N] [--smoke]   (as root)
#   --smoke  500 clients through both paths; a functional check, not a benchmark
set -euo pipefail
cd "$(dirname "$0")/.."
clients=10000 window=64 smoke=0
while [ $# -gt 0 ]; do
  case $1 in
    --clients) clients=$2; shift 2 ;;
    --window) window=$2; shift 2 ;;
    --smoke) smoke=1; clients=500; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -x build/bench/fmc-dhcp-loadgen ] || bash scripts/setup.sh
loadgen=$PWD/build/bench/fmc-dhcp-loadgen
work=$(mktemp -d)
srv=fmcb-kea gen=fmcb-gen
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  ip netns del "$srv" 2>/dev/null || true
  ip netns del "$gen" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Kea and the relay-side load generator, one veth apart.
ip netns add "$srv"; ip netns add "$gen"
ip link add fmcb-s type veth peer name fmcb-g
ip link set fmcb-s netns "$srv"; ip link set fmcb-g netns "$gen"
ip -n "$srv" addr add 192.0.2.1/24 dev fmcb-s; ip -n "$gen" addr add 192.0.2.2/24 dev fmcb-g
for ns in "$srv" "$gen"; do ip -n "$ns" link set lo up; done
ip -n "$srv" link set fmcb-s up; ip -n "$gen" link set fmcb-g up

kea_conf() {  # threads -> config on stdout
  local mt=""
  [ "$1" -gt 1 ] && mt="\"multi-threading\": {\"enable-multi-threading\": true, \"thread-pool-size\": $1, \"packet-queue-size\": 64},"
  cat <<JSON
{"Dhcp4": { $mt
  "interfaces-config": {"interfaces": ["fmcb-s"], "dhcp-socket-type": "udp"},
  "lease-database": {"type": "memfile", "persist": true, "name": "$work/kea-leases.csv", "lfc-interval": 0},
  "valid-lifetime": 3600,
  "subnet4": [{"id": 1, "subnet": "10.200.0.0/16", "pools": [{"pool": "10.200.0.10 - 10.200.255.250"}],
               "relay": {"ip-addresses": ["192.0.2.2"]}, "option-data": [{"name": "routers", "data": "10.200.0.1"}]}],
  "loggers": [{"name": "kea-dhcp4", "output_options": [{"output": "$work/kea.log"}], "severity": "WARN"}]
}}
JSON
}

start_kea() {  # threads
  rm -f "$work"/kea-leases.csv*
  kea_conf "$1" >"$work/kea.json"
  KEA_PIDFILE_DIR=$work KEA_LOCKFILE_DIR=$work ip netns exec "$srv" kea-dhcp4 -c "$work/kea.json" >>"$work/kea.out" 2>&1 &
  kea_pid=$!; pids+=("$kea_pid")
  for _ in $(seq 50); do ip netns exec "$srv" ss -uln | grep -q '192.0.2.1:67' && return 0; sleep 0.1; done
  echo "kea-dhcp4 did not start:" >&2; cat "$work/kea.out" >&2; return 1
}
stop() { kill "$1"; wait "$1" 2>/dev/null || true; }

start_fmc() {
  rm -f "$work"/fmc.db*
  build/src/cli/fmc-controller --listen 127.0.0.1 --port 0 --port-file "$work/port" --network bench/dhcp_bench.yaml \
    --db "$work/fmc.db" --log-level warn >>"$work/fmc.log" 2>&1 &
  fmc_pid=$!; pids+=("$fmc_pid")
  for _ in $(seq 50); do [ -s "$work/port" ] && return 0; sleep 0.1; done
  echo "fmc-controller did not start:" >&2; cat "$work/fmc.log" >&2; return 1
}

rate() { python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["leases_per_s"])'; }

echo "== $clients new clients, window $window, same load generator (fmc-dhcp-loadgen)"
rm -f "$work/port"; start_fmc
fmc=$("$loadgen" --openflow "127.0.0.1:$(cat "$work/port")" --clients "$clients" --window "$window" --json)
stop "$fmc_pid"
start_kea 1
kea1=$(ip netns exec "$gen" "$loadgen" --relay 192.0.2.1 --giaddr 192.0.2.2 --clients "$clients" --window "$window" --json)
stop "$kea_pid"
if [ "$smoke" = 1 ]; then
  echo "fmc: $fmc"; echo "kea: $kea1"
  echo "smoke: both DHCP paths bound every client"
  exit 0
fi
start_kea 2
kea2=$(ip netns exec "$gen" "$loadgen" --relay 192.0.2.1 --giaddr 192.0.2.2 --clients "$clients" --window "$window" --json)
perf=$(ip netns exec "$gen" timeout 60 perfdhcp -4 -r 10000 -R "$clients" -n "$clients" -p 10 -l fmcb-g 192.0.2.1 2>&1 \
       | sed -n "s/^Rate: \([0-9.]*\) 4-way.*/\1/p" | head -1 || true)
stop "$kea_pid"
f=$(echo "$fmc" | rate); k1=$(echo "$kea1" | rate); k2=$(echo "$kea2" | rate)
printf '%-36s %12s %10s\n' server leases/s ours/peer
printf '%-36s %12s %10s\n' "fmc-controller (in-controller server)" "$f" "1.0x"
printf '%-36s %12s %9.1fx\n' "kea-dhcp4 2.2, 1 thread" "$k1" "$(python3 -c "print($f/$k1)")"
printf '%-36s %12s %9.1fx\n' "kea-dhcp4 2.2, 2 threads" "$k2" "$(python3 -c "print($f/$k2)")"
echo "cross-check: perfdhcp against kea-dhcp4 (2 threads, offered 10000/s): ${perf:-?} exchanges/s"
echo "details: fmc $fmc"
echo "         kea $kea1"
echo "         kea-mt $kea2"
