#!/usr/bin/env bash
# Leases survive kill -9 and are never handed out twice (issue 4's bar):
#  1. 30,000 simulated clients (fmc-dhcp-loadgen as an OpenFlow access
#     switch) ask the controller for leases; it is killed with SIGKILL in
#     the middle of the run;
#  2. restarted on the same database, 2,000 new clients come first and get
#     none of the ACKed addresses (a lease ACKed but not stored would be
#     free again and go to a newcomer);
#  3. the same 30,000 clients all get an address, every client ACKed before
#     the kill gets the same one again, and no address is given to two
#     clients, newcomers included.
# With "etcd", the database is a real etcd (started here on free ports)
# instead of SQLite: the same bar, through --store etcd://.
# Usage: dhcp_restart.sh FMC_CONTROLLER FMC_DHCP_LOADGEN [sqlite|etcd]
set -euo pipefail
controller=$(realpath "$1") loadgen=$(realpath "$2") store_kind=${3:-sqlite}
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  if [ "$store_kind" = etcd ]; then etcd_stop_all; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL $*"; tail -n 20 "$work/controller.log" 2>/dev/null; exit 1; }

store=(--db "$work/fmc.db")
if [ "$store_kind" = etcd ]; then
  source scripts/lib/etcd.sh
  etcd_start_cluster fmc-test 1 "$work" || fail "etcd did not start"
  store=(--store "etcd://$ETCD_ENDPOINTS")
  echo "etcd on $ETCD_ENDPOINTS"
fi

start() {
  rm -f "$work/port"
  "$controller" --listen 127.0.0.1 --port 0 --port-file "$work/port" --network bench/dhcp_bench.yaml \
    "${store[@]}" --log-level warn >>"$work/controller.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do [ -s "$work/port" ] && return 0; sleep 0.05; done
  fail "controller did not start"
}
gen() { "$loadgen" --openflow "127.0.0.1:$(cat "$work/port")" "$@"; }

start
gen --clients 30000 --seed 11 --out "$work/before" >"$work/before.txt" 2>&1 &
gen_pid=$!
sleep 0.3
kill -9 "$pid"; wait "$pid" 2>/dev/null || true; pid=""
wait "$gen_pid" || true

acked=$(wc -l <"$work/before")
echo "killed mid-run with $acked of 30000 clients ACKed"
[ "$acked" -gt 0 ] || fail "no client was ACKed before the kill (start the kill later?)"

start
gen --clients 2000 --seed 12 --out "$work/newcomers" || fail "newcomers were not all served"
cut -d' ' -f2 "$work/before" | sort >"$work/b"
cut -d' ' -f2 "$work/newcomers" | sort >"$work/n"
taken=$(comm -12 "$work/b" "$work/n" | wc -l)
[ "$taken" -eq 0 ] || fail "$taken addresses ACKed before the kill were given to newcomers after it"
echo "ok   2000 newcomers after the restart got none of the $acked ACKed addresses"

gen --clients 30000 --seed 11 --out "$work/after" || fail "after the restart not every client got a distinct lease"
sort "$work/before" >"$work/before.sorted"
sort "$work/after" >"$work/after.sorted"
changed=$(comm -23 "$work/before.sorted" "$work/after.sorted" | wc -l)
[ "$changed" -eq 0 ] || fail "$changed clients ACKed before the kill got another address after it"
echo "ok   all $acked clients ACKed before the kill have the same address after the restart"
cat "$work/after" "$work/newcomers" | cut -d' ' -f2 | sort | uniq -d >"$work/dups"
[ ! -s "$work/dups" ] || fail "addresses given to two clients: $(head -3 "$work/dups" | tr '\n' ' ')"
echo "ok   32000 clients, 32000 distinct addresses"
