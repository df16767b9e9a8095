#pragma once
// ARP for addresses the controller itself owns in a site (the DHCP relay
// agent, the Path Monitor's probe address): nobody else answers for them.
#include "controller/datapath.hpp"
#include "net/ethernet.hpp"

namespace fmc {

// If `eth` is an ARP request for `ip`, answers it as `mac` out of the port it
// came in on and returns true.
bool answer_arp_for(ctl::Datapath& dp, const of::PacketIn& pi, const net::EthernetView& eth, net::Ipv4Addr ip,
                    const net::MacAddr& mac);

}  // namespace fmc
