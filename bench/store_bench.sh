#!/usr/bin/env bash
# Store benchmark, side by side in one run: operations/s of the Follow-Me
# Cloud database on SQLite (the embedded default), on a single etcd member
# and on a three-member etcd cluster (Raft replication over loopback), all
# through the controller's write-behind queue (fmc-store-bench). Prints the
# rates and the ratio of each etcd to SQLite.
# Usage: bench/store_bench.sh [--ops N] [--smoke]
#   --smoke  1,000 operations each: a functional check, not a benchmark
set -euo pipefail
cd "$(dirname "$0")/.."
ops=20000
while [ $# -gt 0 ]; do
  case $1 in
    --ops) ops=$2; shift 2 ;;
    --smoke) ops=1000; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -x build/bench/fmc-store-bench ] || bash scripts/setup.sh
bench=$PWD/build/bench/fmc-store-bench
work=$(mktemp -d)
source scripts/lib/etcd.sh
cleanup() {
  etcd_stop_all
  rm -rf "$work"
}
trap cleanup EXIT

etcd_start_cluster one 1 "$work"
single=$ETCD_ENDPOINTS
etcd_start_cluster three 3 "$work"
three=$ETCD_ENDPOINTS
echo "fmc store bench: $ops operations each, through the write-behind queue, $(nproc) cores; etcd $(/usr/bin/etcd --version | head -n 1 | awk '{print $3}')"
declare -A rate
for store in "sqlite:$work/fmc.db" "etcd://$single" "etcd://$three"; do
  case $store in sqlite:*) label=sqlite ;; etcd://*,*) label=etcd-3 ;; *) label=etcd-1 ;; esac
  while read -r line; do
    op=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['op'])" "$line")
    rate["$label $op"]=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['per_s'])" "$line")
  done < <("$bench" --store "$store" --ops "$ops")
done
printf '\n%-18s %12s %12s %12s %14s %14s\n' operation sqlite/s etcd-1/s etcd-3/s "etcd-1/sqlite" "etcd-3/sqlite"
for op in endpoint_upsert lease_committed event_appended; do
  s=${rate["sqlite $op"]} e1=${rate["etcd-1 $op"]} e3=${rate["etcd-3 $op"]}
  printf '%-18s %12s %12s %12s %14s %14s\n' "$op" "$s" "$e1" "$e3" \
    "$(python3 -c "print(f'{$e1/$s:.2f}x')")" "$(python3 -c "print(f'{$e3/$s:.2f}x')")"
done
