#!/usr/bin/env bash
# The whole test suite: set-up, unit and golden tests, the pure layers and
# the runtime again under ASan/UBSan, the fuzzers for a short run, the
# integration tests on real Open vSwitch, and a load-generator smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
fuzz_seconds=${FMC_FUZZ_SECONDS:-45}

echo "== unit and golden tests"
ctest --test-dir build -L "unit|golden" --output-on-failure -j2

echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
cmake -S . -B build-asan -G Ninja -DFMC_SANITIZE=ON -DFMC_BENCH=OFF >/dev/null
cmake --build build-asan --target fmc_unit_all
ctest --test-dir build-asan -L unit --output-on-failure -j2

echo "== fuzzing the decoders (${fuzz_seconds}s each, two at a time)"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DFMC_FUZZ=ON -DFMC_SANITIZE=ON -DFMC_BENCH=OFF >/dev/null
cmake --build build-fuzz --target fmc-openflow_decode_fuzz fmc-packet_fuzz fmc-dhcp_fuzz fmc-fmc_packet_in_fuzz fmc-http_fuzz \
  fmc-etcd_response_fuzz
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
build/tests/fmc-golden-gen "$corpus/seed"
mkdir -p "$corpus/of" "$corpus/pkt" "$corpus/dhcp" "$corpus/fmc" "$corpus/http" "$corpus/etcd"
for v in of10 of13; do for f in "$corpus/seed/$v"/*.bin; do cp "$f" "$corpus/of/${v}_$(basename "$f")"; done; done
cp fuzz/corpus/dhcp/*.bin "$corpus/dhcp/"
cp fuzz/corpus/fmc_packet_in/*.bin "$corpus/fmc/"
cp fuzz/corpus/http/*.bin "$corpus/http/"
cp fuzz/corpus/etcd/*.bin "$corpus/etcd/"
# Two at a time (a fuzzer uses one core); each one's last line, or the end of its report if it failed.
fuzz() {  # fuzz NAME CORPUS [OPTION...]
  build-fuzz/fuzz/fmc-"$1" -max_total_time="$fuzz_seconds" "${@:3}" "$2" > "$corpus/$1.log" 2>&1
}
fuzzed() {  # fuzzed PID NAME
  if wait "$1"; then tail -n 1 "$corpus/$2.log"; else tail -n 60 "$corpus/$2.log"; return 1; fi
}
fuzz_pair() {  # fuzz_pair NAME CORPUS OPTIONS NAME CORPUS OPTIONS (OPTIONS: one word, or "")
  local failed=0 a b
  fuzz "$1" "$2" $3 & a=$!
  fuzz "$4" "$5" $6 & b=$!
  fuzzed "$a" "$1" || failed=1
  fuzzed "$b" "$4" || failed=1
  return "$failed"
}
fuzz_pair openflow_decode_fuzz "$corpus/of" -max_len=4096 packet_fuzz "$corpus/pkt" ""
fuzz_pair dhcp_fuzz "$corpus/dhcp" "" fmc_packet_in_fuzz "$corpus/fmc" ""
fuzz_pair http_fuzz "$corpus/http" -max_len=65536 etcd_response_fuzz "$corpus/etcd" ""

echo "== integration tests (real Open vSwitch, network namespaces)"
source scripts/lib/ovs.sh
ovs_ensure_running
ctest --test-dir build -L integration --output-on-failure

echo "== load generator smoke runs (functional checks, not benchmarks)"
bash bench/run.sh --smoke
bash bench/dhcp_bench.sh --smoke
bash bench/store_bench.sh --smoke
bash bench/scale/ovs_check.sh --smoke
