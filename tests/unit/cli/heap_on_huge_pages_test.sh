#!/usr/bin/env bash
# The controller started by hand puts its heap on transparent huge pages
# (src/util/huge_pages.hpp): where the kernel gives them on request it starts
# itself again, same PID, with glibc.malloc.hugetlb=1 added to the operator's
# GLIBC_TUNABLES, and its log says what the heap uses; the operator's own value
# of the tunable is kept. Usage: heap_on_huge_pages_test.sh FMC_CONTROLLER NETWORK_YAML
set -euo pipefail
controller=$1 network=$2
dir=$(mktemp -d) pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -f "$dir/log" ] && tail -n 20 "$dir/log"; exit 1; }

# start TUNABLES...: the controller with GLIBC_TUNABLES set to TUNABLES ("-" for unset), until it has logged its heap.
start() {
  rm -f "$dir/log" "$dir/fmc.db"
  local tunables=(GLIBC_TUNABLES="$1")
  [ "$1" = - ] && tunables=(-u GLIBC_TUNABLES)
  env "${tunables[@]}" "$controller" --network "$network" --db "$dir/fmc.db" --port 0 2> "$dir/log" & pid=$!
  for _ in $(seq 200); do  # up to 20 s
    grep -q '"msg":"heap ' "$dir/log" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || fail "the controller exited: $(cat "$dir/log")"
    sleep 0.1
  done
  fail "no line about the heap in the controller's log"
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }
# expect MESSAGE [TUNABLES]: what the running controller logged of its heap, and its GLIBC_TUNABLES as it
# started (/proc/PID/environ; glibc's parsing of a list of several tunables overwrites it, so one only).
expect() {
  grep -qF "\"msg\":\"$1" "$dir/log" || fail "want a log line '$1'"
  [ $# -eq 1 ] && return 0
  local environ
  environ=$(tr '\0' '\n' < "/proc/$pid/environ" | sed -n 's/^GLIBC_TUNABLES=//p')
  [ "$environ" = "$2" ] || fail "GLIBC_TUNABLES: want '$2', got '$environ'"
}

mode=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || true)
case "$mode" in
  *"[madvise]"*)
    start -
    expect "heap on transparent huge pages (glibc.malloc.hugetlb=1)" "glibc.malloc.hugetlb=1"
    stop
    start "glibc.malloc.arena_max=2"  # the restarted program finds the tunable beside the operator's
    expect "heap on transparent huge pages (glibc.malloc.hugetlb=1)"
    stop ;;
  *"[always]"*)
    start -
    expect "heap on transparent huge pages (the kernel's mode is" ""
    stop ;;
  *)
    start -
    expect "heap on small pages (the kernel gives no transparent huge pages)" ""
    stop ;;
esac
start "glibc.malloc.hugetlb=0"
expect "heap pages as GLIBC_TUNABLES sets glibc.malloc.hugetlb (not 1)" "glibc.malloc.hugetlb=0"
stop
echo "heap on huge pages OK (kernel mode: ${mode:-none})"
