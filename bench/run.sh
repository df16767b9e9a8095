#!/usr/bin/env bash
# Controller benchmark, all peers side by side in one run on this machine:
#   fmc-controller (1 and 2 worker threads), ovs-testcontroller (Debian
#   openvswitch-testcontroller) and an os-ken learning switch (Debian
#   python3-os-ken; see bench/peers/) under the same load from fmc-loadgen.
#   ovs-testcontroller runs twice: as shipped (exact-match flows: every field
#   of the packet) and with --wildcards so that its flows match what ours
#   match (in_port, eth_src, eth_dst), like for like.
# Prints responses/s per controller, the packet-ins each dropped (unanswered
# for 500 ms: the load generator counts them and carries on), and the ratios to ours.
# The last rows are cbench's classic shape (OpenFlow 1.0, 16 switches, 1,000 MACs
# per switch); bench/README.md says how fmc-loadgen's counting differs from cbench's.
#
# Usage: bench/run.sh [--duration S] [--switches N] [--smoke]
#   --smoke  a 1-second functional check of the load generator against
#            fmc-controller only (used by the test suite; not a benchmark)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=10 switches=16 smoke=0
while [ $# -gt 0 ]; do
  case $1 in
    --duration) duration=$2; shift 2 ;;
    --switches) switches=$2; shift 2 ;;
    --smoke) smoke=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -x build/bench/fmc-loadgen ] || bash scripts/setup.sh
loadgen=build/bench/fmc-loadgen
work=$(mktemp -d)
peer_pid=""
stop_peer() {
  if [ -n "$peer_pid" ]; then kill "$peer_pid" 2>/dev/null || true; wait "$peer_pid" 2>/dev/null || true; fi
  peer_pid=""
}
trap 'stop_peer; rm -rf "$work"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_listening() {
  for _ in $(seq 100); do
    python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),timeout=0.2).close()" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "peer did not start listening on $1" >&2; return 1
}

start_peer() {  # name port
  # `exec` makes the backgrounded subshell become the peer, so $! is its PID.
  case $1 in
    fmc-1t) exec build/src/cli/fmc-controller --listen 127.0.0.1 --port "$2" --threads 1 --log-level warn --packet-in-rate 0 --packet-in-port-rate 0 ;;
    fmc-2t) exec build/src/cli/fmc-controller --listen 127.0.0.1 --port "$2" --threads 2 --log-level warn --packet-in-rate 0 --packet-in-port-rate 0 ;;
    ovs-testcontroller) exec ovs-testcontroller "ptcp:$2:127.0.0.1" ;;
    # OpenFlow 1.0 wildcard bits: all but IN_PORT (0x1), DL_SRC (0x4) and DL_DST (0x8).
    ovs-testcontroller-w) exec ovs-testcontroller --wildcards=0x3ffff2 "ptcp:$2:127.0.0.1" ;;
    os-ken) exec osken-manager --ofp-listen-host 127.0.0.1 --ofp-tcp-listen-port "$2" bench/peers/osken_l2_switch_13.py ;;
  esac >"$work/$1.log" 2>&1 &
  peer_pid=$!
  wait_listening "$2"
}

run() {  # peer of hosts mode -> prints the loadgen's JSON line; one retry with a fresh peer
  local port out attempt
  for attempt in 1 2; do
    port=$(free_port)
    start_peer "$1" "$port"
    if out=$("$loadgen" --port "$port" --of "$2" --hosts "$3" --mode "$4" --switches "$switches" --warmup 2 \
                        --duration "$duration" --json); then
      stop_peer; echo "$out"; return
    fi
    stop_peer
    echo "  $1 OpenFlow $2 $3: run $attempt failed (see above)" >&2
  done
  echo '{"responses_per_s":0,"dropped":0,"latency_p50_us":0,"latency_p99_us":0}'
}

if [ $smoke = 1 ]; then
  port=$(free_port)
  start_peer fmc-1t "$port"
  out=$("$loadgen" --port "$port" --switches 4 --warmup 0.5 --duration 1)
  stop_peer
  echo "$out"
  grep -q " 0 responses/s" <<<"$out" && { echo "smoke: no responses"; exit 1; }
  echo "smoke: load generator and controller exchange packet-ins and responses"
  exit 0
fi

field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])['$2'])" "$1"; }
declare -A rate drops p50 p99
# peer, OpenFlow version, MAC addresses per switch (1,000: cbench's shape)
cases=("fmc-1t 1.3 100" "fmc-2t 1.3 100" "ovs-testcontroller 1.3 100" "ovs-testcontroller-w 1.3 100" "os-ken 1.3 100"
       "fmc-1t 1.0 100" "ovs-testcontroller 1.0 100" "ovs-testcontroller-w 1.0 100"
       "fmc-1t 1.0 1000" "ovs-testcontroller-w 1.0 1000")
echo "fmc bench: $switches emulated switches, ${duration}s measured per run, $(nproc) cores shared by controller and load generator"
for c in "${cases[@]}"; do
  set -- $c
  echo "  running $1 OpenFlow $2, $3 MACs per switch ..." >&2
  j=$(run "$1" "$2" "$3" throughput); rate["$c"]=$(field "$j" responses_per_s); drops["$c"]=$(field "$j" dropped)
  j=$(run "$1" "$2" "$3" latency); p50["$c"]=$(field "$j" latency_p50_us); p99["$c"]=$(field "$j" latency_p99_us)
done

printf '\n%-20s %-4s %6s %14s %10s %12s %12s %10s\n' controller OF MACs "throughput/s" "dropped" "lat p50 us" "lat p99 us" \
  "ours/peer"
for c in "${cases[@]}"; do
  set -- $c
  ours=${rate["fmc-1t $2 $3"]}
  ratio=$(python3 -c "print(f'{$ours/${rate[$c]}:.1f}x' if ${rate[$c]} > 0 else 'n/a')")
  printf '%-20s %-4s %6s %14s %10s %12s %12s %10s\n' "$1" "$2" "$3" "${rate[$c]}" "${drops[$c]}" "${p50[$c]}" "${p99[$c]}" \
    "$ratio"
done
echo
echo "2-thread scaling (OpenFlow 1.3): $(python3 -c "print(f'{${rate["fmc-2t 1.3 100"]}/${rate["fmc-1t 1.3 100"]}:.2f}x')") of 1 thread"
