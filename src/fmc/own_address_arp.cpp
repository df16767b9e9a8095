#include "fmc/own_address_arp.hpp"

#include "net/arp.hpp"

namespace fmc {

bool answer_arp_for(ctl::Datapath& dp, const of::PacketIn& pi, const net::EthernetView& eth, net::Ipv4Addr ip,
                    const net::MacAddr& mac) {
  if (eth.ethertype != net::ethertype::kArp) return false;
  const auto arp = net::ArpView::parse(eth.payload);
  if (!arp || arp->op != net::arp_op::kRequest || arp->tpa != ip) return false;
  const auto frame = net::build_arp_reply(*arp, mac);  // PacketOut::data only views it
  of::PacketOut po;
  po.in_port = of::port::kController;
  po.actions = {of::Output{pi.in_port, 0}};
  po.data = frame;
  dp.send(po);
  return true;
}

}  // namespace fmc
