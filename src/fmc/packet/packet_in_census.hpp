#pragma once
// Counts PACKET_INs by what they carry, for the metrics: how much of the
// controller's work is ARP, DHCP, path probes, data traffic (other IPv4:
// moves, misses) or noise.
#include <cstdint>

#include "fmc/packet/packet_context.hpp"

namespace fmc {

struct PacketInCensus {
  std::uint64_t arp = 0, rarp = 0, dhcp = 0, probe = 0, ipv4 = 0, other = 0, malformed = 0;

  void count(PacketKind kind) {
    switch (kind) {
      case PacketKind::kMalformed: ++malformed; break;
      case PacketKind::kProbeArp:
      case PacketKind::kRelayArp:
      case PacketKind::kArp: ++arp; break;
      case PacketKind::kRarp: ++rarp; break;
      case PacketKind::kDhcp: ++dhcp; break;
      case PacketKind::kProbe: ++probe; break;
      case PacketKind::kIpv4: ++ipv4; break;
      case PacketKind::kOther: ++other; break;
    }
  }
};

}  // namespace fmc
