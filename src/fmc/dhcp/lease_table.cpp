#include "fmc/dhcp/lease_table.hpp"

namespace fmc::dhcp {

const char* to_string(LeaseState s) {
  switch (s) {
    case LeaseState::kOffered: return "offered";
    case LeaseState::kBound: return "bound";
    case LeaseState::kReleased: return "released";
    case LeaseState::kDeclined: return "declined";
    case LeaseState::kFree: return "free";
  }
  return "free";
}

std::optional<LeaseState> lease_state_from(std::string_view s) {
  for (auto st : {LeaseState::kOffered, LeaseState::kBound, LeaseState::kReleased, LeaseState::kDeclined, LeaseState::kFree})
    if (s == to_string(st)) return st;
  return std::nullopt;
}

const char* const kDeclinedBy = "declined";

std::string client_identity(const std::vector<std::uint8_t>& client_id, const net::MacAddr& chaddr) {
  if (client_id.empty()) return "hw:" + chaddr.to_string();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "id:";
  for (std::uint8_t b : client_id) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

LeaseTable::LeaseTable(const model::Site& network, HeldElsewhere held)
    : network_(network), held_(std::move(held)), next_unused_(network.dhcp_pool ? network.dhcp_pool->first.value : 0) {}

bool LeaseTable::assignable(net::Ipv4Addr ip) const {
  const auto& subnet = network_.subnet;
  if (!subnet.contains(ip) || ip == network_.gateway.ip || ip == network_.dhcp_relay_agent) return false;
  if (subnet.length >= 31) return true;
  return ip != subnet.network && ip.value != (subnet.network.value | ~subnet.mask());
}

const model::DhcpReservation* LeaseTable::reservation_of(const net::MacAddr& mac) const {
  for (const auto& r : network_.dhcp_reservations)
    if (r.mac == mac) return &r;
  return nullptr;
}

const model::DhcpReservation* LeaseTable::reservation_at(net::Ipv4Addr ip) const {
  for (const auto& r : network_.dhcp_reservations)
    if (r.ip == ip) return &r;
  return nullptr;
}

void LeaseTable::restore(const Lease& l) {
  if (!assignable(l.ip) || l.state == LeaseState::kFree) return;
  if (l.state == LeaseState::kDeclined) {
    forget(l.ip.value);
    by_ip_[l.ip.value] = l;
    return;
  }
  if (const Lease* old = of_client(l.client); old && old->ip != l.ip) {
    // Two saved leases for one client: keep the one that lasts longer.
    if (old->expires_s >= l.expires_s) return;
    forget(old->ip.value);
  }
  forget(l.ip.value);
  by_ip_[l.ip.value] = l;
  by_client_[l.client] = l.ip.value;
}

void LeaseTable::forget(std::uint32_t ip) {
  auto it = by_ip_.find(ip);
  if (it == by_ip_.end()) return;
  auto c = by_client_.find(it->second.client);
  if (c != by_client_.end() && c->second == ip) by_client_.erase(c);
  by_ip_.erase(it);
}

const Lease* LeaseTable::of_client(const std::string& client) const {
  auto it = by_client_.find(client);
  return it == by_client_.end() ? nullptr : at(net::Ipv4Addr{it->second});
}

const Lease* LeaseTable::at(net::Ipv4Addr ip) const {
  auto it = by_ip_.find(ip.value);
  return it == by_ip_.end() ? nullptr : &it->second;
}

bool LeaseTable::available(net::Ipv4Addr ip, const std::string& client, const net::MacAddr& mac, std::int64_t now) const {
  if (!assignable(ip) || (held_ && held_(ip, mac))) return false;
  const auto* reserved = reservation_at(ip);
  if (reserved && reserved->mac != mac) return false;
  if (!reserved && !(network_.dhcp_pool && network_.dhcp_pool->contains(ip))) return false;
  const Lease* l = at(ip);
  if (!l) return true;
  if (l->state == LeaseState::kDeclined) return l->expires_s <= now;
  if (l->client == client) return true;
  return l->state == LeaseState::kReleased || l->expires_s <= now;
}

std::optional<net::Ipv4Addr> LeaseTable::choose(const std::string& client, const net::MacAddr& mac,
                                                std::optional<net::Ipv4Addr> requested, std::int64_t now) {
  if (const auto* r = reservation_of(mac); r && available(r->ip, client, mac, now)) return r->ip;
  if (const Lease* l = of_client(client); l && available(l->ip, client, mac, now)) return l->ip;
  if (requested && available(*requested, client, mac, now)) return requested;
  if (!network_.dhcp_pool) return std::nullopt;
  const auto& pool = *network_.dhcp_pool;
  for (; next_unused_ <= pool.last.value && next_unused_ >= pool.first.value; ++next_unused_) {
    const net::Ipv4Addr candidate{next_unused_};
    if (!at(candidate) && available(candidate, client, mac, now)) return candidate;
  }
  // Every pool address has been used: take the one free for the longest.
  const Lease* best = nullptr;
  for (const auto& [ip, l] : by_ip_)
    if (pool.contains(l.ip) && available(l.ip, client, mac, now) && (!best || l.expires_s < best->expires_s)) best = &l;
  return best ? std::optional{best->ip} : std::nullopt;
}

std::vector<Lease> LeaseTable::hold(const Lease& lease) {
  std::vector<Lease> changes;
  if (const Lease* old = of_client(lease.client); old && old->ip != lease.ip) {
    Lease freed = *old;
    freed.state = LeaseState::kFree;
    changes.push_back(freed);
    forget(old->ip.value);
  }
  forget(lease.ip.value);  // a previous holder's expired or released lease
  by_ip_[lease.ip.value] = lease;
  by_client_[lease.client] = lease.ip.value;
  changes.push_back(lease);
  return changes;
}

std::optional<Lease> LeaseTable::release(const std::string& client, net::Ipv4Addr ip) {
  auto it = by_ip_.find(ip.value);
  if (it == by_ip_.end() || it->second.client != client || it->second.state == LeaseState::kDeclined) return std::nullopt;
  it->second.state = LeaseState::kReleased;
  return it->second;
}

std::optional<Lease> LeaseTable::decline(const std::string& client, net::Ipv4Addr ip, std::int64_t until) {
  auto it = by_ip_.find(ip.value);
  if (it == by_ip_.end() || it->second.client != client) return std::nullopt;
  auto c = by_client_.find(client);
  if (c != by_client_.end() && c->second == ip.value) by_client_.erase(c);
  it->second.state = LeaseState::kDeclined;
  it->second.expires_s = until;
  it->second.client = kDeclinedBy;
  return it->second;
}

std::size_t LeaseTable::active(std::int64_t now) const {
  std::size_t n = 0;
  for (const auto& [_, l] : by_ip_)
    n += (l.state == LeaseState::kBound || l.state == LeaseState::kOffered) && l.expires_s > now;
  return n;
}

std::vector<Lease> LeaseTable::all() const {
  std::vector<Lease> out;
  out.reserve(by_ip_.size());
  for (const auto& [_, l] : by_ip_) out.push_back(l);
  return out;
}

}  // namespace fmc::dhcp
