#!/usr/bin/env bash
# Installs whatever is missing on a Debian 12 machine (run as root) and
# builds the project into build/. Safe to run again: it only installs what
# is missing and rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config git          # toolchain
  libgtest-dev libgmock-dev libbenchmark-dev libasio-dev    # libraries
  libyaml-cpp-dev libsqlite3-dev nlohmann-json3-dev         # config, embedded store, JSON
  clang libclang-rt-14-dev                                  # libFuzzer + sanitizers
  openvswitch-switch openvswitch-testcontroller             # the switch, a peer controller
  python3 python3-os-ken                                    # the os-ken peer controller
  tshark                                                    # independent OpenFlow decoder
  iproute2 iputils-ping iputils-arping ethtool procps      # namespaces, ping, gratuitous ARP
  python3-yaml python3-prometheus-client                   # testbed YAML; a Prometheus parser for the tests
  librsvg2-bin                                              # the experiment's plot as PNG
  busybox kea-dhcp4-server kea-admin                        # DHCP clients (udhcpc), ISC Kea + perfdhcp
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build
