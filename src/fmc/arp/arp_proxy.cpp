#include "fmc/arp/arp_proxy.hpp"


namespace fmc {

std::optional<net::MacAddr> ArpProxy::resolve(net::Ipv4Addr ip) const {
  if (const model::Site* site = model_.gateway_site(ip)) return site->gateway.mac;
  if (const Endpoint* e = locations_.by_ip(ip)) return e->mac;
  return std::nullopt;
}

bool ArpProxy::from_router(const net::ArpView& arp) const {
  const model::Site* site = model_.gateway_site(arp.spa);
  return site && site->gateway.mac == arp.sha;
}

bool ArpProxy::contradicts_table(const PacketContext& p, const net::ArpView& arp) {
  const auto known = resolve(arp.spa);
  const bool ip_conflict = known && *known != arp.sha;
  // A known endpoint claiming an address that belongs to someone else.
  const Endpoint* sender = locations_.by_mac(arp.sha);
  const Endpoint* owner = locations_.by_ip(arp.spa);
  const bool mac_conflict = sender && owner && sender != owner;
  if (!ip_conflict && !mac_conflict) return false;
  ++stats_.refused_conflict;
  const bool gateway = model_.gateway_site(arp.spa) != nullptr;
  bus_.publish(SecurityEvent{gateway ? SecurityKind::kGatewayClaim : SecurityKind::kArpConflict,
                             arp.sha.to_string() + " claims " + arp.spa.to_string(), p.dpid, p.in_port});
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

ctl::Effects ArpProxy::on_arp(const PacketContext& p) {
  ctl::Effects out;
  const auto& arp = p.arp;
  if (!arp || (arp->op != net::arp_op::kRequest && arp->op != net::arp_op::kReply) || arp->sha != p.eth.src) {
    ++stats_.malformed;
    return out;
  }
  if (contradicts_table(p, *arp)) return out;
  learn(p.site, *arp);
  const auto frame = [&] { return std::vector<std::uint8_t>(p.frame.begin(), p.frame.end()); };

  if (arp->op == net::arp_op::kReply) {
    // Only replies to requests relayed for the router are expected: hand them on.
    if (p.site && arp->tha == p.site->gateway.mac)
      if (const auto uplink = model_.uplink_port(*p.site))
        out.packet_out_after_events(p.dpid, of::port::kController, {of::Output{*uplink, 0}}, frame());
    return out;
  }
  if (arp->is_gratuitous()) return out;  // an announcement, not a question

  if (const auto mac = resolve(arp->tpa)) {
    if (*mac == arp->sha) return out;  // asking for itself (duplicate address detection)
    out.packet_out_after_events(p.dpid, of::port::kController, {of::Output{p.in_port, 0}},
                                net::build_arp_reply(*arp, *mac));
    ++stats_.answered;
    return out;
  }
  if (from_router(*arp) && p.site && p.site->subnet.contains(arp->tpa)) {
    out.packet_out_after_events(p.dpid, p.in_port, {of::Output{of::port::kFlood, 0}}, frame());
    ++stats_.relayed_for_router;
    return out;
  }
  ++stats_.unknown_target;
  return out;
}

}  // namespace fmc
