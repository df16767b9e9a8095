#pragma once
// ARP for addresses the controller itself owns in a site (the DHCP relay
// agent, the Path Monitor's probe address): nobody else answers for them.
#include "controller/effects.hpp"
#include "fmc/packet/packet_context.hpp"

namespace fmc {

// Answers the ARP request `p` (classified as one for an address of ours) as
// `mac`, out of the port it came in on.
ctl::Effects answer_arp_as(const PacketContext& p, const net::MacAddr& mac);

}  // namespace fmc
