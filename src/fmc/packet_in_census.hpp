#pragma once
// Counts PACKET_INs by what they carry (first in the app order; consumes
// nothing), for the metrics: how much of the controller's work is ARP,
// DHCP, path probes, data traffic (other IPv4: moves, misses) or noise.
#include <cstdint>

#include "controller/app.hpp"
#include "net/dhcp.hpp"
#include "net/ethernet.hpp"
#include "net/udp.hpp"

namespace fmc {

struct PacketInCensus final : ctl::App {
  std::uint64_t arp = 0, rarp = 0, dhcp = 0, probe = 0, ipv4 = 0, other = 0, malformed = 0;
  std::uint16_t probe_port = 0;  // the Path Monitor's UDP port: its probes are not traffic

  std::string_view name() const override { return "packet_in_census"; }
  ctl::Disposition on_packet_in(ctl::Datapath&, const of::PacketIn& pi) override {
    const auto eth = net::EthernetView::parse(pi.data);
    if (!eth) ++malformed;
    else if (eth->ethertype == net::ethertype::kArp) ++arp;
    else if (eth->ethertype == net::ethertype::kRarp) ++rarp;
    else if (const auto udp = net::parse_udp(*eth); udp && udp->udp.dst_port == net::kDhcpServerPort) ++dhcp;
    else if (udp && probe_port && udp->udp.dst_port == probe_port) ++probe;
    else if (eth->ethertype == net::ethertype::kIpv4) ++ipv4;
    else ++other;
    return ctl::Disposition::kContinue;
  }
};

}  // namespace fmc
