# Shared helpers for scripts that start a real etcd (sourced, not run).
# Debian's etcd-server: every member on free loopback ports, its data and log
# under the caller's work directory. Call without a subshell, so the PIDs
# reach the caller's cleanup.

ETCD_PIDS=()

_etcd_free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
_etcd_ready() {  # client port
  python3 -c "import urllib.request as u; u.urlopen(u.Request('http://127.0.0.1:$1/v3/kv/range', data=b'{\"key\":\"AA==\"}'), timeout=1)" 2>/dev/null
}

# etcd_start_cluster NAME SIZE WORKDIR: starts SIZE members and waits until each answers.
# Sets ETCD_ENDPOINTS ("127.0.0.1:port,...") and appends the PIDs to ETCD_PIDS.
etcd_start_cluster() {
  local name=$1 size=$2 work=$3 i cluster="" clients=() peers=()
  for i in $(seq "$size"); do clients+=("$(_etcd_free_port)"); peers+=("$(_etcd_free_port)"); done
  for i in $(seq 0 $((size - 1))); do cluster+="${cluster:+,}$name$i=http://127.0.0.1:${peers[$i]}"; done
  for i in $(seq 0 $((size - 1))); do
    /usr/bin/etcd --name "$name$i" --data-dir "$work/$name$i" \
      --listen-client-urls "http://127.0.0.1:${clients[$i]}" --advertise-client-urls "http://127.0.0.1:${clients[$i]}" \
      --listen-peer-urls "http://127.0.0.1:${peers[$i]}" --initial-advertise-peer-urls "http://127.0.0.1:${peers[$i]}" \
      --initial-cluster "$cluster" --initial-cluster-token "$name" >"$work/$name$i.log" 2>&1 &
    ETCD_PIDS+=($!)
  done
  ETCD_ENDPOINTS=""
  for i in $(seq 0 $((size - 1))); do
    for _ in $(seq 300); do _etcd_ready "${clients[$i]}" && break; sleep 0.1; done
    _etcd_ready "${clients[$i]}" || { echo "etcd member $name$i did not start (see $work/$name$i.log)" >&2; return 1; }
    ETCD_ENDPOINTS+="${ETCD_ENDPOINTS:+,}127.0.0.1:${clients[$i]}"
  done
}

# Ends every member started here, by PID.
etcd_stop_all() {
  local p
  for p in "${ETCD_PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  ETCD_PIDS=()
}
