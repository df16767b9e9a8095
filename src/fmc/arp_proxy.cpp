#include "fmc/arp_proxy.hpp"

#include "apps/flow_plan.hpp"
#include "net/ethernet.hpp"

namespace fmc {

void ArpProxy::on_switch_up(ctl::Datapath& dp) {
  of::FlowMod fm;
  fm.cookie = apps::plan::kArpProxyCookie;
  fm.table_id = apps::plan::kVisitorTable;  // first table of the Follow-Me pipeline
  fm.priority = apps::plan::priority::kArpToController;
  fm.match.eth_type = net::ethertype::kArp;
  fm.instructions = {of::ApplyActions{{of::Output{of::port::kController, of::kControllerMaxLenNoBuffer}}}};
  dp.send(fm);
}

std::optional<net::MacAddr> ArpProxy::resolve(net::Ipv4Addr ip) const {
  if (const model::Site* site = model_.gateway_site(ip)) return site->gateway.mac;
  if (const Endpoint* e = locations_.by_ip(ip)) return e->mac;
  return std::nullopt;
}

bool ArpProxy::from_router(const net::ArpView& arp) const {
  const model::Site* site = model_.gateway_site(arp.spa);
  return site && site->gateway.mac == arp.sha;
}

bool ArpProxy::contradicts_table(ctl::Datapath& dp, of::PortNo in_port, const net::ArpView& arp) {
  const auto known = resolve(arp.spa);
  const bool ip_conflict = known && *known != arp.sha;
  // A known endpoint claiming an address that belongs to someone else.
  const Endpoint* sender = locations_.by_mac(arp.sha);
  const Endpoint* owner = locations_.by_ip(arp.spa);
  const bool mac_conflict = sender && owner && sender != owner;
  if (!ip_conflict && !mac_conflict) return false;
  ++stats_.refused_conflict;
  const bool gateway = model_.gateway_site(arp.spa) != nullptr;
  bus_.publish(SecurityEvent{gateway ? "gateway-claim" : "arp-conflict",
                             arp.sha.to_string() + " claims " + arp.spa.to_string(), dp.dpid(), in_port});
  return true;
}

void ArpProxy::learn(const model::Site* site, const net::ArpView& arp) {
  // Only clients' addresses are learned (VM addresses are configured), and
  // only inside the subnet of the site they were seen in.
  const Endpoint* sender = locations_.by_mac(arp.sha);
  if (!sender || sender->kind != store::EndpointKind::kClient || !site || !site->subnet.contains(arp.spa)) return;
  if (arp.spa.value == 0) return;  // DHCP address probe (RFC 5227): no binding yet
  locations_.assign_ip(sender->name, arp.spa);
}

void ArpProxy::output(ctl::Datapath& dp, of::PortNo port, Bytes frame) {
  of::PacketOut po;
  po.in_port = of::port::kController;
  po.actions = {of::Output{port, 0}};
  po.data = frame;
  dp.send(po);
}

ctl::Disposition ArpProxy::on_packet_in(ctl::Datapath& dp, const of::PacketIn& pi) {
  const auto eth = net::EthernetView::parse(pi.data);
  if (!eth || eth->ethertype != net::ethertype::kArp) return ctl::Disposition::kContinue;
  const auto arp = net::ArpView::parse(eth->payload);
  if (!arp || (arp->op != net::arp_op::kRequest && arp->op != net::arp_op::kReply) || arp->sha != eth->src) {
    ++stats_.malformed;
    return ctl::Disposition::kConsumed;
  }
  if (contradicts_table(dp, pi.in_port, *arp)) return ctl::Disposition::kConsumed;
  const model::Site* site = model_.site_at(dp.dpid());
  learn(site, *arp);

  if (arp->op == net::arp_op::kReply) {
    // Only replies to requests relayed for the router are expected: hand them on.
    if (site && arp->tha == site->gateway.mac) {
      if (const auto uplink = model_.uplink_port(*site)) output(dp, *uplink, pi.data);
    }
    return ctl::Disposition::kConsumed;
  }
  if (arp->is_gratuitous()) return ctl::Disposition::kConsumed;  // an announcement, not a question

  if (const auto mac = resolve(arp->tpa)) {
    if (*mac == arp->sha) return ctl::Disposition::kConsumed;  // asking for itself (duplicate address detection)
    const auto reply = net::build_arp_reply(*arp, *mac);
    output(dp, pi.in_port, reply);
    ++stats_.answered;
    return ctl::Disposition::kConsumed;
  }
  if (from_router(*arp) && site && site->subnet.contains(arp->tpa)) {
    of::PacketOut po;
    po.in_port = pi.in_port;
    po.actions = {of::Output{of::port::kFlood, 0}};
    po.data = pi.data;
    dp.send(po);
    ++stats_.relayed_for_router;
    return ctl::Disposition::kConsumed;
  }
  ++stats_.unknown_target;
  return ctl::Disposition::kConsumed;
}

}  // namespace fmc
