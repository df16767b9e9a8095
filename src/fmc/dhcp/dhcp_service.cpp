#include "fmc/dhcp/dhcp_service.hpp"

#include "controller/log.hpp"
#include "fmc/dhcp/relay_agent.hpp"
#include "fmc/packet/own_address_arp.hpp"
#include "fmc/pipeline/flows.hpp"
#include "util/log_thinning.hpp"

namespace fmc::dhcp {

namespace {
constexpr std::uint16_t kServerPort = net::kDhcpServerPort;
constexpr std::uint16_t kClientPort = net::kDhcpClientPort;
}  // namespace

DhcpService::DhcpService(const model::NetworkModel& model, LocationManager& locations, EventBus& bus, Persist persist,
                         const Clock& clock)
    : model_(model),
      locations_(locations),
      bus_(bus),
      persist_(std::move(persist)),
      clock_(clock),
      server_(model,
              [&locations](net::Ipv4Addr ip, const net::MacAddr& mac) {
                const Endpoint* holder = locations.by_ip(ip);
                return holder && holder->mac != mac;
              }),
      guard_(model.dhcp.max_clients_per_port, model.dhcp.max_rate_per_port) {}

void DhcpService::restore(const std::vector<LeaseChange>& saved) {
  for (const auto& l : saved) server_.restore(l);
}

ctl::Effects DhcpService::on_switch_up(of::Dpid dpid) const {
  ctl::Effects out;
  const model::Site* site = model_.site_at(dpid);
  if (site && site->kind == model::SiteKind::kAccessNetwork) out.send(dpid, pipeline::dhcp_to_controller());
  return out;
}

void DhcpService::drop(const std::string& reason, const std::string& detail) {
  if (worth_logging(++stats_.dropped[reason]))
    log::warn("dhcp", "dropped (" + reason + ", " + std::to_string(stats_.dropped[reason]) + " so far): " + detail);
}

ctl::Effects DhcpService::on_dhcp(const PacketContext& p) {
  ctl::Effects out;
  const model::Site* site = p.site;
  if (!site || site->kind != model::SiteKind::kAccessNetwork || !p.udp) return out;

  ++stats_.received;
  const std::string where = site->name + " port " + std::to_string(p.in_port.value) + " from " + p.eth.src.to_string();
  auto m = net::parse_dhcp(p.udp->udp.payload);
  if (!m) {
    drop(std::string("malformed: ") + m.error().reason, where);
    return out;
  }
  if (p.in_port == model_.uplink_port(*site)) {
    const bool ours = model_.dhcp.mode == model::DhcpMode::kRelay && p.udp->ip.dst == site->dhcp_relay_agent && m->op == 2;
    if (ours) relay_to_client(out, p, *m);
    else drop("DHCP from the uplink", where);
    return out;
  }
  from_client(out, p, *m);
  return out;
}

void DhcpService::from_client(ctl::Effects& out, const PacketContext& p, const net::DhcpMessage& m) {
  const model::Site& site = *p.site;
  const std::string where = site.name + " port " + std::to_string(p.in_port.value) + " from " + p.eth.src.to_string();
  if (m.op != 1) {
    bus_.publish(SecurityEvent{SecurityKind::kRogueDhcpServer, where + " sent a DHCP server message", p.dpid, p.in_port});
    return drop("server message from a client port", where);
  }
  if (m.chaddr != p.eth.src) return drop("chaddr differs from the source MAC", where + " chaddr " + m.chaddr.to_string());
  if (m.giaddr.value != 0) return drop("relayed message on a client port", where);
  if (m.relay_agent) return drop("option 82 from a client", where);  // RFC 3046 §2.1: untrusted circuit
  if (const char* why = guard_.admit(p.dpid, p.in_port, m.chaddr, clock_.steady_s())) {
    if (worth_logging(stats_.dropped[why] + 1))
      bus_.publish(SecurityEvent{SecurityKind::kDhcpAbuse, where + ": " + why, p.dpid, p.in_port});
    return drop(why, where);
  }
  learn_location(m, site, p.dpid, p.in_port);
  if (model_.dhcp.mode == model::DhcpMode::kRelay) relay_to_server(out, p, m);
  else serve(out, p, m);
}

void DhcpService::learn_location(const net::DhcpMessage& m, const model::Site& site, of::Dpid dpid, of::PortNo port) {
  const Endpoint* e = locations_.by_mac(m.chaddr);
  if (!e) e = &locations_.add_client(m.chaddr, site.name);
  locations_.move(*e, Location{site.name, dpid, port}, MoveCause::kDhcp);
}

void DhcpService::learn_address(const net::MacAddr& mac, net::Ipv4Addr ip, const model::Site& network) {
  const Endpoint* e = locations_.by_mac(mac);
  if (!e || e->kind != store::EndpointKind::kClient) return;
  // A client numbered in another network now belongs there.
  if (e->home_site != network.name && network.subnet.contains(ip)) locations_.rehome(e->name, network.name);
  if (!locations_.assign_ip(e->name, ip))  // (the server leases no address it knows as another's)
    log::warn("dhcp", e->name + " was given " + ip.to_string() + ", which the Location Manager knows as someone else's");
}

void DhcpService::serve(ctl::Effects& out, const PacketContext& p, const net::DhcpMessage& m) {
  const model::Site& site = *p.site;
  const of::PortNo port = p.in_port;
  Decision d = server_.handle(m, site, clock_.wall_ms() / 1000);
  // Offers are not stored: after a restart an unconfirmed offer is simply
  // gone (the client's REQUEST is then judged afresh, at worst NAKed).
  std::erase_if(d.changes, [](const LeaseChange& c) { return c.lease.state == LeaseState::kOffered; });
  if (d.refused) drop(d.refused, site.name + " port " + std::to_string(port.value) + " from " + m.chaddr.to_string());
  if (!d.reply) {
    if (!d.changes.empty()) persist_(std::move(d.changes), {});
    return;
  }
  const of::Dpid dpid = p.dpid;
  const model::Site* serving = d.serving;
  auto send = [this, dpid, port, &site, serving, bound = d.bound, reply = std::move(*d.reply)] {
    ctl::Effects later;
    if (bound) learn_address(reply.chaddr, *bound, *serving);
    deliver(later, dpid, port, site.gateway.mac, reply.server_id.value_or(site.gateway.ip), reply);
    return later;
  };
  // An ACK promises the address: it goes out only once the lease is stored.
  if (d.bound) return persist_(std::move(d.changes), std::move(send));
  if (!d.changes.empty()) persist_(std::move(d.changes), {});
  out.append(send());
}

void DhcpService::relay_to_server(ctl::Effects& out, const PacketContext& p, const net::DhcpMessage& m) {
  const model::Site& site = *p.site;
  auto relayed = relay_request(m, site, p.in_port);
  const auto uplink = model_.uplink_port(site);
  if (!relayed || !uplink) return drop(relayed ? "no uplink" : relayed.error(), site.name + " from " + m.chaddr.to_string());
  const net::Ipv4Addr agent = *site.dhcp_relay_agent;
  const auto payload = net::build_dhcp(*relayed);
  out.packet_out(p.dpid, of::port::kController, {of::Output{*uplink, 0}},
                 net::build_udp_frame({relay_agent_mac(agent), site.gateway.mac, agent, *model_.dhcp.relay_to,
                                       kServerPort, kServerPort},
                                      payload));
  ++stats_.relayed_to_server;
}

void DhcpService::relay_to_client(ctl::Effects& out, const PacketContext& p, const net::DhcpMessage& m) {
  const model::Site& site = *p.site;
  const net::UdpDatagram& d = *p.udp;
  const std::string where = site.name + " uplink from " + d.ip.src.to_string();
  if (d.ip.src != model_.dhcp.relay_to) {
    bus_.publish(SecurityEvent{SecurityKind::kRogueDhcpServer, where + " is not the configured DHCP server", p.dpid, p.in_port});
    return drop("reply from an unknown server", where);
  }
  const auto port = m.relay_agent ? port_of_circuit(site, m.relay_agent->circuit_id) : std::nullopt;
  if (!port) return drop("server reply without our circuit-id", where);
  net::DhcpMessage reply = m;
  reply.relay_agent.reset();  // RFC 3046 §2.2: stripped before the client sees it
  if (reply.message_type == net::dhcp_type::kAck && reply.yiaddr.value != 0) {
    const model::Site* network = &site;
    for (const model::Site* s : model_.sites_of(model::SiteKind::kAccessNetwork))
      if (s->subnet.contains(reply.yiaddr)) network = s;
    learn_address(reply.chaddr, reply.yiaddr, *network);
  }
  const net::Ipv4Addr agent = *site.dhcp_relay_agent;
  deliver(out, p.dpid, *port, relay_agent_mac(agent), agent, reply);
}

ctl::Effects DhcpService::on_relay_agent_arp(const PacketContext& p) const {
  if (!p.site || !p.site->dhcp_relay_agent) return {};
  return answer_arp_as(p, relay_agent_mac(*p.site->dhcp_relay_agent));
}

void DhcpService::deliver(ctl::Effects& out, of::Dpid dpid, of::PortNo port, const net::MacAddr& src_mac,
                          net::Ipv4Addr src_ip, const net::DhcpMessage& reply) {
  // RFC 2131 §4.1: NAKs and replies the client asked to be broadcast go to
  // everyone; otherwise to the client's hardware address. Either way only
  // out of the client's own port, after the flows its move or binding needs.
  const bool nak = reply.message_type == net::dhcp_type::kNak;
  net::UdpEndpoints e{src_mac, reply.chaddr, src_ip, reply.yiaddr, kServerPort, kClientPort};
  if (!nak && reply.ciaddr.value != 0) {
    e.dst_ip = reply.ciaddr;
  } else if (nak || reply.broadcast()) {
    e.dst_ip = net::Ipv4Addr{0xffffffff};
    e.dst_mac = net::MacAddr::broadcast();
  }
  const auto payload = net::build_dhcp(reply);
  out.packet_out_after_events(dpid, of::port::kController, {of::Output{port, 0}}, net::build_udp_frame(e, payload));
  ++stats_.replies;
  stats_.acks += reply.message_type == net::dhcp_type::kAck;
  stats_.naks += nak;
}

}  // namespace fmc::dhcp
