#pragma once
// A PACKET_IN, classified once: the switch's site, the parsed headers, and
// the one kind that decides which app handles it (see dispatch in
// follow_me_app.cpp). Views point into the PACKET_IN's data.
#include <optional>

#include "fmc/model/network_model.hpp"
#include "net/arp.hpp"
#include "net/ethernet.hpp"
#include "net/udp.hpp"
#include "openflow/messages.hpp"

namespace fmc {

enum class PacketKind {
  kMalformed,    // not even an Ethernet header
  kProbeArp,     // ARP request for this site's probe address (the Path Monitor's)
  kRelayArp,     // ARP request for this site's DHCP relay agent address (the DHCP service's)
  kArp,          // any other ARP (the ARP proxy)
  kRarp,         // hypervisors' announcement of a migrated guest (the Mobility Detector)
  kDhcp,         // UDP to the DHCP server port (the DHCP service)
  kProbe,        // UDP to this site's probe address and port (the Path Monitor)
  kIpv4,         // other IPv4: a moved endpoint's traffic, or a miss (the Mobility Detector)
  kOther,
};
const char* to_string(PacketKind k);

struct PacketContext {
  of::Dpid dpid;
  of::PortNo in_port;
  const model::Site* site = nullptr;  // nullptr: a switch the model does not know
  Bytes frame;
  PacketKind kind = PacketKind::kMalformed;
  net::EthernetView eth;                 // valid unless kMalformed
  std::optional<net::ArpView> arp;       // ARP that parsed
  std::optional<net::UdpDatagram> udp;   // UDP over IPv4 that parsed
};

PacketContext classify(const model::NetworkModel& model, of::Dpid dpid, const of::PacketIn& pi);

}  // namespace fmc
