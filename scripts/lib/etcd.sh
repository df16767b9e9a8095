# Shared helpers for scripts that start a real etcd (sourced, not run).
# Debian's etcd-server: every member on free loopback ports, its data and log
# under the caller's work directory. Call without a subshell, so the PIDs
# reach the caller's cleanup. Heartbeat 50 ms and election timeout 500 ms (a
# LAN's tuning; the defaults are 100/1000): a new leader within about a
# second, well inside 6/10 of the controllers' 3 s mastership TTL, so losing
# the leader does not move a scope's mastership. ETCD_TUNING="" runs etcd's
# defaults instead.

ETCD_PIDS=()
ETCD_CMDS=()  # each member's command line, to start it again

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
    ETCD_CMDS+=("/usr/bin/etcd --name $name$i --data-dir $work/$name$i \
      --listen-client-urls http://127.0.0.1:${clients[$i]} --advertise-client-urls http://127.0.0.1:${clients[$i]} \
      --listen-peer-urls http://127.0.0.1:${peers[$i]} --initial-advertise-peer-urls http://127.0.0.1:${peers[$i]} \
      --initial-cluster $cluster --initial-cluster-token $name \
      ${ETCD_TUNING-"--heartbeat-interval 50 --election-timeout 500"}")
    ${ETCD_CMDS[-1]} >>"$work/$name$i.log" 2>&1 &
    ETCD_PIDS+=($!)
  done
  ETCD_ENDPOINTS=""
  for i in $(seq 0 $((size - 1))); do
    for _ in $(seq 300); do _etcd_ready "${clients[$i]}" && break; sleep 0.1; done
    _etcd_ready "${clients[$i]}" || { echo "etcd member $name$i did not start (see $work/$name$i.log)" >&2; return 1; }
    ETCD_ENDPOINTS+="${ETCD_ENDPOINTS:+,}127.0.0.1:${clients[$i]}"
  done
}

# etcd_leader: prints the index (0-based, start order) of the member that leads the cluster.
etcd_leader() {
  local i=0 ep
  for ep in ${ETCD_ENDPOINTS//,/ }; do
    if _etcd_status_says "$ep" "s['header']['member_id'] == s['leader']"; then
      echo "$i"; return 0
    fi
    i=$((i + 1))
  done
  return 1
}

# _etcd_status_says HOST:PORT CONDITION: the member answers its status (s) and CONDITION holds of it.
_etcd_status_says() {
  python3 -c "
import json, sys, urllib.request as u
s = json.load(u.urlopen(u.Request('http://$1/v3/maintenance/status', data=b'{}'), timeout=1))
sys.exit(0 if $2 else 1)" 2>/dev/null
}

# etcd_member_joined I: the I-th member answers and names a leader (it is back in the cluster and votes).
etcd_member_joined() {
  _etcd_status_says "$(echo "$ETCD_ENDPOINTS" | cut -d, -f$(($1 + 1)))" "int(s.get('leader', 0)) != 0"
}

# etcd_kill_member I: SIGKILL of the I-th member started here (0-based, in start order).
etcd_kill_member() {
  kill -9 "${ETCD_PIDS[$1]}" 2>/dev/null || true
  wait "${ETCD_PIDS[$1]}" 2>/dev/null || true
}

# etcd_restart_member I WORKDIR: starts the I-th member again on its data.
etcd_restart_member() {
  ${ETCD_CMDS[$1]} >>"$2/restart$1.log" 2>&1 &
  ETCD_PIDS[$1]=$!
}

# Ends every member started here, by PID.
etcd_stop_all() {
  local p
  for p in "${ETCD_PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  ETCD_PIDS=()
ETCD_CMDS=()  # each member's command line, to start it again
}
