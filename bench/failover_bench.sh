#!/usr/bin/env bash
# Failover time of a scope's mastership, repeated: two controllers on a real
# etcd and Open vSwitch; the master is killed with SIGKILL, the standby takes
# over, the killed one comes back as the new standby, N times. Prints p50/p99
# from kill -9 to the standby claiming the switch (ROLE_REQUEST MASTER, from
# its log); each round also checks the switch reports it MASTER.
# Usage: bench/failover_bench.sh [--rounds N]   (as root)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=10
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -x build/src/cli/fmc-controller ] || bash scripts/setup.sh
ROUNDS=$rounds bash tests/integration/mastership_failover.sh build/src/cli/fmc-controller | grep -E "^failover|^FAIL"
