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
  libssl-dev openssl                                        # TLS for the API; test certificates
  libvirt-dev                                               # the libvirt migration driver (and its test hypervisor)
  libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients # a real libvirtd per data center (virsh for the testbed)
  clang libclang-rt-14-dev                                  # libFuzzer + sanitizers
  openvswitch-switch openvswitch-testcontroller             # the switch, a peer controller
  python3 python3-os-ken                                    # the os-ken peer controller
  tshark                                                    # independent OpenFlow decoder
  iproute2 iputils-ping iputils-arping ethtool procps      # namespaces, ping, gratuitous ARP
  python3-yaml python3-prometheus-client                   # testbed YAML; a Prometheus parser for the tests
  librsvg2-bin                                              # the experiment's plot as PNG
  busybox-static kea-dhcp4-server kea-admin                 # DHCP clients (udhcpc), guest userland; ISC Kea + perfdhcp
  qemu-system-x86 linux-image-amd64 cpio                    # the testbed's real VM: QEMU, Debian's kernel, initramfs
  etcd-server etcd-client                                   # the distributed store (a real Raft cluster)
  curl systemd adduser                                      # the .deb's test: its API, systemd-analyze verify, the fmc user
  chromium fonts-dejavu-core                                # the dashboard's browser test (headless)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm bundle the dashboard at build time (web/dashboard). Debian's packages
# unless the machine already has them (a nodejs from elsewhere may bring its own npm).
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# libvirtd's QEMU driver will not start without the user and group it was built
# for (Debian's libvirt-daemon-system creates them; it also starts a system
# daemon, which the testbed does not want), even when told to run guests as root.
getent group libvirt-qemu >/dev/null || groupadd --system libvirt-qemu
getent passwd libvirt-qemu >/dev/null ||
  useradd --system --no-create-home --shell /usr/sbin/nologin --gid libvirt-qemu libvirt-qemu

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build

# The testbed's guest: Debian's kernel and a busybox initramfs (rebuilt when
# its sources or the kernel change).
guest=/var/lib/fmc-testbed/guest
if [ ! -e "$guest/initramfs.cpio.gz" ] || [ testbed/guest/init -nt "$guest/initramfs.cpio.gz" ] ||
   [ testbed/guest/build_initramfs.sh -nt "$guest/initramfs.cpio.gz" ] ||
   [ "$(ls -1 /boot/vmlinuz-* | sort -V | tail -n 1)" -nt "$guest/vmlinuz" ]; then
  bash testbed/guest/build_initramfs.sh "$guest"
fi
