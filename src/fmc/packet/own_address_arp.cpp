#include "fmc/packet/own_address_arp.hpp"

namespace fmc {

ctl::Effects answer_arp_as(const PacketContext& p, const net::MacAddr& mac) {
  ctl::Effects out;
  if (p.arp && p.arp->op == net::arp_op::kRequest)
    out.packet_out(p.dpid, of::port::kController, {of::Output{p.in_port, 0}}, net::build_arp_reply(*p.arp, mac));
  return out;
}

}  // namespace fmc
