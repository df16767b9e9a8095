#include "fmc/location/location_manager.hpp"

#include <cassert>

namespace fmc {

namespace {
std::uint32_t tag_of(std::string_view name) { return static_cast<std::uint32_t>(std::hash<std::string_view>{}(name)); }
std::uint32_t tag_of(const net::MacAddr& mac) {
  const std::uint64_t v = mac.as_u64() * 0xff51afd7ed558ccdull;
  return static_cast<std::uint32_t>(v ^ (v >> 32));
}
}  // namespace

LocationManager::LocationManager(const model::NetworkModel& model, EventBus& bus, Persist persist, const Clock& clock)
    : model_(model), bus_(bus), persist_(std::move(persist)), clock_(clock) {
  where_.reserve(model.vms.size() + model.clients.size());  // not doubled past them (20M endpoints: 54 MB)
  // (A name defined twice, which the YAML loader refuses, keeps its first definition.)
  for (const auto& vm : model.vms)
    if (!find(vm.name)) add(vm.name, store::EndpointKind::kVm, vm.mac, vm.ip, vm.home);
  for (const auto& c : model.clients)
    if (!find(c.name)) add(c.name, store::EndpointKind::kClient, c.mac, std::nullopt, c.home);
}

Endpoint& LocationManager::add(std::string name, store::EndpointKind kind, const net::MacAddr& mac,
                               std::optional<net::Ipv4Addr> ip, std::string home_site) {
  Endpoint& e = endpoints_.emplace_back();
  e.name = std::move(name);
  e.kind = kind;
  e.mac = mac;
  e.ip = ip;
  e.home_site = std::move(home_site);
  e.configured = model_.has_configured_port(e.name);
  e.number = static_cast<std::uint32_t>(endpoints_.size() - 1);
  by_name_.set(tag_of(e.name), e.number, [&](std::uint32_t n) { return endpoints_[n].name == e.name; });
  index(e);
  place(e);
  return e;
}

void LocationManager::place(const Endpoint& e) {
  static_assert(SiteName::kMaxNames <= (1u << 31), "a site name's number and the away bit share 32 bits");
  if (e.number >= where_.size()) where_.resize(endpoints_.size());
  where_[e.number] = (e.current ? e.current->site : e.home_site).number() << 1 | (e.at_home() ? 0u : 1u);
}

void LocationManager::index(const Endpoint& e) {
  by_mac_.set(tag_of(e.mac), e.number, [&](std::uint32_t n) { return endpoints_[n].mac == e.mac; });
  if (e.ip) by_ip_.set(e.ip->value, e.number, FlatIndex::any);
  if (e.visiting_ip) by_ip_.set(e.visiting_ip->value, e.number, FlatIndex::any);
}

LocationManager::Stamps& LocationManager::stamps(const Endpoint& e) {
  if (e.number >= stamps_.size()) stamps_.resize(endpoints_.size());
  return stamps_[e.number];
}

void LocationManager::unindex_ip(net::Ipv4Addr ip, const Endpoint* only_if) {
  by_ip_.erase(ip.value, [&](std::uint32_t n) { return !only_if || n == only_if->number; });
}

Endpoint* LocationManager::stored(const store::EndpointRecord& r) {
  Endpoint* e = find(r.name);
  auto mac = net::MacAddr::parse(r.mac);
  if (!e && r.kind == store::EndpointKind::kClient && mac && model_.site_named(r.home_site) && !by_mac(*mac))
    e = &add(r.name, store::EndpointKind::kClient, *mac, std::nullopt, r.home_site);
  if (!e || !mac || *mac != e->mac) return nullptr;  // the configuration is authoritative
  return e;
}

void LocationManager::adopt(Endpoint& e, const store::EndpointRecord& r) {
  for (const auto& ip : {e.ip, e.visiting_ip})  // its addresses are indexed again below
    if (ip) unindex_ip(*ip, &e);
  if (auto ip = net::Ipv4Addr::parse(r.ip); ip && e.kind == store::EndpointKind::kClient) e.ip = ip;
  if (e.kind == store::EndpointKind::kClient && model_.site_named(r.home_site)) e.home_site = r.home_site;
  if (!r.current_site.empty() && model_.site_named(r.current_site))
    e.current = Location{r.current_site, of::Dpid{r.dpid}, of::PortNo{r.port}};
  e.visiting_ip = net::Ipv4Addr::parse(r.visiting_ip);
  e.detached = r.detached;
  index(e);
  place(e);
}

void LocationManager::restore(const std::vector<store::EndpointRecord>& records) {
  for (const auto& r : records)
    if (Endpoint* e = stored(r)) adopt(*e, r);
}

void LocationManager::apply_stored(const store::EndpointRecord& r, std::int64_t revision, bool ours) {
  Endpoint* e = stored(r);
  if (!e || revision <= stamps(*e).revision) return;
  stamps(*e).revision = revision;
  if (ours && r.updated_ms != stamps(*e).saved_ms) return;  // a newer write of ours is on its way
  const Endpoint before = *e;
  adopt(*e, r);
  if (!e->current || (before.current == e->current && before.visiting_ip == e->visiting_ip && before.ip == e->ip &&
                      before.home_site == e->home_site))
    return;
  bus_.publish(
      EndpointMoved{e->name, before.current, *e->current, MoveCause::kPeer, e->current->site == e->home_site, e->number});
}

std::uint32_t LocationManager::number_of(std::string_view name) const {
  return by_name_.find(tag_of(name), [&](std::uint32_t k) { return endpoints_[k].name == name; });
}

Endpoint* LocationManager::find(std::string_view name) {
  const auto n = number_of(name);
  return n == FlatIndex::kNone ? nullptr : &endpoints_[n];
}

const Endpoint* LocationManager::moved(const EndpointMoved& m) const {
  if (m.number && *m.number < endpoints_.size() && endpoints_[*m.number].name == m.endpoint) return &endpoints_[*m.number];
  return by_name(m.endpoint);
}

const Endpoint* LocationManager::by_name(const std::string& name) const {
  const auto n = number_of(name);
  return n == FlatIndex::kNone ? nullptr : &endpoints_[n];
}

const Endpoint* LocationManager::by_mac(const net::MacAddr& mac) const {
  const auto n = by_mac_.find(tag_of(mac), [&](std::uint32_t k) { return endpoints_[k].mac == mac; });
  return n == FlatIndex::kNone ? nullptr : &endpoints_[n];
}

const Endpoint* LocationManager::by_ip(net::Ipv4Addr ip) const {
  const auto n = by_ip_.find(ip.value, FlatIndex::any);
  return n == FlatIndex::kNone ? nullptr : &endpoints_[n];
}

std::vector<const Endpoint*> LocationManager::all() const {
  std::vector<const Endpoint*> out;
  out.reserve(endpoints_.size());
  for (std::size_t n = 0; n < endpoints_.size(); ++n) out.push_back(&endpoints_[n]);
  return out;
}

Endpoint& LocationManager::ours(const Endpoint& e) {
  Endpoint& mine = endpoints_[e.number];
  assert(&mine == &e);
  return mine;
}

bool LocationManager::move(const std::string& name, const Location& to, MoveCause cause) {
  const Endpoint* e = find(name);
  return e && move(*e, to, cause);
}

bool LocationManager::move(const Endpoint& endpoint, const Location& to, MoveCause cause) {
  Endpoint& e = ours(endpoint);
  if (e.current == to) return true;
  const auto from = e.current;
  e.current = to;
  e.detached = false;
  place(e);
  const Move moved{from, cause, clock_.wall_ms()};
  save(e, &moved);
  bus_.publish(EndpointMoved{e.name, from, to, cause, to.site == e.home_site, e.number});
  return true;
}

bool LocationManager::assign_ip(const std::string& name, net::Ipv4Addr ip) {
  Endpoint* e = find(name);
  if (!e) return false;
  if (const Endpoint* owner = by_ip(ip); owner && owner != e) return false;
  if (e->ip == ip) return true;
  if (e->ip) unindex_ip(*e->ip);
  e->ip = ip;
  index(*e);
  save(*e);
  return true;
}

void LocationManager::set_visiting_ip(const std::string& name, std::optional<net::Ipv4Addr> ip) {
  if (const Endpoint* e = find(name)) set_visiting_ip(*e, ip);
}

void LocationManager::set_visiting_ip(const Endpoint& endpoint, std::optional<net::Ipv4Addr> ip) {
  Endpoint& e = ours(endpoint);
  if (e.visiting_ip == ip) return;
  if (e.visiting_ip) unindex_ip(*e.visiting_ip);
  e.visiting_ip = ip;
  if (ip) by_ip_.set(ip->value, e.number, FlatIndex::any);  // its name, MAC and own address stay indexed
  save(e);
}

void LocationManager::set_detached(const std::string& name, bool detached) {
  Endpoint* e = find(name);
  if (!e || e->detached == detached) return;
  e->detached = detached;
  save(*e);
}

void LocationManager::rehome(const std::string& name, const std::string& site) {
  Endpoint* e = find(name);
  if (!e || e->home_site == site || !model_.site_named(site)) return;
  e->home_site = site;
  place(*e);
  save(*e);
  if (e->current && e->current->site == site) bus_.publish(EndpointMoved{name, e->current, *e->current, MoveCause::kDhcp, true});
}

const Endpoint& LocationManager::add_client(const net::MacAddr& mac, const std::string& home_site) {
  if (const Endpoint* known = by_mac(mac)) return *known;
  Endpoint& e = add("client-" + mac.to_string(), store::EndpointKind::kClient, mac, std::nullopt, home_site);
  save(e);
  return e;
}

void LocationManager::save(Endpoint& e, const Move* move) {
  if (!persist_) return;
  stamps(e).saved_ms = move ? move->at_ms : clock_.wall_ms();
  persist_(e, move);
}

store::EndpointRecord LocationManager::record(const Endpoint& e) const {
  store::EndpointRecord r;
  r.name = e.name;
  r.kind = e.kind;
  r.mac = e.mac.to_string();
  r.ip = e.ip ? e.ip->to_string() : "";
  r.home_site = e.home_site;
  if (e.current) {
    r.current_site = e.current->site;
    r.dpid = e.current->dpid.value;
    r.port = e.current->port.value;
  }
  r.visiting_ip = e.visiting_ip ? e.visiting_ip->to_string() : "";
  r.detached = e.detached;
  r.updated_ms = e.number < stamps_.size() ? stamps_[e.number].saved_ms : 0;
  return r;
}

LocationManager::HistoryRow LocationManager::history_row(const Endpoint& e, const Move& m) {
  return {e.number, m.from ? std::optional<SiteName>(m.from->site) : std::nullopt,
          e.current ? std::optional<SiteName>(e.current->site) : std::nullopt, m.cause, m.at_ms};
}

store::LocationChange LocationManager::location_change(const HistoryRow& row) const {
  return {at(row.endpoint).name, row.from ? row.from->str() : "", row.to ? row.to->str() : "", to_string(row.cause),
          row.at_ms};
}

}  // namespace fmc
