#include "fmc/dhcp/dhcp_server.hpp"

#include <algorithm>

namespace fmc::dhcp {

namespace t = net::dhcp_type;
namespace opt = net::dhcp_option;

namespace {
constexpr std::uint8_t kBroadcastAddressOption = 28;

bool active(const Lease& l, std::int64_t now) {
  return (l.state == LeaseState::kBound || l.state == LeaseState::kOffered) && l.expires_s > now;
}
}  // namespace

DhcpServer::DhcpServer(const model::NetworkModel& model, HeldElsewhere held) : settings_(model.dhcp) {
  for (const auto& site : model.sites)
    if (site.dhcp_pool || !site.dhcp_reservations.empty()) tables_.emplace(site.name, LeaseTable(site, held));
}

void DhcpServer::restore(const LeaseChange& saved) {
  if (auto it = tables_.find(saved.network); it != tables_.end()) it->second.restore(saved.lease);
}

const LeaseTable* DhcpServer::table(const std::string& network) const {
  auto it = tables_.find(network);
  return it == tables_.end() ? nullptr : &it->second;
}

std::size_t DhcpServer::active_leases(std::int64_t now) const {
  std::size_t n = 0;
  for (const auto& [_, table] : tables_) n += table.active(now);
  return n;
}

LeaseTable* DhcpServer::serving_table(const std::string& client, const model::Site& arrived, std::int64_t now) {
  if (arrived.keep_address_when_visiting)
    for (auto& [name, table] : tables_)
      if (const Lease* l = table.of_client(client); name != arrived.name && l && l->state == LeaseState::kBound && active(*l, now))
        return &table;
  auto it = tables_.find(arrived.name);
  return it == tables_.end() ? nullptr : &it->second;
}

Decision DhcpServer::handle(const net::DhcpMessage& m, const model::Site& arrived, std::int64_t now) {
  if (m.op != 1) return Decision{.refused = "not a client request"};
  const std::string client = client_identity(m.client_id, m.chaddr);
  if (m.message_type == t::kInform) return inform(m, arrived);
  LeaseTable* table = serving_table(client, arrived, now);
  if (!table) return Decision{.refused = "no DHCP pool for this network"};
  switch (m.message_type) {
    case t::kDiscover: return discover(m, *table, client, now);
    case t::kRequest: return request(m, *table, client, now);
    case t::kDecline: {
      if (!m.requested_ip) return Decision{.refused = "decline without an address"};
      Decision d;
      if (auto l = table->decline(client, *m.requested_ip, now + settings_.lease_time_s))
        d.changes.push_back({table->network().name, *l});
      return d;
    }
    case t::kRelease: {
      Decision d;
      if (auto l = table->release(client, m.ciaddr)) d.changes.push_back({table->network().name, *l});
      return d;
    }
    case 0: return Decision{.refused = "BOOTP without a DHCP message type"};
    default: return Decision{.refused = "not a client message type"};
  }
}

Decision DhcpServer::discover(const net::DhcpMessage& m, LeaseTable& table, const std::string& client, std::int64_t now) {
  const auto ip = table.choose(client, m.chaddr, m.requested_ip, now);
  if (!ip) return Decision{.refused = "address pool exhausted"};
  Decision d;
  const Lease* held = table.at(*ip);
  const bool keeps_binding = held && held->client == client && held->state == LeaseState::kBound && active(*held, now);
  if (!keeps_binding)
    for (auto& l : table.hold(Lease{*ip, client, m.chaddr, LeaseState::kOffered, now + kOfferHoldS, m.host_name.value_or("")}))
      d.changes.push_back({table.network().name, l});
  d.reply = reply_to(m, t::kOffer, table.network());
  d.reply->yiaddr = *ip;
  d.serving = &table.network();
  return d;
}

Decision DhcpServer::request(const net::DhcpMessage& m, LeaseTable& table, const std::string& client, std::int64_t now) {
  const model::Site& network = table.network();
  net::Ipv4Addr ip;
  if (m.server_id) {  // SELECTING
    if (*m.server_id != network.gateway.ip) {
      // The client took another server's offer: ours is free again.
      Decision d;
      if (const Lease* l = table.of_client(client); l && l->state == LeaseState::kOffered)
        if (auto freed = table.release(client, l->ip)) d.changes.push_back({network.name, *freed});
      return d;
    }
    if (!m.requested_ip) return Decision{.refused = "selecting request without a requested address"};
    ip = *m.requested_ip;
  } else if (m.requested_ip) {  // INIT-REBOOT
    ip = *m.requested_ip;
  } else if (m.ciaddr.value != 0) {  // RENEWING or REBINDING
    ip = m.ciaddr;
  } else {
    return Decision{.refused = "request names no address"};
  }
  if (!network.subnet.contains(ip)) return nak(m, network, "wrong network");
  if (!table.available(ip, client, m.chaddr, now)) return nak(m, network, "address not available");

  Decision d;
  for (auto& l : table.hold(Lease{ip, client, m.chaddr, LeaseState::kBound, now + settings_.lease_time_s, m.host_name.value_or("")}))
    d.changes.push_back({network.name, l});
  // A client holds one address at a time: a renumbered client's old lease is released.
  for (auto& [name, other] : tables_)
    if (const Lease* old = other.of_client(client); name != network.name && old && active(*old, now))
      if (auto freed = other.release(client, old->ip)) d.changes.push_back({name, *freed});
  d.reply = reply_to(m, t::kAck, network);
  d.reply->yiaddr = ip;
  d.reply->ciaddr = m.ciaddr;
  d.bound = ip;
  d.serving = &network;
  return d;
}

Decision DhcpServer::inform(const net::DhcpMessage& m, const model::Site& arrived) {
  const model::Site* network = &arrived;
  for (const auto& [_, table] : tables_)
    if (table.network().subnet.contains(m.ciaddr)) network = &table.network();
  Decision d;
  d.reply = reply_to(m, t::kAck, *network);
  d.reply->ciaddr = m.ciaddr;
  d.reply->lease_time.reset();  // RFC 2131 §4.3.5: no lease for INFORM
  d.reply->renewal_time.reset();
  d.reply->rebinding_time.reset();
  d.serving = network;
  return d;
}

net::DhcpMessage DhcpServer::reply_to(const net::DhcpMessage& m, std::uint8_t type, const model::Site& network) const {
  net::DhcpMessage r;
  r.op = 2;
  r.xid = m.xid;
  r.flags = m.flags;
  r.giaddr = m.giaddr;
  r.chaddr = m.chaddr;
  r.message_type = type;
  r.server_id = network.gateway.ip;
  r.client_id = m.client_id;  // RFC 6842
  r.relay_agent = m.relay_agent;  // RFC 3046: echoed to the relay
  const auto wants = [&](std::uint8_t code) {
    if (m.parameter_list.empty()) return code == opt::kSubnetMask || code == opt::kRouter;
    return std::find(m.parameter_list.begin(), m.parameter_list.end(), code) != m.parameter_list.end();
  };
  const std::uint32_t lease = settings_.lease_time_s;
  r.lease_time = lease;
  if (wants(opt::kRenewalTime)) r.renewal_time = lease / 2;
  if (wants(opt::kRebindingTime)) r.rebinding_time = lease / 8 * 7;
  if (wants(opt::kSubnetMask)) r.subnet_mask = net::Ipv4Addr{network.subnet.mask()};
  if (wants(opt::kRouter)) r.routers = {network.gateway.ip};
  if (wants(opt::kDns) && !settings_.dns.empty()) r.dns_servers = settings_.dns;
  if (wants(opt::kDomainName) && !settings_.domain.empty()) r.domain_name = settings_.domain;
  if (wants(kBroadcastAddressOption)) {
    const std::uint32_t b = network.subnet.network.value | ~network.subnet.mask();
    r.other_options[kBroadcastAddressOption] = {static_cast<std::uint8_t>(b >> 24), static_cast<std::uint8_t>(b >> 16),
                                                static_cast<std::uint8_t>(b >> 8), static_cast<std::uint8_t>(b)};
  }
  return r;
}

Decision DhcpServer::nak(const net::DhcpMessage& m, const model::Site& network, const char* why) const {
  net::DhcpMessage r;
  r.op = 2;
  r.xid = m.xid;
  r.flags = 0x8000;  // RFC 2131 §4.3.2: a NAK is broadcast
  r.giaddr = m.giaddr;
  r.chaddr = m.chaddr;
  r.message_type = t::kNak;
  r.server_id = network.gateway.ip;
  r.client_id = m.client_id;
  r.relay_agent = m.relay_agent;
  r.message = why;
  Decision d;
  d.reply = std::move(r);
  d.serving = &network;
  return d;
}

}  // namespace fmc::dhcp
