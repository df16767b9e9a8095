#include "fmc/dhcp/dhcp_service.hpp"

#include <bit>

#include "apps/flow_plan.hpp"
#include "controller/log.hpp"
#include "fmc/dhcp/relay_agent.hpp"
#include "fmc/own_address_arp.hpp"
#include "fmc/pipeline.hpp"

namespace fmc::dhcp {

namespace {
constexpr std::uint16_t kServerPort = net::kDhcpServerPort;
constexpr std::uint16_t kClientPort = net::kDhcpClientPort;
// Floods must not become log floods: a reason is logged the 1st, 2nd, 4th, 8th... time.
bool worth_logging(std::uint64_t count) { return std::has_single_bit(count); }
}  // namespace

DhcpService::DhcpService(const model::NetworkModel& model, LocationManager& locations, EventBus& bus,
                         const SwitchDirectory& switches, Persist persist, Clock clock)
    : model_(model),
      locations_(locations),
      bus_(bus),
      switches_(switches),
      persist_(std::move(persist)),
      clock_(std::move(clock)),
      server_(model),
      guard_(model.dhcp.max_clients_per_port, model.dhcp.max_rate_per_port) {}

void DhcpService::restore(const std::vector<LeaseChange>& saved) {
  for (const auto& l : saved) server_.restore(l);
}

void DhcpService::on_switch_up(ctl::Datapath& dp) {
  const model::Site* site = model_.site_at(dp.dpid());
  if (!site || site->kind != model::SiteKind::kAccessNetwork) return;
  dp.send(pipeline::udp_to_controller(kServerPort, std::nullopt, apps::plan::priority::kDhcpToController,
                                       apps::plan::kDhcpCookie));
}

void DhcpService::drop(const std::string& reason, const std::string& detail) {
  if (worth_logging(++stats_.dropped[reason]))
    log::warn("dhcp", "dropped (" + reason + ", " + std::to_string(stats_.dropped[reason]) + " so far): " + detail);
}

ctl::Disposition DhcpService::on_packet_in(ctl::Datapath& dp, const of::PacketIn& pi) {
  const auto eth = net::EthernetView::parse(pi.data);
  const model::Site* site = model_.site_at(dp.dpid());
  if (!eth || !site || site->kind != model::SiteKind::kAccessNetwork) return ctl::Disposition::kContinue;
  if (eth->ethertype == net::ethertype::kArp)
    return answer_relay_agent_arp(dp, pi, *eth, *site) ? ctl::Disposition::kConsumed : ctl::Disposition::kContinue;
  const auto d = net::parse_udp(*eth);
  if (!d || d->udp.dst_port != kServerPort) return ctl::Disposition::kContinue;

  ++stats_.received;
  const std::string where = site->name + " port " + std::to_string(pi.in_port.value) + " from " + eth->src.to_string();
  auto m = net::parse_dhcp(d->udp.payload);
  if (!m) {
    drop(std::string("malformed: ") + m.error().reason, where);
    return ctl::Disposition::kConsumed;
  }
  if (pi.in_port == model_.uplink_port(*site)) {
    const bool ours = model_.dhcp.mode == model::DhcpMode::kRelay && d->ip.dst == site->dhcp_relay_agent && m->op == 2;
    if (ours) relay_to_client(dp, *d, *m, *site);
    else drop("DHCP from the uplink", where);
    return ctl::Disposition::kConsumed;
  }
  from_client(dp, pi, *eth, *m, *site);
  return ctl::Disposition::kConsumed;
}

void DhcpService::from_client(ctl::Datapath& dp, const of::PacketIn& pi, const net::EthernetView& eth,
                              const net::DhcpMessage& m, const model::Site& site) {
  const std::string where = site.name + " port " + std::to_string(pi.in_port.value) + " from " + eth.src.to_string();
  if (m.op != 1) {
    bus_.publish(SecurityEvent{"rogue-dhcp-server", where + " sent a DHCP server message", dp.dpid(), pi.in_port});
    return drop("server message from a client port", where);
  }
  if (m.chaddr != eth.src) return drop("chaddr differs from the source MAC", where + " chaddr " + m.chaddr.to_string());
  if (m.giaddr.value != 0) return drop("relayed message on a client port", where);
  if (m.relay_agent) return drop("option 82 from a client", where);  // RFC 3046 §2.1: untrusted circuit
  if (const char* why = guard_.admit(dp.dpid(), pi.in_port, m.chaddr, static_cast<double>(clock_()) / 1000.0)) {
    if (worth_logging(stats_.dropped[why] + 1))
      bus_.publish(SecurityEvent{"dhcp-abuse", where + ": " + why, dp.dpid(), pi.in_port});
    return drop(why, where);
  }
  learn_location(m, site, dp.dpid(), pi.in_port);
  if (model_.dhcp.mode == model::DhcpMode::kRelay) relay_to_server(dp, pi.in_port, m, site);
  else serve(dp, pi.in_port, m, site);
}

void DhcpService::learn_location(const net::DhcpMessage& m, const model::Site& site, of::Dpid dpid, of::PortNo port) {
  const Endpoint* e = locations_.by_mac(m.chaddr);
  if (!e) e = &locations_.add_client(m.chaddr, site.name);
  locations_.move(e->name, Location{site.name, dpid, port}, MoveCause::kDhcp);
}

void DhcpService::learn_address(const net::MacAddr& mac, net::Ipv4Addr ip, const model::Site& network) {
  const Endpoint* e = locations_.by_mac(mac);
  if (!e || e->kind != store::EndpointKind::kClient) return;
  // A client numbered in another network now belongs there.
  if (e->home_site != network.name && network.subnet.contains(ip)) locations_.rehome(e->name, network.name);
  if (!locations_.assign_ip(e->name, ip))
    log::warn("dhcp", e->name + " was given " + ip.to_string() + ", which the Location Manager knows as someone else's");
}

void DhcpService::serve(ctl::Datapath& dp, of::PortNo port, const net::DhcpMessage& m, const model::Site& site) {
  Decision d = server_.handle(m, site, clock_() / 1000);
  // Offers are not stored: after a restart an unconfirmed offer is simply
  // gone (the client's REQUEST is then judged afresh, at worst NAKed).
  std::erase_if(d.changes, [](const LeaseChange& c) { return c.lease.state == LeaseState::kOffered; });
  if (d.refused) drop(d.refused, site.name + " port " + std::to_string(port.value) + " from " + m.chaddr.to_string());
  if (!d.reply) {
    if (!d.changes.empty()) persist_(std::move(d.changes), {});
    return;
  }
  const of::Dpid dpid = dp.dpid();
  const model::Site* serving = d.serving;
  auto send = [this, dpid, port, &site, serving, bound = d.bound, reply = std::move(*d.reply)] {
    if (bound) learn_address(reply.chaddr, *bound, *serving);
    deliver(dpid, port, site.gateway.mac, reply.server_id.value_or(site.gateway.ip), reply);
  };
  // An ACK promises the address: it goes out only once the lease is stored.
  if (d.bound) return persist_(std::move(d.changes), std::move(send));
  if (!d.changes.empty()) persist_(std::move(d.changes), {});
  send();
}

void DhcpService::relay_to_server(ctl::Datapath& dp, of::PortNo port, const net::DhcpMessage& m, const model::Site& site) {
  auto relayed = relay_request(m, site, port);
  const auto uplink = model_.uplink_port(site);
  if (!relayed || !uplink) return drop(relayed ? "no uplink" : relayed.error(), site.name + " from " + m.chaddr.to_string());
  const net::Ipv4Addr agent = *site.dhcp_relay_agent;
  const auto payload = net::build_dhcp(*relayed);
  const auto frame = net::build_udp_frame(
      {relay_agent_mac(agent), site.gateway.mac, agent, *model_.dhcp.relay_to, kServerPort, kServerPort}, payload);
  of::PacketOut po;
  po.in_port = of::port::kController;
  po.actions = {of::Output{*uplink, 0}};
  po.data = frame;
  dp.send(po);
  ++stats_.relayed_to_server;
}

void DhcpService::relay_to_client(ctl::Datapath& dp, const net::UdpDatagram& d, const net::DhcpMessage& m,
                                  const model::Site& site) {
  const std::string where = site.name + " uplink from " + d.ip.src.to_string();
  if (d.ip.src != model_.dhcp.relay_to) {
    bus_.publish(SecurityEvent{"rogue-dhcp-server", where + " is not the configured DHCP server", dp.dpid(),
                               *model_.uplink_port(site)});
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
  deliver(dp.dpid(), *port, relay_agent_mac(agent), agent, reply);
}

bool DhcpService::answer_relay_agent_arp(ctl::Datapath& dp, const of::PacketIn& pi, const net::EthernetView& eth,
                                         const model::Site& site) {
  if (model_.dhcp.mode != model::DhcpMode::kRelay || !site.dhcp_relay_agent) return false;
  return answer_arp_for(dp, pi, eth, *site.dhcp_relay_agent, relay_agent_mac(*site.dhcp_relay_agent));
}

void DhcpService::deliver(of::Dpid dpid, of::PortNo port, const net::MacAddr& src_mac, net::Ipv4Addr src_ip,
                          const net::DhcpMessage& reply) {
  ctl::Datapath* dp = switches_.find(dpid);
  if (!dp) return drop("switch gone before the reply", reply.chaddr.to_string());
  // RFC 2131 §4.1: NAKs and replies the client asked to be broadcast go to
  // everyone; otherwise to the client's hardware address. Either way only
  // out of the client's own port.
  const bool nak = reply.message_type == net::dhcp_type::kNak;
  net::UdpEndpoints e{src_mac, reply.chaddr, src_ip, reply.yiaddr, kServerPort, kClientPort};
  if (!nak && reply.ciaddr.value != 0) {
    e.dst_ip = reply.ciaddr;
  } else if (nak || reply.broadcast()) {
    e.dst_ip = net::Ipv4Addr{0xffffffff};
    e.dst_mac = net::MacAddr::broadcast();
  }
  const auto payload = net::build_dhcp(reply);
  const auto frame = net::build_udp_frame(e, payload);
  of::PacketOut po;
  po.in_port = of::port::kController;
  po.actions = {of::Output{port, 0}};
  po.data = frame;
  dp->send(po);
  ++stats_.replies;
  stats_.acks += reply.message_type == net::dhcp_type::kAck;
  stats_.naks += nak;
}

}  // namespace fmc::dhcp
